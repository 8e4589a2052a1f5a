//! Streaming gives exactly the analysis of the one-call form, whatever the chunk and segment
//! sizes: chunk boundaries inside records, inside UTF-16 code units and inside CRLF pairs.

#[path = "common/synth.rs"]
mod synth;
#[path = "common/whole.rs"]
mod whole;

use midtriage_engine::{Analysis, Analyzer, Catalogue, Context};
use whole::whole;

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut out = Vec::new();
    for dir in ["field-guide", "healthy-upgrade", ""] {
        for e in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            if e.file_type().unwrap().is_file() && e.file_name() != "expected.toml" {
                out.push((
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

fn streamed(files: &[(String, Vec<u8>)], chunk: usize, segment: usize) -> Analysis {
    let mut a = Analyzer::new(Catalogue::builtin()).with_segment_size(segment);
    for (name, bytes) in files {
        a.begin_file(name, None);
        for c in bytes.chunks(chunk.max(1)) {
            a.feed(c);
        }
        a.end_file();
    }
    midtriage_engine::conclude(a.finish(), &Context::default())
}

#[test]
fn every_fixture_streams_to_the_same_analysis() {
    let files = fixtures();
    let want = whole(&files);
    assert!(want.findings.len() >= 15);
    // The errors no rule explains are compared too.
    assert!(!want.unrecognised.is_empty());
    for (chunk, segment) in [
        (1, 64),
        (3, 200),
        (7, 1),
        (64, 4096),
        (1000, 100_000),
        (usize::MAX, 1),
    ] {
        assert_eq!(
            streamed(&files, chunk, segment),
            want,
            "chunk {chunk}, segment {segment}"
        );
    }
}

#[test]
fn boundaries_inside_records_utf16_units_and_crlf_pairs() {
    let text = "02/06/19 19:30:12 (059) StartupSequencer SEVERE *** ERROR *** test failure\r\n\
java.lang.IllegalStateException: Unable to connect to instance.\r\n\
at com.service_now.mid.services.StartupSequencer.runTests(StartupSequencer.java:328)\r\n\
INFO | jvm 1 | 2018/04/27 17:12:11.951 | Apr 27, 2018 5:12:11 PM com.snc.dist.mid_upgrade.UpgradeMain main\r\n\
INFO | jvm 1 | 2018/04/27 17:12:19.232 | SEVERE: com.snc.dist.mid_upgrade.UpgradeException: java.io.FileNotFoundException: D:\\ServiceNow\\agent\\bin\\mid.bat (Access is denied)\r\n\
INFO | jvm 1 | 2018/04/27 17:12:19.240 | \tat com.snc.dist.mid_upgrade.UpgradeMain.run(UpgradeMain.java:10)\r\n"
        .repeat(40);
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    for bytes in [text.clone().into_bytes(), utf16] {
        let files = vec![("mixed.log".to_string(), bytes)];
        let want = whole(&files);
        assert_eq!(want.files[0].lines, 240);
        assert_eq!(
            want.findings
                .iter()
                .map(|f| f.id.as_str())
                .collect::<Vec<_>>(),
            ["instance-unreachable", "app-experience-disabled"]
        );
        for chunk in [1, 2, 3, 5, 77, 1023] {
            for segment in [1, 100, 999] {
                assert_eq!(
                    streamed(&files, chunk, segment),
                    want,
                    "chunk {chunk}, segment {segment}"
                );
            }
        }
    }
}

#[test]
fn a_large_log_streams_identically_in_bounded_memory() {
    let log = synth::agent_log(12 << 20, 7);
    let files = vec![("agent0.log.0".to_string(), log.clone())];
    let want = whole(&files);
    assert!(!want.findings.is_empty());
    let segment = 1 << 20;
    let chunk = 256 << 10;
    let mut a = Analyzer::new(Catalogue::builtin()).with_segment_size(segment);
    a.begin_file("agent0.log.0", None);
    let mut most = 0;
    for c in log.chunks(chunk) {
        a.feed(c);
        most = most.max(a.buffered());
    }
    // Text is held until a segment's worth is pending, and never much more.
    assert!(
        (segment / 2..2 * segment + chunk).contains(&most),
        "held {most} bytes"
    );
    // Record-scope causes are known before the file ends, most severe first.
    let so_far: Vec<(String, midtriage_engine::rules::Severity)> = a
        .findings_so_far()
        .into_iter()
        .map(|(id, _, severity)| (id.to_string(), severity))
        .collect();
    assert!(!so_far.is_empty());
    assert!(so_far.windows(2).all(|w| w[0].1 >= w[1].1), "{so_far:?}");
    a.end_file();
    // Once the file ends, its file-scope causes are known too: every cause it shows.
    let mut after: Vec<&str> = a.findings_so_far().into_iter().map(|(id, ..)| id).collect();
    after.sort_unstable();
    let mut found: Vec<&str> = want.findings.iter().map(|f| f.id.as_str()).collect();
    found.sort_unstable();
    assert_eq!(after, found);
    let got = midtriage_engine::conclude(a.finish(), &Context::default());
    for (id, _) in &so_far {
        assert!(got.findings.iter().any(|f| &f.id == id), "{id}");
    }
    assert_eq!(got, want);
}

/// An empty file, even one whose kind the user gave, is reported as empty, with no kind, no
/// encoding and no lines.
#[test]
fn an_empty_file_shows_no_kind() {
    let mut a = Analyzer::new(Catalogue::builtin());
    a.begin_file("agent0.log", Some(midtriage_engine::FileKind::Agent));
    a.feed(b"");
    let facts = a.finish();
    let file = &facts.files[0];
    assert_eq!((file.kind, file.encoding, file.lines), (None, None, 0));
    let error = file.error.as_ref().expect("an empty file is a problem");
    assert_eq!(error.kind, midtriage_engine::ErrorKind::Empty);
}

/// A file's kind is decided from its first lines, as many as detection looks at, even when
/// they arrive in tiny chunks and segments: a log that opens with many lines of the agent
/// log's layout but has more of the upgrade service's within those lines is the upgrade
/// service's, wherever the first segment ends.
#[test]
fn the_kind_is_detected_from_the_first_lines_whatever_the_segment_size() {
    // 60 agent lines, then upgrade-service lines: 60 of the first 200 lines are the agent's.
    // Each line is about 100 bytes, so the decoder's first release (8 KiB) holds agent lines
    // mostly and a segment cut there would look like an agent log.
    let mut text = String::new();
    for i in 0..60 {
        text.push_str(&format!(
            "11/20/25 10:00:{:02} ({i:03}) StartupSequencer Loading the MID Server's components, step {i:05}\n",
            i % 60
        ));
    }
    for i in 0..400 {
        text.push_str(&format!(
            "INFO   | jvm 1    | 2025/11/20 10:01:{:02}.000 | INFO: upgrade service polling, pass {i:05}\n",
            i % 60
        ));
    }
    let kind = |segment: usize, chunk: usize| {
        let mut a = Analyzer::new(Catalogue::builtin()).with_segment_size(segment);
        a.begin_file("console.txt", None);
        for c in text.as_bytes().chunks(chunk) {
            a.feed(c);
        }
        a.finish().files[0].kind
    };
    let whole = kind(4 << 20, 1 << 20);
    assert_eq!(whole, Some(midtriage_engine::FileKind::Upgrade));
    for (segment, chunk) in [(64, 16), (1, 1), (1000, 4096), (8192, 100)] {
        assert_eq!(
            kind(segment, chunk),
            whole,
            "segment {segment}, chunk {chunk}"
        );
    }
}

/// Once the kind is known, a small file is processed a segment at a time: the analyzer holds
/// about a segment and a chunk, not the whole file, however small the file.
#[test]
fn small_segments_keep_little_text_pending() {
    let line = "11/20/25 10:00:00 (000) ECCSender.1 Sending ecc_queue.42.xml to the instance\n";
    let text = line.repeat(2000);
    let (segment, chunk) = (4096, 1024);
    let mut a = Analyzer::new(Catalogue::builtin()).with_segment_size(segment);
    a.begin_file("agent0.log", None);
    let mut most = 0;
    for (i, c) in text.as_bytes().chunks(chunk).enumerate() {
        a.feed(c);
        // Detection waits for its first lines (or the decoder's first 8 KiB); from then on
        // at most a segment, a chunk and the line being cut are held.
        if i * chunk > 32 << 10 {
            most = most.max(a.buffered());
        }
    }
    assert!(
        most <= segment + chunk + line.len(),
        "held {most} bytes of {}",
        text.len()
    );
    assert_eq!(a.finish().files[0].lines, 2000);
}

/// Evidence shows the two lines before and after it, also when they arrive in other segments.
#[test]
fn evidence_context_comes_from_the_neighbouring_segments() {
    // Enough lines ahead of the failure that the decoder's first release (8 KiB) and kind
    // detection (200 lines) are behind it, so the segment size decides where cuts fall.
    let filler: String = (0..250)
        .map(|i| {
            format!(
                "11/20/25 09:59:00 ({:03}) ECCSender.1 Sending ecc_queue.{i:05}.xml\n",
                i % 1000
            )
        })
        .collect();
    let fail = "11/20/25 10:00:00 (000) AutoUpgrade.3600 SEVERE *** ERROR *** Aborting MID Server upgrade due to pre-upgrade check failure: Unable to download updates from install server\n";
    let after: Vec<String> = (1..=4)
        .map(|i| format!("11/20/25 10:00:0{i} (00{i}) ECCSender.1 Sending ecc_queue.{i}.xml\n"))
        .collect();
    let text = format!("{filler}{fail}{}", after.concat());
    let before: Vec<&str> = filler.lines().skip(248).collect();
    // Cut before, between and after the lines around it.
    for segment in [1, 64, 1 << 20].into_iter().chain((150..700).step_by(10)) {
        for chunk in [50, 211] {
            let mut a = Analyzer::new(Catalogue::builtin()).with_segment_size(segment);
            a.begin_file("agent0.log", None);
            for c in text.as_bytes().chunks(chunk) {
                a.feed(c);
            }
            let facts = a.finish();
            let ev = &facts.findings[0].evidence[0];
            assert_eq!(ev.line, 251);
            let context = |c: &[midtriage_engine::finding::ContextLine]| -> Vec<(u32, String)> {
                c.iter().map(|c| (c.line, c.text.clone())).collect()
            };
            assert_eq!(
                context(&ev.before),
                [(249, before[0].to_string()), (250, before[1].to_string())],
                "segments of {segment}, chunks of {chunk}"
            );
            assert_eq!(
                context(&ev.after),
                [
                    (252, after[0].trim_end().to_string()),
                    (253, after[1].trim_end().to_string())
                ],
                "segments of {segment}, chunks of {chunk}"
            );
        }
    }
}
