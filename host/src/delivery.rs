//! Delivery: takes decided actions from the outbox and has each platform
//! carry them out, once. One task per connector; within it, each channel
//! (room) keeps its order, and a channel that is rate-limited or failing
//! waits without holding up the others.
//!
//! - **Exactly once**: an entry leaves the outbox only in the same atomic
//!   step that writes its audit record and its done mark; the connector
//!   gets the entry's idempotency key for the platform's own deduplication
//!   (Matrix transaction ids), so a crash between "sent" and "marked done"
//!   repeats the request without repeating its effect.
//! - **Rate limits**: a token bucket for the account and one per channel,
//!   from the connector's `rate` settings; the platform's 429 and its delay
//!   (Retry-After, Matrix `retry_after_ms`) on top.
//! - **Failures**: transient ones are retried with exponential back-off
//!   and jitter, up to `max_attempts`; permanent ones (the bot lacks the
//!   right…) go to the dead letters with the error. Nothing is dropped.
//! - **Reversals**: lifting a timeout or a temporary ban is stored when the
//!   restriction is executed and carried out when due, across restarts. A
//!   moderator's undo from the console ([`Store::undo_restriction`]) makes
//!   one due at once, carried out the same way (once) and audited with his
//!   name.
//! - **Host-made posts**: the alert about held actions waiting too long,
//!   and the weekly digest ([`crate::reports::weekly`]), enter the outbox
//!   here with a fixed idempotency key and go out like any action.

use crate::connector::{now_ms, Connector, DeliveryError, RateConfig};
use crate::store::{AuditRecord, DeadLetter, OutboxEntry, Store};
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify};

/// Give up on an action (dead letter) after this many failed attempts.
pub const MAX_ATTEMPTS: u32 = 25;
/// How often delivery looks for held actions waiting too long.
const REVIEW_CHECK_EVERY: Duration = Duration::from_secs(30);
/// How many waiting actions one alert names.
const REVIEW_ALERT_NAMES: usize = 5;
/// How long one platform request may take before it counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How often delivery looks for a weekly digest that is due.
const DIGEST_CHECK_EVERY: Duration = Duration::from_secs(60);

/// The outbox worker of one connector.
pub struct Delivery {
    connector: Arc<dyn Connector>,
    store: Arc<dyn Store>,
    rate: RateConfig,
    wake: Arc<Notify>,
    stats: Option<Arc<crate::stats::Stats>>,
    review_alert_after: Duration,
    digests: Vec<crate::reports::weekly::WeeklyDigest>,
}

/// Per-channel waiting state.
#[derive(Default)]
struct ChannelState {
    blocked_until: Option<Instant>,
    bucket: Option<TokenBucket>,
    failures: u32,
}

impl Delivery {
    pub fn new(connector: Arc<dyn Connector>, store: Arc<dyn Store>, rate: RateConfig) -> Self {
        Delivery {
            connector,
            store,
            rate,
            wake: Arc::new(Notify::new()),
            stats: None,
            review_alert_after: Duration::from_secs(3600),
            digests: Vec::new(),
        }
    }

    /// The weekly digests this connector posts.
    pub fn with_digests(mut self, digests: Vec<crate::reports::weekly::WeeklyDigest>) -> Self {
        self.digests = digests;
        self
    }

    /// Held actions undecided for this long alert the staff (once each).
    pub fn with_review_alert_after(mut self, after: Duration) -> Self {
        self.review_alert_after = after;
        self
    }

    /// Counts the run's dead letters in `stats` (for the summary).
    pub fn with_stats(mut self, stats: Arc<crate::stats::Stats>) -> Self {
        self.stats = Some(stats);
        self
    }

