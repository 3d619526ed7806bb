//! Entry points for the fuzz harness (`fuzz/`) into pipeline steps whose types are
//! crate-private. Hidden from the documentation and not part of the supported API.

use super::catalogue::Catalogue;
use crate::Result;

/// Checks `catalogue` against `reference` as [`super::run`] does (every gene is given this
/// reference) and returns each entry's normalised HGVS form, in entry order.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::{Catalogue, fuzzing};
///
/// let catalogue = Catalogue::parse("known.tsv", "gyrA\tS2L\ngyrA\t3_4insI\n").unwrap();
/// let hgvs = fuzzing::resolve_catalogue(&catalogue, b"MSIQ").unwrap();
/// assert_eq!(hgvs, [Some("p.Ser2Leu".to_owned()), Some("p.Ile3dup".to_owned())]);
/// assert!(fuzzing::resolve_catalogue(&catalogue, b"MAIQ").is_err());
/// ```
pub fn resolve_catalogue(catalogue: &Catalogue, reference: &[u8]) -> Result<Vec<Option<String>>> {
    let resolved = catalogue.resolve(|_| Some(reference))?;
    Ok((0..catalogue.entries().len())
        .map(|index| resolved.hgvs(index).map(str::to_owned))
        .collect())
}
