//! The Review queue page: actions a plugin entry holds for a moderator's
//! decision (`review = ["ban"]`: not executed until approved) and flags
//! (already sent to the staff, to confirm or overturn), what `vigie review`
//! shows. Undecided items first, oldest first, then the last decided ones.
//!
//! Moderators and admins decide: **Approve** (a held action goes to its
//! connector's outbox, delivery takes it within a second; a flag is
//! confirmed), **Reject** (not executed; a flag overturned), or **Act
//! otherwise** (a deletion, a timeout or a ban the moderator chooses is
//! executed instead). Each decision is one atomic store step
//! ([`crate::store::Store::decide`]) that also writes the audit record
//! naming the moderator; an item decided already (by someone else, in
//! another tab, through `vigie review`) is refused with the store's
//! message, shown on the page.

use super::auth::Role;
use super::i18n::{self, Lang};
use super::live::action_detail;
use super::server::{self, Shared, User};
use crate::action::{Action, DecidedAction, PluginRef};
use crate::store::{ReviewDecision, ReviewItem, Store, Verdict};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

/// Decided items the page shows, newest decision first.
const DECIDED_SHOWN: usize = 100;

/// The undecided items' count, for the navigation; `None` when the store
/// cannot be read (the page itself then says why).
pub async fn pending_count(store: Arc<dyn Store>) -> Option<usize> {
    tokio::task::spawn_blocking(move || store.review_queue())
        .await
        .ok()?
        .ok()
        .map(|items| items.iter().filter(|i| i.decision.is_none()).count())
}

pub async fn page(State(state): State<Shared>, user: User) -> Response {
    render(&state, &user, None).await
}

/// The page, with a notice above it (a decision the store refused).
async fn render(state: &Shared, user: &User, notice: Option<(StatusCode, String)>) -> Response {
    if let Some(refused) = user.require(Role::Viewer) {
        return refused;
    }
    let store = state.store.clone();
    let items = match tokio::task::spawn_blocking(move || store.review_queue()).await {
        Ok(Ok(items)) => items,
        Ok(Err(e)) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")).into_response();
        }
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let (pending, mut decided): (Vec<ReviewItem>, Vec<ReviewItem>) =
        items.into_iter().partition(|i| i.decision.is_none());
    decided.sort_by_key(|i| std::cmp::Reverse(i.decision.as_ref().map_or(0, |d| d.at_ms)));
    decided.truncate(DECIDED_SHOWN);
    let lang = user.lang;
    let decides = user.session.role >= Role::Moderator;
    let content = html! {
        p.note { (lang.tr(
            "Actions a plugin holds for a moderator's decision (not executed until approved) and flags sent to the staff (to confirm or overturn), oldest first. Moderators and admins decide; every decision is in the audit with its author.",
            "Les actions qu'un plugin retient pour décision d'un modérateur (rien n'est exécuté avant approbation) et les signalements envoyés à l'équipe (à confirmer ou infirmer), les plus anciens en haut. Modérateurs et administrateurs décident ; chaque décision figure dans l'audit avec son auteur."
        )) }
        @if let Some((_, notice)) = &notice {
            p.error role="alert" { (notice) }
        }
        h2 { (lang.tr("Waiting", "En attente")) }
        p { (lang.count(pending.len(), ("item waiting", "items waiting"), ("élément en attente", "éléments en attente"))) }
        @if !pending.is_empty() {
            (table(lang, &pending, decides.then_some(user.session.csrf.as_str())))
        }
        h2 { (lang.tr("Decided", "Décidés")) }
        p { (lang.count(decided.len(), ("decided item (latest 100 at most)", "decided items (latest 100 at most)"), ("élément décidé (100 derniers au plus)", "éléments décidés (100 derniers au plus)"))) }
        @if !decided.is_empty() {
            (table(lang, &decided, None))
        }
    };
    let mut response = server::page(user, lang.tr("Review", "Revue"), "/review", content);
    if let Some((status, _)) = notice {
        *response.status_mut() = status;
    }
    response
}

