//! The streaming reader: every bad-input case gives its typed error with file, record and
//! line; random files round-trip against a one-line-per-rule reference reader.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use proptest::prelude::*;
use wildtype_aligner::fasta::{FastaError, FastaErrorKind, OwnedRecord, ReaderOptions, read_all};

fn read_with(options: ReaderOptions, input: &[u8]) -> Vec<Result<OwnedRecord, FastaError>> {
    let mut reader = options
        .from_reader("in.fa", std::io::Cursor::new(input.to_vec()))
        .unwrap();
    let mut out = Vec::new();
    while let Some(record) = reader.next_record() {
        out.push(record.map(|r| r.to_owned_record()));
    }
    out
}

fn read(input: &[u8]) -> Vec<Result<OwnedRecord, FastaError>> {
    read_with(ReaderOptions::new(), input)
}

/// The kind, line and record of the first error, panicking (in the test) when there is none.
fn first_error(
    results: &[Result<OwnedRecord, FastaError>],
) -> (FastaErrorKind, Option<usize>, String) {
    for result in results {
        if let Err(e) = result {
            return (
                e.kind().clone(),
                e.line(),
                e.record().unwrap_or("").to_string(),
            );
        }
        if let Err(other) = result {
            panic!("not a FASTA error: {other}");
        }
    }
    panic!("no error in {results:?}");
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn strict() -> ReaderOptions {
    ReaderOptions::new().require_nonempty(true).unique_ids(true)
}

#[test]
fn sequence_before_header() {
    let results = read(b"\n\nMKV\n>a\nMK\n");
    assert_eq!(results.len(), 1);
    assert_eq!(
        first_error(&results),
        (FastaErrorKind::SequenceBeforeHeader, Some(3), String::new())
    );
}

#[test]
fn fastq_given_as_fasta() {
    let results = read(b"@r1\nACGT\n+\nIIII\n");
    assert_eq!(first_error(&results).0, FastaErrorKind::Fastq);
}

#[test]
fn binary_input() {
    let results = read(b">a\nMK\nM\0K\n");
    assert_eq!(
        first_error(&results),
        (
            FastaErrorKind::Binary { what: "a NUL byte" },
            Some(3),
            String::new()
        )
    );
    let bzip2 = ReaderOptions::new().from_reader("in.fa", &b"BZh91AY&SY"[..]);
    let Err(e) = bzip2 else {
        panic!("bzip2 accepted")
    };
    assert_eq!(
        *e.kind(),
        FastaErrorKind::Binary {
            what: "bzip2-compressed data"
        }
    );
}

#[test]
fn empty_sequences_are_records_unless_refused() {
    let input = b">a\n>b\n\n>c\nMK\n>d";
    let lenient = read(input);
    assert_eq!(lenient.len(), 4);
    assert!(lenient.iter().all(Result::is_ok));
    assert_eq!(lenient[3].as_ref().unwrap().id(), "d");

    let strict = read_with(strict(), input);
    let kinds: Vec<_> = strict
        .iter()
        .map(|r| match r {
            Err(e) => Some((e.kind().clone(), e.line(), e.record().map(String::from))),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds,
        [
            Some((
                FastaErrorKind::HeaderWithoutSequence,
                Some(1),
                Some("a".into())
            )),
            Some((FastaErrorKind::EmptySequence, Some(2), Some("b".into()))),
            None,
            Some((
                FastaErrorKind::HeaderWithoutSequence,
                Some(6),
                Some("d".into())
            )),
        ]
    );
}

#[test]
fn duplicate_ids_only_when_asked() {
    let input = b">a x\nMK\n>b\nMK\n>a y\nMK\n";
    assert!(read(input).iter().all(Result::is_ok));
    let results = read_with(strict(), input);
    assert_eq!(
        first_error(&results),
        (
            FastaErrorKind::DuplicateId { first_line: 1 },
            Some(5),
            "a".into()
        )
    );
    let message = results[2].as_ref().unwrap_err().to_string();
    assert_eq!(
        message,
        "in.fa: line 5: record 'a': duplicate id (first seen at line 1)"
    );
}

#[test]
fn truncated_gzip() {
    let mut data = Vec::new();
    for i in 0..2000 {
        data.extend_from_slice(format!(">r{i}\nMKVLAAGIVGLLLAACSHHHHHH\n").as_bytes());
    }
    let compressed = gzip(&data);
    let results = read(&compressed[..compressed.len() / 2]);
    assert!(results.len() < 2000);
    assert_eq!(first_error(&results).0, FastaErrorKind::TruncatedGzip);
    let whole = read(&compressed);
    assert_eq!(whole.len(), 2000);
    assert!(whole.iter().all(Result::is_ok));
}

#[test]
fn corrupt_gzip() {
    let mut compressed = gzip(b">a\nMKV\n");
    let last = compressed.len() - 6;
    compressed[last] ^= 0xff; // the CRC
    let results = read(&compressed);
    assert!(matches!(
        first_error(&results).0,
        FastaErrorKind::CorruptGzip | FastaErrorKind::TruncatedGzip
    ));
}

#[test]
fn crlf_lone_cr_and_no_final_newline() {
    let results = read(b">a desc\r\nMK\r\nV\rL\r\n>b\nMK");
    let a = results[0].as_ref().unwrap();
    assert_eq!(
        (a.id(), a.header(), a.seq(), a.line()),
        ("a", "a desc", &b"MKV\rL"[..], 1)
    );
    let b = results[1].as_ref().unwrap();
    assert_eq!((b.id(), b.seq(), b.line()), ("b", &b"MK"[..], 4));
}

#[test]
fn keeps_every_non_newline_byte() {
    let results = read(b">a\n m-k*.x \n\tZ\n");
    assert_eq!(results[0].as_ref().unwrap().seq(), b" m-k*.x \tZ");
}

#[test]
fn invalid_utf8_header_is_lossy() {
    let results = read(b">a\xff b\nMK\n");
    assert_eq!(results[0].as_ref().unwrap().header(), "a\u{fffd} b");
}

#[test]
fn records_longer_than_the_buffer() {
    let seq: Vec<u8> = (0..300_000)
        .map(|i| b"ACDEFGHIKLMNPQRSTVWY"[i % 20])
        .collect();
    let mut input = b">long\n".to_vec();
    input.extend_from_slice(&seq);
    input.extend_from_slice(b"\n>wrapped\n");
    for chunk in seq.chunks(61) {
        input.extend_from_slice(chunk);
        input.push(b'\n');
    }
    let results = read(&input);
    assert_eq!(results[0].as_ref().unwrap().seq(), &seq[..]);
    assert_eq!(results[1].as_ref().unwrap().seq(), &seq[..]);
    assert_eq!(results[1].as_ref().unwrap().line(), 3);
}

#[test]
fn read_all_and_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.fa.gz");
    std::fs::write(&path, gzip(b">a\nMK\n>b\nLV\n")).unwrap();
    let records = read_all(&path).unwrap();
    assert_eq!(records.len(), 2);
    let missing = read_all(dir.path().join("nope.fa")).unwrap_err();
    assert_eq!(*missing.kind(), FastaErrorKind::Io);
    assert!(missing.to_string().contains("nope.fa"));
}

/// One record as the reference reader sees it.
fn reference_parse(input: &[u8]) -> Vec<(String, Vec<u8>, usize)> {
    let mut out: Vec<(String, Vec<u8>, usize)> = Vec::new();
    for (n, line) in input.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(header) = line.strip_prefix(b">") {
            out.push((
                String::from_utf8_lossy(header).into_owned(),
                Vec::new(),
                n + 1,
            ));
        } else if let Some(last) = out.last_mut() {
            last.1.extend_from_slice(line);
        }
    }
    out
}

