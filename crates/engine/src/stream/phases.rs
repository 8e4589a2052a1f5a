//! Phase tracking: the marker messages of the upgrade in each file, for `phase::report`.

use super::consumer::{Consumer, Scanned};
use super::segment::FileStream;
use super::FileFacts;
use crate::phase::{self, PhaseEvent, RawEvent};
use crate::scan::Target;

/// Collects every phase marker seen in the file being read.
#[derive(Default)]
pub(crate) struct PhaseTracker {
    events: Vec<RawEvent>,
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

    fn end_file(&mut self, _file: &mut FileStream, facts: &mut FileFacts) {
        facts.phases = std::mem::take(&mut self.events);
    }
}
