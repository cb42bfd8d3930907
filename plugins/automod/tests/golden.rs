//! Golden decisions: the plugin's actions (and, for the replays, its final
//! key-value store) on the demo, the demo replayed, the evasion set, the
//! clean sentences, worst-case messages and thousands of generated messages
//! under the bare config and under a config that uses every kind of rule.
//! An optimisation must leave every digest of `fixtures/golden.txt`
//! unchanged; a deliberate change of behaviour rewrites it with
//! `AUTOMOD_GOLDEN_WRITE=1 cargo test -p automod --test golden`.
//! `AUTOMOD_GOLDEN_DUMP=<dir>` also writes every decision as text there, to
//! see what changed.

mod common;

use automod::lists::default_list;
use automod::Automod;
use common::*;
use std::collections::BTreeMap;
use vigie_sdk::{test_event, Event, EventKind, Plugin, TestHost};

/// A config that uses every kind of condition, action and option.
pub const FULL_CONFIG: &str = r#"{
  "extra_words": ["badword", "scam*", "va te faire voir", "*coin*", "🤑"],
  "allow_words": ["con", "bitcoin"],
  "default_language": "en",
  "exempt_roles": ["VIP"],
  "strike_decay_s": 60,
  "invite_domains": ["discord.gg", "t.me", "chat.example/join"],
  "default_rules": ["flood", "repeats", "invites", "new-account-links"],
  "rules": [
    {"id": "no-invites", "priority": 5, "links": {"invites": true},
     "actions": ["delete", "warn"], "ladder": ["warn", "timeout:600", "timeout:1d", "ban"]},
    {"id": "bad-words", "priority": 100, "word_list": true, "actions": ["delete", "warn"],
     "ladder": ["warn", "timeout:10m", "timeout:1d", "ban:7d"]},
    {"id": "newcomer-links", "priority": 20, "roles": ["newcomer"],
     "links": {"any": true, "allow": ["acme.example", "*.acme.example"]},
     "actions": ["delete", "flag"], "warning": "{user}, les liens sont réservés ({rule}, {match})."},
    {"id": "shouting", "priority": 60, "caps": {"ratio": 0.8, "min_letters": 20},
     "actions": ["label"], "strike_weight": 0},
    {"id": "phone", "priority": 70, "patterns": ["\\b0[67](\\s?\\d\\d){4}\\b", "fr[e3]e\\s+n[i1]tro"],
     "actions": ["delete", "reply"], "warning": "{user}, pas de numéro : {match}"},
    {"id": "emoji-wall", "priority": 65, "symbols": {"ratio": 0.5, "min_count": 6},
     "actions": ["flag", "post"], "channels": ["general", "support"]},
    {"id": "dup-all", "priority": 35,
     "duplicates": {"count": 2, "seconds": 300, "across_users": true, "min_chars": 8},
     "actions": ["delete", "kick"], "exempt_channels": ["concours"]},
    {"id": "shorteners", "priority": 25,
     "links": {"shorteners": true, "deny": ["*.ru", "spam.example"], "max": 2},
     "actions": ["delete", "label"], "events": ["message"]},
    {"id": "own-words", "priority": 90, "words": ["patate", "tr*c", "mot interdit", "café"],
     "include_staff": true, "actions": ["reply", "label"]},
    {"id": "young-mentions", "priority": 45, "mentions": {"max": 2},
     "account_age_below_days": 30, "actions": ["timeout:1h", "warn"]},
    {"id": "combo", "priority": 80, "word_list": true, "links": {"any": true},
     "actions": ["ban"], "strike_weight": 2},
    {"id": "off", "enabled": false, "priority": 1, "caps": {}, "actions": ["ban"]}
  ]
}"#;

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

    fn record(&mut self, e: &Event, actions: &[vigie_sdk::Action]) {
        self.digest.actions(&e.id, actions);
        self.events += 1;
        self.actions += actions.len();
        if !actions.is_empty() {
            self.dump.push_str(&format!("{} {:?}\n", e.id, e.text));
            for a in actions {
                self.dump.push_str(&format!("    {a:?}\n"));
            }
        }
    }

    fn store(&mut self, hosts: &BTreeMap<String, TestHost>) {
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
            "{name}: {} events, {} actions, digest {:016x}",
            self.events, self.actions, self.digest.0
        )
    }
}

/// Events through one plugin, one host per community, the host's clock at
/// the event's time; the final stores are part of the digest.
fn through(config: &str, events: &[Event]) -> Run {
    let mut plugin = Automod::configure(config).unwrap();
    let mut hosts: BTreeMap<String, TestHost> = BTreeMap::new();
    let mut run = Run::new();
    for e in events {
        let host = hosts.entry(e.community.clone()).or_default();
        host.now_ms = e.timestamp_ms;
        let actions = plugin.handle(host, e).unwrap();
        run.record(e, &actions);
    }
    run.store(&hosts);
    run
}

