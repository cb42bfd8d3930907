//! Plugin-level tests: what `handle` does with events, on the Acme config.

use super::*;
use vigie_sdk::{test_event, TestHost};

fn acme_json() -> String {
    let text = include_str!("../acme.toml");
    let value: toml::Value = toml::from_str(text).expect("acme.toml parses");
    serde_json::to_string(&value).unwrap()
}

fn acme() -> Faq {
    Faq::configure(&acme_json()).expect("acme.toml is a valid config")
}

fn reply_text(actions: &[Action]) -> Option<&str> {
    actions.iter().find_map(|a| match a {
        Action::Reply(r) => Some(r.text.as_str()),
        _ => None,
    })
}

#[test]
fn describes_itself() {
    let d = Faq::describe();
    assert_eq!(d.name, "faq");
    assert_eq!(
        d.events,
        vec![
            EventKind::Message,
            EventKind::Mention,
            EventKind::DirectMessage
        ]
    );
    assert!(d.actions.contains(&ActionKind::Reply) && d.actions.contains(&ActionKind::Flag));
}

#[test]
fn empty_config_answers_nothing() {
    let mut faq = Faq::configure("{}").unwrap();
    let mut host = TestHost::new();
    let e = test_event("e1", "u1", "Vous livrez en Belgique ?");
    assert!(faq.handle(&mut host, &e).unwrap().is_empty());
    assert!(host.kv.is_empty());
}

#[test]
fn answers_in_the_language_of_the_question() {
    let mut faq = acme();
    let mut host = TestHost::new();
    let fr = faq
        .handle(
            &mut host,
            &test_event("e1", "u1", "Vous livrez en Suisse ?"),
        )
        .unwrap();
    let text = reply_text(&fr).expect("answered");
    assert!(text.starts_with("Nous livrons"), "{text}");
    // Another channel: the first answer's channel cooldown does not apply.
    let mut e = test_event("e2", "u2", "Do you ship to Switzerland?");
    e.channel = "help".into();
    let en = faq.handle(&mut host, &e).unwrap();
    let text = reply_text(&en).expect("answered");
    assert!(text.starts_with("We ship"), "{text}");
}

#[test]
fn fills_user_and_vars() {
    let mut faq = acme();
    let mut host = TestHost::new();
    let mut e = test_event(
        "e1",
        "u1",
        "ma commande n'est toujours pas arrivée, c'est normal ?",
    );
    e.author.name = "Chloé".into();
    let actions = faq.handle(&mut host, &e).unwrap();
    let text = reply_text(&actions).expect("answered");
    assert!(
        text.contains("Chloé") && text.contains("https://acme-cafe.example"),
        "{text}"
    );
    assert!(
        matches!(&actions[0], Action::Reply(r) if r.to_message == "e1" && r.reason.contains("delivery_delay"))
    );
}

#[test]
fn never_answers_deleted_stopped_or_staff_messages() {
    let mut faq = acme();
    let mut host = TestHost::new();
    let q = "Comment détartrer la machine ?";
    for kind in [ActionKind::Delete, ActionKind::Stop, ActionKind::Ban] {
        let mut e = test_event("e1", "u1", q);
        e.earlier_actions = vec![kind];
        assert!(faq.handle(&mut host, &e).unwrap().is_empty(), "{kind:?}");
    }
    let mut e = test_event("e2", "staff", q);
    e.author.is_staff = true;
    assert!(faq.handle(&mut host, &e).unwrap().is_empty());
    // A reaction or an edit is not handled.
    let mut e = test_event("e3", "u1", q);
    e.kind = EventKind::Edit;
    assert!(faq.handle(&mut host, &e).unwrap().is_empty());
    // And the same question, untouched, is answered.
    let actions = faq.handle(&mut host, &test_event("e4", "u1", q)).unwrap();
    assert!(reply_text(&actions).is_some());
}

#[test]
fn does_not_answer_chit_chat() {
    let mut faq = acme();
    let mut host = TestHost::new();
    for (i, text) in [
        "Merci pour la livraison rapide !",
        "Bonjour à tous, bon dimanche",
        "Thanks for the quick fix, the app works again",
        "Anyone tried the Holiday Roast as cold brew?",
        "ça va tout le monde ?",
    ]
    .iter()
    .enumerate()
    {
        let actions = faq
            .handle(&mut host, &test_event(&format!("e{i}"), "u1", text))
            .unwrap();
        assert!(actions.is_empty(), "{text}: {actions:?}");
    }
}

