//! Writing a run's outputs: every file goes to a temporary name first and is renamed into
//! place only when the whole run has succeeded; `manifest.json` is renamed last, so its
//! presence marks a complete set.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::align::Aligner;
use crate::{Error, Result};

use super::input::{InputFile, Reference};
use super::pipeline::{RunSummary, TargetResult};
use super::records::{
    ALIGNMENT_COLUMNS, AlignmentRecord, MUTATION_COLUMNS, MutationRecord, Status,
};
use super::{Catalogue, GeneRule, PipelineConfig, ReferenceSet, Shard, Tier, TierThresholds};

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

/// One TSV line: fields joined by tabs, tabs and line breaks inside fields turned to spaces.
fn tsv_line(out: &mut Vec<u8>, fields: impl IntoIterator<Item = impl AsRef<str>>) {
    let mut first = true;
    for field in fields {
        if !first {
            out.push(b'\t');
        }
        first = false;
        out.extend(field.as_ref().bytes().map(|b| match b {
            b'\t' | b'\n' | b'\r' => b' ',
            other => other,
        }));
    }
    out.push(b'\n');
}

fn json_line<T: Serialize>(out: &mut Vec<u8>, value: &T) -> Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(Error::Json)?;
    out.push(b'\n');
    Ok(())
}

/// Output files staged under temporary names in the output directory.
pub(crate) struct StagedOutputs {
    dir: PathBuf,
    /// (temporary, final) paths, in staging order.
    staged: Vec<(PathBuf, PathBuf)>,
    /// The streamed tables while they are open.
    tables: Option<Tables>,
}

/// The four tables being streamed (alignments.tsv, mutations.tsv, alignments.jsonl,
/// mutations.jsonl, in that order) and the water report directory.
struct Tables {
    files: [(String, std::io::BufWriter<std::fs::File>); 4],
    water_dir: Option<PathBuf>,
    /// How often each water report name was used (later repeats are numbered).
    water_names: HashMap<String, usize>,
}

impl Tables {
    fn write(&mut self, index: usize, bytes: &[u8]) -> Result<()> {
        let (name, writer) = &mut self.files[index];
        writer.write_all(bytes).map_err(|source| Error::Io {
            path: PathBuf::from(name.as_str()),
            source,
        })
    }
}

/// A target's rows, rendered on the worker thread that processed it.
#[derive(Debug, Default)]
pub(crate) struct Rendered {
    pub alignments_tsv: Vec<u8>,
    pub mutations_tsv: Vec<u8>,
    pub alignments_jsonl: Vec<u8>,
    pub mutations_jsonl: Vec<u8>,
}

impl Rendered {
    /// The lines of one target's record and mutation calls.
    pub(crate) fn new(record: &AlignmentRecord, mutations: &[MutationRecord]) -> Result<Self> {
        let mut rendered = Self::default();
        tsv_line(&mut rendered.alignments_tsv, record.tsv_fields());
        json_line(&mut rendered.alignments_jsonl, record)?;
        for mutation in mutations {
            tsv_line(&mut rendered.mutations_tsv, mutation.tsv_fields());
            json_line(&mut rendered.mutations_jsonl, mutation)?;
        }
        Ok(rendered)
    }
}

