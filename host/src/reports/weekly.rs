//! The weekly digest: every week, at a local day and time (Monday 09:00 by
//! default), a short summary of the last complete ISO week posted to a
//! staff channel, with the key figures and their change from the week
//! before (`[[digests]]` in `vigie.toml`).
//!
//! Delivery ([`crate::delivery`]) asks [`WeeklyDigest::due_week`] once a
//! minute. The digest of a week has a fixed idempotency key, so it enters
//! the outbox once and is executed once, across restarts: a host that was
//! down at the hour posts it when it starts again, during that week.

use super::definitions::Lang;
use super::format::{human, human_change};
use super::{compute, Logs, Period, Report, ReportOptions, Unit};
use anyhow::{bail, Context, Result};
use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::Deserialize;

/// `[[digests]]`: one community's weekly digest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestConfig {
    /// The connector that posts it; its community is the one reported.
    pub connector: String,
    /// Where: a room or channel the staff read.
    pub channel: String,
    /// The local day it is posted on.
    #[serde(default = "default_day")]
    pub day: String,
    /// The local time, `HH:MM`.
    #[serde(default = "default_at")]
    pub at: String,
    /// An IANA time zone: the week's days and the hour.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    #[serde(default = "default_lang")]
    pub lang: Lang,
}

fn default_day() -> String {
    "monday".into()
}
fn default_at() -> String {
    "09:00".into()
}
fn default_timezone() -> String {
    "UTC".into()
}
fn default_lang() -> Lang {
    Lang::En
}

/// A checked [`DigestConfig`].
#[derive(Debug, Clone)]
pub struct WeeklyDigest {
    pub connector: String,
    pub channel: String,
    pub day: Weekday,
    pub at: Time,
    pub time_zone: TimeZone,
    pub time_zone_name: String,
    pub lang: Lang,
}

impl DigestConfig {
    /// Checks every key; the error names the key.
    pub fn check(&self) -> Result<WeeklyDigest> {
        if self.channel.trim().is_empty() {
            bail!("channel must not be empty");
        }
        let day = match self.day.to_ascii_lowercase().as_str() {
            "monday" | "mon" | "lundi" => Weekday::Monday,
            "tuesday" | "tue" | "mardi" => Weekday::Tuesday,
            "wednesday" | "wed" | "mercredi" => Weekday::Wednesday,
            "thursday" | "thu" | "jeudi" => Weekday::Thursday,
            "friday" | "fri" | "vendredi" => Weekday::Friday,
            "saturday" | "sat" | "samedi" => Weekday::Saturday,
            "sunday" | "sun" | "dimanche" => Weekday::Sunday,
            other => bail!("day = {other:?}: expected a weekday such as \"monday\""),
        };
        let at = parse_hh_mm(&self.at).with_context(|| {
            format!(
                "at = {:?}: expected a local time such as \"09:00\"",
                self.at
            )
        })?;
        let time_zone = TimeZone::get(&self.timezone).with_context(|| {
            format!(
                "timezone = {:?}: not a known time zone (an IANA name such as Europe/Paris)",
                self.timezone
            )
        })?;
        Ok(WeeklyDigest {
            connector: self.connector.clone(),
            channel: self.channel.clone(),
            day,
            at,
            time_zone,
            time_zone_name: self.timezone.clone(),
            lang: self.lang,
        })
    }
}

fn parse_hh_mm(text: &str) -> Option<Time> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
    Time::new(h, m, 0, 0).ok()
}

impl WeeklyDigest {
    /// The ISO week (`2026-W49`) whose digest is due at `now_ms`: the last
    /// complete week before the latest passed (day, at) in the digest's
    /// time zone. It stays the same until the next (day, at).
    pub fn due_week(&self, now_ms: i64) -> Result<String> {
        let now = Timestamp::from_millisecond(now_ms)?.to_zoned_datetime(self.time_zone.clone());
        let back = (now.weekday().to_monday_zero_offset() - self.day.to_monday_zero_offset())
            .rem_euclid(7);
        let mut day = now.date().checked_sub(jiff::Span::new().days(back))?;
        if day.to_datetime(self.at) > now.datetime() {
            day = day.checked_sub(jiff::Span::new().days(7))?;
        }
        // The week before the one the post falls in.
        let in_last_week =
            day.checked_sub(jiff::Span::new().days(day.weekday().to_monday_one_offset() as i64))?;
        let week = in_last_week.iso_week_date();
        Ok(format!("{}-W{:02}", week.year(), week.week()))
    }

