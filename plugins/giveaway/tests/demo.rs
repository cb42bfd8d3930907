//! Replays the demo's two contests (examples/demo/events.jsonl) through the
//! plugin, one `TestHost` per community, ticking every minute of community
//! time as the host does, with a fresh instance for every event and tick.
//! Then checks the announcements, which entries were accepted or refused,
//! and that `giveaway_draw::verify` reproduces the published winners from
//! the published seed, commitment and entry list.

mod common;

use common::{demo_events, fnv1a};
use giveaway::Giveaway;
use std::collections::BTreeMap;
use vigie_sdk::{Action, Event, Plugin, TestHost};

const CONFIG: &str = r#"{"min_account_age_days": 1}"#;

/// One community as the host runs it: its store, its clock, its ticks.
struct Community {
    host: TestHost,
    next_tick: Option<i64>,
    /// Actions per event id (ticks under `tick@<ms>`).
    actions: BTreeMap<String, Vec<Action>>,
}

impl Community {
    fn new(seed: u64) -> Self {
        Community {
            host: TestHost::new().seeded(seed),
            next_tick: None,
            actions: BTreeMap::new(),
        }
    }

    fn tick_until(&mut self, t: i64) {
        let mut next = self.next_tick.unwrap_or(t - t % 60_000 + 60_000);
        while next <= t {
            self.host.now_ms = next;
            let mut plugin = Giveaway::configure(CONFIG).unwrap();
            let out = plugin.tick(&mut self.host, next).unwrap();
            if !out.is_empty() {
                self.actions.insert(format!("tick@{next}"), out);
            }
            next += 60_000;
        }
        self.next_tick = Some(next);
    }

    fn handle(&mut self, e: &Event) {
        self.tick_until(e.timestamp_ms);
        self.host.now_ms = e.timestamp_ms;
        // A new instance for every event: nothing may live only in memory.
        let mut plugin = Giveaway::configure(CONFIG).unwrap();
        let out = plugin.handle(&mut self.host, e).unwrap();
        if !out.is_empty() {
            self.actions.insert(e.id.clone(), out);
        }
    }
}

fn posts(actions: &[Action]) -> Vec<(&str, &str)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Post(p) => Some((p.channel.as_str(), p.text.as_str())),
            _ => None,
        })
        .collect()
}

fn only_react(actions: &[Action]) -> bool {
    matches!(actions, [Action::React(r)] if r.emoji == "✅")
}

fn only_reply(actions: &[Action]) -> &str {
    match actions {
        [Action::Reply(r)] => &r.text,
        other => panic!("expected one reply, got {other:?}"),
    }
}

/// The value after `label` on its line.
fn value_after<'a>(text: &'a str, label: &str) -> &'a str {
    let line = text
        .lines()
        .find(|l| l.contains(label))
        .unwrap_or_else(|| panic!("no {label:?} in {text}"));
    line[line.find(label).unwrap() + label.len()..].trim()
}

/// Reads a published end announcement as a participant would, and checks
/// it with the verifier. Returns the winners' ids.
fn check_published_draw(start: &str, end: &str, list: &str, fr: bool, n: usize) -> Vec<String> {
    let (seed_l, commit_l, hash_l) = if fr {
        (
            "• graine :",
            "• engagement publié au début :",
            "• empreinte SHA-256 de la liste des participations :",
        )
    } else {
        (
            "• seed:",
            "• commitment published at the start:",
            "• SHA-256 of the entry list:",
        )
    };
    let seed = value_after(end, seed_l);
    let commitment = value_after(end, commit_l);
    let hash = value_after(end, hash_l);
    // The commitment was published at the start, before any entry.
    let start_lines: Vec<&str> = start.lines().collect();
    let i = start_lines
        .iter()
        .position(|l| l.starts_with("🔒"))
        .unwrap();
    assert_eq!(start_lines[i + 1], commitment);
    assert!(
        !start.contains(seed),
        "the seed is not in the start announcement"
    );
    let entries = &list[list.find("```\n").unwrap() + 4..list.rfind("```").unwrap()];
    let parsed = giveaway_draw::parse_entries(entries).unwrap();
    assert_eq!(giveaway_draw::entries_hash(&parsed), hash);
    assert_eq!(giveaway_draw::canonical_entries(&parsed), entries);
    let report = giveaway_draw::verify_report(seed, commitment, entries, n).unwrap();
    assert!(report.was_canonical);
    assert_eq!(report.entries_hash, hash);
    // The winners named in the announcement are the recomputed ones.
    for w in &report.winners {
        assert!(
            end.contains(&format!("({w})")),
            "{w} not announced in {end}"
        );
    }
    report.winners
}

