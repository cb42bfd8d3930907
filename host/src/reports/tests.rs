//! The KPI functions on small hand-made logs. The whole catalogue, on a
//! log committed to a real store and through `vigie report`, is tested in
//! `tests/all/reports.rs`.

use super::compute::{asks_a_question, pseudonym};
use super::*;
use crate::action::{Action, PluginRef};
use crate::event::{Author, Event, EventKind};
use jiff::tz::TimeZone;

fn event(id: &str, kind: EventKind, author: &str, at: &str) -> HandledEvent {
    HandledEvent {
        seq: 0,
        event: Event {
            id: id.into(),
            kind,
            platform: "test".into(),
            community: "acme".into(),
            channel: "general".into(),
            author: Author {
                id: author.into(),
                name: author.to_uppercase(),
                roles: vec![],
                account_age_days: None,
                is_staff: author.starts_with("staff"),
            },
            text: String::new(),
            reply_to: None,
            reaction: None,
            target_message: None,
            timestamp: time::OffsetDateTime::parse(
                at,
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap(),
            labels: vec![],
        },
    }
}

fn message(id: &str, author: &str, at: &str, text: &str) -> HandledEvent {
    let mut e = event(id, EventKind::Message, author, at);
    e.event.text = text.into();
    e
}

fn decided(plugin: &str, event_id: &str, action: Action) -> DecidedAction {
    DecidedAction {
        event_id: Some(event_id.into()),
        tick_ms: None,
        community: "acme".into(),
        channel: "general".into(),
        by: PluginRef {
            plugin: plugin.into(),
            plugin_version: "1".into(),
            plugin_hash: "h".into(),
        },
        action,
    }
}

fn options(period: Period) -> ReportOptions {
    ReportOptions {
        period,
        time_zone: TimeZone::UTC,
        time_zone_name: "UTC".into(),
        community: None,
        lang: Lang::En,
        compare_previous: false,
        pseudonym_key: None,
    }
}

fn run(events: &[HandledEvent], actions: &[DecidedAction], options: &ReportOptions) -> Report {
    compute(
        &Logs {
            events,
            actions,
            audit: &[],
            review: &[],
            shadow: &[],
            contests: &[],
        },
        options,
    )
    .unwrap()
}

fn value(report: &Report, id: &str) -> Option<f64> {
    report
        .figure(id)
        .unwrap_or_else(|| panic!("no figure {id}"))
        .value
}

#[test]
fn a_question_mark_must_end_a_sentence() {
    assert!(asks_a_question("Where is my order?"));
    assert!(asks_a_question("Où est ma commande ? Merci"));
    assert!(asks_a_question("vraiment ?? "));
    assert!(asks_a_question("本当？"));
    assert!(!asks_a_question("see https://acme.example/?q=beans"));
    assert!(!asks_a_question("Thanks!"));
}

#[test]
fn activity_engagement_and_answers_of_a_small_day() {
    let events = vec![
        // Bob wrote before the period: not new in it.
        message("m0", "bob", "2026-11-21T12:00:00Z", "hello"),
        event("j1", EventKind::Join, "cleo", "2026-11-22T09:00:00Z"),
        message("m1", "cleo", "2026-11-22T09:05:00Z", "Where is my order?"),
        message("m2", "bob", "2026-11-22T09:06:00Z", "hi all"),
        {
            let mut r = message("m3", "staff-ann", "2026-11-22T09:08:30Z", "On its way");
            r.event.reply_to = Some("m1".into());
            r
        },
        message(
            "m4",
            "dan",
            "2026-11-22T10:00:00Z",
            "Is the shop open today?",
        ),
        event("r1", EventKind::Reaction, "bob", "2026-11-22T10:01:00Z"),
        event("l1", EventKind::Leave, "eve", "2026-11-22T11:00:00Z"),
        // The next day: outside the period.
        message("m5", "bob", "2026-11-23T08:00:00Z", "?"),
    ];
    let actions = vec![
        decided(
            "faq",
            "m4",
            Action::Reply {
                to_message: "m4".into(),
                text: "Yes, 9–18".into(),
                reason: "faq: opening_hours (score 0.90)".into(),
            },
        ),
        decided(
            "sentiment",
            "m1",
            Action::Label {
                key: "sentiment".into(),
                value: -0.5,
                note: None,
                reason: "fr".into(),
            },
        ),
        decided(
            "sentiment",
            "m2",
            Action::Label {
                key: "sentiment".into(),
                value: 0.3,
                note: None,
                reason: "en".into(),
            },
        ),
    ];
    let day = Period::day("2026-11-22", &TimeZone::UTC).unwrap();
    let report = run(&events, &actions, &options(day));
    assert_eq!(value(&report, "activity.messages"), Some(4.0));
    // Staff are not members.
    assert_eq!(value(&report, "activity.active_members"), Some(3.0));
    // Cleo joined; Dan's first message is today; Bob wrote yesterday.
    assert_eq!(value(&report, "activity.new_members"), Some(2.0));
    assert_eq!(value(&report, "activity.departures"), Some(1.0));
    assert_eq!(
        value(&report, "engagement.reactions_per_message"),
        Some(0.25)
    );
    assert_eq!(value(&report, "engagement.replies_per_message"), Some(0.25));
    // Members: Bob (there before), Cleo, Dan and Eve (she left today, but
    // was a member during it) → 3 of 4.
    assert_eq!(value(&report, "engagement.active_share"), Some(0.75));
    assert_eq!(value(&report, "responsiveness.questions"), Some(2.0));
    assert_eq!(
        value(&report, "responsiveness.answered_by_staff"),
        Some(1.0)
    );
    assert_eq!(value(&report, "responsiveness.answered_by_faq"), Some(1.0));
    assert_eq!(value(&report, "responsiveness.unanswered"), Some(0.0));
    // 210 s and 0 s.
    assert_eq!(
        value(&report, "responsiveness.first_answer_median"),
        Some(105.0)
    );
    assert_eq!(
        value(&report, "responsiveness.first_answer_p90"),
        Some(210.0)
    );
    assert_eq!(
        value(&report, "responsiveness.staff_answer_median"),
        Some(210.0)
    );
    assert_eq!(value(&report, "responsiveness.deflection"), Some(0.5));
    let mood = value(&report, "mood.mean").unwrap();
    assert!((mood - -0.1).abs() < 1e-12, "{mood}");
    assert_eq!(value(&report, "mood.negative_share"), Some(0.5));
    assert_eq!(report.days.len(), 1);
    assert_eq!(report.heatmap[6][9], 3, "Sunday 9h");
    assert_eq!(report.heatmap[6][10], 1, "Sunday 10h");
    assert_eq!(
        report.top_contributors,
        vec![
            Ranked {
                name: "BOB".into(),
                count: 1
            },
            Ranked {
                name: "CLEO".into(),
                count: 1
            },
            Ranked {
                name: "DAN".into(),
                count: 1
            },
        ]
    );
    // Undefined, not zero, when there is nothing to divide by.
    let empty = Period::day("2026-12-01", &TimeZone::UTC).unwrap();
    let report = run(&events, &actions, &options(empty));
    assert_eq!(value(&report, "activity.messages"), Some(0.0));
    assert_eq!(value(&report, "engagement.reactions_per_message"), None);
    assert_eq!(value(&report, "responsiveness.first_answer_median"), None);
}

#[test]
fn compare_previous_puts_the_change_beside_each_figure() {
    let events = vec![
        message("a", "bob", "2026-11-21T10:00:00Z", "x"),
        message("b", "bob", "2026-11-22T10:00:00Z", "y"),
        message("c", "cleo", "2026-11-22T11:00:00Z", "z"),
        message("d", "cleo", "2026-11-22T12:00:00Z", "z"),
    ];
    let mut opts = options(Period::day("2026-11-22", &TimeZone::UTC).unwrap());
    opts.compare_previous = true;
    let report = run(&events, &[], &opts);
    let messages = report.figure("activity.messages").unwrap();
    assert_eq!(
        (messages.value, messages.previous, messages.change),
        (Some(3.0), Some(1.0), Some(2.0))
    );
    assert_eq!(
        report.previous_period.as_ref().map(|p| p.to_ms),
        Some(report.period.from_ms)
    );
}

#[test]
fn pseudonyms_are_stable_keyed_and_replace_every_name() {
    let events = vec![
        message("a", "bob", "2026-11-22T10:00:00Z", "Where?"),
        message("b", "bob", "2026-11-22T10:01:00Z", "hello?"),
    ];
    let mut opts = options(Period::day("2026-11-22", &TimeZone::UTC).unwrap());
    opts.pseudonym_key = Some(b"key one".to_vec());
    let report = run(&events, &[], &opts);
    let name = &report.top_contributors[0].name;
    assert_eq!(name, &pseudonym(b"key one", "bob"));
    assert!(name.starts_with("member-") && name.len() == "member-".len() + 8);
    assert_ne!(pseudonym(b"key two", "bob"), *name);
    assert!(report.questions.iter().all(|q| q.author == *name));
    let json = render(&report, Format::Json).unwrap();
    assert!(!json.contains("BOB") && !json.contains("\"bob\""), "{json}");
}

#[test]
fn every_figure_is_defined_in_both_languages() {
    let events = vec![message("a", "bob", "2026-11-22T10:00:00Z", "x")];
    let mut opts = options(Period::day("2026-11-22", &TimeZone::UTC).unwrap());
    for lang in [Lang::En, Lang::Fr] {
        opts.lang = lang;
        let report = run(&events, &[], &opts);
        for f in &report.figures {
            let d = report.definition(&f.id).expect(&f.id);
            assert_eq!(d.version, f.version);
            assert!(!d.formula.is_empty() && !d.title.is_empty());
        }
        for format in [Format::Text, Format::Html, Format::Csv] {
            let text = render(&report, format).unwrap();
            assert!(text.contains("activity.messages"), "{format:?}");
        }
    }
}

/// A web mention from the feed connector, in the veille community.
fn mention(id: &str, at: &str, text: &str) -> HandledEvent {
    let mut e = event(id, EventKind::Mention, "blog", at);
    e.event.platform = "feed".into();
    e.event.text = text.into();
    e
}

fn label(plugin: &str, event_id: &str, key: &str, value: f64, note: Option<&str>) -> DecidedAction {
    decided(
        plugin,
        event_id,
        Action::Label {
            key: key.into(),
            value,
            note: note.map(str::to_string),
            reason: format!("{plugin}: test"),
        },
    )
}

#[test]
fn share_of_voice_counts_each_topic_and_keeps_web_mentions_out_of_the_activity() {
    let events = vec![
        // Saturday: one mention of the brand, for the previous period.
        mention("w0", "2026-11-21T08:00:00Z", "Acme again"),
        // Sunday: three web mentions and a chat message the plugin read.
        mention("w1", "2026-11-22T08:00:00Z", "Acme beans are great"),
        mention(
            "w2",
            "2026-11-22T09:00:00Z",
            "Acme or Globex? Globex is awful",
        ),
        mention("w3", "2026-11-22T10:00:00Z", "Globex opens a shop"),
        message("m1", "bob", "2026-11-22T11:00:00Z", "I love Acme"),
        // Monday: out of the period.
        mention("w4", "2026-11-23T08:00:00Z", "Globex"),
    ];
    let topic = |id, t| label("watch", id, "watch.topic", 0.0, Some(t));
    let mood = |id, v| label("sentiment", id, "sentiment", v, None);
    let actions = vec![
        topic("w0", "acme"),
        mood("w1", 0.6),
        topic("w1", "acme"),
        mood("w2", -0.4),
        topic("w2", "acme"),
        topic("w2", "globex"),
        // A decision recorded twice is still one mention.
        topic("w2", "globex"),
        // No sentiment label: neither positive nor negative.
        topic("w3", "globex"),
        mood("m1", 0.02),
        topic("m1", "acme"),
        topic("w4", "globex"),
        decided(
            "watch",
            "w2",
            Action::Alert {
                severity: crate::action::Severity::Warning,
                message: "Globex spike".into(),
                reason: "watch: spike of globex".into(),
            },
        ),
    ];
    let mut opts = options(Period::day("2026-11-22", &TimeZone::UTC).unwrap());
    opts.compare_previous = true;
    let report = run(&events, &actions, &opts);
    // The chat message only: web mentions are not the community's activity,
    // and their sentiment is not the community's mood.
    assert_eq!(value(&report, "activity.messages"), Some(1.0));
    assert_eq!(value(&report, "activity.active_members"), Some(1.0));
    assert_eq!(value(&report, "mood.mean"), Some(0.02));
    assert_eq!(value(&report, "veille.mentions"), Some(4.0));
    // Rated: w1 (+0.6), w2 (−0.4), m1 (+0.02); negative: w2.
    let negative = value(&report, "veille.negative_share").unwrap();
    assert!((negative - 1.0 / 3.0).abs() < 1e-12, "{negative}");
    assert_eq!(value(&report, "veille.alerts"), Some(1.0));
    let voices: Vec<(&str, u64, u64, u64, Option<u64>)> = report
        .share_of_voice
        .iter()
        .map(|v| {
            (
                v.topic.as_str(),
                v.mentions,
                v.positive,
                v.negative,
                v.previous_mentions,
            )
        })
        .collect();
    assert_eq!(
        voices,
        vec![("acme", 3, 1, 1, Some(1)), ("globex", 2, 0, 1, Some(0)),]
    );
    assert_eq!(report.share_of_voice[0].share, Some(0.6));
    assert_eq!(report.share_of_voice[1].share, Some(0.4));
    assert_eq!(report.share_of_voice[0].days, vec![3]);
    let mentions = report.figure("veille.mentions").unwrap();
    assert_eq!((mentions.previous, mentions.change), (Some(1.0), Some(3.0)));

    for format in [Format::Text, Format::Html, Format::Csv] {
        let text = render(&report, format).unwrap();
        assert!(text.contains("globex"), "{format:?}: {text}");
    }
    let csv = render(&report, Format::Csv).unwrap();
    assert!(
        csv.contains("veille.share_of_voice.acme.mentions,1,2026-11-22T00:00:00Z/2026-11-23T00:00:00Z,3,1,\n"),
        "{csv}"
    );
    assert!(
        csv.contains("veille.share_of_voice.globex.mentions,1,2026-11-22,2,,\n"),
        "{csv}"
    );

    // A chat-only report has no veille section to show.
    let chat = run(
        &events[4..5],
        &actions[8..9],
        &options(Period::day("2026-11-22", &TimeZone::UTC).unwrap()),
    );
    assert!(chat.share_of_voice.is_empty());
    assert!(!render(&chat, Format::Text).unwrap().contains("VEILLE"));
}

fn digest(day: &str, at: &str, tz: &str) -> weekly::WeeklyDigest {
    weekly::DigestConfig {
        connector: "forum".into(),
        channel: "staff".into(),
        day: day.into(),
        at: at.into(),
        timezone: tz.into(),
        lang: Lang::Fr,
    }
    .check()
    .unwrap()
}

fn at_ms(at: &str) -> i64 {
    (time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp_nanos()
        / 1_000_000) as i64
}

#[test]
fn the_digest_is_due_for_the_last_complete_week_after_its_local_hour() {
    let paris = digest("monday", "09:00", "Europe/Paris");
    // Monday 7 December, 09:30 in Paris: last week's is due.
    assert_eq!(
        paris.due_week(at_ms("2026-12-07T08:30:00Z")).unwrap(),
        "2026-W49"
    );
    // 08:30 in Paris: not yet; the week before's still stands.
    assert_eq!(
        paris.due_week(at_ms("2026-12-07T07:30:00Z")).unwrap(),
        "2026-W48"
    );
    // Any time later that week.
    assert_eq!(
        paris.due_week(at_ms("2026-12-13T22:59:00Z")).unwrap(),
        "2026-W49"
    );
    assert_eq!(
        paris.due_week(at_ms("2026-12-14T08:00:00Z")).unwrap(),
        "2026-W50"
    );
    // Friday 17:00 UTC: the last complete ISO week before that Friday's.
    let friday = digest("vendredi", "17:00", "UTC");
    assert_eq!(
        friday.due_week(at_ms("2026-12-06T10:00:00Z")).unwrap(),
        "2026-W48"
    );
    assert_eq!(
        friday.due_week(at_ms("2026-12-04T16:59:00Z")).unwrap(),
        "2026-W47"
    );
    // Across a year: Monday 4 January 2027 reports 2026-W53.
    assert_eq!(
        digest("monday", "00:00", "UTC")
            .due_week(at_ms("2027-01-04T00:00:00Z"))
            .unwrap(),
        "2026-W53"
    );
}

#[test]
fn the_digest_text_gives_each_figure_with_its_change() {
    let events = vec![
        message("a", "bob", "2026-11-24T10:00:00Z", "salut"),
        message("b", "bob", "2026-12-01T10:00:00Z", "Où est ma commande ?"),
        message("c", "cleo", "2026-12-01T11:00:00Z", "bonjour"),
    ];
    let logs = Logs {
        events: &events,
        actions: &[],
        audit: &[],
        review: &[],
        shadow: &[],
        contests: &[],
    };
    let d = digest("monday", "09:00", "Europe/Paris");
    let text = d.message(&logs, "acme", "2026-W49").unwrap().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "Bilan de la semaine — acme — 2026-W49 (du 2026-11-30 au 2026-12-06)"
    );
    assert!(
        lines[1].starts_with("Messages : 2 (+1) · membres actifs : 2 (+1)"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("Questions : 1 (+1) · sans réponse : 1 (+1)"),
        "{text}"
    );
    assert_eq!(
        lines.last(),
        Some(&"Rapport complet : vigie report --community acme --week 2026-W49")
    );
    // No event that week: no digest.
    assert_eq!(d.message(&logs, "acme", "2026-W50").unwrap(), None);
    assert_eq!(d.message(&logs, "other", "2026-W49").unwrap(), None);
}

#[test]
fn a_digest_config_mistake_names_the_key() {
    let bad = |day: &str, at: &str, tz: &str, channel: &str| {
        weekly::DigestConfig {
            connector: "forum".into(),
            channel: channel.into(),
            day: day.into(),
            at: at.into(),
            timezone: tz.into(),
            lang: Lang::En,
        }
        .check()
        .unwrap_err()
        .to_string()
    };
    assert!(bad("someday", "09:00", "UTC", "s").starts_with("day = \"someday\""));
    assert!(bad("monday", "9h", "UTC", "s").starts_with("at = \"9h\""));
    assert!(bad("monday", "24:00", "UTC", "s").starts_with("at = \"24:00\""));
    assert!(bad("monday", "09:00", "Paris", "s").starts_with("timezone = \"Paris\""));
    assert!(bad("monday", "09:00", "UTC", " ").starts_with("channel must not be empty"));
}

fn executed(post: &str, at: &str, sent_message_id: Option<&str>) -> crate::store::AuditRecord {
    let at =
        time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).unwrap();
    let ms = (at.unix_timestamp_nanos() / 1_000_000) as i64;
    let mut action = decided(
        "schedule",
        "unused",
        Action::Post {
            text: format!("{post} is out!\nsecond line"),
            reason: format!("scheduled post {post} (2026-11-22 09:00 UTC)"),
        },
    );
    action.event_id = None;
    action.tick_ms = Some(ms);
    crate::store::AuditRecord {
        executed_at_ms: ms,
        key: format!("key-{post}"),
        connector: "matrix".into(),
        target_user: None,
        action,
        platform_reply: String::new(),
        sent_message_id: sent_message_id.map(Into::into),
        evidence: None,
        attempts: 1,
        decided_by: None,
    }
}

