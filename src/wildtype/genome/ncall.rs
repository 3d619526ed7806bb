//! The calls of a nucleotide copy: its differences from the reference, in reference
//! numbering, in two notations.
//!
//! **Ours** is HGVS-like with the `n.` prefix for RNA genes and promoters alike:
//! `n.2058A>G`, `n.1019_1020insA`, `n.1023del`, `n.1023_1025del`, `n.1018dup`,
//! `n.1018_1019dup`; positions are [`NucleotideReference::label`]s (promoter bases
//! `-N..=-1`, then `1`, `2`, ... for the gene). As HGVS requires, an insertion or deletion in
//! a repeat is placed at its 3'-most position (shifted over identical columns of the copy and
//! the reference), and an insertion that repeats the bases just before it is written as a
//! duplication. A stretch of bases other than `ACGT` in the copy (`N` runs) is a
//! [`NucleotideCallKind::Unknown`] call, `n.<first>_<last>?` (one base: `n.<position>?`):
//! unknown, not a mutation.
//!
//! **PointFinder's** (ResFinder 4.3.0, `PointFinder_results.txt`): the gene, a space, then
//! `r.` for an RNA gene and `n.` for a promoter: `23S r.2058A>G`, `23S r.1500delG`,
//! `23S r.1500_1502delGCA`, `ampC-promoter-size-53bp n.-42C>T`. PointFinder places an indel
//! in a repeat at its 5'-most position (as BLAST aligns it), and numbers an insertion one
//! base further 3' than HGVS does: an insertion between bases 1000 and 1001 of 23S is
//! `23S r.1001_1002insT`, one between promoter bases -16 and -15 is `n.-15_-14insGT`. These
//! were checked against the real PointFinder. PointFinder has no notation for unknown bases,
//! and calls the gene part of a promoter reference as codons (`p.` notation), so those calls
//! have no PointFinder notation here.

use std::ops::Range;

use super::nreference::NucleotideReference;
use super::species::GeneKind;
use crate::align::{Alignment, Op};

/// What a [`NucleotideCall`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NucleotideCallKind {
    /// One base of the reference replaced by another `ACGT` base.
    Substitution,
    /// Bases of the copy between two bases of the reference.
    Insertion,
    /// Bases of the reference missing from the copy.
    Deletion,
    /// Bases of the copy other than `ACGT` (`N`, IUPAC codes) against reference bases, or
    /// inserted: unknown, not a mutation.
    Unknown,
}

/// One difference between a copy and its reference.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::{find_nucleotide_genes, Contig, NucleotideCallKind, Species};
///
/// let species = Species::embedded("escherichia_coli").unwrap();
/// let rrl = species.genes().iter().find(|g| g.gene() == "23S").unwrap().nucleotides();
/// let mut copy = rrl.to_vec();
/// copy[2057] = b'G'; // A2058G
/// copy.remove(1499); // one G of a GG at 1500-1501
/// let genome = [b"CATG".repeat(50), copy].concat();
/// let copies = find_nucleotide_genes(&[Contig::new("c1", &genome)], &species.nucleotide_references()).unwrap();
/// let calls = copies[0].calls();
/// assert_eq!(calls.len(), 2);
/// assert_eq!((calls[0].kind(), calls[0].notation()), (NucleotideCallKind::Deletion, "n.1501del"));
/// assert_eq!(calls[0].pointfinder(), Some("23S r.1500delG"));
/// assert_eq!(calls[1].reference_range(), 2057..2058);
/// assert_eq!(calls[1].contig_range(), 200 + 2056..200 + 2057);
/// assert_eq!((calls[1].notation(), calls[1].pointfinder()), ("n.2058A>G", Some("23S r.2058A>G")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NucleotideCall {
    kind: NucleotideCallKind,
    reference_range: Range<usize>,
    reference_bases: Vec<u8>,
    copy_bases: Vec<u8>,
    contig_range: Range<usize>,
    notation: String,
    pointfinder: Option<String>,
}

impl NucleotideCall {
    /// Substitution, insertion, deletion or unknown.
    pub fn kind(&self) -> NucleotideCallKind {
        self.kind
    }

