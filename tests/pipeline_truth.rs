//! Genome runs of the pipeline against the generator's planted truth
//! (`examples/harness/genomes.rs`): three seeded 300 kb E. coli-like genomes with every kind of
//! change, written as FASTA and run through `wildtype::for_each_result` with the embedded
//! species. In the copies planted whole, every planted amino-acid call (substitution,
//! premature stop, in-frame deletion and insertion, one call per frameshift) and every
//! synonymous codon change is reported, so is every RNA and promoter change of the rRNA
//! operons' and the ampC promoter's copies (each copy called against its own 16S reference), with its codon change, and nothing else is; residues of N runs are not
//! called; the absent gene is an `absent` row. `--nocapture` prints the counts.

#[allow(dead_code)]
#[path = "../examples/harness/genomes.rs"]
mod genomes;

use std::collections::BTreeSet;
use std::path::PathBuf;

use genomes::{GenomeSpec, Kinds, TruthRow};
use wildtype_aligner::wildtype::genome::Species;
use wildtype_aligner::wildtype::{PipelineConfig, Status, TargetResult, for_each_result};

/// A call as compared: genome, gene, notation, codon change (substitutions and synonymous
/// changes only; empty otherwise).
type Call = (String, String, String, String);

/// The truth's notation of a call in ours: `L361_L362del` -> `361_362del`; `S117del`,
/// `G276_G277insL` -> `276_277insL` (our short form keeps residues only for one position).
fn ours(truth: &str) -> String {
    let truth = ["p.", "r.", "n."]
        .iter()
        .find_map(|prefix| truth.strip_prefix(prefix))
        .unwrap_or(truth);
    if truth.contains('>') {
        // A nucleotide substitution: `2058A>G`, `-42C>T`.
        return truth.to_owned();
    }
    let strip = |part: &str| {
        part.trim_start_matches(|c: char| c.is_ascii_alphabetic())
            .to_owned()
    };
    for marker in ["del", "ins"] {
        if let Some((span, rest)) = truth.split_once(marker) {
            if let Some((first, second)) = span.split_once('_') {
                return format!("{}_{}{marker}{rest}", strip(first), strip(second));
            }
            return format!("{span}{marker}{rest}");
        }
    }
    truth.to_owned()
}

fn overlaps(row: &TruthRow, contig: &str, start: u64, end: u64) -> bool {
    row.contig == contig && row.start as u64 <= end && start <= row.end as u64
}

