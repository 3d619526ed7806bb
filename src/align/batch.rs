//! Many alignments at once: one a against many b's, many a's against one b, or many pairs, on
//! rayon's threads.
//!
//! Targets are sorted by length and cut into groups of a few kernel batches; each group runs on
//! one thread with that thread's reused buffers. Every result depends only on its own inputs, so
//! the output (in input order) is the same for any number of threads and any kernel.

use rayon::prelude::*;

use super::aligner::{Aligner, with_scratch};
use super::alignment::Alignment;
use super::error::{AlignError, Result};
use super::kernel::driver;
use super::scratch::Scratch;

/// Kernel batches per unit of parallel work: enough to amortise scheduling, small enough to
/// balance two threads on a few hundred targets.
const BATCHES_PER_GROUP: usize = 4;

/// water's score and the cell where the alignment ends (the walk's start), without the walk.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::align::Aligner;
///
/// let aligner = Aligner::builder().build().unwrap();
/// let scores = aligner.score_one_to_many(b"HEAGAWGHEE", &[b"PAWHEAE", b"HEAGAWGHEE"]);
/// let best = scores[1].as_ref().unwrap();
/// assert_eq!((best.end_a(), best.end_b()), (9, 9));
/// assert_eq!(best.score(), aligner.align(b"HEAGAWGHEE", b"HEAGAWGHEE").unwrap().score());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalScore {
    score: f32,
    end_a: usize,
    end_b: usize,
}

impl LocalScore {
    /// The score water reports.
    pub fn score(&self) -> f32 {
        self.score
    }

    /// 0-based position in a of the cell where water's walk starts (the alignment's end).
    pub fn end_a(&self) -> usize {
        self.end_a
    }

    /// 0-based position in b of the cell where water's walk starts.
    pub fn end_b(&self) -> usize {
        self.end_b
    }
}

/// One target's result: the alignment (when asked for) and its score.
type Many = Result<(Option<Alignment>, LocalScore)>;

fn empty_error(a_len: usize, b_len: usize) -> AlignError {
    AlignError::EmptySequence { a_len, b_len }
}

impl Aligner {
    /// One a against many b's: aligns `a` against every sequence of `bs`, in parallel; results
    /// in the order of `bs`, each equal to [`Aligner::align`]`(a, b)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::Aligner;
    ///
    /// let aligner = Aligner::builder().build().unwrap();
    /// let bs: Vec<&[u8]> = vec![b"MKTAYIAK", b"", b"MKTAYLAKQR"];
    /// let results = aligner.align_one_to_many(b"MKTAYIAKQR", &bs);
    /// assert!(results[1].is_err());
    /// assert_eq!(results[2].as_ref().unwrap(), &aligner.align(b"MKTAYIAKQR", bs[2]).unwrap());
    /// ```
    pub fn align_one_to_many(&self, a: &[u8], bs: &[&[u8]]) -> Vec<Result<Alignment>> {
        self.many(a, bs, true, false)
            .into_iter()
            .map(|result| result.map(|(alignment, _)| alignment.expect("asked for alignments")))
            .collect()
    }

    /// Many a's against one b: aligns every sequence of `as_` (as water's a) against the one
    /// shared `b`, in parallel, e.g. targets against their reference. Results are in the order
    /// of `as_`, each equal to [`Aligner::align`]`(a, b)` (a and b are not swapped: water is not
    /// symmetric).
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::Aligner;
    ///
    /// let aligner = Aligner::builder().build().unwrap();
    /// let targets: Vec<&[u8]> = vec![b"MKTAYIAK", b"", b"MKTAYLAKQR"];
    /// let results = aligner.align_many_to_one(&targets, b"MKTAYIAKQR");
    /// assert!(results[1].is_err());
    /// assert_eq!(results[2].as_ref().unwrap(), &aligner.align(targets[2], b"MKTAYIAKQR").unwrap());
    /// ```
    pub fn align_many_to_one(&self, as_: &[&[u8]], b: &[u8]) -> Vec<Result<Alignment>> {
        self.many(b, as_, true, true)
            .into_iter()
            .map(|result| result.map(|(alignment, _)| alignment.expect("asked for alignments")))
            .collect()
    }

