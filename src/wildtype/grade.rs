//! Grading on the worker threads: a chunk's targets aligned against their references in
//! batches, each result built (record, mutation calls, catalogue look-ups, water report) and
//! handed to a [`Sink`] on the thread that made it.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::Result;
use crate::align::{AlignError, Aligner, Alignment};
use crate::report::{AlignFormat, EmbossWriter, PairReport, RunHeader};
use crate::seq::{NameCounter, Sequence};

use super::catalogue::{Catalogue, ResolvedCatalogue};
use super::codons::{
    codon_fields, frameshift_call, is_unknown, merge_by_position, nucleotide_records,
    synonymous_calls,
};
use super::config::PipelineConfig;
use super::input::{Reference, ReferenceSet};
use super::mutation::{MutationCall, MutationKind, call_mutations, pointfinder_notation};
use super::output::water_file_name;
use super::plan::{Plan, TargetMeta};
use super::quality::{Quality, Tier};
use super::records::{AlignmentRecord, MutationRecord, Status, TargetResult};

/// Targets one worker grades (and renders) in a row.
pub(super) const SLICE_TARGETS: usize = 128;

/// A target's alignment against its reference, or why it could not be made.
pub(super) type Aligned = Result<Alignment, AlignError>;

/// What the workers do with the results they make: each slice of a chunk (up to
/// [`SLICE_TARGETS`] targets, in input order) starts a `Slice` and takes its results one by one,
/// on the thread that made them.
pub(super) trait Sink: Sync {
    type Slice: Send;
    fn start(&self) -> Self::Slice;
    fn take(&self, slice: &mut Self::Slice, result: TargetResult);
}

/// Keeps every result, for [`super::for_each_result`].
pub(super) struct Collect;

impl Sink for Collect {
    type Slice = Vec<TargetResult>;

    fn start(&self) -> Self::Slice {
        Vec::with_capacity(SLICE_TARGETS)
    }

    fn take(&self, slice: &mut Self::Slice, result: TargetResult) {
        slice.push(result);
    }
}

/// Everything the per-target work shares.
pub(super) struct Context<'a> {
    pub(super) config: &'a PipelineConfig,
    pub(super) aligner: &'a Aligner,
    /// RNA genes and promoters (genome runs): EDNAFULL with water's gaps 10 / 0.5, as the
    /// nucleotide search aligns them.
    pub(super) nucleotide_aligner: &'a Aligner,
    pub(super) references: &'a ReferenceSet,
    /// Each reference's id, shared by its targets' records.
    pub(super) reference_ids: Vec<Arc<str>>,
    pub(super) self_scores: Vec<f32>,
    pub(super) catalogue: Option<(&'a Catalogue, &'a ResolvedCatalogue)>,
    pub(super) rundate: String,
    pub(super) plan: &'a Plan,
}

