//! What kind of file this is, from its first lines (and its name when the lines don't say).

use std::fmt;
use std::str::FromStr;

use crate::layout::{parse_start, Layout};
use crate::lines::numbered;

/// The kinds of file midtriage reads.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// The agent log, `agent0.log.N`, legacy or modern layout.
    Agent,
    /// The service wrapper's log, `wrapper.log`, or console output of start.bat.
    Wrapper,
    /// The upgrade service's log, `glide-dist-upgrade.log` (Tanuki LPTM layout).
    Upgrade,
    /// The MID Server's `config.xml`.
    Config,
    /// Anything else: text in no known layout.
    Unknown,
}

impl FileKind {
    /// Every kind, in a stable order.
    pub const ALL: [FileKind; 5] = [
        FileKind::Agent,
        FileKind::Wrapper,
        FileKind::Upgrade,
        FileKind::Config,
        FileKind::Unknown,
    ];

    /// The name used in rules files, the CLI and JSON: `agent`, `wrapper`, ...
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Agent => "agent",
            FileKind::Wrapper => "wrapper",
            FileKind::Upgrade => "upgrade",
            FileKind::Config => "config",
            FileKind::Unknown => "unknown",
        }
    }

    /// A human label, e.g. `agent log`.
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Agent => "agent log",
            FileKind::Wrapper => "wrapper log",
            FileKind::Upgrade => "upgrade log",
            FileKind::Config => "config.xml",
            FileKind::Unknown => "unrecognised text",
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FileKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        FileKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                format!(
                    "unknown file kind `{s}` (expected agent, wrapper, upgrade, config or unknown)"
                )
            })
    }
}

/// How many leading lines detection looks at.
pub(crate) const PROBE_LINES: usize = 200;

/// Detects the kind of the file `name` from its first lines; the name decides only when the
/// content does not.
pub fn detect(name: &str, text: &str) -> FileKind {
    let mut counts = [0usize; 3];
    for (_, _, line) in numbered(text).take(PROBE_LINES) {
        let trimmed = line.trim_start();
        if counts == [0; 3] && (trimmed.starts_with("<?xml") || trimmed.starts_with("<parameters"))
        {
            return FileKind::Config;
        }
        if let Some(head) = parse_start(line) {
            let slot = match head.layout {
                Layout::Legacy | Layout::Modern | Layout::Fragment => 0,
                Layout::Wrapper | Layout::Console => 1,
                Layout::Tanuki => 2,
                Layout::Plain => continue,
            };
            counts[slot] += 1;
        }
    }
    // The upgrade service's log is appended to wrapper.log after an upgrade, so any wrapper
    // line makes it a wrapper log; a pure glide-dist-upgrade.log has none.
    let [agent, wrapper, upgrade] = counts;
    if agent > 0 && agent >= wrapper + upgrade {
        FileKind::Agent
    } else if wrapper > 0 {
        FileKind::Wrapper
    } else if upgrade > 0 {
        FileKind::Upgrade
    } else {
        from_name(name)
    }
}

/// The kind a file name suggests: `agent0.log.3`, `wrapper.log`, `glide-dist-upgrade.log`, ...
pub fn from_name(name: &str) -> FileKind {
    let base = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase();
    if base.ends_with(".xml") {
        FileKind::Config
    } else if base.starts_with("agent") && base.contains(".log") {
        FileKind::Agent
    } else if base.contains("upgrade") && base.contains(".log") {
        FileKind::Upgrade
    } else if base.starts_with("wrapper") && (base.contains(".log") || base.ends_with(".txt")) {
        FileKind::Wrapper
    } else {
        FileKind::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_from_content() {
        assert_eq!(
            detect(
                "x",
                "12/15/19 00:33:18 (649) MIDServer MID Server stopping\n"
            ),
            FileKind::Agent
        );
        assert_eq!(
            detect(
                "x",
                "2026-06-03T09:46:18.163-0400 INFO  (MIDServer) [Main:292] Initializing\n"
            ),
            FileKind::Agent
        );
        assert_eq!(
            detect("x", "2019/12/15 00:33:17 | Machine is shutting down.\n"),
            FileKind::Wrapper
        );
        assert_eq!(
            detect(
                "x",
                "wrapper  | The service was launched, but failed to start.\n"
            ),
            FileKind::Wrapper
        );
        assert_eq!(
            detect("x", "INFO | jvm 1 | 2018/04/27 17:12:11.951 | INFO: x\n"),
            FileKind::Upgrade
        );
        let appended = "2025/11/25 02:03:34 | <-- Wrapper Stopped\nINFO | jvm 1 | 2018/04/27 17:12:11.951 | a\nINFO | jvm 1 | 2018/04/27 17:12:11.951 | b\n";
        assert_eq!(detect("x", appended), FileKind::Wrapper);
        assert_eq!(
            detect("x", "<?xml version=\"1.0\"?>\n<parameters>\n"),
            FileKind::Config
        );
        assert_eq!(
            detect(
                "x",
                "AutoUpgrade.3600 Performing pre-upgrade validation tests.\n"
            ),
            FileKind::Agent
        );
    }

    #[test]
    fn content_wins_over_name_and_name_breaks_ties() {
        assert_eq!(
            detect("agent0.log.0", "2019/12/15 00:33:17 | a\n"),
            FileKind::Wrapper
        );
        assert_eq!(
            detect("C:\\agent\\logs\\agent0.log.3", "hello\n"),
            FileKind::Agent
        );
        assert_eq!(detect("logs/wrapper.log.1", "hello\n"), FileKind::Wrapper);
        assert_eq!(
            detect("glide-dist-upgrade.log", "hello\n"),
            FileKind::Upgrade
        );
        assert_eq!(detect("notes.txt", "hello\n"), FileKind::Unknown);
    }

    #[test]
    fn names_round_trip() {
        for k in FileKind::ALL {
            assert_eq!(k.name().parse::<FileKind>(), Ok(k));
        }
        assert!("logs".parse::<FileKind>().is_err());
    }
}
