//! [`FencedStore`]: the [`Store`] a cluster host's community actors run
//! on. The plugins' key-value data comes from, and goes to, the
//! community's fenced state (loaded before the event runs, written with
//! compare-and-swap in [`Store::commit`]); everything else (the event and
//! action logs, the review queue, the audit, the outbox the local
//! connectors deliver from) is the host's local sled store, written only
//! after the fenced commit succeeded.
//!
//! Its methods block: they are called from the cluster's processing
//! threads (plain threads, never a tokio worker), like `SledStore`'s.

use super::state::{self, CommitOutcome, CommunityState, Loaded};
use crate::action::DecidedAction;
use crate::event::Event;
use crate::store::*;
use anyhow::{anyhow, Result};
use async_nats::jetstream::kv;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The community an event is being handled for, on one thread.
#[derive(Debug)]
pub(crate) struct Current {
    pub(crate) loaded: Loaded,
    /// The stream sequence of the event being handled.
    pub(crate) seq: u64,
    /// Set when a commit went through: the state as written.
    pub(crate) committed: bool,
    /// Set when the compare-and-swap was refused.
    pub(crate) refused: bool,
}

pub struct FencedStore {
    local: Arc<dyn Store>,
    bucket: kv::Store,
    runtime: tokio::runtime::Handle,
    current: Mutex<HashMap<String, Current>>,
}

/// The error a refused commit returns (the actor's run fails with it).
#[derive(Debug, thiserror::Error)]
#[error("cluster: commit of `{0}` refused: another host committed since this one read the state (this host lost the partition)")]
pub struct Refused(pub String);

impl FencedStore {
    pub(crate) fn new(
        local: Arc<dyn Store>,
        bucket: kv::Store,
        runtime: tokio::runtime::Handle,
    ) -> Self {
        FencedStore {
            local,
            bucket,
            runtime,
            current: Mutex::new(HashMap::new()),
        }
    }

    /// The event of `community` at stream sequence `seq` is about to run
    /// on the state `loaded`.
    pub(crate) fn begin(&self, community: &str, loaded: Loaded, seq: u64) {
        self.lock().insert(
            community.to_string(),
            Current {
                loaded,
                seq,
                committed: false,
                refused: false,
            },
        );
    }

