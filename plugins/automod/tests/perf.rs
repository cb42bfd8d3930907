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
//!   ms × i). Prints µs per event (all events, as the host sends them; each
//!   event's fastest of 5 rounds, so that a busy machine does not count) and
//!   a digest of every action, which an optimisation must leave unchanged.

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

/// One pass: the time spent in `handle` for each event, the digest and the
/// action count.
fn pass(events: &[vigie_sdk::Event]) -> (Vec<Duration>, u64, usize) {
    let mut plugin = Automod::configure("{}").unwrap();
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

/// `AUTOMOD_PERF_TURNS` and `AUTOMOD_PERF_ROUNDS` override the defaults
/// (fewer for a run under `valgrind --tool=callgrind`, whose instruction
/// counts do not depend on the machine's load).
fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Each event's time is the fastest of the rounds: on a busy machine a
/// round is now and then descheduled, which says nothing of the plugin.
/// The figure is the sum of these over the events, per event.
#[test]
#[ignore = "timing: run with --release -- --ignored --nocapture"]
fn cost_per_event() {
    let turns = setting("AUTOMOD_PERF_TURNS", TURNS);
    let rounds = setting("AUTOMOD_PERF_ROUNDS", ROUNDS);
    for clock in [Clock::Steady, Clock::Bench] {
        let events = replay(turns, clock);
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
    }
}

#[test]
#[ignore = "timing: run with --release -- --ignored --nocapture"]
fn cost_per_step() {
    use automod::lists::{guess_lang, Lexicon};
    use automod::normalize::Normalized;
    use std::hint::black_box;
    // One turn of the demo, so that the data stays in cache as it does when
    // a single event goes through every step.
    let events = replay(1, Clock::Steady);
    let texts: Vec<&str> = events.iter().map(|e| e.text.as_str()).collect();
    let engine = automod::rules::Engine::from_json("{}").unwrap();
    let _ = engine;
    let lex = Lexicon::new(
        &automod::lists::default_list("fr")
            .unwrap()
            .into_iter()
            .chain(automod::lists::default_list("en").unwrap())
            .collect::<Vec<_>>(),
        &automod::lists::parse_list(automod::lists::ALLOW_LIST)
            .into_iter()
            .map(|e| e.text)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let norms: Vec<Normalized> = texts.iter().map(|t| Normalized::new(t)).collect();
    let n = texts.len() as f64;
    let time = |name: &str, f: &mut dyn FnMut()| {
        let mut best = f64::MAX;
        for _ in 0..400 {
            let t = Instant::now();
            f();
            best = best.min(t.elapsed().as_secs_f64() * 1e6 / n);
        }
        println!("  {name:<14} {best:.3} µs/event");
    };
    time("normalize", &mut || {
        for t in &texts {
            black_box(Normalized::new(black_box(t)));
        }
    });
    time("guess_lang", &mut || {
        for nm in &norms {
            black_box(guess_lang(nm));
        }
    });
    time("fingerprint", &mut || {
        for nm in &norms {
            black_box(automod::flood::fingerprint_and_count(nm));
        }
    });
    time("links", &mut || {
        for nm in &norms {
            black_box(automod::links::find_links(nm));
        }
    });
    time("lexicon", &mut || {
        for (nm, t) in norms.iter().zip(&texts) {
            black_box(lex.find(nm, t, guess_lang(nm)));
        }
    });
}

#[test]
#[ignore = "timing"]
fn cost_of_flood_window() {
    use automod::flood::{record_user, Keep};
    let keep = Keep {
        ms: 120_000,
        max: 20,
    };
    let mut host = TestHost::new();
    let mut now = 1_795_338_864_000i64;
    for k in 0..40 {
        record_user(
            &mut host,
            "u-alice",
            now + k * 1000,
            0xc43a_ee03_a3bc_51c8,
            keep,
        );
    }
    now += 40_000;
    let n = 100_000;
    let t = Instant::now();
    for k in 0..n {
        std::hint::black_box(record_user(
            &mut host,
            "u-alice",
            now + k * 1000 % 7,
            0xc43a_ee03_a3bc_51c8 ^ k as u64,
            keep,
        ));
    }
    println!(
        "record_user: {:.3} µs",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
    let v = host.kv.get("flood/u-alice").unwrap().clone();
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(host.kv.get(std::hint::black_box("flood/u-alice")).cloned());
    }
    println!(
        "kv get clone: {:.3} µs ({} bytes)",
        t.elapsed().as_secs_f64() * 1e6 / n as f64,
        v.len()
    );
}

#[test]
#[ignore = "timing"]
fn cost_of_normalize() {
    use automod::normalize::Normalized;
    use std::hint::black_box;
    let events = replay(1, Clock::Steady);
    let texts: Vec<&str> = events.iter().map(|e| e.text.as_str()).collect();
    let mut best = f64::MAX;
    for _ in 0..3000 {
        let t = Instant::now();
        for t in &texts {
            black_box(Normalized::new(black_box(t)));
        }
        best = best.min(t.elapsed().as_secs_f64() * 1e6 / texts.len() as f64);
    }
    println!("normalize {best:.3} µs/event");
    let mut best = f64::MAX;
    for _ in 0..3000 {
        let t = Instant::now();
        for t in &texts {
            black_box(black_box(t).chars().filter(|c| c.is_alphanumeric()).count());
        }
        best = best.min(t.elapsed().as_secs_f64() * 1e6 / texts.len() as f64);
    }
    println!("calibration: count alphanumeric chars {best:.3} µs/event");
    let mut best = f64::MAX;
    for _ in 0..3000 {
        let t = Instant::now();
        for t in &texts {
            let mut v: Vec<(char, usize, usize)> = Vec::with_capacity(t.len());
            for (i, c) in black_box(t).char_indices() {
                v.push((c.to_ascii_lowercase(), i, i + 1));
            }
            black_box(v);
        }
        best = best.min(t.elapsed().as_secs_f64() * 1e6 / texts.len() as f64);
    }
    println!("calibration: units vec {best:.3} µs/event");
}
