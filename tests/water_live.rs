//! Live oracle: random inputs through the real EMBOSS water and through this crate; the outputs
//! must be identical after the run header. Skipped (loudly) when water is not installed; with
//! `WTA_REQUIRE_WATER=1` its absence fails. `WTA_LIVE_CASES` sets the number of water runs
//! (default 300; each run aligns one a sequence against 1-12 b sequences).

mod common;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

const AMINO_ACIDS: &[u8] = b"ACDEFGHIKLMNPQRSTVWY";
/// Rough background frequencies (per thousand) of AMINO_ACIDS, so proteins look real.
const AMINO_WEIGHTS: &[u32] = &[
    83, 14, 55, 68, 39, 71, 23, 59, 58, 97, 24, 41, 47, 39, 54, 66, 53, 69, 11, 29,
];

#[derive(Debug, Clone)]
struct LiveCase {
    a: String,
    bs: Vec<String>,
    options: Vec<String>,
}

fn weighted_residue() -> impl Strategy<Value = u8> {
    let total: u32 = AMINO_WEIGHTS.iter().sum();
    (0..total).prop_map(move |mut pick| {
        for (index, weight) in AMINO_WEIGHTS.iter().enumerate() {
            if pick < *weight {
                return AMINO_ACIDS[index];
            }
            pick -= weight;
        }
        b'A'
    })
}

fn protein(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(weighted_residue(), 1..max)
}

fn from_alphabet(alphabet: &'static [u8], max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(alphabet), 1..max)
}

/// Substitutions, insertions and deletions applied to `base` (a homolog of it).
fn mutate(base: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = base.len();
    prop::collection::vec(
        (0..len.max(1), 0u8..10, weighted_residue()),
        0..(len / 8 + 2),
    )
    .prop_map(move |edits| {
        let mut out = base.clone();
        for (position, kind, residue) in edits {
            let position = position.min(out.len().saturating_sub(1));
            match kind {
                0..=5 if !out.is_empty() => out[position] = residue,
                6 | 7 => out.insert(position, residue),
                _ if out.len() > 1 => {
                    let end = (position + 1 + usize::from(kind % 4)).min(out.len());
                    out.drain(position..end);
                }
                _ => {}
            }
        }
        if out.is_empty() { vec![b'M'] } else { out }
    })
}

/// Sprinkles residues water treats specially (X * U O J B Z, lower case) into a protein.
fn decorate(base: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = base.len();
    prop::collection::vec(
        (
            0..len,
            prop::sample::select(&b"XUOJBZ*xuojbz"[..]),
            any::<bool>(),
        ),
        0..6,
    )
    .prop_map(move |edits| {
        let mut out = base.clone();
        for (position, special, lower) in edits {
            out[position] = if lower {
                out[position].to_ascii_lowercase()
            } else {
                special
            };
        }
        out
    })
}

/// A gap penalty: half units most of the time, sometimes one or two decimals.
fn penalty(max_tenths: u32) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0..=max_tenths / 5).prop_map(|halves| format!("{}", f64::from(halves) / 2.0)),
        1 => (0..=max_tenths).prop_map(|tenths| format!("{:.1}", f64::from(tenths) / 10.0)),
        1 => (0..=max_tenths * 10).prop_map(|hundredths| format!("{:.2}", f64::from(hundredths) / 100.0)),
    ]
}

fn options() -> impl Strategy<Value = Vec<String>> {
    let format = prop::sample::select(vec![
        "srspair", "srspair", "srspair", "pair", "simple", "markx0", "fasta", "score",
    ]);
    (
        prop_oneof![3 => Just(None), 1 => (penalty(250), penalty(40)).prop_map(Some)],
        format,
        prop_oneof![6 => Just(None), 1 => (10usize..90).prop_map(Some)],
        prop::bool::weighted(0.1),
        prop_oneof![
            8 => Just(Vec::new()),
            1 => prop::collection::vec(
                (prop::sample::select(vec!["-sbegin1", "-send1", "-sbegin2", "-send2"]), -20i32..80),
                1..4,
            ),
        ],
    )
        .prop_map(|(gaps, format, width, nobrief, ranges)| {
            let mut options = Vec::new();
            if let Some((open, extend)) = gaps {
                options.extend(["-gapopen".to_owned(), open, "-gapextend".to_owned(), extend]);
            }
            options.extend(["-aformat".to_owned(), format.to_owned()]);
            if let Some(width) = width {
                options.extend(["-awidth3".to_owned(), width.to_string()]);
            }
            if nobrief {
                options.push("-nobrief".to_owned());
            }
            for (option, value) in ranges {
                options.extend([option.to_owned(), value.to_string()]);
            }
            options
        })
}

