//! One pass over a file's text: a single case-insensitive Aho-Corasick automaton holds every
//! rule literal, every phase and version marker, and the prefix literals of every regex, so that
//! regexes run only where their prefix was seen. A regex runs on at most the rest of the line,
//! cut to its longest possible match; one that is only an alternation of words does not run at
//! all; and in a long line, one whose matches all end with a few literals (its tails) runs only
//! where a tail follows its prefix.
//!
//! The automaton is a DFA, walked by this module's own loop: one table step per byte, whatever
//! the text, and a call out of the loop only at a match. Where matches are rare,
//! the fingerprint prefilter (`prefilter.rs`) skips ahead to the next line that may hold a
//! literal, and only that line is searched; where they are not (an error storm, or text that
//! shares many fragments with the literals), the candidates come so often that the rest of the
//! text is searched whole instead. No literal contains a line break (the rules loader refuses
//! one), so both find exactly what an overlapping search of the whole text would.

mod gate;
mod walk;

use std::ops::Range;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::{dfa::DFA, Anchored, MatchKind};
use regex::Regex;
use regex_syntax::hir::literal::ExtractKind;

use gate::{affixes, gate, prefixes, GatedRegex, LONG_HAYSTACK};

use crate::prefilter::Prefilter;
use crate::rules::{Pattern, PatternId, PatternSpec};
use crate::{lifecycle, phase, version};

/// What a hit is evidence of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Target {
    /// A rule pattern (index into the catalogue's patterns).
    Pattern(PatternId),
    /// A phase marker (index into [`phase::MARKERS`]).
    Phase(u16),
    /// A version marker (index into [`version::MARKERS`]).
    Version(u16),
    /// A lifecycle message (index into [`lifecycle::MARKERS`]).
    Event(u16),
}

/// A match of a target at a byte range of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub target: Target,
    pub start: usize,
    pub end: usize,
}

/// The compiled scanner of a catalogue.
#[derive(Debug)]
pub(crate) struct Scanner {
    /// The literals, lower-cased, that stand for a target or a gate, not only for a tail (for
    /// [`Scanner::prefilter`]: a line with only a tail holds no hit).
    leading: Vec<String>,
    /// Finds every (overlapping) match, in a candidate line or in the whole text.
    dfa: DFA,
    /// Its unanchored start state.
    start: StateID,
    /// For each automaton pattern: the literal targets it stands for.
    targets: Vec<Vec<Target>>,
    /// For each automaton pattern: the gated regexes it is a prefix of.
    gates: Vec<Vec<u32>>,
    /// For each automaton pattern: the gated regexes it is a tail of.
    tails: Vec<Vec<u32>>,
    gated: Vec<GatedRegex>,
    ungated: Vec<(PatternId, Regex)>,
    /// Whether no literal holds a line break, so that a walk may start afresh after one.
    splittable: bool,
}

