//! Partition leases in the KV bucket `vigie-leases`, whose values live
//! `lease_ttl_secs` unless renewed (a bucket-wide max age, so it works on
//! every server version).
//!
//! Each round (a third of the TTL), a host writes its heartbeat
//! `host.<id>`, lists the live hosts, and computes every partition's owner
//! among them (rendezvous hashing with bounded loads,
//! `partition::owners`). It takes or renews the lease `p.<n>` of
//! each partition that is its own (compare-and-swap on the lease's
//! revision, so two hosts never both think they took it in one round),
//! and releases those that are not (a host that came back gets them at
//! once instead of after a TTL). A lease held by another host is left to
//! expire or be released.
//!
//! Leases decide who *works*, not what is *applied*: a host paused past
//! its TTL still believes it owns its partitions for a moment; the fenced
//! state's compare-and-swap is what refuses its writes.

use super::partition::owners;
use anyhow::{anyhow, Result};
use async_nats::jetstream::kv;
use futures_util::StreamExt;
use std::collections::BTreeSet;
use std::time::Duration;
use tokio::sync::watch;

fn lease_key(partition: u32) -> String {
    format!("p.{partition}")
}

fn heartbeat_key(host: &str) -> String {
    format!("host.{host}")
}

/// The hosts whose heartbeat is alive, sorted.
///
/// The heartbeats' subjects come from the bucket stream's own state (one
/// request, answered by its leader), not from `keys()`: that makes an
/// ephemeral consumer, which the servers may place on a dead server of a
/// three-server cluster, and the request then times out (seen about one
/// round in four after one of three servers was killed; a host that cannot
/// list the live hosts works on no partition for that round).
pub async fn live_hosts(leases: &kv::Store) -> Result<Vec<String>> {
    let prefix = format!("{}host.", leases.prefix);
    let mut subjects = leases
        .stream
        .info_with_subjects(format!("{prefix}>"))
        .await
        .map_err(|e| anyhow!("cluster: cannot list the live hosts: {e}"))?;
    let mut hosts = Vec::new();
    while let Some(item) = subjects.next().await {
        let (subject, _) = item.map_err(|e| anyhow!("cluster: cannot list the live hosts: {e}"))?;
        let Some(host) = subject.strip_prefix(&prefix) else {
            continue;
        };
        // A host that stopped deleted its heartbeat: its subject keeps the
        // delete marker until it expires.
        let entry = leases
            .entry(heartbeat_key(host))
            .await
            .map_err(|e| anyhow!("cluster: cannot read the heartbeat of `{host}`: {e}"))?;
        if entry.is_some_and(|e| e.operation == kv::Operation::Put) {
            hosts.push(host.to_string());
        }
    }
    hosts.sort();
    Ok(hosts)
}

/// Who holds each partition's lease (`None`: nobody).
pub async fn holders(leases: &kv::Store, partitions: u32) -> Result<Vec<Option<String>>> {
    let mut out = Vec::with_capacity(partitions as usize);
    for p in 0..partitions {
        out.push(holder(leases, p).await?.map(|(h, _)| h));
    }
    Ok(out)
}

async fn holder(leases: &kv::Store, partition: u32) -> Result<Option<(String, u64)>> {
    let entry = leases
        .entry(lease_key(partition))
        .await
        .map_err(|e| anyhow!("cluster: cannot read the lease of partition {partition}: {e}"))?;
    Ok(entry.and_then(|e| {
        (e.operation == kv::Operation::Put)
            .then(|| (String::from_utf8_lossy(&e.value).into_owned(), e.revision))
    }))
}

/// The revision a write that takes a free lease must expect: the delete
/// marker's, when the last holder released it, else none.
async fn free_revision(leases: &kv::Store, partition: u32) -> Result<u64> {
    let entry = leases
        .entry(lease_key(partition))
        .await
        .map_err(|e| anyhow!("cluster: cannot read the lease of partition {partition}: {e}"))?;
    Ok(entry.map_or(0, |e| e.revision))
}

/// One round: heartbeat, then take, renew or release each lease. Returns
/// the partitions held.
async fn round(leases: &kv::Store, host: &str, partitions: u32) -> Result<BTreeSet<u32>> {
    leases
        .put(
            heartbeat_key(host),
            crate::connector::now_ms().to_string().into(),
        )
        .await
        .map_err(|e| anyhow!("cluster: cannot write this host's heartbeat: {e}"))?;
    let mut live = live_hosts(leases).await?;
    // Its own heartbeat was just written; a read served by a server a
    // moment behind must not make this host give its partitions away.
    if !live.iter().any(|h| h == host) {
        live.push(host.to_string());
        live.sort();
    }
    let mut held = BTreeSet::new();
    let owners = owners(partitions, &live);
    for p in 0..partitions {
        let mine = owners[p as usize] == Some(host);
        match (mine, holder(leases, p).await?) {
            (true, Some((h, revision)))
                if h == host
                    && leases
                        .update(lease_key(p), host.to_string().into(), revision)
                        .await
                        .is_ok() =>
            {
                held.insert(p);
            }
            // Renewal refused: someone changed it; not held this round.
            (true, Some((h, _))) if h == host => {}
            (true, None) => {
                let revision = free_revision(leases, p).await?;
                if leases
                    .update(lease_key(p), host.to_string().into(), revision)
                    .await
                    .is_ok()
                {
                    tracing::info!(partition = p, "cluster: took the lease");
                    held.insert(p);
                }
            }
            (false, Some((h, revision))) if h == host => {
                // Someone else's now (a host came back): let it go at once.
                let _ = leases
                    .delete_expect_revision(lease_key(p), Some(revision))
                    .await;
                tracing::info!(partition = p, "cluster: released the lease");
            }
            // Held by another host: it expires or is released.
            _ => {}
        }
    }
    Ok(held)
}

/// Runs lease rounds until `stop`, publishing the partitions held. When a
/// round fails (the servers unreachable), this host holds nothing until a
/// round succeeds again: it cannot tell whether its leases still live.
/// On stop, releases its leases so the others take them at once.
pub async fn run(
    leases: kv::Store,
    host: String,
    partitions: u32,
    ttl: Duration,
    held_tx: watch::Sender<BTreeSet<u32>>,
    mut stop: watch::Receiver<bool>,
) {
    let every = ttl / 3;
    loop {
        let started = tokio::time::Instant::now();
        match round(&leases, &host, partitions).await {
            Ok(held) => {
                held_tx.send_if_modified(|old| {
                    let changed = *old != held;
                    if changed {
                        tracing::info!("cluster: this host works on partitions {held:?}");
                        *old = held;
                    }
                    changed
                });
            }
            Err(e) => {
                tracing::warn!("{e:#}; working on no partition until the leases are renewed");
                held_tx.send_replace(BTreeSet::new());
            }
        }
        tokio::select! {
            _ = tokio::time::sleep_until(started + every) => {}
            _ = stop.wait_for(|s| *s) => break,
        }
    }
    held_tx.send_replace(BTreeSet::new());
    let _ = leases.delete(heartbeat_key(&host)).await;
    for p in 0..partitions {
        if let Ok(Some((h, revision))) = holder(&leases, p).await {
            if h == host {
                let _ = leases
                    .delete_expect_revision(lease_key(p), Some(revision))
                    .await;
            }
        }
    }
}
