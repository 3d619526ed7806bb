//! AVX2: 16 x 16-bit or 8 x 32-bit lanes.

use std::arch::x86_64::*;

use crate::align::kernel::isa::{Isa, Job};
use crate::align::kernel::vector::{LOOKUP_CODES, Vector, lanes_fit};

super::feature_token!(
    /// Proof that the CPU has AVX2.
    Avx2,
    "avx2"
);

/// Sixteen 16-bit lanes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Narrow(__m256i);
/// Eight 32-bit lanes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Wide(__m256i);

macro_rules! avx2_vector {
    ($name:ident, $lane:ty, $set1:ident, $add:ident, $sub:ident, $wrapping_sub:ident,
     $max:ident, $gt:ident, $packs:ident, $max128:ident, $hmax128:path,
     { $($lane_specific:tt)* }) => {
        impl Vector for $name {
            type Lane = $lane;
            type Mask = __m256i;
            const LANES: usize = 32 / std::mem::size_of::<$lane>();

            #[inline(always)]
            unsafe fn splat(value: i32) -> Self {
                // SAFETY: the caller guarantees AVX2.
                Self(unsafe { $set1(value as $lane) })
            }
            #[inline(always)]
            unsafe fn load(ptr: *const $lane) -> Self {
                // SAFETY: the caller guarantees 32 readable bytes and AVX2.
                Self(unsafe { _mm256_loadu_si256(ptr.cast()) })
            }
            #[inline(always)]
            unsafe fn store(self, ptr: *mut $lane) {
                // SAFETY: the caller guarantees 32 writable bytes and AVX2.
                unsafe { _mm256_storeu_si256(ptr.cast(), self.0) }
            }
            #[inline(always)]
            unsafe fn add(self, other: Self) -> Self {
                // SAFETY: the caller guarantees AVX2.
                Self(unsafe { $add(self.0, other.0) })
            }
            #[inline(always)]
            unsafe fn sub(self, other: Self) -> Self {
                // SAFETY: the caller guarantees AVX2.
                Self(unsafe { $sub(self.0, other.0) })
            }
            /// `vpsubw` issues on three ports, `vpsubsw` on two.
            #[inline(always)]
            unsafe fn sub_exact(self, other: Self) -> Self {
                // SAFETY: the caller guarantees AVX2.
                Self(unsafe { $wrapping_sub(self.0, other.0) })
            }
            #[inline(always)]
            unsafe fn max(self, other: Self) -> Self {
                // SAFETY: the caller guarantees AVX2.
                Self(unsafe { $max(self.0, other.0) })
            }
            #[inline(always)]
            unsafe fn gt(self, other: Self) -> __m256i {
                // SAFETY: the caller guarantees AVX2.
                unsafe { $gt(self.0, other.0) }
            }
            #[inline(always)]
            unsafe fn select(mask: __m256i, if_true: Self, if_false: Self) -> Self {
                // SAFETY: the caller guarantees AVX2.
                Self(unsafe { _mm256_blendv_epi8(if_false.0, if_true.0, mask) })
            }

            /// `vpand` and `vpmaxs`: two micro-ops where `vpblendvb` takes two or three.
            #[inline(always)]
            unsafe fn select_counter(
                mask: __m256i,
                counter: Self,
                _: i32,
                if_false: Self,
            ) -> Self {
                // SAFETY: the caller guarantees AVX2.
                Self(unsafe { $max(if_false.0, _mm256_and_si256(mask, counter.0)) })
            }
            #[inline(always)]
            unsafe fn bits2(first: __m256i, second: __m256i) -> u64 {
                // SAFETY: the caller guarantees the CPU feature.
                unsafe { u64::from(_mm256_movemask_epi8($packs(first, second)) as u32) }
            }
            /// The signs of `b - a` (exact by the caller's guarantee) are the flags `a > b`:
            /// a subtraction issues on three ports, a comparison on two, and `packs` saturates,
            /// which keeps each sign.
            #[inline(always)]
            unsafe fn gt_bits2(first: (Self, Self), second: (Self, Self)) -> u64 {
                // SAFETY: the caller guarantees AVX2.
                unsafe {
                    let ((a, b), (c, d)) = (first, second);
                    let first = $wrapping_sub(b.0, a.0);
                    let second = $wrapping_sub(d.0, c.0);
                    u64::from(_mm256_movemask_epi8($packs(first, second)) as u32)
                }
            }
            /// `packs` narrows each 128-bit block's lanes of `first`, then of `second`, into
            /// one block; `movemask` takes a bit per byte, and a packed lane's sign is in its
            /// highest byte.
            fn flag_bit(lane: usize, second: bool) -> u32 {
                let block_lanes = 16 / std::mem::size_of::<$lane>();
                let element = lane / block_lanes * 2 * block_lanes
                    + usize::from(second) * block_lanes
                    + lane % block_lanes;
                let packed_bytes = std::mem::size_of::<$lane>() / 2;
                (element * packed_bytes + packed_bytes - 1) as u32
            }
            #[inline(always)]
            unsafe fn shift_in(self, fill: Self) -> Self {
                // SAFETY: the caller guarantees AVX2. `[fill.high, self.low]` supplies each
                // 128-bit half with the element that crosses into it.
                Self(unsafe {
                    let carried = _mm256_permute2x128_si256::<0x21>(fill.0, self.0);
                    _mm256_alignr_epi8::<{ 16 - std::mem::size_of::<$lane>() as i32 }>(
                        self.0, carried,
                    )
                })
            }
            #[inline(always)]
            unsafe fn any(mask: __m256i) -> bool {
                // SAFETY: the caller guarantees AVX2.
                unsafe { _mm256_movemask_epi8(mask) != 0 }
            }
            $($lane_specific)*

            #[inline(always)]
            unsafe fn hmax(self) -> i32 {
                // SAFETY: the caller guarantees AVX2 (which includes SSE4.1).
                unsafe {
                    $hmax128($max128(
                        _mm256_castsi256_si128(self.0),
                        _mm256_extracti128_si256::<1>(self.0),
                    ))
                }
            }
        }
    };
}

