//! End to end on a real Matrix homeserver (Synapse on 127.0.0.1): the
//! `vigie` binary with a `[[connectors]] type = "matrix"` entry, people
//! posting through the Client-Server API, and the room read back as one
//! of them. No mock of the platform anywhere.

use crate::process::VigieProcess;
use crate::synapse::{password, wait_for, Synapse};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use vigie::Store;

fn connector(synapse: &Synapse, room: &str) -> String {
    connector_at(&synapse.url, room, 50.0, 50)
}

fn connector_at(homeserver: &str, room: &str, per_second: f64, burst: u32) -> String {
    format!(
        r#"
[[connectors]]
type = "matrix"
community = "acme"
homeserver = "{homeserver}"
user = "@vigie:localhost"
password = "env:VIGIE_TEST_SECRET"
rooms = ["{room}"]
sync_timeout_s = 2
rate = {{ per_second = {per_second:.1}, burst = {burst}, channel_per_second = {per_second:.1}, channel_burst = {burst} }}
"#
    )
}

/// The embedded demo's config, pointed at a Matrix room instead of its
/// events file: the one config change the README documents.
fn demo_config(dir: &Path, synapse: &Synapse, room: &str, staff_room: &str) -> PathBuf {
    for (name, content) in vigie::builtin::DEMO_FILES {
        std::fs::write(dir.join(name), content).expect("write demo file");
    }
    let demo = vigie::builtin::DEMO_CONFIG;
    let without_sources = &demo[..demo.find("[[sources]]").expect("the demo has sources")];
    let text = without_sources.replace(
        "data_dir = \"../../target/demo-data\"",
        "data_dir = \"data\"",
    ) + &connector(synapse, room)
        + &format!("staff_room = \"{staff_room}\"\n");
    let path = dir.join("vigie.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

fn bot_events<'a>(timeline: &'a [Value], kind: &str) -> Vec<&'a Value> {
    timeline
        .iter()
        .filter(|e| e["sender"] == "@vigie:localhost" && e["type"] == kind)
        .collect()
}

fn is_redacted(timeline: &[Value], event_id: &str) -> bool {
    timeline
        .iter()
        .any(|e| e["event_id"] == event_id && !e["unsigned"]["redacted_because"].is_null())
}

