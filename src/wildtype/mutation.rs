//! Mutation calls in reference numbering from a water alignment of a target against its
//! wild-type reference.

use std::borrow::Cow;

use serde::Serialize;

use crate::align::{AlignError, Alignment, Op};

use super::hgvs::Change;
use super::text::{CallText, TextBuilder};

/// What kind of change a [`MutationCall`] describes.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::MutationKind;
///
/// assert_eq!(MutationKind::Nonsense.as_str(), "nonsense");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MutationKind {
    /// One residue replaced by another (`S83L`).
    Substitution,
    /// A residue replaced by a stop (`K141*`), or the target ends in a stop where the reference
    /// goes on.
    Nonsense,
    /// The reference's stop replaced by a residue (`*287Q`).
    StopLoss,
    /// Reference residues missing inside the alignment (`D87del`, `6_11del`).
    Deletion,
    /// Target residues absent from the reference (`346_347insD`).
    Insertion,
    /// The target starts after the reference's first residue (the missing start, as a deletion).
    NTerminalTruncation,
    /// The target ends before the reference's last residue, without a stop.
    CTerminalTruncation,
    /// Genome input: a codon changed without changing its residue (`S83=`, codon change
    /// `TCG>TCA`); a note on the gene, not an amino-acid call.
    Synonymous,
    /// Genome input: one or two bases inserted or deleted in the coding sequence, shifting
    /// the reading frame (`L194fs`); called once, at the codon where it happens.
    Frameshift,
}

impl MutationKind {
    /// The snake-case name used in the TSV and JSON outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            MutationKind::Substitution => "substitution",
            MutationKind::Nonsense => "nonsense",
            MutationKind::StopLoss => "stop_loss",
            MutationKind::Deletion => "deletion",
            MutationKind::Insertion => "insertion",
            MutationKind::NTerminalTruncation => "n_terminal_truncation",
            MutationKind::CTerminalTruncation => "c_terminal_truncation",
            MutationKind::Synonymous => "synonymous",
            MutationKind::Frameshift => "frameshift",
        }
    }
}

/// One mutation of a target relative to its reference.
///
/// `mutation` keeps water's placement of gaps (what the alignment shows); `hgvs` is the HGVS
/// protein description, with indels moved to their most 3' position and insertions that copy
/// the preceding residues written as duplications. Positions are 1-based reference positions;
/// for an insertion `reference_start`/`reference_end` are the flanking residues.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::align::Aligner;
/// use wildtype_aligner::wildtype::call_mutations;
///
/// let reference = b"MSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLGARVGYIELDLNSGKILESFRPEERFPMMSTFKVLLCGAVLSRVDAGQEQLGRRIHYSQNDLVEYSPVTEKHLTDGMTVRELCSAAITMSDNTAANLLLTTIGGPKELTAFLHNMGDHVTRLDRWEPELNEAIPNDERDTTMPAAMATTLRKLLTGELLTLASRQQLIDWMEADKVAGPLLRSALPAGWFIADKSGAGERGSRGIIAALGPDGKPSRIVVIYTTGSQATMDERNRQIAEIGASLIKHW*";
/// let mut target = reference.to_vec();
/// target[103] = b'L'; // S104L
/// let alignment = Aligner::builder().build().unwrap().align(&target, reference).unwrap();
/// let calls = call_mutations(&target, reference, &alignment).unwrap();
/// assert_eq!(calls.len(), 1);
/// assert_eq!((calls[0].mutation.as_str(), calls[0].hgvs.as_str()), ("S104L", "p.Ser104Leu"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MutationCall {
    /// The kind of change.
    pub kind: MutationKind,
    /// Short form in water's placement: `S83L`, `K141*`, `D87del`, `6_11del`, `346_347insD`.
    pub mutation: CallText,
    /// HGVS protein form, 3'-normalised: `p.Ser83Leu`, `p.Lys141Ter`, `p.Gly6_Lys11del`.
    pub hgvs: CallText,
    /// First reference position involved (1-based, water's placement).
    pub reference_start: usize,
    /// Last reference position involved (1-based, inclusive, water's placement).
    pub reference_end: usize,
    /// The reference residues replaced or removed (empty for an insertion). Borrowed (no
    /// allocation) when it is one ASCII residue, as for every substitution.
    pub reference_residues: Cow<'static, str>,
    /// The target residues that replace them or are inserted (empty for a deletion). Borrowed
    /// when it is one ASCII residue.
    pub target_residues: Cow<'static, str>,
    /// 1-based target position of the first target residue involved, or of the residue before
    /// a deletion (0 when the deletion precedes the target's first residue).
    pub target_position: usize,
    /// The normalised change, for catalogue look-ups.
    #[serde(skip)]
    pub(crate) change: Change,
}

