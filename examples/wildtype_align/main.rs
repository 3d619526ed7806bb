//! The wild-type pipeline as a command:
//!
//! ```text
//! cargo run --release --example wildtype_align -- \
//!     --protein-dir proteins/ --references data/wildtype/references.faa \
//!     --output-dir out/ [--target-genes blaTEM,blaCTX-M | --target-genes genes.txt] \
//!     [--catalogue known.tsv] [--write-alignments] [--threads 8] [--shard 2/8]
//! cargo run --release --example wildtype_align -- --render-report out/
//! ```
//!
//! Exit codes:
//!
//! | code | meaning |
//! | ---- | ------- |
//! | 0 | run complete, every target aligned (or `--detect-emboss` found water) |
//! | 1 | a file could not be read or written (missing, unreadable, disk full; a directory where an output file goes; the output directory in use by another run); nothing written |
//! | 2 | bad command line or setting: unknown gene in `--target-genes`, a gap penalty or tier value that is not a number, a bad `WTA_KERNEL` (clap's usage errors are 2 as well) |
//! | 3 | bad input data: malformed FASTA (also gzip damage, a byte-order mark, `;` comment lines), catalogue or gene-map row (also text that is not UTF-8), empty or duplicate references; nothing written |
//! | 4 | run complete and outputs written, but some targets were not aligned (see their status) |
//! | 5 | `--detect-emboss`: no `water` on PATH |
//! | 130, 143 | interrupted by SIGINT or SIGTERM: temporary files and the lock removed, nothing written |
//!
//! Warnings (`warning: ...` on standard error, and in `manifest.json`) do not change the exit
//! code: files skipped in a `--protein-dir`, a file given twice, a gap penalty clamped into
//! water's range, `--threads` above the core count, repeated accessions, checksum fields that
//! do not match their sequence, catalogue genes without a reference, headers that are not
//! UTF-8 or hold control bytes.

// What the machine offers (EMBOSS water, SIMD level), shared with the bench harness.
#[path = "../harness/detect.rs"]
mod detect;
// Temporary files and the output directory's lock removed on SIGINT/SIGTERM.
#[path = "../harness/interrupt.rs"]
mod interrupt;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use wildtype_aligner::Error;
use wildtype_aligner::align::AlignError;
use wildtype_aligner::fasta::FastaErrorKind;
use wildtype_aligner::scoring::ScoringError;
use wildtype_aligner::wildtype::{
    self, GeneRule, PipelineConfig, Progress, Shard, TierRule, TierThresholds,
};

