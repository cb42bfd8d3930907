//! `vigie::contests` reads what the real giveaway and poll plugins keep in
//! the store: the compiled components run through the pipeline, then the
//! module's contests, verification data, commands and lists are checked
//! against the plugins' own announcements and with the real
//! `verify-draw` / `verify-poll` logic. A change of either plugin's stored
//! format fails here.

use crate::env::{message, TestEnv};
use vigie::contests::{self, Kind, Outcome, Scope, Status, Verification};
use vigie::Action;

/// A message of `user` in `channel` at `at_ms`, staff or not.
pub fn chat(id: &str, user: &str, staff: bool, channel: &str, text: &str, at_ms: i64) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&message(id, "acme", user, text)).unwrap();
    v["author"]["is_staff"] = staff.into();
    v["channel"] = channel.into();
    v["timestamp"] = vigie::event::format_ms(at_ms).into();
    v.to_string()
}

/// The events of one finished giveaway (3 entries, 2 winners), one
/// finished poll (3 ballots), and one giveaway (deadline 2 h after the
/// start) and one poll (1 h) left running; the events start at
/// `start_ms`, a minute apart (a host on the wall clock must get them in
/// the past, and not 1 h after `start_ms` yet, or ticks close the running
/// ones).
pub fn contest_events(start_ms: i64) -> Vec<String> {
    let lines = [
        (
            "g1",
            "mod",
            true,
            "general",
            "!giveaway start \"Mug <b>\" 2h 2",
        ),
        ("g1a", "ana", false, "general", "!enter"),
        ("g1b", "bob", false, "general", "!enter"),
        ("g1c", "cid", false, "general", "!enter"),
        ("g1e", "mod", true, "general", "!giveaway end"),
        (
            "p1",
            "mod",
            true,
            "polls",
            "!poll \"Tea or coffee?\" \"Tea\" \"Coffee\" 1h",
        ),
        ("p1a", "ana", false, "polls", "!vote 1"),
        ("p1b", "bob", false, "polls", "!vote 2"),
        ("p1c", "cid", false, "polls", "!vote 2"),
        ("p1e", "mod", true, "polls", "!poll end"),
        (
            "g2",
            "mod",
            true,
            "concours",
            "!giveaway start \"Cup\" 2h 1",
        ),
        ("g2a", "ana", false, "concours", "!enter"),
        (
            "p2",
            "mod",
            true,
            "polls",
            "!poll \"Cake?\" \"Yes\" \"No\" 1h",
        ),
        ("p2a", "bob", false, "polls", "!vote 1"),
    ];
    lines
        .iter()
        .enumerate()
        .map(|(k, (id, user, staff, channel, text))| {
            chat(
                id,
                user,
                *staff,
                channel,
                text,
                start_ms + 60_000 * k as i64,
            )
        })
        .collect()
}

pub const CHAINS: &str = r#"[plugins.giveaway]
component = "builtin:giveaway"
grants = ["post", "reply", "react", "dm"]

[plugins.poll]
component = "builtin:poll"
grants = ["post", "reply", "react", "alert"]

[[communities]]
id = "acme"
chain = ["giveaway", "poll"]
"#;

/// The `vigie verify-…` line of the posts whose reason starts with `why`.
fn announced_command(actions: &[vigie::DecidedAction], why: &str) -> String {
    actions
        .iter()
        .filter(|a| a.action.reason().starts_with(why))
        .filter_map(|a| match &a.action {
            Action::Post { text, .. } => Some(text.clone()),
            _ => None,
        })
        .flat_map(|t| t.lines().map(String::from).collect::<Vec<_>>())
        .find(|l| l.starts_with("vigie verify-"))
        .unwrap_or_else(|| panic!("no verify command in the `{why}` posts: {actions:#?}"))
}

