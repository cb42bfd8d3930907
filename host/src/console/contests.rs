//! The Contests and polls page: the giveaways and polls of each community
//! ([`crate::contests`]), running ones first, then past ones, with their
//! entry or ballot counts, times, winners or results, and for an ended one
//! its verification data and the `vigie verify-draw` / `vigie verify-poll`
//! command; its entry or ballot list downloads from
//! `/api/contests/list` as exactly the published bytes.

use super::auth::Role;
use super::i18n::{self, Lang};
use super::server::{self, url_encode, Shared, User};
use crate::contests::{self, Contest, Outcome, Scope, Status, Verification};
use anyhow::{Context, Result};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;

/// The page's query string.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// Only this community (empty: all).
    #[serde(default)]
    pub community: String,
}

/// The scopes of the running chains and their contests and polls.
async fn read(state: &Shared) -> Result<(Vec<Scope>, Vec<Contest>)> {
    let routes = state.live.snapshot();
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || -> Result<(Vec<Scope>, Vec<Contest>)> {
        let scopes = contests::scopes(&routes, store.as_ref())?;
        let all = contests::list(store.as_ref(), &scopes)?;
        Ok((scopes, all))
    })
    .await
    .context("store task failed")?
}

pub async fn page(
    State(state): State<Shared>,
    user: User,
    Query(query): Query<PageQuery>,
) -> Response {
    if let Some(refused) = user.require(Role::Viewer) {
        return refused;
    }
    let lang = user.lang;
    let (scopes, all, error) = match read(&state).await {
        Ok((scopes, all)) => (scopes, all, None),
        Err(e) => (Vec::new(), Vec::new(), Some(format!("{e:#}"))),
    };
    let mut communities: Vec<&str> = scopes.iter().map(|s| s.community.as_str()).collect();
    communities.dedup();
    let chosen = query.community.trim();
    let shown: Vec<&Contest> = all
        .iter()
        .filter(|c| chosen.is_empty() || c.scope.community == chosen)
        .collect();
    let (running, past): (Vec<&Contest>, Vec<&Contest>) =
        shown.into_iter().partition(|c| c.status == Status::Running);
    let content = html! {
        p.note { (lang.tr(
            "The giveaways and polls of each community, from the plugins' own records: running ones first, then past ones. For an ended one, everything needed to check it: download its list, save it under the name shown, and run the command. Times in UTC.",
            "Les concours et sondages de chaque communauté, d'après les données des plugins : d'abord ceux en cours, puis les passés. Pour un concours ou un sondage terminé, tout ce qu'il faut pour le vérifier : téléchargez sa liste, enregistrez-la sous le nom indiqué et lancez la commande. Heures en UTC."
        )) }
        form.filters method="get" action="/contests" {
            label { (lang.tr("Community", "Communauté"))
                select name="community" {
                    option value="" selected[chosen.is_empty()] { (lang.tr("All", "Toutes")) }
                    @for c in &communities {
                        option value=(c) selected[*c == chosen] { (c) }
                    }
                }
            }
            button type="submit" { (lang.tr("Filter", "Filtrer")) }
        }
        @if let Some(error) = &error {
            p.error role="alert" { (error) }
        }
        @if scopes.is_empty() && error.is_none() {
            p.empty { (lang.tr(
                "No chain runs the giveaway or poll plugin.",
                "Aucune chaîne ne fait tourner le plugin giveaway ou poll."
            )) }
        }
        h2 { (lang.tr("Running", "En cours")) " (" (running.len()) ")" }
        @if running.is_empty() {
            p.empty { (lang.tr("Nothing running.", "Rien en cours.")) }
        } @else {
            (table(lang, &running))
        }
        h2 { (lang.tr("Past", "Passés")) " (" (past.len()) ")" }
        @if past.is_empty() {
            p.empty { (lang.tr("Nothing yet.", "Rien pour l'instant.")) }
        } @else {
            (table(lang, &past))
        }
    };
    server::page(
        &user,
        lang.tr("Contests and polls", "Concours et sondages"),
        "/contests",
        content,
    )
}

