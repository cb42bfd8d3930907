//! Connectors: one module per platform, each both a source of events and
//! the executor of actions on that platform, behind one [`Connector`]
//! interface (connect, stream events, execute one action, report the rate
//! limit state). Adding a platform is one new module and one variant of
//! [`ConnectorConfig`].
//!
//! What the host does around a connector, the connector does not repeat:
//! the inbox and cursor ([`ConnectorSource`] saves both atomically before an
//! event goes anywhere), the outbox, retries with back-off, rate limits,
//! the audit log and dead letters ([`crate::delivery`]).

pub mod feed;
pub mod irc;
pub mod matrix;
pub mod webhook;

use crate::action::DecidedAction;
use crate::event::Event;
use crate::source::{Source, SourceItem};
use crate::store::{Reversal, Store};
use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::fmt;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// `[[connectors]]` in `vigie.toml`: one entry per platform account.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ConnectorConfig {
    Matrix(matrix::MatrixConfig),
    Irc(irc::IrcConfig),
    Webhook(webhook::WebhookConfig),
    Feed(feed::FeedConfig),
}

impl ConnectorConfig {
    /// The connector's name (`name = …`, or its type).
    pub fn name(&self) -> &str {
        match self {
            ConnectorConfig::Matrix(c) => c.name.as_deref().unwrap_or("matrix"),
            ConnectorConfig::Irc(c) => c.name.as_deref().unwrap_or("irc"),
            ConnectorConfig::Webhook(c) => c.name.as_deref().unwrap_or("webhook"),
            ConnectorConfig::Feed(c) => c.connector_name(),
        }
    }

    /// The community whose events it brings and whose actions it executes.
    pub fn community(&self) -> &str {
        match self {
            ConnectorConfig::Matrix(c) => &c.community,
            ConnectorConfig::Irc(c) => &c.community,
            ConnectorConfig::Webhook(c) => &c.community,
            ConnectorConfig::Feed(c) => &c.community,
        }
    }

    pub fn rate(&self) -> RateConfig {
        match self {
            ConnectorConfig::Matrix(c) => c.rate.clone(),
            ConnectorConfig::Irc(c) => c.rate.clone(),
            ConnectorConfig::Webhook(c) => c.rate.clone(),
            ConnectorConfig::Feed(c) => c.rate.clone(),
        }
    }

    /// Builds the connector, resolving its credentials (relative `file:`
    /// paths against `base_dir`).
    pub fn build(&self, base_dir: &Path) -> Result<Arc<dyn Connector>> {
        Ok(match self {
            ConnectorConfig::Matrix(c) => Arc::new(matrix::Matrix::new(c.clone(), base_dir)?),
            ConnectorConfig::Irc(c) => Arc::new(irc::Irc::new(c.clone(), base_dir)?),
            ConnectorConfig::Webhook(c) => Arc::new(webhook::Webhook::new(c.clone(), base_dir)?),
            ConnectorConfig::Feed(c) => Arc::new(feed::FeedConnector::new(c.clone(), base_dir)?),
        })
    }
}

/// Rate limits the host keeps on its own side for one connector: a token
/// bucket for the whole account and one per channel (room). The platform's
/// own limits (HTTP 429) are honoured on top of these.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RateConfig {
    /// Sustained actions per second, whole account.
    pub per_second: f64,
    /// Actions allowed in a burst, whole account.
    pub burst: u32,
    /// Sustained actions per second in one channel.
    pub channel_per_second: f64,
    /// Burst in one channel.
    pub channel_burst: u32,
}

impl Default for RateConfig {
    fn default() -> Self {
        RateConfig {
            per_second: 5.0,
            burst: 10,
            channel_per_second: 2.0,
            channel_burst: 5,
        }
    }
}

/// A credential named in the config: `env:NAME` (an environment variable)
/// or `file:PATH` (a file holding it; surrounding whitespace is trimmed).
/// Never a literal, so configs can be shared; never printed.
#[derive(Clone)]
pub struct Credential(String);

