//! The genome search against planted truth and against ResFinder's own test isolates.
//!
//! `synthetic_genome` is a seeded generator: random contigs into which E. coli's PointFinder
//! coding genes are planted on both strands with substitutions, a premature stop, in-frame
//! indels, a run of N, lower case, a diverged paralog of gyrA, and genes cut at contig ends.
//! Every planted copy must be found with its coordinates, strand, flags and protein, and
//! nothing else (recall and precision 100 %).

use wildtype_aligner::wildtype::genome::{
    Contig, GeneCopy, GeneSearch, ProteinReference, Species, Strand, find_genes,
    reverse_complement, translate, translate_codon,
};

/// A small deterministic generator (SplitMix64), so the genome is the same on every run.
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

/// One planted copy and what the search must report for it.
#[derive(Debug, Clone, PartialEq)]
struct Truth {
    gene: String,
    contig: usize,
    range: std::ops::Range<usize>,
    strand: Strand,
    cut_at_start: bool,
    cut_at_stop: bool,
    protein: Vec<u8>,
}

struct Genome {
    names: Vec<String>,
    contigs: Vec<Vec<u8>>,
    truth: Vec<Truth>,
}

impl Genome {
    fn contigs(&self) -> Vec<Contig<'_>> {
        self.names
            .iter()
            .zip(&self.contigs)
            .map(|(name, sequence)| Contig::new(name, sequence))
            .collect()
    }
}

fn cds_of<'a>(species: &'a Species, gene: &str) -> &'a [u8] {
    species
        .genes()
        .iter()
        .find(|g| g.gene() == gene)
        .unwrap()
        .nucleotides()
}

/// `count` missense changes at distinct codons away from both ends.
fn substitute(rng: &mut Rng, cds: &mut [u8], count: usize) {
    let codons = cds.len() / 3;
    let mut done = Vec::new();
    while done.len() < count {
        let codon = 10 + rng.below(codons - 20);
        if done.contains(&codon) {
            continue;
        }
        done.push(codon);
        let new = rng.missense(&cds[3 * codon..3 * codon + 3]);
        cds[3 * codon..3 * codon + 3].copy_from_slice(&new);
    }
}

/// The protein the search must report for a planted coding sequence.
fn expected_protein(cds: &[u8], cut_at_start: bool, cut_at_stop: bool) -> Vec<u8> {
    let mut protein = if cut_at_start {
        cds.chunks_exact(3).map(translate_codon).collect()
    } else {
        translate(cds)
    };
    if !cut_at_stop {
        assert_eq!(protein.pop(), Some(b'*'));
    }
    protein
}

struct Builder<'s> {
    rng: Rng,
    species: &'s Species,
    genome: Genome,
}

impl Builder<'_> {
    fn contig(&mut self) -> usize {
        let background = self.rng.dna(3000);
        self.genome
            .names
            .push(format!("contig_{}", self.genome.names.len() + 1));
        self.genome.contigs.push(background);
        self.genome.contigs.len() - 1
    }

    /// Appends a whole gene (already changed) then background, and records its truth.
    fn plant(&mut self, contig: usize, gene: &str, cds: Vec<u8>, strand: Strand) {
        let protein = expected_protein(&cds, false, false);
        let sequence = &mut self.genome.contigs[contig];
        let start = sequence.len();
        sequence.extend_from_slice(&match strand {
            Strand::Forward => cds.clone(),
            Strand::Reverse => reverse_complement(&cds),
        });
        let end = sequence.len();
        let gap = 2000 + self.rng.below(3000);
        let background = self.rng.dna(gap);
        self.genome.contigs[contig].extend_from_slice(&background);
        self.genome.truth.push(Truth {
            gene: gene.into(),
            contig,
            range: start..end,
            strand,
            cut_at_start: false,
            cut_at_stop: false,
            protein,
        });
    }
}

