//! Genome runs of the pipeline: assemblies in, every reference gene a row per genome (its
//! copies, or `absent`), calls with their codons, the extracted proteins in `targets.faa`.

use std::path::{Path, PathBuf};

use wildtype_aligner::Error;
use wildtype_aligner::wildtype::genome::{Species, reverse_complement};
use wildtype_aligner::wildtype::{
    PipelineConfig, Shard, Status, TargetHeader, TargetResult, for_each_result, run,
    sequence_checksum,
};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wta-genomes-{name}-{}", std::process::id()));
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

/// Genome A: gyrA with S83L (TCG>TTG) and a synonymous change at codon 100 (TAT>TAC), on the reverse
/// strand of contig_2 at 1,001; parC wild type on the forward strand of contig_1 at 501.
/// Genome B: gyrA wild type only. Every other E. coli coding gene is absent from both.
fn write_genomes(dir: &Path) -> (PathBuf, usize) {
    let species = Species::embedded("escherichia_coli").unwrap();
    let mut gyra = cds(&species, "gyrA");
    assert_eq!(&gyra[246..249], b"TCG");
    gyra[247] = b'T';
    let codon_100 = gyra[297..300].to_vec();
    assert_eq!(codon_100, b"TAT", "codon 100 of gyrA");
    gyra[299] = b'C'; // TAT -> TAC, both tyrosine
    let parc = cds(&species, "parC");
    let contig_1 = [filler(1, 500), parc, filler(2, 700)].concat();
    let contig_2 = [filler(3, 1000), reverse_complement(&gyra), filler(4, 300)].concat();
    let genomes = dir.join("genomes");
    std::fs::create_dir_all(&genomes).unwrap();
    let text = format!(
        ">contig_1 first\n{}\n>contig_2\n{}\n",
        String::from_utf8(contig_1).unwrap(),
        String::from_utf8(contig_2).unwrap()
    );
    std::fs::write(genomes.join("sample_A.fasta"), text).unwrap();
    let wild = [filler(5, 200), cds(&species, "gyrA"), filler(6, 200)].concat();
    std::fs::write(
        genomes.join("sample_B.fna"),
        format!(">only\n{}\n", String::from_utf8(wild).unwrap()),
    )
    .unwrap();
    (genomes, gyra.len())
}

/// A call as (kind, mutation, codon change, gene position, contig position).
type Described<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<usize>,
    Option<u64>,
);

fn results(config: &PipelineConfig) -> Vec<TargetResult> {
    let mut results = Vec::new();
    for_each_result(config, &(), |result| {
        results.push(result);
        Ok(())
    })
    .unwrap();
    results
}

#[test]
fn every_gene_gets_a_row_per_genome_and_calls_carry_their_codons() {
    let dir = scratch("rows");
    let (genomes, gyra_length) = write_genomes(&dir);
    let config = PipelineConfig::new(Vec::<PathBuf>::new(), "", dir.join("out"))
        .genomes([&genomes])
        .species("escherichia_coli");
    let results = results(&config);
    // Two genomes times thirteen genes (eight coding, four RNA, the ampC promoter), each
    // with its copies or an absent row.
    assert_eq!(results.len(), 26);
    let row = |accession: &str, gene: &str| {
        results
            .iter()
            .find(|r| &*r.record.accession == accession && r.record.gene.as_deref() == Some(gene))
            .unwrap_or_else(|| panic!("no row for {accession} {gene}"))
    };
    let gyra = &row("sample_A", "gyrA").record;
    assert_eq!(gyra.status, Status::Ok);
    assert_eq!(
        (
            gyra.contig.as_deref(),
            gyra.contig_start,
            gyra.contig_end,
            gyra.strand.as_deref()
        ),
        (
            Some("contig_2"),
            Some(1001),
            Some(1000 + gyra_length as u64),
            Some("-")
        )
    );
    assert_eq!(gyra.detail, "copy 1 of 1");
    assert_eq!(gyra.mutations, 1);
    let calls = &row("sample_A", "gyrA").mutations;
    let described: Vec<Described<'_>> = calls
        .iter()
        .map(|m| {
            (
                m.call.kind.as_str(),
                m.call.mutation.as_str(),
                m.codon_change.as_deref(),
                m.gene_position,
                m.contig_position,
            )
        })
        .collect();
    // Codon 83 read from the reverse strand: its first base is at 1000 + length - 246.
    let end = 1000 + gyra_length as u64;
    assert_eq!(
        described,
        [
            (
                "substitution",
                "S83L",
                Some("TCG>TTG"),
                Some(247),
                Some(end - 246)
            ),
            (
                "synonymous",
                "Y100=",
                Some("TAT>TAC"),
                Some(298),
                Some(end - 297)
            ),
        ]
    );
    let parc = &row("sample_A", "parC").record;
    assert_eq!(
        (parc.contig_start, parc.strand.as_deref()),
        (Some(501), Some("+"))
    );
    assert_eq!(parc.mutations, 0);
    assert_eq!(parc.line, 1, "the contig's header line");
    let absent = &row("sample_A", "rpoB").record;
    assert_eq!(absent.status, Status::Absent);
    assert!(
        absent
            .detail
            .starts_with("no copy of rpoB in the genome's 2 contigs")
    );
    assert_eq!(row("sample_B", "gyrA").record.status, Status::Ok);
    assert_eq!(row("sample_B", "parC").record.status, Status::Absent);
    // Rows keep the genomes' order, then the references' order.
    let order: Vec<String> = results
        .iter()
        .map(|r| {
            format!(
                "{}:{}",
                r.record.accession,
                r.record.gene.as_deref().unwrap()
            )
        })
        .collect();
    assert_eq!(order[0], "sample_A:gyrA");
    assert_eq!(order[13], "sample_B:gyrA");
    // RNA genes and the promoter are searched too: none in these genomes.
    assert_eq!(row("sample_A", "23S").record.status, Status::Absent);
    assert!(
        row("sample_A", "23S")
            .record
            .detail
            .contains("identity >= 80%")
    );
}

