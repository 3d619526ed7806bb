//! Synthetic genome assemblies with planted truth: the species' real PointFinder genes in a
//! random background, changed in known ways, and a table of every call a correct caller makes.
//!
//! Deterministic: the same species, [`GenomeSpec`], seed and name give the same bytes on every
//! machine (SplitMix64, no other source of randomness).
//!
//! # What a genome holds
//!
//! - Background: `spec.size` bases (GC about 50 %) in `spec.contigs` contigs of uneven length,
//!   named `<genome>_contig_<n>`.
//! - Each coding gene of the species once (the real reference record, both strands), with
//!   planted changes (see [`Kinds`]): missense substitutions (the catalogued resistance ones
//!   too: gyrA S83L and D87N, parC S80I and E84V in E. coli), synonymous codon changes, one
//!   premature stop, one in-frame deletion and one insertion (1-3 codons, placed where the
//!   notation is unambiguous), one frameshift (one base deleted or inserted), one run of N
//!   inside a gene. Changes sit at least 8 codons apart; in a gene with a stop or a frameshift
//!   every other change lies before it.
//! - Paralog decoys: a diverged second copy of gyrA, parC, gyrB and parE (85-95 % of codons
//!   kept; the others changed to a random sense codon), each with its own copy id.
//! - Seven rRNA operons (16S, spacer, 23S on one strand); each 16S copy is taken from one of
//!   the species' 16S references (so copies differ naturally), each 23S from the 23S
//!   reference; RNA changes (23S r.2058A>G in the first operon, 16S-rrsB r.1408A>G, random
//!   ones) planted in some copies.
//! - The promoter record (E. coli's ampC: 53 promoter bases and the start of the gene) with
//!   n.-42C>T (catalogued) and one random promoter change.
//! - Copies cut at a contig end (one at a contig's start, one at a contig's end), one gene
//!   split across two contigs, runs of N between genes (scaffold gaps), one gene absent in
//!   every third genome (not gyrA/gyrB/parC/parE), some contigs in lower case.
//!
//! # Truth TSV (`<genome>.truth.tsv`)
//!
//! One header line, then one row per expected call and one row per copy:
//!
//! | column | meaning |
//! |---|---|
//! | `genome` | the genome's name |
//! | `gene` | the gene (`gyrA`, `16S-rrsB`, `ampC-promoter-size-53bp`) |
//! | `reference` | the reference record the copy was taken from (`gyrA_1_CP073768.1`) |
//! | `copy` | copy id, `<gene>.<n>` (the parts of a split copy share it) |
//! | `contig` | the contig's name (empty for an absent gene) |
//! | `start`, `end` | 1-based inclusive on the contig as written: the copy's planted bases (whole gene, stop codon included; the kept bases of a cut copy), or the changed bases of a call (for a deletion, the two bases around it) |
//! | `strand` | `+` or `-`, the strand the gene reads on |
//! | `kind` | `copy`, `substitution`, `synonymous`, `stop`, `deletion`, `insertion`, `frameshift`, `n_run`, `rna`, `promoter` |
//! | `call` | for `copy`: `whole`, `partial`, `split_part`, `paralog` or `absent`; otherwise the call in reference numbering: `S83L`, `S83=`, `K141*`, `L361_L362del`, `S117del`, `G276_G277insL`, `p.L194fs`, `r.2058A>G`, `n.-42C>T`; for `n_run` the reference codons read as X, `101_109` |
//! | `codon_change` | `TCG>TTG`; `CTGCTG>del`, `ins>CTG`; for a frameshift the gene nucleotide change, `c.581delT` or `c.581_582insA`; for `n_run` the gene bases, `c.301_325N` |
//! | `note` | `;`-separated: on copy rows `cut_at_start`, `cut_at_stop`, `part=1/2`, `identity=0.912` (protein identity of a paralog or a copy with changes), `stop`, `frameshift`, `n_run`, `lower_case` |

use std::fmt::Write as _;
use std::io::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use wildtype_aligner::wildtype::genome::{
    GeneKind, ReferenceGene, Species, reverse_complement, translate_codon,
};

/// A failed generator step, with a message that names the file.
pub type GenError = Box<dyn std::error::Error + Send + Sync>;

/// The columns of the truth TSV, in order.
pub const TRUTH_HEADER: &str =
    "genome\tgene\treference\tcopy\tcontig\tstart\tend\tstrand\tkind\tcall\tcodon_change\tnote";

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `range` (not empty).
    pub fn within(&mut self, range: Range<usize>) -> usize {
        range.start + self.below(range.len())
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// A random base.
    pub fn base(&mut self) -> u8 {
        b"ACGT"[self.below(4)]
    }

    /// `length` random bases, GC about 50 %.
    pub fn dna(&mut self, length: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(length);
        while out.len() < length {
            let bits = self.next_u64();
            for k in 0..32 {
                if out.len() == length {
                    break;
                }
                out.push(b"ACGT"[(bits >> (2 * k)) as usize & 3]);
            }
        }
        out
    }

    /// A sense codon coding for another amino acid than `codon` (missense), or for the same
    /// one but spelled differently (synonymous).
    pub fn codon(&mut self, codon: &[u8], synonymous: bool) -> Option<[u8; 3]> {
        let aa = translate_codon(codon);
        let start = self.below(64);
        (0..64).map(|k| (start + k) % 64).find_map(|i| {
            let candidate = [b"ACGT"[i >> 4], b"ACGT"[(i >> 2) & 3], b"ACGT"[i & 3]];
            let new = translate_codon(&candidate);
            let fits = if synonymous {
                new == aa && candidate != codon[..3]
            } else {
                new != aa && new != b'*'
            };
            fits.then_some(candidate)
        })
    }
}

