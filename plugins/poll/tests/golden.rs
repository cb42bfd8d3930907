//! Golden decisions: the plugin's actions, log lines and final key-value
//! store on the demo (with ticks, as the host runs it: no poll in it, so
//! nothing must happen), on the demo replayed, and on thousands of
//! generated events under several configs: polls started in both languages
//! (and mistyped), votes by command (single, multiple, `#n`, withdrawals,
//! out of range), reactions to the poll's message (labelled as the host
//! does), to the start command, to other messages, removals of reactions,
//! ends, cancels, results and ballot-list requests, staff, young accounts,
//! roles, ticks. A change of behaviour must show here: a deliberate one
//! rewrites `fixtures/golden.txt` with
//! `POLL_GOLDEN_WRITE=1 cargo test -p poll --test golden`.
//! `POLL_GOLDEN_DUMP=<dir>` also writes every decision as text there.
//!
//! Every published ballot list is checked against its hash with
//! `poll_tally::verify` on the way.

use poll::Poll;
use std::collections::BTreeMap;
use vigie_sdk::{Action, Author, Event, EventKind, Label, Plugin, TestHost};
use vigie_testkit::{demo_events, fnv1a, replay, Clock, Digest, Rng};

struct Run {
    digest: Digest,
    events: usize,
    actions: usize,
    verified: usize,
    dump: String,
}

impl Run {
    fn new() -> Self {
        Run {
            digest: Digest::default(),
            events: 0,
            actions: 0,
            verified: 0,
            dump: String::new(),
        }
    }

    fn record(&mut self, id: &str, actions: &[Action], host: &mut TestHost) {
        self.digest.actions(id, actions);
        self.events += 1;
        self.actions += actions.len();
        self.verified += check_published(actions);
        if !actions.is_empty() {
            self.dump.push_str(&format!("{id}\n"));
            for a in actions {
                self.dump.push_str(&format!("    {a:?}\n"));
            }
        }
        for (level, line) in host.logs.drain(..) {
            let l = format!("{level:?} {line}");
            self.digest.add(l.as_bytes());
            self.dump.push_str(&format!("  log {l}\n"));
        }
    }

    fn error(&mut self, id: &str, e: &str) {
        self.digest.add(id.as_bytes());
        self.digest.add(e.as_bytes());
        self.dump.push_str(&format!("{id} ERROR {e}\n"));
    }

    fn store(&mut self, hosts: &BTreeMap<String, TestHost>) {
        for host in hosts.values() {
            no_ballot_names_a_user(host);
        }
        for (community, host) in hosts {
            for (k, v) in &host.kv {
                self.digest.add(community.as_bytes());
                self.digest.add(k.as_bytes());
                self.digest.add(v);
                self.dump.push_str(&format!(
                    "kv {community} {k} = {}\n",
                    String::from_utf8_lossy(v)
                ));
            }
        }
    }

    fn line(&self, name: &str) -> String {
        format!(
            "{name}: {} events, {} actions, {} lists verified, digest {:016x}",
            self.events, self.actions, self.verified, self.digest.0
        )
    }
}

/// A results announcement posted with its ballot list (in the same call):
/// the list (its header names the poll) must verify against the hash of
/// the announcement's `vigie verify-poll` line. Returns how many were
/// checked.
fn check_published(actions: &[Action]) -> usize {
    let texts: Vec<&str> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Post(p) => Some(p.text.as_str()),
            Action::Alert(a) => Some(a.message.as_str()),
            _ => None,
        })
        .collect();
    let poll_of = |t: &str| -> Option<String> {
        let after = &t[t.find('#')? + 1..];
        Some(after.chars().take_while(char::is_ascii_digit).collect())
    };
    let lists: Vec<(String, &str)> = texts
        .iter()
        .filter_map(|t| {
            let start = t.find("```\n")? + 4;
            let end = t.rfind("```")?;
            let list = &t[start..end];
            let poll = list
                .lines()
                .next()?
                .split(' ')
                .nth(2)?
                .strip_prefix("poll=")?;
            Some((poll.to_string(), list))
        })
        .collect();
    let mut checked = 0;
    for t in &texts {
        let Some(hash) = t
            .lines()
            .find(|l| l.starts_with("vigie verify-poll"))
            .and_then(|l| l.rsplit(' ').next())
        else {
            continue;
        };
        let Some(poll) = poll_of(t) else { continue };
        for (_, list) in lists.iter().filter(|(p, _)| *p == poll) {
            // A list of the same poll in the same call is its list, whole
            // (posted with the results) or one part of it (on request).
            if !t.contains("La liste suit") && !t.contains("The list follows") {
                continue;
            }
            let report = poll_tally::verify(list, hash)
                .unwrap_or_else(|e| panic!("a published list does not verify: {e}\n{list}"));
            assert!(report.exact);
            checked += 1;
        }
    }
    checked
}

