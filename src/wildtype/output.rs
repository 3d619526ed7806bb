//! Writing a run's outputs: every file goes to a temporary name first and is renamed into
//! place only when the whole run has succeeded; `manifest.json` is renamed last, so its
//! presence marks a complete set.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::align::Aligner;
use crate::staged::{StagedDir, StagedFile, ensure_replaceable};
use crate::{Error, Result};

use super::catalogue::Catalogue;
use super::config::{PipelineConfig, Shard};
use super::header::GeneRule;
use super::input::{InputFile, Reference, ReferenceSet};
pub(crate) use super::phenotypes::{HAMRONIZATION, Isolates, PHENOTYPES};
use super::quality::{Tier, TierThresholds};
use super::records::{ALIGNMENT_COLUMNS, MUTATION_COLUMNS, Status, TargetResult};
use super::render::{self, MutationRows, tsv_line};
use super::warning::{Warning, Warnings};

/// The name of a per-pair water report: `{accession}_{gene}.water`, with characters outside
/// `[A-Za-z0-9._-]` replaced by `_`.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::water_file_name;
///
/// assert_eq!(water_file_name("GCF_1|x", "gyrA"), "GCF_1_x_gyrA.water");
/// ```
pub fn water_file_name(accession: &str, gene: &str) -> String {
    let clean = |text: &str| -> String {
        text.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!("{}_{}.water", clean(accession), clean(gene))
}

/// What a finished run did.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// Where the outputs are.
    pub output_dir: PathBuf,
    /// Targets in this run (after the gene filter and shard).
    pub targets: usize,
    /// Targets aligned (status `ok`).
    pub aligned: usize,
    /// Targets not aligned, with the reason in their status (`absent` rows aside).
    pub problems: usize,
    /// Genome input: genes with no copy in a genome (`absent` rows), over all genomes.
    pub absent: usize,
    /// Targets per tier, best first.
    pub per_tier: Vec<(Tier, usize)>,
    /// Mutation calls.
    pub mutations: usize,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
    /// What the run accepted, or changed, that its user must know about (the first
    /// hundred of each kind; `manifest.json` counts all of them).
    pub warnings: Vec<Warning>,
}

/// A chunk of targets' rows, rendered on the worker threads, in input order.
#[derive(Debug, Default)]
pub(crate) struct RenderedRows {
    pub alignments_tsv: Vec<u8>,
    pub mutations_tsv: Vec<u8>,
    pub alignments_jsonl: Vec<u8>,
    pub mutations_jsonl: Vec<u8>,
    /// (accession, gene, report) of each pair's water report, when the run writes them.
    pub water: Vec<(String, String, Vec<u8>)>,
    /// The mutation rows' shared fields of the last target rendered.
    mutation_rows: MutationRows,
}

impl RenderedRows {
    /// Empties the buffers, keeping their capacity for the next chunk.
    pub(crate) fn clear(&mut self) {
        self.alignments_tsv.clear();
        self.mutations_tsv.clear();
        self.alignments_jsonl.clear();
        self.mutations_jsonl.clear();
        self.water.clear();
    }

    /// Renders a target's rows after what the buffers hold, taking its water report.
    pub(crate) fn add(&mut self, result: &mut TargetResult) {
        render::alignment_tsv(&mut self.alignments_tsv, &result.record);
        render::alignment_json(&mut self.alignments_jsonl, &result.record);
        for mutation in &result.mutations {
            self.mutation_rows
                .render(&mut self.mutations_tsv, &mut self.mutations_jsonl, mutation);
        }
        if let Some(report) = result.water.take() {
            self.water.push((
                result.record.accession.to_string(),
                result.record.gene.as_deref().unwrap_or("").to_owned(),
                report,
            ));
        }
    }
}

/// The tables being streamed into the staged output directory.
pub(crate) struct Tables {
    /// alignments.tsv, mutations.tsv, alignments.jsonl, mutations.jsonl.
    files: [StagedFile; 4],
    water: bool,
    /// How often each water report name was used (later repeats are numbered).
    water_names: HashMap<String, usize>,
}

