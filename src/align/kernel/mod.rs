//! Fast kernels that return exactly what the scalar engine (`scalar.rs`) returns.
//!
//! One algorithm ([`generic::fill`]) is written once over a crate-private [`vector::Vector`]
//! trait; `portable.rs` and `x86_64/*.rs` only say how a register adds, subtracts, takes a
//! maximum, compares and selects. The kernels run in fixed point, which is exact only where
//! [`fixed::FixedPoint::new`] says so; everything else stays on the scalar engine.
//!
//! Layers, lowest first: [`vector`] (the `Vector` trait), [`isa`] (a `Job` runs on the vectors
//! of an `Isa`), the ISAs ([`portable`], `x86_64/*`: vectors, a token and one trampoline each),
//! [`dispatch`] (the one choice of ISA), the fills ([`generic`], [`striped`]) and [`driver`]
//! (batches and the walk). [`Engine::detected`] examines the CPU once.

mod dispatch;
pub(crate) mod driver;
pub(crate) mod fixed;
pub(crate) mod generic;
pub(crate) mod isa;
pub(crate) mod outcome;
mod pages;
pub(crate) mod portable;
pub(crate) mod striped;
pub(crate) mod vector;
#[cfg(target_arch = "x86_64")]
pub(crate) mod x86_64;

pub(crate) use dispatch::Engine;
pub use dispatch::{KernelKind, KernelVariable, UnknownKernel};
