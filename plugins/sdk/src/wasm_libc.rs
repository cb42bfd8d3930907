//! Faster stand-ins, inside a component, for two things the C library
//! (wasi-libc) gives Rust: `memcmp` and the memory allocator.
//!
//! Plugin code compares strings and allocates small buffers on every event.
//! wasi-libc's `memcmp` compares one byte at a time, and every allocation
//! goes through `dlmalloc` behind two wrapper layers; natively the same
//! code gets glibc's vectorised `memcmp` and a per-thread cache. In the
//! demo chain these two were about a sixth of the instructions a plugin ran.
//!
//! Both are plain Rust with no state shared across threads (a component
//! instance runs one thread). They are on with the SDK's default feature
//! `fast-libc`; a plugin that brings its own global allocator turns it off
//! (`default-features = false`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;

/// `memcmp`, eight bytes at a time (the C contract: the sign of the first
/// differing byte, 0 when equal).
///
/// # Safety
/// `a` and `b` must be readable for `n` bytes.
pub unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    while i + 8 <= n {
        let x = a.add(i).cast::<u64>().read_unaligned();
        let y = b.add(i).cast::<u64>().read_unaligned();
        if x != y {
            // Little-endian: the lowest differing byte comes first.
            let k = i + ((x ^ y).trailing_zeros() / 8) as usize;
            return i32::from(*a.add(k)) - i32::from(*b.add(k));
        }
        i += 8;
    }
    while i < n {
        let (x, y) = (*a.add(i), *b.add(i));
        if x != y {
            return i32::from(x) - i32::from(y);
        }
        i += 1;
    }
    0
}

/// The C library's `memcmp`, inside a component only (natively the
/// system's is better). The linker takes it before looking in wasi-libc.
///
/// # Safety
/// As [`compare`].
#[cfg(all(target_family = "wasm", feature = "fast-libc"))]
#[no_mangle]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    compare(a, b, n)
}

/// `bcmp` (equality only) is `memcmp`.
///
/// # Safety
/// As [`compare`].
#[cfg(all(target_family = "wasm", feature = "fast-libc"))]
#[no_mangle]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    compare(a, b, n)
}

/// Block sizes served from free lists; larger or over-aligned requests go
/// to the system allocator directly.
const CLASSES: [usize; 6] = [16, 32, 64, 128, 256, 512];
/// Blocks kept per class (at most ~1 MiB in all): beyond this, freed blocks
/// go back to the system allocator, so a burst of one size does not pin
/// memory another size will need.
const MAX_KEPT: u32 = 1024;
/// What the blocks of every class are aligned to.
const BLOCK_ALIGN: usize = 8;

/// The size class of a request, if it has one.
fn class_of(layout: Layout) -> Option<usize> {
    if layout.align() > BLOCK_ALIGN {
        return None;
    }
    CLASSES.iter().position(|&size| layout.size() <= size)
}

fn block_layout(class: usize) -> Layout {
    // CLASSES are powers of two above BLOCK_ALIGN: always a valid layout.
    unsafe { Layout::from_size_align_unchecked(CLASSES[class], BLOCK_ALIGN) }
}

struct FreeLists {
    heads: [*mut u8; CLASSES.len()],
    kept: [u32; CLASSES.len()],
}

/// Small blocks recycled through per-size free lists on top of the system
/// allocator.
pub struct PluginAllocator {
    lists: UnsafeCell<FreeLists>,
}

// SAFETY: a component instance has one thread; the allocator is never
// reached from two at once.
unsafe impl Sync for PluginAllocator {}

impl PluginAllocator {
    /// An allocator with empty free lists.
    pub const fn new() -> Self {
        PluginAllocator {
            lists: UnsafeCell::new(FreeLists {
                heads: [std::ptr::null_mut(); CLASSES.len()],
                kept: [0; CLASSES.len()],
            }),
        }
    }
}

impl Default for PluginAllocator {
    fn default() -> Self {
        Self::new()
    }
}

unsafe impl GlobalAlloc for PluginAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class_of(layout) else {
            return System.alloc(layout);
        };
        let lists = &mut *self.lists.get();
        let head = lists.heads[class];
        if head.is_null() {
            return System.alloc(block_layout(class));
        }
        // A free block holds the address of the next one.
        lists.heads[class] = head.cast::<*mut u8>().read();
        lists.kept[class] -= 1;
        head
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let Some(class) = class_of(layout) else {
            return System.dealloc(ptr, layout);
        };
        let lists = &mut *self.lists.get();
        if lists.kept[class] >= MAX_KEPT {
            return System.dealloc(ptr, block_layout(class));
        }
        ptr.cast::<*mut u8>().write(lists.heads[class]);
        lists.heads[class] = ptr;
        lists.kept[class] += 1;
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        match (class_of(layout), class_of(new_layout)) {
            // The block already has room.
            (Some(old), Some(new)) if old == new => ptr,
            (None, None) => System.realloc(ptr, layout, new_size),
            _ => {
                let new_ptr = self.alloc(new_layout);
                if !new_ptr.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, new_ptr, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new_ptr
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memcmp_orders_like_slices_do() {
        let texts: [&[u8]; 9] = [
            b"",
            b"a",
            b"abcdefgh",
            b"abcdefgi",
            b"abcdefghij",
            b"abcdefghijklmnopq",
            b"abcdefghijklmnopr",
            b"\xffbcdefgh",
            b"abcdefgh\x00",
        ];
        for a in texts {
            for b in texts {
                let n = a.len().min(b.len());
                let got = unsafe { compare(a.as_ptr(), b.as_ptr(), n) }.signum();
                let want = a[..n].cmp(&b[..n]) as i32;
                assert_eq!(got, want, "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn blocks_are_recycled_by_size_and_keep_their_contents_when_grown() {
        let heap = PluginAllocator::new();
        unsafe {
            let small = Layout::from_size_align(20, 4).unwrap();
            let a = heap.alloc(small);
            a.write_bytes(7, 20);
            heap.dealloc(a, small);
            // Same class: the freed block comes back.
            let b = heap.alloc(Layout::from_size_align(30, 8).unwrap());
            assert_eq!(a, b);
            b.write_bytes(9, 30);
            // Grown within the class: same block; past it: moved, copied.
            let c = heap.realloc(b, Layout::from_size_align(30, 8).unwrap(), 32);
            assert_eq!(c, b);
            c.add(30).write_bytes(9, 2);
            let d = heap.realloc(c, Layout::from_size_align(32, 8).unwrap(), 1000);
            assert!((0..32).all(|i| *d.add(i) == 9));
            heap.dealloc(d, Layout::from_size_align(1000, 8).unwrap());
            // Over-aligned requests are not served from the lists.
            let wide = Layout::from_size_align(16, 64).unwrap();
            let e = heap.alloc(wide);
            assert_eq!(e as usize % 64, 0);
            heap.dealloc(e, wide);
        }
    }

    #[test]
    fn free_lists_stop_growing_at_their_cap() {
        let heap = PluginAllocator::new();
        let layout = Layout::from_size_align(64, 8).unwrap();
        unsafe {
            let blocks: Vec<*mut u8> = (0..MAX_KEPT + 10).map(|_| heap.alloc(layout)).collect();
            for &b in &blocks {
                heap.dealloc(b, layout);
            }
            assert_eq!((*heap.lists.get()).kept[2], MAX_KEPT);
            for _ in 0..MAX_KEPT {
                heap.alloc(layout);
            }
            assert_eq!((*heap.lists.get()).kept[2], 0);
        }
    }
}
