//! # midtriage-engine
//!
//! The rule engine behind midtriage: it reads ServiceNow MID Server logs (agent log, wrapper
//! log, upgrade service log, pasted fragments), names why an auto-upgrade failed, quotes the
//! lines that prove it and says what to do. It is pure Rust with no I/O and no web dependencies,
//! and it is deterministic: the same bytes always give the same [`Analysis`].
//!
//! The pipeline, one module per stage:
//! [`decode`] bytes → text; [`layout`] and [`record`] text → records; [`rules`] the catalogue
//! (data, checked when loaded); one scan per file; conditions evaluated into [`finding`]s;
//! [`phase`] and [`version`] / [`packages`] for where the upgrade stopped and which versions are
//! involved; [`flow`] for KB0596459's questions; [`render`] for text and Markdown reports.
//!
//! ```
//! use midtriage_engine::{analyze, Catalogue, Context, Input};
//! let log = b"AutoUpgrade.3600 SEVERE *** ERROR *** Aborting MID Server upgrade due to pre-upgrade check failure: Unable to download updates from install server\n";
//! let input = Input { name: "agent0.log.0", bytes: log, kind: None };
//! let analysis = analyze(Catalogue::builtin(), &[input], &Context::default());
//! assert_eq!(analysis.findings[0].id, "download-failed");
//! ```
#![deny(missing_docs)]

pub mod analysis;
pub mod archive;
pub mod config;
pub mod decode;
pub mod error;
pub mod finding;
pub mod flow;
pub mod fuzz;
pub mod kind;
pub mod layout;
pub mod lines;
pub mod packages;
pub mod phase;
pub mod record;
pub mod redact;
pub mod render;
pub mod rules;
pub mod timestamp;
pub mod version;

mod file_scope;
mod matcher;
mod prefilter;
mod samples;
mod scan;
pub mod stream;

pub use analysis::{
    analyze, analyze_with_progress, finding_ids, readable_kinds, Analysis, Context, FileReport,
    Input,
};
pub use archive::Intake;
pub use error::{Error, ErrorKind};
pub use finding::{Evidence, Finding};
pub use flow::Status;
pub use kind::FileKind;
pub use rules::{Catalogue, Rule, Severity};
pub use samples::check_samples;
pub use stream::Analyzer;
pub use version::{Relation, Version};

/// The engine's version, from Cargo.toml.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