/// The directory of per-pair water reports.
const WATER_DIR: &str = "alignments";

/// The four tables every run writes.
const TABLES: [&str; 4] = [
    "alignments.tsv",
    "mutations.tsv",
    "alignments.jsonl",
    "mutations.jsonl",
];

/// The table of catalogue rows no target carried (runs with a catalogue).
pub(crate) const UNOBSERVED: &str = "catalogue_unobserved.tsv";

/// The proteins extracted from genomes (genome runs), in the standard header form.
pub(crate) const TARGETS_FAA: &str = "targets.faa";

/// The run as a page (see [`super::render_report`]), rendered from the finished tables.
pub(crate) const REPORT: &str = "report.html";

/// The manifest, renamed into place last.
pub(crate) const MANIFEST: &str = "manifest.json";

/// Every name the pipeline writes directly in an output directory: what its leftovers may be
/// named after.
pub(crate) const OUTPUT_NAMES: [&str; 12] = [
    TABLES[0],
    TABLES[1],
    TABLES[2],
    TABLES[3],
    UNOBSERVED,
    PHENOTYPES,
    HAMRONIZATION,
    TARGETS_FAA,
    REPORT,
    MANIFEST,
    WATER_DIR,
    crate::staged::LOCK_FILE,
];

/// Checks, before anything is written, that nothing but a file stands where a run's output
/// files go in `dir` (and nothing but a directory where its water reports go).
pub(crate) fn check_destinations(dir: &Path, catalogue: bool, water: bool) -> Result<()> {
    let files = TABLES
        .iter()
        .chain(catalogue.then_some(&UNOBSERVED))
        .chain(catalogue.then_some(&PHENOTYPES))
        .chain(catalogue.then_some(&HAMRONIZATION))
        .chain([&REPORT, &MANIFEST]);
    for name in files {
        ensure_replaceable(&dir.join(name), false)?;
    }
    if water {
        ensure_replaceable(&dir.join(WATER_DIR), true)?;
    }
    Ok(())
}

/// Whether `name`, read from a manifest, is an output the pipeline may have written: one of
/// its fixed names, or a water report in its directory. Nothing else is ever removed as an
/// earlier run's output, whatever a manifest says.
fn is_output_name(name: &str) -> bool {
    if TABLES.contains(&name)
        || [UNOBSERVED, PHENOTYPES, HAMRONIZATION, TARGETS_FAA, REPORT].contains(&name)
    {
        return true;
    }
    name.strip_prefix("alignments/").is_some_and(|file| {
        file.ends_with(".water")
            && file != ".water"
            && file
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    })
}

