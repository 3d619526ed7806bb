//! Which process staged an output, and what this process still has to remove.
//!
//! Temporary names carry the host and the process id of their writer
//! (`.{name}.partial-{host}-{pid}-{serial}`), so a later run can tell the leftovers of a run
//! that died (killed with `kill -9`, or a crashed machine) from the files of a run still
//! writing, also when several machines share the directory over a network file system: only
//! names of this host whose process is gone are leftovers.
//!
//! Every temporary file and directory, and the lock of an output directory, is registered
//! while it exists, so that [`abandon_for_exit`] can remove them when the process is
//! interrupted by a signal, where no destructor runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

/// This host's name as it appears in temporary names and locks: characters other than
/// `[A-Za-z0-9._]` become `_` (a `-` too, so that the name splits back unambiguously).
pub(crate) fn host() -> &'static str {
    static HOST: OnceLock<String> = OnceLock::new();
    HOST.get_or_init(|| {
        let name = raw_host();
        let clean: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if clean.is_empty() {
            "localhost".into()
        } else {
            clean
        }
    })
}

#[cfg(unix)]
fn raw_host() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned()
}

#[cfg(not(unix))]
fn raw_host() -> String {
    std::env::var("COMPUTERNAME").unwrap_or_default()
}

/// Whether the process `pid` of this host may still be running. Only a definite "no such
/// process" counts as gone; when in doubt (no permission to signal it, no way to ask) it is
/// taken as running, so that nothing of a live run is ever removed.
pub(crate) fn is_running(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    running_elsewhere(pid)
}

#[cfg(unix)]
fn running_elsewhere(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}

#[cfg(not(unix))]
fn running_elsewhere(_pid: u32) -> bool {
    true
}

/// The temporary name for `name`: `.{name}.partial-{host}-{pid}-{serial}`.
pub(crate) fn temporary_name(name: &str, serial: usize) -> String {
    format!(".{name}.partial-{}-{}-{serial}", host(), std::process::id())
}

/// A temporary name taken apart: the output it was for, its host and its process.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TemporaryName<'a> {
    pub name: &'a str,
    pub host: &'a str,
    pub pid: u32,
}

/// Reads a file name made by [`temporary_name`]; `None` for any other name.
pub(crate) fn parse_temporary(file_name: &str) -> Option<TemporaryName<'_>> {
    let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let rest = file_name.strip_prefix('.')?;
    let (rest, serial) = rest.rsplit_once('-')?;
    let (rest, pid) = rest.rsplit_once('-')?;
    let at = rest.rfind(".partial-")?;
    let (name, host) = (&rest[..at], &rest[at + ".partial-".len()..]);
    if !digits(serial) || !digits(pid) || name.is_empty() || host.is_empty() {
        return None;
    }
    Some(TemporaryName {
        name,
        host,
        pid: pid.parse().ok()?,
    })
}

/// What a registered path is, for its removal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A file (a temporary output, or a lock).
    File,
    /// A temporary directory holding only files this process wrote.
    Dir,
}

/// The paths this process created and still has to remove or rename.
#[derive(Debug)]
pub(crate) struct Registry {
    next: u64,
    live: BTreeMap<u64, (PathBuf, Kind)>,
}

/// A registered path's key, to forget it by.
pub(crate) type Token = u64;

impl Registry {
    /// Registers `path`; call with the registry locked from before the path is created.
    pub(crate) fn add(&mut self, path: PathBuf, kind: Kind) -> Token {
        self.next += 1;
        self.live.insert(self.next, (path, kind));
        self.next
    }

    /// Forgets a path that was renamed or removed.
    pub(crate) fn forget(&mut self, token: Token) {
        self.live.remove(&token);
    }
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    next: 0,
    live: BTreeMap::new(),
});

/// The registry, locked. Files are created, renamed and removed with it held, so that
/// [`abandon_for_exit`] never misses one that is about to appear.
pub(crate) fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Removes a directory of files: its files, then the directory (left in place, with what
/// is not a file, if anything else is inside).
pub(crate) fn remove_dir_of_files(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if !entry.file_type()?.is_dir() {
            std::fs::remove_file(entry.path())?;
        }
    }
    std::fs::remove_dir(dir)
}

/// Removes every temporary file and directory of staged outputs this process has open, and
/// the locks of output directories it holds; for a signal handler that exits the process
/// right after. Staging stops for good: any thread of this process that then creates,
/// renames or removes a staged output waits forever, so nothing new appears before the exit.
///
/// Returns the paths removed.
///
/// # Examples
///
/// ```no_run
/// // In a SIGTERM handler's thread:
/// let removed = wildtype_aligner::staged::abandon_for_exit();
/// eprintln!("interrupted: removed {} temporary files", removed.len());
/// std::process::exit(143);
/// ```
pub fn abandon_for_exit() -> Vec<PathBuf> {
    let mut registry = registry();
    let mut removed = Vec::new();
    for (path, kind) in std::mem::take(&mut registry.live).into_values() {
        let result = match kind {
            Kind::File => std::fs::remove_file(&path),
            Kind::Dir => remove_dir_of_files(&path),
        };
        if result.is_ok() {
            removed.push(path);
        }
    }
    // Held until the process exits.
    std::mem::forget(registry);
    removed
}

/// The leftovers of dead runs in `dir`: files and directories with a temporary name for one
/// of `names`, made on this host by a process that is no longer running; with `remove`,
/// removed. Returns their paths, or the path that could not be read or removed and why.
pub(crate) fn leftovers(
    dir: &Path,
    names: &[&str],
    remove: bool,
) -> Result<Vec<PathBuf>, (PathBuf, std::io::Error)> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err((dir.to_owned(), error)),
    };
    let mut removed = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| (dir.to_owned(), error))?;
        let file_name = entry.file_name();
        let Some(parsed) = file_name.to_str().and_then(parse_temporary) else {
            continue;
        };
        if !names.contains(&parsed.name) || parsed.host != host() || is_running(parsed.pid) {
            continue;
        }
        let path = entry.path();
        if !remove {
            removed.push(path);
            continue;
        }
        let is_dir = entry
            .file_type()
            .map_err(|error| (path.clone(), error))?
            .is_dir();
        let result = if is_dir {
            remove_dir_of_files(&path)
        } else {
            std::fs::remove_file(&path)
        };
        match result {
            Ok(()) => removed.push(path),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err((path, error)),
        }
    }
    removed.sort();
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_split_back_into_their_parts() {
        let name = temporary_name("a-b.partial-x.tsv", 7);
        let parsed = parse_temporary(&name).unwrap();
        assert_eq!(parsed.name, "a-b.partial-x.tsv");
        assert_eq!(parsed.host, host());
        assert_eq!(parsed.pid, std::process::id());
        for other in [
            "alignments.tsv",
            ".alignments.tsv.partial-12-0",
            ".alignments.tsv.partial-host-x-0",
            ".alignments.tsv.partial-host-12-",
            "..partial-host-12-0",
        ] {
            assert_eq!(parse_temporary(other), None, "{other}");
        }
    }

    #[test]
    fn this_process_runs_and_a_reaped_child_does_not() {
        assert!(is_running(std::process::id()));
        #[cfg(unix)]
        {
            let mut child = std::process::Command::new("true").spawn().unwrap();
            let pid = child.id();
            child.wait().unwrap();
            assert!(!is_running(pid));
        }
    }
}
