//! The upgrade service log (glide-dist-upgrade.log), Tanuki format LPTM:
//! `INFO   | jvm 1    | 2019/09/21 16:30:47.114 | message`, padded or collapsed.
//!
//! Inside the `jvm` column the upgrader writes java.util.logging records: a header line
//! (`Sep 21, 2019 4:30:47 PM class method`) and then `LEVEL: message`.

use super::{byte_at, Head, Layout, Level};
use crate::timestamp::{digits, ymd_hms};

/// Parses one upgrade-service line.
pub fn parse(line: &str) -> Option<Head<'_>> {
    let (level, bar) = level_column(line)?;
    let rest = &line[bar + 1..];
    let bar2 = byte_at(rest, b'|')?;
    let source = rest[..bar2].trim();
    if !is_source(source) {
        return None;
    }
    let after = rest[bar2 + 1..].trim_start();
    let (timestamp, message) = match ymd_hms(after.as_bytes(), b'/', b' ') {
        Some(mut ts) => {
            let mut i = 19;
            if after.as_bytes().get(19) == Some(&b'.') {
                ts = ts.with_millis(digits(&after.as_bytes()[20..], 3)? as u16);
                i = 23;
            }
            let tail = after[i..].trim_start().strip_prefix('|')?;
            (Some(ts), tail.strip_prefix(' ').unwrap_or(tail))
        }
        None => (None, after),
    };
    let mut head = Head::new(Layout::Tanuki, source, level, message);
    head.timestamp = timestamp;
    apply_jul(&mut head);
    Some(head)
}

/// The level column: a level word, padded with blanks up to the line's first bar; gives the
/// level and where the bar is. Read from the line's start, so that a line of another layout is
/// given up within a few bytes.
fn level_column(line: &str) -> Option<(Level, usize)> {
    let word = line.bytes().take_while(u8::is_ascii_uppercase).count();
    let level = Level::from_word(&line[..word])?;
    let bar = word + line[word..].find(|c: char| !c.is_whitespace())?;
    (line.as_bytes()[bar] == b'|').then_some((level, bar))
}

/// The Tanuki source column: `wrapper`, `wrapperm`, `wrapperp` or `jvm N`.
pub(crate) fn is_source(s: &str) -> bool {
    matches!(s, "wrapper" | "wrapperm" | "wrapperp")
        || s.strip_prefix("jvm ")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
}

/// Reads java.util.logging's level prefix or header line inside a JVM message.
pub(crate) fn apply_jul(head: &mut Head<'_>) {
    // `SEVERE: message`, and `SEVERE:message` as KB0596459 quotes it.
    if let Some((word, msg)) = head.message.split_once(':') {
        if word.len() <= 7 && word.bytes().all(|c| c.is_ascii_uppercase()) {
            if let Some(level) = Level::from_word(word) {
                head.level = level;
                head.message = msg.trim_start();
                return;
            }
        }
    }
    head.jul_header = is_jul_header(head.message);
}

/// `Sep 21, 2019 4:30:47 PM com.snc.dist.mid_upgrade.UpgradeMain deleteJreDirIfSourced`.
fn is_jul_header(m: &str) -> bool {
    let mut parts = m.split(' ');
    let month = parts.next().unwrap_or("");
    let day = parts.next().unwrap_or("");
    let year = parts.next().unwrap_or("");
    let time = parts.next().unwrap_or("");
    let ampm = parts.next().unwrap_or("");
    month.len() == 3
        && month.as_bytes()[0].is_ascii_uppercase()
        && day.ends_with(',')
        && year.len() == 4
        && year.bytes().all(|c| c.is_ascii_digit())
        && time.matches(':').count() == 2
        && matches!(ampm, "AM" | "PM")
        && parts.next().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_column_is_the_level_word_before_the_first_bar() {
        // What it replaced: the first bar anywhere in the line, then the word before it.
        let reference = |line: &str| {
            let bar = byte_at(line, b'|')?;
            Some((Level::from_word(line[..bar].trim_end())?, bar))
        };
        let lines = [
            "INFO   | jvm 1    | 2019/09/21 16:30:47.114 | x",
            "STATUS | wrapper  | y",
            "ERROR\t|x",
            "WARN \u{a0}| x",
            "INFO",
            "INFO   ",
            "INFOX | x",
            "INFO: a | b",
            " INFO | x",
            "info | x",
            "|INFO|",
            "SEVERE|",
            "at com.snc.Foo(Foo.java:1) | INFO | x",
            "ÉRROR | x",
            "",
        ];
        for line in lines {
            assert_eq!(level_column(line), reference(line), "{line:?}");
        }
    }

    #[test]
    fn padded_and_collapsed_columns() {
        let h = parse("INFO   | jvm 1    | 2019/09/21 16:30:47.817 | WARNING: java.io.IOException: Unable to delete directory C:\\ServiceNow\\agent\\jre\\bin.").unwrap();
        assert_eq!((h.thread, h.level), ("jvm 1", Level::Warning));
        assert_eq!(
            h.message,
            "java.io.IOException: Unable to delete directory C:\\ServiceNow\\agent\\jre\\bin."
        );
        assert_eq!(h.timestamp.unwrap().to_string(), "2019-09-21 16:30:47.817");
        let h = parse("INFO | jvm 1 | 2018/04/27 17:12:19.232 | SEVERE: com.snc.dist.mid_upgrade.UpgradeException: x").unwrap();
        assert_eq!(
            (h.level, h.message),
            (Level::Error, "com.snc.dist.mid_upgrade.UpgradeException: x")
        );
        let h = parse("INFO | jvm 1 | 2018/04/27 17:12:19.232 | SEVERE:com.snc.dist.mid_upgrade.UpgradeExecption: x").unwrap();
        assert_eq!(
            (h.level, h.message),
            (Level::Error, "com.snc.dist.mid_upgrade.UpgradeExecption: x")
        );
        let h = parse("ERROR | wrapperm | 2019/11/02 19:07:59 | The service is already started")
            .unwrap();
        assert_eq!((h.thread, h.level), ("wrapperm", Level::Error));
    }

    #[test]
    fn jul_header_line() {
        let h = parse("INFO   | jvm 1    | 2019/09/21 16:30:47.114 | Sep 21, 2019 4:30:47 PM com.snc.dist.mid_upgrade.UpgradeMain deleteJreDirIfSourced").unwrap();
        assert!(h.jul_header);
        assert_eq!(h.level, Level::Info);
    }

    #[test]
    fn not_tanuki() {
        assert!(parse("2019/12/15 00:33:17 | Machine is shutting down.").is_none());
        assert!(parse("javax.net.ssl|ERROR|52|StartupSequencer|2021-08-23").is_none());
        assert!(parse("INFO | somewhere | 2019/09/21 16:30:47 | x").is_none());
    }
}
