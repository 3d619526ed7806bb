//! Genomes held in memory, searched and called without files: [`GenomeCaller`], for tools
//! that embed the crate and have their assemblies as bytes already.

use std::path::Path;
use std::sync::Arc;

use crate::Result;
use crate::align::Aligner;
use crate::report::rundate_now;
use crate::scoring::{GapPenalties, Matrix};

use super::catalogue::{Catalogue, ResolvedCatalogue};
use super::config::PipelineConfig;
use super::genome::{Contig, Species};
use super::genomes::{GenomeStage, check_nucleotides, species_references};
use super::grade::{Collect, Context};
use super::input::ReferenceSet;
use super::plan::Plan;
use super::quality::TierThresholds;
use super::records::TargetResult;

/// Finds every copy of the references' genes in a genome's contigs and calls each copy, in
/// memory: the rows a genome run ([`PipelineConfig::genomes`], [`super::run`]) writes for one
/// genome file, as [`TargetResult`]s, without reading or writing a file.
///
/// Built once from the references (the searches' indexes, the aligners, each reference's
/// score against itself), then [`call`](Self::call) per genome, from as many threads as
/// wanted (`GenomeCaller` is `Sync`). Each reference gene gets at least one result per
/// genome: a copy (status `ok`, with tier, mutation calls, codon changes and contig
/// positions) or an `absent` row.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::{Contig, Species};
/// use wildtype_aligner::wildtype::{GenomeCaller, Status, Tier};
///
/// let caller = GenomeCaller::for_species(&Species::embedded("escherichia_coli").unwrap()).unwrap();
/// // gyrA's coding sequence with codon 83 changed from TCG (Ser) to TTG (Leu), in a contig.
/// let species = Species::embedded("escherichia_coli").unwrap();
/// let gyra = species.genes().iter().find(|g| g.gene() == "gyrA").unwrap();
/// let mut contig = b"ACGTTGCA".repeat(50);
/// let start = contig.len();
/// contig.extend_from_slice(gyra.nucleotides());
/// contig[start + 82 * 3 + 1] = b'T';
/// contig.extend_from_slice(&b"TTGACCAG".repeat(50));
///
/// let results = caller.call("isolate_1", &[Contig::new("contig_1", &contig)]).unwrap();
/// let gyr_a = results.iter().find(|r| r.record.gene.as_deref() == Some("gyrA")).unwrap();
/// assert_eq!((gyr_a.record.status, gyr_a.record.tier), (Status::Ok, Tier::High));
/// assert_eq!(gyr_a.record.contig_start, Some(start as u64 + 1));
/// let call = &gyr_a.mutations[0];
/// assert_eq!(call.call.mutation, "S83L");
/// assert_eq!(call.codon_change.as_deref(), Some("TCG>TTG"));
/// // The species' catalogue knows it: PointFinder's row, its notation and phenotype.
/// assert_eq!(call.catalogue, Some("known"));
/// assert_eq!(call.pointfinder.as_deref(), Some("gyrA p.S83L"));
/// assert!(call.annotation.as_deref().unwrap().contains("Ciprofloxacin"));
/// // The other genes are absent from this one-gene contig: a row each, never wild type.
/// let parc = results.iter().find(|r| r.record.gene.as_deref() == Some("parC")).unwrap();
/// assert_eq!(parc.record.status, Status::Absent);
/// ```
#[derive(Debug)]
pub struct GenomeCaller {
    config: PipelineConfig,
    references: ReferenceSet,
    catalogue: Option<(Catalogue, ResolvedCatalogue)>,
    stage: GenomeStage,
    aligner: Aligner,
    nucleotide_aligner: Aligner,
    reference_ids: Vec<Arc<str>>,
    self_scores: Vec<f32>,
    warnings: Vec<String>,
}

