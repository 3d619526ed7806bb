//! HGVS protein nomenclature: residue names, 3' normalisation of indels, and parsing of the
//! mutation names people write in catalogues (`S83L`, `K141*`, `6_11del`, `p.Gly6_Lys11del`).

use std::fmt;

use super::text::{CallText, TextBuilder};

/// The HGVS three-letter code of a residue (`Ter` for `*`, `Xaa` for anything unknown).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::three_letter_code;
///
/// assert_eq!(three_letter_code(b'S'), "Ser");
/// assert_eq!(three_letter_code(b'k'), "Lys");
/// assert_eq!(three_letter_code(b'*'), "Ter");
/// ```
pub fn three_letter_code(residue: u8) -> &'static str {
    // Two per call in every run's hot loop: a table, not a search of `THREE_LETTER`.
    BY_BYTE[usize::from(residue)]
}

/// [`three_letter_code`] of every byte: `THREE_LETTER`'s codes, in either case, else `Xaa`.
static BY_BYTE: [&str; 256] = {
    let mut table = ["Xaa"; 256];
    let mut index = 0;
    while index < THREE_LETTER.len() {
        let (one, three) = THREE_LETTER[index];
        table[one as usize] = three;
        table[one.to_ascii_lowercase() as usize] = three;
        index += 1;
    }
    table
};

const THREE_LETTER: [(u8, &str); 26] = [
    (b'A', "Ala"),
    (b'R', "Arg"),
    (b'N', "Asn"),
    (b'D', "Asp"),
    (b'C', "Cys"),
    (b'Q', "Gln"),
    (b'E', "Glu"),
    (b'G', "Gly"),
    (b'H', "His"),
    (b'I', "Ile"),
    (b'L', "Leu"),
    (b'K', "Lys"),
    (b'M', "Met"),
    (b'F', "Phe"),
    (b'P', "Pro"),
    (b'S', "Ser"),
    (b'T', "Thr"),
    (b'W', "Trp"),
    (b'Y', "Tyr"),
    (b'V', "Val"),
    (b'U', "Sec"),
    (b'O', "Pyl"),
    (b'B', "Asx"),
    (b'Z', "Glx"),
    (b'X', "Xaa"),
    (b'*', "Ter"),
];

/// A change to a protein in reference numbering (1-based, inclusive). Residues are upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Change {
    /// The residue at `position` becomes `alt` (`*` for a stop).
    Substitution { position: usize, alt: u8 },
    /// Reference residues `start..=end` are missing.
    Deletion { start: usize, end: usize },
    /// `residues` are inserted between reference positions `after` and `after + 1`.
    Insertion { after: usize, residues: Vec<u8> },
    /// Reference residues `start..=end` occur twice.
    Duplication { start: usize, end: usize },
}

fn upper(residue: u8) -> u8 {
    residue.to_ascii_uppercase()
}

/// The residue at 1-based `position`, upper case (`?` outside the reference).
fn residue_at(reference: &[u8], position: usize) -> u8 {
    position
        .checked_sub(1)
        .and_then(|index| reference.get(index))
        .map_or(b'?', |&residue| upper(residue))
}

impl Change {
    /// Moves an indel as far 3' (towards the C terminus) as the reference allows and turns an
    /// insertion that copies the residues just before it into a duplication, as HGVS requires.
    pub(crate) fn normalized(&self, reference: &[u8]) -> Change {
        let same = |x: usize, y: usize| upper(reference[x]) == upper(reference[y]);
        match self {
            Change::Substitution { .. } => self.clone(),
            Change::Deletion { start, end } => {
                // 0-based half-open [first, stop) slides while the residue after equals the first.
                let (mut first, mut stop) = (start - 1, *end);
                while stop < reference.len() && same(first, stop) {
                    first += 1;
                    stop += 1;
                }
                Change::Deletion {
                    start: first + 1,
                    end: stop,
                }
            }
            Change::Duplication { start, end } => Change::Insertion {
                after: *end,
                residues: reference[start - 1..*end]
                    .iter()
                    .map(|&r| upper(r))
                    .collect(),
            }
            .normalized(reference),
            Change::Insertion { after, residues } => {
                let mut residues: Vec<u8> = residues.iter().map(|&r| upper(r)).collect();
                let mut after = *after;
                // Keep a residue on the right as the insertion's 3' flank.
                while after + 1 < reference.len()
                    && !residues.is_empty()
                    && upper(reference[after]) == residues[0]
                {
                    residues.rotate_left(1);
                    after += 1;
                }
                let length = residues.len();
                let copies_preceding = length > 0
                    && after >= length
                    && reference[after - length..after]
                        .iter()
                        .zip(&residues)
                        .all(|(r, i)| upper(*r) == *i);
                if copies_preceding {
                    Change::Duplication {
                        start: after - length + 1,
                        end: after,
                    }
                } else {
                    Change::Insertion { after, residues }
                }
            }
        }
    }

