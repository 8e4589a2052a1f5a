//! The agent log before about Tokyo: `MM/dd/yy HH:mm:ss (NNN) thread [TAG] message`.

#[cfg(any(test, feature = "fuzzing"))]
use super::{split_tagged, split_untagged};
use super::{Head, Layout, Level};
use crate::timestamp::{digits, Timestamp};

/// Parses one legacy agent-log line, e.g.
/// `10/22/18 17:56:13 (898) AutoUpgrade.3600 SEVERE *** ERROR *** Aborting ...`.
#[cfg(any(test, feature = "fuzzing"))]
pub fn parse(line: &str) -> Option<Head<'_>> {
    let (ts, rest) = stamp(line)?;
    if let Some(head) = container_upgrade(ts, rest) {
        return Some(head);
    }
    let rest = rest.trim_start();
    let (thread, level, message) = split_tagged(rest).unwrap_or_else(|| {
        let (thread, message) = split_untagged(rest);
        (thread, Level::Info, message)
    });
    let mut head = Head::new(Layout::Legacy, thread, level, message);
    head.timestamp = Some(ts);
    Some(head)
}

/// [`parse`] without splitting the thread, level and message: the same answer and time, with
/// the whole rest of the line as the message (see [`super::parse_start`]).
pub fn parse_start(line: &str) -> Option<Head<'_>> {
    let (ts, rest) = stamp(line)?;
    if let Some(head) = container_upgrade(ts, rest) {
        return Some(head);
    }
    let mut head = Head::new(Layout::Legacy, "", Level::Info, rest);
    head.timestamp = Some(ts);
    Some(head)
}

/// The upgrade service's log as container images write it (`dist_upgrade.log.N`): the agent
/// log's time, then `  |  LEVEL  |  message`. Read as the upgrade service's layout.
fn container_upgrade(ts: Timestamp, rest: &str) -> Option<Head<'_>> {
    let rest = rest.trim_start().strip_prefix('|')?;
    let (level, message) = rest.split_once('|')?;
    let level = Level::from_word(level.trim())?;
    let mut head = Head::new(Layout::Tanuki, "", level, message.trim_start());
    head.timestamp = Some(ts);
    Some(head)
}

/// The line's time and what follows it, when the line starts as a legacy line does.
fn stamp(line: &str) -> Option<(Timestamp, &str)> {
    let b = line.as_bytes();
    if b.len() < 22 || b[2] != b'/' || b[5] != b'/' || b[8] != b' ' || b[11] != b':' {
        return None;
    }
    if b[14] != b':' || b[17] != b' ' || b[18] != b'(' {
        return None;
    }
    let close = 19 + b[19..b.len().min(26)].iter().position(|&c| c == b')')?;
    let millis = digits(&b[19..], close - 19)?;
    let ts = Timestamp::new(
        2000 + digits(&b[6..], 2)? as u16,
        digits(b, 2)? as u8,
        digits(&b[3..], 2)? as u8,
        digits(&b[9..], 2)? as u8,
        digits(&b[12..], 2)? as u8,
        digits(&b[15..], 2)? as u8,
    )?
    .with_millis(millis.min(999) as u16);
    Some((ts, &line[close + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// bmoers/docker-mid-server issue #24 quotes these lines of `dist_upgrade.log.0`.
    #[test]
    fn the_container_upgrade_log_is_the_upgrade_service_layout() {
        let line = "09/05/22 08:34:34 (936)  |  INFO  |  /opt/agent/lib/log4j-core.jar cannot be deleted: /opt/agent/lib/log4j-core.jar (Permission denied)";
        for h in [parse(line).unwrap(), parse_start(line).unwrap()] {
            assert_eq!((h.layout, h.level), (Layout::Tanuki, Level::Info));
            assert!(h
                .message
                .starts_with("/opt/agent/lib/log4j-core.jar cannot"));
            assert_eq!(h.timestamp.unwrap().to_string(), "2022-09-05 08:34:34.936");
        }
        // A thread named like a bar is not this layout.
        let h = parse_start("09/05/22 08:34:34 (936) | x").unwrap();
        assert_eq!(h.layout, Layout::Legacy);
    }

    #[test]
    fn tagged_line() {
        let h = parse("10/22/18 17:56:13 (898) AutoUpgrade.3600 SEVERE *** ERROR *** Aborting MID Server upgrade due to pre-upgrade check failure: Service snc_mid_kingston1 does not exist").unwrap();
        assert_eq!(h.thread, "AutoUpgrade.3600");
        assert_eq!(h.level, Level::Error);
        assert!(h.message.starts_with("Aborting MID Server upgrade"));
        assert_eq!(h.timestamp.unwrap().to_string(), "2018-10-22 17:56:13.898");
    }

    #[test]
    fn untagged_line_is_info() {
        let h = parse("12/15/19 00:33:18 (650) WrapperListener_stop_runner Stopping MID server")
            .unwrap();
        assert_eq!(
            (h.thread, h.level, h.message),
            (
                "WrapperListener_stop_runner",
                Level::Info,
                "Stopping MID server"
            )
        );
    }

    #[test]
    fn thread_names_with_spaces_and_colons() {
        let h = parse("02/14/23 18:38:37 (328) Worker-Expedited:MIDWorker-02aad4091b01e190d41b65fa234bcb18 Worker starting: RESTProbe source: https://a.b.com/x?x=z").unwrap();
        assert_eq!(
            h.thread,
            "Worker-Expedited:MIDWorker-02aad4091b01e190d41b65fa234bcb18"
        );
        assert_eq!(
            h.message,
            "Worker starting: RESTProbe source: https://a.b.com/x?x=z"
        );
        let h = parse("11/02/19 19:07:59 (301) Gobbling stderr: cmd.exe /C bin\\glide-dist-upgrade.bat start Gobbled: ERROR | wrapperm | 2019/11/02 19:07:59 | The service is already started").unwrap();
        assert_eq!(
            h.thread,
            "Gobbling stderr: cmd.exe /C bin\\glide-dist-upgrade.bat start"
        );
        assert!(h.message.starts_with("Gobbled: ERROR | wrapperm"));
        let h = parse("08/23/21 06:50:40 (816) File sync worker: ecc_agent_jar WARNING *** WARNING *** Socket error").unwrap();
        assert_eq!(
            (h.thread, h.level),
            ("File sync worker: ecc_agent_jar", Level::Warning)
        );
    }

    #[test]
    fn not_legacy() {
        assert!(parse("2019/12/15 00:33:17 | Machine is shutting down.").is_none());
        assert!(parse("13/45/19 00:33:18 (649) X y").is_none());
        assert!(parse("12/15/19 00:33:18 649 X y").is_none());
    }
}
