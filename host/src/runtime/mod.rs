//! Plugin runtime: compiles components (once, cached on disk by content
//! hash), checks them against the contract, and runs calls inside the
//! sandbox — CPU deadline, memory cap, output and key-value limits.
//!
//! One [`Runtime`] (one wasmtime `Engine`) serves the whole host. A
//! [`LoadedPlugin`] is a compiled, validated component ready to instantiate
//! (`InstancePre`, pooling allocator); a [`PluginInstance`] is one live
//! instance bound to one (community, plugin) key-value scope.

mod cache;
mod host;
mod limits;
mod packed;
mod snapshot;
mod state;

pub use limits::Limits;
pub use state::{KvCarry, Secret};

use crate::action::Action;
use crate::event::Event;
use crate::store::{KvScope, KvWrites, Store};
use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use state::PluginState;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use wasmtime::component::{Func, Linker, TypedFunc};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Trap};

/// The types generated from `wit/` for the host side (the [`contract`]
/// module, under the name the runtime's code uses).
///
/// [`contract`]: crate::contract
pub use crate::contract as wit;

/// Converts wasmtime's own error type into the host's `anyhow` errors.
pub(crate) trait WasmtimeResultExt<T> {
    fn anyhow(self) -> Result<T>;
}

impl<T> WasmtimeResultExt<T> for wasmtime::Result<T> {
    fn anyhow(self) -> Result<T> {
        self.map_err(anyhow::Error::from)
    }
}

/// How often the epoch advances; CPU deadlines are counted in these ticks.
const EPOCH_TICK: Duration = Duration::from_millis(1);

/// A call gets `cpu_ms` per event, for this many events at most: a batch
/// larger than this must average less per event or time out, and is then
/// handed over one event at a time. It bounds how long one call can hold a
/// worker (6.4 s with the default `cpu_ms`) whatever `batch_size` is.
const MAX_DEADLINE_EVENTS: usize = 64;

/// What a pool slot keeps mapped, at most, when its instance is dropped
/// (the pages that instance wrote, reset in place): per slot, so the pool
/// holds at most `max_instances` × this much between instances.
const KEEP_RESIDENT: usize = 1 << 20;

/// Largest memory cap a plugin may be given, in MiB (pool slot size).
pub const MAX_MEMORY_MIB: u64 = 1024;

/// Options for the [`Runtime`]; see [`Runtime::builder`].
#[derive(Debug, Clone)]
pub struct RuntimeBuilder {
    cache_dir: Option<PathBuf>,
    max_instances: u32,
    pooling: bool,
    baseline: bool,
    configure_once: bool,
}

