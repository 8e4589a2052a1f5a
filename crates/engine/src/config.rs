//! config.xml: what a MID Server is configured with, for KB0596459's step 4 and the CLI.
//!
//! The file is read with an XML reader that never reads a DTD and never expands an entity:
//! a DTD is reported and ignored, an entity other than XML's five and numeric references is
//! reported and left unexpanded, so neither an entity bomb nor an external entity can do
//! anything. The report holds no secret: passwords and every `secure`/`encrypt` value are
//! described (missing, encrypted, clear text...) and never copied.

use std::collections::BTreeMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// config.xml files larger than this are not checked (a real one is a few KB).
pub const MAX_CONFIG: usize = 1 << 20;

/// What a password-like parameter holds; never its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Secret {
    /// The parameter is not there.
    Missing,
    /// It is there but empty.
    Empty,
    /// It still holds the template's `YOUR_..._HERE` placeholder.
    Placeholder,
    /// It is stored encrypted (`encrypted:...`).
    Encrypted,
    /// It comes from an external vault (`cyberark:...`).
    Vault,
    /// It is in clear text, and marked `secure`/`encrypt` (the MID encrypts it when it starts).
    ClearMarked,
    /// It is in clear text and not marked, so it stays readable in the file.
    Clear,
}

impl Secret {
    /// A short description for people.
    pub fn describe(self) -> &'static str {
        match self {
            Secret::Missing => "not set",
            Secret::Empty => "empty",
            Secret::Placeholder => "still the template's placeholder",
            Secret::Encrypted => "set, encrypted",
            Secret::Vault => "read from an external vault",
            Secret::ClearMarked => "set in clear text, marked to be encrypted at the next start",
            Secret::Clear => "set in clear text and not marked secure",
        }
    }
}

/// A proxy configured in config.xml (no password value).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Proxy {
    /// The proxy host, as written.
    pub host: Option<String>,
    /// The port, as written.
    pub port: Option<String>,
    /// Whether a proxy user name is set.
    pub user: bool,
    /// The proxy password.
    pub password: Secret,
}

/// A parameter that appears more than once.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Duplicate {
    /// The parameter's name.
    pub name: String,
    /// The 1-based lines where it appears.
    pub lines: Vec<u32>,
}

/// Something wrong with the file itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Issue {
    /// 1-based line, when known.
    pub line: u32,
    /// The parameter concerned, when known.
    pub parameter: Option<String>,
    /// What is wrong, in words (never holding a value from the file).
    pub problem: String,
}

/// What one config.xml says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConfigReport {
    /// The file's name as given.
    pub file: String,
    /// How many `<parameter>` elements were read.
    pub parameters: usize,
    /// The instance URL (`url`), as written.
    pub url: Option<String>,
    /// Whether the URL uses HTTPS.
    pub https: Option<bool>,
    /// The URL's host.
    pub host: Option<String>,
    /// `mid.instance.username`.
    pub username: Option<String>,
    /// `mid.instance.password`.
    pub password: Secret,
    /// Whether `mid.proxy.use_proxy` or `mid.instance.use_proxy` is true.
    pub use_proxy: bool,
    /// `mid.proxy.*`, for instance traffic and upgrades.
    pub proxy: Option<Proxy>,
    /// `glide.mid.autoupgrade.proxy_*`, for upgrade downloads only.
    pub upgrade_proxy: Option<Proxy>,
    /// `mid.pinned.version`.
    pub pinned_version: Option<String>,
    /// The line of `mid.pinned.version` (the last one, when given more than once).
    #[serde(default)]
    pub pinned_line: u32,
    /// Parameters given more than once.
    pub duplicates: Vec<Duplicate>,
    /// Problems with the file.
    pub issues: Vec<Issue>,
}

impl ConfigReport {
    /// Whether the instance user or password is given more than once (KB0726937).
    pub fn duplicate_credentials(&self) -> Option<&Duplicate> {
        self.duplicates.iter().find(|d| is_credential(&d.name))
    }
}

/// The instance user and password parameters (and their old aliases).
pub(crate) fn is_credential(name: &str) -> bool {
    matches!(
        name,
        "mid.instance.username"
            | "mid.instance.password"
            | "glide.glidesoap.username"
            | "glide.glidesoap.password"
    )
}

/// One `<parameter>`: its name, its (unescaped) value unless secret, and how it is stored.
struct Param {
    line: u32,
    value: Option<String>,
    secret: Secret,
}

