//! The plugin on known sequences: every figure of the alerts, the share
//! of voice and the digest is checked exactly.

use super::*;
use vigie_sdk::{test_event_of, Label, Severity, TestHost};

const CONFIG: &str = r#"{
    "lang": "en",
    "timezone": "Europe/Paris",
    "staff_channel": "staff",
    "digest_at": "09:00",
    "topics": [
        {"id": "acme", "name": "Acme", "query": "(acme OR \"acme cafe\") NOT \"acme corp\""},
        {"id": "beanco", "name": "BeanCo", "kind": "competitor", "query": "beanco OR \"bean co\""}
    ],
    "spike": {"k": 2, "min_count": 3},
    "negative_share": {"min_negative": 3, "min_share": 0.4, "jump": 0.25}
}"#;

/// 2026-11-21T00:00:00+01:00 (Paris midnight), in ms.
const D: i64 = 1_795_215_600_000;
const H: i64 = 3_600_000;
const DAY: i64 = 24 * H;

fn vlabel(key: &str, note: &str) -> Label {
    Label {
        key: key.into(),
        value: 1.0,
        note: Some(note.into()),
        plugin: "vigie".into(),
    }
}

fn mention(id: &str, ts: i64, text: &str, sentiment: Option<f64>) -> Event {
    let mut e = test_event_of(EventKind::Mention, id, "forum-user", text);
    e.platform = "feed".into();
    e.channel = "forum".into();
    e.timestamp_ms = ts;
    e.labels.push(vlabel("vigie.source", "Forum Café"));
    e.labels.push(vlabel(
        "vigie.link",
        &format!("https://forum.example/t/{id}"),
    ));
    if let Some(s) = sentiment {
        e.labels.push(Label {
            key: "sentiment".into(),
            value: s,
            note: Some("en".into()),
            plugin: "sentiment".into(),
        });
    }
    e
}

fn alerts(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Alert(a) => {
                assert_eq!(a.severity, Severity::Warning);
                Some(a.message.clone())
            }
            _ => None,
        })
        .collect()
}

fn topics(actions: &[Action]) -> Vec<(String, f64)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Label(l) if l.key == engine::TOPIC_LABEL => {
                Some((l.note.clone().unwrap_or_default(), l.value))
            }
            _ => None,
        })
        .collect()
}

fn plugin() -> Watch {
    let mut c: serde_json::Value = serde_json::from_str(CONFIG).unwrap();
    c["negative_share"]["enabled"] = false.into();
    Watch::configure(&c.to_string()).unwrap()
}

#[test]
fn labels_each_topic_with_the_earlier_sentiment() {
    let mut p = plugin();
    let mut host = TestHost::new();
    let a = p
        .handle(
            &mut host,
            &mention("e1", D, "Acme or BeanCo? BeanCo is cheaper", Some(0.4)),
        )
        .unwrap();
    assert_eq!(
        topics(&a),
        vec![("acme".to_string(), 0.4), ("beanco".to_string(), 0.4)]
    );
    // Without a sentiment label: value 0.
    let a = p
        .handle(&mut host, &mention("e2", D, "Acme opens in Lyon", None))
        .unwrap();
    assert_eq!(topics(&a), vec![("acme".to_string(), 0.0)]);
    // NOT: "acme corp" is another company.
    assert!(p
        .handle(&mut host, &mention("e3", D, "Acme Corp buys a mine", None))
        .unwrap()
        .is_empty());
    // Staff, joins and unrelated texts: nothing.
    let mut staff = mention("e4", D, "acme", None);
    staff.author.is_staff = true;
    assert!(p.handle(&mut host, &staff).unwrap().is_empty());
    assert!(p
        .handle(&mut host, &mention("e5", D, "nothing to see", None))
        .unwrap()
        .is_empty());
}

#[test]
fn a_negative_mention_from_an_important_source_alerts_with_quote_and_link() {
    let mut p = plugin();
    let mut host = TestHost::new();
    let mut e = mention(
        "imp1",
        D + 10 * H,
        "Avis\n\nService lamentable chez Acme Café hier, deux heures d'attente pour un crème froid.",
        Some(-0.7),
    );
    e.labels.push(vlabel("vigie.important", "review site"));
    let a = p.handle(&mut host, &e).unwrap();
    assert_eq!(
        alerts(&a),
        vec![
            "Negative mention of Acme from an important source (Forum Café): «Avis Service \
             lamentable chez Acme Café hier, deux heures d'attente pour un crème froid.» \
             https://forum.example/t/imp1"
                .to_string()
        ]
    );
    // The same from an ordinary source, or positive: no alert.
    let e = mention("imp2", D + 11 * H, "Acme est nul", Some(-0.7));
    assert!(alerts(&p.handle(&mut host, &e).unwrap()).is_empty());
    let mut e = mention("imp3", D + 12 * H, "Acme est top", Some(0.7));
    e.labels.push(vlabel("vigie.important", "x"));
    assert!(alerts(&p.handle(&mut host, &e).unwrap()).is_empty());
}

