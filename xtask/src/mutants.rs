//! `cargo xtask mutants [--lib | --rest] [FILE...]`: mutation testing of the engine with
//! cargo-mutants. Each mutant (a changed operator, a function returning a constant, ...) is built
//! and the engine's own tests run against it; a mutant the tests do not notice is `missed`.
//!
//! The engine's unit tests take under a second and build in seconds; its integration tests take
//! longer to link and run. So by default every mutant first meets the unit tests, and only the
//! ones they miss meet the whole suite (cargo-mutants' `--iterate`). `--lib` stops after the
//! unit tests; `--rest` runs only the second pass, on what the last run missed (after adding
//! tests, say). Writes MUTANTS.md: one row per file (replaced when the file runs again, with
//! the commit it ran on) and the missed mutants. Slow, so not part of `cargo xtask test`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::cmd::{output, root, run, Cmd};
use crate::setup;

/// The pinned cargo-mutants version.
const CARGO_MUTANTS: &str = "27.1.0";
/// The engine files checked when no file is named: the scanning and matching core.
const DEFAULT_FILES: &[&str] = &[
    "crates/engine/src/stream/*.rs",
    "crates/engine/src/scan/*.rs",
    "crates/engine/src/matcher.rs",
    "crates/engine/src/file_scope.rs",
    "crates/engine/src/phase.rs",
    "crates/engine/src/version.rs",
    "crates/engine/src/rules/*.rs",
];
/// Where cargo-mutants writes its `mutants.out/`.
const OUT: &str = "target/mutants";

/// Which tests a run used.
#[derive(Clone, Copy, PartialEq)]
enum Tests {
    Unit,
    All,
}

pub fn mutants(args: &[String]) -> Result<(), String> {
    let lib_only = args.iter().any(|a| a == "--lib");
    let rest_only = args.iter().any(|a| a == "--rest");
    if lib_only && rest_only {
        return Err("mutants: --lib and --rest exclude each other".into());
    }
    let named: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let files: Vec<&str> = if named.is_empty() {
        DEFAULT_FILES.to_vec()
    } else {
        named
    };
    let path = setup::tools_path();
    setup::cargo_tool("cargo-mutants", CARGO_MUTANTS, &["--locked"], &path)?;
    // The code as cargo-mutants copies it, before the runs (which take long enough for the
    // tree to change meanwhile).
    let code = tree_state();
    let mut outcomes = Outcomes::default();
    if !rest_only {
        // cargo-mutants exits non-zero when a mutant is missed; the lists say what happened.
        let _ = run(cargo_mutants(&files, Tests::Unit));
        outcomes = read_outcomes("mutants.out")?;
        if outcomes.is_empty() {
            return Err("cargo-mutants tested no mutant".into());
        }
    }
    let tests = if lib_only {
        Tests::Unit
    } else {
        let _ = run(cargo_mutants(&files, Tests::All));
        if rest_only {
            // `--iterate` moved the last run's lists to mutants.out.old.
            outcomes = read_outcomes("mutants.out.old")?;
        }
        outcomes.update(read_outcomes("mutants.out")?);
        Tests::All
    };
    let report = report(&outcomes, &code, tests);
    std::fs::write(root().join("MUTANTS.md"), &report).map_err(|e| format!("MUTANTS.md: {e}"))?;
    print!("{report}");
    Ok(())
}

/// The cargo-mutants run over `files`: every mutant against the unit tests, or, with all the
/// tests, only those the last run did not catch and that were viable.
fn cargo_mutants(files: &[&str], tests: Tests) -> Cmd {
    let mut cmd = Cmd::new("cargo").args([
        "mutants",
        "--package",
        "midtriage-engine",
        "--output",
        OUT,
        "--no-shuffle",
    ]);
    if tests == Tests::All {
        // Slow builds and test runs, one per core at a time.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        cmd = cmd.args(["--iterate", "--jobs", &cores.to_string()]);
    }
    for f in files {
        cmd = cmd.args(["--file", f]);
    }
    // The unit tests, or every test target (not the doc examples).
    let targets = if tests == Tests::Unit {
        "--lib"
    } else {
        "--tests"
    };
    cmd.args(["--", targets])
}

/// What happened to a mutant.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Outcome {
    Caught,
    Missed,
    /// The tests hung with it: that counts as caught.
    Timeout,
    /// It did not build.
    Unviable,
    /// Skipped by an `--iterate` run because an earlier run caught it (or found it unviable):
    /// counts as caught unless the earlier run's lists say otherwise.
    Earlier,
}

/// The outcome of each mutant, by its line `file:line:col: description`.
#[derive(Default)]
struct Outcomes(BTreeMap<String, Outcome>);

impl Outcomes {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A later run's outcomes replace the earlier ones of the same mutants (what it skipped
    /// keeps its earlier outcome).
    fn update(&mut self, later: Outcomes) {
        for (mutant, outcome) in later.0 {
            if outcome != Outcome::Earlier || !self.0.contains_key(&mutant) {
                self.0.insert(mutant, outcome);
            }
        }
    }

    fn of(&self, outcome: Outcome) -> impl Iterator<Item = &String> {
        self.0
            .iter()
            .filter(move |(_, o)| **o == outcome)
            .map(|(m, _)| m)
    }
}

/// The lists cargo-mutants wrote in `OUT/<dir>`; `previously_caught.txt` holds what an
/// `--iterate` run skipped because an earlier run caught it or could not build it.
fn read_outcomes(dir: &str) -> Result<Outcomes, String> {
    let dir = root().join(OUT).join(dir);
    let mut outcomes = Outcomes::default();
    for (name, outcome) in [
        ("previously_caught.txt", Outcome::Earlier),
        ("caught.txt", Outcome::Caught),
        ("missed.txt", Outcome::Missed),
        ("timeout.txt", Outcome::Timeout),
        ("unviable.txt", Outcome::Unviable),
    ] {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                for line in text.lines().filter(|l| !l.trim().is_empty()) {
                    outcomes.0.insert(line.to_string(), outcome);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("{}: {e}", path.display())),
        }
    }
    Ok(outcomes)
}

