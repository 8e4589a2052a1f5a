//! Console output of start.bat / mid.bat, Tanuki format PM: `wrapper  | message`.

use super::{tanuki, Head, Layout, Level};

/// Parses one console line such as `wrapper  | Starting the ServiceNow MID Server service...`.
pub fn parse(line: &str) -> Option<Head<'_>> {
    // Every source starts the line: other lines are given up without a search for the bar.
    if !line.starts_with("wrapper") && !line.starts_with("jvm ") {
        return None;
    }
    let (source, message) = line.split_once('|')?;
    let source = source.trim_end();
    if !tanuki::is_source(source) {
        return None;
    }
    let message = message.strip_prefix(' ').unwrap_or(message);
    let mut head = Head::new(Layout::Console, source, Level::Info, message);
    tanuki::apply_jul(&mut head);
    Some(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_lines() {
        let h = parse(
            "wrapper  | The ServiceNow MID Server service was launched, but failed to start.",
        )
        .unwrap();
        assert_eq!(
            (h.thread, h.message),
            (
                "wrapper",
                "The ServiceNow MID Server service was launched, but failed to start."
            )
        );
        assert!(parse("C:\\kingston\\agent>bin\\mid.bat start").is_none());
        assert!(parse("javax.net.ssl|ERROR|52|x").is_none());
    }
}
