//! `vigie report`: a known day of a community — joins, a departure,
//! questions answered by staff, by the FAQ plugin and by a member or not
//! at all, deletions and a timeout of a repeat offender, a flag rejected in
//! review, reactions, sentiment labels and a bad-buzz alert — committed to
//! a real sled store as the host commits it; every figure is asserted
//! exactly, through the library and through the `vigie` binary in each
//! format.

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use vigie::action::{Action, PluginRef, Severity};
use vigie::event::{Author, Event, EventKind};
use vigie::reports::{self, Lang, Period, ReportOptions};
use vigie::store::{
    AuditRecord, Commit, OutboxEntry, ReviewDecision, ReviewItem, ShadowRecord, Verdict,
};
use vigie::{DecidedAction, SledStore, Store};

fn ms(at: &str) -> i64 {
    time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp()
        * 1000
}

/// An event of community `acme` (or the one given) in `channel`; authors
/// whose id starts with `staff` are staff.
fn event(id: &str, kind: EventKind, author: &str, channel: &str, at: &str, text: &str) -> Event {
    let mut name = author.to_string();
    name[..1].make_ascii_uppercase();
    Event {
        id: id.into(),
        kind,
        platform: "test".into(),
        community: "acme".into(),
        channel: channel.into(),
        author: Author {
            id: author.into(),
            name,
            roles: vec![],
            account_age_days: Some(30),
            is_staff: author.starts_with("staff"),
        },
        text: text.into(),
        reply_to: None,
        reaction: None,
        target_message: None,
        timestamp: time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
            .unwrap(),
        labels: vec![],
    }
}

fn msg(id: &str, author: &str, channel: &str, at: &str, text: &str) -> Event {
    event(id, EventKind::Message, author, channel, at, text)
}

fn reply(id: &str, author: &str, channel: &str, at: &str, text: &str, to: &str) -> Event {
    let mut e = msg(id, author, channel, at, text);
    e.reply_to = Some(to.into());
    e
}

fn reaction(id: &str, author: &str, at: &str, to: &str) -> Event {
    let mut e = event(id, EventKind::Reaction, author, "general", at, "");
    e.reaction = Some("👍".into());
    e.target_message = Some(to.into());
    e
}

fn by(plugin: &str, event_id: &str, channel: &str, action: Action) -> DecidedAction {
    DecidedAction {
        event_id: Some(event_id.into()),
        tick_ms: None,
        community: "acme".into(),
        channel: channel.into(),
        by: PluginRef {
            plugin: plugin.into(),
            plugin_version: "1.0.0".into(),
            plugin_hash: "00".into(),
        },
        action,
    }
}

fn sentiment(event_id: &str, value: f64) -> DecidedAction {
    by(
        "sentiment",
        event_id,
        "general",
        Action::Label {
            key: "sentiment".into(),
            value,
            note: None,
            reason: "fr".into(),
        },
    )
}

fn outbox(action: &DecidedAction, index: usize) -> OutboxEntry {
    let origin = action.event_id.clone().unwrap_or_default();
    OutboxEntry {
        key: OutboxEntry::key_for(&action.community, &origin, &action.by.plugin, index),
        connector: "demo".into(),
        action: action.clone(),
        evidence: None,
        target_user: None,
        attempts: 0,
        decided_at_ms: 0,
        approved_by: None,
    }
}

