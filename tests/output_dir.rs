//! The output directory's rules: nothing of the user's is deleted or replaced, a run owns
//! exactly the files its manifest lists (a re-run replaces that set and touches nothing else),
//! one run at a time holds the directory, and the temporary files of a run that was
//! interrupted (SIGTERM, SIGINT) or killed (`kill -9`) do not stay behind.
//!
//! The signal tests run the built `wildtype_align` and `water` binaries; they are built here
//! with the profile of this test (`cargo test` has built them already).

mod pipeline_support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pipeline_support::{REFERENCES, Rng, target_header, write_fasta};
use wildtype_aligner::wildtype::{PipelineConfig, run};

const LOCK: &str = ".wildtype-aligner.lock";

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wta-outdir-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// references.faa and targets_proteins.fasta with `count` variants of the references.
fn fixture(dir: &Path, count: usize) {
    let references: Vec<(String, Vec<u8>)> = REFERENCES
        .iter()
        .map(|(gene, allele, protein)| (format!("{gene} {allele}"), protein.as_bytes().to_vec()))
        .collect();
    write_fasta(&dir.join("references.faa"), &references);
    let mut rng = Rng::new(7);
    let targets: Vec<(String, Vec<u8>)> = (0..count)
        .map(|index| {
            let (gene, _, protein) = REFERENCES[index % REFERENCES.len()];
            let mut residues = protein.as_bytes().to_vec();
            let at = 20 + rng.below(residues.len() - 40);
            residues[at] = rng.residue_except(residues[at]);
            let accession = format!("WP_{index:06}.1");
            (target_header(&accession, gene, residues.len()), residues)
        })
        .collect();
    write_fasta(&dir.join("targets_proteins.fasta"), &targets);
    std::fs::write(dir.join("known.tsv"), "blaTEM\tS2A\n").unwrap();
}

fn config(dir: &Path, out: &Path) -> PipelineConfig {
    PipelineConfig::new(
        [dir.join("targets_proteins.fasta")],
        dir.join("references.faa"),
        out,
    )
    .threads(1)
}

/// Every path under `dir` (hidden ones included), relative, directories with a trailing `/`.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                out.push(format!("{relative}/"));
                walk(root, &path, out);
            } else {
                out.push(relative);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Every file under `dir` with its bytes.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    tree(dir)
        .into_iter()
        .filter(|name| !name.ends_with('/'))
        .map(|name| {
            let bytes = std::fs::read(dir.join(&name)).unwrap();
            (name, bytes)
        })
        .collect()
}

fn manifest_outputs(out: &Path) -> Vec<String> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap().to_owned())
        .collect()
}

/// Temporary files (`.NAME.partial-...`) anywhere under `dir`.
fn partials(dir: &Path) -> Vec<String> {
    tree(dir)
        .into_iter()
        .filter(|name| name.contains(".partial-"))
        .collect()
}

