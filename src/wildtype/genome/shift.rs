//! Frameshifts: a copy whose reference continues in another reading frame past one end of
//! its alignment.
//!
//! A 1- or 2-base insertion or deletion inside a gene moves the rest of the gene into another
//! frame: the alignment of one frame stops at the shift, and the reference goes on in the
//! other. At each end of a hit's alignment that does not reach the reference's end, the
//! residues on both sides of that end are read in the hit's frame and in each frame 1 or 2
//! bases over (`+1`, `+2`: bases inserted; `-1`, `-2`: bases deleted), ungapped, and scored
//! with BLOSUM62 against the reference; the split between the two frames that scores best is
//! the shift when it gains at least [`MIN_GAIN`] over reading the hit's frame alone and the
//! residues read in the new frame are at least [`MIN_IDENTITY`] identical to the reference.
//! With the reference's coding sequence, the shift is then placed to the base: the split that
//! leaves the fewest base mismatches with it, the 5'-most of equally good ones (as a left-aligned
//! indel); without it, at the codon boundary.

use std::fmt;

use super::code::translate_codon;
use crate::scoring::Matrix;

/// Residues scanned on the hit's side of an alignment end (a local alignment may run a few
/// chance matches past the shift).
const BACK: usize = 12;
/// Residues scanned past an alignment end in the other frame.
const SPAN: usize = 40;
/// Least BLOSUM62 gain of the two-frame reading over the hit's frame alone.
pub(crate) const MIN_GAIN: f32 = 20.0;
/// Least identity of the residues read in the new frame.
pub(crate) const MIN_IDENTITY: f64 = 0.6;
/// Least residues read in the new frame.
const MIN_RESIDUES: usize = 4;

/// One frameshift in a copy: where it lies on the contig, in the copy's coding sequence and
/// in the reference, and the bases inserted or deleted.
///
/// A copy with a frameshift is reported once: its [`protein`](super::GeneCopy::protein)
/// follows the reference's frame across the shift (inserted bases skipped, deleted bases read
/// as `N`, so the codon a deletion breaks reads `X`), so that the residues past the shift are
/// compared in the reference's frame. The cell's real product would end at the first stop
/// codon of the shifted frame: treat the protein as a reading aid past the shift, not as what
/// the cell makes.
///
/// Positions: [`Frameshift::gene_position`] and [`Frameshift::contig_position`] name the first
/// inserted base for an insertion and the first base after the missing ones for a deletion
/// (in the gene's orientation; on the reverse strand the contig position is that base's
/// position on the contig as given). An indel in a run of repeated bases is placed at its
/// 5'-most equivalent position (left-aligned in the gene's orientation).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::{find_genes, Contig, Species};
///
/// let species = Species::embedded("escherichia_coli").unwrap();
/// let gyra = species.genes()[0].nucleotides();
/// // One base (C) deleted from codon 300 of gyrA.
/// let mut mutant = gyra.to_vec();
/// mutant.remove(3 * 299 + 1);
/// let genome = [b"CAT".repeat(100), mutant].concat();
/// let copies = find_genes(&[Contig::new("c", &genome)], &species.protein_references()).unwrap();
/// assert_eq!(copies.len(), 1);
/// let shift = &copies[0].frameshifts()[0];
/// assert_eq!((shift.reference_codon(), shift.length_change()), (300, -1));
/// assert_eq!(shift.to_string(), format!("-1 {}", gyra[3 * 299 + 1] as char));
/// let gyra_protein = species.genes()[0].protein().unwrap();
/// assert_eq!(shift.notation(), format!("p.{}300fs", gyra_protein[299] as char));
/// // The protein follows gyrA's frame across the shift: as long as gyrA's.
/// assert_eq!(copies[0].protein().len(), species.genes()[0].protein().unwrap().len());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frameshift {
    pub(crate) contig_position: usize,
    pub(crate) gene_position: usize,
    pub(crate) reference_codon: usize,
    pub(crate) reference_residue: u8,
    pub(crate) changed_codon: usize,
    pub(crate) changed_residue: u8,
    pub(crate) length_change: i32,
    pub(crate) bases: Vec<u8>,
}

