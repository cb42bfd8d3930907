//! The feed connector: la veille's way in. It reads the web — RSS 2.0,
//! Atom and JSON Feed ([`parse`]), and watched pages narrowed by a CSS
//! selector ([`page`]) — on a per-feed interval with conditional GETs, a
//! timeout and back-off on errors ([`fetch`]), and turns each new item
//! into a `mention` event exactly once ([`state`]). It only reads: it has
//! no account anywhere and executes no action (the community's chat
//! connector carries out the alerts and the digest).
//!
//! An item becomes an event ([`item_event`]):
//! - kind `mention`, platform `feed`, channel = the feed's name;
//! - author = the item's author (else the source), id `feed:<feed>:<name>`;
//! - text = title, a blank line, then the text (at most 16 KiB);
//! - id = `feed:<feed>:<hash of the item key>`, the key being the feed's
//!   guid/id, else a hash of the link, else of the title and text;
//! - time = the item's publication time (never later than the poll);
//! - host labels (plugin `vigie`): `vigie.title`, `vigie.link`,
//!   `vigie.source` (notes) and `vigie.important` (value 1) for a feed
//!   marked `important`.
//!
//! A malformed feed, an HTTP error, a TLS error or a slow server gets a
//! log line and a recorded error (`vigie` reports it with the rejected
//! inputs), the feed backs off (its interval doubled per failure in a row,
//! at most `max_backoff_s`), and the other feeds go on.

pub mod fetch;
pub mod page;
pub mod parse;
pub mod state;

use super::{BoxFuture, Connector, DeliveryError, EventSink, Executed, RateConfig, RateState};
use crate::action::DecidedAction;
use crate::event::{Author, Event, EventKind, Label, HOST_LABELLER};
use crate::store::Reversal;
use anyhow::{bail, Result};
use fetch::{FetchError, Fetched, Location};
use parse::Item;
use serde::Deserialize;
use state::{Cursor, FeedState};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Mutex};

/// Host label: the item's title (note).
pub const TITLE_LABEL: &str = "vigie.title";
/// Host label: the item's link (note).
pub const LINK_LABEL: &str = "vigie.link";
/// Host label: the source's name (note).
pub const SOURCE_LABEL: &str = "vigie.source";
/// Host label: the feed is marked important (value 1, note: the feed).
pub const IMPORTANT_LABEL: &str = "vigie.important";

/// Longest event text taken from an item; the rest is cut (with `…`).
pub const MAX_ITEM_TEXT: usize = 16 * 1024;

fn default_interval() -> u64 {
    900
}
fn default_timeout() -> u64 {
    20
}
fn default_max_backoff() -> u64 {
    6 * 3600
}
fn default_max_age() -> u64 {
    7
}

/// `[[connectors]] type = "feed"` (and `[[sources]] type = "feed"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    /// Default `feed`.
    #[serde(default)]
    pub name: Option<String>,
    pub community: String,
    /// Seconds between two polls of a feed (each feed may say its own).
    #[serde(default = "default_interval")]
    pub interval_s: u64,
    /// Seconds one fetch may take, body included.
    #[serde(default = "default_timeout")]
    pub timeout_s: u64,
    /// The longest wait between two polls of a failing feed.
    #[serde(default = "default_max_backoff")]
    pub max_backoff_s: u64,
    /// Items published more than this many days before the poll are
    /// remembered but become no event (a new feed's archive); 0: no limit.
    #[serde(default = "default_max_age")]
    pub max_age_days: u64,
    pub feeds: Vec<FeedEntry>,
    #[serde(default)]
    pub rate: RateConfig,
}

/// What a feed entry watches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedKind {
    /// RSS 2.0, Atom or JSON Feed.
    #[default]
    Feed,
    /// A web page, optionally narrowed by `selector`.
    Page,
}

/// `[[connectors.feeds]]`: one feed or page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedEntry {
    /// Unique in the connector; the channel of its events.
    pub name: String,
    /// `https://…`, `http://…`, `file:relative/path` or `file:///abs/path`.
    pub url: String,
    #[serde(default)]
    pub kind: FeedKind,
    /// For a page: the CSS selector of the parts to watch.
    #[serde(default)]
    pub selector: Option<String>,
    /// The source's name in alerts (default: the feed's title, else its name).
    #[serde(default)]
    pub source: Option<String>,
    /// Its negative mentions alert the staff at once (`vigie.important`).
    #[serde(default)]
    pub important: bool,
    /// This feed's own interval.
    #[serde(default)]
    pub interval_s: Option<u64>,
}

