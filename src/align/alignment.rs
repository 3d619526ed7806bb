//! [`Alignment`]: score, ranges, columns and statistics of one local alignment.

use std::ops::Range;

use super::error::{AlignError, Result};
use super::op::Op;
use super::stats::AlignmentStats;
use super::trace;
use crate::scoring::Matrix;

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
    pub(super) fn from_traceback(
        matrix: &Matrix,
        (codes_a, a): (&[u8], &[u8]),
        (codes_b, b): (&[u8], &[u8]),
        traceback: trace::Traceback,
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
        let mut rest = &self.ops[..];
        while let Some(&op) = rest.first() {
            let count = rest.iter().position(|&o| o != op).unwrap_or(rest.len());
            push_decimal(out, count);
            out.push(op.cigar());
            rest = &rest[count..];
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
fn push_decimal(out: &mut String, value: usize) {
    let mut digits = [0u8; 20];
    for &digit in decimal_digits(value, &mut digits) {
        out.push(char::from(digit));
    }
}

/// The ASCII digits of `value` in decimal, written at the end of `digits` (the crate's
/// writers of numbers that do without the formatting machinery share this).
pub(crate) fn decimal_digits(mut value: usize, digits: &mut [u8; 20]) -> &[u8] {
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    &digits[start..]
}
