//! A fast, non-cryptographic hasher for the graph's maps (the Fx hash of rustc).
//!
//! Keys are declarations compiled into the binary, not input from the network, so resistance
//! to collision attacks buys nothing here, while SipHash dominated the check of large graphs.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`FxHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// rustc's Fx hash: a rotate, a xor and a multiply per word.
#[derive(Clone, Copy, Default)]
pub(crate) struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }

    fn write_u32(&mut self, value: u32) {
        self.add(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        // A multiply mixes bits upward only, so the low bits hashbrown picks buckets with would
        // depend on the low bytes alone ("svc1", "svc2", … would collide): bring the mixed high
        // bits down, as rustc-hash 2 does.
        self.0.rotate_left(26)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_strings_hash_differently() {
        let hash = |text: &str| {
            let mut hasher = FxHasher::default();
            std::hash::Hash::hash(text, &mut hasher);
            hasher.finish()
        };
        assert_ne!(hash("svc1"), hash("svc2"));
        assert_ne!(hash("a-long-service-name-1"), hash("a-long-service-name-2"));
        assert_eq!(hash("same"), hash("same"));
    }

    #[test]
    fn names_that_differ_in_their_last_bytes_spread_over_buckets() {
        let buckets: std::collections::HashSet<u64> = (0..1000)
            .map(|i| {
                let mut hasher = FxHasher::default();
                std::hash::Hash::hash(&format!("component-{i}"), &mut hasher);
                hasher.finish() & 1023
            })
            .collect();
        assert!(buckets.len() > 500, "only {} buckets used", buckets.len());
    }
}
