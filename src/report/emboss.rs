//! water's alignment formats: srspair (default), pair, simple, markx0, fasta and score.

use std::io::{self, Write};
use std::str::FromStr;

use crate::align::{Alignment, Column};
use crate::scoring::{GapPenalties, Matrix};
use crate::{Error, Result};

/// An `-aformat` value water supports and this crate writes byte for byte.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::report::AlignFormat;
///
/// assert_eq!("markx0".parse::<AlignFormat>().unwrap(), AlignFormat::Markx0);
/// assert!("msf".parse::<AlignFormat>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AlignFormat {
    /// water's default: header, statistics, 50-column pairs with markup.
    #[default]
    Srspair,
    /// As srspair, except the start coordinate of an all-gap chunk.
    Pair,
    /// As pair.
    Simple,
    /// FASTA-program style, with position rulers.
    Markx0,
    /// The two gapped rows as FASTA, no header or tail.
    Fasta,
    /// One `nameA nameB length (score)` line per alignment.
    Score,
}

impl AlignFormat {
    /// The name as given to `-aformat`.
    pub fn name(self) -> &'static str {
        match self {
            AlignFormat::Srspair => "srspair",
            AlignFormat::Pair => "pair",
            AlignFormat::Simple => "simple",
            AlignFormat::Markx0 => "markx0",
            AlignFormat::Fasta => "fasta",
            AlignFormat::Score => "score",
        }
    }

    fn has_header(self) -> bool {
        !matches!(self, AlignFormat::Fasta | AlignFormat::Score)
    }
}

impl FromStr for AlignFormat {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "srspair" => AlignFormat::Srspair,
            "pair" => AlignFormat::Pair,
            "simple" => AlignFormat::Simple,
            "markx0" => AlignFormat::Markx0,
            "fasta" => AlignFormat::Fasta,
            "score" => AlignFormat::Score,
            _ => {
                return Err(Error::Usage(format!(
                    "unknown alignment format '{name}' (supported: srspair, pair, simple, markx0, fasta, score)"
                )));
            }
        })
    }
}

/// The run header water writes before the first alignment.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::report::RunHeader;
///
/// let header = RunHeader::new(["-asequence a.fa", "-bsequence b.fa", "-auto"], "stdout");
/// assert_eq!(header.report_file(), "stdout");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunHeader {
    rundate: String,
    arguments: Vec<String>,
    report_file: String,
}

impl RunHeader {
    /// A header stamped now. `arguments` are the `# Commandline:` lines after `water`, each as
    /// water shows it (`-gapopen 10.3`, `[-bsequence] b.fa`).
    pub fn new<S: Into<String>>(arguments: impl IntoIterator<Item = S>, report_file: &str) -> Self {
        Self {
            rundate: super::rundate_now(),
            arguments: arguments.into_iter().map(Into::into).collect(),
            report_file: report_file.to_owned(),
        }
    }

    /// Replaces the `# Rundate:` stamp (for reproducible output).
    pub fn with_rundate(mut self, rundate: impl Into<String>) -> Self {
        self.rundate = rundate.into();
        self
    }

    /// The `# Report_file:` value.
    pub fn report_file(&self) -> &str {
        &self.report_file
    }
}

/// One alignment to report, with everything its text needs.
#[derive(Debug, Clone, Copy)]
pub struct PairReport<'a> {
    /// Name shown for a.
    pub name_a: &'a str,
    /// Name shown for b.
    pub name_b: &'a str,
    /// Description of a (fasta format only).
    pub description_a: &'a str,
    /// Description of b (fasta format only).
    pub description_b: &'a str,
    /// The residues of a that were aligned.
    pub a: &'a [u8],
    /// The residues of b that were aligned.
    pub b: &'a [u8],
    /// Added to printed a positions (`-sbegin1` minus 1).
    pub offset_a: usize,
    /// Added to printed b positions.
    pub offset_b: usize,
    /// The alignment of `a` against `b`.
    pub alignment: &'a Alignment,
    /// The matrix used (its name is printed; its scores decide the markup).
    pub matrix: &'a Matrix,
    /// The penalties used.
    pub gaps: GapPenalties,
}

/// Writes alignments in one of water's formats.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::align::Aligner;
/// use wildtype_aligner::report::{AlignFormat, EmbossWriter, PairReport};
///
/// let aligner = Aligner::builder().build().unwrap();
/// let (a, b) = (b"MKTAYIAKQR", b"MKTAYLAKQR");
/// let alignment = aligner.align(a, b).unwrap();
/// let mut writer = EmbossWriter::new(Vec::new(), AlignFormat::Score);
/// writer.write_alignment(&PairReport {
///     name_a: "a", name_b: "b", description_a: "", description_b: "", a, b,
///     offset_a: 0, offset_b: 0, alignment: &alignment,
///     matrix: aligner.matrix(), gaps: aligner.gaps(),
/// }).unwrap();
/// writer.finish().unwrap();
/// assert!(String::from_utf8(writer.into_inner()).unwrap().starts_with("a b 10 (47.0)\n"));
/// ```
#[derive(Debug)]
pub struct EmbossWriter<W: Write> {
    out: W,
    format: AlignFormat,
    width: usize,
    nobrief: bool,
}

