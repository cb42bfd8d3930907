//! Golden decisions: the plugin's actions, log lines and final key-value
//! store on the demo (with ticks, as the host runs it), on the demo
//! replayed (without ticks, as the benchmarks run it, and with ticks and
//! contests left to reach their deadline), and on thousands of generated
//! events under a dozen configs: commands of every kind (and mistyped),
//! entries by keyword (in every spelling) and by reaction, late entries,
//! staff, young accounts, roles, bonus entries, scheduled contests, ticks.
//! An optimisation must leave every digest of `fixtures/golden.txt`
//! unchanged; a deliberate change of behaviour rewrites it with
//! `GIVEAWAY_GOLDEN_WRITE=1 cargo test -p giveaway --test golden`.
//! `GIVEAWAY_GOLDEN_DUMP=<dir>` also writes every decision as text there.
//!
//! Keys that only speed things up (the `open` index) are left out of the
//! store's digest: they are not decisions.

mod common;

use common::{demo_events, fnv1a, replay, Clock, Digest, Rng, TURNS};
use giveaway::Giveaway;
use std::collections::BTreeMap;
use vigie_sdk::{Action, Author, Event, EventKind, Plugin, TestHost};

/// Keys that are not part of the plugin's decisions.
fn ignored_key(k: &str) -> bool {
    k == "open"
}

struct Run {
    digest: Digest,
    events: usize,
    actions: usize,
    dump: String,
}

impl Run {
    fn new() -> Self {
        Run {
            digest: Digest::default(),
            events: 0,
            actions: 0,
            dump: String::new(),
        }
    }

    fn record(&mut self, id: &str, actions: &[Action], host: &mut TestHost) {
        self.digest.actions(id, actions);
        self.events += 1;
        self.actions += actions.len();
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

    fn store(&mut self, hosts: &mut BTreeMap<String, TestHost>) {
        // A contest loaded is the contest stored, whatever is remembered.
        for host in hosts.values_mut() {
            let metas: Vec<(u64, Vec<u8>)> = host
                .kv
                .iter()
                .filter_map(|(k, v)| {
                    let id = k.strip_prefix("contest/")?.strip_suffix("/meta")?;
                    Some((id.parse().ok()?, v.clone()))
                })
                .collect();
            for (id, raw) in metas {
                let stored: giveaway::store::Contest = serde_json::from_slice(&raw).unwrap();
                assert_eq!(giveaway::store::load(host, id), Some(stored));
            }
        }
        for (community, host) in hosts.iter() {
            for (k, v) in host.kv.iter().filter(|(k, _)| !ignored_key(k)) {
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
            "{name}: {} events, {} actions, digest {:016x}",
            self.events, self.actions, self.digest.0
        )
    }
}

/// A step of a scenario: an event, or a tick of a community.
#[allow(clippy::large_enum_variant)] // a test scenario; size does not matter
enum Step {
    Event(Event),
    Tick(String, i64),
}

/// Steps through a fresh instance each (nothing may live only in memory),
/// or one instance for all (as the benchmarks run it).
fn through(config: &str, steps: &[Step], fresh: bool) -> Run {
    let mut plugin = Giveaway::configure(config).unwrap();
    let mut hosts: BTreeMap<String, TestHost> = BTreeMap::new();
    let mut run = Run::new();
    for step in steps {
        if fresh {
            plugin = Giveaway::configure(config).unwrap();
        }
        match step {
            Step::Event(e) => {
                let host = hosts
                    .entry(e.community.clone())
                    .or_insert_with(|| TestHost::new().seeded(seed_for(&e.community)));
                host.now_ms = e.timestamp_ms;
                match plugin.handle(host, e) {
                    Ok(out) => run.record(&e.id, &out, host),
                    Err(err) => run.error(&e.id, &err),
                }
            }
            Step::Tick(community, now) => {
                let host = hosts
                    .entry(community.clone())
                    .or_insert_with(|| TestHost::new().seeded(seed_for(community)));
                host.now_ms = *now;
                let id = format!("tick {community} {now}");
                match plugin.tick(host, *now) {
                    Ok(out) => run.record(&id, &out, host),
                    Err(err) => run.error(&id, &err),
                }
            }
        }
    }
    run.store(&mut hosts);
    run
}

fn seed_for(community: &str) -> u64 {
    fnv1a(community.as_bytes())
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
    let communities: Vec<String> = {
        let mut c: Vec<String> = events.iter().map(|e| e.community.clone()).collect();
        c.sort();
        c.dedup();
        c
    };
    for e in events {
        tick_until(&e.community, e.timestamp_ms, &mut out);
        out.push(Step::Event(e));
    }
    for c in communities {
        tick_until(&c, until, &mut out);
    }
    out
}

fn events_only(events: Vec<Event>) -> Vec<Step> {
    events.into_iter().map(Step::Event).collect()
}

/// Configs that use every key.
const CONFIGS: &[&str] = &[
    "{}",
    r#"{"min_account_age_days": 1}"#,
    r#"{"lang": "en", "min_account_age_days": 7, "required_roles": ["Member", "VIP"],
        "bonus": {"vip": 2, "Membre": 1}, "dm_winners": true, "publish_entries_limit": 3}"#,
    r#"{"keywords": ["Moi Aussi", "J’en suis", "ÉNORME", "!go", "ｆｕｌｌ"], "reaction_emoji": "*",
        "confirm_emoji": "", "exclude_staff": false, "command_prefixes": ["!Jeu", "!concours"]}"#,
    r#"{"reaction_emoji": "❤️", "reaction_message_ids": ["pin-1", "pin-2"], "dm_refusals": false,
        "announce_channel": "annonces", "max_winners": 3}"#,
    r#"{"lang": "fr", "publish_entries_limit": 0, "scheduled": [
        {"id": "noel", "prize": "Coffret de Noël", "start": "2025-11-22T10:30:00Z",
         "duration": "1h", "winners": 2, "channel": "concours"},
        {"id": "en", "prize": "Gift box", "start": "2025-11-22T11:00:00+01:00",
         "duration": "2h30", "channel": "general", "lang": "en"},
        {"id": "old", "prize": "Old", "start": "2025-11-01T12:00:00Z", "duration": "1h",
         "channel": "other"}]}"#,
];