impl RuntimeBuilder {
    /// Run each plugin entry's `configure` once and start every
    /// community's instance from the state it leaves (default), rather than
    /// configuring every instance. See [`snapshot`](self#configured-snapshots).
    pub fn configure_once(mut self, on: bool) -> Self {
        self.configure_once = on;
        self
    }
    /// Where compiled components are cached (`None`: no disk cache).
    pub fn cache_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.cache_dir = dir;
        self
    }
    /// How many plugin instances may be alive at once (pool size).
    pub fn max_instances(mut self, n: u32) -> Self {
        self.max_instances = n;
        self
    }
    /// Use the pooling allocator (default) or allocate on demand.
    pub fn pooling(mut self, on: bool) -> Self {
        self.pooling = on;
        self
    }
    /// Compile with the baseline compiler (Winch): several times faster to
    /// compile, slower to run. Hot reload uses it to serve a new version at
    /// once while the optimised code is being compiled.
    pub fn baseline(mut self, on: bool) -> Self {
        self.baseline = on;
        self
    }

    pub fn build(self) -> Result<Runtime> {
        let engine = match self.engine(self.pooling) {
            Ok(engine) => engine,
            Err(e) if self.pooling => {
                tracing::warn!("pooling allocator unavailable ({e:#}); allocating on demand");
                self.engine(false)?
            }
            Err(e) => return Err(e),
        };
        let mut linker = Linker::new(&engine);
        host::add_to_linker(&mut linker).anyhow()?;
        start_epoch_ticker(&engine);
        Ok(Runtime {
            engine,
            linker: Arc::new(linker),
            cache: cache::CompileCache::new(self.cache_dir),
            loaded: Default::default(),
            configure_once: self.configure_once,
        })
    }

    fn engine(&self, pooling: bool) -> Result<Engine> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.epoch_interruption(true);
        if self.baseline {
            config.strategy(wasmtime::Strategy::Winch);
        } else {
            config
                .enable_incremental_compilation(Arc::new(cache::FunctionCache::default()))
                .anyhow()?;
        }
        // `VIGIE_WASM_PROFILER=perfmap` lets `perf` name the plugins' compiled
        // functions (the README's "Profiling plugins").
        if std::env::var("VIGIE_WASM_PROFILER").is_ok_and(|v| v == "perfmap") {
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        if pooling {
            let n = self.max_instances.max(1);
            let mut pool = PoolingAllocationConfig::default();
            pool.total_component_instances(n);
            pool.total_core_instances(n * 8);
            pool.total_memories(n);
            pool.total_tables(n * 8);
            pool.max_memories_per_component(4);
            pool.max_tables_per_component(8);
            pool.max_core_instances_per_component(16);
            pool.max_memory_size((MAX_MEMORY_MIB as usize) << 20);
            // A dropped instance's slot is reset for the next one by copying
            // back only the pages it wrote (found with `PAGEMAP_SCAN`, Linux
            // 6.7+), which stay mapped: the next instance of the same plugin
            // takes no page fault there, and no TLB flush is sent to the other
            // cores. Without that ioctl, the first KEEP_RESIDENT bytes are
            // reset by copy and the rest with `madvise`, as before. Measured
            // on the tenancy bench (docs/tenancy.md): 3× the events/s when
            // communities come and go.
            pool.pagemap_scan(wasmtime::Enabled::Auto);
            pool.linear_memory_keep_resident(KEEP_RESIDENT);
            pool.table_keep_resident(KEEP_RESIDENT / 4);
            config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        }
        Engine::new(&config)
            .anyhow()
            .context("cannot create the WebAssembly engine")
    }
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until the engine is
/// dropped, so a call that runs past its deadline is interrupted.
fn start_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("vigie-epoch".into())
        .spawn(move || loop {
            std::thread::sleep(EPOCH_TICK);
            match weak.upgrade() {
                Some(engine) => engine.increment_epoch(),
                None => break,
            }
        })
        .ok();
}

/// SHA-256 of a component file, hex: how the host names a plugin build.
pub fn hash_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The component with a custom section appended: the same code under
/// another hash, as a new build would be (reload tests and benchmarks).
pub fn with_custom_section(component: &[u8], name: &str, payload: &[u8]) -> Vec<u8> {
    fn leb(mut n: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }
    let mut content = Vec::new();
    leb(name.len(), &mut content);
    content.extend_from_slice(name.as_bytes());
    content.extend_from_slice(payload);
    let mut out = component.to_vec();
    out.push(0);
    leb(content.len(), &mut out);
    out.extend_from_slice(&content);
    out
}

/// The WebAssembly engine and the host functions every plugin is linked with.
#[derive(Clone)]
pub struct Runtime {
    engine: Engine,
    linker: Arc<Linker<PluginState>>,
    cache: cache::CompileCache,
    /// Components already compiled in this process, by hash: many entries
    /// (one per brand's FAQ config) share one component.
    loaded: Arc<std::sync::Mutex<std::collections::HashMap<String, LoadedPlugin>>>,
    configure_once: bool,
}

impl Runtime {
    pub fn builder() -> RuntimeBuilder {
        RuntimeBuilder {
            cache_dir: None,
            max_instances: 1000,
            pooling: true,
            baseline: false,
            configure_once: true,
        }
    }

