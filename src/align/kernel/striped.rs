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
use super::vector::{Lane, Vector, lanes_fit};
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

/// The first interior row `i` of H buffer `buffer` whose value is `value`, scanning rows in
/// order (past the last row if there is none). Padding slots are never reported.
fn first_row<L: Lane>(work: &StripedWork<L>, shape: Shape, buffer: usize, value: i32) -> usize {
    let column = &work.h[buffer * shape.stride..(buffer + 1) * shape.stride];
    let found = (0..shape.interior).find(|&r| column[shape.slot(r)].to_i32() == value);
    1 + found.unwrap_or(shape.interior)
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
    const { assert!(lanes_fit::<V>()) };
    let (a, b) = (&a[..rows], &b[..cols]);
    // The pointer arithmetic of every step relies on these.
    assert!(rows >= 1 && cols >= 1);
    assert!(
        a.iter()
            .chain(b)
            .all(|&code| usize::from(code) < fixed.size())
    );
    let shape = prepare::<V, TRACE>(fixed, a, cols, work);
    let (mut start, mut row_zero) = column_zero::<V, TRACE>(fixed, a, b[0], shape, work);
    // SAFETY: `prepare` sized the buffers for `shape`, which is what every step below needs
    // besides the CPU features (the caller's).
    unsafe {
        let splats = Splats::<V>::new(fixed, shape);
        let mut best = splats.low;
        let (mut previous, mut current) = (0usize, 1usize);
        for (j, &code_b) in b.iter().enumerate().skip(1) {
            // Row 0 first: the boundary of the interior.
            let boundary = row_zero.next::<_, TRACE>(fixed, a[0], code_b, j, work);
            let mut column_max = splats.low;
            if shape.seg > 0 {
                let column = StripedColumn::new::<TRACE>(shape, work, previous, current, code_b, j);
                let carried;
                (carried, column_max) = first_pass::<V, TRACE>(column, splats, boundary);
                column_max = lazy_f::<V, TRACE>(column, splats, carried, column_max);
                best = best.max(column_max);
            }
            if !TRACE {
                start.track(work, shape, j, row_zero.h, column_max, current);
            }
            // Rotate: this column is the next one's previous; write into a buffer that is
            // neither that nor the one kept for the start cell.
            previous = current;
            current = (0..3)
                .find(|&buffer| buffer != previous && Some(buffer) != start.kept)
                .unwrap_or(0);
        }
        start.resolve_kept(work, shape);
        let best = (shape.interior >= 1 && cols >= 2).then(|| best.hmax());
        let limit = <V::Lane as Lane>::MAX - fixed.max_score().max(0);
        LaneScore {
            best,
            end_i: start.end_i,
            end_j: start.end_j,
            max_h: start.max_h,
            overflow: best.is_some_and(|best| best >= limit),
        }
    }
}

/// The striped layout of one fill.
#[derive(Clone, Copy)]
struct Shape {
    lanes: usize,
    /// Interior rows (`rows - 1`).
    interior: usize,
    /// Segments per lane.
    seg: usize,
    /// Lanes of one striped column (`seg * lanes`).
    stride: usize,
}

impl Shape {
    /// The slot of interior row `r` (0-based, i.e. `i - 1`) in a striped column.
    #[inline(always)]
    fn slot(self, r: usize) -> usize {
        (r % self.seg) * self.lanes + r / self.seg
    }
}

/// Lays out the fill of `a` (the rows) against `cols` columns and sizes the buffers of `work`
/// for it: the striped profile, H and the row gap, and with `TRACE` the trace.
#[inline(always)]
fn prepare<V: Vector, const TRACE: bool>(
    fixed: &FixedPoint,
    a: &[u8],
    cols: usize,
    work: &mut StripedWork<V::Lane>,
) -> Shape {
    let lanes = V::LANES;
    let interior = a.len() - 1;
    let seg = interior.div_ceil(lanes);
    let shape = Shape {
        lanes,
        interior,
        seg,
        stride: seg * lanes,
    };
    let stride = shape.stride;
    let low_lane = <V::Lane as Lane>::from_i32(low::<V::Lane>());
    let zero = <V::Lane as Lane>::from_i32(0);
    work.seg = seg;
    work.lanes = lanes;
    // The striped profile: `profile[code * stride + s * lanes + l]` is the score of interior
    // row `s + l * seg` against `code`.
    reset(&mut work.profile, fixed.size() * stride, low_lane);
    for (r, &code_a) in a[1..].iter().enumerate() {
        let slot = shape.slot(r);
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
        work.col0.resize(a.len(), 0);
    }
    shape
}

