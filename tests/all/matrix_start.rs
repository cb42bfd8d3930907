//! Starting against a real Matrix homeserver (Synapse on 127.0.0.1), as a
//! newcomer does, with the mistakes a newcomer makes: what stops the start
//! (and says why), what waits (a rate-limited login, as long as asked and
//! without logging in again), and what the connection report says.

use crate::fault_proxy::{FaultPlan, FaultProxy};
use crate::process::VigieProcess;
use crate::synapse::{password, Synapse};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A config with one Matrix connector; `credential` is its `user` /
/// `password` / `access_token` lines (secrets from `VIGIE_TEST_SECRET`).
fn config(dir: &Path, homeserver: &str, credential: &str, room: &str) -> PathBuf {
    let path = dir.join("vigie.toml");
    std::fs::write(
        &path,
        format!(
            r#"data_dir = "data"
[plugins.kf]
component = "builtin:keyword-filter"
grants = ["delete"]
config = {{ keywords = ["spam"] }}
[[communities]]
id = "acme"
chain = ["kf"]
[[connectors]]
type = "matrix"
community = "acme"
homeserver = "{homeserver}"
{credential}
rooms = ["{room}"]
sync_timeout_s = 2
"#
        ),
    )
    .expect("write config");
    path
}

const PASSWORD: &str = "user = \"@vigie:localhost\"\npassword = \"env:VIGIE_TEST_SECRET\"";
const TOKEN: &str = "user = \"@vigie:localhost\"\naccess_token = \"env:VIGIE_TEST_SECRET\"";

/// Runs vigie until it exits by itself (within a minute): its log.
fn refused(config: &Path, secret: &str) -> String {
    let mut vigie = VigieProcess::start(config, secret);
    let status = vigie.wait_exit(Duration::from_secs(60));
    let log = vigie.log();
    match status {
        Some(status) => assert!(!status.success(), "exited 0:\n{log}"),
        None => panic!("still retrying after a minute:\n{log}"),
    }
    assert!(
        !log.contains("running until stopped"),
        "said it runs:\n{log}"
    );
    log
}

#[test]
fn permanent_refusals_at_start_stop_vigie_with_the_homeservers_words() {
    let synapse = Synapse::start();
    let alice = synapse.register("alice");
    let bot = synapse.register("vigie");
    let room = alice.create_room(&[]);
    let dir = tempfile::tempdir().unwrap();

    // A room alias that does not exist.
    let log = refused(
        &config(dir.path(), &synapse.url, PASSWORD, "#missing:localhost"),
        &password("vigie"),
    );
    assert!(
        log.contains("cannot join #missing:localhost") && log.contains("M_NOT_FOUND"),
        "{log}"
    );

    // A token the homeserver does not know.
    let log = refused(
        &config(dir.path(), &synapse.url, TOKEN, &room),
        "syt_not_a_token",
    );
    assert!(log.contains("M_UNKNOWN_TOKEN"), "{log}");

    // Another user's token.
    let log = refused(
        &config(dir.path(), &synapse.url, TOKEN, &room),
        &alice.token,
    );
    assert!(
        log.contains("belongs to @alice:localhost, not to the configured user @vigie:localhost"),
        "{log}"
    );

    // The bot's own token, in a room where it has power 0: it runs, says
    // so once connected, and warns about what it cannot do there.
    let mut vigie =
        VigieProcess::start(&config(dir.path(), &synapse.url, TOKEN, &room), &bot.token);
    vigie.wait_listening();
    // What it cannot do fails for good, and the summary counts it.
    alice.send(&room, "buy spam here");
    vigie.wait_log("failed for good");
    let log = vigie.stop();
    assert!(log.contains("dead letters: 1 action(s)"), "{log}");
    assert!(
        log.contains(&format!(
            "connected to Matrix as @vigie:localhost: {room} (power 0)"
        )),
        "{log}"
    );
    assert!(
        log.contains("cannot redact messages (needs 50), kick (needs 50), ban (needs 50)"),
        "{log}"
    );
}

#[test]
fn a_rate_limited_login_waits_as_long_as_asked_and_the_token_is_kept() {
    // One login per 8 s per account, after the first.
    let synapse = Synapse::start_with_logins(Some(0.125));
    let alice = synapse.register("alice");
    synapse.register("vigie");
    let room = alice.create_room(&[]);
    // The account's one free login is used: vigie's first one is refused
    // with a delay (about 8 s).
    let first = synapse.login("vigie");
    assert!(first["access_token"].is_string(), "{first}");
    let proxy = FaultProxy::start(
        &synapse.url,
        FaultPlan {
            fail_first: vec![("/join/", 2)],
            ..FaultPlan::clean()
        },
        7,
    );
    let dir = tempfile::tempdir().unwrap();
    let mut vigie = VigieProcess::start(
        &config(dir.path(), &proxy.url, PASSWORD, &room),
        &password("vigie"),
    );
    vigie.wait_listening();
    let log = vigie.stop();
    let seen = proxy.seen();
    let logins: Vec<_> = seen.iter().filter(|s| s.path.contains("/login")).collect();
    let joins = seen.iter().filter(|s| s.path.contains("/join/")).count();
    assert_eq!(
        logins.len(),
        2,
        "one refused, one accepted, none after:\n{log}"
    );
    let waited = logins[1].at - logins[0].at;
    assert!(
        waited >= Duration::from_secs(6),
        "retried the login after {waited:?}, before the homeserver's delay:\n{log}"
    );
    assert!(joins >= 3, "the two failed joins were retried:\n{log}");
}

