//! A whole `.fai` index: building, reading, writing and looking up by name.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use super::build;
use super::record::Record;
use crate::fasta::error::Result;
use crate::fasta::error::{FastaError, FastaErrorKind};
use crate::fasta::input::{self, Compression};
use crate::staged::{StagedError, StagedFile};

/// A `.fai` index as `samtools faidx` writes it.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::fasta::fai::Index;
///
/// let fasta = b">gyrA_1 DNA gyrase\nMSDLAR\nEITP\n>parC_1\r\nMSD\r\n";
/// let index = Index::build_from_reader("refs.fa", &fasta[..]).unwrap();
/// let mut fai = Vec::new();
/// index.write(&mut fai).unwrap();
/// assert_eq!(fai, b"gyrA_1\t10\t19\t6\t7\nparC_1\t3\t40\t3\t5\n");
/// assert_eq!(index.get("parC_1").unwrap().length(), 3);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Index {
    records: Vec<Record>,
    by_name: HashMap<String, usize>,
    warnings: Vec<String>,
}

/// Options for building an index.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::fasta::fai::Index;
///
/// let fasta = &b">a\nMK\n>a\nLV\n"[..];
/// assert_eq!(Index::build_from_reader("x.fa", fasta).unwrap().len(), 1); // samtools keeps the first
/// let strict = Index::builder().reject_duplicate_names(true);
/// assert!(strict.build_from_reader("x.fa", fasta).is_err());
/// ```
#[derive(Debug, Clone, Default)]
pub struct IndexBuilder {
    reject_duplicate_names: bool,
}

impl IndexBuilder {
    /// Makes a repeated name an error instead of samtools' warning (which keeps the first).
    pub fn reject_duplicate_names(mut self, yes: bool) -> Self {
        self.reject_duplicate_names = yes;
        self
    }

    /// Builds the index of a FASTA file; gzip input is refused.
    pub fn build_from_path(&self, path: impl AsRef<Path>) -> Result<Index> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| FastaError::io(path, e))?;
        let mut reader = BufReader::with_capacity(256 * 1024, file);
        let prefix = reader.fill_buf().map_err(|e| FastaError::io(path, e))?;
        refuse_compressed(path, prefix)?;
        self.build_from_reader(path, reader)
    }

    /// Builds the index of FASTA text; `name` is used in messages.
    pub fn build_from_reader(&self, name: impl AsRef<Path>, input: impl BufRead) -> Result<Index> {
        let built = build::build(name.as_ref(), input, self.reject_duplicate_names)?;
        let mut index = Index::from_records(built.records);
        index.warnings = built.warnings;
        Ok(index)
    }
}

/// Refuses input whose first bytes say it is compressed.
pub(crate) fn refuse_compressed(path: &Path, prefix: &[u8]) -> Result<()> {
    match input::sniff(prefix) {
        Ok(Compression::None) => Ok(()),
        Ok(Compression::Gzip) => Err(FastaError::new(path, FastaErrorKind::GzipNotIndexable)),
        Err(what) => Err(FastaError::new(path, FastaErrorKind::Binary { what }).at_line(1)),
    }
}

impl Index {
    /// An index of these records; a repeated name keeps its first record, as samtools does
    /// when it reads an index.
    pub fn from_records(records: Vec<Record>) -> Self {
        let mut index = Index::default();
        for record in records {
            if !index.by_name.contains_key(record.name()) {
                index
                    .by_name
                    .insert(record.name().to_string(), index.records.len());
                index.records.push(record);
            } else {
                index.warnings.push(format!(
                    "ignoring duplicate sequence \"{}\" at byte offset {}",
                    record.name(),
                    record.offset()
                ));
            }
        }
        index
    }

    /// Options for building.
    pub fn builder() -> IndexBuilder {
        IndexBuilder::default()
    }

    /// Builds the index of a FASTA file as `samtools faidx` would.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::fasta::fai::Index;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let fasta = dir.path().join("refs.fa");
    /// std::fs::write(&fasta, ">a\nACGT\nAC\n").unwrap();
    /// let index = Index::build_from_path(&fasta).unwrap();
    /// assert_eq!(index.records()[0].to_string(), "a\t6\t3\t4\t5");
    /// ```
    pub fn build_from_path(path: impl AsRef<Path>) -> Result<Index> {
        IndexBuilder::default().build_from_path(path)
    }

    /// Builds the index of FASTA text as `samtools faidx` would; `name` is used in messages.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::fasta::fai::Index;
    ///
    /// let err = Index::build_from_reader("x.fa", &b">a\nACG\nACGT\n"[..]).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "x.fa: line 3: record 'a': different line length in sequence \
    ///      (all lines but the last must be equally long)"
    /// );
    /// ```
    pub fn build_from_reader(name: impl AsRef<Path>, input: impl BufRead) -> Result<Index> {
        IndexBuilder::default().build_from_reader(name, input)
    }

