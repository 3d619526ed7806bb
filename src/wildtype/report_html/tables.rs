//! What `report.html` shows, aggregated from a finished run's tables a row at a time: per
//! reference, the targets in each tier and the mutated positions with the calls there; per
//! isolate, the predicted phenotypes. Nothing grows with the number of targets but the count
//! of distinct accessions.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

use super::super::phenotypes::COLUMNS as PHENOTYPE_COLUMNS;

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
    fn from_column(text: &str) -> Self {
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
    /// Where each call's name is in `calls` (a site may have hundreds of distinct calls).
    names: HashMap<String, usize>,
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

    /// Counts one more target with the call `name`.
    fn add(&mut self, name: &str, catalogued: Catalogued) {
        match self.names.get(name) {
            Some(&at) => {
                let call = &mut self.calls[at];
                call.targets += 1;
                call.catalogued = call.catalogued.max(catalogued);
            }
            None => {
                self.names.insert(name.to_owned(), self.calls.len());
                self.calls.push(Call {
                    name: name.to_owned(),
                    targets: 1,
                    catalogued,
                });
            }
        }
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

/// A TSV file read a line at a time, its columns found by their header names.
struct Table {
    path: PathBuf,
    reader: BufReader<std::fs::File>,
    columns: Vec<usize>,
}

impl Table {
    fn open(path: &Path, wanted: &[&str]) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|source| Error::io(path, source))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut header = String::new();
        reader
            .read_line(&mut header)
            .map_err(|source| Error::io(path, source))?;
        let header = header.trim_end_matches(['\n', '\r']);
        let names: Vec<&str> = header.split('\t').collect();
        let columns = wanted
            .iter()
            .map(|name| {
                names
                    .iter()
                    .position(|column| column == name)
                    .ok_or_else(|| Error::Format {
                        path: path.to_owned(),
                        line: 1,
                        message: format!("no column '{name}' in the header"),
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            path: path.to_owned(),
            reader,
            columns,
        })
    }

    /// Calls `row` with the wanted fields of each line, in the order asked for, and where
    /// the line is (for errors).
    fn for_each(mut self, mut row: impl FnMut(&[&str], &Place) -> Result<()>) -> Result<()> {
        let wanted = self.columns.len();
        let last = self.columns.iter().copied().max().unwrap_or(0);
        // Which of the wanted fields each column up to the last wanted one is.
        let mut slot_of: Vec<Option<usize>> = vec![None; last + 1];
        for (slot, &column) in self.columns.iter().enumerate() {
            slot_of[column] = Some(slot);
        }
        let mut place = Place {
            path: self.path.clone(),
            line: 1,
        };
        // One buffer for every line: a large run's tables have millions.
        let mut line = String::new();
        loop {
            line.clear();
            let read = self
                .reader
                .read_line(&mut line)
                .map_err(|source| Error::io(&place.path, source))?;
            if read == 0 {
                break;
            }
            place.line += 1;
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                continue;
            }
            let mut picked = [""; MAX_COLUMNS];
            let mut fields = 0;
            let mut start = 0;
            let ends = memchr::memchr_iter(b'\t', line.as_bytes()).chain([line.len()]);
            for (end, slot) in ends.zip(&slot_of) {
                if let Some(slot) = slot {
                    picked[*slot] = &line[start..end];
                }
                fields += 1;
                start = end + 1;
            }
            if wanted > 0 && fields <= last {
                return Err(place.error(format!(
                    "{fields} fields where the header has at least {}",
                    last + 1
                )));
            }
            row(&picked[..wanted], &place)?;
        }
        Ok(())
    }
}

/// The most columns a [`Table`] is asked for.
const MAX_COLUMNS: usize = 8;

/// A line of a table, for error messages.
struct Place {
    path: PathBuf,
    line: usize,
}

impl Place {
    fn error(&self, message: String) -> Error {
        Error::Format {
            path: self.path.clone(),
            line: self.line,
            message,
        }
    }

    fn number(&self, text: &str, column: &str) -> Result<usize> {
        text.parse()
            .map_err(|_| self.error(format!("{column} '{text}' is not a whole number")))
    }
}

/// The reference of each gene summary, to find a row's.
#[derive(Default)]
struct GeneIndex {
    by_reference: HashMap<String, usize>,
    /// Genes of rows without a reference.
    by_gene: HashMap<String, usize>,
}

impl RunTables {
    /// Reads `alignments.tsv`, `mutations.tsv` and, when given, `phenotypes.tsv`;
    /// `references` are the manifest's (gene, id, length), in its order.
    pub(super) fn read(
        alignments: &Path,
        mutations: &Path,
        phenotypes: Option<&Path>,
        references: &[(String, String, usize)],
    ) -> Result<Self> {
        let mut tables = RunTables::default();
        let mut index = GeneIndex::default();
        for (gene, id, length) in references {
            index.by_reference.insert(id.clone(), tables.genes.len());
            tables.genes.push(GeneSummary {
                gene: gene.clone(),
                reference: id.clone(),
                length: *length,
                ..GeneSummary::default()
            });
        }
        tables.read_alignments(alignments, &mut index)?;
        tables.read_mutations(mutations, &mut index)?;
        if let Some(path) = phenotypes {
            tables.phenotypes = Some(Phenotypes::read(path)?);
        }
        Ok(tables)
    }

    /// The summary of a row's reference (or, without one, of its gene), made when new.
    fn gene_of(&mut self, index: &mut GeneIndex, gene: &str, reference: &str) -> usize {
        let (map, key) = if reference.is_empty() {
            (&mut index.by_gene, gene)
        } else {
            (&mut index.by_reference, reference)
        };
        if let Some(&at) = map.get(key) {
            return at;
        }
        map.insert(key.to_owned(), self.genes.len());
        self.genes.push(GeneSummary {
            gene: if gene.is_empty() { "(no gene)" } else { gene }.to_owned(),
            reference: reference.to_owned(),
            ..GeneSummary::default()
        });
        self.genes.len() - 1
    }

    fn read_alignments(&mut self, path: &Path, index: &mut GeneIndex) -> Result<()> {
        let table = Table::open(
            path,
            &["accession", "gene", "reference", "reference_length", "tier"],
        )?;
        let mut accessions: HashSet<String> = HashSet::new();
        table.for_each(|row, place| {
            let [accession, gene, reference, length, tier] = row else {
                unreachable!("five columns asked for");
            };
            self.targets += 1;
            if !accessions.contains(*accession) {
                accessions.insert((*accession).to_owned());
            }
            let at = self.gene_of(index, gene, reference);
            let summary = &mut self.genes[at];
            if summary.length == 0 && !length.is_empty() {
                summary.length = place.number(length, "reference_length")?;
            }
            let slot = TIERS.iter().position(|name| name == tier).unwrap_or(3);
            summary.tiers[slot] += 1;
            Ok(())
        })?;
        self.accessions = accessions.len();
        Ok(())
    }

    fn read_mutations(&mut self, path: &Path, index: &mut GeneIndex) -> Result<()> {
        let table = Table::open(
            path,
            &[
                "accession",
                "gene",
                "reference",
                "kind",
                "mutation",
                "reference_start",
                "catalogue",
            ],
        )?;
        // The rows of one target are adjacent: count each target once per position.
        let mut current = (String::new(), String::new(), String::new());
        let mut counted: Vec<usize> = Vec::new();
        let mut at = 0;
        table.for_each(|row, place| {
            let [accession, gene, reference, kind, mutation, start, catalogue] = row else {
                unreachable!("seven columns asked for");
            };
            if *kind == "synonymous" {
                return Ok(());
            }
            self.calls += 1;
            let position = place.number(start, "reference_start")?;
            if current.0 != *accession || current.1 != *gene || current.2 != *reference {
                current = (
                    (*accession).to_owned(),
                    (*gene).to_owned(),
                    (*reference).to_owned(),
                );
                counted.clear();
                at = self.gene_of(index, gene, reference);
            }
            let site = self.genes[at].sites.entry(position).or_default();
            if !counted.contains(&position) {
                counted.push(position);
                site.targets += 1;
            }
            site.add(mutation, Catalogued::from_column(catalogue));
            Ok(())
        })
    }
}

impl Phenotypes {
    fn read(path: &Path) -> Result<Self> {
        // Every column, in the order the table writes them.
        let table = Table::open(path, &PHENOTYPE_COLUMNS)?;
        let mut matrix = Phenotypes::default();
        let mut antimicrobials: HashMap<String, usize> = HashMap::new();
        let mut last = String::new();
        table.for_each(|row, _| {
            let [
                accession,
                antimicrobial,
                class,
                phenotype,
                mutations,
                not_assessed,
            ] = row
            else {
                unreachable!("six columns asked for");
            };
            if *accession != last || matrix.isolates == 0 {
                matrix.isolates += 1;
                last.clear();
                last.push_str(accession);
                if matrix.shown.len() < MATRIX_ISOLATES {
                    matrix.shown.push(Isolate {
                        accession: (*accession).to_owned(),
                        cells: HashMap::new(),
                    });
                }
            }
            let column = *antimicrobials
                .entry((*antimicrobial).to_owned())
                .or_insert_with(|| {
                    matrix
                        .antimicrobials
                        .push(((*antimicrobial).to_owned(), (*class).to_owned()));
                    matrix.resistant.push(0);
                    matrix.antimicrobials.len() - 1
                });
            let resistant = *phenotype == "resistant";
            if resistant {
                matrix.resistant[column] += 1;
            }
            if matrix.isolates <= MATRIX_ISOLATES
                && let Some(isolate) = matrix.shown.last_mut()
            {
                let why = if resistant { mutations } else { not_assessed };
                isolate.cells.insert(column, (resistant, (*why).to_owned()));
            }
            Ok(())
        })?;
        Ok(matrix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALIGNMENTS: &str = "accession\tgene\treference\treference_length\ttier\n\
        a\tgyrA\tgyrA_1\t875\tHIGH\n\
        b\tgyrA\tgyrA_1\t875\tLOW\n\
        c\tparC\t\t\tFAILED\n";
    const MUTATIONS: &str = "accession\tgene\treference\tkind\tmutation\t\
        reference_start\tcatalogue\n\
        a\tgyrA\tgyrA_1\tsubstitution\tS83L\t83\tknown\n\
        a\tgyrA\tgyrA_1\tdeletion\t83_84del\t83\tnovel\n\
        a\tgyrA\tgyrA_1\tsynonymous\tS90=\t90\t\n\
        b\tgyrA\tgyrA_1\tsubstitution\tS83W\t83\tnovel\n\
        b\tgyrA\tgyrA_1\tsubstitution\tD87N\t87\tnovel\n";

    fn read(mutations: &str) -> Result<RunTables> {
        let dir = tempfile::tempdir().unwrap();
        let (alignments, calls) = (dir.path().join("a.tsv"), dir.path().join("m.tsv"));
        std::fs::write(&alignments, ALIGNMENTS).unwrap();
        std::fs::write(&calls, mutations).unwrap();
        RunTables::read(&alignments, &calls, None, &[])
    }

    #[test]
    fn a_target_counts_once_per_position_and_notes_are_left_out() {
        let tables = read(MUTATIONS).unwrap();
        assert_eq!((tables.targets, tables.accessions, tables.calls), (3, 3, 4));
        let gyra = &tables.genes[0];
        assert_eq!((gyra.gene.as_str(), gyra.length), ("gyrA", 875));
        assert_eq!(gyra.tiers, [1, 0, 1, 0]);
        assert_eq!(gyra.sites.keys().copied().collect::<Vec<_>>(), [83, 87]);
        let site = &gyra.sites[&83];
        assert_eq!(site.targets, 2);
        assert_eq!(site.catalogued(), Catalogued::Known);
        assert_eq!(gyra.sites[&87].catalogued(), Catalogued::Novel);
        let names: Vec<_> = site
            .calls_by_count()
            .iter()
            .map(|c| c.name.clone())
            .collect();
        assert_eq!(names, ["S83L", "83_84del", "S83W"]);
        // A target without a reference is grouped by its gene, with no plot.
        assert_eq!(tables.genes[1].gene, "parC");
        assert_eq!(tables.genes[1].tiers, [0, 0, 0, 1]);
    }

    #[test]
    fn a_short_row_or_a_bad_number_names_the_line() {
        let short = format!("{MUTATIONS}c\tparC\n");
        let error = read(&short).unwrap_err().to_string();
        assert!(
            error.ends_with("line 7: 2 fields where the header has at least 7"),
            "{error}"
        );
        let bad = MUTATIONS.replace("\t87\t", "\teighty\t");
        let error = read(&bad).unwrap_err().to_string();
        assert!(
            error.ends_with("line 6: reference_start 'eighty' is not a whole number"),
            "{error}"
        );
    }
}