#[test]
fn the_demo_chain_moderates_answers_and_runs_a_contest_in_a_real_matrix_room() {
    let synapse = Synapse::start();
    let moderator = synapse.register("modo");
    let alice = synapse.register("alice");
    let bob = synapse.register("bob");
    let carol = synapse.register("carol");
    synapse.register("vigie");
    let room = moderator.create_room(&["@vigie:localhost"]);
    let staff_room = moderator.create_room(&["@vigie:localhost"]);
    alice.join(&room);
    bob.join(&room);
    carol.join(&room);

    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), &synapse, &room, &staff_room);
    let mut vigie = VigieProcess::start(&config, &password("vigie"));
    vigie.wait_listening();

    let question = alice.send(
        &room,
        "Est-ce que vous livrez en Belgique ? J'habite à Liège et les frais de port sont pas affichés",
    );
    let insult = bob.send(&room, "franchement t'es qu'un connard");
    moderator.send(&room, "!giveaway start \"Mug Acme\" 2h 1");
    let announcement = wait_for("the contest announcement", Duration::from_secs(60), || {
        let t = moderator.timeline(&room);
        bot_events(&t, "m.room.message")
            .iter()
            .find(|e| {
                e["content"]["body"]
                    .as_str()
                    .is_some_and(|b| b.contains("Mug Acme"))
            })
            .and_then(|e| e["event_id"].as_str().map(str::to_string))
    });
    let entry = bob.send(&room, "!participer");

    // A banned word: redacted with the rule in the reason.
    wait_for("the insult to be redacted", Duration::from_secs(60), || {
        is_redacted(&moderator.timeline(&room), &insult).then_some(())
    });
    // A question: answered as a reply to it.
    let t = wait_for("the FAQ reply", Duration::from_secs(60), || {
        let t = moderator.timeline(&room);
        bot_events(&t, "m.room.message")
            .iter()
            .any(|e| e["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == question.as_str())
            .then_some(t)
    });
    let answer = bot_events(&t, "m.room.message")
        .into_iter()
        .find(|e| e["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == question.as_str())
        .unwrap();
    assert!(
        answer["content"]["body"]
            .as_str()
            .unwrap_or("")
            .to_lowercase()
            .contains("belgique")
            || answer["content"]["body"]
                .as_str()
                .unwrap_or("")
                .contains("pays"),
        "unexpected answer: {answer}"
    );
    // As a bot writes on Matrix: a notice, mentioning who it answers.
    assert_eq!(answer["content"]["msgtype"], "m.notice", "{answer}");
    assert_eq!(
        answer["content"]["m.mentions"]["user_ids"],
        serde_json::json!([alice.user_id]),
        "{answer}"
    );
    // The contest announcement names the room as people see it.
    let t = moderator.timeline(&room);
    let announced = bot_events(&t, "m.room.message")
        .into_iter()
        .find(|e| e["event_id"] == announcement.as_str())
        .map(|e| e["content"]["body"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();
    assert!(
        announced.contains("Vigie test") && !announced.contains(&room),
        "{announced}"
    );
    // A question the FAQ cannot answer goes to the staff room, with a
    // link to it.
    let unanswered = carol.send(&room, "Est-ce que Acme recrute des baristas pour l'été ?");
    let flag = wait_for(
        "the flag in the staff room",
        Duration::from_secs(60),
        || {
            let t = moderator.timeline(&staff_room);
            bot_events(&t, "m.room.message")
                .into_iter()
                .find(|e| {
                    e["content"]["formatted_body"]
                        .as_str()
                        .is_some_and(|b| b.contains(&unanswered))
                })
                .cloned()
        },
    );
    let link = format!("https://matrix.to/#/{room}/{unanswered}");
    assert!(
        flag["content"]["formatted_body"]
            .as_str()
            .is_some_and(|b| b.contains(&format!("<a href=\"{link}\">"))),
        "{flag}"
    );
    assert!(
        flag["content"]["body"]
            .as_str()
            .is_some_and(|b| b.contains("Vigie test")),
        "{flag}"
    );
    // A contest entry: counted, acknowledged with a reaction.
    wait_for("the entry's ✅", Duration::from_secs(60), || {
        let t = moderator.timeline(&room);
        bot_events(&t, "m.reaction")
            .iter()
            .any(|e| e["content"]["m.relates_to"]["event_id"] == entry.as_str())
            .then_some(())
    });
    // Carol enters by reacting to the bot's announcement: the plugin never
    // saw its id; the host labels the reaction with the command it answered.
    carol.react(&room, &announcement, "🎉");
    // A flood: timed out (a temporary ban on Matrix).
    for i in 0..8 {
        // The bot may time her out before the flood is over: the server
        // then refuses the rest, which is the point.
        match alice.try_send(&room, &format!("allô allô {i}")) {
            Ok(_) => {}
            Err((status, _)) if status == reqwest::StatusCode::FORBIDDEN && i > 0 => break,
            Err((status, body)) => panic!("alice's message {i}: HTTP {status}: {body}"),
        }
    }
    wait_for("alice's timeout", Duration::from_secs(60), || {
        (moderator.membership(&room, &alice.user_id).as_deref() == Some("ban")).then_some(())
    });
    // The draw publishes its entry list (after the seed, in a message of
    // its own): Bob's keyword and Carol's reaction.
    moderator.send(&room, "!giveaway end");
    let after_the_draw = wait_for("the entry list", Duration::from_secs(60), || {
        let t = moderator.timeline(&room);
        let bodies: Vec<String> = bot_events(&t, "m.room.message")
            .iter()
            .filter_map(|e| e["content"]["body"].as_str().map(str::to_string))
            .collect();
        let draw = bodies.iter().position(|b| b.contains("--seed"))?;
        let list = bodies[draw..].iter().find(|b| b.contains("```"))?;
        Some((bodies[draw].clone(), list.clone()))
    });
    let (draw, list) = after_the_draw;
    assert!(draw.contains("2 participants"), "{draw}");
    assert!(
        list.contains(&bob.user_id) && list.contains(&carol.user_id),
        "the entry list misses an entry: {list}"
    );

    let log = vigie.stop();
    assert!(
        !log.contains(&password("vigie")),
        "the password leaked into the log"
    );

    // The audit trail, through the CLI.
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["audit", "--json", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let audit: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let deletion = audit
        .iter()
        .find(|r| r["action"]["type"] == "delete" && r["action"]["message_id"] == insult.as_str())
        .unwrap_or_else(|| panic!("no audit record of the deletion: {audit:?}"));
    assert_eq!(deletion["target_user"], "@bob:localhost");
    assert!(deletion["evidence"]
        .as_str()
        .unwrap_or("")
        .contains("connard"));
    assert_eq!(deletion["action"]["plugin"], "automod");
    assert!(!deletion["action"]["plugin_hash"]
        .as_str()
        .unwrap_or("")
        .is_empty());
    assert!(audit
        .iter()
        .any(|r| r["action"]["type"] == "timeout" && r["target_user"] == "@alice:localhost"));
    // Filtered by user, as a table.
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["audit", "--user", "@bob:localhost", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("delete") && !table.contains("@alice:localhost"),
        "{table}"
    );
}

/// A homeserver with a public room: `modo` created it, the bot `vigie`
/// moderates it (power level 100), `alice` is in it.
struct Room {
    synapse: Synapse,
    moderator: crate::synapse::MatrixUser,
    alice: crate::synapse::MatrixUser,
    room: String,
}

impl Room {
    fn new() -> Room {
        let synapse = Synapse::start();
        let moderator = synapse.register("modo");
        let alice = synapse.register("alice");
        synapse.register("vigie");
        let room = moderator.create_room(&["@vigie:localhost"]);
        alice.join(&room);
        Room {
            synapse,
            moderator,
            alice,
            room,
        }
    }
}

/// The probe plugin (tests/plugins/probe) acts on directives in the text:
/// every message asks for a post, every third also for its deletion.
fn probe_config(dir: &Path, connector: &str) -> PathBuf {
    let text = format!(
        r#"data_dir = "data"
[plugins.probe]
component = "{}"
grants = ["post", "delete", "timeout"]

[[communities]]
id = "acme"
chain = ["probe"]
{}"#,
        crate::env::plugin("probe").display(),
        connector
    );
    let path = dir.join("vigie.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

#[test]
fn killing_the_host_at_random_never_loses_or_repeats_an_action() {
    use rand::Rng;
    let Room {
        synapse,
        moderator,
        alice,
        room,
    } = Room::new();
    let dir = tempfile::tempdir().unwrap();
    let config = probe_config(dir.path(), &connector(&synapse, &room));
    let bot_password = password("vigie");

    let mut first = VigieProcess::start(&config, &bot_password);
    first.wait_listening();
    first.kill();

    const MESSAGES: usize = 60;
    const KILLS: usize = 20;
    let sender = {
        let room = room.clone();
        std::thread::spawn(move || {
            let mut ids = Vec::new();
            for i in 0..MESSAGES {
                ids.push(alice.send(&room, &script(&room, i)));
                std::thread::sleep(Duration::from_millis(120));
            }
            ids
        })
    };
    let mut rng = rand::thread_rng();
    for _ in 0..KILLS {
        let vigie = VigieProcess::start(&config, &bot_password);
        std::thread::sleep(Duration::from_millis(rng.gen_range(100..1500)));
        vigie.kill();
    }
    let sent = sender.join().expect("sender thread");
    let vigie = VigieProcess::start(&config, &bot_password);

    let expected_redactions = MESSAGES.div_ceil(3);
    let log = each_action_landed_once(&moderator, &room, &sent, vigie, Duration::from_secs(180));

    // The store: every message handled exactly once, every action audited once.
    let store = vigie::SledStore::open(&dir.path().join("data/store")).unwrap();
    let handled = handled_of(&store, &sent);
    let mut unique = handled.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), handled.len(), "an event was handled twice");
    assert_eq!(handled.len(), MESSAGES, "an event was lost:\n{log}");
    let audit = store.audit().unwrap();
    assert_eq!(audit.len(), MESSAGES + expected_redactions);
    assert!(store.dead_letters().unwrap().is_empty());
}

/// The ids of the `sent` events the store handled, in the order handled
/// (repeats kept, so a test can see them).
fn handled_of(store: &vigie::SledStore, sent: &[String]) -> Vec<String> {
    store
        .events()
        .unwrap()
        .into_iter()
        .map(|h| h.event.id)
        .filter(|id| sent.contains(id))
        .collect()
}

/// The `i`-th message of the probe tests: asks for a post `ack-i`, and
/// every third one for its own deletion.
fn script(room: &str, i: usize) -> String {
    let mut text = format!("m{i}; *:post {room} ack-{i}");
    if i.is_multiple_of(3) {
        text.push_str("; *:delete");
    }
    text
}

/// Waits until every action asked by `script` for the `sent` messages is
/// in the room, then stops the host and checks each landed exactly once.
/// Returns the host's log.
fn each_action_landed_once(
    moderator: &crate::synapse::MatrixUser,
    room: &str,
    sent: &[String],
    vigie: VigieProcess,
    timeout: Duration,
) -> String {
    let expected_redactions = sent.len().div_ceil(3);
    wait_for("every action to land", timeout, || {
        let (posts, redactions) = posts_and_redactions(&moderator.timeline(room));
        (posts.len() >= sent.len() && redactions >= expected_redactions).then_some(())
    });
    // Anything late would be a duplicate: give it time to show up.
    std::thread::sleep(Duration::from_secs(3));
    let log = vigie.stop();
    let timeline = moderator.timeline(room);
    let (posts, redactions) = posts_and_redactions(&timeline);
    let mut unique = posts.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        posts.len(),
        "a post was repeated: {posts:?}\n{log}"
    );
    for i in 0..sent.len() {
        assert!(
            posts.contains(&format!("ack-{i}")),
            "ack-{i} missing\n{log}"
        );
    }
    assert_eq!(posts.len(), sent.len(), "{posts:?}");
    assert_eq!(redactions, expected_redactions);
    for (i, id) in sent.iter().enumerate() {
        assert_eq!(is_redacted(&timeline, id), i % 3 == 0, "message {i}");
    }
    log
}

/// Counts the bot's posts (by text) and redactions in the room.
fn posts_and_redactions(timeline: &[Value]) -> (Vec<String>, usize) {
    let posts: Vec<String> = bot_events(timeline, "m.room.message")
        .iter()
        .filter_map(|e| e["content"]["body"].as_str().map(String::from))
        .collect();
    (posts, bot_events(timeline, "m.room.redaction").len())
}

#[test]
fn through_429s_500s_slow_replies_and_dropped_connections_every_action_lands_once_within_the_rate()
{
    use crate::fault_proxy::{is_action, Fault, FaultPlan, FaultProxy};
    let Room {
        synapse,
        moderator,
        alice,
        room,
    } = Room::new();
    let proxy = FaultProxy::start(
        &synapse.url,
        FaultPlan {
            action: [
                (Fault::TooManyRequests, 15),
                (Fault::ServerError, 15),
                (Fault::Slow, 10),
                (Fault::DropAfterForward, 15),
            ],
            other: [
                (Fault::TooManyRequests, 5),
                (Fault::ServerError, 10),
                (Fault::Slow, 5),
                (Fault::DropAfterForward, 5),
            ],
            fail_first: Vec::new(),
        },
        20261123,
    );
    const RATE: f64 = 4.0;
    const BURST: u32 = 4;
    let dir = tempfile::tempdir().unwrap();
    let config = probe_config(dir.path(), &connector_at(&proxy.url, &room, RATE, BURST));
    let mut vigie = VigieProcess::start(&config, &password("vigie"));
    vigie.wait_listening();

    const MESSAGES: usize = 30;
    let mut sent = Vec::new();
    for i in 0..MESSAGES {
        sent.push(alice.send(&room, &script(&room, i)));
    }
    let expected_redactions = MESSAGES.div_ceil(3);
    each_action_landed_once(&moderator, &room, &sent, vigie, Duration::from_secs(240));
    let store = vigie::SledStore::open(&dir.path().join("data/store")).unwrap();
    assert!(
        store.dead_letters().unwrap().is_empty(),
        "dead letters: {:?}",
        store.dead_letters()
    );
    assert_eq!(store.audit().unwrap().len(), MESSAGES + expected_redactions);

    // Every fault happened to actions, and the host kept to its rate.
    let attempts: Vec<_> = proxy
        .seen()
        .into_iter()
        .filter(|s| is_action(&s.method, &s.path))
        .collect();
    for fault in [
        Fault::TooManyRequests,
        Fault::ServerError,
        Fault::Slow,
        Fault::DropAfterForward,
    ] {
        assert!(
            attempts.iter().any(|a| a.fault == fault),
            "no {fault:?} was injected: the test proves nothing about it"
        );
    }
    let window = Duration::from_secs(1);
    let most = (BURST as f64 + RATE * window.as_secs_f64()).floor() as usize;
    for (i, a) in attempts.iter().enumerate() {
        let within = attempts[i..]
            .iter()
            .take_while(|b| b.at.duration_since(a.at) < window)
            .count();
        assert!(
            within <= most,
            "{within} action requests within 1 s (rate {RATE}/s, burst {BURST}: at most {most})"
        );
    }
    eprintln!(
        "fault test: {} action requests for {} actions ({} faults injected)",
        attempts.len(),
        MESSAGES + expected_redactions,
        attempts.iter().filter(|a| a.fault != Fault::None).count()
    );
}

#[test]
fn a_timeout_is_lifted_on_time_even_across_a_restart() {
    let Room {
        synapse,
        moderator,
        alice,
        room,
    } = Room::new();
    let dir = tempfile::tempdir().unwrap();
    let config = probe_config(dir.path(), &connector(&synapse, &room));
    let bot_password = password("vigie");
    let mut vigie = VigieProcess::start(&config, &bot_password);
    vigie.wait_listening();

    alice.send(&room, "*:timeout 4");
    wait_for("alice's timeout", Duration::from_secs(60), || {
        (moderator.membership(&room, &alice.user_id).as_deref() == Some("ban")).then_some(())
    });
    let banned_at = Instant::now();
    // The host dies while the timeout runs; the lifting is in the store.
    vigie.kill();
    std::thread::sleep(Duration::from_secs(1));
    let vigie = VigieProcess::start(&config, &bot_password);
    wait_for("the timeout to be lifted", Duration::from_secs(60), || {
        (moderator.membership(&room, &alice.user_id).as_deref() == Some("leave")).then_some(())
    });
    let lifted_after = banned_at.elapsed();
    assert!(
        lifted_after >= Duration::from_secs(3),
        "lifted too early: {lifted_after:?}"
    );
    // Lifted, she can come back.
    alice.join(&room);
    // The running host holds the store: `vigie audit` reads it through
    // the host's control socket.
    let records = crate::process::records("audit", &dir.path().join("data"));
    let kinds: Vec<&str> = records
        .iter()
        .filter_map(|r| r["action"]["type"].as_str())
        .collect();
    assert!(kinds.contains(&"timeout"), "{records:?}");
    assert!(
        records
            .iter()
            .any(|r| r["key"].as_str().is_some_and(|k| k.ends_with(":lift"))),
        "{records:?}"
    );
    // Nothing failed, and the socket refuses what it does not know.
    let dead = crate::process::records("dead-letters", &dir.path().join("data"));
    assert!(dead.is_empty(), "{dead:?}");
    // `vigie replay` reads the event and action logs the same way, and
    // the probe, replayed, decides what it decided live.
    let mut replay = std::process::Command::new(env!("CARGO_BIN_EXE_vigie"));
    replay
        .args(["replay", "--name", "probe", "--against-recorded", "--json"])
        .arg("--plugin")
        .arg(crate::env::plugin("probe"))
        .arg("--config")
        .arg(&config);
    let replayed = crate::process::json_output(replay);
    let summary = replayed.last().map(|l| &l["summary"]);
    assert!(
        summary.is_some_and(
            |s| s["events"].as_u64() >= Some(1) && s["events_different"].as_u64() == Some(0)
        ),
        "{replayed:?}"
    );
    let refused = vigie::control::ask(&dir.path().join("data"), "drop everything")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(refused.contains("unknown request"), "{refused}");
    vigie.stop();
    assert!(
        !dir.path()
            .join("data")
            .join(vigie::control::SOCKET_NAME)
            .exists(),
        "the control socket outlived the host"
    );
    let store = vigie::SledStore::open(&dir.path().join("data/store")).unwrap();
    assert!(
        store.reversals().unwrap().is_empty(),
        "the reversal is still pending"
    );
    assert!(store
        .audit()
        .unwrap()
        .iter()
        .any(|r| r.key.ends_with(":lift") && r.target_user.as_deref() == Some("@alice:localhost")));
}

/// While the host is down, more is said than one sync returns
/// (`timeline_limit = 5` here, 500 by default): on restart the connector
/// reads the gap back through `/messages`, and every message is handled,
/// once, in order.
#[test]
fn what_was_said_while_the_host_was_down_is_read_back_beyond_one_sync() {
    let Room {
        synapse,
        moderator,
        alice,
        room,
    } = Room::new();
    let dir = tempfile::tempdir().unwrap();
    let connector = connector(&synapse, &room) + "timeline_limit = 5\n";
    let config = probe_config(dir.path(), &connector);
    let bot_password = password("vigie");
    let mut first = VigieProcess::start(&config, &bot_password);
    first.wait_listening();
    first.kill();

    const MESSAGES: usize = 24;
    let sent: Vec<String> = (0..MESSAGES)
        .map(|i| alice.send(&room, &script(&room, i)))
        .collect();
    let vigie = VigieProcess::start(&config, &bot_password);
    let log = each_action_landed_once(&moderator, &room, &sent, vigie, Duration::from_secs(120));
    assert!(log.contains("read back"), "no read-back in the log:\n{log}");

    let store = vigie::SledStore::open(&dir.path().join("data/store")).unwrap();
    let handled = handled_of(&store, &sent);
    assert_eq!(handled, sent, "lost, repeated or out of order:\n{log}");
}
