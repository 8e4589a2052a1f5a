//! The fuzz targets on stable: every committed corpus file of every target (fuzz/corpus/),
//! then a short seeded mutation run of each, through the same bodies libFuzzer runs
//! (`midtriage_engine::fuzz`). Long runs use cargo-fuzz: `cargo xtask fuzz`.

use std::path::{Path, PathBuf};

use midtriage_engine::fuzz::TARGETS;

#[path = "common/synth.rs"]
mod synth;

use synth::Rng;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    files.sort();
    files
}

/// Pieces that steer mutations towards the formats' own syntax.
const TOKENS: &[&[u8]] = &[
    b"\r\n",
    b"\n",
    b"\r",
    b"\0",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xe2\x82",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"<!DOCTYPE x [<!ENTITY a \"&b;&b;\">]>",
    b"&a;",
    b"&amp;",
    b"<![CDATA[",
    b"-->",
    b"\"",
    b"'",
    b"<parameter name=\"mid.instance.username\" value=\"u\"/>",
    b"secure=\"true\"",
    b"encrypted:",
    b"glide-",
    b"__patch",
    b"-hotfix",
    b"_0101",
    b"-12-31-2025",
    b"RELEASE_FAMILY",
    b"[[rule]]",
    b"[[rule.when]]",
    b"regex = '",
    b"(?i)",
    b"{1000}",
    b"any = [",
    b"within = ",
    b" SEVERE *** ERROR *** ",
    b"\tat x.y(Z.java:1)",
    b"Caused by: ",
    b"INFO   | jvm 1    | ",
    b"2026-06-03T09:46:18.163-0400 ",
    b"10/22/18 17:56:13 (898) ",
];

fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>, other: &[u8]) {
    for _ in 0..1 + rng.below(6) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(6) {
            0 if at < bytes.len() => bytes[at] ^= 1 << rng.below(8),
            1 => bytes.insert(at, rng.next() as u8),
            2 => {
                let end = (at + rng.below(64)).min(bytes.len());
                bytes.drain(at..end);
            }
            3 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                bytes.splice(at..at, t.iter().copied());
            }
            4 if !other.is_empty() => {
                let from = rng.below(other.len());
                let to = (from + rng.below(256)).min(other.len());
                bytes.splice(at..at, other[from..to].iter().copied());
            }
            _ => {
                let end = (at + rng.below(32)).min(bytes.len());
                let piece = bytes[at..end].to_vec();
                bytes.splice(at..at, piece.iter().copied().cycle().take(piece.len() * 8));
            }
        }
    }
}

#[test]
fn every_corpus_file_passes_every_target() {
    for (name, body) in TARGETS {
        let files = corpus(name);
        assert!(files.len() >= 5, "{name}: only {} seeds", files.len());
        for (path, bytes) in &files {
            let run = std::panic::catch_unwind(|| body(bytes));
            assert!(run.is_ok(), "{name} fails on {}", path.display());
        }
        // Every target also survives the empty input.
        body(&[]);
    }
}

#[test]
fn a_seeded_mutation_run_of_each_target_passes() {
    // Enough to reach each target's branches in seconds; the long runs are cargo-fuzz's.
    const RUNS: usize = 1500;
    for (i, (name, body)) in TARGETS.iter().enumerate() {
        let seeds: Vec<Vec<u8>> = corpus(name).into_iter().map(|(_, b)| b).collect();
        let mut rng = Rng(0x5eed + i as u64);
        for n in 0..RUNS {
            let mut bytes = seeds[rng.below(seeds.len())].clone();
            let other = &seeds[rng.below(seeds.len())];
            mutate(&mut rng, &mut bytes, other);
            let run = std::panic::catch_unwind(|| body(&bytes));
            if run.is_err() {
                let out = std::env::temp_dir().join(format!("midtriage-fuzz-{name}-{n}"));
                std::fs::write(&out, &bytes).unwrap();
                panic!("{name} fails on mutation {n}, written to {}", out.display());
            }
        }
    }
}
