//! What the user answered in the flow, and its encoding in the URL fragment so a link to the
//! page reopens the same answers. Log content never goes into the URL.

use std::collections::BTreeSet;

use midtriage_engine::version::{find_versions, Version};
use midtriage_engine::{Context, Status};

/// The symptoms KB0596459 lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Symptom {
    /// The MID shows Down in the MID Server list.
    Down,
    /// Discovery scans get stuck.
    DiscoveryStuck,
    /// The MID does not stay running.
    KeepsStopping,
    /// Up, but it does not respond.
    UpNotResponding,
}

impl Symptom {
    /// All symptoms, in display order.
    pub const ALL: [Symptom; 4] = [
        Symptom::Down,
        Symptom::DiscoveryStuck,
        Symptom::KeepsStopping,
        Symptom::UpNotResponding,
    ];

    /// Short name used in the URL.
    pub fn key(self) -> &'static str {
        match self {
            Symptom::Down => "down",
            Symptom::DiscoveryStuck => "stuck",
            Symptom::KeepsStopping => "stops",
            Symptom::UpNotResponding => "unresponsive",
        }
    }

    /// The label shown to the user.
    pub fn label(self) -> &'static str {
        match self {
            Symptom::Down => "The MID Server shows Down in the MID Server list",
            Symptom::DiscoveryStuck => "Discovery scans are stuck",
            Symptom::KeepsStopping => "The MID Server does not stay running",
            Symptom::UpNotResponding => "The MID Server shows Up but does not respond",
        }
    }

    fn from_key(s: &str) -> Option<Symptom> {
        Symptom::ALL.into_iter().find(|x| x.key() == s)
    }
}

/// Was the instance upgraded or patched recently?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Upgraded {
    /// Not answered yet.
    #[default]
    Unanswered,
    /// Yes.
    Yes,
    /// No: probably not an upgrade failure.
    No,
    /// The user does not know.
    NotSure,
}

impl Upgraded {
    fn key(self) -> &'static str {
        match self {
            Upgraded::Unanswered => "",
            Upgraded::Yes => "yes",
            Upgraded::No => "no",
            Upgraded::NotSure => "unsure",
        }
    }

    fn from_key(s: &str) -> Upgraded {
        match s {
            "yes" => Upgraded::Yes,
            "no" => Upgraded::No,
            "unsure" => Upgraded::NotSure,
            _ => Upgraded::Unanswered,
        }
    }
}

/// Every answer of the flow.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answers {
    /// Step 0: the symptoms seen.
    pub symptoms: BTreeSet<Symptom>,
    /// Step 1: whether the instance was upgraded.
    pub upgraded: Upgraded,
    /// Step 1: the rows pasted from System Diagnostics > Upgrade History (kept in memory only).
    pub history: String,
    /// Step 1: the instance version (the newest "To" value), as found or typed.
    pub instance_version: String,
    /// Step 2: the MID's status.
    pub status: Option<Status>,
    /// Step 2: the MID's version, if known.
    pub mid_version: String,
}

/// The newest version in pasted Upgrade History rows, by the engine's ordering.
pub fn newest_version(history: &str) -> Option<(String, Version)> {
    find_versions(history)
        .into_iter()
        .max_by(|a, b| a.1.compare(&b.1))
}

impl Answers {
    /// What the engine's flow needs of the answers: the status and the typed versions.
    pub fn context(&self) -> Context {
        let typed = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Context {
            status: self.status,
            instance_version: typed(&self.instance_version),
            mid_version: typed(&self.mid_version),
        }
    }

    /// The newest version in the pasted Upgrade History, by the engine's ordering.
    pub fn newest_in_history(&self) -> Option<(String, Version)> {
        newest_version(&self.history)
    }

    /// Encodes the answers (never the pasted history itself) as a URL fragment, without `#`.
    pub fn to_fragment(&self, step: &str) -> String {
        let mut parts = Vec::new();
        if !self.symptoms.is_empty() {
            let keys: Vec<&str> = self.symptoms.iter().map(|s| s.key()).collect();
            parts.push(format!("symptoms={}", keys.join(",")));
        }
        if self.upgraded != Upgraded::Unanswered {
            parts.push(format!("upgraded={}", self.upgraded.key()));
        }
        if !self.instance_version.trim().is_empty() {
            parts.push(format!("instance={}", encode(self.instance_version.trim())));
        }
        if let Some(s) = self.status {
            parts.push(format!("status={}", s.name()));
        }
        if !self.mid_version.trim().is_empty() {
            parts.push(format!("mid={}", encode(self.mid_version.trim())));
        }
        parts.push(format!("step={step}"));
        parts.join("&")
    }

    /// Reads answers and the step from a fragment (with or without `#`); unknown parts are ignored.
    pub fn from_fragment(fragment: &str) -> (Answers, Option<String>) {
        let mut a = Answers::default();
        let mut step = None;
        for pair in fragment.trim_start_matches('#').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode(value);
            match key {
                "symptoms" => a.symptoms = value.split(',').filter_map(Symptom::from_key).collect(),
                "upgraded" => a.upgraded = Upgraded::from_key(&value),
                "instance" => a.instance_version = value.chars().take(200).collect(),
                "status" => a.status = value.parse().ok(),
                "mid" => a.mid_version = value.chars().take(200).collect(),
                "step" => step = Some(value),
                _ => {}
            }
        }
        (a, step)
    }
}

/// Percent-encodes everything but unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragment_round_trips_and_never_holds_the_history_paste() {
        let a = Answers {
            symptoms: [Symptom::Down, Symptom::DiscoveryStuck].into(),
            upgraded: Upgraded::Yes,
            history: "secret pasted rows from acme-prod".into(),
            instance_version: "glide-zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200.zip"
                .into(),
            status: Some(Status::UpgradeFailed),
            mid_version: "a b&c=d".into(),
        };
        let f = a.to_fragment("status");
        assert!(!f.contains("secret") && !f.contains("acme"), "{f}");
        let (back, step) = Answers::from_fragment(&format!("#{f}"));
        assert_eq!(step.as_deref(), Some("status"));
        assert_eq!(
            back,
            Answers {
                history: String::new(),
                ..a
            }
        );
    }

    #[test]
    fn hostile_or_garbled_fragments_are_tolerated() {
        let (a, step) = Answers::from_fragment(
            "#symptoms=down,zzz&status=sideways&%E0%A4=&upgraded=maybe&<script>",
        );
        assert_eq!(a.symptoms, [Symptom::Down].into());
        assert_eq!(
            (a.status, a.upgraded, step),
            (None, Upgraded::Unanswered, None)
        );
        let (a, _) = Answers::from_fragment(&format!("instance={}", "x".repeat(10_000)));
        assert_eq!(a.instance_version.len(), 200);
    }

    #[test]
    fn newest_history_value_is_by_base_date() {
        let a = Answers {
            history: "To\nglide-zurich-07-01-2025__patch10-hotfix1-06-18-2026_06-19-2026_0939.zip\tComplete\nglide-australia-02-11-2026__patch2-hotfix2-06-18-2026_06-18-2026_2231.zip\tComplete\n".into(),
            ..Answers::default()
        };
        assert_eq!(a.newest_in_history().unwrap().1.family, "australia");
        assert!(Answers::default().newest_in_history().is_none());
    }
}
