//! Cache hints for loops that touch memory in a scattered order (a customer's state per
//! order row, a customer's row per sorted output line): ask for the line early, use it
//! a few iterations later, and the loads overlap instead of waiting one by one.

/// Starts loading the cache line holding `value`. Reads nothing, never faults; a no-op
/// off x86-64.
#[inline(always)]
pub fn prefetch<T: ?Sized>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: the pointer comes from a reference; a prefetch is only a hint.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch(value as *const T as *const i8, _MM_HINT_T0);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
