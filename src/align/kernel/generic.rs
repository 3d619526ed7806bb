//! The one algorithm every SIMD kernel runs: water's DP with many targets in the lanes.
//!
//! Lane `l` holds target `l` (water's b, the columns); all lanes share the query (water's a,
//! the rows). The fill visits column after column like water, so each column first builds a
//! small profile (the score of every query code against each lane's residue in this column),
//! then runs the interior recurrence down the rows with one vector per cell row.
//!
//! Edge cells (row 0 and column 0) have no gap state in water and follow their own rule
//! (quirk Q1 included). Column 0 is computed lane by lane in scalar code, once per batch, exactly
//! as `scalar.rs` computes it; the row-0 cell of every later column is computed for all lanes at
//! once (water's three-way edge rule is `max(substitution, gap, 0)`, and the gap wins exactly
//! when `gap > max(substitution - 1, 0)` in whole units).
//!
//! Per lane the fill reports water's score (the largest unclamped interior value) and the walk's
//! start cell (the largest clamped H over all cells, smallest row then smallest column). For the
//! start cell the interior loop keeps, per column, the largest value and the first row reaching
//! it; after the column a vector step folds that into each lane's running choice, which
//! reproduces "smallest i, then smallest j" without touching memory per cell.
//!
//! With `TRANSPOSED`, the lanes hold many a's (the rows, of different lengths) against one
//! shared b (the columns): the order of the fill, the edge rules and the recurrence stay the
//! same; the scores come from a profile built once per batch (one vector per code of b and row),
//! rows past a lane's a are computed but never enter its score or start cell, and every column
//! is valid for every lane.
//!
//! With `TRACE`, the fill also stores, per cell row of the rectangle `rows x cols`, four bit
//! masks over the lanes: whose column gap won, whose row gap beat the diagonal (the direction,
//! in water's order), and whose row gap and column gap were extended rather than opened here.
//! With those and the H of row 0 and column 0 the walk needs no other H (see
//! [`TraceCells::walk`]): half a byte per cell instead of two, so a batch's trace stays in the
//! cache, and a 16-bit trace serves every lane that did not saturate.

use super::fixed::FixedPoint;
use super::isa::{Isa, Job, LaneWidth};
use super::outcome::LaneScore;
use super::vector::{LOOKUP_CODES, Lane, MAX_LANES, Vector, lanes_fit};
use crate::align::op::Step;
use crate::align::trace::{DIAG, LEFT, Traceback, UP};

/// The sequences of one fill: the coded shared sequence, up to `LANES` coded non-empty
/// sequences in the lanes, and the rectangle to fill.
///
/// Normally the query is water's a (the rows, `rows <= query.len()`) and the targets are b's
/// (the columns; columns past a target's length are ignored). With `transposed` the query is
/// the shared b (the columns, `cols <= query.len()`) and the targets are a's (the rows; rows
/// past a target's length are ignored).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Batch<'a> {
    pub query: &'a [u8],
    pub targets: &'a [&'a [u8]],
    pub rows: usize,
    pub cols: usize,
    pub transposed: bool,
}

/// Reusable buffers of one lane type.
#[derive(Debug, Default, Clone)]
pub(crate) struct Work<L> {
    h: Vec<L>,
    e: Vec<L>,
    profile: Vec<L>,
    /// With `TRACE`, per cell row `j * rows + i`, two words of [`Vector::bits2`]: the
    /// column-gap-won and the row-gap-beat-the-diagonal masks, then the row-gap-extended and
    /// column-gap-extended masks.
    directions: super::pages::TraceWords,
    /// With `TRACE`, the H of column 0 at `i * LANES + lane`, then of row 0 at
    /// `(rows + j) * LANES + lane`.
    edges: Vec<L>,
    /// Scratch lanes: one vector's worth per use, see [`Slot`].
    slots: Vec<L>,
    /// Normally each lane's code of b per column, at `j * LANES + lane` (0 past its end);
    /// transposed, each lane's code of a per row.
    codes: Vec<u8>,
    /// The matrix, one row of `LOOKUP_CODES` lanes per code of a (for [`Vector::lookup`]);
    /// transposed, one row per code of b.
    tables: Vec<L>,
    /// The lanes and [`Vector::flag_bit`] of the last fill's vector (how to read the trace):
    /// lane `l`'s first flag at `flag_bits[2 * l]`, its second at `flag_bits[2 * l + 1]`.
    lanes: usize,
    flag_bits: Vec<u8>,
}

/// The vectors kept in [`Work::slots`] between the vector and the scalar parts of a fill.
#[derive(Clone, Copy)]
enum Slot {
    /// Per lane: its length (transposed: of a, capped at the rows; normally: of b).
    Length,
    /// The score and the start cell.
    Best,
    MaxH,
    EndI,
    EndJ,
}
const SLOTS: usize = 5;

/// Grows a buffer to `len` lanes without clearing what it holds.
fn grow<T: Copy + Default>(buffer: &mut Vec<T>, len: usize) {
    if buffer.len() < len {
        buffer.resize(len, T::default());
    }
}

