//! Several files at once, as a MID Server keeps them (agent0.log.0 to .9, wrapper.log), given in
//! any order: evidence and the upgrade timeline are merged by time, still pointing at file:line.

use midtriage_engine::phase::{Outcome, Phase};
use midtriage_engine::{analyze, Catalogue, Context, Input};

/// agent0.log.N covers day 20 - N: .9 is the oldest.
fn rotated(n: u32) -> String {
    let day = 20 - n;
    let mut lines = vec![format!(
        "11/{day:02}/25 08:00:00 (000) ECCSender.1 Sending ecc_queue.a{n}.xml"
    )];
    if n == 5 || n == 2 {
        lines.push(format!("11/{day:02}/25 09:00:00 (000) StartupSequencer WARNING *** WARNING *** Could not authenticate user 'mid' on the ServiceNow instance"));
    }
    if n == 1 {
        lines.push(format!("11/{day:02}/25 23:50:00 (000) AutoUpgrade.3600 Performing pre-upgrade validation tests."));
        lines.push(format!("11/{day:02}/25 23:55:00 (000) AutoUpgrade.3600 Downloading from https://install.service-now.com/x.zip"));
    }
    if n == 0 {
        lines.push(format!("11/{day:02}/25 00:10:00 (000) AutoUpgrade.3600 Stopping MID server. Bootstrapping upgrade."));
    }
    lines.push(format!(
        "11/{day:02}/25 10:00:00 (000) ECCSender.1 Sending ecc_queue.b{n}.xml"
    ));
    lines.join("\n") + "\n"
}

#[test]
fn rotated_logs_in_any_order_are_merged_by_time() {
    let mut files: Vec<(String, String)> = (0..10)
        .map(|n| (format!("agent0.log.{n}"), rotated(n)))
        .collect();
    files.push((
        "wrapper.log".into(),
        "INFO   | jvm 1    | 2025/11/20 00:12:00.000 | INFO: E:\\agent\\lib\\x.dll cannot be deleted: E:\\agent\\lib\\x.dll (The process cannot access the file because it is being used by another process)\n".into(),
    ));
    // Given newest first and shuffled: order of input must not matter.
    let order = [3usize, 0, 10, 7, 1, 9, 5, 2, 8, 4, 6];
    let inputs: Vec<Input> = order
        .iter()
        .map(|&i| Input {
            name: &files[i].0,
            bytes: files[i].1.as_bytes(),
            kind: None,
        })
        .collect();
    let a = analyze(Catalogue::builtin(), &inputs, &Context::default());
    assert_eq!(a.files.len(), 11);
    let auth = a.findings.iter().find(|f| f.id == "auth-failed").unwrap();
    let seen: Vec<(&str, u32)> = auth
        .evidence
        .iter()
        .map(|e| (e.file.as_str(), e.line))
        .collect();
    assert_eq!(
        seen,
        [("agent0.log.5", 2), ("agent0.log.2", 2)],
        "oldest first, with file:line"
    );
    let timeline: Vec<(&str, Phase)> = a
        .phase
        .events
        .iter()
        .map(|e| (e.file.as_str(), e.phase))
        .collect();
    assert_eq!(
        timeline,
        [
            ("agent0.log.1", Phase::PreUpgradeValidation),
            ("agent0.log.1", Phase::Download),
            ("agent0.log.0", Phase::Bootstrap),
        ]
    );
    assert_eq!(a.phase.stopped_at, Some(Phase::Bootstrap));
    assert_eq!(a.phase.outcome, Outcome::Incomplete);
    assert!(a
        .findings
        .iter()
        .any(|f| f.id == "file-locked" && f.evidence[0].file == "wrapper.log"));
}

/// A failure repeated all through the first file does not crowd the other files out of the
/// evidence: every file keeps a share, and the match count is still exact.
#[test]
fn evidence_is_shared_between_files() {
    let line = "02/18/19 19:25:14 (298) StartupSequencer WARNING *** WARNING *** Could not authenticate user 'mid' on the ServiceNow instance\n";
    let files: Vec<(String, String)> = [
        ("agent0.log.2", 300),
        ("agent0.log.1", 150),
        ("agent0.log.0", 3),
    ]
    .iter()
    .map(|(name, n)| (name.to_string(), line.repeat(*n)))
    .collect();
    let inputs: Vec<Input> = files
        .iter()
        .map(|(name, text)| Input {
            name,
            bytes: text.as_bytes(),
            kind: None,
        })
        .collect();
    let a = analyze(Catalogue::builtin(), &inputs, &Context::default());
    let auth = a.findings.iter().find(|f| f.id == "auth-failed").unwrap();
    assert_eq!(auth.matches, 453);
    assert_eq!(auth.evidence.len(), 100);
    let count = |file: &str| auth.evidence.iter().filter(|e| e.file == file).count();
    assert_eq!(count("agent0.log.0"), 3, "the small file keeps every line");
    assert_eq!(count("agent0.log.2") + count("agent0.log.1"), 97);
    assert!(count("agent0.log.2").abs_diff(count("agent0.log.1")) <= 1);
    // Each file keeps its first lines.
    let lines: Vec<u32> = auth
        .evidence
        .iter()
        .filter(|e| e.file == "agent0.log.1")
        .map(|e| e.line)
        .collect();
    assert_eq!(lines, (1..=lines.len() as u32).collect::<Vec<_>>());
}
