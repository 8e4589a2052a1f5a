//! File-scope conditions, evaluated while a file streams by. Only the hits that can still fall
//! in an open `within` window are held, so a pattern matched millions of times (a log full of
//! `FileNotFoundException`) costs no memory; the result is exactly what
//! [`crate::matcher::evaluate`] gives over all of the file's hits.

use std::collections::{BTreeSet, VecDeque};

use crate::matcher::holds;
use crate::rules::{Condition, PatternId};

/// A hit of a file-level pattern in one file, numbered in the order the hits came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct HitId(pub usize);

/// A hit of one of the condition's patterns, as the condition needs it.
#[derive(Debug, Clone, Copy)]
struct Held {
    id: HitId,
    pattern: PatternId,
    record: usize,
    line: u32,
    evidence: bool,
    chosen: bool,
}

/// One file-scope condition over one file.
#[derive(Debug, Default)]
pub(crate) struct FileCondition {
    present: BTreeSet<PatternId>,
    held: VecDeque<Held>,
    /// Lines of positive hits whose window is not complete yet, increasing.
    anchors: VecDeque<u32>,
    /// Distinct records among the chosen hits, the last one counted, and the chosen hits that
    /// have evidence, in order.
    records: usize,
    last_record: Option<usize>,
    chosen: Vec<HitId>,
}

/// What a condition matched in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileMatch {
    /// Separate matches: distinct records among the chosen hits.
    pub count: usize,
    /// The ids of the chosen hits that have an evidence line, in order.
    pub evidence: Vec<HitId>,
}

impl FileCondition {
    /// Takes the next hit of the file, in order, of one of `cond`'s patterns (all, any or
    /// none). `id` names the hit for its evidence; `evidence` says whether it has an evidence
    /// line.
    pub(crate) fn push(
        &mut self,
        cond: &Condition,
        id: HitId,
        (pattern, record, line): (PatternId, usize, u32),
        evidence: bool,
    ) {
        self.present.insert(pattern);
        let hit = Held {
            id,
            pattern,
            record,
            line,
            evidence,
            chosen: false,
        };
        let Some(n) = cond.within else {
            // Without a window every positive hit is chosen, if the condition holds at the end.
            if cond.is_positive(pattern) {
                self.choose(hit);
            }
            return;
        };
        while let Some(&anchor) = self.anchors.front() {
            if anchor.saturating_add(n) >= line {
                break;
            }
            self.close(cond, anchor);
            self.anchors.pop_front();
        }
        // Windows still open (and those of later anchors) start at or after this line.
        let from = self.anchors.front().copied().unwrap_or(line).min(line);
        self.release(from.saturating_sub(n));
        self.held.push_back(hit);
        if cond.is_positive(pattern) && self.anchors.back() != Some(&line) {
            self.anchors.push_back(line);
        }
    }

    /// Ends the file: what the condition matched, if it holds.
    pub(crate) fn finish(mut self, cond: &Condition) -> Option<FileMatch> {
        if cond.within.is_some() {
            while let Some(anchor) = self.anchors.pop_front() {
                self.close(cond, anchor);
            }
            while let Some(h) = self.held.pop_front() {
                self.release_one(h);
            }
        } else if !holds(cond, |p| self.present.contains(&p)) {
            return None;
        }
        // min_count is at least 1 (the loader's range), so no match means no records.
        (self.records >= cond.min_count as usize).then_some(FileMatch {
            count: self.records,
            evidence: self.chosen,
        })
    }

    /// Evaluates the window around `anchor`: if the condition holds there, its positive hits
    /// are chosen.
    fn close(&mut self, cond: &Condition, anchor: u32) {
        let Some(n) = cond.within else { return };
        let (lo, hi) = (anchor.saturating_sub(n), anchor.saturating_add(n));
        let in_window = |h: &&mut Held| h.line >= lo && h.line <= hi;
        let mut seen = BTreeSet::new();
        for h in self.held.iter_mut().filter(in_window) {
            seen.insert(h.pattern);
        }
        if holds(cond, |p| seen.contains(&p)) {
            for h in self.held.iter_mut().filter(in_window) {
                h.chosen |= cond.is_positive(h.pattern);
            }
        }
    }

    /// Lets go of the held hits before line `before`: no open window reaches them.
    fn release(&mut self, before: u32) {
        while self.held.front().is_some_and(|h| h.line < before) {
            if let Some(h) = self.held.pop_front() {
                self.release_one(h);
            }
        }
    }

    fn release_one(&mut self, h: Held) {
        if h.chosen {
            self.choose(h);
        }
    }

