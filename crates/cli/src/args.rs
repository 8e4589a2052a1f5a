//! Command-line arguments.

use std::ffi::OsString;

use lexopt::prelude::*;
use midtriage_engine::{FileKind, Status};

/// The usage text.
pub const HELP: &str = "\
midtriage: diagnose a failed ServiceNow MID Server upgrade from its logs

USAGE:
    midtriage analyze [OPTIONS] FILE...    analyse logs (`-` reads standard input)
    midtriage rules [--literals]           list the built-in rules (or every literal they search for)
    midtriage check-rules FILE             validate a rules file and run its samples
    midtriage draft-rule FILE:LINE [--id ID]
                                           print a rules file whose one rule fires on
                                           that line's stable text (edit it, then use
                                           it with check-rules and analyze --rules)
    midtriage --version | --help

ANALYZE OPTIONS:
    --format text|json|markdown   output format (default: text)
    --status STATUS               the MID's status: up, down, upgrade-failed, upgrading
    --instance-version STRING     the instance's version: an Upgrade History \"To\" value,
                                  a build tag or a buildstamp
    --mid-version STRING          the MID Server's version, if known
    --kind KIND                   treat the FILEs after it as agent, wrapper, upgrade,
                                  config or unknown (default: detected from content)
    --rules FILE                  add the rules in FILE (TOML, as check-rules reads) to the
                                  built-in ones; a file with problems is reported and left
                                  out (repeatable)
    --threads N                   analyse up to N files at once (default: one per core);
                                  the output is the same with any N

EXIT STATUS:
    0 the analysis ran (whatever it found; unreadable files are reported on stderr)
    1 check-rules found problems, draft-rule could not draft, or output failed
    2 bad usage
";

/// Output formats of `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

/// A file argument with the kind that applies to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileArg {
    pub path: String,
    pub kind: Option<FileKind>,
}

/// What the user asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Help,
    Version,
    Rules {
        literals: bool,
    },
    CheckRules {
        file: String,
    },
    DraftRule {
        file: String,
        /// 1-based.
        line: u32,
        id: Option<String>,
    },
    Analyze {
        files: Vec<FileArg>,
        format: Format,
        status: Option<Status>,
        instance_version: Option<String>,
        mid_version: Option<String>,
        rules: Vec<String>,
        /// Files analysed at once.
        threads: usize,
    },
}

/// Parses the arguments (without the program name); errors are one-line messages.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut p = lexopt::Parser::from_args(args);
    let sub = match p.next().map_err(|e| e.to_string())? {
        None | Some(Short('h') | Long("help")) => return Ok(Command::Help),
        Some(Short('V') | Long("version")) => return Ok(Command::Version),
        Some(Value(v)) => v
            .string()
            .map_err(|_| "the command is not valid UTF-8".to_string())?,
        Some(other) => return Err(other.unexpected().to_string()),
    };
    match sub.as_str() {
        "rules" => match p.next().map_err(|e| e.to_string())? {
            None => Ok(Command::Rules { literals: false }),
            Some(Long("literals")) => no_more(&mut p).map(|()| Command::Rules { literals: true }),
            Some(other) => Err(other.unexpected().to_string()),
        },
        "check-rules" => {
            let file = match p.next().map_err(|e| e.to_string())? {
                Some(Value(v)) => path(v)?,
                Some(other) => return Err(other.unexpected().to_string()),
                None => return Err("check-rules needs a FILE".into()),
            };
            no_more(&mut p).map(|()| Command::CheckRules { file })
        }
        "draft-rule" => draft_rule(&mut p),
        "analyze" | "analyse" => analyze(&mut p),
        "help" => Ok(Command::Help),
        other => Err(format!(
            "unknown command `{other}`; expected analyze, rules, check-rules or draft-rule"
        )),
    }
}

fn draft_rule(p: &mut lexopt::Parser) -> Result<Command, String> {
    let (mut at, mut id) = (None, None);
    while let Some(arg) = p.next().map_err(|e| e.to_string())? {
        match arg {
            Long("id") => id = Some(text(p)?),
            Value(v) if at.is_none() => at = Some(path(v)?),
            other => return Err(other.unexpected().to_string()),
        }
    }
    let at = at.ok_or("draft-rule needs FILE:LINE, e.g. agent0.log.0:1234")?;
    let (file, line) = at
        .rsplit_once(':')
        .and_then(|(f, l)| Some((f, l.parse::<u32>().ok().filter(|&n| n > 0)?)))
        .filter(|(f, _)| !f.is_empty())
        .ok_or_else(|| {
            format!("`{at}` is not FILE:LINE with a line number from 1, e.g. agent0.log.0:1234")
        })?;
    Ok(Command::DraftRule {
        file: file.to_string(),
        line,
        id,
    })
}

