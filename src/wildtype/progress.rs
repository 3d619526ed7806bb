//! [`Progress`]: what a run, or a report rendered again, tells its caller as it goes.

use super::warning::Warning;

/// Receives progress from a run; every method defaults to doing nothing. Called from worker
/// threads, hence `Sync`.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use wildtype_aligner::wildtype::Progress;
///
/// struct Count(AtomicUsize);
/// impl Progress for Count {
///     fn advance(&self, _done: usize) {
///         self.0.fetch_add(1, Ordering::Relaxed);
///     }
/// }
/// let count = Count(AtomicUsize::new(0));
/// count.advance(1);
/// assert_eq!(count.0.load(Ordering::Relaxed), 1);
/// ```
pub trait Progress: Sync {
    /// The run has `total` targets to align.
    fn start(&self, total: usize) {
        let _ = total;
    }
    /// `done` targets are finished (called once per target, in completion order).
    fn advance(&self, done: usize) {
        let _ = done;
    }
    /// All targets are aligned; outputs are being written.
    fn finish(&self) {}
    /// Something the run accepted, or changed, that its user must know about (a skipped file,
    /// a clamped penalty, a checksum that does not match...). Called before the alignments
    /// start, from the calling thread. The default prints `warning: MESSAGE` on standard
    /// error, so that no caller loses one by accident; `manifest.json` lists them too.
    fn warning(&self, warning: &Warning) {
        eprintln!("warning: {warning}");
    }
    /// Whether the caller wants the run stopped (a service cancelling a job, or shutting
    /// down). Asked before each genome or proteome is searched, before each chunk of targets
    /// is aligned and once more before the outputs are put in place; when it answers `true`
    /// the run stops with [`Error::Cancelled`] and, like any failed run, leaves nothing new
    /// in the output directory. The default never cancels.
    ///
    /// [`Error::Cancelled`]: crate::Error::Cancelled
    fn cancelled(&self) -> bool {
        false
    }
}

/// Reports nothing but the warnings, on standard error.
impl Progress for () {}
