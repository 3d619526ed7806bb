//! The nucleotide search (RNA genes and promoters) against planted truth and against the real
//! PointFinder.
//!
//! The synthetic genomes are seeded: random DNA into which E. coli's seven rRNA operons' worth
//! of 16S (built from the three 16S references, with their natural differences) and 23S
//! copies are planted on both strands, some with substitutions, insertions and deletions.
//! Every copy must be found once, assigned to its own reference, and called with exactly the
//! planted changes (recall and precision 100 %).

use std::collections::BTreeSet;
use std::path::Path;

use wildtype_aligner::wildtype::genome::{
    Contig, NucleotideCallKind, NucleotideCopy, NucleotideReference, NucleotideSearch, Species,
    Strand, find_nucleotide_genes, reverse_complement,
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

    fn base(&mut self) -> u8 {
        b"ACGT"[self.below(4)]
    }

    fn dna(&mut self, length: usize) -> Vec<u8> {
        (0..length).map(|_| self.base()).collect()
    }
}

/// A planted change, at a 0-based reference position.
#[derive(Debug, Clone, Copy)]
enum Change {
    Substitution(usize, u8),
    /// Insertion of one base before the position.
    Insertion(usize, u8),
    Deletion(usize),
}

impl Change {
    fn position(self) -> usize {
        match self {
            Change::Substitution(p, _) | Change::Insertion(p, _) | Change::Deletion(p) => p,
        }
    }

    /// Our notation and PointFinder's for an RNA gene, placed where no shift is possible.
    fn notations(self, gene: &str, reference: &[u8]) -> (String, String) {
        match self {
            Change::Substitution(p, base) => {
                let change = format!("{}{}>{}", p + 1, reference[p] as char, base as char);
                (format!("n.{change}"), format!("{gene} r.{change}"))
            }
            Change::Insertion(p, base) => (
                format!("n.{}_{}ins{}", p, p + 1, base as char),
                format!("{gene} r.{}_{}ins{}", p + 1, p + 2, base as char),
            ),
            Change::Deletion(p) => (
                format!("n.{}del", p + 1),
                format!("{gene} r.{}del{}", p + 1, reference[p] as char),
            ),
        }
    }
}

/// `count` changes at least 40 bases apart and from the ends, away from `avoid` (positions
/// where references of the gene differ), each placed so that it cannot shift: a deleted base
/// differs from both neighbours, an inserted base from both bases around it.
fn plan(rng: &mut Rng, reference: &[u8], count: usize, avoid: &[usize]) -> Vec<Change> {
    let mut changes: Vec<Change> = Vec::new();
    while changes.len() < count {
        let p = 40 + rng.below(reference.len() - 80);
        let near = |q: usize, distance: usize| p.abs_diff(q) < distance;
        if changes.iter().any(|c| near(c.position(), 40)) || avoid.iter().any(|&q| near(q, 12)) {
            continue;
        }
        let change = match rng.below(3) {
            0 => {
                let base = rng.base();
                if base == reference[p] {
                    continue;
                }
                Change::Substitution(p, base)
            }
            1 => {
                let base = rng.base();
                if base == reference[p - 1] || base == reference[p] {
                    continue;
                }
                Change::Insertion(p, base)
            }
            _ => {
                if reference[p - 1] == reference[p] || reference[p] == reference[p + 1] {
                    continue;
                }
                Change::Deletion(p)
            }
        };
        changes.push(change);
    }
    changes.sort_by_key(|c| c.position());
    changes
}

/// The reference with the changes applied, and the copy index of each substituted base.
fn apply(reference: &[u8], changes: &[Change]) -> (Vec<u8>, Vec<usize>) {
    let mut copy = reference.to_vec();
    for change in changes.iter().rev() {
        match *change {
            Change::Substitution(p, base) => copy[p] = base,
            Change::Insertion(p, base) => copy.insert(p, base),
            Change::Deletion(p) => {
                copy.remove(p);
            }
        }
    }
    let mut shift = 0i64;
    let mut substituted = Vec::new();
    for change in changes {
        match *change {
            Change::Substitution(p, _) => substituted.push((p as i64 + shift) as usize),
            Change::Insertion(..) => shift += 1,
            Change::Deletion(_) => shift -= 1,
        }
    }
    (copy, substituted)
}

