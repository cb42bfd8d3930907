//! One self-contained HTML file: inline CSS and SVG, no script, no font,
//! no image and no link to fetch, so it opens offline, mails as one
//! attachment and prints. Every figure and chart shows its KPI's id,
//! version and formula.

use super::super::{AnsweredBy, Ranked, Report, Unit};
use super::svg::{self, esc};
use super::{human, human_change, period_label, shows, tr, SECTIONS};
use crate::event::format_ms;
use crate::reports::definitions::Lang;
use std::fmt::Write;

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 2em auto; max-width: 60em; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { border-bottom: 2px solid #3b6ea8; padding-bottom: .2em; margin-top: 2em; }
.meta { color: #555; }
table { border-collapse: collapse; margin: .6em 0; }
td, th { padding: .25em .7em; text-align: left; vertical-align: top; }
tr + tr td { border-top: 1px solid #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.def { color: #666; font-size: .85em; }
.kpi { color: #888; font-size: .8em; font-family: ui-monospace, monospace; }
figure { margin: 1.2em 0; break-inside: avoid; }
.chart-title { font-weight: 600; margin-bottom: .3em; }
figcaption { font-size: .85em; color: #555; max-width: 44em; }
svg.chart { max-width: 100%; height: auto; display: block; }
svg .axis { font-size: 10px; fill: #555; }
svg .value { font-size: 10px; fill: #222; }
section { break-inside: avoid-page; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } }
";

pub fn render(report: &Report) -> String {
    let lang = report.lang;
    let mut out = String::new();
    let title = tr(lang, "Community report", "Rapport de communauté");
    let community = report
        .community
        .clone()
        .unwrap_or_else(|| tr(lang, "all communities", "toutes les communautés").to_string());
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{l}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} — {c} — {p}</title><style>{STYLE}</style></head><body>\n<h1>{title} — {c}</h1>\n<p class=\"meta\">{p}: {from} → {to} ({tz}){prev}</p>\n",
        l = if lang == Lang::Fr { "fr" } else { "en" },
        c = esc(&community),
        p = esc(&period_label(report)),
        from = format_ms(report.period.from_ms),
        to = format_ms(report.period.to_ms),
        tz = esc(&report.time_zone),
        prev = match &report.previous_period {
            Some(p) => format!(
                " — {} {} → {}",
                tr(lang, "compared with", "comparé à"),
                format_ms(p.from_ms),
                format_ms(p.to_ms)
            ),
            None => String::new(),
        }
    );
    let labels: Vec<String> = report.days.iter().map(|d| d.date.clone()).collect();
    for (prefix, en, fr) in SECTIONS {
        if !shows(report, prefix) {
            continue;
        }
        let _ = writeln!(
            out,
            "<section id=\"{prefix}\"><h2>{}</h2>",
            tr(lang, en, fr)
        );
        figures_table(&mut out, report, prefix);
        match *prefix {
            "activity" => {
                // One day's daily series would be single bars: a short
                // period is drawn hour by hour instead.
                if report.days.len() == 1 && !report.hours.is_empty() {
                    let hours: Vec<String> = report.hours.iter().map(|h| h.label.clone()).collect();
                    let values: Vec<f64> = report.hours.iter().map(|h| h.messages as f64).collect();
                    let name = kpi_title(report, "activity.messages");
                    let chart = svg::bars(
                        &format!("{name} {}", tr(lang, "by hour", "par heure")),
                        &hours,
                        &values,
                    );
                    figure(&mut out, report, "activity.messages", &chart);
                } else {
                    type Series = fn(&super::super::Day) -> f64;
                    let series: [(&str, Series); 4] = [
                        ("activity.messages", |d| d.messages as f64),
                        ("activity.active_members", |d| d.active_members as f64),
                        ("activity.new_members", |d| d.new_members as f64),
                        ("activity.departures", |d| d.departures as f64),
                    ];
                    for (id, value) in series {
                        let values: Vec<f64> = report.days.iter().map(value).collect();
                        let name = kpi_title(report, id);
                        let chart = svg::bars(
                            &format!("{name} {}", tr(lang, "by day", "par jour")),
                            &labels,
                            &values,
                        );
                        figure(&mut out, report, id, &chart);
                    }
                }
                let weekdays = match lang {
                    Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
                    Lang::Fr => ["lun", "mar", "mer", "jeu", "ven", "sam", "dim"],
                };
                let name = kpi_title(report, "activity.heatmap");
                let chart = svg::heatmap(name, &weekdays, &report.heatmap);
                figure(&mut out, report, "activity.heatmap", &chart);
            }
            "engagement" => {
                ranking(
                    &mut out,
                    report,
                    "engagement.top_channels",
                    kpi_title(report, "engagement.top_channels"),
                    &report.top_channels,
                );
                ranking(
                    &mut out,
                    report,
                    "engagement.top_contributors",
                    kpi_title(report, "engagement.top_contributors"),
                    &report.top_contributors,
                );
            }
            "responsiveness" => questions(&mut out, report),
            "moderation" => {
                ranking(
                    &mut out,
                    report,
                    "moderation.actions",
                    tr(
                        lang,
                        "Moderation actions by kind",
                        "Actions de modération par type",
                    ),
                    &report.moderation.by_kind,
                );
                ranking(
                    &mut out,
                    report,
                    "moderation.actions",
                    tr(
                        lang,
                        "Moderation actions by rule",
                        "Actions de modération par règle",
                    ),
                    &report.moderation.by_rule,
                );
                ranking(
                    &mut out,
                    report,
                    "moderation.repeat_offenders",
                    kpi_title(report, "moderation.repeat_offenders"),
                    &report.moderation.repeat_offenders,
                );
                let r = &report.moderation.review;
                let _ = writeln!(
                    out,
                    "<p>{}: {} · {}: {} · {}: {} · {}: {}</p>",
                    tr(lang, "Review approved", "Revue approuvées"),
                    r.approved,
                    tr(lang, "rejected", "rejetées"),
                    r.rejected,
                    tr(lang, "replaced", "remplacées"),
                    r.replaced,
                    tr(lang, "queued, still pending", "en attente"),
                    r.pending
                );
            }
            "mood" => {
                let hourly = report.days.len() == 1 && !report.hours.is_empty();
                let (points, means, alerts, per): (Vec<String>, Vec<Option<f64>>, Vec<u64>, _) =
                    if hourly {
                        (
                            report.hours.iter().map(|h| h.label.clone()).collect(),
                            report.hours.iter().map(|h| h.mood_mean).collect(),
                            report.hours.iter().map(|h| h.alerts).collect(),
                            tr(lang, "by hour", "par heure"),
                        )
                    } else {
                        (
                            labels.clone(),
                            report.days.iter().map(|d| d.mood_mean).collect(),
                            report.days.iter().map(|d| d.alerts).collect(),
                            tr(lang, "by day", "par jour"),
                        )
                    };
                let name = kpi_title(report, "mood.mean");
                let chart = svg::mood_line(
                    &format!(
                        "{name} {per}, {}",
                        tr(lang, "▼ bad-buzz alerts", "▼ alertes bad buzz")
                    ),
                    &points,
                    &means,
                    &alerts,
                );
                figure(&mut out, report, "mood.mean", &chart);
                if !report.alerts.is_empty() {
                    out.push_str("<ul>");
                    for a in &report.alerts {
                        let _ = write!(
                            out,
                            "<li>▼ {} {} #{} — {}</li>",
                            esc(&a.at),
                            esc(&a.community),
                            esc(&a.channel),
                            esc(&a.message)
                        );
                    }
                    out.push_str("</ul>\n");
                }
                definition_caption(&mut out, report, "mood.alerts");
            }
            "veille" => share_of_voice(&mut out, report, &labels),
            "publications" => publications(&mut out, report),
            "contests" => contests(&mut out, report),
            _ => {}
        }
        out.push_str("</section>\n");
    }
    let _ = write!(
        out,
        "<p class=\"def\">{}</p>\n</body></html>\n",
        tr(
            lang,
            "Made by vigie report from the event, action, audit and review logs. Every figure can be recomputed from its definition.",
            "Produit par vigie report à partir des journaux d'événements, d'actions, d'audit et de revue. Chaque chiffre peut être recalculé d'après sa définition."
        )
    );
    out
}

fn figures_table(out: &mut String, report: &Report, prefix: &str) {
    let lang = report.lang;
    let comparing = report.previous_period.is_some();
    out.push_str("<table>");
    if comparing {
        let _ = write!(
            out,
            "<tr><th></th><th>{}</th><th>{}</th><th>{}</th></tr>",
            tr(lang, "period", "période"),
            tr(lang, "previous", "précédente"),
            tr(lang, "change", "évolution")
        );
    }
    for f in report.figures.iter().filter(|f| f.id.starts_with(prefix)) {
        let Some(d) = report.definition(&f.id) else {
            continue;
        };
        let _ = write!(
            out,
            "<tr><td>{}<br><span class=\"def\">{}</span> <span class=\"kpi\">{} v{}</span></td><td class=\"num\">{}</td>",
            esc(&d.title),
            esc(&d.formula),
            esc(&f.id),
            f.version,
            esc(&human(f.value, d.unit, lang))
        );
        if comparing {
            // No colour for up or down: more is good for some KPIs (answers)
            // and bad for others (unanswered questions, negative share).
            let _ = write!(
                out,
                "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                esc(&human(f.previous, d.unit, lang)),
                esc(&human_change(f.change, d.unit, lang))
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

/// The title of KPI `id` in the report's language.
fn kpi_title<'r>(report: &'r Report, id: &'r str) -> &'r str {
    report.definition(id).map_or(id, |d| d.title.as_str())
}

/// A chart with its KPI's definition under it (its title is in the SVG's
/// own `<title>` for screen readers, and shown above it).
fn figure(out: &mut String, report: &Report, id: &str, chart: &str) {
    out.push_str("<figure>");
    if let Some(title) = chart
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map(|(title, _)| title)
    {
        // Already escaped by the chart.
        let _ = write!(out, "<div class=\"chart-title\">{title}</div>");
    }
    out.push_str(chart);
    definition_caption(out, report, id);
    out.push_str("</figure>\n");
}

fn definition_caption(out: &mut String, report: &Report, id: &str) {
    if let Some(d) = report.definition(id) {
        let _ = write!(
            out,
            "<figcaption><span class=\"kpi\">{} v{}</span> — {}</figcaption>",
            esc(&d.id),
            d.version,
            esc(&d.formula)
        );
    }
}

fn ranking(out: &mut String, report: &Report, id: &str, heading: &str, rows: &[Ranked]) {
    let lang = report.lang;
    let _ = write!(
        out,
        "<figure><div class=\"chart-title\">{}</div><table>",
        esc(heading)
    );
    if rows.is_empty() {
        let _ = write!(out, "<tr><td>{}</td></tr>", tr(lang, "none", "aucun"));
    }
    for r in rows {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
            esc(&r.name),
            r.count
        );
    }
    out.push_str("</table>");
    definition_caption(out, report, id);
    out.push_str("</figure>\n");
}

fn questions(out: &mut String, report: &Report) {
    let lang = report.lang;
    let unanswered: Vec<_> = report
        .questions
        .iter()
        .filter(|q| q.answer.is_none())
        .collect();
    let _ = write!(
        out,
        "<h3>{}</h3>",
        tr(lang, "Unanswered questions", "Questions sans réponse")
    );
    if unanswered.is_empty() {
        let _ = write!(out, "<p>{}</p>", tr(lang, "none", "aucune"));
    } else {
        out.push_str("<table>");
        for q in unanswered {
            let _ = write!(
                out,
                "<tr><td class=\"num\">{}</td><td>{} #{}</td><td>{}</td><td>{}</td></tr>",
                esc(&q.asked_at),
                esc(&q.community),
                esc(&q.channel),
                esc(&q.author),
                esc(&q.text)
            );
        }
        out.push_str("</table>\n");
    }
    definition_caption(out, report, "responsiveness.unanswered");
    let answered: Vec<_> = report
        .questions
        .iter()
        .filter(|q| q.answer.is_some())
        .collect();
    if !answered.is_empty() {
        let _ = write!(
            out,
            "<h3>{}</h3><table>",
            tr(lang, "Answered questions", "Questions répondues")
        );
        for q in answered {
            let Some(a) = &q.answer else { continue };
            let by = match a.by {
                AnsweredBy::Faq => tr(lang, "FAQ plugin", "plugin FAQ"),
                AnsweredBy::Staff => tr(lang, "staff", "équipe"),
                AnsweredBy::Member => tr(lang, "member", "membre"),
            };
            let _ = write!(
                out,
                "<tr><td class=\"num\">{}</td><td>{} #{}</td><td>{}</td><td>{by}</td><td class=\"num\">{}</td></tr>",
                esc(&q.asked_at),
                esc(&q.community),
                esc(&q.channel),
                esc(&q.text),
                esc(&human(Some(a.wait_s), Unit::Seconds, lang))
            );
        }
        out.push_str("</table>\n");
    }
}

/// Each published post with what it drew in its first day.
fn publications(out: &mut String, report: &Report) {
    let lang = report.lang;
    let count = |n: Option<u64>| Cell::Num(n.map_or("—".to_string(), |n| n.to_string()));
    kpi_table(
        out,
        report,
        "publications.reach",
        &[
            tr(lang, "published", "publiée"),
            tr(lang, "post", "publication"),
            tr(lang, "channel", "salon"),
            tr(lang, "text", "texte"),
            tr(lang, "reactions", "réactions"),
            tr(lang, "replies", "réponses"),
        ],
        report.publications.iter().map(|p| {
            vec![
                Cell::Text(p.posted_at.clone()),
                Cell::Text(p.post.clone()),
                Cell::Text(format!("{} #{}", p.community, p.channel)),
                Cell::Text(p.text.clone()),
                count(p.reactions),
                count(p.replies),
            ]
        }),
    );
}

/// Each contest and poll of the period with its participation and
/// result.
fn contests(out: &mut String, report: &Report) {
    let lang = report.lang;
    kpi_table(
        out,
        report,
        "contests.table",
        &[
            tr(lang, "opened", "ouverture"),
            tr(lang, "closed", "clôture"),
            tr(lang, "contest", "concours"),
            tr(lang, "channel", "salon"),
            tr(lang, "entries", "participations"),
            tr(lang, "new members", "nouveaux membres"),
            tr(lang, "result", "résultat"),
        ],
        report.contests.iter().map(|c| {
            vec![
                Cell::Text(c.started_at.clone()),
                Cell::Text(c.closed_at.clone()),
                Cell::Text(format!("{} #{}", super::contest_kind(c.kind, lang), c.id)),
                Cell::Text(format!("{} #{}", c.community, c.channel)),
                Cell::Num(c.entries.to_string()),
                Cell::Num(c.new_members.to_string()),
                Cell::Text(super::contest_result(c, lang)),
            ]
        }),
    );
}

/// A cell of [`kpi_table`]: text, or a number (aligned right).
enum Cell {
    Text(String),
    Num(String),
}

/// A KPI shown as a table: its title, the header row, one row per item,
/// then the KPI's definition. Nothing when there are no rows.
fn kpi_table(
    out: &mut String,
    report: &Report,
    id: &str,
    headers: &[&str],
    rows: impl IntoIterator<Item = Vec<Cell>>,
) {
    let mut rows = rows.into_iter().peekable();
    if rows.peek().is_none() {
        return;
    }
    let _ = write!(out, "<h3>{}</h3><table><tr>", esc(kpi_title(report, id)));
    for header in headers {
        let _ = write!(out, "<th>{}</th>", esc(header));
    }
    out.push_str("</tr>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = match cell {
                Cell::Text(text) => write!(out, "<td>{}</td>", esc(&text)),
                Cell::Num(n) => write!(out, "<td class=\"num\">{}</td>", esc(&n)),
            };
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    definition_caption(out, report, id);
}

/// The topics' mentions as bars, then a table with their shares and
/// sentiment split, and each topic's mentions by day.
fn share_of_voice(out: &mut String, report: &Report, days: &[String]) {
    let lang = report.lang;
    let voices = &report.share_of_voice;
    if voices.is_empty() {
        return;
    }
    let name = kpi_title(report, "veille.share_of_voice");
    let topics: Vec<String> = voices.iter().map(|v| v.topic.clone()).collect();
    let mentions: Vec<f64> = voices.iter().map(|v| v.mentions as f64).collect();
    let chart = svg::bars(name, &topics, &mentions);
    figure(out, report, "veille.share_of_voice", &chart);
    let comparing = report.previous_period.is_some();
    let _ = write!(
        out,
        "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>{}</tr>",
        tr(lang, "topic", "sujet"),
        tr(lang, "mentions", "mentions"),
        tr(lang, "share", "part"),
        tr(lang, "positive", "positives"),
        tr(lang, "negative", "négatives"),
        if comparing {
            format!("<th>{}</th>", tr(lang, "previous", "précédente"))
        } else {
            String::new()
        }
    );
    for v in voices {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            esc(&v.topic),
            v.mentions,
            esc(&human(v.share, Unit::Share, lang)),
            v.positive,
            v.negative
        );
        if comparing {
            let _ = write!(
                out,
                "<td class=\"num\">{}</td>",
                v.previous_mentions.map_or(String::new(), |n| n.to_string())
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    if days.len() > 1 {
        let _ = write!(
            out,
            "<h3>{}</h3><table><tr><th></th>",
            tr(lang, "Mentions by day", "Mentions par jour")
        );
        for v in voices {
            let _ = write!(out, "<th>{}</th>", esc(&v.topic));
        }
        out.push_str("</tr>");
        for (i, day) in days.iter().enumerate() {
            let _ = write!(out, "<tr><td>{}</td>", esc(day));
            for v in voices {
                let _ = write!(
                    out,
                    "<td class=\"num\">{}</td>",
                    v.days.get(i).copied().unwrap_or(0)
                );
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
    }
}
