//! Version collection: the installed and assigned versions and the packages each file names.

use super::consumer::{Consumer, Scanned};
use super::segment::FileStream;
use super::FileFacts;
use crate::packages::Collector;
use crate::scan::Target;
use crate::version;

/// Collects the versions the file being read names.
#[derive(Default)]
pub(crate) struct VersionTracker {
    collector: Collector,
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

    fn end_file(&mut self, _file: &mut FileStream, facts: &mut FileFacts) {
        facts.versions = std::mem::take(&mut self.collector);
    }
}