/// Fills the `V::LANES` lanes of `profile` with each lane's score against `code`, plus `open`
/// (normally a's `code` against the lanes' b's in `codes`; transposed, the lanes' a's in
/// `codes` against b's `code`). The interior keeps `H - open` (see [`fill`]), so that one
/// subtraction serves the diagonal and both gaps.
///
/// # Safety
///
/// The CPU features `V` uses must be available; `codes` holds `V::LANES` codes below the
/// matrix size and `code` is below it too; `tables` is [`Work::tables`] when the matrix has at
/// most [`LOOKUP_CODES`] codes.
#[inline(always)]
unsafe fn build_profile<V: Vector, const TRANSPOSED: bool>(
    fixed: &FixedPoint,
    profile: &mut [V::Lane],
    tables: &[V::Lane],
    codes: &[u8],
    code: usize,
) {
    if fixed.size() <= LOOKUP_CODES {
        assert!(profile.len() >= V::LANES && codes.len() >= V::LANES);
        assert!(tables.len() >= (code + 1) * LOOKUP_CODES);
        // SAFETY: `tables` holds `LOOKUP_CODES` lanes at `code`, `codes` holds `LANES` codes
        // below the matrix size (at most `LOOKUP_CODES`), `profile` holds `LANES` lanes (all
        // checked above or by the caller); CPU features: the caller.
        unsafe {
            V::lookup(tables.as_ptr().add(code * LOOKUP_CODES), codes.as_ptr())
                .store(profile.as_mut_ptr());
        }
    } else {
        for (slot, &other) in profile[..V::LANES].iter_mut().zip(codes) {
            let score = if TRANSPOSED {
                fixed.score(other, code as u8)
            } else {
                fixed.score(code as u8, other)
            };
            *slot = Lane::from_i32(score + fixed.open());
        }
    }
}

/// Normally (lanes are b's): the profile of column `j`, each code of a against every lane's
/// code of b in that column.
///
/// # Safety
///
/// The CPU features `V` uses must be available; `work` is prepared by [`fill`] for this batch
/// (`codes` holds column `j`, `profile` and `tables` are sized for the matrix).
#[inline(always)]
unsafe fn column_profile<V: Vector>(fixed: &FixedPoint, work: &mut Work<V::Lane>, j: usize) {
    let lanes = V::LANES;
    let size = fixed.size();
    if size <= LOOKUP_CODES {
        let codes = &work.codes[j * lanes..(j + 1) * lanes];
        assert!(work.tables.len() >= size * LOOKUP_CODES && work.profile.len() >= size * lanes);
        // SAFETY: `tables` holds `size` rows of `LOOKUP_CODES` lanes, `profile` `size * lanes`
        // lanes (both checked above), and `codes` holds `lanes` codes below `size`; CPU
        // features: the caller.
        unsafe {
            V::lookup_rows(
                work.tables.as_ptr(),
                size,
                codes.as_ptr(),
                work.profile.as_mut_ptr(),
            );
        }
        return;
    }
    for code_a in 0..size {
        // SAFETY: the caller's guarantees are `build_profile`'s.
        unsafe {
            build_profile::<V, false>(
                fixed,
                &mut work.profile[code_a * lanes..(code_a + 1) * lanes],
                &work.tables,
                &work.codes[j * lanes..(j + 1) * lanes],
                code_a,
            );
        }
    }
}

/// water's edge rule (row 0 and column 0 keep no gap state) for every lane: a match wins if it
/// beats both the gap and zero, a positive gap next, else 0; so H is `max(substitution, gap,
/// 0)`, and in whole units the gap wins exactly when `gap > max(substitution - 1, 0)`.
/// Returns H and the lanes where the gap won.
///
/// # Safety
///
/// The CPU features `V` uses must be available.
#[inline(always)]
unsafe fn edge_cells<V: Vector>(substitution: V, gap: V) -> (V, V::Mask) {
    // SAFETY: the caller guarantees the CPU features.
    unsafe {
        let zero = V::splat(0);
        let value = substitution.max(gap).max(zero);
        (value, gap.gt(substitution.sub(V::splat(1)).max(zero)))
    }
}

