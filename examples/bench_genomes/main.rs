//! Genomes in, timed against PointFinder: N synthetic E. coli-sized genomes (seeded, with
//! paralog decoys and every planted kind; see `examples/harness/genomes.rs`) searched by this
//! crate on one thread (read the FASTA, then [`GenomeCaller`]: every copy of the 13 E. coli
//! references found, aligned, graded and called) and, for the first few, by the real
//! PointFinder (ResFinder 4.3, default mode) in the same run. Prints per-genome seconds
//! (median, min, max) of both, their ratio, this process's peak memory, and every call
//! PointFinder makes that this crate does not.
//!
//! `--memory-genomes 1000` instead runs this crate alone over 1,000 genomes (a few files read
//! again and again under their genome index) and prints peak memory after 10, 100 and 1,000.
//!
//! ```text
//! cargo run --release --example bench_genomes -- --count 20 --pointfinder 10
//! cargo run --release --example bench_genomes -- --memory-genomes 1000
//! ```

#[allow(dead_code)]
#[path = "../harness/genomes.rs"]
mod genomes;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use clap::Parser;
use genomes::{GenError, GenomeSpec, Kinds, TruthRow};
use wildtype_aligner::fasta;
use wildtype_aligner::wildtype::genome::{Contig, Species};
use wildtype_aligner::wildtype::{GenomeCaller, Status};

/// Synthetic genomes: this crate's genome search against PointFinder.
#[derive(Debug, Parser)]
#[command(name = "bench_genomes")]
struct Args {
    /// Genomes searched by this crate.
    #[arg(long, default_value_t = 20)]
    count: usize,
    /// Of those, how many PointFinder also runs on (the first ones); 0 to skip it.
    #[arg(long, default_value_t = 10)]
    pointfinder: usize,
    /// Seed of the genome set.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Genome size in megabases.
    #[arg(long, default_value_t = 5.0)]
    size_mb: f64,
    /// Contigs per genome.
    #[arg(long, default_value_t = 100)]
    contigs: usize,
    /// Kinds not to plant (comma list, as make_genomes --without).
    #[arg(long, default_value = "")]
    without: String,
    /// Instead of the comparison: this crate alone over this many genomes, peak memory at
    /// 10, 100, 1,000, ...
    #[arg(long)]
    memory_genomes: Option<usize>,
    /// Directory for the genomes and PointFinder's outputs (default: a new directory under
    /// the system's temporary directory, removed at the end unless --keep).
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Keep the default work directory.
    #[arg(long)]
    keep: bool,
    /// PointFinder's database (Debian's `resfinder-example` copy; gzipped files are unpacked
    /// into the work directory).
    #[arg(
        long,
        default_value = "/usr/share/doc/resfinder/examples/db_pointfinder"
    )]
    pointfinder_db: PathBuf,
    /// ResFinder's database directory.
    #[arg(long, default_value = "/usr/share/resfinder/db")]
    resfinder_db: PathBuf,
    /// The Python with ResFinder's modules.
    #[arg(long, default_value = "/usr/bin/python3")]
    python: PathBuf,
    /// ResFinder's script.
    #[arg(long, default_value = "/usr/bin/run_resfinder.py")]
    resfinder: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench_genomes: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The work directory and whether this run made it (then it removes it at the end).
fn work_dir(args: &Args) -> Result<(PathBuf, bool), GenError> {
    match &args.work_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            Ok((dir.clone(), false))
        }
        None => {
            let dir = std::env::temp_dir().join(format!("bench_genomes_{}", std::process::id()));
            std::fs::create_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            Ok((dir, !args.keep))
        }
    }
}

fn run(args: &Args) -> Result<(), GenError> {
    if args.size_mb.is_nan() || args.size_mb <= 0.0 {
        return Err(format!("--size-mb must be positive, got {}", args.size_mb).into());
    }
    let species = Species::embedded("escherichia_coli")?;
    let spec = GenomeSpec {
        size: (args.size_mb * 1e6) as usize,
        contigs: args.contigs.max(2),
        kinds: Kinds::all().without(&args.without)?,
    };
    let (dir, remove) = work_dir(args)?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let result = pool.install(|| match args.memory_genomes {
        Some(n) => memory(args, &species, &spec, &dir, n),
        None => compare(args, &species, &spec, &dir),
    });
    if remove {
        // Only the directory this run made, with what it wrote.
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    } else {
        println!("files kept in {}", dir.display());
    }
    result
}

/// One genome through this crate: its coding calls as (gene, call in PointFinder's
/// notation without `p.`), and how many copies.
struct Ours {
    seconds: f64,
    copies: usize,
    calls: BTreeSet<(String, String)>,
}

