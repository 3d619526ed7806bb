//! Header and table parsers never panic: water's name and accession rules
//! (`seq::emboss_name`, `seq::emboss_accession`, `Sequence::from_fasta`), the pipeline's target
//! headers (`TargetHeader`), gene rules (`GeneRule`), accession-to-gene tables (`GeneMap`) and
//! the known-mutation catalogue, parsed and then checked against a reference as the pipeline
//! does.
//!
//! Input layout: UTF-8 text (invalid bytes replaced); each line is tried as a header, the
//! whole text as a table and a catalogue; the first `#` line (a comment to the catalogue)
//! without its `#` is the reference the catalogue is checked against.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wildtype_aligner::seq::{self, HeaderName, NameCounter, Sequence};
use wildtype_aligner::wildtype::{Catalogue, GeneMap, GeneRule, TargetHeader, fuzzing};

fuzz_target!(|input: &[u8]| {
    let text = String::from_utf8_lossy(input);
    let mut counter = NameCounter::new();
    let lines: Vec<&str> = text.lines().take(64).collect();
    for line in &lines {
        let line = line.strip_prefix('>').unwrap_or(line);
        match seq::emboss_name(line) {
            HeaderName::Named(_) | HeaderName::Numbered | HeaderName::Unreadable(_) => {}
        }
        let _ = seq::emboss_accession(line);
        if let Ok(sequence) = Sequence::from_fasta(line, line.as_bytes(), &mut counter) {
            let _ = (
                sequence.name(),
                sequence.description(),
                sequence.accession(),
            );
            let _ = sequence.fasta_description();
        }
        if let Ok(header) = TargetHeader::parse(line) {
            assert!(header.start <= header.end);
        }
    }

    // Rules as a user writes them (`--gene-rule field:2`), and as a caller could build them.
    let mut rules: Vec<GeneRule> = lines.iter().filter_map(|l| l.parse().ok()).collect();
    rules.truncate(4);
    for n in 0..3 {
        rules.push(GeneRule::Field(n));
        rules.push(GeneRule::Word(n));
    }
    for rule in &rules {
        let shown = rule.to_string();
        if !matches!(rule, GeneRule::Field(0) | GeneRule::Word(0)) {
            assert_eq!(shown.parse::<GeneRule>().ok().as_ref(), Some(rule));
        }
        for line in &lines {
            if let Some(gene) = rule.apply(line) {
                assert!(!gene.is_empty());
            }
        }
    }

    let _ = GeneMap::parse("map.tsv", &text);
    if let Ok(catalogue) = Catalogue::parse("known.tsv", &text) {
        for entry in catalogue.entries() {
            let _ = (entry.gene(), entry.mutation(), entry.annotation_text());
        }
        let reference = lines
            .iter()
            .find_map(|line| line.strip_prefix('#'))
            .unwrap_or("")
            .as_bytes();
        if let Ok(hgvs) = fuzzing::resolve_catalogue(&catalogue, reference) {
            assert_eq!(hgvs.len(), catalogue.entries().len());
        }
    }
});