fn synthetic_genome(seed: u64) -> Genome {
    let species = Species::embedded("escherichia_coli").unwrap();
    let mut b = Builder {
        rng: Rng(seed),
        species: &species,
        genome: Genome {
            names: Vec::new(),
            contigs: Vec::new(),
            truth: Vec::new(),
        },
    };
    let genes = [
        "gyrA", "gyrB", "parC", "parE", "pmrA", "pmrB", "folP", "rpoB",
    ];
    let first = b.contig();
    let second = b.contig();
    for (index, gene) in genes.iter().enumerate() {
        let mut cds = cds_of(b.species, gene).to_vec();
        let substitutions = 1 + b.rng.below(5);
        substitute(&mut b.rng, &mut cds, substitutions);
        match *gene {
            // A premature stop in the middle of gyrA.
            "gyrA" => cds[3 * 400..3 * 401].copy_from_slice(b"TAA"),
            // An in-frame insertion of three codons in gyrB, a deletion of two in parE.
            "gyrB" => {
                let insert = [b"GCT".as_slice(), b"GGC", b"AAA"].concat();
                cds.splice(3 * 300..3 * 300, insert);
            }
            "parE" => {
                cds.drain(3 * 200..3 * 202);
            }
            // A run of N across ten codons of folP, not codon-aligned.
            "folP" => cds[301..326].fill(b'N'),
            // pmrB in lower case, as soft-masked assemblies have it.
            "pmrB" => cds.make_ascii_lowercase(),
            _ => {}
        }
        let strand = if index % 2 == 0 {
            Strand::Forward
        } else {
            Strand::Reverse
        };
        let contig = if index < 4 { first } else { second };
        b.plant(contig, gene, cds, strand);
    }
    // Runs of N between genes, as scaffold gaps.
    b.genome.contigs[first].extend_from_slice(&[b'N'; 200]);
    let tail = b.rng.dna(1500);
    b.genome.contigs[first].extend_from_slice(&tail);

    // A diverged paralog of gyrA (about 10 % of its codons changed) on a third contig, reverse
    // strand: its own copy, never merged with the first.
    let paralog_contig = b.contig();
    let mut paralog = cds_of(b.species, "gyrA").to_vec();
    substitute(&mut b.rng, &mut paralog, 88);
    b.plant(paralog_contig, "gyrA", paralog, Strand::Reverse);

    // rpoB cut at a contig's start: the contig begins 1,601 bases into the gene.
    let rpob = cds_of(b.species, "rpoB");
    let cut = 1601;
    let kept = &rpob[cut..];
    let first_codon = (3 - cut % 3) % 3;
    let mut contig = kept.to_vec();
    contig.extend_from_slice(&b.rng.dna(2500));
    b.genome.truth.push(Truth {
        gene: "rpoB".into(),
        contig: b.genome.contigs.len(),
        range: first_codon..kept.len(),
        strand: Strand::Forward,
        cut_at_start: true,
        cut_at_stop: false,
        protein: expected_protein(&kept[first_codon..], true, false),
    });
    b.genome.names.push("contig_rpoB_cut".into());
    b.genome.contigs.push(contig);

    // pmrA on the reverse strand, cut at its 3' end by the contig's start: the contig holds
    // the reverse complement of its first 500 bases, then background.
    let pmra = &cds_of(b.species, "pmrA")[..500];
    let whole = 500 / 3 * 3;
    let mut contig = reverse_complement(pmra);
    contig.extend_from_slice(&b.rng.dna(2500));
    b.genome.truth.push(Truth {
        gene: "pmrA".into(),
        contig: b.genome.contigs.len(),
        range: 500 - whole..500,
        strand: Strand::Reverse,
        cut_at_start: false,
        cut_at_stop: true,
        protein: expected_protein(&pmra[..whole], false, true),
    });
    b.genome.names.push("contig_pmrA_cut".into());
    b.genome.contigs.push(contig);
    b.genome
}

fn found(copy: &GeneCopy) -> Truth {
    Truth {
        gene: copy.gene().into(),
        contig: copy.contig(),
        range: copy.range(),
        strand: copy.strand(),
        cut_at_start: copy.cut_at_start(),
        cut_at_stop: copy.cut_at_stop(),
        protein: copy.protein().to_vec(),
    }
}

