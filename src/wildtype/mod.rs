//! The wild-type pipeline: match target proteins to their gene's wild-type reference, align
//! each pair exactly as `water -asequence target -bsequence reference` does, grade the
//! alignment and call mutations in reference numbering.
//!
//! Data flows one way: inputs ([`ReferenceSet`], target files, [`Catalogue`]) -> (target,
//! reference) pairs -> [`crate::align::Aligner`] -> [`Quality`] and [`call_mutations`] ->
//! output tables. [`run`] does all of it for a [`PipelineConfig`]; [`for_each_result`] hands
//! a library caller each target's [`TargetResult`] in memory instead, in input order;
//! [`GenomeCaller`] finds and calls the genes of one genome held in memory, without files.
//!
//! # Outputs (in the output directory, each renamed into place only when complete)
//!
//! - `alignments.tsv` / `alignments.jsonl`: one row per target, input order: ids, gene,
//!   reference, contig location, lengths, 1-based inclusive coordinates, water's identity /
//!   similarity / gaps, query and reference coverage, score, normalized score, score ratio,
//!   tier, CIGAR (target as query), mutation counts, status (`ok`, `no_reference`,
//!   `bad_header`, `empty_sequence`, `alignment_error`, `not_homologous`, `not_protein`; see
//!   [`Status`]) and detail.
//! - `mutations.tsv` / `mutations.jsonl`: one row per call (see [`MutationCall`]), with the
//!   alignment's tier and, with a catalogue, `known`/`novel` and the catalogue's columns.
//! - `catalogue_unobserved.tsv` (with a catalogue): rows no target carried.
//! - `alignments/{accession}_{gene}.water` (when asked): water's srspair report of the pair.
//! - `report.html`: the run as a page to read first: counts per tier and status, a
//!   tier-by-gene bar chart, per reference a lollipop plot of its mutated positions, the
//!   phenotype matrix (see [`render_report`]).
//! - `manifest.json`: tool version, parameters, kernel, inputs with SHA-256, references used
//!   with checksums, counts per tier and status, failures with reasons, warnings (each also
//!   on standard error: skipped files, clamped penalties, checksums that do not match...),
//!   wall time, and `outputs`: every file the run wrote (`alignments/...water` one by one).
//!
//! A run owns exactly the files its manifest lists: a re-run into the same directory removes
//! the earlier manifest's files that it does not write again and touches no other file. See
//! [`run`] for the rest of the output directory's rules (the lock, what stands in the way,
//! leftovers of killed runs).
//!
//! # Coverage and tiers
//!
//! The tiers use *reference coverage* (how much of the wild-type protein the alignment spans,
//! so how much of it the calls speak for) and the *score ratio* (water's score over the
//! reference's score against itself); see [`Quality`] and [`TierThresholds`].
//!
//! # Numbering and what is not called
//!
//! Positions are the reference sequence's own 1-based numbering (the first residue of the
//! reference FASTA is 1), not a scheme such as Ambler's for class A beta-lactamases: TEM-1's
//! "G238S" is `G236S` here (sequence position). Extra target residues beyond either end of
//! the reference (extensions) are not called, and a changed first residue is called as a
//! substitution (`M1V`) rather than HGVS's `p.Met1?`.

mod caller;
mod catalogue;
mod codons;
mod config;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod genome;
mod genomes;
mod grade;
mod header;
mod hgvs;
mod input;
mod mutation;
mod output;
mod phenotypes;
mod pipeline;
mod plan;
mod pointfinder;
mod progress;
mod proteomes;
mod quality;
mod records;
mod render;
mod report_html;
mod text;
mod warning;

pub use caller::GenomeCaller;
pub use catalogue::{Catalogue, CatalogueEntry, PointFinderRule, RequiredMutation};
pub use config::{PipelineConfig, Shard};
pub use header::{GeneMap, GeneRule, TargetHeader, sequence_checksum};
pub use hgvs::three_letter_code;
pub use input::{
    InputFile, PROTEIN_FASTA_EXTENSIONS, Reference, ReferenceSet, is_protein_file_name,
};
pub use mutation::{MutationCall, MutationKind, call_mutations};
pub use output::{RunSummary, water_file_name};
pub use pipeline::{for_each_result, run};
pub use progress::Progress;
pub use quality::{Quality, Tier, TierRule, TierThresholds};
pub use records::{AlignmentRecord, MutationRecord, Status, TargetResult};
pub use report_html::{TIMINGS_BEGIN, TIMINGS_END, render_report, write_report};
pub use text::CallText;
pub use warning::{Warning, WarningKind};
