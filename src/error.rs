//! The crate's error type: each layer's own error, joined.

#[cfg(feature = "pipeline")]
use std::path::PathBuf;

use crate::align::AlignError;
#[cfg(feature = "io")]
use crate::fasta::FastaError;
#[cfg(feature = "report")]
use crate::report::UnknownFormat;
use crate::scoring::ScoringError;
#[cfg(feature = "report")]
use crate::seq::UnreadableHeader;
#[cfg(feature = "io")]
use crate::staged::StagedError;

/// Everything that can go wrong in this crate: one variant per layer, each carrying that
/// layer's own error (which every layer's functions return), and the pipeline's cases.
///
/// Messages are lower case and name the file, record and line where one is known; the
/// underlying cause (an I/O error, say) is reachable through [`std::error::Error::source`].
///
/// # Examples
///
/// ```
/// use wildtype_aligner::scoring::Matrix;
/// use wildtype_aligner::Error;
///
/// let err: Error = Matrix::parse("bad", "A C\nA 1\n").unwrap_err().into();
/// assert!(matches!(err, Error::Scoring(_)));
/// assert!(err.to_string().contains("bad"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scoring matrix or gap penalty cannot be used.
    #[error(transparent)]
    Scoring(#[from] ScoringError),
    /// A pair cannot be aligned, or an aligner cannot be built as asked.
    #[error(transparent)]
    Align(#[from] AlignError),
    /// A FASTA file, its `.fai` index or a region is malformed or cannot be read; the
    /// [`crate::fasta::FastaErrorKind`] says which case.
    #[cfg(feature = "io")]
    #[error(transparent)]
    Fasta(Box<FastaError>),
    /// Staging an output file (write, then rename into place) failed.
    #[cfg(feature = "io")]
    #[error(transparent)]
    Staged(#[from] StagedError),
    /// A FASTA header water's reader rejects.
    #[cfg(feature = "report")]
    #[error(transparent)]
    Header(#[from] UnreadableHeader),
    /// An unknown report format name.
    #[cfg(feature = "report")]
    #[error(transparent)]
    Report(#[from] UnknownFormat),
    /// Reading or writing a file of the pipeline failed.
    #[cfg(feature = "pipeline")]
    #[error("{path}: {source}", path = path.display())]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An input of the pipeline is malformed at a known line.
    #[cfg(feature = "pipeline")]
    #[error("{path}: line {line}: {message}", path = path.display())]
    Format {
        /// The file involved.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An input file or directory of the pipeline is unusable as a whole.
    #[cfg(feature = "pipeline")]
    #[error("{path}: {message}", path = path.display())]
    Input {
        /// The file or directory involved.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A pipeline option given a value it cannot use.
    #[cfg(feature = "pipeline")]
    #[error("invalid setting: {option} '{given}': expected {}", option.expected())]
    BadOption {
        /// Which option.
        option: PipelineOption,
        /// The value as given.
        given: String,
    },
    /// The pipeline was given no target file (none named, or the directories hold none).
    #[cfg(feature = "pipeline")]
    #[error("no target protein files given")]
    NoTargetFiles,
    /// A gene list (`--target-genes`) that names no gene.
    #[cfg(feature = "pipeline")]
    #[error("gene list '{given}' names no gene")]
    EmptyGeneList {
        /// The list as given.
        given: String,
    },
    /// A gene of the target gene list (`--target-genes`) has no reference: a typo, most
    /// likely; the message names the closest genes that have one.
    #[cfg(feature = "pipeline")]
    #[error(
        "unknown gene '{gene}' in {origin} (no reference has it); closest genes with a \
         reference: {}",
        closest.join(", ")
    )]
    UnknownGene {
        /// The gene as given.
        gene: String,
        /// Where it was given: `the target gene list`, or a gene-list file and line.
        origin: String,
        /// The closest genes with a reference.
        closest: Vec<String>,
    },
    /// The pipeline's worker threads could not be started.
    #[cfg(feature = "pipeline")]
    #[error("cannot start worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    /// One of the pipeline's own threads (the output writer, the input checksum) stopped
    /// before its work was done.
    #[cfg(feature = "pipeline")]
    #[error("the {thread} thread stopped before its work was done")]
    ThreadStopped {
        /// Which thread.
        thread: &'static str,
    },
    /// A record could not be written as JSON.
    #[cfg(feature = "pipeline")]
    #[error("cannot encode a record as JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The run was stopped because its [`Progress`](crate::wildtype::Progress) asked for it;
    /// nothing new was left in the output directory.
    #[cfg(feature = "pipeline")]
    #[error("the run was cancelled")]
    Cancelled,
}

/// A pipeline option whose value follows a small grammar.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::Shard;
/// use wildtype_aligner::{Error, PipelineOption};
///
/// let err = "2-8".parse::<Shard>().unwrap_err();
/// assert!(matches!(err, Error::BadOption { option: PipelineOption::Shard, .. }));
/// assert_eq!(
///     err.to_string(),
///     "invalid setting: shard '2-8': expected K/N with 1 <= K <= N, e.g. 2/8"
/// );
/// ```
#[cfg(feature = "pipeline")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PipelineOption {
    /// `--shard K/N`.
    Shard,
    /// A tier rule, `identity/coverage/score_ratio`.
    TierRule,
    /// A gene rule, `field:N`, `word:N` or `key:NAME`.
    GeneRule,
}

#[cfg(feature = "pipeline")]
impl PipelineOption {
    /// What a valid value looks like.
    pub fn expected(self) -> &'static str {
        match self {
            PipelineOption::Shard => "K/N with 1 <= K <= N, e.g. 2/8",
            PipelineOption::TierRule => {
                "identity/coverage/score_ratio, identity and coverage percentages (0 to 100) \
                 and a score ratio of 0 or more, e.g. 95/90/0.8"
            }
            PipelineOption::GeneRule => "field:N, word:N or key:NAME",
        }
    }
}

#[cfg(feature = "pipeline")]
impl std::fmt::Display for PipelineOption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PipelineOption::Shard => "shard",
            PipelineOption::TierRule => "tier rule",
            PipelineOption::GeneRule => "gene rule",
        })
    }
}

#[cfg(feature = "io")]
impl From<FastaError> for Error {
    fn from(error: FastaError) -> Self {
        Error::Fasta(Box::new(error))
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(feature = "pipeline")]
impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
