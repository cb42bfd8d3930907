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
//!
//! **Bulk decisions**: a checkbox per waiting item (and "select all"),
//! approve or reject the selected items in one POST (`/review/bulk`, a
//! plain form: no script needed). Each item is decided by the same store
//! step as a single decision; one decided meanwhile is skipped and named
//! on the answer page with why.
//!
//! **Keyboard shortcuts** (`assets/review.js`, vendored, no build step):
//! j/k move between the waiting items, x selects, a approves, r rejects the
//! focused one (its own form), ? shows the list. Not while typing.

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

/// A refusal to show above the page, with the answer's status.
fn refusal(status: StatusCode, text: String) -> Option<(StatusCode, Markup)> {
    Some((status, html! { p.error role="alert" { (text) } }))
}

/// The page, with a notice above it (a decision the store refused, what a
/// bulk decision did).
async fn render(state: &Shared, user: &User, notice: Option<(StatusCode, Markup)>) -> Response {
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
            (notice)
        }
        h2 { (lang.tr("Waiting", "En attente")) }
        p { (lang.count(pending.len(), ("item waiting", "items waiting"), ("élément en attente", "éléments en attente"))) }
        @if !pending.is_empty() {
            @if decides {
                (bulk_form(lang, &user.session.csrf, &pending))
                (shortcuts_help(lang))
            }
            (table(lang, &pending, decides.then_some(user.session.csrf.as_str())))
        }
        h2 { (lang.tr("Decided", "Décidés")) }
        p { (lang.count(decided.len(), ("decided item (latest 100 at most)", "decided items (latest 100 at most)"), ("élément décidé (100 derniers au plus)", "éléments décidés (100 derniers au plus)"))) }
        @if !decided.is_empty() {
            (table(lang, &decided, None))
        }
    };
    let mut response = server::page_with_script(
        user,
        lang.tr("Review", "Revue"),
        "/review",
        content,
        decides.then_some("/assets/review.js"),
    );
    if let Some((status, _)) = notice {
        *response.status_mut() = status;
    }
    response
}