impl<W: Write> EmbossWriter<W> {
    /// A writer with water's defaults (50 columns per line, brief statistics).
    pub fn new(out: W, format: AlignFormat) -> Self {
        Self {
            out,
            format,
            width: 50,
            nobrief: false,
        }
    }

    /// Columns per line (`-awidth3`); water uses at least 10.
    pub fn width(mut self, width: usize) -> Self {
        self.width = width.max(10);
        self
    }

    /// Adds the `Longest_` and `Shortest_` statistics (`-nobrief`).
    pub fn nobrief(mut self, nobrief: bool) -> Self {
        self.nobrief = nobrief;
        self
    }

    /// Writes the run header (nothing for the fasta and score formats).
    pub fn write_header(&mut self, header: &RunHeader) -> io::Result<()> {
        if !self.format.has_header() {
            return Ok(());
        }
        let out = &mut self.out;
        writeln!(out, "########################################")?;
        writeln!(out, "# Program: water")?;
        writeln!(out, "# Rundate: {}", header.rundate)?;
        writeln!(out, "# Commandline: water")?;
        for argument in &header.arguments {
            writeln!(out, "#    {argument}")?;
        }
        writeln!(out, "# Align_format: {}", self.format.name())?;
        writeln!(out, "# Report_file: {}", header.report_file)?;
        writeln!(out, "########################################")
    }

    /// Writes one alignment block.
    pub fn write_alignment(&mut self, report: &PairReport<'_>) -> io::Result<()> {
        let rows = Rows::new(report);
        match self.format {
            AlignFormat::Fasta => self.write_fasta(report, &rows),
            AlignFormat::Score => writeln!(
                self.out,
                "{} {} {} ({})",
                report.name_a,
                report.name_b,
                rows.a.len(),
                format_score(report.alignment.score())
            ),
            format => {
                self.write_block_header(report, &rows)?;
                if format == AlignFormat::Markx0 {
                    self.write_markx0(report, &rows)
                } else {
                    self.write_pairs(report, &rows)
                }
            }
        }
    }

    /// Writes bytes as they are: a block another writer of the same format formatted (so
    /// that blocks can be formatted in parallel and written in order).
    pub fn write_raw(&mut self, block: &[u8]) -> io::Result<()> {
        self.out.write_all(block)
    }

    /// Writes the tail that closes water's output (nothing for fasta).
    pub fn finish(&mut self) -> io::Result<()> {
        if self.format != AlignFormat::Fasta {
            self.out.write_all(
                b"\n#---------------------------------------\n#---------------------------------------\n",
            )?;
        }
        self.out.flush()
    }

    /// The underlying writer.
    pub fn into_inner(self) -> W {
        self.out
    }

    fn write_block_header(&mut self, report: &PairReport<'_>, rows: &Rows) -> io::Result<()> {
        let stats = report.alignment.stats();
        let length = stats.length();
        let out = &mut self.out;
        writeln!(out)?;
        writeln!(out, "#=======================================")?;
        writeln!(out, "#")?;
        writeln!(out, "# Aligned_sequences: 2")?;
        writeln!(out, "# 1: {}", report.name_a)?;
        writeln!(out, "# 2: {}", report.name_b)?;
        writeln!(out, "# Matrix: {}", report.matrix.name())?;
        writeln!(out, "# Gap_penalty: {}", format_score(report.gaps.open()))?;
        writeln!(
            out,
            "# Extend_penalty: {}",
            format_score(report.gaps.extend())
        )?;
        writeln!(out, "#")?;
        writeln!(out, "# Length: {length}")?;
        let line = |label: &str, count: usize, pct: f32| {
            format!("# {label:<11} {count:>5}/{length} ({pct:4.1}%)")
        };
        writeln!(
            out,
            "{}",
            line("Identity:", stats.identity(), stats.identity_percent())
        )?;
        writeln!(
            out,
            "{}",
            line(
                "Similarity:",
                stats.similarity(),
                stats.similarity_percent()
            )
        )?;
        writeln!(out, "{}", line("Gaps:", stats.gaps(), stats.gaps_percent()))?;
        writeln!(out, "# Score: {}", format_score(report.alignment.score()))?;
        if self.nobrief {
            let (identical, similar) = rows.case_insensitive_counts(report.matrix);
            let aligned = (length - stats.gaps()) as f32;
            let longest = report.a.len().max(report.b.len()) as f32;
            let pct = |count: usize, of: f32| 100.0 * count as f32 / of;
            writeln!(out, "# Longest_Identity = {:5.2}%", pct(identical, aligned))?;
            writeln!(out, "# Longest_Similarity = {:5.2}%", pct(similar, aligned))?;
            writeln!(
                out,
                "# Shortest_Identity = {:5.2}%",
                pct(identical, longest)
            )?;
            writeln!(
                out,
                "# Shortest_Similarity = {:5.2}%",
                pct(similar, longest)
            )?;
        } else {
            writeln!(out, "# ")?;
        }
        writeln!(out, "#")?;
        writeln!(out, "#=======================================")?;
        writeln!(out)
    }

