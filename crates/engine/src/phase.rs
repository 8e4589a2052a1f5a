//! The upgrade's phases, read from the marker messages the MID Server and the upgrade service
//! write, and where the last upgrade attempt stopped.

use crate::sort::sort_stable_by;
use crate::timestamp::Timestamp;

/// The phases of a MID Server auto-upgrade, in the order they run.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// The AutoUpgrade monitor compares installed and assigned packages.
    Check,
    /// The pre-upgrade check runs on the host.
    PreUpgradeValidation,
    /// The packages are downloaded from the install server.
    Download,
    /// The packages are extracted to the upgrade temp folder.
    Extract,
    /// The MID stops and hands over to the upgrade service.
    Bootstrap,
    /// The upgrade service replaces the MID's files.
    FileReplacement,
    /// The MID Server starts again on the new version.
    Restart,
}

impl Phase {
    /// Every phase in order.
    pub const ALL: [Phase; 7] = [
        Phase::Check,
        Phase::PreUpgradeValidation,
        Phase::Download,
        Phase::Extract,
        Phase::Bootstrap,
        Phase::FileReplacement,
        Phase::Restart,
    ];

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Check => "upgrade check",
            Phase::PreUpgradeValidation => "pre-upgrade validation",
            Phase::Download => "package download",
            Phase::Extract => "package extraction",
            Phase::Bootstrap => "hand-off to the upgrade service",
            Phase::FileReplacement => "file replacement",
            Phase::Restart => "restart on the new version",
        }
    }
}

/// What a marker says about its phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mark {
    /// The phase started.
    Reached,
    /// The phase finished successfully.
    Done,
    /// The phase (or the upgrade) failed here.
    Failed,
}

/// A message that shows a phase was reached, finished or failed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Marker {
    pub text: &'static str,
    /// The phase; `None` for failure lines that belong to whatever phase is running.
    pub phase: Option<Phase>,
    pub mark: Mark,
    /// Counts only after the hand-off (an ordinary start-up is not an upgrade restart).
    pub after_handoff: bool,
    /// The marker must not be followed by a letter (`... to Up` but not `... to Upgrading`).
    pub whole_word: bool,
}

const fn m(text: &'static str, phase: Option<Phase>, mark: Mark) -> Marker {
    Marker {
        text,
        phase,
        mark,
        after_handoff: false,
        whole_word: false,
    }
}

const fn restart(text: &'static str, mark: Mark) -> Marker {
    Marker {
        text,
        phase: Some(Phase::Restart),
        mark,
        after_handoff: true,
        whole_word: true,
    }
}

use Mark::{Done, Failed, Reached};
use Phase::*;

/// The marker messages, from the docs' upgrade log messages and the KBs' samples.
pub(crate) const MARKERS: &[Marker] = &[
    m(
        "Checking to see if MID server needs to upgrade",
        Some(Check),
        Reached,
    ),
    m("Current packages:", Some(Check), Reached),
    m(
        "Performing pre-upgrade validation tests",
        Some(PreUpgradeValidation),
        Reached,
    ),
    m(
        "Pre-upgrade validation tests successful",
        Some(PreUpgradeValidation),
        Done,
    ),
    m(
        "due to pre-upgrade check failure",
        Some(PreUpgradeValidation),
        Failed,
    ),
    m("Downloading from", Some(Download), Reached),
    m("Downloading package to", Some(Download), Reached),
    m("Package was successfully downloaded", Some(Download), Done),
    m("Unable to download updates from", Some(Download), Failed),
    m("Upgrading MID server", Some(Extract), Reached),
    m("Extracting package", Some(Extract), Reached),
    m("Bootstrapping upgrade", Some(Bootstrap), Reached),
    m("to upgrade marker file", Some(Bootstrap), Reached),
    m("glide-dist-upgrade.bat start", Some(Bootstrap), Reached),
    m("glide-dist-upgrade.sh start", Some(Bootstrap), Reached),
    m("UPGRADE MAIN LOGIN START", Some(FileReplacement), Reached),
    m(
        "com.snc.dist.mid_upgrade.UpgradeMain",
        Some(FileReplacement),
        Reached,
    ),
    m("Removing previous MID JRE", Some(FileReplacement), Reached),
    m("Starting MID upgrade", Some(FileReplacement), Reached),
    m("Starting to remove items", Some(FileReplacement), Reached),
    // The upgrade service retrying a file it cannot delete (bmoers/docker-mid-server#24).
    m(
        "left to timeout for deleting files",
        Some(FileReplacement),
        Reached,
    ),
    m("UPGRADE MAIN LOGIN END", Some(FileReplacement), Done),
    m("MID upgrade ended", Some(FileReplacement), Done),
    m("Upgrade failed.", None, Failed),
    m("Setting mid status to Upgrade Failed", None, Failed),
    m("OperationalState=UPGRADE_FAILED", None, Failed),
    m(
        "mid_upgrade.UpgradeException",
        Some(FileReplacement),
        Failed,
    ),
    restart("Launching a JVM", Reached),
    restart("Initializing MID Server", Reached),
    restart("Setting mid status to Up", Done),
];

