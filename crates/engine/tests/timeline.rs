//! The timeline: events in time order across files, each layout's times as written, notes on
//! mixed zones and clocks apart, a bounded size on a storm, and the same timeline whatever
//! the chunks.

#[path = "common/whole.rs"]
mod whole;

use midtriage_engine::timeline::{Event, MAX_BUCKETS, MAX_EVENTS};
use midtriage_engine::{Analyzer, Catalogue, Context, EventKind, Timeline};
use whole::whole;

fn read(path: &str) -> (String, Vec<u8>) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let name = path.rsplit('/').next().unwrap().to_string();
    (name, std::fs::read(root.join(path)).unwrap())
}

fn timeline(files: &[(String, Vec<u8>)]) -> Timeline {
    whole(files).timeline
}

fn text(name: &str, s: &str) -> (String, Vec<u8>) {
    (name.to_string(), s.as_bytes().to_vec())
}

fn find(tl: &Timeline, kind: EventKind) -> Vec<&Event> {
    tl.events.iter().filter(|e| e.kind == kind).collect()
}

/// The page's sample incident: the agent log hands off, the wrapper log's upgrade service
/// fails on a locked file. Its events interleave the two files by time.
#[test]
fn the_sample_incident_reads_in_time_order_across_files() {
    let files = [
        read("src/sample/agent0.log.0"),
        read("src/sample/wrapper.log"),
    ];
    let tl = timeline(&files);
    let lanes: Vec<&str> = tl.lanes.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(lanes, ["agent0.log", "wrapper.log"]);
    // Placed events are in axis order, and every event lies in the span.
    let at: Vec<i64> = tl.events.iter().filter_map(|e| e.at).collect();
    assert_eq!(at.len(), tl.events.len(), "every sample line has a time");
    assert!(at.windows(2).all(|w| w[0] <= w[1]), "{at:?}");
    let span = tl.span.as_ref().unwrap();
    assert!(at.iter().all(|&a| (span.start..=span.end).contains(&a)));
    // The story: validation, download, hand-off and stop in the agent log, then the upgrade
    // service's failure in wrapper.log.
    let mut story: Vec<(&str, &str)> = Vec::new();
    for e in &tl.events {
        let told = matches!(
            e.kind,
            EventKind::PhaseReached
                | EventKind::PhaseFailed
                | EventKind::MidStopped
                | EventKind::WrapperStarted
        );
        if told && !story.contains(&(e.file.as_str(), e.label.as_str())) {
            story.push((e.file.as_str(), e.label.as_str()));
        }
    }
    assert_eq!(
        story,
        [
            ("agent0.log.0", "upgrade check started"),
            ("agent0.log.0", "pre-upgrade validation started"),
            ("agent0.log.0", "package download started"),
            ("agent0.log.0", "package extraction started"),
            ("agent0.log.0", "hand-off to the upgrade service started"),
            ("agent0.log.0", "MID Server stopped"),
            ("wrapper.log", "wrapper started"),
            ("wrapper.log", "file replacement started"),
            ("wrapper.log", "file replacement failed"),
        ]
    );
    // The failure point is the upgrade service's failure line.
    let failure = &tl.events[tl.failure.unwrap()];
    assert_eq!(
        (failure.file.as_str(), failure.line, failure.kind),
        ("wrapper.log", 9, EventKind::PhaseFailed)
    );
    // Each finding shows where it was first seen.
    for f in &whole(&files).findings {
        assert!(
            tl.events
                .iter()
                .any(|e| e.kind == EventKind::FindingFirst && e.target.as_deref() == Some(&f.id)),
            "{}",
            f.id
        );
    }
    // The agent log has offsets and wrapper.log none: said once.
    assert_eq!(tl.axis_offset, Some(-300));
    assert!(
        tl.notes
            .iter()
            .any(|n| n.contains("UTC-05:00") && n.contains("wrapper.log does not")),
        "{:?}",
        tl.notes
    );
}