#[test]
fn every_planted_copy_is_found_and_nothing_else() {
    let species = Species::embedded("escherichia_coli").unwrap();
    let search = GeneSearch::new(species.protein_references()).unwrap();
    for seed in [1, 2, 3] {
        let genome = synthetic_genome(seed);
        let copies = search.find(&genome.contigs()).unwrap();
        let mut reported: Vec<Truth> = copies.iter().map(found).collect();
        let mut truth = genome.truth.clone();
        let key = |t: &Truth| (t.contig, t.range.start);
        reported.sort_by_key(key);
        truth.sort_by_key(key);
        for (want, got) in truth.iter().zip(&reported) {
            assert_eq!(want, got, "seed {seed}");
        }
        assert_eq!(reported.len(), truth.len(), "seed {seed}: {reported:#?}");

        let gyra: Vec<&GeneCopy> = copies.iter().filter(|c| c.gene() == "gyrA").collect();
        assert_eq!(gyra.len(), 2, "seed {seed}: the paralog is its own copy");
        let paralog = gyra.iter().find(|c| c.strand() == Strand::Reverse).unwrap();
        assert!(
            (0.85..0.95).contains(&paralog.identity()),
            "{}",
            paralog.identity()
        );
        assert_eq!(paralog.reference_coverage(), 1.0);
        for copy in &copies {
            // In-frame indels, a premature stop, runs of N and cut genes are no frameshift,
            // and the two cut genes (different references) are no split gene.
            assert!(copy.frameshifts().is_empty(), "seed {seed}: {copy:#?}");
            assert!(copy.split().is_none(), "seed {seed}: {copy:#?}");
            let cds = &genome.contigs[copy.contig()][copy.range()];
            let on_strand = match copy.strand() {
                Strand::Forward => cds.to_vec(),
                Strand::Reverse => reverse_complement(cds),
            };
            assert_eq!(copy.cds(), on_strand);
        }
    }
}

#[test]
fn a_paralog_of_another_gene_is_not_taken_for_the_reference() {
    // Only gyrA searched: the planted parC (about 36 % identical to gyrA) and gyrB/parE must
    // not come back as gyrA copies.
    let species = Species::embedded("escherichia_coli").unwrap();
    let gyra: Vec<ProteinReference> = species
        .protein_references()
        .into_iter()
        .filter(|r| r.gene() == "gyrA")
        .collect();
    let genome = synthetic_genome(4);
    let copies = find_genes(&genome.contigs(), &gyra).unwrap();
    let planted: Vec<_> = genome
        .truth
        .iter()
        .filter(|t| t.gene == "gyrA")
        .map(|t| (t.contig, t.range.clone()))
        .collect();
    let reported: Vec<_> = copies.iter().map(|c| (c.contig(), c.range())).collect();
    assert_eq!(reported, planted);
}

#[test]
fn campylobacter_copies_go_to_their_own_species_allele() {
    let species = Species::embedded("campylobacter").unwrap();
    let jejuni = species.genes()[0].nucleotides();
    let coli = species.genes()[1].nucleotides();
    let mut rng = Rng(9);
    let genome = [
        rng.dna(500),
        coli.to_vec(),
        rng.dna(800),
        reverse_complement(jejuni),
        rng.dna(300),
    ]
    .concat();
    let copies = find_genes(&[Contig::new("c", &genome)], &species.protein_references()).unwrap();
    let names: Vec<_> = copies
        .iter()
        .map(|c| (c.reference_name(), c.identity()))
        .collect();
    assert_eq!(
        names,
        [("gyrA_2_CP035927.1", 1.0), ("gyrA_1_LR134511.1", 1.0)]
    );
}

/// Where Debian's `resfinder-example` puts ResFinder's test isolates.
const ISOLATES: &str = "/usr/share/doc/resfinder/examples/data";

fn isolate(name: &str) -> Option<Vec<u8>> {
    let dir = std::path::Path::new(ISOLATES);
    if !dir.is_dir() {
        assert!(
            std::env::var_os("WTA_REQUIRE_POINTFINDER").is_none(),
            "{ISOLATES} is missing and WTA_REQUIRE_POINTFINDER is set"
        );
        eprintln!("SKIPPED: {ISOLATES} absent (apt-get install resfinder-example)");
        return None;
    }
    let path = [".fa", ".fa.gz"]
        .iter()
        .map(|ext| dir.join(format!("{name}{ext}")))
        .find(|p| p.is_file())?;
    let records = wildtype_aligner::fasta::read_all(&path).unwrap();
    assert_eq!(records.len(), 1, "{}", path.display());
    Some(records[0].seq().to_vec())
}

/// The substitutions (`S83A`) between a copy's protein and its reference, when both have the
/// same length.
fn substitutions(copy: &GeneCopy, reference: &[u8]) -> Vec<String> {
    assert_eq!(copy.protein().len(), reference.len());
    reference
        .iter()
        .zip(copy.protein())
        .enumerate()
        .filter(|(_, (r, t))| r != t)
        .map(|(i, (r, t))| format!("{}{}{}", *r as char, i + 1, *t as char))
        .collect()
}

