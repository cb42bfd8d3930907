//! Per-plugin sandbox limits, configurable per plugin entry.

use serde::{Deserialize, Serialize};

/// How much a plugin may use per call. Every field has a default; a config
/// sets only what it changes (`[plugins.faq.limits] cpu_ms = 20`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Time one event's call may take, in milliseconds (wall-clock time of
    /// the call, enforced by epoch interruption: on a loaded machine a
    /// plugin gets less CPU within it). A batch gets this per event, for 64
    /// events at most; a batch that runs out is retried one event at a time.
    pub cpu_ms: u64,
    /// Time setting up an instance may take, in milliseconds: its start
    /// code, `describe` and `configure` (which may build indexes, as faq
    /// does). Same clock as `cpu_ms`.
    pub setup_ms: u64,
    /// Linear memory of the instance, in MiB.
    pub memory_mib: u64,
    /// Actions one event may produce.
    pub max_actions: usize,
    /// Bytes of text (replies, reasons, labels…) one event may produce.
    pub max_output_bytes: usize,
    /// Keys the plugin may keep per community.
    pub kv_max_keys: u64,
    /// Size of one key plus its value, in bytes.
    pub kv_max_entry_bytes: usize,
    /// Key writes (set, delete, increment) per event.
    pub kv_max_writes_per_event: u32,
    /// Log lines kept per event; more are dropped and counted.
    pub max_log_lines: u32,
    /// Consecutive failed events after which the plugin is quarantined
    /// (skipped) until it is reloaded.
    pub quarantine_after: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            cpu_ms: 100,
            setup_ms: 5_000,
            memory_mib: 64,
            max_actions: 64,
            max_output_bytes: 64 * 1024,
            kv_max_keys: 100_000,
            kv_max_entry_bytes: 64 * 1024,
            kv_max_writes_per_event: 1_000,
            max_log_lines: 20,
            quarantine_after: 5,
        }
    }
}

impl Limits {
    /// Checks the values make sense; returns the offending key.
    pub fn validate(&self) -> Result<(), String> {
        let checks: [(&str, bool); 9] = [
            ("cpu_ms", (1..=60_000).contains(&self.cpu_ms)),
            ("setup_ms", (1..=600_000).contains(&self.setup_ms)),
            (
                "memory_mib",
                (1..=super::MAX_MEMORY_MIB).contains(&self.memory_mib),
            ),
            ("max_actions", self.max_actions >= 1),
            ("max_output_bytes", self.max_output_bytes >= 1),
            ("kv_max_keys", self.kv_max_keys >= 1),
            ("kv_max_entry_bytes", self.kv_max_entry_bytes >= 16),
            ("kv_max_writes_per_event", self.kv_max_writes_per_event >= 1),
            ("quarantine_after", self.quarantine_after >= 1),
        ];
        match checks.iter().find(|(_, ok)| !ok) {
            Some((key, _)) => Err(format!(
                "limits.{key} is out of range (cpu_ms 1..=60000, setup_ms 1..=600000, memory_mib 1..={}, kv_max_entry_bytes ≥ 16, others ≥ 1)",
                super::MAX_MEMORY_MIB
            )),
            None => Ok(()),
        }
    }
}
