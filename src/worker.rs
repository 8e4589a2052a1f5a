//! The analysis worker: reads each file in chunks with `FileReaderSync`, runs the engine and
//! posts progress and the result. It runs in a dedicated Web Worker, so the page never freezes;
//! the page cancels a run by terminating the worker.

use js_sys::Uint8Array;
use midtriage_engine::{
    analyze_with_progress, Catalogue, Context, Error, ErrorKind, FileReport, Input,
};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

use crate::protocol::{from_js, to_js, FromWorker, Job};

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
    let total: f64 = job.files.iter().map(|f| f.blob.size()).sum::<f64>() * 2.0;
    let mut done = 0.0;
    let mut last_post = now();
    let mut tick = |done: f64, force: bool| {
        let t = now();
        if force || t - last_post >= PROGRESS_EVERY_MS {
            last_post = t;
            post(scope, &FromWorker::Progress { done, total });
        }
    };
    let mut contents: Vec<(String, Vec<u8>)> = Vec::with_capacity(job.files.len());
    let mut unreadable: Vec<(usize, FileReport)> = Vec::new();
    for (i, file) in job.files.iter().enumerate() {
        match read(&reader, &file.blob, &mut |n| {
            done += n;
            tick(done, false);
        }) {
            Ok(bytes) => contents.push((file.name.clone(), bytes)),
            Err(reason) => {
                done += file.blob.size();
                let error = Error::new(
                    ErrorKind::Unreadable,
                    format!("could not be read: {reason}"),
                )
                .in_file(file.name.clone());
                unreadable.push((
                    i,
                    FileReport {
                        name: file.name.clone(),
                        kind: None,
                        encoding: None,
                        lines: 0,
                        records: 0,
                        error: Some(error),
                    },
                ));
            }
        }
    }
    let inputs: Vec<Input> = contents
        .iter()
        .map(|(name, bytes)| Input {
            name,
            bytes,
            kind: None,
        })
        .collect();
    let sizes: Vec<f64> = contents.iter().map(|(_, b)| b.len() as f64).collect();
    let mut analysis = analyze_with_progress(
        Catalogue::builtin(),
        &inputs,
        &Context::default(),
        &mut |i| {
            done += sizes[i];
            tick(done, true);
        },
    );
    for (i, report) in unreadable {
        analysis.files.insert(i.min(analysis.files.len()), report);
    }
    FromWorker::Done {
        analysis: Box::new(analysis),
    }
}

/// Reads a blob in chunks, reporting each chunk's size.
fn read(
    reader: &FileReaderSync,
    blob: &web_sys::Blob,
    on_chunk: &mut dyn FnMut(f64),
) -> Result<Vec<u8>, String> {
    let size = blob.size();
    let mut bytes = Vec::with_capacity(size as usize);
    let mut offset = 0.0;
    while offset < size {
        let end = (offset + CHUNK).min(size);
        let part = blob.slice_with_f64_and_f64(offset, end).map_err(describe)?;
        let buffer = reader.read_as_array_buffer(&part).map_err(describe)?;
        let chunk = Uint8Array::new(&buffer);
        let at = bytes.len();
        bytes.resize(at + chunk.length() as usize, 0);
        chunk.copy_to(&mut bytes[at..]);
        on_chunk(end - offset);
        offset = end;
    }
    Ok(bytes)
}

fn describe(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "the browser refused to read it".into())
}
