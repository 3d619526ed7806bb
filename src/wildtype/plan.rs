//! Planning a run: every target file read once, each target's metadata built once
//! ([`TargetMeta`]: accession, gene, location, reference, why it cannot be aligned), the gene
//! filter and the shard applied, residues kept in one buffer.

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::seq::{nucleotide_fraction, strip_residues_into};
use crate::{Error, Result};

use super::config::PipelineConfig;
use rayon::prelude::*;

use super::genomes::{GenomeRow, GenomeStage, GenomeTarget, SearchedGenome};
use super::header::{GeneMap, TargetHeader, sequence_checksum};
use super::input::{
    InputFile, InputKind, ReferenceSet, expand_target_paths, for_each_fasta_record_of_file,
};
use super::progress::Progress;
use super::proteomes::ProteomeStage;
use super::records::Status;
use super::warning::{WarningKind, Warnings};

/// One target of the run, as planned.
#[derive(Debug, Clone)]
pub(crate) struct TargetMeta {
    /// Index into [`Plan::files`].
    pub file: usize,
    /// 1-based line of the header.
    pub line: usize,
    /// The header (without `>`, trimmed).
    pub header: String,
    pub accession: Arc<str>,
    pub gene: Option<Arc<str>>,
    /// The standard header's fields, when the header is one.
    pub location: Option<TargetHeader>,
    /// The reference of the gene, when there is one.
    pub reference: Option<usize>,
    /// Why the target is not aligned; `None` exactly when it is.
    pub problem: Option<(Status, String)>,
    /// The residues, in [`Plan::residues`].
    pub residues: Range<usize>,
    /// Genome input: where the copy lies and its coding sequence.
    pub genome: Option<Arc<GenomeTarget>>,
    /// What the row's detail says of an aligned target (genome copies: `copy 1 of 2`...).
    pub note: Option<String>,
    /// The standard header's checksum field does not match the residues.
    pub checksum_mismatch: bool,
}

/// A target file: its path and the path as the tables show it.
#[derive(Debug, Clone)]
pub(crate) struct TargetFile {
    pub path: PathBuf,
    pub shown: Arc<str>,
}

/// The targets of a run, in input order, after the gene filter and the shard.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub files: Vec<TargetFile>,
    pub targets: Vec<TargetMeta>,
    residues: Vec<u8>,
    /// Targets in the files.
    pub targets_read: usize,
    /// Targets the gene list left out.
    pub filtered_out: usize,
    /// The shard's slice of the targets the gene list kept.
    pub shard_range: Range<usize>,
    /// The references some target of the shard is aligned against (sorted).
    pub used: Vec<usize>,
    /// The genes of the gene filter some target carries (lower case).
    pub genes_matched: HashSet<String>,
}

/// Searches one genome or proteome file.
type SearchOne = dyn Fn(&Path) -> Result<SearchedGenome> + Sync;

/// What planning needs besides the configuration.
pub(crate) struct PlanInputs<'a> {
    pub config: &'a PipelineConfig,
    pub references: &'a ReferenceSet,
    pub gene_map: Option<&'a GeneMap>,
    /// Lower-case genes to keep; `None` keeps all.
    pub gene_filter: Option<&'a HashSet<String>>,
    /// The run's worker threads, which search genomes side by side.
    pub pool: &'a rayon::ThreadPool,
    /// Asked before each genome or proteome is searched whether the run is to stop.
    pub progress: &'a dyn Progress,
}