#[test]
fn important_sources_from_the_config() {
    let mut c: serde_json::Value = serde_json::from_str(CONFIG).unwrap();
    c["important_sources"] = serde_json::json!(["forum cafe"]);
    let mut p = Watch::configure(&c.to_string()).unwrap();
    let a = p
        .handle(
            &mut TestHost::new(),
            &mention("x", D, "acme est nul", Some(-0.5)),
        )
        .unwrap();
    assert_eq!(alerts(&a).len(), 1);
}

/// The same hour (09:00–10:00 Paris) on the 14 days before: 0, 2, 0, 2…
/// mentions: mean 1, σ 1, threshold 1 + 2·1 = 3. On the 15th day the
/// fourth mention of that hour is the first above it: one alert, then
/// silence for the rest of the hour.
#[test]
fn a_spike_over_mean_plus_k_sigma_of_the_same_hour_alerts_once() {
    let mut p = plugin();
    let mut host = TestHost::new();
    let today = D + 14 * DAY + 9 * H; // 09:00 Paris
    for d in 1..=14 {
        if d % 2 == 0 {
            for k in 0..2 {
                let e = mention(
                    &format!("b{d}-{k}"),
                    today - d * DAY + k * 60_000,
                    "acme",
                    None,
                );
                assert!(alerts(&p.handle(&mut host, &e).unwrap()).is_empty());
            }
        }
    }
    assert_eq!(
        engine::baseline(&mut host, "acme", today / H, 14),
        (1.0, 1.0)
    );
    let mut fired = Vec::new();
    for k in 0..6 {
        let e = mention(
            &format!("s{k}"),
            today + k * 60_000,
            "Incroyable la file devant Acme ce matin",
            None,
        );
        for a in alerts(&p.handle(&mut host, &e).unwrap()) {
            fired.push((k, a));
        }
    }
    assert_eq!(fired.len(), 1, "{fired:?}");
    assert_eq!(
        fired[0].0, 3,
        "the 4th mention (index 3) is the first over 3"
    );
    assert_eq!(
        fired[0].1,
        "Spike of mentions for Acme: 4 between 09:00 and 10:00 (usually 1.0 ± 1.0 at this \
         hour over 14 days). Latest: «Incroyable la file devant Acme ce matin» \
         https://forum.example/t/s3"
    );
    // The next hour starts afresh: 3 mentions against a baseline of 0 (the
    // days before had none at 10:00) reach min_count 3.
    let next: Vec<usize> = (0..3)
        .filter(|k| {
            let e = mention(
                &format!("n{k}"),
                today + H + *k as i64 * 60_000,
                "acme",
                None,
            );
            !alerts(&p.handle(&mut host, &e).unwrap()).is_empty()
        })
        .collect();
    assert_eq!(next, vec![2]);
}

/// 14 days of 10 mentions with 1 negative (10 %), then a day with 2
/// neutral mentions and negatives: the third negative makes 3 of 5 (60 %
/// ≥ 40 %, and ≥ 10 % + 25 %): one alert, then none for 24 hours.
#[test]
fn a_jump_of_the_negative_share_alerts_once_a_day() {
    let mut p = Watch::configure(CONFIG).unwrap();
    let mut c: serde_json::Value = serde_json::from_str(CONFIG).unwrap();
    c["spike"]["enabled"] = false.into();
    p.config = Config::parse(&c.to_string()).unwrap();
    let mut host = TestHost::new();
    let now = D + 20 * DAY;
    for d in 1..=14 {
        for k in 0..10 {
            let s = if k == 0 { -0.6 } else { 0.0 };
            let e = mention(
                &format!("b{d}-{k}"),
                now - d * DAY - 12 * H + k * H,
                "acme",
                Some(s),
            );
            assert!(alerts(&p.handle(&mut host, &e).unwrap()).is_empty());
        }
    }
    let seq = [0.0, 0.0, -0.5, -0.5, -0.8, -0.9];
    let mut fired = Vec::new();
    for (k, s) in seq.iter().enumerate() {
        let e = mention(
            &format!("j{k}"),
            now + k as i64 * H,
            "Acme, encore raté",
            Some(*s),
        );
        for a in alerts(&p.handle(&mut host, &e).unwrap()) {
            fired.push((k, a));
        }
    }
    assert_eq!(fired.len(), 1, "{fired:?}");
    assert_eq!(fired[0].0, 4);
    assert_eq!(
        fired[0].1,
        "Negative share up for Acme: 3 of 5 mentions negative in 24 h (60%, usually 10%). \
         Latest: «Acme, encore raté» https://forum.example/t/j4"
    );
}

