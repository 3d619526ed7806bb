//! The `serve` example over loopback: each test starts the binary (built with the test
//! profile) on an ephemeral port with its own data directory, and talks to it with the small
//! HTTP/1.1 client of `serve_support`.

mod serve_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wildtype_aligner::wildtype::PipelineConfig;

use serve_support::*;

#[test]
fn align_equals_the_library_and_the_water_drop_in() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(&data_dir(&tmp, "data"), &[], &[]);
    let a = protein(1, 300);
    let b = mutate(&a, 2, 5);
    let dna_a = "ACGTTGCAAGGCTTACGATCGATCGGATCCATGCAAGT";
    let dna_b = "ACGTTGCATGGCTTACGTCGATCGGATCCTTGCAAGT";
    let cases = [
        json!({"a": a, "b": b, "srspair": true}),
        json!({"a": a, "b": b, "a_name": "query", "b_name": "subject", "gap_open": 12, "gap_extend": 2, "srspair": true}),
        // Out of water's range: clamped, with water's warning.
        json!({"a": a, "b": b, "gap_open": 150, "gap_extend": 0.5, "srspair": true}),
        json!({"a": dna_a, "b": dna_b, "srspair": true}),
        json!({"a": a, "b": b, "matrix": "EDNAFULL", "srspair": true}),
    ];
    for (index, case) in cases.iter().enumerate() {
        let answer = server.align(case);
        assert_eq!(answer.status, 200, "{}", answer.text());
        let body = answer.json();
        let name = |field: &str, default: &str| case[field].as_str().unwrap_or(default).to_owned();
        let fasta = [
            format!(
                ">{}\n{}\n",
                name("a_name", "a"),
                case["a"].as_str().unwrap()
            ),
            format!(
                ">{}\n{}\n",
                name("b_name", "b"),
                case["b"].as_str().unwrap()
            ),
        ];
        let water = drop_in_srspair(
            &tmp.path().join(format!("water-{index}")),
            fasta,
            body["commandline"].as_str().unwrap(),
        );
        assert_eq!(
            mask_rundate(body["srspair"].as_str().unwrap()),
            mask_rundate(&water),
            "case {index}"
        );
        if index < 3 {
            let gaps = (
                case["gap_open"].as_f64().unwrap_or(10.0) as f32,
                case["gap_extend"].as_f64().unwrap_or(0.5) as f32,
            );
            check_alignment(&body, &a, &b, gaps);
        }
    }
    let clamped = server.align(&cases[2]).json();
    assert_eq!(clamped["gap_open"], 100.0);
    assert_eq!(clamped["warnings"].as_array().unwrap().len(), 1);
    assert_eq!(server.align(&cases[3]).json()["matrix"], "EDNAFULL");
    // Without "srspair", no report.
    let plain = server.align(&json!({"a": a, "b": b}));
    assert!(plain.json().get("srspair").is_none());
}