/// Align target proteins against their gene's wild-type reference exactly as EMBOSS water
/// does, and call mutations in reference numbering.
#[derive(Debug, Parser)]
#[command(version, after_help = AFTER_HELP)]
struct Args {
    /// Directory of target protein files: *.fasta, *.fa, *.faa, *.fas, *.fsa, *.pep, *.aa,
    /// optionally .gz (every other entry is skipped with a warning).
    #[arg(long, value_name = "DIR")]
    protein_dir: Vec<PathBuf>,
    /// Target protein FASTA files (`-` reads standard input).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    proteins: Vec<PathBuf>,
    /// Genome assemblies (nucleotide FASTA, plain or gzip, any number of contigs) or
    /// directories of them (.fasta, .fa, .fna, .fas, .fsa, .fsta, .seq, optionally .gz):
    /// every copy of each reference gene is found, extracted, translated and called.
    #[arg(long, value_name = "DIR|FILE", num_args = 1.., conflicts_with_all = ["protein_dir", "proteins"])]
    genomes: Vec<PathBuf>,
    /// Unlabelled proteomes (Prodigal's or Bakta's .faa of an assembly; files or
    /// directories): each protein is assigned to the reference gene it matches best (identity
    /// >= 70%, reference coverage >= 25%), every gene without one is an absent row.
    #[arg(long, value_name = "DIR|FILE", num_args = 1.., conflicts_with_all = ["protein_dir", "proteins", "genomes"])]
    proteomes: Vec<PathBuf>,
    /// Reference multi-FASTA (gene = first word of each header), directory of {gene}.fasta,
    /// or a PointFinder species folder (genes.txt and one .fsa per gene).
    #[arg(long, value_name = "PATH", required_unless_present_any = ["detect_emboss", "species", "render_report"])]
    references: Option<PathBuf>,
    /// PointFinder's references for this species, built in: escherichia_coli, salmonella,
    /// campylobacter (instead of --references).
    #[arg(long, value_name = "NAME", conflicts_with = "references")]
    species: Option<String>,
    /// Output directory.
    #[arg(long, value_name = "DIR", required_unless_present_any = ["detect_emboss", "render_report"])]
    output_dir: Option<PathBuf>,
    /// Only targets of these genes: a comma-separated list or a file with one gene a line
    /// (a value with a '/' or a .txt ending is always a file). Every gene needs a reference.
    #[arg(long, value_name = "GENES")]
    target_genes: Option<String>,
    /// Gene of headers not in accession|gene|start-end|strand|contig|checksum form:
    /// field:N, word:N or key:NAME.
    #[arg(long, value_name = "RULE")]
    gene_from: Option<GeneRule>,
    /// Accession-to-gene TSV, used before the header.
    #[arg(long, value_name = "FILE")]
    gene_map: Option<PathBuf>,
    /// water's -gapopen: 0 to 100 (outside, clamped with water's warning).
    #[arg(long, default_value_t = 10.0)]
    gap_open: f32,
    /// water's -gapextend: 0 to 10 (outside, clamped with water's warning).
    #[arg(long, default_value_t = 0.5)]
    gap_extend: f32,
    /// Known mutations: TSV of gene, mutation and free columns.
    #[arg(long, value_name = "FILE")]
    catalogue: Option<PathBuf>,
    /// Write alignments/{accession}_{gene}.water (water's srspair report) for every pair.
    #[arg(long)]
    write_alignments: bool,
    /// Worker threads, at least 1 (default: one per core; more than the cores are capped, with
    /// a warning).
    #[arg(long, value_parser = at_least_one)]
    threads: Option<usize>,
    /// Process the K-th of N contiguous slices of the targets.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// HIGH tier minimums, identity/coverage/score_ratio.
    #[arg(long, value_name = "I/C/R")]
    high: Option<TierRule>,
    /// MEDIUM tier minimums.
    #[arg(long, value_name = "I/C/R")]
    medium: Option<TierRule>,
    /// LOW tier minimums.
    #[arg(long, value_name = "I/C/R")]
    low: Option<TierRule>,
    /// Report where water is, its version and the CPU's SIMD level, then exit.
    #[arg(long)]
    detect_emboss: bool,
    /// Write DIR/report.html again from the finished output directory DIR's tables and
    /// manifest (after gathering shards, say), then exit; nothing is aligned.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["detect_emboss", "output_dir"])]
    render_report: Option<PathBuf>,
}

/// Tiers, statuses and exit codes, below the options of `--help` (docs/reference.md has all).
const AFTER_HELP: &str = "\
Tiers (all three minimums: identity %, reference coverage %, score ratio):
  HIGH 95/90/0.8, MEDIUM 80/70/0.5, LOW 70/50/0.3; below LOW: FAILED.
  An aligned target below LOW is not_homologous: its row stays, it gets no calls.

Status of a target: ok, not_homologous, not_protein, no_reference, bad_header,
  empty_sequence, alignment_error; genome runs: absent (no copy of the gene found:
  not wild type, and not counted as a problem).

Genome runs (--genomes with --species or a PointFinder folder as --references): each copy
  of a gene is a target (genome|gene|start-end|strand|contig|checksum, written to
  targets.faa); calls gain codon changes and positions; synonymous codon changes are
  notes (kind synonymous).

Exit codes:
  0    run complete, every target aligned
  1    a file could not be read or written; a directory where an output goes;
       the output directory in use by another run (nothing written)
  2    bad command line or setting (bad number, unknown gene, bad WTA_KERNEL)
  3    bad input data: malformed FASTA or gzip, catalogue or gene-map row (nothing written)
  4    outputs written, but some targets were not aligned (see their status)
  5    --detect-emboss: no water on PATH
  130, 143  interrupted by SIGINT or SIGTERM (temporary files and the lock removed)

Warnings (skipped files, clamped penalties, checksums...) go to standard error and
manifest.json and do not change the exit code.

report.html (tiers, lollipop plots of the mutated positions, phenotypes) is written by every
run; --render-report DIR writes it again from a finished output directory's tables.";

/// `--threads`: a count of 1 or more (0 would silently mean "one per core").
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1 (leave --threads out for one per core)".into()),
        Ok(count) => Ok(count),
        Err(error) => Err(error.to_string()),
    }
}

/// An indicatif bar, hidden when stderr is not a terminal.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, total: usize) {
        self.0.set_length(total as u64);
    }
    fn advance(&self, _done: usize) {
        self.0.inc(1);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
    fn warning(&self, warning: &wildtype::Warning) {
        self.0.suspend(|| eprintln!("warning: {warning}"));
    }
}

