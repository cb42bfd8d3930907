//! The Live page: events and decided actions as they happen.
//!
//! The pipeline hands the [`Feed`] each item a source gives (before it is
//! routed: events, and input lines that are not events) and each plan a
//! community commits (after its store write, before the executor prints
//! it). The feed turns them into display rows, keeps the last
//! [`HISTORY`] for a page that opens, and sends them on a
//! `tokio::sync::broadcast` channel of [`CHANNEL`] slots: sending never
//! waits, and a browser that falls behind by more than that loses the
//! oldest rows (it is told how many). `/api/live` streams the rows as
//! server-sent events; `assets/console.js` adds them to the table with
//! `textContent` only.

use super::auth::Role;
use super::i18n;
use super::server::{self, Shared, User};
use crate::action::{Action, DecidedAction};
use crate::source::SourceItem;
use axum::extract::{Query, State};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// Rows kept for a page that opens.
pub const HISTORY: usize = 300;
/// Rows a slow browser may fall behind before it loses the oldest.
pub const CHANNEL: usize = 1024;
/// Longest text shown in a row (characters).
const MAX_TEXT: usize = 400;

/// One row of the Live page.
#[derive(Debug, Clone, Serialize)]
pub struct LiveItem {
    /// `event`, `action` or `rejected`.
    #[serde(rename = "type")]
    pub row: &'static str,
    /// When the console saw it (wall clock, ms).
    pub at_ms: i64,
    pub time: String,
    pub community: String,
    pub channel: String,
    /// The event's kind, or the action's.
    pub what: String,
    /// The author (events), or the plugin and its version (actions).
    pub who: String,
    /// The plugin entry (actions only).
    pub plugin: String,
    /// The message (events), or what the action does.
    pub text: String,
    /// Why (actions), or the error (rejected lines).
    pub reason: String,
    /// The event's id, or the one the action answers.
    pub event_id: String,
}

/// Counts the metrics need that the run's stats do not keep.
#[derive(Debug, Default, Clone)]
pub struct FeedCounts {
    /// Events received, by community.
    pub received: BTreeMap<String, u64>,
    /// Decided actions, by (plugin, kind).
    pub actions: BTreeMap<(String, String), u64>,
}

/// The live feed the pipeline taps into.
pub struct Feed {
    tx: broadcast::Sender<Arc<LiveItem>>,
    recent: Mutex<VecDeque<Arc<LiveItem>>>,
    counts: Mutex<FeedCounts>,
}

impl Default for Feed {
    fn default() -> Self {
        Self::new()
    }
}

fn clip(text: &str) -> String {
    let flat = text.replace(['\n', '\r'], " ");
    if flat.chars().count() <= MAX_TEXT {
        flat
    } else {
        let cut: String = flat.chars().take(MAX_TEXT - 1).collect();
        format!("{cut}…")
    }
}

fn now_ms() -> i64 {
    crate::connector::now_ms()
}

/// What an action does, in a few words.
pub fn action_detail(action: &Action) -> String {
    match action {
        Action::Reply { text, .. } | Action::Post { text, .. } => text.clone(),
        Action::DirectMessage { user_id, text, .. } => format!("→ {user_id}: {text}"),
        Action::React {
            emoji, message_id, ..
        } => format!("{emoji} {message_id}"),
        Action::Timeout {
            user_id,
            duration_s,
            ..
        } => format!("{user_id} ({duration_s} s)"),
        Action::Kick { user_id, .. } => user_id.clone(),
        Action::Ban {
            user_id,
            duration_s,
            ..
        } => match duration_s {
            Some(d) => format!("{user_id} ({d} s)"),
            None => user_id.clone(),
        },
        Action::Label { key, value, .. } => format!("{key} = {value:.2}"),
        Action::Alert {
            severity, message, ..
        } => format!("[{severity:?}] {message}"),
        Action::Delete { message_id, .. } | Action::Flag { message_id, .. } => message_id.clone(),
        Action::Stop { .. } => String::new(),
    }
}