#[test]
fn openapi_request_ids_health_and_readiness() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(&data_dir(&tmp, "data"), &[], &[]);
    let openapi = server.get("/v1/openapi.json");
    assert_eq!(openapi.status, 200);
    let openapi = openapi.json();
    assert_eq!(openapi["openapi"], "3.1.0");
    for path in [
        "/v1/align",
        "/v1/jobs",
        "/v1/jobs/{id}",
        "/v1/jobs/{id}/files/{name}",
        "/v1/jobs/{id}/report",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(openapi["paths"].get(path).is_some(), "{path}");
    }
    // A request id is made when none is sent, echoed when one is, replaced when unusable.
    let made = server.get("/healthz");
    assert_eq!(made.status, 200);
    assert!(!made.header("x-request-id").unwrap().is_empty());
    let echoed = request(
        &server.addr,
        "GET",
        "/healthz",
        &[("X-Request-Id", "trace-42.a")],
        b"",
    );
    assert_eq!(echoed.header("x-request-id"), Some("trace-42.a"));
    let replaced = request(
        &server.addr,
        "GET",
        "/healthz",
        &[("X-Request-Id", "a b")],
        b"",
    );
    assert_ne!(replaced.header("x-request-id"), Some("a b"));
    // Errors carry it too.
    let missing = request(
        &server.addr,
        "GET",
        "/nowhere",
        &[("X-Request-Id", "r1")],
        b"",
    );
    missing.error(404, "not_found");
    assert_eq!(missing.header("x-request-id"), Some("r1"));
    assert_eq!(server.get("/readyz").json()["status"], "ready");
    // A data directory that takes no file is not ready (as root, permissions would not
    // stop the probe: a file where its scratch directory goes does); ready again once fixed.
    let scratch = server.data_dir.join("tmp");
    std::fs::remove_dir_all(&scratch).unwrap();
    std::fs::write(&scratch, b"in the way").unwrap();
    let blocked = server.get("/readyz");
    blocked.error(503, "not_ready");
    assert!(
        blocked.json()["message"]
            .as_str()
            .unwrap()
            .contains("not writable"),
        "{}",
        blocked.text()
    );
    assert_eq!(server.get("/healthz").status, 200, "alive all the same");
    std::fs::remove_file(&scratch).unwrap();
    std::fs::create_dir(&scratch).unwrap();
    assert_eq!(server.get("/readyz").json()["status"], "ready");
    // Each request logged as one JSON line with its id, route, status and latency.
    let log = server.log();
    let line = log
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|line| line["request_id"] == "trace-42.a")
        .expect("the request's log line");
    assert_eq!(line["route"], "/healthz");
    assert_eq!(line["status"], 200);
    assert!(line["latency_ms"].is_number() && line["timestamp"].is_string());
    assert_eq!(line["level"], "INFO");
}

#[test]
fn token_guards_v1_and_rotates_on_sighup() {
    let tmp = tempfile::tempdir().unwrap();
    let token_file = tmp.path().join("token");
    std::fs::write(&token_file, "first-token\n").unwrap();
    let server = Server::start(
        &data_dir(&tmp, "data"),
        &["--token-file", token_file.to_str().unwrap()],
        &[],
    );
    let pair = json!({"a": "MKTAYIAKQR", "b": "MKTAYLAKQR"});
    server.align(&pair).error(401, "unauthorized");
    assert_eq!(
        server.align(&pair).header("www-authenticate"),
        Some("Bearer")
    );
    server.get("/v1/openapi.json").error(401, "unauthorized");
    let server = server.with_token("wrong");
    server.align(&pair).error(401, "unauthorized");
    let server = server.with_token("first-token");
    assert_eq!(server.align(&pair).status, 200);
    // Health, readiness and metrics stay open.
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert_eq!(
            request(&server.addr, "GET", path, &[], b"").status,
            200,
            "{path}"
        );
    }
    // Rotation: the new token works once SIGHUP is handled, the old one no longer.
    std::fs::write(&token_file, "second-token").unwrap();
    server.signal("HUP");
    let server = server.with_token("second-token");
    let start = Instant::now();
    while server.align(&pair).status != 200 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "rotation not seen"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let server = server.with_token("first-token");
    server.align(&pair).error(401, "unauthorized");
    assert!(!server.log().contains("first-token") && !server.log().contains("second-token"));
}

#[test]
fn token_from_the_environment_and_loopback_only_without_one() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(
        &data_dir(&tmp, "env"),
        &[],
        &[("WTA_SERVE_TOKEN", "from-env")],
    );
    let pair = json!({"a": "MKTAYIAKQR", "b": "MKTAYLAKQR"});
    server.align(&pair).error(401, "unauthorized");
    assert_eq!(server.with_token("from-env").align(&pair).status, 200);
    // No token: a non-loopback address is refused before anything is bound.
    let output = Command::new(examples().join("serve"))
        .args(["--listen", "0.0.0.0:0", "--data-dir"])
        .arg(tmp.path().join("open"))
        .env_remove("WTA_SERVE_TOKEN")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("without a token"));
}

