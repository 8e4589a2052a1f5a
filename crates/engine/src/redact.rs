//! Masking what identifies a customer before a report is copied or downloaded: instance URLs,
//! host names, IP addresses, user names and file paths. The file name at the end of a path is
//! kept (which file was locked is the diagnosis), and so are ServiceNow's and certificate
//! authorities' public hosts.

use std::sync::OnceLock;

use regex::{Captures, Regex};

/// Public hosts that identify no customer and help the reader.
const PUBLIC_HOSTS: &[&str] = &[
    "install.service-now.com",
    "support.servicenow.com",
    "hi.service-now.com",
    "docs.servicenow.com",
    "wrapper.tanukisoftware.com",
    "ocsp.entrust.net",
    "crl.entrust.net",
    "ocsp.digicert.com",
    "crl3.digicert.com",
    "crl4.digicert.com",
];

struct Patterns {
    instance: Regex,
    host: Regex,
    ipv4: Regex,
    users: Vec<(Regex, &'static str)>,
    windows_path: Regex,
    unix_path: Regex,
}

/// A regex that ignores the case of ASCII letters.
fn ci(pattern: &str) -> Regex {
    let folded = crate::casefold::case_insensitive(pattern).expect("the pattern parses");
    crate::casefold::regex(&folded).expect("the folded pattern compiles")
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| Patterns {
        instance: ci(r"\b[a-z0-9][a-z0-9-]*\.(service-now\.com|servicenowservices\.com)\b"),
        host: ci(r"\b(?:[a-z0-9][a-z0-9-]*\.)+(?:com|net|org|local|corp|lan|internal|intra|intranet|gov|edu|biz|info|mil)\b"),
        ipv4: crate::casefold::regex(r"\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b").unwrap(),
        // The shapes user names take in MID logs and config.xml; plain words after "user" stay.
        users: vec![
            (ci(r"(\buser\s+')[^']+'"), "${1}<user>'"),
            (crate::casefold::regex(r"(\bUser\s+)\S+(\s+has all necessary roles)").unwrap(), "${1}<user>${2}"),
            (ci(r#"(\busername\s*[=:]\s*)[^\s'",;]+"#), "${1}<user>"),
            // The config.xml summary's own line.
            (crate::casefold::regex(r"(\bMID user: )[^\n]+").unwrap(), "${1}<user>"),
            (crate::casefold::regex(r#"(name="(?:mid\.instance\.username|mid\.proxy\.username|glide\.mid\.autoupgrade\.proxy_user)"\s+value=")[^"]*""#).unwrap(), "${1}<user>\""),
            (crate::casefold::regex(r#"value="[^"]*"(\s+name="(?:mid\.instance\.username|mid\.proxy\.username|glide\.mid\.autoupgrade\.proxy_user)")"#).unwrap(), "value=\"<user>\"${1}"),
        ],
        windows_path: ci(r#"\b(?:[a-z]:|<drive>:|\\\\[^\\\s]+)\\(?:[^\\\s:*?"<>|']+\\)*([^\\\s:*?"<>|']*)"#),
        unix_path: crate::casefold::regex(r"(^|[\s'`(=])(?:/[\w.\-]+)+/([\w.\-]*)").unwrap(),
    })
}

/// Returns `text` with customer-identifying parts masked.
pub fn redact(text: &str) -> String {
    let p = patterns();
    let text = p
        .windows_path
        .replace_all(text, |c: &Captures| format!("<path>\\{}", &c[1]));
    let text = p
        .unix_path
        .replace_all(&text, |c: &Captures| format!("{}<path>/{}", &c[1], &c[2]));
    let text = p.instance.replace_all(&text, |c: &Captures| {
        keep_public(&c[0], || format!("<instance>.{}", &c[1]))
    });
    let text = p.host.replace_all(&text, |c: &Captures| {
        let h = &c[0];
        if h.starts_with("<instance>") || h.to_ascii_lowercase().ends_with("service-now.com") {
            h.to_string()
        } else {
            keep_public(h, || "<host>".into())
        }
    });
    let text = p.ipv4.replace_all(&text, "<ip>");
    let mut text = text.into_owned();
    for (re, with) in &p.users {
        text = re.replace_all(&text, *with).into_owned();
    }
    text
}

fn keep_public(host: &str, masked: impl FnOnce() -> String) -> String {
    if PUBLIC_HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        host.to_string()
    } else {
        masked()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_urls_hosts_and_ips() {
        let r = redact("posting to https://acme-prod.service-now.com/InstanceInfo.do?SOAP from mid01.corp.acme.com (10.20.30.40)");
        assert_eq!(
            r,
            "posting to https://<instance>.service-now.com/InstanceInfo.do?SOAP from <host> (<ip>)"
        );
        let kept = "https://install.service-now.com/glide/distribution/builds/package/mid-core.zip and http://ocsp.entrust.net";
        assert_eq!(redact(kept), kept);
    }

    #[test]
    fn java_names_and_versions_are_not_hosts() {
        let t = "com.snc.dist.mid_upgrade.UpgradeException: java.io.FileNotFoundException at com.service_now.mid.Main zurich-07-01-2025__patch4";
        assert_eq!(redact(t), t);
    }

    #[test]
    fn user_names() {
        assert_eq!(
            redact("Could not authenticate user 'jane.doe' on the ServiceNow instance"),
            "Could not authenticate user '<user>' on the ServiceNow instance"
        );
        assert_eq!(
            redact("User _mid_server_user_i has all necessary roles"),
            "User <user> has all necessary roles"
        );
        assert_eq!(
            redact("- MID user: svc.mid_01\n- Password: set, encrypted"),
            "- MID user: <user>\n- Password: set, encrypted"
        );
        assert_eq!(
            redact(r#"<parameter name="mid.instance.username" value="svc_mid"/>"#),
            r#"<parameter name="mid.instance.username" value="<user>"/>"#
        );
        assert_eq!(
            redact(r#"<parameter value="admin" name="mid.instance.username"/>"#),
            r#"<parameter value="<user>" name="mid.instance.username"/>"#
        );
        assert_eq!(
            redact("proxy username=svc-proxy;"),
            "proxy username=<user>;"
        );
        for plain in [
            "User cannot be authenticated or is missing the proper roles.",
            "User is unable to authenticate",
            "the user has the mid_server role",
        ] {
            assert_eq!(redact(plain), plain);
        }
    }

    #[test]
    fn paths_keep_their_file_name() {
        assert_eq!(
            redact(
                r"E:\ServiceNow\MID_Server_ACME\agent\lib\sigar-amd64-winnt.dll cannot be deleted"
            ),
            r"<path>\sigar-amd64-winnt.dll cannot be deleted"
        );
        assert_eq!(
            redact(
                "Unable to find version when calling `/usr/lib/jvm/acme-java/bin/java -version`"
            ),
            "Unable to find version when calling `<path>/java -version`"
        );
        assert_eq!(
            redact(r"Added marker `C:\WINDOWS\TEMP\1569035472492-0` to"),
            r"Added marker `<path>\1569035472492-0` to"
        );
    }
}