    /// The HGVS protein description, `p.Ser83Leu`, `p.Gly6_Lys11del`, `p.Lys346_Asp347insAsp`.
    pub(crate) fn hgvs(&self, reference: &[u8]) -> CallText {
        // Written in place, with no formatting machinery: this runs for every call of a run.
        let name = |text: &mut TextBuilder, position: usize| {
            text.push_str(three_letter_code(residue_at(reference, position)));
            text.push_decimal(position);
        };
        let span = |text: &mut TextBuilder, start: usize, end: usize| {
            name(text, start);
            if start != end {
                text.push('_');
                name(text, end);
            }
        };
        let mut text = TextBuilder::default();
        text.push_str("p.");
        match self {
            Change::Substitution { position, alt } => {
                name(&mut text, *position);
                text.push_str(three_letter_code(*alt));
                if residue_at(reference, *position) == b'*' {
                    text.push_str("extTer?");
                }
            }
            Change::Deletion { start, end } => {
                span(&mut text, *start, *end);
                text.push_str("del");
            }
            Change::Duplication { start, end } => {
                span(&mut text, *start, *end);
                text.push_str("dup");
            }
            Change::Insertion { after, residues } => {
                name(&mut text, *after);
                text.push('_');
                name(&mut text, after + 1);
                text.push_str("ins");
                for &residue in residues {
                    text.push_str(three_letter_code(residue));
                }
            }
        }
        text.finish()
    }

    /// The short form: `S83L`, `K141*`, `D87del`, `6_11del`, `346_347insD`, `5_6dup`.
    pub(crate) fn short(&self, reference: &[u8]) -> CallText {
        let mut text = TextBuilder::default();
        let span = |text: &mut TextBuilder, start: usize, end: usize, what: &str| {
            if start == end {
                text.push(residue_at(reference, start) as char);
                text.push_decimal(start);
            } else {
                text.push_decimal(start);
                text.push('_');
                text.push_decimal(end);
            }
            text.push_str(what);
        };
        match self {
            Change::Substitution { position, alt } => {
                text.push(residue_at(reference, *position) as char);
                text.push_decimal(*position);
                text.push(*alt as char);
            }
            Change::Deletion { start, end } => span(&mut text, *start, *end, "del"),
            Change::Duplication { start, end } => span(&mut text, *start, *end, "dup"),
            Change::Insertion { after, residues } => {
                text.push_decimal(*after);
                text.push('_');
                text.push_decimal(after + 1);
                text.push_str("ins");
                text.push_str(&String::from_utf8_lossy(residues));
            }
        }
        text.finish()
    }

    /// The reference residues this change names, with their 1-based positions, for checking a
    /// catalogue entry against the reference.
    pub(crate) fn positions(&self) -> (usize, usize) {
        match self {
            Change::Substitution { position, .. } => (*position, *position),
            Change::Deletion { start, end } | Change::Duplication { start, end } => (*start, *end),
            Change::Insertion { after, .. } => (*after, after + 1),
        }
    }
}

/// A mutation name as written, parsed: the change and the reference residues it states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedName {
    pub change: Change,
    /// (1-based position, residue) pairs the name states for the reference.
    pub stated: Vec<(usize, u8)>,
}

/// Why a mutation name could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NameError(String);

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Rewrites three-letter codes (`Ser`, `Ter`) to one-letter ones; `del`/`ins`/`dup`/`ext` are
/// lower case and never taken for residues.
fn to_one_letter(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    while index < bytes.len() {
        let code = bytes.get(index..index + 3).and_then(|window| {
            THREE_LETTER
                .iter()
                .find(|(_, three)| three.as_bytes() == window)
                .map(|(one, _)| *one)
        });
        match code {
            Some(one) if bytes[index].is_ascii_uppercase() => {
                out.push(one as char);
                index += 3;
            }
            _ => {
                out.push(bytes[index] as char);
                index += 1;
            }
        }
    }
    out
}

