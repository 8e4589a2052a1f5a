//! Per-file state of the streaming analyzer: segments, evidence with context across segment
//! edges, and where pending text may be cut.

use std::collections::BTreeSet;

use super::{LOOKBACK_LINES, MAX_PENDING};
use crate::decode::StreamDecoder;
use crate::error::Error;
use crate::file_scope::{FileCondition, HitId};
use crate::finding::{self, evidence, ContextLine, Evidence, CONTEXT, MAX_EVIDENCE};
use crate::kind::{self, FileKind};
use crate::layout::{parse_start, Layout};
use crate::lines::{self, numbered};
use crate::prefilter::Prefilter;
use crate::record::{is_frame_line, Fed, Opened, Parser};
use crate::rules::PatternId;
use crate::timestamp::Timestamp;

/// One file being analysed.
pub(super) struct FileStream {
    pub(super) order: usize,
    pub(super) name: String,
    pub(super) kind: Option<FileKind>,
    pub(super) decoder: StreamDecoder,
    pub(super) error: Option<Error>,
    pub(super) pending: String,
    pub(super) lines_done: u32,
    /// A config.xml's text, held for the config checker (up to [`crate::config::MAX_CONFIG`]),
    /// and how many bytes past that were dropped.
    pub(super) config: Option<String>,
    pub(super) config_dropped: usize,
    /// The scan's prefilter, made from the file's first segment.
    pub(super) prefilter: Option<Option<Prefilter>>,
    /// The last lines already processed, for evidence at the start of the next segment.
    pub(super) tail: Vec<ContextLine>,
    pub(super) arena: Vec<Evidence>,
    /// Arena entries still waiting for lines after them.
    pub(super) open_after: Vec<usize>,
    /// Record-scope evidence: (rule, arena index).
    pub(super) record_evidence: Vec<(usize, usize)>,
    /// By rule index: how many lines of record-scope evidence were built, and the last one.
    pub(super) record_kept: Vec<(usize, u32)>,
    /// The times of the segment's error records, in text order: put here by the miner (which
    /// reads each record's level anyway) and taken by the timeline, fed after it.
    pub(super) errors: Vec<Option<Timestamp>>,
    /// By rule index: its last record-scope match, once past the evidence kept.
    pub(super) record_latest: Vec<Option<Evidence>>,
    /// How many hits of file-level patterns were seen (a hit's id is its number).
    pub(super) hits_seen: usize,
    /// The file-level patterns seen.
    pub(super) present: BTreeSet<PatternId>,
    /// The hits of file-level patterns that have evidence, as (pattern, id, arena index), in
    /// the order of their ids.
    pub(super) evidence_hits: Vec<(PatternId, HitId, usize)>,
    /// The file-scope conditions, fed hit by hit (see [`crate::file_scope`]).
    pub(super) conditions: Vec<FileCondition>,
    /// By pattern index: how many hits of a file-level pattern have evidence.
    pub(super) evidence_per_pattern: Vec<usize>,
}

/// How many lines a record lookup walks back looking for the start of the record.
const WALK_BACK: usize = 256;

/// A lookup at most this many lines past the parsed records parses on from them rather than
/// walking back from its line: in an error storm hits come every few lines, and parsing on
/// reads each head once.
const NEAR: u32 = 4;

/// A segment of decoded text. Line numbers and records are worked out only where hits are:
/// lines are counted between hits, and records are parsed from the nearest record start.
pub(super) struct Segment<'t> {
    pub(super) text: &'t str,
    pub(super) line_base: u32,
    /// Lines are counted up to this offset...
    counted_to: usize,
    /// ...which lies on this (1-based, segment-local) line.
    counted_line: u32,
    /// Records parsed around the latest hit.
    parser: Parser<'t>,
    /// Where the parsed records end: the start of a record, or the end of the text.
    parsed_to: usize,
    /// The segment-local line number at `parsed_to`.
    parsed_line: u32,
    /// The record that starts at `parsed_to`, its first line read, if the parse stopped there.
    next: Option<Opened<'t>>,
    /// How much work the lookups did, for the tests that bound it.
    #[cfg(test)]
    work: Work,
}

