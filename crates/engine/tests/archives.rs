//! Compressed input: gzip and ZIP analysed like the plain files inside them, in any chunk size;
//! decompression bombs and archives without logs refused by name while the rest is analysed.

#[path = "common/archive.rs"]
mod archive;

use archive::{gzip, zip};
use midtriage_engine::{analyze, Analysis, Analyzer, Catalogue, Context, ErrorKind, Input, Intake};

const AGENT: &str = include_str!("../../../tests/fixtures/field-guide/fg36-kb0565184.log");
const UPGRADE: &str = include_str!("../../../tests/fixtures/field-guide/fg30-kb0779852.log");

fn run(inputs: &[(&str, Vec<u8>)], chunk: usize) -> Analysis {
    let mut analyzer = Analyzer::new(Catalogue::builtin());
    for (name, bytes) in inputs {
        let mut intake = Intake::new(&mut analyzer, name, None);
        for c in bytes.chunks(chunk.max(1)) {
            intake.feed(c);
        }
        intake.finish();
    }
    midtriage_engine::conclude(analyzer.finish(), &Context::default())
}

fn plain() -> Analysis {
    let inputs = [
        Input {
            name: "agent0.log.0",
            bytes: AGENT.as_bytes(),
            kind: None,
        },
        Input {
            name: "wrapper.log",
            bytes: UPGRADE.as_bytes(),
            kind: None,
        },
    ];
    analyze(Catalogue::builtin(), &inputs, &Context::default())
}

fn lines(a: &Analysis) -> Vec<(String, String, u32)> {
    a.findings
        .iter()
        .flat_map(|f| {
            f.evidence
                .iter()
                .map(move |e| (f.id.clone(), e.file.clone(), e.line))
        })
        .collect()
}

#[test]
fn gzip_files_are_analysed_like_the_file_inside() {
    let want = plain();
    for chunk in [1, 5, 4096, usize::MAX] {
        let a = run(
            &[
                ("agent0.log.0.gz", gzip(AGENT.as_bytes())),
                ("wrapper.log.gz", gzip(UPGRADE.as_bytes())),
            ],
            chunk,
        );
        assert_eq!(lines(&a), lines(&want), "chunk {chunk}");
        assert_eq!(
            a.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
            ["agent0.log.0", "wrapper.log"]
        );
    }
}

#[test]
fn zip_entries_are_analysed_one_by_one_and_other_entries_skipped() {
    let bundle = zip(&[
        ("logs/agent0.log.0", AGENT.as_bytes(), true, false),
        ("logs/wrapper.log", UPGRADE.as_bytes(), true, true),
        ("logs/screenshot.png", b"\x89PNG\r\n\x1a\n", false, false),
        ("logs/notes.txt", b"nothing to see\n", false, false),
        ("logs/older.zip", b"PK\x03\x04", false, false),
    ]);
    let want: Vec<(String, String, u32)> = lines(&plain())
        .into_iter()
        .map(|(id, f, l)| {
            (
                id,
                format!(
                    "bundle.zip!/logs/{}",
                    if f == "agent0.log.0" {
                        "agent0.log.0"
                    } else {
                        "wrapper.log"
                    }
                ),
                l,
            )
        })
        .collect();
    for chunk in [1, 7, 100, usize::MAX] {
        let a = run(&[("bundle.zip", bundle.clone())], chunk);
        assert_eq!(lines(&a), want, "chunk {chunk}");
        let names: Vec<&str> = a.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "bundle.zip!/logs/agent0.log.0",
                "bundle.zip!/logs/wrapper.log",
                "bundle.zip!/logs/notes.txt"
            ],
            "chunk {chunk}"
        );
        // The archive inside is named, once, among the problems; it does not stop the rest.
        let problems: Vec<String> = a.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            ["bundle.zip: archives inside it are not opened (logs/older.zip); extract them and add them as files"],
            "chunk {chunk}"
        );
    }
}

#[test]
fn a_decompression_bomb_is_refused_by_name_and_the_rest_analysed() {
    let bomb = gzip(&vec![b'a'; 64 << 20]);
    assert!(bomb.len() < 2 << 20);
    let a = run(
        &[
            ("huge.log.gz", bomb),
            ("agent0.log.0", AGENT.as_bytes().to_vec()),
        ],
        1 << 20,
    );
    let err = a.files[0].error.as_ref().expect("refused").to_string();
    assert!(
        err.starts_with("huge.log.gz: refused: it expands more than 200 times"),
        "{err}"
    );
    assert!(err.contains("decompression bomb"));
    assert!(a.findings.iter().any(|f| f.id == "download-failed"));
}

#[test]
fn archives_without_logs_and_broken_archives_get_a_clear_message() {
    let a = run(
        &[("pictures.zip", zip(&[("a.png", b"\x89PNG", false, false)]))],
        64,
    );
    assert_eq!(
        a.files[0].error.as_ref().unwrap().to_string(),
        "pictures.zip: the ZIP archive holds no log files (1 other entries were skipped)"
    );
    // A corrupt entry that is skipped (not a log) still reports its problem by name.
    let mut corrupt = zip(&[("logs/agent0.log.0", AGENT.as_bytes(), true, false)]);
    let name_end = 30 + "logs/agent0.log.0".len();
    corrupt[26..28].copy_from_slice(&9u16.to_le_bytes()); // rename the entry to "logs/agen"
    corrupt[name_end..name_end + 4].copy_from_slice(&[0xff; 4]); // and break its deflate data
    let a = run(&[("broken.zip", corrupt)], 64);
    let err = a
        .files
        .iter()
        .find_map(|f| f.error.as_ref())
        .expect("an error")
        .to_string();
    assert!(err.starts_with("broken.zip: "), "{err}");
    let mut truncated = gzip(AGENT.as_bytes());
    truncated.truncate(truncated.len() / 2);
    truncated[20] ^= 0xff;
    let a = run(
        &[
            ("agent0.log.0.gz", truncated),
            ("wrapper.log", UPGRADE.as_bytes().to_vec()),
        ],
        64,
    );
    assert!(
        a.findings.iter().any(|f| f.id == "file-locked"),
        "the other file is still analysed"
    );
}

/// Once an input is refused, the intake says so, so that readers stop reading it; a readable
/// input (a text log, an archive still being read) keeps asking for more.
#[test]
fn a_refused_input_asks_for_no_more_bytes() {
    let mut analyzer = Analyzer::new(Catalogue::builtin());
    let wants = |analyzer: &mut Analyzer, name: &str, first: &[u8]| {
        let mut intake = Intake::new(analyzer, name, None);
        intake.feed(first);
        let wants = intake.wants_more();
        intake.finish();
        wants
    };
    // More than the sniff window, so that the decoder has decided.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.resize(16 << 10, 7);
    assert!(!wants(&mut analyzer, "picture.log", &png));
    assert!(!wants(&mut analyzer, "zeros.log", &[0; 16 << 10]));
    let text = b"10/22/18 17:56:13 (898) Main start\n".repeat(500);
    assert!(wants(&mut analyzer, "agent0.log.0", &text));
    let gz = gzip(b"10/22/18 17:56:13 (898) Main start\n");
    assert!(wants(&mut analyzer, "agent0.log.0.gz", &gz[..gz.len() / 2]));
    let a = midtriage_engine::conclude(analyzer.finish(), &Context::default());
    assert_eq!(a.files[0].error.as_ref().unwrap().kind, ErrorKind::Binary);
}
