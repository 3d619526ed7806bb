//! The job routes: `POST /v1/jobs`, `GET /v1/jobs/{id}`, `GET /v1/jobs/{id}/files/{name}`,
//! `GET /v1/jobs/{id}/report` and `DELETE /v1/jobs/{id}`.
//!
//! `POST /v1/jobs` takes the FASTA file itself as the body (`curl --data-binary @x.faa`, plain
//! or gzip) and the pipeline's options in the query (see [`JobOptions`]). The upload is read
//! through the crate's FASTA reader before the job is queued, so malformed FASTA is the
//! client's `400`, naming the file by the name it gave and the line.

use std::path::Path;

use axum::body::Body;
use axum::extract::{Path as UrlPath, Query, State as AxumState};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::References;
use crate::app::{AppState, JobTag, read_body};
use crate::error::ApiError;
use crate::options::{InputKind, JobOptions};
use crate::pool::{CancelOutcome, Entry, SubmitError, client_message};
use crate::store::{JobDir, State, is_job_id, is_plain_file_name, new_job_id};

/// Records an uploaded file may hold.
pub const MAX_RECORDS: usize = 100_000;
/// Longest protein of an upload of proteins or a proteome (residues).
pub const MAX_PROTEIN: usize = 100_000;
/// Seconds a client told `429` should wait.
const RETRY_AFTER: u64 = 5;

/// Checks at start that the references can be read (so that `/readyz` means it).
pub fn check_references(references: &References) -> Result<(), String> {
    use wildtype_aligner::wildtype::ReferenceSet;
    use wildtype_aligner::wildtype::genome::Species;
    let result = match references {
        References::Species(name) => Species::embedded(name).map(drop),
        References::Path(path) if path.join("genes.txt").is_file() => {
            Species::from_folder(path).map(drop)
        }
        References::Path(path) => ReferenceSet::from_path(path).map(drop),
    };
    result.map_err(|error| format!("references: {error}"))
}

/// The JSON view of a job.
pub fn view(entry: &Entry, dir: &JobDir) -> Value {
    let record = &entry.record;
    let mut view = json!({
        "id": record.id,
        "state": record.state.name(),
        "created_ms": record.created_ms,
        "started_ms": record.started_ms,
        "finished_ms": record.finished_ms,
        "input": record.input,
        "options": record.options,
        "attempts": record.attempts,
    });
    if record.state == State::Running {
        let (done, total) = entry.progress.counts();
        view["progress"] = json!({"done": done, "total": total});
        view["cancelling"] = Value::Bool(entry.progress.cancelling());
    }
    if let Some(error) = &record.error {
        view["error"] = Value::String(error.clone());
    }
    if let Some(summary) = &record.summary {
        view["summary"] = json!(summary);
    }
    if record.state == State::Done {
        view["files"] = json!(dir.outputs());
    }
    view
}

fn job_id(id: &str) -> Result<(), ApiError> {
    if is_job_id(id) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "bad_job_id",
            "a job id is 32 lower-case hexadecimal digits",
        ))
    }
}

/// `POST /v1/jobs`.
pub async fn submit(
    AxumState(state): AxumState<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let options = Query::<JobOptions>::try_from_uri(&uri)
        .map_err(|rejection| ApiError::bad_request("bad_option", rejection.body_text()))?
        .0;
    options
        .validate()
        .map_err(|message| ApiError::bad_request("bad_option", message))?;
    let pool = state.pool.clone();
    let full = || {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "queue_full",
            format!(
                "the queue holds {} jobs already; try again later",
                pool.settings().max_queue
            ),
        )
        .retry_after(RETRY_AFTER)
    };
    if !pool.has_room() {
        return Err(full());
    }
    let bytes = read_body(&headers, body, pool.settings().max_upload).await?;
    let id = new_job_id();
    let dir = JobDir::new(&pool.settings().data_dir, &id);
    let name = options.file_name();
    let kind = options.input;
    let check_dir = dir.clone();
    let checked =
        tokio::task::spawn_blocking(move || store_upload(&check_dir, &name, kind, &bytes))
            .await
            .map_err(ApiError::internal)?;
    if let Err(error) = checked {
        let _ = std::fs::remove_dir_all(dir.root());
        return Err(error);
    }
    let submitted = {
        let pool = pool.clone();
        let id = id.clone();
        let name = options.file_name();
        tokio::task::spawn_blocking(move || pool.submit(&id, name, options))
            .await
            .map_err(ApiError::internal)?
    };
    let record = match submitted {
        Ok(record) => record,
        Err(error) => {
            let _ = std::fs::remove_dir_all(dir.root());
            return Err(match error {
                SubmitError::QueueFull => full(),
                SubmitError::Stopping => ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "shutting_down",
                    "the server is shutting down",
                )
                .retry_after(RETRY_AFTER),
                SubmitError::Io(error) => ApiError::internal(error),
            });
        }
    };
    let entry = pool
        .get(&record.id)
        .ok_or_else(|| ApiError::internal("job vanished"))?;
    let mut response = (StatusCode::ACCEPTED, axum::Json(view(&entry, &dir))).into_response();
    response.headers_mut().insert(
        header::LOCATION,
        format!("/v1/jobs/{id}")
            .parse()
            .expect("a job path is a header value"),
    );
    response.extensions_mut().insert(JobTag(id));
    Ok(response)
}

