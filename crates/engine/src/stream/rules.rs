//! Rule evaluation: pattern hits become findings, by record within a segment, by file when a
//! file ends, and across files when the analysis ends.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::consumer::{Consumer, Scanned};
use super::segment::FileStream;
use crate::catalogue::Catalogue;
use crate::finding::{self, Evidence, Finding, MAX_EVIDENCE};
use crate::matcher::{self, PatternHit};
use crate::rules::{PatternId, Scope};
use crate::scan::Target;

/// Evidence for an any-file condition, gathered across files.
#[derive(Default)]
struct AnyFile {
    seen: BTreeSet<PatternId>,
    evidence: Vec<Evidence>,
}

/// The rules' state over the whole analysis.
pub(crate) struct RuleMatcher {
    catalogue: Arc<Catalogue>,
    /// Findings by rule index.
    found: BTreeMap<usize, Finding>,
    /// Any-file conditions by (rule, condition) index.
    any_file: BTreeMap<(usize, usize), AnyFile>,
}

impl RuleMatcher {
    pub(crate) fn new(catalogue: Arc<Catalogue>) -> RuleMatcher {
        RuleMatcher {
            catalogue,
            found: BTreeMap::new(),
            any_file: BTreeMap::new(),
        }
    }

    /// The findings made so far, most severe first, as (id, title, severity).
    pub(crate) fn so_far(&self) -> Vec<(&str, &str, crate::rules::Severity)> {
        let mut out: Vec<_> = self
            .found
            .values()
            .map(|f| (f.id.as_str(), f.title.as_str(), f.severity))
            .collect();
        crate::sort::sort_stable_by(&mut out, |a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
        out
    }

    /// Every finding, with the any-file conditions decided, in report order.
    pub(crate) fn finish(mut self) -> Vec<Finding> {
        self.finish_any_file();
        let mut findings: Vec<Finding> = std::mem::take(&mut self.found).into_values().collect();
        finding::order(&mut findings);
        findings
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

impl Consumer for RuleMatcher {
    fn segment(&mut self, file: &mut FileStream, scanned: &Scanned<'_, '_>) {
        let seg = scanned.seg;
        let index = &self.catalogue.index;
        let mut hits: Vec<PatternHit> = Vec::new();
        for hit in scanned.hits {
            let Target::Pattern(p) = hit.target else {
                continue;
            };
            hits.push(PatternHit {
                pattern: p,
                record: hit.record.id,
                line: hit.line,
                timestamp: hit.record.timestamp,
                start: hit.start,
                end: hit.end,
            });
            // Hits of file-level patterns are kept until the file ends.
            if index.file_patterns.contains(&p) {
                let (id, evidence) =
                    file.keep_file_hit(seg, p, hit.record, hit.line, hit.start, hit.end);
                for &k in index.conds_of.get(&p).map_or(&[][..], Vec::as_slice) {
                    let (ri, ci) = index.file_conds[k.0];
                    let cond = &self.catalogue.rules[ri].when[ci];
                    let at = (p, hit.record.id, seg.line_base + hit.line);
                    file.conditions[k.0].push(cond, id, at, evidence);
                }
            }
        }
        for (ri, rule) in self.catalogue.rules.iter().enumerate() {
            if !rule.files.contains(&scanned.kind) {
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
                    let idx = file.build(seg, h.line, h.timestamp, h.start, h.end);
                    file.record_evidence.push((ri, idx));
                }
            }
        }
    }

    fn end_file(&mut self, file: &mut FileStream) {
        self.evaluate_file_scope(file);
        for &(ri, idx) in &file.record_evidence {
            if let Some(f) = self.found.get_mut(&ri) {
                f.add(file.arena[idx].clone());
            }
        }
    }
}

impl RuleMatcher {
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
                        for p in cond.patterns() {
                            if file.present.contains(&p) {
                                acc.seen.insert(p);
                            }
                        }
                        for (p, id) in &file.evidence_hits {
                            if cond.is_positive(*p) && acc.evidence.len() < MAX_EVIDENCE {
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
}
