//! Fast kernels that return exactly what the scalar engine (`scalar.rs`) returns.
//!
//! One algorithm ([`generic::fill`]) is written once over a crate-private [`vector::Vector`]
//! trait; `portable.rs` and `x86_64/*.rs` only say how a register adds, subtracts, takes a
//! maximum, compares and selects. The kernels run in fixed point, which is exact only where
//! [`fixed::FixedPoint::new`] says so; everything else stays on the scalar engine.
//!
//! The CPU is examined once ([`Engine::detected`]); the choice is one [`Engine`] value whose
//! SIMD variants carry a token proving the CPU feature, so no `#[target_feature]` function can
//! be reached on a CPU without it. `WTA_KERNEL=scalar|portable|sse41|avx2|avx512` forces a
//! kernel (an unavailable or unknown name falls back to the best one, with a message on
//! standard error).

pub(crate) mod driver;
pub(crate) mod fixed;
pub(crate) mod generic;
pub(crate) mod outcome;
mod pages;
pub(crate) mod portable;
pub(crate) mod striped;
pub(crate) mod vector;
#[cfg(target_arch = "x86_64")]
pub(crate) mod x86_64;

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use generic::{Job, Work};
use outcome::LaneScore;

use crate::{Error, Result};
use fixed::FixedPoint;

/// The kernels an [`crate::align::Aligner`] can use.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::align::{Aligner, KernelKind};
///
/// let forced = Aligner::builder().kernel(KernelKind::Portable).build().unwrap();
/// assert_eq!(forced.kernel().to_string(), "portable");
/// assert_eq!("avx2".parse::<KernelKind>().unwrap(), KernelKind::Avx2);
/// assert!(KernelKind::available().contains(&KernelKind::Scalar));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KernelKind {
    /// The reference engine: water's float arithmetic, one cell at a time.
    Scalar,
    /// Fixed point in plain arrays of lanes, vectorized by the compiler for any target.
    Portable,
    /// Fixed point in SSE4.1 registers (8 targets at a time).
    Sse41,
    /// Fixed point in AVX2 registers (16 targets at a time).
    Avx2,
    /// Fixed point in AVX-512BW registers (32 targets at a time).
    Avx512,
}

impl KernelKind {
    /// Every kernel, slowest first.
    pub const ALL: [KernelKind; 5] = [
        KernelKind::Scalar,
        KernelKind::Portable,
        KernelKind::Sse41,
        KernelKind::Avx2,
        KernelKind::Avx512,
    ];

    /// The kernels this CPU can run, slowest first.
    pub fn available() -> Vec<KernelKind> {
        Self::ALL
            .into_iter()
            .filter(|kind| Engine::for_kind(*kind).is_some())
            .collect()
    }

    /// The name used by `WTA_KERNEL` and [`fmt::Display`].
    pub fn name(self) -> &'static str {
        match self {
            KernelKind::Scalar => "scalar",
            KernelKind::Portable => "portable",
            KernelKind::Sse41 => "sse41",
            KernelKind::Avx2 => "avx2",
            KernelKind::Avx512 => "avx512",
        }
    }
}

impl fmt::Display for KernelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for KernelKind {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                Error::Setting(format!(
                    "unknown kernel '{name}' (expected scalar, portable, sse41, avx2 or avx512)"
                ))
            })
    }
}

/// The kernel in use, with the proof of its CPU feature.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Engine {
    Scalar,
    Portable,
    #[cfg(target_arch = "x86_64")]
    Sse41(x86_64::sse41::Sse41),
    #[cfg(target_arch = "x86_64")]
    Avx2(x86_64::avx2::Avx2),
    #[cfg(target_arch = "x86_64")]
    Avx512(x86_64::avx512::Avx512),
}

impl Engine {
    /// The engine for `kind`, if this CPU has it.
    pub(crate) fn for_kind(kind: KernelKind) -> Option<Engine> {
        match kind {
            KernelKind::Scalar => Some(Engine::Scalar),
            KernelKind::Portable => Some(Engine::Portable),
            #[cfg(target_arch = "x86_64")]
            KernelKind::Sse41 => x86_64::sse41::Sse41::new().map(Engine::Sse41),
            #[cfg(target_arch = "x86_64")]
            KernelKind::Avx2 => x86_64::avx2::Avx2::new().map(Engine::Avx2),
            #[cfg(target_arch = "x86_64")]
            KernelKind::Avx512 => x86_64::avx512::Avx512::new().map(Engine::Avx512),
            #[cfg(not(target_arch = "x86_64"))]
            _ => None,
        }
    }

    /// The fastest engine of this CPU, or the one `WTA_KERNEL` names; decided once.
    pub(crate) fn detected() -> Engine {
        static DETECTED: OnceLock<Engine> = OnceLock::new();
        *DETECTED.get_or_init(|| {
            let best = KernelKind::ALL
                .into_iter()
                .rev()
                .find_map(Engine::for_kind)
                .unwrap_or(Engine::Scalar);
            let Ok(requested) = std::env::var("WTA_KERNEL") else {
                return best;
            };
            match requested.parse::<KernelKind>() {
                Ok(kind) => Engine::for_kind(kind).unwrap_or_else(|| {
                    eprintln!(
                        "wildtype-aligner: WTA_KERNEL={requested} is not available on this CPU; \
                         using {}",
                        best.kind()
                    );
                    best
                }),
                Err(error) => {
                    eprintln!(
                        "wildtype-aligner: WTA_KERNEL: {error}; using {}",
                        best.kind()
                    );
                    best
                }
            }
        })
    }

