//! An in-memory [`Host`] for native tests of plugin logic.

use crate::*;

/// A [`Host`] that keeps everything in memory, for `cargo test`.
///
/// Its clock is set by hand ([`TestHost::at`]) and its random source is a
/// fixed-seed generator, so tests are reproducible.
#[derive(Debug, Clone)]
pub struct TestHost {
    /// The key-value store.
    pub kv: BTreeMap<String, Vec<u8>>,
    /// What `now_ms` returns.
    pub now_ms: i64,
    /// Lines written with `log`.
    pub logs: Vec<(Level, String)>,
    rng_state: u64,
}

impl Default for TestHost {
    fn default() -> Self {
        TestHost {
            kv: BTreeMap::new(),
            now_ms: 1_763_805_600_000, // 2025-11-22T10:00:00Z
            logs: Vec::new(),
            rng_state: 0x5eed,
        }
    }
}

impl TestHost {
    /// A host with an empty store.
    pub fn new() -> Self {
        Self::default()
    }
    /// Set the clock.
    pub fn at(mut self, now_ms: i64) -> Self {
        self.now_ms = now_ms;
        self
    }
    /// Seed the random source.
    pub fn seeded(mut self, seed: u64) -> Self {
        self.rng_state = seed;
        self
    }
}

impl Host for TestHost {
    fn kv_get(&mut self, key: &str) -> Option<Vec<u8>> {
        self.kv.get(key).cloned()
    }
    fn kv_set(&mut self, key: &str, value: &[u8]) -> Result<(), KvError> {
        self.kv.insert(key.to_string(), value.to_vec());
        Ok(())
    }
    fn kv_delete(&mut self, key: &str) {
        self.kv.remove(key);
    }
    fn kv_increment(&mut self, key: &str, delta: i64) -> Result<i64, KvError> {
        let current = match self.kv.get(key) {
            None => 0,
            Some(v) => std::str::from_utf8(v)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or(KvError::NotANumber)?,
        };
        let next = current.saturating_add(delta);
        self.kv
            .insert(key.to_string(), next.to_string().into_bytes());
        Ok(next)
    }
    fn kv_list(&mut self, prefix: &str, limit: u32) -> Vec<String> {
        keys_with_prefix(&self.kv, prefix, limit)
    }
    fn now_ms(&mut self) -> i64 {
        self.now_ms
    }
    fn random_u64(&mut self) -> u64 {
        // splitmix64: small, fast and good enough for tests.
        self.rng_state = self.rng_state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng_state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn random_bytes(&mut self, len: u32) -> Vec<u8> {
        (0..len).map(|_| self.random_u64() as u8).collect()
    }
    fn log(&mut self, level: Level, message: &str) {
        self.logs.push((level, message.to_string()));
    }
}

/// A message event for tests: `test_event("e1", "u1", "Bonjour !")`.
pub fn test_event(id: &str, author_id: &str, text: &str) -> Event {
    test_event_of(EventKind::Message, id, author_id, text)
}

/// An event of any kind, for tests: as [`test_event`], with `kind`. Set the
/// fields the kind carries on the result: `target_message` for a reaction,
/// an edit or a deletion, `reaction` for a reaction, `reply_to` for a
/// reply, `author.is_staff` or `author.roles` for a moderator.
///
/// ```
/// use vigie_sdk::{test_event_of, EventKind};
/// let join = test_event_of(EventKind::Join, "e9", "u7", "");
/// let mut reaction = test_event_of(EventKind::Reaction, "e10", "u7", "");
/// reaction.target_message = Some("e1".into());
/// reaction.reaction = Some("🎉".into());
/// # assert_eq!(join.kind, EventKind::Join);
/// ```
pub fn test_event_of(kind: EventKind, id: &str, author_id: &str, text: &str) -> Event {
    Event {
        id: id.to_string(),
        kind,
        platform: "test".to_string(),
        community: "test".to_string(),
        channel: "general".to_string(),
        author: Author {
            id: author_id.to_string(),
            name: author_id.to_string(),
            roles: vec!["member".to_string()],
            account_age_days: Some(365),
            is_staff: false,
        },
        text: text.to_string(),
        reply_to: None,
        reaction: None,
        target_message: None,
        timestamp_ms: 1_763_805_600_000,
        labels: Vec::new(),
        earlier_actions: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeping_deletes_only_old_or_unreadable_times_under_the_prefix() {
        let mut host = TestHost::new();
        for (key, value) in [
            ("cd/old", "1000"),
            ("cd/edge", "5000"),
            ("cd/new", "9000"),
            ("cd/junk", "not a time"),
            ("other/old", "1000"),
        ] {
            host.kv_set(key, value.as_bytes()).unwrap();
        }
        assert_eq!(host.kv_sweep_older("cd/", 10_000, 5_000, 100), 3);
        let left: Vec<&str> = host.kv.keys().map(String::as_str).collect();
        assert_eq!(left, ["cd/new", "other/old"]);
        // The limit bounds what one call looks at.
        for i in 0..10 {
            host.kv_set(&format!("cd/{i}"), b"0").unwrap();
        }
        assert_eq!(host.kv_sweep_older("cd/", 10_000, 5_000, 4), 4);
        assert_eq!(host.kv_sweep_older("cd/", 10_000, 5_000, 100), 6);
    }
}
