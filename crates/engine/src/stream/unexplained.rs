//! The errors no rule explains. While a file streams, every record that looks like trouble
//! (an ERROR or SEVERE level, a WARNING, an exception class, a `Caused by:`) is reduced to a
//! template ([`crate::template`]) and counted, with the rules whose patterns it holds. When
//! the inputs are merged, the templates of records that a rule which fired explains are
//! dropped, and the rest are ranked, most worth a look first ([`rank`]).
//!
//! A file's templates depend only on that file's text, read in order, so they are the same
//! for any chunk or segment size and any order of the files; the merge orders everything by
//! value, never by input order.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use super::consumer::{Consumer, Scanned};
use super::segment::{FileStream, RecordRef, Segment};
use super::FileFacts;
use crate::catalogue::Catalogue;
use crate::layout::{parse_start, split_tagged, Head, Layout, Level};
use crate::lines::head;
use crate::phase::PhaseReport;
use crate::scan::Target;
use crate::template::template;
use crate::timestamp::Timestamp;

/// Words (case as written) that may mark trouble; a line holding one is read as a record.
/// (`Caused by:` lines name an exception or error class, so they hold a mark too.)
const MARKS: [&str; 5] = ["SEVERE", "ERROR", "WARN", "Exception", "Error"];

/// Templates kept while a file is read: past twice this many, the least useful are dropped
/// down to this many.
const WORKING: usize = 512;
/// Templates a file hands to the merge, the most useful first.
const PER_FILE: usize = 64;
/// Examples kept per template (the first occurrences).
const EXAMPLES: usize = 3;
/// An example's text, and each of its record's further lines, is cut to this many bytes.
const EXAMPLE_TEXT: usize = 400;
/// An example keeps at most this many of its record's further lines (a stack trace's first
/// frames, its `Caused by:`).
const EXAMPLE_MORE: usize = 8;
/// Entries in the analysis' list.
pub const MAX_UNRECOGNISED: usize = 20;

/// How bad a record that no rule explains looks.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum TroubleLevel {
    /// Logged as a warning.
    Warning,
    /// An exception or `Caused by:` in a record logged at another level.
    Exception,
    /// Logged as an error (ERROR, SEVERE, FATAL).
    Error,
}

/// One occurrence of a template, as the analysis shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Example {
    /// The file's name.
    pub file: String,
    /// The 1-based line where the record starts.
    pub line: u32,
    /// When, if the record carries a time.
    pub timestamp: Option<Timestamp>,
    /// The record's first line (and, for java.util.logging, the line with its level).
    pub text: String,
    /// The record's next lines, if it has more: the first few, each cut to 400 bytes.
    #[serde(default)]
    pub more: Vec<String>,
}

/// A kind of error or warning that no rule explains: its template, how often it was seen,
/// when, and its first occurrences.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Unrecognised {
    /// The message with its variable parts masked (`<num>`, `<host>`, …).
    pub template: String,
    /// The worst level it was logged at.
    pub level: TroubleLevel,
    /// How many records it covers.
    pub count: u64,
    /// The first and last time it was seen, where its records carry a time.
    pub first: Option<Timestamp>,
    /// See `first`.
    pub last: Option<Timestamp>,
    /// Its first occurrences (by time, then file name and line).
    pub examples: Vec<Example>,
    /// Where its last record is (the latest by time, then file name and line); its text is
    /// not kept.
    #[serde(default)]
    pub latest: Option<Example>,
}

/// A template as one file saw it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Mined {
    template: String,
    level: TroubleLevel,
    count: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    examples: Vec<Example>,
    /// The rules with a positive pattern in one of its records, by index, ascending.
    rules: Vec<u32>,
    /// The line of its first record in the file.
    line: u32,
    /// Whether its examples show two lines (java.util.logging puts the level on the second).
    two_lines: bool,
    /// Its last record in the file: line and time (the file's name is set when it ends).
    #[serde(default)]
    latest: Option<(String, u32, Option<Timestamp>)>,
}

