//! The run: load the inputs, plan the targets, align them a chunk at a time in parallel
//! (grading and calling mutations on the worker threads), and hand each target's result on in
//! input order, to a library caller ([`for_each_result`]) or to the output tables ([`run`]).

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;

use crate::align::Aligner;
use crate::report::rundate_now;
use crate::scoring::{GapPenalties, Matrix};
use crate::staged::{DirLock, StagedDir, find_leftovers, remove_leftovers};
use crate::{Error, Result};

use super::catalogue::{Catalogue, ResolvedCatalogue};
use super::config::PipelineConfig;
use super::genome::Species;
use super::genomes::{is_species_folder, species_references};
use super::grade::{Collect, Context, Sink};
use super::header::GeneMap;
use super::input::{
    GeneList, InputFile, ReferenceSet, check_gene_list, read_gene_list, read_input, sha256_hex,
};
use super::output::{
    CatalogueRecord, HAMRONIZATION, Isolates, MANIFEST, Manifest, ManifestParts, OUTPUT_NAMES,
    PHENOTYPES, REPORT, RenderedRows, RunSummary, TARGETS_FAA, Tables, Tally, UNOBSERVED,
    check_destinations, previous_outputs, unobserved,
};
use super::phenotypes::{hamronization_table, phenotype_table};
use super::plan::{Plan, PlanInputs};
use super::pointfinder::is_pointfinder;
use super::progress::Progress;
use super::quality::Tier;
use super::records::TargetResult;
use super::report_html::{self, Collector, ReportRows};
use super::warning::{Warning, WarningKind, Warnings};

/// Targets processed at a time: results are handed on and dropped after each chunk, so a
/// run's memory beyond its input does not grow with the number of targets.
const CHUNK_TARGETS: usize = 4096;

/// Chunks written between two syncs of the tables.
const SYNC_CHUNKS: usize = 2;

/// The inputs of a run besides the targets, read and checked.
struct Loaded {
    references: ReferenceSet,
    catalogue: Option<(Catalogue, ResolvedCatalogue)>,
    /// What the manifest says of the catalogue.
    catalogue_record: Option<CatalogueRecord>,
    gene_map: Option<GeneMap>,
    /// Lower-case genes the targets are filtered to.
    gene_filter: Option<HashSet<String>>,
    /// The gene list as given, checked once the targets are read.
    gene_list: GeneList,
    /// Every file read, for the manifest.
    inputs: Vec<InputFile>,
}

impl Loaded {
    fn new(config: &PipelineConfig, warnings: &mut Warnings) -> Result<Self> {
        let species = match &config.species {
            Some(name) => Some(Species::embedded(name)?),
            None if is_species_folder(&config.references) => {
                Some(Species::from_folder(&config.references)?)
            }
            None => None,
        };
        let references = match &species {
            Some(species) => species_references(species),
            None => ReferenceSet::from_path(&config.references)?,
        };
        let mut inputs: Vec<InputFile> = references.files().to_vec();
        let (catalogue, catalogue_record) =
            match load_catalogue(config, &references, species.as_ref(), &mut inputs, warnings)? {
                Some((catalogue, resolved, record)) => (Some((catalogue, resolved)), Some(record)),
                None => (None, None),
            };
        let gene_map = match &config.gene_map {
            Some(path) => {
                let (_, file) = read_input("gene_map", path)?;
                inputs.push(file);
                Some(GeneMap::from_path(path)?)
            }
            None => None,
        };
        let (gene_filter, gene_list) = match &config.target_genes {
            Some(value) => {
                let (genes, file) = read_gene_list(value)?;
                inputs.extend(file);
                let filter = genes.iter().map(|(g, _)| g.to_ascii_lowercase()).collect();
                (Some(filter), genes)
            }
            None => (None, Vec::new()),
        };
        Ok(Self {
            references,
            catalogue,
            catalogue_record,
            gene_map,
            gene_filter,
            gene_list,
            inputs,
        })
    }
}