/// Parses `S83L`, `K141*`, `K141Ter`, `D87del`, `6_11del`, `G6_K11del`, `346_347insD`,
/// `K346_D347insD`, `5_6dup`, with or without `p.` and in one- or three-letter codes.
pub(crate) fn parse_name(text: &str) -> Result<ParsedName, NameError> {
    let fail = |why: &str| NameError(format!("cannot read mutation '{text}': {why}"));
    let trimmed = text.trim();
    let body = trimmed.strip_prefix("p.").unwrap_or(trimmed);
    let body = body.trim_start_matches('(').trim_end_matches(')');
    let body = to_one_letter(body);
    // Stop-loss extensions are matched on their first residue: `*287QextTer?` is `*287Q`.
    let body = body.split("ext").next().unwrap_or("");
    let (location, operation) = split_operation(body);
    let mut stated = Vec::new();
    let mut positions = Vec::new();
    for part in location.split('_') {
        let digits_at = part
            .find(|c: char| c.is_ascii_digit())
            .ok_or_else(|| fail("no position"))?;
        let (residue, number) = part.split_at(digits_at);
        let position: usize = number
            .parse()
            .ok()
            .filter(|&p| p > 0)
            .ok_or_else(|| fail("bad position"))?;
        match residue.as_bytes() {
            [] => {}
            [one] if one.is_ascii_alphabetic() || *one == b'*' => {
                stated.push((position, upper(*one)));
            }
            _ => return Err(fail("bad residue")),
        }
        positions.push(position);
    }
    let (start, end) = match positions[..] {
        [position] => (position, position),
        [start, end] if start < end => (start, end),
        _ => return Err(fail("bad position range")),
    };
    let residues = |tail: &str| -> Result<Vec<u8>, NameError> {
        let residues: Vec<u8> = tail.bytes().map(upper).collect();
        if residues.is_empty()
            || !residues
                .iter()
                .all(|r| r.is_ascii_alphabetic() || *r == b'*')
        {
            return Err(fail("bad inserted residues"));
        }
        Ok(residues)
    };
    let change = match operation {
        "del" => Change::Deletion { start, end },
        "dup" => Change::Duplication { start, end },
        op if op.starts_with("ins") => {
            if end != start + 1 {
                return Err(fail("an insertion needs two adjacent positions"));
            }
            Change::Insertion {
                after: start,
                residues: residues(&op[3..])?,
            }
        }
        op => {
            let alt = residues(op)?;
            match (alt.as_slice(), start == end) {
                (&[alt], true) => Change::Substitution {
                    position: start,
                    alt,
                },
                _ => return Err(fail("expected one replacement residue")),
            }
        }
    };
    Ok(ParsedName { change, stated })
}

/// Splits `G6_K11del` into (`G6_K11`, `del`) and `S83L` into (`S83`, `L`).
fn split_operation(body: &str) -> (&str, &str) {
    for keyword in ["delins", "del", "dup", "ins"] {
        if let Some(at) = body.find(keyword) {
            return (&body[..at], &body[at..]);
        }
    }
    let last_digit = body
        .rfind(|c: char| c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    (&body[..last_digit], &body[last_digit..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_table_agrees_with_the_list_for_every_byte() {
        for byte in 0..=u8::MAX {
            let listed = THREE_LETTER
                .iter()
                .find(|(one, _)| *one == byte.to_ascii_uppercase())
                .map_or("Xaa", |(_, three)| three);
            assert_eq!(three_letter_code(byte), listed, "{byte}");
        }
    }

    #[test]
    fn substitutions_read_as_the_formatted_text() {
        let reference = b"MSKIQHFRVAL*";
        for position in [1, 2, 9, 10, 12, 13, 1234] {
            for alt in [b'L', b'*'] {
                let change = Change::Substitution { position, alt };
                let was = residue_at(reference, position);
                let mut hgvs = format!(
                    "p.{}{position}{}",
                    three_letter_code(was),
                    three_letter_code(alt)
                );
                if was == b'*' {
                    hgvs.push_str("extTer?");
                }
                assert_eq!(change.hgvs(reference), hgvs);
                assert_eq!(
                    change.short(reference),
                    format!("{}{position}{}", was as char, alt as char)
                );
            }
        }
    }

    #[test]
    fn deletion_shifts_three_prime() {
        let reference = b"MKAAAGW";
        let change = Change::Deletion { start: 3, end: 3 }.normalized(reference);
        assert_eq!(change, Change::Deletion { start: 5, end: 5 });
        assert_eq!(change.hgvs(reference), "p.Ala5del");
    }

    #[test]
    fn insertion_of_a_copy_becomes_dup() {
        let reference = b"MKGAGAW";
        let change = Change::Insertion {
            after: 2,
            residues: b"GA".to_vec(),
        }
        .normalized(reference);
        assert_eq!(change, Change::Duplication { start: 5, end: 6 });
        assert_eq!(change.hgvs(reference), "p.Gly5_Ala6dup");
    }

    #[test]
    fn insertion_shifts_and_keeps_flank() {
        let reference = b"MKDW";
        let change = Change::Insertion {
            after: 2,
            residues: b"DE".to_vec(),
        }
        .normalized(reference);
        assert_eq!(
            change,
            Change::Insertion {
                after: 3,
                residues: b"ED".to_vec()
            }
        );
        assert_eq!(change.hgvs(reference), "p.Asp3_Trp4insGluAsp");
    }

    #[test]
    fn names_parse_in_both_forms() {
        let sub = parse_name("p.Ser83Leu").unwrap();
        assert_eq!(sub, parse_name("S83L").unwrap());
        assert_eq!(
            parse_name("K141*").unwrap().change,
            parse_name("p.Lys141Ter").unwrap().change
        );
        assert_eq!(
            parse_name("G6_K11del").unwrap().change,
            Change::Deletion { start: 6, end: 11 }
        );
        assert_eq!(
            parse_name("346_347insD").unwrap().change,
            parse_name("p.Lys346_Asp347insAsp").unwrap().change
        );
        for bad in ["", "S83", "S0L", "11_6del", "3_5insD", "SxL", "S83LL"] {
            assert!(parse_name(bad).is_err(), "{bad}");
        }
    }
}