#[test]
fn a_published_post_counts_the_reactions_and_replies_of_its_first_day() {
    let reaction = |id: &str, target: &str, at: &str| {
        let mut e = event(id, EventKind::Reaction, "bob", at);
        e.event.target_message = Some(target.into());
        e.event.reaction = Some("👍".into());
        e
    };
    let reply = |id: &str, to: &str, at: &str| {
        let mut e = message(id, "cleo", at, "nice");
        e.event.reply_to = Some(to.into());
        e
    };
    let events = vec![
        message("m0", "bob", "2026-11-22T08:00:00Z", "morning"),
        reaction("r1", "$launch", "2026-11-22T09:05:00Z"),
        reaction("r2", "$launch", "2026-11-23T08:59:00Z"),
        // Past its first 24 hours: not counted.
        reaction("r3", "$launch", "2026-11-23T09:01:00Z"),
        // To another message: not counted.
        reaction("r4", "m0", "2026-11-22T09:06:00Z"),
        reply("p1", "$launch", "2026-11-22T10:00:00Z"),
        reply("p2", "$tips", "2026-11-22T19:00:00Z"),
        reply("p3", "$tips", "2026-11-22T20:00:00Z"),
    ];
    let audit = vec![
        executed("tips", "2026-11-22T18:00:00Z", Some("$tips")),
        executed("launch", "2026-11-22T09:00:00Z", Some("$launch")),
        // IRC gives no message id: listed, not measured.
        executed("irc-news", "2026-11-22T12:00:00Z", None),
        // Another day: not in the period.
        executed("old", "2026-11-21T09:00:00Z", Some("$old")),
    ];
    let opts = options(Period::day("2026-11-22", &TimeZone::UTC).unwrap());
    let report = compute(
        &Logs {
            events: &events,
            actions: &[],
            audit: &audit,
            review: &[],
            shadow: &[],
            contests: &[],
        },
        &opts,
    )
    .unwrap();
    let posts: Vec<(&str, Option<u64>, Option<u64>)> = report
        .publications
        .iter()
        .map(|p| (p.post.as_str(), p.reactions, p.replies))
        .collect();
    assert_eq!(
        posts,
        vec![
            ("launch", Some(2), Some(1)),
            ("irc-news", None, None),
            ("tips", Some(0), Some(2)),
        ]
    );
    assert_eq!(report.publications[0].text, "launch is out!");
    assert_eq!(value(&report, "publications.posts"), Some(3.0));
    assert_eq!(value(&report, "publications.reactions_24h"), Some(1.0));
    assert_eq!(value(&report, "publications.replies_24h"), Some(1.5));
    let html = render(&report, Format::Html).unwrap();
    assert!(html.contains("launch is out!"), "{html}");
    let csv = render(&report, Format::Csv).unwrap();
    assert!(
        csv.contains("publications.reach.launch.reactions,1,2026-11-22T09:00:00Z,2,,\n"),
        "{csv}"
    );
    let text = render(&report, Format::Text).unwrap();
    assert!(text.contains("irc-news"), "{text}");

    // No post: no section.
    let quiet = run(&events, &[], &opts);
    assert!(quiet.publications.is_empty());
    assert!(!render(&quiet, Format::Text).unwrap().contains("irc-news"));
    assert!(!render(&quiet, Format::Html).unwrap().contains("Each post"));
}