/// The run's catalogue: `--catalogue` (a simple TSV, PointFinder's `phenotypes.txt`, or a
/// PointFinder species folder, whose `phenotypes.txt` is read), or else the species'
/// `phenotypes.txt` when the references are a PointFinder species; checked against the
/// references.
fn load_catalogue(
    config: &PipelineConfig,
    references: &ReferenceSet,
    species: Option<&Species>,
    inputs: &mut Vec<InputFile>,
    warnings: &mut Warnings,
) -> Result<Option<(Catalogue, ResolvedCatalogue, CatalogueRecord)>> {
    let (catalogue, path, text) = match &config.catalogue {
        Some(path) if is_species_folder(path) => {
            let folder = Species::from_folder(path)?;
            let Some((file, text)) = folder.phenotypes() else {
                return Err(Error::Input {
                    path: path.clone(),
                    message: "this PointFinder species folder has no phenotypes.txt".into(),
                });
            };
            let bytes = folder
                .files()
                .iter()
                .find(|(name, _)| name == file)
                .map_or(&[][..], |(_, bytes)| &bytes[..]);
            inputs.push(InputFile::new("catalogue", file, bytes));
            let catalogue = pointfinder_catalogue(file, text, references, warnings)?;
            (catalogue, file.to_path_buf(), text.to_owned())
        }
        Some(path) => {
            let (bytes, file) = read_input("catalogue", path)?;
            inputs.push(file);
            let text = super::input::utf8_text(path, &bytes)?;
            let catalogue = if is_pointfinder(text) {
                pointfinder_catalogue(path, text, references, warnings)?
            } else {
                let catalogue = Catalogue::parse(path, text)?;
                warn_catalogue_genes_without_reference(&catalogue, references, warnings);
                catalogue
            };
            (catalogue, path.clone(), text.to_owned())
        }
        None => match species.and_then(Species::phenotypes) {
            Some((file, text)) => {
                let catalogue = pointfinder_catalogue(file, text, references, warnings)?;
                (catalogue, file.to_path_buf(), text.to_owned())
            }
            None => return Ok(None),
        },
    };
    if catalogue.entries().is_empty() {
        // Every call would be novel, with nothing to say so; with a species, its catalogue
        // would be silently replaced.
        return Err(Error::Input {
            path,
            message: "the catalogue has no entries (an empty file, or only a header, comments \
                      and blank lines)"
                .into(),
        });
    }
    let resolved = catalogue.resolve(|gene| references.get(gene).map(|r| &r.residues[..]))?;
    let pointfinder = catalogue.is_pointfinder();
    let record = CatalogueRecord {
        format: if pointfinder { "pointfinder" } else { "tsv" },
        path: config.shown(&path).display().to_string(),
        version: pointfinder.then(|| pointfinder_version(&path)).flatten(),
        sha256: sha256_hex(text.as_bytes()),
        entries: catalogue.entries().len(),
    };
    Ok(Some((catalogue, resolved, record)))
}

/// PointFinder's database version of a catalogue: `3.0.0` for the embedded copies, else the
/// first line of a `VERSION` file beside the catalogue's folder or one level up (where
/// PointFinder's database keeps it).
fn pointfinder_version(path: &std::path::Path) -> Option<String> {
    if path.starts_with(EMBEDDED_PREFIX) {
        return Some(EMBEDDED_VERSION.to_owned());
    }
    let folder = path.parent()?;
    [folder.join("VERSION"), folder.parent()?.join("VERSION")]
        .iter()
        .find_map(|file| std::fs::read_to_string(file).ok())
        .and_then(|text| text.lines().next().map(|line| line.trim().to_owned()))
        .filter(|version| !version.is_empty())
}

/// How the embedded species folders name their files, and their database version.
const EMBEDDED_PREFIX: &str = "<embedded PointFinder>";
const EMBEDDED_VERSION: &str = "3.0.0";

/// PointFinder's catalogue, each row that disagrees with its reference a warning.
fn pointfinder_catalogue(
    path: &std::path::Path,
    text: &str,
    references: &ReferenceSet,
    warnings: &mut Warnings,
) -> Result<Catalogue> {
    let (catalogue, problems) = Catalogue::from_pointfinder(path, text, references)?;
    for problem in problems {
        warnings.add(WarningKind::CatalogueRowMismatch, || problem);
    }
    Ok(catalogue)
}