    /// Notified when new entries are committed, so delivery starts at once.
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Delivers until `shutdown` turns true. With `drain`, it then goes on
    /// until the outbox is empty or `grace` has passed (runs over a file of
    /// events); without, it stops at once (entries stay for the next start).
    pub async fn run(
        self,
        mut shutdown: watch::Receiver<bool>,
        drain: bool,
        grace: Duration,
    ) -> Result<()> {
        let name = self.connector.name().to_string();
        let mut account = TokenBucket::new(self.rate.per_second, self.rate.burst);
        let mut channels: HashMap<String, ChannelState> = HashMap::new();
        let mut stop_by: Option<Instant> = None;
        let mut next_review_check = Instant::now();
        let mut next_digest_check = Instant::now();
        // Digests queued or found empty by this run: (digest, week).
        let mut digests_settled = std::collections::HashSet::new();
        loop {
            if stop_by.is_none() && *shutdown.borrow() {
                if !drain {
                    return Ok(());
                }
                stop_by = Some(Instant::now() + grace);
                // The input has ended: its events are in the logs now.
                next_digest_check = Instant::now();
            }
            if !self.digests.is_empty() && Instant::now() >= next_digest_check {
                next_digest_check = Instant::now() + DIGEST_CHECK_EVERY;
                if let Err(e) = self.post_due_digests(&name, &mut digests_settled).await {
                    tracing::warn!(connector = name, "weekly digest: {e:#}; will try again");
                }
            }
            self.reverse_due(&name).await?;
            if Instant::now() >= next_review_check {
                next_review_check = Instant::now() + REVIEW_CHECK_EVERY;
                self.alert_stale_reviews(&name).await?;
            }
            let store = self.store.clone();
            let n = name.clone();
            let pending = tokio::task::spawn_blocking(move || store.outbox(&n))
                .await
                .context("store task failed")??;
            if pending.is_empty() && stop_by.is_some() {
                return Ok(());
            }
            if let Some(deadline) = stop_by {
                if Instant::now() >= deadline {
                    tracing::warn!(
                        connector = name,
                        "{} action(s) still pending at shutdown; they stay in the outbox for the next start",
                        pending.len()
                    );
                    return Ok(());
                }
            }
            // The head of each channel's queue, in outbox order.
            let mut heads: Vec<(Vec<u8>, OutboxEntry)> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for (key, entry) in pending {
                if seen.insert(entry.action.channel.clone()) {
                    heads.push((key, entry));
                }
            }
            let mut next_wake = Instant::now() + Duration::from_secs(1);
            let mut progressed = false;
            for (key, entry) in heads {
                let now = Instant::now();
                let channel = channels.entry(entry.action.channel.clone()).or_default();
                if let Some(until) = channel.blocked_until {
                    if until > now {
                        next_wake = next_wake.min(until);
                        continue;
                    }
                }
                let bucket = channel.bucket.get_or_insert_with(|| {
                    TokenBucket::new(self.rate.channel_per_second, self.rate.channel_burst)
                });
                if let Some(wait) = bucket.wait_time().max(account.wait_time()) {
                    next_wake = next_wake.min(now + wait);
                    continue;
                }
                bucket.take();
                account.take();
                progressed |= self.deliver(&name, key, entry, channel).await?;
            }
            if progressed {
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep_until(next_wake.into()) => {}
                _ = self.wake.notified() => {}
                _ = shutdown.changed(), if stop_by.is_none() => {}
            }
        }
    }