/// One planted copy and what the search must report for it.
#[derive(Debug)]
struct Truth {
    reference: usize,
    contig: usize,
    range: std::ops::Range<usize>,
    strand: Strand,
    calls: Vec<(String, String)>,
    /// Contig positions of the substituted bases.
    substituted: Vec<usize>,
}

fn references() -> Vec<NucleotideReference> {
    Species::embedded("escherichia_coli")
        .unwrap()
        .nucleotide_references()
}

/// Positions where references of one gene (same length) differ.
fn differences(references: &[&NucleotideReference]) -> Vec<usize> {
    let first = references[0].bases();
    (0..first.len())
        .filter(|&i| references.iter().any(|r| r.bases()[i] != first[i]))
        .collect()
}

/// Plants a copy of reference `index` with `count` changes in `contig` (after a random
/// spacer), on `strand`.
fn plant(
    rng: &mut Rng,
    refs: &[NucleotideReference],
    (index, count, strand): (usize, usize, Strand),
    avoid: &[usize],
    (contig_index, contig): (usize, &mut Vec<u8>),
) -> Truth {
    let reference = refs[index].bases();
    let changes = plan(rng, reference, count, avoid);
    let (copy, substituted) = apply(reference, &changes);
    let spacer = 2000 + rng.below(6000);
    contig.extend(rng.dna(spacer));
    let start = contig.len();
    let end = start + copy.len();
    let substituted = match strand {
        Strand::Forward => {
            contig.extend_from_slice(&copy);
            substituted.iter().map(|i| start + i).collect()
        }
        Strand::Reverse => {
            contig.extend(reverse_complement(&copy));
            substituted.iter().map(|i| end - 1 - i).collect()
        }
    };
    Truth {
        reference: index,
        contig: contig_index,
        range: start..end,
        strand,
        calls: changes
            .iter()
            .map(|c| c.notations(refs[index].gene(), reference))
            .collect(),
        substituted,
    }
}

fn found_calls(copy: &NucleotideCopy) -> Vec<(String, String)> {
    copy.calls()
        .iter()
        .map(|c| {
            (
                c.notation().to_string(),
                c.pointfinder().unwrap_or("-").to_string(),
            )
        })
        .collect()
}

