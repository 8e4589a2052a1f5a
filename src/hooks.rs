//! `use_analysis_worker`: the analysis worker's whole life in one hook, as yew's worker examples
//! keep theirs: its code is loaded once, the worker is started, replaced after a cancel or a
//! failure, and terminated with the component. Its messages become reducer actions.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::bridge::{AnalysisWorker, WorkerSource};
use crate::dom;
use crate::protocol::{FromWorker, Job};
use crate::state::{Action, State};

/// What components may do with the worker: run a job, cancel it.
#[derive(Clone)]
pub struct WorkerHandle {
    worker: Rc<RefCell<Option<AnalysisWorker>>>,
    spawn: Callback<()>,
    dispatcher: UseReducerDispatcher<State>,
}

impl PartialEq for WorkerHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.worker, &other.worker)
    }
}

impl WorkerHandle {
    /// Sends `job` as run `id` of `total` bytes; its progress, causes and result become actions.
    pub fn run(&self, id: u32, total: u64, job: Job) {
        let started = dom::now();
        let dispatcher = self.dispatcher.clone();
        let handle = self.clone();
        let listener = Callback::from(move |msg: FromWorker| {
            let elapsed_ms = dom::now() - started;
            match msg {
                FromWorker::Progress { done, total: units } => {
                    let fraction = if units > 0.0 { done / units } else { 1.0 };
                    dispatcher.dispatch(Action::Progress {
                        id,
                        done: (fraction * total as f64) as u64,
                        elapsed_ms,
                    });
                }
                FromWorker::Done {
                    facts,
                    memory_bytes,
                } => dispatcher.dispatch(Action::Finished {
                    id,
                    facts: Rc::new(*facts),
                    elapsed_ms,
                    memory_bytes,
                }),
                FromWorker::Failed { message } => {
                    dispatcher.dispatch(Action::Failed { id, message });
                    // A worker that failed may be dead (a crash ends it): start a fresh one.
                    handle.replace(false);
                }
                FromWorker::Found { findings } => {
                    dispatcher.dispatch(Action::Found { id, findings })
                }
                FromWorker::Ready { .. } => {}
            }
        });
        let sent = match self.worker.borrow().as_ref() {
            Some(w) => w.run(&job, listener),
            None => Err("the analysis engine is still loading; try again in a moment".into()),
        };
        if let Err(message) = sent {
            self.dispatcher.dispatch(Action::Failed { id, message });
        }
    }

    /// Stops the running job at once: terminating is the only way to stop a busy worker. A
    /// fresh worker starts in a later task, once the cancelled state is on screen.
    pub fn cancel(&self) {
        self.replace(true);
    }

    fn replace(&self, later: bool) {
        self.worker.borrow_mut().take();
        self.dispatcher.dispatch(Action::EngineRestarting);
        if later {
            dom::later(self.spawn.clone());
        } else {
            self.spawn.emit(());
        }
    }
}

/// The analysis worker of the calling component; its readiness and failures are dispatched.
#[hook]
pub fn use_analysis_worker(dispatcher: UseReducerDispatcher<State>) -> WorkerHandle {
    let worker = use_mut_ref(|| None::<AnalysisWorker>);
    let source = use_mut_ref(|| None::<WorkerSource>);
    let spawn = {
        let (worker, source, dispatcher) = (worker.clone(), source.clone(), dispatcher.clone());
        use_memo((), move |_| {
            Callback::from(move |_: ()| {
                let Some(s) = source.borrow().clone() else {
                    return;
                };
                let dispatcher = dispatcher.clone();
                let on_ready = Callback::from(move |rules: usize| {
                    dispatcher.dispatch(Action::EngineReady(rules))
                });
                *worker.borrow_mut() = AnalysisWorker::spawn(&s, on_ready).ok();
            })
        })
    };
    {
        let (source, spawn, dispatcher) = (source.clone(), (*spawn).clone(), dispatcher.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match WorkerSource::load().await {
                    Ok(s) => {
                        *source.borrow_mut() = Some(s);
                        spawn.emit(());
                    }
                    Err(e) => dispatcher.dispatch(Action::EngineFailed(e)),
                }
            });
        });
    }
    WorkerHandle {
        worker,
        spawn: (*spawn).clone(),
        dispatcher,
    }
}