/// Legacy agent log and wrapper.log times carry no zone: shown as written, never moved.
#[test]
fn unzoned_layouts_keep_their_times() {
    let files = [
        read("tests/fixtures/field-guide/fg03-kb0789886.log"),
        read("tests/fixtures/field-guide/fg24-kb0789886.log"),
    ];
    let tl = timeline(&files);
    assert_eq!(tl.axis_offset, None);
    let shutdown = find(&tl, EventKind::HostShutdown);
    assert_eq!(shutdown.len(), 1);
    assert_eq!(
        shutdown[0].time.unwrap().to_string(),
        "2019-12-15 00:33:17.000"
    );
    let stopped = find(&tl, EventKind::MidStopped);
    assert_eq!(
        stopped[0].time.unwrap().to_string(),
        "2019-12-15 00:33:23.903"
    );
    // The wrapper lost the JVM that never signalled (KB0789886), after launching it.
    let launched = find(&tl, EventKind::JvmLaunched)[0];
    let lost = find(&tl, EventKind::JvmLost)[0];
    assert!(launched.at < lost.at);
    assert_eq!(lost.time.unwrap().to_string(), "2019-12-15 00:37:34.000");
    // No zone anywhere: nothing to say about zones.
    assert!(
        !tl.notes.iter().any(|n| n.contains("UTC")),
        "{:?}",
        tl.notes
    );
    // An axis second is the time as written.
    let t = shutdown[0].time.unwrap();
    assert_eq!(shutdown[0].at, Some(t.seconds()));
}

/// The upgrade service's log (Tanuki columns with milliseconds) keeps its milliseconds.
#[test]
fn the_upgrade_log_keeps_its_milliseconds() {
    let tl = timeline(&[read("tests/fixtures/field-guide/fg30-kb0779852.log")]);
    let failed = find(&tl, EventKind::PhaseFailed);
    assert_eq!(
        failed[0].time.unwrap().to_string(),
        "2018-04-27 17:12:19.232"
    );
    let tl = timeline(&[read("tests/fixtures/field-guide/fg31-kb0779852.log")]);
    let replaced = find(&tl, EventKind::PhaseReached);
    assert!(!replaced.is_empty());
    assert!(
        replaced
            .iter()
            .any(|e| e.time.unwrap().to_string() == "2019-09-21 16:30:47.130"),
        "{replaced:?}"
    );
}

/// Modern agent logs are placed by their offsets: across a daylight-saving change, an hour
/// written as 02:30 -0400 comes after 01:45 -0500 only by 45 minutes... and is said.
#[test]
fn zoned_logs_are_placed_by_their_offsets() {
    let a = "2025-11-02T01:45:00.000-0400 INFO  (MIDServer) [Main:292] Initializing MID Server\n";
    let b =
        "2025-11-02T01:15:00.000-0500 INFO  (MIDServer) [MIDServerState:160] MID Server stopping\n";
    let tl = timeline(&[text("agent0.log.1", a), text("agent0.log.0", b)]);
    // One lane for the rotation.
    assert_eq!(tl.lanes.len(), 1);
    assert_eq!(tl.lanes[0].files, ["agent0.log.1", "agent0.log.0"]);
    let started = find(&tl, EventKind::MidStarted)[0];
    let stopping = find(&tl, EventKind::MidStopping)[0];
    // 01:45 EDT is 05:45 UTC; 01:15 EST is 06:15 UTC: the stop is 30 minutes later, though
    // written earlier.
    assert_eq!(stopping.at.unwrap() - started.at.unwrap(), 30 * 60);
    assert_eq!(tl.events[0].kind, EventKind::MidStarted);
    // Shown as written.
    assert_eq!(
        stopping.time.unwrap().to_string(),
        "2025-11-02 01:15:00.000 -0500"
    );
    assert!(
        tl.notes
            .iter()
            .any(|n| n.contains("more than one UTC offset")),
        "{:?}",
        tl.notes
    );
}

/// Lines without a time (a KB's quote, pasted) are listed in order, not placed.
#[test]
fn untimed_lines_are_listed_in_order_not_placed() {
    let tl = timeline(&[read("tests/fixtures/field-guide/fg36-kb0565184.log")]);
    assert!(tl.span.is_none());
    assert!(!tl.events.is_empty());
    assert!(tl.events.iter().all(|e| e.at.is_none() && e.time.is_none()));
    let lines: Vec<u32> = tl.events.iter().map(|e| e.line).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
    assert!(
        tl.notes.iter().any(|n| n.contains("no timestamps")),
        "{:?}",
        tl.notes
    );
    // Several such logs (KB quotes pasted into files) make one note, not one each.
    let kb = |n: u32| read(&format!("tests/fixtures/field-guide/fg{n}-kb0565184.log"));
    let many = timeline(&[kb(36), kb(37), kb(38), kb(39)]);
    let untimed: Vec<&String> = many
        .notes
        .iter()
        .filter(|n| n.contains("no timestamps"))
        .collect();
    assert_eq!(untimed.len(), 1, "{:?}", many.notes);
    assert!(untimed[0].contains("(and 3 more) have"), "{untimed:?}");
    // The download failure is the failure point, listed with the rest.
    let failure = &tl.events[tl.failure.unwrap()];
    assert_eq!(failure.kind, EventKind::PhaseFailed);
    // Its errors are counted, with none in a bucket.
    assert_eq!(tl.buckets.errors, tl.buckets.untimed);
    assert!(tl.buckets.errors >= 2);
    assert!(tl.buckets.counts.is_empty());
}