impl Context<'_> {
    /// The aligner of a reference's pairs: BLOSUM62 and the run's gaps for proteins, the
    /// nucleotide aligner for RNA genes and promoters.
    pub(super) fn aligner_for(&self, reference: &Reference) -> &Aligner {
        if reference.is_nucleotide() {
            self.nucleotide_aligner
        } else {
            self.aligner
        }
    }

    /// Aligns a chunk's targets (each reference's targets in one batch, the targets as water's
    /// a, in the lanes of the SIMD kernel), grades them and hands the results to `sink`; the
    /// slices come back in input order.
    pub(super) fn align_chunk<K: Sink>(
        &self,
        chunk: &[TargetMeta],
        sink: &K,
        advance: &(dyn Fn() + Sync),
    ) -> Vec<K::Slice> {
        let alignments = self.align_targets(chunk);
        self.grade_targets(chunk, alignments, sink, advance)
    }

    /// The alignment of each target of `chunk` against its reference, `None` for a target
    /// with a problem (not aligned).
    pub(super) fn align_targets(&self, chunk: &[TargetMeta]) -> Vec<Option<Aligned>> {
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        let mut alignments: Vec<Option<Aligned>> = (0..chunk.len()).map(|_| None).collect();
        for (position, target) in chunk.iter().enumerate() {
            if let (Some(index), None) = (target.reference, &target.problem) {
                // A nucleotide copy comes with the alignment its search made of this pair.
                match target.genome.as_ref().and_then(|g| g.alignment.as_ref()) {
                    Some(alignment) => alignments[position] = Some(Ok(alignment.clone())),
                    None => groups.entry(index).or_default().push(position),
                }
            }
        }
        // The genes side by side: a worker done with one gene's last kernel group takes
        // another gene's, instead of waiting for the other workers at every gene.
        let groups: Vec<(usize, Vec<usize>)> = groups.into_iter().collect();
        let aligned: Vec<Vec<Aligned>> = groups
            .par_iter()
            .map(|(index, positions)| {
                let residues: Vec<&[u8]> = positions
                    .iter()
                    .map(|&position| self.plan.residues(&chunk[position]))
                    .collect();
                let (queries, copies) = distinct(&residues);
                let reference = &self.references.references()[*index];
                let aligned = self
                    .aligner_for(reference)
                    .align_many_to_one(&queries, &reference.residues);
                if queries.len() == copies.len() {
                    // No two alike: `copies` is 0, 1, 2, ..., and the alignments are theirs.
                    return aligned;
                }
                copies.iter().map(|&query| aligned[query].clone()).collect()
            })
            .collect();
        for ((_, positions), aligned) in groups.into_iter().zip(aligned) {
            for (position, alignment) in positions.into_iter().zip(aligned) {
                alignments[position] = Some(alignment);
            }
        }
        alignments
    }

    /// Grades the targets of `chunk` with their [alignments](Self::align_targets) and hands
    /// the results to `sink`; the slices come back in input order.
    pub(super) fn grade_targets<K: Sink>(
        &self,
        chunk: &[TargetMeta],
        mut alignments: Vec<Option<Aligned>>,
        sink: &K,
        advance: &(dyn Fn() + Sync),
    ) -> Vec<K::Slice> {
        chunk
            .par_chunks(SLICE_TARGETS)
            .zip(alignments.par_chunks_mut(SLICE_TARGETS))
            .map(|(targets, alignments)| {
                let mut slice = sink.start();
                for (target, alignment) in targets.iter().zip(alignments) {
                    sink.take(&mut slice, self.grade(target, alignment.take()));
                    advance();
                }
                slice
            })
            .collect()
    }

    /// A target's record before (or without) its alignment.
    fn unaligned_record(&self, target: &TargetMeta, target_length: usize) -> AlignmentRecord {
        let location = target.location.as_ref();
        AlignmentRecord {
            accession: target.accession.clone(),
            gene: target.gene.clone(),
            reference: target
                .reference
                .map(|index| self.reference_ids[index].clone()),
            file: self.plan.files[target.file].shown.clone(),
            line: target.line,
            contig: location.map(|l| l.contig.clone()),
            contig_start: location.map(|l| l.start),
            contig_end: location.map(|l| l.end),
            strand: location.map(|l| l.strand.clone()),
            target_length,
            reference_length: target
                .reference
                .map(|index| self.references.references()[index].length),
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

    /// The mutation records of an aligned target, looked up in the catalogue when there is one.
    fn mutation_records(
        &self,
        target: &TargetMeta,
        (index, reference): (usize, &Reference),
        residues: &[u8],
        alignment: &Alignment,
        tier: Tier,
    ) -> Result<Vec<MutationRecord>, AlignError> {
        let gene: Arc<str> = target.gene.clone().unwrap_or_else(|| Arc::from(""));
        let genome = target.genome.as_deref();
        if let Some(calls) = genome.and_then(|g| g.nucleotide_calls.as_deref()) {
            let shared = (
                target.accession.clone(),
                gene,
                self.reference_ids[index].clone(),
            );
            let mut records = nucleotide_records(calls, alignment, shared, tier);
            for record in &mut records {
                self.look_up(record, reference);
            }
            return Ok(records);
        }
        let mut calls = call_mutations(residues, &reference.residues, alignment)?;
        if let Some(genome) = genome {
            // A contig end is not a deletion: no truncation call at a cut end.
            let cut_end = |call: &MutationCall| match call.kind {
                MutationKind::NTerminalTruncation => genome.cut_at_start,
                MutationKind::CTerminalTruncation => genome.cut_at_stop,
                _ => false,
            };
            calls.retain(|call| !is_unknown(call) && !cut_end(call));
            if let Some(cds) = reference.cds.as_deref() {
                let notes = synonymous_calls(&reference.residues, alignment, genome, cds);
                calls = merge_by_position(calls, notes);
            }
            if let Some(shift) = frameshift_call(genome) {
                // The frameshift call stands for every change at the codon it hits.
                calls.retain(|call| {
                    call.reference_start > shift.reference_end
                        || call.reference_end < shift.reference_start
                });
                calls = merge_by_position(calls, vec![shift]);
            }
        }
        Ok(calls
            .into_iter()
            .map(|call| {
                let (codon_change, gene_position, contig_position) = genome
                    .map(|genome| codon_fields(&call, genome, reference.cds.as_deref()))
                    .unwrap_or_default();
                let mut record = MutationRecord {
                    accession: target.accession.clone(),
                    gene: gene.clone(),
                    reference: self.reference_ids[index].clone(),
                    tier,
                    catalogue: None,
                    catalogue_mutation: None,
                    catalogue_line: None,
                    annotation: None,
                    catalogue_index: None,
                    codon_change,
                    gene_position,
                    contig_position,
                    pointfinder: pointfinder_notation(&gene, &call, &reference.residues),
                    call,
                };
                self.look_up(&mut record, reference);
                record
            })
            .collect())
    }

    /// Marks a call `known` (with the catalogue's row) or `novel` when the run has a
    /// catalogue; synonymous notes and unknown bases are neither.
    fn look_up(&self, record: &mut MutationRecord, reference: &Reference) {
        let Some((catalogue, resolved)) = self.catalogue else {
            return;
        };
        if !record.call.changes_protein() {
            return;
        }
        let change = record.call.change.normalized(&reference.residues);
        let known = resolved
            .find(&reference.gene, &change)
            .map(|index| (index, &catalogue.entries()[index]));
        record.catalogue = Some(if known.is_some() { "known" } else { "novel" });
        if let Some((index, entry)) = known {
            record.catalogue_mutation = Some(entry.mutation().to_owned());
            record.catalogue_line = Some(entry.line());
            // A PointFinder catalogue may list one change in several rows (G81D: ciprofloxacin;
            // with D82G, nalidixic acid too): every row's columns, ` | ` between rows.
            let rows: Vec<String> = resolved
                .find_all(&reference.gene, &change)
                .iter()
                .map(|&i| catalogue.entries()[i].annotation_text())
                .collect();
            record.annotation = Some(rows.join(" | "));
            record.catalogue_index = Some(index);
        }
    }

    /// The record of one target: `alignment` is the target (as water's a) against its
    /// reference, present exactly when the target has no problem.
    fn grade(
        &self,
        target: &TargetMeta,
        alignment: Option<Result<Alignment, AlignError>>,
    ) -> TargetResult {
        let residues = self.plan.residues(target);
        let reference = target
            .reference
            .map(|index| (index, &self.references.references()[index]));
        let mut record = self.unaligned_record(target, residues.len());
        let unaligned = |mut record: AlignmentRecord, status: Status, detail: String| {
            record.status = status;
            record.detail = detail;
            TargetResult {
                record,
                mutations: Vec::new(),
                water: None,
            }
        };
        if let Some((status, detail)) = &target.problem {
            return unaligned(record, *status, detail.clone());
        }
        let (Some((index, reference)), Some(alignment)) = (reference, alignment) else {
            unreachable!("a target without a problem has a reference and an alignment");
        };
        let alignment = match alignment {
            Ok(alignment) => alignment,
            Err(error) => return unaligned(record, Status::AlignmentError, error.to_string()),
        };
        let quality = Quality::assess(
            residues,
            &reference.residues,
            self.self_scores[index],
            &alignment,
        );
        let tier = self.config.tiers.classify(&quality);
        let (a, b) = (alignment.a_range(), alignment.b_range());
        record.target_start = Some(a.start + 1);
        record.target_end = Some(a.end);
        record.reference_start = Some(b.start + 1);
        record.reference_end = Some(b.end);
        record.quality = Some(quality);
        record.tier = tier;
        record.cigar = Some(alignment.cigar());
        // A copy the genome or proteome search found is the gene (the search's identity and
        // coverage floors say so); a short one, cut at a contig end, keeps its calls.
        if tier == Tier::Failed && target.note.is_none() {
            // Another gene's protein (or a scrap of this one): its differences from the
            // reference are not mutations of the gene, so no call is made.
            record.status = Status::NotHomologous;
            record.detail = format!(
                "below the LOW tier: {}",
                self.config.tiers.below_low(&quality)
            );
            let water = self
                .config
                .write_alignments
                .then(|| self.water_report(target, reference, &alignment));
            return TargetResult {
                record,
                mutations: Vec::new(),
                water,
            };
        }
        let mutations =
            match self.mutation_records(target, (index, reference), residues, &alignment, tier) {
                Ok(mutations) => mutations,
                Err(error) => return unaligned(record, Status::AlignmentError, error.to_string()),
            };
        record.mutations = mutations
            .iter()
            .filter(|m| m.call.changes_protein())
            .count();
        if let Some(note) = &target.note {
            record.detail.clone_from(note);
            if tier == Tier::Failed {
                let below = self.config.tiers.below_low(&quality);
                record
                    .detail
                    .push_str(&format!("; below the LOW tier: {below}"));
            }
        }
        if target.genome.is_some() {
            let unknown = residues.iter().filter(|&&r| r == b'X' || r == b'x').count();
            if unknown > 0 {
                record.detail.push_str(&format!(
                    "; {unknown} codons unknown (N or ambiguous bases): not called"
                ));
            }
        }
        record.known_mutations = mutations
            .iter()
            .filter(|m| m.catalogue_index.is_some())
            .count();
        let water = self
            .config
            .write_alignments
            .then(|| self.water_report(target, reference, &alignment));
        TargetResult {
            record,
            mutations,
            water,
        }
    }
}

impl Context<'_> {
    /// water's srspair report of one pair, as `water -asequence <target> -bsequence <reference>`
    /// with the run's gap penalties would write it.
    fn water_report(
        &self,
        target: &TargetMeta,
        reference: &Reference,
        alignment: &Alignment,
    ) -> Vec<u8> {
        let mut counter = NameCounter::new();
        // A header water's reader would reject still gets a report, named by its first word.
        let mut named = |header: &str, residues: &[u8]| {
            Sequence::from_fasta(header, residues, &mut counter).unwrap_or_else(|_| {
                let word = header.split_ascii_whitespace().next().unwrap_or("");
                Sequence::new(word, crate::seq::strip_residues(residues))
            })
        };
        let a = named(&target.header, self.plan.residues(target));
        let b = named(&reference.header, &reference.residues);
        let report_name = water_file_name(&target.accession, &reference.gene);
        let config = self.config;
        let header = RunHeader::new(
            [
                format!("-asequence {}", self.plan.files[target.file].path.display()),
                format!("-bsequence {}", reference.file.display()),
                format!("-gapopen {}", config.gap_open),
                format!("-gapextend {}", config.gap_extend),
                format!("-outfile {report_name}"),
                "-auto".to_owned(),
            ],
            &report_name,
        )
        .with_rundate(self.rundate.clone());
        let mut writer = EmbossWriter::new(Vec::new(), AlignFormat::Srspair);
        // Writing into a Vec cannot fail.
        let _ = writer.write_header(&header);
        let report = PairReport::new(
            alignment,
            a.residues(),
            b.residues(),
            self.aligner_for(reference).matrix(),
            self.aligner_for(reference).gaps(),
        );
        if let Ok(report) = report {
            let report = report
                .names(a.name(), b.name())
                .descriptions(a.description(), b.description());
            let _ = writer.write_alignment(&report);
        }
        let _ = writer.finish();
        writer.into_inner()
    }
}

