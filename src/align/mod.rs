//! Smith-Waterman local alignment, exactly as EMBOSS `water` 6.6.0 computes it.
//!
//! [`Aligner`] holds the matrix and gap penalties; [`Aligner::align`] returns an [`Alignment`]
//! whose score, coordinates, rows and statistics equal water's for the same sequences (`a` is
//! water's `-asequence`, `b` its `-bsequence`).
//!
//! # water's quirks, reproduced on purpose
//!
//! These behaviours are arguably bugs in water; users compare our output with water's, so the
//! engine copies them.
//!
//! - **Column-0 gap (Q1).** When the cell above in column 0 came from a vertical gap, a
//!   horizontal gap opened from the next cell costs `min(open, 2 * extend)` for its first
//!   residue, inflating the score: `WPWYGPC` against `WGAYC` reports 16.5 for `W--Y`/`WGAY`,
//!   whose true score is 7.5.
//! - **Interior-only score.** The reported score is the largest *interior* value before
//!   clamping at zero; row 0 and column 0 never contribute and the score is not recomputed from
//!   the alignment. A sequence of length 1 gives `-f32::MAX`; `PPPPE`/`WWWWF` (nothing
//!   positive) gives -3.0; `WP`/`CW` with open 20 gives -4.0 while the alignment is `W`/`W`.
//! - **Single-state edges.** Row 0 and column 0 keep no gap state: a gap extends only if the
//!   neighbour's move was that same gap, so `WYAGC`/`WGCAHCW` scores 15.0 where textbook Gotoh
//!   gives 15.5.
//! - **Tolerances.** The start cell is the maximal cell with the smallest a index, then the
//!   smallest b index (ties within 1.192e-6); gap lengths are re-derived during the walk as the
//!   shortest gap whose cost matches within 0.01, which places gaps leftmost
//!   (`WKAAAKW`/`WKAAKW` gives `WK-AAKW`).
//! - **Arithmetic.** Cells are `f32`, running gap values `f64`, and penalties are rounded to 16
//!   significant bits, so `-gapopen 10.3 -gapextend 0.1` can print 3889.698 where exact
//!   arithmetic gives 3889.700.
//!
//! # Examples
//!
//! ```
//! use wildtype_aligner::align::{Aligner, Op};
//!
//! let aligner = Aligner::builder().build().unwrap();
//! let alignment = aligner.align(b"WPWYGPC", b"WGAYC").unwrap();
//! assert_eq!(alignment.score(), 16.5);
//! assert_eq!(alignment.cigar(b"WPWYGPC", b"WGAYC"), "1=2D1=");
//! ```

mod batch;
mod kernel;
mod scalar;
mod scratch;
mod stats;
mod trace;

use std::cell::RefCell;
use std::ops::Range;
use std::sync::Arc;

pub use batch::LocalScore;
pub use kernel::KernelKind;
pub use scratch::Scratch;
pub use stats::AlignmentStats;
#[cfg(test)]
pub(crate) use stats::percent;

use crate::scoring::{GapPenalties, Matrix};
use crate::{Error, Result};

/// One alignment column. `a` is the query (water's `-asequence`), `b` the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// A residue of a against a residue of b (identical or not).
    Match,
    /// A residue of a against a gap in b (CIGAR `I`).
    Insertion,
    /// A residue of b against a gap in a (CIGAR `D`).
    Deletion,
}

/// Builds an [`Aligner`]; defaults are water's (EBLOSUM62, open 10, extend 0.5).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::align::Aligner;
/// use wildtype_aligner::scoring::{GapPenalties, Matrix};
///
/// let aligner = Aligner::builder()
///     .matrix(Matrix::dnafull())
///     .gaps(GapPenalties::new(16.0, 4.0).unwrap())
///     .build()
///     .unwrap();
/// assert_eq!(aligner.gaps().open(), 16.0);
/// ```
#[derive(Debug, Clone, Default)]
pub struct AlignerBuilder {
    matrix: Option<Matrix>,
    gaps: GapPenalties,
    kernel: Option<KernelKind>,
    striped: Option<bool>,
}

impl AlignerBuilder {
    /// Uses `matrix` instead of EBLOSUM62.
    pub fn matrix(mut self, matrix: Matrix) -> Self {
        self.matrix = Some(matrix);
        self
    }

