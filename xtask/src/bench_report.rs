//! BENCHMARKS.md from the figures `bench.rs` measured: a row per corpus, the targets of
//! issue 12 with whether each is met, the multi-file comparison, start-up and download size.

use std::fmt::Write as _;
use std::path::Path;

use crate::bench::{CORPORA, RUNS};
use crate::cmd::output;

/// A benchmark corpus.
pub struct Corpus {
    pub name: &'static str,
    /// Default size, MiB.
    pub mb: u64,
    /// What it holds, for the report.
    pub what: &'static str,
}

/// The browser benchmark's figures, from its `RESULT key=value ...` line, and its text.
pub struct Measured {
    pub text: String,
    figures: Vec<(String, f64)>,
}

impl Measured {
    pub fn parse(out: &str) -> Result<Measured, String> {
        let line = out
            .lines()
            .find_map(|l| l.strip_prefix("RESULT "))
            .ok_or("the browser benchmark printed no RESULT line")?;
        let figures = line
            .split_whitespace()
            .map(|kv| {
                let (k, v) = kv.split_once('=').ok_or(format!("bad RESULT field {kv}"))?;
                let v = v.parse().map_err(|_| format!("bad RESULT value {kv}"))?;
                Ok((k.to_string(), v))
            })
            .collect::<Result<_, String>>()?;
        let text = out
            .lines()
            .filter(|l| !l.starts_with("RESULT "))
            .map(|l| format!("{l}\n"))
            .collect();
        Ok(Measured { text, figures })
    }

    /// A figure, or NaN when the run did not report it.
    pub fn get(&self, key: &str) -> f64 {
        self.figures
            .iter()
            .find(|(k, _)| k == key)
            .map_or(f64::NAN, |(_, v)| *v)
    }
}

/// One corpus' figures.
struct Row {
    corpus: &'static str,
    mib: f64,
    cli: f64,
    cli_peak: f64,
    rg: f64,
    browser: Option<Measured>,
}

/// Several files at once: MiB/s on one thread (worker) and on all.
pub struct MultiFile {
    pub files: usize,
    pub mib: f64,
    pub cli_one: f64,
    pub cli_all: f64,
    pub cli_all_peak: f64,
    pub browser_one: f64,
    pub browser_all: f64,
    pub workers: f64,
    /// Cores busy (the whole machine) during the browser's best run, with one worker and all.
    pub browser_cores: [f64; 2],
    /// The same logs in one ZIP, MiB of logs a second: CLI on one thread and on all, browser
    /// with one worker and with all.
    pub zip: [f64; 4],
}

/// Everything BENCHMARKS.md shows.
pub struct Report {
    literals: usize,
    rows: Vec<Row>,
    pub multi: Option<MultiFile>,
    pub startup: String,
    pub sizes: String,
}

impl Report {
    pub fn new(literals: usize) -> Report {
        Report {
            literals,
            rows: Vec::new(),
            multi: None,
            startup: String::new(),
            sizes: String::new(),
        }
    }

    /// The CLI's and ripgrep's figures on a corpus (MiB/s; peak memory in MiB).
    pub fn native(&mut self, corpus: &Corpus, mib: f64, cli: f64, cli_peak: f64, rg: f64) {
        self.rows.push(Row {
            corpus: corpus.name,
            mib,
            cli,
            cli_peak,
            rg,
            browser: None,
        });
    }

    /// The browser's figures on a corpus measured by [`Report::native`].
    pub fn browser(&mut self, corpus: &str, measured: Measured) {
        if let Some(row) = self.rows.iter_mut().find(|r| r.corpus == corpus) {
            row.browser = Some(measured);
        }
    }

    /// Each target of issue 12: (target, wanted, measured, met).
    fn targets(&self) -> Vec<(String, &'static str, String, bool)> {
        let mut out = Vec::new();
        for r in &self.rows {
            let ratio = r.cli / r.rg;
            out.push((
                format!("CLI / ripgrep, {}", r.corpus),
                ">= 1.0x",
                format!("{ratio:.2}x"),
                ratio >= 1.0,
            ));
        }
        for r in &self.rows {
            let b = r.browser.as_ref().map_or(f64::NAN, |m| m.get("mibps"));
            out.push((
                format!("browser / CLI, {}", r.corpus),
                ">= 0.8x",
                format!("{:.2}x", b / r.cli),
                b / r.cli >= 0.8,
            ));
        }
        let worst = |key: &str| {
            self.rows
                .iter()
                .filter_map(|r| r.browser.as_ref().map(|m| m.get(key)))
                .fold(f64::NAN, f64::max)
        };
        if let Some(big) = self.rows.iter().find(|r| r.corpus == "synthetic") {
            let mem = big
                .browser
                .as_ref()
                .map_or(f64::NAN, |m| m.get("memory_mib"));
            out.push((
                format!("worker wasm memory, {:.0} MiB log", big.mib),
                "< 64 MiB",
                format!("{mem:.1} MiB"),
                mem < 64.0,
            ));
        }
        let longest = worst("longest_ms");
        out.push((
            "longest main-thread task, any corpus".into(),
            "< 50 ms",
            format!("{longest:.0} ms"),
            longest < 50.0,
        ));
        if let Some(m) = &self.multi {
            for (what, one, all) in [
                ("CLI", m.cli_one, m.cli_all),
                ("browser", m.browser_one, m.browser_all),
                ("CLI, in one ZIP", m.zip[0], m.zip[1]),
                ("browser, in one ZIP", m.zip[2], m.zip[3]),
            ] {
                out.push((
                    format!("{} files, all cores / one, {what}", m.files),
                    ">= 1.6x",
                    format!("{:.2}x", all / one),
                    all / one >= 1.6,
                ));
            }
        }
        out
    }

