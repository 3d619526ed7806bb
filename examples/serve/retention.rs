//! Retention: finished jobs (done, failed, cancelled) are kept `--keep-days`, and the jobs
//! together within `--max-disk` bytes by removing the oldest finished first. Queued, running
//! and interrupted jobs are never removed (their bytes count toward the budget all the same).
//! A sweep runs at start, after each job ends, and every few minutes.

use crate::pool::Shared;
use crate::store::now_ms;

/// A finished job a sweep may remove.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The job's id.
    pub id: String,
    /// When it finished.
    pub finished_ms: u64,
    /// Its bytes on disk.
    pub bytes: u64,
}

/// Which finished jobs to remove, oldest first: those finished by `cutoff_ms`, then more
/// of the oldest while the jobs' bytes (`total`, finished or not) exceed `max_disk`.
pub fn choose(
    mut candidates: Vec<Candidate>,
    total: u64,
    cutoff_ms: u64,
    max_disk: Option<u64>,
) -> Vec<String> {
    candidates.sort_by(|a, b| a.finished_ms.cmp(&b.finished_ms).then(a.id.cmp(&b.id)));
    let mut total = total;
    let mut removed = Vec::new();
    for candidate in candidates {
        // `<=`: with `--keep-days 0` a job finished this very millisecond goes too.
        let expired = candidate.finished_ms <= cutoff_ms;
        let over = max_disk.is_some_and(|max| total > max);
        if expired || over {
            total = total.saturating_sub(candidate.bytes);
            removed.push(candidate.id);
        }
    }
    removed
}

/// Removes what [`choose`] picks.
pub(crate) fn sweep(shared: &Shared) {
    let settings = &shared.settings;
    let (finished, others): (Vec<(String, u64)>, Vec<String>) = {
        let inner = shared.lock();
        let mut finished = Vec::new();
        let mut others = Vec::new();
        for (id, entry) in &inner.jobs {
            match (entry.record.state.is_finished(), entry.record.finished_ms) {
                (true, Some(finished_ms)) => finished.push((id.clone(), finished_ms)),
                _ => others.push(id.clone()),
            }
        }
        (finished, others)
    };
    let candidates: Vec<Candidate> = finished
        .into_iter()
        .map(|(id, finished_ms)| Candidate {
            bytes: shared.dir(&id).disk_usage(),
            id,
            finished_ms,
        })
        .collect();
    let total = candidates.iter().map(|c| c.bytes).sum::<u64>()
        + others
            .iter()
            .map(|id| shared.dir(id).disk_usage())
            .sum::<u64>();
    let cutoff_ms = now_ms().saturating_sub(settings.keep.as_millis() as u64);
    for id in choose(candidates, total, cutoff_ms, settings.max_disk) {
        let mut inner = shared.lock();
        // Only a job still finished: a DELETE may have removed it meanwhile.
        if inner
            .jobs
            .get(&id)
            .is_some_and(|entry| entry.record.state.is_finished())
        {
            inner.jobs.remove(&id);
            match std::fs::remove_dir_all(shared.dir(&id).root()) {
                Ok(()) => tracing::info!(job_id = %id, "retention removed the job"),
                Err(error) => {
                    tracing::error!(job_id = %id, error = %error, "retention cannot remove the job")
                }
            }
        }
    }
}
