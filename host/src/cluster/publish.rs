//! Events in: a host's sources publish each event to `VIGIE_IN`, in its
//! community's partition, once (`Nats-Msg-Id`).

use super::{partition, Cluster};
use crate::event::Event;
use anyhow::{anyhow, Result};
use async_nats::jetstream::context::PublishAckFuture;

/// The subject of a partition's events.
pub fn in_subject(partition: u32) -> String {
    format!("vigie.in.{partition}")
}

/// The `Nats-Msg-Id` of an event: the same (community, event id) always
/// gives the same id, so the server drops a second publication within its
/// duplicate window. Hashed, since ids may hold any character.
pub fn event_msg_id(community: &str, event_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(community.as_bytes());
    h.update([0]);
    h.update(event_id.as_bytes());
    format!("e-{}", hex::encode(&h.finalize()[..16]))
}

impl Cluster {
    /// Publishes an event; the returned future resolves when the stream has
    /// stored it (its `duplicate` flag says when it was there already).
    pub async fn publish_event(&self, event: &Event) -> Result<PublishAckFuture> {
        let p = partition::partition_of(&event.community, self.partitions);
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(
            async_nats::header::NATS_MESSAGE_ID,
            event_msg_id(&event.community, &event.id).as_str(),
        );
        let payload = serde_json::to_vec(event)?;
        self.js
            .publish_with_headers(in_subject(p), headers, payload.into())
            .await
            .map_err(|e| anyhow!("cluster: cannot publish event {}: {e}", event.id))
    }
}
