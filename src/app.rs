//! The root component: the reducer, the worker, the step list and the current step.

use std::collections::BTreeMap;

use yew::prelude::*;

use crate::components::{
    About, AnalyseStep, LogsStep, StatusStep, Stepper, SymptomsStep, UpgradedStep,
};
use crate::dom;
use crate::hooks::use_analysis_worker;
use crate::protocol::{Job, JobFile};
use crate::state::{Action, Engine, InputMeta, Source, State, Step};

/// Blobs of the inputs, by input id (kept outside the reducer: they are browser objects).
#[derive(Default)]
pub struct Blobs {
    next_id: u32,
    blobs: BTreeMap<u32, web_sys::Blob>,
}

impl Blobs {
    /// Stores a blob and returns its new id.
    pub fn add(&mut self, blob: web_sys::Blob) -> u32 {
        let id = self.reserve();
        self.blobs.insert(id, blob);
        id
    }

    /// A new id for an input whose bytes are not a stored blob (the sample).
    pub fn reserve(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    /// Drops the blobs of every input not in `ids` (removed or cleared).
    pub fn keep(&mut self, ids: &[u32]) {
        self.blobs.retain(|id, _| ids.contains(id));
    }

    /// How many blobs are held.
    pub fn len(&self) -> usize {
        self.blobs.len()
    }

    /// Whether no blob is held.
    pub fn is_empty(&self) -> bool {
        self.blobs.is_empty()
    }
}

/// The root component.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| State::from_url(&dom::search(), &dom::hash()));
    let blobs = use_mut_ref(Blobs::default);
    let worker = use_analysis_worker(state.dispatcher());

    // The answers live in the URL fragment so that a link reopens them.
    let fragment = state.answers.to_fragment(state.step.key());
    use_effect_with(fragment, |f| dom::set_hash(f));

    // Keyboard and screen-reader users land on the new step's heading.
    let first = use_mut_ref(|| true);
    use_effect_with(state.step, move |_| {
        if !std::mem::replace(&mut *first.borrow_mut(), false) {
            dom::focus("step-heading");
        }
    });

    // In a portal's iframe, the postMessage API (see embed.rs) reads the newest state.
    let latest = use_mut_ref(|| state.clone());
    *latest.borrow_mut() = state.clone();
    use_effect_with(state.embed, move |embed| {
        if *embed {
            crate::portal::start(latest);
        }
    });