    fn write_pairs(&mut self, report: &PairReport<'_>, rows: &Rows) -> io::Result<()> {
        let markup = rows.markup(report.matrix, b"|:. ");
        let empty_chunk_start = if self.format == AlignFormat::Srspair {
            0
        } else {
            1
        };
        let mut next_a = report.alignment.a_range().start + report.offset_a + 1;
        let mut next_b = report.alignment.b_range().start + report.offset_b + 1;
        // Lines are assembled as bytes (names and residues are written as they came).
        let mut block = Vec::with_capacity(4 * (self.width + 40));
        for start in (0..rows.a.len()).step_by(self.width) {
            let end = (start + self.width).min(rows.a.len());
            let line = |block: &mut Vec<u8>, name: &str, row: &[u8], next: &mut usize| {
                let residues = row.iter().filter(|&&r| r != b'-').count();
                let (first, last) = if residues == 0 {
                    (*next - 1 + empty_chunk_start, *next - 1)
                } else {
                    (*next, *next + residues - 1)
                };
                *next += residues;
                // `{:<13} {first:>6} {row} {last:>6}`; the padding counts characters.
                let name = truncate(name, 13);
                block.extend_from_slice(name.as_bytes());
                block.resize(
                    block.len() + 13usize.saturating_sub(name.chars().count()),
                    b' ',
                );
                block.push(b' ');
                push_right(block, first, 6);
                block.push(b' ');
                block.extend_from_slice(row);
                block.push(b' ');
                push_right(block, last, 6);
                block.push(b'\n');
            };
            block.clear();
            line(&mut block, report.name_a, &rows.a[start..end], &mut next_a);
            block.resize(block.len() + 21, b' ');
            block.extend_from_slice(&markup[start..end]);
            block.push(b'\n');
            line(&mut block, report.name_b, &rows.b[start..end], &mut next_b);
            block.push(b'\n');
            self.out.write_all(&block)?;
        }
        Ok(())
    }

    fn write_markx0(&mut self, report: &PairReport<'_>, rows: &Rows) -> io::Result<()> {
        // markx0 shifts srspair's symbols down one level: `|` becomes `:`, `:` becomes `.`.
        let markup = rows.markup(report.matrix, b":.  ");
        let first_a = report.alignment.a_range().start + report.offset_a + 1;
        let first_b = report.alignment.b_range().start + report.offset_b + 1;
        let numbers_a = Ruler::new(&rows.a, first_a);
        let numbers_b = Ruler::new(&rows.b, first_b);
        let chunks = rows.a.len().div_ceil(self.width);
        for chunk in 0..chunks {
            let start = chunk * self.width;
            let end = (start + self.width).min(rows.a.len());
            let last = chunk + 1 == chunks;
            let out = &mut self.out;
            writeln!(out, "{}", numbers_a.line(start, end, last))?;
            writeln!(
                out,
                "{:>6} {}",
                truncate(report.name_a, 6),
                String::from_utf8_lossy(&rows.a[start..end])
            )?;
            writeln!(
                out,
                "{:7}{}",
                "",
                String::from_utf8_lossy(&markup[start..end])
            )?;
            writeln!(
                out,
                "{:>6} {}",
                truncate(report.name_b, 6),
                String::from_utf8_lossy(&rows.b[start..end])
            )?;
            writeln!(out, "{}", numbers_b.line(start, end, last))?;
            writeln!(out)?;
        }
        Ok(())
    }

    fn write_fasta(&mut self, report: &PairReport<'_>, rows: &Rows) -> io::Result<()> {
        for (name, description, row) in [
            (report.name_a, report.description_a, &rows.a),
            (report.name_b, report.description_b, &rows.b),
        ] {
            if description.is_empty() {
                writeln!(self.out, ">{name}")?;
            } else {
                writeln!(self.out, ">{name} {description}")?;
            }
            for line in row.chunks(60) {
                self.out.write_all(line)?;
                writeln!(self.out)?;
            }
        }
        Ok(())
    }
}