impl Mined {
    /// Most useful first: worse level, then more records, then seen earlier.
    fn usefulness(&self) -> impl Ord {
        (
            std::cmp::Reverse(self.level),
            std::cmp::Reverse(self.count),
            self.line,
        )
    }
}

/// A record of the segment that may be trouble: where it is and where it starts.
pub(super) struct Trouble {
    record: RecordRef,
    span: Range<usize>,
}

/// Where the [`MARKS`] are in `text`, in offset order: natively with one packed SIMD search
/// (Teddy, where the CPU has it), in WebAssembly with one search per mark (the packed searcher
/// has no WebAssembly SIMD, and would only add to the download).
pub(super) fn marks(text: &str) -> Vec<usize> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        static PACKED: OnceLock<Option<aho_corasick::packed::Searcher>> = OnceLock::new();
        let packed = PACKED.get_or_init(|| {
            aho_corasick::packed::Config::new()
                .only_teddy(true)
                .builder()
                .extend(MARKS)
                .build()
        });
        if let Some(s) = packed {
            return s.find_iter(text).map(|m| m.start()).collect();
        }
    }
    static FINDERS: OnceLock<Vec<memchr::memmem::Finder<'static>>> = OnceLock::new();
    let finders = FINDERS.get_or_init(|| MARKS.iter().map(memchr::memmem::Finder::new).collect());
    let mut at: Vec<usize> = Vec::new();
    for f in finders {
        at.extend(f.find_iter(text.as_bytes()));
    }
    at.sort_unstable();
    at
}

/// Adds the record of `seg` holding the mark at `offset` (on segment-local `line`) to
/// `troubles`, unless it is there already. Marks come in offset order.
pub(super) fn place(seg: &mut Segment<'_>, offset: usize, line: u32, troubles: &mut Vec<Trouble>) {
    if troubles.last().is_some_and(|t| t.span.contains(&offset)) {
        return;
    }
    if let Some((record, span)) = seg.record_span(offset, line) {
        if troubles.last().is_none_or(|t| t.record.id != record.id) {
            troubles.push(Trouble { record, span });
        }
    }
}

/// Counts the templates of the records that may be trouble, file by file.
pub(crate) struct Miner {
    catalogue: Arc<Catalogue>,
    mined: Vec<Mined>,
    /// Each template by its hash, as its place in `mined`.
    by_template: HashMap<u64, u32, Prehashed>,
    /// Each record's shape ([`shape`]) by what it was: 0 for no trouble, else one more than
    /// its template's place in `mined`, with [`ERROR_BIT`] set when it was logged as an error.
    /// A record repeated with other numbers is read once.
    by_shape: HashMap<u64, u32, Prehashed>,
}

/// Set in a `by_shape` value when the record was logged as an error.
const ERROR_BIT: u32 = 1 << 31;

/// The maps' keys are hashes already: they are used as they are.
type Prehashed = std::hash::BuildHasherDefault<Identity>;

/// A hasher for `u64` keys that are hashes already.
#[derive(Default)]
struct Identity(u64);

impl std::hash::Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used (the keys are u64); any other input still hashes.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

impl Miner {
    pub(crate) fn new(catalogue: Arc<Catalogue>) -> Miner {
        Miner {
            catalogue,
            mined: Vec::new(),
            by_template: HashMap::default(),
            by_shape: HashMap::default(),
        }
    }