#[test]
fn a_genome_run_writes_its_tables_and_the_extracted_proteins() {
    let dir = scratch("files");
    let (genomes, _) = write_genomes(&dir);
    let out = dir.join("out");
    let config = PipelineConfig::new(Vec::<PathBuf>::new(), "", &out)
        .genomes([genomes.join("sample_A.fasta"), genomes.join("sample_B.fna")])
        .species("escherichia_coli");
    let summary = run(&config, &()).unwrap();
    assert_eq!((summary.targets, summary.aligned), (26, 3));
    // The page the run rendered from its results equals the one rendered from its tables.
    assert_eq!(
        wildtype_aligner::wildtype::render_report(&out).unwrap(),
        std::fs::read(out.join("report.html")).unwrap()
    );
    assert_eq!((summary.absent, summary.problems), (23, 0));
    assert_eq!(
        summary.mutations, 1,
        "the synonymous note is not a mutation"
    );
    let faa = std::fs::read_to_string(out.join("targets.faa")).unwrap();
    let records: Vec<&str> = faa.split('>').skip(1).collect();
    assert_eq!(records.len(), 3);
    for record in &records {
        let (header, residues) = record.split_once('\n').unwrap();
        let residues: String = residues.lines().collect();
        let parsed = TargetHeader::parse(header).unwrap();
        assert!(parsed.checksum_matches(residues.as_bytes()), "{header}");
        assert_eq!(
            parsed.checksum,
            sequence_checksum(residues.as_bytes())[..12]
        );
    }
    assert!(records[0].starts_with("sample_A|gyrA|"));
    let mutations = std::fs::read_to_string(out.join("mutations.tsv")).unwrap();
    let header: Vec<&str> = mutations.lines().next().unwrap().split('\t').collect();
    assert_eq!(
        &header[header.len() - 4..],
        [
            "codon_change",
            "gene_position",
            "contig_position",
            "pointfinder"
        ]
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let outputs: Vec<&str> = manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(outputs.contains(&"targets.faa"), "{outputs:?}");
    // The report, with the phenotype matrix of both genomes.
    assert!(outputs.contains(&"report.html"), "{outputs:?}");
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(report.matches("<tr class=\"isolate\"").count(), 2);
    let inputs = manifest["inputs"].as_array().unwrap();
    let roles = |role: &str| inputs.iter().filter(|i| i["role"] == role).count();
    assert_eq!(roles("genomes"), 2);
    // genes.txt, RNA_genes.txt and the 13 gene files of the embedded species.
    assert_eq!(roles("references"), 15);
    // The species' catalogue, read with them.
    assert_eq!(roles("catalogue"), 1);
    // The tables read back as the same rows the library hands out.
    let table = std::fs::read_to_string(out.join("alignments.tsv")).unwrap();
    assert_eq!(table.lines().count(), 27);
    assert!(table.contains("\tabsent\tno copy of rpoB in the genome's 2 contigs"));
}

#[test]
fn shards_split_the_genome_files() {
    let dir = scratch("shards");
    let (genomes, _) = write_genomes(&dir);
    let config = |shard: Option<Shard>| {
        let config = PipelineConfig::new(Vec::<PathBuf>::new(), "", dir.join("out"))
            .genomes([&genomes])
            .species("escherichia_coli");
        match shard {
            Some(shard) => config.shard(shard),
            None => config,
        }
    };
    let whole = results(&config(None));
    let first = results(&config(Some(Shard::new(1, 2).unwrap())));
    let second = results(&config(Some(Shard::new(2, 2).unwrap())));
    assert_eq!((first.len(), second.len()), (13, 13));
    assert!(first.iter().all(|r| &*r.record.accession == "sample_A"));
    assert_eq!([first, second].concat(), whole);
}

#[test]
fn a_species_folder_on_disk_reads_like_the_embedded_species() {
    let dir = scratch("folder");
    let (genomes, _) = write_genomes(&dir);
    let folder = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/pointfinder/escherichia_coli"
    );
    let from_folder = results(
        &PipelineConfig::new(Vec::<PathBuf>::new(), folder, dir.join("out")).genomes([&genomes]),
    );
    let embedded = results(
        &PipelineConfig::new(Vec::<PathBuf>::new(), "", dir.join("out"))
            .genomes([&genomes])
            .species("escherichia_coli"),
    );
    let rows = |results: &[TargetResult]| -> Vec<(String, String, usize)> {
        results
            .iter()
            .map(|r| {
                (
                    r.record.accession.to_string(),
                    r.record.status.as_str().to_owned(),
                    r.mutations.len(),
                )
            })
            .collect()
    };
    assert_eq!(rows(&from_folder), rows(&embedded));
}

