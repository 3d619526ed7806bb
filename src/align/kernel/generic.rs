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
//! With `TRANSPOSED`, the lanes hold many a's (the rows, of different lengths) against one
//! shared b (the columns): the order of the fill, the edge rules and the recurrence stay the
//! same; the scores come from a profile built once per job (one vector per code of b and row),
//! rows past a lane's a are computed but never enter its score or start cell, and every column
//! is valid for every lane.
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

/// The sequences of one fill: the coded shared sequence, up to `LANES` coded non-empty
/// sequences in the lanes, and the rectangle to fill.
///
/// Normally the query is water's a (the rows, `rows <= query.len()`) and the targets are b's
/// (the columns; columns past a target's length are ignored). With `transposed` the query is
/// the shared b (the columns, `cols <= query.len()`) and the targets are a's (the rows; rows
/// past a target's length are ignored).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Job<'a> {
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
    diag0: Vec<L>,
    column_best: Vec<L>,
    column_row: Vec<L>,
    /// `4 * H + direction`, at `((j * rows) + i) * LANES + lane`.
    pub(crate) trace: Vec<L>,
    lanes: Vec<LaneState>,
    /// Each lane's target code in the current column.
    codes: Vec<u8>,
    /// The matrix, one row of `LOOKUP_CODES` lanes per code of a (for [`Vector::lookup`]);
    /// transposed, one row per code of b.
    tables: Vec<L>,
    /// Transposed: each lane's length of a (0 in unused lanes).
    lengths: Vec<L>,
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

