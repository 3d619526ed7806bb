//! The bacterial genetic code (NCBI translation table 11) and reverse complements.
//!
//! Table 11 assigns the same amino acids as the standard code; it differs in its start codons
//! (`ATG`, `GTG`, `TTG`, `CTG`, `ATT`, `ATC`, `ATA`), each read as `M` when it opens a coding
//! sequence. Bases may be upper or lower case; a codon holding anything but `A`, `C`, `G`,
//! `T` (or `U`), such as `N` or another IUPAC code, translates to `X`, even where all its
//! expansions would give one amino acid: an unknown base is reported as unknown.

/// Amino acids of the codons in `TCAG` order (`TTT`, `TTC`, `TTA`, `TTG`, `TCT`, ...).
const AMINO_ACIDS: &[u8; 64] = b"FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG";

/// Each byte's index in `TCAG` order (either case, `U` as `T`), 4 for anything else.
pub(crate) static BASE_INDEX: [u8; 256] = {
    let mut table = [4u8; 256];
    let bases = *b"TCAGtcagUu";
    let indices = [0u8, 1, 2, 3, 0, 1, 2, 3, 0, 0];
    let mut i = 0;
    while i < bases.len() {
        table[bases[i] as usize] = indices[i];
        i += 1;
    }
    table
};

/// The codon's index in `TCAG` order (0..64), `None` when a base is not `ACGTU`.
#[inline]
pub(crate) fn codon_index(codon: &[u8]) -> Option<usize> {
    let [first, second, third] = codon else {
        return None;
    };
    let (first, second, third) = (
        BASE_INDEX[*first as usize],
        BASE_INDEX[*second as usize],
        BASE_INDEX[*third as usize],
    );
    if (first | second | third) >= 4 {
        return None;
    }
    Some(usize::from(first) * 16 + usize::from(second) * 4 + usize::from(third))
}

/// The amino acid of one codon under table 11 (`*` for a stop, `X` when a base is not
/// `ACGTU` or the slice is not three bases long). Use [`translate`] for a whole coding
/// sequence, whose first codon follows the start-codon rule.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::translate_codon;
///
/// assert_eq!(translate_codon(b"TCG"), b'S');
/// assert_eq!(translate_codon(b"ttg"), b'L');
/// assert_eq!(translate_codon(b"TGA"), b'*');
/// assert_eq!(translate_codon(b"GNC"), b'X');
/// ```
pub fn translate_codon(codon: &[u8]) -> u8 {
    codon_index(codon).map_or(b'X', |index| AMINO_ACIDS[index])
}

/// Whether table 11 lets a coding sequence start with this codon (read there as `M`).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::is_start_codon;
///
/// assert!(is_start_codon(b"ATG") && is_start_codon(b"gtg") && is_start_codon(b"TTG"));
/// assert!(!is_start_codon(b"AAA") && !is_start_codon(b"ANG"));
/// ```
pub fn is_start_codon(codon: &[u8]) -> bool {
    codon_index(codon).is_some_and(|index| AMINO_ACIDS_START[index] == b'M')
}

/// Table 11's start codons marked `M` in `TCAG` order (as NCBI prints the table's `Starts`
/// line): `TTG`, `CTG`, `ATT`, `ATC`, `ATA`, `ATG`, `GTG`.
const AMINO_ACIDS_START: &[u8; 64] =
    b"---M---------------M------------MMMM---------------M------------";

/// Whether the codon is a stop codon (`TAA`, `TAG`, `TGA`) under table 11.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::is_stop_codon;
///
/// assert!(is_stop_codon(b"TAA") && is_stop_codon(b"tag") && is_stop_codon(b"TGA"));
/// assert!(!is_stop_codon(b"TGG") && !is_stop_codon(b"TNA"));
/// ```
pub fn is_stop_codon(codon: &[u8]) -> bool {
    translate_codon(codon) == b'*'
}

/// Translates a coding sequence with table 11, codon by codon from its first base: a start
/// codon in the first position is read as `M`, stops are written as `*` (a final stop
/// included), unknown bases give `X`, and one or two trailing bases are ignored.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::translate;
///
/// // GTG opens the gene as M; inside the gene it is V.
/// assert_eq!(translate(b"GTGGTGTCGNNNtaa"), b"MVSX*");
/// assert_eq!(translate(b"AAATAGAAAC"), b"K*K");
/// ```
pub fn translate(cds: &[u8]) -> Vec<u8> {
    let mut protein = Vec::with_capacity(cds.len() / 3);
    for (number, codon) in cds.chunks_exact(3).enumerate() {
        if number == 0 && is_start_codon(codon) {
            protein.push(b'M');
        } else {
            protein.push(translate_codon(codon));
        }
    }
    protein
}

