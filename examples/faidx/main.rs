//! `samtools faidx FILE [REGION ...]`: index a FASTA file, or print regions of it.
//!
//! ```text
//! cargo run --release --example faidx -- refs.fa gyrA_1:83-87 -n 60
//! ```

// Its accessors (and `run_to`) serve the in-process tests and the fuzz target too.
#[allow(dead_code)]
mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    let status = cli::main(
        std::env::args_os().skip(1),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(status.clamp(0, 255) as u8)
}
