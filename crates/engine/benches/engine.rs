//! Throughput of the whole engine (decode, scan, rules, evidence) over the bench corpora: the
//! synthetic agent log, a chatty healthy MID and an error storm (see `tests/common/corpora.rs`).
//! `MIDTRIAGE_BENCH_MB` sets each corpus' size (64 MiB by default).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use midtriage_engine::{analyze, Catalogue, Context, Input};

#[path = "../tests/common/corpora.rs"]
mod corpora;
#[path = "../tests/common/synth.rs"]
mod synth;

fn engine(c: &mut Criterion) {
    let mb: usize = std::env::var("MIDTRIAGE_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let catalogue = Catalogue::builtin();
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    for name in ["synthetic", "chatty", "storm"] {
        let log = corpora::corpus(name, mb << 20, 42).expect("a known corpus");
        group.throughput(Throughput::Bytes(log.len() as u64));
        group.bench_function(format!("analyze {mb} MiB {name}"), |b| {
            b.iter(|| {
                let input = Input {
                    name: "agent0.log.0",
                    bytes: &log,
                    kind: None,
                };
                analyze(catalogue, &[input], &Context::default())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
