//! What a pipeline run is asked to do.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;

use crate::{Error, PipelineOption, Result};

use super::header::GeneRule;
use super::quality::TierThresholds;

/// The K-th of N contiguous slices of the targets in input order (after the gene filter):
/// running every shard and concatenating their outputs in order gives the unsharded output.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::Shard;
///
/// let shard: Shard = "2/3".parse().unwrap();
/// assert_eq!(shard.range(10), 3..6);
/// assert!("4/3".parse::<Shard>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Shard {
    index: usize,
    count: usize,
}

impl Shard {
    /// Shard `index` (1-based) of `count`.
    pub fn new(index: usize, count: usize) -> Result<Self> {
        if count == 0 || index == 0 || index > count {
            return Err(Error::BadOption {
                option: PipelineOption::Shard,
                given: format!("{index}/{count}"),
            });
        }
        Ok(Self { index, count })
    }

    /// The 0-based half-open slice of `total` targets this shard takes.
    pub fn range(&self, total: usize) -> Range<usize> {
        (self.index - 1) * total / self.count..self.index * total / self.count
    }
}

impl FromStr for Shard {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let (index, count) = text
            .split_once('/')
            .and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)))
            .ok_or_else(|| Error::BadOption {
                option: PipelineOption::Shard,
                given: text.to_owned(),
            })?;
        Self::new(index, count)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The settings of one pipeline run. Defaults: water's gap penalties (10 / 0.5), default tiers,
/// no catalogue, no gene filter, no per-pair water files, rayon's default thread count.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::PipelineConfig;
///
/// let config = PipelineConfig::new(["proteins/"], "references.faa", "out")
///     .gaps(12.0, 1.0)
///     .write_alignments(true)
///     .threads(2);
/// assert_eq!(config.gap_open(), 12.0);
/// ```
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    pub(crate) proteins: Vec<PathBuf>,
    /// Genome assemblies (files or directories), searched instead of target proteins.
    pub(crate) genomes: Vec<PathBuf>,
    /// Unlabelled proteomes (files or directories), searched instead of target proteins.
    pub(crate) proteomes: Vec<PathBuf>,
    /// An embedded PointFinder species whose references are used instead of `references`.
    pub(crate) species: Option<String>,
    pub(crate) references: PathBuf,
    pub(crate) output_dir: PathBuf,
    pub(crate) gap_open: f32,
    pub(crate) gap_extend: f32,
    pub(crate) catalogue: Option<PathBuf>,
    pub(crate) target_genes: Option<String>,
    pub(crate) gene_rule: Option<GeneRule>,
    pub(crate) gene_map: Option<PathBuf>,
    pub(crate) write_alignments: bool,
    pub(crate) threads: Option<usize>,
    pub(crate) shard: Option<Shard>,
    pub(crate) tiers: TierThresholds,
    /// The cells above which a pair is aligned in bounded memory and the bytes that may take
    /// (the aligner's defaults when `None`); tests lower them to run that path on small targets.
    pub(crate) bounded: Option<(usize, usize)>,
    /// Inputs under this directory are named relative to it in the outputs.
    pub(crate) shown_relative_to: Option<PathBuf>,
}

impl PipelineConfig {
    /// A run over target files or directories `proteins`, against `references` (a multi-FASTA
    /// or a directory of per-gene files), writing into `output_dir`.
    pub fn new<P: AsRef<Path>>(
        proteins: impl IntoIterator<Item = P>,
        references: impl AsRef<Path>,
        output_dir: impl AsRef<Path>,
    ) -> Self {
        Self {
            proteins: proteins
                .into_iter()
                .map(|p| p.as_ref().to_owned())
                .collect(),
            genomes: Vec::new(),
            proteomes: Vec::new(),
            species: None,
            references: references.as_ref().to_owned(),
            output_dir: output_dir.as_ref().to_owned(),
            gap_open: 10.0,
            gap_extend: 0.5,
            catalogue: None,
            target_genes: None,
            gene_rule: None,
            gene_map: None,
            write_alignments: false,
            threads: None,
            shard: None,
            tiers: TierThresholds::default(),
            bounded: None,
            shown_relative_to: None,
        }
    }

    /// Genome assemblies to search instead of target proteins: nucleotide FASTA files (plain
    /// or gzip, any number of contigs) or directories of them (`.fasta`, `.fa`, `.fna`,
    /// `.fas`, `.fsa`, `.fsta`, `.seq`, each optionally `.gz`). A genome's accession is its
    /// file name without its extensions. Every copy of each reference gene found in a genome
    /// is a target in the standard header form; a gene with no copy is an `absent` row; the
    /// shard splits the genome files (see [`super::run`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::wildtype::PipelineConfig;
    ///
    /// let config = PipelineConfig::new(Vec::<&str>::new(), "", "out")
    ///     .genomes(["assemblies/"])
    ///     .species("escherichia_coli");
    /// assert_eq!(config.output_dir().to_str(), Some("out"));
    /// ```
    pub fn genomes<P: AsRef<Path>>(mut self, genomes: impl IntoIterator<Item = P>) -> Self {
        self.genomes = genomes.into_iter().map(|p| p.as_ref().to_owned()).collect();
        self
    }