/// The items' table; `csrf`: the decision forms, for a moderator.
fn table(lang: Lang, items: &[ReviewItem], csrf: Option<&str>) -> Markup {
    html! {
        table.rows.review.pending[csrf.is_some()] {
            thead { tr {
                @if csrf.is_some() {
                    th.pick { (lang.tr("Select", "Choisir")) }
                }
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
                    tr.item tabindex=[csrf.is_some().then_some("-1")] {
                        @if csrf.is_some() {
                            td.pick {
                                input.pick type="checkbox" name="key" value=(item.entry.key) form="bulk"
                                    aria-label=(lang.tr("select this item", "choisir cet élément"));
                            }
                        }
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

/// The bulk form: its checkboxes are in the table's rows (`form="bulk"`,
/// as forms cannot nest), and "select all" means every waiting item the
/// page shows (their keys ride along as `shown`; the oldest [`BULK_MAX`]
/// when more wait), so it works without a script and never decides an
/// item the moderator did not see.
fn bulk_form(lang: Lang, csrf: &str, pending: &[ReviewItem]) -> Markup {
    html! {
        form #bulk .bulk method="post" action="/review/bulk" {
            input type="hidden" name="csrf" value=(csrf);
            @for item in pending.iter().take(BULK_MAX) {
                input type="hidden" name="shown" value=(item.entry.key);
            }
            label.all {
                input id="select-all" type="checkbox" name="all" value="1";
                " " (lang.tr("Select all waiting items shown", "Choisir tous les éléments en attente affichés"))
                @if pending.len() > BULK_MAX {
                    " " (lang.tr("(the oldest 500)", "(les 500 plus anciens)"))
                }
            }
            " "
            input type="text" name="note" maxlength="500" placeholder=(lang.tr("note for each (optional)", "note pour chacun (facultative)"));
            " "
            button type="submit" name="verdict" value="approved" { (lang.tr("Approve selected", "Approuver la sélection")) }
            " "
            button.reject type="submit" name="verdict" value="rejected" { (lang.tr("Reject selected", "Rejeter la sélection")) }
        }
    }
}

/// The shortcuts: a visible line, and the full list `?` shows.
fn shortcuts_help(lang: Lang) -> Markup {
    let keys: [(&str, &str); 6] = [
        (
            "j / k",
            lang.tr("next / previous item", "élément suivant / précédent"),
        ),
        (
            "x",
            lang.tr("select or unselect the item", "choisir ou non l'élément"),
        ),
        ("a", lang.tr("approve the item", "approuver l'élément")),
        ("r", lang.tr("reject the item", "rejeter l'élément")),
        (
            "?",
            lang.tr("show or hide this list", "afficher ou masquer cette liste"),
        ),
        ("Esc", lang.tr("hide this list", "masquer cette liste")),
    ];
    html! {
        p.note.shortcuts {
            (lang.tr("Keyboard: ", "Clavier : "))
            kbd { "j" } "/" kbd { "k" } " " (lang.tr("move", "se déplacer")) ", "
            kbd { "x" } " " (lang.tr("select", "choisir")) ", "
            kbd { "a" } " " (lang.tr("approve", "approuver")) ", "
            kbd { "r" } " " (lang.tr("reject", "rejeter")) ", "
            kbd { "?" } " " (lang.tr("all shortcuts", "tous les raccourcis"))
            (lang.tr(" (not while typing in a field).", " (pas pendant la saisie dans un champ)."))
        }
        div #shortcuts .shortcuts hidden role="dialog" aria-label=(lang.tr("Keyboard shortcuts", "Raccourcis clavier")) {
            h2 { (lang.tr("Keyboard shortcuts", "Raccourcis clavier")) }
            dl {
                @for (key, what) in keys {
                    dt { kbd { (key) } } dd { (what) }
                }
            }
        }
    }
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
    if let Some(refused) = user.authorize_form(form.csrf.as_deref(), Role::Moderator) {
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
            refusal(
                StatusCode::NOT_FOUND,
                lang.tr(
                    "No review item has this key.",
                    "Aucun élément de la file de revue n'a cette clé.",
                )
                .to_string(),
            ),
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
                return render(&state, &user, refusal(StatusCode::BAD_REQUEST, why)).await;
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
                refusal(StatusCode::CONFLICT, format!("{e:#}")),
            )
            .await
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// Items one bulk decision takes at most.
const BULK_MAX: usize = 500;

/// An item a bulk decision did not decide, and why.
struct Skipped {
    key: String,
    /// The item's action in one line, when it exists.
    what: Option<String>,
    why: String,
}

/// POST `/review/bulk` (moderators, admins): approves or rejects each
/// selected item (`key`, repeated; with `all`, every `shown` one), each
/// by the same store step as a single decision, with the same audit
/// record. The answer is the page, saying how many were decided and which
/// were skipped, and why (decided meanwhile, gone): 200, or 409 when none
/// could be decided.
pub async fn bulk(
    State(state): State<Shared>,
    user: User,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(refused) = user.authorize_form(field("csrf"), Role::Moderator) {
        return refused;
    }
    let lang = user.lang;
    let verdict = match field("verdict") {
        Some("approved") => Verdict::Approved,
        Some("rejected") => Verdict::Rejected,
        _ => return (StatusCode::BAD_REQUEST, "verdict: approved or rejected").into_response(),
    };
    let all = field("all") == Some("1");
    let mut keys: Vec<String> = Vec::new();
    for (name, value) in &fields {
        let value = value.trim();
        let wanted = name == "key" || (all && name == "shown");
        if wanted && !value.is_empty() && !keys.iter().any(|k| k == value) {
            keys.push(value.to_string());
        }
    }
    if keys.is_empty() {
        return render(
            &state,
            &user,
            refusal(
                StatusCode::BAD_REQUEST,
                lang.tr(
                    "No item selected: tick the items to decide, or \"Select all\".",
                    "Aucun élément choisi : cochez les éléments à décider, ou « Choisir tous ».",
                )
                .to_string(),
            ),
        )
        .await;
    }
    if keys.len() > BULK_MAX {
        return render(
            &state,
            &user,
            refusal(
                StatusCode::BAD_REQUEST,
                format!(
                    "{} {BULK_MAX}.",
                    lang.tr(
                        "Too many items at once: at most",
                        "Trop d'éléments à la fois : au plus"
                    )
                ),
            ),
        )
        .await;
    }
    let note = field("note")
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    let by = user.session.user.clone();
    let store = state.store.clone();
    let approve = matches!(verdict, Verdict::Approved);
    let outcome = tokio::task::spawn_blocking(move || {
        let mut decided = Vec::new();
        let mut failed = Vec::new();
        for key in keys {
            let decision = ReviewDecision {
                by: by.clone(),
                at_ms: crate::connector::now_ms(),
                verdict: verdict.clone(),
                note: note.clone(),
            };
            match store.decide(&key, decision) {
                Ok(item) => decided.push(item),
                Err(e) => failed.push((key, format!("{e:#}"))),
            }
        }
        // Why each was refused, from the queue as it is now (or, if it
        // cannot be read, the store's own words).
        let queue = if failed.is_empty() {
            Some(Vec::new())
        } else {
            store.review_queue().ok()
        };
        (decided, failed, queue)
    })
    .await;
    let (decided, failed, queue) = match outcome {
        Ok(outcome) => outcome,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    for item in &decided {
        tracing::info!(
            user = user.session.user,
            verdict = item.decision.as_ref().map_or("", |d| d.verdict.name()),
            "console: review decision (bulk): {}",
            item.entry.action.one_line()
        );
    }
    let skipped: Vec<Skipped> = failed
        .into_iter()
        .map(|(key, error)| {
            let Some(queue) = &queue else {
                return Skipped {
                    key,
                    what: None,
                    why: error,
                };
            };
            let item = queue.iter().find(|i| i.entry.key == key);
            let why = match item.and_then(|i| i.decision.as_ref()) {
                Some(d) => format!(
                    "{} {} {} {} {}",
                    lang.tr("already", "déjà"),
                    i18n::verdict(lang, &d.verdict),
                    lang.tr("by", "par"),
                    d.by,
                    i18n::time(d.at_ms)
                ),
                None if item.is_none() => lang
                    .tr(
                        "no review item has this key (any more)",
                        "aucun élément de la file n'a (plus) cette clé",
                    )
                    .to_string(),
                None => error,
            };
            Skipped {
                what: item.map(|i| i.entry.action.one_line()),
                key,
                why,
            }
        })
        .collect();
    let status = if decided.is_empty() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let summary = if approve {
        lang.count(
            decided.len(),
            ("item approved.", "items approved."),
            ("élément approuvé.", "éléments approuvés."),
        )
    } else {
        lang.count(
            decided.len(),
            ("item rejected.", "items rejected."),
            ("élément rejeté.", "éléments rejetés."),
        )
    };
    let notice = html! {
        div.bulk-result role="status" {
            p.done { (summary) }
            @if !skipped.is_empty() {
                p.error {
                    (lang.count(skipped.len(), ("item skipped:", "items skipped:"), ("élément ignoré :", "éléments ignorés :")))
                }
                ul.skipped {
                    @for s in &skipped {
                        li {
                            @if let Some(what) = &s.what { (what) " " }
                            "(" (lang.tr("key", "clé")) " " code { (short_hash(&s.key)) } "): " (s.why)
                        }
                    }
                }
            }
        }
    };
    render(&state, &user, Some((status, notice))).await
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