/// Writes the upload under `input/` and reads it back through the FASTA reader.
fn store_upload(dir: &JobDir, name: &str, kind: InputKind, bytes: &[u8]) -> Result<(), ApiError> {
    let input = dir.input_dir();
    std::fs::create_dir_all(&input).map_err(ApiError::internal)?;
    let path = input.join(name);
    std::fs::write(&path, bytes).map_err(ApiError::internal)?;
    let bad = |message: String| ApiError::bad_request("bad_fasta", message);
    let records = wildtype_aligner::fasta::read_all(&path)
        .map_err(|error| bad(client_message(&error.to_string(), dir)))?;
    if records.is_empty() {
        return Err(bad(format!("{name}: no FASTA records")));
    }
    if records.len() > MAX_RECORDS {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_records",
            format!(
                "{name}: {} records; a job takes at most {MAX_RECORDS}",
                records.len()
            ),
        ));
    }
    if kind != InputKind::Genomes
        && let Some(record) = records
            .iter()
            .find(|record| record.seq().len() > MAX_PROTEIN)
    {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "sequence_too_long",
            format!(
                "{name}: line {}: a protein of {} residues; at most {MAX_PROTEIN}",
                record.line(),
                record.seq().len()
            ),
        ));
    }
    Ok(())
}

/// `GET /v1/jobs/{id}`.
pub async fn get(
    AxumState(state): AxumState<AppState>,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, ApiError> {
    job_id(&id)?;
    let entry = state
        .pool
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("no job {id}")))?;
    let dir = JobDir::new(&state.pool.settings().data_dir, &id);
    let mut response = axum::Json(view(&entry, &dir)).into_response();
    response.extensions_mut().insert(JobTag(id));
    Ok(response)
}

/// `DELETE /v1/jobs/{id}`.
pub async fn delete(
    AxumState(state): AxumState<AppState>,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, ApiError> {
    job_id(&id)?;
    let pool = state.pool.clone();
    let job = id.clone();
    let outcome = tokio::task::spawn_blocking(move || pool.cancel(&job))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let dir = JobDir::new(&state.pool.settings().data_dir, &id);
    let mut response = match outcome {
        CancelOutcome::NotFound => return Err(ApiError::not_found(format!("no job {id}"))),
        CancelOutcome::Removed => StatusCode::NO_CONTENT.into_response(),
        CancelOutcome::Cancelled | CancelOutcome::Cancelling => {
            let status = match outcome {
                CancelOutcome::Cancelling => StatusCode::ACCEPTED,
                _ => StatusCode::OK,
            };
            let entry = state
                .pool
                .get(&id)
                .ok_or_else(|| ApiError::not_found(format!("no job {id}")))?;
            (status, axum::Json(view(&entry, &dir))).into_response()
        }
    };
    response.extensions_mut().insert(JobTag(id));
    Ok(response)
}

/// `GET /v1/jobs/{id}/files/{name}`.
pub async fn file(
    AxumState(state): AxumState<AppState>,
    UrlPath((id, name)): UrlPath<(String, String)>,
) -> Result<Response, ApiError> {
    serve_output(&state, id, name).await
}

/// `GET /v1/jobs/{id}/report`.
pub async fn report(
    AxumState(state): AxumState<AppState>,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, ApiError> {
    serve_output(&state, id, "report.html".to_owned()).await
}

async fn serve_output(state: &AppState, id: String, name: String) -> Result<Response, ApiError> {
    job_id(&id)?;
    if !is_plain_file_name(&name) {
        return Err(ApiError::bad_request(
            "bad_file_name",
            format!("{name:?} is not a plain file name"),
        ));
    }
    let entry = state
        .pool
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("no job {id}")))?;
    if entry.record.state != State::Done {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_done",
            format!(
                "job {id} is {}; its files are served once it is done",
                entry.record.state.name()
            ),
        ));
    }
    let dir = JobDir::new(&state.pool.settings().data_dir, &id);
    if !dir.outputs().contains(&name) {
        return Err(ApiError::not_found(format!(
            "job {id} has no output {name:?} (see its \"files\")"
        )));
    }
    let bytes = tokio::fs::read(dir.out_dir().join(&name))
        .await
        .map_err(|error| match error.kind() {
            // Retention or a DELETE removed it between the check and the read.
            std::io::ErrorKind::NotFound => ApiError::not_found(format!("no job {id}")),
            _ => ApiError::internal(error),
        })?;
    let mut response = ([(header::CONTENT_TYPE, content_type(&name))], bytes).into_response();
    response.extensions_mut().insert(JobTag(id));
    Ok(response)
}

fn content_type(name: &str) -> &'static str {
    match Path::new(name).extension().and_then(|ext| ext.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("json") => "application/json",
        Some("jsonl") => "application/x-ndjson",
        Some("tsv") => "text/tab-separated-values; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    }
}
