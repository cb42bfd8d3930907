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

/// FNV-1a offset basis.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a prime.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The fingerprint of a message for duplicate detection: its words, folded,
/// leetspeak decoded and repeated letters collapsed, so `Free bitcoin!!!`
/// and `FREE BITCOIIIN` are the same message. `None` when the message has
/// fewer than `min_chars` letters and digits.
pub fn fingerprint(norm: &Normalized, min_chars: usize) -> Option<u64> {
    let (hash, count) = fingerprint_and_count(norm);
    (count >= min_chars.max(1)).then_some(hash)
}

/// The FNV-1a hash of the words joined by spaces, each with repeated
/// characters collapsed (what [`fingerprint`] returns when there are
/// enough characters), and the number of characters of the words. Hashed
/// as it goes, without building the text.
pub fn fingerprint_and_count(norm: &Normalized) -> (u64, usize) {
    let mut h = FNV_OFFSET;
    let mut count = 0;
    let mut feed = |b: u8| {
        h ^= b as u64;
        h = h.wrapping_mul(FNV_PRIME);
    };
    for (i, t) in norm.tokens.iter().enumerate() {
        if i > 0 {
            feed(b' ');
        }
        let mut prev = None;
        for &c in t.chars.iter() {
            count += 1;
            if prev != Some(c) {
                let mut buf = [0u8; 4];
                for &b in c.encode_utf8(&mut buf).as_bytes() {
                    feed(b);
                }
            }
            prev = Some(c);
        }
    }
    (h, count)
}

fn parse(value: &[u8]) -> Vec<Seen> {
    // Numbers are ASCII, so a value that is ASCII is valid UTF-8; anything
    // else must be valid UTF-8 as a whole, as when it was read as text.
    if !value.is_ascii() && std::str::from_utf8(value).is_err() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(value.len() / 24 + 1);
    for e in value.split(|&b| b == b';') {
        if let Some(seen) = parse_entry(e) {
            out.push(seen);
        }
    }
    out
}

/// `ts:fingerprint` or `ts:fingerprint:user` (parts after a third are
/// ignored); `None` when a part is missing or not a number.
fn parse_entry(e: &[u8]) -> Option<Seen> {
    let mut parts = e.split(|&b| b == b':');
    let ts = parse_i64(parts.next()?)?;
    let fingerprint = parse_hex(parts.next()?)?;
    let user = match parts.next() {
        Some(u) => parse_hex(u)?,
        None => 0,
    };
    Some(Seen {
        ts,
        fingerprint,
        user,
    })
}

/// What `str::parse::<i64>` accepts: an optional sign, then decimal digits,
/// without overflow.
fn parse_i64(b: &[u8]) -> Option<i64> {
    let (negative, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        let d = (d - b'0') as i64;
        v = v.checked_mul(10)?;
        v = if negative {
            v.checked_sub(d)?
        } else {
            v.checked_add(d)?
        };
    }
    Some(v)
}

/// What `u64::from_str_radix(_, 16)` accepts: an optional `+`, then hex
/// digits of either case, without overflow.
fn parse_hex(b: &[u8]) -> Option<u64> {
    let digits = match b.first()? {
        b'+' => &b[1..],
        _ => b,
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        let d = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => return None,
        } as u64;
        if v >> 60 != 0 {
            return None;
        }
        v = (v << 4) | d;
    }
    Some(v)
}

/// Appends `n` in decimal.
pub(crate) fn push_decimal(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    let mut v = n.unsigned_abs();
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

/// Appends `n` in lower-case hexadecimal, without leading zeros.
fn push_hex(out: &mut String, n: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 16];
    let mut i = buf.len();
    let mut v = n;
    loop {
        i -= 1;
        buf[i] = DIGITS[(v & 15) as usize];
        v >>= 4;
        if v == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

fn render(entries: &[Seen]) -> String {
    let mut out = String::with_capacity(entries.len() * 36);
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        push_decimal(&mut out, e.ts);
        out.push(':');
        push_hex(&mut out, e.fingerprint);
        if e.user != 0 {
            out.push(':');
            push_hex(&mut out, e.user);
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
    fn numbers_parse_as_std_does() {
        let mut samples: Vec<String> = [
            "", "+", "-", "0", "-0", "+0", "00", "12", "-12", "+12", "1a", "a", "A", "fF", "+f",
            "-f", " 1", "1 ", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "-9223372036854775809", "ffffffffffffffff",
            "10000000000000000", "0000000000000000000ff", "++1", "+-1", "é", "1_0",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut x: u64 = 12345;
        for _ in 0..20_000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let len = (x >> 59) as usize;
            let alphabet = b"0123456789abcdefABCDEF+-x09";
            let s: String = (0..len)
                .map(|k| alphabet[((x >> (k * 3 % 50)) % alphabet.len() as u64) as usize] as char)
                .collect();
            samples.push(s);
        }
        for s in &samples {
            assert_eq!(parse_i64(s.as_bytes()), s.parse::<i64>().ok(), "{s:?}");
            assert_eq!(
                parse_hex(s.as_bytes()),
                u64::from_str_radix(s, 16).ok(),
                "{s:?}"
            );
        }
        assert_eq!(parse("1:2;\u{e9}".as_bytes()), vec![Seen { ts: 1, fingerprint: 2, user: 0 }]);
        assert_eq!(parse(b"1:2;\xff"), Vec::new());
    }

    #[test]
    fn numbers_render_as_format_does() {
        for n in [0, 1, 9, 10, -1, -10, i64::MAX, i64::MIN, 1_763_805_600_000] {
            let mut s = String::new();
            push_decimal(&mut s, n);
            assert_eq!(s, n.to_string());
        }
        for n in [0, 1, 15, 16, u64::MAX, 0xdead_beef] {
            let mut s = String::new();
            push_hex(&mut s, n);
            assert_eq!(s, format!("{n:x}"));
        }
        let entries = [
            Seen { ts: 5, fingerprint: 0xab, user: 0 },
            Seen { ts: -7, fingerprint: 0, user: 0x1f },
        ];
        assert_eq!(render(&entries), "5:ab;-7:0:1f");
        assert_eq!(parse(render(&entries).as_bytes()), entries);
        assert_eq!(
            parse(b"1:2:3:4;x:1;+5:+a;6;7:;8:ff:"),
            vec![
                Seen { ts: 1, fingerprint: 2, user: 3 },
                Seen { ts: 5, fingerprint: 10, user: 0 },
            ]
        );
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