impl Feed {
    pub fn new() -> Feed {
        Feed {
            tx: broadcast::channel(CHANNEL).0,
            recent: Mutex::new(VecDeque::with_capacity(HISTORY)),
            counts: Mutex::new(FeedCounts::default()),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveItem>> {
        self.tx.subscribe()
    }

    /// The kept rows, oldest first.
    pub fn recent(&self) -> Vec<Arc<LiveItem>> {
        self.recent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    pub fn counts(&self) -> FeedCounts {
        self.counts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn publish(&self, item: LiveItem) {
        let item = Arc::new(item);
        {
            let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
            if recent.len() == HISTORY {
                recent.pop_front();
            }
            recent.push_back(item.clone());
        }
        // No receiver (no browser on the page) is not an error.
        let _ = self.tx.send(item);
    }

    /// An item from a source.
    pub fn received(&self, item: &SourceItem) {
        let at_ms = now_ms();
        match item {
            SourceItem::Event(event) => {
                *self
                    .counts
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .received
                    .entry(event.community.clone())
                    .or_default() += 1;
                let kind = serde_json::to_value(event.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                let who = if event.author.name.is_empty() || event.author.name == event.author.id {
                    event.author.id.clone()
                } else {
                    format!("{} ({})", event.author.name, event.author.id)
                };
                self.publish(LiveItem {
                    row: "event",
                    at_ms,
                    time: i18n::time(at_ms),
                    community: event.community.clone(),
                    channel: event.channel.clone(),
                    what: kind,
                    who,
                    plugin: String::new(),
                    text: clip(&event.text),
                    reason: String::new(),
                    event_id: event.id.clone(),
                });
            }
            SourceItem::Rejected(rejected) => self.publish(LiveItem {
                row: "rejected",
                at_ms,
                time: i18n::time(at_ms),
                community: String::new(),
                channel: String::new(),
                what: "rejected".into(),
                who: format!("{}:{}", rejected.source, rejected.line),
                plugin: String::new(),
                text: clip(&rejected.content),
                reason: clip(&rejected.error),
                event_id: String::new(),
            }),
            SourceItem::Clock(_) => {}
        }
    }

    /// A committed plan.
    pub fn decided(&self, plan: &[DecidedAction]) {
        let at_ms = now_ms();
        {
            let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
            for a in plan {
                *counts
                    .actions
                    .entry((a.by.plugin.clone(), a.action.kind().name().to_string()))
                    .or_default() += 1;
            }
        }
        for a in plan {
            self.publish(LiveItem {
                row: "action",
                at_ms,
                time: i18n::time(at_ms),
                community: a.community.clone(),
                channel: a.channel.clone(),
                what: a.action.kind().name().to_string(),
                who: format!("{} {}", a.by.plugin, a.by.plugin_version),
                plugin: a.by.plugin.clone(),
                text: clip(&action_detail(&a.action)),
                reason: clip(a.action.reason()),
                event_id: a.event_id.clone().unwrap_or_default(),
            });
        }
    }
}

/// The page's filters (query string), also applied to the stream.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct Filter {
    #[serde(default)]
    pub community: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub plugin: String,
    /// `event`, or an action kind.
    #[serde(default)]
    pub kind: String,
}

impl Filter {
    pub fn matches(&self, item: &LiveItem) -> bool {
        let is = |want: &str, have: &str| want.is_empty() || want == have;
        is(&self.community, &item.community)
            && is(&self.channel, &item.channel)
            && (self.plugin.is_empty() || (item.row == "action" && self.plugin == item.plugin))
            && match self.kind.as_str() {
                "" => true,
                "event" => item.row == "event",
                kind => item.row == "action" && item.what == kind,
            }
    }

    fn query(&self) -> String {
        serde_urlencoded_query(self)
    }
}

fn serde_urlencoded_query(filter: &Filter) -> String {
    let pairs = [
        ("community", &filter.community),
        ("channel", &filter.channel),
        ("plugin", &filter.plugin),
        ("kind", &filter.kind),
    ];
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", super::server::url_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn row(item: &LiveItem) -> Markup {
    html! {
        tr class=(item.row) {
            td.time { (item.time) }
            td { (item.community) }
            td { (item.channel) }
            td.what { (item.what) }
            td { (item.who) }
            td.text { (item.text) }
            td { (item.reason) }
        }
    }
}

/// A `<select>` of `options`, the empty value meaning "all".
pub fn select(name: &str, all: &str, options: &BTreeSet<String>, chosen: &str) -> Markup {
    html! {
        select name=(name) {
            option value="" { (all) }
            @for o in options {
                option value=(o) selected[o == chosen] { (o) }
            }
        }
    }
}

pub async fn page(
    State(state): State<Shared>,
    user: User,
    Query(filter): Query<Filter>,
) -> Response {
    if let Some(refused) = user.require(Role::Viewer) {
        return refused;
    }
    let lang = user.lang;
    let routes = state.live.snapshot();
    let recent = state.observer.feed.recent();
    let mut communities: BTreeSet<String> = routes.communities.keys().cloned().collect();
    let mut channels = BTreeSet::new();
    for item in &recent {
        if !item.community.is_empty() {
            communities.insert(item.community.clone());
        }
        if !item.channel.is_empty() {
            channels.insert(item.channel.clone());
        }
    }
    let plugins: BTreeSet<String> = routes
        .definitions()
        .keys()
        .map(|(n, _)| n.clone())
        .collect();
    let mut kinds: BTreeSet<String> = crate::action::ActionKind::ALL
        .iter()
        .map(|k| k.name().to_string())
        .collect();
    kinds.insert("event".into());
    let shown: Vec<&Arc<LiveItem>> = recent.iter().rev().filter(|i| filter.matches(i)).collect();
    let stream = match filter.query() {
        q if q.is_empty() => "/api/live".to_string(),
        q => format!("/api/live?{q}"),
    };
    let content = html! {
        p.note { (lang.tr(
            "Events as the sources give them and the actions the plugins decide, newest first; each action with its plugin's version and its reason. New rows appear by themselves.",
            "Les événements tels que les sources les donnent et les actions que les plugins décident, les plus récents en haut ; chaque action avec la version de son plugin et sa raison. Les nouvelles lignes s'ajoutent d'elles-mêmes."
        )) }
        form.filters method="get" action="/live" {
            label { (lang.tr("Community", "Communauté")) (select("community", lang.tr("all", "toutes"), &communities, &filter.community)) }
            label { (lang.tr("Channel", "Salon")) (select("channel", lang.tr("all", "tous"), &channels, &filter.channel)) }
            label { "Plugin" (select("plugin", lang.tr("all", "tous"), &plugins, &filter.plugin)) }
            label { (lang.tr("Kind", "Type")) (select("kind", lang.tr("all", "tous"), &kinds, &filter.kind)) }
            button type="submit" { (lang.tr("Filter", "Filtrer")) }
            a href="/live" { (lang.tr("Clear", "Effacer")) }
        }
        p id="live-status" data-live=(lang.tr("● live", "● en direct")) data-lost=(lang.tr("○ connection lost, reconnecting…", "○ connexion perdue, reconnexion…")) data-lagged=(lang.tr("rows skipped (the browser fell behind):", "lignes sautées (le navigateur a pris du retard) :")) {
            (lang.tr("○ connecting…", "○ connexion…"))
        }
        table.rows {
            thead {
                tr {
                    th { (lang.tr("Seen at", "Vu à")) }
                    th { (lang.tr("Community", "Communauté")) }
                    th { (lang.tr("Channel", "Salon")) }
                    th { (lang.tr("What", "Quoi")) }
                    th { (lang.tr("Who (author, or plugin and version)", "Qui (auteur, ou plugin et version)")) }
                    th { (lang.tr("Text or detail", "Texte ou détail")) }
                    th { (lang.tr("Reason", "Raison")) }
                }
            }
            tbody id="live-rows" data-stream=(stream) {
                @for item in &shown {
                    (row(item))
                }
            }
        }
        @if shown.is_empty() {
            p.empty id="live-empty" { (lang.tr("Nothing yet: rows appear here as events come.", "Rien pour l'instant : les lignes apparaissent ici à mesure que les événements arrivent.")) }
        }
    };
    server::page(&user, lang.tr("Live", "En direct"), "/live", content)
}

/// `/api/live`: the rows as server-sent events (`item`, JSON; `lagged`,
/// how many rows this browser missed).
pub async fn stream(
    State(state): State<Shared>,
    user: User,
    Query(filter): Query<Filter>,
) -> Response {
    if let Some(refused) = user.require(Role::Viewer) {
        return refused;
    }
    let rx = state.observer.feed.subscribe();
    let shutdown = state.shutdown.clone();
    let events = futures_util::stream::unfold(
        (rx, shutdown, filter),
        |(mut rx, mut shutdown, filter)| async move {
            loop {
                if *shutdown.borrow() {
                    return None;
                }
                let received = tokio::select! {
                    r = rx.recv() => r,
                    _ = shutdown.changed() => return None,
                };
                let event = match received {
                    Ok(item) if filter.matches(&item) => SseEvent::default()
                        .event("item")
                        .json_data(&*item)
                        .unwrap_or_else(|_| SseEvent::default().comment("unencodable row")),
                    Ok(_) => continue,
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        SseEvent::default().event("lagged").data(n.to_string())
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                };
                return Some((Ok::<_, Infallible>(event), (rx, shutdown, filter)));
            }
        },
    );
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}