impl Frameshift {
    /// 1-based position on the contig as given (see the type's docs for which base).
    pub fn contig_position(&self) -> usize {
        self.contig_position
    }

    /// 1-based position in the copy's [`cds`](super::GeneCopy::cds).
    pub fn gene_position(&self) -> usize {
        self.gene_position
    }

    /// 1-based residue of the reference protein whose codon the shift hits first.
    pub fn reference_codon(&self) -> usize {
        self.reference_codon
    }

    /// The reference's residue at [`Frameshift::reference_codon`].
    pub fn reference_residue(&self) -> u8 {
        self.reference_residue
    }

    /// 1-based residue of the reference where the cell's shifted product first differs from
    /// it: the codon the shift hits, or a later one when the broken codon (and those read
    /// after it in the shifted frame) still give the reference's residues. HGVS names a
    /// frameshift by this residue ([`Frameshift::hgvs`]).
    pub fn changed_codon(&self) -> usize {
        self.changed_codon
    }

    /// The reference's residue at [`Frameshift::changed_codon`].
    pub fn changed_residue(&self) -> u8 {
        self.changed_residue
    }

    /// Bases gained (`+1`, `+2`) or lost (`-1`, `-2`).
    pub fn length_change(&self) -> i32 {
        self.length_change
    }

    /// The bases inserted (from the contig) or deleted (from the reference's coding sequence;
    /// `N` when the reference was given as a protein only), in the gene's orientation.
    pub fn bases(&self) -> &[u8] {
        &self.bases
    }

    /// PointFinder-like notation, at the codon the shift hits ([`Frameshift::reference_codon`],
    /// as PointFinder 4.3.0 names it, even when that codon still reads the same residue:
    /// it writes `folP p.E101E - Frameshift` for an `A` inserted into codon 101's `GAA`, which
    /// is `p.E101fs` here): `p.L194fs`.
    pub fn notation(&self) -> String {
        format!(
            "p.{}{}fs",
            self.reference_residue as char, self.reference_codon
        )
    }

    /// HGVS-like short notation with the three-letter code, at the first residue the shifted
    /// product changes ([`Frameshift::changed_codon`], HGVS's rule): `p.Leu194fs`.
    pub fn hgvs(&self) -> String {
        format!(
            "p.{}{}fs",
            three_letter(self.changed_residue),
            self.changed_codon
        )
    }
}

/// `+1 A`, `-2 TC`: the length change and the bases.
impl fmt::Display for Frameshift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:+} {}",
            self.length_change,
            String::from_utf8_lossy(&self.bases)
        )
    }
}

/// The three-letter code of a residue (`Xaa` for anything unknown, `Ter` for a stop).
fn three_letter(residue: u8) -> &'static str {
    const CODES: [(u8, &str); 22] = [
        (b'A', "Ala"),
        (b'R', "Arg"),
        (b'N', "Asn"),
        (b'D', "Asp"),
        (b'C', "Cys"),
        (b'Q', "Gln"),
        (b'E', "Glu"),
        (b'G', "Gly"),
        (b'H', "His"),
        (b'I', "Ile"),
        (b'L', "Leu"),
        (b'K', "Lys"),
        (b'M', "Met"),
        (b'F', "Phe"),
        (b'P', "Pro"),
        (b'S', "Ser"),
        (b'T', "Thr"),
        (b'W', "Trp"),
        (b'Y', "Tyr"),
        (b'V', "Val"),
        (b'U', "Sec"),
        (b'*', "Ter"),
    ];
    CODES
        .iter()
        .find(|(code, _)| *code == residue.to_ascii_uppercase())
        .map_or("Xaa", |(_, name)| name)
}

/// Where a hit's alignment lies: its stretch on the strand's sequence and the reference
/// residues it spans (0-based, half-open).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Anchor {
    pub start: usize,
    pub end: usize,
    pub reference_start: usize,
    pub reference_end: usize,
}

/// Which end of the alignment the shift lies beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// Before the alignment: the gene starts in another frame.
    Upstream,
    /// After the alignment: the gene ends in another frame.
    Downstream,
}

