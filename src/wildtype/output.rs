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
use super::pipeline::{RunSummary, TargetResult, count_by};
use super::records::{ALIGNMENT_COLUMNS, MUTATION_COLUMNS, Status};
use super::{Catalogue, GeneRule, PipelineConfig, ReferenceSet, Shard, TierThresholds};

/// The name of a per-pair water report: `{accession}_{gene}.water`, with characters outside
/// `[A-Za-z0-9._-]` replaced by `_`.
pub(crate) fn water_file_name(accession: &str, gene: &str) -> String {
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
    serde_json::to_writer(&mut *out, value)
        .map_err(|e| Error::Sequence(format!("cannot encode a record as JSON: {e}")))?;
    out.push(b'\n');
    Ok(())
}

/// Output files staged under temporary names in the output directory.
pub(crate) struct StagedOutputs {
    dir: PathBuf,
    /// (temporary, final) paths, in staging order.
    staged: Vec<(PathBuf, PathBuf)>,
}

impl StagedOutputs {
    pub(crate) fn new(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|source| Error::io(dir, source))?;
        Ok(Self {
            dir: dir.to_owned(),
            staged: Vec::new(),
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

    fn write_dir(&mut self, name: &str, files: &[(String, &[u8])]) -> Result<()> {
        let temporary = self.temporary(name);
        let target = self.dir.join(name);
        self.staged.push((temporary.clone(), target.clone()));
        std::fs::create_dir_all(&temporary).map_err(|source| Error::io(&target, source))?;
        for (file_name, bytes) in files {
            std::fs::write(temporary.join(file_name), bytes)
                .map_err(|source| Error::io(target.join(file_name), source))?;
        }
        Ok(())
    }

    /// The final names staged so far.
    pub(crate) fn names(&self) -> Vec<String> {
        self.staged
            .iter()
            .filter_map(|(_, target)| Some(target.file_name()?.to_string_lossy().into_owned()))
            .collect()
    }

    /// Stages the four tables and, when asked, the per-pair water reports.
    pub(crate) fn write_tables(&mut self, results: &[TargetResult], water: bool) -> Result<()> {
        let mut alignments_tsv = Vec::new();
        let mut mutations_tsv = Vec::new();
        let mut alignments_jsonl = Vec::new();
        let mut mutations_jsonl = Vec::new();
        tsv_line(&mut alignments_tsv, ALIGNMENT_COLUMNS);
        tsv_line(&mut mutations_tsv, MUTATION_COLUMNS);
        for result in results {
            tsv_line(&mut alignments_tsv, result.record.tsv_fields());
            json_line(&mut alignments_jsonl, &result.record)?;
            for mutation in &result.mutations {
                tsv_line(&mut mutations_tsv, mutation.tsv_fields());
                json_line(&mut mutations_jsonl, mutation)?;
            }
        }
        self.write_file("alignments.tsv", &alignments_tsv)?;
        self.write_file("mutations.tsv", &mutations_tsv)?;
        self.write_file("alignments.jsonl", &alignments_jsonl)?;
        self.write_file("mutations.jsonl", &mutations_jsonl)?;
        if water {
            let mut used: HashMap<String, usize> = HashMap::new();
            let files: Vec<(String, &[u8])> = results
                .iter()
                .filter_map(|result| {
                    let text = result.water.as_deref()?;
                    let record = &result.record;
                    let base =
                        water_file_name(&record.accession, record.gene.as_deref().unwrap_or(""));
                    // The same accession and gene twice: number the later ones.
                    let seen = used.entry(base.clone()).or_insert(0);
                    *seen += 1;
                    let name = match *seen {
                        1 => base,
                        n => format!("{}.{n}.water", base.trim_end_matches(".water")),
                    };
                    Some((name, text))
                })
                .collect();
            self.write_dir("alignments", &files)?;
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
    results: &[TargetResult],
) -> String {
    let observed: HashSet<usize> = results
        .iter()
        .flat_map(|r| r.mutations.iter().filter_map(|m| m.catalogue_index))
        .collect();
    let aligned = count_by(
        results
            .iter()
            .filter(|r| r.record.status == Status::Ok)
            .filter_map(|r| r.record.gene.as_ref().map(|g| g.to_ascii_lowercase())),
    );
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
        results: &'a [TargetResult],
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
                per_status: count_by(results.iter().map(|r| r.record.status.as_str().to_owned())),
                mutations: summary.mutations,
                known_mutations: results.iter().map(|r| r.record.known_mutations).sum(),
            },
            failures: results
                .iter()
                .filter(|r| r.record.status != Status::Ok)
                .map(|r| Failure {
                    accession: &r.record.accession,
                    file: &r.record.file,
                    line: r.record.line,
                    status: r.record.status.as_str(),
                    reason: &r.record.detail,
                })
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
