//! The streaming analyzer: files arrive in chunks of any size and are never held whole.
//!
//! The scan loop finds the hits of each segment and hands them to the consumers (rules,
//! phases, versions; see `consumer.rs`), each with its own state. When a file ends, each puts
//! what it found into the file's [`FileFacts`]; files depend on no other file until they are
//! merged in input order (`merge.rs`), so inputs can be analysed apart, on other threads or
//! workers, with the result of analysing them together.
//!
//! Decoded text is processed in segments cut just before a line that starts a new record, so a
//! record never straddles a cut. Record-scope conditions are evaluated per segment; the hits of
//! patterns used by file- and any-file-scope conditions are kept (compactly) until the file
//! ends. Evidence is built while its segment is in memory; context lines that fall in the next
//! segment are filled in when it arrives.

mod assemble;
mod consumer;
mod merge;
mod phases;
mod rules;
mod segment;
mod timeline;
mod unexplained;
mod versions;

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::catalogue::Catalogue;
use crate::config;
use crate::decode::Encoding;
use crate::decode::StreamDecoder;
use crate::error::Error;
use crate::file_scope::FileCondition;
use crate::finding::Finding;
use crate::kind::{self, FileKind};
use crate::packages::{Collector, VersionReport};
use crate::phase::{PhaseReport, RawEvent};
use consumer::{Consumer, Located, Scanned};
pub use merge::Merge;
use phases::PhaseTracker;
use rules::{FileRules, RuleMatcher};
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use segment::check_lazy_records;
use segment::{cut_point, enough_to_detect, FileStream, Segment};
use timeline::TimelineTracker;
pub use unexplained::{Example, TroubleLevel, Unrecognised, MAX_UNRECOGNISED};
use unexplained::{Mined, Miner};
use versions::VersionTracker;

/// What an analysis found in the logs, before the user's answers are applied.
///
/// [`Facts`] and [`Partial`] cross between the page's workers in postcard's form, which reads
/// fields in order: a field of theirs (at any depth) must never be left out when serialized
/// (`skip_serializing_if`), or what follows it is misread.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Facts {
    /// Each input, in order, with any problem reading it.
    pub files: Vec<FileReport>,
    /// What the rules found, most severe first.
    pub findings: Vec<Finding>,
    /// The phases of the last upgrade attempt.
    pub phase: PhaseReport,
    /// The versions the logs show.
    pub versions: VersionReport,
    /// What each config.xml among the inputs says (never a secret value).
    pub config: Vec<config::ConfigReport>,
    /// The errors and warnings no rule that fired explains, most worth a look first.
    pub unrecognised: Vec<Unrecognised>,
    /// The user's own rules files, used or left out.
    pub rules_files: Vec<crate::rules::RulesFile>,
    /// What happened when, across the files (crossing between workers in a compact form).
    pub timeline: crate::timeline::Timeline,
    /// Problems with the inputs and the rules files.
    pub problems: Vec<Error>,
}

/// How one input file was read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileReport {
    /// The file's name.
    pub name: String,
    /// The kind detected (or given).
    pub kind: Option<FileKind>,
    /// How its bytes were decoded.
    pub encoding: Option<Encoding>,
    /// Its number of lines.
    pub lines: usize,
    /// Why it could not be analysed, if it could not.
    pub error: Option<Error>,
}

/// What one file showed, before it is merged with the others (see [`Merge`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileFacts {
    report: FileReport,
    config: Option<config::ConfigReport>,
    rules: FileRules,
    /// Phase events, numbered as if the file were the analysis' first.
    phases: Vec<RawEvent>,
    versions: Collector,
    /// The templates of its records that may be trouble.
    #[serde(default)]
    unexplained: Vec<Mined>,
    /// Its events and error counts over time.
    #[serde(default)]
    timeline: crate::timeline::FileTimeline,
}

/// What the files of some inputs showed, before they are merged with other inputs' files:
/// what a worker or thread that analyses part of the inputs hands back.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Partial {
    files: Vec<FileFacts>,
    /// Problems with the inputs that did not stop them being read.
    notes: Vec<Error>,
    /// Whether reading an input stopped before its end (what is after is not analysed).
    #[serde(default)]
    stopped: bool,
}

