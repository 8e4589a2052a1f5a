//! No input makes the engine panic: random bytes, mutated real logs, and lines built from the
//! pieces of every layout. Each result is also checked for internal consistency.

use midtriage_engine::fuzz::consistent;
use midtriage_engine::{analyze, Catalogue, Context, Input};

#[path = "common/synth.rs"]
mod synth;

use synth::Rng;

const PIECES: &[&str] = &[
    "10/22/18 17:56:13 (898) ", "2026-06-03T09:46:18.163-0400 ", "INFO   | jvm 1    | 2019/09/21 16:30:47.114 | ",
    "2019/12/15 00:33:17 | ", "wrapper  | ", "AutoUpgrade.3600 ", "SEVERE *** ERROR *** ", "WARNING * WARNING ",
    "DEBUG: ", "ERROR (MIDServer) [Main:1] ", "Sep 21, 2019 4:30:47 PM a b", "SEVERE:", "INFO: ", "\tat x.y(Z.java:1)",
    "Caused by: ", "java.lang.IllegalStateException: ", "Unable to delete file", "UpgradeExecption", "\\bin\\mid.bat (Access is denied)",
    "Installed: [", "Assigned: [mid-core.zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200.universal.universal.zip", "]",
    "upgrade scenario with current=", "Setting mid status to Up", "Status code=401", "install.service-now.com", "Method failed",
    "Downloading from", "é", "€", "\u{1F600}", "\r", "\n", "\r\n", " ", "(", ")", "|", "[", ":", "*", "\u{0}",
];

fn run(bytes: &[u8]) {
    let inputs = [Input {
        name: "fuzz.log",
        bytes,
        kind: None,
    }];
    consistent(&analyze(
        Catalogue::builtin(),
        &inputs,
        &Context {
            instance_version: Some(
                String::from_utf8_lossy(&bytes[..bytes.len().min(40)]).into_owned(),
            ),
            ..Context::default()
        },
    ));
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x5eed);
    for _ in 0..400 {
        let len = rng.below(600);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        run(&bytes);
    }
}

#[test]
fn layout_pieces_in_any_order_never_panic() {
    let mut rng = Rng(42);
    for _ in 0..1500 {
        let mut s = String::new();
        for _ in 0..rng.below(30) {
            s.push_str(PIECES[rng.below(PIECES.len())]);
        }
        run(s.as_bytes());
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(s.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        run(&utf16);
    }
}

#[test]
fn mutated_fixtures_never_panic() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/field-guide"
    );
    let mut rng = Rng(7);
    for entry in std::fs::read_dir(dir).unwrap() {
        let original = std::fs::read(entry.unwrap().path()).unwrap();
        for _ in 0..25 {
            let mut bytes = original.clone();
            for _ in 0..1 + rng.below(8) {
                let at = rng.below(bytes.len());
                match rng.below(4) {
                    0 => bytes[at] = rng.next() as u8,
                    1 => bytes.insert(at, b"\r\n\0\xe2\x82"[rng.below(5)]),
                    2 => bytes.truncate(at),
                    _ => bytes
                        .splice(at..at, PIECES[rng.below(PIECES.len())].bytes())
                        .for_each(drop),
                }
                if bytes.is_empty() {
                    break;
                }
            }
            run(&bytes);
        }
    }
}

#[test]
fn a_huge_line_is_clipped_in_evidence() {
    let mut line = "x".repeat(3_000_000);
    line.push_str(" Could not authenticate user 'a' on the ServiceNow instance ");
    line.push_str(&"y".repeat(3_000_000));
    let a = analyze(
        Catalogue::builtin(),
        &[Input {
            name: "big.log",
            bytes: line.as_bytes(),
            kind: None,
        }],
        &Context::default(),
    );
    let ev = &a.findings[0].evidence[0];
    assert!(ev.text.len() < 5000, "{}", ev.text.len());
    let (s, e) = ev.highlights[0];
    assert_eq!(&ev.text[s..e], "Could not authenticate user");
}
