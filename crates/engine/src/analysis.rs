//! The result of an analysis and what goes into one: the inputs and what the user told the
//! flow. Types only; [`crate::run`] and [`crate::flow::conclude`] produce them.

use crate::error::Error;
use crate::finding::Finding;
use crate::kind::FileKind;
use crate::packages::VersionReport;
use crate::phase::PhaseReport;
pub use crate::stream::FileReport;

/// One file to analyse.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The name shown in evidence and messages (a file name or `<stdin>`).
    pub name: &'a str,
    /// The raw bytes.
    pub bytes: &'a [u8],
    /// The kind, when the user overrides detection.
    pub kind: Option<FileKind>,
}

/// The MID Server's status in the instance's MID Server list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Up (green dot).
    Up,
    /// Down.
    Down,
    /// Upgrade Failed.
    UpgradeFailed,
    /// Upgrading.
    Upgrading,
}

/// What the user told the flow before the logs were read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// The MID Server's status in the instance.
    pub status: Option<Status>,
    /// The instance's version (an Upgrade History "To" value, build tag or buildstamp).
    pub instance_version: Option<String>,
    /// The MID Server's version, if the user knows it.
    pub mid_version: Option<String>,
}

/// The result of an analysis.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Analysis {
    /// The engine's version.
    pub engine: String,
    /// Each input, in order, with any problem reading it.
    pub files: Vec<FileReport>,
    /// What the rules found, most severe first.
    pub findings: Vec<Finding>,
    /// The phases of the last upgrade attempt.
    pub phase: PhaseReport,
    /// Versions from the logs and the user, compared.
    pub versions: VersionReport,
    /// What each config.xml among the inputs says (never a secret value).
    #[serde(default)]
    pub config: Vec<crate::config::ConfigReport>,
    /// The errors and warnings that no rule which fired explains, most worth a look first
    /// (at most [`crate::MAX_UNRECOGNISED`]); never causes.
    #[serde(default)]
    pub unrecognised: Vec<crate::Unrecognised>,
    /// The user's own rules files, used or left out (none when only the built-in rules ran).
    #[serde(default)]
    pub rules_files: Vec<crate::rules::RulesFile>,
    /// What happened when, across the files: phases, restarts, findings and errors, with
    /// error counts over time.
    #[serde(default)]
    pub timeline: crate::timeline::Timeline,
    /// What to do or look at next.
    pub next_steps: Vec<String>,
    /// Problems with what the user typed (e.g. a version that does not parse).
    pub problems: Vec<Error>,
}
