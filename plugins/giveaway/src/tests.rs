//! Native tests of the plugin with `TestHost`. Every event is handled by a
//! freshly configured instance: the state must live in the kv store.

use super::*;
use crate::store::{self, Status};
use vigie_sdk::{Author, TestHost};

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

fn msg(id: &str, who: Author, channel: &str, text: &str, at: i64) -> Event {
    let mut e = vigie_sdk::test_event(id, &who.id, text);
    e.author = who;
    e.channel = channel.to_string();
    e.timestamp_ms = at;
    e
}

fn staff(id: &str, text: &str, at: i64) -> Event {
    msg(id, author("u-staff", true), "concours", text, at)
}

fn user(id: &str, who: &str, text: &str, at: i64) -> Event {
    msg(id, author(who, false), "concours", text, at)
}

fn reaction(id: &str, who: Author, emoji: &str, target: &str, at: i64) -> Event {
    let mut e = msg(id, who, "concours", "", at);
    e.kind = EventKind::Reaction;
    e.reaction = Some(emoji.to_string());
    e.target_message = Some(target.to_string());
    e
}

/// Handles `e` with a new instance, the host's clock at the event's time.
fn run(cfg: &str, host: &mut TestHost, e: &Event) -> Vec<Action> {
    host.now_ms = e.timestamp_ms;
    Giveaway::configure(cfg).unwrap().handle(host, e).unwrap()
}

fn tick(cfg: &str, host: &mut TestHost, now: i64) -> Vec<Action> {
    host.now_ms = now;
    Giveaway::configure(cfg).unwrap().tick(host, now).unwrap()
}

fn posts(actions: &[Action]) -> Vec<(String, String)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Post(p) => Some((p.channel.clone(), p.text.clone())),
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

fn dms(actions: &[Action]) -> Vec<(String, String)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::DirectMessage(d) => Some((d.user_id.clone(), d.text.clone())),
            _ => None,
        })
        .collect()
}

/// What the end announcement publishes, read back from the texts as a
/// participant would: (seed, commitment, winners asked, entry list).
struct Published {
    seed: String,
    commitment: String,
    n: usize,
    entries: Option<String>,
}

fn published(actions: &[Action]) -> Published {
    let texts: Vec<String> = posts(actions).into_iter().map(|(_, t)| t).collect();
    let line = texts
        .iter()
        .flat_map(|t| t.lines())
        .find(|l| l.contains("vigie verify-draw"))
        .expect("a verify-draw line");
    let words: Vec<&str> = line.trim_matches('`').split_whitespace().collect();
    let after = |flag: &str| {
        let i = words.iter().position(|w| *w == flag).unwrap();
        words[i + 1].to_string()
    };
    let entries = texts.iter().find_map(|t| {
        let start = t.find("```\n")? + 4;
        let end = t.rfind("```")?;
        Some(t[start..end].to_string())
    });
    Published {
        seed: after("--seed"),
        commitment: after("--commitment"),
        n: after("--winners").parse().unwrap(),
        entries,
    }
}

/// The commitment published in a start announcement (the line after
/// "Engagement"/"Commitment").
fn commitment_in(start_text: &str) -> String {
    let lines: Vec<&str> = start_text.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with("🔒"))
        .expect("commitment line");
    lines[i + 1].to_string()
}

const CFG: &str = r#"{"min_account_age_days": 7}"#;

fn start_contest(cfg: &str, host: &mut TestHost, text: &str) -> Vec<Action> {
    run(cfg, host, &staff("start", text, T0))
}

#[test]
fn describes_itself() {
    let d = Giveaway::describe();
    assert_eq!(d.name, "giveaway");
    assert_eq!(d.events, vec![EventKind::Message, EventKind::Reaction]);
    assert!(d.actions.contains(&ActionKind::Post));
    assert!(d.actions.contains(&ActionKind::DirectMessage));
}

#[test]
fn start_announces_rules_and_commitment() {
    let mut host = TestHost::new();
    let out = start_contest(
        CFG,
        &mut host,
        "!giveaway start \"Coffret dégustation Noël\" 2h 3",
    );
    let p = posts(&out);
    assert_eq!(p.len(), 1, "{out:?}");
    let (channel, text) = &p[0];
    assert_eq!(channel, "concours");
    assert!(
        text.starts_with("🎉 Concours #1 : « Coffret dégustation Noël »"),
        "{text}"
    );
    assert!(text.contains("3 gagnants"), "{text}");
    assert!(text.contains("22/11/2025 à 12:00 UTC (dans 2 h)"), "{text}");
    assert!(text.contains("« !participer »"), "{text}");
    assert!(
        text.contains("réagissez avec 🎉 au message de Name of u-staff"),
        "{text}"
    );
    assert!(text.contains("au moins 7 jours"), "{text}");
    assert!(text.contains("l'équipe ne participe pas"), "{text}");
    assert!(text.contains("Chances égales"), "{text}");
    // The commitment is SHA-256 of the stored seed.
    let c = store::load(&mut host, 1).unwrap();
    assert_eq!(c.status, Status::Open);
    assert_eq!(commitment_in(text), c.commitment);
    let seed = giveaway_draw::parse_seed(&c.seed).unwrap();
    assert_eq!(giveaway_draw::commitment(&seed), c.commitment);
    assert!(!text.contains(&c.seed), "the seed stays secret");
    assert!(host.kv.contains_key("open/1"));
}

