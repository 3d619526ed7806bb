//! The report's figures summed up a row at a time, by one [`Collector`] fed either from the
//! finished tables ([`super::render_report`]) or from the run's results as they are made (the
//! pipeline): both feed it the same fields in the same order, so both give the same page.
//!
//! The rows' rule: a target counts once per mutated position; the rows of one target are
//! adjacent in `mutations.tsv`, so adjacent rows with the same accession, gene and reference
//! are one target (synonymous notes are not fed, and do not part them).

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::sync::Arc;

use super::super::mutation::MutationKind;
use super::super::records::TargetResult;
use super::figures::{Call, Catalogued, GeneSummary, Phenotypes, RunTables, Site, TIERS};

/// A multiply-rotate hash of 8-byte words (as rustc's own `FxHasher`): the collector hashes
/// short names, references and accessions millions of times. Not resistant to crafted
/// collisions, which would only make a report of crafted tables slower.
#[derive(Default, Clone, Copy)]
pub(super) struct WordHasher(u64);

impl WordHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for WordHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut array = [0; 8];
            array.copy_from_slice(word);
            self.add(u64::from_le_bytes(array));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut array = [0; 8];
            array[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(array));
        }
    }

    #[inline]
    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }

    #[inline]
    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type WordMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// The hash of a call's name that [`Site::add`] looks it up by.
pub(super) fn name_hash(name: &str) -> u64 {
    let mut hasher = WordHasher::default();
    hasher.write(name.as_bytes());
    hasher.add(name.len() as u64);
    hasher.finish()
}

/// Hashes a `u64` that is a hash already: itself.
#[derive(Default, Clone, Copy)]
struct Rehash(u64);

impl Hasher for Rehash {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 << 8) | u64::from(byte);
        }
    }

    #[inline]
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
/// Distinct texts (the run's accessions), counted without an allocation each: the texts in
/// one buffer, found by their hash. A set of boxed strings cost an allocation per target and,
/// at the end of a 100K run, several milliseconds to free on the thread everyone waits for.
#[derive(Default)]
struct DistinctTexts {
    text: String,
    /// Where each text ends in `text` (it starts where the one before ends).
    ends: Vec<usize>,
    /// Each hash's first text; `next` links the others with that hash.
    first: HashMap<u64, usize, BuildHasherDefault<Rehash>>,
    next: Vec<Option<usize>>,
}

impl DistinctTexts {
    fn get(&self, index: usize) -> &str {
        let start = index.checked_sub(1).map_or(0, |before| self.ends[before]);
        &self.text[start..self.ends[index]]
    }

    /// Adds `text` unless it is there already.
    fn insert(&mut self, text: &str) {
        self.insert_hashed(text, name_hash(text));
    }

    fn insert_hashed(&mut self, text: &str, hash: u64) {
        let mut at = self.first.get(&hash).copied();
        while let Some(index) = at {
            if self.get(index) == text {
                return;
            }
            at = self.next[index];
        }
        let index = self.ends.len();
        self.text.push_str(text);
        self.ends.push(self.text.len());
        // The new text heads its hash's list.
        self.next.push(self.first.insert(hash, index));
    }

    fn len(&self) -> usize {
        self.ends.len()
    }
}

/// Positions below this are held in a vector indexed by position; the few beyond it (only a
/// hand-made table has them) in a map.
const DENSE_POSITIONS: usize = 1 << 16;

/// A site's distinct calls are looked up by a scan of their hashes up to this many, then
/// through a map.
const SCANNED_CALLS: usize = 64;

/// A name of up to 15 bytes with its length, compared without reading the name's own
/// memory; [`LONG_NAME`] for longer names.
fn short_name(name: &str) -> u128 {
    let bytes = name.as_bytes();
    if bytes.len() > 15 {
        return LONG_NAME;
    }
    let mut array = [0; 16];
    array[..bytes.len()].copy_from_slice(bytes);
    array[15] = bytes.len() as u8;
    u128::from_le_bytes(array)
}

/// The [`short_name`] of every longer name (a length byte no short name has).
const LONG_NAME: u128 = u128::MAX;

/// A site while rows come in: what [`Site`] becomes, laid out for the look-up of a call by
/// its name (the hashes scanned first, then one entry read; the names themselves only for
/// names too long to be packed).
#[derive(Default)]
struct Gathered {
    targets: usize,
    hashes: Vec<u64>,
    entries: Vec<Entry>,
    names: Vec<String>,
    /// Where each hash is first in `hashes`, once there are many.
    map: Option<HashMap<u64, usize, BuildHasherDefault<Rehash>>>,
}