/// Which kinds of change and structure a genome gets. [`Kinds::all`] turns everything on,
/// [`Kinds::plain`] keeps the intact real genes and missense substitutions only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kinds {
    /// Missense substitutions, catalogued ones included.
    pub substitutions: bool,
    /// Synonymous codon changes.
    pub synonymous: bool,
    /// One premature stop codon.
    pub stops: bool,
    /// One in-frame deletion and one insertion.
    pub indels: bool,
    /// One frameshift.
    pub frameshifts: bool,
    /// Runs of N in a gene and between genes.
    pub n_runs: bool,
    /// Diverged second copies of gyrA, parC, gyrB and parE.
    pub paralogs: bool,
    /// Copies cut at contig ends.
    pub partial: bool,
    /// One gene split across two contigs.
    pub split: bool,
    /// One gene absent in every third genome.
    pub absent: bool,
    /// Some contigs in lower case.
    pub lower_case: bool,
    /// rRNA operons with RNA changes.
    pub rna: bool,
    /// The promoter with promoter changes.
    pub promoter: bool,
}

impl Kinds {
    /// Every kind on.
    pub fn all() -> Self {
        Kinds {
            substitutions: true,
            synonymous: true,
            stops: true,
            indels: true,
            frameshifts: true,
            n_runs: true,
            paralogs: true,
            partial: true,
            split: true,
            absent: true,
            lower_case: true,
            rna: true,
            promoter: true,
        }
    }

    /// The real genes, whole, with missense substitutions only.
    pub fn plain() -> Self {
        Kinds {
            substitutions: true,
            synonymous: false,
            stops: false,
            indels: false,
            frameshifts: false,
            n_runs: false,
            paralogs: false,
            partial: false,
            split: false,
            absent: false,
            lower_case: false,
            rna: false,
            promoter: false,
        }
    }

    /// Turns off the kinds named in a comma list (`frameshifts,rna`); an unknown name is an
    /// error naming it.
    pub fn without(mut self, names: &str) -> Result<Self, GenError> {
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let flag = match name {
                "substitutions" => &mut self.substitutions,
                "synonymous" => &mut self.synonymous,
                "stops" => &mut self.stops,
                "indels" => &mut self.indels,
                "frameshifts" => &mut self.frameshifts,
                "n_runs" => &mut self.n_runs,
                "paralogs" => &mut self.paralogs,
                "partial" => &mut self.partial,
                "split" => &mut self.split,
                "absent" => &mut self.absent,
                "lower_case" => &mut self.lower_case,
                "rna" => &mut self.rna,
                "promoter" => &mut self.promoter,
                other => return Err(format!("unknown kind {other:?}").into()),
            };
            *flag = false;
        }
        Ok(self)
    }
}

/// Size and content of a genome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenomeSpec {
    /// Total bases, about (genes are added to the background's share).
    pub size: usize,
    /// Number of contigs.
    pub contigs: usize,
    /// What is planted.
    pub kinds: Kinds,
}

/// One row of the truth table (see the module notes for the columns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthRow {
    pub genome: String,
    pub gene: String,
    pub reference: String,
    pub copy: String,
    pub contig: String,
    /// 1-based inclusive.
    pub start: usize,
    pub end: usize,
    pub strand: char,
    pub kind: String,
    pub call: String,
    pub codon_change: String,
    pub note: String,
}

impl TruthRow {
    /// Whether the note holds this `;`-separated token (or `token=` value).
    pub fn has_note(&self, token: &str) -> bool {
        self.note
            .split(';')
            .any(|t| t == token || t.split_once('=').is_some_and(|(k, _)| k == token))
    }

    /// The value of a `key=value` note.
    pub fn note_value(&self, key: &str) -> Option<&str> {
        self.note
            .split(';')
            .find_map(|t| t.split_once('=').filter(|(k, _)| *k == key).map(|(_, v)| v))
    }

    fn line(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            self.genome,
            self.gene,
            self.reference,
            self.copy,
            self.contig,
            self.start,
            self.end,
            self.strand,
            self.kind,
            self.call,
            self.codon_change,
            self.note
        )
    }
}

/// A generated genome: its contigs and its truth.
#[derive(Debug, Clone)]
pub struct Genome {
    pub name: String,
    pub contigs: Vec<(String, Vec<u8>)>,
    pub truth: Vec<TruthRow>,
}

impl Genome {
    /// Total bases.
    pub fn size(&self) -> usize {
        self.contigs.iter().map(|(_, s)| s.len()).sum()
    }

    /// Writes `<dir>/<name>.fasta` (or `.fasta.gz`), 80 bases a line, and returns its path.
    pub fn write_fasta(&self, dir: &Path, gzip: bool) -> Result<PathBuf, GenError> {
        let path = dir.join(format!(
            "{}.fasta{}",
            self.name,
            if gzip { ".gz" } else { "" }
        ));
        let fail = |e: std::io::Error| GenError::from(format!("{}: {e}", path.display()));
        let file = std::fs::File::create(&path).map_err(fail)?;
        let mut out: Box<dyn std::io::Write> = if gzip {
            Box::new(flate2::write::GzEncoder::new(
                std::io::BufWriter::new(file),
                flate2::Compression::fast(),
            ))
        } else {
            Box::new(std::io::BufWriter::new(file))
        };
        for (name, sequence) in &self.contigs {
            writeln!(out, ">{name}").map_err(fail)?;
            for line in sequence.chunks(80) {
                out.write_all(line).map_err(fail)?;
                out.write_all(b"\n").map_err(fail)?;
            }
        }
        out.flush().map_err(fail)?;
        Ok(path)
    }

    /// The truth table as TSV text, header first.
    pub fn truth_tsv(&self) -> String {
        let mut text = String::from(TRUTH_HEADER);
        text.push('\n');
        for row in &self.truth {
            text.push_str(&row.line());
            text.push('\n');
        }
        text
    }

