//! The water drop-in's handling of bad input: one-line errors naming the file or option, no
//! panics, and no partial output file left behind.

// The oracle suites' helpers (`tests/common`), shared with the drop-in's own tests; they bring
// their own copy of the command-line module, which is harmless here.
#[allow(clippy::duplicate_mod)]
#[path = "../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};

use crate::cli::{WaterArgs, run};

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wta-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn run_in(dir: &Path, args: &[&str]) -> (Result<(), String>, String) {
    let mut diagnostics = Vec::new();
    let result = WaterArgs::parse(args)
        .and_then(|parsed| run(&parsed.in_dir(dir), &mut diagnostics))
        .map_err(|error| error.to_string());
    (result, String::from_utf8(diagnostics).expect("UTF-8"))
}

#[test]
fn unknown_option_is_named() {
    let error = WaterArgs::parse(["a.fa", "b.fa", "-endweight"]).unwrap_err();
    assert_eq!(error.to_string(), "Unknown qualifier -endweight");
}

#[test]
fn bad_number_is_named() {
    let error = WaterArgs::parse(["a.fa", "b.fa", "-gapopen", "abc"]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Invalid decimal value 'abc' for -gapopen"
    );
    let error = WaterArgs::parse(["a.fa", "b.fa", "-awidth3", "1.5"]).unwrap_err();
    assert!(error.to_string().contains("-awidth3"), "{error}");
}

#[test]
fn too_many_positionals() {
    let error = WaterArgs::parse(["a.fa", "b.fa", "c.water", "d.fa"]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Argument 'd.fa' : Too many parameters 4/3"
    );
}

#[test]
fn missing_value_and_missing_inputs() {
    assert!(
        WaterArgs::parse(["a.fa", "b.fa", "-gapopen"])
            .unwrap_err()
            .to_string()
            .contains("-gapopen")
    );
    assert!(
        WaterArgs::parse(["-asequence", "a.fa"])
            .unwrap_err()
            .to_string()
            .contains("bsequence")
    );
}

#[test]
fn missing_file_is_named_and_no_output_is_left() {
    let dir = scratch_dir("missing");
    std::fs::write(dir.join("a.fa"), ">a\nMKV\n").unwrap();
    let (result, _) = run_in(&dir, &["a.fa", "nope.fa", "-outfile", "out.water", "-auto"]);
    let error = result.unwrap_err();
    assert!(
        error.contains("nope.fa: ") && error.contains("No such file"),
        "{error}"
    );
    assert!(!dir.join("out.water").exists());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "only a.fa remains"
    );
}

#[test]
fn non_fasta_input_is_refused_with_its_line() {
    let dir = scratch_dir("nonfasta");
    std::fs::write(dir.join("a.fa"), ">a\nMKV\n").unwrap();
    std::fs::write(dir.join("b.txt"), "\nhello world\n").unwrap();
    let (result, _) = run_in(&dir, &["a.fa", "b.txt", "-outfile", "out.water"]);
    let error = result.unwrap_err();
    assert!(
        error.contains("b.txt") && error.contains("line 2"),
        "{error}"
    );
    assert!(!dir.join("out.water").exists());
}

#[test]
fn zero_length_b_is_skipped_with_waters_warning() {
    let dir = scratch_dir("zero");
    std::fs::write(dir.join("a.fa"), ">a\nMKVLAAGW\n").unwrap();
    std::fs::write(dir.join("b.fa"), ">empty\n\n>b\nMKVLAAGW\n").unwrap();
    let (result, diagnostics) = run_in(&dir, &["a.fa", "b.fa", "-outfile", "out.water"]);
    result.unwrap();
    assert_eq!(
        diagnostics,
        "Warning: Sequence 'fasta::b.fa:empty' has zero length, ignored\n"
    );
    let report = std::fs::read_to_string(dir.join("out.water")).unwrap();
    assert_eq!(report.matches("# Aligned_sequences").count(), 1);
}

#[test]
fn no_usable_b_fails_like_water() {
    let dir = scratch_dir("nousable");
    std::fs::write(dir.join("a.fa"), ">a\nMKVLAAGW\n").unwrap();
    std::fs::write(dir.join("b.fa"), ">empty\n").unwrap();
    let (result, _) = run_in(&dir, &["a.fa", "b.fa", "-outfile", "out.water"]);
    assert_eq!(result.unwrap_err(), "Unable to read sequence 'b.fa'");
    assert!(!dir.join("out.water").exists(), "no partial report");
}

