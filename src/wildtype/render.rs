//! Table rows rendered straight into byte buffers: TSV lines and JSON lines of the per-target
//! records, with no per-row allocation.
//!
//! The JSON is byte for byte what `serde_json` writes for these records' fields (compact, in
//! the tables' column order, `null` for `None`, the quality fields inline): numbers go
//! through `serde_json`'s own formatter, strings through [`json_string`], which escapes
//! exactly the characters `serde_json` escapes.

use std::io::Write as _;
use std::sync::Arc;

use serde_json::ser::{CompactFormatter, Formatter};

use super::quality::Tier;
use super::records::{AlignmentRecord, MutationRecord};

/// A TSV field: tabs, line breaks and every other control byte turned to spaces.
#[inline]
pub(crate) fn tsv_text(out: &mut Vec<u8>, text: &str) {
    tsv_bytes(out, text.as_bytes());
}

/// [`tsv_text`] of text given as its UTF-8 bytes.
#[inline]
fn tsv_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    // Tabs and line ends would break the table; other control bytes (NUL, escape) would
    // reach whatever reads it. A check without early exit vectorizes.
    let special = |b: u8| b < 0x20 || b == 0x7f;
    let plain = !bytes.iter().fold(false, |any, &b| any | special(b));
    if plain {
        out.extend_from_slice(bytes);
        return;
    }
    out.extend(bytes.iter().map(|&b| if special(b) { b' ' } else { b }));
}

/// One TSV line of text fields.
pub(crate) fn tsv_line<S: AsRef<str>>(out: &mut Vec<u8>, fields: impl IntoIterator<Item = S>) {
    for (index, field) in fields.into_iter().enumerate() {
        if index > 0 {
            out.push(b'\t');
        }
        tsv_text(out, field.as_ref());
    }
    out.push(b'\n');
}

/// An unsigned integer in decimal.
#[inline]
fn integer(out: &mut Vec<u8>, value: u64) {
    // Positions, lengths and counts are nearly all below 10,000: their digits directly.
    if value < 10_000 {
        let value = value as u16;
        let digit = |d: u16| b'0' + (d % 10) as u8;
        match value {
            0..=9 => out.push(digit(value)),
            10..=99 => out.extend_from_slice(&[digit(value / 10), digit(value)]),
            100..=999 => {
                out.extend_from_slice(&[digit(value / 100), digit(value / 10), digit(value)]);
            }
            _ => out.extend_from_slice(&[
                digit(value / 1000),
                digit(value / 100),
                digit(value / 10),
                digit(value),
            ]),
        }
        return;
    }
    // Writing into a Vec cannot fail.
    let _ = CompactFormatter.write_u64(out, value);
}

/// A float as `serde_json` writes it (`null` when not finite).
fn json_float(out: &mut Vec<u8>, value: f64) {
    if value.is_finite() {
        let _ = CompactFormatter.write_f64(out, value);
    } else {
        out.extend_from_slice(b"null");
    }
}

/// A JSON string with `serde_json`'s escapes: `"`, `\`, and control characters (`\b`, `\t`,
/// `\n`, `\f`, `\r`, otherwise `\u00XX`).
pub(crate) fn json_string(out: &mut Vec<u8>, text: &str) {
    json_bytes(out, text.as_bytes());
}

/// [`json_string`] of text given as its UTF-8 bytes (only ASCII bytes are ever escaped).
fn json_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'"');
    // Almost every field needs no escape; a check without early exit vectorizes.
    let plain = !bytes.iter().fold(false, |escape, &b| {
        escape | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if plain {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut start = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        if byte >= 0x20 && byte != b'"' && byte != b'\\' {
            continue;
        }
        out.extend_from_slice(&bytes[start..at]);
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            other => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(other >> 4)]);
                out.push(HEX[usize::from(other & 0xf)]);
            }
        }
        start = at + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

fn json_option_string(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        Some(text) => json_string(out, text),
        None => out.extend_from_slice(b"null"),
    }
}

fn json_option_integer(out: &mut Vec<u8>, value: Option<u64>) {
    match value {
        Some(value) => integer(out, value),
        None => out.extend_from_slice(b"null"),
    }
}

/// A TSV field of an optional integer (empty for `None`).
fn tsv_option_integer(out: &mut Vec<u8>, value: Option<u64>) {
    if let Some(value) = value {
        integer(out, value);
    }
}