/// Two logs whose times are hours apart and do not overlap are said to be apart.
#[test]
fn a_clock_hours_apart_is_said() {
    let agent = "12/15/19 00:33:18 (650) WrapperListener_stop_runner Stopping MID server\n12/15/19 00:33:23 (903) MIDServer MID Server stopped\n";
    let wrapper = "2019/12/15 05:35:29 | --> Wrapper Started as Service\n2019/12/15 05:35:58 | Launching a JVM...\n";
    let tl = timeline(&[text("agent0.log.0", agent), text("wrapper.log", wrapper)]);
    let note = tl.notes.iter().find(|n| n.contains("do not overlap"));
    assert!(
        note.is_some_and(|n| n.contains("5 h 2 min apart")),
        "{:?}",
        tl.notes
    );
    // Files that overlap are not.
    let close = wrapper.replace("05:35", "00:33");
    let tl = timeline(&[text("agent0.log.0", agent), text("wrapper.log", &close)]);
    assert!(!tl.notes.iter().any(|n| n.contains("do not overlap")));
}

/// A restart loop and an error storm over weeks: the timeline stays small, keeps each kind's
/// first and last with how many there were, widens its buckets, and counts every error.
#[test]
fn a_storm_is_bounded() {
    let mut wrapper = String::new();
    let mut agent = String::new();
    let restarts = 20_000u32;
    for i in 0..restarts {
        // One restart every 2 minutes from 2025-11-01, for about 28 days.
        let m = 2 * i;
        let (d, h, mi) = (1 + m / 1440, m / 60 % 24, m % 60);
        wrapper.push_str(&format!(
            "2025/11/{d:02} {h:02}:{mi:02}:00 | Launching a JVM...\n2025/11/{d:02} {h:02}:{mi:02}:01 | JVM exited while loading the application.\n"
        ));
        for k in 0..5 {
            agent.push_str(&format!(
                "11/{d:02}/25 {h:02}:{mi:02}:0{k} (123) StartupSequencer SEVERE *** ERROR *** Storm number {k} hit\n"
            ));
        }
    }
    let files = [text("wrapper.log", &wrapper), text("agent0.log.0", &agent)];
    let tl = timeline(&files);
    assert!(tl.events.len() <= MAX_EVENTS);
    assert!(tl.buckets.counts.len() <= MAX_BUCKETS);
    assert!(tl.buckets.width > 60, "{}", tl.buckets.width);
    assert_eq!(tl.buckets.errors, 5 * u64::from(restarts));
    let total: u64 = tl.buckets.counts.iter().map(|c| c.1).sum();
    assert_eq!(total, tl.buckets.errors);
    let launched = find(&tl, EventKind::JvmLaunched);
    assert_eq!(launched.len(), 4, "the first two and the last two");
    assert!(launched.iter().all(|e| e.seen == u64::from(restarts)));
    assert_eq!(launched[0].line, 1);
    assert_eq!(launched[3].line, 2 * restarts - 1);
    assert!(tl
        .notes
        .iter()
        .any(|n| n.contains("Errors are counted per")));
    // The same timeline read in small chunks and segments.
    let mut a = Analyzer::new(Catalogue::builtin()).with_segment_size(64 << 10);
    for (name, bytes) in &files {
        a.begin_file(name, None);
        for c in bytes.chunks(4093) {
            a.feed(c);
        }
        a.end_file();
    }
    let streamed = midtriage_engine::conclude(a.finish(), &Context::default());
    assert_eq!(streamed.timeline, tl);
}

/// The Markdown report's Timeline section for the sample incident, as reviewed by hand in
/// tests/golden/timeline-sample.md (`MIDTRIAGE_BLESS=1` rewrites it after a reviewed change).
#[test]
fn the_markdown_timeline_matches_its_golden_file() {
    let files = [
        read("src/sample/agent0.log.0"),
        read("src/sample/wrapper.log"),
    ];
    let md = midtriage_engine::render::markdown(&whole(&files));
    let start = md.find("## Timeline").expect("a Timeline section");
    let end = md[start..]
        .find("\n## Next steps")
        .map_or(md.len(), |i| start + i);
    let section = &md[start..end];
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/golden/timeline-sample.md");
    if std::env::var_os("MIDTRIAGE_BLESS").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, section).unwrap();
    }
    let want = std::fs::read_to_string(&golden).unwrap();
    assert_eq!(section, want, "the Timeline section changed");
}