    /// Whether this is an [`NucleotideCallKind::Unknown`] stretch rather than a mutation.
    pub fn is_unknown(&self) -> bool {
        self.kind == NucleotideCallKind::Unknown
    }

    /// 0-based half-open range of the reference bases involved (HGVS placement): the
    /// substituted or deleted bases; for an insertion, the empty range at the base after it.
    pub fn reference_range(&self) -> Range<usize> {
        self.reference_range.clone()
    }

    /// The reference's bases in [`NucleotideCall::reference_range`].
    pub fn reference_bases(&self) -> &[u8] {
        &self.reference_bases
    }

    /// The copy's bases (upper case) put in their place: the new base, the inserted bases;
    /// empty for a deletion.
    pub fn copy_bases(&self) -> &[u8] {
        &self.copy_bases
    }

    /// 0-based half-open range on the contig as given of the copy's bases involved; for a
    /// deletion, the empty range where the bases are missing.
    pub fn contig_range(&self) -> Range<usize> {
        self.contig_range.clone()
    }

    /// Our HGVS-like notation (see the module notes): `n.2058A>G`.
    pub fn notation(&self) -> &str {
        &self.notation
    }

    /// PointFinder's notation, gene included (`23S r.2058A>G`); `None` for unknown bases and
    /// for calls in the gene part of a promoter reference.
    pub fn pointfinder(&self) -> Option<&str> {
        self.pointfinder.as_deref()
    }
}

/// Whether a base is one of `ACGT` (any case, `U` too).
fn is_base(base: u8) -> bool {
    matches!(base.to_ascii_uppercase(), b'A' | b'C' | b'G' | b'T' | b'U')
}

fn upper(bases: &[u8]) -> Vec<u8> {
    bases.iter().map(u8::to_ascii_uppercase).collect()
}

fn text(bases: &[u8]) -> String {
    String::from_utf8_lossy(bases).into_owned()
}

/// What the calls need to know about the copy.
pub(crate) struct CallContext<'a> {
    pub copy: &'a [u8],
    pub reference: &'a NucleotideReference,
    /// Maps a range of the copy (gene orientation) to the contig as given.
    pub locate: &'a dyn Fn(Range<usize>) -> Range<usize>,
}

/// What a stretch of alignment columns holds, before notation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Raw {
    Substitution,
    Unknown,
    Insertion,
    Deletion,
}

/// One difference as the alignment has it: its columns, copy bases and reference bases.
#[derive(Debug, Clone)]
struct Event {
    raw: Raw,
    columns: Range<usize>,
    copy: Range<usize>,
    reference: Range<usize>,
}

/// The differences column by column: one event per substitution, per run of unknown bases,
/// per insertion and per deletion.
fn events(copy: &[u8], alignment: &Alignment) -> Vec<Event> {
    let ops = alignment.ops();
    let (mut c, mut r) = (alignment.a_range().start, alignment.b_range().start);
    let mut events = Vec::new();
    let mut g = 0;
    while g < ops.len() {
        let (g0, c0, r0) = (g, c, r);
        let raw = match ops[g] {
            Op::Equal => {
                (g, c, r) = (g + 1, c + 1, r + 1);
                continue;
            }
            Op::Mismatch if is_base(copy[c]) => {
                (g, c, r) = (g + 1, c + 1, r + 1);
                Raw::Substitution
            }
            Op::Mismatch => {
                while g < ops.len() && ops[g] == Op::Mismatch && !is_base(copy[c]) {
                    (g, c, r) = (g + 1, c + 1, r + 1);
                }
                Raw::Unknown
            }
            Op::Insertion => {
                while g < ops.len() && ops[g] == Op::Insertion {
                    (g, c) = (g + 1, c + 1);
                }
                if copy[c0..c].iter().all(|&b| is_base(b)) {
                    Raw::Insertion
                } else {
                    Raw::Unknown
                }
            }
            Op::Deletion => {
                while g < ops.len() && ops[g] == Op::Deletion {
                    (g, r) = (g + 1, r + 1);
                }
                Raw::Deletion
            }
        };
        events.push(Event {
            raw,
            columns: g0..g,
            copy: c0..c,
            reference: r0..r,
        });
    }
    events
}