impl GenomeCaller {
    /// A caller for `references` (protein references, coding sequences, RNA genes and
    /// promoters, as [`ReferenceSet::from_path`] reads them) with water's default gaps
    /// (10 / 0.5) and the default [`TierThresholds`].
    ///
    /// # Errors
    ///
    /// A reference the searches cannot use (an RNA gene or promoter too short to seed, say).
    pub fn new(references: ReferenceSet) -> Result<Self> {
        let stage = GenomeStage::new(&references, None)?;
        let aligner = Aligner::builder().gaps(GapPenalties::default()).build()?;
        let nucleotide_aligner = Aligner::builder().matrix(Matrix::dnafull()).build()?;
        let self_scores = references
            .references()
            .iter()
            .map(|reference| {
                let aligner = match reference.is_nucleotide() {
                    true => &nucleotide_aligner,
                    false => &aligner,
                };
                Ok(aligner
                    .align(&reference.residues, &reference.residues)?
                    .score())
            })
            .collect::<Result<Vec<f32>>>()?;
        let reference_ids = references
            .references()
            .iter()
            .map(|r| Arc::from(r.id.as_str()))
            .collect();
        Ok(Self {
            config: PipelineConfig::new(Vec::<&Path>::new(), "", ""),
            references,
            catalogue: None,
            stage,
            aligner,
            nucleotide_aligner,
            reference_ids,
            self_scores,
            warnings: Vec::new(),
        })
    }

    /// A caller for a PointFinder species' references: its coding genes, RNA genes and
    /// promoters ([`Species::embedded`] or [`Species::from_folder`]), with the species'
    /// catalogue (`phenotypes.txt`, [`Catalogue::from_pointfinder`]) when it has one.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn for_species(species: &Species) -> Result<Self> {
        let mut caller = Self::new(species_references(species))?;
        if let Some((path, text)) = species.phenotypes() {
            let (catalogue, warnings) =
                Catalogue::from_pointfinder(path, text, &caller.references)?;
            caller = caller.catalogue(catalogue)?;
            caller.warnings = warnings;
        }
        Ok(caller)
    }

    /// What loading the catalogue warned of: PointFinder rows that disagree with their
    /// reference, each naming its file, line and row (they never match).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Tiers graded with `tiers` instead of the defaults.
    pub fn tiers(mut self, tiers: TierThresholds) -> Self {
        self.config = self.config.tiers(tiers);
        self
    }

    /// Calls marked known or novel against `catalogue`, as a run with
    /// [`PipelineConfig::catalogue`] marks them.
    ///
    /// # Errors
    ///
    /// A catalogue row whose mutation names a residue its gene's reference does not have.
    pub fn catalogue(mut self, catalogue: Catalogue) -> Result<Self> {
        let references = &self.references;
        let resolved = catalogue.resolve(|gene| references.get(gene).map(|r| &r.residues[..]))?;
        self.catalogue = Some((catalogue, resolved));
        Ok(self)
    }

    /// The references searched for.
    pub fn references(&self) -> &ReferenceSet {
        &self.references
    }

    /// Searches one genome's `contigs` (bases only, any case, no line breaks; IUPAC codes and
    /// `N` read as unknown) and calls every copy found. The results are in the references'
    /// gene order, each gene's copies in contig order, as a genome run writes them; their
    /// records' `file` is `accession` and their `line` is 0.
    ///
    /// # Errors
    ///
    /// The contigs hold no bases, or read as protein rather than nucleotides (naming
    /// `accession`).
    pub fn call(&self, accession: &str, contigs: &[Contig<'_>]) -> Result<Vec<TargetResult>> {
        let parts: Vec<&[u8]> = contigs.iter().map(|contig| contig.sequence()).collect();
        check_nucleotides(Path::new(accession), &parts)?;
        let lines = vec![0; contigs.len()];
        let rows = self.stage.search_contigs(accession, contigs, &lines)?;
        let plan = Plan::of_genome_rows(accession, rows);
        let context = Context {
            config: &self.config,
            aligner: &self.aligner,
            nucleotide_aligner: &self.nucleotide_aligner,
            references: &self.references,
            reference_ids: self.reference_ids.clone(),
            self_scores: self.self_scores.clone(),
            catalogue: self.catalogue.as_ref().map(|(c, r)| (c, r)),
            rundate: rundate_now(),
            plan: &plan,
        };
        Ok(context
            .align_chunk(&plan.targets, &Collect, &|| {})
            .into_iter()
            .flatten()
            .collect())
    }
}