/// Bytes scanned for line breaks and lines fed to the record parser.
#[cfg(test)]
#[derive(Debug, Default)]
struct Work {
    counted: usize,
    parsed: usize,
}

/// The record a hit belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct RecordRef {
    /// The file-wide line number of the record's first line (unique per record).
    pub(super) id: usize,
    pub(super) timestamp: Option<Timestamp>,
}

impl<'t> Segment<'t> {
    pub(super) fn new(text: &'t str, order: usize, line_base: u32) -> Segment<'t> {
        Segment {
            text,
            line_base,
            counted_to: 0,
            counted_line: 1,
            parser: Parser::of_extents(order),
            parsed_to: 0,
            parsed_line: 1,
            next: None,
            #[cfg(test)]
            work: Work::default(),
        }
    }

    /// The segment-local, 1-based number of the line holding `offset`. Fast when offsets come
    /// in increasing order.
    pub(super) fn line_of(&mut self, offset: usize) -> u32 {
        if offset < self.counted_to {
            (self.counted_to, self.counted_line) = (0, 1);
        }
        let between = &self.text.as_bytes()[self.counted_to..offset];
        #[cfg(test)]
        {
            self.work.counted += between.len();
        }
        self.counted_line += lines::count_breaks(between) as u32;
        self.counted_to = offset;
        self.counted_line
    }

    /// How many lines the segment has, counting on from the last line looked up.
    pub(super) fn line_count(&self) -> u32 {
        let rest = &self.text.as_bytes()[self.counted_to..];
        let breaks = self.counted_line - 1 + lines::count_breaks(rest) as u32;
        match self.text.as_bytes().last() {
            None => 0,
            Some(b'\n' | b'\r') => breaks,
            Some(_) => breaks + 1,
        }
    }

    /// The record holding `offset`, which is on segment-local line `line`.
    pub(super) fn record_at(&mut self, offset: usize, line: u32) -> Option<RecordRef> {
        let window = self.parser.records.first().map(|r| r.start);
        if !window.is_some_and(|start| start <= offset && offset < self.parsed_to) {
            self.parse_around(offset, line);
        }
        let records = &self.parser.records;
        let i = records
            .partition_point(|r| r.start <= offset)
            .checked_sub(1)?;
        let r = &records[i];
        (offset <= r.end).then(|| RecordRef {
            id: (self.line_base + r.line) as usize,
            timestamp: r.timestamp,
        })
    }

    /// The record holding `offset` (on segment-local line `line`), with where it starts and
    /// ends in the segment's text.
    pub(super) fn record_span(
        &mut self,
        offset: usize,
        line: u32,
    ) -> Option<(RecordRef, std::ops::Range<usize>)> {
        let record = self.record_at(offset, line)?;
        let records = &self.parser.records;
        let i = records
            .partition_point(|r| r.start <= offset)
            .checked_sub(1)?;
        Some((record, records[i].start..records[i].end))
    }

    /// Parses the records from the nearest record start above `offset` to the end of the
    /// record holding it.
    fn parse_around(&mut self, offset: usize, line: u32) {
        let text = self.text;
        let target = lines::line_at(text, offset);
        let next = self.next.take();
        let (mut at, mut n);
        if offset >= self.parsed_to && line <= self.parsed_line + NEAR {
            // Parse on from the end of the previous parse, a record start.
            match next {
                Some(opened) => {
                    at = lines::line_after(text, opened.head_end()).map_or(text.len(), |r| r.start);
                    n = opened.line() + 1;
                    self.parser.resume(opened);
                }
                None => {
                    (at, n) = (self.parsed_to, self.parsed_line);
                    self.parser.reset();
                }
            }
        } else {
            (at, n) = self.record_start_above(target.start, offset, line);
            self.parser.reset();
        }
        loop {
            if at >= text.len() {
                (self.parsed_to, self.parsed_line) = (text.len(), n);
                return;
            }
            let end = line_end(text, at);
            let fed = self.parser.line(n, at, &text[at..end]);
            #[cfg(test)]
            {
                self.work.parsed += 1;
            }
            if fed == Fed::Started && at > target.end {
                self.next = self.parser.take_last();
                (self.parsed_to, self.parsed_line) = (at, n);
                return;
            }
            at = lines::line_after(text, end).map_or(text.len(), |r| r.start);
            n += 1;
        }
    }

    /// The nearest record start at or above the line that starts at `start` (segment-local
    /// line `line`, holding `offset`), and its line: found by walking back a few lines, else
    /// the end of the previous parse or the start of the segment (both record starts).
    fn record_start_above(&self, start: usize, offset: usize, line: u32) -> (usize, u32) {
        let text = self.text;
        let (floor, floor_line) = if offset >= self.parsed_to {
            (self.parsed_to, self.parsed_line)
        } else {
            (0, 1)
        };
        let (mut at, mut n) = (start, line);
        for _ in 0..WALK_BACK {
            if at <= floor || starts_record_at(text, at) {
                break;
            }
            match lines::line_before(text, at) {
                Some(r) => (at, n) = (r.start, n - 1),
                None => break,
            }
        }
        if at <= floor || !starts_record_at(text, at) {
            (floor, floor_line)
        } else {
            (at, n)
        }
    }

    /// Evidence for a line of this segment, with file-wide line numbers.
    pub(super) fn evidence(
        &self,
        name: &str,
        line: u32,
        timestamp: Option<Timestamp>,
        start: usize,
        end: usize,
    ) -> Evidence {
        let mut ev = evidence(name, self.text, line, timestamp, start, end);
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
        timestamp: Option<Timestamp>,
        start: usize,
        end: usize,
    ) -> usize {
        let mut ev = seg.evidence(&self.name, line, timestamp, start, end);
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

    /// Notes a hit of a file-level pattern, with its evidence while the pattern has room; gives
    /// the hit's id and whether it has evidence.
    pub(super) fn keep_file_hit(
        &mut self,
        seg: &Segment<'_>,
        pattern: PatternId,
        record: RecordRef,
        line: u32,
        start: usize,
        end: usize,
    ) -> (HitId, bool) {
        let id = HitId(self.hits_seen);
        self.hits_seen += 1;
        self.present.insert(pattern);
        let kept = &mut self.evidence_per_pattern[pattern.index()];
        if *kept >= MAX_EVIDENCE {
            return (id, false);
        }
        *kept += 1;
        let idx = self.build(seg, line, record.timestamp, start, end);
        self.evidence_hits.push((pattern, id, idx));
        (id, true)
    }

    /// The evidence of a file-level hit, if it has any.
    pub(super) fn evidence_of(&self, id: HitId) -> Option<&Evidence> {
        let i = self
            .evidence_hits
            .binary_search_by_key(&id, |&(_, h, _)| h)
            .ok()?;
        Some(&self.arena[self.evidence_hits[i].2])
    }

    /// Completes the after-context of earlier evidence with this segment's first lines.
    pub(super) fn fill_after(&mut self, text: &str) {
        if self.open_after.is_empty() {
            return;
        }
        let first: Vec<&str> = numbered(text)
            .take(CONTEXT as usize)
            .map(|(_, _, l)| l)
            .collect();
        let base = self.lines_done;
        let arena = &mut self.arena;
        self.open_after.retain(|&idx| {
            let ev = &mut arena[idx];
            while ev.after.len() < CONTEXT as usize {
                let next = ev.after.last().map_or(ev.line, |c| c.line) + 1;
                let Some(t) = next
                    .checked_sub(base + 1)
                    .and_then(|i| first.get(i as usize))
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

    /// Keeps the last lines of a processed segment of `count` lines, for the next segment.
    pub(super) fn remember_tail(&mut self, text: &str, count: u32) {
        let mut last = Vec::new();
        let mut end = text.len();
        if text.ends_with('\n') || text.ends_with('\r') {
            end = lines::line_before(text, end).map_or(0, |r| r.end);
        }
        let mut range = (count > 0).then(|| lines::line_at(text, end));
        for n in (count.saturating_sub(CONTEXT) + 1..=count).rev() {
            let Some(r) = range else { break };
            last.push(ContextLine {
                line: self.lines_done + n,
                text: finding::clip_context(&text[r.clone()]),
            });
            range = lines::line_before(text, r.start);
        }
        last.reverse();
        self.tail.append(&mut last);
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
        if starts_record_at(pending, start) {
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

/// Where the line that starts at byte `at` ends (before its line break).
fn line_end(text: &str, at: usize) -> usize {
    memchr::memchr2(b'\n', b'\r', &text.as_bytes()[at..]).map_or(text.len(), |i| at + i)
}

/// Whether the line that starts at byte `at` starts its own record.
fn starts_record_at(text: &str, at: usize) -> bool {
    match parse_start(&text[at..line_end(text, at)]) {
        // A java.util.logging level line joins only a header of its own layout, and no
        // header has an agent log's layout: the line above need not be read.
        Some(h) if matches!(h.layout, Layout::Legacy | Layout::Modern) => true,
        Some(h) => starts_record(&h) && !after_jul_header(text, at),
        None => false,
    }
}

/// Whether a line with head `h` starts its own record (is not a continuation folded into
/// the one above).
fn starts_record(h: &crate::layout::Head<'_>) -> bool {
    !(matches!(h.layout, Layout::Tanuki | Layout::Wrapper | Layout::Console)
        && is_frame_line(h.message))
}

/// Whether the line just before `start` is java.util.logging's header (its level line belongs
/// to it).
fn after_jul_header(pending: &str, start: usize) -> bool {
    lines::line_before(pending, start)
        .is_some_and(|r| parse_start(&pending[r]).is_some_and(|h| h.jul_header))
}

/// Checks that looking records up lazily, for the middle of every non-blank line in increasing
/// order with gaps of 1, 2, 3, 7 and 50 lines, finds exactly the `full` parse's records and
/// line numbers. Returns how many lookups were checked.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn check_lazy_records(text: &str, full: &[crate::record::Record<'_>]) -> usize {
    let offsets: Vec<(u32, usize)> = numbered(text)
        .filter(|(_, _, l)| !l.trim().is_empty())
        .map(|(n, at, l)| (n, at + l.len() / 2))
        .collect();
    let mut checked = 0;
    for step in [1, 2, 3, 7, 50] {
        let mut seg = Segment::new(text, 0, 1000);
        for &(n, offset) in offsets.iter().step_by(step) {
            let line = seg.line_of(offset);
            assert_eq!(line, n, "line of offset {offset}");
            let want = full
                .iter()
                .find(|r| r.start <= offset && offset <= r.end)
                .unwrap_or_else(|| panic!("no record holds line {n}"));
            let got = seg.record_at(offset, line);
            assert_eq!(
                got.map(|g| (g.id, g.timestamp)),
                Some((1000 + want.line as usize, want.timestamp)),
                "record of line {n} (step {step})"
            );
            checked += 1;
        }
    }
    checked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::parse_records;

    /// Every fixture log, plus the same logs with CRLF and with lone-CR line ends.
    fn texts() -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let mut out = Vec::new();
        let mut dirs = vec![dir];
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if let Ok(text) = std::fs::read_to_string(&path) {
                    out.push(text.replace("\r\n", "\n").replace('\n', "\r\n"));
                    out.push(text.replace("\r\n", "\r").replace('\n', "\r"));
                    out.push(text);
                }
            }
        }
        out.sort();
        out
    }

    /// Looking records up lazily, for offsets in increasing order with any gaps between them,
    /// finds exactly the records a full parse of the segment makes.
    #[test]
    fn lazy_records_and_lines_equal_a_full_parse() {
        let mut checked = 0;
        for text in texts() {
            checked += check_lazy_records(&text, &parse_records(0, &text));
        }
        assert!(checked > 3000, "{checked}");
    }

    /// Lookups in increasing order count each byte's line breaks once, and parse only the
    /// records they land in (and the next record's first line), however far apart they are and
    /// however often one is repeated.
    #[test]
    fn lookups_do_only_the_work_their_records_need() {
        let text: String = (0..2000)
            .map(|i| {
                format!(
                    "11/20/25 10:00:{:02} ({i:03}) Worker.{i} Something happened\n  detail one\n  detail two\n",
                    i % 60
                )
            })
            .collect();
        let heads: Vec<usize> = text.match_indices("11/20/25").map(|(at, _)| at).collect();
        let mut seg = Segment::new(&text, 0, 0);
        let mut last = 0;
        for (i, &head) in heads.iter().enumerate().step_by(20) {
            let offset = head + 30;
            for _ in 0..3 {
                let line = seg.line_of(offset);
                assert_eq!(line as usize, 3 * i + 1);
                let record = seg.record_at(offset, line).expect("a record");
                assert_eq!(record.id, 3 * i + 1);
            }
            last = offset;
        }
        assert_eq!(seg.work.counted, last, "each byte counted once");
        // A record of three lines, and the next record's first line, per distinct lookup.
        assert_eq!(seg.work.parsed, 4 * heads.len().div_ceil(20));
    }

    /// Lookups in every record, or every few, as in an error storm, read each line once: the
    /// parse goes on from the record found last instead of walking back to the next one.
    #[test]
    fn lookups_close_together_parse_each_line_once() {
        let mut text = String::new();
        for i in 0..600 {
            let time = format!("11/20/25 10:00:{:02} ({:03})", i % 60, i % 1000);
            text.push_str(&format!(
                "{time} StartupSequencer SEVERE *** ERROR *** failed {i}\n"
            ));
            if i % 3 == 0 {
                text.push_str(
                    "java.net.ConnectException: Connection refused\n\tat x.y(z.java:1)\n",
                );
            }
        }
        let records = crate::record::parse_records(0, &text);
        let lines = lines::count_lines(&text);
        for step in [1, 2, 3] {
            let mut seg = Segment::new(&text, 0, 0);
            for r in records.iter().step_by(step) {
                let offset = r.start + 40;
                let line = seg.line_of(offset);
                assert_eq!(
                    seg.record_at(offset, line).map(|f| f.id),
                    Some(r.line as usize)
                );
            }
            // Every line up to the last record looked up, and the line after it if any.
            let last = records.iter().step_by(step).next_back().expect("records");
            let want = (last.end_line as usize + 1).min(lines);
            assert_eq!(seg.work.parsed, want, "every {step} records");
        }
    }

    /// A segment's last line counts whether or not it ends with a line break.
    #[test]
    fn the_last_line_counts_without_a_break() {
        for (text, lines) in [
            ("", 0),
            ("a", 1),
            ("a\n", 1),
            ("a\nb", 2),
            ("a\r\nb\r\n", 2),
        ] {
            assert_eq!(Segment::new(text, 0, 0).line_count(), lines, "{text:?}");
            let mut seg = Segment::new(text, 0, 0);
            seg.line_of(text.len().min(1));
            assert_eq!(seg.line_count(), lines, "{text:?} after a lookup");
        }
    }

    /// Text without a record start is cut, once it reaches [`MAX_PENDING`], after its last
    /// complete line: never between the CR and LF of a line break, and the last line stays
    /// pending until something follows its break.
    #[test]
    fn text_without_records_is_cut_after_its_last_complete_line() {
        let body = "plain words\r\n".repeat(MAX_PENDING / 13 + 1);
        for (tail, kept) in [("", 0), ("more", 4), ("\n\n", 1), ("x\n", 2), ("x\r", 2)] {
            let pending = format!("{body}{tail}");
            assert_eq!(
                cut_point(&pending),
                Some(pending.len() - kept),
                "ending {tail:?}"
            );
        }
        assert_eq!(cut_point(&body[..body.len() / 2]), None, "below the limit");
    }
}
