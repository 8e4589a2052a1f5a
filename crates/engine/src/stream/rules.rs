//! Rule evaluation: pattern hits become what each rule found in a file, by record within a
//! segment and by file when the file ends ([`FileRules`]); files are then merged, in input
//! order, into findings, deciding the any-file conditions last ([`Findings`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::consumer::{Consumer, Scanned};
use super::segment::FileStream;
use super::FileFacts;
use crate::catalogue::Catalogue;
use crate::finding::{self, Evidence, Finding, MAX_EVIDENCE};
use crate::matcher::{self, PatternHit};
use crate::rules::{PatternId, Scope, Severity};
use crate::scan::Target;

/// What the rules found in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FileRules {
    /// The rules whose conditions held, by rule index, in index order.
    found: Vec<(usize, Fired)>,
    /// The any-file conditions of the rules that apply to the file, by (rule, condition), in
    /// that order.
    any_file: Vec<((usize, usize), AnyFile)>,
}

/// A rule that fired in a file: its matches, and its evidence in the order it was found
/// (file-scope conditions' first, then record-scope ones').
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Fired {
    matches: usize,
    evidence: Vec<Evidence>,
    /// The last match, when the evidence was full by then.
    #[serde(default)]
    latest: Option<Evidence>,
}

/// An any-file condition's patterns seen (in order, once each), and its evidence: the hits of
/// each of its positive patterns, up to that pattern's share of [`MAX_EVIDENCE`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct AnyFile {
    seen: Vec<PatternId>,
    evidence: Vec<(PatternId, Evidence)>,
}

/// An any-file condition across the files merged so far.
#[derive(Default)]
struct AnyFiles {
    seen: BTreeSet<PatternId>,
    evidence: Vec<(PatternId, Evidence)>,
}

/// Each positive pattern of an any-file condition keeps at most this many evidence lines, so
/// that a pattern repeated all through one file cannot crowd out the line, in another file,
/// that completes the proof.
fn share(cond: &crate::rules::Condition) -> usize {
    MAX_EVIDENCE / (cond.all.len() + cond.any.len()).max(1)
}

/// Whether `evidence` has room for one more line of pattern `p`.
fn room(evidence: &[(PatternId, Evidence)], p: PatternId, share: usize) -> bool {
    evidence.iter().filter(|(q, _)| *q == p).count() < share
}

/// Rule evaluation in the file being read.
pub(crate) struct RuleMatcher {
    catalogue: Arc<Catalogue>,
    /// Record-scope matches so far in the file, by rule index (a rule with none has not fired).
    matches: Vec<usize>,
    /// For each record-scope condition: the hits of its patterns in the segment at hand.
    relevant: Vec<Vec<u32>>,
    /// The segment's pattern hits (kept between segments, so that a storm's hits do not cost
    /// a fresh allocation each time).
    hits: Vec<PatternHit>,
}

impl RuleMatcher {
    pub(crate) fn new(catalogue: Arc<Catalogue>) -> RuleMatcher {
        RuleMatcher {
            relevant: vec![Vec::new(); catalogue.index.record_conds.len()],
            hits: Vec::new(),
            matches: vec![0; catalogue.rules.len()],
            catalogue,
        }
    }

    /// The rules that fired so far in the file being read (record scope).
    pub(crate) fn fired(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.matches.len()).filter(|&ri| self.matches[ri] > 0)
    }
}