#[test]
fn contests_of_the_real_plugins_verify() {
    let env = TestEnv::new(CHAINS);
    // Recent, in case the run ticks on the wall clock.
    let out = env.run(&contest_events(vigie::connector::now_ms() - 20 * 60_000));
    let store = vigie::SledStore::open(&env.dir.path().join("data/store")).unwrap();
    let scopes = [
        Scope {
            community: "acme".into(),
            entry: "giveaway".into(),
            kind: Kind::Giveaway,
        },
        Scope {
            community: "acme".into(),
            entry: "poll".into(),
            kind: Kind::Poll,
        },
    ];
    let all = contests::list(&store, &scopes).unwrap();
    let summary: Vec<(Kind, u64, Status, u64)> = all
        .iter()
        .map(|c| (c.scope.kind, c.id, c.status, c.count))
        .collect();
    // Running first (soonest deadline first), then past (latest end first).
    assert_eq!(
        summary,
        vec![
            (Kind::Poll, 2, Status::Running, 1),
            (Kind::Giveaway, 2, Status::Running, 1),
            (Kind::Poll, 1, Status::Ended, 3),
            (Kind::Giveaway, 1, Status::Ended, 3),
        ],
        "{all:#?}"
    );

    // The running giveaway: its commitment, never its seed.
    let running = &all[1];
    assert_eq!(running.title, "Cup");
    assert_eq!(running.channel, "concours");
    match &running.verification {
        Verification::Draw {
            seed, commitment, ..
        } => {
            assert_eq!(*seed, None);
            assert_eq!(commitment.len(), 64);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(running.verify_command("f"), None);
    assert_eq!(
        contests::published_list(&store, &running.scope, 2).unwrap(),
        None
    );
    assert!(matches!(
        &all[0].outcome,
        Outcome::Poll { counts: None, .. }
    ));

    // The ended giveaway: the command is the one its end announcement
    // gave, and the list verifies with the real verify-draw logic.
    let draw = &all[3];
    assert_eq!(draw.title, "Mug <b>");
    // (French or English, the announcement names its own file.)
    let announced = announced_command(&out.actions, "giveaway #1: draw");
    let file = announced.rsplit(' ').next().unwrap();
    assert_eq!(draw.verify_command(file).unwrap(), announced);
    let list = contests::published_list(&store, &draw.scope, 1)
        .unwrap()
        .unwrap();
    let text = String::from_utf8(list).unwrap();
    let Verification::Draw {
        seed: Some(seed),
        commitment,
        entries_hash: Some(hash),
        picks,
    } = &draw.verification
    else {
        panic!("{:?}", draw.verification)
    };
    let verified = giveaway_draw::verify_published(seed, commitment, &text, hash, *picks).unwrap();
    assert!(verified.was_canonical);
    assert_eq!(verified.entry_count, 3);
    let Outcome::Giveaway {
        winners,
        winners_wanted: 2,
        ..
    } = &draw.outcome
    else {
        panic!("{:?}", draw.outcome)
    };
    let ids: Vec<&String> = winners.iter().map(|(id, _)| id).collect();
    assert_eq!(ids, verified.winners.iter().collect::<Vec<_>>());

    // The ended poll: the same for verify-poll.
    let poll = &all[2];
    assert_eq!(poll.title, "Tea or coffee?");
    let announced = announced_command(&out.actions, "poll #1: results");
    let file = announced.split(' ').nth(3).unwrap();
    assert_eq!(poll.verify_command(file).unwrap(), announced);
    assert!(matches!(&poll.outcome, Outcome::Poll { counts: Some(c), .. } if c == &[1, 2]));
    let list = contests::published_list(&store, &poll.scope, 1)
        .unwrap()
        .unwrap();
    let Verification::Tally {
        ballots_hash: Some(hash),
    } = &poll.verification
    else {
        panic!("{:?}", poll.verification)
    };
    let report = poll_tally::verify(&String::from_utf8(list).unwrap(), hash).unwrap();
    assert!(report.exact);
    assert_eq!(report.tally.counts, vec![1, 2]);
    drop(store);

    // `vigie report` finds the same contests with no config (from the
    // action log and the plugins' key-value spaces) and reports them.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["report", "--data-dir"])
        .arg(env.dir.path().join("data"))
        .args(["--format", "json", "--lang", "en"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows: Vec<(String, u64, String, u64)> = json["contests"]
        .as_array()
        .unwrap_or_else(|| panic!("no contests in the report: {json}"))
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_string(),
                c["id"].as_u64().unwrap(),
                c["status"].as_str().unwrap().to_string(),
                c["entries"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, u64, String, u64)> = [
        ("giveaway", 1, "ended", 3),
        ("poll", 1, "ended", 3),
        ("giveaway", 2, "running", 1),
        ("poll", 2, "running", 1),
    ]
    .iter()
    .map(|(k, id, s, n)| (k.to_string(), *id, s.to_string(), *n))
    .collect();
    assert_eq!(rows, expected, "{json}");
    let figure = |id: &str| {
        json["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap_or_else(|| panic!("no {id}"))["value"]
            .clone()
    };
    assert_eq!(figure("contests.run"), 4.0);
    assert_eq!(figure("contests.entries"), 8.0);
    assert_eq!(json["contests"][0]["winners"].as_array().unwrap().len(), 2);
    assert_eq!(json["contests"][1]["results"][1]["answer"], "Coffee");
    assert_eq!(json["contests"][1]["results"][1]["ballots"], 2);
}
