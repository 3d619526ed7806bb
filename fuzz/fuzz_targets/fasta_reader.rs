//! FASTA input never panics and never allocates from a number it read: the streaming reader
//! (plain and gzip, with and without its checks), the `.fai` builder and reader, and
//! `IndexedFasta` driven by a hostile `.fai` whose LENGTH/OFFSET columns lie about the file.
//!
//! Input layout: one flag byte, then the FASTA bytes; when the flags ask for an index file, the
//! bytes after the first `\0FAI\0` marker are its text.
#![no_main]

use std::io::{Cursor, Write};
use std::path::PathBuf;
use std::sync::OnceLock;

use flate2::Compression;
use flate2::write::GzEncoder;
use libfuzzer_sys::fuzz_target;
use wildtype_aligner::fasta::fai::Index;
use wildtype_aligner::fasta::{IndexedFasta, ReaderOptions, Region, StaleIndex};

const GZIP: u8 = 1;
const REQUIRE_NONEMPTY: u8 = 2;
const UNIQUE_IDS: u8 = 4;
const INDEXED: u8 = 8;
const MEMORY_MAP: u8 = 16;
const FAI_MARKER: &[u8] = b"\0FAI\0";

fuzz_target!(|input: &[u8]| {
    let Some((&flags, rest)) = input.split_first() else {
        return;
    };
    let (fasta, fai) = match find(rest, FAI_MARKER) {
        Some(at) => (&rest[..at], Some(&rest[at + FAI_MARKER.len()..])),
        None => (rest, None),
    };

    stream(fasta, flags);
    let built = build_index(fasta);
    if let Some(fai) = fai {
        read_index(fai);
        if flags & INDEXED != 0 {
            indexed(fasta, fai, flags & MEMORY_MAP != 0);
        }
    }
    if let Some(index) = built {
        regions(&index, rest);
    }
});

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads every record; plain bytes (which may themselves look like a broken gzip stream) or
/// the same bytes gzipped, so the decoder path sees the fuzzer's text too.
fn stream(fasta: &[u8], flags: u8) {
    let bytes = if flags & GZIP != 0 {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(fasta).unwrap();
        encoder.finish().unwrap()
    } else {
        fasta.to_vec()
    };
    let options = ReaderOptions::new()
        .require_nonempty(flags & REQUIRE_NONEMPTY != 0)
        .unique_ids(flags & UNIQUE_IDS != 0);
    let Ok(mut reader) = options.from_reader("fuzz.fa", Cursor::new(bytes)) else {
        return;
    };
    let mut residues = 0usize;
    while let Some(record) = reader.next_record() {
        let Ok(record) = record else {
            // The first error ends the file for every caller; do not ask for more.
            break;
        };
        let _ = (record.id(), record.header(), record.line());
        residues += record.seq().len();
        let owned = record.to_owned_record();
        assert_eq!(owned.id(), record.id());
    }
    // Plain text: bases come out of the input, never more of them than bytes went in.
    if flags & GZIP == 0 && !fasta.starts_with(&[0x1f, 0x8b]) {
        assert!(residues <= fasta.len());
    }
}

/// Builds the index as samtools would; a built index must survive its own text format.
fn build_index(fasta: &[u8]) -> Option<Index> {
    let _ = Index::builder()
        .reject_duplicate_names(true)
        .build_from_reader("fuzz.fa", fasta);
    let index = Index::build_from_reader("fuzz.fa", fasta).ok()?;
    let mut text = Vec::new();
    index.write(&mut text).unwrap();
    let reread = Index::read("fuzz.fa.fai", &text[..]).expect("a written index reads back");
    assert_eq!(reread.records(), index.records());
    Some(index)
}

/// Reads hostile `.fai` text; what parses must write back to text that parses the same.
fn read_index(fai: &[u8]) {
    let Ok(index) = Index::read("fuzz.fa.fai", fai) else {
        return;
    };
    let mut text = Vec::new();
    index.write(&mut text).unwrap();
    let reread = Index::read("fuzz.fa.fai", &text[..]).expect("a written index reads back");
    assert_eq!(reread.records(), index.records());
    for record in index.records() {
        // The offset arithmetic must not overflow whatever the columns say.
        let _ = record.byte_span(0..record.length());
        let _ = record.position(record.length());
    }
}

/// Opens the FASTA with the hostile index next to it and fetches everything it names.
fn indexed(fasta: &[u8], fai: &[u8], memory_map: bool) {
    let path = scratch_dir().join("fuzz.fa");
    std::fs::write(&path, fasta).unwrap();
    // Written second, so never older than the FASTA: staleness is judged on content only.
    std::fs::write(Index::path_for(&path), fai).unwrap();
    let Ok(file) = IndexedFasta::options()
        .write_index(false)
        .stale_index(StaleIndex::Refuse)
        .memory_map(memory_map)
        .open(&path)
    else {
        return;
    };
    let names: Vec<(String, u64)> = file.lengths().map(|(n, l)| (n.to_owned(), l)).collect();
    for (name, length) in names {
        if let Ok(seq) = file.fetch(&name) {
            assert_eq!(seq.len() as u64, length);
        }
        let _ = file.fetch_range(&name, length / 3..length / 2);
        let _ = file.fetch_range(&name, length..length.saturating_add(1));
        let _ = file.fetch_region(&Region::new(name.clone(), 1..length.saturating_add(5)));
    }
}

/// samtools-style region strings (`name:begin-end`) against a real index.
fn regions(index: &Index, text: &[u8]) {
    let text = String::from_utf8_lossy(text);
    for line in text.lines().take(16) {
        let _ = Region::parse(line, index);
    }
}

/// One directory per fuzzing process, reused by every input.
fn scratch_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("wta-fuzz-fasta-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}