/// Warns once per catalogue gene that has no reference: its rows can never match a call.
fn warn_catalogue_genes_without_reference(
    catalogue: &Catalogue,
    references: &ReferenceSet,
    warnings: &mut Warnings,
) {
    let mut genes: Vec<(String, usize, usize)> = Vec::new();
    for entry in catalogue.entries() {
        if references.get(entry.gene()).is_some() {
            continue;
        }
        let lower = entry.gene().to_ascii_lowercase();
        match genes
            .iter_mut()
            .find(|(gene, _, _)| gene.to_ascii_lowercase() == lower)
        {
            Some((_, _, rows)) => *rows += 1,
            None => genes.push((entry.gene().to_owned(), entry.line(), 1)),
        }
    }
    for (gene, line, rows) in genes {
        warnings.add(WarningKind::CatalogueGeneWithoutReference, || {
            format!(
                "{}: line {line}: catalogue gene {gene} ({rows} row{}) has no reference; its \
                 rows can never match",
                catalogue.path().display(),
                if rows == 1 { "" } else { "s" }
            )
        });
    }
}

/// water's gap penalties from the configuration: a value that is not a finite number is an
/// error; one outside water's range is clamped into it with water's warning.
fn gap_penalties(config: &PipelineConfig, warnings: &mut Warnings) -> Result<GapPenalties> {
    use crate::scoring::{GapKind, MAX_EXTEND, MAX_OPEN, ScoringError};
    for (gap, value, max) in [
        (GapKind::Open, config.gap_open, MAX_OPEN),
        (GapKind::Extend, config.gap_extend, MAX_EXTEND),
    ] {
        if !value.is_finite() {
            return Err(ScoringError::GapOutOfRange { gap, value, max }.into());
        }
    }
    let (gaps, clamped) = GapPenalties::clamped(config.gap_open, config.gap_extend);
    for warning in clamped {
        warnings.add(WarningKind::GapPenaltyClamped, || {
            format!("{} penalty: {warning}", warning.gap())
        });
    }
    Ok(gaps)
}

/// The worker threads to start: as asked, but never more than the machine's cores (more
/// only add switching; 100,000 asked for once started hundreds and made no progress), with
/// a warning when capped. `None` or 0 is rayon's default, one per core.
fn worker_threads(config: &PipelineConfig, warnings: &mut Warnings) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match config.threads {
        Some(asked) if asked > cores => {
            warnings.add(WarningKind::ThreadsCapped, || {
                format!("{asked} worker threads asked for, but this machine has {cores} cores: using {cores}")
            });
            cores
        }
        Some(asked) => asked,
        None => 0,
    }
}

/// A run ready to align: inputs loaded, targets planned, aligner and worker threads made.
struct Prepared {
    loaded: Loaded,
    plan: Plan,
    aligner: Aligner,
    /// RNA genes' and promoters' pairs: EDNAFULL, gaps 10 / 0.5.
    nucleotide_aligner: Aligner,
    pool: rayon::ThreadPool,
    warnings: Warnings,
}

