//! x86_64 kernels: thin [`super::vector::Vector`] implementations over SSE4.1, AVX2 and
//! AVX-512BW registers, each reachable only through a token that proves its CPU feature: the
//! token is the ISA's [`super::isa::Isa`], whose trampoline runs a job with the feature on.

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

pub(crate) use feature_token;
