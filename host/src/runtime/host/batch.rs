//! `vigie:plugin/batch`: lets the SDK's `handle-batch` tell the host which
//! event of the batch it is on, so `now` and `random` follow that event.

use crate::runtime::state::PluginState;
use crate::runtime::wit::vigie::plugin::batch;
use wasmtime::component::{HasSelf, Linker};

pub(crate) fn add_to_linker(linker: &mut Linker<PluginState>) -> wasmtime::Result<()> {
    batch::add_to_linker::<_, HasSelf<_>>(linker, |s| s)
}

impl batch::Host for PluginState {
    fn enter_event(&mut self, index: u32) -> wasmtime::Result<()> {
        if !self.enter_event(index as usize) {
            self.violate(format!("batch.enter-event({index}) is outside the batch"));
        }
        Ok(())
    }
}