/// What the manifest and `catalogue_unobserved.tsv` need from the targets, accumulated a
/// chunk at a time so that no run holds every target's result.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub targets: usize,
    pub aligned: usize,
    pub per_tier: BTreeMap<Tier, usize>,
    pub per_status: BTreeMap<String, usize>,
    pub mutations: usize,
    pub known_mutations: usize,
    pub failures: Vec<OwnedFailure>,
    /// Catalogue rows some target carries.
    pub observed: HashSet<usize>,
    /// Aligned targets per gene (lower case).
    pub aligned_per_gene: BTreeMap<String, usize>,
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
    pub(crate) fn add(&mut self, result: &TargetResult) {
        let record = &result.record;
        self.targets += 1;
        *self.per_tier.entry(record.tier).or_insert(0) += 1;
        *self
            .per_status
            .entry(record.status.as_str().to_owned())
            .or_insert(0) += 1;
        self.mutations += result.mutations;
        self.known_mutations += record.known_mutations;
        self.observed.extend(result.catalogue_rows.iter().copied());
        if record.status == Status::Ok {
            self.aligned += 1;
            if let Some(gene) = &record.gene {
                *self
                    .aligned_per_gene
                    .entry(gene.to_ascii_lowercase())
                    .or_insert(0) += 1;
            }
        } else {
            self.failures.push(OwnedFailure {
                accession: record.accession.clone(),
                file: record.file.clone(),
                line: record.line,
                status: record.status.as_str(),
                reason: record.detail.clone(),
            });
        }
    }
}

impl StagedOutputs {
    pub(crate) fn new(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|source| Error::io(dir, source))?;
        Ok(Self {
            dir: dir.to_owned(),
            staged: Vec::new(),
            tables: None,
        })
    }

    fn temporary(&self, name: &str) -> PathBuf {
        self.dir
            .join(format!(".{name}.partial-{}", std::process::id()))
    }

    pub(crate) fn write_file(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let temporary = self.temporary(name);
        let target = self.dir.join(name);
        // Register first so a failed write is cleaned up too.
        self.staged.push((temporary.clone(), target.clone()));
        let mut file =
            std::fs::File::create(&temporary).map_err(|source| Error::io(&target, source))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|source| Error::io(&target, source))
    }

    /// The final names staged so far.
    pub(crate) fn names(&self) -> Vec<String> {
        self.staged
            .iter()
            .filter_map(|(_, target)| Some(target.file_name()?.to_string_lossy().into_owned()))
            .collect()
    }

    /// Opens the four tables (and, when asked, the directory of per-pair water reports) under
    /// temporary names and writes their header lines; [`StagedOutputs::append`] then adds
    /// targets' rows in input order, a chunk at a time.
    pub(crate) fn open_tables(&mut self, water: bool) -> Result<()> {
        let mut open = |name: &str| -> Result<(String, std::io::BufWriter<std::fs::File>)> {
            let temporary = self.temporary(name);
            let target = self.dir.join(name);
            self.staged.push((temporary.clone(), target.clone()));
            let file =
                std::fs::File::create(&temporary).map_err(|source| Error::io(&target, source))?;
            Ok((
                name.to_owned(),
                std::io::BufWriter::with_capacity(1 << 20, file),
            ))
        };
        let files = [
            open("alignments.tsv")?,
            open("mutations.tsv")?,
            open("alignments.jsonl")?,
            open("mutations.jsonl")?,
        ];
        let water_dir = if water {
            let temporary = self.temporary("alignments");
            let target = self.dir.join("alignments");
            self.staged.push((temporary.clone(), target.clone()));
            std::fs::create_dir_all(&temporary).map_err(|source| Error::io(&target, source))?;
            Some(temporary)
        } else {
            None
        };
        let mut tables = Tables {
            files,
            water_dir,
            water_names: HashMap::new(),
        };
        let mut header = Vec::new();
        tsv_line(&mut header, ALIGNMENT_COLUMNS);
        tables.write(0, &header)?;
        header.clear();
        tsv_line(&mut header, MUTATION_COLUMNS);
        tables.write(1, &header)?;
        self.tables = Some(tables);
        Ok(())
    }

    /// Appends targets' rows (and water reports) in the order given.
    pub(crate) fn append(&mut self, results: &[TargetResult]) -> Result<()> {
        let Some(tables) = self.tables.as_mut() else {
            return Err(Error::Setting(
                "tables written before they were opened".into(),
            ));
        };
        for result in results {
            let rendered = &result.rendered;
            tables.write(0, &rendered.alignments_tsv)?;
            tables.write(1, &rendered.mutations_tsv)?;
            tables.write(2, &rendered.alignments_jsonl)?;
            tables.write(3, &rendered.mutations_jsonl)?;
            if let (Some(dir), Some(text)) = (&tables.water_dir, &result.water) {
                let record = &result.record;
                let base = water_file_name(&record.accession, record.gene.as_deref().unwrap_or(""));
                // The same accession and gene twice: number the later ones.
                let seen = tables.water_names.entry(base.clone()).or_insert(0);
                *seen += 1;
                let name = match *seen {
                    1 => base,
                    n => format!("{}.{n}.water", base.trim_end_matches(".water")),
                };
                std::fs::write(dir.join(&name), text)
                    .map_err(|source| Error::io(self.dir.join("alignments").join(&name), source))?;
            }
        }
        Ok(())
    }

    /// Flushes and syncs the tables opened by [`StagedOutputs::open_tables`].
    pub(crate) fn close_tables(&mut self) -> Result<()> {
        if let Some(tables) = self.tables.take() {
            for (name, writer) in tables.files {
                let path = self.dir.join(&name);
                let file = writer
                    .into_inner()
                    .map_err(|e| Error::io(&path, e.into_error()))?;
                file.sync_all().map_err(|source| Error::io(&path, source))?;
            }
        }
        Ok(())
    }

    /// Renames everything into place, the manifest last.
    pub(crate) fn commit(mut self) -> Result<()> {
        let manifest = self.dir.join("manifest.json");
        // An old manifest must not vouch for a half-replaced set.
        if manifest.exists() {
            std::fs::remove_file(&manifest).map_err(|source| Error::io(&manifest, source))?;
        }
        self.staged.sort_by_key(|(_, target)| *target == manifest);
        for (temporary, target) in std::mem::take(&mut self.staged) {
            if target.is_dir() {
                std::fs::remove_dir_all(&target).map_err(|source| Error::io(&target, source))?;
            }
            std::fs::rename(&temporary, &target).map_err(|source| Error::io(&target, source))?;
        }
        Ok(())
    }
}