    /// Counts one record that holds a mark, if it is trouble; `rules` are the rules with a
    /// positive pattern in it. A record shaped as one seen before (the same first two lines
    /// but for their digits, and the same root cause) is counted as that one was, without
    /// being read again: in an error storm most records are. Gives whether the record was
    /// logged as an error (for the timeline's error counts).
    fn see(&mut self, file: &str, record: &str, at: RecordRef, rules: &[u32]) -> bool {
        let lines = first_lines(record);
        let cause = caused_by(record);
        // The second line holds the level after a java.util.logging header, and the
        // exception under a stack trace's first line.
        let mut key = shape(lines.0);
        if !lines.1.is_empty() {
            key ^= shape(lines.1).rotate_left(17);
        }
        if let Some(cause) = cause {
            key ^= shape(cause).rotate_left(41);
        }
        let line = at.id as u32;
        let (i, text, error) = match self.by_shape.get(&key) {
            Some(0) => return false,
            Some(&v) => {
                let i = (v & !ERROR_BIT) as usize - 1;
                let two = self.mined[i].two_lines;
                (i, if two { lines.2 } else { lines.0 }, v & ERROR_BIT != 0)
            }
            None => {
                let Some(seen) = read(record, cause) else {
                    self.by_shape.insert(key, 0);
                    return false;
                };
                let error = seen.level == TroubleLevel::Error;
                let t = seen.template();
                let h = hash(&t);
                let i = match self.by_template.get(&h) {
                    Some(&i) if self.mined[i as usize].template == t => i as usize,
                    known => {
                        self.mined.push(Mined {
                            template: t,
                            level: seen.level,
                            count: 0,
                            first: None,
                            last: None,
                            examples: Vec::new(),
                            rules: Vec::new(),
                            line,
                            two_lines: seen.two_lines,
                            latest: None,
                        });
                        // (Two templates with one hash: the second goes unmapped.)
                        if known.is_none() {
                            self.by_template.insert(h, self.mined.len() as u32 - 1);
                        }
                        self.mined.len() - 1
                    }
                };
                let bit = if error { ERROR_BIT } else { 0 };
                self.by_shape.insert(key, (i as u32 + 1) | bit);
                (i, if seen.two_lines { lines.2 } else { lines.0 }, error)
            }
        };
        let m = &mut self.mined[i];
        m.count += 1;
        match &mut m.latest {
            Some(l) => (l.1, l.2) = (line, at.timestamp),
            None => m.latest = Some((String::new(), line, at.timestamp)),
        }
        if let Some(t) = at.timestamp {
            m.first = Some(m.first.map_or(t, |f| f.min(t)));
            m.last = Some(m.last.map_or(t, |l| l.max(t)));
        }
        if m.examples.len() < EXAMPLES {
            // `text` is where the record starts; the lines after it follow its line break.
            let rest = &record[text.len()..];
            let rest = rest
                .strip_prefix("\r\n")
                .or_else(|| rest.strip_prefix(['\n', '\r']))
                .unwrap_or(rest);
            m.examples.push(Example {
                file: file.to_string(),
                line,
                timestamp: at.timestamp,
                text: head(text.trim_end(), EXAMPLE_TEXT).to_string(),
                more: rest
                    .lines()
                    .take(EXAMPLE_MORE)
                    .map(|l| head(l.trim_end(), EXAMPLE_TEXT).to_string())
                    .collect(),
            });
        }
        for &r in rules {
            if let Err(k) = m.rules.binary_search(&r) {
                m.rules.insert(k, r);
            }
        }
        if self.mined.len() > 2 * WORKING {
            self.prune(WORKING);
        }
        error
    }

    /// Keeps the `keep` most useful templates.
    fn prune(&mut self, keep: usize) {
        // A total order (each template's first line is its own), so an unstable sort is
        // deterministic; it also weighs less in the web build than a stable one.
        self.mined.sort_unstable_by_key(|m| m.usefulness());
        self.mined.truncate(keep);
        self.by_shape.clear();
        self.by_template.clear();
        for (i, m) in self.mined.iter().enumerate() {
            self.by_template
                .entry(hash(&m.template))
                .or_insert(i as u32);
        }
    }
}

/// What a record that may be trouble says.
struct Seen<'a> {
    level: TroubleLevel,
    message: &'a str,
    /// The root cause's exception class, from the last `Caused by:` of the record.
    cause: Option<&'a str>,
    /// Whether the level and message are on the record's second line (java.util.logging).
    two_lines: bool,
}

