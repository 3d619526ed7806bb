//! Building a `.fai` index the way `samtools faidx` (htslib's `fai_build_core`) does, line for
//! line, so the index bytes are identical: the same offsets for CRLF files, the same records
//! left out (empty ones, repeated names), the same inputs refused (ragged lines, a header
//! without sequence at the end, sequence before the first header).

use std::collections::HashMap;
use std::io::{self, BufRead};
use std::path::Path;

use super::record::Record;
use crate::fasta::error::Result;
use crate::fasta::error::{FastaError, FastaErrorKind};

/// C's `isspace` in the C locale, as htslib uses it for names.
fn is_c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// C's `isgraph`: the bytes htslib counts as bases.
fn is_c_graph(byte: u8) -> bool {
    (0x21..=0x7e).contains(&byte)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between records, after a blank line, or after a record's short last line.
    OutRead,
    /// Inside a record's sequence lines.
    InSeq,
}

/// The record being read.
struct Current {
    name: String,
    header_line: usize,
    offset: u64,
    length: u64,
    line_bases: u64,
    line_width: u64,
    has_sequence: bool,
}

/// The records found, plus what samtools would only have warned about.
pub(crate) struct Built {
    pub(crate) records: Vec<Record>,
    pub(crate) warnings: Vec<String>,
}

struct Builder<'a> {
    name: &'a Path,
    reject_duplicates: bool,
    records: Vec<Record>,
    first_lines: HashMap<String, usize>,
    warnings: Vec<String>,
}

impl Builder<'_> {
    fn error(&self, kind: FastaErrorKind, line: usize, record: Option<&str>) -> FastaError {
        let error = FastaError::new(self.name, kind).at_line(line);
        match record {
            Some(record) => error.in_record(record),
            None => error,
        }
    }

    fn finish_record(&mut self, current: Current) -> Result<()> {
        if !current.has_sequence {
            self.warnings.push(format!(
                "{}: line {}: record '{}' has no sequence; left out of the index as samtools does",
                self.name.display(),
                current.header_line,
                current.name
            ));
            return Ok(());
        }
        if current.line_bases == 0 && current.length > 0 {
            // The reader refuses LINEBASES 0 for a non-empty record: never write one.
            return Err(self.error(
                FastaErrorKind::NoBasesOnFirstLine,
                current.header_line + 1,
                Some(&current.name),
            ));
        }
        if let Some(&first_line) = self.first_lines.get(&current.name) {
            if self.reject_duplicates {
                return Err(self.error(
                    FastaErrorKind::DuplicateId { first_line },
                    current.header_line,
                    Some(&current.name),
                ));
            }
            self.warnings.push(format!(
                "{}: line {}: ignoring duplicate sequence \"{}\" at byte offset {} (first at line {first_line})",
                self.name.display(),
                current.header_line,
                current.name,
                current.offset
            ));
            return Ok(());
        }
        self.first_lines
            .insert(current.name.clone(), current.header_line);
        self.records.push(Record::new(
            current.name,
            current.length,
            current.offset,
            current.line_bases,
            current.line_width,
        ));
        Ok(())
    }
}

/// Reads a header line (`line` starts with `>`), whose sequence starts at `seq_offset`.
fn parse_header(line: &[u8], line_number: usize, seq_offset: u64) -> Current {
    let rest = &line[1..];
    let start = rest
        .iter()
        .position(|&b| !is_c_space(b) || b == b'\n')
        .unwrap_or(rest.len());
    let name_len = rest[start..]
        .iter()
        .position(|&b| is_c_space(b))
        .unwrap_or(rest.len() - start);
    Current {
        name: String::from_utf8_lossy(&rest[start..start + name_len]).into_owned(),
        header_line: line_number,
        offset: seq_offset,
        length: 0,
        line_bases: 0,
        line_width: 0,
        has_sequence: false,
    }
}

/// Builds the index of the FASTA text read from `input`; `name` is used in messages.
pub(crate) fn build(
    name: &Path,
    mut input: impl BufRead,
    reject_duplicates: bool,
) -> Result<Built> {
    let mut builder = Builder {
        name,
        reject_duplicates,
        records: Vec::new(),
        first_lines: HashMap::new(),
        warnings: Vec::new(),
    };
    let mut state = State::OutRead;
    let mut after_short_line = false;
    let mut current: Option<Current> = None;
    let mut line = Vec::with_capacity(256);
    let mut line_number = 0usize;
    let mut offset = 0u64;

    loop {
        line.clear();
        let read = read_line(&mut input, &mut line).map_err(|e| FastaError::io(name, e))?;
        if read == 0 {
            break;
        }
        line_number += 1;
        offset += read as u64;
        let first = line[0];
        let terminated = line.last() == Some(&b'\n');

        if line == b">" {
            // A lone '>' as the file's last byte: samtools stops reading before it looks
            // for a name, so the file ends with the record before.
            break;
        }
        if first == b'>' {
            if let Some(done) = current.take() {
                builder.finish_record(done)?;
            }
            let header = parse_header(&line, line_number, offset);
            if !terminated {
                return Err(builder.error(
                    FastaErrorKind::HeaderWithoutSequence,
                    line_number,
                    Some(&header.name),
                ));
            }
            current = Some(header);
            state = State::InSeq;
            after_short_line = false;
            continue;
        }

        match state {
            State::OutRead => {
                let record = current.as_ref().map(|c| c.name.as_str());
                match first {
                    b'@' => return Err(builder.error(FastaErrorKind::Fastq, line_number, record)),
                    b'\n' => {}
                    b'\r' if line.get(1) == Some(&b'\n') => {}
                    b'\r' => {
                        return Err(builder.error(
                            FastaErrorKind::LoneCarriageReturn,
                            line_number,
                            record,
                        ));
                    }
                    byte => {
                        let kind = if current.is_none() {
                            FastaErrorKind::SequenceBeforeHeader
                        } else if after_short_line {
                            FastaErrorKind::RaggedLines
                        } else {
                            FastaErrorKind::UnexpectedByte { byte }
                        };
                        return Err(builder.error(kind, line_number, record));
                    }
                }
                after_short_line = false;
            }
            State::InSeq => {
                let Some(record) = current.as_mut() else {
                    unreachable!("InSeq is entered only with a record");
                };
                if first == b'\n' {
                    state = State::OutRead;
                    continue;
                }
                record.has_sequence = true;
                let content = if terminated {
                    &line[..line.len() - 1]
                } else {
                    &line[..]
                };
                let width = content.len() as u64 + 1;
                let bases = content.iter().filter(|&&b| is_c_graph(b)).count() as u64;
                record.length += bases;
                if record.line_width == 0 {
                    record.line_width = width;
                    record.line_bases = bases;
                } else if record.line_width > width {
                    state = State::OutRead;
                    after_short_line = true;
                } else if record.line_width < width {
                    let name = record.name.clone();
                    return Err(builder.error(
                        FastaErrorKind::RaggedLines,
                        line_number,
                        Some(&name),
                    ));
                }
            }
        }
    }

    match current {
        Some(last) if last.has_sequence => builder.finish_record(last)?,
        Some(last) => {
            return Err(builder.error(
                FastaErrorKind::HeaderWithoutSequence,
                last.header_line,
                Some(&last.name),
            ));
        }
        None => return Err(builder.error(FastaErrorKind::NoRecords, line_number.max(1), None)),
    }
    Ok(Built {
        records: builder.records,
        warnings: builder.warnings,
    })
}

/// Reads one line, its `\n` included, retrying interrupted reads.
fn read_line(input: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<usize> {
    loop {
        match input.read_until(b'\n', line) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}
