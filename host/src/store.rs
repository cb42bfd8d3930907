//! Durable state: plugin key-value data, the log of handled events, the log
//! of decided actions and rejected input. [`Store`] is the interface the rest
//! of the host uses; [`SledStore`] is the embedded default.
//!
//! Everything decided about a batch of events is written in one
//! [`Store::commit`]: plugin state changes, the "handled" marks and the
//! actions, atomically. A crash leaves either all of it or none of it.

use crate::action::DecidedAction;
use crate::event::Event;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Whose key-value space: one per (community, plugin entry).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KvScope {
    pub community: String,
    pub plugin: String,
}

impl KvScope {
    pub fn new(community: &str, plugin: &str) -> Self {
        KvScope {
            community: community.to_string(),
            plugin: plugin.to_string(),
        }
    }

    /// The byte prefix of this scope's keys. Names never contain `\0` (the
    /// config and event validation refuse control characters).
    fn prefix(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(self.community.len() + self.plugin.len() + 2);
        p.extend_from_slice(self.community.as_bytes());
        p.push(0);
        p.extend_from_slice(self.plugin.as_bytes());
        p.push(0);
        p
    }

    fn key(&self, key: &str) -> Vec<u8> {
        let mut k = self.prefix();
        k.extend_from_slice(key.as_bytes());
        k
    }
}

/// Pending writes of one scope: `None` deletes the key.
pub type KvWrites = BTreeMap<String, Option<Vec<u8>>>;

/// A handled event, as kept in the event log.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HandledEvent {
    /// Position in the log, increasing.
    pub seq: u64,
    pub event: Event,
}

/// An input line that could not be used, kept so nothing is lost.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RejectedInput {
    pub source: String,
    pub line: u64,
    pub error: String,
    pub content: String,
}

/// Everything decided for a batch of events, written atomically.
#[derive(Debug, Default)]
pub struct Commit {
    pub kv: Vec<(KvScope, KvWrites)>,
    pub handled: Vec<Event>,
    pub actions: Vec<DecidedAction>,
}

/// The host's durable state.
pub trait Store: Send + Sync + 'static {
    fn kv_get(&self, scope: &KvScope, key: &str) -> Result<Option<Vec<u8>>>;
    /// Up to `limit` keys of the scope starting with `prefix`, in byte order.
    fn kv_keys(&self, scope: &KvScope, prefix: &str, limit: usize) -> Result<Vec<String>>;
    /// How many keys the scope holds.
    fn kv_count(&self, scope: &KvScope) -> Result<u64>;
    /// Whether an event of this community with this id was already handled.
    fn was_handled(&self, community: &str, event_id: &str) -> Result<bool>;
    fn commit(&self, commit: Commit) -> Result<()>;
    fn reject(&self, rejected: RejectedInput) -> Result<()>;
    /// The action log, oldest first.
    fn actions(&self) -> Result<Vec<DecidedAction>>;
    /// The event log, oldest first.
    fn events(&self) -> Result<Vec<HandledEvent>>;
    fn rejected(&self) -> Result<Vec<RejectedInput>>;
    /// Make everything committed so far durable on disk.
    fn flush(&self) -> Result<()>;
}

/// The embedded default: a sled database in the data directory.
pub struct SledStore {
    db: sled::Db,
    kv: sled::Tree,
    handled: sled::Tree,
    events: sled::Tree,
    actions: sled::Tree,
    rejected: sled::Tree,
}

impl SledStore {
    pub fn open(dir: &Path) -> Result<Self> {
        let db = sled::Config::new()
            .path(dir)
            .flush_every_ms(Some(200))
            .open()
            .with_context(|| format!("cannot open the store in {}", dir.display()))?;
        Self::from_db(db)
    }

    /// A store that lives in memory only, for `vigie test` and benchmarks.
    pub fn temporary() -> Result<Self> {
        Self::from_db(sled::Config::new().temporary(true).open()?)
    }

    fn from_db(db: sled::Db) -> Result<Self> {
        Ok(SledStore {
            kv: db.open_tree("kv")?,
            handled: db.open_tree("handled")?,
            events: db.open_tree("events")?,
            actions: db.open_tree("actions")?,
            rejected: db.open_tree("rejected")?,
            db,
        })
    }
}

fn handled_key(community: &str, event_id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(community.len() + event_id.len() + 1);
    k.extend_from_slice(community.as_bytes());
    k.push(0);
    k.extend_from_slice(event_id.as_bytes());
    k
}

