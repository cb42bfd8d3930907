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

/// Milliseconds since the Unix epoch, now.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_millis() as i64
}

/// `2026-12-07 18:00`, in UTC, of a time in ms.
fn utc_minute(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms / 1000).expect("a valid time");
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

fn sleep_until(ms: i64) {
    let wait = ms - now_ms();
    if wait > 0 {
        std::thread::sleep(Duration::from_millis(wait as u64));
    }
}

/// The bot's messages with this text, with their server time (ms).
fn posts_of(user: &MatrixUser, room: &str, text: &str) -> Vec<i64> {
    bot_messages(user, room)
        .into_iter()
        .filter(|(b, _)| b == text)
        .filter_map(|(_, e)| e["origin_server_ts"].as_i64())
        .collect()
}

/// Two config posts: the first goes out in its minute while the host runs;
/// the host is stopped just before the second's minute and started again
/// inside it (it posts once, on the tick it runs at start), then restarted
/// once more within the minute (nothing is posted again).
#[test]
fn a_scheduled_post_appears_in_its_minute_and_a_restart_in_that_minute_sends_it_once() {
    let synapse = Synapse::start();
    let modo = synapse.register("modo");
    synapse.register("vigie");
    let room = modo.create_room(&["@vigie:localhost"]);
    let minute = 60_000;
    // Far enough ahead for the host to be up, on a minute boundary.
    let first = (now_ms() + 40_000).div_euclid(minute) * minute + minute;
    let second = first + minute;
    let dir = tempfile::tempdir().unwrap();
    let path = config(
        dir.path(),
        &synapse,
        &room,
        &format!(
            r#"[plugins.schedule]
component = "builtin:schedule"
grants = ["post", "reply", "alert"]
[plugins.schedule.config]
timezone = "UTC"
[[plugins.schedule.config.posts]]
id = "first"
channel = "{room}"
text = "first scheduled post"
when = "{}"
[[plugins.schedule.config.posts]]
id = "second"
channel = "{room}"
text = "second scheduled post"
when = "{}""#,
            utc_minute(first),
            utc_minute(second)
        ),
        r#"["schedule"]"#,
    );
    let mut vigie = VigieProcess::start(&path, &password("vigie"));
    vigie.wait_listening();
    let sent = wait_for(
        "the first post",
        Duration::from_millis((first - now_ms()).max(0) as u64 + 60_000),
        || {
            let times = posts_of(&modo, &room, "first scheduled post");
            (!times.is_empty()).then_some(times)
        },
    );
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0] >= first && sent[0] < first + minute,
        "posted at {} for {}",
        sent[0],
        first
    );

    // Down across the second post's minute start; up again inside it.
    sleep_until(second - 3_000);
    let log = vigie.stop();
    assert!(
        posts_of(&modo, &room, "second scheduled post").is_empty(),
        "{log}"
    );
    sleep_until(second + 5_000);
    let mut vigie = VigieProcess::start(&path, &password("vigie"));
    vigie.wait_listening();
    wait_for("the second post", Duration::from_secs(50), || {
        (!posts_of(&modo, &room, "second scheduled post").is_empty()).then_some(())
    });
    let log = vigie.stop();
    // And once more inside the minute: nothing is sent again.
    let mut vigie = VigieProcess::start(&path, &password("vigie"));
    vigie.wait_listening();
    std::thread::sleep(Duration::from_secs(5));
    let log = format!("{log}\n{}", vigie.stop());
    let second_posts = posts_of(&modo, &room, "second scheduled post");
    assert_eq!(second_posts.len(), 1, "{second_posts:?}\n{log}");
    assert!(
        second_posts[0] >= second && second_posts[0] < second + minute,
        "{second_posts:?}"
    );
    assert_eq!(posts_of(&modo, &room, "first scheduled post").len(), 1);
}

/// `vigie simulate` over 2026: a weekly post is sent every Monday at 09:00
/// in Paris, before, between and after both DST changes, once each; a
/// daily 02:30 post on the spring-forward night (02:30 does not exist)
/// goes out once, at 03:30 local, and once on the fall-back night (02:30
/// happens twice).
#[test]
fn a_simulated_year_fires_each_occurrence_once_at_its_local_time_across_dst() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("vigie.toml"),
        r#"data_dir = "data"
