//! Messages between the page and its analysis workers. Files travel as `Blob`s inside the
//! message (structured clone: no copy of their bytes). Each worker analyses one file at a time
//! and sends back its part of the analysis (the engine's [`Partial`]); one of them merges the
//! parts into the engine's [`Facts`], to which the page applies the user's answers.

use midtriage_engine::rules::Severity;
use midtriage_engine::{Facts, Partial, ZipPart};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

/// One file of a job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobFile {
    /// The file name shown in evidence.
    pub name: String,
    /// The file's content, read in chunks by the worker.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub blob: web_sys::Blob,
    /// Set when the blob holds only this part of a ZIP archive (named `name`).
    #[serde(default)]
    pub part: Option<ZipPart>,
}

/// A run: analyse these files (the page splits it into one task per file).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    /// The files, in the order they were chosen.
    pub files: Vec<JobFile>,
    /// The user's rules files (TOML), added to the built-in rules for this run.
    #[serde(default)]
    pub rules: Vec<JobFile>,
    /// Test only: the worker crashes on purpose (the page sets it when its address asks for
    /// `test-crash=worker`), to prove the page recovers.
    #[serde(default)]
    pub crash: bool,
}

/// What the page asks of a worker.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ToWorker {
    /// Analyse these files and send back the part of the analysis they make.
    Analyse(Job),
    /// Merge the parts, given in the order of their files, into the analysis.
    Merge {
        /// Each input's parts (one, or a ZIP archive's parts in order).
        #[serde(with = "packed")]
        parts: Vec<Vec<Partial>>,
        /// The run's rules files, as for [`ToWorker::Analyse`].
        rules: Vec<JobFile>,
    },
}

/// What the worker says. It crosses as bytes in postcard's compact form ([`FromWorker::to_js`]):
/// it holds no JavaScript object, and reading bytes in order costs the download far less code
/// per type than serde-wasm-bindgen's reading of objects field by field.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FromWorker {
    /// The worker has loaded and waits for a job.
    Ready {
        /// How many rules its catalogue holds.
        rules: usize,
    },
    /// Bytes read and analysed so far, out of `total`.
    Progress {
        /// Bytes done.
        done: f64,
        /// Bytes in all.
        total: f64,
    },
    /// Causes found so far, while the analysis goes on.
    Found {
        /// Most severe first.
        findings: Vec<FoundSoFar>,
    },
    /// The files of an [`ToWorker::Analyse`] task are analysed.
    Part {
        /// Their part of the analysis.
        partial: Box<Partial>,
        /// The worker's wasm memory at the end, in bytes (it never shrinks: this is its peak).
        memory_bytes: f64,
    },
    /// The parts are merged: the analysis finished.
    Done {
        /// What the logs show.
        facts: Box<Facts>,
        /// The worker's wasm memory at the end, in bytes (it never shrinks: this is its peak).
        memory_bytes: f64,
    },
    /// The job could not be run at all.
    Failed {
        /// Why.
        message: String,
    },
}

/// A cause found while the analysis is still running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundSoFar {
    /// The finding id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its severity (causes from several workers are shown most severe first).
    pub severity: Severity,
}

impl FromWorker {
    /// Encodes the message for `postMessage`: a `Uint8Array`.
    pub fn to_js(&self) -> Result<JsValue, String> {
        let bytes = postcard::to_allocvec(self).map_err(|e| e.to_string())?;
        Ok(js_sys::Uint8Array::from(&bytes[..]).into())
    }

    /// Decodes a message from `postMessage`.
    pub fn from_js(value: JsValue) -> Result<FromWorker, String> {
        let array: js_sys::Uint8Array = value
            .dyn_into()
            .map_err(|_| "not a worker's message".to_string())?;
        postcard::from_bytes(&array.to_vec()).map_err(|e| e.to_string())
    }
}

/// `#[serde(with)]` for the parts sent to the merging worker: bytes in postcard's compact form
/// (a `Uint8Array` in the message), as [`FromWorker`] is.
mod packed {
    use serde::de::{DeserializeOwned, Error as _};
    use serde::ser::Error as _;
    use serde::{Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        let bytes = postcard::to_allocvec(value).map_err(S::Error::custom)?;
        serde_wasm_bindgen::preserve::serialize(&js_sys::Uint8Array::from(&bytes[..]), s)
    }

    pub fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(
        d: D,
    ) -> Result<T, D::Error> {
        let array: js_sys::Uint8Array = serde_wasm_bindgen::preserve::deserialize(d)?;
        postcard::from_bytes(&array.to_vec()).map_err(D::Error::custom)
    }
}

/// Encodes a message for `postMessage`.
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, String> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::new())
        .map_err(|e| e.to_string())
}

/// Decodes a message from `postMessage`.
pub fn from_js<T: for<'de> Deserialize<'de>>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

/// A message of the reader worker (reader.js): a chunk of file `file`, or why that file
/// could not be read to its end.
#[derive(Debug, Deserialize)]
pub struct Chunk {
    /// The file's index in the job.
    pub file: usize,
    /// The buffer holding the chunk (transferred; given back with the acknowledgement).
    #[serde(with = "serde_wasm_bindgen::preserve", default)]
    pub buf: JsValue,
    /// Bytes of the buffer that hold the chunk.
    #[serde(default)]
    pub length: u32,
    /// Whether this is the file's last chunk.
    #[serde(default)]
    pub last: bool,
    /// Why the file could not be read on (the chunks before it were read).
    #[serde(default)]
    pub error: Option<String>,
}

/// What the analysis worker tells the reader: the reader's work (first), then an
/// acknowledgement for each chunk taken.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ToReader {
    /// Read these files in chunks of `chunk` bytes, at most `ahead` chunks in flight.
    Start {
        /// The files.
        #[serde(with = "serde_wasm_bindgen::preserve")]
        files: js_sys::Array,
        /// Bytes per chunk.
        chunk: f64,
        /// Chunks in flight.
        ahead: f64,
    },
    /// A chunk was taken; its buffer comes back for reuse, and `skip` asks the reader to stop
    /// reading that file (the analysis refused it).
    Ack {
        /// Always true: tells an acknowledgement from the start.
        ack: bool,
        /// The buffer given back.
        #[serde(with = "serde_wasm_bindgen::preserve")]
        buf: JsValue,
        /// The file not to read on.
        #[serde(skip_serializing_if = "Option::is_none")]
        skip: Option<usize>,
    },
}
