//! The results: one card per finding, most severe first; or, when nothing matched, where the
//! upgrade stopped and what to look at next. Both follow the current answers.

use std::rc::Rc;

use midtriage_engine::phase::Outcome;
use midtriage_engine::render::plural;
use midtriage_engine::{Analysis, EventKind, Facts, Relation};
use yew::prelude::*;

use super::export::Export;
use super::finding::{rich, FindingCard};
use super::timeline::TimelineView;
use super::unexplained::Unexplained;
use crate::answers::Answers;
use crate::dom;
use crate::report::with_answers;

/// Props of the results.
#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    /// What the worker found in the logs.
    pub facts: Rc<Facts>,
    /// The current answers.
    pub answers: Answers,
    /// Whether exports are redacted.
    pub redact: bool,
    /// The redact switch was flipped.
    pub on_redact: Callback<bool>,
    /// Bytes analysed.
    pub bytes: u64,
    /// How long it took.
    pub elapsed_ms: f64,
    /// The worker's peak wasm memory.
    pub memory_bytes: f64,
    /// How many tasks the workers shared (files, and parts of ZIP archives).
    pub tasks: usize,
    /// Run again with a drafted rules file: its name and TOML text.
    pub on_rule: Callback<(String, String)>,
}

/// The results.
#[function_component(Results)]
pub fn results(props: &ResultsProps) -> Html {
    let view = use_memo(
        (props.facts.clone(), props.answers.clone()),
        |(a, answers)| Rc::new(with_answers(a, answers)),
    );
    let a: &Analysis = &view;
    // The time range chosen on the timeline, and what it opened last (with a count, so that
    // opening the same thing again scrolls to it again); both start afresh with new facts.
    let range = use_state(|| None::<(i64, i64)>);
    let focus = use_state(|| None::<(Opened, u32)>);
    {
        let (range, focus) = (range.clone(), focus.clone());
        use_effect_with(props.facts.clone(), move |_| {
            range.set(None);
            focus.set(None);
        });
    }
    // Moves focus (and so the view) to what was opened, once it is shown: each opening has
    // its own count, so opening the same thing again does it again.
    use_effect_with(focus.as_ref().map(|f| f.1), |n| {
        if n.is_some() {
            crate::dom::focus(OPENED);
        }
    });
    let on_range = {
        let range = range.clone();
        Callback::from(move |r| range.set(r))
    };
    let on_open = {
        let (focus, view) = (focus.clone(), (*view).clone());
        Callback::from(move |i: usize| {
            let Some(e) = view.timeline.events.get(i) else {
                return;
            };
            let n = focus.as_ref().map_or(1, |f| f.1 + 1);
            let opened = match (e.kind, &e.target) {
                (EventKind::FindingFirst | EventKind::FindingLast, Some(id)) => {
                    Opened::Evidence(id.clone(), e.file.clone(), e.line)
                }
                (EventKind::UnexplainedFirst | EventKind::UnexplainedLast, Some(t)) => {
                    Opened::Unexplained(t.clone())
                }
                _ => return,
            };
            focus.set(Some((opened, n)));
        })
    };
    let axis = a.timeline.axis_offset;
    let evidence_focus = |id: &str| match focus.as_ref() {
        Some((Opened::Evidence(f, file, line), n)) if f == id => Some((file.clone(), *line, *n)),
        _ => None,
    };
    let unexplained_focus = match focus.as_ref() {
        Some((Opened::Unexplained(t), n)) => Some((t.clone(), *n)),
        _ => None,
    };
    let readable = a.files.iter().filter(|f| f.error.is_none()).count();
    let summary = format!(
        "Read {readable} of {} ({}) in {} s.",
        plural(a.files.len(), "file"),
        dom::size(props.bytes),
        dom::fixed(props.elapsed_ms / 1000.0, 1)
    );
    html! {
        <section class="results" aria-labelledby="results-heading" data-worker-memory={dom::fixed(props.memory_bytes, 0)} data-elapsed-ms={dom::fixed(props.elapsed_ms, 1)} data-tasks={props.tasks.to_string()}>
            <h3 id="results-heading">{ "Results" }</h3>
            <p class="summary">{ summary }</p>
            if a.files.iter().any(|f| f.error.is_some()) || !a.problems.is_empty() {
                <ul class="problems" id="file-problems">
                { for a.files.iter().filter_map(|f| f.error.as_ref()).chain(&a.problems).map(|e| html! { <li>{ e.to_string() }</li> }) }
                </ul>
            }
            { files_read(a) }
            { for a.config.iter().map(config_card) }
            { versions(a) }
            <TimelineView analysis={(*view).clone()} range={*range} on_range={on_range} on_open={on_open} />
            if a.findings.is_empty() {
                <div class="no-match" id="no-match">
                    <h4>{ "No known failure signature was found" }</h4>
                    <p>{ "None of the causes midtriage knows appears in these files." }</p>
                    { phase(a) }
                </div>
            } else {
                <p>{ format!("{} found, most severe first.", plural(a.findings.len(), "cause")) }</p>
                { for a.findings.iter().map(|f| html! { <FindingCard key={f.id.clone()} finding={f.clone()} range={*range} axis={axis} focus={evidence_focus(&f.id)} /> }) }
                { phase(a) }
            }
            <Unexplained entries={Rc::new(a.unrecognised.clone())} kinds={kinds(a)} lines={phase_lines(a)} on_rule={props.on_rule.clone()} focus={unexplained_focus} />
            if !a.next_steps.is_empty() {
                <div class="next-steps">
                    <h4>{ "What next" }</h4>
                    <ul>{ for a.next_steps.iter().map(|s| html! { <li>{ rich(s) }</li> }) }</ul>
                </div>
            }
            <Export analysis={(*view).clone()} answers={props.answers.clone()} redact={props.redact} on_redact={props.on_redact.clone()} />
        </section>
    }
}

