//! The main wrapper.log, Tanuki format TM: `yyyy/MM/dd HH:mm:ss | message`.

use super::{Head, Layout, Level};
use crate::timestamp::ymd_hms;

/// Parses one wrapper.log line. The layout has no level column, so every record is `Info`.
pub fn parse(line: &str) -> Option<Head<'_>> {
    let b = line.as_bytes();
    let ts = ymd_hms(b, b'/', b' ')?;
    let rest = line.get(19..)?.strip_prefix(" |")?;
    let message = rest.strip_prefix(' ').unwrap_or(rest);
    let mut head = Head::new(Layout::Wrapper, "", Level::Info, message);
    head.timestamp = Some(ts);
    Some(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_and_empty_message() {
        let h = parse(
            "2019/12/15 00:37:34 | Startup failed: Timed out waiting for a signal from the JVM.",
        )
        .unwrap();
        assert_eq!(
            h.message,
            "Startup failed: Timed out waiting for a signal from the JVM."
        );
        assert_eq!(h.timestamp.unwrap().to_string(), "2019-12-15 00:37:34.000");
        assert_eq!(parse("2019/12/15 00:35:34 | ").unwrap().message, "");
        assert_eq!(parse("2019/12/15 00:35:34 |").unwrap().message, "");
        assert!(parse("2019/12/15 00:35:34 x").is_none());
    }
}