/// Pending text is processed once it reaches this many bytes (and at the end of a file).
pub const SEGMENT: usize = 4 << 20;
/// Without a record boundary, a segment is cut at a line boundary once this large.
pub(crate) const MAX_PENDING: usize = 32 << 20;
/// How far back a record boundary is looked for, in lines.
pub(crate) const LOOKBACK_LINES: usize = 4096;

/// Analyses files fed in chunks; see [`crate::analyze`] for the one-call form.
pub struct Analyzer {
    /// Shared with other analyses (and the worker's cache); dropped with the last of them.
    catalogue: Arc<Catalogue>,
    segment: usize,
    consumers: Consumers,
    /// The files done.
    done: Vec<FileFacts>,
    notes: Vec<Error>,
    rules_files: Vec<crate::rules::RulesFile>,
    current: Option<FileStream>,
    /// Whether reading an input stopped before its end.
    stopped: bool,
    /// A segment's hits as found, then as placed (kept for their memory between segments).
    buffers: (crate::scan::Scratch, Vec<Located>),
}

impl Analyzer {
    /// A new analysis with `catalogue`.
    pub fn new(catalogue: &Arc<Catalogue>) -> Analyzer {
        Analyzer {
            catalogue: Arc::clone(catalogue),
            segment: SEGMENT,
            consumers: Consumers {
                rules: RuleMatcher::new(Arc::clone(catalogue)),
                phases: PhaseTracker::default(),
                versions: VersionTracker::default(),
                unexplained: Miner::new(Arc::clone(catalogue)),
                timeline: TimelineTracker::default(),
            },
            done: Vec::new(),
            notes: Vec::new(),
            rules_files: Vec::new(),
            current: None,
            stopped: false,
            buffers: Default::default(),
        }
    }

    /// The same analysis, processing text in segments of about `bytes` (tests use small ones).
    pub fn with_segment_size(mut self, bytes: usize) -> Self {
        self.segment = bytes.max(1);
        self
    }

    /// Starts the next file; `kind` overrides detection.
    pub fn begin_file(&mut self, name: &str, kind: Option<FileKind>) {
        self.end_file();
        self.current = Some(FileStream {
            order: self.done.len(),
            name: name.to_string(),
            kind,
            decoder: StreamDecoder::new(name),
            error: None,
            pending: String::new(),
            lines_done: 0,
            prefilter: None,
            config: None,
            config_dropped: 0,
            tail: Vec::new(),
            arena: Vec::new(),
            open_after: Vec::new(),
            record_evidence: Vec::new(),
            record_kept: vec![(0, 0); self.catalogue.rules.len()],
            record_latest: vec![None; self.catalogue.rules.len()],
            errors: Vec::new(),
            hits_seen: 0,
            present: BTreeSet::new(),
            evidence_hits: Vec::new(),
            conditions: (0..self.catalogue.index.file_conds.len())
                .map(|_| FileCondition::default())
                .collect(),
            evidence_per_pattern: vec![0; self.catalogue.patterns.len()],
        });
    }

    /// Feeds the next bytes of the current file.
    pub fn feed(&mut self, bytes: &[u8]) {
        let Some(mut file) = self.current.take() else {
            return;
        };
        if file.error.is_none() {
            if let Err(e) = file.decoder.push(bytes, &mut file.pending) {
                file.error = Some(e);
            }
            // The kind is detected from the first lines, whatever the segment size.
            let ready = |f: &FileStream| f.kind.is_some() || enough_to_detect(&f.pending);
            while file.error.is_none() && file.pending.len() >= self.segment && ready(&file) {
                let Some(cut) = cut_point(&file.pending) else {
                    break;
                };
                // Keep one buffer for the file's life: process the front, then drain it.
                let mut text = std::mem::take(&mut file.pending);
                self.process(&mut file, &text[..cut]);
                text.drain(..cut);
                file.pending = text;
            }
        }
        self.current = Some(file);
    }

    /// Whether the current file was refused or failed (its remaining bytes would be ignored).
    pub fn file_failed(&self) -> bool {
        self.current.as_ref().is_some_and(|f| f.error.is_some())
    }

