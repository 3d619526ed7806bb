//! Helpers shared by the oracle tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

// The drop-in's command line lives with its example binary; the oracle suites run it in
// process.
#[allow(dead_code)]
#[path = "../../examples/water/cli.rs"]
mod cli;

use cli::{WaterArgs, run_to};

/// water's output without the lines that legitimately differ between runs (date, command
/// line echo, report file name).
pub fn normalize(text: &str) -> String {
    text.lines()
        .filter(|line| {
            !(line.starts_with("# Rundate:")
                || line.starts_with("# Commandline:")
                || line.starts_with("#    ")
                || line.starts_with("# Report_file:"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs this crate's water on `args` as if started in `dir`; the report text, or the error.
pub fn run_ours(dir: &Path, args: &[String]) -> Result<String, String> {
    let parsed = WaterArgs::parse(args)
        .map_err(|e| e.to_string())?
        .in_dir(dir);
    let mut out = Vec::new();
    run_to(&parsed, &mut out, &mut std::io::sink()).map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out).expect("water output is UTF-8"))
}

/// The real EMBOSS water, if installed. With `WTA_REQUIRE_WATER=1` its absence panics.
pub fn real_water() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("water"))
            .find(|candidate| {
                candidate.is_file()
                    && Command::new(candidate)
                        .arg("-version")
                        .output()
                        .map(|out| String::from_utf8_lossy(&out.stderr).contains("EMBOSS:6.6"))
                        .unwrap_or(false)
            })
    });
    if found.is_none() {
        if std::env::var("WTA_REQUIRE_WATER").as_deref() == Ok("1") {
            panic!(
                "WTA_REQUIRE_WATER=1 but EMBOSS water 6.6 is not on PATH (apt-get install emboss)"
            );
        }
        eprintln!(
            "SKIPPED: EMBOSS water 6.6 not found on PATH; live oracle comparisons did not run"
        );
    }
    found
}

/// Runs the real water in `dir` with `args` (`-stdout -auto` added); stdout, or stderr on
/// failure.
pub fn run_water(water: &Path, dir: &Path, args: &[String]) -> Result<String, String> {
    let out = Command::new(water)
        .args(args)
        .args(["-stdout", "-auto"])
        .current_dir(dir)
        .output()
        .expect("water starts");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}
