//! The kinds of timeline event, and the lifecycle messages the timeline shows besides the upgrade's phases: the MID Server
//! starting and stopping (agent log), the Java Service Wrapper launching or losing its JVM
//! (wrapper.log), and the upgrade service starting and ending (glide-dist-upgrade.log, which
//! is appended to wrapper.log).

/// What a timeline event shows. The lifecycle messages below give most kinds; the rest come
/// from the upgrade's phase markers, the findings and the errors no rule explains.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// An upgrade phase started.
    PhaseReached,
    /// An upgrade phase finished.
    PhaseDone,
    /// The upgrade failed here.
    PhaseFailed,
    /// The MID Server's JVM began its start-up.
    MidStarted,
    /// The MID Server began to stop.
    MidStopping,
    /// The MID Server stopped (or terminated after a fatal error).
    MidStopped,
    /// The wrapper was asked to restart the JVM.
    MidRestarting,
    /// The Java Service Wrapper started (the Windows service or the daemon).
    WrapperStarted,
    /// The Java Service Wrapper stopped.
    WrapperStopped,
    /// The wrapper launched a JVM.
    JvmLaunched,
    /// The wrapper lost its JVM: it exited, hung or never signalled.
    JvmLost,
    /// The host was shutting down.
    HostShutdown,
    /// The upgrade service began replacing the MID's files.
    UpgradeStarted,
    /// The upgrade service finished.
    UpgradeEnded,
    /// A finding's first evidence.
    FindingFirst,
    /// A finding's last match.
    FindingLast,
    /// The first record of an error no rule explains.
    UnexplainedFirst,
    /// Its last record.
    UnexplainedLast,
}

impl EventKind {
    /// Every kind, in declaration order.
    pub const ALL: [EventKind; 18] = [
        PhaseReached,
        PhaseDone,
        PhaseFailed,
        MidStarted,
        MidStopping,
        MidStopped,
        MidRestarting,
        WrapperStarted,
        WrapperStopped,
        JvmLaunched,
        JvmLost,
        HostShutdown,
        UpgradeStarted,
        UpgradeEnded,
        FindingFirst,
        FindingLast,
        UnexplainedFirst,
        UnexplainedLast,
    ];

    /// The name used in JSON and in the page's `data-event`.
    pub fn name(self) -> &'static str {
        match self {
            PhaseReached => "phase-reached",
            PhaseDone => "phase-done",
            PhaseFailed => "phase-failed",
            MidStarted => "mid-started",
            MidStopping => "mid-stopping",
            MidStopped => "mid-stopped",
            MidRestarting => "mid-restarting",
            WrapperStarted => "wrapper-started",
            WrapperStopped => "wrapper-stopped",
            JvmLaunched => "jvm-launched",
            JvmLost => "jvm-lost",
            HostShutdown => "host-shutdown",
            UpgradeStarted => "upgrade-started",
            UpgradeEnded => "upgrade-ended",
            FindingFirst => "finding-first",
            FindingLast => "finding-last",
            UnexplainedFirst => "unexplained-first",
            UnexplainedLast => "unexplained-last",
        }
    }

    /// A short label for a lifecycle kind; empty for the others, which are labelled by what
    /// they belong to.
    pub fn label(self) -> &'static str {
        match self {
            MidStarted => "MID Server starting",
            MidStopping => "MID Server stopping",
            MidStopped => "MID Server stopped",
            MidRestarting => "JVM restart requested",
            WrapperStarted => "wrapper started",
            WrapperStopped => "wrapper stopped",
            JvmLaunched => "wrapper launched a JVM",
            JvmLost => "wrapper lost the JVM",
            HostShutdown => "host shutting down",
            UpgradeStarted => "upgrade service started",
            UpgradeEnded => "upgrade service ended",
            // Labelled by their phase, finding or error instead.
            PhaseReached | PhaseDone | PhaseFailed | FindingFirst | FindingLast
            | UnexplainedFirst | UnexplainedLast => "",
        }
    }
}

