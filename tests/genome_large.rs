//! A genome of one 50 Mb contig: searched whole, its gene found at the far end, in bounded
//! memory. A file of its own, so that the process's peak memory is this test's alone.

use std::io::Write;
use std::path::PathBuf;

use wildtype_aligner::wildtype::genome::Species;
use wildtype_aligner::wildtype::{PipelineConfig, Status, TargetResult, for_each_result};

/// Peak resident memory of this process, in MiB (Linux; `None` elsewhere).
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    Some(line.split_whitespace().next()?.parse::<f64>().ok()? / 1024.0)
}

#[test]
fn a_50_mb_contig_is_searched_whole_in_bounded_memory() {
    const LENGTH: usize = 50_000_000;
    let species = Species::embedded("escherichia_coli").unwrap();
    let mut gyra = species
        .genes()
        .iter()
        .find(|g| g.gene() == "gyrA")
        .unwrap()
        .nucleotides()
        .to_vec();
    gyra[247] = b'T'; // S83L
    let dir = std::env::temp_dir().join(format!("wta-genome-large-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path: PathBuf = dir.join("big.fasta");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        out.write_all(b">chromosome\n").unwrap();
        let mut state = 50u64;
        let mut line = Vec::with_capacity(81);
        let body = LENGTH - gyra.len() - 1000;
        let mut written = 0;
        // Random DNA (SplitMix64), then gyrA 1,000 bases before the contig's end.
        let mut push = |out: &mut std::io::BufWriter<std::fs::File>, base: u8| {
            line.push(base);
            if line.len() == 80 {
                line.push(b'\n');
                out.write_all(&line).unwrap();
                line.clear();
            }
        };
        let mut random = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            b"ACGT"[((z ^ (z >> 31)) % 4) as usize]
        };
        while written < body {
            push(&mut out, random());
            written += 1;
        }
        for &base in &gyra {
            push(&mut out, base);
        }
        for _ in 0..1000 {
            push(&mut out, random());
        }
        line.push(b'\n');
        out.write_all(&line).unwrap();
    }
    let before = peak_mib();
    let config = PipelineConfig::new(Vec::<PathBuf>::new(), "", dir.join("out"))
        .genomes([&path])
        .species("escherichia_coli")
        .threads(1);
    let mut results: Vec<TargetResult> = Vec::new();
    for_each_result(&config, &(), |result| {
        results.push(result);
        Ok(())
    })
    .unwrap();
    let gyr_a: Vec<&TargetResult> = results
        .iter()
        .filter(|r| r.record.gene.as_deref() == Some("gyrA"))
        .collect();
    assert_eq!(gyr_a.len(), 1);
    let record = &gyr_a[0].record;
    assert_eq!(record.status, Status::Ok);
    let start = (LENGTH - gyra.len() - 1000 + 1) as u64;
    assert_eq!(record.contig_start, Some(start));
    let calls: Vec<&str> = gyr_a[0]
        .mutations
        .iter()
        .map(|m| m.call.mutation.as_str())
        .collect();
    assert_eq!(calls, ["S83L"]);
    // Every other gene is an absent row.
    assert_eq!(
        results
            .iter()
            .filter(|r| r.record.status == Status::Absent)
            .count(),
        results.len() - 1
    );
    if let (Some(before), Some(after)) = (before, peak_mib()) {
        eprintln!("peak RSS: {before:.0} MiB before the run, {after:.0} MiB after");
        // The contig (50 MB) held once, plus the search's working memory (175 MiB measured).
        assert!(after < 300.0, "peak {after:.0} MiB for a 50 Mb genome");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
