//! Reading a rules file strictly: every key known, every value checked, every problem named by
//! file, rule, field and reason.

use super::reader::{Table, Value};
use regex::RegexBuilder;

use super::fields::Ctx;
use super::schema::{
    Condition, PatternId, PatternSpec, PatternTable, Rule, Samples, Scope, Severity,
};
use crate::error::{Error, ErrorKind};
use crate::kind::FileKind;

const RULE_KEYS: &[&str] = &[
    "id",
    "title",
    "severity",
    "kb",
    "step",
    "summary",
    "files",
    "when",
    "resolution",
    "links",
    "reinstall",
    "samples",
];
const WHEN_KEYS: &[&str] = &["scope", "all", "any", "none", "within", "min_count"];
const SAMPLE_KEYS: &[&str] = &["fire", "quiet"];

/// The largest compiled program a rule's regex may need (bytes); bigger ones are refused.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The file kinds a rule applies to when it does not say: every kind of log.
const DEFAULT_FILES: [FileKind; 4] = [
    FileKind::Agent,
    FileKind::Wrapper,
    FileKind::Upgrade,
    FileKind::Unknown,
];

/// Parses and validates one rules file, adding its patterns to `table`.
///
/// Returns every problem found, each naming the file, the rule, the field and the reason.
pub(crate) fn parse_rules_file(
    file: &str,
    text: &str,
    table: &mut PatternTable,
) -> Result<Vec<Rule>, Vec<Error>> {
    let doc: Table = super::reader::parse(text).map_err(|e| {
        let reason = format!("line {}: not valid TOML: {}", e.line, e.message);
        vec![Error::new(ErrorKind::RuleSyntax, reason).in_file(file)]
    })?;
    let mut errors = Vec::new();
    for key in doc.keys().filter(|k| k.as_str() != "rule") {
        errors.push(
            Error::new(
                ErrorKind::RuleSchema,
                "unknown top-level key; a rules file holds only [[rule]] tables",
            )
            .in_file(file)
            .at_field(key.clone()),
        );
    }
    let rules = match doc.get("rule") {
        None => {
            errors.push(
                Error::new(ErrorKind::RuleSchema, "the file defines no [[rule]]").in_file(file),
            );
            Vec::new()
        }
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let mut ctx = Ctx {
                    file,
                    rule: format!("#{}", i + 1),
                    errors: &mut errors,
                };
                match item {
                    Value::Table(t) => ctx.rule(t, table),
                    _ => {
                        ctx.fail("", "each rule must be a [[rule]] table");
                        None
                    }
                }
            })
            .collect(),
        Some(_) => {
            errors.push(
                Error::new(
                    ErrorKind::RuleSchema,
                    "`rule` must be an array of tables, written [[rule]]",
                )
                .in_file(file)
                .at_field("rule"),
            );
            Vec::new()
        }
    };
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

