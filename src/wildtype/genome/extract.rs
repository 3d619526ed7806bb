//! From an aligned stretch of a reading frame to a whole coding sequence: back to the codon
//! that stands for the reference's first residue, forward to the first stop codon in frame.

use std::ops::Range;

use super::code::{is_stop_codon, translate, translate_codon};
use super::shift::{Junction, Side};

/// A coding sequence on one strand's sequence (the contig or its reverse complement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Extent {
    /// 0-based half-open range on the strand's sequence, whole codons.
    pub range: Range<usize>,
    /// The gene's start lies before the sequence's start.
    pub cut_at_start: bool,
    /// No stop codon in frame before the sequence's end.
    pub cut_at_stop: bool,
    /// A frameshift inside the range: the reference's frame is read up to it and resumes
    /// after it.
    pub shift: Option<Shift>,
}

/// Where the reference's frame breaks: bases `range.start..at` are read in the first frame,
/// then `fill` unknown bases stand for bases the contig lacks (a deletion), then reading
/// resumes at `resume` (past the inserted bases `at..resume` of an insertion).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shift {
    pub at: usize,
    pub resume: usize,
    pub fill: usize,
}

/// The bases read in the reference's frame, with the strand position each comes from
/// (`None` for a base a deletion removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reading {
    pub bases: Vec<u8>,
    pub positions: Vec<Option<usize>>,
}

/// Extends an alignment to the whole gene. `aligned` is the aligned stretch on the strand's
/// sequence (whole codons of one frame) and `reference_start` the first aligned reference
/// residue (0-based).
///
/// The start is the codon `reference_start` codons upstream of the aligned stretch (the one
/// aligned to the reference's first residue when the unaligned part holds no indel); when that
/// lies before the sequence's start, the gene is cut there and begins with the first whole
/// codon in frame. The end is the first stop codon in frame at or after the aligned
/// stretch's end (internal stops inside the stretch do not end the gene: a premature stop
/// stays visible as `*` in the protein); without one before the sequence's end, the gene is
/// cut at its last whole codon.
pub(crate) fn extend(sequence: &[u8], aligned: Range<usize>, reference_start: usize) -> Extent {
    let upstream = 3 * reference_start;
    let (start, cut_at_start) = match aligned.start.checked_sub(upstream) {
        Some(start) => (start, false),
        None => (aligned.start % 3, true),
    };
    let (end, cut_at_stop) = to_stop(sequence, aligned.end);
    Extent {
        range: start..end,
        cut_at_start,
        cut_at_stop,
        shift: None,
    }
}

/// The end of the first stop codon read from `from` on, in that frame, or the end of the
/// last whole codon (cut) when there is none.
fn to_stop(sequence: &[u8], from: usize) -> (usize, bool) {
    let mut end = from;
    while end + 3 <= sequence.len() {
        end += 3;
        if is_stop_codon(&sequence[end - 3..end]) {
            return (end, false);
        }
    }
    (end, true)
}

/// The extent of a gene with a frameshift, from the hit's plain extent: an upstream shift
/// moves the start into the first frame (the end stays the hit's), a downstream one moves
/// the end to the first stop codon of the second frame. `None` when the shift does not fit
/// inside the sequence.
pub(crate) fn shifted(sequence: &[u8], plain: &Extent, junction: &Junction) -> Option<Extent> {
    let change = junction.length_change();
    let at = usize::try_from(junction.at()).ok()?;
    let (resume, fill) = if change > 0 {
        (at + change as usize, 0)
    } else {
        (at, change.unsigned_abs() as usize)
    };
    let (start, cut_at_start, end, cut_at_stop) = match junction.side {
        Side::Upstream => {
            let (start, cut) = match usize::try_from(junction.up) {
                Ok(start) => (start, false),
                Err(_) => (junction.up.rem_euclid(3) as usize, true),
            };
            (start, cut, plain.range.end, plain.cut_at_stop)
        }
        Side::Downstream => {
            // The first reference base read after the shift, and the codon boundary at or
            // after it in the second frame: the stop codon is looked for from there.
            let first_after = junction.x + fill;
            let boundary = junction.down + 3 * first_after.div_ceil(3) as i64;
            let (end, cut) = to_stop(sequence, usize::try_from(boundary).ok()?);
            (plain.range.start, plain.cut_at_start, end, cut)
        }
    };
    (start <= at && resume <= end && end <= sequence.len()).then_some(Extent {
        range: start..end,
        cut_at_start,
        cut_at_stop,
        shift: Some(Shift { at, resume, fill }),
    })
}