impl Plan {
    /// Reads every target file (recording each in `inputs`) and plans the run, adding what
    /// the user must know about the targets to `warnings`.
    pub(crate) fn new(
        with: &PlanInputs<'_>,
        inputs: &mut Vec<InputFile>,
        warnings: &mut Warnings,
    ) -> Result<Self> {
        let config = with.config;
        if !config.genomes.is_empty() || !config.proteomes.is_empty() {
            return Self::of_genomes(with, inputs, warnings);
        }
        let mut plan = Plan::default();
        for path in expand_target_paths(
            &config.proteins,
            &config.references,
            InputKind::Proteins,
            warnings,
        )? {
            // A plain file's residues take at most its size: one allocation instead of copies
            // as the buffer grows (gzip input grows it as needed).
            if let Ok(metadata) = std::fs::metadata(&path) {
                plan.residues.reserve(metadata.len() as usize);
            }
            let file = plan.files.len();
            plan.files.push(TargetFile {
                shown: config.shown(&path).display().to_string().into(),
                path: path.clone(),
            });
            let input = plan.read_targets(with, (file, &path))?;
            inputs.push(input);
        }
        let kept = plan.targets.len();
        plan.filtered_out = plan.targets_read - kept;
        plan.shard_range = config.shard.map_or(0..kept, |s| s.range(kept));
        plan.warn_duplicate_accessions(with.pool, warnings);
        plan.targets.truncate(plan.shard_range.end);
        plan.targets.drain(..plan.shard_range.start);
        plan.warn_about_targets(warnings);
        plan.note_used_references();
        Ok(plan)
    }

    /// Reads the targets of `file` on a thread of its own while the worker threads plan the
    /// batch before, so that reading and header parsing overlap.
    fn read_targets(
        &mut self,
        with: &PlanInputs<'_>,
        (file, path): (usize, &Path),
    ) -> Result<InputFile> {
        std::thread::scope(|scope| {
            let (batches, received) = std::sync::mpsc::sync_channel::<ReadBatch>(2);
            // Planned batches come back to be filled again: no fresh memory per batch.
            let (recycle, spare) = std::sync::mpsc::channel::<ReadBatch>();
            let reader = scope.spawn(move || {
                let mut batch = ReadBatch::default();
                let input =
                    for_each_fasta_record_of_file("targets", path, |header, residues, line| {
                        let start = batch.residues.len();
                        strip_residues_into(residues, &mut batch.residues);
                        batch
                            .records
                            .push((header.to_owned(), line, start..batch.residues.len()));
                        if batch.records.len() == HEADER_BATCH {
                            let next = spare.try_recv().unwrap_or_default();
                            // A refused send means the planner is gone; its error explains.
                            let _ = batches.send(std::mem::replace(&mut batch, next));
                        }
                        Ok(())
                    })?;
                let _ = batches.send(batch);
                Ok(input)
            });
            for mut batch in received {
                self.add_batch(with, (file, path), &mut batch);
                let _ = recycle.send(batch);
            }
            reader.join().unwrap_or(Err(crate::Error::ThreadStopped {
                thread: "target reader",
            }))
        })
    }

    /// Plans a batch of records read from `file`: their headers parsed on the worker threads;
    /// the residues of the targets the gene filter keeps go into [`Plan::residues`].
    fn add_batch(
        &mut self,
        with: &PlanInputs<'_>,
        (file, path): (usize, &Path),
        batch: &mut ReadBatch,
    ) {
        let ReadBatch { records, residues } = batch;
        // Everything a target needs of its own header and residues, on the worker threads
        // while the reader reads on.
        let metas: Vec<TargetMeta> = with.pool.install(|| {
            records
                .par_drain(..)
                .map(|(header, line, range)| {
                    let mut meta = TargetMeta {
                        file,
                        residues: range.clone(),
                        ..target_meta(with, path, header, line)
                    };
                    let residues = &residues[range];
                    check(with.references, &mut meta, residues);
                    meta.checksum_mismatch = meta
                        .location
                        .as_ref()
                        .is_some_and(|location| !location.checksum_matches(residues));
                    meta
                })
                .collect()
        });
        for mut meta in metas {
            self.targets_read += 1;
            if !keeps(with.gene_filter, &meta, &mut self.genes_matched) {
                continue;
            }
            let start = self.residues.len();
            self.residues
                .extend_from_slice(&residues[meta.residues.clone()]);
            meta.residues = start..self.residues.len();
            self.targets.push(meta);
        }
        residues.clear();
    }