/// A float with a fixed number of decimals, as `format!("{value:.N}")` writes it.
///
/// The quality values are already rounded to `decimals` (the double nearest to k / 10^N); for
/// those the digits of k are the answer and are written directly. Anything else goes through
/// the standard formatter.
fn fixed(out: &mut Vec<u8>, value: f64, decimals: u32) {
    let unit = 10u64.pow(decimals);
    let scale = unit as f64;
    // Below 1e9 a double is within 1e-7 of k / 10^N, far from any rounding boundary.
    if value.is_sign_positive() && value < 1e9 {
        let scaled = (value * scale).round();
        if scaled / scale == value {
            let k = scaled as u64;
            integer(out, k / unit);
            out.push(b'.');
            let fraction = k % unit;
            let mut digit = unit / 10;
            while digit > 0 {
                out.push(b'0' + ((fraction / digit) % 10) as u8);
                digit /= 10;
            }
            return;
        }
    }
    let decimals = decimals as usize;
    let _ = write!(out, "{value:.decimals$}");
}

/// A score (a multiple of 0.5 for water's default penalties) as `format!("{value}")` writes it.
fn score(out: &mut Vec<u8>, value: f64) {
    if value.is_sign_positive() && value < 1e15 && (value * 2.0).fract() == 0.0 {
        let halves = (value * 2.0) as u64;
        integer(out, halves / 2);
        if halves % 2 == 1 {
            out.extend_from_slice(b".5");
        }
        return;
    }
    let _ = write!(out, "{value}");
}

fn widen(value: Option<usize>) -> Option<u64> {
    value.map(|v| v as u64)
}

/// The line of `alignments.tsv`.
pub(crate) fn alignment_tsv(out: &mut Vec<u8>, record: &AlignmentRecord) {
    let tab = |out: &mut Vec<u8>| out.push(b'\t');
    tsv_text(out, &record.accession);
    tab(out);
    tsv_text(out, record.gene.as_deref().unwrap_or(""));
    tab(out);
    tsv_text(out, record.reference.as_deref().unwrap_or(""));
    tab(out);
    tsv_text(out, &record.file);
    tab(out);
    integer(out, record.line as u64);
    tab(out);
    tsv_text(out, record.contig.as_deref().unwrap_or(""));
    tab(out);
    tsv_option_integer(out, record.contig_start);
    tab(out);
    tsv_option_integer(out, record.contig_end);
    tab(out);
    tsv_text(out, record.strand.as_deref().unwrap_or(""));
    tab(out);
    integer(out, record.target_length as u64);
    for value in [
        record.reference_length,
        record.target_start,
        record.target_end,
        record.reference_start,
        record.reference_end,
    ] {
        tab(out);
        tsv_option_integer(out, widen(value));
    }
    match &record.quality {
        Some(q) => {
            for (value, decimals) in [(q.identity, 2), (q.similarity, 2), (q.gaps, 2)] {
                tab(out);
                fixed(out, value, decimals);
            }
            tab(out);
            integer(out, q.alignment_length as u64);
            for value in [q.query_coverage, q.reference_coverage] {
                tab(out);
                fixed(out, value, 2);
            }
            tab(out);
            score(out, q.score);
            for value in [q.normalized_score, q.score_ratio] {
                tab(out);
                fixed(out, value, 4);
            }
        }
        None => out.extend_from_slice(b"\t\t\t\t\t\t\t\t\t"),
    }
    tab(out);
    out.extend_from_slice(record.tier.as_str().as_bytes());
    tab(out);
    tsv_text(out, record.cigar.as_deref().unwrap_or(""));
    tab(out);
    integer(out, record.mutations as u64);
    tab(out);
    integer(out, record.known_mutations as u64);
    tab(out);
    out.extend_from_slice(record.status.as_str().as_bytes());
    tab(out);
    tsv_text(out, &record.detail);
    out.push(b'\n');
}

