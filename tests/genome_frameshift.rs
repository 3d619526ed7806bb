//! Frameshifts and genes split across contigs in the genome search, against planted truth.
//!
//! Seeded synthetic genomes: every E. coli PointFinder coding gene planted with a 1- or
//! 2-base insertion or deletion (+1, -1, +2, -2), on both strands, near the gene's start, in
//! its middle and near its end, with missense substitutions away from the shift; and every
//! gene broken across two contigs at several places on both strands. Each frameshifted gene
//! must come back as one copy with one frameshift at the planted contig, gene and reference
//! position, its protein must give exactly the planted substitutions (water against the
//! reference), and every residue's codon position must point at its codon; each broken gene
//! must come back as two linked parts covering the reference. Recall and precision 100 %.

use wildtype_aligner::align::Aligner;
use wildtype_aligner::wildtype::genome::{
    Contig, GeneCopy, GeneSearch, ProteinReference, Species, Strand, find_genes,
    reverse_complement, translate, translate_codon,
};

/// A small deterministic generator (SplitMix64), so the genomes are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn dna(&mut self, length: usize) -> Vec<u8> {
        (0..length).map(|_| b"ACGT"[self.below(4)]).collect()
    }

    /// A codon for a different amino acid than `codon`'s, never a stop.
    fn missense(&mut self, codon: &[u8]) -> [u8; 3] {
        loop {
            let candidate = [
                b"ACGT"[self.below(4)],
                b"ACGT"[self.below(4)],
                b"ACGT"[self.below(4)],
            ];
            let aa = translate_codon(&candidate);
            if aa != b'*' && aa != translate_codon(codon) {
                return candidate;
            }
        }
    }
}

const GENES: [&str; 8] = [
    "gyrA", "gyrB", "parC", "parE", "pmrA", "pmrB", "folP", "rpoB",
];

fn gene<'a>(species: &'a Species, name: &str) -> (&'a [u8], &'a [u8]) {
    let found = species.genes().iter().find(|g| g.gene() == name).unwrap();
    (found.nucleotides(), found.protein().unwrap())
}

fn oriented(bases: &[u8], strand: Strand) -> Vec<u8> {
    match strand {
        Strand::Forward => bases.to_vec(),
        Strand::Reverse => reverse_complement(bases),
    }
}

/// The codon a copy reads for `residue`, from the contig at its codon position.
fn codon_at(contig: &[u8], copy: &GeneCopy, residue: usize) -> Vec<u8> {
    let p = copy.codon_position(residue).unwrap();
    match copy.strand() {
        Strand::Forward => contig[p..p + 3].to_vec(),
        Strand::Reverse => reverse_complement(&contig[p - 2..=p]),
    }
}

/// The substitutions (1-based reference residue, reference residue, copy's residue) water
/// aligns between a copy's protein and its reference, `X` residues left out (unknown, not a
/// change); a gap counts as a change (`-`), so none may hide.
fn calls(aligner: &Aligner, protein: &[u8], reference: &[u8]) -> (Vec<(usize, u8, u8)>, usize) {
    let alignment = aligner.align(protein, reference).unwrap();
    let (row_a, row_b) = alignment.aligned_rows(protein, reference).unwrap();
    let mut position = alignment.b_range().start;
    let mut found = Vec::new();
    for (&a, &b) in row_a.iter().zip(&row_b) {
        if b != b'-' {
            position += 1;
        }
        if a != b && a != b'X' {
            found.push((position, b, a));
        }
    }
    (found, alignment.b_range().len())
}

/// One planted frameshift, left-aligned, and what the copy must report for it.
#[derive(Debug, Clone, PartialEq)]
struct PlantedShift {
    contig_position: usize,
    gene_position: usize,
    reference_codon: usize,
    length_change: i32,
    bases: Vec<u8>,
}

/// One frameshifted gene in a genome.
struct Planted {
    gene: &'static str,
    contig: usize,
    range: std::ops::Range<usize>,
    strand: Strand,
    shift: PlantedShift,
    /// Planted substitutions: 0-based codon and its new bases.
    substitutions: Vec<(usize, [u8; 3])>,
    /// The planted coding sequence, in the gene's orientation.
    mutated: Vec<u8>,
}

/// Where a shift goes in a gene of `residues` codons (stop excluded).
#[derive(Debug, Clone, Copy)]
enum Place {
    NearStart,
    Middle,
    NearEnd,
}