impl Scanner {
    pub(crate) fn new(patterns: &[Pattern]) -> Scanner {
        let mut literals: Vec<String> = Vec::new();
        let mut targets: Vec<Vec<Target>> = Vec::new();
        let mut gates: Vec<Vec<u32>> = Vec::new();
        let slot = |lit: &str,
                    literals: &mut Vec<String>,
                    targets: &mut Vec<Vec<Target>>,
                    gates: &mut Vec<Vec<u32>>| {
            let lit = lit.to_ascii_lowercase();
            match literals.iter().position(|l| *l == lit) {
                Some(i) => i,
                None => {
                    literals.push(lit);
                    targets.push(Vec::new());
                    gates.push(Vec::new());
                    literals.len() - 1
                }
            }
        };
        let mut gated = Vec::new();
        let mut ungated = Vec::new();
        // Tails are added after every other literal, so that those come first.
        let mut tail_literals: Vec<(String, u32)> = Vec::new();
        for (i, p) in patterns.iter().enumerate() {
            let id = PatternId(i as u32);
            match (&p.spec, &p.regex) {
                (PatternSpec::Literal(s), _) => {
                    let at = slot(s, &mut literals, &mut targets, &mut gates);
                    targets[at].push(Target::Pattern(id));
                }
                (PatternSpec::Regex(src), Some(re)) => {
                    match prefixes(src).and_then(|lits| gate(id, src).map(|g| (lits, g))) {
                        Some((lits, mut gate)) => {
                            let g = gated.len() as u32;
                            if let Some(tails) = affixes(src, ExtractKind::Suffix) {
                                gate.tailed = true;
                                tail_literals.extend(tails.into_iter().map(|t| (t, g)));
                            }
                            gated.push(gate);
                            for lit in lits {
                                let at = slot(&lit, &mut literals, &mut targets, &mut gates);
                                gates[at].push(g);
                            }
                        }
                        None => ungated.push((id, re.clone())),
                    }
                }
                (PatternSpec::Regex(_), None) => {}
            }
        }
        for (i, m) in phase::MARKERS.iter().enumerate() {
            let at = slot(m.text, &mut literals, &mut targets, &mut gates);
            targets[at].push(Target::Phase(i as u16));
        }
        for (i, m) in version::MARKERS.iter().enumerate() {
            let at = slot(m.0, &mut literals, &mut targets, &mut gates);
            targets[at].push(Target::Version(i as u16));
        }
        for (i, m) in lifecycle::MARKERS.iter().enumerate() {
            let at = slot(m.text, &mut literals, &mut targets, &mut gates);
            targets[at].push(Target::Event(i as u16));
        }
        let leading = literals.clone();
        let mut tails = vec![Vec::new(); literals.len()];
        for (lit, g) in tail_literals {
            let at = slot(&lit, &mut literals, &mut targets, &mut gates);
            tails.resize(literals.len(), Vec::new());
            tails[at].push(g);
        }
        // Under 2 MB of table for the built-in literals (`size` below); searching with it
        // costs half of what a contiguous NFA costs on text full of near misses. Its own
        // prefilter is off: with case folding it has no fast one, and ours skips lines.
        let dfa = aho_corasick::dfa::Builder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&literals)
            .expect("rule literals always build an automaton");
        let start = dfa
            .start_state(Anchored::No)
            .expect("an unanchored search is always supported");
        let splittable = !literals.iter().any(|l| l.contains('\n'));
        Scanner {
            leading,
            dfa,
            start,
            targets,
            gates,
            tails,
            gated,
            ungated,
            splittable,
        }
    }

    /// A prefilter for texts that start like `sample`, when every literal is long enough.
    pub(crate) fn prefilter(&self, sample: &str) -> Option<Prefilter> {
        Prefilter::new(&self.leading, sample.as_bytes())
    }

    /// Every hit in `text`, ordered by start offset, put in `hits` (emptied first; its memory
    /// is reused, so that a storm's hits do not cost a fresh allocation each segment). The
    /// prefilter, if given, only makes the search faster: the hits are the same with any
    /// prefilter or none.
    ///
    /// With a prefilter, only the lines it points at are searched, while it points at few of
    /// them; once candidates come more often than one per [`DENSE`] bytes (an error storm, or
    /// text that shares much with the literals), the rest of the text is searched whole by the
    /// automaton, which costs the same wherever the hits are.
    pub(crate) fn scan_into(&self, text: &str, prefilter: Option<&Prefilter>, into: &mut Scratch) {
        self.search(text, prefilter, into);
    }

    /// [`Scanner::scan_into`] new memory.
    #[cfg(test)]
    pub(crate) fn scan(&self, text: &str, prefilter: Option<&Prefilter>) -> Vec<Hit> {
        let mut scratch = Scratch::default();
        self.search(text, prefilter, &mut scratch);
        scratch.hits
    }

    /// [`Scanner::scan_into`]; gives where the automaton took over the search (the text's
    /// length when the prefilter served to the end).
    fn search(&self, text: &str, prefilter: Option<&Prefilter>, into: &mut Scratch) -> usize {
        let mut hits = std::mem::take(&mut into.hits);
        hits.clear();
        let mut out = Found {
            hits,
            events: std::mem::take(&mut into.events),
            last_gate_hit: vec![usize::MAX; self.gated.len()],
            line: (usize::MAX, 0),
            waiting: Vec::new(),
            late: Vec::new(),
            tails_at: vec![Vec::new(); self.gated.len()],
        };
        let bytes = text.as_bytes();
        // Where the automaton takes over (the end: nowhere).
        let mut pos = 0;
        if let Some(p) = prefilter {
            let (mut candidates, mut dense) = (0usize, false);
            while let Some(at) = p.find(bytes, pos) {
                let line = crate::lines::line_at(text, at);
                pos = line.end + 1;
                self.overlapping(text, line, &mut out);
                candidates += 1;
                if candidates >= 64 && pos < candidates * DENSE {
                    dense = true;
                    break;
                }
            }
            if !dense {
                pos = text.len();
            }
        }
        // Past the end when the last candidate line had no line break.
        let handover = pos.min(text.len());
        self.overlapping(text, handover..text.len(), &mut out);
        self.run_waiting(text, &mut out);
        into.events = out.events;
        let mut hits = in_place(out.hits, out.late);
        for (pattern, re) in &self.ungated {
            for found in re.find_iter(text) {
                hits.push(Hit {
                    target: Target::Pattern(*pattern),
                    start: found.start(),
                    end: found.end(),
                });
            }
        }
        hits.sort_by_key(|h| (h.start, h.target));
        into.hits = hits;
        handover
    }

    /// Every match of the automaton in `range` of `text`, overlapping ones included, as a
    /// search that starts at the range's start finds them.
    ///
    /// In WebAssembly, built for size, one walk with the matches handled as they come runs
    /// faster (a fifth, on the synthetic log) than several walks at once: the page keeps that.
    #[cfg(target_arch = "wasm32")]
    fn overlapping(&self, text: &str, range: Range<usize>, out: &mut Found) {
        let (dfa, end) = (&self.dfa, range.end);
        let mut sid = self.start;
        let mut rest = text.as_bytes()[range].iter();
        while let Some(&b) = rest.next() {
            sid = dfa.next_state(Anchored::No, sid, b);
            // Match states are special; with no prefilter and an unanchored search, no other
            // state the walk can reach is.
            if dfa.is_special(sid) {
                self.matched(text, sid, end - rest.as_slice().len(), out);
            }
        }
    }

    /// Every match of the automaton in `range` of `text`, overlapping ones included, as a
    /// search that starts at the range's start finds them: found by [`Scanner::walk`], then
    /// handled in text order.
    #[cfg(not(target_arch = "wasm32"))]
    fn overlapping(&self, text: &str, range: Range<usize>, out: &mut Found) {
        let (mut events, mut later) = std::mem::take(&mut out.events);
        events.clear();
        self.walk(text.as_bytes(), range, &mut events, &mut later);
        for &(sid, end) in &events {
            self.matched(text, sid, end, out);
        }
        out.events = (events, later);
    }

    /// The matches that end at `end`, where the automaton is in state `sid`. Kept out of the
    /// search loop, which it would slow down.
    #[inline(never)]
    fn matched(&self, text: &str, sid: StateID, end: usize, out: &mut Found) {
        if !self.dfa.is_match(sid) {
            return;
        }
        for i in 0..self.dfa.match_len(sid) {
            let pid = self.dfa.match_pattern(sid, i);
            let start = end - self.dfa.pattern_len(pid);
            // The first hit past the line of the regexes waiting for a tail: all of that
            // line's tails have been seen.
            if out.waiting.first().is_some_and(|w| start > w.line_end) {
                self.run_waiting(text, out);
            }
            self.take(text, pid.as_usize(), start, end, out);
        }
        // Tails matter only to regexes waiting, which a match ending here may have just made
        // wait (when its tail is its whole match).
        if !out.waiting.is_empty() {
            for i in 0..self.dfa.match_len(sid) {
                let pid = self.dfa.match_pattern(sid, i);
                for &g in &self.tails[pid.as_usize()] {
                    out.tails_at[g as usize].push(end - self.dfa.pattern_len(pid));
                }
            }
        }
    }

    /// The hits of one automaton match of its pattern `p`: its literal targets, and the gated
    /// regexes it starts.
    fn take(&self, text: &str, p: usize, start: usize, end: usize, out: &mut Found) {
        for &target in &self.targets[p] {
            out.hits.push(Hit { target, start, end });
        }
        for &g in &self.gates[p] {
            let g = g as usize;
            if out.last_gate_hit[g] == start {
                continue;
            }
            out.last_gate_hit[g] = start;
            if let Some(words) = &self.gated[g].exact {
                if let Some(hit) = self.first_word(text, g, words, start) {
                    out.hits.push(hit);
                }
                continue;
            }
            // A regex runs to the end of the line at most: found once per line.
            let (from, line_end) = out.line;
            let line_end = if from <= start && start <= line_end {
                line_end
            } else {
                let e = memchr::memchr2(b'\n', b'\r', &text.as_bytes()[end..])
                    .map_or(text.len(), |i| end + i);
                out.line = (start, e);
                e
            };
            // In a long line, a regex's prefix can come often without its tail (a payload
            // full of host names): the regex waits for one. In an ordinary line it runs at
            // once, which costs less than waiting and keeps the hits in order.
            if self.gated[g].tailed && line_end - start > LONG_HAYSTACK {
                out.waiting.push(Waiting {
                    gate: g,
                    start,
                    line_end,
                    at: out.hits.len(),
                });
            } else if let Some(hit) = self.try_gate(text, g, start, line_end) {
                out.hits.push(hit);
            }
        }
    }

    /// The match of gated regex `g`, an alternation of `words`, at `start`: the first of them
    /// there, in any case (none holds a line break: the prefix was found whole).
    fn first_word(&self, text: &str, g: usize, words: &[String], start: usize) -> Option<Hit> {
        let rest = &text.as_bytes()[start..];
        let word = words.iter().find(|w| {
            rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w.as_bytes())
        })?;
        Some(Hit {
            target: Target::Pattern(self.gated[g].pattern),
            start,
            end: start + word.len(),
        })
    }

    /// Runs gated regex `g` on the rest of the line from `start` (to `line_end`).
    fn try_gate(&self, text: &str, g: usize, start: usize, line_end: usize) -> Option<Hit> {
        let gate = &self.gated[g];
        gate.find(&text[start..line_end]).map(|found| Hit {
            target: Target::Pattern(gate.pattern),
            start,
            end: start + found,
        })
    }

    /// Runs the tailed regexes whose prefix was found in the line they wait in, where one of
    /// their tails follows in that line (a tail holds no line break, so one that starts before
    /// the line's end ends in it). Where no tail follows, the regex cannot match. Called once
    /// no more tails of that line can come: then they are forgotten.
    fn run_waiting(&self, text: &str, out: &mut Found) {
        if out.waiting.is_empty() {
            return;
        }
        out.tails_at.iter_mut().for_each(|t| t.sort_unstable());
        for w in &out.waiting {
            let tails = &out.tails_at[w.gate];
            let next = tails.partition_point(|&t| t < w.start);
            if tails.get(next).is_some_and(|&t| t < w.line_end) {
                if let Some(hit) = self.try_gate(text, w.gate, w.start, w.line_end) {
                    out.late.push((w.at, hit));
                }
            }
        }
        out.waiting.clear();
        out.tails_at.iter_mut().for_each(Vec::clear);
    }
}

