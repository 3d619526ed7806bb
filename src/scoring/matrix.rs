//! Substitution matrices in EMBOSS's file format.

use std::path::{Path, PathBuf};

use super::error::ScoringError as Error;

type Result<T, E = Error> = std::result::Result<T, E>;

const EBLOSUM62: &str = include_str!("../../data/matrices/EBLOSUM62");
const EDNAFULL: &str = include_str!("../../data/matrices/EDNAFULL");

/// A substitution matrix as water reads it.
///
/// Each residue byte maps to a *code*: the first character of each column label, in upper and
/// lower case, maps to that label's 1-based column index; every other byte maps to code 0, whose
/// row and column score 0 against everything (so `U`, `O` and `J` score 0 in EBLOSUM62, even
/// against themselves). Scores are `f32`, so fractional matrices work.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::scoring::Matrix;
///
/// let blosum = Matrix::blosum62();
/// assert_eq!(blosum.name(), "EBLOSUM62");
/// assert_eq!(blosum.score(b'W', b'w'), 11.0);
/// assert_eq!(blosum.score(b'U', b'U'), 0.0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    name: String,
    codes: [u8; 256],
    size: usize,
    table: Vec<f32>,
    /// Per pair of codes, [`PairFlags`] bits: what water's reports ask of every column, read
    /// with one lookup.
    flags: Vec<u8>,
}

/// Bits of [`Matrix::pair_flags`]: facts about a pair of codes `(x, y)` that water's
/// statistics and markup read. Code 0 (gaps and residues the matrix lacks) is never identical
/// and never positive.
pub(crate) struct PairFlags;

impl PairFlags {
    /// `x == y` and not code 0.
    pub const IDENTICAL: u8 = 1;
    /// `x` scores positively against itself.
    pub const X_SELF: u8 = 2;
    /// `x` scores positively against `y`.
    pub const X_Y: u8 = 4;
    /// `y` scores positively against itself.
    pub const Y_SELF: u8 = 8;
    /// `y` scores positively against `x`.
    pub const Y_X: u8 = 16;
    /// Similar as water counts it: both positive from `x`'s side, or both from `y`'s.
    pub const SIMILAR: u8 = 32;
    /// The two top bits hold the markup level of the column `x` over `y` (`x` a residue, not
    /// a gap), which water judges from `x`'s side only: 0 when `x` is a letter positive
    /// against itself and against `y` and identical to it, 1 when not identical, 2 when one of
    /// the two scores is positive and the codes differ, 3 otherwise (e.g. `*`, which is no
    /// letter, or a residue the matrix lacks).
    pub const MARK_SHIFT: u32 = 6;
}

impl Matrix {
    /// EBLOSUM62, water's default for protein (embedded; EMBOSS need not be installed).
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::scoring::Matrix;
    ///
    /// let matrix = Matrix::blosum62();
    /// assert_eq!(matrix.score(b'W', b'W'), 11.0);
    /// assert_eq!(matrix.score(b'k', b'R'), 2.0);
    /// ```
    pub fn blosum62() -> Self {
        Self::parse("EBLOSUM62", EBLOSUM62).expect("embedded EBLOSUM62 parses")
    }

    /// EDNAFULL, water's default for nucleotides (embedded).
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::scoring::Matrix;
    ///
    /// let dna = Matrix::dnafull();
    /// assert_eq!(dna.score(b'A', b'A'), 5.0);
    /// assert_eq!(dna.score(b'N', b'N'), -1.0);
    /// ```
    pub fn dnafull() -> Self {
        Self::parse("EDNAFULL", EDNAFULL).expect("embedded EDNAFULL parses")
    }

