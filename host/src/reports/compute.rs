//! The KPIs of one period, computed from the logs: a pure function of the
//! records, the period and the options (no store, no clock), so every
//! figure can be tested on a hand-made log.

use super::definitions::{def, CATALOGUE};
use super::period::{date_of, Period};
use super::{
    AlertMark, Answer, AnsweredBy, ContestRow, Day, Figure, Hour, Logs, Moderation, PollResult,
    Publication, Question, Ranked, Report, ReportOptions, ReviewCounts, Voice,
};
use crate::action::{Action, ActionKind, DecidedAction};
use crate::contests::Outcome;
use crate::event::{format_ms, Event, EventKind};
use crate::store::Verdict;
use anyhow::Result;
use jiff::tz::TimeZone;
// foldhash: the maps are keyed by (community, event id) over a month of
// events, and SipHash's protection against chosen keys buys nothing in a
// report (6 % of its time over a million events).
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::collections::BTreeMap;

/// Below this, a sentiment label counts as negative: the sentiment plugin's
/// default bad-buzz threshold (`buzz.negative_threshold`).
const NEGATIVE_BELOW: f64 = -0.3;
/// Periods up to this long also get hourly series.
const HOURLY_UP_TO_MS: i64 = 48 * HOUR_MS;
const HOUR_MS: i64 = 3_600_000;
/// Rows of the top channels and contributors tables.
const TOP: usize = 5;
/// The label the sentiment plugin puts on every message.
const SENTIMENT_LABEL: &str = "sentiment";
/// How the FAQ plugin's actions are recognised: their reason starts so.
const FAQ_REASON: &str = "faq:";
/// The platform of the feed connector's events. Web mentions are not the
/// community's activity (their authors are not members, their titles not
/// questions): only the veille section reads them.
const WEB_PLATFORM: &str = "feed";
/// The label the watch plugin puts on each event a topic matched, with
/// the topic's id as its note…
const TOPIC_LABEL: &str = "watch.topic";
/// …and how its alerts are recognised.
const WATCH_REASON: &str = "watch:";
/// The watch plugin's default sentiment thresholds (`negative_below`,
/// `positive_above`): a mention is negative at or below, positive at or
/// above.
const MENTION_NEGATIVE_AT: f64 = -0.05;
const MENTION_POSITIVE_AT: f64 = 0.05;
/// How the schedule plugin's posts are recognised: their reason starts
/// so, followed by the post's id.
const SCHEDULE_REASON: &str = "scheduled post ";
/// A post's reach counts what it drew in this long after it went out.
const REACH_WINDOW_MS: i64 = 24 * HOUR_MS;
/// A publication's text as the report shows it.
const POST_TEXT_CHARS: usize = 80;

/// The report of `options.period`, and of the previous period of the same
/// length beside each figure with `options.compare_previous`.
pub fn compute(logs: &Logs, options: &ReportOptions) -> Result<Report> {
    let mut report = one_period(logs, options, &options.period)?;
    if options.compare_previous {
        let previous = options.period.previous();
        let before = one_period(logs, options, &previous)?;
        for figure in &mut report.figures {
            let Some(old) = before.figures.iter().find(|f| f.id == figure.id) else {
                continue;
            };
            figure.previous = old.value;
            figure.change = match (figure.value, old.value) {
                (Some(new), Some(old)) => Some(new - old),
                _ => None,
            };
        }
        for voice in &mut report.share_of_voice {
            let before_mentions = before
                .share_of_voice
                .iter()
                .find(|v| v.topic == voice.topic)
                .map_or(0, |v| v.mentions);
            voice.previous_mentions = Some(before_mentions);
        }
        // A topic quiet in this period but not in the previous one is news
        // too (a competitor gone silent).
        for old in &before.share_of_voice {
            if !report.share_of_voice.iter().any(|v| v.topic == old.topic) {
                report.share_of_voice.push(Voice {
                    topic: old.topic.clone(),
                    mentions: 0,
                    share: Some(0.0),
                    positive: 0,
                    negative: 0,
                    previous_mentions: Some(old.mentions),
                    days: vec![0; report.days.len()],
                });
            }
        }
        report.previous_period = Some(previous);
    }
    Ok(report)
}

/// What the log says about one community's events, indexed once.
struct Index<'a> {
    /// (community, event id) → event.
    events: HashMap<(&'a str, &'a str), &'a Event>,
}

impl<'a> Index<'a> {
    fn event(&self, community: &str, id: &str) -> Option<&'a Event> {
        self.events.get(&(community, id)).copied()
    }
}

fn is_web(e: &Event) -> bool {
    e.platform == WEB_PLATFORM
}

fn is_message(e: &Event) -> bool {
    matches!(e.kind, EventKind::Message | EventKind::Mention)
}

fn is_moderation(kind: ActionKind) -> bool {
    matches!(
        kind,
        ActionKind::Delete
            | ActionKind::Flag
            | ActionKind::Timeout
            | ActionKind::Kick
            | ActionKind::Ban
    )
}

/// A question mark ends a sentence: followed by a space or the end of the
/// text (a URL's `?q=` is not a question).
pub(super) fn asks_a_question(text: &str) -> bool {
    let mut chars = text.trim_end().chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, '?' | '？') && chars.peek().is_none_or(|n| n.is_whitespace()) {
            return true;
        }
    }
    false
}

