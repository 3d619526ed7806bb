//! `POST /v1/align`: one pair, aligned as the `water` drop-in aligns it.
//!
//! The request (JSON; unknown fields are refused):
//!
//! ```json
//! {"a": "MKTAYIAKQR", "b": "MKTAYLAKQR", "a_name": "query", "b_name": "subject",
//!  "gap_open": 10, "gap_extend": 0.5, "matrix": "EBLOSUM62", "srspair": true}
//! ```
//!
//! Only `a` and `b` are required. Without `matrix`, water's choice: EDNAFULL when `a` is
//! nucleotides, EBLOSUM62 otherwise; `matrix` names one of the two built-in matrices. Gap
//! penalties out of water's range are clamped, with water's warning in `warnings`. With
//! `"srspair": true` the answer's `srspair` field holds water's report, byte for byte what
//! the drop-in writes for files `a.fa` and `b.fa` holding the pair, run as `commandline` says
//! (only its `# Rundate:` line differs).

use std::io::Write;

use serde::Deserialize;
use serde_json::{Value, json};
use wildtype_aligner::align::{AlignError, Aligner};
use wildtype_aligner::scoring::{GapPenalties, Matrix};
use wildtype_aligner::seq::{self, NameCounter, SeqType, Sequence};

use crate::cli::{WaterArgs, run_to};
use crate::error::ApiError;

/// Longest sequence `/v1/align` takes (residues); the pair's cells are at most its square.
pub const MAX_RESIDUES: usize = 20_000;

/// The request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlignRequest {
    a: String,
    b: String,
    a_name: Option<String>,
    b_name: Option<String>,
    gap_open: Option<f32>,
    gap_extend: Option<f32>,
    matrix: Option<String>,
    #[serde(default)]
    srspair: bool,
}

/// The kernel the CPU runs for water's default scoring (for `wta_kernel_info`).
pub fn kernel_name() -> String {
    Aligner::builder().build().map_or_else(
        |_| "unknown".to_owned(),
        |aligner| aligner.kernel().name().to_owned(),
    )
}

fn check_name(field: &str, name: &str) -> Result<(), ApiError> {
    if name.is_empty() || name.len() > 64 || !name.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::bad_request(
            "bad_name",
            format!("{field}: must be 1 to 64 printable ASCII characters without spaces"),
        ));
    }
    if name.starts_with('>') || name.contains('|') {
        return Err(ApiError::bad_request(
            "bad_name",
            format!("{field}: must not start with '>' or hold '|'"),
        ));
    }
    Ok(())
}

/// The residues of a sequence field: letters and `*`, white space ignored.
fn residues(field: &str, text: &str) -> Result<Vec<u8>, ApiError> {
    let residues: Vec<u8> = text
        .bytes()
        .filter(|byte| !byte.is_ascii_whitespace())
        .collect();
    if residues.is_empty() {
        return Err(ApiError::bad_request(
            "empty_sequence",
            format!("{field}: the sequence is empty"),
        ));
    }
    if let Some(position) = residues
        .iter()
        .position(|&byte| !byte.is_ascii_alphabetic() && byte != b'*')
    {
        return Err(ApiError::bad_request(
            "bad_sequence",
            format!(
                "{field}: residue {} is {:?}: a sequence holds letters and '*' only",
                position + 1,
                residues[position] as char
            ),
        ));
    }
    if residues.len() > MAX_RESIDUES {
        return Err(ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "sequence_too_long",
            format!(
                "{field}: {} residues; /v1/align takes at most {MAX_RESIDUES} (run a job for more)",
                residues.len()
            ),
        ));
    }
    Ok(residues)
}

/// A parsed, checked request.
struct Pair {
    a: Sequence,
    b: Sequence,
    /// The FASTA files the drop-in would read.
    fasta: [String; 2],
    gap_open: f32,
    gap_extend: f32,
    matrix: Option<String>,
    srspair: bool,
}

fn parse(body: &[u8]) -> Result<Pair, ApiError> {
    let request: AlignRequest = serde_json::from_slice(body)
        .map_err(|error| ApiError::bad_request("bad_json", format!("request body: {error}")))?;
    let a_name = request.a_name.unwrap_or_else(|| "a".to_owned());
    let b_name = request.b_name.unwrap_or_else(|| "b".to_owned());
    check_name("a_name", &a_name)?;
    check_name("b_name", &b_name)?;
    let a_residues = residues("a", &request.a)?;
    let b_residues = residues("b", &request.b)?;
    for (field, value) in [
        ("gap_open", request.gap_open),
        ("gap_extend", request.gap_extend),
    ] {
        if value.is_some_and(|value| !value.is_finite()) {
            return Err(ApiError::bad_request(
                "bad_option",
                format!("{field}: not a finite number"),
            ));
        }
    }
    if let Some(matrix) = &request.matrix
        && !matches!(matrix.as_str(), "EBLOSUM62" | "EDNAFULL")
    {
        return Err(ApiError::bad_request(
            "unknown_matrix",
            format!("matrix: {matrix:?} is not a built-in matrix (EBLOSUM62, EDNAFULL)"),
        ));
    }
    let fasta = [
        format!(">{a_name}\n{}\n", String::from_utf8_lossy(&a_residues)),
        format!(">{b_name}\n{}\n", String::from_utf8_lossy(&b_residues)),
    ];
    let mut counter = NameCounter::new();
    let a = Sequence::from_fasta(&a_name, &a_residues, &mut counter)
        .map_err(|error| ApiError::bad_request("bad_name", format!("a_name: {error}")))?;
    let b = Sequence::from_fasta(&b_name, &b_residues, &mut counter)
        .map_err(|error| ApiError::bad_request("bad_name", format!("b_name: {error}")))?;
    Ok(Pair {
        a,
        b,
        fasta,
        gap_open: request.gap_open.unwrap_or(10.0),
        gap_extend: request.gap_extend.unwrap_or(0.5),
        matrix: request.matrix,
        srspair: request.srspair,
    })
}

