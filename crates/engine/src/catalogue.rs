//! The compiled catalogue: the loaded rules with their patterns compiled into one scanner.

use std::collections::BTreeSet;
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

/// What the analyzer needs to know of the rules' conditions, worked out once when the
/// catalogue is compiled: which conditions each pattern's hits go to.
#[derive(Debug, Default)]
pub(crate) struct Index {
    /// For each pattern: whether a file- or any-file-scope condition names it (its hits are
    /// followed to the end of a file).
    pub file_pattern: Vec<bool>,
    /// The file-scope conditions, as (rule, condition) indices, by [`FileCondId`]...
    pub file_conds: Vec<(usize, usize)>,
    /// ...and, for each pattern, the file-scope conditions it is in.
    pub conds_of: Vec<Vec<FileCondId>>,
    /// The record-scope conditions, as (rule, condition) indices, in rule order...
    pub record_conds: Vec<(usize, usize)>,
    /// ...and, for each pattern, the record-scope conditions it is in (as indices into
    /// `record_conds`).
    pub record_conds_of: Vec<Vec<u32>>,
    /// For each pattern, the rules that a hit of it may make fire (it is among the `all` or
    /// `any` patterns of one of their conditions), in rule order.
    pub rules_of: Vec<Vec<u32>>,
}

/// A file-scope condition of the catalogue: its place in [`Index::file_conds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct FileCondId(pub usize);

impl Index {
    fn new(rules: &[Rule], patterns: usize) -> Index {
        let conds = || {
            rules
                .iter()
                .enumerate()
                .flat_map(|(ri, r)| r.when.iter().enumerate().map(move |(ci, c)| (ri, ci, c)))
        };
        let mut file_pattern = vec![false; patterns];
        for (_, _, c) in conds().filter(|(_, _, c)| c.scope != Scope::Record) {
            for p in c.patterns() {
                file_pattern[p.index()] = true;
            }
        }
        // Each condition once per pattern, however often the condition names it.
        let by_pattern = |scope: Scope| {
            let list: Vec<(usize, usize)> = conds()
                .filter(|(_, _, c)| c.scope == scope)
                .map(|(ri, ci, _)| (ri, ci))
                .collect();
            let mut of: Vec<Vec<u32>> = vec![Vec::new(); patterns];
            for (k, &(ri, ci)) in list.iter().enumerate() {
                let named: BTreeSet<PatternId> = rules[ri].when[ci].patterns().collect();
                for p in named {
                    of[p.index()].push(k as u32);
                }
            }
            (list, of)
        };
        let mut rules_of: Vec<Vec<u32>> = vec![Vec::new(); patterns];
        for (ri, rule) in rules.iter().enumerate() {
            let positive = rule.when.iter().flat_map(|c| c.all.iter().chain(&c.any));
            for p in positive.collect::<BTreeSet<_>>() {
                rules_of[p.index()].push(ri as u32);
            }
        }
        let (file_conds, conds_of) = by_pattern(Scope::File);
        let (record_conds, record_conds_of) = by_pattern(Scope::Record);
        Index {
            file_pattern,
            file_conds,
            conds_of: conds_of
                .into_iter()
                .map(|ks| ks.into_iter().map(|k| FileCondId(k as usize)).collect())
                .collect(),
            record_conds,
            record_conds_of,
            rules_of,
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
        let index = Index::new(&rules, patterns.len());
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
