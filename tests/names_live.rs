//! Compares `emboss_name` with the real EMBOSS water on several hundred FASTA headers.
//!
//! One water run reads a list of b files (`-bsequence list::FILE`):
//! - the first holds every header predicted readable, one record each, in one FASTA file, so
//!   names and the `EMBOSS_nnn` counter are checked record by record;
//! - then one small file per header predicted unreadable: `sentinel`, the header, `after`.
//!   water stops reading a file at an unreadable record, so only `sentinel` must show.
//!
//! The a file's header is empty, so it takes `EMBOSS_001`: this checks that the counter is
//! shared by the a and b files. Headers whose fallback parse hits water's unsigned wrap-around
//! (two fields with an unknown prefix, e.g. `x|y`) cost water about 30 s each: the random ones
//! are left out, and the fixed ones (`x|y`, `a||`, `tr|X`, ...) are included only with
//! `WTA_NAMES_SLOW=1` (the unit tests in `src/seq/name.rs` cover them otherwise).
//!
//! Without water on PATH the test prints that it was skipped; with `WTA_REQUIRE_WATER=1` it fails.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use wildtype_aligner::seq::{HeaderName, NameCounter, emboss_name};

const RESIDUES: &str = "MKVLAAGW";

/// The fixed headers: the observed table, edge cases, and two-field forms.
fn fixed_headers(slow: bool) -> Vec<String> {
    let mut headers: Vec<&str> = vec![
        "sp|P69905|HBA_HUMAN desc",
        "tr|Q1|Q1_X",
        "gi|1|ref|NP_000549.1|",
        "gi|123",
        "lcl|x",
        "db:id",
        "a/b/c",
        "",
        "ref|NP_1.1|",
        "gb|AAA1.1|LOC",
        "emb|CAA1|",
        "pdb|1ABC|A",
        "ACC123|gyrA|100-2000|+|contig_1|abcdef",
        "a|b|c",
        "a|b|c|d",
        "sp|P1",
        "foo:bar:baz",
        "gnl|db|id",
        "bbs|123",
        "pir||ABC",
        "prf||123",
        "a|b|",
        "pdb|1ABC",
        "gi|1|gb|X|Y",
        "db:a|b|c",
        "x|y:z|w",
        "x:",
        ":x",
        "gnl|X",
        "pat|X",
        "emb|X",
        "gb|X",
        "ref|X",
        "dbj|X",
        "pir|X",
        "prf|X",
        "tpg|X",
        "tpd|X",
        "gim|X",
        "lcl|X|Y",
        "a/b:c/d",
        "sp||",
        "gi||ref|A|",
        "gi|5|pdb|1A|B",
        // Beyond the table.
        ":",
        "::",
        "sp|P1|a:",
        "ab;x",
        "P1;X|y|z",
        "|",
        "||",
        "|x",
        "||x",
        "|||",
        "\tabc",
        " abc def",
        "  sp|P1|SPACED",
        "a>b|c",
        "sp|P1|N>z",
        ">>double",
        "x|y|NP_000549.1|",
        "x|y|NP_000549.1",
        "x|y|P69905.3|",
        "x|y|AB.12345|",
        "x|y|ABC12345.2|",
        "x|y|NP_0005|",
        "gnl|BL_ORD_ID|7 sp|P1|NAME d",
        "gnl|BL_ORD_ID|7 foo bar",
        "gnl|BL_ORD_ID|7",
        "gnl|BL_ORD_ID|7 |",
        "gnl|BL_ORD_ID|7 ab;x",
        "gnl|BL_ORD_ID|7 lcl|inner",
        "gix|1|a|b",
        "gi|",
        "gi||",
        "gi|1|",
        "gi|1|gnl|db|id",
        "gi|1|lcl|z",
        "gi|1|gi|2",
        "a,b\\c",
        "a\u{b}b:c;d",
        "a\u{c}b",
        "é|ü|ñame",
        "pdb|1ABC|",
        "pdb||A",
        "sp|A:B|C:D",
        "sp|P1|a/b,c",
        "gnl|db|",
        "pat|US|123",
        "bbs|",
        "lcl|",
        "ref||",
        "x|y|z|",
        "q",
    ];
    if slow {
        headers.extend([
            "x|y", "a||", "A:B|C", "tr|X", "tpe|X", "gpp|X", "nat|X", "bbm|X", "pgp|X", "x|",
        ]);
    }
    let mut out: Vec<String> = headers.into_iter().map(str::to_owned).collect();
    out.push(format!("long|x|{}", "L".repeat(300)));
    out.push(format!("{}:tail", "C".repeat(250)));
    out.push(format!("sp|P1|{}", "N".repeat(120)));
    out
}