/// A call at a site: its [`short_name`], targets and catalogue state.
struct Entry {
    short: u128,
    targets: usize,
    catalogued: Catalogued,
}

impl Gathered {
    /// Counts one more target with the call `name`, whose [`name_hash`] is `hash`.
    fn add(&mut self, name: &str, hash: u64, catalogued: Catalogued) {
        let short = short_name(name);
        let is_at = |site: &Gathered, at: usize| {
            site.entries[at].short == short && (short != LONG_NAME || site.names[at] == name)
        };
        let scan = |site: &Gathered| {
            let mut from = 0;
            while let Some(offset) = site.hashes[from..].iter().position(|&h| h == hash) {
                if is_at(site, from + offset) {
                    return Some(from + offset);
                }
                from += offset + 1;
            }
            None
        };
        let found = match &self.map {
            // A hash shared by two names (the map holds the first) is found by the scan.
            Some(map) => match map.get(&hash) {
                Some(&at) if is_at(self, at) => Some(at),
                Some(_) => scan(self),
                None => None,
            },
            None => scan(self),
        };
        match found {
            Some(at) => {
                let entry = &mut self.entries[at];
                entry.targets += 1;
                entry.catalogued = entry.catalogued.max(catalogued);
            }
            None => {
                let at = self.entries.len();
                if let Some(map) = &mut self.map {
                    map.entry(hash).or_insert(at);
                } else if at == SCANNED_CALLS {
                    let mut map = HashMap::default();
                    for (earlier, &other) in self.hashes.iter().enumerate().rev() {
                        map.insert(other, earlier);
                    }
                    map.entry(hash).or_insert(at);
                    self.map = Some(map);
                }
                self.hashes.push(hash);
                self.entries.push(Entry {
                    short,
                    targets: 1,
                    catalogued,
                });
                self.names.push(name.to_owned());
            }
        }
    }

    fn into_site(self) -> Site {
        Site {
            targets: self.targets,
            calls: self
                .names
                .into_iter()
                .zip(self.entries)
                .map(|(name, entry)| Call {
                    name,
                    targets: entry.targets,
                    catalogued: entry.catalogued,
                })
                .collect(),
        }
    }
}

/// A reference's (or gene's) figures while rows come in.
#[derive(Default)]
struct Gathering {
    gene: String,
    reference: String,
    length: usize,
    tiers: [usize; 4],
    /// Sites by position below [`DENSE_POSITIONS`] (no calls: no site there).
    dense: Vec<Gathered>,
    /// Sites at positions beyond.
    sparse: BTreeMap<usize, Gathered>,
}

impl Gathering {
    fn site(&mut self, position: usize) -> &mut Gathered {
        if position < DENSE_POSITIONS {
            if self.dense.len() <= position {
                self.dense.resize_with(position + 1, Gathered::default);
            }
            &mut self.dense[position]
        } else {
            self.sparse.entry(position).or_default()
        }
    }

    fn into_summary(self) -> GeneSummary {
        let mut sites: BTreeMap<usize, Site> = self
            .dense
            .into_iter()
            .enumerate()
            .filter(|(_, site)| !site.entries.is_empty())
            .map(|(position, site)| (position, site.into_site()))
            .collect();
        sites.extend(
            self.sparse
                .into_iter()
                .map(|(position, site)| (position, site.into_site())),
        );
        GeneSummary {
            gene: self.gene,
            reference: self.reference,
            length: self.length,
            tiers: self.tiers,
            sites,
        }
    }
}

/// The (accession, gene, reference) of the last call fed, and what it counted.
struct Current {
    key: [String; 3],
    /// Where its reference's figures are.
    at: usize,
    /// Positions it was counted at.
    counted: Vec<usize>,
}

/// Sums up rows of `alignments.tsv` and `mutations.tsv` (as text, the tables' own fields) into
/// the report's figures; see the module's doc for the rule.
#[derive(Default)]
pub(crate) struct Collector {
    genes: Vec<Gathering>,
    by_reference: WordMap<Box<str>, usize>,
    /// Genes of rows without a reference.
    by_gene: WordMap<Box<str>, usize>,
    accessions: DistinctTexts,
    targets: usize,
    calls: usize,
    current: Option<Current>,
}

