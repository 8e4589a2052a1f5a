//! `use_analysis_worker`: the analysis workers' whole life in one hook, as yew's worker examples
//! keep theirs: their code is loaded once, the pool is started, replaced after a cancel or a
//! failure, and terminated with the component. Their messages become reducer actions.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::bridge::{AnalysisWorker, WorkerSource};
use crate::dom;
use crate::pool::{Next, PoolRun, Update};
use crate::protocol::{FromWorker, Job};
use crate::state::{Action, State};
use midtriage_engine::ZipPart;

/// The workers and the run they share.
#[derive(Default)]
struct Pool {
    workers: Vec<AnalysisWorker>,
    run: Option<PoolRun>,
    /// The run whose ZIP archives are being planned (it starts once they are).
    planning: Option<u32>,
    /// The bytes of the run (the page's count, rules files included), for progress.
    total: u64,
}

/// What components may do with the workers: run a job, cancel it.
#[derive(Clone)]
pub struct WorkerHandle {
    pool: Rc<RefCell<Pool>>,
    size: usize,
    spawn: Callback<()>,
    dispatcher: UseReducerDispatcher<State>,
}

impl PartialEq for WorkerHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.pool, &other.pool)
    }
}

impl WorkerHandle {
    /// How many workers the page runs.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Runs `job` as run `id` of `total` bytes; its progress, causes and result become actions.
    /// With more than one worker, its ZIP archives are first cut into parts (reading their
    /// ends takes a moment, off the main thread); a cancel meanwhile stops it before it starts.
    pub fn run(&self, id: u32, total: u64, job: Job) {
        let ready = {
            let mut pool = self.pool.borrow_mut();
            pool.run = None;
            pool.planning = Some(id);
            !pool.workers.is_empty()
        };
        if !ready {
            let message = "the analysis engine is still loading; try again in a moment".into();
            self.dispatcher.dispatch(Action::Failed { id, message });
            return;
        }
        let started = dom::now();
        if self.size == 1 {
            // One worker reads every archive whole: cutting it gains nothing.
            self.start(id, started, total, job, Vec::new());
            return;
        }
        let handle = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let plans = crate::pool::plan(&job.files, midtriage_engine::ZIP_PART).await;
            handle.start(id, started, total, job, plans);
        });
    }

    /// Starts run `id`, unless it was cancelled or replaced while it was planned.
    fn start(&self, id: u32, started: f64, total: u64, job: Job, plans: Vec<Vec<ZipPart>>) {
        {
            let mut pool = self.pool.borrow_mut();
            if pool.planning != Some(id) {
                return;
            }
            pool.planning = None;
            pool.run = Some(PoolRun::new(id, started, job, plans));
            pool.total = total;
        }
        for w in 0..self.size {
            self.feed(w);
        }
    }

    /// Gives worker `w` the run's next task, if there is one.
    fn feed(&self, w: usize) {
        let sent = {
            let mut pool = self.pool.borrow_mut();
            let Pool { workers, run, .. } = &mut *pool;
            let (Some(run), Some(worker)) = (run.as_mut(), workers.get(w)) else {
                return;
            };
            let Next::Task(index, task) = run.next_task() else {
                return;
            };
            let listener = self.listener(run.id, w, index);
            worker.send(&task, listener).map_err(|e| (run.id, e))
        };
        if let Err((id, message)) = sent {
            self.fail(id, message);
        }
    }

    /// Where worker `w`'s messages about task `index` of run `id` go.
    fn listener(&self, id: u32, w: usize, index: usize) -> Callback<FromWorker> {
        let handle = self.clone();
        Callback::from(move |msg: FromWorker| {
            let (update, total, started) = {
                let mut pool = handle.pool.borrow_mut();
                let total = pool.total;
                let Some(run) = pool.run.as_mut().filter(|r| r.id == id) else {
                    return;
                };
                (run.take(index, msg), total, run.started)
            };
            let elapsed_ms = dom::now() - started;
            let progress = |fraction: f64| Action::Progress {
                id,
                done: (fraction * total as f64) as u64,
                elapsed_ms,
            };
            match update {
                Update::Progress(fraction) => handle.dispatcher.dispatch(progress(fraction)),
                Update::Found(findings) => {
                    handle.dispatcher.dispatch(Action::Found { id, findings })
                }
                Update::Free(fraction) => {
                    handle.dispatcher.dispatch(progress(fraction));
                    handle.feed(w);
                }
                Update::Finished(facts) => {
                    let run = handle.pool.borrow_mut().run.take();
                    handle.dispatcher.dispatch(Action::Finished {
                        id,
                        facts: Rc::new(*facts),
                        elapsed_ms,
                        memory_bytes: run.as_ref().map_or(0.0, |r| r.memory_bytes),
                        tasks: run.map_or(0, |r| r.tasks()),
                    });
                }
                Update::Failed(message) => handle.fail(id, message),
                Update::None => {}
            }
        })
    }

    /// Ends run `id` as failed; a worker that failed may be dead (a crash ends it), so the
    /// pool starts afresh.
    fn fail(&self, id: u32, message: String) {
        self.dispatcher.dispatch(Action::Failed { id, message });
        self.replace(false);
    }

    /// Stops the running job at once: terminating is the only way to stop a busy worker. Fresh
    /// workers start in a later task, once the cancelled state is on screen.
    pub fn cancel(&self) {
        self.replace(true);
    }

    fn replace(&self, later: bool) {
        {
            let mut pool = self.pool.borrow_mut();
            pool.workers.clear();
            pool.run = None;
            pool.planning = None;
        }
        self.dispatcher.dispatch(Action::EngineRestarting);
        if later {
            dom::later(self.spawn.clone());
        } else {
            self.spawn.emit(());
        }
    }
}

/// The analysis workers of the calling component; their readiness and failures are dispatched.
#[hook]
pub fn use_analysis_worker(dispatcher: UseReducerDispatcher<State>) -> WorkerHandle {
    let pool = use_mut_ref(Pool::default);
    let source = use_mut_ref(|| None::<WorkerSource>);
    let size = *use_memo((), |_| crate::pool::size(&dom::search(), dom::cores()));
    let spawn = {
        let (pool, source, dispatcher) = (pool.clone(), source.clone(), dispatcher.clone());
        use_memo((), move |_| {
            Callback::from(move |_: ()| {
                let Some(s) = source.borrow().clone() else {
                    return;
                };
                let mut workers = Vec::with_capacity(size);
                for w in 0..size {
                    // The page is ready once its first worker is.
                    let on_ready = match w {
                        0 => {
                            let dispatcher = dispatcher.clone();
                            Callback::from(move |rules: usize| {
                                dispatcher.dispatch(Action::EngineReady(rules))
                            })
                        }
                        _ => Callback::noop(),
                    };
                    match AnalysisWorker::spawn(&s, on_ready) {
                        Ok(worker) => workers.push(worker),
                        Err(_) => break,
                    }
                }
                pool.borrow_mut().workers = workers;
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
        pool,
        size,
        spawn: (*spawn).clone(),
        dispatcher,
    }
}
