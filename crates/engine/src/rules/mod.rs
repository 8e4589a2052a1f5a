//! Rules as data: the schema of the TOML rules files, their loading and validation (strict,
//! every problem named), and the built-in files. Rules carry sample lines that must and must
//! not make them fire; running them is the work of [`crate::user_rules`] and `samples`, and
//! compiling the patterns into a scanner is the `catalogue`'s.

mod fields;
mod load;
mod reader;
mod schema;

use load::parse_rules_file;
pub use load::REGEX_SIZE_LIMIT;
pub use schema::{Condition, Pattern, PatternId, PatternSpec, Rule, Samples, Scope, Severity};

use crate::error::Error;

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

/// Loads rules from `(file name, TOML text)` pairs: the rules in file order and every distinct
/// pattern they use (conditions refer to patterns by index); or every problem found.
pub fn load(files: &[(&str, &str)]) -> Result<(Vec<Rule>, Vec<Pattern>), Vec<Error>> {
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
    if errors.is_empty() {
        Ok((rules, table.into_patterns()))
    } else {
        Err(errors)
    }
}
