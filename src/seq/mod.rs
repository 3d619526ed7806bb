//! Sequences as water reads them: characters stripped, case kept, type detected, names parsed.

mod name;

pub use name::{HeaderName, NameCounter, Unreadable, emboss_accession, emboss_name};

/// The sequence layer's error: a FASTA header that water's reader rejects.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::seq::{NameCounter, Sequence, Unreadable};
///
/// let err = Sequence::from_fasta("|x", b"MKV", &mut NameCounter::new()).unwrap_err();
/// assert_eq!(err.reason, Unreadable::TooFewFields);
/// assert!(err.to_string().starts_with("FASTA header '>|x': "));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("FASTA header '>{header}': {reason}")]
pub struct UnreadableHeader {
    /// The header, without `>`.
    pub header: String,
    /// Why water rejects it.
    pub reason: Unreadable,
}

/// Whether a sequence is read as protein or nucleotide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeqType {
    /// Amino acids; scored with EBLOSUM62 by default.
    Protein,
    /// Nucleotides; scored with EDNAFULL by default, `X` shown as `N`.
    Nucleotide,
}

/// The nucleotide alphabet of water's type detection (either case).
const NUCLEOTIDE_CODES: &[u8] = b"ACGTUBDHKMNRSVWXY";

/// Keeps the bytes water keeps: letters and `*`; everything else (digits, whitespace, `-`, `.`,
/// `~`, `?`, punctuation) is deleted. Case is kept for display.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::seq::strip_residues;
///
/// assert_eq!(strip_residues(b"Q-ISF12VK.SH F*~"), b"QISFVKSHF*");
/// ```
pub fn strip_residues(raw: &[u8]) -> Vec<u8> {
    let mut residues = Vec::with_capacity(raw.len());
    strip_residues_into(raw, &mut residues);
    residues
}

/// [`strip_residues`] appending to `out`, for callers that keep many sequences in one buffer.
pub(crate) fn strip_residues_into(raw: &[u8], out: &mut Vec<u8>) {
    let keep = |byte: &u8| byte.is_ascii_alphabetic() || *byte == b'*';
    // Most sequences are residues only: copy them whole (a check without early exit
    // vectorizes).
    if raw.iter().fold(true, |clean, byte| clean & keep(byte)) {
        out.extend_from_slice(raw);
        return;
    }
    let clean = raw.iter().position(|byte| !keep(byte)).unwrap_or(raw.len());
    out.extend_from_slice(&raw[..clean]);
    out.extend(raw[clean..].iter().copied().filter(keep));
}

/// Detects the type as water does: nucleotide when every residue is in `ACGTUBDHKMNRSVWXY`
/// (either case), protein otherwise. `WWWW` and `XXXX` are nucleotide.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::seq::{SeqType, detect_type};
///
/// assert_eq!(detect_type(b"ACGTN"), SeqType::Nucleotide);
/// assert_eq!(detect_type(b"xxxx"), SeqType::Nucleotide);
/// assert_eq!(detect_type(b"MKV*"), SeqType::Protein);
/// ```
pub fn detect_type(residues: &[u8]) -> SeqType {
    if residues
        .iter()
        .all(|byte| NUCLEOTIDE_CODES.contains(&byte.to_ascii_uppercase()))
    {
        SeqType::Nucleotide
    } else {
        SeqType::Protein
    }
}

/// The fraction of residues that are `A`, `C`, `G`, `T`, `U` or `N` (either case); 0 for no
/// residues. Proteins have about a quarter; a coding sequence read as protein has all.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::seq::nucleotide_fraction;
///
/// assert_eq!(nucleotide_fraction(b"ATGgcnTAA"), 1.0);
/// assert_eq!(nucleotide_fraction(b"MKVA"), 0.25);
/// assert_eq!(nucleotide_fraction(b""), 0.0);
/// ```
pub fn nucleotide_fraction(residues: &[u8]) -> f64 {
    if residues.is_empty() {
        return 0.0;
    }
    // Clearing bit 5 upper-cases exactly the letters' lower-case forms among bytes that can
    // match. Counted in byte lanes, a block of at most 255 bytes at a time (no lane can
    // overflow), so the count vectorises at full width.
    let bases: usize = residues
        .chunks(255)
        .map(|block| {
            let count: u8 = block
                .iter()
                .map(|&byte| {
                    u8::from(matches!(
                        byte & !0x20,
                        b'A' | b'C' | b'G' | b'T' | b'U' | b'N'
                    ))
                })
                .fold(0u8, u8::wrapping_add);
            usize::from(count)
        })
        .sum();
    bases as f64 / residues.len() as f64
}

/// Rewrites residues for nucleotide mode: `X` becomes `N` and `x` becomes `n`.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::seq::to_nucleotide_display;
///
/// let mut residues = b"AXxG".to_vec();
/// to_nucleotide_display(&mut residues);
/// assert_eq!(residues, b"ANnG");
/// ```
pub fn to_nucleotide_display(residues: &mut [u8]) {
    for residue in residues {
        match *residue {
            b'X' => *residue = b'N',
            b'x' => *residue = b'n',
            _ => {}
        }
    }
}