/// A gene and its substitutions.
type GeneCalls = (&'static str, &'static [&'static str]);

#[test]
fn resfinder_test_isolates() {
    // What PointFinder (ResFinder 4.3.0, `-u`, database 3.0.0) finds in these isolates, gene by
    // gene (`PointFinder_table.txt`: the genes with a hit and their calls; every other coding
    // gene "No hit found"); 09a, 09b and 10 also name their calls in their FASTA headers.
    // test_isolate_11 is a 16S gene (RNA, not searched here) and 02 a blaCTX-M gene.
    let expected: [(&str, &[GeneCalls]); 8] = [
        ("test_isolate_01", &[("gyrB", &[])]),
        ("test_isolate_02", &[]),
        ("test_isolate_03", &[("gyrB", &[])]),
        ("test_isolate_05", &[("gyrA", &["S83A"]), ("gyrB", &[])]),
        ("test_isolate_09a", &[("gyrA", &["G81D"])]),
        ("test_isolate_09b", &[("gyrA", &["G81D", "D82G"])]),
        ("test_isolate_10", &[("gyrA", &["E7Q", "G81D", "D82G"])]),
        ("test_isolate_11", &[]),
    ];
    let species = Species::embedded("escherichia_coli").unwrap();
    let search = GeneSearch::new(species.protein_references()).unwrap();
    for (name, genes) in expected {
        let Some(sequence) = isolate(name) else {
            return;
        };
        let copies = search.find(&[Contig::new(name, &sequence)]).unwrap();
        let found: Vec<(&str, Vec<String>)> = copies
            .iter()
            .map(|copy| {
                assert!(!copy.is_partial(), "{name}: {copy:#?}");
                let reference = search.references()[copy.reference()].protein();
                (copy.gene(), substitutions(copy, reference))
            })
            .collect();
        let want: Vec<(&str, Vec<String>)> = genes
            .iter()
            .map(|(gene, calls)| (*gene, calls.iter().map(|c| c.to_string()).collect()))
            .collect();
        assert_eq!(found, want, "{name}");
    }
}

/// Speed on an E. coli-sized assembly: 5 Mb in 100 contigs with every coding gene planted and
/// a diverged copy of each, against the 8 coding references of E. coli, on one thread. Prints
/// the time (run with `cargo test --release --test genome_search -- --ignored --nocapture`);
/// timing is not asserted.
#[test]
#[ignore = "a measurement, not a test"]
fn speed_on_a_5_mb_genome() {
    let species = Species::embedded("escherichia_coli").unwrap();
    let search = GeneSearch::new(species.protein_references()).unwrap();
    let mut rng = Rng(2026);
    let mut contigs: Vec<Vec<u8>> = (0..100).map(|_| rng.dna(50_000)).collect();
    let mut planted = 0;
    for (index, reference) in species
        .genes()
        .iter()
        .filter(|g| g.protein().is_some())
        .enumerate()
    {
        let mut paralog = reference.nucleotides().to_vec();
        let changes = paralog.len() / 3 / 10;
        substitute(&mut rng, &mut paralog, changes);
        contigs[3 * index].splice(10_000..10_000, reference.nucleotides().iter().copied());
        contigs[3 * index + 1].splice(20_000..20_000, reverse_complement(&paralog));
        planted += 2;
    }
    let names: Vec<String> = (0..contigs.len()).map(|i| format!("contig_{i}")).collect();
    let genome: Vec<Contig<'_>> = names
        .iter()
        .zip(&contigs)
        .map(|(n, s)| Contig::new(n, s))
        .collect();
    let bases: usize = contigs.iter().map(Vec::len).sum();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut best = f64::MAX;
    let mut copies = Vec::new();
    for _ in 0..5 {
        let started = std::time::Instant::now();
        copies = pool.install(|| search.find(&genome)).unwrap();
        best = best.min(started.elapsed().as_secs_f64());
    }
    assert_eq!(copies.len(), planted);
    println!(
        "{:.2} Mb in {} contigs, {} coding references, {} copies: {:.3} s on one thread (best of 5)",
        bases as f64 / 1e6,
        contigs.len(),
        search.references().len(),
        copies.len(),
        best
    );
}
