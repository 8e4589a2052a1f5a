//! All UI state and the reducer that changes it (actions in, state out), as in yew's
//! function_todomvc. Components only dispatch actions and render state.

use std::rc::Rc;

use midtriage_engine::{Facts, Status};
use yew::Reducible;

use crate::answers::{Answers, Symptom, Upgraded};

/// The steps of the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// 0: what the user sees.
    Symptoms,
    /// 1: was the instance upgraded?
    Upgraded,
    /// 2: the MID's status.
    Status,
    /// 3: how to get the logs.
    Logs,
    /// 4: analyse the logs.
    Analyse,
}

impl Step {
    /// All steps, in order.
    pub const ALL: [Step; 5] = [
        Step::Symptoms,
        Step::Upgraded,
        Step::Status,
        Step::Logs,
        Step::Analyse,
    ];

    /// The key used in the URL (`?step=analyse`, `#…&step=status`).
    pub fn key(self) -> &'static str {
        match self {
            Step::Symptoms => "symptoms",
            Step::Upgraded => "upgraded",
            Step::Status => "status",
            Step::Logs => "logs",
            Step::Analyse => "analyse",
        }
    }

    /// The step's title.
    pub fn title(self) -> &'static str {
        match self {
            Step::Symptoms => "Symptoms",
            Step::Upgraded => "Recent instance upgrade",
            Step::Status => "MID Server status",
            Step::Logs => "Get the logs",
            Step::Analyse => "Analyse",
        }
    }

    /// The step for a URL key (`analyze` is accepted too).
    pub fn from_key(key: &str) -> Option<Step> {
        let key = if key == "analyze" { "analyse" } else { key };
        Step::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Position in the flow, from 0.
    pub fn index(self) -> usize {
        Step::ALL.iter().position(|&s| s == self).unwrap_or(0)
    }
}

/// Where an input came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A file the user picked or dropped.
    File,
    /// Text pasted into the page.
    Paste,
    /// A file of the bundled sample incident.
    Sample,
}

/// An input to analyse (its bytes are kept outside the state, by id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputMeta {
    /// Stable id.
    pub id: u32,
    /// File name.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// Where it came from.
    pub source: Source,
}

/// The analysis run.
#[derive(Debug, Clone, PartialEq)]
pub enum Run {
    /// Nothing run yet.
    Idle,
    /// Running in the worker.
    Running {
        /// Run id; messages of older runs are ignored.
        id: u32,
        /// Bytes processed.
        done: u64,
        /// Bytes to process.
        total: u64,
        /// Milliseconds since the start.
        elapsed_ms: f64,
    },
    /// Finished.
    Done {
        /// What the logs show (the answers are applied when shown).
        facts: Rc<Facts>,
        /// Bytes analysed.
        bytes: u64,
        /// How long it took.
        elapsed_ms: f64,
        /// The worker's peak wasm memory, in bytes.
        memory_bytes: f64,
        /// How many tasks the workers shared.
        tasks: usize,
    },
    /// The worker failed; the answers are kept.
    Failed(String),
    /// The user cancelled.
    Cancelled,
}

/// The whole UI state.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The step shown.
    pub step: Step,
    /// The answers.
    pub answers: Answers,
    /// The inputs chosen.
    pub inputs: Vec<InputMeta>,
    /// The text in the paste box.
    pub paste: String,
    /// The analysis run.
    pub run: Run,
    /// The id of the last run started.
    pub run_id: u32,
    /// Whether exports are redacted.
    pub redact: bool,
    /// The last message for the screen-reader live region.
    pub announcement: String,
    /// The analysis worker: loading, ready, or failed to load.
    pub engine: Engine,
    /// For the offline single file: its own SHA-256, once computed.
    pub bundle_sha256: Option<String>,
    /// Compact mode for an iframe in a portal (`?embed=1`).
    pub embed: bool,
    /// Causes found so far by the running analysis.
    pub found_so_far: Vec<crate::protocol::FoundSoFar>,
}

/// The analysis worker's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Engine {
    /// Its code is loading (or it is restarting after a cancel).
    Loading,
    /// Ready, with the number of rules in its catalogue.
    Ready(usize),
    /// Its code could not be loaded.
    Failed(String),
}