/// Reads a config.xml's text.
pub fn check(file: &str, text: &str) -> ConfigReport {
    if text.len() > MAX_CONFIG {
        return too_large(file, text.len());
    }
    let mut report = empty(file);
    let mut params: BTreeMap<String, Vec<Param>> = BTreeMap::new();
    let mut reader = Reader::from_str(text);
    loop {
        let at = reader.buffer_position() as usize;
        match reader.read_event() {
            Ok(Event::DocType(_)) => report.issues.push(Issue {
                line: crate::lines::number_at(text, at),
                parameter: None,
                problem: "it declares a DTD; midtriage ignores it and expands none of its entities"
                    .into(),
            }),
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"parameter" => {
                let line = crate::lines::number_at(text, at);
                if let Some((name, param)) = parameter(&e, line, &mut report.issues) {
                    report.parameters += 1;
                    params.entry(name).or_default().push(param);
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                let at = reader.error_position() as usize;
                report.issues.push(Issue {
                    line: crate::lines::number_at(text, at),
                    parameter: None,
                    problem: format!(
                        "the XML is not well-formed ({}); what follows was not read",
                        describe(&e)
                    ),
                });
                break;
            }
        }
    }
    fill(&mut report, &params);
    report
}

/// The report on a file of `bytes` bytes, too large to be a config.xml: not checked.
pub fn too_large(file: &str, bytes: usize) -> ConfigReport {
    let mut report = empty(file);
    report.issues.push(Issue {
        line: 0,
        parameter: None,
        problem: format!(
            "it is {} KB, far larger than a config.xml; it was not checked",
            bytes >> 10
        ),
    });
    report
}

/// A report with nothing read yet.
fn empty(file: &str) -> ConfigReport {
    ConfigReport {
        file: file.to_string(),
        parameters: 0,
        url: None,
        https: None,
        host: None,
        username: None,
        password: Secret::Missing,
        use_proxy: false,
        proxy: None,
        upgrade_proxy: None,
        pinned_version: None,
        pinned_line: 0,
        duplicates: Vec::new(),
        issues: Vec::new(),
    }
}

/// Reads a `<parameter>`'s attributes; problems go to `issues`.
fn parameter(e: &BytesStart<'_>, line: u32, issues: &mut Vec<Issue>) -> Option<(String, Param)> {
    let mut name = None;
    let mut raw_value: Option<Vec<u8>> = None;
    let mut marked = false;
    for attr in e.attributes().with_checks(false) {
        let Ok(attr) = attr else {
            issues.push(Issue {
                line,
                parameter: None,
                problem: "a <parameter> element has a malformed attribute".into(),
            });
            return None;
        };
        let value = attr.value.as_ref();
        match attr.key.local_name().as_ref() {
            b"name" => name = Some(String::from_utf8_lossy(value).into_owned()),
            b"value" => raw_value = Some(value.to_vec()),
            b"secure" | b"encrypt" => marked |= value.eq_ignore_ascii_case(b"true"),
            _ => {}
        }
    }
    let name = name?;
    let secret_name = is_secret_name(&name);
    let raw = raw_value.unwrap_or_default();
    let hidden = secret_name || marked;
    let value = match unescape(&raw) {
        Ok(v) => Some(v),
        Err(bad) => {
            issues.push(Issue {
                line,
                parameter: Some(name.clone()),
                problem: bad.describe(hidden),
            });
            None
        }
    };
    let secret = if hidden {
        classify(&String::from_utf8_lossy(&raw), marked)
    } else {
        Secret::Missing
    };
    let keep = if hidden { None } else { value };
    Some((
        name,
        Param {
            line,
            value: keep,
            secret,
        },
    ))
}

/// Whether a parameter's value must never be shown, whatever its attributes.
fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "password",
        "passwd",
        "secret",
        "token",
        "credential",
        "private",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// How a secret value is stored.
fn classify(value: &str, marked: bool) -> Secret {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    if v.is_empty() {
        Secret::Empty
    } else if lower.starts_with("encrypted:") {
        Secret::Encrypted
    } else if lower.starts_with("cyberark:") {
        Secret::Vault
    } else if v.starts_with("YOUR_") && v.ends_with("_HERE") {
        Secret::Placeholder
    } else if marked {
        Secret::ClearMarked
    } else {
        Secret::Clear
    }
}

/// Why a value could not be read.
enum Bad {
    /// A `&` that starts no reference.
    Ampersand,
    /// A `<` in a value.
    LessThan,
    /// A reference to an entity other than XML's own (named here unless the value is secret).
    Entity(String),
}

impl Bad {
    /// In words; nothing from a secret value.
    fn describe(&self, secret: bool) -> String {
        match self {
            Bad::Ampersand => {
                "its value holds a raw `&`: write it as `&amp;` (& < > \" ' must be XML-encoded)"
                    .into()
            }
            Bad::LessThan => "its value holds a raw `<`: write it as `&lt;`".into(),
            Bad::Entity(_) if secret => {
                "its value uses an entity, which midtriage does not expand".into()
            }
            Bad::Entity(name) => {
                format!("its value uses the entity `&{name};`, which midtriage does not expand")
            }
        }
    }
}

/// XML's five entities and numeric references; anything else is refused, never expanded.
fn unescape(raw: &[u8]) -> Result<String, Bad> {
    let text = String::from_utf8_lossy(raw);
    if text.contains('<') {
        return Err(Bad::LessThan);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(end) = after.find(';').filter(|&e| e <= 32) else {
            return Err(Bad::Ampersand);
        };
        let entity = &after[..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => out.push(c),
            None if is_entity_name(entity) => return Err(Bad::Entity(entity.to_string())),
            None => return Err(Bad::Ampersand),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn is_entity_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Fills the report from the parameters read.
fn fill(report: &mut ConfigReport, params: &BTreeMap<String, Vec<Param>>) {
    let last = |name: &str| params.get(name).and_then(|v| v.last());
    let value = |name: &str| last(name).and_then(|p| p.value.clone());
    let secret = |name: &str| last(name).map_or(Secret::Missing, |p| p.secret);
    report.url = value("url");
    if let Some(url) = &report.url {
        let lower = url.trim().to_ascii_lowercase();
        report.https = Some(lower.starts_with("https://"));
        let rest = lower.split_once("://").map_or(lower.as_str(), |(_, r)| r);
        let host = rest.split(['/', ':', '?', '#']).next().unwrap_or("");
        report.host = (!host.is_empty()).then(|| host.to_string());
    }
    report.username = value("mid.instance.username").or_else(|| value("glide.glidesoap.username"));
    report.password = match secret("mid.instance.password") {
        Secret::Missing => secret("glide.glidesoap.password"),
        s => s,
    };
    let truthy = |name: &str| value(name).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    report.use_proxy = truthy("mid.proxy.use_proxy") || truthy("mid.instance.use_proxy");
    let proxy = |host: &str, port: &str, user: &str, password: &str| {
        let p = Proxy {
            host: value(host),
            port: value(port),
            user: value(user).is_some_and(|u| !u.trim().is_empty()),
            password: secret(password),
        };
        (p.host.is_some() || p.port.is_some() || p.user || p.password != Secret::Missing)
            .then_some(p)
    };
    report.proxy = proxy(
        "mid.proxy.host",
        "mid.proxy.port",
        "mid.proxy.username",
        "mid.proxy.password",
    );
    report.upgrade_proxy = proxy(
        "glide.mid.autoupgrade.proxy_host",
        "glide.mid.autoupgrade.proxy_port",
        "glide.mid.autoupgrade.proxy_user",
        "glide.mid.autoupgrade.proxy_password",
    );
    report.pinned_version = value("mid.pinned.version").filter(|v| !v.trim().is_empty());
    report.pinned_line = last("mid.pinned.version").map_or(0, |p| p.line);
    report.duplicates = params
        .iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(name, v)| Duplicate {
            name: name.clone(),
            lines: v.iter().map(|p| p.line).collect(),
        })
        .collect();
}

/// A reader error in words, without any text from the file.
fn describe(e: &quick_xml::Error) -> &'static str {
    use quick_xml::errors::{Error, IllFormedError, SyntaxError};
    match e {
        Error::Syntax(SyntaxError::UnclosedTag) => "a tag is not closed",
        Error::Syntax(SyntaxError::UnclosedComment) => "a comment is not closed",
        Error::Syntax(SyntaxError::UnclosedDoctype) => "the DTD is not closed",
        Error::Syntax(_) => "a syntax error",
        Error::IllFormed(IllFormedError::MismatchedEndTag { .. }) => "an end tag does not match",
        Error::IllFormed(IllFormedError::UnmatchedEndTag(_)) => "an end tag has no start",
        Error::IllFormed(_) => "the elements are not properly nested",
        Error::Encoding(_) => "text in an unexpected encoding",
        _ => "the reader stopped",
    }
}

impl ConfigReport {
    /// The report as labelled lines for people: instance, user, password, proxies, pin.
    pub fn summary(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let instance = match (&self.host, self.https) {
            (Some(h), Some(true)) => format!("{h} (HTTPS)"),
            (Some(h), _) => format!("{h} (not HTTPS)"),
            (None, _) => "not set (`url`)".into(),
        };
        out.push(("Instance", instance));
        out.push((
            "MID user",
            self.username
                .clone()
                .unwrap_or_else(|| "not set (`mid.instance.username`)".into()),
        ));
        out.push(("Password", self.password.describe().to_string()));
        let proxy = |p: &Option<Proxy>| match p {
            None => "none".to_string(),
            Some(p) => {
                let at = match (&p.host, &p.port) {
                    (Some(h), Some(port)) => format!("{h}:{port}"),
                    (Some(h), None) => h.clone(),
                    _ => "no host".into(),
                };
                let user = if p.user { ", with a user" } else { "" };
                format!("{at}{user}, password {}", p.password.describe())
            }
        };
        let mut instance_proxy = proxy(&self.proxy);
        if self.use_proxy {
            instance_proxy.push_str(" (use_proxy is true)");
        }
        out.push(("Proxy", instance_proxy));
        out.push(("Upgrade proxy", proxy(&self.upgrade_proxy)));
        if let Some(v) = &self.pinned_version {
            out.push(("Pinned version", v.clone()));
        }
        out
    }
}