impl Seen<'_> {
    fn template(&self) -> String {
        let mut t = template(self.message);
        if let Some(cause) = self.cause {
            if !t.contains(cause) {
                t.push_str(" (caused by ");
                t.push_str(cause);
                t.push(')');
            }
        }
        t
    }
}

/// A record's first line, its second (empty if none), and the text from the start of the
/// first to the end of the second, line ends left out.
fn first_lines(record: &str) -> (&str, &str, &str) {
    let b = record.as_bytes();
    let end1 = memchr::memchr2(b'\n', b'\r', b).unwrap_or(b.len());
    let start2 = match b.get(end1..end1 + 2) {
        Some(b"\r\n") => end1 + 2,
        _ => (end1 + 1).min(b.len()),
    };
    let end2 = memchr::memchr2(b'\n', b'\r', &b[start2..]).map_or(b.len(), |k| start2 + k);
    (&record[..end1], &record[start2..end2], &record[..end2])
}

/// Reads a record that holds a mark: whether it is trouble, and what it says. `cause` is
/// its root cause ([`caused_by`]).
fn read<'r>(record: &'r str, cause: Option<&'r str>) -> Option<Seen<'r>> {
    let (first, second, _) = first_lines(record);
    let head = split_head(first);
    let (mut level, mut message) = match &head {
        Some(h) => (h.level, h.message),
        None => (Level::Info, first),
    };
    let mut two_lines = false;
    if head.as_ref().is_some_and(|h| h.jul_header) {
        // java.util.logging: the level and message are on the second line (`SEVERE: …`),
        // inside the wrapper's columns when the wrapper logged it (its layout reads the
        // level word then).
        let inner = match split_head(second) {
            Some(h) if h.level != Level::Info => Some((h.level, h.message)),
            Some(h) => jul_level(h.message),
            None => jul_level(second),
        };
        if let Some((l, rest)) = inner {
            (level, message, two_lines) = (l, rest, true);
        }
    } else if let Some((l, rest)) = jul_level(message) {
        // The same second line read on its own, or a level word leading the message.
        (level, message) = (level.max(l), rest);
    }
    let level = match level {
        Level::Error => TroubleLevel::Error,
        Level::Warning => TroubleLevel::Warning,
        _ if cause.is_some() || exception_class(message).is_some() => TroubleLevel::Exception,
        _ => return None,
    };
    Some(Seen {
        level,
        message: message.trim(),
        cause,
        two_lines,
    })
}

/// A line's head with its level and message split out: [`parse_start`], and for the legacy
/// agent log, whose level tag it leaves in the message, the tag read ([`split_tagged`]).
fn split_head(line: &str) -> Option<Head<'_>> {
    let mut head = parse_start(line)?;
    if head.layout == Layout::Legacy {
        if let Some((thread, level, message)) = split_tagged(head.message) {
            (head.thread, head.level, head.message) = (thread, level, message);
        }
    }
    Some(head)
}

/// A message that starts with a java.util.logging level (`SEVERE: …`): the level and the rest.
fn jul_level(message: &str) -> Option<(Level, &str)> {
    let (word, rest) = message.split_once(": ")?;
    let level = Level::from_word(word)?;
    Some((level, rest))
}

/// The exception class of the last `Caused by:` line of `record` (they follow its first line).
fn caused_by(record: &str) -> Option<&str> {
    static FINDER: OnceLock<memchr::memmem::FinderRev<'static>> = OnceLock::new();
    let rest = &record[memchr::memchr(b'\n', record.as_bytes())?..];
    let at = FINDER
        .get_or_init(|| memchr::memmem::FinderRev::new("Caused by:"))
        .rfind(rest.as_bytes())?;
    let rest = rest[at + "Caused by:".len()..].trim_start();
    let end = rest
        .bytes()
        .position(|c| c == b':' || c.is_ascii_whitespace())
        .unwrap_or(rest.len());
    let class = &rest[..end];
    exception_class(class).map(|_| class)
}

