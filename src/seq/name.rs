//! Sequence names as EMBOSS water 6.6.0 derives them from a FASTA header: see [`emboss_name`]
//! for the rules and [`NameCounter`] for the `EMBOSS_nnn` numbering.

use std::fmt;

/// Numbers the sequences whose name EMBOSS cannot derive (`EMBOSS_001`, `EMBOSS_002`, ...),
/// counted across a run as water counts them.
///
/// water keeps one counter for the whole run: it is shared by the `-asequence` and
/// `-bsequence` files (the a sequence is read first) and runs on across the b records in file
/// order. Only [`HeaderName::Numbered`] records take a number; named and unreadable records
/// do not. Use one `NameCounter` per run and feed it the records in water's reading order.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::seq::NameCounter;
///
/// let mut counter = NameCounter::new();
/// assert_eq!(counter.next_name(), "EMBOSS_001");
/// assert_eq!(counter.next_name(), "EMBOSS_002");
/// ```
#[derive(Debug, Default, Clone)]
pub struct NameCounter {
    issued: usize,
}

impl NameCounter {
    /// A counter that has issued no names yet.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::seq::NameCounter;
    ///
    /// assert_eq!(NameCounter::new().next_name(), "EMBOSS_001");
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The next generated name: `EMBOSS_` and the count, at least three digits wide.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::seq::NameCounter;
    ///
    /// let mut counter = NameCounter::new();
    /// for _ in 0..999 {
    ///     counter.next_name();
    /// }
    /// assert_eq!(counter.next_name(), "EMBOSS_1000");
    /// ```
    pub fn next_name(&mut self) -> String {
        self.issued += 1;
        format!("EMBOSS_{:03}", self.issued)
    }
}

/// What water makes of a FASTA header, as returned by [`emboss_name`].
///
/// # Examples
///
/// ```
/// use wildtype_aligner::seq::{HeaderName, Unreadable, emboss_name};
///
/// assert_eq!(emboss_name("sp|P69905|HBA_HUMAN"), HeaderName::Named("HBA_HUMAN".into()));
/// assert_eq!(emboss_name("x|y"), HeaderName::Numbered);
/// assert_eq!(emboss_name("|"), HeaderName::Unreadable(Unreadable::TooFewFields));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HeaderName {
    /// water shows this name. It can be empty (`:` as the identifier): water then prints an
    /// empty name, and does not number the sequence.
    Named(String),
    /// water names the sequence `EMBOSS_nnn` from the run-wide [`NameCounter`].
    Numbered,
    /// water's FASTA reader rejects the record. As a file's first record this makes water try
    /// its other input formats and, when none fits, stop with "Unable to read sequence"; later
    /// in a file, water silently stops reading that file at this record (it and every record
    /// after it are dropped, and water still exits with status 0).
    Unreadable(Unreadable),
}

impl HeaderName {
    /// The name water shows, taking a number from `counter` for [`HeaderName::Numbered`];
    /// `Err` for an unreadable record (the counter is left alone).
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::seq::{NameCounter, Unreadable, emboss_name};
    ///
    /// let mut counter = NameCounter::new();
    /// assert_eq!(emboss_name("gi|123").resolve(&mut counter).unwrap(), "123");
    /// assert_eq!(emboss_name("").resolve(&mut counter).unwrap(), "EMBOSS_001");
    /// assert_eq!(emboss_name("||").resolve(&mut counter), Err(Unreadable::TooFewFields));
    /// assert_eq!(emboss_name("tr|X").resolve(&mut counter).unwrap(), "EMBOSS_002");
    /// ```
    pub fn resolve(self, counter: &mut NameCounter) -> Result<String, Unreadable> {
        match self {
            HeaderName::Named(name) => Ok(name),
            HeaderName::Numbered => Ok(counter.next_name()),
            HeaderName::Unreadable(why) => Err(why),
        }
    }
}