fn ms(at: &str) -> i64 {
    let t =
        time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).unwrap();
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

fn contest(
    kind: crate::contests::Kind,
    id: u64,
    started: &str,
    deadline: &str,
    ended: Option<&str>,
    count: u64,
) -> crate::contests::Contest {
    use crate::contests::{Contest, Outcome, Scope, Status, Verification};
    let (outcome, verification) = match kind {
        crate::contests::Kind::Giveaway => (
            Outcome::Giveaway {
                winners_wanted: 1,
                winners: if ended.is_some() {
                    vec![("dora".into(), "Dora".into())]
                } else {
                    vec![]
                },
                rerolls: 0,
                total_weight: count,
            },
            Verification::Draw {
                commitment: "c".into(),
                seed: None,
                entries_hash: None,
                picks: 1,
            },
        ),
        crate::contests::Kind::Poll => (
            Outcome::Poll {
                answers: vec!["Yes".into(), "No".into()],
                counts: ended.map(|_| vec![3, 1]),
                multi: 1,
                anonymous: false,
            },
            Verification::Tally { ballots_hash: None },
        ),
    };
    Contest {
        scope: Scope {
            community: "acme".into(),
            entry: kind.name().into(),
            kind,
        },
        id,
        title: format!("{} {id}", kind.name()),
        channel: "general".into(),
        status: if ended.is_some() {
            Status::Ended
        } else {
            Status::Running
        },
        started_ms: ms(started),
        deadline_ms: ms(deadline),
        ended_ms: ended.map(ms),
        count,
        outcome,
        verification,
    }
}

