//! The rule catalogue: rules are data (TOML files), checked strictly when loaded, and carry
//! sample lines that must and must not make them fire.

mod fields;
mod load;
mod schema;

use load::parse_rules_file;
pub use load::REGEX_SIZE_LIMIT;
pub use schema::{Condition, Pattern, PatternSpec, Rule, Samples, Scope, Severity};

use std::sync::OnceLock;

use crate::error::Error;
use crate::scan::Scanner;

/// The rules files built into the engine, with the names errors refer to.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    ("rules/kb0596459.toml", include_str!("kb0596459.toml")),
    ("rules/upgrade.toml", include_str!("upgrade.toml")),
    ("rules/connectivity.toml", include_str!("connectivity.toml")),
    ("rules/host.toml", include_str!("host.toml")),
];

/// Largest rules file accepted (the built-in ones are 6 to 15 KB).
pub const MAX_RULES_FILE: usize = 1 << 20;
/// Most rules one user file may add (the built-in catalogue has 20; checking each sample runs
/// an analysis, so the check time grows with rules times samples).
pub const MAX_USER_RULES: usize = 200;
/// Most samples one user file may carry.
pub const MAX_USER_SAMPLES: usize = 1000;

/// What [`Catalogue::with_extra`] made of the user's rules files.
#[derive(Debug)]
pub struct Extra {
    /// The built-in rules plus every good file; `None` when no file was added (use
    /// [`Catalogue::builtin`]).
    pub catalogue: Option<Catalogue>,
    /// The files added, with how many rules each brought.
    pub added: Vec<(String, usize)>,
    /// The files left out, each with its problems (every one names the file).
    pub rejected: Vec<(String, Vec<Error>)>,
    /// Every file's name, in the order given.
    pub order: Vec<String>,
}

/// A user's rules file, as the analysis lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RulesFile {
    /// The file's name.
    pub name: String,
    /// How many rules it added; 0 when it was left out for its problems.
    pub rules: usize,
    /// Whether its rules were used.
    pub used: bool,
}

impl Extra {
    /// Every file, in the order given, used or not.
    pub fn files(&self) -> Vec<RulesFile> {
        let mut out: Vec<(usize, RulesFile)> = self
            .added
            .iter()
            .map(|(name, rules)| (name, *rules, true))
            .chain(self.rejected.iter().map(|(name, _)| (name, 0, false)))
            .map(|(name, rules, used)| {
                let at = self
                    .order
                    .iter()
                    .position(|n| n == name)
                    .unwrap_or(usize::MAX);
                let name = name.clone();
                (at, RulesFile { name, rules, used })
            })
            .collect();
        out.sort_by_key(|(at, _)| *at);
        out.into_iter().map(|(_, f)| f).collect()
    }

    /// Each problem of the files left out, then one line per such file saying it was not used.
    pub fn problems(&self) -> Vec<Error> {
        let mut out = Vec::new();
        for (file, problems) in &self.rejected {
            out.extend(problems.iter().cloned());
            let kind = problems
                .first()
                .map_or(crate::ErrorKind::RuleSchema, |p| p.kind);
            out.push(
                Error::new(
                    kind,
                    format!(
                        "these rules were not used ({} problem{}); the analysis went on without them",
                        problems.len(),
                        if problems.len() == 1 { "" } else { "s" }
                    ),
                )
                .in_file(file.clone()),
            );
        }
        out
    }
}

/// A loaded, validated set of rules with its compiled patterns and scanner.
#[derive(Debug)]
pub struct Catalogue {
    /// The rules, in file order.
    pub rules: Vec<Rule>,
    /// Every distinct pattern the rules use; conditions refer to these by index.
    pub patterns: Vec<Pattern>,
    pub(crate) scanner: Scanner,
}

