//! Targets that are not the gene their label says (another gene's protein, DNA given as
//! protein) get a status of their own, and their would-be calls reach no table and no count.

mod pipeline_support;

use std::path::{Path, PathBuf};

use pipeline_support::{REFERENCES, Rng, target_header, write_fasta};
use wildtype_aligner::wildtype::{PipelineConfig, Status, Tier, for_each_result, run};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wta-homology-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn protein(gene: &str) -> Vec<u8> {
    let (_, _, residues) = REFERENCES.iter().find(|(g, _, _)| *g == gene).unwrap();
    residues.as_bytes().to_vec()
}

/// TEM-1 with two substitutions (a true blaTEM target), KPC-2 and SHV-1 labelled blaTEM
/// (another gene's protein), and a coding sequence given as protein.
fn mislabelled(dir: &Path) {
    let mut variant = protein("blaTEM");
    variant[103] = b'K';
    variant[237] = b'S';
    let mut rng = Rng::new(5);
    let dna: Vec<u8> = (0..600).map(|_| b"ACGT"[rng.below(4)]).collect();
    let targets = vec![
        (target_header("T1", "blaTEM", variant.len()), variant),
        (target_header("K1", "blaTEM", 293), protein("blaKPC")),
        (target_header("S1", "blaTEM", 286), protein("blaSHV")),
        (target_header("D1", "blaTEM", 200), dna),
    ];
    write_fasta(&dir.join("targets.faa"), &targets);
    let references: Vec<(String, Vec<u8>)> = ["blaTEM", "blaKPC", "blaSHV"]
        .iter()
        .map(|gene| (gene.to_string(), protein(gene)))
        .collect();
    write_fasta(&dir.join("refs.faa"), &references);
}

#[test]
fn another_genes_protein_is_not_homologous_and_dna_is_not_protein() {
    let dir = scratch("mislabelled");
    mislabelled(&dir);
    let out = dir.join("out");
    let config = PipelineConfig::new([dir.join("targets.faa")], dir.join("refs.faa"), &out);
    let summary = run(&config, &()).unwrap();
    assert_eq!((summary.targets, summary.aligned), (4, 1));
    assert_eq!(
        summary.problems, 3,
        "mislabelled targets count as not aligned"
    );
    assert_eq!(
        summary.mutations, 2,
        "only the true blaTEM target's calls count"
    );

    let table = std::fs::read_to_string(out.join("alignments.tsv")).unwrap();
    let header: Vec<&str> = table.lines().next().unwrap().split('\t').collect();
    let column = |name: &str| header.iter().position(|c| *c == name).unwrap();
    let rows: Vec<Vec<&str>> = table
        .lines()
        .skip(1)
        .map(|line| line.split('\t').collect())
        .collect();
    let field = |row: &[&str], name: &str| row[column(name)].to_owned();
    let statuses: Vec<(String, String, String)> = rows
        .iter()
        .map(|row| {
            (
                field(row, "accession"),
                field(row, "status"),
                field(row, "mutations"),
            )
        })
        .collect();
    let expected = [
        ("T1", "ok", "2"),
        ("K1", "not_homologous", "0"),
        ("S1", "not_homologous", "0"),
        ("D1", "not_protein", "0"),
    ];
    for ((accession, status, calls), (want_accession, want_status, want_calls)) in
        statuses.iter().zip(expected)
    {
        assert_eq!(
            (accession.as_str(), status.as_str(), calls.as_str()),
            (want_accession, want_status, want_calls)
        );
    }
    // The not-homologous rows keep their alignment, so the reason can be checked.
    let kpc = &rows[1];
    assert_eq!(field(kpc, "tier"), "FAILED");
    assert!(!field(kpc, "cigar").is_empty());
    assert!(
        field(kpc, "detail").contains("below the LOW tier"),
        "{}",
        field(kpc, "detail")
    );
    assert!(field(&rows[3], "detail").contains("nucleotide"));

    let calls = std::fs::read_to_string(out.join("mutations.tsv")).unwrap();
    let accessions: Vec<&str> = calls
        .lines()
        .skip(1)
        .map(|line| line.split('\t').next().unwrap())
        .collect();
    assert_eq!(accessions, ["T1", "T1"]);

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let text = manifest.to_string();
    assert!(text.contains("\"not_homologous\":2"), "{text}");
    assert!(text.contains("\"not_protein\":1"), "{text}");
}

#[test]
fn in_memory_results_carry_the_status_and_no_calls() {
    let dir = scratch("in-memory");
    mislabelled(&dir);
    let config = PipelineConfig::new(
        [dir.join("targets.faa")],
        dir.join("refs.faa"),
        dir.join("out"),
    );
    let mut seen = Vec::new();
    for_each_result(&config, &(), |result| {
        seen.push((
            result.record.status,
            result.record.tier,
            result.mutations.len(),
        ));
        Ok(())
    })
    .unwrap();
    assert_eq!(
        seen,
        [
            (Status::Ok, Tier::High, 2),
            (Status::NotHomologous, Tier::Failed, 0),
            (Status::NotHomologous, Tier::Failed, 0),
            (Status::NotProtein, Tier::Failed, 0),
        ]
    );
}
