//! water's alignment formats: srspair (default), pair, simple, markx0, fasta and score.

use std::io::{self, Write};
use std::str::FromStr;

use crate::align::{AlignError, Alignment, Op, decimal_digits};
use crate::scoring::{GapPenalties, Matrix, PairFlags};

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
    type Err = UnknownFormat;

    fn from_str(name: &str) -> Result<Self, UnknownFormat> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "srspair" => AlignFormat::Srspair,
            "pair" => AlignFormat::Pair,
            "simple" => AlignFormat::Simple,
            "markx0" => AlignFormat::Markx0,
            "fasta" => AlignFormat::Fasta,
            "score" => AlignFormat::Score,
            _ => {
                return Err(UnknownFormat(name.to_owned()));
            }
        })
    }
}

/// The report layer's error: an `-aformat` name none of the supported formats has.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::report::AlignFormat;
///
/// let err = "msf".parse::<AlignFormat>().unwrap_err();
/// assert_eq!(err.0, "msf");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown alignment format '{0}' (supported: srspair, pair, simple, markx0, fasta, score)")]
pub struct UnknownFormat(pub String);

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
            rundate: super::rundate::rundate_now(),
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

/// One alignment to report, with everything its text needs; made by [`PairReport::new`],
/// which checks that the alignment is of the residues given.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::align::Aligner;
/// use wildtype_aligner::report::PairReport;
///
/// let aligner = Aligner::builder().build().unwrap();
/// let (a, b) = (b"MKTAYIAKQR", b"MKTAYLAKQR");
/// let alignment = aligner.align(a, b).unwrap();
/// let report = PairReport::new(&alignment, a, b, aligner.matrix(), aligner.gaps())
///     .unwrap()
///     .names("a", "b")
///     .offsets(10, 0);
/// assert_eq!(report.name_a(), "a");
/// assert!(PairReport::new(&alignment, b"MK", b, aligner.matrix(), aligner.gaps()).is_err());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PairReport<'a> {
    name_a: &'a str,
    name_b: &'a str,
    description_a: &'a str,
    description_b: &'a str,
    a: &'a [u8],
    b: &'a [u8],
    offset_a: usize,
    offset_b: usize,
    alignment: &'a Alignment,
    matrix: &'a Matrix,
    gaps: GapPenalties,
}

impl<'a> PairReport<'a> {
    /// The report of `alignment`, made from residues `a` and `b` with `matrix` and `gaps`;
    /// names and descriptions empty, offsets 0 until set.
    ///
    /// # Errors
    ///
    /// [`AlignError::NotTheAlignedSequences`] when `a` and `b` are not the residues the
    /// alignment was made from.
    pub fn new(
        alignment: &'a Alignment,
        a: &'a [u8],
        b: &'a [u8],
        matrix: &'a Matrix,
        gaps: GapPenalties,
    ) -> Result<Self, AlignError> {
        alignment.check_sequences(a, b)?;
        Ok(Self {
            name_a: "",
            name_b: "",
            description_a: "",
            description_b: "",
            a,
            b,
            offset_a: 0,
            offset_b: 0,
            alignment,
            matrix,
            gaps,
        })
    }

    /// The names shown for a and b.
    pub fn names(mut self, name_a: &'a str, name_b: &'a str) -> Self {
        self.name_a = name_a;
        self.name_b = name_b;
        self
    }

    /// The descriptions of a and b (printed by the fasta format only).
    pub fn descriptions(mut self, description_a: &'a str, description_b: &'a str) -> Self {
        self.description_a = description_a;
        self.description_b = description_b;
        self
    }

    /// Added to printed positions of a and b (`-sbegin1` minus 1, when a part was aligned).
    pub fn offsets(mut self, offset_a: usize, offset_b: usize) -> Self {
        self.offset_a = offset_a;
        self.offset_b = offset_b;
        self
    }

    /// The name shown for a.
    pub fn name_a(&self) -> &str {
        self.name_a
    }

