//! Scoring: substitution matrices in EMBOSS format and gap penalties rounded as water rounds them.

mod error;
mod gaps;
mod matrix;

pub use error::{GapKind, GapWarning, ScoringError};

pub use gaps::{GapPenalties, MAX_EXTEND, MAX_OPEN, round_to_16_bits};
pub use matrix::Matrix;
pub(crate) use matrix::PairFlags;
