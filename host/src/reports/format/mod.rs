//! A report written out: JSON (the [`Report`] as serde writes it), CSV
//! (one row per KPI per period and per day), a terminal table, or one
//! self-contained HTML file with inline SVG charts.

mod csv;
mod html;
mod svg;
mod text;

use super::definitions::{Lang, Unit};
use super::Report;
use anyhow::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Html,
    Csv,
    Json,
    Text,
}

/// The report in `format`.
pub fn render(report: &Report, format: Format) -> Result<String> {
    Ok(match format {
        Format::Json => {
            let mut json = serde_json::to_string_pretty(report)?;
            json.push('\n');
            json
        }
        Format::Csv => csv::render(report),
        Format::Text => text::render(report),
        Format::Html => html::render(report),
    })
}

/// `en` or `fr`, by the report's language.
fn tr(lang: Lang, en: &'static str, fr: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Fr => fr,
    }
}

/// The period as asked for, in the report's language.
fn period_label(report: &Report) -> String {
    match report.period.label.as_str() {
        "whole log" => tr(report.lang, "whole log", "tout le journal").to_string(),
        label => label.to_string(),
    }
}

/// A value for people: counts whole, shares in percent, delays in minutes
/// and seconds; `—` when undefined.
pub(super) fn human(value: Option<f64>, unit: Unit, lang: Lang) -> String {
    let Some(v) = value else {
        return "—".to_string();
    };
    let decimal = |text: String| match lang {
        Lang::En => text,
        Lang::Fr => text.replace('.', ","),
    };
    match unit {
        Unit::Count | Unit::Table => format!("{v:.0}"),
        Unit::Share => decimal(format!("{:.1} %", v * 100.0)),
        Unit::Rate => decimal(format!("{v:.2}")),
        Unit::Score => decimal(format!("{v:+.2}")),
        Unit::Seconds => duration(v),
    }
}

/// A change for people: the difference in the figure's unit (percentage
/// points for shares).
pub(super) fn human_change(change: Option<f64>, unit: Unit, lang: Lang) -> String {
    let Some(c) = change else {
        return String::new();
    };
    let sign = if c >= 0.0 { "+" } else { "−" };
    let magnitude = match unit {
        Unit::Share => {
            let pts = format!("{:.1} pts", c.abs() * 100.0);
            if lang == Lang::Fr {
                pts.replace('.', ",")
            } else {
                pts
            }
        }
        _ => human(Some(c.abs()), unit, lang),
    };
    format!("{sign}{magnitude}")
}

fn duration(seconds: f64) -> String {
    let s = seconds.round() as i64;
    match s {
        _ if s < 60 => format!("{s} s"),
        _ if s < 3600 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
    }
}

/// The sections of a report, with the figures each shows.
const SECTIONS: &[(&str, &str, &str)] = &[
    ("activity", "Activity", "Activité"),
    ("engagement", "Engagement", "Engagement"),
    ("responsiveness", "Responsiveness", "Réactivité"),
    ("moderation", "Moderation", "Modération"),
    ("mood", "Mood", "Humeur"),
    ("veille", "Veille (web watch)", "Veille"),
    ("publications", "Publications", "Publications"),
    ("contests", "Contests and polls", "Concours et sondages"),
];

/// Whether a section has anything to show: the veille section only when
/// the watch plugin matched something (in the period or the previous one),
/// the publications section only when the schedule plugin published
/// something (in the period or the previous one), the contests section
/// only when a contest or poll took entries (idem).
fn shows(report: &Report, prefix: &str) -> bool {
    let positive = |id: &str| {
        report
            .figure(id)
            .is_some_and(|f| f.value.or(f.previous).is_some_and(|v| v > 0.0))
    };
    match prefix {
        "veille" => !report.share_of_voice.is_empty() || positive("veille.alerts"),
        "publications" => !report.publications.is_empty() || positive("publications.posts"),
        "contests" => !report.contests.is_empty() || positive("contests.run"),
        _ => true,
    }
}

/// `giveaway` / `concours`, `poll` / `sondage`.
fn contest_kind(kind: crate::contests::Kind, lang: Lang) -> &'static str {
    match kind {
        crate::contests::Kind::Giveaway => tr(lang, "giveaway", "concours"),
        crate::contests::Kind::Poll => tr(lang, "poll", "sondage"),
    }
}

/// A contest's result in a line: its title and winners, or its question
/// and each answer's ballots; its status while it has none.
fn contest_result(c: &super::ContestRow, lang: Lang) -> String {
    use crate::contests::Status;
    let outcome = if !c.winners.is_empty() {
        c.winners.join(", ")
    } else if !c.results.is_empty() {
        c.results
            .iter()
            .map(|r| format!("{} {}", r.answer, r.ballots))
            .collect::<Vec<_>>()
            .join(" · ")
    } else {
        match c.status {
            Status::Running => tr(lang, "running", "en cours").to_string(),
            Status::Cancelled => tr(lang, "cancelled", "annulé").to_string(),
            Status::Ended => tr(lang, "ended, no result", "terminé, sans résultat").to_string(),
        }
    };
    format!("{} → {outcome}", c.title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_people_write_them() {
        assert_eq!(human(Some(0.4286), Unit::Share, Lang::Fr), "42,9 %");
        assert_eq!(human(Some(95.0), Unit::Seconds, Lang::En), "1 min 35 s");
        assert_eq!(human(Some(7322.0), Unit::Seconds, Lang::En), "2 h 02 min");
        assert_eq!(human(None, Unit::Rate, Lang::En), "—");
        assert_eq!(human_change(Some(-0.05), Unit::Share, Lang::En), "−5.0 pts");
        assert_eq!(human_change(Some(3.0), Unit::Count, Lang::En), "+3");
    }
}
