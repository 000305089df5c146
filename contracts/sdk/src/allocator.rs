//! A bump allocator over `memory.grow`.
//!
//! A contract instance lives for one call frame and its memory is thrown away afterwards,
//! so a general-purpose allocator would spend code bytes (paid for at upload) and gas on
//! bookkeeping that never pays off. Bumping is a few dozen instructions and fully
//! deterministic. Two cheap cases are reclaimed anyway: freeing or resizing the most
//! recent allocation (temporary encode buffers, a growing `Vec`). When the ABI's memory
//! cap is reached, `memory.grow` fails, allocation returns null, and the frame panics,
//! which the SDK's panic handler turns into a revert.

/// Wasm page size.
pub const PAGE_SIZE: usize = 65_536;

/// Allocation state: `[next, end)` is free, `end` is the end of linear memory.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Bump {
    next: usize,
    end: usize,
}

impl Bump {
    /// An allocator that has not seen its heap yet.
    pub const fn new() -> Self {
        Self { next: 0, end: 0 }
    }

    /// Starts handing out `[heap_start, memory_end)`; called once, before the first
    /// allocation.
    pub fn init(&mut self, heap_start: usize, memory_end: usize) {
        self.next = heap_start;
        self.end = memory_end.max(heap_start);
    }

    /// Whether [`Bump::init`] has run.
    pub fn is_initialized(&self) -> bool {
        self.end != 0
    }

    /// Allocates `size` bytes aligned to `align` (a power of two). `grow(pages)` grows
    /// memory and returns the previous size in pages, or `None` at the limit.
    pub fn alloc(
        &mut self,
        size: usize,
        align: usize,
        grow: impl FnOnce(usize) -> Option<usize>,
    ) -> Option<usize> {
        let start = self.next.checked_add(align.checked_sub(1)?)? & !(align - 1);
        let new_next = start.checked_add(size)?;
        self.reserve(new_next, grow)?;
        self.next = new_next;
        Some(start)
    }

    /// Frees `[ptr, ptr + size)`; only the most recent allocation is reclaimed.
    pub fn dealloc(&mut self, ptr: usize, size: usize) {
        if ptr.checked_add(size) == Some(self.next) {
            self.next = ptr;
        }
    }

    /// Resizes the most recent allocation in place; `false` if `ptr` is not the most
    /// recent one or memory cannot grow (the caller then moves it).
    pub fn resize_last(
        &mut self,
        ptr: usize,
        old_size: usize,
        new_size: usize,
        grow: impl FnOnce(usize) -> Option<usize>,
    ) -> bool {
        if ptr.checked_add(old_size) != Some(self.next) {
            return false;
        }
        let Some(new_next) = ptr.checked_add(new_size) else {
            return false;
        };
        if self.reserve(new_next, grow).is_none() {
            return false;
        }
        self.next = new_next;
        true
    }

    /// Makes sure memory reaches `needed_end`, growing it if required.
    fn reserve(
        &mut self,
        needed_end: usize,
        grow: impl FnOnce(usize) -> Option<usize>,
    ) -> Option<()> {
        if needed_end <= self.end {
            return Some(());
        }
        let pages = (needed_end - self.end).div_ceil(PAGE_SIZE);
        let previous_pages = grow(pages)?;
        self.end = previous_pages.checked_add(pages)?.checked_mul(PAGE_SIZE)?;
        (needed_end <= self.end).then_some(())
    }
}

#[cfg(all(target_arch = "wasm32", feature = "allocator", not(test)))]
mod global {
    use super::{Bump, PAGE_SIZE};
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;

    extern "C" {
        /// End of static data and shadow stack, defined by the linker.
        static __heap_base: u8;
    }

    struct BumpAllocator(UnsafeCell<Bump>);

    // SAFETY: contracts run single-threaded (threads are refused at upload).
    unsafe impl Sync for BumpAllocator {}

    #[global_allocator]
    static ALLOCATOR: BumpAllocator = BumpAllocator(UnsafeCell::new(Bump::new()));

    fn grow(pages: usize) -> Option<usize> {
        let previous = core::arch::wasm32::memory_grow(0, pages);
        (previous != usize::MAX).then_some(previous)
    }

    impl BumpAllocator {
        /// SAFETY: single-threaded, and no allocator call re-enters another.
        #[allow(clippy::mut_from_ref)]
        unsafe fn state(&self) -> &mut Bump {
            let state = &mut *self.0.get();
            if !state.is_initialized() {
                let heap_start = core::ptr::addr_of!(__heap_base) as usize;
                state.init(heap_start, core::arch::wasm32::memory_size(0) * PAGE_SIZE);
            }
            state
        }
    }

