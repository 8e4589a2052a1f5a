//! A rule whose patterns may be found in different files (`scope = "any-file"`): it fires only
//! when every file together holds what it asks, a `none` pattern anywhere vetoes it, its
//! evidence shows each pattern (in input order, up to each pattern's share of the cap), and
//! inputs analysed apart merge into the same finding.

use midtriage_engine::{Analyzer, Catalogue, Facts, Intake, Merge};

/// The agent log says the download failed; wrapper.log says why (the proxy wants a login).
const RULES: &str = r#"
[[rule]]
id = "proxy-login-blocks-download"
title = "The proxy refused the upgrade download"
severity = "error"
kb = "KB0596459"
step = 4
summary = "s"
resolution = ["r"]
[[rule.when]]
scope = "any-file"
all = ["Unable to download updates from", "407 Proxy Authentication Required"]
none = ["proxy bypass is on"]
[rule.samples]
fire = ["Unable to download updates from x\n407 Proxy Authentication Required"]
quiet = ["Unable to download updates from x"]
"#;

const AGENT: &str = "11/20/25 10:00:00 (000) AutoUpgrade.3600 SEVERE *** ERROR *** Aborting MID Server upgrade due to pre-upgrade check failure: Unable to download updates from install server\n";
const WRAPPER: &str =
    "INFO   | jvm 1    | 2025/11/20 10:00:01.000 | HTTP/1.1 407 Proxy Authentication Required\n";
const ID: &str = "proxy-login-blocks-download";

fn analyse(files: &[(&str, String)]) -> Facts {
    let extra = Catalogue::with_extra(&[("site.toml", RULES)]);
    assert!(extra.rejected().is_empty(), "{:?}", extra.rejected());
    let catalogue = extra.catalogue.expect("the rules load");
    let mut together = Analyzer::new(&catalogue);
    let mut merge = Merge::new(&catalogue);
    for (name, text) in files {
        let mut intake = Intake::new(&mut together, name, None);
        intake.feed(text.as_bytes());
        intake.finish();
        let mut apart = Analyzer::new(&catalogue);
        let mut intake = Intake::new(&mut apart, name, None);
        intake.feed(text.as_bytes());
        intake.finish();
        merge.add(apart.finish_partial());
    }
    let facts = together.finish();
    assert!(merge.finish() == facts, "analysed apart, merged: the same");
    facts
}

/// (file, line) of each evidence line of the rule's finding, if it fired.
fn evidence(facts: &Facts) -> Option<Vec<(String, u32)>> {
    let f = facts.findings.iter().find(|f| f.id == ID)?;
    Some(
        f.evidence
            .iter()
            .map(|e| (e.file.clone(), e.line))
            .collect(),
    )
}

#[test]
fn patterns_in_different_files_fire_together() {
    let files = [
        ("agent0.log.0", AGENT.repeat(2)),
        ("wrapper.log", WRAPPER.to_string()),
    ];
    let facts = analyse(&files);
    assert_eq!(
        evidence(&facts).expect("fires"),
        [
            ("agent0.log.0".to_string(), 1),
            ("agent0.log.0".to_string(), 2),
            ("wrapper.log".to_string(), 1)
        ]
    );
    let f = facts.findings.iter().find(|f| f.id == ID).unwrap();
    assert_eq!(f.matches, 3);
    // Either file alone is not enough.
    assert_eq!(evidence(&analyse(&files[..1])), None);
    assert_eq!(evidence(&analyse(&files[1..])), None);
}

#[test]
fn a_none_pattern_in_any_file_vetoes() {
    let files = [
        ("agent0.log.0", AGENT.to_string()),
        ("wrapper.log", WRAPPER.to_string()),
        (
            "notes.txt",
            "The site says proxy bypass is on for the MID.\n".to_string(),
        ),
    ];
    assert_eq!(evidence(&analyse(&files)), None);
    assert!(evidence(&analyse(&files[..2])).is_some());
}

#[test]
fn a_storm_of_one_pattern_leaves_room_for_the_other() {
    let files = [
        ("agent0.log.1", AGENT.repeat(70)),
        ("agent0.log.0", AGENT.repeat(70)),
        ("wrapper.log", WRAPPER.to_string()),
    ];
    let facts = analyse(&files);
    let seen = evidence(&facts).expect("fires");
    // Two positive patterns: each keeps up to half the cap, the first in input order.
    let share = midtriage_engine::finding::MAX_EVIDENCE / 2;
    let from = |name: &str| seen.iter().filter(|(f, _)| f == name).count();
    assert_eq!(from("agent0.log.1"), share.min(70));
    assert_eq!(from("agent0.log.0"), share.saturating_sub(70));
    assert_eq!(
        from("wrapper.log"),
        1,
        "the line that completes the proof is shown"
    );
}