impl Prepared {
    /// Loads and plans the run, then hands each warning to `progress`.
    fn new(config: &PipelineConfig, progress: &dyn Progress) -> Result<Self> {
        let mut warnings = Warnings::default();
        let gaps = gap_penalties(config, &mut warnings)?;
        let threads = worker_threads(config, &mut warnings);
        let mut loaded = Loaded::new(config, &mut warnings)?;
        if !config.genomes.is_empty() || !config.proteomes.is_empty() {
            // Genomes are searched for the listed genes only: a typo must not cost a search.
            check_gene_list(&loaded.gene_list, &loaded.references, &HashSet::new())?;
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(Error::Threads)?;
        let plan = Plan::new(
            &PlanInputs {
                config,
                references: &loaded.references,
                gene_map: loaded.gene_map.as_ref(),
                gene_filter: loaded.gene_filter.as_ref(),
                pool: &pool,
                progress,
            },
            &mut loaded.inputs,
            &mut warnings,
        )?;
        check_gene_list(&loaded.gene_list, &loaded.references, &plan.genes_matched)?;
        let mut builder = Aligner::builder().gaps(gaps);
        if let Some((cells, memory)) = config.bounded {
            builder = builder.bounded(cells, memory);
        }
        let aligner = builder.build()?;
        let nucleotide_aligner = Aligner::builder().matrix(Matrix::dnafull()).build()?;
        for warning in warnings.listed().iter().chain(&warnings.not_listed()) {
            progress.warning(warning);
        }
        Ok(Self {
            loaded,
            plan,
            aligner,
            nucleotide_aligner,
            pool,
            warnings,
        })
    }

    /// Aligns the planned targets a chunk at a time on the worker threads. Each worker hands
    /// the results of its slice of a chunk to `sink` as they are made; `on_chunk` then gets the
    /// chunk's slices in input order (it runs inside the thread pool, one chunk at a time).
    fn align_chunks<K: Sink>(
        &self,
        config: &PipelineConfig,
        progress: &dyn Progress,
        sink: &K,
        on_chunk: &mut (dyn FnMut(Vec<K::Slice>) -> Result<()> + Send),
    ) -> Result<()> {
        let references = &self.loaded.references;
        progress.start(self.plan.targets.len());
        let done = AtomicUsize::new(0);
        self.pool.install(|| -> Result<()> {
            let used = &self.plan.used;
            let self_scores = references
                .references()
                .par_iter()
                .enumerate()
                .map(|(index, reference)| {
                    if used.binary_search(&index).is_err() {
                        return Ok(0.0);
                    }
                    let aligner = if reference.is_nucleotide() {
                        &self.nucleotide_aligner
                    } else {
                        &self.aligner
                    };
                    Ok(aligner
                        .align(&reference.residues, &reference.residues)?
                        .score())
                })
                .collect::<Result<Vec<f32>>>()?;
            let context = Context {
                config,
                aligner: &self.aligner,
                nucleotide_aligner: &self.nucleotide_aligner,
                references,
                reference_ids: references
                    .references()
                    .iter()
                    .map(|r| Arc::from(r.id.as_str()))
                    .collect(),
                self_scores,
                catalogue: self.loaded.catalogue.as_ref().map(|(c, r)| (c, r)),
                rundate: rundate_now(),
                plan: &self.plan,
            };
            let advance = || {
                progress.advance(done.fetch_add(1, Ordering::Relaxed) + 1);
            };
            // A chunk is graded while the next is aligned: the workers never wait for each
            // other between the two steps, only once a chunk.
            let chunks: Vec<_> = self.plan.targets.chunks(CHUNK_TARGETS).collect();
            let mut aligned = chunks.first().map(|chunk| context.align_targets(chunk));
            for (index, chunk) in chunks.iter().enumerate() {
                if progress.cancelled() {
                    return Err(Error::Cancelled);
                }
                let alignments = aligned.take().unwrap_or_default();
                let (slices, next) = rayon::join(
                    || context.grade_targets(chunk, alignments, sink, &advance),
                    || {
                        chunks
                            .get(index + 1)
                            .map(|next| context.align_targets(next))
                    },
                );
                aligned = next;
                on_chunk(slices)?;
            }
            Ok(())
        })?;
        progress.finish();
        Ok(())
    }
}

/// Renders each result's rows and counts it, then drops it, for [`run`]: results are freed
/// on the thread that allocated them, while they are still in cache.
struct Render {
    /// Buffers the writer and the report's collector have emptied, to be filled again.
    recycled: Mutex<(Receiver<RenderedRows>, Receiver<ReportRows>)>,
    /// Whether the tallies gather what `phenotypes.tsv` needs.
    phenotypes: bool,
}

/// A slice's table rows, and what the report needs of them.
type Rows = (RenderedRows, ReportRows);

impl Sink for Render {
    type Slice = (Rows, Tally);

    fn start(&self) -> Self::Slice {
        let rows = self
            .recycled
            .lock()
            .map(|recycled| {
                (
                    recycled.0.try_recv().unwrap_or_default(),
                    recycled.1.try_recv().unwrap_or_default(),
                )
            })
            .unwrap_or_default();
        let tally = Tally {
            isolates: self.phenotypes.then(Isolates::default),
            ..Tally::default()
        };
        (rows, tally)
    }

