//! The bare plugin (`{}`) on the demo events of `examples/demo/events.jsonl`:
//! prints which events get which actions and checks that the insults and the
//! spam are caught and nothing else is.

use automod::Automod;
use std::collections::{BTreeMap, BTreeSet};
use vigie_sdk::{Action, Author, Event, EventKind, Plugin, TestHost};

/// Milliseconds since the epoch of an RFC 3339 UTC time
/// (`2026-11-22T09:00:00Z`).
fn parse_time(s: &str) -> i64 {
    let n = |a: usize, b: usize| -> i64 { s[a..b].parse().unwrap() };
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    let (hh, mm, ss) = (n(11, 13), n(14, 16), n(17, 19));
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
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

fn event(v: &serde_json::Value) -> Event {
    let s = |k: &str| v[k].as_str().map(str::to_string);
    let a = &v["author"];
    Event {
        id: s("id").unwrap(),
        kind: kind(v["kind"].as_str().unwrap()),
        platform: s("platform").unwrap(),
        community: s("community").unwrap(),
        channel: s("channel").unwrap(),
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
        text: s("text").unwrap_or_default(),
        reply_to: s("reply_to"),
        reaction: s("reaction"),
        target_message: s("target_message"),
        timestamp_ms: parse_time(v["timestamp"].as_str().unwrap()),
        labels: Vec::new(),
        earlier_actions: Vec::new(),
    }
}

fn describe(a: &Action) -> String {
    match a {
        Action::Delete(d) => format!("delete {} ({})", d.message_id, d.reason),
        Action::Reply(r) => format!("reply to {}: {}", r.to_message, r.text),
        Action::Post(p) => format!("post in #{}: {}", p.channel, p.text),
        Action::Timeout(t) => format!("timeout {} {} s", t.user_id, t.duration_s),
        Action::Kick(k) => format!("kick {}", k.user_id),
        Action::Ban(b) => format!("ban {} {:?}", b.user_id, b.duration_s),
        Action::Flag(f) => format!("flag {}", f.message_id),
        Action::Label(l) => format!("label {}={}", l.key, l.value),
        other => format!("{other:?}"),
    }
}

#[test]
fn demo_events_with_the_bare_config() {
    assert_eq!(parse_time("1970-01-02T00:00:01Z"), 86_401_000);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/demo/events.jsonl"
    );
    let raw = std::fs::read_to_string(path).unwrap();
    let mut plugin = Automod::configure("{}").unwrap();
    // The key-value store is scoped per community.
    let mut hosts: BTreeMap<String, TestHost> = BTreeMap::new();
    let mut caught = BTreeSet::new();
    let mut count = 0;
    for line in raw.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let ev = event(&v);
        count += 1;
        let host = hosts.entry(ev.community.clone()).or_default();
        host.now_ms = ev.timestamp_ms;
        let actions = plugin.handle(host, &ev).unwrap();
        if !actions.is_empty() {
            println!("{} {:?} {:?}", ev.id, ev.author.id, ev.text);
            for a in &actions {
                println!("    {}", describe(a));
            }
            caught.insert(ev.id.clone());
        }
    }
    println!("{count} events, {} with actions", caught.len());
    let expected: BTreeSet<String> = [
        "acme-029", "acme-030", "acme-031", "acme-032", // bitcoin link spam, new account
        "acme-035", // bit.ly link, new account
        "en-015",   // discord.gg invite, new account
        "acme-042", // putain
        "acme-046", // c0nnards
        "acme-051", // sale con
        "en-020",   // f.u.c.k
        "en-023",   // idiot, bullsh1t
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(caught, expected);
}
