//! Regions written as samtools writes them: `name`, `name:beg`, `name:beg-end`, `name:-end`,
//! 1-based and inclusive, with `{name}` braces for names that contain a colon.

use super::error::Result;
use super::error::{FastaError, FastaErrorKind};
use super::fai::Index;

/// A named stretch of a sequence, 0-based and half-open, as parsed from samtools' notation.
///
/// Positions past the end are kept as given: fetching clamps them to the sequence, as samtools
/// does, and [`Region::end`] being `None` means "to the end".
///
/// # Examples
///
/// ```
/// use wildtype_aligner::fasta::Region;
/// use wildtype_aligner::fasta::fai::{Index, Record};
///
/// let index = Index::from_records(vec![Record::new("gyrA", 875, 6, 60, 61)]);
/// let region = Region::parse("gyrA:83-87", &index).unwrap();
/// assert_eq!((region.name(), region.start(), region.end()), ("gyrA", 82, Some(87)));
/// assert_eq!(Region::parse("gyrA", &index).unwrap().end(), None);
/// assert!(Region::parse("parC:1-3", &index).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    name: String,
    start: u64,
    end: Option<u64>,
}

impl Region {
    /// A region from a 0-based half-open range.
    pub fn new(name: impl Into<String>, range: std::ops::Range<u64>) -> Self {
        Self {
            name: name.into(),
            start: range.start,
            end: Some(range.end),
        }
    }

    /// The whole of a sequence.
    pub fn whole(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            start: 0,
            end: None,
        }
    }

    /// The sequence name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// 0-based start.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// 0-based exclusive end, `None` for "to the end of the sequence".
    pub fn end(&self) -> Option<u64> {
        self.end
    }

    /// Parses samtools' region notation against the names in `index` (a name may itself
    /// contain `:`, so parsing needs them): the whole text is tried as a name first, then the
    /// part before the last colon; `{name}:beg-end` settles ambiguity. Numbers may have
    /// thousands separators (`1,000`). `name:0-5` gives an empty region, as samtools 1.16 does.
    pub fn parse(text: &str, index: &Index) -> Result<Region> {
        let bad = |reason: String| -> FastaError {
            FastaError::new(text, FastaErrorKind::BadRegion { reason })
        };
        let unknown = |name: &str| -> FastaError {
            FastaError::new(text, FastaErrorKind::UnknownName).in_record(name)
        };

        let (name, coordinates) = if let Some(braced) = text.strip_prefix('{') {
            let Some(close) = braced.find('}') else {
                return Err(bad("mismatching braces".into()));
            };
            let after = &braced[close + 1..];
            let coordinates = match after.strip_prefix(':') {
                Some(rest) => Some(rest),
                None if after.is_empty() => None,
                None => return Err(bad(format!("unexpected \"{after}\" after '}}'"))),
            };
            (&braced[..close], coordinates)
        } else {
            match text.rfind(':') {
                None => (text, None),
                Some(colon) => {
                    let prefix = &text[..colon];
                    if index.get(text).is_some() {
                        if index.get(prefix).is_some() {
                            return Err(bad(format!(
                                "range is ambiguous; use {{{text}}} or {{{prefix}}}{}",
                                &text[colon..]
                            )));
                        }
                        (text, None)
                    } else {
                        (prefix, Some(&text[colon + 1..]))
                    }
                }
            }
        };
        if index.get(name).is_none() {
            return Err(unknown(name));
        }
        let Some(coordinates) = coordinates else {
            return Ok(Region::whole(name));
        };

        let (first, rest) = parse_decimal(coordinates);
        let begin = first - 1;
        let (begin, end) = if begin < 0 {
            if begin != -1 && rest.starts_with('-') {
                return Err(bad("coordinates must be > 0".into()));
            }
            if rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_digit()) {
                // `name:-100` is `name:1-100`; `name:` is the whole sequence.
                let end = if begin == -1 {
                    None
                } else {
                    Some(first.unsigned_abs())
                };
                return Ok(Region {
                    name: name.to_string(),
                    start: 0,
                    end,
                });
            }
            if begin < -1 {
                return Err(bad(format!("unexpected string \"{rest}\" after region")));
            }
            (begin, rest)
        } else {
            (begin, rest)
        };
        let end = if end.is_empty() {
            None
        } else if let Some(after_hyphen) = end.strip_prefix('-') {
            let (value, rest) = parse_decimal(after_hyphen);
            if !rest.is_empty() {
                return Err(bad(format!("unexpected string \"{rest}\" after region")));
            }
            (value != 0).then_some(value)
        } else {
            return Err(bad(format!("unexpected string \"{end}\" after region")));
        };
        if begin == -1 {
            // samtools 1.16 fetches nothing for a zero start (`name:0-5`).
            return Ok(Region::new(name, 0..0));
        }
        if let Some(end) = end
            && begin >= end
        {
            return Err(bad(format!("start {} is after end {end}", begin + 1)));
        }
        Ok(Region {
            name: name.to_string(),
            start: begin as u64,
            end: end.map(|e| e as u64),
        })
    }
}

/// Reads an optionally signed decimal with `,` thousands separators, as htslib's
/// `hts_parse_decimal` does (without its k/M/G suffixes); returns the value and the rest.
fn parse_decimal(text: &str) -> (i64, &str) {
    let trimmed = text.trim_start();
    let (negative, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let mut value: i64 = 0;
    let mut used = 0;
    for (i, c) in digits.char_indices() {
        match c {
            '0'..='9' => {
                value = value
                    .saturating_mul(10)
                    .saturating_add(i64::from(c as u8 - b'0'));
                used = i + 1;
            }
            ',' => used = i + 1,
            _ => break,
        }
    }
    if used == 0 {
        return (0, text);
    }
    (if negative { -value } else { value }, &digits[used..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fasta::fai::Record;

    fn index() -> Index {
        Index::from_records(vec![
            Record::new("a", 22, 3, 10, 11),
            Record::new("b:1-2", 4, 30, 4, 5),
            Record::new("b", 4, 40, 4, 5),
        ])
    }

    fn parsed(text: &str) -> Option<(String, u64, Option<u64>)> {
        Region::parse(text, &index())
            .ok()
            .map(|r| (r.name().to_string(), r.start(), r.end()))
    }

    #[test]
    fn parses_samtools_notation() {
        let r = |n: &str, s, e| Some((n.to_string(), s, e));
        assert_eq!(parsed("a"), r("a", 0, None));
        assert_eq!(parsed("a:3"), r("a", 2, None));
        assert_eq!(parsed("a:3-5"), r("a", 2, Some(5)));
        assert_eq!(parsed("a:3-"), r("a", 2, None));
        assert_eq!(parsed("a:-3"), r("a", 0, Some(3)));
        assert_eq!(parsed("a:"), r("a", 0, None));
        assert_eq!(parsed("a:0-5"), r("a", 0, Some(0)));
        assert_eq!(parsed("a:1,000-2,000"), r("a", 999, Some(2000)));
        assert_eq!(parsed("{b}:1-2"), r("b", 0, Some(2)));
        assert_eq!(parsed("{b:1-2}"), r("b:1-2", 0, None));
        assert_eq!(parsed("a:5-3"), None);
        assert_eq!(parsed("a:x"), None);
        assert_eq!(parsed("a:3-x"), None);
        assert_eq!(parsed("b:1-2"), None); // ambiguous
        assert_eq!(parsed("zz"), None);
        assert_eq!(parsed("{a"), None);
    }
}
