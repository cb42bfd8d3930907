//! Replay: recorded events through a plugin again, with the recorded time
//! (plugins see the event's time as `now`) and the same seeded randomness
//! (same secret, same community, plugin name and event), into a fresh
//! in-memory store. The same replay twice decides the same thing.
//!
//! Ticks that did something (see [`crate::chain::Ticked`]) are in the log
//! too, in their place among the community's events, and are replayed with
//! their recorded time: a contest that ended, a scheduled post, a poll's
//! result come back. Ticks that did nothing are not logged, so a new
//! version replayed against an old one is ticked where the old one acted.
//!
//! One plugin is replayed on its own, from empty plugin state: earlier
//! actions from plugins before it in the live chain are not reproduced
//! (`vigie replay` does hand it the labels they recorded, see
//! `cli/report.rs`), and state from before the first replayed event is
//! not there. Replay from the start of a community's events for an exact
//! comparison of a stateful plugin.

use crate::action::DecidedAction;
use crate::chain::{Chain, PluginDef};
use crate::config::PluginEntry;
use crate::event::Event;
use crate::runtime::{Runtime, Secret};
use crate::stats::Stats;
use crate::store::{HandledEvent, HandledTick, SledStore, Store};
use anyhow::Result;
use std::collections::HashMap;
use std::sync::Arc;

/// One entry of the event log: an event, or a tick.
// Nearly every entry is an event: boxing them would cost an allocation each
// to save the space of the few ticks.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Recorded {
    Event(Event),
    Tick { community: String, at_ms: i64 },
}

impl Recorded {
    pub fn community(&self) -> &str {
        match self {
            Recorded::Event(e) => &e.community,
            Recorded::Tick { community, .. } => community,
        }
    }

    pub fn timestamp_ms(&self) -> i64 {
        match self {
            Recorded::Event(e) => e.timestamp_ms(),
            Recorded::Tick { at_ms, .. } => *at_ms,
        }
    }

    /// What the decisions are keyed by within the community: the event's
    /// id, or `tick@<ms>` (as the outbox keys a tick's actions).
    pub fn origin(&self) -> String {
        match self {
            Recorded::Event(e) => e.id.clone(),
            Recorded::Tick { at_ms, .. } => format!("tick@{at_ms}"),
        }
    }

    /// The origin of a recorded action, as [`Recorded::origin`] names it.
    pub fn origin_of(action: &DecidedAction) -> Option<String> {
        match (&action.event_id, action.tick_ms) {
            (Some(id), _) => Some(id.clone()),
            (None, Some(at)) => Some(format!("tick@{at}")),
            (None, None) => None,
        }
    }
}

/// The store's event log with its ticks, in the order they were handled.
pub fn history(events: Vec<HandledEvent>, ticks: Vec<HandledTick>) -> Vec<Recorded> {
    let mut all: Vec<(u64, Recorded)> = events
        .into_iter()
        .map(|h| (h.seq, Recorded::Event(h.event)))
        .chain(ticks.into_iter().map(|t| {
            (
                t.seq,
                Recorded::Tick {
                    community: t.community,
                    at_ms: t.at_ms,
                },
            )
        }))
        .collect();
    all.sort_by_key(|(seq, _)| *seq);
    all.into_iter().map(|(_, r)| r).collect()
}

/// What one plugin decided for each event and tick, in their order.
pub struct Replayed {
    pub decided: Vec<(Recorded, Vec<DecidedAction>)>,
    pub plugin_errors: u64,
}

/// Runs `recorded` events and ticks (any communities, each in its own
/// order) through the plugin `entry` built from `bytes`.
pub fn replay(
    runtime: &Runtime,
    entry: PluginEntry,
    bytes: &[u8],
    secret: Arc<Secret>,
    recorded: &[Recorded],
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
    let mut decided = Vec::with_capacity(recorded.len());
    let progress = crate::progress::Progress::new(
        format!("replaying through {}", def.entry.component),
        Some(recorded.len() as u64),
    );
    for item in recorded {
        progress.inc(1);
        let community = item.community();
        let chain = chains.entry(community.to_string()).or_insert_with(|| {
            Chain::new(community, vec![def.clone()], store.clone(), secret.clone())
        });
        let plan = match item {
            Recorded::Event(event) => chain
                .handle(std::slice::from_ref(event), &stats)?
                .pop()
                .unwrap_or_default(),
            Recorded::Tick { at_ms, .. } => chain.tick(*at_ms, &stats)?.plan,
        };
        // State persists from one event to the next, as in a live run.
        store.commit(crate::store::Commit {
            kv: chain.take_kv_writes(),
            ..Default::default()
        })?;
        decided.push((item.clone(), plan));
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

/// The events and ticks from `from` (inclusive) to `to` (inclusive for an
/// event id, exclusive for a time). An event id that is not there is an
/// error.
pub fn select(
    events: Vec<Recorded>,
    from: Option<&Bound>,
    to: Option<&Bound>,
) -> Result<Vec<Recorded>> {
    let find = |id: &str| {
        events
            .iter()
            .position(|e| matches!(e, Recorded::Event(e) if e.id == id))
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
