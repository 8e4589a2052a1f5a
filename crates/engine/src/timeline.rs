//! The timeline of the logs: what happened when, across all the files, with the density of
//! errors over time. Its size is bounded whatever the input: each lane keeps the first and
//! last few occurrences of each kind of event (with how many there were), the whole timeline
//! at most [`MAX_EVENTS`] events, and the error counts at most [`MAX_BUCKETS`] buckets, made
//! wider (from one minute up) when the logs span too long for minutes.
//!
//! Times are shown as written. A timestamp with a UTC offset (the modern agent log) is placed
//! on the axis by its offset; one without (legacy agent log, wrapper.log) is taken to be in
//! the axis' zone, the MID host's local time, and never moved. The types here are filled by
//! the analyzer's timeline consumer and put together when the files are merged.

use crate::kind::FileKind;
pub use crate::lifecycle::EventKind;
use crate::rules::Severity;
use crate::timestamp::Timestamp;

/// Events in a timeline, at most.
pub const MAX_EVENTS: usize = 300;
/// Buckets of error counts, at most.
pub const MAX_BUCKETS: usize = 1440;
/// Of each kind of event in a lane, the first and the last this many are kept.
pub(crate) const KEEP: usize = 2;
/// An event's line is cut to this many bytes.
pub(crate) const TEXT: usize = 400;
/// Bucket widths, in seconds, from one minute up; each divides the next.
const WIDTHS: [i64; 10] = [
    60,
    300,
    900,
    3600,
    6 * 3600,
    86_400,
    7 * 86_400,
    28 * 86_400,
    364 * 86_400,
    3640 * 86_400,
];

/// One thing that happened, at one line of one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Event {
    /// When, as written in the log; none for a line without a time (listed, not placed).
    pub time: Option<Timestamp>,
    /// Where on the time axis: seconds since 1970 in the axis' wall clock (see
    /// [`Timeline::axis_offset`]); none when `time` is none.
    pub at: Option<i64>,
    /// The file's name.
    pub file: String,
    /// The 1-based line.
    pub line: u32,
    /// The lane (index into [`Timeline::lanes`]).
    pub lane: usize,
    /// What happened.
    pub kind: EventKind,
    /// A short description: the phase, the finding's title, the error's template.
    pub label: String,
    /// How serious it is.
    pub severity: Severity,
    /// The line's text (cut to 400 bytes).
    pub text: String,
    /// How many times this kind of event happened in the lane (the first and last few are
    /// kept); for a finding, its matches; for an error no rule explains, its records.
    pub seen: u64,
    /// What the event belongs to: the finding's id or the unexplained error's template.
    #[serde(default)]
    pub target: Option<String>,
}

/// One lane of the timeline: a log and its rotations (`agent0.log.0`, `agent0.log.1`, …).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Lane {
    /// The log's name without its rotation number.
    pub name: String,
    /// Its kind.
    pub kind: Option<FileKind>,
    /// The files in it, in input order.
    pub files: Vec<String>,
    /// Its first and last time, as written.
    pub first: Option<Timestamp>,
    /// See `first`.
    pub last: Option<Timestamp>,
    /// Whether its times carry a UTC offset.
    pub zoned: bool,
}

/// The time the logs cover, on the axis.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    /// The earliest time, as written.
    pub first: Timestamp,
    /// The latest time, as written.
    pub last: Timestamp,
    /// `first` on the axis (seconds).
    pub start: i64,
    /// `last` on the axis (seconds).
    pub end: i64,
}

/// Error records counted per bucket of time.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Buckets {
    /// The width of a bucket, in seconds (60 unless the logs span more than a day of minutes).
    pub width: i64,
    /// The buckets holding errors, in time order: where each starts on the axis, and its count.
    pub counts: Vec<(i64, u64)>,
    /// Error records in all.
    pub errors: u64,
    /// Of them, those without a time (not in any bucket).
    pub untimed: u64,
}

/// The timeline of an analysis.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Timeline {
    /// The lanes, agent logs first, then wrapper logs, upgrade logs and the rest.
    pub lanes: Vec<Lane>,
    /// The events: those with a time in time order, then those without, in file and line order.
    pub events: Vec<Event>,
    /// Which event is where the upgrade failed, if the logs show one.
    pub failure: Option<usize>,
    /// The time the logs cover, if any line has a time.
    pub span: Option<Span>,
    /// Error records over time.
    pub buckets: Buckets,
    /// The UTC offset (minutes) of the axis' wall clock, when a log gives one.
    pub axis_offset: Option<i16>,
    /// What to keep in mind reading it: mixed zones, a clock apart, lines without a time, wider
    /// buckets, events left out.
    pub notes: Vec<String>,
}

/// An occurrence kept for the timeline, before its file and lane are known.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Seen {
    pub line: u32,
    pub time: Option<Timestamp>,
    pub text: String,
}

