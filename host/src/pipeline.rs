//! The assembled host: loads the plugins a config names, opens the store,
//! and runs sources → router → community actors → executor until the input
//! ends. [`Vigie::builder`] is the entry point.

use crate::action::DecidedAction;
use crate::builtin;
use crate::chain::PluginDef;
use crate::community::{DeliveryRoutes, Shared};
use crate::config::{Config, PluginEntry};
use crate::connector::{Connector, ConnectorSource, RateConfig, Readiness};
use crate::delivery::Delivery;
use crate::executor::Executor;
use crate::reload::Reloader;
use crate::router::{LiveRoutes, RouteEntries, Router, Routes};
use crate::runtime::{Runtime, Secret};
use crate::source::Source;
use crate::stats::{Stats, Summary};
use crate::store::{SledStore, Store};
use anyhow::{anyhow, bail, Context, Result};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// A configured host, ready to run.
pub struct Vigie {
    live: Arc<LiveRoutes>,
    /// Set when the host follows changes to its config and plugin files.
    watch: Option<Reloader>,
    store: Arc<dyn Store>,
    secret: Arc<Secret>,
    batch_size: usize,
    read_ahead: usize,
    tick_every_ms: i64,
    workers: usize,
    connectors: Vec<(Arc<dyn Connector>, RateConfig)>,
    /// Instance memory and pool slots the workers share.
    memory_budget_bytes: u64,
    max_instances: u32,
    /// Held actions waiting longer than this alert the staff.
    review_alert_after: Duration,
    /// `[[digests]]`: weekly summaries, posted by their connector's delivery.
    digests: Vec<crate::reports::weekly::WeeklyDigest>,
    /// The web console's taps, when it runs (see [`Self::run_until`]).
    observer: Option<Arc<crate::console::Observer>>,
}

/// How long delivery goes on after the input ended, to empty the outbox.
const DRAIN_GRACE: Duration = Duration::from_secs(10);

/// Builds a [`Vigie`] from a config file's content or from plugin entries.
pub struct VigieBuilder {
    runtime: Option<Runtime>,
    store: Option<Arc<dyn Store>>,
    secret: Option<Arc<Secret>>,
    batch_size: Option<usize>,
    read_ahead: Option<usize>,
    tick_every_ms: i64,
    watch: Option<std::path::PathBuf>,
    memory_budget_mib: Option<u64>,
    max_instances: Option<u32>,
    workers: Option<usize>,
    observer: Option<Arc<crate::console::Observer>>,
    published: crate::reload::PublishedVersions,
}

impl Vigie {
    pub fn builder() -> VigieBuilder {
        VigieBuilder {
            runtime: None,
            store: None,
            secret: None,
            batch_size: None,
            read_ahead: None,
            tick_every_ms: 60_000,
            watch: None,
            memory_budget_mib: None,
            max_instances: None,
            workers: None,
            observer: None,
            published: Default::default(),
        }
    }

