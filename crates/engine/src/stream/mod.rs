//! The streaming analyzer: files arrive in chunks of any size and are never held whole.
//!
//! Decoded text is processed in segments cut just before a line that starts a new record, so a
//! record never straddles a cut. Record-scope conditions are evaluated per segment; the hits of
//! patterns used by file- and any-file-scope conditions are kept (compactly) until the file
//! ends. Evidence is built while its segment is in memory; context lines that fall in the next
//! segment are filled in when it arrives.

mod segment;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::catalogue::Catalogue;
use crate::config;
use crate::decode::Encoding;
use crate::decode::StreamDecoder;
use crate::error::Error;
use crate::file_scope::FileCondition;
use crate::finding::{self, Evidence, Finding, MAX_EVIDENCE};
use crate::kind::{self, FileKind};
use crate::matcher::{self, PatternHit};
use crate::packages::Collector;
use crate::packages::VersionReport;
use crate::phase::{self, PhaseEvent, PhaseReport, RawEvent};
use crate::rules::Scope;

use crate::scan::Target;
use crate::version;
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use segment::check_lazy_records;
use segment::{cut_point, enough_to_detect, FileStream, Segment};

/// What an analysis found in the logs, before the user's answers are applied.
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
    /// The user's own rules files, used or left out.
    pub rules_files: Vec<crate::rules::RulesFile>,
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

/// Pending text is processed once it reaches this many bytes (and at the end of a file).
pub const SEGMENT: usize = 4 << 20;
/// Without a record boundary, a segment is cut at a line boundary once this large.
pub(crate) const MAX_PENDING: usize = 32 << 20;
/// How far back a record boundary is looked for, in lines.
pub(crate) const LOOKBACK_LINES: usize = 4096;

/// Evidence for an any-file condition, gathered across files.
#[derive(Default)]
struct AnyFile {
    seen: BTreeSet<usize>,
    evidence: Vec<Evidence>,
}

/// Analyses files fed in chunks; see [`crate::analyze`] for the one-call form.
pub struct Analyzer {
    /// Shared with other analyses (and the worker's cache); dropped with the last of them.
    catalogue: Arc<Catalogue>,
    segment: usize,
    found: BTreeMap<usize, Finding>,
    any_file: BTreeMap<(usize, usize), AnyFile>,
    phase_events: Vec<RawEvent>,
    versions: Collector,
    files: Vec<FileReport>,
    configs: Vec<config::ConfigReport>,
    notes: Vec<Error>,
    rules_files: Vec<crate::rules::RulesFile>,
    current: Option<FileStream>,
}

