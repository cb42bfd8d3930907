//! The Dead letters page: actions that failed for good on a platform, with
//! the platform's error and the attempts made (what `vigie dead-letters`
//! shows). An admin can retry one: it moves back to its connector's
//! outbox with its attempts reset, in one atomic store step
//! ([`crate::store::Store::retry_dead_letter`]); delivery takes it on its
//! next round (within a second), keeping its idempotency key, so an action
//! that did go through after all is not done twice.

use super::auth::Role;
use super::i18n;
use super::live::action_detail;
use super::server::{self, Shared, User};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use serde::Deserialize;

pub async fn page(State(state): State<Shared>, user: User) -> Response {
    if let Some(refused) = user.require(Role::Viewer) {
        return refused;
    }
    let lang = user.lang;
    let store = state.store.clone();
    let letters = match tokio::task::spawn_blocking(move || store.dead_letters_keyed()).await {
        Ok(Ok(letters)) => letters,
        Ok(Err(e)) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")).into_response();
        }
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let admin = user.session.role >= Role::Admin;
    let content = html! {
        p.note { (lang.tr(
            "Actions a platform refused for good (the bot lacks a right, the message is gone…) or that failed too many times, newest first. An admin can send one back to the outbox.",
            "Les actions qu'une plateforme a refusées pour de bon (le bot n'a pas le droit, le message n'existe plus…) ou qui ont échoué trop de fois, les plus récentes en haut. Un administrateur peut en renvoyer une dans la file d'envoi."
        )) }
        p { (lang.count(letters.len(), ("dead letter", "dead letters"), ("échec définitif", "échecs définitifs"))) }
        @if !letters.is_empty() {
            table.rows {
                thead { tr {
                    th { (lang.tr("Failed at", "Échec à")) }
                    th { (lang.tr("Community", "Communauté")) }
                    th { (lang.tr("Channel", "Salon")) }
                    th { (lang.tr("Target user", "Utilisateur visé")) }
                    th { (lang.tr("Plugin and version", "Plugin et version")) }
                    th { (lang.tr("Action", "Action")) }
                    th { (lang.tr("Reason", "Raison")) }
                    th { (lang.tr("Platform's error", "Erreur de la plateforme")) }
                    th { (lang.tr("Attempts", "Tentatives")) }
                    @if admin { th {} }
                } }
                tbody {
                    @for (key, letter) in letters.iter().rev() {
                        @let a = &letter.entry.action;
                        tr {
                            td.time { (i18n::time(letter.failed_at_ms)) }
                            td { (a.community) }
                            td { (a.channel) }
                            td { (letter.entry.target_user.as_deref().unwrap_or("-")) }
                            td { (a.by.plugin) " " (a.by.plugin_version) }
                            td { span.what { (a.action.kind().name()) } " " (action_detail(&a.action)) }
                            td { (a.action.reason()) }
                            td.text { (letter.error) }
                            td { (letter.entry.attempts) }
                            @if admin {
                                td {
                                    form.inline method="post" action="/dead-letters/retry" {
                                        input type="hidden" name="csrf" value=(user.session.csrf);
                                        input type="hidden" name="key" value=(hex::encode(key));
                                        button type="submit" { (lang.tr("Retry", "Réessayer")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    server::page(
        &user,
        lang.tr("Dead letters", "Échecs définitifs"),
        "/dead-letters",
        content,
    )
}

#[derive(Deserialize)]
pub struct RetryForm {
    csrf: Option<String>,
    #[serde(default)]
    key: String,
}

/// POST `/dead-letters/retry` (admins).
pub async fn retry(
    State(state): State<Shared>,
    user: User,
    Form(form): Form<RetryForm>,
) -> Response {
    if let Some(refused) = user.authorize_form(form.csrf.as_deref(), Role::Admin) {
        return refused;
    }
    let Ok(key) = hex::decode(form.key.trim()) else {
        return (StatusCode::BAD_REQUEST, "the dead letter's key is not hex").into_response();
    };
    let _one_at_a_time = state.retrying.lock().await;
    let store = state.store.clone();
    match tokio::task::spawn_blocking(move || store.retry_dead_letter(&key)).await {
        Ok(Ok(Some(entry))) => {
            tracing::info!(
                user = user.session.user,
                connector = entry.connector,
                "console: dead letter sent back to the outbox: {}",
                entry.action.one_line()
            );
            Redirect::to("/dead-letters").into_response()
        }
        Ok(Ok(None)) => Redirect::to("/dead-letters").into_response(),
        Ok(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
