//! Helpers shared by the golden and demo tests: the demo events (from
//! `vigie-testkit`), the config proposed for the demo, and the host's way of
//! ticking a run fed from a file.

#![allow(dead_code, unused_imports)]

use vigie_sdk::Event;
pub use vigie_testkit::{demo_events, fnv1a, Digest, Rng};

/// The schedule config proposed for the demo (`examples/demo/vigie.toml`):
/// a French one-off and a bilingual weekly post during the demo's hour
/// (Sunday 22 November 2026, 10:00–11:05 in Paris).
pub const DEMO_CONFIG: &str = r#"{
  "timezone": "Europe/Paris",
  "posts": [
    {"id": "degustation", "channel": "general",
     "text_fr": "☕ Rappel : la dégustation de Noël commence à 11 h dans toutes nos boutiques. Venez goûter le nouveau blend !",
     "when": "2026-11-22 10:30"},
    {"id": "brunch-dimanche", "channel": "general",
     "text_fr": "🥐 Le menu du brunch du dimanche est en ligne.",
     "text_en": "🥐 This Sunday's brunch menu is online.",
     "when": "2026-11-01 10:45", "repeat": "weekly", "days": ["sun"]}
  ]
}"#;

/// A step: an event, or a tick of a community at a time.
#[allow(clippy::large_enum_variant)] // a test scenario; size does not matter
pub enum Step {
    Event(Event),
    Tick(String, i64),
}

/// The events with the ticks a host fed from a file runs: for each
/// community, when an event's time reaches the next tick boundary, one tick
/// at the last boundary at or before it (never the missed ones), then the
/// event. `until`: one last tick per community at that time.
pub fn as_the_host_ticks(events: Vec<Event>, every_ms: i64, until: Option<i64>) -> Vec<Step> {
    let mut next: std::collections::BTreeMap<String, i64> = Default::default();
    let mut out = Vec::new();
    for e in events {
        let t = e.timestamp_ms;
        let boundary = next
            .entry(e.community.clone())
            .or_insert_with(|| t - t.rem_euclid(every_ms) + every_ms);
        if t >= *boundary {
            out.push(Step::Tick(e.community.clone(), t - t.rem_euclid(every_ms)));
            *boundary = t - t.rem_euclid(every_ms) + every_ms;
        }
        out.push(Step::Event(e));
    }
    if let Some(u) = until {
        for c in next.keys() {
            out.push(Step::Tick(c.clone(), u));
        }
    }
    out
}
