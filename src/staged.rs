//! Atomic output: files are written under temporary names beside their destination and renamed
//! into place only when complete, so a reader never sees half a file and a failed run leaves
//! nothing that looks like output.
//!
//! The helper only ever removes what it created itself: its own temporary files (created with
//! `create_new`, so never a file that was already there) and its own temporary directories.
//! A destination that already exists is replaced by `rename`, file by file; a directory of the
//! user's at a staged directory's destination is kept, with the new files moved into it.
//!
//! Nothing that is not a file is replaced: a directory (or a special file) where an output file
//! goes, or a file where an output directory goes, fails the commit with
//! [`StagedError::InTheWay`] before anything is renamed.
//!
//! - [`StagedFile`]: one file written to a path ([`StagedFile::commit`] renames it into place).
//! - [`StagedDir`]: several files (and directories of files) in one output directory, renamed
//!   into place together by [`StagedDir::commit`], in the order they were staged.
//! - [`DirLock`]: one run at a time in an output directory.
//!
//! # Leftovers and interruptions
//!
//! Temporary names carry their writer's host and process id:
//! `.{name}.partial-{host}-{pid}-{serial}`. A run killed where no destructor runs (`kill -9`,
//! a crash) leaves them behind; [`remove_leftovers`] removes those whose process is gone at
//! the next run's start, and never those of a live process or of another host. A signal
//! handler removes this process's own with [`abandon_for_exit`] before exiting.
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

mod error;
mod lock;
mod owner;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

pub use error::{Misuse, StagedError};
pub use lock::{DirLock, LOCK_FILE, LockHolder};
pub use owner::abandon_for_exit;
use owner::{Kind, Registry, Token};

type Result<T, E = StagedError> = std::result::Result<T, E>;

/// Distinguishes the temporary names of one process.
static SERIAL: AtomicUsize = AtomicUsize::new(0);

/// A temporary name beside `destination`: `.{name}.partial-{host}-{pid}-{serial}`.
fn temporary_beside(destination: &Path) -> PathBuf {
    let name = destination
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
    destination.with_file_name(owner::temporary_name(&name, serial))
}

/// Creates a new file at `temporary`, refusing to reuse an existing one. Called with the
/// registry locked.
fn create_new(temporary: &Path, destination: &Path) -> Result<File> {
    File::options()
        .write(true)
        .create_new(true)
        .open(temporary)
        .map_err(|source| StagedError::io(destination, source))
}

/// Checks that an output `expected` to be a file (or, with `dir`, a directory) may be put at
/// `path`: nothing is there, or a file (a symbolic link counts as one: renaming over it
/// replaces the link, not what it points to) where a file goes, or a directory where a
/// directory goes. Anything else is not this tool's to replace.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::staged::{StagedError, ensure_replaceable};
///
/// let dir = tempfile::tempdir().unwrap();
/// assert!(ensure_replaceable(&dir.path().join("new.tsv"), false).is_ok());
/// let error = ensure_replaceable(dir.path(), false).unwrap_err();
/// assert!(matches!(error, StagedError::InTheWay { found: "a directory", .. }));
/// assert!(ensure_replaceable(dir.path(), true).is_ok());
/// ```
pub fn ensure_replaceable(path: &Path, dir: bool) -> Result<()> {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(StagedError::io(path, error)),
    };
    let kind = metadata.file_type();
    // A link to a directory serves as the directory (its files are added there).
    let linked_dir = kind.is_symlink() && path.is_dir();
    let found = if kind.is_dir() || (dir && linked_dir) {
        "a directory"
    } else if kind.is_file() || kind.is_symlink() {
        "a file"
    } else {
        "a special file"
    };
    let expected = if dir { "directory" } else { "file" };
    match (found, dir) {
        ("a directory", true) | ("a file", false) => Ok(()),
        _ => Err(StagedError::InTheWay {
            path: path.to_owned(),
            found,
            expected,
        }),
    }
}

/// Removes the leftovers of runs that died in `dir`: files and directories with a temporary
/// name for one of `names` (`.{name}.partial-{host}-{pid}-{serial}`) whose process, on this
/// host, no longer runs. Those of a live process or of another host are left alone. Returns
/// the paths removed.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::staged::{StagedFile, remove_leftovers};
///
/// let dir = tempfile::tempdir().unwrap();
/// let live = StagedFile::create(dir.path().join("table.tsv")).unwrap();
/// // This process runs: its temporary file is not a leftover.
/// assert!(remove_leftovers(dir.path(), &["table.tsv"]).unwrap().is_empty());
/// assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
/// drop(live);
/// ```
pub fn remove_leftovers(dir: &Path, names: &[&str]) -> Result<Vec<PathBuf>> {
    owner::leftovers(dir, names, true).map_err(|(path, source)| StagedError::io(path, source))
}

