//! Time on a live platform (a real Synapse): what plugins do on the wall
//! clock in a room where nobody speaks — a contest that ends on time, a
//! scheduled post in its minute (once, even across a restart), a poll that
//! closes at its deadline.

use crate::process::VigieProcess;
use crate::synapse::{password, wait_for, MatrixUser, Synapse};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A config whose community `acme` runs `plugins` (TOML of the
/// `[plugins.*]` tables) as `chain`, on one Matrix room, ticking every
/// second.
fn config(dir: &Path, synapse: &Synapse, room: &str, plugins: &str, chain: &str) -> PathBuf {
    let path = dir.join("vigie.toml");
    std::fs::write(
        &path,
        format!(
            r#"data_dir = "data"
[runtime]
tick_every_s = 1
{plugins}
[[communities]]
id = "acme"
chain = {chain}
[[connectors]]
type = "matrix"
community = "acme"
homeserver = "{url}"
user = "@vigie:localhost"
password = "env:VIGIE_TEST_SECRET"
rooms = ["{room}"]
sync_timeout_s = 2
"#,
            url = synapse.url,
        ),
    )
    .expect("write config");
    path
}

/// The bodies of the bot's messages in `room`, oldest first.
fn bot_messages(user: &MatrixUser, room: &str) -> Vec<(String, Value)> {
    user.timeline(room)
        .into_iter()
        .filter(|e| e["sender"] == "@vigie:localhost" && e["type"] == "m.room.message")
        .filter_map(|e| Some((e["content"]["body"].as_str()?.to_string(), e)))
        .collect()
}

#[test]
fn a_contest_started_and_then_silence_ends_on_time_with_no_further_message() {
    let synapse = Synapse::start();
    let modo = synapse.register("modo");
    let bob = synapse.register("bob");
    synapse.register("vigie");
    let room = modo.create_room(&["@vigie:localhost"]);
    bob.join(&room);
    let dir = tempfile::tempdir().unwrap();
    let path = config(
        dir.path(),
        &synapse,
        &room,
        r#"[plugins.giveaway]
component = "builtin:giveaway"
grants = ["post", "reply", "react"]
config = { min_account_age_days = 0 }"#,
        r#"["giveaway"]"#,
    );
    let mut vigie = VigieProcess::start(&path, &password("vigie"));
    vigie.wait_listening();
    modo.send(&room, "!giveaway start \"Mug\" 1min 1");
    wait_for("the announcement", Duration::from_secs(60), || {
        bot_messages(&modo, &room)
            .iter()
            .any(|(b, _)| b.contains("Mug"))
            .then_some(())
    });
    bob.send(&room, "!enter");
    let last_message = Instant::now();
    // Nobody says anything more: the wall clock ends the contest.
    let result = wait_for("the draw at the deadline", Duration::from_secs(120), || {
        bot_messages(&modo, &room)
            .into_iter()
            .map(|(b, _)| b)
            .find(|b| b.contains("bob"))
            .filter(|b| b.contains("Mug"))
    });
    let waited = last_message.elapsed();
    let log = vigie.stop();
    assert!(
        waited < Duration::from_secs(75),
        "the contest ended {waited:?} after the last message\n{log}"
    );
    assert!(
        !modo
            .timeline(&room)
            .iter()
            .filter(|e| e["type"] == "m.room.message" && e["sender"] != "@vigie:localhost")
            .any(|e| e["content"]["body"] != "!giveaway start \"Mug\" 1min 1"
                && e["content"]["body"] != "!enter"),
        "no other message was sent"
    );
    assert!(result.contains("Mug"), "{result}");
}
