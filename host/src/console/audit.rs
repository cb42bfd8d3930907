//! The Audit page: what was executed on the platforms, with `vigie
//! audit`'s filters (target user, plugin, channel, since, until — the CLI
//! uses [`AuditFilter`] too), newest first, [`PAGE`] rows a page, and a CSV
//! export of everything the filters select (moderators and admins: it
//! holds the deleted texts kept as evidence, which viewers do not see).
//!
//! **Undo**: a timeout or a ban a connector that can lift it executed
//! (Matrix, IRC: [`crate::connector::Connector::reversible`]) has an
//! "Unban" / "Lift timeout" button for moderators and admins
//! (`/audit/undo`). The store makes its reversal due at once
//! ([`crate::store::Store::undo_restriction`]); delivery lifts it once and
//! the audit's lift record names the moderator. An undone action says so
//! instead of a button; a second undo is refused.

use super::auth::Role;
use super::i18n;
use super::live::action_detail;
use super::server::{self, url_encode, Shared, User};
use crate::action::Action;
use crate::store::{AuditRecord, Reversal, Undo, UndoRefused};
use anyhow::{Context, Result};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Rows per page.
pub const PAGE: usize = 50;

/// Which audit records to show.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// The target user.
    pub user: Option<String>,
    pub plugin: Option<String>,
    pub channel: Option<String>,
    /// Executed at or after (ms).
    pub since_ms: Option<i64>,
    /// Executed before (ms).
    pub until_ms: Option<i64>,
}

impl AuditFilter {
    pub fn matches(&self, r: &AuditRecord) -> bool {
        self.user
            .as_ref()
            .is_none_or(|u| r.target_user.as_deref() == Some(u.as_str()))
            && self
                .plugin
                .as_ref()
                .is_none_or(|p| &r.action.by.plugin == p)
            && self.channel.as_ref().is_none_or(|c| &r.action.channel == c)
            && self.since_ms.is_none_or(|t| r.executed_at_ms >= t)
            && self.until_ms.is_none_or(|t| r.executed_at_ms < t)
    }
}

