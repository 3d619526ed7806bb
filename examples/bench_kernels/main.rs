//! Prints GCUPS per kernel (one thread) for score-only and full alignments, on close homologs
//! (mutated TEM-1 variants against TEM-1) and unrelated pairs, with the scalar engine and the
//! peers measured in the same run on the same targets:
//!
//! - parasail (feature `parasail`): striped 16-bit local, the query's profile built once,
//!   score only (`sw_striped_profile_16`) and with traceback to a CIGAR
//!   (`sw_trace_striped_profile_16`), saturated results re-run at 32 bits as parasail does;
//! - EMBOSS `water` as a whole process against this crate's `water` example binary, same
//!   a.fa / b.fa, same arguments, both on one thread, outputs compared after the run header.
//!
//! Then one pair at a time (`Aligner::score` and `Aligner::align`, one thread): the striped
//! kernel against one lane of the lane kernel and the scalar engine, on pairs of 300, 1000 and
//! 3000 residues, and on short pairs to place the length rule between them.
//!
//! It ends with a "targets" block: each ratio of this run against its target, met or MISSED.
//!
//! `cargo build --release --example water && cargo run --release [--features parasail]
//! --example bench_kernels [targets]` (`single` as the argument runs only the single-pair
//! part)

// The benchmark harness, shared by the bench examples and the criterion benches.
#[allow(dead_code)]
#[path = "../harness/mod.rs"]
mod harness;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use harness::peers::comparable;
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

/// A variant of TEM-1: about 3% substitutions and a few short indels, as resistance variants
/// look.
fn variant(rng: &mut Rng) -> Vec<u8> {
    homolog(rng, TEM1)
}

fn unrelated(rng: &mut Rng) -> Vec<u8> {
    let len = TEM1.len() - 10 + rng.below(20);
    protein(rng, len)
}

/// A warm-up run, then the best of 3.
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

fn gcups(cells: f64, elapsed: Duration) -> f64 {
    cells / elapsed.as_secs_f64() / 1e9
}

/// Both waters as whole processes on the same files: median wall times (a warm-up, then
/// [`PROCESS_RUNS`] runs each) and whether the reports are identical after the run header.
struct Processes {
    ours: Duration,
    /// Ours with every thread (rayon's default).
    ours_all: Duration,
    emboss: Duration,
    /// `None`: identical; otherwise the first difference.
    difference: Option<String>,
}

/// The arguments both waters get (default srspair output).
const WATER_ARGS: [&str; 11] = [
    "-asequence",
    "a.fa",
    "-bsequence",
    "b.fa",
    "-gapopen",
    "10",
    "-gapextend",
    "0.5",
    "-outfile",
    "out.water",
    "-auto",
];

/// This crate's `water` example, built next to this executable.
fn our_water() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("no current executable: {e}"))?;
    let ours = exe.with_file_name(format!("water{}", std::env::consts::EXE_SUFFIX));
    if ours.is_file() {
        Ok(ours)
    } else {
        Err(format!(
            "{} is missing: build it with `cargo build --release --example water` (same \
             --features and CARGO_TARGET_DIR as this bench)",
            ours.display()
        ))
    }
}

