//! KB0596459's flow: what the MID Server's status implies, and what to look at next when the
//! logs alone do not name a cause.

use std::str::FromStr;

pub use crate::analysis::Status;
use crate::analysis::{Analysis, Context, FileReport};
use crate::finding::Finding;
use crate::kind::FileKind;
use crate::packages::VersionReport;
use crate::phase::{Outcome, Phase, PhaseReport};
use crate::rules::Severity;
use crate::stream::Facts;
use crate::version::Relation;

impl Status {
    /// Every status, in the order the app offers them.
    pub const ALL: [Status; 4] = [
        Status::Up,
        Status::Down,
        Status::UpgradeFailed,
        Status::Upgrading,
    ];

    /// The name used on the command line and in URLs: `up`, `down`, `upgrade-failed`, `upgrading`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Up => "up",
            Status::Down => "down",
            Status::UpgradeFailed => "upgrade-failed",
            Status::Upgrading => "upgrading",
        }
    }

    /// The label the instance shows.
    pub fn label(self) -> &'static str {
        match self {
            Status::Up => "Up",
            Status::Down => "Down",
            Status::UpgradeFailed => "Upgrade Failed",
            Status::Upgrading => "Upgrading",
        }
    }

    /// What the status says about the upgrade, in a sentence or two.
    pub fn meaning(self) -> &'static str {
        match self {
            Status::Up => "The MID Server is running. If it is still on the old version, a patch upgrade within the same family failed early (check, download or extract) and the MID carried on with what it had, or the upgrade has not started yet.",
            Status::Down => "The MID Server stopped and did not come back. That usually means the upgrade got past the hand-off and failed while the upgrade service was replacing files, or the MID cannot start or authenticate any more.",
            Status::UpgradeFailed => "The instance recorded a failed upgrade. Across release families this happens when the pre-upgrade check, the download or the extraction fails; the MID keeps its old files.",
            Status::Upgrading => "An upgrade is under way, or one started and never reported back. A MID left in Upgrading for hours usually means the upgrade service is stuck or a previous upgrade is still marked as running.",
        }
    }

    /// The phases most likely to have failed for this status.
    pub fn likely_phases(self) -> &'static [Phase] {
        match self {
            Status::Up | Status::UpgradeFailed => &[
                Phase::Check,
                Phase::PreUpgradeValidation,
                Phase::Download,
                Phase::Extract,
            ],
            Status::Down => &[Phase::Bootstrap, Phase::FileReplacement, Phase::Restart],
            Status::Upgrading => &[
                Phase::PreUpgradeValidation,
                Phase::Bootstrap,
                Phase::FileReplacement,
            ],
        }
    }

    /// Which logs matter most for this status and how to get them.
    pub fn logs(self) -> &'static str {
        match self {
            Status::Up => "Use Grab MID Logs on the MID Server record; agent0.log.0 and wrapper.log arrive as ECC Queue attachments.",
            Status::Down | Status::Upgrading => "Read them on the host: agent/logs/agent0.log.0 (and the rotated agent0.log.1 to .9), agent/logs/wrapper.log, and glide-dist-upgrade.log in the upgrade temp folder's upgrade-wrapper/logs.",
            Status::UpgradeFailed => "Grab MID Logs works if the MID is still connected; otherwise read agent/logs/agent0.log.0 on the host. The failure is usually in the agent log.",
        }
    }
}

impl FromStr for Status {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let norm = s.trim().to_ascii_lowercase().replace([' ', '_'], "-");
        Status::ALL
            .into_iter()
            .find(|st| st.name() == norm)
            .ok_or_else(|| format!("unknown MID Server status `{s}` (expected up, down, upgrade-failed or upgrading)"))
    }
}

/// What to do next, given everything the analysis found.
pub fn next_steps(
    status: Option<Status>,
    kinds: &[FileKind],
    phase: &PhaseReport,
    findings: &[Finding],
    versions: &VersionReport,
) -> Vec<String> {
    let mut out = Vec::new();
    let failing = findings.iter().any(|f| f.severity >= Severity::Error);
    if let Some(c) = &versions.comparison {
        let target = if c.target_source == "instance" {
            "the instance"
        } else {
            "the version the instance assigned"
        };
        match c.relation {
            Relation::Behind => out.push(format!("The MID Server ({}) is behind {target} ({}): the upgrade has not completed.", c.mid, c.target)),
            Relation::Ahead => out.push(format!("The MID Server ({}) is ahead of {target} ({}): it will try to downgrade. This happens when the installer was newer than the instance or an older instance was cloned over (KB0647664), or when the instance's nodes report different versions (KB0697389).", c.mid, c.target)),
            Relation::Equal => out.push(format!("The MID Server already runs {target}'s version ({}).", c.target)),
        }
    }
    if failing {
        out.push("Fix the causes above in order, then restart the MID Server service so the upgrade is tried again, and watch agent0.log.0 until the MID reports Up on the new version.".into());
        return out;
    }
    match phase.outcome {
        Outcome::NotSeen => out.push("These files show no upgrade activity. Make sure they cover the time of the instance upgrade (add the rotated agent0.log.1 to .9); if the instance was not upgraded recently, the problem is not an upgrade failure: follow KB0597571 and KB0863673.".into()),
        Outcome::Completed => out.push("The last upgrade attempt ran through to the restart. If the MID is still not Up, look at start-up and authentication errors after the restart (KB0597571).".into()),
        Outcome::Failed | Outcome::Incomplete => {
            let at = phase.stopped_at.map_or("an early phase", Phase::label);
            out.push(format!("The last upgrade attempt stopped during the {at}; no known cause was recognised in these files."));
        }
    }
    let handed_off = phase.stopped_at.is_some_and(|p| p >= Phase::Bootstrap);
    if handed_off && phase.outcome != Outcome::Completed && !kinds.contains(&FileKind::Upgrade) {
        out.push("The agent log ends at the hand-off to the upgrade service. Add glide-dist-upgrade.log from the folder named in the `Added marker` line (its upgrade-wrapper/logs subfolder) and wrapper.log: the file-replacement errors are there (KB0779816).".into());
    }
    if matches!(status, Some(Status::Down)) && !kinds.contains(&FileKind::Wrapper) {
        out.push("The MID is Down: add agent/logs/wrapper.log too; start-up failures of the service are only written there.".into());
    }
    if !kinds.contains(&FileKind::Agent) {
        out.push(
            "Add agent0.log.0: the check, download and extract phases are only logged there."
                .into(),
        );
    }
    out
}