/// A feed entry, checked.
#[derive(Debug, Clone)]
pub struct Watched {
    pub entry: FeedEntry,
    pub location: Location,
    pub selector: Option<scraper::Selector>,
    pub interval: Duration,
}

impl FeedConfig {
    pub fn connector_name(&self) -> &str {
        self.name.as_deref().unwrap_or("feed")
    }

    /// Checks every entry; the error names the feed and the key.
    pub fn check(&self, base_dir: &Path) -> Result<Vec<Watched>> {
        let name = self.connector_name();
        if self.feeds.is_empty() {
            bail!("connector `{name}`: no [[connectors.feeds]]: nothing to watch");
        }
        if self.timeout_s == 0 || self.interval_s == 0 {
            bail!("connector `{name}`: interval_s and timeout_s must be at least 1");
        }
        let mut names = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for f in &self.feeds {
            let what = format!("connector `{name}`, feed `{}`", f.name);
            if f.name.trim().is_empty()
                || f.name.chars().any(|c| c.is_control() || c.is_whitespace())
            {
                bail!("{what}: the name must be one word (it is the events' channel)");
            }
            if !names.insert(f.name.clone()) {
                bail!("{what}: the name is used twice");
            }
            let location = Location::parse(&f.url, base_dir)
                .map_err(|e| anyhow::anyhow!("{what}: url: {e}"))?;
            let selector = match (&f.selector, f.kind) {
                (Some(s), FeedKind::Page) => {
                    Some(page::check_selector(s).map_err(|e| anyhow::anyhow!("{what}: {e}"))?)
                }
                (Some(_), FeedKind::Feed) => {
                    bail!("{what}: `selector` is for pages: add kind = \"page\"")
                }
                (None, _) => None,
            };
            let interval = f.interval_s.unwrap_or(self.interval_s);
            if interval == 0 {
                bail!("{what}: interval_s must be at least 1");
            }
            out.push(Watched {
                entry: f.clone(),
                location,
                selector,
                interval: Duration::from_secs(interval),
            });
        }
        Ok(out)
    }
}

/// Cuts `text` to at most `max` bytes at a character boundary, marking the cut.
fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max.saturating_sub(3);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control())
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The event of one item (see the module's documentation).
pub fn item_event(
    community: &str,
    feed: &FeedEntry,
    source: &str,
    item: &Item,
    poll_ms: i64,
) -> Event {
    let digest = parse::hash_key("", &item.key);
    let id = format!("feed:{}:{}", feed.name, digest.trim_start_matches(':'));
    let title = one_line(&item.title);
    let text = match (title.is_empty(), item.text.is_empty()) {
        (false, false) => format!("{title}\n\n{}", item.text),
        (false, true) => title.clone(),
        _ => item.text.clone(),
    };
    let author_name = item
        .author
        .as_deref()
        .map(one_line)
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| source.to_string());
    // A date in the future is the poll's; one before 1970 is no item's
    // (garbage such as the year -26 a fuzzer found, which the event log
    // cannot even write, RFC 3339 having no negative years): the item is
    // dated when it was read, as one without a date.
    let ms = item
        .published_ms
        .filter(|p| *p >= 0)
        .map_or(poll_ms, |p| p.min(poll_ms));
    let timestamp = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let label = |key: &str, value: f64, note: Option<String>| Label {
        key: key.into(),
        value,
        note,
        plugin: HOST_LABELLER.into(),
    };
    let mut labels = Vec::new();
    if !title.is_empty() {
        labels.push(label(TITLE_LABEL, 1.0, Some(title.clone())));
    }
    if let Some(link) = &item.link {
        labels.push(label(LINK_LABEL, 1.0, Some(one_line(link))));
    }
    labels.push(label(SOURCE_LABEL, 1.0, Some(source.to_string())));
    if feed.important {
        labels.push(label(IMPORTANT_LABEL, 1.0, Some(feed.name.clone())));
    }
    Event {
        id,
        kind: EventKind::Mention,
        platform: "feed".into(),
        community: community.to_string(),
        channel: feed.name.clone(),
        author: Author {
            id: format!("feed:{}:{}", feed.name, author_name),
            name: author_name,
            roles: Vec::new(),
            account_age_days: None,
            is_staff: false,
        },
        text: cut(&text, MAX_ITEM_TEXT),
        reply_to: None,
        reaction: None,
        target_message: None,
        timestamp,
        labels,
    }
}

