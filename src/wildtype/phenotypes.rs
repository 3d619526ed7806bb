//! `phenotypes.tsv`: per isolate (a genome, or an accession of protein input) and per
//! antimicrobial of a PointFinder catalogue, the predicted phenotype and the mutations behind
//! it, as PointFinder's phenotype table predicts it, with the genes that could not be assessed.
//!
//! - A gene's calls are those of its copies of at least 95 % identity (the HIGH tier's
//!   default), whole or partial (a gene split across two contigs speaks through both parts);
//!   a diverged second copy (a paralog) below that never speaks for the gene.
//! - A catalogue row applies when its mutation is called and, when it requires others, every
//!   mutation of one of its groups is called too (`G81D` alone: ciprofloxacin; with `D82G`:
//!   nalidixic acid as well). Rows whose phenotype is `Unknown` predict nothing.
//! - `genes_not_assessed`: for each antimicrobial, the catalogue's genes for it that the
//!   isolate has no whole copy of, with why (`absent`, `partial`, `diverged copy: 88.1%
//!   identity`, `not aligned`, `no target`): "no resistance found" then does not mean
//!   susceptible.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::catalogue::{Catalogue, PointFinderRule, RequiredMutation, ResolvedCatalogue};
use super::hgvs::Change;
use super::input::ReferenceSet;
use super::quality::Tier;
use super::records::{Status, TargetResult};

/// The identity (%) from which a copy is the gene itself (the HIGH tier's default minimum):
/// a diverged second copy (a paralog) below it never speaks for the gene.
const SAME_GENE_IDENTITY: f64 = 95.0;

/// The table's name in the output directory.
pub(crate) const PHENOTYPES: &str = "phenotypes.tsv";

/// The columns of `phenotypes.tsv`.
pub(crate) const COLUMNS: [&str; 6] = [
    "accession",
    "antimicrobial",
    "class",
    "phenotype",
    "mutations",
    "genes_not_assessed",
];

/// One call as the table needs it.
#[derive(Debug, Clone)]
struct Call {
    change: Change,
    notation: String,
}

/// What one gene of an isolate gave.
#[derive(Debug)]
struct GeneState {
    gene: Arc<str>,
    /// Calls of the whole copies (HIGH), then of the partial ones (below HIGH for coverage
    /// alone): both count.
    calls: [Vec<Call>; 2],
    copies: [usize; 2],
    /// What keeps the gene from being fully assessed (`absent`, `partial`, a diverged copy).
    other: BTreeSet<String>,
}

/// A known call of a copy that speaks for its gene, with what `hamronization.tsv` says of it.
#[derive(Debug, Clone)]
struct KnownCall {
    gene: Arc<str>,
    change: Change,
    /// The catalogue entry it matched.
    entry: usize,
    notation: String,
    codon_change: Option<String>,
    contig: Option<String>,
    start: Option<u64>,
    end: Option<u64>,
    strand: Option<String>,
    identity: f64,
    coverage: f64,
    reference_length: Option<usize>,
}

/// What the table needs of one isolate, accumulated target by target.
#[derive(Debug)]
pub(crate) struct Isolate {
    accession: Arc<str>,
    genes: Vec<GeneState>,
    known: Vec<KnownCall>,
}

impl Isolate {
    fn gene(&mut self, gene: &Arc<str>) -> &mut GeneState {
        let at = self
            .genes
            .iter()
            .position(|state| state.gene.eq_ignore_ascii_case(gene));
        let at = at.unwrap_or_else(|| {
            self.genes.push(GeneState {
                gene: gene.clone(),
                calls: [Vec::new(), Vec::new()],
                copies: [0, 0],
                other: BTreeSet::new(),
            });
            self.genes.len() - 1
        });
        &mut self.genes[at]
    }

    fn merge(&mut self, later: Isolate) {
        self.known.extend(later.known);
        for state in later.genes {
            let mine = self.gene(&state.gene);
            for slot in 0..2 {
                mine.calls[slot].extend(state.calls[slot].iter().cloned());
                mine.copies[slot] += state.copies[slot];
            }
            mine.other.extend(state.other);
        }
    }
}

/// Isolates in input order.
#[derive(Debug, Default)]
pub(crate) struct Isolates {
    isolates: Vec<Isolate>,
}

