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
//! assert_eq!(alignment.cigar(), "1=2D1=");
//! assert_eq!(alignment.ops(), [Op::Equal, Op::Deletion, Op::Deletion, Op::Equal]);
//! ```

mod batch;
mod error;
mod kernel;
mod op;
mod stats;
mod water;

use std::cell::RefCell;
use std::ops::Range;
use std::sync::Arc;

pub use batch::LocalScore;
pub use error::AlignError;
pub use kernel::KernelKind;
pub use op::Op;
pub use stats::AlignmentStats;
#[cfg(all(test, feature = "report"))]
pub(crate) use stats::percent;
pub use water::Scratch;

use crate::scoring::{GapPenalties, Matrix};

/// The alignment layer's result type.
pub(crate) type Result<T, E = AlignError> = std::result::Result<T, E>;

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
    ///
    /// # Errors
    ///
    /// [`AlignError::KernelUnavailable`] when a kernel was forced that this CPU cannot run.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::{Aligner, KernelKind};
    ///
    /// let aligner = Aligner::builder().build().unwrap();
    /// assert!(KernelKind::available().contains(&aligner.kernel()));
    /// ```
    pub fn build(self) -> Result<Aligner> {
        let engine = match self.kernel {
            Some(kind) => {
                kernel::Engine::for_kind(kind).ok_or(AlignError::KernelUnavailable(kind))?
            }
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
    /// A builder with water's defaults (EBLOSUM62, open 10, extend 0.5, the fastest kernel
    /// this CPU has).
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::Aligner;
    /// use wildtype_aligner::scoring::GapPenalties;
    ///
    /// let aligner = Aligner::builder().gaps(GapPenalties::new(12.0, 2.0).unwrap()).build().unwrap();
    /// assert_eq!((aligner.gaps().open(), aligner.gaps().extend()), (12.0, 2.0));
    /// assert_eq!(aligner.matrix().name(), "EBLOSUM62");
    /// ```
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

    fn penalties(&self) -> water::Penalties {
        water::Penalties {
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
    ///
    /// # Errors
    ///
    /// [`AlignError::EmptySequence`] when `a` or `b` has no residues.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::{AlignError, Aligner};
    ///
    /// let aligner = Aligner::builder().build().unwrap();
    /// let alignment = aligner.align(b"MVLSPADKTNVKAAW", b"MVHLTPEEKSAVTALW").unwrap();
    /// assert_eq!(alignment.score(), 34.0);
    /// assert_eq!((alignment.a_range(), alignment.b_range()), (2..15, 3..16));
    /// assert!(matches!(aligner.align(b"", b"MK"), Err(AlignError::EmptySequence { .. })));
    /// ```
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
            return Err(AlignError::EmptySequence {
                a_len: a.len(),
                b_len: b.len(),
            });
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
            _ => water::align_codes(
                &codes_a,
                &codes_b,
                |x, y| matrix.score_codes(x, y),
                penalties,
                scratch,
            ),
        };
        let alignment = Alignment::from_traceback(matrix, (&codes_a, a), (&codes_b, b), traceback);
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
    ) -> kernel::driver::Outcome {
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

/// A local alignment of a against b: score, ranges, columns and statistics. It knows its own
/// columns ([`Op::Equal`], [`Op::Mismatch`], gaps), so nothing but the rows of residues needs the
/// sequences again.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::align::Aligner;
///
/// let (a, b) = (b"WKAAAKW", b"WKAAKW");
/// let alignment = Aligner::builder().build().unwrap().align(a, b).unwrap();
/// assert_eq!(alignment.cigar(), "2=1I4=");
/// let (row_a, row_b) = alignment.aligned_rows(a, b).unwrap();
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
    /// The alignment the walk found, its pairs classified against the residues. `a` and `b`
    /// are (codes, residues) of the whole sequences.
    fn from_traceback(
        matrix: &Matrix,
        (codes_a, a): (&[u8], &[u8]),
        (codes_b, b): (&[u8], &[u8]),
        traceback: water::Traceback,
    ) -> Self {
        let (start_a, start_b) = (traceback.start_a, traceback.start_b);
        let (stats, ops, consumed_a, consumed_b) = AlignmentStats::classify(
            matrix,
            (&codes_a[start_a..], &a[start_a..]),
            (&codes_b[start_b..], &b[start_b..]),
            traceback.ops,
        );
        Self {
            score: traceback.score,
            a_range: start_a..start_a + consumed_a,
            b_range: start_b..start_b + consumed_b,
            ops,
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
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::{Aligner, Op};
    ///
    /// let alignment = Aligner::builder().build().unwrap().align(b"MKTAYIAK", b"MKTAWYIAK").unwrap();
    /// let deletions = alignment.ops().iter().filter(|op| **op == Op::Deletion).count();
    /// assert_eq!(deletions, 1);
    /// assert_eq!(alignment.ops().len(), alignment.stats().length());
    /// ```
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// Length, identity, similarity and gaps.
    pub fn stats(&self) -> &AlignmentStats {
        &self.stats
    }

    /// The CIGAR string with a as the query: `=` the same residue (ignoring case), `X` other
    /// residue pairs, `I` residues of a only, `D` residues of b only.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::Aligner;
    ///
    /// let (a, b) = (b"MKTAYIAKQRQISFVKSHFSRQ", b"MKTAYIAKQRQISFVKSHGGGGFSRQ");
    /// let alignment = Aligner::builder().build().unwrap().align(a, b).unwrap();
    /// assert_eq!(alignment.cigar(), "18=4D4=");
    /// ```
    pub fn cigar(&self) -> String {
        let mut cigar = String::new();
        self.write_cigar(&mut cigar);
        cigar
    }

    /// Appends the [`Alignment::cigar`] string to `out`, for callers that reuse a buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::Aligner;
    ///
    /// let alignment = Aligner::builder().build().unwrap().align(b"MKTAYIAK", b"MKTGYIAK").unwrap();
    /// let mut line = String::from("cigar=");
    /// alignment.write_cigar(&mut line);
    /// assert_eq!(line, "cigar=3=1X4=");
    /// ```
    pub fn write_cigar(&self, out: &mut String) {
        let mut ops = self.ops.iter().copied().peekable();
        while let Some(op) = ops.next() {
            let mut count = 1usize;
            while ops.next_if_eq(&op).is_some() {
                count += 1;
            }
            push_decimal(out, count);
            out.push(op.cigar());
        }
    }

    /// Checks that `a` and `b` can be the sequences this alignment was made from: long enough
    /// for its ranges, and each pair of residues equal or not as its columns say.
    ///
    /// # Errors
    ///
    /// [`AlignError::NotTheAlignedSequences`] when they cannot.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::Aligner;
    ///
    /// let alignment = Aligner::builder().build().unwrap().align(b"MKTAYIAK", b"MKTGYIAK").unwrap();
    /// assert!(alignment.check_sequences(b"MKTAYIAK", b"MKTGYIAK").is_ok());
    /// assert!(alignment.check_sequences(b"MK", b"MK").is_err());
    /// assert!(alignment.check_sequences(b"MKTGYIAK", b"MKTGYIAK").is_err());
    /// ```
    pub fn check_sequences(&self, a: &[u8], b: &[u8]) -> Result<()> {
        let misfit = || AlignError::NotTheAlignedSequences {
            a_len: a.len(),
            b_len: b.len(),
            a_end: self.a_range.end,
            b_end: self.b_range.end,
        };
        let (Some(mut residues_a), Some(mut residues_b)) =
            (a.get(self.a_range()), b.get(self.b_range()))
        else {
            return Err(misfit());
        };
        for op in &self.ops {
            match op {
                Op::Equal | Op::Mismatch => {
                    let (x, y) = (residues_a[0], residues_b[0]);
                    if x.eq_ignore_ascii_case(&y) != (*op == Op::Equal) {
                        return Err(misfit());
                    }
                    residues_a = &residues_a[1..];
                    residues_b = &residues_b[1..];
                }
                Op::Insertion => residues_a = &residues_a[1..],
                Op::Deletion => residues_b = &residues_b[1..],
            }
        }
        Ok(())
    }

    /// The gapped rows (`-` for gaps) of a and b, given the sequences that were aligned.
    ///
    /// # Errors
    ///
    /// [`AlignError::NotTheAlignedSequences`] when `a` and `b` are not the aligned sequences
    /// (see [`Alignment::check_sequences`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::Aligner;
    ///
    /// let (a, b) = (b"MKTAYIAK", b"MKTAWYIAK");
    /// let alignment = Aligner::builder().build().unwrap().align(a, b).unwrap();
    /// let (row_a, row_b) = alignment.aligned_rows(a, b).unwrap();
    /// assert_eq!((&row_a[..], &row_b[..]), (&b"MKTA-YIAK"[..], &b"MKTAWYIAK"[..]));
    /// assert!(alignment.aligned_rows(b, a).is_err());
    /// ```
    pub fn aligned_rows(&self, a: &[u8], b: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        self.check_sequences(a, b)?;
        let mut row_a = Vec::with_capacity(self.ops.len());
        let mut row_b = Vec::with_capacity(self.ops.len());
        let mut residues_a = a[self.a_range()].iter().copied();
        let mut residues_b = b[self.b_range()].iter().copied();
        for op in &self.ops {
            let residue_a = if op.consumes_a() {
                residues_a.next()
            } else {
                None
            };
            let residue_b = if op.consumes_b() {
                residues_b.next()
            } else {
                None
            };
            row_a.push(residue_a.unwrap_or(b'-'));
            row_b.push(residue_b.unwrap_or(b'-'));
        }
        Ok((row_a, row_b))
    }
}

/// Appends `value` in decimal.
fn push_decimal(out: &mut String, mut value: usize) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    for &digit in &digits[start..] {
        out.push(char::from(digit));
    }
}