/// The outputs the run that wrote `manifest` owns (its `outputs` that are
/// [output names](is_output_name)); none if it is not a manifest.
fn outputs_of(manifest: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read(manifest) else {
        return Vec::new();
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    value["outputs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|name| name.as_str())
        .filter(|name| is_output_name(name))
        .map(str::to_owned)
        .collect()
}

/// What earlier runs into `dir` own: the outputs the manifest lists, and those of the
/// manifest a run that died while putting its outputs in place was about to commit (`dead`,
/// its leftovers).
pub(crate) fn previous_outputs(dir: &Path, dead: &[PathBuf]) -> Vec<String> {
    let mut outputs = outputs_of(&dir.join(MANIFEST));
    let pending = dead.iter().filter(|path| {
        path.file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with(".manifest.json.partial-"))
    });
    for path in pending {
        outputs.extend(outputs_of(path));
    }
    outputs.sort();
    outputs.dedup();
    outputs
}

impl Tables {
    /// Opens the four tables (and, when asked, the directory of per-pair water reports) under
    /// temporary names and writes their header lines.
    pub(crate) fn open(staged: &mut StagedDir, water: bool) -> Result<Self> {
        let mut files = [
            staged.create(TABLES[0])?,
            staged.create(TABLES[1])?,
            staged.create(TABLES[2])?,
            staged.create(TABLES[3])?,
        ];
        let mut header = Vec::new();
        tsv_line(&mut header, ALIGNMENT_COLUMNS);
        files[0].write_bytes(&header)?;
        header.clear();
        tsv_line(&mut header, MUTATION_COLUMNS);
        files[1].write_bytes(&header)?;
        if water {
            staged.create_dir(WATER_DIR)?;
        }
        Ok(Self {
            files,
            water,
            water_names: HashMap::new(),
        })
    }

    /// Appends a chunk's rows (and water reports).
    pub(crate) fn append(&mut self, staged: &mut StagedDir, rows: &RenderedRows) -> Result<()> {
        self.files[0].write_bytes(&rows.alignments_tsv)?;
        self.files[1].write_bytes(&rows.mutations_tsv)?;
        self.files[2].write_bytes(&rows.alignments_jsonl)?;
        self.files[3].write_bytes(&rows.mutations_jsonl)?;
        if !self.water {
            return Ok(());
        }
        for (accession, gene, report) in &rows.water {
            let base = water_file_name(accession, gene);
            // The same accession and gene twice: number the later ones.
            let seen = self.water_names.entry(base.clone()).or_insert(0);
            *seen += 1;
            let name = match *seen {
                1 => base,
                n => format!("{}.{n}.water", base.trim_end_matches(".water")),
            };
            staged.write_in_dir(WATER_DIR, &name, report)?;
        }
        Ok(())
    }

    /// Puts what the tables hold so far on disk (see [`StagedFile::sync_written`]).
    pub(crate) fn sync_written(&mut self) -> Result<()> {
        self.files
            .iter_mut()
            .try_for_each(StagedFile::sync_written)
            .map_err(Error::from)
    }

    /// Flushes and syncs the tables, staging them for the commit.
    pub(crate) fn close(self, staged: &mut StagedDir) -> Result<()> {
        for file in self.files {
            staged.finish(file)?;
        }
        Ok(())
    }
}

/// What the manifest and `catalogue_unobserved.tsv` need from the targets, accumulated a
/// chunk at a time so that no run holds every target's result.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub targets: usize,
    pub aligned: usize,
    /// `absent` rows (genome input).
    pub absent: usize,
    pub per_tier: BTreeMap<Tier, usize>,
    pub per_status: BTreeMap<&'static str, usize>,
    pub mutations: usize,
    pub known_mutations: usize,
    pub failures: Vec<OwnedFailure>,
    /// Catalogue rows some target carries.
    pub observed: HashSet<usize>,
    /// Aligned targets per gene (lower case).
    pub aligned_per_gene: BTreeMap<String, usize>,
    /// What `phenotypes.tsv` needs (runs with a PointFinder catalogue).
    pub isolates: Option<Isolates>,
}

/// A target that was not aligned, for the manifest.
#[derive(Debug)]
pub(crate) struct OwnedFailure {
    accession: String,
    file: String,
    line: usize,
    status: &'static str,
    reason: String,
}

