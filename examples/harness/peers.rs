//! The peers the pipeline is measured against, run on the same targets: EMBOSS `water` (the
//! original pipeline's one process per target, and its fastest batch use), parasail (feature
//! `parasail`), and the check that this crate's reports equal the real water's.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rayon::prelude::*;

use super::{Error, Result, io_error};
use wildtype_aligner::wildtype::{PipelineConfig, Reference, ReferenceSet, run};

/// Time taken by a peer on some targets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeerTiming {
    /// Targets aligned.
    pub targets: usize,
    /// Cells of those targets.
    pub cells: u64,
    /// Wall seconds.
    pub seconds: f64,
}

/// (header, residues) of every record of a FASTA file (plain or gzip).
pub fn read_records(path: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let records = wildtype_aligner::fasta::read_all(path)?;
    Ok(records
        .into_iter()
        .map(|r| {
            let residues = wildtype_aligner::seq::strip_residues(r.seq());
            (r.header().trim().to_owned(), residues)
        })
        .collect())
}

/// The gene of a pipeline header (second `|` field).
fn gene_of(header: &str) -> Option<&str> {
    header.split_ascii_whitespace().next()?.split('|').nth(1)
}

/// The targets whose gene has a reference, with that reference.
fn paired<'a>(
    targets: &'a [(String, Vec<u8>)],
    references: &'a ReferenceSet,
) -> Vec<(&'a (String, Vec<u8>), &'a Reference)> {
    targets
        .iter()
        .filter(|(_, residues)| !residues.is_empty())
        .filter_map(|target| Some((target, references.get(gene_of(&target.0)?)?)))
        .collect()
}

fn write_one(path: &Path, header: &str, residues: &[u8]) -> Result<()> {
    super::synth::write_fasta(path, [(header, residues)])
}

fn pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::from(format!("cannot start worker threads: {e}")))
}

