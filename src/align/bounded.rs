//! Long pairs in bounded memory, with exactly the scalar engine's result.
//!
//! The scalar engine keeps H and the direction of every cell (5 bytes a cell): a 5 Mb target
//! against a 300-residue reference would need 7.5 GB, and the SIMD kernels' buffers grow with
//! the longer sequence times their lanes. A pair with more than [`BOUNDED_CELLS`] cells, or a
//! sequence longer than [`BOUNDED_SIDE`], is aligned here instead, in memory that grows with
//! the shorter sequence times the square root of the longer one.
//!
//! # How
//!
//! The matrix is cut into strips across the longer sequence: `strip` rows of a at a time
//! (every column of b) when a is the longer one, `strip` columns of b (every row) otherwise.
//! What one strip hands the next is small: the H values along the cut and the gap value running
//! across it (water's row gap E per row, or column gap F per column) plus the direction of the
//! edge cell (row 0 and column 0 keep no gap state: they need their neighbour's direction).
//!
//! 1. One pass over every strip computes each cell exactly as `scalar.rs` does (the same
//!    operations in the same precision; a cell's value depends only on its neighbours, not on
//!    the order in which cells are visited) and keeps: water's score (the largest unclamped
//!    interior value), the walk's start cell, and each strip's entry state (a checkpoint).
//! 2. water's walk runs over [`StripCells`], which recomputes the one strip the walk is in from
//!    its checkpoint, with H and directions, when the walk reaches it. The walk only moves up
//!    and left (its gap searches too), so each strip is recomputed at most once, and only the
//!    part up to the start cell.
//!
//! # The start cell
//!
//! water scans rows from the last to the first and columns from the last to the first, and
//! takes a cell whose H is larger than the best so far or within 1.192e-6 of it. When that
//! tolerance cannot join two different values (every H a whole multiple of a fixed-point unit,
//! or a largest H of at least [`EXACT_FROM`], where neighbouring `f32` values are further apart
//! than the tolerance), the scan picks the cell with the largest H and, among those, the
//! smallest row and then the smallest column; the pass keeps just that cell. Otherwise the pass
//! also keeps every positive cell within [`NEAR`] of the largest H and replays water's scan over
//! them in water's order; the replay is exact as long as its running best never comes within
//! the tolerance of `NEAR` below the largest H (it is checked; a pair where it does fails).
//!
//! # Memory
//!
//! With `L` the longer and `S` the shorter length, a strip of `sqrt(12 L / 5)` balances the
//! checkpoints (`L / strip` of `12 S` bytes) against the recomputed strip (`5 S` bytes a cell):
//! about `2 S sqrt(12 L)` bytes in all, 10 MB for 5 Mb against 300 residues. A pair that would
//! need more than [`MEMORY_LIMIT`] is not aligned ([`AlignError::TooBig`]).

use std::cell::RefCell;
use std::ops::Range;

use super::error::{AlignError, Result};
use super::scalar::{edge_cell, interior_cell};
use super::trace::{Cells, DIAG, LEFT, Penalties, Traceback, UP, walk};

/// Pairs with more cells than this are aligned in bounded memory (the full scalar matrices
/// would take 5 bytes a cell, 160 MiB here, and the kernels' traces 2 to 16 bytes a cell per
/// batch). Every pair of ordinary proteins (up to about 5,800 x 5,800 residues) stays below.
pub(crate) const BOUNDED_CELLS: usize = 1 << 25;

/// Pairs with a sequence longer than this are aligned in bounded memory whatever their cell
/// count: the SIMD kernels' profiles and columns grow with the longer sequence times their
/// lanes and the alphabet (the lane kernel's profile of a 65,536-residue target takes about
/// 100 MB).
pub(crate) const BOUNDED_SIDE: usize = 1 << 16;

/// The most memory one pair may take on the bounded path (checkpoints, one strip and the
/// start cell's candidates); a pair needing more fails alone with [`AlignError::TooBig`].
pub(crate) const MEMORY_LIMIT: usize = 256 << 20;

