//! Differential fuzzing of the aligner: arbitrary sequence pairs over protein and DNA
//! alphabets (with `X * U O J`, lower case and tie-forcing tiny alphabets), lengths up to 300,
//! and penalties in water's usual half units or arbitrary decimals.
//!
//! Every alignment must be well formed (ranges inside the sequences, ops consuming exactly the
//! ranges, statistics equal to a recount from the aligned rows); every kernel this CPU can
//! run (`KernelKind::available()`), alone, with fresh buffers and through the batch API
//! (`align_one_to_many`, `align_many_to_one`, `score_one_to_many`, `align_pairs`), must give exactly the scalar engine's result;
//! so must the single-pair paths forced either way (the striped kernel and one lane of the
//! lane kernel, for `align` and `score`), whatever the length rule picks for these lengths;
//! and the mutation caller must accept it.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wildtype_aligner::align::{Aligner, Alignment, KernelKind, LocalScore, Op, Scratch};
use wildtype_aligner::scoring::{GapPenalties, Matrix};
use wildtype_aligner::wildtype::call_mutations;

const MAX_LEN: usize = 300;

/// Residue alphabets; a fuzz byte picks a residue modulo the alphabet's length.
const ALPHABETS: [&[u8]; 6] = [
    b"ACDEFGHIKLMNPQRSTVWYBZX*UOJacdefghiklmnpqrstvwybzx*uoj",
    b"ACDEFGHIKLMNPQRSTVWY",
    b"WPCA",
    b"WK",
    b"ACGTNRYKMSWBDHVacgtnu",
    b"ACGT",
];

const FIRST_DNA_ALPHABET: usize = 4;

#[derive(Debug, Arbitrary)]
enum Penalty {
    /// `steps / 2`: water's usual values (10, 0.5, 12.5).
    HalfUnits(u8),
    /// `thousandths / 1000`: decimals such as 10.3 or 0.1, which water rounds to 16 bits.
    Decimal(u16),
}

impl Penalty {
    fn value(&self, max: f32) -> f32 {
        match *self {
            Penalty::HalfUnits(steps) => (f32::from(steps) / 2.0).min(max),
            Penalty::Decimal(thousandths) => (f32::from(thousandths) / 1000.0).min(max),
        }
    }
}

#[derive(Debug, Arbitrary)]
struct Case {
    alphabet: u8,
    /// DNA alphabets use EDNAFULL unless this asks for EBLOSUM62 anyway (as `-sprotein` would).
    protein_matrix: bool,
    open: Penalty,
    extend: Penalty,
    a: Vec<u8>,
    b: Vec<u8>,
}

fn aligner(kind: KernelKind, matrix: &Matrix, gaps: GapPenalties) -> Aligner {
    Aligner::builder()
        .matrix(matrix.clone())
        .gaps(gaps)
        .kernel(kind)
        .build()
        .unwrap()
}

fn residues(picks: &[u8], alphabet: &[u8]) -> Vec<u8> {
    picks
        .iter()
        .take(MAX_LEN)
        .map(|&pick| alphabet[usize::from(pick) % alphabet.len()])
        .collect()
}