fn render(records: &[(String, Vec<u8>)], width: usize, crlf: bool, final_newline: bool) -> Vec<u8> {
    let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut out = Vec::new();
    for (header, seq) in records {
        out.push(b'>');
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(eol);
        for chunk in seq.chunks(width) {
            out.extend_from_slice(chunk);
            out.extend_from_slice(eol);
        }
    }
    if !final_newline && out.ends_with(eol) {
        out.truncate(out.len() - eol.len());
    }
    out
}

fn records_strategy() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    prop::collection::vec(
        (
            "[a-zA-Z0-9_|.]{1,12}( [ -~]{0,20})?",
            prop::collection::vec(prop::sample::select(b"ACGTNacgtn*-XMKLV".to_vec()), 0..400),
        ),
        0..20,
    )
}

proptest! {
    #[test]
    fn round_trips_any_line_width(
        records in records_strategy(),
        width in 1usize..130,
        crlf: bool,
        final_newline: bool,
        gz: bool,
    ) {
        let text = render(&records, width, crlf, final_newline);
        let input = if gz { gzip(&text) } else { text.clone() };
        let got: Vec<_> = read(&input)
            .into_iter()
            .map(|r| r.map(|r| (r.header().to_string(), r.seq().to_vec(), r.line())).unwrap())
            .collect();
        prop_assert_eq!(got, reference_parse(&text));
    }

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = read_with(strict(), &bytes);
        let _ = read(&gzip(&bytes));
    }
}

