//! Plain arrays of lanes: the kernel for every architecture, written so that the compiler can
//! vectorize it with whatever the target offers (SSE2 on any x86_64, NEON on aarch64).

use super::fixed::FixedPoint;
use super::generic::{self, Job, Work};
use super::outcome::LaneScore;
use super::striped::{self, StripedWork};
use super::vector::Vector;

macro_rules! portable_vector {
    ($name:ident, $lane:ty, $lanes:literal, $add:ident, $sub:ident) => {
        /// A portable vector of lanes.
        #[derive(Clone, Copy, Debug)]
        pub(crate) struct $name([$lane; $lanes]);

        impl Vector for $name {
            type Lane = $lane;
            type Mask = [$lane; $lanes];
            const LANES: usize = $lanes;

            #[inline(always)]
            unsafe fn splat(value: i32) -> Self {
                Self([value as $lane; $lanes])
            }

            #[inline(always)]
            unsafe fn load(ptr: *const $lane) -> Self {
                // SAFETY: the caller guarantees `ptr` is readable for `LANES` lanes.
                Self(unsafe { ptr.cast::<[$lane; $lanes]>().read_unaligned() })
            }

            #[inline(always)]
            unsafe fn store(self, ptr: *mut $lane) {
                // SAFETY: the caller guarantees `ptr` is writable for `LANES` lanes.
                unsafe { ptr.cast::<[$lane; $lanes]>().write_unaligned(self.0) }
            }

            #[inline(always)]
            unsafe fn add(self, other: Self) -> Self {
                Self(std::array::from_fn(|k| self.0[k].$add(other.0[k])))
            }

            #[inline(always)]
            unsafe fn sub(self, other: Self) -> Self {
                Self(std::array::from_fn(|k| self.0[k].$sub(other.0[k])))
            }

            #[inline(always)]
            unsafe fn max(self, other: Self) -> Self {
                Self(std::array::from_fn(|k| self.0[k].max(other.0[k])))
            }

            #[inline(always)]
            unsafe fn gt(self, other: Self) -> Self::Mask {
                std::array::from_fn(|k| -<$lane>::from(self.0[k] > other.0[k]))
            }

            #[inline(always)]
            unsafe fn select(mask: Self::Mask, if_true: Self, if_false: Self) -> Self {
                Self(std::array::from_fn(|k| {
                    (mask[k] & if_true.0[k]) | (!mask[k] & if_false.0[k])
                }))
            }

            #[inline(always)]
            unsafe fn bits2(first: Self::Mask, second: Self::Mask) -> u64 {
                let bits = |mask: Self::Mask| {
                    mask.iter()
                        .enumerate()
                        .fold(0u64, |bits, (k, &lane)| bits | (u64::from(lane != 0) << k))
                };
                bits(first) | bits(second) << 32
            }
            fn flag_bit(lane: usize, second: bool) -> u32 {
                lane as u32 + if second { 32 } else { 0 }
            }

            #[inline(always)]
            unsafe fn shift_in(self, fill: Self) -> Self {
                Self(std::array::from_fn(|k| {
                    if k == 0 {
                        fill.0[$lanes - 1]
                    } else {
                        self.0[k - 1]
                    }
                }))
            }

            #[inline(always)]
            unsafe fn any(mask: Self::Mask) -> bool {
                mask.iter().any(|&lane| lane != 0)
            }

            #[inline(always)]
            unsafe fn hmax(self) -> i32 {
                i32::from(self.0.into_iter().fold(<$lane>::MIN, <$lane>::max))
            }
        }
    };
}

portable_vector!(Narrow, i16, 16, saturating_add, saturating_sub);
portable_vector!(Wide, i32, 8, wrapping_add, wrapping_sub);

/// 16-bit lanes per fill.
pub(crate) const NARROW_LANES: usize = Narrow::LANES;
/// 32-bit lanes per fill.
pub(crate) const WIDE_LANES: usize = Wide::LANES;

/// Runs the 16-bit fill (see [`generic::fill`] for the contract, checked by the caller).
pub(crate) fn fill_narrow(
    trace: bool,
    fixed: &FixedPoint,
    job: &Job<'_>,
    work: &mut Work<i16>,
    out: &mut [LaneScore],
) {
    // SAFETY: the portable vector needs no CPU feature; the job contract is the caller's
    // (`kernel::Engine::fill_narrow` checks it).
    unsafe {
        match (trace, job.transposed) {
            (true, true) => generic::fill::<Narrow, true, true>(fixed, job, work, out),
            (true, false) => generic::fill::<Narrow, true, false>(fixed, job, work, out),
            (false, true) => generic::fill::<Narrow, false, true>(fixed, job, work, out),
            (false, false) => generic::fill::<Narrow, false, false>(fixed, job, work, out),
        }
    }
}

/// Runs the 32-bit fill.
pub(crate) fn fill_wide(
    trace: bool,
    fixed: &FixedPoint,
    job: &Job<'_>,
    work: &mut Work<i32>,
    out: &mut [LaneScore],
) {
    // SAFETY: as in `fill_narrow`.
    unsafe {
        match (trace, job.transposed) {
            (true, true) => generic::fill::<Wide, true, true>(fixed, job, work, out),
            (true, false) => generic::fill::<Wide, true, false>(fixed, job, work, out),
            (false, true) => generic::fill::<Wide, false, true>(fixed, job, work, out),
            (false, false) => generic::fill::<Wide, false, false>(fixed, job, work, out),
        }
    }
}

/// Runs the 16-bit striped fill (see [`striped::fill`] for the contract, checked by the
/// caller).
pub(crate) fn striped_narrow(
    trace: bool,
    fixed: &FixedPoint,
    a: &[u8],
    b: &[u8],
    rows: usize,
    cols: usize,
    work: &mut StripedWork<i16>,
) -> LaneScore {
    // SAFETY: the portable vector needs no CPU feature; the rest is the caller's contract.
    unsafe {
        if trace {
            striped::fill::<Narrow, true>(fixed, a, b, rows, cols, work)
        } else {
            striped::fill::<Narrow, false>(fixed, a, b, rows, cols, work)
        }
    }
}

/// Runs the 32-bit striped fill.
pub(crate) fn striped_wide(
    trace: bool,
    fixed: &FixedPoint,
    a: &[u8],
    b: &[u8],
    rows: usize,
    cols: usize,
    work: &mut StripedWork<i32>,
) -> LaneScore {
    // SAFETY: as in `striped_narrow`.
    unsafe {
        if trace {
            striped::fill::<Wide, true>(fixed, a, b, rows, cols, work)
        } else {
            striped::fill::<Wide, false>(fixed, a, b, rows, cols, work)
        }
    }
}