/// A tailed regex whose prefix was found in a long line.
struct Waiting {
    gate: usize,
    start: usize,
    line_end: usize,
    /// How many hits had been found then.
    at: usize,
}

/// `hits` with each of `late` at its place: the order is almost that of the start offsets,
/// which the sort that follows is quick on.
fn in_place(hits: Vec<Hit>, late: Vec<(usize, Hit)>) -> Vec<Hit> {
    if late.is_empty() {
        return hits;
    }
    let mut out = Vec::with_capacity(hits.len() + late.len());
    let mut late = late.into_iter().peekable();
    for (i, hit) in hits.into_iter().enumerate() {
        while let Some((_, l)) = late.next_if(|(at, _)| *at == i) {
            out.push(l);
        }
        out.push(hit);
    }
    out.extend(late.map(|(_, l)| l));
    out
}

/// Candidate lines closer together than this many bytes on average make the prefilter
/// slower than searching the text whole.
const DENSE: usize = 2048;

/// Memory a scan reuses from one text to the next (a storm fills it every segment).
#[derive(Default)]
pub(crate) struct Scratch {
    /// The last scan's hits, ordered by start offset.
    pub(crate) hits: Vec<Hit>,
    /// The automaton's match states, and scratch space for its walk.
    events: (Vec<walk::Event>, walk::Later),
}

