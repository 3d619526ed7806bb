//! The trace buffer: memory aligned to a huge page that asks for transparent huge pages.
//!
//! A batch's trace is a megabyte or more, touched once per process on each thread. In 4 KiB
//! pages that is hundreds of page faults per thread, which cost about as much as the walks of
//! the whole batch; one 2 MiB page (when the kernel grants it) costs one fault. The buffer is
//! kept for the thread's later fills.

use std::alloc::Layout;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// Buffers are whole 2 MiB units aligned to 2 MiB, the x86-64 and aarch64 (4 KiB granule)
/// huge page size.
const HUGE_PAGE: usize = 2 << 20;

/// A growable buffer of `u64` words whose contents need not survive growth.
pub(crate) struct TraceWords {
    /// `HUGE_PAGE`-aligned, `words` initialized words; dangling when `words` is 0.
    words: NonNull<u64>,
    len: usize,
}

// SAFETY: the buffer owns its memory exclusively, as a `Vec<u64>` does.
unsafe impl Send for TraceWords {}
// SAFETY: shared access only reads, through `&[u64]`.
unsafe impl Sync for TraceWords {}

impl Default for TraceWords {
    fn default() -> Self {
        Self {
            words: NonNull::dangling(),
            len: 0,
        }
    }
}

impl std::fmt::Debug for TraceWords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceWords")
            .field("words", &self.len)
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
    fn layout(words: usize) -> Layout {
        Layout::from_size_align(words * 8, HUGE_PAGE).expect("a trace buffer's size fits memory")
    }

    /// Makes room for at least `words` words. Growing drops what the buffer held (every fill
    /// writes the trace it reads). Aborts, as a failed allocation does, when memory runs out.
    pub(crate) fn reserve_words(&mut self, words: usize) {
        if self.len >= words {
            return;
        }
        self.release();
        let bytes = (words * 8).next_multiple_of(HUGE_PAGE);
        let layout = Self::layout(bytes / 8);
        // SAFETY: the layout has a non-zero size.
        let raw = unsafe { std::alloc::alloc(layout) };
        let Some(start) = NonNull::new(raw) else {
            std::alloc::handle_alloc_error(layout);
        };
        advise_huge_pages(start.as_ptr(), bytes);
        // SAFETY: `start` is valid for `bytes` bytes of writes. Zeroing after the advice makes
        // the first touch of each 2 MiB unit one fault, and every word initialized.
        unsafe { std::ptr::write_bytes(start.as_ptr(), 0, bytes) };
        self.words = start.cast();
        self.len = bytes / 8;
    }

    fn release(&mut self) {
        if self.len > 0 {
            // SAFETY: allocated in `reserve_words` with this same layout.
            unsafe { std::alloc::dealloc(self.words.as_ptr().cast(), Self::layout(self.len)) };
            // Field by field: assigning a whole new value would drop this one again.
            self.words = NonNull::dangling();
            self.len = 0;
        }
    }
}

impl Drop for TraceWords {
    fn drop(&mut self) {
        self.release();
    }
}

/// Asks Linux for transparent huge pages over `[start, start + bytes)`; only a hint: without
/// them the buffer works in small pages.
#[cfg(target_os = "linux")]
fn advise_huge_pages(start: *mut u8, bytes: usize) {
    /// `MADV_HUGEPAGE` of Linux's `<asm-generic/mman-common.h>`.
    const MADV_HUGEPAGE: core::ffi::c_int = 14;
    unsafe extern "C" {
        fn madvise(
            addr: *mut core::ffi::c_void,
            len: usize,
            advice: core::ffi::c_int,
        ) -> core::ffi::c_int;
    }
    // SAFETY: the range is one allocation of this buffer, page aligned; the advice changes no
    // contents, and a failure (say, no huge page support) is harmless.
    let _ = unsafe { madvise(start.cast(), bytes, MADV_HUGEPAGE) };
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_start: *mut u8, _bytes: usize) {}

impl Deref for TraceWords {
    type Target = [u64];

    fn deref(&self) -> &[u64] {
        // SAFETY: `len` initialized words at `words` (or an empty slice at a dangling,
        // aligned pointer).
        unsafe { std::slice::from_raw_parts(self.words.as_ptr(), self.len) }
    }
}

impl DerefMut for TraceWords {
    fn deref_mut(&mut self) -> &mut [u64] {
        // SAFETY: as in `deref`, and `&mut self` makes the access exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.words.as_ptr(), self.len) }
    }
}

#[cfg(test)]
mod tests {
    use super::TraceWords;

    #[test]
    fn grows_in_aligned_units_and_starts_zeroed() {
        let mut words = TraceWords::default();
        assert!(words.is_empty());
        words.reserve_words(10);
        assert_eq!(words.len(), (2 << 20) / 8);
        assert_eq!(words.as_ptr() as usize % (2 << 20), 0);
        assert!(words.iter().all(|&word| word == 0));
        words[3] = 7;
        words.reserve_words(5);
        assert_eq!(words[3], 7, "no growth when the buffer is large enough");
        words.reserve_words((2 << 20) / 8 + 1);
        assert_eq!(words.len(), (4 << 20) / 8);
        assert!(words.clone().is_empty());
    }
}
