//! Sliding windows of recent messages, kept in the key-value store.
//!
//! - `flood/<user>`: the author's recent messages as `time:fingerprint`
//!   pairs, for "N messages in T seconds" and "the same message repeated by
//!   one user";
//! - `dup/<xx>`: recent messages of everyone, in 64 buckets chosen by the
//!   message fingerprint (`xx` is two hex digits), for "the same message
//!   repeated across users".
//!
//! Every write drops the entries older than the longest window any rule
//! needs and keeps at most a bounded number of entries, so values stay small
//! (a few KiB at most) and the number of keys is bounded by the number of
//! active users plus 64.

use crate::normalize::Normalized;
use vigie_sdk::{Host, Level};

/// Most entries kept per key.
pub const MAX_ENTRIES: usize = 200;
/// Number of `dup/` buckets.
pub const BUCKETS: u64 = 64;

/// How much history to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keep {
    /// Entries older than this are dropped.
    pub ms: i64,
    /// At most this many entries are kept (the newest).
    pub max: usize,
}

impl Keep {
    /// The larger of two needs.
    pub fn max_with(self, other: Keep) -> Keep {
        Keep {
            ms: self.ms.max(other.ms),
            max: self.max.max(other.max).min(MAX_ENTRIES),
        }
    }
}

/// One remembered message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub ts: i64,
    pub fingerprint: u64,
    /// A hash of the author (in the shared buckets; 0 in a user's window).
    pub user: u64,
}

/// FNV-1a, 64 bits: small, stable across builds and platforms.
pub fn fnv(bytes: impl IntoIterator<Item = u8>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The fingerprint of a message for duplicate detection: its words, folded,
/// leetspeak decoded and repeated letters collapsed, so `Free bitcoin!!!`
/// and `FREE BITCOIIIN` are the same message. `None` when the message has
/// fewer than `min_chars` letters and digits.
pub fn fingerprint(norm: &Normalized, min_chars: usize) -> Option<u64> {
    let mut text = String::new();
    let mut count = 0;
    for t in &norm.tokens {
        if !text.is_empty() {
            text.push(' ');
        }
        let mut prev = None;
        for &c in t.chars.iter() {
            count += 1;
            if prev != Some(c) {
                text.push(c);
            }
            prev = Some(c);
        }
    }
    (count >= min_chars.max(1)).then(|| fnv(text.bytes()))
}

fn parse(value: &[u8]) -> Vec<Seen> {
    let Ok(s) = std::str::from_utf8(value) else {
        return Vec::new();
    };
    s.split(';')
        .filter_map(|e| {
            let mut parts = e.split(':');
            let ts = parts.next()?.parse().ok()?;
            let fingerprint = u64::from_str_radix(parts.next()?, 16).ok()?;
            let user = match parts.next() {
                Some(u) => u64::from_str_radix(u, 16).ok()?,
                None => 0,
            };
            Some(Seen {
                ts,
                fingerprint,
                user,
            })
        })
        .collect()
}

fn render(entries: &[Seen]) -> String {
    let mut out = String::new();
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        if e.user == 0 {
            out.push_str(&format!("{}:{:x}", e.ts, e.fingerprint));
        } else {
            out.push_str(&format!("{}:{:x}:{:x}", e.ts, e.fingerprint, e.user));
        }
    }
    out
}

fn record(host: &mut impl Host, key: &str, seen: Seen, now: i64, keep: Keep) -> Vec<Seen> {
    let mut entries = host.kv_get(key).map(|v| parse(&v)).unwrap_or_default();
    entries.retain(|e| e.ts > now - keep.ms && e.ts <= now + keep.ms);
    entries.push(seen);
    if entries.len() > keep.max.max(1) {
        let drop = entries.len() - keep.max.max(1);
        entries.drain(..drop);
    }
    if let Err(e) = host.kv_set(key, render(&entries).as_bytes()) {
        host.log(Level::Warn, &format!("automod: cannot store {key}: {e:?}"));
    }
    entries
}