    /// The name shown for b.
    pub fn name_b(&self) -> &str {
        self.name_b
    }
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
/// let report = PairReport::new(&alignment, a, b, aligner.matrix(), aligner.gaps()).unwrap();
/// writer.write_alignment(&report.names("a", "b")).unwrap();
/// writer.finish().unwrap();
/// assert!(String::from_utf8(writer.into_inner()).unwrap().starts_with("a b 10 (47.0)\n"));
/// ```
#[derive(Debug)]
pub struct EmbossWriter<W: Write> {
    out: W,
    format: AlignFormat,
    width: usize,
    nobrief: bool,
    /// Reused for the text of one block before it goes to `out` in one write.
    text: Vec<u8>,
    /// Reused for one line of each row and of the markup.
    lines: [Vec<u8>; 3],
}

impl<W: Write> EmbossWriter<W> {
    /// A writer with water's defaults (50 columns per line, brief statistics).
    pub fn new(out: W, format: AlignFormat) -> Self {
        Self {
            out,
            format,
            width: 50,
            nobrief: false,
            text: Vec::new(),
            lines: Default::default(),
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
        match self.format {
            AlignFormat::Fasta => self.write_fasta(report, &Rows::new(report)),
            AlignFormat::Score => {
                let mut text = std::mem::take(&mut self.text);
                text.clear();
                text.extend_from_slice(report.name_a.as_bytes());
                text.push(b' ');
                text.extend_from_slice(report.name_b.as_bytes());
                text.push(b' ');
                push_right(&mut text, report.alignment.ops().len(), 0);
                text.extend_from_slice(b" (");
                push_score(&mut text, report.alignment.score());
                text.extend_from_slice(b")\n");
                let written = self.out.write_all(&text);
                self.text = text;
                written
            }
            AlignFormat::Markx0 => {
                let rows = Rows::new(report);
                self.write_block_header(report, Some(&rows))?;
                self.write_markx0(report, &rows)
            }
            AlignFormat::Srspair | AlignFormat::Pair | AlignFormat::Simple => {
                let rows = self.nobrief.then(|| Rows::new(report));
                self.write_block_header(report, rows.as_ref())?;
                self.write_pairs(report)
            }
        }
    }

    /// Writes bytes as they are: a block another writer of the same format formatted (so
    /// that blocks can be formatted in parallel and written in order).
    pub fn write_raw(&mut self, block: &[u8]) -> io::Result<()> {
        self.out.write_all(block)
    }

    /// Writes blocks as [`EmbossWriter::write_raw`] does, in order, with as few system calls
    /// as the writer allows (vectored writes, no copy into one buffer).
    pub fn write_raw_blocks(&mut self, blocks: &[&[u8]]) -> io::Result<()> {
        let mut slices: Vec<io::IoSlice<'_>> = blocks
            .iter()
            .filter(|block| !block.is_empty())
            .map(|block| io::IoSlice::new(block))
            .collect();
        let mut rest = slices.as_mut_slice();
        while !rest.is_empty() {
            match self.out.write_vectored(rest) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(written) => io::IoSlice::advance_slices(&mut rest, written),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
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

    /// The underlying writer, borrowed (e.g. to see how much a `Vec<u8>` holds).
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    /// The statistics block before the alignment; `rows` are needed for `-nobrief` only.
    fn write_block_header(
        &mut self,
        report: &PairReport<'_>,
        rows: Option<&Rows>,
    ) -> io::Result<()> {
        let stats = report.alignment.stats();
        let length = stats.length();
        let mut text = std::mem::take(&mut self.text);
        text.clear();
        text.extend_from_slice(
            b"\n#=======================================\n#\n# Aligned_sequences: 2\n# 1: ",
        );
        text.extend_from_slice(report.name_a.as_bytes());
        text.extend_from_slice(b"\n# 2: ");
        text.extend_from_slice(report.name_b.as_bytes());
        text.extend_from_slice(b"\n# Matrix: ");
        text.extend_from_slice(report.matrix.name().as_bytes());
        text.extend_from_slice(b"\n# Gap_penalty: ");
        push_score(&mut text, report.gaps.open());
        text.extend_from_slice(b"\n# Extend_penalty: ");
        push_score(&mut text, report.gaps.extend());
        text.extend_from_slice(b"\n#\n# Length: ");
        push_right(&mut text, length, 0);
        text.push(b'\n');
        // `# {label:<11} {count:>5}/{length} ({percent:4.1}%)`
        for (label, count, percent) in [
            (
                &b"Identity:  "[..],
                stats.identity(),
                stats.identity_percent(),
            ),
            (
                b"Similarity:",
                stats.similarity(),
                stats.similarity_percent(),
            ),
            (b"Gaps:      ", stats.gaps(), stats.gaps_percent()),
        ] {
            text.extend_from_slice(b"# ");
            text.extend_from_slice(label);
            text.push(b' ');
            push_right(&mut text, count, 5);
            text.push(b'/');
            push_right(&mut text, length, 0);
            text.extend_from_slice(b" (");
            push_fixed(&mut text, percent, 1, 4);
            text.extend_from_slice(b"%)\n");
        }
        text.extend_from_slice(b"# Score: ");
        push_score(&mut text, report.alignment.score());
        text.push(b'\n');
        match rows {
            Some(rows) if self.nobrief => {
                let (identical, similar) = rows.case_insensitive_counts(report.matrix);
                let aligned = (length - stats.gaps()) as f32;
                let longest = report.a.len().max(report.b.len()) as f32;
                let pct = |count: usize, of: f32| 100.0 * count as f32 / of;
                for (label, percent) in [
                    ("Longest_Identity", pct(identical, aligned)),
                    ("Longest_Similarity", pct(similar, aligned)),
                    ("Shortest_Identity", pct(identical, longest)),
                    ("Shortest_Similarity", pct(similar, longest)),
                ] {
                    writeln!(text, "# {label} = {percent:5.2}%")?;
                }
            }
            _ => text.extend_from_slice(b"# \n"),
        }
        text.extend_from_slice(b"#\n#=======================================\n\n");
        let written = self.out.write_all(&text);
        self.text = text;
        written
    }

    /// The 50-column pairs (srspair, pair, simple), written straight from the alignment's
    /// columns without building its rows.
    fn write_pairs(&mut self, report: &PairReport<'_>) -> io::Result<()> {
        let empty_chunk_start = if self.format == AlignFormat::Srspair {
            0
        } else {
            1
        };
        let alignment = report.alignment;
        let mut next_a = alignment.a_range().start + report.offset_a + 1;
        let mut next_b = alignment.b_range().start + report.offset_b + 1;
        let (residues_a, residues_b) = (
            &report.a[alignment.a_range()],
            &report.b[alignment.b_range()],
        );
        let (mut i, mut j) = (0, 0);
        let mut text = std::mem::take(&mut self.text);
        let [mut row_a, mut markup, mut row_b] = std::mem::take(&mut self.lines);
        text.clear();
        for ops in alignment.ops().chunks(self.width) {
            for line in [&mut row_a, &mut markup, &mut row_b] {
                line.resize(ops.len(), 0);
            }
            for (column, op) in ops.iter().enumerate() {
                let (x, y) = match op {
                    Op::Insertion => (residues_a[i], b'-'),
                    Op::Deletion => (b'-', residues_b[j]),
                    _ => (residues_a[i], residues_b[j]),
                };
                i += usize::from(op.consumes_a());
                j += usize::from(op.consumes_b());
                row_a[column] = x;
                row_b[column] = y;
                markup[column] = mark(report.matrix, x, y, b"|:. ");
            }
            // `{:<13} {first:>6} {row} {last:>6}`; the padding counts characters.
            let line = |text: &mut Vec<u8>, name: &str, row: &[u8], next: &mut usize| {
                let residues = row.iter().filter(|&&r| r != b'-').count();
                let (first, last) = if residues == 0 {
                    (*next - 1 + empty_chunk_start, *next - 1)
                } else {
                    (*next, *next + residues - 1)
                };
                *next += residues;
                let name = truncate(name, 13);
                text.extend_from_slice(name.as_bytes());
                text.resize(
                    text.len() + 13usize.saturating_sub(name.chars().count()),
                    b' ',
                );
                text.push(b' ');
                push_right(text, first, 6);
                text.push(b' ');
                text.extend_from_slice(row);
                text.push(b' ');
                push_right(text, last, 6);
                text.push(b'\n');
            };
            line(&mut text, report.name_a, &row_a, &mut next_a);
            text.resize(text.len() + 21, b' ');
            text.extend_from_slice(&markup);
            text.push(b'\n');
            line(&mut text, report.name_b, &row_b, &mut next_b);
            text.push(b'\n');
        }
        let written = self.out.write_all(&text);
        self.text = text;
        self.lines = [row_a, markup, row_b];
        written
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
        // `PairReport::new` checked the residues, so the rows exist.
        let (a, b) = report
            .alignment
            .aligned_rows(report.a, report.b)
            .unwrap_or_default();
        Self { a, b }
    }

    /// The markup line (see [`mark`]).
    fn markup(&self, matrix: &Matrix, symbols: &[u8; 4]) -> Vec<u8> {
        self.a
            .iter()
            .zip(&self.b)
            .map(|(&x, &y)| mark(matrix, x, y, symbols))
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

/// The markup symbol of one column. water judges each column from a's side only: a letter of
/// a that scores positively against itself and against b is `symbols[0]` when identical and
/// `symbols[1]` otherwise; one positive score of the two gives `symbols[2]`; anything else,
/// gaps and non-letters (`*`) included, `symbols[3]`.
#[inline]
fn mark(matrix: &Matrix, x: u8, y: u8, symbols: &[u8; 4]) -> u8 {
    if x == b'-' || y == b'-' {
        return symbols[3];
    }
    let flags = matrix.pair_flags(matrix.code(x), matrix.code(y));
    symbols[usize::from(flags >> PairFlags::MARK_SHIFT)]
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
    let text = decimal_digits(value, &mut digits);
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
    let mut text = Vec::with_capacity(8);
    push_score(&mut text, value);
    String::from_utf8(text).expect("a formatted number is ASCII")
}

/// Appends [`format_score`]'s text.
fn push_score(out: &mut Vec<u8>, value: f32) {
    let start = out.len();
    push_fixed(out, value, 3, 0);
    for _ in 0..2 {
        if out.len() > start && out.ends_with(b"0") {
            out.pop();
        }
    }
}

/// Appends `value` as `{:width$.decimals$}` formats it (the exact binary value rounded half to
/// even, right-aligned), for `decimals` up to 3.
///
/// An `f32` has 24 significant bits, so `value * 10^decimals` is exact in `f64` and the
/// rounding can be decided exactly without the general float formatter. Negative, huge and
/// non-finite values take the general formatter.
fn push_fixed(out: &mut Vec<u8>, value: f32, decimals: u32, width: usize) {
    debug_assert!(decimals <= 3);
    let scale = 10u64.pow(decimals);
    let scaled = f64::from(value) * scale as f64;
    if !(value.is_sign_positive() && scaled < 1e15) {
        let text = format!(
            "{:width$.prec$}",
            f64::from(value),
            prec = decimals as usize
        );
        out.extend_from_slice(text.as_bytes());
        return;
    }
    let floor = scaled.floor();
    let fraction = scaled - floor;
    let mut units = floor as u64;
    if fraction > 0.5 || (fraction == 0.5 && units % 2 == 1) {
        units += 1;
    }
    let (whole, part) = (units / scale, units % scale);
    let digits = if decimals == 0 {
        0
    } else {
        decimals as usize + 1
    };
    let whole_digits = whole.checked_ilog10().unwrap_or(0) as usize + 1;
    out.resize(
        out.len() + width.saturating_sub(whole_digits + digits),
        b' ',
    );
    push_right(out, whole as usize, 0);
    if decimals > 0 {
        out.push(b'.');
        let mut divisor = scale / 10;
        while divisor > 0 {
            out.push(b'0' + (part / divisor % 10) as u8);
            divisor /= 10;
        }
    }
}

/// The first `width` bytes of `name` (`%-13.13s`), cut at a character boundary.
fn truncate(name: &str, width: usize) -> &str {
    let mut end = name.len().min(width);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(value: f32, decimals: u32, width: usize) -> String {
        let mut out = Vec::new();
        push_fixed(&mut out, value, decimals, width);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fixed_point_text_equals_the_general_formatter_on_every_percentage() {
        // Every percentage water can print for alignments up to 700 columns, as `{:4.1}`.
        for length in 1..=700usize {
            for count in 0..=length {
                let percent = crate::align::percent(count, length);
                assert_eq!(
                    fixed(percent, 1, 4),
                    format!("{percent:4.1}"),
                    "{count}/{length}"
                );
            }
        }
    }

    #[test]
    fn fixed_point_text_rounds_exact_ties_to_even_and_keeps_odd_values_to_the_formatter() {
        for value in [
            0.25f32,
            0.75,
            1.25,
            12.25,
            0.0625,
            1.0625,
            2.5,
            0.5,
            1e9,
            16_777_216.0,
            0.0,
        ] {
            for decimals in 0..=3 {
                assert_eq!(
                    fixed(value, decimals, 6),
                    format!("{:6.prec$}", f64::from(value), prec = decimals as usize),
                    "{value} to {decimals}"
                );
            }
        }
        for value in [
            -0.0f32,
            -3.0,
            -f32::MAX,
            f32::MAX,
            f32::INFINITY,
            f32::NAN,
            1e30,
        ] {
            assert_eq!(fixed(value, 3, 0), format!("{:.3}", f64::from(value)));
        }
    }

    #[test]
    fn fixed_point_text_matches_the_formatter_on_random_bits() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let value = f32::from_bits(state as u32);
            for decimals in [1, 3] {
                assert_eq!(
                    fixed(value, decimals, 4),
                    format!("{:4.prec$}", f64::from(value), prec = decimals as usize),
                    "{value:e} ({:#x})",
                    value.to_bits()
                );
            }
        }
    }

    #[test]
    fn scores_drop_up_to_two_trailing_zeros() {
        for (value, text) in [
            (52.0f32, "52.0"),
            (293.5, "293.5"),
            (12.25, "12.25"),
            (3889.698, "3889.698"),
            (0.0, "0.0"),
            (-3.0, "-3.0"),
            (-f32::MAX, "-340282346638528859811704183484516925440.0"),
        ] {
            assert_eq!(format_score(value), text);
        }
    }
}
