//! The run: read inputs, align every target against its gene's reference in parallel, grade,
//! call mutations, write the outputs.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;

use crate::align::{AlignError, Aligner, Alignment};
use crate::report::{AlignFormat, EmbossWriter, PairReport, RunHeader, rundate_now};
use crate::scoring::GapPenalties;
use crate::seq::{NameCounter, Sequence};
use crate::{Error, Result};

use super::catalogue::ResolvedCatalogue;
use super::input::{
    InputFile, Reference, expand_target_paths, fasta_records, read_fasta_text, read_gene_list,
};
use super::output::{self, Manifest, Rendered, StagedOutputs, Tally};
use super::records::{AlignmentRecord, MutationRecord, Status};
use super::{
    Catalogue, GeneMap, PipelineConfig, Quality, ReferenceSet, TargetHeader, Tier, call_mutations,
};

/// Receives progress from a run; every method defaults to doing nothing. Called from worker
/// threads, hence `Sync`.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use wildtype_aligner::wildtype::Progress;
///
/// struct Count(AtomicUsize);
/// impl Progress for Count {
///     fn advance(&self, _done: usize) {
///         self.0.fetch_add(1, Ordering::Relaxed);
///     }
/// }
/// let count = Count(AtomicUsize::new(0));
/// count.advance(1);
/// assert_eq!(count.0.load(Ordering::Relaxed), 1);
/// ```
pub trait Progress: Sync {
    /// The run has `total` targets to align.
    fn start(&self, total: usize) {
        let _ = total;
    }
    /// `done` targets are finished (called once per target, in completion order).
    fn advance(&self, done: usize) {
        let _ = done;
    }
    /// All targets are aligned; outputs are being written.
    fn finish(&self) {}
}

impl Progress for () {}

/// What a finished run did.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// Where the outputs are.
    pub output_dir: PathBuf,
    /// Targets in this run (after the gene filter and shard).
    pub targets: usize,
    /// Targets aligned (status `ok`).
    pub aligned: usize,
    /// Targets not aligned, with the reason in their status.
    pub problems: usize,
    /// Targets per tier, best first.
    pub per_tier: Vec<(Tier, usize)>,
    /// Mutation calls.
    pub mutations: usize,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
}

/// The name of the alignment kernel `aligner` uses, for the manifest (`scalar`, `avx512`, ...;
/// see [`crate::align::KernelKind`]).
///
/// The pipeline groups each chunk's targets by reference and aligns each group with
/// [`Aligner::align_many_to_one`]: the targets stay water's `-asequence` (in the lanes of the SIMD
/// kernel) against their reference as `-bsequence`, exactly as one pair at a time would.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::align::{Aligner, KernelKind};
/// use wildtype_aligner::wildtype::kernel_name;
///
/// let scalar = Aligner::builder().kernel(KernelKind::Scalar).build().unwrap();
/// assert_eq!(kernel_name(&scalar), "scalar");
/// ```
pub fn kernel_name(aligner: &Aligner) -> &'static str {
    aligner.kernel().name()
}

/// One target as read.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub file: PathBuf,
    pub line: usize,
    pub header: String,
    pub accession: String,
    pub gene: Option<String>,
    pub location: Option<TargetHeader>,
    pub problem: Option<String>,
    pub residues: Vec<u8>,
}

/// Everything the per-target work shares.
struct Context<'a> {
    config: &'a PipelineConfig,
    aligner: Aligner,
    references: &'a ReferenceSet,
    self_scores: Vec<f32>,
    catalogue: Option<(&'a Catalogue, ResolvedCatalogue)>,
    rundate: String,
}

/// Targets processed at a time: rows are written and results dropped after each chunk, so a
/// run's memory does not grow with the number of targets.
pub(crate) const CHUNK_TARGETS: usize = 4096;

/// The result of one target, its rows already rendered.
pub(crate) struct TargetResult {
    pub record: AlignmentRecord,
    /// Mutation calls.
    pub mutations: usize,
    /// Catalogue rows the calls matched.
    pub catalogue_rows: Vec<usize>,
    pub water: Option<Vec<u8>>,
    pub rendered: Rendered,
}

impl TargetResult {
    fn new(
        record: AlignmentRecord,
        mutations: &[MutationRecord],
        water: Option<Vec<u8>>,
    ) -> Result<Self> {
        Ok(Self {
            rendered: Rendered::new(&record, mutations)?,
            mutations: mutations.len(),
            catalogue_rows: mutations.iter().filter_map(|m| m.catalogue_index).collect(),
            record,
            water,
        })
    }
}

