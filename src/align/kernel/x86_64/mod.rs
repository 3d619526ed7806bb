//! x86_64 kernels: thin [`super::vector::Vector`] implementations over SSE4.1, AVX2 and
//! AVX-512BW registers, each reachable only through a token that proves its CPU feature.

pub(crate) mod avx2;
pub(crate) mod avx512;
pub(crate) mod sse41;

/// Declares a zero-sized token type whose only constructor checks the CPU at run time.
macro_rules! feature_token {
    ($(#[$doc:meta])* $name:ident, $($feature:tt),+) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub(crate) struct $name(());

        impl $name {
            /// The token, if this CPU has the feature.
            pub(crate) fn new() -> Option<Self> {
                ($(std::is_x86_feature_detected!($feature))&&+).then_some(Self(()))
            }
        }
    };
}

/// Declares `fill_narrow` / `fill_wide` entry points for one ISA: safe functions taking the
/// token, calling a `#[target_feature]` function in which the generic kernel is inlined.
macro_rules! entry_points {
    ($token:ty, $feature:literal, $narrow:ty, $wide:ty) => {
        use crate::align::kernel::fixed::FixedPoint;
        use crate::align::kernel::generic::{self, Job, Work};
        use crate::align::kernel::outcome::LaneScore;

        /// 16-bit lanes per fill.
        pub(crate) const NARROW_LANES: usize = <$narrow as Vector>::LANES;
        /// 32-bit lanes per fill.
        pub(crate) const WIDE_LANES: usize = <$wide as Vector>::LANES;

        /// Runs the 16-bit fill; the token proves the CPU feature.
        pub(crate) fn fill_narrow(
            _token: $token,
            trace: bool,
            fixed: &FixedPoint,
            job: &Job<'_>,
            work: &mut Work<i16>,
            out: &mut [LaneScore],
        ) {
            // SAFETY: a token exists only if the CPU has the feature.
            unsafe { fill_narrow_with_feature(trace, fixed, job, work, out) }
        }

        /// Runs the 32-bit fill; the token proves the CPU feature.
        pub(crate) fn fill_wide(
            _token: $token,
            trace: bool,
            fixed: &FixedPoint,
            job: &Job<'_>,
            work: &mut Work<i32>,
            out: &mut [LaneScore],
        ) {
            // SAFETY: a token exists only if the CPU has the feature.
            unsafe { fill_wide_with_feature(trace, fixed, job, work, out) }
        }

        /// # Safety
        ///
        /// The CPU must have the feature this function is compiled for.
        #[target_feature(enable = $feature)]
        unsafe fn fill_narrow_with_feature(
            trace: bool,
            fixed: &FixedPoint,
            job: &Job<'_>,
            work: &mut Work<i16>,
            out: &mut [LaneScore],
        ) {
            // SAFETY: the vector's features are enabled in this function.
            unsafe {
                match (trace, job.transposed) {
                    (true, true) => generic::fill::<$narrow, true, true>(fixed, job, work, out),
                    (true, false) => generic::fill::<$narrow, true, false>(fixed, job, work, out),
                    (false, true) => generic::fill::<$narrow, false, true>(fixed, job, work, out),
                    (false, false) => generic::fill::<$narrow, false, false>(fixed, job, work, out),
                }
            }
        }

        /// # Safety
        ///
        /// The CPU must have the feature this function is compiled for.
        #[target_feature(enable = $feature)]
        unsafe fn fill_wide_with_feature(
            trace: bool,
            fixed: &FixedPoint,
            job: &Job<'_>,
            work: &mut Work<i32>,
            out: &mut [LaneScore],
        ) {
            // SAFETY: the vector's features are enabled in this function.
            unsafe {
                match (trace, job.transposed) {
                    (true, true) => generic::fill::<$wide, true, true>(fixed, job, work, out),
                    (true, false) => generic::fill::<$wide, true, false>(fixed, job, work, out),
                    (false, true) => generic::fill::<$wide, false, true>(fixed, job, work, out),
                    (false, false) => generic::fill::<$wide, false, false>(fixed, job, work, out),
                }
            }
        }
    };
}

/// Declares `striped_narrow` / `striped_wide` entry points for one ISA, like
/// [`entry_points`]: safe functions taking the token, calling a `#[target_feature]` function in
/// which the striped kernel ([`crate::align::kernel::striped::fill`]) is inlined.
macro_rules! striped_entry_points {
    ($token:ty, $feature:literal, $narrow:ty, $wide:ty) => {
        /// Runs the 16-bit striped fill; the token proves the CPU feature.
        #[allow(clippy::too_many_arguments)]
        pub(crate) fn striped_narrow(
            _token: $token,
            trace: bool,
            fixed: &crate::align::kernel::fixed::FixedPoint,
            a: &[u8],
            b: &[u8],
            rows: usize,
            cols: usize,
            work: &mut crate::align::kernel::striped::StripedWork<i16>,
        ) -> crate::align::kernel::outcome::LaneScore {
            // SAFETY: a token exists only if the CPU has the feature.
            unsafe { striped_narrow_with_feature(trace, fixed, a, b, rows, cols, work) }
        }

        /// Runs the 32-bit striped fill; the token proves the CPU feature.
        #[allow(clippy::too_many_arguments)]
        pub(crate) fn striped_wide(
            _token: $token,
            trace: bool,
            fixed: &crate::align::kernel::fixed::FixedPoint,
            a: &[u8],
            b: &[u8],
            rows: usize,
            cols: usize,
            work: &mut crate::align::kernel::striped::StripedWork<i32>,
        ) -> crate::align::kernel::outcome::LaneScore {
            // SAFETY: a token exists only if the CPU has the feature.
            unsafe { striped_wide_with_feature(trace, fixed, a, b, rows, cols, work) }
        }

        /// # Safety
        ///
        /// The CPU must have the feature this function is compiled for.
        #[target_feature(enable = $feature)]
        unsafe fn striped_narrow_with_feature(
            trace: bool,
            fixed: &crate::align::kernel::fixed::FixedPoint,
            a: &[u8],
            b: &[u8],
            rows: usize,
            cols: usize,
            work: &mut crate::align::kernel::striped::StripedWork<i16>,
        ) -> crate::align::kernel::outcome::LaneScore {
            use crate::align::kernel::striped::fill;
            // SAFETY: the vector's features are enabled in this function.
            unsafe {
                if trace {
                    fill::<$narrow, true>(fixed, a, b, rows, cols, work)
                } else {
                    fill::<$narrow, false>(fixed, a, b, rows, cols, work)
                }
            }
        }

        /// # Safety
        ///
        /// The CPU must have the feature this function is compiled for.
        #[target_feature(enable = $feature)]
        unsafe fn striped_wide_with_feature(
            trace: bool,
            fixed: &crate::align::kernel::fixed::FixedPoint,
            a: &[u8],
            b: &[u8],
            rows: usize,
            cols: usize,
            work: &mut crate::align::kernel::striped::StripedWork<i32>,
        ) -> crate::align::kernel::outcome::LaneScore {
            use crate::align::kernel::striped::fill;
            // SAFETY: the vector's features are enabled in this function.
            unsafe {
                if trace {
                    fill::<$wide, true>(fixed, a, b, rows, cols, work)
                } else {
                    fill::<$wide, false>(fixed, a, b, rows, cols, work)
                }
            }
        }
    };
}

pub(crate) use entry_points;
pub(crate) use feature_token;
pub(crate) use striped_entry_points;
