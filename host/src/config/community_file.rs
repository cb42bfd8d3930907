//! `communities_dir`: one file per community, for hosts that serve many.
//! The file's name is the community's id:
//!
//! ```toml
//! # communities/acme.toml
//! chain = ["automod", "faq"]        # optional: default_chain otherwise
//!
//! [plugins.faq.config]               # laid over [plugins.faq] of vigie.toml
//! entries = [{ id = "hours", answer = "9h-18h", examples = ["horaires ?"] }]
//! ```
//!
//! A file sets a community's chain and the config keys of its plugins, each
//! top-level key replacing the entry's. What a plugin may do (component,
//! grants, limits, mode) stays in `vigie.toml`, so a community file written
//! for a client cannot widen it.

use super::{check_name, line_of, Config, PluginEntry};
use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

/// One community file, read and checked against the config.
#[derive(Debug, Clone, PartialEq)]
pub struct CommunityFile {
    pub id: String,
    pub path: PathBuf,
    /// Plugin entry names, in order (the file's, or `default_chain`).
    pub chain: Vec<String>,
    /// Config keys laid over each plugin entry's, by plugin name.
    pub overrides: BTreeMap<String, toml::Table>,
    /// Where each override is, for messages (`file:line`).
    pub override_at: BTreeMap<String, String>,
    /// The plugin entries the overrides make, by plugin name.
    pub entries: BTreeMap<String, Arc<PluginEntry>>,
}

/// Plugin entries made once per plugin and per distinct set of overrides:
/// ten thousand files overriding the same keys read one config file and
/// build one entry.
#[derive(Default)]
pub struct EntryCache {
    base: HashMap<String, Result<PluginEntry, String>>,
    merged: HashMap<(String, String), Result<Arc<PluginEntry>, String>>,
}

impl EntryCache {
    /// Plugin `name`'s entry with `overrides` laid over its config.
    pub fn entry(
        &mut self,
        config: &Config,
        name: &str,
        overrides: &toml::Table,
    ) -> Result<Arc<PluginEntry>> {
        let key = (
            name.to_string(),
            toml::Value::Table(overrides.clone()).to_string(),
        );
        if let Some(known) = self.merged.get(&key) {
            return known.clone().map_err(|e| anyhow!(e));
        }
        let base = self
            .base
            .entry(name.to_string())
            .or_insert_with(|| config.plugin_entry(name).map_err(|e| format!("{e:#}")));
        let merged = match base {
            Ok(base) => base
                .with_overrides(overrides)
                .map(Arc::new)
                .map_err(|e| format!("{e:#}")),
            Err(e) => Err(e.clone()),
        };
        self.merged.insert(key, merged.clone());
        merged.map_err(|e| anyhow!(e))
    }
}

/// Every community file of a directory: those that read, and the errors of
/// those that do not (by community id; each names its file, key and line).
#[derive(Debug, Default)]
pub struct CommunityFiles {
    pub files: Vec<CommunityFile>,
    pub refused: Vec<(String, anyhow::Error)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    chain: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    plugins: BTreeMap<String, Spanned<PluginOverride>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PluginOverride {
    config: toml::Table,
}

/// The community id a path names, if it is a community file: a `.toml`
/// file, not hidden (editors' swap and backup files are not).
pub fn community_id(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    if name.starts_with('.') {
        return None;
    }
    let id = name.strip_suffix(".toml")?;
    check_name(id).ok().map(|()| id.to_string())
}

impl Config {
    /// Reads every community file of `communities_dir` (none without it).
    /// An error only when the directory itself cannot be read.
    pub fn read_community_files(&self) -> Result<CommunityFiles> {
        let Some(dir) = self.communities_dir() else {
            return Ok(CommunityFiles::default());
        };
        let listing = std::fs::read_dir(&dir).with_context(|| {
            format!(
                "{}: communities_dir: cannot read directory {}",
                self.origin,
                dir.display()
            )
        })?;
        let mut cache = EntryCache::default();
        let mut paths: Vec<PathBuf> = listing
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && community_id(p).is_some())
            .collect();
        paths.sort();
        let mut out = CommunityFiles::default();
        for path in paths {
            match self.read_community_file(&path, &mut cache) {
                Ok(file) => out.files.push(file),
                Err(e) => out
                    .refused
                    .push((community_id(&path).unwrap_or_default(), e)),
            }
        }
        Ok(out)
    }