/// Runs the pipeline. Outputs are written under temporary names and renamed into place only
/// when everything succeeded; on error nothing new is left in the output directory.
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
    let mut inputs: Vec<InputFile> = Vec::new();

    let references = ReferenceSet::from_path(&config.references)?;
    inputs.extend(references.files().iter().cloned());

    let catalogue = match &config.catalogue {
        Some(path) => {
            let (_, file) = super::input::read_input("catalogue", path)?;
            inputs.push(file);
            Some(Catalogue::from_path(path)?)
        }
        None => None,
    };
    let resolved = match &catalogue {
        Some(catalogue) => {
            Some(catalogue.resolve(|gene| references.get(gene).map(|r| &r.residues[..]))?)
        }
        None => None,
    };

    let gene_map = match &config.gene_map {
        Some(path) => {
            let (_, file) = super::input::read_input("gene_map", path)?;
            inputs.push(file);
            Some(GeneMap::from_path(path)?)
        }
        None => None,
    };
    let gene_filter: Option<HashSet<String>> = match &config.target_genes {
        Some(value) => {
            let (genes, file) = read_gene_list(value)?;
            inputs.extend(file);
            Some(genes.iter().map(|g| g.to_ascii_lowercase()).collect())
        }
        None => None,
    };

    // Pass 1: read and check every target file, count the targets the gene filter keeps.
    // The texts stay (one copy of the input); targets are built from them a chunk at a time.
    let mut texts: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut read_targets = 0;
    let mut kept_targets = 0;
    let keep = |target: &Target| match &gene_filter {
        Some(filter) => target
            .gene
            .as_ref()
            .is_none_or(|gene| filter.contains(&gene.to_ascii_lowercase())),
        None => true,
    };
    for path in expand_target_paths(&config.proteins, &config.references)? {
        let (text, file) = read_fasta_text("targets", &path)?;
        inputs.push(file);
        for raw in fasta_records(&text) {
            read_targets += 1;
            if gene_filter.is_none()
                || keep(&target_from_header(
                    config,
                    gene_map.as_ref(),
                    &path,
                    raw.header(),
                    raw.line,
                    Vec::new(),
                ))
            {
                kept_targets += 1;
            }
        }
        texts.push((path, text));
    }
    let filtered_out = read_targets - kept_targets;
    let shard_range = config
        .shard
        .map_or(0..kept_targets, |s| s.range(kept_targets));

    let (gaps, _) = GapPenalties::clamped(config.gap_open, config.gap_extend);
    let aligner = Aligner::builder().gaps(gaps).build()?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Setting(format!("cannot start worker threads: {e}")))?;
    let threads = pool.current_num_threads();

    // The shard's targets in input order, built lazily.
    let mut shard_targets = texts
        .iter()
        .flat_map(|(path, text)| fasta_records(text).map(move |raw| (path, raw)))
        .map(|(path, raw)| {
            let residues = raw.residues();
            target_from_header(
                config,
                gene_map.as_ref(),
                path,
                raw.header(),
                raw.line,
                residues,
            )
        })
        .filter(|target| keep(target))
        .skip(shard_range.start)
        .take(shard_range.len());

    // The references any target of the shard uses (their self-scores and manifest entries).
    let mut used: HashSet<usize> = HashSet::new();
    {
        let mut position = 0;
        for (path, text) in &texts {
            for raw in fasta_records(text) {
                let target = target_from_header(
                    config,
                    gene_map.as_ref(),
                    path,
                    raw.header(),
                    raw.line,
                    Vec::new(),
                );
                if !keep(&target) {
                    continue;
                }
                if shard_range.contains(&position)
                    && let Some(index) = target
                        .gene
                        .as_deref()
                        .and_then(|gene| references.index_of(gene))
                {
                    used.insert(index);
                }
                position += 1;
            }
        }
    }

    progress.start(shard_range.len());
    let done = AtomicUsize::new(0);
    let mut staged = StagedOutputs::new(&config.output_dir)?;
    staged.open_tables(config.write_alignments)?;
    let mut tally = Tally::default();
    pool.install(|| -> Result<()> {
        let self_scores = references
            .references()
            .par_iter()
            .enumerate()
            .map(|(index, reference)| {
                if !used.contains(&index) {
                    return Ok(0.0);
                }
                Ok(aligner
                    .align(&reference.residues, &reference.residues)?
                    .score())
            })
            .collect::<Result<Vec<f32>>>()?;
        let context = Context {
            config,
            aligner: aligner.clone(),
            references: &references,
            self_scores,
            catalogue: catalogue.as_ref().zip(resolved),
            rundate: rundate_now(),
        };
        loop {
            let chunk: Vec<Target> = shard_targets.by_ref().take(CHUNK_TARGETS).collect();
            if chunk.is_empty() {
                return Ok(());
            }
            // Each reference's targets in one transposed batch (targets as a, in the lanes).
            let checked: Vec<Checked> = chunk
                .iter()
                .map(|target| reference_of(&context, target))
                .collect();
            let mut groups: std::collections::BTreeMap<usize, Vec<usize>> =
                std::collections::BTreeMap::new();
            for (position, check) in checked.iter().enumerate() {
                if let Checked {
                    reference: Some(index),
                    problem: None,
                } = check
                {
                    groups.entry(*index).or_default().push(position);
                }
            }
            let aligned: Vec<(usize, Result<Alignment, AlignError>)> = groups
                .into_par_iter()
                .flat_map_iter(|(index, positions)| {
                    let queries: Vec<&[u8]> = positions
                        .iter()
                        .map(|&position| chunk[position].residues.as_slice())
                        .collect();
                    let reference = &context.references.references()[index].residues;
                    let alignments = context.aligner.align_many_to_one(&queries, reference);
                    positions.into_iter().zip(alignments)
                })
                .collect();
            let mut alignments: Vec<Option<Result<Alignment, AlignError>>> =
                (0..chunk.len()).map(|_| None).collect();
            for (position, alignment) in aligned {
                alignments[position] = Some(alignment);
            }
            let results = chunk
                .par_iter()
                .zip(checked)
                .zip(alignments)
                .map(|((target, check), alignment)| {
                    let result = process(&context, target, check, alignment);
                    progress.advance(done.fetch_add(1, Ordering::Relaxed) + 1);
                    result
                })
                .collect::<Result<Vec<TargetResult>>>()?;
            for result in &results {
                tally.add(result);
            }
            staged.append(&results)?;
        }
    })?;
    progress.finish();
    staged.close_tables()?;
    let unobserved = catalogue
        .as_ref()
        .map(|catalogue| output::unobserved(catalogue, &references, &tally));
    if let Some(rows) = &unobserved {
        staged.write_file("catalogue_unobserved.tsv", rows.as_bytes())?;
    }

    let summary = RunSummary {
        output_dir: config.output_dir.clone(),
        targets: tally.targets,
        aligned: tally.aligned,
        problems: tally.targets - tally.aligned,
        per_tier: Tier::ALL
            .iter()
            .map(|&tier| (tier, tally.per_tier.get(&tier).copied().unwrap_or(0)))
            .collect(),
        mutations: tally.mutations,
        wall_seconds: started.elapsed().as_secs_f64(),
    };
    let manifest = Manifest::build(
        config,
        &aligner,
        kernel_name(&aligner),
        threads,
        inputs,
        &references,
        &used,
        &tally,
        read_targets,
        filtered_out,
        shard_range,
        started_unix,
        &summary,
        staged.names(),
    );
    staged.write_file("manifest.json", &manifest)?;
    staged.commit()?;
    Ok(summary)
}