impl Credential {
    pub fn resolve(reference: &str, base_dir: &Path, what: &str) -> Result<Credential> {
        let value = if let Some(var) = reference.strip_prefix("env:") {
            std::env::var(var).with_context(|| {
                format!("{what}: environment variable {var} is not set (or not UTF-8)")
            })?
        } else if let Some(path) = reference.strip_prefix("file:") {
            let path = base_dir.join(path);
            std::fs::read_to_string(&path)
                .with_context(|| format!("{what}: cannot read {}", path.display()))?
                .trim()
                .to_string()
        } else {
            bail!(
                "{what}: give the secret as `env:VARIABLE` or `file:PATH`, never inline \
                 (configs get shared; secrets must not)"
            )
        };
        if value.is_empty() {
            bail!(
                "{what}: the secret ({}) is empty",
                Self::describe(reference)
            );
        }
        Ok(Credential(value))
    }

    fn describe(reference: &str) -> &str {
        reference.split(':').next().unwrap_or("?")
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credential(***)")
    }
}

/// How an action went.
#[derive(Debug)]
pub enum DeliveryError {
    /// Try again later: rate limited (with the platform's delay when it
    /// gave one), server error, timeout, dropped connection.
    Retry {
        after: Option<Duration>,
        error: String,
    },
    /// Will never work as asked (e.g. the bot lacks the right): dead letter.
    Permanent(String),
}

impl DeliveryError {
    /// The same error, its message prefixed with what was being done.
    pub fn context(self, what: impl fmt::Display) -> DeliveryError {
        match self {
            DeliveryError::Retry { after, error } => DeliveryError::Retry {
                after,
                error: format!("{what}: {error}"),
            },
            DeliveryError::Permanent(e) => DeliveryError::Permanent(format!("{what}: {e}")),
        }
    }
}

impl fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeliveryError::Retry { after, error } => match after {
                Some(d) => write!(f, "{error} (retry after {} ms)", d.as_millis()),
                None => write!(f, "{error} (will retry)"),
            },
            DeliveryError::Permanent(e) => write!(f, "{e}"),
        }
    }
}

/// What the platform answered to an executed action, for the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct Executed {
    pub platform_reply: String,
    /// When the action restricts a user for a time, the reversal to
    /// schedule (`None` when the platform lifts it by itself).
    pub reversal_due_ms: Option<i64>,
    /// The platform's id of the message the action created (a post, a
    /// reply, a direct message), where the platform has message ids: the
    /// host remembers which plugin sent it, so that a reaction or a reply
    /// to it reaches the chain labelled `vigie.sent-by` / `vigie.sent-for`.
    pub sent_message_id: Option<String>,
}

/// The platform's own view of its limits, when it has told us.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RateState {
    /// The platform asked us to wait until then (ms since the epoch).
    pub blocked_until_ms: Option<i64>,
    /// HTTP 429s (or the platform's equivalent) seen so far.
    pub rate_limited: u64,
}

/// One platform account.
pub trait Connector: Send + Sync + 'static {
    fn name(&self) -> &str;
    fn community(&self) -> &str;

    /// Connects and streams events to `sink` until `shutdown` turns true;
    /// resumes from `cursor` (what it handed to `sink` last time).
    fn stream(
        self: Arc<Self>,
        cursor: Option<String>,
        sink: EventSink,
        shutdown: watch::Receiver<bool>,
    ) -> BoxFuture<'static, Result<()>>;

    /// Carries out one action. `key` is its idempotency key: where the
    /// platform deduplicates requests (Matrix transaction ids), use it, so
    /// repeating a delivery after a crash has no second effect.
    fn execute<'a>(
        &'a self,
        action: &'a DecidedAction,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Executed, DeliveryError>>;

    /// Whether [`Connector::reverse`] lifts a restriction on the platform
    /// (Matrix, IRC): the console offers to undo an executed timeout or
    /// ban only then. A connector whose receiver lifts restrictions by
    /// itself (webhook), or that acts on nothing (feed), cannot.
    fn reversible(&self) -> bool {
        false
    }

    /// Lifts a timeout or temporary ban.
    fn reverse<'a>(
        &'a self,
        reversal: &'a Reversal,
    ) -> BoxFuture<'a, Result<String, DeliveryError>>;

    fn rate_state(&self) -> RateState;

    /// A connector that only brings events (the feed connector) carries
    /// out no action: the host gives it no outbox, and the community's
    /// actions go to its other connectors.
    fn read_only(&self) -> bool {
        false
    }
}

/// Which connectors of a host have connected: says once when all have.
pub struct Readiness {
    expected: usize,
    connected: std::sync::Mutex<std::collections::BTreeSet<String>>,
}