#[test]
fn replays_the_demo_contests() {
    let events = demo_events();
    let mut communities: BTreeMap<String, Community> = BTreeMap::new();
    for e in &events {
        // The host only sends the kinds the plugin asked for.
        if !Giveaway::describe().events.contains(&e.kind) {
            continue;
        }
        communities
            .entry(e.community.clone())
            .or_insert_with(|| Community::new(seed_for(&e.community)))
            .handle(e);
    }
    for c in communities.values_mut() {
        let last = events.last().unwrap().timestamp_ms;
        c.tick_until(last + 4 * 3_600_000);
    }

    // ---- acme (French) ----
    let acme = &communities["acme"];
    let a = &acme.actions;
    let with_actions: Vec<&str> = a.keys().map(String::as_str).collect();
    assert_eq!(
        with_actions,
        vec![
            "acme-015", "acme-017", "acme-019", "acme-021", "acme-022", "acme-024", "acme-026",
            "acme-064", "acme-065", "acme-077",
        ],
        "{a:#?}"
    );
    let start = posts(&a["acme-015"]);
    assert_eq!(start.len(), 1);
    let (channel, start_text) = start[0];
    assert_eq!(channel, "concours");
    println!("--- acme start ---\n{start_text}\n");
    assert!(start_text.starts_with("🎉 Concours #1 : « Coffret dégustation Noël »"));
    assert!(start_text.contains("3 gagnants · tirage le 22/11/2026 à 11:09 UTC (dans 2 h)"));
    assert!(start_text
        .contains("réagissez avec 🎉 au message de Camille (Acme) qui a lancé le concours"));
    assert!(start_text.contains("compte créé depuis au moins 1 jour"));
    assert!(start_text.contains("Chances égales"));
    // Accepted by keyword: ✅; the staff's own explanation (acme-016) is not an entry.
    for id in [
        "acme-017", "acme-019", "acme-021", "acme-026", "acme-064", "acme-065",
    ] {
        assert!(only_react(&a[id]), "{id}: {:?}", a[id]);
    }
    assert!(only_reply(&a["acme-022"]).contains("Vous participez déjà au concours #1"));
    let refusal = only_reply(&a["acme-024"]);
    assert!(refusal.contains("au moins 1 jour"), "{refusal}");
    // Its reason, on the terminal and in the audit, is a French sentence.
    match &a["acme-024"][..] {
        [Action::Reply(r)] => assert_eq!(
            r.reason,
            "giveaway #1: participation refusée : compte de moins de 1 jour"
        ),
        other => panic!("expected one reply, got {other:?}"),
    }
    let end = posts(&a["acme-077"]);
    assert_eq!(end.len(), 2, "{end:?}");
    let (end_text, list) = (end[0].1, end[1].1);
    println!("--- acme end ---\n{end_text}\n\n{list}\n");
    assert!(end_text
        .starts_with("🏁 Concours #1 « Coffret dégustation Noël » terminé : 9 participants."));
    assert!(list.contains(
        "```\nu-alice\nu-ben\nu-bruno\nu-chloe\nu-emma\nu-farid\nu-gaelle\nu-hugo\nu-lucas\n```"
    ));
    let winners = check_published_draw(start_text, end_text, list, true, 3);
    assert_eq!(winners.len(), 3);
    // One command, alone on its line, ready to paste into a shell (no
    // backticks, which a shell would run), with the list's hash.
    let command = end_text
        .lines()
        .find(|l| l.starts_with("vigie verify-draw "))
        .expect("a verify-draw line");
    assert!(command.contains(" --entries-hash "), "{command}");
    assert!(
        command.ends_with(" --winners 3 --entries participants.txt"),
        "{command}"
    );
    assert!(end_text.contains("`!giveaway entries #1`"), "{end_text}");

    // ---- acme-en (English) ----
    let en = &communities["acme-en"];
    let a = &en.actions;
    let with_actions: Vec<&str> = a.keys().map(String::as_str).collect();
    assert_eq!(
        with_actions,
        vec!["en-008", "en-009", "en-013", "en-028", "en-029", "en-041"],
        "{a:#?}"
    );
    let start_text = posts(&a["en-008"])[0].1;
    println!("--- acme-en start ---\n{start_text}\n");
    assert!(start_text.starts_with("🎉 Giveaway #1: \"Holiday tasting box\""));
    assert!(start_text.contains("1 winner · draw on 2026-11-22 at 10:06 UTC (in 1 h)"));
    assert!(start_text.contains("\"!enter\""));
    for id in ["en-009", "en-013", "en-028", "en-029"] {
        assert!(only_react(&a[id]), "{id}: {:?}", a[id]);
    }
    let end = posts(&a["en-041"]);
    let (end_text, list) = (end[0].1, end[1].1);
    println!("--- acme-en end ---\n{end_text}\n\n{list}\n");
    assert!(end_text.starts_with("🏁 Giveaway #1 \"Holiday tasting box\" is over: 6 entries."));
    assert!(list.contains("```\nu-jenny\nu-mike\nu-oliver\nu-priya\nu-sarah\nu-tom\n```"));
    let winners = check_published_draw(start_text, end_text, list, false, 1);
    assert_eq!(winners.len(), 1);
}

/// A different random source per community (FNV-1a of its name), as the
/// host derives one per community from its secret.
fn seed_for(community: &str) -> u64 {
    fnv1a(community.as_bytes())
}
