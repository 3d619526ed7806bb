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

use super::genome::{GeneKind, ProteinReference, Species};
use super::warning::{WarningKind, Warnings};

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
pub(crate) fn hex(digest: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * digest.len());
    for &byte in digest {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    out
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
    let reader = pipeline_reader_options().from_reader(path, std::io::Cursor::new(bytes))?;
    each_record(path, reader, each)
}

/// What the pipeline's FASTA reader refuses beyond the format: `;` comment lines, which water
/// would read as residues (their letters would become part of the protein).
fn pipeline_reader_options() -> crate::fasta::ReaderOptions {
    crate::fasta::ReaderOptions::new().reject_comments(true)
}

/// Whether `path` names standard input (`-`).
pub(crate) fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// [`for_each_fasta_record`] streaming the file from disk (standard input for `-`), its
/// SHA-256 computed on another thread from the very bytes the parser reads; returns the file's
/// manifest record.
pub(crate) fn for_each_fasta_record_of_file(
    role: &str,
    path: &Path,
    each: impl FnMut(&str, &[u8], usize) -> Result<()>,
) -> Result<InputFile> {
    let file: Box<dyn std::io::Read + Send> = if is_stdin(path) {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(|source| Error::io(path, source))?)
    };
    let (pieces, received) = std::sync::mpsc::sync_channel::<Vec<u8>>(64);
    // Hashed pieces come back to be filled again: no fresh memory per read.
    let (recycle, spare) = std::sync::mpsc::channel::<Vec<u8>>();
    let checksum = std::thread::spawn(move || {
        let mut hasher = Sha256::new();
        let mut bytes = 0u64;
        for piece in received {
            hasher.update(&piece);
            bytes += piece.len() as u64;
            let _ = recycle.send(piece);
        }
        (hex(&hasher.finalize()), bytes)
    });
    let parsed = pipeline_reader_options()
        .from_reader(
            path,
            Checksummed {
                file,
                pieces,
                spare,
            },
        )
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
    file: Box<dyn std::io::Read + Send>,
    pieces: std::sync::mpsc::SyncSender<Vec<u8>>,
    /// Pieces the checksum thread is done with.
    spare: std::sync::mpsc::Receiver<Vec<u8>>,
}

impl std::io::Read for Checksummed {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.file.read(buf)?;
        if read > 0 {
            // The checksum thread only stops when this sender is dropped.
            let mut piece = self.spare.try_recv().unwrap_or_default();
            piece.clear();
            piece.extend_from_slice(&buf[..read]);
            let _ = self.pieces.send(piece);
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

/// The extensions of protein FASTA files a target directory is searched for (each also
/// gzipped, `.gz`).
pub const PROTEIN_FASTA_EXTENSIONS: &[&str] = &["fasta", "fa", "faa", "fas", "fsa", "pep", "aa"];

/// Extensions of nucleotide FASTA files, skipped in a target directory with that reason.
const NUCLEOTIDE_FASTA_EXTENSIONS: &[&str] = &["fna", "ffn", "frn", "fnn"];

/// Whether a file name looks like a target protein file: one of
/// [`PROTEIN_FASTA_EXTENSIONS`] (`*_proteins.fasta`, `*.faa`, `*.fa`...), optionally gzipped.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::is_protein_file_name;
///
/// assert!(is_protein_file_name("GCF_000005845_proteins.fasta"));
/// assert!(is_protein_file_name("sample.faa.gz"));
/// assert!(is_protein_file_name("sample.fasta"));
/// assert!(!is_protein_file_name("sample.fna"));
/// assert!(!is_protein_file_name("notes.txt"));
/// ```
pub fn is_protein_file_name(name: &str) -> bool {
    extension(name).is_some_and(|ext| PROTEIN_FASTA_EXTENSIONS.contains(&ext.as_str()))
}

/// The lower-case extension of a file name, under a `.gz`.
fn extension(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let name = lower.strip_suffix(".gz").unwrap_or(&lower);
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty()).then(|| ext.to_owned())
}

/// What a directory of inputs is searched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InputKind {
    /// Target proteins ([`PROTEIN_FASTA_EXTENSIONS`]).
    Proteins,
    /// Genome assemblies ([`GENOME_FASTA_EXTENSIONS`]).
    Genomes,
}