/// A small deterministic generator (xorshift64*), so the test needs no extra crates.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const PREFIXES: &[&str] = &[
    "gi", "gb", "emb", "dbj", "sp", "tr", "ref", "gnl", "lcl", "bbs", "pir", "prf", "pdb", "pat",
    "tpg", "tpd", "tpe", "gim", "gpp", "nat", "bbm", "pgp", "gix", "GB", "xyz",
];

const TOKENS: &[&str] = &[
    "",
    "",
    "123",
    "4567",
    "P69905",
    "Q8N158",
    "A0A023GPI8",
    "NP_000549.1",
    "ABC12345.2",
    "AB123456",
    "XP_1.1",
    "HBA_HUMAN",
    "gyrA",
    "1ABC",
    "A",
    "x.y.z",
    "a:b",
    "db:",
    ":",
    "a/b",
    "c,d",
    "e\\f",
    "100-2000",
    "+",
    "contig_1",
    "BL_ORD_ID",
    "name;semi",
    "UPPER",
    "v1.2.3",
];

const DESCRIPTIONS: &[&str] = &[
    "",
    " hemoglobin alpha",
    " sp|P1|INNER desc",
    "\tTAB desc",
    " ||",
    "  two  spaces",
];

/// Roughly `nt == 2` in water's fallback: such headers cost water ~30 s each.
fn water_slow(header: &str) -> bool {
    header.split([' ', '\t']).any(|word| {
        word.contains('|')
            && word.split('|').filter(|f| !f.is_empty()).count() + usize::from(word.ends_with('|'))
                == 2
    })
}

fn random_headers(count: usize) -> Vec<String> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = Vec::new();
    while out.len() < count {
        let mut header = String::new();
        match rng.below(8) {
            0 => {
                // colon/slash words without bars
                let parts = 1 + rng.below(4);
                for i in 0..parts {
                    if i > 0 {
                        header.push(if rng.below(3) == 0 { '/' } else { ':' });
                    }
                    header.push_str(rng.pick(TOKENS));
                }
            }
            1 => {
                // gi prefix then another database
                let _ = write!(
                    header,
                    "gi|{}|{}|{}|{}",
                    rng.below(100_000),
                    rng.pick(PREFIXES),
                    rng.pick(TOKENS),
                    rng.pick(TOKENS)
                );
            }
            2 => {
                // a free-form pipeline id: many fields
                let fields = 3 + rng.below(5);
                let parts: Vec<&str> = (0..fields).map(|_| rng.pick(TOKENS)).collect();
                header.push_str(&parts.join("|"));
            }
            3 => {
                let _ = write!(
                    header,
                    "{}:{}|{}|{}",
                    rng.pick(TOKENS),
                    rng.pick(PREFIXES),
                    rng.pick(TOKENS),
                    rng.pick(TOKENS)
                );
            }
            _ => {
                // database prefix, one to three fields
                header.push_str(rng.pick(PREFIXES));
                for _ in 0..1 + rng.below(3) {
                    header.push('|');
                    header.push_str(rng.pick(TOKENS));
                }
            }
        }
        if rng.below(6) == 0 {
            header.push('|');
        }
        if rng.below(10) == 0 {
            header.insert(0, ' ');
        }
        header.push_str(rng.pick(DESCRIPTIONS));
        if !water_slow(&header) {
            out.push(header);
        }
    }
    out
}

fn water_on_path() -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("water"))
            .find(|path| path.is_file())
    })
}