/// Joins unknown bases with the insertions, deletions and unknown bases next to them (no
/// identical column between): water often aligns a run of `N` as an insertion beside a
/// deletion, and where the bases are unknown so is the indel.
fn merge_unknown(events: Vec<Event>) -> Vec<Event> {
    let mut merged: Vec<Event> = Vec::new();
    for event in events {
        if let Some(last) = merged.last_mut() {
            let touching = last.columns.end == event.columns.start;
            let unknown = last.raw == Raw::Unknown || event.raw == Raw::Unknown;
            let indels = last.raw != Raw::Substitution && event.raw != Raw::Substitution;
            if touching && unknown && indels {
                last.raw = Raw::Unknown;
                last.columns.end = event.columns.end;
                last.copy.end = event.copy.end;
                last.reference.end = event.reference.end;
                continue;
            }
        }
        merged.push(event);
    }
    merged
}

/// Every call of an alignment of `context.copy` (a) against the reference (b).
pub(crate) fn calls(context: &CallContext<'_>, alignment: &Alignment) -> Vec<NucleotideCall> {
    let (copy, reference) = (context.copy, context.reference.bases());
    let ops = alignment.ops();
    let mut calls = Vec::new();
    for event in merge_unknown(events(copy, alignment)) {
        let Event {
            columns,
            copy: Range { start: c0, end: c },
            reference: Range { start: r0, end: r },
            ..
        } = event;
        // Whether the indel can move `t + 1` columns 3' (`right`) or 5': the column beyond it
        // is identical and holds the same base as the indel's far end.
        let movable = |t: usize, right: bool, sequence: &[u8], (start, end): (usize, usize)| {
            let column = if right {
                columns.end + t
            } else {
                columns.start.wrapping_sub(1 + t)
            };
            if column >= ops.len() || ops[column] != Op::Equal {
                return false;
            }
            let (a, b) = if right {
                (start + t, end + t)
            } else {
                (end - 1 - t, start - 1 - t)
            };
            sequence[a].eq_ignore_ascii_case(&sequence[b])
        };
        calls.push(match event.raw {
            Raw::Substitution => context.substitution(c0, r0),
            Raw::Unknown => context.unknown(c0..c, r0..r),
            Raw::Insertion => {
                let right = run(|t| movable(t, true, copy, (c0, c)));
                let left = run(|t| movable(t, false, copy, (c0, c)));
                context.insertion(c0..c, r, right, left)
            }
            Raw::Deletion => {
                let right = run(|t| movable(t, true, reference, (r0, r)));
                let left = run(|t| movable(t, false, reference, (r0, r)));
                context.deletion(r0..r, c, right, left)
            }
        });
    }
    calls
}

/// How many steps `can(0)`, `can(1)`, ... hold in a row.
fn run(can: impl Fn(usize) -> bool) -> usize {
    (0..).take_while(|&t| can(t)).count()
}

