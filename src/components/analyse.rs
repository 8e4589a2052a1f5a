//! Step 4: choose, drop or paste logs; run the analysis in the worker with progress and Cancel;
//! then the results.

use web_sys::{DragEvent, FileList, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::heading;
use super::results::Results;
use crate::app::{Blobs, Shared};
use crate::dom;
use crate::state::{Action, InputMeta, Run, Source, State};

/// Props of step 4.
#[derive(Properties, PartialEq)]
pub struct AnalyseProps {
    /// The state.
    pub state: UseReducerHandle<State>,
    /// Where the chosen files' blobs are kept.
    pub blobs: Shared<Blobs>,
    /// Whether the worker has loaded.
    pub ready: bool,
    /// Start a run.
    pub on_start: Callback<()>,
    /// Cancel the run.
    pub on_cancel: Callback<()>,
}

fn add_files(state: &UseReducerHandle<State>, blobs: &Shared<Blobs>, list: Option<FileList>) {
    let Some(list) = list else { return };
    let mut metas = Vec::new();
    for i in 0..list.length() {
        if let Some(file) = list.get(i) {
            let id = blobs.0.borrow_mut().add(file.clone().into());
            metas.push(InputMeta {
                id,
                name: file.name(),
                size: file.size() as u64,
                source: Source::File,
            });
        }
    }
    if !metas.is_empty() {
        state.dispatch(Action::AddInputs(metas));
    }
}

/// Step 4.
#[function_component(AnalyseStep)]
pub fn analyse_step(props: &AnalyseProps) -> Html {
    let state = &props.state;
    let on_redact = {
        let state = state.clone();
        Callback::from(move |on| state.dispatch(Action::SetRedact(on)))
    };
    let dragging = use_state(|| false);
    let auto_start = use_state(|| false);

    // "Try it with a sample" starts the run once the sample's inputs are in the state.
    {
        let auto_start = auto_start.clone();
        let on_start = props.on_start.clone();
        let has_inputs = !state.inputs.is_empty();
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
        let (state, blobs) = (state.clone(), props.blobs.clone());
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            add_files(&state, &blobs, input.files());
            input.set_value("");
        })
    };
    let on_drop = {
        let (state, blobs, dragging) = (state.clone(), props.blobs.clone(), dragging.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            add_files(&state, &blobs, e.data_transfer().and_then(|d| d.files()));
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
    let on_paste = {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            state.dispatch(Action::SetPaste(
                e.target_unchecked_into::<HtmlTextAreaElement>().value(),
            ))
        })
    };
    let on_sample = {
        let (state, blobs, auto_start) = (state.clone(), props.blobs.clone(), auto_start.clone());
        Callback::from(move |_| {
            let metas = crate::sample::FILES
                .iter()
                .map(|(name, text)| InputMeta {
                    id: blobs.0.borrow_mut().reserve(),
                    name: (*name).into(),
                    size: text.len() as u64,
                    source: Source::Sample,
                })
                .collect();
            state.dispatch(Action::LoadSample(metas));
            auto_start.set(true);
        })
    };
    let on_start = props.on_start.reform(|_: MouseEvent| ());
    let on_cancel = props.on_cancel.reform(|_: MouseEvent| ());
    let running = state.running();
    let nothing = state.inputs.is_empty() && state.paste.trim().is_empty();

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
            if !state.inputs.is_empty() {
                <ul class="inputs" aria-label="Files to analyse">
                { for state.inputs.iter().map(|i| {
                    let st = state.clone();
                    let id = i.id;
                    let label = format!("Remove {}", i.name);
                    html! {
                        <li>
                            <span class="input-name">{ i.name.clone() }</span>
                            <span class="input-size">{ dom::size(i.size) }{ if i.source == Source::Sample { " · sample" } else if crate::app::is_rules_file(&i.name) { " · rules file" } else { "" } }</span>
                            <button type="button" class="link" aria-label={label} disabled={running} onclick={move |_| st.dispatch(Action::RemoveInput(id))}>{ "Remove" }</button>
                        </li>
                    }
                }) }
                </ul>
            }
            <label for="paste">{ "Or paste log lines" }</label>
            <textarea id="paste" rows="5" spellcheck="false" value={state.paste.clone()} oninput={on_paste}
                placeholder="AutoUpgrade.3600 SEVERE *** ERROR *** Aborting MID Server upgrade due to pre-upgrade check failure: …" />
            <div class="actions">
                <button type="button" class="primary" id="analyse" onclick={on_start} disabled={running || nothing || !props.ready}>
                    { if props.ready { "Analyse" } else { "Loading the engine…" } }
                </button>
                <button type="button" class="secondary" id="sample" onclick={on_sample} disabled={running}>{ "Try it with a sample" }</button>
            </div>
                        { run_status(&state.run, on_cancel) }
            if state.running() && !state.found_so_far.is_empty() {
                <div class="found-so-far" id="found-so-far">
                    <h3>{ "Found so far" }</h3>
                    <ul>{ for state.found_so_far.iter().map(|f| html! { <li data-found-id={f.id.clone()}>{ f.title.clone() }</li> }) }</ul>
                    <p class="hint">{ "The full results, with evidence, follow when every line has been read." }</p>
                </div>
            }
            if let Run::Done { facts, bytes, elapsed_ms, memory_bytes } = &state.run {
                <Results facts={facts.clone()} answers={state.answers.clone()} redact={state.redact} on_redact={on_redact.clone()} bytes={*bytes} elapsed_ms={*elapsed_ms} memory_bytes={*memory_bytes} />
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