    /// Writes `<dir>/<name>.truth.tsv` and returns its path.
    pub fn write_truth(&self, dir: &Path) -> Result<PathBuf, GenError> {
        let path = dir.join(format!("{}.truth.tsv", self.name));
        std::fs::write(&path, self.truth_tsv())
            .map_err(|e| GenError::from(format!("{}: {e}", path.display())))?;
        Ok(path)
    }
}

/// Catalogued changes planted when their gene is: (gene, 1-based position, reference
/// residue or base, alternative). Each is checked against the reference before planting.
pub const CATALOGUED: &[(&str, i64, u8, u8)] = &[
    ("gyrA", 83, b'S', b'L'),
    ("gyrA", 87, b'D', b'N'),
    ("parC", 80, b'S', b'I'),
    ("parC", 84, b'E', b'V'),
    ("23S", 2058, b'A', b'G'),
    ("16S-rrsB", 1408, b'A', b'G'),
    ("ampC-promoter-size-53bp", -42, b'C', b'T'),
];

/// The genes whose diverged second copies are planted as paralog decoys.
const PARALOG_GENES: [&str; 4] = ["gyrA", "parC", "gyrB", "parE"];

/// A planted change, before placement: its row fields and the bases it covers in the changed
/// gene (gene orientation, 0-based half-open).
#[derive(Debug, Clone)]
struct Event {
    kind: &'static str,
    call: String,
    codon_change: String,
    bases: Range<usize>,
}

/// A gene copy ready to place: its bases in gene orientation, its events, its copy row notes.
#[derive(Debug, Clone)]
struct GeneBlock {
    gene: String,
    reference: String,
    copy: String,
    bases: Vec<u8>,
    events: Vec<Event>,
    notes: Vec<String>,
    paralog: bool,
}

/// Where a block goes: inside a contig, at a contig's start (cut there), at its end, or split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    Inside,
    ContigStart,
    ContigEnd,
    Split,
}

/// A block oriented for the contig: bases as written, copy/event rows with offsets in it.
#[derive(Debug, Clone)]
struct Placed {
    bases: Vec<u8>,
    /// Rows whose `start`/`end` are 0-based half-open offsets in `bases` (fixed on placement).
    rows: Vec<(TruthRow, Range<usize>)>,
}