/// A known week: the digest at 09:00 Paris on 22 November covers the
/// 21st; its figures and the share of voice are exact.
#[test]
fn the_daily_digest_and_share_of_voice_are_exact() {
    let mut p = plugin();
    let mut host = TestHost::new();
    // 18 November: Acme 1, BeanCo 4.
    for (i, text) in ["acme", "beanco", "beanco", "bean co", "BeanCo!"]
        .iter()
        .enumerate()
    {
        let e = mention(&format!("w{i}"), D - 3 * DAY + 12 * H, text, None);
        p.handle(&mut host, &e).unwrap();
    }
    // 21 November: Acme 4 (one positive, two negative, one neutral),
    // BeanCo 1 (negative, in an event naming both).
    let day = [
        ("d1", "Great latte at Acme today", Some(0.6)),
        ("d2", "Acme lost my order again", Some(-0.5)),
        ("d3", "Acme vs BeanCo: which is worse?", Some(-0.4)),
        ("d4", "Nothing about coffee here", Some(0.9)),
    ];
    for (i, (id, text, s)) in day.iter().enumerate() {
        let mut e = mention(id, D + (10 + i as i64) * H, text, *s);
        if *id == "d2" {
            e.labels.retain(|l| l.key != "vigie.source");
            e.labels.push(vlabel("vigie.source", "Le Blog du Café"));
            e.labels
                .push(vlabel("vigie.title", "Acme lost my order again"));
        }
        p.handle(&mut host, &e).unwrap();
    }
    let mut neutral = mention("d5", D + 20 * H, "Acme opens a shop in Lille", Some(0.0));
    neutral
        .labels
        .push(vlabel("vigie.title", "Acme opens a shop in Lille"));
    p.handle(&mut host, &neutral).unwrap();
    let d21 = engine::local_date(p.config(), D + H).unwrap();
    assert_eq!(d21.to_string(), "2026-11-21");
    let sov = engine::share_of_voice(p.config(), &mut host, d21, 1);
    assert_eq!(
        sov,
        vec![("acme".to_string(), 4, 0.8), ("beanco".to_string(), 1, 0.2)]
    );
    let week = engine::share_of_voice(p.config(), &mut host, d21, 7);
    assert_eq!(
        week,
        vec![("acme".to_string(), 5, 0.5), ("beanco".to_string(), 5, 0.5)]
    );
    // 08:59 on the 22nd: not yet; 09:00: the digest; 09:01: done already.
    let next = D + DAY;
    assert!(p
        .tick(&mut host, next + 8 * H + 59 * 60_000)
        .unwrap()
        .is_empty());
    let actions = p.tick(&mut host, next + 9 * H).unwrap();
    assert!(p.tick(&mut host, next + 9 * H + 60_000).unwrap().is_empty());
    assert_eq!(actions.len(), 1);
    let Action::Post(post) = &actions[0] else {
        panic!("{actions:?}")
    };
    assert_eq!(post.channel, "staff");
    assert_eq!(post.reason, "watch: daily digest of 2026-11-21");
    assert_eq!(
        post.text,
        "📰 Web watch for Saturday 2026-11-21 (Europe/Paris): 4 mentions — 🙂 1 positive, \
         😐 1 neutral, 🙁 2 negative\n\
         Share of voice (day / 7 days):\n\
         • Acme: 80% / 50% (4 / 5 mentions ; 🙂 1 🙁 2)\n\
         • BeanCo (competitor): 20% / 50% (1 / 5 mentions ; 🙂 0 🙁 1)\n\
         Top mentions:\n\
         1. 🙂 [Acme] «Great latte at Acme today» — Forum Café https://forum.example/t/d1\n\
         2. 🙁 [Acme] Acme lost my order again — Le Blog du Café https://forum.example/t/d2\n\
         3. 🙁 [Acme, BeanCo] «Acme vs BeanCo: which is worse?» — Forum Café https://forum.example/t/d3\n\
         4. 😐 [Acme] Acme opens a shop in Lille — Forum Café https://forum.example/t/d5\n\
         New sources: Le Blog du Café"
    );
}

