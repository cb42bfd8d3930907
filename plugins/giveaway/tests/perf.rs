//! Cost per event, natively (ignored: run it with
//! `cargo test --release -p giveaway --test perf -- --ignored --nocapture`).
//!
//! The demo events replayed 400 times with fresh ids, 200 ms apart, with
//! the demo config (`{"min_account_age_days": 1}`), one `TestHost` per
//! community and the host's clock at the event's time (`steady`), and as
//! the host's demo-chain benchmark mixes them (`bench`: every event in
//! `acme`, demo time + 200 ms × i). Every event goes to the plugin, as the
//! benchmark does natively. Prints µs per event and a digest of every
//! action, which an optimisation must leave unchanged; also the cost of the
//! events that are neither commands, entries nor reactions.
//!
//! `GIVEAWAY_PERF_TURNS` and `GIVEAWAY_PERF_ROUNDS` override the number of
//! turns and rounds (fewer for a run under `valgrind --tool=callgrind`).

mod common;

use common::{replay, Clock, Digest};
use giveaway::Giveaway;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use vigie_sdk::{Event, EventKind, Plugin, TestHost};

const CONFIG: &str = r#"{"min_account_age_days": 1}"#;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Events a contest can care about: commands, keyword entries, reactions.
fn contest_related(e: &Event) -> bool {
    let t = e.text.trim_start().to_lowercase();
    e.kind == EventKind::Reaction
        || t.starts_with('!')
        || t.starts_with("je participe")
        || t.starts_with("i'm in")
}

/// One pass: time in `handle` (all events, and the others alone), the
/// digest and the action count.
fn pass(events: &[Event]) -> (Duration, Duration, usize, u64, usize) {
    let mut plugin = Giveaway::configure(CONFIG).unwrap();
    let mut hosts: BTreeMap<String, TestHost> = events
        .iter()
        .map(|e| (e.community.clone(), TestHost::new()))
        .collect();
    let mut digest = Digest::default();
    let (mut actions, mut plain) = (0, 0);
    let (mut spent, mut spent_plain) = (Duration::ZERO, Duration::ZERO);
    for e in events {
        let host = hosts.get_mut(&e.community).unwrap();
        host.now_ms = e.timestamp_ms;
        let t = Instant::now();
        let out = plugin.handle(host, e).unwrap();
        let d = t.elapsed();
        spent += d;
        if !contest_related(e) {
            spent_plain += d;
            plain += 1;
        }
        actions += out.len();
        digest.actions(&e.id, &out);
    }
    (spent, spent_plain, plain, digest.0, actions)
}

#[test]
#[ignore = "timing: run with --release -- --ignored --nocapture"]
fn cost_per_event() {
    let turns = setting("GIVEAWAY_PERF_TURNS", 400);
    let rounds = setting("GIVEAWAY_PERF_ROUNDS", 5);
    for clock in [Clock::Steady, Clock::Bench] {
        let events = replay(turns, clock);
        let n = events.len();
        let (mut best, mut best_plain) = (Duration::MAX, Duration::MAX);
        let mut seen = None;
        let mut plain_n = 0;
        for _ in 0..rounds {
            let (d, dp, plain, digest, actions) = pass(&events);
            best = best.min(d);
            best_plain = best_plain.min(dp);
            plain_n = plain;
            assert!(seen.is_none_or(|s| s == (digest, actions)));
            seen = Some((digest, actions));
        }
        let (digest, actions) = seen.unwrap();
        println!(
            "{clock:?}: {n} events, {actions} actions, digest {digest:016x}: {:.3} µs/event \
             ({plain_n} others: {:.3} µs/event)",
            best.as_secs_f64() * 1e6 / n as f64,
            best_plain.as_secs_f64() * 1e6 / plain_n.max(1) as f64,
        );
    }
}
