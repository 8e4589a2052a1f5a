//! The compiled catalogue: the loaded rules with their patterns compiled into one scanner.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use crate::error::Error;
use crate::rules::{self, Pattern, PatternId, Rule, Scope, BUILTIN_FILES};
use crate::scan::Scanner;

/// A loaded, validated set of rules with its compiled patterns and scanner.
#[derive(Debug)]
pub struct Catalogue {
    /// The rules, in file order.
    pub rules: Vec<Rule>,
    /// Every distinct pattern the rules use; conditions refer to these by index.
    pub patterns: Vec<Pattern>,
    pub(crate) scanner: Scanner,
    pub(crate) index: Index,
}

/// What the analyzer needs to know of the rules' file-scope conditions, worked out once when
/// the catalogue is compiled.
#[derive(Debug, Default)]
pub(crate) struct Index {
    /// Patterns of file- and any-file-scope conditions: their hits are followed to the end of a
    /// file.
    pub file_patterns: BTreeSet<PatternId>,
    /// The file-scope conditions, as (rule, condition) indices, by [`FileCondId`]...
    pub file_conds: Vec<(usize, usize)>,
    /// ...and, for each pattern, the file-scope conditions it is in.
    pub conds_of: HashMap<PatternId, Vec<FileCondId>>,
}

/// A file-scope condition of the catalogue: its place in [`Index::file_conds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct FileCondId(pub usize);

impl Index {
    fn new(rules: &[Rule]) -> Index {
        let file_patterns = rules
            .iter()
            .flat_map(|r| &r.when)
            .filter(|c| c.scope != Scope::Record)
            .flat_map(|c| c.patterns())
            .collect();
        let file_conds: Vec<(usize, usize)> = rules
            .iter()
            .enumerate()
            .flat_map(|(ri, r)| r.when.iter().enumerate().map(move |(ci, c)| (ri, ci, c)))
            .filter(|(_, _, c)| c.scope == Scope::File)
            .map(|(ri, ci, _)| (ri, ci))
            .collect();
        let mut conds_of: HashMap<PatternId, Vec<FileCondId>> = HashMap::new();
        for (k, &(ri, ci)) in file_conds.iter().enumerate() {
            let patterns: BTreeSet<PatternId> = rules[ri].when[ci].patterns().collect();
            for p in patterns {
                conds_of.entry(p).or_default().push(FileCondId(k));
            }
        }
        Index {
            file_patterns,
            file_conds,
            conds_of,
        }
    }
}

impl Catalogue {
    /// The catalogue built into the engine, parsed once on first use.
    pub fn builtin() -> &'static Arc<Catalogue> {
        static BUILTIN: OnceLock<Arc<Catalogue>> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            Catalogue::from_files(BUILTIN_FILES).unwrap_or_else(|errors| {
                let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
                panic!("the built-in rules are invalid:\n{}", all.join("\n"))
            })
        })
    }

    /// Loads rules from `(file name, TOML text)` pairs; returns every problem found.
    pub fn from_files(files: &[(&str, &str)]) -> Result<Arc<Catalogue>, Vec<Error>> {
        let (rules, patterns) = rules::load(files)?;
        let scanner = Scanner::new(&patterns);
        let index = Index::new(&rules);
        Ok(Arc::new(Catalogue {
            rules,
            patterns,
            scanner,
            index,
        }))
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}