impl Isolates {
    /// Adds a target's result to its isolate (a genome's rows come one after another).
    pub(crate) fn add(&mut self, result: &TargetResult) {
        let record = &result.record;
        let Some(gene) = &record.gene else {
            return;
        };
        if self
            .isolates
            .last()
            .is_none_or(|last| last.accession != record.accession)
        {
            self.isolates.push(Isolate {
                accession: record.accession.clone(),
                genes: Vec::new(),
                known: Vec::new(),
            });
        }
        let Some(isolate) = self.isolates.last_mut() else {
            return;
        };
        let state = isolate.gene(gene);
        let identity = record.quality.as_ref().map_or(0.0, |q| q.identity);
        match record.status {
            Status::Ok if identity >= SAME_GENE_IDENTITY => {}
            Status::Ok => {
                state
                    .other
                    .insert(format!("diverged copy: {identity:.1}% identity"));
                return;
            }
            Status::Absent => {
                state.other.insert("absent".into());
                return;
            }
            _ => {
                state.other.insert("not aligned".into());
                return;
            }
        }
        let slot = match record.tier {
            Tier::High => 0,
            _ => {
                state.other.insert("partial".into());
                1
            }
        };
        state.copies[slot] += 1;
        let quality = record.quality.as_ref();
        for m in &result.mutations {
            let Some(entry) = m.catalogue_index else {
                continue;
            };
            isolate.known.push(KnownCall {
                gene: gene.clone(),
                change: m.call.change.clone(),
                entry,
                notation: m
                    .pointfinder
                    .as_ref()
                    .unwrap_or(&m.call.mutation)
                    .to_string(),
                codon_change: m.codon_change.clone(),
                contig: record.contig.clone(),
                start: record.contig_start,
                end: record.contig_end,
                strand: record.strand.clone(),
                identity,
                coverage: quality.map_or(0.0, |q| q.reference_coverage),
                reference_length: record.reference_length,
            });
        }
        let state = isolate.gene(gene);
        let calls = result
            .mutations
            .iter()
            .filter(|m| m.call.changes_protein())
            .map(|m| Call {
                change: m.call.change.clone(),
                notation: m
                    .pointfinder
                    .as_deref()
                    .map_or_else(|| format!("{gene} {}", m.call.mutation), str::to_owned),
            });
        state.calls[slot].extend(calls);
    }

    /// Appends the isolates after these (an isolate split between two chunks is joined).
    pub(crate) fn merge(&mut self, later: Isolates) {
        let mut later = later.isolates.into_iter();
        if let Some(first) = later.next() {
            match self.isolates.last_mut() {
                Some(last) if last.accession == first.accession => last.merge(first),
                _ => self.isolates.push(first),
            }
        }
        self.isolates.extend(later);
    }
}

/// The antimicrobials of a catalogue, in first-mention order, each with its classes.
fn antimicrobials(catalogue: &Catalogue) -> Vec<(String, Vec<String>)> {
    let mut list: Vec<(String, Vec<String>)> = Vec::new();
    for rule in catalogue.entries().iter().filter_map(|e| e.rule()) {
        for drug in &rule.antimicrobials {
            let at = match list.iter().position(|(d, _)| d.eq_ignore_ascii_case(drug)) {
                Some(at) => at,
                None => {
                    list.push((drug.clone(), Vec::new()));
                    list.len() - 1
                }
            };
            for class in &rule.classes {
                if !list[at].1.iter().any(|c| c.eq_ignore_ascii_case(class)) {
                    list[at].1.push(class.clone());
                }
            }
        }
    }
    list
}

/// The 1-based index in the reference of a position as PointFinder numbers it.
fn index_of(references: &ReferenceSet, gene: &str, position: i64) -> Option<usize> {
    references.get(gene)?.index_of_position(position)
}

/// One isolate's calls that speak for their genes, each normalised.
fn observed(isolate: &Isolate, references: &ReferenceSet) -> Vec<(Arc<str>, Change, String)> {
    let mut calls = Vec::new();
    for state in &isolate.genes {
        let Some(reference) = references.get(&state.gene) else {
            continue;
        };
        for call in state.calls.iter().flatten() {
            let change = call.change.normalized(&reference.residues);
            calls.push((state.gene.clone(), change, call.notation.clone()));
        }
    }
    calls
}

/// The calls of `observed` that fulfil a required mutation.
fn fulfils<'a>(
    required: &RequiredMutation,
    observed: &'a [(Arc<str>, Change, String)],
    references: &ReferenceSet,
) -> Option<&'a str> {
    let index = index_of(references, &required.gene, required.position)?;
    observed.iter().find_map(|(gene, change, notation)| {
        let hit = gene.eq_ignore_ascii_case(&required.gene)
            && matches!(change, Change::Substitution { position, alt }
                if *position == index
                    && required.alternatives.iter().any(|a| a.as_bytes() == [*alt]));
        hit.then_some(notation.as_str())
    })
}

