//! The same incident in every encoding and line ending gives the same finding on the same
//! original line numbers; bad files are refused by name while the others are still analysed.

use midtriage_engine::decode::Encoding;
use midtriage_engine::{analyze, Catalogue, Context, ErrorKind, Input};

const LINES: [&str; 5] = [
    "10/22/18 17:56:10 (101) AutoUpgrade.3600 Performing pre-upgrade validation tests.",
    "10/22/18 17:56:13 (898) AutoUpgrade.3600 SEVERE *** ERROR *** Aborting MID Server upgrade due to pre-upgrade check failure: Service snc_mid_kingston1 does not exist",
    "java.lang.IllegalStateException: Service snc_mid_kingston1 does not exist",
    "\tat com.service_now.mid.upgrade.PreUpgradeCheck.run(PreUpgradeCheck.java:88)",
    "10/22/18 17:56:14 (001) AutoUpgrade.3600 Setting mid status to Upgrade Failed",
];

fn run(bytes: &[u8]) -> (Vec<(String, u32)>, Option<Encoding>) {
    let a = analyze(
        Catalogue::builtin(),
        &[Input {
            name: "agent0.log.0",
            bytes,
            kind: None,
        }],
        &Context::default(),
    );
    let ev = a
        .findings
        .iter()
        .flat_map(|f| f.evidence.iter().map(move |e| (f.id.clone(), e.line)))
        .collect();
    (ev, a.files[0].encoding)
}

fn utf16(text: &str, le: bool) -> Vec<u8> {
    let bom: [u8; 2] = if le { [0xff, 0xfe] } else { [0xfe, 0xff] };
    bom.into_iter()
        .chain(
            text.encode_utf16()
                .flat_map(move |u| if le { u.to_le_bytes() } else { u.to_be_bytes() }),
        )
        .collect()
}

#[test]
fn every_encoding_and_line_ending_gives_the_same_evidence_lines() {
    let want = vec![
        ("service-not-found".to_string(), 2),
        ("service-not-found".to_string(), 3),
    ];
    for sep in ["\n", "\r\n", "\r"] {
        let text = LINES.join(sep) + sep;
        let cases: Vec<(Vec<u8>, Encoding)> = vec![
            (text.clone().into_bytes(), Encoding::Utf8),
            (
                [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat(),
                Encoding::Utf8Bom,
            ),
            (utf16(&text, true), Encoding::Utf16Le),
            (utf16(&text, false), Encoding::Utf16Be),
            (utf16(&text, true)[2..].to_vec(), Encoding::Utf16Le),
        ];
        for (bytes, encoding) in cases {
            let (ev, got) = run(&bytes);
            assert_eq!(got, Some(encoding), "separator {sep:?}");
            assert_eq!(ev, want, "{encoding:?} with separator {sep:?}");
        }
    }
}

#[test]
fn windows_1252_bytes_do_not_hide_a_finding() {
    let mut bytes =
        b"12/01/25 09:00:00 (000) StartupSequencer Caf\xe9 \x93d\xe9ploiement\x94\n".to_vec();
    bytes.extend_from_slice(b"12/01/25 09:00:01 (000) StartupSequencer WARNING *** WARNING *** Could not authenticate user 'm\xfcller' on the ServiceNow instance\n");
    let a = analyze(
        Catalogue::builtin(),
        &[Input {
            name: "agent0.log.0",
            bytes: &bytes,
            kind: None,
        }],
        &Context::default(),
    );
    assert_eq!(a.files[0].encoding, Some(Encoding::Utf8WithWindows1252));
    let f = &a.findings[0];
    assert_eq!((f.id.as_str(), f.evidence[0].line), ("auth-failed", 2));
    assert!(f.evidence[0].text.contains("'müller'"));
    assert_eq!(
        f.evidence[0].before[0].text,
        "12/01/25 09:00:00 (000) StartupSequencer Café “déploiement”"
    );
}

#[test]
fn binary_and_empty_inputs_are_refused_by_name_and_the_rest_is_analysed() {
    let good = LINES.join("\n");
    let inputs = [
        Input {
            name: "photo.log",
            bytes: b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            kind: None,
        },
        Input {
            name: "empty.log",
            bytes: b"",
            kind: None,
        },
        Input {
            name: "tool.exe",
            bytes: b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff",
            kind: None,
        },
        Input {
            name: "agent0.log.0",
            bytes: good.as_bytes(),
            kind: None,
        },
    ];
    let a = analyze(Catalogue::builtin(), &inputs, &Context::default());
    let errors: Vec<(ErrorKind, String)> = a
        .files
        .iter()
        .filter_map(|f| f.error.as_ref())
        .map(|e| (e.kind, e.to_string()))
        .collect();
    assert_eq!(errors.len(), 3);
    assert_eq!(errors[0].0, ErrorKind::Binary);
    assert!(errors[0].1.starts_with("photo.log: "));
    assert_eq!(
        errors[1],
        (ErrorKind::Empty, "empty.log: the file is empty".to_string())
    );
    assert!(errors[2].1.starts_with("tool.exe: not a text log"));
    assert_eq!(a.findings[0].id, "service-not-found");
    assert_eq!(a.findings[0].evidence[0].file, "agent0.log.0");
}

#[test]
fn evidence_carries_context_and_the_record_time() {
    let text = LINES.join("\n");
    let a = analyze(
        Catalogue::builtin(),
        &[Input {
            name: "a.log",
            bytes: text.as_bytes(),
            kind: None,
        }],
        &Context::default(),
    );
    let ev = &a.findings[0].evidence[0];
    assert_eq!(ev.timestamp.unwrap().to_string(), "2018-10-22 17:56:13.898");
    assert_eq!(ev.before.iter().map(|c| c.line).collect::<Vec<_>>(), [1]);
    assert_eq!(ev.after.iter().map(|c| c.line).collect::<Vec<_>>(), [3, 4]);
    let (s, e) = ev.highlights[0];
    assert_eq!(&ev.text[s..e], "Service snc_mid_kingston1 does not exist");
    // The continuation line belongs to the same record and carries its time.
    assert_eq!(a.findings[0].evidence[1].timestamp, ev.timestamp);
}

#[test]
fn analysis_is_deterministic() {
    let a = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/field-guide/fg30-kb0779852.log"
    ))
    .unwrap();
    let b = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/field-guide/fg43-kb0696133.log"
    ))
    .unwrap();
    let inputs = [
        Input {
            name: "a",
            bytes: &a,
            kind: None,
        },
        Input {
            name: "b",
            bytes: &b,
            kind: None,
        },
    ];
    let first = analyze(Catalogue::builtin(), &inputs, &Context::default());
    for _ in 0..3 {
        assert_eq!(
            analyze(Catalogue::builtin(), &inputs, &Context::default()),
            first
        );
    }
}
