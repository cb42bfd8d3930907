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
                if c.is_ascii() {
                    feed(c as u8);
                } else {
                    let mut buf = [0u8; 4];
                    for &b in c.encode_utf8(&mut buf).as_bytes() {
                        feed(b);
                    }
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
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if digits.len() <= 18 {
        // At most 18 digits: no overflow.
        let v = digits.iter().fold(0i64, |v, &d| v * 10 + (d - b'0') as i64);
        return Some(if negative { -v } else { v });
    }
    let mut v: i64 = 0;
    for &d in digits {
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

/// The value of each hex digit, 0xff for other bytes.
const HEX_VALUE: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

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
    let mut bad = 0u8;
    if digits.len() <= 16 {
        // At most 16 digits: no overflow.
        for &d in digits {
            let x = HEX_VALUE[d as usize];
            bad |= x;
            v = (v << 4) | (x & 15) as u64;
        }
        return (bad & 0xf0 == 0).then_some(v);
    }
    for &d in digits {
        let x = HEX_VALUE[d as usize];
        if x == 0xff || v >> 60 != 0 {
            return None;
        }
        v = (v << 4) | x as u64;
    }
    Some(v)
}

/// Appends `n` in decimal.
pub(crate) fn push_decimal(out: &mut Vec<u8>, n: i64) {
    let mut buf = [0u8; 20];
    out.extend_from_slice(decimal(&mut buf, n.unsigned_abs(), n < 0));
}

/// Appends `n` in decimal to a string.
pub(crate) fn push_decimal_str(out: &mut String, n: i64) {
    let mut buf = [0u8; 20];
    out.extend(
        decimal(&mut buf, n.unsigned_abs(), n < 0)
            .iter()
            .map(|&b| b as char),
    );
}

/// `n` in decimal (with a `-` when `negative`), written at the end of `buf`.
fn decimal(buf: &mut [u8; 20], mut v: u64, negative: bool) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if negative {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// Appends `n` in lower-case hexadecimal, without leading zeros.
fn push_hex(out: &mut Vec<u8>, n: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 16];
    for (k, slot) in buf.iter_mut().enumerate() {
        *slot = DIGITS[((n >> (60 - 4 * k)) & 15) as usize];
    }
    let digits = ((64 - n.leading_zeros()).div_ceil(4).max(1)) as usize;
    out.extend_from_slice(&buf[16 - digits..]);
}

fn render_entry(out: &mut Vec<u8>, e: &Seen) {
    push_decimal(out, e.ts);
    out.push(b':');
    push_hex(out, e.fingerprint);
    if e.user != 0 {
        out.push(b':');
        push_hex(out, e.user);
    }
}

#[cfg(test)]
fn render(entries: &[Seen]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b';');
        }
        render_entry(&mut out, e);
    }
    out
}

/// A window as last written: the value, its entries and where each entry
/// lies in the value.
#[derive(Default)]
struct Written {
    value: Vec<u8>,
    entries: Vec<Seen>,
    spans: Vec<(u32, u32)>,
    /// A spare buffer for the next spans.
    spare: Vec<(u32, u32)>,
}

type WrittenMap =
    std::collections::HashMap<String, Written, std::hash::BuildHasherDefault<crate::lists::Fnv>>;

/// Most windows remembered in [`WRITTEN`].
const WRITTEN_MAX: usize = 512;

thread_local! {
    /// The windows this instance wrote last, by key. Only a shortcut: when
    /// the value read back is byte for byte the one written, its entries
    /// are known without parsing it, and its text is copied rather than
    /// written again. Any other value is parsed as usual.
    static WRITTEN: std::cell::RefCell<WrittenMap> = std::cell::RefCell::new(WrittenMap::default());
}

