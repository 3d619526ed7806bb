//! Live oracle for long pairs: the real EMBOSS water against this crate's drop-in on pairs
//! long enough to take the bounded-memory path (a sequence longer than 65,536 residues), in
//! both orientations, with fixed-point and float penalties, related and unrelated. Skipped
//! (loudly) when water is not installed; with `WTA_REQUIRE_WATER=1` its absence fails.
//! `WTA_LONG_LENGTH` sets the long sequence's length (default 100,000).

mod common;

use std::fmt::Write as _;
use std::path::Path;

/// TEM-1 (the bundled reference).
const TEM1: &str = "MSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLGARVGYIELDLNSGKILESFRPEERFPMMSTFKVLLCGAVL\
SRVDAGQEQLGRRIHYSQNDLVEYSPVTEKHLTDGMTVRELCSAAITMSDNTAANLLLTTIGGPKELTAFLHNMGDHVTRLDRWEPELNEAIP\
NDERDTTMPAAMATTLRKLLTGELLTLASRQQLIDWMEADKVAGPLLRSALPAGWFIADKSGAGERGSRGIIAALGPDGKPSRIVVIYTTGSQ\
ATMDERNRQIAEIGASLIKHW";

/// `n` residues of an LCG-random protein.
fn random(state: &mut u64, n: usize) -> String {
    (0..n)
        .map(|_| {
            *state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            char::from(b"ACDEFGHIKLMNPQRSTVWY"[(*state >> 33) as usize % 20])
        })
        .collect()
}

/// A long random protein holding a TEM-1 variant (two substitutions, an insertion, a
/// deletion) in its middle.
fn long_with_gene(state: &mut u64, length: usize) -> String {
    let mut gene: Vec<u8> = TEM1.bytes().collect();
    gene[40] = b'W';
    gene[200] = b'K';
    gene.insert(120, b'G');
    gene.drain(250..252);
    let flank = (length - gene.len()) / 2;
    let mut text = random(state, flank);
    text.push_str(std::str::from_utf8(&gene).unwrap());
    let rest = length - text.len();
    text.push_str(&random(state, rest));
    text
}

fn fasta(name: &str, residues: &str) -> String {
    let mut text = format!(">{name}\n");
    for line in residues.as_bytes().chunks(60) {
        let _ = writeln!(text, "{}", std::str::from_utf8(line).unwrap());
    }
    text
}

fn compare(water: &Path, name: &str, a: &str, b: &str, options: &[&str]) {
    let dir = std::env::temp_dir().join(format!("wta-long-live-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.fa"), fasta("seqa", a)).unwrap();
    std::fs::write(dir.join("b.fa"), fasta("seqb", b)).unwrap();
    let mut args: Vec<String> = ["-asequence", "a.fa", "-bsequence", "b.fa"]
        .iter()
        .chain(options)
        .map(|arg| (*arg).to_owned())
        .collect();
    let theirs = common::run_water(water, &dir, &args).expect("water aligns the pair");
    args.extend(["-stdout".to_owned(), "-auto".to_owned()]);
    let ours = common::run_ours(&dir, &args).expect("the drop-in aligns the pair");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        common::normalize(&ours),
        common::normalize(&theirs),
        "{name}: {} x {} residues, {options:?}",
        a.len(),
        b.len()
    );
    eprintln!("{name}: {} x {} residues equal water", a.len(), b.len());
}

#[test]
fn long_pairs_equal_water() {
    let Some(water) = common::real_water() else {
        return;
    };
    let length: usize = std::env::var("WTA_LONG_LENGTH")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(100_000);
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let long = long_with_gene(&mut state, length);
    let unrelated = random(&mut state, 300);
    compare(&water, "long-a", &long, TEM1, &[]);
    compare(&water, "long-b", TEM1, &long, &[]);
    compare(
        &water,
        "float",
        &long,
        TEM1,
        &["-gapopen", "10.3", "-gapextend", "0.1"],
    );
    compare(
        &water,
        "unrelated",
        &long,
        &unrelated,
        &["-gapopen", "5", "-gapextend", "2"],
    );
}