#[test]
fn contests_count_their_entries_new_members_and_results() {
    use crate::contests::Kind;
    let events = vec![
        // An old member, active before and during the contest: not new.
        message("m0", "bob", "2026-11-20T08:00:00Z", "hi"),
        message("m1", "bob", "2026-11-22T10:00:00Z", "entering"),
        // New during the giveaway: a join, and a first message.
        event("j1", EventKind::Join, "cleo", "2026-11-22T11:00:00Z"),
        message("m2", "dora", "2026-11-22T12:00:00Z", "first time here"),
        // After the giveaway closed, during the poll.
        event("j2", EventKind::Join, "eve", "2026-11-22T20:00:00Z"),
        // Staff are never new members.
        event("j3", EventKind::Join, "staff-1", "2026-11-22T12:30:00Z"),
        // The next day: outside the period and every window.
        event("j4", EventKind::Join, "finn", "2026-11-23T12:00:00Z"),
    ];
    let contests = vec![
        // Drawn early (ended before its deadline): its window ends then.
        contest(
            Kind::Giveaway,
            1,
            "2026-11-22T09:00:00Z",
            "2026-11-22T18:00:00Z",
            Some("2026-11-22T15:00:00Z"),
            42,
        ),
        // Open from the evening into the next day, still running.
        contest(
            Kind::Poll,
            1,
            "2026-11-22T19:00:00Z",
            "2026-11-23T19:00:00Z",
            None,
            7,
        ),
        // Closed the day before: not the period's.
        contest(
            Kind::Poll,
            2,
            "2026-11-21T09:00:00Z",
            "2026-11-21T18:00:00Z",
            Some("2026-11-21T18:00:00Z"),
            4,
        ),
    ];
    let opts = options(Period::day("2026-11-22", &TimeZone::UTC).unwrap());
    let logs = Logs {
        events: &events,
        actions: &[],
        audit: &[],
        review: &[],
        shadow: &[],
        contests: &contests,
    };
    let report = compute(&logs, &opts).unwrap();
    let rows: Vec<(Kind, u64, u64, u64, &str)> = report
        .contests
        .iter()
        .map(|c| (c.kind, c.id, c.entries, c.new_members, c.closed_at.as_str()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (Kind::Giveaway, 1, 42, 2, "2026-11-22T15:00:00Z"),
            // eve in the period, finn the next day: both in its window.
            (Kind::Poll, 1, 7, 2, "2026-11-23T19:00:00Z"),
        ]
    );
    assert_eq!(report.contests[0].winners, vec!["DORA".to_string()]);
    assert!(report.contests[1].results.is_empty(), "running: no result");
    assert_eq!(value(&report, "contests.run"), Some(2.0));
    assert_eq!(value(&report, "contests.entries"), Some(49.0));
    // cleo, dora and eve; finn joined after the period.
    assert_eq!(value(&report, "contests.new_members"), Some(3.0));

    // The day before: only the ended poll, with its result.
    let before = options(Period::day("2026-11-21", &TimeZone::UTC).unwrap());
    let report = compute(&logs, &before).unwrap();
    assert_eq!(report.contests.len(), 1);
    let results: Vec<(&str, u64)> = report.contests[0]
        .results
        .iter()
        .map(|r| (r.answer.as_str(), r.ballots))
        .collect();
    assert_eq!(results, vec![("Yes", 3), ("No", 1)]);
    let text = render(&report, Format::Text).unwrap();
    assert!(text.contains("poll 2 → Yes 3 · No 1"), "{text}");
    let csv = render(&report, Format::Csv).unwrap();
    assert!(
        csv.contains("contests.table.acme/poll#2.ballots.1,1,2026-11-21T09:00:00Z,3,,\n"),
        "{csv}"
    );
    let html = render(&report, Format::Html).unwrap();
    assert!(html.contains("Yes 3 · No 1"), "{html}");

    // A pseudonymised report names no winner.
    let mut hidden = options(Period::day("2026-11-22", &TimeZone::UTC).unwrap());
    hidden.pseudonym_key = Some(b"k".to_vec());
    let report = compute(&logs, &hidden).unwrap();
    assert_eq!(report.contests[0].winners, vec![pseudonym(b"k", "dora")]);

    // No contest: no section.
    let quiet = run(&events, &[], &opts);
    assert!(quiet.contests.is_empty());
    assert!(!render(&quiet, Format::Text)
        .unwrap()
        .contains("CONTESTS AND POLLS"));
}
