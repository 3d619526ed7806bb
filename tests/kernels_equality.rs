//! Every kernel this CPU can run equals the scalar engine (water's definition), on the full
//! `Alignment` (score, ranges, operations, statistics) and on `score_one_to_many`'s start cells; for
//! single pairs both through the striped kernel and through one lane of the lane kernel (each
//! forced, whatever the length rule would choose), and with the length rule itself.

use proptest::prelude::*;
use wildtype_aligner::align::{Aligner, KernelKind};
use wildtype_aligner::scoring::{GapPenalties, Matrix};

/// TEM-1 beta-lactamase (P62593), the wild type of many resistance variants.
const TEM1: &[u8] = b"MSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLGARVGYIELDLNSGKILESFRPEERFPMMSTFKVLLCGAVLSRIDAGQEQLGRRIHYSQNDLVEYSPVTEKHLTDGMTVRELCSAAITMSDNTAANLLLTTIGGPKELTAFLHNMGDHVTRLDRWEPELNEAIPNDERDTTMPVAMATTLRKLLTGELLTLASRQQLIDWMEADKVAGPLLRSALPAGWFIADKSGAGERGSRGIIAALGPDGKPSRIVVIYTTGSQATMDERNRQIAEIGASLIKHW";
/// Human haemoglobin alpha and beta.
const HBA: &[u8] = b"MVLSPADKTNVKAAWGKVGAHAGEYGAEALERMFLSFPTTKTYFPHFDLSHGSAQVKGHGKKVADALTNAVAHVDDMPNALSALSDLHAHKLRVDPVNFKLLSHCLLVTLAAHLPAEFTPAVHASLDKFLASVSTVLTSKYR";
const HBB: &[u8] = b"MVHLTPEEKSAVTALWGKVNVDEVGGEALGRLLVVYPWTQRFFESFGDLSTPDAVMGNPKVKAHGKKVLGAFSDGLAHLDNLKGTFATLSELHCDKLHVDPENFRLLGNVLVCVLAHHFGKEFTPPVQAAYQKVVAGVANALAHKYH";
const AMINO: &[u8] = b"ACDEFGHIKLMNPQRSTVWYXBZUO*acdefw";

fn kernels() -> Vec<KernelKind> {
    KernelKind::available()
        .into_iter()
        .filter(|kind| *kind != KernelKind::Scalar)
        .collect()
}

fn aligner(kind: KernelKind, matrix: &Matrix, gaps: GapPenalties) -> Aligner {
    single_pair(kind, matrix, gaps, None)
}

/// An aligner whose single pairs go to the striped kernel (`Some(true)`), the lane kernel
/// (`Some(false)`) or whichever the length rule picks (`None`).
fn single_pair(
    kind: KernelKind,
    matrix: &Matrix,
    gaps: GapPenalties,
    striped: Option<bool>,
) -> Aligner {
    Aligner::builder()
        .matrix(matrix.clone())
        .gaps(gaps)
        .kernel(kind)
        .striped(striped)
        .build()
        .unwrap()
}

