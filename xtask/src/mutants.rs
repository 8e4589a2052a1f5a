//! `cargo xtask mutants [--lib] [FILE...]`: mutation testing of the engine with cargo-mutants.
//! Each mutant (a changed operator, a function returning a constant, ...) is built and the
//! engine's own tests run against it (`--lib`: only its unit tests, much faster); a mutant the
//! tests do not notice is `missed`. Writes MUTANTS.md:
//! one row per file (replaced when the file runs again, with the commit it ran on) and the
//! missed mutants. Slow (a build and a test run per mutant), so not part of `cargo xtask test`.

use std::fmt::Write as _;

use crate::cmd::{output, root, run, Cmd};
use crate::setup;

/// The pinned cargo-mutants version.
const CARGO_MUTANTS: &str = "27.1.0";
/// The engine files checked when no file is named: the scanning and matching core.
const DEFAULT_FILES: &[&str] = &[
    "crates/engine/src/stream/*.rs",
    "crates/engine/src/scan.rs",
    "crates/engine/src/matcher.rs",
    "crates/engine/src/file_scope.rs",
    "crates/engine/src/phase.rs",
    "crates/engine/src/version.rs",
    "crates/engine/src/rules/*.rs",
];
/// Where cargo-mutants writes its `mutants.out/`.
const OUT: &str = "target/mutants";

/// The outcome lists of one run, each line `file:line:col: description`.
struct Outcomes {
    caught: Vec<String>,
    missed: Vec<String>,
    timeout: Vec<String>,
    unviable: Vec<String>,
}

pub fn mutants(args: &[String]) -> Result<(), String> {
    let lib_only = args.iter().any(|a| a == "--lib");
    let named: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--lib")
        .collect();
    let files: Vec<&str> = if named.is_empty() {
        DEFAULT_FILES.to_vec()
    } else {
        named
    };
    let path = setup::tools_path();
    setup::cargo_tool("cargo-mutants", CARGO_MUTANTS, &["--locked"], &path)?;
    let mut cmd = Cmd::new("cargo").args([
        "mutants",
        "--package",
        "midtriage-engine",
        "--output",
        OUT,
        "--no-shuffle",
    ]);
    for f in &files {
        cmd = cmd.args(["--file", f]);
    }
    if lib_only {
        cmd = cmd.args(["--", "--lib"]);
    }
    // cargo-mutants exits non-zero when a mutant is missed; the lists say what happened.
    let status = run(cmd);
    let outcomes = read_outcomes()?;
    if outcomes.caught.is_empty() && outcomes.missed.is_empty() {
        return status.and(Err("cargo-mutants tested no mutant".into()));
    }
    let report = report(&outcomes, lib_only);
    std::fs::write(root().join("MUTANTS.md"), &report).map_err(|e| format!("MUTANTS.md: {e}"))?;
    print!("{report}");
    Ok(())
}

fn read_outcomes() -> Result<Outcomes, String> {
    let dir = root().join(OUT).join("mutants.out");
    let list = |name: &str| -> Result<Vec<String>, String> {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(text.lines().map(str::to_string).collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    };
    Ok(Outcomes {
        caught: list("caught.txt")?,
        missed: list("missed.txt")?,
        timeout: list("timeout.txt")?,
        unviable: list("unviable.txt")?,
    })
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

/// MUTANTS.md: the rows of the files just run replace their old rows; other rows are kept.
fn report(o: &Outcomes, lib_only: bool) -> String {
    let commit = output("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_default();
    let dirty = output("git", &["status", "--porcelain", "--", "crates/engine"])
        .is_some_and(|s| !s.trim().is_empty());
    let code = format!(
        "{}{}{}",
        commit.trim(),
        if dirty { "+changes" } else { "" },
        if lib_only { " (unit tests)" } else { "" }
    );
    let mut rows: Vec<Row> = Vec::new();
    let all = [&o.caught, &o.missed, &o.timeout, &o.unviable];
    for (which, lines) in all.iter().enumerate() {
        for line in lines.iter() {
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
            match which {
                0 => row.caught += 1,
                1 => row.missed += 1,
                2 => row.timeout += 1,
                _ => row.unviable += 1,
            }
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
        "# Mutation testing\n\nWritten by `cargo xtask mutants [--lib] [FILE...]` (cargo-mutants \
         on the engine's own tests: unit and integration, or with `--lib` the unit tests only, \
         marked in the `code` column). A mutant is a small change to the code; `caught` means a \
         test failed (or hung) with it, `missed` that every test still passed. A file's row is \
         replaced when it runs again; `code` is the commit it ran on.\n\n",
    );
    md.push_str("| file | caught | missed | unviable | viable | caught of viable | code |\n");
    md.push_str("|---|---:|---:|---:|---:|---:|---|\n");
    for (_, line) in &lines {
        md.push_str(line);
        md.push('\n');
    }
    let mut missed: Vec<&String> = o.missed.iter().collect();
    missed.sort();
    md.push_str("\n## Missed in the last run\n\n");
    if missed.is_empty() {
        md.push_str("None.\n");
    }
    for m in missed {
        let _ = writeln!(md, "- `{m}`");
    }
    md
}
