//! config.xml checks: what is reported, what is refused, and that no secret ever comes out.

use std::path::Path;

use midtriage_engine::config::{check, Secret};

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/field-guide")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

/// Every way a report can leave the engine, as text.
fn everything(report: &midtriage_engine::config::ConfigReport) -> String {
    format!("{report:?}\n{}", serde_json::to_string(report).unwrap())
}

#[test]
fn the_stock_template_is_read_without_its_commented_parameters() {
    let r = check("config.xml", &fixture("fg46-tkojames24.xml"));
    assert!(r.issues.is_empty(), "{:?}", r.issues);
    assert_eq!(
        r.url.as_deref(),
        Some("https://YOUR_INSTANCE.service-now.com/")
    );
    assert_eq!(
        (r.https, r.host.as_deref()),
        (Some(true), Some("your_instance.service-now.com"))
    );
    assert_eq!(r.username.as_deref(), Some("YOUR_INSTANCE_USER_NAME_HERE"));
    assert_eq!(r.password, Secret::Placeholder);
    // The proxy parameters are inside comments.
    assert_eq!(
        (r.use_proxy, &r.proxy, &r.upgrade_proxy),
        (false, &None, &None)
    );
    assert!(r.duplicates.is_empty());
}

#[test]
fn a_duplicate_user_and_password_pair_is_found_kb0726937() {
    let r = check("config.xml", &fixture("fg48-kb0726937.xml"));
    let dup = r.duplicate_credentials().expect("duplicate credentials");
    assert_eq!(dup.lines.len(), 2);
    let names: Vec<_> = r.duplicates.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["mid.instance.password", "mid.instance.username"]);
    // The last one wins, as the MID reads it: clear text marked encrypt="true".
    assert_eq!(r.password, Secret::ClearMarked);
    assert!(!everything(&r).contains("MyPassword"));
}

#[test]
fn proxies_pins_and_password_states_never_show_a_secret() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<parameters>
  <parameter name="url" value="http://acme.service-now.com"/>
  <parameter name="mid.instance.username" value="mid.user"/>
  <parameter name="mid.instance.password" secure="true" value="encrypted:pBMG7zSYCLkGD2fJ6oXEPg=="/>
  <parameter name="mid.proxy.use_proxy" value="true"/>
  <parameter name="mid.proxy.host" value="proxy.acme.local"/>
  <parameter name="mid.proxy.port" value="3128"/>
  <parameter name="mid.proxy.username" value="px"/>
  <parameter name="mid.proxy.password" value="Pr0xy&amp;S3cret" encrypt="true"/>
  <parameter name="glide.mid.autoupgrade.proxy_host" value="up.acme.local"/>
  <parameter name="glide.mid.autoupgrade.proxy_password" value="UpgradeS3cret"/>
  <parameter name="some.api.token" value="T0kenValue"/>
  <parameter name="custom.thing" secure="true" value="MarkedSecureValue"/>
  <parameter name="mid.pinned.version" value="washingtondc-12-20-2023__patch4-05-22-2024_05-28-2024_1651"/>
</parameters>"#;
    let r = check("config.xml", xml);
    assert!(r.issues.is_empty(), "{:?}", r.issues);
    assert_eq!(
        (r.https, r.host.as_deref()),
        (Some(false), Some("acme.service-now.com"))
    );
    assert_eq!(r.password, Secret::Encrypted);
    assert!(r.use_proxy);
    let p = r.proxy.as_ref().unwrap();
    assert_eq!(
        (p.host.as_deref(), p.port.as_deref(), p.user),
        (Some("proxy.acme.local"), Some("3128"), true)
    );
    assert_eq!(p.password, Secret::ClearMarked);
    let u = r.upgrade_proxy.as_ref().unwrap();
    assert_eq!(
        (u.host.as_deref(), u.password),
        (Some("up.acme.local"), Secret::Clear)
    );
    assert!(r
        .pinned_version
        .as_deref()
        .unwrap()
        .starts_with("washingtondc"));
    let all = everything(&r);
    for secret in [
        "pBMG7zSYCLkGD2fJ6oXEPg",
        "Pr0xy",
        "S3cret",
        "UpgradeS3cret",
        "T0kenValue",
        "MarkedSecureValue",
    ] {
        assert!(!all.contains(secret), "{secret} leaked: {all}");
    }
}

