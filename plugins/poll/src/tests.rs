//! Native tests of the plugin with `TestHost`. Every event is handled by a
//! freshly configured instance: the state must live in the kv store.

use super::*;
use crate::store::{self, Status};
use vigie_sdk::{Author, Label, Level, TestHost};

const T0: i64 = 1_763_805_600_000; // 2025-11-22T10:00:00Z
const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;

fn author(id: &str, staff: bool) -> Author {
    Author {
        id: id.to_string(),
        name: format!("Name of {id}"),
        roles: vec![if staff { "staff" } else { "member" }.to_string()],
        account_age_days: Some(365),
        is_staff: staff,
    }
}

fn msg(id: &str, who: Author, text: &str, at: i64) -> Event {
    let mut e = vigie_sdk::test_event(id, &who.id, text);
    e.author = who;
    e.channel = "general".to_string();
    e.timestamp_ms = at;
    e
}

fn staff(id: &str, text: &str, at: i64) -> Event {
    msg(id, author("u-staff", true), text, at)
}

fn user(id: &str, who: &str, text: &str, at: i64) -> Event {
    msg(id, author(who, false), text, at)
}

/// A reaction to the bot's poll message, as the host labels it: sent by
/// the plugin `by`, for the event `start`.
fn reaction(id: &str, who: &str, emoji: &str, by: &str, start: &str, at: i64) -> Event {
    let mut e = msg(id, author(who, false), "", at);
    e.kind = EventKind::Reaction;
    e.reaction = Some(emoji.to_string());
    e.target_message = Some(format!("$bot-message-for-{start}"));
    let label = |key: &str, note: &str| Label {
        key: key.to_string(),
        value: 1.0,
        note: Some(note.to_string()),
        plugin: "vigie".to_string(),
    };
    e.labels = vec![label("vigie.sent-by", by), label("vigie.sent-for", start)];
    e
}

/// The removal of reaction `reaction_id` (Matrix: a redaction of it).
fn unreact(id: &str, who: &str, reaction_id: &str, at: i64) -> Event {
    let mut e = msg(id, author(who, false), "", at);
    e.kind = EventKind::Deletion;
    e.target_message = Some(reaction_id.to_string());
    e
}

/// Handles `e` with a new instance, the host's clock at the event's time.
fn run(cfg: &str, host: &mut TestHost, e: &Event) -> Vec<Action> {
    host.now_ms = e.timestamp_ms;
    Poll::configure(cfg).unwrap().handle(host, e).unwrap()
}

fn tick(cfg: &str, host: &mut TestHost, now: i64) -> Vec<Action> {
    host.now_ms = now;
    Poll::configure(cfg).unwrap().tick(host, now).unwrap()
}

fn posts(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Post(p) => Some(p.text.clone()),
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

fn reacts(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::React(r) => Some(r.emoji.clone()),
            _ => None,
        })
        .collect()
}

fn alerts(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Alert(a) => Some(a.message.clone()),
            _ => None,
        })
        .collect()
}

fn reasons(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .map(|a| match a {
            Action::Post(p) => p.reason.clone(),
            Action::Reply(r) => r.reason.clone(),
            Action::React(r) => r.reason.clone(),
            Action::Alert(a) => a.reason.clone(),
            other => format!("{other:?}"),
        })
        .collect()
}

fn counts(host: &mut TestHost, id: u64, answers: usize) -> (u64, Vec<u64>) {
    store::counts(host, id, answers)
}

/// The ballot id of `user` in the open poll `id`: its pseudonym under the
/// poll's key, read from the store (every poll, public or anonymous).
fn ballot_id_of(host: &mut TestHost, id: u64, user: &str) -> String {
    let key = store::key(host, id).expect("the key of an open poll");
    poll_tally::ballot_id(&key, user)
}

/// No line of `list` names one of `users`.
fn assert_names_no_one(list: &str, users: &[&str]) {
    for u in users {
        assert!(!list.contains(u), "{u} in the list:\n{list}");
    }
}

/// The hash line after "SHA-256" in the results, and the list in the code
/// block that follows, read back as a participant would.
fn published(actions: &[Action]) -> (String, String) {
    let texts: Vec<String> = posts(actions).into_iter().chain(alerts(actions)).collect();
    let line = texts
        .iter()
        .flat_map(|t| t.lines())
        .find(|l| l.starts_with("vigie verify-poll"))
        .expect("a verify-poll line");
    let hash = line.rsplit(' ').next().unwrap().to_string();
    let list = texts
        .iter()
        .find_map(|t| {
            let start = t.find("```\n")? + 4;
            let end = t.rfind("```")?;
            Some(t[start..end].to_string())
        })
        .expect("a ballot list");
    (hash, list)
}

const CFG: &str = "{}";
const START_FR: &str =
    "!sondage « Quelle saveur pour l'hiver ? » « Vanille » « Chocolat » « Fraise » 2h";

fn start_poll(cfg: &str, host: &mut TestHost, text: &str) -> Vec<Action> {
    run(cfg, host, &staff("start", text, T0))
}

#[test]
fn describes_itself() {
    let d = Poll::describe();
    assert_eq!(d.name, "poll");
    assert_eq!(
        d.events,
        vec![EventKind::Message, EventKind::Reaction, EventKind::Deletion]
    );
    assert_eq!(
        d.actions,
        vec![
            ActionKind::Post,
            ActionKind::Reply,
            ActionKind::React,
            ActionKind::Alert
        ]
    );
}

#[test]
fn a_french_poll_is_announced_with_numbered_answers() {
    let mut host = TestHost::new();
    let out = start_poll(CFG, &mut host, START_FR);
    let p = posts(&out);
    assert_eq!(p.len(), 1, "{out:?}");
    let text = &p[0];
    assert!(
        text.starts_with("📊 Sondage #1 : « Quelle saveur pour l'hiver ? »\n1️⃣ Vanille\n2️⃣ Chocolat\n3️⃣ Fraise\n"),
        "{text}"
    );
    assert!(text.contains("réagissez à ce message"), "{text}");
    assert!(text.contains("`!voter 2`"), "{text}");
    assert!(text.contains("`!voter #1 2`"), "{text}");
    assert!(text.contains("Un seul choix par personne"), "{text}");
    assert!(
        text.contains("Fin le 22/11/2025 à 12:00 UTC (dans 2 h) · lancé par Name of u-staff"),
        "{text}"
    );
    assert!(
        text.contains("Résultats en direct : `!sondage résultats #1`"),
        "{text}"
    );
    assert!(text.contains("Vote public"), "{text}");
    assert!(text.contains("ne nomme personne"), "{text}");
    assert!(text.contains("vigie verify-poll"), "{text}");
    let poll = store::load(&mut host, 1).unwrap();
    assert_eq!(poll.status, Status::Open);
    assert_eq!(poll.deadline_ms, T0 + 2 * HOUR);
    assert_eq!(poll.start_message, "start");
    assert_eq!(poll.lang(), vigie_text::Lang::Fr);
    assert!(host.kv.contains_key("poll/1/key"));
}

