//! Rule drafts: a user rules file whose one rule fires on the stable text of one log line.
//!
//! The line's message is reduced to its template ([`crate::template`]); the parts between the
//! masks that are long enough to mean something become the rule's `all` literals (the variable
//! parts are left out). The line itself is the rule's `fire` sample, and another line of the
//! same file that holds none of the literals is its `quiet` sample. The draft is loaded as the
//! analysis would load it, samples run, before it is handed out: a draft that would not pass
//! `check-rules` is never returned.

use crate::catalogue::Catalogue;
use crate::decode::StreamDecoder;
use crate::error::{Error, ErrorKind};
use crate::kind::{self, FileKind};
use crate::layout::{parse_start, split_tagged, Layout, Level};
use crate::lines::{contains_folded, head, numbered};
use crate::rules::Severity;
use crate::template::template;

/// The masks [`template`] writes; the text between them is what stays the same.
const MASKS: [&str; 12] = [
    "<num>",
    "<hex>",
    "<id>",
    "<guid>",
    "<ip>",
    "<host>",
    "<url>",
    "<path>",
    "<version>",
    "<time>",
    "<email>",
    "<*>",
];
/// A literal shorter than this (in bytes) is too common to name a cause on its own.
const MIN_LITERAL: usize = 6;
/// At most this many literals, the longest, in the order of the line.
const MAX_LITERALS: usize = 3;
/// Bytes of template kept in the drafted title.
const TITLE: usize = 90;

/// A drafted rules file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The rule's id.
    pub id: String,
    /// The rules file, TOML, as `check-rules` reads it.
    pub toml: String,
    /// The literals the rule looks for, all in one record.
    pub literals: Vec<String>,
}

/// Drafts a rule from line `line` (1-based) of the file `name`, whose bytes are `bytes` (any
/// encoding the analysis reads). `id` is the rule's id, or one is made from the line's words.
pub fn from_bytes(name: &str, bytes: &[u8], line: u32, id: Option<&str>) -> Result<Draft, Error> {
    let mut text = String::new();
    let mut decoder = StreamDecoder::new(name);
    decoder.push(bytes, &mut text)?;
    decoder.finish(&mut text)?;
    from_text(name, &text, line, id)
}

/// Like [`from_bytes`], for decoded text.
pub fn from_text(name: &str, text: &str, line: u32, id: Option<&str>) -> Result<Draft, Error> {
    let fail = |reason: String| Error::new(ErrorKind::Draft, reason).in_file(name);
    let lines: Vec<&str> = numbered(text).map(|(_, _, l)| l).collect();
    let Some(&first) = lines.get((line as usize).wrapping_sub(1)) else {
        return Err(fail(format!(
            "line {line} is not in the file, which has {} lines",
            lines.len()
        )));
    };
    let next = lines.get(line as usize).copied();
    let others: Vec<&str> = lines
        .iter()
        .enumerate()
        .filter(|&(i, _)| i + 1 != line as usize)
        .map(|(_, l)| *l)
        .collect();
    let draft = compose(
        name,
        kind::detect(name, text),
        line,
        first,
        next,
        &others,
        id,
    )?;
    // The draft must load and its samples behave, as check-rules and analyze --rules see it.
    let file = format!("{}.toml", draft.id);
    let extra = Catalogue::with_extra(&[(file.as_str(), draft.toml.as_str())]);
    if let Some(problem) = extra.rejected().into_iter().flat_map(|(_, p)| p).next() {
        return Err(fail(format!(
            "the rule drafted from line {line} does not pass its own checks: {problem}"
        )));
    }
    Ok(draft)
}

/// Drafts the rules file for line `line` of the file `name` (of `kind`): its text `first`, the
/// line after it `next` (taken along when `first` is a java.util.logging header), and
/// `others`, lines of the same file from which the quiet sample is chosen. Unlike
/// [`from_text`], the draft is not loaded to check it: the page does that when it runs it.
pub fn compose(
    name: &str,
    kind: FileKind,
    line: u32,
    first: &str,
    next: Option<&str>,
    others: &[&str],
    id: Option<&str>,
) -> Result<Draft, Error> {
    let fail = |reason: String| Error::new(ErrorKind::Draft, reason).in_file(name);
    if first.trim().is_empty() {
        return Err(fail(format!("line {line} is blank")));
    }
    // A java.util.logging header keeps its message on the next line: both are the sample.
    let jul = parse_start(first).is_some_and(|h| h.jul_header);
    let (said, sample) = match next {
        Some(next) if jul => (next, format!("{first}\n{next}")),
        _ => (first, first.to_string()),
    };
    let (level, message) = message_of(said);
    let literals = literals(&template(message), said);
    if literals.is_empty() {
        return Err(fail(format!(
            "line {line} has no stable text to match: once its numbers, ids, names and \
             paths are set aside, no run of {MIN_LITERAL} characters or more is left"
        )));
    }
    let id = match id {
        Some(id) => id.to_string(),
        None => made_id(&literals),
    };
    let quiet = others
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty() && *l != first && *l != said)
        .filter(|l| !literals.iter().any(|lit| contains_folded(l, lit)))
        // A line that looks like trouble itself is a poor example of "unrelated".
        .min_by_key(|l| looks_like_trouble(l));
    let toml = write(&Parts {
        name,
        line,
        id: &id,
        severity: if level >= Level::Error {
            Severity::Error
        } else {
            Severity::Warning
        },
        title: &template(message),
        kind,
        literals: &literals,
        fire: &sample,
        quiet,
    });
    Ok(Draft { id, toml, literals })
}