fn run_water(water: &Path, dir: &Path, args: &[&str]) -> Result<()> {
    let output = Command::new(water)
        .current_dir(dir)
        .args(args)
        .args(["-gapopen", "10", "-gapextend", "0.5", "-auto"])
        .output()
        .map_err(|source| io_error(water, source))?;
    if !output.status.success() {
        return Err(Error::from(format!(
            "water {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(())
}

/// EMBOSS water as the original pipeline ran it: one process per target,
/// `water -asequence target.fa -bsequence reference.fa -gapopen 10 -gapextend 0.5 -outfile x
/// -auto`, `threads` processes at a time. Files are written before the clock starts.
pub fn water_per_target(
    water: &Path,
    targets: &[(String, Vec<u8>)],
    references: &ReferenceSet,
    threads: usize,
    dir: &Path,
) -> Result<PeerTiming> {
    std::fs::create_dir_all(dir).map_err(|source| io_error(dir, source))?;
    let pairs = paired(targets, references);
    for reference in references.references() {
        write_one(
            &dir.join(format!("ref-{}.fa", reference.gene)),
            &reference.header,
            &reference.residues,
        )?;
    }
    for (index, ((header, residues), _)) in pairs.iter().enumerate() {
        write_one(&dir.join(format!("t{index}.fa")), header, residues)?;
    }
    let started = Instant::now();
    pool(threads)?.install(|| {
        pairs
            .par_iter()
            .enumerate()
            .with_max_len(1)
            .try_for_each(|(index, (_, reference))| {
                run_water(
                    water,
                    dir,
                    &[
                        "-asequence",
                        &format!("t{index}.fa"),
                        "-bsequence",
                        &format!("ref-{}.fa", reference.gene),
                        "-outfile",
                        &format!("t{index}.water"),
                    ],
                )
            })
    })?;
    Ok(PeerTiming {
        targets: pairs.len(),
        cells: cells(&pairs),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// EMBOSS water's fastest batch use: one process per reference, the reference as
/// `-asequence` and all of its targets as a multi-FASTA `-bsequence` (water aligns the first
/// a against every b), `threads` processes at a time.
pub fn water_batch(
    water: &Path,
    targets: &[(String, Vec<u8>)],
    references: &ReferenceSet,
    threads: usize,
    dir: &Path,
) -> Result<PeerTiming> {
    std::fs::create_dir_all(dir).map_err(|source| io_error(dir, source))?;
    let pairs = paired(targets, references);
    let mut genes: Vec<&Reference> = Vec::new();
    for reference in references.references() {
        let mine: Vec<(&str, &[u8])> = pairs
            .iter()
            .filter(|(_, r)| r.gene == reference.gene)
            .map(|((h, s), _)| (h.as_str(), s.as_slice()))
            .collect();
        if mine.is_empty() {
            continue;
        }
        write_one(
            &dir.join(format!("ref-{}.fa", reference.gene)),
            &reference.header,
            &reference.residues,
        )?;
        super::synth::write_fasta(&dir.join(format!("batch-{}.fa", reference.gene)), mine)?;
        genes.push(reference);
    }
    let started = Instant::now();
    pool(threads)?.install(|| {
        genes.par_iter().with_max_len(1).try_for_each(|reference| {
            run_water(
                water,
                dir,
                &[
                    "-asequence",
                    &format!("ref-{}.fa", reference.gene),
                    "-bsequence",
                    &format!("batch-{}.fa", reference.gene),
                    "-outfile",
                    &format!("batch-{}.water", reference.gene),
                ],
            )
        })
    })?;
    Ok(PeerTiming {
        targets: pairs.len(),
        cells: cells(&pairs),
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn cells(pairs: &[(&(String, Vec<u8>), &Reference)]) -> u64 {
    pairs
        .iter()
        .map(|((_, residues), reference)| residues.len() as u64 * reference.residues.len() as u64)
        .sum()
}

/// water's report without the lines that name the run (date, command line and its
/// continuation lines, report file), as the oracle tests compare reports.
pub fn comparable(report: &str) -> String {
    report
        .lines()
        .filter(|line| {
            !line.starts_with("# Rundate:")
                && !line.starts_with("# Commandline:")
                && !line.starts_with("#    ")
                && !line.starts_with("# Report_file:")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs the pipeline with per-pair reports on `targets` and the real water on each pair, and
/// compares the srspair text after the run-naming header lines. Returns how many pairs were
/// compared; any difference is an error naming the target and the first differing line.
pub fn check_against_water(
    water: &Path,
    targets: &[(String, Vec<u8>)],
    references_path: &Path,
    references: &ReferenceSet,
    dir: &Path,
) -> Result<usize> {
    std::fs::create_dir_all(dir).map_err(|source| io_error(dir, source))?;
    let pairs = paired(targets, references);
    let input = dir.join("check_proteins.fasta");
    super::synth::write_fasta(
        &input,
        pairs.iter().map(|((h, s), _)| (h.as_str(), s.as_slice())),
    )?;
    let out = dir.join("out");
    run(
        &PipelineConfig::new([&input], references_path, &out).write_alignments(true),
        &(),
    )?;
    for (index, ((header, residues), reference)) in pairs.iter().enumerate() {
        let a = format!("a{index}.fa");
        let b = format!("b{index}.fa");
        write_one(&dir.join(&a), header, residues)?;
        write_one(&dir.join(&b), &reference.header, &reference.residues)?;
        let expected = format!("expected{index}.water");
        run_water(
            water,
            dir,
            &["-asequence", &a, "-bsequence", &b, "-outfile", &expected],
        )?;
        let accession = header.split('|').next().unwrap_or("");
        let ours_path: PathBuf =
            out.join("alignments")
                .join(wildtype_aligner::wildtype::water_file_name(
                    accession,
                    &reference.gene,
                ));
        let read =
            |path: &Path| std::fs::read_to_string(path).map_err(|source| io_error(path, source));
        let (ours, theirs) = (
            comparable(&read(&ours_path)?),
            comparable(&read(&dir.join(&expected))?),
        );
        if ours != theirs {
            let line = ours
                .lines()
                .zip(theirs.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            return Err(Error::from(format!(
                "the crate's alignment of {accession} differs from water's (first at report line {}: ours {:?}, water {:?})",
                line + 1,
                ours.lines().nth(line).unwrap_or(""),
                theirs.lines().nth(line).unwrap_or("")
            )));
        }
    }
    Ok(pairs.len())
}

/// parasail as a peer for one query: striped 16-bit local alignment with water's 10/0.5 as
/// EBLOSUM62 doubled with open 20 / extend 1, the query's profile built once. parasail's
/// scores are Gotoh's, not water's (no edge quirks): the point is speed on the same work.
///
/// Overflow is handled as parasail's own `sat` entry points do: a 16-bit result flagged
/// saturated is computed again at 32 bits (counted in the caller's time).
#[cfg(feature = "parasail")]
pub struct Parasail {
    query: Vec<u8>,
    score16: parasail_rs::prelude::Aligner,
    score32: parasail_rs::prelude::Aligner,
    trace16: parasail_rs::prelude::Aligner,
    trace32: parasail_rs::prelude::Aligner,
}

#[cfg(feature = "parasail")]
impl Parasail {
    /// parasail's entry points for `query`: `sw_striped_profile_16` (score only) and
    /// `sw_trace_striped_profile_16` (trace table), with their 32-bit fallbacks.
    pub fn new(query: &[u8]) -> Result<Self> {
        use parasail_rs::prelude::{Aligner, Profile, SolutionWidth};

        let matrix = doubled_blosum62()?;
        let build = |width: SolutionWidth, bits: i32, trace: bool| -> Result<Aligner> {
            let profile = Profile::builder(query, &matrix)
                .solution_width(width)
                .build()
                .map_err(|e| Error::from(format!("parasail profile: {e}")))?;
            let mut builder = Aligner::new();
            builder.local().striped();
            if trace {
                builder.use_trace();
            }
            Ok(builder
                .solution_width(bits)
                .gap_open(20)
                .gap_extend(1)
                .profile(profile)
                .build())
        };
        Ok(Self {
            query: query.to_vec(),
            score16: build(SolutionWidth::Bit16, 16, false)?,
            score32: build(SolutionWidth::Bit32, 32, false)?,
            trace16: build(SolutionWidth::Bit16, 16, true)?,
            trace32: build(SolutionWidth::Bit32, 32, true)?,
        })
    }

    /// The local alignment score (in doubled units) and whether the 16-bit pass saturated.
    pub fn score(&self, target: &[u8]) -> Result<(i32, bool)> {
        let failed = |e: parasail_rs::prelude::Error| Error::from(format!("parasail: {e}"));
        let result = self.score16.align(None, target).map_err(failed)?;
        if !result.is_saturated() {
            return Ok((result.get_score(), false));
        }
        let result = self.score32.align(None, target).map_err(failed)?;
        Ok((result.get_score(), true))
    }

    /// The alignment as a CIGAR string: the trace pass, then parasail's traceback to a CIGAR
    /// (the cost of producing the alignment, not just its score); whether 16 bits saturated.
    pub fn trace(&self, target: &[u8]) -> Result<(String, bool)> {
        let failed = |e: parasail_rs::prelude::Error| Error::from(format!("parasail: {e}"));
        let mut saturated = false;
        let mut result = self.trace16.align(None, target).map_err(failed)?;
        if result.is_saturated() {
            saturated = true;
            result = self.trace32.align(None, target).map_err(failed)?;
        }
        let cigar = result.get_cigar(&self.query, target).map_err(failed)?;
        Ok((cigar, saturated))
    }
}

/// parasail ([`Parasail`]) on the same pairs as the pipeline, the reference's profile built
/// once: score only, then with traceback (trace table and CIGAR). Returns (score only, with
/// traceback).
#[cfg(feature = "parasail")]
pub fn parasail(
    targets: &[(String, Vec<u8>)],
    references: &ReferenceSet,
    threads: usize,
) -> Result<(PeerTiming, PeerTiming)> {
    let pairs = paired(targets, references);
    let total_cells = cells(&pairs);
    let pool = pool(threads)?;
    let mut score_seconds = 0.0;
    let mut trace_seconds = 0.0;
    for reference in references.references() {
        let mine: Vec<&[u8]> = pairs
            .iter()
            .filter(|(_, r)| r.gene == reference.gene)
            .map(|((_, s), _)| s.as_slice())
            .collect();
        if mine.is_empty() {
            continue;
        }
        let peer = Parasail::new(&reference.residues)?;
        let started = Instant::now();
        let sum: i64 = pool.install(|| {
            mine.par_iter()
                .map(|t| peer.score(t).map(|(score, _)| score as i64))
                .sum::<Result<i64>>()
        })?;
        score_seconds += started.elapsed().as_secs_f64();
        std::hint::black_box(sum);

        let started = Instant::now();
        let length: usize = pool.install(|| {
            mine.par_iter()
                .map(|t| peer.trace(t).map(|(cigar, _)| cigar.len()))
                .sum::<Result<usize>>()
        })?;
        trace_seconds += started.elapsed().as_secs_f64();
        std::hint::black_box(length);
    }
    let timing = |seconds| PeerTiming {
        targets: pairs.len(),
        cells: total_cells,
        seconds,
    };
    Ok((timing(score_seconds), timing(trace_seconds)))
}

/// EBLOSUM62 with every score doubled, as a parasail matrix (water's half-unit penalties in
/// integers).
#[cfg(feature = "parasail")]
fn doubled_blosum62() -> Result<parasail_rs::prelude::Matrix> {
    let text = include_str!("../../data/matrices/EBLOSUM62");
    let mut out = String::new();
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        let mut fields = line.split_whitespace();
        let first = fields.next().unwrap_or("");
        if line.starts_with(' ') {
            out.push_str(line);
        } else {
            out.push_str(first);
            for value in fields {
                let value: i32 = value
                    .parse()
                    .map_err(|_| Error::from(format!("EBLOSUM62: bad value {value}")))?;
                out.push_str(&format!(" {}", value * 2));
            }
        }
        out.push('\n');
    }
    let path = std::env::temp_dir().join(format!(
        "wta-eblosum62x2-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::write(&path, out).map_err(|source| io_error(&path, source))?;
    let matrix = parasail_rs::prelude::Matrix::from_file(&path.to_string_lossy())
        .map_err(|e| Error::from(format!("parasail matrix: {e}")));
    let _ = std::fs::remove_file(&path);
    matrix
}
