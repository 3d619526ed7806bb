//! EMBOSS matrix files (`-datafile`) never panic the parser; a matrix that parses scores every
//! byte pair with a finite value, and aligns with it without panicking (extreme values such as
//! 3e38 included, which push cell sums to infinity).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wildtype_aligner::align::Aligner;
use wildtype_aligner::scoring::Matrix;

fuzz_target!(|input: &[u8]| {
    let text = String::from_utf8_lossy(input);
    let Ok(matrix) = Matrix::parse("FUZZMAT", &text) else {
        return;
    };
    assert!(matrix.size() >= 1 && matrix.size() <= 255);
    for residue_a in 0..=u8::MAX {
        assert!(usize::from(matrix.code(residue_a)) < matrix.size());
        for residue_b in 0..=u8::MAX {
            assert!(matrix.score(residue_a, residue_b).is_finite());
        }
    }

    // Every byte that has a code, aligned against itself reversed: exercises the matrix's own
    // values in the engine, including the code-0 bytes water scores as 0.
    let residues: Vec<u8> = (0..=u8::MAX)
        .filter(|&byte| matrix.code(byte) != 0)
        .chain(*b"XU*")
        .take(300)
        .collect();
    let reversed: Vec<u8> = residues.iter().rev().copied().collect();
    let aligner = Aligner::builder().matrix(matrix).build().unwrap();
    let alignment = aligner.align(&residues, &reversed).unwrap();
    assert!(alignment.a_range().end <= residues.len());
    assert!(alignment.b_range().end <= reversed.len());
});
