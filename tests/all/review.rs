//! The review queue on a real Synapse: a plugin entry's `review = ["ban"]`
//! holds its bans until a moderator decides; flags land in the queue too.
//! `vigie review` reads and decides through the running host's control
//! socket; an approved ban lands in the room once, the audit log names the
//! moderator, a rejected flag is recorded as overturned, and a held action
//! left waiting alerts the staff room.

use crate::env::plugin;
use crate::process::VigieProcess;
use crate::synapse::{password, wait_for, Synapse};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// `vigie ARGS` in `dir`: (success, stdout, stderr).
fn vigie(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run vigie");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn queue(dir: &Path, all: bool) -> Vec<Value> {
    let mut args = vec!["review", "--json"];
    if all {
        args.push("--all");
    }
    let (ok, out, err) = vigie(dir, &args);
    assert!(ok, "{err}");
    out.lines()
        .map(|l| serde_json::from_str(l).expect("a review item"))
        .collect()
}

#[test]
fn a_held_ban_waits_for_a_moderator_then_lands_once_and_a_rejected_flag_is_overturned() {
    let synapse = Synapse::start();
    let modo = synapse.register("modo");
    let bob = synapse.register("bob");
    let carol = synapse.register("carol");
    synapse.register("vigie");
    let room = modo.create_room(&["@vigie:localhost"]);
    let staff_room = modo.create_room(&["@vigie:localhost"]);
    bob.join(&room);
    carol.join(&room);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("vigie.toml"),
        format!(
            r#"data_dir = "data"
[review]
alert_after_min = 1
[plugins.p]
component = "{probe}"
grants = ["ban", "flag", "reply"]
review = ["ban"]
config = {{ name = "p" }}
[[communities]]
id = "acme"
chain = ["p"]
[[connectors]]
type = "matrix"
community = "acme"
homeserver = "{url}"
user = "@vigie:localhost"
password = "env:VIGIE_TEST_SECRET"
rooms = ["{room}"]
staff_room = "{staff_room}"
sync_timeout_s = 2
"#,
            probe = plugin("probe").display(),
            url = synapse.url,
        ),
    )
    .unwrap();
    let mut host = VigieProcess::start(&dir.path().join("vigie.toml"), &password("vigie"));
    host.wait_listening();
    let d = dir.path();

    bob.send(&room, "p:ban");
    carol.send(&room, "p:flag");
    let items = wait_for("the held ban and the flag", Duration::from_secs(60), || {
        let q = queue(d, false);
        (q.len() == 2).then_some(q)
    });
    let ban = items
        .iter()
        .find(|i| i["held"] == true)
        .expect("a held item");
    let flag = items
        .iter()
        .find(|i| i["held"] == false)
        .expect("a flag item");
    assert_eq!(ban["entry"]["action"]["type"], "ban", "{ban}");
    assert_eq!(ban["entry"]["evidence"], "p:ban", "the message is shown");
    // Held: bob is still in the room.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        modo.membership(&room, "@bob:localhost").as_deref(),
        Some("join")
    );

    // Nobody decides for a minute: the staff room is told.
    let alert = wait_for("the waiting alert", Duration::from_secs(150), || {
        modo.timeline(&staff_room).into_iter().find(|e| {
            e["sender"] == "@vigie:localhost"
                && e["content"]["body"]
                    .as_str()
                    .is_some_and(|b| b.contains("held for review"))
        })
    });
    assert!(
        alert["content"]["body"].as_str().unwrap().contains("ban"),
        "{alert}"
    );

    let ban_key = ban["entry"]["key"].as_str().unwrap();
    let (ok, out, err) = vigie(d, &["review", "approve", &ban_key[..8], "--as", "anna"]);
    assert!(ok, "{err}");
    assert!(out.contains("approved"), "{out}");
    wait_for("the ban to land", Duration::from_secs(60), || {
        (modo.membership(&room, "@bob:localhost").as_deref() == Some("ban")).then_some(())
    });
    // A second decision on the same item is refused: it acts once.
    let (ok, _, err) = vigie(d, &["review", "reject", ban_key, "--as", "zoe"]);
    assert!(!ok && err.contains("already approved by anna"), "{err}");

    let flag_key = flag["entry"]["key"].as_str().unwrap();
    let (ok, _, err) = vigie(
        d,
        &[
            "review", "reject", flag_key, "--as", "anna", "--note", "a joke",
        ],
    );
    assert!(ok, "{err}");

    // The audit log names the moderator, for the executed ban and for
    // both decisions.
    let audit = wait_for("the ban in the audit log", Duration::from_secs(30), || {
        let (ok, out, _) = vigie(d, &["audit", "--json"]);
        let records: Vec<Value> = out
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        (ok && records
            .iter()
            .any(|r| r["connector"] == "matrix" && r["action"]["type"] == "ban"))
        .then_some(records)
    });
    let executed_ban = audit
        .iter()
        .find(|r| r["connector"] == "matrix" && r["action"]["type"] == "ban")
        .unwrap();
    assert_eq!(executed_ban["decided_by"], "anna", "{executed_ban}");
    let decisions: Vec<&Value> = audit
        .iter()
        .filter(|r| r["connector"] == "review")
        .collect();
    assert_eq!(decisions.len(), 2, "{audit:?}");
    assert!(decisions.iter().all(|r| r["decided_by"] == "anna"));
    assert!(
        decisions
            .iter()
            .any(|r| r["platform_reply"] == "flag overturned — a joke"),
        "{decisions:?}"
    );
    let all = queue(d, true);
    let overturned = all.iter().find(|i| i["entry"]["key"] == flag_key).unwrap();
    assert_eq!(
        overturned["decision"]["verdict"], "rejected",
        "{overturned}"
    );
    let log = host.stop();
    // Executed exactly once: one ban in the room's history.
    let bans = modo
        .timeline(&room)
        .iter()
        .filter(|e| e["type"] == "m.room.member" && e["content"]["membership"] == "ban")
        .count();
    assert_eq!(bans, 1, "{log}");
}
