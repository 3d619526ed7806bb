//! What the fills report, and what the kernels hand back to the aligner.

use super::fixed::FixedPoint;
use crate::align::trace::Traceback;

/// What one fill learns about one target (the lane kernel) or one pair (the striped kernel).
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

/// What the kernels report for one target.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    /// water's score.
    pub score: f32,
    /// The walk's start cell: the last aligned position of a, then of b (0-based).
    pub end_a: usize,
    /// See `end_a`.
    pub end_b: usize,
    /// The walk, when an alignment was asked for.
    pub traceback: Option<Traceback>,
}

/// water's score of a fill: -FLT_MAX when there is no interior cell.
pub(crate) fn reported_score(fixed: &FixedPoint, score: &LaneScore) -> f32 {
    score.best.map_or(-f32::MAX, |best| fixed.to_f32(best))
}