impl MutationCall {
    /// Whether the call changes the protein: every kind but [`MutationKind::Synonymous`].
    pub fn changes_protein(&self) -> bool {
        self.kind != MutationKind::Synonymous
    }
}

/// Calls mutations of `target` (water's `-asequence`) relative to `reference` (`-bsequence`)
/// from their alignment.
///
/// Inside the alignment every mismatched column is a substitution (or a nonsense / stop-loss
/// call when a `*` is involved) and every run of gap columns one deletion or insertion. At the
/// ends, which a local alignment may leave out:
///
/// - equal numbers of unaligned target and reference residues are compared position by
///   position (a mismatch in the last residue would otherwise look like a truncation);
/// - unaligned reference residues with no target residues left are an N- or C-terminal
///   truncation, reported as one deletion of the missing residues; at the C terminus a target
///   that ends in `*` is instead a premature stop (`K141*`) at the first missing position;
/// - a final `*` of the reference or the target is the stop codon, not a residue to call;
/// - extra target residues beyond the reference's ends are not calls (they show in the
///   alignment coordinates).
///
/// Calls are ordered by position in the alignment. See [`MutationCall`] for an example.
///
/// # Errors
///
/// [`AlignError::NotTheAlignedSequences`] when `target` and `reference` are not the sequences
/// `alignment` was made from (as a and b: given in the other order, say).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::align::Aligner;
/// use wildtype_aligner::wildtype::call_mutations;
///
/// let reference = b"MSDLAREITPVNIEEELKSSYLDYAMSVIV";
/// let target = b"MSDWAREITPGGVNIEEELKSSYLDYAMSVIV"; // L4W and two residues inserted
/// let alignment = Aligner::builder().build().unwrap().align(target, reference).unwrap();
/// let calls = call_mutations(target, reference, &alignment).unwrap();
/// assert_eq!(calls[0].mutation, "L4W");
/// assert_eq!(calls[1].mutation, "10_11insGG");
/// // The sequences given the other way round are not what was aligned.
/// assert!(call_mutations(reference, target, &alignment).is_err());
/// ```
pub fn call_mutations(
    target: &[u8],
    reference: &[u8],
    alignment: &Alignment,
) -> Result<Vec<MutationCall>, AlignError> {
    // The checks of `Alignment::check_sequences`: the ranges here, each column's residues as
    // the columns are compared below (one pass over the residues instead of two).
    let misfit = || AlignError::NotTheAlignedSequences {
        a_len: target.len(),
        b_len: reference.len(),
        a_end: alignment.a_range().end,
        b_end: alignment.b_range().end,
    };
    if target.get(alignment.a_range()).is_none() || reference.get(alignment.b_range()).is_none() {
        return Err(misfit());
    }
    // Calls come from columns that are not identical, plus at most one per terminus: room for
    // them up front instead of regrowing (and moving) the calls several times per target.
    let stats = alignment.stats();
    let mut calls = Vec::with_capacity(stats.length() - stats.identity() + 2);
    let reference_end = without_final_stop(reference);
    let target_end = without_final_stop(target);
    let target_stops = target_end < target.len();
    let (a, b) = (alignment.a_range(), alignment.b_range());

    // N terminus.
    if b.start > 0 {
        if a.start == b.start {
            compare_ungapped(target, reference, (0, 0, b.start), None, &mut calls);
        } else {
            calls.push(truncation(
                MutationKind::NTerminalTruncation,
                reference,
                0,
                b.start,
                a.start,
            ));
        }
    }

    // The aligned columns.
    let (mut i, mut j) = (a.start, b.start);
    let ops = alignment.ops();
    let mut column = 0;
    while column < ops.len() {
        let op = ops[column];
        // Equal and mismatched pairs are one kind of run: residues compared one by one.
        let kind = |op: Op| op.consumes_a() && op.consumes_b();
        let run = ops[column..]
            .iter()
            .take_while(|&&o| o == op || kind(o) && kind(op))
            .count();
        match op {
            Op::Equal | Op::Mismatch => {
                let columns = Some(&ops[column..column + run]);
                if !compare_ungapped(target, reference, (i, j, run), columns, &mut calls) {
                    return Err(misfit());
                }
                i += run;
                j += run;
            }
            Op::Deletion => {
                let change = Change::Deletion {
                    start: j + 1,
                    end: j + run,
                };
                calls.push(indel(MutationKind::Deletion, change, reference, i, &[]));
                j += run;
            }
            Op::Insertion => {
                let change = Change::Insertion {
                    after: j,
                    residues: target[i..i + run].to_ascii_uppercase(),
                };
                calls.push(indel(
                    MutationKind::Insertion,
                    change,
                    reference,
                    i + 1,
                    &target[i..i + run],
                ));
                i += run;
            }
        }
        column += run;
    }

    // C terminus.
    let missing = reference_end.saturating_sub(b.end);
    let left_in_target = target_end.saturating_sub(a.end);
    if missing > 0 && a.end <= target_end {
        if left_in_target == missing {
            compare_ungapped(target, reference, (a.end, b.end, missing), None, &mut calls);
        } else if left_in_target == 0 && target_stops {
            let change = Change::Substitution {
                position: b.end + 1,
                alt: b'*',
            };
            calls.push(MutationCall {
                kind: MutationKind::Nonsense,
                mutation: change.short(reference),
                hgvs: change.hgvs(reference),
                reference_start: b.end + 1,
                reference_end: b.end + 1,
                reference_residues: residue_text(reference[b.end]),
                target_residues: Cow::Borrowed("*"),
                target_position: target_end + 1,
                change,
            });
        } else {
            calls.push(truncation(
                MutationKind::CTerminalTruncation,
                reference,
                b.end,
                reference_end,
                a.end,
            ));
        }
    }
    Ok(calls)
}

