//! Helpers shared by the integration tests: the demo config of
//! `acme.toml`, and (from `vigie-testkit`) the demo events as SDK events and
//! the replays used by the golden and perf tests.

#![allow(dead_code, unused_imports)]

pub use vigie_testkit::{demo_events, event, replay, rfc3339_ms, Clock, Digest};

/// The `config` of `[plugins.sentiment]` in acme.toml, as the host would
/// pass it (JSON).
pub fn acme_config() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/acme.toml");
    let text = std::fs::read_to_string(path).expect("read acme.toml");
    let value: toml::Value = toml::from_str(&text).expect("acme.toml is TOML");
    let config = &value["plugins"]["sentiment"]["config"];
    serde_json::to_string(config).expect("as JSON")
}

/// Turns 70 minutes apart (the demo lasts 66 minutes): a bad buzz in each
/// turn.
pub const TURNS: Clock = Clock::Turns(70 * 60_000);
