//! Records: a head line plus the continuation lines (stack frames, `Caused by:`, wrapped text)
//! that belong to it.

#[cfg(any(test, feature = "fuzzing"))]
use crate::layout::parse_head;
use crate::layout::{parse_start, Head, Layout, Level};
#[cfg(any(test, feature = "fuzzing"))]
use crate::lines::numbered;
use crate::timestamp::Timestamp;

/// One log record, borrowing its text from the decoded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    /// Index of the file the record came from, in the order the files were given.
    pub file: usize,
    /// 1-based number of the record's first line in the original file.
    pub line: u32,
    /// 1-based number of the record's last line (equal to `line` for one-line records).
    pub end_line: u32,
    /// Byte offset of the first line in the decoded text.
    pub start: usize,
    /// Byte offset just past the last line (terminator excluded).
    pub end: usize,
    /// When the record was written, if its layout carries a time.
    pub timestamp: Option<Timestamp>,
    /// Thread or source column; empty when the layout has none.
    pub thread: &'a str,
    /// Normalised level.
    pub level: Level,
    /// The message of the first line (for java.util.logging pairs, of the level line).
    pub message: &'a str,
    /// The layout of the head line.
    pub layout: Layout,
}

/// How a line relates to the record before it.
enum Join {
    /// It starts a new record.
    New,
    /// It continues the record above.
    Extend,
    /// It is the level line of a java.util.logging pair whose header is the record above.
    JulLevel,
}

/// Splits `text` (file number `file`) into records: the reference the lazy, streaming record
/// parsing is checked against (tests and fuzzing).
#[cfg(any(test, feature = "fuzzing"))]
pub fn parse_records(file: usize, text: &str) -> Vec<Record<'_>> {
    let mut parser = Parser::new(file);
    for (n, at, line) in numbered(text) {
        parser.line(n, at, line);
    }
    parser.records
}

/// A record whose first line the parser has read, with the parser's state after that line.
#[derive(Debug)]
pub(crate) struct Opened<'a> {
    record: Record<'a>,
    pending_jul: bool,
}

impl Opened<'_> {
    /// Where its first line ends.
    pub(crate) fn head_end(&self) -> usize {
        self.record.end
    }

    /// The number of its first line.
    pub(crate) fn line(&self) -> u32 {
        self.record.line
    }
}

/// What [`Parser::line`] did with a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fed {
    /// A blank line outside any record.
    Skipped,
    /// The line joined the record above.
    Joined,
    /// The line started a new record (the last of [`Parser::records`]).
    Started,
}

/// Groups lines into records one line at a time. Started at a line that begins a record, it
/// gives the same records as a parse of the whole text from its first line.
pub(crate) struct Parser<'a> {
    file: usize,
    pending_jul: bool,
    /// How a line's head is read.
    head: fn(&str) -> Option<Head<'_>>,
    /// The records so far.
    pub(crate) records: Vec<Record<'a>>,
}

