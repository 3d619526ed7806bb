//! Every copy of each RNA gene and promoter in a genome's contigs.
//!
//! 1. **Prefilter** ([`super::nseeds`]): the references' 11-mers on both strands, found in
//!    one pass over each contig; seeds of one reference and strand grouped by diagonal give
//!    windows (the reference's length plus margins).
//! 2. **Window score**: each reference's windows go through the SIMD engine in one batch
//!    ([`Aligner::score_many_to_one`], window as a, reference as b; EDNAFULL, gaps 10/0.5);
//!    windows scoring under [`NucleotideSearchOptions::min_window_score_ratio`] of the
//!    reference's score against itself are dropped. The score's end cell places the rest
//!    (their start estimated from the reference position there). No alignment ever spans
//!    more than a window: a whole contig is never aligned.
//! 3. **Assignment**: hits are taken best water score first; a hit overlapping an already
//!    taken one on the same contig by more than half of the shorter is the same locus matched
//!    by a weaker reference and is dropped. So each copy goes to the reference it matches
//!    best: a genome with seven 16S copies gives seven copies, each called against the one
//!    of E. coli's three 16S references it is closest to, never all three against each.
//!    Equal scores go to the reference that comes first (file order, as
//!    [`crate::wildtype::genome::Species::nucleotide_references`] lists them).
//! 4. **Copy**: the reversed window (up to the best alignment's end) scored against the
//!    reversed reference gives where the alignment starts; that stretch, aligned again on its own against its
//!    reference (water-exact: the copy as a, the reference as b) and called
//!    ([`super::ncall`]).
//! 5. **Thresholds**: a copy is reported when that alignment's identity is at least
//!    [`NucleotideSearchOptions::min_identity`] and it spans at least
//!    [`NucleotideSearchOptions::min_coverage`] of the reference.
//!
//! Two copies of one reference closer to each other than the reference's length (tandem
//! copies) share a window, and only the better one is found.

use std::ops::Range;

use super::copy::{Contig, Strand};
use super::ncall::{CallContext, calls};
use super::nreference::NucleotideReference;
use super::nseeds::{NucleotideIndex, NucleotideWindow, complement};
use super::nucleotide::NucleotideCopy;
use crate::align::Aligner;
use crate::scoring::Matrix;
use crate::{Error, Result};

/// Thresholds of the nucleotide search.
///
/// PointFinder keeps BLAST hits of at least 80 % identity; so does this search by default.
/// Half of the reference is enough to report a copy cut at a contig end (flagged partial).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::NucleotideSearchOptions;
///
/// let options = NucleotideSearchOptions { min_identity: 0.9, ..NucleotideSearchOptions::default() };
/// assert_eq!((options.min_identity, options.min_coverage), (0.9, 0.5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NucleotideSearchOptions {
    /// Least water identity (identical positions over alignment length, 0..=1) of a reported
    /// copy against its reference. Default 0.80.
    pub min_identity: f64,
    /// Least share of the reference (0..=1) the copy's alignment must span. Default 0.5.
    pub min_coverage: f64,
    /// Least window score, as a share of the reference's score against itself, for a window
    /// to be aligned. Default 0.1 (half of the reference at 80 % identity scores about 0.3).
    pub min_window_score_ratio: f32,
}

impl Default for NucleotideSearchOptions {
    fn default() -> Self {
        Self {
            min_identity: 0.80,
            min_coverage: 0.5,
            min_window_score_ratio: 0.1,
        }
    }
}

