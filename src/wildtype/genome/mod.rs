//! Genomes in: every copy of each wild-type gene in a genome's contigs, found, extracted and
//! translated, from memory (no files needed).
//!
//! - [`code`](translate): the bacterial genetic code (NCBI table 11), alternative start
//!   codons read as `M` in first position, unknown bases as `X`; [`reverse_complement`].
//! - [`Species`]: a PointFinder species folder read as is ([`Species::from_folder`]) or one
//!   of the three the crate embeds ([`Species::embedded`]: `escherichia_coli`, `salmonella`,
//!   `campylobacter`, PointFinder database 3.0.0): coding genes as [`ProteinReference`]s,
//!   RNA genes and promoters kept as nucleotides ([`GeneKind`]).
//! - [`GeneSearch`] / [`find_genes`]: protein-coding genes by translated search on both
//!   strands, a 5-mer prefilter then the SIMD engine on windows only; each copy assigned to
//!   the reference it matches best, extended to its start and stop codons, translated and
//!   aligned water-exactly ([`GeneCopy`]). Thresholds: [`SearchOptions`].
//!
//! - [`NucleotideSearch`] / [`find_nucleotide_genes`]: RNA genes and promoters
//!   ([`NucleotideReference`]) by an 11-mer prefilter on both strands then the SIMD engine
//!   (EDNAFULL) on windows only; each copy assigned to the reference it matches best and
//!   called in reference numbering ([`NucleotideCopy`], [`NucleotideCall`]: ours and
//!   PointFinder's notation). Thresholds: [`NucleotideSearchOptions`].
//!
//! # Examples
//!
//! ```
//! use wildtype_aligner::wildtype::genome::{find_genes, Contig, Species};
//!
//! let species = Species::embedded("escherichia_coli").unwrap();
//! let gyra = species.genes()[0].nucleotides().to_vec();
//! let mut mutant = gyra.clone();
//! mutant[3 * 82 + 1] = b'T'; // codon 83: TCG (S) -> TTG (L)
//! let genome = [b"CAT".repeat(100), mutant].concat();
//! let copies = find_genes(&[Contig::new("contig_7", &genome)], &species.protein_references()).unwrap();
//! assert_eq!(copies.len(), 1);
//! assert_eq!(copies[0].protein()[82], b'L');
//! assert_eq!(copies[0].one_based(), (301, 300 + gyra.len()));
//! ```

mod code;
mod copy;
mod extract;
mod link;
mod ncall;
mod nreference;
mod nsearch;
mod nseeds;
mod nucleotide;
mod reference;
mod search;
mod seeds;
mod shift;
mod source;
mod species;
mod split;

pub use code::{is_start_codon, is_stop_codon, reverse_complement, translate, translate_codon};
pub use copy::{Contig, GeneCopy, Strand};
pub use ncall::{NucleotideCall, NucleotideCallKind};
pub use nreference::NucleotideReference;
pub use nsearch::{NucleotideSearch, NucleotideSearchOptions, find_nucleotide_genes};
pub use nucleotide::NucleotideCopy;
pub use reference::ProteinReference;
pub use search::{GeneSearch, SearchOptions, find_genes};
pub use shift::Frameshift;
pub use species::{GeneKind, ReferenceGene, Species};
pub use split::SplitPart;
