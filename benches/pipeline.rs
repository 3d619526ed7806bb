//! The whole wild-type pipeline (read, align, grade, call mutations, write the tables) on the
//! synthetic 1K set of the `bench_sets` example (seed 42), against the bundled references.

// The benchmark harness, shared by the bench examples and the criterion benches.
#[allow(dead_code)]
#[path = "../examples/harness/mod.rs"]
mod harness;

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harness::{measure_pipeline, prepare_set};
use wildtype_aligner::wildtype::{PipelineConfig, ReferenceSet, run};

fn pipeline(c: &mut Criterion) {
    let references_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/wildtype/references.faa");
    let references = ReferenceSet::from_path(&references_path).unwrap();
    let dir = std::env::temp_dir().join(format!("wta-bench-pipeline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let set = prepare_set(&references, None, 42, 1000, &dir.join("set_proteins.fasta")).unwrap();
    let out = dir.join("out");
    // One measured run for the throughput in cells.
    let cells = measure_pipeline(&set.path, &references_path, &out, None)
        .unwrap()
        .cells;
    let config = PipelineConfig::new([&set.path], &references_path, &out);

    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    group.throughput(Throughput::Elements(cells));
    group.bench_function("1k_targets", |bench| {
        bench.iter(|| run(&config, &()).unwrap())
    });
    group.finish();
    std::fs::remove_dir_all(&dir).unwrap();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
