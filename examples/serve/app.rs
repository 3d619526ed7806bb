//! The router, the layers every request passes (request id, metrics, the log line, JSON for
//! every error, the token under `/v1/`), the small routes, and the server's life: bind,
//! announce the address, rotate the token on SIGHUP, stop on SIGTERM or SIGINT.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::Settings;
use crate::auth::TokenSource;
use crate::error::{self, ApiError};
use crate::metrics::Metrics;
use crate::pool::Pool;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The job pool.
    pub pool: Pool,
    token: Arc<TokenSource>,
    metrics: Arc<Metrics>,
    settings: Arc<Settings>,
    stopping: Arc<AtomicBool>,
    request_prefix: Arc<str>,
    request_counter: Arc<AtomicU64>,
    /// Alignments of `/v1/align` computed at once (two per core): more wait their turn
    /// instead of each taking a thread and memory of its own.
    align_slots: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// The state of a server about to start.
    pub fn new(settings: Settings, token: TokenSource, pool: Pool, metrics: Arc<Metrics>) -> Self {
        Self {
            pool,
            token: Arc::new(token),
            metrics,
            settings: Arc::new(settings),
            stopping: Arc::new(AtomicBool::new(false)),
            request_prefix: crate::store::random_hex(4).into(),
            request_counter: Arc::new(AtomicU64::new(0)),
            align_slots: Arc::new(tokio::sync::Semaphore::new(
                2 * std::thread::available_parallelism().map_or(1, |n| n.get()),
            )),
        }
    }
}

/// The job a response is about, for the log line.
#[derive(Debug, Clone)]
pub struct JobTag(pub String);

/// The route pattern that answered, for the metrics and the log.
#[derive(Debug, Clone)]
struct RouteTag(String);

/// The header carrying the request id.
pub const REQUEST_ID: &str = "x-request-id";

/// A client's request id is echoed if it is 1 to 128 characters of `[A-Za-z0-9._:-]`;
/// otherwise (or without one) the server makes one.
pub fn acceptable_request_id(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 128
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// The router of the whole API.
pub fn router(state: AppState) -> Router {
    let v1 = Router::new()
        .route("/v1/align", post(align))
        .route("/v1/jobs", post(crate::jobs::submit))
        .route(
            "/v1/jobs/{id}",
            get(crate::jobs::get).delete(crate::jobs::delete),
        )
        .route("/v1/jobs/{id}/files/{name}", get(crate::jobs::file))
        .route("/v1/jobs/{id}/report", get(crate::jobs::report))
        .route("/v1/openapi.json", get(openapi))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    let open = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics));
    v1.merge(open)
        .route_layer(middleware::from_fn(tag_route))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Binds, writes `DIR/serve.addr`, serves until SIGTERM or SIGINT, then shuts the pool down.
pub async fn run(
    state: AppState,
    listen: SocketAddr,
    pool: Pool,
    shutdown_timeout: Duration,
) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|error| format!("cannot listen on {listen}: {error}"))?;
    let local = listener
        .local_addr()
        .map_err(|error| format!("cannot read the bound address: {error}"))?;
    let addr_file = state.settings.data_dir.join("serve.addr");
    let temporary = state.settings.data_dir.join("serve.addr.tmp");
    std::fs::write(&temporary, format!("{local}\n"))
        .and_then(|()| std::fs::rename(&temporary, &addr_file))
        .map_err(|error| format!("{}: {error}", addr_file.display()))?;
    tracing::info!(
        address = %local,
        authentication = state.token.is_configured(),
        kernel = %crate::align::kernel_name(),
        "listening"
    );
    spawn_token_rotation(state.token.clone())?;
    spawn_retention(pool.clone());
    let stopping = state.stopping.clone();
    let app = router(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            wait_for_stop().await;
            stopping.store(true, Ordering::Relaxed);
            tracing::info!("shutting down: no new connections; waiting for running jobs");
        })
        .await
        .map_err(|error| format!("server error: {error}"))?;
    tokio::task::spawn_blocking(move || pool.shutdown(shutdown_timeout))
        .await
        .map_err(|error| format!("shutdown: {error}"))?;
    let _ = std::fs::remove_file(&addr_file);
    tracing::info!("stopped");
    Ok(())
}

async fn wait_for_stop() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut interrupt)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot watch SIGTERM/SIGINT");
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = interrupt.recv() => {}
    }
}

fn spawn_token_rotation(token: Arc<TokenSource>) -> Result<(), String> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangup =
        signal(SignalKind::hangup()).map_err(|error| format!("cannot watch SIGHUP: {error}"))?;
    tokio::spawn(async move {
        while hangup.recv().await.is_some() {
            match token.reload() {
                Ok(true) => tracing::info!("SIGHUP: token file read again"),
                Ok(false) => tracing::warn!("SIGHUP: no --token-file to read again"),
                Err(error) => tracing::error!(error = %error, "SIGHUP: the token in use stays"),
            }
        }
    });
    Ok(())
}