/// A nucleotide search ready to run on any number of genomes: the references' seed index and
/// scores, built once.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::{reverse_complement, Contig, NucleotideSearch, Species, Strand};
///
/// let species = Species::embedded("escherichia_coli").unwrap();
/// let search = NucleotideSearch::new(species.nucleotide_references()).unwrap();
/// let rrs = search.references()[2].bases(); // 16S-rrsC
/// let genome = [b"ACGT".repeat(50), reverse_complement(rrs), b"TTGCA".repeat(40)].concat();
/// let copies = search.find(&[Contig::new("contig_1", &genome)]).unwrap();
/// assert_eq!(copies.len(), 1);
/// assert_eq!((copies[0].gene(), copies[0].strand()), ("16S-rrsC", Strand::Reverse));
/// assert_eq!((copies[0].one_based(), copies[0].calls().len()), ((201, 1742), 0));
/// ```
#[derive(Debug, Clone)]
pub struct NucleotideSearch {
    references: Vec<NucleotideReference>,
    lengths: Vec<usize>,
    self_scores: Vec<f32>,
    index: NucleotideIndex,
    aligner: Aligner,
    options: NucleotideSearchOptions,
}

/// A placed hit of one reference on one strand, before assignment.
#[derive(Debug, Clone)]
struct Hit {
    reference: usize,
    contig: usize,
    strand: Strand,
    /// The window on the contig as given.
    window: Range<usize>,
    /// Where the best alignment ends, in the window's bases in the gene's orientation.
    end: usize,
    /// The aligned stretch on the contig as given (before [`NucleotideSearch::start`], an
    /// estimate from its end).
    forward: Range<usize>,
    score: f32,
}

impl NucleotideSearch {
    /// A search for these references with the default [`NucleotideSearchOptions`].
    ///
    /// # Errors
    ///
    /// No reference.
    pub fn new(references: Vec<NucleotideReference>) -> Result<Self> {
        Self::with_options(references, NucleotideSearchOptions::default())
    }

    /// A search with these thresholds.
    ///
    /// # Errors
    ///
    /// No reference.
    pub fn with_options(
        references: Vec<NucleotideReference>,
        options: NucleotideSearchOptions,
    ) -> Result<Self> {
        if references.is_empty() {
            return Err(Error::Input {
                path: "<references>".into(),
                message: "no RNA gene or promoter to search for".into(),
            });
        }
        let aligner = Aligner::builder().matrix(Matrix::dnafull()).build()?;
        let self_scores = references
            .iter()
            .map(|r| Ok(aligner.score(r.bases(), r.bases())?.score()))
            .collect::<Result<Vec<f32>>>()?;
        Ok(Self {
            lengths: references.iter().map(|r| r.bases().len()).collect(),
            index: NucleotideIndex::new(references.iter().map(NucleotideReference::bases)),
            references,
            self_scores,
            aligner,
            options,
        })
    }

    /// The references, in the order [`NucleotideCopy::reference`] indexes.
    pub fn references(&self) -> &[NucleotideReference] {
        &self.references
    }

    /// The thresholds.
    pub fn options(&self) -> NucleotideSearchOptions {
        self.options
    }