/// Below every real value (and, 16-bit, far enough from `i16::MIN` that subtracting a few
/// penalties saturates harmlessly); the score of padding rows.
#[inline(always)]
fn low<L: Lane>() -> i32 {
    L::MIN / 2
}

/// The running choice of the walk's start cell: the largest H, smallest row, then smallest
/// column. `kept`: the H buffer of a column that raised the maximum, whose first row reaching
/// it is found only when it matters (`end_i` is then not yet known).
struct StartCell {
    max_h: i32,
    end_i: usize,
    end_j: usize,
    kept: Option<usize>,
}

/// Row 0 of the last column filled: its H, and whether its cell chose LEFT (the gap extends).
struct RowZero {
    h: i32,
    left: bool,
}

/// Column 0: single-state vertical gaps; quirk Q1 for the row gap below an UP cell. The row
/// gap stored is the one entering column 1 (water's `max(row_gap - extend, H - open)`).
/// Returns the start cell so far and row 0.
#[inline(always)]
fn column_zero<V: Vector, const TRACE: bool>(
    fixed: &FixedPoint,
    a: &[u8],
    code_b: u8,
    shape: Shape,
    work: &mut StripedWork<V::Lane>,
) -> (StartCell, RowZero) {
    let (open, extend) = (fixed.open(), fixed.extend());
    let mut start = StartCell {
        max_h: -1,
        end_i: 0,
        end_j: 0,
        kept: None,
    };
    let mut row_zero = 0;
    let (mut above_h, mut above_up) = (0, false);
    for (i, &code_a) in a.iter().enumerate() {
        let gap = if i == 0 {
            0
        } else {
            above_h - if above_up { extend } else { open }
        };
        let (value, direction) = edge_cell(fixed.score(code_a, code_b), gap, UP);
        if i == 0 {
            row_zero = value;
        } else {
            let slot = shape.slot(i - 1);
            let row_gap = value - if above_up { extend } else { open };
            work.h[slot] = Lane::from_i32(value);
            work.e[slot] = Lane::from_i32((row_gap - extend).max(value - open));
        }
        if TRACE {
            work.col0[i] = 4 * value + i32::from(direction);
        }
        if value > start.max_h {
            (start.max_h, start.end_i) = (value, i);
        }
        (above_h, above_up) = (value, direction == UP);
    }
    let row_zero = RowZero {
        h: row_zero,
        left: false,
    };
    (start, row_zero)
}

impl RowZero {
    /// Row 0 of column `j` (water's edge rule, with LEFT), becoming `self`; returns what the
    /// interior of the column needs from it: the diagonal entering row 1 (row 0's previous H)
    /// and water's vertical gap entering row 1 (`(H0 - open) - extend`, then one step).
    #[inline(always)]
    fn next<L, const TRACE: bool>(
        &mut self,
        fixed: &FixedPoint,
        code_a: u8,
        code_b: u8,
        j: usize,
        work: &mut StripedWork<L>,
    ) -> (i32, i32) {
        let (open, extend) = (fixed.open(), fixed.extend());
        let gap = self.h - if self.left { extend } else { open };
        let (value, direction) = edge_cell(fixed.score(code_a, code_b), gap, LEFT);
        let diagonal = self.h;
        (self.h, self.left) = (value, direction == LEFT);
        if TRACE {
            work.row0[j] = 4 * value + i32::from(direction);
        }
        (
            diagonal,
            ((value - open) - extend - extend).max(value - open),
        )
    }
}

/// The constant vectors of a striped fill.
#[derive(Clone, Copy)]
struct Splats<V> {
    open: V,
    extend: V,
    zero: V,
    low: V,
    left: V,
    up: V,
    /// `max(open - extend, 0)`: how far below H a chain stops mattering.
    outlive: V,
    /// `min(open, extend)`: what a chain loses per row.
    decay: V,
    /// What a chain loses crossing a whole lane.
    lane_decay: V,
}