fn analyze(p: &mut lexopt::Parser) -> Result<Command, String> {
    let (mut files, mut format, mut status, mut instance, mut mid, mut kind) =
        (Vec::new(), Format::Text, None, None, None, None);
    let mut rules = Vec::new();
    let mut threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    while let Some(arg) = p.next().map_err(|e| e.to_string())? {
        match arg {
            Long("format") => {
                format = match text(p)?.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "markdown" | "md" => Format::Markdown,
                    f => {
                        return Err(format!(
                            "unknown format `{f}`; expected text, json or markdown"
                        ))
                    }
                }
            }
            Long("status") => status = Some(text(p)?.parse::<Status>()?),
            Long("instance-version") => instance = Some(text(p)?),
            Long("mid-version") => mid = Some(text(p)?),
            Long("kind") => kind = Some(text(p)?.parse::<FileKind>()?),
            Long("rules") => rules.push(path(p.value().map_err(|e| e.to_string())?)?),
            Long("threads") => {
                threads = match text(p)?.parse::<usize>() {
                    Ok(n) if n > 0 => n,
                    _ => return Err("--threads needs a number of 1 or more".into()),
                }
            }
            Value(v) => files.push(FileArg {
                path: path(v)?,
                kind,
            }),
            Short('h') | Long("help") => return Ok(Command::Help),
            other => return Err(other.unexpected().to_string()),
        }
    }
    if files.is_empty() {
        return Err("analyze needs at least one FILE (or - for standard input)".into());
    }
    Ok(Command::Analyze {
        files,
        format,
        status,
        instance_version: instance,
        mid_version: mid,
        rules,
        threads,
    })
}

fn text(p: &mut lexopt::Parser) -> Result<String, String> {
    let v = p.value().map_err(|e| e.to_string())?;
    v.string()
        .map_err(|_| "an option value is not valid UTF-8".to_string())
}

fn path(v: OsString) -> Result<String, String> {
    v.into_string()
        .map_err(|v| format!("file name {v:?} is not valid UTF-8"))
}

fn no_more(p: &mut lexopt::Parser) -> Result<(), String> {
    match p.next().map_err(|e| e.to_string())? {
        None => Ok(()),
        Some(arg) => Err(arg.unexpected().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().map(OsString::from))
    }

    #[test]
    fn analyze_with_options_and_kind_overrides() {
        let c = parse_str(&[
            "analyze",
            "--format",
            "json",
            "--status",
            "Upgrade Failed",
            "a.log",
            "--kind",
            "wrapper",
            "b.txt",
            "-",
        ])
        .unwrap();
        let Command::Analyze {
            files,
            format,
            status,
            ..
        } = c
        else {
            panic!()
        };
        assert_eq!(format, Format::Json);
        assert_eq!(status, Some(Status::UpgradeFailed));
        assert_eq!(
            files.iter().map(|f| f.kind).collect::<Vec<_>>(),
            [None, Some(FileKind::Wrapper), Some(FileKind::Wrapper)]
        );
        assert_eq!(files[2].path, "-");
    }

    #[test]
    fn threads_default_to_the_cores_and_must_be_positive() {
        let threads = |args: &[&str]| match parse_str(args) {
            Ok(Command::Analyze { threads, .. }) => Ok(threads),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e),
        };
        assert!(threads(&["analyze", "a.log"]).unwrap() >= 1);
        assert_eq!(threads(&["analyze", "--threads", "3", "a.log"]), Ok(3));
        for bad in ["0", "-1", "many"] {
            let e = threads(&["analyze", "--threads", bad, "a.log"]).unwrap_err();
            assert!(e.contains("--threads"), "{e}");
        }
    }

    #[test]
    fn bad_usage_is_a_one_line_message() {
        for args in [
            &["analyze"][..],
            &["analyze", "--format", "xml", "a"],
            &["frobnicate"],
            &["analyze", "--status", "sideways", "a"],
            &["check-rules"],
            &["rules", "extra"],
        ] {
            let e = parse_str(args).unwrap_err();
            assert!(!e.contains('\n'), "{e}");
        }
    }
}