/// A lifecycle message: its text (matched ignoring ASCII case) and what it says; `whole` when
/// a letter must not follow it (`MID Server stopped` but not `… stopped and started`);
/// `then`, when not empty, is what must follow the marker's `[class:line] ` tag.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Marker {
    pub text: &'static str,
    pub kind: EventKind,
    pub whole: bool,
    pub then: &'static str,
}

const fn m(text: &'static str, kind: EventKind) -> Marker {
    Marker {
        text,
        kind,
        whole: false,
        then: "",
    }
}

use EventKind::*;

/// The messages, from the field guide's samples of each log (the KB that shows each is named).
pub(crate) const MARKERS: &[Marker] = &[
    // Agent log, both layouts (docs' mid_file_cleaner page, KB0697389, KB0789886).
    m("Initializing MID Server", MidStarted),
    m("MID Server stopping", MidStopping),
    // The legacy shutdown (KB0789886) and the hand-off to the upgrade (docs).
    m("Stopping MID server", MidStopping),
    // The last line of a stop, on the MIDServer thread: `MIDServer MID Server stopped` in the
    // legacy layout (KB0789886, bmoers/docker-mid-server#26), `(MIDServer)
    // [MIDServerState:171] MID Server stopped` in the modern one. The markers hold the thread
    // or class: the message's every four bytes are common in a MID's log (`MID Server
    // status`, `the event sender was stopped`), and the scan's prefilter needs rare ones.
    Marker {
        text: "MIDServer MID Server stopped",
        kind: MidStopped,
        whole: true,
        then: "",
    },
    Marker {
        text: "[MIDServerState:",
        kind: MidStopped,
        whole: true,
        then: "MID Server stopped",
    },
    // A fatal error at start-up (KB0697389).
    m("MID Server is now terminated", MidStopped),
    // wrapper.log (KB0789886, KB0647664, the healthy upgrade's wrapper lines).
    m("--> Wrapper Started", WrapperStarted),
    m("<-- Wrapper Stopped", WrapperStopped),
    m("Launching a JVM", JvmLaunched),
    m("JVM requested a restart", MidRestarting),
    m("JVM exited unexpectedly", JvmLost),
    m("JVM exited while loading", JvmLost),
    m("JVM exited in response to", JvmLost),
    m("JVM appears hung", JvmLost),
    m("wait for JVM process failed", JvmLost),
    m("Timed out waiting for a signal from the JVM", JvmLost),
    m("JVM did not exit on request", JvmLost),
    m("Machine is shutting down", HostShutdown),
    // The upgrade service (docs' upgrade log messages, KB0779816).
    m("UPGRADE MAIN LOGIN START", UpgradeStarted),
    m("UPGRADE MAIN LOGIN END", UpgradeEnded),
    m("MID upgrade ended", UpgradeEnded),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_marker_is_distinct_and_one_line() {
        for (i, a) in MARKERS.iter().enumerate() {
            assert!(!a.text.contains('\n'), "{}", a.text);
            assert!(a.then.is_empty() || a.whole, "{}", a.text);
            for b in &MARKERS[i + 1..] {
                assert!(!a.text.eq_ignore_ascii_case(b.text), "{}", a.text);
            }
        }
    }

    #[test]
    fn names_and_labels_differ() {
        for (i, a) in EventKind::ALL.iter().enumerate() {
            for b in &EventKind::ALL[i + 1..] {
                assert_ne!(a.name(), b.name());
                if !a.label().is_empty() {
                    assert_ne!(a.label(), b.label());
                }
            }
        }
        // Every lifecycle message's kind has a label.
        assert!(MARKERS.iter().all(|m| !m.kind.label().is_empty()));
        let json = serde_json::to_string(&EventKind::ALL).unwrap();
        let names: Vec<String> = serde_json::from_str(&json).unwrap();
        let expected: Vec<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names, expected);
    }
}