/// The distinct sequences of `residues` (in order of first appearance) and, for each of
/// `residues`, the index of its sequence among them. Identical targets (the same allele in
/// many isolates) are aligned once: a pair's alignment depends on its two sequences alone.
fn distinct<'a>(residues: &[&'a [u8]]) -> (Vec<&'a [u8]>, Vec<usize>) {
    // Stable: among equal sequences the first in input order comes first.
    let mut order: Vec<usize> = (0..residues.len()).collect();
    order.sort_by(|&x, &y| residues[x].cmp(residues[y]));
    let mut unique_of = vec![0; residues.len()];
    let mut first: Option<usize> = None;
    for (position, &index) in order.iter().enumerate() {
        match first {
            Some(earlier) if position > 0 && residues[earlier] == residues[index] => {
                unique_of[index] = unique_of[earlier];
            }
            _ => {
                first = Some(index);
                unique_of[index] = index;
            }
        }
    }
    // Number the first appearances in input order.
    let mut queries = Vec::new();
    let mut number = vec![usize::MAX; residues.len()];
    let copies = (0..residues.len())
        .map(|index| {
            let first = unique_of[index];
            if number[first] == usize::MAX {
                number[first] = queries.len();
                queries.push(residues[first]);
            }
            number[first]
        })
        .collect();
    (queries, copies)
}

#[cfg(test)]
mod tests {
    use super::distinct;

    #[test]
    fn distinct_numbers_first_appearances_in_input_order() {
        let residues: Vec<&[u8]> = vec![b"MKV", b"MAV", b"MKV", b"M", b"MAV", b"MKV"];
        let (queries, copies) = distinct(&residues);
        assert_eq!(queries, [&b"MKV"[..], b"MAV", b"M"]);
        assert_eq!(copies, [0, 1, 0, 2, 1, 0]);
        let (queries, copies) = distinct(&[]);
        assert!(queries.is_empty() && copies.is_empty());
    }
}