/// The keys and values of anonymous polls hold no user id (the generated
/// ids are `u-0` … `u-8` and `bad id with spaces`), nor do the ballots,
/// reaction records and ballot lists of public polls (their ballot ids are
/// pseudonyms too), and closed polls keep no key.
fn no_ballot_names_a_user(host: &TestHost) {
    for (k, v) in &host.kv {
        let Some(rest) = k.strip_prefix("poll/") else {
            continue;
        };
        let Some((id, _)) = rest.split_once('/') else {
            continue;
        };
        let Some(meta) = host.kv.get(&format!("poll/{id}/meta")) else {
            continue;
        };
        let meta: serde_json::Value = serde_json::from_slice(meta).unwrap();
        if meta["status"] != "open" {
            assert!(!k.ends_with("/key"), "a closed poll keeps its key: {k}");
        }
        let ballots = ["b/", "rx/", "list/"]
            .iter()
            .any(|p| k.starts_with(&format!("poll/{id}/{p}")));
        if meta["anonymous"] != true && !ballots {
            continue;
        }
        let v = String::from_utf8_lossy(v);
        for text in [k.as_str(), &v] {
            assert!(
                !text.contains("u-") && !text.contains("bad id"),
                "poll {id} (anonymous: {}): {k} = {v}",
                meta["anonymous"]
            );
        }
    }
}

/// A step of a scenario: an event, or a tick of a community.
#[allow(clippy::large_enum_variant)] // a test scenario; size does not matter
enum Step {
    Event(Event),
    Tick(String, i64),
}

/// Steps through a fresh instance each (nothing may live only in memory),
/// or one instance for all.
fn through(config: &str, steps: &[Step], fresh: bool) -> Run {
    let mut plugin = Poll::configure(config).unwrap();
    let mut hosts: BTreeMap<String, TestHost> = BTreeMap::new();
    let mut run = Run::new();
    for step in steps {
        if fresh {
            plugin = Poll::configure(config).unwrap();
        }
        let (community, now, id) = match step {
            Step::Event(e) => (&e.community, e.timestamp_ms, e.id.clone()),
            Step::Tick(c, now) => (c, *now, format!("tick {c} {now}")),
        };
        let host = hosts
            .entry(community.clone())
            .or_insert_with(|| TestHost::new().seeded(fnv1a(community.as_bytes())));
        host.now_ms = now;
        let result = match step {
            Step::Event(e) => plugin.handle(host, e),
            Step::Tick(_, now) => plugin.tick(host, *now),
        };
        match result {
            Ok(out) => run.record(&id, &out, host),
            Err(err) => run.error(&id, &err),
        }
    }
    run.store(&hosts);
    run
}

/// The events, each community ticking every minute of its time before each
/// of its events, as the host does; `until` ticks on after the last one.
fn with_ticks(events: Vec<Event>, until: i64) -> Vec<Step> {
    let mut next: BTreeMap<String, i64> = BTreeMap::new();
    let mut out = Vec::new();
    let mut tick_until = |c: &str, t: i64, out: &mut Vec<Step>| {
        let n = next.entry(c.to_string()).or_insert(t - t % 60_000 + 60_000);
        while *n <= t {
            out.push(Step::Tick(c.to_string(), *n));
            *n += 60_000;
        }
    };
    let mut communities: Vec<String> = events.iter().map(|e| e.community.clone()).collect();
    communities.sort();
    communities.dedup();
    for e in events {
        tick_until(&e.community, e.timestamp_ms, &mut out);
        out.push(Step::Event(e));
    }
    for c in communities {
        tick_until(&c, until, &mut out);
    }
    out
}

/// Configs that use every key.
const CONFIGS: &[&str] = &[
    "{}",
    r#"{"who_can_start": "everyone", "results": "end", "default_duration": "20min",
        "min_account_age_days": 7, "publish_ballots_limit": 5}"#,
    r#"{"lang": "en", "results": "staff", "staff_can_vote": false,
        "required_roles": ["Member", "VIP"], "refuse_unknown_account_age": true,
        "min_account_age_days": 1, "confirm_emoji": ""}"#,
    r#"{"lang": "fr", "command_prefixes": ["!Sondage", "!poll"], "vote_prefixes": ["!Voter"],
        "entry_name": "sondage", "max_open_polls": 2, "publish_ballots_limit": 0,
        "default_duration": "1h30", "who_can_start": "everyone"}"#,
];

