//! Writes seeded synthetic genomes with planted truth: `DIR/<name>.fasta` (or `.fasta.gz`) and
//! `DIR/<name>.truth.tsv` per genome. The generator and the truth format are documented in
//! `examples/harness/genomes.rs`.
//!
//! ```text
//! cargo run --release --example make_genomes -- --species escherichia_coli --count 3 \
//!     --seed 1 --size-mb 5 --contigs 100 --out genomes/
//! ```

#[allow(dead_code)]
#[path = "../harness/genomes.rs"]
mod genomes;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use wildtype_aligner::wildtype::genome::Species;

/// Seeded synthetic genomes with planted PointFinder-gene changes and their truth table.
#[derive(Debug, Parser)]
#[command(name = "make_genomes")]
struct Args {
    /// Embedded species (escherichia_coli, salmonella, campylobacter).
    #[arg(long, default_value = "escherichia_coli")]
    species: String,
    /// Number of genomes.
    #[arg(long, default_value_t = 1)]
    count: usize,
    /// Seed of the set; genome i is seeded from it and i.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Genome size in megabases (fractions allowed: 0.3).
    #[arg(long, default_value_t = 5.0)]
    size_mb: f64,
    /// Contigs per genome.
    #[arg(long, default_value_t = 100)]
    contigs: usize,
    /// Output directory (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Name prefix of the genomes (`<prefix>_0000`).
    #[arg(long, default_value = "genome")]
    prefix: String,
    /// Write gzipped FASTA.
    #[arg(long)]
    gzip: bool,
    /// Only intact real genes with missense substitutions.
    #[arg(long)]
    plain: bool,
    /// Kinds to turn off, comma-separated: substitutions, synonymous, stops, indels,
    /// frameshifts, n_runs, paralogs, partial, split, absent, lower_case, rna, promoter.
    #[arg(long, default_value = "")]
    without: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("make_genomes: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), genomes::GenError> {
    let species = Species::embedded(&args.species)?;
    let kinds = if args.plain {
        genomes::Kinds::plain()
    } else {
        genomes::Kinds::all()
    }
    .without(&args.without)?;
    if args.size_mb.is_nan() || args.size_mb <= 0.0 {
        return Err(format!("--size-mb must be positive, got {}", args.size_mb).into());
    }
    let spec = genomes::GenomeSpec {
        size: (args.size_mb * 1e6) as usize,
        contigs: args.contigs.max(2),
        kinds,
    };
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    for index in 0..args.count {
        let (genome, path) = genomes::write_genome(
            &species,
            &spec,
            args.seed,
            index,
            &args.prefix,
            &args.out,
            args.gzip,
        )?;
        println!(
            "{}\t{} bp\t{} contigs\t{}",
            path.display(),
            genome.size(),
            genome.contigs.len(),
            genomes::summary(&genome)
        );
    }
    Ok(())
}
