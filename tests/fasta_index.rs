//! `.fai` building and reading, IndexedFasta fetches and stale-index handling, without samtools:
//! typed errors for bad input, round trips on random line widths, no panics on junk.

use std::borrow::Cow;
use std::path::Path;

use proptest::prelude::*;
use wildtype_aligner::fasta::fai::{Index, Record};
use wildtype_aligner::fasta::{FastaErrorKind, IndexedFasta, Region, StaleIndex};

// The `faidx` drop-in lives with its example binary; these tests run it in process.
#[allow(dead_code)]
#[path = "../examples/faidx/cli.rs"]
mod faidx;

fn build_error(fasta: &[u8]) -> (FastaErrorKind, Option<usize>, Option<String>) {
    match Index::build_from_reader("x.fa", fasta) {
        Err(e) => (e.kind().clone(), e.line(), e.record().map(String::from)),
        other => panic!("expected a FASTA error, got {other:?}"),
    }
}

#[test]
fn build_refuses_what_samtools_refuses_with_typed_errors() {
    use FastaErrorKind::*;
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        build_error(b">a\nACG\nACGT\n"),
        (RaggedLines, Some(3), some("a"))
    );
    assert_eq!(
        build_error(b">a\nACGT\nAC\nACGT\n"),
        (RaggedLines, Some(4), some("a"))
    );
    assert_eq!(
        build_error(b">a\nAC\n>b\n"),
        (HeaderWithoutSequence, Some(3), some("b"))
    );
    assert_eq!(
        build_error(b">a\nAC\n>b"),
        (HeaderWithoutSequence, Some(3), some("b"))
    );
    assert_eq!(
        build_error(b"ACGT\n>a\nAC\n"),
        (SequenceBeforeHeader, Some(1), None)
    );
    assert_eq!(build_error(b"@a\nACGT\n+\nIIII\n"), (Fastq, Some(1), None));
    assert_eq!(
        build_error(b">a\nACGT\n\nAC\n"),
        (UnexpectedByte { byte: b'A' }, Some(4), some("a"))
    );
    assert_eq!(
        build_error(b"\r>a\nAC\n"),
        (LoneCarriageReturn, Some(1), None)
    );
    assert_eq!(build_error(b""), (NoRecords, Some(1), None));
    let strict = Index::builder().reject_duplicate_names(true);
    let Err(e) = strict.build_from_reader("x.fa", &b">a\nAC\n>a\nAC\n"[..]) else {
        panic!("duplicate accepted")
    };
    assert_eq!(*e.kind(), DuplicateId { first_line: 1 });
}

#[test]
fn build_warns_where_samtools_warns() {
    let index = Index::build_from_reader("x.fa", &b">a\n>b\nAC\n>b\nGG\n"[..]).unwrap();
    assert_eq!(index.records(), [Record::new("b", 2, 6, 2, 3)]);
    assert_eq!(index.warnings().len(), 2);
    assert!(index.warnings()[0].contains("'a' has no sequence"));
    assert!(index.warnings()[1].contains("duplicate sequence \"b\""));
}

/// Found by the `fasta_reader` fuzz target: a first sequence line of spaces or control bytes
/// gave LINEBASES 0 for a non-empty record (as samtools writes it, and then crashes fetching),
/// an index that `Index::read` refuses, so `IndexedFasta` opened the file once and never again.
#[test]
fn build_refuses_an_index_it_could_not_read_back() {
    for fasta in [&b">a\n  \nAa\nLV\n"[..], b">a\n\x11\x00\nAa\nLV\n"] {
        assert_eq!(
            build_error(fasta),
            (
                FastaErrorKind::NoBasesOnFirstLine,
                Some(2),
                Some("a".to_string())
            )
        );
    }
    // A record of only such a line is empty: LINEBASES 0 is then right (samtools writes the
    // same bytes) and reads back.
    let index = Index::build_from_reader("x.fa", &b">a\n  \n>b\nMK\n"[..]).unwrap();
    let mut text = Vec::new();
    index.write(&mut text).unwrap();
    assert_eq!(text, b"a\t0\t3\t0\t3\nb\t2\t9\t2\t3\n");
    assert_eq!(Index::read("x.fai", &text[..]).unwrap(), index);
}

#[test]
fn gzip_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.fa.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut encoder, b">a\nAC\n").unwrap();
    std::fs::write(&path, encoder.finish().unwrap()).unwrap();
    for err in [
        Index::build_from_path(&path).unwrap_err(),
        IndexedFasta::open(&path).unwrap_err(),
    ] {
        let e = &err;
        assert_eq!(*e.kind(), FastaErrorKind::GzipNotIndexable);
        assert!(err.to_string().contains("x.fa.gz"));
    }
}

