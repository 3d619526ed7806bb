//! Report writers. This layer only formats: it takes finished alignments and writes text.

pub mod emboss;
mod rundate;

pub use emboss::{AlignFormat, EmbossWriter, PairReport, RunHeader, UnknownFormat};
pub use rundate::rundate_now;
