//! Cache hints for loops that touch memory in a scattered order (a customer's state per
//! order row, a customer's row per sorted output line): ask for the line early, use it
//! a few iterations later, and the loads overlap instead of waiting one by one.

/// Starts loading the cache lines holding `value` (both, when it straddles two). Reads
/// nothing, never faults; a no-op off x86-64.
#[inline(always)]
pub fn prefetch<T: ?Sized>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: the pointers point into `value`; a prefetch is only a hint.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let first = value as *const T as *const u8;
        let last = first.wrapping_add(std::mem::size_of_val(value).saturating_sub(1));
        _mm_prefetch(first as *const i8, _MM_HINT_T0);
        // A 48-byte customer state straddles two lines every other time; fetching only
        // the first left the second to miss when the row came to be folded.
        if (first as usize ^ last as usize) >= LINE {
            _mm_prefetch(last as *const i8, _MM_HINT_T0);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// How far ahead a scattered lookup is started: about as many loads as a core keeps in
/// flight (a whole batch at once queued them, and the first rows waited anyway).
pub const AHEAD: usize = 12;

/// For a loop over `items` at `k`: calls `fetch` on the item [`AHEAD`] places on (and,
/// at `k == 0`, on the first `AHEAD`), so each item's loads start that many rows early.
#[inline(always)]
pub fn fetch_ahead<T>(items: &[T], k: usize, mut fetch: impl FnMut(&T)) {
    if k == 0 {
        items.iter().take(AHEAD).for_each(&mut fetch);
    }
    if let Some(ahead) = items.get(k + AHEAD) {
        fetch(ahead);
    }
}

/// A cache line's size on x86-64.
#[cfg(target_arch = "x86_64")]
const LINE: usize = 64;