/// Generates one genome of `species`.
pub fn generate(species: &Species, spec: &GenomeSpec, seed: u64, name: &str) -> Genome {
    let mut rng = Rng::new(seed ^ 0x0005_EED0_F6E4_00E5);
    let kinds = spec.kinds;
    let coding: Vec<&ReferenceGene> = species
        .genes()
        .iter()
        .filter(|g| g.kind() == GeneKind::Coding)
        .filter(|g| {
            !species
                .genes()
                .iter()
                .any(|o| o.gene() == g.gene() && o.name() < g.name())
        })
        .collect();
    let mut counter = std::collections::HashMap::<String, usize>::new();
    let mut copy_id = |gene: &str| {
        let n = counter.entry(gene.to_owned()).or_default();
        *n += 1;
        format!("{gene}.{n}")
    };
    let mut truth = Vec::new();
    let absent = (kinds.absent && seed % 3 == 2)
        .then(|| {
            let candidates: Vec<_> = coding
                .iter()
                .filter(|g| !PARALOG_GENES.contains(&g.gene()))
                .collect();
            (!candidates.is_empty()).then(|| candidates[rng.below(candidates.len())].gene())
        })
        .flatten();
    // Roles for the coding genes: which carries the stop, the frameshift, the indels, the N run.
    let mut order: Vec<usize> = (0..coding.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let role = |k: usize| order.get(k).map(|&i| coding[i].gene());
    let mut blocks: Vec<(GeneBlock, Placement)> = Vec::new();
    for gene in &coding {
        if Some(gene.gene()) == absent {
            truth.push(TruthRow {
                genome: name.into(),
                gene: gene.gene().into(),
                reference: gene.name().into(),
                copy: String::new(),
                contig: String::new(),
                start: 0,
                end: 0,
                strand: '.',
                kind: "copy".into(),
                call: "absent".into(),
                codon_change: String::new(),
                note: String::new(),
            });
            continue;
        }
        let plan = GenePlan {
            stop: kinds.stops && role(0) == Some(gene.gene()),
            frameshift: kinds.frameshifts && role(1) == Some(gene.gene()),
            deletion: kinds.indels && role(2) == Some(gene.gene()),
            insertion: kinds.indels && role(3) == Some(gene.gene()),
            n_run: kinds.n_runs && role(4) == Some(gene.gene()),
        };
        let block = coding_copy(&mut rng, gene, copy_id(gene.gene()), kinds, plan);
        let placement = match gene.gene() {
            g if kinds.partial && role(5) == Some(g) => Placement::ContigStart,
            g if kinds.partial && role(6) == Some(g) => Placement::ContigEnd,
            g if kinds.split && role(7) == Some(g) => Placement::Split,
            _ => Placement::Inside,
        };
        blocks.push((block, placement));
    }
    if kinds.paralogs {
        for gene in coding.iter().filter(|g| PARALOG_GENES.contains(&g.gene())) {
            let block = paralog_copy(&mut rng, gene, copy_id(gene.gene()));
            blocks.push((block, Placement::Inside));
        }
    }
    let mut placed: Vec<(Placed, Placement)> = blocks
        .into_iter()
        .map(|(block, placement)| {
            let strand = if rng.chance(0.5) { '+' } else { '-' };
            (orient(&block, strand, name), placement)
        })
        .collect();
    if kinds.rna {
        for operon in rna_operons(&mut rng, species, name, &mut copy_id) {
            placed.push((operon, Placement::Inside));
        }
    }
    if kinds.promoter
        && let Some(promoter) = promoter_block(&mut rng, species, name, &mut copy_id)
    {
        placed.push((promoter, Placement::Inside));
    }
    let mut genome = assemble(&mut rng, spec, name, placed);
    truth.append(&mut genome.truth);
    genome.truth = truth;
    genome
}

/// Which special changes one coding gene gets.
#[derive(Debug, Clone, Copy, Default)]
struct GenePlan {
    stop: bool,
    frameshift: bool,
    deletion: bool,
    insertion: bool,
    n_run: bool,
}

/// Distinct codon indices (0-based) in `range`, at least `spacing` apart, up to `count`.
fn spaced_codons(
    rng: &mut Rng,
    range: Range<usize>,
    count: usize,
    taken: &mut Vec<usize>,
) -> Vec<usize> {
    let mut out = Vec::new();
    let mut tries = 0;
    while out.len() < count && tries < 1000 && !range.is_empty() {
        tries += 1;
        let c = rng.within(range.clone());
        if taken.iter().all(|&t| t.abs_diff(c) >= 8) {
            taken.push(c);
            out.push(c);
        }
    }
    out
}

/// The protein of a coding sequence (codon by codon, no special start).
fn aa(codon: &[u8]) -> char {
    translate_codon(codon) as char
}

/// One real coding gene with its planted changes.
fn coding_copy(
    rng: &mut Rng,
    gene: &ReferenceGene,
    copy: String,
    kinds: Kinds,
    plan: GenePlan,
) -> GeneBlock {
    let reference = gene.nucleotides();
    let codons = reference.len() / 3;
    // The last codon is the stop; changes stay clear of both ends.
    let body = 5..codons.saturating_sub(6).max(6);
    let late = codons * 6 / 10..codons * 9 / 10;
    let mut taken = Vec::new();
    let terminal = if plan.stop || plan.frameshift {
        spaced_codons(rng, late.clone(), 1, &mut taken)
            .first()
            .copied()
    } else {
        None
    };
    // Everything else before the stop or frameshift.
    let limit = terminal.map_or(body.end, |t| t.saturating_sub(8).max(body.start + 1));
    let early = body.start..limit;
    // Edits as (codon index, replaced codon count, new bases, event), applied 5' to 3'.
    let mut edits: Vec<(usize, usize, Vec<u8>, Event)> = Vec::new();
    let codon_at = |c: usize| &reference[3 * c..3 * c + 3];
    if kinds.substitutions {
        for &(g, position, from, to) in CATALOGUED {
            let c = position as usize - 1;
            if g == gene.gene()
                && position > 0
                && c < codons
                && translate_codon(codon_at(c)) == from
                && rng.chance(0.6)
                && taken.iter().all(|&t| t.abs_diff(c) >= 8)
                && early.contains(&c)
            {
                taken.push(c);
                let new = nearest_codon(codon_at(c), to);
                edits.push((
                    c,
                    1,
                    new.to_vec(),
                    substitution(codon_at(c), &new, c, "substitution"),
                ));
            }
        }
        let count = rng.within(1..4);
        for c in spaced_codons(rng, early.clone(), count, &mut taken) {
            if let Some(new) = rng.codon(codon_at(c), false) {
                edits.push((
                    c,
                    1,
                    new.to_vec(),
                    substitution(codon_at(c), &new, c, "substitution"),
                ));
            }
        }
    }
    if kinds.synonymous {
        let count = rng.within(1..3);
        for c in spaced_codons(rng, early.clone(), count, &mut taken) {
            if let Some(new) = rng.codon(codon_at(c), true) {
                edits.push((
                    c,
                    1,
                    new.to_vec(),
                    substitution(codon_at(c), &new, c, "synonymous"),
                ));
            }
        }
    }
    if plan.deletion
        && let Some((c, k)) = unambiguous_indel(rng, reference, early.clone(), &mut taken, 0)
    {
        let removed = &reference[3 * c..3 * (c + k)];
        let call = if k == 1 {
            format!("{}{}del", aa(codon_at(c)), c + 1)
        } else {
            format!(
                "{}{}_{}{}del",
                aa(codon_at(c)),
                c + 1,
                aa(codon_at(c + k - 1)),
                c + k
            )
        };
        let event = Event {
            kind: "deletion",
            call,
            codon_change: format!("{}>del", String::from_utf8_lossy(removed)),
            bases: 0..0,
        };
        edits.push((c, k, Vec::new(), event));
    }
    if plan.insertion
        && let Some((c, k)) = unambiguous_indel(rng, reference, early.clone(), &mut taken, 1)
    {
        // Inserted after codon c - 1 (0-based), before codon c.
        let inserted = insertion_codons(rng, reference, c, k);
        let residues: String = inserted.chunks(3).map(aa).collect();
        let call = format!(
            "{}{}_{}{}ins{residues}",
            aa(codon_at(c - 1)),
            c,
            aa(codon_at(c)),
            c + 1
        );
        let event = Event {
            kind: "insertion",
            call,
            codon_change: format!("ins>{}", String::from_utf8_lossy(&inserted)),
            bases: 0..0,
        };
        edits.push((c, 0, inserted, event));
    }
    let mut notes = Vec::new();
    if let Some(c) = terminal {
        if plan.stop {
            let new = nearest_codon(codon_at(c), b'*');
            let mut event = substitution(codon_at(c), &new, c, "stop");
            event.call = format!("{}{}*", aa(codon_at(c)), c + 1);
            edits.push((c, 1, new.to_vec(), event));
            notes.push("stop".to_owned());
        } else {
            // One base of codon c deleted or one inserted after it.
            let offset = rng.below(3);
            let n = 3 * c + offset;
            let (new, change) = if rng.chance(0.5) {
                let mut codon = codon_at(c).to_vec();
                let removed = codon.remove(offset);
                (codon, format!("c.{}del{}", n + 1, removed as char))
            } else {
                let mut codon = codon_at(c).to_vec();
                let base = rng.base();
                codon.insert(offset + 1, base);
                (codon, format!("c.{}_{}ins{}", n + 1, n + 2, base as char))
            };
            let event = Event {
                kind: "frameshift",
                call: format!("p.{}{}fs", aa(codon_at(c)), c + 1),
                codon_change: change,
                bases: 0..0,
            };
            edits.push((c, 1, new, event));
            notes.push("frameshift".to_owned());
        }
    }
    edits.sort_by_key(|e| e.0);
    let (mut bases, mut events) = apply_edits(reference, edits);
    if plan.n_run
        && let Some(c) = spaced_codons(rng, early.clone(), 1, &mut taken)
            .first()
            .copied()
    {
        let length = rng.within(10..40);
        // The run starts inside codon c (not codon-aligned); shifts from earlier indels apply.
        let shift = events
            .iter()
            .filter(|e| e.bases.start < 3 * c)
            .map(|e| match e.kind {
                "deletion" => -((e.codon_change.len() - 4) as isize),
                "insertion" => (e.codon_change.len() - 4) as isize,
                _ => 0,
            })
            .sum::<isize>();
        let start = (3 * c + 1).saturating_add_signed(shift);
        let end = start + length;
        if end < bases.len() {
            bases[start..end].fill(b'N');
            let first = 3 * c + 1;
            let last = first + length - 1;
            events.push(Event {
                kind: "n_run",
                call: format!("{}_{}", first / 3 + 1, last / 3 + 1),
                codon_change: format!("c.{}_{}N", first + 1, last + 1),
                bases: start..end,
            });
            notes.push("n_run".to_owned());
        }
    }
    let reference_protein = gene.protein().unwrap_or_default();
    // Identity is given for copies whose changes keep the frame and length (water's identity
    // is then the ungapped one).
    let ungapped = events
        .iter()
        .all(|e| matches!(e.kind, "substitution" | "synonymous"));
    if !events.is_empty() && ungapped {
        notes.push(format!(
            "identity={:.3}",
            protein_identity(&bases, reference_protein)
        ));
    }
    GeneBlock {
        gene: gene.gene().into(),
        reference: gene.name().into(),
        copy,
        bases,
        events,
        notes,
        paralog: false,
    }
}

/// Ungapped identity of the translation of `bases` against `protein` (over the reference's
/// length), as water reports it for a copy with substitutions only.
fn protein_identity(bases: &[u8], protein: &[u8]) -> f64 {
    let same = bases
        .chunks_exact(3)
        .zip(protein)
        .filter(|(c, p)| translate_codon(c) == **p)
        .count();
    same as f64 / protein.len().max(1) as f64
}

/// A codon for `to` as close as possible to `codon` (fewest bases changed, then first in
/// `ACGT` order).
fn nearest_codon(codon: &[u8], to: u8) -> [u8; 3] {
    let mut best = None;
    for i in 0..64 {
        let candidate = [b"ACGT"[i >> 4], b"ACGT"[(i >> 2) & 3], b"ACGT"[i & 3]];
        if translate_codon(&candidate) != to {
            continue;
        }
        let distance = candidate.iter().zip(codon).filter(|(a, b)| a != b).count();
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.expect("every amino acid has a codon").1
}

fn substitution(from: &[u8], to: &[u8; 3], c: usize, kind: &'static str) -> Event {
    let call = if kind == "synonymous" {
        format!("{}{}=", aa(from), c + 1)
    } else {
        format!("{}{}{}", aa(from), c + 1, aa(to))
    };
    Event {
        kind,
        call,
        codon_change: format!(
            "{}>{}",
            String::from_utf8_lossy(from),
            String::from_utf8_lossy(to)
        ),
        bases: 0..0,
    }
}

/// A codon index and length (1-3 codons) for an indel whose placement cannot slide: for a
/// deletion (`kind` 0) of codons `c..c+k`, the residue before differs from the last removed
/// and the one after from the first removed; for an insertion (`kind` 1) before codon `c`, the
/// flanking residues differ from each other (the inserted ones are then chosen to differ
/// from both).
fn unambiguous_indel(
    rng: &mut Rng,
    reference: &[u8],
    range: Range<usize>,
    taken: &mut Vec<usize>,
    kind: u8,
) -> Option<(usize, usize)> {
    let residue = |c: usize| translate_codon(&reference[3 * c..3 * c + 3]);
    for _ in 0..200 {
        let found = spaced_codons(rng, range.clone(), 1, &mut Vec::clone(taken));
        let &c = found.first()?;
        let k = rng.within(1..4);
        let fits = if kind == 0 {
            c + k < range.end
                && residue(c - 1) != residue(c + k - 1)
                && residue(c + k) != residue(c)
                && (c..c + k).all(|i| residue(i) != residue(c - 1) && residue(i) != residue(c + k))
        } else {
            residue(c - 1) != residue(c)
        };
        if fits {
            taken.push(c);
            return Some((c, k));
        }
    }
    None
}

/// `k` sense codons whose residues differ from both flanks of the insertion point (before
/// codon `c`).
fn insertion_codons(rng: &mut Rng, reference: &[u8], c: usize, k: usize) -> Vec<u8> {
    let before = translate_codon(&reference[3 * (c - 1)..3 * c]);
    let after = translate_codon(&reference[3 * c..3 * c + 3]);
    let mut out = Vec::new();
    while out.len() < 3 * k {
        let codon = [rng.base(), rng.base(), rng.base()];
        let residue = translate_codon(&codon);
        if residue != b'*' && residue != before && residue != after && residue != b'X' {
            out.extend_from_slice(&codon);
        }
    }
    out
}

/// Applies edits (sorted by codon) to the reference and returns the changed gene and its
/// events with their bases in it.
fn apply_edits(
    reference: &[u8],
    edits: Vec<(usize, usize, Vec<u8>, Event)>,
) -> (Vec<u8>, Vec<Event>) {
    let mut bases = Vec::with_capacity(reference.len() + 16);
    let mut events = Vec::new();
    let mut at = 0;
    for (c, k, new, mut event) in edits {
        bases.extend_from_slice(&reference[at..3 * c]);
        let start = bases.len();
        bases.extend_from_slice(&new);
        event.bases = if new.is_empty() {
            // A deletion covers the bases on either side of it.
            start.saturating_sub(1)..start + 1
        } else {
            start..bases.len()
        };
        events.push(event);
        at = 3 * (c + k);
    }
    bases.extend_from_slice(&reference[at..]);
    (bases, events)
}

/// A diverged second copy: 6-14 % of the codons (not the first or last) changed to another
/// sense codon.
fn paralog_copy(rng: &mut Rng, gene: &ReferenceGene, copy: String) -> GeneBlock {
    let reference = gene.nucleotides();
    let codons = reference.len() / 3;
    let share = 0.06 + 0.08 * rng.below(1001) as f64 / 1000.0;
    let mut chosen: Vec<usize> = (1..codons - 1).collect();
    for i in (1..chosen.len()).rev() {
        chosen.swap(i, rng.below(i + 1));
    }
    chosen.truncate((share * codons as f64).round() as usize);
    chosen.sort_unstable();
    let mut edits = Vec::new();
    for c in chosen {
        let from = &reference[3 * c..3 * c + 3];
        let synonymous = rng.chance(0.25);
        if let Some(new) = rng.codon(from, synonymous) {
            let kind = if synonymous {
                "synonymous"
            } else {
                "substitution"
            };
            edits.push((c, 1, new.to_vec(), substitution(from, &new, c, kind)));
        }
    }
    let kept = 1.0 - edits.len() as f64 / codons as f64;
    let (bases, events) = apply_edits(reference, edits);
    let identity = protein_identity(&bases, gene.protein().unwrap_or_default());
    GeneBlock {
        gene: gene.gene().into(),
        reference: gene.name().into(),
        copy,
        bases,
        events,
        notes: vec![
            format!("identity={identity:.3}"),
            format!("codon_identity={kept:.3}"),
        ],
        paralog: true,
    }
}

/// A gene block written on `strand`, with its copy row and event rows.
fn orient(block: &GeneBlock, strand: char, genome: &str) -> Placed {
    let length = block.bases.len();
    let bases = if strand == '+' {
        block.bases.clone()
    } else {
        reverse_complement(&block.bases)
    };
    let flip = |r: &Range<usize>| {
        if strand == '+' {
            r.clone()
        } else {
            length - r.end..length - r.start
        }
    };
    let row = |kind: &str, call: &str, codon_change: &str, note: String| TruthRow {
        genome: genome.into(),
        gene: block.gene.clone(),
        reference: block.reference.clone(),
        copy: block.copy.clone(),
        contig: String::new(),
        start: 0,
        end: 0,
        strand,
        kind: kind.into(),
        call: call.into(),
        codon_change: codon_change.into(),
        note,
    };
    let what = if block.paralog { "paralog" } else { "whole" };
    let mut rows = vec![(row("copy", what, "", block.notes.join(";")), 0..length)];
    for event in &block.events {
        rows.push((
            row(event.kind, &event.call, &event.codon_change, String::new()),
            flip(&event.bases),
        ));
    }
    Placed { bases, rows }
}

/// Seven rRNA operons (16S, spacer, 23S), the 16S copies from the species' 16S references in
/// turn, with RNA changes.
fn rna_operons(
    rng: &mut Rng,
    species: &Species,
    genome: &str,
    copy_id: &mut impl FnMut(&str) -> String,
) -> Vec<Placed> {
    let rna: Vec<&ReferenceGene> = species
        .genes()
        .iter()
        .filter(|g| g.kind() == GeneKind::Rna)
        .collect();
    let small: Vec<_> = rna.iter().filter(|g| g.gene().starts_with("16S")).collect();
    let large: Vec<_> = rna.iter().filter(|g| g.gene().starts_with("23S")).collect();
    let mut operons = Vec::new();
    for operon in 0..7 {
        let mut parts: Vec<GeneBlock> = Vec::new();
        for (set, catalogued_here) in [(&small, operon < 2), (&large, operon == 0)] {
            if set.is_empty() {
                continue;
            }
            let gene = set[operon % set.len()];
            parts.push(rna_copy(rng, gene, copy_id(gene.gene()), catalogued_here));
        }
        if parts.is_empty() {
            continue;
        }
        let strand = if rng.chance(0.5) { '+' } else { '-' };
        // Operon in gene orientation: 16S, spacer, 23S; then written on its strand.
        let mut bases = Vec::new();
        let mut rows = Vec::new();
        for part in &parts {
            if !bases.is_empty() {
                let spacer = rng.within(300..500);
                bases.extend(rng.dna(spacer));
            }
            let offset = bases.len();
            let placed = orient(part, '+', genome);
            for (row, range) in placed.rows {
                rows.push((row, range.start + offset..range.end + offset));
            }
            bases.extend_from_slice(&part.bases);
        }
        let length = bases.len();
        if strand == '-' {
            bases = reverse_complement(&bases);
            for (row, range) in &mut rows {
                row.strand = '-';
                *range = length - range.end..length - range.start;
            }
        }
        operons.push(Placed { bases, rows });
    }
    operons
}

/// One RNA copy with its catalogued change (when `catalogued` and the gene has one) and up to
/// two random substitutions.
fn rna_copy(rng: &mut Rng, gene: &ReferenceGene, copy: String, catalogued: bool) -> GeneBlock {
    let mut bases = gene.nucleotides().to_vec();
    let mut events = Vec::new();
    let mut positions: Vec<usize> = Vec::new();
    for &(g, position, from, _) in CATALOGUED {
        let p = position as usize;
        if catalogued && g == gene.gene() && position > 0 && bases.get(p - 1) == Some(&from) {
            positions.push(p);
        }
    }
    for _ in 0..rng.below(3) {
        positions.push(rng.within(20..bases.len() - 20));
    }
    positions.sort_unstable();
    positions.dedup_by(|a, b| a.abs_diff(*b) < 10);
    for p in positions {
        let from = bases[p - 1];
        let to = CATALOGUED
            .iter()
            .find(|e| e.0 == gene.gene() && e.1 == p as i64 && e.2 == from)
            .map(|e| e.3)
            .unwrap_or_else(|| {
                loop {
                    let b = rng.base();
                    if b != from {
                        break b;
                    }
                }
            });
        bases[p - 1] = to;
        events.push(Event {
            kind: "rna",
            call: format!("r.{p}{}>{}", from as char, to as char),
            codon_change: String::new(),
            bases: p - 1..p,
        });
    }
    GeneBlock {
        gene: gene.gene().into(),
        reference: gene.name().into(),
        copy,
        bases,
        events,
        notes: Vec::new(),
        paralog: false,
    }
}

/// The promoter record with its catalogued change (when the reference has it, half the time)
/// and one random promoter substitution, positions `-N..-1`.
fn promoter_block(
    rng: &mut Rng,
    species: &Species,
    genome: &str,
    copy_id: &mut impl FnMut(&str) -> String,
) -> Option<Placed> {
    let gene = species
        .genes()
        .iter()
        .find(|g| matches!(g.kind(), GeneKind::Promoter { .. }))?;
    let GeneKind::Promoter { promoter_length } = gene.kind() else {
        return None;
    };
    let mut bases = gene.nucleotides().to_vec();
    let mut positions: Vec<i64> = CATALOGUED
        .iter()
        .filter(|e| e.0 == gene.gene() && e.1 < 0)
        .filter(|e| bases.get((promoter_length as i64 + e.1) as usize) == Some(&e.2))
        .map(|e| e.1)
        .filter(|_| rng.chance(0.5))
        .collect();
    let random = -(rng.within(1..promoter_length + 1) as i64);
    if positions.iter().all(|p| p.abs_diff(random) > 2) {
        positions.push(random);
    }
    positions.sort_unstable();
    let mut events = Vec::new();
    for p in positions {
        let index = (promoter_length as i64 + p) as usize;
        let from = bases[index];
        let to = CATALOGUED
            .iter()
            .find(|e| e.0 == gene.gene() && e.1 == p && e.2 == from)
            .map(|e| e.3)
            .unwrap_or_else(|| {
                loop {
                    let b = rng.base();
                    if b != from {
                        break b;
                    }
                }
            });
        bases[index] = to;
        events.push(Event {
            kind: "promoter",
            call: format!("n.{p}{}>{}", from as char, to as char),
            codon_change: String::new(),
            bases: index..index + 1,
        });
    }
    let block = GeneBlock {
        gene: gene.gene().into(),
        reference: gene.name().into(),
        copy: copy_id(gene.gene()),
        bases,
        events,
        notes: Vec::new(),
        paralog: false,
    };
    let strand = if rng.chance(0.5) { '+' } else { '-' };
    Some(orient(&block, strand, genome))
}

/// A contig being built: blocks inside it, at most one cut block at each end.
#[derive(Debug, Default)]
struct ContigPlan {
    length: usize,
    inside: Vec<Placed>,
    head: Option<Placed>,
    tail: Option<Placed>,
}

/// Lays the blocks into contigs of background and writes the truth rows' coordinates.
fn assemble(
    rng: &mut Rng,
    spec: &GenomeSpec,
    name: &str,
    blocks: Vec<(Placed, Placement)>,
) -> Genome {
    let count = spec.contigs.max(2);
    let weights: Vec<f64> = (0..count)
        .map(|_| 0.3 + rng.below(1000) as f64 / 1000.0)
        .collect();
    let total: f64 = weights.iter().sum();
    let mut plans: Vec<ContigPlan> = weights
        .iter()
        .map(|w| ContigPlan {
            length: ((w / total) * spec.size as f64) as usize,
            ..ContigPlan::default()
        })
        .collect();
    for (block, placement) in blocks {
        let free = |plans: &[ContigPlan], head: bool| {
            (0..plans.len())
                .filter(|&i| {
                    if head {
                        plans[i].head.is_none()
                    } else {
                        plans[i].tail.is_none()
                    }
                })
                .collect::<Vec<_>>()
        };
        match placement {
            Placement::Inside => {
                let i = rng.below(count);
                plans[i].inside.push(block);
            }
            Placement::ContigStart | Placement::ContigEnd => {
                let head = placement == Placement::ContigStart;
                let slots = free(&plans, head);
                let Some(&i) = slots.get(rng.below(slots.len().max(1))) else {
                    plans[0].inside.push(block);
                    continue;
                };
                let length = block.bases.len();
                let kept = length * rng.within(40..80) / 100;
                let cut = if head { length - kept..length } else { 0..kept };
                let piece = cut_block(&block, cut, "partial", None);
                if head {
                    plans[i].head = Some(piece);
                } else {
                    plans[i].tail = Some(piece);
                }
            }
            Placement::Split => {
                let tails = free(&plans, false);
                let heads = free(&plans, true);
                let a = tails.get(rng.below(tails.len().max(1))).copied();
                let b = a.and_then(|a| heads.iter().copied().find(|&h| h != a));
                let (Some(a), Some(b)) = (a, b) else {
                    plans[0].inside.push(block);
                    continue;
                };
                let length = block.bases.len();
                let point = length * rng.within(35..65) / 100;
                plans[a].tail = Some(cut_block(&block, 0..point, "split_part", Some(1)));
                plans[b].head = Some(cut_block(&block, point..length, "split_part", Some(2)));
            }
        }
    }
    let mut contigs = Vec::with_capacity(count);
    let mut truth = Vec::new();
    for (index, plan) in plans.into_iter().enumerate() {
        let contig_name = format!("{name}_contig_{}", index + 1);
        let (sequence, rows) = build_contig(rng, spec, plan);
        let lower = spec.kinds.lower_case && index % 7 == 3;
        for (mut row, range) in rows {
            row.contig = contig_name.clone();
            row.start = range.start + 1;
            row.end = range.end;
            if lower && row.kind == "copy" {
                row.note = [row.note.as_str(), "lower_case"]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(";");
            }
            truth.push(row);
        }
        let sequence = if lower {
            sequence.to_ascii_lowercase()
        } else {
            sequence
        };
        contigs.push((contig_name, sequence));
    }
    Genome {
        name: name.into(),
        contigs,
        truth,
    }
}

/// The part `cut` of a placed block, as a copy cut at a contig end: rows of events wholly in
/// it kept, the copy row renamed `what`, noted with the cut ends (in gene orientation) and
/// the part number of a split.
fn cut_block(block: &Placed, cut: Range<usize>, what: &str, part: Option<u8>) -> Placed {
    let length = block.bases.len();
    let mut rows = Vec::new();
    for (row, range) in &block.rows {
        if row.kind == "copy" {
            let mut row = row.clone();
            row.call = what.into();
            let mut notes: Vec<String> = row
                .note
                .split(';')
                .filter(|n| !n.is_empty() && !n.starts_with("identity="))
                .map(str::to_owned)
                .collect();
            // Cut at the contig's start on `+` is the gene's start; on `-` its stop.
            let (cut_head, cut_tail) = (cut.start > 0, cut.end < length);
            let forward = row.strand == '+';
            if (cut_head && forward) || (cut_tail && !forward) {
                notes.push("cut_at_start".into());
            }
            if (cut_tail && forward) || (cut_head && !forward) {
                notes.push("cut_at_stop".into());
            }
            if let Some(part) = part {
                notes.push(format!("part={part}/2"));
            }
            row.note = notes.join(";");
            rows.push((row, 0..cut.len()));
        } else if range.start >= cut.start && range.end <= cut.end {
            rows.push((row.clone(), range.start - cut.start..range.end - cut.start));
        }
    }
    Placed {
        bases: block.bases[cut].to_vec(),
        rows,
    }
}

/// One contig: the head piece, background with the inside blocks at random places (and runs
/// of N between some), the tail piece.
fn build_contig(
    rng: &mut Rng,
    spec: &GenomeSpec,
    plan: ContigPlan,
) -> (Vec<u8>, Vec<(TruthRow, Range<usize>)>) {
    let blocks_length: usize = plan.inside.iter().map(|b| b.bases.len()).sum();
    let gaps = plan.inside.len() + 1;
    let background = plan.length.saturating_sub(blocks_length).max(300 * gaps);
    let mut cuts: Vec<usize> = (0..gaps - 1).map(|_| rng.below(background + 1)).collect();
    cuts.sort_unstable();
    let mut sizes = Vec::with_capacity(gaps);
    let mut previous = 0;
    for cut in cuts.into_iter().chain([background]) {
        sizes.push(cut - previous);
        previous = cut;
    }
    // At least 150 bases around each block so blocks never touch.
    let sizes: Vec<usize> = sizes.into_iter().map(|s| s.max(150)).collect();
    let mut sequence = Vec::with_capacity(background + blocks_length + 20_000);
    let mut rows = Vec::new();
    let mut put = |sequence: &mut Vec<u8>, block: Placed| {
        let offset = sequence.len();
        for (row, range) in block.rows {
            rows.push((row, range.start + offset..range.end + offset));
        }
        sequence.extend_from_slice(&block.bases);
    };
    if let Some(head) = plan.head {
        put(&mut sequence, head);
    }
    let mut inside = plan.inside.into_iter();
    for (k, size) in sizes.iter().enumerate() {
        let mut gap = rng.dna(*size);
        if spec.kinds.n_runs && k % 5 == 2 && gap.len() > 400 {
            let at = rng.within(100..gap.len() - 250);
            gap[at..at + 100].fill(b'N');
        }
        sequence.extend_from_slice(&gap);
        if let Some(block) = inside.next() {
            put(&mut sequence, block);
        }
    }
    if let Some(tail) = plan.tail {
        put(&mut sequence, tail);
    }
    (sequence, rows)
}

/// Writes genome `index` of a set (named `<prefix>_<index>`, seeded from `seed` and `index`)
/// into `dir`: FASTA (gzipped when asked) and truth TSV. Returns the FASTA's path.
pub fn write_genome(
    species: &Species,
    spec: &GenomeSpec,
    seed: u64,
    index: usize,
    prefix: &str,
    dir: &Path,
    gzip: bool,
) -> Result<(Genome, PathBuf), GenError> {
    let name = format!("{prefix}_{index:04}");
    let genome = generate(species, spec, genome_seed(seed, index), &name);
    let path = genome.write_fasta(dir, gzip)?;
    genome.write_truth(dir)?;
    Ok((genome, path))
}

/// The seed of genome `index` of a set seeded `seed`.
pub fn genome_seed(seed: u64, index: usize) -> u64 {
    let mut rng = Rng::new(seed.wrapping_mul(0x100_0000_01B3) ^ index as u64);
    rng.next_u64() / 3 * 3 + (index % 3) as u64
}

/// One line per kind: how many truth rows of it a genome has (for summaries).
pub fn summary(genome: &Genome) -> String {
    let mut kinds: Vec<(&str, usize)> = Vec::new();
    for row in &genome.truth {
        let key = if row.kind == "copy" {
            row.call.as_str()
        } else {
            row.kind.as_str()
        };
        match kinds.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => kinds.push((key, 1)),
        }
    }
    let mut text = String::new();
    for (kind, n) in kinds {
        let _ = write!(text, "{kind}={n} ");
    }
    text.trim_end().to_owned()
}
