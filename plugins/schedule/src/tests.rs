//! Native tests of the plugin with `TestHost`. Every call goes through a
//! freshly configured instance: the state must live in the kv store.

use super::*;
use crate::rule::{HOUR_MS, MINUTE_MS};
use crate::store::State;
use vigie_sdk::{Author, Severity, TestHost};

const MIN: i64 = MINUTE_MS;
const HOUR: i64 = HOUR_MS;

fn paris() -> Zone {
    Zone::get("Europe/Paris").unwrap()
}

/// The instant of a Paris local time.
fn at(local: &str) -> i64 {
    paris()
        .to_ms(LocalTime::parse(local, None).unwrap())
        .unwrap()
}

fn author(id: &str, staff: bool) -> Author {
    Author {
        id: id.to_string(),
        name: format!("Name of {id}"),
        roles: vec![if staff { "staff" } else { "member" }.to_string()],
        account_age_days: Some(365),
        is_staff: staff,
    }
}

fn msg(id: &str, who: Author, channel: &str, text: &str, t: i64) -> Event {
    let mut e = vigie_sdk::test_event(id, &who.id, text);
    e.author = who;
    e.channel = channel.to_string();
    e.timestamp_ms = t;
    e
}

fn staff(id: &str, text: &str, t: i64) -> Event {
    msg(id, author("u-staff", true), "general", text, t)
}

fn member(id: &str, channel: &str, text: &str, t: i64) -> Event {
    msg(id, author("u-member", false), channel, text, t)
}

fn run(cfg: &str, host: &mut TestHost, e: &Event) -> Vec<Action> {
    host.now_ms = e.timestamp_ms;
    Schedule::configure(cfg).unwrap().handle(host, e).unwrap()
}

fn tick(cfg: &str, host: &mut TestHost, now: i64) -> Vec<Action> {
    host.now_ms = now;
    Schedule::configure(cfg).unwrap().tick(host, now).unwrap()
}

fn posts(actions: &[Action]) -> Vec<(String, String, String)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Post(p) => Some((p.channel.clone(), p.text.clone(), p.reason.clone())),
            _ => None,
        })
        .collect()
}

fn alerts(actions: &[Action]) -> Vec<(Severity, String)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Alert(a) => Some((a.severity, a.message.clone())),
            _ => None,
        })
        .collect()
}

fn replies(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Reply(r) => Some(r.text.clone()),
            _ => None,
        })
        .collect()
}

fn one_reply(actions: &[Action]) -> String {
    let r = replies(actions);
    assert_eq!(r.len(), 1, "{actions:?}");
    r[0].clone()
}

fn state(host: &mut TestHost, id: &str) -> State {
    store::state(host, id).unwrap()
}

/// Ticks every `step` ms in `(from, to]`, through fresh instances.
fn ticks(cfg: &str, host: &mut TestHost, from: i64, to: i64, step: i64) -> Vec<Action> {
    let mut out = Vec::new();
    let mut t = from;
    while t < to {
        t = (t + step).min(to);
        out.extend(tick(cfg, host, t));
    }
    out
}

const WEEKLY: &str = r#"{"posts": [{"id": "menu", "channel": "general",
    "text_fr": "Le menu de la semaine", "text_en": "This week's menu",
    "when": "2026-01-05 09:00", "repeat": "weekly", "days": ["monday"]}]}"#;

// ------------------------------------------------------------ the clock --

#[test]
fn a_year_of_ticks_every_minute_posts_each_occurrence_once_on_time() {
    let cfg = r#"{"posts": [
        {"id": "menu", "channel": "general", "text": "Menu", "when": "2026-01-05 09:00",
         "repeat": "weekly", "days": ["mon"]},
        {"id": "midi", "channel": "general", "text": "À table", "when": "2026-01-01 12:30",
         "repeat": "daily"},
        {"id": "fin-de-mois", "channel": "annonces", "text": "Bilan", "when": "2026-01-31 18:00",
         "repeat": "monthly"},
        {"id": "gap", "channel": "general", "text": "Nuit", "when": "2026-03-01 02:30",
         "rrule": "FREQ=WEEKLY;BYDAY=SU"},
        {"id": "noel", "channel": "general", "text_fr": "Joyeux Noël", "text_en": "Merry Christmas",
         "when": "2026-12-24 18:00"}
    ]}"#;
    let config = Config::parse(cfg).unwrap();
    let mut host = TestHost::new();
    let mut plugin = Schedule::configure(cfg).unwrap();
    let start = at("2026-01-01 00:00") - 30_000;
    let end = at("2027-01-01 00:00");
    let mut sent: Vec<(i64, String, String)> = Vec::new();
    let mut t = start;
    // One instance for the year (it holds nothing), every minute plus a
    // varying number of seconds, as a real clock drifts.
    let mut k = 0i64;
    while t < end {
        host.now_ms = t;
        for a in plugin.tick(&mut host, t).unwrap() {
            match a {
                Action::Post(p) => sent.push((t, p.channel, p.reason)),
                other => panic!("unexpected action at {t}: {other:?}"),
            }
        }
        k += 1;
        t += MIN + (k % 7) * 1000 - 3000;
    }
    for id in ["menu", "midi", "fin-de-mois", "gap", "noel"] {
        let want = config.occurrences(id, start, end).unwrap();
        let got: Vec<&(i64, String, String)> = sent
            .iter()
            .filter(|(_, _, r)| r.starts_with(&format!("scheduled post {id} (")))
            .collect();
        assert_eq!(got.len(), want.len(), "{id}");
        for (o, (posted_at, _, reason)) in want.iter().zip(&got) {
            // Posted at the first tick at or after its time: within its minute.
            assert!(*posted_at >= *o && *posted_at - *o < MIN + 4000, "{id}");
            assert!(reason.contains(&paris().format(*o)), "{reason}");
            assert!(reason.ends_with("Europe/Paris)"), "{reason}");
        }
    }
    assert_eq!(config.occurrences("menu", start, end).unwrap().len(), 52);
    assert_eq!(config.occurrences("midi", start, end).unwrap().len(), 365);
    assert_eq!(
        config.occurrences("fin-de-mois", start, end).unwrap().len(),
        7
    );
    assert_eq!(config.occurrences("gap", start, end).unwrap().len(), 44); // Sundays from 1 March
    assert!(sent
        .iter()
        .any(|(_, _, r)| r == "scheduled post gap (2026-03-29 03:30 Europe/Paris)"));
    assert!(sent
        .iter()
        .any(|(_, _, r)| r == "scheduled post noel (2026-12-24 18:00 Europe/Paris)"));
    assert_eq!(state(&mut host, "midi").posted, 365);
    assert_eq!(state(&mut host, "midi").skipped, 0);
}