    /// Reads one community file and checks it against this config: its
    /// chain names plugins defined here, each override is for a plugin of
    /// that chain, and the community is not also under `[[communities]]`.
    pub fn read_community_file(
        &self,
        path: &Path,
        cache: &mut EntryCache,
    ) -> Result<CommunityFile> {
        let origin = path.display().to_string();
        let id = community_id(path).ok_or_else(|| {
            anyhow!(
                "{origin}: not a community file (expected <id>.toml, the id being the community's)"
            )
        })?;
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read {origin}"))?;
        let file: FileToml =
            toml::from_str(&text).map_err(|e| anyhow!("{origin}: {}", e.to_string().trim_end()))?;
        if self.communities.iter().any(|c| c.id.get_ref() == &id) {
            bail!(
                "{origin}: community `{id}` is also listed under [[communities]] in {}; keep one of the two",
                self.origin
            );
        }
        let chain = match (&file.chain, &self.default_chain) {
            (Some(chain), _) => {
                self.check_chain_in(&origin, chain, "chain", &text)?;
                chain
                    .iter()
                    .map(|n| n.get_ref().clone())
                    .collect::<Vec<_>>()
            }
            (None, Some(default)) => default.iter().map(|n| n.get_ref().clone()).collect(),
            (None, None) => bail!(
                "{origin}: no `chain` (e.g. chain = [\"automod\"]), and {} has no default_chain",
                self.origin
            ),
        };
        let mut overrides = BTreeMap::new();
        let mut override_at = BTreeMap::new();
        let mut entries = BTreeMap::new();
        for (name, plugin) in file.plugins {
            let at = format!("{origin}:{}", line_of(&text, plugin.span().start));
            if !self.plugins.contains_key(&name) {
                bail!(
                    "{at}: plugins.{name}: no plugin `{name}` is defined under [plugins] in {} (defined: {})",
                    self.origin,
                    self.plugins.keys().cloned().collect::<Vec<_>>().join(", ")
                );
            }
            if !chain.contains(&name) {
                bail!(
                    "{at}: plugins.{name}: `{name}` is not in this community's chain ({})",
                    chain.join(", ")
                );
            }
            // The merge itself is checked here; the plugin checks the result
            // when it is loaded.
            let entry = cache
                .entry(self, &name, &plugin.get_ref().config)
                .map_err(|e| anyhow!("{at}: plugins.{name}.config: {e:#}"))?;
            entries.insert(name.clone(), entry);
            overrides.insert(name.clone(), plugin.into_inner().config);
            override_at.insert(name, at);
        }
        Ok(CommunityFile {
            id,
            path: path.to_path_buf(),
            chain,
            overrides,
            override_at,
            entries,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"
communities_dir = "communities"
[plugins.kf]
component = "builtin:keyword-filter"
grants = ["delete"]
config = { keywords = ["spam"], reply = "no" }
[plugins.echo]
component = "builtin:keyword-filter"
grants = ["reply"]

[[communities]]
id = "listed"
chain = ["kf"]
"#;

    fn setup(files: &[(&str, &str)]) -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("communities")).unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join("communities").join(name), text).unwrap();
        }
        let config = Config::parse(CONFIG, "vigie.toml", dir.path()).unwrap();
        (dir, config)
    }

    #[test]
    fn a_file_gives_its_chain_and_overrides_keys_of_the_entry() {
        let (_dir, config) = setup(&[(
            "acme.toml",
            "chain = [\"kf\", \"echo\"]\n[plugins.kf.config]\nkeywords = [\"scam\"]\n",
        )]);
        let files = config.read_community_files().unwrap();
        assert!(files.refused.is_empty(), "{:?}", files.refused);
        let acme = &files.files[0];
        assert_eq!(acme.id, "acme");
        assert_eq!(acme.chain, ["kf", "echo"]);
        let entry = &acme.entries["kf"];
        assert!(entry.overridden);
        assert_eq!(entry.config_json, r#"{"keywords":["scam"],"reply":"no"}"#);
    }

    #[test]
    fn a_bad_file_is_refused_with_its_file_key_and_line_and_others_read() {
        let (_dir, config) = setup(&[
            ("good.toml", "chain = [\"kf\"]\n"),
            ("typo.toml", "\nchain = [\"kf\", \"fq\"]\n"),
            (
                "stray.toml",
                "chain = [\"kf\"]\n\n[plugins.echo.config]\nx = 1\n",
            ),
            ("listed.toml", "chain = [\"kf\"]\n"),
            ("unknown.toml", "chian = [\"kf\"]\n"),
            ("nochain.toml", "[plugins.kf.config]\nx = 1\n"),
            (".acme.toml.swp", "garbage"),
            ("notes.txt", "garbage"),
        ]);
        let files = config.read_community_files().unwrap();
        assert_eq!(
            files
                .files
                .iter()
                .map(|f| f.id.as_str())
                .collect::<Vec<_>>(),
            ["good"]
        );
        let errors: Vec<String> = files
            .refused
            .iter()
            .map(|(_, e)| format!("{e:#}"))
            .collect();
        assert_eq!(errors.len(), 5, "{errors:#?}");
        let find = |file: &str| {
            errors
                .iter()
                .find(|e| e.contains(file))
                .unwrap_or_else(|| panic!("no error for {file}: {errors:#?}"))
        };
        assert!(find("typo.toml:2").contains("`fq`"));
        assert!(find("stray.toml:3").contains("not in this community's chain"));
        assert!(find("listed.toml").contains("also listed under [[communities]]"));
        assert!(find("unknown.toml").contains("chian"));
        assert!(find("nochain.toml").contains("no default_chain"));
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::parse(CONFIG, "vigie.toml", dir.path()).unwrap();
        let error = format!("{:#}", config.read_community_files().unwrap_err());
        assert!(
            error.contains("communities_dir") && error.contains("communities"),
            "{error}"
        );
    }
}