/// This host's name as the staged outputs write it in temporary names and locks.
fn host() -> String {
    let output = Command::new("uname").arg("-n").output().unwrap();
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The id of a process that has exited (and been reaped).
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

fn lock_text(host: &str, pid: u32) -> String {
    format!("host={host}\npid={pid}\nstarted_unix=1700000000\ntool=wildtype-aligner 0.1.0\n")
}

#[test]
fn a_directory_at_an_output_name_is_kept_and_nothing_is_written() {
    let dir = scratch("in-the-way");
    fixture(&dir, 12);
    let out = dir.join("out");
    let precious = out.join("mutations.tsv/precious_dir");
    std::fs::create_dir_all(&precious).unwrap();
    std::fs::write(precious.join("notes.txt"), "mine\n").unwrap();
    let before = tree(&out);
    let message = run(&config(&dir, &out), &()).unwrap_err().to_string();
    assert!(
        message.contains("mutations.tsv") && message.contains("a directory"),
        "{message}"
    );
    assert_eq!(tree(&out), before);
    assert_eq!(
        std::fs::read_to_string(precious.join("notes.txt")).unwrap(),
        "mine\n"
    );
    std::fs::remove_dir_all(out.join("mutations.tsv")).unwrap();

    // A file where the directory of water reports goes.
    std::fs::write(out.join("alignments"), "a file of mine\n").unwrap();
    let message = run(&config(&dir, &out).write_alignments(true), &())
        .unwrap_err()
        .to_string();
    assert!(message.contains("alignments"), "{message}");
    assert_eq!(tree(&out), ["alignments"]);
    std::fs::remove_file(out.join("alignments")).unwrap();

    // A directory where one water report goes, found only when the reports are named: the
    // earlier run's outputs stay as they were, manifest included.
    run(&config(&dir, &out).write_alignments(true), &()).unwrap();
    let report = out.join("alignments/WP_000002.1_blaSHV.water");
    std::fs::remove_file(&report).unwrap();
    std::fs::create_dir(&report).unwrap();
    std::fs::write(report.join("keep.txt"), "mine\n").unwrap();
    let before = contents(&out);
    let message = run(&config(&dir, &out).write_alignments(true), &())
        .unwrap_err()
        .to_string();
    assert!(message.contains("WP_000002.1_blaSHV.water"), "{message}");
    assert_eq!(contents(&out), before);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_rerun_replaces_the_earlier_set_and_keeps_the_users_files() {
    let dir = scratch("rerun");
    fixture(&dir, 10);
    let out = dir.join("out");
    run(
        &config(&dir, &out)
            .write_alignments(true)
            .catalogue(dir.join("known.tsv")),
        &(),
    )
    .unwrap();
    let first = manifest_outputs(&out);
    assert!(first.contains(&"alignments/WP_000000.1_blaTEM.water".to_owned()));
    assert!(first.contains(&"catalogue_unobserved.tsv".to_owned()));
    // The first run's files, exactly.
    let mut listed: Vec<String> = first.clone();
    listed.push("alignments/".into());
    listed.sort();
    assert_eq!(tree(&out), listed);
    std::fs::write(out.join("alignments/notes.txt"), "mine\n").unwrap();
    std::fs::write(out.join("alignments/mine.water"), "mine\n").unwrap();
    std::fs::write(out.join("my_summary.txt"), "mine\n").unwrap();

    // Fewer outputs: no reports, no catalogue.
    run(&config(&dir, &out), &()).unwrap();
    let second = manifest_outputs(&out);
    assert_eq!(
        second,
        [
            "alignments.tsv",
            "mutations.tsv",
            "alignments.jsonl",
            "mutations.jsonl",
            "report.html",
            "manifest.json"
        ]
    );
    let mut expected: Vec<String> = second
        .iter()
        .cloned()
        .chain([
            "alignments/".into(),
            "alignments/mine.water".into(),
            "alignments/notes.txt".into(),
            "my_summary.txt".into(),
        ])
        .collect();
    expected.sort();
    assert_eq!(tree(&out), expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_manifest_never_makes_a_run_delete_what_the_pipeline_does_not_write() {
    let dir = scratch("forged");
    fixture(&dir, 5);
    let out = dir.join("out");
    std::fs::create_dir_all(out.join("alignments")).unwrap();
    std::fs::write(dir.join("victim.txt"), "mine\n").unwrap();
    std::fs::write(out.join("notes.txt"), "mine\n").unwrap();
    std::fs::write(out.join("alignments/notes.txt"), "mine\n").unwrap();
    std::fs::write(
        out.join("manifest.json"),
        r#"{"outputs": ["../victim.txt", "notes.txt", "alignments/notes.txt", "/etc/hostname", "alignments/../notes.txt", "alignments"]}"#,
    )
    .unwrap();
    run(&config(&dir, &out), &()).unwrap();
    for kept in [
        dir.join("victim.txt"),
        out.join("notes.txt"),
        out.join("alignments/notes.txt"),
    ] {
        assert_eq!(
            std::fs::read_to_string(&kept).unwrap(),
            "mine\n",
            "{kept:?}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_second_run_is_refused_while_another_holds_the_directory() {
    let dir = scratch("locked");
    fixture(&dir, 5);
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    // This test's own process: alive, on this host.
    let held = lock_text(&host(), std::process::id());
    std::fs::write(out.join(LOCK), &held).unwrap();
    let message = run(&config(&dir, &out), &()).unwrap_err().to_string();
    assert!(
        message.contains(&format!(
            "process {} on host {}",
            std::process::id(),
            host()
        )) && message.contains(LOCK),
        "{message}"
    );
    assert_eq!(tree(&out), [LOCK]);
    assert_eq!(std::fs::read_to_string(out.join(LOCK)).unwrap(), held);

    // Another host's lock is never taken over, whatever its process id.
    let elsewhere = lock_text("node-17", dead_pid());
    std::fs::write(out.join(LOCK), &elsewhere).unwrap();
    let message = run(&config(&dir, &out), &()).unwrap_err().to_string();
    assert!(
        message.contains("on host node-17") && message.contains("remove"),
        "{message}"
    );
    assert_eq!(tree(&out), [LOCK]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_stale_lock_of_this_host_is_taken_over_and_released() {
    let dir = scratch("stale-lock");
    fixture(&dir, 5);
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join(LOCK), lock_text(&host(), dead_pid())).unwrap();
    run(&config(&dir, &out), &()).unwrap();
    assert!(!out.join(LOCK).exists(), "{:?}", tree(&out));
    assert!(out.join("manifest.json").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Rendering the report again takes over a stale lock as a run does, and says so.
#[test]
fn rendering_the_report_again_warns_of_a_stale_lock_it_takes_over() {
    use std::sync::Mutex;
    use wildtype_aligner::wildtype::{Progress, Warning, WarningKind, write_report};

    #[derive(Default)]
    struct Warnings(Mutex<Vec<Warning>>);
    impl Progress for Warnings {
        fn warning(&self, warning: &Warning) {
            self.0.lock().unwrap().push(warning.clone());
        }
    }
    let dir = scratch("stale-lock-report");
    fixture(&dir, 5);
    let out = dir.join("out");
    run(&config(&dir, &out), &()).unwrap();
    let warnings = Warnings::default();
    write_report(&out, &warnings).unwrap();
    assert!(warnings.0.lock().unwrap().is_empty());
    std::fs::write(out.join(LOCK), lock_text(&host(), dead_pid())).unwrap();
    write_report(&out, &warnings).unwrap();
    let warnings = warnings.0.into_inner().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].kind, WarningKind::StaleLockTakenOver);
    assert!(
        warnings[0].message.contains("no longer running"),
        "{warnings:?}"
    );
    assert!(!out.join(LOCK).exists(), "{:?}", tree(&out));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn leftovers_of_a_dead_run_are_removed_and_no_others() {
    let dir = scratch("leftovers");
    fixture(&dir, 5);
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let (host, dead, live) = (host(), dead_pid(), std::process::id());
    let dead_files = [
        format!(".alignments.tsv.partial-{host}-{dead}-0"),
        format!(".manifest.json.partial-{host}-{dead}-7"),
    ];
    for name in &dead_files {
        std::fs::write(out.join(name), vec![b'x'; 1 << 16]).unwrap();
    }
    // The dead run was putting its outputs in place: its manifest, about to be committed,
    // lists a file already renamed into place, which this run does not write.
    std::fs::write(
        out.join(&dead_files[1]),
        r#"{"outputs": ["alignments.tsv", "catalogue_unobserved.tsv", "manifest.json"]}"#,
    )
    .unwrap();
    std::fs::write(out.join("catalogue_unobserved.tsv"), "gene\n").unwrap();
    let dead_dir = out.join(format!(".alignments.partial-{host}-{dead}-4"));
    std::fs::create_dir(&dead_dir).unwrap();
    std::fs::write(dead_dir.join("WP_1_blaTEM.water"), "report\n").unwrap();
    let kept = [
        // A live process's, another host's, and files that only look alike.
        format!(".mutations.tsv.partial-{host}-{live}-0"),
        format!(".mutations.tsv.partial-node-17-{dead}-0"),
        ".mutations.tsv.partial-notes".to_owned(),
        format!(".my_table.tsv.partial-{host}-{dead}-0"),
    ];
    for name in &kept {
        std::fs::write(out.join(name), "mine\n").unwrap();
    }
    run(&config(&dir, &out), &()).unwrap();
    let mut expected: Vec<String> = [
        "alignments.tsv",
        "mutations.tsv",
        "alignments.jsonl",
        "mutations.jsonl",
        "report.html",
        "manifest.json",
    ]
    .iter()
    .map(|name| name.to_string())
    .chain(kept.iter().cloned())
    .collect();
    expected.sort();
    assert_eq!(tree(&out), expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Builds the example binaries with this test's profile (done already by `cargo test`) and
/// returns the directory holding them.
fn examples() -> PathBuf {
    // The test binary lives in target/{dir}/deps: `debug` for `cargo test` (the test
    // profile), `release` for `cargo test --release`.
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    let profile = match dir.file_name().unwrap().to_string_lossy().as_ref() {
        "debug" => "test".to_owned(),
        "release" => "release".to_owned(),
        other => other.to_owned(),
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--profile",
            &profile,
            "--example",
            "wildtype_align",
            "--example",
            "water",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .unwrap();
    assert!(status.success(), "cargo build of the examples failed");
    dir.join("examples")
}

/// Waits until a temporary file appears under `dir`, the sign that `child` is writing.
fn wait_for_partial(child: &mut Child, dir: &Path) {
    let start = Instant::now();
    while partials(dir).is_empty() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("finished ({status}) before it was interrupted");
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// A pipeline run of the binary writing a water report per target: long enough to be
/// interrupted while it writes.
fn pipeline_command(bin: &Path, dir: &Path, out: &Path) -> Command {
    let mut command = Command::new(bin.join("wildtype_align"));
    command
        .arg("--proteins")
        .arg(dir.join("targets_proteins.fasta"))
        .arg("--references")
        .arg(dir.join("references.faa"))
        .arg("--output-dir")
        .arg(out)
        .args(["--threads", "1", "--write-alignments"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

#[cfg(unix)]
#[test]
fn signals_and_kill_leave_nothing_behind_the_next_run() {
    use std::os::unix::process::ExitStatusExt;

    let bin = examples();
    let dir = scratch("signals");
    fixture(&dir, 30_000);
    let out = dir.join("out");
    std::fs::create_dir_all(out.join("alignments")).unwrap();
    std::fs::write(out.join("alignments/notes.txt"), "mine\n").unwrap();

    for (name, code) in [("TERM", 143), ("INT", 130)] {
        let mut child = pipeline_command(&bin, &dir, &out).spawn().unwrap();
        wait_for_partial(&mut child, &out);
        signal(&child, name);
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "SIG{name}: {stderr}");
        assert_eq!(
            tree(&out),
            ["alignments/", "alignments/notes.txt"],
            "SIG{name}: {stderr}"
        );
    }

    // A second run while the first writes is refused, naming the first.
    let mut child = pipeline_command(&bin, &dir, &out).spawn().unwrap();
    wait_for_partial(&mut child, &out);
    let second = pipeline_command(&bin, &dir, &out).output().unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("in use by process {} on host", child.id())),
        "{stderr}"
    );

    // kill -9 cannot be caught: the temporary files and the lock stay, until the next run.
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(9));
    assert!(!partials(&out).is_empty());
    assert!(out.join(LOCK).exists());
    let output = pipeline_command(&bin, &dir, &out).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("took over the lock") && stderr.contains("removed, left by a run"),
        "{stderr}"
    );
    assert_eq!(partials(&out), Vec::<String>::new());
    assert!(!out.join(LOCK).exists());
    let outputs = manifest_outputs(&out);
    // The tables, the water reports, report.html and the manifest.
    assert_eq!(outputs.len(), 4 + 30_000 + 2);
    assert_eq!(
        tree(&out).len(),
        outputs.len() + ["alignments/", "alignments/notes.txt"].len()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn the_water_drop_in_leaves_no_temporary_report() {
    use std::os::unix::process::ExitStatusExt;

    let bin = examples();
    let dir = scratch("water-signals");
    let (_, _, protein) = REFERENCES[0];
    std::fs::write(dir.join("a.fa"), format!(">a\n{protein}\n")).unwrap();
    let mut rng = Rng::new(3);
    let records: Vec<(String, Vec<u8>)> = (0..20_000)
        .map(|index| {
            let mut residues = protein.as_bytes().to_vec();
            let at = rng.below(residues.len());
            residues[at] = rng.residue_except(residues[at]);
            (format!("b{index}"), residues)
        })
        .collect();
    write_fasta(&dir.join("b.fa"), &records);
    let water = |dir: &Path| {
        let mut command = Command::new(bin.join("water"));
        command
            .current_dir(dir)
            .args(["a.fa", "b.fa", "-outfile", "out.water", "-auto"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        command
    };
    let mut child = water(&dir).spawn().unwrap();
    wait_for_partial(&mut child, &dir);
    signal(&child, "TERM");
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(143),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(tree(&dir), ["a.fa", "b.fa"]);

    let mut child = water(&dir).spawn().unwrap();
    wait_for_partial(&mut child, &dir);
    child.kill().unwrap();
    assert_eq!(child.wait().unwrap().signal(), Some(9));
    assert_eq!(partials(&dir).len(), 1);
    let output = water(&dir).output().unwrap();
    assert!(output.status.success());
    assert_eq!(tree(&dir), ["a.fa", "b.fa", "out.water"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