/// The records one period's sections read, selected and indexed once.
struct Scope<'a> {
    period: &'a Period,
    tz: &'a TimeZone,
    community: Option<&'a str>,
    index: Index<'a>,
    /// The community's events, over the whole log.
    all_events: Vec<&'a Event>,
    /// Those of the period…
    events: Vec<&'a Event>,
    /// …and among them the messages.
    messages: Vec<&'a Event>,
    /// The actions decided for the period's events or ticks…
    actions: Vec<&'a DecidedAction>,
    /// …and for its web mentions, which the other sections leave out.
    web_actions: Vec<&'a DecidedAction>,
    names: Names<'a>,
}

impl<'a> Scope<'a> {
    fn new(logs: &Logs<'a>, options: &'a ReportOptions, period: &'a Period) -> Scope<'a> {
        let community = options.community.as_deref();
        let in_scope = |c: &str| community.is_none_or(|only| only == c);
        let with_web: Vec<&Event> = logs
            .events
            .iter()
            .map(|h| &h.event)
            .filter(|e| in_scope(&e.community))
            .collect();
        let index = Index {
            events: with_web
                .iter()
                .map(|e| ((e.community.as_str(), e.id.as_str()), *e))
                .collect(),
        };
        let all_events: Vec<&Event> = with_web.into_iter().filter(|e| !is_web(e)).collect();
        let events: Vec<&Event> = all_events
            .iter()
            .copied()
            .filter(|e| period.contains(e.timestamp_ms()))
            .collect();
        let messages = events.iter().copied().filter(|e| is_message(e)).collect();
        let mut scope = Scope {
            period,
            tz: &options.time_zone,
            community,
            names: display_names(&all_events, options),
            index,
            all_events,
            events,
            messages,
            actions: Vec::new(),
            web_actions: Vec::new(),
        };
        let (web, own): (Vec<&DecidedAction>, Vec<&DecidedAction>) = logs
            .actions
            .iter()
            .filter(|a| scope.in_period(a))
            .partition(|a| scope.on_web_mention(a));
        scope.actions = own;
        scope.web_actions = web;
        scope
    }

    fn in_scope(&self, community: &str) -> bool {
        self.community.is_none_or(|only| only == community)
    }

    /// When an action happened: its event's time, or its tick's.
    fn action_time(&self, a: &DecidedAction) -> Option<i64> {
        match (&a.event_id, a.tick_ms) {
            (Some(id), _) => self.index.event(&a.community, id).map(|e| e.timestamp_ms()),
            (None, Some(ms)) => Some(ms),
            (None, None) => None,
        }
    }

    /// Whether an action was decided for a web mention.
    fn on_web_mention(&self, a: &DecidedAction) -> bool {
        a.event_id
            .as_deref()
            .and_then(|id| self.index.event(&a.community, id))
            .is_some_and(is_web)
    }

    /// Whether an action of this community happened in the period.
    fn in_period(&self, a: &DecidedAction) -> bool {
        self.in_scope(&a.community)
            && self
                .action_time(a)
                .is_some_and(|ms| self.period.contains(ms))
    }
}

/// The period's calendar days, each with its figures while they are
/// counted.
struct Days<'a> {
    tz: &'a TimeZone,
    tallies: BTreeMap<jiff::civil::Date, Tally>,
}

impl Days<'_> {
    /// The tally of the day of `ms`.
    fn at(&mut self, ms: i64) -> Option<&mut Tally> {
        let day = date_of(ms, self.tz).ok()?;
        Some(self.tallies.entry(day).or_default())
    }
}

/// A day's (or an hour's) figures while they are counted.
#[derive(Default)]
struct Tally {
    messages: u64,
    active: HashSet<String>,
    new_members: u64,
    departures: u64,
    reactions: u64,
    replies: u64,
    scores: Vec<f64>,
    alerts: u64,
}