#[test]
fn cooldowns_per_channel_and_per_user() {
    let mut faq = acme();
    let mut host = TestHost::new().at(1_000_000_000);
    let q = |id: &str, user: &str, channel: &str| {
        let mut e = test_event(id, user, "Comment réinitialiser mon mot de passe ?");
        e.channel = channel.into();
        e
    };
    assert!(reply_text(&faq.handle(&mut host, &q("e1", "u1", "support")).unwrap()).is_some());
    assert_eq!(
        host.kv_get_string("cd/support/password_reset").as_deref(),
        Some("1000000000")
    );
    assert!(host.kv_get("cdu/u1/password_reset").is_some());
    // Same channel, another user, 5 minutes later: channel cooldown.
    host.now_ms += 5 * 60_000;
    assert!(faq
        .handle(&mut host, &q("e2", "u2", "support"))
        .unwrap()
        .is_empty());
    // Another channel, same user: user cooldown.
    assert!(faq
        .handle(&mut host, &q("e3", "u1", "general"))
        .unwrap()
        .is_empty());
    // Another channel, another user: answered.
    assert!(reply_text(&faq.handle(&mut host, &q("e4", "u2", "general")).unwrap()).is_some());
    // 11 minutes after the first answer the channel is free again, for u3.
    host.now_ms = 1_000_000_000 + 11 * 60_000;
    assert!(reply_text(&faq.handle(&mut host, &q("e5", "u3", "support")).unwrap()).is_some());
    // u1 waits an hour.
    host.now_ms = 1_000_000_000 + 61 * 60_000;
    assert!(reply_text(&faq.handle(&mut host, &q("e6", "u1", "support")).unwrap()).is_some());
    // Another entry is not affected by the cooldown of the first.
    let mut e = test_event("e7", "u1", "Vous livrez en Belgique ?");
    e.channel = "support".into();
    assert!(reply_text(&faq.handle(&mut host, &e).unwrap()).is_some());
}

#[test]
fn tick_sweeps_expired_cooldowns() {
    let mut faq = acme();
    let mut host = TestHost::new().at(1_000_000_000);
    faq.handle(
        &mut host,
        &test_event("e1", "u1", "Vous livrez en Belgique ?"),
    )
    .unwrap();
    assert_eq!(host.kv.len(), 2);
    faq.tick(&mut host, 1_000_000_000 + 11 * 60_000).unwrap();
    assert_eq!(
        host.kv.keys().collect::<Vec<_>>(),
        vec!["cdu/u1/shipping_abroad"]
    );
    faq.tick(&mut host, 1_000_000_000 + 61 * 60_000).unwrap();
    assert!(host.kv.is_empty());
}

#[test]
fn flags_unanswered_brand_questions_when_configured() {
    let mut faq = acme();
    let mut host = TestHost::new();
    let e = test_event("e1", "u1", "Acme Café recrute des baristas pour Noël ?");
    let actions = faq.handle(&mut host, &e).unwrap();
    assert!(
        matches!(&actions[..], [Action::Flag(f)] if f.message_id == "e1"),
        "{actions:?}"
    );
    let mut e = test_event("e2", "u1", "@AcmeCafe any update on the app issue?");
    e.kind = EventKind::Mention;
    let actions = faq.handle(&mut host, &e).unwrap();
    assert!(matches!(&actions[..], [Action::Flag(_)]), "{actions:?}");
    // Not a brand question: nothing.
    let e = test_event("e3", "u1", "Quelqu'un a vu le match hier ?");
    assert!(faq.handle(&mut host, &e).unwrap().is_empty());
    // Without the option: nothing.
    let json = acme_json().replace("\"flag_unanswered\":true", "\"flag_unanswered\":false");
    let mut quiet = Faq::configure(&json).unwrap();
    let e = test_event("e4", "u1", "Acme Café recrute des baristas pour Noël ?");
    assert!(quiet.handle(&mut host, &e).unwrap().is_empty());
}

#[test]
fn labels_the_score_when_asked() {
    let json = acme_json().replace("\"label_score\":false", "\"label_score\":true");
    let mut faq = Faq::configure(&json).unwrap();
    let mut host = TestHost::new();
    let actions = faq
        .handle(&mut host, &test_event("e1", "u1", "Do you sell decaf?"))
        .unwrap();
    let label = actions
        .iter()
        .find_map(|a| match a {
            Action::Label(l) => Some(l),
            _ => None,
        })
        .expect("label");
    assert_eq!(label.key, "faq.score");
    assert_eq!(label.note.as_deref(), Some("decaf"));
    assert!(label.value > 0.5 && label.value <= 1.0);
}