/// The leftovers [`remove_leftovers`] would remove, left in place (to read what a dead run
/// was writing, say).
pub fn find_leftovers(dir: &Path, names: &[&str]) -> Result<Vec<PathBuf>> {
    owner::leftovers(dir, names, false).map_err(|(path, source)| StagedError::io(path, source))
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
    /// Its entry in the registry of what an interruption removes.
    token: Option<Token>,
}

impl StagedFile {
    /// Creates the temporary file beside `destination` (whose directory must exist).
    pub fn create(destination: impl AsRef<Path>) -> Result<Self> {
        let destination = destination.as_ref().to_owned();
        let temporary = temporary_beside(&destination);
        let mut registry = owner::registry();
        let file = create_new(&temporary, &destination)?;
        let token = registry.add(temporary.clone(), Kind::File);
        Ok(Self {
            temporary,
            destination,
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
            sync: true,
            slot: None,
            token: Some(token),
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

    /// Flushes, syncs and renames the file into place; fails, leaving it alone, if a
    /// directory (or anything but a file) is at the destination.
    pub fn commit(mut self) -> Result<()> {
        self.finish()?;
        let mut registry = owner::registry();
        ensure_replaceable(&self.destination, false)?;
        std::fs::rename(&self.temporary, &self.destination)
            .map_err(|source| StagedError::io(&self.destination, source))?;
        // Renamed: nothing of ours is left to remove.
        self.temporary = PathBuf::new();
        forget(&mut registry, self.token.take());
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
        let mut registry = owner::registry();
        if !self.temporary.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.temporary);
        }
        forget(&mut registry, self.token.take());
    }
}

fn forget(registry: &mut Registry, token: Option<Token>) {
    if let Some(token) = token {
        registry.forget(token);
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
        token: Option<Token>,
    },
    /// A directory the helper created, holding only files it wrote.
    Dir {
        temporary: PathBuf,
        destination: PathBuf,
        files: Vec<String>,
        token: Token,
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
            token: file.token.take(),
        };
        Ok(())
    }

    /// Writes the whole file `name` at once.
    pub fn write_file(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let mut file = self.create(name)?;
        file.write_bytes(bytes)?;
        self.finish(file)
    }

    /// Where the finished file `name` (from [`finish`](Self::finish) or
    /// [`write_file`](Self::write_file)) is until the commit, to read it back: an output made
    /// from others, say. `None` for a name not staged, or not finished.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::staged::StagedDir;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let mut staged = StagedDir::new(dir.path()).unwrap();
    /// staged.write_file("rows.tsv", b"1\n").unwrap();
    /// let path = staged.staged_path("rows.tsv").unwrap();
    /// assert_eq!(std::fs::read(path).unwrap(), b"1\n");
    /// assert!(staged.staged_path("other.tsv").is_none());
    /// ```
    pub fn staged_path(&self, name: &str) -> Option<&Path> {
        let wanted = self.dir.join(name);
        self.entries.iter().find_map(|entry| match entry {
            Entry::File {
                temporary,
                destination,
                ..
            } if *destination == wanted => Some(temporary.as_path()),
            _ => None,
        })
    }

