//! Evaluating a rule's conditions over the pattern hits of one file: record scope here, as the
//! analyzer does it; file scope streams (`file_scope.rs`), checked against [`evaluate`], the
//! reference that evaluates any condition over all of a file's hits at once.

#[cfg(test)]
use std::collections::BTreeSet;

#[cfg(test)]
use crate::rules::Scope;
use crate::rules::{Condition, PatternId};

/// A rule pattern matched inside a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PatternHit {
    pub pattern: PatternId,
    /// The record: the file-wide number of its first line.
    pub record: usize,
    pub line: u32,
    /// The record's time.
    pub timestamp: Option<crate::timestamp::Timestamp>,
    pub start: usize,
    pub end: usize,
}

/// The hits that satisfied a condition, and how many separate matches they make.
#[cfg(test)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Matched {
    /// Indices into the hits given to [`evaluate`], in order.
    pub hits: Vec<usize>,
    /// Separate matches: records for record scope, distinct records with evidence otherwise.
    pub count: usize,
}

/// Whether a condition holds, given which of its patterns are present.
pub(crate) fn holds(cond: &Condition, present: impl Fn(PatternId) -> bool) -> bool {
    cond.all.iter().all(|&p| present(p))
        && (cond.any.is_empty() || cond.any.iter().any(|&p| present(p)))
        && !cond.none.iter().any(|&p| present(p))
}

/// Evaluates a record-scope condition over the hits of its patterns (`relevant`: indices into
/// `hits`, in offset order). Returns the number of records it holds in, and calls `keep` with
/// each of their hits of a positive pattern, in order, when there are at least `min_count` of
/// them (as [`evaluate`] would choose them). Counting costs no more than reading the indices,
/// however many records match.
pub(crate) fn each_record(
    cond: &Condition,
    hits: &[PatternHit],
    relevant: &[u32],
    mut keep: impl FnMut(usize),
) -> usize {
    let groups = || relevant.chunk_by(|&a, &b| hits[a as usize].record == hits[b as usize].record);
    let holding = |group: &&[u32]| {
        holds(cond, |p| {
            group.iter().any(|&i| hits[i as usize].pattern == p)
        })
    };
    let min = cond.min_count as usize;
    let mut count = 0;
    // The positive hits of the first records, held until `min` records are reached.
    let mut held: Vec<usize> = Vec::new();
    for group in groups().filter(holding) {
        count += 1;
        let positive = group.iter().map(|&i| i as usize);
        let positive = positive.filter(|&i| cond.is_positive(hits[i].pattern));
        if count < min {
            held.extend(positive);
            continue;
        }
        for i in held.drain(..).chain(positive) {
            keep(i);
        }
    }
    if count < min {
        0
    } else {
        count
    }
}