#[test]
fn direct_messages_skip_the_channel_cooldown() {
    let mut faq = acme();
    let mut host = TestHost::new();
    let mut e = test_event("e1", "u1", "Do you sell decaf?");
    e.kind = EventKind::DirectMessage;
    assert!(reply_text(&faq.handle(&mut host, &e).unwrap()).is_some());
    assert!(host.kv_get("cd/general/decaf").is_none());
    let mut e = test_event("e2", "u2", "Do you sell decaf?");
    e.kind = EventKind::DirectMessage;
    assert!(reply_text(&faq.handle(&mut host, &e).unwrap()).is_some());
}

#[test]
fn channels_limit_where_it_answers() {
    let json = acme_json().replacen('{', r#"{"channels":["support"],"#, 1);
    let mut faq = Faq::configure(&json).unwrap();
    let mut host = TestHost::new();
    let e = test_event("e1", "u1", "Do you sell decaf?");
    assert!(faq.handle(&mut host, &e).unwrap().is_empty());
    let mut e = test_event("e2", "u1", "Do you sell decaf?");
    e.channel = "support".into();
    assert!(reply_text(&faq.handle(&mut host, &e).unwrap()).is_some());
}

#[test]
fn the_readme_example_config_loads() {
    let readme = include_str!("../README.md");
    let start = readme.find("```toml\n").expect("a TOML example") + "```toml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let doc: toml::Value = toml::from_str(&readme[start..end]).expect("valid TOML");
    let config = &doc["plugins"]["faq"]["config"];
    let mut faq = Faq::configure(&serde_json::to_string(config).unwrap()).expect("valid config");
    let mut host = TestHost::new();
    let mut e = test_event("e1", "u1", "j'ai perdu mon mdp, comment faire ?");
    e.author.name = "Chloé".into();
    let actions = faq.handle(&mut host, &e).unwrap();
    let text = reply_text(&actions).expect("answered");
    assert!(
        text.starts_with("Bonjour Chloé !") && text.contains("https://acme-cafe.example"),
        "{text}"
    );
}

#[test]
fn the_first_question_of_a_message_is_found_but_not_a_question_after_a_premise() {
    let faq = acme();
    let e = faq.engine();
    let answer = |t: &str| e.decide(t).answer.map(|a| e.entry(a.entry).id.clone());
    assert_eq!(
        answer("where's my parcel?? ordered last monday, still says 'label created'").as_deref(),
        Some("delivery_delay")
    );
    assert_eq!(
        answer("Pareil, débitée deux fois ce matin. Vous pouvez rembourser vite svp ?"),
        None
    );
}

#[test]
fn typos_missing_accents_and_chat_spellings() {
    let faq = acme();
    let e = faq.engine();
    let answer = |t: &str| e.decide(t).answer.map(|a| e.entry(a.entry).id.clone());
    assert_eq!(
        answer("c koi les horraires de la boutique").as_deref(),
        Some("opening_hours")
    );
    assert_eq!(
        answer("comment reinitialiser mon mdp").as_deref(),
        Some("password_reset")
    );
    assert_eq!(
        answer("how do I reset my pasword?").as_deref(),
        Some("password_reset")
    );
    assert_eq!(
        answer("vous livrez en suisse").as_deref(),
        Some("shipping_abroad")
    );
    assert_eq!(
        answer("le decafeine est dispo en grains ?").as_deref(),
        Some("decaf")
    );
}

/// A small FAQ (late delivery, opening hours) and `extra` entries after
/// them, flagging unanswered questions about `acme` (word matching alone,
/// at the threshold these tests were written for).
fn small_config(extra: &[&str]) -> String {
    let delivery = r#"{"id":"delivery","answer":"2 à 4 jours.","questions_fr":["Où est ma commande ?","Ma commande n'est pas arrivée","Quand vais-je recevoir ma commande ?"]}"#;
    let hours = r#"{"id":"hours","answer":"9 h – 19 h.","questions_fr":["Quels sont vos horaires ?","La boutique ouvre à quelle heure ?"]}"#;
    let entries: Vec<&str> = [delivery, hours]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    format!(
        r#"{{"flag_unanswered":true,"brand":["acme"],"general_vocabulary":false,"threshold":0.7,"entries":[{}]}}"#,
        entries.join(",")
    )
}

/// A `decline` entry takes the questions on its topic (no answer, flagged
/// when the brand is named) and leaves every other question's scores as
/// they were.
#[test]
fn a_decline_entry_keeps_its_topic_from_the_others_and_changes_nothing_else() {
    let decline = r#"{"id":"changes","decline":true,"questions_fr":["Comment annuler ma commande ?","Je veux modifier ma commande"]}"#;
    let without = crate::engine::Engine::from_json(&small_config(&[])).unwrap();
    let with = crate::engine::Engine::from_json(&small_config(&[decline])).unwrap();
    let cancel = "comment annuler ma commande ?";
    assert_eq!(
        without
            .decide(cancel)
            .answer
            .map(|a| without.entry(a.entry).id.clone()),
        Some("delivery".to_string()),
        "without the decline entry the question gets the delivery answer"
    );
    let d = with.decide(cancel);
    assert_eq!(d.answer, None);
    assert_eq!(
        d.best.map(|b| with.entry(b.entry).id.clone()).as_deref(),
        Some("changes")
    );
    assert!(d.rejected.is_some_and(|r| r.contains("decline")));
    for q in [
        "ma commande n'est toujours pas arrivée",
        "vous ouvrez à quelle heure ?",
    ] {
        let (a, b) = (without.index().rank(q), with.index().rank(q));
        assert_eq!(a.first(), b.first(), "{q}");
        assert_eq!(without.decide(q).answer, with.decide(q).answer, "{q}");
    }
    let mut faq = Faq::configure(&small_config(&[decline])).unwrap();
    let actions = faq
        .handle(
            &mut TestHost::new(),
            &test_event("e1", "u1", "Acme, comment annuler ma commande ?"),
        )
        .unwrap();
    assert!(
        matches!(actions.as_slice(), [Action::Flag(f)] if f.reason.contains("changes")),
        "{actions:?}"
    );
}

/// A `decline` entry stops an answer by scoring best, not by coming second:
/// the margin is taken to the next entry that answers.
#[test]
fn a_decline_entry_close_behind_does_not_stop_the_answer() {
    let decline = r#"{"id":"changes","decline":true,"questions_fr":["Comment annuler ma commande ?","Je veux modifier ma commande","Ma commande est arrivée au mauvais endroit"]}"#;
    let engine = crate::engine::Engine::from_json(&small_config(&[decline])).unwrap();
    let q = "ma commande n'est pas encore arrivée ?";
    let ranking = engine.index().rank(q);
    let (top, second) = (&ranking[0], &ranking[1]);
    assert_eq!((top.entry, second.entry), (0, 2), "{ranking:?}");
    assert!(
        top.score - second.score < 0.1,
        "the decline entry is within the margin"
    );
    let answer = engine
        .decide(q)
        .answer
        .map(|a| engine.entry(a.entry).id.clone());
    assert_eq!(answer.as_deref(), Some("delivery"));
}

/// A staff member's message.
fn staff(id: &str, text: &str) -> Event {
    let mut e = test_event(id, "mod1", text);
    e.author.is_staff = true;
    e.author.name = "Camille".into();
    e
}

/// A member's question, in its own channel (cooldowns stay out of the way).
fn ask(faq: &mut Faq, host: &mut TestHost, id: &str, text: &str) -> Option<String> {
    let mut e = test_event(id, &format!("user-{id}"), text);
    e.channel = format!("chan-{id}");
    let actions = faq.handle(host, &e).unwrap();
    actions.iter().find_map(|a| match a {
        Action::Reply(r) => Some(r.reason.clone()),
        _ => None,
    })
}

#[test]
fn staff_teach_a_question_by_replying_to_it_and_it_sticks_across_restarts() {
    let mut faq = acme();
    let mut host = TestHost::new();
    let q = "can I pay with luncheon vouchers?";
    assert_eq!(
        ask(&mut faq, &mut host, "q1", q),
        None,
        "not answered before"
    );
    let mut teach = staff("s1", "!faq learn payment_methods");
    teach.reply_to = Some("q1".into());
    let actions = faq.handle(&mut host, &teach).unwrap();
    let text = reply_text(&actions).expect("a confirmation");
    assert!(
        text.contains("Learned") && text.contains("payment_methods"),
        "{text}"
    );
    assert!(host.kv.contains_key(learn::KEY));
    let answered = ask(
        &mut faq,
        &mut host,
        "q2",
        "Can I pay with luncheon vouchers pls",
    );
    assert!(
        answered
            .as_deref()
            .is_some_and(|r| r.contains("payment_methods")),
        "{answered:?}"
    );
    // A new instance (a restart, a reload, an eviction) reads it back.
    let mut again = acme();
    let answered = ask(
        &mut again,
        &mut host,
        "q3",
        "can i pay with luncheon vouchers?",
    );
    assert!(
        answered
            .as_deref()
            .is_some_and(|r| r.contains("payment_methods")),
        "{answered:?}"
    );
}

#[test]
fn an_answer_marked_wrong_is_not_given_again_and_the_entry_still_answers_its_questions() {
    let mut faq = acme();
    let mut host = TestHost::new();
    let q = "can I change my card PIN in the app?";
    let before = ask(&mut faq, &mut host, "q1", q);
    assert!(
        before
            .as_deref()
            .is_some_and(|r| r.contains("password_reset")),
        "{before:?}"
    );
    // The staff member replies to the FAQ's answer: the host names the
    // event it answered.
    let mut wrong = staff("s1", "!faq faux");
    wrong.reply_to = Some("bot-answer-1".into());
    wrong.labels = vec![vigie_sdk::Label {
        key: "vigie.sent-for".into(),
        value: 0.0,
        note: Some("q1".into()),
        plugin: "vigie".into(),
    }];
    let actions = faq.handle(&mut host, &wrong).unwrap();
    let text = reply_text(&actions).expect("a confirmation");
    assert!(text.contains("ne recevra plus password_reset"), "{text}");
    assert_eq!(ask(&mut faq, &mut host, "q2", q), None);
    assert_eq!(
        ask(
            &mut faq,
            &mut host,
            "q3",
            "Can I change my card PIN in the app ?"
        ),
        None
    );
    let reset = ask(
        &mut faq,
        &mut host,
        "q4",
        "I forgot my password, how do I reset it?",
    );
    assert!(
        reset
            .as_deref()
            .is_some_and(|r| r.contains("password_reset")),
        "{reset:?}"
    );
    // Listed, then forgotten: the answer comes back.
    let list = faq.handle(&mut host, &staff("s2", "!faq learned")).unwrap();
    let text = reply_text(&list).expect("a list");
    assert!(
        text.contains("#1") && text.contains("↛ password_reset"),
        "{text}"
    );
    let forget = faq
        .handle(&mut host, &staff("s3", "!faq forget 1"))
        .unwrap();
    assert!(reply_text(&forget).is_some_and(|t| t.contains("Forgot #1")));
    let after = ask(&mut faq, &mut host, "q5", q);
    assert!(
        after
            .as_deref()
            .is_some_and(|r| r.contains("password_reset")),
        "{after:?}"
    );
}

#[test]
fn only_staff_teach_and_mistakes_get_a_clear_reply_and_change_nothing() {
    let mut faq = acme();
    let mut host = TestHost::new();
    // A member's command is ignored: no reply, nothing stored.
    let member = test_event(
        "m1",
        "u1",
        "!faq learn payment_methods can I pay in bitcoin?",
    );
    assert!(faq.handle(&mut host, &member).unwrap().is_empty());
    assert!(!host.kv.contains_key(learn::KEY));
    let unknown = faq
        .handle(
            &mut host,
            &staff("s1", "!faq learn paiement ticket resto ?"),
        )
        .unwrap();
    let text = reply_text(&unknown).expect("a reply");
    assert!(
        text.contains("No entry `paiement`") && text.contains("payment_methods"),
        "{text}"
    );
    let lost = faq
        .handle(&mut host, &{
            let mut e = staff("s2", "!faq apprendre payment_methods");
            e.reply_to = Some("not-seen".into());
            e
        })
        .unwrap();
    assert!(reply_text(&lost).is_some_and(|t| t.contains("Quelle question")));
    let empty = faq
        .handle(
            &mut host,
            &staff("s3", "!faq learn payment_methods c'est quoi ?"),
        )
        .unwrap();
    assert!(reply_text(&empty).is_some_and(|t| t.contains("no word")));
    assert!(!host.kv.contains_key(learn::KEY));
    // Teaching off: the command is not a question either.
    let mut quiet = Faq::configure(&acme_json().replacen('{', "{\"learning\":false,", 1)).unwrap();
    assert!(quiet
        .handle(&mut host, &staff("s4", "!faq learned"))
        .unwrap()
        .is_empty());
}

#[test]
fn unreadable_learned_examples_are_kept_and_teaching_stops() {
    let mut faq = acme();
    let mut host = TestHost::new();
    host.kv.insert(learn::KEY.into(), b"{broken".to_vec());
    let answered = ask(&mut faq, &mut host, "q1", "Vous livrez en Suisse ?");
    assert!(answered.is_some(), "the FAQ still answers");
    let mut teach = staff("s1", "!faq learn payment_methods");
    teach.reply_to = Some("q1".into());
    let text = faq.handle(&mut host, &teach).unwrap();
    assert!(reply_text(&text).is_some_and(|t| t.contains("unreadable")));
    assert_eq!(
        host.kv.get(learn::KEY).map(Vec::as_slice),
        Some(&b"{broken"[..])
    );
}
