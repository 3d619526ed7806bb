//! Criterion benchmarks: every kernel this CPU has, score-only and full water-identical
//! alignment, on close homologs (TEM-1 variants against TEM-1) and unrelated pairs, at two
//! query lengths. Throughput is in cells (elements/s = cells/s; divide by 1e9 for GCUPS).
//! The scalar engine runs in the same groups, and with `--features parasail` so does parasail
//! (score only, and traceback with its CIGAR); `examples/bench_kernels.rs` adds EMBOSS water
//! and prints the ratios against the targets.

// The benchmark harness, shared by the bench examples and the criterion benches.
#[allow(dead_code)]
#[path = "../examples/harness/mod.rs"]
mod harness;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use harness::synth::SplitMix64;
use wildtype_aligner::align::{Aligner, KernelKind};

const TEM1: &[u8] = b"MSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLGARVGYIELDLNSGKILESFRPEERFPMMSTFKVLLCGAVLSRIDAGQEQLGRRIHYSQNDLVEYSPVTEKHLTDGMTVRELCSAAITMSDNTAANLLLTTIGGPKELTAFLHNMGDHVTRLDRWEPELNEAIPNDERDTTMPVAMATTLRKLLTGELLTLASRQQLIDWMEADKVAGPLLRSALPAGWFIADKSGAGERGSRGIIAALGPDGKPSRIVVIYTTGSQATMDERNRQIAEIGASLIKHW";
const AMINO: &[u8] = b"ACDEFGHIKLMNPQRSTVWY";

fn variant(rng: &mut SplitMix64, wild_type: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for &residue in wild_type {
        match rng.below(100) {
            0..=2 => out.push(AMINO[rng.below(20)]),
            3 if rng.below(4) == 0 => {}
            _ => out.push(residue),
        }
    }
    out
}

fn unrelated(rng: &mut SplitMix64, len: usize) -> Vec<u8> {
    (0..len).map(|_| AMINO[rng.below(20)]).collect()
}

fn kernels(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut rng = SplitMix64::new(0x2545_f491_4f6c_dd1d);
    let long: Vec<u8> = TEM1.iter().chain(TEM1).chain(TEM1).copied().collect();
    for (length_name, query) in [("286", TEM1.to_vec()), ("858", long)] {
        let homologs: Vec<Vec<u8>> = (0..64).map(|_| variant(&mut rng, &query)).collect();
        let others: Vec<Vec<u8>> = (0..64).map(|_| unrelated(&mut rng, query.len())).collect();
        for (set, targets) in [("homologs", &homologs), ("unrelated", &others)] {
            let views: Vec<&[u8]> = targets.iter().map(Vec::as_slice).collect();
            for pass in ["score", "align"] {
                let mut group = c.benchmark_group(format!("{pass}/{set}/{length_name}"));
                group.sample_size(10);
                group.measurement_time(std::time::Duration::from_secs(2));
                for kind in KernelKind::available() {
                    // The scalar engine is two orders slower: measure it on 4 targets.
                    let subset = if kind == KernelKind::Scalar {
                        &views[..4]
                    } else {
                        &views[..]
                    };
                    let cells: usize = subset.iter().map(|t| t.len() * query.len()).sum();
                    group.throughput(Throughput::Elements(cells as u64));
                    let aligner = Aligner::builder().kernel(kind).build().unwrap();
                    group.bench_function(BenchmarkId::from_parameter(kind), |bench| {
                        bench.iter(|| {
                            pool.install(|| {
                                if pass == "score" {
                                    std::hint::black_box(
                                        aligner.score_one_to_many(&query, subset).len(),
                                    )
                                } else {
                                    std::hint::black_box(
                                        aligner.align_one_to_many(&query, subset).len(),
                                    )
                                }
                            })
                        })
                    });
                }
                #[cfg(feature = "parasail")]
                peer::parasail(&mut group, pass, &query, &views);
                group.finish();
            }
        }
    }
}

/// parasail as a peer in the same groups (`harness::peers::Parasail`:
/// striped 16-bit local, the query's profile built once, saturated results re-run at 32 bits;
/// the traceback variant also produces the CIGAR). Its score is Gotoh's, not water's (no edge
/// quirks); the point is speed on the same pairs.
#[cfg(feature = "parasail")]
mod peer {
    use crate::harness::peers::Parasail;
    use criterion::measurement::WallTime;
    use criterion::{BenchmarkGroup, BenchmarkId, Throughput};

    pub fn parasail(
        group: &mut BenchmarkGroup<'_, WallTime>,
        pass: &str,
        query: &[u8],
        targets: &[&[u8]],
    ) {
        let peer = Parasail::new(query).unwrap();
        let cells: usize = targets.iter().map(|t| t.len() * query.len()).sum();
        group.throughput(Throughput::Elements(cells as u64));
        if pass == "score" {
            group.bench_function(BenchmarkId::from_parameter("parasail-striped16"), |bench| {
                bench.iter(|| {
                    targets
                        .iter()
                        .map(|t| peer.score(t).unwrap().0)
                        .sum::<i32>()
                })
            });
        } else {
            group.bench_function(
                BenchmarkId::from_parameter("parasail-striped16-trace-cigar"),
                |bench| {
                    bench.iter(|| {
                        targets
                            .iter()
                            .map(|t| peer.trace(t).unwrap().0.len())
                            .sum::<usize>()
                    })
                },
            );
        }
    }
}

criterion_group!(benches, kernels);
criterion_main!(benches);
