//! `WTA_KERNEL` forces a kernel; an unknown or unavailable name falls back with a message.
//! The variable is read once per process, so each case re-runs this test binary.

use std::process::Command;

use wildtype_aligner::align::{Aligner, KernelKind};

/// Prints the kernel a default aligner uses; run by `wta_kernel_forces_a_kernel` as a child.
#[test]
#[ignore = "run as a child process by wta_kernel_forces_a_kernel"]
fn report_kernel() {
    println!("kernel={}", Aligner::builder().build().unwrap().kernel());
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
    let (stdout, stderr) = child("vax");
    assert!(stdout.contains(&format!("kernel={best}")), "{stdout}");
    assert!(stderr.contains("unknown kernel 'vax'"), "{stderr}");
}
