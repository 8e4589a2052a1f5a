//! The regexes of the rules, each run only where the scanner found one of its prefixes: how
//! they are compiled, and how little of the line each search looks at.

use std::sync::OnceLock;

use regex_automata::{meta, Input};
use regex_syntax::hir::literal::{ExtractKind, Extractor};

use crate::rules::PatternId;

/// A regex that runs only where one of its prefix literals was found, anchored there.
#[derive(Debug)]
pub(super) struct GatedRegex {
    pub(super) pattern: PatternId,
    /// For the rest of a line of ordinary length.
    short: meta::Regex,
    /// For a long rest of line: the same regex without the bounded backtracker, which clears a
    /// bitset as large as the haystack (times the regex's states) before every search. In the
    /// browser, where the regex has no lazy DFA, that made each hit in a 100 KiB line (an ECC
    /// payload) cost as much as scanning the line; the PikeVM stops as soon as the regex can no
    /// longer match. Built when first needed.
    long: OnceLock<Option<meta::Regex>>,
    /// The case-folded source, to build `long` from.
    folded: String,
    /// The most bytes a match can span, when that is bounded: the search never looks further.
    max_len: Option<usize>,
    /// When the regex matches exactly some literals and nothing else (an alternation of
    /// words, without look-around): those, lower-cased, most preferred first. The match at a
    /// place is then the first of them found there, and the regex need not run.
    pub(super) exact: Option<Vec<String>>,
    /// Whether every match ends with one of a few literals (its tails), which the automaton
    /// also finds: in a long line, the regex then runs only where one of them follows its
    /// prefix.
    pub(super) tailed: bool,
}

/// A rest of line longer than this is searched by [`GatedRegex::long`].
pub(super) const LONG_HAYSTACK: usize = 1024;

/// A literal extractor that expands classes of at most five characters (`[\\/]`, `[234]`),
/// not the ASCII Perl classes (`\s` is six, `\d` ten): those stay part of no literal, as
/// they would be as Unicode classes.
fn extractor() -> Extractor {
    let mut e = Extractor::new();
    e.limit_class(5);
    e
}

/// `pattern` parsed as the engine compiles it (Perl classes and word boundaries ASCII).
fn parse(pattern: &str) -> Option<regex_syntax::hir::Hir> {
    let ascii = crate::casefold::ascii_perl(pattern).ok()?;
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(&ascii)
        .ok()
}

/// Literals of which every match of `pattern` starts with one, when they are few and long
/// enough to be a useful gate.
pub(super) fn prefixes(pattern: &str) -> Option<Vec<String>> {
    affixes(pattern, ExtractKind::Prefix)
}

/// Literals of which every match of `pattern` starts (or ends) with one, lower-cased, when
/// they are few and each at least 3 bytes long.
pub(super) fn affixes(pattern: &str, kind: ExtractKind) -> Option<Vec<String>> {
    let hir = parse(pattern)?;
    let mut extractor = extractor();
    extractor.kind(kind);
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
                .map(str::to_ascii_lowercase)
        })
        .collect()
}

/// The literals `pattern` matches, and nothing else, most preferred first, lower-cased.
fn exact_words(pattern: &str) -> Option<Vec<String>> {
    let hir = parse(pattern)?;
    // The extractor takes a look-around for an empty literal: `word\b` is not just "word".
    if !hir.properties().look_set().is_empty() {
        return None;
    }
    let seq = extractor().extract(&hir);
    if !seq.is_exact() {
        return None;
    }
    // ASCII words only: the rules' regexes fold the case of ASCII letters alone (a `(?i)` is
    // dropped), while the extractor would add Unicode case variants ("K" for `(?i)k`).
    seq.literals()?
        .iter()
        .map(|l| {
            std::str::from_utf8(l.as_bytes())
                .ok()
                .filter(|w| !w.is_empty() && w.is_ascii() && !w.contains(['\n', '\r']))
                .map(str::to_ascii_lowercase)
        })
        .collect()
}

/// The pattern, case-folded as the rules loader folds it, compiled for anchored searches.
pub(super) fn gate(pattern: PatternId, source: &str) -> Option<GatedRegex> {
    let folded = crate::casefold::case_insensitive(source).ok()?;
    let max_len = regex_syntax::Parser::new()
        .parse(&folded)
        .ok()?
        .properties()
        .maximum_len();
    Some(GatedRegex {
        pattern,
        short: anchored(&folded, true)?,
        long: OnceLock::new(),
        folded,
        max_len,
        exact: exact_words(source),
        tailed: false,
    })
}

/// `folded` compiled to match at the start of the haystack only (so that no prefilter or
/// reverse search is built), with or without the bounded backtracker.
fn anchored(folded: &str, backtrack: bool) -> Option<meta::Regex> {
    meta::Regex::builder()
        .configure(
            meta::Config::new()
                .nfa_size_limit(Some(crate::rules::REGEX_SIZE_LIMIT))
                .auto_prefilter(false)
                .backtrack(backtrack),
        )
        .build(&format!("^(?:{folded})"))
        .ok()
}