/// Every ASCII byte, for one-residue texts without an allocation each.
const ASCII: &str = {
    const BYTES: [u8; 128] = {
        let mut bytes = [0u8; 128];
        let mut byte = 0;
        while byte < 128 {
            bytes[byte] = byte as u8;
            byte += 1;
        }
        bytes
    };
    match std::str::from_utf8(&BYTES) {
        Ok(text) => text,
        Err(_) => panic!("ASCII is UTF-8"),
    }
};

/// One residue as text (a byte beyond ASCII as the character of that code, as `char::from`).
pub(crate) fn residue_text(residue: u8) -> Cow<'static, str> {
    let index = usize::from(residue);
    match ASCII.get(index..=index) {
        Some(text) => Cow::Borrowed(text),
        None => Cow::Owned(char::from(residue).to_string()),
    }
}

/// Residues as text (bytes that are not UTF-8 as U+FFFD).
fn residues_text(residues: &[u8]) -> Cow<'static, str> {
    match residues {
        [] => Cow::Borrowed(""),
        [residue] if residue.is_ascii() => residue_text(*residue),
        _ => Cow::Owned(String::from_utf8_lossy(residues).into_owned()),
    }
}

/// The length without a final `*` (the stop codon of a translated sequence).
fn without_final_stop(residues: &[u8]) -> usize {
    match residues.last() {
        Some(b'*') => residues.len() - 1,
        _ => residues.len(),
    }
}

/// Substitutions among `length` residues paired without gaps from target index `i` and
/// reference index `j` (0-based). With the alignment's `columns` for them, false when a pair's
/// equality is not its column's (the alignment is not of these sequences).
fn compare_ungapped(
    target: &[u8],
    reference: &[u8],
    (i, j, length): (usize, usize, usize),
    columns: Option<&[Op]>,
    calls: &mut Vec<MutationCall>,
) -> bool {
    const BLOCK: usize = 32;
    let mut offset = 0;
    while offset < length {
        // Most of an alignment is identical: a block of equal bytes whose columns all say
        // so is passed over at once.
        if offset + BLOCK <= length
            && target[i + offset..i + offset + BLOCK] == reference[j + offset..j + offset + BLOCK]
            && columns.is_none_or(|c| c[offset..offset + BLOCK].iter().all(|&op| op == Op::Equal))
        {
            offset += BLOCK;
            continue;
        }
        let at = offset;
        offset += 1;
        let (t, r) = (target[i + at], reference[j + at]);
        // Most columns hold the same byte: no case folding for them.
        let (t, r) = if t == r {
            (t, r)
        } else {
            (t.to_ascii_uppercase(), r.to_ascii_uppercase())
        };
        if let Some(columns) = columns
            && (t == r) != (columns[at] == Op::Equal)
        {
            return false;
        }
        if t == r {
            continue;
        }
        let kind = match (r, t) {
            (_, b'*') => MutationKind::Nonsense,
            (b'*', _) => MutationKind::StopLoss,
            _ => MutationKind::Substitution,
        };
        let position = j + at + 1;
        let change = Change::Substitution { position, alt: t };
        calls.push(MutationCall {
            kind,
            mutation: change.short(reference),
            hgvs: change.hgvs(reference),
            reference_start: position,
            reference_end: position,
            reference_residues: residue_text(r),
            target_residues: residue_text(t),
            target_position: i + at + 1,
            change,
        });
    }
    true
}