/// Why water's FASTA reader rejects a header (see [`HeaderName::Unreadable`]).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::seq::{HeaderName, Unreadable, emboss_name};
///
/// assert_eq!(emboss_name("P1;CRAB"), HeaderName::Unreadable(Unreadable::PirTitle));
/// assert_eq!(emboss_name("||x"), HeaderName::Unreadable(Unreadable::TooFewFields));
/// assert!(Unreadable::TooFewFields.to_string().contains('|'));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unreadable {
    /// The header's third byte is `;`, so the line is taken for a PIR/NBRF title (`>P1;ID`).
    PirTitle,
    /// The first word has a `|` but, with no recognised database prefix, fewer than two
    /// non-empty `|`-separated fields (counting a trailing `|` as one): `|`, `||`, `|x`, `||x`.
    TooFewFields,
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unreadable::PirTitle => {
                "water's FASTA reader rejects a header whose third character is ';' (a PIR title)"
            }
            Unreadable::TooFewFields => {
                "water's FASTA reader rejects an identifier with '|' but fewer than two fields"
            }
        })
    }
}

impl std::error::Error for Unreadable {}

/// What water does with a FASTA header: the name it shows, a generated `EMBOSS_nnn` name, or a
/// rejected record. `header` is the header line without its leading `>` (and without the line
/// end).
///
/// water reads FASTA through its NCBI-aware reader (format `fasta`, alias `ncbi`). What it shows
/// as a sequence's name is decided in two steps, both reproduced here byte for byte:
///
/// 1. **Identifier.** The header's first word (bytes up to `>`, space, tab, CR or LF, after
///    skipping those) picks the parser:
///    - no `|` in it: the identifier is the header up to the first space, tab, CR or LF, after
///      skipping leading `>` and spaces only (so `a>b` gives `a>b`, and a header starting with a
///      tab gives an empty identifier);
///    - with `|`: the word is split on `|` with empty fields *dropped* (`pir||ABC` has the fields
///      `pir`, `ABC`). A first field starting with `gi` (`gi`, `gim`, `gix`...) consumes the
///      next field as the GI number; with nothing after it that number is the identifier,
///      otherwise the field after it becomes the prefix. Then, by prefix:
///      `gnl|BL_ORD_ID|` at the very start of the word: the identifier is parsed again from the
///      rest of the header (the description), empty if that parse fails;
///      `bbs`, `lcl`, `pir`, `prf`: the next field;
///      `gnl`, `pat`: the field after the next;
///      `pdb`: the next field with the field after it (the chain) appended;
///      `gb`, `emb`, `dbj`, `sp`, `ref`, `tpg`, `tpd`: the field after the next, else the next;
///      any other prefix (`tr`, `tpe`, `gpp`, ...): the whole word's fields are counted, plus one
///      when the word ends in `|`. Under two: the record is unreadable. Exactly two: the
///      identifier is empty (water's unsigned loop wraps and exhausts its tokens, which also
///      costs water about half a minute per record). Three or more: the last field, or, when the
///      word ends in `|`, the last field with any `.version` removed if it looks like a
///      versioned accession (`x|y|NP_000549.1|` gives `NP_000549`).
///
///    A header whose third byte is `;` (`>P1;...` is PIR) is unreadable whatever follows.
/// 2. **Name.** An empty identifier is numbered `EMBOSS_nnn`. Otherwise its last non-empty
///    `:`-separated part is taken (empty when the identifier is only colons: water then shows an
///    empty name) and `,`, `/` and `\` become `_`. An identifier holding a vertical tab or form
///    feed (the only whitespace that can reach it) is not split on `:`; instead `,`, `;`, `:`,
///    `/` and `\` become `_`.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::seq::{HeaderName, emboss_name};
///
/// let named = |s: &str| HeaderName::Named(s.to_owned());
/// assert_eq!(emboss_name("sp|P69905|HBA_HUMAN hemoglobin"), named("HBA_HUMAN"));
/// assert_eq!(emboss_name("gi|1|ref|NP_000549.1|"), named("NP_000549.1"));
/// assert_eq!(emboss_name("pdb|1ABC|A"), named("1ABCA"));
/// assert_eq!(emboss_name("db:id"), named("id"));
/// assert_eq!(emboss_name("a/b/c"), named("a_b_c"));
/// assert_eq!(emboss_name(":"), named(""));
/// assert_eq!(emboss_name("x|y"), HeaderName::Numbered);
/// assert_eq!(emboss_name(""), HeaderName::Numbered);
/// assert!(matches!(emboss_name("|"), HeaderName::Unreadable(_)));
/// ```
pub fn emboss_name(header: &str) -> HeaderName {
    match identifier(header) {
        Ok(id) => name_from_identifier(id),
        Err(why) => HeaderName::Unreadable(why),
    }
}