/// A largest H from which water's start-cell tolerance (1.192e-6) joins only equal values:
/// from 16 upwards neighbouring `f32` values are 1.9e-6 apart, and a value just below 16
/// cannot be within the tolerance of one above 17.
const EXACT_FROM: f32 = 17.0;

/// How far below the largest H a cell is kept as a candidate start when ties are not exact.
const NEAR: f32 = 0.01;

/// water's start-cell tolerance.
const TIE: f64 = 1.192e-6;

/// The most candidate start cells kept (24 bytes each).
const MAX_NEAR: usize = 1 << 20;

/// Whether a `la` x `lb` pair takes the bounded path when pairs of more than `cells` cells do.
pub(crate) fn needed(la: usize, lb: usize, cells: usize) -> bool {
    la.saturating_mul(lb) > cells || la.max(lb) > BOUNDED_SIDE
}

/// The state crossing a cut between two strips.
#[derive(Debug, Default, Clone)]
struct Boundary {
    /// H along the cut: `H(i, j0 - 1)` for every row (strips of columns), or `H(i0 - 1, j)`
    /// for every column (strips of rows).
    h: Vec<f32>,
    /// The gap running across the cut: the row gap entering column `j0` per row, or the column
    /// gap leaving row `i0 - 1` per column.
    gap: Vec<f64>,
    /// The direction of the edge cell on the cut: `D(0, j0 - 1)` or `D(i0 - 1, 0)`.
    edge_dir: u8,
}

/// One pair's DP: coded sequences, scores, penalties and the cut.
struct Dp<'a, S> {
    a: &'a [u8],
    b: &'a [u8],
    score: S,
    open: f32,
    extend: f32,
    /// Strips of rows (a is the longer sequence) rather than strips of columns.
    row_strips: bool,
    /// Rows or columns per strip.
    strip: usize,
}

impl<'a, S: Fn(u8, u8) -> f32> Dp<'a, S> {
    /// The pair cut into strips that fit `limit` bytes ([`AlignError::TooBig`] when none do).
    fn new(a: &'a [u8], b: &'a [u8], score: S, penalties: Penalties, limit: usize) -> Result<Self> {
        let (row_strips, strip) = plan(a.len(), b.len(), limit)?;
        Ok(Self {
            a,
            b,
            score,
            open: penalties.open,
            extend: penalties.extend,
            row_strips,
            strip,
        })
    }

    fn strips(&self) -> usize {
        self.long().div_ceil(self.strip)
    }

    fn long(&self) -> usize {
        if self.row_strips {
            self.a.len()
        } else {
            self.b.len()
        }
    }

    /// The rectangle of strip `k`, cut at `limit` (rows, columns).
    fn rectangle(&self, k: usize, limit: (usize, usize)) -> (Range<usize>, Range<usize>) {
        let start = k * self.strip;
        if self.row_strips {
            (start..(start + self.strip).min(limit.0), 0..limit.1)
        } else {
            (0..limit.0, start..(start + self.strip).min(limit.1))
        }
    }
}

/// The columns one strip's fill works on: `prev` and `cur` hold H at slot `1 + r` for row
/// `i0 + r` and the row above the strip at slot 0; `dir` the current column's directions.
#[derive(Debug, Default)]
struct Columns {
    prev: Vec<f32>,
    cur: Vec<f32>,
    dir: Vec<u8>,
    /// The row gap of each row of the strip.
    e: Vec<f64>,
}

/// The cells of one strip, kept for the walk (column by column).
#[derive(Debug, Default)]
struct Block {
    strip: Option<usize>,
    rows: Range<usize>,
    cols: Range<usize>,
    h: Vec<f32>,
    dir: Vec<u8>,
}

/// What a strip's fill leaves besides its cells' values.
struct Outputs<'a> {
    /// The state entering the next strip.
    exit: Option<&'a mut Boundary>,
    /// Every cell, for the walk.
    block: Option<&'a mut Block>,
    /// The score and the start cell.
    track: Option<&'a mut Tracker>,
}

