//! A PointFinder species folder, read as PointFinder reads it, and the three species the crate
//! embeds.
//!
//! A folder holds `genes.txt` (one gene per line), `RNA_genes.txt` (the genes among those
//! that are RNA, not protein-coding) and one `<gene>.fsa` per gene (plain or, as Debian ships
//! some of them, `<gene>.fsa.gz`). Each record of a gene's file is one reference of that gene:
//! PointFinder runs BLAST against the whole file and keeps the best-matching record, so every
//! record is kept here and a genome's copy is later called against the one it matches best.
//! All files hold one record except Campylobacter's `gyrA.fsa`, whose two records are the
//! *C. jejuni* (`gyrA_1_LR134511.1`) and *C. coli* (`gyrA_2_CP035927.1`) genes.
//!
//! A gene named `...-promoter-size-<N>bp` is a promoter: `N` promoter bases followed by the
//! start of the gene, numbered by PointFinder from `-N` to `-1` and then from codon 1.

use std::path::{Path, PathBuf};

use super::reference::ProteinReference;
use super::source::{EMBEDDED, Source};
use crate::fasta::Reader;
use crate::{Error, Result};

/// What a reference gene is, which decides how it is searched and called.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::{GeneKind, Species};
///
/// let species = Species::embedded("escherichia_coli").unwrap();
/// let kind = |name: &str| species.genes().iter().find(|g| g.gene() == name).unwrap().kind();
/// assert_eq!(kind("gyrA"), GeneKind::Coding);
/// assert_eq!(kind("23S"), GeneKind::Rna);
/// assert_eq!(kind("ampC-promoter-size-53bp"), GeneKind::Promoter { promoter_length: 53 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeneKind {
    /// A protein-coding gene, searched and called as protein.
    Coding,
    /// An RNA gene (listed in `RNA_genes.txt`), kept as nucleotides.
    Rna,
    /// A promoter and the start of its gene, kept as nucleotides.
    Promoter {
        /// The number of promoter bases before the gene's first codon.
        promoter_length: usize,
    },
}

/// One reference record of a species folder.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::Species;
///
/// let species = Species::embedded("campylobacter").unwrap();
/// let gyra: Vec<_> = species.genes().iter().filter(|g| g.gene() == "gyrA").collect();
/// assert_eq!(gyra.len(), 2);
/// assert_eq!(gyra[1].name(), "gyrA_2_CP035927.1");
/// assert!(gyra[0].protein().unwrap().starts_with(b"MENIFSKDSD"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceGene {
    gene: String,
    name: String,
    kind: GeneKind,
    nucleotides: Vec<u8>,
    protein: Option<ProteinReference>,
}

impl ReferenceGene {
    /// The gene as `genes.txt` names it (`gyrA`, `16S-rrsB`).
    pub fn gene(&self) -> &str {
        &self.gene
    }

    /// The record's id in the gene's file (`gyrA_1_CP073768.1`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Coding gene, RNA gene or promoter.
    pub fn kind(&self) -> GeneKind {
        self.kind
    }

    /// The record's bases as the file has them, upper-cased.
    pub fn nucleotides(&self) -> &[u8] {
        &self.nucleotides
    }

    /// The translated protein of a coding gene (without its stop), `None` for RNA genes and
    /// promoters.
    pub fn protein(&self) -> Option<&[u8]> {
        self.protein.as_ref().map(ProteinReference::protein)
    }

    /// The coding gene as a [`ProteinReference`] for the genome search, `None` for RNA genes
    /// and promoters.
    pub fn protein_reference(&self) -> Option<&ProteinReference> {
        self.protein.as_ref()
    }
}

/// The reference genes of one species, in `genes.txt` order (a gene's records in file order).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::Species;
///
/// let ecoli = Species::embedded("escherichia_coli").unwrap();
/// assert_eq!(ecoli.genes().len(), 13);
/// assert_eq!(ecoli.protein_references().len(), 8);
/// let error = Species::embedded("klebsiella").unwrap_err().to_string();
/// assert!(error.contains("escherichia_coli, salmonella, campylobacter"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Species {
    name: String,
    genes: Vec<ReferenceGene>,
    /// Every file read (`genes.txt`, `RNA_genes.txt` when present, each gene's file,
    /// `phenotypes.txt` when present), with its bytes, for a run's manifest.
    files: Vec<(PathBuf, Vec<u8>)>,
    /// The catalogue `phenotypes.txt` (or `.gz`), as its path (or embedded name) and text.
    phenotypes: Option<(PathBuf, String)>,
}

