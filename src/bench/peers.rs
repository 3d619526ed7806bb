//! The peers the pipeline is measured against, run on the same targets: EMBOSS `water` (the
//! original pipeline's one process per target, and its fastest batch use), parasail (feature
//! `parasail`), and the check that this crate's reports equal the real water's.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rayon::prelude::*;

use crate::wildtype::{PipelineConfig, Reference, ReferenceSet, run};
use crate::{Error, Result};

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
    let (records, _) = crate::wildtype::read_fasta("targets", path)?;
    Ok(records
        .into_iter()
        .map(|r| (r.header, r.residues))
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
        .map_err(|e| Error::Setting(format!("cannot start worker threads: {e}")))
}

fn run_water(water: &Path, dir: &Path, args: &[&str]) -> Result<()> {
    let output = Command::new(water)
        .current_dir(dir)
        .args(args)
        .args(["-gapopen", "10", "-gapextend", "0.5", "-auto"])
        .output()
        .map_err(|source| Error::io(water, source))?;
    if !output.status.success() {
        return Err(Error::Setting(format!(
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
    std::fs::create_dir_all(dir).map_err(|source| Error::io(dir, source))?;
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
    std::fs::create_dir_all(dir).map_err(|source| Error::io(dir, source))?;
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

/// water's report without the lines that name the run (date, command line, report file).
fn comparable(report: &str) -> String {
    report
        .lines()
        .filter(|line| {
            !line.starts_with("# Rundate:")
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
    std::fs::create_dir_all(dir).map_err(|source| Error::io(dir, source))?;
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
        let ours_path: PathBuf = out
            .join("alignments")
            .join(crate::wildtype::water_file_name(accession, &reference.gene));
        let read =
            |path: &Path| std::fs::read_to_string(path).map_err(|source| Error::io(path, source));
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
            return Err(Error::Sequence(format!(
                "the crate's alignment of {accession} differs from water's (first at report line {}: ours {:?}, water {:?})",
                line + 1,
                ours.lines().nth(line).unwrap_or(""),
                theirs.lines().nth(line).unwrap_or("")
            )));
        }
    }
    Ok(pairs.len())
}

/// parasail's striped 16-bit local alignment (saturating) on the same pairs, with water's
/// 10/0.5 as EBLOSUM62 doubled with open 20 / extend 1: score only (a profile of the reference
/// built once), then with traceback (trace table and CIGAR). parasail's scores are Gotoh's,
/// not water's (no edge quirks): the point is speed on the same work. Returns (score only,
/// with traceback).
#[cfg(feature = "parasail")]
pub fn parasail(
    targets: &[(String, Vec<u8>)],
    references: &ReferenceSet,
    threads: usize,
) -> Result<(PeerTiming, PeerTiming)> {
    use parasail_rs::prelude::{Aligner, Profile, SolutionWidth};

    let failed =
        |what: &str, e: &dyn std::fmt::Display| Error::Setting(format!("parasail {what}: {e}"));
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
        let matrix = doubled_blosum62()?;
        let profile = Profile::builder(&reference.residues, &matrix)
            .solution_width(SolutionWidth::Bit16)
            .build()
            .map_err(|e| failed("profile", &e))?;
        let scorer = Aligner::new()
            .local()
            .striped()
            .solution_width(16)
            .gap_open(20)
            .gap_extend(1)
            .profile(profile)
            .build();
        let started = Instant::now();
        let sum: i64 = pool
            .install(|| {
                mine.par_iter()
                    .map(|t| scorer.align(None, t).map(|a| a.get_score() as i64))
                    .collect::<std::result::Result<Vec<i64>, _>>()
                    .map(|scores| scores.into_iter().sum())
            })
            .map_err(|e| failed("align", &e))?;
        score_seconds += started.elapsed().as_secs_f64();
        std::hint::black_box(sum);

        let tracer = Aligner::new()
            .local()
            .striped()
            .use_trace()
            .solution_width(16)
            .gap_open(20)
            .gap_extend(1)
            .matrix(doubled_blosum62()?)
            .build();
        let started = Instant::now();
        let length: usize = pool
            .install(|| {
                mine.par_iter()
                    .map(|t| {
                        let alignment = tracer.align(Some(&reference.residues), t)?;
                        alignment
                            .get_cigar(&reference.residues, t)
                            .map(|cigar| cigar.len())
                    })
                    .collect::<std::result::Result<Vec<usize>, _>>()
                    .map(|lengths| lengths.into_iter().sum())
            })
            .map_err(|e| failed("traceback", &e))?;
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
                    .map_err(|_| Error::Setting(format!("EBLOSUM62: bad value {value}")))?;
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
    std::fs::write(&path, out).map_err(|source| Error::io(&path, source))?;
    let matrix = parasail_rs::prelude::Matrix::from_file(&path.to_string_lossy())
        .map_err(|e| Error::Setting(format!("parasail matrix: {e}")));
    let _ = std::fs::remove_file(&path);
    matrix
}