impl Collector {
    /// The figures of a row's reference (or, without one, of its gene), made when new.
    fn gene_of(&mut self, gene: &str, reference: &str) -> usize {
        let (map, key) = if reference.is_empty() {
            (&mut self.by_gene, gene)
        } else {
            (&mut self.by_reference, reference)
        };
        if let Some(&at) = map.get(key) {
            return at;
        }
        map.insert(key.into(), self.genes.len());
        self.genes.push(Gathering {
            gene: if gene.is_empty() { "(no gene)" } else { gene }.to_owned(),
            reference: reference.to_owned(),
            ..Gathering::default()
        });
        self.genes.len() - 1
    }

    /// One row of `alignments.tsv`; `tier` as the table writes it.
    pub(super) fn alignment(
        &mut self,
        accession: &str,
        gene: &str,
        reference: &str,
        length: Option<usize>,
        tier: &str,
    ) {
        self.targets += 1;
        self.accessions.insert(accession);
        let at = self.gene_of(gene, reference);
        let figures = &mut self.genes[at];
        if figures.length == 0
            && let Some(length) = length
        {
            figures.length = length;
        }
        let slot = TIERS.iter().position(|name| *name == tier).unwrap_or(3);
        figures.tiers[slot] += 1;
    }

    /// One row of `mutations.tsv` that is not a synonymous note: its accession, gene and
    /// reference (`None`: the same as the call fed before), its call's name with its
    /// [`name_hash`], position and catalogue column.
    pub(super) fn mutation(
        &mut self,
        key: Option<[&str; 3]>,
        (name, hash): (&str, u64),
        position: usize,
        catalogued: Catalogued,
    ) {
        self.calls += 1;
        if let Some([accession, gene, reference]) = key
            && !self.current.as_ref().is_some_and(|current| {
                current.key[0] == accession && current.key[1] == gene && current.key[2] == reference
            })
        {
            let at = self.gene_of(gene, reference);
            let current = self.current.get_or_insert_with(|| Current {
                key: Default::default(),
                at,
                counted: Vec::new(),
            });
            for (held, new) in current.key.iter_mut().zip([accession, gene, reference]) {
                held.clear();
                held.push_str(new);
            }
            current.at = at;
            current.counted.clear();
        }
        let Some(current) = self.current.as_mut() else {
            unreachable!("the first call fed names its key");
        };
        let site = self.genes[current.at].site(position);
        if !current.counted.contains(&position) {
            current.counted.push(position);
            site.targets += 1;
        }
        site.add(name, hash, catalogued);
    }

    /// The figures, with the manifest's `references` (gene, id, length) first in its order,
    /// then the genes and references met only in the rows, in the order they were met.
    pub(super) fn finish(
        self,
        references: &[(String, String, usize)],
        phenotypes: Option<Phenotypes>,
    ) -> RunTables {
        let mut gathered: Vec<Option<Gathering>> = self.genes.into_iter().map(Some).collect();
        let mut genes = Vec::with_capacity(gathered.len() + references.len());
        for (gene, id, length) in references {
            let mut summary = self
                .by_reference
                .get(id.as_str())
                .and_then(|&at| gathered[at].take())
                .map(Gathering::into_summary)
                .unwrap_or_default();
            summary.gene = gene.clone();
            summary.reference = id.clone();
            if *length != 0 {
                summary.length = *length;
            }
            genes.push(summary);
        }
        genes.extend(gathered.into_iter().flatten().map(Gathering::into_summary));
        RunTables {
            genes,
            targets: self.targets,
            accessions: self.accessions.len(),
            calls: self.calls,
            phenotypes,
        }
    }
}

/// `text` as a TSV field holds it: control bytes turned to spaces (as `render::tsv_text`).
fn push_field(out: &mut String, text: &str) -> Range<u32> {
    let start = out.len() as u32;
    if text.bytes().any(|b| b < 0x20 || b == 0x7f) {
        out.extend(text.chars().map(|c| {
            if (c as u32) < 0x20 || c == '\x7f' {
                ' '
            } else {
                c
            }
        }));
    } else {
        out.push_str(text);
    }
    start..out.len() as u32
}

/// What the report needs of a slice of results, copied out on the worker thread that made
/// them (text into one buffer: no allocation per row once the buffers have grown), to be fed
/// to the [`Collector`] in input order by the thread that writes the tables.
#[derive(Debug, Default)]
pub(crate) struct ReportRows {
    text: String,
    targets: Vec<TargetRow>,
    calls: Vec<CallRow>,
}

