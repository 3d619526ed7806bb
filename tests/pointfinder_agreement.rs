//! Agreement with PointFinder (ResFinder 4.3.0, default mode, database 3.0.0) on ResFinder's
//! test isolates and on generated genomes: every call PointFinder makes is ours too (same
//! gene, position and change), and our phenotype table equals PointFinder's, except in the
//! named classes where PointFinder is wrong; each difference is counted by class and printed.
//!
//! PointFinder runs live when it is installed (`WTA_REQUIRE_POINTFINDER=1` makes its absence
//! a failure, as in CI); its answers are also recorded in `tests/recorded/pointfinder/`, which
//! the test uses when it is not installed (or with `WTA_POINTFINDER_RECORDED=1`) and checks
//! against the live answers when it is.

#[allow(dead_code)]
#[path = "../examples/harness/genomes.rs"]
mod genomes;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use genomes::{GenomeSpec, Kinds};
use wildtype_aligner::wildtype::genome::Species;
use wildtype_aligner::wildtype::{MutationKind, PipelineConfig, for_each_result, run};

/// ResFinder's E. coli test isolates (Debian's `resfinder-example`).
const ISOLATES: &str = "/usr/share/doc/resfinder/examples/data";
const ISOLATE_NAMES: [&str; 8] = [
    "test_isolate_01",
    "test_isolate_02",
    "test_isolate_03",
    "test_isolate_05",
    "test_isolate_09a",
    "test_isolate_09b",
    "test_isolate_10",
    "test_isolate_11",
];

/// Why a PointFinder answer differs from ours, when PointFinder is the one that is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    /// PointFinder names a 16S copy's change against another 16S reference (ours: against
    /// the reference the copy matches best).
    OtherCopysReference,
    /// PointFinder writes the codon of a frameshift as a substitution and every codon after
    /// it as a call (ours: one frameshift call).
    AfterFrameshift,
    /// PointFinder takes a diverged second copy (a paralog) for the gene (ours: its own
    /// target, never speaking for the gene).
    ParalogMixedIn,
    /// PointFinder lists a promoter call with its antimicrobials but leaves them out of its
    /// phenotype table.
    PromoterLeftOutOfTable,
    /// None of the above: a real disagreement.
    Unexplained,
}

/// One genome's answers, PointFinder's and ours.
#[derive(Debug, Default)]
struct Answers {
    /// PointFinder's calls: (gene, change as written, e.g. `p.S83L`).
    pf_calls: Vec<(String, String)>,
    /// The antimicrobials PointFinder names for each of its calls (lower case).
    pf_call_drugs: BTreeMap<(String, String), BTreeSet<String>>,
    /// The antimicrobials of the catalogue rows behind each of our known calls (lower case).
    our_call_drugs: BTreeMap<(String, String), BTreeSet<String>>,
    /// PointFinder's resistant antimicrobials (lower case).
    pf_resistant: BTreeSet<String>,
    /// Our calls of copies that speak for their gene (identity 95 % or more): (gene,
    /// PointFinder notation without the gene).
    ours: BTreeSet<(String, String)>,
    /// Our calls of diverged copies (identity under 95 %).
    ours_diverged: BTreeSet<(String, String)>,
    /// Our frameshifts: (gene, codon).
    frameshifts: Vec<(String, usize)>,
    /// Our phenotype table: antimicrobial (lower case) -> mutations behind a resistant call.
    our_resistant: BTreeMap<String, String>,
    /// Every antimicrobial of our table (lower case).
    our_drugs: BTreeSet<String>,
}

fn recorded_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/recorded/pointfinder")
}

fn pointfinder_installed() -> bool {
    let installed = ["/usr/bin/run_resfinder.py", "/usr/bin/blastn"]
        .iter()
        .all(|p| Path::new(p).is_file());
    assert!(
        installed || std::env::var_os("WTA_REQUIRE_POINTFINDER").is_none(),
        "PointFinder is missing and WTA_REQUIRE_POINTFINDER is set"
    );
    installed
}

