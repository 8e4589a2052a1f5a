//! The user's own rules files, added to the built-in catalogue: each file is loaded with the
//! built-in ones, its size limits checked and its samples run; a file with any problem (one
//! that cannot even be read included) is left out whole, with its problems, and the analysis
//! goes on without it.

use std::sync::Arc;

use crate::catalogue::Catalogue;
use crate::error::{Error, ErrorKind};
use crate::rules::{
    Rule, RulesFile, BUILTIN_FILES, MAX_RULES_FILE, MAX_USER_RULES, MAX_USER_SAMPLES,
};

/// What [`Catalogue::with_extra`] made of the user's rules files.
#[derive(Debug)]
pub struct Extra {
    /// The built-in rules plus every good file; `None` when no file was added (use
    /// [`Catalogue::builtin`]).
    pub catalogue: Option<Arc<Catalogue>>,
    /// Each file, in the order given.
    pub outcomes: Vec<Outcome>,
}

/// What became of one rules file.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The file's name.
    pub name: String,
    /// How many rules it added (0 when it was left out).
    pub rules: usize,
    /// Why it was left out (every problem names the file); empty when it was used.
    pub problems: Vec<Error>,
}

impl Extra {
    /// The files added, with how many rules each brought.
    pub fn added(&self) -> Vec<(String, usize)> {
        self.outcomes
            .iter()
            .filter(|o| o.problems.is_empty())
            .map(|o| (o.name.clone(), o.rules))
            .collect()
    }

    /// The files left out, each with its problems.
    pub fn rejected(&self) -> Vec<(String, Vec<Error>)> {
        self.outcomes
            .iter()
            .filter(|o| !o.problems.is_empty())
            .map(|o| (o.name.clone(), o.problems.clone()))
            .collect()
    }

    /// Every file, in the order given, used or not, as the analysis lists it.
    pub fn files(&self) -> Vec<RulesFile> {
        self.outcomes
            .iter()
            .map(|o| RulesFile {
                name: o.name.clone(),
                rules: o.rules,
                used: o.problems.is_empty(),
            })
            .collect()
    }

    /// Each problem of the files left out, then one line per such file saying it was not used.
    pub fn problems(&self) -> Vec<Error> {
        let mut out = Vec::new();
        for o in self.outcomes.iter().filter(|o| !o.problems.is_empty()) {
            out.extend(o.problems.iter().cloned());
            let n = o.problems.len();
            out.push(
                Error::new(
                    o.problems[0].kind,
                    format!(
                        "these rules were not used ({}); the analysis went on without them",
                        crate::render::plural(n, "problem")
                    ),
                )
                .in_file(o.name.clone()),
            );
        }
        out
    }
}

impl Catalogue {
    /// The built-in rules plus the user's own rules files (`(file name, TOML text)`). A file
    /// with any problem (too large, TOML, schema, a pattern, an id already used, a sample that
    /// does not behave as declared) is left out whole, with its problems; the good ones are
    /// added.
    pub fn with_extra(files: &[(&str, &str)]) -> Extra {
        let sources: Vec<(&str, Result<&str, String>)> =
            files.iter().map(|&(name, text)| (name, Ok(text))).collect();
        Catalogue::with_sources(&sources)
    }

    /// Like [`Catalogue::with_extra`], for files that may not have been readable: `Err` holds
    /// why (e.g. the operating system's message); such a file is left out with that problem.
    pub fn with_sources(files: &[(&str, Result<&str, String>)]) -> Extra {
        let mut used: Vec<(&str, &str)> = BUILTIN_FILES.to_vec();
        // The catalogue of every file used so far: the last good trial, reused.
        let mut catalogue = None;
        let mut outcomes = Vec::new();
        for (name, text) in files {
            let name = *name;
            let (rules, problems) = match text {
                Err(why) => (
                    0,
                    vec![Error::new(
                        ErrorKind::Unreadable,
                        format!("cannot read the rules file: {why}"),
                    )
                    .in_file(name)],
                ),
                Ok(text) => match trial(&used, name, text) {
                    Ok((c, rules)) => {
                        catalogue = Some(c);
                        used.push((name, text));
                        (rules, Vec::new())
                    }
                    Err(problems) => (0, problems),
                },
            };
            outcomes.push(Outcome {
                name: name.to_string(),
                rules,
                problems,
            });
        }
        Extra {
            catalogue,
            outcomes,
        }
    }
}

/// The catalogue of the files used so far plus `name`, and how many rules `name` adds; or why
/// `name` cannot be used.
fn trial(
    used: &[(&str, &str)],
    name: &str,
    text: &str,
) -> Result<(Arc<Catalogue>, usize), Vec<Error>> {
    if text.len() > MAX_RULES_FILE {
        return Err(vec![Error::new(
            ErrorKind::RuleSchema,
            format!(
                "it is {} KB; a rules file may be at most {} KB",
                text.len() >> 10,
                MAX_RULES_FILE >> 10
            ),
        )
        .in_file(name)]);
    }
    let mut files = used.to_vec();
    files.push((name, text));
    let c = Catalogue::from_files(&files)?;
    let mine = |r: &&Rule| r.source == name;
    let count = c.rules.iter().filter(mine).count();
    let samples: usize = c.rules.iter().filter(mine).map(|r| r.samples.count()).sum();
    if count > MAX_USER_RULES || samples > MAX_USER_SAMPLES {
        return Err(vec![Error::new(
            ErrorKind::RuleSchema,
            format!(
                "it holds {count} rules with {samples} samples; a rules file may hold at most {MAX_USER_RULES} rules and {MAX_USER_SAMPLES} samples"
            ),
        )
        .in_file(name)]);
    }
    // (A file without rules is a loader error.) Only this file's samples are run: the others
    // were checked already.
    let errors = crate::samples::check(&c, |r| r.source == name);
    if errors.is_empty() {
        Ok((c, count))
    } else {
        Err(errors)
    }
}
