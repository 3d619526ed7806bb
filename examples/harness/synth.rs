//! Deterministic synthetic target sets: variants of real wild-type references with realistic
//! substitution, indel, premature-stop and truncation rates, in the pipeline's header format.
//!
//! Target `i` depends only on the seed, `i` and the references, so a smaller set is a prefix of
//! a larger one with the same seed: the 1K set is the first thousand targets of the 100K set.
//!
//! # Examples
//!
//! ```
//! use crate::harness::synth::{VariationModel, synthesize};
//!
//! let references = vec![("blaX".to_owned(), b"MSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQ".to_vec())];
//! let model = VariationModel::default();
//! let targets: Vec<_> = synthesize(&references, &model, 7).take(3).collect();
//! assert_eq!(targets.len(), 3);
//! assert!(targets[0].header.starts_with("SYN0000000|blaX|"));
//! let again: Vec<_> = synthesize(&references, &model, 7).take(3).collect();
//! assert_eq!(targets, again);
//! ```

use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{Result, io_error};

/// SplitMix64: a tiny, fast, well-mixed 64-bit generator (Steele, Lea and Flood 2014); enough
/// for benchmark data and needs no dependency.
///
/// # Examples
///
/// ```
/// use crate::harness::synth::SplitMix64;
///
/// let mut rng = SplitMix64::new(1);
/// let first = rng.next_u64();
/// assert_ne!(first, rng.next_u64());
/// assert!(rng.below(10) < 10);
/// ```
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator started at `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (`n > 0`; the modulo bias is below 2^-40 for the sizes used here).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// How targets differ from their reference. Rates are per target unless said otherwise.
///
/// The default mimics what an AMR screen of assembled genomes sees: most hits are close
/// alleles (0-2 % substitutions), a quarter are more distant (2-10 %), a few are remote
/// homologs (10-40 %); one in five carries an indel; 2 % have a premature stop (`*` inside the
/// translation, as through-translated pseudogenes show) and 5 % are cut at a contig edge.
#[derive(Debug, Clone, PartialEq)]
pub struct VariationModel {
    /// (share of targets, lowest, highest substitution rate per residue), shares summing to 1.
    pub divergence: Vec<(f64, f64, f64)>,
    /// Mean indel events per target (Poisson); lengths 1..=6, geometric.
    pub indels_per_target: f64,
    /// Share of targets with a premature stop.
    pub stop: f64,
    /// Share of targets truncated at an end (5-40 % of the length lost).
    pub truncation: f64,
}

impl Default for VariationModel {
    fn default() -> Self {
        Self {
            divergence: vec![(0.70, 0.0, 0.02), (0.25, 0.02, 0.10), (0.05, 0.10, 0.40)],
            indels_per_target: 0.2,
            stop: 0.02,
            truncation: 0.05,
        }
    }
}

/// One synthetic target: a pipeline header and its residues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthTarget {
    /// `accession|gene|start-end|strand|contig|checksum`.
    pub header: String,
    /// Residues (upper case, possibly with an internal `*`).
    pub residues: Vec<u8>,
}

const AMINO_ACIDS: &[u8; 20] = b"ACDEFGHIKLMNPQRSTVWY";

/// An endless, deterministic stream of variants of `references` (gene, residues), round-robin
/// over the references; take as many as needed.
pub fn synthesize<'a>(
    references: &'a [(String, Vec<u8>)],
    model: &'a VariationModel,
    seed: u64,
) -> impl Iterator<Item = SynthTarget> + 'a {
    (0u64..).map(move |index| variant(references, model, seed, index))
}

fn variant(
    references: &[(String, Vec<u8>)],
    model: &VariationModel,
    seed: u64,
    index: u64,
) -> SynthTarget {
    // One independent stream per target.
    let mut rng = SplitMix64::new(seed ^ SplitMix64::new(index).next_u64());
    let (gene, wild) = &references[(index % references.len().max(1) as u64) as usize];
    let mut residues = wild.clone();

    let pick = rng.unit();
    let mut acc = 0.0;
    let mut rate = 0.0;
    for &(share, low, high) in &model.divergence {
        acc += share;
        rate = low + (high - low) * rng.unit();
        if pick < acc {
            break;
        }
    }
    for residue in residues.iter_mut() {
        if rng.chance(rate) {
            let mut new = AMINO_ACIDS[rng.below(20)];
            while new == *residue {
                new = AMINO_ACIDS[rng.below(20)];
            }
            *residue = new;
        }
    }

    // Poisson indel count by inversion.
    let mut events = 0;
    let mut p = (-model.indels_per_target).exp();
    let mut cumulative = p;
    let u = rng.unit();
    while u > cumulative && events < 10 {
        events += 1;
        p *= model.indels_per_target / events as f64;
        cumulative += p;
    }
    for _ in 0..events {
        let mut length = 1;
        while length < 6 && rng.chance(0.5) {
            length += 1;
        }
        if residues.len() <= length + 2 {
            break;
        }
        let at = 1 + rng.below(residues.len() - length - 1);
        if rng.chance(0.5) {
            residues.drain(at..at + length);
        } else {
            let inserted: Vec<u8> = (0..length).map(|_| AMINO_ACIDS[rng.below(20)]).collect();
            residues.splice(at..at, inserted);
        }
    }
    if rng.chance(model.stop) && residues.len() > 10 {
        let at = 5 + rng.below(residues.len() - 10);
        residues[at] = b'*';
    }
    if rng.chance(model.truncation) && residues.len() > 20 {
        let lost = (residues.len() as f64 * (0.05 + 0.35 * rng.unit())) as usize;
        if rng.chance(0.5) {
            residues.drain(..lost);
        } else {
            residues.truncate(residues.len() - lost);
        }
    }

    let start = 1 + rng.below(500_000) as u64;
    let end = start + 3 * (residues.len() as u64 + 1) - 1;
    let strand = if rng.chance(0.5) { '+' } else { '-' };
    let contig = format!("contig_{}", index / 50);
    let checksum: String = Sha256::digest(&residues)[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    SynthTarget {
        header: format!("SYN{index:07}|{gene}|{start}-{end}|{strand}|{contig}|{checksum}"),
        residues,
    }
}

/// Writes `targets` as FASTA, 60 residues a line.
pub fn write_fasta<'a>(
    path: &Path,
    targets: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|source| io_error(path, source))?;
    let mut out = std::io::BufWriter::new(file);
    let write = || -> std::io::Result<()> {
        for (header, residues) in targets {
            writeln!(out, ">{header}")?;
            for line in residues.chunks(60) {
                out.write_all(line)?;
                out.write_all(b"\n")?;
            }
        }
        out.flush()
    };
    write().map_err(|source| io_error(path, source))
}
