//! Plugin versions kept by the host: every component it has run, by hash,
//! in `<data_dir>/versions/` (`<hash>.wasm`, and `<hash>.json` saying which
//! plugin entries ran it and their declared version), so that
//! `vigie replay --against-version HASH` can compare with a version whose
//! file is long gone.

use crate::chain::PluginDef;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What is known of a kept version.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KeptVersion {
    pub hash: String,
    /// The version the plugin declares (`describe`).
    pub version: String,
    /// The plugin entries that ran it.
    pub entries: Vec<String>,
    /// Where it was loaded from (a path, or `builtin:NAME`).
    pub component: String,
    /// When it was first kept (RFC 3339).
    pub kept_at: String,
}

/// The versions directory of a data directory.
#[derive(Debug, Clone)]
pub struct KeptVersions {
    dir: PathBuf,
}

impl KeptVersions {
    pub fn new(data_dir: &Path) -> KeptVersions {
        KeptVersions {
            dir: data_dir.join("versions"),
        }
    }

    /// Keeps `bytes`, the component `def` runs (once per hash), and notes
    /// the entry that runs it.
    pub fn keep(&self, def: &PluginDef, bytes: &[u8]) -> Result<()> {
        let hash = &def.loaded.hash;
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("cannot create {}", self.dir.display()))?;
        let wasm = self.dir.join(format!("{hash}.wasm"));
        if !wasm.exists() {
            write_atomically(&wasm, bytes)?;
        }
        let meta = self.dir.join(format!("{hash}.json"));
        let mut kept = match std::fs::read(&meta) {
            Ok(text) => serde_json::from_slice(&text).unwrap_or_else(|_| new_record(def)),
            Err(_) => new_record(def),
        };
        if kept.entries.contains(&def.entry.name) {
            return Ok(());
        }
        kept.entries.push(def.entry.name.clone());
        write_atomically(&meta, &serde_json::to_vec_pretty(&kept)?)
    }

    /// Every kept version, oldest first.
    pub fn list(&self) -> Result<Vec<KeptVersion>> {
        let mut out = Vec::new();
        let listing = match std::fs::read_dir(&self.dir) {
            Ok(listing) => listing,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e).context(format!("cannot read {}", self.dir.display())),
        };
        for entry in listing.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "json") {
                if let Ok(kept) = serde_json::from_slice::<KeptVersion>(&std::fs::read(&path)?) {
                    out.push(kept);
                }
            }
        }
        out.sort_by(|a, b| a.kept_at.cmp(&b.kept_at).then(a.hash.cmp(&b.hash)));
        Ok(out)
    }

    /// The component file of the kept version whose hash starts with
    /// `prefix` (at least 6 hex digits, and only one version may match).
    pub fn find(&self, prefix: &str) -> Result<PathBuf> {
        let prefix = prefix.trim().to_lowercase();
        if prefix.len() < 6 || !prefix.chars().all(|c| c.is_ascii_hexdigit()) {
            bail!("`{prefix}` is not a version hash: give at least its first 6 hex digits (the reload log and `vigie versions` show them)");
        }
        let all = self.list()?;
        let matching: Vec<&KeptVersion> =
            all.iter().filter(|k| k.hash.starts_with(&prefix)).collect();
        match matching[..] {
            [one] => Ok(self.dir.join(format!("{}.wasm", one.hash))),
            [] => bail!(
                "no kept version has a hash starting with {prefix} in {}; kept: {}",
                self.dir.display(),
                describe(&all)
            ),
            _ => bail!(
                "several kept versions start with {prefix}: {}; give more digits",
                describe(&matching.into_iter().cloned().collect::<Vec<_>>())
            ),
        }
    }
}

fn new_record(def: &PluginDef) -> KeptVersion {
    KeptVersion {
        hash: def.loaded.hash.clone(),
        version: def.description.version.clone(),
        entries: Vec::new(),
        component: def.entry.component.clone(),
        kept_at: crate::event::format_ms(crate::connector::now_ms()),
    }
}

fn describe(kept: &[KeptVersion]) -> String {
    if kept.is_empty() {
        return "none".into();
    }
    kept.iter()
        .map(|k| {
            format!(
                "{} ({} {})",
                &k.hash[..12.min(k.hash.len())],
                k.entries.join("/"),
                k.version
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}
