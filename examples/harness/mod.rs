//! Benchmarking the whole pipeline against its peers on 1K / 10K / 100K target sets (the
//! logic behind the `bench_sets` example; `bench_kernels` and the criterion benches share it).
//!
//! - [`synth`] makes deterministic target sets from the real references.
//! - [`measure_pipeline`] runs the full pipeline (alignment, mutation calls, reports written)
//!   on one set and reports cells, wall time, kernel and the process's peak memory; the bench
//!   runs it in a child process per size so each peak is that size's own.
//! - [`peers`] times EMBOSS `water` (one process per target, as the original pipeline ran it,
//!   and one process per reference over a multi-FASTA), parasail (feature `parasail`) and
//!   this crate's scalar engine on the same targets, and checks this crate's reports against
//!   the real water's before any speed is reported.
//!
//! Work grows linearly in cells (target length x reference length summed over aligned
//! targets); memory does not grow with the number of targets beyond one copy of the input
//! text, because the pipeline streams targets in chunks.

pub mod detect;
pub mod peers;
pub mod synth;

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

/// A failed step of a benchmark, with a message that says which.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The harness's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An I/O error with the path it concerns.
pub fn io_error(path: impl AsRef<Path>, source: std::io::Error) -> Error {
    format!("{}: {source}", path.as_ref().display()).into()
}

use wildtype_aligner::wildtype::{PipelineConfig, ReferenceSet, run};

/// The process's peak resident memory (`VmHWM` of `/proc/self/status`) in KiB; `None` where
/// there is no such file. Process-wide: measure one thing per process.
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
}

/// One measured pipeline run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineMeasurement {
    /// Targets in the run.
    pub targets: usize,
    /// Targets aligned.
    pub aligned: usize,
    /// Dynamic-programming cells: target length x reference length over aligned targets.
    pub cells: u64,
    /// Wall time of [`wildtype_aligner::wildtype::run`], reading inputs to the renamed manifest.
    pub wall_seconds: f64,
    /// The alignment kernel the manifest names.
    pub kernel: String,
    /// Peak resident memory of the process, KiB.
    pub peak_kib: Option<u64>,
}

impl PipelineMeasurement {
    /// Billions of cell updates per second.
    pub fn gcups(&self) -> f64 {
        self.cells as f64 / self.wall_seconds / 1e9
    }
}

/// Runs the full pipeline on `targets` against `references`, writing the tables into
/// `output_dir`, and measures it.
pub fn measure_pipeline(
    targets: &Path,
    references: &Path,
    output_dir: &Path,
    threads: Option<usize>,
) -> Result<PipelineMeasurement> {
    let mut config = PipelineConfig::new([targets], references, output_dir);
    if let Some(threads) = threads {
        config = config.threads(threads);
    }
    let started = Instant::now();
    let summary = run(&config, &())?;
    let wall_seconds = started.elapsed().as_secs_f64();
    let cells = cells_of_run(output_dir)?;
    let manifest_path = output_dir.join("manifest.json");
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&manifest_path).map_err(|source| io_error(&manifest_path, source))?,
    )
    .map_err(|e| Error::from(format!("cannot read the manifest back: {e}")))?;
    Ok(PipelineMeasurement {
        targets: summary.targets,
        aligned: summary.aligned,
        cells,
        wall_seconds,
        kernel: manifest["kernel"].as_str().unwrap_or("?").to_owned(),
        peak_kib: peak_memory_kib(),
    })
}

/// Cells of a finished run, from its `alignments.tsv`: lengths of the rows that were aligned
/// (those with a CIGAR: status `ok`, and `not_homologous`, aligned then found below LOW).
fn cells_of_run(output_dir: &Path) -> Result<u64> {
    let path = output_dir.join("alignments.tsv");
    let text = std::fs::read_to_string(&path).map_err(|source| io_error(&path, source))?;
    let mut lines = text.lines();
    let columns: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let column = |name: &str| {
        columns
            .iter()
            .position(|c| *c == name)
            .ok_or_else(|| Error::from(format!("alignments.tsv has no column {name}")))
    };
    let (target, reference, cigar) = (
        column("target_length")?,
        column("reference_length")?,
        column("cigar")?,
    );
    let mut cells = 0u64;
    for line in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.get(cigar).is_none_or(|cigar| cigar.is_empty()) {
            continue;
        }
        let number = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        cells += number(target) * number(reference);
    }
    Ok(cells)
}

/// A target set on disk and what is known about it.
#[derive(Debug, Clone)]
pub struct TargetSet {
    /// The FASTA file.
    pub path: PathBuf,
    /// Number of targets.
    pub targets: usize,
}

