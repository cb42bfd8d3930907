//! Chain semantics with real components: order, labels flowing down, stop,
//! earlier actions, capability drops, planner merging, key-value isolation,
//! batching equivalence, deterministic time and randomness.

use crate::env::{message, plugin, TestEnv};

fn two_probes(grants_b: &str) -> TestEnv {
    TestEnv::new(&format!(
        r#"
[plugins.a]
component = "{probe}"
grants = ["label", "reply", "stop", "delete", "react", "ban"]
config = {{ name = "a" }}
[plugins.b]
component = "{probe}"
grants = {grants_b}
config = {{ name = "b" }}
[[communities]]
id = "acme"
chain = ["a", "b"]
[[communities]]
id = "other"
chain = ["a", "b"]
"#,
        probe = plugin("probe").display()
    ))
}

const ALL_B: &str = r#"["label", "reply", "stop", "delete", "react", "ban", "timeout"]"#;

#[test]
fn labels_flow_down_the_chain_and_not_up() {
    let env = two_probes(ALL_B);
    let out = env.run(&[message(
        "e1",
        "acme",
        "u1",
        "a:seelabel mood; a:label mood -0.5; b:seelabel mood",
    )]);
    // a does not see its own label (it is attached after its call); b does.
    assert_eq!(
        out.replies("e1"),
        vec!["label mood=none", "label mood=-0.5"]
    );
    assert_eq!(out.kinds_for("e1"), vec!["a:reply", "a:label", "b:reply"]);
}

#[test]
fn stop_ends_the_chain_for_that_event_only() {
    let env = two_probes(ALL_B);
    let out = env.run(&[
        message("e1", "acme", "u1", "a:stop; *:reply hello"),
        message("e2", "acme", "u1", "*:reply hello"),
    ]);
    assert_eq!(out.kinds_for("e1"), vec!["a:stop", "a:reply"]);
    // e2: both answer the same text to the same message: deduplicated.
    assert_eq!(out.kinds_for("e2"), vec!["a:reply"]);
}

#[test]
fn later_plugins_see_earlier_actions() {
    let env = two_probes(ALL_B);
    let out = env.run(&[message("e1", "acme", "u1", "a:react 👍; b:earlier")]);
    assert_eq!(out.replies("e1"), vec!["earlier=react"]);
}

