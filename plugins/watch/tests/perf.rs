//! Cost of matching, natively:
//! `cargo test --release -p watch --test perf -- --ignored --nocapture`.
//! Twenty topics with phrases, NOT and NEAR against feed items of about
//! 600 characters; then a digest over a day of 2 000 mentions. The host
//! gives a call 100 ms (`cpu_ms`); a component is a few times slower.

use std::time::Instant;
use vigie_sdk::{test_event_of, EventKind, Plugin, TestHost};
use watch::Watch;

#[test]
#[ignore]
fn cost_of_matching_twenty_topics_and_of_a_digest() {
    let topics: Vec<String> = (0..20)
        .map(|i| {
            format!(
                r#"{{"id": "t{i}", "query": "(brand{i} OR \"brand {i} cafe\") NOT \"brand{i} corp\" OR (livraison NEAR/3 brand{i})"}}"#
            )
        })
        .collect();
    let config = format!(
        r#"{{"lang": "en", "timezone": "Europe/Paris", "staff_channel": "staff", "digest_at": "09:00", "topics": [{}]}}"#,
        topics.join(",")
    );
    let mut plugin = Watch::configure(&config).unwrap();
    let mut host = TestHost::new();
    let filler = "Le café était bon mais la livraison a pris trois jours, j'attendais mieux \
                  du service client qui ne répond jamais au téléphone ni par mail. ";
    let n = 2000;
    let day = 1_795_215_600_000i64; // 2026-11-21 00:00 Paris
    let t = Instant::now();
    let mut matched = 0;
    for k in 0..n {
        let text = format!("{}brand{} {filler}", filler.repeat(3), k % 25);
        let mut e = test_event_of(EventKind::Mention, &format!("e{k}"), "a", &text);
        e.timestamp_ms = day + (k as i64) * 40_000;
        matched += plugin.handle(&mut host, &e).unwrap().len();
    }
    let per = t.elapsed() / n;
    println!(
        "handle, 20 topics, {} chars: {per:?} per event ({matched} actions)",
        filler.len() * 4
    );
    assert!(matched >= n as usize * 20 / 25);
    let t = Instant::now();
    let a = plugin
        .tick(&mut host, day + 24 * 3_600_000 + 9 * 3_600_000)
        .unwrap();
    println!("digest over {n} mentions: {:?}", t.elapsed());
    assert_eq!(a.len(), 1);
}
