//! Sequence names as EMBOSS derives them from a FASTA header's first word.

/// Numbers the sequences whose name EMBOSS cannot derive (`EMBOSS_001`, `EMBOSS_002`, ...),
/// counted across a run as water counts them.
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
    pub fn new() -> Self {
        Self::default()
    }

    /// The next generated name.
    pub fn next_name(&mut self) -> String {
        self.issued += 1;
        format!("EMBOSS_{:03}", self.issued)
    }
}

/// The name water shows for a FASTA header, or `None` when water would number it
/// (`EMBOSS_001`...). `header` is the header line without its leading `>`.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::seq::emboss_name;
///
/// assert_eq!(emboss_name("sp|P69905|HBA_HUMAN hemoglobin").as_deref(), Some("HBA_HUMAN"));
/// assert_eq!(emboss_name("db:id").as_deref(), Some("id"));
/// assert_eq!(emboss_name("x|y"), None);
/// ```
pub fn emboss_name(header: &str) -> Option<String> {
    let word = header.split_ascii_whitespace().next().unwrap_or("");
    if word.is_empty() {
        return None;
    }
    let fields: Vec<&str> = word.split('|').collect();
    let picked = match fields.len() {
        1 => word.rsplit(':').next().unwrap_or(word),
        _ => fields.iter().rev().copied().find(|f| !f.is_empty())?,
    };
    if picked.is_empty() || (fields.len() == 2 && !known_two_field_prefix(fields[0])) {
        return None;
    }
    Some(picked.replace('/', "_"))
}

fn known_two_field_prefix(prefix: &str) -> bool {
    matches!(
        prefix,
        "gi" | "lcl"
            | "bbs"
            | "sp"
            | "emb"
            | "gb"
            | "ref"
            | "dbj"
            | "pir"
            | "prf"
            | "pdb"
            | "tpg"
            | "tpd"
            | "gim"
    )
}
