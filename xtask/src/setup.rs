//! Installs the pinned toolchain, each tool only when the pinned version is missing.
//! Facts behind the pins: ../shared/toolchain.md (trunk 0.21.14; wasm-bindgen-cli equal to
//! Cargo.lock's wasm-bindgen; npm binaryen 132 for wasm-opt; Debian's chromium).

use std::path::Path;

use crate::cmd::{output, root, run, Cmd};

/// The pinned Trunk version (0.22 needs a newer rustc than this project's).
pub const TRUNK: &str = "0.21.14";

/// Where the tools are, for the commands that use them.
pub struct Env {
    /// PATH with node_modules/.bin and ~/.cargo/bin first.
    pub path: String,
    /// The Chromium binary.
    pub chromium: String,
    /// The ChromeDriver binary.
    pub chromedriver: String,
}

/// PATH with the project's tool folders first.
pub fn tools_path() -> String {
    let bin = root().join("node_modules/.bin");
    let cargo_bin = std::env::var("CARGO_HOME")
        .map(|h| format!("{h}/bin"))
        .unwrap_or_else(|_| format!("{}/.cargo/bin", std::env::var("HOME").unwrap_or_default()));
    format!(
        "{}:{cargo_bin}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Everything: wasm target, trunk, wasm-bindgen-cli, npm tools, Chromium and ChromeDriver.
pub fn ensure() -> Result<Env, String> {
    let path = tools_path();
    wasm_target()?;
    cargo_tool("trunk", TRUNK, &["--locked"], &path)?;
    let wbg = lock_version("wasm-bindgen")?;
    cargo_tool("wasm-bindgen-cli", &wbg, &["--locked"], &path)?;
    npm_tools()?;
    let (chromium, chromedriver) = chromium()?;
    println!(
        "xtask: toolchain ready (trunk {TRUNK}, wasm-bindgen {wbg}, wasm-opt 132, {chromium})"
    );
    Ok(Env {
        path,
        chromium,
        chromedriver,
    })
}

fn wasm_target() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run(Cmd::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The version of `package` recorded in Cargo.lock.
fn lock_version(package: &str) -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let at = lock
        .find(&needle)
        .ok_or_else(|| format!("Cargo.lock has no {package}"))?
        + needle.len();
    Ok(lock[at..].split('"').next().unwrap_or_default().to_string())
}

/// Installs a cargo tool unless its binary already reports `version`.
pub fn cargo_tool(
    krate: &str,
    version: &str,
    first_try: &[&str],
    path: &str,
) -> Result<(), String> {
    let (bin, probes): (&str, &[&str]) = match krate {
        "wasm-bindgen-cli" => (
            "wasm-bindgen",
            &["wasm-bindgen", "wasm-bindgen-test-runner"],
        ),
        other => (other, &[other]),
    };
    let has = |p: &str| {
        // A cargo subcommand answers `--version` only when run through cargo.
        let mut probe = match p.strip_prefix("cargo-") {
            Some(sub) => {
                let mut c = std::process::Command::new("cargo");
                c.arg(sub);
                c
            }
            None => std::process::Command::new(p),
        };
        probe
            .arg("--version")
            .env("PATH", path)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .is_some_and(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .split_whitespace()
                    .any(|w| w == version)
            })
    };
    if probes.iter().all(|p| has(p)) {
        return Ok(());
    }
    println!("xtask: installing {krate} {version} (this compiles it once; later runs skip it)");
    let locked = Cmd::new("cargo")
        .args(["install", krate, "--version", version, "--force"])
        .args(first_try);
    if run(locked).is_ok() {
        return Ok(());
    }
    // wasm-bindgen-cli's own lockfile can name a dependency version the registry no longer serves.
    run(Cmd::new("cargo").args(["install", krate, "--version", version, "--force"]))
        .map_err(|e| format!("{bin}: {e}"))
}

/// `npm ci` unless wasm-opt 132 and the pinned playwright-core are already installed.
fn npm_tools() -> Result<(), String> {
    let pkg = std::fs::read_to_string(root().join("package.json"))
        .map_err(|e| format!("package.json: {e}"))?;
    let want = json_string_after(&pkg, "\"playwright-core\"").unwrap_or_default();
    let have_pw = std::fs::read_to_string(root().join("node_modules/playwright-core/package.json"))
        .ok()
        .and_then(|p| json_string_after(&p, "\"version\""));
    let wasm_opt = root().join("node_modules/.bin/wasm-opt");
    let have_opt = output(&wasm_opt.to_string_lossy(), &["--version"])
        .is_some_and(|v| v.contains("version 132"));
    if have_opt && have_pw.as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    run(Cmd::new("npm").args(["ci", "--no-audit", "--no-fund"]))
}

/// The string value after `key:` in a small JSON text.
fn json_string_after(json: &str, key: &str) -> Option<String> {
    let rest = &json[json.find(key)? + key.len()..];
    let rest = rest
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    Some(rest.split('"').next()?.to_string())
}

/// Debian's chromium and chromium-driver, installed with apt when missing.
fn chromium() -> Result<(String, String), String> {
    let find = |name: &str| {
        ["/usr/bin/", "/usr/local/bin/"]
            .iter()
            .map(|d| format!("{d}{name}"))
            .find(|p| Path::new(p).exists())
    };
    if let (Some(c), Some(d)) = (find("chromium"), find("chromedriver")) {
        return Ok((c, d));
    }
    println!("xtask: installing Debian's chromium and chromium-driver");
    run(Cmd::new("apt-get").args(["update", "-qq"]))?;
    run(Cmd::new("apt-get")
        .args([
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "chromium",
            "chromium-driver",
        ])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    match (find("chromium"), find("chromedriver")) {
        (Some(c), Some(d)) => Ok((c, d)),
        _ => Err("chromium or chromedriver is still missing after apt-get install".into()),
    }
}