#[derive(Debug)]
struct TargetRow {
    /// Accession, gene, reference, as the tables write them.
    key: [Range<u32>; 3],
    length: Option<usize>,
    tier: &'static str,
    /// Its calls in `calls` (synonymous notes left out).
    calls: Range<u32>,
}

#[derive(Debug)]
struct CallRow {
    /// The call's accession, gene, reference: its target's unless they differ.
    key: Option<[Range<u32>; 3]>,
    name: Range<u32>,
    /// The name's [`name_hash`].
    hash: u64,
    position: usize,
    catalogued: Catalogued,
}

impl ReportRows {
    /// Empties the buffers, keeping their capacity.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.targets.clear();
        self.calls.clear();
    }

    /// Copies out what the report needs of `result`.
    pub(crate) fn add(&mut self, result: &TargetResult) {
        let record = &result.record;
        let text = &mut self.text;
        let key = [
            push_field(text, &record.accession),
            push_field(text, record.gene.as_deref().unwrap_or("")),
            push_field(text, record.reference.as_deref().unwrap_or("")),
        ];
        let first = self.calls.len() as u32;
        for mutation in &result.mutations {
            let call = &mutation.call;
            if call.kind == MutationKind::Synonymous {
                continue;
            }
            let same = |mine: &Arc<str>, theirs: Option<&Arc<str>>| {
                theirs.is_some_and(|theirs| Arc::ptr_eq(mine, theirs) || mine == theirs)
            };
            let own = !(same(&mutation.accession, Some(&record.accession))
                && same(&mutation.gene, record.gene.as_ref())
                && same(&mutation.reference, record.reference.as_ref()));
            let own_key = own.then(|| {
                [
                    push_field(text, &mutation.accession),
                    push_field(text, &mutation.gene),
                    push_field(text, &mutation.reference),
                ]
            });
            let name = push_field(text, &call.mutation);
            self.calls.push(CallRow {
                key: own_key,
                hash: name_hash(&text[name.start as usize..name.end as usize]),
                name,
                position: call.reference_start,
                catalogued: Catalogued::from_column(mutation.catalogue.unwrap_or("")),
            });
        }
        self.targets.push(TargetRow {
            key,
            length: record.reference_length,
            tier: record.tier.as_str(),
            calls: first..self.calls.len() as u32,
        });
    }

    /// Feeds the rows to `collector`: each target's alignment row, then its calls.
    pub(crate) fn feed(&self, collector: &mut Collector) {
        let text = |range: &Range<u32>| &self.text[range.start as usize..range.end as usize];
        for target in &self.targets {
            let key = target.key.each_ref().map(text);
            collector.alignment(key[0], key[1], key[2], target.length, target.tier);
            // The target's first call names the key, and so does a call with its own (and
            // the call after it); the others share the key of the call before.
            let mut named = false;
            for call in &self.calls[target.calls.start as usize..target.calls.end as usize] {
                let call_key = match &call.key {
                    Some(own) => {
                        named = false;
                        Some(own.each_ref().map(text))
                    }
                    None if !named => {
                        named = true;
                        Some(key)
                    }
                    None => None,
                };
                let name = (text(&call.name), call.hash);
                collector.mutation(call_key, name, call.position, call.catalogued);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Calls at one site counted naively: (name, targets, catalogued), first-seen order.
    fn naive(calls: &[(String, Catalogued)]) -> Vec<(String, usize, Catalogued)> {
        let mut counted: Vec<(String, usize, Catalogued)> = Vec::new();
        for (name, catalogued) in calls {
            match counted.iter_mut().find(|(other, ..)| other == name) {
                Some(entry) => {
                    entry.1 += 1;
                    entry.2 = entry.2.max(*catalogued);
                }
                None => counted.push((name.clone(), 1, *catalogued)),
            }
        }
        counted
    }

    fn gathered(site: Gathered) -> Vec<(String, usize, Catalogued)> {
        site.into_site()
            .calls
            .into_iter()
            .map(|call| (call.name, call.targets, call.catalogued))
            .collect()
    }

    #[test]
    fn a_site_counts_each_name_in_first_seen_order_past_the_scan_and_when_hashes_collide() {
        // 200 distinct names (the map takes over after 64), short and long (over 15 bytes),
        // seen again and again in a scrambled order.
        let names: Vec<String> = (0..200)
            .map(|i| match i % 3 {
                0 => format!("S{i}L"),
                1 => format!("{i}_{}del", i + 7),
                _ => format!("{i}_{}insKLMNOPQRSTUVW", i + 1),
            })
            .collect();
        let mut calls = Vec::new();
        let mut state = 7_u64;
        for _ in 0..5_000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let pick = (state >> 33) as usize % names.len();
            let catalogued = match (state >> 20) % 3 {
                0 => Catalogued::Unknown,
                1 => Catalogued::Novel,
                _ => Catalogued::Known,
            };
            calls.push((names[pick].clone(), catalogued));
        }
        let mut site = Gathered::default();
        for (name, catalogued) in &calls {
            site.add(name, name_hash(name), *catalogued);
        }
        assert_eq!(gathered(site), naive(&calls));

        // Every name given the same hash: still told apart, before and past the scan.
        let mut site = Gathered::default();
        for (name, catalogued) in &calls {
            site.add(name, 42, *catalogued);
        }
        assert_eq!(gathered(site), naive(&calls));
    }

    #[test]
    fn distinct_texts_are_counted_once_when_hashes_differ_and_when_they_collide() {
        let texts: Vec<String> = (0..3_000).map(|i| format!("WP_{}.1", i % 1_000)).collect();
        let mut by_hash = DistinctTexts::default();
        let mut colliding = DistinctTexts::default();
        for text in &texts {
            by_hash.insert(text);
            // Three hashes for all of them (by length): long chains of different texts.
            colliding.insert_hashed(text, text.len() as u64 % 3);
        }
        let expected: std::collections::HashSet<&String> = texts.iter().collect();
        assert_eq!(by_hash.len(), expected.len());
        assert_eq!(colliding.len(), expected.len());
        for set in [&by_hash, &colliding] {
            let held: std::collections::HashSet<&str> =
                (0..set.len()).map(|i| set.get(i)).collect();
            assert_eq!(held.len(), set.len());
            assert!(held.iter().all(|text| expected.contains(&text.to_string())));
        }
        let mut empty = DistinctTexts::default();
        empty.insert("");
        empty.insert("");
        assert_eq!((empty.len(), empty.get(0)), (1, ""));
    }

    #[test]
    fn short_names_are_packed_with_their_length() {
        assert_ne!(short_name("A"), short_name("A\0"));
        assert_ne!(short_name(""), LONG_NAME);
        assert_eq!(short_name("123456789012345"), short_name("123456789012345"));
        assert_eq!(short_name("1234567890123456"), LONG_NAME);
    }

    #[test]
    fn rows_fed_from_results_count_adjacent_calls_of_one_key_once_per_position() {
        let mut collector = Collector::default();
        collector.alignment("a", "gyrA", "gyrA_1", Some(875), "HIGH");
        collector.alignment("a", "gyrA", "gyrA_1", Some(875), "LOW");
        collector.alignment("b", "parC", "", None, "FAILED");
        let key = Some(["a", "gyrA", "gyrA_1"]);
        // Two adjacent targets with one key (two copies of a gene in one genome): one target.
        collector.mutation(key, ("S83L", name_hash("S83L")), 83, Catalogued::Known);
        collector.mutation(None, ("S83W", name_hash("S83W")), 83, Catalogued::Novel);
        collector.mutation(key, ("S83L", name_hash("S83L")), 83, Catalogued::Known);
        collector.mutation(
            Some(["c", "gyrA", "gyrA_1"]),
            ("S83L", name_hash("S83L")),
            83,
            Catalogued::Novel,
        );
        let tables = collector.finish(&[("gyrA".into(), "gyrA_1".into(), 0)], None);
        assert_eq!((tables.targets, tables.accessions, tables.calls), (3, 2, 4));
        let gyra = &tables.genes[0];
        assert_eq!((gyra.length, gyra.tiers), (875, [1, 0, 1, 0]));
        let site = &gyra.sites[&83];
        assert_eq!(site.targets, 2);
        let calls: Vec<_> = site
            .calls
            .iter()
            .map(|c| (c.name.as_str(), c.targets, c.catalogued))
            .collect();
        assert_eq!(
            calls,
            [
                ("S83L", 3, Catalogued::Known),
                ("S83W", 1, Catalogued::Novel)
            ]
        );
        assert_eq!(tables.genes[1].gene, "parC");
    }
}