/// Fills strip `rows` x `cols` (one of them starts at 0) from `entry`, the state its cut hands
/// it (none for the first strip).
fn fill_strip<S: Fn(u8, u8) -> f32>(
    dp: &Dp<'_, S>,
    (rows, cols): (Range<usize>, Range<usize>),
    entry: Option<&Boundary>,
    columns: &mut Columns,
    mut out: Outputs<'_>,
) {
    let (i0, height) = (rows.start, rows.len());
    debug_assert!(i0 == 0 || cols.start == 0);
    let top = entry.filter(|_| i0 > 0);
    let left = entry.filter(|_| cols.start > 0);
    for buffer in [&mut columns.prev, &mut columns.cur] {
        buffer.clear();
        buffer.resize(height + 1, 0.0);
    }
    columns.dir.clear();
    columns.dir.resize(height + 1, DIAG);
    columns.e.clear();
    columns.e.resize(height, 0.0);
    if let Some(left) = left {
        columns.prev[1..].copy_from_slice(&left.h[..height]);
        columns.e.copy_from_slice(&left.gap[..height]);
    }
    // Row 0 of the previous column: its H and direction.
    let mut row0 = left.map_or((0.0, DIAG), |left| (left.h[0], left.edge_dir));
    if let Some(block) = out.block.as_deref_mut() {
        block.rows = rows.clone();
        block.cols = cols.clone();
        block.h.clear();
        block.dir.clear();
    }
    for j in cols.clone() {
        let col_gap = if j == 0 {
            column_zero(dp, i0, top, columns);
            if i0 == 0 {
                row0 = (columns.cur[1], columns.dir[1]);
            }
            0.0
        } else {
            let best = out.track.as_deref_mut().map(|track| &mut track.best);
            column(dp, (i0, j), top, &mut row0, columns, best)
        };
        let values = &columns.cur[1..];
        if let Some(track) = out.track.as_deref_mut() {
            track.column(i0, j, values);
        }
        if let Some(block) = out.block.as_deref_mut() {
            block.h.extend_from_slice(values);
            block.dir.extend_from_slice(&columns.dir[1..]);
        }
        if dp.row_strips
            && let Some(exit) = out.exit.as_deref_mut()
        {
            exit.h[j] = columns.cur[height];
            exit.gap[j] = col_gap;
            if j == 0 {
                exit.edge_dir = columns.dir[height];
            }
        }
        std::mem::swap(&mut columns.prev, &mut columns.cur);
    }
    if !dp.row_strips
        && let Some(exit) = out.exit
    {
        exit.h.clear();
        exit.h.extend_from_slice(&columns.prev[1..]);
        exit.gap.clone_from(&columns.e);
        exit.edge_dir = row0.1;
    }
}

/// Column 0 of the strip's rows: single-state vertical gaps, and quirk Q1's row gap (as
/// `scalar.rs`); `top` hands over the cell above the strip.
fn column_zero<S: Fn(u8, u8) -> f32>(
    dp: &Dp<'_, S>,
    i0: usize,
    top: Option<&Boundary>,
    columns: &mut Columns,
) {
    let (open, extend) = (dp.open, dp.extend);
    let (mut above_h, mut above_dir) = top.map_or((0.0, DIAG), |top| (top.h[0], top.edge_dir));
    columns.cur[0] = above_h;
    for r in 0..columns.e.len() {
        let i = i0 + r;
        let gap = if i == 0 {
            0.0
        } else if above_dir == UP {
            above_h - extend
        } else {
            above_h - open
        };
        let (value, direction) = edge_cell((dp.score)(dp.a[i], dp.b[0]), gap, UP);
        columns.cur[r + 1] = value;
        columns.dir[r + 1] = direction;
        columns.e[r] = if i >= 1 && above_dir == UP {
            f64::from(value - extend)
        } else {
            f64::from(value - open)
        };
        (above_h, above_dir) = (value, direction);
    }
}