const CHANNELS: &[&str] = &["general", "general", "general", "sondages", "support"];

const STARTS: &[&str] = &[
    "!sondage « Quelle saveur pour l'hiver ? » « Vanille » « Chocolat » « Fraise » 30min",
    "!sondage nouveau « Café préféré ? » « Moka » « Arabica » 1h anonyme",
    "!sondage « Ouvrir le dimanche ? » « Oui » « Non » « Peu importe » 45 min résultats=fin",
    "!poll \"Best day for the tasting?\" \"Monday\" \"Friday\" \"Saturday\" \"Sunday\" 1h multi=2",
    "!poll start “Which mug?” “Blue” “Red” 20min anonymous results=staff",
    "!poll \"Pick any\" \"One\" \"Two\" \"Three\" \"Four\" \"Five\" multi 2h anonymous results=live",
    "!poll \"Quick?\" \"Yes\" \"No\" 2min",
    "!Sondage « Q » « A » « B » « C » « D » « E » « F » « G » « H » « I » « J » 1h choix=3",
];

const BAD_STARTS: &[&str] = &[
    "!poll \"Alone?\" \"Yes\"",
    "!poll \"Q?\" \"A\" \"B\" 2 moons",
    "!sondage « Q ? » « A » « B » 200j",
    "!poll \"Q?\" \"A\" \"a\"",
    "!poll \"Q?\" \"A\" \"B\" multi=5",
    "!sondage « Q ? » « A » « B",
    "!poll Q? A B",
];

const VOTES: &[&str] = &[
    "!vote 1",
    "!vote 2",
    "!voter 3",
    "!vote 2️⃣",
    "!vote 1 3",
    "!vote 1,2,3",
    "!voter #1 2",
    "!vote #2 1",
    "!vote #3 2 1",
    "!vote 2 #4",
    "!vote #9 1",
    "!vote 11",
    "!vote 0",
    "!vote pizza",
    "!vote",
    "!vote clear",
    "!voter retirer",
];

const ENDS: &[&str] = &[
    "!poll end",
    "!sondage fin",
    "!poll end #1",
    "!sondage fin #2",
    "!poll cancel",
    "!sondage annuler #3",
];

const COMMANDS: &[&str] = &[
    "!poll results",
    "!sondage résultats #1",
    "!poll results #2",
    "!poll ballots",
    "!sondage bulletins #1",
    "!poll ballots #2 2",
    "!poll list",
    "!sondage aide",
    "!poll",
    "!poll frobnicate",
];

const OTHER: &[&str] = &["Bonjour à tous", "je vote pour la vanille", ""];

const EMOJI: &[&str] = &["1️⃣", "2️⃣", "3️⃣", "4️⃣", "🔟", "1", "2", "👍", "🎉", "0️⃣"];

fn author(rng: &mut Rng) -> Author {
    let k = rng.below(10);
    let roles: &[&str] = match k % 4 {
        0 => &["member"],
        1 => &["VIP"],
        2 => &["newcomer"],
        _ => &[],
    };
    Author {
        id: if k == 9 {
            "bad id with spaces".to_string()
        } else {
            format!("u-{k}")
        },
        name: format!("Name {k}"),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        account_age_days: match k % 3 {
            0 => None,
            1 => Some(2),
            _ => Some(400),
        },
        is_staff: k == 7 || k == 8,
    }
}

fn label(key: &str, note: &str) -> Label {
    Label {
        key: key.to_string(),
        value: 1.0,
        note: Some(note.to_string()),
        plugin: "vigie".to_string(),
    }
}

