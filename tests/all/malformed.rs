//! Bad input of every kind gets a clear error and loses nothing: malformed
//! event lines, broken configs, files that are not plugins.

use crate::env::{message, plugin, TestEnv};
use std::sync::Arc;
use vigie::config::PluginEntry;
use vigie::{Limits, Runtime, Secret, SledStore, Store};

fn probe_env() -> TestEnv {
    TestEnv::new(&format!(
        r#"
[plugins.p]
component = "{}"
grants = ["reply"]
[[communities]]
id = "acme"
chain = ["p"]
"#,
        plugin("probe").display()
    ))
}

#[test]
fn malformed_event_lines_are_reported_with_their_line_and_kept() {
    let env = probe_env();
    let lines = vec![
        message("e1", "acme", "u1", "*:reply first"),
        "{not json".to_string(),
        message("e2", "acme", "u1", "x").replace("\"text\"", "\"txt\""),
        String::new(),
        message("e3", "acme", "u1", "x").replace("2026-11-22T10:00:00Z", "tomorrow"),
        message("e4", "nobody-configured-this", "u1", "*:reply lost?"),
        message("e5", "acme", "u1", "*:reply last"),
    ];
    let out = env.run(&lines);
    assert_eq!(out.summary.events_handled, 2);
    assert_eq!(out.summary.events_rejected, 3);
    assert_eq!(out.summary.events_unrouted, 1);
    assert_eq!(out.replies("e5"), vec!["last"]);
    let host = vigie::Vigie::builder()
        .build_from_config(&env.config())
        .unwrap();
    let rejected = host.store().rejected().unwrap();
    let lines: Vec<u64> = rejected
        .iter()
        .filter(|r| r.line > 0)
        .map(|r| r.line)
        .collect();
    assert_eq!(lines, vec![2, 3, 5]);
    assert!(
        rejected[1].error.contains("unknown field `txt`"),
        "{}",
        rejected[1].error
    );
    assert!(rejected
        .iter()
        .any(|r| r.error.contains("nobody-configured-this") && r.content.contains("lost?")));
}

fn load(bytes: &[u8]) -> String {
    let runtime = Runtime::builder().max_instances(4).build().unwrap();
    match runtime.load(bytes, "bad.wasm") {
        Ok(_) => "loaded".into(),
        Err(e) => format!("{e:#}"),
    }
}

#[test]
fn files_that_are_not_plugins_get_clear_errors() {
    assert!(load(b"hello").contains("not a WebAssembly file"));
    assert!(load(b"\0asm\x01\0\0\0").contains("core WebAssembly module, not a component"));
    let probe = std::fs::read(plugin("probe")).unwrap();
    assert!(load(&probe[..probe.len() / 2]).contains("not a valid WebAssembly component"));
    // An empty component is valid WebAssembly but not a Vigie plugin.
    assert!(load(b"\0asm\x0d\0\x01\0").contains("does not export the Vigie contract"));
    assert_eq!(load(&probe), "loaded");
}

#[test]
fn a_plugin_that_refuses_its_config_is_not_loaded() {
    let runtime = Runtime::builder().max_instances(4).build().unwrap();
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary().unwrap());
    let entry = PluginEntry {
        name: "kf".into(),
        component: plugin("keyword-filter").display().to_string(),
        grants: Default::default(),
        config_json: r#"{"keywords": "not a list"}"#.into(),
        limits: Limits::default(),
        shadow: false,
        replaces: None,
        overridden: false,
        review: Default::default(),
    };
    let err = vigie::pipeline::load_entry(&runtime, entry, store, Arc::new(Secret::random()))
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert!(
        err.contains("refused its config") && err.contains("keyword-filter config"),
        "{err}"
    );
}

#[test]
fn config_errors_name_the_file_and_line() {
    let bad =
        "data_dir = \"d\"\n[plugins.p]\ncomponent = \"x.wasm\"\ngrants = [\"reply\"]\nmood = 3\n";
    let err = vigie::Config::parse(bad, "my.toml", std::path::Path::new("."))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("my.toml") && err.contains("line 5") && err.contains("mood"),
        "{err}"
    );
}
