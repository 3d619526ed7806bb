//! The public [`Scratch`]: every buffer one alignment at a time needs, kept between calls.

use super::kernel::driver::KernelScratch;
use super::scalar::ScalarScratch;

/// Reusable buffers for one alignment at a time.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    pub(crate) codes_a: Vec<u8>,
    pub(crate) codes_b: Vec<u8>,
    /// The scalar engine's matrices.
    pub(crate) scalar: ScalarScratch,
    /// The SIMD kernels' buffers.
    pub(crate) kernel: KernelScratch,
}