/// Column `j >= 1` of the strip's rows: row 0 (when the strip holds it) by water's edge rule,
/// then the interior exactly as `scalar.rs` fills it. Returns the column gap leaving the last
/// row, and raises `best` to the largest unclamped interior value.
#[inline]
fn column<S: Fn(u8, u8) -> f32>(
    dp: &Dp<'_, S>,
    (i0, j): (usize, usize),
    top: Option<&Boundary>,
    row0: &mut (f32, u8),
    columns: &mut Columns,
    best: Option<&mut f32>,
) -> f64 {
    let (open, extend) = (dp.open, dp.extend);
    let (open64, extend64) = (f64::from(open), f64::from(extend));
    let code_b = dp.b[j];
    let Columns { prev, cur, dir, e } = columns;
    let (first, mut col_gap) = match top {
        Some(top) => {
            cur[0] = top.h[j];
            (0, top.gap[j])
        }
        None => {
            let (h, d) = *row0;
            let gap = if d == LEFT { h - extend } else { h - open };
            let (value, direction) = edge_cell((dp.score)(dp.a[0], code_b), gap, LEFT);
            cur[1] = value;
            dir[1] = direction;
            *row0 = (value, direction);
            (1, f64::from((value - open) - extend))
        }
    };
    let mut column_best = -f32::MAX;
    for r in first..e.len() {
        let diagonal = f64::from(prev[r]) + f64::from((dp.score)(dp.a[i0 + r], code_b));
        let row = (e[r] - extend64).max(f64::from(prev[r + 1]) - open64);
        e[r] = row;
        col_gap = (col_gap - extend64).max(f64::from(cur[r]) - open64);
        let (value, direction) = interior_cell(diagonal, row, col_gap);
        if value > f64::from(column_best) {
            column_best = value as f32;
        }
        cur[r + 1] = (value as f32).max(0.0);
        dir[r + 1] = direction;
    }
    if let Some(best) = best
        && column_best > *best
    {
        *best = column_best;
    }
    col_gap
}

/// The score and the walk's start cell, gathered over every cell by the first pass.
#[derive(Debug)]
struct Tracker {
    /// water's score: the largest unclamped interior value.
    best: f32,
    /// The largest H so far (-1 before the first cell).
    max_h: f32,
    /// The smallest (row, column) whose H is `max_h`.
    cell: (usize, usize),
    /// Whether ties are exact (every H a whole multiple of a unit far above the tolerance).
    exact: bool,
    /// Positive cells within `NEAR` of the largest H while ties may not be exact.
    near: Vec<(usize, usize, f32)>,
    /// Some candidate was dropped for lack of room.
    overflow: bool,
    /// The lowest H worth looking at.
    floor: f32,
}

impl Tracker {
    fn new(exact: bool) -> Self {
        Self {
            best: -f32::MAX,
            max_h: -1.0,
            cell: (0, 0),
            exact,
            near: Vec::new(),
            overflow: false,
            floor: -1.0,
        }
    }

    /// Whether candidates must be kept: ties may join different values.
    fn collecting(&self) -> bool {
        !self.exact && self.max_h < EXACT_FROM
    }

    /// The cells `(i0 + r, j)` with H `values[r]`.
    #[inline]
    fn column(&mut self, i0: usize, j: usize, values: &[f32]) {
        for (r, &h) in values.iter().enumerate() {
            if h >= self.floor {
                self.visit(i0 + r, j, h);
            }
        }
    }

    fn visit(&mut self, i: usize, j: usize, h: f32) {
        if h > self.max_h {
            (self.max_h, self.cell) = (h, (i, j));
        } else if h == self.max_h && (i, j) < self.cell {
            self.cell = (i, j);
        }
        if !self.collecting() {
            self.near = Vec::new();
            self.overflow = false;
            self.floor = self.max_h;
            return;
        }
        self.floor = (self.max_h - NEAR).max(f32::MIN_POSITIVE);
        if h > 0.0 {
            self.near.push((i, j, h));
        }
        if self.near.len() > MAX_NEAR {
            let floor = self.floor;
            self.near.retain(|&(_, _, h)| h >= floor);
            if self.near.len() > MAX_NEAR / 2 {
                self.near.clear();
                self.overflow = true;
            }
        }
    }

