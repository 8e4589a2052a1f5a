//! Messages between the page and the analysis worker. Files travel as `Blob`s inside the
//! message (structured clone: no copy of their bytes); results come back as the engine's
//! [`Facts`], to which the page applies the user's answers.

use midtriage_engine::Facts;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

/// One file of a job.
#[derive(Debug, Serialize, Deserialize)]
pub struct JobFile {
    /// The file name shown in evidence.
    pub name: String,
    /// The file's content, read in chunks by the worker.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub blob: web_sys::Blob,
}

/// A job: analyse these files.
#[derive(Debug, Serialize, Deserialize)]
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

/// What the worker says.
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
    /// The analysis finished.
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