fn one_period(logs: &Logs, options: &ReportOptions, period: &Period) -> Result<Report> {
    let scope = Scope::new(logs, options, period);
    let mut days = Days {
        tz: &options.time_zone,
        tallies: period
            .days(&options.time_zone)?
            .into_iter()
            .map(|d| (d, Tally::default()))
            .collect(),
    };
    let activity = activity(&scope, &mut days)?;
    let members = members(&scope);
    let questions = questions(logs, &scope);
    let (moderation, moderation_actions) = moderation(logs, &scope);
    let shadow_actions = shadow_actions(logs, &scope);
    let mood = mood(&scope, &mut days);
    let hours = hours(&scope, &mood)?;
    let veille = veille(&scope, &days);
    let publications = publications(logs, &scope);
    let contests = contests(logs, &scope);
    let measured: Vec<&Publication> = publications
        .iter()
        .filter(|p| p.reactions.is_some())
        .collect();
    let per_post = |n: fn(&Publication) -> Option<u64>| {
        let counts: Vec<f64> = measured
            .iter()
            .filter_map(|p| n(p))
            .map(|n| n as f64)
            .collect();
        mean(&counts)
    };

    let answered = |by: AnsweredBy| {
        questions
            .iter()
            .filter(|q| q.answer.as_ref().is_some_and(|a| a.by == by))
            .count() as u64
    };
    let waits = |by: Option<AnsweredBy>| -> Vec<f64> {
        questions
            .iter()
            .filter_map(|q| q.answer.as_ref())
            .filter(|a| by.is_none_or(|by| a.by == by))
            .map(|a| a.wait_s)
            .collect()
    };
    let unanswered = questions.iter().filter(|q| q.answer.is_none()).count() as u64;
    let review = &moderation.review;
    let decided = review.approved + review.rejected + review.replaced;
    let per_message = |n: u64| ratio(n, activity.messages);
    let count = |n: u64| Some(n as f64);
    let negative = |scores: &[f64]| {
        ratio(
            scores.iter().filter(|s| **s < NEGATIVE_BELOW).count() as u64,
            scores.len() as u64,
        )
    };
    let figures = vec![
        figure("activity.messages", count(activity.messages)),
        figure("activity.active_members", count(activity.active)),
        figure("activity.new_members", count(activity.new_members)),
        figure("activity.departures", count(activity.departures)),
        figure(
            "engagement.reactions_per_message",
            per_message(activity.reactions),
        ),
        figure(
            "engagement.replies_per_message",
            per_message(activity.replies),
        ),
        figure("engagement.active_share", ratio(activity.active, members)),
        figure("responsiveness.questions", count(questions.len() as u64)),
        figure(
            "responsiveness.answered_by_faq",
            count(answered(AnsweredBy::Faq)),
        ),
        figure(
            "responsiveness.answered_by_staff",
            count(answered(AnsweredBy::Staff)),
        ),
        figure(
            "responsiveness.answered_by_members",
            count(answered(AnsweredBy::Member)),
        ),
        figure("responsiveness.unanswered", count(unanswered)),
        figure("responsiveness.first_answer_median", median(&waits(None))),
        figure(
            "responsiveness.first_answer_p90",
            percentile(&waits(None), 0.9),
        ),
        figure(
            "responsiveness.staff_answer_median",
            median(&waits(Some(AnsweredBy::Staff))),
        ),
        figure(
            "responsiveness.deflection",
            ratio(answered(AnsweredBy::Faq), questions.len() as u64),
        ),
        figure("moderation.actions", count(moderation_actions)),
        figure(
            "moderation.repeat_offenders",
            count(moderation.repeat_offenders.len() as u64),
        ),
        figure("moderation.reviews_decided", count(decided)),
        figure("moderation.overturn_rate", ratio(review.rejected, decided)),
        figure("moderation.shadow_actions", count(shadow_actions)),
        figure("mood.mean", mean(&mood.scores)),
        figure("mood.negative_share", negative(&mood.scores)),
        figure("mood.alerts", count(mood.alerts.len() as u64)),
        figure("veille.mentions", count(veille.mentions)),
        figure("veille.negative_share", veille.negative_share),
        figure("veille.alerts", count(veille.alerts)),
        figure("publications.posts", count(publications.len() as u64)),
        figure("publications.reactions_24h", per_post(|p| p.reactions)),
        figure("publications.replies_24h", per_post(|p| p.replies)),
        figure("contests.run", count(contests.rows.len() as u64)),
        figure(
            "contests.entries",
            count(contests.rows.iter().map(|c| c.entries).sum()),
        ),
        figure("contests.new_members", count(contests.new_members)),
    ];

    Ok(Report {
        community: options.community.clone(),
        period: period.clone(),
        previous_period: None,
        time_zone: options.time_zone_name.clone(),
        lang: options.lang,
        figures,
        days: days
            .tallies
            .into_iter()
            .map(|(date, t)| Day {
                date: date.to_string(),
                messages: t.messages,
                active_members: t.active.len() as u64,
                new_members: t.new_members,
                departures: t.departures,
                reactions: t.reactions,
                replies: t.replies,
                mood_mean: mean(&t.scores),
                negative_share: negative(&t.scores),
                alerts: t.alerts,
            })
            .collect(),
        heatmap: activity.heatmap,
        hours,
        top_channels: top_all(scope.messages.iter().map(|m| m.channel.clone()))
            .into_iter()
            .take(TOP)
            .collect(),
        top_contributors: top_all(
            scope
                .messages
                .iter()
                .filter(|m| !m.author.is_staff)
                .map(|m| scope.names.of(&m.author.id)),
        )
        .into_iter()
        .take(TOP)
        .collect(),
        questions,
        moderation,
        alerts: mood.alerts,
        share_of_voice: veille.voices,
        publications,
        contests: contests.rows,
        definitions: CATALOGUE.iter().map(|d| d.in_lang(options.lang)).collect(),
    })
}

