//! Genome assemblies as a run's input: each genome's contigs searched for every copy of the
//! references' coding genes ([`super::genome::GeneSearch`]), each copy planned as one target
//! in the standard header form (`genome|gene|start-end|strand|contig|checksum`), and every
//! reference gene the genome lacks planned as an `absent` row.

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use crate::align::Alignment;
use crate::seq::strip_residues_into;
use crate::{Error, Result};

use super::genome::{
    Contig, GeneCopy, GeneSearch, NucleotideCall, NucleotideCopy, NucleotideReference,
    NucleotideSearch, NucleotideSearchOptions, ProteinReference, SearchOptions, Species, Strand,
    reverse_complement,
};
use super::header::{TargetHeader, sequence_checksum};
use super::input::{InputFile, ReferenceSet, for_each_fasta_record_of_file};

/// Where a genome target lies, its codons and its frameshift: what codon changes, contig
/// positions and the frameshift call of its calls are read from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GenomeTarget {
    /// Each protein residue's codon, upper case, as the contig has it in the gene's
    /// orientation (a codon broken by a deletion keeps the bases that are there).
    pub codons: Vec<[u8; 3]>,
    /// Each residue's codon's first base in reading direction: 0-based on the contig as given
    /// (on the reverse strand the codon's highest position).
    pub positions: Vec<usize>,
    /// The frameshift the copy carries, if any.
    pub frameshift: Option<FrameshiftCall>,
    /// An RNA gene's or promoter's copy: the nucleotide search's calls (no codons then).
    pub nucleotide_calls: Option<Vec<NucleotideCall>>,
    /// An RNA gene's or promoter's copy: the search's water-exact alignment of the copy (a)
    /// against its reference (b), EDNAFULL 10 / 0.5, which is the alignment the run makes
    /// for the pair: it is used as is rather than made again.
    pub alignment: Option<Alignment>,
    /// The contig ends before the gene's start, or before its stop: the reference residues
    /// missing there are not in the assembly, not deleted from the gene.
    pub cut_at_start: bool,
    pub cut_at_stop: bool,
}

/// A frameshift, as its call is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FrameshiftCall {
    /// 1-based reference codon the indel hits, and its residue.
    pub reference_codon: usize,
    pub reference_residue: u8,
    /// PointFinder-like notation without `p.` (`L194fs`) and HGVS (`p.Leu195fs`).
    pub notation: String,
    pub hgvs: String,
    /// `+1 A`, `-2 TC`.
    pub bases: String,
    /// 1-based positions of the indel in the copy's coding sequence and on the contig.
    pub gene_position: usize,
    pub contig_position: usize,
    /// 0-based index of the protein residue at the hit codon.
    pub residue: usize,
}

impl GenomeTarget {
    /// The target of a copy found in `contig`.
    fn of(copy: &GeneCopy, contig: &[u8]) -> Self {
        let mut codons = Vec::with_capacity(copy.protein().len());
        let mut positions = Vec::with_capacity(copy.protein().len());
        for residue in 0..copy.protein().len() {
            let Some(position) = copy.codon_position(residue) else {
                break;
            };
            let codon = match copy.strand() {
                Strand::Forward => contig
                    .get(position..position + 3)
                    .map(|c| [c[0], c[1], c[2]]),
                Strand::Reverse => position
                    .checked_sub(2)
                    .and_then(|start| contig.get(start..=position))
                    .map(|c| {
                        let rc = reverse_complement(c);
                        [rc[0], rc[1], rc[2]]
                    }),
            };
            codons.push(codon.unwrap_or(*b"NNN").map(|b| b.to_ascii_uppercase()));
            positions.push(position);
        }
        let frameshift = copy.frameshifts().first().map(|shift| {
            let residue = positions
                .iter()
                .position(|&p| match copy.strand() {
                    Strand::Forward => p + 3 > shift.contig_position() - 1,
                    Strand::Reverse => p < shift.contig_position() + 2,
                })
                .unwrap_or(positions.len().saturating_sub(1));
            FrameshiftCall {
                reference_codon: shift.reference_codon(),
                reference_residue: shift.reference_residue(),
                notation: shift.notation().trim_start_matches("p.").to_owned(),
                hgvs: shift.hgvs(),
                bases: shift.to_string(),
                gene_position: shift.gene_position(),
                contig_position: shift.contig_position(),
                residue,
            }
        });
        Self {
            codons,
            positions,
            frameshift,
            nucleotide_calls: None,
            alignment: None,
            cut_at_start: copy.cut_at_start(),
            cut_at_stop: copy.cut_at_stop(),
        }
    }

