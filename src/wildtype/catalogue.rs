//! A catalogue of known mutations: a TSV of `gene`, `mutation` and free columns (drug class,
//! phenotype, source...), used to mark calls known or novel.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

use super::hgvs::{Change, parse_name};
use super::text::CallText;

/// One catalogue row (of a PointFinder catalogue: one resistant residue of a row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueEntry {
    gene: String,
    mutation: String,
    line: usize,
    annotations: Vec<(String, String)>,
    change: Change,
    stated: Vec<(usize, u8)>,
    /// A PointFinder row's phenotype rule.
    rule: Option<Box<PointFinderRule>>,
}

/// What a PointFinder catalogue row says beyond its mutation: the antimicrobials it predicts
/// resistance to, and the mutations it needs besides its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointFinderRule {
    /// The 1-based line of the row.
    pub line: usize,
    /// The row's gene accession (`gyrA_1_CP073768.1`).
    pub accession: String,
    /// The row's position as written (codon, base, or a promoter's `-N..-1`).
    pub position: i64,
    /// Drug classes (`Quinolone`).
    pub classes: Vec<String>,
    /// Antimicrobials the row predicts resistance to; empty when the phenotype is `Unknown`.
    pub antimicrobials: Vec<String>,
    /// The phenotype column as written.
    pub phenotype: String,
    /// Alternative groups of mutations the row needs besides its own: the row applies when
    /// every mutation of at least one group is present too (no group: always).
    pub required: Vec<Vec<RequiredMutation>>,
}

/// A mutation a PointFinder row requires (`gyrA_1_CP073768.1_S83L.W.A.V`: gyrA, S, 83, any
/// of L, W, A, V).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredMutation {
    /// The gene (the part of the column's gene accession before its first `_`).
    pub gene: String,
    /// The reference residue or base as written.
    pub reference: String,
    /// Codon or base, as PointFinder numbers it.
    pub position: i64,
    /// The residues or bases any of which fulfils the requirement.
    pub alternatives: Vec<String>,
}

impl CatalogueEntry {
    /// The gene as written.
    pub fn gene(&self) -> &str {
        &self.gene
    }

    /// The mutation as written (`S83L`, `p.Ser83Leu`, `G6_K11del`...).
    pub fn mutation(&self) -> &str {
        &self.mutation
    }

    /// The 1-based line of the row.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The free columns as (header, value) pairs, in file order.
    pub fn annotations(&self) -> &[(String, String)] {
        &self.annotations
    }

    /// A PointFinder row's phenotype rule; `None` for a simple catalogue's row.
    pub fn rule(&self) -> Option<&PointFinderRule> {
        self.rule.as_deref()
    }

    /// An entry of a PointFinder row.
    pub(crate) fn pointfinder(
        gene: String,
        mutation: String,
        line: usize,
        annotations: Vec<(String, String)>,
        (change, stated): (Change, Vec<(usize, u8)>),
        rule: PointFinderRule,
    ) -> Self {
        Self {
            gene,
            mutation,
            line,
            annotations,
            change,
            stated,
            rule: Some(Box::new(rule)),
        }
    }

    /// The free columns as `name=value` joined by `;` (empty values left out).
    pub fn annotation_text(&self) -> String {
        self.annotations
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join(";")
    }
}

