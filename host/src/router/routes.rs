//! Routes: the chain each community's events go through, built from
//! `vigie.toml` (`[[communities]]`, `default_chain`) and the community
//! files, and published as a whole ([`LiveRoutes`]) for the router and the
//! community actors to read; hot reload publishes new ones.

use crate::chain::{PluginDef, VersionNews};
use crate::config::{CommunityFile, Config, PluginEntry};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

/// The chains to build, per community.
#[derive(Clone, Default)]
pub struct Routes {
    pub communities: HashMap<String, Vec<Arc<PluginDef>>>,
    pub default_chain: Option<Vec<Arc<PluginDef>>>,
}

/// What tells plugin definitions apart: the entry's name and its config. A
/// community file's overrides make another entry of the same plugin, shared
/// by every community with the same overrides.
pub type EntryKey = (String, String);

pub fn entry_key(entry: &PluginEntry) -> EntryKey {
    (entry.name.clone(), entry.config_json.clone())
}

/// The distinct plugin entries the community files' overrides make, each
/// with the place that asked for it first (`file:line`).
#[derive(Default)]
pub struct RouteEntries {
    pub overridden: BTreeMap<EntryKey, (PluginEntry, String)>,
}

impl RouteEntries {
    pub fn of(config: &Config, files: &[CommunityFile]) -> RouteEntries {
        let mut out = RouteEntries::default();
        let mut base_json: HashMap<&str, Option<String>> = HashMap::new();
        for file in files {
            for (name, entry) in &file.entries {
                let base = base_json
                    .entry(name)
                    .or_insert_with(|| config.plugin_entry(name).ok().map(|e| e.config_json));
                // Keys that change nothing share the entry's definition.
                if base.as_deref() == Some(entry.config_json.as_str()) {
                    continue;
                }
                let at = file.override_at.get(name).cloned().unwrap_or_default();
                out.overridden
                    .entry(entry_key(entry))
                    .or_insert_with(|| ((**entry).clone(), at));
            }
        }
        out
    }
}

impl Routes {
    /// Every definition in use, by key.
    pub fn definitions(&self) -> HashMap<EntryKey, Arc<PluginDef>> {
        self.communities
            .values()
            .chain(self.default_chain.iter())
            .flatten()
            .map(|d| (entry_key(&d.entry), d.clone()))
            .collect()
    }

    /// The routes of `config` and its community `files`. `base` holds each
    /// plugin's definition by name (a name missing, because it could not be
    /// loaded, is left out of the chains); `overridden` those of the
    /// files' overrides. A file whose overrides have no definition keeps
    /// its community's chain in `running` (or is left out): a bad file
    /// never takes a community down.
    pub fn assemble(
        config: &Config,
        files: &[CommunityFile],
        base: &BTreeMap<String, Arc<PluginDef>>,
        overridden: &HashMap<EntryKey, Arc<PluginDef>>,
        running: Option<&Routes>,
    ) -> Routes {
        let chain = |names: &mut dyn Iterator<Item = &String>| -> Vec<Arc<PluginDef>> {
            names.filter_map(|n| base.get(n).cloned()).collect()
        };
        let mut routes = Routes::default();
        for community in &config.communities {
            routes.communities.insert(
                community.id.get_ref().clone(),
                chain(&mut community.chain.iter().map(|n| n.get_ref())),
            );
        }
        for file in files {
            let defs: Option<Vec<Arc<PluginDef>>> = file
                .chain
                .iter()
                .map(|name| match file.entries.get(name) {
                    None => Some(base.get(name).cloned()),
                    Some(_) => {
                        let key = entry_key(file.entries.get(name)?);
                        match overridden.get(&key) {
                            Some(def) => Some(Some(def.clone())),
                            // Keys that change nothing share the entry's definition.
                            None => base
                                .get(name)
                                .filter(|b| entry_key(&b.entry) == key)
                                .map(|b| Some(b.clone())),
                        }
                    }
                })
                .collect::<Option<Vec<Option<_>>>>()
                .map(|chain| chain.into_iter().flatten().collect());
            let defs = defs.or_else(|| running?.communities.get(&file.id).cloned());
            if let Some(defs) = defs {
                routes.communities.insert(file.id.clone(), defs);
            }
        }
        routes.default_chain = config
            .default_chain
            .as_ref()
            .map(|names| chain(&mut names.iter().map(|n| n.get_ref())));
        routes
    }

