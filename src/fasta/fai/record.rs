//! One line of a `.fai` index and the offset arithmetic it allows.

use std::fmt;
use std::ops::Range;

/// One record of a `.fai` index: NAME, LENGTH, OFFSET, LINEBASES, LINEWIDTH.
///
/// LINEWIDTH counts the line ending (2 for CRLF files), LINEBASES only the bases.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::fasta::fai::Record;
///
/// let record = Record::new("gyrA_1", 875, 8, 60, 61);
/// assert_eq!(record.to_string(), "gyrA_1\t875\t8\t60\t61");
/// assert_eq!(record.position(60), 8 + 61);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    name: String,
    length: u64,
    offset: u64,
    line_bases: u64,
    line_width: u64,
}

impl Record {
    /// A record from its five columns.
    pub fn new(
        name: impl Into<String>,
        length: u64,
        offset: u64,
        line_bases: u64,
        line_width: u64,
    ) -> Self {
        Self {
            name: name.into(),
            length,
            offset,
            line_bases,
            line_width,
        }
    }

    /// The sequence name (the header's first word).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The number of bases.
    pub fn length(&self) -> u64 {
        self.length
    }

    /// The byte offset of the first base in the FASTA file.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Bases on each full line.
    pub fn line_bases(&self) -> u64 {
        self.line_bases
    }

    /// Bytes on each full line, line ending included.
    pub fn line_width(&self) -> u64 {
        self.line_width
    }

    /// The byte offset in the FASTA file of base `pos` (0-based). This is the one place
    /// where the index's offset arithmetic lives.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::fasta::fai::Record;
    ///
    /// // ">a\r\n" then lines of 4 bases and CRLF.
    /// let record = Record::new("a", 10, 4, 4, 6);
    /// assert_eq!(record.position(0), 4);
    /// assert_eq!(record.position(5), 4 + 6 + 1);
    /// ```
    ///
    /// Saturates at `u64::MAX`, past the end of any file, so an index whose columns overflow
    /// the arithmetic is reported as not matching the file instead of wrapping around.
    pub fn position(&self, pos: u64) -> u64 {
        self.checked_position(pos).unwrap_or(u64::MAX)
    }

    fn checked_position(&self, pos: u64) -> Option<u64> {
        match self.line_bases {
            0 => Some(self.offset),
            bases => (pos / bases)
                .checked_mul(self.line_width)?
                .checked_add(pos % bases)?
                .checked_add(self.offset),
        }
    }

    /// The byte just past the last base, `None` when that lies beyond `u64::MAX` bytes.
    pub(crate) fn checked_end(&self) -> Option<u64> {
        match self.length.checked_sub(1) {
            None => Some(self.offset),
            Some(last) => self.checked_position(last)?.checked_add(1),
        }
    }

    /// The bytes of the file spanned by bases `range` (0-based, half-open), line endings
    /// between them included; empty at the start position when the range is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::fasta::fai::Record;
    ///
    /// let record = Record::new("a", 10, 3, 4, 5);
    /// assert_eq!(record.byte_span(2..6), 5..10);
    /// ```
    pub fn byte_span(&self, range: Range<u64>) -> Range<u64> {
        if range.is_empty() {
            let at = self.position(range.start);
            return at..at;
        }
        self.position(range.start)..self.position(range.end - 1).saturating_add(1)
    }

    /// Whether bases `range` (non-empty, 0-based) lie on one line of the file.
    pub(crate) fn on_one_line(&self, range: &Range<u64>) -> bool {
        self.line_bases == 0 || range.start / self.line_bases == (range.end - 1) / self.line_bases
    }
}

impl fmt::Display for Record {
    /// The record as a `.fai` line, without the line ending.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\t{}\t{}\t{}\t{}",
            self.name, self.length, self.offset, self.line_bases, self.line_width
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `fasta_reader` fuzz target: a hostile LENGTH overflowed the arithmetic.
    #[test]
    fn offset_arithmetic_saturates_instead_of_overflowing() {
        let record = Record::new("a", u64::MAX, 3, 60, 61);
        assert_eq!(record.position(u64::MAX - 1), u64::MAX);
        assert_eq!(record.byte_span(0..u64::MAX).end, u64::MAX);
        assert_eq!(record.checked_end(), None);
        assert_eq!(Record::new("a", 6, 3, 4, 5).checked_end(), Some(10));
        assert_eq!(Record::new("a", 0, 3, 0, 0).checked_end(), Some(3));
    }
}
