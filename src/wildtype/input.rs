//! Reading the pipeline's inputs: target protein files (or directories of them), the reference
//! set, gene lists. All FASTA goes through the crate's [`crate::fasta::Reader`]
//! ([`for_each_fasta_record`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::fasta::{FastaError, FastaErrorKind};
use crate::seq::strip_residues;
use crate::{Error, Result};

/// A reference-sized FASTA record with the residue rules applied: header without `>` (trimmed),
/// residues as water keeps them, 1-based line of the header.
#[derive(Debug, Clone)]
pub(crate) struct FastaRecord {
    pub header: String,
    pub residues: Vec<u8>,
    pub line: usize,
}

/// An input file as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputFile {
    /// What the file is: `targets`, `references`, `catalogue`, `gene_map`, `gene_list`.
    pub role: String,
    /// The path as given (or as found in a directory).
    pub path: PathBuf,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file's bytes (before decompression), lower-case hex.
    pub sha256: String,
}

impl InputFile {
    pub(crate) fn new(role: &str, path: &Path, bytes: &[u8]) -> Self {
        Self {
            role: role.to_owned(),
            path: path.to_owned(),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        }
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of a digest.
fn hex(digest: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    digest
        .iter()
        .flat_map(|&byte| {
            [
                DIGITS[usize::from(byte >> 4)],
                DIGITS[usize::from(byte & 0xf)],
            ]
        })
        .map(char::from)
        .collect()
}

/// Reads a whole file, recording it for the manifest.
pub(crate) fn read_input(role: &str, path: &Path) -> Result<(Vec<u8>, InputFile)> {
    let bytes = std::fs::read(path).map_err(|source| Error::io(path, source))?;
    let file = InputFile::new(role, path, &bytes);
    Ok((bytes, file))
}

/// Reads FASTA (plain or gzip) records through the crate's [`crate::fasta::Reader`], calling
/// `each` with every record's header (trimmed), residues (as the reader gives them, before the
/// residue rules of [`strip_residues`]) and 1-based header line. An empty file, or text before
/// the first header, is an error naming the file and line; so is anything the reader refuses.
pub(crate) fn for_each_fasta_record(
    path: &Path,
    bytes: impl AsRef<[u8]> + Send + 'static,
    each: impl FnMut(&str, &[u8], usize) -> Result<()>,
) -> Result<()> {
    let reader = crate::fasta::Reader::from_reader(path, std::io::Cursor::new(bytes))?;
    each_record(path, reader, each)
}

/// [`for_each_fasta_record`] streaming the file from disk, its SHA-256 computed on another
/// thread from the very bytes the parser reads; returns the file's manifest record.
pub(crate) fn for_each_fasta_record_of_file(
    role: &str,
    path: &Path,
    each: impl FnMut(&str, &[u8], usize) -> Result<()>,
) -> Result<InputFile> {
    let file = std::fs::File::open(path).map_err(|source| Error::io(path, source))?;
    let (pieces, received) = std::sync::mpsc::sync_channel::<Vec<u8>>(64);
    let checksum = std::thread::spawn(move || {
        let mut hasher = Sha256::new();
        let mut bytes = 0u64;
        for piece in received {
            hasher.update(&piece);
            bytes += piece.len() as u64;
        }
        (hex(&hasher.finalize()), bytes)
    });
    let parsed = crate::fasta::Reader::from_reader(path, Checksummed { file, pieces })
        .map_err(Error::from)
        .and_then(|reader| each_record(path, reader, each));
    // The reader is gone, and with it the sender: the checksum thread has every piece.
    let (sha256, bytes) = checksum.join().map_err(|_| Error::ThreadStopped {
        thread: "input checksum",
    })?;
    parsed?;
    Ok(InputFile {
        role: role.to_owned(),
        path: path.to_owned(),
        bytes,
        sha256,
    })
}

/// A file whose every piece read is also sent to a checksum thread.
struct Checksummed {
    file: std::fs::File,
    pieces: std::sync::mpsc::SyncSender<Vec<u8>>,
}

impl std::io::Read for Checksummed {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.file.read(buf)?;
        if read > 0 {
            // The checksum thread only stops when this sender is dropped.
            let _ = self.pieces.send(buf[..read].to_vec());
        }
        Ok(read)
    }
}

/// Hands every record of `reader` to `each`; see [`for_each_fasta_record`].
fn each_record(
    path: &Path,
    mut reader: crate::fasta::Reader,
    mut each: impl FnMut(&str, &[u8], usize) -> Result<()>,
) -> Result<()> {
    let mut any = false;
    while let Some(record) = reader.next_record() {
        let record = record.map_err(|error| explain_fasta_error(path, error))?;
        any = true;
        each(record.header().trim(), &record.seq(), record.line())?;
    }
    if !any {
        return Err(Error::Format {
            path: path.to_owned(),
            line: 1,
            message: "no FASTA records (empty file, or no '>' header)".into(),
        });
    }
    Ok(())
}

/// The pipeline's wording for text before the first header; other reader errors (binary or
/// FASTQ input, damaged gzip) keep the reader's own message, which names file and line.
fn explain_fasta_error(path: &Path, error: FastaError) -> Error {
    match error.kind() {
        FastaErrorKind::SequenceBeforeHeader => Error::Format {
            path: path.to_owned(),
            line: error.line().unwrap_or(1),
            message: "not FASTA: sequence data before the first '>' header".into(),
        },
        _ => error.into(),
    }
}

/// Reads every record of a FASTA file (plain or gzip), residues as water keeps them, recording
/// the file for the manifest.
pub(crate) fn read_fasta(role: &str, path: &Path) -> Result<(Vec<FastaRecord>, InputFile)> {
    let (bytes, file) = read_input(role, path)?;
    let mut records = Vec::new();
    for_each_fasta_record(path, bytes, |header, residues, line| {
        records.push(FastaRecord {
            header: header.to_owned(),
            residues: strip_residues(residues),
            line,
        });
        Ok(())
    })?;
    Ok((records, file))
}

/// Whether a file name looks like a target protein file: `*_proteins.fasta`, `*.faa`, either
/// optionally gzipped (`.gz`).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::is_protein_file_name;
///
/// assert!(is_protein_file_name("GCF_000005845_proteins.fasta"));
/// assert!(is_protein_file_name("sample.faa.gz"));
/// assert!(!is_protein_file_name("sample.fasta"));
/// ```
pub fn is_protein_file_name(name: &str) -> bool {
    let name = name.strip_suffix(".gz").unwrap_or(name);
    name.ends_with("_proteins.fasta") || name.ends_with(".faa")
}

/// The target files named by `paths`: files as given, directories expanded to their protein
/// files ([`is_protein_file_name`]) in name order, leaving out `references` (a reference
/// `.faa` may sit beside the targets). A directory that cannot be read or holds no protein file
/// is an error.
pub(crate) fn expand_target_paths(paths: &[PathBuf], references: &Path) -> Result<Vec<PathBuf>> {
    let references = references.canonicalize().ok();
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let mut found: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|source| Error::io(path, source))?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(|source| Error::io(path, source))?
            .into_iter()
            .filter(|p| {
                p.is_file()
                    && (references.is_none() || p.canonicalize().ok() != references)
                    && p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(is_protein_file_name)
            })
            .collect();
        if found.is_empty() {
            return Err(Error::Input {
                path: path.clone(),
                message: "no protein files (*_proteins.fasta, *.faa, optionally .gz) in directory"
                    .into(),
            });
        }
        found.sort();
        files.extend(found);
    }
    if files.is_empty() {
        return Err(Error::NoTargetFiles);
    }
    Ok(files)
}

