//! Prints GCUPS per kernel (one thread) for score-only and full alignments, on close homologs
//! (mutated TEM-1 variants against TEM-1) and unrelated pairs, with the scalar engine and, when
//! installed, EMBOSS `water` measured in the same run.
//!
//! Then one pair at a time (`Aligner::score` and `Aligner::align`, one thread): the striped
//! kernel against one lane of the lane kernel and the scalar engine, on pairs of 300, 1000 and
//! 3000 residues, and on short pairs to place the length rule between them.
//!
//! `cargo run --release --example bench_kernels [targets]` (`single` as the argument runs only
//! the single-pair part)

use std::time::{Duration, Instant};

use wildtype_aligner::align::{Aligner, KernelKind};

const TEM1: &[u8] = b"MSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLGARVGYIELDLNSGKILESFRPEERFPMMSTFKVLLCGAVLSRIDAGQEQLGRRIHYSQNDLVEYSPVTEKHLTDGMTVRELCSAAITMSDNTAANLLLTTIGGPKELTAFLHNMGDHVTRLDRWEPELNEAIPNDERDTTMPVAMATTLRKLLTGELLTLASRQQLIDWMEADKVAGPLLRSALPAGWFIADKSGAGERGSRGIIAALGPDGKPSRIVVIYTTGSQATMDERNRQIAEIGASLIKHW";
const AMINO: &[u8] = b"ACDEFGHIKLMNPQRSTVWY";

/// A small deterministic generator (xorshift), so every run measures the same pairs.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A variant: about 3% substitutions and a few short indels, as resistance variants look.
fn variant(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    for &residue in TEM1 {
        match rng.below(100) {
            0..=2 => out.push(AMINO[rng.below(20)]),
            3 if rng.below(4) == 0 => {}
            4 if rng.below(4) == 0 => {
                out.push(residue);
                out.push(AMINO[rng.below(20)]);
            }
            _ => out.push(residue),
        }
    }
    out
}

fn unrelated(rng: &mut Rng) -> Vec<u8> {
    (0..TEM1.len() - 10 + rng.below(20))
        .map(|_| AMINO[rng.below(20)])
        .collect()
}

fn time(mut run: impl FnMut()) -> Duration {
    run();
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        run();
        best = best.min(start.elapsed());
    }
    best
}

