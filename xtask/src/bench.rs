//! `cargo xtask bench`: reproducible corpora written by the bench itself (the synthetic agent
//! log, a chatty healthy MID, an error storm, awkward shapes; see
//! `crates/engine/tests/common/corpora.rs`). On each: the CLI and ripgrep searching the
//! catalogue's literals, and the browser end to end; then several files at once, on one
//! thread or worker against all; the criterion benchmark; start-up times and the download
//! size. Writes BENCHMARKS.md (`bench_report.rs`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::bench_report::{Corpus, Measured, MultiFile, Report};
use crate::cmd::{output, root, run, Cmd};
use crate::setup::Env;

/// The corpora, their default sizes in MiB, and the seed each is written from.
pub const CORPORA: &[Corpus] = &[
    Corpus {
        name: "synthetic",
        mb: 1024,
        what: "the project's own agent log: legacy layout, monitor and ECC traffic, stack traces, a known incident every 50 000 lines",
    },
    Corpus {
        name: "chatty",
        mb: 300,
        what: "a healthy MID in the modern layout: every component's INFO and WARN chatter sharing words with the rules (service-now.com hosts, URLs, \"Unable to\", \"failed\"), ECC payloads, no failure",
    },
    Corpus {
        name: "storm",
        mb: 200,
        what: "a MID that cannot reach its instance: the start-up test of KB0725881 failing and retried for hours, with OCSP and timeout warnings (KB0744261, KB0780900); about half the lines match a rule",
    },
    Corpus {
        name: "awkward",
        mb: 200,
        what: "UTF-16LE with CRLF line ends, ECC payloads on single lines of 64 to 128 KiB, stack traces of about 100 frames with Caused by: chains",
    },
];
const SEED: u64 = 42;
/// The multi-file set: this many synthetic logs of `MULTI_MB` MiB each (seeds 1, 2, ...).
const MULTI_FILES: usize = 4;
const MULTI_MB: u64 = 250;
/// Runs per timing; the best is kept (page cache warm).
pub const RUNS: usize = 3;

/// Seconds of the best of `RUNS` runs of `f`.
fn best_of(what: &str, mut f: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    let mut best = f64::MAX;
    for _ in 0..RUNS {
        let t = Instant::now();
        f().map_err(|e| format!("{what}: {e}"))?;
        best = best.min(t.elapsed().as_secs_f64());
    }
    Ok(best)
}

/// Runs a program with its output discarded.
fn quiet(program: &str, args: &[&str]) -> Result<(), String> {
    let status = Command::new(program)
        .args(args)
        .current_dir(root())
        .stdout(Stdio::null())
        .status()
        .map_err(|e| e.to_string())?;
    // ripgrep exits 1 when nothing matches; both 0 and 1 are runs that completed.
    if status.success() || status.code() == Some(1) {
        Ok(())
    } else {
        Err(format!("{program} failed ({status})"))
    }
}

/// The CLI on `files`, best of `RUNS`: seconds, and the peak resident memory in MiB (GNU time).
fn cli(files: &[&str], threads: Option<usize>) -> Result<(f64, f64), String> {
    let rss = root().join("target/bench/rss.txt");
    let rss_s = rss.display().to_string();
    let mut args = vec![
        "-f",
        "%M",
        "-o",
        &rss_s,
        "target/release/midtriage",
        "analyze",
    ];
    let threads = threads.map(|n| n.to_string());
    if let Some(n) = &threads {
        args.extend(["--threads", n]);
    }
    args.extend(["--format", "json"]);
    args.extend(files);
    let mut peak_kib = 0.0f64;
    let secs = best_of("midtriage", || {
        quiet("/usr/bin/time", &args)?;
        let kib: f64 = std::fs::read_to_string(&rss)
            .map_err(|e| format!("{rss_s}: {e}"))?
            .trim()
            .parse()
            .map_err(|_| format!("{rss_s}: no peak memory"))?;
        peak_kib = peak_kib.max(kib);
        Ok(())
    })?;
    Ok((secs, peak_kib / 1024.0))
}

/// The browser benchmark's output on `files`: its text and its `RESULT key=value ...` figures.
fn browser(env: &Env, files: &[&str], workers: Option<usize>) -> Result<Measured, String> {
    let dist = root().join("dist");
    let runs = RUNS.to_string();
    let mut cmd = Cmd::new("node")
        .args(["tests/bench/browser.mjs", &runs])
        .args(files)
        .env("MIDTRIAGE_CHROMIUM", &env.chromium)
        .env("MIDTRIAGE_DIST", &dist.display().to_string());
    if let Some(n) = workers {
        cmd = cmd.env("MIDTRIAGE_WORKERS", &n.to_string());
    }
    let out = cmd.output()?;
    print!("{out}");
    Measured::parse(&out)
}

/// Writes `corpus` at `mb` MiB from `seed` (always anew: the generator may have changed).
fn generate(corpus: &str, mb: u64, seed: u64, path: &Path) -> Result<(), String> {
    run(Cmd::new("target/release/examples/synth").args([
        corpus.to_string(),
        mb.to_string(),
        seed.to_string(),
        path.display().to_string(),
    ]))
}

fn mib(path: &Path) -> Result<f64, String> {
    Ok(std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len() as f64
        / 1048576.0)
}

