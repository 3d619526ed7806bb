//! FASTA speed against noodles-fasta in the same run: records per second streaming (plain and
//! gzip, one-line and 60-column sequences) and fetches per second for IndexedFasta.
//!
//! Inputs are generated (20,000 protein records, 50-800 residues), so the bench runs anywhere;
//! `cargo bench --bench fasta` prints criterion's elements/s, which are records or fetches/s.

use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wildtype_aligner::fasta::{IndexedFasta, Reader, Region};

const RECORDS: usize = 20_000;
const FETCHES: usize = 1_000;

struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

/// FASTA text of `RECORDS` proteins; `width` 0 puts each sequence on one line.
fn fasta_text(width: usize) -> Vec<u8> {
    let mut rng = Lcg(42);
    let mut out = Vec::new();
    for i in 0..RECORDS {
        let len = 50 + rng.below(750) as usize;
        let seq: Vec<u8> = (0..len)
            .map(|_| b"ACDEFGHIKLMNPQRSTVWY"[rng.below(20) as usize])
            .collect();
        writeln!(out, ">prot{i}|gene{} synthetic protein", i % 97).unwrap();
        let chunk = if width == 0 { len } else { width };
        for line in seq.chunks(chunk) {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
    }
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn ours_count(input: &'static [u8]) -> usize {
    let mut reader = Reader::from_reader("bench", input).unwrap();
    let mut residues = 0;
    while let Some(record) = reader.next_record() {
        residues += record.unwrap().seq().len();
    }
    residues
}

fn noodles_count(input: &[u8]) -> usize {
    let mut reader = noodles_fasta::io::Reader::new(input);
    let mut residues = 0;
    for record in reader.records() {
        residues += record.unwrap().sequence().len();
    }
    residues
}

fn streaming(c: &mut Criterion) {
    let mut group = c.benchmark_group("fasta_stream");
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.sample_size(20);
    for (label, width) in [("one_line", 0), ("wrapped60", 60)] {
        // Leaked once so the reader can own a `'static` stream without a copy per iteration.
        let plain: &'static [u8] = Box::leak(fasta_text(width).into_boxed_slice());
        let gz: &'static [u8] = Box::leak(gzip(plain).into_boxed_slice());
        group.bench_function(format!("ours/{label}"), |b| {
            b.iter(|| black_box(ours_count(plain)))
        });
        group.bench_function(format!("ours_gzip/{label}"), |b| {
            b.iter(|| black_box(ours_count(gz)))
        });
        group.bench_function(format!("noodles/{label}"), |b| {
            b.iter(|| black_box(noodles_count(plain)))
        });
    }
    group.finish();
}

fn write_fasta(dir: &Path, width: usize) -> PathBuf {
    let path = dir.join(format!("bench{width}.fa"));
    std::fs::write(&path, fasta_text(width)).unwrap();
    path
}

fn fetching(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("fasta_fetch");
    group.throughput(Throughput::Elements(FETCHES as u64));
    for (label, width) in [("one_line", 0), ("wrapped60", 60)] {
        let path = write_fasta(dir.path(), width);
        let ours = IndexedFasta::open(&path).unwrap(); // also writes the .fai noodles reads
        let mut rng = Lcg(7);
        let mut queries = Vec::new();
        for _ in 0..FETCHES {
            let record = &ours.index().records()[rng.below(RECORDS as u64) as usize];
            let start = 1 + rng.below(record.length());
            let end = start + rng.below(record.length() - start + 1);
            let text = format!("{}:{start}-{end}", record.name());
            let region = Region::parse(&text, ours.index()).unwrap();
            let theirs: noodles_core::Region = text.parse().unwrap();
            queries.push((region, theirs));
        }
        group.bench_function(format!("ours/{label}"), |b| {
            b.iter(|| {
                let mut total = 0;
                for (region, _) in &queries {
                    total += ours.fetch_region(region).unwrap().len();
                }
                black_box(total)
            })
        });
        let mut noodles = noodles_fasta::io::indexed_reader::Builder::default()
            .build_from_path(&path)
            .unwrap();
        group.bench_function(format!("noodles/{label}"), |b| {
            b.iter(|| {
                let mut total = 0;
                for (_, region) in &queries {
                    total += noodles.query(region).unwrap().sequence().len();
                }
                black_box(total)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, streaming, fetching);
criterion_main!(benches);
