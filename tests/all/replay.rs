//! `vigie replay`: recorded events through a plugin again — the same
//! decisions as recorded (time and randomness reproduced), the same output
//! twice, and the differences of another version, added/removed/changed.

use crate::env::plugin;
use std::path::Path;
use std::process::Command;

fn line(id: &str, text: &str, minute: u32) -> String {
    serde_json::json!({
        "id": id, "kind": "message", "platform": "test", "community": "acme",
        "channel": "general", "author": {"id": "u1", "name": "Ana"},
        "text": text, "timestamp": format!("2026-11-23T10:{minute:02}:00Z")
    })
    .to_string()
}

fn vigie(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(args)
        .current_dir(dir)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes a `vigie.toml` whose community `acme` runs one plugin entry
/// `name` on `events.jsonl`, and runs it: the store then holds what it
/// decided, for replays.
fn record_with(dir: &Path, name: &str, component: &Path, grants: &str) {
    std::fs::write(
        dir.join("vigie.toml"),
        format!(
            r#"data_dir = "data"
[plugins.{name}]
component = "{}"
grants = {grants}

[[communities]]
id = "acme"
chain = ["{name}"]

[[sources]]
type = "jsonl"
path = "events.jsonl"
"#,
            component.display()
        ),
    )
    .unwrap();
    vigie(dir, &["run", "--no-watch"]);
}

#[test]
fn replay_reproduces_the_recorded_decisions_and_shows_what_a_new_version_changes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("events.jsonl"),
        [
            line("e1", "*:rand; spam", 1),
            line("e2", "*:rand; arnaque", 2),
            line("e3", "*:now", 3),
            line("e4", "*:rand", 4),
        ]
        .join("\n"),
    )
    .unwrap();
    let probe = plugin("probe");
    record_with(d, "p", &probe, r#"["reply", "delete", "dm"]"#);
    let probe = probe.to_str().unwrap();

    // The same plugin against what it decided live: identical, randomness
    // and time included.
    let same = vigie(
        d,
        &[
            "replay",
            "--plugin",
            probe,
            "--name",
            "p",
            "--against-recorded",
        ],
    );
    assert_eq!(
        same.trim(),
        "4 event(s): 4 same, 0 different — 0 added, 0 removed, 0 changed"
    );

    // Another plugin in its place, on two of the events: the differences.
    let args = [
        "replay",
        "--plugin",
        "builtin:keyword-filter",
        "--name",
        "p",
        "--against-recorded",
        "--from",
        "e1",
        "--to",
        "e2",
        "--plugin-config",
    ];
    std::fs::write(d.join("kf.json"), r#"{"keywords": ["spam"]}"#).unwrap();
    let mut with_config = args.to_vec();
    with_config.push("kf.json");
    let out = vigie(d, &with_config);
    assert!(out.contains("event e1"), "{out}");
    let has = |sign: &str, kind: &str| {
        out.lines()
            .any(|l| l.trim_start().starts_with(sign) && l.contains(kind))
    };
    assert!(has("+ ", "delete") && has("- ", "reply"), "{out}");
    assert!(
        out.trim_end()
            .ends_with("2 event(s): 0 same, 2 different — 2 added, 2 removed, 0 changed"),
        "{out}"
    );
    // Deterministic: the same replay twice prints the same thing.
    assert_eq!(out, vigie(d, &with_config));

    // Two versions against each other over a JSON Lines corpus, as JSON.
    let json = vigie(
        d,
        &[
            "replay",
            "--plugin",
            "builtin:keyword-filter",
            "--against",
            probe,
            "--name",
            "p",
            "--events",
            "events.jsonl",
            "--json",
        ],
    );
    let last: serde_json::Value = serde_json::from_str(json.lines().last().unwrap()).unwrap();
    assert_eq!(last["summary"]["events"], 4);
    assert_eq!(last["summary"]["events_same"], 0);
    // A time bound.
    let out = vigie(
        d,
        &[
            "replay",
            "--plugin",
            probe,
            "--name",
            "p",
            "--against-recorded",
            "--from",
            "2026-11-23T10:03:00Z",
        ],
    );
    assert!(out.trim().starts_with("2 event(s): 2 same"), "{out}");
    // An unknown event id is an error, not an empty replay.
    let bad = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args([
            "replay",
            "--plugin",
            probe,
            "--against-recorded",
            "--from",
            "nope",
        ])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no recorded event has the id `nope`"));
}

/// `vigie replay` says which entry and config it uses, and refuses a name
/// (taken from the file name when --name is not given) that the config
/// file has no entry for, instead of replaying with an empty config.
#[test]
fn replay_names_its_entry_and_config_and_refuses_an_unknown_entry() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("events.jsonl"), line("e1", "*:reply hi", 1)).unwrap();
    let probe = plugin("probe");
    // The component under another name, as a new version would be.
    std::fs::copy(&probe, d.join("welcome-v2.wasm")).unwrap();
    record_with(d, "welcome", &probe, r#"["reply"]"#);
    let replay = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
            .arg("replay")
            .args(args)
            .current_dir(d)
            .env("XDG_CACHE_HOME", d.join("cache"))
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // No --name: `welcome-v2`, which vigie.toml does not have: refused,
    // naming the entries there are.
    let (ok, stdout, stderr) = replay(&["--plugin", "welcome-v2.wasm", "--against-recorded"]);
    assert!(!ok, "{stdout}");
    assert!(
        stderr.contains("has no plugin entry `welcome-v2` (from the file name"),
        "{stderr}"
    );
    assert!(stderr.contains("its entries: `welcome`"), "{stderr}");
    assert!(stderr.contains("--name ENTRY"), "{stderr}");
    // A --name the config does not have either.
    let (ok, _, stderr) = replay(&[
        "--plugin",
        "welcome-v2.wasm",
        "--name",
        "welcom",
        "--against-recorded",
    ]);
    assert!(
        !ok && stderr.contains("no plugin entry `welcom`"),
        "{stderr}"
    );
    // The entry: said on stderr, and the replay matches what was recorded.
    let (ok, stdout, stderr) = replay(&[
        "--plugin",
        "welcome-v2.wasm",
        "--name",
        "welcome",
        "--against-recorded",
    ]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains(
            "replay: plugin entry `welcome`, with the config and grants of [plugins.welcome] in"
        ),
        "{stderr}"
    );
    assert!(stdout.contains("1 same, 0 different"), "{stdout}");
    // Another config on purpose: allowed, and said.
    std::fs::write(d.join("other.json"), "{}").unwrap();
    let (ok, _, stderr) = replay(&[
        "--plugin",
        "welcome-v2.wasm",
        "--against",
        "welcome-v2.wasm",
        "--plugin-config",
        "other.json",
    ]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("with the config in other.json"), "{stderr}");
    // No config file at all: a loud warning that the config is empty.
    let (ok, _, stderr) = replay(&[
        "--plugin",
        "welcome-v2.wasm",
        "--against",
        "welcome-v2.wasm",
        "--events",
        "events.jsonl",
    ]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("warning: no config file read") && stderr.contains("empty config"),
        "{stderr}"
    );
}