/// A deletion or insertion: the short form in water's placement, HGVS after normalisation.
fn indel(
    kind: MutationKind,
    change: Change,
    reference: &[u8],
    target_position: usize,
    inserted: &[u8],
) -> MutationCall {
    let mutation = change.short(reference);
    let (start, end) = change.positions();
    let reference_residues = match change {
        Change::Deletion { .. } => residues_text(&reference[start - 1..end]),
        _ => Cow::Borrowed(""),
    };
    let normalized = change.normalized(reference);
    MutationCall {
        kind,
        mutation,
        hgvs: normalized.hgvs(reference),
        reference_start: start,
        reference_end: end,
        reference_residues,
        target_residues: residues_text(inserted),
        target_position,
        change: normalized,
    }
}

/// Reference residues `from..to` (0-based) missing at one end; `target_position` is the target
/// residue before the gap (0 at the N terminus).
fn truncation(
    kind: MutationKind,
    reference: &[u8],
    from: usize,
    to: usize,
    target_position: usize,
) -> MutationCall {
    let change = Change::Deletion {
        start: from + 1,
        end: to,
    };
    MutationCall {
        kind,
        mutation: change.short(reference),
        hgvs: change.hgvs(reference),
        reference_start: from + 1,
        reference_end: to,
        reference_residues: residues_text(&reference[from..to]),
        target_residues: Cow::Borrowed(""),
        target_position: if kind == MutationKind::NTerminalTruncation {
            0
        } else {
            target_position
        },
        change,
    }
}