#[test]
fn dtds_entity_bombs_and_external_entities_are_never_expanded() {
    let laughs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/hostile/entity-bomb-config.xml"),
    )
    .unwrap();
    let r = check("config.xml", &laughs);
    assert!(r.issues[0].problem.contains("DTD"), "{:?}", r.issues);
    let entity = |p: &str| {
        r.issues
            .iter()
            .find(|i| i.parameter.as_deref() == Some(p))
            .unwrap()
    };
    assert!(entity("name").problem.contains("&lol9;"));
    assert!(entity("mid.instance.username").problem.contains("&xxe;"));
    // The password's entity is not even named: it is part of the secret.
    assert!(!entity("mid.instance.password").problem.contains("xxe"));
    assert_eq!(r.username, None);
    assert_eq!(r.host.as_deref(), Some("ok.service-now.com"));
    let all = everything(&r);
    assert!(!all.contains("lollol") && !all.contains("root:") && !all.contains("SecretTail"));
}

#[test]
fn malformed_xml_and_raw_specials_are_reported_with_their_line() {
    let r = check(
        "config.xml",
        "<parameters>\n<parameter name=\"mid.instance.password\" value=\"a&b<c\"/>\n<parameter name=\"x\" value=\"Tom & Jerry\"/>\n<parameter name=\"url\" value=\"https://a.service-now.com\"/>\n</parameters>",
    );
    let lines: Vec<_> = r
        .issues
        .iter()
        .map(|i| (i.line, i.parameter.as_deref()))
        .collect();
    assert!(
        lines.contains(&(2, Some("mid.instance.password"))),
        "{:?}",
        r.issues
    );
    assert!(lines.contains(&(3, Some("x"))), "{:?}", r.issues);
    assert!(r.issues.iter().any(|i| i.problem.contains("&amp;")));
    assert_eq!(r.host.as_deref(), Some("a.service-now.com"));
    assert!(!everything(&r).contains("a&b"));

    let broken = check("config.xml", "<parameters>\n<parameter name=\"url\" value=\"https://x.service-now.com\"/>\n<parameter name=\"y\" value=\"1\">\n</parameters>");
    let last = broken.issues.last().expect("an issue");
    assert!(
        last.problem.contains("not well-formed"),
        "{:?}",
        broken.issues
    );
    assert!(last.line >= 3, "{:?}", broken.issues);
    assert_eq!(broken.host.as_deref(), Some("x.service-now.com"));
}

#[test]
fn any_bytes_give_a_report_and_never_a_panic() {
    let mut seed = 7u64;
    let pieces = [
        "<parameters>",
        "<parameter name=\"",
        "url",
        "\" value=\"",
        "&amp;",
        "&",
        "<",
        ">",
        "\"/>",
        "<!DOCTYPE x [",
        "]>",
        "<!--",
        "-->",
        "\n",
        "é",
        "\u{0}",
    ];
    for _ in 0..3000 {
        let mut text = String::new();
        for _ in 0..(seed % 40) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
        }
        let _ = check("config.xml", &text);
    }
}

/// The whole analysis: a config.xml next to an agent log that shows the authentication failure.
#[test]
fn an_auth_failure_with_a_duplicate_pair_points_at_the_duplicate_and_hides_the_password() {
    use midtriage_engine::{analyze, render, Catalogue, Context, FileKind, Input};
    let config = fixture("fg48-kb0726937.xml");
    let log = "02/18/19 19:25:14 (298) StartupSequencer WARNING *** WARNING *** Could not authenticate user 'admin' on the ServiceNow instance\n";
    let inputs = [
        Input {
            name: "agent0.log.0",
            bytes: log.as_bytes(),
            kind: None,
        },
        Input {
            name: "config.xml",
            bytes: config.as_bytes(),
            kind: None,
        },
    ];
    let a = analyze(Catalogue::builtin(), &inputs, &Context::default());
    assert_eq!(a.files[1].kind, Some(FileKind::Config));
    assert_eq!(a.config.len(), 1);
    let step = a
        .next_steps
        .iter()
        .find(|s| s.contains("KB0726937"))
        .expect("a step about the duplicate");
    assert!(
        step.contains("`mid.instance.password` (lines 2 and 4)")
            && step.contains("`mid.instance.username` (lines 1 and 3)")
            && step.contains("authentication failure"),
        "{step}"
    );
    let outputs = [
        serde_json::to_string(&a).unwrap(),
        render::text(&a),
        render::markdown(&a),
        format!("{a:?}"),
    ];
    for out in outputs {
        assert!(!out.contains("MyPassword"), "{out}");
    }
}

#[test]
fn an_oversized_config_xml_is_not_read_whole() {
    use midtriage_engine::{analyze, Catalogue, Context, FileKind, Input};
    let mut big = String::from("<parameters>\n");
    while big.len() < (3 << 20) {
        big.push_str("<parameter name=\"x\" value=\"y\"/>\n");
    }
    let inputs = [Input {
        name: "config.xml",
        bytes: big.as_bytes(),
        kind: Some(FileKind::Config),
    }];
    let a = analyze(Catalogue::builtin(), &inputs, &Context::default());
    assert!(a.config[0].issues[0]
        .problem
        .contains("far larger than a config.xml"));
    assert_eq!(a.config[0].parameters, 0);
}