#[test]
fn only_staff_start_and_end_contests() {
    let mut host = TestHost::new();
    let out = run(
        CFG,
        &mut host,
        &user("e1", "u-alice", "!giveaway start \"Mug\" 2h", T0),
    );
    assert_eq!(
        replies(&out),
        vec!["Cette commande est réservée à l'équipe."]
    );
    assert!(store::open_contests(&mut host).is_empty());
    start_contest(CFG, &mut host, "!giveaway start \"Mug\" 2h");
    let out = run(
        CFG,
        &mut host,
        &user("e2", "u-alice", "!giveaway end", T0 + MIN),
    );
    assert_eq!(replies(&out).len(), 1);
    assert_eq!(store::open_contests(&mut host).len(), 1);
}

#[test]
fn explains_bad_commands() {
    let mut host = TestHost::new();
    let out = run(
        CFG,
        &mut host,
        &staff("e1", "!giveaway start \"Mug\" demain", T0),
    );
    assert!(
        replies(&out)[0].contains("« demain » n'est pas une durée"),
        "{out:?}"
    );
    let out = run(
        CFG,
        &mut host,
        &staff("e2", "!giveaway start \"Mug\" 2h 50", T0),
    );
    assert!(replies(&out)[0].contains("entre 1 et 20"), "{out:?}");
    let out = run(
        CFG,
        &mut host,
        &staff("e3", "!giveaway start \"Mug\" 100j", T0),
    );
    assert!(replies(&out)[0].contains("90 jours"), "{out:?}");
    let out = run(CFG, &mut host, &staff("e4", "!giveaway end", T0));
    assert!(
        replies(&out)[0].contains("Aucun concours ouvert"),
        "{out:?}"
    );
    let out = run(CFG, &mut host, &staff("e5", "!giveaway help", T0));
    assert!(replies(&out)[0].contains("remplace ce gagnant"), "{out:?}");
    let out = run(
        r#"{"lang": "en"}"#,
        &mut host,
        &staff("e6", "!giveaway help", T0),
    );
    assert!(
        replies(&out)[0].contains("!giveaway reroll @user"),
        "{out:?}"
    );
    assert!(store::open_contests(&mut host).is_empty());
}

#[test]
fn keyword_entries_one_per_user_with_eligibility() {
    let mut host = TestHost::new();
    start_contest(CFG, &mut host, "!giveaway start \"Mug\" 2h 1");
    let out = run(
        CFG,
        &mut host,
        &user("e1", "u-alice", "!participer", T0 + MIN),
    );
    assert_eq!(reacts(&out), vec!["✅"]);
    let out = run(
        CFG,
        &mut host,
        &user("e2", "u-bob", "Je participe ! 🤞", T0 + MIN),
    );
    assert_eq!(reacts(&out), vec!["✅"]);
    // A second entry.
    let out = run(
        CFG,
        &mut host,
        &user("e3", "u-alice", "je participe", T0 + 2 * MIN),
    );
    assert!(replies(&out)[0].contains("Vous participez déjà"), "{out:?}");
    // Staff.
    let out = run(CFG, &mut host, &staff("e4", "!participer", T0 + 2 * MIN));
    assert!(
        replies(&out)[0].contains("l'équipe ne peut pas participer"),
        "{out:?}"
    );
    // A new account.
    let mut newbie = author("u-new", false);
    newbie.account_age_days = Some(0);
    let out = run(
        CFG,
        &mut host,
        &msg("e5", newbie, "concours", "!enter", T0 + 3 * MIN),
    );
    assert!(replies(&out)[0].contains("au moins 7 jours"), "{out:?}");
    // Unknown account age is not held against anyone.
    let mut unknown = author("u-irc", false);
    unknown.account_age_days = None;
    let out = run(
        CFG,
        &mut host,
        &msg("e6", unknown, "concours", "I'm in", T0 + 3 * MIN),
    );
    assert_eq!(reacts(&out), vec!["✅"]);
    // Elsewhere, or not at the start of the message: not an entry.
    let out = run(
        CFG,
        &mut host,
        &msg("e7", author("u-carl", false), "general", "!participer", T0),
    );
    assert!(out.is_empty(), "{out:?}");
    let out = run(
        CFG,
        &mut host,
        &user("e8", "u-carl", "pour participer tapez !participer", T0),
    );
    assert!(out.is_empty(), "{out:?}");
    assert_eq!(store::entry_count(&mut host, 1), 3);
}

#[test]
fn required_roles_and_announced_bonus_entries() {
    let cfg = r#"{"required_roles": ["member", "VIP"], "bonus": {"vip": 2, "booster": 1}}"#;
    let mut host = TestHost::new();
    let out = start_contest(cfg, &mut host, "!giveaway start \"Mug\" 2h");
    let text = &posts(&out)[0].1;
    assert!(text.contains("rôle « member » ou « vip » requis"), "{text}");
    assert!(text.contains("Participations bonus annoncées"), "{text}");
    assert!(text.contains("rôle « booster » : +1"), "{text}");
    assert!(text.contains("rôle « vip » : +2"), "{text}");
    let mut guest = author("u-guest", false);
    guest.roles = vec!["newcomer".into()];
    let out = run(
        cfg,
        &mut host,
        &msg("e1", guest, "concours", "!enter", T0 + MIN),
    );
    assert!(replies(&out)[0].contains("il faut le rôle"), "{out:?}");
    let mut vip = author("u-vip", false);
    vip.roles = vec!["VIP".into(), "booster".into()];
    run(
        cfg,
        &mut host,
        &msg("e2", vip, "concours", "!enter", T0 + MIN),
    );
    run(cfg, &mut host, &user("e3", "u-member", "!enter", T0 + MIN));
    let out = run(cfg, &mut host, &staff("e4", "!giveaway end", T0 + 2 * MIN));
    let p = published(&out);
    assert_eq!(p.entries.as_deref(), Some("u-member\nu-vip\t4\n"));
    assert!(
        posts(&out)[0]
            .1
            .contains("participations avec les bonus : 5"),
        "{out:?}"
    );
}

