//! Genes split across two contigs: an assembly break inside a gene leaves two partial
//! copies, each cut at the contig end that faces the break; they are linked, not merged.
//!
//! The rule: two copies are the two parts of one split gene when
//! - they match the same reference;
//! - part 1 is cut at its stop (its contig ends inside the gene, on the gene's 3' side) and
//!   not at its start; part 2 is cut at its start and not at its stop;
//! - each alignment reaches the cut: part 1's alignment ends within [`EDGE`] residues of its
//!   protein's end, part 2's begins within [`EDGE`] residues of its protein's start;
//! - their reference ranges meet: part 2 begins at most [`MAX_GAP`] residues after part 1
//!   ends, or overlaps it by at most [`MAX_OVERLAP`] residues (assemblers often repeat a few
//!   dozen bases on both sides of a break);
//! - and each is the other's only such partner: a part with two possible partners stays
//!   unlinked, as the pairing would be a guess.
//!
//! The linking itself is in [`super::link`].

/// Residues an alignment may stop short of the cut (a mismatch at the very edge).
pub(crate) const EDGE: usize = 10;
/// Residues of the reference the break may leave in neither part.
pub(crate) const MAX_GAP: usize = 10;
/// Residues of the reference both parts may cover.
pub(crate) const MAX_OVERLAP: usize = 50;

/// One part of a gene split across two contigs (see
/// [`GeneCopy::split`](super::GeneCopy::split)).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::{find_genes, Contig, Species};
///
/// let species = Species::embedded("escherichia_coli").unwrap();
/// let gyra = species.genes()[0].nucleotides();
/// // An assembly break after base 1,500 of gyrA: two contigs, each holding one part.
/// let first = [b"CAT".repeat(100), gyra[..1500].to_vec()].concat();
/// let second = [gyra[1500..].to_vec(), b"GTA".repeat(100)].concat();
/// let contigs = [Contig::new("c1", &first), Contig::new("c2", &second)];
/// let copies = find_genes(&contigs, &species.protein_references()).unwrap();
/// assert_eq!(copies.len(), 2);
/// let part1 = copies[0].split().unwrap();
/// let part2 = copies[1].split().unwrap();
/// assert_eq!((part1.part(), part1.linked(), part1.reference_range()), (1, 1, (1, 500)));
/// assert_eq!((part2.part(), part2.linked(), part2.reference_range()), (2, 0, (501, 875)));
/// assert_eq!(part1.linked_reference_range(), part2.reference_range());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitPart {
    pub(crate) part: u8,
    pub(crate) linked: usize,
    pub(crate) reference_range: (usize, usize),
    pub(crate) linked_reference_range: (usize, usize),
}

impl SplitPart {
    /// 1 for the part holding the gene's 5' end (the reference's first residues), 2 for the
    /// other.
    pub fn part(&self) -> u8 {
        self.part
    }

    /// Index of the other part in the vector the search returned.
    pub fn linked(&self) -> usize {
        self.linked
    }

    /// 1-based inclusive reference residues this part's alignment covers.
    pub fn reference_range(&self) -> (usize, usize) {
        self.reference_range
    }

    /// 1-based inclusive reference residues the other part's alignment covers.
    pub fn linked_reference_range(&self) -> (usize, usize) {
        self.linked_reference_range
    }
}