    /// Parses the text of an EMBOSS matrix file. `name` is what `# Matrix:` will show.
    ///
    /// Lines starting with `#` and blank lines are skipped; the first remaining line holds the
    /// column labels and each later line a row label followed by one value per column.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::scoring::Matrix;
    ///
    /// let m = Matrix::parse("MYMAT", "# fractional\n  A C\nA 2.5 -1\nC -1 3.75\n").unwrap();
    /// assert_eq!(m.score(b'c', b'C'), 3.75);
    /// assert!(Matrix::parse("bad", "A C\nA 1\n").is_err());
    /// ```
    pub fn parse(name: &str, text: &str) -> Result<Self> {
        let err = |line: usize, message: String| Error::Matrix {
            name: name.to_owned(),
            line,
            message,
        };
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(index, line)| (index + 1, line))
            .filter(|(_, line)| !line.starts_with('#') && !line.trim().is_empty());
        let (_, header) = lines
            .next()
            .ok_or_else(|| err(1, "no column labels".into()))?;
        let labels: Vec<u8> = header
            .split_ascii_whitespace()
            .map(|label| label.as_bytes()[0])
            .collect();
        if labels.len() > 254 {
            return Err(err(1, format!("{} columns; at most 254", labels.len())));
        }
        let size = labels.len() + 1;
        let mut codes = [0u8; 256];
        for (index, &label) in labels.iter().enumerate() {
            let code = (index + 1) as u8;
            codes[usize::from(label.to_ascii_uppercase())] = code;
            codes[usize::from(label.to_ascii_lowercase())] = code;
        }
        let mut table = vec![0f32; size * size];
        let mut seen = vec![false; size];
        for (line_number, line) in lines {
            let mut fields = line.split_ascii_whitespace();
            let row_label = fields.next().unwrap_or_default().as_bytes()[0];
            let row = usize::from(codes[usize::from(row_label)]);
            if row == 0 {
                return Err(err(
                    line_number,
                    format!("row label '{}' is not a column label", row_label as char),
                ));
            }
            let values = fields
                .map(|field| {
                    field
                        .parse::<f32>()
                        .ok()
                        .filter(|value| value.is_finite())
                        .ok_or_else(|| err(line_number, format!("'{field}' is not a number")))
                })
                .collect::<Result<Vec<f32>>>()?;
            if values.len() != labels.len() {
                return Err(err(
                    line_number,
                    format!("{} values for {} columns", values.len(), labels.len()),
                ));
            }
            table[row * size + 1..(row + 1) * size].copy_from_slice(&values);
            seen[row] = true;
        }
        if let Some(missing) = (1..size).find(|&row| !seen[row]) {
            return Err(err(
                text.lines().count(),
                format!("no row for '{}'", labels[missing - 1] as char),
            ));
        }
        let positive = |x: usize, y: usize| x != 0 && y != 0 && table[x * size + y] > 0.0;
        // Every byte of a code is a case of its label, so a code is a letter or not.
        let letter = |x: usize| x != 0 && labels[x - 1].is_ascii_alphabetic();
        let flags = (0..size * size)
            .map(|pair| {
                let (x, y) = (pair / size, pair % size);
                let flag = |set: bool, bit: u8| if set { bit } else { 0 };
                let identical = x != 0 && x == y;
                let mark: u8 = match u8::from(positive(x, x)) + u8::from(positive(x, y)) {
                    2 if letter(x) && identical => 0,
                    2 if letter(x) => 1,
                    1 if !identical => 2,
                    _ => 3,
                };
                mark << PairFlags::MARK_SHIFT
                    | flag(identical, PairFlags::IDENTICAL)
                    | flag(positive(x, x), PairFlags::X_SELF)
                    | flag(positive(x, y), PairFlags::X_Y)
                    | flag(positive(y, y), PairFlags::Y_SELF)
                    | flag(positive(y, x), PairFlags::Y_X)
                    | flag(
                        positive(x, x) && positive(x, y) || positive(y, y) && positive(y, x),
                        PairFlags::SIMILAR,
                    )
            })
            .collect();
        Ok(Self {
            name: name.to_owned(),
            codes,
            size,
            table,
            flags,
        })
    }

    /// The [`PairFlags`] of two codes.
    #[inline]
    pub(crate) fn pair_flags(&self, code_x: u8, code_y: u8) -> u8 {
        self.flags[usize::from(code_x) * self.size + usize::from(code_y)]
    }

    /// Finds and reads a matrix file as water's `-datafile` does: the name as a path (relative to
    /// the current directory), then `.embossdata/` and the home directory, then the embedded
    /// EBLOSUM62 and EDNAFULL, then `$EMBOSS_DATA` and the EMBOSS data directories
    /// (`/usr/share/EMBOSS/data`, `/usr/local/share/EMBOSS/data`).
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::scoring::Matrix;
    ///
    /// assert_eq!(Matrix::resolve("EBLOSUM62").unwrap(), Matrix::blosum62());
    /// assert!(Matrix::resolve("NO_SUCH_MATRIX").is_err());
    /// ```
    pub fn resolve(name: &str) -> Result<Self> {
        Self::resolve_in(name, None)
    }

    /// Like [`Matrix::resolve`], with relative names taken from `dir` (when given) instead of
    /// the current directory.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::scoring::Matrix;
    ///
    /// let m = Matrix::resolve_in("EDNAFULL", Some(std::path::Path::new("/nonexistent"))).unwrap();
    /// assert_eq!(m.name(), "EDNAFULL");
    /// ```
    pub fn resolve_in(name: &str, dir: Option<&Path>) -> Result<Self> {
        let base = dir.unwrap_or(Path::new(""));
        let mut searched = Vec::new();
        let mut candidates = vec![base.join(name), base.join(".embossdata").join(name)];
        if let Some(home) = std::env::var_os("HOME") {
            candidates.push(Path::new(&home).join(name));
            candidates.push(Path::new(&home).join(".embossdata").join(name));
        }
        for candidate in &candidates {
            if candidate.is_file() {
                return Self::read(name, candidate);
            }
            searched.push(candidate.display().to_string());
        }
        match name {
            "EBLOSUM62" => return Ok(Self::blosum62()),
            "EDNAFULL" => return Ok(Self::dnafull()),
            _ => {}
        }
        let mut directories = Vec::new();
        if let Some(dir) = std::env::var_os("EMBOSS_DATA") {
            directories.push(PathBuf::from(dir));
        }
        directories.push(PathBuf::from("/usr/share/EMBOSS/data"));
        directories.push(PathBuf::from("/usr/local/share/EMBOSS/data"));
        for directory in directories {
            let candidate = directory.join(name);
            if candidate.is_file() {
                return Self::read(name, &candidate);
            }
            searched.push(candidate.display().to_string());
        }
        Err(Error::MatrixNotFound {
            name: name.to_owned(),
            searched: searched.join(", "),
        })
    }

    fn read(name: &str, path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        let text = String::from_utf8_lossy(&bytes);
        Self::parse(name, &text)
    }

    /// The name shown on water's `# Matrix:` line (the `-datafile` argument as given).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The code of a residue byte (0 when the matrix has no such label).
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::scoring::Matrix;
    ///
    /// let m = Matrix::blosum62();
    /// assert_eq!(m.code(b'A'), 1);
    /// assert_eq!(m.code(b'a'), 1);
    /// assert_eq!(m.code(b'U'), 0);
    /// ```
    #[inline]
    pub fn code(&self, residue: u8) -> u8 {
        self.codes[usize::from(residue)]
    }

    /// The number of codes, including code 0.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The score of two codes.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::scoring::Matrix;
    ///
    /// let m = Matrix::blosum62();
    /// assert_eq!(m.score_codes(m.code(b'W'), m.code(b'W')), 11.0);
    /// assert_eq!(m.score_codes(0, m.code(b'W')), 0.0);
    /// ```
    #[inline]
    pub fn score_codes(&self, code_a: u8, code_b: u8) -> f32 {
        self.table[usize::from(code_a) * self.size + usize::from(code_b)]
    }

    /// The score of two residue bytes.
    #[inline]
    pub fn score(&self, residue_a: u8, residue_b: u8) -> f32 {
        self.score_codes(self.code(residue_a), self.code(residue_b))
    }

    /// Maps residue bytes to codes, reusing `out`.
    pub fn encode_into(&self, residues: &[u8], out: &mut Vec<u8>) {
        out.clear();
        out.extend(residues.iter().map(|&residue| self.code(residue)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_flags_restate_the_scores() {
        for matrix in [Matrix::blosum62(), Matrix::dnafull()] {
            let positive = |x: u8, y: u8| x != 0 && y != 0 && matrix.score_codes(x, y) > 0.0;
            let mut seen = 0;
            for x in 0..matrix.size() as u8 {
                for y in 0..matrix.size() as u8 {
                    let flags = matrix.pair_flags(x, y);
                    let has = |bit: u8| flags & bit != 0;
                    assert_eq!(has(PairFlags::IDENTICAL), x != 0 && x == y, "{x} {y}");
                    assert_eq!(has(PairFlags::X_SELF), positive(x, x), "{x} {y}");
                    assert_eq!(has(PairFlags::X_Y), positive(x, y), "{x} {y}");
                    assert_eq!(has(PairFlags::Y_SELF), positive(y, y), "{x} {y}");
                    assert_eq!(has(PairFlags::Y_X), positive(y, x), "{x} {y}");
                    let from_x = u8::from(positive(x, x)) + u8::from(positive(x, y));
                    let from_y = u8::from(positive(y, y)) + u8::from(positive(y, x));
                    assert_eq!(has(PairFlags::SIMILAR), from_x.max(from_y) == 2, "{x} {y}");
                    seen |= flags;
                }
            }
            // Every bit is set somewhere, so none of the checks above is vacuous.
            assert_eq!(seen, 255, "{}", matrix.name());
        }
        let blosum = Matrix::blosum62();
        let flags = |x: u8, y: u8| blosum.pair_flags(blosum.code(x), blosum.code(y));
        assert_eq!(
            flags(b'W', b'C') & 31,
            PairFlags::X_SELF | PairFlags::Y_SELF
        );
        let mark = |x: u8, y: u8| flags(x, y) >> PairFlags::MARK_SHIFT;
        // `|`, `:`, `.` and ` ` in srspair: identical, similar, weak, none.
        assert_eq!(mark(b'W', b'w'), 0);
        assert_eq!(mark(b'K', b'R'), 1);
        assert_eq!(mark(b'W', b'C'), 2);
        // `*` scores 1 against itself, but is no letter; X scores -1 against itself.
        assert_eq!(mark(b'*', b'*'), 3);
        assert_eq!(mark(b'X', b'X'), 3);
        assert_eq!(mark(b'U', b'U'), 3);
    }

    #[test]
    fn blosum62_known_values() {
        let m = Matrix::blosum62();
        assert_eq!(m.score(b'X', b'X'), -1.0);
        assert_eq!(m.score(b'*', b'*'), 1.0);
        assert_eq!(m.score(b'*', b'A'), -4.0);
        assert_eq!(m.score(b'A', b'R'), -1.0);
        assert_eq!(m.score(b'J', b'J'), 0.0);
        assert_eq!(m.size(), 25);
    }

    #[test]
    fn dnafull_known_values() {
        let m = Matrix::dnafull();
        assert_eq!(m.score(b'T', b'U'), 5.0);
        assert_eq!(m.score(b'R', b'R'), -1.0);
    }

    #[test]
    fn embedded_matrices_equal_installed_files() {
        for (name, embedded) in [("EBLOSUM62", EBLOSUM62), ("EDNAFULL", EDNAFULL)] {
            let installed = Path::new("/usr/share/EMBOSS/data").join(name);
            match std::fs::read_to_string(&installed) {
                Ok(text) => {
                    // The same table, line for line, once comments are set aside.
                    let table = |text: &str| -> Vec<String> {
                        text.lines()
                            .filter(|line| !line.starts_with('#'))
                            .map(str::to_owned)
                            .collect()
                    };
                    assert_eq!(
                        table(embedded),
                        table(&text),
                        "{name} differs from emboss-data"
                    );
                    assert_eq!(
                        Matrix::parse(name, embedded).unwrap(),
                        Matrix::parse(name, &text).unwrap()
                    );
                }
                Err(_) => eprintln!("skipped: {} is not installed", installed.display()),
            }
        }
    }

    #[test]
    fn malformed_rows_name_the_line() {
        let err = Matrix::parse("m", "# c\nA C\nA 1 x\nC 1 1\n").unwrap_err();
        assert_eq!(err.to_string(), "matrix m: line 3: 'x' is not a number");
        let err = Matrix::parse("m", "A C\nA 1 1\n").unwrap_err();
        assert!(err.to_string().contains("no row for 'C'"), "{err}");
        let err = Matrix::parse("m", "A C\nQ 1 1\n").unwrap_err();
        assert!(err.to_string().contains("row label 'Q'"), "{err}");
    }
}
