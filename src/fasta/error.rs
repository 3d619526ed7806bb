//! What can go wrong reading FASTA, `.fai` indexes and regions, with where it went wrong.

use std::fmt;
use std::path::{Path, PathBuf};

/// Which FASTA problem a [`FastaError`] reports.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::fasta::{FastaErrorKind, Reader};
///
/// let mut reader = Reader::from_reader("in.fa", &b"ACGT\n>a\nAC\n"[..]).unwrap();
/// match reader.next_record() {
///     Some(Err(e)) => {
///         assert_eq!(*e.kind(), FastaErrorKind::SequenceBeforeHeader);
///         assert_eq!(e.line(), Some(1));
///     }
///     _ => unreachable!(),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FastaErrorKind {
    /// Reading the file (or writing an index) failed; [`std::error::Error::source`] gives the
    /// operating system's error.
    Io,
    /// A line of sequence (or anything but a header or a blank line) comes before the first
    /// `>` header.
    SequenceBeforeHeader,
    /// A record has sequence lines but they hold no residues (only blank lines). An error only
    /// when the caller asks for [`crate::fasta::ReaderOptions::require_nonempty`].
    EmptySequence,
    /// A header is followed directly by another header or by the end of the file. An error
    /// for the streaming reader only with `require_nonempty`; always one for the last record
    /// when building a `.fai` index, as samtools refuses it.
    HeaderWithoutSequence,
    /// A record id (the header's first word) was seen before.
    DuplicateId {
        /// 1-based line of the first header with this id.
        first_line: usize,
    },
    /// The gzip stream ends before its end marker.
    TruncatedGzip,
    /// The gzip stream is damaged (bad checksum, bad deflate data).
    CorruptGzip,
    /// The input looks binary, not like text FASTA.
    Binary {
        /// What was seen ("a NUL byte", "bzip2-compressed data", ...).
        what: &'static str,
    },
    /// The input looks like FASTQ (it starts with `@`).
    Fastq,
    /// The input starts with a byte-order mark: UTF-8's `EF BB BF` (which editors on Windows
    /// write) or UTF-16's `FF FE` / `FE FF`.
    ByteOrderMark {
        /// `UTF-8` or `UTF-16`.
        what: &'static str,
    },
    /// Lines end in a carriage return alone (classic Mac OS), so the whole input would be one
    /// line.
    CarriageReturnLineEndings,
    /// Bytes that are not gzip follow the end of the gzip data.
    TrailingGzipData {
        /// Where they start: the 0-based byte offset in the (compressed) file.
        offset: u64,
    },
    /// A line starting with `;` (a comment in old FASTA files): an error only when the caller
    /// asks for [`crate::fasta::ReaderOptions::reject_comments`].
    CommentLine,
    /// A sequence line is longer than the record's first line, or follows a shorter one: a
    /// `.fai` index can describe only records whose lines (all but the last) are equally long.
    RaggedLines,
    /// A byte that cannot start a line where it stands (after a blank line inside a record,
    /// say), as samtools reports it.
    UnexpectedByte {
        /// The offending byte.
        byte: u8,
    },
    /// A carriage return not followed by a line feed on an otherwise blank line.
    LoneCarriageReturn,
    /// When building a `.fai` index: the record's first sequence line holds no bases (only
    /// spaces or control bytes) but later lines do, so the index cannot locate them. samtools
    /// writes such an index (LINEBASES 0) and then crashes fetching from it; we refuse instead.
    NoBasesOnFirstLine,
    /// The input holds no record at all.
    NoRecords,
    /// A `.fai` line cannot be understood.
    BadIndexLine {
        /// What is wrong with it.
        reason: String,
    },
    /// The `.fai` index does not describe the FASTA file as it is now.
    StaleIndex {
        /// Why the index is judged stale.
        reason: String,
    },
    /// Gzip-compressed FASTA cannot be indexed or memory-mapped.
    GzipNotIndexable,
    /// No record of this name is in the index.
    UnknownName,
    /// A region string cannot be parsed or names nothing.
    BadRegion {
        /// What is wrong with it.
        reason: String,
    },
    /// A 0-based range does not lie inside the record.
    RangeOutOfBounds {
        /// Requested start (0-based).
        start: u64,
        /// Requested end (exclusive).
        end: u64,
        /// The record's length.
        len: u64,
    },
}

