//! `WTA_KERNEL` forces a kernel; an unknown or unavailable name is an error when an aligner is
//! built, never a silent fallback to another kernel.
//! The variable is read once per process, so each case re-runs this test binary.

use std::process::Command;

use wildtype_aligner::align::{Aligner, KernelKind};

/// Prints the kernel a default aligner uses; run by `wta_kernel_forces_a_kernel` as a child.
#[test]
#[ignore = "run as a child process by wta_kernel_forces_a_kernel"]
fn report_kernel() {
    match Aligner::builder().build() {
        Ok(aligner) => println!("kernel={}", aligner.kernel()),
        Err(error) => println!("error={error}"),
    }
}

fn child(value: &str) -> (String, String) {
    let output = Command::new(std::env::current_exe().unwrap())
        .env("WTA_KERNEL", value)
        .args([
            "--exact",
            "report_kernel",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn wta_kernel_forces_a_kernel() {
    let best = *KernelKind::available().last().unwrap();
    for kind in KernelKind::available() {
        let (stdout, _) = child(kind.name());
        assert!(
            stdout.contains(&format!("kernel={kind}")),
            "{kind}: {stdout}"
        );
    }
    let (stdout, _) = child("vax");
    assert!(!stdout.contains(&format!("kernel={best}")), "{stdout}");
    assert!(
        stdout.contains("error=WTA_KERNEL=vax: unknown kernel 'vax'"),
        "{stdout}"
    );
    // Set but empty counts as not set.
    let (stdout, _) = child("");
    assert!(stdout.contains(&format!("kernel={best}")), "{stdout}");
}
