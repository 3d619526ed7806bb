//! Unlabelled proteomes as a run's input (Prodigal's or Bakta's `.faa` of an assembly): each
//! protein assigned to the reference gene it matches best, with the thresholds of the genome
//! search, and every reference gene without a protein planned as an `absent` row.
//!
//! Assignment: reference 4-mers shared with the protein select the candidate references (at
//! least [`MIN_SHARED_KMERS`]); the protein is scored against each candidate with the SIMD
//! engine and aligned against the best-scoring one; it is that gene's copy when the
//! alignment's identity is at least 70 % and it spans at least 25 % of the reference (the
//! genome search's [`SearchOptions`] defaults), so a proteome and its genome give the same
//! copies.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::align::Aligner;
use crate::seq::strip_residues_into;
use crate::{Error, Result};

use super::genome::SearchOptions;
use super::genomes::{GenomeRow, SearchedGenome, absent_detail, genome_accession};
use super::header::{TargetHeader, sequence_checksum};
use super::input::{ReferenceSet, for_each_fasta_record_of_file};

/// Reference 4-mers a protein must share with a reference to be scored against it.
pub(crate) const MIN_SHARED_KMERS: usize = 3;

/// The assignment of proteome proteins to reference genes, built once per run.
#[derive(Debug)]
pub(crate) struct ProteomeStage {
    /// Each searched reference's index in the run's [`ReferenceSet`], gene and residues.
    references: Vec<(usize, String, Vec<u8>)>,
    /// Reference 4-mer -> the searched references holding it.
    kmers: HashMap<[u8; 4], Vec<usize>>,
    /// Each gene searched for, with its first reference, in the references' order.
    genes: Vec<(String, usize)>,
    aligner: Aligner,
    options: SearchOptions,
}

/// Prodigal's location words after the id: `# start # end # strand # ...`.
fn prodigal_location(header: &str) -> Option<(u64, u64, char)> {
    let mut fields = header.split(" # ").skip(1);
    let start = fields.next()?.trim().parse().ok()?;
    let end = fields.next()?.trim().parse().ok()?;
    let strand = match fields.next()?.trim() {
        "1" => '+',
        "-1" => '-',
        _ => return None,
    };
    Some((start, end, strand))
}

impl ProteomeStage {
    /// The assignment for the run's references (only the genes of `gene_filter`, lower case,
    /// when there is one).
    pub(crate) fn new(
        references: &ReferenceSet,
        gene_filter: Option<&HashSet<String>>,
    ) -> Result<Self> {
        let mut searched = Vec::new();
        let mut genes: Vec<(String, usize)> = Vec::new();
        let mut kmers: HashMap<[u8; 4], Vec<usize>> = HashMap::new();
        for (index, reference) in references.references().iter().enumerate() {
            let filtered =
                gene_filter.is_some_and(|f| !f.contains(&reference.gene.to_ascii_lowercase()));
            // RNA genes and promoters have no protein to find in a proteome.
            if filtered || reference.is_nucleotide() {
                continue;
            }
            if !genes
                .iter()
                .any(|(g, _)| g.eq_ignore_ascii_case(&reference.gene))
            {
                genes.push((reference.gene.clone(), index));
            }
            let residues = reference.residues.to_ascii_uppercase();
            for kmer in residues.windows(4) {
                let holders = kmers
                    .entry([kmer[0], kmer[1], kmer[2], kmer[3]])
                    .or_default();
                if holders.last() != Some(&searched.len()) {
                    holders.push(searched.len());
                }
            }
            searched.push((index, reference.gene.clone(), residues));
        }
        Ok(Self {
            references: searched,
            kmers,
            genes,
            aligner: Aligner::builder().build()?,
            options: SearchOptions::default(),
        })
    }

    /// The searched references sharing at least [`MIN_SHARED_KMERS`] 4-mers with `protein`.
    fn candidates(&self, protein: &[u8], shared: &mut Vec<usize>) -> Vec<usize> {
        shared.clear();
        shared.resize(self.references.len(), 0);
        let upper = protein.to_ascii_uppercase();
        let mut seen: HashSet<[u8; 4]> = HashSet::new();
        for kmer in upper.windows(4) {
            let kmer = [kmer[0], kmer[1], kmer[2], kmer[3]];
            if let Some(holders) = self.kmers.get(&kmer)
                && seen.insert(kmer)
            {
                for &holder in holders {
                    shared[holder] += 1;
                }
            }
        }
        (0..self.references.len())
            .filter(|&r| shared[r] >= MIN_SHARED_KMERS)
            .collect()
    }

