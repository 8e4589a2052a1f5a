//! Writes the reproducible synthetic agent log used by `cargo xtask bench`:
//! `cargo run --release -p midtriage-engine --example synth -- MEGABYTES SEED OUT`.

#[path = "../tests/common/synth.rs"]
mod synth;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mb, seed, out] = args.as_slice() else {
        eprintln!("usage: synth MEGABYTES SEED OUT");
        std::process::exit(2);
    };
    let (mb, seed): (usize, u64) = (mb.parse().expect("MEGABYTES"), seed.parse().expect("SEED"));
    let log = synth::agent_log(mb << 20, seed);
    std::fs::write(out, &log).unwrap_or_else(|e| panic!("{out}: {e}"));
    println!(
        "{out}: {} bytes, incidents every {} lines",
        log.len(),
        synth::INCIDENT_EVERY
    );
}