[plugins.schedule]
component = "builtin:schedule"
grants = ["post", "alert"]
[plugins.schedule.config]
timezone = "Europe/Paris"
[[plugins.schedule.config.posts]]
id = "monday"
channel = "general"
text = "weekly"
when = "2026-01-05 09:00"
repeat = "weekly"
days = ["mon"]
[[plugins.schedule.config.posts]]
id = "night"
channel = "general"
text = "nightly"
when = "2026-01-01 02:30"
repeat = "daily"
[[communities]]
id = "acme"
chain = ["schedule"]
"#,
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args([
            "simulate",
            "--from",
            "2026-01-01",
            "--days",
            "365",
            "--json",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let posts: Vec<(String, i64)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("a JSON line"))
        .filter(|a| a["type"] == "post")
        .map(|a| {
            (
                a["text"].as_str().unwrap_or("").to_string(),
                a["tick_ms"].as_i64().expect("a tick time"),
            )
        })
        .collect();
    assert!(
        !data_dir_touched(dir.path()),
        "simulate wrote a data directory"
    );
    let paris = |ms: i64| {
        // Paris is UTC+1 in winter, UTC+2 between 2026-03-29 01:00 UTC and
        // 2026-10-25 01:00 UTC.
        let summer = (1_774_746_000_000..1_792_890_000_000).contains(&ms);
        let local = time::OffsetDateTime::from_unix_timestamp(ms / 1000).unwrap()
            + time::Duration::hours(if summer { 2 } else { 1 });
        (local.date(), local.hour(), local.minute(), local.weekday())
    };
    let weekly: Vec<_> = posts
        .iter()
        .filter(|(t, _)| t == "weekly")
        .map(|(_, ms)| paris(*ms))
        .collect();
    assert_eq!(weekly.len(), 52, "{weekly:?}");
    assert!(
        weekly
            .iter()
            .all(|(_, h, m, d)| (*h, *m, *d) == (9, 0, time::Weekday::Monday)),
        "{weekly:?}"
    );
    let mut dates: Vec<_> = weekly.iter().map(|w| w.0).collect();
    dates.dedup();
    assert_eq!(dates.len(), 52, "a Monday twice");

    let nightly: Vec<_> = posts
        .iter()
        .filter(|(t, _)| t == "nightly")
        .map(|(_, ms)| paris(*ms))
        .collect();
    assert_eq!(nightly.len(), 365, "one a day");
    let mut days: Vec<_> = nightly.iter().map(|n| n.0).collect();
    days.dedup();
    assert_eq!(days.len(), 365, "a night twice");
    for (date, h, m, _) in &nightly {
        let spring = *date == time::macros::date!(2026 - 03 - 29);
        assert_eq!((*h, *m), if spring { (3, 30) } else { (2, 30) }, "{date}");
    }
}

fn data_dir_touched(dir: &Path) -> bool {
    dir.join("data").exists()
}

/// A poll on Synapse: votes by reacting to the bot's poll message (the
/// host labels such reactions) and by `!vote`, a vote replaced, a reaction
/// removed (its vote withdrawn), and the result announced at the deadline
/// with nobody speaking.
#[test]
fn a_poll_gets_votes_by_reaction_and_command_and_announces_its_result_at_the_deadline() {
    let synapse = Synapse::start();
    let modo = synapse.register("modo");
    let alice = synapse.register("alice");
    let bob = synapse.register("bob");
    let carol = synapse.register("carol");
    let dave = synapse.register("dave");
    synapse.register("vigie");
    let room = modo.create_room(&["@vigie:localhost"]);
    for user in [&alice, &bob, &carol, &dave] {
        user.join(&room);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = config(
        dir.path(),
        &synapse,
        &room,
        r#"[plugins.poll]
component = "builtin:poll"
grants = ["post", "reply", "react", "alert"]"#,
        r#"["poll"]"#,
    );
    let mut vigie = VigieProcess::start(&path, &password("vigie"));
    vigie.wait_listening();
    modo.send(&room, "!poll \"Tea or coffee?\" \"Tea\" \"Coffee\" 1min");
    let poll_message = wait_for("the poll", Duration::from_secs(60), || {
        bot_messages(&modo, &room)
            .into_iter()
            .find(|(b, _)| b.contains("Tea or coffee?"))
            .and_then(|(_, e)| e["event_id"].as_str().map(String::from))
    });
    alice.react(&room, &poll_message, "2️⃣");
    carol.react(&room, &poll_message, "2️⃣");
    // Dave votes, then takes his reaction back: no ballot is left.
    let second_thoughts = dave.react(&room, &poll_message, "1️⃣");
    std::thread::sleep(Duration::from_secs(3));
    dave.redact(&room, &second_thoughts);
    bob.send(&room, "!vote 2");
    // Bob changes his mind: his new vote replaces the first.
    bob.send(&room, "!vote 1");
    let confirmations = || {
        modo.timeline(&room)
            .iter()
            .filter(|e| e["sender"] == "@vigie:localhost" && e["type"] == "m.reaction")
            .count()
    };
    wait_for(
        "both votes by command confirmed",
        Duration::from_secs(60),
        || (confirmations() >= 2).then_some(()),
    );
    let last_message = Instant::now();
    let result = wait_for(
        "the result at the deadline",
        Duration::from_secs(120),
        || {
            bot_messages(&modo, &room)
                .into_iter()
                .map(|(b, _)| b)
                .find(|b| b.contains("closed"))
        },
    );
    let log = vigie.stop();
    assert!(
        last_message.elapsed() < Duration::from_secs(90),
        "the result came too late\n{log}"
    );
    assert!(result.contains("1️⃣ Tea: 1 vote"), "{result}");
    assert!(result.contains("2️⃣ Coffee: 2 votes"), "{result}");
    assert!(result.contains("3 ballots"), "{result}");
    assert!(result.contains("Winner: 2️⃣ Coffee"), "{result}");
}
