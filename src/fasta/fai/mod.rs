//! The `.fai` index of `samtools faidx`: five tab-separated columns per record (NAME, LENGTH,
//! OFFSET, LINEBASES, LINEWIDTH), built so the bytes equal what samtools writes for the same
//! file, CRLF files included.
//!
//! # Examples
//!
//! ```
//! use wildtype_aligner::fasta::fai::{Index, Record};
//!
//! let index = Index::build_from_reader("refs.fa", &b">a\nACGT\nAC\n"[..]).unwrap();
//! assert_eq!(index.records(), [Record::new("a", 6, 3, 4, 5)]);
//! ```

mod build;
mod index;
mod record;

pub(crate) use index::refuse_compressed;
pub use index::{Index, IndexBuilder};
pub use record::Record;