/// The line of `alignments.jsonl`.
pub(crate) fn alignment_json(out: &mut Vec<u8>, record: &AlignmentRecord) {
    out.push(b'{');
    out.extend_from_slice(b"\"accession\":");
    json_string(out, &record.accession);
    out.extend_from_slice(b",\"gene\":");
    json_option_string(out, record.gene.as_deref());
    out.extend_from_slice(b",\"reference\":");
    json_option_string(out, record.reference.as_deref());
    out.extend_from_slice(b",\"file\":");
    json_string(out, &record.file);
    out.extend_from_slice(b",\"line\":");
    integer(out, record.line as u64);
    out.extend_from_slice(b",\"contig\":");
    json_option_string(out, record.contig.as_deref());
    out.extend_from_slice(b",\"contig_start\":");
    json_option_integer(out, record.contig_start);
    out.extend_from_slice(b",\"contig_end\":");
    json_option_integer(out, record.contig_end);
    out.extend_from_slice(b",\"strand\":");
    json_option_string(out, record.strand.as_deref());
    out.extend_from_slice(b",\"target_length\":");
    integer(out, record.target_length as u64);
    for (name, value) in [
        (&b",\"reference_length\":"[..], record.reference_length),
        (&b",\"target_start\":"[..], record.target_start),
        (&b",\"target_end\":"[..], record.target_end),
        (&b",\"reference_start\":"[..], record.reference_start),
        (&b",\"reference_end\":"[..], record.reference_end),
    ] {
        out.extend_from_slice(name);
        json_option_integer(out, widen(value));
    }
    // The quality fields are inline, and absent (not null) without an alignment.
    if let Some(q) = &record.quality {
        for (name, value) in [
            (&b",\"identity\":"[..], q.identity),
            (&b",\"similarity\":"[..], q.similarity),
            (&b",\"gaps\":"[..], q.gaps),
        ] {
            out.extend_from_slice(name);
            json_float(out, value);
        }
        out.extend_from_slice(b",\"alignment_length\":");
        integer(out, q.alignment_length as u64);
        for (name, value) in [
            (&b",\"query_coverage\":"[..], q.query_coverage),
            (&b",\"reference_coverage\":"[..], q.reference_coverage),
            (&b",\"score\":"[..], q.score),
            (&b",\"normalized_score\":"[..], q.normalized_score),
            (&b",\"score_ratio\":"[..], q.score_ratio),
        ] {
            out.extend_from_slice(name);
            json_float(out, value);
        }
    }
    out.extend_from_slice(b",\"tier\":");
    json_string(out, record.tier.as_str());
    out.extend_from_slice(b",\"cigar\":");
    json_option_string(out, record.cigar.as_deref());
    out.extend_from_slice(b",\"mutations\":");
    integer(out, record.mutations as u64);
    out.extend_from_slice(b",\"known_mutations\":");
    integer(out, record.known_mutations as u64);
    out.extend_from_slice(b",\"status\":");
    json_string(out, record.status.as_str());
    out.extend_from_slice(b",\"detail\":");
    json_string(out, &record.detail);
    out.extend_from_slice(b"}\n");
}

/// Renders a target's mutation rows, the fields they share (accession, gene, reference,
/// tier) once per target rather than once per row.
#[derive(Debug, Default)]
pub(crate) struct MutationRows {
    tsv: Vec<u8>,
    json: Vec<u8>,
    /// Whose shared fields `tsv` and `json` hold.
    of: Option<Shared>,
}

/// The fields a target's calls share: accession, gene, reference, tier.
type Shared = (Arc<str>, Arc<str>, Arc<str>, Tier);

impl MutationRows {
    /// Appends the lines of `mutations.tsv` and `mutations.jsonl` for one call.
    pub(crate) fn render(
        &mut self,
        tsv: &mut Vec<u8>,
        json: &mut Vec<u8>,
        mutation: &MutationRecord,
    ) {
        let same = matches!(
            &self.of,
            Some((accession, gene, reference, tier))
                if Arc::ptr_eq(accession, &mutation.accession)
                    && Arc::ptr_eq(gene, &mutation.gene)
                    && Arc::ptr_eq(reference, &mutation.reference)
                    && *tier == mutation.tier
        );
        if !same {
            self.tsv.clear();
            mutation_tsv_shared(&mut self.tsv, mutation);
            self.json.clear();
            mutation_json_shared(&mut self.json, mutation);
            self.of = Some((
                mutation.accession.clone(),
                mutation.gene.clone(),
                mutation.reference.clone(),
                mutation.tier,
            ));
        }
        tsv.extend_from_slice(&self.tsv);
        mutation_tsv_rest(tsv, mutation);
        json.extend_from_slice(&self.json);
        mutation_json_rest(json, mutation);
    }
}

/// The start of a `mutations.tsv` line: the fields every call of a target shares.
fn mutation_tsv_shared(out: &mut Vec<u8>, mutation: &MutationRecord) {
    let tab = |out: &mut Vec<u8>| out.push(b'\t');
    tsv_text(out, &mutation.accession);
    tab(out);
    tsv_text(out, &mutation.gene);
    tab(out);
    tsv_text(out, &mutation.reference);
    tab(out);
    out.extend_from_slice(mutation.tier.as_str().as_bytes());
    tab(out);
}

