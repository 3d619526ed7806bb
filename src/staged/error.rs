//! What can go wrong staging outputs.

use std::path::PathBuf;

/// What can go wrong staging outputs: the file system, something not ours standing where an
/// output goes, another run writing the same directory, or a file handed back to the wrong
/// [`StagedDir`](super::StagedDir).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StagedError {
    /// Creating, writing, syncing or renaming a file failed.
    #[error("{path}: {source}", path = path.display())]
    Io {
        /// The output the operation was for (its final name).
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Something else stands where an output goes: a directory where a file goes, say. It is
    /// not this tool's to remove, so nothing is written.
    #[error(
        "{path}: {found} stands where an output {expected} goes; nothing was written \
         (move it away or choose another output directory)",
        path = path.display()
    )]
    InTheWay {
        /// The output's path.
        path: PathBuf,
        /// What is there: "a directory", "a file", "a special file".
        found: &'static str,
        /// What the output is: "file" or "directory".
        expected: &'static str,
    },
    /// Another run holds the output directory's lock.
    #[error(
        "{path}: the output directory is in use by {holder}; if that run is certainly gone, \
         remove {path} and run again",
        path = path.display()
    )]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// Who holds it, as the lock file says.
        holder: String,
    },
    /// A file or directory handed to a [`StagedDir`](super::StagedDir) that it did not stage (or not as a
    /// directory), or one still being written at the commit.
    #[error("{path}: {problem}", path = path.display())]
    Misuse {
        /// The output concerned.
        path: PathBuf,
        /// What was wrong.
        problem: Misuse,
    },
}

/// How a [`StagedDir`](super::StagedDir) was misused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misuse {
    /// The file was not created by this staged directory.
    NotStagedHere,
    /// The name was not staged as a directory.
    NotADirectory,
    /// The file was created but never finished.
    StillOpen,
}

impl std::fmt::Display for Misuse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Misuse::NotStagedHere => "not created by this staged directory",
            Misuse::NotADirectory => "not staged as a directory",
            Misuse::StillOpen => "still being written",
        })
    }
}

impl StagedError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StagedError::Io {
            path: path.into(),
            source,
        }
    }
}
