//! The plugin chain of one community: runs events through its plugins in
//! order, passes labels down, honours `stop`, admits actions against grants,
//! contains failures (replace the instance, quarantine after N in a row) and
//! hands the merged plan to the planner.
//!
//! A plugin's failure (trap, deadline, error, broken limit) costs that
//! plugin's result for that event. The host's failure to provide an instance
//! at all (pool exhausted, out of memory) is not the plugin's: the chain
//! then handles nothing and says so ([`HostFailure`]), and the community
//! actor undoes what it had not committed and tries again later. An event is
//! never marked handled that a plugin of its chain did not see.
//!
//! Instances are a cache: [`Chain::evict`] drops them at any time between
//! commits (state lives in the store) and the next event makes them again.

use crate::action::{ActionKind, DecidedAction, PluginRef};
use crate::config::PluginEntry;
use crate::event::{Event, EventKind};
use crate::planner;
use crate::runtime::{
    wit, CallError, EventView, InstanceSetup, KvCarry, LoadedPlugin, PluginAction, PluginInstance,
    Runtime, Secret,
};
use crate::stats::Stats;
use crate::store::{KvScope, KvWrites, ShadowRecord, Store};
use anyhow::{anyhow, Result};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

/// What a plugin says about itself (`describe`), in host terms.
#[derive(Debug, Clone, Serialize)]
pub struct Description {
    pub name: String,
    pub version: String,
    pub summary: String,
    pub events: Vec<EventKind>,
    pub actions: Vec<ActionKind>,
}

impl From<wit::Description> for Description {
    fn from(d: wit::Description) -> Self {
        Description {
            name: d.name,
            version: d.version,
            summary: d.summary,
            events: d.events.into_iter().map(Into::into).collect(),
            actions: d.actions.into_iter().map(Into::into).collect(),
        }
    }
}

/// No instance of a plugin could be had, for a reason that is the host's,
/// not the plugin's (the instance pool is full, memory ran out). The events
/// of that call were not handled; the caller undoes and retries them.
#[derive(Debug)]
pub struct HostFailure {
    pub plugin: String,
    pub community: String,
    pub cause: String,
}

impl fmt::Display for HostFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no instance of plugin `{}` for community `{}`: {}",
            self.plugin, self.community, self.cause
        )
    }
}

impl std::error::Error for HostFailure {}

/// A plugin entry compiled, described and configured once: shared by every
/// community whose chain uses it.
pub struct PluginDef {
    pub entry: PluginEntry,
    pub loaded: LoadedPlugin,
    /// The component with its state as `configure` leaves it: instances
    /// made from it need no `configure` (see `runtime::snapshot`).
    pub configured: Option<LoadedPlugin>,
    pub description: Description,
    pub by: PluginRef,
    /// Linear memory of the last instance made, for the eviction budget.
    instance_bytes: std::sync::atomic::AtomicU64,
}

impl PluginDef {
    /// Compiles the component and checks it end to end: it instantiates,
    /// `describe` answers and `configure` accepts the entry's config.
    pub fn load(
        runtime: &Runtime,
        entry: PluginEntry,
        bytes: &[u8],
        store: Arc<dyn Store>,
        secret: Arc<Secret>,
    ) -> Result<PluginDef> {
        let loaded = runtime.load(bytes, &entry.component)?;
        let setup = InstanceSetup {
            plugin: entry.name.clone(),
            community: String::new(),
            limits: entry.limits.clone(),
            store,
            secret,
        };
        let mut probe = loaded.instantiate(&setup, &mut KvCarry::default())?;
        let description: Description = probe
            .describe()
            .map_err(|e| {
                anyhow!(
                    "plugin `{}` ({}): describe {e}",
                    entry.name,
                    entry.component
                )
            })?
            .into();
        probe.configure(&entry.config_json).map_err(|e| {
            anyhow!(
                "plugin `{}` ({}) refused its config: {e}",
                entry.name,
                entry.component
            )
        })?;
        for kind in &entry.grants {
            if !description.actions.contains(kind) {
                tracing::info!(
                    plugin = entry.name,
                    "granted `{kind}` but the plugin does not declare it"
                );
            }
        }
        let by = PluginRef {
            plugin: entry.name.clone(),
            plugin_version: description.version.clone(),
            plugin_hash: loaded.hash.clone(),
        };
        let configured = if runtime.configures_once() {
            runtime
                .configured(bytes, &entry.component, &setup, &entry.config_json)
                .map_err(|e| {
                    tracing::info!(
                        plugin = entry.name,
                        "each instance will run configure: no configured snapshot ({e:#})"
                    )
                })
                .ok()
        } else {
            None
        };
        Ok(PluginDef {
            instance_bytes: probe.memory_bytes().into(),
            entry,
            loaded,
            configured,
            description,
            by,
        })
    }

