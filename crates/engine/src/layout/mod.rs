//! The log layouts a MID Server writes, one module each, and the dispatcher that tries them.
//!
//! Each layout turns one line into a [`Head`] (the start of a record) or says it is not its
//! layout. Lines that no layout claims are continuations or plain text; see [`crate::record`].

pub mod console;
pub mod fragment;
pub mod legacy;
pub mod modern;
pub mod tanuki;
pub mod wrapper;

use crate::timestamp::Timestamp;

/// Which layout a record was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// Agent log before about Tokyo: `MM/dd/yy HH:mm:ss (NNN) thread [TAG] message`.
    Legacy,
    /// Agent log from about Tokyo: `ISO-8601 LEVEL (thread) [Class:line] message`.
    Modern,
    /// Main wrapper.log, Tanuki format TM: `yyyy/MM/dd HH:mm:ss | message`.
    Wrapper,
    /// Upgrade service log, Tanuki format LPTM: `LEVEL | jvm 1 | timestamp | message`.
    Tanuki,
    /// Console output of start.bat / mid.bat, Tanuki format PM: `wrapper | message`.
    Console,
    /// A pasted agent-log line without its timestamp: `thread [TAG] message`.
    Fragment,
    /// A line in no known layout, kept as a record of its own.
    Plain,
}

/// A record's level, normalised across layouts (SEVERE, FATAL and ERROR are all `Error`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// TRACE.
    Trace,
    /// DEBUG, and java.util.logging's FINE, FINER, FINEST and CONFIG.
    Debug,
    /// INFO, and Tanuki's STATUS, NOTICE and ADVICE; also untagged legacy lines.
    Info,
    /// WARN and WARNING.
    Warning,
    /// ERROR, SEVERE and FATAL.
    Error,
}

impl Level {
    /// The level for a level word as any layout writes it, e.g. `SEVERE` or `WARN`.
    pub fn from_word(word: &str) -> Option<Level> {
        Some(match word {
            "TRACE" | "FINEST" | "FINER" => Level::Trace,
            "DEBUG" | "FINE" | "CONFIG" => Level::Debug,
            "INFO" | "STATUS" | "NOTICE" | "ADVICE" => Level::Info,
            "WARN" | "WARNING" => Level::Warning,
            "ERROR" | "SEVERE" | "FATAL" => Level::Error,
            _ => return None,
        })
    }
}

/// The parsed start of a record: what one layout read from its first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head<'a> {
    /// The layout that recognised the line.
    pub layout: Layout,
    /// When the line was written, if the layout carries a time.
    pub timestamp: Option<Timestamp>,
    /// The thread (agent log) or source (`jvm 1`, `wrapper`) column; empty when absent.
    pub thread: &'a str,
    /// The normalised level.
    pub level: Level,
    /// The message, after all prefix columns.
    pub message: &'a str,
    /// True for java.util.logging's first line (`Sep 21, 2019 4:30:47 PM class method`),
    /// whose message follows on the next line.
    pub jul_header: bool,
}

impl<'a> Head<'a> {
    pub(crate) fn new(layout: Layout, thread: &'a str, level: Level, message: &'a str) -> Self {
        Head {
            layout,
            timestamp: None,
            thread,
            level,
            message,
            jul_header: false,
        }
    }
}

/// Recognises the start of a record in any layout, trying the most specific layouts first,
/// and splits every head into thread, level and message: the full reading, which tests and
/// fuzzing hold [`parse_start`] (what the analysis uses) to.
#[cfg(any(test, feature = "fuzzing"))]
pub fn parse_head(line: &str) -> Option<Head<'_>> {
    dispatch(line, legacy::parse)
}

