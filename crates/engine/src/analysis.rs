//! The pipeline: bytes → decoded text → records → one scan → rule matches → findings, plus the
//! upgrade phases and versions. One file is held in memory at a time.

use std::collections::{BTreeMap, BTreeSet};

use crate::decode::{decode, Encoding};
use crate::error::Error;
use crate::finding::{self, evidence, Evidence, Finding};
use crate::flow::{self, Status};
use crate::kind::{self, FileKind};
use crate::lines::LineIndex;
use crate::matcher::{self, PatternHit};
use crate::packages::{Collector, VersionReport};
use crate::phase::{self, PhaseEvent, PhaseReport, RawEvent};
use crate::record::{parse_records, Record};
use crate::rules::{Catalogue, Scope};
use crate::scan::Target;
use crate::version;

/// One file to analyse.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The name shown in evidence and messages (a file name or `<stdin>`).
    pub name: &'a str,
    /// The raw bytes.
    pub bytes: &'a [u8],
    /// The kind, when the user overrides detection.
    pub kind: Option<FileKind>,
}

/// What the user told the flow before the logs were read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// The MID Server's status in the instance.
    pub status: Option<Status>,
    /// The instance's version (an Upgrade History "To" value, build tag or buildstamp).
    pub instance_version: Option<String>,
    /// The MID Server's version, if the user knows it.
    pub mid_version: Option<String>,
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
    /// Its number of records.
    pub records: usize,
    /// Why it could not be analysed, if it could not.
    pub error: Option<Error>,
}

/// The result of an analysis.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Analysis {
    /// The engine's version.
    pub engine: String,
    /// Each input, in order, with any problem reading it.
    pub files: Vec<FileReport>,
    /// What the rules found, most severe first.
    pub findings: Vec<Finding>,
    /// The phases of the last upgrade attempt.
    pub phase: PhaseReport,
    /// Versions from the logs and the user, compared.
    pub versions: VersionReport,
    /// What to do or look at next.
    pub next_steps: Vec<String>,
    /// Problems with what the user typed (e.g. a version that does not parse).
    pub problems: Vec<Error>,
}

/// Accumulates results across files.
#[derive(Default)]
struct State {
    found: BTreeMap<usize, Finding>,
    any_file: BTreeMap<(usize, usize), AnyFile>,
    phase_events: Vec<RawEvent>,
    versions: Collector,
}

/// Evidence for an any-file condition, by pattern.
#[derive(Default)]
struct AnyFile {
    seen: BTreeSet<usize>,
    evidence: Vec<Evidence>,
}

