//! A long pair aligns in bounded memory: the alignment runs in a child process (this test
//! binary again) whose address space is limited to 700 MB. A 2,000,000-residue sequence holding
//! TEM-1 near its end, against TEM-1, went to the striped kernel, whose trace up to the end cell
//! (4 bytes a cell) asked for 2.3 GB and aborted; the bounded path needs about 20 MB.

#![cfg(target_os = "linux")]

use std::process::Command;

use wildtype_aligner::align::Aligner;

const TEM1: &[u8] =
    b"MSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLGARVGYIELDLNSGKILESFRPEERFPMMSTFKVLLCGAVL\
SRVDAGQEQLGRRIHYSQNDLVEYSPVTEKHLTDGMTVRELCSAAITMSDNTAANLLLTTIGGPKELTAFLHNMGDHVTRLDRWEPELNEAIP\
NDERDTTMPAAMATTLRKLLTGELLTLASRQQLIDWMEADKVAGPLLRSALPAGWFIADKSGAGERGSRGIIAALGPDGKPSRIVVIYTTGSQ\
ATMDERNRQIAEIGASLIKHW";

const LENGTH: usize = 2_000_000;
const CHILD: &str = "WTA_LONG_PAIR_CHILD";

/// The child's work: align the long pair and check it found the gene.
fn align_long_pair() {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let offset = LENGTH - TEM1.len() - 1_000;
    let mut long: Vec<u8> = (0..LENGTH)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            b"ACDEFGHIKLMNPQRSTVWY"[(state >> 33) as usize % 20]
        })
        .collect();
    long[offset..offset + TEM1.len()].copy_from_slice(TEM1);
    let aligner = Aligner::builder().build().unwrap();
    let alignment = aligner.align(&long, TEM1).unwrap();
    let itself = aligner.align(TEM1, TEM1).unwrap();
    assert_eq!(alignment.score(), itself.score());
    assert_eq!(alignment.a_range(), offset..offset + TEM1.len());
    assert_eq!(alignment.b_range(), 0..TEM1.len());
    assert_eq!(alignment.cigar(), itself.cigar());
}

#[test]
fn long_pair_aligns_in_bounded_memory() {
    if std::env::var_os(CHILD).is_some() {
        align_long_pair();
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let script = format!(
        "ulimit -v 700000 && exec '{}' long_pair_aligns_in_bounded_memory --exact \
         --test-threads 1 --nocapture",
        exe.display()
    );
    let out = Command::new("sh")
        .args(["-c", &script])
        .env(CHILD, "1")
        .output()
        .expect("sh starts");
    assert!(
        out.status.success(),
        "the child failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}
