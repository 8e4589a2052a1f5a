//! What the logs say about the MID's versions: the `Installed:` / `Assigned:` / `Missing:` /
//! `Downloaded:` package lists and the upgrade-scenario line, compared with the instance.

use crate::error::Error;
use crate::timestamp::Timestamp;
use crate::version::{parse_package, Field, Relation, Version};

/// A version seen somewhere: in a log line or given by the user.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SeenVersion {
    /// The buildstamp, e.g. `zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200`.
    pub version: String,
    /// A readable name, e.g. `Zurich Patch 4`.
    pub label: String,
    /// Where it was seen: a file name, or `you` for a version the user typed.
    pub source: String,
    /// The line it was seen on, for versions from a log.
    pub line: Option<u32>,
    /// The line's time, if any.
    pub timestamp: Option<Timestamp>,
}

/// The MID's version compared with the version it should run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Comparison {
    /// The MID's version.
    pub mid: String,
    /// The version it is compared with.
    pub target: String,
    /// Where the target comes from: `instance` (the user's Upgrade History) or `assigned` (the log).
    pub target_source: String,
    /// Behind, equal or ahead.
    pub relation: Relation,
}

/// Everything known about versions.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VersionReport {
    /// The instance's version, as the user gave it.
    pub instance: Option<SeenVersion>,
    /// The MID's installed version (the user's, else the last `Installed:` line).
    pub installed: Option<SeenVersion>,
    /// The version the instance assigned to the MID (the last `Assigned:` line).
    pub assigned: Option<SeenVersion>,
    /// Packages still missing on the MID at the last check.
    pub missing: Vec<String>,
    /// Packages downloaded at the last check.
    pub downloaded: Vec<String>,
    /// The MID compared with the instance (or with its assigned version).
    pub comparison: Option<Comparison>,
}

/// Where a version line was seen: its time, then its file's place among the inputs, then its
/// line number. The line with the greatest key is the latest.
type Key = (Option<Timestamp>, usize, u32);

/// Collects package lines while files are scanned: for each list, what its latest line said.
/// Being a maximum by [`Key`], files can be collected apart and merged in any order.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Collector {
    installed: Option<(Key, Option<SeenVersion>)>,
    assigned: Option<(Key, Option<SeenVersion>)>,
    missing: Option<(Key, Vec<String>)>,
    downloaded: Option<(Key, Vec<String>)>,
}

/// Keeps `value` in `slot` if it was seen at `key` or later than what the slot holds.
fn latest<T>(slot: &mut Option<(Key, T)>, key: Key, value: T) {
    if slot.as_ref().is_none_or(|(k, _)| key >= *k) {
        *slot = Some((key, value));
    }
}

impl Collector {
    /// Reads the text after a marker on one line.
    pub(crate) fn see(
        &mut self,
        field: Field,
        rest: &str,
        file: &str,
        file_order: usize,
        line: u32,
        timestamp: Option<Timestamp>,
    ) {
        let seen = |version: &Version| SeenVersion {
            version: version.to_string(),
            label: version.label(),
            source: file.to_string(),
            line: Some(line),
            timestamp,
        };
        let key = (timestamp, file_order, line);
        if field == Field::Scenario {
            // `Unable to determine upgrade scenario with current=X assigned=Y`
            let mut parts = rest.split_whitespace();
            let current = parts.next().and_then(|v| Version::parse(v).ok());
            let assigned = parts
                .find_map(|p| p.strip_prefix("assigned="))
                .and_then(|v| Version::parse(v).ok());
            if let Some(v) = current {
                latest(&mut self.installed, key, Some(seen(&v)));
            }
            if let Some(v) = assigned {
                latest(&mut self.assigned, key, Some(seen(&v)));
            }
            return;
        }
        let list = rest.split(']').next().unwrap_or("");
        let names: Vec<String> = list
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let main = names
            .iter()
            .filter_map(|n| parse_package(n))
            .min_by_key(|p| if p.kind == "mid-core" { 0 } else { 1 });
        match field {
            Field::Installed => latest(&mut self.installed, key, main.map(|p| seen(&p.version))),
            Field::Assigned => latest(&mut self.assigned, key, main.map(|p| seen(&p.version))),
            Field::Missing => latest(&mut self.missing, key, names),
            Field::Downloaded => latest(&mut self.downloaded, key, names),
            Field::Scenario => {}
        }
    }

    /// What `later` (another file's lines, collected apart) adds.
    pub(crate) fn merge(&mut self, later: Collector) {
        let Collector {
            installed,
            assigned,
            missing,
            downloaded,
        } = later;
        fn take<T>(slot: &mut Option<(Key, T)>, other: Option<(Key, T)>) {
            if let Some((key, value)) = other {
                latest(slot, key, value);
            }
        }
        take(&mut self.installed, installed);
        take(&mut self.assigned, assigned);
        take(&mut self.missing, missing);
        take(&mut self.downloaded, downloaded);
    }

    /// The same lines, from the input at `file_order` (a file collected on its own was 0).
    pub(crate) fn in_file(mut self, file_order: usize) -> Collector {
        fn set<T>(slot: &mut Option<(Key, T)>, order: usize) {
            if let Some((key, _)) = slot {
                key.1 = order;
            }
        }
        set(&mut self.installed, file_order);
        set(&mut self.assigned, file_order);
        set(&mut self.missing, file_order);
        set(&mut self.downloaded, file_order);
        self
    }

