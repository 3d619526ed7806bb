//! The `serve` tests' tools: a small HTTP/1.1 client over `TcpStream`, the server started on
//! an ephemeral loopback port with its own data directory, and the checks that compare its
//! answers with the library, the `water` drop-in and direct pipeline runs.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use wildtype_aligner::align::Aligner;
use wildtype_aligner::scoring::{GapPenalties, Matrix};
use wildtype_aligner::wildtype::{self, PipelineConfig};
pub const TARGETS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/wildtype/targets_proteins.fasta"
);
pub const REFERENCES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/wildtype/references.faa");

/// The examples built once for all tests: `serve` and the `water` drop-in.
pub fn examples() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let (profile, dir) = profile_of_this_test();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "--profile", &profile])
            .args(["--example", "serve", "--example", "water"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success(), "cargo build of the examples failed");
        dir.join("examples")
    })
}

/// The cargo profile this test binary was built with, for building the examples beside it,
/// and its target directory (`target/debug` for `cargo test`, `target/release` for
/// `cargo test --release`).
fn profile_of_this_test() -> (String, PathBuf) {
    // The test binary lives in target/{dir}/deps.
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    let name = dir.file_name().unwrap().to_string_lossy();
    let profile = match name.as_ref() {
        "debug" => "test".to_owned(),
        "release" => "release".to_owned(),
        other => other.to_owned(),
    };
    (profile, dir)
}

/// An answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!(
                "not JSON ({error}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    /// A 4xx with a JSON error whose code is `code`; returns the message.
    pub fn error(&self, status: u16, code: &str) -> String {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert!(
            self.header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
        let body = self.json();
        assert_eq!(body["error"], code, "{body}");
        body["message"].as_str().unwrap().to_owned()
    }
}

/// One request over a fresh connection (`Connection: close`).
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    // A server that refuses the body early may close before reading it all.
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.trim().to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(name, value)| name == "transfer-encoding" && value == "chunked")
    {
        body = dechunk(&body);
    }
    Answer {
        status,
        headers,
        body,
    }
}

pub fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 4 + size..];
    }
}

/// A running server.
pub struct Server {
    child: Child,
    pub addr: String,
    pub data_dir: PathBuf,
    token: Option<String>,
}

