//! The terminal table: each section's figures with their previous value
//! and change, then the rankings, the unanswered questions and the alerts.
//! Definitions are in the HTML and JSON (and `docs/reports.md`); here each
//! figure names its KPI id and version.

use super::super::{Lang, Ranked, Report, Unit};
use super::{contest_kind, contest_result, human, human_change, period_label, shows, tr, SECTIONS};
use crate::event::format_ms;

pub fn render(report: &Report) -> String {
    let lang = report.lang;
    let mut out = String::new();
    let title = tr(lang, "Vigie report", "Rapport Vigie");
    let community = report
        .community
        .clone()
        .unwrap_or_else(|| tr(lang, "all communities", "toutes les communautés").to_string());
    out.push_str(&format!(
        "{title} — {community} — {} ({} → {}, {})\n",
        period_label(report),
        format_ms(report.period.from_ms),
        format_ms(report.period.to_ms),
        report.time_zone
    ));
    let comparing = report.previous_period.is_some();
    if comparing {
        out.push_str(&format!(
            "\n  {:<44} {:>12}  {:>12} {:>12}\n",
            "",
            tr(lang, "period", "période"),
            tr(lang, "previous", "précédente"),
            tr(lang, "change", "évolution")
        ));
    }
    for (prefix, en, fr) in SECTIONS {
        if !shows(report, prefix) {
            continue;
        }
        out.push_str(&format!("\n{}\n", tr(lang, en, fr).to_uppercase()));
        for f in report.figures.iter().filter(|f| f.id.starts_with(prefix)) {
            let Some(d) = report.definition(&f.id) else {
                continue;
            };
            out.push_str(&format!(
                "  {:<44} {:>12}",
                d.title,
                human(f.value, d.unit, lang)
            ));
            if comparing {
                out.push_str(&format!(
                    "  {:>12} {:>12}",
                    human(f.previous, d.unit, lang),
                    human_change(f.change, d.unit, lang)
                ));
            }
            out.push_str(&format!("   {} v{}\n", f.id, f.version));
        }
        match *prefix {
            "activity" => {
                out.push_str(&format!(
                    "  {}\n",
                    tr(
                        lang,
                        "By day: messages / active / new / departures",
                        "Par jour : messages / actifs / nouveaux / départs"
                    )
                ));
                for day in &report.days {
                    out.push_str(&format!(
                        "    {}  {:>5} {:>5} {:>5} {:>5}\n",
                        day.date, day.messages, day.active_members, day.new_members, day.departures
                    ));
                }
                ranking(
                    &mut out,
                    lang,
                    tr(lang, "Busiest hours", "Heures les plus actives"),
                    &busiest_hours(report),
                );
            }
            "engagement" => {
                ranking(
                    &mut out,
                    lang,
                    tr(lang, "Top channels", "Salons les plus actifs"),
                    &report.top_channels,
                );
                ranking(
                    &mut out,
                    lang,
                    tr(lang, "Top contributors", "Principaux contributeurs"),
                    &report.top_contributors,
                );
            }
            "responsiveness" => {
                let unanswered: Vec<_> = report
                    .questions
                    .iter()
                    .filter(|q| q.answer.is_none())
                    .collect();
                if !unanswered.is_empty() {
                    out.push_str(&format!(
                        "  {}\n",
                        tr(lang, "Unanswered questions:", "Questions sans réponse :")
                    ));
                    for q in unanswered {
                        out.push_str(&format!(
                            "    {} {} #{} {}: {}\n",
                            q.asked_at,
                            q.community,
                            q.channel,
                            q.author,
                            shorten(&q.text, 70)
                        ));
                    }
                }
            }
            "moderation" => {
                ranking(
                    &mut out,
                    lang,
                    tr(lang, "By kind", "Par type"),
                    &report.moderation.by_kind,
                );
                ranking(
                    &mut out,
                    lang,
                    tr(lang, "By rule", "Par règle"),
                    &report.moderation.by_rule,
                );
                ranking(
                    &mut out,
                    lang,
                    tr(lang, "Repeat offenders", "Récidivistes"),
                    &report.moderation.repeat_offenders,
                );
                let r = &report.moderation.review;
                out.push_str(&format!(
                    "  {}{} {} / {} / {} / {}\n",
                    tr(
                        lang,
                        "Review approved / rejected / replaced / pending",
                        "Revue approuvées / rejetées / remplacées / en attente"
                    ),
                    colon(lang),
                    r.approved,
                    r.rejected,
                    r.replaced,
                    r.pending
                ));
            }
            "mood" => {
                for day in &report.days {
                    out.push_str(&format!(
                        "    {}  {:>6}  {:>7}  {}\n",
                        day.date,
                        human(day.mood_mean, Unit::Score, lang),
                        human(day.negative_share, Unit::Share, lang),
                        "⚠".repeat(day.alerts as usize)
                    ));
                }
                for a in &report.alerts {
                    out.push_str(&format!(
                        "  ⚠ {} {} #{}: {}\n",
                        a.at,
                        a.community,
                        a.channel,
                        shorten(&a.message, 80)
                    ));
                }
            }
            "publications" => {
                out.push_str(&format!(
                    "  {}\n",
                    tr(
                        lang,
                        "Posts: published, post, channel, reactions / replies in 24 h",
                        "Publications : publiée, publication, salon, réactions / réponses en 24 h"
                    )
                ));
                let count = |n: Option<u64>| n.map_or("—".to_string(), |n| n.to_string());
                for p in &report.publications {
                    out.push_str(&format!(
                        "    {} {:<16} {} #{}  {} / {}\n",
                        p.posted_at,
                        p.post,
                        p.community,
                        p.channel,
                        count(p.reactions),
                        count(p.replies)
                    ));
                }
            }
            "contests" => {
                out.push_str(&format!(
                    "  {}\n",
                    tr(
                        lang,
                        "Contests and polls: opened, kind, community #channel, entries, new members, result",
                        "Concours et sondages : ouverture, type, communauté #salon, participations, nouveaux membres, résultat"
                    )
                ));
                for c in &report.contests {
                    out.push_str(&format!(
                        "    {} {} #{} {} #{}  {} / {}  {}\n",
                        c.started_at,
                        contest_kind(c.kind, lang),
                        c.id,
                        c.community,
                        c.channel,
                        c.entries,
                        c.new_members,
                        shorten(&contest_result(c, lang), 80)
                    ));
                }
            }
            "veille" => {
                out.push_str(&format!(
                    "  {}\n",
                    tr(
                        lang,
                        "Share of voice: topic, mentions, share, positive / negative",
                        "Part de voix : sujet, mentions, part, positives / négatives"
                    )
                ));
                for v in &report.share_of_voice {
                    out.push_str(&format!(
                        "    {:<24} {:>6} {:>8}  {:>5} / {:<5}",
                        v.topic,
                        v.mentions,
                        human(v.share, Unit::Share, lang),
                        v.positive,
                        v.negative
                    ));
                    if let Some(before) = v.previous_mentions {
                        out.push_str(&format!(
                            "  ({} {before})",
                            tr(lang, "previous:", "précédente :")
                        ));
                    }
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
    out
}

fn ranking(out: &mut String, lang: Lang, title: &str, rows: &[Ranked]) {
    if rows.is_empty() {
        return;
    }
    let list: Vec<String> = rows
        .iter()
        .map(|r| format!("{} ({})", r.name, r.count))
        .collect();
    out.push_str(&format!("  {title}{} {}\n", colon(lang), list.join(", ")));
}

/// The heatmap's three fullest cells, as `Sun 10h`.
fn busiest_hours(report: &Report) -> Vec<Ranked> {
    let weekdays = match report.lang {
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        Lang::Fr => ["lun", "mar", "mer", "jeu", "ven", "sam", "dim"],
    };
    let mut cells: Vec<(u64, usize, usize)> = Vec::new();
    for (d, row) in report.heatmap.iter().enumerate().take(7) {
        for (h, count) in row.iter().enumerate() {
            if *count > 0 {
                cells.push((*count, d, h));
            }
        }
    }
    // Most first; at equal counts, the earlier in the week.
    cells.sort_by(|a, b| b.0.cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    cells
        .into_iter()
        .take(3)
        .map(|(count, d, h)| Ranked {
            name: format!("{} {h}h", weekdays[d]),
            count,
        })
        .collect()
}

/// `:` in English, ` :` in French (a space before the colon).
fn colon(lang: Lang) -> &'static str {
    tr(lang, ":", " :")
}

fn shorten(text: &str, max: usize) -> String {
    let flat = text.replace('\n', " ");
    if flat.chars().count() <= max {
        flat
    } else {
        format!("{}…", flat.chars().take(max - 1).collect::<String>())
    }
}
