//! What the first-party plugins' native tests share, so that each plugin's
//! `tests/common` keeps only what is its own:
//!
//! - the demo events (`examples/demo/events.jsonl`) read as SDK
//!   [`Event`]s ([`demo_events`], [`event`], [`rfc3339_ms`]);
//! - their replays, timed as the golden, perf and benchmark runs need
//!   ([`replay`], [`Clock`]);
//! - a digest of everything a plugin decided ([`Digest`]) and a small
//!   deterministic generator for varied inputs ([`Rng`]).
//!
//! Test-only: the plugins take it as a dev-dependency. Its functions panic
//! with a message on malformed fixtures, as a test should fail.

use serde_json::Value;
use vigie_sdk::{Action, Author, Event, EventKind};

/// The demo events, as shipped with the host (`vigie demo`).
pub const DEMO_EVENTS_JSONL: &str = include_str!("../../../examples/demo/events.jsonl");

/// Milliseconds since the Unix epoch of an RFC 3339 time
/// (`2026-11-22T09:00:00Z`, an optional fraction, `Z` or `±hh:mm`).
pub fn rfc3339_ms(s: &str) -> i64 {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("not an RFC 3339 time: {s:?} ({e})"));
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// The event kind named as in the host's JSON Lines (`direct_message`;
/// `direct-message` and `dm` too).
pub fn event_kind(name: &str) -> EventKind {
    match name {
        "message" => EventKind::Message,
        "edit" => EventKind::Edit,
        "deletion" => EventKind::Deletion,
        "reaction" => EventKind::Reaction,
        "join" => EventKind::Join,
        "leave" => EventKind::Leave,
        "follow" => EventKind::Follow,
        "mention" => EventKind::Mention,
        "direct_message" | "direct-message" | "dm" => EventKind::DirectMessage,
        "report" => EventKind::Report,
        other => panic!("unknown event kind {other:?}"),
    }
}

/// An event of the host's JSON Lines format as the SDK hands it to a
/// plugin: `id`, `kind`, `author.id` and `timestamp` are required, the rest
/// defaults to empty.
pub fn event(v: &Value) -> Event {
    let required = |v: &Value, k: &str| -> String {
        v[k].as_str()
            .unwrap_or_else(|| panic!("event without a string `{k}`: {v}"))
            .to_string()
    };
    let text = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    let optional = |k: &str| v[k].as_str().map(str::to_string);
    let a = &v["author"];
    Event {
        id: required(v, "id"),
        kind: event_kind(&required(v, "kind")),
        platform: text("platform"),
        community: text("community"),
        channel: text("channel"),
        author: Author {
            id: required(a, "id"),
            name: a["name"].as_str().unwrap_or_default().to_string(),
            roles: a["roles"]
                .as_array()
                .map(|r| {
                    r.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            account_age_days: a["account_age_days"].as_u64().map(|d| d as u32),
            is_staff: a["is_staff"].as_bool().unwrap_or(false),
        },
        text: text("text"),
        reply_to: optional("reply_to"),
        reaction: optional("reaction"),
        target_message: optional("target_message"),
        timestamp_ms: rfc3339_ms(&required(v, "timestamp")),
        labels: Vec::new(),
        earlier_actions: Vec::new(),
    }
}

/// The events of a JSON Lines text (blank lines skipped), in order.
pub fn events_of_jsonl(text: &str) -> Vec<Event> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON event ({e}): {l}"));
            event(&v)
        })
        .collect()
}

/// The demo events, in file order.
pub fn demo_events() -> Vec<Event> {
    events_of_jsonl(DEMO_EVENTS_JSONL)
}

/// How the replayed events are timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// Event `i` at the first demo event's time + 200 ms × i, each event in
    /// its own community (one host per community): time only goes forward.
    Steady,
    /// As the host's demo-chain benchmark: event `i` at its demo time +
    /// 200 ms × i, every event in one community (`acme`); time jumps back
    /// about an hour at each turn of the demo.
    Bench,
    /// The demo's own timing, turn `k` moved `k` × the given milliseconds
    /// later, one host per community.
    Turns(i64),
    /// Pseudo-random gaps (a fixed seed) between -3 s and +20 s, now and
    /// then one of up to three hours, one host per community: events out
    /// of order, quiet windows.
    Jitter,
}

