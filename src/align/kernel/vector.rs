//! The crate-private vector trait the generic kernel is written against, and its lane types.

/// How many codes [`Vector::lookup`] tables hold (EBLOSUM62 has 25, EDNAFULL 16).
pub(crate) const LOOKUP_CODES: usize = 32;

/// The most lanes a [`Vector`] may have: [`Vector::bits2`] packs two flags per lane into one
/// `u64`, and the fills keep per-lane arrays of this many lanes.
pub(crate) const MAX_LANES: usize = 32;

/// What the fills assume of `V`'s lanes: at least one and at most [`MAX_LANES`], exactly
/// filling the register (so that [`Vector::load`] and [`Vector::store`] move `LANES` lanes of
/// `V::Lane`). Every fill and every ISA checks it at compile time
/// (`const { assert!(lanes_fit::<V>()) }`).
pub(crate) const fn lanes_fit<V: Vector>() -> bool {
    V::LANES >= 1 && V::LANES <= MAX_LANES && V::LANES * size_of::<V::Lane>() == size_of::<V>()
}

/// A lane type: 16-bit (saturating, with overflow detection) or 32-bit (never overflows within
/// [`super::fixed::FixedPoint::fits`]).
pub(crate) trait Lane: Copy + Default + std::fmt::Debug + Send + 'static {
    /// The largest value a lane holds.
    const MAX: i32;
    /// The smallest value a lane holds; used as "no interior cell yet".
    const MIN: i32;
    /// Narrows a value known to fit.
    fn from_i32(value: i32) -> Self;
    /// Widens.
    fn to_i32(self) -> i32;
}

impl Lane for i16 {
    const MAX: i32 = i16::MAX as i32;
    const MIN: i32 = i16::MIN as i32;
    #[inline(always)]
    fn from_i32(value: i32) -> Self {
        value as i16
    }
    #[inline(always)]
    fn to_i32(self) -> i32 {
        i32::from(self)
    }
}

impl Lane for i32 {
    const MAX: i32 = i32::MAX;
    const MIN: i32 = i32::MIN;
    #[inline(always)]
    fn from_i32(value: i32) -> Self {
        value
    }
    #[inline(always)]
    fn to_i32(self) -> i32 {
        self
    }
}

/// One SIMD register of `LANES` lanes, each holding one target's cell.
///
/// Implementations are thin wrappers over one instruction each. Every method is `unsafe`
/// because the implementation may use CPU features that the caller must prove are present
/// (the generic kernel is only instantiated inside `#[target_feature]` functions reached
/// through a token).
pub(crate) trait Vector: Copy {
    /// The lane type.
    type Lane: Lane;
    /// The result of a comparison.
    type Mask: Copy;
    /// How many lanes (targets) one register holds.
    const LANES: usize;

    /// Every lane set to `value` (which fits the lane type).
    ///
    /// # Safety
    ///
    /// The CPU features of the implementation must be available.
    unsafe fn splat(value: i32) -> Self;
    /// Loads `LANES` lanes.
    ///
    /// # Safety
    ///
    /// `ptr` must be valid for reading `LANES` lanes (no alignment needed); CPU features as for
    /// [`Vector::splat`].
    unsafe fn load(ptr: *const Self::Lane) -> Self;
    /// Stores `LANES` lanes.
    ///
    /// # Safety
    ///
    /// `ptr` must be valid for writing `LANES` lanes (no alignment needed); CPU features as for
    /// [`Vector::splat`].
    unsafe fn store(self, ptr: *mut Self::Lane);
    /// Lane-wise addition (saturating for 16-bit lanes).
    ///
    /// # Safety
    ///
    /// CPU features as for [`Vector::splat`].
    unsafe fn add(self, other: Self) -> Self;
    /// Lane-wise subtraction (saturating for 16-bit lanes).
    ///
    /// # Safety
    ///
    /// CPU features as for [`Vector::splat`].
    unsafe fn sub(self, other: Self) -> Self;
    /// Lane-wise subtraction whose exact result the caller knows fits the lane, so that
    /// saturating or wrapping makes no difference: ISAs whose wrapping subtraction issues on
    /// more ports than their saturating one use the former.
    ///
    /// # Safety
    ///
    /// CPU features as for [`Vector::splat`].
    #[inline(always)]
    unsafe fn sub_exact(self, other: Self) -> Self {
        // SAFETY: the caller guarantees the CPU features.
        unsafe { self.sub(other) }
    }
    /// Lane-wise maximum.
    ///
    /// # Safety
    ///
    /// CPU features as for [`Vector::splat`].
    unsafe fn max(self, other: Self) -> Self;
    /// Lanes where `self > other`.
    ///
    /// # Safety
    ///
    /// CPU features as for [`Vector::splat`].
    unsafe fn gt(self, other: Self) -> Self::Mask;
    /// `if_true` where `mask` is set, `if_false` elsewhere.
    ///
    /// # Safety
    ///
    /// CPU features as for [`Vector::splat`].
    unsafe fn select(mask: Self::Mask, if_true: Self, if_false: Self) -> Self;