/// Reads a target's accession and gene: the gene map first, then the standard header, then the
/// gene rule. A header none of them explains keeps the problem for its status row.
fn target_from_header(
    config: &PipelineConfig,
    gene_map: Option<&GeneMap>,
    path: &std::path::Path,
    header: String,
    line: usize,
    residues: Vec<u8>,
) -> Target {
    let first_word = header
        .split_ascii_whitespace()
        .next()
        .unwrap_or("")
        .to_owned();
    let parsed = TargetHeader::parse(&header);
    // A malformed standard header still names its accession in the first field.
    let accession = match &parsed {
        Ok(header) => header.accession.clone(),
        Err(_) => first_word.split('|').next().unwrap_or("").to_owned(),
    };
    let mapped = gene_map.and_then(|map| map.gene(&accession).map(str::to_owned));
    let (gene, problem) = match (&parsed, mapped) {
        (_, Some(gene)) => (Some(gene), None),
        (Ok(header), None) => (Some(header.gene.clone()), None),
        (Err(why), None) => match config.gene_rule.as_ref() {
            Some(rule) => match rule.apply(&header) {
                Some(gene) => (Some(gene), None),
                None => (
                    None,
                    Some(format!(
                        "header {why}; gene rule {rule} finds no gene in it"
                    )),
                ),
            },
            None => (
                None,
                Some(format!(
                    "header {why} (give a gene rule or a gene map for other headers)"
                )),
            ),
        },
    };
    Target {
        file: path.to_owned(),
        line,
        accession: if accession.is_empty() {
            format!("{}:{}", path.display(), line)
        } else {
            accession
        },
        location: parsed.ok(),
        header,
        gene,
        problem,
        residues,
    }
}

/// What is known of a target before its alignment: its reference, and why it is not aligned.
struct Checked {
    reference: Option<usize>,
    problem: Option<(Status, String)>,
}