    /// The chains in force (they change on hot reload).
    pub fn live_routes(&self) -> &Arc<LiveRoutes> {
        &self.live
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Whether the config has live platforms (the run then lasts until
    /// shutdown).
    pub fn has_connectors(&self) -> bool {
        !self.connectors.is_empty()
    }

    /// The connectors that can lift a restriction on their platform
    /// ([`Connector::reversible`]): the console offers to undo the timeouts
    /// and bans they executed.
    pub fn reversible_connectors(&self) -> std::collections::BTreeSet<String> {
        self.connectors
            .iter()
            .filter(|(c, _)| c.reversible() && !c.read_only())
            .map(|(c, _)| c.name().to_string())
            .collect()
    }

    /// Runs until every source has ended and every community has handled
    /// its queue; returns the summary.
    pub async fn run(
        &self,
        sources: Vec<Box<dyn Source>>,
        executor: Box<dyn Executor>,
    ) -> Result<Summary> {
        let (_never, shutdown) = watch::channel(false);
        self.run_until(sources, executor, shutdown).await
    }

    /// Runs the given sources and the config's connectors until the sources
    /// end, or until `shutdown` turns true (live platforms never end by
    /// themselves). Then every community finishes its queue, delivery gets
    /// a short grace period to empty the outbox, and the summary returns.
    ///
    /// With an [observer](VigieBuilder::observer) (the web console), the run
    /// counts in the observer's stats, and two taps feed it: each item a
    /// source gives, before it is routed, and each plan a community
    /// commits, before the executor prints it. Both only copy into a
    /// bounded broadcast (slow readers lose old items): the pipeline never
    /// waits for the console.
    pub async fn run_until(
        &self,
        mut sources: Vec<Box<dyn Source>>,
        mut executor: Box<dyn Executor>,
        shutdown: watch::Receiver<bool>,
    ) -> Result<Summary> {
        let observer = self.observer.clone();
        let stats = observer
            .as_ref()
            .map_or_else(|| Arc::new(Stats::default()), |o| o.stats.clone());
        let (delivery_stop_tx, delivery_stop) = watch::channel(false);
        // A source that fails (a platform refusing the bot's credentials or
        // room at start) stops the others: the run ends with its error.
        let (stop_sources_tx, stop_sources) = watch::channel(false);
        let stop_sources_tx = Arc::new(stop_sources_tx);
        {
            let stop = stop_sources_tx.clone();
            let mut shutdown = shutdown.clone();
            tokio::spawn(async move {
                while !*shutdown.borrow() {
                    if shutdown.changed().await.is_err() {
                        return;
                    }
                }
                let _ = stop.send(true);
            });
        }
        let ready = Arc::new(Readiness::new(self.connectors.len()));
        let mut routes = DeliveryRoutes::default();
        let mut deliveries = Vec::new();
        for (connector, rate) in &self.connectors {
            if connector.read_only() {
                // Events only (the feed connector): no outbox, and the
                // community's actions go to its other connectors.
                sources.push(Box::new(ConnectorSource {
                    connector: connector.clone(),
                    store: self.store.clone(),
                    shutdown: stop_sources.clone(),
                    ready: Some(ready.clone()),
                }));
                continue;
            }
            let digests = self
                .digests
                .iter()
                .filter(|d| d.connector == connector.name())
                .cloned()
                .collect();
            let delivery = Delivery::new(connector.clone(), self.store.clone(), rate.clone())
                .with_stats(stats.clone())
                .with_review_alert_after(self.review_alert_after)
                .with_digests(digests);
            routes
                .wakers
                .insert(connector.name().to_string(), delivery.waker());
            routes
                .by_community
                .entry(connector.community().to_string())
                .or_insert_with(|| connector.name().to_string());
            deliveries.push(tokio::spawn(delivery.run(
                delivery_stop.clone(),
                true,
                DRAIN_GRACE,
            )));
            sources.push(Box::new(ConnectorSource {
                connector: connector.clone(),
                store: self.store.clone(),
                shutdown: stop_sources.clone(),
                ready: Some(ready.clone()),
            }));
        }
        if !self.connectors.is_empty() {
            // Live platforms: ticks follow the wall clock, events or not.
            sources.push(Box::new(crate::source::ClockSource::new(
                self.tick_every_ms,
                stop_sources.clone(),
            )));
        }
        let (plans_tx, mut plans_rx) = mpsc::unbounded_channel::<Vec<DecidedAction>>();
        let tap = observer.clone();
        let output = tokio::spawn(async move {
            while let Some(plan) = plans_rx.recv().await {
                if let Some(tap) = &tap {
                    tap.decided(&plan);
                }
                executor.execute(&plan)?;
            }
            executor.finish()
        });
        let (tx, mut rx) = mpsc::channel(1024);
        let source_queue = tx.downgrade();
        let source_tasks: Vec<_> = sources
            .into_iter()
            .map(|source| {
                let task = source.spawn(tx.clone());
                let stop = stop_sources_tx.clone();
                tokio::spawn(async move {
                    let result = task
                        .await
                        .unwrap_or_else(|e| Err(anyhow!("source task panicked: {e}")));
                    if let Err(e) = &result {
                        tracing::error!("{e:#}; stopping");
                        let _ = stop.send(true);
                    }
                    result
                })
            })
            .collect();
        drop(tx);
        let shared = Shared {
            store: self.store.clone(),
            secret: self.secret.clone(),
            stats: stats.clone(),
            plans: plans_tx,
            batch_size: self.batch_size,
            read_ahead_events: self.read_ahead,
            tick_every_ms: self.tick_every_ms,
            delivery: Arc::new(routes),
            live: self.live.clone(),
            instance_budget: self.instance_budget(),
            read_ahead: Arc::default(),
        };
        let read_ahead = shared.read_ahead.clone();
        let reloader = self.spawn_reloader(delivery_stop.clone());
        let mut router = Router::new(self.live.clone(), shared, self.workers);
        if let Some(observer) = &observer {
            let workers = router.queue_probe();
            observer.set_queue_probe(Box::new(move || {
                let sources = source_queue
                    .upgrade()
                    .map_or(0, |q| q.max_capacity() - q.capacity());
                (
                    sources,
                    workers() + read_ahead.load(std::sync::atomic::Ordering::Relaxed),
                )
            }));
        }
        let mut routing_error = None;
        while let Some(item) = rx.recv().await {
            if let Some(observer) = &observer {
                observer.received(&item);
            }
            if let Err(e) = router.route(item).await {
                routing_error = Some(e);
                break;
            }
        }
        drop(rx);
        let actors = router.finish().await;
        let mut source_error = None;
        for task in source_tasks {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => source_error = source_error.or(Some(e)),
                Err(e) => {
                    source_error = source_error.or(Some(anyhow!("source task panicked: {e}")))
                }
            }
        }
        let output = output
            .await
            .map_err(|e| anyhow!("output task panicked: {e}"))?;
        let _ = delivery_stop_tx.send(true);
        if let Some(task) = reloader {
            let _ = task.await;
        }
        let mut delivery_error = None;
        for task in deliveries {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => delivery_error = delivery_error.or(Some(e)),
                Err(e) => {
                    delivery_error = delivery_error.or(Some(anyhow!("delivery task panicked: {e}")))
                }
            }
        }
        self.store.flush()?;
        if let Some(e) = delivery_error {
            return Err(e);
        }
        if let Some(e) = routing_error {
            return Err(e);
        }
        actors?;
        output?;
        if let Some(e) = source_error {
            return Err(e);
        }
        Ok(stats.snapshot())
    }
}

