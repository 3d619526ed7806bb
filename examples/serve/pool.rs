//! The bounded worker pool: `--max-jobs` threads take jobs from a queue of at most
//! `--max-queue`, run them through [`wildtype::run`] and record each change of state in
//! `job.json` before anyone can see it.
//!
//! On start the data directory is read back: queued jobs are queued again, in the order they
//! were submitted; jobs found running (the process was killed) or interrupted (by a shutdown)
//! lose their `out/` and run again from scratch. A run writes its outputs under temporary
//! names and renames them at the end, so a job is never seen done with partial outputs.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use wildtype_aligner::Error;
use wildtype_aligner::wildtype::{self, Progress, Warning};

use crate::Settings;
use crate::metrics::Metrics;
use crate::options::JobOptions;
use crate::store::{JobDir, JobRecord, State, Summary, is_job_id, now_ms};

/// A job's live progress and the flags that stop it.
#[derive(Debug)]
pub struct JobProgress {
    id: String,
    total: AtomicUsize,
    done: AtomicUsize,
    /// A client's DELETE.
    cancel: AtomicBool,
    /// A shutdown that could not wait any longer.
    interrupt: AtomicBool,
    /// Extra time per target (the tests' `WTA_SERVE_SLOW_TARGET_MS`).
    slow: Option<Duration>,
}

impl JobProgress {
    fn new(id: &str) -> Self {
        let slow = std::env::var("WTA_SERVE_SLOW_TARGET_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map(Duration::from_millis);
        Self {
            id: id.to_owned(),
            total: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            cancel: AtomicBool::new(false),
            interrupt: AtomicBool::new(false),
            slow,
        }
    }

    /// Targets aligned so far and in all.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// Whether a client asked for the job to be cancelled.
    pub fn cancelling(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

impl Progress for JobProgress {
    fn start(&self, total: usize) {
        self.total.store(total, Ordering::Relaxed);
    }
    fn advance(&self, _done: usize) {
        self.done.fetch_add(1, Ordering::Relaxed);
        if let Some(slow) = self.slow
            && !self.cancelled()
        {
            std::thread::sleep(slow);
        }
    }
    fn warning(&self, warning: &Warning) {
        tracing::warn!(job_id = %self.id, warning = %warning, "job warning");
    }
    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed) || self.interrupt.load(Ordering::Relaxed)
    }
}

/// A job known to the pool.
#[derive(Debug, Clone)]
pub struct Entry {
    /// What `job.json` says.
    pub record: JobRecord,
    /// Live progress.
    pub progress: Arc<JobProgress>,
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    pub(crate) jobs: HashMap<String, Entry>,
    queue: VecDeque<String>,
    stopping: bool,
    running: usize,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) settings: Settings,
    metrics: Arc<Metrics>,
    pub(crate) inner: Mutex<Inner>,
    wake: Condvar,
    idle: Condvar,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A worker that panicked holding the lock left the map consistent (each change is
        // one assignment), so the poison is ignored rather than taking the service down.
        self.inner
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    pub(crate) fn dir(&self, id: &str) -> JobDir {
        JobDir::new(&self.settings.data_dir, id)
    }
}

/// Why a submission was not queued.
#[derive(Debug)]
pub enum SubmitError {
    /// The queue is full.
    QueueFull,
    /// The service is shutting down.
    Stopping,
    /// `job.json` could not be written.
    Io(std::io::Error),
}

/// What a DELETE did.
#[derive(Debug)]
pub enum CancelOutcome {
    /// No such job.
    NotFound,
    /// A queued job, now cancelled.
    Cancelled,
    /// A running job, asked to stop (it will be cancelled at its next check).
    Cancelling,
    /// A finished job, removed.
    Removed,
}

/// The pool; cheap to clone.
#[derive(Debug, Clone)]
pub struct Pool {
    pub(crate) shared: Arc<Shared>,
}

impl Pool {
    /// Reads the jobs back from the data directory and starts the workers.
    pub fn start(settings: Settings, metrics: Arc<Metrics>) -> Result<Self, String> {
        let workers = settings.max_jobs;
        let shared = Arc::new(Shared {
            settings,
            metrics,
            inner: Mutex::new(Inner::default()),
            wake: Condvar::new(),
            idle: Condvar::new(),
        });
        recover(&shared)?;
        for index in 0..workers {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name(format!("job-worker-{index}"))
                .spawn(move || worker(&shared))
                .map_err(|error| format!("cannot start a worker: {error}"))?;
        }
        crate::retention::sweep(&shared);
        Ok(Self { shared })
    }

