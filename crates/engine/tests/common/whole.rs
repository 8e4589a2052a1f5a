//! The one-call analysis of named files, as the integration tests compare others with.

use midtriage_engine::{analyze, Analysis, Catalogue, Context, Input};

/// `files` (name, bytes) analysed in one call with the built-in rules and no answers.
pub fn whole(files: &[(String, Vec<u8>)]) -> Analysis {
    let inputs: Vec<Input> = files
        .iter()
        .map(|(n, b)| Input {
            name: n,
            bytes: b,
            kind: None,
        })
        .collect();
    analyze(Catalogue::builtin(), &inputs, &Context::default())
}