const CHANNELS: &[&str] = &["concours", "general", "annonces", "support"];

const TEXTS: &[&str] = &[
    "!participer",
    "!PARTICIPER !!",
    "  !participer",
    "!participer😀",
    "!participerai",
    "je participe",
    "Je participe ! c'est mon premier",
    "JE  PARTICIPE",
    "je\u{a0}participe",
    "je participé",
    "je participez",
    "moi je participe !",
    "I'm in 🙌",
    "I’m IN",
    "im in",
    "count me in",
    "Count me in, please",
    "!enter",
    "!enter2",
    "!Enter.",
    "moi aussi",
    "Moi aussi!",
    "j'en suis",
    "énorme",
    "ENORME!",
    "full",
    "ｆｕｌｌ",
    "!go",
    "!gone",
    "pour participer, tapez !participer",
    "Bonjour à tous",
    "🎉🎉",
    "",
    "   ",
    "\u{301}!participer",
    "Ça va ?",
    "Merci !",
    "c koi les horaires",
    "!giveaway",
    "!giveaway help",
    "!concours aide",
    "!giveaway status",
    "!concours statut #1",
    "!giveaway status #2",
    "!giveaway status #x",
    "!giveaway start \"Mug\" 2h",
    "!giveaway start \"Coffret dégustation Noël\" 2h 3",
    "!concours lancer « Lot de café » 1j 2",
    "!giveaway start Coffret Noël 30min 2 winners",
    "!giveaway start \"Mug\" 1h30 3 gagnants",
    "!giveaway begin 'Tasse' 45m",
    "!giveaway start \"Mug\" demain",
    "!giveaway start \"Mug\" 2h 50",
    "!giveaway start \"Mug\" 100j",
    "!giveaway start",
    "!giveaway start \"\" 2h",
    "!giveaway new “Beans” 1 day 1",
    "!giveaway end",
    "!concours fin",
    "!giveaway end #1",
    "!giveaway end #2",
    "!giveaway draw #9",
    "!giveaway cancel",
    "!concours annuler #2",
    "!giveaway reroll @u-1",
    "!giveaway reroll u-2 #1",
    "!giveaway reroll <@u-3>",
    "!giveaway reroll Name 4",
    "!giveaway reroll",
    "!giveaway reroll @nobody #1",
    "!giveaway frobnicate",
    "!GIVEAWAY HELP",
    "!jeu aide",
    "!jeu lancer « Lot » 2h",
    "!jeux aide",
];

