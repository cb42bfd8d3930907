//! Durable state: plugin key-value data, the log of handled events, the log
//! of decided actions and rejected input, and for live platforms the inbox,
//! the outbox, the audit log, dead letters and scheduled reversals.
//! [`Store`] is the interface the rest of the host uses; [`SledStore`] is
//! the embedded default.
//!
//! Everything decided about a batch of events is written in one
//! [`Store::commit`]: plugin state changes, the "handled" marks, the
//! actions and their outbox entries, atomically. A crash leaves either all
//! of it or none of it. Delivery moves an outbox entry to the audit log (or
//! to the dead letters) in one atomic step too, so an action is pending,
//! done or dead, never two of them.

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

/// A tick a community's chain ran, as kept in the event log beside the
/// events (only ticks that did something: see [`crate::chain::Ticked`]).
/// Its `seq` comes from the same counter as the events', so the two logs
/// merge back into the order the community saw them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandledTick {
    pub seq: u64,
    pub community: String,
    /// The time the plugins were given, in ms since the Unix epoch.
    pub at_ms: i64,
}

/// A tick to log with a [`Commit`].
#[derive(Debug, Clone, PartialEq)]
pub struct TickAt {
    pub community: String,
    pub at_ms: i64,
    /// How many of the commit's `handled` events came before it.
    pub after_events: usize,
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
    /// Ticks to log, placed among `handled`.
    pub ticks: Vec<TickAt>,
    pub actions: Vec<DecidedAction>,
    /// Actions to carry out on a platform (a subset of `actions`).
    pub outbox: Vec<OutboxEntry>,
    /// What shadow plugins would have done.
    pub shadow: Vec<ShadowRecord>,
    /// Actions held for review, and flags, for the review queue.
    pub review: Vec<ReviewItem>,
}

/// An action waiting for its connector to carry it out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Derived from (community, event id or tick time, plugin, action
    /// index): the same decision always gets the same key, so a delivery
    /// repeated after a crash is recognised.
    pub key: String,
    /// The connector that executes it.
    pub connector: String,
    pub action: DecidedAction,
    /// For deletions: the text of the deleted message, kept as evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// The user the action is about: the one named in it, or the author
    /// of the message it acts on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_user: Option<String>,
    /// Failed attempts so far.
    #[serde(default)]
    pub attempts: u32,
    /// When it was decided (ms since the epoch, wall clock).
    pub decided_at_ms: i64,
    /// The moderator who approved it, for an action held for review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
}

impl OutboxEntry {
    /// The idempotency key of the `index`-th action `plugin` decided for
    /// `origin` (an event id, or `tick@<ms>`) in `community`.
    pub fn key_for(community: &str, origin: &str, plugin: &str, index: usize) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for part in [community, origin, plugin, &index.to_string()] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        hex::encode(&h.finalize()[..16])
    }
}

/// What a shadow plugin would have done for one event (never executed),
/// beside what the live plugin it is meant to replace did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShadowRecord {
    pub event_id: String,
    pub community: String,
    /// The shadow plugin entry.
    pub plugin: String,
    /// The live plugin entry it is compared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
    pub actions: Vec<DecidedAction>,
    /// What the replaced plugin decided for the same event.
    #[serde(default)]
    pub live_actions: Vec<DecidedAction>,
}

/// An action in the review queue: held for a moderator's decision (not
/// executed until approved), or a flag already sent to the staff, to
/// confirm or overturn. Kept with its decision once decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    /// For a held action, what approval executes; for a flag, the flag as
    /// it was sent. Its key is the item's key.
    pub entry: OutboxEntry,
    /// Held (not executed until approved), or a flag (already sent).
    pub held: bool,
    /// When it entered the queue (ms since the epoch, wall clock).
    pub queued_at_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<ReviewDecision>,
    /// When staff were told it had waited too long.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerted_at_ms: Option<i64>,
}

/// A moderator's decision on a review item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewDecision {
    /// The moderator's name.
    pub by: String,
    pub at_ms: i64,
    #[serde(flatten)]
    pub verdict: Verdict,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a moderator decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// A held action is executed (once); a flag is confirmed.
    Approved,
    /// Not executed (a held action) or overturned (a flag): the plugin was
    /// wrong, the false-positive signal reports count.
    Rejected,
    /// The moderator acted otherwise: this action is executed instead.
    Replaced { action: Box<DecidedAction> },
}

impl Verdict {
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Approved => "approved",
            Verdict::Rejected => "rejected",
            Verdict::Replaced { .. } => "replaced",
        }
    }
}

/// An executed action, as the audit log keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// When the platform confirmed it (ms since the epoch).
    pub executed_at_ms: i64,
    pub key: String,
    pub connector: String,
    /// The user the action is about, if any (the author of a deleted or
    /// answered message, the user timed out…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_user: Option<String>,
    pub action: DecidedAction,
    /// What the platform answered (e.g. the new message's id).
    pub platform_reply: String,
    /// The platform's id of the message the action created, where it has
    /// ids (see [`crate::connector::Executed::sent_message_id`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    pub attempts: u32,
    /// The moderator who approved this held action, or who made this
    /// review decision (then `connector` is `review`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
}

/// An action that failed for good (e.g. the bot lacks the right), kept
/// with the error; `vigie dead-letters` shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub failed_at_ms: i64,
    pub error: String,
    pub entry: OutboxEntry,
}

