//! What a plugin instance's `Store` holds: the granted-nothing WASI context,
//! the memory limiter, the key-value session and the per-event clock and
//! random source.

use super::{InstanceSetup, Limits};
use crate::store::{KvScope, KvWrites, Store};
use anyhow::{Context, Result};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::convert::Infallible;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wasmtime::component::ResourceTable;
use wasmtime::{StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// Bytes of a plugin's stderr kept for error messages (panics).
const STDERR_CAPACITY: usize = 4096;

/// The host's secret key, kept in the data directory. Random seeds are
/// derived from it, so nobody without it can predict a plugin's randomness,
/// and a replay with it reproduces every draw.
pub struct Secret([u8; 32]);

impl Secret {
    /// Loads `dir/secret.key`, creating it (from the OS random source) on
    /// first use.
    pub fn load_or_create(dir: &Path) -> Result<Secret> {
        match Secret::load(dir)? {
            Some(secret) => Ok(secret),
            None => {
                let secret = Secret::random();
                secret.save_new(dir)?;
                Ok(secret)
            }
        }
    }

    /// `dir/secret.key`, if there is one.
    pub fn load(dir: &Path) -> Result<Option<Secret>> {
        let path = dir.join("secret.key");
        match std::fs::read(&path) {
            Ok(bytes) => {
                let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                    anyhow::anyhow!(
                        "{} must hold exactly 32 bytes (found {}); restore it from a backup \
                         or delete it to start a new key (past draws then cannot be replayed)",
                        path.display(),
                        bytes.len()
                    )
                })?;
                Ok(Some(Secret(key)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Writes this key as `dir/secret.key` (owner-only), which must not
    /// exist yet.
    pub fn save_new(&self, dir: &Path) -> Result<()> {
        let path = dir.join("secret.key");
        std::fs::create_dir_all(dir)?;
        write_private(&path, &self.0).with_context(|| format!("cannot write {}", path.display()))
    }

    /// The key's bytes, for the cluster, which shares one key between its
    /// hosts (`cluster::shared_secret`).
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A key that lives only in memory (dry runs, benchmarks).
    pub fn random() -> Secret {
        let mut key = [0u8; 32];
        let mut rng = wasmtime_wasi::thread_rng();
        rng.fill_bytes(&mut key);
        Secret(key)
    }

    /// A fixed key, for reproducible tests.
    pub fn from_bytes(key: [u8; 32]) -> Secret {
        Secret(key)
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// A deterministic random stream: HMAC-SHA256(secret, community, plugin,
/// event) as the seed, then SHA-256(seed ‖ counter) blocks.
pub(crate) struct Entropy {
    secret: Arc<Secret>,
    community: String,
    plugin: String,
    context: String,
    seed: Option<[u8; 32]>,
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl Entropy {
    fn new(secret: Arc<Secret>, community: &str, plugin: &str) -> Self {
        Entropy {
            secret,
            community: community.to_string(),
            plugin: plugin.to_string(),
            context: String::new(),
            seed: None,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    /// Restart the stream for a new event (or tick). Cheap: the seed is only
    /// computed if the plugin draws.
    fn reset(&mut self, context: &str) {
        self.context.clear();
        self.context.push_str(context);
        self.seed = None;
        self.counter = 0;
        self.used = 32;
    }

    fn seed(&mut self) -> [u8; 32] {
        if let Some(seed) = self.seed {
            return seed;
        }
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.secret.0).expect("HMAC takes any key size");
        for part in [
            "vigie-random-v1",
            &self.community,
            &self.plugin,
            &self.context,
        ] {
            mac.update(part.as_bytes());
            mac.update(&[0]);
        }
        let seed: [u8; 32] = mac.finalize().into_bytes().into();
        self.seed = Some(seed);
        seed
    }

    pub(crate) fn fill(&mut self, dst: &mut [u8]) {
        for byte in dst {
            if self.used == 32 {
                let seed = self.seed();
                let mut h = Sha256::new();
                h.update(seed);
                h.update(self.counter.to_le_bytes());
                self.block = h.finalize().into();
                self.counter += 1;
                self.used = 0;
            }
            *byte = self.block[self.used];
            self.used += 1;
        }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill(&mut b);
        u64::from_le_bytes(b)
    }
}

/// The entropy stream shared between the `random` import and WASI's random
/// interfaces, so a guest's standard library draws from the same seed.
#[derive(Clone)]
pub(crate) struct SharedEntropy(pub(crate) Arc<Mutex<Entropy>>);

impl SharedEntropy {
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Entropy) -> R) -> R {
        let mut guard = self.0.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

impl rand_core::TryRng for SharedEntropy {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.with(|e| e.next_u64() as u32))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.with(Entropy::next_u64))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.with(|e| e.fill(dst));
        Ok(())
    }
}

/// The event's time, shown to the guest by the `clock` import and by WASI's
/// wall and monotonic clocks.
#[derive(Clone, Default)]
pub(crate) struct EventClock(pub(crate) Arc<AtomicI64>);

impl EventClock {
    pub(crate) fn now_ms(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
    fn set(&self, ms: i64) {
        self.0.store(ms, Ordering::Relaxed)
    }
}

impl wasmtime_wasi::HostWallClock for EventClock {
    fn resolution(&self) -> Duration {
        Duration::from_millis(1)
    }
    fn now(&self) -> Duration {
        Duration::from_millis(self.now_ms().max(0) as u64)
    }
}

impl wasmtime_wasi::HostMonotonicClock for EventClock {
    fn resolution(&self) -> u64 {
        1_000_000
    }
    fn now(&self) -> u64 {
        (self.now_ms().max(0) as u64).saturating_mul(1_000_000)
    }
}

/// Staged key-value writes that must survive the replacement of an
/// instance (after a trap, the writes of earlier events stay).
#[derive(Default)]
pub struct KvCarry {
    staged: KvWrites,
    key_count: Option<u64>,
    cache: ReadCache,
}

impl KvCarry {
    /// Takes the staged writes (to commit them), keeping the key count.
    pub fn take_writes(&mut self) -> KvWrites {
        std::mem::take(&mut self.staged)
    }

    /// Forgets what was read from the store (an evicted community's cache
    /// would otherwise stay in memory); keeps writes not yet committed.
    pub fn forget_cache(&mut self) {
        self.cache = ReadCache::default();
        self.key_count = None;
    }
}

/// The key-value view of one instance: the store, plus writes accepted from
/// earlier calls (`staged`, not yet committed) and the current call's writes.
pub(crate) struct KvSession {
    pub(crate) scope: KvScope,
    store: Arc<dyn Store>,
    staged: KvWrites,
    call: KvWrites,
    /// Keys in the store plus staged changes; loaded on first write.
    key_count: Option<u64>,
    call_key_delta: i64,
    writes_this_event: u32,
    /// Calls whose writes were accepted: tells whether a call (a tick)
    /// changed the plugin's state.
    write_calls: u64,
    /// Committed values already read or written. Only this scope's
    /// community task writes the scope, so the cache cannot go stale.
    cache: ReadCache,
}

/// Most entries kept in a scope's read cache before it starts over.
const READ_CACHE_ENTRIES: usize = 4096;

/// Committed key-value entries of one scope (`None`: known missing).
#[derive(Default)]
pub(crate) struct ReadCache(std::collections::HashMap<String, Option<Vec<u8>>>);

impl ReadCache {
    fn insert(&mut self, key: &str, value: Option<Vec<u8>>) {
        if self.0.len() >= READ_CACHE_ENTRIES && !self.0.contains_key(key) {
            self.0.clear();
        }
        self.0.insert(key.to_string(), value);
    }
}

pub(crate) enum KvRefusal {
    Quota,
    TooLarge,
    TooManyWrites,
}

impl KvSession {
    pub(crate) fn get(&mut self, key: &str) -> Result<Option<Vec<u8>>> {
        if let Some(v) = self
            .call
            .get(key)
            .or_else(|| self.staged.get(key))
            .or_else(|| self.cache.0.get(key))
        {
            return Ok(v.clone());
        }
        let value = self.store.kv_get(&self.scope, key)?;
        self.cache.insert(key, value.clone());
        Ok(value)
    }

    pub(crate) fn keys(&self, prefix: &str, limit: usize) -> Result<Vec<String>> {
        let overlay = self.staged.len() + self.call.len();
        let mut keys: std::collections::BTreeSet<String> = self
            .store
            .kv_keys(&self.scope, prefix, limit + overlay)?
            .into_iter()
            .collect();
        for layer in [&self.staged, &self.call] {
            for (k, v) in layer.range(prefix.to_string()..) {
                if !k.starts_with(prefix) {
                    break;
                }
                match v {
                    Some(_) => keys.insert(k.clone()),
                    None => keys.remove(k),
                };
            }
        }
        Ok(keys.into_iter().take(limit).collect())
    }

    /// Records a write (`None` deletes) after checking the limits.
    pub(crate) fn write(
        &mut self,
        limits: &Limits,
        key: String,
        value: Option<Vec<u8>>,
    ) -> Result<std::result::Result<(), KvRefusal>> {
        if self.writes_this_event >= limits.kv_max_writes_per_event {
            return Ok(Err(KvRefusal::TooManyWrites));
        }
        let size = key.len() + value.as_ref().map_or(0, Vec::len);
        if size > limits.kv_max_entry_bytes {
            return Ok(Err(KvRefusal::TooLarge));
        }
        let existed = self.get(&key)?.is_some();
        let delta = match (existed, value.is_some()) {
            (false, true) => 1,
            (true, false) => -1,
            _ => 0,
        };
        if delta > 0 {
            let count = match self.key_count {
                Some(c) => c,
                None => {
                    let c = self.store.kv_count(&self.scope)?;
                    self.key_count = Some(c);
                    c
                }
            };
            if count as i64 + self.call_key_delta + 1 > limits.kv_max_keys as i64 {
                return Ok(Err(KvRefusal::Quota));
            }
        }
        self.writes_this_event += 1;
        self.call_key_delta += delta;
        self.call.insert(key, value);
        Ok(Ok(()))
    }

    /// How many calls so far had their writes accepted.
    pub(crate) fn write_calls(&self) -> u64 {
        self.write_calls
    }

    pub(crate) fn new_event(&mut self) {
        self.writes_this_event = 0;
    }

    /// The call succeeded: its writes join the staged ones.
    pub(crate) fn accept_call(&mut self) {
        let call = std::mem::take(&mut self.call);
        if !call.is_empty() {
            self.write_calls += 1;
        }
        self.staged.extend(call);
        if let Some(c) = self.key_count.as_mut() {
            *c = (*c as i64 + self.call_key_delta).max(0) as u64;
        }
        self.call_key_delta = 0;
    }

    /// The call failed: forget its writes.
    pub(crate) fn discard_call(&mut self) {
        self.call.clear();
        self.call_key_delta = 0;
    }

    /// Takes the staged writes to commit them; they become what the cache
    /// knows of the store.
    pub(crate) fn take_staged(&mut self) -> (KvScope, KvWrites) {
        let staged = std::mem::take(&mut self.staged);
        for (key, value) in &staged {
            self.cache.insert(key, value.clone());
        }
        (self.scope.clone(), staged)
    }

    /// Takes over what the replaced instance staged and knew.
    pub(crate) fn adopt(&mut self, carry: KvCarry) {
        self.staged = carry.staged;
        self.key_count = carry.key_count;
        self.cache = carry.cache;
    }

    pub(crate) fn carry(&mut self) -> KvCarry {
        self.discard_call();
        KvCarry {
            staged: std::mem::take(&mut self.staged),
            key_count: self.key_count,
            cache: std::mem::take(&mut self.cache),
        }
    }
}

/// Per-call bookkeeping: which event the guest is on, log budget, and the
/// first limit a host function saw broken.
#[derive(Default)]
pub(crate) struct CallState {
    /// (time, random context) of each event in the current call.
    events: Vec<(i64, String)>,
    /// How many of `events` belong to the current call.
    batch_len: usize,
    pub(crate) log_lines: u32,
    pub(crate) logs_dropped: u32,
    violation: Option<String>,
}

/// The memory cap of an instance, which also keeps count of the linear
/// memory it has (for the host's memory budget).
pub(crate) struct MemoryLimiter {
    limits: StoreLimits,
    /// Bytes of linear memory across the instance's memories.
    pub(crate) bytes: u64,
}

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.limits.memory_growing(current, desired, maximum)?;
        if allowed {
            self.bytes += desired.saturating_sub(current) as u64;
        }
        Ok(allowed)
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.limits.memory_grow_failed(error)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.limits.table_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.limits.instances()
    }

    fn tables(&self) -> usize {
        self.limits.tables()
    }

    fn memories(&self) -> usize {
        self.limits.memories()
    }
}

/// The data of a plugin instance's `Store`.
pub struct PluginState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) limits: MemoryLimiter,
    pub(crate) sandbox: Limits,
    pub(crate) plugin: String,
    pub(crate) kv: KvSession,
    pub(crate) call: CallState,
    pub(crate) entropy: SharedEntropy,
    pub(crate) clock: EventClock,
    stderr: MemoryOutputPipe,
}

impl PluginState {
    pub(crate) fn new(setup: &InstanceSetup, scope: KvScope) -> PluginState {
        let entropy = SharedEntropy(Arc::new(Mutex::new(Entropy::new(
            setup.secret.clone(),
            &setup.community,
            &setup.plugin,
        ))));
        let clock = EventClock::default();
        let stderr = MemoryOutputPipe::new(STDERR_CAPACITY);
        // WASI is linked only because a guest's standard library imports it.
        // It grants nothing: no preopened directories, no environment, no
        // arguments, no stdin, no network; clocks show the event's time and
        // randomness is the per-event seeded stream.
        let insecure_seed = {
            let mut e = Entropy::new(setup.secret.clone(), &setup.community, &setup.plugin);
            e.reset("wasi-insecure-seed");
            let mut b = [0u8; 16];
            e.fill(&mut b);
            u128::from_le_bytes(b)
        };
        let wasi = WasiCtxBuilder::new()
            .secure_random(entropy.clone())
            .insecure_random(entropy.clone())
            .insecure_random_seed(insecure_seed)
            .wall_clock(clock.clone())
            .monotonic_clock(clock.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .max_random_size(4096)
            .build();
        let memory = (setup.limits.memory_mib as usize) << 20;
        PluginState {
            wasi,
            table: ResourceTable::new(),
            limits: MemoryLimiter {
                limits: StoreLimitsBuilder::new()
                    .memory_size(memory)
                    .trap_on_grow_failure(true)
                    .build(),
                bytes: 0,
            },
            sandbox: setup.limits.clone(),
            plugin: setup.plugin.clone(),
            kv: KvSession {
                scope,
                store: setup.store.clone(),
                staged: KvWrites::new(),
                call: KvWrites::new(),
                key_count: None,
                call_key_delta: 0,
                writes_this_event: 0,
                write_calls: 0,
                cache: ReadCache::default(),
            },
            call: CallState::default(),
            entropy,
            clock,
            stderr,
        }
    }

    /// Whether the guest holds handles to host resources (WASI streams).
    pub(crate) fn holds_host_resources(&self) -> bool {
        !self.table.is_empty()
    }

    pub(crate) fn begin_call(&mut self) {
        self.call.batch_len = 0;
        self.call.log_lines = 0;
        self.call.violation = None;
        self.kv.new_event();
    }

    /// Sets the clock and random context to the first event of a call and
    /// remembers the others for `batch.enter-event`.
    pub(crate) fn enter_batch(&mut self, events: &[super::EventView<'_>]) {
        // Reuses the strings of earlier calls: this runs for every call.
        let slots = &mut self.call.events;
        slots.truncate(events.len());
        while slots.len() < events.len() {
            slots.push((0, String::new()));
        }
        for (slot, event) in slots.iter_mut().zip(events) {
            slot.0 = event.event.timestamp_ms();
            slot.1.clear();
            slot.1.push_str("event\0");
            slot.1.push_str(&event.event.id);
        }
        self.call.batch_len = events.len();
        self.enter_event(0);
    }

    pub(crate) fn enter_event(&mut self, index: usize) -> bool {
        if index >= self.call.batch_len {
            return false;
        }
        let Some((now, context)) = self.call.events.get(index) else {
            return false;
        };
        self.clock.set(*now);
        self.entropy.with(|e| e.reset(context));
        self.call.log_lines = 0;
        self.kv.new_event();
        true
    }

    pub(crate) fn enter_tick(&mut self, now_ms: i64) {
        self.clock.set(now_ms);
        self.entropy.with(|e| e.reset(&format!("tick\0{now_ms}")));
    }

    /// Records the first limit broken during the call; the call's result
    /// will be discarded.
    pub(crate) fn violate(&mut self, what: String) {
        self.call.violation.get_or_insert(what);
    }

    pub(crate) fn take_violation(&mut self) -> Option<String> {
        self.call.violation.take()
    }

    pub(crate) fn stderr_tail(&self) -> String {
        let bytes = self.stderr.contents();
        let text = String::from_utf8_lossy(&bytes);
        text.trim()
            .lines()
            .last()
            .unwrap_or("")
            .chars()
            .take(300)
            .collect()
    }
}

impl WasiView for PluginState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_is_per_event_and_reproducible() {
        let secret = Arc::new(Secret::from_bytes([7; 32]));
        let mut a = Entropy::new(secret.clone(), "acme", "giveaway");
        let mut b = Entropy::new(secret.clone(), "acme", "giveaway");
        a.reset("event\0e1");
        b.reset("event\0e1");
        assert_eq!(a.next_u64(), b.next_u64());
        b.reset("event\0e2");
        a.reset("event\0e1");
        let first = a.next_u64();
        assert_ne!(first, b.next_u64());
        let mut other = Entropy::new(Arc::new(Secret::from_bytes([8; 32])), "acme", "giveaway");
        other.reset("event\0e1");
        assert_ne!(first, other.next_u64());
    }
}
