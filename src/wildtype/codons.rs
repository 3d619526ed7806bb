//! Genome targets' calls at the codon level: the codon change behind each amino-acid call
//! (`TCG>TTG`), its position in the reference gene and on the contig, and synonymous codon
//! changes as notes (`S83=`), which change no residue.

use std::sync::Arc;

use crate::align::{Alignment, Op};

use super::genome::{NucleotideCall, NucleotideCallKind};
use super::genomes::GenomeTarget;
use super::hgvs::{Change, three_letter_code};
use super::mutation::{MutationCall, MutationKind, residue_text};
use super::quality::Tier;
use super::records::MutationRecord;
use super::text::CallText;

/// Upper-case codons `from..to` (0-based residues) of a coding sequence; `None` when the
/// sequence does not hold them all.
fn codons(cds: &[u8], from: usize, to: usize) -> Option<String> {
    let bases = cds.get(3 * from..3 * to)?;
    Some(String::from_utf8_lossy(bases).to_ascii_uppercase())
}

/// Codon fields of a genome target's call: the codon change (reference codons `>` target
/// codons, `-` for none; only when the reference has a coding sequence, and not for
/// truncations), the 1-based position in the reference gene of the first base of the first
/// reference codon involved, and the contig position of the target codon at the call's
/// target position.
pub(crate) fn codon_fields(
    call: &MutationCall,
    target: &GenomeTarget,
    reference_cds: Option<&[u8]>,
) -> (Option<String>, Option<usize>, Option<u64>) {
    let gene_position = 3 * call.reference_start.saturating_sub(1) + 1;
    let contig_position = call
        .target_position
        .checked_sub(1)
        .and_then(|residue| target.contig_position(residue));
    let target_residues = call.target_residues.len();
    let reference_side = |from: usize, to: usize| match reference_cds {
        Some(cds) if from < to => codons(cds, from, to),
        Some(_) => Some("-".to_owned()),
        None => None,
    };
    let target_side = |from: usize, count: usize| {
        if count == 0 {
            Some("-".to_owned())
        } else {
            (from..from + count)
                .map(|residue| {
                    target
                        .codon(residue)
                        .map(|c| String::from_utf8_lossy(&c).into_owned())
                })
                .collect::<Option<String>>()
        }
    };
    let change = match call.kind {
        MutationKind::Substitution
        | MutationKind::Nonsense
        | MutationKind::StopLoss
        | MutationKind::Synonymous => {
            let reference = reference_side(call.reference_start - 1, call.reference_end);
            let altered = target_side(call.target_position.saturating_sub(1), 1);
            reference.zip(altered)
        }
        MutationKind::Deletion => {
            reference_side(call.reference_start - 1, call.reference_end).zip(Some("-".into()))
        }
        MutationKind::Insertion => reference_side(0, 0).zip(target_side(
            call.target_position.saturating_sub(1),
            target_residues,
        )),
        MutationKind::Frameshift => {
            let shift = target.frameshift.as_ref();
            return (
                shift.map(|s| s.bases.clone()),
                shift.map(|s| s.gene_position),
                shift.map(|s| s.contig_position as u64),
            );
        }
        MutationKind::NTerminalTruncation | MutationKind::CTerminalTruncation => None,
    };
    (
        change.map(|(reference, altered)| format!("{reference}>{altered}")),
        Some(gene_position),
        contig_position,
    )
}

/// Whether a genome target's call only reflects unknown bases: a substitution by `X`, which
/// table 11 gives only for a codon with a base other than `A/C/G/T` (an `N` run, an IUPAC
/// code, or the bases a frameshift's deletion removed). Such a residue is unknown, not a
/// mutation.
pub(crate) fn is_unknown(call: &MutationCall) -> bool {
    call.kind == MutationKind::Substitution && call.target_residues.eq_ignore_ascii_case("x")
}

/// The one call of a genome target's frameshift (`L194fs`), at the reference codon it hits.
pub(crate) fn frameshift_call(target: &GenomeTarget) -> Option<MutationCall> {
    let shift = target.frameshift.as_ref()?;
    let residue = shift.reference_residue.to_ascii_uppercase();
    Some(MutationCall {
        kind: MutationKind::Frameshift,
        mutation: shift.notation.as_str().into(),
        hgvs: shift.hgvs.as_str().into(),
        reference_start: shift.reference_codon,
        reference_end: shift.reference_codon,
        reference_residues: residue_text(residue),
        target_residues: "".into(),
        target_position: shift.residue + 1,
        change: Change::Deletion {
            start: shift.reference_codon,
            end: shift.reference_codon,
        },
    })
}