/// Every single-pair path of every kernel equals the scalar engine on `a` against each target
/// and each target against `a`: `align` and `score`.
fn check_single(
    matrix: &Matrix,
    gaps: GapPenalties,
    a: &[u8],
    targets: &[Vec<u8>],
) -> Result<(), TestCaseError> {
    let scalar = aligner(KernelKind::Scalar, matrix, gaps);
    let pairs: Vec<(&[u8], &[u8])> = targets
        .iter()
        .flat_map(|b| [(a, b.as_slice()), (b.as_slice(), a)])
        .collect();
    let expected: Vec<_> = pairs.iter().map(|(x, y)| scalar.align(x, y).ok()).collect();
    let expected_scores: Vec<_> = pairs
        .iter()
        .map(|(x, y)| {
            scalar
                .score(x, y)
                .ok()
                .map(|s| (s.score().to_bits(), s.end_a(), s.end_b()))
        })
        .collect();
    for kind in kernels() {
        for striped in [Some(true), Some(false), None] {
            let fast = single_pair(kind, matrix, gaps, striped);
            for (((x, y), want), want_score) in pairs.iter().zip(&expected).zip(&expected_scores) {
                let got = fast.align(x, y).ok();
                prop_assert_eq!(
                    &got,
                    want,
                    "{} striped={:?} a={:?} b={:?}",
                    kind,
                    striped,
                    String::from_utf8_lossy(x),
                    String::from_utf8_lossy(y)
                );
                let got_score = fast
                    .score(x, y)
                    .ok()
                    .map(|s| (s.score().to_bits(), s.end_a(), s.end_b()));
                prop_assert_eq!(
                    &got_score,
                    want_score,
                    "{} striped={:?} score a={:?} b={:?}",
                    kind,
                    striped,
                    String::from_utf8_lossy(x),
                    String::from_utf8_lossy(y)
                );
            }
        }
    }
    Ok(())
}

/// Checks every kernel against the scalar engine for `a` against each target, and
/// transposed: each target as water's a against `a` as the shared b.
fn check(
    matrix: &Matrix,
    gaps: GapPenalties,
    a: &[u8],
    targets: &[Vec<u8>],
) -> Result<(), TestCaseError> {
    check_single(matrix, gaps, a, targets)?;
    let scalar = aligner(KernelKind::Scalar, matrix, gaps);
    let views: Vec<&[u8]> = targets.iter().map(Vec::as_slice).collect();
    let expected: Vec<_> = views.iter().map(|b| scalar.align(a, b).ok()).collect();
    let expected_scores: Vec<_> = scalar
        .score_one_to_many(a, &views)
        .into_iter()
        .map(Result::ok)
        .collect();
    let expected_to: Vec<_> = views.iter().map(|t| scalar.align(t, a).ok()).collect();
    let scalar_to: Vec<_> = scalar
        .align_many_to_one(&views, a)
        .into_iter()
        .map(Result::ok)
        .collect();
    prop_assert_eq!(&scalar_to, &expected_to, "scalar align_many_to_one");
    for kind in kernels() {
        let fast = aligner(kind, matrix, gaps);
        prop_assert!(fast.kernel() == kind || fast.kernel() == KernelKind::Scalar);
        for (b, want) in views.iter().zip(&expected) {
            prop_assert_eq!(
                &fast.align(a, b).ok(),
                want,
                "{} single a={:?} b={:?}",
                kind,
                String::from_utf8_lossy(a),
                String::from_utf8_lossy(b)
            );
        }
        let many: Vec<_> = fast
            .align_one_to_many(a, &views)
            .into_iter()
            .map(Result::ok)
            .collect();
        prop_assert_eq!(&many, &expected, "{} align_one_to_many", kind);
        let mut folded: Vec<(usize, Option<_>)> = fast
            .align_one_to_many_fold(a, &views, Vec::new, |found: &mut Vec<_>, index, result| {
                found.push((index, result.ok()))
            })
            .into_iter()
            .flatten()
            .collect();
        folded.sort_by_key(|&(index, _)| index);
        let indices: Vec<usize> = folded.iter().map(|&(index, _)| index).collect();
        prop_assert_eq!(
            indices,
            (0..views.len()).collect::<Vec<_>>(),
            "{} fold indices",
            kind
        );
        let folded: Vec<_> = folded.into_iter().map(|(_, alignment)| alignment).collect();
        prop_assert_eq!(&folded, &expected, "{} align_one_to_many_fold", kind);
        let scores: Vec<_> = fast
            .score_one_to_many(a, &views)
            .into_iter()
            .map(Result::ok)
            .collect();
        prop_assert_eq!(&scores, &expected_scores, "{} score_one_to_many", kind);
        let many_to: Vec<_> = fast
            .align_many_to_one(&views, a)
            .into_iter()
            .map(Result::ok)
            .collect();
        for ((t, got), want) in views.iter().zip(&many_to).zip(&expected_to) {
            prop_assert_eq!(
                got,
                want,
                "{} align_many_to_one a={:?} b={:?}",
                kind,
                String::from_utf8_lossy(t),
                String::from_utf8_lossy(a)
            );
        }
    }
    Ok(())
}

