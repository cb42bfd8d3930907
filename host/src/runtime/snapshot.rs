//! Configured snapshots: `configure` runs once per plugin entry, and every
//! community's instance starts from the memory it left.
//!
//! A plugin's `configure` builds its indexes (word lists, the FAQ index,
//! lexicons): milliseconds of work and megabytes of memory. Paying that per
//! community cannot reach thousands of communities. Instead, the host runs
//! `configure` once in an instrumented instance and has Wizer
//! (`wasmtime-wizer`) rewrite the component with the resulting memories and
//! globals as its initial state. Instances of that component are made by the
//! pooling allocator from a copy-on-write image: they share the configured
//! pages until they write to them, and making one costs tens of
//! microseconds.
//!
//! Every community still gets its own instance, so nothing a plugin keeps in
//! memory is ever seen by another community. What the snapshot holds is what
//! `configure` built from the entry's config, with no community: `configure`
//! runs with an empty key-value scope, named after no community.
//!
//! A component Wizer cannot take apart (nested components, a module
//! instantiated twice) is run the old way: `configure` per instance.

use super::{LoadedPlugin, PluginInstance, Runtime, WasmtimeResultExt};
use anyhow::{anyhow, Context, Result};
use std::future::Future;
use std::pin::pin;
use std::task::{Context as TaskContext, Poll, Waker};
use wasmtime::component::WasmList;
use wasmtime_wizer::{ComponentInstanceState, Wizer};

/// The component rewritten so that its initial state is the one
/// `configure(config_json)` leaves. `instance` must be a fresh instance of
/// [`instrument`]'s component.
pub(crate) fn configured_component(
    original: &[u8],
    mut instance: PluginInstance,
    config_json: &str,
) -> Result<Vec<u8>> {
    let wizer = Wizer::new();
    let (context, _) = wizer
        .instrument_component(original)
        .map_err(|e| anyhow!("{e:#}"))?;
    instance
        .configure(config_json)
        .map_err(|e| anyhow!("configure {e}"))?;
    if instance.store.data().holds_host_resources() {
        // A handle the guest keeps (a stream it opened) would point to
        // nothing in another instance.
        anyhow::bail!("configure left host resources open (a WASI stream?)");
    }
    let mut access = Access {
        store: &mut instance.store,
        instance: instance.instance,
    };
    let snapshot = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        block_on(wizer.snapshot_component(&context, &mut access))
    }));
    match snapshot {
        Ok(result) => result.map_err(|e| anyhow!("{e:#}")),
        Err(panic) => Err(anyhow!(
            "reading the configured state failed: {}",
            panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("panic")
        )),
    }
}

/// The component with Wizer's accessors added, to snapshot an instance of.
pub(crate) fn instrument(runtime: &Runtime, original: &[u8], origin: &str) -> Result<LoadedPlugin> {
    let (_, instrumented) = Wizer::new()
        .instrument_component(original)
        .map_err(|e| anyhow!("{e:#}"))
        .with_context(|| format!("cannot snapshot {origin}"))?;
    runtime.load(&instrumented, origin)
}

/// Reads an instance's memories and globals for Wizer.
struct Access<'a> {
    store: &'a mut wasmtime::Store<super::state::PluginState>,
    instance: wasmtime::component::Instance,
}

impl Access<'_> {
    fn call<R>(&mut self, interface: &str, func: &str) -> Result<R>
    where
        R: wasmtime::component::ComponentType + wasmtime::component::Lift + Send + Sync + 'static,
    {
        let interface_index = self
            .instance
            .get_export_index(&mut *self.store, None, interface)
            .ok_or_else(|| anyhow!("the instrumented component has no `{interface}`"))?;
        let func_index = self
            .instance
            .get_export_index(&mut *self.store, Some(&interface_index), func)
            .ok_or_else(|| anyhow!("the instrumented component has no `{interface}#{func}`"))?;
        let typed = self
            .instance
            .get_typed_func::<(), (R,)>(&mut *self.store, func_index)
            .anyhow()?;
        let (value,) = typed.call(&mut *self.store, ()).anyhow()?;
        Ok(value)
    }
}

// Wizer asks through this trait; a failed read cannot be reported through
// it, so it panics, and `snapshot_checked` turns the panic into an error.
impl ComponentInstanceState for Access<'_> {
    fn call_func_ret_list_u8(
        &mut self,
        instance: &str,
        func: &str,
        contents: impl FnOnce(&[u8]) + Send,
    ) -> impl Future<Output = ()> + Send {
        match self.call::<WasmList<u8>>(instance, func) {
            Ok(list) => contents(list.as_le_slice(&*self.store)),
            Err(e) => panic!("{e:#}"),
        }
        std::future::ready(())
    }

    fn call_func_ret_s32(
        &mut self,
        instance: &str,
        func: &str,
    ) -> impl Future<Output = i32> + Send {
        std::future::ready(
            self.call(instance, func)
                .unwrap_or_else(|e| panic!("{e:#}")),
        )
    }

    fn call_func_ret_s64(
        &mut self,
        instance: &str,
        func: &str,
    ) -> impl Future<Output = i64> + Send {
        std::future::ready(
            self.call(instance, func)
                .unwrap_or_else(|e| panic!("{e:#}")),
        )
    }

    fn call_func_ret_f32(
        &mut self,
        instance: &str,
        func: &str,
    ) -> impl Future<Output = u32> + Send {
        std::future::ready(
            self.call::<f32>(instance, func)
                .map(f32::to_bits)
                .unwrap_or_else(|e| panic!("{e:#}")),
        )
    }

    fn call_func_ret_f64(
        &mut self,
        instance: &str,
        func: &str,
    ) -> impl Future<Output = u64> + Send {
        std::future::ready(
            self.call::<f64>(instance, func)
                .map(f64::to_bits)
                .unwrap_or_else(|e| panic!("{e:#}")),
        )
    }
}

/// Runs a future whose every step is ready (Wizer's snapshot over the
/// synchronous accessors above) to its end.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = TaskContext::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}