/// The known log, committed to a store in `data_dir/store`.
///
/// Sunday 2026-11-22 (the previous day): Ana, Bob and Fay write once each.
/// Monday 2026-11-23 in `acme`:
/// - Cleo and Dan join; Eve leaves at 11:00.
/// - Questions: q1 (Cleo, #help) answered by staff Sam after 600 s; q2
///   (Dan) answered by the FAQ plugin, executed 3 s later; q3 (Ana)
///   answered by member Bob after 300 s; q4 (Cleo) never answered (her
///   own reply to it, asking again, is no answer); q5
///   (Ana, no question mark) flagged by the FAQ plugin, never answered.
/// - The troll's two insults are deleted and he is timed out twice (the
///   second timeout held for review, approved); Eve's spam link is flagged,
///   the flag rejected in review; the FAQ flag waits in the queue.
/// - Three reactions; seven sentiment labels; one bad-buzz alert, and an
///   unrelated alert of the schedule plugin.
/// - A shadow automod would have deleted x1 too.
///
/// And one message of another community, `other`.
///
/// The veille, in `acme` on Monday: three web mentions from the feed
/// connector, matched by the watch plugin's topics — m1 `acme` (positive),
/// m2 `acme` and `globex` (negative, with a watch alert), m3 `globex`
/// (no sentiment) — which stay out of every chat figure.
fn build_log(data_dir: &Path) {
    let store = SledStore::open(&data_dir.join("store")).unwrap();
    let mut events = vec![
        msg("p1", "ana", "general", "2026-11-22T10:00:00Z", "Bonjour"),
        msg("p2", "bob", "general", "2026-11-22T10:30:00Z", "Hello"),
        msg("p3", "fay", "general", "2026-11-22T11:00:00Z", "Salut"),
        event(
            "j1",
            EventKind::Join,
            "cleo",
            "general",
            "2026-11-23T09:00:00Z",
            "",
        ),
        event(
            "j2",
            EventKind::Join,
            "dan",
            "general",
            "2026-11-23T09:01:00Z",
            "",
        ),
        msg(
            "q1",
            "cleo",
            "help",
            "2026-11-23T09:02:00Z",
            "Où est ma commande ?",
        ),
        reply(
            "a1",
            "staff-sam",
            "help",
            "2026-11-23T09:12:00Z",
            "Elle arrive demain",
            "q1",
        ),
        msg(
            "q2",
            "dan",
            "help",
            "2026-11-23T09:20:00Z",
            "What are your opening hours?",
        ),
        msg(
            "q3",
            "ana",
            "general",
            "2026-11-23T09:30:00Z",
            "Anyone tried the new blend?",
        ),
        reply(
            "b1",
            "bob",
            "general",
            "2026-11-23T09:35:00Z",
            "Yes, great",
            "q3",
        ),
        msg(
            "q4",
            "cleo",
            "help",
            "2026-11-23T10:00:00Z",
            "Can I pay by cheque?",
        ),
        // Asking again is not an answer.
        reply(
            "q4b",
            "cleo",
            "help",
            "2026-11-23T10:15:00Z",
            "anyone",
            "q4",
        ),
        msg(
            "q5",
            "ana",
            "help",
            "2026-11-23T10:05:00Z",
            "livraison en Belgique",
        ),
        msg(
            "x1",
            "troll",
            "general",
            "2026-11-23T10:10:00Z",
            "insult one",
        ),
        msg(
            "x2",
            "troll",
            "general",
            "2026-11-23T10:11:00Z",
            "insult two",
        ),
        msg(
            "x3",
            "eve",
            "general",
            "2026-11-23T10:20:00Z",
            "cheap beans https://spam.example/?x=1",
        ),
        reaction("r1", "ana", "2026-11-23T10:30:00Z", "b1"),
        reaction("r2", "cleo", "2026-11-23T10:31:00Z", "a1"),
        reaction("r3", "dan", "2026-11-23T10:32:00Z", "b1"),
        msg(
            "s1",
            "staff-sam",
            "general",
            "2026-11-23T10:40:00Z",
            "Merci à tous",
        ),
        event(
            "l1",
            EventKind::Leave,
            "eve",
            "general",
            "2026-11-23T11:00:00Z",
            "",
        ),
    ];
    let mut other = msg("o1", "zed", "general", "2026-11-23T09:00:00Z", "Hi? ");
    other.community = "other".into();
    events.push(other);

    let faq_reply = by(
        "faq",
        "q2",
        "help",
        Action::Reply {
            to_message: "q2".into(),
            text: "9:00–18:00".into(),
            reason: "faq: opening_hours (score 0.91)".into(),
        },
    );
    let faq_flag = by(
        "faq",
        "q5",
        "help",
        Action::Flag {
            message_id: "q5".into(),
            reason: "faq: question about the brand that the FAQ cannot answer".into(),
        },
    );
    let bad_words =
        |event: &str, what: &str| format!("automod rule \"bad-words\": {what} in {event}");
    let held_timeout = by(
        "automod",
        "x2",
        "general",
        Action::Timeout {
            user_id: "troll".into(),
            duration_s: 600,
            reason: bad_words("x2", "strike 2"),
        },
    );
    let spam_flag = by(
        "automod",
        "x3",
        "general",
        Action::Flag {
            message_id: "x3".into(),
            reason: "automod rule \"links\": link from a new account".into(),
        },
    );
    let delete = |id: &str| {
        by(
            "automod",
            id,
            "general",
            Action::Delete {
                message_id: id.into(),
                reason: bad_words(id, "word"),
            },
        )
    };
    let mut schedule_alert = by(
        "schedule",
        "x1",
        "general",
        Action::Alert {
            severity: Severity::Warning,
            message: "A post was missed".into(),
            reason: "schedule: missed occurrence".into(),
        },
    );
    schedule_alert.event_id = None;
    schedule_alert.tick_ms = Some(ms("2026-11-23T12:00:00Z"));
    let actions = vec![
        faq_reply.clone(),
        faq_flag.clone(),
        delete("x1"),
        by(
            "automod",
            "x1",
            "general",
            Action::Timeout {
                user_id: "troll".into(),
                duration_s: 300,
                reason: bad_words("x1", "strike 1"),
            },
        ),
        delete("x2"),
        held_timeout.clone(),
        spam_flag.clone(),
        by(
            "sentiment",
            "x2",
            "general",
            Action::Alert {
                severity: Severity::Critical,
                message: "Bad buzz: 3 of 4 messages negative".into(),
                reason: "bad buzz".into(),
            },
        ),
        schedule_alert,
        sentiment("q1", -0.6),
        sentiment("q2", 0.0),
        sentiment("q3", 0.4),
        sentiment("b1", 0.8),
        sentiment("q4", -0.4),
        sentiment("x1", -0.9),
        sentiment("x2", -0.8),
    ];
    let review_item = |action: &DecidedAction, held: bool, at: &str| ReviewItem {
        entry: outbox(action, 0),
        held,
        queued_at_ms: ms(at),
        decision: None,
        alerted_at_ms: None,
    };
    let shadow = ShadowRecord {
        event_id: "x1".into(),
        community: "acme".into(),
        plugin: "automod-next".into(),
        replaces: Some("automod".into()),
        actions: vec![delete("x1"), sentiment("x1", 0.0)],
        live_actions: vec![],
    };
    store
        .commit(Commit {
            handled: events,
            actions,
            outbox: vec![outbox(&faq_reply, 0)],
            shadow: vec![shadow],
            review: vec![
                review_item(&held_timeout, true, "2026-11-23T10:11:00Z"),
                review_item(&spam_flag, false, "2026-11-23T10:20:00Z"),
                review_item(&faq_flag, false, "2026-11-23T10:05:00Z"),
            ],
            ..Commit::default()
        })
        .unwrap();
    // The FAQ reply reaches the platform 3 s after the question.
    let (key, entry) = store.outbox("demo").unwrap().pop().unwrap();
    store
        .complete(
            &key,
            AuditRecord {
                executed_at_ms: ms("2026-11-23T09:20:03Z"),
                key: entry.key.clone(),
                connector: "demo".into(),
                target_user: Some("dan".into()),
                action: entry.action,
                platform_reply: "$event1".into(),
                sent_message_id: Some("$event1".into()),
                evidence: None,
                attempts: 1,
                decided_by: None,
            },
            None,
        )
        .unwrap();
    let decide = |action: &DecidedAction, verdict: Verdict, at: &str| {
        store
            .decide(
                &outbox(action, 0).key,
                ReviewDecision {
                    by: "mod".into(),
                    at_ms: ms(at),
                    verdict,
                    note: None,
                },
            )
            .unwrap();
    };
    decide(&held_timeout, Verdict::Approved, "2026-11-23T10:50:00Z");
    decide(&spam_flag, Verdict::Rejected, "2026-11-23T10:55:00Z");

    let web = |id: &str, at: &str, text: &str| {
        let mut e = event(id, EventKind::Mention, "blog", "press", at, text);
        e.platform = "feed".into();
        e
    };
    let topic = |id: &str, topic: &str| {
        by(
            "watch",
            id,
            "press",
            Action::Label {
                key: "watch.topic".into(),
                value: 0.0,
                note: Some(topic.into()),
                reason: format!("watch: topic {topic}"),
            },
        )
    };
    store
        .commit(Commit {
            handled: vec![
                web("w1", "2026-11-23T08:00:00Z", "Acme beans are great?"),
                web("w2", "2026-11-23T09:30:00Z", "Acme or Globex? Both awful"),
                web("w3", "2026-11-23T12:00:00Z", "Globex opens a shop"),
            ],
            actions: vec![
                sentiment("w1", 0.7),
                topic("w1", "acme"),
                sentiment("w2", -0.6),
                topic("w2", "acme"),
                topic("w2", "globex"),
                by(
                    "watch",
                    "w2",
                    "staff",
                    Action::Alert {
                        severity: Severity::Warning,
                        message: "Négatif : Acme or Globex? Both awful".into(),
                        reason: "watch: negative mention from important source blog".into(),
                    },
                ),
                topic("w3", "globex"),
            ],
            ..Commit::default()
        })
        .unwrap();
    store.flush().unwrap();
}