/// The complement of one base: IUPAC codes map to their complements (`R`<->`Y`, `K`<->`M`,
/// `B`<->`V`, `D`<->`H`; `S`, `W`, `N` stay), case is kept, `U` pairs with `A`, and any other
/// byte is returned unchanged.
fn complement(base: u8) -> u8 {
    let upper = match base.to_ascii_uppercase() {
        b'A' => b'T',
        b'C' => b'G',
        b'G' => b'C',
        b'T' | b'U' => b'A',
        b'R' => b'Y',
        b'Y' => b'R',
        b'K' => b'M',
        b'M' => b'K',
        b'B' => b'V',
        b'V' => b'B',
        b'D' => b'H',
        b'H' => b'D',
        other => other,
    };
    if base.is_ascii_lowercase() {
        upper.to_ascii_lowercase()
    } else {
        upper
    }
}

/// The reverse complement of a nucleotide sequence (IUPAC codes complemented, case kept).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::reverse_complement;
///
/// assert_eq!(reverse_complement(b"ATGcgN"), b"NcgCAT");
/// assert_eq!(reverse_complement(b"ARYK"), b"MRYT");
/// ```
pub fn reverse_complement(sequence: &[u8]) -> Vec<u8> {
    sequence
        .iter()
        .rev()
        .map(|&base| complement(base))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every codon against NCBI's table 11 as it prints it (`AAs` and `Starts` lines, bases
    /// in TCAG order).
    #[test]
    fn whole_table_matches_ncbi_table_11() {
        let ncbi_aas = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG";
        let ncbi_starts = "---M------**--*----M------------MMMM---------------M------------";
        let bases = b"TCAG";
        for (index, (aa, start)) in ncbi_aas.bytes().zip(ncbi_starts.bytes()).enumerate() {
            let codon = [bases[index / 16], bases[index / 4 % 4], bases[index % 4]];
            assert_eq!(
                translate_codon(&codon),
                aa,
                "{}",
                String::from_utf8_lossy(&codon)
            );
            assert_eq!(is_start_codon(&codon), start == b'M');
            assert_eq!(is_stop_codon(&codon), aa == b'*');
        }
    }

    #[test]
    fn known_codons() {
        for (codon, aa) in [
            (&b"ATG"[..], b'M'),
            (b"TGG", b'W'),
            (b"TCG", b'S'),
            (b"TTG", b'L'),
            (b"GAC", b'D'),
            (b"AAA", b'K'),
            (b"TGA", b'*'),
            (b"TAG", b'*'),
            (b"TAA", b'*'),
            (b"auG", b'M'),
            (b"GGu", b'G'),
        ] {
            assert_eq!(translate_codon(codon), aa);
        }
    }

    #[test]
    fn unknown_and_ambiguous_codons_are_x() {
        // GCN is alanine whatever N is, but an unknown base stays unknown.
        for codon in [&b"GCN"[..], b"NNN", b"RAT", b"A-G", b"AT", b"ATGA"] {
            assert_eq!(translate_codon(codon), b'X');
            assert!(!is_start_codon(codon) && !is_stop_codon(codon));
        }
    }

    #[test]
    fn alternative_starts_are_m_only_in_first_position() {
        for start in [&b"GTG"[..], b"TTG", b"CTG", b"ATT", b"ATC", b"ATA", b"ATG"] {
            let cds = [start, start, b"TAA"].concat();
            let protein = translate(&cds);
            assert_eq!(protein[0], b'M');
            assert_eq!(protein[1], translate_codon(start));
            assert_eq!(protein[2], b'*');
        }
        assert_eq!(translate(b"AAAATG"), b"KM");
        assert_eq!(translate(b""), b"");
        assert_eq!(translate(b"AT"), b"");
    }

    #[test]
    fn reverse_complement_is_an_involution() {
        let sequence = b"ACGTRYKMBVDHSWNacgtrykmbvdhswn";
        assert_eq!(reverse_complement(&reverse_complement(sequence)), sequence);
        assert_eq!(reverse_complement(b"U"), b"A");
    }
}
