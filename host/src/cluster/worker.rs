//! Work: one task per partition this host holds, pulling that partition's
//! events one at a time, and processing threads that run them through the
//! communities' actors on the fenced store.

use super::fenced::FencedStore;
use super::state::{self, CommunityState, Loaded};
use super::{partition, Cluster, ClusterConfig, IN_STREAM};
use crate::community::{CommunityActor, Shared};
use crate::event::Event;
use crate::store::{OutboxEntry, RejectedInput, Store};
use anyhow::{anyhow, Result};
use async_nats::jetstream::{self, consumer::pull, AckKind};
use futures_util::StreamExt;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{oneshot, watch};

/// An event for a processing thread.
pub(crate) struct Job {
    community: String,
    event: Event,
    seq: u64,
    loaded: Loaded,
    reply: oneshot::Sender<Outcome>,
}

/// What came of a job.
enum Outcome {
    /// Committed: the state as written (its outbox to publish).
    Committed(Box<CommunityState>),
    /// Nothing to commit (the chain decided nothing and changed nothing).
    Nothing,
    /// The compare-and-swap was refused: another host committed first.
    Refused,
    /// No chain for the community: recorded as rejected input.
    Unrouted,
    /// Try again later (the host could not give an instance, or failed).
    Retry(String),
}

/// Counters a cluster host keeps (and logs at the end).
#[derive(Default)]
pub struct ClusterStats {
    pub committed: AtomicU64,
    pub refused: AtomicU64,
    pub redelivered_done: AtomicU64,
    pub dead: AtomicU64,
    /// "Still working" signals sent for events whose chain ran longer than
    /// half the ack wait.
    pub progress_sent: AtomicU64,
}

/// Runs jobs on one plain thread until the senders are gone. Actors are a
/// cache: one whose community was committed elsewhere since it last ran
/// here is made again (fresh instances, the state as loaded), and the
/// least recently used go when the thread holds more instances than its
/// share of the pool.
pub(crate) fn process(
    jobs: std::sync::mpsc::Receiver<Job>,
    shared: Shared,
    fenced: Arc<FencedStore>,
    max_instances: usize,
) {
    let mut actors: HashMap<String, (CommunityActor, u64, u64)> = HashMap::new();
    let mut clock = 0u64;
    while let Ok(job) = jobs.recv() {
        clock += 1;
        let Job {
            community,
            event,
            seq,
            loaded,
            reply,
        } = job;
        let Some(chain) = shared.live.chain_for(&community) else {
            let rejected = RejectedInput {
                source: "cluster".into(),
                line: seq,
                error: format!("no chain for community `{community}` (unrouted)"),
                content: serde_json::to_string(&event).unwrap_or_default(),
            };
            let outcome = match shared.store.reject(rejected) {
                Ok(()) => Outcome::Unrouted,
                Err(e) => Outcome::Retry(format!("{e:#}")),
            };
            let _ = reply.send(outcome);
            continue;
        };
        let revision = loaded.revision;
        if actors
            .get(&community)
            .is_none_or(|(_, r, _)| *r != revision)
        {
            actors.insert(
                community.clone(),
                (
                    CommunityActor::new(&community, chain, &shared),
                    revision,
                    clock,
                ),
            );
        }
        evict(&mut actors, &community, max_instances);
        fenced.begin(&community, loaded, seq);
        let result = match actors.get_mut(&community) {
            Some((actor, _, used)) => {
                *used = clock;
                actor.run(vec![event], None, shared.batch_size)
            }
            None => Err(anyhow!("the actor of `{community}` vanished")),
        };
        let current = fenced.end(&community);
        let outcome = match (result, current) {
            (_, Some(c)) if c.refused => Outcome::Refused,
            (Err(e), _) => Outcome::Retry(format!("{e:#}")),
            (Ok(Some(retry)), _) => Outcome::Retry(retry.cause.to_string()),
            (Ok(None), Some(c)) if c.committed => {
                if let Some((_, r, _)) = actors.get_mut(&community) {
                    *r = c.loaded.revision;
                }
                Outcome::Committed(Box::new(c.loaded.state))
            }
            (Ok(None), _) => Outcome::Nothing,
        };
        if !matches!(outcome, Outcome::Committed(_) | Outcome::Nothing) {
            // Its instances may hold what was not committed.
            actors.remove(&community);
        }
        let _ = reply.send(outcome);
    }
}