    unsafe impl GlobalAlloc for BumpAllocator {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            match self.state().alloc(layout.size(), layout.align(), grow) {
                Some(address) => address as *mut u8,
                None => core::ptr::null_mut(),
            }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            self.state().dealloc(ptr as usize, layout.size());
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if self
                .state()
                .resize_last(ptr as usize, layout.size(), new_size, grow)
            {
                return ptr;
            }
            let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
                return core::ptr::null_mut();
            };
            let new_ptr = self.alloc(new_layout);
            if !new_ptr.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new_ptr, layout.size().min(new_size));
            }
            new_ptr
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Memory of `pages` pages that may grow to `max_pages`.
    struct Memory {
        pages: usize,
        max_pages: usize,
    }

    impl Memory {
        fn grow(&mut self, pages: usize) -> Option<usize> {
            let previous = self.pages;
            if previous + pages > self.max_pages {
                return None;
            }
            self.pages += pages;
            Some(previous)
        }
    }

    fn heap(start: usize, pages: usize) -> Bump {
        let mut bump = Bump::new();
        bump.init(start, pages * PAGE_SIZE);
        bump
    }

    #[test]
    fn allocations_are_aligned_and_disjoint() {
        let mut bump = heap(1001, 1);
        let a = bump.alloc(3, 1, |_| None).unwrap();
        let b = bump.alloc(8, 8, |_| None).unwrap();
        let c = bump.alloc(16, 16, |_| None).unwrap();
        assert_eq!(a, 1001);
        assert_eq!(b % 8, 0);
        assert!(b >= a + 3);
        assert_eq!(c % 16, 0);
        assert!(c >= b + 8);
    }

    #[test]
    fn memory_grows_by_whole_pages_when_needed() {
        let mut memory = Memory {
            pages: 2,
            max_pages: 16,
        };
        let mut bump = heap(PAGE_SIZE + 100, 2);
        let big = bump.alloc(3 * PAGE_SIZE, 1, |p| memory.grow(p)).unwrap();
        assert_eq!(big, PAGE_SIZE + 100);
        assert_eq!(memory.pages, 5);
        // The remainder of the grown memory is used without growing again.
        let rest = bump
            .alloc(PAGE_SIZE - 200, 1, |_| panic!("grew needlessly"))
            .unwrap();
        assert_eq!(rest, 4 * PAGE_SIZE + 100);
    }

    #[test]
    fn allocation_fails_cleanly_at_the_memory_cap() {
        let mut memory = Memory {
            pages: 2,
            max_pages: 16,
        };
        let mut bump = heap(PAGE_SIZE, 2);
        assert!(bump
            .alloc(15 * PAGE_SIZE + 1, 1, |p| memory.grow(p))
            .is_none());
        assert_eq!(memory.pages, 2);
        // A failed allocation leaves the allocator usable.
        assert!(bump.alloc(15 * PAGE_SIZE, 1, |p| memory.grow(p)).is_some());
        assert!(bump.alloc(1, 1, |p| memory.grow(p)).is_none());
    }

    #[test]
    fn overflowing_requests_fail_without_wrapping() {
        let mut bump = heap(100, 1);
        assert!(bump.alloc(usize::MAX, 1, |_| Some(1)).is_none());
        assert!(bump.alloc(usize::MAX - 50, 1, |_| Some(1)).is_none());
        assert!(bump.alloc(1, 0, |_| Some(1)).is_none());
        bump.next = usize::MAX - 2;
        bump.end = usize::MAX;
        assert!(bump.alloc(1, 8, |_| None).is_none());
        assert!(bump.alloc(8, 1, |_| None).is_none());
    }

    #[test]
    fn the_most_recent_allocation_is_reclaimed_and_resized_in_place() {
        let mut bump = heap(0x1000, 1);
        let a = bump.alloc(10, 1, |_| None).unwrap();
        let b = bump.alloc(10, 1, |_| None).unwrap();
        bump.dealloc(a, 10); // not the last: kept
        assert_eq!(bump.alloc(1, 1, |_| None).unwrap(), b + 10);
        bump.dealloc(b + 10, 1);
        assert!(bump.resize_last(b, 10, 100, |_| None));
        assert!(!bump.resize_last(a, 10, 100, |_| None));
        assert!(bump.resize_last(b, 100, 5, |_| None));
        bump.dealloc(b, 5);
        assert_eq!(bump.alloc(4, 1, |_| None).unwrap(), b);
    }

    #[test]
    fn in_place_resize_grows_memory_or_reports_failure() {
        let mut memory = Memory {
            pages: 1,
            max_pages: 2,
        };
        let mut bump = heap(PAGE_SIZE - 10, 1);
        let a = bump.alloc(8, 1, |p| memory.grow(p)).unwrap();
        assert!(bump.resize_last(a, 8, PAGE_SIZE, |p| memory.grow(p)));
        assert_eq!(memory.pages, 2);
        assert!(!bump.resize_last(a, PAGE_SIZE, 3 * PAGE_SIZE, |p| memory.grow(p)));
        assert!(!bump.resize_last(a, PAGE_SIZE, usize::MAX, |_| Some(2)));
    }
}