    /// One attempt at one entry; true when it left the outbox.
    async fn deliver(
        &self,
        name: &str,
        key: Vec<u8>,
        mut entry: OutboxEntry,
        channel: &mut ChannelState,
    ) -> Result<bool> {
        let store = self.store.clone();
        let idem = entry.key.clone();
        if tokio::task::spawn_blocking(move || store.is_done(&idem))
            .await
            .context("store task failed")??
        {
            // Decided again after a restart, already carried out: only
            // the outbox entry is left to remove.
            let store = self.store.clone();
            tokio::task::spawn_blocking(move || store.discard_outbox(&key))
                .await
                .context("store task failed")??;
            return Ok(true);
        }
        let result = tokio::time::timeout(
            REQUEST_TIMEOUT,
            self.connector.execute(&entry.action, &entry.key),
        )
        .await
        .unwrap_or_else(|_| {
            Err(DeliveryError::Retry {
                after: None,
                error: format!("no answer within {}s", REQUEST_TIMEOUT.as_secs()),
            })
        });
        let store = self.store.clone();
        match result {
            Ok(executed) => {
                channel.failures = 0;
                channel.blocked_until = None;
                let reversal = executed
                    .reversal_due_ms
                    .and_then(|due| reversal_for(&entry, due));
                let audit = AuditRecord {
                    executed_at_ms: now_ms(),
                    key: entry.key.clone(),
                    connector: name.to_string(),
                    target_user: entry.target_user.clone(),
                    platform_reply: executed.platform_reply,
                    sent_message_id: executed.sent_message_id,
                    evidence: entry.evidence.clone(),
                    attempts: entry.attempts + 1,
                    decided_by: entry.approved_by.clone(),
                    action: entry.action,
                };
                tracing::info!(
                    connector = name,
                    channel = audit.action.channel,
                    "executed {}",
                    audit.action.one_line()
                );
                tokio::task::spawn_blocking(move || store.complete(&key, audit, reversal))
                    .await
                    .context("store task failed")??;
                Ok(true)
            }
            Err(DeliveryError::Retry { after, error }) if entry.attempts + 1 < MAX_ATTEMPTS => {
                entry.attempts += 1;
                channel.failures += 1;
                let wait = after.unwrap_or_else(|| backoff(channel.failures));
                tracing::warn!(
                    connector = name,
                    channel = entry.action.channel,
                    attempt = entry.attempts,
                    "{} failed: {error}; retrying in {wait:?}",
                    entry.action.action.kind()
                );
                channel.blocked_until = Some(Instant::now() + wait);
                tokio::task::spawn_blocking(move || store.retry_later(&key, &entry))
                    .await
                    .context("store task failed")??;
                Ok(false)
            }
            Err(e) => {
                let error = match e {
                    DeliveryError::Retry { error, .. } => {
                        format!("gave up after {MAX_ATTEMPTS} attempts: {error}")
                    }
                    DeliveryError::Permanent(error) => error,
                };
                tracing::error!(
                    connector = name,
                    channel = entry.action.channel,
                    "{} failed for good: {error} (kept in the dead letters: `vigie dead-letters`)",
                    entry.action.one_line()
                );
                entry.attempts += 1;
                let dead = DeadLetter {
                    failed_at_ms: now_ms(),
                    error,
                    entry,
                };
                tokio::task::spawn_blocking(move || store.dead_letter(&key, dead))
                    .await
                    .context("store task failed")??;
                if let Some(stats) = &self.stats {
                    stats.update(|s| s.dead_letters += 1);
                }
                Ok(true)
            }
        }
    }

    /// Carries out the reversals that are due.
    /// Held actions undecided for longer than `review_alert_after`: one
    /// alert to the staff per community naming them, sent like any action
    /// (once), and each item marked so it is not named again. Nothing waits
    /// unseen.
    async fn alert_stale_reviews(&self, name: &str) -> Result<()> {
        let store = self.store.clone();
        let n = name.to_string();
        let before = now_ms() - self.review_alert_after.as_millis() as i64;
        let stale = tokio::task::spawn_blocking(move || store.stale_reviews(&n, before))
            .await
            .context("store task failed")??;
        let mut by_community: std::collections::BTreeMap<String, Vec<crate::store::ReviewItem>> =
            Default::default();
        for item in stale {
            by_community
                .entry(item.entry.action.community.clone())
                .or_default()
                .push(item);
        }
        for (community, items) in by_community {
            let now = now_ms();
            let minutes = self.review_alert_after.as_secs() / 60;
            let mut message = format!(
                "{} action(s) held for review have waited more than {minutes} min: ",
                items.len()
            );
            let named: Vec<String> = items
                .iter()
                .take(REVIEW_ALERT_NAMES)
                .map(|i| {
                    format!(
                        "{} ({}, key {})",
                        i.entry.action.one_line(),
                        crate::event::format_ms(i.queued_at_ms),
                        &i.entry.key[..12.min(i.entry.key.len())]
                    )
                })
                .collect();
            message.push_str(&named.join("; "));
            if items.len() > REVIEW_ALERT_NAMES {
                message.push_str(&format!("; and {} more", items.len() - REVIEW_ALERT_NAMES));
            }
            message.push_str(" — `vigie review` lists them.");
            let first = &items[0].entry;
            let alert = OutboxEntry {
                key: OutboxEntry::key_for(&community, &format!("review-alert@{now}"), "vigie", 0),
                connector: name.to_string(),
                action: crate::action::DecidedAction {
                    event_id: None,
                    tick_ms: None,
                    community: community.clone(),
                    channel: first.action.channel.clone(),
                    by: crate::action::PluginRef {
                        plugin: "vigie".into(),
                        plugin_version: env!("CARGO_PKG_VERSION").into(),
                        plugin_hash: String::new(),
                    },
                    action: crate::action::Action::Alert {
                        severity: crate::action::Severity::Warning,
                        message,
                        reason: "review queue: held actions waiting".into(),
                    },
                },
                evidence: None,
                target_user: None,
                attempts: 0,
                decided_at_ms: now,
                approved_by: None,
            };
            let keys: Vec<String> = items.iter().map(|i| i.entry.key.clone()).collect();
            tracing::warn!(
                connector = name,
                community,
                "{} held action(s) waiting for review longer than {minutes} min: staff alerted",
                keys.len()
            );
            let store = self.store.clone();
            tokio::task::spawn_blocking(move || store.reviews_alerted(&keys, alert, now))
                .await
                .context("store task failed")??;
        }
        Ok(())
    }