/// Lifting a timeout or a temporary ban, due at `due_ms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reversal {
    pub due_ms: i64,
    /// The key of the action it reverses.
    pub key: String,
    pub connector: String,
    pub community: String,
    pub channel: String,
    pub user_id: String,
    /// Why the restriction was put in place.
    pub reason: String,
    /// The moderator who undid the restriction from the console (the
    /// reversal was made due at once, [`Store::undo_restriction`]); `None`
    /// for a restriction whose time is up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undone_by: Option<String>,
}

/// A moderator's undo of an executed timeout or ban, kept so that an
/// action is undone once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Undo {
    /// The key of the executed action.
    pub key: String,
    /// The moderator's name.
    pub by: String,
    pub at_ms: i64,
}

/// Why [`Store::undo_restriction`] refused (the console says it in the
/// moderator's language).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UndoRefused {
    #[error("no executed action has the key {0}")]
    NotFound(String),
    #[error("action {0} is not a timeout or a ban: there is nothing to undo")]
    NotARestriction(String),
    #[error("action {key} was already undone by {by} at {}", crate::event::format_ms(*at_ms))]
    AlreadyUndone { key: String, by: String, at_ms: i64 },
    #[error("the restriction of action {0} was already lifted: its time was up")]
    AlreadyLifted(String),
    #[error("the restriction of action {0} is being lifted already: its time is up")]
    BeingLifted(String),
}

/// Who sent a message the bot posted: the plugin, and the event it was
/// answering (`None` for a tick).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentMessage {
    pub plugin: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
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
    /// Who sent the bot's message `message_id` in `community`, when the
    /// platform gave it an id ([`AuditRecord::sent_message_id`]).
    fn sent_message(&self, community: &str, message_id: &str) -> Result<Option<SentMessage>>;
    fn commit(&self, commit: Commit) -> Result<()>;
    fn reject(&self, rejected: RejectedInput) -> Result<()>;
    /// The action log, oldest first.
    fn actions(&self) -> Result<Vec<DecidedAction>>;
    /// The event log, oldest first.
    fn events(&self) -> Result<Vec<HandledEvent>>;
    /// The logged ticks, in order.
    fn ticks(&self) -> Result<Vec<HandledTick>>;
    fn rejected(&self) -> Result<Vec<RejectedInput>>;
    /// Make everything committed so far durable on disk.
    fn flush(&self) -> Result<()>;

    // Live platforms: inbox and cursors.

    /// Records events received from a connector together with its new
    /// cursor (e.g. Matrix's `since` token), atomically: after a crash the
    /// events are in the inbox and the cursor is past them, so none is seen
    /// twice or skipped. Also forgets inbox events already handled.
    fn receive(&self, connector: &str, cursor: &str, events: &[Event]) -> Result<()>;
    /// The connector's saved cursor.
    fn cursor(&self, connector: &str) -> Result<Option<String>>;
    /// Received events not handled yet, oldest first.
    fn inbox(&self, connector: &str) -> Result<Vec<Event>>;

    // Delivery: outbox, audit, dead letters, reversals.

    /// The connector's pending actions, oldest first, with their store keys.
    fn outbox(&self, connector: &str) -> Result<Vec<(Vec<u8>, OutboxEntry)>>;
    /// Whether an action with this idempotency key was already executed.
    fn is_done(&self, key: &str) -> Result<bool>;
    /// The action is executed: out of the outbox, into the audit log, with
    /// its reversal scheduled if it has one. Atomic.
    fn complete(
        &self,
        outbox_key: &[u8],
        audit: AuditRecord,
        reversal: Option<Reversal>,
    ) -> Result<()>;
    /// Removes an outbox entry whose action was already executed.
    fn discard_outbox(&self, outbox_key: &[u8]) -> Result<()>;
    /// Saves a pending entry's attempt count.
    fn retry_later(&self, outbox_key: &[u8], entry: &OutboxEntry) -> Result<()>;
    /// The action failed for good: out of the outbox, into the dead
    /// letters. Atomic.
    fn dead_letter(&self, outbox_key: &[u8], dead: DeadLetter) -> Result<()>;
    /// Reversals of this connector due at or before `now_ms`.
    fn due_reversals(&self, connector: &str, now_ms: i64) -> Result<Vec<(Vec<u8>, Reversal)>>;
    /// A reversal was carried out: removed, and recorded in the audit log.
    fn reversal_done(&self, reversal_key: &[u8], audit: AuditRecord) -> Result<()>;
    /// The audit log, oldest first.
    fn audit(&self) -> Result<Vec<AuditRecord>>;
    fn dead_letters(&self) -> Result<Vec<DeadLetter>>;
    /// Pending reversals, soonest first.
    fn reversals(&self) -> Result<Vec<Reversal>>;
    /// What shadow plugins would have done, oldest first.
    fn shadow_log(&self) -> Result<Vec<ShadowRecord>>;
    /// The review queue, decided items included, oldest first.
    fn review_queue(&self) -> Result<Vec<ReviewItem>>;
    /// Records a moderator's decision on the item `key`, atomically with
    /// its effect: an approved held action, or a replacing action, enters
    /// the outbox (executed once); every decision enters the audit log
    /// with the moderator's name. An item decided already is refused, so
    /// two moderators never both act.
    fn decide(&self, key: &str, decision: ReviewDecision) -> Result<ReviewItem>;
    /// A moderator undoes the executed timeout or ban whose idempotency key
    /// is `key`, atomically: its pending reversal is made due at once, or
    /// (a ban without end) a reversal due at once is recorded; either
    /// names the moderator, and delivery carries it out once, through the
    /// connector, like a restriction whose time is up. The undo is kept
    /// ([`Store::undos`]): a second undo is refused ([`UndoRefused`]), as
    /// is the undo of a restriction already lifted.
    fn undo_restriction(&self, key: &str, by: &str, at_ms: i64) -> Result<Reversal>;
    /// The undos moderators made, by action key.
    fn undos(&self) -> Result<BTreeMap<String, Undo>>;
    /// Held items of `connector` queued before `before_ms`, undecided and
    /// never alerted about.
    fn stale_reviews(&self, connector: &str, before_ms: i64) -> Result<Vec<ReviewItem>>;
    /// Marks `keys` as alerted about, atomically with the alert to send.
    fn reviews_alerted(&self, keys: &[String], alert: OutboxEntry, at_ms: i64) -> Result<()>;
    /// Adds an action the host decided itself (the weekly digest) to its
    /// connector's outbox.
    fn enqueue(&self, entry: OutboxEntry) -> Result<()> {
        self.reviews_alerted(&[], entry, 0)
    }

    // The web console (`crate::console`).

    /// Actions waiting in the outbox, every connector together.
    fn outbox_depth(&self) -> Result<u64>;
    /// How many dead letters are kept.
    fn dead_letter_count(&self) -> Result<u64>;
    /// The dead letters with their store keys, oldest first.
    fn dead_letters_keyed(&self) -> Result<Vec<(Vec<u8>, DeadLetter)>>;
    /// Moves a dead letter back to its connector's outbox, attempts reset,
    /// in one atomic step; `None` when there is no such dead letter (any
    /// more). Delivery picks it up on its next round.
    fn retry_dead_letter(&self, key: &[u8]) -> Result<Option<OutboxEntry>>;
    /// A console record (e.g. `user/NAME`), apart from the event path's data.
    fn console_get(&self, key: &str) -> Result<Option<Vec<u8>>>;
    /// Writes a console record, or removes it with `None`; durable on return.
    fn console_put(&self, key: &str, value: Option<&[u8]>) -> Result<()>;
    /// The console records whose key starts with `prefix`, in key order.
    fn console_scan(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>>;
}