/// Runs `program` with [`WATER_ARGS`] in `dir` (one thread, or every thread with `all`),
/// returning its report and time.
fn run_water(program: &Path, dir: &Path, all: bool) -> Result<(String, Duration), String> {
    let out = dir.join("out.water");
    let _ = std::fs::remove_file(&out);
    let start = Instant::now();
    let mut command = Command::new(program);
    command.args(WATER_ARGS).current_dir(dir);
    if !all {
        command.env("RAYON_NUM_THREADS", "1");
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let elapsed = start.elapsed();
    if !output.status.success() {
        return Err(format!(
            "{} failed: {}",
            program.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let report = std::fs::read_to_string(&out)
        .map_err(|e| format!("{} wrote no report: {e}", program.display()))?;
    Ok((report, elapsed))
}

/// Runs of each program behind a process ratio. The median of several runs, not the best of
/// a few: a process's wall time varies with whatever else the machine does.
const PROCESS_RUNS: usize = 9;

/// A warm-up run, then the median of [`PROCESS_RUNS`] runs; the last report.
fn time_water(program: &Path, dir: &Path, all: bool) -> Result<(String, Duration), String> {
    let (mut report, _) = run_water(program, dir, all)?;
    let mut times = Vec::with_capacity(PROCESS_RUNS);
    for _ in 0..PROCESS_RUNS {
        let (text, elapsed) = run_water(program, dir, all)?;
        report = text;
        times.push(elapsed);
    }
    times.sort();
    Ok((report, times[PROCESS_RUNS / 2]))
}

fn processes(a: &[u8], targets: &[Vec<u8>]) -> Result<Processes, String> {
    let emboss = Path::new("/usr/bin/water");
    if !emboss.is_file() {
        return Err("/usr/bin/water is not installed (apt-get install emboss)".into());
    }
    let ours = our_water()?;
    let dir = std::env::temp_dir().join(format!("wta-bench-kernels-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = (|| {
        std::fs::write(dir.join("a.fa"), [b">a\n", a, b"\n"].concat())
            .map_err(|e| e.to_string())?;
        let mut b = Vec::new();
        for (k, target) in targets.iter().enumerate() {
            b.extend_from_slice(format!(">b{k}\n").as_bytes());
            b.extend_from_slice(target);
            b.push(b'\n');
        }
        std::fs::write(dir.join("b.fa"), b).map_err(|e| e.to_string())?;
        let (emboss_report, emboss_time) = time_water(emboss, &dir, false)?;
        let (our_report, our_time) = time_water(&ours, &dir, false)?;
        let (_, our_time_all) = time_water(&ours, &dir, true)?;
        let (theirs, mine) = (comparable(&emboss_report), comparable(&our_report));
        let difference = (theirs != mine).then(|| {
            let line = theirs
                .lines()
                .zip(mine.lines())
                .position(|(x, y)| x != y)
                .unwrap_or_else(|| theirs.lines().count().min(mine.lines().count()));
            format!(
                "first at line {}: EMBOSS {:?}, ours {:?}",
                line + 1,
                theirs.lines().nth(line).unwrap_or("<end>"),
                mine.lines().nth(line).unwrap_or("<end>")
            )
        });
        Ok(Processes {
            ours: our_time,
            ours_all: our_time_all,
            emboss: emboss_time,
            difference,
        })
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// parasail's score-only and traceback passes over `targets`, on this thread: GCUPS of each
/// how many targets saturated 16 bits (re-run at 32), and on how many parasail's score is
/// water's (within 1).
#[cfg(feature = "parasail")]
fn parasail(query: &[u8], targets: &[&[u8]], cells: f64) -> ((f64, f64), usize, usize) {
    let peer = harness::peers::Parasail::new(query).expect("parasail set-up");
    let score = time(|| {
        for target in targets {
            std::hint::black_box(peer.score(target).expect("parasail score"));
        }
    });
    let trace = time(|| {
        for target in targets {
            std::hint::black_box(peer.trace(target).expect("parasail traceback"));
        }
    });
    let saturated = targets
        .iter()
        .filter(|t| {
            peer.score(t).expect("parasail score").1 || peer.trace(t).expect("parasail trace").1
        })
        .count();
    // Not timed: parasail solves the same problem (its doubled Gotoh score, halved, is water's
    // up to water's edge quirks).
    let ours = Aligner::builder()
        .build()
        .unwrap()
        .score_one_to_many(query, targets);
    let agree = targets
        .iter()
        .zip(ours)
        .filter(|(t, ours)| {
            let theirs = peer.score(t).expect("parasail score").0 as f32 / 2.0;
            ours.as_ref()
                .is_ok_and(|o| (o.score() - theirs).abs() <= 1.0)
        })
        .count();
    ((gcups(cells, score), gcups(cells, trace)), saturated, agree)
}

/// One measured ratio against its target.
struct Target {
    set: &'static str,
    what: String,
    ratio: Option<f64>,
    target: f64,
    note: String,
}

fn row(set: &str, engine: &str, score: Option<f64>, align: Option<f64>, scalar: (f64, f64)) {
    let number = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.3}"));
    let ratio = |v: Option<f64>, base: f64| {
        v.map_or("-".to_owned(), |v| {
            if v / base < 10.0 {
                format!("{:.2}x", v / base)
            } else {
                format!("{:.1}x", v / base)
            }
        })
    };
    println!(
        "{:<10} {:<22} {:>12} {:>12} {:>9} {:>9}",
        set,
        engine,
        number(score),
        number(align),
        ratio(score, scalar.0),
        ratio(align, scalar.1)
    );
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
        "query TEM-1 ({} aa), {count} targets per set, one thread, EBLOSUM62 10/0.5; \
         warm-up then best of 3 (whole processes: median of {PROCESS_RUNS})",
        TEM1.len()
    );
    // Other work on the machine skews every row: say how busy it was.
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!(
            "load average {} (1/5/15 min) on {} logical cores at start",
            load.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" "),
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );
    }
    #[cfg(not(feature = "parasail"))]
    println!(
        "parasail rows: not built; run with `--features parasail` (needs cmake and \
         libclang-dev) to measure parasail in this run"
    );
    println!(
        "{:<10} {:<22} {:>12} {:>12} {:>9} {:>9}",
        "set", "engine", "score GCUPS", "align GCUPS", "score/sc", "align/sc"
    );
    let mut targets: Vec<Target> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for (name, set) in &sets {
        let views: Vec<&[u8]> = set.iter().map(Vec::as_slice).collect();
        let cells: f64 = views.iter().map(|t| (t.len() * TEM1.len()) as f64).sum();
        let mut scalar = (f64::NAN, f64::NAN);
        // The fastest kernel of each pass: (GCUPS, kernel).
        let mut best_score = (0.0, String::new());
        let mut best_align = (0.0, String::new());
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
                pool.install(|| std::hint::black_box(aligner.score_one_to_many(TEM1, subset)));
            });
            let align = time(|| {
                pool.install(|| std::hint::black_box(aligner.align_one_to_many(TEM1, subset)));
            });
            let measured = (gcups(sub_cells, score), gcups(sub_cells, align));
            if kind == KernelKind::Scalar {
                scalar = measured;
            }
            if measured.0 > best_score.0 {
                best_score = (measured.0, kind.to_string());
            }
            if measured.1 > best_align.0 {
                best_align = (measured.1, kind.to_string());
            }
            row(
                name,
                &kind.to_string(),
                Some(measured.0),
                Some(measured.1),
                scalar,
            );
        }

        #[cfg(feature = "parasail")]
        let peer: Option<(f64, f64)> = {
            let ((score, trace), saturated, agree) = parasail(TEM1, &views, cells);
            notes.push(format!(
                "{name}: parasail's score (halved) is water's within 1 on {agree}/{} targets",
                views.len()
            ));
            row(name, "parasail striped16", Some(score), None, scalar);
            row(name, "parasail trace16+cigar", None, Some(trace), scalar);
            if saturated > 0 {
                notes.push(format!(
                    "{name}: parasail saturated 16 bits on {saturated} targets (re-run at 32 bits, timed)"
                ));
            }
            Some((score, trace))
        };
        #[cfg(not(feature = "parasail"))]
        let peer: Option<(f64, f64)> = None;
        let not_built = || "parasail not built (--features parasail)".to_owned();
        targets.push(Target {
            set: name,
            what: format!("score {} / parasail striped16", best_score.1),
            ratio: peer.map(|(score, _)| best_score.0 / score),
            target: 3.0,
            note: if peer.is_some() {
                String::new()
            } else {
                not_built()
            },
        });
        targets.push(Target {
            set: name,
            what: format!("align {} / parasail trace16+cigar", best_align.1),
            ratio: peer.map(|(_, trace)| best_align.0 / trace),
            target: 10.0,
            note: if peer.is_some() {
                String::new()
            } else {
                not_built()
            },
        });

        match processes(TEM1, set) {
            Ok(run) => {
                row(
                    name,
                    "water example (proc)",
                    None,
                    Some(gcups(cells, run.ours)),
                    scalar,
                );
                row(
                    name,
                    "water example (proc, all)",
                    None,
                    Some(gcups(cells, run.ours_all)),
                    scalar,
                );
                row(
                    name,
                    "EMBOSS water (proc)",
                    None,
                    Some(gcups(cells, run.emboss)),
                    scalar,
                );
                notes.push(format!(
                    "{name}: processes over {} targets (median of {PROCESS_RUNS}): EMBOSS water \
                     {:.3} s, water example {:.4} s (one thread), {:.4} s (all threads); reports {}",
                    set.len(),
                    run.emboss.as_secs_f64(),
                    run.ours.as_secs_f64(),
                    run.ours_all.as_secs_f64(),
                    match &run.difference {
                        None => "identical after the run header".to_owned(),
                        Some(d) => format!("DIFFER ({d})"),
                    }
                ));
                let note = match run.difference {
                    None => "outputs identical",
                    Some(_) => "outputs DIFFER",
                };
                targets.push(Target {
                    set: name,
                    what: "water example / EMBOSS water, processes".into(),
                    ratio: Some(run.emboss.as_secs_f64() / run.ours.as_secs_f64()),
                    target: 50.0,
                    note: format!("{note}, one thread"),
                });
                targets.push(Target {
                    set: name,
                    what: "water example / EMBOSS water, processes".into(),
                    ratio: Some(run.emboss.as_secs_f64() / run.ours_all.as_secs_f64()),
                    target: 50.0,
                    note: format!("{note}, all threads"),
                });
            }
            Err(why) => {
                println!("{name:<10} water processes not measured: {why}");
                targets.push(Target {
                    set: name,
                    what: "water example / EMBOSS water, processes".into(),
                    ratio: None,
                    target: 50.0,
                    note: why,
                });
            }
        }
    }
    for note in &notes {
        println!("{note}");
    }
    println!();
    println!("targets (this run; ours = the fastest kernel of each pass)");
    for t in &targets {
        let (ratio, verdict) = match t.ratio {
            Some(r) if t.note != "outputs DIFFER" && r >= t.target => (format!("{r:.1}x"), "met"),
            Some(r) => (format!("{r:.1}x"), "MISSED"),
            None => ("-".to_owned(), "not measured"),
        };
        println!(
            "{:<10} {:<44} {:>8}  target >= {:>2}x  {:<12} {}",
            t.set, t.what, ratio, t.target, verdict, t.note
        );
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
