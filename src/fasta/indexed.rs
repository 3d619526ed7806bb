//! Random access to an indexed FASTA file through a memory map.

use std::borrow::Cow;
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::error::Result;
use super::error::{FastaError, FastaErrorKind};
use super::fai::{self, Index};
use super::mmap::FileBytes;
use super::region::Region;

/// What to do when the `.fai` index does not match the FASTA file (the FASTA is newer, or
/// the index describes bytes the file does not have).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StaleIndex {
    /// Build a fresh index (and write it, when [`OpenOptions::write_index`] allows).
    #[default]
    Rebuild,
    /// Refuse with [`FastaErrorKind::StaleIndex`].
    Refuse,
}

/// How [`IndexedFasta`] opens a file.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::fasta::{IndexedFasta, StaleIndex};
///
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("refs.fa");
/// std::fs::write(&path, ">a\nMKV\n").unwrap();
/// let fasta = IndexedFasta::options()
///     .write_index(false)
///     .stale_index(StaleIndex::Refuse)
///     .memory_map(false)
///     .open(&path)
///     .unwrap();
/// assert_eq!(&fasta.fetch("a").unwrap()[..], b"MKV");
/// assert!(!dir.path().join("refs.fa.fai").exists());
/// ```
#[derive(Debug, Clone)]
pub struct OpenOptions {
    stale: StaleIndex,
    write_index: bool,
    memory_map: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            stale: StaleIndex::Rebuild,
            write_index: true,
            memory_map: true,
        }
    }
}

impl OpenOptions {
    /// What to do with a stale index (default: rebuild).
    pub fn stale_index(mut self, policy: StaleIndex) -> Self {
        self.stale = policy;
        self
    }

    /// Whether a built index is written next to the FASTA as `FILE.fai`, as samtools does
    /// (default: yes; a failure to write, in a read-only directory say, is not an error).
    pub fn write_index(mut self, yes: bool) -> Self {
        self.write_index = yes;
        self
    }

    /// Whether the file is memory-mapped (default) or read into memory.
    pub fn memory_map(mut self, yes: bool) -> Self {
        self.memory_map = yes;
        self
    }

