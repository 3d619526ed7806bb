//! A drop-in for EMBOSS `water`: `cargo run --release --example water -- a.fa b.fa -stdout -auto`.

use std::process::ExitCode;

use wildtype_aligner::cli::water::{WaterArgs, run};

fn main() -> ExitCode {
    let result = WaterArgs::parse(std::env::args().skip(1))
        .and_then(|args| run(&args, &mut std::io::stderr()));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Error: {error}");
            ExitCode::FAILURE
        }
    }
}