    /// water's score and start cell; `None` when the candidates cannot vouch for the start.
    fn finish(mut self) -> Option<(f32, (usize, usize))> {
        if !self.collecting() || self.max_h <= 0.0 {
            // Every H 0: water's scan ends at (0, 0), the smallest cell.
            return Some((self.best, self.cell));
        }
        if self.overflow {
            return None;
        }
        let floor = f64::from((self.max_h - NEAR).max(0.0));
        self.near.retain(|&(_, _, h)| f64::from(h) >= floor);
        // water's scan order: rows from the last, then columns from the last.
        self.near
            .sort_unstable_by_key(|&(i, j, _)| std::cmp::Reverse((i, j)));
        let mut best = f64::from(-f32::MAX);
        let mut cell = (0, 0);
        let mut lowest = f64::MAX;
        let mut reached = false;
        for &(i, j, h) in &self.near {
            let value = f64::from(h);
            if value > best || (value - best).abs() < TIE {
                best = value;
                cell = (i, j);
            }
            reached |= h == self.max_h;
            if reached {
                lowest = lowest.min(best);
            }
        }
        // A cell left out (H below `floor`, or 0) could have been taken only by a running best
        // within the tolerance of it.
        (lowest - TIE > floor).then_some((self.best, cell))
    }
}

/// How a pair is cut, or why it cannot be within `limit` bytes.
fn plan(la: usize, lb: usize, limit: usize) -> Result<(bool, usize)> {
    let row_strips = la >= lb;
    let (long, short) = if row_strips { (la, lb) } else { (lb, la) };
    let strip = ((12.0 * long as f64 / 5.0).sqrt() as usize).clamp(1, long);
    let checkpoints = (long.div_ceil(strip) - 1).saturating_mul(short.saturating_mul(12));
    let cells = strip.saturating_mul(short).saturating_mul(5);
    let columns = (strip.max(short) + short).saturating_mul(24);
    let memory = checkpoints
        .saturating_add(cells)
        .saturating_add(columns)
        .saturating_add(MAX_NEAR * 24);
    if memory > limit {
        return Err(AlignError::TooBig {
            a_len: la,
            b_len: lb,
        });
    }
    Ok((row_strips, strip))
}

/// The first pass: water's score and start cell, and (with `keep`) each strip's entry state.
fn first_pass<S: Fn(u8, u8) -> f32>(
    dp: &Dp<'_, S>,
    exact: bool,
    keep: bool,
) -> Result<(f32, (usize, usize), Vec<Boundary>)> {
    let (la, lb) = (dp.a.len(), dp.b.len());
    let mut tracker = Tracker::new(exact);
    let mut columns = Columns::default();
    let mut entries: Vec<Boundary> = Vec::new();
    let strips = dp.strips();
    for k in 0..strips {
        let mut exit = Boundary::default();
        if dp.row_strips {
            exit.h.resize(lb, 0.0);
            exit.gap.resize(lb, 0.0);
        }
        let outputs = Outputs {
            exit: (k + 1 < strips).then_some(&mut exit),
            block: None,
            track: Some(&mut tracker),
        };
        let entry = k.checked_sub(1).map(|_| &entries[entries.len() - 1]);
        fill_strip(dp, dp.rectangle(k, (la, lb)), entry, &mut columns, outputs);
        if k + 1 < strips {
            if !keep {
                entries.clear();
            }
            entries.push(exit);
        }
    }
    let (score, start) = tracker.finish().ok_or(AlignError::TooBig {
        a_len: la,
        b_len: lb,
    })?;
    Ok((score, start, entries))
}