impl Tally {
    /// Adds the counts of the targets after this tally's (failures keep their order).
    pub(crate) fn merge(&mut self, later: Tally) {
        self.targets += later.targets;
        self.aligned += later.aligned;
        self.absent += later.absent;
        for (tier, count) in later.per_tier {
            *self.per_tier.entry(tier).or_insert(0) += count;
        }
        for (status, count) in later.per_status {
            *self.per_status.entry(status).or_insert(0) += count;
        }
        self.mutations += later.mutations;
        self.known_mutations += later.known_mutations;
        self.failures.extend(later.failures);
        self.observed.extend(later.observed);
        for (gene, count) in later.aligned_per_gene {
            *self.aligned_per_gene.entry(gene).or_insert(0) += count;
        }
        match (&mut self.isolates, later.isolates) {
            (Some(mine), Some(theirs)) => mine.merge(theirs),
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
    }

    pub(crate) fn add(&mut self, result: &TargetResult) {
        let record = &result.record;
        self.targets += 1;
        *self.per_tier.entry(record.tier).or_insert(0) += 1;
        *self.per_status.entry(record.status.as_str()).or_insert(0) += 1;
        self.mutations += record.mutations;
        self.known_mutations += record.known_mutations;
        self.observed
            .extend(result.mutations.iter().filter_map(|m| m.catalogue_index));
        if let Some(isolates) = &mut self.isolates {
            isolates.add(result);
        }
        if record.status == Status::Absent {
            self.absent += 1;
        } else if record.status == Status::Ok {
            self.aligned += 1;
            if let Some(gene) = &record.gene {
                *self
                    .aligned_per_gene
                    .entry(gene.to_ascii_lowercase())
                    .or_insert(0) += 1;
            }
        } else {
            self.failures.push(OwnedFailure {
                accession: record.accession.to_string(),
                file: record.file.to_string(),
                line: record.line,
                status: record.status.as_str(),
                reason: record.detail.clone(),
            });
        }
    }
}

/// `catalogue_unobserved.tsv`: catalogue rows no target of this run carries, with how many
/// targets of their gene were aligned (0 means the site was not examined at all).
pub(crate) fn unobserved(
    catalogue: &Catalogue,
    references: &ReferenceSet,
    tally: &Tally,
) -> String {
    let observed = &tally.observed;
    let aligned = &tally.aligned_per_gene;
    let resolved = catalogue.resolve(|gene| references.get(gene).map(|r| &r.residues[..]));
    let mut out = Vec::new();
    tsv_line(
        &mut out,
        [
            "gene",
            "mutation",
            "hgvs",
            "catalogue_line",
            "aligned_targets",
            "annotation",
        ],
    );
    for (index, entry) in catalogue.entries().iter().enumerate() {
        if observed.contains(&index) {
            continue;
        }
        let hgvs = resolved
            .as_ref()
            .ok()
            .and_then(|r| r.hgvs(index))
            .unwrap_or("");
        let count = aligned
            .get(&entry.gene().to_ascii_lowercase())
            .copied()
            .unwrap_or(0);
        tsv_line(
            &mut out,
            [
                entry.gene().to_owned(),
                entry.mutation().to_owned(),
                hgvs.to_owned(),
                entry.line().to_string(),
                count.to_string(),
                entry.annotation_text(),
            ],
        );
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Serialize)]
struct Parameters<'a> {
    gap_open: f32,
    gap_extend: f32,
    gap_open_used: f32,
    gap_extend_used: f32,
    matrix: &'a str,
    tiers: TierThresholds,
    coverage_for_tiers: &'static str,
    score_ratio_for_tiers: &'static str,
    target_genes: Option<&'a str>,
    gene_rule: Option<&'a GeneRule>,
    shard: Option<Shard>,
    shard_targets: (usize, usize),
    threads: usize,
    write_alignments: bool,
}

#[derive(Serialize)]
struct Counts {
    targets_read: usize,
    filtered_out_by_gene_list: usize,
    targets: usize,
    aligned: usize,
    per_tier: BTreeMap<String, usize>,
    per_status: BTreeMap<&'static str, usize>,
    mutations: usize,
    known_mutations: usize,
}

#[derive(Serialize)]
struct Failure<'a> {
    accession: &'a str,
    file: &'a str,
    line: usize,
    status: &'static str,
    reason: &'a str,
}

impl<'a> From<&'a OwnedFailure> for Failure<'a> {
    fn from(failure: &'a OwnedFailure) -> Self {
        Failure {
            accession: &failure.accession,
            file: &failure.file,
            line: failure.line,
            status: failure.status,
            reason: &failure.reason,
        }
    }
}

/// What the manifest records of the run's catalogue: where it came from, its format, the
/// database version (PointFinder's), its checksum and how many entries it gave.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CatalogueRecord {
    /// `pointfinder` or `tsv`.
    pub format: &'static str,
    pub path: String,
    /// PointFinder's database version (`3.0.0` for the embedded copies; a folder's `VERSION`
    /// file, beside it or one level up, when there is one).
    pub version: Option<String>,
    /// SHA-256 of the catalogue's text.
    pub sha256: String,
    pub entries: usize,
}

