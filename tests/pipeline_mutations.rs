//! Planted mutations in real references are called back exactly: every planted change is found
//! (recall) and nothing else is called (precision), with the HGVS forms an independent
//! brute-force normaliser gives.

mod pipeline_support;

use std::collections::BTreeSet;

use pipeline_support::{REFERENCES, Rng};
use wildtype_aligner::align::Aligner;
use wildtype_aligner::wildtype::{MutationKind, call_mutations, three_letter_code};

/// What a planted change must be called as: kind, HGVS, and every short form that a valid
/// placement of the same change would give (water may place an indel anywhere equivalent).
#[derive(Debug, Clone)]
struct Expected {
    kind: MutationKind,
    hgvs: String,
    shorts: BTreeSet<String>,
}

fn three(residue: u8) -> &'static str {
    three_letter_code(residue)
}

fn span_hgvs(reference: &[u8], start: usize, length: usize, what: &str) -> String {
    if length == 1 {
        format!("p.{}{}{what}", three(reference[start]), start + 1)
    } else {
        format!(
            "p.{}{}_{}{}{what}",
            three(reference[start]),
            start + 1,
            three(reference[start + length - 1]),
            start + length
        )
    }
}

fn substitution(reference: &[u8], at: usize, alt: u8) -> Expected {
    Expected {
        kind: if alt == b'*' {
            MutationKind::Nonsense
        } else {
            MutationKind::Substitution
        },
        hgvs: format!("p.{}{}{}", three(reference[at]), at + 1, three(alt)),
        shorts: [format!(
            "{}{}{}",
            reference[at] as char,
            at + 1,
            alt as char
        )]
        .into(),
    }
}

/// Every start whose deletion of `length` residues gives the same protein; HGVS takes the last.
fn deletion(reference: &[u8], at: usize, length: usize) -> Expected {
    let mutant = [&reference[..at], &reference[at + length..]].concat();
    let starts: Vec<usize> = (0..=reference.len() - length)
        .filter(|&q| [&reference[..q], &reference[q + length..]].concat() == mutant)
        .collect();
    let last = *starts.last().unwrap();
    let short = |q: usize| {
        if length == 1 {
            format!("{}{}del", reference[q] as char, q + 1)
        } else {
            format!("{}_{}del", q + 1, q + length)
        }
    };
    Expected {
        kind: MutationKind::Deletion,
        hgvs: span_hgvs(reference, last, length, "del"),
        shorts: starts.into_iter().map(short).collect(),
    }
}

/// Every (position, residues) insertion giving the same protein; HGVS takes the last, as a
/// duplication when it copies the residues before it.
fn insertion(reference: &[u8], after: usize, residues: &[u8]) -> Expected {
    let length = residues.len();
    let mutant = [&reference[..after], residues, &reference[after..]].concat();
    let placements: Vec<(usize, Vec<u8>)> = (1..reference.len())
        .map(|k| (k, mutant[k..k + length].to_vec()))
        .filter(|(k, inserted)| [&reference[..*k], inserted, &reference[*k..]].concat() == mutant)
        .collect();
    let (k, inserted) = placements.last().unwrap().clone();
    let hgvs = if k >= length && reference[k - length..k] == inserted[..] {
        span_hgvs(reference, k - length, length, "dup")
    } else {
        format!(
            "p.{}{}_{}{}ins{}",
            three(reference[k - 1]),
            k,
            three(reference[k]),
            k + 1,
            inserted.iter().map(|&r| three(r)).collect::<String>()
        )
    };
    Expected {
        kind: MutationKind::Insertion,
        hgvs,
        shorts: placements
            .into_iter()
            .map(|(k, ins)| format!("{k}_{}ins{}", k + 1, String::from_utf8(ins).unwrap()))
            .collect(),
    }
}