    /// The report of what the logs said.
    pub(crate) fn finish(self) -> VersionReport {
        VersionReport {
            installed: self.installed.and_then(|(_, v)| v),
            assigned: self.assigned.and_then(|(_, v)| v),
            missing: self.missing.map(|(_, v)| v).unwrap_or_default(),
            downloaded: self.downloaded.map(|(_, v)| v).unwrap_or_default(),
            ..VersionReport::default()
        }
    }
}

impl VersionReport {
    /// Adds the versions the user typed (the instance's, and the MID's if known) and compares
    /// the MID with the instance, or with its assigned version when the instance's is unknown.
    /// Returns the problems with what the user typed, each naming the field.
    pub fn with_user(
        mut self,
        instance: Option<&str>,
        mid: Option<&str>,
    ) -> (VersionReport, Vec<Error>) {
        let mut problems = Vec::new();
        let mut typed = |s: Option<&str>, what: &str| -> Option<SeenVersion> {
            let s = s?.trim();
            if s.is_empty() {
                return None;
            }
            match Version::parse(s) {
                Ok(v) => Some(SeenVersion {
                    version: v.to_string(),
                    label: v.label(),
                    source: "you".into(),
                    line: None,
                    timestamp: None,
                }),
                Err(e) => {
                    problems.push(e.in_file(what));
                    None
                }
            }
        };
        self.instance = typed(instance, "instance version");
        if let Some(v) = typed(mid, "MID Server version") {
            self.installed = Some(v);
        }
        self.comparison = None;
        let target = self
            .instance
            .as_ref()
            .map(|v| (v, "instance"))
            .or(self.assigned.as_ref().map(|v| (v, "assigned")));
        if let (Some(mid), Some((target, source))) = (&self.installed, target) {
            if let (Ok(a), Ok(b)) = (
                Version::parse(&mid.version),
                Version::parse(&target.version),
            ) {
                self.comparison = Some(Comparison {
                    mid: mid.version.clone(),
                    target: target.version.clone(),
                    target_source: source.into(),
                    relation: a.relation_to(&b),
                });
            }
        }
        (self, problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_behind_assigned_from_the_log() {
        let mut c = Collector::default();
        c.see(Field::Installed, "mid-core.kingston-10-17-2017__patch0-11-06-2017_11-11-2017_1422.universal.universal.zip, mid-jre.kingston-10-17-2017__patch0-11-06-2017_11-11-2017_1422.windows.x86-64.zip]", "a", 0, 2, None);
        c.see(Field::Assigned, "mid-upgrade.newyork-06-26-2019__patch0-hotfix2-07-10-2019_07-16-2019_1636.universal.universal.zip, mid-core.newyork-06-26-2019__patch0-hotfix2-07-10-2019_07-16-2019_1636.universal.universal.zip]", "a", 0, 3, None);
        c.see(Field::Downloaded, "]", "a", 0, 5, None);
        let (r, problems) = c.finish().with_user(None, None);
        assert!(problems.is_empty());
        assert_eq!(r.installed.unwrap().label, "Kingston Patch 0");
        let cmp = r.comparison.unwrap();
        assert_eq!(
            (cmp.relation, cmp.target_source.as_str()),
            (Relation::Behind, "assigned")
        );
        assert!(r.downloaded.is_empty());
    }

    #[test]
    fn with_user_can_be_reapplied_to_a_log_only_report() {
        let mut c = Collector::default();
        c.see(Field::Installed, "mid-core.zurich-07-01-2025__patch3-10-01-2025_10-05-2025_0900.universal.universal.zip]", "a", 0, 1, None);
        let logs = c.finish();
        let (first, _) = logs.clone().with_user(
            Some("glide-zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200.zip"),
            None,
        );
        assert_eq!(first.comparison.unwrap().relation, Relation::Behind);
        let (second, _) = logs.clone().with_user(
            Some("glide-zurich-07-01-2025__patch3-10-01-2025_10-05-2025_0900.zip"),
            None,
        );
        assert_eq!(second.comparison.unwrap().relation, Relation::Equal);
        let (none, _) = logs.with_user(None, None);
        assert!(none.comparison.is_none() && none.instance.is_none());
    }

    #[test]
    fn the_users_instance_version_wins_and_bad_input_is_reported() {
        let mut c = Collector::default();
        c.see(Field::Scenario, "sandiego-12-22-2021__patch9a-hotfix1-01-31-2023_02-01-2023_1625 assigned=sandiego-12-22-2021__patch9a-12-12-2022_01-04-2023_0931", "a", 0, 1, None);
        let (r, problems) = c.finish().with_user(
            Some("glide-tokyo-07-08-2022__patch5-12-21-2022_01-06-2023_1054.zip"),
            None,
        );
        assert!(problems.is_empty());
        let cmp = r.comparison.unwrap();
        assert_eq!(
            (cmp.relation, cmp.target_source.as_str()),
            (Relation::Behind, "instance")
        );
        let (_, problems) = Collector::default()
            .finish()
            .with_user(Some("not a version"), None);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].to_string().starts_with("instance version: "));
    }
}
