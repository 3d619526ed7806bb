//! samtools as the oracle: `.fai` bytes, region output and accept/refuse decisions must equal
//! what `samtools faidx` gives, on Debian's real FASTA files (resfinder-db, mmseqs2-examples)
//! and on CRLF, re-wrapped and gzip variants made here at test time.
//!
//! Without samtools these tests print that they were skipped; with `WTA_REQUIRE_SAMTOOLS=1`
//! its absence fails them.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use wildtype_aligner::fasta::Reader;
use wildtype_aligner::fasta::fai::Index;

// The `faidx` drop-in lives with its example binary; these tests run it in process.
#[allow(dead_code)]
#[path = "../examples/faidx/cli.rs"]
mod faidx;

fn have_samtools(test: &str) -> bool {
    let found = Command::new("samtools")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var_os("WTA_REQUIRE_SAMTOOLS").is_some_and(|v| v == "1") {
            panic!("{test}: samtools not found and WTA_REQUIRE_SAMTOOLS=1");
        }
        // Straight to the stderr handle: the test harness captures `eprintln!` of passing tests.
        let _ = writeln!(
            std::io::stderr(),
            "{test}: SKIPPED: samtools not installed (apt-get install samtools)"
        );
    }
    found
}

/// Files listed by a Debian package, or nothing when it is not installed.
fn package_files(package: &str, suffix: &str) -> Vec<PathBuf> {
    let Ok(out) = Command::new("dpkg").args(["-L", package]).output() else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.ends_with(suffix))
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn gunzip(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// Real FASTA files (name, bytes); loud when the packages are missing.
fn real_files() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for path in package_files("resfinder-db", ".fsa") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        files.push((format!("resfinder-{name}"), std::fs::read(&path).unwrap()));
    }
    for path in package_files("mmseqs2-examples", ".fasta.gz") {
        let name = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace(".gz", "");
        files.push((format!("mmseqs-{name}"), gunzip(&path)));
    }
    if files.is_empty() {
        eprintln!("no real FASTA found: apt-get install resfinder-db mmseqs2-examples");
    }
    files
}