#[test]
fn an_english_poll_with_every_option() {
    let mut host = TestHost::new();
    let out = start_poll(
        CFG,
        &mut host,
        r#"!poll "Which day for the tasting?" "Monday" "Friday" "Saturday" 1d multi=2 anonymous results=live"#,
    );
    let text = &posts(&out)[0];
    assert!(
        text.starts_with("📊 Poll #1: \"Which day for the tasting?\""),
        "{text}"
    );
    assert!(
        text.contains("Up to 2 choices per person (`!vote 1 3`)"),
        "{text}"
    );
    assert!(text.contains("Anonymous: Vigie keeps no link"), "{text}");
    assert!(text.contains("Live results: `!poll results #1`"), "{text}");
    assert!(
        text.contains("Ends on 2025-11-23 at 10:00 UTC (in 1 d)"),
        "{text}"
    );
    let poll = store::load(&mut host, 1).unwrap();
    assert!(poll.anonymous);
    assert_eq!(poll.multi, 2);
    assert_eq!(poll.results, config::ResultsMode::Live);
    // Anonymous without `results=`: counts wait for the end.
    start_poll(CFG, &mut host, r#"!poll "Q?" "A" "B" anonymous"#);
    let poll = store::load(&mut host, 2).unwrap();
    assert_eq!(poll.results, config::ResultsMode::End);
    assert_eq!(poll.deadline_ms, T0 + 24 * HOUR, "the default duration");
}

#[test]
fn bad_polls_are_explained_in_the_command_s_language() {
    let mut host = TestHost::new();
    let out = run(
        CFG,
        &mut host,
        &staff("e1", "!sondage « Oui ? » « Oui »", T0),
    );
    let r = &replies(&out)[0];
    assert!(
        r.starts_with("Sondage non compris : il faut au moins 2 réponses"),
        "{r}"
    );
    assert!(r.contains("Usage : `!sondage « Question ? »"), "{r}");
    let out = run(
        CFG,
        &mut host,
        &staff("e2", "!poll \"Q?\" \"A\" \"B\" 2 moons", T0),
    );
    let r = &replies(&out)[0];
    assert!(
        r.contains("\"moons\" is neither a duration nor an option"),
        "{r}"
    );
    let out = run(
        CFG,
        &mut host,
        &staff("e3", "!poll \"Q?\" \"A\" \"B\" 100d", T0),
    );
    assert!(replies(&out)[0].contains("between 1 minute and 90 days"));
    let out = run(CFG, &mut host, &staff("e4", "!sondage frobnicate", T0));
    assert!(replies(&out)[0].contains("« frobnicate » n'est pas une commande connue"));
    assert!(store::open_index(&mut host).is_empty());
}

#[test]
fn only_staff_start_polls_unless_configured() {
    let mut host = TestHost::new();
    let out = run(CFG, &mut host, &user("e1", "u-ana", START_FR, T0));
    assert_eq!(replies(&out), ["Seule l'équipe peut lancer un sondage."]);
    let everyone = r#"{"who_can_start": "everyone"}"#;
    let out = run(everyone, &mut host, &user("e2", "u-ana", START_FR, T0));
    assert_eq!(posts(&out).len(), 1);
    // The creator may end it; another member may not; staff may.
    let out = run(
        everyone,
        &mut host,
        &user("e3", "u-bob", "!sondage fin", T0 + MIN),
    );
    assert!(
        replies(&out)[0].contains("Seuls l'équipe et l'auteur"),
        "{out:?}"
    );
    let out = run(
        everyone,
        &mut host,
        &user("e4", "u-ana", "!sondage fin", T0 + MIN),
    );
    assert!(
        posts(&out)[0].starts_with("🏁 Sondage #1 terminé"),
        "{out:?}"
    );
    // max_open_polls.
    let one = r#"{"max_open_polls": 1}"#;
    run(one, &mut host, &staff("e5", START_FR, T0));
    let out = run(one, &mut host, &staff("e6", START_FR, T0));
    assert!(
        replies(&out)[0].contains("Déjà 1 sondages ouverts"),
        "{out:?}"
    );
}

#[test]
fn votes_by_command_are_confirmed_and_replace_the_ballot() {
    let mut host = TestHost::new();
    start_poll(CFG, &mut host, START_FR);
    let out = run(CFG, &mut host, &user("v1", "u-ana", "!voter 2", T0 + MIN));
    assert_eq!(reacts(&out), ["✅"]);
    assert_eq!(reasons(&out), ["poll #1: vote recorded"]);
    run(CFG, &mut host, &user("v2", "u-bob", "!vote 2️⃣", T0 + MIN));
    assert_eq!(counts(&mut host, 1, 3), (2, vec![0, 2, 0]));
    // Ana changes her mind: one ballot, the new one.
    run(
        CFG,
        &mut host,
        &user("v3", "u-ana", "!vote 3", T0 + 2 * MIN),
    );
    assert_eq!(counts(&mut host, 1, 3), (2, vec![0, 1, 1]));
    // Errors are explained, nothing counted.
    let out = run(
        CFG,
        &mut host,
        &user("v4", "u-cy", "!voter 4", T0 + 2 * MIN),
    );
    assert!(replies(&out)[0].contains("4 n'est pas une réponse du sondage #1"));
    let out = run(
        CFG,
        &mut host,
        &user("v5", "u-cy", "!voter 1 2", T0 + 2 * MIN),
    );
    assert!(replies(&out)[0].contains("2 choix, c'est trop"));
    let out = run(
        CFG,
        &mut host,
        &user("v6", "u-cy", "!voter pizza", T0 + 2 * MIN),
    );
    assert!(replies(&out)[0].contains("« pizza » n'est pas un numéro de réponse"));
    let out = run(CFG, &mut host, &user("v7", "u-cy", "!voter", T0 + 2 * MIN));
    assert!(replies(&out)[0].contains("1️⃣ Vanille · 2️⃣ Chocolat · 3️⃣ Fraise"));
    assert_eq!(counts(&mut host, 1, 3), (2, vec![0, 1, 1]));
    // Withdrawal.
    let out = run(
        CFG,
        &mut host,
        &user("v8", "u-bob", "!vote clear", T0 + 3 * MIN),
    );
    assert_eq!(reasons(&out), ["poll #1: ballot withdrawn"]);
    assert_eq!(counts(&mut host, 1, 3), (1, vec![0, 0, 1]));
    // A public poll stores the ballot under the voter's pseudonym too,
    // never under the user id.
    let ana = ballot_id_of(&mut host, 1, "u-ana");
    let bob = ballot_id_of(&mut host, 1, "u-bob");
    assert_eq!(
        host.kv
            .get(&format!("poll/1/b/{ana}"))
            .map(|v| v.ends_with(b"\t3")),
        Some(true)
    );
    assert!(!host.kv.contains_key(&format!("poll/1/b/{bob}")));
    assert!(!host
        .kv
        .keys()
        .any(|k| k.contains("u-ana") || k.contains("u-bob")));
}

#[test]
fn no_open_poll_and_several_open_polls() {
    let mut host = TestHost::new();
    let out = run(CFG, &mut host, &user("v0", "u-ana", "!vote 1", T0));
    assert!(
        replies(&out)[0].starts_with("No poll is open here."),
        "{out:?}"
    );
    run(
        CFG,
        &mut host,
        &staff("s1", r#"!poll "First?" "Mocha" "Latte""#, T0),
    );
    run(
        CFG,
        &mut host,
        &staff("s2", r#"!poll "Second?" "Mocha" "Latte" "Espresso""#, T0),
    );
    // Without #n: the newest poll of the channel.
    run(CFG, &mut host, &user("v1", "u-ana", "!vote 3", T0 + MIN));
    assert_eq!(counts(&mut host, 2, 3), (1, vec![0, 0, 1]));
    run(CFG, &mut host, &user("v2", "u-ana", "!vote #1 2", T0 + MIN));
    assert_eq!(counts(&mut host, 1, 2), (1, vec![0, 1]));
    let out = run(CFG, &mut host, &user("v3", "u-ana", "!vote #9 2", T0 + MIN));
    assert_eq!(replies(&out), ["There is no poll #9."]);
    // Ending without #n asks which.
    let out = run(CFG, &mut host, &staff("e1", "!poll end", T0 + MIN));
    assert!(
        replies(&out)[0].contains("#1 (First?), #2 (Second?)"),
        "{out:?}"
    );
    let out = run(CFG, &mut host, &staff("e2", "!poll end #1", T0 + MIN));
    assert!(posts(&out)[0].starts_with("🏁 Poll #1 closed"), "{out:?}");
    let out = run(CFG, &mut host, &user("v4", "u-ana", "!vote #1 1", T0 + MIN));
    assert_eq!(replies(&out), ["Poll #1 is closed."]);
    let out = run(CFG, &mut host, &staff("l1", "!poll list", T0 + MIN));
    assert!(
        replies(&out)[0].contains("#2 \"Second?\" in #general"),
        "{out:?}"
    );
}

#[test]
fn votes_by_reaction_on_the_poll_s_message() {
    let mut host = TestHost::new();
    start_poll(CFG, &mut host, START_FR);
    let out = run(
        CFG,
        &mut host,
        &reaction("r1", "u-ana", "2️⃣", "poll", "start", T0 + MIN),
    );
    assert!(out.is_empty(), "a reaction vote is silent: {out:?}");
    run(
        CFG,
        &mut host,
        &reaction("r2", "u-bob", "3", "poll", "start", T0 + MIN),
    );
    assert_eq!(counts(&mut host, 1, 3), (2, vec![0, 1, 1]));
    // With one choice per ballot, a new reaction replaces the choice.
    run(
        CFG,
        &mut host,
        &reaction("r3", "u-ana", "1️⃣", "poll", "start", T0 + MIN),
    );
    assert_eq!(counts(&mut host, 1, 3), (2, vec![1, 0, 1]));
    // Reactions that are not votes: another plugin's message, another
    // emoji, an answer the poll does not have, the wrong event.
    for (i, (emoji, by, start)) in [
        ("2️⃣", "giveaway", "start"),
        ("🎉", "poll", "start"),
        ("4️⃣", "poll", "start"),
        ("2️⃣", "poll", "other-event"),
    ]
    .iter()
    .enumerate()
    {
        let out = run(
            CFG,
            &mut host,
            &reaction(&format!("x{i}"), "u-cy", emoji, by, start, T0 + MIN),
        );
        assert!(out.is_empty());
    }
    assert_eq!(counts(&mut host, 1, 3), (2, vec![1, 0, 1]));
    // A reaction to the start command itself counts too (what a JSON Lines
    // demo can send: it cannot carry the host's labels).
    let mut direct = user("r4", "u-cy", "", T0 + MIN);
    direct.kind = EventKind::Reaction;
    direct.reaction = Some("2️⃣".into());
    direct.target_message = Some("start".into());
    run(CFG, &mut host, &direct);
    assert_eq!(counts(&mut host, 1, 3), (3, vec![1, 1, 1]));
    // The entry name of the config is what the host labels with.
    let named = r#"{"entry_name": "sondage"}"#;
    run(
        named,
        &mut host,
        &reaction("r5", "u-dan", "2️⃣", "sondage", "start", T0 + MIN),
    );
    assert_eq!(counts(&mut host, 1, 3), (4, vec![1, 2, 1]));
}

#[test]
fn removing_a_reaction_withdraws_its_choice() {
    let mut host = TestHost::new();
    start_poll(CFG, &mut host, &format!("{START_FR} multi=2"));
    run(
        CFG,
        &mut host,
        &reaction("r1", "u-ana", "1️⃣", "poll", "start", T0 + MIN),
    );
    run(
        CFG,
        &mut host,
        &reaction("r2", "u-ana", "3️⃣", "poll", "start", T0 + MIN),
    );
    assert_eq!(counts(&mut host, 1, 3), (1, vec![1, 0, 1]));
    // Beyond `multi`, a reaction is not counted, and the voter is told once.
    let out = run(
        CFG,
        &mut host,
        &reaction("r3", "u-ana", "2️⃣", "poll", "start", T0 + MIN),
    );
    assert!(posts(&out)[0].contains("vous avez déjà 2 choix"), "{out:?}");
    let out = run(
        CFG,
        &mut host,
        &reaction("r3b", "u-ana", "2️⃣", "poll", "start", T0 + MIN),
    );
    assert!(out.is_empty(), "told once: {out:?}");
    assert_eq!(counts(&mut host, 1, 3), (1, vec![1, 0, 1]));
    // Ana removes her 1️⃣: that choice goes; the ballot stays with 3.
    let out = run(CFG, &mut host, &unreact("d1", "u-ana", "r1", T0 + 2 * MIN));
    assert!(out.is_empty());
    assert_eq!(counts(&mut host, 1, 3), (1, vec![0, 0, 1]));
    // Removing it again, or a reaction that did not count, changes nothing.
    run(CFG, &mut host, &unreact("d2", "u-ana", "r1", T0 + 2 * MIN));
    run(CFG, &mut host, &unreact("d3", "u-ana", "r3", T0 + 2 * MIN));
    run(
        CFG,
        &mut host,
        &unreact("d4", "u-ana", "unrelated", T0 + 2 * MIN),
    );
    assert_eq!(counts(&mut host, 1, 3), (1, vec![0, 0, 1]));
    // Removing the last one withdraws the ballot.
    run(CFG, &mut host, &unreact("d5", "u-ana", "r2", T0 + 2 * MIN));
    assert_eq!(counts(&mut host, 1, 3), (0, vec![0, 0, 0]));
    assert!(store::all_ballots(&mut host, 1).is_empty());
    // A `!vote` after a reaction replaces the ballot: removing the old
    // reaction then withdraws nothing.
    run(
        CFG,
        &mut host,
        &reaction("r6", "u-bob", "1️⃣", "poll", "start", T0 + 3 * MIN),
    );
    run(
        CFG,
        &mut host,
        &user("v1", "u-bob", "!voter 1 2", T0 + 3 * MIN),
    );
    run(CFG, &mut host, &unreact("d6", "u-bob", "r6", T0 + 4 * MIN));
    assert_eq!(counts(&mut host, 1, 3), (1, vec![1, 1, 0]));
    // A moderator removing someone's reaction withdraws that someone's
    // choice: the reaction is what counts.
    run(
        CFG,
        &mut host,
        &reaction("r7", "u-cy", "2️⃣", "poll", "start", T0 + 4 * MIN),
    );
    run(
        CFG,
        &mut host,
        &unreact("d7", "u-staff", "r7", T0 + 5 * MIN),
    );
    assert_eq!(counts(&mut host, 1, 3), (1, vec![1, 1, 0]));
}

#[test]
fn eligibility_is_checked_and_refusals_are_rate_limited() {
    let cfg = r#"{"min_account_age_days": 7, "required_roles": ["Membre", "VIP"], "staff_can_vote": false}"#;
    let mut host = TestHost::new();
    start_poll(cfg, &mut host, START_FR);
    let mut young = user("v1", "u-young", "!voter 1", T0 + MIN);
    young.author.account_age_days = Some(2);
    young.author.roles = vec!["membre".into()];
    let out = run(cfg, &mut host, &young);
    assert_eq!(
        replies(&out),
        ["Vote refusé au sondage #1 : il faut un compte créé depuis au moins 7 jours."]
    );
    assert_eq!(reasons(&out), ["poll #1: vote refused: account too young"]);
    // Told once in ten minutes.
    young.id = "v2".into();
    assert!(run(cfg, &mut host, &young).is_empty());
    young.id = "v3".into();
    young.timestamp_ms = T0 + 12 * MIN;
    assert_eq!(replies(&run(cfg, &mut host, &young)).len(), 1);
    // Roles (compared without case or accents), staff.
    let mut guest = user("v4", "u-guest", "!voter 1", T0 + MIN);
    guest.author.roles = vec!["guest".into()];
    let out = run(cfg, &mut host, &guest);
    assert!(
        replies(&out)[0].contains("il faut le rôle « membre » ou « vip »"),
        "{out:?}"
    );
    let out = run(cfg, &mut host, &staff("v5", "!voter 1", T0 + MIN));
    assert!(replies(&out)[0].contains("l'équipe ne vote pas"), "{out:?}");
    let mut vip = user("v6", "u-vip", "!voter 1", T0 + MIN);
    vip.author.roles = vec!["VIP".into()];
    assert_eq!(reacts(&run(cfg, &mut host, &vip)), ["✅"]);
    // Unknown account age: accepted unless the config refuses it.
    let mut unknown = user("v7", "u-matrix", "!voter 2", T0 + MIN);
    unknown.author.account_age_days = None;
    unknown.author.roles = vec!["membre".into()];
    assert_eq!(reacts(&run(cfg, &mut host, &unknown)), ["✅"]);
    // Reactions are refused by a post naming the user.
    let mut r = reaction("r1", "u-guest2", "1️⃣", "poll", "start", T0 + MIN);
    r.author.roles = vec!["guest".into()];
    let out = run(cfg, &mut host, &r);
    assert!(
        posts(&out)[0].starts_with("Name of u-guest2 — Vote refusé au sondage #1"),
        "{out:?}"
    );
    assert_eq!(counts(&mut host, 1, 3), (2, vec![1, 1, 0]));
    // The rules were copied when the poll started.
    let strict = r#"{"refuse_unknown_account_age": true, "min_account_age_days": 7}"#;
    start_poll(strict, &mut host, r#"!poll "Q?" "A" "B""#);
    let mut unknown = user("v8", "u-matrix", "!vote #2 1", T0 + MIN);
    unknown.author.account_age_days = None;
    let out = run(CFG, &mut host, &unknown);
    assert!(
        replies(&out)[0].contains("does not tell the age"),
        "{out:?}"
    );
}

#[test]
fn the_deadline_closes_the_poll_on_tick_with_verifiable_results() {
    let mut host = TestHost::new();
    start_poll(CFG, &mut host, START_FR);
    for (i, (who, vote)) in [
        ("u-a", "1"),
        ("u-b", "2"),
        ("u-c", "2"),
        ("u-d", "3"),
        ("u-e", "2"),
    ]
    .iter()
    .enumerate()
    {
        run(
            CFG,
            &mut host,
            &user(&format!("v{i}"), who, &format!("!voter {vote}"), T0 + MIN),
        );
    }
    assert!(tick(CFG, &mut host, T0 + 2 * HOUR - 1).is_empty());
    // The ballot ids, computed while the key is still there.
    let id_a = ballot_id_of(&mut host, 1, "u-a");
    let id_d = ballot_id_of(&mut host, 1, "u-d");
    let out = tick(CFG, &mut host, T0 + 2 * HOUR);
    let p = posts(&out);
    assert_eq!(p.len(), 2, "{out:?}");
    let text = &p[0];
    assert!(
        text.starts_with("🏁 Sondage #1 terminé : « Quelle saveur pour l'hiver ? »"),
        "{text}"
    );
    assert!(
        text.contains("1️⃣ Vanille : 1 vote (20 %) ██░░░░░░░░"),
        "{text}"
    );
    assert!(
        text.contains("2️⃣ Chocolat : 3 votes (60 %) ██████░░░░"),
        "{text}"
    );
    assert!(
        text.contains("3️⃣ Fraise : 1 vote (20 %) ██░░░░░░░░"),
        "{text}"
    );
    assert!(
        text.contains("🏆 Gagnant : 2️⃣ Chocolat (3 votes)"),
        "{text}"
    );
    assert!(text.contains("🗳️ 5 bulletins"), "{text}");
    // The hash and the list published verify, and give the same counts.
    let (hash, list) = published(&out);
    let report = poll_tally::verify(&list, &hash).unwrap();
    assert!(report.exact);
    assert_eq!(report.tally.counts, vec![1, 3, 1]);
    assert_eq!(report.tally.ballots, 5);
    let poll = store::load(&mut host, 1).unwrap();
    assert_eq!(poll.status, Status::Ended);
    assert_eq!(poll.ballots_hash.as_deref(), Some(hash.as_str()));
    assert_eq!(store::read_list(&mut host, 1), list);
    // A public poll lists pseudonyms too, never its voters' ids.
    assert!(list.contains(&format!("\n{id_a}\t1\n")), "{list}");
    assert!(list.contains(&format!("\n{id_d}\t3\n")), "{list}");
    assert_names_no_one(&list, &["u-a", "u-b", "u-c", "u-d", "u-e"]);
    assert!(text.contains("bulletins sont pseudonymes"), "{text}");
    // Closed: no more votes, the key is gone, ticks clean up.
    let out = run(
        CFG,
        &mut host,
        &user("late", "u-f", "!voter 1", T0 + 3 * HOUR),
    );
    assert!(
        replies(&out)[0].contains("Aucun sondage ouvert ici"),
        "{out:?}"
    );
    assert!(!host.kv.contains_key("poll/1/key"));
    tick(CFG, &mut host, T0 + 3 * HOUR);
    assert!(!host.kv.keys().any(|k| k.starts_with("poll/1/b/")));
    assert!(!host.kv.contains_key("cleanup/1"));
    assert!(!host.kv.contains_key("next") && !host.kv.contains_key("open"));
}

#[test]
fn an_event_after_the_deadline_closes_the_poll_before_anything_else() {
    let mut host = TestHost::new();
    start_poll(CFG, &mut host, START_FR);
    run(CFG, &mut host, &user("v1", "u-a", "!voter 1", T0 + MIN));
    // No tick came; a late vote arrives: the poll closes first, at its
    // deadline, and the late vote is not counted.
    let out = run(
        CFG,
        &mut host,
        &user("v2", "u-b", "!voter 2", T0 + 2 * HOUR),
    );
    let p = posts(&out);
    assert!(p[0].contains("🗳️ 1 bulletin"), "{out:?}");
    assert!(
        replies(&out)[0].contains("Aucun sondage ouvert ici"),
        "{out:?}"
    );
    let poll = store::load(&mut host, 1).unwrap();
    assert_eq!(poll.ended_ms, Some(T0 + 2 * HOUR));
    assert_eq!(poll.counts, vec![1, 0, 0]);
}

#[test]
fn end_and_cancel_by_command() {
    let mut host = TestHost::new();
    start_poll(CFG, &mut host, START_FR);
    run(CFG, &mut host, &user("v1", "u-a", "!voter 1", T0 + MIN));
    let out = run(
        CFG,
        &mut host,
        &user("e1", "u-a", "!sondage fin", T0 + 2 * MIN),
    );
    assert!(
        replies(&out)[0].contains("Seuls l'équipe et l'auteur"),
        "{out:?}"
    );
    let out = run(CFG, &mut host, &staff("e2", "!sondage fin", T0 + 2 * MIN));
    assert!(
        posts(&out)[0].contains("🏆 Gagnant : 1️⃣ Vanille (1 vote)"),
        "{out:?}"
    );
    assert_eq!(
        store::load(&mut host, 1).unwrap().ended_ms,
        Some(T0 + 2 * MIN)
    );
    let out = run(
        CFG,
        &mut host,
        &staff("e3", "!sondage fin #1", T0 + 3 * MIN),
    );
    assert_eq!(replies(&out), ["Le sondage #1 est clos."]);
    // Cancel: no results, the ballots go.
    start_poll(CFG, &mut host, r#"!poll "Q?" "A" "B""#);
    run(CFG, &mut host, &user("v2", "u-a", "!vote 1", T0 + MIN));
    let out = run(CFG, &mut host, &staff("c1", "!poll cancel", T0 + 2 * MIN));
    assert!(
        posts(&out)[0].starts_with("🚫 Poll #2 cancelled"),
        "{out:?}"
    );
    assert_eq!(store::load(&mut host, 2).unwrap().status, Status::Cancelled);
    assert!(!host.kv.contains_key("poll/2/key"));
    let out = run(
        CFG,
        &mut host,
        &user("q1", "u-a", "!poll results #2", T0 + 3 * MIN),
    );
    assert_eq!(
        replies(&out),
        ["Poll #2 was cancelled: there are no results."]
    );
    let out = run(
        CFG,
        &mut host,
        &user("q2", "u-a", "!poll ballots #2", T0 + 3 * MIN),
    );
    assert_eq!(replies(&out), ["Poll #2 was cancelled: there is no list."]);
    tick(CFG, &mut host, T0 + 4 * MIN);
    assert!(store::all_ballots(&mut host, 2).is_empty());
}

#[test]
fn results_live_end_and_staff() {
    let mut host = TestHost::new();
    // live: anyone, any time, at most once in 30 s.
    start_poll(CFG, &mut host, r#"!poll "Q?" "A" "B" results=live"#);
    run(CFG, &mut host, &user("v1", "u-a", "!vote 2", T0 + MIN));
    let out = run(
        CFG,
        &mut host,
        &user("q1", "u-b", "!poll results", T0 + MIN),
    );
    let r = &replies(&out)[0];
    assert!(
        r.starts_with("📊 Poll #1 \"Q?\" — results so far (ends in 23 h 59)"),
        "{r}"
    );
    assert!(r.contains("2️⃣ B: 1 vote (100%) ██████████"), "{r}");
    assert!(r.contains("🏆 Leading: 2️⃣ B (1 vote)"), "{r}");
    assert!(run(
        CFG,
        &mut host,
        &user("q2", "u-b", "!poll results", T0 + MIN + 1000)
    )
    .is_empty());
    assert_eq!(
        replies(&run(
            CFG,
            &mut host,
            &user("q3", "u-b", "!poll results", T0 + 2 * MIN)
        ))
        .len(),
        1
    );
    // end: nothing before the end.
    start_poll(CFG, &mut host, r#"!poll "Q2?" "A" "B" results=end"#);
    run(CFG, &mut host, &user("v2", "u-a", "!vote #2 1", T0 + MIN));
    let out = run(
        CFG,
        &mut host,
        &user("q4", "u-b", "!poll results #2", T0 + MIN),
    );
    assert_eq!(
        replies(&out),
        ["The results of poll #2 come when it closes, on 2025-11-23 at 10:00 UTC."]
    );
    // staff: alerts only; the channel learns that it closed.
    start_poll(CFG, &mut host, r#"!poll "Q3?" "A" "B" results=staff"#);
    run(CFG, &mut host, &user("v3", "u-a", "!vote #3 1", T0 + MIN));
    let out = run(
        CFG,
        &mut host,
        &user("q5", "u-b", "!poll results #3", T0 + MIN),
    );
    assert_eq!(
        replies(&out),
        ["The results of poll #3 are for the staff only."]
    );
    let out = run(CFG, &mut host, &staff("q6", "!poll results #3", T0 + MIN));
    assert!(alerts(&out)[0].contains("1️⃣ A: 1 vote (100%)"), "{out:?}");
    assert_eq!(replies(&out), ["Results of poll #3 sent to the staff."]);
    let out = run(CFG, &mut host, &staff("e3", "!poll end #3", T0 + 2 * MIN));
    assert_eq!(
        posts(&out),
        ["🏁 Poll #3 closed: \"Q3?\" — 1 ballot. The results go to the staff."]
    );
    let a = alerts(&out);
    assert!(a[0].contains("🏆 Winner: 1️⃣ A (1 vote)"), "{a:?}");
    let (hash, list) = published(&out);
    assert_eq!(
        poll_tally::verify(&list, &hash).unwrap().tally.counts,
        vec![1, 0]
    );
    let out = run(
        CFG,
        &mut host,
        &user("q7", "u-b", "!poll ballots #3", T0 + 3 * MIN),
    );
    assert_eq!(
        replies(&out),
        ["The results of poll #3 are for the staff only."]
    );
    let out = run(
        CFG,
        &mut host,
        &staff("q8", "!poll ballots #3", T0 + 3 * MIN),
    );
    assert!(
        alerts(&out)[0].contains("```\n#vigie-poll v1 poll=3 options=2 multi=1\n"),
        "{out:?}"
    );
}

#[test]
fn ties_and_empty_polls_are_announced_as_such() {
    let mut host = TestHost::new();
    start_poll(
        CFG,
        &mut host,
        r#"!poll "Best roast?" "Mocha" "Latte" "Espresso""#,
    );
    run(CFG, &mut host, &user("v1", "u-a", "!vote 1", T0 + MIN));
    run(CFG, &mut host, &user("v2", "u-b", "!vote 3", T0 + MIN));
    let out = run(CFG, &mut host, &staff("e1", "!poll end", T0 + 2 * MIN));
    let text = &posts(&out)[0];
    assert!(
        text.contains("🤝 Tie between 1️⃣ Mocha and 3️⃣ Espresso (1 vote each)"),
        "{text}"
    );
    assert!(!text.contains("Winner"), "{text}");
    let (hash, list) = published(&out);
    assert_eq!(
        poll_tally::verify(&list, &hash).unwrap().tally.outcome(),
        poll_tally::Outcome::Tie {
            options: vec![1, 3],
            votes: 1
        }
    );
    start_poll(CFG, &mut host, r#"!sondage « Q ? » « A » « B »"#);
    let out = run(CFG, &mut host, &staff("e2", "!sondage fin", T0 + 2 * MIN));
    let text = &posts(&out)[0];
    assert!(text.contains("Aucun vote.\n🗳️ 0 bulletin\n"), "{text}");
    let (hash, list) = published(&out);
    assert_eq!(list, "#vigie-poll v1 poll=2 options=2 multi=1\n");
    assert_eq!(poll_tally::verify(&list, &hash).unwrap().tally.ballots, 0);
}

#[test]
fn multi_choice_ballots_by_command_and_reaction() {
    let mut host = TestHost::new();
    start_poll(
        CFG,
        &mut host,
        r#"!poll "Best drinks?" "Mocha" "Latte" "Tea" "Juice" multi=3"#,
    );
    run(CFG, &mut host, &user("v1", "u-a", "!vote 1 3", T0 + MIN));
    run(CFG, &mut host, &user("v2", "u-b", "!vote 3,4,1", T0 + MIN));
    run(
        CFG,
        &mut host,
        &reaction("r1", "u-c", "4️⃣", "poll", "start", T0 + MIN),
    );
    run(
        CFG,
        &mut host,
        &reaction("r2", "u-c", "2️⃣", "poll", "start", T0 + MIN),
    );
    assert_eq!(counts(&mut host, 1, 4), (3, vec![2, 1, 2, 2]));
    let out = run(
        CFG,
        &mut host,
        &user("v3", "u-d", "!vote 1 2 3 4", T0 + MIN),
    );
    assert!(replies(&out)[0].contains("4 choices is too many: poll #1 allows 3 at most"));
    let id_b = ballot_id_of(&mut host, 1, "u-b");
    let id_c = ballot_id_of(&mut host, 1, "u-c");
    let out = run(CFG, &mut host, &staff("e1", "!poll end", T0 + 2 * MIN));
    let text = &posts(&out)[0];
    assert!(
        text.contains("1️⃣ Mocha: 2 votes (66.7%) ███████░░░"),
        "{text}"
    );
    assert!(
        text.contains("up to 3 choices per ballot: percentages are shares of the ballots"),
        "{text}"
    );
    assert!(
        text.contains("🤝 Tie between 1️⃣ Mocha, 3️⃣ Tea and 4️⃣ Juice (2 votes each)"),
        "{text}"
    );
    let (hash, list) = published(&out);
    assert!(list.contains(&format!("\n{id_b}\t1,3,4\n")), "{list}");
    assert!(list.contains(&format!("\n{id_c}\t2,4\n")), "{list}");
    assert_names_no_one(&list, &["u-a", "u-b", "u-c", "u-d"]);
    assert_eq!(list.lines().count(), 4, "a header and 3 ballots: {list}");
    assert_eq!(
        poll_tally::verify(&list, &hash).unwrap().tally.counts,
        vec![2, 1, 2, 2]
    );
}

/// The anonymity guarantee: for an anonymous poll, neither the store (every
/// key and value) nor the log nor any action's reason ever holds a voter's
/// or the creator's user id (nor, here, their display names, which are the
/// ids in this test, nor the reactions' event ids); once the poll closes,
/// the key is gone, and the ballot ids published are the keyed hashes of
/// the voters.
#[test]
fn an_anonymous_poll_stores_and_logs_no_user_id() {
    let cfg = r#"{"min_account_age_days": 7}"#;
    let mut host = TestHost::new();
    let users = [
        "@alice:example.org",
        "@bruno:example.org",
        "@chloe:example.org",
        "@dave:example.org",
        "@young:example.org",
        "@staffer:example.org",
    ];
    let mut secrets: Vec<String> = users.iter().map(|u| u.to_string()).collect();
    // Names equal to the ids, as `vigie_sdk::test_event` makes them.
    let person = |id: &str, staff: bool| Author {
        id: id.to_string(),
        name: id.to_string(),
        roles: vec!["member".into()],
        account_age_days: Some(100),
        is_staff: staff,
    };
    let mut all_actions = Vec::new();
    let mut step = |host: &mut TestHost, e: Event, secrets: &mut Vec<String>| {
        if e.kind == EventKind::Reaction {
            secrets.push(e.id.clone());
        }
        let out = run(cfg, host, &e);
        all_actions.extend(out.clone());
        out
    };
    let start = msg(
        "ev-start",
        person("@staffer:example.org", true),
        "!poll \"Secret ballot?\" \"Yes\" \"No\" \"Maybe\" 1h anonymous multi=2",
        T0,
    );
    step(&mut host, start, &mut secrets);
    let key_during = store::key(&mut host, 1).expect("a key while open");
    let vote = |id: &str, who: &str, text: &str, at: i64| msg(id, person(who, false), text, at);
    step(
        &mut host,
        vote("ev-1", users[0], "!vote 1", T0 + MIN),
        &mut secrets,
    );
    step(
        &mut host,
        vote("ev-2", users[1], "!vote 2 3", T0 + MIN),
        &mut secrets,
    );
    step(
        &mut host,
        vote("ev-3", users[0], "!vote 2", T0 + 2 * MIN),
        &mut secrets,
    );
    let mut r = reaction("ev-r1", users[2], "1️⃣", "poll", "ev-start", T0 + 2 * MIN);
    r.author = person(users[2], false);
    step(&mut host, r, &mut secrets);
    let mut r = reaction("ev-r2", users[2], "3️⃣", "poll", "ev-start", T0 + 2 * MIN);
    r.author = person(users[2], false);
    step(&mut host, r, &mut secrets);
    let mut r = reaction("ev-r3", users[3], "2️⃣", "poll", "ev-start", T0 + 2 * MIN);
    r.author = person(users[3], false);
    step(&mut host, r, &mut secrets);
    let mut d = unreact("ev-d1", users[3], "ev-r3", T0 + 3 * MIN);
    d.author = person(users[3], false);
    step(&mut host, d, &mut secrets);
    // Refused (too young): the rate limit must not store the id either.
    let mut young = vote("ev-4", users[4], "!vote 1", T0 + 3 * MIN);
    young.author.account_age_days = Some(1);
    let out = step(&mut host, young.clone(), &mut secrets);
    assert_eq!(replies(&out).len(), 1);
    young.id = "ev-5".into();
    assert!(step(&mut host, young, &mut secrets).is_empty());
    // The creator (staff) votes too, and asks for the live counts.
    step(
        &mut host,
        vote("ev-6", users[5], "!vote 3", T0 + 3 * MIN),
        &mut secrets,
    );
    step(
        &mut host,
        vote("ev-7", users[1], "!poll results", T0 + 3 * MIN),
        &mut secrets,
    );
    assert_eq!(counts(&mut host, 1, 3), (4, vec![1, 2, 3]));

    let check = |host: &TestHost, actions: &[Action], when: &str| {
        for (k, v) in &host.kv {
            let v = String::from_utf8_lossy(v);
            for s in &secrets {
                assert!(!k.contains(s.as_str()), "{when}: key {k} holds {s}");
                assert!(
                    !v.contains(s.as_str()),
                    "{when}: value of {k} holds {s}: {v}"
                );
            }
        }
        for (_, line) in &host.logs {
            for s in &secrets {
                assert!(
                    !line.contains(s.as_str()),
                    "{when}: log line holds {s}: {line}"
                );
            }
        }
        for r in reasons(actions) {
            for s in &secrets {
                assert!(!r.contains(s.as_str()), "{when}: reason holds {s}: {r}");
            }
        }
    };
    check(&host, &all_actions, "while open");

    let out = run(
        cfg,
        &mut host,
        &msg("ev-end", person(users[5], true), "!poll end", T0 + 4 * MIN),
    );
    all_actions.extend(out.clone());
    check(&host, &all_actions, "at the end");
    // The key is erased: nothing left can map a user to a ballot.
    assert!(store::key(&mut host, 1).is_none());
    assert!(!host.kv.keys().any(|k| k.ends_with("/key")));
    // The published ballot ids are the voters' keyed hashes under the key
    // that is now gone, and the list verifies.
    let (hash, list) = published(&out);
    let report = poll_tally::verify(&list, &hash).unwrap();
    assert_eq!(report.tally.ballots, 4);
    assert_eq!(report.tally.counts, vec![1, 2, 3]);
    for (who, choices) in [
        (users[0], "2"),
        (users[1], "2,3"),
        (users[2], "1,3"),
        (users[5], "3"),
    ] {
        let line = format!("{}\t{choices}\n", poll_tally::ballot_id(&key_during, who));
        assert!(list.contains(&line), "{line} in {list}");
    }
    assert!(!list.contains(&poll_tally::ballot_id(&key_during, users[3])));
    // After the cleanup ticks, only the poll, its counts and its list stay.
    tick(cfg, &mut host, T0 + 5 * MIN);
    check(&host, &all_actions, "after the cleanup");
    let left: Vec<&String> = host.kv.keys().collect();
    assert_eq!(
        left,
        [
            "last/general",
            "poll/1/counts",
            "poll/1/list/0000",
            "poll/1/meta",
            "seq"
        ],
        "{left:?}"
    );
    // And the logs said what happened without saying who.
    assert!(host
        .logs
        .iter()
        .any(|(l, m)| *l == Level::Info && m.contains("poll #1 closed: 4 ballots")));
}

#[test]
fn ballot_lists_on_request_in_parts() {
    let cfg = r#"{"publish_ballots_limit": 3}"#;
    let mut host = TestHost::new();
    start_poll(cfg, &mut host, r#"!poll "Q?" "A" "B""#);
    let out = run(
        cfg,
        &mut host,
        &user("b0", "u-a", "!poll ballots", T0 + MIN),
    );
    assert_eq!(
        replies(&out),
        ["Poll #1 is still open: the ballot list comes when it closes."]
    );
    // 1 500 voters with long ids: a list of some 120 kB, in 16 kB parts.
    for i in 0..1500 {
        let who = format!("@member-number-{i:04}-with-a-long-id:matrix.example.org");
        run(
            cfg,
            &mut host,
            &user(&format!("v{i}"), &who, "!vote 1", T0 + MIN),
        );
    }
    let out = run(cfg, &mut host, &staff("e1", "!poll end", T0 + 2 * MIN));
    let p = posts(&out);
    assert_eq!(p.len(), 1, "too many ballots to post the list");
    assert!(
        p[0].contains("Ask for the list with `!poll ballots #1`"),
        "{}",
        p[0]
    );
    let hash = p[0]
        .lines()
        .find(|l| l.starts_with("vigie verify-poll"))
        .and_then(|l| l.rsplit(' ').next())
        .unwrap()
        .to_string();
    let mut whole = String::new();
    let mut k = 1;
    let mut parts = 0;
    loop {
        let out = run(
            cfg,
            &mut host,
            &user(
                &format!("b{k}"),
                "u-z",
                &format!("!poll ballots #1 {k}"),
                T0 + 3 * MIN,
            ),
        );
        let p = posts(&out);
        assert!(!p.is_empty(), "{out:?}");
        let mut got = 0;
        for text in &p {
            if let (Some(s), Some(e)) = (text.find("```\n"), text.rfind("```")) {
                whole.push_str(&text[s + 4..e]);
                got += 1;
            }
        }
        assert!(got <= engine::PARTS_PER_REQUEST);
        parts += got;
        let total: usize = out.iter().map(|a| format!("{a:?}").len()).sum();
        assert!(total < 64 * 1024, "one call's output fits the host's limit");
        if p.last().is_some_and(|t| t.contains("next parts")) {
            k += got;
        } else {
            break;
        }
    }
    let report = poll_tally::verify(&whole, &hash).unwrap();
    assert_eq!(report.tally.ballots, 1500);
    assert!(report.exact);
    // The same part again, right away: see above.
    let out = run(
        cfg,
        &mut host,
        &user("c1", "u-z", &format!("!poll ballots #1 {k}"), T0 + 4 * MIN),
    );
    assert_eq!(
        replies(&out),
        ["The list of poll #1 was just posted: see above."]
    );
    let out = run(
        cfg,
        &mut host,
        &user("c2", "u-z", "!poll ballots #1 99", T0 + 4 * MIN),
    );
    assert!(
        replies(&out)[0].contains(&format!("has {parts} part(s)")),
        "{out:?}"
    );
    // Cleanup takes several ticks, 400 keys each.
    for i in 0..5 {
        tick(cfg, &mut host, T0 + (5 + i) * MIN);
    }
    assert!(store::all_ballots(&mut host, 1).is_empty());
}

#[test]
fn help_and_list() {
    let mut host = TestHost::new();
    let out = run(CFG, &mut host, &user("h1", "u-a", "!sondage aide", T0));
    assert!(
        replies(&out)[0].starts_with("📊 Sondages — commandes"),
        "{out:?}"
    );
    let out = run(CFG, &mut host, &user("h2", "u-a", "!poll", T0));
    assert!(
        replies(&out)[0].starts_with("📊 Polls — commands"),
        "{out:?}"
    );
    let out = run(CFG, &mut host, &user("h3", "u-a", "!sondage liste", T0));
    assert_eq!(replies(&out), ["Aucun sondage ouvert."]);
    // Ordinary messages and other kinds: nothing.
    assert!(run(CFG, &mut host, &user("m1", "u-a", "Bonjour à tous", T0)).is_empty());
    let mut join = user("j1", "u-a", "", T0);
    join.kind = EventKind::Join;
    assert!(run(CFG, &mut host, &join).is_empty());
    assert!(host.kv.is_empty(), "{:?}", host.kv);
}

#[test]
fn extreme_times_do_not_panic() {
    for at in [i64::MIN, -1, 0, i64::MAX - 1, i64::MAX] {
        let mut host = TestHost::new();
        let mut e = staff("s", START_FR, at);
        e.timestamp_ms = at;
        let _ = run(CFG, &mut host, &e);
        let _ = run(CFG, &mut host, &user("v", "u-a", "!voter 1", at));
        let _ = run(CFG, &mut host, &user("r", "u-a", "!sondage résultats", at));
        let _ = run(CFG, &mut host, &reaction("x", "u-b", "1️⃣", "poll", "s", at));
        let _ = tick(CFG, &mut host, at);
        let _ = run(CFG, &mut host, &staff("e", "!sondage fin", at));
    }
}
