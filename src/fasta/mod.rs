//! FASTA input: a streaming reader for plain and gzip files, samtools-compatible `.fai`
//! indexes, and memory-mapped random access by name and region.
//!
//! - [`Reader`] streams records, borrowing the read buffer, and reports bad input with file,
//!   record and line ([`FastaErrorKind`] lists the cases).
//! - [`fai::Index`] builds, reads and writes the 5-column index of `samtools faidx`, byte for
//!   byte as samtools writes it.
//! - [`IndexedFasta`] maps the file and fetches whole records or regions without copying when
//!   the bases are on one line.
//!
//! Sequences are handed over as they are in the file, with only line endings removed: callers
//! apply their own residue rules (see [`crate::seq`]).
//!
//! # Examples
//!
//! ```
//! use wildtype_aligner::fasta::Reader;
//!
//! let mut reader = Reader::from_reader("refs.fa", &b">gyrA_1\nMSDLAR\n"[..]).unwrap();
//! while let Some(record) = reader.next_record() {
//!     let record = record.unwrap();
//!     assert_eq!((record.id(), &record.seq()[..]), ("gyrA_1", &b"MSDLAR"[..]));
//! }
//! ```

mod error;
pub mod fai;
mod indexed;
mod input;
mod mmap;
mod reader;
mod record;
mod region;

pub use error::{FastaError, FastaErrorKind};
pub use indexed::{IndexedFasta, OpenOptions, StaleIndex};
pub use reader::{Reader, ReaderOptions, read_all};
pub use record::{OwnedRecord, Record};
pub use region::Region;
