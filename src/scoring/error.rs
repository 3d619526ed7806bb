//! What can go wrong in the scoring layer: matrix files and gap penalties.

use std::path::PathBuf;

/// A scoring matrix or gap penalty that cannot be used.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::scoring::{GapPenalties, Matrix, ScoringError};
///
/// let err = Matrix::parse("bad", "A C\nA 1\n").unwrap_err();
/// assert!(matches!(err, ScoringError::Matrix { line: 2, .. }));
/// assert!(err.to_string().starts_with("matrix bad: line 2: "));
/// assert!(matches!(GapPenalties::new(-1.0, 0.5), Err(ScoringError::GapOutOfRange { .. })));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScoringError {
    /// A scoring matrix file is malformed.
    #[error("matrix {name}: line {line}: {message}")]
    Matrix {
        /// The matrix name or path as given.
        name: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong with that line.
        message: String,
    },
    /// A named matrix could not be found in any of the places water looks.
    #[error("matrix file '{name}' not found (looked in: {searched})")]
    MatrixNotFound {
        /// The name as given.
        name: String,
        /// The places searched, separated by commas.
        searched: String,
    },
    /// A matrix file exists but cannot be read.
    #[error("{path}: {source}", path = path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A gap penalty outside water's range (or not a number).
    #[error("{gap} penalty {value} is outside 0..={max}")]
    GapOutOfRange {
        /// Which penalty.
        gap: GapKind,
        /// The value given.
        value: f32,
        /// The largest value water accepts.
        max: f32,
    },
}

/// One of the two gap penalties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GapKind {
    /// The cost of opening a gap.
    Open,
    /// The cost of each further residue of a gap.
    Extend,
}

impl std::fmt::Display for GapKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            GapKind::Open => "gap open",
            GapKind::Extend => "gap extend",
        })
    }
}

/// A gap penalty water would clamp into its range, and what it was clamped to; displays as
/// the warning water prints.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::scoring::{GapKind, GapPenalties};
///
/// let (_, warnings) = GapPenalties::clamped(10.0, 11.0);
/// assert_eq!(warnings[0].gap(), GapKind::Extend);
/// assert_eq!(
///     warnings[0].to_string(),
///     "floating point value out of range 11.000 more than (reset to) 10.000"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GapWarning {
    pub(crate) gap: GapKind,
    pub(crate) given: f32,
    pub(crate) used: f32,
}

impl GapWarning {
    /// Which penalty was clamped.
    pub fn gap(&self) -> GapKind {
        self.gap
    }

    /// The value given.
    pub fn given(&self) -> f32 {
        self.given
    }

    /// The value used instead (the top of water's range).
    pub fn used(&self) -> f32 {
        self.used
    }
}

impl std::fmt::Display for GapWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let side = if self.given > self.used {
            "more"
        } else {
            "less"
        };
        write!(
            f,
            "floating point value out of range {:.3} {side} than (reset to) {:.3}",
            self.given, self.used
        )
    }
}
