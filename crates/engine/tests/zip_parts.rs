//! A ZIP cut into parts at its central directory's offsets, each part analysed apart (as the
//! CLI's threads and the page's workers do) and merged in order, gives exactly what one reading
//! of the whole archive gives: the same files, findings, evidence and notes, whatever the parts'
//! size and the chunks they are read in.

#[path = "common/archive.rs"]
mod archive;

use archive::zip;
use midtriage_engine::{
    zip_directory, zip_parts, Analyzer, Catalogue, Facts, Intake, Merge, ZipPart, ZIP_TAIL,
};

const AGENT: &str = include_str!("../../../tests/fixtures/field-guide/fg36-kb0565184.log");
const UPGRADE: &str = include_str!("../../../tests/fixtures/field-guide/fg30-kb0779852.log");
const WRAPPER: &str = include_str!("../../../tests/fixtures/field-guide/fg07-kb0725881.log");

/// One reading of the whole archive.
fn whole(name: &str, bytes: &[u8], chunk: usize) -> Facts {
    let mut analyzer = Analyzer::new(Catalogue::builtin());
    let mut intake = Intake::new(&mut analyzer, name, None);
    for c in bytes.chunks(chunk) {
        intake.feed(c);
    }
    intake.finish();
    analyzer.finish()
}

/// The parts a reader finds: the directory from the archive's last bytes, then the parts.
fn plan(bytes: &[u8], min_part: u64) -> Vec<ZipPart> {
    let len = bytes.len() as u64;
    let tail = &bytes[len.saturating_sub(ZIP_TAIL) as usize..];
    let Some(at) = zip_directory(tail, len) else {
        return Vec::new();
    };
    let directory = &bytes[at.start as usize..at.end as usize];
    zip_parts(directory, at, len, min_part)
}

/// Each part read apart from its own bytes, then merged in order.
fn by_parts(name: &str, bytes: &[u8], parts: &[ZipPart], chunk: usize) -> Facts {
    let partials = parts.iter().map(|p| {
        let mut analyzer = Analyzer::new(Catalogue::builtin());
        let mut intake = Intake::part(&mut analyzer, name, None, p);
        for c in bytes[p.start as usize..p.end as usize].chunks(chunk) {
            intake.feed(c);
        }
        intake.finish();
        analyzer.finish_partial()
    });
    let mut merge = Merge::new(Catalogue::builtin());
    merge.add_parts(partials);
    merge.finish()
}

fn files(f: &Facts) -> Vec<String> {
    f.files.iter().map(|f| f.name.clone()).collect()
}

/// A support bundle: logs deflated with and without data descriptors, a stored log, a
/// picture, a folder and an archive inside the archive.
fn bundle() -> Vec<u8> {
    zip(&[
        ("logs/", b"", false, false),
        ("logs/agent0.log.1", AGENT.as_bytes(), true, true),
        ("logs/screenshot.png", b"\x89PNG\r\n", false, false),
        ("logs/agent0.log.0", WRAPPER.as_bytes(), true, false),
        ("logs/older.zip", b"PK\x03\x04", false, false),
        ("logs/wrapper.log", UPGRADE.as_bytes(), false, false),
        (
            "logs/notes.txt",
            b"restarted the MID at 10:00\n",
            true,
            true,
        ),
        ("README.md", b"not a log", true, false),
    ])
}

#[test]
fn a_zip_read_in_parts_gives_what_one_reading_gives() {
    let bytes = bundle();
    let one = whole("bundle.zip", &bytes, bytes.len());
    assert_eq!(
        files(&one),
        [
            "bundle.zip!/logs/agent0.log.1",
            "bundle.zip!/logs/agent0.log.0",
            "bundle.zip!/logs/wrapper.log",
            "bundle.zip!/logs/notes.txt"
        ]
    );
    assert!(!one.findings.is_empty());
    assert_eq!(one.problems.len(), 1, "{:?}", one.problems);
    // One part per log, two, or the whole archive as one part (which is not worth cutting).
    let mut counts = Vec::new();
    for min_part in [1, AGENT.len() as u64 + 1, 1 << 30] {
        let parts = plan(&bytes, min_part);
        counts.push(parts.len());
        if parts.is_empty() {
            continue;
        }
        assert_eq!(parts.first().map(|p| p.start), Some(0));
        assert!(parts.windows(2).all(|w| w[0].end == w[1].start));
        for chunk in [1, 7, 4096, bytes.len()] {
            let cut = by_parts("bundle.zip", &bytes, &parts, chunk);
            assert_eq!(cut, one, "{} parts, chunks of {chunk}", parts.len());
        }
    }
    assert_eq!(counts, [4, 2, 0]);
}