#[test]
fn the_digest_in_french() {
    let mut c: serde_json::Value = serde_json::from_str(CONFIG).unwrap();
    c["lang"] = "fr".into();
    let mut p = Watch::configure(&c.to_string()).unwrap();
    let mut host = TestHost::new();
    p.handle(
        &mut host,
        &mention("f1", D + 12 * H, "J'adore l'Acme Café", Some(0.7)),
    )
    .unwrap();
    let a = p.tick(&mut host, D + DAY + 9 * H).unwrap();
    let Action::Post(post) = &a[0] else {
        panic!("{a:?}")
    };
    assert_eq!(
        post.text,
        "📰 Veille du samedi 2026-11-21 (Europe/Paris) : 1 mention — 🙂 1 positive, 😐 0 neutre, \
         🙁 0 négative\n\
         Part de voix (jour / 7 jours) :\n\
         • Acme : 100 % / 100 % (1 / 1 mentions ; 🙂 1 🙁 0)\n\
         • BeanCo (concurrent) : 0 % / 0 % (0 / 0 mentions ; 🙂 0 🙁 0)\n\
         À lire :\n\
         1. 🙂 [Acme] «J'adore l'Acme Café» — Forum Café https://forum.example/t/f1\n\
         Nouvelles sources : Forum Café"
    );
}

#[test]
fn a_day_without_mentions_posts_no_digest_and_old_counts_are_swept() {
    let mut p = plugin();
    let mut host = TestHost::new();
    assert!(p.tick(&mut host, D + 9 * H).unwrap().is_empty());
    p.handle(&mut host, &mention("old", D, "acme", None))
        .unwrap();
    assert!(host.kv.keys().any(|k| k.starts_with("h/acme/")));
    p.tick(&mut host, D + 70 * DAY).unwrap();
    assert!(
        !host
            .kv
            .keys()
            .any(|k| k.starts_with("h/") || k.starts_with("d/") || k.starts_with("m/")),
        "{:?}",
        host.kv.keys().collect::<Vec<_>>()
    );
}

#[test]
fn a_topic_with_notify_alerts_on_every_match_with_the_matched_text() {
    let mut c: serde_json::Value = serde_json::from_str(CONFIG).unwrap();
    c["topics"][1]["notify"] = true.into();
    let mut p = Watch::configure(&c.to_string()).unwrap();
    let mut host = TestHost::new();
    let short = "Someone says BeanCo now sells a 1 kg bag for 15 euros.";
    let a = p
        .handle(&mut host, &mention("n1", D + 10 * H, short, None))
        .unwrap();
    assert_eq!(
        alerts(&a),
        vec![
            "New mention of BeanCo (Forum Café): «Someone says BeanCo now sells a 1 kg bag \
              for 15 euros.» https://forum.example/t/n1"
                .to_string()
        ]
    );
    // A long text: the words around the match, cut on both sides.
    let long = format!(
        "{} Halfway through, someone says BeanCo now sells a 1 kg bag for 15 euros. {}",
        "Roasting at home, grinders, scales, water recipes and more. ".repeat(3),
        "Shipping is included and the beans are fresh, they say. ".repeat(3)
    );
    let a = alerts(
        &p.handle(&mut host, &mention("n2", D + 11 * H, &long, None))
            .unwrap(),
    );
    let quote = a[0]
        .strip_prefix("New mention of BeanCo (Forum Café): «…")
        .and_then(|q| q.strip_suffix("…» https://forum.example/t/n2"))
        .unwrap_or_else(|| panic!("{a:?}"));
    assert!(quote.contains("someone says BeanCo now sells"), "{quote}");
    assert!(quote.chars().count() <= 146, "{}", quote.chars().count());
    // Acme does not notify.
    let a = p
        .handle(&mut host, &mention("n3", D + 12 * H, "acme", None))
        .unwrap();
    assert!(alerts(&a).is_empty());
}

#[test]
fn the_alerts_in_french() {
    use vigie_text::Lang;
    assert_eq!(
        messages::spike(
            Lang::Fr,
            "Acme",
            4,
            9,
            1.0,
            1.0,
            14,
            "«file devant Acme»",
            "https://x.example/1"
        ),
        "Pic de mentions pour Acme : 4 entre 9 h et 10 h (d'habitude 1,0 ± 1,0 à cette heure \
         sur 14 jours). Dernière : «file devant Acme» https://x.example/1"
    );
    assert_eq!(
        messages::negative_share(Lang::Fr, "Acme", 3, 5, 0.6, 0.1, "«raté»", ""),
        "Part négative en hausse pour Acme : 3 mentions négatives sur 5 en 24 h (60 %, \
         d'habitude 10 %). Dernière : «raté»"
    );
    assert_eq!(
        messages::new_mention(
            Lang::Fr,
            &["BeanCo"],
            "Forum",
            "«BeanCo baisse ses prix»",
            "https://x.example/2"
        ),
        "Nouvelle mention de BeanCo (Forum) : «BeanCo baisse ses prix» https://x.example/2"
    );
}
