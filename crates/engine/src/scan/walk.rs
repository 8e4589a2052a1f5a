//! The automaton's walk over a stretch of text, which gives every place where it is in a match
//! state. Each step waits on the one before (the next state is looked up from the current one,
//! in a table of about 2 MB that does not fit the nearest caches), so one walk runs at the
//! memory's latency, not its bandwidth. A long stretch is therefore cut at a line break near
//! its middle and its two halves are walked together, two independent chains of lookups that
//! the processor overlaps. No literal holds a line break, so after one the automaton is back
//! in its start state: the second half's walk, started there, is the one walk's continuation.
//! Its matches are handed over after the first half's, in text order as one walk gives them.

use std::ops::Range;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::Anchored;

use super::Scanner;

/// Stretches shorter than this are walked in one piece.
pub(super) const SPLIT_MIN: usize = 64 << 10;

/// A match state and where the match ends.
pub(super) type Event = (StateID, usize);

impl Scanner {
    /// Appends every match state reached in `range` of `bytes`, with the offset just after the
    /// byte that reached it, in text order, to `events`; `later` is scratch space.
    pub(super) fn walk(
        &self,
        bytes: &[u8],
        range: Range<usize>,
        events: &mut Vec<Event>,
        later: &mut Vec<Event>,
    ) {
        let half = range.start + range.len() / 2;
        let mid = (self.splittable && range.len() >= SPLIT_MIN)
            .then(|| memchr::memchr(b'\n', &bytes[half..range.end]))
            .flatten()
            .map(|i| half + i + 1)
            .filter(|&mid| mid < range.end);
        let Some(mid) = mid else {
            self.walk_from(self.start, bytes, range, events);
            return;
        };
        later.clear();
        let (first, second) = (&bytes[range.start..mid], &bytes[mid..range.end]);
        let dfa = &self.dfa;
        let (mut a, mut b) = (self.start, self.start);
        for (i, (&x, &y)) in first.iter().zip(second).enumerate() {
            a = dfa.next_state(Anchored::No, a, x);
            b = dfa.next_state(Anchored::No, b, y);
            // Match states are special; with no prefilter and an unanchored search, no other
            // state the walk can reach is.
            if dfa.is_special(a) {
                events.push((a, range.start + i + 1));
            }
            if dfa.is_special(b) {
                later.push((b, mid + i + 1));
            }
        }
        // The longer half goes on alone from where it got to.
        let n = first.len().min(second.len());
        self.walk_from(a, bytes, range.start + n..mid, events);
        self.walk_from(b, bytes, mid + n..range.end, later);
        events.append(later);
    }

    /// One walk over `range` from state `sid`.
    pub(super) fn walk_from(
        &self,
        mut sid: StateID,
        bytes: &[u8],
        range: Range<usize>,
        events: &mut Vec<Event>,
    ) {
        let dfa = &self.dfa;
        let start = range.start;
        for (i, &b) in bytes[range].iter().enumerate() {
            sid = dfa.next_state(Anchored::No, sid, b);
            if dfa.is_special(sid) {
                events.push((sid, start + i + 1));
            }
        }
    }
}
