//! The agent log from about Tokyo: `2026-06-03T09:46:18.163-0400 INFO  (thread) [Class:line] message`.

use super::{byte_at, Head, Layout, Level};
use crate::timestamp::{digits, ymd_hms};

/// Parses one modern agent-log line.
pub fn parse(line: &str) -> Option<Head<'_>> {
    let b = line.as_bytes();
    let mut ts = ymd_hms(b, b'-', b'T')?;
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        let n = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let ms = digits(&b[i + 1..], n.min(3))?;
        ts = ts.with_millis((ms * 10u32.pow(3 - n.min(3) as u32)) as u16);
        i += 1 + n;
    }
    match b.get(i) {
        Some(b'Z') => {
            ts.offset_minutes = Some(0);
            i += 1;
        }
        Some(&sign @ (b'+' | b'-')) => {
            let colon = usize::from(b.get(i + 3) == Some(&b':'));
            let h = digits(&b[i + 1..], 2)? as i16;
            let m = digits(&b[i + 3 + colon..], 2)? as i16;
            let off = h * 60 + m;
            ts.offset_minutes = Some(if sign == b'-' { -off } else { off });
            i += 5 + colon;
        }
        _ => {}
    }
    if b.get(i) != Some(&b' ') {
        return None;
    }
    let mut head = parse_tail(&line[i + 1..])?;
    head.timestamp = Some(ts);
    Some(head)
}

/// Parses what follows the timestamp: `LEVEL (thread) [Class:line] message`.
///
/// Also used for pasted modern lines that lost their timestamp.
pub fn parse_tail(rest: &str) -> Option<Head<'_>> {
    let word_end = byte_at(rest, b' ')?;
    let level = Level::from_word(&rest[..word_end])?;
    let after = rest[word_end..].trim_start();
    let inner = after.strip_prefix('(')?;
    let close = byte_at(inner, b')')?;
    let thread = &inner[..close];
    let mut message = inner[close + 1..].trim_start();
    if let Some(class) = message.strip_prefix('[') {
        if let Some(end) = byte_at(class, b']') {
            message = class[end + 1..].trim_start();
        }
    }
    Some(Head::new(Layout::Modern, thread, level, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_levels_and_offsets() {
        let h = parse("2026-06-03T09:46:18.201-0400 ERROR (MIDServer) [Bootstrapper:57] terminating due to fatal error").unwrap();
        assert_eq!(
            (h.thread, h.level, h.message),
            ("MIDServer", Level::Error, "terminating due to fatal error")
        );
        assert_eq!(
            h.timestamp.unwrap().to_string(),
            "2026-06-03 09:46:18.201 -0400"
        );
        let h = parse(
            "2026-06-03T09:46:18.163-0400 INFO  (MIDServer) [Main:292] Initializing MID Server",
        )
        .unwrap();
        assert_eq!(
            (h.level, h.message),
            (Level::Info, "Initializing MID Server")
        );
        let h = parse("2022-11-17T02:49:13.201-0800 DEBUG (FileCleanerMonitor.21600) [AFileCleaner:103] Scanning").unwrap();
        assert_eq!(
            (h.thread, h.level),
            ("FileCleanerMonitor.21600", Level::Debug)
        );
    }

    #[test]
    fn tolerates_z_and_colon_offsets() {
        assert_eq!(
            parse("2026-06-03T09:46:18Z WARN (X) m")
                .unwrap()
                .timestamp
                .unwrap()
                .offset_minutes,
            Some(0)
        );
        assert_eq!(
            parse("2026-06-03T09:46:18.5+05:30 WARN (X) m")
                .unwrap()
                .timestamp
                .unwrap()
                .offset_minutes,
            Some(330)
        );
    }

    #[test]
    fn tail_without_timestamp() {
        let h = parse_tail("WARN (SignatureValidationMonitor.1200) [GlideSSLProtocolSocketFactory:509] OCSP revoke check IOException").unwrap();
        assert_eq!(h.thread, "SignatureValidationMonitor.1200");
        assert_eq!(h.message, "OCSP revoke check IOException");
        assert!(parse_tail("Please (read) this").is_none());
    }
}