/// The first qualified exception class in `text` (`java.net.UnknownHostException`): a
/// dotted name, starting with a lower-case package, ending with `Exception` or `Error`.
fn exception_class(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    for suffix in ["Exception", "Error"] {
        for (at, _) in text.match_indices(suffix) {
            let end = at + suffix.len();
            if b.get(end).is_some_and(|c| c.is_ascii_alphanumeric()) {
                continue;
            }
            let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c == b'.';
            let start = b[..at]
                .iter()
                .rposition(|&c| !ident(c))
                .map_or(0, |k| k + 1);
            let name = &text[start..end];
            if name.contains('.') && name.as_bytes()[0].is_ascii_lowercase() {
                return Some(name);
            }
        }
    }
    None
}

/// A hash of `text` without its numbers and ids: a run of digits counts as one mark, and a word (a run of
/// ASCII letters and digits) of eight or more characters holding a digit counts only as "an
/// id" (`MIDWorker-4b4595fe…`, a sys_id). Lines that differ only there have the same shape.
/// Deterministic on every platform, unlike std's hasher.
fn shape(text: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mix = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let b = text.as_bytes();
    let mut h: u64 = 0;
    // A leading time (digits and their separators) is left out whole.
    let mut i = b
        .iter()
        .position(|c| {
            !matches!(
                c,
                b'0'..=b'9'
                    | b'/'
                    | b'-'
                    | b':'
                    | b'.'
                    | b','
                    | b' '
                    | b'('
                    | b')'
                    | b'T'
                    | b'Z'
                    | b'+'
            )
        })
        .unwrap_or(b.len());
    while i < b.len() {
        // Eight bytes without a digit are taken at once (where they start depends only on
        // the text before them).
        if let Some(window) = b.get(i..i + 8) {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(window);
            let w = u64::from_le_bytes(bytes);
            // Digits become bytes under 10; a byte under 10 sets its top bit here.
            let x = w ^ 0x3030_3030_3030_3030;
            if x.wrapping_sub(0x0A0A_0A0A_0A0A_0A0A) & !x & 0x8080_8080_8080_8080 == 0 {
                h = mix(h, w);
                i += 8;
                continue;
            }
        }
        if !b[i].is_ascii_alphanumeric() {
            h = mix(h, u64::from(b[i]));
            i += 1;
            continue;
        }
        let start = i;
        let mut digit = false;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            digit |= b[i].is_ascii_digit();
            i += 1;
        }
        if digit && i - start >= 8 {
            h = mix(h, 0x100);
        } else {
            // A run of digits counts as one mark (`a1b` and `ab` are different words).
            let mut after_digit = false;
            for &c in &b[start..i] {
                let digit = c.is_ascii_digit();
                if !digit {
                    h = mix(h, u64::from(c));
                } else if !after_digit {
                    h = mix(h, 0x101);
                }
                after_digit = digit;
            }
        }
    }
    h
}

/// A hash of all of `text` (FNV-1a).
fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Consumer for Miner {
    fn segment(&mut self, file: &mut FileStream, scanned: &Scanned<'_, '_>) {
        let seg = scanned.seg;
        let mut hits = scanned.hits.iter().peekable();
        let mut rules: Vec<u32> = Vec::new();
        for t in scanned.troubles {
            // The rules with a positive pattern in the record (hits are in text order).
            rules.clear();
            while let Some(hit) = hits.peek() {
                if hit.start >= t.span.end {
                    break;
                }
                if hit.start >= t.span.start {
                    if let Target::Pattern(p) = hit.target {
                        rules.extend(&self.catalogue.index.rules_of[p.index()]);
                    }
                }
                hits.next();
            }
            rules.sort_unstable();
            rules.dedup();
            if self.see(&file.name, &seg.text[t.span.clone()], t.record, &rules) {
                file.errors.push(t.record.timestamp);
            }
        }
    }

    fn end_file(&mut self, file: &mut FileStream, facts: &mut FileFacts) {
        self.prune(PER_FILE);
        let mut mined = std::mem::take(&mut self.mined);
        for m in &mut mined {
            if let Some(l) = &mut m.latest {
                l.0.clone_from(&file.name);
            }
        }
        mined.sort_unstable_by(|a, b| a.template.cmp(&b.template));
        facts.unexplained = mined;
        self.by_template.clear();
        self.by_shape.clear();
    }
}