/// The items' table; `csrf`: the decision forms, for a moderator.
fn table(lang: Lang, items: &[ReviewItem], csrf: Option<&str>) -> Markup {
    html! {
        table.rows.review {
            thead { tr {
                th { (lang.tr("Queued at", "En file depuis")) }
                th { (lang.tr("Community", "Communauté")) }
                th { (lang.tr("Channel", "Salon")) }
                th { (lang.tr("Held or flag", "Retenue ou signalement")) }
                th { (lang.tr("Action", "Action")) }
                th { (lang.tr("Plugin", "Plugin")) }
                th { (lang.tr("Reason", "Raison")) }
                th { (lang.tr("Message", "Message")) }
                th { (lang.tr("Decision", "Décision")) }
            } }
            tbody {
                @for item in items {
                    @let a = &item.entry.action;
                    tr {
                        td.time { (i18n::time(item.queued_at_ms)) }
                        td { (a.community) }
                        td { (a.channel) }
                        td { @if item.held { (lang.tr("held", "retenue")) } @else { (lang.tr("flag", "signalement")) } }
                        td {
                            span.what { (a.action.kind().name()) } " " (action_detail(&a.action))
                            @if let Some(user) = &item.entry.target_user {
                                br; (lang.tr("user: ", "utilisateur : ")) (user)
                            }
                        }
                        td { (a.by.plugin) " " (a.by.plugin_version) " " code { (short_hash(&a.by.plugin_hash)) } }
                        td.text { (a.action.reason()) }
                        td.text { (item.entry.evidence.as_deref().unwrap_or("-")) }
                        td {
                            @if let Some(d) = &item.decision {
                                span.what { (i18n::verdict(lang, &d.verdict)) }
                                " " (lang.tr("by", "par")) " " (d.by) br;
                                span.time { (i18n::time(d.at_ms)) }
                                @if let Verdict::Replaced { action } = &d.verdict {
                                    br; (action.action.kind().name()) " " (action_detail(&action.action)) " — " (action.action.reason())
                                }
                                @if let Some(note) = &d.note { br; em { (note) } }
                            } @else if let Some(csrf) = csrf {
                                (decision_forms(lang, csrf, item))
                            } @else {
                                "-"
                            }
                        }
                    }
                }
            }
        }
    }
}