    /// Compiles (or loads from the cache) and validates a component: it must
    /// be a WebAssembly component that imports only what the host provides
    /// and exports the Vigie contract.
    pub fn load(&self, bytes: &[u8], origin: &str) -> Result<LoadedPlugin> {
        check_component_header(bytes).with_context(|| format!("{origin} is not a Vigie plugin"))?;
        let hash = hash_hex(bytes);
        let known = self
            .loaded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&hash)
            .cloned();
        if let Some(known) = known {
            return Ok(LoadedPlugin {
                origin: origin.to_string(),
                ..known
            });
        }
        let loaded = self.compile(bytes, origin, hash)?;
        self.loaded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(loaded.hash.clone(), loaded.clone());
        Ok(loaded)
    }

    /// The component as `configure(config_json)` leaves it, compiled: its
    /// instances start configured (see the `snapshot` module). `setup` is the
    /// instance's for that one `configure`.
    pub fn configured(
        &self,
        original: &[u8],
        origin: &str,
        setup: &InstanceSetup,
        config_json: &str,
    ) -> Result<LoadedPlugin> {
        let instrumented = snapshot::instrument(self, original, origin)?;
        let instance = instrumented.instantiate(setup, &mut KvCarry::default())?;
        let bytes = snapshot::configured_component(original, instance, config_json)?;
        self.load(&bytes, origin)
    }

    fn compile(&self, bytes: &[u8], origin: &str, hash: String) -> Result<LoadedPlugin> {
        // A big component (a Python one) takes many seconds the first time.
        let ticking = crate::progress::Progress::ticking(format!(
            "compiling {origin} (once: the compiled form is cached)"
        ));
        let component = self
            .cache
            .component(&self.engine, bytes, &hash)
            .with_context(|| format!("{origin} is not a valid WebAssembly component"))?;
        drop(ticking);
        let pre = self.linker.instantiate_pre(&component).anyhow().with_context(|| {
            format!("{origin} does not fit the Vigie contract (vigie:plugin@0.1.0): it needs imports the host does not grant")
        })?;
        let pre = wit::PluginPre::new(pre).anyhow().with_context(|| {
            format!(
                "{origin} does not export the Vigie contract (vigie:plugin@0.1.0 world `plugin`)"
            )
        })?;
        Ok(LoadedPlugin {
            pre: Arc::new(pre),
            hash,
            origin: origin.to_string(),
            engine: self.engine.clone(),
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether plugin entries are configured once (see
    /// [`RuntimeBuilder::configure_once`]).
    pub fn configures_once(&self) -> bool {
        self.configure_once
    }
}

/// Tells a core module, a component and something else apart, for errors a
/// person can act on.
fn check_component_header(bytes: &[u8]) -> Result<()> {
    if bytes.len() < 8 || &bytes[0..4] != b"\0asm" {
        bail!("not a WebAssembly file (it does not start with the `\\0asm` magic bytes)");
    }
    match bytes[4..8] {
        [0x0d, 0x00, 0x01, 0x00] => Ok(()),
        [0x01, 0x00, 0x00, 0x00] => bail!(
            "it is a core WebAssembly module, not a component: build it with `--target wasm32-wasip2` \
             (or wrap it with `wasm-tools component new`)"
        ),
        _ => bail!("unknown WebAssembly version or layer {:02x?}", &bytes[4..8]),
    }
}

/// A compiled and validated plugin component.
#[derive(Clone)]
pub struct LoadedPlugin {
    pre: Arc<wit::PluginPre<PluginState>>,
    /// SHA-256 of the component bytes, hex.
    pub hash: String,
    /// Where it came from (a path or `builtin:name`), for messages.
    pub origin: String,
    engine: Engine,
}

/// Everything an instance needs besides the component.
#[derive(Clone)]
pub struct InstanceSetup {
    /// The plugin entry's name (used in logs and random seeds).
    pub plugin: String,
    pub community: String,
    pub limits: Limits,
    pub store: Arc<dyn Store>,
    pub secret: Arc<Secret>,
}

/// Why a call did not produce a usable result.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("ran out of time (CPU limit {0} ms)")]
    Timeout(u64),
    #[error("exceeded its memory limit ({0} MiB)")]
    Memory(u64),
    #[error("trapped: {0}")]
    Trap(String),
    #[error("exceeded a limit: {0}")]
    Limit(String),
    #[error("returned an error: {0}")]
    Plugin(String),
    #[error("host failure: {0:#}")]
    Host(anyhow::Error),
    /// Not called: the plugin is quarantined.
    #[error("quarantined")]
    Quarantined,
}

impl CallError {
    /// Whether the instance must be replaced (its state can no longer be
    /// trusted after a trap).
    pub fn poisons_instance(&self) -> bool {
        !matches!(self, CallError::Plugin(_) | CallError::Quarantined)
    }
}

/// An action as a plugin returned it, with the channel it names (`post`).
#[derive(Debug, Clone, PartialEq)]
pub struct PluginAction {
    pub action: Action,
    pub channel: Option<String>,
}

/// An event as a plugin sees it at its place in a chain: the event, with
/// the labels and the action kinds decided before it.
#[derive(Clone, Copy)]
pub struct EventView<'a> {
    pub event: &'a Event,
    /// The event's own labels, then those added by earlier plugins.
    pub labels: &'a [wit::Label],
    pub earlier_actions: &'a [wit::ActionKind],
}

impl EventView<'_> {
    /// The WIT record (for plugins that take events as records).
    pub fn to_wit(&self) -> wit::Event {
        self.event
            .to_wit_with(self.labels.to_vec(), self.earlier_actions.to_vec())
    }
}