/// Bytes that end the header's first word.
const WORD_DELIMITERS: &[u8] = b"> \t\r\n";

/// C's `isspace` in the C locale.
fn is_c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Index of the first byte at or after `from` that is (`want == true`) or is not in `set`.
fn scan(bytes: &[u8], from: usize, set: &[u8], want: bool) -> usize {
    bytes[from..]
        .iter()
        .position(|b| set.contains(b) == want)
        .map_or(bytes.len(), |i| from + i)
}

/// The identifier water's NCBI-aware FASTA parser extracts (before name clean-up).
fn identifier(header: &str) -> Result<String, Unreadable> {
    let bytes = header.as_bytes();
    if bytes.get(2) == Some(&b';') {
        return Err(Unreadable::PirTitle);
    }
    let word_start = scan(bytes, 0, WORD_DELIMITERS, false);
    let word_end = scan(bytes, word_start, WORD_DELIMITERS, true);
    let word = &header[word_start..word_end];
    if !word.contains('|') {
        // Plain FASTA: skip leading '>' and ' ' only, then up to whitespace.
        let start = scan(bytes, 0, b"> ", false);
        let end = scan(bytes, start, b" \t\r\n", true);
        return Ok(header[start..end].to_owned());
    }

    let mut fields = word.split('|').filter(|field| !field.is_empty());
    let mut prefix = fields.next().unwrap_or("");
    if prefix.starts_with("gi") {
        let gi = fields.next().unwrap_or("");
        match fields.next() {
            None => return Ok(gi.to_owned()),
            Some(next) => prefix = next,
        }
    }
    if word.starts_with("gnl|BL_ORD_ID|") {
        let rest_start = scan(bytes, word_end, WORD_DELIMITERS, false);
        let rest_end = scan(bytes, rest_start, b"\r\n", true);
        return Ok(identifier(&header[rest_start..rest_end]).unwrap_or_default());
    }
    let id = match prefix {
        "bbs" | "lcl" | "pir" | "prf" => fields.next().unwrap_or("").to_owned(),
        "gnl" | "pat" => fields.nth(1).unwrap_or("").to_owned(),
        "pdb" => {
            let mut id = fields.next().unwrap_or("").to_owned();
            id.push_str(fields.next().unwrap_or(""));
            id
        }
        "gb" | "emb" | "dbj" | "tpd" | "tpg" | "sp" | "ref" => {
            let accession = fields.next().unwrap_or("");
            fields.next().unwrap_or(accession).to_owned()
        }
        _ => return last_fields_identifier(word),
    };
    Ok(id)
}

/// The fallback for unrecognised prefixes: "the last two barred fields are `[acc]|id`".
fn last_fields_identifier(word: &str) -> Result<String, Unreadable> {
    let fields: Vec<&str> = word.split('|').filter(|field| !field.is_empty()).collect();
    let trailing_bar = word.ends_with('|');
    match fields.len() + usize::from(trailing_bar) {
        0 | 1 => Err(Unreadable::TooFewFields),
        // water computes `count - 3` unsigned: the skip loop runs ~4e9 times and leaves
        // nothing to parse.
        2 => Ok(String::new()),
        _ => {
            let last = fields[fields.len() - 1];
            if trailing_bar {
                Ok(versioned_accession(last).unwrap_or(last).to_owned())
            } else {
                Ok(last.to_owned())
            }
        }
    }
}