    fn take(&self, ((rows, report), tally): &mut Self::Slice, mut result: TargetResult) {
        rows.add(&mut result);
        report.add(&result);
        tally.add(&result);
    }
}

/// Runs the pipeline and hands every target's result to `each`, in input order, without
/// writing anything: the path [`run`] writes its tables from. `each` runs on one thread at a
/// time, between chunks of parallel work; an error from it stops the run and is returned.
///
/// Per-target problems (no reference for the gene, a malformed header, an empty sequence)
/// are results with that [`Status`](crate::wildtype::Status); problems with a whole input are errors, as for [`run`].
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::{PipelineConfig, Status, Tier, for_each_result};
///
/// let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data/wildtype");
/// let config = PipelineConfig::new(
///     [format!("{data}/targets_proteins.fasta")],
///     format!("{data}/references.faa"),
///     "unused-output-dir",
/// );
/// let mut results = Vec::new();
/// for_each_result(&config, &(), |result| {
///     results.push(result);
///     Ok(())
/// })
/// .unwrap();
/// assert_eq!(results.len(), 115);
/// let first = &results[0];
/// assert_eq!(first.record.line, 1);
/// assert_eq!(first.record.status, Status::Ok);
/// assert_eq!(first.record.tier, Tier::High);
/// // Every call carries the target's accession and is counted in its record.
/// for result in &results {
///     assert_eq!(result.mutations.len(), result.record.mutations);
///     assert!(result.mutations.iter().all(|m| m.accession == result.record.accession));
/// }
/// assert!(results.iter().any(|r| !r.mutations.is_empty()));
/// ```
pub fn for_each_result(
    config: &PipelineConfig,
    progress: &dyn Progress,
    mut each: impl FnMut(TargetResult) -> Result<()> + Send,
) -> Result<()> {
    let prepared = Prepared::new(config, progress)?;
    prepared.align_chunks(config, progress, &Collect, &mut |slices| {
        slices.into_iter().flatten().try_for_each(&mut each)
    })
}

/// Runs the pipeline. Outputs are written under temporary names and renamed into place only
/// when everything succeeded; on error nothing new is left in the output directory.
///
/// The output directory's rules:
///
/// - A run owns exactly the files its `manifest.json` lists. A re-run replaces that set: it
///   removes the earlier manifest's files that it does not write again, and touches no other
///   file (a user's files in `alignments/` stay).
/// - Where something other than a file stands at an output file's name (a directory named
///   `mutations.tsv`, say), the run fails before writing anything, naming the path
///   ([`StagedError::InTheWay`](crate::staged::StagedError::InTheWay)).
/// - One run at a time: the lock file `.wildtype-aligner.lock` (see
///   [`DirLock`]) is held from before the first output is written until the manifest is in
///   place; a second run fails naming the holder. A stale lock (its process gone, on this
///   host) is taken over with a [warning](Progress::warning).
/// - Temporary files of an earlier run on this host whose process is gone (killed by
///   `kill -9`, say) are removed at the start, with a warning.
///
/// The results are those of [`for_each_result`]; their rows are rendered on the worker
/// threads and written by a writer thread while the next chunk is aligned.
///
/// Per-target problems (no reference for the gene, a malformed header, an empty sequence)
/// become rows with that status, never silent drops; problems with a whole input (a missing
/// or empty file, a bad catalogue row) are errors naming the file and line.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::{PipelineConfig, run};
///
/// let dir = std::env::temp_dir().join(format!("wta-doc-run-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("refs.fasta"), ">blaX\nMSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQ\n").unwrap();
/// std::fs::write(
///     dir.join("s1_proteins.fasta"),
///     ">P1|blaX|1-108|+|c1|ab12\nMSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQ\n>P2|blaY|1-9|-|c1|cd34\nMKV\n",
/// )
/// .unwrap();
/// let config = PipelineConfig::new([&dir], dir.join("refs.fasta"), dir.join("out"));
/// let summary = run(&config, &()).unwrap();
/// assert_eq!((summary.targets, summary.aligned, summary.problems), (2, 1, 1));
/// let table = std::fs::read_to_string(dir.join("out/alignments.tsv")).unwrap();
/// assert!(table.lines().nth(2).unwrap().ends_with("no_reference\tno reference for gene blaY"));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn run(config: &PipelineConfig, progress: &dyn Progress) -> Result<RunSummary> {
    let started = Instant::now();
    let started_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut prepared = Prepared::new(config, progress)?;
    // Released after the staged outputs are put in place or removed.
    let catalogue = prepared.loaded.catalogue.is_some();
    let (_lock, previous) = claim_output_dir(config, catalogue, progress, &mut prepared.warnings)?;
    let mut staged = StagedDir::new(&config.output_dir)?;
    let tables = Tables::open(&mut staged, config.write_alignments)?;
    let mut tally = Tally::default();
    let (tables, mut staged, collector) = std::thread::scope(|scope| -> Result<_> {
        let (sender, receiver) = sync_channel::<Vec<Rows>>(2);
        // Written buffers come back to be filled again: no fresh memory per chunk.
        let (recycle_rows, recycled_rows) = channel::<RenderedRows>();
        let (recycle_report, recycled_report) = channel::<ReportRows>();
        // The report's figures are summed up on a thread of their own, in input order, as
        // the rows are written: at the end of a run, when only the last chunk is left to
        // write, the two take a core each.
        let (to_collector, report_rows) = channel::<ReportRows>();
        let collector = scope.spawn(move || {
            let mut collector = Collector::default();
            for mut report in report_rows {
                report.feed(&mut collector);
                report.clear();
                let _ = recycle_report.send(report);
            }
            collector
        });
        let writer = scope.spawn(move || -> Result<_> {
            let mut tables = tables;
            for (index, chunk) in receiver.into_iter().enumerate() {
                for (mut rows, report) in chunk {
                    tables.append(&mut staged, &rows)?;
                    // The collector stops only when this sender is dropped.
                    let _ = to_collector.send(report);
                    rows.clear();
                    let _ = recycle_rows.send(rows);
                }
                // Start the disk writes while the workers align, rather than all at the end.
                if index % SYNC_CHUNKS == SYNC_CHUNKS - 1 {
                    tables.sync_written()?;
                }
            }
            Ok((tables, staged))
        });
        let sink = Render {
            recycled: Mutex::new((recycled_rows, recycled_report)),
            phenotypes: prepared
                .loaded
                .catalogue
                .as_ref()
                .is_some_and(|(catalogue, _)| catalogue.is_pointfinder()),
        };
        let aligned = prepared.align_chunks(config, progress, &sink, &mut |slices| {
            let mut chunk = Vec::with_capacity(slices.len());
            for (rows, slice_tally) in slices {
                tally.merge(slice_tally);
                chunk.push(rows);
            }
            sender.send(chunk).map_err(|_| Error::ThreadStopped {
                thread: "output writer",
            })
        });
        drop(sender);
        let written = writer.join().unwrap_or_else(|_| {
            Err(Error::ThreadStopped {
                thread: "output writer",
            })
        });
        // The writer's own error explains a refused send.
        let (tables, staged) = written?;
        aligned?;
        // The writer is gone, and with it the collector's channel: it ends too.
        let collector = collector.join().map_err(|_| Error::ThreadStopped {
            thread: "report collector",
        })?;
        Ok((tables, staged, collector))
    })?;
    tables.close(&mut staged)?;
    if progress.cancelled() {
        return Err(Error::Cancelled);
    }
    let outputs = Outputs {
        staged,
        previous,
        started,
        started_unix,
        collector,
    };
    let summary = finish_outputs(config, &prepared, &tally, outputs);
    free_in_background(prepared);
    summary
}