/// The mutation records of an RNA gene's or promoter's copy, from the nucleotide search's
/// calls: `mutation` is the call without `n.` (`2058A>G`, `-42C>T`), `hgvs` the call
/// (`n.2058A>G`); positions are in the reference record (the promoter's first base is 1);
/// `gene_position` is the reference start, `contig_position` the first contig base involved.
/// Unknown bases (`N` runs) are not calls.
pub(crate) fn nucleotide_records(
    calls: &[NucleotideCall],
    alignment: &Alignment,
    (accession, gene, reference): (Arc<str>, Arc<str>, Arc<str>),
    tier: Tier,
) -> Vec<MutationRecord> {
    calls
        .iter()
        .filter(|call| !call.is_unknown())
        .map(|call| {
            let range = call.reference_range();
            let (kind, start, end, change) = match call.kind() {
                NucleotideCallKind::Insertion => (
                    MutationKind::Insertion,
                    range.start,
                    range.start + 1,
                    Change::Insertion {
                        after: range.start,
                        residues: call.copy_bases().to_vec(),
                    },
                ),
                NucleotideCallKind::Deletion => (
                    MutationKind::Deletion,
                    range.start + 1,
                    range.end,
                    Change::Deletion {
                        start: range.start + 1,
                        end: range.end,
                    },
                ),
                _ => (
                    MutationKind::Substitution,
                    range.start + 1,
                    range.end,
                    Change::Substitution {
                        position: range.start + 1,
                        alt: call.copy_bases().first().copied().unwrap_or(b'N'),
                    },
                ),
            };
            let notation = call.notation();
            MutationRecord {
                accession: accession.clone(),
                gene: gene.clone(),
                reference: reference.clone(),
                tier,
                call: MutationCall {
                    kind,
                    mutation: notation.trim_start_matches("n.").into(),
                    hgvs: notation.into(),
                    reference_start: start,
                    reference_end: end,
                    reference_residues: String::from_utf8_lossy(call.reference_bases())
                        .into_owned()
                        .into(),
                    target_residues: String::from_utf8_lossy(call.copy_bases())
                        .into_owned()
                        .into(),
                    target_position: target_position(alignment, range.start),
                    change,
                },
                catalogue: None,
                catalogue_mutation: None,
                catalogue_line: None,
                annotation: None,
                catalogue_index: None,
                codon_change: None,
                gene_position: Some(start),
                contig_position: Some(call.contig_range().start as u64 + 1),
                pointfinder: call.pointfinder().map(CallText::from),
            }
        })
        .collect()
}

/// The 1-based target position aligned with (or just before) the 0-based reference index
/// `reference`.
fn target_position(alignment: &Alignment, reference: usize) -> usize {
    let (mut i, mut j) = (alignment.a_range().start, alignment.b_range().start);
    if reference < j {
        return (i + reference + 1).saturating_sub(j);
    }
    for &op in alignment.ops() {
        if j == reference && op.consumes_b() {
            return i + 1;
        }
        i += usize::from(op.consumes_a());
        j += usize::from(op.consumes_b());
    }
    i + 1
}

/// Synonymous codon changes of a genome target: aligned identical residues whose codons
/// differ (both codons of plain bases: an `N` is unknown, not a change), in alignment order.
pub(crate) fn synonymous_calls(
    reference: &[u8],
    alignment: &Alignment,
    target: &GenomeTarget,
    reference_cds: &[u8],
) -> Vec<MutationCall> {
    let mut calls = Vec::new();
    let (mut i, mut j) = (alignment.a_range().start, alignment.b_range().start);
    for &op in alignment.ops() {
        if op == Op::Equal
            && let (Some(theirs), Some(ours)) = (codons(reference_cds, j, j + 1), target.codon(i))
            && theirs.as_bytes() != ours
            && ours
                .iter()
                .chain(theirs.as_bytes())
                .all(|b| b"ACGT".contains(b))
        {
            let residue = reference[j].to_ascii_uppercase();
            let position = j + 1;
            calls.push(MutationCall {
                kind: MutationKind::Synonymous,
                mutation: format!("{}{position}=", residue as char).into(),
                hgvs: format!("p.{}{position}=", three_letter_code(residue)).into(),
                reference_start: position,
                reference_end: position,
                reference_residues: residue_text(residue),
                target_residues: residue_text(residue),
                target_position: i + 1,
                change: Change::Substitution {
                    position,
                    alt: residue,
                },
            });
        }
        if op.consumes_a() {
            i += 1;
        }
        if op.consumes_b() {
            j += 1;
        }
    }
    calls
}

