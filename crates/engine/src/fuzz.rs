//! Fuzz target bodies. Each takes arbitrary bytes, runs one stage of the engine on them, and
//! panics when the stage panics or breaks a promise it makes: streaming gives what the one-call
//! form gives, records tile the text, a version prints back to itself, a rules-file error names
//! its file, no config.xml report holds a password.
//!
//! The cargo-fuzz targets in `fuzz/` (libFuzzer, nightly) are one-line wrappers around these;
//! on stable, the engine's `tests/fuzz.rs` replays the committed corpora in `fuzz/corpus/` and a
//! seeded mutation run through the same functions.

use crate::analysis::{Analysis, Context, Input};
use crate::archive::Intake;
use crate::catalogue::Catalogue;
use crate::config;
use crate::decode::{decode as decode_all, StreamDecoder};
use crate::lines::count_lines;
use crate::record::parse_records;
use crate::run::analyze;
use crate::stream::Analyzer;
use crate::template::{template, MAX_TEMPLATE};
use crate::version::{find_versions, parse_package, Version};
use crate::ErrorKind;

/// A target body: arbitrary bytes in, a panic when a promise is broken.
pub type Target = fn(&[u8]);

/// Every target, by the name of its corpus directory.
pub const TARGETS: &[(&str, Target)] = &[
    ("decode", decode),
    ("records", records),
    ("version", version),
    ("rules", rules),
    ("config", config),
    ("archive", archive),
    ("templates", templates),
];

/// The template miner: a template is never longer than its cap and masks to itself; the
/// errors no rule explains are the same streamed in chunks as in one call, and for either
/// order of two files.
pub fn templates(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for line in text.lines().take(64) {
        let t = template(line);
        assert!(t.len() <= MAX_TEMPLATE + '…'.len_utf8(), "{t:?}");
        assert_eq!(template(&t), t, "masking {line:?} again");
    }
    let (a, b) = data.split_at(data.len() / 2);
    let one = |first: (&str, &[u8]), second: (&str, &[u8])| {
        let inputs = [first, second].map(|(name, bytes)| Input {
            name,
            bytes,
            kind: None,
        });
        analyze(Catalogue::builtin(), &inputs, &Context::default()).unrecognised
    };
    let want = one(("a.log", a), ("b.log", b));
    let mut streamed = Analyzer::new(Catalogue::builtin()).with_segment_size(chunk_len(data));
    for (name, bytes) in [("a.log", a), ("b.log", b)] {
        streamed.begin_file(name, None);
        for chunk in bytes.chunks(chunk_len(data)) {
            streamed.feed(chunk);
        }
        streamed.end_file();
    }
    assert_eq!(streamed.finish().unrecognised, want, "streamed");
    assert_eq!(one(("b.log", b), ("a.log", a)), want, "files swapped");
}

/// A chunk length picked by the input's first byte: tiny, odd, and larger than the sniff window.
fn chunk_len(data: &[u8]) -> usize {
    const LENS: [usize; 8] = [1, 2, 3, 7, 64, 509, 4096, 8193];
    LENS[data.first().map_or(0, |b| usize::from(*b) % LENS.len())]
}

/// The decoder: fed in chunks, it gives exactly the text, encoding or refusal of the one-call
/// form.
pub fn decode(data: &[u8]) {
    let whole = decode_all("fuzz.log", data);
    let mut stream = StreamDecoder::new("fuzz.log");
    let mut text = String::new();
    let mut refused = None;
    for chunk in data.chunks(chunk_len(data)) {
        if let Err(e) = stream.push(chunk, &mut text) {
            refused.get_or_insert(e);
        }
    }
    if let Err(e) = stream.finish(&mut text) {
        refused.get_or_insert(e);
    }
    match (whole, refused) {
        (Ok(d), None) => {
            assert_eq!(text, d.text, "streamed text differs");
            assert_eq!(stream.encoding(), Some(d.encoding), "encoding differs");
            assert_eq!(count_lines(&text), count_lines(&d.text));
        }
        (Err(a), Some(b)) => {
            assert_eq!(a, b, "different refusals");
            assert_eq!(a.file.as_deref(), Some("fuzz.log"), "error names no file");
        }
        (a, b) => panic!("one-call {a:?} but streamed refusal {b:?}"),
    }
}

