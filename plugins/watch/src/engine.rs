//! What the plugin does with an event (match, label, count, alert) and on
//! a tick (the daily digest, housekeeping). Plain Rust over [`Host`].
//!
//! Keys in the key-value store (all per community):
//! - `h/<topic>/<hour>` and `hn/<topic>/<hour>`: mentions and negative
//!   mentions in one UTC hour (`<hour>` = ms since the epoch / 3 600 000);
//!   the spike and negative-share baselines;
//! - `d/<date>/<topic>/<n|pos|neg>`: mentions, positive and negative ones on
//!   a local day (the digest, the share of voice);
//! - `m/<date>/<event id>`: one matched event for the digest's top list;
//! - `src/<source>`: the day a source was first seen; `new/<date>/<source>`;
//! - `spike/<topic>/<hour>`, `negshare/<topic>`, `digest/last`: what was
//!   already said, so nothing is said twice.

use crate::config::{Config, Topic};
use crate::messages;
use crate::query::Doc;
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use vigie_sdk::{Action, AlertAction, Event, EventKind, Host, LabelAction, Severity};
use vigie_text::Lang;

/// The label key each matched topic gets (note: the topic id; value: the
/// sentiment score, 0 when no sentiment label came before).
pub const TOPIC_LABEL: &str = "watch.topic";
/// Host labels on feed events (see docs/connectors.md).
pub const LINK_LABEL: &str = "vigie.link";
pub const TITLE_LABEL: &str = "vigie.title";
pub const SOURCE_LABEL: &str = "vigie.source";
pub const IMPORTANT_LABEL: &str = "vigie.important";

const HOUR_MS: i64 = 3_600_000;
/// Days of hourly counts, daily counts and digest records kept.
const KEEP_DAYS: i64 = 62;
/// The most records the digest reads for one day.
const DAY_RECORDS: u32 = 2000;

/// Sentiment of a mention, from the threshold config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mood {
    Positive,
    Neutral,
    Negative,
}

/// A matched event as the digest remembers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub topics: Vec<String>,
    pub title: String,
    pub link: Option<String>,
    pub source: String,
    pub sentiment: Option<f64>,
    pub important: bool,
    pub ts: i64,
}

/// What the plugin reads of an event.
pub struct Seen<'a> {
    pub event: &'a Event,
    pub title: Option<&'a str>,
    pub link: Option<&'a str>,
    pub source: String,
    pub important: bool,
    pub sentiment: Option<f64>,
    pub lang: Lang,
}

fn note<'a>(event: &'a Event, key: &str) -> Option<&'a str> {
    event
        .labels
        .iter()
        .find(|l| l.key == key && l.plugin == "vigie")
        .and_then(|l| l.note.as_deref())
}

