//! `/v1/align` latency under load: starts the `serve` example (release build) on a loopback
//! ephemeral port, sends `--requests` alignments of two `--length`-residue proteins (homologs,
//! a different pair each time) from `--clients` concurrent clients, checks every answer is a
//! `200` with a score, and prints the latency percentiles.
//!
//! ```text
//! cargo run --release --example bench_serve -- [--requests 500] [--clients 32] [--length 300] [--srspair]
//! ```
//!
//! A benchmark, not a test: nothing here fails on a slow machine. The goal is p99 < 50 ms
//! for 500 requests from 32 clients on two 300-residue proteins.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use clap::Parser;

/// Load `/v1/align` of the serve example and report its latency.
#[derive(Debug, Parser)]
struct Args {
    /// Requests in all.
    #[arg(long, default_value_t = 500)]
    requests: usize,
    /// Concurrent clients (one connection per request).
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Residues of each protein of a pair.
    #[arg(long, default_value_t = 300)]
    length: usize,
    /// Ask for water's srspair text as well (the drop-in's report, through scratch files).
    #[arg(long)]
    srspair: bool,
}

/// A deterministic protein (a linear congruential walk over the 20 amino acids).
fn protein(seed: u64, len: usize) -> String {
    const AMINO: &[u8] = b"ACDEFGHIKLMNPQRSTVWY";
    let mut state = seed.wrapping_mul(6364136223846793005) ^ 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            AMINO[(state >> 33) as usize % AMINO.len()] as char
        })
        .collect()
}

/// A homolog of `a`: one residue in `step` changed.
fn homolog(a: &str, seed: u64, step: usize) -> String {
    let other = protein(seed, a.len());
    a.bytes()
        .zip(other.bytes())
        .enumerate()
        .map(|(index, (mine, theirs))| if index % step == 0 { theirs } else { mine } as char)
        .collect()
}

/// One POST over a fresh connection; the status code.
fn post(addr: &str, path: &str, body: &str) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let status = std::str::from_utf8(&raw[..raw.len().min(12)])
        .ok()
        .and_then(|head| head.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    Ok((status, raw))
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let rank = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn main() {
    let args = Args::parse();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--quiet", "--release", "--example", "serve"])
        .current_dir(&root)
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "cargo build --release --example serve failed"
    );
    let serve = root.join("target/release/examples/serve");
    let data_dir = tempfile::tempdir().expect("a temporary directory");
    let mut child = Command::new(&serve)
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir.path())
        .env_remove("WTA_SERVE_TOKEN")
        .env("WTA_SERVE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("serve starts");
    let addr_file = data_dir.path().join("serve.addr");
    let start = Instant::now();
    let addr = loop {
        if let Ok(text) = std::fs::read_to_string(&addr_file) {
            break text.trim().to_owned();
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "serve did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let bodies: Vec<String> = (0..args.requests)
        .map(|index| {
            let a = protein(index as u64, args.length);
            let b = homolog(&a, index as u64 + 7919, 3 + index % 4);
            format!(r#"{{"a":"{a}","b":"{b}","srspair":{}}}"#, args.srspair)
        })
        .collect();
    // Warm-up: the first requests pay for thread pools and page faults.
    for body in bodies.iter().take(8) {
        let _ = post(&addr, "/v1/align", body);
    }
    let next = Mutex::new(0usize);
    let latencies = Mutex::new(Vec::with_capacity(args.requests));
    let errors = Mutex::new(0usize);
    let wall = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..args.clients {
            scope.spawn(|| {
                loop {
                    let index = {
                        let mut next = next.lock().expect("not poisoned");
                        let index = *next;
                        *next += 1;
                        index
                    };
                    let Some(body) = bodies.get(index) else {
                        return;
                    };
                    let sent = Instant::now();
                    let result = post(&addr, "/v1/align", body);
                    let elapsed = sent.elapsed();
                    let ok = matches!(&result, Ok((200, raw)) if raw.windows(8).any(|w| w == b"\"score\":"));
                    if ok {
                        latencies.lock().expect("not poisoned").push(elapsed);
                    } else {
                        *errors.lock().expect("not poisoned") += 1;
                    }
                }
            });
        }
    });
    let wall = wall.elapsed();
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let mut latencies = latencies.into_inner().expect("not poisoned");
    latencies.sort();
    let errors = errors.into_inner().expect("not poisoned");
    let ms = |duration: Duration| duration.as_secs_f64() * 1000.0;
    println!(
        "serve /v1/align: {} requests, {} concurrent clients, two {}-aa proteins per pair{}",
        args.requests,
        args.clients,
        args.length,
        if args.srspair { ", with srspair" } else { "" }
    );
    if latencies.is_empty() {
        println!("errors: {errors} (no successful request)");
        return;
    }
    println!(
        "latency ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.90)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().expect("not empty"))
    );
    println!(
        "throughput: {:.0} requests/s over {:.2} s",
        latencies.len() as f64 / wall.as_secs_f64(),
        wall.as_secs_f64()
    );
    println!("errors: {errors}");
}