fn short_hash(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

fn decision_forms(lang: Lang, csrf: &str, item: &ReviewItem) -> Markup {
    let key = &item.entry.key;
    html! {
        form.decide method="post" action="/review/decide" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="key" value=(key);
            input type="text" name="note" maxlength="500" placeholder=(lang.tr("note (optional)", "note (facultative)"));
            " "
            button type="submit" name="verdict" value="approved" { (lang.tr("Approve", "Approuver")) }
            " "
            button.reject type="submit" name="verdict" value="rejected" { (lang.tr("Reject", "Rejeter")) }
        }
        details {
            summary { (lang.tr("Act otherwise", "Agir autrement")) }
            form.decide method="post" action="/review/decide" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="key" value=(key);
                input type="hidden" name="verdict" value="replaced";
                select name="kind" {
                    option value="delete" { (lang.tr("delete the message", "supprimer le message")) }
                    option value="timeout" { (lang.tr("timeout", "exclusion temporaire")) }
                    option value="ban" { (lang.tr("ban", "bannir")) }
                }
                " "
                label { (lang.tr("minutes (timeout)", "minutes (exclusion)")) " " input type="number" name="duration_min" min="1" max="40320" value="10"; }
                " "
                input type="text" name="reason" required maxlength="500" placeholder=(lang.tr("reason (required)", "raison (obligatoire)"));
                " "
                button type="submit" { (lang.tr("Do this instead", "Faire ceci à la place")) }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct DecideForm {
    csrf: Option<String>,
    #[serde(default)]
    key: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    duration_min: String,
    #[serde(default)]
    reason: String,
}

/// POST `/review/decide` (moderators, admins): approve, reject, or act
/// otherwise; then back to the page (303), or the page with the store's
/// refusal (409: decided already).
pub async fn decide(
    State(state): State<Shared>,
    user: User,
    Form(form): Form<DecideForm>,
) -> Response {
    if let Some(refused) = user.check_csrf(form.csrf.as_deref()) {
        return refused;
    }
    if let Some(refused) = user.require(Role::Moderator) {
        return refused;
    }
    let lang = user.lang;
    let key = form.key.trim().to_string();
    let store = state.store.clone();
    let item = {
        let (store, key) = (store.clone(), key.clone());
        match tokio::task::spawn_blocking(move || store.review_queue()).await {
            Ok(Ok(items)) => items.into_iter().find(|i| i.entry.key == key),
            Ok(Err(e)) => {
                return (StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")).into_response()
            }
            Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        }
    };
    let Some(item) = item else {
        return render(
            &state,
            &user,
            Some((
                StatusCode::NOT_FOUND,
                lang.tr(
                    "No review item has this key.",
                    "Aucun élément de la file de revue n'a cette clé.",
                )
                .to_string(),
            )),
        )
        .await;
    };
    let verdict = match form.verdict.as_str() {
        "approved" => Verdict::Approved,
        "rejected" => Verdict::Rejected,
        "replaced" => match replacement(lang, &item, &form) {
            Ok(action) => Verdict::Replaced {
                action: Box::new(action),
            },
            Err(why) => {
                return render(&state, &user, Some((StatusCode::BAD_REQUEST, why))).await;
            }
        },
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                "verdict: approved, rejected or replaced",
            )
                .into_response()
        }
    };
    let note = Some(form.note.trim().to_string()).filter(|n| !n.is_empty());
    let decision = ReviewDecision {
        by: user.session.user.clone(),
        at_ms: crate::connector::now_ms(),
        verdict,
        note,
    };
    match tokio::task::spawn_blocking(move || store.decide(&key, decision)).await {
        Ok(Ok(item)) => {
            tracing::info!(
                user = user.session.user,
                verdict = item.decision.as_ref().map_or("", |d| d.verdict.name()),
                "console: review decision: {}",
                item.entry.action.one_line()
            );
            Redirect::to("/review").into_response()
        }
        // Decided already (or gone): the store's words, on the page.
        Ok(Err(e)) => {
            render(
                &state,
                &user,
                Some((StatusCode::CONFLICT, format!("{e:#}"))),
            )
            .await
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// The action a moderator chose instead of the item's: a deletion of the
/// item's message, a timeout or a ban of its user, in the same community
/// and channel, decided by `moderator`.
fn replacement(lang: Lang, item: &ReviewItem, form: &DecideForm) -> Result<DecidedAction, String> {
    let reason = form.reason.trim().to_string();
    if reason.is_empty() {
        return Err(lang
            .tr(
                "Acting otherwise needs a reason.",
                "Agir autrement demande une raison.",
            )
            .into());
    }
    let original = &item.entry.action;
    let message_id = original
        .action
        .message_id()
        .map(String::from)
        .or_else(|| original.event_id.clone());
    let user_id = item
        .entry
        .target_user
        .clone()
        .or_else(|| original.action.user_id().map(String::from));
    let no_user = || {
        lang.tr(
            "This item names no user to act on.",
            "Cet élément ne désigne aucun utilisateur.",
        )
        .to_string()
    };
    let action = match form.kind.as_str() {
        "delete" => Action::Delete {
            message_id: message_id.ok_or_else(|| {
                lang.tr(
                    "This item names no message to delete.",
                    "Cet élément ne désigne aucun message à supprimer.",
                )
                .to_string()
            })?,
            reason,
        },
        "timeout" => {
            let minutes: u32 = form
                .duration_min
                .trim()
                .parse()
                .ok()
                .filter(|m| (1..=40_320).contains(m))
                .ok_or_else(|| {
                    lang.tr(
                        "A timeout lasts between 1 and 40320 minutes.",
                        "Une exclusion temporaire dure de 1 à 40320 minutes.",
                    )
                    .to_string()
                })?;
            Action::Timeout {
                user_id: user_id.ok_or_else(no_user)?,
                duration_s: minutes * 60,
                reason,
            }
        }
        "ban" => Action::Ban {
            user_id: user_id.ok_or_else(no_user)?,
            duration_s: None,
            reason,
        },
        _ => {
            return Err(lang
                .tr(
                    "Act otherwise: delete, timeout or ban.",
                    "Agir autrement : supprimer, exclure ou bannir.",
                )
                .into())
        }
    };
    Ok(DecidedAction {
        event_id: original.event_id.clone(),
        tick_ms: original.tick_ms,
        community: original.community.clone(),
        channel: original.channel.clone(),
        by: PluginRef {
            plugin: "moderator".into(),
            plugin_version: env!("CARGO_PKG_VERSION").into(),
            plugin_hash: String::new(),
        },
        action,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::OutboxEntry;

    fn item(action: Action, target: Option<&str>) -> ReviewItem {
        ReviewItem {
            entry: OutboxEntry {
                key: "k".into(),
                connector: "forum".into(),
                action: DecidedAction {
                    event_id: Some("e1".into()),
                    tick_ms: None,
                    community: "acme".into(),
                    channel: "general".into(),
                    by: PluginRef {
                        plugin: "p".into(),
                        plugin_version: "1.0.0".into(),
                        plugin_hash: "ab".repeat(32),
                    },
                    action,
                },
                evidence: Some("p:ban".into()),
                target_user: target.map(String::from),
                attempts: 0,
                decided_at_ms: 0,
                approved_by: None,
            },
            held: true,
            queued_at_ms: 0,
            decision: None,
            alerted_at_ms: None,
        }
    }

    fn form(kind: &str, minutes: &str, reason: &str) -> DecideForm {
        DecideForm {
            csrf: None,
            key: "k".into(),
            verdict: "replaced".into(),
            note: String::new(),
            kind: kind.into(),
            duration_min: minutes.into(),
            reason: reason.into(),
        }
    }

    #[test]
    fn a_replacement_acts_on_the_items_user_or_message() {
        let ban = item(
            Action::Ban {
                user_id: "bob".into(),
                duration_s: None,
                reason: "r".into(),
            },
            Some("bob"),
        );
        let timeout = replacement(Lang::En, &ban, &form("timeout", "15", "cool down")).unwrap();
        assert_eq!(
            timeout.action,
            Action::Timeout {
                user_id: "bob".into(),
                duration_s: 900,
                reason: "cool down".into()
            }
        );
        assert_eq!(timeout.by.plugin, "moderator");
        assert_eq!(timeout.by.plugin_version, env!("CARGO_PKG_VERSION"));
        assert_eq!(
            (timeout.community.as_str(), timeout.channel.as_str()),
            ("acme", "general")
        );
        assert_eq!(timeout.event_id.as_deref(), Some("e1"));
        // A ban names no message: the deletion is of the event's message.
        let delete = replacement(Lang::En, &ban, &form("delete", "", "spam")).unwrap();
        assert_eq!(
            delete.action,
            Action::Delete {
                message_id: "e1".into(),
                reason: "spam".into()
            }
        );
        let flag = item(
            Action::Flag {
                message_id: "m9".into(),
                reason: "r".into(),
            },
            None,
        );
        assert!(replacement(Lang::En, &flag, &form("ban", "", "x"))
            .unwrap_err()
            .contains("no user"));
        assert!(replacement(Lang::En, &ban, &form("ban", "", "  "))
            .unwrap_err()
            .contains("needs a reason"));
        assert!(replacement(Lang::En, &ban, &form("timeout", "0", "x")).is_err());
        assert!(replacement(Lang::En, &ban, &form("kick", "", "x")).is_err());
    }
}