/// One wild-type reference protein.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reference {
    /// The gene it is the wild type of.
    pub gene: String,
    /// The header's first word.
    pub id: String,
    /// The full header (without `>`), used to name the sequence as water does.
    #[serde(skip)]
    pub header: String,
    /// Residues as water keeps them.
    #[serde(skip)]
    pub residues: Vec<u8>,
    /// Number of residues.
    pub length: usize,
    /// SHA-256 of the upper-case residues, lower-case hex.
    pub sha256: String,
    /// The file it came from.
    pub file: PathBuf,
}

/// Wild-type references by gene (compared case-insensitively).
///
/// Read from one multi-FASTA whose headers' first word is the gene (`>blaTEM ...`), or from a
/// directory of `{gene}.fasta` / `{gene}.faa` files (optionally `.gz`) holding one record each.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::ReferenceSet;
///
/// let dir = std::env::temp_dir().join(format!("wta-doc-refs-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("references.faa");
/// std::fs::write(&path, ">blaTEM TEM-1\nMSIQHFRVAL\n>blaSHV\nMRYIRLCIIS\n").unwrap();
/// let references = ReferenceSet::from_path(&path).unwrap();
/// assert_eq!(references.get("BLATEM").unwrap().residues, b"MSIQHFRVAL");
/// assert!(references.get("blaKPC").is_none());
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Debug, Clone, Default)]
pub struct ReferenceSet {
    references: Vec<Reference>,
    by_gene: HashMap<String, usize>,
    files: Vec<InputFile>,
}

