//! The one dispatch point: which kernel runs, chosen once, and the one place where a [`Job`]
//! meets the ISA of that kernel.
//!
//! The CPU is examined once ([`Engine::detected`]); the choice is one [`Engine`] value whose
//! SIMD variants carry a token proving the CPU feature, so no `#[target_feature]` function can
//! be reached on a CPU without it. `WTA_KERNEL=scalar|portable|sse41|avx2|avx512` forces a
//! kernel; an unavailable or unknown name is an error ([`crate::align::AlignError::KernelVariable`])
//! from every aligner built without an explicit kernel, never a silent fallback. An empty value
//! counts as unset.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use super::isa::{Isa, Job, LaneWidth, Lanes};
use super::portable::Portable;
#[cfg(target_arch = "x86_64")]
use super::x86_64;

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
    type Err = UnknownKernel;

    fn from_str(name: &str) -> Result<Self, UnknownKernel> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| UnknownKernel(name.to_owned()))
    }
}

/// A kernel name that is none of `scalar`, `portable`, `sse41`, `avx2`, `avx512`.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::align::KernelKind;
///
/// let err = "neon".parse::<KernelKind>().unwrap_err();
/// assert_eq!(err.0, "neon");
/// assert_eq!(err.to_string(), "unknown kernel 'neon' (expected scalar, portable, sse41, avx2 or avx512)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown kernel '{0}' (expected scalar, portable, sse41, avx2 or avx512)")]
pub struct UnknownKernel(pub String);

/// The `WTA_KERNEL` environment variable names no kernel, or one this CPU lacks.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::align::KernelVariable;
///
/// let err = KernelVariable { value: "vax".into(), reason: "unknown kernel".into() };
/// assert_eq!(err.to_string(), "WTA_KERNEL=vax: unknown kernel");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("WTA_KERNEL={value}: {reason}")]
pub struct KernelVariable {
    /// The variable's value.
    pub value: String,
    /// What is wrong with it.
    pub reason: String,
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

    /// The fastest engine of this CPU, or the one `WTA_KERNEL` names; decided once. A value
    /// that names no kernel, or one this CPU lacks, is an error.
    pub(crate) fn detected() -> Result<Engine, KernelVariable> {
        static DETECTED: OnceLock<Result<Engine, KernelVariable>> = OnceLock::new();
        DETECTED
            .get_or_init(|| {
                let best = KernelKind::ALL
                    .into_iter()
                    .rev()
                    .find_map(Engine::for_kind)
                    .unwrap_or(Engine::Scalar);
                let requested = match std::env::var("WTA_KERNEL") {
                    Ok(value) if !value.is_empty() => value,
                    Ok(_) | Err(std::env::VarError::NotPresent) => return Ok(best),
                    Err(std::env::VarError::NotUnicode(value)) => {
                        return Err(KernelVariable {
                            value: value.to_string_lossy().into_owned(),
                            reason: "not UTF-8 text".into(),
                        });
                    }
                };
                let bad = |reason: String| KernelVariable {
                    value: requested.clone(),
                    reason,
                };
                let kind = requested
                    .parse::<KernelKind>()
                    .map_err(|error| bad(error.to_string()))?;
                Engine::for_kind(kind).ok_or_else(|| {
                    bad(format!(
                        "kernel {kind} is not available on this CPU (available: {})",
                        KernelKind::available()
                            .iter()
                            .map(|k| k.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })
            })
            .clone()
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

    /// Runs `job` on this engine's ISA (the scalar engine's kernels are the portable ones).
    pub(crate) fn run<J: Job>(self, job: J) -> J::Output {
        match self {
            Engine::Scalar | Engine::Portable => Portable.run(job),
            #[cfg(target_arch = "x86_64")]
            Engine::Sse41(isa) => isa.run(job),
            #[cfg(target_arch = "x86_64")]
            Engine::Avx2(isa) => isa.run(job),
            #[cfg(target_arch = "x86_64")]
            Engine::Avx512(isa) => isa.run(job),
        }
    }

    /// Targets per fill with lanes of `L`.
    pub(crate) fn lanes<L: LaneWidth>(self) -> usize {
        self.run(Lanes::<L>::new())
    }
}
