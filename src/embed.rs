//! Embedded in a KB portal's iframe (`?embed=1`): a documented postMessage API.
//!
//! - The host of midtriage lists the portals allowed to embed it in
//!   `<meta name="midtriage-embed-origins" content="https://portal.example.com …">`
//!   (index.html); the page's own origin is always allowed.
//! - When the parent's origin is allowed, midtriage posts `{type: "midtriage:ready", version,
//!   protocol: 1}` to it, and `{type: "midtriage:height", height}` whenever its content height
//!   changes, so the iframe can grow.
//! - The parent may send `{type: "midtriage:prefill", symptoms?, upgraded?, upgradeHistory?,
//!   instanceVersion?, status?, midVersion?}` to pre-fill answers, and
//!   `{type: "midtriage:summary-request", id?}`, answered with `{type: "midtriage:summary", id,
//!   state, findings: [{id, title, severity}]}`: finding ids and titles only, never log text.
//! - Messages from another origin or window, or of any other shape, are ignored.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::answers::{Answers, Symptom, Upgraded};
use crate::state::{Action, Run, State};

/// The protocol version announced in the ready message.
pub const PROTOCOL: u32 = 1;

/// Longest Upgrade History text accepted from a parent.
const MAX_HISTORY: usize = 100_000;

/// A message from the parent page.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(tag = "type", deny_unknown_fields)]
pub enum Inbound {
    /// Pre-fill answers.
    #[serde(rename = "midtriage:prefill")]
    Prefill(Prefill),
    /// Ask for the summary.
    #[serde(rename = "midtriage:summary-request")]
    SummaryRequest {
        /// Echoed in the answer.
        #[serde(default)]
        id: Option<String>,
    },
}

/// Answers a parent may pre-fill.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Prefill {
    /// Symptom keys: down, stuck, stops, unresponsive.
    pub symptoms: Option<Vec<String>>,
    /// yes, no or unsure.
    pub upgraded: Option<String>,
    /// Rows copied from Upgrade History.
    pub upgrade_history: Option<String>,
    /// The instance's version.
    pub instance_version: Option<String>,
    /// up, down, upgrade-failed or upgrading.
    pub status: Option<String>,
    /// The MID Server's version.
    pub mid_version: Option<String>,
}

/// A message to the parent page.
#[derive(Debug, Serialize, PartialEq)]
#[serde(tag = "type")]
pub enum Outbound {
    /// midtriage has loaded.
    #[serde(rename = "midtriage:ready")]
    Ready {
        /// Its version.
        version: String,
        /// The protocol version.
        protocol: u32,
    },
    /// The content height in CSS pixels.
    #[serde(rename = "midtriage:height")]
    Height {
        /// Pixels.
        height: u32,
    },
    /// The answer to a summary request.
    #[serde(rename = "midtriage:summary")]
    Summary(Summary),
}

/// What a portal may know about the result: ids, titles and severities only.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// The request's id, if it gave one.
    pub id: Option<String>,
    /// idle, running, done, failed or cancelled.
    pub state: &'static str,
    /// The findings, most severe first.
    pub findings: Vec<SummaryFinding>,
}

/// One finding in a summary.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SummaryFinding {
    /// The finding id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its severity.
    pub severity: &'static str,
}

impl Summary {
    /// The summary of a state.
    pub fn of(state: &State, id: Option<String>) -> Summary {
        let (name, findings) = match &state.run {
            Run::Idle => ("idle", Vec::new()),
            Run::Running { .. } => ("running", Vec::new()),
            Run::Failed(_) => ("failed", Vec::new()),
            Run::Cancelled => ("cancelled", Vec::new()),
            Run::Done { facts, .. } => (
                "done",
                facts
                    .findings
                    .iter()
                    .map(|f| SummaryFinding {
                        id: f.id.clone(),
                        title: f.title.clone(),
                        severity: f.severity.name(),
                    })
                    .collect(),
            ),
        };
        Summary {
            id,
            state: name,
            findings,
        }
    }
}