/// What a scan has found so far.
struct Found {
    hits: Vec<Hit>,
    /// The walk's match states ([`Scanner::walk`]'s buffers).
    events: (Vec<walk::Event>, walk::Later),
    /// Per gated regex: where it was last tried (a match of two of its prefixes at one place
    /// tries it once).
    last_gate_hit: Vec<usize>,
    /// A line end, valid for offsets from the first number to it.
    line: (usize, usize),
    /// Tailed regexes whose prefix was found in one line.
    waiting: Vec<Waiting>,
    /// Their hits, each with the place in `hits` it would have had had it run at once.
    late: Vec<(usize, Hit)>,
    /// Per gated regex: where its tails were found since the last [`Scanner::run_waiting`].
    tails_at: Vec<Vec<usize>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pick below `n` (xorshift from `seed`), for the random texts below.
    fn picker(mut seed: u64) -> impl FnMut(usize) -> usize {
        move |n| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        }
    }

    fn pattern(spec: PatternSpec) -> Pattern {
        let regex = match &spec {
            PatternSpec::Regex(r) => {
                Some(regex::Regex::new(&crate::casefold::case_insensitive(r).unwrap()).unwrap())
            }
            PatternSpec::Literal(_) => None,
        };
        Pattern { spec, regex }
    }

    fn pattern_hits(patterns: &[Pattern], text: &str) -> Vec<(u32, &'static str)> {
        let text: &'static str = Box::leak(text.to_string().into_boxed_str());
        let scanner = Scanner::new(patterns);
        let plain = scanner.scan(text, None);
        let prefilter = scanner.prefilter(text);
        assert_eq!(scanner.scan(text, prefilter.as_ref()), plain);
        plain
            .into_iter()
            .filter_map(|h| match h.target {
                Target::Pattern(p) => Some((p.0, &text[h.start..h.end])),
                _ => None,
            })
            .collect()
    }

    /// With the built-in catalogue, on text full of literals at every offset, in any case, at
    /// line starts and ends and with any line ending, the prefilter changes nothing, whatever
    /// sample its fingerprints were chosen from.
    #[test]
    fn the_prefilter_never_loses_a_hit() {
        let scanner = &crate::catalogue::Catalogue::builtin().scanner;
        let mut next = picker(0x2545_f491_4f6c_dd1d);
        let filler = ["", " ", "x", "ab", "Worker-Standard: ", "é"];
        let mut checked = 0;
        for round in 0..200 {
            let mut text = String::new();
            for _ in 0..40 {
                text.push_str(filler[next(filler.len())]);
                let lit = &scanner.leading[next(scanner.leading.len())];
                let lit: String = lit
                    .chars()
                    .map(|c| {
                        if next(2) == 0 {
                            c.to_ascii_uppercase()
                        } else {
                            c
                        }
                    })
                    .collect();
                text.push_str(&lit);
                // Mostly one literal per line, so each must be found by its own fingerprints.
                text.push_str(["\n", "\r\n", "\r", "\n", "\n", " "][next(6)]);
            }
            let plain = scanner.scan(&text, None);
            assert!(!plain.is_empty());
            let own = scanner
                .prefilter(&text)
                .expect("catalogue literals are long enough");
            assert_eq!(
                scanner.scan(&text, Some(&own)),
                plain,
                "round {round}: {text:?}"
            );
            let other = scanner.prefilter(filler[round % filler.len()]).unwrap();
            assert_eq!(scanner.scan(&text, Some(&other)), plain, "round {round}");
            checked += plain.len();
        }
        assert!(checked > 5000, "{checked}");
    }

    #[test]
    fn literals_are_case_insensitive_and_overlap() {
        let ps = [
            pattern(PatternSpec::Literal("Access is denied".into())),
            pattern(PatternSpec::Literal("mid.bat (access is DENIED)".into())),
        ];
        let hits = pattern_hits(&ps, r"x \bin\mid.bat (Access is Denied)");
        assert_eq!(
            hits,
            [(1, "mid.bat (Access is Denied)"), (0, "Access is Denied")]
        );
    }

    #[test]
    fn gated_regexes_match_only_where_their_prefix_is() {
        assert_eq!(
            prefixes(r"Upgrade(?:Exception|Execption)").unwrap(),
            ["upgradeexception", "upgradeexecption"]
        );
        assert_eq!(
            prefixes(r"status code\s*=\s*401\b").unwrap(),
            ["status code"]
        );
        assert!(prefixes(r"\d+ bytes").is_none());
        let ps = [pattern(PatternSpec::Regex(
            r"status code\s*=\s*401\b".into(),
        ))];
        let hits = pattern_hits(
            &ps,
            "SOAP Response: Status code=401, x\nStatus code=4010\nstatus CODE = 401",
        );
        assert_eq!(hits, [(0, "Status code=401"), (0, "status CODE = 401")]);
    }

    #[test]
    fn ungated_regexes_still_match() {
        let ps = [pattern(PatternSpec::Regex(r"\d+ bytes free".into()))];
        assert_eq!(
            pattern_hits(&ps, "The system reports 1024 bytes free"),
            [(0, "1024 bytes free")]
        );
    }

    /// The prefilter folds bytes before it compares them, so a line break can look like a `*`
    /// and a window that straddles two lines can be a candidate. The line before such a window
    /// is searched once, not again.
    #[test]
    fn a_window_across_a_line_break_does_not_search_a_line_twice() {
        let ps = [
            pattern(PatternSpec::Literal("Access is denied".into())),
            pattern(PatternSpec::Literal("x*yzw".into())),
        ];
        let text = "Access is denied x\nyzw\n";
        let scanner = Scanner::new(&ps);
        let prefilter = scanner.prefilter(text).expect("literals are long enough");
        assert_eq!(
            prefilter.find(text.as_bytes(), "Access is denied ".len()),
            Some("Access is denied ".len()),
            "the folded window x\\nyz is a candidate"
        );
        assert_eq!(pattern_hits(&ps, text), [(0, "Access is denied")]);
    }

    #[test]
    fn a_text_may_start_with_a_line_break() {
        let ps = [pattern(PatternSpec::Literal("Access is denied".into()))];
        assert_eq!(
            pattern_hits(&ps, "\nAccess is denied\r\n\rAccess is denied"),
            [(0, "Access is denied"), (0, "Access is denied")]
        );
    }

    /// A regex runs only after one of its prefixes when it has at least one and at most 64,
    /// each at least three bytes long; any other regex runs over the whole text.
    #[test]
    fn which_regexes_are_gated() {
        let alternatives = |n: usize| {
            let words: Vec<String> = (0..n).map(|i| format!("word{i:02}")).collect();
            format!("(?:{}) failed", words.join("|"))
        };
        assert_eq!(prefixes(&alternatives(64)).unwrap().len(), 64);
        assert_eq!(prefixes(&alternatives(64)).unwrap()[63], "word63 failed");
        assert!(prefixes(&alternatives(65)).is_none());
        assert!(prefixes(&alternatives(1)).is_some());
        assert!(
            prefixes(r"ab\d").is_none(),
            "a two-byte prefix is too short"
        );
        assert!(
            prefixes(r"[^\s\S]x").is_none(),
            "matches nothing, so no prefix"
        );
        assert!(prefixes(r"(").is_none(), "does not parse");
    }

    /// Gated regexes, tailed or not, find exactly this: in each line, at each place where one
    /// of the regex's prefixes starts (in any case), the match of the anchored regex on the
    /// rest of that line. Random text of prefixes, tails, filler and line breaks, with tails
    /// before, after and without their prefix, in the same line and the next, in lines short
    /// and long.
    #[test]
    fn gated_and_tailed_regexes_find_what_a_line_by_line_search_finds() {
        let sources = [
            r"Service \S+ does not exist",
            r"FileNotFoundException: .*\(access is denied\)",
            r"status code\s*=\s*401\b",
            r"GLIBC_[0-9.]+' not found",
            r"InstanceInfo|\.service-now\.com",
            r"status|status code",
            r"GLIBC_\b",
        ];
        let ps: Vec<Pattern> = sources
            .iter()
            .map(|r| pattern(PatternSpec::Regex((*r).into())))
            .collect();
        let scanner = Scanner::new(&ps);
        assert_eq!(scanner.gated.iter().filter(|g| g.tailed).count(), 7);
        assert_eq!(
            scanner.gated.iter().filter(|g| g.exact.is_some()).count(),
            2
        );
        let reference: Vec<(Vec<String>, Regex)> = sources
            .iter()
            .map(|r| {
                let folded = crate::casefold::case_insensitive(r).unwrap();
                (
                    prefixes(r).unwrap(),
                    Regex::new(&format!("^(?:{folded})")).unwrap(),
                )
            })
            .collect();
        // Long pieces make long lines, where tailed regexes wait for their tails.
        let (long, spaced) = ("y".repeat(800), " z".repeat(300));
        let pieces = [
            &long,
            &spaced,
            "Service ",
            "SERVICE ",
            "mid-1",
            " does not exist",
            " DOES NOT EXIST",
            "x",
            "FileNotFoundException: ",
            "C:\\a",
            " (Access is denied)",
            "status code",
            " = ",
            "=",
            "401",
            "4010",
            "GLIBC_",
            "2.28",
            "InstanceINFO",
            ".service-now.com",
            "STATUS",
            "' not found",
            " ",
            "\u{e9}",
            "\n",
            "\r\n",
            "\r",
        ];
        let mut next = picker(0x9e37_79b9_7f4a_7c15);
        let mut found = 0;
        for round in 0..500 {
            let text: String = (0..60).map(|_| pieces[next(pieces.len())]).collect();
            let mut want = Vec::new();
            let mut line_start = 0;
            for line in text.split(['\n', '\r']) {
                let lower = line.to_ascii_lowercase();
                for (i, (prefixes, re)) in reference.iter().enumerate() {
                    for s in (0..line.len()).filter(|&s| line.is_char_boundary(s)) {
                        if prefixes.iter().any(|p| lower[s..].starts_with(p.as_str())) {
                            if let Some(m) = re.find(&line[s..]) {
                                want.push((line_start + s, i as u32, line_start + s + m.end()));
                            }
                        }
                    }
                }
                line_start += line.len() + 1;
            }
            want.sort_unstable();
            let mut got: Vec<(usize, u32, usize)> = scanner
                .scan(&text, None)
                .into_iter()
                .filter_map(|h| match h.target {
                    Target::Pattern(p) => Some((h.start, p.0, h.end)),
                    _ => None,
                })
                .collect();
            got.sort_unstable();
            assert_eq!(got, want, "round {round}: {text:?}");
            found += want.len();
        }
        assert!(found > 400, "{found}");
    }

    /// The prefilter serves text where lines with literals are few; where every line holds
    /// one, it hands over to the automaton after [`DENSE`]'s worth of candidates, with the same
    /// hits either way.
    #[test]
    fn the_prefilter_hands_over_only_where_candidates_are_dense() {
        let scanner = &crate::catalogue::Catalogue::builtin().scanner;
        let noise =
            "11/25/25 02:00:00 (000) ECCSender.1 Sending ecc_queue.42.xml to the instance\n";
        let hit = "11/25/25 02:00:01 (001) StartupSequencer SEVERE *** ERROR *** Unable to connect to instance.\n";
        let sparse: String = (0..2000)
            .map(|i| if i % 100 == 0 { hit } else { noise })
            .collect();
        let dense = hit.repeat(2000);
        let prefilter = scanner.prefilter(noise).expect("literals are long enough");
        // One candidate every DENSE bytes exactly is not dense yet; one byte closer is.
        let padded = |width: usize| format!("{:<w$}\n", hit.trim_end(), w = width - 1);
        let spaced = padded(DENSE).repeat(200);
        let closer = padded(DENSE - 1).repeat(200);
        for (text, handover) in [
            (&sparse, sparse.len()),
            (&dense, 64 * hit.len()),
            (&spaced, spaced.len()),
            (&closer, 64 * (DENSE - 1)),
        ] {
            // The scratch holds another scan's hits: they are replaced, not added to.
            let mut scratch = Scratch::default();
            scanner.search(&sparse, None, &mut scratch);
            let from = scanner.search(text, Some(&prefilter), &mut scratch);
            assert_eq!(from, handover);
            assert!(!scratch.hits.is_empty());
            assert_eq!(scratch.hits, scanner.scan(text, None));
        }
    }

    /// Long stretches are walked as two halves at once: the match states, and the hits, are
    /// those of one walk, wherever the line break that cuts the stretch falls.
    #[test]
    fn two_walks_at_once_find_what_one_walk_finds() {
        let scanner = &crate::catalogue::Catalogue::builtin().scanner;
        assert!(scanner.splittable);
        let mut next = picker(0x9e37_79b9_7f4a_7c15);
        for round in 0..12 {
            // Literals, their parts and filler, in lines of any length; one very long line.
            let mut text = String::new();
            while text.len() < walk::SPLIT_MIN * 2 + round * 977 {
                let lit = &scanner.leading[next(scanner.leading.len())];
                let cut = lit.len() - next(3).min(lit.len() - 1);
                text.push_str(&lit[..cut].to_ascii_uppercase());
                text.push_str(["", " ", "x.", "\n", "\r\n", "\r"][next(6)]);
                if round == 5 && text.len() > walk::SPLIT_MIN {
                    text.push_str(&"y".repeat(walk::SPLIT_MIN * 2));
                }
            }
            // Every other round: real lines quoted from ServiceNow's KB articles (the field
            // guide's fixtures), repeated past the stretch the walks are cut at.
            if round % 2 == 1 {
                let real = crate::testutil::field_guide_texts().concat();
                text = real.repeat(1 + walk::SPLIT_MIN * 4 / real.len().max(1));
            }
            let bytes = text.as_bytes();
            for range in [0..bytes.len(), 7..bytes.len() - 3, 0..walk::SPLIT_MIN + 1] {
                let mut one = Vec::new();
                scanner.walk_from(scanner.start, bytes, range.clone(), &mut one);
                let mut later: walk::Later = Default::default();
                later[0].push((scanner.start, 0));
                let mut two = Vec::new();
                scanner.walk(bytes, range.clone(), &mut two, &mut later);
                assert!(!one.is_empty());
                assert_eq!(two, one, "round {round}, {range:?}");
            }
        }
    }

    /// The walks start just after the first line break past each quarter of a long stretch;
    /// a short one, or one without a line break to cut at, is walked in one piece.
    #[test]
    fn a_long_stretch_is_cut_after_the_line_breaks_past_its_quarters() {
        let scanner = &crate::catalogue::Catalogue::builtin().scanner;
        let line = format!("{}\n", "x".repeat(99));
        let text = line.repeat(walk::SPLIT_MIN * 2 / 100);
        let bytes = text.as_bytes();
        let (start, end) = (150, bytes.len() - 10);
        let cuts = scanner.cuts(bytes, start..end);
        assert_eq!((cuts[0], cuts[walk::CHAINS]), (start, end));
        for (k, &cut) in cuts.iter().enumerate().take(walk::CHAINS).skip(1) {
            let share = start + (end - start) * k / walk::CHAINS;
            // The first line start after the share.
            assert_eq!(cut, (share / 100 + 1) * 100, "cut {k}");
        }
        let short = scanner.cuts(bytes, start..start + walk::SPLIT_MIN - 1);
        assert!(short[1..].iter().all(|&c| c == start + walk::SPLIT_MIN - 1));
        let enough = scanner.cuts(bytes, 0..walk::SPLIT_MIN);
        assert!(enough[1] < walk::SPLIT_MIN, "{enough:?}");
        let unbroken = "y".repeat(walk::SPLIT_MIN * 2);
        let one = scanner.cuts(unbroken.as_bytes(), 0..unbroken.len());
        assert!(one[1..].iter().all(|&c| c == unbroken.len()));
        let strict = Scanner::new(&[pattern(PatternSpec::Literal("a\nb".into()))]);
        assert!(!strict.splittable, "a literal holds a line break");
        assert!(strict.cuts(bytes, start..end)[1..]
            .iter()
            .all(|&c| c == end));
    }

    #[test]
    fn a_gated_regex_does_not_run_past_its_line() {
        let ps = [pattern(PatternSpec::Regex(
            r"Service \S+ does not exist".into(),
        ))];
        assert!(pattern_hits(&ps, "Service\nfoo does not exist").is_empty());
        assert_eq!(pattern_hits(&ps, "Service snc_mid does not exist").len(), 1);
    }
}

#[cfg(test)]
mod size {
    /// The built-in catalogue's automaton, a DFA, stays small beside the analysis' own buffers
    /// (a worker should need less than 64 MiB in all, and keeps a few catalogues).
    #[test]
    fn the_automaton_is_small() {
        use aho_corasick::automaton::Automaton;
        let bytes = crate::catalogue::Catalogue::builtin()
            .scanner
            .dfa
            .memory_usage();
        assert!(bytes < 4 << 20, "{bytes} bytes");
    }
}