#[test]
fn seven_rrna_operons_each_copy_called_against_its_own_reference() {
    let refs = references();
    let genes: Vec<&str> = refs.iter().map(|r| r.gene()).collect();
    assert_eq!(
        genes,
        [
            "23S",
            "16S-rrsB",
            "16S-rrsC",
            "16S-rrsH",
            "ampC-promoter-size-53bp"
        ]
    );
    let avoid = differences(&[&refs[1], &refs[2], &refs[3]]);
    assert_eq!(avoid.len(), 16);
    let mut rng = Rng(15);
    let mut contigs = vec![Vec::new(), Vec::new()];
    let mut truth = Vec::new();
    let sixteen_s = [1, 2, 3, 1, 2, 3, 1];
    let counts = [0, 2, 1, 3, 2, 0, 4];
    for operon in 0..7 {
        let strand = if operon % 3 == 1 {
            Strand::Reverse
        } else {
            Strand::Forward
        };
        let contig = operon % 2;
        let copy = (sixteen_s[operon], counts[operon], strand);
        truth.push(plant(
            &mut rng,
            &refs,
            copy,
            &avoid,
            (contig, &mut contigs[contig]),
        ));
        let copy = (0, counts[6 - operon], strand);
        truth.push(plant(
            &mut rng,
            &refs,
            copy,
            &[],
            (contig, &mut contigs[contig]),
        ));
    }
    for contig in &mut contigs {
        contig.extend(rng.dna(3000));
    }
    let names = ["chromosome_a", "chromosome_b"];
    let genome: Vec<Contig<'_>> = names
        .iter()
        .zip(&contigs)
        .map(|(name, sequence)| Contig::new(name, sequence))
        .collect();
    let search = NucleotideSearch::new(refs.clone()).unwrap();
    let copies = search.find(&genome).unwrap();
    truth.sort_by_key(|t| (t.contig, t.range.start));
    assert_eq!(copies.len(), truth.len(), "{copies:#?}");
    let planted_calls: usize = truth.iter().map(|t| t.calls.len()).sum();
    assert!(planted_calls >= 20, "{planted_calls}");
    for (copy, want) in copies.iter().zip(&truth) {
        assert_eq!(
            (copy.reference(), copy.contig(), copy.range(), copy.strand()),
            (want.reference, want.contig, want.range.clone(), want.strand),
            "{copy:#?}"
        );
        assert_eq!(copy.contig_name(), names[want.contig]);
        assert!(!copy.is_partial());
        assert_eq!(found_calls(copy), want.calls, "{}", copy.one_based().0);
        let substituted: Vec<usize> = copy
            .calls()
            .iter()
            .filter(|c| c.kind() == NucleotideCallKind::Substitution)
            .map(|c| c.contig_range().start)
            .collect();
        assert_eq!(substituted, want.substituted);
        for call in copy.calls().iter().filter(|c| !c.copy_bases().is_empty()) {
            let on_contig = &contigs[want.contig][call.contig_range()];
            let oriented = match want.strand {
                Strand::Forward => on_contig.to_vec(),
                Strand::Reverse => reverse_complement(on_contig),
            };
            assert_eq!(oriented, call.copy_bases());
        }
    }
}

#[test]
fn copies_cut_at_contig_ends_are_partial() {
    let refs = references();
    let (rrl, rrs) = (refs[0].bases(), refs[3].bases()); // 23S, 16S-rrsH
    let mut rng = Rng(7);
    // The last 2000 bases of 23S open the first contig. The second opens with the first 1000
    // bases of 16S-rrsH on the reverse strand: its 3' end lies beyond the contig's start.
    let first = [&rrl[rrl.len() - 2000..], &rng.dna(3000)[..]].concat();
    let second = [reverse_complement(&rrs[..1000]), rng.dna(3000)].concat();
    let contigs = [Contig::new("a", &first), Contig::new("b", &second)];
    let copies = find_nucleotide_genes(&contigs, &refs).unwrap();
    assert_eq!(copies.len(), 2, "{copies:#?}");
    let copy = &copies[0];
    assert_eq!((copy.gene(), copy.range()), ("23S", 0..2000));
    assert!(copy.cut_at_start() && !copy.cut_at_end() && copy.is_partial());
    assert!((copy.reference_coverage() - 2000.0 / rrl.len() as f64).abs() < 1e-9);
    assert!(copy.calls().is_empty());
    // rrsH's first 1000 bases are those of rrsB too: a tie, won by the reference listed first.
    let copy = &copies[1];
    assert_eq!(
        (copy.gene(), copy.contig(), copy.strand(), copy.range()),
        ("16S-rrsB", 1, Strand::Reverse, 0..1000)
    );
    assert!(copy.cut_at_end() && !copy.cut_at_start());
    // Under half of the reference is not reported.
    let short = [reverse_complement(&rrs[..700]), rng.dna(3000)].concat();
    let contigs = [Contig::new("c", &short)];
    assert!(find_nucleotide_genes(&contigs, &refs).unwrap().is_empty());
}

