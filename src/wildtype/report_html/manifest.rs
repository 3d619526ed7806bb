//! What the report shows of `manifest.json`: read leniently (a key missing is shown as
//! missing), so that a gathered manifest, with its extra keys, reads the same way.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::{Error, Result};

/// One input file: role, path, bytes, SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Input {
    pub role: String,
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// The run-specific part of a manifest.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Timings {
    pub started_unix: Option<u64>,
    pub wall_seconds: Option<f64>,
    /// A gathered run's slowest shard.
    pub wall_seconds_max: Option<f64>,
    pub threads: Option<u64>,
    /// A gathered run's shard count.
    pub shards: Option<usize>,
}

/// The manifest's fields the report uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct ManifestSummary {
    pub tool: String,
    pub version: String,
    pub kernel: String,
    /// (name, value) of the settings shown: matrix, gap penalties as used.
    pub settings: Vec<(&'static str, String)>,
    /// (name, value) of `counts`' numbers, in the manifest's order.
    pub counts: Vec<(String, u64)>,
    pub per_tier: BTreeMap<String, u64>,
    pub per_status: BTreeMap<String, u64>,
    pub inputs: Vec<Input>,
    /// (gene, id, length) of the references used, in reference-set order.
    pub references: Vec<(String, String, usize)>,
    /// format, path, version, sha256, entries.
    pub catalogue: Option<Vec<(&'static str, String)>>,
    pub warning_counts: BTreeMap<String, u64>,
    pub outputs: Vec<String>,
    pub timings: Timings,
}

fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn numbers(value: &Value) -> BTreeMap<String, u64> {
    value
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(key, count)| Some((key.clone(), count.as_u64()?)))
        .collect()
}

impl ManifestSummary {
    pub(super) fn parse(path: &Path, bytes: &[u8]) -> Result<Self> {
        let value: Value = serde_json::from_slice(bytes).map_err(|error| Error::Input {
            path: path.to_owned(),
            message: format!("not a manifest: {error}"),
        })?;
        if !value.is_object() {
            return Err(Error::Input {
                path: path.to_owned(),
                message: "not a manifest: not a JSON object".into(),
            });
        }
        let parameters = &value["parameters"];
        let counts = &value["counts"];
        let mut summary = ManifestSummary {
            tool: text(&value["tool"]),
            version: text(&value["version"]),
            kernel: text(&value["kernel"]),
            settings: vec![
                ("matrix", text(&parameters["matrix"])),
                ("gap open (used)", text(&parameters["gap_open_used"])),
                ("gap extend (used)", text(&parameters["gap_extend_used"])),
            ],
            counts: counts
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(key, count)| Some((key.clone(), count.as_u64()?)))
                .collect(),
            per_tier: numbers(&counts["per_tier"]),
            per_status: numbers(&counts["per_status"]),
            warning_counts: numbers(&value["warning_counts"]),
            ..ManifestSummary::default()
        };
        summary.read_lists(&value);
        summary.timings = Timings {
            started_unix: value["started_unix"].as_u64(),
            wall_seconds: value["wall_time_seconds"].as_f64(),
            wall_seconds_max: value["wall_time_seconds_max"].as_f64(),
            threads: parameters["threads"].as_u64(),
            shards: value["shards"].as_array().map(Vec::len),
        };
        Ok(summary)
    }

    /// Inputs, references, catalogue and outputs.
    fn read_lists(&mut self, value: &Value) {
        let list = |key: &str| value[key].as_array().cloned().unwrap_or_default();
        self.inputs = list("inputs")
            .iter()
            .map(|input| Input {
                role: text(&input["role"]),
                path: text(&input["path"]),
                bytes: input["bytes"].as_u64().unwrap_or(0),
                sha256: text(&input["sha256"]),
            })
            .collect();
        self.references = list("references")
            .iter()
            .map(|reference| {
                (
                    text(&reference["gene"]),
                    text(&reference["id"]),
                    reference["length"].as_u64().unwrap_or(0) as usize,
                )
            })
            .collect();
        let catalogue = &value["catalogue"];
        if catalogue.is_object() {
            self.catalogue = Some(
                ["format", "path", "version", "sha256", "entries"]
                    .into_iter()
                    .map(|key| (key, text(&catalogue[key])))
                    .collect(),
            );
        }
        self.outputs = list("outputs").iter().map(text).collect();
    }
}