    /// Opens `path`, using `path.fai` when it is present and current, building it otherwise.
    pub fn open(&self, path: impl AsRef<Path>) -> Result<IndexedFasta> {
        let path = path.as_ref();
        let mut file = File::open(path).map_err(|e| FastaError::io(path, e))?;
        let bytes = if self.memory_map {
            FileBytes::map(&file, path)?
        } else {
            FileBytes::read(&mut file, path)?
        };
        let data = bytes.as_slice();
        fai::refuse_compressed(path, &data[..data.len().min(8)])?;

        let fai_path = Index::path_for(path);
        let existing = match std::fs::metadata(&fai_path) {
            Ok(_) => Some(Index::read_from_path(&fai_path)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(FastaError::io(&fai_path, e)),
        };
        let index = match existing {
            Some(index) => match staleness(path, &fai_path, &index, data) {
                None => index,
                Some(reason) if self.stale == StaleIndex::Refuse => {
                    return Err(FastaError::new(
                        &fai_path,
                        FastaErrorKind::StaleIndex { reason },
                    ));
                }
                Some(_) => self.build(path, data, &fai_path)?,
            },
            None => self.build(path, data, &fai_path)?,
        };
        Ok(IndexedFasta {
            path: path.to_path_buf(),
            bytes,
            index,
        })
    }

    fn build(&self, path: &Path, data: &[u8], fai_path: &Path) -> Result<Index> {
        let index = Index::build_from_reader(path, data)?;
        if self.write_index {
            // Best effort: an index we cannot save still serves this process.
            let _ = index.write_to_path(fai_path);
        }
        Ok(index)
    }
}

/// Why `index` does not describe `data` (the bytes of `fasta`), or `None` when it does.
fn staleness(fasta: &Path, fai_path: &Path, index: &Index, data: &[u8]) -> Option<String> {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let (Some(fasta_time), Some(fai_time)) = (modified(fasta), modified(fai_path))
        && fasta_time > fai_time
    {
        return Some(format!("{} is newer than its index", fasta.display()));
    }
    let len = data.len() as u64;
    let mut last_end = 0;
    for record in index.records() {
        let span = record.byte_span(0..record.length());
        if span.end > len {
            return Some(format!(
                "record '{}' ends at byte {} but the file has {len} bytes",
                record.name(),
                span.end
            ));
        }
        let header_ends = record.offset() > 0 && data[record.offset() as usize - 1] == b'\n';
        if !header_ends {
            return Some(format!(
                "record '{}' does not start after a header line at byte {}",
                record.name(),
                record.offset()
            ));
        }
        last_end = last_end.max(span.end);
    }
    let trailing = &data[last_end as usize..];
    if let Some(extra) = trailing.iter().position(|b| !b.is_ascii_whitespace()) {
        return Some(format!(
            "the file has data after its last indexed record (byte {})",
            last_end as usize + extra
        ));
    }
    None
}

/// A FASTA file with its `.fai` index, memory-mapped for random access by name.
///
/// Fetches borrow from the map when the bases lie on one line and copy once otherwise.
/// `IndexedFasta` is `Send + Sync`: share one across threads.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::fasta::IndexedFasta;
/// use std::borrow::Cow;
///
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("refs.fa");
/// std::fs::write(&path, ">gyrA_1\nMSDLAREITPVNIEEELK\n>parC_1\nMSDMA\nERLAL\n").unwrap();
/// let fasta = IndexedFasta::open(&path).unwrap(); // writes refs.fa.fai
/// assert!(matches!(fasta.fetch("gyrA_1").unwrap(), Cow::Borrowed(b"MSDLAREITPVNIEEELK")));
/// assert_eq!(&fasta.fetch_range("parC_1", 3..7).unwrap()[..], b"MAER");
/// let names: Vec<_> = fasta.names().collect();
/// assert_eq!(names, ["gyrA_1", "parC_1"]);
/// ```
#[derive(Debug)]
pub struct IndexedFasta {
    path: PathBuf,
    bytes: FileBytes,
    index: Index,
}

impl IndexedFasta {
    /// Opens a FASTA file with default [`OpenOptions`]: use `FILE.fai` when current, build
    /// (and write) it when missing or stale. Gzip input is refused.
    ///
    /// # Errors
    ///
    /// A [`FastaError`] naming the file (and line, where there is one): unreadable, gzip, or
    /// not indexable as samtools would refuse it.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::fasta::IndexedFasta;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("refs.fa");
    /// std::fs::write(&path, ">gyrA\nMSDLAREITP\nVNIEEELK\n").unwrap();
    /// let fasta = IndexedFasta::open(&path).unwrap();
    /// assert_eq!(fasta.names().collect::<Vec<_>>(), ["gyrA"]);
    /// assert!(dir.path().join("refs.fa.fai").exists());
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<IndexedFasta> {
        OpenOptions::default().open(path)
    }

    /// Options for opening.
    pub fn options() -> OpenOptions {
        OpenOptions::default()
    }

    /// The FASTA file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The index in use.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Sequence names in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.index.records().iter().map(|r| r.name())
    }

    /// `(name, length)` pairs in file order.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::fasta::IndexedFasta;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("refs.fa");
    /// std::fs::write(&path, ">a\nMK\nV\n").unwrap();
    /// let fasta = IndexedFasta::open(&path).unwrap();
    /// assert_eq!(fasta.lengths().collect::<Vec<_>>(), [("a", 3)]);
    /// assert_eq!(fasta.length("a"), Some(3));
    /// ```
    pub fn lengths(&self) -> impl Iterator<Item = (&str, u64)> {
        self.index.records().iter().map(|r| (r.name(), r.length()))
    }

    /// The length of one sequence.
    pub fn length(&self, name: &str) -> Option<u64> {
        self.index.get(name).map(|r| r.length())
    }

    fn record(&self, name: &str) -> Result<&fai::Record> {
        self.index
            .get(name)
            .ok_or_else(|| FastaError::new(&self.path, FastaErrorKind::UnknownName).in_record(name))
    }

