//! Plugins compiled into the `vigie` binary (by `build.rs`), named
//! `builtin:NAME` in configs, and the embedded demo.

use anyhow::{anyhow, Context, Result};
use std::path::Path;

/// The directory where `build.rs` put the compiled plugin components.
pub const PLUGIN_DIR: &str = env!("VIGIE_PLUGIN_DIR");

/// `(name, component bytes)` of every built-in plugin.
pub const BUILTINS: &[(&str, &[u8])] = &[
    (
        "keyword-filter",
        include_bytes!(concat!(env!("VIGIE_PLUGIN_DIR"), "/keyword_filter.wasm")),
    ),
    (
        "automod",
        include_bytes!(concat!(env!("VIGIE_PLUGIN_DIR"), "/automod.wasm")),
    ),
    (
        "sentiment",
        include_bytes!(concat!(env!("VIGIE_PLUGIN_DIR"), "/sentiment.wasm")),
    ),
    (
        "faq",
        include_bytes!(concat!(env!("VIGIE_PLUGIN_DIR"), "/faq.wasm")),
    ),
    (
        "giveaway",
        include_bytes!(concat!(env!("VIGIE_PLUGIN_DIR"), "/giveaway.wasm")),
    ),
    (
        "poll",
        include_bytes!(concat!(env!("VIGIE_PLUGIN_DIR"), "/poll.wasm")),
    ),
    (
        "schedule",
        include_bytes!(concat!(env!("VIGIE_PLUGIN_DIR"), "/schedule.wasm")),
    ),
    (
        "watch",
        include_bytes!(concat!(env!("VIGIE_PLUGIN_DIR"), "/watch.wasm")),
    ),
];

/// The demo's config and events (`examples/demo/`), for `vigie run` without
/// a config file.
pub const DEMO_CONFIG: &str = include_str!("../../examples/demo/vigie.toml");
pub const DEMO_EVENTS: &str = include_str!("../../examples/demo/events.jsonl");

/// Every file of the demo directory, to recreate it anywhere.
pub const DEMO_FILES: &[(&str, &str)] = &[
    ("vigie.toml", DEMO_CONFIG),
    ("events.jsonl", DEMO_EVENTS),
    ("faq.toml", include_str!("../../examples/demo/faq.toml")),
    (
        "sentiment.toml",
        include_str!("../../examples/demo/sentiment.toml"),
    ),
    (
        "feed-forum.xml",
        include_str!("../../examples/demo/feed-forum.xml"),
    ),
    (
        "feed-blog.atom",
        include_str!("../../examples/demo/feed-blog.atom"),
    ),
    (
        "feed-news.json",
        include_str!("../../examples/demo/feed-news.json"),
    ),
];

/// The bytes of a component named in a config: `builtin:NAME` or a path.
pub fn component_bytes(component: &str) -> Result<Vec<u8>> {
    if let Some(name) = component.strip_prefix("builtin:") {
        return BUILTINS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, bytes)| bytes.to_vec())
            .ok_or_else(|| {
                anyhow!(
                    "unknown built-in plugin `{name}` (built-ins: {})",
                    BUILTINS
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
    }
    std::fs::read(Path::new(component))
        .with_context(|| format!("cannot read plugin file {component}"))
}