/// One kind of event in one file: how many times it happened, and its first and last few.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Group {
    pub kind: EventKind,
    pub label: String,
    pub severity: Severity,
    pub seen: u64,
    pub head: Vec<Seen>,
    pub tail: Vec<Seen>,
}

impl Group {
    pub(crate) fn new(kind: EventKind, label: &str, severity: Severity) -> Group {
        Group {
            kind,
            label: label.to_string(),
            severity,
            seen: 0,
            head: Vec::new(),
            tail: Vec::new(),
        }
    }

    /// Counts one more occurrence, kept if among the first or (so far) last [`KEEP`].
    pub(crate) fn see(&mut self, seen: Seen) {
        self.seen += 1;
        if self.head.len() < KEEP {
            self.head.push(seen);
        } else {
            if self.tail.len() == KEEP {
                self.tail.remove(0);
            }
            self.tail.push(seen);
        }
    }
}

/// Error counts keyed by seconds, in buckets of one of the [`WIDTHS`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Density {
    /// Index into [`WIDTHS`].
    width: usize,
    /// (bucket start, count), by start.
    counts: Vec<(i64, u64)>,
}

impl Density {
    /// Counts `n` errors at `secs`.
    pub(crate) fn add(&mut self, secs: i64, n: u64) {
        let w = WIDTHS[self.width];
        let at = secs.div_euclid(w) * w;
        // Errors mostly come in time order: the last bucket first.
        match self.counts.last_mut() {
            Some(last) if last.0 == at => last.1 += n,
            Some(last) if last.0 < at => self.counts.push((at, n)),
            None => self.counts.push((at, n)),
            _ => match self.counts.binary_search_by_key(&at, |c| c.0) {
                Ok(i) => self.counts[i].1 += n,
                Err(i) => self.counts.insert(i, (at, n)),
            },
        }
        if self.counts.len() > MAX_BUCKETS {
            self.widen(self.width + 1);
        }
    }

    /// Adds another file's counts (each key moved by `shift` seconds).
    pub(crate) fn merge(&mut self, other: &Density, shift: i64) {
        self.widen(self.width.max(other.width));
        for &(at, n) in &other.counts {
            self.add(at + shift, n);
        }
    }

    /// Makes the buckets at least `WIDTHS[to]` wide, then as wide as it takes to keep them
    /// within [`MAX_BUCKETS`]. The result depends only on the counts, not on when it was done:
    /// each width divides the next, and a width is passed only when too many buckets are full
    /// at it, which more counts never undo.
    fn widen(&mut self, to: usize) {
        let mut to = to.min(WIDTHS.len() - 1);
        loop {
            if to != self.width {
                // The buckets stay in order: each merges into the one before or starts anew.
                let w = WIDTHS[to];
                let mut wider: Vec<(i64, u64)> = Vec::new();
                for (at, n) in std::mem::take(&mut self.counts) {
                    let at = at.div_euclid(w) * w;
                    match wider.last_mut() {
                        Some(last) if last.0 == at => last.1 += n,
                        _ => wider.push((at, n)),
                    }
                }
                self.counts = wider;
                self.width = to;
            }
            if self.counts.len() <= MAX_BUCKETS || to == WIDTHS.len() - 1 {
                return;
            }
            to += 1;
        }
    }

    pub(crate) fn width(&self) -> i64 {
        WIDTHS[self.width]
    }

    pub(crate) fn counts(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        self.counts.iter().copied()
    }
}

/// What the timeline consumer found in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FileTimeline {
    /// Its kinds of event, in the order first seen.
    pub groups: Vec<Group>,
    /// Its earliest and latest times.
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// The UTC offset of its first time that has one.
    pub offset: Option<i16>,
    /// Error records with a time that has an offset, keyed by UTC seconds.
    pub zoned: Density,
    /// Error records with a time that has none, keyed by their wall-clock seconds.
    pub plain: Density,
    pub errors: u64,
    pub untimed: u64,
}

impl FileTimeline {
    /// Takes note of a time seen in the file.
    pub(crate) fn time(&mut self, t: Timestamp) {
        self.first = Some(self.first.map_or(t, |f| f.min(t)));
        self.last = Some(self.last.map_or(t, |l| l.max(t)));
        if self.offset.is_none() {
            self.offset = t.offset_minutes;
        }
    }

    /// Counts an error record.
    pub(crate) fn error(&mut self, time: Option<Timestamp>) {
        self.errors += 1;
        match time {
            Some(t) if t.offset_minutes.is_some() => self.zoned.add(t.on_axis(Some(0)), 1),
            Some(t) => self.plain.add(t.seconds(), 1),
            None => self.untimed += 1,
        }
    }

    /// The group for `kind` and `label`, made if new.
    pub(crate) fn group(&mut self, kind: EventKind, label: &str, severity: Severity) -> &mut Group {
        let i = match self
            .groups
            .iter()
            .position(|g| g.kind == kind && g.label == label)
        {
            Some(i) => i,
            None => {
                self.groups.push(Group::new(kind, label, severity));
                self.groups.len() - 1
            }
        };
        &mut self.groups[i]
    }
}

