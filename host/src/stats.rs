//! Counters for the run summary: events in and out, actions by kind, plugin
//! errors, dropped actions, quarantines. Shared by every community task.

use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// Valid events read from sources.
    pub events_read: u64,
    /// Events that went through their community's chain.
    pub events_handled: u64,
    /// Events skipped because they were handled in an earlier run.
    pub events_already_handled: u64,
    /// Input lines that were not valid events (kept in the store).
    pub events_rejected: u64,
    /// Events of communities with no chain (kept in the store).
    pub events_unrouted: u64,
    /// Decided actions, by kind (after merging).
    pub actions: BTreeMap<String, u64>,
    /// Failed plugin calls, by plugin then by cause.
    pub plugin_errors: BTreeMap<String, BTreeMap<String, u64>>,
    /// Actions dropped because the plugin was not granted their kind.
    pub actions_not_granted: BTreeMap<String, u64>,
    /// Plugins quarantined, with the community and the last error.
    pub quarantined: Vec<String>,
    /// Plugin calls made (a batch counts once).
    pub plugin_calls: u64,
    /// Time spent inside each plugin's calls (instantiation included), in
    /// microseconds, by plugin name.
    pub plugin_time_us: BTreeMap<String, u64>,
    /// Times a community's idle plugin instances were dropped to stay
    /// within the memory budget (`runtime.memory_budget_mib`) or the pool.
    pub evictions: u64,
    /// Instances those evictions dropped.
    pub instances_evicted: u64,
    /// Times events were undone and run again because the host could not
    /// give a plugin instance (never counted as plugin errors, never lost).
    pub host_retries: u64,
    /// Times a worker ran a community's waiting events at once (one set of
    /// instances, one commit): events handled / runs is how many shared
    /// them.
    #[serde(skip)]
    pub community_runs: u64,
    /// Events each plugin handled without failing, by plugin name.
    pub plugin_events: BTreeMap<String, u64>,
    /// Actions shadow plugins decided (recorded, never executed), by plugin.
    pub shadow_actions: BTreeMap<String, u64>,
    /// Actions that failed for good on a platform during the run (kept in
    /// the dead letters).
    pub dead_letters: u64,
    /// How long a community's events took when its instances had to be
    /// made first (its first events, or its first after an eviction), commit
    /// included, in microseconds, and how many events that run handled; one
    /// sample per such run.
    #[serde(skip)]
    pub cold_runs_us: Vec<(u32, u32)>,
    /// Events handled, by community (the console's metrics).
    #[serde(skip)]
    pub handled_by_community: BTreeMap<String, u64>,
    /// Plugin instances the communities hold now (made minus dropped).
    #[serde(skip)]
    pub instances_alive: i64,
    /// Quarantines in force, by (plugin, community), with why (`quarantined`
    /// keeps them all, lifted or not).
    #[serde(skip)]
    pub quarantined_now: BTreeMap<(String, String), String>,
}

impl Summary {
    pub fn total_actions(&self) -> u64 {
        self.actions.values().sum()
    }

    pub fn total_plugin_errors(&self) -> u64 {
        self.plugin_errors.values().flat_map(|m| m.values()).sum()
    }

    /// The summary for people, a few lines.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "events: {} read, {} handled, {} already handled before, {} rejected, {} unrouted\n",
            self.events_read,
            self.events_handled,
            self.events_already_handled,
            self.events_rejected,
            self.events_unrouted
        ));
        let by_kind: Vec<String> = self
            .actions
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        out.push_str(&format!(
            "actions: {} ({})\n",
            self.total_actions(),
            if by_kind.is_empty() {
                "none".to_string()
            } else {
                by_kind.join(", ")
            }
        ));
        if self.plugin_errors.is_empty() {
            out.push_str("plugin errors: none\n");
        } else {
            for (plugin, causes) in &self.plugin_errors {
                let causes: Vec<String> = causes.iter().map(|(c, n)| format!("{c} {n}")).collect();
                out.push_str(&format!("plugin errors: {plugin}: {}\n", causes.join(", ")));
            }
        }
        for (plugin, n) in &self.actions_not_granted {
            out.push_str(&format!("dropped (not granted): {plugin}: {n}\n"));
        }
        for q in &self.quarantined {
            out.push_str(&format!("quarantined: {q}\n"));
        }
        if !self.shadow_actions.is_empty() {
            let by_plugin: Vec<String> = self
                .shadow_actions
                .iter()
                .map(|(p, n)| format!("{p} {n}"))
                .collect();
            out.push_str(&format!(
                "shadow actions (recorded, not executed; `vigie shadow-report`): {}\n",
                by_plugin.join(", ")
            ));
        }
        if self.dead_letters > 0 {
            out.push_str(&format!(
                "dead letters: {} action(s) failed for good on a platform (`vigie dead-letters`)\n",
                self.dead_letters
            ));
        }
        if self.evictions > 0 || self.host_retries > 0 {
            out.push_str(&format!(
                "instances: {} evicted from {} idle communities (memory budget), {} retries after the host had no instance\n",
                self.instances_evicted, self.evictions, self.host_retries
            ));
        }
        out
    }
}

/// Thread-safe accumulation of a [`Summary`].
#[derive(Debug, Default)]
pub struct Stats(Mutex<Summary>);

impl Stats {
    pub fn update(&self, f: impl FnOnce(&mut Summary)) {
        let mut guard = self.0.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard);
    }

    pub fn snapshot(&self) -> Summary {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}
