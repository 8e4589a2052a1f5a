//! Reading the files to analyse: each one streamed in chunks through an intake (its memory
//! bounded whatever its size), on up to `threads` threads. A ZIP's parts (runs of its entries,
//! from its central directory) count as files of their own, so that one big support bundle
//! uses every core too.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use midtriage_engine::{
    zip_directory, zip_parts, Analyzer, Catalogue, Intake, Partial, ZipPart, ZIP_PART, ZIP_TAIL,
};

use crate::args::FileArg;

/// Analyses the files apart, on up to `threads` threads; gives each file's analysis in the
/// order of `files`, as the parts it was read in, to be merged
/// ([`midtriage_engine::Merge::add_parts`]) into what one analyzer reading them in that order
/// finds.
pub fn analyze(catalogue: &Arc<Catalogue>, files: &[FileArg], threads: usize) -> Vec<Vec<Partial>> {
    analyze_in_parts(catalogue, files, threads, ZIP_PART)
}

/// [`analyze`], with ZIP parts of about `part_size` bytes of logs.
fn analyze_in_parts(
    catalogue: &Arc<Catalogue>,
    files: &[FileArg],
    threads: usize,
    part_size: u64,
) -> Vec<Vec<Partial>> {
    // With one thread, cutting an archive gains nothing.
    let tasks: Vec<(usize, Option<ZipPart>)> = files
        .iter()
        .enumerate()
        .flat_map(|(i, f)| {
            let parts = if threads > 1 {
                zip_plan(&f.path, part_size)
            } else {
                Vec::new()
            };
            let parts: Vec<Option<ZipPart>> = match parts.is_empty() {
                true => vec![None],
                false => parts.into_iter().map(Some).collect(),
            };
            parts.into_iter().map(move |p| (i, p))
        })
        .collect();
    let one = |(i, part): &(usize, Option<ZipPart>)| {
        let f = &files[*i];
        let mut analyzer = Analyzer::new(catalogue);
        let name = display_name(&f.path);
        // Plain, gzip or ZIP: the intake decides from the first bytes.
        let (mut intake, read) = match part {
            None => (Intake::new(&mut analyzer, name, f.kind), None),
            Some(p) => (Intake::part(&mut analyzer, name, f.kind, p), Some(p)),
        };
        match feed(&f.path, read, &mut intake) {
            Ok(()) => intake.finish(),
            Err(reason) => intake.fail(&reason),
        };
        (*i, analyzer.finish_partial())
    };
    let done: Vec<(usize, Partial)> = if threads <= 1 || tasks.len() <= 1 {
        tasks.iter().map(one).collect()
    } else {
        let next = AtomicUsize::new(0);
        let done: Mutex<Vec<Option<(usize, Partial)>>> = Mutex::new(vec![None; tasks.len()]);
        std::thread::scope(|scope| {
            for _ in 0..threads.min(tasks.len()) {
                scope.spawn(|| loop {
                    let t = next.fetch_add(1, Ordering::Relaxed);
                    let Some(task) = tasks.get(t) else { break };
                    let partial = one(task);
                    if let Ok(mut done) = done.lock() {
                        done[t] = Some(partial);
                    }
                });
            }
        });
        done.into_inner()
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .collect()
    };
    let mut by_file: Vec<Vec<Partial>> = vec![Vec::new(); files.len()];
    for (i, partial) in done {
        by_file[i].push(partial);
    }
    by_file
}

/// The parts of a ZIP file worth reading apart; none for any other file, or when reading its
/// directory fails (one reading of the whole file then reports the problem).
fn zip_plan(path: &str, part_size: u64) -> Vec<ZipPart> {
    let plan = || -> std::io::Result<Vec<ZipPart>> {
        let mut file = File::open(path)?;
        let len = file.metadata()?.len();
        let mut head = [0u8; 4];
        file.read_exact(&mut head)?;
        if &head != b"PK\x03\x04" {
            return Ok(Vec::new());
        }
        let mut tail = vec![0u8; len.min(ZIP_TAIL) as usize];
        file.seek(SeekFrom::Start(len - tail.len() as u64))?;
        file.read_exact(&mut tail)?;
        let Some(at) = zip_directory(&tail, len) else {
            return Ok(Vec::new());
        };
        let mut directory = vec![0u8; (at.end - at.start) as usize];
        file.seek(SeekFrom::Start(at.start))?;
        file.read_exact(&mut directory)?;
        Ok(zip_parts(&directory, at, len, part_size))
    };
    if path == "-" {
        return Vec::new();
    }
    plan().unwrap_or_default()
}

fn display_name(path: &str) -> &str {
    if path == "-" {
        "<stdin>"
    } else {
        path
    }
}

/// Bytes read and fed at a time.
const CHUNK: usize = 8 << 20;

/// Streams a file (or standard input for `-`), or only `part` of it, into the intake. An
/// error says why reading stopped; what was read before it is analysed.
fn feed(
    path: &str,
    part: Option<&ZipPart>,
    intake: &mut Intake<&mut Analyzer>,
) -> Result<(), String> {
    if path == "-" {
        return feed_from(std::io::stdin().lock(), None, intake);
    }
    let mut file = File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    if let Some(p) = part {
        file.seek(SeekFrom::Start(p.start))
            .map_err(|e| format!("cannot read: {e}"))?;
        return feed_from(file.take(p.end - p.start), Some(p.end - p.start), intake);
    }
    let size = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    feed_from(file, size, intake)
}