impl ReferenceSet {
    /// Reads references from a multi-FASTA file or a directory of per-gene files.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::wildtype::ReferenceSet;
    ///
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/wildtype/references.faa");
    /// let references = ReferenceSet::from_path(path).unwrap();
    /// let tem = references.get("blaTEM").unwrap();
    /// assert_eq!(tem.residues.len(), 286);
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let mut set = Self::default();
        if path.is_dir() {
            let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(path)
                .map_err(|source| Error::io(path, source))?
                .map(|entry| entry.map(|e| e.path()))
                .collect::<std::io::Result<Vec<_>>>()
                .map_err(|source| Error::io(path, source))?
                .into_iter()
                .filter_map(|p| {
                    let name = p.file_name()?.to_str()?;
                    let name = name.strip_suffix(".gz").unwrap_or(name);
                    let gene = name
                        .strip_suffix(".fasta")
                        .or_else(|| name.strip_suffix(".faa"))?;
                    Some((gene.to_owned(), p.clone()))
                })
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(Error::Input {
                    path: path.to_owned(),
                    message: "no reference files ({gene}.fasta or {gene}.faa) in directory".into(),
                });
            }
            for (gene, file) in files {
                let (records, input) = read_fasta("references", &file)?;
                if records.len() > 1 {
                    return Err(Error::Format {
                        path: file,
                        line: records[1].line,
                        message: format!(
                            "expected one reference record for {gene}, found {}",
                            records.len()
                        ),
                    });
                }
                set.files.push(input);
                set.add(gene, &records[0], &file)?;
            }
        } else {
            let (records, input) = read_fasta("references", path)?;
            set.files.push(input);
            for record in &records {
                let gene = record
                    .header
                    .split_ascii_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_owned();
                set.add(gene, record, path)?;
            }
        }
        Ok(set)
    }

    fn add(&mut self, gene: String, record: &FastaRecord, file: &Path) -> Result<()> {
        let bad = |message: String| Error::Format {
            path: file.to_owned(),
            line: record.line,
            message,
        };
        if gene.is_empty() {
            return Err(bad("reference header has no gene name".into()));
        }
        if record.residues.is_empty() {
            return Err(bad(format!("reference {gene} has no residues")));
        }
        if let Some(&first) = self.by_gene.get(&gene.to_ascii_lowercase()) {
            return Err(bad(format!(
                "reference gene {gene} repeats {} (gene names are compared case-insensitively)",
                self.references[first].gene
            )));
        }
        self.by_gene
            .insert(gene.to_ascii_lowercase(), self.references.len());
        self.references.push(Reference {
            id: record
                .header
                .split_ascii_whitespace()
                .next()
                .unwrap_or("")
                .to_owned(),
            header: record.header.clone(),
            length: record.residues.len(),
            sha256: sha256_hex(&record.residues.to_ascii_uppercase()),
            residues: record.residues.clone(),
            file: file.to_owned(),
            gene,
        });
        Ok(())
    }

    /// The reference of `gene` (case-insensitive).
    pub fn get(&self, gene: &str) -> Option<&Reference> {
        self.index_of(gene).map(|index| &self.references[index])
    }

    pub(crate) fn index_of(&self, gene: &str) -> Option<usize> {
        // Gene names are short: lower-cased on the stack, not in a new string per target.
        let mut buffer = [0u8; 64];
        match buffer.get_mut(..gene.len()) {
            Some(lower) => {
                lower.copy_from_slice(gene.as_bytes());
                lower.make_ascii_lowercase();
                let lower = std::str::from_utf8(lower).expect("ASCII case change keeps UTF-8");
                self.by_gene.get(lower).copied()
            }
            None => self.by_gene.get(&gene.to_ascii_lowercase()).copied(),
        }
    }

    /// All references, in input order.
    pub fn references(&self) -> &[Reference] {
        &self.references
    }

    /// The files read.
    pub fn files(&self) -> &[InputFile] {
        &self.files
    }
}

/// Reads a gene list: a file with one gene per line (`#` comments and blank lines skipped,
/// anything after the first whitespace ignored), or, when `value` is not a file, a
/// comma-separated list. Returns the genes and, for a file, its manifest record.
pub(crate) fn read_gene_list(value: &str) -> Result<(Vec<String>, Option<InputFile>)> {
    let path = Path::new(value);
    if path.is_file() {
        let (bytes, file) = read_input("gene_list", path)?;
        let text = String::from_utf8_lossy(&bytes);
        let genes: Vec<String> = text
            .lines()
            .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
            .filter_map(|line| line.split_ascii_whitespace().next().map(str::to_owned))
            .collect();
        if genes.is_empty() {
            return Err(Error::Input {
                path: path.to_owned(),
                message: "gene list is empty".into(),
            });
        }
        return Ok((genes, Some(file)));
    }
    let genes: Vec<String> = value
        .split(',')
        .map(str::trim)
        .filter(|gene| !gene.is_empty())
        .map(str::to_owned)
        .collect();
    if genes.is_empty() {
        return Err(Error::EmptyGeneList {
            given: value.to_owned(),
        });
    }
    Ok((genes, None))
}

#[cfg(test)]
mod tests {
    use super::read_gene_list;
    use crate::Error;

    #[test]
    fn gene_lists_split_on_commas_and_refuse_an_empty_one() {
        let (genes, file) = read_gene_list("blaTEM, blaCTX-M").unwrap();
        assert_eq!(genes, ["blaTEM", "blaCTX-M"]);
        assert!(file.is_none());
        assert!(matches!(
            read_gene_list(" , "),
            Err(Error::EmptyGeneList { given }) if given == " , "
        ));
    }
}