/// The schedule plugin's posts confirmed in the period (from the audit
/// log: a post decided but never executed was not published), with the
/// reactions and replies each drew in its first 24 hours, counted over the
/// whole log (a post of the period's last evening keeps counting after
/// the period ends).
fn publications(logs: &Logs, s: &Scope) -> Vec<Publication> {
    let mut posts: Vec<(&crate::store::AuditRecord, &str, &str)> = Vec::new();
    for record in logs.audit {
        let Action::Post { text, reason } = &record.action.action else {
            continue;
        };
        let Some(rest) = reason.strip_prefix(SCHEDULE_REASON) else {
            continue;
        };
        if !s.in_scope(&record.action.community) || !s.period.contains(record.executed_at_ms) {
            continue;
        }
        let post = rest.split(" (").next().unwrap_or(rest);
        posts.push((record, post, text));
    }
    posts.sort_by_key(|(r, ..)| r.executed_at_ms);
    // (community, message id) → (posted at, reactions, replies).
    let mut reach: HashMap<(&str, &str), (i64, u64, u64)> = HashMap::new();
    for (record, ..) in &posts {
        if let Some(id) = &record.sent_message_id {
            reach.insert(
                (&record.action.community, id),
                (record.executed_at_ms, 0, 0),
            );
        }
    }
    if !reach.is_empty() {
        for e in &s.all_events {
            let (target, is_reaction) = match (&e.kind, &e.target_message, &e.reply_to) {
                (EventKind::Reaction, Some(target), _) => (target, true),
                (_, _, Some(target)) if is_message(e) => (target, false),
                _ => continue,
            };
            let Some((posted, reactions, replies)) = reach.get_mut(&(&e.community, target)) else {
                continue;
            };
            let at = e.timestamp_ms();
            if at < *posted || at >= posted.saturating_add(REACH_WINDOW_MS) {
                continue;
            }
            *if is_reaction { reactions } else { replies } += 1;
        }
    }
    posts
        .into_iter()
        .map(|(record, post, text)| {
            let counts = record
                .sent_message_id
                .as_deref()
                .and_then(|id| reach.get(&(record.action.community.as_str(), id)));
            Publication {
                post: post.to_string(),
                community: record.action.community.clone(),
                channel: record.action.channel.clone(),
                posted_at: format_ms(record.executed_at_ms),
                text: text
                    .lines()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(POST_TEXT_CHARS)
                    .collect(),
                reactions: counts.map(|c| c.1),
                replies: counts.map(|c| c.2),
            }
        })
        .collect()
}

/// The contests and polls of a period.
struct Contests {
    rows: Vec<ContestRow>,
    /// Distinct members new during one of them, within the period.
    new_members: u64,
}

/// The contests and polls that took entries during the period: those
/// whose entry window (start to deadline, or to their end or cancellation
/// when earlier) meets the period.
fn contests(logs: &Logs, s: &Scope) -> Contests {
    let window = |c: &crate::contests::Contest| {
        let end = c.ended_ms.map_or(c.deadline_ms, |e| e.min(c.deadline_ms));
        (c.started_ms, end.max(c.started_ms))
    };
    let mut of_period: Vec<&crate::contests::Contest> = logs
        .contests
        .iter()
        .filter(|c| s.in_scope(&c.scope.community))
        .filter(|c| {
            let (from, to) = window(c);
            from < s.period.to_ms && (to > s.period.from_ms || from >= s.period.from_ms)
        })
        .collect();
    if of_period.is_empty() {
        return Contests {
            rows: Vec::new(),
            new_members: 0,
        };
    }
    of_period.sort_by(|a, b| (a.started_ms, &a.scope, a.id).cmp(&(b.started_ms, &b.scope, b.id)));
    // When each member arrived in each community: their joins and their
    // first message (as for activity.new_members).
    let mut arrivals: HashMap<(&str, &str), Vec<i64>> = HashMap::new();
    let mut first_message: HashMap<(&str, &str), i64> = HashMap::new();
    for e in s.all_events.iter().filter(|e| !e.author.is_staff) {
        let key = (e.community.as_str(), e.author.id.as_str());
        if e.kind == EventKind::Join {
            arrivals.entry(key).or_default().push(e.timestamp_ms());
        } else if is_message(e) {
            let at = first_message.entry(key).or_insert(i64::MAX);
            *at = (*at).min(e.timestamp_ms());
        }
    }
    for (key, at) in first_message {
        arrivals.entry(key).or_default().push(at);
    }
    let mut new_in_period: HashSet<(&str, &str)> = HashSet::new();
    let rows = of_period
        .into_iter()
        .map(|c| {
            let (from, to) = window(c);
            let mut new_members = 0;
            for (key, times) in &arrivals {
                if key.0 != c.scope.community {
                    continue;
                }
                if times.iter().any(|t| (from..to).contains(t)) {
                    new_members += 1;
                }
                if times
                    .iter()
                    .any(|t| (from..to).contains(t) && s.period.contains(*t))
                {
                    new_in_period.insert(*key);
                }
            }
            let (winners, results) = match &c.outcome {
                Outcome::Giveaway { winners, .. } => (
                    winners.iter().map(|(id, _)| s.names.of(id)).collect(),
                    Vec::new(),
                ),
                Outcome::Poll {
                    answers,
                    counts: Some(counts),
                    ..
                } => (
                    Vec::new(),
                    answers
                        .iter()
                        .zip(counts.iter().chain(std::iter::repeat(&0)))
                        .map(|(answer, n)| PollResult {
                            answer: answer.clone(),
                            ballots: *n,
                        })
                        .collect(),
                ),
                Outcome::Poll { counts: None, .. } => (Vec::new(), Vec::new()),
            };
            ContestRow {
                kind: c.scope.kind,
                community: c.scope.community.clone(),
                entry: c.scope.entry.clone(),
                id: c.id,
                title: c.title.clone(),
                channel: c.channel.clone(),
                status: c.status,
                started_at: format_ms(from),
                closed_at: format_ms(to),
                entries: c.count,
                new_members,
                winners,
                results,
            }
        })
        .collect();
    Contests {
        rows,
        new_members: new_in_period.len() as u64,
    }
}

