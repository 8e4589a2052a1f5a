//! # midtriage-engine
//!
//! The rule engine behind midtriage: it reads ServiceNow MID Server logs (agent log, wrapper
//! log, upgrade service log, pasted fragments), names why an auto-upgrade failed, quotes the
//! lines that prove it and says what to do. It is pure Rust with no I/O and no web dependencies,
//! and it is deterministic: the same bytes always give the same [`Analysis`].
//!
//! The pipeline, one module per stage:
//! [`decode`] bytes → text; `layout` and `record` text → records; [`rules`] the rules as data
//! (checked when loaded), compiled into a [`Catalogue`]; the streaming [`Analyzer`] scans each
//! file once and hands its hits to its consumers (rules → [`finding`]s, [`phase`]s,
//! [`version`]s), and returns the [`Facts`]; [`conclude`] applies the user's answers (status,
//! versions) and works out the next steps; [`render`] writes text and Markdown.
//!
//! ```
//! use midtriage_engine::{analyze, Catalogue, Context, Input};
//! let log = b"AutoUpgrade.3600 SEVERE *** ERROR *** Aborting MID Server upgrade due to pre-upgrade check failure: Unable to download updates from install server\n";
//! let input = Input { name: "agent0.log.0", bytes: log, kind: None };
//! let analysis = analyze(Catalogue::builtin(), &[input], &Context::default());
//! assert_eq!(analysis.findings[0].id, "download-failed");
//! ```
#![deny(missing_docs)]

// The modules in layers: each uses only its own layer and the ones below it, with no cycle
// (`cargo xtask test` checks both).

// Layer 1: errors, line arithmetic, timestamps, sorting.
mod error;
mod lines;
mod sort;
#[cfg(test)]
mod testutil;
mod timestamp;

// Layer 2: bytes → text → records; file kinds; versions, phases, lifecycle messages and
// packages as values; config.xml; redaction; message templates; ASCII case folding for regexes.
mod casefold;
pub mod config;
pub mod decode;
mod kind;
mod layout;
mod lifecycle;
mod packages;
pub mod phase;
mod record;
pub mod redact;
pub mod template;
pub mod version;

// Layer 3: rules as data: schema, loading, validation.
pub mod rules;

// Layer 4: the compiled catalogue and matching; the timeline's types.
mod catalogue;
mod file_scope;
pub mod finding;
mod matcher;
mod prefilter;
mod scan;
pub mod timeline;

// Layer 5: streaming analysis and archives.
mod archive;
mod stream;

// Layer 6: the analysis result types.
mod analysis;

// Layer 7: what builds on analyses: running one, the flow and its advice, the user's rules
// files and their samples, rule drafts, rendering, fuzzing entry points.
mod advice;
pub mod draft;
mod flow;
#[cfg(feature = "fuzzing")]
pub mod fuzz;
pub mod render;
mod run;
mod samples;
pub mod user_rules;

pub use analysis::{Analysis, Context, FileReport, Input, Status};
pub use archive::{zip_directory, zip_parts, Intake, ZipPart, ZIP_PART, ZIP_TAIL};
pub use catalogue::Catalogue;
pub use error::{Error, ErrorKind};
pub use finding::{Evidence, Finding};
pub use flow::{conclude, readable_kinds};
pub use kind::FileKind;
pub use rules::{Rule, Severity};
pub use run::{analyze, examine, finding_ids};
pub use samples::check_samples;
pub use stream::Analyzer;
pub use stream::{Example, TroubleLevel, Unrecognised, MAX_UNRECOGNISED};
pub use stream::{Facts, FileFacts, Merge, Partial};
pub use timeline::{EventKind, Timeline};
pub use timestamp::Timestamp;
pub use version::{Relation, Version};

/// The engine's version, from Cargo.toml.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