    /// A target whose coding sequence `cds` lies whole on `range` of a contig, on `strand`.
    #[cfg(test)]
    pub(crate) fn laid_out(cds: &[u8], strand: Strand, range: std::ops::Range<usize>) -> Self {
        let codons: Vec<[u8; 3]> = cds
            .chunks_exact(3)
            .map(|c| [c[0], c[1], c[2]].map(|b| b.to_ascii_uppercase()))
            .collect();
        let positions = (0..codons.len())
            .map(|i| match strand {
                Strand::Forward => range.start + 3 * i,
                Strand::Reverse => range.end - 1 - 3 * i,
            })
            .collect();
        Self {
            codons,
            positions,
            frameshift: None,
            nucleotide_calls: None,
            alignment: None,
            cut_at_start: false,
            cut_at_stop: false,
        }
    }

    /// The codon of the 0-based protein residue `residue`.
    pub(crate) fn codon(&self, residue: usize) -> Option<[u8; 3]> {
        self.codons.get(residue).copied()
    }

    /// The 1-based contig position of the first base, in reading direction, of the codon of
    /// the 0-based residue `residue`.
    pub(crate) fn contig_position(&self, residue: usize) -> Option<u64> {
        self.positions.get(residue).map(|&p| p as u64 + 1)
    }
}

/// One row a genome contributes to a run.
#[derive(Debug, Clone)]
pub(crate) enum GenomeRow {
    /// A copy of a reference gene.
    Copy {
        gene: String,
        /// The standard header of the extracted protein (with a description word for
        /// partial copies); a proteome's protein keeps its own header.
        header: String,
        /// The 1-based line of the contig's header in the genome file.
        line: usize,
        location: Option<Box<TargetHeader>>,
        /// Index of the reference (in the run's [`ReferenceSet`]) the copy matches best.
        reference: usize,
        protein: Vec<u8>,
        /// Genome copies: where the copy lies and its codons.
        target: Option<Box<GenomeTarget>>,
        /// `copy K of N`, and whether the copy is cut at a contig end.
        detail: String,
    },
    /// A reference gene with no copy in the genome.
    Absent {
        gene: String,
        reference: usize,
        detail: String,
    },
}

/// What one genome gave: its accession, the file's manifest record and its rows (genes in the
/// references' order, each gene's copies in contig order).
#[derive(Debug)]
pub(crate) struct SearchedGenome {
    pub accession: String,
    pub input: InputFile,
    pub rows: Vec<GenomeRow>,
}

/// The search a run makes in each genome: built once from the run's references.
#[derive(Debug)]
pub(crate) struct GenomeStage {
    /// The translated search for the coding genes, when there are any.
    search: Option<GeneSearch>,
    /// For each reference of the search, its index in the run's [`ReferenceSet`].
    to_set: Vec<usize>,
    /// The nucleotide search for the RNA genes and promoters, when there are any.
    nucleotide: Option<NucleotideSearch>,
    /// For each reference of the nucleotide search, its index in the run's references.
    nucleotide_to_set: Vec<usize>,
    /// Each gene searched for (the first reference of the gene stands for it in `absent`
    /// rows), in the references' order.
    genes: Vec<(String, usize)>,
    options: SearchOptions,
}

/// The accession of a genome file: its name without its extensions (`.gz` and one more), as
/// `GCF_000005845.2.fna.gz` -> `GCF_000005845.2`.
pub(crate) fn genome_accession(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_owned(),
        _ => name.to_owned(),
    }
}

/// A species' references as a run's [`ReferenceSet`] ([`ReferenceSet::from_species`]).
pub(crate) fn species_references(species: &Species) -> ReferenceSet {
    ReferenceSet::from_species(species)
}

/// The detail of an `absent` row: no copy of `gene` in `searched` at the thresholds.
pub(crate) fn absent_detail(gene: &str, searched: &str, identity: f64, coverage: f64) -> String {
    format!(
        "no copy of {gene} in {searched} at identity >= {:.0}% and reference coverage >= {:.0}%",
        100.0 * identity,
        100.0 * coverage
    )
}

