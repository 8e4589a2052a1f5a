//! Writes the reproducible benchmark corpora used by `cargo xtask bench`:
//! `cargo run --release -p midtriage-engine --example synth -- CORPUS MEGABYTES SEED OUT`,
//! where CORPUS is one of synthetic, chatty, storm, awkward (see `tests/common/corpora.rs`).

#[path = "../tests/common/corpora.rs"]
mod corpora;
#[path = "../tests/common/synth.rs"]
mod synth;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || -> ! {
        eprintln!(
            "usage: synth CORPUS MEGABYTES SEED OUT (CORPUS: {})",
            corpora::NAMES.join(", ")
        );
        std::process::exit(2);
    };
    let [name, mb, seed, out] = args.as_slice() else {
        usage()
    };
    let (Ok(mb), Ok(seed)) = (mb.parse::<usize>(), seed.parse::<u64>()) else {
        usage()
    };
    let Some(log) = corpora::corpus(name, mb << 20, seed) else {
        usage()
    };
    if let Err(e) = std::fs::write(out, &log) {
        eprintln!("{out}: {e}");
        std::process::exit(1);
    }
    println!("{out}: {name}, {} bytes", log.len());
}
