//! Shared fixtures for the pipeline tests: real references, a seeded generator and file helpers.
#![allow(dead_code)]

use std::path::Path;

/// Wild-type beta-lactamases translated from Debian's resfinder-db (`beta-lactam.fsa`), with
/// the stop codon kept as `*`: (gene, resfinder allele, protein).
pub const REFERENCES: &[(&str, &str, &str)] = &[
    (
        "blaTEM",
        "blaTEM-1B_1_AY458016",
        "MSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLGARVGYIELDLNSGKILESFRPEERFPMMSTFKVLLCGAVLSRVDAGQEQLGRRIHYSQNDLVEYSPVTEKHLTDGMTVRELCSAAITMSDNTAANLLLTTIGGPKELTAFLHNMGDHVTRLDRWEPELNEAIPNDERDTTMPAAMATTLRKLLTGELLTLASRQQLIDWMEADKVAGPLLRSALPAGWFIADKSGAGERGSRGIIAALGPDGKPSRIVVIYTTGSQATMDERNRQIAEIGASLIKHW*",
    ),
    (
        "blaCTX-M",
        "blaCTX-M-15_1_AY044436",
        "MVKKSLRQFTLMATATVTLLLGSVPLYAQTADVQQKLAELERQSGGRLGVALINTADNSQILYRADERFAMCSTSKVMAAAAVLKKSESEPNLLNQRVEIKKSDLVNYNPIAEKHVNGTMSLAELSAAALQYSDNVAMNKLIAHVGGPASVTAFARQLGDETFRLDRTEPTLNTAIPGDPRDTTSPRAMAQTLRNLTLGKALGDSQRAQLVTWMKGNTTGAASIQAGLPASWVVGDKTGSGGYGTTNDIAVIWPKDRAPLILVTYFTQPQPKAESRRDVLASAAKIVTDGL*",
    ),
    (
        "blaSHV",
        "blaSHV-1_1_AF148850",
        "MRYIRLCIISLLATLPLAVHASPQPLEQIKLSESQLSGRVGMIEMDLASGRTLTAWRADERFPMMSTFKVVLCGAVLARVDAGDEQLERKIHYRQQDLVDYSPVSEKHLADGMTVGELCAAAITMSDNSAANLLLATVGGPAGLTAFLRQIGDNVTRLDRWETELNEALPGDARDTTTPASMAATLRKLLTSQRLSARSQRQLLQWMVDDRVAGPLIRSVLPAGWFIADKTGAGERGARGIVALLGPNNKAERIVVIYLRDTPASMAERNQQIAGIGAALIEHWQR*",
    ),
    (
        "blaOXA-48",
        "blaOXA-48_1_AY236073",
        "MRVLALSAVFLVASIIGMPAVAKEWQENKSWNAHFTEHKSQGVVVLWNENKQQGFTNNLKRANQAFLPASTFKIPNSLIALDLGVVKDEHQVFKWDGQTRDIATWNRDHNLITAMKYSVVPVYQEFARQIGEARMSKMLHAFDYGNEDISGNVDSFWLDGGIRISATEQISFLRKLYHNKLHVSERSQRIVKQAMLTEANGDYIIRAKTGYSTRIEPKIGWWVGWVELDDNVWFFAMNMDMPTSDGLGLRQAITKEVLKQEKIIP*",
    ),
    (
        "blaKPC",
        "blaKPC-2_1_AY034847",
        "MSLYRRLVLLSCLSWPLAGFSATALTNLVAEPFAKLEQDFGGSIGVYAMDTGSGATVSYRAEERFPLCSSFKGFLAAAVLARSQQQAGLLDTPIRYGKNALVPWSPISEKYLTTGMTVAELSAAAVQYSDNAAANLLLKELGGPAGLTAFMRSIGDTTFRLDRWELELNSAIPGDARDTSSPRAVTESLQKLTLGSALAAPQRQQFVDWLKGNTTGNHRIRAAVPADWAVGDKTGTCGVYGTANDYAVVWPTGRAPIVLAVYTRAPNKDDKHSEAVIAAAARLALEGLGVNGQ*",
    ),
];

/// A small deterministic generator (xorshift64*), so failures reproduce.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A standard amino acid other than `not`.
    pub fn residue_except(&mut self, not: u8) -> u8 {
        const AMINO: &[u8] = b"ACDEFGHIKLMNPQRSTVWY";
        loop {
            let residue = AMINO[self.below(AMINO.len())];
            if residue != not.to_ascii_uppercase() {
                return residue;
            }
        }
    }
}

/// Writes `records` as FASTA (60 residues a line).
pub fn write_fasta(path: &Path, records: &[(String, Vec<u8>)]) {
    let mut text = String::new();
    for (header, residues) in records {
        text.push('>');
        text.push_str(header);
        text.push('\n');
        for line in residues.chunks(60) {
            text.push_str(std::str::from_utf8(line).unwrap());
            text.push('\n');
        }
    }
    std::fs::write(path, text).unwrap();
}

/// The bundled-style reference set: `>gene` headers.
pub fn reference_records() -> Vec<(String, Vec<u8>)> {
    REFERENCES
        .iter()
        .map(|(gene, _, protein)| (gene.to_string(), protein.as_bytes().to_vec()))
        .collect()
}

/// A target header in the pipeline's format.
pub fn target_header(accession: &str, gene: &str, length: usize) -> String {
    format!(
        "{accession}|{gene}|1-{}|+|contig_1|{:08x}",
        length * 3,
        length * 2654435761 % (1 << 32)
    )
}