/// Known mutations, read from a TSV file.
///
/// The first line may be a header starting `gene<TAB>mutation`; its other column names label
/// the free columns (otherwise they are `column3`, `column4`...). Blank lines and lines starting
/// with `#` are skipped. Mutations may be written in short form (`S83L`, `K141*`, `D87del`,
/// `6_11del`, `G6_K11del`, `346_347insD`, `5_6dup`) or HGVS (`p.Ser83Leu`, `p.Lys141Ter`); indels
/// are compared after 3' normalisation against the reference, so any placement of the same
/// indel matches. Genes are compared case-insensitively.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::Catalogue;
///
/// // Positions are the reference protein's own: TEM's Ambler G238S is G236S in TEM-1.
/// let text = "gene\tmutation\tdrug_class\nblaTEM\tG236S\tcephalosporin\n";
/// let catalogue = Catalogue::parse("known.tsv", text).unwrap();
/// assert_eq!(catalogue.entries()[0].annotation_text(), "drug_class=cephalosporin");
///
/// let err = Catalogue::parse("known.tsv", "gene\tmutation\nblaTEM\tG238\n").unwrap_err();
/// assert!(err.to_string().starts_with("known.tsv: line 2:"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    path: PathBuf,
    entries: Vec<CatalogueEntry>,
}

impl Catalogue {
    /// Reads a catalogue file (UTF-8 text).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::io(path, source))?;
        Self::parse(path, super::input::utf8_text(path, &bytes)?)
    }

    /// Parses catalogue text; `path` names the source in error messages.
    pub fn parse(path: impl AsRef<Path>, text: &str) -> Result<Self> {
        let path = path.as_ref().to_owned();
        let bad = |line: usize, message: String| Error::Format {
            path: path.clone(),
            line,
            message,
        };
        let mut columns: Option<Vec<String>> = None;
        let mut entries: Vec<CatalogueEntry> = Vec::new();
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let raw = raw.trim_end_matches('\r');
            if raw.trim().is_empty() || raw.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = raw.split('\t').map(str::trim).collect();
            let is_header = fields.len() >= 2
                && fields[0].eq_ignore_ascii_case("gene")
                && fields[1].eq_ignore_ascii_case("mutation");
            if columns.is_none() && entries.is_empty() && is_header {
                columns = Some(fields.iter().map(|f| f.to_string()).collect());
                continue;
            }
            if fields.len() < 2 || fields[0].is_empty() || fields[1].is_empty() {
                return Err(bad(
                    line,
                    "expected at least two tab-separated columns: gene, mutation".into(),
                ));
            }
            let parsed = parse_name(fields[1]).map_err(|why| bad(line, why.to_string()))?;
            let key = (fields[0].to_ascii_lowercase(), fields[1].to_owned());
            if let Some(first) = seen.insert(key, line) {
                return Err(bad(
                    line,
                    format!("{} {} repeats line {first}", fields[0], fields[1]),
                ));
            }
            let annotations = fields[2..]
                .iter()
                .enumerate()
                .map(|(offset, value)| {
                    let name = columns
                        .as_ref()
                        .and_then(|names| names.get(offset + 2))
                        .cloned()
                        .unwrap_or_else(|| format!("column{}", offset + 3));
                    (name, value.to_string())
                })
                .collect();
            entries.push(CatalogueEntry {
                gene: fields[0].to_owned(),
                mutation: fields[1].to_owned(),
                line,
                annotations,
                change: parsed.change,
                stated: parsed.stated,
                rule: None,
            });
        }
        Ok(Self { path, entries })
    }

    /// A catalogue of entries made elsewhere (a PointFinder catalogue's).
    pub(crate) fn with_entries(path: &Path, entries: Vec<CatalogueEntry>) -> Self {
        Self {
            path: path.to_owned(),
            entries,
        }
    }

    /// Whether the entries come from PointFinder's catalogue (and carry phenotype rules).
    pub fn is_pointfinder(&self) -> bool {
        self.entries.iter().any(|entry| entry.rule.is_some())
    }

    /// The file the catalogue came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The rows, in file order.
    pub fn entries(&self) -> &[CatalogueEntry] {
        &self.entries
    }

    /// Checks every row whose gene has a reference against it (positions inside, stated
    /// residues equal) and indexes the rows by normalised change.
    pub(crate) fn resolve<'r>(
        &self,
        reference_of: impl Fn(&str) -> Option<&'r [u8]>,
    ) -> Result<ResolvedCatalogue> {
        let mut index = HashMap::new();
        let mut normalized = Vec::with_capacity(self.entries.len());
        for (position, entry) in self.entries.iter().enumerate() {
            let Some(reference) = reference_of(&entry.gene) else {
                normalized.push(None);
                continue;
            };
            let bad = |message: String| Error::Format {
                path: self.path.clone(),
                line: entry.line,
                message: format!("{} {}: {message}", entry.gene, entry.mutation),
            };
            let (_, last) = entry.change.positions();
            if last > reference.len() {
                return Err(bad(format!(
                    "position {last} is beyond the reference ({} residues)",
                    reference.len()
                )));
            }
            for &(at, residue) in &entry.stated {
                let actual = reference[at - 1].to_ascii_uppercase();
                if actual != residue {
                    return Err(bad(format!(
                        "the reference has {} at position {at}, not {}",
                        actual as char, residue as char
                    )));
                }
            }
            let change = entry.change.normalized(reference);
            let hgvs = change.hgvs(reference);
            index
                .entry((entry.gene.to_ascii_lowercase(), change))
                .or_insert_with(Vec::new)
                .push(position);
            normalized.push(Some(hgvs));
        }
        Ok(ResolvedCatalogue { index, normalized })
    }
}