/// Evaluates a record- or file-scope condition over one file's hits (sorted by offset).
/// Any-file conditions are evaluated by the caller across files.
#[cfg(test)]
pub(crate) fn evaluate(cond: &Condition, hits: &[PatternHit]) -> Option<Matched> {
    let positive = |p: PatternId| cond.is_positive(p);
    let relevant: Vec<usize> = (0..hits.len())
        .filter(|&i| positive(hits[i].pattern) || cond.none.contains(&hits[i].pattern))
        .collect();
    let mut chosen: BTreeSet<usize> = BTreeSet::new();
    let mut count = 0;
    match (cond.scope, cond.within) {
        (Scope::Record, _) => {
            for group in relevant.chunk_by(|&a, &b| hits[a].record == hits[b].record) {
                if holds(cond, |p| group.iter().any(|&i| hits[i].pattern == p)) {
                    count += 1;
                    chosen.extend(group.iter().filter(|&&i| positive(hits[i].pattern)));
                }
            }
        }
        (Scope::File, None) => {
            if holds(cond, |p| relevant.iter().any(|&i| hits[i].pattern == p)) {
                chosen.extend(relevant.iter().filter(|&&i| positive(hits[i].pattern)));
            }
        }
        (Scope::File, Some(n)) => {
            let mut anchors: Vec<u32> = relevant
                .iter()
                .filter(|&&i| positive(hits[i].pattern))
                .map(|&i| hits[i].line)
                .collect();
            anchors.dedup();
            for line in anchors {
                let lo = relevant.partition_point(|&i| hits[i].line < line.saturating_sub(n));
                let hi = relevant.partition_point(|&i| hits[i].line <= line.saturating_add(n));
                let window = &relevant[lo..hi];
                if holds(cond, |p| window.iter().any(|&i| hits[i].pattern == p)) {
                    chosen.extend(window.iter().filter(|&&i| positive(hits[i].pattern)));
                }
            }
        }
        (Scope::AnyFile, _) => return None,
    }
    if cond.scope != Scope::Record {
        let records: BTreeSet<usize> = chosen.iter().map(|&i| hits[i].record).collect();
        count = records.len();
    }
    (!chosen.is_empty() && count >= cond.min_count as usize).then(|| Matched {
        hits: chosen.into_iter().collect(),
        count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(p: &[u32]) -> Vec<PatternId> {
        p.iter().copied().map(PatternId).collect()
    }

    fn cond(scope: Scope, all: &[u32], any: &[u32], none: &[u32]) -> Condition {
        Condition {
            scope,
            all: ids(all),
            any: ids(any),
            none: ids(none),
            within: None,
            min_count: 1,
        }
    }

    fn hit(pattern: u32, record: usize, line: u32) -> PatternHit {
        PatternHit {
            pattern: PatternId(pattern),
            record,
            line,
            timestamp: None,
            start: line as usize * 100,
            end: line as usize * 100 + 5,
        }
    }

    #[test]
    fn record_scope_needs_all_patterns_in_one_record() {
        let c = cond(Scope::Record, &[0, 1], &[], &[]);
        assert_eq!(evaluate(&c, &[hit(0, 0, 1), hit(1, 1, 2)]), None);
        let m = evaluate(&c, &[hit(0, 0, 1), hit(0, 1, 2), hit(1, 1, 3)]).unwrap();
        assert_eq!((m.hits, m.count), (vec![1, 2], 1));
    }

    #[test]
    fn none_patterns_veto_their_record_only() {
        let c = cond(Scope::Record, &[], &[0], &[2]);
        let m = evaluate(&c, &[hit(0, 0, 1), hit(2, 0, 1), hit(0, 1, 2)]).unwrap();
        assert_eq!(m.hits, vec![2]);
        assert_eq!(
            evaluate(
                &cond(Scope::File, &[], &[0], &[2]),
                &[hit(0, 0, 1), hit(2, 5, 9)]
            ),
            None
        );
    }

    #[test]
    fn file_scope_within_lines() {
        let mut c = cond(Scope::File, &[0, 1], &[], &[]);
        c.within = Some(3);
        assert_eq!(evaluate(&c, &[hit(0, 0, 1), hit(1, 5, 10)]), None);
        let m = evaluate(&c, &[hit(0, 0, 1), hit(0, 4, 8), hit(1, 5, 10)]).unwrap();
        assert_eq!((m.hits, m.count), (vec![1, 2], 2));
        c.within = None;
        assert_eq!(
            evaluate(&c, &[hit(0, 0, 1), hit(1, 5, 10)]).unwrap().count,
            2
        );
    }

    #[test]
    fn min_count_counts_separate_records() {
        let mut c = cond(Scope::File, &[], &[0], &[]);
        c.min_count = 3;
        assert_eq!(evaluate(&c, &[hit(0, 0, 1), hit(0, 1, 2)]), None);
        assert_eq!(
            evaluate(&c, &[hit(0, 0, 1), hit(0, 1, 2), hit(0, 7, 9)])
                .unwrap()
                .count,
            3
        );
    }

    /// The analyzer's record-scope evaluation, fed only the hits of a condition's patterns,
    /// counts the records and keeps the hits that the reference chooses, whatever the hits.
    #[test]
    fn each_record_agrees_with_the_reference() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let conds = [
            cond(Scope::Record, &[0, 1], &[], &[]),
            cond(Scope::Record, &[], &[0, 2], &[3]),
            cond(Scope::Record, &[1], &[2, 3], &[]),
            Condition {
                min_count: 3,
                ..cond(Scope::Record, &[0], &[], &[])
            },
            Condition {
                min_count: 2,
                ..cond(Scope::Record, &[], &[1, 2], &[0])
            },
        ];
        let mut fired = 0;
        for _ in 0..2000 {
            let mut hits = Vec::new();
            let (mut record, mut line) = (0usize, 1u32);
            for _ in 0..next(12) {
                if next(3) == 0 {
                    record += 1 + next(3) as usize;
                }
                line += next(2) as u32;
                hits.push(hit(next(5) as u32, record, line));
            }
            for c in &conds {
                let relevant: Vec<u32> = (0..hits.len() as u32)
                    .filter(|&i| c.patterns().any(|p| p == hits[i as usize].pattern))
                    .collect();
                let mut kept = Vec::new();
                let count = each_record(c, &hits, &relevant, |i| kept.push(i));
                let want = evaluate(c, &hits).map(|m| (m.count, m.hits));
                assert_eq!(
                    (count > 0).then_some((count, kept)),
                    want,
                    "{c:?} over {hits:?}"
                );
                fired += usize::from(count > 0);
            }
        }
        assert!(fired > 1000, "{fired}");
    }
}
