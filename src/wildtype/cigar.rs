//! The CIGAR string of an alignment, built in one pass over its ops.

use crate::align::{Alignment, Op};

/// The CIGAR string with `a` as the query, equal to [`Alignment::cigar`]: `=` identical
/// residues (case-insensitive), `X` other residue pairs, `I` residues of a only, `D` residues of
/// b only (a literal `-` residue counts as a gap, as in the aligned rows).
pub(crate) fn cigar(alignment: &Alignment, a: &[u8], b: &[u8]) -> String {
    let (a, b) = (&a[alignment.a_range()], &b[alignment.b_range()]);
    let residue = |sequence: &[u8], at: usize| sequence.get(at).copied().unwrap_or(b'-');
    let (mut at_a, mut at_b) = (0, 0);
    let mut out = Vec::with_capacity(16);
    let (mut current, mut count) = (0u8, 0u64);
    for op in alignment.ops() {
        let symbol = match op {
            Op::Match => {
                let (x, y) = (residue(a, at_a), residue(b, at_b));
                at_a += 1;
                at_b += 1;
                match (x, y) {
                    (b'-', _) => b'D',
                    (_, b'-') => b'I',
                    (x, y) if x.eq_ignore_ascii_case(&y) => b'=',
                    _ => b'X',
                }
            }
            Op::Insertion => {
                let x = residue(a, at_a);
                at_a += 1;
                if x == b'-' { b'D' } else { b'I' }
            }
            Op::Deletion => {
                at_b += 1;
                b'D'
            }
        };
        if symbol == current {
            count += 1;
        } else {
            if count > 0 {
                push_run(&mut out, count, current);
            }
            (current, count) = (symbol, 1);
        }
    }
    if count > 0 {
        push_run(&mut out, count, current);
    }
    // Digits and ASCII symbols only.
    String::from_utf8(out).unwrap_or_default()
}

fn push_run(out: &mut Vec<u8>, count: u64, symbol: u8) {
    use serde_json::ser::{CompactFormatter, Formatter};
    let _ = CompactFormatter.write_u64(out, count);
    out.push(symbol);
}

#[cfg(test)]
mod tests {
    use crate::align::Aligner;

    #[test]
    fn equals_the_alignments_own_cigar() {
        let aligner = Aligner::builder().build().unwrap();
        for (a, b) in [
            (
                &b"MKTAYIAKQRQISFVKSHFSRQ"[..],
                &b"MKTAYIAKQRQISFVKSHGGGGFSRQ"[..],
            ),
            (b"MKTAYIAKQRQISFVKSHGGGGFSRQ", b"MKTAYIAKQRQISFVKSHFSRQ"),
            (b"mktayiakqr", b"MKTAYLAKQR"),
            (b"WPWYGPC", b"WGAYC"),
            (b"MKT-AYIAKQRQ", b"MKTAYIAKQRQ"),
        ] {
            let alignment = aligner.align(a, b).unwrap();
            assert_eq!(super::cigar(&alignment, a, b), alignment.cigar(a, b));
        }
    }
}