fn write_fasta(path: &Path, headers: &[&str]) {
    let mut text = String::new();
    for header in headers {
        let _ = write!(text, ">{header}\n{RESIDUES}\n");
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn names_match_water() {
    let Some(water) = water_on_path() else {
        assert!(
            std::env::var_os("WTA_REQUIRE_WATER").is_none_or(|v| v != "1"),
            "WTA_REQUIRE_WATER=1 but EMBOSS water is not on PATH"
        );
        println!("names_match_water skipped: EMBOSS water is not on PATH");
        return;
    };
    let slow = std::env::var_os("WTA_NAMES_SLOW").is_some_and(|v| v == "1");
    let mut headers = fixed_headers(slow);
    headers.extend(random_headers(600));

    let (readable, unreadable): (Vec<&str>, Vec<&str>) = headers
        .iter()
        .map(String::as_str)
        .partition(|h| !matches!(emboss_name(h), HeaderName::Unreadable(_)));

    let dir = std::env::temp_dir().join(format!("wta-names-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a_file = dir.join("a.fa");
    write_fasta(&a_file, &[""]);

    // Each list entry is one file; remember its records for the expected names.
    let mut files: Vec<Vec<String>> = vec![readable.iter().map(|h| h.to_string()).collect()];
    for (i, header) in unreadable.iter().enumerate() {
        files.push(vec![
            format!("sentinel_{i}"),
            header.to_string(),
            format!("after_{i}"),
        ]);
    }
    let mut list = String::new();
    for (i, records) in files.iter().enumerate() {
        let path = dir.join(format!("b{i}.fa"));
        let records: Vec<&str> = records.iter().map(String::as_str).collect();
        write_fasta(&path, &records);
        let _ = writeln!(list, "{}", path.display());
    }
    let list_file = dir.join("b.list");
    std::fs::write(&list_file, list).unwrap();

    let output = Command::new(&water)
        .arg("-asequence")
        .arg(&a_file)
        .arg("-bsequence")
        .arg(format!("list::{}", list_file.display()))
        .args(["-aformat", "score", "-stdout", "-auto"])
        .output()
        .expect("run water");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        output.status.success(),
        "water failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("water output is UTF-8");

    // Expected: a takes EMBOSS_001, then b records in order, each file stopping at its first
    // unreadable record.
    let mut counter = NameCounter::new();
    let a_name = emboss_name("").resolve(&mut counter).unwrap();
    let mut expected: Vec<(String, String)> = Vec::new();
    for records in &files {
        for header in records {
            match emboss_name(header).resolve(&mut counter) {
                Ok(name) => expected.push((header.clone(), name)),
                Err(_) => break,
            }
        }
    }

    let mut actual_a = Vec::new();
    let mut actual_b = Vec::new();
    for line in stdout.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // "nameA nameB length (score)"; names hold no spaces but may be empty.
        let mut tail = line.rsplitn(3, ' ');
        let (_score, _length, names) = (tail.next(), tail.next(), tail.next().unwrap_or(""));
        let (a, b) = names.split_once(' ').unwrap_or((names, ""));
        actual_a.push(a.to_owned());
        actual_b.push(b.to_owned());
    }

    let mut mismatches = Vec::new();
    for (i, (header, want)) in expected.iter().enumerate() {
        let got = actual_b.get(i).map(String::as_str);
        if got != Some(want.as_str()) {
            mismatches.push(format!("{header:?}: water {got:?}, ours {want:?}"));
        }
    }
    if actual_b.len() > expected.len() {
        mismatches.push(format!(
            "water printed {} lines, we expected {}",
            actual_b.len(),
            expected.len()
        ));
    }
    let bad_a = actual_a.iter().filter(|a| **a != a_name).count();
    println!(
        "names_match_water: {} headers ({} readable in one file, {} unreadable in their own \
         files), {} water lines, {} mismatches, a named {a_name} on all but {bad_a} lines",
        headers.len(),
        readable.len(),
        unreadable.len(),
        actual_b.len(),
        mismatches.len()
    );
    assert_eq!(bad_a, 0, "the a sequence should be {a_name} on every line");
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