    /// One a against many b's, scores only: like [`Aligner::align_one_to_many`] without the
    /// walk (the fastest pass); results in the order of `bs`, each equal to
    /// [`Aligner::score`]`(a, b)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::Aligner;
    ///
    /// let aligner = Aligner::builder().build().unwrap();
    /// let scores = aligner.score_one_to_many(b"HEAGAWGHEE", &[b"PAWHEAE", b"HEAGAWGHEE"]);
    /// let best = scores[1].as_ref().unwrap();
    /// assert_eq!((best.end_a(), best.end_b()), (9, 9));
    /// assert_eq!(best.score(), aligner.align(b"HEAGAWGHEE", b"HEAGAWGHEE").unwrap().score());
    /// ```
    pub fn score_one_to_many(&self, a: &[u8], bs: &[&[u8]]) -> Vec<Result<LocalScore>> {
        self.many(a, bs, false, false)
            .into_iter()
            .map(|result| result.map(|(_, score)| score))
            .collect()
    }

    /// Many a's against one b, scores only: like [`Aligner::align_many_to_one`] without the
    /// walk; results in the order of `as_`, each equal to [`Aligner::score`]`(a, b)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::Aligner;
    ///
    /// let aligner = Aligner::builder().build().unwrap();
    /// let scores = aligner.score_many_to_one(&[b"PAWHEAE", b"HEAGAWGHEE"], b"HEAGAWGHEE");
    /// assert_eq!(scores[1].as_ref().unwrap().score(), aligner.score(b"HEAGAWGHEE", b"HEAGAWGHEE").unwrap().score());
    /// assert_eq!(scores[0].as_ref().unwrap(), &aligner.score(b"PAWHEAE", b"HEAGAWGHEE").unwrap());
    /// ```
    pub fn score_many_to_one(&self, as_: &[&[u8]], b: &[u8]) -> Vec<Result<LocalScore>> {
        self.many(b, as_, false, true)
            .into_iter()
            .map(|result| result.map(|(_, score)| score))
            .collect()
    }

    /// Scores one pair without the walk: what [`Aligner::align`] reports as score and end, at
    /// the cost of the fill alone (long pairs use the striped kernel).
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::Aligner;
    ///
    /// let aligner = Aligner::builder().build().unwrap();
    /// let score = aligner.score(b"WPWYGPC", b"WGAYC").unwrap();
    /// assert_eq!((score.score(), score.end_a(), score.end_b()), (16.5, 3, 3));
    /// ```
    pub fn score(&self, a: &[u8], b: &[u8]) -> Result<LocalScore> {
        let fixed = match self.kernel_pair(a.len(), b.len()) {
            Some(fixed) if !a.is_empty() && !b.is_empty() => fixed,
            _ => return self.scalar_one(a, b, false).map(|(_, score)| score),
        };
        with_scratch(|scratch| {
            let mut codes_a = std::mem::take(&mut scratch.codes_a);
            let mut codes_b = std::mem::take(&mut scratch.codes_b);
            self.matrix.encode_into(a, &mut codes_a);
            self.matrix.encode_into(b, &mut codes_b);
            let outcome = self.kernel_one(fixed, &codes_a, &codes_b, false, scratch);
            scratch.codes_a = codes_a;
            scratch.codes_b = codes_b;
            Ok(LocalScore {
                score: outcome.score,
                end_a: outcome.end_a,
                end_b: outcome.end_b,
            })
        })
    }

    /// Aligns many independent pairs `(a, b)` in parallel; results in input order, each equal
    /// to [`Aligner::align`]`(a, b)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::Aligner;
    ///
    /// let aligner = Aligner::builder().build().unwrap();
    /// let pairs: Vec<(&[u8], &[u8])> = vec![(b"WPWYGPC", b"WGAYC"), (b"ACDEF", b"ACDQF")];
    /// let results = aligner.align_pairs(&pairs);
    /// assert_eq!(results[0].as_ref().unwrap().score(), 16.5);
    /// ```
    pub fn align_pairs(&self, pairs: &[(&[u8], &[u8])]) -> Vec<Result<Alignment>> {
        pairs
            .par_iter()
            .with_min_len(4)
            .map(|(a, b)| self.align(a, b))
            .collect()
    }

