//! # vigie-sdk: write Vigie plugins in plain Rust
//!
//! A Vigie plugin is a WebAssembly component that looks at community events
//! and answers with actions. This crate hides the component plumbing
//! (wit-bindgen) behind one trait and one macro:
//!
//! ```ignore
//! use vigie_sdk::{act, Action, Description, Event, EventKind, Host, Plugin};
//!
//! struct Hello;
//!
//! impl Plugin for Hello {
//!     fn describe() -> Description {
//!         vigie_sdk::describe("hello", "0.1.0", "Greets newcomers")
//!             .events([EventKind::Join])
//!             .actions([vigie_sdk::ActionKind::Post])
//!             .build()
//!     }
//!     fn configure(_config: &str) -> Result<Self, String> {
//!         Ok(Hello)
//!     }
//!     fn handle(&mut self, _host: &mut impl Host, event: &Event) -> Result<Vec<Action>, String> {
//!         Ok(vec![act::post(&event.channel, format!("Bienvenue {} !", event.author.name), "greeting")])
//!     }
//! }
//!
//! vigie_sdk::export_plugin!(Hello);
//! ```
//!
//! Build it with `cargo build --target wasm32-wasip2 --release`: the `.wasm`
//! file is the plugin.
//!
//! The logic stays plain Rust: the [`Host`] trait gives it the key-value
//! store, the clock, randomness and the log, and [`TestHost`] implements it in
//! memory so the plugin can be tested with a native `cargo test`.

#![deny(missing_docs)]

use std::collections::BTreeMap;

/// The generated component bindings. Plugin authors do not need them; the
/// [`export_plugin!`] macro uses them.
#[doc(hidden)]
#[allow(missing_docs)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "sdk-plugin",
        pub_export_macro: true,
        export_macro_name: "__export_plugin_world",
        default_bindings_module: "vigie_sdk::bindings",
        additional_derives: [PartialEq, Clone],
    });
}

pub use bindings::vigie::plugin::kv::KvError;
pub use bindings::vigie::plugin::log::Level;
pub use bindings::vigie::plugin::types::{
    Action, ActionKind, AlertAction, Author, BanAction, DeleteAction, Description,
    DirectMessageAction, Event, EventKind, FlagAction, KickAction, Label, LabelAction, PostAction,
    ReactAction, ReplyAction, Severity, TimeoutAction,
};

pub mod act;
mod describe;
mod kv_cache;
#[doc(hidden)]
pub mod packed;
mod test_host;
#[doc(hidden)]
pub mod wasm_libc;

/// Inside a component, small allocations are recycled by size (see
/// [`wasm_libc`]).
#[cfg(all(target_family = "wasm", feature = "fast-libc"))]
#[global_allocator]
static ALLOCATOR: wasm_libc::PluginAllocator = wasm_libc::PluginAllocator::new();

pub use describe::{describe, DescriptionBuilder};
pub use test_host::{test_event, test_event_of, TestHost};

/// What a plugin can ask of the host while it handles an event.
///
/// In a component this is the host's imports; in native tests it is a
/// [`TestHost`].
pub trait Host {
    /// The value stored under `key` in this plugin's store for this community.
    fn kv_get(&mut self, key: &str) -> Option<Vec<u8>>;
    /// Store `value` under `key`.
    fn kv_set(&mut self, key: &str, value: &[u8]) -> Result<(), KvError>;
    /// Remove `key`.
    fn kv_delete(&mut self, key: &str);
    /// Add `delta` to the integer under `key` (0 when missing), return the new value.
    fn kv_increment(&mut self, key: &str, delta: i64) -> Result<i64, KvError>;
    /// Up to `limit` keys starting with `prefix`, in byte order.
    fn kv_list(&mut self, prefix: &str, limit: u32) -> Vec<String>;
    /// The event's time in milliseconds since the Unix epoch.
    fn now_ms(&mut self) -> i64;
    /// 64 bits from the per-event seeded random source.
    fn random_u64(&mut self) -> u64;
    /// `len` bytes from the per-event seeded random source.
    fn random_bytes(&mut self, len: u32) -> Vec<u8>;
    /// Write a line to the host's log.
    fn log(&mut self, level: Level, message: &str);