/// Fills one batch, writing one [`LaneScore`] per lane into `out`.
///
/// `TRANSPOSED` must equal `batch.transposed`: lanes are b's against a shared a (false) or a's
/// against a shared b (true); see [`Batch`].
///
/// # Safety
///
/// The CPU features `V` uses must be available. (The shape of the batch is checked here, so
/// memory safety depends on nothing else; for *correct* results with `V::Lane = i16` the caller
/// checks [`FixedPoint::narrow_ok`] for the rows.)
///
/// # Panics
///
/// If `batch` has more sequences than lanes or than `out` has slots, an empty sequence in a lane,
/// `rows` of 0 or past the query (normal), `cols` of 0 or past the query (transposed), a code
/// outside the matrix, a row or column count the lane type cannot number, or
/// `TRANSPOSED != batch.transposed`.
#[inline(always)]
pub(crate) unsafe fn fill<V: Vector, const TRACE: bool, const TRANSPOSED: bool>(
    fixed: &FixedPoint,
    batch: &Batch<'_>,
    work: &mut Work<V::Lane>,
    out: &mut [LaneScore],
) {
    // Per-lane arrays and trace words hold every lane; checked where `V` is known.
    const { assert!(lanes_fit::<V>()) };
    // The pointer arithmetic of every step relies on these; checking them once per batch is
    // free.
    check_batch::<V, TRANSPOSED>(fixed, batch, out);
    prepare::<V, TRACE, TRANSPOSED>(fixed, batch, work);
    // SAFETY: `check_batch` checked the batch and `prepare` sized the buffers for it, which is
    // what every step below needs besides the CPU features (the caller's).
    unsafe {
        let splats = splats::<V, TRANSPOSED>(fixed, batch, work);
        if !TRANSPOSED {
            column_profile::<V>(fixed, work, 0);
        }
        let (tracked, row_zero) = column_zero::<V, TRACE, TRANSPOSED>(batch, work, splats);
        let unmasked_rows = unmasked_rows::<TRANSPOSED>(batch);
        let (lanes, rows, cols) = (V::LANES, batch.rows, batch.cols);
        let query = shared::<TRANSPOSED>(batch);
        let (open_v, extend_v, zero_v, one_v, min_v) = (
            splats.open,
            splats.extend,
            splats.zero,
            splats.one,
            splats.min,
        );
        let lengths_v = splats.lengths;
        let (mut best, mut max_h, mut end_i, mut end_j) =
            (tracked.best, tracked.max_h, tracked.end_i, tracked.end_j);
        let (mut row_zero, mut row_zero_cost) = (row_zero.h, row_zero.cost);
        // The columns: row 0, the interior (a macro, so that the running values stay plain
        // locals of this loop, which keeps the portable vectors in registers: as functions,
        // even inlined, the portable kernel spilled and ran at 60%), then the fold.
        for j in 1..cols {
            if !TRANSPOSED {
                column_profile::<V>(fixed, work, j);
            }
            let ColumnCells {
                h,
                e,
                profile,
                row_zero_h,
                directions,
            } = ColumnCells::new::<TRACE, TRANSPOSED>(batch, work, j);
            // Every pointer stays inside its buffer (see `ColumnCells`): `h` and `e` hold
            // `rows * lanes` lanes and `i < rows`; `profile` holds a vector per code (normal:
            // every code is below `size`) or per row from this column's code on (transposed);
            // `row_zero_h` and `directions` (with TRACE) have `lanes` lanes and `2 * rows`
            // words.
            {
                // Row 0: water's edge rule for every lane at once.
                let substitution = if TRANSPOSED {
                    V::load(profile)
                } else {
                    V::load(profile.add(usize::from(query[0]) * lanes))
                }
                .sub(open_v);
                let gap = row_zero.sub(row_zero_cost);
                let (value, gap_wins) = edge_cells(substitution, gap);
                row_zero_cost = V::select(gap_wins, extend_v, open_v);
                row_zero = value;
                // `h` holds `H - open` (the first diagonal, and the row gap's opening, of the next
                // column); the profile holds `score + open`.
                let mut diag = V::load(h);
                let mut up = value.sub(open_v);
                up.store(h);
                if TRACE {
                    value.store(row_zero_h);
                    *directions = V::bits2(zero_v.gt(zero_v), gap_wins);
                    *directions.add(1) = 0;
                }

                let mut column_gap = up.sub(extend_v);
                let mut column_best = min_v;
                let mut column_row = zero_v;
                let mut row = zero_v;
                // One interior cell row; `$masked`: rows past some lane's a (transposed) are kept
                // out of its score and start cell.
                macro_rules! interior_row {
                    ($i:expr, $masked:expr) => {{
                        let i = $i;
                        row = row.add(one_v);
                        let at = i * lanes;
                        let score = if TRANSPOSED {
                            V::load(profile.add(at))
                        } else {
                            V::load(profile.add(usize::from(*query.get_unchecked(i)) * lanes))
                        };
                        let diagonal = diag.add(score);
                        let left = V::load(h.add(at));
                        diag = left;
                        let row_extended = V::load(e.add(at)).sub_exact(extend_v);
                        let row_gap = row_extended.max(left);
                        row_gap.store(e.add(at));
                        let column_extended = column_gap.sub_exact(extend_v);
                        if TRACE {
                            *directions.add(2 * i + 1) =
                                V::gt_bits2((row_extended, left), (column_extended, up));
                        }
                        column_gap = column_extended.max(up);
                        let best_two = diagonal.max(row_gap);
                        let value = best_two.max(column_gap);
                        let tracked = if $masked {
                            V::select(lengths_v.gt(row), value, min_v)
                        } else {
                            value
                        };
                        let better = tracked.gt(column_best);
                        column_best = column_best.max(tracked);
                        column_row = V::select_counter(better, row, i as i32, column_row);
                        let clamped = value.max(zero_v);
                        up = clamped.sub_exact(open_v);
                        up.store(h.add(at));
                        if TRACE {
                            *directions.add(2 * i) =
                                V::gt_bits2((column_gap, best_two), (row_gap, diagonal));
                        }
                    }};
                }
                for i in 1..unmasked_rows {
                    interior_row!(i, false);
                }
                for i in unmasked_rows..rows {
                    interior_row!(i, TRANSPOSED);
                }
                let tracked = Tracked::new(best, max_h, end_i, end_j);
                let column_max = (column_best, column_row);
                let folded = fold_column::<V, TRANSPOSED>(splats, j, row_zero, column_max, tracked);
                (best, max_h, end_i, end_j) =
                    (folded.best, folded.max_h, folded.end_i, folded.end_j);
            }
        }

        let tracked = Tracked::new(best, max_h, end_i, end_j);
        report::<V>(fixed, batch.targets.len(), work, tracked, out);
    }
}