#[test]
fn bad_requests_get_json_errors_and_the_server_keeps_serving() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(&data_dir(&tmp, "data"), &["--max-upload", "4096"], &[]);
    let post = |path: &str, body: &[u8]| server.call("POST", path, body);
    post("/v1/align", b"{not json").error(400, "bad_json");
    let unknown =
        post("/v1/align", br#"{"a": "MK", "b": "MK", "gapopen": 3}"#).error(400, "bad_json");
    assert!(unknown.contains("gapopen"), "{unknown}");
    post("/v1/align", br#"{"a": "MK"}"#).error(400, "bad_json");
    server
        .align(&json!({"a": "MK1V", "b": "MK"}))
        .error(400, "bad_sequence");
    server
        .align(&json!({"a": "", "b": "MK"}))
        .error(400, "empty_sequence");
    server
        .align(&json!({"a": "MK", "b": "MK", "matrix": "../../etc/passwd"}))
        .error(400, "unknown_matrix");
    server
        .align(&json!({"a": "MK", "b": "MK", "a_name": "two words"}))
        .error(400, "bad_name");
    let big = json!({"a": "M".repeat(5000), "b": "MK"});
    server.align(&big).error(413, "body_too_large");
    // Jobs: malformed FASTA (named by the client's name, with its line), unknown or bad
    // options, empty uploads, oversized ones.
    let message = post("/v1/jobs?name=mine.faa", b"MKV\n>a\nMK\n").error(400, "bad_fasta");
    assert!(message.starts_with("mine.faa: line 1"), "{message}");
    assert!(!message.contains(tmp.path().to_str().unwrap()), "{message}");
    post("/v1/jobs", b"").error(400, "bad_fasta");
    let message = post("/v1/jobs?threads=8", b">a\nMK\n").error(400, "bad_option");
    assert!(message.contains("threads"), "{message}");
    post("/v1/jobs?high=95/x/0.8", b">a\nMK\n").error(400, "bad_option");
    post("/v1/jobs?gap_open=abc", b">a\nMK\n").error(400, "bad_option");
    post("/v1/jobs?name=../evil.faa", b">a\nMK\n").error(400, "bad_option");
    post("/v1/jobs?target_genes=/etc/genes.txt", b">a\nMK\n").error(400, "bad_option");
    post("/v1/jobs", &vec![b'A'; 5000]).error(413, "body_too_large");
    // Without a Content-Length (chunked), the limit holds as the body arrives.
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    let chunk = "A".repeat(1000);
    let mut raw = String::from(
        "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    for _ in 0..5 {
        raw.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    raw.push_str("0\r\n\r\n");
    let _ = stream.write_all(raw.as_bytes());
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains(r#""error":"body_too_large""#), "{answer}");
    server.get("/v1/jobs/%FF%FE").error(400, "bad_request");
    post("/v1/jobs?gap_open=1e40", b">a\nMK\n").error(400, "bad_option");
    // Ids and file names: traversal and unknown names.
    server
        .get("/v1/jobs/..%2F..%2Fetc")
        .error(400, "bad_job_id");
    server.get("/v1/jobs/../x").error(404, "not_found");
    server
        .get("/v1/jobs/0123456789abcdef0123456789abcdef")
        .error(404, "not_found");
    let id = server.submit("name=t.faa", &targets(3));
    server.wait_for(&id, &["done"]);
    server
        .get(&format!("/v1/jobs/{id}/files/..%2Fjob.json"))
        .error(400, "bad_file_name");
    server
        .get(&format!("/v1/jobs/{id}/files/job.json"))
        .error(404, "not_found");
    server
        .get(&format!("/v1/jobs/{id}/files/.hidden"))
        .error(400, "bad_file_name");
    server
        .get(&format!("/v1/jobs/{id}/files/.."))
        .error(400, "bad_file_name");
    server
        .call("PUT", "/v1/align", b"")
        .error(405, "method_not_allowed");
    // Still serving.
    assert_eq!(server.get("/healthz").status, 200);
    assert_eq!(
        server
            .align(&json!({"a": "MKTAYIAKQR", "b": "MKTAYLAKQR"}))
            .status,
        200
    );
}

#[test]
fn job_outputs_equal_a_direct_run_and_are_served() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(&data_dir(&tmp, "data"), &[], &[]);
    let fasta = std::fs::read(TARGETS).unwrap();
    let id = server.submit("name=targets.faa&gap_open=12&gap_extend=1", &fasta);
    let job = server.wait_for(&id, &["done", "failed"]);
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["summary"]["targets"], 115);
    let files: Vec<&str> = job["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for file in [
        "alignments.tsv",
        "mutations.tsv",
        "manifest.json",
        "report.html",
    ] {
        assert!(files.contains(&file), "{files:?}");
    }
    check_job_tables(
        &server,
        &id,
        "targets.faa",
        &fasta,
        &tmp.path().join("direct"),
        &proteins((12.0, 1.0)),
    );
    let report = server.get(&format!("/v1/jobs/{id}/report"));
    assert_eq!(report.status, 200);
    assert!(
        report
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(report.text().contains("<html"));
    let manifest = server
        .get(&format!("/v1/jobs/{id}/files/manifest.json"))
        .json();
    assert!(manifest["outputs"].as_array().unwrap().len() >= 4);
    // A failed job says why, naming the upload by the client's name.
    let failed = server.submit("name=mine.faa&target_genes=noSuchGene", &fasta);
    let job = server.wait_for(&failed, &["done", "failed"]);
    assert_eq!(job["state"], "failed", "{job}");
    assert!(
        job["error"].as_str().unwrap().contains("noSuchGene"),
        "{job}"
    );
    // DELETE of a finished job removes it.
    assert_eq!(
        server.call("DELETE", &format!("/v1/jobs/{id}"), b"").status,
        204
    );
    server
        .get(&format!("/v1/jobs/{id}"))
        .error(404, "not_found");
    assert!(!server.data_dir.join("jobs").join(&id).exists());
}

#[test]
fn genome_jobs_with_a_built_in_species() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(
        &data_dir(&tmp, "data"),
        &["--species", "escherichia_coli"],
        &[],
    );
    let genome = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/genomes/ecoli_example_0000.fasta.gz"
    ))
    .unwrap();
    let id = server.submit("input=genomes&name=ecoli_example_0000.fasta.gz", &genome);
    let job = server.wait_for(&id, &["done", "failed"]);
    assert_eq!(job["state"], "done", "{job}");
    let table = server
        .get(&format!("/v1/jobs/{id}/files/alignments.tsv"))
        .text();
    assert!(
        table
            .lines()
            .any(|line| line.starts_with("ecoli_example_0000\tgyrA\t")),
        "{table}"
    );
    // The same tables as a direct genome run of the library.
    check_job_tables(
        &server,
        &id,
        "ecoli_example_0000.fasta.gz",
        &genome,
        &tmp.path().join("direct"),
        &|input, out| {
            PipelineConfig::new(Vec::<&Path>::new(), "", out)
                .genomes([input])
                .species("escherichia_coli")
        },
    );
}