    /// The settings the pool runs with.
    pub fn settings(&self) -> &Settings {
        &self.shared.settings
    }

    /// Whether the queue has room (checked again by [`Pool::submit`]).
    pub fn has_room(&self) -> bool {
        self.shared.lock().queue.len() < self.shared.settings.max_queue
    }

    /// Queues a job whose upload is in place: writes its `job.json`, then queues it.
    pub fn submit(
        &self,
        id: &str,
        input: String,
        options: JobOptions,
    ) -> Result<JobRecord, SubmitError> {
        let record = JobRecord {
            id: id.to_owned(),
            state: State::Queued,
            created_ms: now_ms(),
            started_ms: None,
            finished_ms: None,
            input,
            options,
            error: None,
            summary: None,
            attempts: 0,
        };
        // Written (and synced) before the lock is taken: no one knows the id yet, and the
        // lock is not held across a sync. A refused job's directory is removed by the caller.
        self.shared.dir(id).save(&record).map_err(SubmitError::Io)?;
        let mut inner = self.shared.lock();
        if inner.stopping {
            return Err(SubmitError::Stopping);
        }
        if inner.queue.len() >= self.shared.settings.max_queue {
            return Err(SubmitError::QueueFull);
        }
        inner.jobs.insert(
            id.to_owned(),
            Entry {
                record: record.clone(),
                progress: Arc::new(JobProgress::new(id)),
            },
        );
        inner.queue.push_back(id.to_owned());
        self.shared.wake.notify_one();
        Ok(record)
    }

    /// The job `id`, if known.
    pub fn get(&self, id: &str) -> Option<Entry> {
        self.shared.lock().jobs.get(id).cloned()
    }

    /// Jobs in each state, and the queue's length.
    pub fn counts(&self) -> (HashMap<State, usize>, usize) {
        let inner = self.shared.lock();
        let mut counts = HashMap::new();
        for entry in inner.jobs.values() {
            *counts.entry(entry.record.state).or_insert(0) += 1;
        }
        (counts, inner.queue.len())
    }

    /// DELETE: cancels a queued or running job, removes a finished one.
    pub fn cancel(&self, id: &str) -> std::io::Result<CancelOutcome> {
        let mut inner = self.shared.lock();
        let Some(entry) = inner.jobs.get_mut(id) else {
            return Ok(CancelOutcome::NotFound);
        };
        match entry.record.state {
            State::Queued | State::Interrupted => {
                entry.record.state = State::Cancelled;
                entry.record.finished_ms = Some(now_ms());
                self.shared.dir(id).save(&entry.record)?;
                inner.queue.retain(|queued| queued != id);
                Ok(CancelOutcome::Cancelled)
            }
            State::Running => {
                entry.progress.cancel.store(true, Ordering::Relaxed);
                Ok(CancelOutcome::Cancelling)
            }
            State::Done | State::Failed | State::Cancelled => {
                inner.jobs.remove(id);
                std::fs::remove_dir_all(self.shared.dir(id).root())?;
                Ok(CancelOutcome::Removed)
            }
        }
    }