avx2_vector!(
    Narrow,
    i16,
    _mm256_set1_epi16,
    _mm256_adds_epi16,
    _mm256_subs_epi16,
    _mm256_sub_epi16,
    _mm256_max_epi16,
    _mm256_cmpgt_epi16,
    _mm256_packs_epi16,
    _mm_max_epi16,
    super::sse41::hmax_epi16,
    {
        /// `vpshufb` looks up 16 bytes in each 128-bit block: a lane's code `c` names bytes
        /// `2c` and `2c + 1` of the row's 64 bytes, which lie in one of four 16-byte chunks.
        /// Per chunk, the bytes whose index lies in another chunk get bit 7 (a zero), and the
        /// four results are or-ed. The indices are prepared once for every row.
        #[inline(always)]
        unsafe fn lookup_rows(tables: *const i16, count: usize, codes: *const u8, out: *mut i16) {
            // SAFETY: the caller guarantees `LOOKUP_CODES` (32) lanes, 4 chunks of 16 bytes,
            // per row of `tables`, `LANES` lanes per row at `out`, 16 codes at `codes`, and
            // AVX2. (Shuffles read only registers, whatever the codes.)
            unsafe {
                let codes = _mm256_cvtepu8_epi16(_mm_loadu_si128(codes.cast()));
                let low = _mm256_add_epi16(codes, codes);
                let high = _mm256_add_epi16(low, _mm256_set1_epi16(1));
                let bytes = _mm256_or_si256(low, _mm256_slli_epi16::<8>(high));
                let chunk = |k: i8| {
                    _mm256_adds_epu8(
                        _mm256_xor_si256(bytes, _mm256_set1_epi8(k << 4)),
                        _mm256_set1_epi8(0x70),
                    )
                };
                let indices = [chunk(0), chunk(1), chunk(2), chunk(3)];
                for row in 0..count {
                    let table = tables.add(row * LOOKUP_CODES).cast::<__m128i>();
                    let mut looked_up = _mm256_setzero_si256();
                    for (k, &index) in indices.iter().enumerate() {
                        let chunk = _mm256_broadcastsi128_si256(_mm_loadu_si128(table.add(k)));
                        looked_up = _mm256_or_si256(looked_up, _mm256_shuffle_epi8(chunk, index));
                    }
                    _mm256_storeu_si256(out.add(row * 16).cast(), looked_up);
                }
            }
        }
    }
);
avx2_vector!(
    Wide,
    i32,
    _mm256_set1_epi32,
    _mm256_add_epi32,
    _mm256_sub_epi32,
    _mm256_sub_epi32,
    _mm256_max_epi32,
    _mm256_cmpgt_epi32,
    _mm256_packs_epi32,
    _mm_max_epi32,
    super::sse41::hmax_epi32,
    {}
);

const _: () = assert!(lanes_fit::<Narrow>() && lanes_fit::<Wide>());
// `lookup_rows` loads 16 codes and shuffles 16 lanes from tables of 32 codes.
const _: () = assert!(Narrow::LANES == 16 && LOOKUP_CODES == 32);

// SAFETY: a value of `Avx2` exists only when the CPU has AVX2 (`Avx2::new` detects
// it), every feature `Narrow` and `Wide` use.
unsafe impl Isa for Avx2 {
    type Narrow = Narrow;
    type Wide = Wide;

