//! Step 4: choose, drop or paste logs; run the analysis in the worker with progress and Cancel;
//! then the results.

use web_sys::{DragEvent, FileList, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::heading;
use super::results::Results;
use crate::answers::Answers;
use crate::dom;
use crate::protocol::FoundSoFar;
use crate::state::{InputMeta, Run, Source};

/// Props of step 4.
#[derive(Properties, PartialEq)]
pub struct AnalyseProps {
    /// The inputs chosen.
    pub inputs: Vec<InputMeta>,
    /// The text in the paste box.
    pub paste: String,
    /// The run: idle, running, done, cancelled or failed.
    pub run: Run,
    /// Causes found so far by the running analysis.
    pub found_so_far: Vec<FoundSoFar>,
    /// The answers, which the results are seen through.
    pub answers: Answers,
    /// Whether exports are redacted.
    pub redact: bool,
    /// Whether the worker has loaded.
    pub ready: bool,
    /// Files were chosen or dropped.
    pub on_files: Callback<FileList>,
    /// An input is removed, by id.
    pub on_remove: Callback<u32>,
    /// The paste box was edited.
    pub on_paste: Callback<String>,
    /// "Try it with a sample".
    pub on_sample: Callback<()>,
    /// The redact switch was flipped.
    pub on_redact: Callback<bool>,
    /// Start a run.
    pub on_start: Callback<()>,
    /// Cancel the run.
    pub on_cancel: Callback<()>,
    /// Run again with a drafted rules file: its name and TOML text.
    pub on_rule: Callback<(String, String)>,
}

/// Step 4.
#[function_component(AnalyseStep)]
pub fn analyse_step(props: &AnalyseProps) -> Html {
    let dragging = use_state(|| false);
    let auto_start = use_state(|| false);

    // "Try it with a sample" starts the run once the sample's inputs are in the state.
    {
        let auto_start = auto_start.clone();
        let on_start = props.on_start.clone();
        let has_inputs = !props.inputs.is_empty();
        use_effect_with(
            (*auto_start, has_inputs, props.ready),
            move |(go, has, ready)| {
                if *go && *has && *ready {
                    auto_start.set(false);
                    on_start.emit(());
                }
            },
        );
    }

    let on_pick = {
        let on_files = props.on_files.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(list) = input.files() {
                on_files.emit(list);
            }
            input.set_value("");
        })
    };
    let on_drop = {
        let (on_files, dragging) = (props.on_files.clone(), dragging.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(list) = e.data_transfer().and_then(|d| d.files()) {
                on_files.emit(list);
            }
        })
    };
    let on_drag_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let on_drag_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let on_paste = props
        .on_paste
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlTextAreaElement>().value());
    let on_sample = {
        let (on_sample, auto_start) = (props.on_sample.clone(), auto_start.clone());
        Callback::from(move |_: MouseEvent| {
            on_sample.emit(());
            auto_start.set(true);
        })
    };
    let on_start = props.on_start.reform(|_: MouseEvent| ());
    let on_cancel = props.on_cancel.reform(|_: MouseEvent| ());
    let running = matches!(props.run, Run::Running { .. });
    let nothing = props.inputs.is_empty() && props.paste.trim().is_empty();

    html! {
        <section aria-labelledby="step-heading">
            { heading(4, "Analyse the logs") }
            <p>{ "Add the agent log, wrapper.log and, if you have it, glide-dist-upgrade.log. Several files at once are fine. They are read inside this tab; nothing is uploaded anywhere." }</p>
            <div class={classes!("dropzone", dragging.then_some("dragging"))} ondragover={on_drag_over} ondragleave={on_drag_leave} ondrop={on_drop}>
                <label for="log-files">
                    <span class="dropzone-title">{ "Drop log files here" }</span>
                    <span class="dropzone-or">{ " or " }</span>
                    <span class="button-like">{ "choose files" }</span>
                </label>
                <input id="log-files" type="file" multiple=true class="file-input" onchange={on_pick} />
                <p class="hint">{ "agent0.log.0 … agent0.log.9, wrapper.log, glide-dist-upgrade.log, config.xml, a .zip or .gz of them, or any text with MID Server log lines. A rules file (.toml, as midtriage check-rules reads) adds your own rules to this run." }</p>
            </div>
            if !props.inputs.is_empty() {
                <ul class="inputs" aria-label="Files to analyse">
                { for props.inputs.iter().map(|i| {
                    let remove = props.on_remove.reform({ let id = i.id; move |_: MouseEvent| id });
                    let label = format!("Remove {}", i.name);
                    html! {
                        <li>
                            <span class="input-name">{ i.name.clone() }</span>
                            <span class="input-size">{ dom::size(i.size) }{ if i.source == Source::Sample { " · sample" } else if crate::app::is_rules_file(&i.name) { " · rules file" } else { "" } }</span>
                            <button type="button" class="link" aria-label={label} disabled={running} onclick={remove}>{ "Remove" }</button>
                        </li>
                    }
                }) }
                </ul>
            }
            <label for="paste">{ "Or paste log lines" }</label>
            <textarea id="paste" rows="5" spellcheck="false" value={props.paste.clone()} oninput={on_paste}
                placeholder="AutoUpgrade.3600 SEVERE *** ERROR *** Aborting MID Server upgrade due to pre-upgrade check failure: …" />
            <div class="actions">
                <button type="button" class="primary" id="analyse" onclick={on_start} disabled={running || nothing || !props.ready}>
                    { if props.ready { "Analyse" } else { "Loading the engine…" } }
                </button>
                <button type="button" class="secondary" id="sample" onclick={on_sample} disabled={running}>{ "Try it with a sample" }</button>
            </div>
            { run_status(&props.run, on_cancel) }
            if running && !props.found_so_far.is_empty() {
                <div class="found-so-far" id="found-so-far">
                    <h3>{ "Found so far" }</h3>
                    <ul>{ for props.found_so_far.iter().map(|f| html! { <li data-found-id={f.id.clone()}>{ f.title.clone() }</li> }) }</ul>
                    <p class="hint">{ "The full results, with evidence, follow when every line has been read." }</p>
                </div>
            }
            if let Run::Done { facts, bytes, elapsed_ms, memory_bytes, tasks } = &props.run {
                <Results facts={facts.clone()} answers={props.answers.clone()} redact={props.redact} on_redact={props.on_redact.clone()} bytes={*bytes} elapsed_ms={*elapsed_ms} memory_bytes={*memory_bytes} tasks={*tasks} on_rule={props.on_rule.clone()} />
            }
        </section>
    }
}

