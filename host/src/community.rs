//! Community actor: one task per community owns that community's chain
//! (its plugin instances) and handles its events strictly in order. Events
//! that queue up are handed to plugins in batches; ticks run when the
//! community's event time crosses a tick boundary. Each batch is committed
//! to the store atomically (state, handled marks, actions) before its
//! actions go to the executor.

use crate::action::DecidedAction;
use crate::chain::Chain;
use crate::event::Event;
use crate::stats::Stats;
use crate::store::{Commit, Store};
use anyhow::{Context, Result};
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::mpsc;

pub struct CommunityActor {
    pub(crate) community: String,
    pub(crate) chain: Chain,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) stats: Arc<Stats>,
    pub(crate) plans: mpsc::UnboundedSender<Vec<DecidedAction>>,
    pub(crate) batch_size: usize,
    pub(crate) tick_every_ms: i64,
    /// The next tick boundary in event time; set by the first event.
    pub(crate) next_tick_ms: Option<i64>,
}

impl CommunityActor {
    /// Runs on a blocking thread: plugin calls are CPU-bound (bounded by
    /// their deadlines) and WASI's synchronous bindings must not run on an
    /// async worker.
    pub fn run(mut self, mut events: mpsc::Receiver<Event>) -> Result<()> {
        while let Some(first) = events.blocking_recv() {
            let mut batch = vec![first];
            // Latency first: only take what is already waiting.
            while batch.len() < self.batch_size {
                match events.try_recv() {
                    Ok(event) => batch.push(event),
                    Err(_) => break,
                }
            }
            self.process(batch)
                .with_context(|| format!("community `{}`", self.community))?;
        }
        Ok(())
    }

    fn process(&mut self, batch: Vec<Event>) -> Result<()> {
        let mut fresh = Vec::with_capacity(batch.len());
        let mut ids = HashSet::new();
        for event in batch {
            if !ids.insert(event.id.clone())
                || self.store.was_handled(&event.community, &event.id)?
            {
                self.stats.update(|s| s.events_already_handled += 1);
                continue;
            }
            fresh.push(event);
        }
        // Split at tick boundaries so ticks run between the right events.
        let mut start = 0;
        for i in 0..fresh.len() {
            let t = fresh[i].timestamp_ms();
            let boundary = *self
                .next_tick_ms
                .get_or_insert_with(|| next_boundary(t, self.tick_every_ms));
            if t >= boundary {
                self.handle(&fresh[start..i])?;
                start = i;
                let plan = self.chain.tick(boundary, &self.stats);
                self.commit(Vec::new(), plan)?;
                self.next_tick_ms = Some(next_boundary(t, self.tick_every_ms));
            }
        }
        self.handle(&fresh[start..])
    }

    fn handle(&mut self, events: &[Event]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let plans = self.chain.handle(events, &self.stats);
        let actions: Vec<DecidedAction> = plans.into_iter().flatten().collect();
        self.stats
            .update(|s| s.events_handled += events.len() as u64);
        self.commit(events.to_vec(), actions)
    }

    fn commit(&mut self, handled: Vec<Event>, actions: Vec<DecidedAction>) -> Result<()> {
        let kv = self.chain.take_kv_writes();
        if handled.is_empty() && actions.is_empty() && kv.is_empty() {
            return Ok(());
        }
        self.store.commit(Commit {
            kv,
            handled,
            actions: actions.clone(),
        })?;
        self.stats.update(|s| {
            for a in &actions {
                *s.actions
                    .entry(a.action.kind().name().to_string())
                    .or_default() += 1;
            }
        });
        if !actions.is_empty() {
            // The receiver only goes away when the host is shutting down.
            let _ = self.plans.send(actions);
        }
        Ok(())
    }
}

fn next_boundary(t: i64, every: i64) -> i64 {
    (t.div_euclid(every) + 1) * every
}
