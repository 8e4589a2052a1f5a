//! The compiled catalogue: the loaded rules with their patterns compiled into one scanner.

use std::sync::OnceLock;

use crate::error::Error;
use crate::rules::{self, Pattern, Rule, BUILTIN_FILES};
use crate::scan::Scanner;

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
        let (rules, patterns) = rules::load(files)?;
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