fn to_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 40);
    for &b in bytes {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// The same records with sequence lines `width` long.
fn rewrap(bytes: &[u8], width: usize) -> Vec<u8> {
    let mut reader = Reader::from_reader("x", std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut out = Vec::new();
    while let Some(record) = reader.next_record() {
        let record = record.unwrap();
        out.push(b'>');
        out.extend_from_slice(record.header().as_bytes());
        out.push(b'\n');
        for line in record.seq().chunks(width) {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
    }
    out
}

/// Real files and their variants; the big mmseqs DB only as is and as CRLF, to keep time.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut all = Vec::new();
    for (name, bytes) in real_files() {
        all.push((format!("{name}.crlf"), to_crlf(&bytes)));
        if !name.contains("DB.fasta") {
            all.push((format!("{name}.w60"), rewrap(&bytes, 60)));
            all.push((format!("{name}.w13"), rewrap(&bytes, 13)));
        }
        all.push((name, bytes));
    }
    all
}

fn samtools_index(path: &Path) -> Option<Vec<u8>> {
    let fai = Index::path_for(path);
    let _ = std::fs::remove_file(&fai);
    let status = Command::new("samtools")
        .arg("faidx")
        .arg(path)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    let bytes = status.success().then(|| std::fs::read(&fai).unwrap());
    let _ = std::fs::remove_file(&fai);
    bytes
}

fn our_index(path: &Path) -> Option<Vec<u8>> {
    let index = Index::build_from_path(path).ok()?;
    let mut out = Vec::new();
    index.write(&mut out).unwrap();
    Some(out)
}

#[test]
fn index_bytes_match_samtools() {
    if !have_samtools("index_bytes_match_samtools") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (mut identical, mut both_refused) = (0, 0);
    for (name, bytes) in corpus() {
        let path = dir.path().join(&name);
        std::fs::write(&path, &bytes).unwrap();
        let theirs = samtools_index(&path);
        let ours = our_index(&path);
        assert_eq!(
            ours.is_some(),
            theirs.is_some(),
            "{name}: accepted by one only"
        );
        assert!(ours == theirs, "{name}: .fai differs from samtools'");
        match ours {
            Some(_) => identical += 1,
            None => both_refused += 1,
        }
    }
    eprintln!(
        "index_bytes_match_samtools: {identical} files identical, {both_refused} refused by both"
    );
}

/// A small deterministic generator, so failures can be replayed.
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

fn regions_for(index: &Index, rng: &mut Lcg, count: usize) -> Vec<String> {
    let records = index.records();
    let mut regions = Vec::new();
    for _ in 0..count {
        let record = &records[rng.below(records.len() as u64) as usize];
        let len = record.length();
        let region = match rng.below(6) {
            0 => record.name().to_string(),
            1 => format!("{}:{}", record.name(), 1 + rng.below(len)),
            2 => format!(
                "{}:{}-{}",
                record.name(),
                1 + rng.below(len),
                len + rng.below(50)
            ),
            _ => {
                let start = 1 + rng.below(len);
                let end = start + rng.below(len - start + 1);
                format!("{}:{start}-{end}", record.name())
            }
        };
        regions.push(region);
    }
    regions
}

#[test]
fn region_output_matches_samtools() {
    if !have_samtools("region_output_matches_samtools") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Lcg(0x5eed);
    let (mut files, mut regions_compared) = (0, 0);
    for (name, bytes) in corpus() {
        let path = dir.path().join(&name);
        std::fs::write(&path, &bytes).unwrap();
        let Ok(index) = Index::build_from_path(&path) else {
            continue; // ragged: refused by both (index_bytes_match_samtools checks that)
        };
        let mut regions = regions_for(&index, &mut rng, 200);
        regions.push("no-such-sequence".to_string());
        let region_file = dir.path().join(format!("{name}.regions"));
        std::fs::write(&region_file, regions.join("\n") + "\n").unwrap();
        for width in ["60", "13"] {
            let _ = std::fs::remove_file(Index::path_for(&path));
            let theirs = Command::new("samtools")
                .args(["faidx", "-c", "-n", width, "-r"])
                .arg(&region_file)
                .arg(&path)
                .output()
                .unwrap();
            let _ = std::fs::remove_file(Index::path_for(&path));
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let args = [
                "-c".as_ref(),
                "-n".as_ref(),
                width.as_ref(),
                "-r".as_ref(),
                region_file.as_os_str(),
                path.as_os_str(),
            ];
            let status = faidx::main(args, &mut out, &mut err);
            assert_eq!(Some(status), theirs.status.code(), "{name}: exit status");
            assert!(
                out == theirs.stdout,
                "{name} -n {width}: output differs from samtools'"
            );
            // Our fai, written on the way, must equal the one samtools writes.
            assert_eq!(
                std::fs::read(Index::path_for(&path)).unwrap(),
                samtools_index(&path).unwrap(),
                "{name}"
            );
        }
        files += 1;
        regions_compared += 2 * regions.len();
    }
    eprintln!(
        "region_output_matches_samtools: {regions_compared} region fetches in {files} files identical"
    );
}

#[test]
fn gzip_stream_matches_samtools_fetch() {
    if !have_samtools("gzip_stream_matches_samtools_fetch") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut records = 0;
    for (name, bytes) in real_files() {
        // Ragged files cannot be fetched by samtools: compare on them wrapped at 60.
        let indexable = Index::build_from_reader(&name, bytes.as_slice()).is_ok();
        let bytes = if indexable { bytes } else { rewrap(&bytes, 60) };
        let plain = dir.path().join(&name);
        std::fs::write(&plain, &bytes).unwrap();
        let gz = dir.path().join(format!("{name}.gz"));
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut encoder, &bytes).unwrap();
        std::fs::write(&gz, encoder.finish().unwrap()).unwrap();

        let index = Index::build_from_path(&plain).unwrap();
        let names: Vec<&str> = index.records().iter().map(|r| r.name()).collect();
        let names_file = dir.path().join(format!("{name}.names"));
        std::fs::write(&names_file, names.join("\n") + "\n").unwrap();
        let theirs = Command::new("samtools")
            .args(["faidx", "-n", "1000000000", "-r"])
            .arg(&names_file)
            .arg(&plain)
            .output()
            .unwrap();
        assert!(theirs.status.success());
        let mut expected = Vec::new();
        for chunk in theirs
            .stdout
            .split(|&b| b == b'\n')
            .collect::<Vec<_>>()
            .chunks(2)
        {
            if let [header, seq] = chunk {
                expected.push((header[1..].to_vec(), seq.to_vec()));
            }
        }
        let mut reader = Reader::from_path(&gz).unwrap();
        let mut got = Vec::new();
        while let Some(record) = reader.next_record() {
            let record = record.unwrap();
            got.push((record.id().as_bytes().to_vec(), record.seq().to_vec()));
        }
        assert_eq!(got.len(), expected.len(), "{name}");
        assert!(
            got == expected,
            "{name}: records differ from samtools' fetch"
        );
        records += got.len();
    }
    eprintln!("gzip_stream_matches_samtools_fetch: {records} records identical");
}

/// Crafted edge cases: samtools and we accept the same ones (with identical bytes) and refuse
/// the same ones.
#[test]
fn edge_cases_accepted_and_refused_like_samtools() {
    if !have_samtools("edge_cases_accepted_and_refused_like_samtools") {
        return;
    }
    let cases: &[&[u8]] = &[
        b">a\nACGT\n>a\nAC\n",
        b">a\nACG\nACGT\nA\n",
        b">a\nACGT\nAC\nACGT\n",
        b">a\nACGT\nAC\nA\n",
        b">a\n>b\nAC\n",
        b">a\nAC\n>b\n",
        b">a\nAC\n>b",
        b"\nACGT\n>a\nAC\n",
        b"ACGT\n>a\nAC\n",
        b">a x\r\nACGT\r\nAC\r\n>b\r\nA\r\n",
        b">a\nACGT\n\nAC\n",
        b">a\nACGT\nAC\n\n\n>b\nA\n",
        b">a\nACGT\nAC",
        b">a\nAC GT\nACGT\n",
        b"@a\nACGT\n+\nIIII\n",
        b">a\nACGT\nACGT\n>b\nACGT\nACGTA\n",
        b"> a b\nACGT\n",
        b">\nACGT\n",
        b"",
        b"\n\n>a\nAC\n",
        b">a\nACGT\r\nAC\n",
        b">a\nACGT\n\r\n>b\nAA\n",
        b">a\nAC\x00T\n",
        b">a\n\rAC\n",
        b"\r>a\nAC\n",
        b">a\n\r\nA\r\n",
        b">a\tb\nAC\n",
        b">a\nAC\n>",
        b">a\nAC\n>\n",
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, case) in cases.iter().enumerate() {
        let path = dir.path().join(format!("case{i}.fa"));
        std::fs::write(&path, case).unwrap();
        let theirs = samtools_index(&path);
        let ours = our_index(&path);
        if case.starts_with(b"@") {
            // samtools indexes FASTQ (6 columns); this crate refuses FASTQ given as FASTA.
            assert!(theirs.is_some_and(|fai| fai.split(|&b| b == b'\t').count() == 6));
            let err = Index::build_from_path(&path).unwrap_err();
            assert!(err.to_string().contains("FASTQ"), "{err}");
            continue;
        }
        assert_eq!(
            ours.as_deref().map(String::from_utf8_lossy),
            theirs.as_deref().map(String::from_utf8_lossy),
            "case {i}: {:?}",
            String::from_utf8_lossy(case)
        );
    }
    eprintln!(
        "edge_cases_accepted_and_refused_like_samtools: {} cases agree",
        cases.len()
    );
}

mod random_layouts {
    use super::*;
    use proptest::prelude::*;

    fn render(seqs: &[Vec<u8>], width: usize, crlf: bool, trailing_blank: bool) -> Vec<u8> {
        let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
        let mut out = Vec::new();
        for (i, seq) in seqs.iter().enumerate() {
            out.extend_from_slice(format!(">r{i} random record").as_bytes());
            out.extend_from_slice(eol);
            for line in seq.chunks(width) {
                out.extend_from_slice(line);
                out.extend_from_slice(eol);
            }
        }
        if trailing_blank {
            out.extend_from_slice(eol);
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        #[test]
        fn index_bytes_match_samtools_on_random_line_widths(
            seqs in prop::collection::vec(
                prop::collection::vec(prop::sample::select(b"ACGTNacgtn".to_vec()), 1..500),
                1..8,
            ),
            width in 1usize..120,
            crlf: bool,
            trailing_blank: bool,
        ) {
            if !have_samtools("index_bytes_match_samtools_on_random_line_widths") {
                return Ok(());
            }
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("x.fa");
            std::fs::write(&path, render(&seqs, width, crlf, trailing_blank)).unwrap();
            let theirs = samtools_index(&path);
            prop_assert!(theirs.is_some());
            prop_assert_eq!(our_index(&path), theirs);
        }
    }
}