/// A reaction to `target`, labelled by the host as a reaction to a message
/// the bot posted for the event `origin`.
fn reaction_to_the_bot(id: &str, who: Author, target: &str, origin: &str, by: &str) -> Event {
    let mut e = reaction(id, who, "🎉", target, T0 + MIN);
    for (key, note) in [("vigie.sent-by", "giveaway"), ("vigie.sent-for", origin)] {
        e.labels.push(vigie_sdk::Label {
            key: key.into(),
            value: 1.0,
            note: Some(note.into()),
            plugin: by.into(),
        });
    }
    e
}

#[test]
fn reacting_to_the_announcement_enters() {
    let cfg = "{}";
    let mut host = TestHost::new();
    start_contest(cfg, &mut host, "!giveaway start \"Mug\" 2h");
    let a = |id: &str| author(id, false);
    // The announcement's id is the platform's: only the host's label ties
    // it to the `start` command.
    run(
        cfg,
        &mut host,
        &reaction_to_the_bot("r1", a("u-1"), "$announce", "start", "vigie"),
    );
    // Not the contest's command, or a label that is not the host's: nothing.
    run(
        cfg,
        &mut host,
        &reaction_to_the_bot("r2", a("u-2"), "$other", "another-event", "vigie"),
    );
    run(
        cfg,
        &mut host,
        &reaction_to_the_bot("r3", a("u-3"), "$fake", "start", "some-plugin"),
    );
    // Without the label, a reaction to an unknown message is nothing.
    run(
        cfg,
        &mut host,
        &reaction("r4", a("u-4"), "🎉", "$announce", T0 + MIN),
    );
    let users: Vec<String> = store::load_entries(&mut host, 1)
        .0
        .into_iter()
        .map(|e| e.user)
        .collect();
    assert_eq!(users, vec!["u-1"]);
}

#[test]
fn reaction_entries_on_the_start_message_and_listed_messages() {
    let cfg = r#"{"reaction_message_ids": ["pinned-1"]}"#;
    let mut host = TestHost::new();
    start_contest(cfg, &mut host, "!giveaway start \"Mug\" 2h");
    let a = |id: &str| author(id, false);
    assert!(run(
        cfg,
        &mut host,
        &reaction("r1", a("u-1"), "🎉", "start", T0 + MIN)
    )
    .is_empty());
    // Wrong emoji, other message: nothing.
    run(
        cfg,
        &mut host,
        &reaction("r2", a("u-2"), "👍", "start", T0 + MIN),
    );
    run(
        cfg,
        &mut host,
        &reaction("r3", a("u-3"), "🎉", "other", T0 + MIN),
    );
    // A listed message counts.
    run(
        cfg,
        &mut host,
        &reaction("r4", a("u-4"), "🎉", "pinned-1", T0 + MIN),
    );
    // A second reaction is silently a duplicate.
    assert!(run(
        cfg,
        &mut host,
        &reaction("r5", a("u-1"), "🎉", "pinned-1", T0 + MIN)
    )
    .is_empty());
    // Staff reactions are ignored; ineligible users are told privately.
    assert!(run(
        cfg,
        &mut host,
        &reaction("r6", author("u-staff", true), "🎉", "start", T0)
    )
    .is_empty());
    let mut young = a("u-young");
    young.roles.clear();
    let cfg2 = r#"{"reaction_message_ids": ["pinned-1"], "required_roles": ["member"]}"#;
    let mut host2 = TestHost::new();
    start_contest(cfg2, &mut host2, "!giveaway start \"Mug\" 2h");
    let out = run(
        cfg2,
        &mut host2,
        &reaction("r7", young, "🎉", "start", T0 + MIN),
    );
    let d = dms(&out);
    assert_eq!(d.len(), 1, "{out:?}");
    assert_eq!(d[0].0, "u-young");
    assert!(d[0].1.contains("n'a pas été retenue"), "{d:?}");
    let mut users: Vec<String> = store::load_entries(&mut host, 1)
        .0
        .into_iter()
        .map(|e| e.user)
        .collect();
    users.sort();
    assert_eq!(users, vec!["u-1", "u-4"]);
    // Any emoji when configured with "*"; variation selectors do not matter.
    let cfg3 = r#"{"reaction_emoji": "*"}"#;
    let mut host3 = TestHost::new();
    start_contest(cfg3, &mut host3, "!giveaway start \"Mug\" 2h");
    run(
        cfg3,
        &mut host3,
        &reaction("r8", a("u-8"), "👍", "start", T0 + MIN),
    );
    let cfg4 = r#"{"reaction_emoji": "❤"}"#;
    let mut host4 = TestHost::new();
    start_contest(cfg4, &mut host4, "!giveaway start \"Mug\" 2h");
    run(
        cfg4,
        &mut host4,
        &reaction("r9", a("u-9"), "❤️", "start", T0 + MIN),
    );
    assert_eq!(store::entry_count(&mut host3, 1), 1);
    assert_eq!(store::entry_count(&mut host4, 1), 1);
}

