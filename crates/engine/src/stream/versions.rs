//! Version collection: the installed, assigned and instance versions the logs name.

use super::consumer::{Consumer, Scanned};
use super::segment::FileStream;
use crate::packages::{Collector, VersionReport};
use crate::scan::Target;
use crate::version;

/// Collects the versions the logs name, in every file.
#[derive(Default)]
pub(crate) struct VersionTracker {
    collector: Collector,
}

impl VersionTracker {
    /// What the logs said.
    pub(crate) fn finish(self) -> VersionReport {
        self.collector.finish()
    }
}

impl Consumer for VersionTracker {
    fn segment(&mut self, file: &mut FileStream, scanned: &Scanned<'_, '_>) {
        let text = scanned.seg.text;
        for hit in scanned.hits {
            let Target::Version(m) = hit.target else {
                continue;
            };
            // The version follows its marker on the same line.
            let rest_end = crate::lines::line_at(text, hit.end).end.max(hit.end);
            self.collector.see(
                version::MARKERS[m as usize].1,
                &text[hit.end..rest_end],
                &file.name,
                file.order,
                scanned.seg.line_base + hit.line,
                hit.record.timestamp,
            );
        }
    }
}