impl<'a> Parser<'a> {
    /// A parser of whole records: every head split into thread, level and message.
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn new(file: usize) -> Parser<'a> {
        Parser {
            head: parse_head,
            ..Parser::of_extents(file)
        }
    }

    /// A parser of where records start and end, and when: the same records as
    /// [`Parser::new`]'s, except that an agent-log record's thread, level and message are not
    /// split out (see [`crate::layout::parse_start`]).
    pub(crate) fn of_extents(file: usize) -> Parser<'a> {
        Parser {
            file,
            pending_jul: false,
            head: parse_start,
            records: Vec::new(),
        }
    }

    /// Forgets every record, as if the next line were the first of the text.
    pub(crate) fn reset(&mut self) {
        self.pending_jul = false;
        self.records.clear();
    }

    /// Removes the last record, which has only its first line so far, to go on with later
    /// ([`Parser::resume`]).
    pub(crate) fn take_last(&mut self) -> Option<Opened<'a>> {
        let record = self.records.pop()?;
        Some(Opened {
            record,
            pending_jul: std::mem::take(&mut self.pending_jul),
        })
    }

    /// Forgets every record and goes on from a record taken with [`Parser::take_last`]: the
    /// next line is the one after its first.
    pub(crate) fn resume(&mut self, opened: Opened<'a>) {
        self.records.clear();
        self.records.push(opened.record);
        self.pending_jul = opened.pending_jul;
    }

    /// Takes line `n` of the text, starting at byte `at`.
    pub(crate) fn line(&mut self, n: u32, at: usize, line: &'a str) -> Fed {
        let head = (self.head)(line);
        // A java.util.logging level line follows its header directly; any other line ends the
        // wait (as the streaming analyzer's record-start test assumes).
        let after_header = std::mem::take(&mut self.pending_jul);
        if head.is_none() && line.trim().is_empty() {
            return Fed::Skipped;
        }
        let prefixed =
            |h: &Head| matches!(h.layout, Layout::Tanuki | Layout::Wrapper | Layout::Console);
        let join = match (&head, self.records.last()) {
            (_, None) => Join::New,
            // Only a java.util.logging level line or a prefixed frame line joins a record of
            // its own layout and thread (the cheap tests first: most lines are neither).
            (Some(h), Some(prev))
                if (after_header || prefixed(h))
                    && h.layout == prev.layout
                    && h.thread == prev.thread =>
            {
                if after_header {
                    Join::JulLevel
                } else if prefixed(h) && is_frame_line(h.message) {
                    Join::Extend
                } else {
                    Join::New
                }
            }
            (Some(_), Some(_)) => Join::New,
            (None, Some(prev)) if prev.layout != Layout::Plain || is_stack_line(line) => {
                Join::Extend
            }
            (None, Some(_)) => Join::New,
        };
        let end = at + line.len();
        match (join, head, self.records.last_mut()) {
            (Join::JulLevel, Some(h), Some(prev)) => {
                // java.util.logging's second line carries the level and message of the pair.
                prev.level = h.level;
                prev.message = h.message;
                extend(prev, n, end);
                Fed::Joined
            }
            (Join::Extend, _, Some(prev)) => {
                extend(prev, n, end);
                Fed::Joined
            }
            (_, Some(h), _) => {
                self.pending_jul = h.jul_header;
                self.records.push(new_record(self.file, n, at, end, h));
                Fed::Started
            }
            (_, None, _) => {
                self.records.push(plain(self.file, n, at, end, line));
                Fed::Started
            }
        }
    }
}

fn new_record<'a>(
    file: usize,
    n: u32,
    at: usize,
    end: usize,
    h: crate::layout::Head<'a>,
) -> Record<'a> {
    Record {
        file,
        line: n,
        end_line: n,
        start: at,
        end,
        timestamp: h.timestamp,
        thread: h.thread,
        level: h.level,
        message: h.message,
        layout: h.layout,
    }
}

fn plain(file: usize, n: u32, at: usize, end: usize, line: &str) -> Record<'_> {
    Record {
        file,
        line: n,
        end_line: n,
        start: at,
        end,
        timestamp: None,
        thread: "",
        level: Level::Info,
        message: line.trim(),
        layout: Layout::Plain,
    }
}

fn extend(rec: &mut Record<'_>, n: u32, end: usize) {
    rec.end_line = n;
    rec.end = end;
}

/// Stack frames, `Caused by:`, `... 12 more`, indented lines and exception lines continue the
/// record above.
pub fn is_stack_line(line: &str) -> bool {
    is_frame_line(line) || is_exception_line(line)
}

/// Stack frames, `Caused by:`, `... 12 more` and indented lines. In layouts that prefix every
/// line (the upgrade log, wrapper.log) only these join the record above: an exception line
/// there is printed as a record of its own.
pub(crate) fn is_frame_line(line: &str) -> bool {
    line.starts_with([' ', '\t'])
        || line.starts_with("at ")
        || line.starts_with("Caused by:")
        || line.starts_with("Suppressed:")
        || line.starts_with("... ")
}