fn with_entries(cfg: &str, host: &mut TestHost, start: &str, users: usize) {
    start_contest(cfg, host, start);
    for i in 0..users {
        let e = user(
            &format!("e{i}"),
            &format!("u-{i:02}"),
            "!participer",
            T0 + MIN,
        );
        run(cfg, host, &e);
    }
}

#[test]
fn tick_ends_the_contest_at_its_deadline_with_verifiable_winners() {
    let mut host = TestHost::new();
    with_entries(CFG, &mut host, "!giveaway start \"Mug\" 2h 3", 12);
    assert!(tick(CFG, &mut host, T0 + HOUR).is_empty());
    assert!(tick(CFG, &mut host, T0 + 2 * HOUR - 1).is_empty());
    let out = tick(CFG, &mut host, T0 + 2 * HOUR + 30_000);
    let p = posts(&out);
    assert_eq!(p.len(), 2, "{out:?}");
    let end = &p[0].1;
    assert!(
        end.starts_with("🏁 Concours #1 « Mug » terminé : 12 participants."),
        "{end}"
    );
    let c = store::load(&mut host, 1).unwrap();
    assert_eq!(c.status, Status::Ended);
    assert_eq!(c.ended_ms, Some(T0 + 2 * HOUR));
    assert_eq!(c.winners.len(), 3);
    for w in &c.winners {
        assert!(end.contains(&format!("Name of {w} ({w})")), "{end}");
    }
    assert!(end.contains(&format!("• graine : {}", c.seed)), "{end}");
    assert!(end.contains(c.entries_hash.as_deref().unwrap()), "{end}");
    // Anyone can check it from the published texts alone.
    let pb = published(&out);
    assert_eq!(pb.n, 3);
    let entries = pb.entries.unwrap();
    assert_eq!(entries, store::read_canonical(&mut host, 1));
    let winners = giveaway_draw::verify(&pb.seed, &pb.commitment, &entries, pb.n).unwrap();
    assert_eq!(winners, c.winners);
    // Nothing happens at the next tick; late entries are not taken.
    assert!(tick(CFG, &mut host, T0 + 3 * HOUR).is_empty());
    let out = run(
        CFG,
        &mut host,
        &user("late", "u-late", "!participer", T0 + 3 * HOUR),
    );
    assert!(out.is_empty(), "{out:?}");
}

#[test]
fn an_event_after_the_deadline_ends_the_contest_before_anything_else() {
    let mut host = TestHost::new();
    with_entries(CFG, &mut host, "!giveaway start \"Mug\" 30min", 3);
    // No tick came: the late entry first closes the contest, then is ignored.
    let out = run(
        CFG,
        &mut host,
        &user("late", "u-late", "!participer", T0 + HOUR),
    );
    assert_eq!(posts(&out).len(), 2, "{out:?}");
    assert!(reacts(&out).is_empty(), "{out:?}");
    let c = store::load(&mut host, 1).unwrap();
    assert_eq!(c.entry_count, 3);
    assert_eq!(c.ended_ms, Some(T0 + 30 * MIN));
}

#[test]
fn staff_end_with_fewer_entries_than_prizes_or_none() {
    let mut host = TestHost::new();
    with_entries(CFG, &mut host, "!giveaway start \"Mug\" 2h 5", 2);
    let out = run(CFG, &mut host, &staff("end", "!giveaway end", T0 + MIN));
    let end = &posts(&out)[0].1;
    assert!(end.contains("2 gagnant(s) au lieu de 5"), "{end}");
    let pb = published(&out);
    let w = giveaway_draw::verify(&pb.seed, &pb.commitment, &pb.entries.unwrap(), pb.n).unwrap();
    assert_eq!(w.len(), 2);

    let mut host = TestHost::new();
    start_contest(CFG, &mut host, "!giveaway start \"Mug\" 2h");
    let out = run(CFG, &mut host, &staff("end", "!concours fin", T0 + MIN));
    let p = posts(&out);
    assert_eq!(p.len(), 1, "no entry list when empty");
    assert!(
        p[0].1.contains("Aucune participation : pas de gagnant."),
        "{}",
        p[0].1
    );
    let pb = published(&out);
    assert_eq!(
        giveaway_draw::verify(&pb.seed, &pb.commitment, "", 1),
        Ok(vec![])
    );
    assert_eq!(store::read_canonical(&mut host, 1), "");
}