/// What one poll of one feed gave.
#[derive(Debug)]
pub enum Polled {
    /// 304, or the same validators: nothing to do.
    NotModified,
    /// New events (maybe none) and the feed's new state.
    Fresh {
        events: Vec<Event>,
        state: FeedState,
        source: String,
    },
}

/// Polls one feed once: fetch, parse, keep what is new. `state` is the
/// feed's saved state; on success the new state to save with the events.
pub async fn poll_feed(
    http: &reqwest::Client,
    community: &str,
    watched: &Watched,
    state: &FeedState,
    timeout: Duration,
    max_age_days: u64,
    poll_ms: i64,
) -> Result<Polled, FetchError> {
    let fetched = fetch::fetch(
        http,
        &watched.location,
        state.etag.as_deref(),
        state.last_modified.as_deref(),
        timeout,
    )
    .await?;
    let (bytes, etag, last_modified) = match fetched {
        Fetched::NotModified => return Ok(Polled::NotModified),
        Fetched::Body {
            bytes,
            etag,
            last_modified,
        } => (bytes, etag, last_modified),
    };
    let entry = &watched.entry;
    let mut next = state.clone();
    next.etag = etag;
    next.last_modified = last_modified;
    next.failures = 0;
    next.last_error = None;
    let url = match &watched.location {
        Location::Http(u) => u.clone(),
        Location::File(p) => format!("file://{}", p.display()),
    };
    let (title, mut items) = match entry.kind {
        FeedKind::Feed => {
            let parsed = parse::parse_feed(&bytes).map_err(FetchError::Other)?;
            (parsed.title, parsed.items)
        }
        FeedKind::Page => {
            let (title, blocks) =
                page::blocks(&bytes, watched.selector.as_ref()).map_err(FetchError::Other)?;
            let shown = title.clone().unwrap_or_else(|| entry.name.clone());
            let items = page::changes(&url, &shown, state.page.as_deref(), &blocks);
            next.page = Some(page::flatten(&blocks));
            (title, items)
        }
    };
    let source = entry
        .source
        .clone()
        .or(title)
        .map(|s| one_line(&s))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| entry.name.clone());
    // Oldest first: feeds list the newest first, events go in time order.
    items.sort_by_key(|i| i.published_ms.unwrap_or(poll_ms));
    let fresh = next.take_new(items.into_iter().map(|i| (i.key.clone(), i)).collect());
    let oldest = (max_age_days > 0).then(|| poll_ms - max_age_days as i64 * 86_400_000);
    let events = fresh
        .into_iter()
        .filter(|(_, item)| match (oldest, item.published_ms) {
            (Some(oldest), Some(p)) => p >= oldest,
            _ => true,
        })
        .map(|(_, item)| item_event(community, entry, &source, &item, poll_ms))
        .collect();
    Ok(Polled::Fresh {
        events,
        state: next,
        source,
    })
}

/// The wait before the next poll of a feed that failed `failures` times
/// in a row: its interval doubled per failure, at most `max`.
pub fn backoff(interval: Duration, failures: u32, max: Duration) -> Duration {
    let factor = 1u32 << failures.min(16);
    interval.saturating_mul(factor).min(max.max(interval))
}

/// The connector.
pub struct FeedConnector {
    name: String,
    config: FeedConfig,
    feeds: Vec<Watched>,
    http: reqwest::Client,
    /// The cursor being built; one feed saves at a time.
    cursor: Mutex<Cursor>,
}

/// A client for feeds: rustls, redirects followed, a User-Agent that says who polls.
pub fn http_client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .user_agent(concat!(
            "vigie-feed/",
            env!("CARGO_PKG_VERSION"),
            " (community web watch)"
        ))
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()?)
}

impl FeedConnector {
    pub fn new(config: FeedConfig, base_dir: &Path) -> Result<FeedConnector> {
        let feeds = config.check(base_dir)?;
        Ok(FeedConnector {
            name: config.connector_name().to_string(),
            feeds,
            http: http_client()?,
            config,
            cursor: Mutex::new(Cursor::default()),
        })
    }