/// Runs PointFinder on `fasta` and returns its results file and phenotype table.
fn run_pointfinder(fasta: &Path, work: &Path) -> (String, String) {
    let database = work.join("db");
    let species = database.join("escherichia_coli");
    if !species.is_dir() {
        std::fs::create_dir_all(&species).unwrap();
        let source =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("data/pointfinder/escherichia_coli");
        for entry in std::fs::read_dir(source).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), species.join(entry.file_name())).unwrap();
        }
    }
    let name = fasta.file_name().unwrap().to_string_lossy().into_owned();
    let out = work.join(format!("pf_{name}"));
    let output = std::process::Command::new("/usr/bin/python3")
        .arg("/usr/bin/run_resfinder.py")
        .arg("-ifa")
        .arg(fasta)
        .arg("-o")
        .arg(&out)
        .args(["-s", "Escherichia coli", "--point", "-db_point"])
        .arg(&database)
        .args([
            "-db_res",
            "/usr/share/resfinder/db",
            "--ignore_missing_species",
        ])
        .output()
        .unwrap();
    let read = |file: &str| {
        std::fs::read_to_string(out.join(file)).unwrap_or_else(|e| {
            panic!(
                "PointFinder on {name}: no {file} ({e}); stderr:\n{}",
                String::from_utf8_lossy(&output.stderr)
            )
        })
    };
    (read("PointFinder_results.txt"), read("pheno_table.txt"))
}

/// PointFinder's calls and resistant antimicrobials, from its two files.
fn parse_pointfinder(
    results: &str,
    table: &str,
) -> (Vec<(String, String, String)>, BTreeSet<String>) {
    let calls = results
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let mutation = fields.first()?.split(" - ").next()?;
            let (gene, change) = mutation.split_once(' ')?;
            let drugs = fields.get(3).copied().unwrap_or("").to_owned();
            Some((gene.to_owned(), change.to_owned(), drugs))
        })
        .collect();
    let resistant = table
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (fields.len() >= 3 && fields[2] == "Resistant").then(|| fields[0].to_lowercase())
        })
        .collect();
    (calls, resistant)
}

/// The inputs: the isolates that are installed, and three generated genomes written to `dir`.
fn inputs(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut inputs = Vec::new();
    for name in ISOLATE_NAMES {
        let found = [".fa", ".fa.gz"]
            .iter()
            .map(|ext| Path::new(ISOLATES).join(format!("{name}{ext}")))
            .find(|p| p.is_file());
        match found {
            Some(path) => {
                // Plain FASTA under the accession's name, for both tools.
                let records = wildtype_aligner::fasta::read_all(&path).unwrap();
                let mut text = String::new();
                for record in &records {
                    text.push_str(&format!(
                        ">{}\n{}\n",
                        record.id(),
                        String::from_utf8_lossy(record.seq())
                    ));
                }
                let copy = dir.join(format!("{name}.fa"));
                std::fs::write(&copy, text).unwrap();
                inputs.push((name.to_owned(), copy));
            }
            None => assert!(
                std::env::var_os("WTA_REQUIRE_POINTFINDER").is_none(),
                "{name} is missing from {ISOLATES} and WTA_REQUIRE_POINTFINDER is set"
            ),
        }
    }
    // The bundled example assemblies (generated; see data/README.md), unpacked.
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/genomes");
    for name in ["ecoli_example_0000", "ecoli_example_0001"] {
        let records =
            wildtype_aligner::fasta::read_all(bundled.join(format!("{name}.fasta.gz"))).unwrap();
        let mut text = String::new();
        for record in &records {
            text.push_str(&format!(
                ">{}\n{}\n",
                record.id(),
                String::from_utf8_lossy(record.seq())
            ));
        }
        let copy = dir.join(format!("{name}.fa"));
        std::fs::write(&copy, text).unwrap();
        inputs.push((name.to_owned(), copy));
    }
    let species = Species::embedded("escherichia_coli").unwrap();
    let spec = GenomeSpec {
        size: 1_000_000,
        contigs: 30,
        kinds: Kinds::all(),
    };
    for i in 0..3 {
        let name = format!("agreement_{i}");
        let genome = genomes::generate(&species, &spec, genomes::genome_seed(16, i), &name);
        let path = genome.write_fasta(dir, false).unwrap();
        inputs.push((name, path));
    }
    inputs
}