    fn wants(&self, kind: EventKind) -> bool {
        self.description.events.contains(&kind)
    }

    /// A fresh instance for one community, configured. An error is the
    /// plugin's, except [`CallError::Host`]: the host had no instance to
    /// give. `carry` is taken only on success.
    pub fn new_instance(
        &self,
        setup: &InstanceSetup,
        carry: &mut KvCarry,
    ) -> Result<PluginInstance, CallError> {
        let instance = match &self.configured {
            Some(configured) => configured.try_instantiate(setup, carry)?,
            None => {
                let mut instance = self.loaded.try_instantiate(setup, carry)?;
                if let Err(e) = instance.configure(&self.entry.config_json) {
                    // Staged writes of an earlier instance wait for the next try.
                    *carry = instance.into_carry();
                    return Err(match e {
                        CallError::Plugin(message) => {
                            CallError::Plugin(format!("refused its config: {message}"))
                        }
                        other => other,
                    });
                }
                instance
            }
        };
        self.instance_bytes.store(
            instance.memory_bytes(),
            std::sync::atomic::Ordering::Relaxed,
        );
        Ok(instance)
    }

    /// The linear memory of this entry's last new instance, in bytes.
    pub fn typical_instance_bytes(&self) -> u64 {
        self.instance_bytes
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// One plugin's place in a community's chain.
struct Slot {
    def: Arc<PluginDef>,
    setup: InstanceSetup,
    instance: Option<PluginInstance>,
    /// Staged state of an instance that was dropped and not yet replaced.
    carry: KvCarry,
    failures: u32,
    quarantined: Option<String>,
    /// A freshly reloaded version keeps the slot it replaced until its
    /// first call succeeds; if that call fails, the old version serves
    /// again (and handles those events).
    previous: Option<Box<Slot>>,
}

/// What happened to reloaded versions in this chain, for the reloader.
#[derive(Clone)]
pub enum VersionNews {
    /// The new version handled its first event (at `at`).
    Serving {
        plugin: String,
        hash: String,
        at: std::time::Instant,
    },
    /// The new version failed on its first events and was rolled back.
    Rejected {
        plugin: String,
        rejected: Arc<PluginDef>,
        restored: Arc<PluginDef>,
        error: String,
    },
}

impl Slot {
    fn new(
        def: Arc<PluginDef>,
        community: &str,
        store: &Arc<dyn Store>,
        secret: &Arc<Secret>,
    ) -> Slot {
        Slot {
            setup: InstanceSetup {
                plugin: def.entry.name.clone(),
                community: community.to_string(),
                limits: def.entry.limits.clone(),
                store: store.clone(),
                secret: secret.clone(),
            },
            def,
            instance: None,
            carry: KvCarry::default(),
            failures: 0,
            quarantined: None,
            previous: None,
        }
    }

    /// The live instance, made (and configured) if there is none. A
    /// [`CallError::Host`] means the host could not provide one.
    fn instance(&mut self) -> Result<&mut PluginInstance, CallError> {
        let instance = match self.instance.take() {
            Some(instance) => instance,
            None => self.def.new_instance(&self.setup, &mut self.carry)?,
        };
        Ok(self.instance.insert(instance))
    }

    fn host_failure(&self, cause: impl fmt::Display) -> HostFailure {
        HostFailure {
            plugin: self.def.entry.name.clone(),
            community: self.setup.community.clone(),
            cause: cause.to_string(),
        }
    }

    /// Whether an instance is alive (in this slot or the one it may fall
    /// back on).
    fn live_instances(&self) -> usize {
        usize::from(self.instance.is_some())
            + self.previous.as_ref().map_or(0, |p| p.live_instances())
    }

    /// Linear memory of the live instances, in bytes.
    fn memory_bytes(&self) -> u64 {
        self.instance
            .as_ref()
            .map_or(0, PluginInstance::memory_bytes)
            + self.previous.as_ref().map_or(0, |p| p.memory_bytes())
    }

    /// Drops the instances, keeping writes not yet committed (none right
    /// after a commit) for the next instance.
    fn evict(&mut self) {
        self.discard_instance();
        self.carry.forget_cache();
        if let Some(previous) = self.previous.as_mut() {
            previous.evict();
        }
    }

    /// Drops the instances and everything they staged since the last commit.
    fn roll_back(&mut self) {
        self.instance = None;
        self.carry = KvCarry::default();
        if let Some(previous) = self.previous.as_mut() {
            previous.roll_back();
        }
    }

    /// Drops a poisoned instance, keeping its staged key-value writes; the
    /// next call gets a fresh instance.
    fn discard_instance(&mut self) {
        if let Some(old) = self.instance.take() {
            self.carry = old.into_carry();
        }
    }

    /// Calls the plugin on the events at `indices`: one `handle` per event
    /// when there is one, else one `handle-batch`, falling back to one call
    /// per event when the batch fails as a whole.
    fn call(
        &mut self,
        events: &[Event],
        seen: &[Seen],
        indices: &[usize],
        stats: &Stats,
    ) -> Result<Vec<Result<Vec<PluginAction>, CallError>>, HostFailure> {
        let view = |i: usize| EventView {
            event: &events[i],
            labels: &seen[i].labels,
            earlier_actions: &seen[i].earlier_actions,
        };
        if indices.len() > 1 {
            let batch: Vec<EventView> = indices.iter().map(|&i| view(i)).collect();
            let result = match self.instance() {
                Ok(instance) => instance.handle_batch(&batch),
                Err(CallError::Host(e)) => return Err(self.host_failure(format!("{e:#}"))),
                Err(e) => Err(e),
            };
            stats.update(|s| s.plugin_calls += 1);
            match result {
                Ok(results) => return Ok(results),
                Err(e) => {
                    tracing::debug!(
                        plugin = self.def.entry.name,
                        "batch failed ({e}); retrying one by one"
                    );
                    self.discard_instance();
                }
            }
        }
        // Failures are counted by the caller afterwards; track the streak
        // here so a plugin that reaches its quarantine threshold mid-batch
        // is not called again.
        let mut streak = self.failures;
        let mut results = Vec::with_capacity(indices.len());
        for &i in indices {
            if self.quarantined.is_some() || streak >= self.setup.limits.quarantine_after {
                results.push(Err(CallError::Quarantined));
                continue;
            }
            stats.update(|s| s.plugin_calls += 1);
            let result = match self.instance() {
                Ok(instance) => instance.handle(view(i)),
                Err(CallError::Host(e)) => return Err(self.host_failure(format!("{e:#}"))),
                Err(e) => Err(e),
            };
            match &result {
                Ok(_) => streak = 0,
                Err(e) => {
                    streak += 1;
                    if e.poisons_instance() {
                        self.discard_instance();
                    }
                }
            }
            results.push(result);
        }
        Ok(results)
    }

    /// Counts a failure; quarantines the plugin after too many in a row.
    fn failed(&mut self, error: &CallError, event_id: Option<&str>, stats: &Stats) {
        let plugin = self.def.entry.name.clone();
        let community = self.setup.community.clone();
        tracing::warn!(
            plugin,
            community,
            event = event_id.unwrap_or("-"),
            "plugin {error}"
        );
        let cause = match error {
            CallError::Timeout(_) => "timeout",
            CallError::Memory(_) => "memory",
            CallError::Trap(_) => "trap",
            CallError::Limit(_) => "limit",
            CallError::Plugin(_) => "error",
            CallError::Host(_) | CallError::Quarantined => "host",
        };
        self.failures += 1;
        let quarantine =
            self.failures >= self.setup.limits.quarantine_after && self.quarantined.is_none();
        if quarantine {
            let why = format!(
                "{plugin} in {community} after {} failures in a row, last: {error}",
                self.failures
            );
            tracing::error!(plugin, community, "quarantined until reloaded: {error}");
            self.quarantined = Some(why.clone());
            self.discard_instance();
            stats.update(|s| {
                s.quarantined_now
                    .insert((plugin.clone(), community.clone()), why.clone());
                s.quarantined.push(why);
            });
        }
        stats.update(|s| {
            *s.plugin_errors
                .entry(plugin)
                .or_default()
                .entry(cause.to_string())
                .or_default() += 1;
        });
    }
}

/// What the current plugin sees besides the event: its own labels and
/// those of the plugins before, and the action kinds they decided.
struct Seen {
    labels: Vec<wit::Label>,
    earlier_actions: Vec<wit::ActionKind>,
}

/// The ordered plugins of one community.
/// What a chain's tick gave.
pub struct Ticked {
    /// The merged plan.
    pub plan: Vec<DecidedAction>,
    /// A plugin returned actions (granted or not), changed its key-value
    /// state or failed: the tick is worth keeping in the event log. Most
    /// ticks do nothing, and with thousands of communities they would be
    /// most of the log.
    pub did_something: bool,
}

pub struct Chain {
    community: String,
    slots: Vec<Slot>,
    store: Arc<dyn Store>,
    secret: Arc<Secret>,
    news: Vec<VersionNews>,
    shadow: Vec<ShadowRecord>,
}

impl Chain {
    pub fn new(
        community: &str,
        plugins: Vec<Arc<PluginDef>>,
        store: Arc<dyn Store>,
        secret: Arc<Secret>,
    ) -> Chain {
        let slots = plugins
            .into_iter()
            .map(|def| Slot::new(def, community, &store, &secret))
            .collect();
        Chain {
            community: community.to_string(),
            slots,
            store,
            secret,
            news: Vec::new(),
            shadow: Vec::new(),
        }
    }

    /// Instantiates and configures every plugin now rather than on its
    /// first event (benchmarks time events only). A plugin that fails here
    /// is tried again, and its failure counted, on its first call. Returns
    /// how many plugins are ready.
    pub fn warm_up(&mut self) -> usize {
        self.slots
            .iter_mut()
            .filter(|slot| slot.quarantined.is_none())
            .map(|slot| slot.instance().is_ok())
            .filter(|&ready| ready)
            .count()
    }

    /// Takes a new list of plugins (a reload), between two batches: slots
    /// whose plugin did not change keep their instance and counters; a
    /// changed plugin gets a fresh slot (quarantine lifted) that keeps the
    /// old one until its first call succeeds. Key-value state lives in the
    /// store, so it carries over.
    pub fn update(&mut self, plugins: &[Arc<PluginDef>]) {
        let mut old: Vec<Slot> = std::mem::take(&mut self.slots);
        for def in plugins {
            if let Some(i) = old.iter().position(|s| Arc::ptr_eq(&s.def, def)) {
                self.slots.push(old.swap_remove(i));
                continue;
            }
            let mut slot = Slot::new(def.clone(), &self.community, &self.store, &self.secret);
            if let Some(i) = old.iter().position(|s| s.def.entry.name == def.entry.name) {
                let mut previous = old.swap_remove(i);
                // Only the last good version is kept to fall back on.
                previous.previous = None;
                slot.previous = Some(Box::new(previous));
            }
            self.slots.push(slot);
        }
    }

    /// News of reloaded versions since the last call.
    pub fn take_news(&mut self) -> Vec<VersionNews> {
        std::mem::take(&mut self.news)
    }

    /// Runs events (of this community, in order) through the chain and
    /// returns the merged plan of each. Chain semantics are those of one
    /// event at a time, whether or not the plugins were called in a batch.
    ///
    /// On a [`HostFailure`] nothing of the call counts: instances may hold
    /// writes of events handled before the failure, so the caller must
    /// [`Chain::roll_back`] to its last commit and run the events again.
    pub fn handle(
        &mut self,
        events: &[Event],
        stats: &Stats,
    ) -> Result<Vec<Vec<DecidedAction>>, HostFailure> {
        let mut seen: Vec<Seen> = events
            .iter()
            .map(|e| Seen {
                labels: e.wit_labels(),
                earlier_actions: Vec::new(),
            })
            .collect();
        let mut decided: Vec<Vec<DecidedAction>> = vec![Vec::new(); events.len()];
        let mut stopped = vec![false; events.len()];
        let mut shadows = Vec::new();
        for slot in &mut self.slots {
            if slot.quarantined.is_some() {
                continue;
            }
            let indices: Vec<usize> = (0..events.len())
                .filter(|&i| !stopped[i] && slot.def.wants(events[i].kind))
                .collect();
            if indices.is_empty() {
                continue;
            }
            let started = std::time::Instant::now();
            // A new version on probation takes the first event alone, so
            // it serves (or is rolled back) without waiting for a batch.
            let probation = slot.previous.is_some();
            let first = if probation { 1 } else { indices.len() };
            let mut results = slot.call(events, &seen, &indices[..first], stats)?;
            if probation {
                let failure = results.iter().find_map(|r| match r {
                    Err(e) if !matches!(e, CallError::Quarantined) => Some(e.to_string()),
                    _ => None,
                });
                match failure {
                    None => {
                        slot.previous = None;
                        tracing::info!(
                            plugin = slot.def.entry.name,
                            community = self.community,
                            hash = slot.def.loaded.hash,
                            "new version serving"
                        );
                        self.news.push(VersionNews::Serving {
                            plugin: slot.def.entry.name.clone(),
                            hash: slot.def.loaded.hash.clone(),
                            at: std::time::Instant::now(),
                        });
                        results.extend(slot.call(events, &seen, &indices[1..], stats)?);
                    }
                    Some(error) => {
                        let rejected = slot.def.clone();
                        let previous = slot.previous.take().map(|b| *b);
                        if let Some(previous) = previous {
                            tracing::error!(
                                plugin = rejected.entry.name,
                                community = self.community,
                                "new version rejected: it failed on its first events ({error}); \
                                 the previous version serves again"
                            );
                            *slot = previous;
                            self.news.push(VersionNews::Rejected {
                                plugin: rejected.entry.name.clone(),
                                restored: slot.def.clone(),
                                rejected,
                                error,
                            });
                            results = slot.call(events, &seen, &indices, stats)?;
                        } else {
                            results.extend(slot.call(events, &seen, &indices[1..], stats)?);
                        }
                    }
                }
            }
            let spent = started.elapsed().as_micros() as u64;
            let handled = results.iter().filter(|r| r.is_ok()).count() as u64;
            stats.update(|s| {
                *s.plugin_time_us
                    .entry(slot.def.entry.name.clone())
                    .or_default() += spent;
                *s.plugin_events
                    .entry(slot.def.entry.name.clone())
                    .or_default() += handled;
            });
            for (&i, result) in indices.iter().zip(results) {
                let actions = match result {
                    Ok(actions) => {
                        slot.failures = 0;
                        actions
                    }
                    Err(CallError::Quarantined) => continue,
                    Err(e) => {
                        slot.failed(&e, Some(&events[i].id), stats);
                        continue;
                    }
                };
                let (granted, dropped) =
                    planner::admit(&slot.def.entry.grants, actions, |a| a.action.kind());
                if !dropped.is_empty() {
                    for d in &dropped {
                        tracing::warn!(
                            plugin = slot.def.entry.name,
                            community = self.community,
                            event = events[i].id,
                            "dropped `{}` action: not granted (reason given: {})",
                            d.action.kind(),
                            d.action.reason()
                        );
                    }
                    stats.update(|s| {
                        *s.actions_not_granted
                            .entry(slot.def.entry.name.clone())
                            .or_default() += dropped.len() as u64
                    });
                }
                if slot.def.entry.shadow {
                    // Seen and recorded, never executed, invisible to the
                    // rest of the chain.
                    let actions = granted
                        .into_iter()
                        .map(|PluginAction { action, channel }| DecidedAction {
                            event_id: Some(events[i].id.clone()),
                            tick_ms: None,
                            community: self.community.clone(),
                            channel: channel.unwrap_or_else(|| events[i].channel.clone()),
                            by: slot.def.by.clone(),
                            action,
                        })
                        .collect();
                    shadows.push((
                        i,
                        slot.def.entry.name.clone(),
                        slot.def.entry.replaces.clone(),
                        actions,
                    ));
                    continue;
                }
                let event = &mut seen[i];
                for PluginAction { action, channel } in granted {
                    let kind = action.kind();
                    if let crate::action::Action::Label {
                        key, value, note, ..
                    } = &action
                    {
                        event.labels.push(wit::Label {
                            key: key.clone(),
                            value: *value,
                            note: note.clone(),
                            plugin: slot.def.entry.name.clone(),
                        });
                    }
                    if !event.earlier_actions.contains(&kind.into()) {
                        event.earlier_actions.push(kind.into());
                    }
                    stopped[i] |= kind == ActionKind::Stop;
                    decided[i].push(DecidedAction {
                        event_id: Some(events[i].id.clone()),
                        tick_ms: None,
                        community: self.community.clone(),
                        channel: channel.unwrap_or_else(|| events[i].channel.clone()),
                        by: slot.def.by.clone(),
                        action,
                    });
                }
            }
        }
        for (i, plugin, replaces, actions) in shadows {
            let live_actions = replaces
                .as_ref()
                .map(|r| {
                    decided[i]
                        .iter()
                        .filter(|a| &a.by.plugin == r)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            self.shadow.push(ShadowRecord {
                event_id: events[i].id.clone(),
                community: self.community.clone(),
                plugin,
                replaces,
                actions,
                live_actions,
            });
        }
        Ok(decided.into_iter().map(planner::merge).collect())
    }

    /// Whether `plugin`'s entry holds actions of this kind for a
    /// moderator's decision (`review`).
    pub fn holds_for_review(&self, plugin: &str, kind: crate::action::ActionKind) -> bool {
        self.slots
            .iter()
            .any(|s| s.def.entry.name == plugin && s.def.entry.review.contains(&kind))
    }

    /// What shadow plugins would have done since the last call.
    pub fn take_shadow(&mut self) -> Vec<ShadowRecord> {
        std::mem::take(&mut self.shadow)
    }

    /// Calls every plugin's `tick`; returns the merged plan, and whether
    /// the tick did anything at all. A [`HostFailure`] means as for
    /// [`Chain::handle`].
    pub fn tick(&mut self, now_ms: i64, stats: &Stats) -> Result<Ticked, HostFailure> {
        let mut decided = Vec::new();
        let mut did_something = false;
        for slot in &mut self.slots {
            if slot.quarantined.is_some() {
                continue;
            }
            stats.update(|s| s.plugin_calls += 1);
            let result = match slot.instance() {
                Ok(instance) => {
                    let writes_before = instance.kv_write_calls();
                    let result = instance.tick(now_ms);
                    did_something |= instance.kv_write_calls() != writes_before;
                    result
                }
                Err(CallError::Host(e)) => return Err(slot.host_failure(format!("{e:#}"))),
                Err(e) => Err(e),
            };
            did_something |= !matches!(&result, Ok(actions) if actions.is_empty());
            match result {
                Ok(actions) => {
                    slot.failures = 0;
                    let (granted, dropped) =
                        planner::admit(&slot.def.entry.grants, actions, |a| a.action.kind());
                    if !dropped.is_empty() {
                        stats.update(|s| {
                            *s.actions_not_granted
                                .entry(slot.def.entry.name.clone())
                                .or_default() += dropped.len() as u64
                        });
                    }
                    decided.extend(granted.into_iter().map(|a| DecidedAction {
                        event_id: None,
                        tick_ms: Some(now_ms),
                        community: self.community.clone(),
                        channel: a.channel.unwrap_or_default(),
                        by: slot.def.by.clone(),
                        action: a.action,
                    }));
                }
                Err(e) => {
                    if e.poisons_instance() {
                        slot.discard_instance();
                    }
                    slot.failed(&e, None, stats);
                }
            }
        }
        Ok(Ticked {
            plan: planner::merge(decided),
            did_something,
        })
    }

    /// The key-value writes accepted since the last call, to commit.
    pub fn take_kv_writes(&mut self) -> Vec<(KvScope, KvWrites)> {
        self.slots
            .iter_mut()
            .map(|slot| match slot.instance.as_mut() {
                Some(instance) => instance.take_kv_writes(),
                None => (
                    KvScope::new(&slot.setup.community, &slot.setup.plugin),
                    slot.carry.take_writes(),
                ),
            })
            .filter(|(_, writes)| !writes.is_empty())
            .collect()
    }

    /// How many plugin instances this chain holds alive.
    pub fn live_instances(&self) -> usize {
        self.slots.iter().map(Slot::live_instances).sum()
    }

    /// Linear memory of the chain's live instances, in bytes.
    pub fn memory_bytes(&self) -> u64 {
        self.slots.iter().map(Slot::memory_bytes).sum()
    }

    /// About how much memory making every missing instance would take (from
    /// the last instance of each plugin entry), for the eviction budget.
    pub fn missing_memory_bytes(&self) -> u64 {
        self.slots
            .iter()
            .filter(|s| s.instance.is_none() && s.quarantined.is_none())
            .map(|s| s.def.typical_instance_bytes())
            .sum()
    }

    /// Which compiled components the chain's instances come from (one id
    /// per plugin entry that runs), so eviction can free the pool slots the
    /// next community will reuse in place (see `community::Residency`).
    pub fn images(&self) -> impl Iterator<Item = usize> + '_ {
        self.slots
            .iter()
            .filter(|s| s.quarantined.is_none())
            .map(|s| Arc::as_ptr(&s.def) as usize)
    }

    /// Drops every instance (they are made again on the next event). Call
    /// it right after a commit: what was staged since goes to the next
    /// instances, and nothing else is lost because state lives in the store.
    pub fn evict(&mut self) {
        self.slots.iter_mut().for_each(Slot::evict);
    }

    /// Drops every instance and all they staged since the last commit (key
    /// value writes, shadow records): the chain is as it was at that commit,
    /// except for failure counters and quarantines.
    pub fn roll_back(&mut self) {
        self.slots.iter_mut().for_each(Slot::roll_back);
        self.shadow.clear();
    }

    /// Lifts `plugin`'s quarantine in this chain (asked from the console):
    /// its next event calls it again, its failures counted from zero.
    pub fn lift_quarantine(&mut self, plugin: &str) -> bool {
        let mut lifted = false;
        for slot in self.slots.iter_mut().filter(|s| s.def.entry.name == plugin) {
            if slot.quarantined.take().is_some() {
                slot.failures = 0;
                lifted = true;
            }
        }
        if lifted {
            tracing::warn!(plugin, community = self.community, "quarantine lifted");
        }
        lifted
    }

    /// The plugins quarantined in this chain.
    pub fn quarantined(&self) -> BTreeSet<String> {
        self.slots
            .iter()
            .filter(|s| s.quarantined.is_some())
            .map(|s| s.def.entry.name.clone())
            .collect()
    }
}