/// Reads a genome's FASTA and hands its contigs to the library's [`GenomeCaller`]: every
/// copy of the 13 E. coli references (coding genes, RNA genes, the ampC promoter) found,
/// aligned, graded and called, as a genome run does.
fn ours(caller: &GenomeCaller, path: &Path) -> Result<Ours, GenError> {
    let started = Instant::now();
    let records = fasta::read_all(path)?;
    let contigs: Vec<Contig<'_>> = records
        .iter()
        .map(|r| Contig::new(r.id(), r.seq()))
        .collect();
    let results = caller.call("genome", &contigs)?;
    let seconds = started.elapsed().as_secs_f64();
    let mut calls = BTreeSet::new();
    let mut copies = 0;
    for result in &results {
        let Some(gene) = result.record.gene.as_deref() else {
            continue;
        };
        copies += usize::from(result.record.status == Status::Ok);
        for record in &result.mutations {
            // PointFinder's notation without the gene and its `p.`/`r.`/`n.` (the pipeline's
            // `pointfinder` column); ours for what PointFinder does not write.
            let call = match record
                .pointfinder
                .as_deref()
                .and_then(|p| p.split_once(' '))
            {
                Some((_, change)) => change.split_once('.').map_or(change, |(_, c)| c).to_owned(),
                None => record.call.mutation.to_string(),
            };
            calls.insert((gene.to_owned(), call));
        }
    }
    Ok(Ours {
        seconds,
        copies,
        calls,
    })
}

/// One PointFinder call: gene, change (`p.S83L`, `r.2058A>G`), tag (`Premature stop codon`).
type PointFinderCall = (String, String, String);