#[test]
fn both_languages_go_out_as_one_message_french_first() {
    let mut host = TestHost::new();
    tick(WEEKLY, &mut host, at("2026-01-05 08:00"));
    let out = tick(WEEKLY, &mut host, at("2026-01-05 09:00"));
    assert_eq!(
        posts(&out),
        [(
            "general".to_string(),
            "Le menu de la semaine\n\nThis week's menu".to_string(),
            "scheduled post menu (2026-01-05 09:00 Europe/Paris)".to_string()
        )]
    );
    let cfg = WEEKLY.replace(
        "\"posts\"",
        "\"bilingual_separator\": \"\\n—\\n\", \"posts\"",
    );
    let mut host = TestHost::new();
    tick(&cfg, &mut host, at("2026-01-05 08:00"));
    let out = tick(&cfg, &mut host, at("2026-01-05 09:00"));
    assert_eq!(
        posts(&out)[0].1,
        "Le menu de la semaine\n—\nThis week's menu"
    );
}

#[test]
fn downtime_beyond_the_grace_skips_with_one_alert_and_no_late_post() {
    let cfg = r#"{"posts": [
        {"id": "a", "channel": "general", "text": "A", "when": "2026-01-05 09:00", "repeat": "daily"},
        {"id": "b", "channel": "general", "text": "B", "when": "2026-01-05 09:30", "repeat": "daily"},
        {"id": "c", "channel": "general", "text": "C", "when": "2026-01-05 11:50", "repeat": "daily"}
    ]}"#;
    let mut host = TestHost::new();
    assert!(ticks(
        cfg,
        &mut host,
        at("2026-01-05 08:00"),
        at("2026-01-05 08:59"),
        MIN
    )
    .is_empty());
    // Down from 08:59 to 12:00: a (09:00) and b (09:30) are missed, c (11:50)
    // is 10 minutes late, within the 15 of grace: it goes out.
    let out = tick(cfg, &mut host, at("2026-01-05 12:00"));
    assert_eq!(posts(&out).len(), 1);
    assert_eq!(
        posts(&out)[0].2,
        "scheduled post c (2026-01-05 11:50 Europe/Paris)"
    );
    let al = alerts(&out);
    assert_eq!(al.len(), 1);
    assert_eq!(al[0].0, Severity::Warning);
    assert!(
        al[0].1.contains("2 publication(s) non envoyée(s)"),
        "{}",
        al[0].1
    );
    assert!(
        al[0].1.contains("a (2026-01-05 09:00)") && al[0].1.contains("b (2026-01-05 09:30)"),
        "{}",
        al[0].1
    );
    // Nothing more comes of it.
    assert!(ticks(
        cfg,
        &mut host,
        at("2026-01-05 12:00"),
        at("2026-01-06 08:59"),
        MIN
    )
    .is_empty());
    assert_eq!(state(&mut host, "a").skipped, 1);
    // Down for three days: one alert for every occurrence, counted.
    let out = tick(cfg, &mut host, at("2026-01-09 12:00"));
    assert_eq!(posts(&out).len(), 1); // c, 10 minutes late
    let al = alerts(&out);
    assert_eq!(al.len(), 1);
    assert!(al[0].1.contains("11 publication(s)"), "{}", al[0].1);
    assert!(
        al[0]
            .1
            .contains("a ×4 (2026-01-06 09:00 → 2026-01-09 09:00)"),
        "{}",
        al[0].1
    );
    // In English when the config says so.
    let cfg_en = cfg.replace("{\"posts\"", "{\"lang\": \"en\", \"posts\"");
    let mut host = TestHost::new();
    tick(&cfg_en, &mut host, at("2026-01-05 08:00"));
    let out = tick(&cfg_en, &mut host, at("2026-01-05 10:00"));
    assert!(alerts(&out)[0]
        .1
        .contains("2 occurrence(s) not posted, more than 15 min late"));
}