impl Readiness {
    pub fn new(expected: usize) -> Readiness {
        Readiness {
            expected,
            connected: Default::default(),
        }
    }

    fn connected(&self, connector: &str) {
        let mut connected = self.connected.lock().unwrap_or_else(|p| p.into_inner());
        if connected.insert(connector.to_string()) && connected.len() == self.expected {
            tracing::info!(
                "connected to every platform ({}): running until stopped (Ctrl-C or SIGTERM)",
                connected.iter().cloned().collect::<Vec<_>>().join(", ")
            );
        }
    }
}

/// Where a connector hands what it received: the store first (inbox and
/// cursor, atomically), then the router.
#[derive(Clone)]
pub struct EventSink {
    connector: String,
    store: Arc<dyn Store>,
    tx: mpsc::Sender<SourceItem>,
    ready: Option<Arc<Readiness>>,
}

impl EventSink {
    /// A sink for connector `connector`: events go to `store` (inbox and
    /// cursor), then to `tx`. The host builds its own in
    /// [`ConnectorSource`]; this is for driving a connector directly
    /// (tests, tools).
    pub fn new(
        connector: impl Into<String>,
        store: Arc<dyn Store>,
        tx: mpsc::Sender<SourceItem>,
    ) -> EventSink {
        EventSink {
            connector: connector.into(),
            store,
            tx,
            ready: None,
        }
    }

    /// The connector is connected and listening; `report` says how (the
    /// account, the rooms or channels, the rights it has there). Logged;
    /// once every connector of the host has said so, the host says it runs.
    pub fn connected(&self, report: &str) {
        tracing::info!(connector = self.connector, "{report}");
        if let Some(ready) = &self.ready {
            ready.connected(&self.connector);
        }
    }

    /// Saves the events and the cursor that follows them, then passes the
    /// events on. Returns false when the host is shutting down.
    pub async fn deliver(&self, cursor: &str, events: Vec<Event>) -> Result<bool> {
        let store = self.store.clone();
        let connector = self.connector.clone();
        let cursor = cursor.to_string();
        let saved = events.clone();
        tokio::task::spawn_blocking(move || store.receive(&connector, &cursor, &saved))
            .await
            .context("store task failed")??;
        for event in events {
            if self
                .tx
                .send(SourceItem::Event(Box::new(event)))
                .await
                .is_err()
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Something the platform sent that is not a usable event: recorded.
    pub async fn reject(&self, what: &str, content: String) {
        let _ = self
            .tx
            .send(SourceItem::Rejected(crate::store::RejectedInput {
                source: self.connector.clone(),
                line: 0,
                error: what.to_string(),
                content,
            }))
            .await;
    }
}

/// A connector as a [`Source`]: replays the inbox (events received before
/// a crash and not handled yet), then streams from the saved cursor.
pub struct ConnectorSource {
    pub connector: Arc<dyn Connector>,
    pub store: Arc<dyn Store>,
    pub shutdown: watch::Receiver<bool>,
    pub ready: Option<Arc<Readiness>>,
}

impl Source for ConnectorSource {
    fn name(&self) -> String {
        self.connector.name().to_string()
    }

    fn spawn(self: Box<Self>, tx: mpsc::Sender<SourceItem>) -> JoinHandle<Result<()>> {
        tokio::spawn(async move {
            let name = self.connector.name().to_string();
            let store = self.store.clone();
            let n = name.clone();
            let (cursor, pending) = tokio::task::spawn_blocking(move || {
                Ok::<_, anyhow::Error>((store.cursor(&n)?, store.inbox(&n)?))
            })
            .await
            .context("store task failed")??;
            if !pending.is_empty() {
                tracing::info!(
                    connector = name,
                    "{} event(s) received before a restart and not handled yet: handling them first",
                    pending.len()
                );
            }
            for event in pending {
                if tx.send(SourceItem::Event(Box::new(event))).await.is_err() {
                    return Ok(());
                }
            }
            let sink = EventSink {
                connector: name.clone(),
                store: self.store.clone(),
                tx,
                ready: self.ready.clone(),
            };
            self.connector
                .clone()
                .stream(cursor, sink, self.shutdown.clone())
                .await
                .with_context(|| format!("connector `{name}`"))
        })
    }
}

/// Wall-clock milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
