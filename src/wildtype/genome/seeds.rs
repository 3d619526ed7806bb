//! The prefilter: the reference proteins' 5-mers looked up in the six-frame translation of a
//! contig, grouped by diagonal into windows worth aligning.
//!
//! Each reading frame is translated once; every 5-mer of standard residues in it is checked
//! against a bit set of the references' 5-mers (400 kB, so it stays in cache) and, when set,
//! against the sorted list of `(5-mer, reference, position)`. Seeds of one reference in one
//! frame are grouped by diagonal (frame position minus reference position): seeds whose
//! diagonals lie within [`BAND`] of the next one belong to one group, which covers in-frame
//! indels of up to that many residues between seeds. A group of at least [`MIN_SEEDS`] seeds
//! becomes a window spanning its diagonals plus the reference's length and a margin.

use super::code::BASE_INDEX;

/// Residues per seed.
pub(crate) const K: usize = 5;

/// The 20 standard residues; anything else (`X`, `*`) ends a seed.
const ALPHABET: &[u8; 20] = b"ACDEFGHIKLMNPQRSTVWY";

/// Diagonal distance (in residues) within which seeds join one group.
pub(crate) const BAND: i64 = 32;

/// Seeds a group needs to become a window. A genome's six frames share a 5-mer with E. coli's
/// eight references by chance about once per 600 residues; two such seeds on one diagonal
/// band within a gene's length happen a few times per frame and reference, three almost
/// never, while a copy 70 % identical to its reference still holds about one seed per six
/// residues.
pub(crate) const MIN_SEEDS: usize = 3;

/// Amino acid of each codon index (TCAG order), as residue codes 0..20, 20 for a stop.
fn residue_code(residue: u8) -> u8 {
    ALPHABET
        .iter()
        .position(|&letter| letter == residue)
        .map_or(20, |index| index as u8)
}

/// The 5-mers of a set of reference proteins.
#[derive(Debug, Clone)]
pub(crate) struct SeedIndex {
    /// One bit per possible 5-mer code (20^5).
    present: Vec<u64>,
    /// `(code, reference, position in the reference)`, sorted.
    entries: Vec<(u32, u32, u32)>,
    /// Residue code per codon as `5 * (5 * first + second) + third` of the bases' `TCAG`
    /// indices (4 for an unknown base), 21 for a codon with an unknown base.
    codon_codes: [u8; 125],
}

const CODES: usize = 20 * 20 * 20 * 20 * 20;
const TOP: u32 = 20 * 20 * 20 * 20;

/// One seed: a shared 5-mer at `position` of the frame and `diagonal = position - reference
/// position`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Seed {
    pub reference: u32,
    pub diagonal: i64,
    pub position: u32,
}

/// A stretch of one frame worth aligning against one reference, in frame residues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub reference: usize,
    pub start: usize,
    pub end: usize,
}

impl SeedIndex {
    pub(crate) fn new<'a>(proteins: impl IntoIterator<Item = &'a [u8]>) -> Self {
        let mut present = vec![0u64; CODES.div_ceil(64)];
        let mut entries = Vec::new();
        for (reference, protein) in proteins.into_iter().enumerate() {
            for_each_kmer(
                protein.iter().map(|&r| residue_code(r)),
                |position, code| {
                    present[code as usize / 64] |= 1 << (code % 64);
                    entries.push((code, reference as u32, position as u32));
                },
            );
        }
        entries.sort_unstable();
        let mut codon_codes = [21u8; 125];
        let amino_acids = b"FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG";
        for (index, &aa) in amino_acids.iter().enumerate() {
            codon_codes[25 * (index / 16) + 5 * (index / 4 % 4) + index % 4] = residue_code(aa);
        }
        Self {
            present,
            entries,
            codon_codes,
        }
    }

    /// The seeds of one reading frame: `strand_sequence[frame..]` read codon by codon.
    pub(crate) fn seeds(&self, strand_sequence: &[u8], frame: usize, seeds: &mut Vec<Seed>) {
        let codes = strand_sequence
            .get(frame..)
            .unwrap_or_default()
            .chunks_exact(3)
            .map(|codon| {
                let index = 25 * usize::from(BASE_INDEX[codon[0] as usize])
                    + 5 * usize::from(BASE_INDEX[codon[1] as usize])
                    + usize::from(BASE_INDEX[codon[2] as usize]);
                self.codon_codes[index]
            });
        for_each_kmer(codes, |position, code| {
            if self.present[code as usize / 64] & (1 << (code % 64)) == 0 {
                return;
            }
            let first = self.entries.partition_point(|entry| entry.0 < code);
            for &(_, reference, reference_position) in self.entries[first..]
                .iter()
                .take_while(|entry| entry.0 == code)
            {
                seeds.push(Seed {
                    reference,
                    diagonal: position as i64 - i64::from(reference_position),
                    position: position as u32,
                });
            }
        });
    }
}