impl InputKind {
    fn extensions(self) -> &'static [&'static str] {
        match self {
            InputKind::Proteins => PROTEIN_FASTA_EXTENSIONS,
            InputKind::Genomes => GENOME_FASTA_EXTENSIONS,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            InputKind::Proteins => "protein",
            InputKind::Genomes => "genome",
        }
    }
}

/// The extensions of genome (nucleotide) FASTA files a `--genomes` directory is searched for
/// (each also gzipped, `.gz`).
pub const GENOME_FASTA_EXTENSIONS: &[&str] = &["fasta", "fa", "fna", "fas", "fsa", "fsta", "seq"];

/// Why a directory entry is not read as an input file of `kind`; `None` when it is one.
fn skip_reason(
    path: &Path,
    name: &str,
    references: Option<&Path>,
    kind: InputKind,
) -> Option<String> {
    if path.is_dir() {
        return Some("a directory (input directories are not searched recursively)".into());
    }
    if name.starts_with('.') {
        return Some("a hidden file".into());
    }
    if !path.is_file() {
        return Some("not a regular file".into());
    }
    if references.is_some() && path.canonicalize().ok().as_deref() == references {
        return Some("the references file".into());
    }
    match (extension(name), kind) {
        (Some(ext), _) if kind.extensions().contains(&ext.as_str()) => None,
        (Some(ext), InputKind::Proteins) if NUCLEOTIDE_FASTA_EXTENSIONS.contains(&ext.as_str()) => {
            Some(format!(
                "a nucleotide FASTA name (.{ext}); give it with --proteins to read it as protein"
            ))
        }
        (Some(ext), InputKind::Genomes) if PROTEIN_FASTA_EXTENSIONS.contains(&ext.as_str()) => {
            Some(format!("a protein FASTA name (.{ext}), not a genome"))
        }
        _ => Some(format!(
            "not a {} FASTA file name (expected .{}, optionally .gz)",
            kind.noun(),
            kind.extensions().join(", .")
        )),
    }
}

/// The target files named by `paths`: files as given (`-` is standard input), directories
/// expanded to their protein files ([`is_protein_file_name`]) in name order, leaving out
/// `references` (a reference `.faa` may sit beside the targets). Every directory entry not
/// read, and every file named twice (read once), is a warning. A directory that cannot be read
/// or holds no protein file is an error.
pub(crate) fn expand_target_paths(
    paths: &[PathBuf],
    references: &Path,
    kind: InputKind,
    warnings: &mut Warnings,
) -> Result<Vec<PathBuf>> {
    let references = references.canonicalize().ok();
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|source| Error::io(path, source))?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(|source| Error::io(path, source))?;
        entries.sort();
        let mut found = Vec::new();
        for entry in entries {
            let name = entry
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match skip_reason(&entry, &name, references.as_deref(), kind) {
                None => found.push(entry),
                Some(reason) => warnings.add(WarningKind::SkippedFile, || {
                    format!("{}: skipped: {reason}", entry.display())
                }),
            }
        }
        if found.is_empty() {
            return Err(Error::Input {
                path: path.clone(),
                message: format!(
                    "no {} files (.{}, optionally .gz) in directory",
                    kind.noun(),
                    kind.extensions().join(", .")
                ),
            });
        }
        files.extend(found);
    }
    let mut seen: HashMap<PathBuf, PathBuf> = HashMap::new();
    files.retain(|file| {
        let identity = if is_stdin(file) {
            file.clone()
        } else {
            file.canonicalize().unwrap_or_else(|_| file.clone())
        };
        match seen.get(&identity) {
            Some(first) => {
                warnings.add(WarningKind::RepeatedFile, || {
                    format!(
                        "{}: given twice (also as {}); read once",
                        file.display(),
                        first.display()
                    )
                });
                false
            }
            None => {
                seen.insert(identity, file.clone());
                true
            }
        }
    });
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
    /// The coding sequence the residues translate, when the reference came from one (a
    /// PointFinder species folder): genome runs compare codons against it.
    #[serde(skip)]
    pub cds: Option<Vec<u8>>,
    /// What the reference is: a protein of a coding gene (every reference read from FASTA),
    /// or the bases of an RNA gene or a promoter (from a PointFinder species), which genome
    /// runs search and call as nucleotides.
    #[serde(skip)]
    pub kind: GeneKind,
}