#[test]
fn nucleotide_a_with_protein_b_fails_like_water() {
    let dir = scratch_dir("nucleic");
    std::fs::write(dir.join("a.fa"), ">a\nACGTACGT\n").unwrap();
    std::fs::write(dir.join("b.fa"), ">b\nEELKKW\n").unwrap();
    let (result, _) = run_in(&dir, &["a.fa", "b.fa", "-outfile", "out.water"]);
    assert_eq!(result.unwrap_err(), "Sequence is not nucleic");
    assert!(!dir.join("out.water").exists());
}

#[test]
fn out_of_range_penalties_warn_like_water() {
    let dir = scratch_dir("range");
    std::fs::write(dir.join("a.fa"), ">a\nMKVLAAGW\n").unwrap();
    std::fs::write(dir.join("b.fa"), ">b\nMKVLAAGW\n").unwrap();
    let (result, diagnostics) = run_in(
        &dir,
        &[
            "a.fa",
            "b.fa",
            "-gapopen",
            "200",
            "-gapextend",
            "11",
            "-outfile",
            "o.water",
        ],
    );
    result.unwrap();
    assert_eq!(
        diagnostics,
        "Warning: floating point value out of range 200.000 more than (reset to) 100.000\n\
         Warning: floating point value out of range 11.000 more than (reset to) 10.000\n"
    );
    let report = std::fs::read_to_string(dir.join("o.water")).unwrap();
    assert!(
        report.contains("# Gap_penalty: 100.0\n# Extend_penalty: 10.0\n"),
        "{report}"
    );
}

#[test]
fn gzip_input_reads_like_plain() {
    use std::io::Write as _;
    let dir = scratch_dir("gzip");
    std::fs::write(dir.join("a.fa"), ">a\nMKVLAAGWPQ\n").unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(b">b\nMKVLSAGWPQ\n").unwrap();
    std::fs::write(dir.join("b.fa.gz"), encoder.finish().unwrap()).unwrap();
    std::fs::write(dir.join("b.fa"), ">b\nMKVLSAGWPQ\n").unwrap();
    let plain = common::run_ours(&dir, &["a.fa".into(), "b.fa".into(), "-stdout".into()]).unwrap();
    let gzip =
        common::run_ours(&dir, &["a.fa".into(), "b.fa.gz".into(), "-stdout".into()]).unwrap();
    assert_eq!(common::normalize(&plain), common::normalize(&gzip));
}

#[test]
fn subsequence_ranges_keep_original_numbering() {
    let dir = scratch_dir("ranges");
    std::fs::write(dir.join("a.fa"), ">a\nPPPPPMKVLAAGWPPPP\n").unwrap();
    std::fs::write(dir.join("b.fa"), ">b\nMKVLAAGW\n").unwrap();
    let args: Vec<String> = [
        "a.fa", "b.fa", "-sbegin1", "3", "-send1", "14", "-aformat", "pair", "-stdout",
    ]
    .map(String::from)
    .to_vec();
    let report = common::run_ours(&dir, &args).unwrap();
    assert!(
        report.contains("\na                  6 MKVLAAGW     13\n"),
        "{report}"
    );
}