    /// A whole sequence, borrowed from the mapped file when it sits on one line.
    ///
    /// # Errors
    ///
    /// [`crate::fasta::FastaErrorKind::UnknownName`] for a name the index lacks.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::fasta::{FastaErrorKind, IndexedFasta};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("refs.fa");
    /// std::fs::write(&path, ">gyrA\nMSDLAREITP\nVNIEEELK\n>parC\nMSDMAERLAL\n").unwrap();
    /// let fasta = IndexedFasta::open(&path).unwrap();
    /// assert_eq!(&fasta.fetch("gyrA").unwrap()[..], b"MSDLAREITPVNIEEELK");
    /// assert_eq!(*fasta.fetch("gyrB").unwrap_err().kind(), FastaErrorKind::UnknownName);
    /// ```
    pub fn fetch(&self, name: &str) -> Result<Cow<'_, [u8]>> {
        let record = self.record(name)?;
        self.fetch_bases(record, 0..record.length())
    }

    /// Bases `range` (0-based, half-open) of a sequence; the range must lie inside it.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::fasta::IndexedFasta;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("refs.fa");
    /// std::fs::write(&path, ">a\nMKV\n").unwrap();
    /// let fasta = IndexedFasta::open(&path).unwrap();
    /// assert_eq!(&fasta.fetch_range("a", 1..3).unwrap()[..], b"KV");
    /// assert!(fasta.fetch_range("a", 1..4).is_err());
    /// ```
    pub fn fetch_range(&self, name: &str, range: Range<u64>) -> Result<Cow<'_, [u8]>> {
        let record = self.record(name)?;
        if range.start > range.end || range.end > record.length() {
            let kind = FastaErrorKind::RangeOutOfBounds {
                start: range.start,
                end: range.end,
                len: record.length(),
            };
            return Err(FastaError::new(&self.path, kind).in_record(name));
        }
        self.fetch_bases(record, range)
    }

    /// A region as samtools fetches it: positions past the end are clamped to the sequence
    /// (so the result may be shorter than asked, or empty).
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::fasta::{IndexedFasta, Region};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("refs.fa");
    /// std::fs::write(&path, ">a\nMKVLA\n").unwrap();
    /// let fasta = IndexedFasta::open(&path).unwrap();
    /// let region = Region::parse("a:4-100", fasta.index()).unwrap();
    /// assert_eq!(&fasta.fetch_region(&region).unwrap()[..], b"LA");
    /// ```
    pub fn fetch_region(&self, region: &Region) -> Result<Cow<'_, [u8]>> {
        let record = self.record(region.name())?;
        let len = record.length();
        let end = region.end().unwrap_or(len).min(len);
        let start = region.start().min(end);
        self.fetch_bases(record, start..end)
    }

    /// Copies nothing when `range` lies on one line of bases, otherwise copies the bases
    /// line by line; bytes that samtools would not count as bases (spaces, `\r`) are left out.
    /// Every slice stays inside `span`, which is checked against the file's length first.
    fn fetch_bases(&self, record: &fai::Record, range: Range<u64>) -> Result<Cow<'_, [u8]>> {
        let data = self.bytes.as_slice();
        let span = record.byte_span(range.clone());
        let changed = || -> FastaError {
            FastaError::new(
                &self.path,
                FastaErrorKind::StaleIndex {
                    reason: format!(
                        "bytes {}..{} are beyond the end of the file ({} bytes); the file changed",
                        span.start,
                        span.end,
                        data.len()
                    ),
                },
            )
            .in_record(record.name())
        };
        if span.end > data.len() as u64 {
            return Err(changed());
        }
        let bytes = &data[span.start as usize..span.end as usize];
        let is_base = |b: &u8| (0x21..=0x7e).contains(b);
        if range.is_empty() || (record.on_one_line(&range) && bytes.iter().all(is_base)) {
            return Ok(Cow::Borrowed(bytes));
        }
        let want = (range.end - range.start) as usize;
        let mut seq = Vec::with_capacity(want);
        let mut pos = range.start;
        while pos < range.end {
            let on_line = record.line_bases().max(1);
            let take = (on_line - pos % on_line).min(range.end - pos);
            let at = record.position(pos) as usize;
            seq.extend_from_slice(&data[at..at + take as usize]);
            pos += take;
        }
        if !seq.iter().all(is_base) {
            // Spaces or stray bytes inside lines: read on as samtools does, keeping only
            // bases, until enough are found.
            seq.clear();
            seq.extend(
                data[span.start as usize..]
                    .iter()
                    .copied()
                    .filter(is_base)
                    .take(want),
            );
            if seq.len() != want {
                return Err(changed());
            }
        }
        Ok(Cow::Owned(seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<IndexedFasta>();
    }
}