    /// Reads a `.fai` file.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::fasta::fai::Index;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let fai = dir.path().join("refs.fa.fai");
    /// std::fs::write(&fai, "a\t6\t3\t4\t5\n").unwrap();
    /// assert_eq!(Index::read_from_path(&fai).unwrap().get("a").unwrap().offset(), 3);
    /// ```
    pub fn read_from_path(path: impl AsRef<Path>) -> Result<Index> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| FastaError::io(path, e))?;
        Self::read(path, BufReader::new(file))
    }

    /// Reads `.fai` text; `name` is used in messages.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::fasta::fai::Index;
    ///
    /// let err = Index::read("x.fai", &b"a\t6\t3\t4\n"[..]).unwrap_err();
    /// assert!(err.to_string().starts_with("x.fai: line 1: record 'a': bad index line"));
    /// ```
    pub fn read(name: impl AsRef<Path>, mut input: impl Read) -> Result<Index> {
        let name = name.as_ref();
        let mut text = Vec::new();
        input
            .read_to_end(&mut text)
            .map_err(|e| FastaError::io(name, e))?;
        let mut records = Vec::new();
        for (n, line) in text.split_inclusive(|&b| b == b'\n').enumerate() {
            records.push(parse_line(line).map_err(|(record, reason)| {
                let error =
                    FastaError::new(name, FastaErrorKind::BadIndexLine { reason }).at_line(n + 1);
                match record {
                    Some(record) => error.in_record(record),
                    None => error,
                }
            })?);
        }
        Ok(Self::from_records(records))
    }

    /// Writes the index as samtools does: five tab-separated columns, `\n` line endings.
    pub fn write(&self, mut output: impl Write) -> std::io::Result<()> {
        let mut text = String::with_capacity(self.records.len() * 48);
        for record in &self.records {
            use std::fmt::Write as _;
            let _ = writeln!(text, "{record}");
        }
        output.write_all(text.as_bytes())
    }

    /// Writes the index to `path` through a temporary file renamed into place, so a reader
    /// never sees half an index.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::fasta::fai::Index;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let index = Index::build_from_reader("x.fa", &b">a\nAC\n"[..]).unwrap();
    /// index.write_to_path(dir.path().join("x.fa.fai")).unwrap();
    /// assert_eq!(std::fs::read(dir.path().join("x.fa.fai")).unwrap(), b"a\t2\t3\t2\t3\n");
    /// ```
    pub fn write_to_path(&self, path: impl AsRef<Path>) -> Result<()> {
        let staged = |error: StagedError| match error {
            StagedError::Io { path, source } => FastaError::io(path, source),
            other => FastaError::io(path.as_ref(), std::io::Error::other(other.to_string())),
        };
        let mut file = StagedFile::create(path.as_ref()).map_err(staged)?;
        self.write(&mut file)
            .map_err(|source| FastaError::io(path.as_ref(), source))?;
        file.commit().map_err(staged)
    }

    /// The `.fai` path samtools uses for a FASTA file: its name with `.fai` appended.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::fasta::fai::Index;
    ///
    /// assert_eq!(Index::path_for("db/refs.fa"), std::path::Path::new("db/refs.fa.fai"));
    /// ```
    pub fn path_for(fasta: impl AsRef<Path>) -> PathBuf {
        let mut name: OsString = fasta.as_ref().as_os_str().to_owned();
        name.push(".fai");
        PathBuf::from(name)
    }

    /// The records in file order.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The record of this name.
    pub fn get(&self, name: &str) -> Option<&Record> {
        self.by_name.get(name).map(|&i| &self.records[i])
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the index has no records.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// What samtools would have warned about while building or reading (records left out
    /// because they are empty or their name repeats).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

/// Parses `NAME\tLENGTH\tOFFSET\tLINEBASES\tLINEWIDTH`, the line ending included.
fn parse_line(line: &[u8]) -> std::result::Result<Record, (Option<String>, String)> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let text = std::str::from_utf8(line).map_err(|_| (None, "not UTF-8".to_string()))?;
    let mut columns = text.split('\t');
    // samtools writes an empty name for a header of only whitespace, and reads it back.
    let name = columns.next().unwrap_or("");
    let named = |reason: String| (Some(name.to_string()), reason);
    let numbers: Vec<&str> = columns.collect();
    match numbers.len() {
        4 => {}
        5 => return Err(named("6 columns: this looks like a FASTQ index".into())),
        n => return Err(named(format!("expected 5 columns, found {}", n + 1))),
    }
    let mut values = [0u64; 4];
    for (value, column) in values.iter_mut().zip(&numbers) {
        *value = column
            .parse()
            .map_err(|_| named(format!("'{column}' is not a non-negative integer")))?;
    }
    let [length, offset, line_bases, line_width] = values;
    if line_bases > line_width {
        return Err(named(format!(
            "line bases ({line_bases}) exceed line width ({line_width})"
        )));
    }
    if line_bases == 0 && length > 0 {
        return Err(named("zero line bases for a non-empty sequence".into()));
    }
    let record = Record::new(name, length, offset, line_bases, line_width);
    // No file is that long; refusing here keeps LENGTH from driving any later arithmetic.
    if record.checked_end().is_none() {
        return Err(named(format!(
            "a sequence of {length} bases at offset {offset} would end beyond byte 2^64"
        )));
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `fasta_reader` fuzz target: LENGTH and OFFSET whose span passes 2^64 bytes
    /// were accepted, and the wrapped offsets could then pass the staleness check.
    #[test]
    fn index_lines_ending_beyond_u64_are_refused() {
        let err = Index::read("x.fai", &b"x\t18446744073709551615\t3\t60\t61\n"[..]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.fai: line 1: record 'x': bad index line: a sequence of 18446744073709551615 bases \
             at offset 3 would end beyond byte 2^64"
        );
        assert!(Index::read("x.fai", &b"x\t1\t18446744073709551615\t1\t2\n"[..]).is_err());
        let largest = Index::read("x.fai", &b"x\t1\t18446744073709551614\t1\t2\n"[..]).unwrap();
        assert_eq!(largest.len(), 1);
    }
}