/// What the timeline opened in the results.
#[derive(Debug, Clone, PartialEq)]
enum Opened {
    /// A finding's evidence line: the finding's id, the file and the line.
    Evidence(String, String, u32),
    /// An error no rule explains, by its template.
    Unexplained(String),
}

/// The id of the element the timeline opened last.
pub const OPENED: &str = "timeline-opened";

/// Each read file's name and kind.
fn kinds(a: &Analysis) -> Rc<Vec<(String, midtriage_engine::FileKind)>> {
    Rc::new(
        a.files
            .iter()
            .filter_map(|f| Some((f.name.clone(), f.kind?)))
            .collect(),
    )
}

/// The upgrade's phase lines, as (file, text).
fn phase_lines(a: &Analysis) -> Rc<Vec<(String, String)>> {
    Rc::new(
        a.phase
            .events
            .iter()
            .map(|e| (e.file.clone(), e.text.clone()))
            .collect(),
    )
}

/// What was read of each file: its kind, encoding and lines (a file that could not be read is
/// listed under the problems above).
fn files_read(a: &Analysis) -> Html {
    let row = |f: &midtriage_engine::FileReport| {
        let kind = f.kind.map_or("nothing readable", |k| k.label());
        let encoding = f
            .encoding
            .map_or(String::new(), |e| format!(", {}", e.label()));
        let lines = plural(f.lines, "line");
        html! { <li data-file={f.name.clone()} data-lines={f.lines.to_string()}><code>{ f.name.clone() }</code>{ format!(": {kind}{encoding}, {lines}") }</li> }
    };
    html! {
        <details class="files-read">
            <summary>{ "Files read" }</summary>
            <ul>
                { for a.files.iter().filter(|f| f.error.is_none()).map(row) }
                { for a.rules_files.iter().map(|r| html! {
                    <li data-rules-file={r.name.clone()} data-used={r.used.to_string()}><code>{ r.name.clone() }</code>{ format!(": {}", midtriage_engine::render::rules_file_line(r)) }</li>
                }) }
            </ul>
        </details>
    }
}

/// What a config.xml says (never a secret: the engine's report holds none).
fn config_card(c: &midtriage_engine::config::ConfigReport) -> Html {
    let problems = c.duplicates.len() + c.issues.len();
    html! {
        <section class="config" data-config-file={c.file.clone()} aria-label={format!("config.xml check of {}", c.file)}>
            <h4>{ "config.xml: " }<code>{ c.file.clone() }</code></h4>
            <dl>
                { for c.summary().into_iter().map(|(label, value)| html! { <><dt>{ label }</dt><dd>{ value }</dd></> }) }
            </dl>
            if problems > 0 {
                <p class="hint">{ format!("{} in this file: see What next.", plural(problems, "problem")) }</p>
            }
        </section>
    }
}

fn versions(a: &Analysis) -> Html {
    let Some(c) = &a.versions.comparison else {
        return html! {};
    };
    let target = if c.target_source == "instance" {
        "the instance"
    } else {
        "the version the instance assigned"
    };
    let (class, text) = match c.relation {
        Relation::Behind => (
            "banner warn",
            format!(
                "The MID Server ({}) is behind {target} ({}).",
                c.mid, c.target
            ),
        ),
        Relation::Ahead => (
            "banner warn",
            format!(
                "The MID Server ({}) is ahead of {target} ({}): it will try to downgrade.",
                c.mid, c.target
            ),
        ),
        Relation::Equal => (
            "banner ok",
            format!("The MID Server runs {target}'s version ({}).", c.target),
        ),
    };
    html! { <p class={class} id="version-relation">{ text }</p> }
}

fn phase(a: &Analysis) -> Html {
    let p = &a.phase;
    let stopped = p.stopped_at.map(|x| x.label()).unwrap_or("-");
    let line = match p.outcome {
        Outcome::NotSeen => "These files show no upgrade activity.".to_string(),
        Outcome::Completed => {
            format!("The last upgrade attempt ran through to the end (reached: {stopped}).")
        }
        Outcome::Failed => format!("The last upgrade attempt failed during the {stopped}."),
        Outcome::Incomplete => format!(
            "The last upgrade attempt stopped during the {stopped}, without a failure line."
        ),
    };
    let at = p.failure.as_ref().or(p.events.last());
    html! {
        <div class="phase" id="phase">
            <h4>{ "Where the upgrade stopped" }</h4>
            <p>{ line }</p>
            if let Some(e) = at {
                <p class="where"><code>{ format!("{}:{}", e.file, e.line) }</code></p>
                <pre class="line">{ e.text.clone() }</pre>
            }
        </div>
    }
}
