//! The one error type of the engine: a kind, and where the problem is.

use std::fmt;

/// What went wrong, as a closed set that callers can branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The input is a binary file (an image, an executable, an archive, NUL bytes).
    Binary,
    /// The input holds no bytes at all.
    Empty,
    /// The input could not be read (it disappeared, or reading failed midway).
    Unreadable,
    /// The rules file is not valid TOML.
    RuleSyntax,
    /// The rules file is valid TOML but breaks the rule schema.
    RuleSchema,
    /// A pattern in a rule does not compile.
    RulePattern,
    /// A rule's own sample lines do not behave as the rule says they should.
    RuleSample,
    /// A version string does not follow the ServiceNow build grammar.
    Version,
    /// A rule could not be drafted from the line asked for.
    Draft,
}

/// An error from the engine: a kind plus the file, rule and field it concerns.
///
/// Displayed as `file: rule `id`: field `name`: reason`, leaving out the parts that are unknown.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Error {
    /// What kind of problem this is.
    pub kind: ErrorKind,
    /// The file (log, rules file) the problem was found in, if any.
    pub file: Option<String>,
    /// The rule id, for rules-file problems.
    pub rule: Option<String>,
    /// The field or key, for rules-file problems.
    pub field: Option<String>,
    /// A sentence saying what is wrong.
    pub reason: String,
}

impl Error {
    /// A new error of `kind` with `reason`, not yet tied to a file.
    pub fn new(kind: ErrorKind, reason: impl Into<String>) -> Self {
        Error {
            kind,
            file: None,
            rule: None,
            field: None,
            reason: reason.into(),
        }
    }

    /// The same error, tied to `file`.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// The same error, tied to the rule `id`.
    pub fn in_rule(mut self, id: impl Into<String>) -> Self {
        self.rule = Some(id.into());
        self
    }

    /// The same error, tied to `field`.
    pub fn at_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        if let Some(rule) = &self.rule {
            write!(f, "rule `{rule}`: ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "field `{field}`: ")?;
        }
        f.write_str(&self.reason)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_every_known_part() {
        let e = Error::new(ErrorKind::RuleSchema, "unknown key")
            .in_file("my.toml")
            .in_rule("auth-failed")
            .at_field("severty");
        assert_eq!(
            e.to_string(),
            "my.toml: rule `auth-failed`: field `severty`: unknown key"
        );
        let e = Error::new(ErrorKind::Binary, "this is a PNG image").in_file("a.log");
        assert_eq!(e.to_string(), "a.log: this is a PNG image");
    }
}