/// The rows matching a call (`gene`, normalised `change`) that apply in an isolate whose
/// calls are `observed`, each with the calls that fulfil its requirements (none for a row
/// without any); rows of phenotype `Unknown` are left out.
fn applying<'a>(
    catalogue: &'a Catalogue,
    resolved: &ResolvedCatalogue,
    references: &ReferenceSet,
    observed: &'a [(Arc<str>, Change, String)],
    (gene, change): (&str, &Change),
) -> Vec<(&'a PointFinderRule, Vec<&'a str>)> {
    let mut rows = Vec::new();
    for &index in resolved.find_all(gene, change) {
        let Some(rule) = catalogue.entries()[index].rule() else {
            continue;
        };
        if rule.antimicrobials.is_empty() {
            continue;
        }
        let group = match rule.required.is_empty() {
            true => Some(Vec::new()),
            false => rule.required.iter().find_map(|group| {
                group
                    .iter()
                    .map(|required| fulfils(required, observed, references))
                    .collect::<Option<Vec<&str>>>()
            }),
        };
        if let Some(group) = group {
            rows.push((rule, group));
        }
    }
    rows
}

/// `phenotypes.tsv` of a run with a PointFinder catalogue.
pub(crate) fn phenotype_table(
    (catalogue, resolved): (&Catalogue, &ResolvedCatalogue),
    references: &ReferenceSet,
    isolates: &Isolates,
) -> String {
    let drugs = antimicrobials(catalogue);
    let mut out = COLUMNS.join("\t");
    out.push('\n');
    for isolate in &isolates.isolates {
        let observed = observed(isolate, references);
        // Per antimicrobial: the mutations behind a resistant prediction.
        let mut behind: Vec<BTreeSet<String>> = vec![BTreeSet::new(); drugs.len()];
        for (gene, change, notation) in &observed {
            for (rule, group) in
                applying(catalogue, resolved, references, &observed, (gene, change))
            {
                let mutations = std::iter::once(notation.as_str())
                    .chain(group)
                    .collect::<Vec<_>>()
                    .join(" + ");
                for drug in &rule.antimicrobials {
                    if let Some(at) = drugs.iter().position(|(d, _)| d.eq_ignore_ascii_case(drug)) {
                        behind[at].insert(mutations.clone());
                    }
                }
            }
        }
        for (at, (drug, classes)) in drugs.iter().enumerate() {
            let phenotype = match behind[at].is_empty() {
                true => "no resistance found",
                false => "resistant",
            };
            let not_assessed = not_assessed(catalogue, isolate, drug);
            let fields = [
                &*isolate.accession,
                drug,
                &classes.join(", "),
                phenotype,
                &behind[at].iter().cloned().collect::<Vec<_>>().join("; "),
                &not_assessed,
            ];
            let line: Vec<String> = fields.iter().map(|f| clean(f)).collect();
            out.push_str(&line.join("\t"));
            out.push('\n');
        }
    }
    out
}