/// The embedded default: a sled database in the data directory.
///
/// Everything lives in one tree under one-byte prefixes (`k` plugin state,
/// `h` handled marks, `e` event log, `t` logged ticks, `a` action log, `r` rejected input,
/// `i` inbox, `c` cursors, `o` outbox, `d` done keys, `u` audit log, `x`
/// dead letters, `s` scheduled reversals, `w` shadow log, `m` the bot's own
/// messages by their platform id, `v` the review queue by action key, `n`
/// the undos of restrictions by action key), so every step is one atomic
/// `apply_batch` — much cheaper than a transaction across trees.
///
/// The web console's own records ([`crate::console`]: its accounts, keys
/// `user/NAME`, JSON with the argon2id hash) live apart, in a second tree
/// named `console`: they are never part of an event's commit, and nothing
/// on the event path reads them.
pub struct SledStore {
    db: sled::Db,
    tree: sled::Tree,
    console: sled::Tree,
}

const KV: u8 = b'k';
const HANDLED: u8 = b'h';
const EVENTS: u8 = b'e';
const ACTIONS: u8 = b'a';
const REJECTED: u8 = b'r';
const INBOX: u8 = b'i';
const CURSORS: u8 = b'c';
const OUTBOX: u8 = b'o';
const DONE: u8 = b'd';
const AUDIT: u8 = b'u';
const DEAD: u8 = b'x';
const REVERSALS: u8 = b's';
const SHADOW: u8 = b'w';
const SENT: u8 = b'm';
const TICKS: u8 = b't';
const REVIEW: u8 = b'v';
const UNDOS: u8 = b'n';

/// sled's page cache for a running host (sled's default)…
const HOST_CACHE_BYTES: u64 = 1 << 30;
/// …and for a command-line tool.
const TOOL_CACHE_BYTES: u64 = 64 << 20;

impl SledStore {
    pub fn open(dir: &Path) -> Result<Self> {
        Self::open_with_cache(dir, HOST_CACHE_BYTES)
    }

    /// The store as a command-line tool opens it (`vigie report`, `audit`,
    /// `review`…): with a small page cache. A tool reads each record once,
    /// in key order, so sled's default cache (1 GiB) would only hold pages
    /// never read again: most of `vigie report`'s memory over a month of a
    /// busy host, and a quarter of its time spent zeroing it.
    pub fn open_for_tools(dir: &Path) -> Result<Self> {
        Self::open_with_cache(dir, TOOL_CACHE_BYTES)
    }