#[test]
fn downtime_within_the_grace_posts_once() {
    let mut host = TestHost::new();
    ticks(
        WEEKLY,
        &mut host,
        at("2026-01-05 08:00"),
        at("2026-01-05 08:58"),
        MIN,
    );
    let out = tick(WEEKLY, &mut host, at("2026-01-05 09:04"));
    assert_eq!(posts(&out).len(), 1);
    assert!(alerts(&out).is_empty());
    assert!(ticks(
        WEEKLY,
        &mut host,
        at("2026-01-05 09:04"),
        at("2026-01-12 08:59"),
        MIN
    )
    .is_empty());
    // Exactly the grace late still goes out; a millisecond more does not.
    let late = tick(WEEKLY, &mut host, at("2026-01-12 09:15"));
    assert_eq!(posts(&late).len(), 1);
    ticks(
        WEEKLY,
        &mut host,
        at("2026-01-12 09:15"),
        at("2026-01-19 08:00"),
        HOUR,
    );
    let too_late = tick(WEEKLY, &mut host, at("2026-01-19 09:15") + 1);
    assert!(posts(&too_late).is_empty());
    assert_eq!(alerts(&too_late).len(), 1);
}

#[test]
fn a_repeated_or_earlier_tick_is_a_no_op() {
    let mut host = TestHost::new();
    tick(WEEKLY, &mut host, at("2026-01-05 08:00"));
    let now = at("2026-01-05 09:00") + 10_000;
    assert_eq!(posts(&tick(WEEKLY, &mut host, now)).len(), 1);
    let kv = host.kv.clone();
    assert!(tick(WEEKLY, &mut host, now).is_empty());
    assert_eq!(host.kv, kv);
    // Two ticks in the same minute, and one from the past.
    assert!(tick(WEEKLY, &mut host, now + 40_000).is_empty());
    assert!(tick(WEEKLY, &mut host, now - 5 * MIN).is_empty());
    assert_eq!(state(&mut host, "menu").posted, 1);
    // Even with the tick index gone (every post looked at).
    host.kv.remove("due");
    assert!(tick(WEEKLY, &mut host, now).is_empty());
    assert!(tick(WEEKLY, &mut host, now - HOUR).is_empty());
}

#[test]
fn a_post_first_seen_after_its_time_neither_fires_late_nor_is_reported() {
    let cfg = r#"{"posts": [
        {"id": "daily", "channel": "general", "text": "D", "when": "2026-01-01 09:00", "repeat": "daily"},
        {"id": "old", "channel": "general", "text": "O", "when": "2026-01-01 09:00"},
        {"id": "now", "channel": "general", "text": "N", "when": "2026-01-10 09:00"}
    ]}"#;
    let mut host = TestHost::new();
    // First tick on 10 January at 09:10: nine days of `daily` and the old
    // one-off are before the plugin knew them; the one-off of 09:00 is
    // within the grace and goes out.
    let out = tick(cfg, &mut host, at("2026-01-10 09:10"));
    assert_eq!(posts(&out).len(), 1, "{out:?}");
    assert_eq!(
        posts(&out)[0].2,
        "scheduled post now (2026-01-10 09:00 Europe/Paris)"
    );
    assert!(alerts(&out).is_empty());
    assert_eq!(host.logs.len(), 1);
    assert!(host.logs[0].1.contains("armed 3 post(s)"));
    let out = ticks(
        cfg,
        &mut host,
        at("2026-01-10 09:10"),
        at("2026-01-11 09:00"),
        MIN,
    );
    assert_eq!(posts(&out).len(), 1);
    assert_eq!(
        posts(&out)[0].2,
        "scheduled post daily (2026-01-11 09:00 Europe/Paris)"
    );
    // A changed schedule is armed anew: the old state does not fire it late.
    let moved = cfg.replace(
        "\"when\": \"2026-01-01 09:00\", \"repeat\"",
        "\"when\": \"2026-01-01 08:00\", \"repeat\"",
    );
    let out = tick(&moved, &mut host, at("2026-01-12 08:30"));
    assert!(out.is_empty(), "{out:?}");
    assert_eq!(
        posts(&tick(&moved, &mut host, at("2026-01-13 08:00"))).len(),
        1
    );
}