    /// The searched reference a protein is a copy of, if any.
    fn assign(&self, protein: &[u8], shared: &mut Vec<usize>) -> Result<Option<usize>> {
        let candidates = self.candidates(protein, shared);
        let mut best: Option<(f32, usize)> = None;
        for candidate in candidates {
            let score = self
                .aligner
                .score(protein, &self.references[candidate].2)?
                .score();
            if best.is_none_or(|(top, _)| score > top) {
                best = Some((score, candidate));
            }
        }
        let Some((_, candidate)) = best else {
            return Ok(None);
        };
        let reference = &self.references[candidate].2;
        let alignment = self.aligner.align(protein, reference)?;
        let stats = alignment.stats();
        let identity = stats.identity() as f64 / stats.length().max(1) as f64;
        let reference_length = reference.len() - usize::from(reference.last() == Some(&b'*'));
        let coverage = alignment.b_range().len() as f64 / reference_length.max(1) as f64;
        Ok(
            (identity >= self.options.min_identity && coverage >= self.options.min_coverage)
                .then_some(candidate),
        )
    }

    /// Reads one proteome file and plans its rows: per gene, its proteins in file order, or
    /// one `absent` row.
    ///
    /// # Errors
    ///
    /// The file cannot be read or is not FASTA; it holds no protein.
    pub(crate) fn search(&self, path: &Path) -> Result<SearchedGenome> {
        let accession = genome_accession(path);
        let mut shared = Vec::new();
        let mut found: Vec<(String, GenomeRow)> = Vec::new();
        let mut proteins = 0usize;
        let mut residues = Vec::new();
        let input = for_each_fasta_record_of_file("proteomes", path, |header, raw, line| {
            residues.clear();
            strip_residues_into(raw, &mut residues);
            if residues.is_empty() {
                return Ok(());
            }
            proteins += 1;
            if let Some(searched) = self.assign(&residues, &mut shared)? {
                let (index, gene, _) = &self.references[searched];
                let row = copy_row(&accession, (gene, *index), header, line, &residues);
                found.push((gene.clone(), row));
            }
            Ok(())
        })?;
        if proteins == 0 {
            return Err(Error::Input {
                path: path.to_owned(),
                message: "proteome holds no protein (every record is empty)".into(),
            });
        }
        Ok(SearchedGenome {
            accession,
            input,
            rows: self.rows(found, proteins),
        })
    }

    fn rows(&self, found: Vec<(String, GenomeRow)>, proteins: usize) -> Vec<GenomeRow> {
        let mut rows = Vec::new();
        for (gene, first) in &self.genes {
            let mine: Vec<GenomeRow> = found
                .iter()
                .filter(|(of, _)| of.eq_ignore_ascii_case(gene))
                .map(|(_, row)| row.clone())
                .collect();
            if mine.is_empty() {
                rows.push(GenomeRow::Absent {
                    gene: gene.clone(),
                    reference: *first,
                    detail: absent_detail(
                        gene,
                        &format!("the proteome's {proteins} proteins"),
                        self.options.min_identity,
                        self.options.min_coverage,
                    ),
                });
                continue;
            }
            let count = mine.len();
            for (number, mut row) in mine.into_iter().enumerate() {
                if let GenomeRow::Copy { detail, .. } = &mut row {
                    *detail = format!("copy {} of {count}", number + 1);
                }
                rows.push(row);
            }
        }
        rows
    }
}

/// A proteome protein assigned to `gene` (reference `reference` of the run): its location
/// from a Prodigal header (`<contig>_<n> # start # end # strand # ...`), none otherwise.
fn copy_row(
    accession: &str,
    (gene, reference): (&str, usize),
    header: &str,
    line: usize,
    residues: &[u8],
) -> GenomeRow {
    let id = header.split_ascii_whitespace().next().unwrap_or("");
    let location = prodigal_location(header).map(|(start, end, strand)| {
        Box::new(TargetHeader {
            accession: accession.to_owned(),
            gene: gene.to_owned(),
            start,
            end,
            strand: strand.to_string(),
            // Prodigal names a protein `<contig>_<n>`.
            contig: id
                .rsplit_once('_')
                .map_or(id, |(contig, _)| contig)
                .to_owned(),
            checksum: sequence_checksum(residues)[..12].to_owned(),
        })
    });
    GenomeRow::Copy {
        gene: gene.to_owned(),
        header: header.to_owned(),
        line,
        location,
        reference,
        protein: residues.to_vec(),
        target: None,
        detail: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prodigal_headers_give_the_location() {
        let header = "contig_7_12 # 1201 # 2061 # -1 # ID=7_12;partial=00;start_type=ATG";
        assert_eq!(prodigal_location(header), Some((1201, 2061, '-')));
        assert_eq!(prodigal_location("WP_000001.1 DNA gyrase"), None);
    }
}
