//! `cargo xtask`: project automation.
//!
//! - `setup`  install the pinned toolchain, only what is missing (idempotent)
//! - `serve`  setup, build the web app and serve it on 127.0.0.1
//! - `test`   setup, then every test: native, wasm in headless Chromium, release build, browser E2E
//! - `dist`   setup and build the release web app into dist/
//! - `bench`  corpora (synthetic, chatty, storm, awkward) and several files at once: CLI vs
//!   ripgrep, browser, criterion, start-up, download size; writes BENCHMARKS.md
//! - `bundle` dist/ plus the single offline file dist/midtriage.html
//! - `fuzz`   the cargo-fuzz targets (nightly) for 5 minutes each; writes fuzz/RESULTS.md
//! - `mutants` mutation testing of the engine's core files (cargo-mutants); writes MUTANTS.md

mod bench;
mod bench_report;
mod bundle;
mod cmd;
mod dist;
mod fuzz;
mod layers;
mod mutants;
mod setup;
mod sizes;

use std::process::ExitCode;

use cmd::{root, run, Cmd};

const USAGE: &str = "usage: cargo xtask <setup | serve [--port N] | test | dist | bench | bundle | fuzz [SECONDS] [TARGET...] | mutants [--lib | --rest] [FILE...]>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::ensure().map(|_| ()),
        Some("dist") => dist(),
        Some("serve") => serve(&args[1..]),
        Some("test") => test(),
        Some("bench") => bench(),
        Some("bundle") => bundle(),
        Some("fuzz") => fuzz::fuzz(&args[1..]),
        Some("mutants") => mutants::mutants(&args[1..]),
        _ => Err(USAGE.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the release web app into dist/ with Trunk, never letting it download anything.
fn dist() -> Result<(), String> {
    let env = setup::ensure()?;
    run(Cmd::new("cargo").args(["fetch", "--locked"]).env_path(&env))?;
    run(Cmd::new("trunk")
        .args(["build", "--release", "--offline", "--locked"])
        .env_path(&env))?;
    dist::finish(&root().join("dist"))?;
    report_sizes()
}

/// Builds dist/ and then the single offline file dist/midtriage.html.
fn bundle() -> Result<(), String> {
    dist()?;
    let dist = root().join("dist");
    let hash = bundle::bundle(&dist)?;
    let file = dist.join("midtriage.html");
    let size = std::fs::metadata(&file).map_err(|e| e.to_string())?.len();
    println!(
        "xtask: dist/midtriage.html: {} KiB raw, {} KiB gzip\nxtask: SHA-256 {hash}  (also in dist/midtriage.html.sha256 and the app's About panel)",
        size / 1024,
        cmd::gzip_size(&file)? / 1024
    );
    Ok(())
}

fn serve(args: &[String]) -> Result<(), String> {
    let port = match args {
        [] => "8080".to_string(),
        [flag, p] if flag == "--port" && p.parse::<u16>().is_ok() => p.clone(),
        _ => return Err("usage: cargo xtask serve [--port N]".into()),
    };
    dist()?;
    println!("xtask: serving dist/ at http://127.0.0.1:{port}/ (Ctrl-C to stop)");
    run(Cmd::new("node").args(["tests/e2e/server.mjs", "dist", &port]))
}

fn test() -> Result<(), String> {
    layers::check(&root().join("crates/engine/src"))?;
    let env = setup::ensure()?;
    run(Cmd::new("cargo")
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ])
        .env_path(&env))?;
    // The engine as the CLI and the web app build it, without the `fuzzing` feature its own
    // tests turn on: code only the reference implementations use shows up as dead here.
    run(Cmd::new("cargo")
        .args([
            "clippy",
            "--locked",
            "-p",
            "midtriage-engine",
            "--lib",
            "--",
            "-D",
            "warnings",
        ])
        .env_path(&env))?;
    // The web app's worker and page code only compile for wasm32: lint them there too.
    run(Cmd::new("cargo")
        .args([
            "clippy",
            "--locked",
            "-p",
            "midtriage-web",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
        .env_path(&env))?;
    run(Cmd::new("cargo")
        .args(["test", "--workspace", "--locked"])
        .env_path(&env))?;
    run(Cmd::new("cargo")
        .args([
            "test",
            "--locked",
            "-p",
            "midtriage-web",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .env_path(&env)
        .env("CHROMEDRIVER", &env.chromedriver)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120"))?;
    bundle()?;
    check_budget()?;
    // The browser's results are compared with the CLI's on the same files.
    run(Cmd::new("cargo")
        .args(["build", "--locked", "-p", "midtriage-cli"])
        .env_path(&env))?;
    let cli = root().join("target/debug/midtriage");
    run(Cmd::new("node")
        .args(["--test", "--test-reporter=spec", "tests/e2e/"])
        .env("MIDTRIAGE_CLI", cli.to_string_lossy().as_ref())
        .env("MIDTRIAGE_CHROMIUM", &env.chromium)
        .env(
            "MIDTRIAGE_DIST",
            root().join("dist").to_string_lossy().as_ref(),
        ))?;
    println!("xtask: all test suites passed");
    Ok(())
}

fn bench() -> Result<(), String> {
    let env = setup::ensure()?;
    bench::bench(&env, bundle)
}

/// Most the hosted page's wasm + JS may weigh, gzip: a KB portal that embeds the app pays it
/// on every page that opens it.
const BUDGET: u64 = 500 * 1024;

/// Fails when dist/'s wasm + JS weigh more than [`BUDGET`] gzipped.
fn check_budget() -> Result<(), String> {
    let (_, gz) = sizes::shipped(&root().join("dist"))?;
    if gz > BUDGET {
        return Err(format!(
            "dist/ wasm + js weigh {gz} bytes gzip, over the budget of {BUDGET} (500 KiB): \
             find what grew (BENCHMARKS.md has the breakdown by crate; twiggy diff on \
             target/wasm32-unknown-unknown/web/midtriage-web.wasm)"
        ));
    }
    println!("xtask: dist/ wasm + js: {gz} of {BUDGET} bytes gzip");
    Ok(())
}

/// Prints the size of the shipped wasm and JS, raw and gzipped.
fn report_sizes() -> Result<(), String> {
    let (raw, gz) = sizes::shipped(&root().join("dist"))?;
    println!(
        "xtask: dist/ wasm+js: {} KiB raw, {} KiB gzip",
        raw / 1024,
        gz / 1024
    );
    Ok(())
}