    /// One feed's loop: poll, save, wait (its interval, or its back-off).
    async fn run_feed(
        self: Arc<Self>,
        index: usize,
        sink: EventSink,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let watched = &self.feeds[index];
        let name = &watched.entry.name;
        let timeout = Duration::from_secs(self.config.timeout_s);
        let max_backoff = Duration::from_secs(self.config.max_backoff_s);
        loop {
            if *shutdown.borrow() {
                return;
            }
            let state = {
                let cursor = self.cursor.lock().await;
                cursor.feeds.get(name).cloned().unwrap_or_default()
            };
            let poll_ms = super::now_ms();
            let result = poll_feed(
                &self.http,
                &self.config.community,
                watched,
                &state,
                timeout,
                self.config.max_age_days,
                poll_ms,
            )
            .await;
            let wait = match result {
                Ok(Polled::NotModified) => {
                    tracing::debug!(connector = self.name, feed = name, "not modified (304)");
                    watched.interval
                }
                Ok(Polled::Fresh {
                    events,
                    state: next,
                    source,
                }) => {
                    let n = events.len();
                    let mut cursor = self.cursor.lock().await;
                    let before = cursor.feeds.get(name).cloned();
                    cursor.feeds.insert(name.clone(), next);
                    if before.as_ref() != cursor.feeds.get(name) || n > 0 {
                        match sink.deliver(&cursor.to_json(), events).await {
                            Ok(true) => {}
                            Ok(false) => return,
                            Err(e) => {
                                // Not saved: forget the new state too, so
                                // the next poll brings the items again.
                                match before {
                                    Some(b) => cursor.feeds.insert(name.clone(), b),
                                    None => cursor.feeds.remove(name),
                                };
                                tracing::error!(
                                    connector = self.name,
                                    feed = name,
                                    "cannot save the new items: {e:#}"
                                );
                            }
                        }
                    }
                    if n > 0 {
                        tracing::info!(
                            connector = self.name,
                            feed = name,
                            "{n} new item(s) from {source}"
                        );
                    }
                    watched.interval
                }
                Err(error) => {
                    let mut cursor = self.cursor.lock().await;
                    let entry = cursor.feeds.entry(name.clone()).or_default();
                    entry.failures = entry.failures.saturating_add(1);
                    entry.last_error = Some(error.to_string());
                    let failures = entry.failures;
                    let wait = backoff(watched.interval, failures, max_backoff);
                    tracing::warn!(
                        connector = self.name,
                        feed = name,
                        url = watched.entry.url,
                        "{error}; failure {failures} in a row, next try in {} s",
                        wait.as_secs()
                    );
                    drop(cursor);
                    sink.reject(
                        &format!("feed `{name}` ({}): {error}", watched.entry.url),
                        String::new(),
                    )
                    .await;
                    wait
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.wait_for(|stop| *stop) => return,
            }
        }
    }
}

impl Connector for FeedConnector {
    fn name(&self) -> &str {
        &self.name
    }

    fn community(&self) -> &str {
        &self.config.community
    }

    fn read_only(&self) -> bool {
        true
    }

    fn stream(
        self: Arc<Self>,
        cursor: Option<String>,
        sink: EventSink,
        shutdown: watch::Receiver<bool>,
    ) -> BoxFuture<'static, Result<()>> {
        Box::pin(async move {
            let (saved, warning) = Cursor::parse(cursor.as_deref());
            if let Some(w) = warning {
                tracing::warn!(connector = self.name, "{w}");
            }
            *self.cursor.lock().await = saved;
            sink.connected(&format!(
                "watching {} feed(s): {}",
                self.feeds.len(),
                self.feeds
                    .iter()
                    .map(|f| format!("{} every {} s", f.entry.name, f.interval.as_secs()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            let tasks: Vec<_> = (0..self.feeds.len())
                .map(|i| tokio::spawn(self.clone().run_feed(i, sink.clone(), shutdown.clone())))
                .collect();
            for t in tasks {
                let _ = t.await;
            }
            Ok(())
        })
    }

    fn execute<'a>(
        &'a self,
        _action: &'a DecidedAction,
        _key: &'a str,
    ) -> BoxFuture<'a, Result<Executed, DeliveryError>> {
        Box::pin(async move {
            Err(DeliveryError::Permanent(
                "the feed connector only reads the web; give the community a chat connector \
                 to carry out actions"
                    .into(),
            ))
        })
    }

    fn reverse<'a>(&'a self, _r: &'a Reversal) -> BoxFuture<'a, Result<String, DeliveryError>> {
        Box::pin(async move { Ok("nothing to lift: the feed connector only reads".into()) })
    }

    fn rate_state(&self) -> RateState {
        RateState::default()
    }
}

/// `[[sources]] type = "feed"`: every feed read once, the new items in
/// time order, then the source ends (the demo, backfills, trying a
/// config). Exactly once across runs comes from the store, which handles
/// an event id once.
pub struct FeedOnceSource {
    pub config: FeedConfig,
    pub feeds: Vec<Watched>,
}

impl crate::source::Source for FeedOnceSource {
    fn name(&self) -> String {
        format!("feed source `{}`", self.config.connector_name())
    }