/// Transposed, the rows every lane's a reaches need no masking (batches are sorted by length,
/// so that is nearly all of them); normally every row.
#[inline(always)]
fn unmasked_rows<const TRANSPOSED: bool>(batch: &Batch<'_>) -> usize {
    if TRANSPOSED {
        let shortest = batch.targets.iter().map(|target| target.len()).min();
        shortest.unwrap_or(0).clamp(1, batch.rows)
    } else {
        batch.rows
    }
}

/// The part of the shared sequence the batch's rectangle covers: normally the rows, transposed
/// the columns.
#[inline(always)]
fn shared<'a, const TRANSPOSED: bool>(batch: &Batch<'a>) -> &'a [u8] {
    &batch.query[..if TRANSPOSED { batch.cols } else { batch.rows }]
}

/// Checks what [`fill`] promises to panic on (see there).
#[inline(always)]
fn check_batch<V: Vector, const TRANSPOSED: bool>(
    fixed: &FixedPoint,
    batch: &Batch<'_>,
    out: &[LaneScore],
) {
    let (rows, cols, targets) = (batch.rows, batch.cols, batch.targets);
    let size = fixed.size();
    let query = shared::<TRANSPOSED>(batch);
    assert!(batch.transposed == TRANSPOSED);
    assert!(targets.len() <= V::LANES && out.len() >= targets.len());
    assert!(rows >= 1 && cols >= 1 && targets.iter().all(|target| !target.is_empty()));
    assert!(query.iter().all(|&code| usize::from(code) < size));
    assert!(
        targets
            .iter()
            .all(|target| target.iter().all(|&code| usize::from(code) < size))
    );
    // Rows, columns and lengths are numbered in lanes.
    let numbered = |count: usize| count < <V::Lane as Lane>::MAX as usize;
    assert!(numbered(rows) && numbered(cols));
    assert!(targets.iter().all(|target| numbered(target.len())));
    if TRANSPOSED {
        assert!(size <= 256);
    }
}

/// Sizes the buffers of `work` for the batch and fills what does not change from column to
/// column: the lanes' codes, the lookup tables and (transposed) the profile of the batch.
#[inline(always)]
fn prepare<V: Vector, const TRACE: bool, const TRANSPOSED: bool>(
    fixed: &FixedPoint,
    batch: &Batch<'_>,
    work: &mut Work<V::Lane>,
) {
    let (lanes, rows, cols) = (V::LANES, batch.rows, batch.cols);
    let size = fixed.size();
    let zero = <V::Lane as Lane>::from_i32(0);
    work.lanes = lanes;
    work.flag_bits.clear();
    work.flag_bits
        .extend((0..2 * lanes).map(|flag| V::flag_bit(flag / 2, flag % 2 == 1) as u8));

    // Buffers only grow: every lane of a target is written before it is read, and stale values
    // in unused lanes only flow into those lanes. (Zeroing the trace cost 5% of the run.)
    grow(&mut work.h, rows * lanes);
    grow(&mut work.e, rows * lanes);
    // Every lane of the profile is written before it is read (transposed by `batch_profile`
    // below, normally by `column_profile` per column): only its length matters here. (Zeroing
    // the transposed profile, `size * rows * lanes` lanes, cost 1% of a pipeline run.)
    let profile = if TRANSPOSED { size * rows } else { size } * lanes;
    work.profile.truncate(profile);
    grow(&mut work.profile, profile);
    if TRACE {
        work.directions.reserve_words(2 * rows * cols);
        grow(&mut work.edges, (rows + cols) * lanes);
    }
    work.slots.clear();
    work.slots.resize(SLOTS * lanes, zero);
    // Codes of the lanes, 0 past each sequence's end (and in unused lanes): normally per
    // column of b, transposed per row of a.
    let coded = if TRANSPOSED { rows } else { cols };
    work.codes.clear();
    work.codes.resize(coded * lanes, 0);
    for (lane, target) in batch.targets.iter().enumerate() {
        for (k, &code) in target.iter().take(coded).enumerate() {
            work.codes[k * lanes + lane] = code;
        }
    }
    if size <= LOOKUP_CODES {
        fill_tables::<V, TRANSPOSED>(fixed, work);
    }
    if TRANSPOSED {
        batch_profile::<V>(fixed, rows, work);
    }
}