/// Merges synonymous notes into the calls, keeping reference order (a note goes before the
/// first call that starts after it).
pub(crate) fn merge_by_position(
    calls: Vec<MutationCall>,
    notes: Vec<MutationCall>,
) -> Vec<MutationCall> {
    if notes.is_empty() {
        return calls;
    }
    let mut merged = Vec::with_capacity(calls.len() + notes.len());
    let mut notes = notes.into_iter().peekable();
    for call in calls {
        while let Some(note) = notes.next_if(|note| note.reference_start < call.reference_start) {
            merged.push(note);
        }
        merged.push(call);
    }
    merged.extend(notes);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::Aligner;
    use crate::wildtype::genome::{Strand, translate};
    use crate::wildtype::mutation::call_mutations;

    /// A reference gene, a target with one substitution (codon 3 CTG -> CAG: L3Q) and one
    /// synonymous change (codon 5 GGC -> GGT), on the reverse strand of a contig.
    #[test]
    fn substitutions_get_codons_and_synonymous_changes_are_notes() {
        let reference_cds = b"ATGAAACTGCGTGGCAAAGAAACCTGGTAA";
        let target_cds = b"ATGAAACAGCGTGGTAAAGAAACCTGGTAA";
        let reference = translate(reference_cds);
        let protein = translate(target_cds);
        let target = GenomeTarget::laid_out(target_cds, Strand::Reverse, 100..130);
        let aligner = Aligner::builder().build().unwrap();
        let alignment = aligner.align(&protein, &reference).unwrap();
        let calls = call_mutations(&protein, &reference, &alignment).unwrap();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].mutation, "L3Q");
        let (change, gene, contig) = codon_fields(&calls[0], &target, Some(reference_cds));
        assert_eq!(change.as_deref(), Some("CTG>CAG"));
        assert_eq!(gene, Some(7));
        // Codon 3's first base in reading direction: 130 - 6 on the reverse strand.
        assert_eq!(contig, Some(124));
        let notes = synonymous_calls(&reference, &alignment, &target, reference_cds);
        assert_eq!(notes.len(), 1);
        assert_eq!(
            (notes[0].mutation.as_str(), notes[0].hgvs.as_str()),
            ("G5=", "p.Gly5=")
        );
        let (change, _, _) = codon_fields(&notes[0], &target, Some(reference_cds));
        assert_eq!(change.as_deref(), Some("GGC>GGT"));
        let merged = merge_by_position(calls, notes);
        let order: Vec<&str> = merged.iter().map(|c| c.mutation.as_str()).collect();
        assert_eq!(order, ["L3Q", "G5="]);
    }

    #[test]
    fn unknown_bases_are_not_synonymous_changes() {
        let reference_cds = b"ATGAAACTGCGTGGCAAATAA";
        let target_cds = b"ATGAAACTGCGTGGNAAATAA";
        let reference = translate(reference_cds);
        let protein = translate(target_cds);
        let target = GenomeTarget::laid_out(target_cds, Strand::Forward, 0..21);
        let alignment = Aligner::builder()
            .build()
            .unwrap()
            .align(&protein, &reference)
            .unwrap();
        // GGN still reads as G in table 11? It does not: N makes the codon X, a mismatch.
        assert!(synonymous_calls(&reference, &alignment, &target, reference_cds).is_empty());
    }

    #[test]
    fn indels_show_their_codons() {
        // MWYHKFRDNP LL EQWYHKFRDNP*: the two L deleted, an A inserted after Q14.
        let before = "ATGTGGTATCATAAATTTCGTGATAACCCG";
        let after = "GAACAGTGGTATCATAAATTTCGTGATAACCCGTAA";
        let reference_cds = format!("{before}CTGCTG{after}");
        let target_cds = format!("{before}{}GCG{}", &after[..6], &after[6..]);
        let reference = translate(reference_cds.as_bytes());
        let protein = translate(target_cds.as_bytes());
        let target =
            GenomeTarget::laid_out(target_cds.as_bytes(), Strand::Forward, 0..target_cds.len());
        let aligner = Aligner::builder().build().unwrap();
        let alignment = aligner.align(&protein, &reference).unwrap();
        let calls = call_mutations(&protein, &reference, &alignment).unwrap();
        let fields: Vec<(String, Option<String>, Option<usize>)> = calls
            .iter()
            .map(|c| {
                let (change, gene, _) = codon_fields(c, &target, Some(reference_cds.as_bytes()));
                (c.mutation.to_string(), change, gene)
            })
            .collect();
        assert_eq!(
            fields,
            [
                ("11_12del".to_owned(), Some("CTGCTG>-".to_owned()), Some(31)),
                ("14_15insA".to_owned(), Some("->GCG".to_owned()), Some(40)),
            ]
        );
    }
}