impl<V: Vector> Splats<V> {
    /// # Safety
    ///
    /// The CPU features `V` uses must be available.
    #[inline(always)]
    unsafe fn new(fixed: &FixedPoint, shape: Shape) -> Self {
        let (open, extend) = (fixed.open(), fixed.extend());
        // A chain crossing a whole lane decays by `seg * m`; past what a lane holds it is dead
        // anyway (only positive values matter), so the clamp never raises a value above 0.
        let lane_decay =
            (shape.seg as i64 * i64::from(open.min(extend))).min(i64::from(<V::Lane as Lane>::MAX));
        // SAFETY: the caller guarantees the CPU features.
        unsafe {
            Self {
                open: V::splat(open),
                extend: V::splat(extend),
                zero: V::splat(0),
                low: V::splat(low::<V::Lane>()),
                left: V::splat(i32::from(LEFT)),
                up: V::splat(i32::from(UP)),
                outlive: V::splat((open - extend).max(0)),
                decay: V::splat(open.min(extend)),
                lane_decay: V::splat(lane_decay as i32),
            }
        }
    }
}

/// Where one column `j > 0` of a striped fill reads and writes (`seg > 0`).
#[derive(Clone, Copy)]
struct StripedColumn<L> {
    /// The previous column's H, and this one's (`stride` lanes each).
    h_load: *const L,
    h_store: *mut L,
    /// The row gap (`stride` lanes).
    e: *mut L,
    /// The profile of this column's code of b (`stride` lanes).
    profile: *const L,
    /// With `TRACE`, this column's trace (`stride` lanes); null without.
    trace: *mut L,
    seg: usize,
}

impl<L: Lane> StripedColumn<L> {
    /// Column `j` (`0 < j < cols`) of prepared `work`, reading H buffer `previous` and writing
    /// `current` (both below 3), for `code_b` (below the matrix size).
    #[inline(always)]
    fn new<const TRACE: bool>(
        shape: Shape,
        work: &mut StripedWork<L>,
        previous: usize,
        current: usize,
        code_b: u8,
        j: usize,
    ) -> Self {
        let stride = shape.stride;
        assert!(previous < 3 && current < 3);
        // SAFETY: `h` holds three columns of `stride` lanes, the profile `size * stride` lanes
        // and `code_b < size`, `trace` (with TRACE) `(cols - 1) * stride` lanes and `j < cols`.
        unsafe {
            Self {
                h_load: work.h.as_ptr().add(previous * stride),
                h_store: work.h.as_mut_ptr().add(current * stride),
                e: work.e.as_mut_ptr(),
                profile: work.profile.as_ptr().add(usize::from(code_b) * stride),
                trace: if TRACE {
                    work.trace.as_mut_ptr().add((j - 1) * stride)
                } else {
                    std::ptr::null_mut()
                },
                seg: shape.seg,
            }
        }
    }
}

/// The first pass down the segments of a column, with the vertical gap entering lanes `1..`
/// unknown (see the module documentation); `boundary` is the diagonal and the vertical gap
/// entering row 1 from row 0. Returns the vertical gap each lane carried out of its last
/// segment, and the column's largest value.
///
/// # Safety
///
/// The CPU features `V` uses must be available; `column` is [`StripedColumn::new`] of this
/// column.
#[inline(always)]
unsafe fn first_pass<V: Vector, const TRACE: bool>(
    column: StripedColumn<V::Lane>,
    splats: Splats<V>,
    (diagonal0, f1): (i32, i32),
) -> (V, V) {
    let (lanes, seg) = (V::LANES, column.seg);
    let (h_load, h_store, e, trace) = (column.h_load, column.h_store, column.e, column.trace);
    // SAFETY: every access is at `s * lanes` with `s < seg`, inside buffers of `seg * lanes`
    // lanes (see `StripedColumn`); CPU features: the caller.
    unsafe {
        let first = V::load(h_load.add((seg - 1) * lanes)).shift_in(V::splat(diagonal0));
        let mut vf = splats.low.shift_in(V::splat(f1));
        let mut column_max = splats.low;
        for s in 0..seg {
            let at = s * lanes;
            // Loaded in each step rather than carried from the previous one: a carried
            // portable vector is split into single lanes and gathered again every step.
            let diag = if s == 0 {
                first
            } else {
                V::load(h_load.add(at - lanes))
            };
            let d = diag.add(V::load(column.profile.add(at)));
            let row_gap = V::load(e.add(at));
            let best_two = d.max(row_gap);
            let v = best_two.max(vf);
            column_max = column_max.max(v);
            let h = v.max(splats.zero);
            h.store(h_store.add(at));
            if TRACE {
                let direction = V::select(
                    vf.gt(best_two),
                    splats.up,
                    V::select(row_gap.gt(d), splats.left, splats.zero),
                );
                let twice = h.add(h);
                twice.add(twice).add(direction).store(trace.add(at));
            }
            let h_open = h.sub(splats.open);
            row_gap.sub(splats.extend).max(h_open).store(e.add(at));
            vf = vf.sub(splats.extend).max(h_open);
        }
        (vf, column_max)
    }
}