    /// The value under `key` as UTF-8 text, if it is some.
    fn kv_get_string(&mut self, key: &str) -> Option<String> {
        self.kv_get(key).and_then(|v| String::from_utf8(v).ok())
    }
    /// The integer under `key` (as written by `kv_increment`), 0 when missing.
    fn kv_get_i64(&mut self, key: &str) -> i64 {
        self.kv_get_string(key)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
    /// Housekeeping for keys that hold a time (ms, decimal text): looks at
    /// up to `limit` keys starting with `prefix` and deletes those whose
    /// time is `max_age_ms` or more before `now` (or unreadable). Returns
    /// how many it deleted. Call it from `tick`: expired keys go, so each
    /// call reaches further into a large set.
    fn kv_sweep_older(&mut self, prefix: &str, now: i64, max_age_ms: i64, limit: u32) -> usize {
        let mut deleted = 0;
        for key in self.kv_list(prefix, limit) {
            let expired = self
                .kv_get_string(&key)
                .and_then(|s| s.parse::<i64>().ok())
                .is_none_or(|at| now.saturating_sub(at) >= max_age_ms);
            if expired {
                self.kv_delete(&key);
                deleted += 1;
            }
        }
        deleted
    }
}

/// A Vigie plugin. Implement it, then call [`export_plugin!`] once.
pub trait Plugin: Sized + 'static {
    /// Name, version, wanted event kinds and possible action kinds.
    fn describe() -> Description;
    /// Build the plugin from its config (the `config` table of its entry in
    /// `vigie.toml`, as JSON; `{}` when absent). Return a clear message when
    /// the config is wrong.
    fn configure(config: &str) -> Result<Self, String>;
    /// Decide what to do about one event.
    fn handle(&mut self, host: &mut impl Host, event: &Event) -> Result<Vec<Action>, String>;
    /// Time-driven work. The default does nothing.
    fn tick(&mut self, host: &mut impl Host, now_ms: i64) -> Result<Vec<Action>, String> {
        let _ = (host, now_ms);
        Ok(Vec::new())
    }
}

/// The [`Host`] of a running component: calls go to the Vigie host.
///
/// Two answers need no call: the clock (the host's clock is the event's
/// time, or the tick's), and which event of a batch the plugin is on, which
/// the host learns only before a call that depends on it.
pub struct WasmHost {
    now_ms: i64,
    /// The event of the batch being handled.
    current: u32,
    /// The event the host believes the plugin is on.
    host_on: u32,
}

impl WasmHost {
    /// At the start of a call the host is on the first event.
    fn starting(now_ms: i64) -> Self {
        WasmHost {
            now_ms,
            current: 0,
            host_on: 0,
        }
    }

    fn enter(&mut self, index: u32, now_ms: i64) {
        self.current = index;
        self.now_ms = now_ms;
    }

    /// Tells the host which event the plugin is on, if it does not know:
    /// its random stream, its per-event limits follow the event.
    fn sync(&mut self) {
        if self.current != self.host_on {
            bindings::vigie::plugin::batch::enter_event(self.current);
            self.host_on = self.current;
        }
    }
}

std::thread_local! {
    /// What this instance knows of its store (see [`kv_cache`]).
    static KV_CACHE: std::cell::RefCell<kv_cache::ReadCache> = Default::default();
}

fn cached<R>(f: impl FnOnce(&mut kv_cache::ReadCache) -> R) -> R {
    KV_CACHE.with(|c| f(&mut c.borrow_mut()))
}

