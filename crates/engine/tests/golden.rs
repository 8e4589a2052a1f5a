//! Golden tests: every fixture under tests/fixtures yields exactly the finding ids that
//! tests/fixtures/expected.toml lists for it (reviewed by hand), and no fixture is left unlisted.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use midtriage_engine::{analyze, Catalogue, Context, FileKind, Input, Severity};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn table() -> Vec<toml::Value> {
    let text = std::fs::read_to_string(fixtures().join("expected.toml")).unwrap();
    let doc: toml::Table = text.parse().unwrap();
    doc["fixture"].as_array().unwrap().clone()
}

#[test]
fn every_fixture_yields_the_reviewed_ids() {
    let mut failures = Vec::new();
    for entry in table() {
        let file = entry["file"].as_str().unwrap();
        let bytes = std::fs::read(fixtures().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let a = analyze(
            Catalogue::builtin(),
            &[Input {
                name: file,
                bytes: &bytes,
                kind: None,
            }],
            &Context::default(),
        );
        let got: BTreeSet<&str> = a.findings.iter().map(|f| f.id.as_str()).collect();
        let want: BTreeSet<&str> = entry["expect"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        if got != want {
            failures.push(format!("{file}: expected {want:?}, got {got:?}"));
        }
        if let Some(kind) = entry.get("kind").and_then(|k| k.as_str()) {
            let detected = a.files[0].kind.unwrap();
            if detected != kind.parse::<FileKind>().unwrap() {
                failures.push(format!("{file}: expected kind {kind}, detected {detected}"));
            }
        }
        let json = serde_json::to_value(&a).unwrap();
        for (key, path) in [
            ("outcome", "/phase/outcome"),
            ("stopped_at", "/phase/stopped_at"),
            ("relation", "/versions/comparison/relation"),
        ] {
            if let Some(want) = entry.get(key).and_then(|v| v.as_str()) {
                let got = json
                    .pointer(path)
                    .and_then(|v| v.as_str())
                    .unwrap_or("none");
                if got != want {
                    failures.push(format!("{file}: expected {key} {want}, got {got}"));
                }
            }
        }
        for f in &a.findings {
            if f.evidence.is_empty() {
                failures.push(format!("{file}: finding {} has no evidence", f.id));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn no_fixture_is_left_out_of_the_table() {
    let listed: BTreeSet<String> = table()
        .iter()
        .map(|e| e["file"].as_str().unwrap().to_string())
        .collect();
    let mut on_disk = BTreeSet::new();
    for dir in ["", "field-guide", "healthy-upgrade", "hostile", "public"] {
        for entry in std::fs::read_dir(fixtures().join(dir)).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            if entry.file_type().unwrap().is_file() && name != "expected.toml" {
                on_disk.insert(if dir.is_empty() {
                    name
                } else {
                    format!("{dir}/{name}")
                });
            }
        }
    }
    assert_eq!(listed, on_disk);
}

#[test]
fn the_healthy_upgrade_has_no_error_and_completes_across_both_files() {
    let dir = fixtures().join("healthy-upgrade");
    let agent = std::fs::read(dir.join("agent0.log.0")).unwrap();
    let wrapper = std::fs::read(dir.join("wrapper.log")).unwrap();
    let inputs = [
        Input {
            name: "wrapper.log",
            bytes: &wrapper,
            kind: None,
        },
        Input {
            name: "agent0.log.0",
            bytes: &agent,
            kind: None,
        },
    ];
    let ctx = Context {
        instance_version: Some(
            "glide-zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200.zip".into(),
        ),
        ..Context::default()
    };
    let a = analyze(Catalogue::builtin(), &inputs, &ctx);
    assert!(
        a.findings.iter().all(|f| f.severity < Severity::Error),
        "{:?}",
        a.findings
    );
    assert_eq!(
        a.files.iter().map(|f| f.kind.unwrap()).collect::<Vec<_>>(),
        [FileKind::Wrapper, FileKind::Agent]
    );
    let phases: Vec<String> = a
        .phase
        .events
        .iter()
        .map(|e| format!("{:?}", e.phase))
        .collect();
    assert_eq!(
        phases.first().map(String::as_str),
        Some("Check"),
        "{phases:?}"
    );
    assert_eq!(
        phases.last().map(String::as_str),
        Some("Restart"),
        "{phases:?}"
    );
    // Time order interleaves the two files: the upgrade service runs between the agent's hand-off and its restart.
    let files: Vec<&str> = a.phase.events.iter().map(|e| e.file.as_str()).collect();
    let first_wrapper = files.iter().position(|f| *f == "wrapper.log").unwrap();
    assert!(files[first_wrapper..].contains(&"agent0.log.0"));
    let cmp = a.versions.comparison.as_ref().unwrap();
    assert_eq!(format!("{:?}", cmp.relation), "Equal");
    assert_eq!(
        a.versions.installed.as_ref().unwrap().label,
        "Zurich Patch 4"
    );
}
