//! A job's record on disk: `DIR/jobs/{id}/job.json` (written to a temporary name and renamed,
//! so a crash leaves the old record or the new one), its upload under `input/` and its
//! outputs under `out/`. Ids and file names from clients are checked here, before any path is
//! made of them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::options::JobOptions;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Waiting for a worker.
    Queued,
    /// A worker runs it.
    Running,
    /// Finished; its outputs are in place.
    Done,
    /// Stopped by an error; `error` says which.
    Failed,
    /// Cancelled by a client's DELETE.
    Cancelled,
    /// Stopped by a shutdown; a restart runs it again.
    Interrupted,
}

impl State {
    /// Whether the job will not run again (retention may remove it).
    pub fn is_finished(self) -> bool {
        matches!(self, State::Done | State::Failed | State::Cancelled)
    }

    /// Every state, for the metrics.
    pub const ALL: [State; 6] = [
        State::Queued,
        State::Running,
        State::Done,
        State::Failed,
        State::Cancelled,
        State::Interrupted,
    ];

    /// The state's name as the API spells it.
    pub fn name(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Running => "running",
            State::Done => "done",
            State::Failed => "failed",
            State::Cancelled => "cancelled",
            State::Interrupted => "interrupted",
        }
    }
}

/// What a finished run counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Targets in the run.
    pub targets: usize,
    /// Targets aligned.
    pub aligned: usize,
    /// Targets not aligned (see their status).
    pub problems: usize,
    /// Genes without a copy (genome runs).
    pub absent: usize,
    /// Mutations called.
    pub mutations: usize,
    /// Seconds the run took.
    pub wall_seconds: f64,
    /// The run's warnings.
    pub warnings: Vec<String>,
}

/// `job.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobRecord {
    /// The job's id (32 lower-case hex digits).
    pub id: String,
    /// Its state.
    pub state: State,
    /// Milliseconds since the Unix epoch when it was submitted.
    pub created_ms: u64,
    /// When it last started running.
    pub started_ms: Option<u64>,
    /// When it finished.
    pub finished_ms: Option<u64>,
    /// The uploaded file's name, as the client gave it.
    pub input: String,
    /// The pipeline options.
    pub options: JobOptions,
    /// Why it failed.
    pub error: Option<String>,
    /// What the run counted, when done.
    pub summary: Option<Summary>,
    /// Times a worker started it (more than 1 after a restart re-ran it).
    pub attempts: u32,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64)
}

/// Random bytes from the operating system, as lower-case hex.
pub fn random_hex(bytes: usize) -> String {
    use std::io::Read;
    let mut buffer = vec![0u8; bytes];
    // /dev/urandom never blocks and never runs short on Linux; a failure to read it is a
    // broken system, not a case to serve around with weaker ids.
    std::fs::File::open("/dev/urandom")
        .and_then(|mut file| file.read_exact(&mut buffer))
        .expect("/dev/urandom is readable");
    buffer.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A new job id: 128 random bits.
pub fn new_job_id() -> String {
    random_hex(16)
}

/// Whether `id` has the form of a job id (which also keeps it a plain directory name).
pub fn is_job_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether a client's file name is a plain name: no directory part, no `..`, nothing hidden,
/// printable ASCII without quotes or backslashes, at most 128 bytes.
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+'))
}

/// The directories of one job.
#[derive(Debug, Clone)]
pub struct JobDir {
    root: PathBuf,
}

impl JobDir {
    /// The directory of job `id` under the data directory (`id` must be checked already).
    pub fn new(data_dir: &Path, id: &str) -> Self {
        debug_assert!(is_job_id(id));
        Self {
            root: data_dir.join("jobs").join(id),
        }
    }

    /// `DIR/jobs/{id}`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the upload goes.
    pub fn input_dir(&self) -> PathBuf {
        self.root.join("input")
    }

    /// The run's output directory.
    pub fn out_dir(&self) -> PathBuf {
        self.root.join("out")
    }

    fn record_path(&self) -> PathBuf {
        self.root.join("job.json")
    }

    /// Writes `job.json` under a temporary name, syncs it and renames it into place.
    pub fn save(&self, record: &JobRecord) -> std::io::Result<()> {
        let path = self.record_path();
        let temporary = self.root.join("job.json.tmp");
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(&serde_json::to_vec_pretty(record).map_err(std::io::Error::other)?)?;
        file.sync_all()?;
        std::fs::rename(&temporary, &path)
    }

    /// Reads `job.json`.
    pub fn load(&self) -> std::io::Result<JobRecord> {
        let bytes = std::fs::read(self.record_path())?;
        serde_json::from_slice(&bytes).map_err(std::io::Error::other)
    }

    /// The files the run's `manifest.json` lists as its outputs (empty without a manifest).
    pub fn outputs(&self) -> Vec<String> {
        let Ok(bytes) = std::fs::read(self.out_dir().join("manifest.json")) else {
            return Vec::new();
        };
        let Ok(manifest) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            return Vec::new();
        };
        // Only plain names are served (a `/` in a requested name is refused before this).
        let mut outputs: Vec<String> = manifest["outputs"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| item.as_str())
                    .filter(|name| is_plain_file_name(name))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        outputs.push("manifest.json".to_owned());
        outputs.sort();
        outputs.dedup();
        outputs
    }

    /// Bytes the job takes on disk (its files' lengths).
    pub fn disk_usage(&self) -> u64 {
        fn walk(path: &Path) -> u64 {
            let Ok(metadata) = std::fs::symlink_metadata(path) else {
                return 0;
            };
            if metadata.is_dir() {
                std::fs::read_dir(path).map_or(0, |entries| {
                    entries
                        .filter_map(Result::ok)
                        .map(|entry| walk(&entry.path()))
                        .sum()
                })
            } else {
                metadata.len()
            }
        }
        walk(&self.root)
    }
}