/// What `handle-batch` and `handle-packed` return.
type BatchResults = (Vec<Result<Vec<wit::Action>, String>>,);

/// `handle-packed` (exported by plugins built with the SDK).
type HandlePacked<'a> = TypedFunc<(&'a [u8],), BatchResults>;

/// One live instance of a plugin, bound to one (community, plugin) scope.
pub struct PluginInstance {
    store: wasmtime::Store<PluginState>,
    /// The component instance (for snapshots of it).
    instance: wasmtime::component::Instance,
    bindings: wit::Plugin,
    /// `handle-packed`, when the component exports it, checked as
    /// [`HandlePacked`]; batches go through it.
    handle_packed: Option<Func>,
    /// The packed batch being sent (kept to reuse its allocation).
    packed: Vec<u8>,
    limits: Limits,
    /// The deadline of the call under way, for messages.
    deadline_ms: u64,
}

impl LoadedPlugin {
    /// A fresh instance that inherits `carry` (staged writes of the instance
    /// it replaces). `carry` is taken only on success, so a failed attempt
    /// loses no write.
    pub fn instantiate(
        &self,
        setup: &InstanceSetup,
        carry: &mut KvCarry,
    ) -> Result<PluginInstance> {
        self.try_instantiate(setup, carry)
            .map_err(|e| anyhow::anyhow!("cannot instantiate {}: {e}", self.origin))
    }

    /// [`LoadedPlugin::instantiate`], telling the plugin's failures (its
    /// start code trapped or ran out of time) from the host's
    /// ([`CallError::Host`]: the instance pool is full, memory ran out).
    pub fn try_instantiate(
        &self,
        setup: &InstanceSetup,
        carry: &mut KvCarry,
    ) -> Result<PluginInstance, CallError> {
        let scope = KvScope::new(&setup.community, &setup.plugin);
        let state = PluginState::new(setup, scope);
        let mut store = wasmtime::Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        store.epoch_deadline_trap();
        store.set_epoch_deadline(ticks(setup.limits.setup_ms));
        let instance = match self.pre.instance_pre().instantiate(&mut store) {
            Ok(instance) => instance,
            Err(error) if error.downcast_ref::<Trap>().is_some() => {
                let trap = match error.downcast_ref::<Trap>() {
                    Some(Trap::Interrupt) => CallError::Timeout(setup.limits.setup_ms),
                    _ => {
                        CallError::Trap(format!("at start: {}", first_line(&format!("{error:#}"))))
                    }
                };
                return Err(trap);
            }
            Err(error) => {
                return Err(CallError::Host(
                    anyhow::Error::from(error)
                        .context(format!("cannot instantiate {}", self.origin)),
                ))
            }
        };
        self.finish_instance(store, instance, setup, carry)
            .map_err(CallError::Host)
    }

    fn finish_instance(
        &self,
        mut store: wasmtime::Store<PluginState>,
        instance: wasmtime::component::Instance,
        setup: &InstanceSetup,
        carry: &mut KvCarry,
    ) -> Result<PluginInstance> {
        let bindings = wit::Plugin::new(&mut store, &instance).anyhow()?;
        let handle_packed = match instance.get_export_index(&mut store, None, packed::INTERFACE) {
            Some(interface) => {
                let func = instance
                    .get_export_index(&mut store, Some(&interface), packed::FUNCTION)
                    .and_then(|index| instance.get_func(&mut store, index))
                    .with_context(|| {
                        format!(
                            "{} exports `{}` without `{}`",
                            self.origin,
                            packed::INTERFACE,
                            packed::FUNCTION
                        )
                    })?;
                func.typed::<(&[u8],), BatchResults>(&store)
                    .anyhow()
                    .with_context(|| {
                        format!("{}: `{}` has the wrong type", self.origin, packed::FUNCTION)
                    })?;
                Some(func)
            }
            None => None,
        };
        store.data_mut().kv.adopt(std::mem::take(carry));
        Ok(PluginInstance {
            store,
            instance,
            bindings,
            handle_packed,
            packed: Vec::new(),
            deadline_ms: setup.limits.cpu_ms,
            limits: setup.limits.clone(),
        })
    }
}