/// The matrix as [`Vector::lookup`] tables, plus `open` (see [`build_profile`]): normally a
/// row per code of a over codes of b; transposed, the reverse.
#[inline(always)]
fn fill_tables<V: Vector, const TRANSPOSED: bool>(fixed: &FixedPoint, work: &mut Work<V::Lane>) {
    let size = fixed.size();
    work.tables.clear();
    work.tables.resize(size * LOOKUP_CODES, Lane::from_i32(0));
    for code in 0..size {
        for (slot, other) in work.tables[code * LOOKUP_CODES..].iter_mut().zip(0..size) {
            let score = if TRANSPOSED {
                fixed.score(other as u8, code as u8)
            } else {
                fixed.score(code as u8, other as u8)
            };
            *slot = Lane::from_i32(score + fixed.open());
        }
    }
}

/// Transposed: the profile of the whole batch, at `(code_b * rows + i) * lanes` each lane's
/// score of its row `i` against `code_b`.
#[inline(always)]
fn batch_profile<V: Vector>(fixed: &FixedPoint, rows: usize, work: &mut Work<V::Lane>) {
    let lanes = V::LANES;
    for i in 0..rows {
        for code_b in 0..fixed.size() {
            let at = (code_b * rows + i) * lanes;
            // SAFETY: CPU features: the caller's (`fill` reaches this only with them); the
            // slices are sized by `prepare`.
            unsafe {
                build_profile::<V, true>(
                    fixed,
                    &mut work.profile[at..at + lanes],
                    &work.tables,
                    &work.codes[i * lanes..(i + 1) * lanes],
                    code_b,
                );
            }
        }
    }
}

/// Vectors every step of a fill reads.
#[derive(Clone, Copy)]
struct Splats<V> {
    open: V,
    extend: V,
    zero: V,
    one: V,
    /// The lane type's minimum: "no value yet".
    min: V,
    /// Per lane: its length (transposed: of a, capped at the rows; normally: of b).
    lengths: V,
}

/// The constant vectors of a fill, and each lane's length (stored in [`Slot::Length`]).
///
/// # Safety
///
/// The CPU features `V` uses must be available; `work` is prepared for the batch.
#[inline(always)]
unsafe fn splats<V: Vector, const TRANSPOSED: bool>(
    fixed: &FixedPoint,
    batch: &Batch<'_>,
    work: &mut Work<V::Lane>,
) -> Splats<V> {
    let lanes = V::LANES;
    let mut lengths = [0i32; MAX_LANES];
    for (slot, target) in lengths.iter_mut().zip(batch.targets) {
        // Transposed, rows past a lane's a are never reported.
        *slot = if TRANSPOSED {
            target.len().min(batch.rows)
        } else {
            target.len()
        } as i32;
    }
    let length_slots = Slot::Length as usize * lanes..;
    for (slot, &length) in work.slots[length_slots].iter_mut().zip(&lengths[..lanes]) {
        *slot = Lane::from_i32(length);
    }
    // SAFETY: `slots` holds `SLOTS * lanes` lanes; CPU features: the caller.
    unsafe {
        Splats {
            open: V::splat(fixed.open()),
            extend: V::splat(fixed.extend()),
            zero: V::splat(0),
            one: V::splat(1),
            min: V::splat(<V::Lane as Lane>::MIN),
            lengths: V::load(work.slots.as_ptr().add(Slot::Length as usize * lanes)),
        }
    }
}

/// Each lane's running score and start cell.
#[derive(Clone, Copy)]
struct Tracked<V> {
    /// The largest unclamped interior value.
    best: V,
    /// The largest clamped H, and its cell (smallest row, then smallest column).
    max_h: V,
    end_i: V,
    end_j: V,
}

impl<V> Tracked<V> {
    #[inline(always)]
    fn new(best: V, max_h: V, end_i: V, end_j: V) -> Self {
        Self {
            best,
            max_h,
            end_i,
            end_j,
        }
    }
}

/// Row 0 of the last column filled: its H per lane, and what its gap costs in the next column
/// (`extend` after a LEFT cell, else `open`).
#[derive(Clone, Copy)]
struct RowZero<V> {
    h: V,
    cost: V,
}