fn text(residues: Vec<u8>) -> String {
    String::from_utf8(residues).expect("ASCII")
}

fn related_proteins() -> impl Strategy<Value = (Vec<u8>, Vec<Vec<u8>>)> {
    protein(600).prop_flat_map(|a| {
        let homologs = prop::collection::vec(mutate(a.clone()), 1..8);
        (Just(a), homologs)
    })
}

fn sequences() -> impl Strategy<Value = (Vec<u8>, Vec<Vec<u8>>)> {
    prop_oneof![
        4 => related_proteins(),
        2 => (protein(400), prop::collection::vec(protein(400), 1..6)),
        2 => (from_alphabet(b"WPCA", 40), prop::collection::vec(from_alphabet(b"WPCA", 40), 1..12)),
        1 => (from_alphabet(b"WK", 20), prop::collection::vec(from_alphabet(b"WK", 20), 1..12)),
        2 => related_proteins().prop_flat_map(|(a, bs)| {
            let decorated: Vec<_> = bs.into_iter().map(decorate).collect();
            (decorate(a), decorated)
        }),
        2 => (
            from_alphabet(b"ACGTACGTACGTacgtNRYXKM", 300),
            prop::collection::vec(from_alphabet(b"ACGTACGTACGTacgtNRYXSW", 300), 1..6),
        ),
        1 => (from_alphabet(b"ACGT", 3), prop::collection::vec(protein(30), 1..3)),
    ]
}

fn live_case() -> impl Strategy<Value = LiveCase> {
    (sequences(), options()).prop_map(|((a, bs), options)| LiveCase {
        a: text(a),
        bs: bs.into_iter().map(text).collect(),
        options,
    })
}

static ALIGNMENTS: AtomicUsize = AtomicUsize::new(0);
static RUNS: AtomicUsize = AtomicUsize::new(0);

fn check(water: &std::path::Path, case: &LiveCase) -> Result<(), TestCaseError> {
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let dir: PathBuf = std::env::temp_dir().join(format!("wta-live-{}-{run}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("a.fa"), format!(">query\n{}\n", case.a)).expect("write a");
    let mut b_text = String::new();
    for (index, b) in case.bs.iter().enumerate() {
        // Wrap at 60 like most FASTA writers.
        let _ = writeln!(b_text, ">b{index} variant {index}");
        for line in b.as_bytes().chunks(60) {
            let _ = writeln!(b_text, "{}", std::str::from_utf8(line).expect("ASCII"));
        }
    }
    std::fs::write(dir.join("b.fa"), b_text).expect("write b");
    let mut args: Vec<String> = vec![
        "-asequence".into(),
        "a.fa".into(),
        "-bsequence".into(),
        "b.fa".into(),
    ];
    args.extend(case.options.iter().cloned());
    let theirs = common::run_water(water, &dir, &args);
    let mut ours_args = args.clone();
    ours_args.extend(["-stdout".to_owned(), "-auto".to_owned()]);
    let ours = common::run_ours(&dir, &ours_args);
    let _ = std::fs::remove_dir_all(&dir);
    match (&theirs, &ours) {
        (Ok(theirs), Ok(ours)) => {
            let (ours, theirs) = (common::normalize(ours), common::normalize(theirs));
            if ours != theirs {
                // Kept for inspection with diff: the last mismatch seen (shrinking overwrites it).
                let dump = std::env::temp_dir().join("wta-live-mismatch");
                let _ = std::fs::create_dir_all(&dump);
                let _ = std::fs::write(dump.join("water.txt"), &theirs);
                let _ = std::fs::write(dump.join("ours.txt"), &ours);
                let _ = std::fs::write(dump.join("case.txt"), format!("{case:#?}"));
            }
            prop_assert_eq!(ours, theirs, "args {:?}", args);
            ALIGNMENTS.fetch_add(case.bs.len(), Ordering::Relaxed);
        }
        (Err(_), Err(_)) => {}
        _ => prop_assert!(false, "water: {:?}\nours: {:?}", theirs, ours),
    }
    Ok(())
}

#[test]
fn live_water_equals_ours() {
    let Some(water) = common::real_water() else {
        return;
    };
    let cases = std::env::var("WTA_LIVE_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(300);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    });
    let result = runner.run(&live_case(), |case| check(&water, &case));
    eprintln!(
        "live oracle: {} water runs, {} alignments compared",
        RUNS.load(Ordering::Relaxed),
        ALIGNMENTS.load(Ordering::Relaxed)
    );
    if let Err(error) = result {
        panic!("{error}");
    }
}