    /// Keeps the chains `running` gives these communities (whose files
    /// were refused).
    pub fn keep_running<'a>(&mut self, running: &Routes, ids: impl Iterator<Item = &'a String>) {
        for id in ids {
            if let Some(chain) = running.communities.get(id) {
                self.communities.insert(id.clone(), chain.clone());
            }
        }
    }
}

/// The routes the router and the actors read, replaced as a whole on reload.
pub struct LiveRoutes {
    generation: AtomicU64,
    routes: RwLock<Routes>,
    /// When each reloaded version (by hash) handled its first events.
    first_served: Mutex<HashMap<String, Instant>>,
    /// Versions rolled back after failing on their first events.
    rejected: Mutex<Vec<String>>,
    /// Quarantines to lift (the console): (community, plugin entry).
    lifts: Mutex<Vec<(String, String)>>,
}

impl LiveRoutes {
    pub fn new(routes: Routes) -> LiveRoutes {
        LiveRoutes {
            generation: AtomicU64::new(0),
            routes: RwLock::new(routes),
            first_served: Mutex::new(HashMap::new()),
            rejected: Mutex::new(Vec::new()),
            lifts: Mutex::new(Vec::new()),
        }
    }

    /// Asks `community`'s actor to lift `plugin`'s quarantine: it does
    /// before its next event or tick, as it takes a reload.
    pub fn lift_quarantine(&self, community: &str, plugin: &str) {
        self.lifts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((community.to_string(), plugin.to_string()));
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Whether lifting `plugin`'s quarantine in `community` is asked and
    /// not yet done.
    pub fn lift_pending(&self, community: &str, plugin: &str) -> bool {
        self.lifts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .any(|(c, p)| c == community && p == plugin)
    }

    /// The plugins whose quarantine `community` is asked to lift, taken.
    pub fn take_lifts(&self, community: &str) -> Vec<String> {
        let mut lifts = self.lifts.lock().unwrap_or_else(|p| p.into_inner());
        let mut taken = Vec::new();
        lifts.retain(|(c, plugin)| {
            let mine = c == community;
            if mine {
                taken.push(plugin.clone());
            }
            !mine
        });
        taken
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The chain for a community (its own, or the default).
    pub fn chain_for(&self, community: &str) -> Option<Vec<Arc<PluginDef>>> {
        let routes = self.routes.read().unwrap_or_else(|p| p.into_inner());
        routes
            .communities
            .get(community)
            .or(routes.default_chain.as_ref())
            .cloned()
    }

    pub fn snapshot(&self) -> Routes {
        self.routes
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn publish(&self, routes: Routes) {
        *self.routes.write().unwrap_or_else(|p| p.into_inner()) = routes;
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// What a chain reports about new versions.
    pub fn note(&self, news: Vec<VersionNews>) {
        for n in news {
            match n {
                VersionNews::Serving { hash, at, .. } => {
                    self.first_served
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .entry(hash)
                        .or_insert(at);
                }
                VersionNews::Rejected {
                    plugin,
                    rejected,
                    restored,
                    error,
                } => {
                    // Every community goes back to the version that works.
                    self.replace(&rejected, restored);
                    self.rejected
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(format!("{plugin} {}: {error}", rejected.loaded.hash));
                }
            }
        }
    }

    /// Puts `new` wherever `old` is (the same version, better code);
    /// false when `old` is no longer in use (a newer version came).
    pub fn replace(&self, old: &Arc<PluginDef>, new: Arc<PluginDef>) -> bool {
        // In place, under the lock: a concurrent reload is never undone.
        let mut routes = self.routes.write().unwrap_or_else(|p| p.into_inner());
        let mut changed = false;
        let routes = &mut *routes;
        for chain in routes
            .communities
            .values_mut()
            .chain(routes.default_chain.iter_mut())
        {
            for def in chain.iter_mut() {
                if Arc::ptr_eq(def, old) {
                    *def = new.clone();
                    changed = true;
                }
            }
        }
        if changed {
            self.generation.fetch_add(1, Ordering::AcqRel);
        }
        changed
    }

    /// When the version with this component hash first handled events.
    pub fn first_served(&self, hash: &str) -> Option<Instant> {
        self.first_served
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(hash)
            .copied()
    }

    /// Versions rolled back so far (`plugin hash: error`).
    pub fn rejected(&self) -> Vec<String> {
        self.rejected
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}