/// The rest of a `mutations.tsv` line, after [`mutation_tsv_shared`].
fn mutation_tsv_rest(out: &mut Vec<u8>, mutation: &MutationRecord) {
    let call = &mutation.call;
    let tab = |out: &mut Vec<u8>| out.push(b'\t');
    out.extend_from_slice(call.kind.as_str().as_bytes());
    tab(out);
    tsv_bytes(out, call.mutation.as_bytes());
    tab(out);
    tsv_bytes(out, call.hgvs.as_bytes());
    tab(out);
    integer(out, call.reference_start as u64);
    tab(out);
    integer(out, call.reference_end as u64);
    tab(out);
    tsv_text(out, &call.reference_residues);
    tab(out);
    tsv_text(out, &call.target_residues);
    tab(out);
    integer(out, call.target_position as u64);
    if has_no_extras(mutation) {
        // A protein call without a catalogue: seven empty fields, written at once.
        out.extend_from_slice(b"\t\t\t\t\t\t\t\t");
        tsv_bytes(out, pointfinder_bytes(mutation));
        out.push(b'\n');
        return;
    }
    tab(out);
    tsv_text(out, mutation.catalogue.unwrap_or(""));
    tab(out);
    tsv_text(out, mutation.catalogue_mutation.as_deref().unwrap_or(""));
    tab(out);
    tsv_option_integer(out, widen(mutation.catalogue_line));
    tab(out);
    tsv_text(out, mutation.annotation.as_deref().unwrap_or(""));
    tab(out);
    tsv_text(out, mutation.codon_change.as_deref().unwrap_or(""));
    tab(out);
    tsv_option_integer(out, widen(mutation.gene_position));
    tab(out);
    tsv_option_integer(out, mutation.contig_position);
    tab(out);
    tsv_bytes(out, pointfinder_bytes(mutation));
    out.push(b'\n');
}

/// A call's PointFinder notation, empty for none.
fn pointfinder_bytes(mutation: &MutationRecord) -> &[u8] {
    mutation
        .pointfinder
        .as_ref()
        .map_or(&b""[..], |text| text.as_bytes())
}

