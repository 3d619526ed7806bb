//! A drop-in for EMBOSS `water`'s non-interactive use.
//!
//! ```text
//! water -asequence a.fa -bsequence b.fa [-gapopen 10] [-gapextend 0.5] [-datafile M]
//!       [-aformat srspair|pair|simple|markx0|fasta|score] [-awidth3 N] [-nobrief]
//!       [-sbegin1 N -send1 N -sbegin2 N -send2 N] [-sprotein1 ...] (-outfile F | -stdout) -auto
//! ```
//!
//! The first sequence of `-asequence` is aligned against every sequence of `-bsequence`, in
//! file order. Positional arguments are asequence, bsequence and outfile. Options also take the
//! `-name=value` form.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use wildtype_aligner::align::{AlignError, Aligner, Alignment};
use wildtype_aligner::report::{AlignFormat, EmbossWriter, PairReport, RunHeader};
use wildtype_aligner::scoring::{GapPenalties, Matrix};
use wildtype_aligner::seq::{self, NameCounter, SeqType, Sequence};
use wildtype_aligner::staged::{StagedFile, ensure_replaceable, remove_leftovers};

/// What can stop a run of the drop-in; each prints as the one line water's user reads.
#[derive(Debug)]
pub enum Error {
    /// A bad command line.
    Usage(String),
    /// A sequence water would refuse, in water's words.
    Sequence(String),
    /// Reading or writing a file (or standard output) failed.
    Io {
        /// The file involved, as named on the command line.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// An error of the library (bad FASTA, matrix, penalties...), which names its file and line.
    Library(wildtype_aligner::Error),
}

impl Error {
    fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Usage(message) | Error::Sequence(message) => f.write_str(message),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Library(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Library(error) => error.source(),
            Error::Usage(_) | Error::Sequence(_) => None,
        }
    }
}

/// Each layer's error converts into the library's, which the drop-in prints as it is.
macro_rules! from_library {
    ($($layer:ty),*) => {$(
        impl From<$layer> for Error {
            fn from(error: $layer) -> Self {
                Error::Library(error.into())
            }
        }
    )*};
}

from_library!(
    wildtype_aligner::Error,
    wildtype_aligner::align::AlignError,
    wildtype_aligner::fasta::FastaError,
    wildtype_aligner::report::UnknownFormat,
    wildtype_aligner::scoring::ScoringError,
    wildtype_aligner::staged::StagedError
);

/// An alignment that failed, in water's words where water has them: a pair too long even for
/// the bounded-memory path gets water's message for a failed allocation.
fn align_error(error: AlignError) -> Error {
    match error {
        AlignError::TooBig { .. } => {
            Error::Sequence("Sequences too big. Try 'matcher' or 'supermatcher'".to_owned())
        }
        error => error.into(),
    }
}

/// The drop-in's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Parsed `water` arguments.
///
/// # Examples
///
/// ```
/// use water::cli::WaterArgs;
///
/// let args = WaterArgs::parse(["a.fa", "b.fa", "-gapopen", "12", "-stdout", "-auto"]).unwrap();
/// assert_eq!(args.asequence(), "a.fa");
/// assert_eq!(args.gapopen(), 12.0);
/// assert!(WaterArgs::parse(["-endweight"]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct WaterArgs {
    asequence: String,
    bsequence: String,
    outfile: Option<String>,
    stdout: bool,
    gapopen: f32,
    gapextend: f32,
    datafile: Option<String>,
    aformat: AlignFormat,
    awidth: usize,
    nobrief: bool,
    ranges: [SeqRange; 2],
    types: [Option<SeqType>; 2],
    /// The `# Commandline:` lines, as water echoes them.
    echo: Vec<String>,
    /// Relative paths are taken from here instead of the current directory.
    working_dir: Option<PathBuf>,
}

/// `-sbeginN` / `-sendN`: 1-based inclusive; negative values count from the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct SeqRange {
    begin: Option<i64>,
    end: Option<i64>,
}

