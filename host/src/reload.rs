//! Hot reload: watches the config file, the plugin files and the plugins'
//! `config_file`s (notify), and when they change, compiles and validates
//! the new versions off the event path, then publishes new routes. Each community actor picks them up
//! between two batches, so no event sees half a chain and none is dropped
//! or handled twice.
//!
//! A new version must compile, instantiate, `describe` and accept its
//! config, or it is rejected with a log line and the old one keeps serving;
//! one that fails on its first events is rolled back by the chain (see
//! [`crate::chain::Chain::update`]). Only plugins whose file or entry
//! changed are reloaded; plugin state lives in the store and carries over.
//!
//! In a cluster, a plugin component published to the cluster
//! (`vigie cluster publish`, [`crate::cluster::plugins`]) replaces the file
//! its entry names: [`PublishedVersions`] holds those bytes, and a new
//! published version goes through this same reload (compile, checks,
//! `configure`), or is refused and the running version stays.

use crate::builtin;
use crate::chain::PluginDef;
use crate::config::community_file::community_id as community_file_id;
use crate::config::Config;
use crate::router::{EntryKey, LiveRoutes, RouteEntries, Routes};
use crate::runtime::{Runtime, Secret};
use crate::store::Store;
use anyhow::Result;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// One plugin component published to the cluster.
#[derive(Clone, Debug)]
pub struct PublishedVersion {
    pub bytes: Arc<Vec<u8>>,
    /// The component's SHA-256 (hex), as actions and logs name it.
    pub hash: String,
}

impl PublishedVersion {
    pub fn new(bytes: Vec<u8>) -> PublishedVersion {
        PublishedVersion {
            hash: crate::runtime::hash_hex(&bytes),
            bytes: Arc::new(bytes),
        }
    }

    /// `entry`, running this version instead of its file.
    pub fn entry(&self, mut entry: crate::config::PluginEntry) -> crate::config::PluginEntry {
        entry.component = format!(
            "cluster:{}/{}@{}",
            crate::cluster::plugins::PLUGIN_BUCKET,
            entry.name,
            &self.hash[..12]
        );
        entry
    }
}

/// The plugin components published to the cluster, by plugin name: they
/// replace the component file the config names. `accepted` are those in
/// force (or in force at start); `pending` those received and not yet
/// through the reload's checks. Shared by the cluster's follower (which
/// adds to `pending` and wakes the reloader) and the reloader (which tries
/// them, then keeps or drops each).
#[derive(Clone, Default)]
pub struct PublishedVersions {
    inner: Arc<Mutex<Published>>,
    wake: Arc<tokio::sync::Notify>,
}

#[derive(Default)]
struct Published {
    accepted: BTreeMap<String, PublishedVersion>,
    /// `None`: the published version was removed (back to the file).
    pending: BTreeMap<String, Option<PublishedVersion>>,
}