impl Consumer for RuleMatcher {
    fn segment(&mut self, file: &mut FileStream, scanned: &Scanned<'_, '_>) {
        let seg = scanned.seg;
        let index = &self.catalogue.index;
        let mut hits = std::mem::take(&mut self.hits);
        hits.clear();
        for r in &mut self.relevant {
            r.clear();
        }
        for hit in scanned.hits {
            let Target::Pattern(p) = hit.target else {
                continue;
            };
            for &k in &index.record_conds_of[p.index()] {
                self.relevant[k as usize].push(hits.len() as u32);
            }
            hits.push(PatternHit {
                pattern: p,
                record: hit.record.id,
                line: hit.line,
                timestamp: hit.record.timestamp,
                start: hit.start,
                end: hit.end,
            });
            // Hits of file-level patterns are kept until the file ends.
            if index.file_pattern[p.index()] {
                let (id, evidence) =
                    file.keep_file_hit(seg, p, hit.record, hit.line, hit.start, hit.end);
                for &k in &index.conds_of[p.index()] {
                    let (ri, ci) = index.file_conds[k.0];
                    let cond = &self.catalogue.rules[ri].when[ci];
                    let at = (p, hit.record.id, seg.line_base + hit.line);
                    file.conditions[k.0].push(cond, id, at, evidence);
                }
            }
        }
        let mut chosen: Vec<usize> = Vec::new();
        for (k, &(ri, ci)) in index.record_conds.iter().enumerate() {
            let relevant = &self.relevant[k];
            let rule = &self.catalogue.rules[ri];
            if relevant.is_empty() || !rule.files.contains(&scanned.kind) {
                continue;
            }
            // Evidence is built for at most the cap's worth of lines per file: a full finding
            // shares its room between files (Finding::add). Past the cap, hits are only counted.
            let (mut kept, mut last) = file.record_kept[ri];
            let mut latest = None;
            let count = matcher::each_record(&rule.when[ci], &hits, relevant, |i| {
                latest = Some(i);
                let line = seg.line_base + hits[i].line;
                if last != line {
                    if kept >= MAX_EVIDENCE {
                        return;
                    }
                    (kept, last) = (kept + 1, line);
                }
                chosen.push(i);
            });
            if count == 0 {
                continue;
            }
            file.record_kept[ri] = (kept, last);
            self.matches[ri] += count;
            // The last match is kept apart once the evidence is full (for the timeline).
            if let Some(h) = latest.map(|i| &hits[i]) {
                let line = seg.line_base + h.line;
                if line != last {
                    let text = crate::lines::line_at(seg.text, h.start);
                    let text = crate::lines::head(&seg.text[text], finding::MAX_LINE);
                    file.record_latest[ri] = Some(Evidence::alone(
                        &file.name,
                        line,
                        h.timestamp,
                        text.to_string(),
                    ));
                }
            }
            for i in chosen.drain(..) {
                let h = &hits[i];
                let idx = file.build(seg, h.line, h.timestamp, h.start, h.end);
                file.record_evidence.push((ri, idx));
            }
        }
        // Kept natively only (see `Analyzer::process`).
        if !cfg!(target_arch = "wasm32") {
            self.hits = hits;
        }
    }

    fn end_file(&mut self, file: &mut FileStream, facts: &mut FileFacts) {
        // By rule index: whether the rule fired, with what.
        let mut found: Vec<Option<Fired>> = vec![None; self.matches.len()];
        let mut any_file = Vec::new();
        if let Some(kind) = file.kind {
            self.file_scope(file, kind, &mut found, &mut any_file);
        }
        for (ri, matches) in self.matches.iter_mut().enumerate() {
            if *matches > 0 {
                found[ri].get_or_insert_with(Fired::default).matches += *matches;
                *matches = 0;
            }
        }
        for &(ri, idx) in &file.record_evidence {
            if let Some(f) = found[ri].as_mut() {
                f.evidence.push(file.arena[idx].clone());
            }
        }
        for (ri, latest) in file.record_latest.iter_mut().enumerate() {
            if let (Some(f), Some(ev)) = (found[ri].as_mut(), latest.take()) {
                f.latest = Some(ev);
            }
        }
        let found = found.into_iter().enumerate();
        facts.rules = FileRules {
            found: found.filter_map(|(ri, f)| Some((ri, f?))).collect(),
            any_file,
        };
    }
}

