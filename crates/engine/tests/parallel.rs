//! Inputs analysed apart (as the CLI's threads and the web app's workers do) and merged in
//! input order give exactly what one analyzer reading them all in that order gives, whatever
//! the grouping, segment size and chunk size, and after a trip through serde (the workers
//! send their part of the analysis as a message).

#[path = "common/archive.rs"]
mod archive;
#[path = "common/corpora.rs"]
mod corpora;
#[path = "common/synth.rs"]
mod synth;

use std::path::Path;

use midtriage_engine::{Analyzer, Catalogue, Facts, Intake, Merge, Partial};

/// Fragments pasted without time stamps: their order among the files is all that orders them.
/// The first names one installed version and starts an upgrade; the second names another and
/// starts a later attempt that is aborted.
const PASTED: [&str; 2] = [
    "StartupSequencer Current packages:\nStartupSequencer   Installed: [mid-core.kingston-10-17-2017__patch0-11-06-2017_11-11-2017_1422.universal.universal.zip]\nAutoUpgrade.3600 Performing pre-upgrade validation tests.\nAutoUpgrade.3600 Downloading from https://install.service-now.com/glide/distribution/x.zip\n",
    "StartupSequencer   Installed: [mid-core.newyork-06-26-2019__patch0-hotfix2-07-10-2019_07-16-2019_1636.universal.universal.zip]\nAutoUpgrade.3600 Performing pre-upgrade validation tests.\nAutoUpgrade.3600 SEVERE *** ERROR *** Aborting MID Server upgrade due to pre-upgrade check failure: Service snc_mid does not exist\n",
];

/// Every fixture file, two pasted fragments, then a storm repeated in three rotated logs (each
/// alone enough to fill a finding's evidence, so the files share its room), a gzip and a ZIP
/// of two logs.
fn inputs() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let name = path.strip_prefix(&root).unwrap().display().to_string();
                files.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files.extend(pasted());
    let storm = corpora::storm(200 << 10, 7).into_bytes();
    for n in [2, 1, 0] {
        files.push((format!("agent0.log.{n}"), storm.clone()));
    }
    let chatty = corpora::chatty(100 << 10, 3).into_bytes();
    files.push(("agent0.log.gz".into(), archive::gzip(&chatty)));
    let zipped = archive::zip(&[
        ("logs/agent0.log.0", &storm, true, false),
        ("logs/wrapper.log", &files[0].1, false, true),
    ]);
    files.push(("support-bundle.zip".into(), zipped));
    files
}

fn pasted() -> Vec<(String, Vec<u8>)> {
    let named = PASTED.iter().enumerate();
    named
        .map(|(i, text)| (format!("pasted-{i}.txt"), text.as_bytes().to_vec()))
        .collect()
}

fn feed(analyzer: &mut Analyzer, name: &str, bytes: &[u8], chunk: usize) {
    let mut intake = Intake::new(analyzer, name, None);
    for c in bytes.chunks(chunk) {
        intake.feed(c);
    }
    intake.finish();
}

/// One analyzer over every input.
fn together(inputs: &[(String, Vec<u8>)], segment: usize, chunk: usize) -> Facts {
    let mut analyzer = Analyzer::new(Catalogue::builtin()).with_segment_size(segment);
    for (name, bytes) in inputs {
        feed(&mut analyzer, name, bytes, chunk);
    }
    analyzer.finish()
}

/// The inputs in groups of `group`, each group analysed apart, sent through JSON, and merged.
fn apart(inputs: &[(String, Vec<u8>)], group: usize, segment: usize, chunk: usize) -> Facts {
    let mut merge = Merge::new(Catalogue::builtin());
    for part in inputs.chunks(group) {
        let mut analyzer = Analyzer::new(Catalogue::builtin()).with_segment_size(segment);
        for (name, bytes) in part {
            feed(&mut analyzer, name, bytes, chunk);
        }
        let json = serde_json::to_string(&analyzer.finish_partial()).unwrap();
        merge.add(serde_json::from_str::<Partial>(&json).unwrap());
    }
    merge.finish()
}

/// Checks that every grouping of `inputs` merges into what one analyzer finds; gives that.
fn check(inputs: &[(String, Vec<u8>)], segment: usize, chunk: usize) -> Facts {
    let want = together(inputs, segment, chunk);
    for group in [1, 2, 5] {
        assert!(
            apart(inputs, group, segment, chunk) == want,
            "groups of {group}, segments of {segment}, chunks of {chunk}"
        );
    }
    want
}

#[test]
fn inputs_analysed_apart_merge_into_the_analysis_of_them_together() {
    let inputs = inputs();
    for (segment, chunk) in [(4 << 20, 1 << 20), (4096, 777)] {
        let want = check(&inputs, segment, chunk);
        let shared = want
            .findings
            .iter()
            .find(|f| f.id == "instance-unreachable")
            .expect("the storm is found");
        let files: std::collections::BTreeSet<&str> =
            shared.evidence.iter().map(|e| e.file.as_str()).collect();
        assert!(files.len() >= 3, "evidence shared between files: {files:?}");
        assert!(
            want.files.len() > inputs.len(),
            "ZIP entries count as files"
        );
    }
}

/// Lines without a time are ordered by their file's place among the inputs, also when the
/// files were analysed apart.
#[test]
fn files_keep_their_place_among_the_inputs() {
    let want = check(&pasted(), 4 << 20, 1 << 20);
    let installed = want.versions.installed.as_ref().expect("a version");
    assert_eq!(
        installed.source, "pasted-1.txt",
        "the later file's line wins"
    );
    let last = want.phase.events.last().expect("phase events");
    assert_eq!(last.file, "pasted-1.txt", "{:?}", want.phase);
}