impl PublishedVersions {
    /// With the versions a host starts on (already checked at load).
    pub fn starting_with(accepted: BTreeMap<String, PublishedVersion>) -> PublishedVersions {
        let versions = PublishedVersions::default();
        versions.lock().accepted = accepted;
        versions
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Published> {
        // A panic elsewhere while holding it leaves plain maps: still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new version of `plugin` was published (`None`: removed); the
    /// reloader tries it at once.
    pub fn offer(&self, plugin: &str, version: Option<PublishedVersion>) {
        self.lock().pending.insert(plugin.to_string(), version);
        self.wake.notify_one();
    }

    /// The hash of the version of `plugin` in force or waiting to be tried.
    pub fn latest_hash(&self, plugin: &str) -> Option<String> {
        let published = self.lock();
        match published.pending.get(plugin) {
            Some(v) => v.as_ref().map(|v| v.hash.clone()),
            None => published.accepted.get(plugin).map(|v| v.hash.clone()),
        }
    }

    /// What a plugin entry runs: its published version (the entry then
    /// names it `cluster:vigie-plugins/NAME@HASH`, so errors, the console and
    /// the kept versions say where it came from), else the component file
    /// its entry names.
    pub fn resolve(
        map: &BTreeMap<String, PublishedVersion>,
        entry: crate::config::PluginEntry,
    ) -> Result<(crate::config::PluginEntry, Vec<u8>)> {
        match map.get(&entry.name) {
            Some(v) => Ok((v.entry(entry), v.bytes.as_ref().clone())),
            None => {
                let bytes = builtin::component_bytes(&entry.component)?;
                Ok((entry, bytes))
            }
        }
    }

    /// Takes the pending versions: the accepted ones with them on top, and
    /// what was pending (to settle after the reload).
    fn take_pending(
        &self,
    ) -> (
        BTreeMap<String, PublishedVersion>,
        BTreeMap<String, Option<PublishedVersion>>,
    ) {
        let mut published = self.lock();
        let pending = std::mem::take(&mut published.pending);
        let mut candidate = published.accepted.clone();
        for (name, version) in &pending {
            match version {
                Some(v) => candidate.insert(name.clone(), v.clone()),
                None => candidate.remove(name),
            };
        }
        (candidate, pending)
    }

    /// After a reload: a pending version now in force is accepted; one the
    /// checks refused is dropped (the reload logged why), so later reloads
    /// of the local files do not try it again.
    fn settle(&self, pending: BTreeMap<String, Option<PublishedVersion>>, live: &LiveRoutes) {
        let in_force = live.snapshot().definitions();
        let mut published = self.lock();
        for (name, version) in pending {
            match version {
                None => {
                    published.accepted.remove(&name);
                    let from_file = in_force
                        .values()
                        .filter(|d| d.entry.name == name)
                        .all(|d| !d.entry.component.starts_with("cluster:"));
                    if from_file {
                        tracing::info!(
                            "plugin `{name}`: its published version was removed; the component \
                             file of its entry serves"
                        );
                    } else {
                        tracing::error!(
                            "plugin `{name}`: its published version was removed, but the \
                             component file of its entry was refused (see above): the published \
                             version keeps serving until the file loads"
                        );
                    }
                }
                Some(v) if !in_force.values().any(|d| d.entry.name == name) => {
                    tracing::info!(
                        "plugin `{name}`: a version was published to the cluster, but no chain of \
                         this host runs `{name}`"
                    );
                    published.accepted.insert(name, v);
                }
                Some(v) => {
                    let serving = in_force
                        .values()
                        .any(|d| d.entry.name == name && d.loaded.hash == v.hash);
                    if serving {
                        tracing::info!(
                            "plugin `{name}`: the version published to the cluster ({}) serves",
                            &v.hash[..12]
                        );
                        published.accepted.insert(name, v);
                    } else {
                        tracing::error!(
                            "plugin `{name}`: the version published to the cluster ({}) was \
                             refused (see above); the running version keeps serving",
                            &v.hash[..12]
                        );
                    }
                }
            }
        }
    }

    /// At start: drops the published versions the host could not load
    /// ([`crate::pipeline::load_routes`] fell back to the file and said why).
    pub fn keep_serving(&self, live: &LiveRoutes) {
        let in_force = live.snapshot().definitions();
        self.lock().accepted.retain(|name, v| {
            let mut running = in_force.values().filter(|d| d.entry.name == *name);
            // Kept when no chain runs it: it serves if a chain comes to.
            running.clone().next().is_none() || running.any(|d| d.loaded.hash == v.hash)
        });
    }

    /// The versions in force.
    pub fn accepted(&self) -> BTreeMap<String, PublishedVersion> {
        self.lock().accepted.clone()
    }
}

/// Editors write a file in several steps: wait this long after the last
/// change before reloading.
pub const DEBOUNCE: Duration = Duration::from_millis(50);

/// Watches a config and its plugin files; reloads what changed.
#[derive(Clone)]
pub struct Reloader {
    pub config_path: PathBuf,
    pub runtime: Runtime,
    /// Compiles new versions with the baseline compiler first, so they
    /// serve at once; the optimised code replaces them when ready.
    pub baseline: Option<Runtime>,
    pub store: Arc<dyn Store>,
    pub secret: Arc<Secret>,
    pub live: Arc<LiveRoutes>,
    /// The config as loaded at start (for what cannot change live).
    pub config: Config,
    /// Where the versions it loads are kept (a host owning its data
    /// directory).
    pub versions: Option<crate::versions::KeptVersions>,
    /// The components published to the cluster (a cluster host).
    pub published: PublishedVersions,
}

impl Reloader {
    /// Runs until `shutdown`; each change is debounced then reloaded.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) -> Result<()> {
        use notify::{RecursiveMode, Watcher};
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if let Ok(event) = event {
                    if !matches!(event.kind, notify::EventKind::Access(_)) {
                        let _ = tx.send(event.paths);
                    }
                }
            })?;
        let mut watched: HashSet<PathBuf> = HashSet::new();
        let mut config = self.config.clone();
        let mut files = self.watch_list(&config);
        let mut community_dir = config.communities_dir().map(|d| absolute(&d));
        for dir in files
            .iter()
            .filter_map(|f| f.parent())
            .chain(community_dir.as_deref())
        {
            if watched.insert(dir.to_path_buf()) {
                watcher.watch(dir, RecursiveMode::NonRecursive)?;
            }
        }
        tracing::info!(
            "watching {} and {} plugin and plugin config file(s){} for changes",
            self.config_path.display(),
            files.len().saturating_sub(1),
            community_dir
                .as_ref()
                .map(|d| format!(" and the community files of {}", d.display()))
                .unwrap_or_default()
        );
        loop {
            let paths = tokio::select! {
                p = rx.recv() => match p { Some(p) => p, None => return Ok(()) },
                _ = self.published.wake.notified() => {
                    config = self.reload_published(config).await?;
                    continue;
                }
                _ = shutdown.changed() => return Ok(()),
            };
            let mut touched: HashSet<PathBuf> = paths.into_iter().collect();
            // Debounce the editor's burst.
            loop {
                tokio::select! {
                    more = rx.recv() => match more {
                        Some(p) => touched.extend(p),
                        None => return Ok(()),
                    },
                    _ = tokio::time::sleep(DEBOUNCE) => break,
                }
            }
            let mut changed: Vec<&PathBuf> = files
                .iter()
                .filter(|f| touched.iter().any(|p| same_file(f, p)))
                .collect();
            if let Some(dir) = &community_dir {
                changed.extend(touched.iter().filter(|p| {
                    community_file_id(p).is_some()
                        && p.parent().is_some_and(|d| absolute(d) == *dir)
                }));
            }
            changed.sort();
            changed.dedup();
            if changed.is_empty() {
                continue;
            }
            tracing::info!(
                "{} changed: reloading what it concerns",
                changed
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let started = Instant::now();
            let this = self.job(config, self.published.accepted());
            let next = tokio::task::spawn_blocking(move || this.reload())
                .await
                .map_err(|e| anyhow::anyhow!("reload task panicked: {e}"))?;
            config = next;
            tracing::debug!("reload took {:?}", started.elapsed());
            files = self.watch_list(&config);
            community_dir = config.communities_dir().map(|d| absolute(&d));
            for dir in files
                .iter()
                .filter_map(|f| f.parent())
                .chain(community_dir.as_deref())
            {
                if watched.insert(dir.to_path_buf()) {
                    watcher.watch(dir, RecursiveMode::NonRecursive)?;
                }
            }
        }
    }