/// The file a mutant line names.
fn file_of(line: &str) -> &str {
    line.split(':').next().unwrap_or(line)
}

/// One row of the table: caught, missed, timed out, unviable, and caught of the viable ones.
struct Row {
    file: String,
    caught: usize,
    missed: usize,
    timeout: usize,
    unviable: usize,
}

impl Row {
    fn markdown(&self, code: &str) -> String {
        // A timed-out mutant made the tests hang: that counts as caught.
        let caught = self.caught + self.timeout;
        let viable = caught + self.missed;
        let share = if viable == 0 {
            "–".to_string()
        } else {
            format!("{:.0} %", 100.0 * caught as f64 / viable as f64)
        };
        format!(
            "| {} | {caught} | {} | {} | {viable} | {share} | {code} |",
            self.file, self.missed, self.unviable
        )
    }
}

/// The commit checked out, with `+changes` when the engine has uncommitted changes.
fn tree_state() -> String {
    let commit = output("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_default();
    let dirty = output("git", &["status", "--porcelain", "--", "crates/engine"])
        .is_some_and(|s| !s.trim().is_empty());
    format!("{}{}", commit.trim(), if dirty { "+changes" } else { "" })
}

/// MUTANTS.md: the rows of the files just run replace their old rows; other rows are kept.
fn report(o: &Outcomes, code: &str, tests: Tests) -> String {
    let code = match tests {
        Tests::Unit => format!("{code} (unit tests)"),
        Tests::All => code.to_string(),
    };
    let mut rows: Vec<Row> = Vec::new();
    for (line, outcome) in &o.0 {
        let file = file_of(line);
        let at = match rows.iter().position(|r| r.file == file) {
            Some(i) => i,
            None => {
                rows.push(Row {
                    file: file.to_string(),
                    caught: 0,
                    missed: 0,
                    timeout: 0,
                    unviable: 0,
                });
                rows.len() - 1
            }
        };
        let row = &mut rows[at];
        match outcome {
            Outcome::Caught | Outcome::Earlier => row.caught += 1,
            Outcome::Missed => row.missed += 1,
            Outcome::Timeout => row.timeout += 1,
            Outcome::Unviable => row.unviable += 1,
        }
    }
    let old = std::fs::read_to_string(root().join("MUTANTS.md")).unwrap_or_default();
    let mut lines: Vec<(String, String)> = old
        .lines()
        .filter(|l| l.starts_with("| crates/"))
        .filter_map(|l| {
            let file = l.trim_start_matches("| ").split(" |").next()?.to_string();
            (!rows.iter().any(|r| r.file == file)).then(|| (file, l.to_string()))
        })
        .collect();
    lines.extend(rows.iter().map(|r| (r.file.clone(), r.markdown(&code))));
    lines.sort();
    let mut md = String::from(
        "# Mutation testing\n\nWritten by `cargo xtask mutants [--lib | --rest] [FILE...]` \
         (cargo-mutants on the engine's own tests: its unit tests first, then unit and \
         integration tests on the mutants the unit tests missed; with `--lib` the unit tests \
         only, marked in the `code` column). A mutant is a small change to the code; `caught` means a \
         test failed (or hung) with it, `missed` that every test still passed. A file's row is \
         replaced when it runs again; `code` is the commit it ran on.\n\n",
    );
    md.push_str("| file | caught | missed | unviable | viable | caught of viable | code |\n");
    md.push_str("|---|---:|---:|---:|---:|---:|---|\n");
    for (_, line) in &lines {
        md.push_str(line);
        md.push('\n');
    }
    let missed: Vec<&String> = o.of(Outcome::Missed).collect();
    md.push_str("\n## Missed in the last run\n\n");
    if missed.is_empty() {
        md.push_str("None.\n");
    }
    for m in missed {
        let _ = writeln!(md, "- `{m}`");
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes(list: &[(&str, Outcome)]) -> Outcomes {
        Outcomes(list.iter().map(|(m, o)| (m.to_string(), *o)).collect())
    }

    /// The second pass retests what the unit tests missed; its verdict is the one that counts,
    /// and what the first pass caught or could not build stays as it was.
    #[test]
    fn the_whole_suite_overrides_what_the_unit_tests_missed() {
        let mut o = outcomes(&[
            ("a.rs:1:1: x", Outcome::Caught),
            ("a.rs:2:1: y", Outcome::Missed),
            ("a.rs:3:1: z", Outcome::Missed),
            ("b.rs:1:1: w", Outcome::Unviable),
        ]);
        o.update(outcomes(&[
            ("a.rs:1:1: x", Outcome::Earlier),
            ("a.rs:2:1: y", Outcome::Caught),
            ("a.rs:3:1: z", Outcome::Timeout),
            ("b.rs:1:1: w", Outcome::Earlier),
        ]));
        assert_eq!(o.of(Outcome::Missed).count(), 0);
        assert_eq!(o.of(Outcome::Caught).count(), 2);
        assert_eq!(o.of(Outcome::Unviable).count(), 1);
        let row = Row {
            file: "a.rs".into(),
            caught: 2,
            missed: 1,
            timeout: 1,
            unviable: 0,
        };
        assert_eq!(row.markdown("abc"), "| a.rs | 3 | 1 | 0 | 4 | 75 % | abc |");
    }
}