fn kind_label(lang: Lang, c: &Contest) -> &'static str {
    match c.scope.kind {
        contests::Kind::Giveaway => lang.tr("giveaway", "concours"),
        contests::Kind::Poll => lang.tr("poll", "sondage"),
    }
}

fn status_label(lang: Lang, status: Status) -> &'static str {
    match status {
        Status::Running => lang.tr("running", "en cours"),
        Status::Ended => lang.tr("ended", "terminé"),
        Status::Cancelled => lang.tr("cancelled", "annulé"),
    }
}

/// `/api/contests/list?…` for this contest's list.
fn list_link(c: &Contest) -> String {
    format!(
        "/api/contests/list?community={}&entry={}&id={}",
        url_encode(&c.scope.community),
        url_encode(&c.scope.entry),
        c.id
    )
}

fn table(lang: Lang, rows: &[&Contest]) -> Markup {
    html! {
        table.rows.contests {
            thead { tr {
                th { (lang.tr("Community", "Communauté")) }
                th { (lang.tr("Kind", "Type")) }
                th { (lang.tr("Prize or question", "Lot ou question")) }
                th { (lang.tr("Channel", "Salon")) }
                th { (lang.tr("Status", "État")) }
                th { (lang.tr("Started", "Début")) }
                th { (lang.tr("Deadline", "Échéance")) }
                th { (lang.tr("Ended", "Fin")) }
                th { (lang.tr("Entries or ballots", "Participations ou bulletins")) }
                th { (lang.tr("Winners or result", "Gagnants ou résultat")) }
                th { (lang.tr("Verification", "Vérification")) }
            } }
            tbody {
                @for c in rows {
                    tr {
                        td { (c.scope.community) }
                        td { (kind_label(lang, c)) " #" (c.id) br; small { (c.scope.entry) } }
                        td.text { (c.title) }
                        td { (c.channel) }
                        td { (status_label(lang, c.status)) }
                        td.time { (i18n::time(c.started_ms)) }
                        td.time { (i18n::time(c.deadline_ms)) }
                        td.time { @if let Some(t) = c.ended_ms { (i18n::time(t)) } @else { "—" } }
                        td { (c.count) }
                        td.text { (outcome(lang, c)) }
                        td.text.verify { (verification(lang, c)) }
                    }
                }
            }
        }
    }
}

fn outcome(lang: Lang, c: &Contest) -> Markup {
    match &c.outcome {
        Outcome::Giveaway {
            winners_wanted,
            winners,
            rerolls,
            total_weight,
        } => html! {
            @if c.status == Status::Running {
                (lang.count(*winners_wanted as usize, ("winner to draw", "winners to draw"), ("gagnant à tirer", "gagnants à tirer")))
            } @else if c.status == Status::Ended {
                @if winners.is_empty() {
                    (lang.tr("no entries, no winner", "aucune participation, pas de gagnant"))
                } @else {
                    ol.winners {
                        @for (id, name) in winners {
                            li { @if !name.is_empty() && name != id { (name) " (" code { (id) } ")" } @else { code { (id) } } }
                        }
                    }
                }
                @if *rerolls > 0 {
                    small { (lang.count(*rerolls, ("winner replaced", "winners replaced"), ("gagnant remplacé", "gagnants remplacés"))) }
                }
                @if *total_weight != c.count {
                    br; small { (lang.tr("with bonus entries: ", "avec les bonus : ")) (total_weight) }
                }
            } @else { "—" }
        },
        Outcome::Poll {
            answers,
            counts,
            multi,
            anonymous,
        } => html! {
            ol.answers {
                @for (i, answer) in answers.iter().enumerate() {
                    li {
                        (answer)
                        @if let Some(n) = counts.as_ref().and_then(|counts| counts.get(i)) {
                            " — " strong { (n) }
                        }
                    }
                }
            }
            small {
                @if *anonymous { (lang.tr("anonymous", "anonyme")) } @else { (lang.tr("public vote", "vote public")) }
                @if *multi > 1 { " · " (lang.tr("answers per ballot: ", "réponses par bulletin : ")) (multi) }
                @if c.status == Status::Running { " · " (lang.tr("counts at the end", "décompte à la fin")) }
            }
        },
    }
}

