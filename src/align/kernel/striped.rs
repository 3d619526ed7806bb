//! One long pair in SIMD: water's DP in Farrar's striped layout, exactly.
//!
//! The lane kernel ([`super::generic`]) puts many targets in the lanes; a lone pair would use one
//! lane of it. Here the lanes hold rows of the one query instead: water's a (the rows) gets a
//! striped profile and the fill runs down the columns of b one segment at a time.
//!
//! # Layout
//!
//! Row 0 and column 0 are water's edge cells, computed in scalar code exactly as `scalar.rs`
//! computes them (quirk Q1 included). The interior rows `1..rows` are the striped part: interior
//! row `r = i - 1` lives in segment `r % seg` of lane `r / seg`, where `seg = ceil((rows - 1) /
//! LANES)`; the `seg * LANES - (rows - 1)` slots past the last row are padding (see below).
//! Row 0's value in a column depends only on row 0 of the previous column, so it is computed
//! first and handed to the striped interior as its boundary: the diagonal of row 1 and the
//! vertical gap entering row 1.
//!
//! # The vertical gap (lazy F)
//!
//! Within a column, the vertical gap value F of a row depends on the row above, which for the
//! first segment of lane `l` is the last segment of lane `l - 1`. The first pass runs the
//! segments in order with F entering lanes `1..` unknown (a value below every real one), so
//! within each lane it computes F' from that lane's own rows. The true F entering a lane adds
//! one gap chain: entering with `x`, it gives every row `k` segments further at most
//! `x - k * m`, `m = min(open, extend)` (a step extends the gap, or opens one from an H the
//! chain itself raised), and H becomes `max(H', x - k * m)`; the F it carries out of the lane
//! is then `max(F_out', x - seg * m)`. So the true F entering lane `l` is the largest, over
//! the lanes `l' < l`, of the F the first pass carried out of `l'` minus `seg * m` for each
//! lane in between: a prefix maximum across the lanes, computed with one `shift_in`, subtract
//! and maximum per lane crossed (stopping as soon as a step changes nothing). Then a single
//! pass down the segments (Farrar's lazy-F loop, but entered with exact values, so one round)
//! applies every lane's chain. Without the prefix maximum, Farrar's loop needs one round per
//! lane a gap crosses: on close homologs the long vertical gaps below the alignment cross
//! almost every lane in almost every column.
//!
//! A lane's chain stops mattering at a row where it is at most 0 (it can never raise a clamped
//! H) or at most `H - max(0, open - extend)` (it neither raises this H nor outlives the gap
//! that H opens itself, which F' already holds); when that is so in every lane at once the loop
//! stops. Every carried value is a lower bound of the true F, so every update is exact or
//! harmless. A raised H gets the direction UP exactly where the chain raises it; a cell whose H
//! does not change keeps its direction (when H is positive, F beating both the diagonal and the
//! row gap would raise H). Cells with H = 0 may keep a stale direction, which the walk never
//! reads (it only visits cells with positive H beyond its start, and starts at an edge cell
//! when the largest H is 0).
//!
//! # Padding and the score
//!
//! Padding rows score far below any real cell and come after every real row, so their values
//! never exceed the largest real H seen so far. They can therefore never beat a real cell for
//! the start cell (they tie at most, and lose the tie on the row), and they never raise a
//! positive score. The reported score (the largest unclamped interior value) is exact whenever
//! it is positive; when it is not (nothing in the interior scores above zero), padding and the
//! lazy loop's clamped view may hide the exact negative value, and the caller uses the lane
//! kernel instead.
//!
//! # Start cell
//!
//! Per column, the largest H of the interior (from the vector of column maxima) is compared with
//! the running maximum; only a column that reaches it is reduced horizontally. A column that
//! raises the maximum is kept (three H buffers rotate, so keeping one costs no copy) and its
//! first row reaching the maximum is found only when it matters: at the end, or when a later
//! column ties the maximum and the smaller row must win.
//!
//! # Trace
//!
//! With `TRACE` the fill stores `4 * H + direction` per interior cell in striped layout, and
//! row 0 and column 0 in plain arrays; [`StripedCells`] maps `(i, j)` back for water's walk.

use super::dispatch::Engine;
use super::fixed::FixedPoint;
use super::isa::{Isa, Job, LaneWidth};
use super::outcome::{LaneScore, Outcome, reported_score};
use super::vector::{Lane, Vector};
use crate::align::trace::{Cells, DIAG, LEFT, Penalties, UP, walk};