/// The walk's view of the matrix: the strip the walk is in, recomputed from its checkpoint
/// when the walk reaches it.
struct StripCells<'a, S> {
    dp: &'a Dp<'a, S>,
    /// `entries[k - 1]` enters strip `k`.
    entries: &'a [Boundary],
    /// Rows and columns up to the start cell: the walk reads nothing past them.
    limit: (usize, usize),
    block: RefCell<(Block, Columns)>,
}

impl<S: Fn(u8, u8) -> f32> StripCells<'_, S> {
    fn cell(&self, i: usize, j: usize) -> (f32, u8) {
        let k = if self.dp.row_strips { i } else { j } / self.dp.strip;
        let mut guard = self.block.borrow_mut();
        let (block, columns) = &mut *guard;
        if block.strip != Some(k) {
            let outputs = Outputs {
                exit: None,
                block: Some(block),
                track: None,
            };
            let entry = k.checked_sub(1).map(|before| &self.entries[before]);
            let rectangle = self.dp.rectangle(k, self.limit);
            fill_strip(self.dp, rectangle, entry, columns, outputs);
            block.strip = Some(k);
        }
        let at = (j - block.cols.start) * block.rows.len() + (i - block.rows.start);
        (block.h[at], block.dir[at])
    }
}

impl<S: Fn(u8, u8) -> f32> Cells for StripCells<'_, S> {
    fn h(&self, i: usize, j: usize) -> f32 {
        self.cell(i, j).0
    }

    fn dir(&self, i: usize, j: usize) -> u8 {
        self.cell(i, j).1
    }
}

/// Aligns coded `a` against coded `b` (both non-empty) in bounded memory, with exactly
/// `scalar::align_codes`'s result. `exact`: every H is a whole multiple of a unit of at least
/// 2^-6 (ties are equalities). `limit`: the most bytes the pair may take (normally
/// [`MEMORY_LIMIT`]).
///
/// # Errors
///
/// [`AlignError::TooBig`] when the pair cannot be aligned within `limit`.
pub(crate) fn align_codes(
    a: &[u8],
    b: &[u8],
    score: impl Fn(u8, u8) -> f32,
    penalties: Penalties,
    (exact, limit): (bool, usize),
) -> Result<Traceback> {
    let dp = Dp::new(a, b, score, penalties, limit)?;
    let (best, (end_i, end_j), entries) = first_pass(&dp, exact, true)?;
    let cells = StripCells {
        dp: &dp,
        entries: &entries,
        limit: (end_i + 1, end_j + 1),
        block: RefCell::default(),
    };
    Ok(walk(&cells, end_i, end_j, best, penalties))
}

