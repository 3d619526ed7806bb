//! What `report.html` costs on a large run: its size, the time to render it from the tables,
//! and the time headless Chromium takes to open it, for a synthetic set (100K targets by
//! default, as `bench_sets` makes them):
//!
//! ```text
//! cargo run --release --example bench_report -- [--size 100000] [--catalogue known.tsv] \
//!     [--chromium chromium] [--repeat 3] [--work-dir DIR]
//! ```
//!
//! Chromium's times are the wall time of one `chromium --headless` process (start, load,
//! layout, then the DOM dumped or a screenshot written), the median of `--repeat` runs, next
//! to the same for an empty page: the difference is the report's own cost. Printed, never
//! asserted. Exit codes: 0 measured, 2 bad command line, 3 a failed step.

// The benchmark harness, shared by the bench examples and the criterion benches.
#[allow(dead_code)]
#[path = "../harness/mod.rs"]
mod harness;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use clap::Parser;
use harness::{Result, io_error};
use wildtype_aligner::wildtype::{PipelineConfig, ReferenceSet, render_report, run};

/// Measure report.html on a large synthetic run: size, render time, Chromium open time.
#[derive(Debug, Parser)]
struct Args {
    /// Targets in the synthetic set.
    #[arg(long, default_value_t = 100_000)]
    size: usize,
    /// Seed of the synthetic set.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// References (multi-FASTA or directory of per-gene files).
    #[arg(
        long,
        value_name = "FILE",
        default_value = "data/wildtype/references.faa"
    )]
    references: PathBuf,
    /// A catalogue, so that known and novel calls are told apart.
    #[arg(long, value_name = "FILE")]
    catalogue: Option<PathBuf>,
    /// The Chromium binary.
    #[arg(long, default_value = "chromium")]
    chromium: PathBuf,
    /// Chromium runs per measurement (the median is printed).
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// Keep the set and the run's outputs here instead of a removed temporary directory.
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
}

/// Seconds of one headless Chromium run on `page` with `args`.
fn chromium_seconds(chromium: &Path, profile: &Path, page: &Path, args: &[String]) -> Result<f64> {
    let started = Instant::now();
    let status = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|error| format!("{}: {error}", chromium.display()))?;
    if !status.success() {
        return Err(format!("{} exited with {status}", chromium.display()).into());
    }
    Ok(started.elapsed().as_secs_f64())
}

/// The median of `repeat` runs.
fn median(repeat: usize, mut measure: impl FnMut() -> Result<f64>) -> Result<f64> {
    let mut times = (0..repeat.max(1))
        .map(|_| measure())
        .collect::<Result<Vec<f64>>>()?;
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

fn bench(args: &Args, work: &Path) -> Result<()> {
    let references = ReferenceSet::from_path(&args.references)?;
    let set = harness::prepare_set(
        &references,
        None,
        args.seed,
        args.size,
        &work.join("targets.faa"),
    )?;
    let out = work.join("out");
    let mut config = PipelineConfig::new([&set.path], &args.references, &out);
    if let Some(catalogue) = &args.catalogue {
        config = config.catalogue(catalogue);
    }
    let started = Instant::now();
    let summary = run(&config, &())?;
    let run_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let page = render_report(&out)?;
    let render_seconds = started.elapsed().as_secs_f64();
    let report = out.join("report.html");
    let bytes = |name: &str| std::fs::metadata(out.join(name)).map_or(0, |m| m.len());
    let lollipops = String::from_utf8_lossy(&page)
        .matches("<g class=\"lollipop ")
        .count();
    println!(
        "run: {} targets, {} mutations, {run_seconds:.2}s (report included)",
        summary.targets, summary.mutations
    );
    println!(
        "report.html: {} bytes ({:.2} MB; mutations.tsv {:.1} MB), {lollipops} lollipops, \
         rendered again from the tables in {render_seconds:.2}s",
        bytes("report.html"),
        bytes("report.html") as f64 / 1e6,
        bytes("mutations.tsv") as f64 / 1e6,
    );
    let empty = work.join("empty.html");
    std::fs::write(&empty, "<!DOCTYPE html><html><body></body></html>\n")
        .map_err(|source| io_error(&empty, source))?;
    let profile = work.join("chromium-profile");
    let modes = [
        ("dump-dom", vec!["--dump-dom".to_owned()]),
        (
            "screenshot",
            vec![
                format!("--screenshot={}", work.join("shot.png").display()),
                "--window-size=1280,1600".to_owned(),
            ],
        ),
    ];
    for (what, arguments) in &modes {
        let baseline = median(args.repeat, || {
            chromium_seconds(&args.chromium, &profile, &empty, arguments)
        })?;
        let full = median(args.repeat, || {
            chromium_seconds(&args.chromium, &profile, &report, arguments)
        })?;
        println!(
            "chromium --headless --{what}: report.html {full:.2}s, empty page {baseline:.2}s \
             (the report's own cost {:.2}s; median of {})",
            full - baseline,
            args.repeat.max(1)
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    let temporary;
    let work = match &args.work_dir {
        Some(dir) => dir.clone(),
        None => match tempfile::tempdir() {
            Ok(dir) => {
                temporary = dir;
                temporary.path().to_owned()
            }
            Err(error) => {
                eprintln!("error: no temporary directory: {error}");
                return ExitCode::from(3);
            }
        },
    };
    if let Err(error) = std::fs::create_dir_all(&work) {
        eprintln!("error: {}: {error}", work.display());
        return ExitCode::from(3);
    }
    match bench(&args, &work) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(3)
        }
    }
}
