//! The CIGAR string of an alignment, built in one pass over its ops.

use crate::align::{Alignment, Op};

/// The CIGAR string with `a` as the query, equal to [`Alignment::cigar`]: `=` identical
/// residues (case-insensitive), `X` other residue pairs, `I` residues of a only, `D` residues of
/// b only (a literal `-` residue counts as a gap, as in the aligned rows).
pub(crate) fn cigar(alignment: &Alignment, a: &[u8], b: &[u8]) -> String {
    let mut out = Vec::with_capacity(16);
    let mut residues_a = a[alignment.a_range()].iter().copied();
    let mut residues_b = b[alignment.b_range()].iter().copied();
    let mut run: Option<(u8, u64)> = None;
    for op in alignment.ops() {
        let (x, y) = match op {
            Op::Match => (residues_a.next(), residues_b.next()),
            Op::Insertion => (residues_a.next(), None),
            Op::Deletion => (None, residues_b.next()),
        };
        let (x, y) = (x.unwrap_or(b'-'), y.unwrap_or(b'-'));
        let symbol = match (x, y) {
            (b'-', _) => b'D',
            (_, b'-') => b'I',
            (x, y) if x.eq_ignore_ascii_case(&y) => b'=',
            _ => b'X',
        };
        run = match run {
            Some((current, count)) if current == symbol => Some((current, count + 1)),
            Some((current, count)) => {
                push_run(&mut out, count, current);
                Some((symbol, 1))
            }
            None => Some((symbol, 1)),
        };
    }
    if let Some((current, count)) = run {
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
        ] {
            let alignment = aligner.align(a, b).unwrap();
            assert_eq!(super::cigar(&alignment, a, b), alignment.cigar(a, b));
        }
    }
}