/// The templates of all files, merged by template when the inputs are all in.
#[derive(Default)]
pub(super) struct Merged {
    all: Vec<Mined>,
}

impl Merged {
    pub(super) fn add(&mut self, mined: Vec<Mined>) {
        self.all.extend(mined);
    }

    /// The templates no fired rule explains, most worth a look first, at most
    /// [`MAX_UNRECOGNISED`]. `fired` holds the indices of the rules that fired.
    pub(super) fn finish(mut self, fired: &[u32], phase: &PhaseReport) -> Vec<Unrecognised> {
        // By template, then by value, so the merge is the same in any order of the files.
        self.all.sort_unstable_by(|a, b| {
            (&a.template, a.line, a.count).cmp(&(&b.template, b.line, b.count))
        });
        let mut merged: Vec<Mined> = Vec::new();
        for m in self.all {
            match merged.last_mut() {
                Some(e) if e.template == m.template => {
                    e.level = e.level.max(m.level);
                    e.count += m.count;
                    e.first = [e.first, m.first].into_iter().flatten().min();
                    e.last = [e.last, m.last].into_iter().flatten().max();
                    e.examples.extend(m.examples);
                    e.rules.extend(m.rules);
                    e.line = e.line.min(m.line);
                    let key = |l: &(String, u32, Option<Timestamp>)| (l.2, l.0.clone(), l.1);
                    if m.latest.as_ref().map(key) > e.latest.as_ref().map(key) {
                        e.latest = m.latest;
                    }
                }
                _ => merged.push(m),
            }
        }
        let left: Vec<Mined> = merged
            .into_iter()
            .map(|mut m| {
                m.rules.sort_unstable();
                m.rules.dedup();
                m.examples
                    .sort_unstable_by(|a, b| example_order(a).cmp(&example_order(b)));
                m.examples.truncate(EXAMPLES);
                m
            })
            .filter(|m| !m.rules.iter().any(|r| fired.contains(r)))
            .collect();
        rank(left, phase)
    }
}

/// Examples in time order (those without a time last), then by file name, line and text (a
/// total order, whatever order the files came in).
fn example_order(e: &Example) -> (bool, Option<Timestamp>, &str, u32, &str) {
    (e.timestamp.is_none(), e.timestamp, &e.file, e.line, &e.text)
}

/// Messages seen in healthy MID Server logs: listed last, or not at all for warnings. Besides
/// the ACL warning (KB0647664's healthy start-up), the pre-upgrade check's warnings that
/// ServiceNow's documentation lists as not blocking the upgrade ("MID Server pre-upgrade
/// check", Non-blocking warnings). Compared ignoring ASCII case.
const BENIGN: &[&str] = &[
    "Can't read because table ACL is missing",
    "Continuing with upgrade, but the following issue was encountered during upgradeCheck",
    "Skipping PowerShell upgrade checks since PowerShell is not usable",
    "Skipping Powershell test: Target folder has not been initialized",
    "Skipping Powershell test: Unable to detect the service name",
    "Unable to look up Log On As user's groups",
];