/// Lazy F. The exact vertical gap entering each lane: a prefix maximum over the lanes below of
/// the gap the first pass `carried` out of them, decaying by `seg * m` per lane crossed (see
/// the module documentation); then one pass down the segments applies every lane's chain,
/// until it no longer matters in any lane. Nothing to do unless some carried gap is positive.
/// Returns `column_max` raised by what the chains raised.
///
/// # Safety
///
/// As for [`first_pass`], after it.
#[inline(always)]
unsafe fn lazy_f<V: Vector, const TRACE: bool>(
    column: StripedColumn<V::Lane>,
    splats: Splats<V>,
    carried: V,
    mut column_max: V,
) -> V {
    let (lanes, seg) = (V::LANES, column.seg);
    let (h_store, e, trace) = (column.h_store, column.e, column.trace);
    // SAFETY: as in `first_pass`.
    unsafe {
        if !V::any(carried.gt(splats.zero)) {
            return column_max;
        }
        let mut entry = carried.shift_in(splats.low);
        for _ in 2..lanes {
            let next = entry.max(entry.shift_in(splats.low).sub(splats.lane_decay));
            if !V::any(next.gt(entry)) {
                break;
            }
            entry = next;
        }
        let mut carried = entry;
        for s in 0..seg {
            let at = s * lanes;
            let h = V::load(h_store.add(at));
            if !V::any(carried.gt(h.sub(splats.outlive).max(splats.zero))) {
                break;
            }
            let h_new = h.max(carried);
            h_new.store(h_store.add(at));
            column_max = column_max.max(h_new);
            let h_open = h_new.sub(splats.open);
            V::load(e.add(at)).max(h_open).store(e.add(at));
            if TRACE {
                let twice = carried.add(carried);
                let packed = twice.add(twice).add(splats.up);
                V::select(carried.gt(h), packed, V::load(trace.add(at))).store(trace.add(at));
            }
            carried = carried.sub(splats.decay);
        }
        column_max
    }
}

impl StartCell {
    /// Folds column `j` into the start cell: `row_zero` is its row-0 H, `column_max` the
    /// largest interior value (when `seg > 0`), in H buffer `current`. Only a column that
    /// reaches the maximum is reduced horizontally.
    ///
    /// # Safety
    ///
    /// The CPU features `V` uses must be available.
    #[inline(always)]
    unsafe fn track<V: Vector>(
        &mut self,
        work: &StripedWork<V::Lane>,
        shape: Shape,
        j: usize,
        row_zero: i32,
        column_max: V,
        current: usize,
    ) {
        // SAFETY: CPU features: the caller.
        let reaches = shape.seg > 0 && unsafe { V::any(column_max.gt(V::splat(self.max_h - 1))) };
        // Row 0 ties win unless the start cell is already in row 0 (a kept column's row is
        // not known yet, but it is an interior one).
        let row_zero_wins = row_zero == self.max_h && (self.end_i > 0 || self.kept.is_some());
        if !(reaches || row_zero > self.max_h || row_zero_wins) {
            return;
        }
        // SAFETY: CPU features: the caller.
        let interior_max = if shape.seg > 0 {
            unsafe { column_max.hmax() }.max(0)
        } else {
            -1
        };
        let column_value = row_zero.max(interior_max);
        // `None`: an interior row of this column, found by a scan if needed.
        let column_row = (row_zero >= interior_max).then_some(0);
        if column_value > self.max_h {
            self.max_h = column_value;
            self.end_j = j;
            match column_row {
                Some(row) => {
                    self.end_i = row;
                    self.kept = None;
                }
                None => self.kept = Some(current),
            }
        } else if column_value == self.max_h {
            self.resolve_kept(work, shape);
            let row = column_row.unwrap_or_else(|| first_row(work, shape, current, self.max_h));
            if row < self.end_i {
                (self.end_i, self.end_j) = (row, j);
            }
        }
    }

    /// Finds the row of a kept column, if any.
    #[inline(always)]
    fn resolve_kept<L: Lane>(&mut self, work: &StripedWork<L>, shape: Shape) {
        if let Some(buffer) = self.kept.take() {
            self.end_i = first_row(work, shape, buffer, self.max_h);
        }
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
