//! PointFinder's catalogue (`phenotypes.txt`) read as is: calls known or novel with their
//! drug class and phenotype, PointFinder's notation beside ours, rows that disagree with their
//! reference reported at load, and `phenotypes.tsv` with its combinations.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use wildtype_aligner::wildtype::genome::{Species, reverse_complement};
use wildtype_aligner::wildtype::{
    Catalogue, PipelineConfig, ReferenceSet, Warning, WarningKind, run,
};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wta-catalogue-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Deterministic filler DNA (SplitMix64).
fn filler(seed: u64, length: usize) -> Vec<u8> {
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

fn cds(species: &Species, gene: &str) -> Vec<u8> {
    species
        .genes()
        .iter()
        .find(|g| g.gene() == gene)
        .unwrap()
        .nucleotides()
        .to_vec()
}

/// Sets codon `number` (1-based) of `cds` to `codon`.
fn set_codon(cds: &mut [u8], number: usize, codon: &[u8; 3]) {
    cds[3 * (number - 1)..3 * number].copy_from_slice(codon);
}

/// A genome of gyrA (with `gyra_codons` changed), parC (with `parc_codons` changed) and,
/// unless `without_23s`, a wild-type 23S, in filler DNA.
fn write_genome(
    dir: &Path,
    name: &str,
    gyra_codons: &[(usize, &[u8; 3])],
    parc_codons: &[(usize, &[u8; 3])],
    without_23s: bool,
) -> PathBuf {
    let species = Species::embedded("escherichia_coli").unwrap();
    let mut gyra = cds(&species, "gyrA");
    for (number, codon) in gyra_codons {
        set_codon(&mut gyra, *number, codon);
    }
    let mut parc = cds(&species, "parC");
    for (number, codon) in parc_codons {
        set_codon(&mut parc, *number, codon);
    }
    let mut contig = [
        filler(1, 800),
        gyra,
        filler(2, 900),
        reverse_complement(&parc),
        filler(3, 700),
    ]
    .concat();
    if !without_23s {
        contig.extend(cds(&species, "23S"));
        contig.extend(filler(4, 600));
    }
    let path = dir.join(format!("{name}.fasta"));
    let mut text = b">contig_1\n".to_vec();
    text.extend(contig);
    text.push(b'\n');
    std::fs::write(&path, text).unwrap();
    path
}

/// `phenotypes.tsv` as (accession, antimicrobial) -> (phenotype, mutations, not assessed).
fn phenotypes(out: &Path) -> BTreeMap<(String, String), (String, String, String)> {
    let text = std::fs::read_to_string(out.join("phenotypes.tsv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("accession\tantimicrobial\tclass\tphenotype\tmutations\tgenes_not_assessed")
    );
    lines
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 6, "{line}");
            (
                (f[0].to_owned(), f[1].to_owned()),
                (f[3].to_owned(), f[4].to_owned(), f[5].to_owned()),
            )
        })
        .collect()
}

