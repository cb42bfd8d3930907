//! What a component already knows of its key-value store, so that reading
//! a key it read or wrote before costs no call to the host.
//!
//! It is safe because the host gives each (community, plugin) scope to one
//! instance at a time, and nothing else writes the scope while it lives. The
//! one way the host's view and the cache part is a call whose writes the
//! host drops: a call that fails. A trap or a broken limit ends the instance
//! (and its cache with it); an error returned by the plugin does not, so
//! [`ReadCache::clear`] is called then.

use rustc_hash::FxHashMap;

/// Most entries kept before starting over (bounds the memory it takes).
const MAX_ENTRIES: usize = 2048;
/// Most value bytes kept before starting over.
const MAX_BYTES: usize = 1 << 20;

/// Values known to be in the host's store (`None`: known missing).
///
/// Fx hashing: SipHash showed in profiles, and the table is small and
/// bounded, so chosen collisions could only make it slower, never unbounded.
#[derive(Default)]
pub struct ReadCache {
    entries: FxHashMap<String, Option<Vec<u8>>>,
    bytes: usize,
}

impl ReadCache {
    /// The value, if the cache knows it (`Some(None)`: known missing).
    pub fn get(&self, key: &str) -> Option<Option<Vec<u8>>> {
        self.entries.get(key).cloned()
    }

    /// Records what the host holds under `key` after a read or an accepted
    /// write.
    pub fn put(&mut self, key: &str, value: Option<&[u8]>) {
        let size = key.len() + value.map_or(0, <[u8]>::len);
        if size > MAX_BYTES / 8 {
            // Not worth the room; forget any older value.
            self.forget(key);
            return;
        }
        // Most writes rewrite a key already known (a window, a counter):
        // they reuse its allocations.
        if let Some(slot) = self.entries.get_mut(key) {
            let old = key.len() + slot.as_ref().map_or(0, Vec::len);
            if self.bytes - old + size <= MAX_BYTES {
                match (slot.as_mut(), value) {
                    (Some(known), Some(new)) => {
                        known.clear();
                        known.extend_from_slice(new);
                    }
                    (_, new) => *slot = new.map(<[u8]>::to_vec),
                }
                self.bytes = self.bytes - old + size;
                return;
            }
        }
        if self.entries.len() >= MAX_ENTRIES || self.bytes + size > MAX_BYTES {
            self.clear();
        }
        let old = self
            .entries
            .insert(key.to_string(), value.map(<[u8]>::to_vec));
        self.bytes = self.bytes + size - old.map_or(0, |v| key.len() + v.map_or(0, |v| v.len()));
    }

    /// Forgets `key` (a write whose outcome is unknown).
    pub fn forget(&mut self, key: &str) {
        if let Some(old) = self.entries.remove(key) {
            self.bytes -= key.len() + old.map_or(0, |v| v.len());
        }
    }

    /// Forgets everything (a failed call: the host dropped its writes).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_reads_writes_and_absence() {
        let mut cache = ReadCache::default();
        assert_eq!(cache.get("a"), None);
        cache.put("a", None);
        assert_eq!(cache.get("a"), Some(None));
        cache.put("a", Some(b"1"));
        assert_eq!(cache.get("a"), Some(Some(b"1".to_vec())));
        assert_eq!(cache.bytes, 2);
        cache.forget("a");
        assert_eq!(cache.get("a"), None);
        assert_eq!(cache.bytes, 0);
    }

    #[test]
    fn rewrites_keep_values_and_byte_count_exact() {
        let mut cache = ReadCache::default();
        let mut expected: std::collections::HashMap<String, Option<Vec<u8>>> = Default::default();
        for step in 0..200usize {
            let key = format!("key{}", step % 7);
            let value = (step % 5 != 0).then(|| vec![step as u8; step % 13]);
            cache.put(&key, value.as_deref());
            expected.insert(key, value);
            for (k, v) in &expected {
                assert_eq!(cache.get(k), Some(v.clone()), "step {step}, {k}");
            }
            let bytes: usize = cache
                .entries
                .iter()
                .map(|(k, v)| k.len() + v.as_ref().map_or(0, Vec::len))
                .sum();
            assert_eq!(cache.bytes, bytes, "step {step}");
        }
    }

    #[test]
    fn stays_within_its_bounds() {
        let mut cache = ReadCache::default();
        for i in 0..MAX_ENTRIES * 3 {
            cache.put(&format!("k{i}"), Some(&[0; 100]));
            assert!(cache.entries.len() <= MAX_ENTRIES);
            assert!(cache.bytes <= MAX_BYTES);
        }
        let big = vec![0u8; MAX_BYTES];
        cache.put("k1", Some(b"small"));
        cache.put("k1", Some(&big));
        assert_eq!(
            cache.get("k1"),
            None,
            "a huge value is not kept, nor the stale one"
        );
        cache.clear();
        assert_eq!((cache.entries.len(), cache.bytes), (0, 0));
    }
}