    /// The run of `community`'s event is over: what came of it.
    pub(crate) fn end(&self, community: &str) -> Option<Current> {
        self.lock().remove(community)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Current>> {
        // A panic while holding the lock leaves plain data behind.
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn with_state<T>(&self, community: &str, f: impl FnOnce(&CommunityState) -> T) -> Result<T> {
        let current = self.lock();
        let c = current.get(community).ok_or_else(|| {
            anyhow!("cluster: the state of `{community}` was read outside of one of its events")
        })?;
        Ok(f(&c.loaded.state))
    }
}

/// The community a commit is about (an actor commits for one community).
fn community_of(commit: &Commit) -> Option<String> {
    commit
        .handled
        .first()
        .map(|e| e.community.clone())
        .or_else(|| commit.ticks.first().map(|t| t.community.clone()))
        .or_else(|| commit.kv.first().map(|(s, _)| s.community.clone()))
        .or_else(|| commit.actions.first().map(|a| a.community.clone()))
        .or_else(|| commit.outbox.first().map(|o| o.action.community.clone()))
        .or_else(|| {
            commit
                .review
                .first()
                .map(|r| r.entry.action.community.clone())
        })
        .or_else(|| commit.shadow.first().map(|s| s.community.clone()))
}

impl Store for FencedStore {
    fn kv_get(&self, scope: &KvScope, key: &str) -> Result<Option<Vec<u8>>> {
        self.with_state(&scope.community, |s| s.kv_value(&scope.plugin, key))?
    }

    fn kv_keys(&self, scope: &KvScope, prefix: &str, limit: usize) -> Result<Vec<String>> {
        self.with_state(&scope.community, |s| {
            s.kv.get(&scope.plugin)
                .map(|m| {
                    m.range(prefix.to_string()..)
                        .take_while(|(k, _)| k.starts_with(prefix))
                        .take(limit)
                        .map(|(k, _)| k.clone())
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    fn kv_count(&self, scope: &KvScope) -> Result<u64> {
        self.with_state(&scope.community, |s| {
            s.kv.get(&scope.plugin).map_or(0, |m| m.len() as u64)
        })
    }

    /// Always false: a cluster host knows an event was handled by its
    /// stream sequence in the fenced state, checked before it runs.
    fn was_handled(&self, _community: &str, _event_id: &str) -> Result<bool> {
        Ok(false)
    }

    fn sent_message(&self, community: &str, message_id: &str) -> Result<Option<SentMessage>> {
        self.local.sent_message(community, message_id)
    }

    fn commit(&self, commit: Commit) -> Result<()> {
        let Some(community) = community_of(&commit) else {
            return Ok(());
        };
        let (revision, mut next) = {
            let current = self.lock();
            let c = current.get(&community).ok_or_else(|| {
                anyhow!("cluster: a commit of `{community}` outside of one of its events")
            })?;
            let mut next = c.loaded.state.clone();
            next.last_seq = c.seq;
            (c.loaded.revision, next)
        };
        for (scope, writes) in &commit.kv {
            for (key, value) in writes {
                next.set_kv(&scope.plugin, key, value.as_deref());
            }
        }
        for event in &commit.handled {
            next.applied += 1;
            next.digest = CommunityState::chain_digest(&next.digest, &event.id);
        }
        next.outbox = commit.outbox.clone();
        let outcome = self
            .runtime
            .block_on(state::commit(&self.bucket, revision, &next))?;
        let new_revision = match outcome {
            CommitOutcome::Committed(r) => r,
            CommitOutcome::Refused => {
                if let Some(c) = self.lock().get_mut(&community) {
                    c.refused = true;
                }
                return Err(Refused(community).into());
            }
        };
        if let Some(c) = self.lock().get_mut(&community) {
            c.loaded = Loaded {
                revision: new_revision,
                state: next,
            };
            c.committed = true;
        }
        super::crash::reached(super::crash::CrashPoint::AfterCommit);
        // The logs of this host: what it handled and decided. The fenced
        // commit above is the decision; a failure here loses log lines,
        // never an event or an action.
        let local = Commit {
            kv: Vec::new(),
            outbox: Vec::new(),
            ..commit
        };
        if let Err(e) = self.local.commit(local) {
            tracing::error!("cluster: `{community}` committed, but its local log failed: {e:#}");
        }
        Ok(())
    }

    fn reject(&self, rejected: RejectedInput) -> Result<()> {
        self.local.reject(rejected)
    }
    fn actions(&self) -> Result<Vec<DecidedAction>> {
        self.local.actions()
    }
    fn events(&self) -> Result<Vec<HandledEvent>> {
        self.local.events()
    }
    fn ticks(&self) -> Result<Vec<HandledTick>> {
        self.local.ticks()
    }
    fn rejected(&self) -> Result<Vec<RejectedInput>> {
        self.local.rejected()
    }
    fn flush(&self) -> Result<()> {
        self.local.flush()
    }
    fn receive(&self, connector: &str, cursor: &str, events: &[Event]) -> Result<()> {
        self.local.receive(connector, cursor, events)
    }
    fn cursor(&self, connector: &str) -> Result<Option<String>> {
        self.local.cursor(connector)
    }
    fn inbox(&self, connector: &str) -> Result<Vec<Event>> {
        self.local.inbox(connector)
    }
    fn outbox(&self, connector: &str) -> Result<Vec<(Vec<u8>, OutboxEntry)>> {
        self.local.outbox(connector)
    }
    fn is_done(&self, key: &str) -> Result<bool> {
        self.local.is_done(key)
    }
    fn complete(
        &self,
        outbox_key: &[u8],
        audit: AuditRecord,
        reversal: Option<Reversal>,
    ) -> Result<()> {
        self.local.complete(outbox_key, audit, reversal)
    }
    fn discard_outbox(&self, outbox_key: &[u8]) -> Result<()> {
        self.local.discard_outbox(outbox_key)
    }
    fn retry_later(&self, outbox_key: &[u8], entry: &OutboxEntry) -> Result<()> {
        self.local.retry_later(outbox_key, entry)
    }
    fn dead_letter(&self, outbox_key: &[u8], dead: DeadLetter) -> Result<()> {
        self.local.dead_letter(outbox_key, dead)
    }
    fn due_reversals(&self, connector: &str, now_ms: i64) -> Result<Vec<(Vec<u8>, Reversal)>> {
        self.local.due_reversals(connector, now_ms)
    }
    fn reversal_done(&self, reversal_key: &[u8], audit: AuditRecord) -> Result<()> {
        self.local.reversal_done(reversal_key, audit)
    }
    fn audit(&self) -> Result<Vec<AuditRecord>> {
        self.local.audit()
    }
    fn dead_letters(&self) -> Result<Vec<DeadLetter>> {
        self.local.dead_letters()
    }
    fn reversals(&self) -> Result<Vec<Reversal>> {
        self.local.reversals()
    }
    fn shadow_log(&self) -> Result<Vec<ShadowRecord>> {
        self.local.shadow_log()
    }
    fn review_queue(&self) -> Result<Vec<ReviewItem>> {
        self.local.review_queue()
    }
    fn decide(&self, key: &str, decision: ReviewDecision) -> Result<ReviewItem> {
        self.local.decide(key, decision)
    }
    fn undo_restriction(&self, key: &str, by: &str, at_ms: i64) -> Result<Reversal> {
        self.local.undo_restriction(key, by, at_ms)
    }
    fn undos(&self) -> Result<std::collections::BTreeMap<String, crate::store::Undo>> {
        self.local.undos()
    }
    fn stale_reviews(&self, connector: &str, before_ms: i64) -> Result<Vec<ReviewItem>> {
        self.local.stale_reviews(connector, before_ms)
    }
    fn reviews_alerted(&self, keys: &[String], alert: OutboxEntry, at_ms: i64) -> Result<()> {
        self.local.reviews_alerted(keys, alert, at_ms)
    }
    fn outbox_depth(&self) -> Result<u64> {
        self.local.outbox_depth()
    }
    fn dead_letter_count(&self) -> Result<u64> {
        self.local.dead_letter_count()
    }
    fn dead_letters_keyed(&self) -> Result<Vec<(Vec<u8>, DeadLetter)>> {
        self.local.dead_letters_keyed()
    }
    fn retry_dead_letter(&self, key: &[u8]) -> Result<Option<OutboxEntry>> {
        self.local.retry_dead_letter(key)
    }
    fn console_get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        self.local.console_get(key)
    }
    fn console_put(&self, key: &str, value: Option<&[u8]>) -> Result<()> {
        self.local.console_put(key, value)
    }
    fn console_scan(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>> {
        self.local.console_scan(prefix)
    }
}
