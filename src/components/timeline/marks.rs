//! How each kind of event is drawn: a shape for its kind (so that colour, which shows the
//! severity, is never the only signal) and a class for its severity.

use midtriage_engine::{EventKind, Severity};

/// The shapes, each an SVG path centred on (0, 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A phase reached or done.
    Dot,
    /// Something started.
    Up,
    /// Something stopped.
    Square,
    /// Something was lost: the JVM, the host.
    Down,
    /// A finding.
    Diamond,
    /// An error no rule explains.
    Cross,
    /// The upgrade failed here.
    Star,
}

impl Shape {
    pub fn of(kind: EventKind) -> Shape {
        use EventKind::*;
        match kind {
            PhaseReached | PhaseDone => Shape::Dot,
            PhaseFailed => Shape::Star,
            MidStarted | WrapperStarted | JvmLaunched | UpgradeStarted => Shape::Up,
            MidStopping | MidStopped | WrapperStopped | UpgradeEnded => Shape::Square,
            JvmLost | HostShutdown | MidRestarting => Shape::Down,
            FindingFirst | FindingLast => Shape::Diamond,
            UnexplainedFirst | UnexplainedLast => Shape::Cross,
        }
    }

    /// The path, six pixels from the centre to the edge (written out: computing it would
    /// bring float formatting and trigonometry into the download).
    pub fn path(self) -> &'static str {
        match self {
            Shape::Dot => "M4.5 0A4.5 4.5 0 1 1 -4.5 0A4.5 4.5 0 1 1 4.5 0Z",
            Shape::Up => "M0 -6L5.4 5.4L-5.4 5.4Z",
            Shape::Down => "M0 6L5.4 -5.4L-5.4 -5.4Z",
            Shape::Square => "M-4.5 -4.5H4.5V4.5H-4.5Z",
            Shape::Diamond => "M0 -6L6 0L0 6L-6 0Z",
            Shape::Cross => "M-6 -3.9L-3.9 -6L0 -2.1L3.9 -6L6 -3.9L2.1 0L6 3.9L3.9 6L0 2.1L-3.9 6L-6 3.9L-2.1 0Z",
            Shape::Star => "M0 -7.8L1.9 -2.7L7.4 -2.4L3.1 1L4.6 6.3L0 3.3L-4.6 6.3L-3.1 1L-7.4 -2.4L-1.9 -2.7Z",
        }
    }

    /// What the legend calls it.
    pub fn legend(self) -> &'static str {
        match self {
            Shape::Dot => "phase",
            Shape::Up => "started",
            Shape::Square => "stopped",
            Shape::Down => "JVM lost, host shutdown",
            Shape::Diamond => "finding",
            Shape::Cross => "error no rule explains",
            Shape::Star => "upgrade failed",
        }
    }

    pub const ALL: [Shape; 7] = [
        Shape::Star,
        Shape::Diamond,
        Shape::Cross,
        Shape::Dot,
        Shape::Up,
        Shape::Square,
        Shape::Down,
    ];
}

/// Whether the shape is drawn hollow: a phase only reached, a finding's or an error's last.
pub fn hollow(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::PhaseReached | EventKind::FindingLast | EventKind::UnexplainedLast
    )
}

/// The CSS class of a severity.
pub fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "sev-critical",
        Severity::Error => "sev-error",
        Severity::Warning => "sev-warning",
        Severity::Info => "sev-info",
    }
}
