//! Next steps from what the config.xml files say, tied to the causes found (a duplicate user
//! and password pair next to an authentication failure, a missing proxy next to a failed
//! download). Never a secret value.

use crate::config::{self, ConfigReport, Duplicate, Secret};
use crate::finding::{Evidence, Finding};
use crate::packages::{SeenVersion, VersionReport};
use crate::rules::Severity;
use crate::version::{Relation, Version};

/// What the config.xml files say about the causes found, as next steps (no secret in them).
pub fn advice(reports: &[ConfigReport], found: &[&str]) -> Vec<String> {
    let has = |id: &str| found.contains(&id);
    let lines = |l: &[u32]| {
        let l: Vec<String> = l.iter().map(u32::to_string).collect();
        l.join(" and ")
    };
    let mut out = Vec::new();
    for r in reports {
        let f = &r.file;
        let (credentials, others): (Vec<&Duplicate>, Vec<&Duplicate>) = r
            .duplicates
            .iter()
            .partition(|d| config::is_credential(&d.name));
        if !credentials.is_empty() {
            let why = if has("auth-failed") {
                "a second user and password pair is a known cause of this authentication failure"
            } else {
                "a second user and password pair makes authentication fail"
            };
            let listed: Vec<String> = credentials
                .iter()
                .map(|d| format!("`{}` (lines {})", d.name, lines(&d.lines)))
                .collect();
            out.push(format!(
                "In {f}, {} appear{} more than once: {why} (KB0726937). Keep one pair, with the password in clear text, and restart the MID.",
                listed.join(" and "),
                if listed.len() == 1 { "s" } else { "" }
            ));
        }
        for d in others {
            out.push(format!(
                "In {f}, `{}` appears on lines {}: the MID uses only one of them. Remove the others.",
                d.name,
                lines(&d.lines)
            ));
        }
        if r.https == Some(false) {
            out.push(format!("In {f}, the instance URL does not use HTTPS; the MID Server connects to the instance over HTTPS only."));
        }
        if has("auth-failed")
            && matches!(
                r.password,
                Secret::Missing | Secret::Empty | Secret::Placeholder
            )
        {
            out.push(format!(
                "In {f}, mid.instance.password is {}: set the MID user's password there in clear text; the MID encrypts it when it starts.",
                r.password.describe()
            ));
        }
        if has("keystore-out-of-sync") && r.password == Secret::Encrypted {
            out.push(format!("In {f}, mid.instance.password is stored encrypted with the old keystore: replace the whole `encrypted:` value with the password in clear text (KB0597570)."));
        }
        let no_proxy = r.proxy.is_none() && r.upgrade_proxy.is_none() && !r.use_proxy;
        if no_proxy && (has("download-failed") || has("instance-unreachable")) {
            out.push(format!("{f} sets no proxy. If this host reaches the internet only through one, set mid.proxy.host and mid.proxy.port (instance and upgrades) or glide.mid.autoupgrade.proxy_host and _port (upgrade downloads only)."));
        }
        if r.use_proxy && r.proxy.as_ref().is_none_or(|p| p.host.is_none()) {
            out.push(format!(
                "In {f}, mid.proxy.use_proxy is true but mid.proxy.host is not set."
            ));
        }
        for i in &r.issues {
            let place = match (i.line, &i.parameter) {
                (0, _) => String::new(),
                (n, Some(p)) => format!(" line {n} (`{p}`)"),
                (n, None) => format!(" line {n}"),
            };
            out.push(format!("In {f}{place}: {}.", i.problem));
        }
    }
    out
}