/// `mutations.tsv` rows as maps of column -> value.
fn mutations(out: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(out.join("mutations.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .map(|line| {
            header
                .iter()
                .zip(line.split('\t'))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn combinations_are_respected_as_pointfinder_tables_them() {
    let dir = scratch("combinations");
    let genomes = dir.join("genomes");
    std::fs::create_dir_all(&genomes).unwrap();
    // G81D alone: ciprofloxacin only. G81D with D82G: nalidixic acid too.
    write_genome(&genomes, "g81d", &[(81, b"GAT")], &[], false);
    write_genome(
        &genomes,
        "g81d_d82g",
        &[(81, b"GAT"), (82, b"GGC")],
        &[],
        false,
    );
    // parC S80I needs a gyrA S83 change: alone it predicts nothing; with S83L it does.
    write_genome(&genomes, "s80i", &[], &[(80, b"ATC")], true);
    write_genome(
        &genomes,
        "s80i_s83l",
        &[(83, b"TTG")],
        &[(80, b"ATC")],
        true,
    );
    let out = dir.join("out");
    let config = PipelineConfig::new(Vec::<PathBuf>::new(), "", &out)
        .genomes([&genomes])
        .species("escherichia_coli");
    run(&config, &()).unwrap();
    let table = phenotypes(&out);
    // The page the run rendered from its results equals the one rendered from its tables.
    assert_eq!(
        wildtype_aligner::wildtype::render_report(&out).unwrap(),
        std::fs::read(out.join("report.html")).unwrap()
    );
    let get = |genome: &str, drug: &str| table[&(genome.to_owned(), drug.to_owned())].clone();

    assert_eq!(get("g81d", "Ciprofloxacin").0, "resistant");
    assert_eq!(get("g81d", "Ciprofloxacin").1, "gyrA p.G81D");
    assert_eq!(get("g81d", "Nalidixic acid").0, "no resistance found");
    assert_eq!(get("g81d_d82g", "Nalidixic acid").0, "resistant");
    assert!(
        get("g81d_d82g", "Nalidixic acid")
            .1
            .contains("gyrA p.G81D + gyrA p.D82G"),
        "{:?}",
        get("g81d_d82g", "Nalidixic acid")
    );

    assert_eq!(get("s80i", "Ciprofloxacin").0, "no resistance found");
    assert_eq!(get("s80i_s83l", "Ciprofloxacin").0, "resistant");
    assert_eq!(
        get("s80i_s83l", "Ciprofloxacin").1,
        "gyrA p.S83L; parC p.S80I + gyrA p.S83L"
    );
    // Genes the genome lacks make "no resistance found" not mean susceptible.
    let rifampicin = get("s80i", "Rifampicin");
    assert_eq!(rifampicin.0, "no resistance found");
    assert_eq!(rifampicin.2, "rpoB (absent)");
    assert_eq!(get("s80i", "Erythromycin").2, "23S (absent)");
    assert_eq!(get("g81d", "Erythromycin").2, "");

    // The calls: known, with the catalogue's row and PointFinder's notation.
    let calls = mutations(&out);
    let g81d = calls
        .iter()
        .find(|c| c["accession"] == "g81d" && c["mutation"] == "G81D")
        .unwrap();
    assert_eq!(g81d["catalogue"], "known");
    assert_eq!(g81d["catalogue_mutation"], "p.G81D");
    assert_eq!(g81d["pointfinder"], "gyrA p.G81D");
    assert!(
        g81d["annotation"].contains("drug_class=Quinolone"),
        "{g81d:?}"
    );
    // Both of PointFinder's G81 rows: ciprofloxacin alone, nalidixic acid too with D82G.
    let rows: Vec<&str> = g81d["annotation"].split(" | ").collect();
    assert_eq!(rows.len(), 2, "{g81d:?}");
    assert!(rows[0].contains("phenotype=Ciprofloxacin;"), "{}", rows[0]);
    assert!(
        rows[1].contains("phenotype=Nalidixic acid,Ciprofloxacin;")
            && rows[1].contains("required_mutation=gyrA_1_CP073768.1_D82G"),
        "{}",
        rows[1]
    );
    // Every accession has a row per antimicrobial of the catalogue.
    let drugs = table.keys().filter(|(genome, _)| genome == "g81d").count();
    assert_eq!(table.len(), 4 * drugs);
    // The manifest lists the table and the catalogue it came from.
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"phenotypes.tsv\""));
    assert!(manifest.contains("escherichia_coli/phenotypes.txt"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A catalogued position whose phenotype is `Unknown` is known, with that phenotype, and
/// predicts nothing (PointFinder's default mode leaves it out).
#[test]
fn unknown_phenotypes_are_known_calls() {
    let dir = scratch("unknown");
    let genome = write_genome(&dir, "a108v", &[], &[(108, b"GTC")], false);
    let out = dir.join("out");
    let config = PipelineConfig::new(Vec::<PathBuf>::new(), "", &out)
        .genomes([&genome])
        .species("escherichia_coli");
    run(&config, &()).unwrap();
    let calls = mutations(&out);
    let a108v = calls.iter().find(|c| c["mutation"] == "A108V").unwrap();
    assert_eq!(a108v["catalogue"], "known");
    assert!(
        a108v["annotation"].contains("phenotype=Unknown"),
        "{a108v:?}"
    );
    assert!(
        phenotypes(&out)
            .values()
            .all(|(phenotype, _, _)| phenotype == "no resistance found")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Rows that disagree with their reference are reported at load, naming the row, and never
/// match; a catalogue given as a file or as a species folder is PointFinder's when its header
/// says so.
#[test]
fn rows_that_disagree_with_their_reference_are_reported() {
    let dir = scratch("rows");
    let species = Species::embedded("escherichia_coli").unwrap();
    let (_, text) = species.phenotypes().unwrap();
    let mut edited = String::new();
    for line in text.lines() {
        // gyrA's codon 83 is S: a row naming T there is wrong.
        if line.starts_with("gyrA_1_CP073768.1\tAA\tSER-83") {
            edited.push_str(&line.replacen("\tS\tL,W,A,V\t", "\tT\tL,W,A,V\t", 1));
        } else {
            edited.push_str(line);
        }
        edited.push('\n');
    }
    edited.push_str("mcr1_1_X\tAA\tX\t5\tGCC\tA\tV\tPolymyxin\tColistin\t1\t\n");
    let catalogue = dir.join("phenotypes.txt");
    std::fs::write(&catalogue, &edited).unwrap();

    let references = ReferenceSet::from_species(&species);
    let (loaded, warnings) = Catalogue::from_pointfinder(&catalogue, &edited, &references).unwrap();
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert!(
        warnings[0].contains("line 8: PointFinder row gyrA_1_CP073768.1 83 T->L,W,A,V")
            && warnings[0].ends_with("the reference has S at 83, not T; the row never matches"),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[1].contains("gene mcr1 has no reference"),
        "{}",
        warnings[1]
    );
    assert!(loaded.entries().iter().all(|e| e.mutation() != "p.S83L"));

    let genome = write_genome(&dir, "s83l", &[(83, b"TTG")], &[], false);
    let out = dir.join("out");
    let config = PipelineConfig::new(Vec::<PathBuf>::new(), "", &out)
        .genomes([&genome])
        .species("escherichia_coli")
        .catalogue(&catalogue);
    struct Collect(std::sync::Mutex<Vec<Warning>>);
    impl wildtype_aligner::wildtype::Progress for Collect {
        fn warning(&self, warning: &Warning) {
            self.0.lock().unwrap().push(warning.clone());
        }
    }
    let collect = Collect(Default::default());
    run(&config, &collect).unwrap();
    let seen = collect.0.into_inner().unwrap();
    let mismatches: Vec<&Warning> = seen
        .iter()
        .filter(|w| w.kind == WarningKind::CatalogueRowMismatch)
        .collect();
    assert_eq!(mismatches.len(), 2, "{seen:#?}");
    let s83l = mutations(&out)
        .into_iter()
        .find(|c| c["mutation"] == "S83L")
        .unwrap();
    assert_eq!(s83l["catalogue"], "novel");
    assert_eq!(s83l["pointfinder"], "gyrA p.S83L");
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("catalogue_row_mismatch"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Protein input with PointFinder's catalogue: each accession is an isolate of the table.
#[test]
fn protein_input_gets_a_phenotype_table_per_accession() {
    let dir = scratch("proteins");
    let species = Species::embedded("escherichia_coli").unwrap();
    let gyra = species.genes().iter().find(|g| g.gene() == "gyrA").unwrap();
    let parc = species.genes().iter().find(|g| g.gene() == "parC").unwrap();
    let mut protein = gyra.protein().unwrap().to_vec();
    protein[82] = b'L'; // S83L
    let references = dir.join("references.faa");
    std::fs::write(
        &references,
        format!(
            ">gyrA\n{}\n>parC\n{}\n",
            String::from_utf8_lossy(gyra.protein().unwrap()),
            String::from_utf8_lossy(parc.protein().unwrap())
        ),
    )
    .unwrap();
    let targets = dir.join("isolates_proteins.fasta");
    std::fs::write(
        &targets,
        format!(
            ">iso1|gyrA|1-2628|+|c1|x\n{}\n>iso2|gyrA|1-2628|+|c1|x\n{}\n",
            String::from_utf8_lossy(&protein),
            String::from_utf8_lossy(gyra.protein().unwrap())
        ),
    )
    .unwrap();
    let (_, text) = species.phenotypes().unwrap();
    let catalogue = dir.join("phenotypes.txt");
    std::fs::write(&catalogue, text).unwrap();
    let out = dir.join("out");
    let config = PipelineConfig::new([&targets], &references, &out).catalogue(&catalogue);
    run(&config, &()).unwrap();
    let table = phenotypes(&out);
    let cipro = &table[&("iso1".to_owned(), "Ciprofloxacin".to_owned())];
    assert_eq!(
        (cipro.0.as_str(), cipro.1.as_str()),
        ("resistant", "gyrA p.S83L")
    );
    // parC has no target here: not assessed, for iso1 and iso2 alike.
    assert!(cipro.2.contains("parC (no target)"), "{cipro:?}");
    let iso2 = &table[&("iso2".to_owned(), "Ciprofloxacin".to_owned())];
    assert_eq!(iso2.0, "no resistance found");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A catalogue without a single entry (an empty file, a failed download, only a header) is
/// refused naming the file: it would silently make every call novel and, given with a
/// species, replace the species' catalogue. Nothing is written.
#[test]
fn a_catalogue_without_entries_is_an_error() {
    let dir = scratch("empty");
    let species = Species::embedded("escherichia_coli").unwrap();
    let gyra = species.genes().iter().find(|g| g.gene() == "gyrA").unwrap();
    let references = dir.join("references.faa");
    let protein = String::from_utf8_lossy(gyra.protein().unwrap()).into_owned();
    std::fs::write(&references, format!(">gyrA\n{protein}\n")).unwrap();
    let targets = dir.join("isolates_proteins.fasta");
    std::fs::write(&targets, format!(">iso1|gyrA|1-2628|+|c1|x\n{protein}\n")).unwrap();
    for (name, text) in [
        ("empty.tsv", ""),
        ("header.tsv", "gene\tmutation\tdrug\n# nothing yet\n\n"),
    ] {
        let catalogue = dir.join(name);
        std::fs::write(&catalogue, text).unwrap();
        let out = dir.join(format!("out-{name}"));
        let config = PipelineConfig::new([&targets], &references, &out).catalogue(&catalogue);
        let error = run(&config, &()).unwrap_err().to_string();
        assert!(
            error.contains(&catalogue.display().to_string()) && error.contains("no entries"),
            "{name}: {error}"
        );
        assert!(
            !out.join("manifest.json").exists(),
            "{name}: outputs written"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The Python with the `hamronization` package: `WTA_HAMRONIZATION_PYTHON`, else `python3`
/// when it imports the package; `None` (the test skips) when neither, unless
/// `WTA_REQUIRE_HAMRONIZATION` is set (CI), which makes that a failure.
fn hamronization_python() -> Option<String> {
    let candidates = std::env::var("WTA_HAMRONIZATION_PYTHON")
        .into_iter()
        .chain(["python3".to_owned()]);
    for python in candidates {
        let imports = std::process::Command::new(&python)
            .args(["-c", "import hAMRonization"])
            .output()
            .is_ok_and(|out| out.status.success());
        if imports {
            return Some(python);
        }
    }
    assert!(
        std::env::var_os("WTA_REQUIRE_HAMRONIZATION").is_none(),
        "the hamronization package is missing and WTA_REQUIRE_HAMRONIZATION is set"
    );
    eprintln!("SKIPPED: no Python with the hamronization package (pip install hamronization)");
    None
}

/// `hamronization.tsv` of a genome run and of a protein run passes the hAMRonization package's
/// own checks (`tests/hamronization_check.py`): the specification's columns, every mandatory
/// field, every value of its type, merged by its `summarize`.
#[test]
fn hamronization_output_is_valid_for_the_package() {
    let Some(python) = hamronization_python() else {
        return;
    };
    let dir = scratch("hamronization");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/genomes");
    let out = dir.join("genomes");
    let config = PipelineConfig::new(Vec::<PathBuf>::new(), "", &out)
        .genomes([
            data.join("ecoli_example_0000.fasta.gz"),
            data.join("ecoli_example_0001.fasta.gz"),
        ])
        .species("escherichia_coli");
    run(&config, &()).unwrap();
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hamronization_check.py");
    let check = |table: &Path| -> usize {
        let output = std::process::Command::new(&python)
            .arg(&checker)
            .arg(table)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}: {}",
            table.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .unwrap()
    };
    let table = out.join("hamronization.tsv");
    let rows = check(&table);
    let text = std::fs::read_to_string(&table).unwrap();
    assert_eq!(rows, text.lines().count() - 1);
    // The bundled genomes' resistance calls: gyrA S83L, parC E84V (with S83L), 23S A2058G,
    // 16S A1408G and the promoter's C-42T in the first; gyrA D87N and the three nucleotide
    // calls in the second.
    assert_eq!(rows, 9, "{text}");
    for (genome, gene, change) in [
        ("ecoli_example_0000", "gyrA", "p.S83L"),
        ("ecoli_example_0000", "23S", "r.2058A>G"),
        ("ecoli_example_0001", "ampC-promoter-size-53bp", "n.-42C>T"),
    ] {
        assert!(
            text.lines()
                .any(|line| line.starts_with(&format!("{genome}\t{gene}\t"))
                    && line.contains(&format!("\t{change}\t"))),
            "{genome} {gene} {change} missing:\n{text}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
