//! `midtriage`: the engine on the command line. Argument parsing and output only; the engine
//! does the work.

mod args;
mod files;

use std::io::Write;
use std::process::ExitCode;

use midtriage_engine::user_rules::Extra;
use midtriage_engine::{check_samples, render, Catalogue, Context, Merge};

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
        Command::Rules { literals: true } => {
            // Every case-insensitive literal the catalogue searches for, once each (for comparing
            // with other tools, e.g. `rg -c -F -i -f`).
            let mut seen = std::collections::BTreeSet::new();
            for p in &Catalogue::builtin().patterns {
                if let midtriage_engine::rules::PatternSpec::Literal(l) = &p.spec {
                    if seen.insert(l.to_lowercase()) {
                        writeln!(out, "{l}")?;
                    }
                }
            }
        }
        Command::Rules { literals: false } => {
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
        Command::DraftRule { file, line, id } => {
            let drafted = std::fs::read(&file)
                .map_err(|e| format!("{file}: cannot read: {e}"))
                .and_then(|bytes| {
                    midtriage_engine::draft::from_bytes(&file, &bytes, line, id.as_deref())
                        .map_err(|e| e.to_string())
                });
            match drafted {
                Ok(d) => out.write_all(d.toml.as_bytes())?,
                Err(e) => {
                    eprintln!("midtriage: {e}");
                    return Ok(ExitCode::from(1));
                }
            }
        }
        Command::Analyze {
            files,
            format,
            status,
            instance_version,
            mid_version,
            rules,
            threads,
        } => {
            let extra = extra_rules(&rules);
            let catalogue = extra.catalogue.as_ref().unwrap_or(Catalogue::builtin());
            let mut merge = Merge::new(catalogue);
            merge.rules_files(extra.files(), extra.problems());
            for parts in files::analyze(catalogue, &files, threads) {
                merge.add_parts(parts);
            }
            let ctx = Context {
                status,
                instance_version,
                mid_version,
            };
            let analysis = midtriage_engine::conclude(merge.finish(), &ctx);
            let file_errors = analysis.files.iter().filter_map(|f| f.error.as_ref());
            for e in file_errors.chain(&analysis.problems) {
                eprintln!("midtriage: {e}");
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

/// The user's rules files added to the built-in rules (a file with problems is left out; the
/// analysis reports it).
fn extra_rules(files: &[String]) -> Extra {
    let texts: Vec<(&str, Result<String, String>)> = files
        .iter()
        .map(|f| {
            let text = std::fs::read(f)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .map_err(|e| e.to_string());
            (f.as_str(), text)
        })
        .collect();
    let sources: Vec<(&str, Result<&str, String>)> = texts
        .iter()
        .map(|(name, text)| (*name, text.as_deref().map_err(Clone::clone)))
        .collect();
    Catalogue::with_sources(&sources)
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
                let samples: usize = catalogue.rules.iter().map(|r| r.samples.count()).sum();
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
        "{file}: {}",
        midtriage_engine::render::plural(errors.len(), "problem")
    );
    Ok(ExitCode::from(1))
}