    /// Uses `gaps` instead of open 10, extend 0.5.
    pub fn gaps(mut self, gaps: GapPenalties) -> Self {
        self.gaps = gaps;
        self
    }

    /// Forces a kernel instead of the fastest one this CPU has (or the one `WTA_KERNEL`
    /// names). [`AlignerBuilder::build`] fails if this CPU cannot run it.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::{Aligner, KernelKind};
    ///
    /// let scalar = Aligner::builder().kernel(KernelKind::Scalar).build().unwrap();
    /// assert_eq!(scalar.kernel(), KernelKind::Scalar);
    /// ```
    pub fn kernel(mut self, kernel: KernelKind) -> Self {
        self.kernel = Some(kernel);
        self
    }

    /// For tests and benchmarks: `Some(true)` sends every single pair the SIMD kernels take to
    /// the striped kernel, `Some(false)` to the lane kernel, `None` (the default) chooses by
    /// length. The result is the same either way; only the speed differs.
    #[doc(hidden)]
    pub fn striped(mut self, striped: Option<bool>) -> Self {
        self.striped = striped;
        self
    }

    /// The configured aligner.
    pub fn build(self) -> Result<Aligner> {
        let engine = match self.kernel {
            Some(kind) => kernel::Engine::for_kind(kind).ok_or_else(|| {
                Error::Setting(format!("kernel {kind} is not available on this CPU"))
            })?,
            None => kernel::Engine::detected(),
        };
        let matrix = self.matrix.unwrap_or_else(Matrix::blosum62);
        // The one decision between fixed point and water's float arithmetic.
        let fixed = match engine {
            kernel::Engine::Scalar => None,
            _ => kernel::fixed::FixedPoint::new(&matrix, self.gaps).map(Arc::new),
        };
        Ok(Aligner {
            matrix,
            gaps: self.gaps,
            engine,
            fixed,
            striped: self.striped,
        })
    }
}

/// Aligns pairs of sequences as water does. `Send + Sync` and reusable: buffers are kept per
/// thread between calls.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::align::Aligner;
///
/// let aligner = Aligner::builder().build().unwrap();
/// let alignment = aligner.align(b"DWDDDDWD", b"KKKKWKWK").unwrap();
/// assert_eq!((alignment.a_range(), alignment.b_range()), (1..2, 4..5));
/// ```
#[derive(Debug, Clone)]
pub struct Aligner {
    matrix: Matrix,
    gaps: GapPenalties,
    engine: kernel::Engine,
    /// Present when the kernels are exact for this matrix and these penalties.
    fixed: Option<Arc<kernel::fixed::FixedPoint>>,
    /// Forces the single-pair kernel (see [`AlignerBuilder::striped`]).
    striped: Option<bool>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `body` with this thread's reusable buffers.
fn with_scratch<T>(body: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => body(&mut scratch),
        // Re-entered from the same thread (not possible through this API today): use fresh
        // buffers rather than fail.
        Err(_) => body(&mut Scratch::default()),
    })
}

impl Aligner {
    /// A builder with water's defaults.
    pub fn builder() -> AlignerBuilder {
        AlignerBuilder::default()
    }

    /// The substitution matrix.
    pub fn matrix(&self) -> &Matrix {
        &self.matrix
    }

    /// The gap penalties (rounded as water rounds them).
    pub fn gaps(&self) -> GapPenalties {
        self.gaps
    }

    /// The kernel this aligner uses. [`KernelKind::Scalar`] when forced, or when the matrix
    /// or penalties are not exact multiples of a unit of at least 2^-6 (say `-gapextend 0.1`),
    /// where only water's float arithmetic gives water's results. (Single alignments too long
    /// for exact fixed point also run on the scalar engine.)
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::{Aligner, KernelKind};
    /// use wildtype_aligner::scoring::GapPenalties;
    ///
    /// let inexact = Aligner::builder().gaps(GapPenalties::new(10.0, 0.1).unwrap()).build();
    /// assert_eq!(inexact.unwrap().kernel(), KernelKind::Scalar);
    /// ```
    pub fn kernel(&self) -> KernelKind {
        match self.fixed {
            Some(_) => self.engine.kind(),
            None => KernelKind::Scalar,
        }
    }

    fn penalties(&self) -> trace::Penalties {
        trace::Penalties {
            open: self.gaps.open(),
            extend: self.gaps.extend(),
        }
    }

