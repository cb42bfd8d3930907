//! The first-party plugins as compiled components in the real host: bare
//! components already work, and the demo chain composes them (labels flow
//! from sentiment, faq keeps quiet on what automod deleted).

use crate::env::{message, plugin, TestEnv};

fn demo_chain_with_probe() -> TestEnv {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/demo");
    TestEnv::new(&format!(
        r#"
[plugins.automod]
component = "builtin:automod"
grants = ["delete", "reply", "post", "timeout", "flag", "label"]
[plugins.sentiment]
component = "builtin:sentiment"
grants = ["label", "alert"]
[plugins.faq]
component = "builtin:faq"
grants = ["reply", "flag"]
config_file = "{demo}/faq.toml"
[plugins.probe]
component = "{probe}"
grants = ["reply"]
[[communities]]
id = "acme"
chain = ["automod", "sentiment", "faq", "probe"]
"#,
        probe = plugin("probe").display()
    ))
}

#[test]
fn the_chain_composes_moderation_mood_and_answers() {
    let env = demo_chain_with_probe();
    let out = env.run(&[
        message(
            "q-fr",
            "acme",
            "u1",
            "Bonjour, ma commande n'est toujours pas arrivée, c'est normal ?",
        ),
        // Another channel: the same answer is not repeated in one channel
        // within the cooldown.
        message(
            "q-en",
            "acme",
            "u2",
            "Hi! Where is my order? It still hasn't arrived",
        )
        .replace("\"general\"", "\"help\""),
        message(
            "rude",
            "acme",
            "u3",
            "Ma commande n'est pas arrivée, bande de c0nnards ?",
        ),
        message(
            "happy",
            "acme",
            "u4",
            "Merci, le café est vraiment excellent ! ; probe:seelabel sentiment",
        ),
    ]);
    // The faq answers both questions, each in its language.
    let fr = out.replies("q-fr");
    let en = out.replies("q-en");
    assert_eq!((fr.len(), en.len()), (1, 1), "{:?}", out.actions);
    assert!(fr[0].contains("commandes"), "{}", fr[0]);
    assert!(en[0].to_lowercase().contains("orders"), "{}", en[0]);
    // The obfuscated insult is deleted and the faq does not answer it.
    let rude = out.kinds_for("rude");
    assert!(rude.contains(&"automod:delete".to_string()), "{rude:?}");
    assert!(!rude.iter().any(|k| k.starts_with("faq:")), "{rude:?}");
    let reason = out.for_event("rude")[0].action.reason().to_string();
    assert!(
        reason.contains("c0nnards"),
        "the reason quotes the original span: {reason}"
    );
    // Sentiment labels every message, and a later plugin sees the label.
    assert_eq!(
        out.actions
            .iter()
            .filter(|a| a.by.plugin == "sentiment")
            .count(),
        4
    );
    let seen = out.replies("happy");
    let score: f64 = seen[0]
        .trim_start_matches("label sentiment=")
        .parse()
        .unwrap();
    assert!(score > 0.5, "{seen:?}");
}

#[test]
fn bare_components_already_work_in_a_dry_run() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    std::fs::write(
        &events,
        [
            message("e1", "acme", "u1", "t'es vraiment un c.o.n.n.a.r.d"),
            message("e2", "acme", "u2", "Super service, merci beaucoup !"),
        ]
        .join("\n"),
    )
    .unwrap();
    let run = |plugin: &str| {
        let mut vigie = std::process::Command::new(env!("CARGO_BIN_EXE_vigie"));
        vigie
            .args(["test", plugin, "--events", events.to_str().unwrap()])
            .env("XDG_CACHE_HOME", dir.path().join("cache"));
        crate::process::json_output(vigie)
    };
    let moderation = run("builtin:automod");
    assert!(
        moderation
            .iter()
            .any(|a| a["type"] == "delete" && a["event_id"] == "e1"),
        "{moderation:?}"
    );
    assert!(
        !moderation.iter().any(|a| a["event_id"] == "e2"),
        "{moderation:?}"
    );
    let mood = run("builtin:sentiment");
    let labels: Vec<_> = mood.iter().filter(|a| a["type"] == "label").collect();
    assert_eq!(labels.len(), 2, "{mood:?}");
    assert!(labels[1]["value"].as_f64().unwrap() > 0.3, "{mood:?}");
}

/// Staff teach the faq component in chat; what they taught is in the
/// store, so a new host (a restart) answers with it.
#[test]
fn staff_teach_the_faq_in_chat_and_a_restarted_host_answers_with_it() {
    let env = demo_chain_with_probe();
    let staff = |id: &str, text: &str, reply_to: &str| {
        let mut v: serde_json::Value =
            serde_json::from_str(&message(id, "acme", "mod1", text)).unwrap();
        v["author"]["is_staff"] = true.into();
        v["reply_to"] = reply_to.into();
        v.to_string()
    };
    let out = env.run(&[
        message("q1", "acme", "u1", "can I pay with luncheon vouchers?"),
        staff("s1", "!faq learn payment_methods", "q1"),
    ]);
    assert!(out.replies("q1").is_empty(), "{:?}", out.actions);
    let confirm = out.replies("s1");
    assert_eq!(confirm.len(), 1, "{:?}", out.actions);
    assert!(confirm[0].contains("Learned"), "{}", confirm[0]);
    let out = env.run(&[
        message("q2", "acme", "u2", "Can I pay with luncheon vouchers pls?")
            .replace("\"general\"", "\"help\""),
    ]);
    let answer = out.for_event("q2");
    assert!(
        answer
            .iter()
            .any(|a| a.by.plugin == "faq" && a.action.reason().contains("payment_methods")),
        "{:?}",
        out.actions
    );
}
