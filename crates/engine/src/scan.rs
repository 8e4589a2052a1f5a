//! One pass over a file's text: a single case-insensitive Aho-Corasick automaton holds every
//! rule literal, every phase and version marker, and the prefix literals of every regex, so that
//! regexes run only where their prefix was seen.
//!
//! The pass itself is a fast leftmost search (a DFA) that finds the next line holding any
//! literal; only that line is searched again for every overlapping match. No literal contains a
//! line break (the rules loader refuses one), so this finds exactly what an overlapping search
//! of the whole text would.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::Regex;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

use crate::rules::{Pattern, PatternSpec};
use crate::{phase, version};

/// What a hit is evidence of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Target {
    /// A rule pattern (index into the catalogue's patterns).
    Pattern(u32),
    /// A phase marker (index into [`phase::MARKERS`]).
    Phase(u16),
    /// A version marker (index into [`version::MARKERS`]).
    Version(u16),
}

/// A match of a target at a byte range of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub target: Target,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug)]
struct GatedRegex {
    pattern: u32,
    anchored: Regex,
}

/// The compiled scanner of a catalogue.
#[derive(Debug)]
pub(crate) struct Scanner {
    /// Finds candidate lines: leftmost-first, as a DFA.
    finder: AhoCorasick,
    /// Finds every (overlapping) match within a candidate line.
    ac: AhoCorasick,
    /// For each automaton pattern: the literal targets it stands for.
    targets: Vec<Vec<Target>>,
    /// For each automaton pattern: the gated regexes it is a prefix of.
    gates: Vec<Vec<u32>>,
    gated: Vec<GatedRegex>,
    ungated: Vec<(u32, Regex)>,
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
            let lit = lit.to_lowercase();
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
        for (i, p) in patterns.iter().enumerate() {
            let id = i as u32;
            match (&p.spec, &p.regex) {
                (PatternSpec::Literal(s), _) => {
                    let at = slot(s, &mut literals, &mut targets, &mut gates);
                    targets[at].push(Target::Pattern(id));
                }
                (PatternSpec::Regex(src), Some(re)) => {
                    match prefixes(src).and_then(|lits| anchored(src).map(|a| (lits, a))) {
                        Some((lits, anchored)) => {
                            let g = gated.len() as u32;
                            gated.push(GatedRegex {
                                pattern: id,
                                anchored,
                            });
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
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&literals)
            .expect("rule literals always build an automaton");
        let finder = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&literals)
            .or_else(|_| {
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(&literals)
            })
            .expect("rule literals always build an automaton");
        Scanner {
            finder,
            ac,
            targets,
            gates,
            gated,
            ungated,
        }
    }

    /// Every hit in `text`, ordered by start offset.
    pub(crate) fn scan(&self, text: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut last_gate_hit = vec![usize::MAX; self.gated.len()];
        let bytes = text.as_bytes();
        let mut pos = 0;
        while let Some(first) = self
            .finder
            .find(aho_corasick::Input::new(text).span(pos..text.len()))
        {
            let line_start =
                memchr::memrchr2(b'\n', b'\r', &bytes[..first.start()]).map_or(0, |i| i + 1);
            let line_end = memchr::memchr2(b'\n', b'\r', &bytes[first.end()..])
                .map_or(text.len(), |i| first.end() + i);
            let line = &text[line_start..line_end];
            for m in self.ac.find_overlapping_iter(line) {
                let (start, end) = (line_start + m.start(), line_start + m.end());
                let p = m.pattern().as_usize();
                for &target in &self.targets[p] {
                    hits.push(Hit { target, start, end });
                }
                for &g in &self.gates[p] {
                    let g = g as usize;
                    if last_gate_hit[g] == start {
                        continue;
                    }
                    last_gate_hit[g] = start;
                    if let Some(found) = self.gated[g].anchored.find(&text[start..line_end]) {
                        hits.push(Hit {
                            target: Target::Pattern(self.gated[g].pattern),
                            start,
                            end: start + found.end(),
                        });
                    }
                }
            }
            pos = line_end;
        }
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
        hits
    }
}

/// Literals of which every match of `pattern` starts with one, when they are few and long
/// enough to be a useful gate.
fn prefixes(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix);
    let seq = extractor.extract(&hir);
    let lits = seq.literals()?;
    if lits.is_empty() || lits.len() > 64 {
        return None;
    }
    lits.iter()
        .map(|l| {
            std::str::from_utf8(l.as_bytes())
                .ok()
                .filter(|s| s.len() >= 3)
                .map(str::to_lowercase)
        })
        .collect()
}

/// The pattern compiled to match only at the start of the haystack.
fn anchored(pattern: &str) -> Option<Regex> {
    regex::RegexBuilder::new(&format!("^(?:{pattern})"))
        .case_insensitive(true)
        .size_limit(crate::rules::REGEX_SIZE_LIMIT)
        .build()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(spec: PatternSpec) -> Pattern {
        let regex = match &spec {
            PatternSpec::Regex(r) => Some(
                regex::RegexBuilder::new(r)
                    .case_insensitive(true)
                    .build()
                    .unwrap(),
            ),
            PatternSpec::Literal(_) => None,
        };
        Pattern { spec, regex }
    }

    fn pattern_hits(patterns: &[Pattern], text: &str) -> Vec<(u32, &'static str)> {
        let text: &'static str = Box::leak(text.to_string().into_boxed_str());
        Scanner::new(patterns)
            .scan(text)
            .into_iter()
            .filter_map(|h| match h.target {
                Target::Pattern(p) => Some((p, &text[h.start..h.end])),
                _ => None,
            })
            .collect()
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

    #[test]
    fn a_gated_regex_does_not_run_past_its_line() {
        let ps = [pattern(PatternSpec::Regex(
            r"Service \S+ does not exist".into(),
        ))];
        assert!(pattern_hits(&ps, "Service\nfoo does not exist").is_empty());
        assert_eq!(pattern_hits(&ps, "Service snc_mid does not exist").len(), 1);
    }
}