/// `java.lang.IllegalStateException: ...` or `com.snc.automation_common...AutomationIOException: ...`.
fn is_exception_line(line: &str) -> bool {
    let name = line.split([':', ' ']).next().unwrap_or("");
    name.contains('.')
        && name.as_bytes()[0].is_ascii_lowercase()
        && (name.ends_with("Exception") || name.ends_with("Error") || name.ends_with("Throwable"))
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'$'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_lines_join_the_record_above() {
        let text = "02/06/19 19:30:12 (059) StartupSequencer SEVERE *** ERROR *** test failure\n\
java.lang.IllegalStateException: Unable to connect to instance.\n\
at com.service_now.mid.services.StartupSequencer.runTests(StartupSequencer.java:328)\n\
\n\
02/06/19 19:31:22 (062) StartupSequencer WARNING *** WARNING *** java.net.SocketTimeoutException: connect timed out\n\
(Network Configuration issue) Please check that the MID server can ping the instance\n";
        let recs = parse_records(0, text);
        assert_eq!(recs.len(), 2);
        assert_eq!((recs[0].line, recs[0].end_line), (1, 3));
        assert_eq!(recs[0].message, "test failure");
        assert!(text[recs[0].start..recs[0].end].ends_with("(StartupSequencer.java:328)"));
        assert_eq!((recs[1].line, recs[1].end_line), (5, 6));
        assert_eq!(recs[1].level, Level::Warning);
    }

    #[test]
    fn modern_stack_trace_with_tabs() {
        let text = "2026-06-03T09:46:18.201-0400 ERROR (MIDServer) [Bootstrapper:57] terminating due to fatal error\r\n\
java.lang.UnsupportedOperationException: The Security Manager is deprecated\r\n\
\tat java.base/java.lang.System.setSecurityManager(System.java:430)\r\n\
\t...\r\n\
2026-06-03T09:46:18.204-0400 INFO  (MIDServer) [Bootstrapper:60] the ServiceNow MID Server is now terminated\r\n";
        let recs = parse_records(3, text);
        assert_eq!(recs.len(), 2);
        assert_eq!((recs[0].file, recs[0].line, recs[0].end_line), (3, 1, 4));
        assert_eq!(recs[1].line, 5);
    }

    #[test]
    fn jul_pairs_become_one_record() {
        let text = "INFO   | jvm 1    | 2019/09/21 16:30:47.802 | Sep 21, 2019 4:30:47 PM com.snc.dist.mid_upgrade.UpgradeMain deleteJreDirIfSourced\n\
INFO   | jvm 1    | 2019/09/21 16:30:47.817 | WARNING: java.io.IOException: Unable to delete directory C:\\ServiceNow\\agent\\jre\\bin.\n\
INFO   | jvm 1    | 2019/09/21 16:30:47.833 | java.io.IOException: Unable to delete directory C:\\ServiceNow\\agent\\jre\\bin.\n\
INFO   | jvm 1    | 2019/09/21 16:30:47.840 | \tat com.snc.dist.mid_upgrade.UpgradeMain.run(UpgradeMain.java:10)\n";
        let recs = parse_records(0, text);
        assert_eq!(recs.len(), 2, "{recs:#?}");
        assert_eq!(
            (recs[0].line, recs[0].end_line, recs[0].level),
            (1, 2, Level::Warning)
        );
        assert!(recs[0]
            .message
            .starts_with("java.io.IOException: Unable to delete directory"));
        assert_eq!((recs[1].line, recs[1].end_line), (3, 4));
    }

    #[test]
    fn plain_text_lines_stay_separate_records() {
        let text =
            "The MID Server was unable to download\nUser is unable to authenticate\n  at x\n";
        let recs = parse_records(0, text);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[1].layout, Layout::Plain);
        assert_eq!((recs[1].line, recs[1].end_line), (2, 3));
    }

    #[test]
    fn pasted_fragments_with_lost_stars() {
        let text = "AutoUpgrade.3600 Performing pre-upgrade validation tests.\n\
AutoUpgrade.3600 WARNING * WARNING Method failed: ( null with code: 0\n\
StartupSequencer SEVERE ERROR SOAP Response: Status code=503\n";
        let recs = parse_records(0, text);
        let levels: Vec<_> = recs.iter().map(|r| r.level).collect();
        assert_eq!(levels, [Level::Info, Level::Warning, Level::Error]);
        assert!(recs
            .iter()
            .all(|r| r.layout == Layout::Fragment && r.timestamp.is_none()));
    }

    #[test]
    fn line_numbers_follow_crlf_and_lone_cr() {
        let text = "2019/12/15 00:33:17 | a\r2019/12/15 00:33:18 | b\r\n2019/12/15 00:33:19 | c";
        let recs = parse_records(0, text);
        assert_eq!(recs.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(recs[2].message, "c");
    }
}