/// Frees `value` on a thread of its own. A large run's plan is a few small allocations per
/// target (names, header, coordinates): about 20 ms to free for 100,000 targets, at the end
/// of the run, when nothing else runs. Where no thread can be started, it is freed here.
fn free_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("wildtype-aligner free".into())
        .spawn(move || drop(value));
}

/// Takes the output directory's lock, removes the leftovers of dead runs and checks that no
/// output's place is taken; returns the lock and what earlier runs there own.
fn claim_output_dir(
    config: &PipelineConfig,
    catalogue: bool,
    progress: &dyn Progress,
    warnings: &mut Warnings,
) -> Result<(DirLock, Vec<String>)> {
    let mut warn = |kind: WarningKind, message: String| {
        progress.warning(&Warning::new(kind, message.clone()));
        warnings.add(kind, || message);
    };
    let dir = &config.output_dir;
    std::fs::create_dir_all(dir).map_err(|source| Error::io(dir, source))?;
    let lock = DirLock::acquire(dir)?;
    if let Some(holder) = lock.taken_over() {
        warn(
            WarningKind::StaleLockTakenOver,
            format!(
                "{}: took over the lock of {holder}, which is no longer running",
                lock.path().display()
            ),
        );
    }
    let dead = find_leftovers(dir, &OUTPUT_NAMES)?;
    let previous = previous_outputs(dir, &dead);
    for path in remove_leftovers(dir, &OUTPUT_NAMES)? {
        warn(
            WarningKind::LeftoversRemoved,
            format!(
                "{}: removed, left by a run that stopped without cleaning up",
                path.display()
            ),
        );
    }
    check_destinations(dir, catalogue, config.write_alignments)?;
    Ok((lock, previous))
}