#[test]
fn reroll_replaces_exactly_that_winner_deterministically() {
    let mut host = TestHost::new();
    with_entries(CFG, &mut host, "!giveaway start \"Mug\" 2h 3", 6);
    let out = run(CFG, &mut host, &staff("end", "!giveaway end", T0 + MIN));
    let entries = published(&out).entries.unwrap();
    let before = store::load(&mut host, 1).unwrap();
    let replaced = before.winners[1].clone();
    let mut twin = host.clone();

    let out = run(
        CFG,
        &mut host,
        &staff(
            "rr1",
            &format!("!giveaway reroll @{replaced}"),
            T0 + 2 * MIN,
        ),
    );
    let after = store::load(&mut host, 1).unwrap();
    assert_eq!(after.winners[0], before.winners[0]);
    assert_eq!(after.winners[2], before.winners[2]);
    let new = after.winners[1].clone();
    assert!(!before.winners.contains(&new));
    assert_eq!(after.picks.len(), 4);
    let text = &posts(&out)[0].1;
    assert!(text.contains("est remplacé(e) par"), "{text}");
    assert!(text.contains("--winners 4"), "{text}");
    // The 4th pick of the published draw.
    let pb = published(&out);
    assert_eq!(pb.n, 4);
    let all = giveaway_draw::verify(&pb.seed, &pb.commitment, &entries, 4).unwrap();
    assert_eq!(all[3], new);
    // Same state, same command: same replacement (by display name this time).
    run(
        CFG,
        &mut twin,
        &staff(
            "rr1",
            &format!("!concours remplacer Name of {replaced}"),
            T0 + 2 * MIN,
        ),
    );
    assert_eq!(store::load(&mut twin, 1).unwrap().winners, after.winners);

    // The replaced winner is not a winner any more; replacing the newcomer
    // never brings back a previous winner.
    let out = run(
        CFG,
        &mut host,
        &staff(
            "rr2",
            &format!("!giveaway reroll @{replaced}"),
            T0 + 3 * MIN,
        ),
    );
    assert!(replies(&out)[0].contains("n'est pas gagnant"), "{out:?}");
    run(
        CFG,
        &mut host,
        &staff("rr3", &format!("!giveaway reroll @{new}"), T0 + 3 * MIN),
    );
    let c = store::load(&mut host, 1).unwrap();
    assert_eq!(c.picks.len(), 5);
    assert!(!c.picks[..4].contains(&c.winners[1]));
    // Six entries, five picks: one more reroll, then nobody is left.
    let w0 = c.winners[0].clone();
    run(
        CFG,
        &mut host,
        &staff("rr4", &format!("!giveaway reroll @{w0}"), T0 + 4 * MIN),
    );
    let w0 = store::load(&mut host, 1).unwrap().winners[0].clone();
    let out = run(
        CFG,
        &mut host,
        &staff("rr5", &format!("!giveaway reroll <@{w0}>"), T0 + 5 * MIN),
    );
    assert!(replies(&out)[0].contains("Plus personne"), "{out:?}");
    let c = store::load(&mut host, 1).unwrap();
    let mut picks = c.picks.clone();
    picks.sort();
    picks.dedup();
    assert_eq!(picks.len(), 6);
    // Before the end, reroll is refused.
    let mut host = TestHost::new();
    with_entries(CFG, &mut host, "!giveaway start \"Mug\" 2h", 2);
    let out = run(
        CFG,
        &mut host,
        &staff("rr", "!giveaway reroll @u-00 #1", T0 + MIN),
    );
    assert!(replies(&out)[0].contains("pas encore tiré"), "{out:?}");
}

#[test]
fn state_survives_restarts_and_config_changes_keep_the_announced_rules() {
    let mut host = TestHost::new();
    start_contest(CFG, &mut host, "!giveaway start \"Mug\" 2h");
    // Reload with another config: the contest keeps its 7-day minimum.
    let other = r#"{"min_account_age_days": 0, "bonus": {"member": 5}}"#;
    let mut young = author("u-young", false);
    young.account_age_days = Some(1);
    let out = run(
        other,
        &mut host,
        &msg("e1", young, "concours", "!participer", T0 + MIN),
    );
    assert!(replies(&out)[0].contains("au moins 7 jours"), "{out:?}");
    run(
        other,
        &mut host,
        &user("e2", "u-old", "!participer", T0 + MIN),
    );
    // A copy of the store is all a new host needs.
    let mut restarted = TestHost::new().seeded(999);
    restarted.kv = host.kv.clone();
    let out = tick(other, &mut restarted, T0 + 3 * HOUR);
    let pb = published(&out);
    assert_eq!(
        pb.entries.as_deref(),
        Some("u-old\n"),
        "no bonus: not announced"
    );
}

#[test]
fn one_open_contest_per_channel_and_end_picks_the_right_one() {
    let mut host = TestHost::new();
    start_contest(CFG, &mut host, "!giveaway start \"Mug\" 2h");
    let out = run(
        CFG,
        &mut host,
        &staff("s2", "!giveaway start \"Tasse\" 2h", T0 + MIN),
    );
    assert!(replies(&out)[0].contains("déjà ouvert"), "{out:?}");
    let other = msg(
        "s3",
        author("u-staff", true),
        "general",
        "!giveaway start \"Sac\" 1h",
        T0,
    );
    run(CFG, &mut host, &other);
    assert_eq!(store::open_contests(&mut host).len(), 2);
    // Entries go to the contest of their channel.
    run(
        CFG,
        &mut host,
        &msg(
            "e1",
            author("u-a", false),
            "general",
            "!participer",
            T0 + MIN,
        ),
    );
    assert_eq!(store::entry_count(&mut host, 2), 1);
    assert_eq!(store::entry_count(&mut host, 1), 0);
    // From a third channel, `end` must say which.
    let end = msg(
        "x",
        author("u-staff", true),
        "staff",
        "!giveaway end",
        T0 + MIN,
    );
    let out = run(CFG, &mut host, &end);
    assert!(replies(&out)[0].contains("Plusieurs concours"), "{out:?}");
    let end = msg(
        "x2",
        author("u-staff", true),
        "staff",
        "!giveaway end #2",
        T0 + MIN,
    );
    let out = run(CFG, &mut host, &end);
    assert_eq!(posts(&out)[0].0, "general");
    assert!(
        replies(&out)[0].contains("annonce publiée dans #general"),
        "{out:?}"
    );
    assert_eq!(store::open_contests(&mut host).len(), 1);
}