/// Each text alone, with a fresh host (as the quality test does).
fn alone(config: &str, texts: &[String]) -> Run {
    let mut plugin = Automod::configure(config).unwrap();
    let mut run = Run::new();
    for (i, text) in texts.iter().enumerate() {
        let mut host = TestHost::new();
        let e = test_event(&format!("m{i}"), "tester", text);
        let actions = plugin.handle(&mut host, &e).unwrap();
        run.record(&e, &actions);
    }
    run
}

/// Generated messages from a few authors in three channels, a few seconds
/// apart, some of them edits.
fn varied_events(n: usize, seed: u64) -> Vec<Event> {
    let texts = varied_texts(n, seed);
    let mut rng = Rng(seed ^ 0x5eed);
    let mut t = 1_763_805_600_000;
    let mut burst = 0;
    let mut author = varied_author(&mut rng);
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let mut e = test_event(&format!("v{i}"), "x", &text);
            // Now and then one author sends a burst of messages.
            if burst > 0 {
                burst -= 1;
            } else {
                author = varied_author(&mut rng);
                if rng.chance(4) {
                    burst = 4 + rng.below(6);
                }
            }
            e.author = author.clone();
            e.channel = rng.pick(&["general", "support", "concours"]).to_string();
            if rng.chance(10) {
                e.kind = EventKind::Edit;
                e.target_message = rng.chance(70).then(|| format!("v{}", rng.below(i + 1)));
            }
            t += if burst > 0 {
                rng.below(1_500)
            } else {
                rng.below(4_000)
            } as i64;
            e.timestamp_ms = t;
            e
        })
        .collect()
}

fn evasion_texts() -> Vec<String> {
    let mut out = Vec::new();
    for (lang, carriers) in [
        ("fr", ["{}", "franchement t'es qu'un {} toi"]),
        ("en", ["{}", "honestly you are such a {} lol"]),
    ] {
        for entry in default_list(lang).unwrap() {
            let word = written(&entry);
            for (_, f) in OBFUSCATIONS {
                let obfuscated = f(&word);
                for carrier in carriers {
                    out.push(carrier.replace("{}", &obfuscated));
                }
            }
        }
    }
    out
}

fn worst_cases() -> Vec<String> {
    [
        "a b c d e f g h i j ".repeat(3_200),
        "f.u.c.x.".repeat(8_000),
        "1l1|1 ".repeat(10_000),
        "x".repeat(64_000),
        "bonjour tout le monde, merci pour le café ".repeat(1_500),
        "see https://a.example/x www.b.com c.gg/d ".repeat(1_500),
        "🔥💰🤑 ".repeat(5_000),
        "z\u{336}\u{35b}a\u{334}".repeat(6_000),
        "blah ".repeat(12_000) + "connard",
        "café con leche ".repeat(4_000),
        "a*b*c*d ".repeat(8_000),
        "f*ck s**t ".repeat(3_000),
        "c o n n a r d ".repeat(2_000),
        "@a ".repeat(10_000),
    ]
    .into_iter()
    .map(|t| t.chars().take(64 * 1024).collect())
    .collect()
}

#[test]
fn decisions_match_the_golden_digests() {
    let mut lines = Vec::new();
    let mut dumps = Vec::new();
    let mut add = |name: &str, run: Run| {
        lines.push(run.line(name));
        dumps.push((name.replace(' ', "-"), run.dump));
    };
    add("demo bare", through("{}", &demo_events()));
    add("demo full", through(FULL_CONFIG, &demo_events()));
    add(
        "replay steady bare",
        through("{}", &replay(40, Clock::Steady)),
    );
    add(
        "replay bench bare",
        through("{}", &replay(40, Clock::Bench)),
    );
    add(
        "replay bench full",
        through(FULL_CONFIG, &replay(20, Clock::Bench)),
    );
    add("evasion bare", alone("{}", &evasion_texts()));
    add("clean english bare", alone("{}", &english_clean()));
    add("clean french bare", alone("{}", &french_clean()));
    add("clean english full", alone(FULL_CONFIG, &english_clean()));
    add("worst cases bare", alone("{}", &worst_cases()));
    add("worst cases full", alone(FULL_CONFIG, &worst_cases()));
    add("varied alone bare", alone("{}", &varied_texts(4_000, 1)));
    add(
        "varied alone full",
        alone(FULL_CONFIG, &varied_texts(4_000, 2)),
    );
    add(
        "varied stream bare",
        through("{}", &varied_events(4_000, 3)),
    );
    add(
        "varied stream full",
        through(FULL_CONFIG, &varied_events(4_000, 4)),
    );
    let got = lines.join("\n") + "\n";
    if let Ok(dir) = std::env::var("AUTOMOD_GOLDEN_DUMP") {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, dump) in &dumps {
            std::fs::write(format!("{dir}/{name}.txt"), dump).unwrap();
        }
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/golden.txt");
    if std::env::var_os("AUTOMOD_GOLDEN_WRITE").is_some() {
        std::fs::write(path, &got).unwrap();
    }
    println!("{got}");
    let want = std::fs::read_to_string(path).unwrap();
    assert_eq!(got, want, "decisions changed");
}