/// Fills one job, writing one [`LaneScore`] per lane into `out`.
///
/// `TRANSPOSED` must equal `job.transposed`: lanes are b's against a shared a (false) or a's
/// against a shared b (true); see [`Job`].
///
/// # Safety
///
/// The CPU features `V` uses must be available. (The shape of the job is checked here, so
/// memory safety depends on nothing else; for *correct* results with `V::Lane = i16` the caller
/// checks [`FixedPoint::narrow_ok`] for the rows and, with `TRACE`, that every H of the
/// rectangle is at most `(i16::MAX - 3) / 4`.)
///
/// # Panics
///
/// If `job` has more sequences than lanes or than `out` has slots, an empty sequence in a lane,
/// `rows` of 0 or past the query (normal), `cols` of 0 or past the query (transposed), a code
/// outside the matrix, or `TRANSPOSED != job.transposed`.
#[inline(always)]
// `j` is a column of every lane at once, not an index into one slice.
#[allow(clippy::needless_range_loop)]
pub(crate) unsafe fn fill<V: Vector, const TRACE: bool, const TRANSPOSED: bool>(
    fixed: &FixedPoint,
    job: &Job<'_>,
    work: &mut Work<V::Lane>,
    out: &mut [LaneScore],
) {
    let lanes = V::LANES;
    let rows = job.rows;
    let cols = job.cols;
    // Normally the query gives the rows; transposed, the columns.
    let query = &job.query[..if TRANSPOSED { cols } else { rows }];
    let targets = job.targets;
    let (open, extend) = (fixed.open(), fixed.extend());
    let size = fixed.size();
    // The pointer arithmetic below relies on these; checking them once per job is free.
    assert!(job.transposed == TRANSPOSED);
    assert!(targets.len() <= lanes && out.len() >= targets.len());
    assert!(rows >= 1 && targets.iter().all(|target| !target.is_empty()));
    assert!(query.iter().all(|&code| usize::from(code) < size));
    if TRANSPOSED {
        assert!(cols >= 1 && size <= 256);
        assert!(
            targets
                .iter()
                .all(|target| target.iter().all(|&code| usize::from(code) < size))
        );
    }
    let zero = <V::Lane as Lane>::from_i32(0);
    // Row `i` of a lane: the query's code, or (transposed) the lane's own code, 0 past its end.
    let code_a = |lane: usize, i: usize| -> u8 {
        if TRANSPOSED {
            targets[lane].get(i).copied().unwrap_or(0)
        } else {
            query[i]
        }
    };
    // Rows that belong to a lane's sequence (the rest, transposed, are never reported).
    let lane_rows = |lane: usize| -> usize {
        if TRANSPOSED {
            targets[lane].len().min(rows)
        } else {
            rows
        }
    };

    // Buffers only grow: every lane of a target is written before it is read, and stale values
    // in unused lanes only flow into those lanes. (Zeroing the trace cost 5% of the run.)
    grow(&mut work.h, rows * lanes);
    grow(&mut work.e, rows * lanes);
    work.profile.clear();
    if TRANSPOSED {
        work.profile.resize(size * rows * lanes, zero);
    } else {
        work.profile.resize(size * lanes, zero);
    }
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
        for code in 0..size {
            for (slot, other) in work.tables[code * LOOKUP_CODES..].iter_mut().zip(0..size) {
                // Normally a row per code of a over codes of b; transposed, the reverse.
                let score = if TRANSPOSED {
                    fixed.score(other as u8, code as u8)
                } else {
                    fixed.score(code as u8, other as u8)
                };
                *slot = Lane::from_i32(score);
            }
        }
    }
    if TRANSPOSED {
        work.lengths.clear();
        work.lengths.resize(lanes, zero);
        for (slot, target) in work.lengths.iter_mut().zip(targets) {
            *slot = Lane::from_i32(target.len().min(rows) as i32);
        }
        // The profile of the whole job: at `(code_b * rows + i) * lanes`, each lane's score of
        // its row `i` against `code_b`.
        for i in 0..rows {
            for (lane, slot) in work.codes.iter_mut().enumerate() {
                *slot = if lane < targets.len() {
                    code_a(lane, i)
                } else {
                    0
                };
            }
            for code_b in 0..size {
                let at = (code_b * rows + i) * lanes;
                if size <= LOOKUP_CODES {
                    // SAFETY: `tables` holds `LOOKUP_CODES` lanes per code, `codes` holds
                    // `lanes` codes below `size`, `profile` holds `size * rows * lanes` lanes
                    // and `code_b < size`, `i < rows`; CPU features: the caller.
                    unsafe {
                        V::lookup(
                            work.tables.as_ptr().add(code_b * LOOKUP_CODES),
                            work.codes.as_ptr(),
                        )
                        .store(work.profile.as_mut_ptr().add(at));
                    }
                } else {
                    for (slot, &code) in work.profile[at..at + lanes].iter_mut().zip(&work.codes) {
                        *slot = Lane::from_i32(fixed.score(code, code_b as u8));
                    }
                }
            }
        }
    }

    // Column 0, lane by lane: single-state vertical gaps and quirk Q1 for the row gap.
    for (lane, target) in targets.iter().enumerate() {
        let code_b = if TRANSPOSED { query[0] } else { target[0] };
        let valid = lane_rows(lane);
        let (mut previous_h, mut previous_up) = (0, false);
        let (mut max_h, mut end_i) = (-1, 0);
        for i in 0..rows {
            let gap = if i == 0 {
                0
            } else {
                previous_h - if previous_up { extend } else { open }
            };
            let (value, direction) = edge_cell(fixed.score(code_a(lane, i), code_b), gap, UP);
            let row_gap = value - if i >= 1 && previous_up { extend } else { open };
            work.h[i * lanes + lane] = Lane::from_i32(value);
            work.e[i * lanes + lane] = Lane::from_i32(row_gap);
            if TRACE {
                work.trace[i * lanes + lane] = pack(value, direction);
            }
            if value > max_h && i < valid {
                (max_h, end_i) = (value, i);
            }
            (previous_h, previous_up) = (value, direction == UP);
        }
        work.lanes[lane] = LaneState {
            len: target.len(),
            code: if TRANSPOSED { target[0] } else { 0 },
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
    let lengths_v = if TRANSPOSED {
        // SAFETY: `lengths` holds `lanes` lanes; CPU features: the caller.
        unsafe { V::load(work.lengths.as_ptr()) }
    } else {
        zero_v
    };

    for j in 1..cols {
        // The column's profile (normal) and its row-0 cell, lane by lane. Normally
        // `state.code` is the lane's b in this column; transposed, the lane's a at row 0.
        if !TRANSPOSED {
            for (lane, state) in work.lanes.iter_mut().enumerate() {
                state.code = if j < state.len { targets[lane][j] } else { 0 };
            }
            for (slot, state) in work.codes.iter_mut().zip(&work.lanes) {
                *slot = state.code;
            }
            if size <= LOOKUP_CODES {
                for code_a in 0..size {
                    // SAFETY: `tables` holds `LOOKUP_CODES` lanes per code, `codes` holds
                    // `lanes` codes below `size`, `profile` has `lanes` lanes at
                    // `code_a * lanes`; CPU features: the caller.
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
        }
        for (lane, state) in work.lanes.iter_mut().enumerate() {
            let gap = state.row0_h - if state.row0_left { extend } else { open };
            let substitution = if TRANSPOSED {
                fixed.score(state.code, query[j])
            } else {
                fixed.score(query[0], state.code)
            };
            let (value, direction) = edge_cell(substitution, gap, LEFT);
            (state.row0_h, state.row0_left) = (value, direction == LEFT);
            work.diag0[lane] = work.h[lane];
            work.h[lane] = Lane::from_i32(value);
            if TRACE {
                work.trace[j * rows * lanes + lane] = pack(value, direction);
            }
        }

        let h = work.h.as_mut_ptr();
        let e = work.e.as_mut_ptr();
        // Transposed, the rows of this column's code of b; the row `i` is added below.
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
        let trace_column = if TRACE {
            // SAFETY: `trace` holds `rows * cols * lanes` lanes and `j < cols`.
            unsafe { work.trace.as_mut_ptr().add(j * rows * lanes) }
        } else {
            std::ptr::null_mut()
        };
        // SAFETY: every pointer below stays inside its buffer: `h` and `e` hold `rows * lanes`
        // lanes and `i < rows`; `profile` holds `size * lanes` (normal: every code is below
        // `size`) or `rows * lanes` from this column's code on (transposed: `i < rows`);
        // `trace_column` (with TRACE) has `rows * lanes` lanes left. CPU features: the caller.
        unsafe {
            let mut diag = V::load(work.diag0.as_ptr());
            let mut up = V::load(h);
            let mut column_gap = up.sub(open_v).sub(extend_v);
            let mut column_best = min_v;
            let mut column_row = zero_v;
            let mut row = zero_v;
            for i in 1..rows {
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
                let row_gap = V::load(e.add(at)).sub(extend_v).max(left.sub(open_v));
                row_gap.store(e.add(at));
                column_gap = column_gap.sub(extend_v).max(up.sub(open_v));
                let best_two = diagonal.max(row_gap);
                let value = best_two.max(column_gap);
                // Transposed, rows past a lane's a never reach its score or start cell.
                let tracked = if TRANSPOSED {
                    V::select(lengths_v.gt(row), value, min_v)
                } else {
                    value
                };
                let better = tracked.gt(column_best);
                column_best = column_best.max(tracked);
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
        for (lane, state) in work.lanes[..targets.len()].iter_mut().enumerate() {
            // Transposed, every column is one of the shared b.
            if !TRANSPOSED && j >= state.len {
                continue;
            }
            let column_best = work.column_best[lane].to_i32();
            let interior_rows = if TRANSPOSED {
                state.len.min(rows)
            } else {
                rows
            };
            if interior_rows > 1 {
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