    /// The digest's text for `community` over `week`, from the logs; `None`
    /// when the community had no event that week.
    pub fn message(&self, logs: &Logs, community: &str, week: &str) -> Result<Option<String>> {
        let period = Period::iso_week(week, &self.time_zone)?;
        let has_events = logs
            .events
            .iter()
            .any(|h| h.event.community == community && period.contains(h.event.timestamp_ms()));
        if !has_events {
            return Ok(None);
        }
        let options = ReportOptions {
            period,
            time_zone: self.time_zone.clone(),
            time_zone_name: self.time_zone_name.clone(),
            community: Some(community.to_string()),
            lang: self.lang,
            compare_previous: true,
            pseudonym_key: None,
        };
        let report = compute(logs, &options)?;
        Ok(Some(text(&report, community, week)))
    }
}

/// The digest: a title line, then activity, questions, moderation and
/// mood, and the share of voice when the watch plugin runs, each figure
/// with its change from the previous week.
pub fn text(report: &Report, community: &str, week: &str) -> String {
    let lang = report.lang;
    let fr = lang == Lang::Fr;
    let show = |id: &str| -> String {
        let Some(f) = report.figure(id) else {
            return "—".into();
        };
        let unit = report.definition(id).map_or(Unit::Count, |d| d.unit);
        let value = human(f.value, unit, lang);
        match human_change(f.change, unit, lang) {
            change if change.is_empty() => value,
            change => format!("{value} ({change})"),
        }
    };
    let first = report.days.first().map_or("", |d| d.date.as_str());
    let last = report.days.last().map_or("", |d| d.date.as_str());
    let mut lines = vec![if fr {
        format!("Bilan de la semaine — {community} — {week} (du {first} au {last})")
    } else {
        format!("Weekly report — {community} — {week} ({first} to {last})")
    }];
    lines.push(if fr {
        format!(
            "Messages : {} · membres actifs : {} · nouveaux membres : {} · départs : {}",
            show("activity.messages"),
            show("activity.active_members"),
            show("activity.new_members"),
            show("activity.departures")
        )
    } else {
        format!(
            "Messages: {} · active members: {} · new members: {} · departures: {}",
            show("activity.messages"),
            show("activity.active_members"),
            show("activity.new_members"),
            show("activity.departures")
        )
    });
    lines.push(if fr {
        format!(
            "Questions : {} · sans réponse : {} · répondues par la FAQ : {} · première réponse (médiane) : {}",
            show("responsiveness.questions"),
            show("responsiveness.unanswered"),
            show("responsiveness.deflection"),
            show("responsiveness.first_answer_median")
        )
    } else {
        format!(
            "Questions: {} · unanswered: {} · answered by the FAQ: {} · first answer (median): {}",
            show("responsiveness.questions"),
            show("responsiveness.unanswered"),
            show("responsiveness.deflection"),
            show("responsiveness.first_answer_median")
        )
    });
    lines.push(if fr {
        format!(
            "Actions de modération : {} · humeur : {} · part négative : {} · alertes bad buzz : {}",
            show("moderation.actions"),
            show("mood.mean"),
            show("mood.negative_share"),
            show("mood.alerts")
        )
    } else {
        format!(
            "Moderation actions: {} · mood: {} · negative share: {} · bad-buzz alerts: {}",
            show("moderation.actions"),
            show("mood.mean"),
            show("mood.negative_share"),
            show("mood.alerts")
        )
    });
    if !report.share_of_voice.is_empty() {
        let voices: Vec<String> = report
            .share_of_voice
            .iter()
            .map(|v| format!("{} {}", v.topic, human(v.share, Unit::Share, lang)))
            .collect();
        lines.push(format!(
            "{} {}",
            if fr {
                "Part de voix :"
            } else {
                "Share of voice:"
            },
            voices.join(", ")
        ));
    }
    lines.push(if fr {
        format!("Rapport complet : vigie report --community {community} --week {week}")
    } else {
        format!("Full report: vigie report --community {community} --week {week}")
    });
    lines.join("\n")
}
