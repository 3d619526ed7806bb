//! The trace buffer: memory aligned to a huge page that asks for transparent huge pages.
//!
//! A batch's trace is a megabyte or more, touched once per process on each thread. In 4 KiB
//! pages that is hundreds of page faults per thread, which cost about as much as the walks of
//! the whole batch; one 2 MiB page (when the kernel grants it) costs one fault. The memory is
//! zeroed by the kernel as it is first touched and kept for the thread's later fills.

use std::alloc::Layout;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// Buffers are whole 2 MiB units, the x86-64 and aarch64 (4 KiB granule) huge page size.
const HUGE_PAGE: usize = 2 << 20;

/// A growable buffer of `u64` words whose contents need not survive growth.
pub(crate) struct TraceWords {
    /// `len` zero-initialised words (or written since); dangling when `len` is 0.
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
    /// Makes room for at least `words` words. Growing drops what the buffer held (every fill
    /// writes the trace it reads). Aborts, as a failed allocation does, when memory runs out.
    pub(crate) fn reserve_words(&mut self, words: usize) {
        if self.len >= words {
            return;
        }
        self.release();
        let bytes = (words * 8).next_multiple_of(HUGE_PAGE);
        self.words = zeroed_pages(bytes).cast();
        self.len = bytes / 8;
    }

    fn release(&mut self) {
        if self.len > 0 {
            // SAFETY: made by `zeroed_pages` with this same size, and no longer borrowed
            // (`&mut self`).
            unsafe { release_pages(self.words.cast(), self.len * 8) };
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

#[cfg(target_os = "linux")]
mod linux {
    use core::ffi::{c_int, c_long, c_void};

    // Linux's values (the same on x86-64 and aarch64).
    pub(super) const PROT_READ: c_int = 1;
    pub(super) const PROT_WRITE: c_int = 2;
    pub(super) const MAP_PRIVATE: c_int = 2;
    pub(super) const MAP_ANONYMOUS: c_int = 0x20;
    /// `MADV_HUGEPAGE` of `<asm-generic/mman-common.h>`.
    pub(super) const MADV_HUGEPAGE: c_int = 14;

    unsafe extern "C" {
        pub(super) fn mmap(
            addr: *mut c_void,
            len: usize,
            prot: c_int,
            flags: c_int,
            fd: c_int,
            offset: c_long,
        ) -> *mut c_void;
        pub(super) fn munmap(addr: *mut c_void, len: usize) -> c_int;
        pub(super) fn madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int;
    }
}

/// `bytes` of zeroed memory, 8-byte aligned. On Linux an anonymous mapping that asks for
/// transparent huge pages: the kernel zeroes each page when it is first touched, so a buffer
/// costs only the pages a fill writes (one fault per 2 MiB page when huge pages are granted).
#[cfg(target_os = "linux")]
fn zeroed_pages(bytes: usize) -> NonNull<u8> {
    use linux::*;
    // SAFETY: a new private anonymous mapping; no existing memory is affected.
    let start = unsafe {
        mmap(
            std::ptr::null_mut(),
            bytes,
            PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    // MAP_FAILED is (void *) -1.
    if start.is_null() || start as usize == usize::MAX {
        std::alloc::handle_alloc_error(
            Layout::from_size_align(bytes, 8).unwrap_or(Layout::new::<u64>()),
        );
    }
    // SAFETY: the range is the mapping just made; the advice changes no contents, and a
    // failure (no huge page support) is harmless.
    let _ = unsafe { madvise(start, bytes, MADV_HUGEPAGE) };
    NonNull::new(start.cast()).expect("checked above")
}

/// # Safety
///
/// `start` and `bytes` are those of one `zeroed_pages` call, not used afterwards.
#[cfg(target_os = "linux")]
unsafe fn release_pages(start: NonNull<u8>, bytes: usize) {
    // SAFETY: the caller passes one whole mapping of ours.
    let _ = unsafe { linux::munmap(start.as_ptr().cast(), bytes) };
}

#[cfg(not(target_os = "linux"))]
fn zeroed_pages(bytes: usize) -> NonNull<u8> {
    let layout = Layout::from_size_align(bytes, 8).expect("a trace buffer's size fits memory");
    // SAFETY: the layout has a non-zero size.
    let raw = unsafe { std::alloc::alloc_zeroed(layout) };
    NonNull::new(raw).unwrap_or_else(|| std::alloc::handle_alloc_error(layout))
}

/// # Safety
///
/// `start` and `bytes` are those of one `zeroed_pages` call, not used afterwards.
#[cfg(not(target_os = "linux"))]
unsafe fn release_pages(start: NonNull<u8>, bytes: usize) {
    let layout = Layout::from_size_align(bytes, 8).expect("a trace buffer's size fits memory");
    // SAFETY: allocated by `zeroed_pages` with this layout.
    unsafe { std::alloc::dealloc(start.as_ptr(), layout) };
}

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
    fn grows_in_huge_page_units_and_starts_zeroed() {
        let mut words = TraceWords::default();
        assert!(words.is_empty());
        words.reserve_words(10);
        assert_eq!(words.len(), (2 << 20) / 8);
        assert_eq!(words.as_ptr() as usize % 8, 0);
        assert!(words.iter().all(|&word| word == 0));
        words[3] = 7;
        words.reserve_words(5);
        assert_eq!(words[3], 7, "no growth when the buffer is large enough");
        words.reserve_words((2 << 20) / 8 + 1);
        assert_eq!(words.len(), (4 << 20) / 8);
        assert!(words.clone().is_empty());
    }
}
