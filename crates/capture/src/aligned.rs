//! Read buffers that start on a cache line. The kernel copies the page
//! cache into a buffer with `rep movsb`, which on AMD EPYC runs at a third
//! of its speed when the destination is not 64-byte aligned, and a 1 MiB
//! `Vec` from the allocator starts 16 bytes past a page: `read(2)` of a
//! 1 GiB file in 1 MiB reads took 0.82 s of system time into such a buffer
//! against 0.27 s into one 64 bytes further on (BENCHMARKS.md, session 11).

use core::ops::{Deref, DerefMut};

/// A cache line, and the alignment of every buffer's start.
const LINE: usize = 64;

/// `len` bytes starting at a multiple of [`LINE`], reused from read to
/// read; derefs to its bytes.
pub struct AlignedBuf {
    bytes: Vec<u8>,
    start: usize,
    len: usize,
}

impl AlignedBuf {
    pub fn new(len: usize) -> Self {
        let bytes = vec![0; len + LINE - 1];
        // The bytes to skip to the next multiple of LINE.
        let start = bytes.as_ptr().addr().wrapping_neg() % LINE;
        AlignedBuf { bytes, start, len }
    }

    /// A buffer of no bytes (allocates nothing).
    pub fn empty() -> Self {
        AlignedBuf {
            bytes: Vec::new(),
            start: 0,
            len: 0,
        }
    }
}

impl Deref for AlignedBuf {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        let end = self.start + self.len;
        self.bytes.get(self.start..end).unwrap_or_default()
    }
}

impl DerefMut for AlignedBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        let end = self.start + self.len;
        self.bytes.get_mut(self.start..end).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_aligned_buf_starts_on_a_line_and_holds_len_bytes() {
        for len in [0, 1, 63, 4096, 1 << 20] {
            let mut buf = AlignedBuf::new(len);
            assert_eq!(buf.len(), len);
            assert_eq!(buf.as_ptr().addr() % LINE, 0, "len {len}");
            buf.fill(7);
            assert!(buf.iter().all(|&b| b == 7));
        }
        assert!(AlignedBuf::empty().is_empty());
    }
}