    fn open_with_cache(dir: &Path, cache_bytes: u64) -> Result<Self> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(cache_bytes)
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
            console: db.open_tree("console")?,
            db,
        })
    }

    fn read_log<T: serde::de::DeserializeOwned>(&self, prefix: u8, what: &str) -> Result<Vec<T>> {
        // The logs keyed by the shared sequence number; the others (the
        // review queue by action key, reversals by due time) reserve
        // nothing ahead.
        let keyed_by_seq = matches!(prefix, EVENTS | ACTIONS | TICKS | SHADOW | AUDIT | REJECTED);
        let reserve = if keyed_by_seq {
            self.log_len_bound(prefix)?
        } else {
            0
        };
        let mut records = Vec::with_capacity(reserve);
        for v in self.tree.scan_prefix([prefix]).values() {
            records.push(
                serde_json::from_slice(&v?)
                    .with_context(|| format!("corrupt {what} record in the store"))?,
            );
        }
        Ok(records)
    }

    /// About the number of records of a log keyed `prefix seq`, from its
    /// first and last sequence numbers (the logs share one sequence, so it
    /// may be a few times more), at most two million: reserved at once, a
    /// log of a million records is not copied over and over as its vector
    /// grows, and pages reserved but never written cost no memory.
    fn log_len_bound(&self, prefix: u8) -> Result<usize> {
        const MAX_RESERVED: u64 = 1 << 21;
        let seq = |key: &[u8]| -> Option<u64> {
            let bytes: [u8; 8] = key.get(1..)?.try_into().ok()?;
            Some(u64::from_be_bytes(bytes))
        };
        let mut keys = self.tree.scan_prefix([prefix]).keys();
        let Some(first) = keys.next().transpose()? else {
            return Ok(0);
        };
        let last = keys.next_back().transpose()?;
        let bound = match (seq(&first), last.as_deref().map(seq)) {
            (Some(first), Some(Some(last))) => last.saturating_sub(first).saturating_add(1),
            (Some(_), None) => 1,
            _ => 0,
        };
        Ok(usize::try_from(bound.min(MAX_RESERVED)).unwrap_or(0))
    }
}

fn prefixed(prefix: u8, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(rest.len() + 1);
    k.push(prefix);
    k.extend_from_slice(rest);
    k
}