impl SeqRange {
    /// The 0-based half-open range within a sequence of `len` residues.
    fn resolve(self, len: usize) -> std::ops::Range<usize> {
        let position = |value: i64| -> usize {
            if value < 0 {
                (len as i64 + value + 1).max(1) as usize
            } else {
                (value.max(1) as usize).min(len.max(1))
            }
        };
        // 0 means the default: the first residue for a begin, the last for an end.
        let begin = self.begin.filter(|&v| v != 0).map_or(1, position).min(len);
        // water never selects less than one residue: an end before the begin is moved to it.
        let end = self
            .end
            .filter(|&v| v != 0)
            .map_or(len, position)
            .min(len)
            .max(begin);
        begin - 1..end
    }
}

const POSITIONAL: [&str; 3] = ["asequence", "bsequence", "outfile"];

impl WaterArgs {
    /// Parses arguments (without the program name).
    pub fn parse<S: AsRef<str>>(args: impl IntoIterator<Item = S>) -> Result<Self> {
        let args: Vec<String> = args.into_iter().map(|s| s.as_ref().to_owned()).collect();
        let mut parsed = WaterArgs {
            asequence: String::new(),
            bsequence: String::new(),
            outfile: None,
            stdout: false,
            gapopen: 10.0,
            gapextend: 0.5,
            datafile: None,
            aformat: AlignFormat::Srspair,
            awidth: 50,
            nobrief: false,
            ranges: [SeqRange::default(); 2],
            types: [None; 2],
            echo: Vec::new(),
            working_dir: None,
        };
        let mut positional = 0;
        let mut index = 0;
        while index < args.len() {
            let arg = &args[index];
            index += 1;
            let Some(option) = arg.strip_prefix('-').filter(|rest| !rest.is_empty()) else {
                let Some(name) = POSITIONAL.get(positional) else {
                    return Err(Error::Usage(format!(
                        "Argument '{arg}' : Too many parameters {}/3",
                        positional + 1
                    )));
                };
                positional += 1;
                parsed.set_value(name, arg)?;
                parsed.echo.push(format!("[-{name}] {arg}"));
                continue;
            };
            let (name, inline_value) = match option.split_once('=') {
                Some((name, value)) => (name, Some(value.to_owned())),
                None => (option, None),
            };
            if parsed.flag(name) {
                if !name.starts_with("sprotein") && !name.starts_with("snucleotide") {
                    parsed.echo.push(format!("-{name}"));
                }
                continue;
            }
            if !Self::takes_value(name) {
                return Err(Error::Usage(format!("Unknown qualifier -{name}")));
            }
            let value = match inline_value {
                Some(value) => value,
                None => {
                    let value = args
                        .get(index)
                        .cloned()
                        .ok_or_else(|| Error::Usage(format!("qualifier -{name} needs a value")))?;
                    index += 1;
                    value
                }
            };
            parsed.set_value(name, &value)?;
            parsed.echo.push(format!("-{name} {value}"));
        }
        if parsed.asequence.is_empty() {
            return Err(Error::Usage("no -asequence given".into()));
        }
        if parsed.bsequence.is_empty() {
            return Err(Error::Usage("no -bsequence given".into()));
        }
        Ok(parsed)
    }

    fn takes_value(name: &str) -> bool {
        matches!(
            name,
            "asequence"
                | "bsequence"
                | "outfile"
                | "gapopen"
                | "gapextend"
                | "datafile"
                | "aformat"
                | "aformat3"
                | "awidth"
                | "awidth3"
                | "sbegin1"
                | "send1"
                | "sbegin2"
                | "send2"
        )
    }

    /// Applies a boolean qualifier; false when `name` is not one.
    fn flag(&mut self, name: &str) -> bool {
        match name {
            "auto" => {}
            "stdout" => self.stdout = true,
            "nobrief" => self.nobrief = true,
            "brief" => self.nobrief = false,
            "sprotein1" => self.types[0] = Some(SeqType::Protein),
            "sprotein2" => self.types[1] = Some(SeqType::Protein),
            "snucleotide1" => self.types[0] = Some(SeqType::Nucleotide),
            "snucleotide2" => self.types[1] = Some(SeqType::Nucleotide),
            _ => return false,
        }
        true
    }