fn record(host: &mut impl Host, key: &str, seen: Seen, now: i64, keep: Keep) -> Vec<Seen> {
    let value = host.kv_get(key);
    let mut known = WRITTEN.with(|w| {
        let mut w = w.borrow_mut();
        match (&value, w.get_mut(key)) {
            (Some(v), Some(k)) if k.value == *v => Some(std::mem::take(k)),
            _ => None,
        }
    });
    // The entries read, with their spans in `value` when it is as written.
    let (mut entries, mut spans) = match (&value, known.as_mut()) {
        (_, Some(k)) => (std::mem::take(&mut k.entries), std::mem::take(&mut k.spans)),
        (Some(v), None) => (parse(v), Vec::new()),
        (None, None) => (Vec::new(), Vec::new()),
    };
    let copy = !spans.is_empty() || entries.is_empty();
    let max = keep.max.max(1);
    if copy {
        let mut kept = 0;
        for i in 0..entries.len() {
            let e = entries[i];
            if e.ts > now - keep.ms && e.ts <= now + keep.ms {
                entries[kept] = e;
                spans[kept] = spans[i];
                kept += 1;
            }
        }
        entries.truncate(kept);
        spans.truncate(kept);
    } else {
        entries.retain(|e| e.ts > now - keep.ms && e.ts <= now + keep.ms);
    }
    entries.push(seen);
    if entries.len() > max {
        let drop = entries.len() - max;
        entries.drain(..drop);
        if copy {
            spans.drain(..drop.min(spans.len()));
        }
    }
    // The new value: entries as written before are copied.
    let old = value.as_deref().unwrap_or_default();
    // The buffers of the window written last time serve again.
    let (mut out, mut new_spans) = match known.as_mut() {
        Some(k) => (std::mem::take(&mut k.value), std::mem::take(&mut k.spare)),
        None => (Vec::new(), Vec::new()),
    };
    out.clear();
    out.reserve(old.len() + 40);
    new_spans.clear();
    let mut i = 0;
    while i < entries.len() {
        if i > 0 {
            out.push(b';');
        }
        if copy && i < spans.len() {
            // Entries that followed each other in the old value are copied
            // at once, with the `;` between them.
            let mut j = i + 1;
            while j < spans.len() && spans[j].0 == spans[j - 1].1 + 1 {
                j += 1;
            }
            let base = out.len() as i64 - spans[i].0 as i64;
            out.extend_from_slice(&old[spans[i].0 as usize..spans[j - 1].1 as usize]);
            for &(a, b) in &spans[i..j] {
                new_spans.push(((a as i64 + base) as u32, (b as i64 + base) as u32));
            }
            i = j;
        } else {
            let start = out.len();
            render_entry(&mut out, &entries[i]);
            new_spans.push((start as u32, out.len() as u32));
            i += 1;
        }
    }
    if let Err(e) = host.kv_set(key, &out) {
        host.log(Level::Warn, &format!("automod: cannot store {key}: {e:?}"));
    }
    spans.clear();
    let written = Written {
        value: out,
        entries: entries.clone(),
        spans: new_spans,
        spare: spans,
    };
    WRITTEN.with(|w| {
        let mut w = w.borrow_mut();
        if let Some(slot) = w.get_mut(key) {
            *slot = written;
        } else {
            if w.len() >= WRITTEN_MAX {
                w.clear();
            }
            w.insert(key.to_string(), written);
        }
    });
    entries
}