fn run_status(run: &Run, on_cancel: Callback<MouseEvent>) -> Html {
    match run {
        Run::Running {
            done,
            total,
            elapsed_ms,
            ..
        } => {
            let pct = if *total > 0 {
                (*done as f64 / *total as f64 * 100.0).min(100.0)
            } else {
                0.0
            };
            let rate = if *elapsed_ms > 0.0 {
                *done as f64 / 1048576.0 / (elapsed_ms / 1000.0)
            } else {
                0.0
            };
            html! {
                <div class="progress" id="progress-panel">
                    <label for="progress">{ "Analysing…" }</label>
                    <progress id="progress" max="100" value={dom::fixed(pct, 0)}></progress>
                    <span class="progress-text">{ format!("{}% · {} MB/s · {} of {}", dom::fixed(pct, 0), dom::fixed(rate, 1), dom::size(*done), dom::size(*total)) }</span>
                    <button type="button" class="secondary" id="cancel" onclick={on_cancel}>{ "Cancel" }</button>
                </div>
            }
        }
        Run::Cancelled => {
            html! { <p class="notice" id="run-cancelled">{ "Analysis cancelled. Your answers and files are still here; press Analyse to run it again." }</p> }
        }
        Run::Failed(message) => html! {
            <div class="notice error" id="run-failed" role="alert">
                <p><strong>{ "The analysis failed; your answers are kept." }</strong>{ format!(" ({message})") }</p>
                <p>{ "Press Analyse to try again. If it keeps failing, remove the last file you added." }</p>
            </div>
        },
        Run::Idle | Run::Done { .. } => html! {},
    }
}
