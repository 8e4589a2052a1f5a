//! Running commands, with their output shown and failures turned into messages.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::setup::Env;

/// The repository root (the parent of xtask/).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repo")
        .to_path_buf()
}

/// A command to run from the repository root.
pub struct Cmd(Command);

impl Cmd {
    pub fn new(program: &str) -> Cmd {
        let mut c = Command::new(program);
        c.current_dir(root());
        Cmd(c)
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(mut self, args: I) -> Cmd {
        self.0.args(args);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Cmd {
        self.0.env(key, value);
        self
    }

    /// Puts the project's tool folders (node_modules/.bin, ~/.cargo/bin) first on PATH.
    pub fn env_path(mut self, env: &Env) -> Cmd {
        self.0.env("PATH", &env.path);
        self
    }

    fn describe(&self) -> String {
        let args: Vec<String> = self
            .0
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        format!(
            "{} {}",
            self.0.get_program().to_string_lossy(),
            args.join(" ")
        )
    }
}

impl Cmd {
    /// Runs the command and returns its standard output (standard error passes through).
    pub fn output(mut self) -> Result<String, String> {
        let what = self.describe();
        println!("xtask: $ {what}");
        let out = self
            .0
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run `{what}`: {e}"))?;
        if !out.status.success() {
            return Err(format!("`{what}` failed ({})", out.status));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// Runs `cmd`, streaming its output; an error names the command.
pub fn run(mut cmd: Cmd) -> Result<(), String> {
    let what = cmd.describe();
    println!("xtask: $ {what}");
    let status = cmd
        .0
        .status()
        .map_err(|e| format!("cannot run `{what}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{what}` failed ({status})"))
    }
}

/// Runs `cmd` quietly and returns its standard output, or `None` if it cannot run or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .current_dir(root())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The gzip-compressed size of a file (`gzip -9 -c`), for size reports.
pub fn gzip_size(path: &Path) -> Result<u64, String> {
    let out = Command::new("gzip")
        .arg("-9")
        .arg("-c")
        .arg(path)
        .output()
        .map_err(|e| format!("gzip: {e}"))?;
    Ok(out.stdout.len() as u64)
}
