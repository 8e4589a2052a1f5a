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

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}
