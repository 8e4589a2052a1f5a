//! The `midtriage` binary as users and scripts call it.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn midtriage(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_midtriage"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

#[test]
fn json_output_has_the_documented_shape() {
    let f = fixture("field-guide/fg36-kb0565184.log");
    let out = midtriage(
        &[
            "analyze",
            "--format",
            "json",
            "--status",
            "upgrade-failed",
            &f,
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    let finding = &v["findings"][0];
    assert_eq!(finding["id"], "download-failed");
    assert_eq!(finding["severity"], "error");
    assert!(finding["title"].as_str().unwrap().contains("download"));
    let ev = &finding["evidence"][0];
    assert!(ev["file"].as_str().unwrap().ends_with("fg36-kb0565184.log"));
    assert!(ev["line"].as_u64().unwrap() >= 1);
    assert!(ev.get("timestamp").is_some() && ev["text"].is_string());
    assert!(finding["resolution"].as_array().unwrap().len() >= 2);
    assert_eq!(finding["links"][0], "KB0597538");
    assert_eq!(finding["reinstall"], false);
    assert_eq!(v["phase"]["outcome"], "failed");
    assert_eq!(v["phase"]["stopped_at"], "download");
    assert!(v["versions"].is_object());
}

/// The timeline in each format: the JSON's `timeline: {events, span, buckets}`, the text's
/// short timeline, the Markdown's table.
#[test]
fn every_format_carries_the_timeline() {
    let agent = fixture("healthy-upgrade/agent0.log.0");
    let wrapper = fixture("healthy-upgrade/wrapper.log");
    let out = midtriage(&["analyze", "--format", "json", &agent, &wrapper], None);
    let v = json(&out);
    let tl = &v["timeline"];
    let events = tl["events"].as_array().unwrap();
    assert!(events.len() >= 10);
    for e in events {
        for key in [
            "time", "at", "file", "line", "lane", "kind", "label", "severity",
        ] {
            assert!(e.get(key).is_some(), "{key} in {e}");
        }
    }
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for kind in [
        "phase-reached",
        "phase-done",
        "wrapper-started",
        "jvm-launched",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    assert_eq!(tl["span"]["first"], "2025-11-25 02:00:00.101 -0500");
    assert_eq!(tl["buckets"]["width"], 60);
    assert_eq!(tl["lanes"].as_array().unwrap().len(), 2);
    let out = midtriage(&["analyze", &agent, &wrapper], None);
    let t = text(&out.stdout);
    assert!(
        t.contains("\nTimeline:\n  The logs cover 2025-11-25 02:00:00.101 -0500"),
        "{t}"
    );
    assert!(t.contains("wrapper launched a JVM"), "{t}");
    let out = midtriage(&["analyze", "--format", "markdown", &agent, &wrapper], None);
    let md = text(&out.stdout);
    assert!(
        md.contains("## Timeline") && md.contains("| Time | Where | Event |"),
        "{md}"
    );
}

#[test]
fn instance_version_is_compared_with_the_log() {
    let f = fixture("field-guide/fg39-kb0565184.log");
    let out = midtriage(
        &[
            "analyze",
            "--format",
            "json",
            "--instance-version",
            "glide-newyork-06-26-2019__patch0-hotfix2-07-10-2019_07-16-2019_1636.zip",
            &f,
        ],
        None,
    );
    let v = json(&out);
    assert_eq!(v["versions"]["comparison"]["relation"], "behind");
    assert_eq!(v["versions"]["comparison"]["target_source"], "instance");
    assert_eq!(v["versions"]["installed"]["label"], "Kingston Patch 0");
}

#[test]
fn unreadable_and_binary_files_are_reported_and_the_rest_analysed() {
    let dir = std::env::temp_dir().join(format!("midtriage-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("screenshot.log");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let missing = dir.join("nope.log");
    let good = fixture("field-guide/fg08-kb0726937.log");
    let out = midtriage(
        &[
            "analyze",
            png.to_str().unwrap(),
            missing.to_str().unwrap(),
            &good,
        ],
        None,
    );
    assert!(out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("screenshot.log: not a text log: the file holds a PNG image"),
        "{err}"
    );
    assert!(err.contains("nope.log: cannot read"), "{err}");
    assert!(
        text(&out.stdout).contains("(auth-failed)"),
        "{}",
        text(&out.stdout)
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn stdin_is_read_with_dash() {
    let log = b"AutoUpgrade.3600 SEVERE *** ERROR *** Aborting MID Server upgrade due to pre-upgrade check failure: Service snc_mid_kingston1 does not exist\n";
    let out = midtriage(&["analyze", "--format", "json", "-"], Some(log));
    let v = json(&out);
    assert_eq!(v["findings"][0]["id"], "service-not-found");
    assert_eq!(v["findings"][0]["evidence"][0]["file"], "<stdin>");
    assert_eq!(v["files"][0]["kind"], "agent");
}

#[test]
fn markdown_report_has_findings_evidence_and_links() {
    let out = midtriage(
        &[
            "analyze",
            "--format",
            "markdown",
            &fixture("field-guide/fg41-kb0690910.log"),
        ],
        None,
    );
    let md = text(&out.stdout);
    assert!(md.starts_with("# midtriage report"));
    assert!(md.contains("`upgrade-script-not-executable`"));
    assert!(md.contains("```text\n"));
    assert!(md.contains("sysparm_article=KB0690910"));
}

#[test]
fn bad_usage_exits_2_with_one_line() {
    for args in [
        &["analyze"][..],
        &["analyze", "--format", "xml", "x"],
        &["explode"],
        &["analyze", "--status", "sideways", "x"],
    ] {
        let out = midtriage(args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            text(&out.stderr).trim_end().lines().count(),
            1,
            "{}",
            text(&out.stderr)
        );
    }
}

#[test]
fn rules_lists_the_catalogue() {
    let out = midtriage(&["rules"], None);
    let listing = text(&out.stdout);
    assert_eq!(listing.lines().count(), 32);
    assert!(listing
        .lines()
        .any(|l| l.starts_with("app-experience-disabled") && l.contains("KB0596459")));
}

#[test]
fn check_rules_accepts_a_good_file_and_names_problems_in_a_bad_one() {
    let dir = std::env::temp_dir().join(format!("midtriage-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.toml");
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../engine/src/rules/host.toml"
    ))
    .unwrap();
    std::fs::write(&good, &src).unwrap();
    let out = midtriage(&["check-rules", good.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("5 rules valid"),
        "{}",
        text(&out.stdout)
    );

    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        src.replace(
            "id = \"out-of-memory\"",
            "id = \"out-of-memory\"\ncolour = \"red\"",
        ),
    )
    .unwrap();
    let out = midtriage(&["check-rules", bad.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("bad.toml: rule `out-of-memory`: field `colour`: unknown key"),
        "{err}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn config_xml_is_summarised_in_every_format_without_its_passwords() {
    let dir = std::env::temp_dir().join(format!("midtriage-cli-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.xml");
    std::fs::write(
        &config,
        r#"<parameters>
<parameter name="url" value="https://acme.service-now.com/"/>
<parameter name="mid.instance.username" value="svc_mid"/>
<parameter name="mid.instance.password" value="Cl3arTextPw"/>
<parameter name="mid.proxy.password" secure="true" value="encrypted:QUJDREVGRw=="/>
</parameters>"#,
    )
    .unwrap();
    let path = config.to_string_lossy().into_owned();
    for format in ["text", "json", "markdown"] {
        let out = midtriage(&["analyze", "--format", format, &path], None);
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(all.contains("acme.service-now.com"), "{format}: {all}");
        assert!(
            all.contains("svc_mid") || all.contains("svc\\_mid"),
            "{format}: {all}"
        );
        assert!(
            !all.contains("Cl3arTextPw") && !all.contains("QUJDREVGRw"),
            "{format}: {all}"
        );
    }
    let out = midtriage(&["analyze", "--format", "json", &path], None);
    let v = json(&out);
    assert_eq!(v["config"][0]["password"], "clear");
    assert_eq!(v["config"][0]["proxy"]["password"], "encrypted");
    std::fs::remove_dir_all(&dir).ok();
}

/// The round trip a user makes from an error no rule explains: analyse, draft a rule from the
/// listed example's line, check the draft, analyse again with it. The error is KB0639494's
/// start-up line inside an otherwise healthy upgrade's agent log.
#[test]
fn a_rule_drafted_from_an_unexplained_error_checks_and_fires_on_that_line() {
    let dir = std::env::temp_dir().join(format!("midtriage-draft-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let healthy = std::fs::read_to_string(fixture("healthy-upgrade/agent0.log.0")).unwrap();
    let foreign = std::fs::read_to_string(fixture("field-guide/fg12-kb0639494.log")).unwrap();
    let mut lines: Vec<&str> = healthy.lines().collect();
    lines.insert(10, foreign.trim_end());
    let log = dir.join("agent0.log.0");
    std::fs::write(&log, lines.join("\n") + "\n").unwrap();
    let log = log.to_str().unwrap();

    let before = json(&midtriage(&["analyze", "--format", "json", log], None));
    let top = &before["unrecognised"][0];
    assert_eq!(top["template"], "Problem creating JMX JMXMP connector");
    let line = top["examples"][0]["line"].as_u64().unwrap();
    assert_eq!(line, 11);

    let out = midtriage(
        &[
            "draft-rule",
            &format!("{log}:{line}"),
            "--id",
            "jmx-connector",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let draft = dir.join("draft.toml");
    std::fs::write(&draft, &out.stdout).unwrap();
    let draft = draft.to_str().unwrap();

    let out = midtriage(&["check-rules", draft], None);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("1 rules valid; 2 samples behave as declared"));

    let after = json(&midtriage(
        &["analyze", "--format", "json", "--rules", draft, log],
        None,
    ));
    let finding = after["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "jmx-connector")
        .expect("the drafted rule fires");
    assert_eq!(finding["evidence"][0]["line"], line);
    assert!(after["unrecognised"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["template"] != "Problem creating JMX JMXMP connector"));

    // Quiet on a healthy upgrade.
    let healthy = fixture("healthy-upgrade/agent0.log.0");
    let on_healthy = json(&midtriage(
        &["analyze", "--format", "json", "--rules", draft, &healthy],
        None,
    ));
    assert!(on_healthy["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["id"] != "jmx-connector"));

    // Bad requests: usage (2), or a clear message naming the file (1).
    let out = midtriage(&["draft-rule", log], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is not FILE:LINE"),
        "{}",
        text(&out.stderr)
    );
    let out = midtriage(&["draft-rule", &format!("{log}:999")], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("agent0.log.0: line 999 is not in the file, which has 28 lines"),
        "{}",
        text(&out.stderr)
    );
    let missing = dir.join("gone.log");
    let out = midtriage(&["draft-rule", &format!("{}:1", missing.display())], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("gone.log: cannot read"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}
