//! A wild-type protein to look for in genomes: its gene, its record name and its residues.

use super::code::{codon_index, is_start_codon, is_stop_codon, translate};

/// One wild-type reference protein for the genome search: the gene it stands for, the name
/// of its record (a gene may have several alleles, each its own reference) and its residues,
/// upper case, without a final stop; and, when it was built from one, its coding sequence
/// (which lets the search name the bases a frameshift deletes).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::genome::ProteinReference;
///
/// let from_protein = ProteinReference::new("folP", "folP_1", b"MKLFAQ".to_vec());
/// let from_cds = ProteinReference::from_cds("folP", "folP_1", b"GTGAAACTGTTTGCGCAGTAA").unwrap();
/// assert_eq!(from_cds.protein(), from_protein.protein());
/// assert_eq!(from_cds.gene(), "folP");
/// assert!(ProteinReference::from_cds("folP", "folP_1", b"ATGAAATGAAAATAA").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProteinReference {
    gene: String,
    name: String,
    protein: Vec<u8>,
    cds: Option<Vec<u8>>,
}

impl ProteinReference {
    /// A reference from its protein (upper-cased here; a final `*` is dropped).
    pub fn new(gene: impl Into<String>, name: impl Into<String>, mut protein: Vec<u8>) -> Self {
        protein.make_ascii_uppercase();
        if protein.last() == Some(&b'*') {
            protein.pop();
        }
        Self {
            gene: gene.into(),
            name: name.into(),
            protein,
            cds: None,
        }
    }

    /// A reference from its coding sequence, translated with table 11 (see [`translate`]).
    /// The sequence must translate cleanly: whole codons of `ACGT` only, a start codon
    /// first, a stop codon last and none before it; otherwise the error says which rule
    /// failed and where.
    ///
    /// # Errors
    ///
    /// A message (without file or line: the caller knows them) naming the broken rule.
    pub fn from_cds(
        gene: impl Into<String>,
        name: impl Into<String>,
        cds: &[u8],
    ) -> Result<Self, String> {
        check_cds(cds)?;
        let mut protein = translate(cds);
        protein.pop();
        let mut reference = Self::new(gene, name, protein);
        reference.cds = Some(cds.to_ascii_uppercase());
        Ok(reference)
    }

    /// The gene this reference stands for (`gyrA`); alleles of one gene share it.
    pub fn gene(&self) -> &str {
        &self.gene
    }

    /// The record's name (`gyrA_1_CP073768.1`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The residues, upper case, without a final stop.
    pub fn protein(&self) -> &[u8] {
        &self.protein
    }

    /// The coding sequence (upper case, stop codon included) when the reference was built
    /// with [`ProteinReference::from_cds`]; `None` for a reference built from its protein.
    pub fn cds(&self) -> Option<&[u8]> {
        self.cds.as_deref()
    }
}

/// Checks that a reference coding sequence translates cleanly.
fn check_cds(cds: &[u8]) -> Result<(), String> {
    if cds.len() < 6 || !cds.len().is_multiple_of(3) {
        return Err(format!(
            "coding sequence of {} bases is not a whole number of codons (at least a start and a stop)",
            cds.len()
        ));
    }
    let codons: Vec<&[u8]> = cds.chunks_exact(3).collect();
    if let Some(position) = codons.iter().position(|codon| codon_index(codon).is_none()) {
        return Err(format!(
            "codon {} ({}) holds a base other than A, C, G, T",
            position + 1,
            String::from_utf8_lossy(codons[position])
        ));
    }
    if !is_start_codon(codons[0]) {
        return Err(format!(
            "first codon {} is not a start codon of translation table 11",
            String::from_utf8_lossy(codons[0])
        ));
    }
    let last = codons.len() - 1;
    if !is_stop_codon(codons[last]) {
        return Err(format!(
            "last codon {} is not a stop codon",
            String::from_utf8_lossy(codons[last])
        ));
    }
    if let Some(position) = codons[..last].iter().position(|codon| is_stop_codon(codon)) {
        return Err(format!(
            "stop codon {} at codon {} of {}",
            String::from_utf8_lossy(codons[position]),
            position + 1,
            codons.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_cds_translates_without_its_stop() {
        let reference = ProteinReference::from_cds("rpsL", "r", b"gtgCCAACTTAA").unwrap();
        assert_eq!(reference.protein(), b"MPT");
        assert_eq!(reference.name(), "r");
        assert_eq!(reference.cds(), Some(&b"GTGCCAACTTAA"[..]));
        assert_eq!(ProteinReference::new("g", "r", b"MPT".to_vec()).cds(), None);
    }

    #[test]
    fn broken_cds_says_which_rule() {
        let error = |cds: &[u8]| ProteinReference::from_cds("g", "r", cds).unwrap_err();
        assert!(error(b"ATGAAATA").contains("whole number of codons"));
        assert!(error(b"ATGNAATAA").contains("codon 2 (NAA)"));
        assert!(error(b"AAAAAATAA").contains("not a start codon"));
        assert!(error(b"ATGAAAAAA").contains("not a stop codon"));
        assert!(error(b"ATGTAGAAATAA").contains("stop codon TAG at codon 2 of 4"));
    }

    #[test]
    fn protein_is_upper_case_without_final_stop() {
        let reference = ProteinReference::new("g", "r", b"mkv*".to_vec());
        assert_eq!(reference.protein(), b"MKV");
    }
}