fuzz_target!(|case: Case| {
    let alphabet_index = usize::from(case.alphabet) % ALPHABETS.len();
    let alphabet = ALPHABETS[alphabet_index];
    let (a, b) = (residues(&case.a, alphabet), residues(&case.b, alphabet));
    if a.is_empty() || b.is_empty() {
        return;
    }
    let dna = alphabet_index >= FIRST_DNA_ALPHABET;
    let matrix = if dna && !case.protein_matrix {
        Matrix::dnafull()
    } else {
        Matrix::blosum62()
    };
    let gaps = GapPenalties::new(case.open.value(25.0), case.extend.value(5.0))
        .expect("penalties inside water's ranges");

    // The reference: the scalar engine (water's definition), forced whatever WTA_KERNEL says.
    let scalar = aligner(KernelKind::Scalar, &matrix, gaps);
    let reference = scalar.align(&a, &b).unwrap();
    check_invariants(&scalar, &a, &b, &reference);

    // The same engine with fresh buffers must not depend on what earlier inputs left behind.
    let fresh = scalar.align_with(&a, &b, &mut Scratch::default()).unwrap();
    assert_same(&reference, &fresh, "scalar align_with + fresh Scratch");

    // The batch API takes a against several targets (b first, so its result is the reference)
    // and independent pairs; then every kernel this CPU has must agree, alone and in batches.
    let half = &b[..b.len().div_ceil(2)];
    let targets: [&[u8]; 2] = [&b, half];
    let expected_many: Vec<Alignment> = targets
        .iter()
        .map(|target| scalar.align(&a, target).unwrap())
        .collect();
    let expected_scores: Vec<LocalScore> = scalar
        .score_one_to_many(&a, &targets)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    for (expected, score) in expected_many.iter().zip(&expected_scores) {
        assert_eq!(
            expected.score().to_bits(),
            score.score().to_bits(),
            "score_one_to_many vs align"
        );
    }
    let swapped = scalar.align(&b, &a).unwrap();
    let pairs: [(&[u8], &[u8]); 2] = [(&a, &b), (&b, &a)];
    for kind in KernelKind::available() {
        let name = kind.name();
        let fast = aligner(kind, &matrix, gaps);
        assert_same(&reference, &fast.align(&a, &b).unwrap(), name);
        let fresh = fast.align_with(&a, &b, &mut Scratch::default()).unwrap();
        assert_same(
            &reference,
            &fresh,
            &format!("{name} align_with + fresh Scratch"),
        );
        // Single pairs through the striped kernel and through one lane, each forced.
        for striped in [true, false] {
            let forced = Aligner::builder()
                .matrix(matrix.clone())
                .gaps(gaps)
                .kernel(kind)
                .striped(Some(striped))
                .build()
                .unwrap();
            let how = format!("{name} single pair, striped {striped}");
            assert_same(&reference, &forced.align(&a, &b).unwrap(), &how);
            assert_same(&swapped, &forced.align(&b, &a).unwrap(), &how);
            let score = forced.score(&a, &b).unwrap();
            assert_eq!(
                (score.score().to_bits(), score.end_a(), score.end_b()),
                (
                    expected_scores[0].score().to_bits(),
                    expected_scores[0].end_a(),
                    expected_scores[0].end_b()
                ),
                "{how} score"
            );
        }
        for (expected, actual) in expected_many.iter().zip(fast.align_one_to_many(&a, &targets)) {
            assert_same(expected, &actual.unwrap(), &format!("{name} align_one_to_many"));
        }
        // The transposed batch: several a sequences against one shared b.
        let queries: [&[u8]; 2] = [&a, &a[..a.len().div_ceil(2)]];
        for (query, actual) in queries.iter().zip(fast.align_many_to_one(&queries, &b)) {
            let expected = scalar.align(query, &b).unwrap();
            assert_same(&expected, &actual.unwrap(), &format!("{name} align_many_to_one"));
        }
        for (expected, actual) in expected_scores.iter().zip(fast.score_one_to_many(&a, &targets)) {
            let actual = actual.unwrap();
            assert_eq!(
                (
                    expected.score().to_bits(),
                    expected.end_a(),
                    expected.end_b()
                ),
                (actual.score().to_bits(), actual.end_a(), actual.end_b()),
                "{name} score_one_to_many: scalar {expected:?}, kernel {actual:?}"
            );
        }
        let results = fast.align_pairs(&pairs);
        assert_same(
            &reference,
            results[0].as_ref().unwrap(),
            &format!("{name} align_pairs"),
        );
        assert_same(
            &swapped,
            results[1].as_ref().unwrap(),
            &format!("{name} align_pairs"),
        );
    }

    // The pipeline calls mutations on every alignment it makes (a = target, b = reference).
    let calls = call_mutations(&a, &b, &reference).expect("the aligned sequences fit");
    let _ = calls.len();
    // Given the other way round they may not fit: an error, never a panic.
    let _ = call_mutations(&b, &a, &reference);
});