    /// One a against many b's, like [`Aligner::align_one_to_many`], but hands each result to
    /// `fold` on the thread that computed it, while its sequences are still in cache, instead
    /// of collecting them: for callers that turn alignments into something smaller (text,
    /// counts, calls) and want no second pass over a vector of alignments.
    ///
    /// Each unit of parallel work folds into its own state, made by `init`; `fold` receives the
    /// state, the b's index in `bs` and its result (equal to [`Aligner::align`]`(a, b)`). Every
    /// b is folded exactly once. How many states there are and which b's share one depend on
    /// how the work was split, so callers that need input order keep the index.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::Aligner;
    ///
    /// let aligner = Aligner::builder().build().unwrap();
    /// let bs: Vec<&[u8]> = vec![b"MKTAYIAK", b"", b"MKTAYLAKQR"];
    /// let states = aligner.align_one_to_many_fold(
    ///     b"MKTAYIAKQR",
    ///     &bs,
    ///     Vec::new,
    ///     |found: &mut Vec<(usize, f32)>, index, result| {
    ///         if let Ok(alignment) = result {
    ///             found.push((index, alignment.score()));
    ///         }
    ///     },
    /// );
    /// let mut scores: Vec<(usize, f32)> = states.into_iter().flatten().collect();
    /// scores.sort_by_key(|&(index, _)| index);
    /// assert_eq!(scores.len(), 2);
    /// assert_eq!(scores[1], (2, aligner.align(b"MKTAYIAKQR", bs[2]).unwrap().score()));
    /// ```
    pub fn align_one_to_many_fold<S, I, F>(
        &self,
        a: &[u8],
        bs: &[&[u8]],
        init: I,
        fold: F,
    ) -> Vec<S>
    where
        S: Send,
        I: Fn() -> S + Sync + Send,
        F: Fn(&mut S, usize, Result<Alignment>) + Sync + Send,
    {
        self.fold_alignments(a, bs, false, init, fold)
    }

    /// Many a's against one b, like [`Aligner::align_many_to_one`], each result handed to
    /// `fold` on the thread that computed it (see [`Aligner::align_one_to_many_fold`]); the
    /// index is the a's in `as_`.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::Aligner;
    ///
    /// let aligner = Aligner::builder().build().unwrap();
    /// let targets: Vec<&[u8]> = vec![b"MKTAYIAK", b"MKTAYLAKQR"];
    /// let states = aligner.align_many_to_one_fold(
    ///     &targets,
    ///     b"MKTAYIAKQR",
    ///     || 0usize,
    ///     |columns: &mut usize, _index, result| *columns += result.unwrap().ops().len(),
    /// );
    /// assert_eq!(states.into_iter().sum::<usize>(), 18);
    /// ```
    pub fn align_many_to_one_fold<S, I, F>(
        &self,
        as_: &[&[u8]],
        b: &[u8],
        init: I,
        fold: F,
    ) -> Vec<S>
    where
        S: Send,
        I: Fn() -> S + Sync + Send,
        F: Fn(&mut S, usize, Result<Alignment>) + Sync + Send,
    {
        self.fold_alignments(b, as_, true, init, fold)
    }

    /// The two `_fold` calls: alignments (never bare scores) handed to `fold`.
    fn fold_alignments<S, I, F>(
        &self,
        shared: &[u8],
        targets: &[&[u8]],
        transposed: bool,
        init: I,
        fold: F,
    ) -> Vec<S>
    where
        S: Send,
        I: Fn() -> S + Sync + Send,
        F: Fn(&mut S, usize, Result<Alignment>) + Sync + Send,
    {
        self.many_fold(
            shared,
            targets,
            true,
            transposed,
            init,
            |state, index, result| {
                fold(
                    state,
                    index,
                    result.map(|(alignment, _)| alignment.expect("asked for alignments")),
                )
            },
        )
    }

    /// The shared body of the one-to-many calls (`shared` is a, `targets` are b's) and the
    /// many-to-one calls (`transposed`: `shared` is b, `targets` are a's): every result in
    /// input order.
    fn many(&self, shared: &[u8], targets: &[&[u8]], walk: bool, transposed: bool) -> Vec<Many> {
        let states = self.many_fold(
            shared,
            targets,
            walk,
            transposed,
            Vec::new,
            |found: &mut Vec<(usize, Many)>, index, result| found.push((index, result)),
        );
        let mut results: Vec<Option<Many>> = (0..targets.len()).map(|_| None).collect();
        for (index, result) in states.into_iter().flatten() {
            results[index] = Some(result);
        }
        results
            .into_iter()
            .map(|result| result.expect("every target is aligned by a kernel or the scalar engine"))
            .collect()
    }

