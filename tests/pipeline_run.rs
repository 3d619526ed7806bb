//! End-to-end runs of the wild-type pipeline on synthetic variants of real references: outputs
//! agree with the real water, do not depend on threads or sharding, and bad inputs give clear
//! errors or status rows without leaving partial outputs.

mod pipeline_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use pipeline_support::{REFERENCES, Rng, target_header, write_fasta};
use wildtype_aligner::Error;
use wildtype_aligner::wildtype::{GeneRule, PipelineConfig, Shard, run};

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wta-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// references.faa (`>gene allele`) and targets_proteins.fasta with `count` variants carrying
/// substitutions, indels, stops and truncations, plus one target of a gene without reference.
fn fixture(dir: &Path, count: usize) -> Vec<(String, Vec<u8>)> {
    let references: Vec<(String, Vec<u8>)> = REFERENCES
        .iter()
        .map(|(gene, allele, protein)| (format!("{gene} {allele}"), protein.as_bytes().to_vec()))
        .collect();
    write_fasta(&dir.join("references.faa"), &references);
    let mut rng = Rng::new(11);
    let mut targets = Vec::new();
    for index in 0..count {
        let (gene, _, protein) = REFERENCES[index % REFERENCES.len()];
        let mut residues = protein.as_bytes().to_vec();
        for _ in 0..rng.below(4) {
            let at = 20 + rng.below(residues.len() - 40);
            residues[at] = rng.residue_except(residues[at]);
        }
        match index % 7 {
            1 => {
                let at = 40 + rng.below(100);
                residues.drain(at..at + 1 + rng.below(3));
            }
            2 => {
                let at = 40 + rng.below(100);
                let inserted = residues[at - 1];
                residues.insert(at, inserted);
            }
            3 => residues.truncate(150 + rng.below(50)),
            4 => {
                residues.truncate(120 + rng.below(50));
                residues.push(b'*');
            }
            5 => {
                residues.drain(..1 + rng.below(10));
            }
            _ => {}
        }
        let accession = format!("WP_{index:05}.1");
        targets.push((target_header(&accession, gene, residues.len()), residues));
    }
    targets.push((
        target_header("WP_99999.1", "blaNDM", 12),
        b"MELPNIMHPVAK".to_vec(),
    ));
    write_fasta(&dir.join("targets_proteins.fasta"), &targets);
    targets
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path.as_ref())
        .unwrap_or_else(|e| panic!("{}: {e}", path.as_ref().display()))
}