    /// Unlabelled proteomes to search instead of target proteins: protein FASTA files (plain or
    /// gzip; Prodigal's or Bakta's `.faa` of an assembly) or directories of them. Each protein
    /// is assigned to the reference gene it matches best, when that alignment's identity is at
    /// least 70 % and it spans at least 25 % of the reference (the genome search's
    /// thresholds); a gene no protein is assigned to is an `absent` row. A proteome's accession
    /// is its file name without extensions; Prodigal's headers give the location.
    pub fn proteomes<P: AsRef<Path>>(mut self, proteomes: impl IntoIterator<Item = P>) -> Self {
        self.proteomes = proteomes
            .into_iter()
            .map(|p| p.as_ref().to_owned())
            .collect();
        self
    }

    /// References of a PointFinder species built into the crate (`escherichia_coli`,
    /// `salmonella`, `campylobacter`; see
    /// [`Species::embedded`](super::genome::Species::embedded)), used instead of the
    /// references path. A PointFinder species folder on disk can be given as the references
    /// path instead.
    pub fn species(mut self, name: impl Into<String>) -> Self {
        self.species = Some(name.into());
        self
    }

    /// water's `-gapopen` and `-gapextend`.
    pub fn gaps(mut self, open: f32, extend: f32) -> Self {
        self.gap_open = open;
        self.gap_extend = extend;
        self
    }

    /// A catalogue TSV of known mutations ([`super::Catalogue`]).
    pub fn catalogue(mut self, path: impl AsRef<Path>) -> Self {
        self.catalogue = Some(path.as_ref().to_owned());
        self
    }

    /// Keeps only targets of these genes: the path of a gene-list file (one gene per line, `#`
    /// comments and blank lines skipped) or a comma-separated list; compared
    /// case-insensitively.
    pub fn target_genes(mut self, genes: impl Into<String>) -> Self {
        self.target_genes = Some(genes.into());
        self
    }

    /// How to find the gene of headers not in `accession|gene|start-end|strand|contig|checksum`.
    pub fn gene_rule(mut self, rule: GeneRule) -> Self {
        self.gene_rule = Some(rule);
        self
    }

    /// An accession-to-gene TSV ([`super::GeneMap`]); it takes precedence over headers.
    pub fn gene_map(mut self, path: impl AsRef<Path>) -> Self {
        self.gene_map = Some(path.as_ref().to_owned());
        self
    }

    /// Also writes `alignments/{accession}_{gene}.water`, water's srspair report of each pair.
    pub fn write_alignments(mut self, yes: bool) -> Self {
        self.write_alignments = yes;
        self
    }

    /// Worker threads (default, and 0: one per core; more than the cores are capped, with a
    /// warning).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// Processes only this shard of the targets.
    pub fn shard(mut self, shard: Shard) -> Self {
        self.shard = Some(shard);
        self
    }

    /// Tier thresholds.
    pub fn tiers(mut self, tiers: TierThresholds) -> Self {
        self.tiers = tiers;
        self
    }

    /// Names the input files under `dir` relative to it in the outputs: the `file` column
    /// of the tables, `inputs` and the catalogue's `path` in `manifest.json`. Outputs then do
    /// not depend on where the inputs sit (a service's job directory, a workflow's scratch
    /// space); files elsewhere keep their path as given.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::wildtype::{PipelineConfig, run};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let refs = dir.path().join("refs.fasta");
    /// std::fs::write(&refs, ">blaX\nMSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQ\n").unwrap();
    /// let targets = dir.path().join("t.fasta");
    /// std::fs::write(&targets, ">P1|blaX|1-108|+|c1|ab12\nMSIQHFRVALIPWFAAFCLPVFAHPETLVKVKDAEDQ\n").unwrap();
    /// let out = dir.path().join("out");
    /// let config = PipelineConfig::new([&targets], &refs, &out).show_paths_relative_to(dir.path());
    /// run(&config, &()).unwrap();
    /// let table = std::fs::read_to_string(out.join("alignments.tsv")).unwrap();
    /// assert_eq!(table.lines().nth(1).unwrap().split('\t').nth(3), Some("t.fasta"));
    /// ```
    pub fn show_paths_relative_to(mut self, dir: impl AsRef<Path>) -> Self {
        self.shown_relative_to = Some(dir.as_ref().to_owned());
        self
    }

    /// How the outputs name the input file at `path` (see
    /// [`show_paths_relative_to`](Self::show_paths_relative_to)).
    pub(crate) fn shown(&self, path: &Path) -> PathBuf {
        self.shown_relative_to
            .as_deref()
            .and_then(|dir| path.strip_prefix(dir).ok())
            .filter(|relative| !relative.as_os_str().is_empty())
            .map_or_else(|| path.to_owned(), Path::to_owned)
    }

    /// The gap-open penalty as given.
    pub fn gap_open(&self) -> f32 {
        self.gap_open
    }

    /// The output directory.
    pub fn output_dir(&self) -> &Path {
        &self.output_dir
    }
}
