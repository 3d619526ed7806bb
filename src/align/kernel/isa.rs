//! How a fill meets an instruction set: a [`Job`] is written once over the vectors of any
//! [`Isa`], and each ISA runs it inside one function compiled with its CPU features.
//!
//! The trampoline is the only `#[target_feature]` function of an ISA: [`Isa::run`] calls it
//! with the job, and the job's fill (every step `#[inline(always)]`) is compiled into it with
//! the features enabled. A value of an [`Isa`] type exists only on a CPU that has its features
//! (see the trait's safety contract), so holding one is the proof every vector operation needs.

use super::vector::{Lane, Vector};

/// Work to do with the vectors of one instruction set (a fill of the lane or striped kernel).
pub(crate) trait Job {
    /// What the work returns.
    type Output;

    /// Does the work with the vectors of `isa`. Implementations are `#[inline(always)]`, so
    /// that they are compiled into the ISA's trampoline, which [`Isa::run`] calls.
    fn run<I: Isa>(self, isa: I) -> Self::Output;
}

/// An instruction set: its 16-bit and 32-bit vectors and its trampoline.
///
/// # Safety
///
/// A value of the implementing type must exist only when the CPU has every feature the
/// vectors' methods use (a token made by run-time detection), so that any code holding one
/// may call them.
pub(crate) unsafe trait Isa: Copy {
    /// 16-bit lanes.
    type Narrow: Vector<Lane = i16>;
    /// 32-bit lanes.
    type Wide: Vector<Lane = i32>;

    /// Runs `job` inside this ISA's `#[target_feature]` trampoline.
    fn run<J: Job>(self, job: J) -> J::Output;
}

/// A lane type's vector in each ISA: `Narrow` for `i16`, `Wide` for `i32`.
pub(crate) trait LaneWidth: Lane {
    /// The vector of `I` with these lanes.
    type Vector<I: Isa>: Vector<Lane = Self>;
}

impl LaneWidth for i16 {
    type Vector<I: Isa> = I::Narrow;
}

impl LaneWidth for i32 {
    type Vector<I: Isa> = I::Wide;
}

/// How many lanes (targets) one fill of lane type `L` takes on `I`.
pub(crate) struct Lanes<L>(std::marker::PhantomData<L>);

impl<L> Lanes<L> {
    /// The question, for [`Isa::run`].
    pub(crate) fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

impl<L: LaneWidth> Job for Lanes<L> {
    type Output = usize;

    #[inline(always)]
    fn run<I: Isa>(self, _: I) -> usize {
        <L::Vector<I> as Vector>::LANES
    }
}
