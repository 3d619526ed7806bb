//! Atomic output: files are written under temporary names beside their destination and renamed
//! into place only when complete, so a reader never sees half a file and a failed run leaves
//! nothing that looks like output.
//!
//! The helper only ever removes what it created itself: its own temporary files (created with
//! `create_new`, so never a file that was already there) and its own temporary directories.
//! A destination that already exists is replaced by `rename`, file by file; a directory of the
//! user's at a staged directory's destination is kept, with the new files moved into it.
//!
//! - [`StagedFile`]: one file written to a path ([`StagedFile::commit`] renames it into place).
//! - [`StagedDir`]: several files (and directories of files) in one output directory, renamed
//!   into place together by [`StagedDir::commit`], in the order they were staged.
//!
//! # Examples
//!
//! ```
//! use std::io::Write;
//! use wildtype_aligner::staged::StagedFile;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("table.tsv");
//! let mut file = StagedFile::create(&path).unwrap();
//! file.write_all(b"a\tb\n").unwrap();
//! assert!(!path.exists()); // not yet in place
//! file.commit().unwrap();
//! assert_eq!(std::fs::read(&path).unwrap(), b"a\tb\n");
//! ```

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// What can go wrong staging outputs: the file system, or a file handed back to the wrong
/// [`StagedDir`].
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
    /// A file or directory handed to a [`StagedDir`] that it did not stage (or not as a
    /// directory), or one still being written at the commit.
    #[error("{path}: {problem}", path = path.display())]
    Misuse {
        /// The output concerned.
        path: PathBuf,
        /// What was wrong.
        problem: Misuse,
    },
}

/// How a [`StagedDir`] was misused.
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
    fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StagedError::Io {
            path: path.into(),
            source,
        }
    }
}

type Result<T, E = StagedError> = std::result::Result<T, E>;

/// Distinguishes the temporary names of one process.
static SERIAL: AtomicUsize = AtomicUsize::new(0);

/// A temporary name beside `destination`: `.{name}.partial-{pid}-{serial}`.
fn temporary_beside(destination: &Path) -> PathBuf {
    let name = destination
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
    destination.with_file_name(format!(".{name}.partial-{}-{serial}", std::process::id()))
}

/// Creates a new file at `temporary`, refusing to reuse an existing one.
fn create_new(temporary: &Path, destination: &Path) -> Result<File> {
    File::options()
        .write(true)
        .create_new(true)
        .open(temporary)
        .map_err(|source| StagedError::io(destination, source))
}

/// One file written under a temporary name and renamed to its destination by
/// [`commit`](Self::commit); dropped without a commit, the temporary file is removed.
///
/// Writes are buffered. See the [module example](self).
#[derive(Debug)]
pub struct StagedFile {
    temporary: PathBuf,
    destination: PathBuf,
    writer: Option<BufWriter<File>>,
    /// Whether the commit waits until the bytes are on disk before the rename.
    sync: bool,
    /// Its place among a [`StagedDir`]'s outputs, when it is one of them.
    slot: Option<usize>,
}

impl StagedFile {
    /// Creates the temporary file beside `destination` (whose directory must exist).
    pub fn create(destination: impl AsRef<Path>) -> Result<Self> {
        let destination = destination.as_ref().to_owned();
        let temporary = temporary_beside(&destination);
        let file = create_new(&temporary, &destination)?;
        Ok(Self {
            temporary,
            destination,
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
            sync: true,
            slot: None,
        })
    }

    /// Whether [`commit`](Self::commit) syncs the file to disk before renaming it (the
    /// default). Without the sync the rename still never exposes a partial file to readers,
    /// but a crash of the machine soon after may leave an empty or short one: for outputs that
    /// are cheap to make again and written often (as EMBOSS writes its reports).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use wildtype_aligner::staged::StagedFile;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let mut report = StagedFile::create(dir.path().join("a.water")).unwrap().sync_on_commit(false);
    /// report.write_all(b"# report\n").unwrap();
    /// report.commit().unwrap();
    /// assert!(dir.path().join("a.water").exists());
    /// ```
    pub fn sync_on_commit(mut self, sync: bool) -> Self {
        self.sync = sync;
        self
    }

    /// Where the file goes on [`commit`](Self::commit).
    pub fn destination(&self) -> &Path {
        &self.destination
    }