    fn set_value(&mut self, name: &str, value: &str) -> Result<()> {
        let decimal = |value: &str| -> Result<f32> {
            value
                .trim()
                .parse::<f32>()
                .ok()
                .filter(|parsed| parsed.is_finite())
                .ok_or_else(|| Error::Usage(format!("Invalid decimal value '{value}' for -{name}")))
        };
        let integer = |value: &str| -> Result<i64> {
            value
                .trim()
                .parse::<i64>()
                .map_err(|_| Error::Usage(format!("Invalid integer value '{value}' for -{name}")))
        };
        match name {
            "asequence" => self.asequence = value.to_owned(),
            "bsequence" => self.bsequence = value.to_owned(),
            // EMBOSS reads the name `stdout` as standard output.
            "outfile" if value == "stdout" => self.stdout = true,
            "outfile" => self.outfile = Some(value.to_owned()),
            "gapopen" => self.gapopen = decimal(value)?,
            "gapextend" => self.gapextend = decimal(value)?,
            "datafile" => self.datafile = Some(value.to_owned()),
            "aformat" | "aformat3" => self.aformat = value.parse()?,
            "awidth" | "awidth3" => {
                self.awidth = integer(value)?.clamp(0, 1 << 20) as usize;
            }
            "sbegin1" => self.ranges[0].begin = Some(integer(value)?),
            "send1" => self.ranges[0].end = Some(integer(value)?),
            "sbegin2" => self.ranges[1].begin = Some(integer(value)?),
            "send2" => self.ranges[1].end = Some(integer(value)?),
            _ => return Err(Error::Usage(format!("Unknown qualifier -{name}"))),
        }
        Ok(())
    }

    /// Resolves relative file names (inputs, `-outfile`, `-datafile`) against `dir` instead of
    /// the current directory, as if water were started there.
    pub fn in_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.working_dir = Some(dir.into());
        self
    }

    fn path(&self, name: &str) -> PathBuf {
        match &self.working_dir {
            Some(dir) => dir.join(name),
            None => PathBuf::from(name),
        }
    }

    /// The `-asequence` file.
    pub fn asequence(&self) -> &str {
        &self.asequence
    }

    /// The `-bsequence` file.
    pub fn bsequence(&self) -> &str {
        &self.bsequence
    }

    /// The gap-open penalty as given (before clamping and rounding).
    pub fn gapopen(&self) -> f32 {
        self.gapopen
    }

    /// The gap-extend penalty as given.
    pub fn gapextend(&self) -> f32 {
        self.gapextend
    }

    /// The output format.
    pub fn aformat(&self) -> AlignFormat {
        self.aformat
    }

    /// Whether the report goes to standard output (`-stdout`, or `-outfile stdout`).
    pub fn writes_to_stdout(&self) -> bool {
        self.stdout
    }
}

/// The exit status of a run, and its error message (`Error: ...`) on `stderr`: 0, 1 for any
/// error, and 141 without a message when standard output was closed under it (`| head`),
/// as EMBOSS water, which dies of SIGPIPE there, reports in the shell.
pub fn exit_status(result: Result<()>, stderr: &mut dyn Write) -> u8 {
    match result {
        Ok(()) => 0,
        Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::BrokenPipe => 141,
        Err(error) => {
            let _ = writeln!(stderr, "Error: {error}");
            1
        }
    }
}

/// Runs water with parsed arguments: warnings go to `diagnostics` (as `Warning: ...` lines),
/// the report to the output file (written under a temporary name, renamed when complete) or to
/// standard output.
///
/// # Examples
///
/// ```no_run
/// use water::cli::{WaterArgs, run};
///
/// let args = WaterArgs::parse(["a.fa", "b.fa", "-stdout", "-auto"]).unwrap();
/// run(&args, &mut std::io::stderr()).unwrap();
/// ```
pub fn run(args: &WaterArgs, diagnostics: &mut dyn Write) -> Result<()> {
    let job = Job::prepare(args, diagnostics)?;
    let output = Output::open(args, job.a.name())?;
    let report_name = output.report_name.clone();
    output.write(|out| job.write(args, &report_name, out, diagnostics))
}

