//! The columns of an alignment: what the walk finds, and what an [`crate::align::Alignment`]
//! reports once the residues are known.

/// One alignment column. `a` is the query (water's `-asequence`), `b` the reference.
///
/// Whether a pair of residues is [`Op::Equal`] or [`Op::Mismatch`] is decided once, when the
/// alignment is made: the same letter, ignoring case, is equal (so `X`/`x` is equal and `K`/`R`
/// a mismatch, whatever the matrix scores them). water's `Identity` statistic counts by the
/// matrix's codes instead ([`crate::align::AlignmentStats`]).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::align::{Aligner, Op};
///
/// let alignment = Aligner::builder().build().unwrap().align(b"MKTAYIAK", b"MKTGYIAK").unwrap();
/// assert_eq!(alignment.ops()[3], Op::Mismatch);
/// assert_eq!(alignment.ops().iter().filter(|op| **op == Op::Equal).count(), 7);
/// assert_eq!(Op::Deletion.cigar(), 'D');
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Op {
    /// A residue of a against the same residue of b (CIGAR `=`).
    Equal,
    /// A residue of a against a different residue of b (CIGAR `X`).
    Mismatch,
    /// A residue of a against a gap in b (CIGAR `I`).
    Insertion,
    /// A residue of b against a gap in a (CIGAR `D`).
    Deletion,
}

impl Op {
    /// The CIGAR letter: `=`, `X`, `I` or `D`.
    pub fn cigar(self) -> char {
        match self {
            Op::Equal => '=',
            Op::Mismatch => 'X',
            Op::Insertion => 'I',
            Op::Deletion => 'D',
        }
    }

    /// Whether the column holds a residue of a (every op but [`Op::Deletion`]).
    pub fn consumes_a(self) -> bool {
        self != Op::Deletion
    }

    /// Whether the column holds a residue of b (every op but [`Op::Insertion`]).
    pub fn consumes_b(self) -> bool {
        self != Op::Insertion
    }
}

/// A column as the walk sees it, before the residues are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Step {
    /// A residue of a against a residue of b.
    Pair,
    /// A residue of a against a gap in b.
    Insertion,
    /// A residue of b against a gap in a.
    Deletion,
}
