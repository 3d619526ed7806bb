//! Exit codes of bad inputs and settings: a file that cannot be read is 1, a bad setting 2,
//! bad input data 3, whatever layer finds the fault.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Parser;
use wildtype_aligner::wildtype::{PipelineConfig, run};

use super::{Args, exit_code};

const REFERENCE: &str = ">blaTEM\nMSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLGARVGYIELDLNSGKILESFRP\n";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wta-exit-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("refs.fasta"), REFERENCE).unwrap();
    std::fs::write(
        dir.join("t.faa"),
        ">P1|blaTEM|1-180|+|c1|x\nMSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLGARVGYIELDLNSGKILESFRP\n",
    )
    .unwrap();
    dir
}

/// The command line of a minimal run plus one option.
fn parse_with(option: &str, value: &str) -> Result<Args, clap::Error> {
    Args::try_parse_from([
        "wildtype_align",
        "--proteins",
        "t.faa",
        "--references",
        "r.fa",
        "--output-dir",
        "out",
        option,
        value,
    ])
}

/// The exit code of a run that must fail, with its message.
fn code_of(config: &PipelineConfig) -> (u8, String) {
    let error = run(config, &()).expect_err("the run must fail");
    (exit_code(&error), error.to_string())
}

fn config(dir: &Path) -> PipelineConfig {
    PipelineConfig::new([dir.join("t.faa")], dir.join("refs.fasta"), dir.join("out"))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// Damaged gzip, a reference with a byte-order mark and a catalogue that is not UTF-8 are bad
/// input data (3), not read/write failures (1).
#[test]
fn format_errors_in_gzip_reference_and_catalogue_files_exit_3() {
    let dir = scratch("format");
    let mut damaged = gzip(REFERENCE.as_bytes());
    damaged.truncate(damaged.len() - 10);
    std::fs::write(dir.join("t.faa"), &damaged).unwrap();
    let (code, message) = code_of(&config(&dir));
    assert_eq!(code, 3, "{message}");
    assert!(message.contains("t.faa: line"), "{message}");
    let _ = std::fs::remove_dir_all(&dir);

    let dir = scratch("bom");
    std::fs::write(dir.join("refs.fasta"), format!("\u{feff}{REFERENCE}")).unwrap();
    let (code, message) = code_of(&config(&dir));
    assert_eq!(code, 3, "{message}");
    assert!(message.contains("byte-order mark"), "{message}");
    let _ = std::fs::remove_dir_all(&dir);

    let dir = scratch("catalogue");
    std::fs::write(dir.join("c.tsv"), b"gene\tmutation\nbla\xffTEM\tS2A\n").unwrap();
    let (code, message) = code_of(&config(&dir).catalogue(dir.join("c.tsv")));
    assert_eq!(code, 3, "{message}");
    assert!(message.contains("c.tsv: line 2: not UTF-8"), "{message}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A misspelt gene, a gap penalty that is not a number and a tier rule of NaN are bad
/// settings (2).
#[test]
fn bad_settings_exit_2() {
    let dir = scratch("settings");
    let (code, message) = code_of(&config(&dir).target_genes("blaTME"));
    assert_eq!(code, 2, "{message}");
    assert!(
        message.contains("closest genes with a reference: blaTEM"),
        "{message}"
    );
    for (open, extend) in [(f32::NAN, 0.5), (f32::INFINITY, 0.5), (10.0, f32::NAN)] {
        let (code, message) = code_of(&config(&dir).gaps(open, extend));
        assert_eq!(code, 2, "{message}");
    }
    let error = parse_with("--high", "NaN/NaN/NaN").expect_err("NaN tiers must be refused");
    assert_eq!(error.exit_code(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--threads 0` is refused: it would have meant "one per core" without a word.
#[test]
fn zero_threads_is_a_usage_error() {
    let parse = |threads: &str| parse_with("--threads", threads);
    let error = parse("0").expect_err("--threads 0 must be refused");
    assert_eq!(error.exit_code(), 2);
    assert!(error.to_string().contains("at least 1"), "{error}");
    assert_eq!(parse("3").unwrap().threads, Some(3));
}

/// Genome options: `--genomes` with protein inputs is a usage error; `--species` stands in
/// for `--references` (and not beside it); a protein file given as a genome is bad input (3).
#[test]
fn genome_options() {
    let parse = |args: &[&str]| Args::try_parse_from([&["wildtype_align"], args].concat());
    let genome_run = [
        "--genomes",
        "g/",
        "--species",
        "escherichia_coli",
        "--output-dir",
        "o",
    ];
    assert!(parse(&genome_run).is_ok());
    let both = [&genome_run[..], &["--proteins", "t.faa"]].concat();
    assert_eq!(parse(&both).unwrap_err().exit_code(), 2);
    let with_references = [&genome_run[..], &["--references", "r.fa"]].concat();
    assert_eq!(parse(&with_references).unwrap_err().exit_code(), 2);
    let without_references = ["--genomes", "g/", "--output-dir", "o"];
    assert_eq!(parse(&without_references).unwrap_err().exit_code(), 2);

    let dir = scratch("genomes");
    let config = PipelineConfig::new(Vec::<PathBuf>::new(), "", dir.join("out"))
        .genomes([dir.join("t.faa")])
        .species("escherichia_coli");
    let (code, message) = code_of(&config);
    assert_eq!(code, 3, "{message}");
    assert!(message.contains("not a nucleotide FASTA"), "{message}");
}

/// `--render-report DIR` alone is a whole command line; a directory without a manifest is a
/// file that cannot be read (1), a malformed table bad input data (3); a finished directory's
/// report is written again, equal to the run's.
#[test]
fn render_report_exit_codes() {
    let args = Args::try_parse_from(["wildtype_align", "--render-report", "out"]).unwrap();
    assert_eq!(args.render_report, Some(PathBuf::from("out")));
    assert!(
        Args::try_parse_from([
            "wildtype_align",
            "--render-report",
            "a",
            "--output-dir",
            "b"
        ])
        .is_err()
    );

    let dir = scratch("render");
    let out = dir.join("out");
    let error = wildtype_aligner::wildtype::write_report(&dir, &()).unwrap_err();
    assert_eq!(exit_code(&error), 1, "{error}");
    run(&config(&dir), &()).unwrap();
    let written = std::fs::read(out.join("report.html")).unwrap();
    std::fs::remove_file(out.join("report.html")).unwrap();
    wildtype_aligner::wildtype::write_report(&out, &()).unwrap();
    assert_eq!(std::fs::read(out.join("report.html")).unwrap(), written);
    std::fs::write(out.join("mutations.tsv"), "accession\tgene\n").unwrap();
    let error = wildtype_aligner::wildtype::write_report(&out, &()).unwrap_err();
    assert_eq!(exit_code(&error), 3, "{error}");
    // A directory that does not exist is named as such, not by the lock file inside it.
    let missing = dir.join("no-such-run");
    let error = wildtype_aligner::wildtype::write_report(&missing, &()).unwrap_err();
    assert_eq!(exit_code(&error), 1, "{error}");
    assert_eq!(
        error.to_string(),
        format!("{}: no such output directory", missing.display())
    );
    assert!(!missing.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