    /// Queues each weekly digest that is due and not queued yet (its key
    /// is fixed by the community and the week, so a restart cannot queue
    /// it twice, and delivery executes it once). A week without events
    /// posts nothing.
    async fn post_due_digests(
        &self,
        name: &str,
        settled: &mut std::collections::HashSet<(usize, String)>,
    ) -> Result<()> {
        let community = self.connector.community().to_string();
        for (i, digest) in self.digests.iter().enumerate() {
            let week = digest.due_week(now_ms())?;
            if settled.contains(&(i, week.clone())) {
                continue;
            }
            let origin = format!("weekly-digest@{week}@{}", digest.channel);
            let key = OutboxEntry::key_for(&community, &origin, "vigie", 0);
            let store = self.store.clone();
            let (n, c, d, w) = (
                name.to_string(),
                community.clone(),
                digest.clone(),
                week.clone(),
            );
            let queued = tokio::task::spawn_blocking(move || -> Result<Option<bool>> {
                if store.is_done(&key)? || store.outbox(&n)?.iter().any(|(_, e)| e.key == key) {
                    return Ok(Some(false));
                }
                let logs = crate::reports::OwnedLogs::read(store.as_ref())?;
                let Some(text) = d.message(&logs.logs(), &c, &w)? else {
                    return Ok(None);
                };
                let now = now_ms();
                store.enqueue(OutboxEntry {
                    key,
                    connector: n,
                    action: crate::action::DecidedAction {
                        event_id: None,
                        tick_ms: None,
                        community: c,
                        channel: d.channel.clone(),
                        by: crate::action::PluginRef {
                            plugin: "vigie".into(),
                            plugin_version: env!("CARGO_PKG_VERSION").into(),
                            plugin_hash: String::new(),
                        },
                        action: crate::action::Action::Post {
                            text,
                            reason: format!("weekly digest {w}"),
                        },
                    },
                    evidence: None,
                    target_user: None,
                    attempts: 0,
                    decided_at_ms: now,
                    approved_by: None,
                })?;
                Ok(Some(true))
            })
            .await
            .context("store task failed")??;
            match queued {
                Some(true) => {
                    tracing::info!(
                        connector = name,
                        community,
                        week,
                        channel = digest.channel,
                        "weekly digest queued"
                    );
                    self.wake.notify_one();
                }
                Some(false) => {}
                None => tracing::info!(
                    connector = name,
                    community,
                    week,
                    "no event that week: no weekly digest"
                ),
            }
            settled.insert((i, week));
        }
        Ok(())
    }

