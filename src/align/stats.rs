//! Per-column classification and the statistics water prints.

use crate::scoring::Matrix;

use super::Op;

/// How water classifies one alignment column (EMBOSS `embAlignCalcSimilarity` and the markup
/// rules of its writers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Column {
    /// Codes equal and non-zero (case-insensitive, gaps and unknown residues never identical).
    pub identical: bool,
    /// `[a scores positively against itself] + [a scores positively against b]`.
    pub positive_from_a: u8,
    /// The same from b's side.
    pub positive_from_b: u8,
}

impl Column {
    /// Classifies two codes; code 0 stands for a gap or a residue the matrix lacks.
    #[inline]
    pub fn classify(matrix: &Matrix, code_a: u8, code_b: u8) -> Self {
        let positive = |x: u8, y: u8| x != 0 && y != 0 && matrix.score_codes(x, y) > 0.0;
        Self {
            identical: code_a != 0 && code_a == code_b,
            positive_from_a: u8::from(positive(code_a, code_a))
                + u8::from(positive(code_a, code_b)),
            positive_from_b: u8::from(positive(code_b, code_b))
                + u8::from(positive(code_b, code_a)),
        }
    }

    /// Similar as water counts it: positive from either side, twice.
    #[inline]
    pub fn similar(&self) -> bool {
        self.positive_from_a.max(self.positive_from_b) == 2
    }
}

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
    pub(crate) fn compute(matrix: &Matrix, codes_a: &[u8], codes_b: &[u8], ops: &[Op]) -> Self {
        let mut stats = Self {
            length: ops.len(),
            ..Self::default()
        };
        let (mut i, mut j) = (0, 0);
        for op in ops {
            match op {
                Op::Match => {
                    let column = Column::classify(matrix, codes_a[i], codes_b[j]);
                    stats.identity += usize::from(column.identical);
                    stats.similarity += usize::from(column.similar());
                    i += 1;
                    j += 1;
                }
                Op::Insertion => {
                    stats.gaps += 1;
                    i += 1;
                }
                Op::Deletion => {
                    stats.gaps += 1;
                    j += 1;
                }
            }
        }
        stats
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