impl Default for State {
    fn default() -> Self {
        State {
            step: Step::Symptoms,
            answers: Answers::default(),
            inputs: Vec::new(),
            paste: String::new(),
            run: Run::Idle,
            run_id: 0,
            redact: true,
            announcement: String::new(),
            engine: Engine::Loading,
            bundle_sha256: None,
            embed: false,
            found_so_far: Vec::new(),
        }
    }
}

/// Everything that can happen.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Show a step.
    Goto(Step),
    /// The next step.
    Next,
    /// The previous step.
    Back,
    /// Tick or untick a symptom.
    ToggleSymptom(Symptom),
    /// Answer step 1.
    SetUpgraded(Upgraded),
    /// Paste Upgrade History rows; the newest version found becomes the instance version.
    SetHistory(String),
    /// Type the instance version.
    SetInstanceVersion(String),
    /// Answer step 2.
    SetStatus(Option<Status>),
    /// Type the MID version.
    SetMidVersion(String),
    /// Add inputs.
    AddInputs(Vec<InputMeta>),
    /// Remove an input.
    RemoveInput(u32),
    /// Change the paste box.
    SetPaste(String),
    /// Load the bundled sample incident: its inputs, and answers where none were given.
    LoadSample(Vec<InputMeta>),
    /// A run started.
    Started {
        /// Its id.
        id: u32,
        /// Bytes to process.
        total: u64,
    },
    /// Progress from the worker.
    Progress {
        /// Run id.
        id: u32,
        /// Bytes processed.
        done: u64,
        /// Milliseconds since the start.
        elapsed_ms: f64,
    },
    /// The worker finished.
    Finished {
        /// Run id.
        id: u32,
        /// What the logs show.
        facts: Rc<Facts>,
        /// Milliseconds since the start.
        elapsed_ms: f64,
        /// The worker's peak wasm memory, in bytes.
        memory_bytes: f64,
        /// How many tasks the workers shared (files, and parts of ZIP archives).
        tasks: usize,
    },
    /// Causes found so far by the running analysis.
    Found {
        /// Run id.
        id: u32,
        /// The causes, most severe first.
        findings: Vec<crate::protocol::FoundSoFar>,
    },
    /// The worker failed.
    Failed {
        /// Run id.
        id: u32,
        /// What went wrong.
        message: String,
    },
    /// The user cancelled the run.
    Cancel,
    /// Switch redaction of exports.
    SetRedact(bool),
    /// The worker has loaded.
    EngineReady(usize),
    /// The worker is being replaced (after a cancel).
    EngineRestarting,
    /// The worker's code could not be loaded.
    EngineFailed(String),
    /// The offline file has computed its own SHA-256.
    BundleHash(String),
}

impl State {
    /// The state a page opens in, from the URL's query and fragment.
    pub fn from_url(search: &str, fragment: &str) -> State {
        let (answers, step) = Answers::from_fragment(fragment);
        let query_step = search
            .trim_start_matches('?')
            .split('&')
            .find_map(|p| p.strip_prefix("step="))
            .and_then(Step::from_key);
        let step = query_step
            .or_else(|| step.as_deref().and_then(Step::from_key))
            .unwrap_or(Step::Symptoms);
        let embed = search
            .trim_start_matches('?')
            .split('&')
            .any(|p| p == "embed=1" || p == "embed=true");
        State {
            step,
            answers,
            embed,
            ..State::default()
        }
    }

    /// Whether a run is under way.
    pub fn running(&self) -> bool {
        matches!(self.run, Run::Running { .. })
    }

    fn running_id(&self) -> Option<u32> {
        match self.run {
            Run::Running { id, .. } => Some(id),
            _ => None,
        }
    }

