//! `midtriage`: the engine on the command line. Argument parsing and output only; the engine
//! does the work.

mod args;

use std::io::{Read, Write};
use std::process::ExitCode;

use midtriage_engine::rules::Extra;
use midtriage_engine::{check_samples, render, Analyzer, Catalogue, Context, Intake};

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
        Command::Analyze {
            files,
            format,
            status,
            instance_version,
            mid_version,
            rules,
        } => {
            let extra = extra_rules(&rules);
            let catalogue = extra.catalogue.as_ref().unwrap_or(Catalogue::builtin());
            // Files are streamed in chunks: memory stays bounded whatever their size.
            let mut analyzer = Analyzer::new(catalogue);
            analyzer.rules_files(&extra);
            for f in &files {
                // Plain, gzip or ZIP: the intake decides from the first bytes.
                let mut intake = Intake::new(&mut analyzer, display_name(&f.path), f.kind);
                match feed(&f.path, &mut intake) {
                    Ok(()) => intake.finish(),
                    Err(e) => intake.fail(&format!("cannot read: {e}")),
                };
            }
            let ctx = Context {
                status,
                instance_version,
                mid_version,
            };
            let analysis = analyzer.finish(&ctx);
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
    let mut texts = Vec::new();
    for f in files {
        match std::fs::read(f) {
            Ok(bytes) => texts.push((f.as_str(), String::from_utf8_lossy(&bytes).into_owned())),
            Err(e) => eprintln!("midtriage: {f}: cannot read the rules file: {e}"),
        }
    }
    let pairs: Vec<(&str, &str)> = texts.iter().map(|(n, t)| (*n, t.as_str())).collect();
    Catalogue::with_extra(&pairs)
}

fn display_name(path: &str) -> &str {
    if path == "-" {
        "<stdin>"
    } else {
        path
    }
}

/// Bytes read and fed at a time.
const CHUNK: usize = 8 << 20;

/// Streams a file (or standard input for `-`) into the intake.
fn feed(path: &str, intake: &mut Intake<&mut Analyzer>) -> std::io::Result<()> {
    let mut reader: Box<dyn Read> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path)?)
    };
    let mut buf = vec![0u8; CHUNK];
    loop {
        let mut filled = 0;
        while filled < CHUNK {
            match reader.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if filled > 0 {
            intake.feed(&buf[..filled]);
        }
        // A refused file (binary, a bomb) is not read through.
        if !intake.wants_more() {
            return Ok(());
        }
        if filled < CHUNK {
            return Ok(());
        }
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
