//! The fenced state of one community: what must never be applied by a
//! host that lost the community's partition. One JetStream KV value per
//! community, written only with compare-and-swap on its revision
//! ([`commit`]): a host whose view is stale (another host committed since
//! it loaded) has its write refused and applies nothing.

use crate::store::OutboxEntry;
use anyhow::{anyhow, Context, Result};
use async_nats::jetstream::kv;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The KV bucket of the communities' fenced state.
pub const STATE_BUCKET: &str = "vigie-state";

/// Values stay under NATS's default 1 MiB message size, with room for the
/// headers. Larger state would need the object store (not done yet).
pub const MAX_STATE_BYTES: usize = 1_000_000;

/// One community's fenced state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommunityState {
    pub community: String,
    /// The `VIGIE_IN` stream sequence of the last event handled: a
    /// redelivered event at or below it is acknowledged and not run again.
    pub last_seq: u64,
    /// How many events were applied, in all.
    pub applied: u64,
    /// SHA-256 chain over the applied event ids, in the order applied
    /// (hex): two runs that applied the same events in the same order,
    /// each once, have the same digest ([`CommunityState::chain_digest`]).
    pub digest: String,
    /// The plugins' key-value data: plugin entry → key → value (base64).
    pub kv: BTreeMap<String, BTreeMap<String, String>>,
    /// The actions of the last committed event for its connector, kept
    /// until the next commit so a host taking over after a crash between
    /// the commit and their publication publishes them (idempotently).
    pub outbox: Vec<OutboxEntry>,
}

impl CommunityState {
    /// The digest after applying `event_id` on top of `previous`.
    pub fn chain_digest(previous: &str, event_id: &str) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(previous.as_bytes());
        h.update([0]);
        h.update(event_id.as_bytes());
        hex::encode(h.finalize())
    }

    pub(crate) fn kv_value(&self, plugin: &str, key: &str) -> Result<Option<Vec<u8>>> {
        match self.kv.get(plugin).and_then(|m| m.get(key)) {
            Some(v) => Ok(Some(
                base64::engine::general_purpose::STANDARD
                    .decode(v)
                    .context("cluster: a fenced plugin value is not base64")?,
            )),
            None => Ok(None),
        }
    }

    pub(crate) fn set_kv(&mut self, plugin: &str, key: &str, value: Option<&[u8]>) {
        let scope = self.kv.entry(plugin.to_string()).or_default();
        match value {
            Some(v) => {
                scope.insert(
                    key.to_string(),
                    base64::engine::general_purpose::STANDARD.encode(v),
                );
            }
            None => {
                scope.remove(key);
            }
        }
        if scope.is_empty() {
            self.kv.remove(plugin);
        }
    }
}

/// A community's state as read, with the revision a commit must match.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// 0 when the community has no state yet.
    pub revision: u64,
    pub state: CommunityState,
}

/// The KV key of a community's state (names may hold characters keys
/// cannot).
pub fn state_key(community: &str) -> String {
    format!("c.{}", super::partition::token_of(community))
}

/// Reads a community's state. The read may be stale (KV reads are not
/// linearizable): it is a hint; [`commit`] decides.
pub async fn load(bucket: &kv::Store, community: &str) -> Result<Loaded> {
    let key = state_key(community);
    let entry = bucket
        .entry(key.as_str())
        .await
        .map_err(|e| anyhow!("cluster: cannot read the state of `{community}`: {e}"))?;
    Ok(match entry {
        Some(entry) if entry.operation == kv::Operation::Put => {
            let state: CommunityState =
                serde_json::from_slice(&entry.value).with_context(|| {
                    format!("cluster: the fenced state of `{community}` is corrupt")
                })?;
            if state.community != community {
                anyhow::bail!(
                    "cluster: state key {key} holds `{}`, not `{community}`",
                    state.community
                );
            }
            Loaded {
                revision: entry.revision,
                state,
            }
        }
        Some(entry) => Loaded {
            revision: entry.revision,
            state: CommunityState {
                community: community.to_string(),
                ..CommunityState::default()
            },
        },
        None => Loaded {
            revision: 0,
            state: CommunityState {
                community: community.to_string(),
                ..CommunityState::default()
            },
        },
    })
}

/// What a commit came to.
#[derive(Debug)]
pub enum CommitOutcome {
    /// Written; the new revision.
    Committed(u64),
    /// Someone committed since `revision` was read: nothing was written.
    Refused,
}

/// Writes `state` if and only if the community's value is still at
/// `revision` (0: if it has none).
pub async fn commit(
    bucket: &kv::Store,
    revision: u64,
    state: &CommunityState,
) -> Result<CommitOutcome> {
    let bytes = serde_json::to_vec(state)?;
    if bytes.len() > MAX_STATE_BYTES {
        anyhow::bail!(
            "cluster: the fenced state of `{}` is {} bytes, over the {} a KV value may hold \
             (plugin data that large is not supported in a cluster yet)",
            state.community,
            bytes.len(),
            MAX_STATE_BYTES
        );
    }
    let key = state_key(&state.community);
    match bucket.update(&key, bytes.clone().into(), revision).await {
        Ok(revision) => Ok(CommitOutcome::Committed(revision)),
        Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => Ok(CommitOutcome::Refused),
        Err(e) => {
            // No answer (a timeout: the host was paused, the link broke):
            // the write may have been applied. The value says: it holds
            // this event's sequence and digest only if this write went in.
            if let Ok(Some(entry)) = bucket.entry(key.as_str()).await {
                if entry.operation == kv::Operation::Put && entry.value.as_ref() == bytes.as_slice()
                {
                    return Ok(CommitOutcome::Committed(entry.revision));
                }
                if entry.revision != revision {
                    return Ok(CommitOutcome::Refused);
                }
            }
            Err(anyhow!(
                "cluster: cannot commit the state of `{}`: {e}",
                state.community
            ))
        }
    }
}