/// A detected shift: reference nucleotide `x` (0-based) and beyond read at `down + x`, before
/// it at `up + x` (strand positions); `down - up` is the length change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Junction {
    pub side: Side,
    pub up: i64,
    pub down: i64,
    pub x: usize,
}

impl Junction {
    pub(crate) fn length_change(&self) -> i64 {
        self.down - self.up
    }

    /// The strand position where the upstream frame stops being read.
    pub(crate) fn at(&self) -> i64 {
        self.up + self.x as i64
    }
}

/// Reads reference residues in one frame: `origin` is where the reference's codon 0 would lie.
struct Reader<'a> {
    sequence: &'a [u8],
    protein: &'a [u8],
    matrix: &'a Matrix,
}

impl Reader<'_> {
    /// Score and identity of reference residue `k` read at `origin`; `None` off the sequence.
    fn residue(&self, origin: i64, k: usize) -> Option<(f32, bool)> {
        let at = origin + 3 * k as i64;
        if at < 0 || at as usize + 3 > self.sequence.len() {
            return None;
        }
        let at = at as usize;
        let amino_acid = translate_codon(&self.sequence[at..at + 3]);
        Some((
            self.matrix.score(amino_acid, self.protein[k]),
            amino_acid == self.protein[k],
        ))
    }

    /// The best split of residues `lo..hi`, read at `first` before the split and at `second`
    /// from it: `(split, gain over reading all at the hit's frame, residues and identities
    /// read in the other frame)`. `hit_first` says which of the two is the hit's frame.
    fn split(&self, first: i64, second: i64, lo: usize, hi: usize, hit_first: bool) -> Scan {
        let score = |origin: i64, k: usize| self.residue(origin, k).map_or(0.0, |(s, _)| s);
        let suffix: f32 = (lo..hi).map(|k| score(second, k)).sum();
        let all_first: f32 = (lo..hi).map(|k| score(first, k)).sum();
        let mut best = (lo, suffix);
        let mut total = suffix;
        for k in lo..hi {
            total += score(first, k) - score(second, k);
            if total > best.1 {
                best = (k + 1, total);
            }
        }
        let (split, score_best) = best;
        let (baseline, other) = if hit_first {
            (all_first, split..hi)
        } else {
            (suffix, lo..split)
        };
        let origin = if hit_first { second } else { first };
        let (mut read, mut identical) = (0, 0);
        for k in other {
            if let Some((_, same)) = self.residue(origin, k) {
                read += 1;
                identical += usize::from(same);
            }
        }
        Scan {
            split,
            gain: score_best - baseline,
            read,
            identical,
        }
    }
}

struct Scan {
    split: usize,
    gain: f32,
    read: usize,
    identical: usize,
}

impl Scan {
    fn significant(&self) -> bool {
        self.gain >= MIN_GAIN
            && self.read >= MIN_RESIDUES
            && self.identical as f64 >= MIN_IDENTITY * self.read as f64
    }
}