impl Reference {
    /// Whether the reference is nucleotides (an RNA gene or a promoter).
    pub fn is_nucleotide(&self) -> bool {
        self.kind != GeneKind::Coding
    }

    /// The 1-based index in the residues of a position as PointFinder numbers it (a
    /// promoter's bases `-N..=-1`, then the gene's from 1; others as they are); `None` for 0
    /// and for positions outside the reference.
    pub(crate) fn index_of_position(&self, position: i64) -> Option<usize> {
        let index = match self.kind {
            GeneKind::Promoter { promoter_length } if position < 0 => {
                promoter_length as i64 + position + 1
            }
            GeneKind::Promoter { promoter_length } => promoter_length as i64 + position,
            _ => position,
        };
        usize::try_from(index)
            .ok()
            .filter(|&i| position != 0 && i >= 1 && i <= self.residues.len())
    }
}

/// Wild-type references by gene (compared case-insensitively).
///
/// Read from one multi-FASTA whose headers' first word is the gene (`>blaTEM ...`), or from a
/// directory of `{gene}.fasta` / `{gene}.faa` files (optionally `.gz`) holding one record each.
/// A record that reads as nucleotides (30 letters or more, at least 90 % `A/C/G/T/U/N`) is a
/// coding sequence: translated with table 11, its codons kept in [`Reference::cds`]; one that
/// does not translate cleanly is an error.
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
        let (residues, cds) = coding_sequence(&gene, &record.residues).map_err(bad)?;
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
            length: residues.len(),
            sha256: sha256_hex(&residues.to_ascii_uppercase()),
            residues,
            file: file.to_owned(),
            gene,
            cds,
            kind: GeneKind::Coding,
        });
        Ok(())
    }

    /// Adds a reference whose gene may repeat an earlier one's (a PointFinder gene file with
    /// several records): the gene's first reference stays the one targets of that gene are
    /// aligned against; genome copies name theirs by index.
    /// A PointFinder species' references: each coding gene's record as a protein reference
    /// (with its coding sequence), each RNA gene's and promoter's as its bases, a gene's
    /// records in file order; the species' files recorded for the manifest (its
    /// `phenotypes.txt` in the role `catalogue`).
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::wildtype::ReferenceSet;
    /// use wildtype_aligner::wildtype::genome::Species;
    ///
    /// let species = Species::embedded("escherichia_coli").unwrap();
    /// let references = ReferenceSet::from_species(&species);
    /// assert_eq!(references.references().len(), 13);
    /// assert!(references.get("gyrA").unwrap().cds.is_some());
    /// assert!(references.get("23S").unwrap().is_nucleotide());
    /// ```
    pub fn from_species(species: &Species) -> Self {
        let mut set = ReferenceSet::default();
        for (path, bytes) in species.files() {
            let catalogue = path
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("phenotypes.txt"));
            let role = if catalogue { "catalogue" } else { "references" };
            set.add_file(InputFile::new(role, path, bytes));
        }
        for gene in species.genes() {
            let residues = gene.protein().unwrap_or(gene.nucleotides());
            let file = species
                .files()
                .iter()
                .map(|(path, _)| path)
                .find(|path| {
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                    name.is_some_and(|n| {
                        n.strip_suffix(".gz").unwrap_or(&n) == format!("{}.fsa", gene.gene())
                    })
                })
                .cloned()
                .unwrap_or_default();
            set.push(Reference {
                gene: gene.gene().to_owned(),
                id: gene.name().to_owned(),
                header: gene.name().to_owned(),
                residues: residues.to_vec(),
                length: residues.len(),
                sha256: sha256_hex(residues),
                file,
                cds: gene.protein().map(|_| gene.nucleotides().to_vec()),
                kind: gene.kind(),
            });
        }
        set
    }

    pub(crate) fn push(&mut self, reference: Reference) {
        self.by_gene
            .entry(reference.gene.to_ascii_lowercase())
            .or_insert(self.references.len());
        self.references.push(reference);
    }

    /// Records a file read for these references, for the manifest.
    pub(crate) fn add_file(&mut self, file: InputFile) {
        self.files.push(file);
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

/// Reference records at least this long that read as nucleotides are coding sequences.
const CDS_MIN_LENGTH: usize = 30;

/// A reference record's residues, and its coding sequence when it is one: a record of at least
/// [`CDS_MIN_LENGTH`] letters, at least 90 % `A/C/G/T/U/N`, is read as a coding sequence and
/// translated with table 11 (alternative start codons as `M`, without the stop); one that does
/// not translate cleanly is an error saying why.
fn coding_sequence(
    gene: &str,
    residues: &[u8],
) -> std::result::Result<(Vec<u8>, Option<Vec<u8>>), String> {
    let fraction = crate::seq::nucleotide_fraction(residues);
    if residues.len() < CDS_MIN_LENGTH || fraction < 0.9 {
        return Ok((residues.to_vec(), None));
    }
    let mut cds = residues.to_ascii_uppercase();
    for base in &mut cds {
        if *base == b'U' {
            *base = b'T';
        }
    }
    match ProteinReference::from_cds(gene, gene, &cds) {
        Ok(protein) => Ok((protein.protein().to_vec(), Some(cds))),
        Err(why) => Err(format!(
            "reference {gene} reads as nucleotides ({:.0}% A/C/G/T/U/N) but is not a coding \
             sequence: {why} (give the protein, or the coding sequence from its start codon to \
             its stop codon)",
            100.0 * fraction
        )),
    }
}

/// Whether a gene-list value names a file rather than listing genes: it exists, or it looks
/// like a path (a `/`, or a `.txt`, `.tsv`, `.list`, `.lst` or `.csv` ending).
fn names_a_file(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    Path::new(value).exists()
        || value.contains('/')
        || value.contains(std::path::MAIN_SEPARATOR)
        || [".txt", ".tsv", ".list", ".lst", ".csv"]
            .iter()
            .any(|ending| lower.ends_with(ending))
}

/// A gene list: each gene with where it was given (`the target gene list`, or a file and
/// line), for errors.
pub(crate) type GeneList = Vec<(String, String)>;

/// Reads a gene list: a file with one gene per line (`#` comments and blank lines skipped,
/// anything after the first whitespace ignored), or, when `value` does not name a file
/// ([`names_a_file`]), a comma-separated list. A value that looks like a path but cannot be
/// read is an error naming it (never a gene name). Returns the genes and, for a file, its
/// manifest record; [`check_gene_list`] checks them once the targets are read.
pub(crate) fn read_gene_list(value: &str) -> Result<(GeneList, Option<InputFile>)> {
    let (genes, file): (Vec<(String, String)>, _) = if names_a_file(value) {
        let path = Path::new(value);
        let (bytes, file) = read_input("gene_list", path)?;
        let text = utf8_text(path, &bytes)?;
        let genes: Vec<(String, String)> = text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
            .filter_map(|(index, line)| {
                let gene = line.split_ascii_whitespace().next()?;
                Some((
                    gene.to_owned(),
                    format!("{}: line {}", path.display(), index + 1),
                ))
            })
            .collect();
        if genes.is_empty() {
            return Err(Error::Input {
                path: path.to_owned(),
                message: "gene list is empty".into(),
            });
        }
        (genes, Some(file))
    } else {
        let genes: Vec<(String, String)> = value
            .split(',')
            .map(str::trim)
            .filter(|gene| !gene.is_empty())
            .map(|gene| (gene.to_owned(), "the target gene list".to_owned()))
            .collect();
        if genes.is_empty() {
            return Err(Error::EmptyGeneList {
                given: value.to_owned(),
            });
        }
        (genes, None)
    };
    Ok((genes, file))
}

/// Checks a gene list against the run: a gene that no reference has and no target carries
/// (`matched` holds the lower-case genes some target carried) would only empty the tables, so
/// it is an error naming the closest genes with a reference.
pub(crate) fn check_gene_list(
    genes: &GeneList,
    references: &ReferenceSet,
    matched: &std::collections::HashSet<String>,
) -> Result<()> {
    let unknown = genes.iter().find(|(gene, _)| {
        references.get(gene).is_none() && !matched.contains(&gene.to_ascii_lowercase())
    });
    match unknown {
        Some((gene, origin)) => Err(Error::UnknownGene {
            gene: gene.clone(),
            origin: origin.clone(),
            closest: closest_genes(gene, references),
        }),
        None => Ok(()),
    }
}

/// The reference genes closest to a misspelt `gene` (edit distance, case-insensitive): those
/// within a third of its length (at least 2 edits), best first, at most 3; when none is that
/// close, the first 10 genes with a reference.
pub(crate) fn closest_genes(gene: &str, references: &ReferenceSet) -> Vec<String> {
    let wanted = gene.to_ascii_lowercase();
    let limit = (wanted.chars().count() / 3).max(2);
    let mut near: Vec<(usize, &str)> = references
        .references()
        .iter()
        .map(|r| {
            (
                edit_distance(&wanted, &r.gene.to_ascii_lowercase()),
                r.gene.as_str(),
            )
        })
        .filter(|&(distance, _)| distance <= limit)
        .collect();
    near.sort();
    if near.is_empty() {
        return references
            .references()
            .iter()
            .take(10)
            .map(|r| r.gene.clone())
            .collect();
    }
    near.into_iter()
        .take(3)
        .map(|(_, g)| g.to_owned())
        .collect()
}

/// Levenshtein distance between two short strings, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// `bytes` as UTF-8 text, or an error naming the file and the line of the first byte that is
/// not UTF-8.
pub(crate) fn utf8_text<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str> {
    std::str::from_utf8(bytes).map_err(|error| {
        let valid = &bytes[..error.valid_up_to()];
        let line = 1 + memchr::memchr_iter(b'\n', valid).count();
        let column = valid.len()
            - valid
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |at| at + 1)
            + 1;
        Error::Format {
            path: path.to_owned(),
            line,
            message: format!(
                "not UTF-8 text (byte 0x{:02x} at column {column}); save the file as UTF-8",
                bytes[error.valid_up_to()]
            ),
        }
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::{
        ReferenceSet, check_gene_list, closest_genes, edit_distance, read_gene_list, utf8_text,
    };
    use crate::Error;

    fn references() -> ReferenceSet {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/wildtype/references.faa");
        ReferenceSet::from_path(path).unwrap()
    }

    #[test]
    fn gene_lists_split_on_commas_and_refuse_an_empty_one() {
        let (genes, file) = read_gene_list("blaTEM, blaCTX-M").unwrap();
        let names: Vec<&str> = genes.iter().map(|(gene, _)| gene.as_str()).collect();
        assert_eq!(names, ["blaTEM", "blaCTX-M"]);
        assert!(file.is_none());
        assert!(matches!(
            read_gene_list(" , "),
            Err(Error::EmptyGeneList { given }) if given == " , "
        ));
    }

    #[test]
    fn misspelt_genes_name_the_closest_known_ones() {
        let (genes, _) = read_gene_list("blaTEM,blaTME,blaNDM").unwrap();
        let matched = HashSet::from(["blandm".to_owned()]);
        let err = check_gene_list(&genes, &references(), &matched).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown gene 'blaTME' in the target gene list (no reference has it); closest \
             genes with a reference: blaTEM"
        );
        let (genes, _) = read_gene_list("blaTEM,blaNDM").unwrap();
        assert!(check_gene_list(&genes, &references(), &matched).is_ok());
        assert_eq!(closest_genes("zzz", &references()).len(), 3);
        assert_eq!(edit_distance("blatme", "blatem"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn path_like_values_are_files_never_gene_names() {
        let err = read_gene_list("no/such/genes.txt").unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
        assert!(err.to_string().starts_with("no/such/genes.txt: "), "{err}");
        let err = read_gene_list("genes.txt").unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
        let dir = std::env::temp_dir();
        let err = read_gene_list(dir.to_str().unwrap()).unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
    }

    #[test]
    fn text_that_is_not_utf8_names_its_line() {
        let err = utf8_text("c.tsv".as_ref(), b"gene\tmutation\nbla\xffTEM\tS1A\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "c.tsv: line 2: not UTF-8 text (byte 0xff at column 4); save the file as UTF-8"
        );
    }
}