    /// Creates the temporary directory that becomes `name`; add files with
    /// [`write_in_dir`](Self::write_in_dir).
    pub fn create_dir(&mut self, name: &str) -> Result<()> {
        let destination = self.dir.join(name);
        let temporary = temporary_beside(&destination);
        let mut registry = owner::registry();
        std::fs::create_dir(&temporary).map_err(|source| StagedError::io(&destination, source))?;
        let token = registry.add(temporary.clone(), Kind::Dir);
        self.entries.push(Entry::Dir {
            temporary,
            destination,
            files: Vec::new(),
            token,
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
            ..
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
        let mut handle = {
            let _registry = owner::registry();
            create_new(&path, &shown)?
        };
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

    /// The files staged so far, as paths relative to the output directory (`alignments.tsv`,
    /// `alignments/a.water`), in staging order: what a commit puts in place.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::staged::StagedDir;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let mut staged = StagedDir::new(dir.path()).unwrap();
    /// staged.write_file("rows.tsv", b"1\n").unwrap();
    /// staged.create_dir("reports").unwrap();
    /// staged.write_in_dir("reports", "a.txt", b"a").unwrap();
    /// assert_eq!(staged.files(), ["rows.tsv", "reports/a.txt"]);
    /// ```
    pub fn files(&self) -> Vec<String> {
        let name = |path: &Path| {
            path.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        };
        let mut out = Vec::new();
        for entry in &self.entries {
            match entry {
                Entry::Open { destination } | Entry::File { destination, .. } => {
                    out.push(name(destination));
                }
                Entry::Dir {
                    destination, files, ..
                } => {
                    let dir = name(destination);
                    out.extend(files.iter().map(|file| format!("{dir}/{file}")));
                }
            }
        }
        out
    }

    /// Checks every destination before anything is renamed (see [`ensure_replaceable`]).
    pub fn check_destinations(&self) -> Result<()> {
        for entry in &self.entries {
            match entry {
                Entry::Open { destination } | Entry::File { destination, .. } => {
                    ensure_replaceable(destination, false)?;
                }
                Entry::Dir {
                    destination, files, ..
                } => {
                    ensure_replaceable(destination, true)?;
                    for file in files {
                        ensure_replaceable(&destination.join(file), false)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Renames everything into place, in staging order. A staged directory whose destination
    /// already exists as a directory has its files moved into it one by one. Nothing is
    /// renamed if any destination is taken by something that is not a file (or, for a staged
    /// directory, not a directory): see [`ensure_replaceable`].
    pub fn commit(self) -> Result<()> {
        self.commit_replacing(&[])
    }

    /// Like [`commit`](Self::commit), but first removes the files `obsolete` (relative to
    /// the output directory, in order; those missing are skipped, and so is anything that is
    /// not a file): an earlier run's outputs that this one does not write again, say, or an
    /// earlier manifest that must not vouch for a half-replaced set.
    ///
    /// A signal handler's [`abandon_for_exit`] waits until the commit is done.
    pub fn commit_replacing(mut self, obsolete: &[String]) -> Result<()> {
        let mut registry = owner::registry();
        self.check_destinations()?;
        for name in obsolete {
            let path = self.dir.join(name);
            match std::fs::symlink_metadata(&path) {
                Ok(metadata) if !metadata.is_dir() => std::fs::remove_file(&path)
                    .or_else(|error| match error.kind() {
                        std::io::ErrorKind::NotFound => Ok(()),
                        _ => Err(error),
                    })
                    .map_err(|source| StagedError::io(&path, source))?,
                _ => {}
            }
        }
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
                    token,
                } => std::fs::rename(temporary, destination)
                    .map(|()| forget(&mut registry, *token))
                    .map_err(|source| StagedError::io(destination, source)),
                Entry::Dir {
                    temporary,
                    destination,
                    files,
                    token,
                } => commit_dir(temporary, destination, files)
                    .map(|()| forget(&mut registry, Some(*token))),
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
    if std::fs::symlink_metadata(destination).is_err() {
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
        let mut registry = owner::registry();
        for entry in &self.entries {
            match entry {
                Entry::Open { .. } => {}
                Entry::File {
                    temporary, token, ..
                } => {
                    let _ = std::fs::remove_file(temporary);
                    forget(&mut registry, *token);
                }
                Entry::Dir {
                    temporary,
                    files,
                    token,
                    ..
                } => {
                    for file in files {
                        let _ = std::fs::remove_file(temporary.join(file));
                    }
                    let _ = std::fs::remove_dir(temporary);
                    forget(&mut registry, Some(*token));
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

    #[test]
    fn nothing_is_renamed_when_a_directory_stands_at_a_file_destination() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("b.tsv/inner")).unwrap();
        let mut staged = StagedDir::new(dir.path()).unwrap();
        staged.write_file("a.tsv", b"a").unwrap();
        staged.write_file("b.tsv", b"b").unwrap();
        let error = staged.commit().unwrap_err();
        assert!(
            matches!(&error, StagedError::InTheWay { path, found: "a directory", .. } if path.ends_with("b.tsv")),
            "{error}"
        );
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["b.tsv"]);
        assert!(dir.path().join("b.tsv/inner").is_dir());
    }

    #[test]
    fn a_commit_removes_the_obsolete_files_it_is_given_and_never_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("old.tsv"), "old").unwrap();
        std::fs::create_dir(dir.path().join("old_dir")).unwrap();
        let mut staged = StagedDir::new(dir.path()).unwrap();
        staged.write_file("new.tsv", b"new").unwrap();
        let obsolete = ["old.tsv", "old_dir", "missing.tsv"].map(String::from);
        staged.commit_replacing(&obsolete).unwrap();
        assert!(!dir.path().join("old.tsv").exists());
        assert!(dir.path().join("old_dir").is_dir());
        assert_eq!(std::fs::read(dir.path().join("new.tsv")).unwrap(), b"new");
    }
}
