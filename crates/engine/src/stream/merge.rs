//! Merging files analysed apart: each input's [`Partial`] is added in input order, and the
//! result is what one analyzer reading every input in that order would have found.

use std::sync::Arc;

use super::assemble::assemble;
use super::rules::Findings;
use super::unexplained::Merged;
use super::{Facts, FileReport, Partial};
use crate::catalogue::Catalogue;
use crate::config::ConfigReport;
use crate::error::Error;
use crate::packages::Collector;
use crate::phase::{self, RawEvent};
use crate::timeline::FileTimeline;

/// The analysis of inputs merged so far.
pub struct Merge {
    catalogue: Arc<Catalogue>,
    findings: Findings,
    unexplained: Merged,
    files: Vec<FileReport>,
    configs: Vec<ConfigReport>,
    phases: Vec<RawEvent>,
    versions: Collector,
    notes: Vec<Error>,
    rules_files: Vec<crate::rules::RulesFile>,
    /// Each file's timeline, as `files`.
    timelines: Vec<FileTimeline>,
}

impl Merge {
    /// An empty merge of analyses made with `catalogue`.
    pub fn new(catalogue: &Arc<Catalogue>) -> Merge {
        Merge {
            catalogue: Arc::clone(catalogue),
            findings: Findings::new(Arc::clone(catalogue)),
            unexplained: Merged::default(),
            files: Vec::new(),
            configs: Vec::new(),
            phases: Vec::new(),
            versions: Collector::default(),
            notes: Vec::new(),
            rules_files: Vec::new(),
            timelines: Vec::new(),
        }
    }

    /// Records the user's rules files, as [`super::Analyzer::rules_files`] does (call it before
    /// adding inputs, as the problems come first).
    pub fn rules_files(&mut self, files: Vec<crate::rules::RulesFile>, problems: Vec<Error>) {
        self.rules_files = files;
        self.notes.extend(problems);
    }

    /// Adds the next input's (or inputs') analysis.
    pub fn add(&mut self, partial: Partial) {
        for file in partial.files {
            // The file's place among all the inputs' files.
            let order = self.files.len();
            self.files.push(file.report);
            self.configs.extend(file.config);
            self.findings.add(file.rules);
            self.phases.extend(file.phases.into_iter().map(|mut e| {
                e.file_order = order;
                e
            }));
            self.versions.merge(file.versions.in_file(order));
            self.unexplained.add(file.unexplained);
            self.timelines.push(file.timeline);
        }
        self.notes.extend(partial.notes);
    }

    /// Adds the parts of one input read apart (a ZIP's [`crate::ZipPart`]s), in order: as one
    /// reading stops at an input's first fatal problem, the parts after the one that stopped
    /// are left out.
    pub fn add_parts(&mut self, parts: impl IntoIterator<Item = Partial>) {
        for part in parts {
            let stopped = part.stopped;
            self.add(part);
            if stopped {
                break;
            }
        }
    }

    /// What the inputs show.
    pub fn finish(self) -> Facts {
        let findings = self.findings.finish();
        let phase = phase::report(self.phases);
        let fired: Vec<u32> = (0..self.catalogue.rules.len() as u32)
            .filter(|&ri| {
                let id = &self.catalogue.rules[ri as usize].id;
                findings.iter().any(|f| &f.id == id)
            })
            .collect();
        let unrecognised = self.unexplained.finish(&fired, &phase);
        let files: Vec<(FileReport, FileTimeline)> =
            self.files.into_iter().zip(self.timelines).collect();
        let timeline = assemble(&files, &findings, &unrecognised, &phase);
        Facts {
            files: files.into_iter().map(|(r, _)| r).collect(),
            unrecognised,
            timeline,
            findings,
            phase,
            versions: self.versions.finish(),
            config: self.configs,
            rules_files: self.rules_files,
            problems: self.notes,
        }
    }
}