fn exit_code(error: &Error) -> u8 {
    match error {
        Error::Io { .. } => 1,
        Error::BadOption { .. }
        | Error::NoTargetFiles
        | Error::EmptyGeneList { .. }
        | Error::UnknownGene { .. }
        | Error::Scoring(ScoringError::GapOutOfRange { .. })
        | Error::Align(
            AlignError::KernelUnavailable(_)
            | AlignError::UnknownKernel(_)
            | AlignError::KernelVariable(_),
        ) => 2,
        Error::Format { .. }
        | Error::Input { .. }
        | Error::Header(_)
        | Error::Align(AlignError::EmptySequence { .. }) => 3,
        // A FASTA file that cannot be read is 1 like any other; one that reads but is not
        // valid FASTA (damaged gzip included) is bad input data.
        Error::Fasta(error) if *error.kind() == FastaErrorKind::Io => 1,
        Error::Fasta(_) => 3,
        _ => 1,
    }
}

#[cfg(test)]
mod tests;

fn detect() -> ExitCode {
    println!("simd\t{}", detect::simd_level());
    match detect::find_water() {
        Some(water) => {
            println!("water\t{}", water.path.display());
            println!(
                "emboss_version\t{}",
                water.version.as_deref().unwrap_or("unknown")
            );
            ExitCode::SUCCESS
        }
        None => {
            println!("water\tnot found on PATH");
            ExitCode::from(5)
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    interrupt::clean_up_on_signals("wildtype_align");
    if args.detect_emboss {
        return detect();
    }
    if let Some(dir) = &args.render_report {
        // Warnings (a stale lock taken over) go to stderr, as a run's do.
        return match wildtype::write_report(dir, &()) {
            Ok(path) => {
                eprintln!("wrote {}", path.display());
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::from(exit_code(&error))
            }
        };
    }
    let Some(output_dir) = args.output_dir else {
        unreachable!("clap requires --output-dir without --detect-emboss or --render-report");
    };
    let references = args.references.unwrap_or_default();
    let proteins: Vec<PathBuf> = args.protein_dir.into_iter().chain(args.proteins).collect();
    if proteins.is_empty() && args.genomes.is_empty() && args.proteomes.is_empty() {
        eprintln!("error: give --protein-dir, --proteins, --genomes or --proteomes");
        return ExitCode::from(2);
    }
    let defaults = TierThresholds::default();
    let mut config = PipelineConfig::new(&proteins, references, output_dir)
        .genomes(&args.genomes)
        .proteomes(&args.proteomes)
        .gaps(args.gap_open, args.gap_extend)
        .write_alignments(args.write_alignments)
        .tiers(
            defaults
                .with_high(args.high.unwrap_or(defaults.high()))
                .with_medium(args.medium.unwrap_or(defaults.medium()))
                .with_low(args.low.unwrap_or(defaults.low())),
        );
    if let Some(species) = args.species {
        config = config.species(species);
    }
    if let Some(genes) = args.target_genes {
        config = config.target_genes(genes);
    }
    if let Some(rule) = args.gene_from {
        config = config.gene_rule(rule);
    }
    if let Some(map) = args.gene_map {
        config = config.gene_map(map);
    }
    if let Some(catalogue) = args.catalogue {
        config = config.catalogue(catalogue);
    }
    if let Some(threads) = args.threads {
        config = config.threads(threads);
    }
    if let Some(shard) = args.shard {
        config = config.shard(shard);
    }
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(0).with_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} targets {per_sec} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        )
    } else {
        ProgressBar::hidden()
    };
    match wildtype::run(&config, &Bar(bar)) {
        Ok(summary) => {
            let tiers: Vec<String> = summary
                .per_tier
                .iter()
                .map(|(tier, count)| format!("{tier} {count}"))
                .collect();
            let absent = if summary.absent > 0 {
                format!(", {} genes absent", summary.absent)
            } else {
                String::new()
            };
            eprintln!(
                "{} targets, {} aligned, {} not aligned{absent}, {} mutations ({}) in {:.2}s -> {}",
                summary.targets,
                summary.aligned,
                summary.problems,
                summary.mutations,
                tiers.join(", "),
                summary.wall_seconds,
                summary.output_dir.display()
            );
            if summary.problems > 0 {
                ExitCode::from(4)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(exit_code(&error))
        }
    }
}
