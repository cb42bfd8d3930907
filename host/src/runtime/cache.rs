//! Compiled components cached on disk by content hash, so a restart (or a
//! second `vigie test`) loads a plugin in well under a millisecond instead of
//! compiling it again; and compiled functions cached in memory, so a
//! component that differs from one already compiled only in its data (a
//! configured snapshot, see `snapshot`) compiles in a fraction of the time.

use super::WasmtimeResultExt;
use anyhow::{Context, Result};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use wasmtime::component::Component;
use wasmtime::Engine;

#[derive(Debug, Clone)]
pub(crate) struct CompileCache {
    dir: Option<PathBuf>,
}

impl CompileCache {
    pub(crate) fn new(dir: Option<PathBuf>) -> Self {
        CompileCache { dir }
    }

    pub(crate) fn component(&self, engine: &Engine, bytes: &[u8], hash: &str) -> Result<Component> {
        let Some(dir) = &self.dir else {
            return Component::new(engine, bytes).anyhow();
        };
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let path = dir.join(format!("{hash}-{:016x}.cwasm", hasher.finish()));
        if path.exists() {
            // SAFETY: the file was written by `Component::serialize` of an
            // engine with the same compatibility hash, into the host's own
            // data directory; wasmtime still checks its header and version.
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => return Ok(component),
                Err(e) => tracing::warn!(
                    "ignoring unreadable compiled cache {} ({e:#}); recompiling",
                    path.display()
                ),
            }
        }
        let component = Component::new(engine, bytes).anyhow()?;
        if let Err(e) = Self::store(&component, &path) {
            tracing::warn!(
                "cannot cache compiled component in {}: {e:#}",
                path.display()
            );
        }
        Ok(component)
    }

    /// Writes through a temporary file and a rename, so a concurrent reader
    /// never sees half a file.
    fn store(component: &Component, path: &std::path::Path) -> Result<()> {
        let dir = path.parent().context("cache path has no parent")?;
        std::fs::create_dir_all(dir)?;
        let bytes = component.serialize().anyhow()?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut tmp, &bytes)?;
        tmp.persist(path)?;
        Ok(())
    }
}

/// Cranelift's incremental cache, in memory: compiled functions by the hash
/// of their input. Snapshots of one component for many configs share every
/// function, so only the first compiles them.
#[derive(Debug, Default)]
pub(crate) struct FunctionCache {
    entries: std::sync::Mutex<FunctionEntries>,
}

#[derive(Debug, Default)]
struct FunctionEntries {
    map: std::collections::HashMap<Vec<u8>, Vec<u8>>,
    bytes: usize,
}

/// Past this, the cache starts over (hot reloads of ever-new versions must
/// not grow it forever).
const FUNCTION_CACHE_BYTES: usize = 256 << 20;

impl wasmtime::CacheStore for FunctionCache {
    fn get(&self, key: &[u8]) -> Option<std::borrow::Cow<'_, [u8]>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .map
            .get(key)
            .map(|value| std::borrow::Cow::Owned(value.clone()))
    }

    fn insert(&self, key: &[u8], value: Vec<u8>) -> bool {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let size = key.len() + value.len();
        if entries.bytes + size > FUNCTION_CACHE_BYTES {
            entries.map.clear();
            entries.bytes = 0;
        }
        entries.bytes += size;
        entries.map.insert(key.to_vec(), value);
        true
    }
}