/// `n` generated events and ticks in two communities.
fn scenario(n: usize, seed: u64) -> Vec<Step> {
    const T0: i64 = 1_763_805_600_000; // 2025-11-22T10:00:00Z
    let mut rng = Rng(seed);
    let mut t = T0;
    let mut starts: Vec<String> = vec!["nothing".into()];
    let mut reactions: Vec<String> = vec!["nothing".into()];
    let mut out = Vec::new();
    for i in 0..n {
        let community = if rng.chance(80) { "c1" } else { "c2" };
        t += match rng.below(1000) {
            0..=2 => 3 * 3_600_000,
            3..=12 => 20 * 60_000,
            _ => rng.below(20_000) as i64,
        };
        if rng.chance(10) {
            out.push(Step::Tick(community.to_string(), t));
            continue;
        }
        let mut e = vigie_sdk::test_event(&format!("e{i}"), "x", "");
        e.community = community.to_string();
        e.channel = rng.pick(CHANNELS).to_string();
        e.author = author(&mut rng);
        e.timestamp_ms = t;
        match rng.below(100) {
            0..=64 => {
                e.kind = EventKind::Message;
                e.text = match rng.below(100) {
                    0..=5 => rng.pick(STARTS),
                    6..=8 => rng.pick(BAD_STARTS),
                    9..=77 => rng.pick(VOTES),
                    78..=79 => rng.pick(ENDS),
                    80..=89 => rng.pick(COMMANDS),
                    _ => rng.pick(OTHER),
                }
                .to_string();
                let starting = (e.text.starts_with("!poll") || e.text.starts_with("!sondage"))
                    && e.text.contains(['"', '«', '“']);
                if starting {
                    e.author.is_staff = rng.chance(70);
                    starts.push(e.id.clone());
                }
                if e.text.contains(" end") || e.text.contains(" fin") || e.text.contains("annuler")
                {
                    e.author.is_staff = rng.chance(60);
                }
            }
            65..=89 => {
                e.kind = EventKind::Reaction;
                e.reaction = Some(rng.pick(EMOJI).to_string());
                let start = starts[starts.len() - 1 - rng.below(starts.len().min(4))].clone();
                match rng.below(10) {
                    0..=5 => {
                        e.target_message = Some(format!("$bot-{start}"));
                        let by = rng.pick(&["poll", "poll", "sondage", "giveaway"]);
                        e.labels =
                            vec![label("vigie.sent-by", by), label("vigie.sent-for", &start)];
                    }
                    6..=7 => e.target_message = Some(start),
                    _ => e.target_message = Some(format!("other-{i}")),
                }
                reactions.push(e.id.clone());
            }
            90..=96 => {
                e.kind = EventKind::Deletion;
                let k = reactions.len() - 1 - rng.below(reactions.len().min(30));
                e.target_message = Some(reactions[k].clone());
            }
            _ => {
                e.kind = rng.pick(&[EventKind::Join, EventKind::Edit]);
                e.text = rng.pick(VOTES).to_string();
            }
        }
        out.push(Step::Event(e));
    }
    out
}

#[test]
fn decisions_match_the_golden_digests() {
    let mut lines = Vec::new();
    let mut dumps = Vec::new();
    let mut add = |name: &str, run: Run| {
        lines.push(run.line(name));
        dumps.push((name.replace(' ', "-"), run.dump));
    };
    let demo = demo_events();
    let last = demo.last().unwrap().timestamp_ms;
    let declared = |e: &Event| {
        matches!(
            e.kind,
            EventKind::Message | EventKind::Reaction | EventKind::Deletion
        )
    };
    add(
        "demo with ticks",
        through(
            "{}",
            &with_ticks(
                demo.iter().filter(|e| declared(e)).cloned().collect(),
                last + 3_600_000,
            ),
            true,
        ),
    );
    add(
        "replay bench",
        through(
            "{}",
            &replay(10, Clock::Bench)
                .into_iter()
                .map(Step::Event)
                .collect::<Vec<_>>(),
            false,
        ),
    );
    let mut verified = 0;
    for (k, config) in CONFIGS.iter().enumerate() {
        for (s, fresh) in [(1u64, false), (2, true)] {
            let steps = scenario(3_000, s * 100 + k as u64);
            let run = through(config, &steps, fresh);
            verified += run.verified;
            add(&format!("scenario {k}.{s}"), run);
        }
    }
    assert!(verified >= 20, "only {verified} published lists checked");
    let got = lines.join("\n") + "\n";
    if let Ok(dir) = std::env::var("POLL_GOLDEN_DUMP") {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, dump) in &dumps {
            std::fs::write(format!("{dir}/{name}.txt"), dump).unwrap();
        }
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/golden.txt");
    if std::env::var_os("POLL_GOLDEN_WRITE").is_some() {
        std::fs::create_dir_all(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).unwrap();
        std::fs::write(path, &got).unwrap();
    }
    println!("{got}");
    let want = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(got, want, "decisions changed");
}