/// Tries the layouts in turn, reading legacy agent-log lines with `legacy`.
fn dispatch<'l>(line: &'l str, legacy: fn(&'l str) -> Option<Head<'l>>) -> Option<Head<'l>> {
    let first = *line.as_bytes().first()?;
    if first.is_ascii_digit() {
        modern::parse(line)
            .or_else(|| wrapper::parse(line))
            .or_else(|| legacy(line))
    } else if first.is_ascii_whitespace() {
        None
    } else {
        tanuki::parse(line)
            .or_else(|| console::parse(line))
            .or_else(|| fragment::parse(line))
    }
}

/// [`parse_head`] as the search for where records start needs it: the same answer (a head or
/// none) with the same layout, time and java.util.logging header flag, and the same thread and
/// message wherever they decide whether the next line joins the record (the prefixed layouts).
/// An agent-log line's thread, level and message are not split out (that split costs more than
/// the rest of its parse, and no join depends on them): the thread is empty, the level `Info`
/// and the message the rest of the line.
pub fn parse_start(line: &str) -> Option<Head<'_>> {
    dispatch(line, legacy::parse_start)
}

/// Splits `thread TAG message` where TAG is a legacy level tag such as `SEVERE *** ERROR ***`.
///
/// Tolerates tags whose asterisks were lost or mangled in a paste (`SEVERE ERROR`,
/// `WARNING * WARNING`, `SEVERE **\* ERROR **_`). Returns `None` when no tag is present.
pub(crate) fn split_tagged(rest: &str) -> Option<(&str, Level, &str)> {
    // The first level word, at a word start, that a tag follows: one pass over the line,
    // stopping only at the words' capital first letters.
    const WORDS: [(&str, &str, Level); 3] = [
        ("SEVERE", "ERROR", Level::Error),
        ("WARNING", "WARNING", Level::Warning),
        ("DEBUG:", "", Level::Debug),
    ];
    let bytes = rest.as_bytes();
    for pos in memchr::memchr3_iter(b'S', b'W', b'D', bytes) {
        if pos > 0 && bytes[pos - 1] != b' ' {
            continue;
        }
        let Some((word, second, level)) = WORDS.iter().find(|w| bytes[pos] == w.0.as_bytes()[0])
        else {
            continue;
        };
        if !bytes[pos..].starts_with(word.as_bytes()) {
            continue;
        }
        if let Some(msg_at) = tag_end(rest, pos + word.len(), second) {
            return Some((rest[..pos].trim_end(), *level, &rest[msg_at..]));
        }
    }
    None
}

/// After a level word, skips the decoration and the second word; returns the message offset.
fn tag_end(rest: &str, mut i: usize, second: &str) -> Option<usize> {
    let b = rest.as_bytes();
    let decoration = |c: u8| matches!(c, b' ' | b'*' | b'\\' | b'_');
    if second.is_empty() {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        return Some(i);
    }
    while i < b.len() && decoration(b[i]) {
        i += 1;
    }
    if !rest[i..].starts_with(second) {
        return None;
    }
    i += second.len();
    if i < b.len() && !decoration(b[i]) {
        return None;
    }
    while i < b.len() && decoration(b[i]) {
        i += 1;
    }
    Some(i)
}

/// Where ASCII byte `b` first occurs in `s`. Line heads are short, and a plain loop finds a
/// byte in the first few dozen faster than `str::find(char)`, which sets up a general search.
pub(crate) fn byte_at(s: &str, b: u8) -> Option<usize> {
    debug_assert!(b.is_ascii());
    s.bytes().position(|c| c == b)
}

