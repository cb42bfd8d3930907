//! `vigie:plugin/kv`: the plugin's key-value store, scoped to (community,
//! plugin), transactional per call, within quotas.

use crate::runtime::state::{KvRefusal, PluginState};
use crate::runtime::wit::vigie::plugin::kv::{self, KvError};
use wasmtime::component::{HasSelf, Linker};

/// Store failures reach the guest as a trap: its result is then discarded
/// and the event is not marked handled, so nothing is half-done.
fn host_error(e: anyhow::Error) -> wasmtime::Error {
    wasmtime::Error::from_anyhow(e)
}

pub(crate) fn add_to_linker(linker: &mut Linker<PluginState>) -> wasmtime::Result<()> {
    kv::add_to_linker::<_, HasSelf<_>>(linker, |s| s)
}

/// Most keys `list-keys` returns in one call, whatever the plugin asks.
const MAX_LIST: u32 = 1000;

impl PluginState {
    /// Turns a refusal into the guest's error, and marks the call as having
    /// broken a limit when it is a quota (the result is then discarded).
    fn refuse(&mut self, refusal: KvRefusal) -> KvError {
        let limits = &self.sandbox;
        let (error, what) = match refusal {
            KvRefusal::Quota => (
                KvError::QuotaExceeded,
                format!("key-value quota of {} keys reached", limits.kv_max_keys),
            ),
            KvRefusal::TooManyWrites => (
                KvError::QuotaExceeded,
                format!(
                    "more than {} key-value writes for one event",
                    limits.kv_max_writes_per_event
                ),
            ),
            KvRefusal::TooLarge => {
                return KvError::TooLarge;
            }
        };
        self.violate(what);
        error
    }
}

impl kv::Host for PluginState {
    fn get(&mut self, key: String) -> wasmtime::Result<Option<Vec<u8>>> {
        self.kv.get(&key).map_err(host_error)
    }

    fn set(&mut self, key: String, value: Vec<u8>) -> wasmtime::Result<Result<(), KvError>> {
        let limits = self.sandbox.clone();
        Ok(
            match self
                .kv
                .write(&limits, key, Some(value))
                .map_err(host_error)?
            {
                Ok(()) => Ok(()),
                Err(refusal) => Err(self.refuse(refusal)),
            },
        )
    }

    fn delete(&mut self, key: String) -> wasmtime::Result<()> {
        let limits = self.sandbox.clone();
        if let Err(refusal) = self.kv.write(&limits, key, None).map_err(host_error)? {
            self.refuse(refusal);
        }
        Ok(())
    }

    fn increment(&mut self, key: String, delta: i64) -> wasmtime::Result<Result<i64, KvError>> {
        let current = match self.kv.get(&key).map_err(host_error)? {
            None => 0,
            Some(bytes) => match std::str::from_utf8(&bytes)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
            {
                Some(n) => n,
                None => return Ok(Err(KvError::NotANumber)),
            },
        };
        let next = current.saturating_add(delta);
        let limits = self.sandbox.clone();
        Ok(
            match self
                .kv
                .write(&limits, key, Some(next.to_string().into_bytes()))
                .map_err(host_error)?
            {
                Ok(()) => Ok(next),
                Err(refusal) => Err(self.refuse(refusal)),
            },
        )
    }

    fn list_keys(&mut self, prefix: String, limit: u32) -> wasmtime::Result<Vec<String>> {
        self.kv
            .keys(&prefix, limit.min(MAX_LIST) as usize)
            .map_err(host_error)
    }
}