/// The gapped rows of an alignment.
struct Rows {
    a: Vec<u8>,
    b: Vec<u8>,
}

impl Rows {
    fn new(report: &PairReport<'_>) -> Self {
        let (a, b) = report.alignment.aligned_rows(report.a, report.b);
        Self { a, b }
    }

    /// The markup line. water judges each column from a's side only: a letter of a that scores
    /// positively against itself and against b is `symbols[0]` when identical and `symbols[1]`
    /// otherwise; one positive score of the two gives `symbols[2]`; anything else, gaps and
    /// non-letters (`*`) included, `symbols[3]`.
    fn markup(&self, matrix: &Matrix, symbols: &[u8; 4]) -> Vec<u8> {
        self.a
            .iter()
            .zip(&self.b)
            .map(|(&x, &y)| {
                if x == b'-' || y == b'-' {
                    return symbols[3];
                }
                let column = Column::classify(matrix, matrix.code(x), matrix.code(y));
                match column.positive_from_a {
                    2 if x.is_ascii_alphabetic() && column.identical => symbols[0],
                    2 if x.is_ascii_alphabetic() => symbols[1],
                    1 if !column.identical => symbols[2],
                    _ => symbols[3],
                }
            })
            .collect()
    }

    /// `-nobrief` counts: identical after upper-casing; similar when identical or scoring positively.
    fn case_insensitive_counts(&self, matrix: &Matrix) -> (usize, usize) {
        let mut identical = 0;
        let mut similar = 0;
        for (&x, &y) in self.a.iter().zip(&self.b) {
            if x == b'-' || y == b'-' {
                continue;
            }
            let same = x.eq_ignore_ascii_case(&y);
            identical += usize::from(same);
            similar += usize::from(same || matrix.score(x, y) > 0.0);
        }
        (identical, similar)
    }
}

/// markx0 position rulers: every residue position divisible by 10 is printed so that its last
/// digit sits above the residue.
struct Ruler {
    /// The position of the residue in each column (`None` for gaps).
    positions: Vec<Option<usize>>,
    /// Whether any position in the whole row is divisible by 10.
    numbered: bool,
}

impl Ruler {
    fn new(row: &[u8], first: usize) -> Self {
        let mut next = first;
        let positions: Vec<Option<usize>> = row
            .iter()
            .map(|&residue| {
                (residue != b'-').then(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect();
        let numbered = positions
            .iter()
            .flatten()
            .any(|position| position % 10 == 0);
        Self {
            positions,
            numbered,
        }
    }

    fn line(&self, start: usize, end: usize, last_chunk: bool) -> String {
        let mut line = vec![b' '; 7 + end - start];
        let mut place = |column: usize, position: usize| {
            let text = position.to_string();
            let stop = 7 + column - start + 1;
            let begin = stop.saturating_sub(text.len());
            line[begin..stop].copy_from_slice(&text.as_bytes()[text.len() - (stop - begin)..]);
        };
        for column in start..end {
            if let Some(position) = self.positions[column].filter(|p| p % 10 == 0) {
                place(column, position);
            }
        }
        if last_chunk && !self.numbered {
            let last = (start..end)
                .rev()
                .find_map(|column| self.positions[column].map(|position| (column, position)));
            if let Some((column, position)) = last {
                place(column, position);
            }
        }
        String::from_utf8(line).expect("ruler is ASCII")
    }
}

/// Appends `value` right-aligned in `width` columns (wider values take the room they need),
/// as `{:>width$}` would, without the formatting machinery.
fn push_right(out: &mut Vec<u8>, value: usize, width: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = value;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let text = &digits[at..];
    out.resize(out.len() + width.saturating_sub(text.len()), b' ');
    out.extend_from_slice(text);
}

/// `%.3f`, then up to two trailing zeros removed: 52 gives `52.0`, 12.25 gives `12.25`.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::report::emboss::format_score;
///
/// assert_eq!(format_score(52.0), "52.0");
/// assert_eq!(format_score(293.5), "293.5");
/// assert_eq!(format_score(-f32::MAX), "-340282346638528859811704183484516925440.0");
/// ```
pub fn format_score(value: f32) -> String {
    let mut text = format!("{:.3}", f64::from(value));
    for _ in 0..2 {
        if text.ends_with('0') {
            text.pop();
        }
    }
    text
}

/// The first `width` bytes of `name` (`%-13.13s`), cut at a character boundary.
fn truncate(name: &str, width: usize) -> &str {
    let mut end = name.len().min(width);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}
