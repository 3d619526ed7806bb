//! A drop-in for EMBOSS `water`: `cargo run --release --example water -- a.fa b.fa -stdout -auto`.

// Its accessors (and `run_to`) serve the in-process tests and the fuzz target too.
#[allow(dead_code)]
mod cli;
// Temporary report and nothing else left behind on SIGINT/SIGTERM.
#[path = "../harness/interrupt.rs"]
mod interrupt;
#[cfg(test)]
mod tests;

use std::process::ExitCode;

use cli::{WaterArgs, exit_status, run};

fn main() -> ExitCode {
    interrupt::clean_up_on_signals("water");
    let result = WaterArgs::parse(std::env::args().skip(1))
        .and_then(|args| run(&args, &mut std::io::stderr()));
    ExitCode::from(exit_status(result, &mut std::io::stderr()))
}
