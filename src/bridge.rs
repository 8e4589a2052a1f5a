//! The page's side of the analysis worker: spawning it, sending a job, receiving progress and
//! the result, and cancelling by terminating it (a busy worker reads no messages, so
//! termination is the only immediate stop).
//!
//! The worker's code is obtained once while the page loads, from the server (hosted) or from
//! data embedded in the page (the offline single file), and its wasm is compiled once into a
//! `WebAssembly.Module`. Each worker starts from one self-contained `blob:` script and receives
//! that module as its first message, so later workers (after a cancel) start at once and
//! without any network request, also from `file://`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Uint8Array, WebAssembly};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, ErrorEvent, MessageEvent, Response, Url, Worker};
use yew::Callback;

use crate::protocol::{from_js, to_js, FromWorker, Job};

/// The worker's script and wasm as Trunk writes them next to index.html.
const WORKER_JS: &str = "midtriage-worker.js";
const WORKER_WASM: &str = "midtriage-worker_bg.wasm";

/// What every worker starts from: its loader script (a `blob:` URL) and its compiled wasm.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerSource {
    loader_url: String,
    module: WebAssembly::Module,
}

impl WorkerSource {
    /// Gets the worker's code (embedded in the page, or from next to the app) and compiles it.
    pub async fn load() -> Result<WorkerSource, String> {
        let (glue, wasm) = match crate::dom::embedded_worker() {
            Some(embedded) => embedded,
            None => {
                let base = crate::dom::base_url();
                let glue = fetch_text(&format!("{base}{WORKER_JS}")).await?;
                (glue, fetch_bytes(&format!("{base}{WORKER_WASM}")).await?)
            }
        };
        let compiled = JsFuture::from(WebAssembly::compile(&wasm))
            .await
            .map_err(describe)?;
        // The loader: wasm-bindgen's glue, then an instantiation from the module sent first.
        let loader = format!("{glue}\n;self.onmessage=function(e){{self.onmessage=null;wasm_bindgen({{module_or_path:e.data}});}};\n");
        let parts = js_sys::Array::of1(&JsValue::from_str(&loader));
        let options = BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(describe)?;
        let loader_url = Url::create_object_url_with_blob(&blob).map_err(describe)?;
        Ok(WorkerSource {
            loader_url,
            module: compiled.unchecked_into(),
        })
    }
}

async fn fetch(url: &str) -> Result<Response, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(describe)?
        .unchecked_into();
    if response.ok() {
        Ok(response)
    } else {
        Err(format!("{url}: HTTP {}", response.status()))
    }
}

async fn fetch_text(url: &str) -> Result<String, String> {
    let text = JsFuture::from(fetch(url).await?.text().map_err(describe)?)
        .await
        .map_err(describe)?;
    text.as_string().ok_or_else(|| format!("{url}: not text"))
}

async fn fetch_bytes(url: &str) -> Result<Uint8Array, String> {
    let buffer = JsFuture::from(fetch(url).await?.array_buffer().map_err(describe)?)
        .await
        .map_err(describe)?;
    Ok(Uint8Array::new(&buffer))
}

/// A JS error as text.
pub fn describe(e: JsValue) -> String {
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
    pub fn spawn(
        source: &WorkerSource,
        on_ready: Callback<usize>,
    ) -> Result<AnalysisWorker, String> {
        let worker = Worker::new(&source.loader_url).map_err(describe)?;
        // The first message carries the compiled wasm; the loader instantiates it.
        worker.post_message(&source.module).map_err(describe)?;

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