    fn spawn(
        self: Box<Self>,
        tx: tokio::sync::mpsc::Sender<crate::source::SourceItem>,
    ) -> tokio::task::JoinHandle<Result<()>> {
        use crate::source::SourceItem;
        tokio::spawn(async move {
            let http = http_client()?;
            let timeout = Duration::from_secs(self.config.timeout_s);
            let poll_ms = super::now_ms();
            let mut all = Vec::new();
            for watched in &self.feeds {
                match poll_feed(
                    &http,
                    &self.config.community,
                    watched,
                    &FeedState::default(),
                    timeout,
                    self.config.max_age_days,
                    poll_ms,
                )
                .await
                {
                    Ok(Polled::Fresh { events, .. }) => all.extend(events),
                    Ok(Polled::NotModified) => {}
                    Err(e) => {
                        let what =
                            format!("feed `{}` ({}): {e}", watched.entry.name, watched.entry.url);
                        tracing::warn!("{what}");
                        let _ = tx
                            .send(SourceItem::Rejected(crate::store::RejectedInput {
                                source: self.name(),
                                line: 0,
                                error: what,
                                content: String::new(),
                            }))
                            .await;
                    }
                }
            }
            all.sort_by_key(|e| e.timestamp);
            for event in all {
                if tx.send(SourceItem::Event(Box::new(event))).await.is_err() {
                    break;
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let i = Duration::from_secs(60);
        let max = Duration::from_secs(600);
        assert_eq!(backoff(i, 1, max), Duration::from_secs(120));
        assert_eq!(backoff(i, 3, max), Duration::from_secs(480));
        assert_eq!(backoff(i, 4, max), max);
        assert_eq!(backoff(i, 99, max), max);
        // A cap below the interval never shortens it.
        assert_eq!(backoff(i, 2, Duration::from_secs(1)), i);
    }

    fn entry(toml_text: &str) -> Result<Vec<Watched>> {
        let c: FeedConfig = toml::from_str(toml_text).map_err(|e| anyhow::anyhow!("{e}"))?;
        c.check(Path::new("/base"))
    }

    #[test]
    fn config_mistakes_name_the_feed_and_key() {
        let base = "community = \"acme\"\n";
        let err = |s: &str| entry(&format!("{base}{s}")).unwrap_err().to_string();
        assert!(err("feeds = []").contains("nothing to watch"));
        assert!(err("[[feeds]]\nname = \"a\"\nurl = \"gopher://x\"").contains("feed `a`: url"));
        assert!(err(
            "[[feeds]]\nname = \"a\"\nurl = \"file:a\"\n[[feeds]]\nname = \"a\"\nurl = \"file:b\""
        )
        .contains("used twice"));
        assert!(
            err("[[feeds]]\nname = \"a\"\nurl = \"file:a\"\nselector = \"p\"")
                .contains("kind = \"page\"")
        );
        assert!(err(
            "[[feeds]]\nname = \"a\"\nurl = \"file:a\"\nkind = \"page\"\nselector = \"p[\""
        )
        .contains("not a valid CSS selector"));
        assert!(err("[[feeds]]\nname = \"a b\"\nurl = \"file:a\"").contains("one word"));
        let ok = entry(&format!(
            "{base}interval_s = 60\n[[feeds]]\nname = \"a\"\nurl = \"https://x.example/f\"\n\
             [[feeds]]\nname = \"p\"\nurl = \"file:p.html\"\nkind = \"page\"\nselector = \".r\"\ninterval_s = 5"
        ))
        .unwrap();
        assert_eq!(ok[0].interval, Duration::from_secs(60));
        assert_eq!(ok[1].interval, Duration::from_secs(5));
        assert_eq!(ok[1].location, Location::File("/base/p.html".into()));
    }

    /// A new feed's archive: items older than `max_age_days` are
    /// remembered (never events later) but are no events now.
    #[tokio::test]
    async fn old_items_of_a_new_feed_are_remembered_not_delivered() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("f.xml"),
            r#"<rss version="2.0"><channel><title>F</title>
            <item><guid>old</guid><title>Old</title><pubDate>Sun, 01 Nov 2026 10:00:00 GMT</pubDate></item>
            <item><guid>new</guid><title>New</title><pubDate>Sat, 21 Nov 2026 10:00:00 GMT</pubDate></item>
            </channel></rss>"#,
        )
        .unwrap();
        let config: FeedConfig =
            toml::from_str("community = \"acme\"\n[[feeds]]\nname = \"f\"\nurl = \"file:f.xml\"")
                .unwrap();
        let watched = config.check(dir.path()).unwrap();
        let poll_ms = 1_795_255_200_000 + 3_600_000; // an hour after "new"
        let http = http_client().unwrap();
        let polled = poll_feed(
            &http,
            "acme",
            &watched[0],
            &FeedState::default(),
            Duration::from_secs(5),
            7,
            poll_ms,
        )
        .await
        .unwrap();
        let Polled::Fresh { events, state, .. } = polled else {
            panic!("{polled:?}")
        };
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].text, "New");
        assert_eq!(state.seen, ["id:old", "id:new"]);
        // The next poll: nothing, the old item included.
        let Polled::Fresh { events, .. } = poll_feed(
            &http,
            "acme",
            &watched[0],
            &state,
            Duration::from_secs(5),
            0,
            poll_ms,
        )
        .await
        .unwrap() else {
            panic!()
        };
        assert!(events.is_empty());
    }

