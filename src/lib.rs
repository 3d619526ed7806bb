//! # wildtype-aligner
//!
//! Smith-Waterman local alignment that gives exactly what EMBOSS `water` 6.6.0 gives, built for
//! antimicrobial-resistance pipelines that compare target proteins against wild-type references.
//!
//! ## Conventions
//!
//! - **Water-exact.** With the same inputs and options, an [`align::Alignment`] equals water's:
//!   score, start and end, aligned rows, statistics and the text of every supported output
//!   format, quirks included (see [`align`] for the list, each with an example).
//! - **Coordinates.** Ranges in the Rust API are 0-based and half-open; every text output is
//!   1-based and inclusive, as water prints them.
//! - **Numbers.** Scores are `f32` as water reports them; gap penalties are rounded to 16
//!   significant bits exactly as water rounds them ([`scoring::GapPenalties`]).
//! - **Errors.** Bad input gives an [`Error`] naming the file, record and line; the crate does
//!   not panic on user data.
//!
//! ## Example
//!
//! ```
//! use wildtype_aligner::align::Aligner;
//!
//! let aligner = Aligner::builder().build().unwrap();
//! let alignment = aligner.align(b"MVLSPADKTNVKAAW", b"MVHLTPEEKSAVTALW").unwrap();
//! assert_eq!(alignment.score(), 34.0);
//! ```
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

pub mod align;
pub mod error;
#[cfg(feature = "io")]
pub mod fasta;
#[cfg(feature = "report")]
pub mod report;
pub mod scoring;
#[cfg(feature = "report")]
pub mod seq;
#[cfg(feature = "io")]
pub mod staged;
#[cfg(feature = "pipeline")]
pub mod wildtype;

#[cfg(feature = "pipeline")]
pub use error::PipelineOption;
pub use error::{Error, Result};