fn ticks(cpu_ms: u64) -> u64 {
    (cpu_ms * 1000 / EPOCH_TICK.as_micros() as u64).max(1)
}

impl PluginInstance {
    pub fn describe(&mut self) -> Result<wit::Description, CallError> {
        self.prepare_setup();
        let r = self.bindings.call_describe(&mut self.store);
        let result = self.finish(r);
        self.settle(result)
    }

    pub fn configure(&mut self, config_json: &str) -> Result<(), CallError> {
        self.prepare_setup();
        let r = self.bindings.call_configure(&mut self.store, config_json);
        let result = self.finish(r).and_then(|r| r.map_err(CallError::Plugin));
        self.settle(result)
    }

    /// Handles one event. Key-value writes are staged only on success.
    pub fn handle(&mut self, event: EventView<'_>) -> Result<Vec<PluginAction>, CallError> {
        self.prepare(1, Some(&[event]));
        let r = match self.handle_packed {
            // A batch of one: still cheaper to pass than the record.
            Some(handle_packed) => {
                packed::encode(&[event], &mut self.packed);
                // SAFETY: the signature was checked at instantiation.
                let func: HandlePacked<'_> = unsafe { TypedFunc::new_unchecked(handle_packed) };
                func.call(&mut self.store, (&self.packed,))
                    .and_then(|(mut results,)| match (results.pop(), results.is_empty()) {
                        (Some(result), true) => Ok(result),
                        _ => Err(wasmtime::Error::msg(
                            "handle-packed returned a wrong number of results for one event",
                        )),
                    })
            }
            None => self.bindings.call_handle(&mut self.store, &event.to_wit()),
        };
        let result = match self.finish(r) {
            Ok(Ok(actions)) => self.check_output(actions),
            Ok(Err(message)) => Err(CallError::Plugin(message)),
            Err(e) => Err(e),
        };
        self.settle(result)
    }

