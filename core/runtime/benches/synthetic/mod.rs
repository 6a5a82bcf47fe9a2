//! Helpers shared by the benches that build synthetic component graphs.

/// A deterministic xorshift generator: `random(bound)` is in `0..bound` (`bound > 0`).
pub(crate) fn xorshift(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |bound: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % bound as u64) as usize
    }
}

/// Leaks `text`: registrations hold `&'static str`, as `inventory` submissions do.
pub(crate) fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}