impl Server {
    pub fn start(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let addr_file = data_dir.join("serve.addr");
        let _ = std::fs::remove_file(&addr_file);
        let mut command = Command::new(examples().join("serve"));
        command
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(args)
            .env_remove("WTA_SERVE_TOKEN")
            .env_remove("WTA_SERVE_SLOW_TARGET_MS")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(data_dir.with_extension("log"))
                    .unwrap(),
            ));
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().unwrap();
        let start = Instant::now();
        let addr = loop {
            if let Ok(text) = std::fs::read_to_string(&addr_file) {
                break text.trim().to_owned();
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("serve exited ({status}): {}", Self::log_of(data_dir));
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "serve did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        Self {
            child,
            addr,
            data_dir: data_dir.to_owned(),
            token: None,
        }
    }

    pub fn log_of(data_dir: &Path) -> String {
        std::fs::read_to_string(data_dir.with_extension("log")).unwrap_or_default()
    }

    pub fn log(&self) -> String {
        Self::log_of(&self.data_dir)
    }

    pub fn with_token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    pub fn call(&self, method: &str, path: &str, body: &[u8]) -> Answer {
        let bearer = self.token.as_ref().map(|token| format!("Bearer {token}"));
        let headers: Vec<(&str, &str)> = bearer
            .iter()
            .map(|value| ("Authorization", value.as_str()))
            .collect();
        request(&self.addr, method, path, &headers, body)
    }

    pub fn get(&self, path: &str) -> Answer {
        self.call("GET", path, b"")
    }

    pub fn align(&self, body: &Value) -> Answer {
        self.call("POST", "/v1/align", body.to_string().as_bytes())
    }

    /// Submits a job; returns its id.
    pub fn submit(&self, query: &str, fasta: &[u8]) -> String {
        let answer = self.call("POST", &format!("/v1/jobs?{query}"), fasta);
        assert_eq!(answer.status, 202, "{}", answer.text());
        let id = answer.json()["id"].as_str().unwrap().to_owned();
        assert_eq!(answer.header("location").unwrap(), format!("/v1/jobs/{id}"));
        id
    }

    pub fn job(&self, id: &str) -> Value {
        let answer = self.get(&format!("/v1/jobs/{id}"));
        assert_eq!(answer.status, 200, "{}", answer.text());
        answer.json()
    }

    /// Waits until job `id` is in a state of `states`.
    pub fn wait_for(&self, id: &str, states: &[&str]) -> Value {
        let start = Instant::now();
        loop {
            let job = self.job(id);
            if states.iter().any(|state| job["state"] == *state) {
                return job;
            }
            assert!(
                start.elapsed() < Duration::from_secs(90),
                "job {id} still {job} (log: {})",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit; returns its exit code.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(
                start.elapsed() < limit,
                "serve did not exit: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the process has not exited yet.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    pub fn kill_9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    pub fn job_record(&self, id: &str) -> Value {
        let path = self.data_dir.join("jobs").join(id).join("job.json");
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub fn data_dir(tmp: &tempfile::TempDir, name: &str) -> PathBuf {
    let dir = tmp.path().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The first `count` records of the bundled targets.
pub fn targets(count: usize) -> Vec<u8> {
    let text = std::fs::read_to_string(TARGETS).unwrap();
    let mut out = String::new();
    for record in text
        .split_inclusive('\n')
        .collect::<String>()
        .split('>')
        .skip(1)
        .take(count)
    {
        out.push('>');
        out.push_str(record);
    }
    out.into_bytes()
}

/// How a test's direct library run is set up: from the input file and the output directory.
pub type Configure<'a> = &'a dyn Fn(&Path, &Path) -> PipelineConfig;

/// A run of target proteins against the bundled references with these gap penalties.
pub fn proteins(gaps: (f32, f32)) -> impl Fn(&Path, &Path) -> PipelineConfig {
    move |input, out| PipelineConfig::new([input], REFERENCES, out).gaps(gaps.0, gaps.1)
}

/// The tables a done job serves, checked byte for byte against a direct library run of the
/// same input (written as `name` under `scratch`), the input's path in the `file` column
/// made the job's.
pub fn check_job_tables(
    server: &Server,
    id: &str,
    name: &str,
    fasta: &[u8],
    scratch: &Path,
    configure: Configure,
) {
    let dir = scratch.join(id);
    let input = dir.join("input").join(name);
    std::fs::create_dir_all(input.parent().unwrap()).unwrap();
    std::fs::write(&input, fasta).unwrap();
    let out = dir.join("out");
    let config = configure(&input, &out).show_paths_relative_to(dir.join("input"));
    wildtype::run(&config, &()).unwrap();
    for table in ["alignments.tsv", "mutations.tsv"] {
        let answer = server.get(&format!("/v1/jobs/{id}/files/{table}"));
        assert_eq!(answer.status, 200, "{}", answer.text());
        let direct = std::fs::read_to_string(out.join(table)).unwrap();
        assert_eq!(answer.text(), direct, "{table} of job {id}");
        // The upload is named as the client named it, not by its place on the server.
        if table == "alignments.tsv" && !direct.lines().nth(1).unwrap_or("").is_empty() {
            let file = direct.lines().nth(1).unwrap().split('\t').nth(3).unwrap();
            assert_eq!(file, name, "{table} of job {id}");
        }
    }
}

/// A deterministic protein of `len` residues (a linear congruential walk over the 20).
pub fn protein(seed: u64, len: usize) -> String {
    const AMINO: &[u8] = b"ACDEFGHIKLMNPQRSTVWY";
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            AMINO[(state >> 33) as usize % AMINO.len()] as char
        })
        .collect()
}

/// `a` with every `step`-th residue changed and a few deleted: a homolog.
pub fn mutate(a: &str, seed: u64, step: usize) -> String {
    let variant = protein(seed, a.len());
    a.char_indices()
        .filter(|(index, _)| index % (step * 7) != 3)
        .map(|(index, residue)| {
            if index % step == 0 {
                variant.as_bytes()[index] as char
            } else {
                residue
            }
        })
        .collect()
}

/// Checks a `/v1/align` answer against the library's own alignment of the pair.
pub fn check_alignment(answer: &Value, a: &str, b: &str, gaps: (f32, f32)) {
    let (gaps, _) = GapPenalties::clamped(gaps.0, gaps.1);
    let aligner = Aligner::builder()
        .matrix(Matrix::blosum62())
        .gaps(gaps)
        .build()
        .unwrap();
    let alignment = aligner.align(a.as_bytes(), b.as_bytes()).unwrap();
    let (row_a, row_b) = alignment.aligned_rows(a.as_bytes(), b.as_bytes()).unwrap();
    assert_eq!(answer["score"].as_f64().unwrap(), alignment.score() as f64);
    assert_eq!(answer["a"]["start"], alignment.a_range().start + 1);
    assert_eq!(answer["a"]["end"], alignment.a_range().end);
    assert_eq!(answer["b"]["start"], alignment.b_range().start + 1);
    assert_eq!(answer["b"]["end"], alignment.b_range().end);
    assert_eq!(answer["aligned_a"], String::from_utf8(row_a).unwrap());
    assert_eq!(answer["aligned_b"], String::from_utf8(row_b).unwrap());
    assert_eq!(answer["cigar"], alignment.cigar());
    assert_eq!(answer["identity"], alignment.stats().identity());
}

/// The srspair text of the `water` drop-in run on the pair as `/v1/align` says, with the
/// `# Rundate:` line made equal.
pub fn drop_in_srspair(dir: &Path, fasta: [String; 2], commandline: &str) -> String {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("a.fa"), &fasta[0]).unwrap();
    std::fs::write(dir.join("b.fa"), &fasta[1]).unwrap();
    let output = Command::new(examples().join("water"))
        .args(commandline.split(' '))
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

pub fn mask_rundate(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.starts_with("# Rundate:") {
                "# Rundate: -"
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn du(path: &Path) -> u64 {
    if path.is_dir() {
        std::fs::read_dir(path)
            .unwrap()
            .map(|entry| du(&entry.unwrap().path()))
            .sum()
    } else {
        std::fs::metadata(path).unwrap().len()
    }
}

/// The value of a metric line `name{labels} value`.
pub fn metric(text: &str, name_and_labels: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(name_and_labels)?.trim().parse().ok())
        .unwrap_or(0.0)
}