/// Column 0: single-state vertical gaps (the edge rule, with UP), and quirk Q1: below an UP
/// cell the row gap starts from `extend`. Returns the start cell so far and row 0.
///
/// # Safety
///
/// The CPU features `V` uses must be available; the batch is checked and `work` prepared for
/// it (with `TRACE` too), and (normally) the profile holds column 0.
#[inline(always)]
unsafe fn column_zero<V: Vector, const TRACE: bool, const TRANSPOSED: bool>(
    batch: &Batch<'_>,
    work: &mut Work<V::Lane>,
    splats: Splats<V>,
) -> (Tracked<V>, RowZero<V>) {
    let (lanes, rows) = (V::LANES, batch.rows);
    let query = shared::<TRANSPOSED>(batch);
    let Splats {
        open, extend, zero, ..
    } = splats;
    // SAFETY: `profile` holds `size * lanes` lanes (normal; `query[i] < size`) or
    // `size * rows * lanes` (transposed; `query[0] < size`, `i < rows`); `h` and `e` hold
    // `rows * lanes` lanes, `edges` (with TRACE) `(rows + cols) * lanes`, and `directions`
    // `2 * rows * cols` words. CPU features: the caller.
    unsafe {
        let mut max_h = V::splat(-1);
        let mut end_i = zero;
        let mut row_zero = zero;
        let (mut previous, mut cost) = (zero, open);
        for i in 0..rows {
            let substitution = if TRANSPOSED {
                let at = (usize::from(query[0]) * rows + i) * lanes;
                V::load(work.profile.as_ptr().add(at))
            } else {
                V::load(work.profile.as_ptr().add(usize::from(query[i]) * lanes))
            }
            .sub(open);
            let gap = if i == 0 { zero } else { previous.sub(cost) };
            let (value, gap_wins) = edge_cells(substitution, gap);
            value.sub(cost).store(work.e.as_mut_ptr().add(i * lanes));
            value.sub(open).store(work.h.as_mut_ptr().add(i * lanes));
            if TRACE {
                value.store(work.edges.as_mut_ptr().add(i * lanes));
                *work.directions.as_mut_ptr().add(2 * i) = V::bits2(gap_wins, zero.gt(zero));
                *work.directions.as_mut_ptr().add(2 * i + 1) = 0;
            }
            // The first row reaching the largest H, among the lane's rows.
            let tracked = if TRANSPOSED {
                V::select(splats.lengths.gt(V::splat(i as i32)), value, splats.min)
            } else {
                value
            };
            let better = tracked.gt(max_h);
            max_h = V::select(better, value, max_h);
            end_i = V::select_counter(better, V::splat(i as i32), i as i32, end_i);
            if i == 0 {
                row_zero = value;
            }
            cost = V::select(gap_wins, extend, open);
            previous = value;
        }
        let tracked = Tracked {
            best: splats.min,
            max_h,
            end_i,
            end_j: zero,
        };
        let row_zero = RowZero {
            h: row_zero,
            cost: open,
        };
        (tracked, row_zero)
    }
}

/// Where one column `j > 0` of a fill reads and writes.
#[derive(Clone, Copy)]
struct ColumnCells<L> {
    /// `H - open` of the previous column, overwritten with this one's (`rows * lanes` lanes).
    h: *mut L,
    /// The row gap, per row (`rows * lanes` lanes).
    e: *mut L,
    /// The scores of this column, `score + open`: normally one vector per code of a;
    /// transposed, one per row.
    profile: *const L,
    /// With `TRACE`: row 0's H of this column (`lanes` lanes), and the column's trace words
    /// (`2 * rows`); null without.
    row_zero_h: *mut L,
    directions: *mut u64,
}

impl<L: Lane> ColumnCells<L> {
    /// The cells of column `j` (`0 < j < cols`) of a checked batch in prepared `work`.
    #[inline(always)]
    fn new<const TRACE: bool, const TRANSPOSED: bool>(
        batch: &Batch<'_>,
        work: &mut Work<L>,
        j: usize,
    ) -> Self {
        let (lanes, rows) = (work.lanes, batch.rows);
        let query = shared::<TRANSPOSED>(batch);
        let profile = if TRANSPOSED {
            // SAFETY: `profile` holds `size * rows * lanes` lanes and `query[j] < size`.
            unsafe {
                work.profile
                    .as_ptr()
                    .add(usize::from(query[j]) * rows * lanes)
            }
        } else {
            work.profile.as_ptr()
        };
        let (row_zero_h, directions) = if TRACE {
            // SAFETY: `edges` holds `(rows + cols) * lanes` lanes, `directions` `2 * rows *
            // cols` words, and `j < cols`.
            unsafe {
                (
                    work.edges.as_mut_ptr().add((rows + j) * lanes),
                    work.directions.as_mut_ptr().add(2 * j * rows),
                )
            }
        } else {
            (std::ptr::null_mut(), std::ptr::null_mut())
        };
        Self {
            h: work.h.as_mut_ptr(),
            e: work.e.as_mut_ptr(),
            profile,
            row_zero_h,
            directions,
        }
    }
}

