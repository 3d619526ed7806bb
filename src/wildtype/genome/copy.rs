//! What the genome search reports: one copy of a reference gene found in a contig.

use std::ops::Range;

use super::shift::Frameshift;
use super::split::SplitPart;
use crate::align::Alignment;

/// One contig of a genome assembly: its name and its bases (upper or lower case; anything
/// but `ACGT`/`U` reads as unknown).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::Contig;
///
/// let contig = Contig::new("contig_1", b"ACGTNNACGT");
/// assert_eq!((contig.name(), contig.sequence().len()), ("contig_1", 10));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contig<'a> {
    name: &'a str,
    sequence: &'a [u8],
}

impl<'a> Contig<'a> {
    /// A contig from its name and bases.
    pub fn new(name: &'a str, sequence: &'a [u8]) -> Self {
        Self { name, sequence }
    }

    /// The contig's name.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The contig's bases.
    pub fn sequence(&self) -> &'a [u8] {
        self.sequence
    }
}

/// The strand a gene lies on: `+` reads the contig as given, `-` its reverse complement.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::Strand;
///
/// assert_eq!((Strand::Forward.symbol(), Strand::Reverse.symbol()), ('+', '-'));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Strand {
    /// The contig as given.
    Forward,
    /// The reverse complement of the contig.
    Reverse,
}

impl Strand {
    /// `+` or `-`, as in the target header's strand field.
    pub fn symbol(self) -> char {
        match self {
            Strand::Forward => '+',
            Strand::Reverse => '-',
        }
    }
}

/// One copy of a reference gene in a genome: where it lies, its coding sequence and protein,
/// and its water-exact alignment against the reference it matches best.
///
/// Coordinates follow the crate's rule: [`GeneCopy::range`] is 0-based and half-open on the
/// contig as given (forward strand) whatever the gene's strand; [`GeneCopy::one_based`] gives
/// the 1-based inclusive pair that text outputs print. The range spans the whole extracted
/// coding sequence, stop codon included.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::{find_genes, Contig, ProteinReference, Strand};
///
/// let reference = ProteinReference::new("toy", "toy_1", b"MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQ".to_vec());
/// let cds = b"ATGAAAACCGCGTATATTGCGAAACAGCGCCAGATTAGCTTTGTGAAAAGCCATTTTAGCCGCCAGCTGGAAGAACGCCTGGGCCTGATTGAAGTGCAGTAA";
/// let contig = [b"CCCCCCCCCC".as_slice(), cds, b"GGGGGGGGGG"].concat();
/// let copies = find_genes(&[Contig::new("c1", &contig)], &[reference]).unwrap();
/// let copy = &copies[0];
/// assert_eq!((copy.one_based(), copy.strand()), ((11, 112), Strand::Forward));
/// assert_eq!(copy.protein(), b"MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQ");
/// assert_eq!((copy.identity(), copy.reference_coverage(), copy.is_partial()), (1.0, 1.0, false));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GeneCopy {
    pub(crate) reference: usize,
    pub(crate) gene: String,
    pub(crate) reference_name: String,
    pub(crate) contig: usize,
    pub(crate) contig_name: String,
    pub(crate) range: Range<usize>,
    pub(crate) strand: Strand,
    pub(crate) cut_at_start: bool,
    pub(crate) cut_at_stop: bool,
    pub(crate) cds: Vec<u8>,
    pub(crate) protein: Vec<u8>,
    pub(crate) alignment: Alignment,
    pub(crate) reference_length: usize,
    pub(crate) frameshifts: Vec<Frameshift>,
    /// 0-based contig position (as given) of each residue's codon's first base.
    pub(crate) codon_positions: Vec<usize>,
    pub(crate) split: Option<SplitPart>,
}

impl GeneCopy {
    /// Index of the reference (in the slice the search was built from) this copy matches best.
    pub fn reference(&self) -> usize {
        self.reference
    }

    /// The reference's gene (`gyrA`).
    pub fn gene(&self) -> &str {
        &self.gene
    }

    /// The reference's record name (`gyrA_1_CP073768.1`).
    pub fn reference_name(&self) -> &str {
        &self.reference_name
    }

    /// Index of the contig (in the slice searched).
    pub fn contig(&self) -> usize {
        self.contig
    }

    /// The contig's name.
    pub fn contig_name(&self) -> &str {
        &self.contig_name
    }

