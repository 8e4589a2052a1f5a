//! `cargo xtask fuzz [SECONDS] [TARGET...]`: runs the cargo-fuzz targets (libFuzzer, nightly
//! only) for SECONDS each (300 by default), one after another, and writes fuzz/RESULTS.md.
//! Each target starts from its committed seeds (fuzz/corpus/<target>) plus what earlier runs on
//! this machine found (kept in target/fuzz-corpus/<target>); a crash leaves its input in
//! fuzz/artifacts/<target>/.
//! `cargo xtask test` replays the committed corpora on stable (crates/engine/tests/fuzz.rs).

use std::fmt::Write as _;
use std::process::{Command, Stdio};

use crate::cmd::{output, root};
use crate::setup;

/// The pinned cargo-fuzz version.
const CARGO_FUZZ: &str = "0.13.2";
/// Every target, in the order of midtriage_engine::fuzz::TARGETS.
const TARGETS: [&str; 7] = [
    "decode",
    "records",
    "version",
    "rules",
    "config",
    "archive",
    "templates",
];

/// One target's run.
struct Outcome {
    target: String,
    seconds: u64,
    runs: u64,
    coverage: String,
    corpus: String,
    crashed: bool,
}

pub fn fuzz(args: &[String]) -> Result<(), String> {
    let (seconds, targets) = parse(args)?;
    let toolchains = output("rustup", &["toolchain", "list"]).unwrap_or_default();
    if !toolchains.lines().any(|l| l.starts_with("nightly")) {
        return Err(
            "cargo-fuzz needs a nightly toolchain (rustup toolchain install nightly); \
             on stable, `cargo xtask test` replays the committed corpora"
                .into(),
        );
    }
    let env = setup::tools_path();
    setup::cargo_tool("cargo-fuzz", CARGO_FUZZ, &["--locked"], &env)?;
    let mut results = Vec::new();
    for target in &targets {
        results.push(run_target(target, seconds, &env)?);
    }
    let report = report(&results);
    std::fs::write(root().join("fuzz/RESULTS.md"), &report)
        .map_err(|e| format!("fuzz/RESULTS.md: {e}"))?;
    print!("{report}");
    match results.iter().filter(|r| r.crashed).count() {
        0 => Ok(()),
        n => Err(format!("{n} target(s) crashed; inputs in fuzz/artifacts/")),
    }
}

fn parse(args: &[String]) -> Result<(u64, Vec<String>), String> {
    let usage = || {
        format!(
            "usage: cargo xtask fuzz [SECONDS] [{}]",
            TARGETS.join(" | ")
        )
    };
    let mut seconds = 300;
    let mut targets = Vec::new();
    for a in args {
        if let Ok(s) = a.parse::<u64>() {
            seconds = s;
        } else if TARGETS.contains(&a.as_str()) {
            targets.push(a.clone());
        } else {
            return Err(usage());
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|t| t.to_string()).collect();
    }
    Ok((seconds, targets))
}

fn run_target(target: &str, seconds: u64, path: &str) -> Result<Outcome, String> {
    let work = root().join("target/fuzz-corpus").join(target);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let seeds = format!("corpus/{target}");
    println!("xtask: fuzzing {target} for {seconds} s");
    let out = Command::new("cargo")
        .current_dir(root().join("fuzz"))
        .env("PATH", path)
        .args(["+nightly", "fuzz", "run", "-O", target])
        .arg(&work)
        .arg(&seeds)
        .args([
            "--",
            &format!("-max_total_time={seconds}"),
            "-rss_limit_mb=2048",
            "-timeout=30",
            "-print_final_stats=1",
        ])
        .stdout(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
    let log = String::from_utf8_lossy(&out.stderr);
    let log_file = root()
        .join("target/fuzz-corpus")
        .join(format!("{target}.log"));
    std::fs::write(&log_file, log.as_bytes()).map_err(|e| e.to_string())?;
    let last = log
        .lines()
        .rfind(|l| l.starts_with('#') && l.contains("cov:"))
        .unwrap_or("");
    let field = |name: &str| {
        last.split_whitespace()
            .skip_while(|w| *w != name)
            .nth(1)
            .unwrap_or("?")
            .to_string()
    };
    let stat = |name: &str| {
        log.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let crashed = !out.status.success();
    if crashed {
        eprintln!("xtask: {target} crashed; the log is {}", log_file.display());
    }
    Ok(Outcome {
        target: target.to_string(),
        seconds,
        runs: stat("stat::number_of_executed_units:").unwrap_or(0),
        coverage: field("cov:"),
        corpus: field("corp:"),
        crashed,
    })
}

/// fuzz/RESULTS.md with the rows of the targets just run replaced (the others are kept from
/// their last run); each row names the code it ran on.
fn report(results: &[Outcome]) -> String {
    let rustc = output("rustc", &["+nightly", "--version"]).unwrap_or_default();
    let commit = output("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_default();
    let dirty = output(
        "git",
        &["status", "--porcelain", "--", "crates", "fuzz/fuzz_targets"],
    )
    .is_some_and(|s| !s.trim().is_empty());
    let code = format!("{}{}", commit.trim(), if dirty { "+changes" } else { "" });
    let old = std::fs::read_to_string(root().join("fuzz/RESULTS.md")).unwrap_or_default();
    let mut md =
        String::from("# Fuzzing results\n\nWritten by `cargo xtask fuzz` (cargo-fuzz, libFuzzer, ");
    let _ = writeln!(
        md,
        "{}); each target starts from its committed seeds in fuzz/corpus/ plus what earlier \
         runs on the same machine found. A row is replaced when its target runs again; `code` \
         is the commit it ran on.\n",
        rustc.trim()
    );
    md.push_str("| target | seconds | executions | crashes | coverage (edges) | corpus | code |\n");
    md.push_str("|---|---:|---:|---:|---:|---|---|\n");
    for target in TARGETS {
        match results.iter().find(|r| r.target == target) {
            Some(r) => {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} | {code} |",
                    r.target,
                    r.seconds,
                    r.runs,
                    u8::from(r.crashed),
                    r.coverage,
                    r.corpus
                );
            }
            None => {
                let row = old
                    .lines()
                    .find(|l| l.starts_with(&format!("| {target} |")));
                if let Some(row) = row {
                    md.push_str(row);
                    md.push('\n');
                }
            }
        }
    }
    md
}
