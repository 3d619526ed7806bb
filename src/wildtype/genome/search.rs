//! Every copy of each reference protein in a genome's contigs.
//!
//! 1. **Prefilter** ([`super::seeds`]): the references' 5-mers in the six-frame translation;
//!    seeds of one reference grouped by diagonal give windows of a reading frame.
//! 2. **Window score**: each reference's windows go through the SIMD engine in one batch
//!    ([`Aligner::score_many_to_one`], window as a, reference as b); windows scoring under
//!    [`SearchOptions::min_window_score_ratio`] of the reference's score against itself are
//!    dropped, the rest are aligned ([`Aligner::align_many_to_one`]) to place the hit. No
//!    alignment ever spans more than a window (the reference's length plus margins).
//! 3. **Assignment**: hits are taken best score first; a hit overlapping an already taken one
//!    on the same contig by more than half of the shorter is the same locus matched by a
//!    weaker reference and is dropped. So each copy goes to the reference it matches best,
//!    and a diverged second copy elsewhere (a paralog) stays its own copy.
//! 4. **Extraction** ([`super::extract`]): back to codon 1, forward to the stop codon, the
//!    coding sequence translated and aligned water-exactly against its reference (protein as
//!    a, reference as b, as the pipeline aligns targets). When the reference goes on in a
//!    frame 1 or 2 bases over past either end of the alignment's core ([`super::shift`]),
//!    the gene is followed across that frameshift: one copy, its protein in the reference's
//!    frame, the shift recorded ([`Frameshift`]). Copies that end up on one locus (the two
//!    frames of a frameshifted gene, each a hit) are kept once, the best hit's.
//! 5. **Thresholds**: a copy is reported when that alignment's identity is at least
//!    [`SearchOptions::min_identity`] and it spans at least
//!    [`SearchOptions::min_coverage`] of the reference.
//! 6. **Split genes** ([`super::split`]): two partial copies that complete each other across
//!    an assembly break are linked ([`super::SplitPart`]), after sorting.

use std::ops::Range;

use super::code::{reverse_complement, translate_codon};
use super::copy::{Contig, GeneCopy, Strand};
use super::extract::{codon_starts, extend, protein, read, shifted};
use super::link::link;
use super::reference::ProteinReference;
use super::seeds::{SeedIndex, Window, windows};
use super::shift::{Anchor, Frameshift, Junction, detect};
use crate::align::{Aligner, Alignment, Op};
use crate::scoring::Matrix;
use crate::{Error, Result};

/// Thresholds of the genome search.
///
/// The defaults keep paralogs apart: E. coli's GyrA and ParC proteins are about 36 %
/// identical, GyrB and ParE about 33 % (water, whole proteins), so with a 70 % identity floor neither is ever taken
/// for the other even when only one of them is a reference, while a diverged copy of the same
/// gene (85-95 % identical) is reported with its identity. A quarter of the reference is
/// enough to report a copy cut at a contig end.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::SearchOptions;
///
/// let options = SearchOptions { min_identity: 0.9, ..SearchOptions::default() };
/// assert_eq!((options.min_identity, options.min_coverage), (0.9, 0.25));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchOptions {
    /// Least water identity (identical positions over alignment length, 0..=1) of a reported
    /// copy against its reference. Default 0.70.
    pub min_identity: f64,
    /// Least share of the reference (0..=1) the copy's alignment must span. Default 0.25.
    pub min_coverage: f64,
    /// Least window score, as a share of the reference's score against itself, for a window
    /// to be aligned. Default 0.05 (a quarter of the reference at 70 % identity scores more).
    pub min_window_score_ratio: f32,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            min_identity: 0.70,
            min_coverage: 0.25,
            min_window_score_ratio: 0.05,
        }
    }
}

/// A search ready to run on any number of genomes: the references' seed index and scores,
/// built once.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::{Contig, GeneSearch, Species};
///
/// let species = Species::embedded("escherichia_coli").unwrap();
/// let search = GeneSearch::new(species.protein_references()).unwrap();
/// let gyra = species.genes()[0].nucleotides();
/// let genome = [b"ACGT".repeat(50), gyra.to_vec(), b"TTGCA".repeat(40)].concat();
/// let copies = search.find(&[Contig::new("contig_1", &genome)]).unwrap();
/// assert_eq!(copies.len(), 1);
/// assert_eq!((copies[0].gene(), copies[0].one_based()), ("gyrA", (201, 2828)));
/// ```
#[derive(Debug, Clone)]
pub struct GeneSearch {
    references: Vec<ProteinReference>,
    lengths: Vec<usize>,
    self_scores: Vec<f32>,
    index: SeedIndex,
    aligner: Aligner,
    matrix: Matrix,
    options: SearchOptions,
}