    fn job(&self, previous: Config, published: BTreeMap<String, PublishedVersion>) -> ReloadJob {
        ReloadJob {
            config_path: self.config_path.clone(),
            runtime: self.runtime.clone(),
            baseline: self.baseline.clone(),
            store: self.store.clone(),
            secret: self.secret.clone(),
            live: self.live.clone(),
            previous,
            versions: self.versions.clone(),
            published,
        }
    }

    /// Tries the versions published to the cluster since the last time,
    /// through the same reload as a changed file; returns the config now
    /// in force.
    async fn reload_published(&self, config: Config) -> Result<Config> {
        let (candidate, pending) = self.published.take_pending();
        if pending.is_empty() {
            return Ok(config);
        }
        tracing::info!(
            "new version(s) of {} published to the cluster: reloading",
            pending
                .keys()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let this = self.job(config, candidate);
        let next = tokio::task::spawn_blocking(move || this.reload())
            .await
            .map_err(|e| anyhow::anyhow!("reload task panicked: {e}"))?;
        self.published.settle(pending, &self.live);
        Ok(next)
    }

    /// The config file, every plugin component file it names, and every
    /// plugin's `config_file`.
    fn watch_list(&self, config: &Config) -> Vec<PathBuf> {
        let mut files = vec![absolute(&self.config_path)];
        for (name, plugin) in &config.plugins {
            if let Ok(entry) = config.plugin_entry(name) {
                if !entry.component.starts_with("builtin:") {
                    files.push(absolute(Path::new(&entry.component)));
                }
            }
            // Watched even when it does not read: fixing it reloads.
            if let Some(file) = &plugin.config_file {
                files.push(absolute(&config.base_dir.join(file.get_ref())));
            }
        }
        files
    }
}

fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || absolute(b) == *a || a.file_name() == b.file_name() && a.parent() == b.parent()
}

struct ReloadJob {
    config_path: PathBuf,
    runtime: Runtime,
    baseline: Option<Runtime>,
    store: Arc<dyn Store>,
    secret: Arc<Secret>,
    live: Arc<LiveRoutes>,
    previous: Config,
    versions: Option<crate::versions::KeptVersions>,
    /// Components published to the cluster: they replace the files.
    published: BTreeMap<String, PublishedVersion>,
}

