//! A job's pipeline options, from the query string of `POST /v1/jobs`: the same settings as
//! `wildtype_align`'s flags, checked when the job is submitted so that a bad one is the
//! client's `400`, not a failed job later.

use std::path::Path;

use serde::{Deserialize, Serialize};
use wildtype_aligner::wildtype::{GeneRule, PipelineConfig, TierRule, TierThresholds};

use crate::store::{JobDir, is_plain_file_name};
use crate::{References, Settings};

/// What the uploaded FASTA holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    /// Target proteins, one gene each (`--proteins`).
    #[default]
    Proteins,
    /// One genome assembly, nucleotides (`--genomes`); its file name is its accession.
    Genomes,
    /// One unlabelled proteome (`--proteomes`).
    Proteomes,
}

/// The query of `POST /v1/jobs`; every field is optional, an unknown one is refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobOptions {
    /// What the body is.
    #[serde(default)]
    pub input: InputKind,
    /// The uploaded file's name (errors name it; a genome's accession is its name without
    /// its extensions).
    pub name: Option<String>,
    /// water's -gapopen.
    pub gap_open: Option<f32>,
    /// water's -gapextend.
    pub gap_extend: Option<f32>,
    /// Only targets of these genes: comma-separated.
    pub target_genes: Option<String>,
    /// Gene of headers not in the standard form: field:N, word:N or key:NAME.
    pub gene_from: Option<String>,
    /// HIGH tier minimums, identity/coverage/score_ratio.
    pub high: Option<String>,
    /// MEDIUM tier minimums.
    pub medium: Option<String>,
    /// LOW tier minimums.
    pub low: Option<String>,
}

impl JobOptions {
    /// Checks every option; the message names the one at fault.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(name) = &self.name
            && !is_plain_file_name(name)
        {
            return Err(format!(
                "name: {name:?} is not a plain file name (letters, digits, '.', '_', '-', '+'; \
                 no '/', not starting with '.')"
            ));
        }
        for (option, value) in [("gap_open", self.gap_open), ("gap_extend", self.gap_extend)] {
            if let Some(value) = value
                && !value.is_finite()
            {
                return Err(format!("{option}: {value} is not a finite number"));
            }
        }
        if let Some(genes) = &self.target_genes
            && (genes.contains('/') || genes.ends_with(".txt") || genes.trim().is_empty())
        {
            return Err(format!(
                "target_genes: {genes:?} must be a comma-separated list of genes"
            ));
        }
        if let Some(rule) = &self.gene_from {
            rule.parse::<GeneRule>()
                .map_err(|error| format!("gene_from: {error}"))?;
        }
        self.tiers()?;
        Ok(())
    }

    /// The uploaded file's name.
    pub fn file_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            match self.input {
                InputKind::Proteins => "targets.faa",
                InputKind::Genomes => "genome.fna",
                InputKind::Proteomes => "proteome.faa",
            }
            .to_owned()
        })
    }

    fn tiers(&self) -> Result<TierThresholds, String> {
        let rule = |option: &str, value: &Option<String>, default: TierRule| match value {
            Some(text) => text
                .parse::<TierRule>()
                .map_err(|error| format!("{option}: {error}")),
            None => Ok(default),
        };
        let defaults = TierThresholds::default();
        Ok(defaults
            .with_high(rule("high", &self.high, defaults.high())?)
            .with_medium(rule("medium", &self.medium, defaults.medium())?)
            .with_low(rule("low", &self.low, defaults.low())?))
    }

    /// The run of this job, as `wildtype_align` would be given it.
    pub fn config(&self, settings: &Settings, dir: &JobDir) -> Result<PipelineConfig, String> {
        let input = dir.input_dir().join(self.file_name());
        let inputs = [input.as_path()];
        let none: [&Path; 0] = [];
        let (proteins, genomes, proteomes) = match self.input {
            InputKind::Proteins => (&inputs[..], &none[..], &none[..]),
            InputKind::Genomes => (&none[..], &inputs[..], &none[..]),
            InputKind::Proteomes => (&none[..], &none[..], &inputs[..]),
        };
        let references = match &settings.references {
            References::Path(path) => path.clone(),
            References::Species(_) => Default::default(),
        };
        let mut config = PipelineConfig::new(proteins, references, dir.out_dir())
            .genomes(genomes)
            .proteomes(proteomes)
            .gaps(
                self.gap_open.unwrap_or(10.0),
                self.gap_extend.unwrap_or(0.5),
            )
            .tiers(self.tiers()?)
            .threads(settings.threads_per_job)
            // The tables and manifest name the upload as the client did, not by its place in
            // the data directory.
            .show_paths_relative_to(dir.input_dir());
        if let References::Species(species) = &settings.references {
            config = config.species(species.clone());
        }
        if let Some(genes) = &self.target_genes {
            config = config.target_genes(genes.clone());
        }
        if let Some(rule) = &self.gene_from {
            config = config.gene_rule(rule.parse().map_err(|error| format!("{error}"))?);
        }
        Ok(config)
    }
}