/// Aligns the pair of `body`; `tmp` is where the srspair run's files go. Returns the answer
/// and the pair's DP cells.
pub fn align(body: &[u8], tmp: &std::path::Path) -> Result<(Value, u64), ApiError> {
    let mut pair = parse(body)?;
    let a_type = seq::detect_type(pair.a.residues());
    // water's matrix for a: EDNAFULL for nucleotides, EBLOSUM62 for proteins; -datafile
    // is passed to the drop-in only when the client chose another.
    let default_matrix = match a_type {
        SeqType::Nucleotide => "EDNAFULL",
        _ => "EBLOSUM62",
    };
    let matrix_name = pair
        .matrix
        .clone()
        .unwrap_or_else(|| default_matrix.to_owned());
    let matrix = match matrix_name.as_str() {
        "EDNAFULL" => Matrix::dnafull(),
        _ => Matrix::blosum62(),
    };
    if a_type == SeqType::Nucleotide {
        // As water: a nucleotide a needs a nucleotide b.
        if seq::detect_type(pair.b.residues()) != SeqType::Nucleotide {
            return Err(ApiError::bad_request(
                "bad_sequence",
                "b: Sequence is not nucleic (a is nucleotides)",
            ));
        }
        seq::to_nucleotide_display(pair.a.residues_mut());
        seq::to_nucleotide_display(pair.b.residues_mut());
    }
    let (gaps, warnings) = GapPenalties::clamped(pair.gap_open, pair.gap_extend);
    let aligner = Aligner::builder()
        .matrix(matrix)
        .gaps(gaps)
        .build()
        .map_err(|error| ApiError::bad_request("bad_option", error.to_string()))?;
    let (a, b) = (pair.a.residues(), pair.b.residues());
    let alignment = aligner.align(a, b).map_err(|error| match error {
        AlignError::TooBig { .. } => ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "too_big",
            "the pair is too big to align here",
        ),
        error => ApiError::bad_request("cannot_align", error.to_string()),
    })?;
    let (aligned_a, aligned_b) = alignment.aligned_rows(a, b).map_err(ApiError::internal)?;
    let stats = alignment.stats();
    let (a_range, b_range) = (alignment.a_range(), alignment.b_range());
    let mut commandline: Vec<String> = vec![
        "a.fa".into(),
        "b.fa".into(),
        "-gapopen".into(),
        pair.gap_open.to_string(),
        "-gapextend".into(),
        pair.gap_extend.to_string(),
    ];
    if matrix_name != default_matrix {
        commandline.extend(["-datafile".into(), matrix_name.clone()]);
    }
    commandline.extend([
        "-aformat".into(),
        "srspair".into(),
        "-stdout".into(),
        "-auto".into(),
    ]);
    let mut answer = json!({
        "score": alignment.score(),
        "a": {"name": pair.a.name(), "length": a.len(), "start": a_range.start + 1, "end": a_range.end},
        "b": {"name": pair.b.name(), "length": b.len(), "start": b_range.start + 1, "end": b_range.end},
        "aligned_a": String::from_utf8_lossy(&aligned_a),
        "aligned_b": String::from_utf8_lossy(&aligned_b),
        "cigar": alignment.cigar(),
        "length": stats.length(),
        "identity": stats.identity(),
        "similarity": stats.similarity(),
        "gaps": stats.gaps(),
        "matrix": matrix_name,
        "gap_open": gaps.open(),
        "gap_extend": gaps.extend(),
        "warnings": warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "commandline": commandline.join(" "),
    });
    if pair.srspair {
        answer["srspair"] = Value::String(srspair(&pair.fasta, &commandline, tmp)?);
    }
    Ok((answer, (a.len() as u64) * (b.len() as u64)))
}

/// The drop-in's report for the pair: its FASTA files written to a fresh directory under
/// `tmp`, then the drop-in run there on them.
fn srspair(
    fasta: &[String; 2],
    commandline: &[String],
    tmp: &std::path::Path,
) -> Result<String, ApiError> {
    let dir = tempfile::Builder::new()
        .prefix("align-")
        .tempdir_in(tmp)
        .map_err(ApiError::internal)?;
    for (name, text) in ["a.fa", "b.fa"].into_iter().zip(fasta) {
        std::fs::File::create(dir.path().join(name))
            .and_then(|mut file| file.write_all(text.as_bytes()))
            .map_err(ApiError::internal)?;
    }
    let args = WaterArgs::parse(commandline)
        .map_err(ApiError::internal)?
        .in_dir(dir.path());
    let mut out = Vec::new();
    run_to(&args, &mut out, &mut std::io::sink())
        .map_err(|error| ApiError::bad_request("cannot_align", error.to_string()))?;
    String::from_utf8(out).map_err(ApiError::internal)
}