    /// Bytes of decoded text held for the current file: bounded by about two segments plus
    /// one chunk, whatever the file's size.
    pub fn buffered(&self) -> usize {
        self.current.as_ref().map_or(0, |f| f.pending.len())
    }

    /// The findings made so far (record-scope causes appear as soon as their segment is read;
    /// file-scope ones when their file ends), most severe first, as (id, title, severity).
    pub fn findings_so_far(&self) -> Vec<(&str, &str, crate::rules::Severity)> {
        let done = self.done.iter().flat_map(|f| f.rules.fired());
        rules::so_far(&self.catalogue, done.chain(self.consumers.rules.fired()))
    }

    /// Records a problem with an input that did not stop it being read (it is reported with
    /// the analysis' problems).
    pub fn note(&mut self, error: Error) {
        self.notes.push(error);
    }

    /// Records the user's rules files (`Catalogue::with_extra` reads them): the analysis lists
    /// them, and `problems` (of the files left out) are reported with the analysis' problems.
    pub fn rules_files(&mut self, files: Vec<crate::rules::RulesFile>, problems: Vec<Error>) {
        self.rules_files = files;
        self.notes.extend(problems);
    }

    /// Records that reading an input stopped before its end (it was refused, or a read
    /// failed): parts of the same input read apart after this one are left out when merged.
    pub fn stop_input(&mut self) {
        self.stopped = true;
    }

    /// Marks the current file as unreadable (it disappeared, or reading failed midway).
    pub fn fail_file(&mut self, error: Error) {
        if let Some(file) = &mut self.current {
            file.error = Some(error);
        }
    }

    /// Ends the current file: processes what is pending and evaluates its file-scope rules.
    /// A file that failed midway keeps what was read before the failure, with its error.
    pub fn end_file(&mut self) {
        let Some(mut file) = self.current.take() else {
            return;
        };
        // What was read before a failure is analysed too; the first error is the one reported.
        match file.decoder.finish(&mut file.pending) {
            Ok(()) => {
                let text = std::mem::take(&mut file.pending);
                self.process(&mut file, &text);
            }
            Err(e) => {
                file.error.get_or_insert(e);
            }
        }
        let config = file.config.take().map(|text| match file.config_dropped {
            0 => config::check(&file.name, &text),
            dropped => config::too_large(&file.name, text.len() + dropped),
        });
        let read_anything = file.lines_done > 0;
        let report = FileReport {
            name: file.name.clone(),
            kind: if read_anything { file.kind } else { None },
            encoding: if read_anything {
                file.decoder.encoding()
            } else {
                None
            },
            lines: file.lines_done as usize,
            error: file.error.take(),
        };
        let mut facts = FileFacts {
            report,
            config,
            rules: FileRules::default(),
            phases: Vec::new(),
            versions: Collector::default(),
            unexplained: Vec::new(),
            timeline: Default::default(),
        };
        for consumer in self.consumers.all() {
            consumer.end_file(&mut file, &mut facts);
        }
        self.done.push(facts);
    }

    /// Ends the analysis of these inputs, to be merged with others' (see [`Merge`]).
    pub fn finish_partial(mut self) -> Partial {
        self.end_file();
        Partial {
            files: self.done,
            notes: self.notes,
            stopped: self.stopped,
        }
    }

    /// Ends the analysis: what the logs show, before the user's answers are applied
    /// (`flow::conclude` does that).
    pub fn finish(mut self) -> Facts {
        let mut merge = Merge::new(&self.catalogue);
        // The rules files' problems are among the analyzer's notes already.
        merge.rules_files(std::mem::take(&mut self.rules_files), Vec::new());
        merge.add(self.finish_partial());
        merge.finish()
    }

