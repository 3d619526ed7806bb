//! The lock of an output directory: one run at a time writes there.
//!
//! The lock is a file created exclusively (`O_EXCL`, which network file systems honour too)
//! holding the host, process id and start time of its holder. A second run finds it and
//! stops, naming the holder. A lock whose holder is gone (on this host, and that process no
//! longer runs) is stale and taken over; a lock from another host is never taken over, since
//! whether its process runs cannot be seen from here.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::error::StagedError;
use super::owner::{self, Kind, Token};

/// The lock file's name in an output directory.
pub const LOCK_FILE: &str = ".wildtype-aligner.lock";

/// Who holds a lock, as its file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockHolder {
    /// The host the holder runs on.
    pub host: String,
    /// Its process id on that host.
    pub pid: u32,
    /// When it took the lock (seconds since the Unix epoch).
    pub started_unix: u64,
}

impl LockHolder {
    fn this_process() -> Self {
        LockHolder {
            host: owner::host().to_owned(),
            pid: std::process::id(),
            started_unix: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        }
    }

    fn to_text(&self) -> String {
        format!(
            "host={}\npid={}\nstarted_unix={}\ntool={} {}\n",
            self.host,
            self.pid,
            self.started_unix,
            env!("CARGO_PKG_NAME"),
            env!("CARGO_PKG_VERSION")
        )
    }

    fn parse(text: &str) -> Option<Self> {
        let field = |key: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
        };
        Some(LockHolder {
            host: field("host")?.to_owned(),
            pid: field("pid")?.parse().ok()?,
            started_unix: field("started_unix")?.parse().ok()?,
        })
    }

    /// Whether the holder is certainly gone: a process of this host that no longer runs.
    fn is_gone(&self) -> bool {
        self.host == owner::host() && !owner::is_running(self.pid)
    }
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "process {} on host {} (started at unix time {})",
            self.pid, self.host, self.started_unix
        )
    }
}

/// The held lock of an output directory, released (its file removed) when dropped; a
/// signal handler's [`abandon_for_exit`](super::abandon_for_exit) removes it too.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::staged::{DirLock, LOCK_FILE, StagedError};
///
/// let dir = tempfile::tempdir().unwrap();
/// let lock = DirLock::acquire(dir.path()).unwrap();
/// assert!(dir.path().join(LOCK_FILE).exists());
/// // A second run into the same directory is refused, with the holder named.
/// let refused = DirLock::acquire(dir.path()).unwrap_err();
/// assert!(matches!(refused, StagedError::Locked { .. }));
/// assert!(refused.to_string().contains(&format!("process {}", std::process::id())));
/// drop(lock);
/// assert!(!dir.path().join(LOCK_FILE).exists());
/// ```
#[derive(Debug)]
pub struct DirLock {
    path: PathBuf,
    token: Token,
    taken_over: Option<LockHolder>,
}

/// Attempts at taking the lock before giving up (each one loses only to another run taking
/// it or taking over the same stale lock at the same moment).
const ATTEMPTS: usize = 8;

impl DirLock {
    /// Takes the lock of `dir` (which must exist), taking over a stale one.
    pub fn acquire(dir: impl AsRef<Path>) -> Result<Self, StagedError> {
        let path = dir.as_ref().join(LOCK_FILE);
        let me = LockHolder::this_process();
        let mut taken_over = None;
        for _ in 0..ATTEMPTS {
            match create(&path, &me)? {
                Some(token) => {
                    return Ok(DirLock {
                        path,
                        token,
                        taken_over,
                    });
                }
                None => {
                    if let Some(stale) = take_over(&path)? {
                        taken_over = Some(stale);
                    }
                }
            }
        }
        Err(StagedError::io(
            &path,
            std::io::Error::other("the lock keeps changing hands; try again"),
        ))
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The holder of the stale lock this one replaced, if it replaced one.
    pub fn taken_over(&self) -> Option<&LockHolder> {
        self.taken_over.as_ref()
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let mut registry = owner::registry();
        let _ = std::fs::remove_file(&self.path);
        registry.forget(self.token);
    }
}

/// Creates the lock file holding `me`; `None` if it exists already.
fn create(path: &Path, me: &LockHolder) -> Result<Option<Token>, StagedError> {
    let mut registry = owner::registry();
    let mut file = match std::fs::File::options()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => return Ok(None),
        Err(error) => return Err(StagedError::io(path, error)),
    };
    let token = registry.add(path.to_owned(), Kind::File);
    if let Err(error) = file
        .write_all(me.to_text().as_bytes())
        .and_then(|()| file.sync_all())
    {
        let _ = std::fs::remove_file(path);
        registry.forget(token);
        return Err(StagedError::io(path, error));
    }
    Ok(Some(token))
}

/// Removes the lock at `path` if its holder is gone, returning that holder; an error naming
/// the holder if it is not (or cannot be known to be) gone. `Ok(None)`: the lock vanished
/// meanwhile, try again.
fn take_over(path: &Path) -> Result<Option<LockHolder>, StagedError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(StagedError::io(path, error)),
    };
    let locked = |holder: String| StagedError::Locked {
        path: path.to_owned(),
        holder,
    };
    let Some(holder) = LockHolder::parse(&text) else {
        return Err(locked("an unreadable lock file".into()));
    };
    if !holder.is_gone() {
        return Err(locked(holder.to_string()));
    }
    // Moved aside before removal, and checked once moved: another run may have taken over
    // the same stale lock and written its own since it was read.
    let aside = path.with_file_name(owner::temporary_name(LOCK_FILE, 0));
    match std::fs::rename(path, &aside) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(StagedError::io(path, error)),
    }
    let moved = std::fs::read_to_string(&aside).map_err(|error| StagedError::io(&aside, error))?;
    if moved != text {
        // A live run's lock: put it back (unless yet another appeared, which then holds).
        let restored = std::fs::hard_link(&aside, path);
        let _ = std::fs::remove_file(&aside);
        let holder =
            LockHolder::parse(&moved).map_or_else(|| "another run".into(), |h| h.to_string());
        return match restored {
            Ok(()) => Err(locked(holder)),
            Err(_) => Ok(None),
        };
    }
    std::fs::remove_file(&aside).map_err(|error| StagedError::io(&aside, error))?;
    Ok(Some(holder))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_text_reads_back() {
        let me = LockHolder::this_process();
        assert_eq!(LockHolder::parse(&me.to_text()), Some(me));
        assert_eq!(LockHolder::parse("host=a\npid=x\nstarted_unix=1\n"), None);
    }

    #[test]
    fn a_stale_lock_of_this_host_is_taken_over_and_one_of_another_host_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let stale = LockHolder {
            host: owner::host().into(),
            pid: dead,
            started_unix: 5,
        };
        std::fs::write(&path, stale.to_text()).unwrap();
        let lock = DirLock::acquire(dir.path()).unwrap();
        assert_eq!(lock.taken_over(), Some(&stale));
        drop(lock);

        let elsewhere = LockHolder {
            host: "other-node".into(),
            pid: dead,
            started_unix: 5,
        };
        std::fs::write(&path, elsewhere.to_text()).unwrap();
        let error = DirLock::acquire(dir.path()).unwrap_err().to_string();
        assert!(error.contains("on host other-node"), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), elsewhere.to_text());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
