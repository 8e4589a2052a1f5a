//! The page's side of an analysis worker: spawning it, sending a task, receiving progress and
//! the result, and cancelling by terminating it (a busy worker reads no messages, so
//! termination is the only immediate stop). `pool.rs` shares a run between several.
//!
//! The page and its workers run one WebAssembly module: the worker instantiates the module the
//! page already runs (`wasm_bindgen::module()`), and `main` sees that it runs in a worker. Only
//! wasm-bindgen's glue is needed as text, to build the worker's script: fetched once from next
//! to the app while the page loads (hosted, mounted), or taken from the page (the offline single
//! file). Each worker starts from that one `blob:` script and receives the module as its first
//! message, so later workers (after a cancel) start at once and without any network request.
//!
//! The script is a classic one: Chromium does not start module workers from `blob:` URLs on
//! `file://` pages, so the glue's `export`s are dropped and `import.meta.url` (read only when no
//! module is given) becomes the worker's own URL.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, ErrorEvent, MessageEvent, Response, Url, Worker};
use yew::Callback;

use crate::dom::describe;
use crate::protocol::{to_js, FromWorker, ToWorker};

#[wasm_bindgen]
extern "C" {
    /// The URL of wasm-bindgen's glue script, the page's own module.
    #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
    static GLUE_URL: JsValue;
}

/// What every worker starts from: its script (a `blob:` URL) and the page's wasm module.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerSource {
    loader_url: String,
    module: JsValue,
}

impl WorkerSource {
    /// Gets the glue (embedded in the page, or from next to the app) and builds the script.
    pub async fn load() -> Result<WorkerSource, String> {
        let glue = match crate::dom::embedded_glue() {
            Some(glue) => glue,
            None => {
                let url = GLUE_URL
                    .with(|u| u.as_string())
                    .ok_or("the app's script has no URL")?;
                fetch_text(&url).await?
            }
        };
        let parts = js_sys::Array::of1(&JsValue::from_str(&classic_script(&glue)?));
        let options = BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(describe)?;
        let loader_url = Url::create_object_url_with_blob(&blob).map_err(describe)?;
        Ok(WorkerSource {
            loader_url,
            module: wasm_bindgen::module(),
        })
    }
}

/// The worker's script: the glue as a classic script, then an instantiation from the module
/// that the page sends as the first message. Fails on glue of an unexpected shape.
pub fn classic_script(glue: &str) -> Result<String, String> {
    let exports_init = glue.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("export {") && l.contains("__wbg_init as default")
            || l.starts_with("export default __wbg_init")
    });
    if !glue.contains("function __wbg_init(") || !exports_init {
        return Err("the app's script is not wasm-bindgen's glue for the web target".into());
    }
    let mut out = String::with_capacity(glue.len() + 128);
    for line in glue.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("export {") || trimmed.starts_with("export default ") {
            continue;
        }
        let line = match trimmed.strip_prefix("export ") {
            Some(rest) => rest,
            None => line,
        };
        out.push_str(&line.replace("import.meta.url", "self.location.href"));
        out.push('\n');
    }
    out.push_str(
        ";self.onmessage=function(e){self.onmessage=null;__wbg_init({module_or_path:e.data});};\n",
    );
    Ok(out)
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
                let msg = FromWorker::from_js(e.data()).unwrap_or_else(|e| FromWorker::Failed {
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

    /// Sends a task; its messages go to `listener`. Sent when the worker is ready.
    pub fn send(&self, task: &ToWorker, listener: Callback<FromWorker>) -> Result<(), String> {
        let message = to_js(task)?;
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

#[cfg(test)]
mod tests {
    use super::classic_script;

    const GLUE: &str = "let wasm;\nexport function greet() { return 1; }\nasync function __wbg_init(module_or_path) {\n    if (typeof module_or_path === 'undefined') {\n        module_or_path = new URL('app_bg.wasm', import.meta.url);\n    }\n}\nexport { initSync, __wbg_init as default };\n";

    #[test]
    fn the_worker_script_is_the_glue_without_exports_then_the_start() {
        let script = classic_script(GLUE).unwrap();
        assert!(!script.contains("export"), "{script}");
        assert!(!script.contains("import.meta"), "{script}");
        assert!(script.contains("\nfunction greet() { return 1; }\n"));
        assert!(script.contains("new URL('app_bg.wasm', self.location.href)"));
        assert!(script.ends_with(
            ";self.onmessage=function(e){self.onmessage=null;__wbg_init({module_or_path:e.data});};\n"
        ));
    }

    #[test]
    fn other_scripts_are_refused() {
        assert!(classic_script("console.log(1)").is_err());
        assert!(classic_script("async function __wbg_init(m) {}\nexport { __wbg_init };").is_err());
    }
}
