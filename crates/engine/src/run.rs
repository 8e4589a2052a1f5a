//! The one-call form of the pipeline: bytes → decoded text → records → one scan → rule matches
//! → findings, plus the upgrade phases and versions. The work is done by the streaming
//! [`Analyzer`], which never holds a whole file, fed through an [`Intake`] (plain, gzip, ZIP).

use std::sync::Arc;

use crate::analysis::{Analysis, Context, Input};
use crate::archive::Intake;
use crate::catalogue::Catalogue;
use crate::flow::conclude;
use crate::stream::{Analyzer, Facts};

/// How much of an in-memory input is fed to the analyzer at a time.
const FEED_CHUNK: usize = 8 << 20;

/// Analyses `inputs` with `catalogue`, given what the user told the flow.
pub fn analyze(catalogue: &Arc<Catalogue>, inputs: &[Input<'_>], ctx: &Context) -> Analysis {
    conclude(examine(catalogue, inputs), ctx)
}

/// What `inputs` show, before any answer of the user's is applied (see [`conclude`]).
pub fn examine(catalogue: &Arc<Catalogue>, inputs: &[Input<'_>]) -> Facts {
    let mut analyzer = Analyzer::new(catalogue);
    for input in inputs {
        feed(&mut analyzer, input);
    }
    analyzer.finish()
}

fn feed(analyzer: &mut Analyzer, input: &Input<'_>) {
    // The same path as the CLI and the worker: plain, gzip or ZIP, in bounded memory.
    let mut intake = Intake::new(analyzer, input.name, input.kind);
    for chunk in input.bytes.chunks(FEED_CHUNK) {
        intake.feed(chunk);
    }
    intake.finish();
}

/// The ids of the findings, in order (handy for tests and summaries).
pub fn finding_ids(analysis: &Analysis) -> Vec<&str> {
    analysis.findings.iter().map(|f| f.id.as_str()).collect()
}
