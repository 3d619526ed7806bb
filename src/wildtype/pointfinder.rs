//! PointFinder's catalogue, `phenotypes.txt` of a species folder (database 3.0.0, the file
//! ResFinder 4.3 reads), read as is into a [`Catalogue`]: each row's resistant residues become
//! entries, each checked against its gene's reference.
//!
//! Columns (tab-separated, the first line a `#Gene_accession` header): gene accession
//! (`gyrA_1_CP073768.1`; the gene is the part before the first `_`, as PointFinder reads it),
//! `AA` or `NUC`, a mutation id, the codon or nucleotide position (a promoter's bases are
//! `-N..-1`), the reference codon or base, the reference residue (`ins`/`del` in the indel
//! section), the resistant residues (`C,D`), drug class, phenotype (antimicrobials, or
//! `Unknown`), PMIDs, mechanism, notes, required mutations (groups split by `;`, mutations by
//! `,`, each `<gene>[_<n>_<accession>]_<ref><position><alt>[.<alt>...]`), and more columns
//! that are kept unread. A line `# Indels` starts the insertion and deletion rows.

use std::path::Path;

use crate::{Error, Result};

use super::catalogue::{Catalogue, CatalogueEntry, PointFinderRule, RequiredMutation};
use super::genome::GeneKind;
use super::hgvs::Change;
use super::input::{Reference, ReferenceSet};

impl Catalogue {
    /// Reads PointFinder's catalogue, the `phenotypes.txt` of a species folder (database
    /// 3.0.0), as is: each row's resistant residues become entries (several per row: `C,D`),
    /// insertion and deletion rows included, RNA and promoter rows numbered as PointFinder
    /// numbers them (a promoter's bases `-N..-1`), each with its [`PointFinderRule`]
    /// (antimicrobials, required mutations). Every row is checked against its gene's
    /// reference in `references`: a row whose gene has no reference, whose residue or base is
    /// not the reference's, or whose type (`AA`/`NUC`) is not its gene's, is left out with a
    /// warning naming the file, line and row (the second value).
    ///
    /// # Errors
    ///
    /// A row with fewer than 9 columns, or a position that is not a whole number.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::wildtype::genome::Species;
    /// use wildtype_aligner::wildtype::{Catalogue, ReferenceSet};
    ///
    /// let species = Species::embedded("escherichia_coli").unwrap();
    /// let references = ReferenceSet::from_species(&species);
    /// let (path, text) = species.phenotypes().unwrap();
    /// let (catalogue, warnings) = Catalogue::from_pointfinder(path, text, &references).unwrap();
    /// assert!(warnings.is_empty(), "{warnings:?}");
    /// let s83 = catalogue.entries().iter().find(|e| e.mutation() == "p.S83L").unwrap();
    /// assert_eq!(s83.gene(), "gyrA");
    /// assert_eq!(s83.rule().unwrap().antimicrobials, ["Nalidixic acid", "Ciprofloxacin"]);
    /// ```
    pub fn from_pointfinder(
        path: impl AsRef<Path>,
        text: &str,
        references: &ReferenceSet,
    ) -> Result<(Self, Vec<String>)> {
        read(path.as_ref(), text, references)
    }
}

/// Whether catalogue text is PointFinder's `phenotypes.txt` (its header names
/// `Gene_accession` first).
pub(crate) fn is_pointfinder(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .lines()
        .next()
        .is_some_and(|line| line.trim_start_matches('#').starts_with("Gene_accession"))
}

/// The section a row is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Substitutions,
    Indels,
}

/// The catalogue of a `phenotypes.txt`: entries for every row that agrees with its gene's
/// reference, and a warning (naming the file, line and row) for every row that does not, or
/// whose gene has no reference; such rows never match.
///
/// # Errors
///
/// A row with fewer than 9 columns or a position that is not a whole number, naming the
/// file and line.
pub(crate) fn read(
    path: &Path,
    text: &str,
    references: &ReferenceSet,
) -> Result<(Catalogue, Vec<String>)> {
    let mut entries = Vec::new();
    let mut warnings = Vec::new();
    let mut section = Section::Substitutions;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let raw = raw.trim_end_matches('\r');
        if raw.trim().is_empty() {
            continue;
        }
        if let Some(comment) = raw.strip_prefix('#') {
            if comment.to_ascii_lowercase().contains("indel") {
                section = Section::Indels;
            } else if comment.to_ascii_lowercase().contains("stop codon") {
                warnings.push(format!(
                    "{}: line {line}: a stop-codon section is read as ordinary rows",
                    path.display()
                ));
            }
            continue;
        }
        let fields: Vec<&str> = raw.split('\t').map(str::trim).collect();
        let bad = |message: String| Error::Format {
            path: path.to_owned(),
            line,
            message,
        };
        if fields.len() < 9 {
            return Err(bad(format!(
                "expected at least 9 tab-separated columns (gene accession, type, id, \
                 position, reference codon, reference residue, resistant residues, class, \
                 phenotype), found {}",
                fields.len()
            )));
        }
        let position: i64 = fields[3]
            .parse()
            .map_err(|_| bad(format!("position {:?} is not a whole number", fields[3])))?;
        let row = Row {
            line,
            accession: fields[0],
            nucleotide: fields[1].eq_ignore_ascii_case("NUC"),
            position,
            reference_residue: fields[5],
            resistant: list(fields[6], ','),
            section,
            fields: &fields,
        };
        let gene = row.gene();
        let Some(reference) = references.get(gene) else {
            warnings.push(row.warning(path, format!("gene {gene} has no reference")));
            continue;
        };
        match row.entries(reference) {
            Ok(mut made) => entries.append(&mut made),
            Err(why) => warnings.push(row.warning(path, why)),
        }
    }
    Ok((Catalogue::with_entries(path, entries), warnings))
}