/// Our answers for every input: the calls from the library's results, the phenotypes from
/// a run's `phenotypes.tsv`.
fn ours(dir: &Path, inputs: &[(String, PathBuf)]) -> BTreeMap<String, Answers> {
    let out = dir.join("ours");
    let paths: Vec<&PathBuf> = inputs.iter().map(|(_, p)| p).collect();
    let config = PipelineConfig::new(Vec::<PathBuf>::new(), "", &out)
        .genomes(paths)
        .species("escherichia_coli");
    let mut answers: BTreeMap<String, Answers> = BTreeMap::new();
    for_each_result(&config, &(), |result| {
        let answers = answers
            .entry(result.record.accession.to_string())
            .or_default();
        let identity = result.record.quality.as_ref().map_or(0.0, |q| q.identity);
        for call in &result.mutations {
            if call.call.kind == MutationKind::Frameshift {
                answers
                    .frameshifts
                    .push((call.gene.to_string(), call.call.reference_start));
            }
            let Some((gene, change)) = call.pointfinder.as_deref().and_then(|p| p.split_once(' '))
            else {
                continue;
            };
            let made = (gene.to_owned(), change.to_owned());
            if let Some(annotation) = &call.annotation {
                // Every `phenotype=` of the rows behind the call (` | ` between rows).
                let drugs = annotation
                    .split(" | ")
                    .flat_map(|row| row.split(';'))
                    .filter_map(|field| field.strip_prefix("phenotype="))
                    .flat_map(drug_set)
                    .collect();
                answers.our_call_drugs.insert(made.clone(), drugs);
            }
            match identity >= 95.0 {
                true => answers.ours.insert(made),
                false => answers.ours_diverged.insert(made),
            };
        }
        Ok(())
    })
    .unwrap();
    run(&config, &()).unwrap();
    let text = std::fs::read_to_string(out.join("phenotypes.tsv")).unwrap();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let answers = answers.entry(fields[0].to_owned()).or_default();
        let drug = fields[1].to_lowercase();
        answers.our_drugs.insert(drug.clone());
        if fields[3] == "resistant" {
            answers.our_resistant.insert(drug, fields[4].to_owned());
        }
    }
    answers
}

/// A comma list of antimicrobials as a lower-case set (`Unknown` and empty names left out).
fn drug_set(list: &str) -> BTreeSet<String> {
    list.split(',')
        .map(|drug| drug.trim().to_lowercase())
        .filter(|drug| !drug.is_empty() && drug != "unknown")
        .collect()
}

