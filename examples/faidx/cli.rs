//! `samtools faidx FILE [REGION ...]`: argument parsing (a module of its own so the tests can
//! run it in process) and the run itself, writing what samtools 1.16 writes.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use wildtype_aligner::fasta::fai::Index;
use wildtype_aligner::fasta::{IndexedFasta, Region};

/// A failed run: its message is the line printed after `[faidx] ` (or alone, for usage).
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The tool's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

const DEFAULT_LINE_LENGTH: usize = 60;

/// The usage text, as `samtools faidx` prints it for the options supported here.
pub const USAGE: &str = "\
Usage: faidx <file.fa> [<reg> [...]]
Option: 
 -o, --output FILE        Write FASTA to file.
 -n, --length INT         Length of FASTA sequence line. [60]
 -c, --continue           Continue after trying to retrieve missing region.
 -r, --region-file FILE   File of regions.  Format is chr:from-to. One per line.
 -h, --help               This message.
";

/// Parsed `faidx` arguments.
///
/// # Examples
///
/// ```
/// use faidx::cli::Args;
///
/// let args = Args::parse(["-n", "10", "refs.fa", "gyrA:83-87", "-c"]).unwrap();
/// assert_eq!(args.line_length(), 10);
/// assert_eq!(args.regions(), ["gyrA:83-87"]);
/// assert!(Args::parse(["-n"]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    fasta: PathBuf,
    regions: Vec<String>,
    line_length: usize,
    output: Option<PathBuf>,
    region_file: Option<PathBuf>,
    continue_on_missing: bool,
    help: bool,
    warnings: Vec<String>,
}

impl Args {
    /// Parses arguments (without the program name) as getopt would: options and operands in
    /// any order, `--` ends options, `-n10` and `--length=10` both work.
    pub fn parse<I, S>(args: I) -> Result<Args>
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        let mut parsed = Args {
            fasta: PathBuf::new(),
            regions: Vec::new(),
            line_length: DEFAULT_LINE_LENGTH,
            output: None,
            region_file: None,
            continue_on_missing: false,
            help: false,
            warnings: Vec::new(),
        };
        let mut operands: Vec<OsString> = Vec::new();
        let mut args = args.into_iter().map(Into::into);
        let usage = |message: String| Error::from(format!("faidx: {message}\n{USAGE}"));
        while let Some(arg) = args.next() {
            let text = arg.to_string_lossy().into_owned();
            if text == "--" {
                operands.extend(args.by_ref());
                break;
            }
            let (option, inline) = if let Some(long) = text.strip_prefix("--") {
                match long.split_once('=') {
                    Some((name, value)) => (name.to_string(), Some(value.to_string())),
                    None => (long.to_string(), None),
                }
            } else if text.len() > 1 && text.starts_with('-') {
                // The option letter is one character, which may take several bytes.
                let mut letters = text[1..].chars();
                let short = letters.next().map(String::from).unwrap_or_default();
                let rest = letters.as_str();
                (short, (!rest.is_empty()).then(|| rest.to_string()))
            } else {
                operands.push(arg);
                continue;
            };
            let mut value = |name: &str| -> Result<String> {
                match inline.clone() {
                    Some(v) => Ok(v),
                    None => args
                        .next()
                        .map(|v| v.to_string_lossy().into_owned())
                        .ok_or_else(|| usage(format!("option '{name}' needs a value"))),
                }
            };
            match option.as_str() {
                "n" | "length" => {
                    let raw = value("-n")?;
                    match raw.trim().parse::<i64>() {
                        Ok(n) if n > 0 => parsed.line_length = n as usize,
                        _ => parsed.warnings.push(format!(
                            "[faidx] bad line length '{raw}', using default:{DEFAULT_LINE_LENGTH}"
                        )),
                    }
                }
                "o" | "output" => parsed.output = Some(PathBuf::from(value("-o")?)),
                "r" | "region-file" => parsed.region_file = Some(PathBuf::from(value("-r")?)),
                "c" | "continue" if inline.is_none() => parsed.continue_on_missing = true,
                "h" | "help" => parsed.help = true,
                _ => return Err(usage(format!("unknown option '{text}'"))),
            }
        }
        if parsed.help {
            return Ok(parsed);
        }
        let mut operands = operands.into_iter();
        let Some(fasta) = operands.next() else {
            return Err(usage("no FASTA file given".into()));
        };
        parsed.fasta = PathBuf::from(fasta);
        parsed.regions = operands.map(|r| r.to_string_lossy().into_owned()).collect();
        Ok(parsed)
    }

    /// The FASTA file.
    pub fn fasta(&self) -> &Path {
        &self.fasta
    }

    /// Regions given on the command line.
    pub fn regions(&self) -> &[String] {
        &self.regions
    }

    /// Bases per output line.
    pub fn line_length(&self) -> usize {
        self.line_length
    }

    /// Whether `-h` was given.
    pub fn help(&self) -> bool {
        self.help
    }
}

