//! The errors no rule explains: the same list whatever the order of the files, nothing a rule
//! that fired explains, and a foreign error inserted anywhere in a healthy log ranked among
//! the first three.

#[path = "common/corpora.rs"]
mod corpora;
#[path = "common/synth.rs"]
mod synth;
#[path = "common/whole.rs"]
mod whole;

use midtriage_engine::TroubleLevel;
use whole::whole as run;

fn fixture(path: &str) -> Vec<u8> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    std::fs::read(root.join(path)).unwrap()
}

/// Field-guide logs whose errors no rule names, with others whose causes are known.
fn some_logs() -> Vec<(String, Vec<u8>)> {
    [
        "field-guide/fg12-kb0639494.log",
        "field-guide/fg16-kb0744261.log",
        "field-guide/fg41-kb0690910.log",
        "field-guide/fg08-kb0726937.log",
        "field-guide/fg23-kb0697389.log",
        "healthy-upgrade/agent0.log.0",
    ]
    .iter()
    .map(|p| (p.to_string(), fixture(p)))
    .collect()
}

#[test]
fn the_list_is_the_same_for_any_order_of_the_files() {
    let files = some_logs();
    let want = run(&files).unrecognised;
    assert!(want.len() >= 3, "{want:#?}");
    let mut reversed = files.clone();
    reversed.reverse();
    let mut rotated = files.clone();
    rotated.rotate_left(2);
    let mut swapped = files.clone();
    swapped.swap(0, 4);
    for order in [reversed, rotated, swapped] {
        assert_eq!(run(&order).unrecognised, want);
    }
}

#[test]
fn what_a_rule_that_fired_explains_is_not_listed() {
    // KB0726937: every error line of it is evidence of auth-failed.
    let files = vec![(
        "agent0.log.0".to_string(),
        fixture("field-guide/fg08-kb0726937.log"),
    )];
    let a = run(&files);
    assert_eq!(a.findings[0].id, "auth-failed");
    assert_eq!(a.unrecognised, []);
    // KB0639494's JMX error is named by no rule: listed, as an error, with its line.
    let files = vec![(
        "agent0.log.0".to_string(),
        fixture("field-guide/fg12-kb0639494.log"),
    )];
    let a = run(&files);
    assert!(a.findings.is_empty());
    let u = &a.unrecognised[0];
    assert_eq!(u.template, "Problem creating JMX JMXMP connector");
    assert_eq!((u.level, u.count), (TroubleLevel::Error, 1));
    assert_eq!(
        (u.examples[0].file.as_str(), u.examples[0].line),
        ("agent0.log.0", 1)
    );
}

#[test]
fn a_healthy_upgrade_lists_no_error() {
    let files: Vec<(String, Vec<u8>)> = [
        "healthy-upgrade/agent0.log.0",
        "healthy-upgrade/wrapper.log",
    ]
    .iter()
    .map(|p| (p.to_string(), fixture(p)))
    .collect();
    let a = run(&files);
    // Its one warning is one the pre-upgrade check's documentation calls non-blocking.
    assert!(a.unrecognised.is_empty(), "{:#?}", a.unrecognised);
}

/// Real error messages no rule names, from public KB articles, each with the thread that
/// logged it there: written into the composite log in its modern layout.
const FOREIGN: &[(&str, &str)] = &[
    // KB0639494.
    ("StartupSequencer", "Problem creating JMX JMXMP connector"),
    // KB0697389.
    ("MIDServer", "terminating due to fatal error"),
    // KB0690910.
    ("AutoUpgrade.3600", "Upgrade failed."),
];

/// A healthy MID's day in the modern layout: an hour of chatter (`corpora::chatty`), then the
/// healthy upgrade of the fixtures at 02:00, then more chatter at 03:00; a recurring error
/// (a WMI query the MID retries all day) runs through the chatter. Its lines, in order.
fn healthy_day() -> Vec<String> {
    let recurring = |time: &str| {
        format!("{time} ERROR (Worker-Standard:MIDWorker-7) [WMIRunner:318] WMI query failed on 10.20.4.14: The RPC server is unavailable")
    };
    let chatter = |seed: u64, hour: &str| -> Vec<String> {
        let text = corpora::chatty(60_000, seed);
        let mut lines = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.replacen("2026-06-03T00", &format!("2025-11-25T{hour}"), 1);
            if i % 40 == 39 {
                lines.push(recurring(&line[..28]));
            }
            lines.push(line);
        }
        lines
    };
    let upgrade = String::from_utf8(fixture("healthy-upgrade/agent0.log.0")).unwrap();
    let mut day = chatter(1, "00");
    day.extend(upgrade.lines().map(String::from));
    day.extend(chatter(2, "03"));
    day
}

#[test]
fn a_foreign_error_ranks_among_the_first_three_wherever_it_is() {
    let day = healthy_day();
    let upgrade_at = day
        .iter()
        .position(|l| l.starts_with("2025-11-25T02"))
        .unwrap();
    // Ten places: in the chatter before, inside the upgrade, in the chatter after.
    let places = [
        10,
        day.len() / 8,
        day.len() / 4,
        upgrade_at - 5,
        upgrade_at + 3,
        upgrade_at + 15,
        upgrade_at + 40,
        day.len() * 3 / 4,
        day.len() - 20,
        day.len() - 1,
    ];
    for (k, &at) in places.iter().enumerate() {
        let (thread, message) = FOREIGN[k % FOREIGN.len()];
        let mut lines = day.clone();
        // The time of the line before it, in its layout.
        let time = &lines[at - 1][..28];
        lines.insert(
            at,
            format!("{time} ERROR ({thread}) [Bootstrapper:57] {message}"),
        );
        let files = vec![("agent0.log.0".to_string(), lines.join("\n").into_bytes())];
        let a = run(&files);
        let rank = a
            .unrecognised
            .iter()
            .position(|u| u.template == message.trim_end_matches('.') || u.template == message);
        assert!(
            rank.is_some_and(|r| r < 3),
            "{message:?} inserted at line {at}: rank {rank:?} in {:#?}",
            a.unrecognised
                .iter()
                .map(|u| (&u.template, u.count))
                .collect::<Vec<_>>()
        );
    }
}