/// `examples/local-synapse/start.sh`, the docs' way to a local room: the
/// homeserver it starts, the accounts and rooms it makes, and the connector
/// entry it prints, followed as written, moderate a member.
#[test]
fn the_local_synapse_script_gives_a_room_the_demo_moderates() {
    use crate::synapse::{ensure_installed, free_port, servers_dir, wait_for, MatrixUser};
    ensure_installed("synapse");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/local-synapse/start.sh");
    let home = tempfile::tempdir().unwrap();
    let port = free_port().to_string();
    let dir = home.path().join("synapse");
    let dir_arg = dir.display().to_string();
    let run = |args: &[&str]| {
        let out = std::process::Command::new("bash")
            .arg(&script)
            .args(args)
            .env("VIGIE_SERVERS_DIR", servers_dir())
            .output()
            .expect("run the script");
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{text}");
        text
    };
    /// Stops the homeserver whatever happens next.
    struct Stop(std::path::PathBuf, String);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = std::process::Command::new("bash")
                .arg(&self.0)
                .args(["--stop", &self.1])
                .status();
        }
    }
    let printed = run(&[&dir_arg, "--port", &port]);
    let _stop = Stop(script.clone(), dir_arg.clone());
    let connector = std::fs::read_to_string(dir.join("connector.toml")).unwrap();
    assert!(printed.contains(connector.trim()), "{printed}");
    // Running it again shows the same, without making anything twice.
    assert!(run(&[&dir_arg]).contains(connector.trim()));
    let passwords = std::fs::read_to_string(dir.join("passwords.env")).unwrap();
    let password = |key: &str| {
        passwords
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("no {key} in passwords.env"))
            .to_string()
    };

    // The demo's config with its events file replaced by the room, as the
    // script's instructions say.
    let work = tempfile::tempdir().unwrap();
    for (name, content) in vigie::builtin::DEMO_FILES {
        std::fs::write(work.path().join(name), content).unwrap();
    }
    let demo = vigie::builtin::DEMO_CONFIG;
    let config = work.path().join("vigie.toml");
    std::fs::write(
        &config,
        demo[..demo.find("[[sources]]").unwrap()].replace(
            "data_dir = \"../../target/demo-data\"",
            "data_dir = \"data\"",
        ) + &connector.replace("env:VIGIE_MATRIX_PASSWORD", "env:VIGIE_TEST_SECRET"),
    )
    .unwrap();
    let mut vigie = VigieProcess::start(&config, &password("VIGIE_MATRIX_PASSWORD"));
    vigie.wait_listening();
    let log = vigie.log();
    assert!(
        log.contains("#community:localhost = !") && log.contains("(power 50)"),
        "{log}"
    );
    assert!(!log.contains("cannot redact"), "{log}");

    // A member's insult is redacted: the bot's power level works there.
    let url = format!("http://127.0.0.1:{port}");
    let member = MatrixUser::log_in(&url, "member", &password("MEMBER_PASSWORD"));
    let room = member.call(
        reqwest::Method::GET,
        &format!(
            "/directory/room/{}",
            crate::synapse::enc("#community:localhost")
        ),
        None,
    )["room_id"]
        .as_str()
        .expect("the room's alias resolves")
        .to_string();
    let room = room.as_str();
    let insult = member.send(room, "franchement t'es qu'un connard");
    wait_for("the insult to be redacted", Duration::from_secs(60), || {
        member
            .timeline(room)
            .iter()
            .any(|e| {
                e["event_id"] == insult.as_str() && !e["unsigned"]["redacted_because"].is_null()
            })
            .then_some(())
    });
    vigie.stop();
}

/// On a live platform, ticks follow the wall clock: after its last
/// message, a quiet room still gets what a plugin does on `tick` (here the
/// probe posts at each tick), on the tick boundaries, with no further event.
#[test]
fn a_quiet_room_still_gets_its_ticks_on_the_wall_clock() {
    use crate::env::plugin;
    use crate::synapse::wait_for;
    let synapse = Synapse::start();
    let alice = synapse.register("alice");
    synapse.register("vigie");
    let room = alice.create_room(&["@vigie:localhost"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vigie.toml");
    std::fs::write(
        &path,
        format!(
            r#"data_dir = "data"
[runtime]
tick_every_s = 1
[plugins.p]
component = "{probe}"
grants = ["post", "reply"]
config = {{ name = "p" }}
[[communities]]
id = "acme"
chain = ["p"]
[[connectors]]
type = "matrix"
community = "acme"
homeserver = "{url}"
{PASSWORD}
rooms = ["{room}"]
sync_timeout_s = 2
"#,
            probe = plugin("probe").display(),
            url = synapse.url,
        ),
    )
    .unwrap();
    let mut vigie = VigieProcess::start(&path, &password("vigie"));
    vigie.wait_listening();
    alice.send(&room, &format!("p:post-on-tick {room}"));
    let last_message = std::time::Instant::now();
    // Nothing more is said; the ticks come anyway.
    let ticks = wait_for(
        "two ticks in the quiet room",
        Duration::from_secs(30),
        || {
            let times: Vec<i64> = alice
                .timeline(&room)
                .iter()
                .filter(|e| e["sender"] == "@vigie:localhost")
                .filter_map(|e| {
                    e["content"]["body"]
                        .as_str()?
                        .strip_prefix("tick at ")?
                        .parse()
                        .ok()
                })
                .collect();
            (times.len() >= 2).then_some(times)
        },
    );
    let log = vigie.stop();
    assert!(last_message.elapsed() < Duration::from_secs(30), "{log}");
    assert!(ticks.iter().all(|t| t % 1000 == 0), "{ticks:?}");
    let mut sorted = ticks.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), ticks.len(), "a tick ran twice: {ticks:?}");
}
