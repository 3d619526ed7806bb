//! The one algorithm every SIMD kernel runs: water's DP with many targets in the lanes.
//!
//! Lane `l` holds target `l` (water's b, the columns); all lanes share the query (water's a,
//! the rows). The fill visits column after column like water, so each column first builds a
//! small profile (the score of every query code against each lane's residue in this column),
//! then runs the interior recurrence down the rows with one vector per cell row.
//!
//! Edge cells (row 0 and column 0) have no gap state in water and follow their own rule
//! (quirk Q1 included); they are a vanishing share of the work, so they are computed lane by
//! lane in scalar code, exactly as `water.rs` computes them.
//!
//! Per lane the fill reports water's score (the largest unclamped interior value) and the walk's
//! start cell (the largest clamped H over all cells, smallest row then smallest column). For the
//! start cell the interior loop keeps, per column, the largest value and the first row reaching
//! it; after the column a scalar step folds that into the running choice, which reproduces
//! "smallest i, then smallest j" without touching memory per cell.
//!
//! With `TRACE`, the fill also stores `4 * H + direction` for every cell of the rectangle
//! `rows x cols`, which is all the walk reads when it starts inside that rectangle.

use super::fixed::FixedPoint;
use super::vector::{LOOKUP_CODES, Lane, Vector};
use crate::align::water::{DIAG, LEFT, UP};

/// What the fill learns about one target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LaneScore {
    /// The largest unclamped interior value in units; `None` without interior cells.
    pub best: Option<i32>,
    /// The walk's start cell (row in a, column in b).
    pub end_i: usize,
    /// See `end_i`.
    pub end_j: usize,
    /// The clamped H of the start cell (the largest H of the matrix).
    pub max_h: i32,
    /// A 16-bit lane may have saturated: the result is unusable and must be recomputed wider.
    pub overflow: bool,
}

/// The sequences of one fill: coded query, up to `LANES` coded non-empty targets, and the
/// rectangle to fill (`rows <= query.len()`; columns past a target's length are ignored).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Job<'a> {
    pub query: &'a [u8],
    pub targets: &'a [&'a [u8]],
    pub rows: usize,
    pub cols: usize,
}

/// Reusable buffers of one lane type.
#[derive(Debug, Default, Clone)]
pub(crate) struct Work<L> {
    h: Vec<L>,
    e: Vec<L>,
    profile: Vec<L>,
    diag0: Vec<L>,
    column_best: Vec<L>,
    column_row: Vec<L>,
    /// `4 * H + direction`, at `((j * rows) + i) * LANES + lane`.
    pub(crate) trace: Vec<L>,
    lanes: Vec<LaneState>,
    /// Each lane's target code in the current column.
    codes: Vec<u8>,
    /// The matrix, one row of `LOOKUP_CODES` lanes per code of a (for [`Vector::lookup`]).
    tables: Vec<L>,
}

