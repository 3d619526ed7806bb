//! Target headers: `accession|gene|start-end|strand|contig|checksum`, and the ways to find the
//! gene of other headers (a rule, or an accession-to-gene table).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;

use crate::{Error, PipelineOption, Result};

use super::input::hex;

/// A parsed `accession|gene|start-end|strand|contig|checksum` header (its first word).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::TargetHeader;
///
/// let header = TargetHeader::parse("GCF_1_00042|blaTEM|1201-2061|+|contig_7|9f86d081").unwrap();
/// assert_eq!((header.accession.as_str(), header.gene.as_str()), ("GCF_1_00042", "blaTEM"));
/// assert_eq!((header.start, header.end), (1201, 2061));
/// assert!(TargetHeader::parse("GCF_1|blaTEM|2061-1201|+|c|x").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetHeader {
    /// The protein's accession.
    pub accession: String,
    /// The gene name.
    pub gene: String,
    /// 1-based start of the gene on the contig.
    pub start: u64,
    /// 1-based inclusive end on the contig.
    pub end: u64,
    /// `+` or `-`.
    pub strand: String,
    /// The contig name.
    pub contig: String,
    /// The checksum field as given: the first hex digits (any number, 12 in the files this
    /// crate writes) of the SHA-256 of the protein's residues, upper case, as the pipeline
    /// keeps them (letters and `*`; line breaks, spaces, digits, `-` and `.` removed), e.g.
    /// `c9c4ef97b0e6`. The pipeline checks it ([`TargetHeader::checksum_matches`]) and warns,
    /// naming the record, when it does not match; the target is aligned all the same.
    pub checksum: String,
}

/// The SHA-256 of `residues` upper-cased, lower-case hex: what a header's checksum field is a
/// prefix of.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::sequence_checksum;
///
/// assert!(sequence_checksum(b"mk").starts_with("b2690faa"));
/// assert_eq!(sequence_checksum(b"mk"), sequence_checksum(b"MK"));
/// ```
pub fn sequence_checksum(residues: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    // Upper-cased a piece at a time: no copy of a long sequence.
    let mut piece = [0u8; 256];
    for chunk in residues.chunks(piece.len()) {
        let upper = &mut piece[..chunk.len()];
        upper.copy_from_slice(chunk);
        upper.make_ascii_uppercase();
        hasher.update(&*upper);
    }
    hex(&hasher.finalize())
}

impl TargetHeader {
    /// Whether the checksum field is a prefix of [`sequence_checksum`] of `residues` (compared
    /// case-insensitively).
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::wildtype::{TargetHeader, sequence_checksum};
    ///
    /// let field = &sequence_checksum(b"MKV")[..12];
    /// let header = TargetHeader::parse(&format!("P1|blaTEM|1-12|+|c1|{field}")).unwrap();
    /// assert!(header.checksum_matches(b"MKV"));
    /// assert!(!header.checksum_matches(b"MKL"));
    /// ```
    pub fn checksum_matches(&self, residues: &[u8]) -> bool {
        let field = self.checksum.as_bytes();
        let checksum = sequence_checksum(residues);
        checksum
            .as_bytes()
            .get(..field.len())
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(field))
    }

    /// Parses the first word of a header line (without `>`); the error says what is wrong.
    pub fn parse(header: &str) -> std::result::Result<Self, String> {
        let word = header.split_ascii_whitespace().next().unwrap_or("");
        // Split without collecting: one header per target.
        let mut fields = [""; 6];
        let mut found = 0;
        for field in word.split('|') {
            if let Some(slot) = fields.get_mut(found) {
                *slot = field;
            }
            found += 1;
        }
        if found != fields.len() {
            return Err(format!(
                "expected 6 '|'-separated fields accession|gene|start-end|strand|contig|checksum, found {found}"
            ));
        }
        let [accession, gene, location, strand, contig, checksum] = fields;
        let named = [
            ("accession", accession),
            ("gene", gene),
            ("contig", contig),
            ("checksum", checksum),
        ];
        if let Some((name, _)) = named.iter().find(|(_, value)| value.is_empty()) {
            return Err(format!("empty {name} field"));
        }
        let (start, end) = location
            .split_once('-')
            .and_then(|(s, e)| Some((s.parse::<u64>().ok()?, e.parse::<u64>().ok()?)))
            .filter(|&(s, e)| s >= 1 && s <= e)
            .ok_or_else(|| {
                format!("location '{location}' is not start-end with 1 <= start <= end")
            })?;
        let strand = match strand {
            "+" | "1" | "+1" => "+",
            "-" | "-1" => "-",
            other => return Err(format!("strand '{other}' is not + or -")),
        };
        Ok(Self {
            accession: accession.to_owned(),
            gene: gene.to_owned(),
            start,
            end,
            strand: strand.to_owned(),
            contig: contig.to_owned(),
            checksum: checksum.to_owned(),
        })
    }
}