/// Like [`run`], but writes the report to `out` whatever `-outfile`/`-stdout` say (the
/// `# Report_file:` line still shows what they name).
///
/// # Examples
///
/// ```
/// use water::cli::{WaterArgs, run_to};
///
/// let dir = std::env::temp_dir().join(format!("wta-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("a.fa"), ">a\nMKTAYIAKQR\n").unwrap();
/// std::fs::write(dir.join("b.fa"), ">b\nMKTAYLAKQR\n").unwrap();
/// let args = WaterArgs::parse(["a.fa", "b.fa", "-aformat", "score", "-stdout"]).unwrap().in_dir(&dir);
/// let mut out = Vec::new();
/// run_to(&args, &mut out, &mut std::io::sink()).unwrap();
/// assert!(String::from_utf8(out).unwrap().starts_with("a b 10 (47.0)"));
/// ```
pub fn run_to(args: &WaterArgs, out: &mut dyn Write, diagnostics: &mut dyn Write) -> Result<()> {
    let job = Job::prepare(args, diagnostics)?;
    let report_name = match (&args.outfile, args.stdout) {
        (Some(name), false) => name.clone(),
        (None, false) => default_outfile(job.a.name()),
        (_, true) => "stdout".to_owned(),
    };
    job.write(args, &report_name, out, diagnostics)
        .map_err(|error| match error {
            JobError::Io(source) => Error::io(&report_name, source),
            JobError::Other(error) => error,
        })
}

fn default_outfile(name_a: &str) -> String {
    format!("{}.water", name_a.to_ascii_lowercase())
}

/// The a sequence, scoring and b records of one run.
struct Job {
    a: Sequence,
    a_type: SeqType,
    aligner: Aligner,
    b_records: Vec<(String, Vec<u8>)>,
    counter: NameCounter,
}

/// Failure while writing: I/O (to be blamed on the output) or anything else.
enum JobError {
    Io(io::Error),
    Other(Error),
}

impl From<io::Error> for JobError {
    fn from(error: io::Error) -> Self {
        JobError::Io(error)
    }
}

impl From<Error> for JobError {
    fn from(error: Error) -> Self {
        JobError::Other(error)
    }
}

fn warn(diagnostics: &mut dyn Write, message: &str) {
    let _ = writeln!(diagnostics, "Warning: {message}");
}

impl Job {
    fn prepare(args: &WaterArgs, diagnostics: &mut dyn Write) -> Result<Self> {
        let (gaps, warnings) = GapPenalties::clamped(args.gapopen, args.gapextend);
        for warning in &warnings {
            warn(diagnostics, &warning.to_string());
        }
        if args.awidth < 10 {
            warn(
                diagnostics,
                &format!(
                    "Alignment width (-awidth={}) too narrow, reset to 10",
                    args.awidth
                ),
            );
        }
        let mut counter = NameCounter::new();
        let a_records = read_fasta(&args.path(&args.asequence))?;
        let mut a = a_records
            .into_iter()
            .next()
            .and_then(|(header, raw)| Sequence::from_fasta(&header, &raw, &mut counter).ok())
            .filter(|a| !a.is_empty())
            .ok_or_else(|| {
                Error::Sequence(format!("Unable to read sequence '{}'", args.asequence))
            })?;
        let a_type = match args.types[0] {
            Some(SeqType::Nucleotide) if seq::detect_type(a.residues()) != SeqType::Nucleotide => {
                return Err(Error::Sequence("Sequence is not nucleic".into()));
            }
            Some(forced) => forced,
            None => seq::detect_type(a.residues()),
        };
        if a_type == SeqType::Nucleotide {
            seq::to_nucleotide_display(a.residues_mut());
        }
        let matrix = match &args.datafile {
            Some(name) => Matrix::resolve_in(name, args.working_dir.as_deref())?,
            None if a_type == SeqType::Nucleotide => Matrix::dnafull(),
            None => Matrix::blosum62(),
        };
        let aligner = Aligner::builder().matrix(matrix).gaps(gaps).build()?;
        let b_records = read_fasta(&args.path(&args.bsequence))?;
        Ok(Self {
            a,
            a_type,
            aligner,
            b_records,
            counter,
        })
    }