impl Prefill {
    /// The actions that apply this pre-fill, or `None` when any value is invalid (the whole
    /// message is then ignored).
    pub fn actions(&self, current: &Answers) -> Option<Vec<Action>> {
        let mut actions = Vec::new();
        if let Some(keys) = &self.symptoms {
            let wanted: BTreeSet<Symptom> = keys
                .iter()
                .map(|k| Symptom::ALL.into_iter().find(|s| s.key() == k))
                .collect::<Option<_>>()?;
            for s in Symptom::ALL {
                if wanted.contains(&s) != current.symptoms.contains(&s) {
                    actions.push(Action::ToggleSymptom(s));
                }
            }
        }
        if let Some(u) = &self.upgraded {
            actions.push(Action::SetUpgraded(match u.as_str() {
                "yes" => Upgraded::Yes,
                "no" => Upgraded::No,
                "unsure" => Upgraded::NotSure,
                _ => return None,
            }));
        }
        if let Some(h) = &self.upgrade_history {
            if h.len() > MAX_HISTORY {
                return None;
            }
            actions.push(Action::SetHistory(h.clone()));
        }
        for (value, make) in [
            (
                &self.instance_version,
                Action::SetInstanceVersion as fn(String) -> Action,
            ),
            (&self.mid_version, Action::SetMidVersion),
        ] {
            if let Some(v) = value {
                if v.len() > 200 {
                    return None;
                }
                actions.push(make(v.clone()));
            }
        }
        if let Some(s) = &self.status {
            actions.push(Action::SetStatus(Some(s.parse().ok()?)));
        }
        Some(actions)
    }
}

/// Whether `origin` may talk to this page: listed in the meta tag, or the page's own.
pub fn allowed(origin: &str, listed: &str, own: &str) -> bool {
    origin != "null"
        && (origin == own
            || listed
                .split_whitespace()
                .any(|o| o.trim_end_matches('/') == origin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefill_becomes_actions_and_bad_values_void_the_message() {
        let p = Prefill {
            symptoms: Some(vec!["down".into(), "stuck".into()]),
            upgraded: Some("yes".into()),
            status: Some("upgrade-failed".into()),
            instance_version: Some(
                "glide-zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200.zip".into(),
            ),
            ..Prefill::default()
        };
        let actions = p.actions(&Answers::default()).unwrap();
        let state = actions.into_iter().fold(State::default(), |s, a| {
            use yew::Reducible;
            (*std::rc::Rc::new(s).reduce(a)).clone()
        });
        assert_eq!(
            state.answers.symptoms,
            [Symptom::Down, Symptom::DiscoveryStuck].into()
        );
        assert_eq!(
            state.answers.status,
            Some(midtriage_engine::Status::UpgradeFailed)
        );
        assert_eq!(state.answers.upgraded, Upgraded::Yes);
        for bad in [
            Prefill {
                symptoms: Some(vec!["down".into(), "<script>".into()]),
                ..Prefill::default()
            },
            Prefill {
                status: Some("sideways".into()),
                ..Prefill::default()
            },
            Prefill {
                upgraded: Some("maybe".into()),
                ..Prefill::default()
            },
            Prefill {
                upgrade_history: Some("x".repeat(MAX_HISTORY + 1)),
                ..Prefill::default()
            },
            Prefill {
                mid_version: Some("x".repeat(201)),
                ..Prefill::default()
            },
        ] {
            assert_eq!(bad.actions(&Answers::default()), None, "{bad:?}");
        }
    }

    #[test]
    fn only_listed_origins_and_the_own_origin_are_allowed() {
        let listed = "https://portal.example.com https://kb.example.com/";
        assert!(allowed(
            "https://kb.example.com",
            listed,
            "https://mid.example.com"
        ));
        assert!(allowed(
            "https://mid.example.com",
            listed,
            "https://mid.example.com"
        ));
        assert!(!allowed(
            "https://evil.example.net",
            listed,
            "https://mid.example.com"
        ));
        assert!(!allowed("null", "null", "null"));
        assert!(!allowed("https://portal.example.com.evil.net", listed, "x"));
    }

    #[test]
    fn summaries_carry_ids_and_titles_only() {
        let log = b"AutoUpgrade.3600 SEVERE *** ERROR *** Aborting MID Server upgrade due to pre-upgrade check failure: Unable to download updates from install server\n";
        let input = midtriage_engine::Input {
            name: "agent0.log.0",
            bytes: log,
            kind: None,
        };
        let facts = midtriage_engine::examine(midtriage_engine::Catalogue::builtin(), &[input]);
        let state = State {
            run: Run::Done {
                facts: std::rc::Rc::new(facts),
                bytes: 1,
                elapsed_ms: 1.0,
                memory_bytes: 0.0,
                tasks: 1,
            },
            ..State::default()
        };
        let s = Summary::of(&state, Some("q1".into()));
        assert_eq!((s.state, s.findings.len()), ("done", 1));
        assert_eq!(s.findings[0].id, "download-failed");
        let json = serde_json::to_string(&Outbound::Summary(s)).unwrap();
        assert!(
            !json.contains("install server") && !json.contains("AutoUpgrade"),
            "{json}"
        );
        assert!(
            json.starts_with(r#"{"type":"midtriage:summary","id":"q1","state":"done""#),
            "{json}"
        );
    }
}
