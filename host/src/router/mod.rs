//! Community router: sends each event to the worker that owns its
//! community (by hash, so a community's events stay in order), hands the
//! community's chain along with its first event, and records bad input and
//! events of communities without a chain, so nothing is lost.

use crate::community::{run_worker, Shared, WorkItem};
use crate::source::SourceItem;
use crate::stats::Stats;
use crate::store::{RejectedInput, Store};
use anyhow::Result;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Queue length per worker before the router waits (back-pressure).
const WORKER_QUEUE: usize = 4096;

mod routes;
pub use routes::{entry_key, EntryKey, LiveRoutes, RouteEntries, Routes};

pub(crate) struct Router {
    routes: Arc<LiveRoutes>,
    store: Arc<dyn Store>,
    stats: Arc<Stats>,
    workers: Vec<mpsc::Sender<WorkItem>>,
    tasks: Vec<JoinHandle<Result<()>>>,
    /// Communities whose chain was already handed to their worker.
    started: HashSet<String>,
}

impl Router {
    /// Starts `workers` worker threads (at least one).
    pub(crate) fn new(routes: Arc<LiveRoutes>, shared: Shared, workers: usize) -> Router {
        let (senders, tasks) = (0..workers.max(1))
            .map(|_| {
                let (tx, rx) = mpsc::channel(WORKER_QUEUE);
                let shared = shared.clone();
                (
                    tx,
                    tokio::task::spawn_blocking(move || run_worker(rx, shared)),
                )
            })
            .unzip();
        Router {
            routes,
            store: shared.store,
            stats: shared.stats,
            workers: senders,
            tasks,
            started: HashSet::new(),
        }
    }

    /// How many items wait in the worker queues, for the console's
    /// metrics: the probe holds the queues weakly, so it never keeps one
    /// open.
    pub(crate) fn queue_probe(&self) -> impl Fn() -> usize + Send + Sync + 'static {
        let queues: Vec<_> = self.workers.iter().map(|q| q.downgrade()).collect();
        move || {
            queues
                .iter()
                .filter_map(|q| q.upgrade())
                .map(|q| q.max_capacity() - q.capacity())
                .sum()
        }
    }

    fn worker_of(&self, community: &str) -> usize {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        community.hash(&mut hasher);
        (hasher.finish() % self.workers.len() as u64) as usize
    }

    pub(crate) async fn route(&mut self, item: SourceItem) -> Result<()> {
        let event = match item {
            SourceItem::Clock(now_ms) => return self.clock(now_ms).await,
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
        let mut chain = None;
        if !self.started.contains(&event.community) {
            let Some(plugins) = self.routes.chain_for(&event.community) else {
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
            self.started.insert(event.community.clone());
            chain = Some(plugins);
        }
        let worker = self.worker_of(&event.community);
        if self.workers[worker]
            .send(WorkItem::Event {
                event: Box::new(event),
                chain,
            })
            .await
            .is_err()
        {
            // The worker stopped on an error; `finish` reports it.
            tracing::error!(
                "a community worker stopped; its remaining events are not handled (they will be on the next run)"
            );
        }
        Ok(())
    }

    /// The wall clock: every community with a chain (those the routes name,
    /// and those whose events came) gets it, on its worker, after the
    /// events already queued there.
    async fn clock(&mut self, now_ms: i64) -> Result<()> {
        let routes = self.routes.snapshot();
        let mut communities: Vec<String> = routes.communities.keys().cloned().collect();
        communities.extend(
            self.started
                .iter()
                .filter(|c| !routes.communities.contains_key(*c))
                .cloned(),
        );
        for community in communities {
            let chain = if self.started.contains(&community) {
                None
            } else {
                match self.routes.chain_for(&community) {
                    Some(chain) => {
                        self.started.insert(community.clone());
                        Some(chain)
                    }
                    None => continue,
                }
            };
            let worker = self.worker_of(&community);
            if self.workers[worker]
                .send(WorkItem::Clock {
                    community,
                    now_ms,
                    chain,
                })
                .await
                .is_err()
            {
                tracing::error!("a community worker stopped; the clock cannot reach it");
            }
        }
        Ok(())
    }

    /// Closes every worker queue and waits for the workers to drain them.
    pub(crate) async fn finish(self) -> Result<()> {
        drop(self.workers);
        let mut first_error = None;
        for task in self.tasks {
            let result = match task.await {
                Ok(result) => result,
                Err(join) => Err(anyhow::anyhow!("community worker panicked: {join}")),
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