#[test]
fn bad_index_lines_are_typed() {
    for (text, reason) in [
        (&b"a\t1\t2\t3\n"[..], "expected 5 columns"),
        (b"a\t1\t2\t3\t4\t5\n", "FASTQ"),
        (b"a\tx\t2\t3\t4\n", "not a non-negative integer"),
        (b"a\t9\t2\t5\t4\n", "exceed line width"),
        (b"a\t9\t2\t0\t4\n", "zero line bases"),
    ] {
        let err = Index::read("x.fai", text).unwrap_err();
        let e = &err;
        assert!(matches!(e.kind(), FastaErrorKind::BadIndexLine { .. }));
        assert!(err.to_string().contains(reason), "{err}");
        assert_eq!(e.line(), Some(1));
    }
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn stale_index_is_rebuilt_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.fa");
    let fai = Index::path_for(&path);
    write(&path, b">a\nACGT\nAC\n");
    IndexedFasta::open(&path).unwrap();
    assert_eq!(std::fs::read(&fai).unwrap(), b"a\t6\t3\t4\t5\n");

    // Same mtime order but different size: a record appended after indexing.
    write(&path, b">a\nACGT\nAC\n>b\nGG\n");
    let old = std::fs::File::options().write(true).open(&fai).unwrap();
    old.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .unwrap();
    let err = IndexedFasta::options()
        .stale_index(StaleIndex::Refuse)
        .open(&path)
        .unwrap_err();
    let e = &err;
    assert!(
        matches!(e.kind(), FastaErrorKind::StaleIndex { .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("after its last indexed record"),
        "{err}"
    );

    let rebuilt = IndexedFasta::open(&path).unwrap();
    assert_eq!(&rebuilt.fetch("b").unwrap()[..], b"GG");
    assert_eq!(
        std::fs::read(&fai).unwrap(),
        b"a\t6\t3\t4\t5\nb\t2\t14\t2\t3\n"
    );

    // FASTA newer than its index.
    write(&fai, b"a\t6\t3\t4\t5\n");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let err = IndexedFasta::options()
        .stale_index(StaleIndex::Refuse)
        .open(&path)
        .unwrap_err();
    assert!(err.to_string().contains("newer than its index"), "{err}");

    // Truncated FASTA.
    write(&fai, b"a\t6\t3\t4\t5\nb\t2\t14\t2\t3\n");
    write(&path, b">a\nACGT\nAC\n>b\n");
    std::fs::File::options()
        .write(true)
        .open(&fai)
        .unwrap()
        .set_modified(later + std::time::Duration::from_secs(60))
        .unwrap();
    let err = IndexedFasta::options()
        .stale_index(StaleIndex::Refuse)
        .open(&path)
        .unwrap_err();
    assert!(err.to_string().contains("ends at byte"), "{err}");
}

#[test]
fn fetches_borrow_one_line_and_copy_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.fa");
    write(&path, b">one\nMKVLAAGIV\n>wrapped\r\nMKVL\r\nAAGI\r\nV\r\n");
    let fasta = IndexedFasta::open(&path).unwrap();
    assert!(matches!(
        fasta.fetch("one").unwrap(),
        Cow::Borrowed(b"MKVLAAGIV")
    ));
    assert!(matches!(
        fasta.fetch_range("wrapped", 4..8).unwrap(),
        Cow::Borrowed(b"AAGI")
    ));
    let copied = fasta.fetch("wrapped").unwrap();
    assert!(matches!(copied, Cow::Owned(_)));
    assert_eq!(&copied[..], b"MKVLAAGIV");
    assert_eq!(&fasta.fetch_range("wrapped", 3..5).unwrap()[..], b"LA");
    assert_eq!(&fasta.fetch_range("wrapped", 2..2).unwrap()[..], b"");
    let e = fasta.fetch("nope").unwrap_err();
    assert_eq!(
        (e.kind(), e.record()),
        (&FastaErrorKind::UnknownName, Some("nope"))
    );
    let e = fasta.fetch_range("one", 5..10).unwrap_err();
    assert!(matches!(
        e.kind(),
        FastaErrorKind::RangeOutOfBounds { len: 9, .. }
    ));
    let region = Region::parse("wrapped:8-20", fasta.index()).unwrap();
    assert_eq!(&fasta.fetch_region(&region).unwrap()[..], b"IV");

    // Shared across threads.
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| assert_eq!(&fasta.fetch("wrapped").unwrap()[..], b"MKVLAAGIV"));
        }
    });
}

