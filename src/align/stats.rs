//! The statistics water prints (EMBOSS `embAlignCalcSimilarity`).

use crate::scoring::{Matrix, PairFlags};

use super::op::{Op, Step};

/// The statistics water prints for an alignment: `Length`, `Identity`, `Similarity`, `Gaps`.
///
/// Identity compares matrix codes (so case is ignored and `X`/`X` counts as identical while
/// `U`/`U`, absent from EBLOSUM62, does not); similarity needs a positive score from at least one
/// side's point of view. Percentages are computed in `f32`, as water computes them.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::align::Aligner;
///
/// let aligner = Aligner::builder().build().unwrap();
/// let stats = *aligner.align(b"MKTAYIAKQR", b"MKTAYLAKQR").unwrap().stats();
/// assert_eq!((stats.length(), stats.identity(), stats.similarity(), stats.gaps()), (10, 9, 10, 0));
/// assert_eq!(stats.identity_percent(), 90.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AlignmentStats {
    length: usize,
    identity: usize,
    similarity: usize,
    gaps: usize,
}

impl AlignmentStats {
    /// One pass over the walk's `steps` from the alignment's start: each pair of residues
    /// classified as [`Op::Equal`] or [`Op::Mismatch`] (same letter ignoring case), the
    /// statistics (by the matrix's codes, as water counts them), and how many residues of a and
    /// of b the columns consume. `a` and `b` are (codes, residues) from the start on.
    pub(crate) fn classify(
        matrix: &Matrix,
        (codes_a, residues_a): (&[u8], &[u8]),
        (codes_b, residues_b): (&[u8], &[u8]),
        steps: Vec<Step>,
    ) -> (Self, Vec<Op>, usize, usize) {
        let (mut i, mut j) = (0, 0);
        let (mut identity, mut similarity) = (0, 0);
        let length = steps.len();
        // Same size and alignment: the collect reuses the steps' buffer.
        let ops: Vec<Op> = steps
            .into_iter()
            .map(|step| match step {
                Step::Pair => {
                    let flags = matrix.pair_flags(codes_a[i], codes_b[j]);
                    identity += usize::from(flags & PairFlags::IDENTICAL != 0);
                    similarity += usize::from(flags & PairFlags::SIMILAR != 0);
                    let equal = residues_a[i].eq_ignore_ascii_case(&residues_b[j]);
                    i += 1;
                    j += 1;
                    if equal { Op::Equal } else { Op::Mismatch }
                }
                Step::Insertion => {
                    i += 1;
                    Op::Insertion
                }
                Step::Deletion => {
                    j += 1;
                    Op::Deletion
                }
            })
            .collect();
        let stats = Self {
            length,
            identity,
            similarity,
            // Every column consumes a, b or both.
            gaps: 2 * length - i - j,
        };
        (stats, ops, i, j)
    }

    /// The number of columns.
    pub fn length(&self) -> usize {
        self.length
    }

    /// Identical columns.
    pub fn identity(&self) -> usize {
        self.identity
    }

    /// Similar columns.
    pub fn similarity(&self) -> usize {
        self.similarity
    }

    /// Columns with a gap in either row.
    pub fn gaps(&self) -> usize {
        self.gaps
    }

    /// `100 * identity / length`, in water's `f32` arithmetic.
    pub fn identity_percent(&self) -> f32 {
        percent(self.identity, self.length)
    }

    /// `100 * similarity / length`, in water's `f32` arithmetic.
    pub fn similarity_percent(&self) -> f32 {
        percent(self.similarity, self.length)
    }

    /// `100 * gaps / length`, in water's `f32` arithmetic.
    pub fn gaps_percent(&self) -> f32 {
        percent(self.gaps, self.length)
    }
}

/// water's percentage: `f32(f32(100 * count) / length)`. 3/2000 gives 0.15000001, printed `0.2`.
pub(crate) fn percent(count: usize, length: usize) -> f32 {
    (100.0 * count as f32) / length as f32
}
