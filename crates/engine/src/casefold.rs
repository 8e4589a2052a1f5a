//! Case-insensitive regexes that fold ASCII letters only, as the literal patterns do (they are
//! matched ASCII-case-insensitively): `a` also matches `A`, but `é` does not match `É`. The
//! pattern is rewritten (each letter becomes a class of both cases) and then compiled as a
//! case-sensitive regex, so the Unicode case-folding tables are not needed (they would add
//! about 45 KB to the web app).
//!
//! Every regex the engine compiles also has its Perl classes and word boundaries made ASCII
//! (`\d` is `[0-9]`, `\s` `[\t\n\v\f\r ]`, `\w` `[0-9A-Za-z_]`, `\b` `(?-u:\b)`), so the
//! Unicode Perl tables are not shipped either (about 14 KB gzip of the web app).

use regex_syntax::ast::{
    self, Assertion, AssertionKind, Ast, ClassAscii, ClassAsciiKind, ClassBracketed, ClassPerl,
    ClassPerlKind, ClassSet, ClassSetItem, ClassSetRange, ClassSetUnion, Flag, Flags, FlagsItem,
    FlagsItemKind, Group, GroupKind, Literal, LiteralKind, Span,
};

/// `pattern` rewritten so that it matches regardless of the case of ASCII letters; the
/// message of the parser when the pattern is not a valid regex.
pub fn case_insensitive(pattern: &str) -> Result<String, String> {
    rewrite(pattern, true)
}

/// `pattern` with its Perl classes and word boundaries made ASCII, as every regex of the engine
/// has them; the message of the parser when the pattern is not a valid regex.
pub fn ascii_perl(pattern: &str) -> Result<String, String> {
    rewrite(pattern, false)
}

/// Compiles `pattern` with its Perl classes and word boundaries made ASCII ([`ascii_perl`]).
pub fn regex(pattern: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(&ascii_perl(pattern)?).map_err(|e| e.to_string())
}