    /// `table[codes[lane]]` in each lane: one row of the substitution matrix looked up for
    /// each lane's target residue. The default reads lane by lane; ISAs with a register-wide
    /// permute override it.
    ///
    /// # Safety
    ///
    /// `table` is readable for [`LOOKUP_CODES`] lanes, `codes` for `LANES` bytes, each below
    /// [`LOOKUP_CODES`]; CPU features as for [`Vector::splat`].
    #[inline(always)]
    unsafe fn lookup(table: *const Self::Lane, codes: *const u8) -> Self {
        const { assert!(lanes_fit::<Self>()) };
        let mut lanes = [Self::Lane::default(); MAX_LANES];
        for (lane, slot) in lanes.iter_mut().enumerate().take(Self::LANES) {
            // SAFETY: the caller guarantees both reads are in bounds.
            *slot = unsafe { *table.add(usize::from(*codes.add(lane))) };
        }
        // SAFETY: `lanes` holds `MAX_LANES >= LANES` lanes (checked above at compile time).
        unsafe { Self::load(lanes.as_ptr()) }
    }

    /// [`Vector::lookup`] of `count` consecutive rows of `LOOKUP_CODES` lanes at `tables`,
    /// stored at `LANES` lanes apart from `out` on: a column's profile. The default looks up
    /// row by row; ISAs that look up with shuffles prepare the codes once for all rows.
    ///
    /// # Safety
    ///
    /// `tables` is readable for `count * LOOKUP_CODES` lanes, `out` writable for
    /// `count * LANES` lanes, and `codes` as for [`Vector::lookup`].
    #[inline(always)]
    unsafe fn lookup_rows(
        tables: *const Self::Lane,
        count: usize,
        codes: *const u8,
        out: *mut Self::Lane,
    ) {
        for row in 0..count {
            // SAFETY: the caller guarantees the bounds and the CPU features.
            unsafe {
                Self::lookup(tables.add(row * LOOKUP_CODES), codes)
                    .store(out.add(row * Self::LANES));
            }
        }
    }

    /// `counter` (which holds `value` in every lane) where `mask` is set, `if_false`
    /// elsewhere, where `value` is at least 0 and at least every lane of `if_false` (a counter
    /// that only grows). ISAs with a masked broadcast do it from `value` in one instruction,
    /// and the vector counter is then optimised away; others may take the larger of
    /// `if_false` and `counter & mask`.
    ///
    /// # Safety
    ///
    /// CPU features as for [`Vector::splat`].
    #[inline(always)]
    unsafe fn select_counter(mask: Self::Mask, counter: Self, value: i32, if_false: Self) -> Self {
        let _ = value;
        // SAFETY: the caller guarantees the CPU features.
        unsafe { Self::select(mask, counter, if_false) }
    }

    /// Two masks as the bits of one word; lane `l`'s flag of `first` is bit
    /// `flag_bit(l, false)`, of `second` bit `flag_bit(l, true)`.
    ///
    /// # Safety
    ///
    /// CPU features as for [`Vector::splat`].
    unsafe fn bits2(first: Self::Mask, second: Self::Mask) -> u64;
    /// [`Vector::bits2`] of `first.0 > first.1` and `second.0 > second.1`, where the caller
    /// knows that the exact difference of each pair fits the lane. ISAs whose comparisons
    /// issue on few ports take the sign of a wrapping subtraction instead.
    ///
    /// # Safety
    ///
    /// CPU features as for [`Vector::splat`].
    #[inline(always)]
    unsafe fn gt_bits2(first: (Self, Self), second: (Self, Self)) -> u64 {
        // SAFETY: the caller guarantees the CPU features.
        unsafe { Self::bits2(first.0.gt(first.1), second.0.gt(second.1)) }
    }
    /// Where [`Vector::bits2`] puts a lane's flag (below 64).
    fn flag_bit(lane: usize, second: bool) -> u32;

    /// Every lane moved up by one (lane `k + 1` gets lane `k`), lane 0 taking the last lane of
    /// `fill`: the striped kernel's step from one segment to the next row. With
    /// `fill = splat(x)` it is a shift by one element with the fill value `x`.
    ///
    /// # Safety
    ///
    /// CPU features as for [`Vector::splat`].
    unsafe fn shift_in(self, fill: Self) -> Self;
    /// Whether any lane of `mask` is set.
    ///
    /// # Safety
    ///
    /// CPU features as for [`Vector::splat`].
    unsafe fn any(mask: Self::Mask) -> bool;
    /// The largest lane.
    ///
    /// # Safety
    ///
    /// CPU features as for [`Vector::splat`].
    unsafe fn hmax(self) -> i32;
}