    fn run<J: Job>(self, job: J) -> J::Output {
        // SAFETY: `self` proves the CPU has AVX2.
        unsafe { trampoline(self, job) }
    }
}

/// Runs `job` with AVX2 enabled: the job's fill is compiled into this function.
///
/// # Safety
///
/// The CPU must have AVX2.
#[target_feature(enable = "avx2")]
unsafe fn trampoline<J: Job>(isa: Avx2, job: J) -> J::Output {
    job.run(isa)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sixteen lanes of `Narrow` as an array.
    fn lanes(vector: Narrow) -> [i16; 16] {
        let mut out = [0i16; 16];
        // SAFETY: `out` holds 16 lanes; only reached with an `Avx2` token.
        unsafe { vector.store(out.as_mut_ptr()) };
        out
    }

    /// A small deterministic generator (xorshift).
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    // A lane indexes several vectors' arrays at once.
    #[allow(clippy::needless_range_loop)]
    #[target_feature(enable = "avx2")]
    fn check_overrides() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for round in 0..2000 {
            // Values whose differences fit, out to the extremes: within +-16383.
            let mut values = [[0i16; 16]; 4];
            for vector in values.iter_mut() {
                for lane in vector.iter_mut() {
                    let span = if round % 2 == 0 { 16384 } else { 64 };
                    *lane = (next(&mut state) % (2 * span) as u64) as i16 - span as i16;
                }
            }
            // SAFETY: each array holds 16 lanes; AVX2 is enabled in this function.
            let [a, b, c, d] = values.map(|vector| unsafe { Narrow::load(vector.as_ptr()) });
            // SAFETY: as above.
            unsafe {
                let expected = Narrow::bits2(a.gt(b), c.gt(d));
                assert_eq!(Narrow::gt_bits2((a, b), (c, d)), expected);
                for lane in 0..16 {
                    let bit = |second| expected >> Narrow::flag_bit(lane, second) & 1 == 1;
                    assert_eq!(bit(false), values[0][lane] > values[1][lane]);
                    assert_eq!(bit(true), values[2][lane] > values[3][lane]);
                }
                assert_eq!(lanes(a.sub_exact(b)), lanes(a.sub(b)));

                // A counter at least every lane of `if_false`, which is at least 0.
                let value = i32::from(values[0][0].unsigned_abs() as i16 & 0x3fff);
                let if_false = lanes(b).map(|lane| (i32::from(lane).abs() % (value + 1)) as i16);
                let if_false = Narrow::load(if_false.as_ptr());
                let counter = Narrow::splat(value);
                let mask = c.gt(d);
                assert_eq!(
                    lanes(Narrow::select_counter(mask, counter, value, if_false)),
                    lanes(Narrow::select(mask, counter, if_false))
                );

                // 32-bit lanes, with differences past 16 bits.
                let wide: [[i32; 8]; 4] = std::array::from_fn(|_| {
                    std::array::from_fn(|_| (next(&mut state) % (1 << 24)) as i32 - (1 << 23))
                });
                let [a, b, c, d] = wide.map(|vector| Wide::load(vector.as_ptr()));
                // The words differ in bits no flag uses (the low bytes of packed lanes).
                for word in [
                    Wide::bits2(a.gt(b), c.gt(d)),
                    Wide::gt_bits2((a, b), (c, d)),
                ] {
                    for lane in 0..8 {
                        let bit = |second| word >> Wide::flag_bit(lane, second) & 1 == 1;
                        assert_eq!(bit(false), wide[0][lane] > wide[1][lane]);
                        assert_eq!(bit(true), wide[2][lane] > wide[3][lane]);
                    }
                }

                // Lookups of every row, against the lane-by-lane default.
                let table: Vec<i16> = (0..3 * LOOKUP_CODES)
                    .map(|_| next(&mut state) as i16)
                    .collect();
                let codes: Vec<u8> = (0..16)
                    .map(|_| (next(&mut state) % LOOKUP_CODES as u64) as u8)
                    .collect();
                let mut out = [0i16; 48];
                Narrow::lookup_rows(table.as_ptr(), 3, codes.as_ptr(), out.as_mut_ptr());
                for row in 0..3 {
                    for lane in 0..16 {
                        let expected = table[row * LOOKUP_CODES + usize::from(codes[lane])];
                        assert_eq!(out[row * 16 + lane], expected);
                    }
                }
            }
        }
    }

    #[test]
    fn overrides_match_the_defaults() {
        if Avx2::new().is_none() {
            return;
        }
        // SAFETY: the CPU has AVX2.
        unsafe { check_overrides() };
    }
}
