//! An analysis worker: runs the engine on the chunks its own reader worker (`reader.js`) reads
//! from the files of its task, and posts progress and its part of the analysis; or merges the
//! parts of a run. Reading and analysing run in two threads at once; neither is the page's, so
//! the page never freezes. The page cancels a run by terminating its workers, which ends their
//! readers too.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Uint8Array;
use midtriage_engine::rules::MAX_RULES_FILE;
use midtriage_engine::user_rules::Extra;
use midtriage_engine::{Analyzer, Catalogue, Intake, Merge, Partial, ZipPart};
use wasm_bindgen::prelude::*;
use web_sys::{
    Blob, BlobPropertyBag, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent, Url, Worker,
};

use crate::dom::describe;
use crate::protocol::{
    from_js, to_js, Chunk, FoundSoFar, FromWorker, Job, JobFile, ToReader, ToWorker,
};

/// Bytes read per chunk.
const CHUNK: f64 = 8.0 * 1024.0 * 1024.0;
/// Chunks the reader may have read ahead of the analysis.
const AHEAD: f64 = 3.0;
/// The reader worker's script.
const READER_JS: &str = include_str!("reader.js");
/// Least time between two progress messages, in milliseconds.
const PROGRESS_EVERY_MS: f64 = 100.0;

/// Whether this code runs in a dedicated worker (the analysis worker) rather than on a page.
pub fn in_worker() -> bool {
    js_sys::global().is_instance_of::<DedicatedWorkerGlobalScope>()
}

