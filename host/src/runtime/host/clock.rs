//! `vigie:plugin/clock`: the event's time, never the wall clock, so replays
//! decide exactly as the live run did.

use crate::runtime::state::PluginState;
use crate::runtime::wit::vigie::plugin::clock;
use wasmtime::component::{HasSelf, Linker};

pub(crate) fn add_to_linker(linker: &mut Linker<PluginState>) -> wasmtime::Result<()> {
    clock::add_to_linker::<_, HasSelf<_>>(linker, |s| s)
}

impl clock::Host for PluginState {
    fn now(&mut self) -> wasmtime::Result<i64> {
        Ok(self.clock.now_ms())
    }
}
