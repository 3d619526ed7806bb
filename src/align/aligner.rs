//! [`Aligner`] and its builder: the matrix, the gap penalties and the kernel, chosen once; one
//! pair at a time here, many at a time in `batch.rs`.

use std::cell::RefCell;
use std::sync::Arc;

use super::alignment::Alignment;
use super::error::{AlignError, Result};
use super::kernel::{self, KernelKind};
use super::scratch::Scratch;
use super::{bounded, scalar, trace};
use crate::scoring::{GapPenalties, Matrix};

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
    bounded: Option<(usize, usize)>,
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

    /// Pairs of more than `cells` cells take the bounded-memory path, which may use `memory`
    /// bytes a pair (normally [`bounded::BOUNDED_CELLS`] and [`bounded::MEMORY_LIMIT`]);
    /// tests lower them to run that path, and to fail it, on small pairs.
    #[cfg(any(test, feature = "pipeline"))]
    pub(crate) fn bounded(mut self, cells: usize, memory: usize) -> Self {
        self.bounded = Some((cells, memory));
        self
    }

    /// The configured aligner.
    ///
    /// # Errors
    ///
    /// [`AlignError::KernelUnavailable`] when a kernel was forced that this CPU cannot run;
    /// [`AlignError::KernelVariable`] when none was and `WTA_KERNEL` names an unknown or
    /// unavailable one.
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
            None => kernel::Engine::detected()?,
        };
        let matrix = self.matrix.unwrap_or_else(Matrix::blosum62);
        // The one decision between fixed point and water's float arithmetic.
        let dyadic = kernel::fixed::FixedPoint::new(&matrix, self.gaps).map(Arc::new);
        let fixed = match engine {
            kernel::Engine::Scalar => None,
            _ => dyadic.clone(),
        };
        Ok(Aligner {
            matrix,
            gaps: self.gaps,
            engine,
            fixed,
            dyadic,
            striped: self.striped,
            bounded: self
                .bounded
                .unwrap_or((bounded::BOUNDED_CELLS, bounded::MEMORY_LIMIT)),
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
    pub(super) matrix: Matrix,
    gaps: GapPenalties,
    pub(super) engine: kernel::Engine,
    /// Present when the kernels are exact for this matrix and these penalties.
    pub(super) fixed: Option<Arc<kernel::fixed::FixedPoint>>,
    /// The fixed-point form of the matrix and penalties whatever the kernel: where it exists,
    /// ties between H values are equalities (the bounded path relies on it).
    dyadic: Option<Arc<kernel::fixed::FixedPoint>>,
    /// Forces the single-pair kernel (see [`AlignerBuilder::striped`]).
    striped: Option<bool>,
    /// Pairs of more cells take the bounded-memory path, and the bytes it may use a pair.
    bounded: (usize, usize),
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `body` with this thread's reusable buffers.
pub(super) fn with_scratch<T>(body: impl FnOnce(&mut Scratch) -> T) -> T {
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

    pub(super) fn penalties(&self) -> trace::Penalties {
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
    ///
    /// Long pairs (more than 2^25 cells, about 5,800 x 5,800 residues, or a sequence longer
    /// than 65,536 residues) are aligned in bounded memory, with the same result: a 5 Mb
    /// sequence against a 300-residue one takes about 10 MB (and one pass of the scalar
    /// engine's arithmetic over every cell, then the strips the walk crosses once more).
    ///
    /// # Errors
    ///
    /// [`AlignError::EmptySequence`] when `a` or `b` has no residues; [`AlignError::TooBig`]
    /// when the pair cannot be aligned even in bounded memory (256 MiB, reached by pairs of
    /// about 62,000 x 62,000 residues).
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
        let matrix = &self.matrix;
        let traceback = match self.kernel_pair(codes_a.len(), codes_b.len()) {
            Some(fixed) => {
                let outcome = self.kernel_one(fixed, &codes_a, &codes_b, true, scratch);
                Ok(outcome
                    .traceback
                    .expect("the kernels walk every pair they are asked to align"))
            }
            None => self.scalar_traceback(&codes_a, &codes_b, scratch),
        };
        let alignment = traceback.map(|traceback| {
            Alignment::from_traceback(matrix, (&codes_a, a), (&codes_b, b), traceback)
        });
        scratch.codes_a = codes_a;
        scratch.codes_b = codes_b;
        alignment
    }

    /// The fixed point of a `la` x `lb` pair the SIMD kernels take: not too long for exact
    /// fixed point nor for their buffers.
    pub(super) fn kernel_pair(&self, la: usize, lb: usize) -> Option<&kernel::fixed::FixedPoint> {
        self.fixed
            .as_deref()
            .filter(|fixed| fixed.fits(la, lb) && !self.bounded(la, lb))
    }

    /// Whether a `la` x `lb` pair takes the bounded-memory path.
    fn bounded(&self, la: usize, lb: usize) -> bool {
        bounded::needed(la, lb, self.bounded.0)
    }

    /// Whether every H of a `la` x `lb` pair is a whole multiple of a fixed-point unit.
    fn exact_ties(&self, la: usize, lb: usize) -> bool {
        self.dyadic.as_ref().is_some_and(|fixed| fixed.fits(la, lb))
    }

    /// water's alignment of coded `a` against coded `b` by the scalar engine: the full
    /// matrices, or for a long pair the bounded-memory path.
    pub(super) fn scalar_traceback(
        &self,
        a: &[u8],
        b: &[u8],
        scratch: &mut Scratch,
    ) -> Result<trace::Traceback> {
        let matrix = &self.matrix;
        let score = |x, y| matrix.score_codes(x, y);
        let (la, lb) = (a.len(), b.len());
        if self.bounded(la, lb) {
            let limits = (self.exact_ties(la, lb), self.bounded.1);
            return bounded::align_codes(a, b, score, self.penalties(), limits);
        }
        Ok(scalar::align_codes(
            a,
            b,
            score,
            self.penalties(),
            &mut scratch.scalar,
        ))
    }

    /// water's score and end cell of coded `a` against coded `b` by the scalar engine.
    pub(super) fn scalar_score(
        &self,
        a: &[u8],
        b: &[u8],
        scratch: &mut Scratch,
    ) -> Result<(f32, usize, usize)> {
        let (la, lb) = (a.len(), b.len());
        if self.bounded(la, lb) {
            let matrix = &self.matrix;
            let score = |x, y| matrix.score_codes(x, y);
            let limits = (self.exact_ties(la, lb), self.bounded.1);
            return bounded::score_codes(a, b, score, self.penalties(), limits);
        }
        let traceback = self.scalar_traceback(a, b, scratch)?;
        Ok((traceback.score, traceback.end_a, traceback.end_b))
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
    pub(super) fn kernel_one(
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::bounded::MEMORY_LIMIT;
    use super::Aligner;
    use super::KernelKind;
    use crate::scoring::GapPenalties;

    fn residues(alphabet: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(prop::sample::select(alphabet), 1..120)
    }

    /// A full alphabet or tiny ones that force ties; penalties exact in fixed point or not.
    fn pair() -> impl Strategy<Value = (Vec<u8>, Vec<u8>, GapPenalties)> {
        let alphabet = prop_oneof![
            Just(&b"ACDEFGHIKLMNPQRSTVWYXU*"[..]),
            Just(&b"WP"[..]),
            Just(&b"AAW"[..]),
        ];
        let gaps = prop_oneof![Just((10.0f32, 0.5f32)), Just((1.0, 3.0)), Just((10.3, 0.1))];
        (alphabet, gaps).prop_flat_map(|(alphabet, (open, extend))| {
            let gaps = GapPenalties::new(open, extend).unwrap();
            (residues(alphabet), residues(alphabet), Just(gaps))
        })
    }

    /// Both aligners on every kernel: the normal one and one sending every pair to the
    /// bounded-memory path.
    fn check(a: &[u8], b: &[u8], gaps: GapPenalties) -> Result<(), TestCaseError> {
        for kind in KernelKind::available() {
            let normal = Aligner::builder().gaps(gaps).kernel(kind).build().unwrap();
            let bounded = Aligner::builder()
                .gaps(gaps)
                .kernel(kind)
                .bounded(0, MEMORY_LIMIT)
                .build()
                .unwrap();
            prop_assert_eq!(bounded.align(a, b).unwrap(), normal.align(a, b).unwrap());
            prop_assert_eq!(bounded.score(a, b).unwrap(), normal.score(a, b).unwrap());
            let batch = bounded.align_many_to_one(&[a, b], b);
            prop_assert_eq!(batch[0].as_ref().unwrap(), &normal.align(a, b).unwrap());
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Every route to the bounded path (single pairs, scores, batches) gives the normal
        /// path's result.
        #[test]
        fn aligner_bounded_equals_normal((a, b, gaps) in pair()) {
            check(&a, &b, gaps)?;
        }
    }

    /// water's quirks through the bounded path: Q1 (a row search reaching column 0), length-1
    /// input (-FLT_MAX), nothing positive.
    #[test]
    fn quirk_pairs_through_the_bounded_path() {
        for (a, b) in [
            (&b"WPWYGPC"[..], &b"WGAYC"[..]),
            (&b"WGWGCAW"[..], &b"WAAYCPCA"[..]),
            (&b"W"[..], &b"W"[..]),
            (&b"PPPPE"[..], &b"WWWWF"[..]),
        ] {
            check(a, b, GapPenalties::default()).unwrap();
        }
    }

    /// A pair past the bounded path's memory fails alone with `TooBig`.
    #[test]
    fn too_big_pair_is_an_error() {
        let starved = Aligner::builder().bounded(0, 1 << 20).build().unwrap();
        let error = starved.align(b"MKVLAAGW", b"MKVLAAGW").unwrap_err();
        assert_eq!(error, super::AlignError::TooBig { a_len: 8, b_len: 8 });
        assert!(starved.score(b"MKVLAAGW", b"MKVLAAGW").is_err());
    }
}