    // The offline single file computes its own SHA-256 for the About panel.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            if let Some(promise) = dom::bundle_hash() {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Some(hash) = wasm_bindgen_futures::JsFuture::from(promise)
                        .await
                        .ok()
                        .and_then(|v| v.as_string())
                    {
                        dispatcher.dispatch(Action::BundleHash(hash));
                    }
                });
            }
        });
    }

    // Removing an input lets its blob go.
    {
        let blobs = blobs.clone();
        let ids: Vec<u32> = state.inputs.iter().map(|i| i.id).collect();
        use_effect_with(ids, move |ids| blobs.borrow_mut().keep(ids));
    }

    let on_start = {
        let (state, blobs, worker) = (state.clone(), blobs.clone(), worker.clone());
        Callback::from(move |_: ()| {
            // Test only: the app itself fails, to prove the panel in crash.rs.
            if dom::search().contains("test-crash=ui") {
                panic!("crash requested by the page (test-crash=ui)");
            }
            let (job, total) = job(&state, &blobs.borrow());
            let id = state.run_id + 1;
            state.dispatch(Action::Started { id, total });
            worker.run(id, total, job);
        })
    };
    let on_files = {
        let (state, blobs) = (state.clone(), blobs.clone());
        Callback::from(move |list: web_sys::FileList| {
            let mut metas = Vec::new();
            for i in 0..list.length() {
                if let Some(file) = list.get(i) {
                    metas.push(InputMeta {
                        id: blobs.borrow_mut().add(file.clone().into()),
                        name: file.name(),
                        size: file.size() as u64,
                        source: Source::File,
                    });
                }
            }
            if !metas.is_empty() {
                state.dispatch(Action::AddInputs(metas));
            }
        })
    };
    let on_sample = {
        let (state, blobs) = (state.clone(), blobs.clone());
        Callback::from(move |()| {
            let metas = crate::sample::FILES
                .iter()
                .map(|(name, text)| InputMeta {
                    id: blobs.borrow_mut().reserve(),
                    name: (*name).into(),
                    size: text.len() as u64,
                    source: Source::Sample,
                })
                .collect();
            state.dispatch(Action::LoadSample(metas));
        })
    };
    // A drafted rule: added to the inputs as a rules file (replacing an earlier one of the
    // same name), and the logs are run again with it.
    let on_rule = {
        let (state, blobs, worker) = (state.clone(), blobs.clone(), worker.clone());
        Callback::from(move |(name, text): (String, String)| {
            let Some(blob) = dom::text_blob(&text) else {
                return;
            };
            for old in state.inputs.iter().filter(|i| i.name == name) {
                state.dispatch(Action::RemoveInput(old.id));
            }
            let meta = InputMeta {
                id: blobs.borrow_mut().add(blob.clone()),
                name: name.clone(),
                size: text.len() as u64,
                source: Source::File,
            };
            // The state seen here is from before these actions: the job is built from it,
            // without the replaced file, plus the new one.
            let (mut job, total) = job_without(&state, &blobs.borrow(), &name);
            job.rules.push(JobFile {
                name,
                blob,
                part: None,
            });
            state.dispatch(Action::AddInputs(vec![meta]));
            let id = state.run_id + 1;
            state.dispatch(Action::Started {
                id,
                total: total + text.len() as u64,
            });
            worker.run(id, total + text.len() as u64, job);
        })
    };
    let on_cancel = {
        let (state, worker) = (state.clone(), worker.clone());
        Callback::from(move |_: ()| {
            state.dispatch(Action::Cancel);
            worker.cancel();
        })
    };

    let goto = {
        let state = state.clone();
        Callback::from(move |step| state.dispatch(Action::Goto(step)))
    };
    let answers = &state.answers;
    let body = match state.step {
        Step::Symptoms => html! {
            <SymptomsStep selected={answers.symptoms.clone()}
                on_toggle={to_action(&state, Action::ToggleSymptom)} />
        },
        Step::Upgraded => html! {
            <UpgradedStep history={answers.history.clone()} instance_version={answers.instance_version.clone()} upgraded={answers.upgraded}
                on_history={to_action(&state, Action::SetHistory)}
                on_instance_version={to_action(&state, Action::SetInstanceVersion)}
                on_upgraded={to_action(&state, Action::SetUpgraded)} />
        },
        Step::Status => html! {
            <StatusStep status={answers.status} mid_version={answers.mid_version.clone()}
                on_status={to_action(&state, |s| Action::SetStatus(Some(s)))}
                on_mid_version={to_action(&state, Action::SetMidVersion)} />
        },
        Step::Logs => html! { <LogsStep status={answers.status} /> },
        Step::Analyse => html! {
            <AnalyseStep inputs={state.inputs.clone()} paste={state.paste.clone()} run={state.run.clone()}
                found_so_far={state.found_so_far.clone()} answers={answers.clone()} redact={state.redact}
                ready={matches!(state.engine, Engine::Ready(_))}
                on_files={on_files} on_remove={to_action(&state, Action::RemoveInput)}
                on_paste={to_action(&state, Action::SetPaste)} on_sample={on_sample}
                on_redact={to_action(&state, Action::SetRedact)} on_start={on_start} on_cancel={on_cancel} on_rule={on_rule} />
        },
    };
    let (ready, rules) = match &state.engine {
        Engine::Ready(n) => (true, Some(*n)),
        _ => (false, None),
    };
    html! {
        <div class={classes!("app", "midtriage", state.embed.then_some("embed"))} data-worker-ready={ready.to_string()} data-workers={worker.size().to_string()}>
            if !state.embed {
                <a class="skip" href="#step-heading">{ "Skip to the current step" }</a>
                <header class="masthead">
                    <h1>{ "midtriage" }</h1>
                    <p class="tagline">{ "Find out why a ServiceNow MID Server upgrade failed, from your own logs. Everything happens in this browser tab: nothing is uploaded." }</p>
                </header>
            }
            <Stepper current={state.step} on_goto={goto} />
            <main class="step" id="main">
                { body }
                if state.step != Step::Analyse {
                    <StepButtons first={state.step == Step::Symptoms}
                        on_back={to_action(&state, |()| Action::Back)}
                        on_next={to_action(&state, |()| Action::Next)} />
                }
            </main>
            if let Engine::Failed(e) = &state.engine {
                <p class="notice error" role="alert">{ format!("The analysis engine could not be loaded: {e}. Reload the page to try again.") }</p>
            }
            <div class="sr-only" role="status" aria-live="polite" id="announcer">{ state.announcement.clone() }</div>
            if !state.embed {
                <footer class="footer">
                    <About rules={rules} sha256={state.bundle_sha256.clone()} />
                </footer>
            } else {
                <span hidden=true id="rule-count">{ rules.map(|n| n.to_string()).unwrap_or_default() }</span>
            }
        </div>
    }
}