/// A mutated coding sequence, its left-aligned shift position (0-based, in the mutated
/// sequence), the bases inserted or deleted, and the substitutions.
type Mutated = (Vec<u8>, usize, Vec<u8>, Vec<(usize, [u8; 3])>);

/// Plants `change` bases inserted (`> 0`) or deleted at a random base of the codon the place
/// picks, and missense substitutions at least ten codons from it; returns the mutated CDS,
/// the left-aligned event (positions in the mutated CDS) and the substitutions.
fn mutate(rng: &mut Rng, cds: &[u8], change: i32, place: Place) -> Mutated {
    let residues = cds.len() / 3 - 1;
    let codon = match place {
        Place::NearStart => 12 + rng.below(8),
        Place::Middle => 50 + rng.below(residues - 100),
        Place::NearEnd => residues - 20 + rng.below(8),
    };
    let mut original = cds.to_vec();
    let mut substitutions = Vec::new();
    let wanted = 1 + rng.below(4);
    for _ in 0..200 {
        if substitutions.len() == wanted {
            break;
        }
        let at = 10 + rng.below(residues - 20);
        if at.abs_diff(codon) < 10 || substitutions.iter().any(|&(c, _)| c == at) {
            continue;
        }
        let new = rng.missense(&original[3 * at..3 * at + 3]);
        original[3 * at..3 * at + 3].copy_from_slice(&new);
        substitutions.push((at, new));
    }
    let size = change.unsigned_abs() as usize;
    let mut p = 3 * codon + rng.below(3);
    let mutated = if change > 0 {
        let inserted = rng.dna(size);
        let mutated = [&original[..p], &inserted[..], &original[p..]].concat();
        while p > 0 && mutated[p - 1] == mutated[p + size - 1] {
            p -= 1;
        }
        mutated
    } else {
        while p > 0 && original[p - 1] == original[p + size - 1] {
            p -= 1;
        }
        [&original[..p], &original[p + size..]].concat()
    };
    let bases = if change > 0 {
        mutated[p..p + size].to_vec()
    } else {
        original[p..p + size].to_vec()
    };
    (mutated, p, bases, substitutions)
}

/// A genome with every coding gene frameshifted; `index` picks, per gene, one of the 24
/// combinations of change, strand and place, so 24 genomes cover them all for every gene.
fn frameshifted_genome(species: &Species, index: usize) -> (Vec<Vec<u8>>, Vec<Planted>) {
    let mut rng = Rng(1000 + index as u64);
    let mut contigs = vec![rng.dna(2000), rng.dna(2000)];
    let mut planted = Vec::new();
    for (g, name) in GENES.iter().enumerate() {
        let combination = (index + g) % 24;
        let change = [1, -1, 2, -2][combination % 4];
        let strand = [Strand::Forward, Strand::Reverse][combination / 4 % 2];
        let place = [Place::NearStart, Place::Middle, Place::NearEnd][combination / 8];
        let (cds, _) = gene(species, name);
        let (mutated, p, bases, substitutions) = mutate(&mut rng, cds, change, place);
        let contig = g % 2;
        let start = contigs[contig].len();
        contigs[contig].extend_from_slice(&oriented(&mutated, strand));
        let end = contigs[contig].len();
        let gap = 1500 + rng.below(2000);
        let background = rng.dna(gap);
        contigs[contig].extend_from_slice(&background);
        planted.push(Planted {
            gene: name,
            contig,
            range: start..end,
            strand,
            shift: PlantedShift {
                contig_position: match strand {
                    Strand::Forward => start + p + 1,
                    Strand::Reverse => end - p,
                },
                gene_position: p + 1,
                reference_codon: p / 3 + 1,
                length_change: change,
                bases,
            },
            substitutions,
            mutated,
        });
    }
    (contigs, planted)
}

fn as_contigs(sequences: &[Vec<u8>]) -> (Vec<String>, Vec<&[u8]>) {
    let names = (0..sequences.len())
        .map(|i| format!("contig_{i}"))
        .collect();
    (names, sequences.iter().map(Vec::as_slice).collect())
}