/// A mutated copy: substitutions, insertions and deletions at `rate` per residue.
fn mutate(seed: &[u8], edits: &[(u8, u8)], alphabet: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(seed.len() + 8);
    for (k, &residue) in seed.iter().enumerate() {
        let (kind, pick) = edits[k % edits.len()];
        let new = alphabet[usize::from(pick) % alphabet.len()];
        match kind % 20 {
            0 => out.push(new),
            1 => {}
            2 => {
                out.push(residue);
                out.extend(std::iter::repeat_n(new, 1 + usize::from(pick % 4)));
            }
            _ => out.push(residue),
        }
    }
    if out.is_empty() {
        out.push(seed[0]);
    }
    out
}

fn gaps_strategy() -> impl Strategy<Value = GapPenalties> {
    prop_oneof![
        // Half units (fixed point).
        (0u32..=50, 0u32..=8)
            .prop_map(|(o, e)| GapPenalties::new(o as f32 / 2.0, e as f32 / 2.0).unwrap()),
        // Dyadic units down to 2^-6 (fixed point with smaller units).
        (0u32..=1600, 0u32..=256).prop_map(|(o, e)| GapPenalties::new(
            o as f32 / 64.0,
            e as f32 / 64.0
        )
        .unwrap()),
        // Anything (mostly scalar fallback).
        (0.0f32..25.0, 0.0f32..4.0).prop_map(|(o, e)| GapPenalties::new(o, e).unwrap()),
    ]
}

