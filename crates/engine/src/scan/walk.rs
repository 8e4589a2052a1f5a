//! The automaton's walk over a stretch of text, which gives every place where it is in a match
//! state. Each step waits on the one before (the next state is looked up from the current one,
//! in a table of about 2 MB that does not fit the nearest caches), so one walk runs at the
//! memory's latency, not its bandwidth. A long stretch is therefore cut at line breaks into
//! [`CHAINS`] parts of about equal length, walked together: independent chains of lookups that
//! the processor overlaps. No literal holds a line break, so after one the automaton is back
//! in its start state: each part's walk, started there, is the one walk's continuation. The
//! parts' matches are handed over in order, in text order as one walk gives them.

// The page's build keeps one walk (see `Scanner::overlapping`).
#![cfg_attr(target_arch = "wasm32", allow(dead_code))]

use std::ops::Range;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::Anchored;

use super::Scanner;

/// Stretches shorter than this are walked in one piece.
pub(super) const SPLIT_MIN: usize = 64 << 10;

/// A match state and where the match ends.
pub(super) type Event = (StateID, usize);

/// How many walks go at once.
pub(super) const CHAINS: usize = 4;

/// Buffers for the matches of every walk but the first.
pub(super) type Later = [Vec<Event>; CHAINS - 1];

impl Scanner {
    /// Appends every match state reached in `range` of `bytes`, with the offset just after the
    /// byte that reached it, in text order, to `events`; `later` is scratch space.
    pub(super) fn walk(
        &self,
        bytes: &[u8],
        range: Range<usize>,
        events: &mut Vec<Event>,
        later: &mut Later,
    ) {
        let cuts = self.cuts(bytes, range.clone());
        if cuts[1] >= range.end {
            self.walk_from(self.start, bytes, range, events);
            return;
        }
        let parts: [&[u8]; CHAINS] = std::array::from_fn(|k| &bytes[cuts[k]..cuts[k + 1]]);
        let n = parts.iter().map(|p| p.len()).min().unwrap_or(0);
        let dfa = &self.dfa;
        let mut states = [self.start; CHAINS];
        for buffer in later.iter_mut() {
            buffer.clear();
        }
        // `i` indexes every part at once.
        #[allow(clippy::needless_range_loop)]
        for i in 0..n {
            for k in 0..CHAINS {
                let sid = dfa.next_state(Anchored::No, states[k], parts[k][i]);
                states[k] = sid;
                // Match states are special; with no prefilter and an unanchored search, no
                // other state the walk can reach is.
                if dfa.is_special(sid) {
                    let event = (sid, cuts[k] + i + 1);
                    match k {
                        0 => events.push(event),
                        _ => later[k - 1].push(event),
                    }
                }
            }
        }
        // Each walk goes on alone from where it got to, then hands over its matches in order.
        self.walk_from(states[0], bytes, cuts[0] + n..cuts[1], events);
        for k in 1..CHAINS {
            let buffer = &mut later[k - 1];
            self.walk_from(states[k], bytes, cuts[k] + n..cuts[k + 1], buffer);
            events.append(buffer);
        }
    }

    /// Where each walk starts, then the stretch's end: after the first line break past each
    /// equal share of the stretch. A short stretch, or a line too long to cut, leaves every
    /// cut but the first at the end (one walk).
    pub(super) fn cuts(&self, bytes: &[u8], range: Range<usize>) -> [usize; CHAINS + 1] {
        let mut cuts = [range.end; CHAINS + 1];
        cuts[0] = range.start;
        if self.splittable && range.len() >= SPLIT_MIN {
            for k in 1..CHAINS {
                let at = (range.start + range.len() * k / CHAINS).max(cuts[k - 1]);
                cuts[k] =
                    memchr::memchr(b'\n', &bytes[at..range.end]).map_or(range.end, |i| at + i + 1);
            }
        }
        cuts
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