#[test]
fn bad_genome_files_are_errors_naming_them() {
    let dir = scratch("bad");
    let protein = dir.join("protein.fasta");
    std::fs::write(
        &protein,
        ">p1\nMSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLGARVGYIELDLNSGK\n",
    )
    .unwrap();
    let empty = dir.join("empty.fasta");
    std::fs::write(&empty, ">c1\n\n>c2\n").unwrap();
    for (path, expected) in [
        (&protein, "not a nucleotide FASTA"),
        (&empty, "genome holds no bases"),
    ] {
        let config = PipelineConfig::new(Vec::<PathBuf>::new(), "", dir.join("out"))
            .genomes([path])
            .species("escherichia_coli");
        let error = run(&config, &()).unwrap_err();
        assert!(matches!(error, Error::Input { .. }), "{error:?}");
        let message = error.to_string();
        assert!(message.contains(expected), "{message}");
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(!dir.join("out/alignments.tsv").exists());
    }
    let config = PipelineConfig::new(Vec::<PathBuf>::new(), "", dir.join("out"))
        .genomes([&protein])
        .species("klebsiella");
    let message = run(&config, &()).unwrap_err().to_string();
    assert!(
        message.contains("escherichia_coli, salmonella, campylobacter"),
        "{message}"
    );
}