fn figure(report: &Value, id: &str) -> Value {
    report["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no figure {id}"))
        .clone()
}

/// Every figure of the known Monday, exactly.
fn assert_monday(report: &Value) {
    let value = |id: &str| figure(report, id)["value"].clone();
    let num = |id: &str| {
        value(id)
            .as_f64()
            .unwrap_or_else(|| panic!("{id} has no value: {report}"))
    };
    // Ratios: exact in the library, to the last bit or so through JSON
    // text (serde_json's float parsing is not an exact round trip).
    let ratio = |id: &str, expected: f64| {
        let got = num(id);
        assert!((got - expected).abs() < 1e-12, "{id}: {got} ≠ {expected}");
    };
    // Activity: q1 a1 q2 q3 b1 q4 q4b q5 x1 x2 x3 s1.
    assert_eq!(num("activity.messages"), 12.0);
    // Cleo, Dan, Ana, Bob, the troll, Eve (Sam is staff).
    assert_eq!(num("activity.active_members"), 6.0);
    // Cleo and Dan joined; the troll and Eve wrote their first message.
    assert_eq!(num("activity.new_members"), 4.0);
    assert_eq!(num("activity.departures"), 1.0);
    // Engagement.
    ratio("engagement.reactions_per_message", 3.0 / 12.0);
    ratio("engagement.replies_per_message", 3.0 / 12.0);
    // Fay was there before and did nothing: 6 active of 7 members.
    ratio("engagement.active_share", 6.0 / 7.0);
    let ranked = |key: &str| -> Vec<(String, u64)> {
        let rows = if key.contains('.') {
            let (a, b) = key.split_once('.').unwrap();
            report[a][b].clone()
        } else {
            report[key].clone()
        };
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["name"].as_str().unwrap().to_string(),
                    r["count"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let pairs = |p: &[(&str, u64)]| -> Vec<(String, u64)> {
        p.iter().map(|(n, c)| (n.to_string(), *c)).collect()
    };
    assert_eq!(
        ranked("top_channels"),
        pairs(&[("general", 6), ("help", 6)])
    );
    assert_eq!(
        ranked("top_contributors"),
        pairs(&[
            ("Cleo", 3),
            ("Ana", 2),
            ("Troll", 2),
            ("Bob", 1),
            ("Dan", 1)
        ])
    );
    // Responsiveness.
    assert_eq!(num("responsiveness.questions"), 5.0);
    assert_eq!(num("responsiveness.answered_by_staff"), 1.0);
    assert_eq!(num("responsiveness.answered_by_faq"), 1.0);
    assert_eq!(num("responsiveness.answered_by_members"), 1.0);
    assert_eq!(num("responsiveness.unanswered"), 2.0);
    // Waits 3 s (FAQ), 300 s (Bob), 600 s (Sam).
    assert_eq!(num("responsiveness.first_answer_median"), 300.0);
    assert_eq!(num("responsiveness.first_answer_p90"), 600.0);
    assert_eq!(num("responsiveness.staff_answer_median"), 600.0);
    ratio("responsiveness.deflection", 0.2);
    let unanswered: Vec<&str> = report["questions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["answer"].is_null())
        .map(|q| q["event_id"].as_str().unwrap())
        .collect();
    assert_eq!(unanswered, ["q4", "q5"]);
    let faq = report["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["event_id"] == "q2")
        .unwrap();
    assert_eq!(faq["answer"]["by"], "faq");
    assert_eq!(faq["answer"]["wait_s"], 3.0);
    // Moderation: 2 deletes, 2 timeouts, 2 flags (automod's and the FAQ's).
    assert_eq!(num("moderation.actions"), 6.0);
    assert_eq!(
        ranked("moderation.by_kind"),
        pairs(&[("delete", 2), ("flag", 2), ("timeout", 2)])
    );
    assert_eq!(
        ranked("moderation.by_rule"),
        pairs(&[
            ("automod · automod rule \"bad-words\"", 4),
            ("automod · automod rule \"links\"", 1),
            ("faq · faq", 1),
        ])
    );
    assert_eq!(num("moderation.repeat_offenders"), 1.0);
    assert_eq!(
        ranked("moderation.repeat_offenders"),
        pairs(&[("Troll", 4)])
    );
    assert_eq!(num("moderation.reviews_decided"), 2.0);
    assert_eq!(num("moderation.overturn_rate"), 0.5);
    let review = &report["moderation"]["review"];
    assert_eq!(
        (
            review["approved"].as_u64(),
            review["rejected"].as_u64(),
            review["pending"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(num("moderation.shadow_actions"), 1.0);
    // Mood: −0.6, 0.0, 0.4, 0.8, −0.4, −0.9, −0.8.
    ratio("mood.mean", -1.5 / 7.0);
    ratio("mood.negative_share", 4.0 / 7.0);
    assert_eq!(num("mood.alerts"), 1.0);
    assert_eq!(report["alerts"][0]["at"], "2026-11-23T10:11:00Z");
    // Every figure is defined.
    for f in report["figures"].as_array().unwrap() {
        let id = f["id"].as_str().unwrap();
        let def = report["definitions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap_or_else(|| panic!("{id} undefined"));
        assert_eq!(def["version"], f["version"]);
    }
}

#[test]
fn a_known_day_gives_every_figure_exactly() {
    let dir = tempfile::tempdir().unwrap();
    build_log(dir.path());
    let store = SledStore::open(&dir.path().join("store")).unwrap();
    let owned = reports::OwnedLogs::read(&store).unwrap();
    let logs = owned.logs();
    let utc = reports::time_zone(None).unwrap();
    let options = |period: Period, community: Option<&str>| ReportOptions {
        period,
        time_zone: utc.clone(),
        time_zone_name: "UTC".into(),
        community: community.map(str::to_string),
        lang: Lang::En,
        compare_previous: true,
        pseudonym_key: None,
    };
    let monday = Period::day("2026-11-23", &utc).unwrap();
    let report = reports::compute(&logs, &options(monday.clone(), Some("acme"))).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_monday(&json);
    // The previous day beside it: Ana, Bob and Fay wrote once each.
    let messages = report.figure("activity.messages").unwrap();
    assert_eq!((messages.previous, messages.change), (Some(3.0), Some(9.0)));
    let active = report.figure("activity.active_members").unwrap();
    assert_eq!((active.previous, active.change), (Some(3.0), Some(3.0)));
    // The heatmap: Monday, 9 h and 10 h UTC.
    assert_eq!(report.heatmap[0][9], 5);
    assert_eq!(report.heatmap[0][10], 7);
    assert_eq!(report.heatmap.iter().flatten().sum::<u64>(), 12);
    // The veille: the three web mentions, none of them in the figures
    // above (w1's question mark asks nothing of the community).
    let value = |id: &str| report.figure(id).unwrap().value;
    assert_eq!(value("veille.mentions"), Some(3.0));
    assert_eq!(value("veille.negative_share"), Some(0.5));
    assert_eq!(value("veille.alerts"), Some(1.0));
    let voices: Vec<_> = report
        .share_of_voice
        .iter()
        .map(|v| {
            (
                v.topic.as_str(),
                v.mentions,
                v.share,
                v.positive,
                v.negative,
            )
        })
        .collect();
    assert_eq!(
        voices,
        vec![("acme", 2, Some(0.5), 1, 1), ("globex", 2, Some(0.5), 0, 1)]
    );
    assert_eq!(report.share_of_voice[0].previous_mentions, Some(0));

    // All communities: `other`'s one message and its question count too.
    let all = reports::compute(&logs, &options(monday, None)).unwrap();
    assert_eq!(all.figure("activity.messages").unwrap().value, Some(13.0));
    assert_eq!(
        all.figure("responsiveness.questions").unwrap().value,
        Some(6.0)
    );

    // A week in Paris: seven days, Monday's messages an hour later.
    let paris = reports::time_zone(Some("Europe/Paris")).unwrap();
    let mut week = options(Period::iso_week("2026-W48", &paris).unwrap(), Some("acme"));
    week.time_zone = paris;
    let report = reports::compute(&logs, &week).unwrap();
    assert_eq!(report.days.len(), 7);
    assert_eq!(report.days[0].date, "2026-11-23");
    assert_eq!(report.days[0].messages, 12);
    assert_eq!(report.days[0].alerts, 1);
    assert_eq!(report.days[0].new_members, 4);
    assert_eq!(report.heatmap[0][10], 5);
    assert_eq!(report.heatmap[0][11], 7);
}

/// `vigie ARGS`: (success, stdout, stderr).
fn vigie(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(args)
        .env("LANG", "C")
        .output()
        .expect("run vigie");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn vigie_report_writes_json_csv_text_and_one_self_contained_html_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    build_log(&data);
    let data = data.to_str().unwrap();
    let base = [
        "report",
        "--data-dir",
        data,
        "--community",
        "acme",
        "--day",
        "2026-11-23",
    ];
    let with =
        |more: &[&str]| -> Vec<String> { base.iter().chain(more).map(|s| s.to_string()).collect() };
    let run = |more: &[&str]| {
        let args = with(more);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, out, err) = vigie(&args);
        assert!(ok, "{args:?}: {err}");
        out
    };

    // JSON: the same figures as the library's.
    let json: Value = serde_json::from_str(&run(&["--format", "json", "--compare", "previous"]))
        .expect("the JSON report parses");
    assert_monday(&json);
    assert_eq!(figure(&json, "activity.messages")["previous"], 3.0);

    // CSV: the header, then six columns on every row, and the figures.
    let csv = run(&["--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("kpi,version,scope,value,previous,change")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.iter().all(|r| r.len() == 6), "{csv}");
    let period = "2026-11-23T00:00:00Z/2026-11-24T00:00:00Z";
    assert!(
        rows.contains(&vec!["activity.messages", "1", period, "12", "", ""]),
        "{csv}"
    );
    assert!(rows.contains(&vec![
        "responsiveness.first_answer_median",
        "1",
        period,
        "300",
        "",
        ""
    ]));
    assert!(rows.contains(&vec!["activity.messages", "1", "2026-11-23", "12", "", ""]));
    assert!(rows.contains(&vec!["mood.alerts", "1", "2026-11-23", "1", "", ""]));

    // HTML, in French: one file, charts inline, nothing fetched.
    let html_path = dir.path().join("report.html");
    let out = run(&["--lang", "fr", "-o", html_path.to_str().unwrap()]);
    assert!(out.is_empty(), "-o writes the file, not stdout: {out}");
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    // One day is drawn hour by hour: messages, the heatmap, the mood with
    // its alert at 10 h.
    assert_eq!(html.matches("<svg").count(), 4, "{html}");
    assert!(html.contains("Part de voix") && html.contains("globex"));
    assert!(html.contains("Messages par heure"));
    for fetched in [
        "src=", "href=", "<link", "<script", "<img", "url(", "@import", "xlink",
    ] {
        assert!(
            !html.contains(fetched),
            "the report must fetch nothing: found {fetched}"
        );
    }
    // Not even a namespace URL: inline SVG in HTML needs none.
    assert_eq!(html.matches("http").count(), 0);
    assert!(html.contains("activity.messages v1"));
    assert!(
        html.contains("Can I pay by cheque?"),
        "unanswered questions are listed"
    );
    assert!(
        html.contains("class=\"alert\""),
        "the alert is marked on the mood chart"
    );

    // A week, day by day: four daily bar charts, the heatmap and the mood.
    let week = dir.path().join("week.html");
    let args = [
        "report",
        "--data-dir",
        data,
        "--week",
        "2026-W48",
        "-o",
        week.to_str().unwrap(),
    ];
    let (ok, _, err) = vigie(&args);
    assert!(ok, "{err}");
    let html = std::fs::read_to_string(&week).unwrap();
    // And the share of voice.
    assert_eq!(html.matches("<svg").count(), 7);
    // The last day labels the x axis (plotters writes a text's content on
    // its own line).
    assert!(html.contains("Messages by day") && html.contains(">\n11-29\n</text>"));

    // Text, pseudonymised: no name left.
    std::fs::write(Path::new(data).join("secret.key"), [7u8; 32]).unwrap();
    let text = run(&["--format", "text", "--pseudonymise"]);
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("Messages ") && l.contains(" 12 ")),
        "{text}"
    );
    assert!(text.contains("member-"), "{text}");
    assert!(
        text.contains("Busiest hours: Mon 10h (7), Mon 9h (5)"),
        "{text}"
    );
    for name in ["Ana", "Cleo", "Troll"] {
        assert!(!text.contains(name), "{name} in {text}");
    }
}

#[test]
fn vigie_report_explains_bad_periods_unknown_communities_and_empty_logs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    build_log(&data);
    let data = data.to_str().unwrap();
    let fails = |args: &[&str], expected: &str| {
        let mut all = vec!["report", "--data-dir", data];
        all.extend_from_slice(args);
        let (ok, _, err) = vigie(&all);
        assert!(!ok, "{args:?} should fail");
        assert!(err.contains(expected), "{args:?}: {err}");
    };
    fails(&["--day", "2026-13-01"], "--day \"2026-13-01\"");
    fails(&["--week", "2026-48"], "ISO week");
    fails(&["--month", "11/2026"], "--month");
    fails(&["--tz", "Europe/Atlantis"], "--tz");
    fails(&["--community", "nope"], "no event of community `nope`");
    fails(
        &["--day", "2026-11-23", "--month", "2026-11"],
        "cannot be used with",
    );

    // A period with nothing in it is a report of zeros, with a note.
    let (ok, out, err) = vigie(&[
        "report",
        "--data-dir",
        data,
        "--day",
        "2026-12-25",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    assert!(
        err.contains("no event in this period; the log runs from 2026-11-22T10:00:00Z"),
        "{err}"
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(figure(&report, "activity.messages")["value"], 0.0);
    assert!(figure(&report, "engagement.replies_per_message")["value"].is_null());

    let empty = dir.path().join("empty");
    SledStore::open(&empty.join("store")).unwrap();
    let (ok, _, err) = vigie(&["report", "--data-dir", empty.to_str().unwrap()]);
    assert!(!ok && err.contains("empty"), "{err}");
    let (ok, _, err) = vigie(&[
        "report",
        "--data-dir",
        dir.path().join("none").to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("holds no store"), "{err}");
}

/// While `vigie run` holds the store, `vigie report` reads the logs through
/// the host's control socket, as `vigie audit` does.
#[test]
fn vigie_report_reads_through_a_running_host() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("vigie.toml");
    std::fs::write(
        &config,
        r#"data_dir = "data"
[plugins.kf]
component = "builtin:keyword-filter"
grants = ["delete", "dm"]
config = { keywords = ["spam"] }
[[communities]]
id = "acme"
chain = ["kf"]
"#,
    )
    .unwrap();
    let line = |id: &str, text: &str, minute: u32| {
        serde_json::to_string(&msg(
            id,
            "bob",
            "general",
            &format!("2026-11-23T10:{minute:02}:00Z"),
            text,
        ))
        .unwrap()
    };
    let events = dir.path().join("events.jsonl");
    let lines = [
        line("e1", "hello", 1),
        line("e2", "buy spam", 2),
        line("e3", "where is it?", 3),
    ];
    std::fs::write(&events, lines.join("\n") + "\n").unwrap();
    let mut host = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["run", "--follow", "--no-watch", "-c"])
        .arg(&config)
        .arg("--events")
        .arg(&events)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let report = loop {
        let (ok, out, err) = vigie(&["report", "--data-dir", data, "--format", "json"]);
        let report: Option<Value> = ok.then(|| serde_json::from_str(&out).unwrap());
        if let Some(r) = report.filter(|r| figure(r, "activity.messages")["value"] == 3.0) {
            break r;
        }
        assert!(
            Instant::now() < deadline,
            "no report of the running host: {err}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(
        Path::new(data).join("vigie.sock").exists(),
        "the host still runs and serves its socket"
    );
    assert_eq!(figure(&report, "moderation.actions")["value"], 1.0);
    assert_eq!(figure(&report, "responsiveness.questions")["value"], 1.0);
    let _ = Command::new("kill")
        .args(["-TERM", &host.id().to_string()])
        .status();
    assert!(host.wait().unwrap().success());
}

/// The demo's day, as the README tells it: `vigie run` on a copy of
/// `examples/demo`, then `vigie report`.
#[test]
fn the_demo_day_reads_as_the_readme_says() {
    let demo = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/demo"));
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "events.jsonl",
        "faq.toml",
        "sentiment.toml",
        "feed-forum.xml",
        "feed-blog.atom",
        "feed-news.json",
    ] {
        std::fs::copy(demo.join(name), dir.path().join(name)).unwrap();
    }
    let config = std::fs::read_to_string(demo.join("vigie.toml")).unwrap();
    let config = config.replace(
        r#"data_dir = "../../target/demo-data""#,
        r#"data_dir = "data""#,
    );
    // No console: another test or a demo may hold its port.
    let config = config.replace("[console]\nlisten = \"127.0.0.1:8080\"", "");
    assert!(!config.contains("[console]"), "the demo's console moved");
    let config_path = dir.path().join("vigie.toml");
    std::fs::write(&config_path, config).unwrap();
    let config_path = config_path.to_str().unwrap();
    let (ok, _, err) = vigie(&["run", "--no-watch", "-c", config_path]);
    assert!(ok, "{err}");
    let (ok, out, err) = vigie(&["report", "-c", config_path, "--format", "json"]);
    assert!(ok, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let value = |id: &str| figure(&report, id)["value"].as_f64();
    for (id, expected) in [
        ("activity.messages", 110.0),
        ("activity.active_members", 22.0),
        ("responsiveness.questions", 33.0),
        ("responsiveness.answered_by_faq", 24.0),
        ("responsiveness.answered_by_staff", 2.0),
        ("responsiveness.answered_by_members", 1.0),
        ("responsiveness.unanswered", 6.0),
        ("moderation.actions", 13.0),
        ("moderation.repeat_offenders", 2.0),
        ("mood.alerts", 2.0),
    ] {
        assert_eq!(value(id), Some(expected), "{id}");
    }
}

/// The week's HTML report in a real browser (Debian's chromium through
/// chromedriver): every chart is laid out with its size, the bars and the
/// mood line are drawn, and the page fetched nothing.
#[test]
fn report_charts_render_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    build_log(&data);
    let page = dir.path().join("week.html");
    let (ok, _, err) = vigie(&[
        "report",
        "--data-dir",
        data.to_str().unwrap(),
        "--community",
        "acme",
        "--week",
        "2026-W48",
        "--lang",
        "en",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let driver = crate::console::start_driver();
    let profile = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let charts: Result<Value, String> = rt.block_on(async {
        let browser = crate::console::open_browser(&driver, profile.path()).await?;
        let result = async {
            browser
                .goto(&format!("file://{}", page.display()))
                .await
                .map_err(|e| e.to_string())?;
            let charts = browser
                .execute(
                    r#"return [...document.querySelectorAll('svg.chart')].map(svg => {
                        const box = svg.getBoundingClientRect();
                        const drawn = [...svg.querySelectorAll('rect, polyline, circle, path')]
                            .map(e => e.getBoundingClientRect())
                            .filter(r => r.width > 0.5 && r.height > 0.5).length;
                        return { title: svg.querySelector('title').textContent,
                                 width: box.width, height: box.height, drawn };
                    });"#,
                    vec![],
                )
                .await
                .map_err(|e| e.to_string())?;
            let fetched = browser
                .execute(
                    "return performance.getEntriesByType('resource').length;",
                    vec![],
                )
                .await
                .map_err(|e| e.to_string())?;
            if fetched != serde_json::json!(0) {
                return Err(format!("the report fetched {fetched} resources"));
            }
            Ok(charts)
        }
        .await;
        if let Ok(png) = browser.screenshot().await {
            let _ = std::fs::write(crate::console::screenshot_path("report-week.png"), png);
        }
        let _ = browser.close().await;
        result
    });
    let charts = charts.unwrap_or_else(|e| panic!("{e}"));
    let charts = charts.as_array().expect("a list of charts");
    // Four daily series, the heatmap, the mood line, the share of voice.
    assert_eq!(charts.len(), 7, "{charts:?}");
    for chart in charts {
        let size = |k: &str| chart[k].as_f64().unwrap_or(0.0);
        assert!(
            size("width") > 300.0 && size("height") > 100.0,
            "not laid out: {chart}"
        );
        assert!(
            chart["drawn"].as_u64().unwrap_or(0) > 0,
            "nothing drawn: {chart}"
        );
    }
    let titles: Vec<&str> = charts.iter().filter_map(|c| c["title"].as_str()).collect();
    assert!(titles.contains(&"Share of voice"), "{titles:?}");
}

/// The weekly digest through the real binary and the webhook connector:
/// last week's events are in the store; a host started with `[[digests]]`
/// (Monday 00:00 UTC, so always past) posts last week's summary to the
/// staff channel once, and a restarted host does not post it again.
#[test]
fn the_weekly_digest_is_posted_once_across_restarts() {
    const SECRET: &str = "digest-test-secret";
    let rt = tokio::runtime::Runtime::new().unwrap();
    let received: std::sync::Arc<std::sync::Mutex<Vec<Value>>> = Default::default();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let deliver_to = format!("http://{}/actions", listener.local_addr().unwrap());
    let r = received.clone();
    let app = axum::Router::new().route(
        "/actions",
        axum::routing::post(move |body: axum::body::Bytes| {
            let r = r.clone();
            async move {
                let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                r.lock().unwrap().push(value);
                r#"{"message_id": "posted"}"#
            }
        }),
    );
    rt.spawn(async move { axum::serve(listener, app).await });

    // Three messages and a join, seven days ago: always last ISO week.
    let week_ago = time::OffsetDateTime::now_utc() - time::Duration::days(7);
    let monday_of = |t: time::OffsetDateTime| {
        let (year, week, _) = t.to_iso_week_date();
        format!("{year}-W{week:02}")
    };
    let last_week = monday_of(week_ago);
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SledStore::open(&dir.path().join("data/store")).unwrap();
        let at = |minutes: i64| {
            (week_ago.replace_hour(12).unwrap() + time::Duration::minutes(minutes))
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        };
        store
            .commit(Commit {
                handled: vec![
                    event("j1", EventKind::Join, "cleo", "general", &at(0), ""),
                    msg("d1", "cleo", "general", &at(1), "Hello all"),
                    msg("d2", "bob", "general", &at(2), "Where is my order?"),
                    msg("d3", "staff-sam", "general", &at(3), "On its way"),
                ],
                ..Commit::default()
            })
            .unwrap();
        store.flush().unwrap();
    }
    let port = crate::synapse::free_port();
    let config = dir.path().join("vigie.toml");
    std::fs::write(
        &config,
        format!(
            r#"data_dir = "data"
[plugins.filter]
component = "builtin:keyword-filter"
grants = ["delete"]

[[communities]]
id = "acme"
chain = ["filter"]

[[connectors]]
type = "webhook"
name = "forum"
community = "acme"
listen = "127.0.0.1:{port}"
secret = "env:VIGIE_TEST_SECRET"
deliver_to = "{deliver_to}"

[[digests]]
connector = "forum"
channel = "staff"
day = "monday"
at = "00:00"
timezone = "UTC"
lang = "en"
"#
        ),
    )
    .unwrap();

    let posts = || received.lock().unwrap().clone();
    use std::time::Duration;
    let mut vigie = crate::process::VigieProcess::start(&config, SECRET);
    vigie.wait_log("weekly digest queued");
    let got = crate::synapse::wait_for("the digest", Duration::from_secs(60), || {
        let got = posts();
        (!got.is_empty()).then_some(got)
    });
    vigie.stop();
    assert_eq!(got.len(), 1, "{got:?}");
    let action = &got[0]["action"];
    assert_eq!(action["type"], "post", "{action}");
    assert_eq!(action["channel"], "staff", "{action}");
    let text = action["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with(&format!("Weekly report — acme — {last_week}")),
        "{text}"
    );
    // Staff Sam's answer counts as a message; Cleo (joined) and Bob (his
    // first message) are new.
    assert!(text.contains("Messages: 3 (+3)"), "{text}");
    assert!(text.contains("new members: 2 (+2)"), "{text}");
    assert!(text.contains("Questions: 1"), "{text}");

    // Restarted: the week's digest is done; nothing is posted again.
    let mut vigie = crate::process::VigieProcess::start(&config, SECRET);
    vigie.wait_log("listening for events");
    std::thread::sleep(Duration::from_secs(3));
    let log = vigie.stop();
    assert_eq!(posts().len(), 1, "posted twice: {:?}\n{log}", posts());
    assert!(!log.contains("weekly digest queued"), "{log}");
}

#[test]
fn a_bad_digest_config_names_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("vigie.toml");
    let base = r#"[plugins.filter]
component = "builtin:keyword-filter"
grants = ["delete"]

[[communities]]
id = "acme"
chain = ["filter"]

[[connectors]]
type = "webhook"
name = "forum"
community = "acme"
listen = "127.0.0.1:0"
secret = "env:VIGIE_TEST_SECRET"
deliver_to = "http://127.0.0.1:9/actions"
"#;
    for (digest, expected) in [
        (
            "connector = \"nope\"\nchannel = \"staff\"",
            "digests[0].connector: no connector is named `nope`",
        ),
        (
            "connector = \"forum\"\nchannel = \"staff\"\nday = \"someday\"",
            "digests[0].day = \"someday\"",
        ),
        (
            "connector = \"forum\"\nchannel = \"staff\"\nat = \"25:00\"",
            "digests[0].at = \"25:00\"",
        ),
        (
            "connector = \"forum\"\nchannel = \"staff\"\ntimezone = \"Mars/Olympus\"",
            "digests[0].timezone = \"Mars/Olympus\"",
        ),
    ] {
        std::fs::write(&config, format!("{base}\n[[digests]]\n{digest}\n")).unwrap();
        let err = match vigie::config::Config::load(&config) {
            Ok(_) => panic!("accepted: {digest}"),
            Err(e) => format!("{e:#}"),
        };
        assert!(err.contains(expected), "{digest}: {err}");
    }
}