    #[test]
    fn an_item_becomes_a_mention_with_host_labels() {
        let feed = FeedEntry {
            name: "forum".into(),
            url: "file:x".into(),
            kind: FeedKind::Feed,
            selector: None,
            source: None,
            important: true,
            interval_s: None,
        };
        let item = Item {
            key: "id:t1".into(),
            title: "Acme\nnews".into(),
            text: "Body".into(),
            link: Some("https://f.example/1".into()),
            author: None,
            published_ms: Some(2_000_000_000_000_000),
        };
        let e = item_event("acme", &feed, "Forum Café", &item, 1_795_255_200_000);
        assert_eq!(e.kind, EventKind::Mention);
        assert_eq!((e.platform.as_str(), e.channel.as_str()), ("feed", "forum"));
        assert_eq!(e.text, "Acme news\n\nBody");
        assert_eq!(e.author.name, "Forum Café");
        // A date in the future is the poll's time.
        assert_eq!(e.timestamp_ms(), 1_795_255_200_000);
        // A year before 1970, too (year -26: the event log could not write
        // it; found by fuzz/fuzz_targets/feed.rs).
        let ancient = Item {
            published_ms: Some(-62_960_000_000_000),
            ..item.clone()
        };
        let e2 = item_event("acme", &feed, "Forum Café", &ancient, 1_795_255_200_000);
        assert_eq!(e2.timestamp_ms(), 1_795_255_200_000);
        serde_json::to_string(&e2).unwrap();
        assert!(e.id.starts_with("feed:forum:"));
        e.validate().unwrap();
        let keys: Vec<&str> = e.labels.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(
            keys,
            vec![TITLE_LABEL, LINK_LABEL, SOURCE_LABEL, IMPORTANT_LABEL]
        );
        assert!(e.labels.iter().all(|l| l.plugin == "vigie"));
        // The same key, the same id.
        assert_eq!(e.id, item_event("acme", &feed, "x", &item, 0).id);
        let long = Item {
            text: "é".repeat(20_000),
            ..item
        };
        let e = item_event("acme", &feed, "s", &long, 0);
        assert!(e.text.len() <= MAX_ITEM_TEXT && e.text.ends_with('…'));
    }
}