/// A comma (or `sep`) list, entries trimmed, empty ones dropped.
fn list(text: &str, sep: char) -> Vec<String> {
    text.split(sep)
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One row as read.
struct Row<'a> {
    line: usize,
    accession: &'a str,
    nucleotide: bool,
    position: i64,
    reference_residue: &'a str,
    resistant: Vec<String>,
    section: Section,
    fields: &'a [&'a str],
}

impl Row<'_> {
    /// The gene, as PointFinder reads it: the accession up to its first `_`.
    fn gene(&self) -> &str {
        self.accession.split('_').next().unwrap_or(self.accession)
    }

    fn column(&self, index: usize) -> &str {
        self.fields.get(index).copied().unwrap_or("")
    }

    fn warning(&self, path: &Path, why: String) -> String {
        format!(
            "{}: line {}: PointFinder row {} {} {}->{}: {why}; the row never matches",
            path.display(),
            self.line,
            self.accession,
            self.position,
            self.reference_residue,
            self.resistant.join(",")
        )
    }

    /// The 1-based index in the reference's residues of the row's position.
    fn index(&self, reference: &Reference) -> std::result::Result<usize, String> {
        let length = reference.residues.len();
        reference.index_of_position(self.position).ok_or_else(|| {
            format!(
                "position {} is outside the reference ({length} {})",
                self.position,
                if reference.is_nucleotide() {
                    "bases"
                } else {
                    "residues"
                }
            )
        })
    }

    /// The rule every entry of the row shares: what the phenotype table needs.
    fn rule(&self) -> PointFinderRule {
        let phenotype = self.column(8);
        let antimicrobials = match phenotype.eq_ignore_ascii_case("unknown") {
            true => Vec::new(),
            false => list(phenotype, ','),
        };
        PointFinderRule {
            line: self.line,
            accession: self.accession.to_owned(),
            position: self.position,
            classes: list(self.column(7), ','),
            antimicrobials,
            phenotype: phenotype.to_owned(),
            required: list(self.column(12), ';')
                .iter()
                .map(|group| {
                    list(group, ',')
                        .iter()
                        .filter_map(|m| required(m))
                        .collect()
                })
                .filter(|group: &Vec<RequiredMutation>| !group.is_empty())
                .collect(),
        }
    }

    /// The row's entries (one per resistant residue), or why it does not fit its reference.
    fn entries(&self, reference: &Reference) -> std::result::Result<Vec<CatalogueEntry>, String> {
        if self.nucleotide != reference.is_nucleotide() {
            return Err(format!(
                "a {} row, but {} is {}",
                if self.nucleotide { "NUC" } else { "AA" },
                reference.gene,
                if reference.is_nucleotide() {
                    "an RNA gene or promoter"
                } else {
                    "a coding gene"
                }
            ));
        }
        if self.resistant.is_empty() {
            return Err("no resistant residue".into());
        }
        let index = self.index(reference)?;
        let residues = &reference.residues;
        let at = |i: usize| residues[i - 1].to_ascii_uppercase();
        let kind = self.reference_residue.to_ascii_lowercase();
        let indel = self.section == Section::Indels || kind == "ins" || kind == "del";
        let (prefix, label) = self.notation_parts(reference);
        let mut entries = Vec::new();
        for alt in &self.resistant {
            let alt_bytes = alt.to_ascii_uppercase().into_bytes();
            let (change, stated, mutation) = match (indel, kind.as_str()) {
                (true, "ins") => (
                    Change::Insertion {
                        after: index,
                        residues: alt_bytes.clone(),
                    },
                    Vec::new(),
                    format!("{prefix}{}_{}ins{alt}", label(index), label(index + 1)),
                ),
                (true, "del") => {
                    let end = index + alt_bytes.len() - 1;
                    if end > residues.len() {
                        return Err(format!("deletion {alt} runs past the reference's end"));
                    }
                    let stated: Vec<(usize, u8)> =
                        (index..=end).zip(alt_bytes.iter().copied()).collect();
                    for &(i, residue) in &stated {
                        if at(i) != residue {
                            return Err(format!(
                                "the reference has {} at {}, not {} (of the deleted {alt})",
                                at(i) as char,
                                label(i),
                                residue as char
                            ));
                        }
                    }
                    let name = match (self.nucleotide, end == index) {
                        (true, true) => format!("{prefix}{}del{alt}", label(index)),
                        (true, false) => {
                            format!("{prefix}{}_{}del{alt}", label(index), label(end))
                        }
                        (false, true) => {
                            format!("{prefix}{}{}del", at(index) as char, label(index))
                        }
                        (false, false) => format!(
                            "{prefix}{}{}_{}{}del",
                            at(index) as char,
                            label(index),
                            at(end) as char,
                            label(end)
                        ),
                    };
                    (Change::Deletion { start: index, end }, stated, name)
                }
                (true, other) => {
                    return Err(format!("indel row of kind {other:?}, not ins or del"));
                }
                (false, _) => {
                    let stated_residue = self.reference_residue.as_bytes();
                    if stated_residue.len() != 1 || alt_bytes.len() != 1 {
                        return Err(format!(
                            "a substitution must name one reference and one resistant residue, \
                             not {} and {alt}",
                            self.reference_residue
                        ));
                    }
                    let from = stated_residue[0].to_ascii_uppercase();
                    if at(index) != from {
                        return Err(format!(
                            "the reference has {} at {}, not {}",
                            at(index) as char,
                            label(index),
                            from as char
                        ));
                    }
                    let name = match self.nucleotide {
                        true => format!("{prefix}{}{}>{alt}", label(index), from as char),
                        false => format!("{prefix}{}{}{alt}", from as char, label(index)),
                    };
                    (
                        Change::Substitution {
                            position: index,
                            alt: alt_bytes[0],
                        },
                        vec![(index, from)],
                        name,
                    )
                }
            };
            entries.push(CatalogueEntry::pointfinder(
                reference.gene.clone(),
                mutation,
                self.line,
                self.annotations(),
                (change, stated),
                self.rule(),
            ));
        }
        Ok(entries)
    }

    /// PointFinder's prefix (`p.`, `r.`, `n.`) and its numbering of a 1-based index.
    fn notation_parts(&self, reference: &Reference) -> (&'static str, impl Fn(usize) -> String) {
        let kind = reference.kind;
        let prefix = match kind {
            GeneKind::Promoter { .. } => "n.",
            GeneKind::Rna => "r.",
            GeneKind::Coding => "p.",
        };
        let label = move |index: usize| match kind {
            GeneKind::Promoter { promoter_length } if index <= promoter_length => {
                format!("{}", index as i64 - promoter_length as i64 - 1)
            }
            GeneKind::Promoter { promoter_length } => format!("{}", index - promoter_length),
            _ => index.to_string(),
        };
        (prefix, label)
    }

    /// The free columns, as a simple catalogue's annotations.
    fn annotations(&self) -> Vec<(String, String)> {
        [
            ("drug_class", 7),
            ("phenotype", 8),
            ("pmid", 9),
            ("mechanism", 10),
            ("notes", 11),
            ("required_mutation", 12),
        ]
        .into_iter()
        .map(|(name, column)| (name.to_owned(), self.column(column).to_owned()))
        .collect()
    }
}

