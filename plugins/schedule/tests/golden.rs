//! Golden decisions: the plugin's actions, log lines and final key-value
//! store on the demo (ticked as a host fed from a file ticks, with the
//! config proposed for the demo), and on thousands of generated events and
//! ticks under several configs: staff and member commands of every kind in
//! both languages (and mistyped), member messages in quiet and busy
//! channels, ticks every minute with drift, repeated and earlier ticks,
//! downtimes of minutes, hours and days, across both DST changes of 2026 in
//! Paris. A change must leave every digest of `fixtures/golden.txt`
//! unchanged; a deliberate change of behaviour rewrites it with
//! `SCHEDULE_GOLDEN_WRITE=1 cargo test -p schedule --test golden`.
//! `SCHEDULE_GOLDEN_DUMP=<dir>` also writes every decision as text there.
//!
//! The `due` key only speeds ticks up; it is left out of the store's
//! digest (it is not a decision).

mod common;

use common::{as_the_host_ticks, demo_events, fnv1a, Digest, Rng, Step, DEMO_CONFIG};
use schedule::Schedule;
use std::collections::BTreeMap;
use vigie_sdk::{Action, Author, Plugin, TestHost};

fn ignored_key(k: &str) -> bool {
    k == "due"
}

struct Run {
    digest: Digest,
    steps: usize,
    actions: usize,
    posts: usize,
    alerts: usize,
    dump: String,
}

impl Run {
    fn new() -> Self {
        Run {
            digest: Digest::default(),
            steps: 0,
            actions: 0,
            posts: 0,
            alerts: 0,
            dump: String::new(),
        }
    }

    fn record(&mut self, id: &str, actions: &[Action], host: &mut TestHost) {
        self.digest.actions(id, actions);
        self.steps += 1;
        self.actions += actions.len();
        self.posts += actions
            .iter()
            .filter(|a| matches!(a, Action::Post(_)))
            .count();
        self.alerts += actions
            .iter()
            .filter(|a| matches!(a, Action::Alert(_)))
            .count();
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
        for (community, host) in hosts {
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
            "{name}: {} steps, {} actions ({} posts, {} alerts), digest {:016x}",
            self.steps, self.actions, self.posts, self.alerts, self.digest.0
        )
    }
}

/// The steps through a fresh instance each (nothing may live only in
/// memory), or one instance for all.
fn through(config: &str, steps: &[Step], fresh: bool) -> Run {
    let mut plugin = Schedule::configure(config).unwrap();
    let mut hosts: BTreeMap<String, TestHost> = BTreeMap::new();
    let mut run = Run::new();
    for step in steps {
        if fresh {
            plugin = Schedule::configure(config).unwrap();
        }
        match step {
            Step::Event(e) => {
                let host = hosts
                    .entry(e.community.clone())
                    .or_insert_with(|| TestHost::new().seeded(fnv1a(e.community.as_bytes())));
                host.now_ms = e.timestamp_ms;
                match plugin.handle(host, e) {
                    Ok(out) => run.record(&e.id, &out, host),
                    Err(err) => run.error(&e.id, &err),
                }
            }
            Step::Tick(community, now) => {
                let host = hosts
                    .entry(community.clone())
                    .or_insert_with(|| TestHost::new().seeded(fnv1a(community.as_bytes())));
                host.now_ms = *now;
                let id = format!("tick {community} {now}");
                match plugin.tick(host, *now) {
                    Ok(out) => run.record(&id, &out, host),
                    Err(err) => run.error(&id, &err),
                }
            }
        }
    }
    run.store(&hosts);
    run
}

