//! Shadow mode: a plugin entry with `mode = "shadow"` sees the live events;
//! its actions are recorded, never executed nor seen by the chain, and
//! `vigie shadow-report` compares them with the live plugin it replaces.

use std::process::Command;

fn line(id: &str, text: &str) -> String {
    serde_json::json!({
        "id": id, "kind": "message", "platform": "test", "community": "acme",
        "channel": "general", "author": {"id": "u1", "name": "Ana"},
        "text": text, "timestamp": "2026-11-23T10:00:00Z"
    })
    .to_string()
}

#[test]
fn a_shadow_plugin_executes_nothing_and_its_report_shows_the_difference() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("events.jsonl"),
        [
            line("e1", "this is spam"),
            line("e2", "quelle arnaque"),
            line("e3", "hello"),
        ]
        .join("\n"),
    )
    .unwrap();
    let config = dir.path().join("vigie.toml");
    std::fs::write(
        &config,
        r#"data_dir = "data"
[plugins.filter]
component = "builtin:keyword-filter"
grants = ["delete", "dm"]
config = { keywords = ["spam"] }

[plugins.filter-next]
component = "builtin:keyword-filter"
grants = ["delete", "dm"]
config = { keywords = ["spam", "arnaque"] }
mode = "shadow"
replaces = "filter"

[[communities]]
id = "acme"
chain = ["filter-next", "filter"]

[[sources]]
type = "jsonl"
path = "events.jsonl"
"#,
    )
    .unwrap();
    let vigie = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
            .args(args)
            .arg("--config")
            .arg(&config)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // The run's summary counts what the shadow plugin would have done.
    let fresh = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["run", "--no-watch", "--fresh", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let summary = String::from_utf8_lossy(&fresh.stderr);
    assert!(
        summary.contains(
            "shadow actions (recorded, not executed; `vigie shadow-report`): filter-next 4"
        ),
        "{summary}"
    );
    let run = vigie(&["run", "--json", "--no-watch"]);
    let actions: Vec<serde_json::Value> = run
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Only the live plugin acted, on e1 only; the shadow plugin's deletion
    // of e2 was not executed, and did not hide e1's from the live one.
    assert_eq!(actions.len(), 2, "{run}");
    assert!(actions.iter().all(|a| a["plugin"] == "filter"));
    assert!(actions.iter().all(|a| a["event_id"] == "e1"));

    let report = vigie(&["shadow-report"]);
    assert!(
        report.contains("shadow plugin `filter-next`: 3 event(s) seen"),
        "{report}"
    );
    assert!(
        report.contains("3 event(s): 2 same, 1 different — 2 added, 0 removed, 0 changed"),
        "{report}"
    );
    assert!(report.contains("event e2"), "{report}");
    let json = vigie(&["shadow-report", "--json"]);
    let summary: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(summary["would_do"]["delete"], 2);
    assert_eq!(summary["compared"]["events_different"], 1);
}