/// The bases of an extent read in the reference's frame, with their strand positions.
pub(crate) fn read(sequence: &[u8], extent: &Extent) -> Reading {
    let range = extent.range.clone();
    let pieces = match extent.shift {
        None => [range, 0..0],
        Some(shift) => [range.start..shift.at, shift.resume..range.end],
    };
    let fill = extent.shift.map_or(0, |shift| shift.fill);
    let mut bases = sequence[pieces[0].clone()].to_vec();
    let mut positions: Vec<Option<usize>> = pieces[0].clone().map(Some).collect();
    bases.extend(std::iter::repeat_n(b'N', fill));
    positions.extend(std::iter::repeat_n(None, fill));
    bases.extend_from_slice(&sequence[pieces[1].clone()]);
    positions.extend(pieces[1].clone().map(Some));
    Reading { bases, positions }
}

/// The strand position of each codon's first base read from the contig.
pub(crate) fn codon_starts(reading: &Reading) -> Vec<usize> {
    reading
        .positions
        .chunks_exact(3)
        .map(|codon| codon.iter().flatten().next().copied().unwrap_or_default())
        .collect()
}

/// The protein of the bases read in the reference's frame: table 11 with the start rule
/// unless the gene is cut at its start, without the final stop unless the gene is cut at
/// its stop.
pub(crate) fn protein(cds: &[u8], extent: &Extent) -> Vec<u8> {
    let mut protein = if extent.cut_at_start {
        cds.chunks_exact(3).map(translate_codon).collect()
    } else {
        translate(cds)
    };
    if !extent.cut_at_stop && protein.last() == Some(&b'*') {
        protein.pop();
    }
    protein
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extends_back_to_codon_one_and_forward_to_the_stop() {
        //              0  3  6  9  12 15 18 21 24
        let sequence = b"CCATGAAAGTTCTGTAAGCGTAGCC";
        // Aligned: AAA GTT, the reference's residues 2 and 3: one codon back to ATG.
        let extent = extend(sequence, 5..11, 1);
        assert_eq!(
            extent,
            Extent {
                range: 2..17,
                cut_at_start: false,
                cut_at_stop: false,
                shift: None
            }
        );
        assert_eq!(protein(&sequence[2..17], &extent), b"MKVL");
    }

    #[test]
    fn premature_stop_inside_the_aligned_stretch_does_not_end_the_gene() {
        let sequence = b"ATGTAAGTTTGA";
        let extent = extend(sequence, 0..9, 0);
        assert_eq!(extent.range, 0..12);
        assert_eq!(protein(sequence, &extent), b"M*V");
    }

    #[test]
    fn cut_at_either_end() {
        let sequence = b"GAAAGTTCTGGC";
        // The reference's first aligned residue is its 4th: its start lies before the contig.
        let extent = extend(sequence, 1..7, 3);
        assert_eq!(
            extent,
            Extent {
                range: 1..10,
                cut_at_start: true,
                cut_at_stop: true,
                shift: None
            }
        );
        // Cut at the start, the first codon is not read as a start: GTG stays V.
        assert_eq!(
            protein(
                b"GTGAAATAA",
                &Extent {
                    range: 0..9,
                    cut_at_start: true,
                    cut_at_stop: false,
                    shift: None
                }
            ),
            b"VK"
        );
        assert_eq!(
            protein(
                b"GTGAAATAA",
                &Extent {
                    range: 0..9,
                    cut_at_start: false,
                    cut_at_stop: true,
                    shift: None
                }
            ),
            b"MK*"
        );
    }
}