impl GatedRegex {
    /// The end of the match that starts at the start of `hay` (the rest of a line), if any.
    /// Look-around at the end of the searched span still sees the bytes after it.
    pub(super) fn find(&self, hay: &str) -> Option<usize> {
        let mut end = self.max_len.map_or(hay.len(), |m| m.min(hay.len()));
        while !hay.is_char_boundary(end) {
            end += 1;
        }
        let input = Input::new(hay)
            .range(..end)
            .anchored(regex_automata::Anchored::Yes);
        let re = if end > LONG_HAYSTACK {
            let long = self.long.get_or_init(|| anchored(&self.folded, false));
            long.as_ref().unwrap_or(&self.short)
        } else {
            &self.short
        };
        re.find(input).map(|m| m.end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    /// The engine without the backtracker is built the first time a rest of line longer than
    /// [`LONG_HAYSTACK`] is searched, and not before: lines of ordinary length never pay for it.
    #[test]
    fn the_long_line_engine_is_built_only_for_long_lines() {
        let g = gate(PatternId(0), r"Service \S+ does not exist").unwrap();
        let short = format!("Service {} does not exist", "x".repeat(LONG_HAYSTACK - 23));
        assert_eq!(short.len(), LONG_HAYSTACK);
        assert_eq!(g.find(&short), Some(LONG_HAYSTACK));
        assert!(
            g.long.get().is_none(),
            "a line of {LONG_HAYSTACK} bytes is not long"
        );
        let long = format!("{short}!");
        assert_eq!(g.find(&long), Some(LONG_HAYSTACK));
        assert!(g.long.get().is_some_and(Option::is_some));
    }

    /// A regex is taken as its words only when it matches exactly those, in the order the
    /// regex prefers them, whatever their case, and nothing else.
    #[test]
    fn only_plain_alternations_of_ascii_words_skip_the_regex() {
        assert_eq!(
            exact_words(r"InstanceInfo|\.service-now\.com").unwrap(),
            ["instanceinfo", ".service-now.com"]
        );
        assert_eq!(
            exact_words(r"status|status code").unwrap(),
            ["status", "status code"]
        );
        assert_eq!(exact_words(r"AB[cd]").unwrap(), ["abc", "abd"]);
        assert!(exact_words(r"caf\u{e9}").is_none(), "not ASCII");
        assert!(exact_words(r"word\b").is_none(), "look-around");
        assert!(exact_words(r"^word").is_none(), "look-around");
        assert!(exact_words(r"a+b").is_none(), "not a finite set");
        assert!(exact_words(r"a\nb").is_none(), "a line break");
        assert!(exact_words(r"(").is_none(), "does not parse");
    }

    #[test]
    fn a_gated_regex_is_tried_only_at_its_prefix() {
        let re = gate(PatternId(0), r"status code\s*=\s*401").expect("compiles");
        assert_eq!(re.find("STATUS CODE = 401, more"), Some(17));
        assert_eq!(re.find("x status code=401"), None);
        assert!(gate(PatternId(0), r"(").is_none());
    }

    /// A gated regex finds what the whole regex, anchored, finds on the rest of the line, in
    /// lines short and long, with matches bounded in length or not: the span searched is cut
    /// to the longest possible match, and long lines go to another engine, but a `\b` or `$`
    /// just past the span still sees the text after it, and `.*` still runs to the line's end.
    #[test]
    fn a_gated_regex_finds_what_the_anchored_regex_finds() {
        let patterns = [
            r"status code\s*=\s*401\b",
            r"InstanceInfo|\.service-now\.com",
            r"GLIBC_[0-9.]+' not found",
            r"FileNotFoundException: .*\(access is denied\)",
            r"Service \S+ does not exist",
            r"code=50[234]$",
            r"caf\u{e9} [a-z]{2}",
        ];
        let pads = [0, 3, 900, 1020, 1030, 5000, 70_000];
        let heads = [
            "status code=401",
            "status code=4010",
            "Status Code = 401 and more",
            "InstanceInfo",
            ".SERVICE-NOW.COM",
            "GLIBC_2.28' not found",
            "FileNotFoundException: C:\\x (Access is denied)",
            "Service mid-1 does not exist",
            "code=503",
            "code=5031",
            "caf\u{e9} ab",
            "caf\u{e9} \u{e9}b",
        ];
        let mut tried = 0;
        let mut found = 0;
        for p in patterns {
            let g = gate(PatternId(0), p).expect("compiles");
            let folded = crate::casefold::case_insensitive(p).unwrap();
            let whole = Regex::new(&format!("^(?:{folded})")).unwrap();
            for head in heads {
                for pad in pads {
                    for tail in ["", " (access is denied)", "b", "\u{e9}"] {
                        let hay = format!("{head}{}{tail}", "x".repeat(pad));
                        let want = whole.find(&hay).map(|m| m.end());
                        assert_eq!(g.find(&hay), want, "{p} on {head}+{pad}+{tail}");
                        let short = format!("{head}{tail}");
                        let want = whole.find(&short).map(|m| m.end());
                        assert_eq!(g.find(&short), want, "{p} on {head}{tail}");
                        tried += 2;
                        found += usize::from(want.is_some());
                    }
                }
            }
        }
        assert!(tried > 4000 && found > 100, "{tried} tried, {found} found");
    }
}
