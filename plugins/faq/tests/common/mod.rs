//! Shared by the integration tests: the Acme config, as the host would
//! hand it to the plugin (its TOML table converted to JSON).

#![allow(dead_code)]

use std::path::PathBuf;

use faq::Faq;
use serde::Deserialize;
use vigie_sdk::{Author, Event, EventKind, Plugin};

/// A path inside the crate.
pub fn crate_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// `acme.toml` as JSON.
pub fn acme_json() -> String {
    let text = std::fs::read_to_string(crate_path("acme.toml")).expect("read acme.toml");
    let value: toml::Value = toml::from_str(&text).expect("acme.toml is TOML");
    serde_json::to_string(&value).expect("as JSON")
}

/// The plugin configured with `acme.toml`.
pub fn acme() -> Faq {
    Faq::configure(&acme_json()).expect("acme.toml is a valid faq config")
}

#[derive(Deserialize)]
struct DemoAuthor {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    account_age_days: Option<u32>,
    #[serde(default)]
    is_staff: bool,
}

#[derive(Deserialize)]
struct DemoEvent {
    id: String,
    kind: String,
    platform: String,
    community: String,
    channel: String,
    author: DemoAuthor,
    #[serde(default)]
    text: String,
    #[serde(default)]
    reply_to: Option<String>,
    #[serde(default)]
    reaction: Option<String>,
    #[serde(default)]
    target_message: Option<String>,
    timestamp: String,
}

/// `YYYY-MM-DDTHH:MM:SSZ` → ms since the Unix epoch.
pub fn rfc3339_ms(s: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| s[r].parse::<i64>().expect("timestamp digits");
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let (hh, mm, ss) = (n(11..13), n(14..16), n(17..19));
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    ((days * 24 + hh) * 60 + mm) * 60_000 + ss * 1000
}

fn kind(s: &str) -> EventKind {
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

pub fn demo_events() -> Vec<Event> {
    let path = crate_path("../../examples/demo/events.jsonl");
    let text = std::fs::read_to_string(&path).expect("read the demo events");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let e: DemoEvent = serde_json::from_str(l).expect("a demo event");
            Event {
                id: e.id,
                kind: kind(&e.kind),
                platform: e.platform,
                community: e.community,
                channel: e.channel,
                author: Author {
                    id: e.author.id,
                    name: e.author.name,
                    roles: e.author.roles,
                    account_age_days: e.author.account_age_days,
                    is_staff: e.author.is_staff,
                },
                text: e.text,
                reply_to: e.reply_to,
                reaction: e.reaction,
                target_message: e.target_message,
                timestamp_ms: rfc3339_ms(&e.timestamp),
                labels: Vec::new(),
                earlier_actions: Vec::new(),
            }
        })
        .collect()
}
