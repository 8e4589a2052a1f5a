//! Results seen through the current answers, and the exported report.

use midtriage_engine::redact::redact;
use midtriage_engine::{conclude, render, Analysis, Facts};

use crate::answers::{Answers, Upgraded};

/// The analysis with the answers applied (the engine's `conclude`): the user's versions
/// compared and the next steps worked out for the current status. Recomputed whenever an
/// answer changes, without re-reading the logs.
pub fn with_answers(facts: &Facts, answers: &Answers) -> Analysis {
    conclude(facts.clone(), &answers.context())
}

/// The Markdown report: the answers, then the findings and evidence; redacted when asked.
pub fn markdown(analysis: &Analysis, answers: &Answers, redacted: bool) -> String {
    let mut out = String::from("# midtriage report\n\n## Answers\n\n");
    let symptoms: Vec<&str> = answers.symptoms.iter().map(|s| s.label()).collect();
    let line = |out: &mut String, k: &str, v: &str| out.push_str(&format!("- {k}: {v}\n"));
    line(
        &mut out,
        "Symptoms",
        &if symptoms.is_empty() {
            "none given".to_string()
        } else {
            symptoms.join("; ")
        },
    );
    let upgraded = match answers.upgraded {
        Upgraded::Yes => "yes",
        Upgraded::No => "no",
        Upgraded::NotSure => "not sure",
        Upgraded::Unanswered => "not answered",
    };
    line(&mut out, "Instance recently upgraded", upgraded);
    line(
        &mut out,
        "Instance version",
        or_dash(&answers.instance_version),
    );
    line(
        &mut out,
        "MID Server status",
        answers.status.map_or("-", |s| s.label()),
    );
    line(
        &mut out,
        "MID Server version",
        or_dash(&answers.mid_version),
    );
    out.push('\n');
    let engine = render::markdown(analysis);
    out.push_str(
        engine
            .strip_prefix("# midtriage report\n\n")
            .unwrap_or(&engine),
    );
    if redacted {
        let mut masked = redact(&out);
        masked.push_str("\n_Host names, instance URLs, IP addresses, user names and folder paths were masked._\n");
        masked
    } else {
        out
    }
}

fn or_dash(s: &str) -> &str {
    if s.trim().is_empty() {
        "-"
    } else {
        s.trim()
    }
}

#[cfg(test)]
mod tests {
    use midtriage_engine::{examine, Catalogue, Relation, Status};

    use super::*;

    fn sample() -> Facts {
        let inputs = crate::sample::inputs();
        examine(Catalogue::builtin(), &inputs)
    }

    #[test]
    fn answers_change_the_comparison_and_next_steps_without_reanalysis() {
        let a = sample();
        let mut answers = Answers {
            instance_version: crate::sample::INSTANCE_VERSION.into(),
            ..Answers::default()
        };
        let view = with_answers(&a, &answers);
        assert_eq!(
            view.versions.comparison.as_ref().unwrap().relation,
            Relation::Behind
        );
        answers.instance_version =
            "glide-zurich-07-01-2025__patch3-10-01-2025_10-05-2025_0900.zip".into();
        assert_eq!(
            with_answers(&a, &answers)
                .versions
                .comparison
                .unwrap()
                .relation,
            Relation::Equal
        );
        answers.instance_version = "not a version".into();
        let view = with_answers(&a, &answers);
        assert_eq!(view.problems.len(), 1);
        assert!(view.problems[0]
            .to_string()
            .starts_with("instance version: "));
    }

    #[test]
    fn the_report_carries_answers_and_redacts_when_asked() {
        let answers = Answers {
            status: Some(Status::Down),
            upgraded: Upgraded::Yes,
            instance_version: "glide-zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200.zip"
                .into(),
            ..Answers::default()
        };
        let a = with_answers(&sample(), &answers);
        let plain = markdown(&a, &answers, false);
        assert!(plain.contains("- MID Server status: Down"));
        assert!(plain.contains("`file-locked`"));
        assert!(plain.contains("ACME-MID-01"));
        let masked = markdown(&a, &answers, true);
        assert!(!masked.contains("ACME-MID-01"), "{masked}");
        assert!(masked.contains("sigar-amd64-winnt.dll"));
        assert!(masked.contains("were masked"));
    }
}