    async fn reverse_due(&self, name: &str) -> Result<()> {
        let store = self.store.clone();
        let n = name.to_string();
        let due = tokio::task::spawn_blocking(move || store.due_reversals(&n, now_ms()))
            .await
            .context("store task failed")??;
        for (key, reversal) in due {
            let reply = match self.connector.reverse(&reversal).await {
                Ok(reply) => reply,
                Err(DeliveryError::Retry { error, .. }) => {
                    tracing::warn!(
                        connector = name,
                        "lifting a restriction failed: {error}; will retry"
                    );
                    continue;
                }
                Err(DeliveryError::Permanent(error)) => format!("failed: {error}"),
            };
            let audit = AuditRecord {
                executed_at_ms: now_ms(),
                key: format!("{}:lift", reversal.key),
                connector: name.to_string(),
                target_user: Some(reversal.user_id.clone()),
                action: crate::action::DecidedAction {
                    event_id: None,
                    tick_ms: None,
                    community: reversal.community.clone(),
                    channel: reversal.channel.clone(),
                    by: crate::action::PluginRef {
                        plugin: "vigie".into(),
                        plugin_version: env!("CARGO_PKG_VERSION").into(),
                        plugin_hash: String::new(),
                    },
                    action: crate::action::Action::Post {
                        text: format!("lifted the restriction on {}", reversal.user_id),
                        reason: match &reversal.undone_by {
                            Some(by) => format!("undone by {by}: {}", reversal.reason),
                            None => format!("scheduled reversal of: {}", reversal.reason),
                        },
                    },
                },
                platform_reply: reply,
                sent_message_id: None,
                evidence: None,
                attempts: 1,
                // A moderator's undo names him, as his review decisions do.
                decided_by: reversal.undone_by.clone(),
            };
            let store = self.store.clone();
            tokio::task::spawn_blocking(move || store.reversal_done(&key, audit))
                .await
                .context("store task failed")??;
        }
        Ok(())
    }
}

fn reversal_for(entry: &OutboxEntry, due_ms: i64) -> Option<crate::store::Reversal> {
    use crate::action::Action;
    let user = match &entry.action.action {
        Action::Timeout { user_id, .. } | Action::Ban { user_id, .. } => user_id.clone(),
        _ => return None,
    };
    Some(crate::store::Reversal {
        due_ms,
        key: entry.key.clone(),
        connector: entry.connector.clone(),
        community: entry.action.community.clone(),
        channel: entry.action.channel.clone(),
        user_id: user,
        reason: entry.action.action.reason().to_string(),
        undone_by: None,
    })
}

/// Exponential back-off with jitter: about 0.5 s, 1 s, 2 s… up to 60 s.
fn backoff(failures: u32) -> Duration {
    use rand::Rng;
    let base = 500u64
        .saturating_mul(1u64 << failures.saturating_sub(1).min(7))
        .min(60_000);
    let jitter = rand::thread_rng().gen_range(0..=base / 2);
    Duration::from_millis(base / 2 + jitter)
}