#[test]
fn kill_9_then_restart_reruns_the_running_job_from_scratch() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = data_dir(&tmp, "data");
    let mut server = Server::start(&dir, &[], &[("WTA_SERVE_SLOW_TARGET_MS", "100")]);
    let fasta = std::fs::read(TARGETS).unwrap();
    let running = server.submit("name=targets.faa", &fasta);
    let queued = server.submit("name=few.faa", &targets(5));
    let start = Instant::now();
    loop {
        let job = server.job(&running);
        if job["state"] == "running" && job["progress"]["done"].as_u64().unwrap() > 0 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{job}");
        std::thread::sleep(Duration::from_millis(20));
    }
    server
        .get(&format!("/v1/jobs/{running}/files/alignments.tsv"))
        .error(409, "not_done");
    assert_eq!(server.job(&queued)["state"], "queued");
    server.kill_9();
    assert_eq!(server.job_record(&running)["state"], "running");
    // Whatever the killed run left in out/ (here made certain) must not survive the re-run.
    let out = dir.join("jobs").join(&running).join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("alignments.tsv"), "partial").unwrap();
    std::fs::write(out.join("stray.partial"), "partial").unwrap();
    // A restart without the slowness re-runs it, and runs the queued one.
    let server = Server::start(&dir, &[], &[]);
    let job = server.wait_for(&running, &["done", "failed"]);
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["attempts"], 2);
    let mut listed: Vec<String> = job["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file.as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    let mut present: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    present.sort();
    assert_eq!(present, listed, "out/ holds exactly the run's outputs");
    check_job_tables(
        &server,
        &running,
        "targets.faa",
        &fasta,
        &tmp.path().join("direct"),
        &proteins((10.0, 0.5)),
    );
    let job = server.wait_for(&queued, &["done", "failed"]);
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["attempts"], 1);
    assert!(server.log().contains("re-running the job from scratch"));
}

