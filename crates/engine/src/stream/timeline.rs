//! The timeline consumer: in each file, the phase markers and lifecycle messages (each kind's
//! first and last few, with how many), the error records counted by time, and the file's
//! first and last time. `assemble.rs` puts the files together with the findings.

use super::consumer::{Consumer, Scanned};
use super::segment::FileStream;
use super::FileFacts;
use crate::layout::parse_start;
use crate::lifecycle::{self, EventKind};
use crate::lines::{self, head};
use crate::phase::{self, Mark};
use crate::rules::Severity;
use crate::scan::Target;
use crate::timeline::{FileTimeline, Seen, TEXT};
use crate::timestamp::Timestamp;

/// Builds each file's [`FileTimeline`].
#[derive(Default)]
pub(crate) struct TimelineTracker {
    file: FileTimeline,
    /// Whether the file's first line with a time was found.
    found_first: bool,
    /// The time of the last line with one, so far.
    last_line: Option<Timestamp>,
}

/// The label of a phase marker's event.
fn phase_label(marker: &phase::Marker) -> String {
    match (marker.phase, marker.mark) {
        (None, _) => "upgrade failed".to_string(),
        (Some(p), Mark::Reached) => format!("{} started", p.label()),
        (Some(p), Mark::Done) => format!("{} done", p.label()),
        (Some(p), Mark::Failed) => format!("{} failed", p.label()),
    }
}

/// Whether a letter or digit follows `end` (a whole-word marker there is part of a longer word).
fn word_goes_on(text: &str, end: usize) -> bool {
    text[end..]
        .chars()
        .next()
        .is_some_and(char::is_alphanumeric)
}

impl Consumer for TimelineTracker {
    fn segment(&mut self, file: &mut FileStream, scanned: &Scanned<'_, '_>) {
        let seg = scanned.seg;
        let text = seg.text;
        let tl = &mut self.file;
        // The file's first and last lines with a time bound its span (with its events' times:
        // a log can be appended to with earlier times). Lines are read until one has a time,
        // so that the span is the same whatever the segments.
        // A segment read whole without finding a time has none to give its end either.
        let mut untimed = false;
        if !self.found_first {
            match first_time(text) {
                Some(t) => {
                    self.found_first = true;
                    tl.time(t);
                }
                None => untimed = true,
            }
        }
        for hit in scanned.hits {
            let (kind, label, severity) = match hit.target {
                Target::Phase(m) => {
                    let marker = &phase::MARKERS[m as usize];
                    // The restart's markers are lifecycle messages here, and a status set to
                    // Up is not news on its own.
                    if marker.after_handoff || (marker.whole_word && word_goes_on(text, hit.end)) {
                        continue;
                    }
                    let (kind, severity) = match marker.mark {
                        Mark::Reached => (EventKind::PhaseReached, Severity::Info),
                        Mark::Done => (EventKind::PhaseDone, Severity::Info),
                        Mark::Failed => (EventKind::PhaseFailed, Severity::Error),
                    };
                    (kind, phase_label(marker), severity)
                }
                Target::Event(m) => {
                    let marker = &lifecycle::MARKERS[m as usize];
                    let Some(end) = follows(text, hit.end, marker.then) else {
                        continue;
                    };
                    if marker.whole && word_goes_on(text, end) {
                        continue;
                    }
                    let severity = match marker.kind {
                        EventKind::JvmLost | EventKind::HostShutdown => Severity::Warning,
                        _ => Severity::Info,
                    };
                    (marker.kind, marker.kind.label().to_string(), severity)
                }
                _ => continue,
            };
            let line = &text[lines::line_at(text, hit.start)];
            // The line's own time, where it has one (the second line of a java.util.logging
            // record inside the wrapper's columns does), else its record's.
            let time = parse_start(line)
                .and_then(|h| h.timestamp)
                .or(hit.record.timestamp);
            let seen = Seen {
                line: seg.line_base + hit.line,
                time,
                text: head(line.trim_end(), TEXT).to_string(),
            };
            if let Some(t) = seen.time {
                tl.time(t);
            }
            let group = tl.group(kind, &label, severity);
            // One line holding two markers of one kind counts once.
            if group.tail.last().or(group.head.last()).map(|s| s.line) != Some(seen.line) {
                group.see(seen);
            }
        }
        for time in file.errors.drain(..) {
            tl.error(time);
        }
        if !untimed {
            if let Some(t) = last_time(text) {
                self.last_line = Some(t);
            }
        }
    }

    fn end_file(&mut self, _file: &mut FileStream, facts: &mut FileFacts) {
        if let Some(t) = self.last_line.take() {
            self.file.time(t);
        }
        self.found_first = false;
        facts.timeline = std::mem::take(&mut self.file);
    }
}

/// Where the marker that ends at `end` ends with `then` (empty: nothing more), which follows
/// the rest of its `[class:line] ` tag on the same line.
fn follows(text: &str, end: usize, then: &str) -> Option<usize> {
    if then.is_empty() {
        return Some(end);
    }
    let rest = &text[end..];
    let close = rest.bytes().take(12).position(|b| b == b']')?;
    let after = rest[close + 1..].strip_prefix(' ')?;
    let n = then.len();
    (after.len() >= n && after.as_bytes()[..n].eq_ignore_ascii_case(then.as_bytes()))
        .then(|| text.len() - after.len() + n)
}

/// The time of the text's first line that has one.
fn first_time(text: &str) -> Option<Timestamp> {
    text.lines()
        .find_map(|l| parse_start(l).and_then(|h| h.timestamp))
}

/// The time of the text's last line that has one.
fn last_time(text: &str) -> Option<Timestamp> {
    text.lines()
        .rev()
        .find_map(|l| parse_start(l).and_then(|h| h.timestamp))
}