/// A field with no tab or line break.
fn clean(field: &str) -> String {
    field
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The catalogue's genes for `drug` that the isolate has no whole copy of, with why.
fn not_assessed(catalogue: &Catalogue, isolate: &Isolate, drug: &str) -> String {
    let mut genes: Vec<&str> = Vec::new();
    for entry in catalogue.entries() {
        let Some(rule) = entry.rule() else { continue };
        let names = rule
            .antimicrobials
            .iter()
            .any(|d| d.eq_ignore_ascii_case(drug));
        if names && !genes.iter().any(|g| g.eq_ignore_ascii_case(entry.gene())) {
            genes.push(entry.gene());
        }
    }
    let mut missing = Vec::new();
    for gene in genes {
        let state = isolate
            .genes
            .iter()
            .find(|s| s.gene.eq_ignore_ascii_case(gene));
        match state {
            None => missing.push(format!("{gene} (no target)")),
            Some(state) if state.copies[0] == 0 => {
                let why: Vec<&str> = state.other.iter().map(String::as_str).collect();
                missing.push(format!("{gene} ({})", why.join(", ")));
            }
            Some(_) => {}
        }
    }
    missing.join("; ")
}

/// The table's name in the output directory.
pub(crate) const HAMRONIZATION: &str = "hamronization.tsv";

/// The columns of the hAMRonization specification (1.x), mandatory then optional, in the
/// order the `hamronization` package writes them.
const HAMRONIZATION_COLUMNS: [&str; 36] = [
    "input_file_name",
    "gene_symbol",
    "gene_name",
    "reference_database_name",
    "reference_database_version",
    "reference_accession",
    "analysis_software_name",
    "analysis_software_version",
    "genetic_variation_type",
    "antimicrobial_agent",
    "coverage_percentage",
    "coverage_depth",
    "coverage_ratio",
    "drug_class",
    "input_gene_length",
    "input_gene_start",
    "input_gene_stop",
    "input_protein_length",
    "input_protein_start",
    "input_protein_stop",
    "input_sequence_id",
    "nucleotide_mutation",
    "nucleotide_mutation_interpretation",
    "predicted_phenotype",
    "predicted_phenotype_confidence_level",
    "amino_acid_mutation",
    "amino_acid_mutation_interpretation",
    "reference_gene_length",
    "reference_gene_start",
    "reference_gene_stop",
    "reference_protein_length",
    "reference_protein_start",
    "reference_protein_stop",
    "resistance_mechanism",
    "strand_orientation",
    "sequence_identity",
];

/// `hamronization.tsv`: one row per call that predicts resistance in its isolate (a known call
/// of a copy that speaks for its gene, whose catalogue row applies there), in the
/// hAMRonization format that AMR pipelines merge tools' reports with.
pub(crate) fn hamronization_table(
    (catalogue, resolved): (&Catalogue, &ResolvedCatalogue),
    references: &ReferenceSet,
    isolates: &Isolates,
    database_version: &str,
) -> String {
    let mut out = HAMRONIZATION_COLUMNS.join("\t");
    out.push('\n');
    for isolate in &isolates.isolates {
        let observed = observed(isolate, references);
        for call in &isolate.known {
            let Some(reference) = references.get(&call.gene) else {
                continue;
            };
            let change = call.change.normalized(&reference.residues);
            let rows = applying(
                catalogue,
                resolved,
                references,
                &observed,
                (&call.gene, &change),
            );
            if rows.is_empty() {
                continue;
            }
            let mut drugs: Vec<&str> = Vec::new();
            let mut classes: Vec<&str> = Vec::new();
            for (rule, _) in &rows {
                for drug in &rule.antimicrobials {
                    if !drugs.iter().any(|d| d.eq_ignore_ascii_case(drug)) {
                        drugs.push(drug);
                    }
                }
                for class in &rule.classes {
                    if !classes.iter().any(|c| c.eq_ignore_ascii_case(class)) {
                        classes.push(class);
                    }
                }
            }
            let entry = &catalogue.entries()[call.entry];
            let accession = entry.rule().map_or("", |r| r.accession.as_str());
            let mechanism = entry
                .annotations()
                .iter()
                .find(|(name, _)| name == "mechanism")
                .map_or("", |(_, value)| value.as_str());
            let nucleotide = reference.is_nucleotide();
            let change_text = call
                .notation
                .split_once(' ')
                .map_or(call.notation.as_str(), |(_, change)| change);
            let (start, stop) = match (call.start, call.end) {
                (Some(start), Some(end)) => (start.to_string(), end.to_string()),
                _ => (String::new(), String::new()),
            };
            let gene_length = match (call.start, call.end) {
                (Some(start), Some(end)) => (end + 1 - start).to_string(),
                _ => String::new(),
            };
            let reference_length = call
                .reference_length
                .map(|l| l.to_string())
                .unwrap_or_default();
            let fields: [String; 36] = [
                isolate.accession.to_string(),
                call.gene.to_string(),
                call.gene.to_string(),
                "PointFinder".into(),
                database_version.into(),
                accession.into(),
                "wildtype-aligner".into(),
                env!("CARGO_PKG_VERSION").into(),
                match nucleotide {
                    true => "nucleotide_variant_detected",
                    false => "protein_variant_detected",
                }
                .into(),
                drugs.join(", "),
                format!("{:.1}", call.coverage),
                String::new(),
                String::new(),
                classes.join(", "),
                gene_length,
                start,
                stop,
                String::new(),
                String::new(),
                String::new(),
                call.contig.clone().unwrap_or_default(),
                if nucleotide {
                    change_text.to_owned()
                } else {
                    String::new()
                },
                call.codon_change
                    .as_ref()
                    .map(|codons| format!("Codon change: {codons}"))
                    .unwrap_or_default(),
                "antimicrobial resistance".into(),
                String::new(),
                if nucleotide {
                    String::new()
                } else {
                    change_text.to_owned()
                },
                String::new(),
                if nucleotide {
                    reference_length.clone()
                } else {
                    String::new()
                },
                String::new(),
                String::new(),
                if nucleotide {
                    String::new()
                } else {
                    reference_length
                },
                String::new(),
                String::new(),
                mechanism.to_owned(),
                call.strand.clone().unwrap_or_default(),
                format!("{:.2}", call.identity),
            ];
            let line: Vec<String> = fields.iter().map(|f| clean(f)).collect();
            out.push_str(&line.join("\t"));
            out.push('\n');
        }
    }
    out
}