#[test]
fn announce_channel_and_status_and_cancel() {
    let cfg = r#"{"announce_channel": "annonces", "lang": "en"}"#;
    let mut host = TestHost::new();
    let out = start_contest(cfg, &mut host, "!concours lancer « Tasse » 1j");
    assert_eq!(posts(&out)[0].0, "annonces");
    assert!(
        posts(&out)[0].1.starts_with("🎉 Giveaway #1: \"Tasse\""),
        "{out:?}"
    );
    assert!(
        replies(&out)[0].contains("announced in #annonces"),
        "{out:?}"
    );
    // Entries in either channel.
    run(
        cfg,
        &mut host,
        &msg("e1", author("u-a", false), "annonces", "!enter", T0 + MIN),
    );
    run(cfg, &mut host, &user("e2", "u-b", "!enter", T0 + MIN));
    let out = run(
        cfg,
        &mut host,
        &user("st", "u-b", "!giveaway status", T0 + HOUR),
    );
    assert!(
        replies(&out)[0].contains("2 entries, draw on 2025-11-23 at 10:00 UTC (in 23 h)"),
        "{out:?}"
    );
    let out = run(
        cfg,
        &mut host,
        &staff("c", "!giveaway cancel", T0 + 2 * HOUR),
    );
    let text = &posts(&out)[0].1;
    let c = store::load(&mut host, 1).unwrap();
    assert_eq!(c.status, Status::Cancelled);
    assert!(text.contains(&c.seed), "{text}");
    assert!(tick(cfg, &mut host, T0 + 2 * DAY).is_empty());
}

const DAY: i64 = 24 * HOUR;

#[test]
fn scheduled_contests_start_and_end_on_ticks() {
    let cfg = r#"{"scheduled": [
        {"id": "noel", "prize": "Coffret de Noël", "start": "2025-11-22T12:00:00Z",
         "duration": "1h", "winners": 2, "channel": "concours"},
        {"id": "old", "prize": "Old", "start": "2025-11-01T12:00:00Z",
         "duration": "1h", "channel": "other"}
    ]}"#;
    let mut host = TestHost::new();
    assert!(tick(cfg, &mut host, T0).is_empty());
    let out = tick(cfg, &mut host, T0 + 2 * HOUR + 20_000);
    let p = posts(&out);
    assert_eq!(p.len(), 1, "{out:?}");
    assert!(
        p[0].1.starts_with("🎉 Concours #1 : « Coffret de Noël »"),
        "{}",
        p[0].1
    );
    assert!(
        !p[0].1.contains("réagissez"),
        "no start message to react to"
    );
    assert_eq!(host.kv_get_string("sched/old").as_deref(), Some("missed"));
    assert!(
        tick(cfg, &mut host, T0 + 2 * HOUR + 80_000).is_empty(),
        "starts once"
    );
    for i in 0..4 {
        run(
            cfg,
            &mut host,
            &user(
                &format!("e{i}"),
                &format!("u-{i}"),
                "je participe",
                T0 + 2 * HOUR + MIN,
            ),
        );
    }
    let out = tick(cfg, &mut host, T0 + 3 * HOUR);
    let pb = published(&out);
    let w = giveaway_draw::verify(&pb.seed, &pb.commitment, &pb.entries.unwrap(), pb.n).unwrap();
    assert_eq!(w, store::load(&mut host, 1).unwrap().winners);
    assert_eq!(w.len(), 2);
}

#[test]
fn thousands_of_entries_are_chunked_and_cleaned_up() {
    let cfg = r#"{"confirm_emoji": ""}"#;
    let mut host = TestHost::new();
    start_contest(cfg, &mut host, "!giveaway start \"Mug\" 2h 3");
    let mut g = Giveaway::configure(cfg).unwrap();
    host.now_ms = T0 + MIN;
    for i in 0..3000 {
        let who = format!("user-with-a-rather-long-platform-id-{i:05}");
        let out = g
            .handle(
                &mut host,
                &user(&format!("e{i}"), &who, "!participer", T0 + MIN),
            )
            .unwrap();
        assert!(out.is_empty());
    }
    assert!(
        host.kv.contains_key("contest/1/log/0001"),
        "several log chunks"
    );
    assert!(host.kv.iter().all(|(k, v)| k.len() + v.len() <= 64 * 1024));
    let out = run(cfg, &mut host, &staff("end", "!giveaway end", T0 + 2 * MIN));
    let end = &posts(&out)[0].1;
    assert!(end.contains("3000 participants"), "{end}");
    assert!(
        end.contains("`!giveaway entries #1`"),
        "list too long to post: {end}"
    );
    assert!(
        host.kv.contains_key("contest/1/entries/0001"),
        "several canonical chunks"
    );
    let canonical = store::read_canonical(&mut host, 1);
    assert_eq!(canonical.lines().count(), 3000);
    let pb = published(&out);
    let w = giveaway_draw::verify(&pb.seed, &pb.commitment, &canonical, 3).unwrap();
    assert_eq!(w, store::load(&mut host, 1).unwrap().winners);
    // Ticks remove the per-user keys, a few hundred at a time.
    let users = |h: &TestHost| {
        h.kv.keys()
            .filter(|k| k.starts_with("contest/1/user/"))
            .count()
    };
    assert_eq!(users(&host), 3000);
    tick(cfg, &mut host, T0 + 3 * MIN);
    assert_eq!(users(&host), 2600);
    for m in 0..10 {
        tick(cfg, &mut host, T0 + (4 + m) * MIN);
    }
    assert_eq!(users(&host), 0);
    assert!(!host.kv.keys().any(|k| k.starts_with("cleanup/")));
    // Reroll still works from the kept log.
    let w0 = w[0].clone();
    let out = run(
        cfg,
        &mut host,
        &staff("rr", &format!("!giveaway reroll @{w0}"), T0 + HOUR),
    );
    assert_eq!(posts(&out).len(), 1, "{out:?}");
}

