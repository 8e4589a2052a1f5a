//! `midtriage`: the engine on the command line. Argument parsing and output only; the engine
//! does the work.

mod args;

use std::io::{Read, Write};
use std::process::ExitCode;

use midtriage_engine::{analyze, check_samples, render, Catalogue, Context, Input};

use args::{Command, Format};

fn main() -> ExitCode {
    let command = match args::parse(std::env::args_os().skip(1)) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("midtriage: {msg} (see `midtriage --help`)");
            return ExitCode::from(2);
        }
    };
    match run(command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("midtriage: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(command: Command) -> std::io::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match command {
        Command::Help => out.write_all(args::HELP.as_bytes())?,
        Command::Version => writeln!(out, "midtriage {}", midtriage_engine::VERSION)?,
        Command::Rules => {
            for r in &Catalogue::builtin().rules {
                writeln!(
                    out,
                    "{:<32} {:<9} {:<10} {}",
                    r.id,
                    r.severity.name(),
                    r.kb,
                    r.title
                )?;
            }
        }
        Command::CheckRules { file } => return check_rules(&file, &mut out),
        Command::Analyze {
            files,
            format,
            status,
            instance_version,
            mid_version,
        } => {
            let mut contents = Vec::with_capacity(files.len());
            let mut read_errors = Vec::new();
            for f in &files {
                match read(&f.path) {
                    Ok(bytes) => contents.push((f, bytes)),
                    Err(e) => read_errors.push(format!("{}: cannot read: {e}", f.path)),
                }
            }
            let inputs: Vec<Input> = contents
                .iter()
                .map(|(f, bytes)| Input {
                    name: display_name(&f.path),
                    bytes,
                    kind: f.kind,
                })
                .collect();
            let ctx = Context {
                status,
                instance_version,
                mid_version,
            };
            let analysis = analyze(Catalogue::builtin(), &inputs, &ctx);
            for e in &read_errors {
                eprintln!("midtriage: {e}");
            }
            for f in analysis.files.iter().filter_map(|f| f.error.as_ref()) {
                eprintln!("midtriage: {f}");
            }
            match format {
                Format::Text => out.write_all(render::text(&analysis).as_bytes())?,
                Format::Markdown => out.write_all(render::markdown(&analysis).as_bytes())?,
                Format::Json => {
                    serde_json::to_writer_pretty(&mut out, &analysis)?;
                    writeln!(out)?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn display_name(path: &str) -> &str {
    if path == "-" {
        "<stdin>"
    } else {
        path
    }
}

fn read(path: &str) -> std::io::Result<Vec<u8>> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin().lock().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(path)
    }
}

fn check_rules(file: &str, out: &mut impl Write) -> std::io::Result<ExitCode> {
    let text = match std::fs::read(file) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            eprintln!("midtriage: {file}: cannot read: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let errors = match Catalogue::from_files(&[(file, &text)]) {
        Ok(catalogue) => {
            let errors = check_samples(&catalogue);
            if errors.is_empty() {
                let samples: usize = catalogue
                    .rules
                    .iter()
                    .map(|r| r.samples.fire.len() + r.samples.quiet.len())
                    .sum();
                writeln!(
                    out,
                    "{file}: {} rules valid; {samples} samples behave as declared",
                    catalogue.rules.len()
                )?;
                return Ok(ExitCode::SUCCESS);
            }
            errors
        }
        Err(errors) => errors,
    };
    for e in &errors {
        eprintln!("{e}");
    }
    eprintln!(
        "{file}: {} problem{}",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    Ok(ExitCode::from(1))
}