/// water's score and start cell (the alignment's end) of coded `a` against coded `b`, as
/// [`align_codes`] finds them, without the walk.
///
/// # Errors
///
/// As [`align_codes`].
pub(crate) fn score_codes(
    a: &[u8],
    b: &[u8],
    score: impl Fn(u8, u8) -> f32,
    penalties: Penalties,
    (exact, limit): (bool, usize),
) -> Result<(f32, usize, usize)> {
    let dp = Dp::new(a, b, score, penalties, limit)?;
    let (best, (end_i, end_j), _) = first_pass(&dp, exact, false)?;
    Ok((best, end_i, end_j))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::kernel::fixed::FixedPoint;
    use super::super::scalar::{self, ScalarScratch};
    use super::*;
    use crate::scoring::{GapPenalties, Matrix};

    /// The full-matrix scalar engine and the bounded path on one coded pair.
    fn both(a: &[u8], b: &[u8], gaps: GapPenalties, exact: bool) -> (Traceback, Traceback) {
        let matrix = Matrix::blosum62();
        let penalties = Penalties {
            open: gaps.open(),
            extend: gaps.extend(),
        };
        let (a, b): (Vec<u8>, Vec<u8>) = (
            a.iter().map(|&r| matrix.code(r)).collect(),
            b.iter().map(|&r| matrix.code(r)).collect(),
        );
        let score = |x, y| matrix.score_codes(x, y);
        let full = scalar::align_codes(&a, &b, score, penalties, &mut ScalarScratch::default());
        let limits = (exact, MEMORY_LIMIT);
        let bounded = align_codes(&a, &b, score, penalties, limits).unwrap();
        let scored = score_codes(&a, &b, score, penalties, limits).unwrap();
        assert_eq!(scored, (full.score, full.end_a, full.end_b));
        (full, bounded)
    }

    fn residues(alphabet: &'static [u8], max: usize) -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(prop::sample::select(alphabet), 1..max)
    }

    /// Sequences from a full alphabet or from tiny ones that force ties, and penalties that
    /// are exact in fixed point or only in water's float arithmetic.
    fn pair() -> impl Strategy<Value = (Vec<u8>, Vec<u8>, f32, f32)> {
        let alphabet = prop_oneof![
            Just(&b"ACDEFGHIKLMNPQRSTVWYXU*"[..]),
            Just(&b"WP"[..]),
            Just(&b"AAW"[..]),
            Just(&b"KR"[..]),
        ];
        let gaps = prop_oneof![
            Just((10.0f32, 0.5f32)),
            Just((1.0, 3.0)),
            Just((10.3, 0.1)),
            Just((0.0, 0.0)),
            (0.0f32..25.0, 0.0f32..5.0),
        ];
        (alphabet, gaps).prop_flat_map(|(alphabet, (open, extend))| {
            (
                residues(alphabet, 160),
                residues(alphabet, 160),
                Just(open),
                Just(extend),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(600))]

        /// The bounded path equals the full matrices: score, start, end and every step.
        #[test]
        fn bounded_equals_full((a, b, open, extend) in pair()) {
            let gaps = GapPenalties::new(open, extend).unwrap();
            let exact = FixedPoint::new(&Matrix::blosum62(), gaps).is_some();
            let (full, bounded) = both(&a, &b, gaps, exact);
            prop_assert_eq!(&bounded, &full);
            // Without the promise of exact ties, the candidates' replay gives the same.
            let (_, replayed) = both(&a, &b, gaps, false);
            prop_assert_eq!(replayed, full);
        }
    }

    /// Long gaps across many strips, both orientations, and water's column-0 quirk Q1 with a
    /// long row search (`WPWYGPC`/`WGAYC` reports 16.5 for a path whose search reaches column 0).
    #[test]
    fn strips_long_gaps_and_quirks() {
        let gaps = GapPenalties::default();
        let core = b"MSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLGARVGYIELDLNSGKILESFRPEERFPMMSTFK";
        let mut long = core.to_vec();
        long.splice(30..30, std::iter::repeat_n(b'G', 400));
        for (a, b) in [
            (&long[..], &core[..]),
            (&core[..], &long[..]),
            (&b"WPWYGPC"[..], &b"WGAYC"[..]),
            (&b"WGWGCAW"[..], &b"WAAYCPCA"[..]),
            (&b"W"[..], &b"W"[..]),
            (&b"PPPPE"[..], &b"WWWWF"[..]),
        ] {
            let (full, bounded) = both(a, b, gaps, true);
            assert_eq!(bounded, full);
            let (_, replayed) = both(a, b, gaps, false);
            assert_eq!(replayed, full);
        }
    }

    #[test]
    fn too_big_pairs_fail_alone() {
        assert!(plan(5_000_000, 300, MEMORY_LIMIT).is_ok());
        assert!(plan(300, 50_000_000, MEMORY_LIMIT).is_ok());
        assert!(plan(5_000_000, 300, 1 << 20).is_err());
        assert_eq!(
            plan(1 << 20, 1 << 20, MEMORY_LIMIT).unwrap_err(),
            AlignError::TooBig {
                a_len: 1 << 20,
                b_len: 1 << 20
            }
        );
        assert!(needed(70_000, 1, BOUNDED_CELLS));
        assert!(needed(6_000, 6_000, BOUNDED_CELLS));
        assert!(!needed(5_000, 5_000, BOUNDED_CELLS));
    }
}