impl Species {
    /// The names [`Species::embedded`] knows.
    pub const EMBEDDED_NAMES: [&'static str; 3] =
        ["escherichia_coli", "salmonella", "campylobacter"];

    /// Reads a PointFinder species folder as is (see the module notes for its layout). The
    /// species is named after the folder.
    ///
    /// # Errors
    ///
    /// A missing or empty `genes.txt`, a gene listed twice, an RNA gene not in `genes.txt`, a
    /// gene without its `.fsa`, a file that is not FASTA, and a coding gene whose sequence does
    /// not translate cleanly, each naming the file and line.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::wildtype::genome::Species;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("genes.txt"), "folP\n").unwrap();
    /// std::fs::write(dir.path().join("RNA_genes.txt"), "").unwrap();
    /// std::fs::write(dir.path().join("folP.fsa"), ">folP_1\nATGAAACTGTAA\n").unwrap();
    /// let species = Species::from_folder(dir.path()).unwrap();
    /// assert_eq!(species.genes()[0].protein(), Some(&b"MKL"[..]));
    ///
    /// std::fs::write(dir.path().join("genes.txt"), "folP\ngyrA\n").unwrap();
    /// let error = Species::from_folder(dir.path()).unwrap_err().to_string();
    /// assert!(error.ends_with("genes.txt: line 2: gene gyrA has no gyrA.fsa in the folder"), "{error}");
    /// ```
    pub fn from_folder(folder: impl AsRef<Path>) -> Result<Species> {
        let folder = folder.as_ref();
        let name = folder.file_name().map_or_else(
            || folder.display().to_string(),
            |n| n.to_string_lossy().into(),
        );
        read_species(name, &Source::Folder(folder.to_path_buf()))
    }

    /// One of the species built into the crate: `escherichia_coli`, `salmonella` or
    /// `campylobacter` (case and spaces ignored: `Escherichia coli` works too).
    ///
    /// # Errors
    ///
    /// Any other name, with the list of names that work.
    pub fn embedded(name: &str) -> Result<Species> {
        let wanted = name.trim().to_ascii_lowercase().replace(' ', "_");
        let Some((species, files)) = EMBEDDED.iter().find(|(species, _)| *species == wanted) else {
            return Err(Error::Input {
                path: PathBuf::from(name),
                message: format!(
                    "no embedded PointFinder species of this name; embedded species: {}",
                    Self::EMBEDDED_NAMES.join(", ")
                ),
            });
        };
        read_species(species.to_string(), &Source::Embedded(species, files))
    }

    /// The species' name (its folder's name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every reference record, in `genes.txt` order.
    pub fn genes(&self) -> &[ReferenceGene] {
        &self.genes
    }

    /// Every file of the folder that was read (`genes.txt`, `RNA_genes.txt` when present,
    /// each gene's `.fsa`), as its path (or embedded name) and bytes.
    pub fn files(&self) -> &[(PathBuf, Vec<u8>)] {
        &self.files
    }

    /// The folder's catalogue of known mutations, `phenotypes.txt` (read from
    /// `phenotypes.txt.gz` when that is what the folder holds), as its path (or embedded name)
    /// and text; `None` when the folder has none. See
    /// [`Catalogue::from_pointfinder`](crate::wildtype::Catalogue::from_pointfinder).
    pub fn phenotypes(&self) -> Option<(&Path, &str)> {
        self.phenotypes
            .as_ref()
            .map(|(path, text)| (path.as_path(), text.as_str()))
    }

    /// The coding genes' proteins, ready for [`crate::wildtype::genome::GeneSearch`].
    pub fn protein_references(&self) -> Vec<ProteinReference> {
        self.genes
            .iter()
            .filter_map(|gene| gene.protein_reference().cloned())
            .collect()
    }
}

/// The names of a gene-list file with their 1-based lines, blank lines skipped.
fn list(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty())
        .collect()
}

fn read_species(name: String, source: &Source) -> Result<Species> {
    let genes_path = source.path("genes.txt");
    let genes_text = source.text("genes.txt")?.ok_or_else(|| Error::Input {
        path: genes_path.clone(),
        message: "missing: a PointFinder species folder lists its genes in genes.txt".into(),
    })?;
    let genes = list(&genes_text);
    if genes.is_empty() {
        return Err(Error::Input {
            path: genes_path,
            message: "lists no gene".into(),
        });
    }
    let rna_text = source.text("RNA_genes.txt")?.unwrap_or_default();
    let rna = list(&rna_text);
    let format = |path: PathBuf, line: usize, message: String| Error::Format {
        path,
        line,
        message,
    };
    for (line, gene) in &rna {
        if !genes.iter().any(|(_, listed)| listed == gene) {
            let message = format!("RNA gene {gene} is not listed in genes.txt");
            return Err(format(source.path("RNA_genes.txt"), *line, message));
        }
    }
    let mut references = Vec::new();
    for (index, (line, gene)) in genes.iter().enumerate() {
        if let Some((first, _)) = genes[..index].iter().find(|(_, seen)| seen == gene) {
            let message = format!("gene {gene} is listed again (first on line {first})");
            return Err(format(genes_path, *line, message));
        }
        let kind = if rna.iter().any(|(_, listed)| listed == gene) {
            GeneKind::Rna
        } else if let Some(promoter_length) = promoter_length(gene) {
            GeneKind::Promoter { promoter_length }
        } else {
            GeneKind::Coding
        };
        let Some(reader) = source.fasta(gene)? else {
            let message = format!("gene {gene} has no {gene}.fsa in the folder");
            return Err(format(genes_path, *line, message));
        };
        read_gene(reader, gene, kind, &mut references)?;
    }
    let mut files = Vec::new();
    let gene_files = genes.iter().map(|(_, gene)| format!("{gene}.fsa"));
    for file in ["genes.txt".to_owned(), "RNA_genes.txt".to_owned()]
        .into_iter()
        .chain(gene_files)
    {
        files.extend(source.bytes(&file)?);
    }
    let phenotypes = source
        .text_maybe_gzipped("phenotypes.txt")?
        .map(|(path, text, bytes)| {
            files.push((path.clone(), bytes));
            (path, text)
        });
    Ok(Species {
        name,
        genes: references,
        files,
        phenotypes,
    })
}