#[test]
fn sigterm_lets_a_short_job_finish() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = data_dir(&tmp, "data");
    let mut server = Server::start(&dir, &[], &[("WTA_SERVE_SLOW_TARGET_MS", "10")]);
    let id = server.submit("name=t.faa", &targets(40));
    server.wait_for(&id, &["running"]);
    server.signal("TERM");
    assert_eq!(server.wait_exit(Duration::from_secs(30)), Some(0));
    assert_eq!(server.job_record(&id)["state"], "done");
    assert!(
        dir.join("jobs")
            .join(&id)
            .join("out/alignments.tsv")
            .is_file()
    );
    // The done job survives the restart as it was, its files served.
    let server = Server::start(&dir, &[], &[]);
    let job = server.job(&id);
    assert_eq!(job["state"], "done");
    assert_eq!(job["attempts"], 1);
    check_job_tables(
        &server,
        &id,
        "t.faa",
        &targets(40),
        &tmp.path().join("direct"),
        &proteins((10.0, 0.5)),
    );
}

#[test]
fn proteome_jobs_assign_proteins_to_genes() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(&data_dir(&tmp, "data"), &[], &[]);
    let fasta = targets(12);
    let id = server.submit("input=proteomes&name=sample.faa", &fasta);
    let job = server.wait_for(&id, &["done", "failed"]);
    assert_eq!(job["state"], "done", "{job}");
    check_job_tables(
        &server,
        &id,
        "sample.faa",
        &fasta,
        &tmp.path().join("direct"),
        &|input, out| PipelineConfig::new(Vec::<&Path>::new(), REFERENCES, out).proteomes([input]),
    );
}

#[test]
fn sigterm_past_the_timeout_interrupts_and_a_restart_reruns() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = data_dir(&tmp, "data");
    let mut server = Server::start(
        &dir,
        &["--shutdown-timeout", "2"],
        &[("WTA_SERVE_SLOW_TARGET_MS", "300")],
    );
    let fasta = std::fs::read(TARGETS).unwrap();
    let id = server.submit("name=targets.faa", &fasta);
    server.wait_for(&id, &["running"]);
    let start = Instant::now();
    server.signal("TERM");
    // New connections are refused at once, while the running job still has its time.
    while TcpStream::connect(&server.addr).is_ok() {
        assert!(start.elapsed() < Duration::from_secs(2), "still accepting");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(server.is_running(), "exited before the shutdown timeout");
    assert_eq!(server.wait_exit(Duration::from_secs(20)), Some(0));
    assert!(start.elapsed() < Duration::from_secs(15));
    assert_eq!(server.job_record(&id)["state"], "interrupted");
    assert!(
        !dir.join("jobs")
            .join(&id)
            .join("out/manifest.json")
            .exists()
    );
    let server = Server::start(&dir, &[], &[]);
    let job = server.wait_for(&id, &["done", "failed"]);
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["attempts"], 2);
    check_job_tables(
        &server,
        &id,
        "targets.faa",
        &fasta,
        &tmp.path().join("direct"),
        &proteins((10.0, 0.5)),
    );
}

