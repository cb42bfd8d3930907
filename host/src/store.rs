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
///
/// Everything lives in one tree under one-byte prefixes (`k` plugin state,
/// `h` handled marks, `e` event log, `a` action log, `r` rejected input), so
/// a commit is one atomic `apply_batch` — much cheaper than a transaction
/// across trees.
pub struct SledStore {
    db: sled::Db,
    tree: sled::Tree,
}

const KV: u8 = b'k';
const HANDLED: u8 = b'h';
const EVENTS: u8 = b'e';
const ACTIONS: u8 = b'a';
const REJECTED: u8 = b'r';

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
            tree: db.open_tree("vigie")?,
            db,
        })
    }

    fn read_log<T: serde::de::DeserializeOwned>(&self, prefix: u8, what: &str) -> Result<Vec<T>> {
        self.tree
            .scan_prefix([prefix])
            .values()
            .map(|v| {
                let v = v?;
                serde_json::from_slice(&v)
                    .with_context(|| format!("corrupt {what} record in the store"))
            })
            .collect()
    }
}

fn prefixed(prefix: u8, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(rest.len() + 1);
    k.push(prefix);
    k.extend_from_slice(rest);
    k
}

fn handled_key(community: &str, event_id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(community.len() + event_id.len() + 2);
    k.push(HANDLED);
    k.extend_from_slice(community.as_bytes());
    k.push(0);
    k.extend_from_slice(event_id.as_bytes());
    k
}

impl Store for SledStore {
    fn kv_get(&self, scope: &KvScope, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .tree
            .get(prefixed(KV, &scope.key(key)))?
            .map(|v| v.to_vec()))
    }

    fn kv_keys(&self, scope: &KvScope, prefix: &str, limit: usize) -> Result<Vec<String>> {
        let base = scope.prefix().len() + 1;
        self.tree
            .scan_prefix(prefixed(KV, &scope.key(prefix)))
            .keys()
            .take(limit)
            .map(|k| Ok(String::from_utf8_lossy(&k?[base..]).into_owned()))
            .collect()
    }

    fn kv_count(&self, scope: &KvScope) -> Result<u64> {
        let mut n = 0;
        for k in self.tree.scan_prefix(prefixed(KV, &scope.prefix())).keys() {
            k?;
            n += 1;
        }
        Ok(n)
    }

    fn was_handled(&self, community: &str, event_id: &str) -> Result<bool> {
        Ok(self.tree.contains_key(handled_key(community, event_id))?)
    }

    fn commit(&self, commit: Commit) -> Result<()> {
        if commit.handled.is_empty()
            && commit.actions.is_empty()
            && commit.kv.iter().all(|(_, writes)| writes.is_empty())
        {
            return Ok(());
        }
        let mut batch = sled::Batch::default();
        for (scope, writes) in &commit.kv {
            for (key, value) in writes {
                let k = prefixed(KV, &scope.key(key));
                match value {
                    Some(v) => batch.insert(k, v.as_slice()),
                    None => batch.remove(k),
                }
            }
        }
        // Sequence numbers come from sled's monotonic, crash-safe id
        // generator; gaps are harmless.
        for event in commit.handled {
            let seq = self.db.generate_id()?;
            batch.insert(handled_key(&event.community, &event.id), &seq.to_be_bytes());
            let record = serde_json::to_vec(&HandledEvent { seq, event })?;
            batch.insert(prefixed(EVENTS, &seq.to_be_bytes()), record);
        }
        for action in &commit.actions {
            let seq = self.db.generate_id()?;
            batch.insert(
                prefixed(ACTIONS, &seq.to_be_bytes()),
                serde_json::to_vec(action)?,
            );
        }
        self.tree
            .apply_batch(batch)
            .context("store commit failed")?;
        Ok(())
    }

    fn reject(&self, rejected: RejectedInput) -> Result<()> {
        let seq = self.db.generate_id()?;
        self.tree.insert(
            prefixed(REJECTED, &seq.to_be_bytes()),
            serde_json::to_vec(&rejected)?,
        )?;
        Ok(())
    }

    fn actions(&self) -> Result<Vec<DecidedAction>> {
        self.read_log(ACTIONS, "action")
    }

    fn events(&self) -> Result<Vec<HandledEvent>> {
        self.read_log(EVENTS, "event")
    }

    fn rejected(&self) -> Result<Vec<RejectedInput>> {
        self.read_log(REJECTED, "rejected input")
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