/// A catalogue checked against the references, ready for look-ups.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResolvedCatalogue {
    /// The entries of each normalised change, in file order.
    index: HashMap<(String, Change), Vec<usize>>,
    /// The HGVS form of each entry, `None` when its gene has no reference.
    normalized: Vec<Option<CallText>>,
}

impl ResolvedCatalogue {
    /// The index of the entry matching a (normalised) change in a gene.
    pub(crate) fn find(&self, gene: &str, change: &Change) -> Option<usize> {
        self.find_all(gene, change).first().copied()
    }

    /// Every entry matching a (normalised) change in a gene, in file order (a PointFinder
    /// catalogue may list one change in several rows, with different requirements).
    pub(crate) fn find_all(&self, gene: &str, change: &Change) -> &[usize] {
        self.index
            .get(&(gene.to_ascii_lowercase(), change.clone()))
            .map_or(&[], Vec::as_slice)
    }

    /// The HGVS form of entry `index`, when its gene has a reference.
    pub(crate) fn hgvs(&self, index: usize) -> Option<&str> {
        self.normalized.get(index).and_then(|h| h.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_rows_name_their_line() {
        for (text, line) in [
            ("gene\tmutation\nblaTEM\n", 2),
            ("blaTEM\tS2A\n\nblaTEM\tQQ\n", 3),
            ("blaTEM\tS2A\nblaTEM\tS2A\n", 2),
        ] {
            let err = Catalogue::parse("c.tsv", text).unwrap_err().to_string();
            assert!(err.starts_with(&format!("c.tsv: line {line}:")), "{err}");
        }
    }

    #[test]
    fn rows_are_checked_against_the_reference() {
        let catalogue = Catalogue::parse("c.tsv", "blaTEM\tS2A\nblaTEM\tK3del\n").unwrap();
        let err = catalogue
            .resolve(|_| Some(&b"MSIQ"[..]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "c.tsv: line 2: blaTEM K3del: the reference has I at position 3, not K"
        );
        let catalogue = Catalogue::parse("c.tsv", "blaTEM\tS9A\n").unwrap();
        assert!(catalogue.resolve(|_| Some(&b"MSIQ"[..])).is_err());
    }

    #[test]
    fn indels_match_in_any_placement() {
        let catalogue = Catalogue::parse("c.tsv", "g\tA3del\n").unwrap();
        let reference = &b"MKAAAW"[..];
        let resolved = catalogue.resolve(|_| Some(reference)).unwrap();
        let water_placed = Change::Deletion { start: 4, end: 4 }.normalized(reference);
        assert_eq!(resolved.find("G", &water_placed), Some(0));
        assert_eq!(resolved.hgvs(0), Some("p.Ala5del"));
    }
}
