//! The aligner and the wild-type pipeline as an HTTP service:
//!
//! ```text
//! cargo run --release --example serve -- --listen 127.0.0.1:8080 --data-dir DIR \
//!     [--references PATH | --species NAME] [--token-file FILE] [--max-jobs N] \
//!     [--max-queue N] [--max-upload BYTES] [--keep-days N] [--max-disk BYTES] \
//!     [--shutdown-timeout SECONDS]
//! ```
//!
//! Endpoints (the OpenAPI description is served at `GET /v1/openapi.json`):
//!
//! | route | what |
//! | ----- | ---- |
//! | `POST /v1/align` | one pair, as the `water` drop-in aligns it; JSON, and water's srspair text on request |
//! | `POST /v1/jobs` | a pipeline run over an uploaded FASTA body, options in the query; `202` and the job |
//! | `GET /v1/jobs/{id}` | the job's state: queued, running (with progress), done, failed (with the reason), cancelled, interrupted |
//! | `GET /v1/jobs/{id}/files/{name}` | an output of a done job, if its `manifest.json` lists it |
//! | `GET /v1/jobs/{id}/report` | the job's `report.html` |
//! | `DELETE /v1/jobs/{id}` | cancels a queued or running job; removes a finished one |
//! | `GET /healthz`, `GET /readyz`, `GET /metrics` | liveness, readiness, Prometheus text |
//!
//! Everything under `/v1/` needs `Authorization: Bearer TOKEN` when a token is configured
//! (`--token-file`, re-read on SIGHUP, or the `WTA_SERVE_TOKEN` environment variable); without
//! one the server listens on loopback addresses only. TLS is left to a reverse proxy.
//!
//! Jobs run in this process on `--max-jobs` worker threads, behind a queue of `--max-queue`
//! (a full queue answers `429` with `Retry-After`). Each job is a directory
//! `DIR/jobs/{id}/` (`job.json`, `input/`, `out/`); a restart re-queues queued jobs and re-runs
//! from scratch those that were running or interrupted, their partial `out/` removed.
//!
//! Exit codes: 0 after a shutdown on SIGTERM or SIGINT; 2 when the server cannot start (bad
//! references, a non-loopback `--listen` without a token, an unreadable or empty token file,
//! a data directory it cannot create, an address it cannot bind); clap's usage errors are 2
//! as well.
//!
//! `WTA_SERVE_SLOW_TARGET_MS` (tests only) makes each aligned target of a job take that many
//! more milliseconds, so that tests can catch a job running.

// The `water` drop-in, whose report `/v1/align` writes for its srspair text.
#[allow(dead_code)]
#[path = "../water/cli.rs"]
mod cli;

mod align;
mod app;
mod auth;
mod error;
mod jobs;
mod logging;
mod metrics;
mod options;
mod pool;
mod retention;
mod store;
#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;

/// Serve the aligner and the wild-type pipeline over HTTP.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on (port 0: any free port; the bound address is written to
    /// DIR/serve.addr and logged).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Directory of the service's state: jobs, their inputs and outputs.
    #[arg(long, value_name = "DIR")]
    data_dir: PathBuf,
    /// Reference multi-FASTA, directory of {gene}.fasta, or PointFinder species folder
    /// (default: the bundled data/wildtype/references.faa).
    #[arg(long, value_name = "PATH")]
    references: Option<PathBuf>,
    /// PointFinder's references for this species, built in: escherichia_coli, salmonella,
    /// campylobacter (instead of --references).
    #[arg(long, value_name = "NAME", conflicts_with = "references")]
    species: Option<String>,
    /// File holding the bearer token (re-read on SIGHUP). Without it, the environment
    /// variable WTA_SERVE_TOKEN; without either, no authentication and loopback only.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Jobs running at once.
    #[arg(long, default_value_t = 1, value_parser = at_least_one)]
    max_jobs: usize,
    /// Jobs waiting to run; more are refused with 429.
    #[arg(long, default_value_t = 32)]
    max_queue: usize,
    /// Largest request body in bytes (a job's FASTA upload; /v1/align's JSON).
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
    max_upload: usize,
    /// Days a finished job (done, failed, cancelled) is kept.
    #[arg(long, value_name = "N", default_value_t = 7)]
    keep_days: u64,
    /// Bytes the jobs may take on disk; beyond, the oldest finished jobs are removed first.
    #[arg(long, value_name = "BYTES")]
    max_disk: Option<u64>,
    /// On SIGTERM, seconds running jobs may take to finish before they are stopped and marked
    /// interrupted (a restart runs them again).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    shutdown_timeout: u64,
}

fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(count) => Ok(count),
        Err(error) => Err(error.to_string()),
    }
}

/// Where the pipeline's references come from.
#[derive(Debug, Clone)]
pub enum References {
    /// A file or folder.
    Path(PathBuf),
    /// An embedded PointFinder species.
    Species(String),
}

/// The service's settings, fixed at start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The data directory.
    pub data_dir: PathBuf,
    /// The pipeline's references.
    pub references: References,
    /// Worker threads running jobs.
    pub max_jobs: usize,
    /// Queue length beyond which submissions get 429.
    pub max_queue: usize,
    /// Largest request body.
    pub max_upload: usize,
    /// Retention of finished jobs.
    pub keep: Duration,
    /// Disk budget of the jobs.
    pub max_disk: Option<u64>,
    /// Alignment threads of each job.
    pub threads_per_job: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    logging::init();
    match serve(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!(error = %message, "cannot serve");
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn serve(args: Args) -> Result<(), String> {
    let token = auth::TokenSource::configure(args.token_file.clone())?;
    if !token.is_configured() && !args.listen.ip().is_loopback() {
        return Err(format!(
            "refusing to listen on {} without a token: give --token-file or WTA_SERVE_TOKEN, \
             or listen on a loopback address",
            args.listen
        ));
    }
    let references = match (args.species, args.references) {
        (Some(species), _) => References::Species(species),
        (None, Some(path)) => References::Path(path),
        (None, None) => References::Path(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/wildtype/references.faa"),
        ),
    };
    jobs::check_references(&references)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let settings = Settings {
        data_dir: args.data_dir,
        references,
        max_jobs: args.max_jobs,
        max_queue: args.max_queue,
        max_upload: args.max_upload,
        keep: Duration::from_secs(args.keep_days.saturating_mul(86_400)),
        max_disk: args.max_disk,
        threads_per_job: (cores / args.max_jobs).max(1),
    };
    std::fs::create_dir_all(settings.data_dir.join("jobs"))
        .and_then(|()| std::fs::create_dir_all(settings.data_dir.join("tmp")))
        .map_err(|error| format!("{}: {error}", settings.data_dir.display()))?;
    // Scratch files of /v1/align and /readyz a killed server left; DIR/tmp is the service's own.
    if let Ok(entries) = std::fs::read_dir(settings.data_dir.join("tmp")) {
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let _ = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the runtime: {error}"))?;
    let shutdown_timeout = Duration::from_secs(args.shutdown_timeout);
    runtime.block_on(async move {
        let metrics = Arc::new(metrics::Metrics::new());
        let pool = pool::Pool::start(settings.clone(), metrics.clone())?;
        let state = app::AppState::new(settings, token, pool.clone(), metrics);
        app::run(state, args.listen, pool, shutdown_timeout).await
    })
}
