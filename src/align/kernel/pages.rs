//! The trace buffer: anonymous memory that asks for transparent huge pages.
//!
//! A batch's trace is a megabyte or more, touched once per process on each thread. In 4 KiB
//! pages that is hundreds of page faults per thread, which cost about as much as the walks of
//! the whole batch; one 2 MiB page (when the kernel grants it) costs one fault. The memory is
//! zeroed by the kernel and kept for the thread's later fills.

use std::ops::{Deref, DerefMut};

use memmap2::MmapMut;

/// Mappings are whole 2 MiB units, the x86-64 and aarch64 (4 KiB granule) huge page size.
const HUGE_PAGE: usize = 2 << 20;

/// A growable buffer of `u64` words whose contents need not survive growth.
#[derive(Default)]
pub(crate) struct TraceWords {
    map: Option<MmapMut>,
}

impl std::fmt::Debug for TraceWords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceWords")
            .field("words", &self.len())
            .finish()
    }
}

/// A clone starts empty: the contents are scratch, rewritten by every fill.
impl Clone for TraceWords {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl TraceWords {
    /// Makes room for at least `words` words. Growing drops what the buffer held (every fill
    /// writes the trace it reads). Panics if the memory cannot be mapped, as a failed
    /// allocation would.
    pub(crate) fn reserve_words(&mut self, words: usize) {
        if self.len() >= words {
            return;
        }
        let bytes = (words * 8).next_multiple_of(HUGE_PAGE);
        self.map = None;
        let map = MmapMut::map_anon(bytes).unwrap_or_else(|error| {
            panic!("cannot map {bytes} bytes for the alignment trace: {error}")
        });
        // Only a hint: without transparent huge pages the mapping works in small pages.
        #[cfg(target_os = "linux")]
        let _ = map.advise(memmap2::Advice::HugePage);
        self.map = Some(map);
    }
}

impl Deref for TraceWords {
    type Target = [u64];

    fn deref(&self) -> &[u64] {
        match &self.map {
            Some(map) => bytemuck::cast_slice(&map[..]),
            None => &[],
        }
    }
}

impl DerefMut for TraceWords {
    fn deref_mut(&mut self) -> &mut [u64] {
        match &mut self.map {
            Some(map) => bytemuck::cast_slice_mut(&mut map[..]),
            None => &mut [],
        }
    }
}
