//! Cost per event, natively (ignored: run it with
//! `cargo test --release -p giveaway --test perf -- --ignored --nocapture`).
//!
//! The demo events replayed 400 times with fresh ids, 200 ms apart, with
//! the demo config (`{"min_account_age_days": 1}`), one `TestHost` per
//! community and the host's clock at the event's time (`steady`), and as
//! the host's demo-chain benchmark mixes them (`bench`: every event in
//! `acme`, demo time + 200 ms × i). Every event goes to the plugin, as the
//! benchmark does natively. Prints µs per event (each event's fastest of 5
//! rounds, so that a busy machine does not count) and a digest of every
//! action, which an optimisation must leave unchanged; also the cost of
//! each kind of event (starts, ends, entries, reactions, other events).
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

/// What an event is to the plugin, for the breakdown.
fn category(e: &Event, keywords: &[String]) -> usize {
    let t = e.text.trim_start();
    if e.kind == EventKind::Reaction {
        3
    } else if e.kind != EventKind::Message {
        5
    } else if t.starts_with("!giveaway start") {
        0
    } else if t.starts_with("!giveaway end") {
        1
    } else if giveaway::command::is_entry(t, keywords) {
        2
    } else if t.starts_with('!') {
        4
    } else {
        5
    }
}

const CATEGORIES: [&str; 6] = [
    "start",
    "end",
    "keyword entry",
    "reaction",
    "other !command",
    "other events",
];

/// One pass: time in `handle` for each event, the digest and the action
/// count.
fn pass(events: &[Event]) -> (Vec<Duration>, u64, usize) {
    let mut plugin = Giveaway::configure(CONFIG).unwrap();
    let mut hosts: BTreeMap<String, TestHost> = events
        .iter()
        .map(|e| (e.community.clone(), TestHost::new()))
        .collect();
    let mut digest = Digest::default();
    let mut actions = 0;
    let mut spent = Vec::with_capacity(events.len());
    for e in events {
        let host = hosts.get_mut(&e.community).unwrap();
        host.now_ms = e.timestamp_ms;
        let t = Instant::now();
        let out = plugin.handle(host, e).unwrap();
        spent.push(t.elapsed());
        actions += out.len();
        digest.actions(&e.id, &out);
    }
    (spent, digest.0, actions)
}

/// Each event's time is the fastest of the rounds: on a busy machine a
/// round is now and then descheduled, which says nothing of the plugin.
/// The figures are sums of these.
#[test]
#[ignore = "timing: run with --release -- --ignored --nocapture"]
fn cost_per_event() {
    let turns = setting("GIVEAWAY_PERF_TURNS", 400);
    let rounds = setting("GIVEAWAY_PERF_ROUNDS", 5);
    let keywords = giveaway::Config::parse(CONFIG).unwrap().keywords;
    for clock in [Clock::Steady, Clock::Bench] {
        let events = replay(turns, clock);
        let categories: Vec<usize> = events.iter().map(|e| category(e, &keywords)).collect();
        let n = events.len();
        let mut fastest = vec![Duration::MAX; n];
        let mut seen = None;
        for _ in 0..rounds {
            let (spent, digest, actions) = pass(&events);
            for (f, d) in fastest.iter_mut().zip(spent) {
                *f = (*f).min(d);
            }
            assert!(seen.is_none_or(|s| s == (digest, actions)));
            seen = Some((digest, actions));
        }
        let (digest, actions) = seen.unwrap();
        let total: Duration = fastest.iter().sum();
        println!(
            "{clock:?}: {n} events, {actions} actions, digest {digest:016x}: {:.3} µs/event",
            total.as_secs_f64() * 1e6 / n as f64
        );
        for (k, name) in CATEGORIES.iter().enumerate() {
            let count = categories.iter().filter(|&&c| c == k).count();
            let spent: Duration = fastest
                .iter()
                .zip(&categories)
                .filter(|(_, &c)| c == k)
                .map(|(d, _)| *d)
                .sum();
            println!(
                "    {name:<15} {count:>6} events {:>8.3} µs each, {:>6.3} µs/event of the mix",
                spent.as_secs_f64() * 1e6 / count.max(1) as f64,
                spent.as_secs_f64() * 1e6 / n as f64
            );
        }
    }
}

#[test]
#[ignore = "timing"]
fn cost_of_text_checks() {
    use std::hint::black_box;
    let cfg = giveaway::Config::parse(CONFIG).unwrap();
    let texts: Vec<String> = common::demo_events().into_iter().map(|e| e.text).collect();
    let n = texts.len() as f64;
    let mut best = (f64::MAX, f64::MAX);
    for _ in 0..2000 {
        let t = Instant::now();
        for s in &texts {
            black_box(giveaway::command::is_entry(black_box(s), &cfg.keywords));
        }
        let a = t.elapsed().as_secs_f64() * 1e9 / n;
        let t = Instant::now();
        for s in &texts {
            black_box(giveaway::command::may_be_command(
                black_box(s),
                &cfg.command_prefixes,
            ));
        }
        let b = t.elapsed().as_secs_f64() * 1e9 / n;
        best = (best.0.min(a), best.1.min(b));
    }
    println!("is_entry {:.0} ns, may_be_command {:.0} ns", best.0, best.1);
}

#[test]
#[ignore = "timing"]
fn cost_of_start_and_end() {
    let demo = common::demo_events();
    let start = demo
        .iter()
        .find(|e| e.text.starts_with("!giveaway start \"Coffret"))
        .unwrap();
    let end = demo.iter().find(|e| e.id == "acme-077").unwrap();
    let mut plugin = Giveaway::configure(CONFIG).unwrap();
    let (mut t_start, mut t_end) = (Duration::ZERO, Duration::ZERO);
    let n = 5000;
    for i in 0..n {
        let mut host = TestHost::new();
        let mut s = start.clone();
        s.id = format!("s{i}");
        let mut e = end.clone();
        e.id = format!("e{i}");
        e.timestamp_ms = s.timestamp_ms + 1000;
        host.now_ms = s.timestamp_ms;
        let t = Instant::now();
        plugin.handle(&mut host, &s).unwrap();
        t_start += t.elapsed();
        host.now_ms = e.timestamp_ms;
        let t = Instant::now();
        plugin.handle(&mut host, &e).unwrap();
        t_end += t.elapsed();
    }
    println!(
        "start {:.2} µs, end {:.2} µs",
        t_start.as_secs_f64() * 1e6 / n as f64,
        t_end.as_secs_f64() * 1e6 / n as f64
    );
}