/// The first `count` targets: synthesized from `references` with `seed`, or taken from the
/// user's `source` FASTA (fewer when it has fewer). Written to `path`.
pub fn prepare_set(
    references: &ReferenceSet,
    source: Option<&Path>,
    seed: u64,
    count: usize,
    path: &Path,
) -> Result<TargetSet> {
    match source {
        None => {
            let wild: Vec<(String, Vec<u8>)> = references
                .references()
                .iter()
                .map(|r| (r.gene.clone(), r.residues.clone()))
                .collect();
            let model = synth::VariationModel::default();
            let targets: Vec<synth::SynthTarget> =
                synth::synthesize(&wild, &model, seed).take(count).collect();
            synth::write_fasta(
                path,
                targets
                    .iter()
                    .map(|t| (t.header.as_str(), t.residues.as_slice())),
            )?;
            Ok(TargetSet {
                path: path.to_owned(),
                targets: count,
            })
        }
        Some(source) => {
            let records = peers::read_records(source)?;
            let taken = records.len().min(count);
            synth::write_fasta(
                path,
                records[..taken]
                    .iter()
                    .map(|(h, r)| (h.as_str(), r.as_slice())),
            )?;
            Ok(TargetSet {
                path: path.to_owned(),
                targets: taken,
            })
        }
    }
}

/// A number of seconds, measured or extrapolated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Seconds {
    /// The time for the whole set.
    pub seconds: f64,
    /// `Some(n)`: measured on `n` targets and scaled by cells to the set.
    pub extrapolated_from: Option<usize>,
}

/// One engine's row for one set size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Set size (targets).
    pub size: usize,
    /// What ran.
    pub engine: String,
    /// Cells of the whole set.
    pub cells: u64,
    /// Wall time for the whole set.
    pub time: Seconds,
    /// Kernel (for this crate) or method.
    pub kernel: String,
    /// Peak resident memory, KiB, where measured.
    pub peak_kib: Option<u64>,
    /// This peer's time over this crate's pipeline time on the same set (how many times
    /// faster the pipeline is); `None` for the pipeline's own row.
    pub pipeline_speedup: Option<f64>,
}

impl Row {
    /// Billions of cell updates per second.
    pub fn gcups(&self) -> f64 {
        self.cells as f64 / self.time.seconds / 1e9
    }
}

/// Everything one benchmark invocation measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// CPU description (model name, cores, SIMD level).
    pub machine: String,
    /// Worker threads given to every engine.
    pub threads: usize,
    /// Targets whose water report was compared with the real water's (all equal).
    pub checked_against_water: usize,
    /// Rows, by size then engine.
    pub rows: Vec<Row>,
    /// Notes printed under the table.
    pub notes: Vec<String>,
}

/// The rows as an aligned text table with its notes.
pub fn render_table(report: &Report) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "machine: {}; threads: {}; water check: {} targets identical\n",
        report.machine, report.threads, report.checked_against_water
    ));
    out.push_str(&format!(
        "{:>7}  {:<32} {:>15} {:>11} {:>8}  {:<22} {:>9}  {:>9}\n",
        "size", "engine", "cells", "wall s", "GCUPS", "kernel", "peak MiB", "pipeline"
    ));
    for row in &report.rows {
        let time = match row.time.extrapolated_from {
            Some(_) => format!("{:.2}*", row.time.seconds),
            None => format!("{:.2} ", row.time.seconds),
        };
        let peak = row
            .peak_kib
            .map_or("-".to_owned(), |k| format!("{:.0}", k as f64 / 1024.0));
        let speedup = row.pipeline_speedup.map_or("-".to_owned(), |s| {
            if s < 1.0 {
                format!("{s:.2}x")
            } else {
                format!("{s:.1}x")
            }
        });
        out.push_str(&format!(
            "{:>7}  {:<32} {:>15} {:>11} {:>8.3}  {:<22} {:>9}  {:>9}\n",
            row.size,
            row.engine,
            row.cells,
            time,
            row.gcups(),
            row.kernel,
            peak,
            speedup
        ));
    }
    for note in &report.notes {
        out.push_str(note);
        out.push('\n');
    }
    out
}

/// A short description of this machine: CPU model, logical cores, SIMD level.
pub fn machine() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{model}, {cores} cores, {}", detect::simd_level())
}

/// The hidden flag with which the bench re-executes itself to measure one run in a fresh
/// process (followed by `--targets`, `--references`, `--output-dir` and `--threads`).
pub const CHILD_FLAG: &str = "--child";