impl ReloadJob {
    /// Keeps a version it loads, for `vigie replay --against-version`.
    fn keep(&self, def: &PluginDef, bytes: &[u8]) {
        if let Some(versions) = &self.versions {
            if let Err(e) = versions.keep(def, bytes) {
                tracing::warn!(
                    "plugin `{}`: its version is not kept for replay: {e:#}",
                    def.entry.name
                );
            }
        }
    }

    /// Reloads what changed; returns the config now in force.
    fn reload(self) -> Config {
        let config = match Config::load(&self.config_path) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!("config change rejected, the running chains keep serving: {e:#}");
                return self.previous;
            }
        };
        if config.connectors.len() != self.previous.connectors.len()
            || config.data_dir() != self.previous.data_dir()
        {
            tracing::warn!(
                "changes to [[connectors]], data_dir or [runtime] take effect at the next start"
            );
        }
        let running = self.live.snapshot();
        let in_force = running.definitions();
        // The definitions in force, by plugin name (community overrides apart).
        let current: BTreeMap<String, Arc<PluginDef>> = in_force
            .values()
            .filter(|d| !d.entry.overridden)
            .map(|d| (d.entry.name.clone(), d.clone()))
            .collect();
        let mut defs: BTreeMap<String, Arc<PluginDef>> = BTreeMap::new();
        let mut changed = Vec::new();
        for name in config.plugins.keys() {
            let keep_current = |defs: &mut BTreeMap<String, Arc<PluginDef>>| {
                if let Some(d) = current.get(name) {
                    defs.insert(name.clone(), d.clone());
                }
            };
            let entry = match config.plugin_entry(name) {
                Ok(e) => e,
                Err(e) => {
                    tracing::error!("plugin `{name}`: {e:#}; its current version keeps serving");
                    keep_current(&mut defs);
                    continue;
                }
            };
            let (entry, bytes) = match PublishedVersions::resolve(&self.published, entry) {
                Ok(resolved) => resolved,
                Err(e) => {
                    tracing::error!("plugin `{name}`: {e:#}; its current version keeps serving");
                    keep_current(&mut defs);
                    continue;
                }
            };
            if let Some(old) = current.get(name) {
                if old.entry == entry && old.loaded.hash == crate::runtime::hash_hex(&bytes) {
                    defs.insert(name.clone(), old.clone());
                    continue;
                }
            }
            changed.push((name.clone(), entry, bytes));
        }
        // First pass: the baseline compiler, fast, so the new versions
        // serve at once; a version it cannot compile goes straight to the
        // optimising compiler.
        let started = Instant::now();
        let mut pending = Vec::new();
        for (name, entry, bytes) in changed {
            let quick = self.baseline.as_ref().and_then(|baseline| {
                load_entry_bytes(baseline, entry.clone(), &bytes, &self.store, &self.secret)
                    .map_err(|e| tracing::debug!(plugin = name, "baseline compile failed: {e:#}"))
                    .ok()
            });
            match quick {
                Some(def) => {
                    tracing::info!(
                        "plugin `{name}` {}: new version ready (baseline code) in {:?}: serving from \
                         each community's next event",
                        version_of(&def),
                        started.elapsed()
                    );
                    self.keep(&def, &bytes);
                    defs.insert(name.clone(), Arc::new(def));
                    pending.push((name, entry, bytes));
                }
                None => {
                    match load_entry_bytes(&self.runtime, entry, &bytes, &self.store, &self.secret)
                    {
                        Ok(def) => {
                            tracing::info!(
                                "plugin `{name}` {}: new version ready in {:?}: serving from each \
                                 community's next event",
                                version_of(&def),
                                started.elapsed()
                            );
                            self.keep(&def, &bytes);
                            defs.insert(name.clone(), Arc::new(def));
                        }
                        Err(e) => {
                            tracing::error!(
                            "new version of plugin `{name}` rejected, the current one keeps serving: {e:#}"
                        );
                            if let Some(d) = current.get(&name) {
                                defs.insert(name.clone(), d.clone());
                            }
                        }
                    }
                }
            }
        }
        self.publish(&config, &defs, &running, &in_force);
        // Second pass, in the background (the next change is not held up):
        // the optimised code replaces the baseline code, unless a newer
        // version came meanwhile.
        if !pending.is_empty() {
            let upgrades: Vec<_> = pending
                .into_iter()
                .filter_map(|(name, entry, bytes)| {
                    let quick = defs.get(&name)?.clone();
                    Some((name, entry, bytes, quick))
                })
                .collect();
            let (runtime, store, secret, live) = (
                self.runtime.clone(),
                self.store.clone(),
                self.secret.clone(),
                self.live.clone(),
            );
            std::thread::spawn(move || {
                for (name, entry, bytes, quick) in upgrades {
                    match load_entry_bytes(&runtime, entry, &bytes, &store, &secret) {
                        Ok(def) => {
                            let def = Arc::new(def);
                            if live.replace(&quick, def.clone()) {
                                tracing::info!(
                                    "plugin `{name}` {}: optimised code of the new version serving",
                                    version_of(&def)
                                );
                            }
                        }
                        Err(e) => tracing::warn!(
                            plugin = name,
                            "the optimising compiler failed on the new version ({e:#}); it keeps running baseline code"
                        ),
                    }
                }
            });
        }
        config
    }

    /// Publishes the chains the config and its community files list, with
    /// these definitions. A community file that is refused, or whose
    /// overrides the plugin refuses, keeps its community's running chain.
    fn publish(
        &self,
        config: &Config,
        defs: &BTreeMap<String, Arc<PluginDef>>,
        running: &Routes,
        in_force: &HashMap<EntryKey, Arc<PluginDef>>,
    ) {
        let files = match config.read_community_files() {
            Ok(files) => files,
            Err(e) => {
                tracing::error!("{e:#}; the communities it declares keep their chains");
                Default::default()
            }
        };
        let mut refused: Vec<String> = Vec::new();
        for (id, e) in files.refused {
            tracing::error!("community file refused, `{id}` keeps its current chain: {e:#}");
            refused.push(id);
        }
        let entries = RouteEntries::of(config, &files.files);
        let mut overridden = HashMap::new();
        for (key, (entry, at)) in entries.overridden {
            let resolved = PublishedVersions::resolve(&self.published, entry);
            if let (Some(old), Ok((entry, bytes))) = (in_force.get(&key), &resolved) {
                if old.entry == *entry && old.loaded.hash == crate::runtime::hash_hex(bytes) {
                    overridden.insert(key, old.clone());
                    continue;
                }
            }
            match resolved.and_then(|(entry, bytes)| {
                let def = load_entry_bytes(&self.runtime, entry, &bytes, &self.store, &self.secret)?;
                self.keep(&def, &bytes);
                Ok(def)
            }) {
                Ok(def) => {
                    tracing::info!(plugin = key.0, "{at}: this community's config of `{}` loaded", key.0);
                    overridden.insert(key, Arc::new(def));
                }
                Err(e) => tracing::error!(
                    "{at}: the plugin refused this community's config, its communities keep their current chain: {e:#}"
                ),
            }
        }
        let mut routes = Routes::assemble(config, &files.files, defs, &overridden, Some(running));
        routes.keep_running(running, refused.iter());
        let unchanged = same_routes(running, &routes);
        if !unchanged {
            let before = running.communities.len();
            self.live.publish(routes);
            let after = self.live.snapshot().communities.len();
            if after != before {
                tracing::info!("{after} communities have their own chain (were {before})");
            }
        }
    }
}

