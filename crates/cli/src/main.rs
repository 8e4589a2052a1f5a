//! `midtriage`: the engine on the command line. Argument parsing and output only; the engine
//! does the work.

mod args;

use std::io::{Read, Write};
use std::process::ExitCode;

use midtriage_engine::user_rules::Extra;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use midtriage_engine::{
    check_samples, render, Analyzer, Catalogue, Context, Intake, Merge, Partial,
};

use args::{Command, Format};

fn main() -> ExitCode {
    let command = match args::parse(std::env::args_os().skip(1)) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("midtriage: {msg} (see `midtriage --help`)");
            return ExitCode::from(2);
        }
    };
    match run(command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("midtriage: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(command: Command) -> std::io::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match command {
        Command::Help => out.write_all(args::HELP.as_bytes())?,
        Command::Version => writeln!(out, "midtriage {}", midtriage_engine::VERSION)?,
        Command::Rules { literals: true } => {
            // Every case-insensitive literal the catalogue searches for, once each (for comparing
            // with other tools, e.g. `rg -c -F -i -f`).
            let mut seen = std::collections::BTreeSet::new();
            for p in &Catalogue::builtin().patterns {
                if let midtriage_engine::rules::PatternSpec::Literal(l) = &p.spec {
                    if seen.insert(l.to_lowercase()) {
                        writeln!(out, "{l}")?;
                    }
                }
            }
        }
        Command::Rules { literals: false } => {
            for r in &Catalogue::builtin().rules {
                writeln!(
                    out,
                    "{:<32} {:<9} {:<10} {}",
                    r.id,
                    r.severity.name(),
                    r.kb,
                    r.title
                )?;
            }
        }
        Command::CheckRules { file } => return check_rules(&file, &mut out),
        Command::Analyze {
            files,
            format,
            status,
            instance_version,
            mid_version,
            rules,
            threads,
        } => {
            let extra = extra_rules(&rules);
            let catalogue = extra.catalogue.as_ref().unwrap_or(Catalogue::builtin());
            let mut merge = Merge::new(catalogue);
            merge.rules_files(extra.files(), extra.problems());
            for partial in analyze_files(catalogue, &files, threads) {
                merge.add(partial);
            }
            let ctx = Context {
                status,
                instance_version,
                mid_version,
            };
            let analysis = midtriage_engine::conclude(merge.finish(), &ctx);
            let file_errors = analysis.files.iter().filter_map(|f| f.error.as_ref());
            for e in file_errors.chain(&analysis.problems) {
                eprintln!("midtriage: {e}");
            }
            match format {
                Format::Text => out.write_all(render::text(&analysis).as_bytes())?,
                Format::Markdown => out.write_all(render::markdown(&analysis).as_bytes())?,
                Format::Json => {
                    serde_json::to_writer_pretty(&mut out, &analysis)?;
                    writeln!(out)?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Analyses each file apart, on up to `threads` threads (each one file at a time, its memory
/// bounded whatever the file's size); gives their analyses in the order of `files`, to be
/// merged into what one analyzer reading them in that order finds.
fn analyze_files(
    catalogue: &Arc<Catalogue>,
    files: &[args::FileArg],
    threads: usize,
) -> Vec<Partial> {
    let one = |f: &args::FileArg| {
        // Files are streamed in chunks: memory stays bounded whatever their size.
        let mut analyzer = Analyzer::new(catalogue);
        // Plain, gzip or ZIP: the intake decides from the first bytes.
        let mut intake = Intake::new(&mut analyzer, display_name(&f.path), f.kind);
        match feed(&f.path, &mut intake) {
            Ok(()) => intake.finish(),
            Err(reason) => intake.fail(&reason),
        };
        analyzer.finish_partial()
    };
    let threads = threads.clamp(1, files.len().max(1));
    if threads == 1 {
        return files.iter().map(one).collect();
    }
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<Partial>>> = Mutex::new(vec![None; files.len()]);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(f) = files.get(i) else { break };
                let partial = one(f);
                if let Ok(mut done) = done.lock() {
                    done[i] = Some(partial);
                }
            });
        }
    });
    done.into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

/// The user's rules files added to the built-in rules (a file with problems is left out; the
/// analysis reports it).
fn extra_rules(files: &[String]) -> Extra {
    let texts: Vec<(&str, Result<String, String>)> = files
        .iter()
        .map(|f| {
            let text = std::fs::read(f)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .map_err(|e| e.to_string());
            (f.as_str(), text)
        })
        .collect();
    let sources: Vec<(&str, Result<&str, String>)> = texts
        .iter()
        .map(|(name, text)| (*name, text.as_deref().map_err(Clone::clone)))
        .collect();
    Catalogue::with_sources(&sources)
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

/// Streams a file (or standard input for `-`) into the intake. An error says why reading
/// stopped; what was read before it is analysed.
fn feed(path: &str, intake: &mut Intake<&mut Analyzer>) -> Result<(), String> {
    if path == "-" {
        return feed_from(std::io::stdin().lock(), None, intake);
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
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

fn check_rules(file: &str, out: &mut impl Write) -> std::io::Result<ExitCode> {
    let text = match std::fs::read(file) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            eprintln!("midtriage: {file}: cannot read: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let errors = match Catalogue::from_files(&[(file, &text)]) {
        Ok(catalogue) => {
            let errors = check_samples(&catalogue);
            if errors.is_empty() {
                let samples: usize = catalogue.rules.iter().map(|r| r.samples.count()).sum();
                writeln!(
                    out,
                    "{file}: {} rules valid; {samples} samples behave as declared",
                    catalogue.rules.len()
                )?;
                return Ok(ExitCode::SUCCESS);
            }
            errors
        }
        Err(errors) => errors,
    };
    for e in &errors {
        eprintln!("{e}");
    }
    eprintln!(
        "{file}: {}",
        midtriage_engine::render::plural(errors.len(), "problem")
    );
    Ok(ExitCode::from(1))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