/// Orders templates, most worth a look first: errors before exceptions before warnings;
/// then those first seen close to where the upgrade stopped (its failure line, or its last
/// phase line), first seen after the attempt began, and rare ones. Healthy-log messages go
/// last.
fn rank(mut left: Vec<Mined>, phase: &PhaseReport) -> Vec<Unrecognised> {
    let stop = phase
        .failure
        .as_ref()
        .or(phase.events.last())
        .and_then(|e| e.timestamp)
        .map(|t| t.seconds());
    let began = phase
        .events
        .first()
        .and_then(|e| e.timestamp)
        .map(|t| t.seconds());
    left.retain(|m| !(m.level == TroubleLevel::Warning && benign(&m.template)));
    let score = |m: &Mined| -> i64 {
        let mut s = match m.level {
            TroubleLevel::Error => 300,
            TroubleLevel::Exception => 200,
            TroubleLevel::Warning => 100,
        };
        // How close to the stop it began: an error logged all day long is not news there.
        if let (Some(stop), Some(first)) = (stop, m.first) {
            s += match (first.seconds() - stop).abs() {
                0..=60 => 80,
                61..=600 => 60,
                601..=3600 => 40,
                3601..=86_400 => 15,
                _ => 0,
            };
        }
        if let (Some(began), Some(first)) = (began, m.first) {
            if first.seconds() >= began {
                s += 30;
            }
        }
        s += match m.count {
            0..=1 => 15,
            2..=10 => 10,
            11..=100 => 5,
            _ => 0,
        };
        if benign(&m.template) {
            s -= 1000;
        }
        s
    };
    // Templates are distinct, so the order is total.
    let mut scored: Vec<(i64, Mined)> = left.into_iter().map(|m| (-score(&m), m)).collect();
    scored.sort_unstable_by(|a, b| (a.0, &a.1.template).cmp(&(b.0, &b.1.template)));
    scored.truncate(MAX_UNRECOGNISED);
    scored
        .into_iter()
        .map(|(_, m)| Unrecognised {
            template: m.template,
            level: m.level,
            count: m.count,
            first: m.first,
            last: m.last,
            examples: m.examples,
            latest: m.latest.map(|(file, line, timestamp)| Example {
                file,
                line,
                timestamp,
                text: String::new(),
                more: Vec::new(),
            }),
        })
        .collect()
}