/// The demo events replayed `turns` times with fresh ids (`<id>-r<turn>`).
pub fn replay(turns: usize, clock: Clock) -> Vec<Event> {
    let demo = demo_events();
    let t0 = demo.first().map_or(0, |e| e.timestamp_ms);
    let mut out = Vec::with_capacity(turns * demo.len());
    let (mut lcg, mut t) = (0x5eed_u64, t0);
    for turn in 0..turns {
        for e in &demo {
            let i = out.len() as i64;
            let mut e = e.clone();
            e.id = format!("{}-r{turn}", e.id);
            match clock {
                Clock::Steady => e.timestamp_ms = t0 + 200 * i,
                Clock::Bench => {
                    e.timestamp_ms += 200 * i;
                    e.community = "acme".into();
                }
                Clock::Turns(gap_ms) => e.timestamp_ms += turn as i64 * gap_ms,
                Clock::Jitter => {
                    lcg = lcg
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    let r = (lcg >> 33) as i64;
                    t += if r % 300 == 0 {
                        r % 10_800_000
                    } else {
                        r % 23_000 - 3_000
                    };
                    e.timestamp_ms = t;
                }
            }
            out.push(e);
        }
    }
    out
}

/// The turn of a replayed event (the `k` of its `-r<k>` id suffix).
pub fn turn_of(event: &Event) -> Option<usize> {
    let (_, k) = event.id.rsplit_once("-r")?;
    k.parse().ok()
}

/// FNV-1a of `bytes`.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    Digest::default().with(bytes).0
}

/// FNV-1a over everything decided.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Digest(pub u64);

impl Digest {
    /// Adds bytes.
    pub fn add(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }

    fn with(mut self, bytes: &[u8]) -> Self {
        self.add(bytes);
        self
    }

    /// Adds an event id (or a tick's name) and its actions.
    pub fn actions(&mut self, id: &str, actions: &[Action]) {
        self.add(id.as_bytes());
        self.add(format!("{actions:?}").as_bytes());
    }
}

/// splitmix64: a small deterministic generator for varied inputs.
pub struct Rng(pub u64);

impl Rng {
    /// 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
    /// One of `items` (not empty).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
    /// A reference to one of `items` (not empty).
    pub fn pick_ref<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rfc3339_times() {
        assert_eq!(rfc3339_ms("1970-01-01T00:00:00Z"), 0);
        assert_eq!(rfc3339_ms("1970-01-02T00:00:01Z"), 86_401_000);
        assert_eq!(rfc3339_ms("2026-11-22T10:00:00Z"), 1_795_341_600_000);
        assert_eq!(rfc3339_ms("2025-11-22T11:00:00.5+01:00"), 1_763_805_600_500);
        assert_eq!(
            rfc3339_ms("2025-11-22T09:00:00.25-01:00"),
            1_763_805_600_250
        );
        assert_eq!(rfc3339_ms("2024-02-29T00:00:00z"), 1_709_164_800_000);
    }

    #[test]
    #[should_panic(expected = "not an RFC 3339 time")]
    fn refuses_a_time_without_a_zone() {
        rfc3339_ms("2026-11-22T10:00:00");
    }

    #[test]
    fn reads_the_demo_events_whole() {
        let demo = demo_events();
        let lines = DEMO_EVENTS_JSONL.lines().filter(|l| !l.trim().is_empty());
        assert_eq!(demo.len(), lines.count());
        assert!(demo.iter().all(|e| !e.id.is_empty() && e.timestamp_ms > 0));
        let messages = demo.iter().filter(|e| e.kind == EventKind::Message);
        assert!(messages.clone().count() > demo.len() / 2);
        assert!(demo.iter().any(|e| !e.author.roles.is_empty()));
        assert!(demo.iter().any(|e| e.reaction.is_some()));
    }

    #[test]
    fn replays_keep_order_and_name_their_turns() {
        let demo = demo_events();
        let steady = replay(3, Clock::Steady);
        assert_eq!(steady.len(), 3 * demo.len());
        assert!(steady
            .windows(2)
            .all(|w| w[1].timestamp_ms - w[0].timestamp_ms == 200));
        assert_eq!(turn_of(&steady[demo.len()]), Some(1));
        assert_eq!(steady[demo.len()].id, format!("{}-r1", demo[0].id));
        let bench = replay(2, Clock::Bench);
        assert!(bench.iter().all(|e| e.community == "acme"));
        let turns = replay(2, Clock::Turns(3_600_000));
        let d = demo.len();
        assert_eq!(turns[d].timestamp_ms - turns[0].timestamp_ms, 3_600_000);
        let jitter = replay(2, Clock::Jitter);
        assert!(jitter
            .windows(2)
            .any(|w| w[1].timestamp_ms < w[0].timestamp_ms));
    }

    #[test]
    fn digest_is_fnv1a() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        let mut d = Digest::default();
        d.add(b"a");
        assert_eq!(d.0, fnv1a(b"a"));
    }
}
