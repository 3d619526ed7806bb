//! The wild-type pipeline: match target proteins to their gene's wild-type reference, align
//! each pair exactly as water does, grade the alignment and call mutations in reference
//! numbering.

#[allow(dead_code)] // Catalogue look-ups are used by the pipeline, which comes next.
mod catalogue;
mod hgvs;
mod mutation;
mod quality;

pub use catalogue::{Catalogue, CatalogueEntry};
pub use hgvs::three_letter_code;
pub use mutation::{MutationCall, MutationKind, call_mutations};
pub use quality::{Quality, Tier, TierRule, TierThresholds};