/// The codon of a PointFinder protein change (`p.S83L` -> 83).
fn codon(change: &str) -> Option<usize> {
    let digits: String = change
        .trim_start_matches("p.")
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Why PointFinder's call is not ours, or `None` when it is.
fn classify_call(answers: &Answers, gene: &str, change: &str) -> Option<Class> {
    let call = (gene.to_owned(), change.to_owned());
    if answers.ours.contains(&call) {
        return None;
    }
    if answers.ours_diverged.contains(&call) {
        return Some(Class::ParalogMixedIn);
    }
    let family = gene.split('-').next().unwrap_or(gene);
    if gene.contains('-')
        && answers.ours.iter().any(|(other, made)| {
            other != gene && other.split('-').next() == Some(family) && made == change
        })
    {
        return Some(Class::OtherCopysReference);
    }
    let shifted = codon(change).is_some_and(|at| {
        answers
            .frameshifts
            .iter()
            .any(|(g, shift)| g == gene && *shift <= at)
    });
    if shifted {
        return Some(Class::AfterFrameshift);
    }
    Some(Class::Unexplained)
}

#[test]
fn pointfinder_calls_and_phenotypes_are_ours_but_for_its_named_errors() {
    let dir = std::env::temp_dir().join(format!("wta-agreement-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let inputs = inputs(&dir);
    // WTA_POINTFINDER_RECORDED=1 uses the recorded answers even where PointFinder runs.
    let live = std::env::var_os("WTA_POINTFINDER_RECORDED").is_none() && pointfinder_installed();
    let mut answers = ours(&dir, &inputs);
    let recorded = recorded_dir();
    let record = std::env::var_os("WTA_RECORD_POINTFINDER").is_some();
    for (name, path) in &inputs {
        let results_file = recorded.join(format!("{name}.results.txt"));
        let table_file = recorded.join(format!("{name}.pheno_table.txt"));
        let (results, table) = if live {
            let (results, table) = run_pointfinder(path, &dir);
            let table = table_without_sample_line(&table);
            if record {
                std::fs::create_dir_all(&recorded).unwrap();
                std::fs::write(&results_file, &results).unwrap();
                std::fs::write(&table_file, &table).unwrap();
            }
            let recorded_results = std::fs::read_to_string(&results_file).unwrap();
            let recorded_table = std::fs::read_to_string(&table_file).unwrap();
            assert_eq!(
                results, recorded_results,
                "{name}: PointFinder's results changed"
            );
            assert_eq!(table, recorded_table, "{name}: PointFinder's table changed");
            (results, table)
        } else {
            eprintln!("PointFinder not run: its recorded answers for {name}");
            (
                std::fs::read_to_string(&results_file).unwrap(),
                std::fs::read_to_string(&table_file).unwrap(),
            )
        };
        let (calls, resistant) = parse_pointfinder(&results, &table);
        let entry = answers.entry(name.clone()).or_default();
        for (gene, change, drugs) in calls {
            entry
                .pf_call_drugs
                .insert((gene.clone(), change.clone()), drug_set(&drugs));
            entry.pf_calls.push((gene, change));
        }
        entry.pf_resistant = resistant;
    }

    let mut calls_by_class: BTreeMap<Class, Vec<String>> = BTreeMap::new();
    let mut phenotypes_by_class: BTreeMap<Class, Vec<String>> = BTreeMap::new();
    let (mut shared_calls, mut pf_calls, mut shared_call_phenotypes) = (0, 0, 0);
    let (mut shared_phenotypes, mut compared_phenotypes) = (0, 0);
    for (name, _) in &inputs {
        let answers = &answers[name];
        for (gene, change) in &answers.pf_calls {
            pf_calls += 1;
            match classify_call(answers, gene, change) {
                None => {
                    shared_calls += 1;
                    // The same call: the same antimicrobials behind it.
                    let call = (gene.clone(), change.clone());
                    let theirs = &answers.pf_call_drugs[&call];
                    let ours = answers.our_call_drugs.get(&call);
                    assert_eq!(
                        Some(theirs),
                        ours,
                        "{name} {gene} {change}: PointFinder's antimicrobials, then ours"
                    );
                    shared_call_phenotypes += 1;
                }
                Some(class) => calls_by_class
                    .entry(class)
                    .or_default()
                    .push(format!("{name} {gene} {change}")),
            }
        }
        for drug in &answers.our_drugs {
            compared_phenotypes += 1;
            let theirs = answers.pf_resistant.contains(drug);
            let ours = answers.our_resistant.get(drug);
            if theirs == ours.is_some() {
                shared_phenotypes += 1;
                continue;
            }
            let class = match ours {
                Some(mutations) if mutations.contains("promoter") => Class::PromoterLeftOutOfTable,
                Some(_) => Class::Unexplained,
                // PointFinder resistant, ours not: one of its wrong calls is behind it.
                None => answers
                    .pf_calls
                    .iter()
                    .filter_map(|(gene, change)| classify_call(answers, gene, change))
                    .min()
                    .unwrap_or(Class::Unexplained),
            };
            phenotypes_by_class.entry(class).or_default().push(format!(
                "{name} {drug}: PointFinder {}, ours {}",
                if theirs { "resistant" } else { "no resistance" },
                ours.map_or("no resistance found".to_owned(), |m| format!(
                    "resistant ({m})"
                ))
            ));
        }
    }
    println!(
        "PointFinder's calls: {pf_calls}, ours too: {shared_calls} (the same antimicrobials \
         behind {shared_call_phenotypes}); phenotypes compared: {compared_phenotypes}, equal: \
         {shared_phenotypes}"
    );
    for (what, classes) in [
        ("calls", &calls_by_class),
        ("phenotypes", &phenotypes_by_class),
    ] {
        for (class, items) in classes.iter() {
            println!("{what} differing, {class:?}: {}", items.len());
            for item in items {
                println!("  {item}");
            }
        }
    }
    assert!(
        !calls_by_class.contains_key(&Class::Unexplained),
        "calls: {calls_by_class:#?}"
    );
    assert!(
        !phenotypes_by_class.contains_key(&Class::Unexplained),
        "phenotypes: {phenotypes_by_class:#?}"
    );
    // Not vacuous: PointFinder called things, and most of them are ours. ResFinder's
    // isolates (package resfinder-example, which CI installs) bring more than 25 calls; the
    // bundled and generated genomes alone 22.
    let isolates = inputs
        .iter()
        .filter(|(name, _)| ISOLATE_NAMES.contains(&name.as_str()))
        .count();
    let floor = if isolates == ISOLATE_NAMES.len() {
        25
    } else {
        20
    };
    assert!(
        pf_calls >= floor && shared_calls * 10 >= pf_calls * 8,
        "{shared_calls}/{pf_calls} (at least {floor} expected with {isolates} of ResFinder's isolates)"
    );
    // At least 25 antimicrobials compared per genome (13 genomes with ResFinder's isolates).
    assert!(
        compared_phenotypes >= inputs.len() * 25,
        "{compared_phenotypes} for {} genomes",
        inputs.len()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// PointFinder's table without its `# Sample:` line (which names the file's path).
fn table_without_sample_line(table: &str) -> String {
    table
        .lines()
        .filter(|line| !line.starts_with("# Sample:"))
        .map(|line| format!("{line}\n"))
        .collect()
}
