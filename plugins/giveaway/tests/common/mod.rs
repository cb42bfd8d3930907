//! Helpers shared by the golden and perf tests: the demo events, their
//! replay, a digest of decisions and a small deterministic generator.

#![allow(dead_code)]

use serde_json::Value;
use vigie_sdk::{Action, Author, Event, EventKind};

pub fn kind(s: &str) -> EventKind {
    match s {
        "message" => EventKind::Message,
        "edit" => EventKind::Edit,
        "deletion" => EventKind::Deletion,
        "reaction" => EventKind::Reaction,
        "join" => EventKind::Join,
        "leave" => EventKind::Leave,
        "follow" => EventKind::Follow,
        "mention" => EventKind::Mention,
        "direct_message" => EventKind::DirectMessage,
        "report" => EventKind::Report,
        other => panic!("unknown kind {other}"),
    }
}

fn opt(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

pub fn event(v: &Value) -> Event {
    let a = &v["author"];
    Event {
        id: v["id"].as_str().unwrap().to_string(),
        kind: kind(v["kind"].as_str().unwrap()),
        platform: v["platform"].as_str().unwrap().to_string(),
        community: v["community"].as_str().unwrap().to_string(),
        channel: v["channel"].as_str().unwrap().to_string(),
        author: Author {
            id: a["id"].as_str().unwrap().to_string(),
            name: a["name"].as_str().unwrap().to_string(),
            roles: a["roles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_string())
                .collect(),
            account_age_days: a["account_age_days"].as_u64().map(|d| d as u32),
            is_staff: a["is_staff"].as_bool().unwrap(),
        },
        text: v["text"].as_str().unwrap_or_default().to_string(),
        reply_to: opt(&v["reply_to"]),
        reaction: opt(&v["reaction"]),
        target_message: opt(&v["target_message"]),
        timestamp_ms: giveaway::time::parse_rfc3339(v["timestamp"].as_str().unwrap()).unwrap(),
        labels: Vec::new(),
        earlier_actions: Vec::new(),
    }
}

/// The demo events of `examples/demo/events.jsonl`, in file order.
pub fn demo_events() -> Vec<Event> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/demo/events.jsonl"
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| event(&serde_json::from_str(l).unwrap()))
        .collect()
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
    /// The demo's own timing, turn `k` moved `k` × 3 hours later, one host
    /// per community: contests left open reach their deadline.
    Turns,
}

/// The demo events replayed `turns` times with fresh ids (`<id>-r<turn>`).
/// With [`Clock::Turns`], the staff's `!giveaway end` of every other turn
/// is dropped, so that contests also end at their deadline.
pub fn replay(turns: usize, clock: Clock) -> Vec<Event> {
    let demo = demo_events();
    let t0 = demo[0].timestamp_ms;
    let mut out = Vec::with_capacity(turns * demo.len());
    for turn in 0..turns {
        for e in &demo {
            if clock == Clock::Turns && turn % 2 == 1 && e.text == "!giveaway end" {
                continue;
            }
            let i = out.len() as i64;
            let mut e = e.clone();
            e.id = format!("{}-r{turn}", e.id);
            match clock {
                Clock::Steady => e.timestamp_ms = t0 + 200 * i,
                Clock::Bench => {
                    e.timestamp_ms += 200 * i;
                    e.community = "acme".into();
                }
                Clock::Turns => e.timestamp_ms += turn as i64 * 3 * 3_600_000,
            }
            out.push(e);
        }
    }
    out
}

/// FNV-1a over everything decided.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Digest(pub u64);

impl Digest {
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

    /// Adds an event id (or tick) and its actions.
    pub fn actions(&mut self, id: &str, actions: &[Action]) {
        self.add(id.as_bytes());
        self.add(format!("{actions:?}").as_bytes());
    }
}

/// splitmix64.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}
