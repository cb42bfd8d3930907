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
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

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
            let this = ReloadJob {
                config_path: self.config_path.clone(),
                runtime: self.runtime.clone(),
                baseline: self.baseline.clone(),
                store: self.store.clone(),
                secret: self.secret.clone(),
                live: self.live.clone(),
                previous: config,
                versions: self.versions.clone(),
            };
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
            let bytes = match builtin::component_bytes(&entry.component) {
                Ok(b) => b,
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
            let bytes = builtin::component_bytes(&entry.component);
            if let (Some(old), Ok(bytes)) = (in_force.get(&key), &bytes) {
                if old.entry == entry && old.loaded.hash == crate::runtime::hash_hex(bytes) {
                    overridden.insert(key, old.clone());
                    continue;
                }
            }
            match bytes.and_then(|bytes| {
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