/// `prefix` and the user id, or a hash of it when it is long: keys stay short
/// whatever the platform's user ids look like.
pub(crate) fn user_key(prefix: &str, user: &str) -> String {
    if user.len() <= 128 {
        let mut key = String::with_capacity(prefix.len() + user.len());
        key.push_str(prefix);
        key.push_str(user);
        key
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

/// Deletes up to `limit` per-user windows (`flood/…`) that no rule needs
/// any more: all their messages are older than `keep_ms` (or every window,
/// when no rule keeps one: `None`). Returns how many it deleted. Without
/// this, a window would stay for every user who ever posted, until the
/// community's key quota ran out and windows stopped being recorded.
pub fn sweep_users(host: &mut impl Host, now: i64, keep_ms: Option<i64>, limit: u32) -> usize {
    let mut deleted = 0;
    for key in host.kv_list("flood/", limit) {
        let live = keep_ms.is_some_and(|ms| {
            host.kv_get(&key)
                .is_some_and(|v| parse(&v).iter().any(|e| e.ts > now - ms))
        });
        if !live {
            host.kv_delete(&key);
            deleted += 1;
        }
    }
    deleted
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

    /// `record` without the shortcut of [`WRITTEN`].
    fn record_plain(host: &mut TestHost, key: &str, seen: Seen, now: i64, keep: Keep) -> Vec<Seen> {
        let mut entries = host.kv_get(key).map(|v| parse(&v)).unwrap_or_default();
        entries.retain(|e| e.ts > now - keep.ms && e.ts <= now + keep.ms);
        entries.push(seen);
        if entries.len() > keep.max.max(1) {
            let drop = entries.len() - keep.max.max(1);
            entries.drain(..drop);
        }
        host.kv_set(key, &render(&entries)).unwrap();
        entries
    }

    #[test]
    fn remembered_windows_change_nothing() {
        let (mut fast, mut plain) = (TestHost::new(), TestHost::new());
        let mut x: u64 = 7;
        let mut now = 1_000_000;
        for step in 0..5_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let key = ["flood/a", "flood/b", "dup/0c"][(x >> 40) as usize % 3];
            // Time mostly goes forward, sometimes jumps back.
            now += ((x >> 20) % 3_000) as i64 - if x.is_multiple_of(17) { 100_000 } else { 0 };
            let keep = Keep {
                ms: [10_000, 120_000][(x >> 50) as usize % 2],
                max: [1, 6, 20][(x >> 52) as usize % 3],
            };
            let seen = Seen {
                ts: now,
                fingerprint: (x >> 33) % 5,
                user: if key.starts_with("dup") {
                    (x >> 13) % 4
                } else {
                    0
                },
            };
            // Now and then someone else writes the value (another version,
            // an odd spelling), or it is lost.
            if step % 97 == 0 {
                let odd = format!("{}:0A;+{}:ff:0;{}:1:2:3;junk", now, now - 5, now - 9);
                fast.kv_set(key, odd.as_bytes()).unwrap();
                plain.kv_set(key, odd.as_bytes()).unwrap();
            } else if step % 89 == 0 {
                fast.kv_delete(key);
                plain.kv_delete(key);
            }
            let a = record(&mut fast, key, seen, now, keep);
            let b = record_plain(&mut plain, key, seen, now, keep);
            assert_eq!(a, b, "step {step}");
            assert_eq!(fast.kv, plain.kv, "step {step}");
        }
    }

    #[test]
    fn numbers_parse_as_std_does() {
        let mut samples: Vec<String> = [
            "",
            "+",
            "-",
            "0",
            "-0",
            "+0",
            "00",
            "12",
            "-12",
            "+12",
            "1a",
            "a",
            "A",
            "fF",
            "+f",
            "-f",
            " 1",
            "1 ",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "ffffffffffffffff",
            "10000000000000000",
            "0000000000000000000ff",
            "++1",
            "+-1",
            "é",
            "1_0",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut x: u64 = 12345;
        for _ in 0..20_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
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
        assert_eq!(
            parse("1:2;\u{e9}".as_bytes()),
            vec![Seen {
                ts: 1,
                fingerprint: 2,
                user: 0
            }]
        );
        assert_eq!(parse(b"1:2;\xff"), Vec::new());
    }

    #[test]
    fn numbers_render_as_format_does() {
        for n in [0, 1, 9, 10, -1, -10, i64::MAX, i64::MIN, 1_763_805_600_000] {
            let mut s = Vec::new();
            push_decimal(&mut s, n);
            assert_eq!(s, n.to_string().as_bytes());
            let mut s = String::from("x");
            push_decimal_str(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
        for n in [0, 1, 15, 16, 255, 256, u64::MAX, 0xdead_beef, 1 << 63] {
            let mut s = Vec::new();
            push_hex(&mut s, n);
            assert_eq!(s, format!("{n:x}").as_bytes());
        }
        let entries = [
            Seen {
                ts: 5,
                fingerprint: 0xab,
                user: 0,
            },
            Seen {
                ts: -7,
                fingerprint: 0,
                user: 0x1f,
            },
        ];
        assert_eq!(render(&entries), b"5:ab;-7:0:1f");
        assert_eq!(parse(&render(&entries)), entries);
        assert_eq!(
            parse(b"1:2:3:4;x:1;+5:+a;6;7:;8:ff:"),
            vec![
                Seen {
                    ts: 1,
                    fingerprint: 2,
                    user: 3
                },
                Seen {
                    ts: 5,
                    fingerprint: 10,
                    user: 0
                },
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
