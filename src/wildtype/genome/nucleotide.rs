//! What the nucleotide search reports: one copy of an RNA gene or promoter found in a contig.

use std::ops::Range;

use super::copy::Strand;
use super::ncall::NucleotideCall;
use super::species::GeneKind;
use crate::align::Alignment;

/// One copy of an RNA gene or promoter in a genome: where it lies, its bases, its
/// water-exact alignment against the reference it matches best, and its calls.
///
/// [`NucleotideCopy::range`] is 0-based and half-open on the contig as given, whatever the
/// strand; it spans the bases the alignment covers (so a copy whose ends differ from the
/// reference may be a few bases shorter than the gene).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::{find_nucleotide_genes, Contig, Species, Strand};
///
/// let species = Species::embedded("escherichia_coli").unwrap();
/// let promoter = species.genes().iter().find(|g| g.gene().starts_with("ampC")).unwrap();
/// let mut copy = promoter.nucleotides().to_vec();
/// copy[11] = b'T'; // -42 C>T
/// let genome = [b"ACGGT".repeat(40), copy, b"TTGCA".repeat(40)].concat();
/// let copies = find_nucleotide_genes(&[Contig::new("c1", &genome)], &species.nucleotide_references()).unwrap();
/// assert_eq!(copies.len(), 1);
/// let found = &copies[0];
/// assert_eq!((found.gene(), found.range(), found.strand()), ("ampC-promoter-size-53bp", 200..345, Strand::Forward));
/// assert_eq!(found.calls()[0].notation(), "n.-42C>T");
/// assert_eq!(found.calls()[0].pointfinder(), Some("ampC-promoter-size-53bp n.-42C>T"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NucleotideCopy {
    pub(crate) reference: usize,
    pub(crate) gene: String,
    pub(crate) reference_name: String,
    pub(crate) kind: GeneKind,
    pub(crate) contig: usize,
    pub(crate) contig_name: String,
    pub(crate) range: Range<usize>,
    pub(crate) strand: Strand,
    pub(crate) cut_at_start: bool,
    pub(crate) cut_at_end: bool,
    pub(crate) bases: Vec<u8>,
    pub(crate) alignment: Alignment,
    pub(crate) reference_length: usize,
    pub(crate) calls: Vec<NucleotideCall>,
}

impl NucleotideCopy {
    /// Index of the reference (in the slice the search was built from) this copy matches best.
    pub fn reference(&self) -> usize {
        self.reference
    }

    /// The reference's gene (`16S-rrsB`).
    pub fn gene(&self) -> &str {
        &self.gene
    }

    /// The reference's record name (`16S-rrsB_1_CP067250.1`).
    pub fn reference_name(&self) -> &str {
        &self.reference_name
    }

    /// RNA gene or promoter.
    pub fn kind(&self) -> GeneKind {
        self.kind
    }

    /// Index of the contig (in the slice searched).
    pub fn contig(&self) -> usize {
        self.contig
    }

    /// The contig's name.
    pub fn contig_name(&self) -> &str {
        &self.contig_name
    }

    /// 0-based half-open range of the copy on the contig as given.
    pub fn range(&self) -> Range<usize> {
        self.range.clone()
    }

    /// 1-based inclusive `(start, end)` on the contig as given, `start <= end` on either
    /// strand.
    pub fn one_based(&self) -> (usize, usize) {
        (self.range.start + 1, self.range.end)
    }

    /// The strand the gene is read on.
    pub fn strand(&self) -> Strand {
        self.strand
    }

    /// The reference's first bases are missing because the contig ends (in the gene's
    /// orientation) before them.
    pub fn cut_at_start(&self) -> bool {
        self.cut_at_start
    }

    /// The reference's last bases are missing because the contig ends before them.
    pub fn cut_at_end(&self) -> bool {
        self.cut_at_end
    }

    /// Whether the copy is cut at either contig end.
    pub fn is_partial(&self) -> bool {
        self.cut_at_start || self.cut_at_end
    }

    /// The copy's bases in the gene's orientation, as the contig has them (case kept).
    pub fn bases(&self) -> &[u8] {
        &self.bases
    }

    /// water's alignment of [`NucleotideCopy::bases`] (a) against the reference (b), EDNAFULL
    /// with gap penalties 10 and 0.5; it spans the whole copy.
    pub fn alignment(&self) -> &Alignment {
        &self.alignment
    }

    /// water's identity: identical positions over the alignment's length, 0..=1.
    pub fn identity(&self) -> f64 {
        let stats = self.alignment.stats();
        stats.identity() as f64 / stats.length().max(1) as f64
    }

    /// The share of the reference the alignment spans, 0..=1.
    pub fn reference_coverage(&self) -> f64 {
        self.alignment.b_range().len() as f64 / self.reference_length.max(1) as f64
    }

    /// The differences from the reference, 5' to 3' in the gene's orientation: substitutions,
    /// insertions, deletions and [`crate::wildtype::genome::NucleotideCallKind::Unknown`]
    /// stretches (bases other than `ACGT` in the copy, which are not mutations).
    pub fn calls(&self) -> &[NucleotideCall] {
        &self.calls
    }
}