/// What [`run_suite`] measures.
#[derive(Debug, Clone)]
pub struct SuiteOptions {
    /// Set sizes, measured in increasing order.
    pub sizes: Vec<usize>,
    /// Worker threads for every engine (default: one per core).
    pub threads: Option<usize>,
    /// Seed of the synthetic sets.
    pub seed: u64,
    /// Targets for the water peers (extrapolated by cells to each size).
    pub water_sample: usize,
    /// Targets compared with the real water before anything is timed.
    pub check_sample: usize,
    /// Largest set the scalar engine and parasail run in full; larger sizes are extrapolated.
    pub peer_sample: usize,
    /// A user's targets instead of synthetic ones.
    pub targets: Option<PathBuf>,
    /// The references.
    pub references: PathBuf,
    /// Where sets and outputs go (removed afterwards); a fresh temporary directory when `None`.
    pub work_dir: Option<PathBuf>,
    /// The executable to re-run with [`CHILD_FLAG`] (normally `std::env::current_exe()`).
    pub executable: PathBuf,
}

/// Runs one measurement in a child process (`executable --child ...`), with `kernel` forced
/// through `WTA_KERNEL` when given; the child prints a [`PipelineMeasurement`] as JSON.
pub fn measure_in_child(
    executable: &Path,
    set: &Path,
    references: &Path,
    output_dir: &Path,
    threads: Option<usize>,
    kernel: Option<&str>,
) -> Result<PipelineMeasurement> {
    let mut command = std::process::Command::new(executable);
    command
        .arg(CHILD_FLAG)
        .arg("--targets")
        .arg(set)
        .arg("--references")
        .arg(references)
        .arg("--output-dir")
        .arg(output_dir);
    if let Some(threads) = threads {
        command.arg("--threads").arg(threads.to_string());
    }
    if let Some(kernel) = kernel {
        command.env("WTA_KERNEL", kernel);
    }
    let output = command
        .output()
        .map_err(|source| io_error(executable, source))?;
    if !output.status.success() {
        return Err(Error::from(format!(
            "the measuring child failed on {}: {}",
            set.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(text.lines().last().unwrap_or(""))
        .map_err(|e| Error::from(format!("the measuring child printed no result: {e}")))
}

/// Scales a peer's time on a sample to `cells`.
fn scaled(timing: &peers::PeerTiming, cells: u64, set_targets: usize) -> Seconds {
    let exact = timing.targets >= set_targets;
    Seconds {
        seconds: if exact || timing.cells == 0 {
            timing.seconds
        } else {
            timing.seconds * cells as f64 / timing.cells as f64
        },
        extrapolated_from: (!exact).then_some(timing.targets),
    }
}

/// Prepares the sets, checks this crate against the real water, then measures the pipeline
/// and every peer on each size. `log` receives progress lines.
pub fn run_suite(options: &SuiteOptions, log: &mut dyn FnMut(&str)) -> Result<Report> {
    let owned_dir = options.work_dir.is_none();
    let work = options
        .work_dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("wta-bench-{}", std::process::id())));
    std::fs::create_dir_all(&work).map_err(|source| io_error(&work, source))?;
    let result = suite(options, &work, log);
    if owned_dir {
        let _ = std::fs::remove_dir_all(&work);
    }
    result
}

fn suite(options: &SuiteOptions, work: &Path, log: &mut dyn FnMut(&str)) -> Result<Report> {
    let references = ReferenceSet::from_path(&options.references)?;
    let threads = options
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut sizes = options.sizes.clone();
    sizes.sort_unstable();
    sizes.dedup();
    let largest = sizes.last().copied().unwrap_or(0);
    let source = options.targets.as_deref();
    let mut notes = Vec::new();

    // Peers' samples are prefixes of every set (sets are prefixes of each other).
    let sample_count = options.water_sample.max(options.check_sample).min(largest);
    let sample_set = prepare_set(
        &references,
        source,
        options.seed,
        sample_count,
        &work.join("sample.fasta"),
    )?;
    let sample = peers::read_records(&sample_set.path)?;

    let water = detect::find_water();
    let mut checked = 0;
    let mut water_timings = None;
    match &water {
        Some(water) => {
            log(&format!(
                "checking {} targets against the real water",
                options.check_sample.min(sample.len())
            ));
            checked = peers::check_against_water(
                &water.path,
                &sample[..options.check_sample.min(sample.len())],
                &options.references,
                &references,
                &work.join("check"),
            )?;
            let water_sample = &sample[..options.water_sample.min(sample.len())];
            log(&format!(
                "timing water on {} targets (per target, then batch)",
                water_sample.len()
            ));
            let per_target = peers::water_per_target(
                &water.path,
                water_sample,
                &references,
                threads,
                &work.join("water-one"),
            )?;
            let batch = peers::water_batch(
                &water.path,
                water_sample,
                &references,
                threads,
                &work.join("water-batch"),
            )?;
            water_timings = Some((per_target, batch));
        }
        None => notes.push(
            "water not found on PATH: no water rows, and the alignments were NOT checked against water"
                .to_owned(),
        ),
    }

    let mut rows = Vec::new();
    for &size in &sizes {
        let set = prepare_set(
            &references,
            source,
            options.seed,
            size,
            &work.join(format!("set-{size}.fasta")),
        )?;
        log(&format!("pipeline on {} targets", set.targets));
        let out = work.join(format!("out-{size}"));
        let ours = measure_in_child(
            &options.executable,
            &set.path,
            &options.references,
            &out,
            options.threads,
            None,
        )?;
        let _ = std::fs::remove_dir_all(&out);
        let cells = ours.cells;
        let pipeline_seconds = ours.wall_seconds;
        rows.push(Row {
            size: set.targets,
            engine: "wildtype-aligner pipeline".into(),
            cells,
            time: Seconds {
                seconds: pipeline_seconds,
                extrapolated_from: None,
            },
            kernel: ours.kernel.clone(),
            peak_kib: ours.peak_kib,
            pipeline_speedup: None,
        });
        let peer_row = |engine: &str, kernel: &str, time: Seconds, peak_kib: Option<u64>| Row {
            size: set.targets,
            engine: engine.to_owned(),
            cells,
            time,
            kernel: kernel.to_owned(),
            peak_kib,
            pipeline_speedup: Some(time.seconds / pipeline_seconds),
        };

        // The scalar engine: the same pipeline with the kernel forced.
        let peer_count = set.targets.min(options.peer_sample);
        let peer_set = if peer_count == set.targets {
            set.clone()
        } else {
            prepare_set(
                &references,
                source,
                options.seed,
                peer_count,
                &work.join(format!("peer-{peer_count}.fasta")),
            )?
        };
        log(&format!("scalar engine on {peer_count} targets"));
        let out = work.join(format!("out-scalar-{size}"));
        let scalar = measure_in_child(
            &options.executable,
            &peer_set.path,
            &options.references,
            &out,
            options.threads,
            Some("scalar"),
        )?;
        let _ = std::fs::remove_dir_all(&out);
        let scalar_timing = peers::PeerTiming {
            targets: scalar.targets,
            cells: scalar.cells,
            seconds: scalar.wall_seconds,
        };
        rows.push(peer_row(
            "scalar engine pipeline",
            &scalar.kernel,
            scaled(&scalar_timing, cells, set.targets),
            scalar.peak_kib.filter(|_| peer_count == set.targets),
        ));

        #[cfg(feature = "parasail")]
        {
            log(&format!("parasail on {peer_count} targets"));
            let targets = peers::read_records(&peer_set.path)?;
            let (score, trace) = peers::parasail(&targets, &references, threads)?;
            rows.push(peer_row(
                "parasail striped16 score",
                "sat, profile",
                scaled(&score, cells, set.targets),
                None,
            ));
            rows.push(peer_row(
                "parasail striped16 trace",
                "sat, trace+cigar",
                scaled(&trace, cells, set.targets),
                None,
            ));
        }

        if let Some((per_target, batch)) = &water_timings {
            rows.push(peer_row(
                "water, 1 process per reference",
                "EMBOSS 6.6.0",
                scaled(batch, cells, set.targets),
                None,
            ));
            rows.push(peer_row(
                "water, 1 process per target",
                "EMBOSS 6.6.0",
                scaled(per_target, cells, set.targets),
                None,
            ));
        }
    }
    #[cfg(not(feature = "parasail"))]
    notes.push("parasail: not built (build with --features parasail)".to_owned());

    notes.push("* extrapolated by cells from the number of targets in the engine's sample (wall s is for the whole set)".to_owned());
    notes.push(format!(
        "pipeline = peer time / pipeline time (how many times faster the full pipeline is). The pipeline rows are the full run (read, align, grade, call mutations, write tables); peers only align. water and parasail run {threads} at a time."
    ));
    notes.push("parasail scores are Gotoh's with EBLOSUM62x2, open 20 / extend 1 (water's 10/0.5), not water's exact values: same work, not the same answers.".to_owned());
    Ok(Report {
        machine: machine(),
        threads,
        checked_against_water: checked,
        rows,
        notes,
    })
}
