//! What can go wrong in the alignment layer.

use super::kernel::{KernelKind, KernelVariable, UnknownKernel};

/// A pair that cannot be aligned, or an aligner that cannot be built as asked.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::align::{AlignError, Aligner};
///
/// let aligner = Aligner::builder().build().unwrap();
/// let err = aligner.align(b"", b"MK").unwrap_err();
/// assert_eq!(err, AlignError::EmptySequence { a_len: 0, b_len: 2 });
/// assert_eq!(err.to_string(), "cannot align an empty sequence (lengths 0 and 2)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AlignError {
    /// One of the two sequences has no residues.
    #[error("cannot align an empty sequence (lengths {a_len} and {b_len})")]
    EmptySequence {
        /// Residues of a.
        a_len: usize,
        /// Residues of b.
        b_len: usize,
    },
    /// The pair is too long to align even in bounded memory (see [`crate::align::Aligner::align`]).
    #[error("sequences too big to align in bounded memory (lengths {a_len} and {b_len})")]
    TooBig {
        /// Residues of a.
        a_len: usize,
        /// Residues of b.
        b_len: usize,
    },
    /// The kernel asked for needs a CPU feature this machine lacks.
    #[error("kernel {0} is not available on this CPU")]
    KernelUnavailable(KernelKind),
    /// The `WTA_KERNEL` environment variable names no kernel, or one this CPU lacks; every
    /// aligner built without an explicit kernel refuses to run rather than use another one.
    #[error(transparent)]
    KernelVariable(#[from] KernelVariable),
    /// A kernel name that is none of `scalar`, `portable`, `sse41`, `avx2`, `avx512`.
    #[error(transparent)]
    UnknownKernel(#[from] UnknownKernel),
    /// Sequences given back to an [`crate::align::Alignment`] are not the ones it aligned.
    #[error(
        "the sequences (lengths {a_len} and {b_len}) are not the aligned ones (they must cover \
         {a_end} residues of a and {b_end} of b)"
    )]
    NotTheAlignedSequences {
        /// Residues of the a given.
        a_len: usize,
        /// Residues of the b given.
        b_len: usize,
        /// The end of the alignment in a.
        a_end: usize,
        /// The end of the alignment in b.
        b_end: usize,
    },
}

/// The alignment layer's result type.
pub(crate) type Result<T, E = AlignError> = std::result::Result<T, E>;