/// The activity counts of a period.
struct Activity {
    messages: u64,
    /// Distinct non-staff authors.
    active: u64,
    new_members: u64,
    departures: u64,
    reactions: u64,
    replies: u64,
    heatmap: Vec<Vec<u64>>,
}

fn activity(s: &Scope, days: &mut Days) -> Result<Activity> {
    let mut heatmap = vec![vec![0u64; 24]; 7];
    let mut active: HashSet<&str> = HashSet::new();
    let mut replies = 0;
    for m in &s.messages {
        let ms = m.timestamp_ms();
        let zoned = jiff::Timestamp::from_millisecond(ms)?.to_zoned_datetime(s.tz.clone());
        heatmap[zoned.weekday().to_monday_zero_offset() as usize][zoned.hour() as usize] += 1;
        let Some(day) = days.at(ms) else { continue };
        day.messages += 1;
        if m.reply_to.is_some() {
            replies += 1;
            day.replies += 1;
        }
        if !m.author.is_staff {
            active.insert(&m.author.id);
            day.active.insert(m.author.id.clone());
        }
    }
    let mut count = |kind: EventKind, tally: fn(&mut Tally) -> &mut u64| {
        let mut n = 0;
        for e in s.events.iter().filter(|e| e.kind == kind) {
            n += 1;
            if let Some(day) = days.at(e.timestamp_ms()) {
                *tally(day) += 1;
            }
        }
        n
    };
    let reactions = count(EventKind::Reaction, |t| &mut t.reactions);
    let departures = count(EventKind::Leave, |t| &mut t.departures);
    // New members: the earlier of a join in the period and a first message
    // (in the whole log) in the period.
    let mut first_message: HashMap<&str, i64> = HashMap::new();
    for e in s
        .all_events
        .iter()
        .filter(|e| is_message(e) && !e.author.is_staff)
    {
        let at = first_message.entry(&e.author.id).or_insert(i64::MAX);
        *at = (*at).min(e.timestamp_ms());
    }
    let mut new_members: HashMap<&str, i64> = HashMap::new();
    for e in s
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Join && !e.author.is_staff)
    {
        let at = new_members.entry(&e.author.id).or_insert(i64::MAX);
        *at = (*at).min(e.timestamp_ms());
    }
    for (user, at) in first_message {
        if s.period.contains(at) {
            let seen = new_members.entry(user).or_insert(i64::MAX);
            *seen = (*seen).min(at);
        }
    }
    for at in new_members.values() {
        if let Some(day) = days.at(*at) {
            day.new_members += 1;
        }
    }
    Ok(Activity {
        messages: s.messages.len() as u64,
        active: active.len() as u64,
        new_members: new_members.len() as u64,
        departures,
        reactions,
        replies,
        heatmap,
    })
}

/// How many members the period had: those who did anything in it, and
/// those who were there before and had not left.
fn members(s: &Scope) -> u64 {
    let mut present_before: HashMap<&str, bool> = HashMap::new();
    for e in s
        .all_events
        .iter()
        .filter(|e| e.timestamp_ms() < s.period.from_ms && !e.author.is_staff)
    {
        let here = match e.kind {
            EventKind::Leave => false,
            EventKind::Join => true,
            _ => *present_before.get(e.author.id.as_str()).unwrap_or(&true),
        };
        present_before.insert(&e.author.id, here);
    }
    let mut members: HashSet<&str> = present_before
        .into_iter()
        .filter_map(|(user, here)| here.then_some(user))
        .collect();
    members.extend(
        s.events
            .iter()
            .filter(|e| !e.author.is_staff)
            .map(|e| e.author.id.as_str()),
    );
    members.len() as u64
}

/// The period's questions, in the order asked, each with its first answer.
fn questions(logs: &Logs, s: &Scope) -> Vec<Question> {
    let faq_acted: HashSet<(&str, &str)> = logs
        .actions
        .iter()
        .filter(|a| a.action.reason().starts_with(FAQ_REASON))
        .filter(|a| matches!(a.action.kind(), ActionKind::Reply | ActionKind::Flag))
        .filter_map(|a| Some((a.community.as_str(), a.action.message_id()?)))
        .collect();
    let mut questions: Vec<&Event> = s
        .messages
        .iter()
        .copied()
        .filter(|m| !m.author.is_staff)
        .filter(|m| {
            asks_a_question(&m.text) || faq_acted.contains(&(m.community.as_str(), m.id.as_str()))
        })
        .collect();
    // In the order they were asked, whatever the order of the log.
    questions.sort_by_key(|q| q.timestamp_ms());
    let answers = first_answers(logs, &s.all_events, &questions);
    questions
        .iter()
        .map(|q| Question {
            event_id: q.id.clone(),
            community: q.community.clone(),
            channel: q.channel.clone(),
            author: s.names.of(&q.author.id),
            asked_at: format_ms(q.timestamp_ms()),
            text: q.text.clone(),
            answer: answers.get(&(q.community.as_str(), q.id.as_str())).cloned(),
        })
        .collect()
}