    /// Writes all of `bytes`; errors name the destination.
    pub fn write_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        self.write_all(bytes)
            .map_err(|source| StagedError::io(&self.destination, source))
    }

    /// Flushes what is written so far and waits until it is on disk, so that the sync of the
    /// commit has less left to do (useful on a thread that is otherwise waiting).
    pub fn sync_written(&mut self) -> Result<()> {
        if let Some(writer) = &mut self.writer {
            writer
                .flush()
                .and_then(|()| writer.get_ref().sync_data())
                .map_err(|source| StagedError::io(&self.destination, source))?;
        }
        Ok(())
    }

    /// Flushes and syncs the file, leaving it under its temporary name.
    fn finish(&mut self) -> Result<()> {
        if let Some(writer) = self.writer.take() {
            let file = writer
                .into_inner()
                .map_err(|e| StagedError::io(&self.destination, e.into_error()))?;
            if self.sync {
                file.sync_all()
                    .map_err(|source| StagedError::io(&self.destination, source))?;
            }
        }
        Ok(())
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> Result<()> {
        self.finish()?;
        std::fs::rename(&self.temporary, &self.destination)
            .map_err(|source| StagedError::io(&self.destination, source))?;
        // Renamed: nothing of ours is left to remove.
        self.temporary = PathBuf::new();
        Ok(())
    }
}

impl Write for StagedFile {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match &mut self.writer {
            Some(writer) => writer.write(bytes),
            None => Err(std::io::Error::other("staged file already finished")),
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match &mut self.writer {
            Some(writer) => writer.write_all(bytes),
            None => Err(std::io::Error::other("staged file already finished")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.writer {
            Some(writer) => writer.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        // Close before removing.
        self.writer = None;
        if !self.temporary.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.temporary);
        }
    }
}

/// What a [`StagedDir`] has finished and will rename on commit.
#[derive(Debug)]
enum Entry {
    /// A file being written (its [`StagedFile`] removes it if dropped).
    Open { destination: PathBuf },
    File {
        temporary: PathBuf,
        destination: PathBuf,
    },
    /// A directory the helper created, holding only files it wrote.
    Dir {
        temporary: PathBuf,
        destination: PathBuf,
        files: Vec<String>,
    },
}

/// Several outputs in one directory, renamed into place together by [`commit`](Self::commit);
/// dropped without a commit, every temporary file and directory it made is removed.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use wildtype_aligner::staged::StagedDir;
///
/// let dir = tempfile::tempdir().unwrap();
/// let out = dir.path().join("out");
/// let mut staged = StagedDir::new(&out).unwrap();
/// let mut table = staged.create("rows.tsv").unwrap();
/// table.write_all(b"1\n").unwrap();
/// staged.finish(table).unwrap();
/// staged.write_file("summary.json", b"{}\n").unwrap();
/// assert_eq!(staged.names(), ["rows.tsv", "summary.json"]);
/// staged.commit().unwrap();
/// assert_eq!(std::fs::read(out.join("rows.tsv")).unwrap(), b"1\n");
///
/// // Not committed: nothing is left behind.
/// let mut staged = StagedDir::new(&out).unwrap();
/// staged.write_file("other.txt", b"x").unwrap();
/// drop(staged);
/// assert!(!out.join("other.txt").exists());
/// assert_eq!(std::fs::read_dir(&out).unwrap().count(), 2);
/// ```
#[derive(Debug)]
pub struct StagedDir {
    dir: PathBuf,
    entries: Vec<Entry>,
}

impl StagedDir {
    /// Stages outputs into `dir`, creating it (and its parents) when missing.
    pub fn new(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref().to_owned();
        std::fs::create_dir_all(&dir).map_err(|source| StagedError::io(&dir, source))?;
        Ok(Self {
            dir,
            entries: Vec::new(),
        })
    }

    /// The output directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Starts the file `name` of the directory; hand it back to [`finish`](Self::finish) when
    /// complete. Outputs keep the order they were created in.
    pub fn create(&mut self, name: &str) -> Result<StagedFile> {
        let mut file = StagedFile::create(self.dir.join(name))?;
        file.slot = Some(self.entries.len());
        self.entries.push(Entry::Open {
            destination: file.destination.clone(),
        });
        Ok(file)
    }

    /// Flushes and syncs a file from [`create`](Self::create) and stages it for the commit.
    pub fn finish(&mut self, mut file: StagedFile) -> Result<()> {
        let slot = match file.slot {
            Some(slot) if slot < self.entries.len() => slot,
            _ => {
                return Err(StagedError::Misuse {
                    path: file.destination.clone(),
                    problem: Misuse::NotStagedHere,
                });
            }
        };
        file.finish()?;
        self.entries[slot] = Entry::File {
            temporary: std::mem::take(&mut file.temporary),
            destination: file.destination.clone(),
        };
        Ok(())
    }

    /// Writes the whole file `name` at once.
    pub fn write_file(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let mut file = self.create(name)?;
        file.write_bytes(bytes)?;
        self.finish(file)
    }