/// The level and message of a line: after its layout's columns, a legacy level tag, or a
/// java.util.logging level word (`SEVERE: …`).
fn message_of(line: &str) -> (Level, &str) {
    let Some(head) = parse_start(line) else {
        return (Level::Info, line.trim());
    };
    let (mut level, mut message) = (head.level, head.message);
    if head.layout == Layout::Legacy {
        if let Some((_, l, m)) = split_tagged(message) {
            (level, message) = (l, m);
        }
    }
    if let Some((word, rest)) = message.split_once(": ") {
        if let Some(l) = Level::from_word(word) {
            (level, message) = (level.max(l), rest);
        }
    }
    (level, message.trim())
}

/// The stable runs of `template` that `line` holds as written (ASCII case aside): at least
/// [`MIN_LITERAL`] bytes, holding a letter; the longest [`MAX_LITERALS`], in line order.
fn literals(template: &str, line: &str) -> Vec<String> {
    let mut runs: Vec<&str> = Vec::new();
    let mut rest = template.trim_end_matches('…');
    loop {
        let next = MASKS
            .iter()
            .filter_map(|m| rest.find(m).map(|at| (at, m.len())))
            .min();
        let (run, after) = match next {
            Some((at, len)) => (&rest[..at], Some(at + len)),
            None => (rest, None),
        };
        let run = run.trim_matches(|c: char| c.is_whitespace() || "'\"=([{,;".contains(c));
        if run.len() >= MIN_LITERAL
            && run.bytes().any(|c| c.is_ascii_alphabetic())
            && contains_folded(line, run)
        {
            runs.push(run);
        }
        match after {
            Some(k) => rest = &rest[k..],
            None => break,
        }
    }
    let mut longest: Vec<usize> = (0..runs.len()).collect();
    longest.sort_by_key(|&i| (std::cmp::Reverse(runs[i].len()), i));
    longest.truncate(MAX_LITERALS);
    longest.sort_unstable();
    longest.into_iter().map(|i| runs[i].to_string()).collect()
}

/// 1 for a line with an error, warning or exception word, else 0.
fn looks_like_trouble(line: &str) -> u8 {
    u8::from(
        ["error", "severe", "warn", "exception", "fail"]
            .iter()
            .any(|w| contains_folded(line, w)),
    )
}

/// `local-` and the first words of the first literal, kebab-case.
fn made_id(literals: &[String]) -> String {
    let words: Vec<String> = literals[0]
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(5)
        .map(str::to_ascii_lowercase)
        .collect();
    let mut id = String::from("local");
    for w in words {
        if id.len() + w.len() > 40 {
            break;
        }
        id.push('-');
        id.push_str(&w);
    }
    id
}

/// What goes into the drafted file.
struct Parts<'a> {
    name: &'a str,
    line: u32,
    id: &'a str,
    severity: Severity,
    title: &'a str,
    kind: FileKind,
    literals: &'a [String],
    fire: &'a str,
    quiet: Option<&'a str>,
}

/// The rules file.
fn write(p: &Parts<'_>) -> String {
    let base = p.name.rsplit(['/', '\\']).next().unwrap_or(p.name);
    let mut title = head(p.title, TITLE).to_string();
    if title.len() < p.title.len() {
        title.push('…');
    }
    let files = match p.kind {
        FileKind::Agent | FileKind::Wrapper | FileKind::Upgrade => {
            format!("files = [{}, \"unknown\"]\n", quote(p.kind.name()))
        }
        _ => String::new(),
    };
    let list =
        |items: &mut dyn Iterator<Item = &str>| items.map(quote).collect::<Vec<_>>().join(", ");
    let quiet = match p.quiet {
        Some(q) => format!("quiet = [{}]\n", quote(q)),
        None => String::new(),
    };
    format!(
        "# Drafted by midtriage from line {line} of {base}.\n\
         # Before you share it: write the title, summary and resolution in your own words, set\n\
         # `kb` to the article that explains the cause (KB0596459 is the general upgrade\n\
         # troubleshooting article), and check that `all` names what stays the same each time.\n\
         # Test it with `midtriage check-rules FILE` and `midtriage analyze --rules FILE LOG`.\n\
         \n\
         [[rule]]\n\
         id = {id}\n\
         title = {title}\n\
         severity = {severity}\n\
         kb = \"KB0596459\"\n\
         step = 4\n\
         summary = {summary}\n\
         {files}\
         resolution = [{resolution}]\n\
         [[rule.when]]\n\
         all = [{all}]\n\
         [rule.samples]\n\
         fire = [{fire}]\n\
         {quiet}",
        line = p.line,
        id = quote(p.id),
        title = quote(&title),
        severity = quote(p.severity.name()),
        summary = quote(&format!(
            "Drafted from line {} of {base}. Say here what this message means and why it stops the MID Server or its upgrade.",
            p.line
        )),
        resolution = quote("Say here what to do, step by step."),
        all = list(&mut p.literals.iter().map(String::as_str)),
        fire = quote(p.fire),
    )
}