    /// 0-based half-open range of the coding sequence on the contig as given.
    pub fn range(&self) -> Range<usize> {
        self.range.clone()
    }

    /// 1-based inclusive `(start, end)` on the contig as given, `start <= end` on either
    /// strand (as the target header's `start-end` field).
    pub fn one_based(&self) -> (usize, usize) {
        (self.range.start + 1, self.range.end)
    }

    /// The strand the gene is read on.
    pub fn strand(&self) -> Strand {
        self.strand
    }

    /// The gene's start lies beyond the contig's end: the coding sequence begins with the
    /// first whole codon in frame at the contig's edge.
    pub fn cut_at_start(&self) -> bool {
        self.cut_at_start
    }

    /// The contig ends before a stop codon in frame: the coding sequence ends with the last
    /// whole codon.
    pub fn cut_at_stop(&self) -> bool {
        self.cut_at_stop
    }

    /// Whether the copy is cut at either contig end.
    pub fn is_partial(&self) -> bool {
        self.cut_at_start || self.cut_at_stop
    }

    /// The extracted coding sequence in the gene's orientation, as the contig has it (case
    /// kept), stop codon included when there is one.
    pub fn cds(&self) -> &[u8] {
        &self.cds
    }

    /// The translated protein (table 11; the first codon read as `M` when it is a start codon
    /// and the gene is not cut at its start; internal stops as `*`, unknown codons as `X`),
    /// without the final stop.
    ///
    /// With a [frameshift](GeneCopy::frameshifts), the translation follows the reference's
    /// frame across the shift (inserted bases skipped; deleted bases read as `N`, so the codon
    /// a deletion breaks reads `X`): residues past the shift line up with the reference and
    /// their changes are real changes, not the shifted frame's garbage. The cell's real
    /// product would be truncated at the first stop codon of the shifted frame.
    pub fn protein(&self) -> &[u8] {
        &self.protein
    }

    /// The frameshifts inside this copy (at most one: a second shift is not followed), in
    /// gene order.
    pub fn frameshifts(&self) -> &[Frameshift] {
        &self.frameshifts
    }

    /// The 0-based position, on the contig as given, of the first base (in the gene's
    /// orientation) of the codon read for residue `residue` (0-based) of
    /// [`GeneCopy::protein`]; `None` past the protein's end. On the reverse strand the first
    /// base is the highest of the codon's three positions: the codon is the reverse
    /// complement of `contig[p - 2..=p]`. Across a frameshift the codon may not be three
    /// contiguous bases (an insertion skipped, a deletion's missing base): the position is
    /// that of its first base read from the contig.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::wildtype::genome::{find_genes, Contig, Species, reverse_complement};
    ///
    /// let species = Species::embedded("escherichia_coli").unwrap();
    /// let gyra = species.genes()[0].nucleotides();
    /// let genome = [b"CAT".repeat(100), reverse_complement(gyra)].concat();
    /// let copies = find_genes(&[Contig::new("c", &genome)], &species.protein_references()).unwrap();
    /// let copy = &copies[0];
    /// // Codon 83 (residue 82), TCG, read on the reverse strand.
    /// let p = copy.codon_position(82).unwrap();
    /// assert_eq!(reverse_complement(&genome[p - 2..=p]), b"TCG");
    /// assert_eq!(copy.codon_position(copy.protein().len()), None);
    /// ```
    pub fn codon_position(&self, residue: usize) -> Option<usize> {
        self.codon_positions.get(residue).copied()
    }

    /// The link to the other part when this copy is one of two parts of a gene split across
    /// contigs (see [`SplitPart`] for the rule).
    pub fn split(&self) -> Option<SplitPart> {
        self.split
    }

    /// water's alignment of [`GeneCopy::protein`] (a) against the reference protein (b), as
    /// the pipeline aligns targets.
    pub fn alignment(&self) -> &Alignment {
        &self.alignment
    }

    /// water's identity: identical positions over the alignment's length, 0..=1.
    pub fn identity(&self) -> f64 {
        let stats = self.alignment.stats();
        stats.identity() as f64 / stats.length().max(1) as f64
    }

    /// The share of the reference protein the alignment spans, 0..=1.
    pub fn reference_coverage(&self) -> f64 {
        self.alignment.b_range().len() as f64 / self.reference_length.max(1) as f64
    }
}