/// Checks one frameshifted copy against its planted truth.
fn check_shifted(
    aligner: &Aligner,
    species: &Species,
    contig: &[u8],
    copy: &GeneCopy,
    want: &Planted,
) {
    let context = format!("{} {:?} {:?}", want.gene, want.strand, want.shift);
    let (_, reference) = gene(species, want.gene);
    assert_eq!(
        (copy.range(), copy.strand(), copy.is_partial()),
        (want.range.clone(), want.strand, false),
        "{context}"
    );
    let [shift] = copy.frameshifts() else {
        panic!("{context}: {:?}", copy.frameshifts());
    };
    let found = PlantedShift {
        contig_position: shift.contig_position(),
        gene_position: shift.gene_position(),
        reference_codon: shift.reference_codon(),
        length_change: shift.length_change(),
        bases: shift.bases().to_vec(),
    };
    assert_eq!(found, want.shift, "{context}");
    // PointFinder names the codon the shift hits; HGVS the first residue the shifted product
    // changes.
    let codon = want.shift.reference_codon;
    let residue = reference[codon - 1] as char;
    assert_eq!(shift.notation(), format!("p.{residue}{codon}fs"));
    let changed = (codon - 1..reference.len())
        .find(|&i| want.mutated.get(3 * i..3 * i + 3).map(translate_codon) != Some(reference[i]))
        .unwrap();
    assert_eq!(shift.changed_codon(), changed + 1, "{context}");
    assert!(
        shift.hgvs().ends_with(&format!("{}fs", changed + 1)),
        "{context}"
    );
    // The protein follows the reference's frame: same length, and water finds exactly the
    // planted substitutions over the whole reference.
    assert_eq!(copy.protein().len(), reference.len(), "{context}");
    let (mut found_calls, covered) = calls(aligner, copy.protein(), reference);
    assert_eq!(covered, reference.len(), "{context}");
    found_calls.sort();
    let mut planted: Vec<(usize, u8, u8)> = want
        .substitutions
        .iter()
        .map(|&(codon, bases)| (codon + 1, reference[codon], translate_codon(&bases)))
        .collect();
    planted.sort();
    assert_eq!(found_calls, planted, "{context}");
    // Unknown residues only where a deletion broke a codon.
    let unknown: Vec<usize> = (0..reference.len())
        .filter(|&i| copy.protein()[i] == b'X')
        .collect();
    let codon = want.shift.reference_codon - 1;
    let allowed = if want.shift.length_change < 0 { 2 } else { 0 };
    assert!(unknown.len() <= allowed, "{context}: X at {unknown:?}");
    assert!(
        unknown.iter().all(|&i| i == codon || i == codon + 1),
        "{context}: X at {unknown:?}"
    );
    // Every codon position points at a codon translating to the residue (the start codon
    // aside, and the codons the shift breaks), and at the planted codons exactly.
    for i in 1..reference.len() {
        if i.abs_diff(codon) <= 1 {
            continue;
        }
        let read = codon_at(contig, copy, i);
        assert_eq!(
            translate_codon(&read),
            copy.protein()[i],
            "{context}: residue {i}"
        );
    }
    for &(codon, bases) in &want.substitutions {
        assert_eq!(
            codon_at(contig, copy, codon),
            bases,
            "{context}: codon {codon}"
        );
    }
}

#[test]
fn every_frameshift_gives_one_copy_with_the_shift_and_the_real_calls() {
    let species = Species::embedded("escherichia_coli").unwrap();
    let search = GeneSearch::new(species.protein_references()).unwrap();
    let aligner = Aligner::builder().build().unwrap();
    let mut checked = 0;
    // Genome 95 adds a +1 insertion in gyrB near its start whose neighbouring residues read
    // alike in both frames: the best codon boundary lies three codons before the insertion.
    for index in (0..24).chain([95]) {
        let (sequences, planted) = frameshifted_genome(&species, index);
        let (names, bases) = as_contigs(&sequences);
        let contigs: Vec<Contig<'_>> = names
            .iter()
            .zip(&bases)
            .map(|(n, s)| Contig::new(n, s))
            .collect();
        let copies = search.find(&contigs).unwrap();
        assert_eq!(copies.len(), planted.len(), "genome {index}: {copies:#?}");
        for want in &planted {
            let copy = copies
                .iter()
                .find(|c| c.gene() == want.gene)
                .unwrap_or_else(|| panic!("genome {index}: {} missing", want.gene));
            assert_eq!(copy.contig(), want.contig);
            check_shifted(&aligner, &species, &sequences[want.contig], copy, want);
            checked += 1;
        }
    }
    assert_eq!(checked, 25 * GENES.len());
}

