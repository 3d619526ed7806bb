//! Warnings of a run: what the pipeline accepted, or changed, that its user must know about.
//! Each goes to the run's [`crate::wildtype::Progress::warning`] (standard error by default)
//! and into `manifest.json`, so none is lost.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// What a [`Warning`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WarningKind {
    /// A gap penalty outside water's range was clamped into it, as water does.
    GapPenaltyClamped,
    /// More worker threads were asked for than the machine has cores.
    ThreadsCapped,
    /// A file in a target directory was not read (not a protein FASTA name, a directory...).
    SkippedFile,
    /// The same target file was given twice; it is read once.
    RepeatedFile,
    /// Two targets share an accession.
    DuplicateAccession,
    /// A standard header's checksum field does not match its sequence.
    ChecksumMismatch,
    /// A catalogue gene has no reference, so its rows can never match a call.
    CatalogueGeneWithoutReference,
    /// A PointFinder catalogue row disagrees with its gene's reference (a residue it does not
    /// have, the wrong type) or names a gene without a reference: the row never matches.
    CatalogueRowMismatch,
    /// A header holds bytes that are not UTF-8 (shown as U+FFFD).
    HeaderNotUtf8,
    /// A header holds control bytes (NUL, escape...), shown as spaces in the tables.
    HeaderControlBytes,
    /// The output directory's lock was left by a run of this host that is gone; taken over.
    StaleLockTakenOver,
    /// Temporary files (or the report directory) of a run that died were removed.
    LeftoversRemoved,
}

impl WarningKind {
    /// The kind's name in `manifest.json` (`checksum_mismatch`, ...).
    pub fn name(self) -> &'static str {
        match self {
            WarningKind::GapPenaltyClamped => "gap_penalty_clamped",
            WarningKind::ThreadsCapped => "threads_capped",
            WarningKind::SkippedFile => "skipped_file",
            WarningKind::RepeatedFile => "repeated_file",
            WarningKind::DuplicateAccession => "duplicate_accession",
            WarningKind::ChecksumMismatch => "checksum_mismatch",
            WarningKind::CatalogueGeneWithoutReference => "catalogue_gene_without_reference",
            WarningKind::CatalogueRowMismatch => "catalogue_row_mismatch",
            WarningKind::HeaderNotUtf8 => "header_not_utf8",
            WarningKind::HeaderControlBytes => "header_control_bytes",
            WarningKind::StaleLockTakenOver => "stale_lock_taken_over",
            WarningKind::LeftoversRemoved => "leftovers_removed",
        }
    }
}

impl fmt::Display for WarningKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Something a run accepted but its user must know about; displays as its message, which
/// names the file, line and record where one applies.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::{Warning, WarningKind};
///
/// let warning = Warning::new(WarningKind::ThreadsCapped, "asked for 64 threads; using 2");
/// assert_eq!(warning.to_string(), "asked for 64 threads; using 2");
/// assert_eq!(warning.kind.name(), "threads_capped");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// What it is about.
    pub kind: WarningKind,
    /// What happened, and where.
    pub message: String,
}

impl Warning {
    /// A warning of `kind`.
    pub fn new(kind: WarningKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Warnings listed one by one per kind; the rest are counted only (a file of 200,000 targets
/// with wrong checksums must not make a manifest of 200,000 lines).
pub(crate) const LISTED_PER_KIND: usize = 100;

/// The warnings of a run: the first [`LISTED_PER_KIND`] of each kind, and how many of each.
#[derive(Debug, Clone, Default)]
pub(crate) struct Warnings {
    listed: Vec<Warning>,
    counts: BTreeMap<WarningKind, usize>,
}

impl Warnings {
    /// Adds a warning; `message` is only built while the kind is still listed.
    pub(crate) fn add(&mut self, kind: WarningKind, message: impl FnOnce() -> String) {
        let count = self.counts.entry(kind).or_insert(0);
        *count += 1;
        if *count <= LISTED_PER_KIND {
            self.listed.push(Warning::new(kind, message()));
        }
    }

    /// The listed warnings, in the order they were found.
    pub(crate) fn listed(&self) -> &[Warning] {
        &self.listed
    }

    /// How many warnings of each kind, listed or not.
    pub(crate) fn counts(&self) -> &BTreeMap<WarningKind, usize> {
        &self.counts
    }

    /// One warning per kind that has more than are listed, saying how many more.
    pub(crate) fn not_listed(&self) -> Vec<Warning> {
        self.counts
            .iter()
            .filter(|&(_, &count)| count > LISTED_PER_KIND)
            .map(|(&kind, &count)| {
                Warning::new(
                    kind,
                    format!(
                        "{} more {kind} warnings not listed (manifest.json counts them)",
                        count - LISTED_PER_KIND
                    ),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_the_first_of_each_kind_and_counts_all() {
        let mut warnings = Warnings::default();
        for index in 0..LISTED_PER_KIND + 5 {
            warnings.add(WarningKind::ChecksumMismatch, || format!("target {index}"));
        }
        warnings.add(WarningKind::ThreadsCapped, || "threads".into());
        assert_eq!(warnings.listed().len(), LISTED_PER_KIND + 1);
        assert_eq!(
            warnings.counts()[&WarningKind::ChecksumMismatch],
            LISTED_PER_KIND + 5
        );
        let more = warnings.not_listed();
        assert_eq!(more.len(), 1);
        assert!(more[0].message.starts_with("5 more checksum_mismatch"));
    }
}