#[test]
fn lower_case_and_iupac_codes_are_read() {
    let dir = scratch("case");
    let species = Species::embedded("escherichia_coli").unwrap();
    let mut gyra = cds(&species, "gyrA").to_ascii_lowercase();
    gyra[400] = b'R'; // an IUPAC code inside codon 134: unknown residue, not a call
    let genome = [filler(7, 300), gyra, filler(8, 300)].concat();
    let path = dir.join("soft.fa.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, b">c1\n").unwrap();
    std::io::Write::write_all(&mut encoder, &genome).unwrap();
    std::fs::write(&path, encoder.finish().unwrap()).unwrap();
    let config = PipelineConfig::new(Vec::<PathBuf>::new(), "", dir.join("out"))
        .genomes([&path])
        .species("escherichia_coli")
        .target_genes("gyrA");
    let results = results(&config);
    assert_eq!(results.len(), 1, "only the listed gene is searched");
    let gyra = &results[0];
    assert_eq!(&*gyra.record.accession, "soft");
    assert_eq!(gyra.record.status, Status::Ok);
    assert!(gyra.mutations.is_empty(), "{:?}", gyra.mutations);
    assert_eq!(
        gyra.record.detail,
        "copy 1 of 1; 1 codons unknown (N or ambiguous bases): not called"
    );
}

/// What each row of a run says, without the file and line (which differ between a genome and
/// its proteome): accession, gene, location, status and the amino-acid calls; only the rows
/// of coding genes (a proteome has no RNA genes or promoters).
fn calls_by_row(results: &[TargetResult]) -> Vec<String> {
    let species = Species::embedded("escherichia_coli").unwrap();
    let coding = |gene: Option<&str>| {
        species
            .genes()
            .iter()
            .any(|g| Some(g.gene()) == gene && g.protein().is_some())
    };
    results
        .iter()
        .filter(|r| coding(r.record.gene.as_deref()))
        .map(|r| {
            let record = &r.record;
            let calls: Vec<&str> = r
                .mutations
                .iter()
                .filter(|m| m.call.changes_protein())
                .map(|m| m.call.mutation.as_str())
                .collect();
            format!(
                "{} {} {:?}-{:?} {:?} {} {}",
                record.accession,
                record.gene.as_deref().unwrap_or(""),
                record.contig_start,
                record.contig_end,
                record.strand,
                record.status.as_str(),
                calls.join(",")
            )
        })
        .collect()
}

/// A proteome in Prodigal's header form made from the genome run's own copies, plus proteins
/// of no reference gene: the same rows and calls as the genome (the locations from the
/// headers), the other proteins assigned to nothing.
#[test]
fn a_proteome_gives_the_genomes_copies_and_calls() {
    let dir = scratch("proteome");
    let (genomes, _) = write_genomes(&dir);
    let config = PipelineConfig::new(Vec::<PathBuf>::new(), "", dir.join("out"))
        .genomes([genomes.join("sample_A.fasta")])
        .species("escherichia_coli");
    let from_genome = results(&config);
    run(&config, &()).unwrap();
    let faa = std::fs::read_to_string(dir.join("out/targets.faa")).unwrap();
    let mut proteome = String::from(
        ">contig_1_1 # 3 # 200 # 1 # ID=1_1;partial=00\nMKKLLPTAAAGLLLLAAQPAMAMDIGINSDP\n",
    );
    for (number, record) in faa.split('>').skip(1).enumerate() {
        let (header, residues) = record.split_once('\n').unwrap();
        let location = TargetHeader::parse(header).unwrap();
        let strand = if location.strand == "-" { "-1" } else { "1" };
        proteome.push_str(&format!(
            ">{}_{} # {} # {} # {strand} # ID=x;partial=00\n{residues}",
            location.contig,
            number + 2,
            location.start,
            location.end,
        ));
    }
    proteome.push_str(">contig_2_9 # 5 # 90 # -1 # ID=2_9\nMSTNPKPQRKTKRNTNRRPQDVKFPGG\n");
    let path = dir.join("sample_A.faa");
    std::fs::write(&path, proteome).unwrap();
    let from_proteome = results(
        &PipelineConfig::new(Vec::<PathBuf>::new(), "", dir.join("out2"))
            .proteomes([&path])
            .species("escherichia_coli"),
    );
    assert_eq!(calls_by_row(&from_proteome), calls_by_row(&from_genome));
    assert!(from_proteome.iter().any(|r| !r.mutations.is_empty()));
}

/// Prodigal's own proteome of a genome (Prodigal installed: `apt-get install prodigal`;
/// required when `WTA_REQUIRE_PRODIGAL=1`) gives the genome's copies and calls.
#[test]
fn prodigals_proteome_gives_the_genomes_calls() {
    let installed = std::process::Command::new("prodigal")
        .arg("-v")
        .output()
        .is_ok();
    if !installed {
        assert!(
            std::env::var_os("WTA_REQUIRE_PRODIGAL").is_none(),
            "prodigal is required (WTA_REQUIRE_PRODIGAL is set) but not on PATH"
        );
        eprintln!("SKIPPED: prodigal not on PATH (apt-get install prodigal)");
        return;
    }
    let dir = scratch("prodigal");
    let (genomes, _) = write_genomes(&dir);
    let genome = genomes.join("sample_A.fasta");
    let proteome = dir.join("sample_A.faa");
    let status = std::process::Command::new("prodigal")
        .args(["-q", "-p", "meta", "-o", "/dev/null", "-i"])
        .arg(&genome)
        .arg("-a")
        .arg(&proteome)
        .status()
        .unwrap();
    assert!(status.success());
    let config = |input: PipelineConfig| input.species("escherichia_coli");
    let none = Vec::<PathBuf>::new();
    let from_genome = results(&config(
        PipelineConfig::new(&none, "", dir.join("out")).genomes([&genome]),
    ));
    let from_proteome = results(&config(
        PipelineConfig::new(&none, "", dir.join("out")).proteomes([&proteome]),
    ));
    // Prodigal may choose another start codon upstream in the filler DNA (parC: 480, not
    // the reference's 501): the start aside, rows and calls agree.
    let without_start = |rows: Vec<String>| -> Vec<String> {
        rows.into_iter()
            .map(|row| {
                let mut words: Vec<&str> = row.split(' ').collect();
                words[2] = words[2].split_once('-').map_or(words[2], |(_, end)| end);
                words.join(" ")
            })
            .collect()
    };
    assert_eq!(
        without_start(calls_by_row(&from_proteome)),
        without_start(calls_by_row(&from_genome))
    );
}

/// A gene cut by a contig end is partial, not truncated: no truncation call at the cut end,
/// status ok whatever its tier, and the detail says where the contig ends.
#[test]
fn a_contig_end_is_not_a_deletion() {
    let dir = scratch("cut");
    let species = Species::embedded("escherichia_coli").unwrap();
    let gyra = cds(&species, "gyrA");
    // The last 900 bases of gyrA open the contig: about a third of the gene, cut at its start.
    let contig = [&gyra[gyra.len() - 900..], &filler(9, 400)[..]].concat();
    let path = dir.join("cut.fasta");
    std::fs::write(
        &path,
        format!(">c1\n{}\n", String::from_utf8(contig).unwrap()),
    )
    .unwrap();
    let results = results(
        &PipelineConfig::new(Vec::<PathBuf>::new(), "", dir.join("out"))
            .genomes([&path])
            .species("escherichia_coli")
            .target_genes("gyrA"),
    );
    let record = &results[0].record;
    assert_eq!(record.status, Status::Ok, "{}", record.detail);
    assert!(
        record
            .detail
            .starts_with("copy 1 of 1; partial: the contig ends before the gene's start"),
        "{}",
        record.detail
    );
    assert!(
        results[0].mutations.is_empty(),
        "{:?}",
        results[0].mutations
    );
}

/// References given as coding sequences are translated (table 11) and keep their codons: a
/// genome run against them calls what it calls against the species, codons included; a
/// nucleotide record that is not a coding sequence is an error naming file, line and rule.
#[test]
fn coding_sequences_as_references() {
    let dir = scratch("cds-references");
    let (genomes, _) = write_genomes(&dir);
    let species = Species::embedded("escherichia_coli").unwrap();
    let references = dir.join("cds.fna");
    let text = format!(
        ">gyrA E. coli gyrA coding sequence\n{}\n>parC\n{}\n",
        String::from_utf8(cds(&species, "gyrA")).unwrap(),
        String::from_utf8(cds(&species, "parC"))
            .unwrap()
            .to_ascii_lowercase()
    );
    std::fs::write(&references, text).unwrap();
    let genome = genomes.join("sample_A.fasta");
    let from_cds = results(
        &PipelineConfig::new(Vec::<PathBuf>::new(), &references, dir.join("out"))
            .genomes([&genome]),
    );
    assert_eq!(from_cds.len(), 2);
    let calls: Vec<(&str, Option<&str>)> = from_cds[0]
        .mutations
        .iter()
        .map(|m| (m.call.mutation.as_str(), m.codon_change.as_deref()))
        .collect();
    assert_eq!(
        calls,
        [("S83L", Some("TCG>TTG")), ("Y100=", Some("TAT>TAC"))]
    );
    assert_eq!(from_cds[1].record.status, Status::Ok);

    let broken = dir.join("broken.fna");
    let mut gyra = cds(&species, "gyrA");
    gyra.truncate(gyra.len() - 3); // no stop codon
    std::fs::write(
        &broken,
        format!(">gyrA\n{}\n", String::from_utf8(gyra).unwrap()),
    )
    .unwrap();
    let config =
        PipelineConfig::new(Vec::<PathBuf>::new(), &broken, dir.join("out")).genomes([&genome]);
    let message = run(&config, &()).unwrap_err().to_string();
    assert!(message.contains("broken.fna"), "{message}");
    assert!(message.contains("line 1"), "{message}");
    assert!(
        message.contains("reads as nucleotides") && message.contains("is not a stop codon"),
        "{message}"
    );
}

/// A genome held in memory gives, through `GenomeCaller`, exactly the results a genome run
/// over its file gives (the records' file and line aside: an in-memory genome has neither).
#[test]
fn genome_in_memory_is_called_as_its_file_is() {
    use wildtype_aligner::fasta::read_all;
    use wildtype_aligner::wildtype::GenomeCaller;
    use wildtype_aligner::wildtype::genome::Contig;

    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/genomes");
    let dir = scratch("in-memory");
    for name in ["ecoli_example_0000.fasta.gz", "ecoli_example_0001.fasta.gz"] {
        let path = data.join(name);
        let config = PipelineConfig::new(Vec::<&Path>::new(), "", dir.join("out"))
            .genomes([&path])
            .species("escherichia_coli");
        let mut from_file = Vec::new();
        for_each_result(&config, &(), |result| {
            from_file.push(result);
            Ok(())
        })
        .unwrap();

        let records = read_all(&path).unwrap();
        let contigs: Vec<Contig<'_>> = records
            .iter()
            .map(|record| Contig::new(record.id(), record.seq()))
            .collect();
        let caller =
            GenomeCaller::for_species(&Species::embedded("escherichia_coli").unwrap()).unwrap();
        let accession = name.trim_end_matches(".fasta.gz");
        let mut in_memory = caller.call(accession, &contigs).unwrap();
        assert_eq!(in_memory.len(), from_file.len(), "{name}");
        assert!(
            in_memory.iter().any(|r| !r.mutations.is_empty()),
            "{name}: some copy carries calls"
        );
        for (memory, file) in in_memory.iter_mut().zip(&from_file) {
            assert_eq!(&*memory.record.file, accession);
            assert_eq!(memory.record.line, 0);
            memory.record.file = file.record.file.clone();
            memory.record.line = file.record.line;
            assert_eq!(memory, file, "{name}");
        }
    }

    // Protein given as a genome is refused, naming the genome.
    let caller =
        GenomeCaller::for_species(&Species::embedded("escherichia_coli").unwrap()).unwrap();
    let protein = b"MSDLAREITPVNIEEELKSSYLDYAMSVIVGRALPDVRDGLKPVHRRVLYAMNVLGNDWNKAYKKSARVVGDVIGKY";
    let error = caller
        .call("isolate_9", &[Contig::new("c1", protein)])
        .unwrap_err();
    assert!(error.to_string().contains("isolate_9"), "{error}");
    assert!(error.to_string().contains("not a nucleotide"), "{error}");
    let error = caller.call("isolate_9", &[]).unwrap_err();
    assert!(error.to_string().contains("no bases"), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Cancels at once, and notes whether the alignments started and how often it was asked.
#[derive(Default)]
struct CancelAtOnce {
    started: std::sync::atomic::AtomicBool,
    asked: std::sync::atomic::AtomicUsize,
}

impl wildtype_aligner::wildtype::Progress for CancelAtOnce {
    fn start(&self, _total: usize) {
        self.started
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
    fn cancelled(&self) -> bool {
        self.asked
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        true
    }
}

#[test]
fn a_cancelled_genome_run_stops_before_searching_the_genomes() {
    let dir = scratch("cancel");
    let (genomes, _) = write_genomes(&dir);
    let out = dir.join("out");
    let config = PipelineConfig::new(Vec::<PathBuf>::new(), "", &out)
        .genomes([genomes.join("sample_A.fasta"), genomes.join("sample_B.fna")])
        .species("escherichia_coli");
    let progress = CancelAtOnce::default();
    match run(&config, &progress) {
        Err(Error::Cancelled) => {}
        other => panic!("expected Cancelled, got {other:?}"),
    }
    // Asked once per genome before its search, and the run never reached the alignments.
    assert!(progress.asked.load(std::sync::atomic::Ordering::Relaxed) >= 2);
    assert!(!progress.started.load(std::sync::atomic::Ordering::Relaxed));
    assert!(
        !out.exists() || std::fs::read_dir(&out).unwrap().next().is_none(),
        "nothing written"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