impl Vigie {
    /// Follows the config and plugin files until `stop` turns true (hot
    /// reload), when the host was built to watch them.
    fn spawn_reloader(&self, stop: watch::Receiver<bool>) -> Option<tokio::task::JoinHandle<()>> {
        let reloader = self.watch.clone()?;
        Some(tokio::spawn(async move {
            if let Err(e) = reloader.run(stop).await {
                tracing::error!("hot reload stopped: {e:#}");
            }
        }))
    }

    /// Runs this host as one host of a cluster (`[cluster]`,
    /// [`crate::cluster`]) until `shutdown` turns true: the sources'
    /// events are published to the cluster, the partitions this host
    /// holds are handled through the same chains, and the actions of its
    /// connectors are carried out here. Hot reload follows the local
    /// files as on a single host, and the plugin versions published to the
    /// cluster ([`crate::cluster::plugins`]).
    pub async fn run_cluster(
        &self,
        cluster: &crate::cluster::ClusterConfig,
        base_dir: &std::path::Path,
        sources: Vec<Box<dyn Source>>,
        executor: Box<dyn Executor>,
        shutdown: watch::Receiver<bool>,
    ) -> Result<Summary> {
        let parts = crate::cluster::host::HostParts {
            live: self.live.clone(),
            store: self.store.clone(),
            secret: self.secret.clone(),
            batch_size: self.batch_size,
            read_ahead: self.read_ahead,
            tick_every_ms: self.tick_every_ms,
            workers: self.workers,
            connectors: &self.connectors,
            review_alert_after: self.review_alert_after,
            budget: self.instance_budget(),
        };
        let (reload_stop_tx, reload_stop) = watch::channel(false);
        // Plugin versions published to the cluster go through the same
        // reload as the local files: followed only when the host reloads.
        let follower = self.watch.as_ref().map(|reloader| {
            tokio::spawn(crate::cluster::plugins::follow(
                cluster.clone(),
                base_dir.to_path_buf(),
                reloader.published.clone(),
                reload_stop.clone(),
            ))
        });
        let reloader = self.spawn_reloader(reload_stop);
        let result =
            crate::cluster::host::run(parts, cluster, base_dir, sources, executor, shutdown).await;
        let _ = reload_stop_tx.send(true);
        if let Some(task) = reloader {
            let _ = task.await;
        }
        if let Some(task) = follower {
            let _ = task.await;
        }
        result
    }
}