fn seq(alphabet: &'static [u8], len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(alphabet), len)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn mutated_real_proteins(
        gaps in gaps_strategy(),
        edits in prop::collection::vec((0u8..60, any::<u8>()), 1..64),
        start in 0usize..200,
        len in 1usize..300,
        count in 1usize..40,
    ) {
        let seeds = [TEM1, HBA, HBB];
        let a = &TEM1[start.min(TEM1.len() - 1)..(start + len).min(TEM1.len())];
        let targets: Vec<Vec<u8>> = (0..count)
            .map(|k| {
                let shifted: Vec<(u8, u8)> = edits.iter().map(|&(x, y)| (x.wrapping_add((k as u8).wrapping_mul(7)), y.wrapping_add(k as u8))).collect();
                mutate(seeds[k % 3], &shifted, AMINO)
            })
            .collect();
        check(&Matrix::blosum62(), gaps, a, &targets)?;
    }

    #[test]
    fn tie_forcing_alphabet(
        gaps in gaps_strategy(),
        a in seq(b"WPCA", 1..40),
        targets in prop::collection::vec(seq(b"WPCA", 1..40), 1..40),
    ) {
        check(&Matrix::blosum62(), gaps, &a, &targets)?;
    }

    #[test]
    fn random_proteins(
        gaps in gaps_strategy(),
        a in seq(AMINO, 1..120),
        targets in prop::collection::vec(seq(AMINO, 1..200), 1..24),
    ) {
        check(&Matrix::blosum62(), gaps, &a, &targets)?;
    }

    #[test]
    fn dna(
        gaps in gaps_strategy(),
        a in seq(b"ACGTNRYacgt", 1..150),
        targets in prop::collection::vec(seq(b"ACGTNRYacgt", 1..150), 1..24),
    ) {
        check(&Matrix::dnafull(), gaps, &a, &targets)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Transposed batches with lanes of very different lengths (1..600) against one b.
    #[test]
    fn transposed_mixed_lengths(
        gaps in gaps_strategy(),
        edits in prop::collection::vec((0u8..60, any::<u8>()), 1..64),
        lens in prop::collection::vec(1usize..600, 1..70),
        b_len in 1usize..600,
    ) {
        let base: Vec<u8> = TEM1.iter().chain(HBA).chain(HBB).cycle().take(600).copied().collect();
        let b = mutate(&base[..b_len], &edits, AMINO);
        let queries: Vec<Vec<u8>> = lens
            .iter()
            .enumerate()
            .map(|(k, &len)| {
                let start = (k * 37) % (600 - len + 1);
                let shifted: Vec<(u8, u8)> = edits.iter().map(|&(x, y)| (x.wrapping_add(k as u8), y)).collect();
                mutate(&base[start..start + len], &shifted, AMINO)
            })
            .collect();
        check(&Matrix::blosum62(), gaps, &b, &queries)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn long_sequences(
        gaps in gaps_strategy(),
        edits in prop::collection::vec((0u8..60, any::<u8>()), 1..64),
        len in 1usize..2000,
    ) {
        let base: Vec<u8> = TEM1.iter().cycle().take(len).copied().collect();
        let target = mutate(&base, &edits, AMINO);
        check(&Matrix::blosum62(), gaps, &base, &[target, base.clone()])?;
    }
}

#[test]
fn sixteen_bit_overflow_is_rerun_wide() {
    // 5000 W/W matches: 5000 * 22 half-units, far past i16::MAX.
    let a = vec![b'W'; 5000];
    let mut b = a.clone();
    b[2500] = b'P';
    for kind in kernels() {
        assert_eq!(
            aligner(kind, &Matrix::blosum62(), GapPenalties::default()).kernel(),
            kind
        );
    }
    check(
        &Matrix::blosum62(),
        GapPenalties::default(),
        &a,
        &[a.clone(), b, a[..1500].to_vec()],
    )
    .unwrap();
}

#[test]
fn sixteen_bit_overflow_alignments_walk_the_wide_trace() {
    // 2000 W/W matches saturate 16 bits (44,000 half-units) but leave a trace of 64 MB, so
    // the alignment is walked from the 32-bit fill's trace, not handed to the scalar engine.
    let a = vec![b'W'; 2000];
    let mut gapped = a.clone();
    gapped.drain(700..705);
    gapped[1500] = b'P';
    let mut inserted = a.clone();
    inserted.splice(900..900, b"GGGGGGG".iter().copied());
    check(
        &Matrix::blosum62(),
        GapPenalties::default(),
        &a,
        &[a.clone(), gapped, inserted, a[..1000].to_vec()],
    )
    .unwrap();
}

#[test]
fn water_quirk_cases() {
    let cases: &[(&[u8], &[u8], f32)] = &[
        (b"WPWYGPC", b"WGAYC", 10.0),
        (b"WGWGCAW", b"WAAYCPCA", 10.0),
        (b"WYAGC", b"WGCAHCW", 10.0),
        (b"PPPPE", b"WWWWF", 10.0),
        (b"WP", b"CW", 20.0),
        (b"W", b"WWW", 10.0),
        (b"DWDDDDWD", b"KKKKWKWK", 10.0),
        (b"WKAAAKW", b"WKAAKW", 10.0),
        (b"WWWWWPPPWWWWW", b"WWWWWCCCWWWWW", 1.0),
    ];
    for &(a, b, open) in cases {
        let gaps = GapPenalties::new(open, 0.5).unwrap();
        check(&Matrix::blosum62(), gaps, a, &[b.to_vec(), a.to_vec()]).unwrap();
    }
}

#[test]
fn kernel_is_reported() {
    let aligner = Aligner::builder().build().unwrap();
    assert!(KernelKind::available().contains(&aligner.kernel()));
    let inexact = Aligner::builder()
        .gaps(GapPenalties::new(10.3, 0.1).unwrap())
        .build()
        .unwrap();
    assert_eq!(inexact.kernel(), KernelKind::Scalar);
}

#[test]
fn transposed_rows_past_a_lane_never_count() {
    // Homopolymers: rows past a short lane's a are scored with code 0, so for the residue that
    // has code 0 they keep matching b; they must not reach that lane's score or start cell.
    let cases: [(Matrix, &[u8]); 2] = [
        (Matrix::blosum62(), b"ARNDCQEGHILKMFPSTWYVX"),
        (Matrix::dnafull(), b"ACGTN"),
    ];
    for (matrix, letters) in &cases {
        for &letter in *letters {
            let b = vec![letter; 60];
            let mut queries: Vec<Vec<u8>> = (1..=40).map(|k| vec![letter; k]).collect();
            queries.push(vec![letter; 90]);
            check(matrix, GapPenalties::default(), &b, &queries).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Single long pairs of independent lengths 1..2000: homologs (mutated copies) and
    /// unrelated sequences, with random penalties, through every single-pair path.
    #[test]
    fn striped_long_pairs(
        gaps in gaps_strategy(),
        edits in prop::collection::vec((0u8..60, any::<u8>()), 1..64),
        la in 1usize..2000,
        lb in 1usize..2000,
        unrelated in prop::collection::vec(prop::sample::select(AMINO), 2000),
    ) {
        let base: Vec<u8> = TEM1.iter().chain(HBA).chain(HBB).cycle().take(la).copied().collect();
        let homolog = mutate(&base[..la.min(lb)], &edits, AMINO);
        check_single(&Matrix::blosum62(), gaps, &base, &[homolog, unrelated[..lb].to_vec()])?;
    }

    /// DNA pairs (EDNAFULL) of lengths 1..1500.
    #[test]
    fn striped_dna_pairs(
        gaps in gaps_strategy(),
        edits in prop::collection::vec((0u8..60, any::<u8>()), 1..64),
        a in seq(b"ACGTNRYacgt", 1..1500),
        b in seq(b"ACGTNRYacgt", 1..1500),
    ) {
        let homolog = mutate(&a, &edits, b"ACGT");
        check_single(&Matrix::dnafull(), gaps, &a, &[b, homolog])?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Short single pairs over tie-forcing and protein alphabets, every length from 1 up:
    /// lanes of padding, one segment, length-1 edges.
    #[test]
    fn striped_short_pairs(
        gaps in gaps_strategy(),
        a in seq(b"WPCA", 1..80),
        b in seq(b"WPCA", 1..80),
        c in seq(AMINO, 1..80),
    ) {
        check_single(&Matrix::blosum62(), gaps, &a, &[b, c])?;
    }
}

#[test]
fn striped_wide_trace_without_overflow() {
    // 600 W/W matches: H up to 13200 half-units, past what a 16-bit trace packs (8191) but
    // not past the 16-bit score: the score pass stays 16-bit and the trace goes 32-bit.
    let a = vec![b'W'; 600];
    let mut b = a.clone();
    b[300] = b'P';
    b.insert(100, b'G');
    check_single(
        &Matrix::blosum62(),
        GapPenalties::default(),
        &a,
        &[a.clone(), b],
    )
    .unwrap();
}

#[test]
fn striped_row0_tie_after_interior_maximum() {
    // Found by the fuzz target: the maximum (I/I = L/L = 4.0) is first reached inside column 7
    // (row 3), then tied in row 0 of column 30, which must win on the smaller row even before
    // the kept column's row is known.
    let gaps = GapPenalties::new(25.0, 5.0).unwrap();
    let b = b"SSSSSSSLSSSSSSSSSSSSSSSSSSSSSSISSSSSHN".to_vec();
    check_single(&Matrix::blosum62(), gaps, b"ICCL", &[b]).unwrap();
}
