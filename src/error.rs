//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong in this crate.
///
/// Messages are lower case and name the file, record and line where one is known; the underlying
/// cause (an I/O error, say) is reachable through [`std::error::Error::source`].
///
/// # Examples
///
/// ```
/// use wildtype_aligner::scoring::Matrix;
///
/// let err = Matrix::parse("bad", "A C\nA 1\n").unwrap_err();
/// assert!(err.to_string().contains("bad"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A scoring matrix file is malformed.
    #[error("matrix {name}: line {line}: {message}")]
    Matrix {
        /// The matrix name or path as given.
        name: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
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
    /// A sequence file is malformed.
    #[error("{path}: line {line}: {message}")]
    Format {
        /// The file involved.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An input file or directory is unusable as a whole (no records of the kind needed).
    #[error("{path}: {message}")]
    Input {
        /// The file or directory involved.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A sequence cannot be aligned as asked (wrong type, empty).
    #[error("{0}")]
    Sequence(String),
    /// A command-line argument is invalid.
    #[error("{0}")]
    Usage(String),
    /// A setting is out of range or inconsistent.
    #[error("invalid setting: {0}")]
    Setting(String),
    /// A FASTA file, its `.fai` index or a region is malformed or cannot be used; the
    /// [`crate::fasta::FastaErrorKind`] says which case.
    #[error(transparent)]
    Fasta(Box<crate::fasta::FastaError>),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