/// Folds column `j` into each lane's score and start cell: the column's largest H is row 0's
/// unless an interior cell beats it; it replaces the running choice if larger, or equal and on
/// an earlier row ("+ 1" turns that tie into "larger").
///
/// # Safety
///
/// The CPU features `V` uses must be available.
#[inline(always)]
unsafe fn fold_column<V: Vector, const TRANSPOSED: bool>(
    splats: Splats<V>,
    j: usize,
    row_zero: V,
    (column_best, column_row): (V, V),
    tracked: Tracked<V>,
) -> Tracked<V> {
    let Splats { zero, one, min, .. } = splats;
    // SAFETY: CPU features: the caller.
    unsafe {
        let column = V::splat(j as i32);
        let interior = column_best.max(zero);
        let column_max = interior.max(row_zero);
        let first_row = V::select(interior.gt(row_zero), column_row, zero);
        let mut key = column_max.add(V::select(tracked.end_i.gt(first_row), one, zero));
        let best = if TRANSPOSED {
            tracked.best.max(column_best)
        } else {
            // Columns past a lane's b are not its cells.
            let live = splats.lengths.gt(column);
            key = V::select(live, key, min);
            V::select(live, tracked.best.max(column_best), tracked.best)
        };
        let update = key.gt(tracked.max_h);
        Tracked {
            best,
            max_h: V::select(update, column_max, tracked.max_h),
            end_i: V::select(update, first_row, tracked.end_i),
            end_j: V::select(update, column, tracked.end_j),
        }
    }
}

/// Each lane's [`LaneScore`] into `out` (the first `targets` lanes).
///
/// # Safety
///
/// The CPU features `V` uses must be available; `work` is prepared for the batch.
#[inline(always)]
unsafe fn report<V: Vector>(
    fixed: &FixedPoint,
    targets: usize,
    work: &mut Work<V::Lane>,
    tracked: Tracked<V>,
    out: &mut [LaneScore],
) {
    let lanes = V::LANES;
    // SAFETY: `slots` holds `SLOTS * lanes` lanes; CPU features: the caller.
    unsafe {
        let slots = work.slots.as_mut_ptr();
        tracked.best.store(slots.add(Slot::Best as usize * lanes));
        tracked.max_h.store(slots.add(Slot::MaxH as usize * lanes));
        tracked.end_i.store(slots.add(Slot::EndI as usize * lanes));
        tracked.end_j.store(slots.add(Slot::EndJ as usize * lanes));
    }
    // A lane is usable when no value of it saturated at the top, and when every difference
    // `sub_exact` and `gt_bits2` take fits the lane: their operands lie between
    // `min(min_score, 0) - open - extend` (no H below 0, no gap below `-open - extend`, no
    // diagonal below the lowest score) and the largest value, which is below `best` or a
    // row-0 or column-0 H (at most `max_score`).
    let margin = fixed.open() + fixed.extend() - fixed.min_score().min(0);
    let limit = <V::Lane as Lane>::MAX - fixed.max_score().max(0) - margin;
    let slot = |slot: Slot, lane: usize| slot as usize * lanes + lane;
    for (lane, slot_out) in out.iter_mut().enumerate().take(targets) {
        let best = work.slots[slot(Slot::Best, lane)].to_i32();
        let best = (best != <V::Lane as Lane>::MIN).then_some(best);
        let max_h = work.slots[slot(Slot::MaxH, lane)].to_i32();
        let end_i = work.slots[slot(Slot::EndI, lane)].to_i32() as usize;
        let end_j = work.slots[slot(Slot::EndJ, lane)].to_i32() as usize;
        *slot_out = LaneScore {
            best,
            end_i,
            end_j,
            max_h,
            overflow: best.is_some_and(|best| best >= limit),
        };
    }
}

/// One fill of the lane kernel, as a [`Job`] for [`super::dispatch::Engine::run`]: `batch`
/// with or without the trace, one [`LaneScore`] per lane into `out`.
pub(crate) struct LaneFill<'a, L> {
    pub trace: bool,
    pub fixed: &'a FixedPoint,
    pub batch: &'a Batch<'a>,
    pub work: &'a mut Work<L>,
    pub out: &'a mut [LaneScore],
}

impl<L: LaneWidth> Job for LaneFill<'_, L> {
    type Output = ();

    #[inline(always)]
    fn run<I: Isa>(self, _: I) {
        let Self {
            trace,
            fixed,
            batch,
            work,
            out,
        } = self;
        // SAFETY: a value of `I` proves the CPU has its vectors' features (`Isa`'s contract);
        // `fill` checks the rest.
        unsafe {
            match (trace, batch.transposed) {
                (true, true) => fill::<L::Vector<I>, true, true>(fixed, batch, work, out),
                (true, false) => fill::<L::Vector<I>, true, false>(fixed, batch, work, out),
                (false, true) => fill::<L::Vector<I>, false, true>(fixed, batch, work, out),
                (false, false) => fill::<L::Vector<I>, false, false>(fixed, batch, work, out),
            }
        }
    }
}

/// One lane's view of the trace of the last fill of a [`Work`] (filled with `TRACE`).
pub(crate) struct TraceCells<'a, L> {
    directions: &'a [u64],
    edges: &'a [L],
    rows: usize,
    lanes: usize,
    lane: usize,
    /// This lane's two flag bits in a word.
    flag_bits: [u8; 2],
}