#[test]
fn ungranted_actions_are_dropped_and_counted() {
    let env = two_probes(r#"["label"]"#);
    let out = env.run(&[message(
        "e1",
        "acme",
        "u1",
        "b:ban; b:label x 1; a:reply ok",
    )]);
    assert_eq!(out.kinds_for("e1"), vec!["a:reply", "b:label"]);
    assert_eq!(out.summary.actions_not_granted.get("b"), Some(&1));
}

#[test]
fn a_delete_supersedes_replies_and_reactions_to_the_message() {
    let env = two_probes(ALL_B);
    let out = env.run(&[message(
        "e1",
        "acme",
        "u1",
        "a:reply thanks; a:react 🎉; b:delete",
    )]);
    assert_eq!(out.kinds_for("e1"), vec!["b:delete"]);
}

#[test]
fn key_value_state_is_isolated_by_plugin_and_community_and_persists() {
    let env = two_probes(ALL_B);
    let out = env.run(&[
        message("e1", "acme", "u1", "a:count n; b:count n; b:count n"),
        message("e2", "acme", "u1", "*:count n"),
        message("e3", "other", "u1", "a:count n"),
    ]);
    assert_eq!(out.replies("e2"), vec!["count=2", "count=3"]);
    assert_eq!(out.replies("e3"), vec!["count=1"]);
    // A new host on the same data directory continues from the stored state.
    let again = env.run(&[message("e4", "acme", "u1", "a:count n")]);
    assert_eq!(again.replies("e4"), vec!["count=3"]);
}

/// A plugin keeps a copy of what it read and wrote (the SDK's read cache);
/// after an event that wrote and then failed, what it reads must still be
/// what the host stored, whether events come one by one or in a batch.
#[test]
fn a_failed_event_leaves_no_stale_state_in_the_plugin() {
    for batch in [1, 64] {
        let env = two_probes(ALL_B);
        let out = env
            .run_with(
                &[
                    message("e1", "acme", "u1", "a:set k first"),
                    message("e2", "acme", "u1", "a:set k second; a:label x not-a-number"),
                    message("e3", "acme", "u1", "a:get k"),
                ],
                |b| b.batch_size(batch),
            )
            .unwrap();
        assert!(out.for_event("e2").is_empty(), "batch {batch}: e2 failed");
        let seen = out.replies("e3");
        // A fresh instance reads the stored value: it must be what e3 saw.
        let again = env.run(&[message("e4", "acme", "u1", "a:get k")]);
        assert_eq!(again.replies("e4"), seen, "batch {batch}");
        if batch == 1 {
            // One event per call: a failed call's writes are dropped.
            assert_eq!(seen, vec!["k=first"]);
        }
    }
}

#[test]
fn handled_events_are_never_handled_twice() {
    let env = two_probes(ALL_B);
    let lines = [message("e1", "acme", "u1", "a:reply hi")];
    let first = env.run(&lines);
    assert_eq!(first.summary.events_handled, 1);
    let second = env.run(&lines);
    assert_eq!(second.summary.events_handled, 0);
    assert_eq!(second.summary.events_already_handled, 1);
    assert!(second.actions.is_empty());
}

/// A worker commits several batches at once (group commit): a copy of an
/// event in a later batch of the same commit must be caught although the
/// store does not know the first copy yet.
#[test]
fn a_duplicate_in_a_later_batch_of_the_same_commit_is_skipped() {
    let env = two_probes(ALL_B);
    let once: Vec<String> = (0..6)
        .map(|i| message(&format!("e{i}"), "acme", "u1", "a:count c"))
        .collect();
    let twice: Vec<String> = once.iter().chain(&once).cloned().collect();
    let outcome = env
        .run_with(&twice, |b| b.batch_size(2))
        .expect("run succeeds");
    assert_eq!(outcome.summary.events_handled, 6);
    assert_eq!(outcome.summary.events_already_handled, 6);
    let counts: Vec<String> = (0..6)
        .flat_map(|i| outcome.replies(&format!("e{i}")))
        .collect();
    let expected: Vec<String> = (1..=6).map(|n| format!("count={n}")).collect();
    assert_eq!(counts, expected);
}

#[test]
fn batched_and_single_calls_decide_the_same() {
    let lines: Vec<String> = (0..300)
        .map(|i| {
            let text = match i % 5 {
                0 => "a:count c; b:rand".to_string(),
                1 => "a:label s 0.25; b:seelabel s".to_string(),
                2 => "a:stop; b:reply never".to_string(),
                3 => "b:now; a:count c".to_string(),
                _ => "*:reply same".to_string(),
            };
            message(
                &format!("e{i}"),
                if i % 3 == 0 { "other" } else { "acme" },
                "u1",
                &text,
            )
        })
        .collect();
    let fixed = |b: vigie::VigieBuilder| b.secret(vigie::Secret::from_bytes([9; 32]));
    let single = two_probes(ALL_B)
        .run_with(&lines, |b| fixed(b).batch_size(1))
        .unwrap();
    let batched = two_probes(ALL_B)
        .run_with(&lines, |b| fixed(b).batch_size(64))
        .unwrap();
    let key = |o: &crate::env::Outcome| {
        let mut v: Vec<String> = o
            .actions
            .iter()
            .map(|a| serde_json::to_string(a).unwrap())
            .collect();
        v.sort();
        v
    };
    assert!(batched.summary.plugin_calls < single.summary.plugin_calls);
    assert_eq!(key(&single), key(&batched));
}

#[test]
fn now_is_the_event_time_and_randomness_is_seeded_per_event() {
    let lines = [
        message("e1", "acme", "u1", "a:now; a:rand"),
        message("e2", "acme", "u1", "a:rand"),
    ];
    let secret = |k: u8| move |b: vigie::VigieBuilder| b.secret(vigie::Secret::from_bytes([k; 32]));
    let one = two_probes(ALL_B).run_with(&lines, secret(1)).unwrap();
    let same = two_probes(ALL_B).run_with(&lines, secret(1)).unwrap();
    let other_key = two_probes(ALL_B).run_with(&lines, secret(2)).unwrap();
    let r1 = one.replies("e1");
    assert_eq!(r1[0], "now=1795341600000");
    assert_eq!(r1, same.replies("e1"), "same key, same event: same draw");
    assert_ne!(
        r1[1],
        one.replies("e2")[0],
        "another event draws differently"
    );
    assert_ne!(
        r1[1],
        other_key.replies("e1")[1],
        "another key draws differently"
    );
}

/// After a quiet gap, the next event runs one tick at the last boundary it
/// crossed (the time it is), not at the oldest missed one and not one per
/// missed boundary: a deadline that fell in the gap is seen as passed.
#[test]
fn after_a_quiet_gap_one_tick_runs_at_the_last_boundary_crossed() {
    let env = two_probes(r#"["reply", "post"]"#);
    let at = |id: &str, text: &str, time: &str| {
        let mut event: serde_json::Value =
            serde_json::from_str(&message(id, "acme", "u1", text)).unwrap();
        event["timestamp"] = time.into();
        event.to_string()
    };
    let out = env.run(&[
        at("e1", "b:post-on-tick general", "2026-11-22T10:00:30Z"),
        // Nine quiet minutes: boundaries 10:01 … 10:09 were missed.
        at("e2", "b:reply later", "2026-11-22T10:09:26Z"),
    ]);
    let ticks: Vec<String> = out
        .actions
        .iter()
        .filter_map(|a| match &a.action {
            vigie::Action::Post { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    let ten_past_nine = time::OffsetDateTime::parse(
        "2026-11-22T10:09:00Z",
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
    .unix_timestamp()
        * 1000;
    assert_eq!(ticks, [format!("tick at {ten_past_nine}")]);
}
