//! The nucleotide prefilter: [`K`]-mers shared by a contig and the references (either
//! strand), grouped by diagonal into windows worth aligning.
//!
//! Only the contig as given is scanned: each reference is indexed twice, as given and
//! reverse-complemented, so a seed of the second kind is a hit on the reverse strand. Every
//! [`K`]-mer of `ACGT` bases (any case, `U` as `T`) is checked against a bit set of the
//! references' K-mers (512 kB) and, when set, against the sorted list of
//! `(K-mer, reference and strand, position)`. Seeds of one reference and strand are grouped
//! by diagonal (contig position minus position in the indexed sequence): seeds whose
//! diagonals lie within [`BAND`] of the next one belong to one group, which covers indels of
//! up to that many bases between seeds. A group of at least [`MIN_SEEDS`] seeds becomes a
//! window spanning its diagonals plus the reference's length and a margin (20 bases and a
//! twentieth of the reference on each side).

use std::ops::Range;

use super::code::BASE_INDEX;
use super::copy::Strand;

/// Bases per seed. The references of a species hold a few thousand K-mers on each strand
/// (E. coli: about 15 000), so an 11-mer of random DNA hits one by chance once per 280
/// bases; a copy 80 % identical to its reference still holds an exact 11-mer about once
/// per 12 bases.
pub(crate) const K: usize = 11;

/// Diagonal distance (in bases) within which seeds join one group.
pub(crate) const BAND: i64 = 48;

/// Independent (non-overlapping) seeds a group needs to become a window. A chance match of
/// 12 or 13 bases gives two or three overlapping seeds on one diagonal, so they count as one;
/// three independent chance seeds of one reference and strand in one band within the
/// reference's length almost never happen, while a copy 90 % identical to its reference
/// holds an independent seed about every 25 bases.
pub(crate) const MIN_SEEDS: usize = 3;

/// References shorter than this (promoters) need one independent seed less: their windows
/// cost little to score, and a short copy holds few seeds.
pub(crate) const SHORT: usize = 500;

const CODES: usize = 1 << (2 * K);
const MASK: u32 = (CODES - 1) as u32;

/// The K-mers of a set of nucleotide references, on both strands.
#[derive(Debug, Clone)]
pub(crate) struct NucleotideIndex {
    /// One bit per possible K-mer code.
    present: Vec<u64>,
    /// `(code, 2 * reference + strand, position in the indexed sequence)`, sorted; strand 1
    /// is the reverse complement of the reference.
    entries: Vec<(u32, u32, u32)>,
}

/// A stretch of one contig worth aligning against one reference on one strand, as a range
/// on the contig as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NucleotideWindow {
    pub reference: usize,
    pub strand: Strand,
    pub range: Range<usize>,
}

/// One seed: `key = 2 * reference + strand`, `diagonal = contig position - indexed position`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Seed {
    key: u32,
    diagonal: i64,
    position: u32,
}

impl NucleotideIndex {
    pub(crate) fn new<'a>(references: impl IntoIterator<Item = &'a [u8]>) -> Self {
        let mut present = vec![0u64; CODES.div_ceil(64)];
        let mut entries = Vec::new();
        for (reference, bases) in references.into_iter().enumerate() {
            let reverse: Vec<u8> = bases.iter().rev().map(|&b| complement(b)).collect();
            for (strand, sequence) in [bases, &reverse[..]].into_iter().enumerate() {
                let key = 2 * reference as u32 + strand as u32;
                for_each_kmer(sequence, |position, code| {
                    present[code as usize / 64] |= 1 << (code % 64);
                    entries.push((code, key, position as u32));
                });
            }
        }
        entries.sort_unstable();
        entries.dedup();
        Self { present, entries }
    }

    /// The windows of one contig, given each reference's length.
    pub(crate) fn windows(&self, contig: &[u8], lengths: &[usize]) -> Vec<NucleotideWindow> {
        let mut seeds = Vec::new();
        for_each_kmer(contig, |position, code| {
            if self.present[code as usize / 64] & (1 << (code % 64)) == 0 {
                return;
            }
            let first = self.entries.partition_point(|entry| entry.0 < code);
            for &(_, key, indexed) in self.entries[first..]
                .iter()
                .take_while(|entry| entry.0 == code)
            {
                seeds.push(Seed {
                    key,
                    diagonal: position as i64 - i64::from(indexed),
                    position: position as u32,
                });
            }
        });
        group(&mut seeds, lengths, contig.len())
    }
}

