//! The scalar reference engine: water's dynamic programming, exactly.
//!
//! This module *is* the definition of an alignment in this crate; every faster kernel must
//! return what it returns. It follows EMBOSS 6.6.0 (`embAlignPathCalcSW`, then water's walk in
//! [`super::trace::walk`]) including the behaviours that are arguably bugs; each is reproduced
//! on purpose and listed in the [`crate::align`] module documentation.
//!
//! Arithmetic: H is `f32`; the running gap values (E per row, F per column) are `f64` computed
//! from `f32` inputs, as in water. Cells are stored column by column (`j * la + i`), the order in
//! which the fill visits them.

use super::trace::{Cells, DIAG, LEFT, Penalties, Traceback, UP, walk};

/// The scalar engine's matrices, reused from one alignment to the next.
#[derive(Debug, Default, Clone)]
pub(crate) struct ScalarScratch {
    h: Vec<f32>,
    dir: Vec<u8>,
    row_gap: Vec<f64>,
}

/// Fills the matrices for coded sequences `a` (rows) and `b` (columns) and walks back.
/// Both sequences are non-empty. `score` gives the substitution score of two codes.
pub(crate) fn align_codes(
    a: &[u8],
    b: &[u8],
    score: impl Fn(u8, u8) -> f32,
    penalties: Penalties,
    scratch: &mut ScalarScratch,
) -> Traceback {
    let (la, lb) = (a.len(), b.len());
    debug_assert!(la > 0 && lb > 0);
    let cells = la * lb;
    scratch.h.clear();
    scratch.h.resize(cells, 0.0);
    scratch.dir.clear();
    scratch.dir.resize(cells, DIAG);
    scratch.row_gap.clear();
    scratch.row_gap.resize(la, 0.0);
    let best = fill(a, b, &score, penalties, scratch);
    let (start_i, start_j) = start_cell(&scratch.h, la, lb);
    let cells = MatrixCells {
        h: &scratch.h,
        dir: &scratch.dir,
        la,
    };
    walk(&cells, start_i, start_j, best, penalties)
}

/// The scalar engine's column-major matrices.
struct MatrixCells<'a> {
    h: &'a [f32],
    dir: &'a [u8],
    la: usize,
}

impl Cells for MatrixCells<'_> {
    #[inline]
    fn h(&self, i: usize, j: usize) -> f32 {
        self.h[j * self.la + i]
    }

    #[inline]
    fn dir(&self, i: usize, j: usize) -> u8 {
        self.dir[j * self.la + i]
    }
}

fn fill(
    a: &[u8],
    b: &[u8],
    score: &impl Fn(u8, u8) -> f32,
    Penalties { open, extend }: Penalties,
    scratch: &mut ScalarScratch,
) -> f32 {
    let (la, lb) = (a.len(), b.len());
    let h = &mut scratch.h;
    let dir = &mut scratch.dir;
    let row_gap = &mut scratch.row_gap;

    // Column 0: single-state vertical gaps; a gap extends only if the cell above chose UP.
    for i in 0..la {
        let gap = if i == 0 {
            0.0
        } else if dir[i - 1] == UP {
            h[i - 1] - extend
        } else {
            h[i - 1] - open
        };
        let (value, direction) = edge_cell(score(a[i], b[0]), gap, UP);
        h[i] = value;
        dir[i] = direction;
        // Quirk Q1: below an UP cell the row gap starts from `extend`, not `open`.
        row_gap[i] = if i >= 1 && dir[i - 1] == UP {
            f64::from(value - extend)
        } else {
            f64::from(value - open)
        };
    }
    // Row 0: the same rule along b, with LEFT.
    for j in 1..lb {
        let left = (j - 1) * la;
        let gap = if dir[left] == LEFT {
            h[left] - extend
        } else {
            h[left] - open
        };
        let (value, direction) = edge_cell(score(a[0], b[j]), gap, LEFT);
        h[j * la] = value;
        dir[j * la] = direction;
    }

    let open64 = f64::from(open);
    let extend64 = f64::from(extend);
    let mut best = -f32::MAX;
    for (j, &code_b) in b.iter().enumerate().skip(1) {
        let column = j * la;
        let previous = column - la;
        let mut col_gap = f64::from((h[column] - open) - extend);
        for i in 1..la {
            let diagonal = f64::from(h[previous + i - 1]) + f64::from(score(a[i], code_b));
            let row = (row_gap[i] - extend64).max(f64::from(h[previous + i]) - open64);
            row_gap[i] = row;
            col_gap = (col_gap - extend64).max(f64::from(h[column + i - 1]) - open64);
            let (value, direction) = interior_cell(diagonal, row, col_gap);
            if value > f64::from(best) {
                best = value as f32;
            }
            h[column + i] = (value as f32).max(0.0);
            dir[column + i] = direction;
        }
    }
    best
}

/// An interior cell before the floor at zero: the diagonal unless a gap beats it strictly,
/// the row gap (LEFT) before the column gap (UP) on a tie between them.
#[inline(always)]
pub(super) fn interior_cell(diagonal: f64, row: f64, col_gap: f64) -> (f64, u8) {
    let mut value = diagonal;
    let mut direction = DIAG;
    if row > value {
        value = row;
        direction = LEFT;
    }
    if col_gap > value {
        value = col_gap;
        direction = UP;
    }
    (value, direction)
}

/// An edge cell: a match wins if it beats both the gap and zero; a positive gap comes next.
#[inline]
pub(super) fn edge_cell(substitution: f32, gap: f32, gap_direction: u8) -> (f32, u8) {
    if substitution > gap && substitution > 0.0 {
        (substitution, DIAG)
    } else if gap > 0.0 {
        (gap, gap_direction)
    } else {
        (0.0, DIAG)
    }
}

/// The walk's start: among maximal cells (within water's 1.192e-6 tolerance, applied
/// cumulatively in scan order) the one with the smallest i, then the smallest j.
fn start_cell(h: &[f32], la: usize, lb: usize) -> (usize, usize) {
    let mut best = f64::from(-f32::MAX);
    let mut cell = (0, 0);
    for i in (0..la).rev() {
        for j in (0..lb).rev() {
            let value = f64::from(h[j * la + i]);
            if value > best || (value - best).abs() < 1.192e-6 {
                best = value;
                cell = (i, j);
            }
        }
    }
    cell
}