#[test]
fn n_runs_are_unknown_not_calls() {
    let refs = references();
    let mut rng = Rng(11);
    let mut copy = refs[2].bases().to_vec(); // 16S-rrsC
    copy[500..530].fill(b'N');
    copy[900] = b'n';
    copy[1200] = if copy[1200] == b'A' { b'C' } else { b'A' };
    let genome = [rng.dna(2000), copy.clone(), rng.dna(2000)].concat();
    let copies = find_nucleotide_genes(&[Contig::new("c", &genome)], &refs).unwrap();
    assert_eq!(copies.len(), 1);
    let found = &copies[0];
    assert_eq!(
        (found.gene(), found.range()),
        ("16S-rrsC", 2000..2000 + 1542)
    );
    let calls: Vec<(NucleotideCallKind, &str, Option<&str>)> = found
        .calls()
        .iter()
        .map(|c| (c.kind(), c.notation(), c.pointfinder()))
        .collect();
    let substitution = format!(
        "n.1201{}>{}",
        refs[2].bases()[1200] as char,
        copy[1200] as char
    );
    let pointfinder = format!("16S-rrsC r.{}", &substitution[2..]);
    assert_eq!(
        calls,
        [
            (NucleotideCallKind::Unknown, "n.501_530?", None),
            (NucleotideCallKind::Unknown, "n.901?", None),
            (
                NucleotideCallKind::Substitution,
                substitution.as_str(),
                Some(pointfinder.as_str())
            ),
        ]
    );
    assert!(found.calls()[0].is_unknown() && !found.calls()[2].is_unknown());
    assert_eq!(found.calls()[0].contig_range(), 2500..2530);
    assert_eq!(found.calls()[0].reference_range(), 500..530);
}

/// The ampC promoter with C-42T and GT inserted between -16 and -15 (`CGTG` becomes
/// `CGTGTG`), on the reverse strand.
fn mutant_promoter(reference: &[u8]) -> Vec<u8> {
    assert_eq!(&reference[36..41], b"TCGTT");
    let mut copy = reference.to_vec();
    copy[11] = b'T';
    copy.splice(38..38, *b"GT");
    copy
}

#[test]
fn promoter_calls_in_pointfinder_notation() {
    let refs = references();
    let promoter = &refs[4];
    let mut rng = Rng(3);
    let copy = mutant_promoter(promoter.bases());
    let genome = [rng.dna(5000), reverse_complement(&copy), rng.dna(5000)].concat();
    let copies = find_nucleotide_genes(&[Contig::new("c", &genome)], &refs).unwrap();
    assert_eq!(copies.len(), 1);
    let found = &copies[0];
    assert_eq!(
        (found.gene(), found.strand(), found.range()),
        ("ampC-promoter-size-53bp", Strand::Reverse, 5000..5147)
    );
    let calls: Vec<(&str, Option<&str>)> = found
        .calls()
        .iter()
        .map(|c| (c.notation(), c.pointfinder()))
        .collect();
    // HGVS shifts the insertion 3' (after -14), where it repeats -15_-14: a duplication.
    assert_eq!(
        calls,
        [
            ("n.-42C>T", Some("ampC-promoter-size-53bp n.-42C>T")),
            (
                "n.-15_-14dup",
                Some("ampC-promoter-size-53bp n.-15_-14insGT")
            ),
        ]
    );
    assert_eq!(found.calls()[1].reference_range(), 40..40);
    // A change in the gene part (+2) has our notation only: PointFinder calls it as a codon.
    let mut copy = promoter.bases().to_vec();
    copy[54] = if copy[54] == b'T' { b'C' } else { b'T' };
    let genome = [rng.dna(500), copy, rng.dna(500)].concat();
    let copies = find_nucleotide_genes(&[Contig::new("c", &genome)], &refs).unwrap();
    let call = &copies[0].calls()[0];
    assert_eq!((&call.notation()[..4], call.pointfinder()), ("n.2T", None));
}

#[test]
fn random_dna_alone_gives_nothing() {
    let mut rng = Rng(99);
    let contigs: Vec<Vec<u8>> = (0..4).map(|_| rng.dna(250_000)).collect();
    let genome: Vec<Contig<'_>> = contigs.iter().map(|s| Contig::new("r", s)).collect();
    assert!(
        find_nucleotide_genes(&genome, &references())
            .unwrap()
            .is_empty()
    );
}