#[test]
fn a_frameshift_gives_one_whole_copy_not_a_truncated_protein_and_a_second_hit() {
    let species = Species::embedded("escherichia_coli").unwrap();
    let (cds, reference) = gene(&species, "gyrB");
    let mut rng = Rng(77);
    let mut mutant = cds.to_vec();
    mutant.remove(3 * 400 + 1);
    let genome = [rng.dna(600), mutant, rng.dna(600)].concat();
    let copies = find_genes(&[Contig::new("c", &genome)], &species.protein_references()).unwrap();
    assert_eq!(copies.len(), 1, "{copies:#?}");
    assert_eq!(copies[0].protein().len(), reference.len());
    assert!(!copies[0].protein().contains(&b'*'));
}

#[test]
fn copies_without_a_frameshift_have_none_and_their_codon_positions() {
    let species = Species::embedded("escherichia_coli").unwrap();
    let search = GeneSearch::new(species.protein_references()).unwrap();
    let mut rng = Rng(5);
    let mut genome = rng.dna(1000);
    let mut starts = Vec::new();
    for (g, name) in GENES.iter().enumerate() {
        let strand = [Strand::Forward, Strand::Reverse][g % 2];
        starts.push((genome.len(), strand));
        genome.extend_from_slice(&oriented(gene(&species, name).0, strand));
        let background = rng.dna(1000);
        genome.extend_from_slice(&background);
    }
    let copies = search.find(&[Contig::new("c", &genome)]).unwrap();
    assert_eq!(copies.len(), GENES.len());
    for (copy, (start, strand)) in copies.iter().zip(starts) {
        assert!(copy.frameshifts().is_empty() && copy.split().is_none());
        let end = copy.range().end;
        for i in 0..copy.protein().len() {
            let expected = match strand {
                Strand::Forward => start + 3 * i,
                Strand::Reverse => end - 1 - 3 * i,
            };
            assert_eq!(
                copy.codon_position(i),
                Some(expected),
                "{} {i}",
                copy.gene()
            );
        }
    }
}

#[test]
fn a_protein_only_reference_names_deleted_bases_as_unknown() {
    let species = Species::embedded("escherichia_coli").unwrap();
    let (cds, protein) = gene(&species, "parC");
    let reference = ProteinReference::new("parC", "parC_protein", protein.to_vec());
    let mut mutant = cds.to_vec();
    mutant.drain(3 * 300..3 * 300 + 2);
    let genome = [Rng(3).dna(500), mutant].concat();
    let copies = find_genes(&[Contig::new("c", &genome)], &[reference]).unwrap();
    assert_eq!(copies.len(), 1);
    let shift = &copies[0].frameshifts()[0];
    assert_eq!((shift.length_change(), shift.bases()), (-2, &b"NN"[..]));
    // Without the reference's bases the broken codon (301) may read like the reference in
    // the first frame, and the shift is then placed one codon on.
    assert!((301..=302).contains(&shift.reference_codon()), "{shift:?}");
    assert_eq!(copies[0].protein().len(), protein.len());
}

/// Breaks every coding gene at `fraction` of its length (plus 0-2 bases) into two contigs.
fn split_genome(
    species: &Species,
    strand: Strand,
    fraction: f64,
    seed: u64,
) -> (Vec<Vec<u8>>, Vec<usize>) {
    let mut rng = Rng(seed);
    let mut contigs = Vec::new();
    let mut breaks = Vec::new();
    for name in GENES {
        let (cds, _) = gene(species, name);
        let at = (cds.len() as f64 * fraction) as usize + rng.below(3);
        breaks.push(at);
        let first = [rng.dna(800), cds[..at].to_vec()].concat();
        let second = [cds[at..].to_vec(), rng.dna(800)].concat();
        contigs.push(oriented(&first, strand));
        contigs.push(oriented(&second, strand));
    }
    (contigs, breaks)
}