/// Configs that use every key.
const CONFIGS: &[&str] = &[
    "{}",
    DEMO_CONFIG,
    r#"{"lang": "en", "grace_s": 120, "command_prefixes": ["!cal", "!Agenda"], "posts": [
        {"id": "daily", "channel": "general", "text": "Good morning", "when": "2026-03-20 08:00", "repeat": "daily"},
        {"id": "gap", "channel": "general", "text": "Night owls", "when": "2026-03-20 02:30", "rrule": "FREQ=DAILY;BYHOUR=2,3;BYMINUTE=30"},
        {"id": "ny", "channel": "annonces", "text_en": "NYC open", "when": "2026-03-02 09:00",
         "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "timezone": "America/New_York"},
        {"id": "end-of-month", "channel": "annonces", "text_fr": "Bilan du mois", "text_en": "Monthly wrap-up",
         "when": "2026-01-31 18:00", "repeat": "monthly", "count": 12}
    ]}"#,
    r#"{"timezone": "Europe/Paris", "bilingual_separator": "\n— — —\n", "posts": [
        {"id": "quiet-skip", "channel": "general", "text": "Skip me when quiet", "when": "2026-03-27 10:00",
         "repeat": "daily", "skip_if_quiet_h": 3},
        {"id": "quiet-hold", "channel": "jeux", "text_fr": "Quiz du jour !", "text_en": "Daily quiz!",
         "when": "2026-03-27 11:00", "repeat": "daily", "delay_if_quiet_h": 2, "delay_max_h": 5},
        {"id": "weekly", "channel": "general", "text": "Weekly", "when": "2026-03-02 09:00",
         "repeat": "weekly", "days": ["lundi", "jeudi"], "interval": 1, "until": "2026-12-31"},
        {"id": "every-2-weeks", "channel": "general", "text": "Fortnight", "when": "2026-03-02 09:00",
         "repeat": "weekly", "interval": 2},
        {"id": "thirty-first", "channel": "annonces", "text": "31", "when": "2026-01-31 12:00",
         "repeat": "monthly", "day_of_month": 31},
        {"id": "leap", "channel": "annonces", "text": "29/02", "when": "2028-02-29 12:00", "repeat": "yearly"},
        {"id": "off", "channel": "general", "text": "never", "when": "2026-03-27 10:00", "repeat": "daily", "enabled": false},
        {"id": "oneoff", "channel": "general", "text": "Once", "when": "2026-03-29 02:30"}
    ]}"#,
];

const CHANNELS: &[&str] = &["general", "jeux", "annonces", "support"];

const TEXTS: &[&str] = &[
    "Bonjour à tous",
    "Hello everyone",
    "!schedule",
    "!schedule help",
    "!planning aide",
    "!schedule list",
    "!planning liste",
    "!schedule add every monday 09:00 #general \"Weekly menu\"",
    "!planning ajouter chaque lundi 9h #general « Menu de la semaine »",
    "!planning ajouter tous les jours 12h30 ici « À table ! »",
    "!schedule add daily 8am here \"Morning!\"",
    "!schedule add 2026-03-29 02:30 #general \"In the gap\"",
    "!schedule add 2026-10-25 02:30 #general \"Twice a night\"",
    "!planning ajouter demain 18h #annonces « Live ce soir »",
    "!schedule add tomorrow 9:30pm #annonces \"Live tonight\"",
    "!schedule add today 23:59 \"Last call\"",
    "!schedule add every weekday 10:00 #support \"Support is open\"",
    "!planning ajouter en semaine 10h #support « Le support est ouvert »",
    "!planning ajouter chaque mois le 31 à 10h #annonces « Fin de mois »",
    "!schedule add every month on the 15th 10:00 \"Mid-month\"",
    "!schedule add every 2 weeks on friday 17:00 4 times #general \"Fortnightly\"",
    "!planning ajouter chaque vendredi 17h jusqu'au 30/04/2026 « Bon week-end »",
    "!schedule add rrule FREQ=MONTHLY;BYDAY=-1FR 18:00 #general \"Last Friday\"",
    "!schedule add rrule FREQ=HOURLY 18:00 \"Nope\"",
    "!schedule add every monday 09:00",
    "!schedule add 2026-02-30 10:00 \"Nope\"",
    "!schedule add 2025-01-01 10:00 \"Past\"",
    "!schedule add someday \"Nope\"",
    "!schedule cancel s1",
    "!schedule cancel s2",
    "!planning annuler s3",
    "!planning annuler",
    "!schedule cancel daily",
    "!schedule cancel quiet-hold",
    "!schedule cancel nothing",
    "!schedule pause",
    "!planning pause",
    "!schedule resume",
    "!planning reprendre",
    "!schedule frobnicate",
    "!cal list",
    "!agenda ajouter demain 9h « Agenda »",
    "!SCHEDULE LIST",
    "schedule add",
    "",
];

fn author(rng: &mut Rng) -> Author {
    let k = rng.below(6);
    Author {
        id: format!("u-{k}"),
        name: format!("Name {k}"),
        roles: vec!["member".to_string()],
        account_age_days: Some(100),
        is_staff: k >= 4,
    }
}