/// The genome the live comparison with PointFinder runs on: one copy each of 23S (A2058G,
/// T inserted between 1000 and 1001, one G of a GG at 1500-1501 deleted), 16S-rrsB (two
/// substitutions) and the ampC promoter (C-42T and the GT insertion), in random DNA.
fn pointfinder_genome(refs: &[NucleotideReference]) -> Vec<u8> {
    let mut rng = Rng(2058);
    let mut rrl = refs[0].bases().to_vec();
    assert_eq!((rrl[2057], &rrl[1498..1501]), (b'A', &b"CGG"[..]));
    rrl[2057] = b'G';
    rrl.remove(1499);
    rrl.insert(1000, b'T');
    let mut rrs = refs[1].bases().to_vec();
    for position in [400, 1300] {
        rrs[position] = if rrs[position] == b'A' { b'C' } else { b'A' };
    }
    [
        rng.dna(20_000),
        rrl,
        rng.dna(20_000),
        reverse_complement(&rrs),
        rng.dna(20_000),
        mutant_promoter(refs[4].bases()),
        rng.dna(20_000),
    ]
    .concat()
}

/// Whether PointFinder can run here; `WTA_REQUIRE_POINTFINDER=1` makes its absence a failure.
fn pointfinder_available() -> bool {
    let missing: Vec<&str> = ["/usr/bin/run_resfinder.py", "/usr/bin/blastn"]
        .into_iter()
        .filter(|path| !Path::new(path).is_file())
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var_os("WTA_REQUIRE_POINTFINDER").is_none(),
        "{missing:?} missing and WTA_REQUIRE_POINTFINDER is set"
    );
    eprintln!("SKIPPED: {missing:?} absent (apt-get install resfinder ncbi-blast+)");
    false
}

#[test]
fn calls_equal_what_pointfinder_prints() {
    if !pointfinder_available() {
        return;
    }
    let refs = references();
    let genome = pointfinder_genome(&refs);
    let dir = tempfile::tempdir().unwrap();
    let fasta = dir.path().join("genome.fa");
    let mut text = b">contig_1\n".to_vec();
    text.extend_from_slice(&genome);
    text.push(b'\n');
    std::fs::write(&fasta, text).unwrap();
    // The crate's copy of the E. coli folder (Debian gzips some of its files, which
    // PointFinder then cannot read).
    let database = dir.path().join("db");
    let species = database.join("escherichia_coli");
    std::fs::create_dir_all(&species).unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/pointfinder/escherichia_coli");
    for entry in std::fs::read_dir(source).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), species.join(entry.file_name())).unwrap();
    }
    let out = dir.path().join("out");
    let run = std::process::Command::new("/usr/bin/python3")
        .arg("/usr/bin/run_resfinder.py")
        .arg("-ifa")
        .arg(&fasta)
        .arg("-o")
        .arg(&out)
        .args(["-s", "Escherichia coli", "--point", "-db_point"])
        .arg(&database)
        .args([
            "-db_res",
            "/usr/share/resfinder/db",
            "--ignore_missing_species",
            "-u",
        ])
        .output()
        .unwrap();
    // With -u, ResFinder 4.3.0 exits 1 (KeyError 'var_aa') after writing its results when an
    // RNA deletion is among them.
    let results =
        std::fs::read_to_string(out.join("PointFinder_results.txt")).unwrap_or_else(|e| {
            panic!(
                "no PointFinder_results.txt ({e}); stderr:\n{}",
                String::from_utf8_lossy(&run.stderr)
            )
        });
    let printed: BTreeSet<&str> = results
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next())
        .collect();
    let copies = find_nucleotide_genes(&[Contig::new("contig_1", &genome)], &refs).unwrap();
    let genes: Vec<&str> = copies.iter().map(NucleotideCopy::gene).collect();
    assert_eq!(genes, ["23S", "16S-rrsB", "ampC-promoter-size-53bp"]);
    let ours: BTreeSet<&str> = copies
        .iter()
        .flat_map(|c| c.calls().iter().filter_map(|call| call.pointfinder()))
        .collect();
    // PointFinder also calls the single 16S copy against 16S-rrsC and 16S-rrsH (their
    // natural differences); only the genes of our copies are compared.
    let theirs: BTreeSet<&str> = printed
        .iter()
        .copied()
        .filter(|line| genes.iter().any(|g| line.split(' ').next() == Some(g)))
        .collect();
    assert_eq!(ours, theirs, "PointFinder printed:\n{results}");
    assert_eq!(ours.len(), 7);
}