impl Catalogue {
    /// The catalogue built into the engine, parsed once on first use.
    pub fn builtin() -> &'static Catalogue {
        static BUILTIN: OnceLock<Catalogue> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            Catalogue::from_files(BUILTIN_FILES).unwrap_or_else(|errors| {
                let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
                panic!("the built-in rules are invalid:\n{}", all.join("\n"))
            })
        })
    }

    /// Loads rules from `(file name, TOML text)` pairs; returns every problem found.
    pub fn from_files(files: &[(&str, &str)]) -> Result<Catalogue, Vec<Error>> {
        let mut table = schema::PatternTable::default();
        let mut rules: Vec<Rule> = Vec::new();
        let mut errors = Vec::new();
        for (name, text) in files {
            match parse_rules_file(name, text, &mut table) {
                Ok(mut more) => rules.append(&mut more),
                Err(mut errs) => errors.append(&mut errs),
            }
        }
        for (i, rule) in rules.iter().enumerate() {
            if let Some(first) = rules[..i].iter().find(|r| r.id == rule.id) {
                errors.push(
                    Error::new(
                        crate::ErrorKind::RuleSchema,
                        format!("duplicate id; it is already used in {}", first.source),
                    )
                    .in_file(rule.source.clone())
                    .in_rule(rule.id.clone())
                    .at_field("id"),
                );
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let patterns = table.into_patterns();
        let scanner = Scanner::new(&patterns);
        Ok(Catalogue {
            rules,
            patterns,
            scanner,
        })
    }

    /// The built-in rules plus the user's own rules files (`(file name, TOML text)`). A file
    /// with any problem (too large, TOML, schema, a pattern, an id already used, a sample that
    /// does not behave as declared) is left out whole, with its problems in
    /// [`Extra::rejected`]; the good ones are added.
    pub fn with_extra(files: &[(&str, &str)]) -> Extra {
        let mut used: Vec<(&str, &str)> = BUILTIN_FILES.to_vec();
        // The catalogue of every file used so far: the last good trial, not built again.
        let mut catalogue = None;
        let mut added = Vec::new();
        let mut rejected = Vec::new();
        for &(name, text) in files {
            let problems = if text.len() > MAX_RULES_FILE {
                vec![Error::new(
                    crate::ErrorKind::RuleSchema,
                    format!(
                        "it is {} KB; a rules file may be at most {} KB",
                        text.len() >> 10,
                        MAX_RULES_FILE >> 10
                    ),
                )
                .in_file(name)]
            } else {
                let mut trial = used.clone();
                trial.push((name, text));
                match Catalogue::from_files(&trial) {
                    Err(errors) => errors,
                    Ok(c) => {
                        let mine = |r: &&Rule| r.source == name;
                        let count = c.rules.iter().filter(mine).count();
                        let samples: usize = c
                            .rules
                            .iter()
                            .filter(mine)
                            .map(|r| r.samples.fire.len() + r.samples.quiet.len())
                            .sum();
                        if count > MAX_USER_RULES || samples > MAX_USER_SAMPLES {
                            rejected.push((
                                name.to_string(),
                                vec![Error::new(
                                    crate::ErrorKind::RuleSchema,
                                    format!(
                                        "it holds {count} rules with {samples} samples; a rules file may hold at most {MAX_USER_RULES} rules and {MAX_USER_SAMPLES} samples"
                                    ),
                                )
                                .in_file(name)],
                            ));
                            continue;
                        }
                        // (A file without rules is a loader error.) Only this file's samples
                        // are run: the others were checked already.
                        let errors = crate::samples::check(&c, |r| r.source == name);
                        if errors.is_empty() {
                            added.push((name.to_string(), count));
                            catalogue = Some(c);
                        }
                        errors
                    }
                }
            };
            if problems.is_empty() {
                used.push((name, text));
            } else {
                rejected.push((name.to_string(), problems));
            }
        }
        Extra {
            catalogue,
            added,
            rejected,
            order: files.iter().map(|(n, _)| n.to_string()).collect(),
        }
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}
