//! `report.html`: one self-contained page (inline SVG and CSS, no script, nothing fetched
//! when viewed) drawn from a finished run's tables and manifest: the run's summary, a
//! tier-by-gene bar chart, per reference a lollipop plot of the mutated positions with a
//! table of the calls beside it, and the isolate-by-antimicrobial phenotype matrix when the
//! run wrote `phenotypes.tsv`.
//!
//! Everything but the timings is a function of the tables and the manifest's run-independent
//! fields, so a sharded run's gathered report equals the unsharded one's; the timings (start,
//! wall time, threads, shards) sit between the lines [`TIMINGS_BEGIN`] and [`TIMINGS_END`].

mod collect;
mod escape;
mod figures;
mod html;
mod manifest;
mod svg;
mod tables;

use std::path::{Path, PathBuf};

use crate::staged::{DirLock, StagedDir};
use crate::{Error, Result};

use super::output::{MANIFEST, PHENOTYPES, REPORT};
use super::progress::Progress;
use super::warning::{Warning, WarningKind};
use figures::{Phenotypes, RunTables};
use manifest::ManifestSummary;

pub(crate) use collect::{Collector, ReportRows};

pub use html::{TIMINGS_BEGIN, TIMINGS_END};

/// Where a report's inputs are: an output directory's files.
struct Sources<'a> {
    pub alignments: PathBuf,
    pub mutations: PathBuf,
    /// `phenotypes.tsv`, when the run wrote it.
    pub phenotypes: Option<PathBuf>,
    /// The manifest's text, and where it is (for errors).
    pub manifest: &'a [u8],
    pub manifest_path: PathBuf,
}

/// The report of the tables and manifest in `sources`.
fn render(sources: &Sources<'_>) -> Result<Vec<u8>> {
    let manifest = ManifestSummary::parse(&sources.manifest_path, sources.manifest)?;
    let tables = RunTables::read(
        &sources.alignments,
        &sources.mutations,
        sources.phenotypes.as_deref(),
        &manifest.references,
    )?;
    Ok(html::page(&manifest, &tables).into_bytes())
}

/// The report of a run whose rows were fed to `collector` as they were written (the same page
/// as [`render_report`] of its finished directory), with its `phenotypes.tsv` (when it wrote
/// one) and the `manifest` about to be written at `manifest_path`.
pub(crate) fn render_collected(
    collector: Collector,
    phenotypes: Option<&Path>,
    manifest: &[u8],
    manifest_path: &Path,
) -> Result<Vec<u8>> {
    let manifest = ManifestSummary::parse(manifest_path, manifest)?;
    let phenotypes = phenotypes.map(Phenotypes::read).transpose()?;
    let tables = collector.finish(&manifest.references, phenotypes);
    Ok(html::page(&manifest, &tables).into_bytes())
}

/// Builds `report.html` from the finished output directory `dir`: its `manifest.json`,
/// `alignments.tsv`, `mutations.tsv` and, when the manifest lists it, `phenotypes.tsv`. The
/// pipeline writes the same page at the end of a run; this renders it again (after the tables
/// were gathered from shards, say) without aligning anything.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::{PipelineConfig, render_report, run};
///
/// let dir = tempfile::tempdir().unwrap();
/// let refs = dir.path().join("refs.fasta");
/// std::fs::write(&refs, ">blaX\nMSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQ\n").unwrap();
/// let targets = dir.path().join("t.fasta");
/// std::fs::write(&targets, ">P1|blaX|1-108|+|c1|ab12\nMSIQHFRVALIPWFAAFCLPVFAHPETLVKVKDAEDQ\n").unwrap();
/// let out = dir.path().join("out");
/// run(&PipelineConfig::new([&targets], &refs, &out), &()).unwrap();
/// let page = String::from_utf8(render_report(&out).unwrap()).unwrap();
/// assert!(page.contains("data-position=\"13\""));
/// assert_eq!(page, std::fs::read_to_string(out.join("report.html")).unwrap());
/// ```
pub fn render_report(dir: &Path) -> Result<Vec<u8>> {
    let manifest_path = dir.join(MANIFEST);
    let manifest =
        std::fs::read(&manifest_path).map_err(|source| Error::io(&manifest_path, source))?;
    let listed = ManifestSummary::parse(&manifest_path, &manifest)?.outputs;
    render(&Sources {
        alignments: dir.join("alignments.tsv"),
        mutations: dir.join("mutations.tsv"),
        phenotypes: listed
            .iter()
            .any(|name| name == PHENOTYPES)
            .then(|| dir.join(PHENOTYPES)),
        manifest: &manifest,
        manifest_path,
    })
}

/// [Renders](render_report) `dir`'s report and writes it to `dir/report.html` (under a
/// temporary name first, renamed into place when complete), holding the directory's lock
/// meanwhile so that no run writes there at the same time. A stale lock (its process gone, on
/// this host) is taken over as a [run](super::run) does, with a
/// [warning](super::Progress::warning) to `progress`. Returns the report's path.
pub fn write_report(dir: &Path, progress: &dyn Progress) -> Result<PathBuf> {
    if !dir.is_dir() {
        let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "no such output directory");
        return Err(Error::io(dir, missing));
    }
    let lock = DirLock::acquire(dir)?;
    if let Some(holder) = lock.taken_over() {
        progress.warning(&Warning::new(
            WarningKind::StaleLockTakenOver,
            format!(
                "{}: took over the lock of {holder}, which is no longer running",
                lock.path().display()
            ),
        ));
    }
    let page = render_report(dir)?;
    let mut staged = StagedDir::new(dir)?;
    staged.write_file(REPORT, &page)?;
    staged.commit()?;
    Ok(dir.join(REPORT))
}