/// PointFinder on one genome: wall seconds and its calls.
fn pointfinder(
    args: &Args,
    db: &Path,
    fasta: &Path,
    out: &Path,
) -> Result<(f64, Vec<PointFinderCall>), GenError> {
    let log = std::fs::File::create(out.with_extension("log"))?;
    let started = Instant::now();
    let status = Command::new(&args.python)
        .arg(&args.resfinder)
        .arg("-ifa")
        .arg(fasta)
        .arg("-o")
        .arg(out)
        .args(["-s", "Escherichia coli", "--point", "-db_point"])
        .arg(db)
        .arg("-db_res")
        .arg(&args.resfinder_db)
        .arg("--ignore_missing_species")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .status()
        .map_err(|e| format!("{}: {e}", args.python.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    let results = out.join("PointFinder_results.txt");
    if !status.success() {
        return Err(format!(
            "PointFinder failed on {} ({status}); see {}",
            fasta.display(),
            out.with_extension("log").display()
        )
        .into());
    }
    let text =
        std::fs::read_to_string(&results).map_err(|e| format!("{}: {e}", results.display()))?;
    let calls = text
        .lines()
        .skip(1)
        .filter_map(|line| {
            let first = line.split('\t').next()?;
            let (mutation, tag) = first.split_once(" - ").unwrap_or((first, ""));
            let (gene, change) = mutation.split_once(' ')?;
            Some((gene.to_owned(), change.to_owned(), tag.to_owned()))
        })
        .collect();
    Ok((seconds, calls))
}

/// A copy of PointFinder's species folder with its gzipped files unpacked (ResFinder 4.3
/// reads `phenotypes.txt`, which Debian ships gzipped).
fn unpack_db(source: &Path, dir: &Path) -> Result<PathBuf, GenError> {
    let db = dir.join("db_pointfinder");
    let species = db.join("escherichia_coli");
    std::fs::create_dir_all(&species)?;
    for (from, to) in [
        (source.to_path_buf(), db.clone()),
        (source.join("escherichia_coli"), species),
    ] {
        for entry in std::fs::read_dir(&from).map_err(|e| format!("{}: {e}", from.display()))? {
            let path = entry?.path();
            if !path.is_file() {
                continue;
            }
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            match name.strip_suffix(".gz") {
                Some(plain) => {
                    let mut text = Vec::new();
                    std::io::Read::read_to_end(
                        &mut flate2::read::MultiGzDecoder::new(&bytes[..]),
                        &mut text,
                    )
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                    std::fs::write(to.join(plain), text)?;
                }
                None => std::fs::write(to.join(&name), bytes)?,
            }
        }
    }
    Ok(db)
}

/// Median, min and max of some seconds.
fn spread(values: &[f64]) -> (f64, f64, f64) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n == 0 {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    (median, sorted[0], sorted[n - 1])
}

fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// The truth rows of a genome's coding call `(gene, call)`: which copies it was planted in.
fn planted_in(truth: &[TruthRow], gene: &str, call: &str) -> Vec<String> {
    truth
        .iter()
        .filter(|r| {
            // RNA and promoter rows carry their prefix (`r.2058A>G`), coding rows none.
            let bare = r.call.split_once('.').map_or(&r.call[..], |(_, rest)| rest);
            r.gene == gene && (r.call == call || bare == call)
        })
        .map(|r| r.copy.clone())
        .collect()
}

fn compare(args: &Args, species: &Species, spec: &GenomeSpec, dir: &Path) -> Result<(), GenError> {
    println!(
        "{} genomes of {:.1} Mb in {} contigs (seed {}), every planted kind{}",
        args.count,
        spec.size as f64 / 1e6,
        spec.contigs,
        args.seed,
        if args.without.is_empty() {
            String::new()
        } else {
            format!(" but {}", args.without)
        }
    );
    let generation = Instant::now();
    let mut files = Vec::new();
    for index in 0..args.count {
        let (genome, path) =
            genomes::write_genome(species, spec, args.seed, index, "genome", dir, false)?;
        files.push((path, genome.truth));
    }
    println!(
        "generated in {:.1} s (not timed below)",
        generation.elapsed().as_secs_f64()
    );
    let peak_before = peak_mib();

    let build = Instant::now();
    let caller = GenomeCaller::for_species(species)?;
    let build = build.elapsed().as_secs_f64();
    let mut mine = Vec::new();
    for (path, _) in &files {
        mine.push(ours(&caller, path)?);
    }
    let peak = peak_mib();

    let mut theirs = Vec::new();
    if args.pointfinder > 0 {
        let db = unpack_db(&args.pointfinder_db, dir)?;
        for (index, (path, _)) in files.iter().take(args.pointfinder).enumerate() {
            let out = dir.join(format!("pointfinder_{index:04}"));
            theirs.push(pointfinder(args, &db, path, &out)?);
            eprint!(
                "\rPointFinder {}/{}",
                index + 1,
                args.pointfinder.min(files.len())
            );
        }
        eprintln!();
    }

    let seconds: Vec<f64> = mine.iter().map(|o| o.seconds).collect();
    let paired: Vec<f64> = seconds.iter().take(theirs.len()).copied().collect();
    let pf: Vec<f64> = theirs.iter().map(|t| t.0).collect();
    println!();
    println!("seconds per genome            median     min     max   genomes");
    let row = |name: &str, values: &[f64]| {
        let (median, min, max) = spread(values);
        println!(
            "{name:<28} {median:>7.3} {min:>7.3} {max:>7.3} {:>9}",
            values.len()
        );
    };
    row("ours, 1 thread (all)", &seconds);
    if !theirs.is_empty() {
        row("ours, 1 thread (same as PF)", &paired);
        row("PointFinder (default mode)", &pf);
        println!(
            "ratio PointFinder / ours (medians, same genomes): {:.1}x",
            spread(&pf).0 / spread(&paired).0
        );
    }
    println!(
        "ours: searches and aligners built once in {build:.3} s; peak RSS {peak:.0} MiB (after generation: {peak_before:.0} MiB); {:.1} copies and {:.1} calls per genome",
        mine.iter().map(|o| o.copies).sum::<usize>() as f64 / mine.len().max(1) as f64,
        mine.iter().map(|o| o.calls.len()).sum::<usize>() as f64 / mine.len().max(1) as f64,
    );
    println!(
        "both search all 13 E. coli references: 8 coding genes, 23S, 16S rrsB/rrsC/rrsH, the ampC promoter"
    );
    agreement(&files, &mine, &theirs);
    Ok(())
}

/// Every call PointFinder makes must be among ours for the same gene; prints the ones that
/// are not, with where the truth planted them.
fn agreement(
    files: &[(PathBuf, Vec<TruthRow>)],
    mine: &[Ours],
    theirs: &[(f64, Vec<PointFinderCall>)],
) {
    if theirs.is_empty() {
        return;
    }
    let (mut all, mut shared, mut nucleotide, mut sibling) = (0, 0, 0, 0);
    let mut disagreements = Vec::new();
    for (index, (_, calls)) in theirs.iter().enumerate() {
        for (gene, change, tag) in calls {
            let (prefix, call) = change.split_at(change.find('.').map_or(0, |dot| dot + 1));
            all += 1;
            nucleotide += usize::from(prefix != "p.");
            if mine[index].calls.contains(&(gene.clone(), call.to_owned())) {
                shared += 1;
            } else if let Some(ours) = sibling_call(&mine[index], gene, call) {
                // 16S-rrsB, 16S-rrsC and 16S-rrsH differ at a handful of positions: PointFinder
                // calls a copy against whichever 16S reference its BLAST hit names, ours
                // against the reference the copy matches best.
                sibling += 1;
                disagreements.push(format!(
                    "  genome_{index:04} {gene} {change} - ours calls it in {ours}, the reference the copy matches best; planted in: {}",
                    planted_in(&files[index].1, &ours, call).join(", ")
                ));
            } else {
                let planted = planted_in(&files[index].1, gene, call);
                disagreements.push(format!(
                    "  genome_{index:04} {gene} {change}{} - ours does not call it; planted in: {}",
                    if tag.is_empty() {
                        String::new()
                    } else {
                        format!(" ({tag})")
                    },
                    if planted.is_empty() {
                        "nowhere".to_owned()
                    } else {
                        planted.join(", ")
                    }
                ));
            }
        }
    }
    println!(
        "PointFinder's calls: {all} ({nucleotide} in RNA genes and the promoter), of which ours makes {shared}; \
         {sibling} ours calls in another copy of the gene family (PointFinder's call names another 16S copy's reference)"
    );
    // Recall of the catalogued coding changes the generator plants on purpose.
    let (mut planted, mut by_them, mut by_us) = (0, 0, 0);
    for (index, (_, calls)) in theirs.iter().enumerate() {
        for row in files[index].1.iter().filter(|r| catalogued(r)) {
            planted += 1;
            let change = format!("p.{}", row.call);
            by_them += usize::from(calls.iter().any(|c| c.0 == row.gene && c.1 == change));
            by_us += usize::from(
                mine[index]
                    .calls
                    .contains(&(row.gene.clone(), row.call.clone())),
            );
        }
    }
    println!(
        "catalogued coding changes planted (gyrA S83L/D87N, parC S80I/E84V) in those genomes: {planted}; PointFinder reports {by_them}, ours calls {by_us}"
    );
    if disagreements.is_empty() {
        println!("every call PointFinder makes, ours makes too");
    } else {
        println!("PointFinder calls ours does not make as PointFinder writes them:");
        for line in disagreements {
            println!("{line}");
        }
    }
}

/// The gene of the family of `gene` (the part before `-`: `16S` of `16S-rrsB`) in which ours
/// makes `call`, when it is another gene.
fn sibling_call(ours: &Ours, gene: &str, call: &str) -> Option<String> {
    let family = gene.split_once('-')?.0;
    ours.calls
        .iter()
        .find(|(other, made)| {
            other != gene && other.split_once('-').is_some_and(|(f, _)| f == family) && made == call
        })
        .map(|(other, _)| other.clone())
}

/// Whether a truth row is one of the catalogued coding changes the generator plants.
fn catalogued(row: &TruthRow) -> bool {
    genomes::CATALOGUED
        .iter()
        .any(|&(gene, position, from, to)| {
            row.gene == gene
                && row.kind == "substitution"
                && row.call == format!("{}{position}{}", from as char, to as char)
        })
}

fn memory(
    args: &Args,
    species: &Species,
    spec: &GenomeSpec,
    dir: &Path,
    count: usize,
) -> Result<(), GenError> {
    // A few distinct genomes on disk, read again and again: genome i is file i % FILES.
    const FILES: usize = 4;
    let mut files = Vec::new();
    for index in 0..FILES.min(count) {
        let (_, path) =
            genomes::write_genome(species, spec, args.seed, index, "genome", dir, false)?;
        files.push(path);
    }
    let caller = GenomeCaller::for_species(species)?;
    println!(
        "{count} genomes of {:.1} Mb ({} distinct files read in turn), ours on 1 thread",
        spec.size as f64 / 1e6,
        files.len()
    );
    println!("genomes  peak RSS MiB  seconds/genome (since last line)");
    let started = Instant::now();
    let mut last = (0, 0.0);
    let mut calls = 0;
    for i in 0..count {
        calls += ours(&caller, &files[i % files.len()])?.calls.len();
        let done = i + 1;
        if done.to_string().trim_end_matches('0') == "1" || done == count {
            let elapsed = started.elapsed().as_secs_f64();
            println!(
                "{done:>7}  {:>12.1}  {:>.3}",
                peak_mib(),
                (elapsed - last.1) / (done - last.0) as f64
            );
            last = (done, elapsed);
        }
    }
    println!("{calls} calls in all");
    Ok(())
}
