//! The rows of `alignments.tsv` / `mutations.tsv` and their JSON-lines twins.

use serde::Serialize;

use crate::align::Alignment;

use super::catalogue::CatalogueEntry;
use super::input::Reference;
use super::pipeline::Target;
use super::{MutationCall, Quality, Tier};

/// Whether a target was aligned, and if not why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    Ok,
    NoReference,
    BadHeader,
    EmptySequence,
    AlignmentError,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::NoReference => "no_reference",
            Status::BadHeader => "bad_header",
            Status::EmptySequence => "empty_sequence",
            Status::AlignmentError => "alignment_error",
        }
    }
}

/// One row of `alignments.tsv`. Coordinates are 1-based inclusive.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct AlignmentRecord {
    pub accession: String,
    pub gene: Option<String>,
    pub reference: Option<String>,
    pub file: String,
    pub line: usize,
    pub contig: Option<String>,
    pub contig_start: Option<u64>,
    pub contig_end: Option<u64>,
    pub strand: Option<String>,
    pub target_length: usize,
    pub reference_length: Option<usize>,
    pub target_start: Option<usize>,
    pub target_end: Option<usize>,
    pub reference_start: Option<usize>,
    pub reference_end: Option<usize>,
    #[serde(flatten)]
    pub quality: Option<Quality>,
    pub tier: Tier,
    pub cigar: Option<String>,
    pub mutations: usize,
    pub known_mutations: usize,
    pub status: Status,
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

fn text<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

impl AlignmentRecord {
    pub(crate) fn unaligned(target: &Target) -> Self {
        let location = target.location.as_ref();
        Self {
            accession: target.accession.clone(),
            gene: target.gene.clone(),
            reference: None,
            file: target.file.display().to_string(),
            line: target.line,
            contig: location.map(|l| l.contig.clone()),
            contig_start: location.map(|l| l.start),
            contig_end: location.map(|l| l.end),
            strand: location.map(|l| l.strand.clone()),
            target_length: target.residues.len(),
            reference_length: None,
            target_start: None,
            target_end: None,
            reference_start: None,
            reference_end: None,
            quality: None,
            tier: Tier::Failed,
            cigar: None,
            mutations: 0,
            known_mutations: 0,
            status: Status::Ok,
            detail: String::new(),
        }
    }

    pub(crate) fn set_alignment(&mut self, alignment: &Alignment, quality: Quality, tier: Tier) {
        let (a, b) = (alignment.a_range(), alignment.b_range());
        self.target_start = Some(a.start + 1);
        self.target_end = Some(a.end);
        self.reference_start = Some(b.start + 1);
        self.reference_end = Some(b.end);
        self.quality = Some(quality);
        self.tier = tier;
        self.cigar = Some(alignment.cigar());
    }

    /// The TSV fields, in [`ALIGNMENT_COLUMNS`] order.
    pub(crate) fn tsv_fields(&self) -> Vec<String> {
        let q = self.quality.as_ref();
        let f = |value: Option<f64>, decimals: usize| {
            value.map_or(String::new(), |v| format!("{v:.decimals$}"))
        };
        vec![
            self.accession.clone(),
            text(&self.gene),
            text(&self.reference),
            self.file.clone(),
            self.line.to_string(),
            text(&self.contig),
            text(&self.contig_start),
            text(&self.contig_end),
            text(&self.strand),
            self.target_length.to_string(),
            text(&self.reference_length),
            text(&self.target_start),
            text(&self.target_end),
            text(&self.reference_start),
            text(&self.reference_end),
            f(q.map(|q| q.identity), 2),
            f(q.map(|q| q.similarity), 2),
            f(q.map(|q| q.gaps), 2),
            text(&q.map(|q| q.alignment_length)),
            f(q.map(|q| q.query_coverage), 2),
            f(q.map(|q| q.reference_coverage), 2),
            q.map_or(String::new(), |q| q.score.to_string()),
            f(q.map(|q| q.normalized_score), 4),
            f(q.map(|q| q.score_ratio), 4),
            self.tier.to_string(),
            text(&self.cigar),
            self.mutations.to_string(),
            self.known_mutations.to_string(),
            self.status.as_str().to_owned(),
            self.detail.clone(),
        ]
    }
}

/// One row of `mutations.tsv`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MutationRecord {
    pub accession: String,
    pub gene: String,
    pub reference: String,
    pub tier: Tier,
    #[serde(flatten)]
    pub call: MutationCall,
    /// `known` or `novel` when a catalogue was given.
    pub catalogue: Option<&'static str>,
    pub catalogue_mutation: Option<String>,
    pub catalogue_line: Option<usize>,
    pub annotation: Option<String>,
    #[serde(skip)]
    pub catalogue_index: Option<usize>,
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
];

impl MutationRecord {
    /// `entry`: `None` without a catalogue, `Some(None)` for a novel call.
    pub(crate) fn new(
        target: &Target,
        reference: &Reference,
        tier: Tier,
        call: MutationCall,
        entry: Option<Option<(usize, &CatalogueEntry)>>,
    ) -> Self {
        let known = entry.flatten();
        Self {
            accession: target.accession.clone(),
            gene: target.gene.clone().unwrap_or_default(),
            reference: reference.id.clone(),
            tier,
            call,
            catalogue: entry.map(|e| if e.is_some() { "known" } else { "novel" }),
            catalogue_mutation: known.map(|(_, e)| e.mutation().to_owned()),
            catalogue_line: known.map(|(_, e)| e.line()),
            annotation: known.map(|(_, e)| e.annotation_text()),
            catalogue_index: known.map(|(index, _)| index),
        }
    }

    /// The TSV fields, in [`MUTATION_COLUMNS`] order.
    pub(crate) fn tsv_fields(&self) -> Vec<String> {
        let call = &self.call;
        vec![
            self.accession.clone(),
            self.gene.clone(),
            self.reference.clone(),
            self.tier.to_string(),
            call.kind.as_str().to_owned(),
            call.mutation.clone(),
            call.hgvs.clone(),
            call.reference_start.to_string(),
            call.reference_end.to_string(),
            call.reference_residues.clone(),
            call.target_residues.clone(),
            call.target_position.to_string(),
            text(&self.catalogue),
            text(&self.catalogue_mutation),
            text(&self.catalogue_line),
            text(&self.annotation),
        ]
    }
}