    fn write(
        mut self,
        args: &WaterArgs,
        report_name: &str,
        out: &mut dyn Write,
        diagnostics: &mut dyn Write,
    ) -> Result<(), JobError> {
        let header = RunHeader::new(args.echo.iter().cloned(), report_name);
        let mut writer = EmbossWriter::new(out, args.aformat)
            .width(args.awidth)
            .nobrief(args.nobrief);
        writer.write_header(&header)?;
        let a = &self.a;
        let description_a = a.fasta_description();
        let a_range = args.ranges[0].resolve(a.len());
        let a_part = &a.residues()[a_range.clone()];
        let mut aligned = 0;
        // Records are read and checked in order, aligned a chunk at a time on all threads
        // (`Aligner::align_one_to_many_fold`; a chunk of one record by `Aligner::align`), and written in
        // input order before the next chunk.
        let mut records = std::mem::take(&mut self.b_records).into_iter();
        let mut exhausted = false;
        while !exhausted {
            let mut chunk: Vec<(Sequence, std::ops::Range<usize>)> = Vec::new();
            while chunk.len() < RECORDS_PER_CHUNK {
                let Some((header, raw)) = records.next() else {
                    exhausted = true;
                    break;
                };
                // water's reader stops at a record it cannot parse (a `|` header with too few
                // fields, a PIR-style title) and drops the rest of the file without an error.
                let Ok(mut b) = Sequence::from_fasta(&header, &raw, &mut self.counter) else {
                    exhausted = true;
                    break;
                };
                if b.is_empty() {
                    let id = header.split_ascii_whitespace().next().unwrap_or("");
                    warn(
                        diagnostics,
                        &format!(
                            "Sequence 'fasta::{}:{id}' has zero length, ignored",
                            args.bsequence
                        ),
                    );
                    continue;
                }
                if self.a_type == SeqType::Nucleotide {
                    if seq::detect_type(b.residues()) != SeqType::Nucleotide
                        || args.types[1] == Some(SeqType::Protein)
                    {
                        if aligned == 0 && chunk.is_empty() {
                            return Err(Error::Sequence("Sequence is not nucleic".into()).into());
                        }
                        // water stops reading b here but reports what it has aligned so far.
                        let _ = writeln!(diagnostics, "Error: Sequence is not nucleic");
                        exhausted = true;
                        break;
                    }
                    seq::to_nucleotide_display(b.residues_mut());
                }
                let b_range = args.ranges[1].resolve(b.len());
                if a_part.is_empty() || b.residues()[b_range.clone()].is_empty() {
                    continue;
                }
                chunk.push((b, b_range));
            }
            let targets: Vec<&[u8]> = chunk
                .iter()
                .map(|(b, b_range)| &b.residues()[b_range.clone()])
                .collect();
            // Each alignment is formatted on the thread that computed it, into that unit of
            // work's buffer (`Aligner::align_one_to_many_fold`); a lone b record takes the single-pair
            // path (the striped kernel for long pairs). The blocks are then written in input
            // order, up to the first failed alignment.
            let aligner = &self.aligner;
            let init = || Formatted {
                writer: EmbossWriter::new(Vec::with_capacity(BLOCKS_RESERVE), args.aformat)
                    .width(args.awidth)
                    .nobrief(args.nobrief),
                blocks: Vec::new(),
                errors: Vec::new(),
            };
            let fold =
                |state: &mut Formatted, index: usize, result: Result<Alignment, AlignError>| {
                    let alignment = match result {
                        Ok(alignment) => alignment,
                        Err(error) => return state.errors.push((index, align_error(error))),
                    };
                    let (b, b_range) = &chunk[index];
                    let description_b = match args.aformat {
                        AlignFormat::Fasta => b.fasta_description(),
                        _ => String::new(),
                    };
                    let start = state.writer.get_ref().len();
                    let report = PairReport::new(
                        &alignment,
                        a_part,
                        targets[index],
                        aligner.matrix(),
                        aligner.gaps(),
                    )
                    .expect("an alignment fits the residues it was made from")
                    .names(a.name(), b.name())
                    .descriptions(&description_a, &description_b)
                    .offsets(a_range.start, b_range.start);
                    state
                        .writer
                        .write_alignment(&report)
                        .expect("writing to memory cannot fail");
                    state
                        .blocks
                        .push((index, start..state.writer.get_ref().len()));
                };
            let mut states = match targets.as_slice() {
                [b_part] => {
                    let mut state = init();
                    fold(&mut state, 0, aligner.align(a_part, b_part));
                    vec![state]
                }
                _ => aligner.align_one_to_many_fold(a_part, &targets, init, fold),
            };
            // The first failure in input order ends the output there.
            let failed = states
                .iter_mut()
                .flat_map(|state| state.errors.drain(..))
                .min_by_key(|(index, _)| *index);
            let stop = failed.as_ref().map_or(chunk.len(), |(index, _)| *index);
            let mut blocks: Vec<Option<&[u8]>> = vec![None; stop];
            for state in &states {
                let text = state.writer.get_ref();
                for (index, range) in &state.blocks {
                    if *index < stop {
                        blocks[*index] = Some(&text[range.clone()]);
                    }
                }
            }
            let blocks: Vec<&[u8]> = blocks
                .into_iter()
                .map(|block| block.expect("every target is formatted or failed"))
                .collect();
            writer.write_raw_blocks(&blocks)?;
            aligned += stop;
            if let Some((_, error)) = failed {
                return Err(error.into());
            }
        }
        if aligned == 0 {
            return Err(
                Error::Sequence(format!("Unable to read sequence '{}'", args.bsequence)).into(),
            );
        }
        writer.finish()?;
        Ok(())
    }
}