/// One phase event seen in a file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PhaseEvent {
    /// The phase the event belongs to.
    pub phase: Phase,
    /// Whether the phase started, finished or failed here.
    pub mark: Mark,
    /// The file's name.
    pub file: String,
    /// 1-based line number.
    pub line: u32,
    /// When, if the line carries a time.
    pub timestamp: Option<Timestamp>,
    /// The line's text.
    pub text: String,
}

/// How the last upgrade attempt in the logs went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// No upgrade activity is in the files.
    NotSeen,
    /// The upgrade ran through to the restart.
    Completed,
    /// A failure line was written.
    Failed,
    /// The logs stop before the upgrade finished, without a failure line.
    Incomplete,
}

/// The phases of the last upgrade attempt and where it stopped.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PhaseReport {
    /// The events of the last attempt, in time order.
    pub events: Vec<PhaseEvent>,
    /// The furthest phase reached.
    pub stopped_at: Option<Phase>,
    /// How the attempt ended.
    pub outcome: Outcome,
    /// The first failure line of the attempt.
    pub failure: Option<PhaseEvent>,
}

/// A marker hit before it is placed in a phase: the marker and where it was seen.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct RawEvent {
    pub marker: usize,
    pub file_order: usize,
    pub event: PhaseEvent,
}

