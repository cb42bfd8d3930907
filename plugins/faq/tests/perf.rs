//! Performance harness and decision record (dev only, both ignored).
//!
//! - `perf`: the plugin configured with `examples/demo/faq.toml`, the demo
//!   events replayed ×400 (fresh ids, timestamps 200 ms apart, one
//!   `TestHost` per community, `now_ms` = the event's time), as the host's
//!   `demo_chain` benchmark does; prints µs per event.
//!
//!   `cargo test --release -p faq --test perf perf -- --ignored --nocapture`
//!   (`FAQ_PERF_ROUNDS=n` to change ×400).
//!
//! - `decisions`: writes every decision the plugin makes on the demo (one
//!   pass and the ×400 replay, actions in full) and on `tests/questions.jsonl`
//!   and `tests/dev_questions.jsonl` (question detection, the whole
//!   `Decision` with its scores, the answer language, the rendered answer) to
//!   `FAQ_DECISIONS` (default `/tmp/faq-decisions.txt`), so that a
//!   change meant to be a pure optimisation can be checked with `diff`.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

use faq::Faq;
use vigie_sdk::{Action, Event, Plugin, TestHost};

fn demo_config() -> String {
    let path = common::crate_path("../../examples/demo/faq.toml");
    let text = std::fs::read_to_string(&path).expect("read examples/demo/faq.toml");
    let value: toml::Value = toml::from_str(&text).expect("faq.toml is TOML");
    serde_json::to_string(&value).expect("as JSON")
}

/// The demo's events `rounds` times, as the benchmark replays them.
fn replay(rounds: usize) -> Vec<Event> {
    let demo = common::demo_events();
    (0..demo.len() * rounds)
        .map(|i| {
            let mut e = demo[i % demo.len()].clone();
            e.id = format!("bench-{i}");
            e.timestamp_ms += 200 * i as i64;
            e
        })
        .collect()
}

/// Runs `events` through `faq`, one host per community.
fn run(faq: &mut Faq, events: &[Event], mut each: impl FnMut(&Event, &[Action])) {
    let mut hosts: BTreeMap<String, TestHost> = BTreeMap::new();
    for event in events {
        let host = hosts.entry(event.community.clone()).or_default();
        host.now_ms = event.timestamp_ms;
        let actions = faq.handle(host, event).expect("handle");
        each(event, &actions);
    }
}

#[test]
#[ignore]
fn perf() {
    let rounds: usize = std::env::var("FAQ_PERF_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400);
    let config = demo_config();
    let start = Instant::now();
    let mut faq = Faq::configure(&config).expect("config");
    let configure = start.elapsed();
    let events = replay(rounds);
    // Warm up (and check it does something).
    let mut warm = 0;
    run(&mut faq, &events[..events.len().min(1200)], |_, a| {
        warm += a.len()
    });
    assert!(warm > 0);
    let mut faq = Faq::configure(&config).expect("config");
    let mut actions = 0;
    let start = Instant::now();
    run(&mut faq, &events, |_, a| actions += a.len());
    let elapsed = start.elapsed();
    let per_event = elapsed.as_secs_f64() * 1e6 / events.len() as f64;
    println!(
        "faq perf: {} events in {:.1} ms: {per_event:.2} µs/event ({:.0} events/s), {actions} actions; configure {:.2} ms",
        events.len(),
        elapsed.as_secs_f64() * 1e3,
        events.len() as f64 / elapsed.as_secs_f64(),
        configure.as_secs_f64() * 1e3,
    );
}

fn action_line(a: &Action) -> String {
    format!("{a:?}")
}

#[test]
#[ignore]
fn decisions() {
    let path = std::env::var("FAQ_DECISIONS").unwrap_or_else(|_| "/tmp/faq-decisions.txt".into());
    let mut out = String::new();
    let mut faq = Faq::configure(&demo_config()).expect("config");
    writeln!(out, "== demo, one pass").unwrap();
    run(&mut faq, &common::demo_events(), |e, actions| {
        for a in actions {
            writeln!(out, "{} {}", e.id, action_line(a)).unwrap();
        }
    });
    writeln!(out, "== demo ×400").unwrap();
    let mut faq = Faq::configure(&demo_config()).expect("config");
    run(&mut faq, &replay(400), |e, actions| {
        for a in actions {
            writeln!(out, "{} {}", e.id, action_line(a)).unwrap();
        }
    });
    let engine = faq.engine();
    let demo_texts = common::demo_events().into_iter().map(|e| e.text);
    let mut texts: Vec<String> = demo_texts.collect();
    for file in ["tests/questions.jsonl", "tests/dev_questions.jsonl"] {
        let text = std::fs::read_to_string(common::crate_path(file)).expect("read");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("json");
            texts.push(v["q"].as_str().expect("q").to_string());
        }
    }
    writeln!(out, "== texts").unwrap();
    for t in &texts {
        let q = faq::question::is_question(t);
        let d = engine.decide(t);
        writeln!(out, "{t:?}\n  question {q}\n  {d:?}").unwrap();
        writeln!(out, "  ranking {:?}", engine.index().rank(t)).unwrap();
        writeln!(out, "  explain {:?}", engine.index().explain(t)).unwrap();
        if let Some(a) = &d.answer {
            let lang = engine.answer_lang(t, Some(a.lang));
            writeln!(
                out,
                "  {lang:?} {}",
                engine.render(a.entry, lang, "Chloé", "support")
            )
            .unwrap();
        }
    }
    std::fs::write(&path, out).expect("write decisions");
    println!("decisions written to {path}");
}