/// The period's moderation: by kind, by rule, repeat offenders and review
/// decisions; and how many moderation actions there were.
fn moderation(logs: &Logs, s: &Scope) -> (Moderation, u64) {
    let actions: Vec<_> = s
        .actions
        .iter()
        .filter(|a| is_moderation(a.action.kind()))
        .collect();
    let by_kind = top_all(actions.iter().map(|a| a.action.kind().name().to_string()));
    let by_rule = top_all(
        actions
            .iter()
            .map(|a| format!("{} · {}", a.by.plugin, rule_of(a.action.reason()))),
    );
    let targets = actions.iter().filter_map(|a| {
        let user = match a.action.user_id() {
            Some(user) => Some(user),
            None => a
                .action
                .message_id()
                .and_then(|m| s.index.event(&a.community, m))
                .map(|e| e.author.id.as_str()),
        };
        user.map(|u| s.names.of(u))
    });
    let repeat_offenders: Vec<Ranked> = top_all(targets)
        .into_iter()
        .filter(|r| r.count >= 2)
        .collect();
    // Review items belong to the period of the event they are about, like
    // the actions: the queue's own times are the wall clock of the run,
    // which says nothing of when things happened in a replayed log.
    let mut review = ReviewCounts::default();
    for item in logs.review.iter().filter(|i| s.in_period(&i.entry.action)) {
        match &item.decision {
            Some(d) => match d.verdict {
                Verdict::Approved => review.approved += 1,
                Verdict::Rejected => review.rejected += 1,
                Verdict::Replaced { .. } => review.replaced += 1,
            },
            None => review.pending += 1,
        }
    }
    let count = actions.len() as u64;
    (
        Moderation {
            by_kind,
            by_rule,
            repeat_offenders,
            review,
        },
        count,
    )
}

/// What shadow plugins would have done for the period's events, labels
/// and stops aside.
fn shadow_actions(logs: &Logs, s: &Scope) -> u64 {
    logs.shadow
        .iter()
        .filter(|r| s.in_scope(&r.community))
        .filter(|r| {
            s.index
                .event(&r.community, &r.event_id)
                .is_some_and(|e| s.period.contains(e.timestamp_ms()))
        })
        .flat_map(|r| &r.actions)
        .filter(|a| !matches!(a.action.kind(), ActionKind::Label | ActionKind::Stop))
        .count() as u64
}

/// The period's mood: each labelled message's sentiment, with its time,
/// and the bad-buzz alerts.
struct Mood {
    /// (time, sentiment) of each labelled message.
    labelled: Vec<(i64, f64)>,
    scores: Vec<f64>,
    alerts: Vec<AlertMark>,
    alert_times: Vec<i64>,
}

fn mood(s: &Scope, days: &mut Days) -> Mood {
    // The last sentiment label of each message: in the input, then from
    // the plugins, in the order they decided.
    let mut sentiment: HashMap<(&str, &str), (i64, f64)> = HashMap::new();
    for m in &s.messages {
        if let Some(l) = m.labels.iter().rev().find(|l| l.key == SENTIMENT_LABEL) {
            sentiment.insert((&m.community, &m.id), (m.timestamp_ms(), l.value));
        }
    }
    for a in &s.actions {
        if let (Action::Label { key, value, .. }, Some(id)) = (&a.action, &a.event_id) {
            let Some(m) = s.index.event(&a.community, id).filter(|e| is_message(e)) else {
                continue;
            };
            if key == SENTIMENT_LABEL {
                sentiment.insert((&a.community, id), (m.timestamp_ms(), *value));
            }
        }
    }
    let mut labelled: Vec<(i64, f64)> = sentiment.into_values().collect();
    labelled.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    for (at, value) in &labelled {
        if let Some(day) = days.at(*at) {
            day.scores.push(*value);
        }
    }
    let mut alerts = Vec::new();
    let mut alert_times = Vec::new();
    for a in s
        .actions
        .iter()
        .filter(|a| a.action.reason().to_lowercase().contains("bad buzz"))
    {
        let (Action::Alert { message, .. }, Some(at)) = (&a.action, s.action_time(a)) else {
            continue;
        };
        if let Some(day) = days.at(at) {
            day.alerts += 1;
        }
        alert_times.push(at);
        alerts.push(AlertMark {
            at: format_ms(at),
            community: a.community.clone(),
            channel: a.channel.clone(),
            message: message.clone(),
        });
    }
    Mood {
        scores: labelled.iter().map(|(_, v)| *v).collect(),
        labelled,
        alerts,
        alert_times,
    }
}

/// The veille section: the watch plugin's topic labels and alerts.
struct Veille {
    /// Distinct events matched by a topic.
    mentions: u64,
    negative_share: Option<f64>,
    alerts: u64,
    voices: Vec<Voice>,
}