/// The record parser: records are in order, never overlap, sit on character boundaries and on
/// real lines; looking records up lazily (as the streaming analyzer does) finds the same ones.
pub fn records(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lines = count_lines(&text) as u32;
    let records = parse_records(0, &text);
    let mut last_end = (0u32, 0usize);
    for (i, r) in records.iter().enumerate() {
        assert!(r.line <= r.end_line && r.end_line <= lines.max(1), "{r:?}");
        assert!(r.start <= r.end && r.end <= text.len(), "{r:?}");
        assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        if i > 0 {
            assert!(
                r.line > last_end.0 && r.start > last_end.1,
                "overlap at {r:?}"
            );
        }
        last_end = (r.end_line, r.end);
    }
    crate::stream::check_lazy_records(&text, &records);
}

/// The version parser: what parses prints back to itself, compares equal to itself and in
/// opposite ways from either side; every version found in free text parses alone.
pub fn version(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_once('\n').unwrap_or((&text, ""));
    let parsed: Vec<Version> = [a, b]
        .into_iter()
        .filter_map(|s| Version::parse(s).ok())
        .collect();
    for v in &parsed {
        let again = Version::parse(&v.to_string())
            .unwrap_or_else(|e| panic!("{v:?} prints as {v}, which does not parse: {e}"));
        assert_eq!(&again, v, "{v} does not round-trip");
        assert_eq!(v.compare(v), std::cmp::Ordering::Equal);
        assert!(!v.label().is_empty());
    }
    if let [x, y] = parsed.as_slice() {
        assert_eq!(x.compare(y), y.compare(x).reverse(), "{x} vs {y}");
    }
    for (s, v) in find_versions(&text) {
        assert_eq!(Version::parse(&s).as_ref(), Ok(&v), "{s}");
    }
    let _ = parse_package(a);
    if let Err(e) = Version::parse(a) {
        assert_eq!(e.kind, ErrorKind::Version);
    }
}

/// The rules-file loader: a file is accepted or every problem names it; an accepted catalogue
/// checks its own samples and analyses text without panicking.
pub fn rules(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match Catalogue::from_files(&[("fuzz.toml", &text)]) {
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in &errors {
                assert_eq!(e.file.as_deref(), Some("fuzz.toml"), "{e}");
                assert!(!e.reason.is_empty(), "{e:?}");
            }
        }
        Ok(catalogue) => {
            let _ = crate::check_samples(&catalogue);
            let input = Input {
                name: "fuzz.log",
                bytes: data,
                kind: None,
            };
            consistent(&analyze(&catalogue, &[input], &Context::default()));
        }
    }
}

/// The secrets the config target plants; no report may hold one.
const SECRETS: [&str; 2] = ["pw-7f3a9c1e", "proxypw-52d0b8"];

/// The config.xml reader: whatever follows a password and a proxy password, the report holds
/// neither, and its line numbers are lines of the file.
pub fn config(data: &[u8]) {
    let rest = String::from_utf8_lossy(data);
    if SECRETS.iter().any(|s| rest.contains(s)) {
        return;
    }
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<parameters>\n\
         <parameter name=\"mid.instance.password\" value=\"{}\"/>\n\
         <parameter name=\"mid.proxy.password\" secure=\"true\" value=\"{}\"/>\n{rest}",
        SECRETS[0], SECRETS[1]
    );
    let report = config::check("config.xml", &text);
    let lines = count_lines(&text) as u32;
    let shown = format!(
        "{report:?}{:?}{:?}",
        report.summary(),
        crate::advice::advice(
            std::slice::from_ref(&report),
            &["auth-failed", "keystore-out-of-sync", "download-failed"]
        )
    );
    for s in SECRETS {
        assert!(!shown.contains(s), "the report shows {s}: {shown}");
    }
    for i in &report.issues {
        assert!(i.line >= 1 && i.line <= lines + 1, "{i:?} of {lines} lines");
    }
    for d in &report.duplicates {
        assert!(d.lines.len() >= 2 && d.lines.iter().all(|&l| l <= lines + 1));
    }
}