/// A UTF-8 byte-order mark is named as such, not as sequence data before the first header.
#[test]
fn byte_order_mark_is_named() {
    let results = read(b"\xef\xbb\xbf>a\nMK\n");
    let (kind, line, _) = first_error(&results);
    assert_eq!(kind, FastaErrorKind::ByteOrderMark { what: "UTF-8" });
    assert_eq!(line, Some(1));
    let Err(e) = &results[0] else { unreachable!() };
    assert!(e.to_string().contains("byte-order mark"), "{e}");
    let (kind, _, _) = first_error(&read(b"\xff\xfe>\x00a\x00"));
    assert_eq!(kind, FastaErrorKind::ByteOrderMark { what: "UTF-16" });
}

/// A file whose lines end in a carriage return alone is one line to a reader of line feeds:
/// it must be refused, not read as one record without residues.
#[test]
fn carriage_return_line_endings_are_refused() {
    let results = read(b">a\rMKV\r>b\rMK\r");
    let (kind, line, _) = first_error(&results);
    assert_eq!(kind, FastaErrorKind::CarriageReturnLineEndings);
    assert_eq!(line, Some(1));
    // CRLF and a stray CR inside a line stay readable.
    assert!(read(b">a\r\nMK\r\n").iter().all(Result::is_ok));
    assert!(read(b">a\nM\rK\n").iter().all(Result::is_ok));
}

/// Bytes after the last gzip member are named as trailing data, not as a truncated stream;
/// further gzip members and zero padding are read as gzip reads them.
#[test]
fn data_after_the_gzip_stream() {
    let mut compressed = gzip(b">a\nMKV\n");
    let offset = compressed.len() as u64;
    compressed.extend_from_slice(b"this is not gzip\n");
    let results = read(&compressed);
    let (kind, _, _) = first_error(&results);
    assert_eq!(kind, FastaErrorKind::TrailingGzipData { offset });
    let Some(Err(e)) = results.last() else {
        unreachable!()
    };
    assert!(
        e.to_string().contains("after the end of the gzip data"),
        "{e}"
    );

    let mut members = gzip(b">a\nMKV\n");
    members.extend_from_slice(&gzip(b">b\nLL\n"));
    let records = read(&members);
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(Result::is_ok));
    let mut padded = gzip(b">a\nMKV\n");
    padded.extend_from_slice(&[0; 512]);
    assert!(read(&padded).iter().all(Result::is_ok));
}

/// `;` comment lines are refused when asked (the pipeline asks), at their own line; by default
/// they are sequence lines, as water reads them.
#[test]
fn comment_lines_when_refused() {
    let options = || ReaderOptions::new().reject_comments(true);
    let results = read_with(options(), b">a\nMK\n;note\nLV\n");
    let (kind, line, record) = first_error(&results);
    assert_eq!(
        (kind, line, record.as_str()),
        (FastaErrorKind::CommentLine, Some(3), "a")
    );
    let (kind, line, _) = first_error(&read_with(options(), b";old style\n>a\nMK\n"));
    assert_eq!((kind, line), (FastaErrorKind::CommentLine, Some(1)));
    assert_eq!(read(b">a\nMK\n;x\n")[0].as_ref().unwrap().seq(), b"MK;x");
}
