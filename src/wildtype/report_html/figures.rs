//! What `report.html` shows, as figures: per reference, the targets in each tier and the
//! mutated positions with the calls there; per isolate, the predicted phenotypes. Summed up by
//! [`super::collect::Collector`], drawn by `html` and `svg`.

use std::collections::{BTreeMap, HashMap};

/// The tiers, best first, as the tables write them.
pub(super) const TIERS: [&str; 4] = ["HIGH", "MEDIUM", "LOW", "FAILED"];

/// Isolates shown in the phenotype matrix; the counts per antimicrobial cover all of them.
pub(super) const MATRIX_ISOLATES: usize = 200;

/// Whether the catalogue knows the calls at a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Catalogued {
    /// No catalogue was given.
    Unknown,
    /// Not in the catalogue.
    Novel,
    /// In the catalogue.
    Known,
}

impl Catalogued {
    pub(super) fn from_column(text: &str) -> Self {
        match text {
            "known" => Catalogued::Known,
            "novel" => Catalogued::Novel,
            _ => Catalogued::Unknown,
        }
    }

    /// The CSS class and the word the report uses.
    pub(super) fn name(self) -> &'static str {
        match self {
            Catalogued::Unknown => "uncatalogued",
            Catalogued::Novel => "novel",
            Catalogued::Known => "known",
        }
    }
}

/// One call's name at a position, with how many targets carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Call {
    pub name: String,
    pub targets: usize,
    pub catalogued: Catalogued,
}

/// A reference position with at least one call.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Site {
    /// Targets carrying any call that starts here.
    pub targets: usize,
    /// The calls, in first-seen order.
    pub calls: Vec<Call>,
}

impl Site {
    /// Known when any call here is, else novel when any call was looked up.
    pub(super) fn catalogued(&self) -> Catalogued {
        self.calls
            .iter()
            .map(|call| call.catalogued)
            .max()
            .unwrap_or(Catalogued::Unknown)
    }

    /// The calls, most frequent first (ties in first-seen order).
    pub(super) fn calls_by_count(&self) -> Vec<&Call> {
        let mut calls: Vec<&Call> = self.calls.iter().collect();
        calls.sort_by_key(|call| std::cmp::Reverse(call.targets));
        calls
    }
}

/// A reference's (or, for targets without one, a gene's) part of the report.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct GeneSummary {
    pub gene: String,
    /// The reference's id; empty for targets no reference was found for.
    pub reference: String,
    /// Residues (or bases) of the reference; 0 when unknown.
    pub length: usize,
    /// Rows per tier, in [`TIERS`] order.
    pub tiers: [usize; 4],
    /// Mutated positions (1-based, reference numbering).
    pub sites: BTreeMap<usize, Site>,
}

/// One isolate's row of `phenotypes.tsv`, by antimicrobial.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Isolate {
    pub accession: String,
    /// (resistant, the calls behind it or the genes not assessed) per antimicrobial index.
    pub cells: HashMap<usize, (bool, String)>,
}

/// `phenotypes.tsv` gathered into an isolate-by-antimicrobial matrix.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Phenotypes {
    /// Antimicrobials in first-mention order, with their class.
    pub antimicrobials: Vec<(String, String)>,
    /// Resistant isolates per antimicrobial.
    pub resistant: Vec<usize>,
    /// All isolates.
    pub isolates: usize,
    /// The first [`MATRIX_ISOLATES`] isolates.
    pub shown: Vec<Isolate>,
}

/// Everything the report draws from the tables.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct RunTables {
    /// References in the manifest's order, then genes met only in the tables.
    pub genes: Vec<GeneSummary>,
    /// Rows of `alignments.tsv`.
    pub targets: usize,
    /// Distinct accessions of `alignments.tsv` (genomes, for a genome run).
    pub accessions: usize,
    /// Rows of `mutations.tsv` (synonymous notes not counted).
    pub calls: usize,
    pub phenotypes: Option<Phenotypes>,
}