/// A protein call in PointFinder's notation, gene included (`gyrA p.S83L`, `gyrA p.Y321*`,
/// `gyrB p.L361_L362del`, `parE p.G276_G277insL`, `folP p.L194fs`); `None` for what
/// PointFinder does not report (synonymous notes, truncations at the target's ends).
pub(crate) fn pointfinder_notation(
    gene: &str,
    call: &MutationCall,
    reference: &[u8],
) -> Option<CallText> {
    let residue = |p: usize| {
        p.checked_sub(1)
            .and_then(|i| reference.get(i))
            .map_or('?', |&r| r.to_ascii_uppercase() as char)
    };
    let (s, e) = (call.reference_start, call.reference_end);
    // Written in place: this runs for every call of a run.
    let mut notation = TextBuilder::default();
    notation.push_str(gene);
    notation.push_str(" p.");
    match call.kind {
        MutationKind::Substitution
        | MutationKind::Nonsense
        | MutationKind::StopLoss
        | MutationKind::Frameshift => notation.push_text(&call.mutation),
        MutationKind::Deletion | MutationKind::Insertion => {
            notation.push(residue(s));
            notation.push_decimal(s);
            if call.kind == MutationKind::Insertion || s != e {
                notation.push('_');
                notation.push(residue(e));
                notation.push_decimal(e);
            }
            if call.kind == MutationKind::Insertion {
                notation.push_str("ins");
                notation.push_str(&call.target_residues);
            } else {
                notation.push_str("del");
            }
        }
        MutationKind::NTerminalTruncation
        | MutationKind::CTerminalTruncation
        | MutationKind::Synonymous => return None,
    }
    Some(notation.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::Aligner;

    const TEM1: &[u8] = b"MSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLGARVGYIELDLNSGKILESFRPEERFPMMSTFKVLLCGAVLSRVDAGQEQLGRRIHYSQNDLVEYSPVTEKHLTDGMTVRELCSAAITMSDNTAANLLLTTIGGPKELTAFLHNMGDHVTRLDRWEPELNEAIPNDERDTTMPAAMATTLRKLLTGELLTLASRQQLIDWMEADKVAGPLLRSALPAGWFIADKSGAGERGSRGIIAALGPDGKPSRIVVIYTTGSQATMDERNRQIAEIGASLIKHW*";

    /// A sequence other than the aligned one is an error wherever it differs, inside a run
    /// of identical columns too, and a substitution there is still called.
    #[test]
    fn other_sequences_than_the_aligned_are_refused_anywhere() {
        let aligner = Aligner::builder().build().unwrap();
        let mut target = TEM1.to_vec();
        target[70] = b'W';
        let alignment = aligner.align(&target, TEM1).unwrap();
        let calls = call_mutations(&target, TEM1, &alignment).unwrap();
        let names: Vec<&str> = calls.iter().map(|c| c.mutation.as_str()).collect();
        assert_eq!(names, ["K71W"]);
        for at in [0, 5, 40, 64, 100, 200] {
            let mut other = target.clone();
            other[at] = if other[at] == b'G' { b'A' } else { b'G' };
            assert!(
                call_mutations(&other, TEM1, &alignment).is_err(),
                "a change at {at} went unnoticed"
            );
        }
        // The reference differing where the target keeps the wild type.
        let mut other_reference = TEM1.to_vec();
        other_reference[150] = b'G';
        assert!(call_mutations(&target, &other_reference, &alignment).is_err());
    }

    /// PointFinder's notation of each kind of call, as its results file writes them.
    #[test]
    fn pointfinder_notation_of_each_kind() {
        let aligner = Aligner::builder().build().unwrap();
        let notations = |target: &[u8]| -> Vec<String> {
            let alignment = aligner.align(target, TEM1).unwrap();
            call_mutations(target, TEM1, &alignment)
                .unwrap()
                .iter()
                .filter_map(|call| pointfinder_notation("blaTEM", call, TEM1))
                .map(String::from)
                .collect()
        };
        let mut substituted = TEM1.to_vec();
        substituted[103] = b'L'; // S104L
        substituted[149] = b'*'; // a premature stop at L150
        assert_eq!(
            notations(&substituted),
            ["blaTEM p.S104L", "blaTEM p.L150*"]
        );
        let mut deleted = TEM1.to_vec();
        deleted.drain(99..101); // L100, V101
        assert_eq!(notations(&deleted), ["blaTEM p.L100_V101del"]);
        let mut one = TEM1.to_vec();
        one.remove(99); // L100
        assert_eq!(notations(&one), ["blaTEM p.L100del"]);
        let mut inserted = TEM1.to_vec();
        inserted.insert(120, b'W'); // between L120 and C121
        assert_eq!(notations(&inserted), ["blaTEM p.L120_C121insW"]);
    }

    fn calls(target: &[u8]) -> Vec<(String, String)> {
        let alignment = Aligner::builder()
            .build()
            .unwrap()
            .align(target, TEM1)
            .unwrap();
        call_mutations(target, TEM1, &alignment)
            .unwrap()
            .into_iter()
            .map(|c| (c.mutation.into(), c.hgvs.into()))
            .collect()
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.into(), b.into())
    }

    /// The borrowed texts read as the allocated ones they replace, byte for byte.
    #[test]
    fn residue_texts_read_as_the_allocated_ones() {
        for byte in 0..=u8::MAX {
            assert_eq!(residue_text(byte), char::from(byte).to_string());
            let one = [byte];
            assert_eq!(residues_text(&one), String::from_utf8_lossy(&one));
            assert_eq!(
                matches!(residue_text(byte), Cow::Borrowed(_)),
                byte.is_ascii()
            );
        }
        for residues in [&b""[..], b"GK", b"K\xffD", "é".as_bytes()] {
            assert_eq!(residues_text(residues), String::from_utf8_lossy(residues));
        }
    }

    #[test]
    fn identical_has_no_calls() {
        assert!(calls(TEM1).is_empty());
        assert!(calls(&TEM1[..286]).is_empty());
    }

    #[test]
    fn premature_stop_at_end_of_target() {
        let mut target = TEM1[..140].to_vec();
        target.push(b'*');
        assert_eq!(calls(&target), [pair("G141*", "p.Gly141Ter")]);
    }

    #[test]
    fn truncations_without_stop() {
        assert_eq!(calls(&TEM1[10..]), [pair("1_10del", "p.Met1_Leu10del")]);
        assert_eq!(
            calls(&TEM1[..280]),
            [pair("281_286del", "p.Ser281_Trp286del")]
        );
    }

    #[test]
    fn last_residue_substitution_is_not_truncation() {
        let mut target = TEM1.to_vec();
        target[285] = b'P';
        assert_eq!(calls(&target), [pair("W286P", "p.Trp286Pro")]);
    }
}
