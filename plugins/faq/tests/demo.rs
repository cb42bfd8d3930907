//! The demo's events (`examples/demo/events.jsonl`) through the plugin with
//! `acme.toml`, one host per community as the real host keeps one store per
//! (community, plugin): prints what it answers and checks that the FAQ
//! questions get sensible answers while greetings, thanks and chit-chat get
//! none.

mod common;

use std::collections::BTreeMap;

use serde::Deserialize;
use vigie_sdk::{Action, Author, Event, EventKind, Plugin, TestHost};

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
fn rfc3339_ms(s: &str) -> i64 {
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

fn demo_events() -> Vec<Event> {
    let path = common::crate_path("../../examples/demo/events.jsonl");
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

/// The demo's FAQ questions and the entry that answers each.
const FAQ: &[(&str, &str)] = &[
    ("acme-008", "delivery_delay"),
    ("acme-009", "opening_hours"),
    ("acme-013", "shipping_abroad"),
    ("acme-027", "decaf"),
    ("acme-036", "password_reset"),
    ("acme-055", "returns_refunds"),
    ("acme-057", "shipping_abroad"),
    ("acme-058", "descaling"),
    ("acme-060", "opening_hours"),
    ("acme-062", "returns_refunds"),
    ("acme-068", "decaf"),
    ("acme-070", "delivery_delay"),
    ("acme-071", "shipping_abroad"),
    ("acme-072", "password_reset"),
    ("en-006", "delivery_delay"),
    ("en-011", "shipping_abroad"),
    ("en-012", "shipping_abroad"),
    ("en-016", "opening_hours"),
    ("en-018", "password_reset"),
    ("en-021", "password_reset"),
    ("en-026", "password_reset"),
    ("en-030", "decaf"),
    ("en-032", "descaling"),
    ("en-034", "returns_refunds"),
    ("en-035", "delivery_delay"),
    ("en-036", "shipping_abroad"),
];

/// Questions outside the list that an FAQ answer also fits.
const ALSO_FINE: &[(&str, &str)] = &[("acme-061", "opening_hours"), ("acme-073", "opening_hours")];

/// Greetings, thanks, chit-chat: never answered.
const NEVER: &[&str] = &[
    "acme-001", "en-001", "acme-002", "en-002", "en-003", "en-004", "acme-004", "acme-005",
    "acme-006", "acme-007", "acme-012", "acme-014", "acme-019", "acme-021", "acme-026", "en-037",
    "en-039", "en-040", "en-042", "acme-053", "acme-066", "acme-067", "acme-069", "acme-074",
    "acme-075", "acme-076", "acme-078",
];

#[test]
fn demo_events_get_sensible_answers() {
    let mut faq = common::acme();
    let mut hosts: BTreeMap<String, TestHost> = BTreeMap::new();
    let events = demo_events();
    assert_eq!(events.len(), 120);
    let mut replies: BTreeMap<String, String> = BTreeMap::new();
    let mut flags = Vec::new();
    println!("== demo: what the faq plugin does");
    for event in &events {
        let host = hosts.entry(event.community.clone()).or_default();
        host.now_ms = event.timestamp_ms;
        let actions = faq.handle(host, event).expect("handle");
        for action in actions {
            match action {
                Action::Reply(r) => {
                    println!(
                        "{:9} #{:8} reply  [{}] {:.70}… ({})",
                        event.id, event.channel, r.reason, r.text, event.text
                    );
                    let entry = r.reason.split_whitespace().nth(1).unwrap_or("").to_string();
                    replies.insert(event.id.clone(), entry);
                }
                Action::Flag(f) => {
                    println!(
                        "{:9} #{:8} flag   [{}] ({})",
                        event.id, event.channel, f.reason, event.text
                    );
                    flags.push(event.id.clone());
                }
                other => panic!("unexpected action {other:?}"),
            }
        }
    }
    // Without cooldowns, what each FAQ question would get.
    let engine = faq.engine();
    println!("== demo FAQ questions: decision, answered in the run or not");
    let mut sensible = 0;
    for (id, expected) in FAQ {
        let event = events
            .iter()
            .find(|e| e.id == *id)
            .expect("FAQ event exists");
        let decision = faq::question::is_question(&event.text).then(|| engine.decide(&event.text));
        let got = decision
            .as_ref()
            .and_then(|d| d.answer.as_ref())
            .map(|a| engine.entry(a.entry).id.as_str());
        let status = match (replies.get(*id), got) {
            (Some(_), _) => "answered",
            (None, Some(_)) => "cooldown (answered just before)",
            (None, None) => "not answered",
        };
        println!(
            "{id:9} expected {expected:16} decision {:16} {status}: {}",
            got.unwrap_or("none"),
            event.text
        );
        if let Some(got) = got {
            assert_eq!(
                got, *expected,
                "{id} answered with the wrong entry: {}",
                event.text
            );
            sensible += 1;
        }
        if let Some(entry) = replies.get(*id) {
            assert_eq!(entry, expected, "{id}");
        }
    }
    println!("== {sensible}/{} demo FAQ questions matched the right entry; {} replies sent; flagged: {flags:?}", FAQ.len(), replies.len());
    assert!(
        sensible * 4 >= FAQ.len() * 3,
        "at least three quarters of the demo's FAQ questions"
    );
    for (id, entry) in &replies {
        let listed = FAQ.iter().chain(ALSO_FINE).find(|(f, _)| f == id);
        assert!(
            listed.is_some_and(|(_, e)| e == entry),
            "{id} should not get the {entry} answer"
        );
    }
    for id in NEVER {
        assert!(
            !replies.contains_key(*id) && !flags.contains(&id.to_string()),
            "{id} must get nothing"
        );
    }
}

#[test]
fn timestamps_parse() {
    assert_eq!(rfc3339_ms("2026-11-22T10:00:00Z"), 1_795_341_600_000);
    assert_eq!(rfc3339_ms("1970-01-01T00:00:00Z"), 0);
}