/// A named sequence as water shows it.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::seq::{NameCounter, Sequence};
///
/// let mut counter = NameCounter::new();
/// let seq = Sequence::from_fasta("sp|P69905|HBA_HUMAN hemoglobin alpha", b"MVL-SP\nAD", &mut counter)
///     .unwrap();
/// assert_eq!(seq.name(), "HBA_HUMAN");
/// assert_eq!(seq.description(), "hemoglobin alpha");
/// assert_eq!(seq.residues(), b"MVLSPAD");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequence {
    name: String,
    description: String,
    accession: Option<String>,
    residues: Vec<u8>,
}

impl Sequence {
    /// A sequence with the given name and residues (kept as given).
    pub fn new(name: impl Into<String>, residues: impl Into<Vec<u8>>) -> Self {
        Self {
            name: name.into(),
            description: String::new(),
            accession: None,
            residues: residues.into(),
        }
    }

    /// A sequence from a FASTA header (without `>`) and raw sequence bytes, named and stripped
    /// as water names and strips them. `counter` numbers headers water cannot name
    /// (`EMBOSS_nnn`); use one counter for the whole run, the a file's records before the b
    /// file's, as water reads them.
    ///
    /// # Errors
    ///
    /// [`UnreadableHeader`] when water's FASTA reader rejects the header
    /// ([`HeaderName::Unreadable`]): water stops reading the file at such a record, so a
    /// caller mimicking water drops it and every record after it in the same file.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::seq::{NameCounter, Sequence};
    ///
    /// let mut counter = NameCounter::new();
    /// let seq = Sequence::from_fasta("tr|X some protein", b"MKV", &mut counter).unwrap();
    /// assert_eq!(seq.name(), "EMBOSS_001");
    /// assert!(Sequence::from_fasta("|", b"MKV", &mut counter).is_err());
    /// ```
    pub fn from_fasta(
        header: &str,
        raw: &[u8],
        counter: &mut NameCounter,
    ) -> Result<Self, UnreadableHeader> {
        let name = emboss_name(header)
            .resolve(counter)
            .map_err(|reason| UnreadableHeader {
                header: header.to_owned(),
                reason,
            })?;
        let description = header
            .trim_start()
            .split_once(|c: char| c.is_ascii_whitespace())
            .map(|(_, rest)| rest.trim().to_owned())
            .unwrap_or_default();
        Ok(Self {
            name,
            description,
            accession: emboss_accession(header),
            residues: strip_residues(raw),
        })
    }

    /// The name water shows.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The header text after the first word.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The accession EMBOSS parsed from the header, if any (see [`emboss_accession`]).
    pub fn accession(&self) -> Option<&str> {
        self.accession.as_deref()
    }

    /// What water's fasta output prints after the name: the accession, then the description.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::seq::{NameCounter, Sequence};
    ///
    /// let mut counter = NameCounter::new();
    /// let seq = Sequence::from_fasta("sp|P69905|HBA_HUMAN alpha", b"MV", &mut counter).unwrap();
    /// assert_eq!(seq.fasta_description(), "P69905 alpha");
    /// ```
    pub fn fasta_description(&self) -> String {
        match (&self.accession, self.description.is_empty()) {
            (Some(accession), true) => accession.clone(),
            (Some(accession), false) => format!("{accession} {}", self.description),
            (None, _) => self.description.clone(),
        }
    }

    /// The residues, case as given.
    pub fn residues(&self) -> &[u8] {
        &self.residues
    }

    /// The residues, for in-place rewriting (nucleotide display).
    pub fn residues_mut(&mut self) -> &mut Vec<u8> {
        &mut self.residues
    }

    /// The number of residues.
    pub fn len(&self) -> usize {
        self.residues.len()
    }

    /// Whether there are no residues.
    pub fn is_empty(&self) -> bool {
        self.residues.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::nucleotide_fraction;

    /// Every byte counts as a base exactly when its upper-case form is one of `ACGTUN`.
    #[test]
    fn nucleotide_fraction_counts_the_bases_of_any_byte() {
        for byte in 0..=u8::MAX {
            let base = b"ACGTUN".contains(&byte.to_ascii_uppercase());
            let expected = if base { 1.0 } else { 0.0 };
            assert_eq!(nucleotide_fraction(&[byte]), expected, "byte {byte:#04x}");
        }
        assert_eq!(nucleotide_fraction(b"acgtMKVL"), 0.5);
    }

    /// Counts stay exact over any length, across the blocks the count is taken in.
    #[test]
    fn nucleotide_fraction_is_exact_across_blocks() {
        for length in [1, 254, 255, 256, 509, 510, 511, 1000, 70_000] {
            let all = vec![b'A'; length];
            assert_eq!(nucleotide_fraction(&all), 1.0, "length {length}");
            let mixed: Vec<u8> = (0..length)
                .map(|i| if i % 3 == 0 { b'M' } else { b'g' })
                .collect();
            let bases = mixed.iter().filter(|&&b| b == b'g').count();
            assert_eq!(
                nucleotide_fraction(&mixed),
                bases as f64 / length as f64,
                "length {length}"
            );
        }
    }
}