    /// Counts a chosen hit (hits come in record order, so a new record is a change of record).
    fn choose(&mut self, h: Held) {
        if self.last_record != Some(h.record) {
            self.last_record = Some(h.record);
            self.records += 1;
        }
        if h.evidence {
            self.chosen.push(h.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::{evaluate, PatternHit};
    use crate::rules::Scope;

    /// A small deterministic generator.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// Random hits of patterns 0..4 (lines and records in order) and random conditions give the
    /// same count and evidence streamed as [`evaluate`] gives over all the hits.
    #[test]
    fn streaming_equals_evaluating_all_hits() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut held_max = 0;
        for case in 0..3000 {
            let mut hits = Vec::new();
            let (mut line, mut record) = (1u32, 1usize);
            for _ in 0..rng.below(60) {
                match rng.below(4) {
                    0 => line += 1,
                    1 => {
                        line += 1 + rng.below(8) as u32;
                        record = line as usize;
                    }
                    _ => {}
                }
                hits.push(PatternHit {
                    pattern: PatternId(rng.below(5) as u32),
                    record,
                    line,
                    timestamp: None,
                    start: 0,
                    end: 0,
                });
            }
            let mut pick = |max: u64| -> Vec<PatternId> {
                (0..5)
                    .filter(|_| rng.below(5) < max)
                    .map(PatternId)
                    .collect()
            };
            let (all, any) = (pick(1), pick(2));
            let none: Vec<PatternId> = pick(1)
                .into_iter()
                .filter(|p| !all.contains(p) && !any.contains(p))
                .collect();
            let cond = Condition {
                scope: Scope::File,
                all,
                any,
                none,
                within: [None, Some(0), Some(1), Some(3), Some(10)][rng.below(5) as usize],
                min_count: 1 + rng.below(3) as u32,
            };
            if cond.all.is_empty() && cond.any.is_empty() {
                continue;
            }
            // Every third hit has evidence, as if the others were past the evidence cap.
            let evidence = |i: usize| i % 3 != 2;
            let want = evaluate(&cond, &hits).map(|m| FileMatch {
                count: m.count,
                evidence: m
                    .hits
                    .into_iter()
                    .filter(|&i| evidence(i))
                    .map(HitId)
                    .collect(),
            });
            let mut streamed = FileCondition::default();
            for (i, h) in hits.iter().enumerate() {
                let relevant = cond.is_positive(h.pattern) || cond.none.contains(&h.pattern);
                if relevant {
                    streamed.push(&cond, HitId(i), (h.pattern, h.record, h.line), evidence(i));
                    held_max = held_max.max(streamed.held.len());
                }
            }
            assert_eq!(
                streamed.finish(&cond),
                want,
                "case {case}: {cond:?}\n{hits:?}"
            );
        }
        assert!(
            held_max < 60,
            "holds only what a window can reach: {held_max}"
        );
    }

    /// A pattern hit on a million lines, with a 5-line window: a handful of hits are held.
    #[test]
    fn a_flood_of_hits_is_not_held() {
        let cond = Condition {
            scope: Scope::File,
            all: vec![PatternId(0), PatternId(1)],
            any: vec![],
            none: vec![],
            within: Some(5),
            min_count: 1,
        };
        let mut c = FileCondition::default();
        let mut most = 0;
        for line in 1..=1_000_000u32 {
            c.push(
                &cond,
                HitId(line as usize),
                (PatternId(0), line as usize, line),
                line <= 100,
            );
            most = most.max(c.held.len());
        }
        c.push(&cond, HitId(0), (PatternId(1), 1_000_000, 1_000_000), true);
        assert!(most <= 12, "{most}");
        let m = c.finish(&cond).expect("pattern 1 is on the last line");
        // The windows around lines 999 995 to 1 000 000 hold: lines 999 990 to 1 000 000.
        assert_eq!(
            m,
            FileMatch {
                count: 11,
                evidence: vec![HitId(0)]
            }
        );
    }

    /// A window opens once per line that has a positive hit: many hits on one line (a long
    /// line repeating a message) open one, and a `none` pattern's hits open none.
    #[test]
    fn only_lines_of_positive_hits_open_windows() {
        let cond = Condition {
            scope: Scope::File,
            all: vec![PatternId(0), PatternId(1)],
            any: vec![],
            none: vec![PatternId(2)],
            within: Some(5),
            min_count: 1,
        };
        let mut c = FileCondition::default();
        for i in 0..1000 {
            c.push(&cond, HitId(i), (PatternId(0), 1, 1), true);
        }
        assert_eq!(c.anchors, [1]);
        c.push(&cond, HitId(1000), (PatternId(2), 2, 2), false);
        c.push(&cond, HitId(1001), (PatternId(1), 3, 3), true);
        assert_eq!(c.anchors, [1, 3]);
        assert_eq!(
            c.finish(&cond),
            None,
            "the none pattern is within the window"
        );
    }
}