    /// Aligns residues `a` (water's `-asequence`) against `b`. Residues are bytes as displayed
    /// (any case); bytes the matrix lacks score 0. Both must be non-empty.
    ///
    /// On the SIMD kernels a pair of at least 24 x 24 residues (with b at least 16 long) runs
    /// on the striped single-pair kernel, smaller ones on one lane of the lane kernel; the
    /// result is the same.
    pub fn align(&self, a: &[u8], b: &[u8]) -> Result<Alignment> {
        with_scratch(|scratch| self.align_with(a, b, scratch))
    }

    /// Like [`Aligner::align`], with caller-owned buffers.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::{Aligner, Scratch};
    ///
    /// let aligner = Aligner::builder().build().unwrap();
    /// let mut scratch = Scratch::default();
    /// for b in [&b"MKTAYIAK"[..], b"MKTAYLAK"] {
    ///     assert!(aligner.align_with(b"MKTAYIAK", b, &mut scratch).unwrap().score() > 30.0);
    /// }
    /// ```
    pub fn align_with(&self, a: &[u8], b: &[u8], scratch: &mut Scratch) -> Result<Alignment> {
        if a.is_empty() || b.is_empty() {
            return Err(Error::Sequence(format!(
                "cannot align an empty sequence (lengths {} and {})",
                a.len(),
                b.len()
            )));
        }
        let mut codes_a = std::mem::take(&mut scratch.codes_a);
        let mut codes_b = std::mem::take(&mut scratch.codes_b);
        self.matrix.encode_into(a, &mut codes_a);
        self.matrix.encode_into(b, &mut codes_b);
        let penalties = self.penalties();
        let matrix = &self.matrix;
        let traceback = match &self.fixed {
            Some(fixed) if fixed.fits(codes_a.len(), codes_b.len()) => {
                let outcome = self.kernel_one(fixed, &codes_a, &codes_b, true, scratch);
                outcome
                    .traceback
                    .expect("the kernels walk every pair they are asked to align")
            }
            _ => scalar::align_codes(
                &codes_a,
                &codes_b,
                |x, y| matrix.score_codes(x, y),
                penalties,
                &mut scratch.scalar,
            ),
        };
        let alignment = Alignment::from_traceback(matrix, &codes_a, &codes_b, traceback);
        scratch.codes_a = codes_a;
        scratch.codes_b = codes_b;
        Ok(alignment)
    }
}

/// Single pairs go to the striped kernel when b has at least this many residues (a shorter b
/// leaves the striped kernel building a profile of a for a handful of columns, where one lane
/// of the lane kernel is faster)...
const STRIPED_MIN_COLS: usize = 16;
/// ...and the pair has at least this many cells (24 x 24; below it the scalar engine beats
/// both kernels and the striped kernel is no faster than one lane). Measured with
/// `examples/bench_kernels.rs single`.
const STRIPED_MIN_CELLS: usize = 24 * 24;

impl Aligner {
    /// Whether a single `la` x `lb` pair goes to the striped kernel rather than one lane of the
    /// lane kernel.
    fn use_striped(&self, la: usize, lb: usize) -> bool {
        self.striped
            .unwrap_or(lb >= STRIPED_MIN_COLS && la * lb >= STRIPED_MIN_CELLS)
    }

    /// One coded pair that `fits` on the SIMD kernels: the striped kernel or one lane of the
    /// lane kernel (which also takes the pairs the striped kernel declines).
    fn kernel_one(
        &self,
        fixed: &kernel::fixed::FixedPoint,
        codes_a: &[u8],
        codes_b: &[u8],
        trace: bool,
        scratch: &mut Scratch,
    ) -> kernel::outcome::Outcome {
        let penalties = self.penalties();
        let striped = self
            .use_striped(codes_a.len(), codes_b.len())
            .then(|| {
                kernel::striped::run(
                    self.engine,
                    fixed,
                    penalties,
                    codes_a,
                    codes_b,
                    trace,
                    &mut scratch.kernel.striped,
                )
            })
            .flatten();
        striped.unwrap_or_else(|| {
            let targets = [codes_b];
            kernel::driver::run(
                self.engine,
                fixed,
                penalties,
                codes_a,
                &targets,
                trace,
                false,
                &mut scratch.kernel,
            )
            .pop()
            .expect("the kernel driver answers every target it is given")
        })
    }
}