impl Host for WasmHost {
    fn kv_get(&mut self, key: &str) -> Option<Vec<u8>> {
        if let Some(known) = cached(|c| c.get(key)) {
            return known;
        }
        self.sync();
        let value = bindings::vigie::plugin::kv::get(key);
        cached(|c| c.put(key, value.as_deref()));
        value
    }
    fn kv_set(&mut self, key: &str, value: &[u8]) -> Result<(), KvError> {
        self.sync();
        let result = bindings::vigie::plugin::kv::set(key, value);
        if result.is_ok() {
            cached(|c| c.put(key, Some(value)));
        }
        result
    }
    fn kv_delete(&mut self, key: &str) {
        self.sync();
        bindings::vigie::plugin::kv::delete(key);
        cached(|c| c.put(key, None));
    }
    fn kv_increment(&mut self, key: &str, delta: i64) -> Result<i64, KvError> {
        self.sync();
        let result = bindings::vigie::plugin::kv::increment(key, delta);
        if let Ok(n) = result {
            cached(|c| c.put(key, Some(n.to_string().as_bytes())));
        }
        result
    }
    fn kv_list(&mut self, prefix: &str, limit: u32) -> Vec<String> {
        self.sync();
        bindings::vigie::plugin::kv::list_keys(prefix, limit)
    }
    fn now_ms(&mut self) -> i64 {
        self.now_ms
    }
    fn random_u64(&mut self) -> u64 {
        self.sync();
        bindings::vigie::plugin::random::next_u64()
    }
    fn random_bytes(&mut self, len: u32) -> Vec<u8> {
        self.sync();
        bindings::vigie::plugin::random::bytes(len)
    }
    fn log(&mut self, level: Level, message: &str) {
        self.sync();
        bindings::vigie::plugin::log::write(level, message)
    }
}

/// The glue between the generated exports and a [`Plugin`]; used by
/// [`export_plugin!`].
#[doc(hidden)]
pub mod guest {
    use super::*;
    use std::cell::RefCell;
    use std::thread::LocalKey;

    /// Where the configured plugin lives inside the instance.
    pub type Slot<P> = LocalKey<RefCell<Option<P>>>;

    pub fn configure<P: Plugin>(slot: &'static Slot<P>, config: String) -> Result<(), String> {
        let plugin = P::configure(&config)?;
        slot.with(|s| *s.borrow_mut() = Some(plugin));
        Ok(())
    }

    fn with_plugin<P: Plugin, R>(
        slot: &'static Slot<P>,
        f: impl FnOnce(&mut P) -> Result<R, String>,
    ) -> Result<R, String> {
        slot.with(|s| {
            let mut s = s.borrow_mut();
            if s.is_none() {
                *s = Some(P::configure("{}")?);
            }
            match s.as_mut() {
                Some(p) => f(p),
                None => Err("plugin is not configured".to_string()),
            }
        })
    }

    /// The host drops the key-value writes of a call that fails, so the
    /// cache must forget them too.
    fn forget_on_error<T>(result: &Result<T, String>) {
        if result.is_err() {
            cached(|c| c.clear());
        }
    }

    pub fn handle<P: Plugin>(slot: &'static Slot<P>, event: Event) -> Result<Vec<Action>, String> {
        let mut host = WasmHost::starting(event.timestamp_ms);
        let result = with_plugin(slot, |p| p.handle(&mut host, &event));
        forget_on_error(&result);
        result
    }

    /// Handles the event at `index` of a batch.
    fn handle_at<P: Plugin>(
        slot: &'static Slot<P>,
        host: &mut WasmHost,
        index: u32,
        event: &Event,
    ) -> Result<Vec<Action>, String> {
        host.enter(index, event.timestamp_ms);
        let result = with_plugin(slot, |p| p.handle(host, event));
        forget_on_error(&result);
        result
    }

    pub fn handle_batch<P: Plugin>(
        slot: &'static Slot<P>,
        events: Vec<Event>,
    ) -> Vec<Result<Vec<Action>, String>> {
        let mut host = WasmHost::starting(0);
        events
            .iter()
            .enumerate()
            .map(|(index, event)| handle_at(slot, &mut host, index as u32, event))
            .collect()
    }

    std::thread_local! {
        /// The event being handled, read in place from each packed batch.
        static EVENT: RefCell<Event> = RefCell::new(packed::blank_event());
    }

    pub fn handle_packed<P: Plugin>(
        slot: &'static Slot<P>,
        bytes: Vec<u8>,
    ) -> Vec<Result<Vec<Action>, String>> {
        let unreadable = |e: String| {
            // The host drops the writes of a batch it cannot take, and
            // sees one result for a batch of any other size: it then hands
            // the events over one by one.
            cached(|c| c.clear());
            vec![Err(format!("cannot read the packed events: {e}"))]
        };
        let mut batch = match packed::Batch::open(&bytes) {
            Ok(batch) => batch,
            Err(e) => return unreadable(e),
        };
        let mut results = Vec::with_capacity(batch.len().min(bytes.len()));
        let mut host = WasmHost::starting(0);
        EVENT.with(|event| {
            let event = &mut *event.borrow_mut();
            for index in 0u32.. {
                match batch.next_into(event) {
                    Ok(true) => {}
                    Ok(false) => return results,
                    Err(e) => return unreadable(e),
                }
                results.push(handle_at(slot, &mut host, index, event));
            }
            results
        })
    }