/// Orders the raw events of all files and follows the last upgrade attempt.
pub(crate) fn report(mut raw: Vec<RawEvent>) -> PhaseReport {
    // Events without a time take the time of the event before them in the same file.
    let mut last: Option<(usize, Option<Timestamp>)> = None;
    let mut keyed: Vec<(Option<Timestamp>, usize, u32, RawEvent)> = Vec::with_capacity(raw.len());
    sort_stable_by(&mut raw, |a, b| {
        (a.file_order, a.event.line).cmp(&(b.file_order, b.event.line))
    });
    for r in raw {
        let ts = match (r.event.timestamp, last) {
            (Some(t), _) => Some(t),
            (None, Some((f, t))) if f == r.file_order => t,
            _ => None,
        };
        last = Some((r.file_order, ts));
        keyed.push((ts, r.file_order, r.event.line, r));
    }
    sort_stable_by(&mut keyed, |a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));

    // A new attempt starts when pre-upgrade validation runs again after a later phase. Checks
    // (`Current packages:` at every start-up, the hourly upgrade check) are held aside and join
    // the attempt only if real upgrade work follows them.
    let mut attempt: Vec<PhaseEvent> = Vec::new();
    let mut held: Vec<PhaseEvent> = Vec::new();
    let mut current: Option<Phase> = None;
    for (_, _, _, r) in keyed {
        let marker = &MARKERS[r.marker];
        let furthest = attempt.iter().map(|e| e.phase).max();
        if marker.after_handoff && furthest.is_none_or(|p| p < Bootstrap) {
            continue;
        }
        let phase = marker.phase.or(current).unwrap_or(Check);
        let mut event = r.event;
        event.phase = phase;
        event.mark = marker.mark;
        if phase == Check && furthest.is_some_and(|f| f > Check) {
            held.push(event);
            continue;
        }
        if marker.mark == Reached
            && phase == PreUpgradeValidation
            && furthest.is_some_and(|f| f >= phase)
        {
            attempt = std::mem::take(&mut held);
        }
        held.clear();
        current = Some(phase);
        attempt.push(event);
    }
    let stopped_at = attempt.iter().map(|e| e.phase).max();
    let failure = attempt.iter().find(|e| e.mark == Failed).cloned();
    let completed = attempt
        .iter()
        .any(|e| e.phase == Restart || (e.phase == FileReplacement && e.mark == Done));
    let outcome = match (stopped_at, &failure) {
        (None, _) => Outcome::NotSeen,
        (_, Some(_)) => Outcome::Failed,
        _ if completed => Outcome::Completed,
        _ => Outcome::Incomplete,
    };
    PhaseReport {
        events: attempt,
        stopped_at,
        outcome,
        failure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(marker_text: &str, file_order: usize, line: u32) -> RawEvent {
        let marker = MARKERS
            .iter()
            .position(|m| m.text == marker_text)
            .expect(marker_text);
        RawEvent {
            marker,
            file_order,
            event: PhaseEvent {
                phase: Check,
                mark: Reached,
                file: format!("f{file_order}"),
                line,
                timestamp: None,
                text: marker_text.into(),
            },
        }
    }

    #[test]
    fn failed_download_stops_in_download() {
        let r = report(vec![
            ev("Performing pre-upgrade validation tests", 0, 1),
            ev("Downloading from", 0, 2),
            ev("due to pre-upgrade check failure", 0, 8),
            ev("Setting mid status to Upgrade Failed", 0, 9),
        ]);
        assert_eq!(r.outcome, Outcome::Failed);
        assert_eq!(r.stopped_at, Some(Download));
        assert_eq!(r.failure.unwrap().line, 8);
    }

    #[test]
    fn start_up_lines_are_not_a_restart_without_a_hand_off() {
        let r = report(vec![
            ev("Initializing MID Server", 0, 1),
            ev("Launching a JVM", 1, 1),
        ]);
        assert_eq!(r.outcome, Outcome::NotSeen);
        let r = report(vec![
            ev("Bootstrapping upgrade", 0, 5),
            ev("UPGRADE MAIN LOGIN START", 1, 1),
            ev("UPGRADE MAIN LOGIN END", 1, 9),
            ev("Launching a JVM", 1, 12),
        ]);
        assert_eq!(
            (r.outcome, r.stopped_at),
            (Outcome::Completed, Some(Restart))
        );
    }

    #[test]
    fn routine_checks_after_a_restart_do_not_start_an_attempt() {
        let r = report(vec![
            ev("Performing pre-upgrade validation tests", 0, 1),
            ev("Bootstrapping upgrade", 0, 5),
            ev("Initializing MID Server", 0, 9),
            ev("Current packages:", 0, 10),
            ev("Checking to see if MID server needs to upgrade", 0, 20),
        ]);
        assert_eq!(
            (r.outcome, r.stopped_at),
            (Outcome::Completed, Some(Restart))
        );
        let r = report(vec![
            ev("Performing pre-upgrade validation tests", 0, 1),
            ev("Upgrade failed.", 0, 3),
            ev("Checking to see if MID server needs to upgrade", 0, 9),
            ev("Performing pre-upgrade validation tests", 0, 10),
        ]);
        assert_eq!(r.events.len(), 2, "{:?}", r.events);
        assert_eq!(r.events[0].line, 9);
    }

    #[test]
    fn a_new_attempt_replaces_the_old_one() {
        let r = report(vec![
            ev("Performing pre-upgrade validation tests", 0, 1),
            ev("Downloading from", 0, 2),
            ev("Upgrade failed.", 0, 3),
            ev("Performing pre-upgrade validation tests", 0, 10),
        ]);
        assert_eq!(r.events.len(), 1);
        assert_eq!(
            (r.outcome, r.stopped_at),
            (Outcome::Incomplete, Some(PreUpgradeValidation))
        );
    }

    fn at(mut r: RawEvent, minute: u8) -> RawEvent {
        r.event.timestamp = Timestamp::new(2025, 11, 25, 12, minute, 0);
        r
    }

    fn lines(r: &PhaseReport) -> Vec<(String, u32)> {
        r.events.iter().map(|e| (e.file.clone(), e.line)).collect()
    }

    #[test]
    fn files_are_merged_by_time_not_by_the_order_they_were_given() {
        // The wrapper log (given second) holds the earlier half of the attempt.
        let r = report(vec![
            at(ev("Bootstrapping upgrade", 0, 40), 30),
            at(ev("Performing pre-upgrade validation tests", 1, 7), 10),
            at(ev("Downloading from", 1, 8), 20),
        ]);
        assert_eq!(
            lines(&r),
            [("f1".into(), 7), ("f1".into(), 8), ("f0".into(), 40)]
        );
        assert_eq!(r.stopped_at, Some(Bootstrap));
    }

    #[test]
    fn an_untimed_event_takes_the_time_of_the_one_before_it_in_its_own_file_only() {
        // File 1's untimed first line borrows no time from file 0 and sorts first; file 0's
        // untimed extraction follows its 12:10 download, before file 1's 12:20 hand-off.
        let r = report(vec![
            at(ev("Downloading from", 0, 1), 10),
            ev("Extracting package", 0, 2),
            ev("Performing pre-upgrade validation tests", 1, 1),
            at(ev("Bootstrapping upgrade", 1, 2), 20),
        ]);
        assert_eq!(
            lines(&r),
            [
                ("f1".into(), 1),
                ("f0".into(), 1),
                ("f0".into(), 2),
                ("f1".into(), 2)
            ]
        );
    }

    #[test]
    fn events_at_the_same_time_keep_file_then_line_order() {
        let r = report(vec![
            at(ev("Extracting package", 1, 5), 10),
            at(ev("Performing pre-upgrade validation tests", 0, 9), 10),
            at(ev("Downloading from", 1, 3), 10),
        ]);
        assert_eq!(
            lines(&r),
            [("f0".into(), 9), ("f1".into(), 3), ("f1".into(), 5)]
        );
    }

    #[test]
    fn checks_before_any_upgrade_work_stay_in_the_attempt() {
        // Only checks so far: none is held aside, each joins the attempt.
        let r = report(vec![
            ev("Current packages:", 0, 1),
            ev("Checking to see if MID server needs to upgrade", 0, 2),
        ]);
        assert_eq!(lines(&r), [("f0".into(), 1), ("f0".into(), 2)]);
        assert_eq!(
            (r.outcome, r.stopped_at),
            (Outcome::Incomplete, Some(Check))
        );
    }

    #[test]
    fn finished_file_replacement_completes_the_upgrade_even_before_the_restart() {
        let start = || {
            vec![
                ev("Performing pre-upgrade validation tests", 0, 1),
                ev("Bootstrapping upgrade", 0, 5),
                ev("UPGRADE MAIN LOGIN START", 1, 1),
            ]
        };
        let mut done = start();
        done.push(ev("UPGRADE MAIN LOGIN END", 1, 9));
        let r = report(done);
        assert_eq!(
            (r.outcome, r.stopped_at),
            (Outcome::Completed, Some(FileReplacement))
        );
        // Replacing files started but did not end: not completed.
        let r = report(start());
        assert_eq!(
            (r.outcome, r.stopped_at),
            (Outcome::Incomplete, Some(FileReplacement))
        );
        // Another phase finishing (the download) is not the upgrade finishing.
        let r = report(vec![
            ev("Performing pre-upgrade validation tests", 0, 1),
            ev("Downloading from", 0, 2),
            ev("Package was successfully downloaded", 0, 3),
        ]);
        assert_eq!(
            (r.outcome, r.stopped_at),
            (Outcome::Incomplete, Some(Download))
        );
    }

    #[test]
    fn every_phase_has_its_own_label() {
        let labels: Vec<&str> = Phase::ALL.iter().map(|p| p.label()).collect();
        assert_eq!(
            labels,
            [
                "upgrade check",
                "pre-upgrade validation",
                "package download",
                "package extraction",
                "hand-off to the upgrade service",
                "file replacement",
                "restart on the new version"
            ]
        );
    }
}