/// Whether `path` is a PointFinder species folder (a directory with a `genes.txt`).
pub(crate) fn is_species_folder(path: &Path) -> bool {
    path.is_dir() && path.join("genes.txt").is_file()
}

impl GenomeStage {
    /// The search for the run's references (only the genes of `gene_filter`, lower case, when
    /// there is one).
    pub(crate) fn new(
        references: &ReferenceSet,
        gene_filter: Option<&HashSet<String>>,
    ) -> Result<Self> {
        let mut proteins = Vec::new();
        let mut to_set = Vec::new();
        let mut bases = Vec::new();
        let mut nucleotide_to_set = Vec::new();
        let mut genes: Vec<(String, usize)> = Vec::new();
        for (index, reference) in references.references().iter().enumerate() {
            let lower = reference.gene.to_ascii_lowercase();
            if gene_filter.is_some_and(|filter| !filter.contains(&lower)) {
                continue;
            }
            if !genes
                .iter()
                .any(|(gene, _)| gene.eq_ignore_ascii_case(&reference.gene))
            {
                genes.push((reference.gene.clone(), index));
            }
            if reference.is_nucleotide() {
                let gene = NucleotideReference::try_new(
                    &reference.gene,
                    &reference.id,
                    reference.residues.clone(),
                    reference.kind,
                )
                .map_err(|message| Error::Input {
                    path: reference.file.clone(),
                    message: format!("reference {}: {message}", reference.id),
                })?;
                bases.push(gene);
                nucleotide_to_set.push(index);
                continue;
            }
            let mut protein = reference.residues.clone();
            if protein.last() == Some(&b'*') {
                protein.pop();
            }
            // With its coding sequence the search names the bases a frameshift deletes.
            let from_cds = reference.cds.as_deref().and_then(|cds| {
                ProteinReference::from_cds(&reference.gene, &reference.id, cds).ok()
            });
            proteins.push(
                from_cds.unwrap_or_else(|| {
                    ProteinReference::new(&reference.gene, &reference.id, protein)
                }),
            );
            to_set.push(index);
        }
        let options = SearchOptions::default();
        let search = match proteins.is_empty() {
            true => None,
            false => Some(GeneSearch::with_options(proteins, options)?),
        };
        let nucleotide = match bases.is_empty() {
            true => None,
            false => Some(NucleotideSearch::new(bases)?),
        };
        Ok(Self {
            search,
            to_set,
            nucleotide,
            nucleotide_to_set,
            genes,
            options,
        })
    }

    /// Reads one genome file (plain or gzip FASTA, any number of contigs) and plans its rows.
    ///
    /// # Errors
    ///
    /// The file cannot be read or is not FASTA; it holds no bases; it reads as protein rather
    /// than nucleotides.
    pub(crate) fn search(&self, path: &Path) -> Result<SearchedGenome> {
        let mut names: Vec<String> = Vec::new();
        let mut bases: Vec<u8> = Vec::new();
        let mut bounds: Vec<Range<usize>> = Vec::new();
        let mut lines: Vec<usize> = Vec::new();
        let input = for_each_fasta_record_of_file("genomes", path, |header, residues, line| {
            let name = header.split_ascii_whitespace().next().unwrap_or("");
            lines.push(line);
            let start = bases.len();
            strip_residues_into(residues, &mut bases);
            names.push(name.to_owned());
            bounds.push(start..bases.len());
            Ok(())
        })?;
        check_nucleotides(path, &[&bases])?;
        let contigs: Vec<Contig<'_>> = names
            .iter()
            .zip(&bounds)
            .map(|(name, range)| Contig::new(name, &bases[range.clone()]))
            .collect();
        let accession = genome_accession(path);
        let rows = self.search_contigs(&accession, &contigs, &lines)?;
        Ok(SearchedGenome {
            accession,
            input,
            rows,
        })
    }