#[test]
fn the_entry_limit_and_the_notes_come_out_as_in_one_reading() {
    let names: Vec<String> = (0..503).map(|i| format!("agent{i}.log")).collect();
    let mut entries: Vec<(&str, &[u8], bool, bool)> = names
        .iter()
        .map(|n| (n.as_str(), UPGRADE.as_bytes(), true, false))
        .collect();
    entries.insert(10, ("old/bundle.tgz", b"\x1f\x8b", false, false));
    let bytes = zip(&entries);
    let one = whole("many.zip", &bytes, 1 << 16);
    assert_eq!(one.files.len(), 500);
    assert_eq!(
        one.problems.len(),
        2,
        "nested archive and limit: {:?}",
        one.problems
    );
    // Fifty logs a part; the logs over the limit join the last one.
    let parts = plan(&bytes, 50 * UPGRADE.len() as u64);
    assert_eq!(parts.len(), 10);
    assert_eq!(by_parts("many.zip", &bytes, &parts, 1 << 16), one);
}

#[test]
fn a_corrupt_entry_stops_the_parts_after_it_as_it_stops_one_reading() {
    let mut bytes = bundle();
    // Corrupt the deflated data of logs/agent0.log.0 (the fourth entry).
    let at = bytes
        .windows(17)
        .position(|w| w == b"logs/agent0.log.0")
        .unwrap();
    for b in &mut bytes[at + 17 + 20..at + 17 + 40] {
        *b = 0xff;
    }
    let one = whole("bundle.zip", &bytes, 4096);
    let broken = one.files.iter().filter(|f| f.error.is_some()).count();
    assert_eq!(broken, 1, "{:?}", files(&one));
    assert_eq!(files(&one).len(), 2, "nothing after the corrupt entry");
    let parts = plan(&bytes, 1);
    assert_eq!(parts.len(), 4);
    assert_eq!(by_parts("bundle.zip", &bytes, &parts, 4096), one);
}

#[test]
fn archives_that_are_better_read_whole_are_not_cut() {
    let bytes = bundle();
    assert_eq!(plan(&bytes, 1).len(), 4);
    // Not a ZIP, a ZIP cut short, one log only.
    assert!(plan(AGENT.as_bytes(), 1).is_empty());
    assert!(plan(&bytes[..bytes.len() - 1], 1).is_empty());
    assert!(plan(&zip(&[("agent0.log", AGENT.as_bytes(), true, false)]), 1).is_empty());
    // A comment after the end record is allowed.
    let mut commented = bytes.clone();
    let n = commented.len();
    commented[n - 2..].copy_from_slice(&5u16.to_le_bytes());
    commented.extend_from_slice(b"hello");
    assert_eq!(plan(&commented, 1).len(), 4);
    // Each of these is read whole, so its problem is reported as one reading reports it.
    let directory = |bytes: &[u8]| {
        let at = zip_directory(&bytes[bytes.len() - 22..], bytes.len() as u64).unwrap();
        at.start as usize
    };
    let start = directory(&bytes);
    let with = |offset: usize, value: &[u8]| {
        let mut b = bytes.clone();
        b[start + offset..start + offset + value.len()].copy_from_slice(value);
        plan(&b, 1)
    };
    assert!(with(8, &1u16.to_le_bytes()).is_empty(), "encrypted");
    assert!(with(10, &12u16.to_le_bytes()).is_empty(), "bzip2");
    assert!(
        with(8, &8u16.to_le_bytes()).is_empty(),
        "stored without size"
    );
    assert!(with(20, &u32::MAX.to_le_bytes()).is_empty(), "ZIP64");
    assert!(
        with(42, &1u32.to_le_bytes()).is_empty(),
        "data before the first entry"
    );
    assert_eq!(with(8, &0u16.to_le_bytes()).len(), 4, "the original flags");
    // A directory that declares a bomb (in logs/agent0.log.1, after the folder's 51 bytes).
    assert!(with(51 + 24, &(u32::MAX - 1).to_le_bytes()).is_empty());
}

#[test]
fn a_part_whose_directory_lies_says_so() {
    let bytes = bundle();
    let mut parts = plan(&bytes, 1);
    // The second part starts one byte late: its first bytes are not a local header.
    parts[1].start += 1;
    let facts = by_parts("bundle.zip", &bytes, &parts, 4096);
    assert!(
        facts
            .problems
            .iter()
            .any(|p| p.to_string().contains("central directory does not match")),
        "{:?}",
        facts.problems
    );
}

#[test]
fn any_bytes_at_the_end_of_a_file_are_safe_to_plan_from() {
    let bytes = bundle();
    let at = zip_directory(&bytes, bytes.len() as u64).unwrap();
    let directory = &bytes[at.start as usize..at.end as usize];
    // Every cut of the directory, and every byte of it changed, gives parts or none, never a
    // panic; every part found lies inside the archive.
    for n in 0..directory.len() {
        let _ = zip_parts(&directory[..n], at.clone(), bytes.len() as u64, 1);
        let mut d = directory.to_vec();
        d[n] ^= 0xA5;
        for p in zip_parts(&d, at.clone(), bytes.len() as u64, 1) {
            assert!(p.start < p.end && p.end <= at.start, "{p:?}");
        }
    }
    for n in 0..bytes.len().min(ZIP_TAIL as usize) {
        let _ = zip_directory(&bytes[n..], bytes.len() as u64);
        let _ = zip_directory(&bytes[..n], n as u64);
    }
}