/// How to take the gene from a header that is not in the standard format.
///
/// - `field:N`: the N-th (1-based) `|`-separated field of the first word;
/// - `word:N`: the N-th whitespace-separated word of the header;
/// - `key:NAME`: the value after `NAME=` anywhere in the header (`[gene=blaTEM]`,
///   `gene=blaTEM;`), up to a space, `]` or `;`.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::GeneRule;
///
/// let rule: GeneRule = "key:gene".parse().unwrap();
/// assert_eq!(rule.apply("WP_1 [gene=blaCTX-M] [protein=beta-lactamase]").as_deref(), Some("blaCTX-M"));
/// assert_eq!("field:2".parse::<GeneRule>().unwrap().apply("x|blaSHV|y").as_deref(), Some("blaSHV"));
/// assert!("column:2".parse::<GeneRule>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", content = "value", rename_all = "snake_case")]
pub enum GeneRule {
    /// The N-th `|` field of the first word.
    Field(usize),
    /// The N-th word.
    Word(usize),
    /// The value of `NAME=`.
    Key(String),
}

impl GeneRule {
    /// The gene of `header`, when the rule finds a non-empty one.
    pub fn apply(&self, header: &str) -> Option<String> {
        let found = match self {
            // N is 1-based; parsing refuses 0, but the variants are public, so 0 finds nothing.
            GeneRule::Field(n) => header
                .split_ascii_whitespace()
                .next()
                .zip(n.checked_sub(1))
                .and_then(|(word, index)| word.split('|').nth(index)),
            GeneRule::Word(n) => n
                .checked_sub(1)
                .and_then(|index| header.split_ascii_whitespace().nth(index)),
            GeneRule::Key(name) => {
                let needle = format!("{name}=");
                header.match_indices(&needle).find_map(|(at, _)| {
                    let before = header[..at].chars().next_back();
                    let boundary = before.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_');
                    boundary.then(|| {
                        let value = &header[at + needle.len()..];
                        let stop = value
                            .find(|c: char| c.is_ascii_whitespace() || c == ']' || c == ';')
                            .unwrap_or(value.len());
                        &value[..stop]
                    })
                })
            }
        };
        found.filter(|gene| !gene.is_empty()).map(str::to_owned)
    }
}

impl FromStr for GeneRule {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let bad = || Error::BadOption {
            option: PipelineOption::GeneRule,
            given: text.to_owned(),
        };
        let (kind, value) = text.split_once(':').ok_or_else(bad)?;
        let number = || {
            value
                .parse::<usize>()
                .ok()
                .filter(|&n| n >= 1)
                .ok_or_else(bad)
        };
        match kind {
            "field" => Ok(GeneRule::Field(number()?)),
            "word" => Ok(GeneRule::Word(number()?)),
            "key" if !value.is_empty() => Ok(GeneRule::Key(value.to_owned())),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for GeneRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GeneRule::Field(n) => write!(f, "field:{n}"),
            GeneRule::Word(n) => write!(f, "word:{n}"),
            GeneRule::Key(name) => write!(f, "key:{name}"),
        }
    }
}

/// An accession-to-gene table read from a TSV file (`accession<TAB>gene`; `#` comments and
/// blank lines skipped; an optional `accession<TAB>gene` header line).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::GeneMap;
///
/// let map = GeneMap::parse("map.tsv", "accession\tgene\nWP_1\tblaTEM\n").unwrap();
/// assert_eq!(map.gene("WP_1"), Some("blaTEM"));
/// let err = GeneMap::parse("map.tsv", "WP_1 blaTEM\n").unwrap_err();
/// assert_eq!(err.to_string(), "map.tsv: line 1: expected accession<TAB>gene");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeneMap {
    path: PathBuf,
    genes: HashMap<String, String>,
}

impl GeneMap {
    /// Reads a table file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::io(path, source))?;
        Self::parse(path, super::input::utf8_text(path, &bytes)?)
    }

    /// Parses table text; `path` names the source in errors.
    pub fn parse(path: impl AsRef<Path>, text: &str) -> Result<Self> {
        let path = path.as_ref().to_owned();
        let mut genes = HashMap::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |message: &str| Error::Format {
                path: path.clone(),
                line: index + 1,
                message: message.to_owned(),
            };
            let Some((accession, gene)) = line.split_once('\t') else {
                return Err(bad("expected accession<TAB>gene"));
            };
            let (accession, gene) = (
                accession.trim(),
                gene.split('\t').next().unwrap_or("").trim(),
            );
            if accession.eq_ignore_ascii_case("accession") && gene.eq_ignore_ascii_case("gene") {
                continue;
            }
            if accession.is_empty() || gene.is_empty() {
                return Err(bad("empty accession or gene"));
            }
            if genes
                .insert(accession.to_owned(), gene.to_owned())
                .is_some()
            {
                return Err(bad(&format!("accession {accession} appears twice")));
            }
        }
        Ok(Self { path, genes })
    }

    /// The file the table came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The gene mapped to `accession`.
    pub fn gene(&self, accession: &str) -> Option<&str> {
        self.genes.get(accession).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `headers` fuzz target: `n - 1` overflowed for a rule built with 0.
    #[test]
    fn zero_field_or_word_finds_nothing() {
        assert_eq!(GeneRule::Field(0).apply("x|blaTEM|y"), None);
        assert_eq!(GeneRule::Word(0).apply("WP_1 blaTEM"), None);
        assert_eq!(GeneRule::Field(1).apply("x|blaTEM|y").as_deref(), Some("x"));
        assert_eq!(
            GeneRule::Word(2).apply("WP_1 blaTEM").as_deref(),
            Some("blaTEM")
        );
    }
}
