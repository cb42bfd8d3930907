//! Reports: turning the store's logs into the KPIs a community manager
//! defines, analyses and presents — activity, engagement, responsiveness,
//! moderation and mood, over a period, each figure with its definition and
//! version, and the watch plugin's share of voice — and presenting them (JSON, CSV, a terminal table, one
//! self-contained HTML file with inline SVG charts).
//!
//! Nothing here reads a store or a clock: [`compute`] is a function of the
//! records ([`Logs`]) and the [`ReportOptions`], so the figures are the
//! same wherever the records come from (the store, or a running host's
//! control socket) and can be checked by hand. `vigie report`
//! (`cli/kpi.rs`) gathers the records and writes the result; the weekly
//! digest ([`weekly`]) posts a summary of each week to the staff.

mod compute;
mod definitions;
mod format;
mod period;
#[cfg(test)]
mod tests;
pub mod weekly;

pub use compute::compute;
pub use definitions::{Definition, Lang, Unit};
pub use format::{render, Format};
pub use period::{time_zone, Period};

use crate::action::DecidedAction;
use crate::contests::{self, Contest};
use crate::store::{AuditRecord, HandledEvent, ReviewItem, ShadowRecord, Store};
use serde::{Deserialize, Serialize};

/// The records a report is made from, as the store returns them.
#[derive(Clone, Copy)]
pub struct Logs<'a> {
    pub events: &'a [HandledEvent],
    pub actions: &'a [DecidedAction],
    pub audit: &'a [AuditRecord],
    pub review: &'a [ReviewItem],
    pub shadow: &'a [ShadowRecord],
    /// The giveaway and poll plugins' contests and polls
    /// ([`contests::list`]).
    pub contests: &'a [Contest],
}

/// The records of [`Logs`], owned: what a report reads from a store.
pub struct OwnedLogs {
    pub events: Vec<HandledEvent>,
    pub actions: Vec<DecidedAction>,
    pub audit: Vec<AuditRecord>,
    pub review: Vec<ReviewItem>,
    pub shadow: Vec<ShadowRecord>,
    pub contests: Vec<Contest>,
}

impl OwnedLogs {
    /// Everything a report needs from `store`. The contests are those of
    /// the scopes found from the action log
    /// ([`contests::scopes_of_actions`]), so no config is needed.
    pub fn read(store: &dyn Store) -> anyhow::Result<OwnedLogs> {
        let (events, rest) = read_beside(
            || store.events(),
            || {
                let actions = store.actions()?;
                let scopes = contests::scopes_of_actions(store, &actions)?;
                Ok((
                    contests::list(store, &scopes)?,
                    actions,
                    store.audit()?,
                    store.review_queue()?,
                    store.shadow_log()?,
                ))
            },
        )?;
        let (contests, actions, audit, review, shadow) = rest;
        Ok(OwnedLogs {
            events,
            actions,
            audit,
            review,
            shadow,
            contests,
        })
    }

    pub fn logs(&self) -> Logs<'_> {
        Logs {
            events: &self.events,
            actions: &self.actions,
            audit: &self.audit,
            review: &self.review,
            shadow: &self.shadow,
            contests: &self.contests,
        }
    }
}

/// What to report on, and how.
pub struct ReportOptions {
    pub period: Period,
    pub time_zone: jiff::tz::TimeZone,
    /// As the report states it (`UTC`, `Europe/Paris`).
    pub time_zone_name: String,
    /// Only this community; all of them when `None`.
    pub community: Option<String>,
    pub lang: Lang,
    /// Also compute the previous period of the same length.
    pub compare_previous: bool,
    /// Users are shown as `member-` and 8 hex digits of HMAC-SHA-256 of
    /// their id keyed by this, instead of their names.
    pub pseudonym_key: Option<Vec<u8>>,
}

/// A report: the figures, series and tables of a period, and the
/// definitions they follow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub community: Option<String>,
    pub period: Period,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_period: Option<Period>,
    pub time_zone: String,
    pub lang: Lang,
    /// The single-number KPIs, in catalogue order.
    pub figures: Vec<Figure>,
    /// One row per calendar day of the period, in the report's time zone.
    pub days: Vec<Day>,
    /// Messages by weekday (Monday first) × hour (0–23).
    pub heatmap: Vec<Vec<u64>>,
    /// For periods up to two days: one row per hour, from the period's
    /// start.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hours: Vec<Hour>,
    pub top_channels: Vec<Ranked>,
    pub top_contributors: Vec<Ranked>,
    /// Every question of the period with its first answer, if any.
    pub questions: Vec<Question>,
    pub moderation: Moderation,
    pub alerts: Vec<AlertMark>,
    /// The watch plugin's topics (brand, products, competitors): each
    /// one's mentions and share of voice, most mentioned first. Empty when
    /// no event of the period was matched by a topic.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub share_of_voice: Vec<Voice>,
    /// The schedule plugin's posts the platforms confirmed in the period,
    /// in time order, each with its first day's reactions and replies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub publications: Vec<Publication>,
    /// The contests and polls that took entries or votes during the
    /// period, in start order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contests: Vec<ContestRow>,
    /// Every KPI's definition, in the report's language.
    pub definitions: Vec<Definition>,
}

impl Report {
    /// The figure `id` (e.g. `activity.messages`).
    pub fn figure(&self, id: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.id == id)
    }

    /// The definition of `id`.
    pub fn definition(&self, id: &str) -> Option<&Definition> {
        self.definitions.iter().find(|d| d.id == id)
    }
}

