//! The Reports page: `vigie report` in the browser. A form picks the
//! community, the period (a day, an ISO week or a month, in a time zone)
//! and the comparison with the previous period; the report comes back as
//! the same self-contained HTML file `vigie report --format html` writes,
//! or as its CSV or JSON for a spreadsheet (downloads).
//!
//! The report is computed from the store's logs on a blocking thread, as
//! the command does (`crate::reports::compute`): a month of a busy host
//! takes seconds, and the pipeline never waits for it.

use super::auth::Role;
use super::server::{self, Shared, User};
use crate::reports::{self, Format, Lang, Period, ReportOptions};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;

/// The form's fields (GET: a report is read, nothing changes).
#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    /// Empty: every community.
    #[serde(default)]
    community: String,
    /// `day`, `week` or `month`, and its value (`2026-11-22`, `2026-W48`,
    /// `2026-11`).
    #[serde(default)]
    period: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    week: String,
    #[serde(default)]
    month: String,
    /// An IANA zone; empty: UTC.
    #[serde(default)]
    tz: String,
    /// `previous` to compare with the previous period.
    #[serde(default)]
    compare: String,
    /// `html` (shown), `csv` or `json` (downloaded).
    #[serde(default)]
    format: String,
}

/// GET `/reports`: the form.
pub async fn page(user: User) -> Response {
    if let Some(refused) = user.require(Role::Viewer) {
        return refused;
    }
    let lang = user.lang;
    let last_week = last_complete_week();
    let content = html! {
        p.note { (lang.tr(
            "The KPIs of a period from what the host recorded: activity, engagement, responsiveness, moderation, mood, veille and publications, each with its definition. The same report as `vigie report` (docs/reports.md).",
            "Les KPI d'une période à partir de ce que l'hôte a enregistré : activité, engagement, réactivité, modération, humeur, veille et publications, chacun avec sa définition. Le même rapport que `vigie report` (docs/reports.md)."
        )) }
        form.report method="get" action="/reports/view" {
            label { (lang.tr("Community", "Communauté")) " "
                input type="text" name="community" placeholder=(lang.tr("all", "toutes"));
            }
            fieldset {
                legend { (lang.tr("Period", "Période")) }
                label { input type="radio" name="period" value="week" checked; " " (lang.tr("ISO week", "Semaine ISO")) " "
                    input type="text" name="week" value=(last_week) pattern="[0-9]{4}-W[0-9]{2}";
                }
                label { input type="radio" name="period" value="month"; " " (lang.tr("Month", "Mois")) " "
                    input type="month" name="month";
                }
                label { input type="radio" name="period" value="day"; " " (lang.tr("Day", "Jour")) " "
                    input type="date" name="day";
                }
            }
            label { (lang.tr("Time zone", "Fuseau horaire")) " "
                input type="text" name="tz" placeholder="UTC";
            }
            label { input type="checkbox" name="compare" value="previous"; " " (lang.tr("Compare with the previous period", "Comparer à la période précédente")) }
            label { (lang.tr("Format", "Format")) " "
                select name="format" {
                    option value="html" selected { (lang.tr("HTML, with charts", "HTML, avec graphiques")) }
                    option value="csv" { "CSV" }
                    option value="json" { "JSON" }
                }
            }
            button type="submit" { (lang.tr("Make the report", "Faire le rapport")) }
        }
    };
    server::page(&user, lang.tr("Reports", "Rapports"), "/reports", content)
}

