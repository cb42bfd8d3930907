//! Runs the demo events (examples/demo/events.jsonl, the Acme Café
//! communities) through the plugin with the demo config of `acme.toml`,
//! prints every score, and checks that the bad-buzz wave of the broken app
//! update (acme-038..acme-050, en-018..en-024) raises an alert in each
//! community, and nothing else does.

use std::collections::BTreeMap;

use sentiment::Sentiment;
use serde_json::{json, Map, Value};
use vigie_sdk::{Action, Author, Event, EventKind, Plugin, TestHost};

/// Milliseconds since the epoch of an RFC 3339 UTC time
/// (`2026-11-22T09:00:00Z`, optional fraction, `Z` or `+hh:mm`).
fn rfc3339_ms(s: &str) -> i64 {
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

fn event(v: &Value) -> Event {
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
fn acme_config() -> String {
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

#[test]
fn demo_events_scores_and_bad_buzz() {
    let config = acme_config();
    println!("\nacme.toml config: {config}");
    let mut plugin = Sentiment::configure(&config).unwrap();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/demo/events.jsonl"
    );
    let mut hosts: BTreeMap<String, TestHost> = BTreeMap::new();
    let mut alerts = Vec::new();
    let mut labelled = 0;
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let e = event(&serde_json::from_str(line).unwrap());
        let host = hosts.entry(e.community.clone()).or_default();
        host.now_ms = e.timestamp_ms;
        let actions = plugin.handle(host, &e).unwrap();
        for a in &actions {
            match a {
                Action::Label(l) => {
                    labelled += 1;
                    println!(
                        "{:<9} {:+.3} {} {}",
                        e.id,
                        l.value,
                        l.note.as_deref().unwrap_or("?"),
                        e.text.chars().take(90).collect::<String>()
                    );
                }
                Action::Alert(al) => {
                    println!(
                        "ALERT {:?} on {} ({}): {}",
                        al.severity, e.id, e.community, al.message
                    );
                    alerts.push((e.community.clone(), e.id.clone(), al.message.clone()));
                }
                other => panic!("unexpected action {other:?}"),
            }
        }
    }
    assert!(labelled >= 90, "{labelled}");
    // One alert per community, during its wave.
    let acme: Vec<_> = alerts.iter().filter(|a| a.0 == "acme").collect();
    let en: Vec<_> = alerts.iter().filter(|a| a.0 == "acme-en").collect();
    assert_eq!(acme.len(), 1, "{alerts:?}");
    assert_eq!(en.len(), 1, "{alerts:?}");
    let n = |id: &str| id[id.rfind('-').unwrap() + 1..].parse::<u32>().unwrap();
    assert!(
        (38..=50).contains(&n(&acme[0].1)),
        "acme alert on {}",
        acme[0].1
    );
    assert!(
        (18..=25).contains(&n(&en[0].1)),
        "acme-en alert on {}",
        en[0].1
    );
    for (_, _, text) in &alerts {
        assert!(text.contains(" 3. ["), "three quoted messages: {text}");
    }
}

#[test]
fn reads_rfc3339() {
    assert_eq!(rfc3339_ms("1970-01-01T00:00:00Z"), 0);
    assert_eq!(rfc3339_ms("2025-11-22T10:00:00Z"), 1_763_805_600_000);
    assert_eq!(rfc3339_ms("2025-11-22T11:00:00.5+01:00"), 1_763_805_600_500);
}
