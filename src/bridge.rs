//! The page's side of the analysis worker: spawning it, sending a job, receiving progress and
//! the result, and cancelling by terminating it (a busy worker reads no messages, so
//! termination is the only immediate stop).
//!
//! The worker's script and wasm are fetched once while the page loads and kept as `blob:` URLs,
//! so a worker spawned later (after a cancel) starts without any network request.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, ErrorEvent, MessageEvent, Response, Url, Worker};
use yew::Callback;

use crate::protocol::{from_js, to_js, FromWorker, Job};

/// Where the worker's code is, as `blob:` URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerUrls {
    js: String,
    wasm: String,
}

/// The worker's script and wasm as Trunk writes them next to index.html.
const WORKER_JS: &str = "./midtriage-worker.js";
const WORKER_WASM: &str = "./midtriage-worker_bg.wasm";

impl WorkerUrls {
    /// Fetches the worker's code (relative to the page) and keeps it as `blob:` URLs.
    pub async fn load() -> Result<WorkerUrls, String> {
        Ok(WorkerUrls {
            js: blob_url_of(WORKER_JS).await?,
            wasm: blob_url_of(WORKER_WASM).await?,
        })
    }
}

async fn blob_url_of(path: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_str(path))
        .await
        .map_err(describe)?
        .unchecked_into();
    if !response.ok() {
        return Err(format!("{path}: HTTP {}", response.status()));
    }
    let blob: Blob = JsFuture::from(response.blob().map_err(describe)?)
        .await
        .map_err(describe)?
        .unchecked_into();
    Url::create_object_url_with_blob(&blob).map_err(describe)
}

fn describe(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

#[derive(Default)]
struct Inner {
    ready: bool,
    pending: Option<JsValue>,
    listener: Option<Callback<FromWorker>>,
    on_ready: Option<Callback<usize>>,
}

/// A running analysis worker. Dropping it terminates the worker.
pub struct AnalysisWorker {
    worker: Worker,
    inner: Rc<RefCell<Inner>>,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onerror: Closure<dyn FnMut(ErrorEvent)>,
}

impl AnalysisWorker {
    /// Starts a worker; `on_ready` is called with its rule count once it has loaded.
    pub fn spawn(urls: &WorkerUrls, on_ready: Callback<usize>) -> Result<AnalysisWorker, String> {
        let quote = |s: &str| {
            js_sys::JSON::stringify(&JsValue::from_str(s))
                .map(String::from)
                .unwrap_or_default()
        };
        let loader = format!(
            "importScripts({});wasm_bindgen({{module_or_path:{}}});",
            quote(&urls.js),
            quote(&urls.wasm)
        );
        let parts = js_sys::Array::of1(&JsValue::from_str(&loader));
        let options = BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(describe)?;
        let url = Url::create_object_url_with_blob(&blob).map_err(describe)?;
        let worker = Worker::new(&url).map_err(describe)?;
        let _ = Url::revoke_object_url(&url);

        let inner = Rc::new(RefCell::new(Inner {
            on_ready: Some(on_ready),
            ..Inner::default()
        }));
        let onmessage = {
            let inner = inner.clone();
            let worker = worker.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let msg = from_js::<FromWorker>(e.data()).unwrap_or_else(|e| FromWorker::Failed {
                    message: format!("unreadable message from the worker: {e}"),
                });
                if let FromWorker::Ready { rules } = msg {
                    let (pending, on_ready) = {
                        let mut i = inner.borrow_mut();
                        i.ready = true;
                        (i.pending.take(), i.on_ready.take())
                    };
                    if let Some(job) = pending {
                        let _ = worker.post_message(&job);
                    }
                    if let Some(cb) = on_ready {
                        cb.emit(rules);
                    }
                    return;
                }
                let listener = inner.borrow().listener.clone();
                if let Some(l) = listener {
                    l.emit(msg);
                }
            })
        };
        let onerror = {
            let inner = inner.clone();
            Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
                e.prevent_default();
                let listener = inner.borrow().listener.clone();
                if let Some(l) = listener {
                    l.emit(FromWorker::Failed {
                        message: format!("the analysis stopped unexpectedly ({})", e.message()),
                    });
                }
            })
        };
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        Ok(AnalysisWorker {
            worker,
            inner,
            _onmessage: onmessage,
            _onerror: onerror,
        })
    }

    /// Sends a job; its messages go to `listener`. Sent when the worker is ready.
    pub fn run(&self, job: &Job, listener: Callback<FromWorker>) -> Result<(), String> {
        let message = to_js(job)?;
        let mut inner = self.inner.borrow_mut();
        inner.listener = Some(listener);
        if inner.ready {
            self.worker.post_message(&message).map_err(describe)
        } else {
            inner.pending = Some(message);
            Ok(())
        }
    }
}

impl Drop for AnalysisWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