/// The status of a run stopped by a closed standard output, as the shell reports a process
/// killed by SIGPIPE (128 + 13), which is how samtools stops.
pub const BROKEN_PIPE: i32 = 141;

/// Runs `faidx` and returns the exit status: 0, or 1 when a region could not be fetched
/// (without `-c`) or the input is bad, or [`BROKEN_PIPE`] (quietly) when standard output was
/// closed. Messages go to `stderr` as samtools words them.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::fasta::faidx;
///
/// let dir = tempfile::tempdir().unwrap();
/// let fasta = dir.path().join("refs.fa");
/// std::fs::write(&fasta, ">a\nMKVLAAGIV\n").unwrap();
/// let (mut out, mut err) = (Vec::new(), Vec::new());
/// let args = [fasta.to_str().unwrap(), "a:2-4", "-n", "2"];
/// assert_eq!(cli::main(args, &mut out, &mut err), 0);
/// assert_eq!(out, b">a:2-4\nKV\nL\n");
/// assert!(dir.path().join("refs.fa.fai").exists());
/// ```
pub fn main<I, S>(args: I, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    let args = match Args::parse(args) {
        Ok(args) => args,
        Err(e) => {
            let _ = writeln!(stderr, "{e}");
            return 1;
        }
    };
    if args.help {
        let _ = write!(stdout, "{USAGE}");
        return 0;
    }
    match run(&args, stdout, stderr) {
        Ok(status) => status,
        Err(e) => {
            let _ = writeln!(stderr, "[faidx] {e}");
            1
        }
    }
}

/// Runs parsed arguments; see [`main`].
pub fn run(args: &Args, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<i32> {
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |e: std::io::Error| Error::from(format!("{}: {e}", path.display()))
    };
    for warning in &args.warnings {
        writeln!(stderr, "{warning}").map_err(io_err(Path::new("<stderr>")))?;
    }
    let mut regions = args.regions.clone();
    if let Some(file) = &args.region_file {
        let text = std::fs::read_to_string(file).map_err(io_err(file))?;
        regions.extend(text.lines().map(str::to_string));
    }
    if regions.is_empty() {
        // Like samtools: with no region, (re)build the index and write it.
        let index = Index::build_from_path(&args.fasta)?;
        for warning in index.warnings() {
            writeln!(stderr, "[W::fai_build] {warning}").map_err(io_err(Path::new("<stderr>")))?;
        }
        index.write_to_path(Index::path_for(&args.fasta))?;
        return Ok(0);
    }
    let fasta = IndexedFasta::open(&args.fasta)?;
    let mut text = Vec::new();
    let mut status = 0;
    for region_text in &regions {
        text.push(b'>');
        text.extend_from_slice(region_text.as_bytes());
        text.push(b'\n');
        let fetched = Region::parse(region_text, fasta.index())
            .and_then(|region| Ok((fasta.fetch_region(&region)?, region)));
        let (seq, region) = match fetched {
            Ok(found) => found,
            Err(_) => {
                writeln!(stderr, "[faidx] Failed to fetch sequence in {region_text}")
                    .map_err(io_err(Path::new("<stderr>")))?;
                if args.continue_on_missing {
                    continue;
                }
                status = 1;
                break;
            }
        };
        if seq.is_empty() {
            writeln!(stderr, "[faidx] Zero length sequence: {region_text}")
                .map_err(io_err(Path::new("<stderr>")))?;
        } else if let Some(end) = region.end()
            && seq.len() as u64 != end - region.start()
        {
            writeln!(stderr, "[faidx] Truncated sequence: {region_text}")
                .map_err(io_err(Path::new("<stderr>")))?;
        }
        for line in seq.chunks(args.line_length) {
            text.extend_from_slice(line);
            text.push(b'\n');
        }
    }
    match &args.output {
        Some(path) => std::fs::write(path, &text).map_err(io_err(path))?,
        None => match stdout.write_all(&text).and_then(|()| stdout.flush()) {
            Ok(()) => {}
            // samtools dies of SIGPIPE here: no message, and the shell sees 128 + 13.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(BROKEN_PIPE),
            Err(e) => return Err(io_err(Path::new("<stdout>"))(e)),
        },
    }
    Ok(status)
}