fn verification(lang: Lang, c: &Contest) -> Markup {
    let file = c.list_file_name();
    let command = c.verify_command(&file);
    html! {
        @match &c.verification {
            Verification::Draw { commitment, seed, entries_hash, .. } => {
                div { (lang.tr("commitment: ", "engagement : ")) code { (commitment) } }
                @if let Some(seed) = seed { div { (lang.tr("seed: ", "graine : ")) code { (seed) } } }
                @else { div { small { (lang.tr("the seed is published at the draw", "la graine est publiée au tirage")) } } }
                @if let Some(hash) = entries_hash { div { (lang.tr("entry list SHA-256: ", "SHA-256 de la liste : ")) code { (hash) } } }
            }
            Verification::Tally { ballots_hash } => {
                @if let Some(hash) = ballots_hash { div { (lang.tr("ballot list SHA-256: ", "SHA-256 des bulletins : ")) code { (hash) } } }
                @else if c.status == Status::Running { div { small { (lang.tr("the ballot list is published at the end", "la liste des bulletins est publiée à la fin")) } } }
            }
        }
        @if let Some(command) = command {
            div {
                a.button href=(list_link(c)) download=(file) {
                    (match c.scope.kind {
                        contests::Kind::Giveaway => lang.tr("Download the entry list", "Télécharger la liste des participations"),
                        contests::Kind::Poll => lang.tr("Download the ballot list", "Télécharger la liste des bulletins"),
                    })
                }
                " " small { code { (file) } }
            }
            pre.command { code { (command) } }
        }
    }
}

/// `/api/contests/list`'s query.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    community: String,
    #[serde(default)]
    entry: String,
    #[serde(default)]
    id: Option<u64>,
}

/// `/api/contests/list?community=C&entry=E&id=N`: the entry or ballot
/// list of an ended contest or poll, as `text/plain`, exactly the bytes
/// whose SHA-256 was published; 404 for a running, cancelled or unknown
/// one, or an entry that is not a giveaway or poll of that community.
pub async fn list(
    State(state): State<Shared>,
    user: User,
    Query(query): Query<ListQuery>,
) -> Response {
    if let Some(refused) = user.require(Role::Viewer) {
        return refused;
    }
    let Some(id) = query.id else {
        return (StatusCode::BAD_REQUEST, "give id=N\n").into_response();
    };
    let routes = state.live.snapshot();
    let store = state.store.clone();
    let found = tokio::task::spawn_blocking(move || -> Result<Option<(String, Vec<u8>)>> {
        let scopes = contests::scopes(&routes, store.as_ref())?;
        let Some(scope) = scopes
            .into_iter()
            .find(|s| s.community == query.community && s.entry == query.entry)
        else {
            return Ok(None);
        };
        let Some(contest) = contests::get(store.as_ref(), &scope, id)? else {
            return Ok(None);
        };
        let name = contest.list_file_name();
        Ok(contests::published_list(store.as_ref(), &scope, id)?.map(|bytes| (name, bytes)))
    })
    .await;
    match found {
        Ok(Ok(Some((name, bytes)))) => {
            let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/plain; charset=utf-8"),
                    ),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response()
        }
        Ok(Ok(None)) => (
            StatusCode::NOT_FOUND,
            "no published list: the contest or poll is unknown, running or cancelled\n",
        )
            .into_response(),
        Ok(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}\n")).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    }
}