/// `N` of a PointFinder promoter name `...-promoter-size-<N>bp`.
fn promoter_length(gene: &str) -> Option<usize> {
    let (_, size) = gene.split_once("promoter-size-")?;
    size.strip_suffix("bp")?.parse().ok()
}

/// Every record of one gene's file, as references of that gene.
fn read_gene(
    mut reader: Reader,
    gene: &str,
    kind: GeneKind,
    references: &mut Vec<ReferenceGene>,
) -> Result<()> {
    let path = reader.name().to_path_buf();
    let before = references.len();
    while let Some(record) = reader.next_record() {
        let record = record?;
        let mut nucleotides = record.seq().into_owned();
        nucleotides.make_ascii_uppercase();
        let bad = |message: String| Error::Format {
            path: path.clone(),
            line: record.line(),
            message: format!("record {}: {message}", record.id()),
        };
        if nucleotides.is_empty() {
            return Err(bad("no sequence".into()));
        }
        let protein = match kind {
            GeneKind::Coding => {
                Some(ProteinReference::from_cds(gene, record.id(), &nucleotides).map_err(bad)?)
            }
            GeneKind::Rna | GeneKind::Promoter { .. } => None,
        };
        references.push(ReferenceGene {
            gene: gene.to_string(),
            name: record.id().to_string(),
            kind,
            nucleotides,
            protein,
        });
    }
    if references.len() == before {
        return Err(Error::Input {
            path,
            message: format!("holds no record for gene {gene}"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_species_match_pointfinder_lists() {
        let ecoli = Species::embedded("Escherichia coli").unwrap();
        assert_eq!(ecoli.name(), "escherichia_coli");
        let coding: Vec<_> = ecoli
            .protein_references()
            .iter()
            .map(|r| r.gene().to_string())
            .collect();
        assert_eq!(
            coding,
            [
                "gyrA", "gyrB", "parC", "parE", "pmrA", "pmrB", "folP", "rpoB"
            ]
        );
        let rna = ecoli
            .genes()
            .iter()
            .filter(|g| g.kind() == GeneKind::Rna)
            .count();
        assert_eq!(rna, 4);
        let gyra = &ecoli.genes()[0];
        assert_eq!(
            (gyra.name(), gyra.protein().unwrap().len()),
            ("gyrA_1_CP073768.1", 875)
        );
        assert_eq!(&gyra.protein().unwrap()[81..87], b"DSAVYD"); // S83 at index 82

        let salmonella = Species::embedded("salmonella").unwrap();
        assert_eq!(salmonella.genes().len(), 8);
        assert_eq!(salmonella.protein_references().len(), 7);

        let campylobacter = Species::embedded("campylobacter").unwrap();
        let names: Vec<_> = campylobacter
            .genes()
            .iter()
            .map(ReferenceGene::name)
            .collect();
        assert_eq!(
            names,
            [
                "gyrA_1_LR134511.1",
                "gyrA_2_CP035927.1",
                "23S_1_LR134511.1",
                "rpsL_1_CP054847.1"
            ]
        );
        // rpsL starts with GTG, read as M.
        assert!(
            campylobacter.genes()[3]
                .protein()
                .unwrap()
                .starts_with(b"MPTINQ")
        );
    }

    #[test]
    fn installed_pointfinder_folder_reads_like_the_embedded_copy() {
        let installed = Path::new("/usr/share/doc/resfinder/examples/db_pointfinder");
        if !installed.is_dir() {
            assert!(
                std::env::var_os("WTA_REQUIRE_POINTFINDER").is_none(),
                "{} is missing",
                installed.display()
            );
            eprintln!(
                "SKIPPED: {} absent (apt-get install resfinder-example)",
                installed.display()
            );
            return;
        }
        for name in Species::EMBEDDED_NAMES {
            let from_folder = Species::from_folder(installed.join(name)).unwrap();
            let embedded = Species::embedded(name).unwrap();
            assert_eq!(from_folder.genes(), embedded.genes(), "{name}");
            // The same files, from the folder and built in (Debian gzips some of them).
            let names = |species: &Species| -> Vec<String> {
                let mut names: Vec<String> = species
                    .files()
                    .iter()
                    .map(|(path, _)| {
                        let name = path.file_name().unwrap().to_string_lossy().into_owned();
                        name.strip_suffix(".gz").unwrap_or(&name).to_owned()
                    })
                    .collect();
                names.sort();
                names
            };
            assert_eq!(names(&from_folder), names(&embedded), "{name}");
        }
    }
}