    /// Stops taking jobs, lets running ones finish for up to `timeout`, then stops them and
    /// marks them interrupted (a restart runs them again). Blocks.
    pub fn shutdown(&self, timeout: Duration) {
        let shared = &self.shared;
        let mut inner = shared.lock();
        inner.stopping = true;
        shared.wake.notify_all();
        inner = wait_idle(shared, inner, Instant::now() + timeout);
        if inner.running == 0 {
            return;
        }
        tracing::warn!(
            running = inner.running,
            "shutdown timeout reached: interrupting running jobs"
        );
        for entry in inner.jobs.values() {
            if entry.record.state == State::Running {
                entry.progress.interrupt.store(true, Ordering::Relaxed);
            }
        }
        // A run stops at its next check (between chunks of targets); one still running after
        // this is left as `running` in its job.json, which a restart re-runs like a killed one.
        drop(wait_idle(
            shared,
            inner,
            Instant::now() + Duration::from_secs(30),
        ));
    }
}

/// Waits until no job runs or `deadline` passes; returns the lock.
fn wait_idle<'a>(
    shared: &'a Shared,
    mut inner: MutexGuard<'a, Inner>,
    deadline: Instant,
) -> MutexGuard<'a, Inner> {
    while inner.running > 0 && Instant::now() < deadline {
        let left = deadline.saturating_duration_since(Instant::now());
        inner = shared
            .idle
            .wait_timeout(inner, left)
            .unwrap_or_else(|poison| poison.into_inner())
            .0;
    }
    inner
}

/// Reads every job back from the data directory.
fn recover(shared: &Shared) -> Result<(), String> {
    let jobs_dir = shared.settings.data_dir.join("jobs");
    let entries =
        std::fs::read_dir(&jobs_dir).map_err(|error| format!("{}: {error}", jobs_dir.display()))?;
    let mut queued: Vec<(u64, String)> = Vec::new();
    let mut inner = shared.lock();
    for entry in entries.filter_map(Result::ok) {
        let Some(id) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if !is_job_id(&id) {
            continue;
        }
        let dir = shared.dir(&id);
        let Ok(mut record) = dir.load() else {
            // A submission that died before its job.json was written: never accepted.
            tracing::warn!(job_id = %id, "removing a job directory without job.json");
            let _ = std::fs::remove_dir_all(dir.root());
            continue;
        };
        if matches!(record.state, State::Running | State::Interrupted) {
            tracing::info!(job_id = %id, state = record.state.name(), "re-running the job from scratch");
            remove_outputs(&dir)
                .map_err(|error| format!("{}: {error}", dir.out_dir().display()))?;
            record.state = State::Queued;
            record.started_ms = None;
            dir.save(&record)
                .map_err(|error| format!("{}: {error}", dir.root().display()))?;
        }
        if record.state == State::Queued {
            queued.push((record.created_ms, id.clone()));
        }
        inner.jobs.insert(
            id.clone(),
            Entry {
                progress: Arc::new(JobProgress::new(&id)),
                record,
            },
        );
    }
    queued.sort();
    inner.queue = queued.into_iter().map(|(_, id)| id).collect();
    Ok(())
}