#[test]
fn a_full_queue_answers_429_and_delete_cancels() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = data_dir(&tmp, "data");
    let server = Server::start(
        &dir,
        &["--max-jobs", "1", "--max-queue", "1"],
        &[("WTA_SERVE_SLOW_TARGET_MS", "200")],
    );
    let fasta = targets(40);
    let running = server.submit("", &fasta);
    server.wait_for(&running, &["running"]);
    let queued = server.submit("", &fasta);
    let full = server.call("POST", "/v1/jobs", &fasta);
    full.error(429, "queue_full");
    assert_eq!(full.header("retry-after"), Some("5"));
    // Nothing of the refused job stays.
    assert_eq!(std::fs::read_dir(dir.join("jobs")).unwrap().count(), 2);
    // DELETE: the queued job is cancelled at once, the running one at its next check.
    let cancelled = server.call("DELETE", &format!("/v1/jobs/{queued}"), b"");
    assert_eq!(cancelled.status, 200);
    assert_eq!(cancelled.json()["state"], "cancelled");
    let cancelling = server.call("DELETE", &format!("/v1/jobs/{running}"), b"");
    assert_eq!(cancelling.status, 202);
    assert_eq!(cancelling.json()["cancelling"], true);
    let job = server.wait_for(&running, &["cancelled", "done", "failed"]);
    assert_eq!(job["state"], "cancelled", "{job}");
    assert!(
        !dir.join("jobs")
            .join(&running)
            .join("out/alignments.tsv")
            .exists()
    );
    // Room again.
    assert_eq!(server.call("POST", "/v1/jobs", &targets(1)).status, 202);
}