fn veille(s: &Scope, days: &Days) -> Veille {
    // An event's topics (a set: a replayed decision is not two mentions),
    // from its input labels then from the plugins' decisions, and its last
    // sentiment label the same way.
    let mut topics: BTreeMap<(&str, &str), std::collections::BTreeSet<&str>> = BTreeMap::new();
    let mut sentiment: HashMap<(&str, &str), f64> = HashMap::new();
    let in_period = |e: &Event| s.period.contains(e.timestamp_ms());
    for e in s.index.events.values().filter(|e| in_period(e)) {
        for l in &e.labels {
            match (l.key.as_str(), &l.note) {
                (TOPIC_LABEL, Some(topic)) => {
                    topics
                        .entry((&e.community, &e.id))
                        .or_default()
                        .insert(topic);
                }
                (SENTIMENT_LABEL, _) => {
                    sentiment.insert((&e.community, &e.id), l.value);
                }
                _ => {}
            }
        }
    }
    for a in s.actions.iter().chain(&s.web_actions) {
        let (
            Action::Label {
                key, value, note, ..
            },
            Some(id),
        ) = (&a.action, &a.event_id)
        else {
            continue;
        };
        match (key.as_str(), note) {
            (TOPIC_LABEL, Some(topic)) => {
                topics.entry((&a.community, id)).or_default().insert(topic);
            }
            (SENTIMENT_LABEL, _) => {
                sentiment.insert((&a.community, id), *value);
            }
            _ => {}
        }
    }
    let dates: Vec<&jiff::civil::Date> = days.tallies.keys().collect();
    let mut voices: BTreeMap<&str, Voice> = BTreeMap::new();
    let (mut rated, mut negative) = (0u64, 0u64);
    for (key, matched) in &topics {
        let mood = sentiment.get(key).copied();
        if let Some(value) = mood {
            rated += 1;
            negative += u64::from(value <= MENTION_NEGATIVE_AT);
        }
        let day = s
            .index
            .event(key.0, key.1)
            .and_then(|e| date_of(e.timestamp_ms(), days.tz).ok())
            .and_then(|d| dates.iter().position(|x| **x == d));
        for topic in matched {
            let v = voices.entry(topic).or_insert_with(|| Voice {
                topic: topic.to_string(),
                mentions: 0,
                share: None,
                positive: 0,
                negative: 0,
                previous_mentions: None,
                days: vec![0; dates.len()],
            });
            v.mentions += 1;
            match mood {
                Some(m) if m <= MENTION_NEGATIVE_AT => v.negative += 1,
                Some(m) if m >= MENTION_POSITIVE_AT => v.positive += 1,
                _ => {}
            }
            if let Some(slot) = day.and_then(|i| v.days.get_mut(i)) {
                *slot += 1;
            }
        }
    }
    let total: u64 = voices.values().map(|v| v.mentions).sum();
    let mut voices: Vec<Voice> = voices.into_values().collect();
    for v in &mut voices {
        v.share = ratio(v.mentions, total);
    }
    // Most mentioned first; at equal counts, by id.
    voices.sort_by(|a, b| b.mentions.cmp(&a.mentions).then(a.topic.cmp(&b.topic)));
    let alerts = s
        .actions
        .iter()
        .chain(&s.web_actions)
        .filter(|a| matches!(a.action, Action::Alert { .. }))
        .filter(|a| a.action.reason().starts_with(WATCH_REASON))
        .count() as u64;
    Veille {
        mentions: topics.len() as u64,
        negative_share: ratio(negative, rated),
        alerts,
        voices,
    }
}

/// A short period hour by hour (one day's daily series is a single bar):
/// messages, mood and alerts; nothing for longer periods.
fn hours(s: &Scope, mood: &Mood) -> Result<Vec<Hour>> {
    let length = s.period.to_ms - s.period.from_ms;
    if length > HOURLY_UP_TO_MS {
        return Ok(Vec::new());
    }
    let slots = ((length + HOUR_MS - 1) / HOUR_MS) as usize;
    let mut tallies: Vec<Tally> = (0..slots).map(|_| Tally::default()).collect();
    let slot = |ms: i64| ((ms - s.period.from_ms) / HOUR_MS) as usize;
    for m in &s.messages {
        if let Some(t) = tallies.get_mut(slot(m.timestamp_ms())) {
            t.messages += 1;
        }
    }
    for (at, value) in &mood.labelled {
        if let Some(t) = tallies.get_mut(slot(*at)) {
            t.scores.push(*value);
        }
    }
    for at in &mood.alert_times {
        if let Some(t) = tallies.get_mut(slot(*at)) {
            t.alerts += 1;
        }
    }
    tallies
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let start = s.period.from_ms + i as i64 * HOUR_MS;
            let local = jiff::Timestamp::from_millisecond(start)?.to_zoned_datetime(s.tz.clone());
            Ok(Hour {
                start: format_ms(start),
                label: format!("{:02}:{:02}", local.hour(), local.minute()),
                messages: t.messages,
                mood_mean: mean(&t.scores),
                alerts: t.alerts,
            })
        })
        .collect()
}