impl Analyzer {
    /// A new analysis with `catalogue`.
    pub fn new(catalogue: &Arc<Catalogue>) -> Analyzer {
        Analyzer {
            catalogue: Arc::clone(catalogue),
            segment: SEGMENT,
            found: BTreeMap::new(),
            any_file: BTreeMap::new(),
            phase_events: Vec::new(),
            versions: Collector::default(),
            files: Vec::new(),
            configs: Vec::new(),
            notes: Vec::new(),
            rules_files: Vec::new(),
            current: None,
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
            order: self.files.len(),
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
            record_kept: HashMap::new(),
            hits_seen: 0,
            present: BTreeSet::new(),
            evidence_hits: Vec::new(),
            conditions: (0..self.catalogue.index.file_conds.len())
                .map(|_| FileCondition::default())
                .collect(),
            hit_evidence: HashMap::new(),
            evidence_per_pattern: HashMap::new(),
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
        let mut out: Vec<_> = self
            .found
            .values()
            .map(|f| (f.id.as_str(), f.title.as_str(), f.severity))
            .collect();
        crate::sort::sort_stable_by(&mut out, |a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
        out
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
        if let Some(text) = file.config.take() {
            self.configs.push(match file.config_dropped {
                0 => config::check(&file.name, &text),
                dropped => config::too_large(&file.name, text.len() + dropped),
            });
        }
        self.evaluate_file_scope(&mut file);
        for &(ri, idx) in &file.record_evidence {
            if let Some(f) = self.found.get_mut(&ri) {
                f.add(file.arena[idx].clone());
            }
        }
        let read_anything = file.lines_done > 0;
        self.files.push(FileReport {
            name: file.name,
            kind: if read_anything { file.kind } else { None },
            encoding: if read_anything {
                file.decoder.encoding()
            } else {
                None
            },
            lines: file.lines_done as usize,
            error: file.error,
        });
    }

    /// Ends the analysis: what the logs show, before the user's answers are applied
    /// (`flow::conclude` does that).
    pub fn finish(mut self) -> Facts {
        self.end_file();
        self.finish_any_file();
        let mut findings: Vec<Finding> = std::mem::take(&mut self.found).into_values().collect();
        finding::order(&mut findings);
        Facts {
            files: self.files,
            findings,
            phase: phase::report(self.phase_events),
            versions: self.versions.finish(),
            config: self.configs,
            rules_files: self.rules_files,
            problems: self.notes,
        }
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
        let mut hits: Vec<PatternHit> = Vec::new();
        let scanner = &self.catalogue.scanner;
        let prefilter = file
            .prefilter
            .get_or_insert_with(|| scanner.prefilter(text));
        for hit in scanner.scan(text, prefilter.as_ref()) {
            let line = seg.line_of(hit.start);
            let Some(record) = seg.record_at(hit.start, line) else {
                continue;
            };
            match hit.target {
                Target::Pattern(p) => {
                    let p = p as usize;
                    hits.push(PatternHit {
                        pattern: p,
                        record: record.id,
                        line,
                        timestamp: record.timestamp,
                        start: hit.start,
                        end: hit.end,
                    });
                    if self.catalogue.index.file_patterns.contains(&p) {
                        let (id, evidence) =
                            file.keep_file_hit(&seg, p, record, line, hit.start, hit.end);
                        for &k in self
                            .catalogue
                            .index
                            .conds_of
                            .get(&p)
                            .map_or(&[][..], Vec::as_slice)
                        {
                            let (ri, ci) = self.catalogue.index.file_conds[k];
                            let cond = &self.catalogue.rules[ri].when[ci];
                            let at = (p, record.id, seg.line_base + line);
                            file.conditions[k].push(cond, id, at, evidence);
                        }
                    }
                }
                Target::Phase(m) => {
                    let marker = &phase::MARKERS[m as usize];
                    if marker.whole_word
                        && text[hit.end..]
                            .chars()
                            .next()
                            .is_some_and(char::is_alphanumeric)
                    {
                        continue;
                    }
                    let ev = seg.evidence(&file.name, line, record.timestamp, hit.start, hit.end);
                    self.phase_events.push(RawEvent {
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
                Target::Version(m) => {
                    let rest_end = crate::lines::line_at(text, hit.end).end.max(hit.end);
                    let field = version::MARKERS[m as usize].1;
                    let ts = record.timestamp;
                    self.versions.see(
                        field,
                        &text[hit.end..rest_end],
                        &file.name,
                        file.order,
                        seg.line_base + line,
                        ts,
                    );
                }
            }
        }
        for (ri, rule) in self.catalogue.rules.iter().enumerate() {
            if !rule.files.contains(&kind) {
                continue;
            }
            for cond in rule.when.iter().filter(|c| c.scope == Scope::Record) {
                let Some(m) = matcher::evaluate(cond, &hits) else {
                    continue;
                };
                let finding = self.found.entry(ri).or_insert_with(|| Finding::new(rule));
                finding.matches += m.count;
                // Evidence is built for at most the cap's worth of lines per file: a full
                // finding shares its room between files (Finding::add).
                for &i in &m.hits {
                    let h = &hits[i];
                    let line = seg.line_base + h.line;
                    let (kept, last) = file.record_kept.entry(ri).or_insert((0, 0));
                    if *last != line {
                        if *kept >= MAX_EVIDENCE {
                            continue;
                        }
                        (*kept, *last) = (*kept + 1, line);
                    }
                    let idx = file.build(&seg, h.line, h.timestamp, h.start, h.end);
                    file.record_evidence.push((ri, idx));
                }
            }
        }
        let count = seg.line_count();
        file.remember_tail(text, count);
        file.lines_done += count;
    }

    fn evaluate_file_scope(&mut self, file: &mut FileStream) {
        let Some(kind) = file.kind else { return };
        for (ri, rule) in self.catalogue.rules.iter().enumerate() {
            if !rule.files.contains(&kind) {
                continue;
            }
            for (ci, cond) in rule.when.iter().enumerate() {
                match cond.scope {
                    Scope::Record => {}
                    Scope::File => {
                        let Some(k) = self
                            .catalogue
                            .index
                            .file_conds
                            .iter()
                            .position(|&c| c == (ri, ci))
                        else {
                            continue;
                        };
                        let Some(m) = std::mem::take(&mut file.conditions[k]).finish(cond) else {
                            continue;
                        };
                        let f = self.found.entry(ri).or_insert_with(|| Finding::new(rule));
                        f.matches += m.count;
                        for id in m.evidence {
                            if let Some(&idx) = file.hit_evidence.get(&id) {
                                f.add(file.arena[idx].clone());
                            }
                        }
                    }
                    Scope::AnyFile => {
                        let acc = self.any_file.entry((ri, ci)).or_default();
                        let positive = |p: &usize| cond.all.contains(p) || cond.any.contains(p);
                        for &p in cond.all.iter().chain(&cond.any).chain(&cond.none) {
                            if file.present.contains(&p) {
                                acc.seen.insert(p);
                            }
                        }
                        for (p, id) in &file.evidence_hits {
                            if positive(p) && acc.evidence.len() < MAX_EVIDENCE {
                                if let Some(&idx) = file.hit_evidence.get(id) {
                                    acc.evidence.push(file.arena[idx].clone());
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    fn finish_any_file(&mut self) {
        for ((ri, ci), acc) in std::mem::take(&mut self.any_file) {
            let cond = &self.catalogue.rules[ri].when[ci];
            let holds = matcher::holds(cond, |p| acc.seen.contains(&p));
            if !holds || acc.evidence.len() < cond.min_count as usize {
                continue;
            }
            let f = self
                .found
                .entry(ri)
                .or_insert_with(|| Finding::new(&self.catalogue.rules[ri]));
            f.matches += acc.evidence.len();
            for ev in acc.evidence {
                f.add(ev);
            }
        }
    }
}