    /// Analyses one segment of decoded text.
    fn process(&mut self, file: &mut FileStream, text: &str) {
        if text.is_empty() {
            return;
        }
        let kind = *file
            .kind
            .get_or_insert_with(|| kind::detect(&file.name, text));
        if kind == FileKind::Config {
            // Read whole (it is small) by the config checker; never by the rules, which quote
            // what they match.
            let held = file.config.get_or_insert_with(String::new);
            if held.len() <= config::MAX_CONFIG {
                held.push_str(text);
            } else {
                file.config_dropped += text.len();
            }
            file.lines_done += crate::lines::count_lines(text) as u32;
            return;
        }
        file.fill_after(text);
        let mut seg = Segment::new(text, file.order, file.lines_done);
        let scanner = &self.catalogue.scanner;
        let prefilter = file
            .prefilter
            .get_or_insert_with(|| scanner.prefilter(text));
        // The hit buffers live as long as the analyzer: a storm fills them every segment.
        let (mut found, mut hits) = std::mem::take(&mut self.buffers);
        scanner.scan_into(text, prefilter.as_ref(), &mut found);
        hits.clear();
        // Hits and the marks of records that may be trouble are placed in one pass, in
        // offset order, so that each record head is parsed about once.
        let marks = unexplained::marks(text);
        let mut marks = marks.iter().copied().peekable();
        let mut troubles = Vec::new();
        for hit in &found.hits {
            while let Some(at) = marks.next_if(|&at| at <= hit.start) {
                let line = seg.line_of(at);
                unexplained::place(&mut seg, at, line, &mut troubles);
            }
            let line = seg.line_of(hit.start);
            if let Some(record) = seg.record_at(hit.start, line) {
                hits.push(Located {
                    target: hit.target,
                    start: hit.start,
                    end: hit.end,
                    line,
                    record,
                });
            }
        }
        for at in marks {
            let line = seg.line_of(at);
            unexplained::place(&mut seg, at, line, &mut troubles);
        }
        let scanned = Scanned {
            seg: &seg,
            kind,
            hits: &hits,
            troubles: &troubles,
        };
        for consumer in self.consumers.all() {
            consumer.segment(file, &scanned);
        }
        // Natively, a big buffer freed goes back to the system and costs page faults when the
        // next segment allocates it again. WebAssembly keeps freed memory, and a buffer held
        // there between segments splits the heap: the worker grew by 16 MiB. So it is let go.
        if !cfg!(target_arch = "wasm32") {
            self.buffers = (found, hits);
        }
        let count = seg.line_count();
        file.remember_tail(text, count);
        file.lines_done += count;
    }
}

/// The analysis' consumers, each fed every segment by the scan loop.
struct Consumers {
    rules: RuleMatcher,
    phases: PhaseTracker,
    versions: VersionTracker,
    unexplained: Miner,
    timeline: TimelineTracker,
}

impl Consumers {
    /// Every consumer, in the order they are fed (the timeline takes the error records the
    /// miner found in the segment).
    fn all(&mut self) -> [&mut dyn Consumer; 5] {
        [
            &mut self.rules,
            &mut self.phases,
            &mut self.versions,
            &mut self.unexplained,
            &mut self.timeline,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `text` to an analyzer with the default segment size, in chunks of `chunk`
    /// bytes; gives the most text it held at once.
    fn most_held(text: &str, chunk: usize) -> usize {
        let mut analyzer = Analyzer::new(Catalogue::builtin());
        analyzer.begin_file("agent0.log", None);
        let mut most = 0;
        for c in text.as_bytes().chunks(chunk) {
            analyzer.feed(c);
            most = most.max(analyzer.buffered());
        }
        most
    }

    /// A log of records is processed as soon as a segment's worth of it is pending (within the
    /// call that brings it).
    #[test]
    fn records_are_processed_a_segment_at_a_time() {
        let line = "11/20/25 10:00:00 (000) ECCSender.1 Sending ecc_queue.42.xml to the instance\n";
        let chunk = 64 << 10;
        let most = most_held(&line.repeat(3 * SEGMENT / line.len()), chunk);
        assert!(
            (SEGMENT - chunk..SEGMENT).contains(&most),
            "held {most} bytes"
        );
    }

    /// Text in which no line starts a record (a record cannot be cut) is held until
    /// [`MAX_PENDING`], then cut at a line break.
    #[test]
    fn text_without_records_is_held_up_to_a_limit() {
        let line = "plain words on a line\n";
        let chunk = 1 << 20;
        let most = most_held(&line.repeat(MAX_PENDING / line.len() + 4096), chunk);
        assert!(
            (MAX_PENDING - chunk..MAX_PENDING).contains(&most),
            "held {most} bytes"
        );
    }
}
