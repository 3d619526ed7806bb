//! The trace vocabulary every engine shares, and water's walk over it.
//!
//! A fill (the scalar engine's float matrices, or a SIMD kernel's fixed-point trace) leaves
//! per cell an H value and the direction ([`DIAG`], [`LEFT`], [`UP`]) of the move that produced
//! it; [`walk`] reads them through [`Cells`] exactly as EMBOSS 6.6.0's `embAlignWalkSWMatrix`
//! does and produces a [`Traceback`].

use super::op::Step;

/// Direction of the move that produced a cell's value.
pub(crate) const DIAG: u8 = 0;
/// Horizontal gap (residue of b against a gap in a).
pub(crate) const LEFT: u8 = 1;
/// Vertical gap (residue of a against a gap in b).
pub(crate) const UP: u8 = 2;

/// What the walk produces, in coordinates of the coded sequences.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Traceback {
    /// water's reported score: the largest unclamped interior value (-FLT_MAX when there is no
    /// interior, i.e. either sequence has length 1).
    pub score: f32,
    /// 0-based first aligned positions.
    pub start_a: usize,
    pub start_b: usize,
    /// Operations from the start to the end of the alignment.
    pub ops: Vec<Step>,
    /// The cell where the walk started (the maximal cell), 0-based.
    pub end_a: usize,
    pub end_b: usize,
}

/// Scores and penalties as the DP reads them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Penalties {
    pub open: f32,
    pub extend: f32,
}

/// What the walk reads: H as water's `f32` and the direction of each cell it visits. The
/// scalar engine reads its own matrices; the SIMD alignment pass reads a fixed-point trace.
pub(crate) trait Cells {
    /// H at row `i` (a), column `j` (b), clamped, as `f32`.
    fn h(&self, i: usize, j: usize) -> f32;
    /// The direction ([`DIAG`], [`LEFT`] or [`UP`]) of cell `(i, j)`.
    fn dir(&self, i: usize, j: usize) -> u8;
}

/// water's walk from the start cell `(start_i, start_j)`; `score` is passed through.
pub(crate) fn walk(
    cells: &impl Cells,
    start_i: usize,
    start_j: usize,
    score: f32,
    Penalties { open, extend }: Penalties,
) -> Traceback {
    let h = |i: isize, j: isize| cells.h(i as usize, j as usize);
    let (end_i, end_j) = (start_i as isize, start_j as isize);
    let (mut i, mut j) = (end_i, end_j);
    let mut ops = Vec::new();
    while i >= 0 && j >= 0 {
        match cells.dir(i as usize, j as usize) {
            DIAG => {
                ops.push(Step::Pair);
                i -= 1;
                j -= 1;
                if i >= 0 && j >= 0 && h(i, j) <= 0.0 {
                    break;
                }
            }
            direction => {
                // Re-derive the gap length: the shortest whose cost explains H within 0.01.
                let target = h(i, j);
                let along = if direction == LEFT { j } else { i };
                let mut k = 0isize;
                let origin = loop {
                    let c = along - 1 - k;
                    let from = if direction == LEFT { h(i, c) } else { h(c, j) };
                    let origin = (from - open) - (k as f32 * extend);
                    if c == 0 || (f64::from(target) - f64::from(origin)).abs() < 0.01 {
                        break origin;
                    }
                    k += 1;
                };
                if origin <= 0.0 {
                    break;
                }
                let length = (k + 1) as usize;
                if direction == LEFT {
                    ops.extend(std::iter::repeat_n(Step::Deletion, length));
                    j -= k + 1;
                } else {
                    ops.extend(std::iter::repeat_n(Step::Insertion, length));
                    i -= k + 1;
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
        end_a: start_i,
        end_b: start_j,
    }
}
