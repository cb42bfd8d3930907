//! Golden scores and alerts: every score of the demo and of the quality
//! fixtures (with the language forced and guessed), and every alert of the
//! demo and of replays of it, compared with `tests/fixtures/golden.txt`.
//! The file was written before the scorer and the bad-buzz detector were
//! optimised; an optimisation must leave it unchanged.
//!
//! After an intended change of the scores or alerts, rewrite it with
//! `SENTIMENT_BLESS=1 cargo test -p sentiment --test golden` and review the
//! diff.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write;

use common::{acme_config, demo_events, replay, Clock, TURNS};
use sentiment::scorer::{Lang, Scorer};
use sentiment::Sentiment;
use vigie_sdk::{Action, Event, Plugin, TestHost};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/golden.txt");

fn lang(l: Lang) -> &'static str {
    match l {
        Lang::Fr => "fr",
        Lang::En => "en",
    }
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `{:?}` of an f64 is the shortest text that reads back to the same bits.
fn scores(out: &mut String, name: &str, scorer: &Scorer, text: &str, forced: Lang) {
    let auto = scorer.score(text);
    writeln!(
        out,
        "{name}\t{:?}\t{:?}\t{}",
        scorer.score_as(text, forced),
        auto.compound,
        lang(auto.lang)
    )
    .unwrap();
}

/// Runs `events` through the plugin (one host per community, the clock at
/// the event's time) and writes each label's value and each alert.
fn run(out: &mut String, name: &str, events: &[Event], labels: bool) {
    let mut plugin = Sentiment::configure(&acme_config()).unwrap();
    let mut hosts: BTreeMap<String, TestHost> = BTreeMap::new();
    for e in events {
        let host = hosts.entry(e.community.clone()).or_default();
        host.now_ms = e.timestamp_ms;
        for a in plugin.handle(host, e).unwrap() {
            match a {
                Action::Label(l) if labels => writeln!(
                    out,
                    "{name}\tlabel\t{}\t{:?}\t{}\t{}",
                    e.id,
                    l.value,
                    l.note.unwrap_or_default(),
                    l.reason
                )
                .unwrap(),
                Action::Label(_) => {}
                Action::Alert(al) => writeln!(
                    out,
                    "{name}\talert\t{}\t{}\t{:?}\t{}\t{}",
                    e.id, e.community, al.severity, al.reason, al.message
                )
                .unwrap(),
                other => panic!("unexpected action {other:?}"),
            }
        }
    }
}

fn report() -> String {
    let mut out = String::new();
    let scorer = Scorer::default();
    for e in demo_events().iter().filter(|e| !e.text.is_empty()) {
        scores(
            &mut out,
            &format!("demo {}", e.id),
            &scorer,
            &e.text,
            Lang::Fr,
        );
    }
    for file in ["amazon", "imdb", "yelp"] {
        let cases: Vec<serde_json::Value> =
            serde_json::from_str(&fixture(&format!("{file}.json"))).unwrap();
        for (k, case) in cases.iter().enumerate() {
            let text = case["text"].as_str().unwrap_or("");
            scores(&mut out, &format!("{file} {k}"), &scorer, text, Lang::En);
        }
    }
    for (k, line) in fixture("fr_check.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
    {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = case["text"].as_str().unwrap();
        scores(&mut out, &format!("fr {k}"), &scorer, text, Lang::Fr);
    }
    run(&mut out, "demo", &demo_events(), true);
    run(&mut out, "steady", &replay(60, Clock::Steady), false);
    run(&mut out, "bench", &replay(60, Clock::Bench), false);
    run(&mut out, "turns", &replay(30, TURNS), false);
    run(&mut out, "jitter", &replay(60, Clock::Jitter), false);
    out
}

#[test]
fn scores_and_alerts_match_the_golden_file() {
    let got = report();
    if std::env::var_os("SENTIMENT_BLESS").is_some() {
        std::fs::write(GOLDEN, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(GOLDEN).unwrap();
    let (mut got_lines, mut want_lines) = (got.lines(), want.lines());
    loop {
        match (got_lines.next(), want_lines.next()) {
            (None, None) => break,
            (g, w) => assert_eq!(g, w, "differs from tests/fixtures/golden.txt"),
        }
    }
}
