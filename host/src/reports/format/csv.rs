//! CSV for spreadsheets: one row per KPI for the period, then one row per
//! daily KPI per day.
//!
//! Columns: `kpi,version,scope,value,previous,change`. `scope` is the
//! period as an ISO 8601 interval (`2026-11-22T00:00:00Z/2026-11-23T00:00:00Z`)
//! or a day (`2026-11-22`); `value` is a plain number (shares 0–1, delays
//! in seconds), empty where undefined; `previous` and `change` are filled
//! with `--compare previous`, for period rows. The share of voice adds
//! `veille.share_of_voice.<topic>.mentions` and `.share` rows for the
//! period, and `.mentions` rows per day. Publications add
//! `publications.reach.<post>.reactions` / `.replies` rows, and contests
//! `contests.table.<community>/<entry>#<n>.entries`, `.new_members` and,
//! for an ended poll, `.ballots.<answer number>`.

use super::super::{Day, Report};
use crate::event::format_ms;

/// The daily KPIs: their id and how a day gives them.
type DailyValue = fn(&Day) -> Option<f64>;
const DAILY: &[(&str, DailyValue)] = &[
    ("activity.messages", |d| Some(d.messages as f64)),
    ("activity.active_members", |d| Some(d.active_members as f64)),
    ("activity.new_members", |d| Some(d.new_members as f64)),
    ("activity.departures", |d| Some(d.departures as f64)),
    ("engagement.reactions_per_message", |d| {
        (d.messages > 0).then(|| d.reactions as f64 / d.messages as f64)
    }),
    ("engagement.replies_per_message", |d| {
        (d.messages > 0).then(|| d.replies as f64 / d.messages as f64)
    }),
    ("mood.mean", |d| d.mood_mean),
    ("mood.negative_share", |d| d.negative_share),
    ("mood.alerts", |d| Some(d.alerts as f64)),
];

pub fn render(report: &Report) -> String {
    let mut out = String::from("kpi,version,scope,value,previous,change\n");
    let number = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_default();
    let scope = format!(
        "{}/{}",
        format_ms(report.period.from_ms),
        format_ms(report.period.to_ms)
    );
    for f in &report.figures {
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            f.id,
            f.version,
            scope,
            number(f.value),
            number(f.previous),
            number(f.change)
        ));
    }
    // Share of voice: one row per topic, its id after the KPI's.
    let voice_version = report
        .definition("veille.share_of_voice")
        .map_or(0, |d| d.version);
    for v in &report.share_of_voice {
        out.push_str(&format!(
            "{},{voice_version},{scope},{},{},\n",
            csv_field(&format!("veille.share_of_voice.{}.mentions", v.topic)),
            v.mentions,
            number(v.previous_mentions.map(|n| n as f64))
        ));
        out.push_str(&format!(
            "{},{voice_version},{scope},{},,\n",
            csv_field(&format!("veille.share_of_voice.{}.share", v.topic)),
            number(v.share)
        ));
    }
    for (i, day) in report.days.iter().enumerate() {
        for v in &report.share_of_voice {
            out.push_str(&format!(
                "{},{voice_version},{},{},,\n",
                csv_field(&format!("veille.share_of_voice.{}.mentions", v.topic)),
                day.date,
                v.days.get(i).copied().unwrap_or(0)
            ));
        }
    }
    // Publications: a post's reach, its id after the KPI's, its time as
    // the scope.
    let reach_version = report
        .definition("publications.reach")
        .map_or(0, |d| d.version);
    for p in &report.publications {
        for (what, n) in [("reactions", p.reactions), ("replies", p.replies)] {
            out.push_str(&format!(
                "{},{reach_version},{},{},,\n",
                csv_field(&format!("publications.reach.{}.{what}", p.post)),
                p.posted_at,
                number(n.map(|n| n as f64))
            ));
        }
    }
    // Contests and polls: `contests.table.<community>/<entry>#<n>.<what>`,
    // their opening time as the scope; a poll's ballots per answer as
    // `.ballots.<answer number>`.
    let contests_version = report.definition("contests.table").map_or(0, |d| d.version);
    for c in &report.contests {
        let id = format!("contests.table.{}/{}#{}", c.community, c.entry, c.id);
        let mut rows = vec![
            ("entries".to_string(), c.entries),
            ("new_members".to_string(), c.new_members),
        ];
        for (i, r) in c.results.iter().enumerate() {
            rows.push((format!("ballots.{}", i + 1), r.ballots));
        }
        for (what, n) in rows {
            out.push_str(&format!(
                "{},{contests_version},{},{n},,\n",
                csv_field(&format!("{id}.{what}")),
                c.started_at
            ));
        }
    }
    for day in &report.days {
        for (id, value) in DAILY {
            let version = report.definition(id).map_or(0, |d| d.version);
            out.push_str(&format!(
                "{id},{version},{},{},,\n",
                day.date,
                number(value(day))
            ));
        }
    }
    out
}

/// A field holding a topic id: ids are the user's config keys, so
/// quotes, commas and line breaks are possible.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
