//! Timings, natively.
//!
//! - `worst_case_messages`: adversarial 64 KiB inputs stay fast (the host
//!   gives a plugin 100 ms of CPU per event by default, and messages are at
//!   most 64 KiB).
//! - `cost_per_event` (ignored: run it with
//!   `cargo test --release -p automod --test perf -- --ignored --nocapture`):
//!   the demo events replayed 400 times with fresh ids, 200 ms apart, with
//!   the demo config (none), one `TestHost` per community and the host's
//!   clock at the event's time (`steady`), and as the host's demo-chain
//!   benchmark mixes them (`bench`: every event in `acme`, demo time + 200
//!   ms × i). Prints µs per event (all events, as the host sends them) and a
//!   digest of every action, which an optimisation must leave unchanged.

mod common;

use automod::Automod;
use common::{replay, Clock, Digest};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use vigie_sdk::{test_event, Plugin, TestHost};

#[test]
fn worst_case_messages() {
    let mut plugin = Automod::configure("{}").unwrap();
    let cases: Vec<(&str, String)> = vec![
        ("single letters", "a b c d e f g h i j ".repeat(3_200)),
        ("dotted letters", "f.u.c.x.".repeat(8_000)),
        ("leet ones", "1l1|1 ".repeat(10_000)),
        ("one long word", "x".repeat(64_000)),
        (
            "words",
            "bonjour tout le monde, merci pour le café ".repeat(1_500),
        ),
        (
            "links",
            "see https://a.example/x www.b.com c.gg/d ".repeat(1_500),
        ),
        ("emoji", "🔥💰🤑 ".repeat(5_000)),
        ("zalgo", "z\u{336}\u{35b}a\u{334}".repeat(6_000)),
        ("insult at the end", "blah ".repeat(12_000) + "connard"),
        ("allowed phrases", "café con leche ".repeat(4_000)),
        ("masks", "a*b*c*d ".repeat(8_000)),
    ];
    for (name, text) in cases {
        let text: String = text.chars().take(64 * 1024).collect();
        let start = Instant::now();
        let mut host = TestHost::new();
        let _ = plugin
            .handle(&mut host, &test_event("m", "u", &text))
            .unwrap();
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        println!("  {name:<16} {:>6} bytes  {ms:>8.2} ms", text.len());
        assert!(ms < 2_000.0, "{name}: {ms} ms");
    }
}

const TURNS: usize = 400;
const ROUNDS: usize = 5;

/// One pass: the time spent in `handle`, the digest and the action count.
fn pass(events: &[vigie_sdk::Event]) -> (Duration, u64, usize) {
    let mut plugin = Automod::configure("{}").unwrap();
    let mut hosts: BTreeMap<String, TestHost> = events
        .iter()
        .map(|e| (e.community.clone(), TestHost::new()))
        .collect();
    let mut digest = Digest::default();
    let mut actions = 0;
    let mut spent = Duration::ZERO;
    for e in events {
        let host = hosts.get_mut(&e.community).unwrap();
        host.now_ms = e.timestamp_ms;
        let t = Instant::now();
        let out = plugin.handle(host, e).unwrap();
        spent += t.elapsed();
        actions += out.len();
        digest.actions(&e.id, &out);
    }
    (spent, digest.0, actions)
}

#[test]
#[ignore = "timing: run with --release -- --ignored --nocapture"]
fn cost_per_event() {
    for clock in [Clock::Steady, Clock::Bench] {
        let events = replay(TURNS, clock);
        let n = events.len();
        let mut best = Duration::MAX;
        let mut seen = None;
        for _ in 0..ROUNDS {
            let (d, digest, actions) = pass(&events);
            best = best.min(d);
            assert!(seen.is_none_or(|s| s == (digest, actions)));
            seen = Some((digest, actions));
        }
        let (digest, actions) = seen.unwrap();
        println!(
            "{clock:?}: {n} events, {actions} actions, digest {digest:016x}: {:.3} µs/event",
            best.as_secs_f64() * 1e6 / n as f64
        );
    }
}