/// A callback that dispatches the action `make` builds from its argument: what a component's
/// narrow callback props are given.
fn to_action<T: 'static>(
    state: &UseReducerHandle<State>,
    make: impl Fn(T) -> Action + 'static,
) -> Callback<T> {
    let state = state.clone();
    Callback::from(move |x| state.dispatch(make(x)))
}

/// Whether a chosen file is a rules file (`*.toml`) rather than a log.
pub fn is_rules_file(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".toml")
}

/// The job for the current inputs and pasted text, and its size in bytes.
fn job(state: &State, store: &Blobs) -> (Job, u64) {
    job_without(state, store, "")
}

/// Like [`job`], leaving out the inputs named `skip`.
fn job_without(state: &State, store: &Blobs, skip: &str) -> (Job, u64) {
    let (mut files, mut rules) = (Vec::new(), Vec::new());
    for input in state.inputs.iter().filter(|i| i.name != skip) {
        let blob = match input.source {
            Source::Sample => crate::sample::FILES
                .iter()
                .find(|(n, _)| *n == input.name)
                .and_then(|(_, text)| dom::text_blob(text)),
            _ => store.blobs.get(&input.id).cloned(),
        };
        if let Some(blob) = blob {
            let file = JobFile {
                name: input.name.clone(),
                blob,
                part: None,
            };
            // Rules files (TOML) add to the built-in rules instead of being analysed.
            if is_rules_file(&input.name) {
                rules.push(file);
            } else {
                files.push(file);
            }
        }
    }
    if !state.paste.trim().is_empty() {
        if let Some(blob) = dom::text_blob(&state.paste) {
            files.push(JobFile {
                name: "pasted text".into(),
                blob,
                part: None,
            });
        }
    }
    let total = files
        .iter()
        .chain(&rules)
        .map(|f| f.blob.size() as u64)
        .sum();
    let job = Job {
        files,
        rules,
        crash: dom::search().contains("test-crash=worker"),
    };
    (job, total)
}

#[derive(Properties, PartialEq)]
struct ButtonsProps {
    /// Whether this is the first step (no Back).
    first: bool,
    on_back: Callback<()>,
    on_next: Callback<()>,
}

/// Back and Next under every step but the last.
#[function_component(StepButtons)]
fn step_buttons(props: &ButtonsProps) -> Html {
    let back = props.on_back.reform(|_: MouseEvent| ());
    let next = props.on_next.reform(|_: MouseEvent| ());
    html! {
        <div class="nav-buttons">
            if !props.first {
                <button type="button" class="secondary" onclick={back}>{ "Back" }</button>
            }
            <button type="button" class="primary" onclick={next}>{ "Next" }</button>
        </div>
    }
}
