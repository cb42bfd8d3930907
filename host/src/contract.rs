//! The plugin contract, `vigie:plugin@0.1.0` (`wit/`), as Rust types for
//! the host side. Every step that speaks to plugins (events out, actions
//! in, the runtime's host functions) takes its types from here, the ground
//! floor: it imports nothing of the host.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "plugin",
    imports: { default: trappable },
});
pub use self::vigie::plugin::types::*;
