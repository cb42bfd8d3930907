//! Actions out: the hosts that run a connector share a durable consumer
//! of its subject on `VIGIE_OUT`. Each action is moved into the local
//! store's outbox (one atomic write, flushed to disk) before it is acked,
//! and the local delivery carries it out as on a single host, with its
//! idempotency key: an action received twice (a crash between the write
//! and the ack) is recognised by the key and executed once.

use super::worker::out_subject;
use super::{partition, Cluster, OUT_STREAM};
use crate::store::{Commit, OutboxEntry, Store};
use anyhow::{anyhow, Result};
use async_nats::jetstream::{self, consumer::pull, AckKind};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// Receives `connector`'s actions until `stop`. An action received by a
/// host that dies before its ack goes to another after `ack_wait` (the
/// events' `cluster.ack_wait_secs`).
pub(crate) async fn receive(
    cluster: Cluster,
    connector: String,
    local: Arc<dyn Store>,
    waker: Arc<Notify>,
    ack_wait: Duration,
    stop: watch::Receiver<bool>,
) -> Result<()> {
    let stream = cluster
        .js
        .get_stream(OUT_STREAM)
        .await
        .map_err(|e| anyhow!("cluster: cannot open {OUT_STREAM}: {e}"))?;
    let name = format!("out-{}", partition::token_of(&connector));
    let consumer = stream
        .get_or_create_consumer(
            &name,
            pull::Config {
                durable_name: Some(name.clone()),
                filter_subject: out_subject(&connector),
                ack_policy: jetstream::consumer::AckPolicy::Explicit,
                ack_wait,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| anyhow!("cluster: cannot open the outbox of `{connector}`: {e}"))?;
    while !*stop.borrow() {
        let mut batch = match consumer
            .fetch()
            .max_messages(64)
            .expires(Duration::from_millis(500))
            .messages()
            .await
        {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(connector, "cluster: cannot pull actions: {e}");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        while let Some(message) = batch.next().await {
            let Ok(message) = message else { continue };
            let entry: OutboxEntry = match serde_json::from_slice(&message.payload) {
                Ok(e) => e,
                Err(e) => {
                    // Only hosts publish here; keep it in the stream for a
                    // person to look at, and stop redelivering it.
                    tracing::error!(connector, "cluster: an action on {OUT_STREAM} is unreadable ({e}); left in the stream");
                    let _ = message.ack_with(AckKind::Term).await;
                    continue;
                }
            };
            let store = local.clone();
            let moved = tokio::task::spawn_blocking(move || -> Result<()> {
                if !store.is_done(&entry.key)? {
                    store.commit(Commit {
                        outbox: vec![entry],
                        ..Commit::default()
                    })?;
                    // On disk before the ack: sled writes to memory and
                    // flushes every 200 ms, and once acked the action is
                    // nowhere else (a host aborted in between lost it).
                    store.flush()?;
                }
                Ok(())
            })
            .await
            .map_err(|e| anyhow!("{e}"))
            .and_then(|r| r);
            match moved {
                Ok(()) => {
                    waker.notify_one();
                    super::crash::reached(super::crash::CrashPoint::BeforeActionAck);
                    let _ = message.double_ack().await;
                    super::crash::reached(super::crash::CrashPoint::AfterActionAck);
                }
                Err(e) => {
                    tracing::warn!(connector, "cluster: cannot keep an action: {e:#}");
                    let _ = message
                        .ack_with(AckKind::Nak(Some(Duration::from_secs(1))))
                        .await;
                }
            }
        }
    }
    Ok(())
}