fn render(records: &[(String, Vec<u8>)], width: usize, crlf: bool) -> Vec<u8> {
    let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut out = Vec::new();
    for (name, seq) in records {
        out.push(b'>');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b" some description");
        out.extend_from_slice(eol);
        for line in seq.chunks(width) {
            out.extend_from_slice(line);
            out.extend_from_slice(eol);
        }
    }
    out
}

fn records_strategy() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    prop::collection::vec(
        prop::collection::vec(
            prop::sample::select(b"ACDEFGHIKLMNPQRSTVWXY*".to_vec()),
            1..300,
        ),
        1..12,
    )
    .prop_map(|seqs| {
        seqs.into_iter()
            .enumerate()
            .map(|(i, seq)| (format!("seq{i}"), seq))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn fetch_round_trips_any_line_width(
        records in records_strategy(),
        width in 1usize..100,
        crlf: bool,
        picks in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), any::<prop::sample::Index>()), 10),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.fa");
        std::fs::write(&path, render(&records, width, crlf)).unwrap();
        let fasta = IndexedFasta::open(&path).unwrap();
        // Written, read back, equal.
        let reread = Index::read_from_path(Index::path_for(&path)).unwrap();
        prop_assert_eq!(reread.records(), fasta.index().records());
        for (name, seq) in &records {
            prop_assert_eq!(&fasta.fetch(name).unwrap()[..], &seq[..]);
        }
        for (which, a, b) in picks {
            let (name, seq) = &records[which.index(records.len())];
            let (a, b) = (a.index(seq.len() + 1), b.index(seq.len() + 1));
            let range = a.min(b) as u64..a.max(b) as u64;
            let got = fasta.fetch_range(name, range.clone()).unwrap();
            prop_assert_eq!(&got[..], &seq[range.start as usize..range.end as usize]);
            let text = format!("{name}:{}-{}", range.start + 1, range.end);
            if range.start < range.end {
                let region = Region::parse(&text, fasta.index()).unwrap();
                prop_assert_eq!(&fasta.fetch_region(&region).unwrap()[..], &got[..]);
            }
        }
    }

    #[test]
    fn parsers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), text in "\\PC{0,40}") {
        let _ = Index::build_from_reader("x.fa", bytes.as_slice());
        let _ = Index::read("x.fai", bytes.as_slice());
        let index = Index::from_records(vec![Record::new("a", 10, 3, 4, 5), Record::new("a:1", 2, 20, 2, 3)]);
        let _ = Region::parse(&text, &index);
        let args: Vec<String> = text.split(' ').map(String::from).collect();
        let _ = faidx::Args::parse(args);
    }

    #[test]
    fn indexed_fasta_never_panics_on_junk(bytes in prop::collection::vec(any::<u8>(), 0..300), fai in "[a-c\\t0-9\\n]{0,60}") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.fa");
        std::fs::write(&path, &bytes).unwrap();
        std::fs::write(Index::path_for(&path), fai).unwrap();
        if let Ok(fasta) = IndexedFasta::options().write_index(false).open(&path) {
            let names: Vec<String> = fasta.names().map(String::from).collect();
            for name in names {
                let _ = fasta.fetch(&name);
                let _ = fasta.fetch_range(&name, 0..1);
            }
        }
    }
}

#[test]
fn faidx_option_letter_may_be_multibyte() {
    // Found by `parsers_never_panic`: `-` followed by a character of several bytes.
    for text in ["-𝓀", "-𝓀x", "-ß", "-é10"] {
        let result = faidx::Args::parse(vec![text.to_string(), "x.fa".to_string()]);
        assert!(result.is_err(), "{text} is not an option faidx knows");
    }
}

/// A writer whose reader has gone, as standard output is after `| head -1`.
struct ClosedPipe;

impl std::io::Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
}

/// samtools faidx dies quietly of SIGPIPE when its reader goes away (status 141 in the
/// shell); the drop-in stops the same way, without an error message.
#[test]
fn a_closed_pipe_stops_quietly_with_status_141() {
    let dir = tempfile::tempdir().unwrap();
    let fasta = dir.path().join("refs.fa");
    std::fs::write(&fasta, ">a\nMKVLAAGIV\n>b\nMKV\n").unwrap();
    let mut stderr = Vec::new();
    let args = [fasta.to_str().unwrap(), "a", "b"];
    assert_eq!(faidx::main(args, &mut ClosedPipe, &mut stderr), 141);
    assert!(stderr.is_empty(), "{}", String::from_utf8_lossy(&stderr));
}
