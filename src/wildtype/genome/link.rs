//! Links the two parts of genes split across contigs, by the rule [`super::split`] states.

use std::ops::Range;

use super::copy::GeneCopy;
use super::split::{EDGE, MAX_GAP, MAX_OVERLAP, SplitPart};

fn one_based(range: Range<usize>) -> (usize, usize) {
    (range.start + 1, range.end)
}

/// Whether `first` (part 1) and `second` (part 2) are the two parts of one split gene, by
/// the rule of [`super::split`] (partner uniqueness aside).
fn pair(first: &GeneCopy, second: &GeneCopy) -> bool {
    let (a, b) = (first.alignment(), second.alignment());
    first.reference == second.reference
        && first.cut_at_stop
        && !first.cut_at_start
        && second.cut_at_start
        && !second.cut_at_stop
        && a.a_range().end + EDGE >= first.protein.len()
        && b.a_range().start <= EDGE
        && b.b_range().start <= a.b_range().end + MAX_GAP
        && b.b_range().start + MAX_OVERLAP >= a.b_range().end
        && b.b_range().start > a.b_range().start
}

/// Links the parts of genes split across contigs, in place (indices are the slice's).
pub(crate) fn link(copies: &mut [GeneCopy]) {
    let partners = |index: usize, as_first: bool| -> Vec<usize> {
        (0..copies.len())
            .filter(|&other| other != index)
            .filter(|&other| {
                if as_first {
                    pair(&copies[index], &copies[other])
                } else {
                    pair(&copies[other], &copies[index])
                }
            })
            .collect()
    };
    let mut links = Vec::new();
    for first in 0..copies.len() {
        if let [second] = partners(first, true)[..]
            && partners(second, false) == [first]
        {
            links.push((first, second));
        }
    }
    for (first, second) in links {
        let (a, b) = (
            one_based(copies[first].alignment().b_range()),
            one_based(copies[second].alignment().b_range()),
        );
        copies[first].split = Some(SplitPart {
            part: 1,
            linked: second,
            reference_range: a,
            linked_reference_range: b,
        });
        copies[second].split = Some(SplitPart {
            part: 2,
            linked: first,
            reference_range: b,
            linked_reference_range: a,
        });
    }
}
