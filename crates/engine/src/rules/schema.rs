//! The types a rules file describes.

use std::collections::HashMap;

use regex::Regex;

use crate::kind::FileKind;

/// How serious a finding is. Orders from `Info` (least) to `Critical` (most).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Worth knowing; not a failure.
    Info,
    /// Could cause or worsen a failure.
    Warning,
    /// A failure that stops the upgrade or the MID Server.
    Error,
    /// A failure that leaves the MID Server down or needs a reinstall.
    Critical,
}

impl Severity {
    /// The name used in rules files and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
        }
    }

    pub(crate) fn from_name(s: &str) -> Option<Severity> {
        [
            Severity::Info,
            Severity::Warning,
            Severity::Error,
            Severity::Critical,
        ]
        .into_iter()
        .find(|v| v.name() == s)
    }
}

/// Where a condition's patterns must all be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// In one record (a line and its continuation lines).
    Record,
    /// Anywhere in one file (optionally within N lines of each other).
    File,
    /// Anywhere in any of the files analysed together.
    AnyFile,
}

/// A pattern as written in a rules file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PatternSpec {
    /// A literal (the default: a plain string in TOML), ignoring the case of ASCII letters.
    Literal(String),
    /// A regular expression (`{ regex = '...' }` in TOML), matched within a line, ignoring the
    /// case of ASCII letters.
    Regex(String),
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// What the rules file said.
    pub spec: PatternSpec,
    /// The compiled regex, for regex patterns.
    pub regex: Option<Regex>,
}

/// A pattern of the catalogue: its index in the catalogue's pattern table.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct PatternId(pub u32);

impl PatternId {
    /// The index into the pattern table.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One way a rule can fire. A rule fires when any of its conditions holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// Where the patterns must be found together.
    pub scope: Scope,
    /// Patterns that must all match.
    pub all: Vec<PatternId>,
    /// Patterns of which at least one must match, when non-empty.
    pub any: Vec<PatternId>,
    /// Patterns that must not match in the same scope (or window).
    pub none: Vec<PatternId>,
    /// For file scope: every pattern must match within this many lines of the first.
    pub within: Option<u32>,
    /// How many separate matches are needed before the rule fires (default 1).
    pub min_count: u32,
}

impl Condition {
    /// Whether `p` is one of the patterns whose matches are evidence (`all` or `any`).
    pub fn is_positive(&self, p: PatternId) -> bool {
        self.all.contains(&p) || self.any.contains(&p)
    }

    /// Every pattern the condition names: `all`, `any` and `none`.
    pub fn patterns(&self) -> impl Iterator<Item = PatternId> + '_ {
        self.all.iter().chain(&self.any).chain(&self.none).copied()
    }
}

/// Sample text carried by a rule, checked when the rule is loaded or tested.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Samples {
    /// Texts (one or more log lines) on which the rule must fire.
    pub fire: Vec<String>,
    /// Texts on which the rule must stay quiet.
    pub quiet: Vec<String>,
}

impl Samples {
    /// How many samples there are, firing and quiet.
    pub fn count(&self) -> usize {
        self.fire.len() + self.quiet.len()
    }
}

/// One rule of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Stable id, kebab-case, e.g. `download-failed`.
    pub id: String,
    /// One-line title shown on the finding.
    pub title: String,
    /// How serious the cause is.
    pub severity: Severity,
    /// The KB article the rule belongs to, e.g. `KB0596459`.
    pub kb: String,
    /// The step of KB0596459's flow the rule belongs to (1-4).
    pub step: u8,
    /// What the finding means, in a sentence or two.
    pub summary: String,
    /// The file kinds the rule applies to.
    pub files: Vec<FileKind>,
    /// The conditions; any one of them makes the rule fire.
    pub when: Vec<Condition>,
    /// What to do, as ordered steps.
    pub resolution: Vec<String>,
    /// Related KB articles (numbers) or documentation URLs.
    pub links: Vec<String>,
    /// Whether fixing it needs a MID Server reinstall.
    pub reinstall: bool,
    /// The rule's own positive and negative samples.
    pub samples: Samples,
    /// The rules file the rule came from.
    pub source: String,
}

/// Deduplicates patterns across rules while they are loaded.
#[derive(Debug, Default)]
pub(crate) struct PatternTable {
    patterns: Vec<Pattern>,
    index: HashMap<PatternSpec, PatternId>,
}

impl PatternTable {
    /// The index of `spec`, adding it (with its compiled regex) if new.
    pub(crate) fn intern(&mut self, spec: PatternSpec, regex: Option<Regex>) -> PatternId {
        let key = match &spec {
            PatternSpec::Literal(s) => PatternSpec::Literal(s.to_ascii_lowercase()),
            other => other.clone(),
        };
        if let Some(&id) = self.index.get(&key) {
            return id;
        }
        let id = PatternId(self.patterns.len() as u32);
        self.patterns.push(Pattern { spec, regex });
        self.index.insert(key, id);
        id
    }

    pub(crate) fn into_patterns(self) -> Vec<Pattern> {
        self.patterns
    }
}