    /// Every target's result folded into per-unit states, on the thread that computed it (see
    /// [`Aligner::align_one_to_many_fold`]): one state per kernel group, in length order, then the
    /// states of the targets the kernels do not take.
    fn many_fold<S, I, F>(
        &self,
        shared: &[u8],
        targets: &[&[u8]],
        walk: bool,
        transposed: bool,
        init: I,
        fold: F,
    ) -> Vec<S>
    where
        S: Send,
        I: Fn() -> S + Sync + Send,
        F: Fn(&mut S, usize, Many) + Sync + Send,
    {
        let codes_shared: Vec<u8> = shared
            .iter()
            .map(|&residue| self.matrix.code(residue))
            .collect();
        let kernel_ok = |target: &[u8]| {
            !shared.is_empty()
                && !target.is_empty()
                && self.kernel_pair(shared.len(), target.len()).is_some()
        };
        // Targets the kernels take, longest last so that batches hold similar lengths.
        let (mut order, rest): (Vec<usize>, Vec<usize>) =
            (0..targets.len()).partition(|&index| kernel_ok(targets[index]));
        order.sort_by_key(|&index| targets[index].len());
        let group = self.engine.lanes::<i16>() * BATCHES_PER_GROUP;
        let mut states: Vec<S> = order
            .par_chunks(group)
            .map(|chunk| {
                let results = with_scratch(|scratch| {
                    self.kernel_group(
                        (&codes_shared, shared),
                        targets,
                        chunk,
                        walk,
                        transposed,
                        scratch,
                    )
                });
                let mut state = init();
                for (index, result) in results {
                    fold(&mut state, index, result);
                }
                state
            })
            .collect();
        if !rest.is_empty() {
            let scalar: Vec<S> = rest
                .par_iter()
                .fold(&init, |mut state, &index| {
                    let result = if transposed {
                        self.scalar_one(targets[index], shared, walk)
                    } else {
                        self.scalar_one(shared, targets[index], walk)
                    };
                    fold(&mut state, index, result);
                    state
                })
                .collect();
            states.extend(scalar);
        }
        states
    }

    /// One group of kernel targets; `shared` is the shared sequence's (codes, residues).
    fn kernel_group(
        &self,
        shared: (&[u8], &[u8]),
        targets: &[&[u8]],
        chunk: &[usize],
        walk: bool,
        transposed: bool,
        scratch: &mut Scratch,
    ) -> Vec<(usize, Many)> {
        let fixed = self
            .fixed
            .as_ref()
            .expect("kernel targets need fixed point");
        // The group's codes in one buffer: one allocation per group, not per target.
        let total = chunk.iter().map(|&index| targets[index].len()).sum();
        let mut codes = Vec::with_capacity(total);
        for &index in chunk {
            codes.extend(targets[index].iter().map(|&r| self.matrix.code(r)));
        }
        let mut rest = codes.as_slice();
        let views: Vec<&[u8]> = chunk
            .iter()
            .map(|&index| {
                let (view, after) = rest.split_at(targets[index].len());
                rest = after;
                view
            })
            .collect();
        let outcomes = driver::run(
            self.engine,
            fixed,
            self.penalties(),
            shared.0,
            &views,
            walk,
            transposed,
            &mut scratch.kernel,
        );
        chunk
            .iter()
            .zip(outcomes)
            .zip(&views)
            .map(|((&index, outcome), codes_target)| {
                let score = LocalScore {
                    score: outcome.score,
                    end_a: outcome.end_a,
                    end_b: outcome.end_b,
                };
                let target = (*codes_target, targets[index]);
                let (a, b) = if transposed {
                    (target, shared)
                } else {
                    (shared, target)
                };
                let alignment = outcome
                    .traceback
                    .map(|traceback| Alignment::from_traceback(&self.matrix, a, b, traceback));
                (index, Ok((alignment, score)))
            })
            .collect()
    }

    fn scalar_one(&self, a: &[u8], b: &[u8], walk: bool) -> Many {
        if a.is_empty() || b.is_empty() {
            return Err(empty_error(a.len(), b.len()));
        }
        with_scratch(|scratch| {
            let codes_a: Vec<u8> = a.iter().map(|&r| self.matrix.code(r)).collect();
            let codes_b: Vec<u8> = b.iter().map(|&r| self.matrix.code(r)).collect();
            if !walk {
                let (score, end_a, end_b) = self.scalar_score(&codes_a, &codes_b, scratch)?;
                return Ok((
                    None,
                    LocalScore {
                        score,
                        end_a,
                        end_b,
                    },
                ));
            }
            let traceback = self.scalar_traceback(&codes_a, &codes_b, scratch)?;
            let score = LocalScore {
                score: traceback.score,
                end_a: traceback.end_a,
                end_b: traceback.end_b,
            };
            let alignment =
                Alignment::from_traceback(&self.matrix, (&codes_a, a), (&codes_b, b), traceback);
            Ok((Some(alignment), score))
        })
    }
}
