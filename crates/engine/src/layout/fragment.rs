//! Agent-log lines pasted without their timestamp, as KB articles and users quote them:
//! `AutoUpgrade.3600 SEVERE *** ERROR *** ...`, `SEVERE *** ERROR *** ...`,
//! `WARN (Thread) [Class:1] ...`, `SEVERE: com.snc...` or `AutoUpgrade.3600 Performing ...`.

use super::{modern, split_tagged, split_untagged, Head, Layout, Level};

/// Thread names that start untagged (INFO) agent-log lines.
const KNOWN_THREADS: &[&str] = &[
    "StartupSequencer",
    "MIDServer",
    "WrapperListener_stop_runner",
    "WrapperListener_start_runner",
    "Gobbling",
    "File",
];

/// Parses one timestamp-less agent-log line, or `None` for ordinary text.
pub fn parse(line: &str) -> Option<Head<'_>> {
    if let Some((thread, level, message)) = split_tagged(line) {
        if thread.len() <= 100 && !thread.contains('|') && looks_like_thread(thread) {
            return Some(Head::new(Layout::Fragment, thread, level, message));
        }
    }
    if let Some(mut head) = modern::parse_tail(line) {
        head.layout = Layout::Fragment;
        return Some(head);
    }
    // `SEVERE: message`: the line's first ": " right after the level word.
    for word in ["SEVERE", "WARNING", "INFO"] {
        if let Some(message) = line.strip_prefix(word).and_then(|m| m.strip_prefix(": ")) {
            let level = Level::from_word(word)?;
            return Some(Head::new(Layout::Fragment, "", level, message));
        }
    }
    let first = line.split(' ').next().unwrap_or("");
    if KNOWN_THREADS.contains(&first) || is_numbered_thread(first) {
        let (thread, message) = split_untagged(line);
        if thread == "File" && !line.starts_with("File sync worker: ") {
            return None;
        }
        if thread == "Gobbling" {
            return None;
        }
        return Some(Head::new(Layout::Fragment, thread, Level::Info, message));
    }
    None
}

/// A thread field is empty (a bare tag), or a single token, or a known name with spaces.
fn looks_like_thread(t: &str) -> bool {
    t.is_empty()
        || !t.contains(' ')
        || t.starts_with("File sync worker: ")
        || t.starts_with("Gobbling std")
}

/// Monitor threads carry their interval: `AutoUpgrade.3600`, `ECCSender.1`, `EventBulkSenderThread-1`,
/// and worker threads their queue: `Worker-Expedited:MIDWorker-<sys_id>`.
fn is_numbered_thread(t: &str) -> bool {
    if t.starts_with("Worker-") && t.contains(":MIDWorker-") {
        return true;
    }
    let Some(pos) = t.rfind(['.', '-']) else {
        return false;
    };
    let (name, num) = (&t[..pos], &t[pos + 1..]);
    name.len() >= 3
        && name.as_bytes()[0].is_ascii_uppercase()
        && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
        && !num.is_empty()
        && num.bytes().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_kbs_quote() {
        let h = parse("AutoUpgrade.3600 SEVERE *** ERROR *** Upgrade failed.").unwrap();
        assert_eq!(
            (h.thread, h.level, h.message),
            ("AutoUpgrade.3600", Level::Error, "Upgrade failed.")
        );
        let h = parse("AutoUpgrade.3600 Performing pre-upgrade validation tests.").unwrap();
        assert_eq!(
            (h.thread, h.level, h.message),
            (
                "AutoUpgrade.3600",
                Level::Info,
                "Performing pre-upgrade validation tests."
            )
        );
        let h = parse("StartupSequencer   Downloaded: [a.zip]").unwrap();
        assert_eq!(h.message, "Downloaded: [a.zip]");
        let h = parse("SEVERE *** ERROR *** Aborting MID Server upgrade").unwrap();
        assert_eq!((h.thread, h.level), ("", Level::Error));
        let h = parse("SEVERE: com.snc.dist.mid_upgrade.UpgradeException: boom").unwrap();
        assert_eq!(h.level, Level::Error);
        let h = parse("Gobbling stderr: /bin/sh -c bin/glide-dist-upgrade.sh start Gobbled: /bin/sh: bin/glide-dist-upgrade.sh: Permission denied").unwrap();
        assert_eq!(
            h.thread,
            "Gobbling stderr: /bin/sh -c bin/glide-dist-upgrade.sh start"
        );
        assert!(
            parse("File sync worker: ecc_agent_jar WARNING *** WARNING *** Socket error").is_some()
        );
        assert!(parse("WARN (SignatureValidationMonitor.1200) [X:509] OCSP").is_some());
    }

    #[test]
    fn prose_and_stack_lines_are_not_fragments() {
        for line in [
            "java.lang.IllegalStateException: Unable to connect to instance.",
            "Please check that the MID server can ping the instance",
            "(Network Configuration issue) Please check",
            "File not found anywhere",
            "Caused by: java.io.FileNotFoundException: x",
            "You may also need to configure the network",
        ] {
            assert!(parse(line).is_none(), "{line}");
        }
    }
}