/// The analysis: the facts the logs show with the user's answers applied. The versions the
/// user typed are compared with the logs' (a version that does not parse is a problem naming
/// its field) and the next steps are worked out for the MID's status. The CLI, the web app's
/// worker and its results (again whenever an answer changes) all call this.
pub fn conclude(facts: Facts, ctx: &Context) -> Analysis {
    let (versions, user_problems) = facts
        .versions
        .with_user(ctx.instance_version.as_deref(), ctx.mid_version.as_deref());
    let mut problems = facts.problems;
    problems.extend(user_problems);
    let mut analysis = Analysis {
        engine: crate::VERSION.to_string(),
        files: facts.files,
        findings: facts.findings,
        phase: facts.phase,
        versions,
        config: facts.config,
        unrecognised: facts.unrecognised,
        rules_files: facts.rules_files,
        timeline: facts.timeline,
        next_steps: Vec::new(),
        problems,
    };
    // The findings config.xml and the versions prove by themselves, placed among the others
    // by severity (the sort keeps their order otherwise).
    let instance = analysis
        .versions
        .instance
        .as_ref()
        .and_then(|v| crate::version::Version::parse(&v.version).ok());
    let derived = [
        crate::advice::pinned(&analysis.config, instance.as_ref()),
        crate::advice::ahead(&analysis.versions),
    ];
    if derived.iter().any(Option::is_some) {
        analysis.findings.extend(derived.into_iter().flatten());
        crate::sort::sort_stable_by(&mut analysis.findings, |a, b| b.severity.cmp(&a.severity));
    }
    analysis.next_steps = steps_for(&analysis, ctx.status, &analysis.versions);
    analysis
}

/// What to do next for the MID status `status`, with versions compared as in `versions`:
/// what the config.xml files say about the causes found, then KB0596459's flow.
pub fn steps_for(
    analysis: &Analysis,
    status: Option<Status>,
    versions: &VersionReport,
) -> Vec<String> {
    let ids: Vec<&str> = analysis.findings.iter().map(|f| f.id.as_str()).collect();
    let mut out = crate::advice::advice(&analysis.config, &ids);
    out.extend(next_steps(
        status,
        &readable_kinds(&analysis.files),
        &analysis.phase,
        &analysis.findings,
        versions,
    ));
    out
}

/// The kinds of the files that could be read, for `next_steps`.
pub fn readable_kinds(files: &[FileReport]) -> Vec<FileKind> {
    files
        .iter()
        .filter(|f| f.error.is_none())
        .filter_map(|f| f.kind)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_parse_loosely() {
        assert_eq!(
            "Upgrade Failed".parse::<Status>(),
            Ok(Status::UpgradeFailed)
        );
        assert_eq!(
            "upgrade_failed".parse::<Status>(),
            Ok(Status::UpgradeFailed)
        );
        assert_eq!("UP".parse::<Status>(), Ok(Status::Up));
        assert!("sideways"
            .parse::<Status>()
            .unwrap_err()
            .contains("unknown MID Server status"));
        assert!(Status::Down
            .likely_phases()
            .contains(&Phase::FileReplacement));
    }

    #[test]
    fn handed_off_without_upgrade_log_asks_for_it() {
        let phase = PhaseReport {
            events: vec![],
            stopped_at: Some(Phase::Bootstrap),
            outcome: Outcome::Incomplete,
            failure: None,
        };
        let steps = next_steps(
            Some(Status::Down),
            &[FileKind::Agent],
            &phase,
            &[],
            &VersionReport::default(),
        );
        assert!(
            steps.iter().any(|s| s.contains("glide-dist-upgrade.log")),
            "{steps:?}"
        );
        assert!(steps.iter().any(|s| s.contains("wrapper.log")), "{steps:?}");
    }
}