impl Ctx<'_> {
    fn rule(&mut self, t: &Table, table: &mut PatternTable) -> Option<Rule> {
        if let Some(Value::String(id)) = t.get("id") {
            self.rule = id.clone();
        }
        self.unknown_keys(t, RULE_KEYS, "");
        let id = self.string(t, "id");
        if let Some(id) = &id {
            let kebab = id.split('-').all(|p| {
                !p.is_empty()
                    && p.bytes()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
            if !kebab {
                self.fail(
                    "id",
                    "must be kebab-case: lowercase letters and digits joined by single dashes",
                );
            }
        }
        let title = self.string(t, "title");
        let summary = self.string(t, "summary");
        let severity = self.string(t, "severity").and_then(|s| {
            let v = Severity::from_name(&s);
            if v.is_none() {
                self.fail(
                    "severity",
                    format!("`{s}` is not one of: critical, error, warning, info"),
                );
            }
            v
        });
        let kb = self.string(t, "kb");
        if let Some(kb) = &kb {
            if !is_kb(kb) {
                self.fail("kb", format!("`{kb}` is not a KB number like KB0596459"));
            }
        }
        let step = self.int(t, "step", 1..=4);
        if !t.contains_key("step") {
            self.fail(
                "step",
                "missing; it is required (the KB0596459 flow step, 1-4)",
            );
        }
        let files = self.files(t);
        let resolution = self.strings(t, "resolution", true);
        let links = self.strings(t, "links", false);
        for (i, link) in links.iter().enumerate() {
            if !is_kb(link) && !link.starts_with("https://") {
                self.fail(
                    &format!("links[{i}]"),
                    format!("`{link}` is neither a KB number nor an https:// URL"),
                );
            }
        }
        let reinstall = match t.get("reinstall") {
            None => false,
            Some(Value::Boolean(b)) => *b,
            Some(v) => {
                self.fail(
                    "reinstall",
                    format!("must be true or false, not {}", v.type_str()),
                );
                false
            }
        };
        let when = self.conditions(t, table);
        let samples = self.samples(t);
        // A rule whose other fields have errors is still built: a file with any error is
        // rejected whole (`parse_rules_file`).
        Some(Rule {
            id: id?,
            title: title?,
            severity: severity?,
            kb: kb?,
            step: u8::try_from(step?).ok()?,
            summary: summary?,
            files,
            when,
            resolution,
            links,
            reinstall,
            samples,
            source: self.file.to_string(),
        })
    }

    fn files(&mut self, t: &Table) -> Vec<FileKind> {
        if !t.contains_key("files") {
            return DEFAULT_FILES.to_vec();
        }
        let names = self.strings(t, "files", true);
        let mut kinds = Vec::new();
        for (i, name) in names.iter().enumerate() {
            match name.parse::<FileKind>() {
                // Rules quote the lines they match; config.xml holds passwords, so it is read
                // by the config checker only.
                Ok(FileKind::Config) => self.fail(
                    &format!("files[{i}]"),
                    "config.xml is checked by midtriage's config reader, which never shows a \
                     password; rules cannot match it",
                ),
                Ok(k) => kinds.push(k),
                Err(reason) => self.fail(&format!("files[{i}]"), reason),
            }
        }
        kinds
    }

    fn conditions(&mut self, t: &Table, table: &mut PatternTable) -> Vec<Condition> {
        let items = match t.get("when") {
            None => {
                self.fail(
                    "when",
                    "missing; a rule needs at least one [[rule.when]] condition",
                );
                return Vec::new();
            }
            Some(Value::Array(items)) if !items.is_empty() => items,
            Some(_) => {
                self.fail("when", "must be one or more [[rule.when]] tables");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let prefix = format!("when[{i}].");
            let Value::Table(w) = item else {
                self.fail(&format!("when[{i}]"), "must be a table");
                continue;
            };
            self.unknown_keys(w, WHEN_KEYS, &prefix);
            let scope = match w.get("scope") {
                None => Scope::Record,
                Some(Value::String(s)) => match s.as_str() {
                    "record" => Scope::Record,
                    "file" => Scope::File,
                    "any-file" => Scope::AnyFile,
                    other => {
                        self.fail(
                            &format!("{prefix}scope"),
                            format!("`{other}` is not one of: record, file, any-file"),
                        );
                        Scope::Record
                    }
                },
                Some(v) => {
                    self.fail(
                        &format!("{prefix}scope"),
                        format!("must be a string, not {}", v.type_str()),
                    );
                    Scope::Record
                }
            };
            let before = self.errors.len();
            let all = self.patterns(w, "all", &prefix, table);
            let any = self.patterns(w, "any", &prefix, table);
            let none = self.patterns(w, "none", &prefix, table);
            // Patterns that failed are already reported; an empty condition is news only when
            // none was given.
            if all.is_empty() && any.is_empty() && self.errors.len() == before {
                self.fail(
                    &format!("when[{i}]"),
                    "needs at least one pattern in `all` or `any`",
                );
            }
            let within = self.int(w, "within", 1..=100_000).map(|n| n as u32);
            if within.is_some() && scope != Scope::File {
                self.fail(
                    &format!("{prefix}within"),
                    "only applies with scope = \"file\"",
                );
            }
            let min_count = self.int(w, "min_count", 1..=100_000).unwrap_or(1) as u32;
            out.push(Condition {
                scope,
                all,
                any,
                none,
                within,
                min_count,
            });
        }
        out
    }

    fn patterns(
        &mut self,
        w: &Table,
        key: &str,
        prefix: &str,
        table: &mut PatternTable,
    ) -> Vec<PatternId> {
        let field = format!("{prefix}{key}");
        let items = match w.get(key) {
            None => return Vec::new(),
            Some(Value::Array(items)) => items,
            Some(v) => {
                self.fail(
                    &field,
                    format!("must be an array of patterns, not {}", v.type_str()),
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = format!("{field}[{i}]");
            match item {
                Value::String(s) if s.contains(['\n', '\r']) => {
                    self.fail(&at, "a literal cannot span lines; use two patterns with scope = \"file\" and `within`");
                }
                Value::String(s) if !s.is_empty() => {
                    out.push(table.intern(PatternSpec::Literal(s.clone()), None));
                }
                Value::Table(p) if p.len() == 1 && p.contains_key("regex") => {
                    match p.get("regex") {
                        Some(Value::String(re)) if !re.is_empty() => {
                            let compiled = crate::casefold::case_insensitive(re)
                                .map_err(regex::Error::Syntax)
                                .and_then(|folded| {
                                    RegexBuilder::new(&folded)
                                        .size_limit(REGEX_SIZE_LIMIT)
                                        .dfa_size_limit(REGEX_SIZE_LIMIT)
                                        .build()
                                });
                            match compiled {
                                Ok(compiled) => out.push(
                                    table.intern(PatternSpec::Regex(re.clone()), Some(compiled)),
                                ),
                                Err(regex::Error::CompiledTooBig(_)) => self.fail_kind(
                                    ErrorKind::RulePattern,
                                    &at,
                                    format!(
                                        "the regex is too large: compiled, it would need more than {} KB; split it or use literals",
                                        REGEX_SIZE_LIMIT >> 10
                                    ),
                                ),
                                Err(e) => self.fail_kind(
                                    ErrorKind::RulePattern,
                                    &at,
                                    format!("invalid regex: {}", one_line(&e.to_string())),
                                ),
                            }
                        }
                        _ => self.fail(&at, "`regex` must be a non-empty string"),
                    }
                }
                _ => self.fail(
                    &at,
                    "a pattern is a non-empty string (a literal) or { regex = '...' }",
                ),
            }
        }
        out
    }

    fn samples(&mut self, t: &Table) -> Samples {
        match t.get("samples") {
            None => {
                self.fail(
                    "samples",
                    "missing; every rule carries at least one sample that must fire",
                );
                Samples::default()
            }
            Some(Value::Table(s)) => {
                self.unknown_keys(s, SAMPLE_KEYS, "samples.");
                Samples {
                    fire: self.strings(s, "fire", true),
                    quiet: self.strings(s, "quiet", false),
                }
            }
            Some(v) => {
                self.fail("samples", format!("must be a table, not {}", v.type_str()));
                Samples::default()
            }
        }
    }
}

fn is_kb(s: &str) -> bool {
    s.len() == 9 && s.starts_with("KB") && s[2..].bytes().all(|c| c.is_ascii_digit())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[rule]]
id = "x-y"
title = "T"
severity = "error"
kb = "KB0596459"
step = 4
summary = "S"
resolution = ["do this"]
links = ["KB0597538"]
[[rule.when]]
any = ["needle", { regex = 'ne+dle\d' }]
[rule.samples]
fire = ["a needle here"]
"#;

    fn load(text: &str) -> Result<Vec<Rule>, Vec<Error>> {
        parse_rules_file("my-rules.toml", text, &mut PatternTable::default())
    }

    fn only_error(text: &str) -> String {
        let errs = load(text).expect_err("must fail");
        assert_eq!(errs.len(), 1, "{errs:?}");
        errs[0].to_string()
    }

    #[test]
    fn a_good_rule_loads_with_defaults() {
        let rules = load(GOOD).unwrap();
        assert_eq!(rules.len(), 1);
        let r = &rules[0];
        assert_eq!(
            (r.id.as_str(), r.severity, r.step, r.reinstall),
            ("x-y", Severity::Error, 4, false)
        );
        assert_eq!(r.files, DEFAULT_FILES);
        assert_eq!(r.when[0].scope, Scope::Record);
        assert_eq!(r.when[0].any.len(), 2);
        assert_eq!(r.source, "my-rules.toml");
    }

    #[test]
    fn unknown_key_names_file_rule_and_field() {
        let e = only_error(&GOOD.replace("step = 4", "step = 4\nseverty = \"error\""));
        assert_eq!(e, "my-rules.toml: rule `x-y`: field `severty`: unknown key; expected one of: id, title, severity, kb, step, summary, files, when, resolution, links, reinstall, samples");
        let e = only_error(&GOOD.replace("[[rule.when]]", "[[rule.when]]\nwithn = 3"));
        assert!(e.contains("field `when[0].withn`: unknown key"), "{e}");
    }

    #[test]
    fn rules_cannot_target_config_xml() {
        let e = only_error(&GOOD.replace("step = 4", "step = 4\nfiles = [\"agent\", \"config\"]"));
        assert!(
            e.contains("field `files[1]`: config.xml is checked by"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_are_named() {
        assert!(only_error(&GOOD.replace("\"error\"", "\"fatal\""))
            .contains("field `severity`: `fatal` is not one of"));
        assert!(only_error(&GOOD.replace("KB0596459", "KB12")).contains("field `kb`"));
        assert!(only_error(&GOOD.replace("step = 4", "step = 9"))
            .contains("field `step`: 9 is out of range"));
        assert!(only_error(&GOOD.replace("\"x-y\"", "\"X_Y\""))
            .contains("rule `X_Y`: field `id`: must be kebab-case"));
        let e = only_error(&GOOD.replace("resolution = [\"do this\"]", ""));
        assert!(e.contains("field `resolution`: missing"), "{e}");
        let e = only_error(&GOOD.replace("[rule.samples]\nfire = [\"a needle here\"]", ""));
        assert!(e.contains("field `samples`: missing"), "{e}");
    }

    #[test]
    fn invalid_and_oversized_regexes_are_pattern_errors() {
        let errs = load(&GOOD.replace(r"ne+dle\d", "ne(+dle")).unwrap_err();
        assert_eq!(errs[0].kind, ErrorKind::RulePattern);
        assert!(
            errs[0]
                .to_string()
                .contains("field `when[0].any[1]`: invalid regex"),
            "{}",
            errs[0]
        );
        let monster = "a{1000}".repeat(200);
        let errs = load(&GOOD.replace(r"ne+dle\d", &monster)).unwrap_err();
        assert_eq!(errs[0].kind, ErrorKind::RulePattern);
        assert!(
            errs[0].reason.contains("the regex is too large"),
            "{}",
            errs[0]
        );
        // The failed pattern is the only problem reported: no echo about an empty condition.
        let alone = format!("any = [{{ regex = '{monster}' }}]");
        let errs = load(&GOOD.replace(r#"any = ["needle", { regex = 'ne+dle\d' }]"#, &alone));
        assert_eq!(errs.as_ref().map_err(Vec::len).unwrap_err(), 1, "{errs:?}");
    }

    #[test]
    fn toml_syntax_errors_give_the_line() {
        let errs = load("[[rule]]\nid = \"a\"\ntitle = \n").unwrap_err();
        assert_eq!(errs[0].kind, ErrorKind::RuleSyntax);
        assert!(
            errs[0]
                .to_string()
                .starts_with("my-rules.toml: line 3: not valid TOML"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn literals_cannot_span_lines() {
        let e = only_error(&GOOD.replace(r#"any = ["needle","#, r#"any = ["nee\ndle","#));
        assert!(
            e.contains("field `when[0].any[0]`: a literal cannot span lines"),
            "{e}"
        );
    }

    #[test]
    fn within_needs_file_scope_and_rules_need_patterns() {
        let e = only_error(&GOOD.replace("[[rule.when]]", "[[rule.when]]\nwithin = 3"));
        assert!(
            e.contains("field `when[0].within`: only applies with scope"),
            "{e}"
        );
        let e = only_error(&GOOD.replace(
            r#"any = ["needle", { regex = 'ne+dle\d' }]"#,
            "none = [\"x\"]",
        ));
        assert!(e.contains("needs at least one pattern"), "{e}");
        let errs = load("title = 1\n").unwrap_err();
        assert_eq!(errs.len(), 2);
    }

    #[test]
    fn blank_texts_and_empty_patterns_are_named() {
        let e = only_error(&GOOD.replace("title = \"T\"", "title = \"  \""));
        assert!(e.contains("field `title`: must not be empty"), "{e}");
        let e = only_error(&GOOD.replace("[\"do this\"]", "[\"do this\", \" \"]"));
        assert!(
            e.contains("field `resolution[1]`: must be a non-empty string"),
            "{e}"
        );
        let e = only_error(&GOOD.replace("any = [\"needle\",", "any = [\"\","));
        assert!(e.contains("field `when[0].any[0]`"), "{e}");
        let e = only_error(&GOOD.replace("{ regex = 'ne+dle\\d' }", "{ regex = '' }"));
        assert!(e.contains("field `when[0].any[1]`"), "{e}");
        let e = only_error(&GOOD.replace("{ regex = 'ne+dle\\d' }", "{ regex = 'x', why = 'y' }"));
        assert!(e.contains("field `when[0].any[1]`"), "{e}");
        let e = only_error(&GOOD.replace("{ regex = 'ne+dle\\d' }", "{ literal = 'x' }"));
        assert!(e.contains("field `when[0].any[1]`"), "{e}");
        let errs = load(&GOOD.replace("[[rule.when]]\nany", "when = []\n[[rule.whe]]\nany"));
        let errs: Vec<String> = errs.unwrap_err().iter().map(|e| e.to_string()).collect();
        assert!(
            errs.iter()
                .any(|e| e.contains("field `when`: must be one or more [[rule.when]] tables")),
            "{errs:?}"
        );
    }

    #[test]
    fn links_are_kb_numbers_or_https() {
        let e = only_error(&GOOD.replace("[\"KB0597538\"]", "[\"KB0597538\", \"http://x\"]"));
        assert!(
            e.contains("field `links[1]`: `http://x` is neither a KB number nor an https:// URL"),
            "{e}"
        );
        let ok = GOOD.replace("[\"KB0597538\"]", "[\"https://support.servicenow.com/kb\"]");
        assert!(load(&ok).is_ok());
    }

    #[test]
    fn regex_errors_fit_on_one_line() {
        let errs = load(&GOOD.replace(r"ne+dle\d", "ne(+dle")).unwrap_err();
        let reason = &errs[0].reason;
        assert!(!reason.contains('\n'), "{reason}");
        assert!(
            reason.starts_with("invalid regex: regex parse error: ne(+dle"),
            "{reason}"
        );
        assert_eq!(one_line(" a\n  b \t c "), "a b c");
    }
}