/// Groups one contig's seeds into windows.
fn group(seeds: &mut [Seed], lengths: &[usize], contig_length: usize) -> Vec<NucleotideWindow> {
    seeds.sort_unstable();
    let mut windows = Vec::new();
    for band in seeds.chunk_by_mut(|a, b| a.key == b.key && b.diagonal - a.diagonal <= BAND) {
        let reference = band[0].key as usize / 2;
        let strand = if band[0].key % 2 == 0 {
            Strand::Forward
        } else {
            Strand::Reverse
        };
        let length = lengths[reference];
        // Seeds of one copy lie within the reference's length of each other: a band of
        // diagonals that also spans far-apart positions holds several loci (or chance seeds).
        band.sort_unstable_by_key(|seed| seed.position);
        for seeds in band.chunk_by(|a, b| (b.position - a.position) as usize <= length) {
            let needed = if length < SHORT {
                MIN_SEEDS - 1
            } else {
                MIN_SEEDS
            };
            if independent(seeds) < needed {
                continue;
            }
            let low = seeds.iter().map(|s| s.diagonal).min().unwrap_or_default();
            let high = seeds.iter().map(|s| s.diagonal).max().unwrap_or_default();
            let margin = 20 + length as i64 / 20;
            let start = (low - margin).max(0);
            let end = (high + length as i64 + margin).min(contig_length as i64);
            if start < end {
                windows.push(NucleotideWindow {
                    reference,
                    strand,
                    range: start as usize..end as usize,
                });
            }
        }
    }
    windows
}

/// Seeds that do not overlap the previous one counted (position order): one chance match of
/// 13 bases is three overlapping seeds, but only one independent one.
fn independent(seeds: &[Seed]) -> usize {
    let mut count = 0;
    let mut next = 0;
    for seed in seeds {
        if seed.position >= next {
            count += 1;
            next = seed.position + K as u32;
        }
    }
    count
}

/// The complement of a base (either case, `U` as `A`'s partner); anything else as `N`.
pub(crate) fn complement(base: u8) -> u8 {
    match BASE_INDEX[base as usize] {
        0 => b'A',
        1 => b'G',
        2 => b'T',
        3 => b'C',
        _ => b'N',
    }
}

/// Calls `found(start, code)` for every run of [`K`] `ACGT` bases, 2 bits a base.
fn for_each_kmer(sequence: &[u8], mut found: impl FnMut(usize, u32)) {
    let mut code = 0u32;
    let mut run = 0usize;
    for (position, &base) in sequence.iter().enumerate() {
        let index = BASE_INDEX[base as usize];
        if index >= 4 {
            run = 0;
            continue;
        }
        code = ((code << 2) | u32::from(index)) & MASK;
        run += 1;
        if run >= K {
            found(position + 1 - K, code);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random bases (SplitMix64).
    fn dna(seed: u64, length: usize) -> Vec<u8> {
        let mut state = seed;
        (0..length)
            .map(|_| {
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                b"ACGT"[((z ^ (z >> 31)) % 4) as usize]
            })
            .collect()
    }

    #[test]
    fn a_planted_reference_gives_one_window_per_strand() {
        let reference = dna(1, 400);
        let reverse: Vec<u8> = reference.iter().rev().map(|&b| complement(b)).collect();
        let contig = [dna(2, 1000), reference.clone(), dna(3, 1000), reverse].concat();
        let index = NucleotideIndex::new([&reference[..]]);
        let windows = index.windows(&contig, &[400]);
        let margin = 20 + 20;
        assert_eq!(
            windows,
            [
                NucleotideWindow {
                    reference: 0,
                    strand: Strand::Forward,
                    range: 1000 - margin..1400 + margin
                },
                NucleotideWindow {
                    reference: 0,
                    strand: Strand::Reverse,
                    range: 2400 - margin..2800
                },
            ]
        );
        assert!(index.windows(&dna(4, 50_000), &[400]).is_empty());
    }

    #[test]
    fn unknown_bases_break_seeds_and_case_is_ignored() {
        let index = NucleotideIndex::new([&b"ACGTTGCAAGGCT"[..]]);
        let mut seeds = 0;
        for_each_kmer(b"acgttgcaaggct", |_, code| {
            seeds += usize::from(index.entries.iter().any(|e| e.0 == code));
        });
        assert_eq!(seeds, 3);
        let mut none = 0;
        for_each_kmer(b"ACGTTNCAAGGCT", |_, _| none += 1);
        assert_eq!(none, 0);
    }
}