/// A TOML basic string.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
02/06/19 09:16:09 (922) StartupSequencer Starting MID Server
02/06/19 09:16:10 (922) StartupSequencer SEVERE *** ERROR *** Problem creating JMX JMXMP connector on port 1099
02/06/19 09:16:11 (100) ECCSender.1 Sending ecc_queue.4625.xml
";

    #[test]
    fn the_draft_keeps_the_stable_text_and_leaves_out_the_variable_parts() {
        let d = from_text("agent0.log.0", LOG, 2, None).unwrap();
        assert_eq!(d.literals, ["Problem creating JMX JMXMP connector on port"]);
        assert_eq!(d.id, "local-problem-creating-jmx-jmxmp");
        assert!(
            d.toml.contains("files = [\"agent\", \"unknown\"]"),
            "{}",
            d.toml
        );
        assert!(d.toml.contains("severity = \"error\""));
        // The unrelated line that is not trouble is the quiet sample.
        assert!(
            d.toml.contains(
                "quiet = [\"02/06/19 09:16:09 (922) StartupSequencer Starting MID Server\"]"
            ),
            "{}",
            d.toml
        );
    }

    #[test]
    fn the_draft_loads_and_fires_on_other_occurrences() {
        let d = from_text("agent0.log.0", LOG, 2, Some("my-jmx")).unwrap();
        let extra = Catalogue::with_extra(&[("my.toml", d.toml.as_str())]);
        assert!(extra.rejected().is_empty());
        let other = "03/01/20 10:00:00 (001) StartupSequencer SEVERE *** ERROR *** Problem creating JMX JMXMP connector on port 2001\n";
        let catalogue = extra.catalogue.unwrap();
        let input = crate::Input {
            name: "agent0.log.1",
            bytes: other.as_bytes(),
            kind: None,
        };
        let a = crate::analyze(&catalogue, &[input], &crate::Context::default());
        assert!(a.findings.iter().any(|f| f.id == "my-jmx"));
    }

    /// KB0779852's upgrade log: java.util.logging's header, then its level and message.
    #[test]
    fn java_util_logging_headers_take_their_next_line() {
        let log = "INFO   | jvm 1    | 2019/09/21 16:30:47.802 | Sep 21, 2019 4:30:47 PM com.snc.dist.mid_upgrade.UpgradeMain deleteJreDirIfSourced
INFO   | jvm 1    | 2019/09/21 16:30:47.817 | WARNING: java.io.IOException: Unable to delete directory C:\\ServiceNow\\agent\\jre\\bin.
INFO   | jvm 1    | 2019/09/21 16:30:47.130 | INFO: Removing previous MID JRE at `C:\\ServiceNow\\agent\\jre`.
";
        let d = from_text("wrapper.log", log, 1, None).unwrap();
        assert_eq!(
            d.literals,
            ["java.io.IOException: Unable to delete directory"]
        );
        assert!(d.toml.contains("severity = \"warning\""), "{}", d.toml);
        assert!(
            d.toml.contains("deleteJreDirIfSourced\\nINFO   | jvm 1"),
            "{}",
            d.toml
        );
    }

    #[test]
    fn bad_requests_name_the_file_and_the_problem() {
        let e = from_text("agent0.log.0", LOG, 9, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "agent0.log.0: line 9 is not in the file, which has 3 lines"
        );
        let e = from_text("agent0.log.0", LOG, 0, None).unwrap_err();
        assert!(e.to_string().contains("line 0 is not in the file"));
        let e = from_text("a.log", "x\n\n12 34 56\n", 2, None).unwrap_err();
        assert!(e.to_string().ends_with("line 2 is blank"), "{e}");
        let e = from_text("a.log", "x\n\n12 34 56\n", 3, None).unwrap_err();
        assert!(e.to_string().contains("no stable text"), "{e}");
        let e = from_text("agent0.log.0", LOG, 2, Some("Not Kebab")).unwrap_err();
        assert!(e.to_string().contains("kebab-case"), "{e}");
        let e = from_bytes("x.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00", 1, None).unwrap_err();
        assert!(e.to_string().starts_with("x.gz: not a text log"), "{e}");
    }

    #[test]
    fn quotes_and_backslashes_survive_the_toml() {
        let log = "INFO   | jvm 1    | 2019/09/07 14:54:27.582 | SEVERE: Could not delete \"C:\\ServiceNow\\agent\\lib\\x.jar\" after retries\nINFO   | jvm 1    | 2019/09/07 14:54:27.582 | INFO: Copied a file\n";
        let d = from_text("wrapper.log", log, 1, None).unwrap();
        assert_eq!(d.literals, ["Could not delete", "after retries"]);
        assert!(d.toml.contains("\\\"C:\\\\ServiceNow"), "{}", d.toml);
    }
}