    /// Every copy of every reference in these contigs, ordered by contig, then start, then
    /// strand.
    ///
    /// # Errors
    ///
    /// Only an alignment failure, which the search's own inputs never cause.
    pub fn find(&self, contigs: &[Contig<'_>]) -> Result<Vec<NucleotideCopy>> {
        let mut windows = Vec::new();
        for (contig, sequence) in contigs.iter().enumerate() {
            let found = self.index.windows(sequence.sequence(), &self.lengths);
            windows.extend(found.into_iter().map(|window| (contig, window)));
        }
        let hits = self.place(&windows, contigs)?;
        let mut copies = Vec::new();
        let mut hits = assign(hits);
        self.start(&mut hits, contigs)?;
        for hit in hits {
            if let Some(copy) = self.copy(&hit, &contigs[hit.contig])? {
                copies.push(copy);
            }
        }
        copies.sort_by(|a, b| {
            (a.contig, a.range.start, a.strand).cmp(&(b.contig, b.range.start, b.strand))
        });
        Ok(copies)
    }

    /// Scores every window against its reference and places those above the floor.
    fn place(
        &self,
        windows: &[(usize, NucleotideWindow)],
        contigs: &[Contig<'_>],
    ) -> Result<Vec<Hit>> {
        let mut hits = Vec::new();
        for (reference, target) in self.references.iter().enumerate() {
            let mine: Vec<&(usize, NucleotideWindow)> = windows
                .iter()
                .filter(|(_, w)| w.reference == reference)
                .collect();
            if mine.is_empty() {
                continue;
            }
            let bases: Vec<Vec<u8>> = mine
                .iter()
                .map(|(contig, w)| oriented(contigs[*contig].sequence(), w.range.clone(), w.strand))
                .collect();
            let slices: Vec<&[u8]> = bases.iter().map(Vec::as_slice).collect();
            let floor = self.self_scores[reference] * self.options.min_window_score_ratio;
            let mut kept = Vec::new();
            let scores = self.aligner.score_many_to_one(&slices, target.bases());
            for (index, score) in scores.into_iter().enumerate() {
                let score = score?;
                if score.score() >= floor.max(f32::MIN_POSITIVE) {
                    kept.push((index, score));
                }
            }
            for (index, score) in kept {
                let (contig, window) = mine[index];
                let end = score.end_a();
                // Until the start is known: as if the alignment began at the reference's start.
                let aligned = end.saturating_sub(score.end_b())..end + 1;
                hits.push(Hit {
                    reference,
                    contig: *contig,
                    strand: window.strand,
                    window: window.range.clone(),
                    end,
                    forward: to_contig(&window.range, window.strand, aligned),
                    score: score.score(),
                });
            }
        }
        Ok(hits)
    }

    /// Where each assigned hit's best alignment starts: the end of the best alignment of the
    /// reversed window (up to where the forward one ends) against the reversed reference. No
    /// traceback is needed before a copy is assigned.
    fn start(&self, hits: &mut [Hit], contigs: &[Contig<'_>]) -> Result<()> {
        for (reference, target) in self.references.iter().enumerate() {
            let mine: Vec<&mut Hit> = hits
                .iter_mut()
                .filter(|h| h.reference == reference)
                .collect();
            if mine.is_empty() {
                continue;
            }
            let reversed_reference: Vec<u8> = target.bases().iter().rev().copied().collect();
            let prefixes: Vec<Vec<u8>> = mine
                .iter()
                .map(|hit| {
                    let mut bases = oriented(
                        contigs[hit.contig].sequence(),
                        hit.window.clone(),
                        hit.strand,
                    );
                    bases.truncate(hit.end + 1);
                    bases.reverse();
                    bases
                })
                .collect();
            let slices: Vec<&[u8]> = prefixes.iter().map(Vec::as_slice).collect();
            let starts = self.aligner.score_many_to_one(&slices, &reversed_reference);
            for (hit, start) in mine.into_iter().zip(starts) {
                let aligned = hit.end - start?.end_a()..hit.end + 1;
                hit.forward = to_contig(&hit.window, hit.strand, aligned);
            }
        }
        Ok(())
    }

    /// The copy of an assigned hit, aligned on its own and called; `None` under the
    /// thresholds.
    fn copy(&self, hit: &Hit, contig: &Contig<'_>) -> Result<Option<NucleotideCopy>> {
        let reference = &self.references[hit.reference];
        let mut range = hit.forward.clone();
        let mut bases = oriented(contig.sequence(), range.clone(), hit.strand);
        let mut alignment = self.aligner.align(&bases, reference.bases())?;
        // The copy is what its own alignment spans: the window's aligned stretch, trimmed
        // (in case of ties) until its alignment spans it whole.
        while alignment.a_range() != (0..bases.len()) {
            if alignment.a_range().is_empty() {
                return Ok(None);
            }
            range = to_contig(&range, hit.strand, alignment.a_range());
            bases = bases[alignment.a_range()].to_vec();
            alignment = self.aligner.align(&bases, reference.bases())?;
        }
        let length = contig.sequence().len();
        let (before, after) = match hit.strand {
            Strand::Forward => (range.start, length - range.end),
            Strand::Reverse => (length - range.end, range.start),
        };
        let (missing_start, missing_end) = (
            alignment.b_range().start,
            reference.bases().len() - alignment.b_range().end,
        );
        let locate = |copy: Range<usize>| to_contig(&range, hit.strand, copy);
        let context = CallContext {
            copy: &bases,
            reference,
            locate: &locate,
        };
        let calls = calls(&context, &alignment);
        let copy = NucleotideCopy {
            reference: hit.reference,
            gene: reference.gene().to_string(),
            reference_name: reference.name().to_string(),
            kind: reference.kind(),
            contig: hit.contig,
            contig_name: contig.name().to_string(),
            strand: hit.strand,
            cut_at_start: missing_start > 0 && before < missing_start,
            cut_at_end: missing_end > 0 && after < missing_end,
            range,
            bases,
            alignment,
            reference_length: reference.bases().len(),
            calls,
        };
        let keep = copy.identity() >= self.options.min_identity
            && copy.reference_coverage() >= self.options.min_coverage;
        Ok(keep.then_some(copy))
    }
}

/// The bases of `range` of a contig in the gene's orientation.
fn oriented(contig: &[u8], range: Range<usize>, strand: Strand) -> Vec<u8> {
    match strand {
        Strand::Forward => contig[range].to_vec(),
        Strand::Reverse => contig[range]
            .iter()
            .rev()
            .map(|&b| complement_kept(b))
            .collect(),
    }
}

/// The complement of a base, keeping its case and any other byte as `N` (`n`).
fn complement_kept(base: u8) -> u8 {
    let complement = complement(base);
    if base.is_ascii_lowercase() {
        complement.to_ascii_lowercase()
    } else {
        complement
    }
}

/// A range of the oriented bases of `outer` (a range on the contig) as a range on the
/// contig as given.
fn to_contig(outer: &Range<usize>, strand: Strand, inner: Range<usize>) -> Range<usize> {
    match strand {
        Strand::Forward => outer.start + inner.start..outer.start + inner.end,
        Strand::Reverse => outer.end - inner.end..outer.end - inner.start,
    }
}

/// Keeps, best score first, the hits that do not overlap a kept hit on the same contig by
/// more than half of the shorter of the two (ties: lower reference index, then position, so
/// the result does not depend on input order).
fn assign(mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.reference.cmp(&b.reference))
            .then((a.contig, a.forward.start, a.strand).cmp(&(b.contig, b.forward.start, b.strand)))
    });
    let mut kept: Vec<Hit> = Vec::new();
    for hit in hits {
        let clash = kept.iter().any(|other| {
            let overlap = hit
                .forward
                .end
                .min(other.forward.end)
                .saturating_sub(hit.forward.start.max(other.forward.start));
            other.contig == hit.contig && 2 * overlap > hit.forward.len().min(other.forward.len())
        });
        if !clash {
            kept.push(hit);
        }
    }
    kept
}

/// Every copy of every RNA gene and promoter in one genome's contigs, with the default
/// [`NucleotideSearchOptions`]; build a [`NucleotideSearch`] once instead to search many
/// genomes.
///
/// # Errors
///
/// No reference.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::{find_nucleotide_genes, Contig, Species};
///
/// let species = Species::embedded("escherichia_coli").unwrap();
/// let rrl = species.genes().iter().find(|g| g.gene() == "23S").unwrap().nucleotides();
/// let genome = [&b"GATTACA".repeat(30)[..], rrl, &b"GATTACA".repeat(30)[..], rrl].concat();
/// let copies = find_nucleotide_genes(&[Contig::new("c", &genome)], &species.nucleotide_references()).unwrap();
/// assert_eq!(copies.len(), 2);
/// assert!(copies.iter().all(|copy| copy.gene() == "23S" && copy.calls().is_empty()));
/// assert_eq!(copies[1].is_partial(), false);
/// ```
pub fn find_nucleotide_genes(
    contigs: &[Contig<'_>],
    references: &[NucleotideReference],
) -> Result<Vec<NucleotideCopy>> {
    NucleotideSearch::new(references.to_vec())?.find(contigs)
}