/// Finds the target's reference; the target is aligned exactly when there is no problem.
fn reference_of(context: &Context<'_>, target: &Target) -> Checked {
    let unaligned = |reference, status, detail| Checked {
        reference,
        problem: Some((status, detail)),
    };
    if let Some(problem) = &target.problem {
        return unaligned(None, Status::BadHeader, problem.clone());
    }
    let gene = target.gene.as_deref().unwrap_or("");
    let Some(index) = context.references.index_of(gene) else {
        return unaligned(
            None,
            Status::NoReference,
            format!("no reference for gene {gene}"),
        );
    };
    if target.residues.is_empty() {
        return unaligned(Some(index), Status::EmptySequence, "no residues".into());
    }
    Checked {
        reference: Some(index),
        problem: None,
    }
}

/// Grades one target: `check` is [`reference_of`], `alignment` the target (as water's a)
/// against its reference, present exactly when `check` has no problem.
fn process(
    context: &Context<'_>,
    target: &Target,
    check: Checked,
    alignment: Option<Result<Alignment, AlignError>>,
) -> Result<TargetResult> {
    let mut record = AlignmentRecord::unaligned(target);
    let not_aligned = |mut record: AlignmentRecord, status: Status, detail: String| {
        record.status = status;
        record.detail = detail;
        TargetResult::new(record, &[], None)
    };
    let reference = check
        .reference
        .map(|index| (index, &context.references.references()[index]));
    if let Some((_, reference)) = reference {
        record.reference = Some(reference.id.clone());
        record.reference_length = Some(reference.length);
    }
    if let Some((status, detail)) = check.problem {
        return not_aligned(record, status, detail);
    }
    let (index, reference) = reference.expect("a target without a problem has a reference");
    let alignment = match alignment.expect("every target with a reference is aligned") {
        Ok(alignment) => alignment,
        Err(error) => return not_aligned(record, Status::AlignmentError, error.to_string()),
    };
    let quality = Quality::assess(
        &target.residues,
        &reference.residues,
        context.self_scores[index],
        &alignment,
    );
    let tier = context.config.tiers.classify(&quality);
    record.set_alignment(&alignment, quality, tier);
    let calls = call_mutations(&target.residues, &reference.residues, &alignment)?;
    record.mutations = calls.len();
    let mutations: Vec<MutationRecord> = calls
        .into_iter()
        .map(|call| {
            let entry = context.catalogue.as_ref().map(|(catalogue, resolved)| {
                resolved
                    .find(&reference.gene, &call.change)
                    .map(|index| (index, &catalogue.entries()[index]))
            });
            MutationRecord::new(target, reference, tier, call, entry)
        })
        .collect();
    record.known_mutations = mutations
        .iter()
        .filter(|m| m.catalogue_index.is_some())
        .count();
    let water = context
        .config
        .write_alignments
        .then(|| water_report(context, target, reference, &alignment));
    TargetResult::new(record, &mutations, water)
}

/// water's srspair report of one pair, as `water -asequence <target> -bsequence <reference>`
/// with the run's gap penalties would write it.
fn water_report(
    context: &Context<'_>,
    target: &Target,
    reference: &Reference,
    alignment: &Alignment,
) -> Vec<u8> {
    let mut counter = NameCounter::new();
    // A header water's reader would reject still gets a report, named by its first word.
    let mut named = |header: &str, residues: &[u8]| {
        Sequence::from_fasta(header, residues, &mut counter).unwrap_or_else(|_| {
            let word = header.split_ascii_whitespace().next().unwrap_or("");
            Sequence::new(word, crate::seq::strip_residues(residues))
        })
    };
    let a = named(&target.header, &target.residues);
    let b = named(&reference.header, &reference.residues);
    let report_name = output::water_file_name(&target.accession, &reference.gene);
    let config = context.config;
    let header = RunHeader::new(
        [
            format!("-asequence {}", target.file.display()),
            format!("-bsequence {}", reference.file.display()),
            format!("-gapopen {}", config.gap_open),
            format!("-gapextend {}", config.gap_extend),
            format!("-outfile {report_name}"),
            "-auto".to_owned(),
        ],
        &report_name,
    )
    .with_rundate(context.rundate.clone());
    let mut writer = EmbossWriter::new(Vec::new(), AlignFormat::Srspair);
    // Writing into a Vec cannot fail.
    let _ = writer.write_header(&header);
    let report = PairReport::new(
        alignment,
        a.residues(),
        b.residues(),
        context.aligner.matrix(),
        context.aligner.gaps(),
    );
    if let Ok(report) = report {
        let report = report
            .names(a.name(), b.name())
            .descriptions(a.description(), b.description());
        let _ = writer.write_alignment(&report);
    }
    let _ = writer.finish();
    writer.into_inner()
}