/// A placed hit of one reference in one reading frame, before assignment.
#[derive(Debug, Clone)]
struct Hit {
    reference: usize,
    contig: usize,
    strand: Strand,
    /// Aligned stretch on the strand's sequence (nucleotides, whole codons).
    aligned: Range<usize>,
    reference_start: usize,
    /// Where the alignment's core (see [`core`]) begins and ends: strand positions and
    /// reference residues.
    core: Anchor,
    score: f32,
    /// The aligned stretch on the contig as given, for overlap tests.
    forward: Range<usize>,
}

/// A window of one frame of one contig.
#[derive(Debug, Clone, Copy)]
struct FrameWindow {
    contig: usize,
    strand: Strand,
    frame: usize,
    window: Window,
}

impl GeneSearch {
    /// A search for these references with the default [`SearchOptions`].
    ///
    /// # Errors
    ///
    /// No reference, or a reference without residues.
    pub fn new(references: Vec<ProteinReference>) -> Result<Self> {
        Self::with_options(references, SearchOptions::default())
    }

    /// A search with these thresholds.
    ///
    /// # Errors
    ///
    /// No reference, or a reference without residues.
    pub fn with_options(references: Vec<ProteinReference>, options: SearchOptions) -> Result<Self> {
        if references.is_empty() {
            return Err(Error::Input {
                path: "<references>".into(),
                message: "no reference protein to search for".into(),
            });
        }
        if let Some(empty) = references.iter().find(|r| r.protein().is_empty()) {
            return Err(Error::Input {
                path: empty.name().into(),
                message: "reference protein has no residues".into(),
            });
        }
        let aligner = Aligner::builder().build()?;
        let self_scores = references
            .iter()
            .map(|r| Ok(aligner.score(r.protein(), r.protein())?.score()))
            .collect::<Result<Vec<f32>>>()?;
        Ok(Self {
            lengths: references.iter().map(|r| r.protein().len()).collect(),
            index: SeedIndex::new(references.iter().map(ProteinReference::protein)),
            references,
            self_scores,
            aligner,
            matrix: Matrix::blosum62(),
            options,
        })
    }

    /// The references, in the order [`GeneCopy::reference`] indexes.
    pub fn references(&self) -> &[ProteinReference] {
        &self.references
    }