/// The finding config.xml itself proves: a MID pinned to one version (`mid.pinned.version`)
/// does not follow its instance (KB0722838, KB0697389). An error when the instance's version
/// is known and is not the pinned one, a warning otherwise. Rules never read config.xml, so
/// this one is built here.
pub(crate) fn pinned(reports: &[ConfigReport], instance: Option<&Version>) -> Option<Finding> {
    let (r, pin) = reports
        .iter()
        .find_map(|r| Some((r, r.pinned_version.as_deref()?)))?;
    let held_back = instance.is_some_and(|i| {
        Version::parse(pin.trim()).is_ok_and(|p| p.relation_to(i) != Relation::Equal)
    });
    Some(Finding {
        id: "version-pinned".into(),
        severity: if held_back {
            Severity::Error
        } else {
            Severity::Warning
        },
        title: "config.xml pins the MID Server to one version".into(),
        summary: format!("{} sets mid.pinned.version to {pin}. A pinned MID takes that version, whatever its instance runs: it does not upgrade with the instance, and it downgrades to the pin if it is older. A pin left over from a change window keeps the MID on an old version after the instance moves on.{}", r.file, if held_back { " The instance you named runs another version." } else { "" }),
        kb: "KB0722838".into(),
        step: 4,
        evidence: vec![Evidence::alone(
            &r.file,
            r.pinned_line,
            None,
            format!("mid.pinned.version = {pin}"),
        )],
        matches: 1,
        latest: None,
        resolution: vec![
            "Delete the mid.pinned.version parameter from config.xml (delete it: an empty value does not unpin), and any MID Server Properties record of that name on the instance.".into(),
            "Restart the MID Server service, or use Upgrade MID on its record, so that it takes the instance's version.".into(),
            "Pin a MID only for the minutes of a change window, and remove the pin right after (KB0722838).".into(),
        ],
        links: vec!["KB0697389".into(), "https://docs.servicenow.com/csh?topicname=mid-server-version-selection.html&version=latest".into()],
        reinstall: false,
    })
}

/// The finding the versions prove: the MID runs a newer version than the one it is compared
/// with (the instance's, or the one the instance assigned), so it will try to downgrade
/// (KB0647664, KB0697389). Its evidence is the log line of the MID's installed version, else
/// of the assigned one; without such a line there is no finding (the next steps still say it).
pub(crate) fn ahead(versions: &VersionReport) -> Option<Finding> {
    let c = versions
        .comparison
        .as_ref()
        .filter(|c| c.relation == Relation::Ahead)?;
    let from_log = |v: &Option<SeenVersion>| {
        v.as_ref()
            .filter(|v| v.source != "you")
            .and_then(|v| Some((v.clone(), v.line?)))
    };
    let (label, (seen, line)) = from_log(&versions.installed)
        .map(|s| ("Installed", s))
        .or_else(|| from_log(&versions.assigned).map(|s| ("Assigned", s)))?;
    let target = if c.target_source == "instance" {
        "the instance's version"
    } else {
        "the version the instance assigned it"
    };
    Some(Finding {
        id: "mid-ahead-of-instance".into(),
        severity: Severity::Error,
        title: "The MID Server runs a newer version than its instance".into(),
        summary: format!("The MID runs {}, newer than {target} ({}). It will try to downgrade, and until it matches, the MID and the instance may not understand each other's jobs and data. This happens when it was installed from a newer ZIP than this instance's (another instance's download, or an instance cloned over from a newer one), or when some of the instance's nodes still report an older version.", c.mid, c.target),
        kb: "KB0647664".into(),
        step: 1,
        evidence: vec![Evidence::alone(
            &seen.source,
            line,
            seen.timestamp,
            format!("{label}: {}", seen.version),
        )],
        matches: 1,
        latest: None,
        resolution: vec![
            "Check which version the instance really runs: the newest To value in its Upgrade History, and stats.do on each of its nodes. Nodes that disagree need a case with ServiceNow support (KB0697389).".into(),
            "If the instance is right and the MID was installed from a newer ZIP, reinstall the MID from this instance's MID Server > Downloads (KB0647664).".into(),
            "If the MID downgraded and now stops on its newer Java (an older MID on a newer JRE), follow KB0697389 to start it, then let it upgrade again.".into(),
            "Do not pin the MID to its newer version: it would stay out of step with the instance.".into(),
        ],
        links: vec!["KB0697389".into()],
        reinstall: false,
    })
}