/// Names that steer the archive target to each kind of input.
const NAMES: [&str; 5] = [
    "agent0.log.0",
    "support.zip",
    "agent0.log.0.gz",
    "wrapper.log",
    "config.xml",
];

/// The archive reader (plain, gzip or ZIP): the analysis is the same whether the input comes
/// in one piece or in small chunks through small segments, and it is consistent; a ZIP cut
/// into parts at its directory's offsets (however wrong they are) reads without a panic and
/// gives a consistent analysis too.
pub fn archive(data: &[u8]) {
    let name = NAMES[data.last().map_or(0, |b| usize::from(*b) % NAMES.len())];
    let catalogue = Catalogue::builtin();
    let mut one = Analyzer::new(catalogue);
    let mut intake = Intake::new(&mut one, name, None);
    intake.feed(data);
    intake.finish();
    let one = crate::flow::conclude(one.finish(), &Context::default());

    let segment = 1 + data.len() / 3;
    let mut chunked = Analyzer::new(catalogue).with_segment_size(segment);
    let mut intake = Intake::new(&mut chunked, name, None);
    for chunk in data.chunks(chunk_len(data)) {
        intake.feed(chunk);
    }
    intake.finish();
    let chunked = crate::flow::conclude(chunked.finish(), &Context::default());
    assert_eq!(one, chunked, "chunks of {} differ", chunk_len(data));
    consistent(&one);
    for f in &one.files {
        assert!(!f.name.is_empty());
    }
    by_parts(name, data);
}

/// Reads a ZIP in parts, as threads and workers do, when its directory allows.
fn by_parts(name: &str, data: &[u8]) {
    let len = data.len() as u64;
    let tail = &data[len.saturating_sub(crate::archive::ZIP_TAIL) as usize..];
    let Some(at) = crate::archive::zip_directory(tail, len) else {
        return;
    };
    assert!(at.start <= at.end && at.end <= len, "{at:?}");
    let directory = &data[at.start as usize..at.end as usize];
    let parts = crate::archive::zip_parts(directory, at.clone(), len, 1);
    let catalogue = Catalogue::builtin();
    let mut merge = crate::stream::Merge::new(catalogue);
    merge.add_parts(parts.iter().map(|p| {
        assert!(p.start < p.end && p.end <= at.start, "{p:?}");
        let mut analyzer = Analyzer::new(catalogue);
        let mut intake = Intake::part(&mut analyzer, name, None, p);
        for chunk in data[p.start as usize..p.end as usize].chunks(chunk_len(data)) {
            intake.feed(chunk);
        }
        intake.finish();
        analyzer.finish_partial()
    }));
    consistent(&crate::flow::conclude(merge.finish(), &Context::default()));
}

/// What every analysis promises: each finding has evidence and at least one match, and every
/// highlight lies inside its line, on character boundaries. Panics when one is broken.
pub fn consistent(a: &Analysis) {
    for f in &a.findings {
        assert!(!f.evidence.is_empty() && f.matches >= 1, "{}", f.id);
        for e in &f.evidence {
            for &(s, t) in &e.highlights {
                assert!(
                    s <= t && t <= e.text.len(),
                    "{}: highlight out of range",
                    f.id
                );
                assert!(e.text.is_char_boundary(s) && e.text.is_char_boundary(t));
            }
        }
    }
}