impl Vigie {
    /// Each worker's share of the memory budget and of the instance pool.
    /// A quarter of the pool stays free for what is not a community's
    /// (plugin checks on reload, replacements of failed instances).
    fn instance_budget(&self) -> crate::community::InstanceBudget {
        let workers = self.workers.max(1);
        crate::community::InstanceBudget {
            bytes: self.memory_budget_bytes / workers as u64,
            instances: ((self.max_instances as usize * 3 / 4) / workers).max(1),
        }
    }
}

impl VigieBuilder {
    /// Use this runtime (engine) instead of creating one.
    pub fn runtime(mut self, runtime: Runtime) -> Self {
        self.runtime = Some(runtime);
        self
    }
    /// Use this store instead of opening the config's data directory.
    pub fn store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }
    /// Use this secret instead of the data directory's key.
    pub fn secret(mut self, secret: Secret) -> Self {
        self.secret = Some(Arc::new(secret));
        self
    }
    /// Follow changes to this config file and the plugin files it names
    /// while running (hot reload); `build_from_config` must get the same
    /// config.
    pub fn watch(mut self, config_path: impl Into<std::path::PathBuf>) -> Self {
        self.watch = Some(config_path.into());
        self
    }

    /// Start on these plugin components published to the cluster instead
    /// of the files the config names (those that fail their checks fall
    /// back to the file), and follow the new ones (with `watch`).
    pub fn published(mut self, published: crate::reload::PublishedVersions) -> Self {
        self.published = published;
        self
    }

    /// Most events per plugin call when events queue up (1: never batch).
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = Some(n.max(1));
        self
    }

    /// Most events a worker holds read ahead of what it runs (1: run each
    /// event as it comes); see `runtime.read_ahead`.
    pub fn read_ahead(mut self, events: usize) -> Self {
        self.read_ahead = Some(events.max(1));
        self
    }

    /// Memory plugin instances may hold, in MiB (least recently used
    /// communities' instances are dropped past it).
    pub fn memory_budget_mib(mut self, mib: u64) -> Self {
        self.memory_budget_mib = Some(mib.max(1));
        self
    }

    /// How many instances the runtime's pool holds (when the builder makes
    /// the runtime) and so how many the communities may keep.
    pub fn max_instances(mut self, n: u32) -> Self {
        self.max_instances = Some(n.max(1));
        self
    }

    /// Worker threads running community chains (default: one per core).
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = Some(n.max(1));
        self
    }

    /// Feeds the web console: the run counts in its stats and hands it
    /// each event and decided action (see [`Vigie::run_until`]).
    pub fn observer(mut self, observer: Arc<crate::console::Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Builds the host a config describes: opens its data directory (store,
    /// secret, compile cache) unless given, loads and checks every plugin
    /// its chains use.
    pub fn build_from_config(mut self, config: &Config) -> Result<Vigie> {
        let data_dir = config.data_dir();
        let needs_dir = self.store.is_none() || self.secret.is_none() || self.runtime.is_none();
        // A host that owns its data directory keeps every plugin version it
        // runs there (`vigie replay --against-version`).
        let versions = self
            .store
            .is_none()
            .then(|| crate::versions::KeptVersions::new(&data_dir));
        if needs_dir {
            std::fs::create_dir_all(&data_dir)
                .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
        }
        let runtime = match self.runtime.take() {
            Some(r) => r,
            None => Runtime::builder()
                .max_instances(self.max_instances.unwrap_or(config.runtime.max_instances))
                .cache_dir(config.runtime.compile_cache.then(|| data_dir.join("cache")))
                .build()?,
        };
        let store: Arc<dyn Store> = match self.store.take() {
            Some(s) => s,
            None => Arc::new(SledStore::open(&data_dir.join("store"))?),
        };
        let secret = match self.secret.take() {
            Some(s) => s,
            None => Arc::new(Secret::load_or_create(&data_dir)?),
        };
        let published = self.published.clone();
        let routes = load_routes_with(
            config,
            &runtime,
            &store,
            &secret,
            versions.as_ref(),
            &published.accepted(),
        )?;
        let live = Arc::new(LiveRoutes::new(routes));
        published.keep_serving(&live);
        let watch = self.watch.take().map(|config_path| Reloader {
            config_path,
            runtime: runtime.clone(),
            baseline: Runtime::builder()
                .baseline(true)
                .max_instances(config.runtime.max_instances)
                .build()
                .map_err(|e| tracing::warn!("no baseline compiler for hot reload: {e:#}"))
                .ok(),
            store: store.clone(),
            secret: secret.clone(),
            live: live.clone(),
            config: config.clone(),
            versions: versions.clone(),
            published,
        });
        Ok(Vigie {
            live,
            watch,
            store,
            secret,
            batch_size: self.batch_size.unwrap_or(config.runtime.batch_size),
            read_ahead: self.read_ahead.unwrap_or(config.runtime.read_ahead).max(1),
            tick_every_ms: (config.runtime.tick_every_s.max(1) * 1000) as i64,
            workers: match (self.workers, config.runtime.workers) {
                (Some(n), _) => n,
                (None, 0) => default_workers(),
                (None, n) => n,
            },
            memory_budget_bytes: self
                .memory_budget_mib
                .unwrap_or(config.runtime.memory_budget_mib)
                << 20,
            max_instances: self.max_instances.unwrap_or(config.runtime.max_instances),
            review_alert_after: Duration::from_secs(config.review.alert_after_min.max(1) * 60),
            digests: config
                .digests
                .iter()
                .map(|d| d.check())
                .collect::<Result<_>>()?,
            observer: self.observer.take(),
            connectors: config
                .connectors
                .iter()
                .map(|c| Ok((c.build(&config.base_dir)?, c.rate())))
                .collect::<Result<_>>()?,
        })
    }

    /// A host where every community goes through the same chain of already
    /// loaded plugins (`vigie test`, benchmarks). Uses an in-memory store and
    /// a random secret unless given.
    pub fn build_with_chain(self, chain: Vec<Arc<PluginDef>>) -> Result<Vigie> {
        let store: Arc<dyn Store> = match self.store {
            Some(s) => s,
            None => Arc::new(SledStore::temporary()?),
        };
        Ok(Vigie {
            live: Arc::new(LiveRoutes::new(Routes {
                communities: HashMap::new(),
                default_chain: Some(chain),
            })),
            watch: None,
            store,
            secret: self.secret.unwrap_or_else(|| Arc::new(Secret::random())),
            batch_size: self.batch_size.unwrap_or(64),
            read_ahead: self.read_ahead.unwrap_or(crate::config::DEFAULT_READ_AHEAD),
            tick_every_ms: self.tick_every_ms,
            workers: self.workers.unwrap_or_else(default_workers),
            connectors: Vec::new(),
            memory_budget_bytes: self.memory_budget_mib.unwrap_or(1024) << 20,
            max_instances: self.max_instances.unwrap_or(1000),
            review_alert_after: Duration::from_secs(3600),
            digests: Vec::new(),
            observer: self.observer,
        })
    }
}

/// One worker thread per core.
fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Reads the community files and loads every plugin entry the chains use:
/// the routes a host starts with. A bad community file stops the start,
/// as a bad `vigie.toml` does (while running, one is refused alone).
pub fn load_routes(
    config: &Config,
    runtime: &Runtime,
    store: &Arc<dyn Store>,
    secret: &Arc<Secret>,
    versions: Option<&crate::versions::KeptVersions>,
) -> Result<Routes> {
    load_routes_with(config, runtime, store, secret, versions, &BTreeMap::new())
}

/// As [`load_routes`], with the plugin components published to the
/// cluster in place of the files their entries name; one that fails its
/// checks is refused with the reason, and the file serves.
pub fn load_routes_with(
    config: &Config,
    runtime: &Runtime,
    store: &Arc<dyn Store>,
    secret: &Arc<Secret>,
    versions: Option<&crate::versions::KeptVersions>,
    published: &BTreeMap<String, crate::reload::PublishedVersion>,
) -> Result<Routes> {
    let load = |entry: PluginEntry| -> Result<PluginDef> {
        let from_cluster = published.get(&entry.name).and_then(|v| {
            match PluginDef::load(
                runtime,
                v.entry(entry.clone()),
                &v.bytes,
                store.clone(),
                secret.clone(),
            ) {
                Ok(def) => Some((def, v.bytes.as_ref().clone())),
                Err(e) => {
                    tracing::error!(
                        "plugin `{}`: the version published to the cluster ({}) is refused, the \
                         file {} serves: {e:#}",
                        entry.name,
                        &v.hash[..12],
                        entry.component
                    );
                    None
                }
            }
        });
        let (def, bytes) = match from_cluster {
            Some(loaded) => loaded,
            None => {
                let bytes = builtin::component_bytes(&entry.component)
                    .with_context(|| format!("plugin `{}`", entry.name))?;
                let def = PluginDef::load(runtime, entry, &bytes, store.clone(), secret.clone())?;
                (def, bytes)
            }
        };
        if let Some(versions) = versions {
            if let Err(e) = versions.keep(&def, &bytes) {
                tracing::warn!(
                    "plugin `{}`: its version is not kept for replay: {e:#}",
                    def.entry.name
                );
            }
        }
        Ok(def)
    };
    let files = config.read_community_files()?;
    if !files.refused.is_empty() {
        let errors: Vec<String> = files
            .refused
            .iter()
            .map(|(_, e)| format!("  {e:#}"))
            .collect();
        bail!(
            "{} community file(s) refused (fix them, or move them out of communities_dir):\n{}",
            errors.len(),
            errors.join("\n")
        );
    }
    if !files.files.is_empty() {
        tracing::info!("{} community file(s) read", files.files.len());
    }
    for connector in &config.connectors {
        let community = connector.community();
        let declared =
            config.chain_for(community).is_some() || files.files.iter().any(|f| f.id == community);
        if !declared {
            bail!(
                "{}: connector `{}`: community `{community}` has no chain (add it under [[communities]], \
                 as {community}.toml in communities_dir, or set default_chain)",
                config.origin,
                connector.name()
            );
        }
    }
    let mut used: BTreeSet<&String> = config
        .communities
        .iter()
        .flat_map(|c| c.chain.iter().map(|n| n.get_ref()))
        .chain(config.default_chain.iter().flatten().map(|n| n.get_ref()))
        .collect();
    for file in &files.files {
        used.extend(
            file.chain
                .iter()
                .filter(|n| !file.overrides.contains_key(*n)),
        );
    }
    let mut base = BTreeMap::new();
    for name in used {
        let entry = config.plugin_entry(name)?;
        let def = load(entry)?;
        base.insert(name.clone(), Arc::new(def));
    }
    let entries = RouteEntries::of(config, &files.files);
    let total = entries.overridden.len();
    let started = std::time::Instant::now();
    let mut overridden = HashMap::new();
    for (i, (key, (entry, at))) in entries.overridden.into_iter().enumerate() {
        let def = load(entry)
            .with_context(|| format!("{at}: the plugin's config with this community's keys"))?;
        overridden.insert(key, Arc::new(def));
        if (i + 1) % 25 == 0 || i + 1 == total {
            tracing::info!(
                "community overrides: {} of {total} plugin configs loaded ({:.1} s)",
                i + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(Routes::assemble(
        config,
        &files.files,
        &base,
        &overridden,
        None,
    ))
}

/// Reads and loads one plugin entry.
pub fn load_entry(
    runtime: &Runtime,
    entry: PluginEntry,
    store: Arc<dyn Store>,
    secret: Arc<Secret>,
) -> Result<PluginDef> {
    let bytes = builtin::component_bytes(&entry.component)
        .with_context(|| format!("plugin `{}`", entry.name))?;
    PluginDef::load(runtime, entry, &bytes, store, secret)
}
