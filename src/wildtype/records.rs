//! Per-target results: the row of `alignments.tsv` ([`AlignmentRecord`]), the rows of
//! `mutations.tsv` ([`MutationRecord`]) and both together ([`TargetResult`]), as a library
//! caller gets them from [`crate::wildtype::for_each_result`].
//!
//! Strings shared by many rows (accession, gene, reference, file) are `Arc<str>`: a target's
//! mutation rows share them instead of copying.

use std::sync::Arc;

use super::mutation::MutationCall;
use super::quality::{Quality, Tier};
use super::text::CallText;

/// Whether a target was aligned, and if not why.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::Status;
///
/// assert_eq!(Status::NoReference.as_str(), "no_reference");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Aligned against its gene's reference.
    Ok,
    /// No reference for the target's gene.
    NoReference,
    /// The header names no gene (see [`crate::wildtype::GeneRule`]).
    BadHeader,
    /// The target has no residues.
    EmptySequence,
    /// The aligner refused the pair.
    AlignmentError,
    /// Aligned, but below the LOW tier: the target is not the gene its label says (another
    /// gene's protein, a fragment too short to speak for the gene), so its would-be calls
    /// are noise and are not reported.
    NotHomologous,
    /// The target looks like a nucleotide sequence while its reference is a protein; not
    /// aligned.
    NotProtein,
    /// Genome input: the genome holds no copy of the gene at the search's thresholds (one row
    /// per genome and gene). Absent is not wild type: nothing about the gene's mutations can
    /// be said.
    Absent,
}

impl Status {
    /// The snake-case name used in the outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::NoReference => "no_reference",
            Status::BadHeader => "bad_header",
            Status::EmptySequence => "empty_sequence",
            Status::AlignmentError => "alignment_error",
            Status::NotHomologous => "not_homologous",
            Status::NotProtein => "not_protein",
            Status::Absent => "absent",
        }
    }
}

/// One row of `alignments.tsv` / `alignments.jsonl`. Coordinates are 1-based inclusive; the
/// alignment's fields are `None` when the target was not aligned.
#[derive(Debug, Clone, PartialEq)]
pub struct AlignmentRecord {
    /// The target's accession (its header's first field).
    pub accession: Arc<str>,
    /// The target's gene, when its header or the gene map names one.
    pub gene: Option<Arc<str>>,
    /// The reference's id (its header's first word).
    pub reference: Option<Arc<str>>,
    /// The target file, as given.
    pub file: Arc<str>,
    /// The 1-based line of the target's header.
    pub line: usize,
    /// Contig of a standard header.
    pub contig: Option<String>,
    /// 1-based start on the contig.
    pub contig_start: Option<u64>,
    /// 1-based inclusive end on the contig.
    pub contig_end: Option<u64>,
    /// `+` or `-`.
    pub strand: Option<String>,
    /// Residues of the target.
    pub target_length: usize,
    /// Residues of the reference.
    pub reference_length: Option<usize>,
    /// First aligned target residue.
    pub target_start: Option<usize>,
    /// Last aligned target residue.
    pub target_end: Option<usize>,
    /// First aligned reference residue.
    pub reference_start: Option<usize>,
    /// Last aligned reference residue.
    pub reference_end: Option<usize>,
    /// Identity, coverage, score and ratios.
    pub quality: Option<Quality>,
    /// The tier ([`Tier::Failed`] when not aligned).
    pub tier: Tier,
    /// CIGAR with the target as query (`=`, `X`, `I`, `D`).
    pub cigar: Option<String>,
    /// Mutation calls.
    pub mutations: usize,
    /// Calls found in the catalogue.
    pub known_mutations: usize,
    /// Whether the target was aligned.
    pub status: Status,
    /// Why not, when not.
    pub detail: String,
}

/// The TSV columns of [`AlignmentRecord`], in order.
pub(crate) const ALIGNMENT_COLUMNS: &[&str] = &[
    "accession",
    "gene",
    "reference",
    "file",
    "line",
    "contig",
    "contig_start",
    "contig_end",
    "strand",
    "target_length",
    "reference_length",
    "target_start",
    "target_end",
    "reference_start",
    "reference_end",
    "identity",
    "similarity",
    "gaps",
    "alignment_length",
    "query_coverage",
    "reference_coverage",
    "score",
    "normalized_score",
    "score_ratio",
    "tier",
    "cigar",
    "mutations",
    "known_mutations",
    "status",
    "detail",
];

/// One row of `mutations.tsv` / `mutations.jsonl`.
#[derive(Debug, Clone, PartialEq)]
pub struct MutationRecord {
    /// The target's accession.
    pub accession: Arc<str>,
    /// The target's gene.
    pub gene: Arc<str>,
    /// The reference's id.
    pub reference: Arc<str>,
    /// The alignment's tier.
    pub tier: Tier,
    /// The call.
    pub call: MutationCall,
    /// `known` or `novel` when a catalogue was given.
    pub catalogue: Option<&'static str>,
    /// The catalogue's name of a known call.
    pub catalogue_mutation: Option<String>,
    /// The catalogue line of a known call.
    pub catalogue_line: Option<usize>,
    /// The catalogue's free columns of a known call (`name=value; ...`).
    pub annotation: Option<String>,
    /// The catalogue row of a known call (0-based).
    pub catalogue_index: Option<usize>,
    /// Genome input: the codons involved, reference then target (`TCG>TTG`; `-` for none,
    /// as in an insertion's reference side); `None` for protein input or when the reference
    /// has no coding sequence.
    pub codon_change: Option<String>,
    /// Genome input: the 1-based position, in the reference gene's coding sequence, of the
    /// first base of the first reference codon involved (`3 * (reference_start - 1) + 1`).
    pub gene_position: Option<usize>,
    /// Genome input: the 1-based position on the contig (as given) of the first base, in
    /// reading direction, of the target codon at `target_position` (on the reverse strand
    /// the codon's highest coordinate).
    pub contig_position: Option<u64>,
    /// The call in PointFinder's notation, gene included (`gyrA p.S83L`, `gyrA p.Y321*`,
    /// `gyrB p.L361_L362del`, `parE p.G276_G277insL`, `23S r.2058A>G`,
    /// `ampC-promoter-size-53bp n.-42C>T`; a frameshift `folP p.L194fs`, where PointFinder
    /// writes a substitution and the codons after it); `None` for what PointFinder does not
    /// report (synonymous notes, truncations at a target's ends, unknown bases).
    pub pointfinder: Option<CallText>,
}

/// The TSV columns of [`MutationRecord`], in order.
pub(crate) const MUTATION_COLUMNS: &[&str] = &[
    "accession",
    "gene",
    "reference",
    "tier",
    "kind",
    "mutation",
    "hgvs",
    "reference_start",
    "reference_end",
    "reference_residues",
    "target_residues",
    "target_position",
    "catalogue",
    "catalogue_mutation",
    "catalogue_line",
    "annotation",
    "codon_change",
    "gene_position",
    "contig_position",
    "pointfinder",
];

/// Everything the pipeline found for one target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetResult {
    /// The alignment row, with the status.
    pub record: AlignmentRecord,
    /// The mutation calls, in alignment order.
    pub mutations: Vec<MutationRecord>,
    /// water's srspair report of the pair, when the run writes them (and the target was
    /// aligned).
    pub water: Option<Vec<u8>>,
}