impl fmt::Display for FastaErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io => f.write_str("input/output error"),
            Self::SequenceBeforeHeader => f.write_str("sequence before any '>' header"),
            Self::EmptySequence => f.write_str("empty sequence"),
            Self::HeaderWithoutSequence => f.write_str("header without sequence"),
            Self::DuplicateId { first_line } => {
                write!(f, "duplicate id (first seen at line {first_line})")
            }
            Self::TruncatedGzip => f.write_str("truncated gzip data (unexpected end of file)"),
            Self::CorruptGzip => f.write_str("corrupt gzip data"),
            Self::Binary { what } => write!(f, "binary input given as FASTA ({what})"),
            Self::Fastq => f.write_str("FASTQ input given as FASTA (starts with '@')"),
            Self::ByteOrderMark { what } => write!(
                f,
                "the file starts with a {what} byte-order mark; save it as plain ASCII or UTF-8 \
                 without a byte-order mark"
            ),
            Self::CarriageReturnLineEndings => f.write_str(
                "lines end in a carriage return alone (classic Mac OS line endings); convert \
                 them to line feeds, e.g. tr '\\r' '\\n'",
            ),
            Self::TrailingGzipData { offset } => write!(
                f,
                "data after the end of the gzip data, from byte {offset} of the file (not a \
                 further gzip member); the file is damaged or was appended to"
            ),
            Self::CommentLine => f.write_str(
                "a line starting with ';' (an old-style FASTA comment); remove comment lines",
            ),
            Self::RaggedLines => f.write_str(
                "different line length in sequence (all lines but the last must be equally long)",
            ),
            Self::UnexpectedByte { byte } => {
                if byte.is_ascii_graphic() || *byte == b' ' {
                    write!(f, "format error, unexpected \"{}\"", *byte as char)
                } else {
                    write!(f, "format error, unexpected character 0x{byte:02x}")
                }
            }
            Self::LoneCarriageReturn => {
                f.write_str("format error, carriage return not followed by new line")
            }
            Self::NoBasesOnFirstLine => f.write_str(
                "the first sequence line holds no bases, so an index cannot locate the others",
            ),
            Self::NoRecords => f.write_str("no FASTA records"),
            Self::BadIndexLine { reason } => write!(f, "bad index line: {reason}"),
            Self::StaleIndex { reason } => write!(f, "stale index: {reason}"),
            Self::GzipNotIndexable => f.write_str(
                "gzip-compressed FASTA cannot be indexed or memory-mapped; decompress it first",
            ),
            Self::UnknownName => f.write_str("no such sequence in the index"),
            Self::BadRegion { reason } => write!(f, "bad region: {reason}"),
            Self::RangeOutOfBounds { start, end, len } => write!(
                f,
                "range {start}..{end} is outside the sequence (length {len})"
            ),
        }
    }
}

/// A FASTA problem with the file, line and record where it happened.
///
/// The FASTA layer's error (the crate's [`crate::Error::Fasta`] carries it); the message reads
/// `FILE: line N: record 'ID': what is wrong`, leaving out the parts that are unknown.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::fasta::Reader;
///
/// let mut reader = Reader::from_reader("in.fa", &b"@r1\nACGT\n+\nIIII\n"[..]).unwrap();
/// let err = reader.next_record().unwrap().unwrap_err();
/// assert_eq!(err.to_string(), "in.fa: line 1: FASTQ input given as FASTA (starts with '@')");
/// ```
#[derive(Debug)]
pub struct FastaError {
    path: PathBuf,
    line: Option<usize>,
    record: Option<String>,
    kind: FastaErrorKind,
    source: Option<std::io::Error>,
}

impl FastaError {
    pub(crate) fn new(path: impl Into<PathBuf>, kind: FastaErrorKind) -> Self {
        Self {
            path: path.into(),
            line: None,
            record: None,
            kind,
            source: None,
        }
    }

    /// An I/O error on `path`; displays as `PATH: the operating system's message`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::new(path, FastaErrorKind::Io).caused_by(source)
    }

    pub(crate) fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    pub(crate) fn in_record(mut self, record: impl Into<String>) -> Self {
        self.record = Some(record.into());
        self
    }

    pub(crate) fn caused_by(mut self, source: std::io::Error) -> Self {
        self.source = Some(source);
        self
    }

    /// The file (or the name given for a stream) where the problem is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The 1-based line, when known.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// The record id (or index name), when known.
    pub fn record(&self) -> Option<&str> {
        self.record.as_deref()
    }

    /// Which problem this is.
    pub fn kind(&self) -> &FastaErrorKind {
        &self.kind
    }
}

impl fmt::Display for FastaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let (FastaErrorKind::Io, Some(source)) = (&self.kind, &self.source) {
            return write!(f, ": {source}");
        }
        if let Some(line) = self.line {
            write!(f, ": line {line}")?;
        }
        if let Some(record) = &self.record {
            write!(f, ": record '{record}'")?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl std::error::Error for FastaError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// The FASTA layer's result type.
pub(crate) type Result<T, E = FastaError> = std::result::Result<T, E>;