/// One synthetic variant: the target and what must be called.
fn plant(reference_with_stop: &[u8], rng: &mut Rng) -> (Vec<u8>, Vec<Expected>) {
    let reference = &reference_with_stop[..reference_with_stop.len() - 1];
    let length = reference.len();
    let mut expected = Vec::new();
    let n_cut = if rng.below(4) == 0 {
        1 + rng.below(15)
    } else {
        0
    };
    let c_cut = if rng.below(3) == 0 {
        Some((length - 1 - rng.below(60), rng.below(2) == 0))
    } else {
        None
    };
    let body_end = c_cut.map_or(length, |(end, _)| end);
    // Sites spaced 15 apart, 20 from either end, so alignments cannot merge neighbours.
    let mut sites = Vec::new();
    let mut position = n_cut + 20 + rng.below(10);
    while position + 20 < body_end && sites.len() < 6 {
        sites.push(position);
        position += 15 + rng.below(40);
    }
    let mut target = Vec::new();
    let mut next = 0;
    for &site in &sites {
        target.extend_from_slice(&reference[next..site]);
        next = site;
        match rng.below(5) {
            0 | 1 => {
                let alt = rng.residue_except(reference[site]);
                target.push(alt);
                expected.push(substitution(reference, site, alt));
                next += 1;
            }
            2 => {
                let run = 1 + rng.below(4);
                expected.push(deletion(reference, site, run));
                next += run;
            }
            3 => {
                let run = 1 + rng.below(3);
                let residues: Vec<u8> = (0..run)
                    .map(|i| {
                        if i == 0 && rng.below(2) == 0 {
                            reference[site - 1] // makes a duplication likely
                        } else {
                            rng.residue_except(b'*')
                        }
                    })
                    .collect();
                target.extend_from_slice(&residues);
                expected.push(insertion(reference, site, &residues));
            }
            _ => {
                target.push(b'*');
                expected.push(substitution(reference, site, b'*'));
                next += 1;
            }
        }
    }
    target.extend_from_slice(&reference[next..body_end]);
    match c_cut {
        Some((end, true)) => {
            target.push(b'*');
            expected.push(substitution(reference, end, b'*'));
        }
        Some((end, false)) => expected.push(Expected {
            kind: MutationKind::CTerminalTruncation,
            hgvs: span_hgvs(reference, end, length - end, "del"),
            shorts: [if end + 1 == length {
                format!("{}{length}del", reference[end] as char)
            } else {
                format!("{}_{length}del", end + 1)
            }]
            .into(),
        }),
        None => {
            if rng.below(2) == 0 {
                target.push(b'*');
            }
        }
    }
    if n_cut > 0 {
        target.drain(..n_cut);
        expected.insert(
            0,
            Expected {
                kind: MutationKind::NTerminalTruncation,
                hgvs: span_hgvs(reference, 0, n_cut, "del"),
                shorts: [if n_cut == 1 {
                    format!("{}1del", reference[0] as char)
                } else {
                    format!("1_{n_cut}del")
                }]
                .into(),
            },
        );
    }
    (target, expected)
}

#[test]
fn planted_mutations_are_called_back_exactly() {
    let aligner = Aligner::builder().build().unwrap();
    let mut rng = Rng::new(7);
    let (mut planted, mut called, mut matched) = (0usize, 0usize, 0usize);
    let mut kinds = BTreeSet::new();
    let (mut duplications, mut ambiguous_indels) = (0usize, 0usize);
    let mut failures = Vec::new();
    for variant in 0..1000 {
        let (gene, _, protein) = REFERENCES[variant % REFERENCES.len()];
        let reference = protein.as_bytes();
        let (target, expected) = plant(reference, &mut rng);
        let alignment = aligner.align(&target, reference).unwrap();
        let calls = call_mutations(&target, reference, &alignment).unwrap();
        planted += expected.len();
        called += calls.len();
        let mut unmatched: Vec<&Expected> = expected.iter().collect();
        for call in &calls {
            let hit = unmatched.iter().position(|e| {
                e.kind == call.kind
                    && e.hgvs == call.hgvs
                    && e.shorts.iter().any(|short| *short == call.mutation)
            });
            match hit {
                Some(index) => {
                    duplications += usize::from(call.hgvs.ends_with("dup"));
                    ambiguous_indels += usize::from(unmatched[index].shorts.len() > 1);
                    kinds.insert(format!("{:?}", call.kind));
                    unmatched.remove(index);
                    matched += 1;
                }
                None => failures.push(format!(
                    "{gene} variant {variant}: unexpected call {} {}",
                    call.mutation, call.hgvs
                )),
            }
        }
        for missing in unmatched {
            failures.push(format!(
                "{gene} variant {variant}: missed {:?} {} {:?}",
                missing.kind, missing.hgvs, missing.shorts
            ));
        }
    }
    let recall = 100.0 * matched as f64 / planted as f64;
    let precision = 100.0 * matched as f64 / called.max(1) as f64;
    eprintln!(
        "planted {planted}, called {called}, matched {matched}: recall {recall:.2}%, precision {precision:.2}%; kinds {kinds:?}; {duplications} duplications, {ambiguous_indels} indels with several placements"
    );
    assert!(duplications > 0 && ambiguous_indels > 0);
    assert!(
        failures.is_empty(),
        "{}",
        failures[..failures.len().min(20)].join("\n")
    );
    assert_eq!(
        kinds.len(),
        6,
        "every kind of change was planted and called: {kinds:?}"
    );
}