/// Files in a directory, hidden ones included.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// water's report without the lines that name the run (date, command line, report file).
fn comparable(report: &str) -> String {
    report
        .lines()
        .filter(|line| {
            !line.starts_with("# Rundate:")
                && !line.starts_with("#    ")
                && !line.starts_with("# Report_file:")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// EMBOSS water on `PATH`, if any.
fn find_water() -> Option<std::path::PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join("water"))
        .find(|candidate| candidate.is_file())
}

#[test]
fn water_files_equal_the_real_water() {
    let Some(water) = find_water() else {
        if std::env::var("WTA_REQUIRE_WATER").as_deref() == Ok("1") {
            panic!("water is required (WTA_REQUIRE_WATER=1) but not on PATH");
        }
        // Straight to the process's stderr: the test harness captures eprintln!, and a skip
        // must be seen.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"SKIPPED water_files_equal_the_real_water: EMBOSS water is not on PATH (set WTA_REQUIRE_WATER=1 to fail instead)\n",
        );
        return;
    };
    let dir = scratch("water");
    let targets = fixture(&dir, 21);
    for (open, extend) in [(10.0, 0.5), (12.0, 1.0)] {
        let out = dir.join(format!("out-{open}"));
        let config = PipelineConfig::new(
            [dir.join("targets_proteins.fasta")],
            dir.join("references.faa"),
            &out,
        )
        .gaps(open, extend)
        .write_alignments(true);
        run(&config, &()).unwrap();
        let mut compared = 0;
        for (header, residues) in targets.iter().take(21) {
            let accession = header.split('|').next().unwrap();
            let gene = header.split('|').nth(1).unwrap();
            let (reference_header, reference) = REFERENCES
                .iter()
                .find(|(g, _, _)| *g == gene)
                .map(|(g, allele, p)| (format!("{g} {allele}"), p.as_bytes().to_vec()))
                .unwrap();
            write_fasta(&dir.join("a.fa"), &[(header.clone(), residues.clone())]);
            write_fasta(&dir.join("b.fa"), &[(reference_header, reference)]);
            let status = Command::new(&water)
                .current_dir(&dir)
                .args(["-asequence", "a.fa", "-bsequence", "b.fa", "-gapopen"])
                .arg(open.to_string())
                .arg("-gapextend")
                .arg(extend.to_string())
                .args(["-outfile", "expected.water", "-auto"])
                .status()
                .unwrap();
            assert!(status.success());
            let ours = read(
                out.join("alignments")
                    .join(format!("{}_{gene}.water", accession)),
            );
            assert_eq!(
                comparable(&ours),
                comparable(&read(dir.join("expected.water"))),
                "{accession} with gaps {open}/{extend}"
            );
            compared += 1;
        }
        assert_eq!(compared, 21);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

const TABLES: [&str; 4] = [
    "alignments.tsv",
    "mutations.tsv",
    "alignments.jsonl",
    "mutations.jsonl",
];

#[test]
fn outputs_do_not_depend_on_threads_or_shards() {
    let dir = scratch("determinism");
    fixture(&dir, 60);
    let config = |out: &str| {
        PipelineConfig::new([&dir], dir.join("references.faa"), dir.join(out))
            .write_alignments(true)
    };
    run(&config("one").threads(1), &()).unwrap();
    run(&config("two").threads(2), &()).unwrap();
    for table in TABLES {
        assert_eq!(
            read(dir.join("one").join(table)),
            read(dir.join("two").join(table)),
            "{table}"
        );
    }
    for name in listing(&dir.join("one/alignments")) {
        let path = |out: &str| dir.join(out).join("alignments").join(&name);
        assert_eq!(
            comparable(&read(path("one"))),
            comparable(&read(path("two")))
        );
    }

    let mut joined = vec![String::new(); TABLES.len()];
    for k in 1..=3 {
        let out = format!("shard{k}");
        run(&config(&out).shard(Shard::new(k, 3).unwrap()), &()).unwrap();
        for (index, table) in TABLES.iter().enumerate() {
            let text = read(dir.join(&out).join(table));
            // Every shard's TSV has the header line; JSON lines have none.
            let body = match (table.ends_with(".tsv"), k) {
                (true, 2..) => text.split_once('\n').unwrap().1.to_owned(),
                _ => text,
            };
            joined[index].push_str(&body);
        }
    }
    for (index, table) in TABLES.iter().enumerate() {
        assert_eq!(joined[index], read(dir.join("one").join(table)), "{table}");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&read(dir.join("shard2/manifest.json"))).unwrap();
    assert_eq!(manifest["parameters"]["shard"]["index"], 2);
    let kernel = wildtype_aligner::align::Aligner::builder()
        .build()
        .unwrap()
        .kernel();
    assert_eq!(manifest["kernel"], kernel.name());
    assert_eq!(
        manifest["counts"]["per_status"]["no_reference"],
        serde_json::Value::Null
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn results_report_tiers_failures_and_catalogue() {
    let dir = scratch("catalogue");
    let reference = REFERENCES[0].2.as_bytes(); // blaTEM
    let mut variant = reference.to_vec();
    variant[103] = b'K'; // S104K
    variant.remove(200); // a deletion of reference 201
    let targets = vec![
        (target_header("A1", "blaTEM", variant.len()), variant),
        (
            target_header("A2", "BLATEM", 160),
            reference[..160].to_vec(),
        ),
        (target_header("A3", "blaNDM", 10), b"MELPNIMHPV".to_vec()),
        ("A4 some other header".to_owned(), reference.to_vec()),
        ("A5 [gene=blaTEM]".to_owned(), reference.to_vec()),
        (target_header("A6", "blaSHV", 1), Vec::new()),
    ];
    write_fasta(&dir.join("t.faa"), &targets);
    write_fasta(
        &dir.join("refs.fasta"),
        &pipeline_support::reference_records(),
    );
    let deleted = format!("{}{}del", reference[200] as char, 201);
    std::fs::write(
        dir.join("known.tsv"),
        format!(
            "gene\tmutation\tdrug_class\n# comment\nblaTEM\tp.Ser104Lys\tpenicillin\nblatem\t{deleted}\tnone\nblaTEM\tR238S\tcephalosporin\nblaKPC\tT179Y\tceftazidime-avibactam\n"
        ),
    )
    .unwrap();
    let out = dir.join("out");
    let config = PipelineConfig::new([dir.join("t.faa")], dir.join("refs.fasta"), &out)
        .catalogue(dir.join("known.tsv"))
        .gene_rule("key:gene".parse::<GeneRule>().unwrap());
    let summary = run(&config, &()).unwrap();
    assert_eq!(
        (summary.targets, summary.aligned, summary.problems),
        (6, 3, 3)
    );

    let rows: Vec<Vec<String>> = read(out.join("alignments.tsv"))
        .lines()
        .skip(1)
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect();
    let column = |name: &str| {
        let header = read(out.join("alignments.tsv"));
        let index = header
            .lines()
            .next()
            .unwrap()
            .split('\t')
            .position(|c| c == name)
            .unwrap();
        rows.iter().map(|r| r[index].clone()).collect::<Vec<_>>()
    };
    assert_eq!(column("accession"), ["A1", "A2", "A3", "A4", "A5", "A6"]);
    assert_eq!(
        column("status"),
        [
            "ok",
            "ok",
            "no_reference",
            "bad_header",
            "ok",
            "empty_sequence"
        ]
    );
    assert_eq!(
        column("tier"),
        ["HIGH", "LOW", "FAILED", "FAILED", "HIGH", "FAILED"]
    );
    assert_eq!(column("reference_coverage")[1], "55.94");
    assert!(column("detail")[3].contains("expected 6 '|'-separated fields"));

    let mutations = read(out.join("mutations.tsv"));
    let calls: Vec<(&str, &str, &str)> = mutations
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0], f[5], f[12])
        })
        .collect();
    assert_eq!(
        calls,
        [
            ("A1", "S104K", "known"),
            ("A1", deleted.as_str(), "known"),
            ("A2", "161_286del", "novel")
        ]
    );
    assert!(mutations.contains("drug_class=penicillin"));
    let unobserved = read(out.join("catalogue_unobserved.tsv"));
    assert_eq!(unobserved.lines().count(), 3, "{unobserved}");
    assert!(unobserved.contains("blaTEM\tR238S\tp.Arg238Ser\t5\t3\tdrug_class=cephalosporin"));
    assert!(unobserved.contains("blaKPC\tT179Y\tp.Thr179Tyr\t6\t0\t"));

    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.join("manifest.json"))).unwrap();
    assert_eq!(manifest["counts"]["per_tier"]["HIGH"], 2);
    assert_eq!(manifest["failures"].as_array().unwrap().len(), 3);
    assert_eq!(
        manifest["failures"][0]["reason"],
        "no reference for gene blaNDM"
    );
    assert_eq!(manifest["inputs"].as_array().unwrap().len(), 3);
    assert_eq!(manifest["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    let jsonl = read(out.join("mutations.jsonl"));
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first["hgvs"], "p.Ser104Lys");
    assert_eq!(first["kind"], "substitution");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs a config expected to fail; checks nothing new was written and returns the message.
fn fails(config: &PipelineConfig) -> (Error, String) {
    let out = config.output_dir().to_owned();
    let before = listing(&out);
    let error = run(config, &()).unwrap_err();
    assert_eq!(listing(&out), before, "outputs changed after: {error}");
    let message = error.to_string();
    (error, message)
}

#[test]
fn bad_inputs_give_clear_errors_and_no_partial_outputs() {
    let dir = scratch("bad");
    fixture(&dir, 5);
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("alignments.tsv"), "from an earlier run\n").unwrap();
    let targets = dir.join("targets_proteins.fasta");
    let references = dir.join("references.faa");
    let config = |t: &Path, r: &Path| PipelineConfig::new([t], r, &out);

    let (error, message) = fails(&config(&targets, &dir.join("missing.faa")));
    assert!(
        matches!(error, Error::Io { .. }) && message.contains("missing.faa"),
        "{message}"
    );

    std::fs::write(dir.join("empty_proteins.fasta"), "").unwrap();
    let (_, message) = fails(&config(&dir.join("empty_proteins.fasta"), &references));
    assert!(
        message.contains("empty_proteins.fasta: line 1: no FASTA records"),
        "{message}"
    );

    std::fs::write(dir.join("junk.faa"), "MKV\n>x|g|1-3|+|c|s\nMKV\n").unwrap();
    let (_, message) = fails(&config(&dir.join("junk.faa"), &references));
    assert!(message.contains("junk.faa: line 1: not FASTA"), "{message}");

    let (error, message) = fails(&config(&dir.join("no-such-dir/"), &references));
    assert!(
        matches!(error, Error::Io { .. }) && message.contains("no-such-dir"),
        "{message}"
    );
    let empty_dir = dir.join("empty-dir");
    std::fs::create_dir_all(&empty_dir).unwrap();
    let (_, message) = fails(&config(&empty_dir, &references));
    assert!(message.contains("no protein files"), "{message}");

    std::fs::write(dir.join("dup.faa"), ">blaTEM\nMKV\n>BLATEM\nMKV\n").unwrap();
    let (_, message) = fails(&config(&targets, &dir.join("dup.faa")));
    assert!(
        message.contains("dup.faa: line 3: reference gene BLATEM repeats blaTEM"),
        "{message}"
    );

    for (text, expected) in [
        (
            "gene\tmutation\nblaTEM\tS2A\nblaTEM\n",
            "bad.tsv: line 3: expected at least two",
        ),
        (
            "blaTEM\tS2A\nblaTEM\tS2\n",
            "bad.tsv: line 2: cannot read mutation 'S2'",
        ),
        (
            "blaTEM\tK3del\n",
            "bad.tsv: line 1: blaTEM K3del: the reference has I at position 3, not K",
        ),
        (
            "blaTEM\tW900R\n",
            "bad.tsv: line 1: blaTEM W900R: position 900 is beyond the reference",
        ),
    ] {
        std::fs::write(dir.join("bad.tsv"), text).unwrap();
        let (_, message) = fails(&config(&targets, &references).catalogue(dir.join("bad.tsv")));
        assert!(message.contains(expected), "{message}");
    }

    let (_, message) = fails(&config(&targets, &references).target_genes(" , "));
    assert!(message.contains("names no gene"), "{message}");
    assert_eq!(read(out.join("alignments.tsv")), "from an earlier run\n");
    assert_eq!(listing(&out), ["alignments.tsv"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn gene_list_filters_case_insensitively() {
    let dir = scratch("filter");
    fixture(&dir, 10);
    std::fs::write(dir.join("genes.txt"), "# wanted\nBLATEM\nblaNDM\n").unwrap();
    let out = dir.join("out");
    let config = PipelineConfig::new([&dir], dir.join("references.faa"), &out)
        .target_genes(dir.join("genes.txt").to_string_lossy());
    let summary = run(&config, &()).unwrap();
    // Two blaTEM variants, and blaNDM reported as lacking a reference rather than dropped.
    assert_eq!((summary.targets, summary.aligned), (3, 2));
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.join("manifest.json"))).unwrap();
    assert_eq!(manifest["counts"]["filtered_out_by_gene_list"], 8);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The targets a gene list keeps keep their residues: their rows are those of a run
/// without the list.
#[test]
fn gene_list_keeps_the_rows_of_the_targets_it_keeps() {
    let dir = scratch("filter-rows");
    fixture(&dir, 40);
    let rows = |out: &Path, table: &str| -> Vec<String> {
        read(out.join(table))
            .lines()
            .skip(1)
            .filter(|line| line.split('\t').nth(1) == Some("blaTEM"))
            .map(str::to_owned)
            .collect()
    };
    let all = dir.join("all");
    run(
        &PipelineConfig::new([&dir], dir.join("references.faa"), &all),
        &(),
    )
    .unwrap();
    let kept = dir.join("kept");
    let config =
        PipelineConfig::new([&dir], dir.join("references.faa"), &kept).target_genes("blaTEM");
    run(&config, &()).unwrap();
    for table in ["alignments.tsv", "mutations.tsv"] {
        let expected = rows(&all, table);
        assert!(!expected.is_empty(), "{table}");
        assert_eq!(rows(&kept, table), expected, "{table}");
        assert_eq!(read(kept.join(table)).lines().count(), expected.len() + 1);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn gzip_targets_and_a_directory_of_references_give_the_same_rows() {
    use std::io::Write;

    let dir = scratch("gzip");
    fixture(&dir, 12);
    let plain = read(dir.join("targets_proteins.fasta"));
    let proteins = dir.join("proteins");
    std::fs::create_dir_all(&proteins).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(proteins.join("sample.faa.gz")).unwrap(),
        flate2::Compression::default(),
    );
    encoder.write_all(plain.as_bytes()).unwrap();
    encoder.finish().unwrap();
    let per_gene = dir.join("per-gene");
    std::fs::create_dir_all(&per_gene).unwrap();
    for (gene, allele, protein) in REFERENCES {
        write_fasta(
            &per_gene.join(format!("{gene}.fasta")),
            &[(format!("{gene} {allele}"), protein.as_bytes().to_vec())],
        );
    }
    let plain_run = PipelineConfig::new(
        [dir.join("targets_proteins.fasta")],
        dir.join("references.faa"),
        dir.join("a"),
    );
    let gzip_run = PipelineConfig::new([&proteins], &per_gene, dir.join("b"));
    run(&plain_run, &()).unwrap();
    run(&gzip_run, &()).unwrap();
    // Only the file column differs.
    let without_file = |text: String| -> Vec<String> {
        text.lines()
            .map(|line| {
                let mut fields: Vec<&str> = line.split('\t').collect();
                fields.remove(3);
                fields.join("\t")
            })
            .collect()
    };
    assert_eq!(
        without_file(read(dir.join("a/alignments.tsv"))),
        without_file(read(dir.join("b/alignments.tsv")))
    );
    assert_eq!(
        read(dir.join("a/mutations.tsv")),
        read(dir.join("b/mutations.tsv"))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_rerun_keeps_the_users_files_in_the_alignments_directory() {
    let dir = scratch("keep-user-files");
    fixture(&dir, 3);
    let out = dir.join("out");
    let user_files = out.join("alignments");
    std::fs::create_dir_all(&user_files).unwrap();
    std::fs::write(user_files.join("notes.txt"), "mine\n").unwrap();
    let config = PipelineConfig::new(
        [dir.join("targets_proteins.fasta")],
        dir.join("references.faa"),
        &out,
    )
    .write_alignments(true);
    run(&config, &()).unwrap();
    assert_eq!(read(user_files.join("notes.txt")), "mine\n");
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.join("manifest.json"))).unwrap();
    // Every file the run wrote, reports one by one (the run owns exactly these).
    assert_eq!(
        manifest["outputs"],
        serde_json::json!([
            "alignments.tsv",
            "mutations.tsv",
            "alignments.jsonl",
            "mutations.jsonl",
            "alignments/WP_00000.1_blaTEM.water",
            "alignments/WP_00001.1_blaCTX-M.water",
            "alignments/WP_00002.1_blaSHV.water",
            "report.html",
            "manifest.json"
        ])
    );
    assert!(
        user_files.join("WP_00000.1_blaTEM.water").exists(),
        "{:?}",
        listing(&user_files)
    );
    assert!(
        !listing(&out).iter().any(|name| name.contains("partial")),
        "{:?}",
        listing(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn results_in_memory_equal_the_written_tables() {
    use wildtype_aligner::wildtype::for_each_result;

    let dir = scratch("in-memory");
    fixture(&dir, 40);
    let out = dir.join("out");
    let config = PipelineConfig::new(
        [dir.join("targets_proteins.fasta")],
        dir.join("references.faa"),
        &out,
    )
    .threads(2);
    let mut results = Vec::new();
    for_each_result(&config, &(), |result| {
        results.push(result);
        Ok(())
    })
    .unwrap();
    assert!(!out.exists(), "the in-memory path writes nothing");
    run(&config, &()).unwrap();

    let rows: Vec<serde_json::Value> = read(out.join("alignments.jsonl"))
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(rows.len(), results.len());
    let calls: Vec<serde_json::Value> = read(out.join("mutations.jsonl"))
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let mut calls = calls.iter();
    for (row, result) in rows.iter().zip(&results) {
        let record = &result.record;
        assert_eq!(row["accession"], *record.accession);
        assert_eq!(row["gene"].as_str(), record.gene.as_deref());
        assert_eq!(row["reference"].as_str(), record.reference.as_deref());
        assert_eq!(row["line"], record.line);
        assert_eq!(row["status"], record.status.as_str());
        assert_eq!(row["detail"], record.detail);
        assert_eq!(row["tier"], record.tier.as_str());
        assert_eq!(row["cigar"].as_str(), record.cigar.as_deref());
        assert_eq!(
            row["target_start"].as_u64(),
            record.target_start.map(|v| v as u64)
        );
        assert_eq!(
            row["reference_end"].as_u64(),
            record.reference_end.map(|v| v as u64)
        );
        assert_eq!(row["identity"].as_f64(), record.quality.map(|q| q.identity));
        assert_eq!(row["score"].as_f64(), record.quality.map(|q| q.score));
        assert_eq!(row["mutations"], result.mutations.len());
        for mutation in &result.mutations {
            let call = calls.next().expect("a written row for every call");
            assert_eq!(call["accession"], *mutation.accession);
            assert_eq!(call["mutation"], *mutation.call.mutation);
            assert_eq!(call["hgvs"], *mutation.call.hgvs);
            assert_eq!(call["kind"], mutation.call.kind.as_str());
            assert_eq!(call["reference_start"], mutation.call.reference_start);
            assert_eq!(call["target_position"], mutation.call.target_position);
            assert_eq!(call["tier"], mutation.tier.as_str());
        }
    }
    assert!(calls.next().is_none());
    assert!(results.iter().any(|r| !r.mutations.is_empty()));
    assert!(
        results
            .iter()
            .any(|r| r.record.status.as_str() == "no_reference")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Cancels once `after` targets are done (0: before any).
struct CancelAfter {
    after: usize,
    done: std::sync::atomic::AtomicUsize,
    asked: std::sync::atomic::AtomicUsize,
}

impl wildtype_aligner::wildtype::Progress for CancelAfter {
    fn advance(&self, _done: usize) {
        self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    fn cancelled(&self) -> bool {
        self.asked
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.done.load(std::sync::atomic::Ordering::Relaxed) >= self.after
    }
}

#[test]
fn a_cancelled_run_leaves_the_earlier_outputs_as_they_were() {
    let dir = scratch("cancelled");
    fixture(&dir, 40);
    let out = dir.join("out");
    let config = PipelineConfig::new(
        [dir.join("targets_proteins.fasta")],
        dir.join("references.faa"),
        &out,
    )
    .write_alignments(true);
    run(&config, &()).unwrap();
    let before: Vec<(String, Vec<u8>)> = listing(&out)
        .into_iter()
        .filter(|name| !out.join(name).is_dir())
        .map(|name| (name.clone(), std::fs::read(out.join(&name)).unwrap()))
        .collect();
    let alignments_before = listing(&out.join("alignments"));
    // Before any target (the first chunk), and after all of them (before the outputs are put
    // in place): both stop the run and leave the directory as the first run left it.
    for after in [0, 41] {
        let progress = CancelAfter {
            after,
            done: Default::default(),
            asked: Default::default(),
        };
        let other = PipelineConfig::new(
            [dir.join("targets_proteins.fasta")],
            dir.join("references.faa"),
            &out,
        )
        .gaps(12.0, 1.0);
        match run(&other, &progress) {
            Err(Error::Cancelled) => {}
            other => panic!("after {after}: expected Cancelled, got {other:?}"),
        }
        assert!(progress.asked.load(std::sync::atomic::Ordering::Relaxed) > 0);
        let done = progress.done.load(std::sync::atomic::Ordering::Relaxed);
        if after == 0 {
            assert_eq!(
                done, 0,
                "no target is aligned after a cancel before the first"
            );
        } else {
            assert_eq!(done, 41, "every target was aligned before the last check");
        }
        let now: Vec<(String, Vec<u8>)> = listing(&out)
            .into_iter()
            .filter(|name| !out.join(name).is_dir())
            .map(|name| (name.clone(), std::fs::read(out.join(&name)).unwrap()))
            .collect();
        assert!(now == before, "after {after}: the outputs changed");
        assert_eq!(listing(&out.join("alignments")), alignments_before);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_page_made_from_results_equals_the_page_made_from_the_tables() {
    let dir = scratch("report-paths");
    let reference = REFERENCES[0].2.as_bytes(); // blaTEM
    let mut targets: Vec<(String, Vec<u8>)> = Vec::new();
    // More than 64 distinct calls starting at one position, long names among them.
    for length in 1..=50 {
        let mut variant = reference.to_vec();
        variant.drain(99..99 + length);
        targets.push((target_header(&format!("D{length}"), "blaTEM", 1), variant));
    }
    for (index, residue) in b"ACDEFGHIKLMNPQRSTVWY".iter().enumerate() {
        let mut variant = reference.to_vec();
        if variant[99] != *residue {
            variant[99] = *residue;
            targets.push((target_header(&format!("S{index}"), "blaTEM", 1), variant));
        }
    }
    for extra in 2..12 {
        let mut variant = reference.to_vec();
        let inserted: Vec<u8> = b"KLMNPQRSTVWY"[..extra].to_vec();
        variant.splice(100..100, inserted);
        targets.push((target_header(&format!("I{extra}"), "blaTEM", 1), variant));
    }
    // One accession twice in a row, then again after a target without calls: adjacent rows
    // of one accession, gene and reference are one target in the table.
    let mut variant = reference.to_vec();
    variant[99] = if variant[99] == b'W' { b'Y' } else { b'W' };
    for accession in ["DUP", "DUP", "PLAIN", "DUP"] {
        let residues = if accession == "PLAIN" {
            reference.to_vec()
        } else {
            variant.clone()
        };
        targets.push((target_header(accession, "blaTEM", 1), residues));
    }
    write_fasta(&dir.join("t.faa"), &targets);
    write_fasta(
        &dir.join("refs.fasta"),
        &pipeline_support::reference_records(),
    );
    let out = dir.join("out");
    let config = PipelineConfig::new([dir.join("t.faa")], dir.join("refs.fasta"), &out);
    run(&config, &()).unwrap();
    let table = read(out.join("mutations.tsv"));
    let header: Vec<&str> = table.lines().next().unwrap().split('\t').collect();
    let column = |name: &str| header.iter().position(|c| *c == name).unwrap();
    let (start, name) = (column("reference_start"), column("mutation"));
    let mut at_100: Vec<&str> = table
        .lines()
        .skip(1)
        .map(|line| line.split('\t').collect::<Vec<_>>())
        .filter(|fields| fields[start] == "100")
        .map(|fields| fields[name])
        .collect();
    at_100.sort();
    at_100.dedup();
    assert!(at_100.len() > 64, "{} distinct calls at 100", at_100.len());
    assert!(at_100.iter().any(|name| name.len() > 15), "{at_100:?}");
    assert_eq!(
        wildtype_aligner::wildtype::render_report(&out).unwrap(),
        std::fs::read(out.join("report.html")).unwrap()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn inputs_under_the_given_directory_are_named_relative_to_it() {
    let dir = scratch("relative-paths");
    fixture(&dir, 3);
    let uploads = dir.join("uploads");
    std::fs::create_dir_all(&uploads).unwrap();
    std::fs::rename(
        dir.join("targets_proteins.fasta"),
        uploads.join("sample.fasta"),
    )
    .unwrap();
    let out = dir.join("out");
    let config = PipelineConfig::new(
        [uploads.join("sample.fasta")],
        dir.join("references.faa"),
        &out,
    )
    .show_paths_relative_to(&uploads);
    run(&config, &()).unwrap();
    let table = read(out.join("alignments.tsv"));
    for line in table.lines().skip(1) {
        assert_eq!(line.split('\t').nth(3), Some("sample.fasta"), "{line}");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.join("manifest.json"))).unwrap();
    let paths: Vec<&str> = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|input| input["path"].as_str().unwrap())
        .collect();
    // The references sit outside the directory: their path stays as given.
    let references = dir.join("references.faa").display().to_string();
    assert!(paths.contains(&"sample.fasta"), "{paths:?}");
    assert!(paths.contains(&references.as_str()), "{paths:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