/// The host keeps every plugin version it runs, by hash, in its data
/// directory: `vigie versions` lists them and `vigie replay
/// --against-version HASH` compares with one whose file is gone.
#[test]
fn replay_against_a_kept_version_needs_no_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("events.jsonl"),
        [line("e1", "*:rand; spam", 1), line("e2", "*:now", 2)].join("\n"),
    )
    .unwrap();
    let probe = std::fs::read(plugin("probe")).unwrap();
    let file = d.join("p.wasm");
    std::fs::write(&file, &probe).unwrap();
    record_with(d, "p", &file, r#"["reply", "delete", "dm"]"#);
    // A new version in its place, run once; the old file is gone.
    let next = crate::reload::variant(&probe, "v2");
    std::fs::write(&file, &next).unwrap();
    vigie(d, &["run", "--no-watch"]);
    std::fs::remove_file(&file).unwrap();

    let listed = vigie(d, &["versions", "--json"]);
    let kept: Vec<serde_json::Value> = listed
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let old = vigie::runtime::hash_hex(&probe);
    let new = vigie::runtime::hash_hex(&next);
    let hashes: Vec<&str> = kept.iter().filter_map(|k| k["hash"].as_str()).collect();
    assert_eq!(hashes, [old.as_str(), new.as_str()], "{listed}");
    assert_eq!(kept[0]["entries"], serde_json::json!(["p"]));

    let probe_path = plugin("probe");
    let same = vigie(
        d,
        &[
            "replay",
            "--plugin",
            probe_path.to_str().unwrap(),
            "--name",
            "p",
            "--against-version",
            &old[..8],
        ],
    );
    assert_eq!(
        same.trim(),
        "2 event(s): 2 same, 0 different — 0 added, 0 removed, 0 changed"
    );
    let unknown = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args([
            "replay",
            "--plugin",
            "builtin:keyword-filter",
            "--name",
            "p",
        ])
        .args(["--against-version", "abcdef12"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    let error = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        error.contains("no kept version has a hash starting with abcdef12")
            && error.contains(&old[..12]),
        "{error}"
    );
}

#[test]
fn replay_runs_the_recorded_ticks_at_their_time_so_a_contest_ends_again() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let event = |id: &str, user: &str, staff: bool, text: &str, at: &str| {
        serde_json::json!({
            "id": id, "kind": "message", "platform": "test", "community": "acme",
            "channel": "general",
            "author": {"id": user, "name": user, "is_staff": staff, "account_age_days": 400},
            "text": text, "timestamp": at
        })
        .to_string()
    };
    std::fs::write(
        d.join("events.jsonl"),
        [
            event(
                "s",
                "staff",
                true,
                "!giveaway start \"Mug\" 1h",
                "2026-11-23T10:00:00Z",
            ),
            event("a", "ana", false, "!enter", "2026-11-23T10:05:00Z"),
            event("b", "bob", false, "!enter", "2026-11-23T10:06:00Z"),
            // Two hours later: the first event after the deadline crosses
            // tick boundaries; the tick at its time closes the contest.
            event("c", "cid", false, "hello", "2026-11-23T12:00:30Z"),
            // A community whose chain has no giveaway: never replayed
            // through it (it would start a contest nobody started).
            event(
                "o",
                "staff",
                true,
                "!giveaway start \"Cup\" 1h",
                "2026-11-23T10:01:00Z",
            )
            .replace("\"acme\"", "\"other\""),
        ]
        .join("\n"),
    )
    .unwrap();
    let giveaway = "builtin:giveaway";
    std::fs::write(
        d.join("vigie.toml"),
        r#"data_dir = "data"
[plugins.giveaway]
component = "builtin:giveaway"
grants = ["post", "reply", "react", "dm"]

[plugins.kf]
component = "builtin:keyword-filter"
grants = ["delete"]
config = { keywords = ["spam"] }

[[communities]]
id = "acme"
chain = ["giveaway"]

[[communities]]
id = "other"
chain = ["kf"]

[[sources]]
type = "jsonl"
path = "events.jsonl"
"#,
    )
    .unwrap();
    let run = vigie(d, &["run", "--no-watch"]);
    let winners_posted = |out: &str| {
        out.lines()
            .filter(|l| l.contains("giveaway") && l.contains("post") && l.contains("Mug"))
            .count()
    };
    assert!(winners_posted(&run) >= 2, "announcement and result:\n{run}");

    let same = vigie(d, &["replay", "--plugin", giveaway, "--against-recorded"]);
    assert_eq!(
        same.lines().last().unwrap_or(""),
        "4 event(s) and 1 tick(s): 5 same, 0 different — 0 added, 0 removed, 0 changed",
        "{same}"
    );
}
