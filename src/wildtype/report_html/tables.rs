//! A finished run's tables read a row at a time into the report's figures (see
//! [`super::figures`]). Nothing grows with the number of targets but the count of distinct
//! accessions.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

use super::super::phenotypes::COLUMNS as PHENOTYPE_COLUMNS;
use super::collect::{Collector, name_hash};
use super::figures::{Catalogued, Isolate, MATRIX_ISOLATES, Phenotypes, RunTables};

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

impl RunTables {
    /// Reads `alignments.tsv`, `mutations.tsv` and, when given, `phenotypes.tsv`;
    /// `references` are the manifest's (gene, id, length), in its order.
    pub(super) fn read(
        alignments: &Path,
        mutations: &Path,
        phenotypes: Option<&Path>,
        references: &[(String, String, usize)],
    ) -> Result<Self> {
        let mut collector = Collector::default();
        read_alignments(alignments, &mut collector)?;
        read_mutations(mutations, &mut collector)?;
        let phenotypes = phenotypes.map(Phenotypes::read).transpose()?;
        Ok(collector.finish(references, phenotypes))
    }
}

fn read_alignments(path: &Path, collector: &mut Collector) -> Result<()> {
    let table = Table::open(
        path,
        &["accession", "gene", "reference", "reference_length", "tier"],
    )?;
    table.for_each(|row, place| {
        let [accession, gene, reference, length, tier] = row else {
            unreachable!("five columns asked for");
        };
        let length = if length.is_empty() {
            None
        } else {
            Some(place.number(length, "reference_length")?)
        };
        collector.alignment(accession, gene, reference, length, tier);
        Ok(())
    })
}

fn read_mutations(path: &Path, collector: &mut Collector) -> Result<()> {
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
    table.for_each(|row, place| {
        let [accession, gene, reference, kind, mutation, start, catalogue] = row else {
            unreachable!("seven columns asked for");
        };
        if *kind == "synonymous" {
            return Ok(());
        }
        let position = place.number(start, "reference_start")?;
        collector.mutation(
            Some([accession, gene, reference]),
            (mutation, name_hash(mutation)),
            position,
            Catalogued::from_column(catalogue),
        );
        Ok(())
    })
}

impl Phenotypes {
    pub(super) fn read(path: &Path) -> Result<Self> {
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