/// Calls `found(start, code)` for every run of [`K`] standard residue codes (0..20).
fn for_each_kmer(codes: impl Iterator<Item = u8>, mut found: impl FnMut(usize, u32)) {
    let mut code = 0u32;
    let mut run = 0usize;
    for (position, residue) in codes.enumerate() {
        if residue >= 20 {
            run = 0;
            continue;
        }
        code = (code % TOP) * 20 + u32::from(residue);
        run += 1;
        if run >= K {
            found(position + 1 - K, code);
        }
    }
}

/// Groups one frame's seeds (any order; sorted here) into windows, given each reference's
/// length and the frame's length in residues.
pub(crate) fn windows(
    seeds: &mut [Seed],
    reference_lengths: &[usize],
    frame_length: usize,
) -> Vec<Window> {
    seeds.sort_unstable();
    let mut windows = Vec::new();
    for band in
        seeds.chunk_by_mut(|a, b| a.reference == b.reference && b.diagonal - a.diagonal <= BAND)
    {
        let reference = band[0].reference as usize;
        let length = reference_lengths[reference];
        // Seeds of one copy lie within the reference's length of each other: a band of
        // diagonals that also spans far-apart positions holds several loci (or chance seeds).
        band.sort_unstable_by_key(|seed| seed.position);
        for group in band.chunk_by(|a, b| (b.position - a.position) as usize <= length) {
            if group.len() < MIN_SEEDS {
                continue;
            }
            let low = group
                .iter()
                .map(|seed| seed.diagonal)
                .min()
                .unwrap_or_default();
            let high = group
                .iter()
                .map(|seed| seed.diagonal)
                .max()
                .unwrap_or_default();
            let margin = 30 + length as i64 / 10;
            let start = (low - margin).max(0);
            let end = (high + length as i64 + margin).min(frame_length as i64);
            if start < end {
                windows.push(Window {
                    reference,
                    start: start as usize,
                    end: end as usize,
                });
            }
        }
    }
    windows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wildtype::genome::code::translate_codon;

    #[test]
    fn seeds_find_a_planted_protein_in_its_frame() {
        // 300 pseudo-random residues: no 5-mer repeats.
        let mut state = 7u64;
        let protein: Vec<u8> = (0..300)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ALPHABET[(state >> 33) as usize % 20]
            })
            .collect();
        // A CDS for it (any codon per residue), behind two bases of padding.
        let codon_of = |residue: u8| {
            let bases = b"TCAG";
            (0..64)
                .map(|i| [bases[i / 16], bases[i / 4 % 4], bases[i % 4]])
                .find(|codon| translate_codon(codon) == residue)
                .unwrap()
        };
        let mut dna = b"GG".to_vec();
        for &residue in protein.iter() {
            dna.extend_from_slice(&codon_of(residue));
        }
        let index = SeedIndex::new([&protein[..]]);
        let mut seeds = Vec::new();
        index.seeds(&dna, 2, &mut seeds);
        assert_eq!(seeds.len(), protein.len() + 1 - K);
        assert!(seeds.iter().all(|seed| seed.diagonal == 0));
        let frame_length = (dna.len() - 2) / 3;
        let found = windows(&mut seeds, &[protein.len()], frame_length);
        assert_eq!(
            found,
            [Window {
                reference: 0,
                start: 0,
                end: frame_length
            }]
        );
        let mut other = Vec::new();
        index.seeds(&dna, 0, &mut other);
        assert!(windows(&mut other, &[protein.len()], frame_length).is_empty());
    }

    #[test]
    fn unknown_codons_and_stops_break_seeds() {
        let index = SeedIndex::new([&b"MKVLA"[..]]);
        let mut seeds = Vec::new();
        index.seeds(b"ATGAAAGTTCTGGCG", 0, &mut seeds);
        assert_eq!(seeds.len(), 1);
        seeds.clear();
        index.seeds(b"ATGAAAGTNCTGGCG", 0, &mut seeds);
        index.seeds(b"ATGAAATAACTGGCG", 0, &mut seeds);
        assert!(seeds.is_empty());
        index.seeds(b"atgaaagttctggcg", 0, &mut seeds);
        assert_eq!(seeds.len(), 1);
    }

    #[test]
    fn chance_seeds_far_apart_on_one_diagonal_make_no_window() {
        let seed = |position: u32| Seed {
            reference: 0,
            diagonal: 7,
            position,
        };
        let mut far = vec![seed(1000), seed(6000), seed(11000)];
        assert!(windows(&mut far, &[100], 20_000).is_empty());
        let mut near = vec![seed(1000), seed(1040), seed(1090)];
        assert_eq!(
            windows(&mut near, &[100], 20_000),
            [Window {
                reference: 0,
                start: 0,
                end: 147
            }]
        );
    }
}
