//! The host's imports, one module per capability, each registering its own
//! interface. Nothing here reaches outside the plugin's own scope: no files,
//! no sockets, no environment, no secrets.

mod batch;
mod clock;
mod kv;
mod log;
mod random;

use super::state::PluginState;
use super::wit;
use wasmtime::component::Linker;

impl wit::vigie::plugin::types::Host for PluginState {}

/// Links WASI (granting nothing, see [`PluginState`]) and the Vigie imports.
pub(crate) fn add_to_linker(linker: &mut Linker<PluginState>) -> wasmtime::Result<()> {
    wasmtime_wasi::p2::add_to_linker_sync(linker)?;
    wit::vigie::plugin::types::add_to_linker::<_, wasmtime::component::HasSelf<_>>(linker, |s| s)?;
    kv::add_to_linker(linker)?;
    clock::add_to_linker(linker)?;
    random::add_to_linker(linker)?;
    log::add_to_linker(linker)?;
    batch::add_to_linker(linker)?;
    Ok(())
}