fn evict(
    actors: &mut HashMap<String, (CommunityActor, u64, u64)>,
    keep: &str,
    max_instances: usize,
) {
    loop {
        let total: usize = actors.values().map(|(a, _, _)| a.live_instances()).sum();
        if total <= max_instances {
            return;
        }
        let oldest = actors
            .iter()
            .filter(|(c, (a, _, _))| c.as_str() != keep && a.live_instances() > 0)
            .min_by_key(|(_, (_, _, used))| *used)
            .map(|(c, _)| c.clone());
        match oldest {
            Some(c) => {
                actors.remove(&c);
            }
            None => return,
        }
    }
}

/// What every partition task of a host shares.
pub(crate) struct PartitionCtx {
    pub(crate) cluster: Cluster,
    pub(crate) config: ClusterConfig,
    pub(crate) threads: Vec<std::sync::mpsc::Sender<Job>>,
    pub(crate) stats: Arc<ClusterStats>,
    pub(crate) local: Arc<dyn Store>,
}

/// The durable consumer of a partition: one event at a time, acked
/// explicitly. The server's `max_deliver` is a backstop above the host's
/// own count (an event is moved to the dead letters by the host, which
/// knows why, on its `max_deliver + 1`-th delivery).
pub(crate) async fn consumer(
    cluster: &Cluster,
    config: &ClusterConfig,
    p: u32,
) -> Result<jetstream::consumer::Consumer<pull::Config>> {
    let stream = cluster
        .js
        .get_stream(IN_STREAM)
        .await
        .map_err(|e| anyhow!("cluster: cannot open {IN_STREAM}: {e}"))?;
    let name = format!("part-{p}");
    stream
        .get_or_create_consumer(
            &name,
            pull::Config {
                durable_name: Some(name.clone()),
                filter_subject: super::publish::in_subject(p),
                ack_policy: jetstream::consumer::AckPolicy::Explicit,
                max_ack_pending: 1,
                ack_wait: config.ack_wait(),
                max_deliver: i64::from(config.max_deliver) + 2,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| anyhow!("cluster: cannot open the consumer of partition {p}: {e}"))
}

/// Pulls partition `p` while this host holds it.
pub(crate) async fn run_partition(
    ctx: Arc<PartitionCtx>,
    p: u32,
    mut held: watch::Receiver<BTreeSet<u32>>,
    stop: watch::Receiver<bool>,
) {
    let consumer = loop {
        match consumer(&ctx.cluster, &ctx.config, p).await {
            Ok(c) => break c,
            Err(e) => {
                tracing::warn!("{e:#}; trying again");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        if *stop.borrow() || !held.borrow().contains(&p) {
            return;
        }
    };
    while !*stop.borrow() && held.borrow_and_update().contains(&p) {
        let batch = consumer
            .fetch()
            .max_messages(1)
            .expires(Duration::from_millis(500))
            .messages()
            .await;
        let mut batch = match batch {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(partition = p, "cluster: cannot pull: {e}");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        while let Some(message) = batch.next().await {
            match message {
                Ok(message) => {
                    if let Err(e) = handle(&ctx, p, message).await {
                        tracing::warn!(partition = p, "cluster: {e:#} (the event comes again)");
                    }
                }
                Err(e) => tracing::debug!(partition = p, "cluster: pull: {e}"),
            }
        }
    }
}

/// Client-side back-off before a failed event is delivered again.
fn back_off(delivered: i64) -> Duration {
    Duration::from_millis(250u64 << delivered.clamp(1, 6))
}

async fn handle(ctx: &PartitionCtx, p: u32, message: jetstream::Message) -> Result<()> {
    let info = message
        .info()
        .map_err(|e| anyhow!("no message info: {e}"))?;
    let seq = info.stream_sequence;
    let delivered = info.delivered;
    if delivered > i64::from(ctx.config.max_deliver) {
        return dead_letter(ctx, p, &message, seq, "tried max_deliver times").await;
    }
    let event: Event = match serde_json::from_slice(&message.payload) {
        Ok(e) => e,
        Err(e) => return dead_letter(ctx, p, &message, seq, &format!("not an event: {e}")).await,
    };
    let community = event.community.clone();
    if partition::partition_of(&community, ctx.cluster.partitions) != p {
        let why = "published on the wrong partition";
        return dead_letter(ctx, p, &message, seq, why).await;
    }
    let loaded = state::load(&ctx.cluster.state, &community).await?;
    if loaded.state.last_seq >= seq {
        // Handled already (a crash or a lost lease before the ack): its
        // actions may not have been published; doing it again is harmless.
        if loaded.state.last_seq == seq {
            publish_outbox(&ctx.cluster, &loaded.state.outbox).await?;
        }
        ctx.stats.redelivered_done.fetch_add(1, Ordering::Relaxed);
        return ack(&message).await;
    }
    let _ = message.ack_with(AckKind::Progress).await;
    let (reply, outcome) = oneshot::channel();
    let thread = &ctx.threads[p as usize % ctx.threads.len()];
    thread
        .send(Job {
            community: community.clone(),
            event,
            seq,
            loaded,
            reply,
        })
        .map_err(|_| anyhow!("the processing thread stopped"))?;
    // A long chain (slow plugins, many of them) keeps the message: without
    // progress, the server would deliver it again after `ack_wait`.
    let mut outcome = outcome;
    let progress_every = (ctx.config.ack_wait() / 2).max(Duration::from_millis(100));
    let outcome = loop {
        tokio::select! {
            done = &mut outcome => break done,
            _ = tokio::time::sleep(progress_every) => {
                ctx.stats.progress_sent.fetch_add(1, Ordering::Relaxed);
                let _ = message.ack_with(AckKind::Progress).await;
            }
        }
    };
    match outcome.map_err(|_| anyhow!("the processing thread stopped"))? {
        Outcome::Committed(state) => {
            ctx.stats.committed.fetch_add(1, Ordering::Relaxed);
            publish_outbox(&ctx.cluster, &state.outbox).await?;
            super::crash::reached(super::crash::CrashPoint::AfterPublish);
            ack(&message).await
        }
        Outcome::Nothing | Outcome::Unrouted => ack(&message).await,
        Outcome::Refused => {
            ctx.stats.refused.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                partition = p,
                community,
                seq,
                "cluster: commit refused (another host committed first: this host lost the \
                 partition); nothing applied"
            );
            let _ = message.ack_with(AckKind::Nak(None)).await;
            Ok(())
        }
        Outcome::Retry(why) => {
            let _ = message
                .ack_with(AckKind::Nak(Some(back_off(delivered))))
                .await;
            Err(anyhow!("event at {seq} of `{community}` failed: {why}"))
        }
    }
}

async fn ack(message: &jetstream::Message) -> Result<()> {
    message
        .double_ack()
        .await
        .map_err(|e| anyhow!("cannot ack: {e}"))
}

/// The subject of a connector's actions.
pub fn out_subject(connector: &str) -> String {
    format!("vigie.out.{}", partition::token_of(connector))
}

/// Publishes actions to `VIGIE_OUT`, each once (`Nats-Msg-Id` = its
/// idempotency key), and waits until the stream stored them.
pub(crate) async fn publish_outbox(cluster: &Cluster, outbox: &[OutboxEntry]) -> Result<()> {
    let mut acks = Vec::with_capacity(outbox.len());
    for entry in outbox {
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(async_nats::header::NATS_MESSAGE_ID, entry.key.as_str());
        let ack = cluster
            .js
            .publish_with_headers(
                out_subject(&entry.connector),
                headers,
                serde_json::to_vec(entry)?.into(),
            )
            .await
            .map_err(|e| anyhow!("cannot publish action {}: {e}", entry.key))?;
        acks.push(ack);
    }
    for ack in acks {
        ack.await
            .map_err(|e| anyhow!("an action was not stored: {e}"))?;
    }
    Ok(())
}

/// Moves an event that cannot be handled to `VIGIE_DEAD`, with why, and
/// lets its partition move on. Recorded locally too.
async fn dead_letter(
    ctx: &PartitionCtx,
    p: u32,
    message: &jetstream::Message,
    seq: u64,
    why: &str,
) -> Result<()> {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert(
        async_nats::header::NATS_MESSAGE_ID,
        format!("dead-{seq}").as_str(),
    );
    headers.insert("Vigie-Stream-Seq", seq.to_string().as_str());
    headers.insert("Vigie-Reason", why);
    ctx.cluster
        .js
        .publish_with_headers(format!("vigie.dead.{p}"), headers, message.payload.clone())
        .await
        .map_err(|e| anyhow!("cannot publish a dead letter: {e}"))?
        .await
        .map_err(|e| anyhow!("a dead letter was not stored: {e}"))?;
    ctx.stats.dead.fetch_add(1, Ordering::Relaxed);
    tracing::error!(
        partition = p,
        seq,
        "cluster: event moved to {}: {why}",
        super::DEAD_STREAM
    );
    let local = ctx.local.clone();
    let rejected = RejectedInput {
        source: format!("cluster partition {p}"),
        line: seq,
        error: why.to_string(),
        content: String::from_utf8_lossy(&message.payload).into_owned(),
    };
    let _ = tokio::task::spawn_blocking(move || local.reject(rejected)).await;
    ack(message).await
}
