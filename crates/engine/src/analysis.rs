//! The results of an analysis, and the one-call form of the pipeline: bytes → decoded text →
//! records → one scan → rule matches → findings, plus the upgrade phases and versions. The work
//! is done by the streaming [`Analyzer`], which never holds a whole file.

use crate::archive::Intake;
use crate::decode::Encoding;
use crate::error::Error;
use crate::finding::Finding;
use crate::flow::Status;
use crate::kind::FileKind;
use crate::packages::VersionReport;
use crate::phase::PhaseReport;
use crate::rules::Catalogue;
use crate::stream::Analyzer;

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

/// How one input file was read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileReport {
    /// The file's name.
    pub name: String,
    /// The kind detected (or given).
    pub kind: Option<FileKind>,
    /// How its bytes were decoded.
    pub encoding: Option<Encoding>,
    /// Its number of lines.
    pub lines: usize,
    /// Why it could not be analysed, if it could not.
    pub error: Option<Error>,
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
    /// The user's own rules files, used or left out (none when only the built-in rules ran).
    #[serde(default)]
    pub rules_files: Vec<crate::rules::RulesFile>,
    /// What to do or look at next.
    pub next_steps: Vec<String>,
    /// Problems with what the user typed (e.g. a version that does not parse).
    pub problems: Vec<Error>,
}

impl Analysis {
    /// What to do next for the MID status `status`, with versions compared as in `versions`:
    /// what the config.xml files say about the causes found, then KB0596459's flow.
    pub fn steps_for(
        &self,
        status: Option<crate::Status>,
        versions: &crate::packages::VersionReport,
    ) -> Vec<String> {
        let ids: Vec<&str> = self.findings.iter().map(|f| f.id.as_str()).collect();
        let mut out = crate::config::advice(&self.config, &ids);
        out.extend(crate::flow::next_steps(
            status,
            &readable_kinds(&self.files),
            &self.phase,
            &self.findings,
            versions,
        ));
        out
    }
}

/// How much of an in-memory input is fed to the analyzer at a time.
const FEED_CHUNK: usize = 8 << 20;

/// Analyses `inputs` with `catalogue`, given what the user told the flow.
pub fn analyze(catalogue: &Catalogue, inputs: &[Input<'_>], ctx: &Context) -> Analysis {
    analyze_with_progress(catalogue, inputs, ctx, &mut |_| {})
}

/// Like [`analyze`], calling `on_file` with each file's index once that file is done.
pub fn analyze_with_progress(
    catalogue: &Catalogue,
    inputs: &[Input<'_>],
    ctx: &Context,
    on_file: &mut dyn FnMut(usize),
) -> Analysis {
    let mut analyzer = Analyzer::new(catalogue);
    for (order, input) in inputs.iter().enumerate() {
        // The same path as the CLI and the worker: plain, gzip or ZIP, in bounded memory.
        let mut intake = Intake::new(&mut analyzer, input.name, input.kind);
        for chunk in input.bytes.chunks(FEED_CHUNK) {
            intake.feed(chunk);
        }
        intake.finish();
        on_file(order);
    }
    analyzer.finish(ctx)
}

/// The kinds of the files that could be read, for [`crate::flow::next_steps`].
pub fn readable_kinds(files: &[FileReport]) -> Vec<FileKind> {
    files
        .iter()
        .filter(|f| f.error.is_none())
        .filter_map(|f| f.kind)
        .collect()
}

/// The ids of the findings, in order (handy for tests and summaries).
pub fn finding_ids(analysis: &Analysis) -> Vec<&str> {
    analysis.findings.iter().map(|f| f.id.as_str()).collect()
}