    /// The references some planned target is aligned against.
    fn note_used_references(&mut self) {
        let mut used: Vec<usize> = self
            .targets
            .iter()
            .filter(|target| target.problem.is_none())
            .filter_map(|target| target.reference)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        used.sort_unstable();
        self.used = used;
    }

    /// Plans a run over genome files: the shard takes a slice of the genome files (in input
    /// order), each is searched on the worker threads, and its copies and absent genes become
    /// the targets, genome by genome.
    fn of_genomes(
        with: &PlanInputs<'_>,
        inputs: &mut Vec<InputFile>,
        warnings: &mut Warnings,
    ) -> Result<Self> {
        let config = with.config;
        let proteomes = config.genomes.is_empty();
        let (given, kind) = if proteomes {
            (&config.proteomes, InputKind::Proteins)
        } else {
            (&config.genomes, InputKind::Genomes)
        };
        let paths = expand_target_paths(given, &config.references, kind, warnings)?;
        let stage: Box<SearchOne> = if proteomes {
            let stage = ProteomeStage::new(with.references, with.gene_filter)?;
            Box::new(move |path| stage.search(path))
        } else {
            let stage = GenomeStage::new(with.references, with.gene_filter)?;
            Box::new(move |path| stage.search(path))
        };
        let mut plan = Plan {
            shard_range: config
                .shard
                .map_or(0..paths.len(), |s| s.range(paths.len())),
            ..Plan::default()
        };
        let paths = &paths[plan.shard_range.clone()];
        let searched: Vec<Result<SearchedGenome>> = with.pool.install(|| {
            paths
                .par_iter()
                .map(|path| {
                    // A genome search takes a while: a cancelled run stops here too, not
                    // only between chunks of alignments.
                    if with.progress.cancelled() {
                        return Err(Error::Cancelled);
                    }
                    stage(path)
                })
                .collect()
        });
        for (path, genome) in paths.iter().zip(searched) {
            let genome = genome?;
            let file = plan.files.len();
            plan.files.push(TargetFile {
                shown: config.shown(path).display().to_string().into(),
                path: path.clone(),
            });
            inputs.push(genome.input);
            let accession: Arc<str> = genome.accession.into();
            for row in genome.rows {
                plan.add_genome_row(file, &accession, row);
            }
        }
        plan.targets_read = plan.targets.len();
        plan.note_used_references();
        Ok(plan)
    }

    /// Plans the rows of one genome held in memory, shown as `accession` in the records'
    /// `file` column.
    pub(crate) fn of_genome_rows(accession: &str, rows: Vec<GenomeRow>) -> Self {
        let mut plan = Plan::default();
        plan.files.push(TargetFile {
            path: PathBuf::from(accession),
            shown: accession.into(),
        });
        let shared: Arc<str> = accession.into();
        for row in rows {
            plan.add_genome_row(0, &shared, row);
        }
        plan.targets_read = plan.targets.len();
        plan.shard_range = 0..1;
        plan.note_used_references();
        plan
    }

    fn add_genome_row(&mut self, file: usize, accession: &Arc<str>, row: GenomeRow) {
        let mut meta = TargetMeta {
            file,
            line: 0,
            header: String::new(),
            accession: accession.clone(),
            gene: None,
            location: None,
            reference: None,
            problem: None,
            residues: 0..0,
            genome: None,
            note: None,
            checksum_mismatch: false,
        };
        match row {
            GenomeRow::Copy {
                gene,
                header,
                line,
                location,
                reference,
                protein,
                target,
                detail,
            } => {
                meta.line = line;
                let start = self.residues.len();
                self.residues.extend_from_slice(&protein);
                meta.residues = start..self.residues.len();
                meta.gene = Some(gene.into());
                meta.header = header;
                meta.location = location.map(|l| *l);
                meta.reference = Some(reference);
                meta.genome = target.map(|t| Arc::new(*t));
                meta.note = Some(detail);
            }
            GenomeRow::Absent {
                gene,
                reference,
                detail,
            } => {
                meta.gene = Some(gene.into());
                meta.reference = Some(reference);
                meta.problem = Some((Status::Absent, detail));
            }
        }
        self.targets.push(meta);
    }

