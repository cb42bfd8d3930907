//! `vigie:plugin/random`: per-event randomness derived from the host's
//! secret key (see `Secret`), reproducible on replay, unpredictable outside.

use crate::runtime::state::PluginState;
use crate::runtime::wit::vigie::plugin::random;
use wasmtime::component::{HasSelf, Linker};

pub(crate) fn add_to_linker(linker: &mut Linker<PluginState>) -> wasmtime::Result<()> {
    random::add_to_linker::<_, HasSelf<_>>(linker, |s| s)
}

/// Most bytes one `bytes` call returns.
const MAX_BYTES: u32 = 4096;

impl random::Host for PluginState {
    fn next_u64(&mut self) -> wasmtime::Result<u64> {
        Ok(self.entropy.with(|e| e.next_u64()))
    }

    fn bytes(&mut self, len: u32) -> wasmtime::Result<Vec<u8>> {
        let mut out = vec![0u8; len.min(MAX_BYTES) as usize];
        self.entropy.with(|e| e.fill(&mut out));
        Ok(out)
    }
}
