//! Every version string in the field guide's section 3.1 samples (Upgrade History values, build
//! tags, buildstamps, package names and URLs) parses, and the documented pairs agree.

use std::cmp::Ordering;

use midtriage_engine::version::{find_versions, parse_package, Version};
use midtriage_engine::Relation;

const SAMPLES: &str = include_str!("../../../tests/fixtures/versions/field-guide-3.1.txt");

/// Tokens that look like a version: a lower-case family, a dash and an MM-DD-YYYY base date.
fn tokens() -> Vec<&'static str> {
    let re = regex::Regex::new(
        r"[A-Za-z_.\-]*[a-zA-Z_]+-[0-9]{2}-[0-9]{2}-[0-9]{4}[A-Za-z0-9_\-]*(?: ?\.[A-Za-z0-9_.\-]+)?",
    )
    .unwrap();
    re.find_iter(SAMPLES).map(|m| m.as_str()).collect()
}

#[test]
fn every_sample_version_parses() {
    let mut parsed = 0;
    for token in tokens() {
        let token = token.trim_start_matches(['/', '.']);
        let ok = Version::parse(token).is_ok() || parse_package(token).is_some();
        assert!(ok, "does not parse: {token}");
        parsed += 1;
    }
    assert!(parsed >= 35, "only {parsed} version strings found");
}

#[test]
fn build_tag_plus_build_date_is_the_mid_buildstamp() {
    // KB0697389: Build tag + "_" + Build date = MID buildstamp.
    let tag = Version::parse("glide-kingston-10-17-2017__patch6-hotfix5-07-28-2018").unwrap();
    let stamp =
        Version::parse("kingston-10-17-2017__patch6-hotfix5-07-28-2018_07-31-2018_0903").unwrap();
    assert_eq!(format!("{tag}_07-31-2018_0903"), stamp.to_string());
    assert_eq!(stamp.relation_to(&tag), Relation::Equal);
}

#[test]
fn the_newest_upgrade_history_value_is_found_by_base_date() {
    let found = find_versions(SAMPLES);
    assert!(found.len() >= 9, "{}", found.len());
    let newest = found.iter().max_by(|a, b| a.1.compare(&b.1)).unwrap();
    // The release-notes build tags include Yokohama, the newest family in the samples.
    assert_eq!(newest.1.label(), "Yokohama Patch 2 Hotfix 2");
    let oldest = found.iter().min_by(|a, b| a.1.compare(&b.1)).unwrap();
    assert_eq!(oldest.1.family, "RELEASE_FAMILY");
    assert_eq!(
        found
            .iter()
            .filter(|(_, v)| v.compare(&newest.1) == Ordering::Equal)
            .count(),
        1
    );
}

/// The version a log names is quoted with its line, whichever segment of the file holds it.
#[test]
fn a_version_is_quoted_with_its_line_in_any_segment() {
    use midtriage_engine::{Analyzer, Catalogue};
    let installed = "StartupSequencer   Installed: [mid-core.kingston-10-17-2017__patch0-11-06-2017_11-11-2017_1422.universal.universal.zip]\n";
    for before in [1, 3000] {
        let filler: String = (0..before)
            .map(|i| format!("11/20/25 10:00:00 ({i:03}) ECCSender.1 Sending ecc_queue.{i}.xml\n"))
            .collect();
        let mut a = Analyzer::new(Catalogue::builtin()).with_segment_size(4096);
        a.begin_file("pasted.txt", None);
        a.feed(format!("{filler}{installed}").as_bytes());
        let facts = a.finish();
        let seen = facts.versions.installed.expect("the version is found");
        assert_eq!(seen.line, Some(before as u32 + 1), "after {before} lines");
    }
}
