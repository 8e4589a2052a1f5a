//! Phase tracking: the marker messages of the upgrade, collected for `phase::report`.

use super::consumer::{Consumer, Scanned};
use super::segment::FileStream;
use crate::phase::{self, PhaseEvent, PhaseReport, RawEvent};
use crate::scan::Target;

/// Collects every phase marker seen, in every file.
#[derive(Default)]
pub(crate) struct PhaseTracker {
    events: Vec<RawEvent>,
}

impl PhaseTracker {
    /// The phases of the last upgrade attempt.
    pub(crate) fn finish(self) -> PhaseReport {
        phase::report(self.events)
    }
}

impl Consumer for PhaseTracker {
    fn segment(&mut self, file: &mut FileStream, scanned: &Scanned<'_, '_>) {
        let text = scanned.seg.text;
        for hit in scanned.hits {
            let Target::Phase(m) = hit.target else {
                continue;
            };
            let marker = &phase::MARKERS[m as usize];
            // A whole-word marker followed by a letter or digit is part of a longer word.
            if marker.whole_word
                && text[hit.end..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            let ev = scanned.seg.evidence(
                &file.name,
                hit.line,
                hit.record.timestamp,
                hit.start,
                hit.end,
            );
            self.events.push(RawEvent {
                marker: m as usize,
                file_order: file.order,
                event: PhaseEvent {
                    phase: phase::Phase::Check,
                    mark: marker.mark,
                    file: ev.file,
                    line: ev.line,
                    timestamp: ev.timestamp,
                    text: ev.text,
                },
            });
        }
    }
}