fn spawn_retention(pool: Pool) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(300));
        every.tick().await;
        loop {
            every.tick().await;
            let pool = pool.clone();
            let _ =
                tokio::task::spawn_blocking(move || crate::retention::sweep(&pool.shared)).await;
        }
    });
}

/// Request id, timing, metrics, the log line, and JSON for errors that are not yet JSON
/// (axum's own rejections, 404, 405).
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let start = Instant::now();
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|value| acceptable_request_id(value))
        .map_or_else(
            || {
                let count = state.request_counter.fetch_add(1, Ordering::Relaxed);
                format!("{}-{count:08}", state.request_prefix)
            },
            str::to_owned,
        );
    let method = request.method().as_str().to_owned();
    let mut response = next.run(request).await;
    let status = response.status();
    if (status.is_client_error() || status.is_server_error())
        && !response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|value| value.as_bytes().starts_with(b"application/json"))
    {
        response = json_error(response).await;
    }
    let route = response
        .extensions()
        .get::<RouteTag>()
        .map_or("unmatched", |tag| tag.0.as_str())
        .to_owned();
    let job_id = response
        .extensions()
        .get::<JobTag>()
        .map(|tag| tag.0.clone());
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let elapsed = start.elapsed();
    state
        .metrics
        .request(&route, &method, status.as_u16(), elapsed.as_secs_f64());
    tracing::info!(
        request_id = %request_id,
        method = %method,
        route = %route,
        status = status.as_u16(),
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        job_id = job_id.as_deref().unwrap_or(""),
        "request"
    );
    response
}

/// An error response whose body is not JSON, made JSON (its text as the message).
async fn json_error(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 << 10)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_owned())
        .unwrap_or_default();
    let status = parts.status;
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        _ if status.is_server_error() => "internal",
        _ => "bad_request",
    };
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        text
    };
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(error::body(code, &message)))
}

/// Puts the matched route pattern in the response, for [`observe`].
async fn tag_route(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned());
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(RouteTag(route));
    }
    response
}

/// Everything under `/v1/` needs the token when one is configured.
async fn require_token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(HeaderValue::as_bytes);
    if state.token.allows(authorization) {
        next.run(request).await
    } else {
        let message = if authorization.is_some() {
            "the bearer token is wrong"
        } else {
            "this server needs Authorization: Bearer TOKEN"
        };
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message).into_response()
    }
}

/// Reads a request body of at most `limit` bytes; a larger one (by its `Content-Length` or
/// as it arrives) is `413`.
pub async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the request body is larger than {limit} bytes (--max-upload)"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => Ok(bytes.to_vec()),
        Err(error) => {
            // The length limit's error is the only one whose source chain says so.
            let text = format!("{error:?}");
            if text.contains("LengthLimit") {
                Err(too_large())
            } else {
                Err(ApiError::bad_request(
                    "bad_body",
                    format!("cannot read the request body: {error}"),
                ))
            }
        }
    }
}

async fn align(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let body = read_body(&headers, body, state.settings.max_upload).await?;
    let tmp = state.settings.data_dir.join("tmp");
    let _slot = state
        .align_slots
        .acquire()
        .await
        .map_err(ApiError::internal)?;
    let (answer, cells) = tokio::task::spawn_blocking(move || crate::align::align(&body, &tmp))
        .await
        .map_err(ApiError::internal)??;
    state.metrics.aligned_pair(cells);
    Ok(axum::Json(answer).into_response())
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}

async fn healthz() -> Response {
    axum::Json(json!({"status": "ok"})).into_response()
}

/// Ready: references were read at start (the server does not start otherwise), the data
/// directory takes a file, and the server is not shutting down.
async fn readyz(State(state): State<AppState>) -> Result<Response, ApiError> {
    if state.stopping.load(Ordering::Relaxed) {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "shutting down",
        ));
    }
    let probe = state
        .settings
        .data_dir
        .join("tmp")
        .join(format!("ready-{}", crate::store::random_hex(8)));
    let writable = tokio::task::spawn_blocking(move || {
        std::fs::write(&probe, b"ok").and_then(|()| std::fs::remove_file(&probe))
    })
    .await
    .map_err(ApiError::internal)?;
    if let Err(error) = writable {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            format!("the data directory is not writable: {error}"),
        ));
    }
    Ok(
        axum::Json(json!({"status": "ready", "references": "loaded", "data_dir": "writable"}))
            .into_response(),
    )
}

async fn metrics(State(state): State<AppState>) -> Response {
    let (counts, depth) = state.pool.counts();
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(&counts, depth),
    )
        .into_response()
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route (see /v1/openapi.json)")
}