/// `n` generated events and ticks in two communities, from `t0`.
fn scenario(n: usize, seed: u64, t0: i64) -> Vec<Step> {
    let mut rng = Rng(seed);
    let mut t = t0;
    let mut last_tick: BTreeMap<&str, i64> = BTreeMap::new();
    let mut out = Vec::new();
    for i in 0..n {
        let community = if rng.chance(80) { "c1" } else { "c2" };
        t += match rng.below(1000) {
            0..=2 => 3 * 3_600_000 + rng.below(3_600_000) as i64,
            3 => 2 * 86_400_000,
            4..=20 => 20 * 60_000,
            _ => rng.below(70_000) as i64,
        };
        let r = rng.below(100);
        if r < 55 {
            // The wall clock: the last whole minute, now and then the same
            // `now` again or an earlier one.
            let now = match rng.below(20) {
                0 => *last_tick.get(community).unwrap_or(&t),
                1 => t - 5 * 60_000,
                _ => t - t.rem_euclid(60_000) + rng.below(3) as i64 * 1000,
            };
            last_tick.insert(community, now);
            out.push(Step::Tick(community.to_string(), now));
            continue;
        }
        let mut e = vigie_sdk::test_event(&format!("e{i}"), "x", "");
        e.community = community.to_string();
        e.channel = rng.pick(CHANNELS).to_string();
        e.author = author(&mut rng);
        e.timestamp_ms = t;
        e.text = if r < 80 {
            rng.pick(&TEXTS[..2]).to_string()
        } else {
            rng.pick(TEXTS).to_string()
        };
        if e.text.starts_with('!') && rng.chance(70) {
            e.author.is_staff = true;
        }
        if rng.chance(3) {
            e.kind = vigie_sdk::EventKind::Join;
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
    add(
        "demo as the host ticks",
        through(
            DEMO_CONFIG,
            &as_the_host_ticks(demo.clone(), 60_000, Some(last + 7 * 86_400_000)),
            true,
        ),
    );
    // Around the spring change (29 March) and the autumn one (25 October).
    let spring = vigie_testkit::rfc3339_ms("2026-03-27T08:00:00Z");
    let autumn = vigie_testkit::rfc3339_ms("2026-10-23T08:00:00Z");
    for (k, config) in CONFIGS.iter().enumerate() {
        for (s, fresh, t0) in [(1u64, false, spring), (2, true, autumn)] {
            let steps = scenario(4_000, s * 100 + k as u64, t0);
            add(&format!("scenario {k}.{s}"), through(config, &steps, fresh));
        }
    }
    let got = lines.join("\n") + "\n";
    if let Ok(dir) = std::env::var("SCHEDULE_GOLDEN_DUMP") {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, dump) in &dumps {
            std::fs::write(format!("{dir}/{name}.txt"), dump).unwrap();
        }
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/golden.txt");
    if std::env::var_os("SCHEDULE_GOLDEN_WRITE").is_some() {
        std::fs::create_dir_all(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).unwrap();
        std::fs::write(path, &got).unwrap();
    }
    println!("{got}");
    let want = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(got, want, "decisions changed");
}

/// Every post of the generated scenarios went out at most once per
/// occurrence, within the grace, never while paused (checked on the dumps'
/// reasons: one `scheduled post <id> (<time>)` each).
#[test]
fn generated_scenarios_never_post_an_occurrence_twice() {
    for (k, config) in CONFIGS.iter().enumerate() {
        for (s, t0) in [(1u64, "2026-03-27T08:00:00Z"), (2, "2026-10-23T08:00:00Z")] {
            let steps = scenario(4_000, s * 100 + k as u64, vigie_testkit::rfc3339_ms(t0));
            let mut plugin = Schedule::configure(config).unwrap();
            let mut hosts: BTreeMap<String, TestHost> = BTreeMap::new();
            let mut seen: BTreeMap<(String, String), i64> = BTreeMap::new();
            for step in &steps {
                let (community, now, out) = match step {
                    Step::Event(e) => {
                        let host = hosts.entry(e.community.clone()).or_default();
                        host.now_ms = e.timestamp_ms;
                        (
                            e.community.clone(),
                            e.timestamp_ms,
                            plugin.handle(host, e).unwrap(),
                        )
                    }
                    Step::Tick(c, now) => {
                        let host = hosts.entry(c.clone()).or_default();
                        host.now_ms = *now;
                        (c.clone(), *now, plugin.tick(host, *now).unwrap())
                    }
                };
                let paused = hosts.get_mut(&community).unwrap().kv.contains_key("paused");
                for a in &out {
                    if let Action::Post(p) = a {
                        assert!(!paused, "posted while paused: {}", p.reason);
                        let key = (
                            community.clone(),
                            p.reason.split(", held").next().unwrap().to_string(),
                        );
                        if let Some(before) = seen.insert(key.clone(), now) {
                            panic!("{key:?} posted at {before} and again at {now}");
                        }
                    }
                }
            }
        }
    }
}
