//! Runs one query against many targets (or, transposed, many a's against one b) through an
//! [`Engine`]: length-sorted batches, 16-bit first, a 32-bit re-run of any lane that may have
//! saturated. For alignments the one fill also keeps the trace (the clamped H and the
//! directions of every cell), and water's own walk reads it.

use super::dispatch::Engine;
use super::fixed::FixedPoint;
use super::generic::{Batch, LaneFill, TraceCells, Work};
use super::isa::LaneWidth;
use super::outcome::{LaneScore, Outcome, reported_score};
use crate::align::scalar::{self, ScalarScratch};
use crate::align::trace::Penalties;

/// The most bytes one batch's trace may take (about 4000 x 4000 residues); larger alignments
/// go to the scalar engine.
const TRACE_BUDGET: usize = 256 << 20;

/// Reusable buffers of the kernels.
#[derive(Debug, Default, Clone)]
pub(crate) struct KernelScratch {
    narrow: Work<i16>,
    wide: Work<i32>,
    scores: Vec<LaneScore>,
    scalar: ScalarScratch,
    /// Buffers of the single-pair striped kernel.
    pub(crate) striped: super::striped::StripedScratch,
}

/// What every batch of one call shares.
struct Call<'a> {
    engine: Engine,
    fixed: &'a FixedPoint,
    query: &'a [u8],
    targets: &'a [&'a [u8]],
    trace: bool,
    transposed: bool,
}

impl Call<'_> {
    /// The rectangle of a batch: rows over a, columns over b.
    fn shape(&self, batch: &[&[u8]]) -> (usize, usize) {
        let longest = batch.iter().map(|target| target.len()).max().unwrap_or(0);
        if self.transposed {
            (longest, self.query.len())
        } else {
            (self.query.len(), longest)
        }
    }

    /// Runs the targets `indices` in batches through the lane kernel with lanes of `L`,
    /// storing each usable result; returns the indices left over (saturated 16-bit lanes, or
    /// traces over budget).
    fn pass<L: LaneWidth>(
        &self,
        indices: &[usize],
        work: &mut Work<L>,
        scores: &mut Vec<LaneScore>,
        results: &mut [Option<Outcome>],
    ) -> Vec<usize> {
        let mut left = Vec::new();
        for chunk in indices.chunks(self.engine.lanes::<L>()) {
            let targets: Vec<&[u8]> = chunk.iter().map(|&index| self.targets[index]).collect();
            let (rows, cols) = self.shape(&targets);
            // The trace: two words of direction and gap masks per cell row.
            if self.trace && rows * cols * 2 * size_of::<u64>() > TRACE_BUDGET {
                left.extend_from_slice(chunk);
                continue;
            }
            let batch = Batch {
                query: self.query,
                targets: &targets,
                rows,
                cols,
                transposed: self.transposed,
            };
            scores.clear();
            scores.resize(targets.len(), LaneScore::default());
            self.engine.run(LaneFill {
                trace: self.trace,
                fixed: self.fixed,
                batch: &batch,
                work,
                out: scores,
            });
            for (lane, (&index, score)) in chunk.iter().zip(scores.iter()).enumerate() {
                if score.overflow {
                    left.push(index);
                    continue;
                }
                let traceback = self.trace.then(|| {
                    let (a, b) = if self.transposed {
                        (self.targets[index], self.query)
                    } else {
                        (self.query, self.targets[index])
                    };
                    TraceCells::new(work, rows, lane).walk(
                        self.fixed,
                        a,
                        b,
                        (score.end_i, score.end_j),
                        score.max_h,
                        reported_score(self.fixed, score),
                    )
                });
                results[index] = Some(Outcome {
                    score: reported_score(self.fixed, score),
                    end_a: score.end_i,
                    end_b: score.end_j,
                    traceback,
                });
            }
        }
        left
    }
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
    let call = Call {
        engine,
        fixed,
        query,
        targets,
        trace,
        transposed,
    };
    let mut results: Vec<Option<Outcome>> = vec![None; targets.len()];
    let mut order: Vec<usize> = (0..targets.len()).collect();
    order.sort_by_key(|&index| targets[index].len());
    let longest = targets.iter().map(|target| target.len()).max().unwrap_or(0);
    // 16-bit lanes also number the rows and columns.
    let narrow = fixed.narrow_ok(query.len().max(longest));
    let wide = if narrow {
        call.pass(
            &order,
            &mut scratch.narrow,
            &mut scratch.scores,
            &mut results,
        )
    } else {
        order
    };
    let left = call.pass(&wide, &mut scratch.wide, &mut scratch.scores, &mut results);
    // 32-bit lanes cannot saturate within `FixedPoint::fits`: only traces over budget are left.
    for index in left {
        debug_assert!(trace);
        let (a, b) = if transposed {
            (targets[index], query)
        } else {
            (query, targets[index])
        };
        let traceback = scalar::align_codes(
            a,
            b,
            |x, y| fixed.to_f32(fixed.score(x, y)),
            penalties,
            &mut scratch.scalar,
        );
        results[index] = Some(Outcome {
            score: traceback.score,
            end_a: traceback.end_a,
            end_b: traceback.end_b,
            traceback: Some(traceback),
        });
    }
    results
        .into_iter()
        .map(|result| result.expect("every target is scored by one of the passes"))
        .collect()
}