/// Removes a job's `out/` (the job directory is the service's own: nothing else lives there).
fn remove_outputs(dir: &JobDir) -> std::io::Result<()> {
    match std::fs::remove_dir_all(dir.out_dir()) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

fn worker(shared: &Shared) {
    loop {
        let (id, record, progress) = {
            let mut inner = shared.lock();
            let id = loop {
                if inner.stopping {
                    return;
                }
                if let Some(id) = inner.queue.pop_front() {
                    break id;
                }
                inner = shared
                    .wake
                    .wait(inner)
                    .unwrap_or_else(|poison| poison.into_inner());
            };
            let Some(entry) = inner.jobs.get_mut(&id) else {
                continue;
            };
            entry.record.state = State::Running;
            entry.record.started_ms = Some(now_ms());
            entry.record.attempts += 1;
            let record = entry.record.clone();
            let progress = entry.progress.clone();
            inner.running += 1;
            (id, record, progress)
        };
        // Saved outside the lock (a sync must not stall the handlers); a crash before it
        // leaves the job queued on disk, which a restart queues again: the same outcome.
        if let Err(error) = shared.dir(&id).save(&record) {
            tracing::error!(job_id = %id, error = %error, "cannot record the job as running");
        }
        tracing::info!(job_id = %id, attempt = record.attempts, "job started");
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_job(&shared.settings, &record, &progress)
        }))
        .unwrap_or_else(|_| Outcome::Failed("internal error: the run panicked".into()));
        let mut finished = record;
        match &outcome {
            Outcome::Done(summary) => {
                finished.state = State::Done;
                finished.summary = Some(summary.clone());
            }
            Outcome::Failed(reason) => {
                finished.state = State::Failed;
                finished.error = Some(reason.clone());
            }
            Outcome::Cancelled => finished.state = State::Cancelled,
            Outcome::Interrupted => finished.state = State::Interrupted,
        }
        if finished.state != State::Interrupted {
            finished.finished_ms = Some(now_ms());
        }
        // Saved before the map shows the end (and outside the lock): until then the job is
        // running for everyone, so retention leaves it alone and a shutdown waits for it.
        if let Err(error) = shared.dir(&id).save(&finished) {
            tracing::error!(job_id = %id, error = %error, "cannot record the job's end");
        }
        {
            let mut inner = shared.lock();
            inner.running -= 1;
            shared.idle.notify_all();
            if let Some(entry) = inner.jobs.get_mut(&id) {
                entry.record = finished.clone();
            }
        }
        if let Outcome::Done(summary) = &outcome {
            let cells = aligned_cells(&shared.dir(&id).out_dir().join("alignments.tsv"));
            shared.metrics.job_targets(summary.aligned as u64, cells);
        }
        tracing::info!(
            job_id = %id,
            state = finished.state.name(),
            error = finished.error.as_deref().unwrap_or(""),
            "job finished"
        );
        crate::retention::sweep(shared);
    }
}

/// How a run ended.
enum Outcome {
    Done(Summary),
    Failed(String),
    Cancelled,
    Interrupted,
}

fn run_job(settings: &Settings, record: &JobRecord, progress: &JobProgress) -> Outcome {
    let dir = JobDir::new(&settings.data_dir, &record.id);
    if let Err(error) = remove_outputs(&dir) {
        return Outcome::Failed(format!("cannot clear the output directory: {error}"));
    }
    let config = match record.options.config(settings, &dir) {
        Ok(config) => config,
        Err(message) => return Outcome::Failed(message),
    };
    match wildtype::run(&config, progress) {
        Ok(summary) => Outcome::Done(Summary {
            targets: summary.targets,
            aligned: summary.aligned,
            problems: summary.problems,
            absent: summary.absent,
            mutations: summary.mutations,
            wall_seconds: summary.wall_seconds,
            warnings: summary
                .warnings
                .iter()
                .map(|warning| client_message(&warning.to_string(), &dir))
                .collect(),
        }),
        Err(Error::Cancelled) if progress.interrupt.load(Ordering::Relaxed) => Outcome::Interrupted,
        Err(Error::Cancelled) => Outcome::Cancelled,
        Err(error) => Outcome::Failed(client_message(&error.to_string(), &dir)),
    }
}

/// The DP cells of a run's aligned targets: target length x reference length of each row of
/// `alignments.tsv` whose target was aligned (status `ok` or `not_homologous`).
pub fn aligned_cells(table: &std::path::Path) -> u64 {
    let Ok(text) = std::fs::read_to_string(table) else {
        return 0;
    };
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let column = |name: &str| header.iter().position(|field| *field == name);
    let (Some(target), Some(reference), Some(status)) = (
        column("target_length"),
        column("reference_length"),
        column("status"),
    ) else {
        return 0;
    };
    lines
        .map(|line| line.split('\t').collect::<Vec<_>>())
        .filter(|fields| matches!(fields.get(status), Some(&"ok" | &"not_homologous")))
        .filter_map(|fields| {
            let target: u64 = fields.get(target)?.parse().ok()?;
            let reference: u64 = fields.get(reference)?.parse().ok()?;
            Some(target * reference)
        })
        .sum()
}

/// A library message with the job's server paths replaced by what the client knows: the
/// uploaded file by its name, the output directory as `out`.
pub fn client_message(message: &str, dir: &JobDir) -> String {
    let input = format!("{}/", dir.input_dir().display());
    let out = dir.out_dir().display().to_string();
    message.replace(&input, "").replace(&out, "out")
}