/// The staged outputs of a run and what it replaces.
struct Outputs {
    staged: StagedDir,
    /// What earlier runs into the directory own.
    previous: Vec<String>,
    started: Instant,
    started_unix: u64,
    /// The report's figures, summed up as the tables were written.
    collector: Collector,
}

/// Writes `catalogue_unobserved.tsv` and the manifest, and renames everything into place,
/// replacing what earlier runs wrote.
fn finish_outputs(
    config: &PipelineConfig,
    prepared: &Prepared,
    tally: &Tally,
    outputs: Outputs,
) -> Result<RunSummary> {
    let Outputs {
        mut staged,
        previous,
        started,
        started_unix,
        collector,
    } = outputs;
    let loaded = &prepared.loaded;
    if let Some((catalogue, resolved)) = &loaded.catalogue {
        let rows = unobserved(catalogue, &loaded.references, tally);
        staged.write_file(UNOBSERVED, rows.as_bytes())?;
        if let Some(isolates) = &tally.isolates {
            let table = phenotype_table((catalogue, resolved), &loaded.references, isolates);
            staged.write_file(PHENOTYPES, table.as_bytes())?;
            let version = loaded
                .catalogue_record
                .as_ref()
                .and_then(|r| r.version.as_deref())
                .unwrap_or("unknown");
            let table =
                hamronization_table((catalogue, resolved), &loaded.references, isolates, version);
            staged.write_file(HAMRONIZATION, table.as_bytes())?;
        }
    }
    if !config.genomes.is_empty() {
        staged.write_file(TARGETS_FAA, &prepared.plan.extracted_fasta())?;
    }
    let summary = RunSummary {
        output_dir: config.output_dir.clone(),
        targets: tally.targets,
        aligned: tally.aligned,
        problems: tally.targets - tally.aligned - tally.absent,
        absent: tally.absent,
        per_tier: Tier::ALL
            .iter()
            .map(|&tier| (tier, tally.per_tier.get(&tier).copied().unwrap_or(0)))
            .collect(),
        mutations: tally.mutations,
        wall_seconds: started.elapsed().as_secs_f64(),
        warnings: prepared.warnings.listed().to_vec(),
    };
    let plan = &prepared.plan;
    let manifest = Manifest::build(ManifestParts {
        config,
        aligner: &prepared.aligner,
        threads: prepared.pool.current_num_threads(),
        inputs: loaded
            .inputs
            .iter()
            .map(|input| InputFile {
                path: config.shown(&input.path),
                ..input.clone()
            })
            .collect(),
        references: &loaded.references,
        used: &plan.used,
        tally,
        targets_read: plan.targets_read,
        filtered_out: plan.filtered_out,
        shard_range: plan.shard_range.clone(),
        started_unix,
        summary: &summary,
        warnings: &prepared.warnings,
        catalogue: loaded.catalogue_record.as_ref(),
        outputs: staged.files().into_iter().chain([REPORT.into()]).collect(),
    });
    let report = report_html::render_collected(
        collector,
        staged.staged_path(PHENOTYPES),
        &manifest,
        &staged.dir().join(MANIFEST),
    )?;
    staged.write_file(REPORT, &report)?;
    staged.write_file(MANIFEST, &manifest)?;
    // The earlier runs' files this one does not write again go first, while their manifest
    // still lists them (a run killed meanwhile leaves them listed, for the next run to
    // remove); then that manifest, which must not vouch for a half-replaced set; then the
    // renames, the new manifest last.
    let written: HashSet<String> = staged.files().into_iter().collect();
    let mut obsolete: Vec<String> = previous
        .into_iter()
        .filter(|name| !written.contains(name))
        .collect();
    let emptied = obsolete.iter().any(|name| name.starts_with("alignments/"))
        && !written.iter().any(|name| name.starts_with("alignments/"));
    obsolete.push(MANIFEST.into());
    staged.commit_replacing(&obsolete)?;
    if emptied {
        // Only if empty: files of the user's there stay, and so does the directory.
        let _ = std::fs::remove_dir(config.output_dir.join("alignments"));
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::{PipelineConfig, run};
    use crate::align::Aligner;

    const REFERENCES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/wildtype/references.faa");

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("wta-long-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// TEM-1, the first reference of the bundled set.
    fn tem1() -> Vec<u8> {
        let text = std::fs::read_to_string(REFERENCES).unwrap();
        let record = text.split('>').nth(1).unwrap();
        record
            .lines()
            .skip(1)
            .flat_map(|line| line.bytes())
            .collect()
    }

    /// `length` residues of an LCG-random protein with a TEM-1 copy (one substitution, one
    /// insertion) in its middle.
    fn long_target(length: usize) -> Vec<u8> {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut random = |n: usize| -> Vec<u8> {
            (0..n)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    b"ACDEFGHIKLMNPQRSTVWY"[(state >> 33) as usize % 20]
                })
                .collect()
        };
        let mut gene = tem1();
        gene[100] = b'W';
        gene.insert(150, b'G');
        let flank = (length - gene.len()) / 2;
        let mut target = random(flank);
        target.extend_from_slice(&gene);
        let rest = length - target.len();
        target.extend(random(rest));
        target
    }

    fn write_targets(dir: &Path, long: &[u8]) -> PathBuf {
        let mut text = String::new();
        text.push_str(">short1|blaTEM|1-861|+|c1|0\n");
        text.push_str(std::str::from_utf8(&tem1()).unwrap());
        text.push_str("\n>long1|blaTEM|1-60000|+|c2|0\n");
        text.push_str(std::str::from_utf8(long).unwrap());
        let mut variant = tem1();
        variant[60] = b'K';
        text.push_str("\n>short2|blaTEM|1-861|+|c3|0\n");
        text.push_str(std::str::from_utf8(&variant).unwrap());
        text.push('\n');
        let path = dir.join("targets.faa");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn tables(out: &Path) -> (String, String) {
        let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
        (read("alignments.tsv"), read("mutations.tsv"))
    }

    /// A long target goes through the bounded path (forced here at a lowered threshold, as a
    /// 5 Mb target takes it at the normal one) and gives the tables of the normal path, and a
    /// pair that cannot fit even there fails alone with a status row while the run goes on.
    #[test]
    fn long_target_is_aligned_in_bounded_memory_or_fails_alone() {
        let dir = scratch("pipeline");
        let long = long_target(20_000);
        let targets = write_targets(&dir, &long);
        let config = |out: &str| PipelineConfig::new([&targets], REFERENCES, dir.join(out));

        let normal = run(&config("normal"), &()).unwrap();
        let mut bounded = config("bounded");
        bounded.bounded = Some((1 << 20, crate::align::BOUNDED_MEMORY));
        let summary = run(&bounded, &()).unwrap();
        assert_eq!((summary.targets, summary.aligned), (3, 3));
        assert_eq!(tables(&dir.join("bounded")), tables(&dir.join("normal")));
        assert_eq!((normal.targets, normal.aligned), (3, 3));
        let (alignments, mutations) = tables(&dir.join("bounded"));
        let row = alignments
            .lines()
            .find(|line| line.starts_with("long1\t"))
            .unwrap();
        let expected = Aligner::builder().build().unwrap();
        let alignment = expected.align(&long, &tem1()).unwrap();
        assert!(row.contains(&format!("\t{}\t", alignment.cigar())), "{row}");
        assert!(row.ends_with("\tok\t"), "{row}");
        assert!(mutations.lines().any(|line| line.starts_with("long1\t")));

        // 1 MiB is not enough for the long pair: it alone gets a status row.
        let mut starved = config("starved");
        starved.bounded = Some((1 << 20, 1 << 20));
        let summary = run(&starved, &()).unwrap();
        assert_eq!((summary.targets, summary.aligned), (3, 2));
        let (alignments, _) = tables(&dir.join("starved"));
        let row = alignments
            .lines()
            .find(|line| line.starts_with("long1\t"))
            .unwrap();
        assert!(
            row.contains("\talignment_error\tsequences too big"),
            "{row}"
        );
        let ok = alignments
            .lines()
            .filter(|line| line.contains("\tok\t"))
            .count();
        assert_eq!(ok, 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
