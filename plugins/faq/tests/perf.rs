//! Performance harness and decision record (dev only, both ignored).
//!
//! - `perf`: the plugin configured with `examples/demo/faq.toml`, the demo
//!   events replayed ×400 (fresh ids, timestamps 200 ms apart, one
//!   `TestHost` per community, `now_ms` = the event's time), as the host's
//!   `demo_chain` benchmark does; prints µs per event.
//!
//!   `cargo test --release -p faq --test perf perf -- --ignored --nocapture`
//!   (`FAQ_PERF_ROUNDS=n` to change ×400, `FAQ_PERF_REPEAT=n` to replay
//!   them n times, best run reported; 3 by default; `FAQ_PERF_VOCABULARY=1`
//!   to add the general vocabulary, which the demo turns off).
//!
//! - `decisions`: writes every decision the plugin makes on the demo (one
//!   pass and the ×400 replay, actions in full) and on `tests/questions.jsonl`
//!   and `tests/dev_questions.jsonl` (question detection, the whole
//!   `Decision` with its scores, the answer language, the rendered answer) to
//!   `FAQ_DECISIONS` (default `/tmp/faq-decisions.txt`), so that a
//!   change meant to be a pure optimisation can be checked with `diff`.

mod common;

use std::fmt::Write as _;
use std::time::Instant;

use faq::Faq;
use vigie_sdk::{Action, Event, EventKind, Plugin, TestHost};

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

/// Runs `events` through `faq`, one host per community (each event's host
/// is found before the first event, so that the loop times the plugin).
fn run(faq: &mut Faq, events: &[Event], mut each: impl FnMut(&Event, &[Action])) {
    let mut communities: Vec<&str> = events.iter().map(|e| e.community.as_str()).collect();
    communities.sort_unstable();
    communities.dedup();
    let host_of: Vec<usize> = events
        .iter()
        .map(|e| {
            communities
                .binary_search(&e.community.as_str())
                .expect("listed")
        })
        .collect();
    let mut hosts: Vec<TestHost> = communities.iter().map(|_| TestHost::new()).collect();
    for (event, &h) in events.iter().zip(&host_of) {
        let host = &mut hosts[h];
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
    // `FAQ_PERF_VOCABULARY=1`: with the general vocabulary under the
    // demo's own synonyms (the demo turns it off).
    let mut config = demo_config();
    if std::env::var_os("FAQ_PERF_VOCABULARY").is_some() {
        config = config.replace(
            "\"general_vocabulary\":false",
            "\"general_vocabulary\":true",
        );
        assert!(config.contains("\"general_vocabulary\":true"));
    }
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
    // `FAQ_PERF_REPEAT=n` replays the same events n times (for profiling:
    // the setup then weighs little); the best run is reported.
    let repeat: usize = std::env::var("FAQ_PERF_REPEAT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    let mut actions = 0;
    for _ in 0..repeat.max(1) {
        let mut faq = Faq::configure(&config).expect("config");
        actions = 0;
        let cpu = thread_cpu_ns();
        let start = Instant::now();
        run(&mut faq, &events, |_, a| actions += a.len());
        best = best.min(start.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu, thread_cpu_ns()) {
            best_cpu = best_cpu.min((b - a) as f64 / 1e9);
        }
    }
    let per_event = best * 1e6 / events.len() as f64;
    println!(
        "faq perf: {} events in {:.1} ms (best of {repeat}): {per_event:.2} µs/event ({:.0} events/s), on-CPU {:.2} µs/event; {actions} actions; configure {:.2} ms",
        events.len(),
        best * 1e3,
        events.len() as f64 / best,
        best_cpu * 1e6 / events.len() as f64,
        configure.as_secs_f64() * 1e3,
    );
}

/// Time this thread has spent on a CPU, in ns (Linux), which other
/// processes on a busy machine do not inflate.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// Where the time goes: question detection on every text the plugin
/// reads, matching on the questions, per demo event.
#[test]
#[ignore]
fn perf_breakdown() {
    let faq = Faq::configure(&demo_config()).expect("config");
    let engine = faq.engine();
    let demo = common::demo_events();
    let texts: Vec<&str> = demo
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Message | EventKind::Mention | EventKind::DirectMessage
            ) && !e.author.is_staff
        })
        .map(|e| e.text.trim())
        .filter(|t| !t.is_empty())
        .collect();
    let questions: Vec<&str> = texts
        .iter()
        .copied()
        .filter(|t| faq::question::is_question(t))
        .collect();
    let rounds: usize = std::env::var("FAQ_PERF_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400);
    let per_event = |d: std::time::Duration| d.as_secs_f64() * 1e6 / (rounds * demo.len()) as f64;
    let mut question = faq::question::QuestionScratch::default();
    let start = Instant::now();
    let mut n = 0;
    for _ in 0..rounds {
        for t in &texts {
            n += usize::from(faq::question::is_question_with(
                std::hint::black_box(t),
                &mut question,
            ));
        }
    }
    let detection = start.elapsed();
    let mut scratch = faq::index::Scratch::new();
    let start = Instant::now();
    for _ in 0..rounds {
        for t in &questions {
            let d = engine.decide_with(std::hint::black_box(t), &mut scratch);
            n += usize::from(d.answer.is_some());
        }
    }
    let matching = start.elapsed();
    println!(
        "faq breakdown per demo event ({} events, {} read, {} questions; {n}): question detection {:.2} µs, matching {:.2} µs ({:.2} µs per question)",
        demo.len(),
        texts.len(),
        questions.len(),
        per_event(detection),
        per_event(matching),
        matching.as_secs_f64() * 1e6 / (rounds * questions.len()) as f64,
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