/// Grows a buffer to `len` lanes without clearing what it holds.
fn grow<L: Lane>(buffer: &mut Vec<L>, len: usize) {
    if buffer.len() < len {
        buffer.resize(len, L::default());
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct LaneState {
    len: usize,
    code: u8,
    row0_h: i32,
    row0_left: bool,
    best: i32,
    max_h: i32,
    end_i: usize,
    end_j: usize,
}

/// water's edge rule: a match wins if it beats both the gap and zero, a positive gap next.
#[inline(always)]
fn edge_cell(substitution: i32, gap: i32, gap_direction: u8) -> (i32, u8) {
    if substitution > gap && substitution > 0 {
        (substitution, DIAG)
    } else if gap > 0 {
        (gap, gap_direction)
    } else {
        (0, DIAG)
    }
}

#[inline(always)]
fn pack<L: Lane>(h: i32, direction: u8) -> L {
    L::from_i32(4 * h + i32::from(direction))
}

/// Fills one job, writing one [`LaneScore`] per target into `out`.
///
/// # Safety
///
/// The CPU features `V` uses must be available. (The shape of the job is checked here, so
/// memory safety depends on nothing else; for *correct* results with `V::Lane = i16` the caller
/// checks [`FixedPoint::narrow_ok`] and, with `TRACE`, that every H of the rectangle is at most
/// `(i16::MAX - 3) / 4`.)
///
/// # Panics
///
/// If `job` has more targets than lanes or than `out` has slots, an empty target, `rows` of 0 or
/// past the query, or a code outside the matrix.
#[inline(always)]
// `j` is a column of every lane at once, not an index into one slice.
#[allow(clippy::needless_range_loop)]
pub(crate) unsafe fn fill<V: Vector, const TRACE: bool>(
    fixed: &FixedPoint,
    job: &Job<'_>,
    work: &mut Work<V::Lane>,
    out: &mut [LaneScore],
) {
    let lanes = V::LANES;
    let rows = job.rows;
    let cols = job.cols;
    let query = &job.query[..rows];
    let targets = job.targets;
    let (open, extend) = (fixed.open(), fixed.extend());
    let size = fixed.size();
    // The pointer arithmetic below relies on these; checking them once per job is free.
    assert!(targets.len() <= lanes && out.len() >= targets.len());
    assert!(rows >= 1 && targets.iter().all(|target| !target.is_empty()));
    assert!(query.iter().all(|&code| usize::from(code) < size));
    let zero = <V::Lane as Lane>::from_i32(0);

    // Buffers only grow: every lane of a target is written before it is read, and stale values
    // in unused lanes only flow into those lanes. (Zeroing the trace cost 5% of the run.)
    grow(&mut work.h, rows * lanes);
    grow(&mut work.e, rows * lanes);
    work.profile.clear();
    work.profile.resize(size * lanes, zero);
    work.diag0.clear();
    work.diag0.resize(lanes, zero);
    work.column_best.clear();
    work.column_best.resize(lanes, zero);
    work.column_row.clear();
    work.column_row.resize(lanes, zero);
    if TRACE {
        grow(&mut work.trace, rows * cols * lanes);
    }
    work.lanes.clear();
    work.lanes.resize(lanes, LaneState::default());
    work.codes.clear();
    work.codes.resize(lanes, 0);
    if size <= LOOKUP_CODES {
        work.tables.clear();
        work.tables.resize(size * LOOKUP_CODES, zero);
        for code_a in 0..size {
            for (slot, &score) in work.tables[code_a * LOOKUP_CODES..]
                .iter_mut()
                .zip(fixed.row(code_a as u8))
            {
                *slot = Lane::from_i32(score);
            }
        }
    }

    // Column 0, lane by lane: single-state vertical gaps and quirk Q1 for the row gap.
    for (lane, target) in targets.iter().enumerate() {
        let code_b = target[0];
        let (mut previous_h, mut previous_up) = (0, false);
        let (mut max_h, mut end_i) = (-1, 0);
        for (i, &code_a) in query.iter().enumerate() {
            let gap = if i == 0 {
                0
            } else {
                previous_h - if previous_up { extend } else { open }
            };
            let (value, direction) = edge_cell(fixed.score(code_a, code_b), gap, UP);
            let row_gap = value - if i >= 1 && previous_up { extend } else { open };
            work.h[i * lanes + lane] = Lane::from_i32(value);
            work.e[i * lanes + lane] = Lane::from_i32(row_gap);
            if TRACE {
                work.trace[i * lanes + lane] = pack(value, direction);
            }
            if value > max_h {
                (max_h, end_i) = (value, i);
            }
            (previous_h, previous_up) = (value, direction == UP);
        }
        work.lanes[lane] = LaneState {
            len: target.len(),
            code: 0,
            row0_h: work.h[lane].to_i32(),
            row0_left: false,
            best: <V::Lane as Lane>::MIN,
            max_h,
            end_i,
            end_j: 0,
        };
    }

    // SAFETY: the caller guarantees the CPU features of `V`.
    let (open_v, extend_v, zero_v, one_v, left_v, up_v) = unsafe {
        (
            V::splat(open),
            V::splat(extend),
            V::splat(0),
            V::splat(1),
            V::splat(i32::from(LEFT)),
            V::splat(i32::from(UP)),
        )
    };
    let min_v = unsafe {
        // SAFETY: as above.
        V::splat(<V::Lane as Lane>::MIN)
    };

    for j in 1..cols {
        // The column's profile and its row-0 cell, lane by lane.
        for (lane, state) in work.lanes.iter_mut().enumerate() {
            state.code = if j < state.len { targets[lane][j] } else { 0 };
        }
        for (slot, state) in work.codes.iter_mut().zip(&work.lanes) {
            *slot = state.code;
        }
        if size <= LOOKUP_CODES {
            for code_a in 0..size {
                // SAFETY: `tables` holds `LOOKUP_CODES` lanes per code, `codes` holds `lanes`
                // codes below `size`, `profile` has `lanes` lanes at `code_a * lanes`; CPU
                // features: the caller.
                unsafe {
                    V::lookup(
                        work.tables.as_ptr().add(code_a * LOOKUP_CODES),
                        work.codes.as_ptr(),
                    )
                    .store(work.profile.as_mut_ptr().add(code_a * lanes));
                }
            }
        } else {
            for code_a in 0..size {
                let scores = fixed.row(code_a as u8);
                let profile = &mut work.profile[code_a * lanes..(code_a + 1) * lanes];
                for (slot, &code) in profile.iter_mut().zip(&work.codes) {
                    *slot = Lane::from_i32(scores[usize::from(code)]);
                }
            }
        }
        for (lane, state) in work.lanes.iter_mut().enumerate() {
            let gap = state.row0_h - if state.row0_left { extend } else { open };
            let (value, direction) = edge_cell(fixed.score(query[0], state.code), gap, LEFT);
            (state.row0_h, state.row0_left) = (value, direction == LEFT);
            work.diag0[lane] = work.h[lane];
            work.h[lane] = Lane::from_i32(value);
            if TRACE {
                work.trace[j * rows * lanes + lane] = pack(value, direction);
            }
        }

        let h = work.h.as_mut_ptr();
        let e = work.e.as_mut_ptr();
        let profile = work.profile.as_ptr();
        let trace_column = if TRACE {
            // SAFETY: `trace` holds `rows * cols * lanes` lanes and `j < cols`.
            unsafe { work.trace.as_mut_ptr().add(j * rows * lanes) }
        } else {
            std::ptr::null_mut()
        };
        // SAFETY: every pointer below stays inside its buffer: `h` and `e` hold `rows * lanes`
        // lanes and `i < rows`; `profile` holds `size * lanes` and every code is below `size`;
        // `trace_column` (with TRACE) has `rows * lanes` lanes left. CPU features: the caller.
        unsafe {
            let mut diag = V::load(work.diag0.as_ptr());
            let mut up = V::load(h);
            let mut column_gap = up.sub(open_v).sub(extend_v);
            let mut column_best = min_v;
            let mut column_row = zero_v;
            let mut row = zero_v;
            for (i, &code_a) in query.iter().enumerate().skip(1) {
                row = row.add(one_v);
                let at = i * lanes;
                let diagonal = diag.add(V::load(profile.add(usize::from(code_a) * lanes)));
                let left = V::load(h.add(at));
                diag = left;
                let row_gap = V::load(e.add(at)).sub(extend_v).max(left.sub(open_v));
                row_gap.store(e.add(at));
                column_gap = column_gap.sub(extend_v).max(up.sub(open_v));
                let best_two = diagonal.max(row_gap);
                let value = best_two.max(column_gap);
                let better = value.gt(column_best);
                column_best = column_best.max(value);
                column_row = V::select(better, row, column_row);
                let clamped = value.max(zero_v);
                clamped.store(h.add(at));
                up = clamped;
                if TRACE {
                    let direction = V::select(
                        column_gap.gt(best_two),
                        up_v,
                        V::select(row_gap.gt(diagonal), left_v, zero_v),
                    );
                    let twice = clamped.add(clamped);
                    twice.add(twice).add(direction).store(trace_column.add(at));
                }
            }
            column_best.store(work.column_best.as_mut_ptr());
            column_row.store(work.column_row.as_mut_ptr());
        }

        // Fold the column into each live lane's score and start cell.
        for (lane, state) in work.lanes.iter_mut().enumerate() {
            if j >= state.len {
                continue;
            }
            let column_best = work.column_best[lane].to_i32();
            if rows > 1 {
                state.best = state.best.max(column_best);
            }
            let interior = column_best.max(0);
            let (column_max, first_row) = if state.row0_h >= interior {
                (state.row0_h, 0)
            } else {
                (interior, work.column_row[lane].to_i32() as usize)
            };
            if column_max > state.max_h || (column_max == state.max_h && first_row < state.end_i) {
                (state.max_h, state.end_i, state.end_j) = (column_max, first_row, j);
            }
        }
    }

    let limit = <V::Lane as Lane>::MAX - fixed.max_score().max(0);
    for (slot, state) in out.iter_mut().zip(&work.lanes[..targets.len()]) {
        let best = (state.best != <V::Lane as Lane>::MIN).then_some(state.best);
        *slot = LaneScore {
            best,
            end_i: state.end_i,
            end_j: state.end_j,
            max_h: state.max_h,
            overflow: best.is_some_and(|best| best >= limit),
        };
    }
}

/// Reads the walk's cells from a trace: `4 * H + direction` per lane.
pub(crate) struct TraceCells<'a, L> {
    pub trace: &'a [L],
    pub rows: usize,
    pub lanes: usize,
    pub lane: usize,
    pub unit: f32,
}

impl<L: Lane> crate::align::water::Cells for TraceCells<'_, L> {
    #[inline]
    fn h(&self, i: usize, j: usize) -> f32 {
        let packed = self.trace[(j * self.rows + i) * self.lanes + self.lane].to_i32();
        (packed >> 2) as f32 * self.unit
    }

    #[inline]
    fn dir(&self, i: usize, j: usize) -> u8 {
        (self.trace[(j * self.rows + i) * self.lanes + self.lane].to_i32() & 3) as u8
    }
}
