//! The analysis worker: reads each file in chunks with `FileReaderSync`, runs the engine and
//! posts progress and the result. It runs in a dedicated Web Worker, so the page never freezes;
//! the page cancels a run by terminating the worker.

use js_sys::Uint8Array;
use midtriage_engine::{Analyzer, Catalogue, Context, Intake};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

use crate::protocol::{from_js, to_js, FoundSoFar, FromWorker, Job};

/// Bytes read per chunk.
const CHUNK: f64 = 8.0 * 1024.0 * 1024.0;
/// Least time between two progress messages, in milliseconds.
const PROGRESS_EVERY_MS: f64 = 100.0;

/// Installs the message handler and tells the page the worker is ready.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let handler_scope = scope.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let reply = match from_js::<Job>(e.data()) {
            Ok(job) => run(&handler_scope, job),
            Err(e) => FromWorker::Failed {
                message: format!("the page sent a message the worker does not understand: {e}"),
            },
        };
        post(&handler_scope, &reply);
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    post(
        &scope,
        &FromWorker::Ready {
            rules: Catalogue::builtin().rules.len(),
        },
    );
}

fn post(scope: &DedicatedWorkerGlobalScope, msg: &FromWorker) {
    match to_js(msg) {
        Ok(v) => {
            let _ = scope.post_message(&v);
        }
        Err(e) => {
            let fallback = FromWorker::Failed {
                message: format!("the result could not be sent to the page: {e}"),
            };
            if let Ok(v) = to_js(&fallback) {
                let _ = scope.post_message(&v);
            }
        }
    }
}

fn now() -> f64 {
    js_sys::global()
        .unchecked_into::<DedicatedWorkerGlobalScope>()
        .performance()
        .map_or(0.0, |p| p.now())
}

fn run(scope: &DedicatedWorkerGlobalScope, job: Job) -> FromWorker {
    let Ok(reader) = FileReaderSync::new() else {
        return FromWorker::Failed {
            message: "this browser cannot read files in a worker".into(),
        };
    };
    let total: f64 = job.files.iter().map(|f| f.blob.size()).sum();
    let mut done = 0.0;
    let mut last_post = now();
    let mut analyzer = Analyzer::new(Catalogue::builtin());
    let mut found_posted = 0;
    // One buffer for every chunk: wasm memory stays bounded whatever the files' size.
    let mut buffer = Vec::new();
    for file in &job.files {
        // Plain, gzip or ZIP: the intake decides from the first bytes.
        let mut intake = Intake::new(&mut analyzer, &file.name, None);
        let mut failed = None;
        let size = file.blob.size();
        let mut offset = 0.0;
        while offset < size {
            let end = (offset + CHUNK).min(size);
            match read(&reader, &file.blob, offset, end, &mut buffer) {
                Ok(()) => intake.feed(&buffer),
                Err(reason) => {
                    failed = Some(format!("could not be read: {reason}"));
                    break;
                }
            }
            done += end - offset;
            offset = end;
            let t = now();
            if t - last_post >= PROGRESS_EVERY_MS {
                last_post = t;
                post(scope, &FromWorker::Progress { done, total });
            }
            // New causes are shown at once, before the whole input is read.
            let found = intake.analyzer().findings_so_far();
            if found.len() != found_posted {
                found_posted = found.len();
                let findings = found
                    .into_iter()
                    .map(|(id, title, _)| FoundSoFar {
                        id: id.into(),
                        title: title.into(),
                    })
                    .collect();
                post(scope, &FromWorker::Found { findings });
            }
        }
        match failed {
            Some(reason) => intake.fail(&reason),
            None => intake.finish(),
        }
    }
    let analysis = analyzer.finish(&Context::default());
    let memory_bytes = wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64;
    FromWorker::Done {
        analysis: Box::new(analysis),
        memory_bytes,
    }
}

/// Reads bytes `from..to` of a blob into `buffer`.
fn read(
    reader: &FileReaderSync,
    blob: &web_sys::Blob,
    from: f64,
    to: f64,
    buffer: &mut Vec<u8>,
) -> Result<(), String> {
    let part = blob.slice_with_f64_and_f64(from, to).map_err(describe)?;
    let array = reader.read_as_array_buffer(&part).map_err(describe)?;
    let chunk = Uint8Array::new(&array);
    buffer.resize(chunk.length() as usize, 0);
    chunk.copy_to(buffer);
    Ok(())
}

fn describe(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "the browser refused to read it".into())
}
