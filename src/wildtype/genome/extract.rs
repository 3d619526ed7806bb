//! From an aligned stretch of a reading frame to a whole coding sequence: back to the codon
//! that stands for the reference's first residue, forward to the first stop codon in frame.

use std::ops::Range;

use super::code::{is_stop_codon, translate, translate_codon};

/// A coding sequence on one strand's sequence (the contig or its reverse complement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Extent {
    /// 0-based half-open range on the strand's sequence, whole codons.
    pub range: Range<usize>,
    /// The gene's start lies before the sequence's start.
    pub cut_at_start: bool,
    /// No stop codon in frame before the sequence's end.
    pub cut_at_stop: bool,
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
    let mut end = aligned.end;
    let mut cut_at_stop = true;
    while end + 3 <= sequence.len() {
        end += 3;
        if is_stop_codon(&sequence[end - 3..end]) {
            cut_at_stop = false;
            break;
        }
    }
    Extent {
        range: start..end,
        cut_at_start,
        cut_at_stop,
    }
}

/// The protein of an extracted coding sequence: table 11 with the start rule unless the gene
/// is cut at its start, without the final stop unless the gene is cut at its stop.
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
                cut_at_stop: false
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
                cut_at_stop: true
            }
        );
        // Cut at the start, the first codon is not read as a start: GTG stays V.
        assert_eq!(
            protein(
                b"GTGAAATAA",
                &Extent {
                    range: 0..9,
                    cut_at_start: true,
                    cut_at_stop: false
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
                    cut_at_stop: true
                }
            ),
            b"MK*"
        );
    }
}