impl RuleMatcher {
    /// The file- and any-file-scope conditions of the rules that apply to files of `kind`.
    fn file_scope(
        &self,
        file: &mut FileStream,
        kind: crate::kind::FileKind,
        found: &mut [Option<Fired>],
        any_file: &mut Vec<((usize, usize), AnyFile)>,
    ) {
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
                        let f = found[ri].get_or_insert_with(Fired::default);
                        f.matches += m.count;
                        for id in m.evidence {
                            if let Some(ev) = file.evidence_of(id) {
                                f.evidence.push(ev.clone());
                            }
                        }
                    }
                    Scope::AnyFile => {
                        // Each (rule, condition) once, in order.
                        any_file.push(((ri, ci), AnyFile::default()));
                        let Some((_, acc)) = any_file.last_mut() else {
                            continue;
                        };
                        for p in cond.patterns() {
                            if file.present.contains(&p) && !acc.seen.contains(&p) {
                                acc.seen.push(p);
                            }
                        }
                        let share = share(cond);
                        for &(p, _, idx) in &file.evidence_hits {
                            if cond.is_positive(p) && room(&acc.evidence, p, share) {
                                acc.evidence.push((p, file.arena[idx].clone()));
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The findings of the files merged so far, in input order.
pub(crate) struct Findings {
    catalogue: Arc<Catalogue>,
    /// Findings by rule index.
    found: BTreeMap<usize, Finding>,
    /// Any-file conditions by (rule, condition) index, gathered across files.
    any_file: BTreeMap<(usize, usize), AnyFiles>,
}

impl Findings {
    pub(crate) fn new(catalogue: Arc<Catalogue>) -> Findings {
        Findings {
            catalogue,
            found: BTreeMap::new(),
            any_file: BTreeMap::new(),
        }
    }

    /// Adds the next file's rules.
    pub(crate) fn add(&mut self, file: FileRules) {
        for (ri, fired) in file.found {
            let f = self
                .found
                .entry(ri)
                .or_insert_with(|| Finding::new(&self.catalogue.rules[ri]));
            f.matches += fired.matches;
            for ev in fired.evidence {
                f.add(ev);
            }
            // Files come in input order: a later one's last match is the later one, unless
            // the times say otherwise.
            if let Some(ev) = fired.latest {
                if f.latest
                    .as_ref()
                    .is_none_or(|l| ev.timestamp >= l.timestamp)
                {
                    f.latest = Some(ev);
                }
            }
        }
        for ((ri, ci), more) in file.any_file {
            let share = share(&self.catalogue.rules[ri].when[ci]);
            let acc = self.any_file.entry((ri, ci)).or_default();
            acc.seen.extend(more.seen);
            for (p, ev) in more.evidence {
                if room(&acc.evidence, p, share) {
                    acc.evidence.push((p, ev));
                }
            }
        }
    }

    /// Every finding, with the any-file conditions decided, in report order.
    pub(crate) fn finish(mut self) -> Vec<Finding> {
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
            for (_, ev) in acc.evidence {
                f.add(ev);
            }
        }
        let mut findings: Vec<Finding> = self.found.into_values().collect();
        finding::order(&mut findings);
        findings
    }
}

/// The rules `fired` (indices, any order, repeats allowed) as (id, title, severity), most
/// severe first.
pub(crate) fn so_far(
    catalogue: &Catalogue,
    fired: impl Iterator<Item = usize>,
) -> Vec<(&str, &str, Severity)> {
    let fired: BTreeSet<usize> = fired.collect();
    let mut out: Vec<_> = fired
        .into_iter()
        .map(|ri| {
            let r = &catalogue.rules[ri];
            (r.id.as_str(), r.title.as_str(), r.severity)
        })
        .collect();
    crate::sort::sort_stable_by(&mut out, |a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    out
}

impl FileRules {
    /// The rules that fired in the file.
    pub(crate) fn fired(&self) -> impl Iterator<Item = usize> + '_ {
        self.found.iter().map(|(ri, _)| *ri)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::Analyzer;

    /// What the rules found in one file of `text`, read in segments of `segment` bytes.
    fn part(catalogue: &Arc<Catalogue>, name: &str, text: &str, segment: usize) -> FileRules {
        let mut analyzer = Analyzer::new(catalogue).with_segment_size(segment);
        analyzer.begin_file(name, None);
        analyzer.feed(text.as_bytes());
        let mut partial = analyzer.finish_partial();
        partial.files.remove(0).rules
    }

    /// A file's part (what a worker sends back) keeps at most the cap of evidence per rule,
    /// however often the rule matched, while still counting every match.
    #[test]
    fn a_files_part_keeps_evidence_within_the_cap() {
        let line = "11/20/25 10:00:00 (000) AutoUpgrade.3600 SEVERE *** ERROR *** Aborting MID \
                    Server upgrade due to pre-upgrade check failure: Unable to download updates \
                    from install server\n";
        let n = 3 * MAX_EVIDENCE;
        let text = line.repeat(n);
        for segment in [1 << 20, 4096] {
            let rules = part(Catalogue::builtin(), "agent0.log.0", &text, segment);
            assert!(!rules.found.is_empty());
            for (ri, fired) in &rules.found {
                assert_eq!(fired.matches, n, "rule {ri}, segments of {segment}");
                assert_eq!(fired.evidence.len(), MAX_EVIDENCE, "rule {ri}");
            }
        }
    }

    /// An any-file condition's part keeps at most each positive pattern's share.
    #[test]
    fn a_files_any_file_part_keeps_each_patterns_share() {
        let rules = "[[rule]]\nid = \"x\"\ntitle = \"t\"\nseverity = \"error\"\nkb = \"KB0596459\"\n\
                     step = 4\nsummary = \"s\"\nresolution = [\"r\"]\n[[rule.when]]\n\
                     scope = \"any-file\"\nall = [\"alpha one\", \"beta two\"]\n\
                     any = [\"gamma three\"]\n[rule.samples]\nfire = [\"alpha one\\nbeta two\\ngamma three\"]\n";
        let extra = Catalogue::with_extra(&[("site.toml", rules)]);
        let catalogue = extra.catalogue.expect("the rules load");
        let text = "alpha one\nbeta two\n".repeat(2 * MAX_EVIDENCE);
        let part = part(&catalogue, "a.txt", &text, 4096);
        let [(_, acc)] = part.any_file.as_slice() else {
            panic!("one any-file condition: {:?}", part.any_file);
        };
        let rule = catalogue.rule("x").expect("the rule");
        let share = MAX_EVIDENCE / 3;
        let per = |p: PatternId| acc.evidence.iter().filter(|(q, _)| *q == p).count();
        let (alpha, beta) = (rule.when[0].all[0], rule.when[0].all[1]);
        assert_eq!((per(alpha), per(beta)), (share, share));
        assert_eq!(acc.seen.len(), 2, "alpha and beta, each once");
    }

    /// So does a file-scope condition: each of its patterns keeps at most the cap of
    /// evidence lines in a file.
    #[test]
    fn a_files_file_scope_part_keeps_evidence_within_the_cap() {
        let rules =
            "[[rule]]\nid = \"x\"\ntitle = \"t\"\nseverity = \"error\"\nkb = \"KB0596459\"\n\
                     step = 4\nsummary = \"s\"\nresolution = [\"r\"]\n[[rule.when]]\n\
                     scope = \"file\"\nall = [\"alpha one\"]\n\
                     [rule.samples]\nfire = [\"alpha one\"]\n";
        let extra = Catalogue::with_extra(&[("site.toml", rules)]);
        let catalogue = extra.catalogue.expect("the rules load");
        let n = 3 * MAX_EVIDENCE;
        let part = part(&catalogue, "a.txt", &"alpha one\n".repeat(n), 4096);
        let [(_, fired)] = part.found.as_slice() else {
            panic!("one rule fires: {:?}", part.found);
        };
        assert_eq!((fired.matches, fired.evidence.len()), (n, MAX_EVIDENCE));
    }
}
