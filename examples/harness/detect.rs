//! What the machine offers: the real EMBOSS `water` (for comparison runs) and the CPU's SIMD
//! level.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A `water` executable found on `PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaterInstallation {
    /// Where it is.
    pub path: PathBuf,
    /// The version `water -version` prints (`6.6.0.0` from `EMBOSS:6.6.0.0`), when it ran.
    pub version: Option<String>,
}

/// Looks for `water` on `PATH` and asks its version.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::find_water;
///
/// if let Some(water) = find_water() {
///     println!("{} {:?}", water.path.display(), water.version);
/// }
/// ```
pub fn find_water() -> Option<WaterInstallation> {
    let path = std::env::var_os("PATH")?;
    let found = std::env::split_paths(&path)
        .map(|dir| dir.join("water"))
        .find(|candidate| is_executable(candidate))?;
    let version = Command::new(&found)
        .arg("-version")
        .output()
        .ok()
        .and_then(|output| {
            // EMBOSS prints the version on stderr.
            let text = [output.stderr, output.stdout].concat();
            String::from_utf8_lossy(&text)
                .lines()
                .find_map(|line| line.trim().strip_prefix("EMBOSS:").map(str::to_owned))
        });
    Some(WaterInstallation {
        path: found,
        version,
    })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The widest SIMD instruction set this CPU offers that the crate's kernels could use:
/// `avx512bw`, `avx2`, `sse4.1`, `neon` or `none`.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::simd_level;
///
/// assert!(["avx512bw", "avx2", "sse4.1", "neon", "none"].contains(&simd_level()));
/// ```
pub fn simd_level() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512bw") {
            return "avx512bw";
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return "avx2";
        }
        if std::arch::is_x86_feature_detected!("sse4.1") {
            return "sse4.1";
        }
        "none"
    }
    #[cfg(target_arch = "aarch64")]
    {
        "neon"
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        "none"
    }
}