/// Allows `rate` actions per second on average and `burst` at once.
#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    pub fn new(rate: f64, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        TokenBucket {
            rate: rate.max(0.001),
            burst,
            tokens: burst,
            last: Instant::now(),
        }
    }

    fn refill(&mut self) {
        let now = Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate).min(self.burst);
        self.last = now;
    }

    /// How long until a token is available (`None`: now).
    pub fn wait_time(&mut self) -> Option<Duration> {
        self.refill();
        if self.tokens >= 1.0 {
            None
        } else {
            Some(Duration::from_secs_f64((1.0 - self.tokens) / self.rate))
        }
    }

    pub fn take(&mut self) {
        self.refill();
        self.tokens -= 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::{Action, DecidedAction, PluginRef};
    use crate::connector::{BoxFuture, EventSink, Executed, RateState};
    use crate::store::{Commit, Reversal, SledStore};
    use std::sync::Mutex;

    /// A platform whose channel `slow` answers 429 (wait 60 s) and whose
    /// channel `denied` answers 403; the others succeed.
    #[derive(Default)]
    struct Scripted {
        executed: Mutex<Vec<String>>,
    }

    impl Connector for Scripted {
        fn name(&self) -> &str {
            "scripted"
        }
        fn community(&self) -> &str {
            "acme"
        }
        fn stream(
            self: Arc<Self>,
            _: Option<String>,
            _: EventSink,
            _: watch::Receiver<bool>,
        ) -> BoxFuture<'static, Result<()>> {
            Box::pin(async { Ok(()) })
        }
        fn execute<'a>(
            &'a self,
            action: &'a DecidedAction,
            key: &'a str,
        ) -> BoxFuture<'a, Result<Executed, DeliveryError>> {
            Box::pin(async move {
                match action.channel.as_str() {
                    "slow" => Err(DeliveryError::Retry {
                        after: Some(Duration::from_secs(60)),
                        error: "HTTP 429".into(),
                    }),
                    "denied" => Err(DeliveryError::Permanent("HTTP 403 M_FORBIDDEN".into())),
                    _ => {
                        self.executed.lock().unwrap().push(key.to_string());
                        Ok(Executed {
                            platform_reply: "ok".into(),
                            reversal_due_ms: None,
                            sent_message_id: Some(format!("${key}")),
                        })
                    }
                }
            })
        }
        fn reverse<'a>(&'a self, _: &'a Reversal) -> BoxFuture<'a, Result<String, DeliveryError>> {
            Box::pin(async { Ok("lifted".into()) })
        }
        fn rate_state(&self) -> RateState {
            RateState::default()
        }
    }

    fn entry(key: &str, channel: &str) -> OutboxEntry {
        OutboxEntry {
            key: key.into(),
            connector: "scripted".into(),
            action: DecidedAction {
                event_id: Some(key.into()),
                tick_ms: None,
                community: "acme".into(),
                channel: channel.into(),
                by: PluginRef {
                    plugin: "p".into(),
                    plugin_version: "1".into(),
                    plugin_hash: "h".into(),
                },
                action: Action::Post {
                    text: key.into(),
                    reason: "test".into(),
                },
            },
            evidence: None,
            target_user: None,
            attempts: 0,
            decided_at_ms: 0,
            approved_by: None,
        }
    }

    #[tokio::test]
    async fn a_rate_limited_channel_does_not_hold_up_the_others_and_failures_are_kept() {
        let store: Arc<dyn Store> = Arc::new(SledStore::temporary().unwrap());
        store
            .commit(Commit {
                outbox: vec![
                    entry("s1", "slow"),
                    entry("a1", "a"),
                    entry("d1", "denied"),
                    entry("s2", "slow"),
                    entry("a2", "a"),
                    entry("b1", "b"),
                ],
                ..Commit::default()
            })
            .unwrap();
        let connector = Arc::new(Scripted::default());
        let delivery = Delivery::new(connector.clone(), store.clone(), RateConfig::default());
        let (stop, shutdown) = watch::channel(false);
        let task = tokio::spawn(delivery.run(shutdown, false, Duration::ZERO));
        let deadline = Instant::now() + Duration::from_secs(10);
        while connector.executed.lock().unwrap().len() < 3 {
            assert!(Instant::now() < deadline, "the other channels waited");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        stop.send(true).unwrap();
        task.await.unwrap().unwrap();
        assert_eq!(*connector.executed.lock().unwrap(), ["a1", "b1", "a2"]);
        // The rate-limited channel keeps its entries, in order, for later.
        let pending: Vec<String> = store
            .outbox("scripted")
            .unwrap()
            .into_iter()
            .map(|(_, e)| e.key)
            .collect();
        assert_eq!(pending, ["s1", "s2"]);
        assert_eq!(store.outbox("scripted").unwrap()[0].1.attempts, 1);
        let dead = store.dead_letters().unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].entry.key, "d1");
        assert!(dead[0].error.contains("403"));
        assert_eq!(store.audit().unwrap().len(), 3);
        assert!(store.is_done("a1").unwrap() && !store.is_done("s1").unwrap());
        // The bot's messages are remembered by their platform ids, with who
        // sent them and for which event, in their community only.
        let sent = store.sent_message("acme", "$a2").unwrap();
        assert_eq!(
            sent,
            Some(crate::store::SentMessage {
                plugin: "p".into(),
                origin: Some("a2".into()),
            })
        );
        assert_eq!(store.sent_message("acme", "$s1").unwrap(), None);
        assert_eq!(store.sent_message("other", "$a2").unwrap(), None);
    }

    #[test]
    fn bucket_allows_the_burst_then_the_rate() {
        let mut b = TokenBucket::new(10.0, 3);
        for _ in 0..3 {
            assert_eq!(b.wait_time(), None);
            b.take();
        }
        let wait = b.wait_time().expect("the burst is used up");
        assert!(
            wait <= Duration::from_millis(100) && wait > Duration::from_millis(50),
            "{wait:?}"
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(1) <= Duration::from_millis(500));
        assert!(backoff(5) >= Duration::from_secs(4));
        assert!(backoff(40) <= Duration::from_secs(60));
    }
}