/// More b records than one chunk: chunks are aligned while the previous one is written, and
/// the report must be every record's block, in input order, exactly as one record at a time
/// (each record alone takes the single-pair path, so the kernels are compared too).
#[test]
fn many_chunks_keep_input_order_and_match_single_records() {
    let dir = scratch_dir("chunks");
    let a = b"MSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLGARVGYIELDLNSGKILESFRPEERFPMMSTFK";
    std::fs::write(dir.join("a.fa"), [b">wt\n".as_slice(), a, b"\n"].concat()).unwrap();
    let mut all = Vec::new();
    let count = 1300;
    for k in 0..count {
        // Variants of a of different lengths, a few substitutions each.
        let mut b = a[k % 7..a.len() - k % 5].to_vec();
        for step in 0..3 {
            let at = (k * 31 + step * 17) % b.len();
            b[at] = b"ACDEFGHIKLMNPQRSTVWY"[(k + step) % 20];
        }
        let record = [format!(">v{k}\n").as_bytes(), &b, b"\n"].concat();
        std::fs::write(dir.join(format!("one{k}.fa")), &record).unwrap();
        all.extend_from_slice(&record);
    }
    std::fs::write(dir.join("b.fa"), &all).unwrap();
    let (result, _) = run_in(
        &dir,
        &[
            "a.fa",
            "b.fa",
            "-gapopen",
            "10",
            "-gapextend",
            "0.5",
            "-outfile",
            "all.water",
        ],
    );
    result.unwrap();
    let report = std::fs::read_to_string(dir.join("all.water")).unwrap();
    let blocks: Vec<&str> = report
        .split("#=======================================\n#\n# Aligned_sequences")
        .skip(1)
        .collect();
    assert_eq!(blocks.len(), count);
    for k in (0..count).step_by(97).chain([count - 1]) {
        let (result, _) = run_in(
            &dir,
            &[
                "a.fa",
                &format!("one{k}.fa"),
                "-gapopen",
                "10",
                "-gapextend",
                "0.5",
                "-outfile",
                "one.water",
            ],
        );
        result.unwrap();
        let single = std::fs::read_to_string(dir.join("one.water")).unwrap();
        let block = single
            .split("#=======================================\n#\n# Aligned_sequences")
            .nth(1)
            .unwrap();
        let block = block
            .split("\n#---------------------------------------")
            .next()
            .unwrap();
        assert!(
            blocks[k].starts_with(block),
            "record {k} differs from its single-record report"
        );
        assert!(
            blocks[k].contains(&format!("# 2: v{k}\n")),
            "record {k} out of order"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A writer whose reader has gone, as standard output is after `| head -1`.
struct ClosedPipe;

impl std::io::Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
}

/// EMBOSS water dies quietly of SIGPIPE when its reader goes away (status 141 in the shell);
/// the drop-in stops the same way, without an error message, and other failures still print
/// one and exit 1.
#[test]
fn a_closed_pipe_stops_quietly_with_status_141() {
    let dir = scratch_dir("pipe");
    std::fs::write(dir.join("a.fa"), ">a\nMKTAYIAKQR\n").unwrap();
    std::fs::write(dir.join("b.fa"), ">b\nMKTAYLAKQR\n").unwrap();
    let args = WaterArgs::parse(["a.fa", "b.fa", "-stdout", "-auto"])
        .unwrap()
        .in_dir(&dir);
    let result = crate::cli::run_to(&args, &mut ClosedPipe, &mut std::io::sink());
    let mut stderr = Vec::new();
    assert_eq!(crate::cli::exit_status(result, &mut stderr), 141);
    assert!(stderr.is_empty(), "{}", String::from_utf8_lossy(&stderr));

    let missing = WaterArgs::parse(["a.fa", "nope.fa", "-stdout"])
        .unwrap()
        .in_dir(&dir);
    let result = crate::cli::run_to(&missing, &mut Vec::new(), &mut std::io::sink());
    assert_eq!(crate::cli::exit_status(result, &mut stderr), 1);
    assert!(String::from_utf8_lossy(&stderr).starts_with("Error: "));
}

/// `-outfile stdout` means standard output to EMBOSS, not a file named `stdout`.
#[test]
fn outfile_stdout_is_standard_output() {
    let args = WaterArgs::parse(["a.fa", "b.fa", "-outfile", "stdout"]).unwrap();
    assert!(args.writes_to_stdout());
    let args = WaterArgs::parse(["a.fa", "b.fa", "-outfile", "out.water"]).unwrap();
    assert!(!args.writes_to_stdout());
}

/// A pair too long even for the bounded-memory path fails as water fails when its matrices
/// cannot be allocated, and leaves no output file.
#[test]
fn pair_too_big_even_for_bounded_memory_fails_like_water() {
    let dir = scratch_dir("too-big");
    let residues = "ACDEFGHIKLMNPQRSTVWY".repeat(4_000);
    for name in ["a", "b"] {
        let text = format!(">{name}\n{residues}\n");
        std::fs::write(dir.join(format!("{name}.fa")), text).unwrap();
    }
    let (result, _) = run_in(&dir, &["a.fa", "b.fa", "-outfile", "out.water", "-auto"]);
    assert_eq!(
        result.unwrap_err(),
        "Sequences too big. Try 'matcher' or 'supermatcher'"
    );
    assert!(!dir.join("out.water").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