    /// Creates the temporary directory that becomes `name`; add files with
    /// [`write_in_dir`](Self::write_in_dir).
    pub fn create_dir(&mut self, name: &str) -> Result<()> {
        let destination = self.dir.join(name);
        let temporary = temporary_beside(&destination);
        std::fs::create_dir(&temporary).map_err(|source| StagedError::io(&destination, source))?;
        self.entries.push(Entry::Dir {
            temporary,
            destination,
            files: Vec::new(),
        });
        Ok(())
    }

    /// Writes the file `file` into the staged directory `dir` (from
    /// [`create_dir`](Self::create_dir)).
    pub fn write_in_dir(&mut self, dir: &str, file: &str, bytes: &[u8]) -> Result<()> {
        let wanted = self.dir.join(dir);
        let Some(Entry::Dir {
            temporary,
            destination,
            files,
        }) = self.entries.iter_mut().find(
            |entry| matches!(entry, Entry::Dir { destination, .. } if *destination == wanted),
        )
        else {
            return Err(StagedError::Misuse {
                path: wanted,
                problem: Misuse::NotADirectory,
            });
        };
        let path = temporary.join(file);
        let shown = destination.join(file);
        // Registered before writing, so a failed write is removed too.
        files.push(file.to_owned());
        let mut handle = create_new(&path, &shown)?;
        handle
            .write_all(bytes)
            .map_err(|source| StagedError::io(&shown, source))
    }

    /// The final names staged so far, in staging order.
    pub fn names(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter_map(|entry| {
                let (Entry::Open { destination }
                | Entry::File { destination, .. }
                | Entry::Dir { destination, .. }) = entry;
                Some(destination.file_name()?.to_string_lossy().into_owned())
            })
            .collect()
    }

    /// Renames everything into place, in staging order. A staged directory whose destination
    /// already exists as a directory has its files moved into it one by one.
    pub fn commit(mut self) -> Result<()> {
        let entries = std::mem::take(&mut self.entries);
        let mut pending = entries.into_iter();
        while let Some(entry) = pending.next() {
            let result = match &entry {
                Entry::Open { destination } => Err(StagedError::Misuse {
                    path: destination.clone(),
                    problem: Misuse::StillOpen,
                }),
                Entry::File {
                    temporary,
                    destination,
                } => std::fs::rename(temporary, destination)
                    .map_err(|source| StagedError::io(destination, source)),
                Entry::Dir {
                    temporary,
                    destination,
                    files,
                } => commit_dir(temporary, destination, files),
            };
            if let Err(error) = result {
                // What is not yet in place is still ours to remove.
                self.entries.push(entry);
                self.entries.extend(pending);
                return Err(error);
            }
        }
        Ok(())
    }
}

/// Puts a staged directory in place: one rename when the destination is free, otherwise its
/// files moved into the existing directory one by one (other files there are left alone).
fn commit_dir(temporary: &Path, destination: &Path, files: &[String]) -> Result<()> {
    if !destination.exists() {
        return std::fs::rename(temporary, destination)
            .map_err(|source| StagedError::io(destination, source));
    }
    for file in files {
        std::fs::rename(temporary.join(file), destination.join(file))
            .map_err(|source| StagedError::io(destination.join(file), source))?;
    }
    std::fs::remove_dir(temporary).map_err(|source| StagedError::io(temporary, source))
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        // Not committed: remove what we made, and nothing else.
        for entry in &self.entries {
            match entry {
                Entry::Open { .. } => {}
                Entry::File { temporary, .. } => {
                    let _ = std::fs::remove_file(temporary);
                }
                Entry::Dir {
                    temporary, files, ..
                } => {
                    for file in files {
                        let _ = std::fs::remove_file(temporary.join(file));
                    }
                    let _ = std::fs::remove_dir(temporary);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_file_leaves_nothing_and_an_existing_file_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.txt");
        std::fs::write(&path, "old").unwrap();
        let mut file = StagedFile::create(&path).unwrap();
        file.write_bytes(b"new").unwrap();
        drop(file);
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_staged_directory_keeps_the_users_files_at_its_destination() {
        let dir = tempfile::tempdir().unwrap();
        let existing = dir.path().join("alignments");
        std::fs::create_dir(&existing).unwrap();
        std::fs::write(existing.join("notes.txt"), "mine").unwrap();
        std::fs::write(existing.join("a.water"), "old").unwrap();
        let mut staged = StagedDir::new(dir.path()).unwrap();
        staged.create_dir("alignments").unwrap();
        staged
            .write_in_dir("alignments", "a.water", b"new")
            .unwrap();
        staged.commit().unwrap();
        assert_eq!(std::fs::read(existing.join("notes.txt")).unwrap(), b"mine");
        assert_eq!(std::fs::read(existing.join("a.water")).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_dropped_directory_removes_only_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut staged = StagedDir::new(dir.path()).unwrap();
        staged.create_dir("alignments").unwrap();
        staged.write_in_dir("alignments", "a.water", b"x").unwrap();
        drop(staged);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