#[test]
fn english_and_french_announcements() {
    let mut host = TestHost::new();
    let out = start_contest(
        "{}",
        &mut host,
        "!giveaway start \"Holiday tasting box\" 1h 1",
    );
    let text = &posts(&out)[0].1;
    assert!(
        text.starts_with("🎉 Giveaway #1: \"Holiday tasting box\""),
        "{text}"
    );
    assert!(
        text.contains("1 winner · draw on 2025-11-22 at 11:00 UTC (in 1 h)"),
        "{text}"
    );
    assert!(
        text.contains("react with 🎉 to Name of u-staff's message"),
        "{text}"
    );
    assert!(text.contains("Equal chances"), "{text}");
    let out = run("{}", &mut host, &staff("end", "!giveaway end", T0 + MIN));
    assert!(
        posts(&out)[0].1.contains("No entries: no winner."),
        "{out:?}"
    );

    let mut host = TestHost::new();
    let out = start_contest(
        r#"{"lang": "fr"}"#,
        &mut host,
        "!giveaway start \"Holiday box\" 1h",
    );
    assert!(posts(&out)[0].1.starts_with("🎉 Concours #1"), "{out:?}");
    let mut host = TestHost::new();
    let out = start_contest("{}", &mut host, "!concours lancer \"XYZ\" 1h");
    assert!(posts(&out)[0].1.starts_with("🎉 Concours #1"), "{out:?}");
}

#[test]
fn winners_can_be_told_privately() {
    let cfg = r#"{"dm_winners": true}"#;
    let mut host = TestHost::new();
    with_entries(cfg, &mut host, "!giveaway start \"Mug\" 2h 2", 4);
    let out = run(cfg, &mut host, &staff("end", "!giveaway end", T0 + MIN));
    let d = dms(&out);
    let c = store::load(&mut host, 1).unwrap();
    assert_eq!(
        d.iter().map(|(u, _)| u.clone()).collect::<Vec<_>>(),
        c.winners
    );
    assert!(d[0].1.contains("Félicitations"), "{d:?}");
}

#[test]
fn anyone_gets_a_long_entry_list_privately_in_parts() {
    let mut host = TestHost::new();
    start_contest(CFG, &mut host, "!giveaway start \"Mug\" 2h 2");
    // Long ids: 400 entries make about 40 kB of list, two messages.
    for i in 0..400 {
        let who = format!("@{}-{i:03}:example.org", "member".repeat(12));
        run(
            CFG,
            &mut host,
            &user(&format!("e{i}"), &who, "!participer", T0 + MIN),
        );
    }
    let asker = |id: &str, at: i64| user(id, "u-asker", "!giveaway entries", at);
    // Too early: the list comes with the draw.
    let out = run(CFG, &mut host, &asker("a0", T0 + 2 * MIN));
    assert!(dms(&out).is_empty(), "{out:?}");
    assert!(replies(&out)[0].contains("encore ouvert"), "{out:?}");
    // Too long for the channel: the end says how to get it.
    let out = run(CFG, &mut host, &staff("end", "!giveaway end", T0 + 3 * MIN));
    let end = &posts(&out)[0].1;
    assert_eq!(posts(&out).len(), 1, "no list in the channel: {out:?}");
    assert!(end.contains("`!giveaway entries #1`"), "{end}");
    let hash = end
        .split("participations : ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap()
        .to_string();
    // Asked: sent privately in parts that, put end to end, are the list
    // whose hash was published.
    let out = run(CFG, &mut host, &asker("a1", T0 + 4 * MIN));
    let parts = dms(&out);
    assert_eq!(parts.len(), 2, "{out:?}");
    assert!(parts.iter().all(|(to, _)| to == "u-asker"));
    assert!(parts[0].1.contains("partie 1/2") && parts[1].1.contains("partie 2/2"));
    let list: String = parts
        .iter()
        .map(|(_, text)| {
            let body = text.split("```\n").nth(1).unwrap();
            body.strip_suffix("```").unwrap().to_string()
        })
        .collect();
    assert_eq!(list, store::read_canonical(&mut host, 1));
    assert_eq!(list.lines().count(), 400);
    let entries = giveaway_draw::parse_entries(&list).unwrap();
    assert_eq!(giveaway_draw::entries_hash(&entries), hash);
    assert!(
        replies(&out).last().unwrap().contains("2 messages"),
        "{out:?}"
    );
    // Asked again soon: not sent twice.
    let out = run(CFG, &mut host, &asker("a2", T0 + 5 * MIN));
    assert!(dms(&out).is_empty() && replies(&out)[0].contains("déjà été envoyée"));
    // Later, after the ticks have swept the mark, it is sent again.
    tick(CFG, &mut host, T0 + 20 * MIN);
    assert!(!host.kv.keys().any(|k| k.starts_with("asked/")));
    let out = run(CFG, &mut host, &asker("a3", T0 + 21 * MIN));
    assert_eq!(dms(&out).len(), 2);
}

#[test]
fn a_short_entry_list_comes_in_one_private_message() {
    let mut host = TestHost::new();
    with_entries(CFG, &mut host, "!giveaway start \"Mug\" 2h 1", 3);
    run(CFG, &mut host, &staff("end", "!giveaway end", T0 + 3 * MIN));
    let out = run(
        CFG,
        &mut host,
        &user("a1", "u-00", "!concours participants #1", T0 + 4 * MIN),
    );
    let d = dms(&out);
    assert_eq!(d.len(), 1, "{out:?}");
    assert!(d[0].1.contains("```\nu-00\nu-01\nu-02\n```"), "{d:?}");
    assert!(!d[0].1.contains("partie"));
}

#[test]
fn an_unknown_account_age_is_accepted_unless_the_config_refuses_it() {
    let unknown = |id: &str| {
        let mut e = user(id, "u-matrix", "!participer", T0 + MIN);
        e.author.account_age_days = None;
        e
    };
    let mut host = TestHost::new();
    start_contest(CFG, &mut host, "!giveaway start \"Mug\" 2h");
    let out = run(CFG, &mut host, &unknown("e1"));
    assert_eq!(reacts(&out), vec!["✅"], "{out:?}");

    let cfg = r#"{"min_account_age_days": 7, "refuse_unknown_account_age": true}"#;
    let mut host = TestHost::new();
    start_contest(cfg, &mut host, "!giveaway start \"Mug\" 2h");
    let out = run(cfg, &mut host, &unknown("e1"));
    let r = replies(&out);
    assert_eq!(r.len(), 1, "{out:?}");
    assert!(r[0].contains("ne donne pas son âge"), "{r:?}");
    assert!(store::load_entries(&mut host, 1).0.is_empty());
    // A known, old enough account still enters.
    let out = run(
        cfg,
        &mut host,
        &user("e2", "u-old", "!participer", T0 + MIN),
    );
    assert_eq!(reacts(&out), vec!["✅"], "{out:?}");
}

/// The reasons of the replies and private messages in `actions`.
fn reply_and_dm_reasons(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Reply(r) => Some(r.reason.clone()),
            Action::DirectMessage(d) => Some(d.reason.clone()),
            _ => None,
        })
        .collect()
}