/// One KPI's value; `None` where it is undefined (a rate with no messages,
/// a median with no answered question).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub id: String,
    pub version: u32,
    pub value: Option<f64>,
    /// With `--compare previous`: the previous period's value…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<f64>,
    /// …and `value − previous`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<f64>,
}

/// A calendar day's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Day {
    /// `2026-11-22`.
    pub date: String,
    pub messages: u64,
    pub active_members: u64,
    pub new_members: u64,
    pub departures: u64,
    pub reactions: u64,
    pub replies: u64,
    pub mood_mean: Option<f64>,
    pub negative_share: Option<f64>,
    pub alerts: u64,
}

/// An hour's figures, for short periods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hour {
    /// RFC 3339, UTC.
    pub start: String,
    /// Its local time in the report's time zone, `09:00`.
    pub label: String,
    pub messages: u64,
    pub mood_mean: Option<f64>,
    pub alerts: u64,
}

/// A row of a ranking: a channel, a user (name or pseudonym), a kind or a
/// rule, and its count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranked {
    pub name: String,
    pub count: u64,
}

/// Who answered a question first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnsweredBy {
    Faq,
    Staff,
    Member,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub by: AnsweredBy,
    /// RFC 3339.
    pub at: String,
    /// Seconds from the question.
    pub wait_s: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub event_id: String,
    pub community: String,
    pub channel: String,
    /// Name or pseudonym.
    pub author: String,
    /// RFC 3339.
    pub asked_at: String,
    pub text: String,
    pub answer: Option<Answer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moderation {
    pub by_kind: Vec<Ranked>,
    /// `plugin · rule`.
    pub by_rule: Vec<Ranked>,
    /// Users (names or pseudonyms) targeted by two actions or more.
    pub repeat_offenders: Vec<Ranked>,
    pub review: ReviewCounts,
}

/// Review-queue decisions made in the period, and items queued in it and
/// still waiting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewCounts {
    pub approved: u64,
    pub rejected: u64,
    pub replaced: u64,
    pub pending: u64,
}

/// One watch topic over the period (KPI `veille.share_of_voice`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Voice {
    /// The topic's id in the watch plugin's config.
    pub topic: String,
    /// Events of the period the topic matched (web mentions and, with the
    /// plugin's `chat_messages`, chat messages).
    pub mentions: u64,
    /// `mentions` over every topic's mentions; `None` with none at all.
    pub share: Option<f64>,
    /// Of `mentions`, those whose sentiment label is ≥ 0.05…
    pub positive: u64,
    /// …and ≤ −0.05 (the watch plugin's default thresholds).
    pub negative: u64,
    /// With `--compare previous`: the previous period's mentions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_mentions: Option<u64>,
    /// Mentions per day, in the order of [`Report::days`].
    pub days: Vec<u64>,
}

/// A scheduled post a platform published (KPI `publications.reach`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Publication {
    /// The post's id in the schedule plugin's config.
    pub post: String,
    pub community: String,
    pub channel: String,
    /// RFC 3339: when the platform confirmed it.
    pub posted_at: String,
    /// Its text's first line, at most 80 characters.
    pub text: String,
    /// Reactions to it and replies to it in its first 24 h; `None` where
    /// the platform gave no id for the message it created (IRC).
    pub reactions: Option<u64>,
    pub replies: Option<u64>,
}

/// `first()` and `second()` at once, on two threads: a report reads the
/// event log and the action log (a million records each for a busy month)
/// beside each other, decoding and allocating on both cores.
pub fn read_beside<A: Send, B: Send>(
    first: impl FnOnce() -> anyhow::Result<A> + Send,
    second: impl FnOnce() -> anyhow::Result<B> + Send,
) -> anyhow::Result<(A, B)> {
    std::thread::scope(|scope| {
        let other = scope.spawn(second);
        let a = first();
        let b = other
            .join()
            .map_err(|_| anyhow::anyhow!("the thread reading the logs panicked"))?;
        Ok((a?, b?))
    })
}

/// A contest or poll of the period (KPI `contests.table`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContestRow {
    pub kind: contests::Kind,
    pub community: String,
    /// The plugin entry's name in the config.
    pub entry: String,
    /// Its number, `#n` in the plugin's messages.
    pub id: u64,
    /// The prize, or the poll's question.
    pub title: String,
    pub channel: String,
    pub status: contests::Status,
    /// RFC 3339: when it opened…
    pub started_at: String,
    /// …and when it stopped taking entries (its deadline, or its end or
    /// cancellation when earlier).
    pub closed_at: String,
    /// Entries (giveaway: people) or ballots (poll), so far while running.
    pub entries: u64,
    /// Members new to the community (joined, or first message) while it
    /// took entries.
    pub new_members: u64,
    /// Giveaway: the winners, shown as the report shows people; empty
    /// before the draw.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub winners: Vec<String>,
    /// Poll: each answer with its ballots, once it ended.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<PollResult>,
}

/// One answer of an ended poll.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PollResult {
    pub answer: String,
    pub ballots: u64,
}

/// A bad-buzz alert, as marked on the mood chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertMark {
    /// RFC 3339: the time of the event (or tick) that raised it.
    pub at: String,
    pub community: String,
    pub channel: String,
    pub message: String,
}