/// Splits an untagged legacy `thread message` line, knowing the thread names that hold spaces.
pub(crate) fn split_untagged(rest: &str) -> (&str, &str) {
    for prefix in ["Gobbling stderr: ", "Gobbling stdout: "] {
        if rest.starts_with(prefix) {
            if let Some(pos) = rest.find(" Gobbled: ") {
                return (&rest[..pos], &rest[pos + 1..]);
            }
        }
    }
    if let Some(tail) = rest.strip_prefix("File sync worker: ") {
        let end = "File sync worker: ".len() + byte_at(tail, b' ').unwrap_or(tail.len());
        return (&rest[..end], rest[end..].trim_start());
    }
    match byte_at(rest, b' ') {
        Some(pos) => (&rest[..pos], rest[pos..].trim_start()),
        None => (rest, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of every field-guide fixture, and each cut short at every byte of its first
    /// 40 (where the layouts' columns are).
    fn fixture_lines() -> Vec<String> {
        let mut lines = Vec::new();
        for text in crate::testutil::field_guide_texts() {
            for line in text.lines() {
                let ends = line.char_indices().map(|(i, _)| i).take_while(|&i| i <= 40);
                lines.extend(ends.map(|i| line[..i].to_string()));
                lines.push(line.to_string());
            }
        }
        lines
    }

    #[test]
    fn a_record_start_is_read_as_the_full_parse_reads_it() {
        let (mut legacy, mut others) = (0, 0);
        for line in fixture_lines() {
            let (full, start) = (parse_head(&line), parse_start(&line));
            let Some(full) = full else {
                assert_eq!(start, None, "{line}");
                continue;
            };
            let start = start.unwrap_or_else(|| panic!("no start: {line}"));
            let same = |h: &Head| (h.layout, h.timestamp, h.jul_header);
            assert_eq!(same(&start), same(&full), "{line}");
            if full.layout == Layout::Legacy {
                // The rest of the line, unsplit.
                assert!(start.message.ends_with(full.message), "{line}");
                legacy += 1;
            } else {
                assert_eq!(start, full, "{line}");
                others += 1;
            }
        }
        assert!(
            legacy > 100 && others > 100,
            "{legacy} legacy, {others} other heads"
        );
    }

    #[test]
    fn tags_in_every_pasted_variant() {
        let cases = [
            (
                "AutoUpgrade.3600 SEVERE *** ERROR *** Upgrade failed.",
                "AutoUpgrade.3600",
                Level::Error,
                "Upgrade failed.",
            ),
            (
                "StartupSequencer SEVERE ERROR SOAP Response: Status code=503",
                "StartupSequencer",
                Level::Error,
                "SOAP Response: Status code=503",
            ),
            (
                "RefreshMonitor.65 WARNING * WARNING OCSP revoke check",
                "RefreshMonitor.65",
                Level::Warning,
                "OCSP revoke check",
            ),
            ("X SEVERE **\\* ERROR **_ boom", "X", Level::Error, "boom"),
            (
                "SEVERE *** ERROR *** Aborting MID Server upgrade",
                "",
                Level::Error,
                "Aborting MID Server upgrade",
            ),
            (
                "ECCQueueMonitor.1 DEBUG: MIDSecPolicy: calculating",
                "ECCQueueMonitor.1",
                Level::Debug,
                "MIDSecPolicy: calculating",
            ),
            (
                "File sync worker: ecc_agent_jar WARNING *** WARNING *** Socket error",
                "File sync worker: ecc_agent_jar",
                Level::Warning,
                "Socket error",
            ),
        ];
        for (line, thread, level, message) in cases {
            assert_eq!(split_tagged(line), Some((thread, level, message)), "{line}");
        }
    }

    #[test]
    fn words_inside_a_message_are_not_tags() {
        assert_eq!(split_tagged("MIDServer Level SEVERELY degraded"), None);
        assert_eq!(split_tagged("MIDServer WARNINGS were printed"), None);
    }

    #[test]
    fn untagged_threads_with_spaces() {
        assert_eq!(
            split_untagged(
                "Gobbling stderr: /bin/sh -c bin/glide-dist-upgrade.sh start Gobbled: /bin/sh: x"
            ),
            (
                "Gobbling stderr: /bin/sh -c bin/glide-dist-upgrade.sh start",
                "Gobbled: /bin/sh: x"
            )
        );
        assert_eq!(
            split_untagged("StartupSequencer   Installed: [a.zip]"),
            ("StartupSequencer", "Installed: [a.zip]")
        );
    }
}