fn benign(template: &str) -> bool {
    BENIGN
        .iter()
        .any(|b| crate::lines::contains_folded(template, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_exceptions_and_java_logging_records_are_read() {
        // KB0639494, legacy layout.
        let r = "10/11/17 19:00:00 (811) StartupSequencer SEVERE *** ERROR *** Problem creating JMX JMXMP connector";
        let seen = read(r, caused_by(r)).unwrap();
        assert_eq!(seen.level, TroubleLevel::Error);
        assert_eq!(seen.template(), "Problem creating JMX JMXMP connector");
        // KB0697389, modern layout: the exception names the root of the trouble.
        let r = "2026-06-03T09:46:18.201-0400 WARN  (MIDServer) [Main:209] Detected JRE version 21.0.7-sncmid1 does not meet the recommended version";
        assert_eq!(read(r, None).unwrap().level, TroubleLevel::Warning);
        // An INFO record is trouble only with an exception in it.
        let r = "2026-06-03T09:46:18.201-0400 INFO  (MIDServer) [Main:292] Error count is 0";
        assert!(read(r, caused_by(r)).is_none());
        let r = "2026-06-03T09:46:18.201-0400 INFO  (Worker) [X:1] probe ended: java.net.UnknownHostException: db1";
        assert_eq!(
            read(r, caused_by(r)).unwrap().level,
            TroubleLevel::Exception
        );
        // java.util.logging in wrapper.log (field guide 1.5): the level is on the second line.
        let r = "INFO   | jvm 1    | 2019/09/21 16:30:47.817 | Sep 21, 2019 4:30:47 PM com.snc.dist.mid_upgrade.UpgradeFiles delete\nINFO   | jvm 1    | 2019/09/21 16:30:47.817 | WARNING: java.io.IOException: Unable to delete directory C:\\ServiceNow\\agent\\jre\\bin.";
        let seen = read(r, caused_by(r)).unwrap();
        assert_eq!((seen.level, seen.two_lines), (TroubleLevel::Warning, true));
        assert_eq!(
            seen.template(),
            "java.io.IOException: Unable to delete directory <path>."
        );
        // Its second line alone (a file cut between the two) keeps the level.
        let second = r.lines().nth(1).unwrap();
        assert_eq!(read(second, None).unwrap().level, TroubleLevel::Warning);
    }

    #[test]
    fn the_last_caused_by_names_the_root_cause() {
        let r = "SEVERE *** ERROR *** upgrade failed\ncom.snc.dist.mid_upgrade.UpgradeException: x\n\tat a.b(C.java:1)\nCaused by: java.io.IOException: disk\nCaused by: java.nio.file.AccessDeniedException: C:\\agent\\lib\n\tat d.e(F.java:2)";
        assert_eq!(caused_by(r), Some("java.nio.file.AccessDeniedException"));
        assert_eq!(caused_by("one line Caused by: java.io.IOException"), None);
        let seen = read(r, caused_by(r)).unwrap();
        assert_eq!(
            seen.template(),
            "upgrade failed (caused by java.nio.file.AccessDeniedException)"
        );
    }

    #[test]
    fn shapes_ignore_numbers_and_ids_only() {
        let a = "2026-06-03T00:00:12.831-0400 WARN  (Worker-Expedited:MIDWorker-a9f1f4373aae65426cd19a9061fa2908) [SSHClient:190] SSH login failed for user discovery on 10.30.127.2 (publickey)";
        let b = "2026-06-04T11:42:03.007-0400 WARN  (Worker-Expedited:MIDWorker-4b4595fef8cd98e584ecb4ffb06e9a94) [SSHClient:190] SSH login failed for user discovery on 10.30.9.254 (publickey)";
        assert_eq!(shape(a), shape(b));
        assert_ne!(shape(a), shape(&a.replace("discovery", "admin")));
        assert_ne!(shape("abc"), shape("abd"));
        // Digits are one mark, not nothing: these two are different templates.
        assert_ne!(shape("a1b"), shape("ab"));
        assert_eq!(shape("port 8080"), shape("port 80"));
    }

    /// The same record text, counted as one template, with its first three occurrences.
    #[test]
    fn a_repeated_record_is_one_template_with_its_first_examples() {
        let mut miner = Miner::new(Arc::clone(Catalogue::builtin()));
        for (i, n) in [3, 12, 7, 40].iter().enumerate() {
            let record = format!("02/06/19 09:16:{:02} (922) StartupSequencer SEVERE *** ERROR *** Problem creating JMX JMXMP connector on port {n}", 10 + i);
            let at = RecordRef {
                id: 100 + i,
                timestamp: crate::timestamp::Timestamp::new(2019, 2, 6, 9, 16, 10 + i as u8),
            };
            miner.see("agent0.log.0", &record, at, &[]);
        }
        assert_eq!(miner.mined.len(), 1);
        let m = &miner.mined[0];
        assert_eq!(
            m.template,
            "Problem creating JMX JMXMP connector on port <num>"
        );
        assert_eq!((m.count, m.examples.len()), (4, EXAMPLES));
        assert_eq!(
            m.examples.iter().map(|e| e.line).collect::<Vec<_>>(),
            [100, 101, 102]
        );
        assert!(m.examples[1].text.ends_with("port 12"));
        assert_eq!(m.first.unwrap().second, 10);
        assert_eq!(m.last.unwrap().second, 13);
    }

    /// Past the working cap the least useful templates go, the same way whenever it happens.
    #[test]
    fn templates_are_capped_keeping_errors_and_frequent_ones() {
        let mut miner = Miner::new(Arc::clone(Catalogue::builtin()));
        let at = |id| RecordRef {
            id,
            timestamp: None,
        };
        miner.see("f", "SEVERE *** ERROR *** kept error", at(1), &[]);
        for i in 0..3 * WORKING {
            // Distinct words (no digits), so each is its own template.
            let word: String = format!("{i:x}")
                .bytes()
                .map(|b| (b'g' + b % 16) as char)
                .collect();
            miner.see(
                "f",
                &format!("WARNING *** WARNING *** warned about {word}"),
                at(2 + i),
                &[],
            );
        }
        assert!(miner.mined.len() <= 2 * WORKING);
        assert!(miner.mined.iter().any(|m| m.template == "kept error"));
    }
}