/// The frameshift at either end of a hit's alignment, if any (the one with the larger gain
/// when both ends have one). `cds` is the reference's coding sequence, when known, to place
/// the shift to the base.
pub(crate) fn detect(
    sequence: &[u8],
    protein: &[u8],
    cds: Option<&[u8]>,
    matrix: &Matrix,
    anchor: &Anchor,
) -> Option<Junction> {
    let reader = Reader {
        sequence,
        protein,
        matrix,
    };
    let length = protein.len();
    let mut best: Option<(f32, Junction)> = None;
    let mut consider = |gain: f32, junction: Junction| {
        if best.is_none_or(|(g, _)| gain > g) {
            best = Some((gain, junction));
        }
    };
    let first_origin = anchor.start as i64 - 3 * anchor.reference_start as i64;
    let last_origin = anchor.end as i64 - 3 * anchor.reference_end as i64;
    for change in [1i64, 2, -1, -2] {
        if anchor.reference_end < length {
            let (lo, hi) = (
                anchor.reference_end.saturating_sub(BACK),
                (anchor.reference_end + SPAN).min(length),
            );
            let (up, down) = (last_origin, last_origin + change);
            let scan = reader.split(up, down, lo, hi, true);
            if scan.significant() {
                let side = Side::Downstream;
                let x = 3 * scan.split;
                consider(scan.gain, Junction { side, up, down, x });
            }
        }
        if anchor.reference_start > 0 {
            let (lo, hi) = (
                anchor.reference_start.saturating_sub(SPAN),
                (anchor.reference_start + BACK).min(length),
            );
            let (up, down) = (first_origin - change, first_origin);
            let scan = reader.split(up, down, lo, hi, false);
            if scan.significant() {
                let side = Side::Upstream;
                let x = 3 * scan.split;
                consider(scan.gain, Junction { side, up, down, x });
            }
        }
    }
    let (_, mut junction) = best?;
    if let Some(cds) = cds {
        junction.x = to_the_base(sequence, cds, &junction);
        junction.x = left_aligned(sequence, cds, &junction);
    }
    Some(junction)
}

/// The 5'-most position equivalent to the junction's: an insertion moves left while the
/// base before it equals its last base (on the contig), a deletion while the base before it
/// equals its last deleted base (on the reference).
fn left_aligned(sequence: &[u8], cds: &[u8], junction: &Junction) -> usize {
    let change = junction.length_change();
    let size = change.unsigned_abs() as usize;
    let mut x = junction.x;
    while x > 0 {
        let at = junction.up + x as i64;
        let equivalent = if change > 0 {
            at >= 1
                && ((at as usize) + size) <= sequence.len()
                && sequence[at as usize - 1].eq_ignore_ascii_case(&sequence[at as usize + size - 1])
        } else {
            x + size <= cds.len() && cds[x - 1] == cds[x + size - 1]
        };
        if !equivalent {
            break;
        }
        x -= 1;
    }
    x
}

/// Bases either side of the best codon boundary where the shift may lie (a repeated residue
/// reads alike in both frames, so the boundary may be a few codons off).
const REACH: usize = 15;

/// The base (reference nucleotide) where the shift lies: within [`REACH`] bases of the codon
/// boundary found, the split with the most bases agreeing with the reference's coding
/// sequence on both sides, the 5'-most of equal ones.
fn to_the_base(sequence: &[u8], cds: &[u8], junction: &Junction) -> usize {
    let coding = cds.len().saturating_sub(3);
    let agrees = |origin: i64, y: usize| {
        let at = origin + y as i64;
        at >= 0
            && (at as usize) < sequence.len()
            && sequence[at as usize].eq_ignore_ascii_case(&cds[y])
    };
    let (lo, hi) = (
        junction.x.saturating_sub(2 * REACH),
        (junction.x + 2 * REACH).min(coding),
    );
    let candidates = junction.x.saturating_sub(REACH)..=(junction.x + REACH).min(coding);
    let mut best = (junction.x, 0usize);
    let mut first = true;
    for x in candidates {
        // A deletion's bases are in the reference only: not compared.
        let deleted = x + junction.length_change().min(0).unsigned_abs() as usize;
        let score = (lo..x.max(lo)).filter(|&y| agrees(junction.up, y)).count()
            + (deleted.min(hi)..hi)
                .filter(|&y| agrees(junction.down, y))
                .count();
        if first || score > best.1 {
            best = (x, score);
            first = false;
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_letter_codes() {
        assert_eq!(three_letter(b'L'), "Leu");
        assert_eq!(three_letter(b'*'), "Ter");
        assert_eq!(three_letter(b'B'), "Xaa");
        let shift = Frameshift {
            contig_position: 10,
            gene_position: 4,
            reference_codon: 194,
            reference_residue: b'L',
            changed_codon: 195,
            changed_residue: b'S',
            length_change: -2,
            bases: b"TC".to_vec(),
        };
        assert_eq!(
            (shift.notation(), shift.hgvs(), shift.to_string()),
            ("p.L194fs".into(), "p.Ser195fs".into(), "-2 TC".into())
        );
    }
}
