//! The user's own rules files, added to the built-in catalogue: each file is loaded with the
//! built-in ones, its size limits checked and its samples run; a file with any problem is left
//! out whole, with its problems, and the analysis goes on without it.

use crate::catalogue::Catalogue;
use crate::error::Error;
use crate::rules::{
    Rule, RulesFile, BUILTIN_FILES, MAX_RULES_FILE, MAX_USER_RULES, MAX_USER_SAMPLES,
};

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

impl Catalogue {
    /// The built-in rules plus the user's own rules files (`(file name, TOML text)`). A file
    /// with any problem (too large, TOML, schema, a pattern, an id already used, a sample that
    /// does not behave as declared) is left out whole, with its problems in
    /// [`Extra::rejected`]; the good ones are added.
    pub fn with_extra(files: &[(&str, &str)]) -> Extra {
        let mut used: Vec<(&str, &str)> = BUILTIN_FILES.to_vec();
        // The catalogue of every file used so far: the last good trial, reused.
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
}
