//! # Vigie: a WebAssembly plugin host for community-engagement automation
//!
//! Vigie takes events from community platforms (messages, edits, reactions,
//! joins…), runs them through chains of sandboxed WebAssembly components
//! (plugins anyone can write), and carries out the actions the plugins
//! decide (delete, reply, timeout, flag for review…).
//!
//! ## The path of an event
//!
//! ```text
//!  source/connector ──► router ──► community actor ──► chain (plugin runtime) ──► planner ──► store ──► delivery ──► platform
//!  JSONL, Matrix,       by         one per community,   WASM components,          grants,     atomic     outbox: rate limits,
//!  IRC, webhook         community  in order, on workers sandboxed, labels flow    merge       commit     retries, once, audit
//! ```
//!
//! On the ground floor, [`contract`] holds the plugin contract's types
//! (`wit/`), which every step that speaks to plugins uses, and [`config`]
//! reads `vigie.toml` and the community files.
//!
//! One module per step:
//! - [`source`]: reads events (JSON Lines, followed as it grows or not) and
//!   reports bad lines with their line numbers.
//! - [`connector`]: one module per platform (Matrix, IRC, webhook), each
//!   both a source of events (saved with its cursor before anything else)
//!   and the executor of actions.
//! - [`router`]: sends each event to its community's actor; records what it
//!   cannot route. Its routes (the chain of each community, built from the
//!   config and the community files) are published whole, and hot reload
//!   ([`reload`]) publishes new ones.
//! - [`community`]: one actor per community owns that community's plugin
//!   instances, so its events are handled in order with no locks; actors
//!   live on a fixed pool of worker threads (sharded by community), so
//!   communities run in parallel. Queued events are batched.
//! - [`chain`]: the community's plugins in order: labels flow down, `stop`
//!   ends the chain, failures are contained and repeated ones quarantine.
//! - [`runtime`]: wasmtime, the sandbox (CPU deadline, memory cap, output
//!   and key-value limits), configured snapshots, and the host imports, one
//!   module per capability.
//! - [`planner`]: capability checks and merging of the chain's actions.
//! - [`store`]: sled; state, handled events, decided actions and their
//!   outbox entries are committed together.
//! - [`delivery`]: takes the outbox to each connector: token buckets per
//!   account and channel, retries with back-off, dead letters, scheduled
//!   reversals, the audit log; an action leaves the outbox exactly once.
//! - [`executor`]: prints or writes the decided actions (terminal, JSON
//!   Lines sinks).
//!
//! Beside the path, [`control`] is the running host's read-only Unix
//! socket, through which `vigie audit` reads the store the host holds;
//! [`console`] is the web console (`[console] listen`): live events and
//! actions, the audit, dead letters, contests and polls, plugins, accounts
//! and `/metrics`, served by axum in the same process, fed by two taps in
//! the pipeline; [`contests`] reads the giveaways and polls the plugins
//! keep in the store, with their verification data;
//! [`versions`] keeps every plugin version the host ran, for replays;
//! [`reports`] turns the logs into KPIs (`vigie report`);
//! [`progress`] shows long work on stderr.
//!
//! ## Why actions, not side effects
//! A plugin cannot touch a platform: it returns actions, and the host owns
//! every effect. Capability checks, dry runs, rate limits and the audit
//! trail need no plugin's help, and a replay of the event log reproduces
//! every decision: plugins see the event's time as `now` and randomness
//! seeded per event from a secret key in the data directory.
//!
//! ## Using the library
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use vigie::{Config, ConsoleExecutor, JsonLinesSource, Vigie};
//! let config = Config::load("vigie.toml".as_ref())?;
//! let host = Vigie::builder().build_from_config(&config)?;
//! let summary = host
//!     .run(vec![Box::new(JsonLinesSource::new("events.jsonl"))], Box::new(ConsoleExecutor::default()))
//!     .await?;
//! println!("{}", summary.render());
//! # Ok(()) }
//! ```

pub mod action;
pub mod builtin;
pub mod chain;
pub mod cluster;
pub mod community;
pub mod config;
pub mod connector;
pub mod console;
pub mod contests;
pub mod contract;
pub mod control;
pub mod delivery;
pub mod diff;
pub mod event;
pub mod executor;
pub mod pipeline;
pub mod planner;
pub mod progress;
pub mod reload;
pub mod replay;
pub mod reports;
pub mod router;
pub mod runtime;
pub mod source;
pub mod stats;
pub mod store;
pub mod versions;

pub use action::{Action, ActionKind, DecidedAction};
pub use chain::{Description, PluginDef};
pub use config::Config;
pub use event::Event;
pub use executor::{CollectExecutor, ConsoleExecutor, Executor, JsonLinesExecutor};
pub use pipeline::{Vigie, VigieBuilder};
pub use runtime::{Limits, Runtime, Secret};
pub use source::{JsonLinesSource, Source};
pub use stats::Summary;
pub use store::{SledStore, Store};
