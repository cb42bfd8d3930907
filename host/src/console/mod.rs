//! The web console: what a community manager sees in a browser, served by
//! the host itself (axum, in the same process and runtime as the pipeline)
//! when `[console] listen = "127.0.0.1:8080"` or `vigie run --console ADDR`
//! asks for it.
//!
//! ## Design
//!
//! - **Server-rendered HTML** ([maud]: markup in Rust, every interpolated
//!   value escaped), in French and English ([`i18n`]). The only scripts
//!   are vendored, with no build step: `assets/console.js`, the Live
//!   page's `EventSource`, which builds its rows with `textContent`, never
//!   HTML; and `assets/review.js`, the Review page's keyboard shortcuts,
//!   which only move the focus, tick boxes and click the page's own
//!   buttons.
//! - **Nothing answers without a session** but `/login`, `/setup`, the
//!   assets and `/metrics` (its own bearer token): a page redirects to
//!   `/login` (303), an API route (`/api/…`, the SSE stream, the CSV
//!   export) answers 401. Roles are checked on the server for every route
//!   ([`auth::Role`]). Sessions live in memory: a restart logs everyone
//!   out.
//! - **Accounts** are records of the store (a sled tree of their own, see
//!   [`crate::store::SledStore`]) with argon2id hashes; `vigie user add` and
//!   `vigie user passwd` write them while no host holds the store, and a
//!   host with no account prints a one-time setup link ([`auth`]).
//! - **Forms**: every POST carries a CSRF token (the session's, or before
//!   login a double-submit cookie's) and is refused (403) without it.
//! - **The live feed** ([`live`]): the pipeline hands the [`Observer`] each
//!   item its sources give and each plan a community commits (two taps in
//!   [`crate::pipeline::Vigie::run_until`]); the observer copies them into
//!   a `tokio::sync::broadcast` channel and a short history. A lagging
//!   browser loses old items; the pipeline never waits.
//! - **Pages** (one module each): [`live`], [`audit`] (with a CSV export),
//!   [`dead_letters`] (retry for admins), [`plugins`], [`review`] (the
//!   review queue: moderators approve, reject or act otherwise, one item
//!   or a selection at a time; the audit's undo of a ban or a timeout is in
//!   [`audit`]),
//!   [`contests`] (giveaways and polls with their verification data and
//!   lists, read by [`crate::contests`]), [`reports`] (`vigie report` in
//!   the browser); [`metrics`] serves
//!   `/metrics` in the Prometheus text format.
//! - **An address in use does not stop the host** (tests run many demo
//!   hosts at once, and the demo enables the console): the host logs a
//!   warning and handles its events without a console ([`start`]).
//!
//! docs/console.md documents every key, role, page and metric.

pub mod audit;
pub mod auth;
pub mod contests;
pub mod dead_letters;
pub mod i18n;
pub mod live;
pub mod metrics;
pub mod plugins;
pub mod reports;
pub mod review;
pub mod server;

use crate::action::DecidedAction;
use crate::router::LiveRoutes;
use crate::source::SourceItem;
use crate::stats::Stats;
use crate::store::Store;
use anyhow::{bail, Result};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// `[console]` in `vigie.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleConfig {
    /// Where to listen, e.g. `127.0.0.1:8080`. Without it (and without
    /// `--console`), no console.
    #[serde(default)]
    pub listen: Option<String>,
    /// Hours a session lasts after login (default 12).
    #[serde(default = "default_session_ttl_h")]
    pub session_ttl_h: u64,
    /// The bearer token `/metrics` asks for: `env:NAME` or `file:PATH`
    /// (never inline). Without it, `/metrics` answers 404.
    #[serde(default)]
    pub metrics_token: Option<String>,
    /// Mark the session cookie `Secure` (the console is reached over HTTPS
    /// through a reverse proxy). Also done for a request whose
    /// `X-Forwarded-Proto` is `https`.
    #[serde(default)]
    pub secure_cookies: bool,
}

fn default_session_ttl_h() -> u64 {
    12
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            listen: None,
            session_ttl_h: default_session_ttl_h(),
            metrics_token: None,
            secure_cookies: false,
        }
    }
}

impl ConsoleConfig {
    /// What the TOML grammar cannot check.
    pub fn check(&self) -> std::result::Result<(), String> {
        if let Some(listen) = &self.listen {
            listen.parse::<SocketAddr>().map_err(|_| {
                format!("listen: `{listen}` is not an address and port (e.g. 127.0.0.1:8080)")
            })?;
        }
        if !(1..=24 * 366).contains(&self.session_ttl_h) {
            return Err("session_ttl_h: between 1 and 8784 hours".into());
        }
        if let Some(token) = &self.metrics_token {
            if !(token.starts_with("env:") || token.starts_with("file:")) {
                return Err(
                    "metrics_token: give the token as `env:VARIABLE` or `file:PATH`, \
                     never inline"
                        .into(),
                );
            }
        }
        Ok(())
    }
}