impl CallContext<'_> {
    fn label(&self, index: usize) -> i64 {
        self.reference.label(index)
    }

    /// `n.<first>` or `n.<first>_<last>` of a non-empty reference range.
    fn span(&self, range: &Range<usize>) -> String {
        if range.len() == 1 {
            format!("{}", self.label(range.start))
        } else {
            format!("{}_{}", self.label(range.start), self.label(range.end - 1))
        }
    }

    /// PointFinder's notation when the call lies in the part PointFinder calls as
    /// nucleotides (an RNA gene, or the promoter part of a promoter reference).
    fn pointfinder(&self, last_index: usize, change: impl FnOnce(i64) -> String) -> Option<String> {
        let (prefix, shift) = match self.reference.kind() {
            GeneKind::Promoter { promoter_length } if last_index >= promoter_length => {
                return None;
            }
            GeneKind::Promoter { promoter_length } => ("n.", promoter_length as i64),
            _ => ("r.", -1),
        };
        Some(format!(
            "{} {prefix}{}",
            self.reference.gene(),
            change(shift)
        ))
    }

    fn substitution(&self, c: usize, r: usize) -> NucleotideCall {
        let (from, to) = (self.reference.bases()[r], self.copy[c].to_ascii_uppercase());
        let change = format!("{}{}>{}", self.label(r), from as char, to as char);
        NucleotideCall {
            kind: NucleotideCallKind::Substitution,
            reference_range: r..r + 1,
            reference_bases: vec![from],
            copy_bases: vec![to],
            contig_range: (self.locate)(c..c + 1),
            notation: format!("n.{change}"),
            pointfinder: self.pointfinder(r, |_| change.clone()),
        }
    }

    fn unknown(&self, copy: Range<usize>, reference: Range<usize>) -> NucleotideCall {
        let notation = if reference.is_empty() {
            let (before, after) = (reference.start - 1, reference.start);
            format!(
                "n.{}_{}ins{}",
                self.label(before),
                self.label(after),
                text(&upper(&self.copy[copy.clone()]))
            )
        } else {
            format!("n.{}?", self.span(&reference))
        };
        NucleotideCall {
            kind: NucleotideCallKind::Unknown,
            reference_bases: self.reference.bases()[reference.clone()].to_vec(),
            reference_range: reference,
            copy_bases: upper(&self.copy[copy.clone()]),
            contig_range: (self.locate)(copy),
            notation,
            pointfinder: None,
        }
    }

    /// An insertion of `copy` before reference base `r`, which may move `right` columns 3'
    /// and `left` columns 5' over identical bases.
    fn insertion(&self, copy: Range<usize>, r: usize, right: usize, left: usize) -> NucleotideCall {
        let reference = self.reference.bases();
        let shifted = copy.start + right..copy.end + right;
        let (point, inserted) = (r + right, upper(&self.copy[shifted.clone()]));
        let length = inserted.len();
        let notation = if point >= length && reference[point - length..point] == inserted[..] {
            format!("n.{}dup", self.span(&(point - length..point)))
        } else {
            let (before, after) = (self.label(point - 1), self.label(point));
            format!("n.{before}_{after}ins{}", text(&inserted))
        };
        let pf_inserted = upper(&self.copy[copy.start - left..copy.end - left]);
        // PointFinder numbers an insertion before reference base `p` (0-based) `p+1_p+2` in
        // an RNA gene and `p-N_p-N+1` in a promoter of N bases: one base 3' of HGVS.
        let pf_point = r - left;
        let pointfinder = self.pointfinder(pf_point, |shift| {
            let first = if shift < 0 {
                pf_point as i64 + 1
            } else {
                pf_point as i64 - shift
            };
            format!("{first}_{}ins{}", first + 1, text(&pf_inserted))
        });
        NucleotideCall {
            kind: NucleotideCallKind::Insertion,
            reference_range: point..point,
            reference_bases: Vec::new(),
            copy_bases: inserted,
            contig_range: (self.locate)(shifted),
            notation,
            pointfinder,
        }
    }

    /// A deletion of reference bases `deleted` before copy base `c`, which may move `right`
    /// columns 3' and `left` columns 5' over identical bases.
    fn deletion(
        &self,
        deleted: Range<usize>,
        c: usize,
        right: usize,
        left: usize,
    ) -> NucleotideCall {
        let reference = self.reference.bases();
        let shifted = deleted.start + right..deleted.end + right;
        let pf = deleted.start - left..deleted.end - left;
        let pointfinder = self.pointfinder(pf.end - 1, |_| {
            format!("{}del{}", self.span(&pf), text(&reference[pf.clone()]))
        });
        NucleotideCall {
            kind: NucleotideCallKind::Deletion,
            notation: format!("n.{}del", self.span(&shifted)),
            reference_bases: reference[shifted.clone()].to_vec(),
            reference_range: shifted,
            copy_bases: Vec::new(),
            contig_range: (self.locate)(c + right..c + right),
            pointfinder,
        }
    }
}
