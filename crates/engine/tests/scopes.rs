//! Rules whose patterns are on different lines. A rule whose patterns may be found in different
//! files (`scope = "any-file"`) fires only when every file together holds what it asks; a
//! `none` pattern anywhere vetoes it; it needs `min_count` evidence lines in all; its evidence
//! shows each pattern (in input order, up to each positive pattern's share of the cap); and
//! inputs analysed apart merge into the same finding. A file-scope rule with `within = N` fires
//! only on patterns at most N lines apart, wherever the file's segments are cut.

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
    analyse_with(RULES, files, 4 << 20)
}

/// `files` analysed with the built-in rules and `rules`, in segments of `segment` bytes, by
/// one analyzer and apart (then merged); checks both agree and gives the result.
fn analyse_with(rules: &str, files: &[(&str, String)], segment: usize) -> Facts {
    let extra = Catalogue::with_extra(&[("site.toml", rules)]);
    assert!(extra.rejected().is_empty(), "{:?}", extra.rejected());
    let catalogue = extra.catalogue.clone().expect("the rules load");
    let mut together = Analyzer::new(&catalogue).with_segment_size(segment);
    together.rules_files(extra.files(), extra.problems());
    let mut merge = Merge::new(&catalogue);
    merge.rules_files(extra.files(), extra.problems());
    for (name, text) in files {
        let mut intake = Intake::new(&mut together, name, None);
        intake.feed(text.as_bytes());
        intake.finish();
        let mut apart = Analyzer::new(&catalogue).with_segment_size(segment);
        let mut intake = Intake::new(&mut apart, name, None);
        intake.feed(text.as_bytes());
        intake.finish();
        merge.add(apart.finish_partial());
    }
    let facts = together.finish();
    assert_eq!(facts.rules_files.len(), 1, "the rules file is listed");
    assert!(merge.finish() == facts, "analysed apart, merged: the same");
    facts
}

/// A rules file with one rule, `ID`, whose one condition is `when` (TOML lines), and
/// `fire` as its sample that fires (lines joined by `\n`).
fn rule(when: &str, fire: &str) -> String {
    format!(
        "[[rule]]\nid = \"{ID}\"\ntitle = \"t\"\nseverity = \"error\"\nkb = \"KB0596459\"\n\
         step = 4\nsummary = \"s\"\nresolution = [\"r\"]\n[[rule.when]]\n{when}\n\
         [rule.samples]\nfire = [{fire:?}]\n"
    )
}

/// One line of each of the two patterns the tests' rules ask for.
const PAIR: &str = "alpha one\nbeta two";

/// Numbered lines `from..to` of filler, one line per record.
fn filler(from: usize, to: usize) -> String {
    (from..to).map(|i| format!("filler line {i}\n")).collect()
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

#[test]
fn any_file_evidence_must_reach_min_count() {
    let rules = rule(
        "scope = \"any-file\"\nmin_count = 2\nall = [\"alpha one\", \"beta two\"]",
        PAIR,
    );
    let files = |alphas: usize| {
        [
            ("a.txt", "alpha one\n".repeat(alphas)),
            ("b.txt", "beta two\n".to_string()),
        ]
    };
    assert_eq!(evidence(&analyse_with(&rules, &files(0), 1 << 20)), None);
    // One line of each: two in all, which is enough.
    let two = analyse_with(&rules, &files(1), 1 << 20);
    assert_eq!(
        evidence(&two).expect("fires"),
        [("a.txt".to_string(), 1), ("b.txt".to_string(), 1)]
    );
    let once = rule(
        "scope = \"any-file\"\nall = [\"alpha one\", \"beta two\"]",
        PAIR,
    );
    assert_eq!(
        evidence(&analyse_with(&once, &files(1), 1 << 20)).map(|e| e.len()),
        Some(2)
    );
    let three = rule(
        "scope = \"any-file\"\nmin_count = 3\nall = [\"alpha one\", \"beta two\"]",
        "alpha one\nalpha one\nbeta two",
    );
    assert_eq!(evidence(&analyse_with(&three, &files(1), 1 << 20)), None);
    assert!(evidence(&analyse_with(&three, &files(2), 1 << 20)).is_some());
}

#[test]
fn any_patterns_take_their_share_of_the_evidence_too() {
    // Four positive patterns (two in `all`, two in `any`): each keeps a quarter of the cap.
    let rules = rule(
        "scope = \"any-file\"\nall = [\"alpha one\", \"beta two\"]\nany = [\"gamma three\", \"delta four\"]",
        "alpha one\nbeta two\ngamma three",
    );
    let files = [
        ("a.txt", "alpha one\n".repeat(70)),
        ("b.txt", "beta two\ngamma three\n".to_string()),
    ];
    let seen = evidence(&analyse_with(&rules, &files, 1 << 20)).expect("fires");
    let share = midtriage_engine::finding::MAX_EVIDENCE / 4;
    assert_eq!(seen.iter().filter(|(f, _)| f == "a.txt").count(), share);
    assert_eq!(
        seen.iter()
            .filter(|(f, _)| f == "b.txt")
            .collect::<Vec<_>>(),
        [&("b.txt".to_string(), 1), &("b.txt".to_string(), 2)]
    );
}

#[test]
fn a_window_counts_lines_in_every_segment() {
    let rules = rule(
        "scope = \"file\"\nwithin = 2\nall = [\"alpha one\", \"beta two\"]",
        PAIR,
    );
    // Small segments: the pairs land in the first segment and in later ones.
    for (before, segment) in [(0, 1 << 20), (0, 256), (400, 256), (400, 1 << 20)] {
        let at = |gap: usize| {
            let mut text = filler(0, before);
            text.push_str("alpha one\n");
            text.push_str(&filler(0, gap - 1));
            text.push_str("beta two\n");
            text.push_str(&filler(0, 40));
            [("agent.txt", text)]
        };
        let near = analyse_with(&rules, &at(2), segment);
        assert_eq!(
            evidence(&near).expect("two lines apart: fires"),
            [
                ("agent.txt".to_string(), before as u32 + 1),
                ("agent.txt".to_string(), before as u32 + 3)
            ],
            "{before} lines before, segments of {segment}"
        );
        let far = analyse_with(&rules, &at(20), segment);
        assert_eq!(
            evidence(&far),
            None,
            "twenty lines apart: {before} lines before, segments of {segment}"
        );
    }
}