/// Which of `scores` to keep so that at most `max` are: the highest, and of equal scores the
/// first. No sort: the scores are small numbers.
pub fn keep_top(scores: &[u32], max: usize) -> Vec<bool> {
    if scores.len() <= max {
        return vec![true; scores.len()];
    }
    // The lowest score kept, and how many of it fit.
    let mut threshold = scores.iter().copied().max().unwrap_or(0);
    loop {
        let above = scores.iter().filter(|&&s| s > threshold).count();
        let at = scores.iter().filter(|&&s| s == threshold).count();
        if above + at >= max || threshold == 0 {
            let mut room = max.saturating_sub(above);
            return scores
                .iter()
                .map(|&s| {
                    s > threshold
                        || (s == threshold && room > 0 && {
                            room -= 1;
                            true
                        })
                })
                .collect();
        }
        threshold = scores
            .iter()
            .copied()
            .filter(|&s| s < threshold)
            .max()
            .unwrap_or(0);
    }
}

/// The lane a file belongs to: its name without a rotation number (`agent0.log.3` and
/// `agent0.log` are one lane).
pub fn lane_name(file: &str) -> &str {
    match file.rsplit_once('.') {
        Some((stem, n))
            if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && stem.contains('.') =>
        {
            stem
        }
        _ => file,
    }
}

/// A length of time in words: `45 s`, `12 min`, `3 h 5 min`, `2 days 4 h`.
pub fn duration(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min", s / 60),
        3600..=86_399 => match s % 3600 / 60 {
            0 => format!("{} h", s / 3600),
            m => format!("{} h {m} min", s / 3600),
        },
        _ => {
            let (d, h) = (s / 86_400, s % 86_400 / 3600);
            let days = if d == 1 {
                "1 day".to_string()
            } else {
                format!("{d} days")
            };
            if h == 0 {
                days
            } else {
                format!("{days} {h} h")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotations_share_a_lane() {
        assert_eq!(lane_name("agent0.log.0"), "agent0.log");
        assert_eq!(lane_name("logs/agent0.log.12"), "logs/agent0.log");
        assert_eq!(lane_name("wrapper.log"), "wrapper.log");
        assert_eq!(lane_name("wrapper.log.3"), "wrapper.log");
        assert_eq!(lane_name("notes.2"), "notes.2");
        assert_eq!(lane_name("agent0.log."), "agent0.log.");
    }

    #[test]
    fn a_group_keeps_its_first_and_last_few() {
        let mut g = Group::new(EventKind::JvmLaunched, "x", Severity::Info);
        for line in 1..=10 {
            g.see(Seen {
                line,
                time: None,
                text: String::new(),
            });
        }
        let lines = |v: &[Seen]| v.iter().map(|s| s.line).collect::<Vec<_>>();
        assert_eq!(
            (g.seen, lines(&g.head), lines(&g.tail)),
            (10, vec![1, 2], vec![9, 10])
        );
    }

    /// Buckets widen to stay within the cap, and end the same however the counts arrive.
    #[test]
    fn buckets_widen_the_same_whatever_the_order() {
        let minutes: Vec<i64> = (0..3000)
            .map(|m| 1_700_000_000 + 60 * (m * 7 % 3000))
            .collect();
        let mut one = Density::default();
        for &m in &minutes {
            one.add(m, 1);
        }
        assert_eq!(one.width(), 300);
        assert!(one.counts.len() <= MAX_BUCKETS);
        assert_eq!(one.counts().map(|c| c.1).sum::<u64>(), 3000);
        // Split in two, merged: the same.
        let (mut a, mut b) = (Density::default(), Density::default());
        for (i, &m) in minutes.iter().enumerate() {
            if i % 3 == 0 {
                a.add(m, 1)
            } else {
                b.add(m, 1)
            }
        }
        let mut merged = Density::default();
        merged.merge(&a, 0);
        merged.merge(&b, 0);
        assert_eq!(merged, one);
        // A few minutes stay minutes.
        let mut few = Density::default();
        few.add(1_700_000_040, 2);
        few.add(1_700_000_099, 1);
        assert_eq!(
            (few.width(), few.counts().collect::<Vec<_>>()),
            (60, vec![(1_700_000_040, 3)])
        );
    }

    #[test]
    fn the_top_scores_are_kept_the_first_of_equals() {
        let keep = keep_top(&[1, 5, 3, 5, 0, 3, 3], 4);
        assert_eq!(keep, [false, true, true, true, false, true, false]);
        assert_eq!(keep_top(&[2, 2], 5), [true, true]);
        assert_eq!(keep_top(&[0, 0, 0], 2), [true, true, false]);
    }

    #[test]
    fn centuries_of_errors_still_fit() {
        let mut d = Density::default();
        for y in 0..5000i64 {
            d.add(y * 365 * 86_400, 1);
        }
        assert!(d.counts.len() <= MAX_BUCKETS, "{}", d.counts.len());
    }
}