#[test]
fn planted_calls_and_codons_are_reported_and_nothing_else() {
    let species = Species::embedded("escherichia_coli").unwrap();
    let spec = GenomeSpec {
        size: 300_000,
        contigs: 12,
        kinds: Kinds::all(),
    };
    let dir = std::env::temp_dir().join(format!("wta-pipeline-truth-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut truth: Vec<TruthRow> = Vec::new();
    let mut paths: Vec<PathBuf> = Vec::new();
    for i in 0..3 {
        let genome = genomes::generate(
            &species,
            &spec,
            genomes::genome_seed(7, i),
            &format!("truth_{i}"),
        );
        paths.push(genome.write_fasta(&dir, i == 1).unwrap());
        truth.extend(genome.truth);
    }
    let mut results: Vec<TargetResult> = Vec::new();
    let config = PipelineConfig::new(Vec::<PathBuf>::new(), "", dir.join("out"))
        .genomes(&paths)
        .species("escherichia_coli");
    for_each_result(&config, &(), |result| {
        results.push(result);
        Ok(())
    })
    .unwrap();

    let coding: BTreeSet<&str> = species
        .genes()
        .iter()
        .filter(|g| g.protein().is_some())
        .map(|g| g.gene())
        .collect();
    // The copies planted whole: their calls are compared.
    let whole: Vec<&TruthRow> = truth
        .iter()
        .filter(|r| r.kind == "copy" && r.call == "whole")
        .collect();
    let compared = |genome: &str, gene: &str, contig: &str, start: u64, end: u64| {
        whole
            .iter()
            .find(|r| r.genome == genome && r.gene == gene && overlaps(r, contig, start, end))
    };
    let mut expected: BTreeSet<Call> = BTreeSet::new();
    let mut kind_of: std::collections::BTreeMap<Call, String> = Default::default();
    for row in &truth {
        let kinds = [
            "substitution",
            "synonymous",
            "stop",
            "deletion",
            "insertion",
            "frameshift",
            "rna",
            "promoter",
        ];
        if !kinds.contains(&row.kind.as_str()) {
            continue;
        }
        let inside = whole.iter().any(|copy| {
            copy.genome == row.genome
                && copy.gene == row.gene
                && overlaps(copy, &row.contig, row.start as u64, row.end as u64)
        });
        if inside {
            let codon = if matches!(row.kind.as_str(), "substitution" | "synonymous") {
                row.codon_change.clone()
            } else {
                String::new()
            };
            let call = (row.genome.clone(), row.gene.clone(), ours(&row.call), codon);
            kind_of.insert(call.clone(), row.kind.clone());
            expected.insert(call);
        }
    }
    let mut reported: BTreeSet<Call> = BTreeSet::new();
    let mut x_calls = Vec::new();
    for result in &results {
        let record = &result.record;
        let (Some(contig), Some(start), Some(end)) =
            (&record.contig, record.contig_start, record.contig_end)
        else {
            continue;
        };
        let gene = record.gene.as_deref().unwrap_or("");
        for call in &result.mutations {
            if call.call.target_residues.contains('X') {
                x_calls.push(format!(
                    "{} {gene} {}",
                    record.accession, call.call.mutation
                ));
            }
        }
        if compared(&record.accession, gene, contig, start, end).is_none() {
            continue;
        }
        for call in &result.mutations {
            let codon = match call.call.kind.as_str() {
                "substitution" | "synonymous" => call.codon_change.clone().unwrap_or_default(),
                _ => String::new(),
            };
            reported.insert((
                record.accession.to_string(),
                gene.to_owned(),
                call.call.mutation.to_string(),
                codon,
            ));
        }
    }
    let missed: Vec<&Call> = expected.difference(&reported).collect();
    let extra: Vec<&Call> = reported.difference(&expected).collect();
    let synonymous = expected.iter().filter(|c| c.2.ends_with('=')).count();
    println!(
        "planted calls in whole copies: {} ({synonymous} synonymous); reported: {}; missed: {}; \
         not planted: {}",
        expected.len(),
        reported.len(),
        missed.len(),
        extra.len()
    );
    // Recall and precision by kind of planted change (a call not planted has no kind: it
    // would count against precision as `not planted` above).
    let mut by_kind: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for call in &expected {
        let entry = by_kind.entry(kind_of[call].as_str()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(reported.contains(call));
    }
    for (kind, (planted, found)) in &by_kind {
        println!("  {kind:<13} planted {planted:>3}  reported {found:>3}");
    }
    assert!(by_kind.len() >= 8, "every kind planted: {by_kind:?}");
    assert!(synonymous > 0 && expected.len() > synonymous);
    assert!(missed.is_empty(), "missed: {missed:#?}");
    assert!(extra.is_empty(), "not planted: {extra:#?}");
    assert!(x_calls.is_empty(), "unknown residues called: {x_calls:?}");
    // The absent gene of the first genome (one gene in every third genome) is an absent row.
    let absent: Vec<&TruthRow> = truth
        .iter()
        .filter(|r| r.kind == "copy" && r.call == "absent" && coding.contains(r.gene.as_str()))
        .collect();
    assert!(!absent.is_empty());
    for row in absent {
        let found = results.iter().any(|r| {
            *r.record.accession == row.genome
                && r.record.gene.as_deref() == Some(row.gene.as_str())
                && r.record.status == Status::Absent
        });
        assert!(found, "{} {} is not an absent row", row.genome, row.gene);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The README's bundled assemblies are what `make_genomes` makes (their provenance in
/// `data/README.md`), and their run finds every planted whole copy's calls.
#[test]
fn the_bundled_example_assemblies_are_the_generators() {
    let species = Species::embedded("escherichia_coli").unwrap();
    let spec = GenomeSpec {
        size: 300_000,
        contigs: 12,
        kinds: Kinds::all(),
    };
    let bundled = concat!(env!("CARGO_MANIFEST_DIR"), "/data/genomes");
    let dir = std::env::temp_dir().join(format!("wta-bundled-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for index in 0..2 {
        let (_, path) =
            genomes::write_genome(&species, &spec, 11, index, "ecoli_example", &dir, false)
                .unwrap();
        let name = format!("ecoli_example_{index:04}");
        let mut text = Vec::new();
        let gz = std::fs::File::open(format!("{bundled}/{name}.fasta.gz")).unwrap();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz), &mut text).unwrap();
        assert!(
            text == std::fs::read(&path).unwrap(),
            "{name}.fasta.gz differs"
        );
        let truth = |dir: &str| std::fs::read_to_string(format!("{dir}/{name}.truth.tsv")).unwrap();
        assert_eq!(
            truth(bundled),
            truth(dir.to_str().unwrap()),
            "{name}.truth.tsv"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