impl<'a, L: Lane> TraceCells<'a, L> {
    /// The cells of `lane` in the trace of the last fill of `work` (`rows` rows).
    pub(crate) fn new(work: &'a Work<L>, rows: usize, lane: usize) -> Self {
        Self {
            directions: &work.directions,
            edges: &work.edges,
            rows,
            lanes: work.lanes,
            lane,
            flag_bits: [work.flag_bits[2 * lane], work.flag_bits[2 * lane + 1]],
        }
    }

    /// One of the four flags of a cell: `word` 0 or 1, `high` for its second mask.
    #[inline]
    fn flag(&self, i: usize, j: usize, word: usize, high: bool) -> bool {
        let masks = self.directions[2 * (j * self.rows + i) + word];
        let bit = self.flag_bits[usize::from(high)];
        masks >> bit & 1 == 1
    }

    /// The direction of a cell, in water's order: the column gap, the row gap, the diagonal.
    #[inline]
    fn direction(&self, i: usize, j: usize) -> u8 {
        if self.flag(i, j, 0, false) {
            UP
        } else if self.flag(i, j, 0, true) {
            LEFT
        } else {
            DIAG
        }
    }

    /// The H of a cell of column 0 (`j == 0`) or row 0 (`i == 0`), in units.
    #[inline]
    fn edge(&self, i: usize, j: usize) -> i32 {
        let at = if j == 0 { i } else { self.rows + j };
        self.edges[at * self.lanes + self.lane].to_i32()
    }

    /// water's walk ([`crate::align::trace::walk`]) from the start cell `(end_i, end_j)` whose
    /// H is `max_h`, in whole units, where it is exact: coded `a` and `b` are the lane's
    /// sequences and `score` is passed through.
    ///
    /// The walk continues only from cells with a positive H, which is the value the cell's
    /// direction names: after a diagonal step H is the last one less the substitution score,
    /// and after a gap it is the `from` value the gap search found. That search wants the
    /// shortest gap of length `k + 1` whose `from - open - k * extend` equals H. Inside the
    /// matrix the row gap obeys `E(i, j) = max(E(i, j-1) - extend, H(i, j-1) - open)`, so
    /// while the cells passed were extended (not opened) the first length that fits is the
    /// first cell where the gap was opened, and `from` follows from H; the same holds for
    /// column gaps. Along row 0 and column 0 (no gap state) and where the search reaches the
    /// edge, it reads the edge H as water does.
    pub(crate) fn walk(
        &self,
        fixed: &FixedPoint,
        a: &[u8],
        b: &[u8],
        (end_i, end_j): (usize, usize),
        max_h: i32,
        score: f32,
    ) -> Traceback {
        let (open, extend) = (fixed.open(), fixed.extend());
        let (mut i, mut j) = (end_i as isize, end_j as isize);
        let mut h = max_h;
        // At most one column per residue of a and of b.
        let mut ops = Vec::with_capacity(end_i + end_j + 2);
        while i >= 0 && j >= 0 {
            let (row, column) = (i as usize, j as usize);
            match self.direction(row, column) {
                DIAG => {
                    ops.push(Step::Pair);
                    h -= fixed.score(a[row], b[column]);
                    i -= 1;
                    j -= 1;
                    if i >= 0 && j >= 0 && h <= 0 {
                        break;
                    }
                }
                direction => {
                    let horizontal = direction == LEFT;
                    let along = if horizontal { column } else { row };
                    // A gap along row 0 or column 0 (no gap state there).
                    let on_edge = if horizontal { row == 0 } else { column == 0 };
                    let mut k = 0;
                    let (origin, from) = loop {
                        let c = along - 1 - k;
                        let cost = open + k as i32 * extend;
                        if on_edge || c == 0 {
                            let from = if horizontal {
                                self.edge(row, c)
                            } else {
                                self.edge(c, column)
                            };
                            if c == 0 || from - cost == h {
                                break (from - cost, from);
                            }
                        } else {
                            // The gap cell `k` steps back: extended, or opened from `from`.
                            let extended = if horizontal {
                                self.flag(row, column - k, 1, false)
                            } else {
                                self.flag(row - k, column, 1, true)
                            };
                            if !extended {
                                break (h, h + cost);
                            }
                        }
                        k += 1;
                    };
                    if origin <= 0 {
                        break;
                    }
                    h = from;
                    let length = k + 1;
                    if horizontal {
                        ops.extend(std::iter::repeat_n(Step::Deletion, length));
                        j -= length as isize;
                    } else {
                        ops.extend(std::iter::repeat_n(Step::Insertion, length));
                        i -= length as isize;
                    }
                }
            }
        }
        ops.reverse();
        Traceback {
            score,
            start_a: (i + 1) as usize,
            start_b: (j + 1) as usize,
            ops,
            end_a: end_i,
            end_b: end_j,
        }
    }
}
