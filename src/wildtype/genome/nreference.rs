//! A wild-type RNA gene or promoter to look for in genomes: its gene, record name, bases and
//! kind.

use super::species::{GeneKind, ReferenceGene, Species};

/// One wild-type RNA gene or promoter for the nucleotide search: its gene, record name,
/// bases (upper case, `U` read as `T`) and kind ([`GeneKind::Rna`] or
/// [`GeneKind::Promoter`], which decides how calls are numbered).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::{GeneKind, NucleotideReference, Species};
///
/// let species = Species::embedded("escherichia_coli").unwrap();
/// let references = species.nucleotide_references();
/// let names: Vec<_> = references.iter().map(|r| r.gene()).collect();
/// assert_eq!(names, ["23S", "16S-rrsB", "16S-rrsC", "16S-rrsH", "ampC-promoter-size-53bp"]);
/// assert_eq!(references[4].kind(), GeneKind::Promoter { promoter_length: 53 });
/// assert_eq!(references[4].label(52), -1); // the 53rd base is -1, the next one +1
/// assert_eq!(references[4].label(53), 1);
///
/// let toy = NucleotideReference::try_new("toy", "toy_1", b"acgu".to_vec(), GeneKind::Rna).unwrap();
/// assert_eq!(toy.bases(), b"ACGT");
/// assert!(NucleotideReference::try_new("gyrA", "gyrA_1", b"ATG".to_vec(), GeneKind::Coding).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NucleotideReference {
    gene: String,
    name: String,
    bases: Vec<u8>,
    kind: GeneKind,
}

impl NucleotideReference {
    /// A reference from its bases (upper-cased here, `U` read as `T`).
    ///
    /// # Errors
    ///
    /// A message (without file or line: the caller knows them) when `kind` is
    /// [`GeneKind::Coding`] (search those as proteins), the bases are empty, or a promoter
    /// holds no base after its promoter part.
    pub fn try_new(
        gene: impl Into<String>,
        name: impl Into<String>,
        mut bases: Vec<u8>,
        kind: GeneKind,
    ) -> Result<Self, String> {
        bases.make_ascii_uppercase();
        for base in &mut bases {
            if *base == b'U' {
                *base = b'T';
            }
        }
        match kind {
            GeneKind::Coding => {
                return Err("a coding gene is searched as protein, not as nucleotides".into());
            }
            _ if bases.is_empty() => return Err("no bases".into()),
            GeneKind::Promoter { promoter_length } if promoter_length >= bases.len() => {
                return Err(format!(
                    "promoter of {promoter_length} bases leaves none of its gene in {} bases",
                    bases.len()
                ));
            }
            _ => {}
        }
        Ok(Self {
            gene: gene.into(),
            name: name.into(),
            bases,
            kind,
        })
    }

    /// The RNA gene or promoter of a species' reference record; `None` for a coding gene.
    pub fn from_gene(gene: &ReferenceGene) -> Option<Self> {
        Self::try_new(
            gene.gene(),
            gene.name(),
            gene.nucleotides().to_vec(),
            gene.kind(),
        )
        .ok()
    }

    /// The gene (`23S`, `ampC-promoter-size-53bp`).
    pub fn gene(&self) -> &str {
        &self.gene
    }

    /// The record's name (`23S_1_CP053604.1`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The bases, upper case.
    pub fn bases(&self) -> &[u8] {
        &self.bases
    }

    /// RNA gene or promoter.
    pub fn kind(&self) -> GeneKind {
        self.kind
    }

    /// The number a call gives the base at 0-based `index`: `index + 1` for an RNA gene; for
    /// a promoter of `N` bases, PointFinder's numbering: the promoter's bases are `-N..=-1`
    /// (`-1` the last one), the gene's first base is `1` (there is no 0).
    pub fn label(&self, index: usize) -> i64 {
        match self.kind {
            GeneKind::Promoter { promoter_length } if index < promoter_length => {
                index as i64 - promoter_length as i64
            }
            GeneKind::Promoter { promoter_length } => (index - promoter_length) as i64 + 1,
            _ => index as i64 + 1,
        }
    }
}

impl Species {
    /// The RNA genes and promoters, ready for
    /// [`crate::wildtype::genome::NucleotideSearch`].
    pub fn nucleotide_references(&self) -> Vec<NucleotideReference> {
        self.genes()
            .iter()
            .filter_map(NucleotideReference::from_gene)
            .collect()
    }
}