/// The largest H the 16-bit striped trace can pack as `4 * H + direction`.
const NARROW_TRACE_MAX: i32 = (i16::MAX as i32 - 3) / 4;

/// Reusable buffers of one lane type.
#[derive(Debug, Default, Clone)]
pub(crate) struct StripedWork<L> {
    /// `size` profiles of `seg * LANES` lanes: the score of each row against one code of b.
    profile: Vec<L>,
    /// Three H columns of `seg * LANES` lanes (previous, current, kept for the start cell).
    h: Vec<L>,
    /// The row gap entering the next column, per cell.
    e: Vec<L>,
    /// `4 * H + direction` of the interior, column `j` at `(j - 1) * seg * LANES`.
    trace: Vec<L>,
    /// `4 * H + direction` of row 0, per column (column 0 is in `col0`).
    row0: Vec<i32>,
    /// `4 * H + direction` of column 0, per row.
    col0: Vec<i32>,
    /// Segments per lane of the last fill.
    seg: usize,
    /// Lanes of the last fill.
    lanes: usize,
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

/// Sets a buffer to `len` copies of `value`.
fn reset<L: Lane>(buffer: &mut Vec<L>, len: usize, value: L) {
    buffer.clear();
    buffer.resize(len, value);
}

/// The first interior row (0-based `r`, i.e. `i - 1`) of a striped H column whose value is
/// `value`, scanning rows in order; `rows` real rows. Padding slots are never reported.
fn first_row<L: Lane>(column: &[L], value: i32, seg: usize, lanes: usize, rows: usize) -> usize {
    (0..rows)
        .find(|&r| column[(r % seg) * lanes + r / seg].to_i32() == value)
        .unwrap_or(rows)
}

/// Fills rows `0..rows` of coded `a` against columns `0..cols` of coded `b` in striped layout.
///
/// Without `TRACE` it returns water's score and start cell for the whole pair (the caller
/// passes `rows = a.len()`, `cols = b.len()`). With `TRACE` it stores what the walk reads for
/// every cell of the rectangle (see [`StripedCells`]) and the returned score is meaningless.
///
/// `best` in the result is exact only when positive (see the module documentation); `overflow`
/// says a 16-bit fill may have saturated.
///
/// # Safety
///
/// The CPU features `V` uses must be available. (Everything else is checked here, so memory
/// safety depends on nothing else; for *correct* 16-bit results the caller checks
/// [`FixedPoint::narrow_ok`] for `rows` and, with `TRACE`, that every H of the rectangle is at
/// most `(i16::MAX - 3) / 4`.)
///
/// # Panics
///
/// If `rows` or `cols` is 0 or past its sequence, or a code is outside the matrix.
#[inline(always)]
pub(crate) unsafe fn fill<V: Vector, const TRACE: bool>(
    fixed: &FixedPoint,
    a: &[u8],
    b: &[u8],
    rows: usize,
    cols: usize,
    work: &mut StripedWork<V::Lane>,
) -> LaneScore {
    let lanes = V::LANES;
    let (a, b) = (&a[..rows], &b[..cols]);
    let size = fixed.size();
    // The pointer arithmetic below relies on these.
    assert!(rows >= 1 && cols >= 1);
    assert!(a.iter().chain(b).all(|&code| usize::from(code) < size));
    let (open, extend) = (fixed.open(), fixed.extend());
    let interior = rows - 1;
    let seg = interior.div_ceil(lanes);
    let stride = seg * lanes;
    // Below every real value (and, 16-bit, far enough from `i16::MIN` that subtracting a few
    // penalties saturates harmlessly); the score of padding rows.
    let low = <V::Lane as Lane>::MIN / 2;
    let low_lane = <V::Lane as Lane>::from_i32(low);
    let zero = <V::Lane as Lane>::from_i32(0);
    work.seg = seg;
    work.lanes = lanes;

    // The striped profile: `profile[code * stride + s * lanes + l]` is the score of interior
    // row `s + l * seg` against `code`.
    reset(&mut work.profile, size * stride, low_lane);
    for (r, &code_a) in a[1..].iter().enumerate() {
        let slot = (r % seg) * lanes + r / seg;
        for (code_b, &score) in fixed.row(code_a).iter().enumerate() {
            work.profile[code_b * stride + slot] = Lane::from_i32(score);
        }
    }
    reset(&mut work.h, 3 * stride, zero);
    reset(&mut work.e, stride, low_lane);
    if TRACE {
        // Only grows: every interior cell of the rectangle is written before the walk reads it.
        if work.trace.len() < (cols - 1) * stride {
            work.trace.resize((cols - 1) * stride, zero);
        }
        work.row0.clear();
        work.row0.resize(cols, 0);
        work.col0.clear();
        work.col0.resize(rows, 0);
    }

    // Column 0: single-state vertical gaps; quirk Q1 for the row gap below an UP cell. The row
    // gap stored is the one entering column 1 (water's `max(row_gap - extend, H - open)`).
    let (mut previous, mut current, mut kept) = (0usize, 1usize, None::<usize>);
    let (mut max_h, mut end_i, mut end_j) = (-1, 0, 0);
    let mut row0_h = 0;
    let mut row0_left = false;
    {
        let (mut above_h, mut above_up) = (0, false);
        for (i, &code_a) in a.iter().enumerate() {
            let gap = if i == 0 {
                0
            } else {
                above_h - if above_up { extend } else { open }
            };
            let (value, direction) = edge_cell(fixed.score(code_a, b[0]), gap, UP);
            if i == 0 {
                row0_h = value;
            } else {
                let r = i - 1;
                let slot = (r % seg) * lanes + r / seg;
                let row_gap = value - if above_up { extend } else { open };
                work.h[previous * stride + slot] = Lane::from_i32(value);
                work.e[slot] = Lane::from_i32((row_gap - extend).max(value - open));
            }
            if TRACE {
                work.col0[i] = 4 * value + i32::from(direction);
            }
            if value > max_h {
                (max_h, end_i) = (value, i);
            }
            (above_h, above_up) = (value, direction == UP);
        }
    }

    // SAFETY: the caller guarantees the CPU features of `V`.
    // A chain crossing a whole lane decays by `seg * m`; past what a lane holds it is dead
    // anyway (only positive values matter), so the clamp never raises a value above 0.
    let lane_decay =
        (seg as i64 * i64::from(open.min(extend))).min(i64::from(<V::Lane as Lane>::MAX));
    let (open_v, extend_v, zero_v, low_v, left_v, up_v, outlive_v, decay_v, lane_decay_v) = unsafe {
        (
            V::splat(open),
            V::splat(extend),
            V::splat(0),
            V::splat(low),
            V::splat(i32::from(LEFT)),
            V::splat(i32::from(UP)),
            V::splat((open - extend).max(0)),
            V::splat(open.min(extend)),
            V::splat(lane_decay as i32),
        )
    };
    let mut best_v = low_v;

    for (j, &code_b) in b.iter().enumerate().skip(1) {
        // Row 0 first: the boundary of the interior.
        let gap = row0_h - if row0_left { extend } else { open };
        let (value, direction) = edge_cell(fixed.score(a[0], code_b), gap, LEFT);
        let diagonal0 = row0_h;
        (row0_h, row0_left) = (value, direction == LEFT);
        if TRACE {
            work.row0[j] = 4 * value + i32::from(direction);
        }
        // water's vertical gap entering row 1: `(H0 - open) - extend`, then one step.
        let f1 = ((value - open) - extend - extend).max(value - open);

        let mut column_max = low_v;
        if seg > 0 {
            // SAFETY: `h` holds three columns of `stride` lanes and `previous`, `current` are
            // below 3; `e` holds `stride` lanes; the profile holds `size * stride` lanes and
            // `code_b < size`; `trace` holds `(cols - 1) * stride` lanes and `j < cols`; every
            // access is at `s * lanes` with `s < seg`. CPU features: the caller.
            unsafe {
                let h_load = work.h.as_ptr().add(previous * stride);
                let h_store = work.h.as_mut_ptr().add(current * stride);
                let e = work.e.as_mut_ptr();
                let profile = work.profile.as_ptr().add(usize::from(code_b) * stride);
                let trace = if TRACE {
                    work.trace.as_mut_ptr().add((j - 1) * stride)
                } else {
                    std::ptr::null_mut()
                };
                let mut diag = V::load(h_load.add((seg - 1) * lanes)).shift_in(V::splat(diagonal0));
                let mut vf = low_v.shift_in(V::splat(f1));
                for s in 0..seg {
                    let at = s * lanes;
                    let d = diag.add(V::load(profile.add(at)));
                    let row_gap = V::load(e.add(at));
                    let best_two = d.max(row_gap);
                    let v = best_two.max(vf);
                    column_max = column_max.max(v);
                    let h = v.max(zero_v);
                    h.store(h_store.add(at));
                    if TRACE {
                        let direction = V::select(
                            vf.gt(best_two),
                            up_v,
                            V::select(row_gap.gt(d), left_v, zero_v),
                        );
                        let twice = h.add(h);
                        twice.add(twice).add(direction).store(trace.add(at));
                    }
                    let h_open = h.sub(open_v);
                    row_gap.sub(extend_v).max(h_open).store(e.add(at));
                    vf = vf.sub(extend_v).max(h_open);
                    diag = V::load(h_load.add(at));
                }

                // Lazy F. The exact F entering each lane: a prefix maximum over the lanes
                // below of the F the first pass carried out of them, decaying by `seg * m` per
                // lane crossed (see the module documentation). Nothing to do unless some
                // carried F is positive.
                if V::any(vf.gt(zero_v)) {
                    let mut entry = vf.shift_in(low_v);
                    for _ in 2..lanes {
                        let next = entry.max(entry.shift_in(low_v).sub(lane_decay_v));
                        if !V::any(next.gt(entry)) {
                            break;
                        }
                        entry = next;
                    }
                    // One pass down the segments applies every lane's chain, until it no
                    // longer matters in any lane.
                    let mut carried = entry;
                    for s in 0..seg {
                        let at = s * lanes;
                        let h = V::load(h_store.add(at));
                        if !V::any(carried.gt(h.sub(outlive_v).max(zero_v))) {
                            break;
                        }
                        let h_new = h.max(carried);
                        h_new.store(h_store.add(at));
                        column_max = column_max.max(h_new);
                        let h_open = h_new.sub(open_v);
                        V::load(e.add(at)).max(h_open).store(e.add(at));
                        if TRACE {
                            let twice = carried.add(carried);
                            let packed = twice.add(twice).add(up_v);
                            V::select(carried.gt(h), packed, V::load(trace.add(at)))
                                .store(trace.add(at));
                        }
                        carried = carried.sub(decay_v);
                    }
                }
                best_v = best_v.max(column_max);
            }
        }

        if !TRACE {
            // The start cell: the largest H, smallest row, then smallest column.
            // SAFETY: CPU features: the caller.
            let reaches = seg > 0 && unsafe { V::any(column_max.gt(V::splat(max_h - 1))) };
            // Row 0 ties win unless the start cell is already in row 0 (a kept column's row
            // is not known yet, but it is an interior one).
            let row0_wins = value == max_h && (end_i > 0 || kept.is_some());
            if reaches || value > max_h || row0_wins {
                // SAFETY: CPU features: the caller.
                let interior_max = if seg > 0 {
                    unsafe { column_max.hmax() }.max(0)
                } else {
                    -1
                };
                let column_value = value.max(interior_max);
                // `None`: an interior row of this column, found by a scan if needed.
                let column_row = (value >= interior_max).then_some(0);
                let resolve = |work: &StripedWork<V::Lane>, buffer: usize, target: i32| {
                    let column = &work.h[buffer * stride..(buffer + 1) * stride];
                    1 + first_row(column, target, seg, lanes, interior)
                };
                if column_value > max_h {
                    max_h = column_value;
                    end_j = j;
                    match column_row {
                        Some(row) => {
                            end_i = row;
                            kept = None;
                        }
                        None => kept = Some(current),
                    }
                } else if column_value == max_h {
                    if let Some(buffer) = kept.take() {
                        end_i = resolve(work, buffer, max_h);
                    }
                    let row = column_row.unwrap_or_else(|| resolve(work, current, max_h));
                    if row < end_i {
                        (end_i, end_j) = (row, j);
                    }
                }
            }
        }

        // Rotate: this column is the next one's previous; write into a buffer that is neither
        // that nor the one kept for the start cell.
        previous = current;
        current = (0..3)
            .find(|&buffer| buffer != previous && Some(buffer) != kept)
            .unwrap_or(0);
    }

    if let Some(buffer) = kept {
        let column = &work.h[buffer * stride..(buffer + 1) * stride];
        end_i = 1 + first_row(column, max_h, seg, lanes, interior);
    }
    let best = (interior >= 1 && cols >= 2).then(|| {
        // SAFETY: CPU features: the caller.
        unsafe { best_v.hmax() }
    });
    let limit = <V::Lane as Lane>::MAX - fixed.max_score().max(0);
    LaneScore {
        best,
        end_i,
        end_j,
        max_h,
        overflow: best.is_some_and(|best| best >= limit),
    }
}

/// One fill of the striped kernel, as a [`Job`] for [`Engine::run`]: see [`fill`].
struct StripedFill<'a, L> {
    trace: bool,
    fixed: &'a FixedPoint,
    a: &'a [u8],
    b: &'a [u8],
    rows: usize,
    cols: usize,
    work: &'a mut StripedWork<L>,
}

