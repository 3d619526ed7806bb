//! Runs one query against many targets (or, transposed, many a's against one b) through an
//! [`Engine`]: length-sorted batches, 16-bit
//! first, a 32-bit re-run of any lane that may have saturated, then (for alignments) a second
//! fill of just the rectangle the walk can reach, and water's own walk over it.

use super::Engine;
use super::fixed::FixedPoint;
use super::generic::{Job, LaneScore, TraceCells, Work};
use crate::align::water::{self, Penalties, Traceback};

/// The largest H a 16-bit trace can pack as `4 * H + direction`.
pub(crate) const NARROW_TRACE_MAX: i32 = (i16::MAX as i32 - 3) / 4;

/// Reusable buffers of the kernels.
#[derive(Debug, Default, Clone)]
pub(crate) struct KernelScratch {
    narrow: Work<i16>,
    wide: Work<i32>,
    scores: Vec<LaneScore>,
    trace_scores: Vec<LaneScore>,
    /// Buffers of the single-pair striped kernel.
    pub(crate) striped: super::striped::StripedScratch,
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

/// Aligns (or only scores, without `trace`) coded `query` against each coded target: the query
/// is water's a and the targets b's, or with `transposed` the query is the shared b and the
/// targets are a's.
///
/// Every target is non-empty and `fits` for the pair (the caller sends the rest to the scalar
/// engine). Results are in the order of `targets`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run(
    engine: Engine,
    fixed: &FixedPoint,
    penalties: Penalties,
    query: &[u8],
    targets: &[&[u8]],
    trace: bool,
    transposed: bool,
    scratch: &mut KernelScratch,
) -> Vec<Outcome> {
    // The rectangle of a batch: rows over a, columns over b.
    let shape = |batch: &[&[u8]]| {
        let longest = batch.iter().map(|target| target.len()).max().unwrap_or(0);
        if transposed {
            (longest, query.len())
        } else {
            (query.len(), longest)
        }
    };
    let narrow_rows = if transposed {
        targets.iter().map(|target| target.len()).max().unwrap_or(0)
    } else {
        query.len()
    };
    let mut results: Vec<Option<Outcome>> = vec![None; targets.len()];
    let mut order: Vec<usize> = (0..targets.len()).collect();
    order.sort_by_key(|&index| targets[index].len());
    let mut wide = Vec::new();
    if fixed.narrow_ok(narrow_rows) {
        for chunk in order.chunks(engine.narrow_lanes()) {
            let batch: Vec<&[u8]> = chunk.iter().map(|&index| targets[index]).collect();
            let (rows, cols) = shape(&batch);
            let job = Job {
                query,
                targets: &batch,
                rows,
                cols,
                transposed,
            };
            scratch.scores.clear();
            scratch.scores.resize(batch.len(), LaneScore::default());
            engine.fill_narrow(false, fixed, &job, &mut scratch.narrow, &mut scratch.scores);
            let usable: Vec<bool> = scratch
                .scores
                .iter()
                .map(|score| !score.overflow && (!trace || score.max_h <= NARROW_TRACE_MAX))
                .collect();
            wide.extend(
                chunk
                    .iter()
                    .zip(&usable)
                    .filter(|(_, ok)| !**ok)
                    .map(|(k, _)| *k),
            );
            if !trace {
                for ((&index, score), _) in chunk.iter().zip(&scratch.scores).zip(&usable) {
                    if !score.overflow {
                        results[index] = Some(outcome(fixed, score, None));
                    }
                }
                continue;
            }
            let Some((rows, cols)) = rectangle(&scratch.scores, &usable) else {
                continue;
            };
            let trace_job = Job { rows, cols, ..job };
            scratch.trace_scores.clear();
            scratch
                .trace_scores
                .resize(batch.len(), LaneScore::default());
            engine.fill_narrow(
                true,
                fixed,
                &trace_job,
                &mut scratch.narrow,
                &mut scratch.trace_scores,
            );
            for (lane, (&index, score)) in chunk.iter().zip(&scratch.scores).enumerate() {
                if usable[lane] {
                    let cells = TraceCells {
                        trace: &scratch.narrow.trace,
                        rows,
                        lanes: engine.narrow_lanes(),
                        lane,
                        unit: fixed.unit(),
                    };
                    results[index] = Some(walked(fixed, penalties, score, &cells));
                }
            }
        }
    } else {
        wide = order;
    }

    for chunk in wide.chunks(engine.wide_lanes()) {
        let batch: Vec<&[u8]> = chunk.iter().map(|&index| targets[index]).collect();
        let (rows, cols) = shape(&batch);
        let job = Job {
            query,
            targets: &batch,
            rows,
            cols,
            transposed,
        };
        scratch.scores.clear();
        scratch.scores.resize(batch.len(), LaneScore::default());
        engine.fill_wide(false, fixed, &job, &mut scratch.wide, &mut scratch.scores);
        // 32-bit lanes cannot saturate within `FixedPoint::fits`.
        debug_assert!(scratch.scores.iter().all(|score| !score.overflow));
        if !trace {
            for (&index, score) in chunk.iter().zip(&scratch.scores) {
                results[index] = Some(outcome(fixed, score, None));
            }
            continue;
        }
        let all = vec![true; batch.len()];
        let Some((rows, cols)) = rectangle(&scratch.scores, &all) else {
            continue;
        };
        let trace_job = Job { rows, cols, ..job };
        scratch.trace_scores.clear();
        scratch
            .trace_scores
            .resize(batch.len(), LaneScore::default());
        engine.fill_wide(
            true,
            fixed,
            &trace_job,
            &mut scratch.wide,
            &mut scratch.trace_scores,
        );
        for (lane, (&index, score)) in chunk.iter().zip(&scratch.scores).enumerate() {
            let cells = TraceCells {
                trace: &scratch.wide.trace,
                rows,
                lanes: engine.wide_lanes(),
                lane,
                unit: fixed.unit(),
            };
            results[index] = Some(walked(fixed, penalties, score, &cells));
        }
    }
    results
        .into_iter()
        .map(|result| result.expect("every target is scored by the narrow or the wide pass"))
        .collect()
}

/// The rows and columns the walks of the `usable` lanes can reach.
fn rectangle(scores: &[LaneScore], usable: &[bool]) -> Option<(usize, usize)> {
    scores
        .iter()
        .zip(usable)
        .filter(|(_, ok)| **ok)
        .map(|(score, _)| (score.end_i + 1, score.end_j + 1))
        .reduce(|(rows, cols), (r, c)| (rows.max(r), cols.max(c)))
}

pub(crate) fn reported_score(fixed: &FixedPoint, score: &LaneScore) -> f32 {
    score.best.map_or(-f32::MAX, |best| fixed.to_f32(best))
}

fn outcome(fixed: &FixedPoint, score: &LaneScore, traceback: Option<Traceback>) -> Outcome {
    Outcome {
        score: reported_score(fixed, score),
        end_a: score.end_i,
        end_b: score.end_j,
        traceback,
    }
}

fn walked(
    fixed: &FixedPoint,
    penalties: Penalties,
    score: &LaneScore,
    cells: &impl water::Cells,
) -> Outcome {
    let traceback = water::walk(
        cells,
        score.end_i,
        score.end_j,
        reported_score(fixed, score),
        penalties,
    );
    outcome(fixed, score, Some(traceback))
}
