//! The pipeline on 1K / 10K / 100K target sets, side by side with its peers:
//!
//! ```text
//! cargo run --release --features parasail --example bench_sets -- \
//!     [--sizes 1000,10000,100000] [--threads 2] [--seed 42] [--water-sample 100] [--json]
//! cargo run --release --example bench_sets -- --targets my_proteins.fasta \
//!     --references data/wildtype/references.faa --sizes 5000
//! ```
//!
//! Sets are synthesized from the references (see `examples/harness/synth.rs`) unless
//! `--targets` is given. Each size runs in a child process of this binary (so each peak memory
//! is that size's own). Before timing anything, the crate's reports on `--check-sample`
//! targets are compared with the real water's; a difference exits with code 3 and no table.
//! Exit codes: 0 measured, 2 bad command line, 3 wrong answers or a failed run.

// The benchmark harness, shared by the bench examples and the criterion benches.
#[allow(dead_code)]
#[path = "../harness/mod.rs"]
mod harness;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use harness as bench;

/// Benchmark the wild-type pipeline on target sets of several sizes against EMBOSS water,
/// parasail and the scalar engine.
#[derive(Debug, Parser)]
struct Args {
    /// Set sizes (targets), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000,100000")]
    sizes: Vec<usize>,
    /// Worker threads for every engine (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Seed of the synthetic sets.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Targets timed with water (per target and batch), extrapolated by cells.
    #[arg(long, default_value_t = 100)]
    water_sample: usize,
    /// Targets whose reports are compared with the real water's before timing.
    #[arg(long, default_value_t = 20)]
    check_sample: usize,
    /// Largest set the scalar engine and parasail run in full (larger ones are extrapolated).
    #[arg(long, default_value_t = 10_000)]
    peer_sample: usize,
    /// Your targets (FASTA, pipeline headers) instead of synthetic ones; sizes take prefixes.
    #[arg(long, value_name = "FILE")]
    targets: Option<PathBuf>,
    /// References (multi-FASTA or directory of per-gene files).
    #[arg(
        long,
        value_name = "FILE",
        default_value = "data/wildtype/references.faa"
    )]
    references: PathBuf,
    /// Keep sets and outputs here instead of a removed temporary directory.
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
    /// Internal: measure one pipeline run in this process and print it as JSON.
    #[arg(long, hide = true)]
    child: bool,
    /// Internal (with --child): output directory.
    #[arg(long, hide = true)]
    output_dir: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.child {
        let (Some(targets), Some(out)) = (&args.targets, &args.output_dir) else {
            eprintln!("error: --child needs --targets and --output-dir");
            return ExitCode::from(2);
        };
        return match bench::measure_pipeline(targets, &args.references, out, args.threads) {
            Ok(measurement) => {
                println!(
                    "{}",
                    serde_json::to_string(&measurement).unwrap_or_default()
                );
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::from(3)
            }
        };
    }
    let executable = match std::env::current_exe() {
        Ok(path) => path,
        Err(error) => {
            eprintln!("error: cannot find this executable to re-run it: {error}");
            return ExitCode::from(3);
        }
    };
    let options = bench::SuiteOptions {
        sizes: args.sizes,
        threads: args.threads,
        seed: args.seed,
        water_sample: args.water_sample,
        check_sample: args.check_sample,
        peer_sample: args.peer_sample,
        targets: args.targets,
        references: args.references,
        work_dir: args.work_dir,
        executable,
    };
    match bench::run_suite(&options, &mut |line| eprintln!("{line}")) {
        Ok(report) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else {
                print!("{}", bench::render_table(&report));
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(3)
        }
    }
}
