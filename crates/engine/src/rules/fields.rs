//! Reading typed fields out of a TOML table, reporting each problem by file, rule and field.

use super::reader::{Table, Value};

use crate::error::{Error, ErrorKind};

/// Where problems are reported while one rule is read.
pub(super) struct Ctx<'e> {
    pub file: &'e str,
    pub rule: String,
    pub errors: &'e mut Vec<Error>,
}

impl Ctx<'_> {
    pub fn fail(&mut self, field: &str, reason: impl Into<String>) {
        self.fail_kind(ErrorKind::RuleSchema, field, reason);
    }

    pub fn fail_kind(&mut self, kind: ErrorKind, field: &str, reason: impl Into<String>) {
        let mut e = Error::new(kind, reason)
            .in_file(self.file)
            .in_rule(self.rule.clone());
        if !field.is_empty() {
            e = e.at_field(field);
        }
        self.errors.push(e);
    }

    pub fn unknown_keys(&mut self, t: &Table, known: &[&str], prefix: &str) {
        for key in t.keys().filter(|k| !known.contains(&k.as_str())) {
            let reason = format!("unknown key; expected one of: {}", known.join(", "));
            self.fail(&format!("{prefix}{key}"), reason);
        }
    }

    pub fn string(&mut self, t: &Table, key: &str) -> Option<String> {
        match t.get(key) {
            None => self.fail(key, "missing; it is required"),
            Some(Value::String(s)) if s.trim().is_empty() => self.fail(key, "must not be empty"),
            Some(Value::String(s)) => return Some(s.clone()),
            Some(v) => self.fail(key, format!("must be a string, not {}", v.type_str())),
        }
        None
    }

    pub fn strings(&mut self, t: &Table, key: &str, required: bool) -> Vec<String> {
        match t.get(key) {
            None if required => self.fail(key, "missing; it is required"),
            None => {}
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) if !s.trim().is_empty() => out.push(s.clone()),
                        _ => self.fail(&format!("{key}[{i}]"), "must be a non-empty string"),
                    }
                }
                if required && items.is_empty() {
                    self.fail(key, "must list at least one entry");
                }
                return out;
            }
            Some(v) => self.fail(
                key,
                format!("must be an array of strings, not {}", v.type_str()),
            ),
        }
        Vec::new()
    }

    pub fn int(
        &mut self,
        t: &Table,
        key: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Option<i64> {
        match t.get(key)? {
            Value::Integer(n) if range.contains(n) => Some(*n),
            Value::Integer(n) => {
                self.fail(
                    key,
                    format!("{n} is out of range {}..={}", range.start(), range.end()),
                );
                None
            }
            v => {
                self.fail(key, format!("must be an integer, not {}", v.type_str()));
                None
            }
        }
    }
}