    pub fn tick<P: Plugin>(slot: &'static Slot<P>, now: i64) -> Result<Vec<Action>, String> {
        let result = with_plugin(slot, |p| p.tick(&mut WasmHost::starting(now), now));
        forget_on_error(&result);
        result
    }
}

/// Export a [`Plugin`] type as the component's implementation of the Vigie
/// contract. Call it once, at the root of the plugin crate.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        // Only components export the contract: natively the plugin is a
        // plain library (tests, the native side of `vigie bench`), and
        // several plugins can be linked into one binary.
        #[cfg(target_family = "wasm")]
        const _: () = {
            ::std::thread_local! {
                static VIGIE_PLUGIN: ::std::cell::RefCell<::std::option::Option<$plugin>> =
                    const { ::std::cell::RefCell::new(::std::option::Option::None) };
            }
            struct VigieGuest;
            impl $crate::bindings::Guest for VigieGuest {
                fn describe() -> $crate::Description {
                    <$plugin as $crate::Plugin>::describe()
                }
                fn configure(
                    config: ::std::string::String,
                ) -> ::std::result::Result<(), ::std::string::String> {
                    $crate::guest::configure::<$plugin>(&VIGIE_PLUGIN, config)
                }
                fn handle(
                    event: $crate::Event,
                ) -> ::std::result::Result<::std::vec::Vec<$crate::Action>, ::std::string::String>
                {
                    $crate::guest::handle::<$plugin>(&VIGIE_PLUGIN, event)
                }
                fn handle_batch(
                    events: ::std::vec::Vec<$crate::Event>,
                ) -> ::std::vec::Vec<
                    ::std::result::Result<::std::vec::Vec<$crate::Action>, ::std::string::String>,
                > {
                    $crate::guest::handle_batch::<$plugin>(&VIGIE_PLUGIN, events)
                }

                fn tick(
                    now: i64,
                ) -> ::std::result::Result<::std::vec::Vec<$crate::Action>, ::std::string::String>
                {
                    $crate::guest::tick::<$plugin>(&VIGIE_PLUGIN, now)
                }
            }
            impl $crate::bindings::exports::vigie::plugin::packed::Guest for VigieGuest {
                fn handle_packed(
                    events: ::std::vec::Vec<u8>,
                ) -> ::std::vec::Vec<
                    ::std::result::Result<::std::vec::Vec<$crate::Action>, ::std::string::String>,
                > {
                    $crate::guest::handle_packed::<$plugin>(&VIGIE_PLUGIN, events)
                }
            }
    $crate::bindings::__export_plugin_world!(VigieGuest with_types_in $crate::bindings);
        };
    };
}

/// Helpers on events that most plugins need.
impl Event {
    /// The value of the label `key` attached by an earlier plugin, if any.
    pub fn label(&self, key: &str) -> Option<f64> {
        self.labels.iter().find(|l| l.key == key).map(|l| l.value)
    }
    /// True when an earlier plugin in the chain decided an action of `kind`.
    pub fn already(&self, kind: ActionKind) -> bool {
        self.earlier_actions.contains(&kind)
    }
    /// True for kinds that carry text written by a user.
    pub fn has_text(&self) -> bool {
        matches!(
            self.kind,
            EventKind::Message | EventKind::Edit | EventKind::Mention | EventKind::DirectMessage
        )
    }
}

/// Counts the keys of a `BTreeMap`-backed store under a prefix; shared by
/// [`TestHost`] and kept here so it is tested once.
fn keys_with_prefix(map: &BTreeMap<String, Vec<u8>>, prefix: &str, limit: u32) -> Vec<String> {
    map.range(prefix.to_string()..)
        .take_while(|(k, _)| k.starts_with(prefix))
        .take(limit as usize)
        .map(|(k, _)| k.clone())
        .collect()
}