/// A required mutation as the column writes it (`gyrA_1_CP073768.1_S83L.W.A.V`,
/// `gyrA_D87N.G.Y.K`); `None` when it does not read as one.
fn required(text: &str) -> Option<RequiredMutation> {
    let (gene_part, change) = text.rsplit_once('_')?;
    let gene = gene_part.split('_').next()?.to_owned();
    let digits = change.find(|c: char| c.is_ascii_digit() || c == '-')?;
    let (reference, rest) = change.split_at(digits);
    let end = rest
        .char_indices()
        .skip(1)
        .find(|(_, c)| !c.is_ascii_digit())
        .map(|(i, _)| i)?;
    let (position, alternatives) = rest.split_at(end);
    Some(RequiredMutation {
        gene,
        reference: reference.to_ascii_uppercase(),
        position: position.parse().ok()?,
        alternatives: list(&alternatives.to_ascii_uppercase(), '.'),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_mutations_read_as_the_column_writes_them() {
        let full = required("gyrA_1_CP073768.1_S83L.W.A.V").unwrap();
        assert_eq!(
            (full.gene.as_str(), full.reference.as_str(), full.position),
            ("gyrA", "S", 83)
        );
        assert_eq!(full.alternatives, ["L", "W", "A", "V"]);
        let short = required("gyrA_D87N.G.Y.K").unwrap();
        assert_eq!((short.gene.as_str(), short.position), ("gyrA", 87));
        assert_eq!(short.alternatives, ["N", "G", "Y", "K"]);
        assert!(required("nonsense").is_none());
    }

    #[test]
    fn the_header_tells_pointfinder_from_a_simple_catalogue() {
        assert!(is_pointfinder("#Gene_accession\tTypeGene\n"));
        assert!(!is_pointfinder("gene\tmutation\n"));
    }
}
