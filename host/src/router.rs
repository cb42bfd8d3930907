//! Community router: sends each event to its community's actor (starting
//! the actor on the community's first event), records bad input and events
//! of communities without a chain, so nothing is lost.

use crate::action::DecidedAction;
use crate::chain::{Chain, PluginDef};
use crate::community::CommunityActor;
use crate::event::Event;
use crate::runtime::Secret;
use crate::source::SourceItem;
use crate::stats::Stats;
use crate::store::{RejectedInput, Store};
use anyhow::Result;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Queue length per community before the router waits (back-pressure).
const COMMUNITY_QUEUE: usize = 1024;

/// The chains to build, per community.
#[derive(Clone, Default)]
pub struct Routes {
    pub communities: HashMap<String, Vec<Arc<PluginDef>>>,
    pub default_chain: Option<Vec<Arc<PluginDef>>>,
}

pub(crate) struct Router {
    pub(crate) routes: Routes,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) secret: Arc<Secret>,
    pub(crate) stats: Arc<Stats>,
    pub(crate) plans: mpsc::UnboundedSender<Vec<DecidedAction>>,
    pub(crate) batch_size: usize,
    pub(crate) tick_every_ms: i64,
    actors: HashMap<String, mpsc::Sender<Event>>,
    tasks: Vec<JoinHandle<Result<()>>>,
}

impl Router {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        routes: Routes,
        store: Arc<dyn Store>,
        secret: Arc<Secret>,
        stats: Arc<Stats>,
        plans: mpsc::UnboundedSender<Vec<DecidedAction>>,
        batch_size: usize,
        tick_every_ms: i64,
    ) -> Router {
        Router {
            routes,
            store,
            secret,
            stats,
            plans,
            batch_size,
            tick_every_ms,
            actors: HashMap::new(),
            tasks: Vec::new(),
        }
    }

    pub(crate) async fn route(&mut self, item: SourceItem) -> Result<()> {
        let event = match item {
            SourceItem::Event(event) => *event,
            SourceItem::Rejected(rejected) => {
                tracing::warn!(
                    "{} line {}: skipped: {}",
                    rejected.source,
                    rejected.line,
                    rejected.error
                );
                self.stats.update(|s| s.events_rejected += 1);
                return self.store.reject(rejected);
            }
        };
        self.stats.update(|s| s.events_read += 1);
        if !self.actors.contains_key(&event.community) {
            let Some(plugins) = self
                .routes
                .communities
                .get(&event.community)
                .or(self.routes.default_chain.as_ref())
                .cloned()
            else {
                tracing::warn!(
                    "event {} of community `{}`: no chain configured for it; recorded as unrouted",
                    event.id,
                    event.community
                );
                self.stats.update(|s| s.events_unrouted += 1);
                return self.store.reject(RejectedInput {
                    source: event.platform.clone(),
                    line: 0,
                    error: format!("unrouted: no chain for community `{}`", event.community),
                    content: serde_json::to_string(&event)?,
                });
            };
            self.spawn_actor(&event.community, plugins);
        }
        let Some(tx) = self.actors.get(&event.community) else {
            return Ok(());
        };
        if tx.send(event).await.is_err() {
            // The actor stopped on an error; `finish` reports it.
            tracing::error!("a community task stopped; its remaining events are not handled (they will be on the next run)");
        }
        Ok(())
    }

    fn spawn_actor(&mut self, community: &str, plugins: Vec<Arc<PluginDef>>) {
        let (tx, rx) = mpsc::channel(COMMUNITY_QUEUE);
        let actor = CommunityActor {
            community: community.to_string(),
            chain: Chain::new(community, plugins, self.store.clone(), self.secret.clone()),
            store: self.store.clone(),
            stats: self.stats.clone(),
            plans: self.plans.clone(),
            batch_size: self.batch_size,
            tick_every_ms: self.tick_every_ms,
            next_tick_ms: None,
        };
        self.tasks
            .push(tokio::task::spawn_blocking(move || actor.run(rx)));
        self.actors.insert(community.to_string(), tx);
    }

    /// Closes every community queue and waits for the actors to drain them.
    pub(crate) async fn finish(self) -> Result<()> {
        drop(self.actors);
        let mut first_error = None;
        for task in self.tasks {
            let result = match task.await {
                Ok(result) => result,
                Err(join) => Err(anyhow::anyhow!("community task panicked: {join}")),
            };
            if let Err(e) = result {
                tracing::error!("{e:#}");
                first_error.get_or_insert(e);
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}