/// The accession part of a versioned accession as EMBOSS recognises one (at least 8 bytes:
/// a letter, then a letter optionally followed by a third letter or `_`, or a digit followed
/// by three letters or digits and a digit; then digits with exactly one `.` and at least one
/// digit after it): `NP_000549.1` gives `NP_000549`.
fn versioned_accession(token: &str) -> Option<&str> {
    let bytes = token.as_bytes();
    if bytes.len() < 8 || !bytes[0].is_ascii_alphabetic() {
        return None;
    }
    let body_start = if bytes[1].is_ascii_alphabetic() {
        if bytes[2].is_ascii_alphabetic() || bytes[2] == b'_' {
            3
        } else {
            2
        }
    } else if bytes[1].is_ascii_digit() {
        if !bytes[2..5].iter().all(u8::is_ascii_alphanumeric) || !bytes[5].is_ascii_digit() {
            return None;
        }
        5
    } else {
        return None;
    };
    let body = &bytes[body_start..];
    if !body.iter().all(|b| b.is_ascii_digit() || *b == b'.') {
        return None;
    }
    let mut dots = body.iter().enumerate().filter(|(_, b)| **b == b'.');
    let (dot, _) = dots.next()?;
    if dots.next().is_some() || dot + 1 == body.len() {
        return None;
    }
    Some(&token[..body_start + dot])
}

/// The accession EMBOSS parses from an NCBI-style header, shown by water only in its fasta
/// output (`>HBA_HUMAN P69905 description`). `None` when the header carries none that EMBOSS
/// recognises as an accession.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::seq::emboss_accession;
///
/// assert_eq!(emboss_accession("sp|P69905|HBA_HUMAN x").as_deref(), Some("P69905"));
/// assert_eq!(emboss_accession("gi|1|ref|NP_000549.1|").as_deref(), Some("NP_000549"));
/// assert_eq!(emboss_accession("tr|A0A000|A0A000_TEST").as_deref(), Some("A0A000"));
/// assert_eq!(emboss_accession("gb|AAA1.1|LOC"), None);
/// assert_eq!(emboss_accession("plain name"), None);
/// ```
pub fn emboss_accession(header: &str) -> Option<String> {
    let bytes = header.as_bytes();
    let word_start = scan(bytes, 0, WORD_DELIMITERS, false);
    let word_end = scan(bytes, word_start, WORD_DELIMITERS, true);
    let word = &header[word_start..word_end];
    if !word.contains('|') || bytes.get(2) == Some(&b';') {
        return None;
    }
    let fields: Vec<&str> = word.split('|').filter(|field| !field.is_empty()).collect();
    let mut rest = &fields[..];
    if rest.first().is_some_and(|prefix| prefix.starts_with("gi")) {
        rest = rest.get(2..).unwrap_or(&[]);
    }
    let candidate = match rest.first().copied() {
        Some("gb" | "emb" | "dbj" | "tpd" | "tpg" | "sp" | "ref") => rest.get(1).copied(),
        Some("bbs" | "lcl" | "pir" | "prf" | "gnl" | "pat" | "pdb") | None => None,
        Some(_) if word.ends_with('|') => rest.last().copied(),
        Some(_) if rest.len() >= 3 => rest.get(rest.len() - 2).copied(),
        Some(_) => None,
    }?;
    let accession = versioned_accession(candidate).unwrap_or(candidate);
    is_accession(accession).then(|| accession.to_owned())
}

/// Accession shapes EMBOSS accepts: UniProt (`P69905`, `A0A000`, 10-character forms) and
/// INSDC/RefSeq (one to three letters, an optional `_`, at least five digits).
fn is_accession(token: &str) -> bool {
    let bytes = token.as_bytes();
    let uniprot = |b: &[u8]| {
        b.len() == 6
            && b[0].is_ascii_uppercase()
            && b[1].is_ascii_digit()
            && b[2..5]
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && b[5].is_ascii_digit()
    };
    if uniprot(bytes)
        || (bytes.len() == 10
            && uniprot(&bytes[..6])
            && bytes[6].is_ascii_uppercase()
            && bytes[7..9]
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && bytes[9].is_ascii_digit())
    {
        return true;
    }
    let letters = bytes.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let underscore = usize::from(bytes.get(letters) == Some(&b'_'));
    let digits = &bytes[letters + underscore..];
    (1..=3).contains(&letters) && digits.len() >= 5 && digits.iter().all(u8::is_ascii_digit)
}