/// An RFC 3339 time in ms (`flag` names it in the error). The console also
/// takes a date (`2026-11-23`, midnight UTC) and a browser's local time
/// without zone (`2026-11-23T10:00`, read as UTC).
pub fn parse_time(s: &str, flag: &str) -> Result<i64> {
    use time::format_description::well_known::Rfc3339;
    let s = s.trim();
    let t = time::OffsetDateTime::parse(s, &Rfc3339)
        .or_else(|_| time::OffsetDateTime::parse(&format!("{s}:00Z"), &Rfc3339))
        .or_else(|_| time::OffsetDateTime::parse(&format!("{s}T00:00:00Z"), &Rfc3339))
        .ok()
        .with_context(|| {
            format!("{flag}: `{s}` is not an RFC 3339 time (e.g. 2026-11-23T10:00:00Z)")
        })?;
    Ok((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// The page's query string.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub plugin: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub since: String,
    #[serde(default)]
    pub until: String,
    /// 1-based.
    #[serde(default)]
    pub page: Option<usize>,
}

impl AuditQuery {
    fn filter(&self) -> Result<AuditFilter> {
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        let time = |s: &str, flag: &str| -> Result<Option<i64>> {
            some(s).map(|s| parse_time(&s, flag)).transpose()
        };
        Ok(AuditFilter {
            user: some(&self.user),
            plugin: some(&self.plugin),
            channel: some(&self.channel),
            since_ms: time(&self.since, "since")?,
            until_ms: time(&self.until, "until")?,
        })
    }

    /// The filters as a query string (without the page).
    fn query(&self) -> String {
        [
            ("user", &self.user),
            ("plugin", &self.plugin),
            ("channel", &self.channel),
            ("since", &self.since),
            ("until", &self.until),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// The records the filter selects, newest first.
async fn selected(state: &Shared, filter: AuditFilter) -> Result<Vec<AuditRecord>> {
    let store = state.store.clone();
    let mut records = tokio::task::spawn_blocking(move || store.audit())
        .await
        .context("store task failed")??;
    records.retain(|r| filter.matches(r));
    records.reverse();
    Ok(records)
}

/// Pending reversals and undos, for the undo column.
async fn undo_state(state: &Shared) -> (Vec<Reversal>, BTreeMap<String, Undo>) {
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || {
        (
            store.reversals().unwrap_or_default(),
            store.undos().unwrap_or_default(),
        )
    })
    .await
    .unwrap_or_default()
}

/// Whether the record is a timeout or a ban its connector can lift.
fn undoable(state: &Shared, r: &AuditRecord) -> bool {
    matches!(r.action.action, Action::Timeout { .. } | Action::Ban { .. })
        && state.reversible.contains(&r.connector)
}

/// The undo cell of an executed timeout or ban: who undid it, the
/// button, or nothing (lifted already when its time was up).
fn undo_cell(
    lang: i18n::Lang,
    r: &AuditRecord,
    reversals: &[Reversal],
    undos: &BTreeMap<String, Undo>,
    form: Option<(&str, &str)>,
) -> Markup {
    let pending = reversals.iter().find(|p| p.key == r.key);
    let timed = match &r.action.action {
        Action::Timeout { .. } => true,
        Action::Ban { duration_s, .. } => duration_s.is_some(),
        _ => false,
    };
    html! {
        @if let Some(undo) = undos.get(&r.key) {
            span.what { (lang.tr("undone", "annulée")) }
            " " (lang.tr("by", "par")) " " (undo.by) br;
            span.time { (i18n::time(undo.at_ms)) }
            @if pending.is_some() {
                br; em { (lang.tr("being lifted", "levée en cours")) }
            }
        } @else if pending.is_none() && timed {
            (lang.tr("lifted (time up)", "levée (durée écoulée)"))
        } @else if let Some((csrf, next)) = form {
            form.inline method="post" action="/audit/undo" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="key" value=(r.key);
                input type="hidden" name="next" value=(next);
                button.reject type="submit" {
                    @if matches!(r.action.action, Action::Timeout { .. }) {
                        (lang.tr("Lift timeout", "Lever l'exclusion"))
                    } @else {
                        (lang.tr("Unban", "Débannir"))
                    }
                }
            }
        } @else {
            "-"
        }
    }
}

pub async fn page(
    State(state): State<Shared>,
    user: User,
    Query(query): Query<AuditQuery>,
) -> Response {
    if let Some(refused) = user.require(Role::Viewer) {
        return refused;
    }
    let lang = user.lang;
    let evidence = user.session.role >= Role::Moderator;
    let (reversals, undos) = undo_state(&state).await;
    let here = user.here.clone();
    let undo_form = evidence.then_some((user.session.csrf.as_str(), here.as_str()));
    let (records, error) = match query.filter() {
        Ok(filter) => match selected(&state, filter).await {
            Ok(records) => (records, None),
            Err(e) => (Vec::new(), Some(format!("{e:#}"))),
        },
        Err(e) => (Vec::new(), Some(format!("{e:#}"))),
    };
    let pages = records.len().div_ceil(PAGE).max(1);
    let current = query.page.unwrap_or(1).clamp(1, pages);
    let shown = records.iter().skip((current - 1) * PAGE).take(PAGE);
    let filters = query.query();
    let link = |n: usize| {
        if filters.is_empty() {
            format!("/audit?page={n}")
        } else {
            format!("/audit?{filters}&page={n}")
        }
    };
    let csv = if filters.is_empty() {
        "/api/audit.csv".to_string()
    } else {
        format!("/api/audit.csv?{filters}")
    };
    let content = html! {
        p.note { (lang.tr(
            "Every action executed on a platform, with the plugin and its version, the reason and the platform's reply (what `vigie audit` shows). Times in UTC.",
            "Chaque action exécutée sur une plateforme, avec le plugin et sa version, la raison et la réponse de la plateforme (ce que montre `vigie audit`). Heures en UTC."
        )) }
        form.filters method="get" action="/audit" {
            label { (lang.tr("Target user", "Utilisateur visé")) input type="text" name="user" value=(query.user); }
            label { "Plugin" input type="text" name="plugin" value=(query.plugin); }
            label { (lang.tr("Channel", "Salon")) input type="text" name="channel" value=(query.channel); }
            label { (lang.tr("Since", "Depuis")) input type="text" name="since" value=(query.since) placeholder="2026-11-23T10:00:00Z"; }
            label { (lang.tr("Until", "Jusqu'à")) input type="text" name="until" value=(query.until) placeholder="2026-11-24"; }
            button type="submit" { (lang.tr("Filter", "Filtrer")) }
            a href="/audit" { (lang.tr("Clear", "Effacer")) }
            @if evidence {
                a.button href=(csv) download="vigie-audit.csv" { (lang.tr("Export CSV", "Exporter en CSV")) }
            }
        }
        @if let Some(error) = &error {
            p.error role="alert" { (error) }
        }
        p { (lang.count(records.len(), ("action", "actions"), ("action", "actions"))) }
        @if records.is_empty() && error.is_none() {
            p.empty { (lang.tr(
                "Nothing executed matches. Without a platform connected ([[connectors]]), actions are decided but never executed, so the audit stays empty.",
                "Aucune action exécutée ne correspond. Sans plateforme connectée ([[connectors]]), les actions sont décidées mais jamais exécutées : l'audit reste vide."
            )) }
        } @else {
            table.rows {
                thead { tr {
                    th { (lang.tr("Executed at", "Exécutée à")) }
                    th { (lang.tr("Community", "Communauté")) }
                    th { (lang.tr("Channel", "Salon")) }
                    th { (lang.tr("Target user", "Utilisateur visé")) }
                    th { (lang.tr("Plugin and version", "Plugin et version")) }
                    th { (lang.tr("Action", "Action")) }
                    th { (lang.tr("Reason", "Raison")) }
                    th { (lang.tr("Platform's reply", "Réponse de la plateforme")) }
                    @if evidence { th { (lang.tr("Deleted text (evidence)", "Texte supprimé (preuve)")) } }
                    th { (lang.tr("Undo", "Annuler")) }
                } }
                tbody {
                    @for r in shown {
                        tr {
                            td.time { (i18n::time(r.executed_at_ms)) }
                            td { (r.action.community) }
                            td { (r.action.channel) }
                            td { (r.target_user.as_deref().unwrap_or("-")) }
                            td { (r.action.by.plugin) " " (r.action.by.plugin_version) }
                            td { span.what { (r.action.action.kind().name()) } " " (action_detail(&r.action.action)) }
                            td { (r.action.action.reason()) }
                            td { (r.platform_reply) }
                            @if evidence { td.text { (r.evidence.as_deref().unwrap_or("")) } }
                            td.undo {
                                @if undoable(&state, r) {
                                    (undo_cell(lang, r, &reversals, &undos, undo_form))
                                }
                            }
                        }
                    }
                }
            }
            @if pages > 1 {
                nav.pages {
                    @if current > 1 { a href=(link(current - 1)) { "← " (lang.tr("newer", "plus récentes")) } }
                    span { (current) " / " (pages) }
                    @if current < pages { a href=(link(current + 1)) { (lang.tr("older", "plus anciennes")) " →" } }
                }
            }
        }
    };
    server::page(&user, lang.tr("Audit", "Audit"), "/audit", content)
}

#[derive(Deserialize)]
pub struct UndoForm {
    csrf: Option<String>,
    #[serde(default)]
    key: String,
    next: Option<String>,
}

/// POST `/audit/undo` (moderators, admins): lifts an executed timeout or
/// ban through its connector: the store makes its reversal due at once,
/// naming the moderator, and delivery carries it out (once) within a
/// second. Then back to the page (303); a refusal (undone already, lifted
/// already, not a restriction a connector can lift) is a page saying why
/// (409, or 404 for a key that is no executed action).
pub async fn undo(State(state): State<Shared>, user: User, Form(form): Form<UndoForm>) -> Response {
    if let Some(refused) = user.authorize_form(form.csrf.as_deref(), Role::Moderator) {
        return refused;
    }
    let lang = user.lang;
    let key = form.key.trim().to_string();
    let next = match form.next.as_deref() {
        Some(n) if n.starts_with("/audit") => server::local_path(Some(n)),
        _ => "/audit".to_string(),
    };
    let refused = |status: StatusCode, why: String| {
        let content = html! {
            p.error role="alert" { (why) }
            p { a href=(next) { (lang.tr("Back to the audit", "Retour à l'audit")) } }
        };
        let mut response = server::page(&user, lang.tr("Audit", "Audit"), "/audit", content);
        *response.status_mut() = status;
        response
    };
    // Only what a connector of this host can lift on its platform.
    let store = state.store.clone();
    let record = {
        let key = key.clone();
        match tokio::task::spawn_blocking(move || store.audit()).await {
            Ok(Ok(records)) => records
                .into_iter()
                .find(|r| r.key == key && r.connector != "review"),
            Ok(Err(e)) => {
                return (StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")).into_response()
            }
            Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        }
    };
    let Some(record) = record else {
        return refused(
            StatusCode::NOT_FOUND,
            lang.tr(
                "No executed action has this key.",
                "Aucune action exécutée n'a cette clé.",
            )
            .to_string(),
        );
    };
    if !undoable(&state, &record) {
        return refused(
            StatusCode::CONFLICT,
            lang.tr(
                "Only a timeout or a ban that its platform can lift (Matrix, IRC) can be undone here.",
                "Seule une exclusion ou un bannissement que sa plateforme sait lever (Matrix, IRC) s'annule ici.",
            )
            .to_string(),
        );
    }
    let store = state.store.clone();
    let by = user.session.user.clone();
    let undone = {
        let key = key.clone();
        tokio::task::spawn_blocking(move || {
            store.undo_restriction(&key, &by, crate::connector::now_ms())
        })
        .await
    };
    match undone {
        Ok(Ok(reversal)) => {
            tracing::info!(
                user = user.session.user,
                connector = reversal.connector,
                "console: undo of {} (lifting the restriction on {})",
                record.action.one_line(),
                reversal.user_id
            );
            Redirect::to(&next).into_response()
        }
        Ok(Err(e)) => {
            let why = match e.downcast_ref::<UndoRefused>() {
                Some(UndoRefused::AlreadyUndone { by, at_ms, .. }) => format!(
                    "{} {by} ({}).",
                    lang.tr(
                        "This action was already undone by",
                        "Cette action a déjà été annulée par"
                    ),
                    i18n::time(*at_ms)
                ),
                Some(UndoRefused::AlreadyLifted(_)) => lang
                    .tr(
                        "This restriction was already lifted: its time was up.",
                        "Cette restriction est déjà levée : sa durée était écoulée.",
                    )
                    .to_string(),
                Some(UndoRefused::BeingLifted(_)) => lang
                    .tr(
                        "This restriction is being lifted already: its time is up.",
                        "Cette restriction est déjà en cours de levée : sa durée est écoulée.",
                    )
                    .to_string(),
                Some(UndoRefused::NotFound(_)) => {
                    return refused(
                        StatusCode::NOT_FOUND,
                        lang.tr(
                            "No executed action has this key.",
                            "Aucune action exécutée n'a cette clé.",
                        )
                        .to_string(),
                    )
                }
                Some(UndoRefused::NotARestriction(_)) => lang
                    .tr(
                        "This action is not a timeout or a ban: there is nothing to undo.",
                        "Cette action n'est ni une exclusion ni un bannissement : rien à annuler.",
                    )
                    .to_string(),
                None => {
                    return (StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")).into_response()
                }
            };
            refused(StatusCode::CONFLICT, why)
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// A CSV field: quoted, quotes doubled, and a leading `=`, `+`, `-`, `@`
/// defused so a spreadsheet never runs it as a formula.
pub fn csv_field(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    format!("\"{}\"", defused.replace('"', "\"\""))
}

/// `/api/audit.csv`: every record the filters select (no paging).
pub async fn csv(
    State(state): State<Shared>,
    user: User,
    Query(query): Query<AuditQuery>,
) -> Response {
    if let Some(refused) = user.require(Role::Moderator) {
        return refused;
    }
    let filter = match query.filter() {
        Ok(filter) => filter,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("{e:#}\n")).into_response(),
    };
    let records = match selected(&state, filter).await {
        Ok(records) => records,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}\n")).into_response(),
    };
    let mut out = String::from(
        "executed_at,community,channel,target_user,plugin,plugin_version,plugin_hash,action,detail,reason,platform_reply,evidence,attempts,key\r\n",
    );
    for r in &records {
        let fields = [
            crate::event::format_ms(r.executed_at_ms),
            r.action.community.clone(),
            r.action.channel.clone(),
            r.target_user.clone().unwrap_or_default(),
            r.action.by.plugin.clone(),
            r.action.by.plugin_version.clone(),
            r.action.by.plugin_hash.clone(),
            r.action.action.kind().name().to_string(),
            action_detail(&r.action.action),
            r.action.action.reason().to_string(),
            r.platform_reply.clone(),
            r.evidence.clone().unwrap_or_default(),
            r.attempts.to_string(),
            r.key.clone(),
        ];
        out.push_str(
            &fields
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"vigie-audit.csv\"",
            ),
        ],
        out,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_three_forms() {
        let full = parse_time("2026-11-23T10:00:00Z", "since").unwrap();
        assert_eq!(parse_time("2026-11-23T10:00", "since").unwrap(), full);
        assert_eq!(
            parse_time("2026-11-23", "since").unwrap(),
            full - 10 * 3600 * 1000
        );
        let e = parse_time("yesterday", "--since").unwrap_err().to_string();
        assert!(
            e.contains("--since: `yesterday` is not an RFC 3339 time"),
            "{e}"
        );
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("a \"b\", c"), "\"a \"\"b\"\", c\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("plain"), "\"plain\"");
    }
}