/// What the running pipeline shares with the console: its stats, the live
/// feed, and how full its queues are. Given to the host with
/// [`crate::VigieBuilder::observer`].
pub struct Observer {
    pub stats: Arc<Stats>,
    pub feed: live::Feed,
    queues: Mutex<Option<QueueProbe>>,
}

/// Items waiting between the sources and the router, and in the workers'
/// queues.
type QueueProbe = Box<dyn Fn() -> (usize, usize) + Send + Sync>;

impl Default for Observer {
    fn default() -> Self {
        Observer {
            stats: Arc::new(Stats::default()),
            feed: live::Feed::new(),
            queues: Mutex::new(None),
        }
    }
}

impl Observer {
    pub(crate) fn set_queue_probe(&self, probe: QueueProbe) {
        *self.queues.lock().unwrap_or_else(|p| p.into_inner()) = Some(probe);
    }

    /// (waiting for the router, waiting in the workers' queues).
    pub fn queue_depth(&self) -> (usize, usize) {
        self.queues
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map_or((0, 0), |probe| probe())
    }

    /// The pipeline's tap: an item from a source, before it is routed.
    pub(crate) fn received(&self, item: &SourceItem) {
        self.feed.received(item);
    }

    /// The pipeline's tap: a community's committed plan.
    pub(crate) fn decided(&self, plan: &[DecidedAction]) {
        self.feed.decided(plan);
    }
}

/// Everything the console serves from.
pub struct ConsoleSetup {
    pub config: ConsoleConfig,
    /// The address to listen on (from `--console` or `listen`).
    pub listen: SocketAddr,
    pub store: Arc<dyn Store>,
    pub live: Arc<LiveRoutes>,
    pub observer: Arc<Observer>,
    /// The config file's directory, for `file:` secrets.
    pub base_dir: PathBuf,
    /// The connectors that can lift a timeout or a ban
    /// ([`crate::connector::Connector::reversible`]): the Audit page offers
    /// to undo those they executed.
    pub reversible: std::collections::BTreeSet<String>,
}

/// Which address the console should listen on: `--console` wins over
/// `[console] listen`; `None`: no console.
pub fn listen_address(
    config: Option<&ConsoleConfig>,
    flag: Option<&str>,
) -> Result<Option<SocketAddr>> {
    let Some(text) = flag.or(config.and_then(|c| c.listen.as_deref())) else {
        return Ok(None);
    };
    match text.parse() {
        Ok(addr) => Ok(Some(addr)),
        Err(_) => {
            bail!("console address `{text}` is not an address and port (e.g. 127.0.0.1:8080)")
        }
    }
}

/// A console that listens.
pub struct RunningConsole {
    pub address: SocketAddr,
    /// The one-time setup link's token, when there was no account.
    pub setup_token: Option<String>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningConsole {
    /// Stops serving (open SSE streams end).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Binds and starts serving. An address in use is not an error: the host
/// goes on without a console (`None`) after a warning naming the address
/// and `--console ADDR`. Other failures (a bad `metrics_token`, a store
/// that cannot be read) are errors.
pub async fn start(setup: ConsoleSetup) -> Result<Option<RunningConsole>> {
    let listener = match tokio::net::TcpListener::bind(setup.listen).await {
        Ok(listener) => listener,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            tracing::warn!(
                "console not started: address {} in use (another program, or another vigie, \
                 listens there); the host goes on without it. `vigie run --console ADDR` \
                 chooses another address",
                setup.listen
            );
            return Ok(None);
        }
        Err(e) => {
            tracing::warn!(
                "console not started: cannot listen on {}: {e}; the host goes on without it",
                setup.listen
            );
            return Ok(None);
        }
    };
    let address = listener.local_addr()?;
    let (stop, stopped) = watch::channel(false);
    let state = server::State::new(setup, stopped.clone())?;
    let setup_token = state.auth.setup_token();
    let app = server::app(state);
    let task = tokio::spawn(async move {
        let mut stopped = stopped;
        let served = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            while !*stopped.borrow() {
                if stopped.changed().await.is_err() {
                    break;
                }
            }
        })
        .await;
        if let Err(e) = served {
            tracing::warn!("console stopped: {e}");
        }
    });
    Ok(Some(RunningConsole {
        address,
        setup_token,
        stop,
        task,
    }))
}