#[test]
fn retention_removes_finished_jobs_oldest_first_never_running_ones() {
    let tmp = tempfile::tempdir().unwrap();
    // --keep-days 0: a finished job goes at the next sweep (one follows every job's end);
    // a running one stays.
    let server = Server::start(
        &data_dir(&tmp, "keep"),
        &["--keep-days", "0", "--max-jobs", "2"],
        &[("WTA_SERVE_SLOW_TARGET_MS", "30")],
    );
    let long = server.submit("", &targets(60));
    let short = server.submit("", &targets(1));
    let start = Instant::now();
    while server.get(&format!("/v1/jobs/{short}")).status != 404 {
        assert!(start.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(server.job(&long)["state"], "running");
    while server.get(&format!("/v1/jobs/{long}")).status != 404 {
        assert!(start.elapsed() < Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(20));
    }
    // --max-disk: room for about one finished job; the older goes first.
    let fasta = targets(20);
    let sizer = Server::start(&data_dir(&tmp, "size"), &[], &[]);
    let id = sizer.submit("", &fasta);
    sizer.wait_for(&id, &["done"]);
    let size = du(&sizer.data_dir.join("jobs").join(&id));
    let budget = (size * 3 / 2).to_string();
    let server = Server::start(&data_dir(&tmp, "disk"), &["--max-disk", &budget], &[]);
    let first = server.submit("", &fasta);
    server.wait_for(&first, &["done"]);
    let second = server.submit("", &fasta);
    server.wait_for(&second, &["done"]);
    let start = Instant::now();
    while server.get(&format!("/v1/jobs/{first}")).status != 404 {
        assert!(start.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(server.job(&second)["state"], "done");
}

#[test]
fn load_500_aligns_from_32_clients_and_20_jobs_all_correct_and_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(
        &data_dir(&tmp, "data"),
        &["--max-jobs", "2", "--max-queue", "20"],
        &[],
    );
    let addr = server.addr.clone();
    let clients = 32;
    let per_client = 500 / clients + 1;
    let sent = std::sync::atomic::AtomicUsize::new(0);
    let align_cells = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for client in 0..clients {
            let addr = &addr;
            let sent = &sent;
            let align_cells = &align_cells;
            scope.spawn(move || {
                for index in 0..per_client {
                    let n = client * per_client + index;
                    if sent.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 500 {
                        return;
                    }
                    let a = protein(n as u64, 300);
                    let b = mutate(&a, n as u64 + 1000, 4 + n % 5);
                    let body = json!({"a": a, "b": b}).to_string();
                    let answer = request(addr, "POST", "/v1/align", &[], body.as_bytes());
                    assert_eq!(answer.status, 200, "{}", answer.text());
                    check_alignment(&answer.json(), &a, &b, (10.0, 0.5));
                    align_cells.fetch_add(a.len() * b.len(), std::sync::atomic::Ordering::SeqCst);
                }
            });
        }
    });
    // 20 small jobs at once, each a different slice of the targets.
    let all = std::fs::read_to_string(TARGETS).unwrap();
    let records: Vec<String> = all.split('>').skip(1).map(|r| format!(">{r}")).collect();
    let inputs: Vec<Vec<u8>> = (0..20)
        .map(|job| records[job * 5..job * 5 + 5].concat().into_bytes())
        .collect();
    let ids: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = inputs
            .iter()
            .map(|fasta| scope.spawn(|| server.submit("name=t.faa", fasta)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let align_cells = align_cells.into_inner();
    let mut aligned = 0;
    let mut job_cells = 0;
    for (id, fasta) in ids.iter().zip(&inputs) {
        let job = server.wait_for(id, &["done", "failed"]);
        assert_eq!(job["state"], "done", "{job}");
        aligned += job["summary"]["aligned"].as_u64().unwrap();
        // Target length x reference length of each aligned row of the job's table.
        let table = server
            .get(&format!("/v1/jobs/{id}/files/alignments.tsv"))
            .text();
        let header: Vec<&str> = table.lines().next().unwrap().split('\t').collect();
        let column = |name: &str| header.iter().position(|field| *field == name).unwrap();
        for row in table.lines().skip(1) {
            let fields: Vec<&str> = row.split('\t').collect();
            if fields[column("status")] == "ok" || fields[column("status")] == "not_homologous" {
                job_cells += fields[column("target_length")].parse::<u64>().unwrap()
                    * fields[column("reference_length")].parse::<u64>().unwrap();
            }
        }
        check_job_tables(
            &server,
            id,
            "t.faa",
            fasta,
            &tmp.path().join("direct"),
            &proteins((10.0, 0.5)),
        );
    }
    let metrics = server.get("/metrics").text();
    let requests = |labels: &str| metric(&metrics, &format!("wta_http_requests_total{{{labels}}}"));
    assert_eq!(
        requests(r#"route="/v1/align",method="POST",status="200""#),
        500.0
    );
    assert_eq!(
        requests(r#"route="/v1/jobs",method="POST",status="202""#),
        20.0
    );
    // Every align and job answer was a success: no other status for those routes.
    for line in metrics
        .lines()
        .filter(|line| line.starts_with("wta_http_requests_total"))
    {
        if line.contains(r#"route="/v1/align""#) || line.contains(r#"route="/v1/jobs""#) {
            assert!(
                line.contains(r#"status="200""#) || line.contains(r#"status="202""#),
                "{line}"
            );
        }
    }
    assert_eq!(
        metric(
            &metrics,
            r#"wta_http_request_duration_seconds_count{route="/v1/align"}"#
        ),
        500.0
    );
    assert_eq!(
        metric(&metrics, r#"wta_targets_aligned_total{source="align"}"#),
        500.0
    );
    assert_eq!(
        metric(&metrics, r#"wta_targets_aligned_total{source="job"}"#),
        aligned as f64
    );
    assert_eq!(metric(&metrics, r#"wta_jobs{state="done"}"#), 20.0);
    assert_eq!(metric(&metrics, "wta_job_queue_depth"), 0.0);
    assert!(metrics.contains("wta_kernel_info{kernel="));
    assert_eq!(
        metric(&metrics, r#"wta_align_cells_total{source="align"}"#),
        align_cells as f64
    );
    assert!(job_cells > 0);
    assert_eq!(
        metric(&metrics, r#"wta_align_cells_total{source="job"}"#),
        job_cells as f64
    );
}
