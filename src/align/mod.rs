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

mod aligner;
mod alignment;
mod batch;
mod bounded;
mod error;
mod kernel;
mod op;
mod scalar;
mod scratch;
mod stats;
mod trace;

pub use aligner::{Aligner, AlignerBuilder};
pub use alignment::Alignment;
#[cfg(feature = "report")]
pub(crate) use alignment::decimal_digits;
pub use batch::LocalScore;
#[cfg(all(test, feature = "pipeline"))]
pub(crate) use bounded::MEMORY_LIMIT as BOUNDED_MEMORY;
pub use error::AlignError;
pub use kernel::{KernelKind, KernelVariable, UnknownKernel};
pub use op::Op;
pub use scratch::Scratch;
pub use stats::AlignmentStats;
#[cfg(all(test, feature = "report"))]
pub(crate) use stats::percent;