fn water_time(a: &[u8], targets: &[Vec<u8>]) -> Option<Duration> {
    let water = std::path::Path::new("/usr/bin/water");
    if !water.exists() {
        return None;
    }
    let dir = std::env::temp_dir().join(format!("wta-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    std::fs::write(dir.join("a.fa"), [b">a\n", a, b"\n"].concat()).ok()?;
    let mut b = Vec::new();
    for (k, target) in targets.iter().enumerate() {
        b.extend_from_slice(format!(">b{k}\n").as_bytes());
        b.extend_from_slice(target);
        b.push(b'\n');
    }
    std::fs::write(dir.join("b.fa"), b).ok()?;
    let start = Instant::now();
    let status = std::process::Command::new(water)
        .args([
            "-asequence",
            "a.fa",
            "-bsequence",
            "b.fa",
            "-gapopen",
            "10",
            "-gapextend",
            "0.5",
        ])
        .args(["-aformat", "score", "-outfile", "out.water", "-auto"])
        .current_dir(&dir)
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    let elapsed = start.elapsed();
    let _ = std::fs::remove_dir_all(&dir);
    status.success().then_some(elapsed)
}

fn main() {
    let argument = std::env::args().nth(1);
    if argument.as_deref() == Some("single") {
        single_pairs();
        return;
    }
    let count: usize = argument.and_then(|n| n.parse().ok()).unwrap_or(512);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let sets = [
        (
            "homologs",
            (0..count).map(|_| variant(&mut rng)).collect::<Vec<_>>(),
        ),
        (
            "unrelated",
            (0..count).map(|_| unrelated(&mut rng)).collect::<Vec<_>>(),
        ),
    ];
    println!(
        "query TEM-1 ({} aa), {count} targets per set, one thread, EBLOSUM62 10/0.5",
        TEM1.len()
    );
    println!(
        "{:<10} {:<9} {:>12} {:>12} {:>10} {:>10}",
        "set", "kernel", "score GCUPS", "align GCUPS", "score/sc", "align/sc"
    );
    for (name, targets) in &sets {
        let views: Vec<&[u8]> = targets.iter().map(Vec::as_slice).collect();
        let cells: f64 = views.iter().map(|t| (t.len() * TEM1.len()) as f64).sum();
        let mut scalar = (0.0, 0.0);
        for kind in KernelKind::available() {
            let aligner = Aligner::builder().kernel(kind).build().unwrap();
            // The scalar engine is slow: time it on a slice and scale.
            let subset = if kind == KernelKind::Scalar {
                &views[..views.len().min(64)]
            } else {
                &views[..]
            };
            let sub_cells: f64 = subset.iter().map(|t| (t.len() * TEM1.len()) as f64).sum();
            let score = time(|| {
                pool.install(|| std::hint::black_box(aligner.score_many(TEM1, subset)));
            });
            let align = time(|| {
                pool.install(|| std::hint::black_box(aligner.align_many(TEM1, subset)));
            });
            let gcups = (
                sub_cells / score.as_secs_f64() / 1e9,
                sub_cells / align.as_secs_f64() / 1e9,
            );
            if kind == KernelKind::Scalar {
                scalar = gcups;
            }
            println!(
                "{:<10} {:<9} {:>12.3} {:>12.3} {:>9.1}x {:>9.1}x",
                name,
                kind.to_string(),
                gcups.0,
                gcups.1,
                gcups.0 / scalar.0,
                gcups.1 / scalar.1
            );
        }
        let water_targets = &targets[..targets.len().min(64)];
        let water_cells: f64 = water_targets
            .iter()
            .map(|t| (t.len() * TEM1.len()) as f64)
            .sum();
        match water_time(TEM1, water_targets) {
            Some(elapsed) => {
                let gcups = water_cells / elapsed.as_secs_f64() / 1e9;
                println!(
                    "{:<10} {:<9} {:>12} {:>12.3} {:>10} {:>9.2}x",
                    name,
                    "water",
                    "-",
                    gcups,
                    "-",
                    gcups / scalar.1
                );
            }
            None => println!("{name:<10} water     (not installed)"),
        }
        let _ = cells;
    }
    single_pairs();
}

/// A random protein of `len` residues.
fn protein(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| AMINO[rng.below(20)]).collect()
}

/// A homolog of `seed`: about 3% substitutions and a few short indels.
fn homolog(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(seed.len() + 16);
    for &residue in seed {
        match rng.below(100) {
            0..=2 => out.push(AMINO[rng.below(20)]),
            3 if rng.below(4) == 0 => {}
            4 if rng.below(4) == 0 => {
                out.push(residue);
                out.push(AMINO[rng.below(20)]);
            }
            _ => out.push(residue),
        }
    }
    out
}

/// GCUPS of `run` over `repeats` runs of an `la` x `lb` pair (best of three).
fn pair_gcups(la: usize, lb: usize, repeats: usize, mut run: impl FnMut()) -> f64 {
    let elapsed = time(|| {
        for _ in 0..repeats {
            run();
        }
    });
    (la * lb * repeats) as f64 / elapsed.as_secs_f64() / 1e9
}

/// The single-pair table: striped vs one lane of the lane kernel vs the scalar engine.
fn single_pairs() {
    let mut rng = Rng(0x51_7cc1_b727_220a);
    let scalar = Aligner::builder()
        .kernel(KernelKind::Scalar)
        .build()
        .unwrap();
    let kernels: Vec<KernelKind> = KernelKind::available()
        .into_iter()
        .filter(|kind| *kind != KernelKind::Scalar)
        .collect();
    println!();
    println!(
        "single pairs, one thread, EBLOSUM62 10/0.5, GCUPS (score = fill only, align = with walk)"
    );
    println!(
        "{:<9} {:>5} {:<9} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "pair",
        "len",
        "kernel",
        "striped sc",
        "striped al",
        "lane sc",
        "lane al",
        "scalar sc",
        "scalar al"
    );
    for len in [300, 1000, 3000] {
        let a = protein(&mut rng, len);
        let pairs = [
            ("homolog", homolog(&mut rng, &a)),
            ("unrelated", protein(&mut rng, len)),
        ];
        for (name, b) in &pairs {
            let repeats = (3_000_000 / (len * len)).max(1);
            let scalar_repeats = 1;
            let scalar_score = pair_gcups(len, b.len(), scalar_repeats, || {
                std::hint::black_box(scalar.score(&a, b).unwrap());
            });
            let scalar_align = pair_gcups(len, b.len(), scalar_repeats, || {
                std::hint::black_box(scalar.align(&a, b).unwrap());
            });
            for &kind in &kernels {
                let striped = Aligner::builder()
                    .kernel(kind)
                    .striped(Some(true))
                    .build()
                    .unwrap();
                let lane = Aligner::builder()
                    .kernel(kind)
                    .striped(Some(false))
                    .build()
                    .unwrap();
                let lane_repeats = (repeats / 8).max(1);
                let row = [
                    pair_gcups(len, b.len(), repeats, || {
                        std::hint::black_box(striped.score(&a, b).unwrap());
                    }),
                    pair_gcups(len, b.len(), repeats, || {
                        std::hint::black_box(striped.align(&a, b).unwrap());
                    }),
                    pair_gcups(len, b.len(), lane_repeats, || {
                        std::hint::black_box(lane.score(&a, b).unwrap());
                    }),
                    pair_gcups(len, b.len(), lane_repeats, || {
                        std::hint::black_box(lane.align(&a, b).unwrap());
                    }),
                ];
                println!(
                    "{:<9} {:>5} {:<9} {:>10.3} {:>10.3} {:>10.3} {:>10.3} {:>10.3} {:>10.3}",
                    name,
                    len,
                    kind.to_string(),
                    row[0],
                    row[1],
                    row[2],
                    row[3],
                    scalar_score,
                    scalar_align
                );
            }
        }
    }

    // Short pairs: where the striped kernel starts to beat one lane of the lane kernel.
    println!();
    println!("short pairs (a x b, b a homolog of a's first residues, align GCUPS): the crossover");
    println!(
        "{:>9} {:<9} {:>10} {:>10} {:>10} {:>10}",
        "a x b", "kernel", "striped", "lane", "default", "scalar"
    );
    let shapes = [
        (4, 4),
        (8, 8),
        (12, 12),
        (16, 16),
        (20, 20),
        (24, 24),
        (32, 32),
        (48, 48),
        (64, 64),
        (128, 128),
        (4, 200),
        (200, 4),
        (8, 1000),
        (1000, 8),
        (16, 300),
        (300, 16),
    ];
    for (la, lb) in shapes {
        let pairs: Vec<(Vec<u8>, Vec<u8>)> = (0..64)
            .map(|_| {
                let a = protein(&mut rng, la.max(lb));
                let b = homolog(&mut rng, &a[..lb]);
                (a[..la].to_vec(), b)
            })
            .collect();
        let cells: usize = pairs.iter().map(|(a, b)| a.len() * b.len()).sum();
        let repeats = (2_000_000 / cells).max(1);
        let measure = |aligner: &Aligner| {
            let elapsed = time(|| {
                for _ in 0..repeats {
                    for (a, b) in &pairs {
                        std::hint::black_box(aligner.align(a, b).unwrap());
                    }
                }
            });
            (cells * repeats) as f64 / elapsed.as_secs_f64() / 1e9
        };
        let scalar_gcups = measure(&scalar);
        for &kind in &kernels {
            let build = |striped| {
                Aligner::builder()
                    .kernel(kind)
                    .striped(striped)
                    .build()
                    .unwrap()
            };
            println!(
                "{:>9} {:<9} {:>10.3} {:>10.3} {:>10.3} {:>10.3}",
                format!("{la}x{lb}"),
                kind.to_string(),
                measure(&build(Some(true))),
                measure(&build(Some(false))),
                measure(&build(None)),
                scalar_gcups
            );
        }
    }
}