    /// Warns of each target (of this shard) whose accession an earlier target (of any shard)
    /// has, naming both: every repeat is reported once across the shards of a run.
    fn warn_duplicate_accessions(&self, pool: &rayon::ThreadPool, warnings: &mut Warnings) {
        // Sorted by accession on the worker threads (a stable sort keeps input order among
        // equals): each target after the first of its accession repeats that first one.
        let mut order: Vec<usize> = (0..self.targets.len()).collect();
        pool.install(|| {
            order.par_sort_by(|&x, &y| self.targets[x].accession.cmp(&self.targets[y].accession))
        });
        let mut repeats: Vec<(usize, usize)> = Vec::new();
        let mut first = None;
        for (position, &index) in order.iter().enumerate() {
            let same = position > 0
                && self.targets[order[position - 1]].accession == self.targets[index].accession;
            if !same {
                first = Some(index);
            } else if let Some(first) = first {
                repeats.push((index, first));
            }
        }
        repeats.sort_unstable();
        for (index, earlier) in repeats {
            let target = &self.targets[index];
            if self.shard_range.contains(&index) {
                let earlier = &self.targets[earlier];
                warnings.add(WarningKind::DuplicateAccession, || {
                    format!(
                        "{}: line {}: accession {} repeats {}: line {} (its rows are told \
                             apart by file and line only)",
                        self.files[target.file].shown,
                        target.line,
                        target.accession,
                        self.files[earlier.file].shown,
                        earlier.line
                    )
                });
            }
        }
    }

    /// Warns of headers with bytes that are not UTF-8 or are control bytes, and of checksum
    /// fields that do not match their sequence.
    fn warn_about_targets(&self, warnings: &mut Warnings) {
        for target in &self.targets {
            let place = || format!("{}: line {}", self.files[target.file].shown, target.line);
            if target.header.contains('\u{fffd}') {
                warnings.add(WarningKind::HeaderNotUtf8, || {
                    format!(
                        "{}: header is not UTF-8 text; its other bytes are shown as U+FFFD",
                        place()
                    )
                });
            }
            if let Some(byte) = target
                .header
                .bytes()
                .find(|&b| b.is_ascii_control() && b != b'\t')
            {
                warnings.add(WarningKind::HeaderControlBytes, || {
                    format!(
                        "{}: header holds control bytes (first 0x{byte:02x}); the tables show \
                         them as spaces",
                        place()
                    )
                });
            }
            if let Some(location) = &target.location {
                let residues = self.residues(target);
                if target.checksum_mismatch {
                    warnings.add(WarningKind::ChecksumMismatch, || {
                        format!(
                            "{}: record {}: checksum field {} does not match the sequence \
                             (SHA-256 of its upper-case residues begins {})",
                            place(),
                            target.accession,
                            location.checksum,
                            &sequence_checksum(residues)[..12]
                        )
                    });
                }
            }
        }
    }

    /// The proteins extracted from genomes, as FASTA in the standard header form (60
    /// residues a line), in target order.
    pub(crate) fn extracted_fasta(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let protein = |t: &&TargetMeta| {
            t.genome
                .as_ref()
                .is_some_and(|g| g.nucleotide_calls.is_none())
        };
        for target in self.targets.iter().filter(protein) {
            out.push(b'>');
            out.extend_from_slice(target.header.as_bytes());
            out.push(b'\n');
            for line in self.residues(target).chunks(60) {
                out.extend_from_slice(line);
                out.push(b'\n');
            }
        }
        out
    }

    /// The residues of a target.
    pub(crate) fn residues(&self, target: &TargetMeta) -> &[u8] {
        &self.residues[target.residues.clone()]
    }
}