/// A local alignment of a against b.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::align::Aligner;
///
/// let (a, b) = (b"WKAAAKW", b"WKAAKW");
/// let alignment = Aligner::builder().build().unwrap().align(a, b).unwrap();
/// let (row_a, row_b) = alignment.aligned_rows(a, b);
/// assert_eq!((row_a.as_slice(), row_b.as_slice()), (&b"WKAAAKW"[..], &b"WK-AAKW"[..]));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Alignment {
    score: f32,
    a_range: Range<usize>,
    b_range: Range<usize>,
    ops: Vec<Op>,
    stats: AlignmentStats,
}

impl Alignment {
    fn from_traceback(
        matrix: &Matrix,
        codes_a: &[u8],
        codes_b: &[u8],
        traceback: trace::Traceback,
    ) -> Self {
        let (stats, consumed_a, consumed_b) = AlignmentStats::compute(
            matrix,
            &codes_a[traceback.start_a..],
            &codes_b[traceback.start_b..],
            &traceback.ops,
        );
        let a_range = traceback.start_a..traceback.start_a + consumed_a;
        let b_range = traceback.start_b..traceback.start_b + consumed_b;
        Self {
            score: traceback.score,
            a_range,
            b_range,
            ops: traceback.ops,
            stats,
        }
    }

    /// The score as water reports it (see the module documentation for when it differs from
    /// the alignment's own score).
    pub fn score(&self) -> f32 {
        self.score
    }

    /// The aligned part of a, 0-based half-open.
    pub fn a_range(&self) -> Range<usize> {
        self.a_range.clone()
    }

    /// The aligned part of b, 0-based half-open.
    pub fn b_range(&self) -> Range<usize> {
        self.b_range.clone()
    }

    /// The columns, first to last.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// Length, identity, similarity and gaps.
    pub fn stats(&self) -> &AlignmentStats {
        &self.stats
    }

    /// The gapped rows (`-` for gaps) of a and b, given the sequences that were aligned.
    ///
    /// # Panics
    ///
    /// If `a` or `b` is shorter than the aligned range (they are not the aligned sequences).
    pub fn aligned_rows(&self, a: &[u8], b: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut row_a = Vec::with_capacity(self.ops.len());
        let mut row_b = Vec::with_capacity(self.ops.len());
        let mut residues_a = a[self.a_range()].iter();
        let mut residues_b = b[self.b_range()].iter();
        for op in &self.ops {
            let (x, y) = match op {
                Op::Match => (residues_a.next(), residues_b.next()),
                Op::Insertion => (residues_a.next(), None),
                Op::Deletion => (None, residues_b.next()),
            };
            row_a.push(x.copied().unwrap_or(b'-'));
            row_b.push(y.copied().unwrap_or(b'-'));
        }
        (row_a, row_b)
    }

    /// The CIGAR string with a as the query: `=` identical residues (case-insensitive), `X`
    /// other residue pairs, `I` residues of a only, `D` residues of b only.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::Aligner;
    ///
    /// let (a, b) = (b"MKTAYIAKQRQISFVKSHFSRQ", b"MKTAYIAKQRQISFVKSHGGGGFSRQ");
    /// let alignment = Aligner::builder().build().unwrap().align(a, b).unwrap();
    /// assert_eq!(alignment.cigar(a, b), "18=4D4=");
    /// ```
    pub fn cigar(&self, a: &[u8], b: &[u8]) -> String {
        let (row_a, row_b) = self.aligned_rows(a, b);
        let mut cigar = String::new();
        let mut run: Option<(char, usize)> = None;
        for (x, y) in row_a.iter().zip(&row_b) {
            let symbol = match (*x, *y) {
                (b'-', _) => 'D',
                (_, b'-') => 'I',
                (x, y) if x.eq_ignore_ascii_case(&y) => '=',
                _ => 'X',
            };
            run = match run {
                Some((current, count)) if current == symbol => Some((current, count + 1)),
                Some((current, count)) => {
                    cigar.push_str(&format!("{count}{current}"));
                    Some((symbol, 1))
                }
                None => Some((symbol, 1)),
            };
        }
        if let Some((current, count)) = run {
            cigar.push_str(&format!("{count}{current}"));
        }
        cigar
    }
}