/// A plugin version as the log names it: its declared version and the
/// start of its component hash (`vigie replay --against-version` takes it).
fn version_of(def: &PluginDef) -> String {
    format!(
        "{} ({})",
        def.description.version,
        &def.loaded.hash[..def.loaded.hash.len().min(12)]
    )
}

fn load_entry_bytes(
    runtime: &Runtime,
    entry: crate::config::PluginEntry,
    bytes: &[u8],
    store: &Arc<dyn Store>,
    secret: &Arc<Secret>,
) -> Result<PluginDef> {
    PluginDef::load(runtime, entry, bytes, store.clone(), secret.clone())
}

fn same_routes(a: &Routes, b: &Routes) -> bool {
    let same_chain = |x: &Vec<Arc<PluginDef>>, y: &Vec<Arc<PluginDef>>| {
        x.len() == y.len() && x.iter().zip(y).all(|(p, q)| Arc::ptr_eq(p, q))
    };
    a.communities.len() == b.communities.len()
        && a.communities
            .iter()
            .all(|(k, v)| b.communities.get(k).is_some_and(|w| same_chain(v, w)))
        && match (&a.default_chain, &b.default_chain) {
            (None, None) => true,
            (Some(x), Some(y)) => same_chain(x, y),
            _ => false,
        }
}