/// Speed on an E. coli-sized assembly: 5 Mb in 100 contigs with 7 copies of 16S, 7 of 23S
/// and the ampC promoter planted, against E. coli's 5 nucleotide references, on one thread.
/// Prints the time (run with `cargo test --release --test genome_rna -- --ignored
/// --nocapture`); timing is not asserted.
#[test]
#[ignore = "a measurement, not a test"]
fn speed_on_a_5_mb_genome() {
    let refs = references();
    let search = NucleotideSearch::new(refs.clone()).unwrap();
    let mut rng = Rng(2026);
    let mut contigs: Vec<Vec<u8>> = (0..100).map(|_| rng.dna(50_000)).collect();
    for operon in 0..7 {
        let rrs = refs[1 + operon % 3].bases().to_vec();
        contigs[10 * operon].splice(10_000..10_000, rrs);
        let rrl = reverse_complement(refs[0].bases());
        contigs[10 * operon + 1].splice(20_000..20_000, rrl);
    }
    contigs[99].splice(5_000..5_000, refs[4].bases().iter().copied());
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
    let (copies, elapsed) = pool.install(|| {
        let start = std::time::Instant::now();
        let copies = search.find(&genome).unwrap();
        (copies, start.elapsed())
    });
    assert_eq!(copies.len(), 15);
    eprintln!(
        "nucleotide search: {bases} bases, {} copies, one thread: {:.3} s",
        copies.len(),
        elapsed.as_secs_f64()
    );
}

/// ResFinder's test isolate 11: one E. coli 16S gene (rrsB with A523C).
const ISOLATE_11: &str = "/usr/share/doc/resfinder/examples/data/test_isolate_11.fa";

#[test]
fn resfinder_test_isolate_11() {
    if !Path::new(ISOLATE_11).is_file() {
        assert!(
            std::env::var_os("WTA_REQUIRE_POINTFINDER").is_none(),
            "{ISOLATE_11} is missing and WTA_REQUIRE_POINTFINDER is set"
        );
        eprintln!("SKIPPED: {ISOLATE_11} absent (apt-get install resfinder-example)");
        return;
    }
    let records = wildtype_aligner::fasta::read_all(Path::new(ISOLATE_11)).unwrap();
    let sequence = records[0].seq().to_vec();
    let contigs = [Contig::new("test_16S_rrsB_A523C", &sequence)];
    let pointfinder = |copies: &[NucleotideCopy]| -> Vec<String> {
        copies
            .iter()
            .flat_map(|c| c.calls().iter().filter_map(|call| call.pointfinder()))
            .map(str::to_string)
            .collect()
    };
    // PointFinder (4.3.0, `-u`) prints 17 lines for this gene: the one below against rrsB,
    // and rrsB's natural differences from rrsC and rrsH (with A523C again) against those.
    let copies = find_nucleotide_genes(&contigs, &references()).unwrap();
    assert_eq!(copies.len(), 1);
    assert_eq!((copies[0].gene(), copies[0].range()), ("16S-rrsB", 0..1542));
    assert_eq!(pointfinder(&copies), ["16S-rrsB r.523A>C"]);
    // Called against rrsH alone, the copy gets what PointFinder prints against rrsH.
    let rrsh = [references()[3].clone()];
    let copies = find_nucleotide_genes(&contigs, &rrsh).unwrap();
    assert_eq!(
        pointfinder(&copies),
        [
            "16S-rrsH r.523A>C",
            "16S-rrsH r.1002A>G",
            "16S-rrsH r.1006C>G",
            "16S-rrsH r.1010C>T",
            "16S-rrsH r.1019_1020insA",
            "16S-rrsH r.1021T>A",
            "16S-rrsH r.1023delG",
            "16S-rrsH r.1038T>C",
            "16S-rrsH r.1120T>C",
        ]
    );
}
