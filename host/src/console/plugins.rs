//! The Plugins page: every plugin entry the chains use (one row per
//! distinct configuration: a community file's overrides make another),
//! with its component, declared version, hash, mode, grants, the
//! communities it serves, its failed calls by cause and events handled
//! this run, its quarantines, and when a reloaded version first served.
//!
//! An admin can lift a quarantine: the request goes through the live
//! routes ([`crate::router::LiveRoutes::lift_quarantine`]) to the
//! community's actor, which lifts it before its next event or tick, the
//! way it takes a reload (reloading the plugin lifts it too, as before).

use super::auth::Role;
use super::server::{self, Shared, User};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use serde::Deserialize;
use std::collections::BTreeMap;

pub async fn page(State(state): State<Shared>, user: User) -> Response {
    if let Some(refused) = user.require(Role::Viewer) {
        return refused;
    }
    let lang = user.lang;
    let routes = state.live.snapshot();
    let stats = state.observer.stats.snapshot();
    // Which communities each definition serves.
    let mut serves: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (community, chain) in &routes.communities {
        for def in chain {
            serves
                .entry((def.entry.name.clone(), def.loaded.hash.clone()))
                .or_default()
                .push(community.clone());
        }
    }
    if let Some(chain) = &routes.default_chain {
        for def in chain {
            serves
                .entry((def.entry.name.clone(), def.loaded.hash.clone()))
                .or_default()
                .push(
                    lang.tr("(default chain)", "(chaîne par défaut)")
                        .to_string(),
                );
        }
    }
    let mut defs: Vec<_> = routes.definitions().into_values().collect();
    defs.sort_by(|a, b| {
        (&a.entry.name, &a.entry.config_json).cmp(&(&b.entry.name, &b.entry.config_json))
    });
    let rejected = state.live.rejected();
    let admin = user.session.role >= Role::Admin;
    let content = html! {
        p.note { (lang.tr(
            "The plugins the chains run now. Error counts and events are this run's (since the host started). A quarantined plugin is skipped for that community until it is reloaded (save its file or its config) or an admin lifts the quarantine here.",
            "Les plugins que les chaînes font tourner. Les erreurs et événements comptent depuis le démarrage de l'hôte. Un plugin en quarantaine est sauté pour cette communauté jusqu'à son rechargement (enregistrez son fichier ou sa configuration) ou jusqu'à ce qu'un administrateur lève la quarantaine ici."
        )) }
        table.rows {
            thead { tr {
                th { (lang.tr("Entry", "Entrée")) }
                th { (lang.tr("Component", "Composant")) }
                th { "Version" }
                th { "Hash" }
                th { "Mode" }
                th { (lang.tr("Grants", "Droits")) }
                th { (lang.tr("Communities", "Communautés")) }
                th { (lang.tr("Events handled", "Événements traités")) }
                th { (lang.tr("Failed calls", "Appels en échec")) }
                th { "Quarantine" }
                th { (lang.tr("Reloaded version serving since", "Version rechargée en service depuis")) }
            } }
            tbody {
                @for def in &defs {
                    @let name = &def.entry.name;
                    @let errors = stats.plugin_errors.get(name);
                    @let quarantines: Vec<(&String, &String)> = stats.quarantined_now.iter().filter(|((p, _), _)| p == name).map(|((_, c), why)| (c, why)).collect();
                    @let communities = serves.get(&(name.clone(), def.loaded.hash.clone())).cloned().unwrap_or_default();
                    tr {
                        td { strong { (name) } @if def.entry.overridden { br; small { (lang.tr("with a community file's keys", "avec les clés d'un fichier de communauté")) } } }
                        td.text { (def.entry.component) }
                        td { (def.description.version) }
                        td { code title=(def.loaded.hash) { (def.loaded.hash.get(..12).unwrap_or(def.loaded.hash.as_str())) } }
                        td { @if def.entry.shadow { span.shadow { "shadow" } @if let Some(r) = &def.entry.replaces { " → " (r) } } @else { "live" } }
                        td { (def.entry.grants.iter().map(|g| g.name()).collect::<Vec<_>>().join(", ")) }
                        td { (communities.join(", ")) }
                        td { (stats.plugin_events.get(name).copied().unwrap_or(0)) }
                        td {
                            @match errors {
                                Some(causes) if !causes.is_empty() => {
                                    (causes.iter().map(|(c, n)| format!("{c} {n}")).collect::<Vec<_>>().join(", "))
                                }
                                _ => { "0" }
                            }
                        }
                        td {
                            @if quarantines.is_empty() { "—" } @else {
                                @for (community, why) in &quarantines {
                                    div.quarantine {
                                        span.quarantined { (why) }
                                        @if state.live.lift_pending(community, name) {
                                            " " em { (lang.tr("lifted before its next event", "levée avant son prochain événement")) }
                                        } @else if admin {
                                            " "
                                            form.inline method="post" action="/plugins/lift" {
                                                input type="hidden" name="csrf" value=(user.session.csrf);
                                                input type="hidden" name="plugin" value=(name);
                                                input type="hidden" name="community" value=(community);
                                                button type="submit" { (lang.tr("Lift", "Lever")) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        td {
                            @match state.live.first_served(&def.loaded.hash) {
                                Some(at) => { (super::i18n::time(crate::connector::now_ms() - at.elapsed().as_millis() as i64)) }
                                None => { (lang.tr("since start", "depuis le démarrage")) }
                            }
                        }
                    }
                }
            }
        }
        @if !rejected.is_empty() {
            h2 { (lang.tr("Versions rolled back", "Versions annulées")) }
            p.note { (lang.tr("New versions that failed on their first events: the previous version serves again.", "Nouvelles versions qui ont échoué sur leurs premiers événements : la version précédente a repris.")) }
            ul { @for r in &rejected { li.text { (r) } } }
        }
    };
    server::page(&user, lang.tr("Plugins", "Plugins"), "/plugins", content)
}

#[derive(Deserialize)]
pub struct LiftForm {
    csrf: Option<String>,
    #[serde(default)]
    plugin: String,
    #[serde(default)]
    community: String,
}

/// POST `/plugins/lift` (admins): lifts a plugin's quarantine in one
/// community, before that community's next event or tick.
pub async fn lift(State(state): State<Shared>, user: User, Form(form): Form<LiftForm>) -> Response {
    if let Some(refused) = user.authorize_form(form.csrf.as_deref(), Role::Admin) {
        return refused;
    }
    let quarantined = state
        .observer
        .stats
        .snapshot()
        .quarantined_now
        .contains_key(&(form.plugin.clone(), form.community.clone()));
    if quarantined {
        tracing::info!(
            user = %user.session.user,
            plugin = %form.plugin,
            community = %form.community,
            "console: quarantine lift asked"
        );
        state.live.lift_quarantine(&form.community, &form.plugin);
    }
    Redirect::to("/plugins").into_response()
}