impl Drop for StagedOutputs {
    fn drop(&mut self) {
        // Close the files before removing them.
        self.tables = None;
        // Not committed: leave nothing that looks like output.
        for (temporary, _) in &self.staged {
            if temporary.is_dir() {
                let _ = std::fs::remove_dir_all(temporary);
            } else {
                let _ = std::fs::remove_file(temporary);
            }
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
    per_status: BTreeMap<String, usize>,
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

/// `manifest.json`.
#[derive(Serialize)]
pub(crate) struct Manifest<'a> {
    tool: &'static str,
    version: &'static str,
    kernel: &'static str,
    parameters: Parameters<'a>,
    inputs: Vec<InputFile>,
    references: Vec<&'a Reference>,
    counts: Counts,
    failures: Vec<Failure<'a>>,
    outputs: Vec<String>,
    started_unix: u64,
    wall_time_seconds: f64,
}

impl<'a> Manifest<'a> {
    /// The manifest text (pretty JSON).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn build(
        config: &'a PipelineConfig,
        aligner: &'a Aligner,
        kernel: &'static str,
        threads: usize,
        inputs: Vec<InputFile>,
        references: &'a ReferenceSet,
        used: &HashSet<usize>,
        tally: &'a Tally,
        targets_read: usize,
        filtered_out: usize,
        shard_range: Range<usize>,
        started_unix: u64,
        summary: &RunSummary,
        mut outputs: Vec<String>,
    ) -> Vec<u8> {
        outputs.push("manifest.json".into());
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
                .filter(|(index, _)| used.contains(index))
                .map(|(_, r)| r)
                .collect(),
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
            outputs,
            started_unix,
            wall_time_seconds: summary.wall_seconds,
        };
        let mut text = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
        text.push(b'\n');
        text
    }
}
