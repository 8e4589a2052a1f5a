//! Per-file state of the streaming analyzer: segments, evidence with context across segment
//! edges, and where pending text may be cut.

use std::collections::HashMap;

use super::{LOOKBACK_LINES, MAX_PENDING};
use crate::decode::StreamDecoder;
use crate::error::Error;
use crate::finding::{self, evidence, ContextLine, Evidence, CONTEXT, MAX_EVIDENCE};
use crate::kind::{self, FileKind};
use crate::layout::{parse_head, Layout};
use crate::lines::LineIndex;
use crate::matcher::PatternHit;
use crate::record::{is_frame_line, Record};

/// One file being analysed.
pub(super) struct FileStream {
    pub(super) order: usize,
    pub(super) name: String,
    pub(super) kind: Option<FileKind>,
    pub(super) decoder: StreamDecoder,
    pub(super) error: Option<Error>,
    pub(super) pending: String,
    pub(super) lines_done: u32,
    pub(super) records_done: usize,
    /// The last lines already processed, for evidence at the start of the next segment.
    pub(super) tail: Vec<ContextLine>,
    pub(super) arena: Vec<Evidence>,
    /// Arena entries still waiting for lines after them.
    pub(super) open_after: Vec<usize>,
    /// Record-scope evidence: (rule, arena index).
    pub(super) record_evidence: Vec<(usize, usize)>,
    /// Hits of file-level patterns, with file-wide line and record numbers.
    pub(super) file_hits: Vec<PatternHit>,
    pub(super) hit_evidence: HashMap<usize, usize>,
    pub(super) evidence_per_pattern: HashMap<usize, usize>,
}

/// A segment of decoded text with its index and records.
pub(super) struct Segment<'t> {
    pub(super) text: &'t str,
    pub(super) index: &'t LineIndex,
    pub(super) records: &'t [Record<'t>],
    pub(super) line_base: u32,
    pub(super) record_base: usize,
}

impl Segment<'_> {
    pub(super) fn record_at(&self, offset: usize) -> Option<usize> {
        let i = self
            .records
            .partition_point(|r| r.start <= offset)
            .checked_sub(1)?;
        (offset <= self.records[i].end).then_some(i)
    }

    /// Evidence for a line of this segment, with file-wide line numbers.
    pub(super) fn evidence(
        &self,
        name: &str,
        line: u32,
        record: usize,
        start: usize,
        end: usize,
    ) -> Evidence {
        let mut ev = evidence(
            name,
            self.text,
            self.index,
            line,
            self.records[record].timestamp,
            start,
            end,
        );
        ev.line += self.line_base;
        for c in ev.before.iter_mut().chain(ev.after.iter_mut()) {
            c.line += self.line_base;
        }
        ev
    }
}

impl FileStream {
    /// Builds evidence into the arena, completing its context from the neighbouring segments.
    pub(super) fn build(
        &mut self,
        seg: &Segment<'_>,
        line: u32,
        record: usize,
        start: usize,
        end: usize,
    ) -> usize {
        let mut ev = seg.evidence(&self.name, line, record, start, end);
        let want_from = ev.line.saturating_sub(CONTEXT).max(1);
        let mut before: Vec<ContextLine> = self
            .tail
            .iter()
            .filter(|c| c.line >= want_from && c.line < seg.line_base + 1)
            .cloned()
            .collect();
        before.append(&mut ev.before);
        ev.before = before;
        self.arena.push(ev);
        let idx = self.arena.len() - 1;
        if self.arena[idx].after.len() < CONTEXT as usize {
            self.open_after.push(idx);
        }
        idx
    }

    pub(super) fn keep_file_hit(
        &mut self,
        seg: &Segment<'_>,
        pattern: usize,
        record: usize,
        line: u32,
        start: usize,
        end: usize,
    ) {
        self.file_hits.push(PatternHit {
            pattern,
            record: seg.record_base + record,
            line: seg.line_base + line,
            start,
            end,
        });
        let kept = self.evidence_per_pattern.entry(pattern).or_insert(0);
        if *kept < MAX_EVIDENCE {
            *kept += 1;
            let idx = self.build(seg, line, record, start, end);
            self.hit_evidence.insert(self.file_hits.len() - 1, idx);
        }
    }

    /// Completes the after-context of earlier evidence with this segment's first lines.
    pub(super) fn fill_after(&mut self, text: &str, index: &LineIndex) {
        let base = self.lines_done;
        let arena = &mut self.arena;
        self.open_after.retain(|&idx| {
            let ev = &mut arena[idx];
            while ev.after.len() < CONTEXT as usize {
                let next = ev.after.last().map_or(ev.line, |c| c.line) + 1;
                let Some(t) = next
                    .checked_sub(base)
                    .and_then(|local| index.line(text, local))
                else {
                    break;
                };
                ev.after.push(ContextLine {
                    line: next,
                    text: finding::clip_context(t),
                });
            }
            ev.after.len() < CONTEXT as usize
        });
    }

    pub(super) fn remember_tail(&mut self, text: &str, index: &LineIndex) {
        let count = index.count() as u32;
        for local in count.saturating_sub(CONTEXT) + 1..=count {
            if let Some(t) = index.line(text, local) {
                self.tail.push(ContextLine {
                    line: self.lines_done + local,
                    text: finding::clip_context(t),
                });
            }
        }
        let keep = self.tail.len().saturating_sub(CONTEXT as usize);
        self.tail.drain(..keep);
    }
}

/// Where pending text can be cut: just before the last complete line that starts a new record;
/// at the last line boundary when the text has grown too large without one.
pub(super) fn cut_point(pending: &str) -> Option<usize> {
    let bytes = pending.as_bytes();
    // A line break counts only when something follows it, so a CRLF is never split.
    let last_break = memchr::memrchr2(b'\n', b'\r', &bytes[..bytes.len().saturating_sub(1)])?;
    let complete = if bytes[last_break] == b'\r' && bytes.get(last_break + 1) == Some(&b'\n') {
        last_break + 2
    } else {
        last_break + 1
    };
    let mut end = complete;
    for _ in 0..LOOKBACK_LINES {
        let start =
            memchr::memrchr2(b'\n', b'\r', &bytes[..end.saturating_sub(1)]).map_or(0, |i| i + 1);
        if start == 0 {
            break;
        }
        let line = pending[start..end].trim_end_matches(['\n', '\r']);
        if starts_record(line) && !after_jul_header(pending, start) {
            return Some(start);
        }
        end = start;
    }
    (pending.len() >= MAX_PENDING).then_some(complete)
}

/// Whether pending text holds the lines kind detection looks at (or plenty of text).
pub(super) fn enough_to_detect(pending: &str) -> bool {
    pending.len() >= 1 << 20
        || memchr::memchr_iter(b'\n', pending.as_bytes())
            .nth(kind::PROBE_LINES)
            .is_some()
}

/// A line that starts its own record (not a continuation folded into the one above).
fn starts_record(line: &str) -> bool {
    match parse_head(line) {
        Some(h) => {
            !(matches!(h.layout, Layout::Tanuki | Layout::Wrapper | Layout::Console)
                && is_frame_line(h.message))
        }
        None => false,
    }
}

/// Whether the line before `start` is java.util.logging's header (its level line belongs to it).
fn after_jul_header(pending: &str, start: usize) -> bool {
    let before = pending[..start].trim_end_matches(['\n', '\r']);
    let line_start = memchr::memrchr2(b'\n', b'\r', before.as_bytes()).map_or(0, |i| i + 1);
    parse_head(&before[line_start..]).is_some_and(|h| h.jul_header)
}