/// Analyses `inputs` with `catalogue`, given what the user told the flow.
pub fn analyze(catalogue: &Catalogue, inputs: &[Input<'_>], ctx: &Context) -> Analysis {
    analyze_with_progress(catalogue, inputs, ctx, &mut |_| {})
}

/// Like [`analyze`], calling `on_file` with each file's index once that file is done.
pub fn analyze_with_progress(
    catalogue: &Catalogue,
    inputs: &[Input<'_>],
    ctx: &Context,
    on_file: &mut dyn FnMut(usize),
) -> Analysis {
    let mut state = State::default();
    let mut files = Vec::with_capacity(inputs.len());
    for (order, input) in inputs.iter().enumerate() {
        files.push(analyze_file(catalogue, order, input, &mut state));
        on_file(order);
    }
    finish_any_file(catalogue, &mut state);
    let mut findings: Vec<Finding> = std::mem::take(&mut state.found).into_values().collect();
    finding::order(&mut findings);
    let phase = phase::report(state.phase_events);
    let (versions, problems) = state
        .versions
        .finish()
        .with_user(ctx.instance_version.as_deref(), ctx.mid_version.as_deref());
    let kinds = readable_kinds(&files);
    let next_steps = flow::next_steps(ctx.status, &kinds, &phase, &findings, &versions);
    Analysis {
        engine: crate::VERSION.to_string(),
        files,
        findings,
        phase,
        versions,
        next_steps,
        problems,
    }
}

fn analyze_file(
    catalogue: &Catalogue,
    order: usize,
    input: &Input<'_>,
    state: &mut State,
) -> FileReport {
    let mut report = FileReport {
        name: input.name.to_string(),
        kind: input.kind,
        encoding: None,
        lines: 0,
        records: 0,
        error: None,
    };
    let decoded = match decode(input.name, input.bytes) {
        Ok(d) => d,
        Err(e) => {
            report.error = Some(e);
            return report;
        }
    };
    let text: &str = &decoded.text;
    let kind = input.kind.unwrap_or_else(|| kind::detect(input.name, text));
    let index = LineIndex::new(text);
    let records = parse_records(order, text);
    report.kind = Some(kind);
    report.encoding = Some(decoded.encoding);
    report.lines = index.count();
    report.records = records.len();

    let file = FileText {
        name: input.name,
        text,
        index: &index,
        records: &records,
    };
    let mut hits: Vec<PatternHit> = Vec::new();
    for hit in catalogue.scanner.scan(text) {
        let Some(record) = file.record_at(hit.start) else {
            continue;
        };
        let line = index.line_of(hit.start);
        match hit.target {
            Target::Pattern(p) => hits.push(PatternHit {
                pattern: p as usize,
                record,
                line,
                start: hit.start,
                end: hit.end,
            }),
            Target::Phase(m) => {
                let marker = &phase::MARKERS[m as usize];
                let next = text[hit.end..].chars().next();
                if marker.whole_word && next.is_some_and(char::is_alphanumeric) {
                    continue;
                }
                let ev = file.evidence(line, record, hit.start, hit.end);
                state.phase_events.push(RawEvent {
                    marker: m as usize,
                    file_order: order,
                    event: PhaseEvent {
                        phase: phase::Phase::Check,
                        mark: marker.mark,
                        file: ev.file,
                        line,
                        timestamp: ev.timestamp,
                        text: ev.text,
                    },
                });
            }
            Target::Version(m) => {
                let field = version::MARKERS[m as usize].1;
                let rest_end = index.range(text, line).map_or(text.len(), |r| r.end);
                let rest = &text[hit.end..rest_end.max(hit.end)];
                state.versions.see(
                    field,
                    rest,
                    input.name,
                    order,
                    line,
                    records[record].timestamp,
                );
            }
        }
    }
    for (ri, rule) in catalogue.rules.iter().enumerate() {
        if !rule.files.contains(&kind) {
            continue;
        }
        for (ci, cond) in rule.when.iter().enumerate() {
            if cond.scope == Scope::AnyFile {
                let acc = state.any_file.entry((ri, ci)).or_default();
                for h in hits.iter().filter(|h| {
                    cond.all.contains(&h.pattern)
                        || cond.any.contains(&h.pattern)
                        || cond.none.contains(&h.pattern)
                }) {
                    acc.seen.insert(h.pattern);
                    if (cond.all.contains(&h.pattern) || cond.any.contains(&h.pattern))
                        && acc.evidence.len() < finding::MAX_EVIDENCE
                    {
                        acc.evidence
                            .push(file.evidence(h.line, h.record, h.start, h.end));
                    }
                }
                continue;
            }
            let Some(m) = matcher::evaluate(cond, &hits) else {
                continue;
            };
            let f = state.found.entry(ri).or_insert_with(|| Finding::new(rule));
            f.matches += m.count;
            for &i in &m.hits {
                let h = &hits[i];
                f.add(file.evidence(h.line, h.record, h.start, h.end));
            }
        }
    }
    report
}

fn finish_any_file(catalogue: &Catalogue, state: &mut State) {
    for ((ri, ci), acc) in std::mem::take(&mut state.any_file) {
        let cond = &catalogue.rules[ri].when[ci];
        let holds = cond.all.iter().all(|p| acc.seen.contains(p))
            && (cond.any.is_empty() || cond.any.iter().any(|p| acc.seen.contains(p)))
            && !cond.none.iter().any(|p| acc.seen.contains(p));
        if !holds || acc.evidence.len() < cond.min_count as usize {
            continue;
        }
        let f = state
            .found
            .entry(ri)
            .or_insert_with(|| Finding::new(&catalogue.rules[ri]));
        f.matches += acc.evidence.len();
        for ev in acc.evidence {
            f.add(ev);
        }
    }
}

/// A decoded file with its index and records, for building evidence.
struct FileText<'t> {
    name: &'t str,
    text: &'t str,
    index: &'t LineIndex,
    records: &'t [Record<'t>],
}

impl FileText<'_> {
    fn record_at(&self, offset: usize) -> Option<usize> {
        let i = self
            .records
            .partition_point(|r| r.start <= offset)
            .checked_sub(1)?;
        (offset <= self.records[i].end).then_some(i)
    }

    fn evidence(&self, line: u32, record: usize, start: usize, end: usize) -> Evidence {
        evidence(
            self.name,
            self.text,
            self.index,
            line,
            self.records[record].timestamp,
            start,
            end,
        )
    }
}

/// The kinds of the files that could be read, for [`crate::flow::next_steps`].
pub fn readable_kinds(files: &[FileReport]) -> Vec<FileKind> {
    files
        .iter()
        .filter(|f| f.error.is_none())
        .filter_map(|f| f.kind)
        .collect()
}

/// The ids of the findings, in order (handy for tests and summaries).
pub fn finding_ids(analysis: &Analysis) -> Vec<&str> {
    analysis.findings.iter().map(|f| f.id.as_str()).collect()
}