impl<'a> Seen<'a> {
    pub fn of(config: &Config, event: &'a Event) -> Seen<'a> {
        let sentiment_label = event
            .labels
            .iter()
            .rev()
            .find(|l| l.key == config.sentiment_label && l.value.is_finite());
        let source = note(event, SOURCE_LABEL)
            .map(str::to_string)
            .unwrap_or_else(|| format!("{} #{}", event.platform, event.channel));
        let folded = vigie_text::fold(&source);
        let important = event
            .labels
            .iter()
            .any(|l| l.key == IMPORTANT_LABEL && l.plugin == "vigie" && l.value > 0.0)
            || config.important_sources.contains(&folded);
        let lang = match sentiment_label.and_then(|l| l.note.as_deref()) {
            Some("fr") => Lang::Fr,
            Some("en") => Lang::En,
            _ => vigie_text::guess_lang(&event.text, config.lang),
        };
        Seen {
            event,
            title: note(event, TITLE_LABEL),
            link: note(event, LINK_LABEL),
            source,
            important,
            sentiment: sentiment_label.map(|l| l.value),
            lang,
        }
    }

    fn mood(&self, config: &Config) -> Mood {
        match self.sentiment {
            Some(s) if s <= config.negative_below => Mood::Negative,
            Some(s) if s >= config.positive_above => Mood::Positive,
            _ => Mood::Neutral,
        }
    }
}

/// The local date of an instant.
pub fn local_date(config: &Config, ts_ms: i64) -> Option<Date> {
    Timestamp::from_millisecond(ts_ms)
        .ok()
        .map(|t| t.to_zoned_datetime(config.timezone.clone()).date())
}

/// `«…text around the match…»`, one line, at most ~160 characters.
pub fn quote(text: &str, span: Option<(usize, usize)>) -> String {
    const SIDE: usize = 70;
    let (a, b) = span.unwrap_or((0, 0));
    let before: Vec<char> = text[..a].chars().collect();
    let after: Vec<char> = text[b..].chars().collect();
    let cut_before = before.len() > SIDE;
    let cut_after = after.len() > SIDE + (SIDE - before.len().min(SIDE));
    let keep_after = SIDE + (SIDE - before.len().min(SIDE));
    let mut s = String::new();
    if cut_before {
        s.push('…');
    }
    s.extend(&before[before.len().saturating_sub(SIDE)..]);
    s.push_str(&text[a..b]);
    s.extend(after.iter().take(keep_after));
    if cut_after {
        s.push('…');
    }
    let one_line: Vec<&str> = s.split_whitespace().collect();
    format!("«{}»", one_line.join(" "))
}

/// Handles one event.
pub fn handle(config: &Config, host: &mut impl Host, event: &Event) -> Vec<Action> {
    let wanted = match event.kind {
        EventKind::Mention => true,
        EventKind::Message => config.chat_messages,
        _ => false,
    };
    if !wanted || event.author.is_staff || event.text.trim().is_empty() {
        return Vec::new();
    }
    let seen = Seen::of(config, event);
    let doc = Doc::new(
        &event.text,
        seen.title,
        &event.author.name,
        Some(&seen.source),
        seen.link,
        Some(seen.lang),
    );
    let matched: Vec<(&Topic, Option<(usize, usize)>)> = config
        .topics
        .iter()
        .filter_map(|t| t.query.find(&doc).map(|span| (t, span)))
        .collect();
    if matched.is_empty() {
        return Vec::new();
    }
    let mood = seen.mood(config);
    let mut actions = Vec::new();
    for (topic, span) in &matched {
        actions.push(Action::Label(LabelAction {
            key: TOPIC_LABEL.into(),
            value: seen.sentiment.unwrap_or(0.0),
            note: Some(topic.id.clone()),
            reason: format!("watch: topic {} {}", topic.id, quote(&event.text, *span)),
        }));
    }
    let first_span = matched.iter().find_map(|(_, s)| *s);
    let quoted = quote(&event.text, first_span);
    let ts = event.timestamp_ms;
    let hour = ts.div_euclid(HOUR_MS);
    let date = local_date(config, ts);
    // Counts first: the alerts read them.
    let mut counts = Vec::new();
    for (topic, _) in &matched {
        let n = host
            .kv_increment(&format!("h/{}/{hour}", topic.id), 1)
            .unwrap_or(0);
        if mood == Mood::Negative {
            let _ = host.kv_increment(&format!("hn/{}/{hour}", topic.id), 1);
        }
        if let Some(date) = date {
            let _ = host.kv_increment(&format!("d/{date}/{}/n", topic.id), 1);
            match mood {
                Mood::Positive => {
                    let _ = host.kv_increment(&format!("d/{date}/{}/pos", topic.id), 1);
                }
                Mood::Negative => {
                    let _ = host.kv_increment(&format!("d/{date}/{}/neg", topic.id), 1);
                }
                Mood::Neutral => {}
            }
        }
        counts.push(n);
    }
    if let Some(date) = date {
        let record = Record {
            topics: matched.iter().map(|(t, _)| t.id.clone()).collect(),
            title: seen
                .title
                .map(str::to_string)
                .unwrap_or_else(|| quote(&event.text, first_span)),
            link: seen.link.map(str::to_string),
            source: seen.source.clone(),
            sentiment: seen.sentiment,
            important: seen.important,
            ts,
        };
        if let Ok(json) = serde_json::to_vec(&record) {
            let _ = host.kv_set(&format!("m/{date}/{}", event.id), &json);
        }
        let folded = vigie_text::fold(&seen.source).replace('/', "_");
        let key = format!("src/{folded}");
        if host.kv_get(&key).is_none() {
            let _ = host.kv_set(&key, date.to_string().as_bytes());
            let _ = host.kv_set(&format!("new/{date}/{folded}"), seen.source.as_bytes());
        }
    }
    let lang = config.lang;
    let link = seen.link.unwrap_or("");
    // 0. Topics that notify on every match.
    let notified: Vec<&str> = matched
        .iter()
        .filter(|(t, _)| t.notify)
        .map(|(t, _)| t.name.as_str())
        .collect();
    if !notified.is_empty() {
        actions.push(alert(
            messages::new_mention(lang, &notified, &seen.source, &quoted, link),
            format!("watch: mention of {}", notified.join(", ")),
        ));
    }
    // 1. A negative mention from a source that matters.
    if seen.important && mood == Mood::Negative {
        let names: Vec<&str> = matched.iter().map(|(t, _)| t.name.as_str()).collect();
        actions.push(alert(
            messages::important_negative(lang, &names, &seen.source, &quoted, link),
            format!(
                "watch: negative mention from important source {}",
                seen.source
            ),
        ));
    }
    for ((topic, _), count) in matched.iter().zip(counts) {
        // 2. A spike over the topic's own baseline.
        if config.spike.enabled {
            if let Some(a) = spike(config, host, topic, hour, count, &quoted, link) {
                actions.push(a);
            }
        }
        // 3. A jump of the negative share.
        if config.negative_share.enabled && mood == Mood::Negative {
            if let Some(a) = negative_share(config, host, topic, hour, ts, &quoted, link) {
                actions.push(a);
            }
        }
    }
    actions
}

fn alert(message: String, reason: String) -> Action {
    Action::Alert(AlertAction {
        severity: Severity::Warning,
        message,
        reason,
    })
}

/// Mean and standard deviation (population) of the same hour on each of
/// the `days` days before.
pub fn baseline(host: &mut impl Host, topic: &str, hour: i64, days: u32) -> (f64, f64) {
    let values: Vec<f64> = (1..=days as i64)
        .map(|d| host.kv_get_i64(&format!("h/{topic}/{}", hour - 24 * d)) as f64)
        .collect();
    let n = values.len().max(1) as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

fn spike(
    config: &Config,
    host: &mut impl Host,
    topic: &Topic,
    hour: i64,
    count: i64,
    quoted: &str,
    link: &str,
) -> Option<Action> {
    let s = &config.spike;
    if count < s.min_count as i64 {
        return None;
    }
    let (mean, sd) = baseline(host, &topic.id, hour, s.baseline_days);
    if (count as f64) <= mean + s.k * sd {
        return None;
    }
    let said = format!("spike/{}/{hour}", topic.id);
    if host.kv_get(&said).is_some() {
        return None;
    }
    let _ = host.kv_set(&said, (hour * HOUR_MS).to_string().as_bytes());
    let local_hour = Timestamp::from_millisecond(hour * HOUR_MS)
        .ok()
        .map(|t| t.to_zoned_datetime(config.timezone.clone()).hour())
        .unwrap_or(0);
    Some(alert(
        messages::spike(
            config.lang,
            &topic.name,
            count,
            local_hour,
            mean,
            sd,
            s.baseline_days,
            quoted,
            link,
        ),
        format!(
            "watch: spike for {}: {count} mentions this hour > {mean:.2} + {}×{sd:.2}",
            topic.id, s.k
        ),
    ))
}

/// Mentions and negative mentions of `topic` in `hours` hours ending with `last`.
fn sums(host: &mut impl Host, topic: &str, last: i64, hours: i64) -> (i64, i64) {
    let (mut n, mut neg) = (0, 0);
    for h in (last - hours + 1)..=last {
        n += host.kv_get_i64(&format!("h/{topic}/{h}"));
        neg += host.kv_get_i64(&format!("hn/{topic}/{h}"));
    }
    (n, neg)
}

fn negative_share(
    config: &Config,
    host: &mut impl Host,
    topic: &Topic,
    hour: i64,
    ts: i64,
    quoted: &str,
    link: &str,
) -> Option<Action> {
    let c = &config.negative_share;
    let (n, neg) = sums(host, &topic.id, hour, 24);
    if neg < c.min_negative as i64 || n == 0 {
        return None;
    }
    let share = neg as f64 / n as f64;
    if share < c.min_share {
        return None;
    }
    let (bn, bneg) = sums(host, &topic.id, hour - 24, 24 * c.baseline_days as i64);
    let base = if bn == 0 {
        0.0
    } else {
        bneg as f64 / bn as f64
    };
    if share < base + c.jump {
        return None;
    }
    // Once a day per topic.
    let said = format!("negshare/{}", topic.id);
    if host
        .kv_get_string(&said)
        .and_then(|s| s.parse::<i64>().ok())
        .is_some_and(|at| ts - at < 24 * HOUR_MS)
    {
        return None;
    }
    let _ = host.kv_set(&said, ts.to_string().as_bytes());
    Some(alert(
        messages::negative_share(config.lang, &topic.name, neg, n, share, base, quoted, link),
        format!(
            "watch: negative share for {}: {neg}/{n} in 24 h, baseline {:.0}%",
            topic.id,
            base * 100.0
        ),
    ))
}

/// Mentions of one topic on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayCount {
    pub mentions: i64,
    pub positive: i64,
    pub negative: i64,
}

/// A topic's counts on a local day.
pub fn day_count(host: &mut impl Host, date: Date, topic: &str) -> DayCount {
    DayCount {
        mentions: host.kv_get_i64(&format!("d/{date}/{topic}/n")),
        positive: host.kv_get_i64(&format!("d/{date}/{topic}/pos")),
        negative: host.kv_get_i64(&format!("d/{date}/{topic}/neg")),
    }
}

/// Share of voice of each topic over `days` local days ending with `last`:
/// (topic id, mentions, share in [0, 1]); shares are of all topics'
/// mentions (an event matching two topics counts for both).
pub fn share_of_voice(
    config: &Config,
    host: &mut impl Host,
    last: Date,
    days: i64,
) -> Vec<(String, i64, f64)> {
    let mut counts = Vec::new();
    for t in &config.topics {
        let mut n = 0;
        for d in 0..days {
            if let Ok(date) = last.checked_sub(jiff::Span::new().days(d)) {
                n += day_count(host, date, &t.id).mentions;
            }
        }
        counts.push((t.id.clone(), n));
    }
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    counts
        .into_iter()
        .map(|(id, n)| {
            let share = if total == 0 {
                0.0
            } else {
                n as f64 / total as f64
            };
            (id, n, share)
        })
        .collect()
}

/// The digest of local day `date`: `None` when nothing was matched.
pub fn digest(config: &Config, host: &mut impl Host, date: Date) -> Option<String> {
    let prefix = format!("m/{date}/");
    let mut records: Vec<Record> = host
        .kv_list(&prefix, DAY_RECORDS)
        .into_iter()
        .filter_map(|k| host.kv_get(&k))
        .filter_map(|v| serde_json::from_slice(&v).ok())
        .collect();
    if records.is_empty() {
        return None;
    }
    // Important sources first, then the strongest feelings, then the latest.
    records.sort_by(|a, b| {
        b.important
            .cmp(&a.important)
            .then(
                b.sentiment
                    .unwrap_or(0.0)
                    .abs()
                    .total_cmp(&a.sentiment.unwrap_or(0.0).abs()),
            )
            .then(b.ts.cmp(&a.ts))
    });
    let (mut pos, mut neg) = (0, 0);
    for r in &records {
        match r.sentiment {
            Some(s) if s <= config.negative_below => neg += 1,
            Some(s) if s >= config.positive_above => pos += 1,
            _ => {}
        }
    }
    let total = records.len() as i64;
    let day = share_of_voice(config, host, date, 1);
    let week = share_of_voice(config, host, date, 7);
    let sov: Vec<messages::Voice> = config
        .topics
        .iter()
        .zip(day.iter().zip(&week))
        .map(|(t, ((_, dn, ds), (_, wn, ws)))| messages::Voice {
            name: t.name.clone(),
            kind: t.kind,
            day: (*dn, *ds),
            week: (*wn, *ws),
            split: day_count(host, date, &t.id),
        })
        .collect();
    let names = |ids: &[String]| -> Vec<String> {
        ids.iter()
            .map(|id| {
                config
                    .topics
                    .iter()
                    .find(|t| &t.id == id)
                    .map_or(id.clone(), |t| t.name.clone())
            })
            .collect()
    };
    let top: Vec<messages::TopLine> = records
        .iter()
        .take(config.digest_top)
        .map(|r| messages::TopLine {
            topics: names(&r.topics),
            title: r.title.clone(),
            source: r.source.clone(),
            link: r.link.clone(),
            mood: match r.sentiment {
                Some(s) if s <= config.negative_below => Mood::Negative,
                Some(s) if s >= config.positive_above => Mood::Positive,
                _ => Mood::Neutral,
            },
            important: r.important,
        })
        .collect();
    let new_prefix = format!("new/{date}/");
    let mut new_sources: Vec<String> = host
        .kv_list(&new_prefix, 100)
        .into_iter()
        .filter_map(|k| host.kv_get_string(&k))
        .collect();
    new_sources.sort();
    Some(messages::digest(
        config.lang,
        &messages::DigestData {
            date,
            timezone: &config.timezone_name,
            total,
            positive: pos,
            negative: neg,
            voices: sov,
            top,
            new_sources,
        },
    ))
}

/// A tick: the digest when its local time has come (once a day, for the
/// day before), and housekeeping.
pub fn tick(config: &Config, host: &mut impl Host, now: i64) -> Vec<Action> {
    let mut actions = Vec::new();
    let Ok(ts) = Timestamp::from_millisecond(now) else {
        return actions;
    };
    let local = ts.to_zoned_datetime(config.timezone.clone());
    if let (Some((h, m)), Some(channel)) = (config.digest_at, &config.staff_channel) {
        let today = local.date();
        let due = (local.hour(), local.minute()) >= (h, m);
        let last = host.kv_get_string("digest/last");
        if due && last.as_deref() != Some(today.to_string().as_str()) {
            let _ = host.kv_set("digest/last", today.to_string().as_bytes());
            if let Ok(yesterday) = today.yesterday() {
                if let Some(text) = digest(config, host, yesterday) {
                    actions.push(vigie_sdk::act::post(
                        channel,
                        text,
                        format!("watch: daily digest of {yesterday}"),
                    ));
                }
            }
        }
    }
    sweep(config, host, now);
    actions
}

/// Deletes counts and records older than [`KEEP_DAYS`], a bounded number
/// per tick (the oldest sort first).
fn sweep(config: &Config, host: &mut impl Host, now: i64) {
    let old_hour = now.div_euclid(HOUR_MS) - KEEP_DAYS * 24;
    for t in &config.topics {
        for p in ["h", "hn", "spike"] {
            let prefix = format!("{p}/{}/", t.id);
            for key in host.kv_list(&prefix, 200) {
                match key[prefix.len()..].parse::<i64>() {
                    Ok(h) if h < old_hour => host.kv_delete(&key),
                    Ok(_) => break,
                    Err(_) => host.kv_delete(&key),
                }
            }
        }
    }
    let Some(cutoff) = local_date(config, now - KEEP_DAYS * 24 * HOUR_MS) else {
        return;
    };
    let cutoff = cutoff.to_string();
    for p in ["d/", "m/", "new/"] {
        for key in host.kv_list(p, 200) {
            let date = key[p.len()..].split('/').next().unwrap_or("");
            if date < cutoff.as_str() {
                host.kv_delete(&key);
            } else {
                break;
            }
        }
    }
}