    /// Every copy of every reference in these contigs, ordered by contig, then start, then
    /// strand.
    ///
    /// # Errors
    ///
    /// Only an alignment failure, which the search's own inputs never cause.
    pub fn find(&self, contigs: &[Contig<'_>]) -> Result<Vec<GeneCopy>> {
        let reverses: Vec<Vec<u8>> = contigs
            .iter()
            .map(|c| reverse_complement(c.sequence()))
            .collect();
        let strand_sequence = |contig: usize, strand: Strand| match strand {
            Strand::Forward => contigs[contig].sequence(),
            Strand::Reverse => &reverses[contig][..],
        };
        let mut frame_windows = Vec::new();
        let mut seeds = Vec::new();
        for contig in 0..contigs.len() {
            for strand in [Strand::Forward, Strand::Reverse] {
                let sequence = strand_sequence(contig, strand);
                for frame in 0..3 {
                    seeds.clear();
                    self.index.seeds(sequence, frame, &mut seeds);
                    let frame_length = sequence.len().saturating_sub(frame) / 3;
                    frame_windows.extend(
                        windows(&mut seeds, &self.lengths, frame_length)
                            .into_iter()
                            .map(|window| FrameWindow {
                                contig,
                                strand,
                                frame,
                                window,
                            }),
                    );
                }
            }
        }
        let hits = self.place(&frame_windows, &strand_sequence, contigs)?;
        let mut copies: Vec<GeneCopy> = Vec::new();
        for hit in assign(hits) {
            let sequence = strand_sequence(hit.contig, hit.strand);
            if let Some(copy) = self.extract(&hit, sequence, &contigs[hit.contig])?
                && !copies.iter().any(|kept| same_locus(kept, &copy))
            {
                copies.push(copy);
            }
        }
        copies.sort_by(|a, b| {
            (a.contig, a.range.start, a.strand).cmp(&(b.contig, b.range.start, b.strand))
        });
        link(&mut copies);
        Ok(copies)
    }

    /// Scores every window against its reference, aligns those above the floor and returns
    /// the placed hits.
    fn place<'s>(
        &self,
        frame_windows: &[FrameWindow],
        strand_sequence: &impl Fn(usize, Strand) -> &'s [u8],
        contigs: &[Contig<'_>],
    ) -> Result<Vec<Hit>> {
        let mut hits = Vec::new();
        for (reference, target) in self.references.iter().enumerate() {
            let mine: Vec<&FrameWindow> = frame_windows
                .iter()
                .filter(|w| w.window.reference == reference)
                .collect();
            if mine.is_empty() {
                continue;
            }
            let proteins: Vec<Vec<u8>> = mine
                .iter()
                .map(|w| {
                    let sequence = strand_sequence(w.contig, w.strand);
                    let bases = &sequence[w.frame + 3 * w.window.start..w.frame + 3 * w.window.end];
                    bases.chunks_exact(3).map(translate_codon).collect()
                })
                .collect();
            let slices: Vec<&[u8]> = proteins.iter().map(Vec::as_slice).collect();
            let floor = self.self_scores[reference] * self.options.min_window_score_ratio;
            let mut kept = Vec::new();
            for (index, score) in self
                .aligner
                .score_many_to_one(&slices, target.protein())
                .into_iter()
                .enumerate()
            {
                if score?.score() >= floor.max(f32::MIN_POSITIVE) {
                    kept.push(index);
                }
            }
            let kept_slices: Vec<&[u8]> = kept.iter().map(|&i| slices[i]).collect();
            let alignments = self
                .aligner
                .align_many_to_one(&kept_slices, target.protein());
            for (&index, alignment) in kept.iter().zip(alignments) {
                let alignment = alignment?;
                let w = mine[index];
                let offset = w.frame + 3 * w.window.start;
                let a = alignment.a_range();
                let aligned = offset + 3 * a.start..offset + 3 * a.end;
                let length = contigs[w.contig].sequence().len();
                hits.push(Hit {
                    reference,
                    contig: w.contig,
                    strand: w.strand,
                    forward: on_forward(w.strand, &aligned, length),
                    aligned,
                    reference_start: alignment.b_range().start,
                    core: core(&alignment, offset),
                    score: alignment.score(),
                });
            }
        }
        Ok(hits)
    }

    /// Extends a hit to its whole gene (across a frameshift at either end of its alignment),
    /// translates and aligns it; `None` under the thresholds.
    fn extract(&self, hit: &Hit, sequence: &[u8], contig: &Contig<'_>) -> Result<Option<GeneCopy>> {
        let reference = &self.references[hit.reference];
        let plain = extend(sequence, hit.aligned.clone(), hit.reference_start);
        let junction = detect(
            sequence,
            reference.protein(),
            reference.cds(),
            &self.matrix,
            &hit.core,
        );
        let (extent, junction) =
            match junction.and_then(|j| Some((shifted(sequence, &plain, &j)?, j))) {
                Some((extent, junction)) => (extent, Some(junction)),
                None => (plain, None),
            };
        let cds = sequence[extent.range.clone()].to_vec();
        let reading = read(sequence, &extent);
        let protein = protein(&reading.bases, &extent);
        if protein.is_empty() {
            return Ok(None);
        }
        let to_contig = |position: usize| match hit.strand {
            Strand::Forward => position,
            Strand::Reverse => sequence.len() - 1 - position,
        };
        let mut codon_positions: Vec<usize> =
            codon_starts(&reading).into_iter().map(to_contig).collect();
        codon_positions.truncate(protein.len());
        let frameshifts: Vec<Frameshift> = junction
            .map(|j| frameshift(&j, &extent.range, sequence, hit.strand, reference))
            .into_iter()
            .collect();
        let alignment = self.aligner.align(&protein, reference.protein())?;
        let copy = GeneCopy {
            reference: hit.reference,
            gene: reference.gene().to_string(),
            reference_name: reference.name().to_string(),
            contig: hit.contig,
            contig_name: contig.name().to_string(),
            range: on_forward(hit.strand, &extent.range, sequence.len()),
            strand: hit.strand,
            cut_at_start: extent.cut_at_start,
            cut_at_stop: extent.cut_at_stop,
            cds,
            protein,
            alignment,
            reference_length: reference.protein().len(),
            frameshifts,
            codon_positions,
            split: None,
        };
        let keep = copy.identity() >= self.options.min_identity
            && copy.reference_coverage() >= self.options.min_coverage;
        Ok(keep.then_some(copy))
    }
}

/// Identical columns in a row that make an alignment's core.
const CORE: usize = 8;

/// The alignment's core: from the first to the last run of [`CORE`] identical columns (the
/// whole alignment when it has none), as strand positions (`offset` is the window's first
/// base) and reference residues. A local alignment may run on through a few chance matches
/// and a gap past a frameshift; its core does not.
fn core(alignment: &Alignment, offset: usize) -> Anchor {
    let (mut a, mut b) = (alignment.a_range().start, alignment.b_range().start);
    let mut run = 0;
    let mut first = None;
    let mut last = None;
    for &op in alignment.ops() {
        run = if op == Op::Equal { run + 1 } else { 0 };
        a += usize::from(op.consumes_a());
        b += usize::from(op.consumes_b());
        if run >= CORE {
            first.get_or_insert((a - CORE, b - CORE));
            last = Some((a, b));
        }
    }
    let ((a_start, b_start), (a_end, b_end)) = first.zip(last).unwrap_or((
        (alignment.a_range().start, alignment.b_range().start),
        (alignment.a_range().end, alignment.b_range().end),
    ));
    Anchor {
        start: offset + 3 * a_start,
        end: offset + 3 * a_end,
        reference_start: b_start,
        reference_end: b_end,
    }
}

/// The frameshift a junction stands for, in the copy's and the contig's coordinates.
fn frameshift(
    junction: &Junction,
    range: &Range<usize>,
    sequence: &[u8],
    strand: Strand,
    reference: &ProteinReference,
) -> Frameshift {
    let at = junction.at() as usize;
    let change = junction.length_change();
    let bases = if change > 0 {
        sequence[at..at + change as usize].to_ascii_uppercase()
    } else {
        let deleted = junction.x..junction.x + change.unsigned_abs() as usize;
        match reference.cds() {
            Some(cds) if deleted.end <= cds.len() => cds[deleted].to_vec(),
            _ => vec![b'N'; deleted.len()],
        }
    };
    let protein = reference.protein();
    let codon = (junction.x / 3).min(protein.len() - 1);
    // The first residue the shifted product changes: the contig's codons read on in the first
    // frame from the codon the shift hits, against the reference.
    let hit_codon = (at - range.start) / 3;
    let changed = (codon..protein.len())
        .find(|&residue| {
            let first = range.start + 3 * (hit_codon + residue - codon);
            sequence
                .get(first..first + 3)
                .is_none_or(|bases| translate_codon(bases) != protein[residue])
        })
        .unwrap_or(protein.len() - 1);
    Frameshift {
        contig_position: match strand {
            Strand::Forward => at + 1,
            Strand::Reverse => sequence.len() - at,
        },
        gene_position: at - range.start + 1,
        reference_codon: codon + 1,
        reference_residue: protein[codon],
        changed_codon: changed + 1,
        changed_residue: protein[changed],
        length_change: change as i32,
        bases,
    }
}

/// Whether two copies are one locus (the same gene reached from two hits, as the two frames
/// of a frameshifted gene are): same contig, overlapping by more than half of the shorter.
fn same_locus(a: &GeneCopy, b: &GeneCopy) -> bool {
    let overlap = a
        .range
        .end
        .min(b.range.end)
        .saturating_sub(a.range.start.max(b.range.start));
    a.contig == b.contig && 2 * overlap > a.range.len().min(b.range.len())
}

/// A range on a strand's sequence as a range on the contig as given.
fn on_forward(strand: Strand, range: &Range<usize>, length: usize) -> Range<usize> {
    match strand {
        Strand::Forward => range.clone(),
        Strand::Reverse => length - range.end..length - range.start,
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

/// Every copy of every reference in one genome's contigs, with the default
/// [`SearchOptions`]; build a [`GeneSearch`] once instead to search many genomes.
///
/// # Errors
///
/// No reference, or a reference without residues.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::{find_genes, Contig, Species, reverse_complement};
///
/// let species = Species::embedded("escherichia_coli").unwrap();
/// let parc = species.genes().iter().find(|g| g.gene() == "parC").unwrap();
/// let genome = [b"ACGTTGCA".repeat(30), reverse_complement(parc.nucleotides())].concat();
/// let copies = find_genes(&[Contig::new("c", &genome)], &species.protein_references()).unwrap();
/// assert_eq!(copies.len(), 1);
/// assert_eq!((copies[0].gene(), copies[0].strand().symbol()), ("parC", '-'));
/// assert_eq!(copies[0].protein(), parc.protein().unwrap());
/// ```
pub fn find_genes(
    contigs: &[Contig<'_>],
    references: &[ProteinReference],
) -> Result<Vec<GeneCopy>> {
    GeneSearch::new(references.to_vec())?.find(contigs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wildtype::genome::species::Species;

    /// The identities the default floor is documented against.
    #[test]
    fn topoisomerase_paralogs_lie_far_below_the_identity_floor() {
        let species = Species::embedded("escherichia_coli").unwrap();
        let protein = |gene: &str| {
            let found = species.genes().iter().find(|g| g.gene() == gene).unwrap();
            found.protein().unwrap().to_vec()
        };
        let aligner = Aligner::builder().build().unwrap();
        for (a, b, expected) in [("parC", "gyrA", 36.0), ("parE", "gyrB", 32.6)] {
            let stats = *aligner.align(&protein(a), &protein(b)).unwrap().stats();
            let identity = 100.0 * stats.identity() as f64 / stats.length() as f64;
            assert!(
                (identity - expected).abs() < 3.0,
                "{a}/{b}: {identity:.1} %"
            );
            assert!(identity / 100.0 < SearchOptions::default().min_identity - 0.2);
        }
    }
}