impl<'a, L> StripedFill<'a, L> {
    fn new(
        trace: bool,
        fixed: &'a FixedPoint,
        a: &'a [u8],
        b: &'a [u8],
        rows: usize,
        cols: usize,
        work: &'a mut StripedWork<L>,
    ) -> Self {
        Self {
            trace,
            fixed,
            a,
            b,
            rows,
            cols,
            work,
        }
    }
}

impl<L: LaneWidth> Job for StripedFill<'_, L> {
    type Output = LaneScore;

    #[inline(always)]
    fn run<I: Isa>(self, _: I) -> LaneScore {
        let Self {
            trace,
            fixed,
            a,
            b,
            rows,
            cols,
            work,
        } = self;
        // SAFETY: a value of `I` proves the CPU has its vectors' features (`Isa`'s contract);
        // `fill` checks the rest.
        unsafe {
            if trace {
                fill::<L::Vector<I>, true>(fixed, a, b, rows, cols, work)
            } else {
                fill::<L::Vector<I>, false>(fixed, a, b, rows, cols, work)
            }
        }
    }
}

/// Reads the walk's cells from a striped trace: `4 * H + direction` per cell.
pub(crate) struct StripedCells<'a, L> {
    work: &'a StripedWork<L>,
    unit: f32,
}

