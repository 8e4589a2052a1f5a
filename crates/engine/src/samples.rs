//! Running every rule's own samples: each `fire` text must make the rule fire, each `quiet`
//! text must not.

use std::sync::Arc;

use crate::analysis::{Context, Input};
use crate::catalogue::Catalogue;
use crate::error::{Error, ErrorKind};
use crate::kind::{self, FileKind};
use crate::rules::Rule;
use crate::run::analyze;

/// Checks the samples of every rule in `catalogue`; returns one error per sample that misbehaves.
pub fn check_samples(catalogue: &Arc<Catalogue>) -> Vec<Error> {
    check(catalogue, |_| true)
}

/// Checks the samples of the rules of `catalogue` that `which` picks.
pub(crate) fn check(catalogue: &Arc<Catalogue>, which: impl Fn(&Rule) -> bool) -> Vec<Error> {
    let mut errors = Vec::new();
    for rule in catalogue.rules.iter().filter(|r| which(r)) {
        let cases = rule
            .samples
            .fire
            .iter()
            .map(|s| (s, true))
            .chain(rule.samples.quiet.iter().map(|s| (s, false)));
        for (i, (sample, must_fire)) in cases.enumerate() {
            // Samples test the patterns, so they are read as a kind the rule applies to.
            let detected = kind::detect("sample", sample);
            let kind = if rule.files.contains(&detected) {
                detected
            } else {
                rule.files.first().copied().unwrap_or(FileKind::Unknown)
            };
            let input = Input {
                name: "sample",
                bytes: sample.as_bytes(),
                kind: Some(kind),
            };
            let result = analyze(catalogue, &[input], &Context::default());
            let fired = result.findings.iter().any(|f| f.id == rule.id);
            if fired != must_fire {
                let (field, reason) = if must_fire {
                    (
                        "samples.fire",
                        format!(
                            "sample {} does not make the rule fire: {}",
                            i + 1,
                            first_line(sample)
                        ),
                    )
                } else {
                    (
                        "samples.quiet",
                        format!(
                            "sample {} makes the rule fire but must not: {}",
                            i + 1 - rule.samples.fire.len(),
                            first_line(sample)
                        ),
                    )
                };
                errors.push(
                    Error::new(ErrorKind::RuleSample, reason)
                        .in_file(rule.source.clone())
                        .in_rule(rule.id.clone())
                        .at_field(field),
                );
            }
        }
    }
    errors
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("");
    if line.len() > 100 {
        format!("{}…", crate::lines::head(line, 100))
    } else {
        line.to_string()
    }
}