/// `prefix name \0 rest`.
fn named(prefix: u8, name: &str, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(name.len() + rest.len() + 2);
    k.push(prefix);
    k.extend_from_slice(name.as_bytes());
    k.push(0);
    k.extend_from_slice(rest);
    k
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T> {
    serde_json::from_slice(bytes).with_context(|| format!("corrupt {what} record in the store"))
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

    fn sent_message(&self, community: &str, message_id: &str) -> Result<Option<SentMessage>> {
        match self
            .tree
            .get(named(SENT, community, message_id.as_bytes()))?
        {
            Some(raw) => Ok(Some(
                serde_json::from_slice(&raw).context("store: a sent message record is corrupt")?,
            )),
            None => Ok(None),
        }
    }

    fn was_handled(&self, community: &str, event_id: &str) -> Result<bool> {
        Ok(self.tree.contains_key(handled_key(community, event_id))?)
    }

    fn commit(&self, commit: Commit) -> Result<()> {
        if commit.handled.is_empty()
            && commit.review.is_empty()
            && commit.ticks.is_empty()
            && commit.actions.is_empty()
            && commit.outbox.is_empty()
            && commit.shadow.is_empty()
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
        // generator; gaps are harmless. Ticks take theirs in their place
        // among the events.
        let mut ticks = commit.ticks.into_iter().peekable();
        let log_tick = |tick: TickAt, batch: &mut sled::Batch| -> Result<()> {
            let seq = self.db.generate_id()?;
            let record = HandledTick {
                seq,
                community: tick.community,
                at_ms: tick.at_ms,
            };
            batch.insert(
                prefixed(TICKS, &seq.to_be_bytes()),
                serde_json::to_vec(&record)?,
            );
            Ok(())
        };
        for (i, event) in commit.handled.into_iter().enumerate() {
            while let Some(tick) = ticks.next_if(|t| t.after_events <= i) {
                log_tick(tick, &mut batch)?;
            }
            let seq = self.db.generate_id()?;
            batch.insert(handled_key(&event.community, &event.id), &seq.to_be_bytes());
            let record = serde_json::to_vec(&HandledEvent { seq, event })?;
            batch.insert(prefixed(EVENTS, &seq.to_be_bytes()), record);
        }
        for tick in ticks {
            log_tick(tick, &mut batch)?;
        }
        for action in &commit.actions {
            let seq = self.db.generate_id()?;
            batch.insert(
                prefixed(ACTIONS, &seq.to_be_bytes()),
                serde_json::to_vec(action)?,
            );
        }
        for record in &commit.shadow {
            let seq = self.db.generate_id()?;
            batch.insert(
                prefixed(SHADOW, &seq.to_be_bytes()),
                serde_json::to_vec(record)?,
            );
        }
        for item in &commit.review {
            batch.insert(
                prefixed(REVIEW, item.entry.key.as_bytes()),
                serde_json::to_vec(item)?,
            );
        }
        for entry in &commit.outbox {
            let seq = self.db.generate_id()?;
            batch.insert(
                named(OUTBOX, &entry.connector, &seq.to_be_bytes()),
                serde_json::to_vec(entry)?,
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

    fn ticks(&self) -> Result<Vec<HandledTick>> {
        self.read_log(TICKS, "tick")
    }

    fn rejected(&self) -> Result<Vec<RejectedInput>> {
        self.read_log(REJECTED, "rejected input")
    }

    fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }

    fn receive(&self, connector: &str, cursor: &str, events: &[Event]) -> Result<()> {
        let mut batch = sled::Batch::default();
        for item in self.tree.scan_prefix(named(INBOX, connector, b"")) {
            let (k, v) = item?;
            let event: Event = decode(&v, "inbox")?;
            if self.was_handled(&event.community, &event.id)? {
                batch.remove(k);
            }
        }
        for event in events {
            let seq = self.db.generate_id()?;
            batch.insert(
                named(INBOX, connector, &seq.to_be_bytes()),
                serde_json::to_vec(event)?,
            );
        }
        batch.insert(named(CURSORS, connector, b""), cursor.as_bytes());
        self.tree
            .apply_batch(batch)
            .context("store: receive failed")?;
        // Events are acknowledged to nobody, but the cursor must not run
        // ahead of what is on disk.
        self.db.flush()?;
        Ok(())
    }

    fn cursor(&self, connector: &str) -> Result<Option<String>> {
        Ok(self
            .tree
            .get(named(CURSORS, connector, b""))?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    fn inbox(&self, connector: &str) -> Result<Vec<Event>> {
        let mut out = Vec::new();
        for v in self.tree.scan_prefix(named(INBOX, connector, b"")).values() {
            let event: Event = decode(&v?, "inbox")?;
            if !self.was_handled(&event.community, &event.id)? {
                out.push(event);
            }
        }
        Ok(out)
    }

    fn outbox(&self, connector: &str) -> Result<Vec<(Vec<u8>, OutboxEntry)>> {
        self.tree
            .scan_prefix(named(OUTBOX, connector, b""))
            .map(|item| {
                let (k, v) = item?;
                Ok((k.to_vec(), decode(&v, "outbox")?))
            })
            .collect()
    }

    fn is_done(&self, key: &str) -> Result<bool> {
        Ok(self.tree.contains_key(prefixed(DONE, key.as_bytes()))?)
    }

    fn complete(
        &self,
        outbox_key: &[u8],
        audit: AuditRecord,
        reversal: Option<Reversal>,
    ) -> Result<()> {
        let mut batch = sled::Batch::default();
        batch.remove(outbox_key);
        let seq = self.db.generate_id()?;
        batch.insert(prefixed(DONE, audit.key.as_bytes()), &seq.to_be_bytes());
        if let Some(r) = reversal {
            batch.insert(reversal_key(&r), serde_json::to_vec(&r)?);
        }
        if let Some(id) = &audit.sent_message_id {
            let sent = SentMessage {
                plugin: audit.action.by.plugin.clone(),
                origin: audit.action.event_id.clone(),
            };
            batch.insert(
                named(SENT, &audit.action.community, id.as_bytes()),
                serde_json::to_vec(&sent)?,
            );
        }
        batch.insert(
            prefixed(AUDIT, &seq.to_be_bytes()),
            serde_json::to_vec(&audit)?,
        );
        self.tree
            .apply_batch(batch)
            .context("store: completing an action failed")?;
        self.db.flush()?;
        Ok(())
    }

    fn discard_outbox(&self, outbox_key: &[u8]) -> Result<()> {
        self.tree.remove(outbox_key)?;
        Ok(())
    }

    fn retry_later(&self, outbox_key: &[u8], entry: &OutboxEntry) -> Result<()> {
        self.tree.insert(outbox_key, serde_json::to_vec(entry)?)?;
        Ok(())
    }

    fn dead_letter(&self, outbox_key: &[u8], dead: DeadLetter) -> Result<()> {
        let mut batch = sled::Batch::default();
        batch.remove(outbox_key);
        let seq = self.db.generate_id()?;
        batch.insert(
            prefixed(DEAD, &seq.to_be_bytes()),
            serde_json::to_vec(&dead)?,
        );
        self.tree
            .apply_batch(batch)
            .context("store: dead-lettering an action failed")?;
        self.db.flush()?;
        Ok(())
    }

    fn due_reversals(&self, connector: &str, now_ms: i64) -> Result<Vec<(Vec<u8>, Reversal)>> {
        let mut out = Vec::new();
        for item in self.tree.scan_prefix([REVERSALS]) {
            let (k, v) = item?;
            let r: Reversal = decode(&v, "reversal")?;
            if r.due_ms > now_ms {
                break;
            }
            if r.connector == connector {
                out.push((k.to_vec(), r));
            }
        }
        Ok(out)
    }

    fn reversal_done(&self, reversal_key: &[u8], audit: AuditRecord) -> Result<()> {
        let mut batch = sled::Batch::default();
        batch.remove(reversal_key);
        let seq = self.db.generate_id()?;
        batch.insert(
            prefixed(AUDIT, &seq.to_be_bytes()),
            serde_json::to_vec(&audit)?,
        );
        self.tree
            .apply_batch(batch)
            .context("store: recording a reversal failed")?;
        self.db.flush()?;
        Ok(())
    }

    fn audit(&self) -> Result<Vec<AuditRecord>> {
        self.read_log(AUDIT, "audit")
    }

    fn dead_letters(&self) -> Result<Vec<DeadLetter>> {
        self.read_log(DEAD, "dead letter")
    }

    fn reversals(&self) -> Result<Vec<Reversal>> {
        self.read_log(REVERSALS, "reversal")
    }

    fn review_queue(&self) -> Result<Vec<ReviewItem>> {
        let mut items: Vec<ReviewItem> = self.read_log(REVIEW, "review")?;
        items.sort_by(|a, b| (a.queued_at_ms, &a.entry.key).cmp(&(b.queued_at_ms, &b.entry.key)));
        Ok(items)
    }

    fn decide(&self, key: &str, decision: ReviewDecision) -> Result<ReviewItem> {
        use sled::transaction::{ConflictableTransactionError, TransactionError};
        let item_key = prefixed(REVIEW, key.as_bytes());
        let audit_seq = self.db.generate_id()?;
        let outbox_seq = self.db.generate_id()?;
        let result = self.tree.transaction(|tx| {
            let abort = |e: anyhow::Error| ConflictableTransactionError::Abort(e);
            let Some(bytes) = tx.get(&item_key)? else {
                return Err(abort(anyhow::anyhow!("no review item has the key {key}")));
            };
            let mut item: ReviewItem = decode(&bytes, "review").map_err(abort)?;
            if let Some(done) = &item.decision {
                return Err(abort(anyhow::anyhow!(
                    "item {key} was already {} by {} at {}",
                    done.verdict.name(),
                    done.by,
                    crate::event::format_ms(done.at_ms)
                )));
            }
            let execute = match (&decision.verdict, item.held) {
                (Verdict::Approved, true) => Some(OutboxEntry {
                    approved_by: Some(decision.by.clone()),
                    decided_at_ms: decision.at_ms,
                    ..item.entry.clone()
                }),
                (Verdict::Replaced { action }, _) => Some(OutboxEntry {
                    key: OutboxEntry::key_for(
                        &action.community,
                        &format!("review:{key}"),
                        &action.by.plugin,
                        0,
                    ),
                    action: (**action).clone(),
                    evidence: None,
                    target_user: action
                        .action
                        .user_id()
                        .map(String::from)
                        .or_else(|| item.entry.target_user.clone()),
                    attempts: 0,
                    decided_at_ms: decision.at_ms,
                    approved_by: Some(decision.by.clone()),
                    connector: item.entry.connector.clone(),
                }),
                _ => None,
            };
            if let Some(entry) = &execute {
                let value = serde_json::to_vec(entry).map_err(|e| abort(e.into()))?;
                tx.insert(
                    named(OUTBOX, &entry.connector, &outbox_seq.to_be_bytes()),
                    value,
                )?;
            }
            let what = match &decision.verdict {
                Verdict::Approved if item.held => "approved: executed".to_string(),
                Verdict::Approved => "flag confirmed".to_string(),
                Verdict::Rejected if item.held => "rejected: not executed".to_string(),
                Verdict::Rejected => "flag overturned".to_string(),
                Verdict::Replaced { action } => format!("replaced by {}", action.action.kind()),
            };
            let audit = AuditRecord {
                executed_at_ms: decision.at_ms,
                key: format!("review:{key}"),
                connector: "review".into(),
                target_user: item.entry.target_user.clone(),
                action: item.entry.action.clone(),
                platform_reply: match &decision.note {
                    Some(note) => format!("{what} — {note}"),
                    None => what,
                },
                sent_message_id: None,
                evidence: item.entry.evidence.clone(),
                attempts: 0,
                decided_by: Some(decision.by.clone()),
            };
            let value = serde_json::to_vec(&audit).map_err(|e| abort(e.into()))?;
            tx.insert(prefixed(AUDIT, &audit_seq.to_be_bytes()), value)?;
            item.decision = Some(decision.clone());
            let value = serde_json::to_vec(&item).map_err(|e| abort(e.into()))?;
            tx.insert(item_key.as_slice(), value)?;
            Ok(item)
        });
        let item = match result {
            Ok(item) => item,
            Err(TransactionError::Abort(e)) => return Err(e),
            Err(TransactionError::Storage(e)) => {
                return Err(
                    anyhow::Error::from(e).context("store: recording a review decision failed")
                )
            }
        };
        self.db.flush()?;
        Ok(item)
    }

    fn undo_restriction(&self, key: &str, by: &str, at_ms: i64) -> Result<Reversal> {
        use crate::action::Action;
        use sled::transaction::{ConflictableTransactionError, TransactionError};
        // Transactions cannot scan: the reversal's store key (due time,
        // then the action's key) is found first, and read again inside.
        let mut pending = Vec::new();
        for k in self.tree.scan_prefix([REVERSALS]).keys() {
            let k = k?;
            if k.len() == 1 + 8 + key.len() && k.ends_with(key.as_bytes()) {
                pending.push(k.to_vec());
            }
        }
        let result = self.tree.transaction(|tx| {
            let refuse =
                |r: UndoRefused| ConflictableTransactionError::Abort(anyhow::Error::new(r));
            let abort = |e: anyhow::Error| ConflictableTransactionError::Abort(e);
            let undo_key = prefixed(UNDOS, key.as_bytes());
            if let Some(bytes) = tx.get(&undo_key)? {
                let undo: Undo = decode(&bytes, "undo").map_err(abort)?;
                return Err(refuse(UndoRefused::AlreadyUndone {
                    key: key.to_string(),
                    by: undo.by,
                    at_ms: undo.at_ms,
                }));
            }
            let Some(seq) = tx.get(prefixed(DONE, key.as_bytes()))? else {
                return Err(refuse(UndoRefused::NotFound(key.to_string())));
            };
            let Some(bytes) = tx.get(prefixed(AUDIT, &seq))? else {
                return Err(refuse(UndoRefused::NotFound(key.to_string())));
            };
            let audit: AuditRecord = decode(&bytes, "audit").map_err(abort)?;
            let (user_id, timed) = match &audit.action.action {
                Action::Timeout { user_id, .. } => (user_id.clone(), true),
                Action::Ban {
                    user_id,
                    duration_s,
                    ..
                } => (user_id.clone(), duration_s.is_some()),
                _ => return Err(refuse(UndoRefused::NotARestriction(key.to_string()))),
            };
            let mut scheduled = None;
            for k in &pending {
                if let Some(bytes) = tx.get(k.as_slice())? {
                    let r: Reversal = decode(&bytes, "reversal").map_err(abort)?;
                    if r.key == key {
                        scheduled = Some((k.clone(), r));
                    }
                }
            }
            let reversal = match scheduled {
                Some((_, r)) if r.due_ms <= at_ms => {
                    return Err(refuse(UndoRefused::BeingLifted(key.to_string())))
                }
                Some((old, r)) => {
                    tx.remove(old.as_slice())?;
                    Reversal {
                        due_ms: at_ms,
                        undone_by: Some(by.to_string()),
                        ..r
                    }
                }
                None if timed => return Err(refuse(UndoRefused::AlreadyLifted(key.to_string()))),
                None => Reversal {
                    due_ms: at_ms,
                    key: key.to_string(),
                    connector: audit.connector.clone(),
                    community: audit.action.community.clone(),
                    channel: audit.action.channel.clone(),
                    user_id,
                    reason: audit.action.action.reason().to_string(),
                    undone_by: Some(by.to_string()),
                },
            };
            let value = serde_json::to_vec(&reversal).map_err(|e| abort(e.into()))?;
            tx.insert(reversal_key(&reversal), value)?;
            let undo = Undo {
                key: key.to_string(),
                by: by.to_string(),
                at_ms,
            };
            let value = serde_json::to_vec(&undo).map_err(|e| abort(e.into()))?;
            tx.insert(undo_key, value)?;
            Ok(reversal)
        });
        let reversal = match result {
            Ok(reversal) => reversal,
            Err(TransactionError::Abort(e)) => return Err(e),
            Err(TransactionError::Storage(e)) => {
                return Err(anyhow::Error::from(e).context("store: recording an undo failed"))
            }
        };
        self.db.flush()?;
        Ok(reversal)
    }

    fn undos(&self) -> Result<BTreeMap<String, Undo>> {
        let undos: Vec<Undo> = self.read_log(UNDOS, "undo")?;
        Ok(undos.into_iter().map(|u| (u.key.clone(), u)).collect())
    }

    fn stale_reviews(&self, connector: &str, before_ms: i64) -> Result<Vec<ReviewItem>> {
        Ok(self
            .review_queue()?
            .into_iter()
            .filter(|i| {
                i.held
                    && i.decision.is_none()
                    && i.alerted_at_ms.is_none()
                    && i.entry.connector == connector
                    && i.queued_at_ms < before_ms
            })
            .collect())
    }

    fn reviews_alerted(&self, keys: &[String], alert: OutboxEntry, at_ms: i64) -> Result<()> {
        let mut batch = sled::Batch::default();
        for key in keys {
            let item_key = prefixed(REVIEW, key.as_bytes());
            if let Some(bytes) = self.tree.get(&item_key)? {
                let mut item: ReviewItem = decode(&bytes, "review")?;
                item.alerted_at_ms = Some(at_ms);
                batch.insert(item_key, serde_json::to_vec(&item)?);
            }
        }
        let seq = self.db.generate_id()?;
        batch.insert(
            named(OUTBOX, &alert.connector, &seq.to_be_bytes()),
            serde_json::to_vec(&alert)?,
        );
        self.tree
            .apply_batch(batch)
            .context("store: recording a review alert failed")?;
        Ok(())
    }

    fn shadow_log(&self) -> Result<Vec<ShadowRecord>> {
        self.read_log(SHADOW, "shadow")
    }

    fn outbox_depth(&self) -> Result<u64> {
        self.count_prefix(OUTBOX)
    }

    fn dead_letter_count(&self) -> Result<u64> {
        self.count_prefix(DEAD)
    }

    fn dead_letters_keyed(&self) -> Result<Vec<(Vec<u8>, DeadLetter)>> {
        self.tree
            .scan_prefix([DEAD])
            .map(|item| {
                let (k, v) = item?;
                Ok((k.to_vec(), decode(&v, "dead letter")?))
            })
            .collect()
    }

    fn retry_dead_letter(&self, key: &[u8]) -> Result<Option<OutboxEntry>> {
        if key.first() != Some(&DEAD) {
            return Ok(None);
        }
        let Some(raw) = self.tree.get(key)? else {
            return Ok(None);
        };
        let dead: DeadLetter = decode(&raw, "dead letter")?;
        let mut entry = dead.entry;
        entry.attempts = 0;
        let seq = self.db.generate_id()?;
        let mut batch = sled::Batch::default();
        batch.remove(key);
        batch.insert(
            named(OUTBOX, &entry.connector, &seq.to_be_bytes()),
            serde_json::to_vec(&entry)?,
        );
        self.tree
            .apply_batch(batch)
            .context("store: retrying a dead letter failed")?;
        self.db.flush()?;
        Ok(Some(entry))
    }

    fn console_get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.console.get(key.as_bytes())?.map(|v| v.to_vec()))
    }

    fn console_put(&self, key: &str, value: Option<&[u8]>) -> Result<()> {
        match value {
            Some(v) => self.console.insert(key.as_bytes(), v)?,
            None => self.console.remove(key.as_bytes())?,
        };
        self.db.flush()?;
        Ok(())
    }

    fn console_scan(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>> {
        self.console
            .scan_prefix(prefix.as_bytes())
            .map(|item| {
                let (k, v) = item?;
                Ok((String::from_utf8_lossy(&k).into_owned(), v.to_vec()))
            })
            .collect()
    }
}

impl SledStore {
    /// How many records one prefix holds (keys only, nothing decoded).
    fn count_prefix(&self, prefix: u8) -> Result<u64> {
        let mut n = 0;
        for k in self.tree.scan_prefix([prefix]).keys() {
            k?;
            n += 1;
        }
        Ok(n)
    }
}

/// Reversals sort by due time (big-endian, offset so negative times sort
/// first), then by the key of the action they reverse.
fn reversal_key(r: &Reversal) -> Vec<u8> {
    let due = (r.due_ms as u64) ^ (1 << 63);
    let mut rest = due.to_be_bytes().to_vec();
    rest.extend_from_slice(r.key.as_bytes());
    prefixed(REVERSALS, &rest)
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

    /// An executed action of `connector`, with its audit record and (for a
    /// timed restriction) the reversal delivery schedules.
    fn executed(
        store: &SledStore,
        key: &str,
        action: crate::action::Action,
        reversal_due: Option<i64>,
    ) {
        use crate::action::{DecidedAction, PluginRef};
        let decided = DecidedAction {
            event_id: Some("e1".into()),
            tick_ms: None,
            community: "acme".into(),
            channel: "!room".into(),
            by: PluginRef {
                plugin: "p".into(),
                plugin_version: "1.0.0".into(),
                plugin_hash: String::new(),
            },
            action,
        };
        let entry = OutboxEntry {
            key: key.into(),
            connector: "matrix".into(),
            action: decided.clone(),
            evidence: None,
            target_user: Some("@bob:x".into()),
            attempts: 0,
            decided_at_ms: 0,
            approved_by: None,
        };
        store
            .commit(Commit {
                outbox: vec![entry],
                ..Commit::default()
            })
            .unwrap();
        let (outbox_key, _) = store.outbox("matrix").unwrap().remove(0);
        let audit = AuditRecord {
            executed_at_ms: 1,
            key: key.into(),
            connector: "matrix".into(),
            target_user: Some("@bob:x".into()),
            action: decided,
            platform_reply: "ok".into(),
            sent_message_id: None,
            evidence: None,
            attempts: 1,
            decided_by: None,
        };
        let reversal = reversal_due.map(|due_ms| Reversal {
            due_ms,
            key: key.into(),
            connector: "matrix".into(),
            community: "acme".into(),
            channel: "!room".into(),
            user_id: "@bob:x".into(),
            reason: "r".into(),
            undone_by: None,
        });
        store.complete(&outbox_key, audit, reversal).unwrap();
    }

    fn refusal(e: anyhow::Error) -> UndoRefused {
        e.downcast::<UndoRefused>().expect("a refusal")
    }

    #[test]
    fn an_undo_makes_one_reversal_due_now_once() {
        use crate::action::Action;
        let store = SledStore::temporary().unwrap();
        let ban = Action::Ban {
            user_id: "@bob:x".into(),
            duration_s: None,
            reason: "spam".into(),
        };
        executed(&store, "ban", ban, None);
        assert!(store.reversals().unwrap().is_empty());
        let r = store.undo_restriction("ban", "mo", 5_000).unwrap();
        assert_eq!((r.due_ms, r.undone_by.as_deref()), (5_000, Some("mo")));
        assert_eq!(store.due_reversals("matrix", 5_000).unwrap().len(), 1);
        let again = refusal(store.undo_restriction("ban", "ann", 6_000).unwrap_err());
        assert!(
            matches!(again, UndoRefused::AlreadyUndone { ref by, .. } if by == "mo"),
            "{again}"
        );
        assert_eq!(store.reversals().unwrap().len(), 1, "reversed twice");
        // Carried out: still undone once.
        let (key, _) = store.due_reversals("matrix", 5_000).unwrap().remove(0);
        let lift = store.audit().unwrap().remove(0);
        store.reversal_done(&key, lift).unwrap();
        assert!(store.undo_restriction("ban", "mo", 7_000).is_err());
        assert!(store.reversals().unwrap().is_empty());
        assert_eq!(store.undos().unwrap()["ban"].by, "mo");

        // A timeout: its scheduled lifting is moved to now, not doubled.
        let timeout = Action::Timeout {
            user_id: "@bob:x".into(),
            duration_s: 3600,
            reason: "flood".into(),
        };
        executed(&store, "timeout", timeout.clone(), Some(3_600_000));
        let r = store.undo_restriction("timeout", "mo", 10_000).unwrap();
        assert_eq!(r.due_ms, 10_000);
        let pending = store.reversals().unwrap();
        assert_eq!(pending.len(), 1, "{pending:?}");
        assert_eq!(pending[0].undone_by.as_deref(), Some("mo"));
        // A timeout lifted when its time was up cannot be undone.
        executed(&store, "expired", timeout, Some(20_000));
        let (key, _) = store
            .due_reversals("matrix", 20_000)
            .unwrap()
            .into_iter()
            .find(|(_, r)| r.key == "expired")
            .unwrap();
        let lift = store.audit().unwrap().remove(0);
        store.reversal_done(&key, lift).unwrap();
        assert_eq!(
            refusal(store.undo_restriction("expired", "mo", 30_000).unwrap_err()),
            UndoRefused::AlreadyLifted("expired".into())
        );
        // Nothing to undo in a post, or in an unknown key.
        assert!(matches!(
            refusal(store.undo_restriction("nope", "mo", 1).unwrap_err()),
            UndoRefused::NotFound(_)
        ));
    }
}
