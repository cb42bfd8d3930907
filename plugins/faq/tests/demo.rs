//! The demo's events (`examples/demo/events.jsonl`) through the plugin with
//! `acme.toml`, one host per community as the real host keeps one store per
//! (community, plugin): prints what it answers and checks that the FAQ
//! questions get sensible answers while greetings, thanks and chit-chat get
//! none.

mod common;

use std::collections::BTreeMap;

use common::{demo_events, rfc3339_ms};
use vigie_sdk::{Action, Plugin, TestHost};

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
    assert_eq!(events.len(), 131);
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

/// The demo ships this plugin's config as `examples/demo/faq.toml`: the
/// same file, so the figures measured here are the demo's.
#[test]
fn the_demo_config_is_acme_toml() {
    let read = |p: &str| std::fs::read_to_string(common::crate_path(p)).expect(p);
    assert!(
        read("acme.toml") == read("../../examples/demo/faq.toml"),
        "examples/demo/faq.toml differs from plugins/faq/acme.toml: copy one onto the other"
    );
}