const EMOJI: &[&str] = &["🎉", "❤️", "❤", "👍", " 🎉 ", "🎉\u{fe0f}"];

fn author(rng: &mut Rng) -> Author {
    let k = rng.below(10);
    let roles: &[&str] = match k % 5 {
        0 => &["member"],
        1 => &["VIP"],
        2 => &["Membre", "vip"],
        3 => &["newcomer"],
        _ => &[],
    };
    Author {
        id: if k == 9 {
            "bad\tid".to_string()
        } else {
            format!("u-{k}")
        },
        name: format!("Name {k}"),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        account_age_days: match k % 4 {
            0 => None,
            1 => Some(0),
            2 => Some(3),
            _ => Some(400),
        },
        is_staff: k == 7 || k == 8,
    }
}

/// `n` generated events and ticks in two communities, starting at T0.
fn scenario(n: usize, seed: u64) -> Vec<Step> {
    const T0: i64 = 1_763_805_600_000; // 2025-11-22T10:00:00Z
    let mut rng = Rng(seed);
    let mut t = T0;
    let mut ids: Vec<String> = vec!["pin-1".into(), "pin-2".into(), "nothing".into()];
    let mut out = Vec::new();
    for i in 0..n {
        let community = if rng.chance(80) { "c1" } else { "c2" };
        // Mostly seconds apart, now and then hours.
        t += match rng.below(100) {
            0..=1 => 3 * 3_600_000,
            2..=5 => 20 * 60_000,
            _ => rng.below(90_000) as i64,
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
            0..=74 => {
                e.kind = EventKind::Message;
                e.text = rng.pick(TEXTS).to_string();
                // Staff start contests more often than the rest.
                if e.text.contains(" start") || e.text.contains(" lancer") {
                    e.author.is_staff = rng.chance(80);
                }
            }
            75..=92 => {
                e.kind = EventKind::Reaction;
                e.reaction = (!rng.chance(3)).then(|| rng.pick(EMOJI).to_string());
                e.target_message = (!rng.chance(3)).then(|| {
                    let k = ids.len() - 1 - rng.below(ids.len().min(40));
                    ids[k].clone()
                });
            }
            _ => {
                e.kind = rng.pick(&[EventKind::Join, EventKind::Edit, EventKind::Leave]);
                e.text = rng.pick(TEXTS).to_string();
            }
        }
        ids.push(e.id.clone());
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
    let cfg = r#"{"min_account_age_days": 1}"#;
    let declared = |e: &Event| matches!(e.kind, EventKind::Message | EventKind::Reaction);
    add(
        "demo with ticks",
        through(
            cfg,
            &with_ticks(
                demo.iter().filter(|e| declared(e)).cloned().collect(),
                last + 4 * 3_600_000,
            ),
            true,
        ),
    );
    add(
        "replay steady",
        through(cfg, &events_only(replay(40, Clock::Steady)), false),
    );
    add(
        "replay bench",
        through(cfg, &events_only(replay(40, Clock::Bench)), false),
    );
    let turns = replay(12, TURNS);
    let until = turns.last().unwrap().timestamp_ms + 4 * 3_600_000;
    add(
        "replay turns with ticks",
        through(cfg, &with_ticks(turns, until), true),
    );
    for (k, config) in CONFIGS.iter().enumerate() {
        for (s, fresh) in [(1u64, false), (2, true)] {
            let steps = scenario(3_000, s * 100 + k as u64);
            add(&format!("scenario {k}.{s}"), through(config, &steps, fresh));
        }
    }
    let got = lines.join("\n") + "\n";
    if let Ok(dir) = std::env::var("GIVEAWAY_GOLDEN_DUMP") {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, dump) in &dumps {
            std::fs::write(format!("{dir}/{name}.txt"), dump).unwrap();
        }
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/golden.txt");
    if std::env::var_os("GIVEAWAY_GOLDEN_WRITE").is_some() {
        std::fs::write(path, &got).unwrap();
    }
    println!("{got}");
    let want = std::fs::read_to_string(path).unwrap();
    assert_eq!(got, want, "decisions changed");
}