    /// Searches one genome's contigs (checked to be nucleotides) and plans its rows; `lines`
    /// holds each contig's header line (0 when it has none).
    pub(crate) fn search_contigs(
        &self,
        accession: &str,
        contigs: &[Contig<'_>],
        lines: &[usize],
    ) -> Result<Vec<GenomeRow>> {
        let copies = match &self.search {
            Some(search) => search.find(contigs)?,
            None => Vec::new(),
        };
        let nucleotide_copies = match &self.nucleotide {
            Some(search) => search.find(contigs)?,
            None => Vec::new(),
        };
        Ok(self.rows(accession, (&copies, &nucleotide_copies), contigs, lines))
    }

    /// The rows of one genome: per gene, its copies in contig order, or one `absent` row.
    fn rows(
        &self,
        accession: &str,
        (copies, nucleotide_copies): (&[GeneCopy], &[NucleotideCopy]),
        contigs: &[Contig<'_>],
        lines: &[usize],
    ) -> Vec<GenomeRow> {
        let bases: usize = contigs.iter().map(|c| c.sequence().len()).sum();
        let searched = format!("the genome's {} contigs ({bases} bases)", contigs.len());
        let mut rows = Vec::new();
        for (gene, first) in &self.genes {
            let same = |name: &str| name.eq_ignore_ascii_case(gene);
            let coding: Vec<&GeneCopy> = copies.iter().filter(|c| same(c.gene())).collect();
            let nucleotide: Vec<&NucleotideCopy> = nucleotide_copies
                .iter()
                .filter(|c| same(c.gene()))
                .collect();
            if coding.is_empty() && nucleotide.is_empty() {
                let (identity, coverage) = match self.nucleotide_to_set.contains(first) {
                    true => {
                        let options = NucleotideSearchOptions::default();
                        (options.min_identity, options.min_coverage)
                    }
                    false => (self.options.min_identity, self.options.min_coverage),
                };
                rows.push(GenomeRow::Absent {
                    gene: gene.clone(),
                    reference: *first,
                    detail: absent_detail(gene, &searched, identity, coverage),
                });
                continue;
            }
            for (number, copy) in coding.iter().enumerate() {
                let line = lines[copy.contig()];
                let mut row = self.copy_row(accession, copy, line, (number + 1, coding.len()));
                if let GenomeRow::Copy {
                    target,
                    detail,
                    header,
                    ..
                } = &mut row
                {
                    *target = Some(Box::new(GenomeTarget::of(
                        copy,
                        contigs[copy.contig()].sequence(),
                    )));
                    describe_links(copy, copies, detail, header);
                }
                rows.push(row);
            }
            for (number, copy) in nucleotide.iter().enumerate() {
                let line = lines[copy.contig()];
                let numbered = (number + 1, nucleotide.len());
                rows.push(self.nucleotide_row(accession, copy, line, numbered));
            }
        }
        rows
    }

    /// The row of an RNA gene's or a promoter's copy: its bases are the target, its calls
    /// the nucleotide search's.
    fn nucleotide_row(
        &self,
        accession: &str,
        copy: &NucleotideCopy,
        line: usize,
        (number, of): (usize, usize),
    ) -> GenomeRow {
        let (start, end) = copy.one_based();
        let location = TargetHeader {
            accession: accession.to_owned(),
            gene: copy.gene().to_owned(),
            start: start as u64,
            end: end as u64,
            strand: copy.strand().symbol().to_string(),
            contig: copy.contig_name().to_owned(),
            checksum: sequence_checksum(copy.bases())[..12].to_owned(),
        };
        let mut detail = format!("copy {number} of {of}");
        if copy.cut_at_start() {
            detail.push_str("; partial: the contig ends before the gene's start");
        }
        if copy.cut_at_end() {
            detail.push_str("; partial: the contig ends before the gene's end");
        }
        GenomeRow::Copy {
            gene: copy.gene().to_owned(),
            header: format!(
                "{}|{}|{start}-{end}|{}|{}|{}",
                location.accession,
                location.gene,
                location.strand,
                location.contig,
                location.checksum
            ),
            line,
            location: Some(Box::new(location)),
            reference: self.nucleotide_to_set[copy.reference()],
            protein: copy.bases().to_vec(),
            target: Some(Box::new(GenomeTarget {
                codons: Vec::new(),
                positions: Vec::new(),
                frameshift: None,
                nucleotide_calls: Some(copy.calls().to_vec()),
                alignment: Some(copy.alignment().clone()),
                cut_at_start: copy.cut_at_start(),
                cut_at_stop: copy.cut_at_end(),
            })),
            detail,
        }
    }

    fn copy_row(
        &self,
        accession: &str,
        copy: &GeneCopy,
        line: usize,
        (number, of): (usize, usize),
    ) -> GenomeRow {
        let (start, end) = copy.one_based();
        let checksum = sequence_checksum(copy.protein())[..12].to_owned();
        let location = TargetHeader {
            accession: accession.to_owned(),
            gene: copy.gene().to_owned(),
            start: start as u64,
            end: end as u64,
            strand: copy.strand().symbol().to_string(),
            contig: copy.contig_name().to_owned(),
            checksum,
        };
        let mut notes = Vec::new();
        let mut detail = format!("copy {number} of {of}");
        if copy.cut_at_start() {
            notes.push("partial=start");
            detail.push_str("; partial: the contig ends before the gene's start");
        }
        if copy.cut_at_stop() {
            notes.push("partial=end");
            detail.push_str("; partial: the contig ends before the gene's stop codon");
        }
        let mut header = format!(
            "{}|{}|{}-{}|{}|{}|{}",
            location.accession,
            location.gene,
            location.start,
            location.end,
            location.strand,
            location.contig,
            location.checksum
        );
        if !notes.is_empty() {
            header.push(' ');
            header.push_str(&notes.join(" "));
        }
        GenomeRow::Copy {
            gene: copy.gene().to_owned(),
            header,
            line,
            location: Some(Box::new(location)),
            reference: self.to_set[copy.reference()],
            protein: copy.protein().to_vec(),
            target: None,
            detail,
        }
    }
}

/// Adds what the detail and the header's description say of a frameshift and of a gene split
/// across two contigs (`split=1/2`, the other part's contig and range).
fn describe_links(copy: &GeneCopy, copies: &[GeneCopy], detail: &mut String, header: &mut String) {
    let mut notes = Vec::new();
    if let Some(shift) = copy.frameshifts().first() {
        detail.push_str(&format!(
            "; frameshift {} at contig position {} ({shift})",
            shift.notation(),
            shift.contig_position()
        ));
        notes.push(format!("frameshift={}", shift.notation()));
    }
    if let Some(split) = copy.split() {
        let other = &copies[split.linked()];
        let (from, to) = split.reference_range();
        let (other_from, other_to) = split.linked_reference_range();
        let (start, end) = other.one_based();
        detail.push_str(&format!(
            "; split across contigs: part {} of 2 (reference residues {from}-{to}), the other \
             part on {} {start}-{end} (reference residues {other_from}-{other_to})",
            split.part(),
            other.contig_name()
        ));
        notes.push(format!("split={}/2", split.part()));
    }
    if !notes.is_empty() {
        header.push(' ');
        header.push_str(&notes.join(" "));
    }
}

/// The share of `A/C/G/T/U/N` from which a genome file reads as nucleotides (IUPAC codes and
/// other letters make up the rest).
const GENOME_NUCLEOTIDE_LIKE: f64 = 0.9;

/// A genome (its contigs' bases, `parts`) must hold bases, and mostly nucleotides; `path`
/// names it in the error.
pub(crate) fn check_nucleotides(path: &Path, parts: &[&[u8]]) -> Result<()> {
    let total: usize = parts.iter().map(|part| part.len()).sum();
    if total == 0 {
        return Err(Error::Input {
            path: path.to_owned(),
            message: "genome holds no bases (every record is empty)".into(),
        });
    }
    let nucleotides: f64 = parts
        .iter()
        .map(|part| crate::seq::nucleotide_fraction(part) * part.len() as f64)
        .sum();
    let fraction = nucleotides / total as f64;
    if fraction < GENOME_NUCLEOTIDE_LIKE {
        return Err(Error::Input {
            path: path.to_owned(),
            message: format!(
                "not a nucleotide FASTA: only {:.0}% of its letters are A/C/G/T/U/N (protein? \
                 give proteins with --proteins, proteomes with --proteomes)",
                100.0 * fraction
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accession_is_the_file_name_without_extensions() {
        for (path, accession) in [
            ("dir/GCF_000005845.2.fna.gz", "GCF_000005845.2"),
            ("sample_1.fasta", "sample_1"),
            ("reads.fa.gz", "reads"),
            ("genome", "genome"),
        ] {
            assert_eq!(genome_accession(Path::new(path)), accession);
        }
    }
}
