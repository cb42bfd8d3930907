//! A cluster host's run: its sources publish, its partitions are worked
//! on, its connectors carry out the actions they receive, until stopped.

use super::fenced::FencedStore;
use super::worker::{self, ClusterStats, PartitionCtx};
use super::{lease, outbox, Cluster, ClusterConfig};
use crate::action::DecidedAction;
use crate::community::{DeliveryRoutes, InstanceBudget, Shared};
use crate::connector::{Connector, ConnectorSource, RateConfig, Readiness};
use crate::delivery::Delivery;
use crate::executor::Executor;
use crate::router::LiveRoutes;
use crate::runtime::Secret;
use crate::source::{Source, SourceItem};
use crate::stats::{Stats, Summary};
use crate::store::Store;
use anyhow::{anyhow, Result};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// What a cluster host takes from its configured [`crate::Vigie`].
pub(crate) struct HostParts<'a> {
    pub(crate) live: Arc<LiveRoutes>,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) secret: Arc<Secret>,
    pub(crate) batch_size: usize,
    pub(crate) read_ahead: usize,
    pub(crate) tick_every_ms: i64,
    pub(crate) workers: usize,
    pub(crate) connectors: &'a [(Arc<dyn Connector>, RateConfig)],
    pub(crate) review_alert_after: Duration,
    pub(crate) budget: InstanceBudget,
}

/// How long delivery goes on after the host was told to stop.
const DRAIN_GRACE: Duration = Duration::from_secs(10);

