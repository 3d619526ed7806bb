//! AVX-512BW: 32 x 16-bit or 16 x 32-bit lanes, comparisons in mask registers.

use std::arch::x86_64::*;

use crate::align::kernel::isa::{Isa, Job};
use crate::align::kernel::vector::{LOOKUP_CODES, Vector, lanes_fit};

super::feature_token!(
    /// Proof that the CPU has AVX-512F and AVX-512BW.
    Avx512,
    "avx512f",
    "avx512bw"
);

/// Thirty-two 16-bit lanes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Narrow(__m512i);
/// Sixteen 32-bit lanes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Wide(__m512i);

macro_rules! avx512_vector {
    ($name:ident, $lane:ty, $mask:ty, $set1:ident, $add:ident, $sub:ident, $max:ident,
     $gt:ident, $blend:ident, $mask_set1:ident) => {
        impl Vector for $name {
            type Lane = $lane;
            type Mask = $mask;
            const LANES: usize = 64 / std::mem::size_of::<$lane>();

            #[inline(always)]
            unsafe fn splat(value: i32) -> Self {
                // SAFETY: the caller guarantees AVX-512BW.
                Self(unsafe { $set1(value as $lane) })
            }
            #[inline(always)]
            unsafe fn load(ptr: *const $lane) -> Self {
                // SAFETY: the caller guarantees 64 readable bytes and AVX-512BW.
                Self(unsafe { _mm512_loadu_si512(ptr.cast()) })
            }
            #[inline(always)]
            unsafe fn store(self, ptr: *mut $lane) {
                // SAFETY: the caller guarantees 64 writable bytes and AVX-512BW.
                unsafe { _mm512_storeu_si512(ptr.cast(), self.0) }
            }
            #[inline(always)]
            unsafe fn add(self, other: Self) -> Self {
                // SAFETY: the caller guarantees AVX-512BW.
                Self(unsafe { $add(self.0, other.0) })
            }
            #[inline(always)]
            unsafe fn sub(self, other: Self) -> Self {
                // SAFETY: the caller guarantees AVX-512BW.
                Self(unsafe { $sub(self.0, other.0) })
            }
            #[inline(always)]
            unsafe fn max(self, other: Self) -> Self {
                // SAFETY: the caller guarantees AVX-512BW.
                Self(unsafe { $max(self.0, other.0) })
            }
            #[inline(always)]
            unsafe fn gt(self, other: Self) -> $mask {
                // SAFETY: the caller guarantees AVX-512BW.
                unsafe { $gt(self.0, other.0) }
            }
            #[inline(always)]
            unsafe fn select(mask: $mask, if_true: Self, if_false: Self) -> Self {
                // SAFETY: the caller guarantees AVX-512BW.
                Self(unsafe { $blend(mask, if_false.0, if_true.0) })
            }
            #[inline(always)]
            unsafe fn lookup(table: *const $lane, codes: *const u8) -> Self {
                // SAFETY: the caller's guarantees are `permute`'s.
                unsafe { Self::permute(table, codes) }
            }

            #[inline(always)]
            unsafe fn select_counter(mask: $mask, _: Self, value: i32, if_false: Self) -> Self {
                // SAFETY: the caller guarantees AVX-512BW.
                Self(unsafe { $mask_set1(if_false.0, mask, value as $lane) })
            }
            #[inline(always)]
            unsafe fn bits2(first: $mask, second: $mask) -> u64 {
                u64::from(first) | u64::from(second) << 32
            }
            fn flag_bit(lane: usize, second: bool) -> u32 {
                lane as u32 + if second { 32 } else { 0 }
            }
            #[inline(always)]
            unsafe fn shift_in(self, fill: Self) -> Self {
                // SAFETY: the caller's guarantees are `shift`'s.
                unsafe { Self::shift(self, fill) }
            }
            #[inline(always)]
            unsafe fn any(mask: $mask) -> bool {
                mask != 0
            }
            #[inline(always)]
            unsafe fn hmax(self) -> i32 {
                // SAFETY: the caller's guarantees are `reduce`'s.
                unsafe { Self::reduce(self) }
            }
        }
    };
}

avx512_vector!(
    Narrow,
    i16,
    __mmask32,
    _mm512_set1_epi16,
    _mm512_adds_epi16,
    _mm512_subs_epi16,
    _mm512_max_epi16,
    _mm512_cmpgt_epi16_mask,
    _mm512_mask_blend_epi16,
    _mm512_mask_set1_epi16
);
avx512_vector!(
    Wide,
    i32,
    __mmask16,
    _mm512_set1_epi32,
    _mm512_add_epi32,
    _mm512_sub_epi32,
    _mm512_max_epi32,
    _mm512_cmpgt_epi32_mask,
    _mm512_mask_blend_epi32,
    _mm512_mask_set1_epi32
);

