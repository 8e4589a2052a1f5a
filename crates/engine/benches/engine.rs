//! Throughput of the whole engine over a generated agent log (see `synth` for the line mix).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use midtriage_engine::{analyze, Catalogue, Context, Input};

#[path = "../tests/common/synth.rs"]
mod synth;

fn engine(c: &mut Criterion) {
    let mb: usize = std::env::var("MIDTRIAGE_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let log = synth::agent_log(mb * 1024 * 1024, 42);
    let catalogue = Catalogue::builtin();
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Bytes(log.len() as u64));
    group.sample_size(10);
    group.bench_function(format!("analyze {mb} MB agent log"), |b| {
        b.iter(|| {
            let input = Input {
                name: "agent0.log.0",
                bytes: &log,
                kind: None,
            };
            let a = analyze(catalogue, &[input], &Context::default());
            assert!(!a.findings.is_empty());
            a
        })
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