/// water's clean-up of an identifier into the name it shows.
fn name_from_identifier(id: String) -> HeaderName {
    if id.is_empty() {
        return HeaderName::Numbered;
    }
    let name = if id.bytes().any(is_c_space) {
        // Only vertical tab and form feed can get here; water's white-space tidying leaves
        // them alone and it does not split on ':'.
        id.replace([' ', ',', ';', ':', '/', '\\'], "_")
    } else {
        id.rsplit(':')
            .find(|part| !part.is_empty())
            .unwrap_or("")
            .replace([',', '/', '\\'], "_")
    };
    HeaderName::Named(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> HeaderName {
        HeaderName::Named(name.to_owned())
    }

    /// Observations from the real water 6.6.0.
    #[test]
    fn observed_table() {
        let table: &[(&str, HeaderName)] = &[
            ("sp|P69905|HBA_HUMAN desc", named("HBA_HUMAN")),
            ("tr|Q1|Q1_X", named("Q1_X")),
            ("gi|1|ref|NP_000549.1|", named("NP_000549.1")),
            ("gi|123", named("123")),
            ("lcl|x", named("x")),
            ("db:id", named("id")),
            ("a/b/c", named("a_b_c")),
            ("x|y", HeaderName::Numbered),
            ("", HeaderName::Numbered),
            ("ref|NP_1.1|", named("NP_1.1")),
            ("gb|AAA1.1|LOC", named("LOC")),
            ("emb|CAA1|", named("CAA1")),
            ("pdb|1ABC|A", named("1ABCA")),
            ("ACC123|gyrA|100-2000|+|contig_1|abcdef", named("abcdef")),
            ("a|b|c", named("c")),
            ("a|b|c|d", named("d")),
            ("sp|P1", named("P1")),
            ("foo:bar:baz", named("baz")),
            ("gnl|db|id", named("id")),
            ("bbs|123", named("123")),
            ("pir||ABC", named("ABC")),
            ("prf||123", named("123")),
            ("a|b|", named("b")),
            ("a||", HeaderName::Numbered),
            ("||", HeaderName::Unreadable(Unreadable::TooFewFields)),
            ("|", HeaderName::Unreadable(Unreadable::TooFewFields)),
            ("pdb|1ABC", named("1ABC")),
            ("gi|1|gb|X|Y", named("Y")),
            ("db:a|b|c", named("c")),
            ("x|y:z|w", named("w")),
            ("x:", named("x")),
            (":x", named("x")),
            ("tr|X", HeaderName::Numbered),
            ("gnl|X", HeaderName::Numbered),
            ("pat|X", HeaderName::Numbered),
            ("tpe|X", HeaderName::Numbered),
            ("gpp|X", HeaderName::Numbered),
            ("nat|X", HeaderName::Numbered),
            ("bbm|X", HeaderName::Numbered),
            ("pgp|X", HeaderName::Numbered),
            ("emb|X", named("X")),
            ("gb|X", named("X")),
            ("ref|X", named("X")),
            ("dbj|X", named("X")),
            ("pir|X", named("X")),
            ("prf|X", named("X")),
            ("tpg|X", named("X")),
            ("tpd|X", named("X")),
            ("gim|X", named("X")),
            ("lcl|X|Y", named("X")),
            ("a/b:c/d", named("c_d")),
            ("A:B|C", HeaderName::Numbered),
            ("sp||", HeaderName::Numbered),
            ("gi||ref|A|", named("A")),
            ("gi|5|pdb|1A|B", named("1AB")),
        ];
        for (header, expected) in table {
            assert_eq!(&emboss_name(header), expected, "header {header:?}");
        }
    }

    /// Further cases checked against water 6.6.0 while writing this module.
    #[test]
    fn further_cases() {
        assert_eq!(emboss_name(":"), named(""));
        assert_eq!(emboss_name("::"), named(""));
        assert_eq!(emboss_name("sp|P1|a:"), named("a"));
        assert_eq!(
            emboss_name("ab;x"),
            HeaderName::Unreadable(Unreadable::PirTitle)
        );
        assert_eq!(
            emboss_name("P1;X|y|z"),
            HeaderName::Unreadable(Unreadable::PirTitle)
        );
        assert_eq!(emboss_name("x|"), HeaderName::Numbered);
        assert_eq!(
            emboss_name("|x"),
            HeaderName::Unreadable(Unreadable::TooFewFields)
        );
        assert_eq!(emboss_name("\tabc"), HeaderName::Numbered);
        assert_eq!(emboss_name(" abc def"), named("abc"));
        assert_eq!(emboss_name("a>b|c"), named("a>b|c"));
        assert_eq!(emboss_name("sp|P1|N>z"), named("N"));
        assert_eq!(emboss_name("x|y|NP_000549.1|"), named("NP_000549"));
        assert_eq!(emboss_name("x|y|NP_000549.1"), named("NP_000549.1"));
        assert_eq!(emboss_name("gnl|BL_ORD_ID|7 sp|P1|NAME d"), named("NAME"));
        assert_eq!(emboss_name("gnl|BL_ORD_ID|7 foo bar"), named("foo"));
        assert_eq!(emboss_name("gnl|BL_ORD_ID|7"), HeaderName::Numbered);
        assert_eq!(emboss_name("gnl|BL_ORD_ID|7 |"), HeaderName::Numbered);
        assert_eq!(emboss_name("gix|1|a|b"), named("b"));
        assert_eq!(emboss_name("gi|"), HeaderName::Numbered);
        assert_eq!(emboss_name("a,b\\c"), named("a_b_c"));
        assert_eq!(emboss_name("a\u{b}b:c;d"), named("a\u{b}b_c_d"));
    }

    #[test]
    fn versioned_accessions() {
        assert_eq!(versioned_accession("NP_000549.1"), Some("NP_000549"));
        assert_eq!(versioned_accession("ABC12345.2"), Some("ABC12345"));
        assert_eq!(versioned_accession("P69905.3"), Some("P69905"));
        assert_eq!(versioned_accession("AB.12345"), Some("AB"));
        assert_eq!(versioned_accession("NP_0005"), None);
        assert_eq!(versioned_accession("NP_00054."), None);
        assert_eq!(versioned_accession("NP_0.0.54"), None);
        assert_eq!(versioned_accession("1P_000549.1"), None);
    }

    /// Accessions water 6.6.0 printed in its fasta output for these headers.
    #[test]
    fn accessions_observed_in_water_fasta_output() {
        let observed: &[(&str, Option<&str>)] = &[
            ("ACC123|gyrA|100-2000|+|contig_1|abcdef desc", None),
            ("a|b|c", None),
            ("x|y|z|", None),
            ("x|y|NP_000549.1|", Some("NP_000549")),
            ("lcl|x", None),
            ("pdb|1ABC|A", None),
            ("gnl|db|id", None),
            ("bbs|123", None),
            ("pir||ABC", None),
            ("gi|5|pdb|1A|B", None),
            ("gb|AAA1.1|LOC", None),
            ("emb|CAA1|", None),
            ("ref|NP_1.1|", None),
            ("sp|P1", None),
            ("gi|123", None),
            ("gi|1|gb|X|Y", None),
            ("tr|A0A000|A0A000_TEST", Some("A0A000")),
            ("a|b|c|d", None),
            ("a|b|c.1|", None),
            ("sp|P69905|HBA_HUMAN Hemoglobin", Some("P69905")),
            ("gi|1|ref|NP_000549.1| something", Some("NP_000549")),
        ];
        for (header, accession) in observed {
            assert_eq!(emboss_accession(header).as_deref(), *accession, "{header}");
        }
    }
}