    pub fn write(&self, path: &Path) -> Result<(), String> {
        let mut md = String::from(
            "# Benchmarks\n\nWritten by `cargo xtask bench`; numbers from the last run on this \
             project's machine, page cache warm, best of each run's repeats.\n\n",
        );
        let _ = writeln!(md, "Machine: {}\n", machine());
        md.push_str("## Corpora\n\nEach is written by the bench from seed 42 (`cargo run --release -p midtriage-engine --example synth -- CORPUS MEGABYTES SEED OUT`).\n\n");
        for c in CORPORA {
            let _ = writeln!(md, "- **{}** ({} MiB): {}.", c.name, c.mb, c.what);
        }
        md.push_str(
            "\n## Targets (issue 12)\n\n| target | wanted | measured | met |\n|---|---|---|---|\n",
        );
        for (name, wanted, value, met) in self.targets() {
            let verdict = if met { "yes" } else { "**no**" };
            let _ = writeln!(md, "| {name} | {wanted} | {value} | {verdict} |");
        }
        if self.targets().iter().any(|t| !t.3) {
            md.push_str(
                "\nWhat bounds each target not met, with the profiles that show it: PROFILES.md.\n",
            );
        }
        let _ = writeln!(
            md,
            "\n## Each corpus\n\nCLI: `midtriage analyze --format json FILE` (best of {RUNS}; peak resident memory from GNU time). \
             ripgrep: `rg -c -F -i -f literals.txt FILE` with the catalogue's {} literals (`midtriage rules --literals`). \
             Browser: the release build in headless Chromium, the file picked in its input, analysed in the worker, \
             end to end until the results show.\n",
            self.literals
        );
        md.push_str("| corpus | MiB | CLI MiB/s | ripgrep MiB/s | CLI / rg | browser MiB/s | browser / CLI | CLI peak memory | worker wasm memory | longest task | first finding |\n");
        md.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for r in &self.rows {
            let b = |k: &str| r.browser.as_ref().map_or(f64::NAN, |m| m.get(k));
            let _ = writeln!(
                md,
                "| {} | {:.0} | {:.0} | {:.0} | {:.2}x | {:.0} | {:.2}x | {:.0} MiB | {:.1} MiB | {:.0} ms | {:.0} ms |",
                r.corpus,
                r.mib,
                r.cli,
                r.rg,
                r.cli / r.rg,
                b("mibps"),
                b("mibps") / r.cli,
                r.cli_peak,
                b("memory_mib"),
                b("longest_ms"),
                b("first_ms"),
            );
        }
        md.push_str("\n```text\n");
        for r in &self.rows {
            if let Some(m) = &r.browser {
                let _ = write!(md, "{}: {}", r.corpus, m.text);
            }
        }
        md.push_str("```\n");
        if let Some(m) = &self.multi {
            let _ = writeln!(
                md,
                "\n## Several files at once\n\n{} synthetic logs (seeds 1 to {}), {:.0} MiB in all, analysed together.\n\n\
                 | | one thread / worker | all | speed-up |\n|---|---:|---:|---:|\n\
                 | CLI (`--threads 1` / default) | {:.0} MiB/s | {:.0} MiB/s (peak memory {:.0} MiB) | {:.2}x |\n\
                 | browser (`?workers=1` / default, {:.0} workers) | {:.0} MiB/s ({:.2} cores busy) | {:.0} MiB/s ({:.2} cores busy) | {:.2}x |\n\
                 | CLI, the same logs in one ZIP (Python's zipfile) | {:.0} MiB/s | {:.0} MiB/s | {:.2}x |\n\
                 | browser, the same logs in one ZIP | {:.0} MiB/s | {:.0} MiB/s | {:.2}x |\n\n\
                 A ZIP's figures are MiB of logs a second; its parts (runs of entries) are the tasks. \
                 Cores busy: the whole machine's busy CPU time over the run's time (from /proc/stat), which \
                 with one worker counts its reader worker and the browser's own file reading too; the \
                 CLI's one thread keeps one core busy.",
                m.files,
                m.files,
                m.mib,
                m.cli_one,
                m.cli_all,
                m.cli_all_peak,
                m.cli_all / m.cli_one,
                m.workers,
                m.browser_one,
                m.browser_cores[0],
                m.browser_all,
                m.browser_cores[1],
                m.browser_all / m.browser_one,
                m.zip[0],
                m.zip[1],
                m.zip[1] / m.zip[0],
                m.zip[2],
                m.zip[3],
                m.zip[3] / m.zip[2],
            );
        }
        let _ = writeln!(
            md,
            "\n## Start-up (navigation to an interactive page)\n\n```text\n{}```\n",
            self.startup
        );
        let _ = writeln!(md, "## Download size (release build)\n\n{}", self.sizes);
        md.push_str("The criterion benchmarks of the engine's hot loop (chatty and storm corpora, and the synthetic log) print their own report: `cargo bench -p midtriage-engine`.\n");
        std::fs::write(path, md).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("xtask: wrote {}", path.display());
        Ok(())
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024 / 1024);
    let rustc = output("rustc", &["--version"]).unwrap_or_default();
    let rg = output("rg", &["--version"]).unwrap_or_default();
    let chromium = output("chromium", &["--version"]).unwrap_or_default();
    format!(
        "{cpu}, {cores} cores, {mem} GiB memory; {}; {}; {}",
        rustc.trim(),
        rg.lines().next().unwrap_or("").trim(),
        chromium.trim()
    )
}