fn read_log<T: serde::de::DeserializeOwned>(tree: &sled::Tree, what: &str) -> Result<Vec<T>> {
    tree.iter()
        .values()
        .map(|v| {
            let v = v?;
            serde_json::from_slice(&v)
                .with_context(|| format!("corrupt {what} record in the store"))
        })
        .collect()
}

impl Store for SledStore {
    fn kv_get(&self, scope: &KvScope, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.kv.get(scope.key(key))?.map(|v| v.to_vec()))
    }

    fn kv_keys(&self, scope: &KvScope, prefix: &str, limit: usize) -> Result<Vec<String>> {
        let base = scope.prefix().len();
        self.kv
            .scan_prefix(scope.key(prefix))
            .keys()
            .take(limit)
            .map(|k| Ok(String::from_utf8_lossy(&k?[base..]).into_owned()))
            .collect()
    }

    fn kv_count(&self, scope: &KvScope) -> Result<u64> {
        let mut n = 0;
        for k in self.kv.scan_prefix(scope.prefix()).keys() {
            k?;
            n += 1;
        }
        Ok(n)
    }

    fn was_handled(&self, community: &str, event_id: &str) -> Result<bool> {
        Ok(self
            .handled
            .contains_key(handled_key(community, event_id))?)
    }

    fn commit(&self, commit: Commit) -> Result<()> {
        use sled::transaction::{ConflictableTransactionError, TransactionError};
        use sled::Transactional;
        // Sequence numbers are taken outside the transaction (sled's id
        // generator is monotonic and crash-safe); gaps are harmless.
        let mut events = Vec::with_capacity(commit.handled.len());
        for event in &commit.handled {
            let seq = self.db.generate_id()?;
            let record = serde_json::to_vec(&HandledEvent {
                seq,
                event: event.clone(),
            })?;
            events.push((seq, handled_key(&event.community, &event.id), record));
        }
        let mut actions = Vec::with_capacity(commit.actions.len());
        for action in &commit.actions {
            actions.push((self.db.generate_id()?, serde_json::to_vec(action)?));
        }
        let result: Result<(), TransactionError<()>> =
            (&self.kv, &self.handled, &self.events, &self.actions).transaction(
                |(kv, handled, events_tree, actions_tree)| {
                    for (scope, writes) in &commit.kv {
                        for (key, value) in writes {
                            match value {
                                Some(v) => kv.insert(scope.key(key), v.as_slice())?,
                                None => kv.remove(scope.key(key))?,
                            };
                        }
                    }
                    for (seq, key, record) in &events {
                        handled.insert(key.as_slice(), &seq.to_be_bytes())?;
                        events_tree.insert(&seq.to_be_bytes(), record.as_slice())?;
                    }
                    for (seq, record) in &actions {
                        actions_tree.insert(&seq.to_be_bytes(), record.as_slice())?;
                    }
                    Ok::<(), ConflictableTransactionError<()>>(())
                },
            );
        result.map_err(|e| anyhow::anyhow!("store commit failed: {e:?}"))
    }

    fn reject(&self, rejected: RejectedInput) -> Result<()> {
        let seq = self.db.generate_id()?;
        self.rejected
            .insert(seq.to_be_bytes(), serde_json::to_vec(&rejected)?)?;
        Ok(())
    }

    fn actions(&self) -> Result<Vec<DecidedAction>> {
        read_log(&self.actions, "action")
    }

    fn events(&self) -> Result<Vec<HandledEvent>> {
        read_log(&self.events, "event")
    }

    fn rejected(&self) -> Result<Vec<RejectedInput>> {
        read_log(&self.rejected, "rejected input")
    }

    fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_do_not_see_each_other() {
        let store = SledStore::temporary().unwrap();
        let a = KvScope::new("acme", "faq");
        let b = KvScope::new("acme", "fa");
        let mut writes = KvWrites::new();
        writes.insert("q".into(), Some(b"1".to_vec()));
        store
            .commit(Commit {
                kv: vec![(a.clone(), writes)],
                ..Commit::default()
            })
            .unwrap();
        assert_eq!(store.kv_get(&a, "q").unwrap(), Some(b"1".to_vec()));
        assert_eq!(store.kv_get(&b, "q").unwrap(), None);
        assert_eq!(store.kv_keys(&b, "", 10).unwrap(), Vec::<String>::new());
        assert_eq!(store.kv_count(&a).unwrap(), 1);
    }
}
