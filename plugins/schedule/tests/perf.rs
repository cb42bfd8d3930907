//! Cost of the clock with a full calendar (500 posts), natively:
//! `cargo test --release -p schedule --test perf -- --ignored --nocapture`.
//! The host gives a call 100 ms (`cpu_ms`); a tick that looks at every post
//! must stay far below, even in a component (a few times slower).

use schedule::{Config, Schedule};
use std::time::Instant;
use vigie_sdk::{Plugin, TestHost};

fn full_calendar() -> String {
    let posts: Vec<String> = (0..schedule::config::MAX_POSTS)
        .map(|i| {
            let (h, m) = (i / 60 % 24, i % 60);
            let rule = match i % 4 {
                0 => r#""repeat": "daily""#.to_string(),
                1 => r#""repeat": "weekly", "days": ["mon", "thu"]"#.to_string(),
                2 => r#""repeat": "monthly", "day_of_month": 31"#.to_string(),
                _ => r#""rrule": "FREQ=MONTHLY;BYDAY=-1FR;COUNT=1000""#.to_string(),
            };
            format!(
                r#"{{"id": "p{i}", "channel": "general", "text": "Post {i} with some words in it", "when": "2026-01-01 {h:02}:{m:02}", {rule}}}"#
            )
        })
        .collect();
    format!(r#"{{"posts": [{}]}}"#, posts.join(","))
}

#[test]
#[ignore]
fn cost_of_ticks_with_a_full_calendar() {
    let cfg = full_calendar();
    let t = Instant::now();
    let config = Config::parse(&cfg).unwrap();
    println!("configure (500 posts): {:?}", t.elapsed());
    assert_eq!(config.posts.len(), 500);
    let mut plugin = Schedule::configure(&cfg).unwrap();
    let mut host = TestHost::new();
    let t0 = vigie_testkit::rfc3339_ms("2026-06-01T00:00:00Z");
    // First tick: every post armed.
    let t = Instant::now();
    plugin.tick(&mut host, t0).unwrap();
    println!("first tick (arms 500 posts): {:?}", t.elapsed());
    // A day of ticks every minute.
    let (mut worst, mut total, mut n) = (std::time::Duration::ZERO, std::time::Duration::ZERO, 0);
    for k in 1..=1440 {
        let now = t0 + k * 60_000;
        host.now_ms = now;
        let t = Instant::now();
        plugin.tick(&mut host, now).unwrap();
        let d = t.elapsed();
        worst = worst.max(d);
        total += d;
        n += 1;
    }
    println!("a day of ticks: mean {:?}, worst {:?}", total / n, worst);
    // After a month of downtime: every post has missed occurrences.
    let later = t0 + 31 * 86_400_000;
    host.now_ms = later;
    let t = Instant::now();
    let out = plugin.tick(&mut host, later).unwrap();
    println!(
        "tick after a month of downtime: {:?} ({} actions)",
        t.elapsed(),
        out.len()
    );
    assert!(worst.as_millis() < 50);
}
