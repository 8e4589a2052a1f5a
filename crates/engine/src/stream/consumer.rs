//! What the scan loop hands to the analysis' consumers, as ripgrep's searcher hands matches to
//! a `Sink`: one segment of a file at a time, with every hit found in it, already placed on its
//! line and in its record. Each consumer (rule evaluation, phase tracking, version collection)
//! keeps its own state and takes the hits it cares about; a new one plugs in without touching
//! the loop.

use super::segment::{FileStream, RecordRef, Segment};
use super::unexplained::Trouble;
use super::FileFacts;
use crate::kind::FileKind;
use crate::scan::Target;

/// A hit of the scan, placed: what was found, where, on which line of the segment, in which
/// record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Located {
    /// What matched.
    pub target: Target,
    /// Byte offsets in the segment's text.
    pub start: usize,
    pub end: usize,
    /// The segment-local line (0-based) holding `start`.
    pub line: u32,
    /// The record holding the line.
    pub record: RecordRef,
}

/// One processed segment: its text and lines, the file's kind, its hits in offset order, and
/// the records that may be trouble (see `unexplained.rs`), in text order.
pub(crate) struct Scanned<'a, 't> {
    pub seg: &'a Segment<'t>,
    pub kind: FileKind,
    pub hits: &'a [Located],
    pub troubles: &'a [Trouble],
}

/// A part of the analysis fed by the scan loop.
pub(crate) trait Consumer {
    /// The hits of one segment of the current file.
    fn segment(&mut self, file: &mut FileStream, scanned: &Scanned<'_, '_>);

    /// The current file has ended (its last segment was handed over): puts what the consumer
    /// found in it into `facts`, and starts afresh for the next file.
    fn end_file(&mut self, file: &mut FileStream, facts: &mut FileFacts);
}
