//! Plain arrays of lanes: the kernel for every architecture, written so that the compiler can
//! vectorize it with whatever the target offers (SSE2 on any x86_64, NEON on aarch64).

use super::isa::{Isa, Job};
use super::vector::{Vector, lanes_fit};

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

// `bits2` puts the second mask at bit 32.
const _: () = assert!(lanes_fit::<Narrow>() && lanes_fit::<Wide>());
const _: () = assert!(Narrow::LANES <= 32 && Wide::LANES <= 32);

/// The portable "instruction set": plain arrays, no CPU feature to prove.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Portable;

// SAFETY: the portable vectors use no CPU feature.
unsafe impl Isa for Portable {
    type Narrow = Narrow;
    type Wide = Wide;

    fn run<J: Job>(self, job: J) -> J::Output {
        trampoline(self, job)
    }
}

/// Runs `job` with the portable vectors (compiled for the target's baseline features). Never
/// inlined, like the other ISAs' trampolines: the fill is compiled on its own, not into
/// whatever dispatched it.
#[inline(never)]
fn trampoline<J: Job>(isa: Portable, job: J) -> J::Output {
    job.run(isa)
}