impl Narrow {
    /// `vpermw`: 32 lanes, 32 table entries, one instruction.
    #[inline(always)]
    unsafe fn permute(table: *const i16, codes: *const u8) -> Self {
        // SAFETY: the caller guarantees 64 readable bytes at `table`, 32 at `codes`, and
        // AVX-512BW.
        unsafe {
            let indices = _mm512_cvtepu8_epi16(_mm256_loadu_si256(codes.cast()));
            Self(_mm512_permutexvar_epi16(
                indices,
                _mm512_loadu_si512(table.cast()),
            ))
        }
    }
}

impl Wide {
    /// `vpermt2d`: 16 lanes, 32 table entries in two registers.
    #[inline(always)]
    unsafe fn permute(table: *const i32, codes: *const u8) -> Self {
        // SAFETY: the caller guarantees 128 readable bytes at `table`, 16 at `codes`, and
        // AVX-512F.
        unsafe {
            let indices = _mm512_cvtepu8_epi32(_mm_loadu_si128(codes.cast()));
            let low = _mm512_loadu_si512(table.cast());
            let high = _mm512_loadu_si512(table.add(16).cast());
            Self(_mm512_permutex2var_epi32(low, indices, high))
        }
    }
}

impl Narrow {
    /// `vpermt2w`: lane 0 from the last lane of `fill`, lane `k` from lane `k - 1`.
    #[inline(always)]
    unsafe fn shift(self, fill: Self) -> Self {
        /// Indices 0..32 pick from `self`, 32..64 from `fill`.
        static UP_ONE: [i16; 32] = {
            let mut indices = [0i16; 32];
            indices[0] = 63;
            let mut k = 1;
            while k < 32 {
                indices[k] = k as i16 - 1;
                k += 1;
            }
            indices
        };
        // SAFETY: the caller guarantees AVX-512BW; `UP_ONE` holds 64 bytes.
        unsafe {
            let indices = _mm512_loadu_si512(UP_ONE.as_ptr().cast());
            Self(_mm512_permutex2var_epi16(self.0, indices, fill.0))
        }
    }

    /// The largest of 32 16-bit lanes: both halves widened to 32 bits, then `reduce_max`.
    #[inline(always)]
    unsafe fn reduce(self) -> i32 {
        // SAFETY: the caller guarantees AVX-512BW.
        unsafe {
            let low = _mm512_cvtepi16_epi32(_mm512_castsi512_si256(self.0));
            let high = _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64::<1>(self.0));
            _mm512_reduce_max_epi32(_mm512_max_epi32(low, high))
        }
    }
}

impl Wide {
    /// `valignd`: lane 0 from the last lane of `fill`, lane `k` from lane `k - 1`.
    #[inline(always)]
    unsafe fn shift(self, fill: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        Self(unsafe { _mm512_alignr_epi32::<15>(self.0, fill.0) })
    }

    /// The largest of 16 32-bit lanes.
    #[inline(always)]
    unsafe fn reduce(self) -> i32 {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_reduce_max_epi32(self.0) }
    }
}

const _: () = assert!(lanes_fit::<Narrow>() && lanes_fit::<Wide>());
// `permute` looks up 32 and 16 lanes in tables of 32 codes; `shift` permutes 32 lanes.
const _: () = assert!(Narrow::LANES == 32 && Wide::LANES == 16 && LOOKUP_CODES == 32);

// SAFETY: a value of `Avx512` exists only when the CPU has AVX-512F and AVX-512BW
// (`Avx512::new` detects it), every feature `Narrow` and `Wide` use.
unsafe impl Isa for Avx512 {
    type Narrow = Narrow;
    type Wide = Wide;

    fn run<J: Job>(self, job: J) -> J::Output {
        // SAFETY: `self` proves the CPU has AVX-512F and AVX-512BW.
        unsafe { trampoline(self, job) }
    }
}

/// Runs `job` with AVX-512F and AVX-512BW enabled: the job's fill is compiled into this function.
///
/// # Safety
///
/// The CPU must have AVX-512F and AVX-512BW.
#[target_feature(enable = "avx512bw")]
unsafe fn trampoline<J: Job>(isa: Avx512, job: J) -> J::Output {
    job.run(isa)
}