/// Runs a cluster host until `shutdown` turns true. The sources' events are
/// published to the cluster (whichever host owns their partition handles
/// them); the run does not end when they do.
pub(crate) async fn run(
    parts: HostParts<'_>,
    config: &ClusterConfig,
    base_dir: &Path,
    mut sources: Vec<Box<dyn Source>>,
    mut executor: Box<dyn Executor>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<Summary> {
    let cluster = Cluster::connect(config, base_dir).await?;
    tracing::info!(
        host = config.host_id,
        partitions = config.partitions,
        "cluster: connected to {}",
        config.urls.join(",")
    );
    let stats = Arc::new(Stats::default());
    let cluster_stats = Arc::new(ClusterStats::default());
    let (stop_tx, stop) = watch::channel(false);
    let (delivery_stop_tx, delivery_stop) = watch::channel(false);

    // Actions out: delivery of the connectors this host runs, fed from the
    // cluster's outbox stream.
    let mut routes = DeliveryRoutes::default();
    let mut tasks = Vec::new();
    let ready = Arc::new(Readiness::new(parts.connectors.len()));
    for (connector, rate) in parts.connectors {
        sources.push(Box::new(ConnectorSource {
            connector: connector.clone(),
            store: parts.store.clone(),
            shutdown: stop.clone(),
            ready: Some(ready.clone()),
        }));
        if connector.read_only() {
            continue;
        }
        let delivery = Delivery::new(connector.clone(), parts.store.clone(), rate.clone())
            .with_stats(stats.clone())
            .with_review_alert_after(parts.review_alert_after);
        let waker = delivery.waker();
        routes
            .wakers
            .insert(connector.name().to_string(), waker.clone());
        routes
            .by_community
            .entry(connector.community().to_string())
            .or_insert_with(|| connector.name().to_string());
        tasks.push(tokio::spawn(delivery.run(
            delivery_stop.clone(),
            true,
            DRAIN_GRACE,
        )));
        let receiving = outbox::receive(
            cluster.clone(),
            connector.name().to_string(),
            parts.store.clone(),
            waker,
            config.ack_wait(),
            stop.clone(),
        );
        tasks.push(tokio::spawn(receiving));
    }

    // Events in: every source's events go to the cluster.
    let (tx, mut rx) = mpsc::channel::<SourceItem>(1024);
    let source_tasks: Vec<_> = sources.into_iter().map(|s| s.spawn(tx.clone())).collect();
    drop(tx);
    let publisher = {
        let cluster = cluster.clone();
        let store = parts.store.clone();
        tokio::spawn(async move {
            while let Some(item) = rx.recv().await {
                match item {
                    SourceItem::Event(event) => publish_retrying(&cluster, &event).await?,
                    SourceItem::Rejected(rejected) => {
                        let store = store.clone();
                        tokio::task::spawn_blocking(move || store.reject(rejected))
                            .await
                            .map_err(|e| anyhow!("{e}"))??;
                    }
                    // Ticks follow the events' time on a cluster host (see
                    // docs/cluster.md): the wall clock is not used yet.
                    SourceItem::Clock(_) => {}
                }
            }
            Ok::<(), anyhow::Error>(())
        })
    };

    // Work: processing threads on the fenced store.
    let fenced = Arc::new(FencedStore::new(
        parts.store.clone(),
        cluster.state.clone(),
        tokio::runtime::Handle::current(),
    ));
    let (plans_tx, mut plans_rx) = mpsc::unbounded_channel::<Vec<DecidedAction>>();
    let output = tokio::spawn(async move {
        while let Some(plan) = plans_rx.recv().await {
            executor.execute(&plan)?;
        }
        executor.finish()
    });
    let shared = Shared {
        store: fenced.clone(),
        secret: parts.secret.clone(),
        stats: stats.clone(),
        plans: plans_tx,
        batch_size: parts.batch_size,
        read_ahead_events: parts.read_ahead,
        tick_every_ms: parts.tick_every_ms,
        delivery: Arc::new(routes),
        live: parts.live.clone(),
        instance_budget: parts.budget,
        read_ahead: Arc::default(),
    };
    let mut threads = Vec::new();
    let mut joins = Vec::new();
    for i in 0..parts.workers.max(1) {
        let (job_tx, job_rx) = std::sync::mpsc::channel();
        threads.push(job_tx);
        let shared = shared.clone();
        let fenced = fenced.clone();
        let max_instances = parts.budget.instances;
        joins.push(
            std::thread::Builder::new()
                .name(format!("vigie-cluster-{i}"))
                .spawn(move || worker::process(job_rx, shared, fenced, max_instances))?,
        );
    }
    drop(shared);
    let ctx = Arc::new(PartitionCtx {
        cluster: cluster.clone(),
        config: config.clone(),
        threads,
        stats: cluster_stats.clone(),
        local: parts.store.clone(),
    });

    // Ownership: leases, and a task per partition held.
    let (held_tx, mut held) = watch::channel(BTreeSet::new());
    let (lease_stop_tx, lease_stop) = watch::channel(false);
    let leases = tokio::spawn(lease::run(
        cluster.leases.clone(),
        config.host_id.clone(),
        config.partitions,
        config.lease_ttl(),
        held_tx,
        lease_stop,
    ));
    let mut running: HashMap<u32, tokio::task::JoinHandle<()>> = HashMap::new();
    loop {
        let now: BTreeSet<u32> = held.borrow_and_update().clone();
        running.retain(|_, task| !task.is_finished());
        for p in now {
            running.entry(p).or_insert_with(|| {
                tokio::spawn(worker::run_partition(
                    ctx.clone(),
                    p,
                    held.clone(),
                    stop.clone(),
                ))
            });
        }
        tokio::select! {
            changed = held.changed() => if changed.is_err() { break },
            _ = shutdown.wait_for(|s| *s) => break,
            // Tasks that ended (the partition was lost and taken back).
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }

    // Stop: finish the events being handled, then give the leases back.
    let _ = stop_tx.send(true);
    for (_, task) in running {
        let _ = task.await;
    }
    let _ = lease_stop_tx.send(true);
    let _ = leases.await;
    for task in source_tasks {
        task.abort();
    }
    let published = publisher.await;
    drop(ctx);
    for join in joins {
        let _ = join.join();
    }
    let _ = delivery_stop_tx.send(true);
    for task in tasks {
        let _ = task.await;
    }
    drop(fenced);
    output
        .await
        .map_err(|e| anyhow!("output task panicked: {e}"))??;
    parts.store.flush()?;
    tracing::info!(
        committed = cluster_stats.committed.load(Ordering::Relaxed),
        refused = cluster_stats.refused.load(Ordering::Relaxed),
        redelivered_done = cluster_stats.redelivered_done.load(Ordering::Relaxed),
        dead = cluster_stats.dead.load(Ordering::Relaxed),
        progress = cluster_stats.progress_sent.load(Ordering::Relaxed),
        "cluster: host stopped"
    );
    match published {
        Ok(Ok(())) | Err(_) => {}
        Ok(Err(e)) => return Err(e),
    }
    Ok(stats.snapshot())
}

/// Publishes an event, trying again for a while when the servers do not
/// answer: an event a source gave is never dropped silently.
async fn publish_retrying(cluster: &Cluster, event: &crate::event::Event) -> Result<()> {
    let mut pause = Duration::from_millis(100);
    let mut last = None;
    for _ in 0..20 {
        let attempt = async {
            cluster
                .publish_event(event)
                .await?
                .await
                .map_err(|e| anyhow!("{e}"))
        };
        match attempt.await {
            Ok(_) => return Ok(()),
            Err(e) => {
                tracing::warn!(
                    "cluster: publishing event {}: {e:#}; trying again",
                    event.id
                );
                last = Some(e);
            }
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(5));
    }
    Err(anyhow!(
        "cluster: event {} of `{}` could not be published: {:#}",
        event.id,
        event.community,
        last.unwrap_or_else(|| anyhow!("no attempt"))
    ))
}