/// Runs every benchmark and writes BENCHMARKS.md. `MIDTRIAGE_BENCH_MB` sets every corpus' size
/// (and each multi-file log's) for a quick run.
pub fn bench(env: &Env, bundle: impl Fn() -> Result<(), String>) -> Result<(), String> {
    for (tool, package) in [("rg", "ripgrep"), ("/usr/bin/time", "time")] {
        if output(tool, &["--version"]).is_none() {
            run(Cmd::new("apt-get").args(["install", "-y", "-qq", package]))?;
        }
    }
    let size_override: Option<u64> = std::env::var("MIDTRIAGE_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok());
    for args in [
        &["-p", "midtriage-cli"][..],
        &["-p", "midtriage-engine", "--example", "synth"][..],
    ] {
        run(Cmd::new("cargo")
            .args(["build", "--release", "--locked"])
            .args(args)
            .env_path(env))?;
    }
    let dir = root().join("target/bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let literals = dir.join("literals.txt");
    let list = output("target/release/midtriage", &["rules", "--literals"])
        .ok_or("midtriage rules --literals failed")?;
    std::fs::write(&literals, &list).map_err(|e| e.to_string())?;
    let lit_s = literals.display().to_string();

    let mut report = Report::new(list.lines().count());
    let mut paths: Vec<PathBuf> = Vec::new();
    for corpus in CORPORA {
        let path = dir.join(format!("{}.log", corpus.name));
        generate(corpus.name, size_override.unwrap_or(corpus.mb), SEED, &path)?;
        let log_s = path.display().to_string();
        std::fs::read(&path).map_err(|e| e.to_string())?; // warm the page cache
        let rg = best_of("ripgrep", || {
            quiet("rg", &["-c", "-F", "-i", "-f", &lit_s, &log_s])
        })?;
        let (secs, peak) = cli(&[&log_s], None)?;
        let size = mib(&path)?;
        println!(
            "{}: {size:.0} MiB; CLI {:.0} MiB/s, ripgrep {:.0} MiB/s",
            corpus.name,
            size / secs,
            size / rg
        );
        report.native(corpus, size, size / secs, peak, size / rg);
        paths.push(path);
    }
    let multi: Vec<PathBuf> = (1..=MULTI_FILES)
        .map(|i| dir.join(format!("multi-{i}.log")))
        .collect();
    for (i, path) in multi.iter().enumerate() {
        generate(
            "synthetic",
            size_override.unwrap_or(MULTI_MB),
            i as u64 + 1,
            path,
        )?;
    }
    let multi_s: Vec<String> = multi.iter().map(|p| p.display().to_string()).collect();
    let multi_s: Vec<&str> = multi_s.iter().map(String::as_str).collect();
    let multi_mib: f64 = multi.iter().map(|p| mib(p)).sum::<Result<f64, String>>()?;
    let (one, _) = cli(&multi_s, Some(1))?;
    let (all, all_peak) = cli(&multi_s, None)?;
    // The same logs in one ZIP, written by Python's zipfile as a user's tool would: its parts
    // are the tasks.
    let zip = dir.join("multi.zip");
    let zip_s = zip.display().to_string();
    let mut script = String::from("import sys, zipfile\n");
    script.push_str(
        "with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, compresslevel=1) as z:\n",
    );
    script.push_str("    for p in sys.argv[2:]: z.write(p, 'logs/' + p.rsplit('/', 1)[-1])\n");
    run(Cmd::new("python3")
        .args(["-c", &script, &zip_s])
        .args(&multi_s))?;
    let (zip_one, _) = cli(&[&zip_s], Some(1))?;
    let (zip_all, _) = cli(&[&zip_s], None)?;

    run(Cmd::new("cargo")
        .args([
            "bench",
            "--locked",
            "-p",
            "midtriage-engine",
            "--bench",
            "engine",
        ])
        .env_path(env))?;

    bundle()?;
    for (corpus, path) in CORPORA.iter().zip(&paths) {
        let measured = browser(env, &[&path.display().to_string()], None)?;
        report.browser(corpus.name, measured);
    }
    let browser_one = browser(env, &multi_s, Some(1))?;
    let browser_all = browser(env, &multi_s, None)?;
    // The page measures the ZIP's own bytes: in MiB of logs, as the other figures.
    let logs_per_zip_mib = multi_mib / mib(&zip)?;
    let zip_browser_one = browser(env, &[&zip_s], Some(1))?.get("mibps") * logs_per_zip_mib;
    let zip_browser_all = browser(env, &[&zip_s], None)?.get("mibps") * logs_per_zip_mib;
    report.multi = Some(MultiFile {
        files: MULTI_FILES,
        mib: multi_mib,
        cli_one: multi_mib / one,
        cli_all: multi_mib / all,
        cli_all_peak: all_peak,
        browser_one: browser_one.get("mibps"),
        browser_all: browser_all.get("mibps"),
        workers: browser_all.get("workers"),
        browser_cores: [browser_one.get("cores"), browser_all.get("cores")],
        zip: [
            multi_mib / zip_one,
            multi_mib / zip_all,
            zip_browser_one,
            zip_browser_all,
        ],
    });
    let dist = root().join("dist");
    let startup = Cmd::new("node")
        .args(["tests/bench/startup.mjs"])
        .env("MIDTRIAGE_CHROMIUM", &env.chromium)
        .env("MIDTRIAGE_DIST", &dist.display().to_string())
        .output()?;
    print!("{startup}");
    report.startup = startup;
    report.sizes = crate::sizes::report(&dist)?;
    report.write(&root().join("BENCHMARKS.md"))
}
