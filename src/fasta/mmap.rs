//! The FASTA layer's one use of `unsafe`: mapping a file into memory.

use std::fs::File;
use std::path::Path;

use super::error::{FastaError, Result};

/// A file's bytes, memory-mapped or (for empty files and when asked) read into memory.
#[derive(Debug)]
pub(crate) enum FileBytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl FileBytes {
    /// Maps `file` read-only.
    pub(crate) fn map(file: &File, path: &Path) -> Result<Self> {
        let len = file.metadata().map_err(|e| FastaError::io(path, e))?.len();
        if len == 0 {
            // Some platforms refuse to map zero bytes; there is nothing to map anyway.
            return Ok(FileBytes::Owned(Vec::new()));
        }
        // SAFETY: `Mmap::map` is unsafe because the mapping aliases a file that other processes
        // may change while we hold `&[u8]` into it. What that can do here, and why we accept it:
        // - The map is read-only and private to this process; nothing in this crate writes to
        //   the FASTA file while an `IndexedFasta` is open.
        // - If another process rewrites bytes in place, later reads see the new bytes. Every
        //   byte is treated as untrusted input (no UTF-8 or layout is assumed, every offset
        //   from the index is bounds-checked against the length mapped here), so this gives
        //   wrong sequence, never out-of-bounds access; opening checks the index against the
        //   file's size and modification time to catch the usual case (a file replaced or
        //   edited before we open it).
        // - If another process truncates the file, touching the lost pages raises SIGBUS, as
        //   for every mmap reader (ripgrep, samtools with mmap, noodles); callers who cannot
        //   rule that out use `IndexedFasta::options().memory_map(false)`, which reads the
        //   file into memory and has no unsafe code at all.
        let map = unsafe { memmap2::Mmap::map(file) }.map_err(|e| FastaError::io(path, e))?;
        Ok(FileBytes::Mapped(map))
    }

    /// Reads the whole file into memory (no mapping).
    pub(crate) fn read(file: &mut File, path: &Path) -> Result<Self> {
        use std::io::Read;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| FastaError::io(path, e))?;
        Ok(FileBytes::Owned(bytes))
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(map) => map,
            FileBytes::Owned(bytes) => bytes,
        }
    }
}
