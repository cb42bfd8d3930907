//! Shared by the integration tests: the Acme config, as the host would
//! hand it to the plugin (its TOML table converted to JSON), and (from
//! `vigie-testkit`) the demo events.

#![allow(dead_code, unused_imports)]

use std::path::PathBuf;

use faq::Faq;
use vigie_sdk::Plugin;
pub use vigie_testkit::{demo_events, rfc3339_ms};

/// A path inside the crate.
pub fn crate_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// `acme.toml` as JSON.
pub fn acme_json() -> String {
    let text = std::fs::read_to_string(crate_path("acme.toml")).expect("read acme.toml");
    let value: toml::Value = toml::from_str(&text).expect("acme.toml is TOML");
    serde_json::to_string(&value).expect("as JSON")
}

/// The plugin configured with `acme.toml`.
pub fn acme() -> Faq {
    Faq::configure(&acme_json()).expect("acme.toml is a valid faq config")
}
