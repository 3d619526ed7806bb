//! FASTA records: one borrowed from the reader's buffer, one owned.

use std::borrow::Cow;

/// The first whitespace-delimited word of a header, as samtools and water name a record.
pub(crate) fn first_word(header: &str) -> &str {
    header
        .split([' ', '\t', '\n', '\x0b', '\x0c', '\r'])
        .find(|word| !word.is_empty())
        .unwrap_or("")
}

/// One FASTA record borrowed from a [`crate::fasta::Reader`]'s buffer; valid until the next
/// call to `next_record`.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::fasta::Reader;
///
/// let mut reader = Reader::from_reader("in.fa", &b">gyrA_1 DNA gyrase\nMSD\nLAR\n"[..]).unwrap();
/// let record = reader.next_record().unwrap().unwrap();
/// assert_eq!(record.id(), "gyrA_1");
/// assert_eq!(record.header(), "gyrA_1 DNA gyrase");
/// assert_eq!(&record.seq()[..], b"MSDLAR");
/// assert_eq!(record.line(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct Record<'a> {
    pub(crate) header: Cow<'a, str>,
    pub(crate) seq: &'a [u8],
    pub(crate) line: usize,
}

impl<'a> Record<'a> {
    /// The record id: the header's first whitespace-delimited word (empty when the header is
    /// blank).
    pub fn id(&self) -> &str {
        first_word(&self.header)
    }

    /// The whole header line without its `>` and line ending, decoded as UTF-8 with invalid
    /// bytes replaced by U+FFFD.
    pub fn header(&self) -> &str {
        &self.header
    }

    /// The sequence bytes exactly as in the file, with only the line endings (`\n`, `\r\n`)
    /// removed. Borrowed from the input buffer when the sequence is on one line, otherwise
    /// from a scratch buffer the reader reuses, so reading allocates nothing per record.
    pub fn seq(&self) -> Cow<'a, [u8]> {
        Cow::Borrowed(self.seq)
    }

    /// The 1-based line number of the header.
    pub fn line(&self) -> usize {
        self.line
    }

    /// Copies the record out of the reader's buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::fasta::Reader;
    ///
    /// let mut reader = Reader::from_reader("in.fa", &b">a\nAC\n"[..]).unwrap();
    /// let owned = reader.next_record().unwrap().unwrap().to_owned_record();
    /// assert_eq!(owned.seq(), b"AC");
    /// ```
    pub fn to_owned_record(&self) -> OwnedRecord {
        OwnedRecord {
            header: self.header.clone().into_owned(),
            seq: self.seq.to_vec(),
            line: self.line,
        }
    }
}

/// A FASTA record that owns its header and sequence.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::fasta::OwnedRecord;
///
/// let record = OwnedRecord::new("parC_1 topoisomerase IV", b"MSDMAE".to_vec());
/// assert_eq!(record.id(), "parC_1");
/// assert_eq!(record.seq(), b"MSDMAE");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRecord {
    header: String,
    seq: Vec<u8>,
    line: usize,
}

impl OwnedRecord {
    /// A record made in memory; its [`line`](Self::line) is 0 since it has no file.
    pub fn new(header: impl Into<String>, seq: Vec<u8>) -> Self {
        Self {
            header: header.into(),
            seq,
            line: 0,
        }
    }

    /// The header's first whitespace-delimited word.
    pub fn id(&self) -> &str {
        first_word(&self.header)
    }

    /// The whole header line without `>`.
    pub fn header(&self) -> &str {
        &self.header
    }

    /// The sequence bytes, line endings removed.
    pub fn seq(&self) -> &[u8] {
        &self.seq
    }

    /// The 1-based line of the header in its file (0 for records made in memory).
    pub fn line(&self) -> usize {
        self.line
    }

    /// Takes the sequence out of the record.
    pub fn into_seq(self) -> Vec<u8> {
        self.seq
    }
}

#[cfg(test)]
mod tests {
    use super::first_word;

    #[test]
    fn first_word_skips_leading_space_like_samtools() {
        assert_eq!(first_word(" a b"), "a");
        assert_eq!(first_word("a\tb"), "a");
        assert_eq!(first_word(""), "");
        assert_eq!(first_word("   "), "");
        assert_eq!(first_word("a\x0bb"), "a");
    }
}