/// `manifest.json`.
#[derive(Serialize)]
pub(crate) struct Manifest<'a> {
    tool: &'static str,
    version: &'static str,
    kernel: &'static str,
    parameters: Parameters<'a>,
    inputs: Vec<InputFile>,
    references: Vec<&'a Reference>,
    catalogue: Option<&'a CatalogueRecord>,
    counts: Counts,
    failures: Vec<Failure<'a>>,
    /// The first hundred warnings of each kind, in the order found.
    warnings: &'a [Warning],
    /// How many warnings of each kind, listed or not.
    warning_counts: BTreeMap<&'static str, usize>,
    outputs: Vec<String>,
    started_unix: u64,
    wall_time_seconds: f64,
}

/// What the manifest records of a run, besides its configuration.
pub(crate) struct ManifestParts<'a> {
    pub config: &'a PipelineConfig,
    pub aligner: &'a Aligner,
    pub threads: usize,
    /// Every input file read, in reading order.
    pub inputs: Vec<InputFile>,
    pub references: &'a ReferenceSet,
    /// The references some target was aligned against.
    pub used: &'a [usize],
    pub tally: &'a Tally,
    pub targets_read: usize,
    pub filtered_out: usize,
    pub shard_range: Range<usize>,
    pub started_unix: u64,
    pub summary: &'a RunSummary,
    pub warnings: &'a Warnings,
    pub catalogue: Option<&'a CatalogueRecord>,
    /// The outputs written so far (the manifest is added).
    pub outputs: Vec<String>,
}

impl<'a> Manifest<'a> {
    /// The manifest text (pretty JSON).
    pub(crate) fn build(parts: ManifestParts<'a>) -> Vec<u8> {
        let ManifestParts {
            config,
            aligner,
            threads,
            inputs,
            references,
            used,
            tally,
            targets_read,
            filtered_out,
            shard_range,
            started_unix,
            summary,
            warnings,
            catalogue,
            mut outputs,
        } = parts;
        let kernel = aligner.kernel().name();
        outputs.push(MANIFEST.into());
        let manifest = Manifest {
            tool: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
            kernel,
            parameters: Parameters {
                gap_open: config.gap_open,
                gap_extend: config.gap_extend,
                gap_open_used: aligner.gaps().open(),
                gap_extend_used: aligner.gaps().extend(),
                matrix: aligner.matrix().name(),
                tiers: config.tiers,
                coverage_for_tiers: "reference coverage: percent of the reference's residues (final * excluded) inside the alignment",
                score_ratio_for_tiers: "water score / the reference's water score against itself",
                target_genes: config.target_genes.as_deref(),
                gene_rule: config.gene_rule.as_ref(),
                shard: config.shard,
                shard_targets: (shard_range.start, shard_range.end),
                threads,
                write_alignments: config.write_alignments,
            },
            inputs,
            references: references
                .references()
                .iter()
                .enumerate()
                .filter(|(index, _)| used.binary_search(index).is_ok())
                .map(|(_, r)| r)
                .collect(),
            catalogue,
            counts: Counts {
                targets_read,
                filtered_out_by_gene_list: filtered_out,
                targets: summary.targets,
                aligned: summary.aligned,
                per_tier: summary
                    .per_tier
                    .iter()
                    .map(|(tier, count)| (tier.to_string(), *count))
                    .collect(),
                per_status: tally.per_status.clone(),
                mutations: summary.mutations,
                known_mutations: tally.known_mutations,
            },
            failures: tally.failures.iter().map(Failure::from).collect(),
            warnings: warnings.listed(),
            warning_counts: warnings
                .counts()
                .iter()
                .map(|(kind, count)| (kind.name(), *count))
                .collect(),
            outputs,
            started_unix,
            wall_time_seconds: summary.wall_seconds,
        };
        let mut text = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
        text.push(b'\n');
        text
    }
}