#[test]
fn many_posts_at_the_same_minute_are_spread_over_ticks_within_the_grace() {
    let list: Vec<String> = (0..15)
        .map(|i| format!(r#"{{"id": "p{i:02}", "channel": "general", "text": "Post {i}", "when": "2026-01-05 09:00", "repeat": "daily"}}"#))
        .collect();
    let cfg = format!(r#"{{"posts": [{}]}}"#, list.join(","));
    let mut host = TestHost::new();
    tick(&cfg, &mut host, at("2026-01-05 08:00"));
    let first = tick(&cfg, &mut host, at("2026-01-05 09:00"));
    assert_eq!(posts(&first).len(), engine::MAX_POSTS_PER_CALL);
    let second = tick(&cfg, &mut host, at("2026-01-05 09:01"));
    assert_eq!(posts(&second).len(), 5);
    assert!(tick(&cfg, &mut host, at("2026-01-05 09:02")).is_empty());
    let ids: std::collections::BTreeSet<String> = posts(&first)
        .into_iter()
        .chain(posts(&second))
        .map(|p| p.1)
        .collect();
    assert_eq!(ids.len(), 15);
}

#[test]
fn years_of_downtime_are_counted_up_to_a_limit() {
    let cfg = r#"{"posts": [{"id": "d", "channel": "general", "text": "D", "when": "2026-01-01 09:00", "repeat": "daily"}]}"#;
    let mut host = TestHost::new();
    tick(cfg, &mut host, at("2026-01-01 08:00"));
    let out = tick(cfg, &mut host, at("2030-01-01 09:05"));
    assert_eq!(posts(&out).len(), 1);
    let al = alerts(&out);
    assert_eq!(al.len(), 1);
    assert!(al[0].1.contains("1000+"), "{}", al[0].1);
    assert!(tick(cfg, &mut host, at("2030-01-01 09:06")).is_empty());
}

// ---------------------------------------------------------------- pause --

#[test]
fn nothing_goes_out_while_paused_and_nothing_late_after() {
    let mut host = TestHost::new();
    tick(WEEKLY, &mut host, at("2026-01-05 08:00"));
    let out = run(
        WEEKLY,
        &mut host,
        &staff("p1", "!schedule pause", at("2026-01-05 08:30")),
    );
    assert!(one_reply(&out).starts_with("⏸ Calendar paused"));
    let out = run(
        WEEKLY,
        &mut host,
        &staff("p2", "!planning pause", at("2026-01-05 08:31")),
    );
    assert!(one_reply(&out).contains("déjà en pause depuis 2026-01-05 08:30"));
    let out = ticks(
        WEEKLY,
        &mut host,
        at("2026-01-05 08:30"),
        at("2026-01-05 10:00"),
        MIN,
    );
    assert!(posts(&out).is_empty());
    let al = alerts(&out);
    assert_eq!(al.len(), 1);
    assert_eq!(al[0].0, Severity::Info);
    assert!(
        al[0].1.contains("en pause : menu (2026-01-05 09:00)"),
        "{}",
        al[0].1
    );
    let out = run(
        WEEKLY,
        &mut host,
        &staff("r1", "!planning reprendre", at("2026-01-05 10:00")),
    );
    let reply = one_reply(&out);
    assert!(reply.contains("1 publication(s)"), "{reply}");
    assert!(ticks(
        WEEKLY,
        &mut host,
        at("2026-01-05 10:00"),
        at("2026-01-12 08:00"),
        10 * MIN
    )
    .is_empty());
    assert_eq!(
        posts(&tick(WEEKLY, &mut host, at("2026-01-12 09:00"))).len(),
        1
    );
    let out = run(
        WEEKLY,
        &mut host,
        &staff("r2", "!schedule resume", at("2026-01-12 10:00")),
    );
    assert_eq!(one_reply(&out), "The calendar is not paused.");
}

#[test]
fn an_occurrence_in_a_short_pause_no_tick_saw_is_skipped_at_resume() {
    let mut host = TestHost::new();
    tick(WEEKLY, &mut host, at("2026-01-05 08:59"));
    run(
        WEEKLY,
        &mut host,
        &staff("p1", "!schedule pause", at("2026-01-05 08:59") + 30_000),
    );
    let out = run(
        WEEKLY,
        &mut host,
        &staff("r1", "!schedule resume", at("2026-01-05 09:00") + 30_000),
    );
    let reply = one_reply(&out);
    assert!(
        reply.contains("1 occurrence(s) due during the pause were skipped"),
        "{reply}"
    );
    assert!(reply.contains("menu (2026-01-05 09:00)"), "{reply}");
    // The tick of 09:01 does not send it late.
    assert!(tick(WEEKLY, &mut host, at("2026-01-05 09:01")).is_empty());
    assert_eq!(state(&mut host, "menu").skipped, 1);
}

// ------------------------------------------------------------- commands --

#[test]
fn staff_add_list_and_cancel_in_english() {
    let cfg = "{}";
    let mut host = TestHost::new();
    let now = at("2026-03-27 10:00"); // a Friday
    let out = run(
        cfg,
        &mut host,
        &staff(
            "c1",
            "!schedule add every monday 09:00 #general \"Weekly menu is up!\"",
            now,
        ),
    );
    let reply = one_reply(&out);
    assert_eq!(
        reply,
        "✅ Post s1 scheduled: every Monday at 09:00 (Europe/Paris) in general. Next: Mon 2026-03-30 09:00. To cancel it: `!schedule cancel s1`."
    );
    let out = run(
        cfg,
        &mut host,
        &staff(
            "c2",
            "!schedule add 2026-12-24 18:00 #general \"Merry Christmas!\"",
            now + 1000,
        ),
    );
    assert!(one_reply(&out).starts_with("✅ Post s2 scheduled: once, 2026-12-24 18:00"));
    let out = run(cfg, &mut host, &staff("c3", "!schedule list", now + 2000));
    let list = one_reply(&out);
    assert!(list.contains("2 post(s)"), "{list}");
    let s1 = list.find("• s1").unwrap();
    let s2 = list.find("• s2").unwrap();
    assert!(s1 < s2, "sorted by next occurrence: {list}");
    assert!(list.contains("• s1 — next: Mon 2026-03-30 09:00 — every Monday at 09:00 — general — « Weekly menu is up! »"), "{list}");
    // Monday 30 March, after the change to summer time: 09:00 local.
    let out = ticks(cfg, &mut host, now, at("2026-03-30 09:00"), MIN);
    assert_eq!(
        posts(&out),
        [(
            "general".to_string(),
            "Weekly menu is up!".to_string(),
            "scheduled post s1 (2026-03-30 09:00 Europe/Paris)".to_string()
        )]
    );
    let out = run(
        cfg,
        &mut host,
        &staff("c4", "!schedule cancel s1", at("2026-03-30 10:00")),
    );
    assert_eq!(one_reply(&out), "🗑 Post s1 cancelled.");
    assert!(store::chat_post(&mut host, "s1").is_none());
    assert!(ticks(
        cfg,
        &mut host,
        at("2026-03-30 10:00"),
        at("2026-04-07 00:00"),
        10 * MIN
    )
    .is_empty());
    let out = run(
        cfg,
        &mut host,
        &staff("c5", "!schedule cancel s1", at("2026-04-07 10:00")),
    );
    assert!(one_reply(&out).starts_with("No post \"s1\""));
    // The one-off goes out and is then removed; ids are never reused.
    let out = ticks(
        cfg,
        &mut host,
        at("2026-12-24 17:00"),
        at("2026-12-24 18:00"),
        MIN,
    );
    assert_eq!(posts(&out).len(), 1);
    assert!(store::chat_post(&mut host, "s2").is_none());
    let out = run(
        cfg,
        &mut host,
        &staff(
            "c6",
            "!schedule add tomorrow 9am \"x\"",
            at("2026-12-24 19:00"),
        ),
    );
    assert!(one_reply(&out).contains("Post s3 scheduled"));
}

#[test]
fn staff_add_list_and_cancel_in_french() {
    let cfg = "{}";
    let mut host = TestHost::new();
    let now = at("2026-03-27 10:00");
    let out = run(
        cfg,
        &mut host,
        &staff(
            "c1",
            "!planning ajouter chaque lundi 9h #general « Le menu de la semaine est en ligne ! »",
            now,
        ),
    );
    assert_eq!(
        one_reply(&out),
        "✅ Publication s1 programmée : chaque lundi à 09:00 (Europe/Paris) dans general. Prochain envoi : lun. 2026-03-30 09:00. Pour l'annuler : `!planning annuler s1`."
    );
    let out = run(
        cfg,
        &mut host,
        &staff(
            "c2",
            "!Planning Ajouter TOUS LES JOURS 12h30 ici « À table ! »",
            now,
        ),
    );
    assert!(one_reply(&out).contains("s2 programmée : tous les jours à 12:30"));
    let out = run(cfg, &mut host, &staff("c3", "!planning liste", now));
    let list = one_reply(&out);
    assert!(
        list.starts_with("📅 Calendrier éditorial (Europe/Paris), 2 publication(s):"),
        "{list}"
    );
    assert!(
        list.contains("• s2 — prochain : ven. 2026-03-27 12:30 — tous les jours à 12:30"),
        "{list}"
    );
    let out = run(cfg, &mut host, &staff("c4", "!planning annuler s2", now));
    assert_eq!(one_reply(&out), "🗑 Publication s2 annulée.");
    let out = run(cfg, &mut host, &staff("c5", "!planning annuler", now));
    assert!(one_reply(&out).starts_with("Quelle publication ?"));
    let out = run(
        cfg,
        &mut host,
        &staff("c6", "!planning ajouter demain « Bonjour »", now),
    );
    assert!(one_reply(&out).contains("il manque l'heure"), "{out:?}");
    let out = run(
        cfg,
        &mut host,
        &staff(
            "c7",
            "!planning ajouter 2026-01-01 10:00 « Trop tard »",
            now,
        ),
    );
    assert_eq!(
        one_reply(&out),
        "Je n'ai pas pu programmer la publication : 2026-01-01 10:00 est déjà passé."
    );
    let out = run(
        cfg,
        &mut host,
        &staff("c8", "!planning ajouter un jour 10h « ? »", now),
    );
    assert!(
        one_reply(&out).contains("je ne comprends pas « un »"),
        "{out:?}"
    );
}

#[test]
fn members_get_a_polite_refusal_and_everyone_gets_help() {
    let mut host = TestHost::new();
    let now = at("2026-03-27 10:00");
    let out = run(
        "{}",
        &mut host,
        &member("m1", "general", "!schedule add tomorrow 9:00 \"spam\"", now),
    );
    assert_eq!(one_reply(&out), messages::not_staff(vigie_text::Lang::En));
    let out = run(
        "{}",
        &mut host,
        &member("m2", "general", "!planning liste", now),
    );
    assert!(one_reply(&out).starts_with("Désolé, seule l'équipe"));
    let out = run(
        "{}",
        &mut host,
        &member("m3", "general", "!planning aide", now),
    );
    assert!(one_reply(&out).starts_with("📅 Calendrier éditorial — commandes"));
    let out = run("{}", &mut host, &member("m4", "general", "!schedule", now));
    assert!(one_reply(&out).starts_with("📅 Editorial calendar — commands"));
    let out = run("{}", &mut host, &staff("s1", "!schedule frobnicate", now));
    assert!(one_reply(&out).contains("I don't know the command \"frobnicate\""));
    assert!(store::chat_posts(&mut host).is_empty());
    // Ordinary messages get nothing.
    assert!(run(
        "{}",
        &mut host,
        &member("m5", "general", "Bonjour à tous", now)
    )
    .is_empty());
    assert!(run(
        "{}",
        &mut host,
        &member("m6", "general", "schedule add", now)
    )
    .is_empty());
}

#[test]
fn a_one_off_added_just_after_its_time_goes_out_at_the_next_tick() {
    let mut host = TestHost::new();
    let out = run(
        "{}",
        &mut host,
        &staff(
            "c1",
            "!schedule add today 18:00 #general \"Live now!\"",
            at("2026-03-27 18:00") + 20_000,
        ),
    );
    assert!(one_reply(&out).contains("Post s1 scheduled"), "{out:?}");
    let out = tick("{}", &mut host, at("2026-03-27 18:01"));
    assert_eq!(posts(&out).len(), 1);
    assert!(tick("{}", &mut host, at("2026-03-27 18:02")).is_empty());
}

#[test]
fn cancelling_a_config_post_disables_it_until_its_schedule_changes() {
    let mut host = TestHost::new();
    tick(WEEKLY, &mut host, at("2026-01-05 08:00"));
    let out = run(
        WEEKLY,
        &mut host,
        &staff("c1", "!schedule cancel MENU", at("2026-01-05 08:10")),
    );
    assert!(one_reply(&out).starts_with("🗑 Post menu (from the config) disabled"));
    let out = run(
        WEEKLY,
        &mut host,
        &staff("c2", "!schedule cancel menu", at("2026-01-05 08:11")),
    );
    assert_eq!(one_reply(&out), "Post menu is already cancelled.");
    assert!(ticks(
        WEEKLY,
        &mut host,
        at("2026-01-05 08:00"),
        at("2026-01-20 00:00"),
        10 * MIN
    )
    .is_empty());
    let out = run(
        WEEKLY,
        &mut host,
        &staff("c3", "!schedule list", at("2026-01-20 00:00")),
    );
    assert!(one_reply(&out).contains("• menu [config] — every Monday at 09:00 — general — « Le menu de la semaine » (cancelled)"), "{out:?}");
    let moved = WEEKLY.replace("09:00", "10:00");
    assert_eq!(
        posts(&ticks(
            &moved,
            &mut host,
            at("2026-01-26 09:00"),
            at("2026-01-26 10:00"),
            MIN
        ))
        .len(),
        1
    );
}

#[test]
fn channels_are_resolved_against_what_the_plugin_knows() {
    let mut host = TestHost::new();
    let now = at("2026-03-27 10:00");
    run("{}", &mut host, &member("m1", "annonces", "hello", now));
    let out = run(
        "{}",
        &mut host,
        &staff("c1", "!schedule add tomorrow 9:00 #annonces \"x\"", now),
    );
    assert!(one_reply(&out).contains(" in annonces."), "{out:?}");
    // IRC-like channels keep their `#`.
    let mut e = staff("c2", "!schedule add tomorrow 9:00 #vigie \"x\"", now);
    e.channel = "#general".into();
    assert!(one_reply(&run("{}", &mut host, &e)).contains(" in #vigie."));
    // A Matrix room id as is.
    let out = run(
        "{}",
        &mut host,
        &staff(
            "c3",
            "!schedule add tomorrow 9:00 !abc:example.org \"x\"",
            now,
        ),
    );
    assert!(one_reply(&out).contains(" in !abc:example.org."), "{out:?}");
}

#[test]
fn the_calendar_is_bounded() {
    let list: Vec<String> = (0..config::MAX_POSTS)
        .map(|i| {
            format!(
                r#"{{"id": "p{i}", "channel": "general", "text": "x", "when": "2026-01-05 09:00"}}"#
            )
        })
        .collect();
    let cfg = format!(r#"{{"posts": [{}]}}"#, list.join(","));
    let mut host = TestHost::new();
    let out = run(
        &cfg,
        &mut host,
        &staff(
            "c1",
            "!schedule add tomorrow 9:00 \"x\"",
            at("2026-01-01 10:00"),
        ),
    );
    assert!(one_reply(&out).contains("already holds 500"), "{out:?}");
    let long = "é".repeat(config::MAX_TEXT_CHARS + 1);
    let out = run(
        "{}",
        &mut host,
        &staff(
            "c2",
            &format!("!planning ajouter demain 9h « {long} »"),
            at("2026-01-01 10:00"),
        ),
    );
    assert!(one_reply(&out).contains("plus que 2000"), "{out:?}");
    let too_many = format!(
        r#"{{"posts": [{}, {}]}}"#,
        list.join(","),
        list[0].replace("p0", "extra")
    );
    assert!(Config::parse(&too_many)
        .unwrap_err()
        .contains("more than 500"));
}

// --------------------------------------------------------- quiet chats --

const QUIET: &str = r#"{"posts": [
    {"id": "skip", "channel": "general", "text": "S", "when": "2026-01-05 09:00", "repeat": "daily", "skip_if_quiet_h": 6},
    {"id": "hold", "channel": "jeux", "text": "H", "when": "2026-01-05 09:00", "repeat": "daily", "delay_if_quiet_h": 6, "delay_max_h": 4}
]}"#;

#[test]
fn a_quiet_channel_skips_or_holds_the_post() {
    let mut host = TestHost::new();
    tick(QUIET, &mut host, at("2026-01-05 00:00"));
    // No member message ever seen: not quiet, both go out.
    assert_eq!(
        posts(&tick(QUIET, &mut host, at("2026-01-05 09:00"))).len(),
        2
    );
    // Members wrote at 10:00 on the 5th; by 09:00 on the 6th both
    // channels are quiet (23 h).
    run(
        QUIET,
        &mut host,
        &member("m1", "general", "salut", at("2026-01-05 10:00")),
    );
    run(
        QUIET,
        &mut host,
        &member("m2", "jeux", "gg", at("2026-01-05 10:00")),
    );
    let out = tick(QUIET, &mut host, at("2026-01-06 09:00"));
    assert!(posts(&out).is_empty());
    let al = alerts(&out);
    assert_eq!(al.len(), 1);
    assert_eq!(al[0].0, Severity::Info);
    assert!(
        al[0]
            .1
            .contains("skip dans general, aucun message de membre depuis 6 h (2026-01-06 09:00)"),
        "{}",
        al[0].1
    );
    assert_eq!(
        state(&mut host, "hold").held.map(|h| h.at),
        Some(at("2026-01-06 09:00"))
    );
    // A member writes in #jeux at 10:30: the held post goes out just after.
    let out = run(
        QUIET,
        &mut host,
        &member("m3", "jeux", "quelqu'un ?", at("2026-01-06 10:30")),
    );
    assert_eq!(
        posts(&out),
        [(
            "jeux".to_string(),
            "H".to_string(),
            "scheduled post hold (2026-01-06 09:00 Europe/Paris), held until a member wrote in the channel".to_string()
        )]
    );
    assert!(run(
        QUIET,
        &mut host,
        &member("m4", "jeux", "encore", at("2026-01-06 10:31"))
    )
    .is_empty());
    assert!(ticks(
        QUIET,
        &mut host,
        at("2026-01-06 09:00"),
        at("2026-01-07 08:59"),
        10 * MIN
    )
    .is_empty());
    // Staff messages do not wake a channel; a hold that runs out is skipped.
    let out = tick(QUIET, &mut host, at("2026-01-07 09:00"));
    assert!(posts(&out).is_empty(), "{out:?}");
    assert!(run(
        QUIET,
        &mut host,
        &msg(
            "s1",
            author("u-staff", true),
            "jeux",
            "test",
            at("2026-01-07 10:00")
        )
    )
    .is_empty());
    let out = tick(QUIET, &mut host, at("2026-01-07 13:00"));
    assert!(alerts(&out)[0].1.contains("hold dans jeux"), "{out:?}");
    assert!(store::held(&mut host).is_empty());
    // An active channel gets its post.
    run(
        QUIET,
        &mut host,
        &member("m5", "general", "hello", at("2026-01-08 08:00")),
    );
    let out = tick(QUIET, &mut host, at("2026-01-08 09:00"));
    assert_eq!(posts(&out).len(), 1);
    assert_eq!(posts(&out)[0].0, "general");
}

#[test]
fn channel_activity_is_written_at_most_once_a_minute() {
    let mut host = TestHost::new();
    let t = at("2026-01-05 10:00");
    run("{}", &mut host, &member("m1", "general", "a", t));
    let kv = host.kv.clone();
    run("{}", &mut host, &member("m2", "general", "b", t + 30_000));
    assert_eq!(host.kv, kv);
    run("{}", &mut host, &member("m3", "general", "c", t + 61_000));
    assert_eq!(
        store::channel_activity(&mut host, "general"),
        Some(t + 61_000)
    );
}

// --------------------------------------------------------------- config --

#[test]
fn bad_configs_are_refused_with_the_key_and_post_named() {
    let err = |json: &str| Schedule::configure(json).unwrap_err();
    let post = |extra: &str| {
        format!(
            r#"{{"posts": [{{"id": "menu", "channel": "general", "text": "x", "when": "2026-01-05 09:00"{extra}}}]}}"#
        )
    };
    assert!(err(r#"{"timezon": "Europe/Paris"}"#).contains("unknown field `timezon`"));
    assert!(err(r#"{"timezone": "Europe/Pari"}"#).contains("\"Europe/Pari\""));
    assert!(err(r#"{"grace_s": 10}"#).contains("grace_s"));
    let e = err(&post(r#", "txt": "y""#));
    assert!(
        e.contains("post \"menu\"") && e.contains("unknown key `txt`"),
        "{e}"
    );
    let e = err(r#"{"posts": [{"id": "menu", "text": "x", "when": "2026-01-05 09:00"}]}"#);
    assert!(e.contains("post \"menu\": no `channel`"), "{e}");
    let e = err(r#"{"posts": [{"id": "menu", "channel": "general", "when": "2026-01-05 09:00"}]}"#);
    assert!(e.contains("post \"menu\": no text"), "{e}");
    let e = err(&post(r#", "text_fr": "y""#));
    assert!(e.contains("not both"), "{e}");
    let e = err(
        r#"{"posts": [{"id": "menu", "channel": "general", "text": "x", "when": "2026-02-30 09:00"}]}"#,
    );
    assert!(
        e.contains("post \"menu\"") && e.contains("2026-02-30 09:00"),
        "{e}"
    );
    let e = err(&post(r#", "timezone": "Europe/Lutece""#));
    assert!(
        e.contains("post \"menu\"") && e.contains("Europe/Lutece"),
        "{e}"
    );
    let e = err(&post(r#", "rrule": "FREQ=MONTHLY;BYSETPOS=1""#));
    assert!(e.contains("post \"menu\"") && e.contains("BYSETPOS"), "{e}");
    let e = err(&post(r#", "repeat": "fortnightly""#));
    assert!(e.contains("fortnightly"), "{e}");
    let e = err(&post(r#", "repeat": "weekly", "days": ["funday"]"#));
    assert!(e.contains("funday"), "{e}");
    let e = err(&post(r#", "days": ["mon"]"#));
    assert!(e.contains("`days` goes with"), "{e}");
    let e = err(&post(r#", "until": "2026-06-30""#));
    assert!(e.contains("go with a recurrence"), "{e}");
    let e = err(&post(
        r#", "repeat": "daily", "skip_if_quiet_h": 2, "delay_if_quiet_h": 2"#,
    ));
    assert!(e.contains("not both"), "{e}");
    let e = err(&post(r#", "repeat": "yearly", "rrule": "FREQ=DAILY""#));
    assert!(e.contains("`rrule` or `repeat`"), "{e}");
    let e = err(
        r#"{"posts": [{"id": "s1", "channel": "general", "text": "x", "when": "2026-01-05 09:00"}]}"#,
    );
    assert!(e.contains("kept for posts added in chat"), "{e}");
    let two = r#"{"posts": [{"id": "a", "channel": "g", "text": "x", "when": "2026-01-05 09:00"},
                              {"id": "A", "channel": "g", "text": "y", "when": "2026-01-05 09:00"}]}"#;
    assert!(err(two).contains("duplicate id"));
    let e = err(&post(r#", "rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30""#));
    assert!(e.contains("never occurs"), "{e}");
    let e = err(&post(r#", "when": "x""#));
    assert!(e.contains("post \"menu\""), "{e}");
    // What is accepted.
    let ok = Config::parse(&post(
        r#", "repeat": "monthly", "day_of_month": -1, "until": "2027-06-30""#,
    ))
    .unwrap();
    assert_eq!(
        ok.posts[0].rule.rrule(),
        "FREQ=MONTHLY;BYMONTHDAY=-1;UNTIL=20270630T235900"
    );
    let ok = Config::parse(&post(
        r#", "rrule": "FREQ=WEEKLY;BYDAY=MO,TH", "count": 10, "timezone": "America/New_York""#,
    ))
    .unwrap();
    assert_eq!(ok.posts[0].rule.rrule(), "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=10");
    assert_eq!(ok.posts[0].zone.name(), "America/New_York");
    assert!(Schedule::configure("").is_ok());
}

#[test]
fn a_post_in_another_zone_fires_at_its_local_time() {
    let cfg = r#"{"posts": [{"id": "ny", "channel": "general", "text": "Good morning NYC",
        "when": "2026-03-02 09:00", "repeat": "daily", "timezone": "America/New_York"}]}"#;
    let mut host = TestHost::new();
    tick(cfg, &mut host, at("2026-03-09 00:00"));
    let out = ticks(
        cfg,
        &mut host,
        at("2026-03-09 00:00"),
        at("2026-03-10 00:00"),
        MIN,
    );
    // 09:00 in New York on 9 March (EDT) is 14:00 in Paris (CET).
    assert_eq!(
        posts(&out)[0].2,
        "scheduled post ny (2026-03-09 09:00 America/New_York)"
    );
    let ny = Zone::get("America/New_York").unwrap();
    assert_eq!(
        ny.to_ms(LocalTime::parse("2026-03-09 09:00", None).unwrap()),
        Some(at("2026-03-09 14:00"))
    );
}

#[test]
fn disabled_posts_and_removed_posts_leave_nothing_behind() {
    let cfg = r#"{"posts": [{"id": "off", "channel": "general", "text": "x", "when": "2026-01-05 09:00", "repeat": "daily", "enabled": false}]}"#;
    let mut host = TestHost::new();
    assert!(ticks(
        cfg,
        &mut host,
        at("2026-01-05 08:00"),
        at("2026-01-07 00:00"),
        10 * MIN
    )
    .is_empty());
    // Enabled again: armed anew, nothing reported for the days it was off.
    let on = cfg.replace(", \"enabled\": false", "");
    let out = tick(&on, &mut host, at("2026-01-07 08:00"));
    assert!(out.is_empty(), "{out:?}");
    assert_eq!(
        posts(&tick(&on, &mut host, at("2026-01-07 09:00"))).len(),
        1
    );
    tick(WEEKLY, &mut host, at("2026-01-07 09:10"));
    assert!(store::state(&mut host, "off").is_none());
    assert!(store::state(&mut host, "menu").is_some());
}

#[test]
fn absurd_times_and_texts_do_not_panic() {
    let cfg = QUIET;
    let mut host = TestHost::new();
    for now in [
        i64::MIN,
        -1,
        0,
        at("2026-01-05 09:00"),
        i64::MAX - 1,
        i64::MAX,
        0,
    ] {
        host.now_ms = now;
        let _ = Schedule::configure(cfg).unwrap().tick(&mut host, now);
        for text in [
            "!schedule add tomorrow 9:00 \"x\"",
            "!planning ajouter « »",
            "!schedule add \"",
            "!schedule add «",
            "!schedule add 99/99/9999 99:99 \"x\"",
            "!schedule add rrule FREQ=DAILY;UNTIL=99999999 9:00 \"x\"",
            "!schedule add every 0 days 9:00 \"x\"",
            "!schedule add every 5000 weeks 9:00 \"x\"",
            "!schedule add 9:00 1000000 times \"x\"",
            "!schedule add # \"x\" 9:00",
            "!schedule add 9:00 #é\u{0}x \"x\"",
            "!schedule cancel ////",
            "!planning liste",
            "!planning reprendre",
        ] {
            let mut e = staff("x", text, now);
            e.channel = "jeux".into();
            let _ = Schedule::configure(cfg).unwrap().handle(&mut host, &e);
            let _ = Schedule::configure(cfg)
                .unwrap()
                .handle(&mut host, &member("m", "jeux", "hi", now));
        }
    }
}
