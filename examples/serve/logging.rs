//! Logs on standard error: one JSON object a line (for ELK, Loki and the like) when standard
//! error is not a terminal, human-readable lines when it is. Each request logs one line with
//! `request_id`, `method`, `route`, `status`, `latency_ms` and, for a job, `job_id`; jobs log
//! their start and end with `job_id`. `RUST_LOG`-style filtering is not offered: the level is
//! `info`, or `WTA_SERVE_LOG=debug|info|warn|error`.

use std::io::IsTerminal;

use tracing::Level;

/// Installs the subscriber.
pub fn init() {
    let level = match std::env::var("WTA_SERVE_LOG").as_deref() {
        Ok("debug") => Level::DEBUG,
        Ok("warn") => Level::WARN,
        Ok("error") => Level::ERROR,
        _ => Level::INFO,
    };
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr);
    if std::io::stderr().is_terminal() {
        builder.with_target(false).compact().init();
    } else {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .with_target(false)
            .with_ansi(false)
            .init();
    }
}
