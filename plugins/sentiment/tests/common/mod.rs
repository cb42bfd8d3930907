//! Helpers shared by the integration tests: the demo events
//! (examples/demo/events.jsonl) as SDK events, the demo config of
//! `acme.toml`, and the replay of the demo used by the golden and perf tests.

#![allow(dead_code)]

use serde_json::{json, Map, Value};
use vigie_sdk::{Author, Event, EventKind};

/// Milliseconds since the epoch of an RFC 3339 UTC time
/// (`2026-11-22T09:00:00Z`, optional fraction, `Z` or `+hh:mm`).
pub fn rfc3339_ms(s: &str) -> i64 {
    let num =
        |a: usize, b: usize| -> i64 { s[a..b].parse().unwrap_or_else(|_| panic!("bad time {s}")) };
    let (y, mo, d) = (num(0, 4), num(5, 7), num(8, 10));
    let (h, mi, sec) = (num(11, 13), num(14, 16), num(17, 19));
    let mut rest = &s[19..];
    let mut ms = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.chars().take_while(|c| c.is_ascii_digit()).count();
        let f = &frac[..digits];
        ms = format!("{f:0<3}")[..3].parse().unwrap();
        rest = &frac[digits..];
    }
    let offset_s = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            sign * (rest[1..3].parse::<i64>().unwrap() * 3600
                + rest[4..6].parse::<i64>().unwrap() * 60)
        }
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    (days * 86_400 + h * 3600 + mi * 60 + sec - offset_s) * 1000 + ms
}

fn kind(name: &str) -> EventKind {
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
        other => panic!("unknown kind {other}"),
    }
}

pub fn event(v: &Value) -> Event {
    let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
    let opt = |k: &str| v[k].as_str().map(str::to_string);
    let a = &v["author"];
    Event {
        id: s("id"),
        kind: kind(v["kind"].as_str().unwrap()),
        platform: s("platform"),
        community: s("community"),
        channel: s("channel"),
        author: Author {
            id: a["id"].as_str().unwrap().to_string(),
            name: a["name"].as_str().unwrap_or("").to_string(),
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
        text: s("text"),
        reply_to: opt("reply_to"),
        reaction: opt("reaction"),
        target_message: opt("target_message"),
        timestamp_ms: rfc3339_ms(v["timestamp"].as_str().unwrap()),
        labels: Vec::new(),
        earlier_actions: Vec::new(),
    }
}

/// The `config` of `[plugins.sentiment]` in acme.toml, as the host would
/// pass it (JSON). A small reader for the subset acme.toml uses: table
/// headers and `key = number | "string" | true/false` lines.
pub fn acme_config() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/acme.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let mut root = Map::new();
    let mut table: Option<Vec<String>> = None;
    for line in text.lines() {
        let line = line.split(" #").next().unwrap().trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(h) = line.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            let path: Vec<String> = h
                .split('.')
                .map(|p| p.trim().trim_matches('"').to_string())
                .collect();
            table = path
                .strip_prefix(&[
                    "plugins".to_string(),
                    "sentiment".to_string(),
                    "config".to_string(),
                ])
                .map(|p| p.to_vec());
            continue;
        }
        let Some(path) = &table else { continue };
        let (key, value) = line.split_once('=').unwrap();
        let key = key.trim().trim_matches('"').to_string();
        let value = value.trim();
        let value: Value = if value.starts_with('"') {
            Value::String(value.trim_matches('"').to_string())
        } else {
            serde_json::from_str(value).unwrap_or_else(|_| panic!("acme.toml: cannot read {line}"))
        };
        let mut map = &mut root;
        for p in path {
            map = map
                .entry(p.clone())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .unwrap();
        }
        map.insert(key, value);
    }
    Value::Object(root).to_string()
}

/// The demo events, in file order.
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
    /// The demo's own timing, turn `k` moved `k` × 70 minutes later (the
    /// demo lasts 66 minutes), one host per community: a bad buzz in each
    /// turn.
    Turns,
    /// Pseudo-random gaps (a fixed seed) between -3 s and +20 s, now and
    /// then one of up to three hours, one host per community: events out
    /// of order, buckets inserted between others, quiet windows.
    Jitter,
}

/// The demo events replayed `n` times with fresh ids (`<id>-r<turn>`).
pub fn replay(n: usize, clock: Clock) -> Vec<Event> {
    let demo = demo_events();
    let t0 = demo[0].timestamp_ms;
    let mut out = Vec::with_capacity(n * demo.len());
    let (mut rng, mut t) = (0x5eed_u64, t0);
    for turn in 0..n {
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
                Clock::Turns => e.timestamp_ms += turn as i64 * 70 * 60_000,
                Clock::Jitter => {
                    rng = rng
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    let r = (rng >> 33) as i64;
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
