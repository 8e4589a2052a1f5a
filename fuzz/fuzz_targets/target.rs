//! One source for every fuzz target: the binary's name picks the engine's target body
//! (`midtriage_engine::fuzz::TARGETS`).
#![no_main]

use midtriage_engine::fuzz::TARGETS;

/// The body of the target this binary was built as.
fn body() -> fn(&[u8]) {
    let name = env!("CARGO_BIN_NAME");
    TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no fuzz target named {name}"))
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| body()(data));