/// Streams `reader` into the intake. `size` (the file's size when it was opened) catches a file
/// cut short while it was read, which ends early without an error.
fn feed_from(
    mut reader: impl Read,
    size: Option<u64>,
    intake: &mut Intake<&mut Analyzer>,
) -> Result<(), String> {
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let mut filled = 0;
        let mut failed = None;
        while filled < CHUNK {
            match reader.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        if filled > 0 {
            intake.feed(&buf[..filled]);
            total += filled as u64;
        }
        if let Some(e) = failed {
            return Err(format!(
                "reading failed after {total} bytes ({e}); what was read before was analysed"
            ));
        }
        // A refused file (binary, a bomb) is not read through.
        if !intake.wants_more() {
            return Ok(());
        }
        if filled < CHUNK {
            return match size {
                Some(size) if total < size => Err(format!(
                    "it changed while it was being read: {total} of its {size} bytes were read and analysed"
                )),
                _ => Ok(()),
            };
        }
    }
}

#[cfg(test)]
#[path = "../../engine/tests/common/archive.rs"]
mod archive;

#[cfg(test)]
mod tests {
    use super::*;
    use midtriage_engine::{Context, Merge};

    const LINE: &str = "02/18/19 19:25:14 (298) StartupSequencer WARNING *** WARNING *** Could not authenticate user 'mid' on the ServiceNow instance\n";

    /// Gives `good` bytes, then fails.
    struct Failing {
        good: std::io::Cursor<Vec<u8>>,
    }

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.good.read(buf)? {
                0 => Err(std::io::Error::other("device gone")),
                n => Ok(n),
            }
        }
    }

    fn read(reader: impl Read, size: Option<u64>) -> midtriage_engine::Analysis {
        let mut analyzer = Analyzer::new(Catalogue::builtin());
        let mut intake = Intake::new(&mut analyzer, "agent0.log.0", None);
        match feed_from(reader, size, &mut intake) {
            Ok(()) => intake.finish(),
            Err(reason) => intake.fail(&reason),
        };
        midtriage_engine::conclude(analyzer.finish(), &Context::default())
    }

    #[test]
    fn a_read_failing_midway_keeps_what_was_read_with_the_reason() {
        // More than one chunk, so the failure comes in the middle of the second.
        let text = format!("{LINE}{}", "x\n".repeat(5 << 20)).into_bytes();
        let len = text.len();
        let a = read(
            Failing {
                good: std::io::Cursor::new(text),
            },
            None,
        );
        let error = a.files[0].error.as_ref().expect("an error").to_string();
        assert_eq!(
            error,
            format!("agent0.log.0: reading failed after {len} bytes (device gone); what was read before was analysed")
        );
        assert_eq!(a.findings[0].id, "auth-failed");
        assert_eq!(a.files[0].lines, 1 + (5 << 20));
    }

    #[test]
    fn a_file_cut_short_while_read_is_reported() {
        let a = read(LINE.as_bytes(), Some(10 << 20));
        let error = a.files[0].error.as_ref().expect("an error").to_string();
        assert!(
            error.contains(&format!(
                "it changed while it was being read: {} of its {} bytes",
                LINE.len(),
                10 << 20
            )),
            "{error}"
        );
        assert_eq!(a.findings[0].id, "auth-failed");
        // A file that grew while read (a live log) is fine.
        assert!(read(LINE.as_bytes(), Some(10)).files[0].error.is_none());
    }

    #[test]
    fn a_zip_is_read_in_parts_on_several_threads_with_the_same_result() {
        let fixture = |n: &str| {
            let path = format!(
                "{}/../../tests/fixtures/field-guide/{n}",
                env!("CARGO_MANIFEST_DIR")
            );
            std::fs::read(path).unwrap()
        };
        let (agent, wrapper) = (fixture("fg36-kb0565184.log"), fixture("fg07-kb0725881.log"));
        let bundle = super::archive::zip(&[
            ("logs/agent0.log.1", &agent, true, true),
            ("logs/screenshot.png", b"\x89PNG\r\n", false, false),
            ("logs/agent0.log.0", &wrapper, true, false),
            ("logs/wrapper.log", LINE.as_bytes(), false, false),
        ]);
        let dir = std::env::temp_dir().join(format!("midtriage-parts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bundle.zip");
        std::fs::write(&path, &bundle).unwrap();
        let files = [
            FileArg {
                path: path.to_string_lossy().into_owned(),
                kind: None,
            },
            FileArg {
                path: dir.join("missing.log").to_string_lossy().into_owned(),
                kind: None,
            },
        ];
        let merged = |threads: usize| {
            let by_file = analyze_in_parts(Catalogue::builtin(), &files, threads, 1);
            let parts: Vec<usize> = by_file.iter().map(Vec::len).collect();
            let mut merge = Merge::new(Catalogue::builtin());
            for p in by_file {
                merge.add_parts(p);
            }
            (parts, merge.finish())
        };
        let (one_parts, one) = merged(1);
        let (parts, cut) = merged(2);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(one_parts, [1, 1], "one thread reads the archive whole");
        assert_eq!(parts, [3, 1], "one part per log, and the missing file");
        assert_eq!(cut, one);
        assert_eq!(one.files.len(), 4, "three logs and the missing file");
        assert!(!one.findings.is_empty());
    }
}