fn user_key(prefix: &str, user: &str) -> String {
    // Keep keys short whatever the platform's user ids look like.
    if user.len() <= 128 {
        format!("{prefix}{user}")
    } else {
        format!("{prefix}#{:016x}", fnv(user.bytes()))
    }
}

/// Records a message in its author's window and returns the window,
/// including this message.
pub fn record_user(
    host: &mut impl Host,
    user: &str,
    now: i64,
    fingerprint: u64,
    keep: Keep,
) -> Vec<Seen> {
    let seen = Seen {
        ts: now,
        fingerprint,
        user: 0,
    };
    record(host, &user_key("flood/", user), seen, now, keep)
}

/// Records a message in the shared bucket of its fingerprint and returns
/// that bucket, including this message.
pub fn record_shared(
    host: &mut impl Host,
    user: &str,
    now: i64,
    fingerprint: u64,
    keep: Keep,
) -> Vec<Seen> {
    let key = format!("dup/{:02x}", fingerprint % BUCKETS);
    let seen = Seen {
        ts: now,
        fingerprint,
        user: fnv(user.bytes()) | 1,
    };
    record(host, &key, seen, now, keep)
}

/// Entries from the last `seconds` seconds (including `now`).
pub fn within(entries: &[Seen], now: i64, seconds: u32) -> impl Iterator<Item = &Seen> {
    let since = now - seconds as i64 * 1000;
    entries.iter().filter(move |e| e.ts > since && e.ts <= now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_sdk::TestHost;

    const KEEP: Keep = Keep { ms: 60_000, max: 5 };

    #[test]
    fn windows_slide_and_stay_bounded() {
        let mut host = TestHost::new();
        for i in 0..10 {
            let w = record_user(&mut host, "u1", 1_000 * i, 7, KEEP);
            assert!(w.len() <= 5);
        }
        let w = record_user(&mut host, "u1", 100_000, 7, KEEP);
        assert_eq!(w.len(), 1, "old entries are dropped: {w:?}");
        assert_eq!(within(&w, 100_000, 10).count(), 1);
        assert_eq!(host.kv.len(), 1);
    }

    #[test]
    fn counts_messages_in_a_window() {
        let mut host = TestHost::new();
        let keep = Keep {
            ms: 60_000,
            max: 50,
        };
        let mut w = Vec::new();
        for t in [0, 2_000, 4_000, 6_000, 30_000] {
            w = record_user(&mut host, "u1", t, t as u64, keep);
        }
        assert_eq!(within(&w, 30_000, 10).count(), 1);
        assert_eq!(within(&w, 30_000, 30).count(), 4);
    }

    #[test]
    fn shared_buckets_are_bounded() {
        let mut host = TestHost::new();
        for i in 0..1000u64 {
            record_shared(
                &mut host,
                &format!("u{i}"),
                i as i64,
                fnv(i.to_le_bytes()),
                KEEP,
            );
        }
        assert!(host.kv.len() <= BUCKETS as usize);
        let w = record_shared(&mut host, "a", 2_000, 42, KEEP);
        let w2 = record_shared(&mut host, "b", 2_001, 42, KEEP);
        assert_eq!(
            w2.iter().filter(|e| e.fingerprint == 42).count(),
            2,
            "{w:?}"
        );
        assert_ne!(w2[w2.len() - 1].user, w2[w2.len() - 2].user);
    }

    #[test]
    fn fingerprints_ignore_case_punctuation_and_repeats() {
        let a = fingerprint(&Normalized::new("Free bitcoin!!! http://x.example"), 5);
        let b = fingerprint(&Normalized::new("FREE   bitcoiiin http://x.example"), 5);
        assert_eq!(a, b);
        assert!(a.is_some());
        assert_eq!(fingerprint(&Normalized::new("ok !"), 5), None);
    }
}