/// Ranges inside the sequences, ops that consume exactly the ranges, rows that spell the
/// aligned residues, and statistics equal to a recount from the rows.
fn check_invariants(aligner: &Aligner, a: &[u8], b: &[u8], alignment: &Alignment) {
    let (a_range, b_range) = (alignment.a_range(), alignment.b_range());
    assert!(
        a_range.start <= a_range.end && a_range.end <= a.len(),
        "{a_range:?} in a"
    );
    assert!(
        b_range.start <= b_range.end && b_range.end <= b.len(),
        "{b_range:?} in b"
    );
    let ops = alignment.ops();
    let consumed_a = ops.iter().filter(|op| **op != Op::Deletion).count();
    let consumed_b = ops.iter().filter(|op| **op != Op::Insertion).count();
    assert_eq!((consumed_a, consumed_b), (a_range.len(), b_range.len()));

    let (row_a, row_b) = alignment
        .aligned_rows(a, b)
        .expect("the aligned sequences fit");
    assert_eq!((row_a.len(), row_b.len()), (ops.len(), ops.len()));
    let ungapped = |row: &[u8]| -> Vec<u8> { row.iter().copied().filter(|&r| r != b'-').collect() };
    assert_eq!(ungapped(&row_a), &a[a_range]);
    assert_eq!(ungapped(&row_b), &b[b_range]);

    // Recount as water does (embAlignCalcSimilarity), from the rows alone.
    let matrix = aligner.matrix();
    let positive = |x: u8, y: u8| x != 0 && y != 0 && matrix.score_codes(x, y) > 0.0;
    let (mut identity, mut similarity, mut gaps) = (0, 0, 0);
    for ((&x, &y), &op) in row_a.iter().zip(&row_b).zip(ops) {
        if !(op.consumes_a() && op.consumes_b()) {
            gaps += 1;
            continue;
        }
        assert_eq!(op == Op::Equal, x.eq_ignore_ascii_case(&y), "{op:?} for {x}/{y}");
        let (code_a, code_b) = (matrix.code(x), matrix.code(y));
        if code_a != 0 && code_a == code_b {
            identity += 1;
        }
        let from_a = u8::from(positive(code_a, code_a)) + u8::from(positive(code_a, code_b));
        let from_b = u8::from(positive(code_b, code_b)) + u8::from(positive(code_b, code_a));
        if from_a.max(from_b) == 2 {
            similarity += 1;
        }
    }
    let stats = alignment.stats();
    assert_eq!(
        (
            stats.length(),
            stats.identity(),
            stats.similarity(),
            stats.gaps()
        ),
        (ops.len(), identity, similarity, gaps)
    );
    assert!(!alignment.score().is_nan());
    // The CIGAR is the run-length form of the ops.
    let mut expanded = Vec::new();
    let mut count = 0usize;
    for symbol in alignment.cigar().chars() {
        match symbol.to_digit(10) {
            Some(digit) => count = count * 10 + digit as usize,
            None => {
                expanded.extend(std::iter::repeat_n(symbol, count));
                count = 0;
            }
        }
    }
    let letters: Vec<char> = ops.iter().map(|op| op.cigar()).collect();
    assert_eq!(expanded, letters);
}

/// Equal in every field, the score compared bit for bit.
fn assert_same(expected: &Alignment, actual: &Alignment, how: &str) {
    assert_eq!(
        expected.score().to_bits(),
        actual.score().to_bits(),
        "score differs: scalar {} vs {how} {}",
        expected.score(),
        actual.score()
    );
    assert_eq!(
        expected.a_range(),
        actual.a_range(),
        "a range differs ({how})"
    );
    assert_eq!(
        expected.b_range(),
        actual.b_range(),
        "b range differs ({how})"
    );
    assert_eq!(expected.ops(), actual.ops(), "ops differ ({how})");
    assert_eq!(expected.stats(), actual.stats(), "stats differ ({how})");
}