/// A call's PointFinder notation as JSON (`null` for none).
fn json_pointfinder(out: &mut Vec<u8>, mutation: &MutationRecord) {
    match &mutation.pointfinder {
        Some(text) => json_bytes(out, text.as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
}

/// Whether a call has none of the catalogue's and the genome's fields (every call of a
/// protein run without a catalogue): their columns are then written as one constant.
fn has_no_extras(mutation: &MutationRecord) -> bool {
    mutation.catalogue.is_none()
        && mutation.catalogue_mutation.is_none()
        && mutation.catalogue_line.is_none()
        && mutation.annotation.is_none()
        && mutation.codon_change.is_none()
        && mutation.gene_position.is_none()
        && mutation.contig_position.is_none()
}

/// The fields [`has_no_extras`] checks, all `null`, up to `pointfinder`'s value.
const NO_EXTRAS_JSON: &[u8] = b",\"catalogue\":null,\"catalogue_mutation\":null,\"catalogue_line\":null,\"annotation\":null,\"codon_change\":null,\"gene_position\":null,\"contig_position\":null,\"pointfinder\":";

/// The start of a `mutations.jsonl` line: the fields every call of a target shares.
fn mutation_json_shared(out: &mut Vec<u8>, mutation: &MutationRecord) {
    out.push(b'{');
    out.extend_from_slice(b"\"accession\":");
    json_string(out, &mutation.accession);
    out.extend_from_slice(b",\"gene\":");
    json_string(out, &mutation.gene);
    out.extend_from_slice(b",\"reference\":");
    json_string(out, &mutation.reference);
    out.extend_from_slice(b",\"tier\":");
    json_string(out, mutation.tier.as_str());
}

/// The rest of a `mutations.jsonl` line, after [`mutation_json_shared`].
fn mutation_json_rest(out: &mut Vec<u8>, mutation: &MutationRecord) {
    let call = &mutation.call;
    out.extend_from_slice(b",\"kind\":");
    json_string(out, call.kind.as_str());
    out.extend_from_slice(b",\"mutation\":");
    json_bytes(out, call.mutation.as_bytes());
    out.extend_from_slice(b",\"hgvs\":");
    json_bytes(out, call.hgvs.as_bytes());
    out.extend_from_slice(b",\"reference_start\":");
    integer(out, call.reference_start as u64);
    out.extend_from_slice(b",\"reference_end\":");
    integer(out, call.reference_end as u64);
    out.extend_from_slice(b",\"reference_residues\":");
    json_string(out, &call.reference_residues);
    out.extend_from_slice(b",\"target_residues\":");
    json_string(out, &call.target_residues);
    out.extend_from_slice(b",\"target_position\":");
    integer(out, call.target_position as u64);
    if has_no_extras(mutation) {
        out.extend_from_slice(NO_EXTRAS_JSON);
        json_pointfinder(out, mutation);
        out.extend_from_slice(b"}\n");
        return;
    }
    out.extend_from_slice(b",\"catalogue\":");
    json_option_string(out, mutation.catalogue);
    out.extend_from_slice(b",\"catalogue_mutation\":");
    json_option_string(out, mutation.catalogue_mutation.as_deref());
    out.extend_from_slice(b",\"catalogue_line\":");
    json_option_integer(out, widen(mutation.catalogue_line));
    out.extend_from_slice(b",\"annotation\":");
    json_option_string(out, mutation.annotation.as_deref());
    out.extend_from_slice(b",\"codon_change\":");
    json_option_string(out, mutation.codon_change.as_deref());
    out.extend_from_slice(b",\"gene_position\":");
    json_option_integer(out, widen(mutation.gene_position));
    out.extend_from_slice(b",\"contig_position\":");
    json_option_integer(out, mutation.contig_position);
    out.extend_from_slice(b",\"pointfinder\":");
    json_pointfinder(out, mutation);
    out.extend_from_slice(b"}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A NUL or escape byte in a header reached the tables raw.
    #[test]
    fn tsv_fields_hold_no_control_bytes() {
        let mut out = Vec::new();
        tsv_text(&mut out, "WP_1\0x\x1b[31m\tred\r\n\x7f");
        assert_eq!(out, b"WP_1 x [31m red   ");
        out.clear();
        tsv_text(&mut out, "blaTEM \u{fffd}");
        assert_eq!(out, "blaTEM \u{fffd}".as_bytes());
    }

    #[test]
    fn json_strings_match_serde_json() {
        for text in [
            "",
            "plain",
            "a\"b\\c",
            "tab\tnew\nline\r\x08\x0c",
            "\x01\x1f\x7f",
            "é ü",
        ] {
            let mut out = Vec::new();
            json_string(&mut out, text);
            assert_eq!(out, serde_json::to_vec(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn integers_match_the_standard_formatter() {
        let mut values: Vec<u64> = (0..=20_000).collect();
        values.extend([99_999, 100_000, 1 << 32, u64::MAX - 1, u64::MAX]);
        for value in values {
            let mut out = b"x".to_vec();
            integer(&mut out, value);
            assert_eq!(out, format!("x{value}").as_bytes(), "{value}");
        }
    }

    #[test]
    fn fixed_decimals_and_scores_match_the_standard_formatter() {
        let mut values = vec![
            0.0,
            -0.0,
            0.005,
            0.125,
            99.995,
            1e9,
            1e20,
            -3.25,
            f64::NAN,
            f64::INFINITY,
        ];
        for k in 0..20_000u32 {
            values.push(f64::from(k) / 100.0);
            values.push(f64::from(k) / 10_000.0);
            values.push(f64::from(k) * 0.37);
            values.push(f64::from(k) / 2.0);
        }
        for value in values {
            for decimals in [2, 4] {
                let mut out = Vec::new();
                fixed(&mut out, value, decimals);
                let expected = format!("{value:.prec$}", prec = decimals as usize);
                assert_eq!(String::from_utf8(out).unwrap(), expected);
            }
            let mut out = Vec::new();
            score(&mut out, value);
            assert_eq!(String::from_utf8(out).unwrap(), value.to_string());
        }
    }

    /// A call with none of the extra fields, then with each of them alone: the shortcut for
    /// "none" must write what the field-by-field path writes.
    fn calls_with_and_without_extras() -> Vec<MutationRecord> {
        use crate::wildtype::hgvs::Change;
        use crate::wildtype::mutation::{MutationCall, MutationKind};
        use std::borrow::Cow;
        let plain = MutationRecord {
            accession: Arc::from("WP_1\t\"x\""),
            gene: Arc::from("gyrA"),
            reference: Arc::from("gyrA_1"),
            tier: Tier::High,
            call: MutationCall {
                kind: MutationKind::Substitution,
                mutation: "S83L".into(),
                hgvs: "p.Ser83Leu".into(),
                reference_start: 83,
                reference_end: 83,
                reference_residues: Cow::Borrowed("S"),
                target_residues: Cow::Borrowed("L"),
                target_position: 84,
                change: Change::Substitution {
                    position: 83,
                    alt: b'L',
                },
            },
            catalogue: None,
            catalogue_mutation: None,
            catalogue_line: None,
            annotation: None,
            catalogue_index: None,
            codon_change: None,
            gene_position: None,
            contig_position: None,
            pointfinder: Some("gyrA p.S83L".into()),
        };
        let mut records = vec![plain.clone()];
        let edits: [fn(&mut MutationRecord); 8] = [
            |r| r.catalogue = Some("known"),
            |r| r.catalogue_mutation = Some("S83L".into()),
            |r| r.catalogue_line = Some(12),
            |r| r.annotation = Some("drug=ciprofloxacin".into()),
            |r| r.codon_change = Some("TCG>TTG".into()),
            |r| r.gene_position = Some(247),
            |r| r.contig_position = Some(1_234_567),
            |r| r.pointfinder = None,
        ];
        for edit in edits {
            let mut record = plain.clone();
            edit(&mut record);
            records.push(record);
        }
        records
    }

    #[test]
    fn mutation_lines_match_serde_json_and_the_columns_with_and_without_extras() {
        for record in calls_with_and_without_extras() {
            let (mut tsv, mut json) = (Vec::new(), Vec::new());
            MutationRows::default().render(&mut tsv, &mut json, &record);
            let call = &record.call;
            // serde_json's rendering of each value, in the columns' order.
            let value = |value: serde_json::Value| serde_json::to_string(&value).unwrap();
            let values = [
                value(record.accession.as_ref().into()),
                value(record.gene.as_ref().into()),
                value(record.reference.as_ref().into()),
                value(record.tier.as_str().into()),
                value(call.kind.as_str().into()),
                value(call.mutation.as_str().into()),
                value(call.hgvs.as_str().into()),
                value(call.reference_start.into()),
                value(call.reference_end.into()),
                value(call.reference_residues.as_ref().into()),
                value(call.target_residues.as_ref().into()),
                value(call.target_position.into()),
                value(record.catalogue.into()),
                value(record.catalogue_mutation.clone().into()),
                value(record.catalogue_line.into()),
                value(record.annotation.clone().into()),
                value(record.codon_change.clone().into()),
                value(record.gene_position.into()),
                value(record.contig_position.into()),
                value(record.pointfinder.as_deref().into()),
            ];
            let columns = crate::wildtype::records::MUTATION_COLUMNS;
            let members: Vec<String> = columns
                .iter()
                .zip(&values)
                .map(|(name, value)| format!("\"{name}\":{value}"))
                .collect();
            let expected = format!("{{{}}}\n", members.join(","));
            assert_eq!(String::from_utf8(json).unwrap(), expected);
            let text = |value: Option<String>| value.unwrap_or_default();
            let fields = [
                record.accession.to_string(),
                record.gene.to_string(),
                record.reference.to_string(),
                record.tier.as_str().to_owned(),
                call.kind.as_str().to_owned(),
                call.mutation.to_string(),
                call.hgvs.to_string(),
                call.reference_start.to_string(),
                call.reference_end.to_string(),
                call.reference_residues.to_string(),
                call.target_residues.to_string(),
                call.target_position.to_string(),
                text(record.catalogue.map(str::to_owned)),
                text(record.catalogue_mutation.clone()),
                text(record.catalogue_line.map(|v| v.to_string())),
                text(record.annotation.clone()),
                text(record.codon_change.clone()),
                text(record.gene_position.map(|v| v.to_string())),
                text(record.contig_position.map(|v| v.to_string())),
                text(record.pointfinder.as_deref().map(str::to_owned)),
            ];
            assert_eq!(
                fields.len(),
                crate::wildtype::records::MUTATION_COLUMNS.len()
            );
            let mut expected = Vec::new();
            tsv_line(&mut expected, &fields);
            assert_eq!(
                String::from_utf8(tsv).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
    }

    #[test]
    fn floats_match_serde_json() {
        for value in [
            0.0,
            100.0,
            97.92,
            4.941,
            0.9693,
            1423.0,
            1e-7,
            1e21,
            f64::NAN,
        ] {
            let mut out = Vec::new();
            json_float(&mut out, value);
            assert_eq!(out, serde_json::to_vec(&value).unwrap(), "{value}");
        }
    }
}