#[test]
fn genes_split_across_contigs_come_back_as_two_linked_parts() {
    let species = Species::embedded("escherichia_coli").unwrap();
    let search = GeneSearch::new(species.protein_references()).unwrap();
    for strand in [Strand::Forward, Strand::Reverse] {
        for (k, fraction) in [0.3, 0.5, 0.7].into_iter().enumerate() {
            let (sequences, breaks) = split_genome(&species, strand, fraction, 40 + k as u64);
            let (names, bases) = as_contigs(&sequences);
            let contigs: Vec<Contig<'_>> = names
                .iter()
                .zip(&bases)
                .map(|(n, s)| Contig::new(n, s))
                .collect();
            let copies = search.find(&contigs).unwrap();
            let context = format!("{strand:?} {fraction}");
            assert_eq!(copies.len(), 2 * GENES.len(), "{context}: {copies:#?}");
            for (g, name) in GENES.iter().enumerate() {
                let (_, reference) = gene(&species, name);
                let first = copies.iter().position(|c| c.contig() == 2 * g).unwrap();
                let second = copies.iter().position(|c| c.contig() == 2 * g + 1).unwrap();
                let (a, b) = (&copies[first], &copies[second]);
                assert_eq!((a.gene(), b.gene()), (*name, *name));
                assert_eq!((a.strand(), b.strand()), (strand, strand));
                let part1 = a
                    .split()
                    .unwrap_or_else(|| panic!("{context} {name}: {a:#?}"));
                let part2 = b.split().unwrap();
                assert_eq!(
                    (part1.part(), part1.linked()),
                    (1, second),
                    "{context} {name}"
                );
                assert_eq!(
                    (part2.part(), part2.linked()),
                    (2, first),
                    "{context} {name}"
                );
                // The parts cover the reference, only the codon the break cuts in neither.
                let whole_codons = breaks[g] / 3;
                let after = breaks[g].div_ceil(3);
                assert_eq!(
                    part1.reference_range(),
                    (1, whole_codons),
                    "{context} {name}"
                );
                assert_eq!(
                    part2.reference_range(),
                    (after + 1, reference.len()),
                    "{context} {name}"
                );
                assert_eq!(part1.linked_reference_range(), part2.reference_range());
                // Codon positions on both parts point at the codons read.
                for copy in [a, b] {
                    let contig = &sequences[copy.contig()];
                    for i in 1..copy.protein().len() {
                        assert_eq!(
                            translate_codon(&codon_at(contig, copy, i)),
                            copy.protein()[i]
                        );
                    }
                }
                let cds = gene(&species, name).0;
                assert_eq!(a.protein(), &translate(&cds[..3 * whole_codons])[..]);
            }
        }
    }
}

#[test]
fn partial_copies_that_do_not_complete_each_other_are_not_linked() {
    let species = Species::embedded("escherichia_coli").unwrap();
    let (cds, _) = gene(&species, "gyrA");
    let mut rng = Rng(11);
    let at = |fraction: f64| (cds.len() as f64 * fraction) as usize / 3 * 3;
    // Overlapping far more than an assembly break repeats: 60 % and the last 60 %.
    let overlapping = [
        [rng.dna(500), cds[..at(0.6)].to_vec()].concat(),
        [cds[at(0.4)..].to_vec(), rng.dna(500)].concat(),
    ];
    // Two 5' parts for one 3' part: which one continues it would be a guess.
    let ambiguous = [
        [rng.dna(500), cds[..at(0.5)].to_vec()].concat(),
        [rng.dna(500), cds[..at(0.52)].to_vec()].concat(),
        [cds[at(0.5)..].to_vec(), rng.dna(500)].concat(),
    ];
    for (case, sequences) in [
        ("overlapping", &overlapping[..]),
        ("ambiguous", &ambiguous[..]),
    ] {
        let (names, bases) = as_contigs(sequences);
        let contigs: Vec<Contig<'_>> = names
            .iter()
            .zip(&bases)
            .map(|(n, s)| Contig::new(n, s))
            .collect();
        let copies = find_genes(&contigs, &species.protein_references()).unwrap();
        assert_eq!(copies.len(), sequences.len(), "{case}");
        assert!(
            copies.iter().all(|c| c.is_partial() && c.split().is_none()),
            "{case}: {copies:#?}"
        );
    }
    // The same 5' part with its own 3' part is linked.
    let (names, bases) = as_contigs(&ambiguous[1..]);
    let contigs: Vec<Contig<'_>> = names
        .iter()
        .zip(&bases)
        .map(|(n, s)| Contig::new(n, s))
        .collect();
    let copies = find_genes(&contigs, &species.protein_references()).unwrap();
    assert!(copies.iter().all(|c| c.split().is_some()), "{copies:#?}");
}