fn rewrite(pattern: &str, fold_case: bool) -> Result<String, String> {
    let mut parsed = ast::parse::Parser::new()
        .parse(pattern)
        .map_err(|e| e.to_string())?;
    ascii(&mut parsed);
    if fold_case {
        fold(&mut parsed);
    }
    let mut out = String::with_capacity(pattern.len() * 2);
    ast::print::Printer::new()
        .print(&parsed, &mut out)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// The ASCII class a Perl class stands for.
fn ascii_class(perl: &ClassPerl) -> ClassAscii {
    ClassAscii {
        span: perl.span,
        kind: match perl.kind {
            ClassPerlKind::Digit => ClassAsciiKind::Digit,
            ClassPerlKind::Space => ClassAsciiKind::Space,
            ClassPerlKind::Word => ClassAsciiKind::Word,
        },
        negated: perl.negated,
    }
}

/// Makes Perl classes and word boundaries ASCII, inside brackets too.
fn ascii(a: &mut Ast) {
    match a {
        Ast::ClassPerl(perl) => {
            let span = perl.span;
            *a = Ast::ClassBracketed(Box::new(ClassBracketed {
                span,
                negated: false,
                kind: ClassSet::Item(ClassSetItem::Ascii(ascii_class(perl))),
            }));
        }
        Ast::Assertion(x)
            if !matches!(
                x.kind,
                AssertionKind::StartLine
                    | AssertionKind::EndLine
                    | AssertionKind::StartText
                    | AssertionKind::EndText
            ) =>
        {
            let span = x.span;
            let assertion = Ast::Assertion(Box::new(Assertion {
                span,
                kind: x.kind.clone(),
            }));
            let item = |kind| FlagsItem { span, kind };
            *a = Ast::Group(Box::new(Group {
                span,
                kind: GroupKind::NonCapturing(Flags {
                    span,
                    items: vec![
                        item(FlagsItemKind::Negation),
                        item(FlagsItemKind::Flag(Flag::Unicode)),
                    ],
                }),
                ast: Box::new(assertion),
            }));
        }
        Ast::ClassBracketed(class) => ascii_set(&mut class.kind),
        Ast::Repetition(r) => ascii(&mut r.ast),
        Ast::Group(g) => ascii(&mut g.ast),
        Ast::Alternation(x) => x.asts.iter_mut().for_each(ascii),
        Ast::Concat(x) => x.asts.iter_mut().for_each(ascii),
        _ => {}
    }
}

fn ascii_set(set: &mut ClassSet) {
    match set {
        ClassSet::Item(item) => ascii_item(item),
        ClassSet::BinaryOp(op) => {
            ascii_set(&mut op.lhs);
            ascii_set(&mut op.rhs);
        }
    }
}

fn ascii_item(item: &mut ClassSetItem) {
    match item {
        ClassSetItem::Perl(perl) => *item = ClassSetItem::Ascii(ascii_class(perl)),
        ClassSetItem::Bracketed(b) => ascii_set(&mut b.kind),
        ClassSetItem::Union(u) => u.items.iter_mut().for_each(ascii_item),
        _ => {}
    }
}

/// The other case of an ASCII letter.
fn swapped(c: char) -> Option<char> {
    match c {
        'a'..='z' => Some(c.to_ascii_uppercase()),
        'A'..='Z' => Some(c.to_ascii_lowercase()),
        _ => None,
    }
}

fn verbatim(c: char, span: Span) -> Literal {
    Literal {
        span,
        kind: LiteralKind::Verbatim,
        c,
    }
}

fn fold(a: &mut Ast) {
    match a {
        Ast::Literal(lit) => {
            if let Some(other) = swapped(lit.c) {
                let span = lit.span;
                let items = vec![
                    ClassSetItem::Literal((**lit).clone()),
                    ClassSetItem::Literal(verbatim(other, span)),
                ];
                *a = Ast::ClassBracketed(Box::new(ClassBracketed {
                    span,
                    negated: false,
                    kind: ClassSet::Item(ClassSetItem::Union(ClassSetUnion { span, items })),
                }));
            }
        }
        Ast::ClassBracketed(class) => fold_set(&mut class.kind),
        Ast::Repetition(r) => fold(&mut r.ast),
        Ast::Group(g) => {
            if let GroupKind::NonCapturing(flags) = &mut g.kind {
                drop_case_flag(flags);
            }
            fold(&mut g.ast);
        }
        Ast::Flags(f) => {
            drop_case_flag(&mut f.flags);
            if f.flags.items.is_empty() {
                *a = Ast::Empty(Box::new(f.span));
            }
        }
        Ast::Alternation(x) => x.asts.iter_mut().for_each(fold),
        Ast::Concat(x) => x.asts.iter_mut().for_each(fold),
        _ => {}
    }
}

/// Removes `i` (and `-i`) from a flag group: every letter is folded already, and Unicode case
/// folding is not available.
fn drop_case_flag(flags: &mut Flags) {
    flags
        .items
        .retain(|i| !matches!(i.kind, FlagsItemKind::Flag(Flag::CaseInsensitive)));
    if flags
        .items
        .last()
        .is_some_and(|i| matches!(i.kind, FlagsItemKind::Negation))
    {
        flags.items.pop();
    }
}

/// Folds the items of a bracketed class before its negation applies, so `[^a]` becomes
/// `[^aA]`.
fn fold_set(set: &mut ClassSet) {
    match set {
        ClassSet::Item(item) => fold_item(item),
        ClassSet::BinaryOp(op) => {
            fold_set(&mut op.lhs);
            fold_set(&mut op.rhs);
        }
    }
}

fn fold_item(item: &mut ClassSetItem) {
    let extra: Vec<ClassSetItem> = match item {
        ClassSetItem::Literal(lit) => swapped(lit.c)
            .map(|o| ClassSetItem::Literal(verbatim(o, lit.span)))
            .into_iter()
            .collect(),
        ClassSetItem::Range(r) => {
            let (lo, hi) = (r.start.c, r.end.c);
            [('a', 'z'), ('A', 'Z')]
                .into_iter()
                .filter_map(|(a, z)| {
                    let (s, e) = (lo.max(a), hi.min(z));
                    (s <= e).then(|| {
                        let (s, e) = (swapped(s).unwrap_or(s), swapped(e).unwrap_or(e));
                        ClassSetItem::Range(ClassSetRange {
                            span: r.span,
                            start: verbatim(s, r.span),
                            end: verbatim(e, r.span),
                        })
                    })
                })
                .collect()
        }
        ClassSetItem::Ascii(c) if !c.negated => {
            let other = match c.kind {
                ClassAsciiKind::Lower => Some(ClassAsciiKind::Upper),
                ClassAsciiKind::Upper => Some(ClassAsciiKind::Lower),
                _ => None,
            };
            other
                .map(|kind| {
                    ClassSetItem::Ascii(ClassAscii {
                        span: c.span,
                        kind,
                        negated: false,
                    })
                })
                .into_iter()
                .collect()
        }
        ClassSetItem::Bracketed(b) => {
            fold_set(&mut b.kind);
            Vec::new()
        }
        ClassSetItem::Union(u) => {
            u.items.iter_mut().for_each(fold_item);
            Vec::new()
        }
        _ => Vec::new(),
    };
    if !extra.is_empty() {
        let span = *item.span();
        let mut items = vec![item.clone()];
        items.extend(extra);
        *item = ClassSetItem::Union(ClassSetUnion { span, items });
    }
}

#[cfg(test)]
mod tests {
    use super::case_insensitive;

    fn matches(pattern: &str, text: &str) -> bool {
        regex::Regex::new(&case_insensitive(pattern).unwrap())
            .unwrap()
            .is_match(text)
    }

    #[test]
    fn ascii_letters_match_in_either_case() {
        assert!(matches("Upgrade failed", "UPGRADE FAILED"));
        assert!(matches(
            "upgrade(?:Exception|Execption)",
            "UpgradeEXECPTION"
        ));
        assert!(matches(r"status code\s*=\s*401\b", "Status Code = 401"));
        assert!(matches(r"\x41b", "aB"));
        assert!(matches("[a-c]x", "Bx"));
        assert!(matches("[0-z]", "Q"));
        assert!(matches("[[:lower:]]+", "ABC"));
        assert!(matches(r"[\\/]bin[\\/]mid\.bat", r"C:\MID\BIN\mid.BAT"));
        assert!(!matches("GLIBC_[0-9.]+' not found", "glibc_x' not found"));
    }

    #[test]
    fn negated_classes_exclude_both_cases() {
        assert!(!matches("^[^a]$", "A"));
        assert!(!matches("^[^a-c]$", "B"));
        assert!(matches("^[^a]$", "b"));
    }

    #[test]
    fn only_ascii_is_folded_and_the_rest_is_kept() {
        assert!(!matches("é", "É"));
        assert!(matches("é", "é"));
        assert_eq!(
            case_insensitive(r"\d+\.\s\b").unwrap(),
            r"[[:digit:]]+\.[[:space:]](?-u:\b)"
        );
        assert_eq!(case_insensitive("a|1").unwrap(), "[aA]|1");
        assert_eq!(case_insensitive("(?P<x>b){2}").unwrap(), "(?P<x>[bB]){2}");
    }

    #[test]
    fn case_flags_in_the_pattern_are_accepted() {
        assert!(matches("(?i)abc", "ABC"));
        assert!(matches("(?i:abc)d", "ABCD"));
        assert!(matches("(?-i)abc", "ABC"));
        assert!(matches("(?is)a.c", "A\nC"));
        assert_eq!(case_insensitive("(?i)x").unwrap(), "[xX]");
    }

    #[test]
    fn invalid_patterns_are_refused_with_the_parser_message() {
        let e = case_insensitive("(unclosed").unwrap_err();
        assert!(e.contains("unclosed group"), "{e}");
    }
}
