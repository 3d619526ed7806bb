//! Recorded oracle: every case under `data/water-cases/` and `data/oracle/` was produced by the
//! real EMBOSS water 6.6.0 (`cmd` is the command run in the case directory, `out.water` its
//! output). The crate's water must reproduce each output after the run header, byte for byte.
//! Runs on every `cargo test`, with or without EMBOSS installed.

mod common;

use std::path::{Path, PathBuf};

fn case_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.join("cmd").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// The case's arguments, with `-outfile out.water` kept (only the report name is affected).
fn case_args(dir: &Path) -> Vec<String> {
    let cmd = std::fs::read_to_string(dir.join("cmd")).expect("cmd readable");
    let mut words: Vec<String> = cmd.split_whitespace().map(str::to_owned).collect();
    assert_eq!(
        words.first().map(String::as_str),
        Some("water"),
        "{}",
        dir.display()
    );
    words.remove(0);
    words
}

fn check_all(root: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
    let dirs = case_dirs(&root);
    let mut failures = Vec::new();
    for dir in &dirs {
        let expected = std::fs::read_to_string(dir.join("out.water")).expect("out.water");
        match common::run_ours(dir, &case_args(dir)) {
            Ok(got) if common::normalize(&got) == common::normalize(&expected) => {}
            Ok(got) => failures.push(format!(
                "{}: output differs\n--- water\n{}\n--- ours\n{}",
                dir.display(),
                common::normalize(&expected),
                common::normalize(&got)
            )),
            Err(error) => failures.push(format!("{}: {error}", dir.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
    dirs.len()
}

#[test]
fn crafted_water_cases() {
    let count = check_all("data/water-cases");
    assert!(count >= 25, "only {count} crafted cases found");
}

#[test]
fn recorded_corpus() {
    let count = check_all("data/oracle");
    assert!(count >= 100, "only {count} recorded cases found");
}