/// The first answer to each question: a reply of the FAQ plugin (timed by
/// the audit log when executed), or a message replying to it by someone
/// else, staff or member. The earliest wins; at the same time, the FAQ
/// plugin, then staff.
fn first_answers<'a>(
    logs: &Logs<'a>,
    all_events: &[&'a Event],
    questions: &[&'a Event],
) -> HashMap<(&'a str, &'a str), Answer> {
    let asked: HashMap<(&str, &str), &Event> = questions
        .iter()
        .map(|q| ((q.community.as_str(), q.id.as_str()), *q))
        .collect();
    // When the platform confirmed each FAQ reply, by the message it answers
    // (the review decisions the audit log also holds are not replies).
    let executed: HashMap<(&str, &str), i64> = logs
        .audit
        .iter()
        .filter_map(|r| match &r.action.action {
            Action::Reply {
                to_message, reason, ..
            } if reason.starts_with(FAQ_REASON) => Some((
                (r.action.community.as_str(), to_message.as_str()),
                r.executed_at_ms,
            )),
            _ => None,
        })
        .collect();
    let mut best: HashMap<(&'a str, &'a str), Answer> = HashMap::new();
    let mut offer = |key: (&'a str, &'a str), q: &Event, by: AnsweredBy, at_ms: i64| {
        let candidate = Answer {
            by,
            at: format_ms(at_ms),
            wait_s: (at_ms - q.timestamp_ms()).max(0) as f64 / 1000.0,
        };
        let better = best
            .get(&key)
            .is_none_or(|old| (candidate.wait_s, candidate.by) < (old.wait_s, old.by));
        if better {
            best.insert(key, candidate);
        }
    };
    for a in logs.actions {
        let Action::Reply {
            to_message, reason, ..
        } = &a.action
        else {
            continue;
        };
        if !reason.starts_with(FAQ_REASON) {
            continue;
        }
        if let Some(q) = asked.get(&(a.community.as_str(), to_message.as_str())) {
            let at = executed
                .get(&(a.community.as_str(), to_message.as_str()))
                .copied()
                .unwrap_or(q.timestamp_ms());
            offer(
                (q.community.as_str(), q.id.as_str()),
                q,
                AnsweredBy::Faq,
                at,
            );
        }
    }
    for e in all_events.iter().filter(|e| is_message(e)) {
        let Some(to) = e.reply_to.as_deref() else {
            continue;
        };
        let Some(q) = asked.get(&(e.community.as_str(), to)) else {
            continue;
        };
        if e.author.id == q.author.id || e.timestamp_ms() < q.timestamp_ms() {
            continue;
        }
        let by = if e.author.is_staff {
            AnsweredBy::Staff
        } else {
            AnsweredBy::Member
        };
        offer(
            (q.community.as_str(), q.id.as_str()),
            q,
            by,
            e.timestamp_ms(),
        );
    }
    best
}

/// The rule of a reason: up to its first colon (`automod rule
/// "bad-words": word …` → `automod rule "bad-words"`).
fn rule_of(reason: &str) -> &str {
    reason.split(':').next().unwrap_or(reason).trim()
}

fn figure(id: &str, value: Option<f64>) -> Figure {
    let d = def(id);
    Figure {
        id: d.id.to_string(),
        version: d.version,
        value,
        previous: None,
        change: None,
    }
}

fn ratio(n: u64, of: u64) -> Option<f64> {
    (of > 0).then(|| n as f64 / of as f64)
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The median; for an even count, the mean of the two middle values.
fn median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// Nearest rank: the ⌈p·n⌉-th smallest.
fn percentile(values: &[f64], p: f64) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = (p * v.len() as f64).ceil() as usize;
    v.get(rank.max(1) - 1).copied()
}

/// Counts, most first, ties by name.
fn top_all(items: impl Iterator<Item = String>) -> Vec<Ranked> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for item in items {
        *counts.entry(item).or_default() += 1;
    }
    let mut ranked: Vec<Ranked> = counts
        .into_iter()
        .map(|(name, count)| Ranked { name, count })
        .collect();
    ranked.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    ranked
}

/// How users are shown: their latest display name (or id), or a stable
/// pseudonym.
struct Names<'a> {
    latest: HashMap<&'a str, &'a str>,
    pseudonym_key: Option<&'a [u8]>,
}

impl Names<'_> {
    fn of(&self, user: &str) -> String {
        if let Some(key) = self.pseudonym_key {
            return pseudonym(key, user);
        }
        match self.latest.get(user) {
            Some(name) if !name.is_empty() => name.to_string(),
            _ => user.to_string(),
        }
    }
}

fn display_names<'a>(events: &[&'a Event], options: &'a ReportOptions) -> Names<'a> {
    Names {
        latest: events
            .iter()
            .map(|e| (e.author.id.as_str(), e.author.name.as_str()))
            .collect(),
        pseudonym_key: options.pseudonym_key.as_deref(),
    }
}

/// `member-` and 8 hex digits of HMAC-SHA-256(key, user id): the same user
/// gets the same pseudonym in every report made with the same key, and
/// without the key a pseudonym cannot be matched to an id by trying ids.
pub(super) fn pseudonym(key: &[u8], user: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this arm is never taken.
        Err(_) => return "member-?".to_string(),
    };
    mac.update(user.as_bytes());
    format!("member-{}", &hex::encode(mac.finalize().into_bytes())[..8])
}
