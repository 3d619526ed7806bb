//! SSE4.1: 8 x 16-bit or 4 x 32-bit lanes.

use std::arch::x86_64::*;

use crate::align::kernel::isa::{Isa, Job};
use crate::align::kernel::vector::{Vector, lanes_fit};

super::feature_token!(
    /// Proof that the CPU has SSE4.1.
    Sse41,
    "sse4.1"
);

/// Eight 16-bit lanes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Narrow(__m128i);
/// Four 32-bit lanes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Wide(__m128i);

macro_rules! sse_vector {
    ($name:ident, $lane:ty, $set1:ident, $add:ident, $sub:ident, $max:ident, $gt:ident,
     $packs:ident, $hmax:ident) => {
        impl Vector for $name {
            type Lane = $lane;
            type Mask = __m128i;
            const LANES: usize = 16 / std::mem::size_of::<$lane>();

            #[inline(always)]
            unsafe fn splat(value: i32) -> Self {
                // SAFETY: the caller guarantees SSE4.1.
                Self(unsafe { $set1(value as $lane) })
            }
            #[inline(always)]
            unsafe fn load(ptr: *const $lane) -> Self {
                // SAFETY: the caller guarantees 16 readable bytes and SSE4.1.
                Self(unsafe { _mm_loadu_si128(ptr.cast()) })
            }
            #[inline(always)]
            unsafe fn store(self, ptr: *mut $lane) {
                // SAFETY: the caller guarantees 16 writable bytes and SSE4.1.
                unsafe { _mm_storeu_si128(ptr.cast(), self.0) }
            }
            #[inline(always)]
            unsafe fn add(self, other: Self) -> Self {
                // SAFETY: the caller guarantees SSE4.1.
                Self(unsafe { $add(self.0, other.0) })
            }
            #[inline(always)]
            unsafe fn sub(self, other: Self) -> Self {
                // SAFETY: the caller guarantees SSE4.1.
                Self(unsafe { $sub(self.0, other.0) })
            }
            #[inline(always)]
            unsafe fn max(self, other: Self) -> Self {
                // SAFETY: the caller guarantees SSE4.1.
                Self(unsafe { $max(self.0, other.0) })
            }
            #[inline(always)]
            unsafe fn gt(self, other: Self) -> __m128i {
                // SAFETY: the caller guarantees SSE4.1.
                unsafe { $gt(self.0, other.0) }
            }
            #[inline(always)]
            unsafe fn select(mask: __m128i, if_true: Self, if_false: Self) -> Self {
                // SAFETY: the caller guarantees SSE4.1.
                Self(unsafe { _mm_blendv_epi8(if_false.0, if_true.0, mask) })
            }

            #[inline(always)]
            unsafe fn bits2(first: __m128i, second: __m128i) -> u64 {
                // SAFETY: the caller guarantees the CPU feature.
                unsafe { u64::from(_mm_movemask_epi8($packs(first, second)) as u32) }
            }
            /// `packs` narrows each 128-bit block's lanes of `first`, then of `second`, into
            /// one block; `movemask` takes a bit per byte.
            fn flag_bit(lane: usize, second: bool) -> u32 {
                let block_lanes = 16 / std::mem::size_of::<$lane>();
                let element = lane / block_lanes * 2 * block_lanes
                    + usize::from(second) * block_lanes
                    + lane % block_lanes;
                (element * std::mem::size_of::<$lane>() / 2) as u32
            }
            #[inline(always)]
            unsafe fn shift_in(self, fill: Self) -> Self {
                // SAFETY: the caller guarantees SSE4.1 (which includes SSSE3's `palignr`).
                Self(unsafe {
                    _mm_alignr_epi8::<{ 16 - std::mem::size_of::<$lane>() as i32 }>(self.0, fill.0)
                })
            }
            #[inline(always)]
            unsafe fn any(mask: __m128i) -> bool {
                // SAFETY: the caller guarantees SSE4.1.
                unsafe { _mm_movemask_epi8(mask) != 0 }
            }
            #[inline(always)]
            unsafe fn hmax(self) -> i32 {
                // SAFETY: the caller guarantees SSE4.1.
                unsafe { $hmax(self.0) }
            }
        }
    };
}

sse_vector!(
    Narrow,
    i16,
    _mm_set1_epi16,
    _mm_adds_epi16,
    _mm_subs_epi16,
    _mm_max_epi16,
    _mm_cmpgt_epi16,
    _mm_packs_epi16,
    hmax_epi16
);
sse_vector!(
    Wide,
    i32,
    _mm_set1_epi32,
    _mm_add_epi32,
    _mm_sub_epi32,
    _mm_max_epi32,
    _mm_cmpgt_epi32,
    _mm_packs_epi32,
    hmax_epi32
);
const _: () = assert!(lanes_fit::<Narrow>() && lanes_fit::<Wide>());
// `hmax_epi16` and `hmax_epi32` halve eight and four lanes.
const _: () = assert!(Narrow::LANES == 8 && Wide::LANES == 4);

/// The largest of eight 16-bit lanes: three halving steps.
///
/// # Safety
///
/// The CPU must have SSE4.1.
#[inline(always)]
pub(crate) unsafe fn hmax_epi16(v: __m128i) -> i32 {
    // SAFETY: the caller guarantees SSE4.1.
    unsafe {
        let v = _mm_max_epi16(v, _mm_srli_si128::<8>(v));
        let v = _mm_max_epi16(v, _mm_srli_si128::<4>(v));
        let v = _mm_max_epi16(v, _mm_srli_si128::<2>(v));
        i32::from(_mm_extract_epi16::<0>(v) as i16)
    }
}

/// The largest of four 32-bit lanes: two halving steps.
///
/// # Safety
///
/// The CPU must have SSE4.1.
#[inline(always)]
pub(crate) unsafe fn hmax_epi32(v: __m128i) -> i32 {
    // SAFETY: the caller guarantees SSE4.1.
    unsafe {
        let v = _mm_max_epi32(v, _mm_srli_si128::<8>(v));
        let v = _mm_max_epi32(v, _mm_srli_si128::<4>(v));
        _mm_cvtsi128_si32(v)
    }
}

// SAFETY: a value of `Sse41` exists only when the CPU has SSE4.1 (`Sse41::new` detects
// it), every feature `Narrow` and `Wide` use.
unsafe impl Isa for Sse41 {
    type Narrow = Narrow;
    type Wide = Wide;

    fn run<J: Job>(self, job: J) -> J::Output {
        // SAFETY: `self` proves the CPU has SSE4.1.
        unsafe { trampoline(self, job) }
    }
}

/// Runs `job` with SSE4.1 enabled: the job's fill is compiled into this function.
///
/// # Safety
///
/// The CPU must have SSE4.1.
#[target_feature(enable = "sse4.1")]
unsafe fn trampoline<J: Job>(isa: Sse41, job: J) -> J::Output {
    job.run(isa)
}