/// A refusal's action reason (shown on the terminal and in the audit) is
/// a sentence in the contest's language, never the refusal's Rust form
/// (`TooYoung { min_days: 7 }`).
#[test]
fn refusal_reasons_are_sentences_in_the_contest_language() {
    let cfg = r#"{"min_account_age_days": 7, "required_roles": ["member"]}"#;
    let young = || {
        let mut a = author("u-young", false);
        a.account_age_days = Some(2);
        a
    };
    let roleless = || {
        let mut a = author("u-guest", false);
        a.roles.clear();
        a
    };
    for (start, want_young, want_role, want_staff, want_reaction) in [
        (
            "!giveaway start \"Coffret dégustation Noël\" 2h",
            "giveaway #1: participation refusée : compte de moins de 7 jours",
            "giveaway #1: participation refusée : sans le rôle requis (« member »)",
            "giveaway #1: participation refusée : l'équipe ne peut pas participer",
            "giveaway #1: participation par réaction refusée : compte de moins de 7 jours",
        ),
        (
            "!giveaway start \"Holiday gift box\" 2h",
            "giveaway #1: entry refused: account younger than 7 days",
            "giveaway #1: entry refused: without a required role (\"member\")",
            "giveaway #1: entry refused: staff cannot enter",
            "giveaway #1: reaction entry refused: account younger than 7 days",
        ),
    ] {
        let mut host = TestHost::new();
        start_contest(cfg, &mut host, start);
        let keyword = |id: &str, who: Author| msg(id, who, "concours", "!enter", T0 + MIN);
        let out = run(cfg, &mut host, &keyword("e1", young()));
        assert_eq!(reply_and_dm_reasons(&out), vec![want_young], "{out:?}");
        let out = run(cfg, &mut host, &keyword("e2", roleless()));
        assert_eq!(reply_and_dm_reasons(&out), vec![want_role], "{out:?}");
        let out = run(cfg, &mut host, &keyword("e3", author("u-staff", true)));
        assert_eq!(reply_and_dm_reasons(&out), vec![want_staff], "{out:?}");
        let out = run(
            cfg,
            &mut host,
            &reaction("r1", young(), "🎉", "start", T0 + MIN),
        );
        assert_eq!(reply_and_dm_reasons(&out), vec![want_reaction], "{out:?}");
    }
}

/// A cut that falls inside a character moves back to the character's
/// start (it used to slice through it and panic, trapping the plugin).
#[test]
fn an_entry_list_is_cut_between_characters() {
    let text = "é".repeat(10) + "\n" + &"ü".repeat(7);
    for max in 4..30 {
        let parts = crate::store::line_chunks(&text, max);
        assert_eq!(parts.concat(), text, "max {max}");
        assert!(
            parts.iter().all(|p| !p.is_empty() && p.len() <= max),
            "max {max}: {parts:?}"
        );
    }
}
