//! The built-in catalogue: exactly the ids the product promises, every rule's samples hold, and
//! every rule is complete enough to show a user.

use midtriage_engine::{check_samples, Catalogue};

const IDS: [&str; 32] = [
    "download-failed",
    "file-delete-failed",
    "auth-failed",
    "app-experience-disabled",
    "file-locked",
    "instance-unreachable",
    "certificate-check-failed",
    "keystore-out-of-sync",
    "upgrade-script-not-executable",
    "service-not-found",
    "insufficient-permissions",
    "disk-space-low",
    "signature-verification-failed",
    "jre-incompatible",
    "jvm-start-failed",
    "host-unsupported",
    "upgrade-loop",
    "out-of-memory",
    "wrapper-timeout",
    "upgrade-already-running",
    "host-shutdown",
    "upgrade-blocker-service",
    "upgrade-service-missing",
    "duplicate-mid-name",
    "ws-security-required",
    "config-decrypt-failed",
    "secure-config-provider-mismatch",
    "proxy-credentials-missing",
    "jmx-port-in-use",
    "proxy-5xx",
    "tls-algorithm-rejected",
    "certificate-policies-missing",
];

#[test]
fn the_catalogue_has_exactly_the_promised_ids() {
    let mut got: Vec<&str> = Catalogue::builtin()
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    got.sort_unstable();
    let mut want = IDS.to_vec();
    want.sort_unstable();
    assert_eq!(got, want);
}

#[test]
fn every_rule_sample_behaves_as_declared() {
    let errors = check_samples(Catalogue::builtin());
    let listed: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "{}", listed.join("\n"));
    for rule in &Catalogue::builtin().rules {
        assert!(
            !rule.samples.fire.is_empty(),
            "{} has no positive sample",
            rule.id
        );
        assert!(
            !rule.samples.quiet.is_empty(),
            "{} has no negative sample",
            rule.id
        );
    }
}

#[test]
fn kb0596459_rules_sit_in_its_step_four_and_cite_it() {
    for id in [
        "download-failed",
        "file-delete-failed",
        "auth-failed",
        "app-experience-disabled",
    ] {
        let r = Catalogue::builtin().rule(id).unwrap();
        assert_eq!((r.kb.as_str(), r.step), ("KB0596459", 4), "{id}");
        assert!(!r.links.is_empty() && r.resolution.len() >= 2, "{id}");
    }
    assert!(
        Catalogue::builtin()
            .rule("file-delete-failed")
            .unwrap()
            .reinstall
    );
}

#[test]
fn a_broken_sample_is_reported_by_rule_and_field() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/rules/kb0596459.toml"
    ))
    .unwrap();
    let broken = text.replace(
        "\"User is unable to authenticate\",\n  \"02/18/19",
        "\"Everything is fine\",\n  \"02/18/19",
    );
    assert_ne!(broken, text);
    let catalogue = Catalogue::from_files(&[("edited.toml", &broken)]).unwrap();
    let errors = check_samples(&catalogue);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].to_string(), "edited.toml: rule `auth-failed`: field `samples.fire`: sample 1 does not make the rule fire: Everything is fine");
}

/// A user's rules file with one rule; `when` is its condition, `fire` its firing sample.
fn user_rules(id: &str, when: &str, fire: &str) -> String {
    format!(
        "[[rule]]\nid = \"{id}\"\ntitle = \"t\"\nseverity = \"error\"\nkb = \"KB0596459\"\nstep = 4\n\
         summary = \"s\"\nresolution = [\"r\"]\n[[rule.when]]\n{when}\n[rule.samples]\nfire = [{fire:?}]\n\
         quiet = [\"nothing\"]\n"
    )
}

#[test]
fn user_rules_files_are_added_or_left_out_whole() {
    let good = user_rules("site-marker", "any = [\"site marker\"]", "x site marker");
    let clash = user_rules("auth-failed", "any = [\"y\"]", "y");
    let lying = user_rules("lying", "any = [\"z\"]", "no such text");
    let big = format!("# {}\n{good}", "x".repeat(2 << 20));
    let crowd: String = (0..201)
        .map(|i| {
            user_rules(
                &format!("r{i}"),
                &format!("any = [\"m{i:04}\"]"),
                &format!("x m{i:04}"),
            )
        })
        .collect();
    let extra = Catalogue::with_extra(&[
        ("good.toml", &good),
        ("clash.toml", &clash),
        ("lying.toml", &lying),
        ("empty.toml", "# nothing here\n"),
        ("big.toml", &big),
        ("crowd.toml", &crowd),
    ]);
    assert_eq!(extra.added(), [("good.toml".to_string(), 1)]);
    let c = extra
        .catalogue
        .clone()
        .expect("a catalogue with the good file");
    assert_eq!(c.rules.len(), Catalogue::builtin().rules.len() + 1);
    assert!(c.rule("site-marker").is_some());
    let reasons: Vec<(String, String)> = extra
        .rejected()
        .iter()
        .map(|(f, p)| (f.clone(), p[0].to_string()))
        .collect();
    let expect = [
        ("clash.toml", "duplicate id; it is already used in rules/"),
        ("lying.toml", "sample 1 does not make the rule fire"),
        ("empty.toml", "the file defines no [[rule]]"),
        ("big.toml", "a rules file may be at most 1024 KB"),
        (
            "crowd.toml",
            "it holds 201 rules with 402 samples; a rules file may hold at most 200",
        ),
    ];
    assert_eq!(reasons.len(), expect.len(), "{reasons:?}");
    for ((file, reason), (want_file, want)) in reasons.iter().zip(expect) {
        assert_eq!(file, want_file);
        assert!(
            reason.starts_with(want_file) && reason.contains(want),
            "{reason}"
        );
    }
    // Nothing usable: no new catalogue, the built-in one is used.
    assert!(Catalogue::with_extra(&[("lying.toml", &lying)])
        .catalogue
        .is_none());
}