/// GET `/reports/view`: the report itself.
pub async fn view(
    State(state): State<Shared>,
    user: User,
    Query(q): Query<ReportQuery>,
) -> Response {
    if let Some(refused) = user.require(Role::Viewer) {
        return refused;
    }
    let lang = match user.lang {
        super::i18n::Lang::Fr => Lang::Fr,
        super::i18n::Lang::En => Lang::En,
    };
    let (options, format) = match options_of(&q, lang) {
        Ok(parsed) => parsed,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("{e:#}")).into_response(),
    };
    let store = state.store.clone();
    let made = tokio::task::spawn_blocking(move || -> anyhow::Result<String> {
        let logs = reports::OwnedLogs::read(store.as_ref())?;
        reports::render(&reports::compute(&logs.logs(), &options)?, format)
    })
    .await;
    let body = match made {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => return (StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")).into_response(),
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let (content_type, extension) = match format {
        Format::Html => ("text/html; charset=utf-8", None),
        Format::Csv => ("text/csv; charset=utf-8", Some("csv")),
        Format::Json => ("application/json", Some("json")),
        Format::Text => ("text/plain; charset=utf-8", Some("txt")),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    match extension {
        // The report is its own document: its charts are inline SVG and
        // its look an inline <style>, which the console's policy forbids;
        // still no script and nothing from elsewhere.
        None => {
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; form-action 'none'",
                ),
            );
        }
        Some(ext) => {
            let disposition = format!("attachment; filename=\"vigie-report.{ext}\"");
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
        }
    }
    response
}

/// The report's options from the form, or what is wrong with it.
fn options_of(q: &ReportQuery, lang: Lang) -> anyhow::Result<(ReportOptions, Format)> {
    let tz_name = q.tz.trim();
    let time_zone = reports::time_zone((!tz_name.is_empty()).then_some(tz_name))?;
    let period = match q.period.as_str() {
        "day" => Period::day(q.day.trim(), &time_zone)?,
        "month" => Period::month(q.month.trim(), &time_zone)?,
        "week" | "" => Period::iso_week(q.week.trim(), &time_zone)?,
        other => anyhow::bail!("unknown period `{other}`: day, week or month"),
    };
    let format = match q.format.as_str() {
        "html" | "" => Format::Html,
        "csv" => Format::Csv,
        "json" => Format::Json,
        other => anyhow::bail!("unknown format `{other}`: html, csv or json"),
    };
    let community = q.community.trim();
    Ok((
        ReportOptions {
            period,
            time_zone_name: if tz_name.is_empty() {
                "UTC".into()
            } else {
                tz_name.into()
            },
            time_zone,
            community: (!community.is_empty()).then(|| community.to_string()),
            lang,
            compare_previous: q.compare == "previous",
            pseudonym_key: None,
        },
        format,
    ))
}

/// The ISO week before this one, `2026-W48`: what a weekly report is
/// usually about.
fn last_complete_week() -> String {
    let week_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(7 * 24);
    let date = week_ago.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let iso = date.iso_week_date();
    format!("{:04}-W{:02}", iso.year(), iso.week())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_gives_the_period_format_and_zone() {
        let q = ReportQuery {
            community: " acme ".into(),
            period: "month".into(),
            month: "2026-11".into(),
            tz: "Europe/Paris".into(),
            compare: "previous".into(),
            format: "csv".into(),
            ..ReportQuery::default()
        };
        let (options, format) = options_of(&q, Lang::Fr).unwrap();
        assert!(matches!(format, Format::Csv));
        assert_eq!(options.community.as_deref(), Some("acme"));
        assert!(options.compare_previous);
        assert_eq!(options.time_zone_name, "Europe/Paris");
        assert_eq!(
            options.period,
            Period::month(
                "2026-11",
                &reports::time_zone(Some("Europe/Paris")).unwrap()
            )
            .unwrap()
        );
        let bad = ReportQuery {
            period: "week".into(),
            week: "2026-48".into(),
            ..ReportQuery::default()
        };
        assert!(options_of(&bad, Lang::En).is_err());
        let zone = ReportQuery {
            tz: "Mars/Olympus".into(),
            week: "2026-W48".into(),
            ..ReportQuery::default()
        };
        assert!(options_of(&zone, Lang::En).is_err());
        assert!(last_complete_week().contains("-W"));
    }
}