/// Installs the message handler and tells the page the worker is ready.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let handler_scope = scope.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let started = from_js::<ToWorker>(e.data())
            .map_err(|e| format!("the page sent a message the worker does not understand: {e}"))
            .and_then(|task| match task {
                ToWorker::Analyse(job) => begin(&handler_scope, job),
                ToWorker::Merge { parts, rules } => {
                    post(&handler_scope, &merged(parts, &rules));
                    Ok(())
                }
            });
        if let Err(message) = started {
            post(&handler_scope, &FromWorker::Failed { message });
        }
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
    match msg.to_js() {
        Ok(v) => {
            let _ = scope.post_message(&v);
        }
        Err(e) => {
            let fallback = FromWorker::Failed {
                message: format!("the result could not be sent to the page: {e}"),
            };
            if let Ok(v) = fallback.to_js() {
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

/// The run in progress.
struct Run {
    scope: DedicatedWorkerGlobalScope,
    reader: Worker,
    /// Each file's name, and which part of a ZIP archive its blob holds, if only a part.
    names: Vec<(String, Option<ZipPart>)>,
    /// Each file's size in bytes.
    sizes: Vec<f64>,
    /// Bytes of the current file analysed so far.
    file_done: f64,
    /// The file being fed; `names.len()` once all are done.
    current: usize,
    intake: Option<Intake<Analyzer>>,
    /// One buffer for every chunk: wasm memory stays bounded whatever the files' size.
    buffer: Vec<u8>,
    total: f64,
    done: f64,
    last_post: f64,
    found_posted: usize,
    /// The analyzer once every file is done.
    finished: Option<Analyzer>,
    /// Test only: crash at the first chunk.
    crash: bool,
}

/// The reader's `blob:` URL and the handler of its messages, made once per worker.
struct ReaderScript {
    url: String,
    handler: Closure<dyn FnMut(MessageEvent)>,
}

thread_local! {
    static RUN: RefCell<Option<Run>> = const { RefCell::new(None) };
    static READER: RefCell<Option<ReaderScript>> = const { RefCell::new(None) };
}

/// Starts a job: a reader worker reads the files while this one analyses what it has read.
fn begin(scope: &DedicatedWorkerGlobalScope, job: Job) -> Result<(), String> {
    if let Some(old) = RUN.take() {
        old.reader.terminate();
    }
    let reader = spawn_reader()?;
    let files = js_sys::Array::new();
    for f in &job.files {
        files.push(&f.blob);
    }
    let start = ToReader::Start {
        files,
        chunk: CHUNK,
        ahead: AHEAD,
    };
    reader.post_message(&to_js(&start)?).map_err(describe)?;
    let names: Vec<(String, Option<ZipPart>)> = job
        .files
        .iter()
        .map(|f| (f.name.clone(), f.part.clone()))
        .collect();
    // The rules files are listed, with their problems, by the merge.
    let extra = catalogue_with(&job.rules);
    let catalogue = extra.catalogue.as_ref().unwrap_or(Catalogue::builtin());
    let analyzer = Analyzer::new(catalogue);
    let run = Run {
        scope: scope.clone(),
        reader,
        intake: names.first().map(|n| intake(analyzer, n)),
        names,
        current: 0,
        buffer: Vec::new(),
        sizes: job.files.iter().map(|f| f.blob.size()).collect(),
        file_done: 0.0,
        total: job.files.iter().map(|f| f.blob.size()).sum(),
        done: 0.0,
        last_post: now(),
        found_posted: 0,
        finished: None,
        crash: job.crash,
    };
    if run.names.is_empty() {
        run.reader.terminate();
        post(scope, &part(Analyzer::new(catalogue)));
    } else {
        RUN.set(Some(run));
    }
    Ok(())
}

/// Catalogues made with the user's rules files, most recently used last, keyed by the
/// files' names and texts: the same files cost nothing the next time. A run's analyzer shares
/// its catalogue, so one dropped from here lives on until that run ends.
type RulesKey = Vec<(String, Result<String, String>)>;

/// Distinct sets of rules files whose catalogues are kept.
const KEPT: usize = 8;

thread_local! {
    static CATALOGUES: RefCell<Vec<(RulesKey, Rc<Extra>)>> = const { RefCell::new(Vec::new()) };
}

/// The built-in rules plus the job's rules files (read here, synchronously: they are small, and
/// a file over the limit is refused unread), with what became of each file.
fn catalogue_with(files: &[JobFile]) -> Rc<Extra> {
    let key: RulesKey = files
        .iter()
        .map(|f| (f.name.clone(), read_text(&f.blob)))
        .collect();
    CATALOGUES.with_borrow_mut(|cache| {
        if let Some(i) = cache.iter().position(|(k, _)| *k == key) {
            let hit = cache.remove(i);
            let extra = hit.1.clone();
            cache.push(hit);
            return extra;
        }
        let sources: Vec<(&str, Result<&str, String>)> = key
            .iter()
            .map(|(name, text)| (name.as_str(), text.as_deref().map_err(Clone::clone)))
            .collect();
        let extra = Rc::new(Catalogue::with_sources(&sources));
        if cache.len() == KEPT {
            cache.remove(0);
        }
        cache.push((key, extra.clone()));
        extra
    })
}

/// A rules file's text, unless it is larger than any rules file should be.
fn read_text(blob: &Blob) -> Result<String, String> {
    let size = blob.size();
    if size > MAX_RULES_FILE as f64 {
        return Err(format!(
            "it is {} KB; a rules file may be at most {} KB",
            size as u64 >> 10,
            MAX_RULES_FILE >> 10
        ));
    }
    let reader = FileReaderSync::new().map_err(describe)?;
    let buffer = reader
        .read_as_array_buffer(blob)
        .map_err(|e| format!("could not be read: {}", describe(e)))?;
    Ok(String::from_utf8_lossy(&Uint8Array::new(&buffer).to_vec()).into_owned())
}

/// The reader worker, from a `blob:` URL made once, with its messages going to [`on_chunk`].
fn spawn_reader() -> Result<Worker, String> {
    READER.with_borrow_mut(|slot| {
        if slot.is_none() {
            let parts = js_sys::Array::of1(&JsValue::from_str(READER_JS));
            let options = BlobPropertyBag::new();
            options.set_type("text/javascript");
            let blob =
                Blob::new_with_str_sequence_and_options(&parts, &options).map_err(describe)?;
            let url = Url::create_object_url_with_blob(&blob).map_err(describe)?;
            *slot = Some(ReaderScript {
                url,
                handler: Closure::new(on_chunk),
            });
        }
        let ReaderScript { url, handler } = slot.as_ref().ok_or("no reader")?;
        let worker = Worker::new(url).map_err(|e| {
            format!(
                "this browser cannot start a file reader in a worker ({})",
                describe(e)
            )
        })?;
        worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        Ok(worker)
    })
}

/// Takes a chunk (or a read error) from the reader.
fn on_chunk(e: MessageEvent) {
    RUN.with_borrow_mut(|slot| {
        let Some(run) = slot.as_mut() else { return };
        // Test only: crash in the middle of a run, with the run's state borrowed, as a real
        // bug would; the worker cannot be used again.
        if run.crash {
            panic!("crash requested by the page (test-crash=worker)");
        }
        let chunk = match from_js::<Chunk>(e.data()) {
            Ok(chunk) => chunk,
            Err(e) => Chunk {
                file: run.current,
                buf: JsValue::UNDEFINED,
                length: 0,
                last: true,
                error: Some(format!("the file reader sent an unreadable message ({e})")),
            },
        };
        if chunk.file != run.current {
            // A chunk of a file whose reading was cut short: only its buffer goes back.
            run.ack(chunk.buf, None);
            return;
        }
        let Some(mut intake) = run.intake.take() else {
            return;
        };
        // The chunk's buffer goes back to the reader with the acknowledgement.
        let mut spare = JsValue::UNDEFINED;
        let mut skip = None;
        if let Some(error) = chunk.error {
            let analyzer = intake.fail(&error);
            run.next(analyzer);
        } else {
            spare = chunk.buf;
            let bytes = Uint8Array::new_with_byte_offset_and_length(&spare, 0, chunk.length);
            run.buffer.resize(bytes.length() as usize, 0);
            bytes.copy_to(&mut run.buffer);
            intake.feed(&run.buffer);
            run.done += run.buffer.len() as f64;
            run.file_done += run.buffer.len() as f64;
            if chunk.last {
                run.next(intake.finish());
            } else if !intake.wants_more() {
                // Refused (a binary file, a bomb): the reader skips the rest of it.
                skip = Some(run.current);
                let size = run.sizes.get(run.current).copied().unwrap_or(0.0);
                run.done += (size - run.file_done).max(0.0);
                run.next(intake.finish());
            } else {
                run.intake = Some(intake);
            }
        }
        run.report();
        if run.current < run.names.len() {
            run.ack(spare, skip);
        } else if let Some(run) = slot.take() {
            run.reader.terminate();
            let analyzer = run
                .intake
                .map(Intake::finish)
                .or(run.finished)
                .unwrap_or_else(|| Analyzer::new(Catalogue::builtin()));
            post(&run.scope, &part(analyzer));
        }
    });
}

impl Run {
    /// Acknowledges a chunk, giving its buffer back for reuse; `skip` asks the reader to stop
    /// reading that file.
    fn ack(&self, buf: JsValue, skip: Option<usize>) {
        let transfer = js_sys::Array::new();
        if buf.is_object() {
            transfer.push(&buf);
        }
        let ack = ToReader::Ack {
            ack: true,
            buf,
            skip,
        };
        if let Ok(message) = to_js(&ack) {
            let _ = self.reader.post_message_with_transfer(&message, &transfer);
        }
    }

    /// Moves on to the next file, or keeps the finished analyzer when there is none.
    fn next(&mut self, analyzer: Analyzer) {
        self.current += 1;
        self.file_done = 0.0;
        match self.names.get(self.current) {
            Some(name) => self.intake = Some(intake(analyzer, name)),
            None => self.finished = Some(analyzer),
        }
    }

    /// Posts progress at most every [`PROGRESS_EVERY_MS`], and new causes at once.
    fn report(&mut self) {
        let t = now();
        if t - self.last_post >= PROGRESS_EVERY_MS {
            self.last_post = t;
            let (done, total) = (self.done, self.total);
            post(&self.scope, &FromWorker::Progress { done, total });
        }
        let Some(analyzer) = self
            .intake
            .as_ref()
            .map(Intake::analyzer)
            .or(self.finished.as_ref())
        else {
            return;
        };
        let found = analyzer.findings_so_far();
        if found.len() != self.found_posted {
            self.found_posted = found.len();
            let findings = found
                .into_iter()
                .map(|(id, title, severity)| FoundSoFar {
                    id: id.into(),
                    title: title.into(),
                    severity,
                })
                .collect();
            post(&self.scope, &FromWorker::Found { findings });
        }
    }
}

/// The worker's wasm memory, in bytes (it never shrinks: this is its peak).
fn memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}

/// An intake for a file, or for the part of a ZIP archive its blob holds.
fn intake(analyzer: Analyzer, (name, part): &(String, Option<ZipPart>)) -> Intake<Analyzer> {
    match part {
        Some(p) => Intake::part(analyzer, name, None, p),
        None => Intake::new(analyzer, name, None),
    }
}

/// The end of a task: its part of the analysis, and the worker's memory.
fn part(analyzer: Analyzer) -> FromWorker {
    FromWorker::Part {
        partial: Box::new(analyzer.finish_partial()),
        memory_bytes: memory_bytes(),
    }
}

/// The parts of a run merged, with its rules files listed, and the worker's memory.
fn merged(parts: Vec<Vec<Partial>>, rules: &[JobFile]) -> FromWorker {
    let extra = catalogue_with(rules);
    let catalogue = extra.catalogue.as_ref().unwrap_or(Catalogue::builtin());
    let mut merge = Merge::new(catalogue);
    merge.rules_files(extra.files(), extra.problems());
    for input in parts {
        merge.add_parts(input);
    }
    FromWorker::Done {
        facts: Box::new(merge.finish()),
        memory_bytes: memory_bytes(),
    }
}