    /// Handles several events in one call. A trap or a broken limit fails
    /// the whole batch (the caller then retries event by event, so only the
    /// culprit loses its result); a plugin error fails only its event.
    pub fn handle_batch(
        &mut self,
        events: &[EventView<'_>],
    ) -> Result<Vec<Result<Vec<PluginAction>, CallError>>, CallError> {
        self.prepare(events.len(), Some(events));
        let r = match self.handle_packed {
            Some(handle_packed) => {
                packed::encode(events, &mut self.packed);
                // SAFETY: the signature was checked at instantiation.
                let func: HandlePacked<'_> = unsafe { TypedFunc::new_unchecked(handle_packed) };
                func.call(&mut self.store, (&self.packed,)).map(|(r,)| r)
            }
            None => {
                let records: Vec<wit::Event> = events.iter().map(EventView::to_wit).collect();
                self.bindings.call_handle_batch(&mut self.store, &records)
            }
        };
        let result = self.finish(r).and_then(|results| {
            if results.len() != events.len() {
                return Err(CallError::Trap(format!(
                    "handle-batch returned {} results for {} events",
                    results.len(),
                    events.len()
                )));
            }
            results
                .into_iter()
                .map(|result| match result {
                    Ok(actions) => self.check_output(actions).map(Ok),
                    Err(message) => Ok(Err(CallError::Plugin(message))),
                })
                .collect()
        });
        self.settle(result)
    }

    pub fn tick(&mut self, now_ms: i64) -> Result<Vec<PluginAction>, CallError> {
        self.prepare(1, None);
        self.store.data_mut().enter_tick(now_ms);
        let r = self.bindings.call_tick(&mut self.store, now_ms);
        let result = match self.finish(r) {
            Ok(Ok(actions)) => self.check_output(actions),
            Ok(Err(message)) => Err(CallError::Plugin(message)),
            Err(e) => Err(e),
        };
        self.settle(result)
    }

    /// Keeps the call's key-value writes if it succeeded, drops them if not.
    fn settle<T>(&mut self, result: Result<T, CallError>) -> Result<T, CallError> {
        let kv = &mut self.store.data_mut().kv;
        match &result {
            Ok(_) => kv.accept_call(),
            Err(_) => kv.discard_call(),
        }
        result
    }

    /// Takes the key-value writes accepted so far, to commit them.
    /// How many of this instance's calls changed its key-value state.
    pub fn kv_write_calls(&mut self) -> u64 {
        self.store.data_mut().kv.write_calls()
    }

    pub fn take_kv_writes(&mut self) -> (KvScope, KvWrites) {
        self.store.data_mut().kv.take_staged()
    }

    /// What a replacement instance must inherit.
    pub fn into_carry(mut self) -> KvCarry {
        self.store.data_mut().kv.carry()
    }

    /// Bytes of linear memory the instance has (what it may touch, not
    /// what it has touched).
    pub fn memory_bytes(&self) -> u64 {
        self.store.data().limits.bytes
    }

    /// The log lines the plugin wrote to stderr (panic messages), if any.
    pub fn stderr_tail(&self) -> String {
        self.store.data().stderr_tail()
    }

    /// Before `describe` and `configure`: the setup deadline.
    fn prepare_setup(&mut self) {
        self.prepare(1, None);
        self.store.set_epoch_deadline(ticks(self.limits.setup_ms));
        self.deadline_ms = self.limits.setup_ms;
    }

    fn prepare(&mut self, events: usize, batch: Option<&[EventView<'_>]>) {
        let scale = events.clamp(1, MAX_DEADLINE_EVENTS) as u64;
        self.store
            .set_epoch_deadline(ticks(self.limits.cpu_ms) * scale);
        self.deadline_ms = self.limits.cpu_ms * scale;
        let state = self.store.data_mut();
        state.begin_call();
        if let Some(batch) = batch {
            state.enter_batch(batch);
        }
    }

    /// Turns a wasmtime result into a call result, classifying traps and
    /// the violations host functions recorded during the call.
    fn finish<T>(&mut self, result: wasmtime::Result<T>) -> Result<T, CallError> {
        let violation = self.store.data_mut().take_violation();
        match result {
            Ok(value) => match violation {
                Some(v) => Err(CallError::Limit(v)),
                None => Ok(value),
            },
            Err(error) => {
                if let Some(v) = violation {
                    return Err(CallError::Limit(v));
                }
                Err(self.classify(error))
            }
        }
    }

    fn classify(&self, error: wasmtime::Error) -> CallError {
        if let Some(trap) = error.downcast_ref::<Trap>() {
            match trap {
                Trap::Interrupt => return CallError::Timeout(self.deadline_ms),
                Trap::StackOverflow => {
                    return CallError::Trap("wasm stack overflow (recursion too deep)".into())
                }
                _ => {}
            }
        }
        let text = format!("{error:#}");
        if text.contains("forcing a memory growth failure")
            || text.contains("forcing trap when growing memory")
        {
            return CallError::Memory(self.limits.memory_mib);
        }
        let stderr = self.stderr_tail();
        if stderr.is_empty() {
            CallError::Trap(first_line(&text))
        } else {
            CallError::Trap(format!("{} ({})", first_line(&text), stderr))
        }
    }

    fn check_output(&self, actions: Vec<wit::Action>) -> Result<Vec<PluginAction>, CallError> {
        if actions.len() > self.limits.max_actions {
            return Err(CallError::Limit(format!(
                "returned {} actions for one event; the limit is {}",
                actions.len(),
                self.limits.max_actions
            )));
        }
        let mut bytes = 0usize;
        let mut out = Vec::with_capacity(actions.len());
        for action in actions {
            let (action, channel) = Action::from_wit(action).map_err(CallError::Limit)?;
            bytes += action.output_bytes() + channel.as_ref().map_or(0, String::len);
            out.push(PluginAction { action, channel });
        }
        if bytes > self.limits.max_output_bytes {
            return Err(CallError::Limit(format!(
                "returned {bytes} bytes of output for one event; the limit is {}",
                self.limits.max_output_bytes
            )));
        }
        Ok(out)
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or(text).to_string()
}