/// The formatted blocks of one unit of parallel work.
struct Formatted {
    writer: EmbossWriter<Vec<u8>>,
    /// Each formatted target: its index in the chunk and its block in the writer's buffer.
    blocks: Vec<(usize, std::ops::Range<usize>)>,
    /// Targets whose alignment failed.
    errors: Vec<(usize, Error)>,
}

/// Bytes reserved for each unit of work's blocks. Reserved memory costs address space only
/// until written, and a buffer that never reallocates touches each page once instead of
/// copying into ever larger ones (each new page is a page fault).
const BLOCKS_RESERVE: usize = 4 << 20;

/// b records aligned together: enough to fill every thread's SIMD lanes, few enough that
/// output keeps streaming and memory stays small.
const RECORDS_PER_CHUNK: usize = 512;

/// Where the report goes: standard output, or a file staged under a temporary name and renamed
/// into place only when complete (dropped unfinished, the temporary file is removed).
struct Output {
    report_name: String,
    /// The report file and its path; `None` for standard output.
    file: Option<(StagedFile, PathBuf)>,
}

impl Output {
    fn open(args: &WaterArgs, name_a: &str) -> Result<Self> {
        if args.stdout {
            return Ok(Self {
                report_name: "stdout".into(),
                file: None,
            });
        }
        let report_name = args
            .outfile
            .clone()
            .unwrap_or_else(|| default_outfile(name_a));
        let path = args.path(&report_name);
        // Fail now, not after the alignments, if a directory stands at the report's name.
        ensure_replaceable(&path, false)?;
        // Temporary reports of water runs that were killed (on this host, their process
        // gone); never a live run's.
        if let Some(name) = path.file_name().and_then(|name| name.to_str()) {
            let dir = match path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent,
                _ => Path::new("."),
            };
            remove_leftovers(dir, &[name])?;
        }
        // No sync before the rename, as EMBOSS writes its reports: the file appears whole or
        // not at all, and the drop-in stays as quick as a process as before.
        let file = StagedFile::create(&path)?.sync_on_commit(false);
        Ok(Self {
            report_name,
            file: Some((file, path)),
        })
    }

    /// Writes the report through `write` and puts it in place.
    fn write(self, write: impl FnOnce(&mut dyn Write) -> Result<(), JobError>) -> Result<()> {
        let blame = |path: &Path| {
            let path = path.to_owned();
            move |error: JobError| match error {
                JobError::Io(source) => Error::io(path, source),
                JobError::Other(error) => error,
            }
        };
        match self.file {
            Some((mut file, path)) => {
                write(&mut file).map_err(blame(&path))?;
                Ok(file.commit()?)
            }
            None => {
                let mut out = BufWriter::new(io::stdout().lock());
                write(&mut out)
                    .and_then(|()| out.flush().map_err(JobError::Io))
                    .map_err(blame(Path::new("stdout")))
            }
        }
    }
}

/// Reads FASTA (plain or gzip) as (header, raw sequence) pairs through the crate's reader,
/// which refuses non-FASTA input with the file and line.
fn read_fasta(path: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    Ok(wildtype_aligner::fasta::read_all(path)?
        .into_iter()
        .map(|record| {
            let header = record.header().to_owned();
            (header, record.into_seq())
        })
        .collect())
}
