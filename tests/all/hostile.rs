//! Hostile plugins, compiled to real components, are contained: the
//! offending event loses only that plugin's result, the instance is
//! replaced, and a well-behaved plugin in the same chain keeps working.

use crate::env::{message, plugin, TestEnv};

fn chain_with(hostile: &str, limits: &str, grants: &str) -> TestEnv {
    TestEnv::new(&format!(
        r#"
[plugins.hostile]
component = "{hostile}"
grants = {grants}
limits = {{ {limits} }}
[plugins.good]
component = "{probe}"
grants = ["reply", "label"]
config = {{ name = "good" }}
[[communities]]
id = "acme"
chain = ["hostile", "good"]
"#,
        hostile = plugin(hostile).display(),
        probe = plugin("probe").display()
    ))
}

/// Runs hello / boom / hello through `hostile` then the probe, and checks
/// containment; returns the outcome for more checks.
fn contained(hostile: &str, limits: &str, cause: &str) -> crate::env::Outcome {
    let env = chain_with(hostile, limits, r#"["label", "reply", "ban"]"#);
    let out = env.run(&[
        message("e1", "acme", "u1", "hello; good:reply one"),
        message("e2", "acme", "u1", "boom; good:reply two"),
        message("e3", "acme", "u1", "hello; good:reply three"),
    ]);
    assert_eq!(
        out.kinds_for("e1"),
        vec!["hostile:label", "good:reply"],
        "{hostile}"
    );
    assert_eq!(
        out.kinds_for("e2"),
        vec!["good:reply"],
        "{hostile}: only the good plugin acts"
    );
    assert_eq!(out.replies("e2"), vec!["two"]);
    assert_eq!(
        out.kinds_for("e3"),
        vec!["hostile:label", "good:reply"],
        "{hostile}: a fresh instance serves the next event"
    );
    let errors = out
        .summary
        .plugin_errors
        .get("hostile")
        .cloned()
        .unwrap_or_default();
    assert_eq!(errors.get(cause), Some(&1), "{hostile}: errors {errors:?}");
    assert_eq!(out.summary.total_plugin_errors(), 1, "{hostile}");
    out
}

#[test]
fn infinite_loop_is_interrupted_by_the_cpu_deadline() {
    contained("infinite-loop", "cpu_ms = 50", "timeout");
}

#[test]
fn memory_bomb_hits_the_memory_cap() {
    contained("memory-bomb", "memory_mib = 16, cpu_ms = 5000", "memory");
}

#[test]
fn deep_recursion_overflows_the_wasm_stack() {
    contained("deep-recursion", "cpu_ms = 2000", "trap");
}

#[test]
fn a_panic_is_a_trap() {
    contained("panicker", "cpu_ms = 5000", "trap");
}

#[test]
fn a_flood_of_actions_is_refused() {
    contained("action-flood", "max_actions = 64, cpu_ms = 5000", "limit");
}

#[test]
fn megabytes_of_output_are_refused() {
    contained(
        "huge-output",
        "max_output_bytes = 65536, cpu_ms = 5000",
        "limit",
    );
}

#[test]
fn a_key_value_flood_is_stopped_and_rolled_back() {
    let env = chain_with(
        "kv-flood",
        "kv_max_writes_per_event = 500, cpu_ms = 5000",
        r#"["label"]"#,
    );
    let out = env.run(&[message("e1", "acme", "u1", "boom")]);
    assert_eq!(out.summary.plugin_errors["hostile"].get("limit"), Some(&1));
    let host = vigie::Vigie::builder()
        .build_from_config(&env.config())
        .unwrap();
    let scope = vigie::store::KvScope::new("acme", "hostile");
    assert_eq!(
        host.store().kv_count(&scope).unwrap(),
        0,
        "the failed event's writes are not kept"
    );
}

#[test]
fn the_key_quota_holds_across_events() {
    let env = chain_with(
        "kv-flood",
        "kv_max_keys = 100, kv_max_writes_per_event = 100000, cpu_ms = 5000",
        r#"["label"]"#,
    );
    let out = env.run(&[message("e1", "acme", "u1", "boom")]);
    assert_eq!(out.summary.plugin_errors["hostile"].get("limit"), Some(&1));
}

#[test]
fn an_ungranted_action_is_dropped_not_executed() {
    let env = chain_with("ungranted", "", r#"["label"]"#);
    let out = env.run(&[
        message("e1", "acme", "u1", "boom; good:reply still here"),
        message("e2", "acme", "u1", "hello"),
    ]);
    assert_eq!(out.kinds_for("e1"), vec!["good:reply"]);
    assert_eq!(out.kinds_for("e2"), vec!["hostile:label"]);
    assert_eq!(out.summary.actions_not_granted.get("hostile"), Some(&1));
    assert!(out
        .actions
        .iter()
        .all(|a| a.action.kind() != vigie::ActionKind::Ban));
}

#[test]
fn repeated_failures_quarantine_the_plugin_but_not_the_chain() {
    let env = chain_with("panicker", "quarantine_after = 3", r#"["label"]"#);
    let mut lines: Vec<String> = (0..4)
        .map(|i| message(&format!("b{i}"), "acme", "u1", "boom; good:reply ok"))
        .collect();
    lines.push(message("after", "acme", "u1", "hello; good:reply still ok"));
    let out = env.run(&lines);
    assert_eq!(out.summary.plugin_errors["hostile"].get("trap"), Some(&3));
    assert_eq!(
        out.summary.quarantined.len(),
        1,
        "{:?}",
        out.summary.quarantined
    );
    assert_eq!(
        out.kinds_for("after"),
        vec!["good:reply"],
        "quarantined plugin is skipped"
    );
    assert_eq!(
        out.actions.iter().filter(|a| a.by.plugin == "good").count(),
        5
    );
}

/// A big batch gets the CPU time of 64 events at most, however large
/// `batch_size` is, so a plugin stuck on one event of a big batch holds the
/// community's worker for 64 × `cpu_ms`, not for the whole batch's worth.
#[test]
fn a_big_batch_gets_the_cpu_time_of_64_events_at_most() {
    use std::sync::Arc;
    use std::time::{Duration, Instant};
    const EVENTS: usize = 300;
    const CPU_MS: u64 = 20;
    let env = chain_with(
        "infinite-loop",
        &format!("cpu_ms = {CPU_MS}"),
        r#"["label", "reply"]"#,
    );
    let config = env.config();
    let store: Arc<dyn vigie::Store> = Arc::new(vigie::SledStore::temporary().unwrap());
    let secret = Arc::new(vigie::Secret::random());
    let runtime = vigie::Runtime::builder().max_instances(8).build().unwrap();
    let defs: Vec<_> = config
        .chain_for("acme")
        .unwrap()
        .iter()
        .map(|name| {
            let entry = config.plugin_entry(name).unwrap();
            let def = vigie::pipeline::load_entry(&runtime, entry, store.clone(), secret.clone());
            Arc::new(def.unwrap())
        })
        .collect();
    let mut chain = vigie::chain::Chain::new("acme", defs, store, secret);
    let events: Vec<vigie::Event> = (0..EVENTS)
        .map(|i| {
            let text = if i == EVENTS - 1 { "boom" } else { "hello" };
            vigie::Event::from_json_line(&message(&format!("e{i}"), "acme", "u1", text)).unwrap()
        })
        .collect();
    let stats = vigie::stats::Stats::default();
    let started = Instant::now();
    let decided = chain.handle(&events, &stats).unwrap();
    let took = started.elapsed();
    // The batch is interrupted after 64 × 20 ms = 1.28 s and handed over
    // one event at a time; without the bound it would run 300 × 20 ms = 6 s
    // before the interrupt.
    let uncapped = Duration::from_millis(EVENTS as u64 * CPU_MS);
    assert!(
        took < uncapped * 2 / 3,
        "the batch took {took:?}: its deadline grew with its size"
    );
    // Every event but the culprit keeps the hostile plugin's label.
    let labelled = decided
        .iter()
        .filter(|d| d.iter().any(|a| a.by.plugin == "hostile"))
        .count();
    assert_eq!(labelled, EVENTS - 1);
    let errors = stats.snapshot().plugin_errors;
    assert_eq!(
        errors.get("hostile").and_then(|e| e.get("timeout")),
        Some(&1),
        "{errors:?}"
    );
}
