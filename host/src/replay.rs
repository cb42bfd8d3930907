//! Replay: recorded events through a plugin again, with the recorded time
//! (plugins see the event's time as `now`) and the same seeded randomness
//! (same secret, same community, plugin name and event), into a fresh
//! in-memory store. The same replay twice decides the same thing.
//!
//! One plugin is replayed on its own, from empty plugin state: labels or
//! earlier actions from plugins before it in the live chain are not
//! reproduced, and state from before the first replayed event is not
//! there. Replay from the start of a community's events for an exact
//! comparison of a stateful plugin.

use crate::action::DecidedAction;
use crate::chain::{Chain, PluginDef};
use crate::config::PluginEntry;
use crate::event::Event;
use crate::runtime::{Runtime, Secret};
use crate::stats::Stats;
use crate::store::{SledStore, Store};
use anyhow::Result;
use std::collections::HashMap;
use std::sync::Arc;

/// What one plugin decided for each event, in the events' order.
pub struct Replayed {
    pub decided: Vec<(Event, Vec<DecidedAction>)>,
    pub plugin_errors: u64,
}

/// Runs `events` (any communities, each in its own order) through the
/// plugin `entry` built from `bytes`.
pub fn replay(
    runtime: &Runtime,
    entry: PluginEntry,
    bytes: &[u8],
    secret: Arc<Secret>,
    events: &[Event],
) -> Result<Replayed> {
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary()?);
    let def = Arc::new(PluginDef::load(
        runtime,
        entry,
        bytes,
        store.clone(),
        secret.clone(),
    )?);
    let stats = Stats::default();
    let mut chains: HashMap<String, Chain> = HashMap::new();
    let mut decided = Vec::with_capacity(events.len());
    let progress = crate::progress::Progress::new(
        format!("replaying through {}", def.entry.component),
        Some(events.len() as u64),
    );
    for event in events {
        progress.inc(1);
        let chain = chains.entry(event.community.clone()).or_insert_with(|| {
            Chain::new(
                &event.community,
                vec![def.clone()],
                store.clone(),
                secret.clone(),
            )
        });
        let plan = chain
            .handle(std::slice::from_ref(event), &stats)?
            .pop()
            .unwrap_or_default();
        // State persists from one event to the next, as in a live run.
        store.commit(crate::store::Commit {
            kv: chain.take_kv_writes(),
            ..Default::default()
        })?;
        decided.push((event.clone(), plan));
    }
    progress.finish();
    Ok(Replayed {
        decided,
        plugin_errors: stats.snapshot().total_plugin_errors(),
    })
}

/// Where a replay starts or ends: a time (RFC 3339) or an event id.
#[derive(Debug, Clone, PartialEq)]
pub enum Bound {
    Time(i64),
    EventId(String),
}

impl Bound {
    pub fn parse(s: &str) -> Bound {
        match time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
            Ok(t) => Bound::Time((t.unix_timestamp_nanos() / 1_000_000) as i64),
            Err(_) => Bound::EventId(s.to_string()),
        }
    }
}

/// The events from `from` (inclusive) to `to` (inclusive for an event id,
/// exclusive for a time). An event id that is not there is an error.
pub fn select(events: Vec<Event>, from: Option<&Bound>, to: Option<&Bound>) -> Result<Vec<Event>> {
    let find = |id: &str| {
        events
            .iter()
            .position(|e| e.id == id)
            .ok_or_else(|| anyhow::anyhow!("no recorded event has the id `{id}`"))
    };
    let start = match from {
        None => 0,
        Some(Bound::EventId(id)) => find(id)?,
        Some(Bound::Time(t)) => events
            .iter()
            .position(|e| e.timestamp_ms() >= *t)
            .unwrap_or(events.len()),
    };
    let end = match to {
        None => events.len(),
        Some(Bound::EventId(id)) => find(id)? + 1,
        Some(Bound::Time(t)) => events
            .iter()
            .position(|e| e.timestamp_ms() >= *t)
            .unwrap_or(events.len()),
    };
    Ok(events
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i >= start && *i < end)
        .map(|(_, e)| e)
        .collect())
}