    pub(crate) fn kind(self) -> KernelKind {
        match self {
            Engine::Scalar => KernelKind::Scalar,
            Engine::Portable => KernelKind::Portable,
            #[cfg(target_arch = "x86_64")]
            Engine::Sse41(_) => KernelKind::Sse41,
            #[cfg(target_arch = "x86_64")]
            Engine::Avx2(_) => KernelKind::Avx2,
            #[cfg(target_arch = "x86_64")]
            Engine::Avx512(_) => KernelKind::Avx512,
        }
    }

    /// Targets per 16-bit fill.
    pub(crate) fn narrow_lanes(self) -> usize {
        match self {
            Engine::Scalar | Engine::Portable => portable::NARROW_LANES,
            #[cfg(target_arch = "x86_64")]
            Engine::Sse41(_) => x86_64::sse41::NARROW_LANES,
            #[cfg(target_arch = "x86_64")]
            Engine::Avx2(_) => x86_64::avx2::NARROW_LANES,
            #[cfg(target_arch = "x86_64")]
            Engine::Avx512(_) => x86_64::avx512::NARROW_LANES,
        }
    }

    /// Targets per 32-bit fill.
    pub(crate) fn wide_lanes(self) -> usize {
        match self {
            Engine::Scalar | Engine::Portable => portable::WIDE_LANES,
            #[cfg(target_arch = "x86_64")]
            Engine::Sse41(_) => x86_64::sse41::WIDE_LANES,
            #[cfg(target_arch = "x86_64")]
            Engine::Avx2(_) => x86_64::avx2::WIDE_LANES,
            #[cfg(target_arch = "x86_64")]
            Engine::Avx512(_) => x86_64::avx512::WIDE_LANES,
        }
    }

    /// One 16-bit fill ([`generic::fill`]).
    pub(crate) fn fill_narrow(
        self,
        trace: bool,
        fixed: &FixedPoint,
        job: &Job<'_>,
        work: &mut Work<i16>,
        out: &mut [LaneScore],
    ) {
        match self {
            Engine::Scalar | Engine::Portable => {
                portable::fill_narrow(trace, fixed, job, work, out)
            }
            #[cfg(target_arch = "x86_64")]
            Engine::Sse41(token) => x86_64::sse41::fill_narrow(token, trace, fixed, job, work, out),
            #[cfg(target_arch = "x86_64")]
            Engine::Avx2(token) => x86_64::avx2::fill_narrow(token, trace, fixed, job, work, out),
            #[cfg(target_arch = "x86_64")]
            Engine::Avx512(token) => {
                x86_64::avx512::fill_narrow(token, trace, fixed, job, work, out)
            }
        }
    }

    /// One 32-bit fill ([`generic::fill`]).
    pub(crate) fn fill_wide(
        self,
        trace: bool,
        fixed: &FixedPoint,
        job: &Job<'_>,
        work: &mut Work<i32>,
        out: &mut [LaneScore],
    ) {
        match self {
            Engine::Scalar | Engine::Portable => portable::fill_wide(trace, fixed, job, work, out),
            #[cfg(target_arch = "x86_64")]
            Engine::Sse41(token) => x86_64::sse41::fill_wide(token, trace, fixed, job, work, out),
            #[cfg(target_arch = "x86_64")]
            Engine::Avx2(token) => x86_64::avx2::fill_wide(token, trace, fixed, job, work, out),
            #[cfg(target_arch = "x86_64")]
            Engine::Avx512(token) => x86_64::avx512::fill_wide(token, trace, fixed, job, work, out),
        }
    }

    /// One 16-bit striped fill of a single pair ([`striped::fill`]).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn striped_narrow(
        self,
        trace: bool,
        fixed: &FixedPoint,
        a: &[u8],
        b: &[u8],
        rows: usize,
        cols: usize,
        work: &mut striped::StripedWork<i16>,
    ) -> LaneScore {
        match self {
            Engine::Scalar | Engine::Portable => {
                portable::striped_narrow(trace, fixed, a, b, rows, cols, work)
            }
            #[cfg(target_arch = "x86_64")]
            Engine::Sse41(token) => {
                x86_64::sse41::striped_narrow(token, trace, fixed, a, b, rows, cols, work)
            }
            #[cfg(target_arch = "x86_64")]
            Engine::Avx2(token) => {
                x86_64::avx2::striped_narrow(token, trace, fixed, a, b, rows, cols, work)
            }
            #[cfg(target_arch = "x86_64")]
            Engine::Avx512(token) => {
                x86_64::avx512::striped_narrow(token, trace, fixed, a, b, rows, cols, work)
            }
        }
    }

    /// One 32-bit striped fill of a single pair ([`striped::fill`]).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn striped_wide(
        self,
        trace: bool,
        fixed: &FixedPoint,
        a: &[u8],
        b: &[u8],
        rows: usize,
        cols: usize,
        work: &mut striped::StripedWork<i32>,
    ) -> LaneScore {
        match self {
            Engine::Scalar | Engine::Portable => {
                portable::striped_wide(trace, fixed, a, b, rows, cols, work)
            }
            #[cfg(target_arch = "x86_64")]
            Engine::Sse41(token) => {
                x86_64::sse41::striped_wide(token, trace, fixed, a, b, rows, cols, work)
            }
            #[cfg(target_arch = "x86_64")]
            Engine::Avx2(token) => {
                x86_64::avx2::striped_wide(token, trace, fixed, a, b, rows, cols, work)
            }
            #[cfg(target_arch = "x86_64")]
            Engine::Avx512(token) => {
                x86_64::avx512::striped_wide(token, trace, fixed, a, b, rows, cols, work)
            }
        }
    }
}