/// Whether the gene filter keeps a target (one without a gene stays, to be reported); the
/// genes it keeps are added to `matched`.
fn keeps(
    filter: Option<&HashSet<String>>,
    target: &TargetMeta,
    matched: &mut HashSet<String>,
) -> bool {
    match (filter, &target.gene) {
        (Some(filter), Some(gene)) => {
            let lower = gene.to_ascii_lowercase();
            let kept = filter.contains(&lower);
            if kept && !matched.contains(&lower) {
                matched.insert(lower);
            }
            kept
        }
        _ => true,
    }
}

/// Reads a target's accession and gene: the gene map first, then the standard header, then the
/// gene rule. A header none of them explains keeps the problem for its status row.
fn target_meta(with: &PlanInputs<'_>, path: &Path, header: String, line: usize) -> TargetMeta {
    let parsed = TargetHeader::parse(&header);
    // A malformed standard header still names its accession in the first field.
    let accession = match &parsed {
        Ok(header) => header.accession.clone(),
        Err(_) => {
            let first_word = header.split_ascii_whitespace().next().unwrap_or("");
            first_word.split('|').next().unwrap_or("").to_owned()
        }
    };
    let mapped = with
        .gene_map
        .and_then(|map| map.gene(&accession).map(str::to_owned));
    let (gene, problem) = match (&parsed, mapped) {
        (_, Some(gene)) => (Some(gene), None),
        (Ok(header), None) => (Some(header.gene.clone()), None),
        (Err(why), None) => match with.config.gene_rule.as_ref() {
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
    TargetMeta {
        file: 0,
        line,
        accession: if accession.is_empty() {
            format!("{}:{}", path.display(), line).into()
        } else {
            accession.into()
        },
        location: parsed.ok(),
        header,
        gene: gene.map(Into::into),
        reference: None,
        problem: problem.map(|detail| (Status::BadHeader, detail)),
        residues: 0..0,
        genome: None,
        note: None,
        checksum_mismatch: false,
    }
}

/// Records read before their headers are parsed, side by side, on the worker threads.
const HEADER_BATCH: usize = 4096;

/// Records read but not yet planned: header, line and range in `residues`.
#[derive(Default)]
struct ReadBatch {
    records: Vec<(String, usize, Range<usize>)>,
    residues: Vec<u8>,
}

/// A target at least this long whose residues are at least [`NUCLEOTIDE_LIKE`] `ACGTUN` is a
/// nucleotide sequence given as protein (status `not_protein`) when its reference is not.
pub(crate) const NUCLEOTIDE_MIN_LENGTH: usize = 10;

/// The share of `ACGTUN` residues from which a sequence reads as nucleotide: proteins have
/// about a quarter of them.
pub(crate) const NUCLEOTIDE_LIKE: f64 = 0.9;

/// Finds the target's reference, and why it cannot be aligned: no gene, no reference for the
/// gene, no residues, nucleotides against a protein reference.
fn check(references: &ReferenceSet, target: &mut TargetMeta, residues: &[u8]) {
    if target.problem.is_some() {
        return;
    }
    let gene = target.gene.as_deref().unwrap_or("");
    // A genome copy comes with the reference it matched best.
    let Some(index) = target.reference.or_else(|| references.index_of(gene)) else {
        target.problem = Some((Status::NoReference, format!("no reference for gene {gene}")));
        return;
    };
    target.reference = Some(index);
    if target.residues.is_empty() {
        target.problem = Some((Status::EmptySequence, "no residues".into()));
        return;
    }
    let looks_nucleotide = |residues: &[u8]| {
        residues.len() >= NUCLEOTIDE_MIN_LENGTH && nucleotide_fraction(residues) >= NUCLEOTIDE_LIKE
    };
    if looks_nucleotide(residues) && !looks_nucleotide(&references.references()[index].residues) {
        target.problem = Some((
            Status::NotProtein,
            format!(
                "looks like a nucleotide sequence ({:.0}% A/C/G/T/U/N) against the protein reference of {gene}",
                100.0 * nucleotide_fraction(residues)
            ),
        ));
    }
}