/// A config.xml streamed in segments larger than any config.xml is named with its whole size,
/// unchecked, and its lines are still counted.
#[test]
fn an_oversized_config_xml_streamed_in_segments_is_named_with_its_size() {
    use midtriage_engine::{Analyzer, Catalogue, FileKind};
    let line = "<parameter name=\"mid.instance.url\" value=\"https://x.service-now.com/\"/>\n";
    let text = format!("<config>\n{}</config>\n", line.repeat(40_000));
    let mut a = Analyzer::new(Catalogue::builtin()).with_segment_size(256 << 10);
    a.begin_file("config.xml", Some(FileKind::Config));
    for chunk in text.as_bytes().chunks(100 << 10) {
        a.feed(chunk);
    }
    let facts = a.finish();
    let report = &facts.config[0];
    let kb = text.len() >> 10;
    assert_eq!(
        report.issues[0].problem,
        format!("it is {kb} KB, far larger than a config.xml; it was not checked")
    );
    assert_eq!(facts.files[0].lines, 40_002);
    assert_eq!(facts.files[0].kind, Some(FileKind::Config));
}

/// A config.xml larger than the analyzer ever holds pending (so it arrives in several
/// segments, most of them past what is kept) is still named with its whole size.
#[test]
fn a_config_xml_in_many_segments_is_named_with_its_whole_size() {
    use midtriage_engine::{Analyzer, Catalogue, FileKind};
    let line = "<parameter name=\"mid.instance.url\" value=\"https://x.service-now.com/\"/>\n";
    let text = format!("<config>\n{}</config>\n", line.repeat(600_000));
    let mut a = Analyzer::new(Catalogue::builtin());
    a.begin_file("config.xml", Some(FileKind::Config));
    for chunk in text.as_bytes().chunks(1 << 20) {
        a.feed(chunk);
    }
    let facts = a.finish();
    let kb = text.len() >> 10;
    assert!(kb > 40 << 10, "{kb} KB");
    assert_eq!(
        facts.config[0].issues[0].problem,
        format!("it is {kb} KB, far larger than a config.xml; it was not checked")
    );
    assert_eq!(facts.files[0].lines, 600_002);
}

/// A pin in config.xml is a finding of its own (rules never read config.xml): an error when
/// the instance named runs another version, a warning when it is not known or is the pinned
/// one. The value is KB0722838's example.
#[test]
fn a_pinned_version_is_a_finding_with_its_line() {
    use midtriage_engine::{analyze, Catalogue, Context, Input, Severity};
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<parameters>\n  <parameter name=\"url\" value=\"https://acme.service-now.com/\"/>\n  <parameter name=\"mid.pinned.version\" value=\"london-06-27-2018__patch4-11-21-2018_12-04-2018_1527\"/>\n</parameters>\n";
    let run = |instance: Option<&str>| {
        let ctx = Context {
            instance_version: instance.map(str::to_string),
            ..Context::default()
        };
        let input = Input {
            name: "config.xml",
            bytes: xml.as_bytes(),
            kind: None,
        };
        analyze(Catalogue::builtin(), &[input], &ctx)
    };
    let a = run(Some(
        "glide-zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200.zip",
    ));
    let f = a
        .findings
        .iter()
        .find(|f| f.id == "version-pinned")
        .unwrap();
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(
        (f.evidence[0].file.as_str(), f.evidence[0].line),
        ("config.xml", 4)
    );
    assert_eq!(
        f.evidence[0].text,
        "mid.pinned.version = london-06-27-2018__patch4-11-21-2018_12-04-2018_1527"
    );
    assert!(f.resolution[0].starts_with("Delete the mid.pinned.version parameter"));
    let a = run(None);
    let f = a
        .findings
        .iter()
        .find(|f| f.id == "version-pinned")
        .unwrap();
    assert_eq!(f.severity, Severity::Warning);
    let a = run(Some("london-06-27-2018__patch4-11-21-2018_12-04-2018_1527"));
    assert_eq!(a.findings[0].severity, Severity::Warning);
    let unpinned = xml.replace("mid.pinned.version", "mid.other");
    let input = Input {
        name: "config.xml",
        bytes: unpinned.as_bytes(),
        kind: None,
    };
    let a = analyze(Catalogue::builtin(), &[input], &Context::default());
    assert!(a.findings.is_empty());
}