    fn apply(mut self, action: Action) -> State {
        match action {
            Action::Goto(step) => self.step = step,
            Action::Next => self.step = Step::ALL[(self.step.index() + 1).min(Step::ALL.len() - 1)],
            Action::Back => self.step = Step::ALL[self.step.index().saturating_sub(1)],
            Action::ToggleSymptom(s) => {
                if !self.answers.symptoms.remove(&s) {
                    self.answers.symptoms.insert(s);
                }
            }
            Action::SetUpgraded(u) => self.answers.upgraded = u,
            Action::SetHistory(text) => {
                self.answers.history = text;
                if let Some((raw, _)) = self.answers.newest_in_history() {
                    self.answers.instance_version = raw;
                    if self.answers.upgraded == Upgraded::Unanswered {
                        self.answers.upgraded = Upgraded::Yes;
                    }
                }
            }
            Action::SetInstanceVersion(v) => self.answers.instance_version = v,
            Action::SetStatus(s) => self.answers.status = s,
            Action::SetMidVersion(v) => self.answers.mid_version = v,
            Action::AddInputs(more) => {
                for m in more {
                    if !self.inputs.iter().any(|i| i.id == m.id) {
                        self.inputs.push(m);
                    }
                }
            }
            Action::RemoveInput(id) => self.inputs.retain(|i| i.id != id),
            Action::SetPaste(text) => self.paste = text,
            Action::LoadSample(inputs) => {
                self.inputs = inputs;
                let a = &mut self.answers;
                if a.symptoms.is_empty() {
                    a.symptoms.insert(Symptom::Down);
                }
                if a.upgraded == Upgraded::Unanswered {
                    a.upgraded = Upgraded::Yes;
                }
                if a.instance_version.is_empty() {
                    a.instance_version = crate::sample::INSTANCE_VERSION.into();
                }
                if a.status.is_none() {
                    a.status = Some(Status::Down);
                }
                self.step = Step::Analyse;
                self.announcement = "Sample incident loaded.".into();
            }
            Action::Started { id, total } => {
                self.run_id = id;
                self.found_so_far.clear();
                self.run = Run::Running {
                    id,
                    done: 0,
                    total,
                    elapsed_ms: 0.0,
                };
                self.announcement = "Analysis started.".into();
            }
            Action::Progress {
                id,
                done,
                elapsed_ms,
            } => {
                if let Run::Running {
                    id: current,
                    done: d,
                    elapsed_ms: e,
                    total,
                } = &mut self.run
                {
                    if *current == id {
                        // Screen readers hear each quarter, not every update.
                        let quarter = |n: u64| (n.min(*total) * 4).checked_div(*total).unwrap_or(0);
                        if quarter(done) > quarter(*d) && quarter(done) < 4 {
                            self.announcement = format!("Analysis {}% done.", quarter(done) * 25);
                        }
                        *d = done;
                        *e = elapsed_ms;
                    }
                }
            }
            Action::Finished {
                id,
                facts,
                elapsed_ms,
                memory_bytes,
                tasks,
            } => {
                if let Some(Run::Running { total, .. }) =
                    (self.running_id() == Some(id)).then_some(&self.run)
                {
                    let n = facts.findings.len();
                    self.announcement = match n {
                        0 => "Analysis finished: no known failure signature was found.".into(),
                        1 => format!("Analysis finished: 1 finding, {}.", facts.findings[0].title),
                        n => format!(
                            "Analysis finished: {n} findings; the most severe is {}.",
                            facts.findings[0].title
                        ),
                    };
                    self.run = Run::Done {
                        facts,
                        bytes: *total,
                        elapsed_ms,
                        memory_bytes,
                        tasks,
                    };
                }
            }
            Action::Failed { id, message } => {
                if self.running_id() == Some(id) {
                    self.announcement = "The analysis failed; your answers are kept.".into();
                    self.run = Run::Failed(message);
                }
            }
            Action::Found { id, findings } => {
                if self.running_id() == Some(id) {
                    if let Some(first) = findings.iter().find(|f| !self.found_so_far.contains(f)) {
                        self.announcement = format!("Found so far: {}.", first.title);
                    }
                    self.found_so_far = findings;
                }
            }
            Action::Cancel => {
                if self.running() {
                    self.run = Run::Cancelled;
                    self.announcement = "Analysis cancelled.".into();
                }
            }
            Action::SetRedact(on) => self.redact = on,
            Action::EngineReady(rules) => self.engine = Engine::Ready(rules),
            Action::EngineRestarting => self.engine = Engine::Loading,
            Action::EngineFailed(e) => self.engine = Engine::Failed(e),
            Action::BundleHash(h) => self.bundle_sha256 = Some(h),
        }
        self
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new((*self).clone().apply(action))
    }
}

#[cfg(test)]
mod tests;