impl<'a, L: Lane> StripedCells<'a, L> {
    /// The cells of the last `TRACE` fill of `work`; `unit` converts units to `f32`.
    pub(crate) fn new(work: &'a StripedWork<L>, unit: f32) -> Self {
        Self { work, unit }
    }

    #[inline]
    fn packed(&self, i: usize, j: usize) -> i32 {
        let work = self.work;
        if j == 0 {
            work.col0[i]
        } else if i == 0 {
            work.row0[j]
        } else {
            let r = i - 1;
            let slot = ((j - 1) * work.seg + r % work.seg) * work.lanes + r / work.seg;
            work.trace[slot].to_i32()
        }
    }
}

impl<L: Lane> Cells for StripedCells<'_, L> {
    #[inline]
    fn h(&self, i: usize, j: usize) -> f32 {
        (self.packed(i, j) >> 2) as f32 * self.unit
    }

    #[inline]
    fn dir(&self, i: usize, j: usize) -> u8 {
        (self.packed(i, j) & 3) as u8
    }
}

/// Reusable buffers of the single-pair kernel.
#[derive(Debug, Default, Clone)]
pub(crate) struct StripedScratch {
    narrow: StripedWork<i16>,
    wide: StripedWork<i32>,
}

/// Aligns (or only scores, without `trace`) coded `a` against coded `b`, both non-empty and
/// `fits` for the pair: a 16-bit fill first, 32-bit when it may have saturated, then (for the
/// alignment) a second fill of the rectangle the walk can reach, and water's walk over it.
///
/// `None` when the striped kernel cannot vouch for the score: nothing in the interior scores
/// above zero (see the module documentation); the caller then uses the lane kernel.
pub(crate) fn run(
    engine: Engine,
    fixed: &FixedPoint,
    penalties: Penalties,
    a: &[u8],
    b: &[u8],
    trace: bool,
    scratch: &mut StripedScratch,
) -> Option<Outcome> {
    let (la, lb) = (a.len(), b.len());
    let narrow = fixed
        .narrow_ok(la)
        .then(|| {
            engine.run(StripedFill::new(
                false,
                fixed,
                a,
                b,
                la,
                lb,
                &mut scratch.narrow,
            ))
        })
        .filter(|score| !score.overflow);
    let score = match narrow {
        Some(score) => score,
        None => engine.run(StripedFill::new(
            false,
            fixed,
            a,
            b,
            la,
            lb,
            &mut scratch.wide,
        )),
    };
    // 32-bit fills cannot saturate within `FixedPoint::fits`.
    debug_assert!(!score.overflow);
    if score.best.is_some_and(|best| best <= 0) {
        return None;
    }
    let reported = reported_score(fixed, &score);
    let traceback = trace.then(|| {
        let (rows, cols) = (score.end_i + 1, score.end_j + 1);
        if narrow.is_some() && score.max_h <= NARROW_TRACE_MAX {
            engine.run(StripedFill::new(
                true,
                fixed,
                a,
                b,
                rows,
                cols,
                &mut scratch.narrow,
            ));
            let cells = StripedCells::new(&scratch.narrow, fixed.unit());
            walk(&cells, score.end_i, score.end_j, reported, penalties)
        } else {
            engine.run(StripedFill::new(
                true,
                fixed,
                a,
                b,
                rows,
                cols,
                &mut scratch.wide,
            ));
            let cells = StripedCells::new(&scratch.wide, fixed.unit());
            walk(&cells, score.end_i, score.end_j, reported, penalties)
        }
    });
    Some(Outcome {
        score: reported,
        end_a: score.end_i,
        end_b: score.end_j,
        traceback,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::kernel::KernelKind;
    use crate::align::scalar::{self, ScalarScratch};
    use crate::scoring::{GapPenalties, Matrix};

    /// Uniform in `0..n`: SplitMix64 (Steele, Lea and Flood 2014) from `state`.
    fn below(state: &mut u64, n: usize) -> usize {
        *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let z = (*state ^ (*state >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) % n as u64) as usize
    }

    /// The striped kernel itself (not a fallback) answers pairs with a positive score, equal to
    /// the scalar engine, on every engine of this CPU, with penalties where open < extend too.
    #[test]
    fn striped_runs_and_equals_scalar() {
        let matrix = Matrix::blosum62();
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        for (open, extend) in [(10.0, 0.5), (1.0, 3.0), (0.0, 0.0), (24.5, 4.0)] {
            let gaps = GapPenalties::new(open, extend).unwrap();
            let fixed = FixedPoint::new(&matrix, gaps).unwrap();
            let penalties = Penalties {
                open: gaps.open(),
                extend: gaps.extend(),
            };
            for _ in 0..40 {
                let alphabet: &[u8] = if below(&mut rng, 2) == 0 {
                    b"WPCA"
                } else {
                    b"ACDEFGHIKLMNPQRSTVWY"
                };
                let la = 1 + below(&mut rng, 300);
                let a: Vec<u8> = (0..la)
                    .map(|_| matrix.code(alphabet[below(&mut rng, alphabet.len())]))
                    .collect();
                // Half of the b's are copies of a with a few edits (long gaps: lazy F).
                let b: Vec<u8> = if below(&mut rng, 2) == 0 {
                    let mut b = a.clone();
                    for _ in 0..3 {
                        let at = below(&mut rng, b.len());
                        let cut = below(&mut rng, 20).min(b.len() - at);
                        if b.len() - cut >= 1 {
                            b.drain(at..at + cut);
                        }
                    }
                    b
                } else {
                    (0..1 + below(&mut rng, 300))
                        .map(|_| matrix.code(alphabet[below(&mut rng, alphabet.len())]))
                        .collect()
                };
                let expected = scalar::align_codes(
                    &a,
                    &b,
                    |x, y| matrix.score_codes(x, y),
                    penalties,
                    &mut ScalarScratch::default(),
                );
                for kind in KernelKind::available() {
                    let engine = Engine::for_kind(kind).unwrap();
                    let mut scratch = StripedScratch::default();
                    let got = run(engine, &fixed, penalties, &a, &b, true, &mut scratch);
                    if expected.score > 0.0 {
                        let got = got.expect("a positive score stays on the striped kernel");
                        assert_eq!(got.traceback.as_ref(), Some(&expected), "{kind}");
                        assert_eq!((got.end_a, got.end_b), (expected.end_a, expected.end_b));
                    }
                }
            }
        }
    }
}
