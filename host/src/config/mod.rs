//! `vigie.toml`: data directory, plugins, communities and their chains,
//! sources and sinks. Every error names the file, the key and the line.
//!
//! ```toml
//! data_dir = "vigie-data"            # relative to this file
//!
//! [plugins.keyword-filter]
//! component = "builtin:keyword-filter"   # or a path to a .wasm component
//! grants = ["delete", "reply"]           # action kinds it may take
//! config = { keywords = ["spam"] }       # handed to the plugin as JSON
//! limits = { cpu_ms = 50 }               # sandbox limits (see Limits)
//!
//! [[communities]]
//! id = "acme"
//! chain = ["keyword-filter"]
//!
//! [[sources]]
//! type = "jsonl"
//! path = "events.jsonl"                  # "-" reads standard input
//! ```
//!
//! Communities may also be declared one file each, in `communities_dir`
//! (see [`community_file`]).

use crate::action::ActionKind;
use crate::connector::ConnectorConfig;
use crate::runtime::{Limits, MAX_MEMORY_MIB};
use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use toml::Spanned;

pub mod community_file;
pub use community_file::CommunityFile;

/// The whole configuration, as read from the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the store, the secret key and the compile cache live.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    #[serde(default)]
    pub runtime: RuntimeConfig,
    /// Plugin entries by name.
    #[serde(default)]
    pub plugins: BTreeMap<String, PluginConfig>,
    #[serde(default)]
    pub communities: Vec<CommunityConfig>,
    /// A directory of `<id>.toml` files, one per community (relative to
    /// this file), watched while running.
    #[serde(default)]
    pub communities_dir: Option<Spanned<PathBuf>>,
    /// The chain for events of communities not listed in `communities`.
    /// Without it, such events are recorded as rejected ("unrouted").
    #[serde(default)]
    pub default_chain: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub sources: Vec<SourceConfig>,
    #[serde(default)]
    pub sinks: Vec<SinkConfig>,
    /// Live platforms (Matrix, IRC): each both brings its community's
    /// events and carries out its actions.
    #[serde(default)]
    pub connectors: Vec<ConnectorConfig>,
    /// The review queue (actions held for a moderator, flags).
    #[serde(default)]
    pub review: ReviewConfig,
    /// `[console]`: the web console (`crate::console`), off without it.
    #[serde(default)]
    pub console: Option<crate::console::ConsoleConfig>,
    /// `[[digests]]`: weekly summaries posted to a staff channel
    /// (`crate::reports::weekly`).
    #[serde(default)]
    pub digests: Vec<crate::reports::weekly::DigestConfig>,
    /// `[cluster]`: several hosts sharing the communities over NATS
    /// JetStream (`crate::cluster`); one host with its sled store without it.
    #[serde(default)]
    pub cluster: Option<crate::cluster::ClusterConfig>,
    /// The directory relative paths are resolved against (the config
    /// file's directory); not read from the file.
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// The file name, for messages.
    #[serde(skip)]
    pub origin: String,
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("vigie-data")
}

/// `runtime.read_ahead` when not set.
pub const DEFAULT_READ_AHEAD: usize = 32 * 1024;

/// `[runtime]`: host-wide settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RuntimeConfig {
    /// Most events handed to a plugin in one call when events queue up.
    pub batch_size: usize,
    /// Most events a worker reads ahead of what it runs. Under load, a
    /// community's events that arrived meanwhile run together (one set of
    /// instances, one commit); 1 runs each event as it comes.
    pub read_ahead: usize,
    /// Plugin instances alive at once (the pooling allocator's size).
    pub max_instances: u32,
    /// Memory the host lets plugin instances hold, in MiB, counted as their
    /// linear memory. Past it, the least recently used communities'
    /// instances are dropped (state lives in the store; the next event makes
    /// them again).
    pub memory_budget_mib: u64,
    /// Cache compiled components in `<data_dir>/cache`.
    pub compile_cache: bool,
    /// Call every plugin's `tick` each time a community's event time
    /// crosses a multiple of this many seconds.
    pub tick_every_s: u64,
    /// Worker threads running community chains (0: one per core). A
    /// community always runs on the same worker.
    pub workers: usize,
    /// Default limits for every plugin (each entry may override keys).
    pub limits: Limits,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            batch_size: 512,
            read_ahead: DEFAULT_READ_AHEAD,
            max_instances: 1000,
            memory_budget_mib: 1024,
            compile_cache: true,
            tick_every_s: 60,
            workers: 0,
            limits: Limits::default(),
        }
    }
}

/// `[plugins.NAME]`: one plugin entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginConfig {
    /// `builtin:NAME` or a path to a `.wasm` component.
    pub component: Spanned<String>,
    /// The action kinds this plugin may take. Anything else it returns is
    /// dropped and logged.
    pub grants: Option<Spanned<Vec<ActionKind>>>,
    /// The plugin's own settings, handed to `configure` as JSON.
    #[serde(default)]
    pub config: Option<toml::Value>,
    /// Or: a TOML file holding those settings (relative to this file).
    #[serde(default)]
    pub config_file: Option<Spanned<PathBuf>>,
    /// Overrides of `[runtime.limits]` for this plugin.
    #[serde(default)]
    pub limits: Option<Spanned<toml::Table>>,
    /// `live` (default) or `shadow`: a shadow plugin sees the live events
    /// and its actions are recorded (`vigie shadow-report`), never executed
    /// nor seen by the rest of the chain.
    #[serde(default)]
    pub mode: Mode,
    /// For a shadow plugin: the live plugin entry it is meant to replace,
    /// whose actions the report compares with its own.
    #[serde(default)]
    pub replaces: Option<Spanned<String>>,
    /// Actions held for a moderator's decision instead of executed:
    /// `["ban", "kick", "timeout"]`, or `"all"` (every action it takes on
    /// a platform). `flag`s always go to the review queue too.
    #[serde(default)]
    pub review: Option<Spanned<ReviewSpec>>,
}

/// `[review]`: the queue of actions held for a moderator's decision.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewConfig {
    /// A held action undecided for this many minutes alerts the staff
    /// (once per action; at least 1).
    #[serde(default = "default_review_alert_after_min")]
    pub alert_after_min: u64,
}

fn default_review_alert_after_min() -> u64 {
    60
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig {
            alert_after_min: default_review_alert_after_min(),
        }
    }
}

/// `review = "all"` or a list of action kinds.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ReviewSpec {
    All(String),
    Kinds(Vec<ActionKind>),
}

/// What `review` may hold: what a platform executes, except `flag` (a
/// flag already asks a moderator) and `alert` (it only informs staff).
pub fn reviewable(kind: ActionKind) -> bool {
    kind.is_executed() && !matches!(kind, ActionKind::Flag | ActionKind::Alert)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Live,
    Shadow,
}

/// `[[communities]]`: one community and its chain.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunityConfig {
    pub id: Spanned<String>,
    /// Plugin entry names, in the order events go through them.
    pub chain: Vec<Spanned<String>>,
}

/// `[[sources]]`: where events come from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "snake_case")]
pub enum SourceConfig {
    /// Normalised events, one JSON object per line; `path = "-"` is stdin.
    /// With `follow = true` the file is read as it grows (like `tail -f`)
    /// and the host runs until stopped.
    Jsonl {
        path: PathBuf,
        #[serde(default)]
        follow: bool,
    },
    /// Feeds and pages read once, their items as `mention` events, in time
    /// order (the keys of `[[connectors]] type = "feed"`; see
    /// docs/connectors.md). The run ends when they are read.
    Feed(crate::connector::feed::FeedConfig),
}

/// `[[sinks]]`: where decided actions go, besides the terminal.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "snake_case")]
pub enum SinkConfig {
    /// Decided actions as JSON Lines, appended to `path` (`-`: stdout).
    Jsonl { path: PathBuf },
}

/// A plugin entry after checking: what the host needs to load it.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginEntry {
    pub name: String,
    pub component: String,
    pub grants: BTreeSet<ActionKind>,
    pub config_json: String,
    pub limits: Limits,
    /// Runs in shadow mode: recorded, never executed.
    pub shadow: bool,
    /// The live plugin a shadow plugin is compared with.
    pub replaces: Option<String>,
    /// Its config carries a community file's keys.
    pub overridden: bool,
    /// Action kinds held for a moderator's decision (`review`).
    pub review: BTreeSet<ActionKind>,
}

impl PluginEntry {
    /// This entry with a community's `overrides` laid over its config: each
    /// top-level key given replaces the entry's.
    pub fn with_overrides(&self, overrides: &toml::Table) -> Result<PluginEntry> {
        let mut config: serde_json::Value = serde_json::from_str(&self.config_json)?;
        let Some(table) = config.as_object_mut() else {
            bail!("its config is not a table: its keys cannot be overridden");
        };
        for (key, value) in overrides {
            table.insert(key.clone(), serde_json::to_value(value)?);
        }
        Ok(PluginEntry {
            config_json: serde_json::to_string(&config)?,
            overridden: true,
            ..self.clone()
        })
    }
}

impl Config {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        let base = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Config::parse(&text, &path.display().to_string(), &base)
    }

    /// Parses and checks config text; `origin` names it in errors and
    /// relative paths are resolved against `base_dir`.
    pub fn parse(text: &str, origin: &str, base_dir: &Path) -> Result<Config> {
        let mut config: Config =
            toml::from_str(text).map_err(|e| anyhow!("{origin}: {}", e.to_string().trim_end()))?;
        config.base_dir = base_dir.to_path_buf();
        config.origin = origin.to_string();
        config.check(text)?;
        Ok(config)
    }

    /// Checks what the TOML grammar cannot: names that refer to each other,
    /// values in range.
    fn check(&self, text: &str) -> Result<()> {
        let at =
            |span: std::ops::Range<usize>| format!("{}:{}", self.origin, line_of(text, span.start));
        self.runtime
            .limits
            .validate()
            .map_err(|e| anyhow!("{}: runtime.{e}", self.origin))?;
        if let Some(cluster) = &self.cluster {
            cluster
                .check()
                .map_err(|e| anyhow!("{}: {e}", self.origin))?;
        }
        if self.runtime.batch_size == 0 {
            bail!("{}: runtime.batch_size must be at least 1", self.origin);
        }
        if self.runtime.memory_budget_mib < 16 {
            bail!(
                "{}: runtime.memory_budget_mib must be at least 16 (MiB of plugin instance memory)",
                self.origin
            );
        }
        if self.runtime.max_instances < 8 {
            bail!("{}: runtime.max_instances must be at least 8", self.origin);
        }
        for (name, plugin) in &self.plugins {
            check_name(name).map_err(|e| anyhow!("{}: plugins.{name}: {e}", self.origin))?;
            if plugin.grants.is_none() {
                bail!(
                    "{}: plugins.{name}: missing `grants`, the action kinds this plugin may take \
                     (e.g. grants = [\"reply\"]; kinds: {})",
                    at(plugin.component.span()),
                    ActionKind::ALL.map(|k| k.name()).join(", ")
                );
            }
            if let (Some(_), Some(file)) = (&plugin.config, &plugin.config_file) {
                bail!(
                    "{}: plugins.{name}: give either `config` or `config_file`, not both",
                    at(file.span())
                );
            }
            if let Some(replaces) = &plugin.replaces {
                if plugin.mode != Mode::Shadow {
                    bail!(
                        "{}: plugins.{name}.replaces is only for shadow plugins (add mode = \"shadow\")",
                        at(replaces.span())
                    );
                }
                if !self.plugins.contains_key(replaces.get_ref()) || replaces.get_ref() == name {
                    bail!(
                        "{}: plugins.{name}.replaces names `{}`, which is not another plugin under [plugins]",
                        at(replaces.span()),
                        replaces.get_ref()
                    );
                }
            }
            if let Some(review) = &plugin.review {
                let grants: BTreeSet<ActionKind> = plugin
                    .grants
                    .iter()
                    .flat_map(|g| g.get_ref().iter().copied())
                    .collect();
                match review.get_ref() {
                    ReviewSpec::All(word) if word == "all" => {}
                    ReviewSpec::All(word) => bail!(
                        "{}: plugins.{name}.review = {word:?}: give \"all\" or a list of action kinds (e.g. [\"ban\", \"kick\"])",
                        at(review.span())
                    ),
                    ReviewSpec::Kinds(kinds) => {
                        for kind in kinds {
                            if !reviewable(*kind) {
                                bail!(
                                    "{}: plugins.{name}.review: `{kind}` cannot be held for review \
                                     (only what a platform executes: delete, reply, post, react, \
                                     timeout, kick, ban, dm; flags always reach the review queue)",
                                    at(review.span())
                                );
                            }
                            if !grants.contains(kind) {
                                bail!(
                                    "{}: plugins.{name}.review: `{kind}` is not in its grants, so it is never executed: nothing to review",
                                    at(review.span())
                                );
                            }
                        }
                    }
                }
            }
            if let Some(limits) = &plugin.limits {
                self.limits_for(limits.get_ref())
                    .map_err(|e| anyhow!("{}: plugins.{name}.limits: {e}", at(limits.span())))?;
            }
        }
        let mut seen = BTreeSet::new();
        for (i, community) in self.communities.iter().enumerate() {
            let id = community.id.get_ref();
            check_name(id)
                .map_err(|e| anyhow!("{}: communities[{i}].id: {e}", at(community.id.span())))?;
            if !seen.insert(id.clone()) {
                bail!(
                    "{}: communities[{i}]: community `{id}` is listed twice",
                    at(community.id.span())
                );
            }
            self.check_chain(&community.chain, &format!("communities[{i}].chain"), text)?;
        }
        if let Some(chain) = &self.default_chain {
            self.check_chain(chain, "default_chain", text)?;
        }
        if let Some(console) = &self.console {
            console
                .check()
                .map_err(|e| anyhow!("{}: console.{e}", self.origin))?;
        }
        for (i, digest) in self.digests.iter().enumerate() {
            digest
                .check()
                .map_err(|e| anyhow!("{}: digests[{i}].{e}", self.origin))?;
            match self.connectors.iter().find(|c| c.name() == digest.connector) {
                None => bail!(
                    "{}: digests[{i}].connector: no connector is named `{}` (the digest is posted through one of [[connectors]])",
                    self.origin,
                    digest.connector
                ),
                Some(crate::connector::ConnectorConfig::Feed(_)) => bail!(
                    "{}: digests[{i}].connector: `{}` is a feed connector, which reads and cannot post",
                    self.origin,
                    digest.connector
                ),
                Some(_) => {}
            }
        }
        let mut names = BTreeSet::new();
        for (i, connector) in self.connectors.iter().enumerate() {
            let name = connector.name();
            check_name(name).map_err(|e| anyhow!("{}: connectors[{i}].name: {e}", self.origin))?;
            if !names.insert(name.to_string()) {
                bail!(
                    "{}: connectors[{i}]: two connectors are named `{name}`; give each a distinct `name`",
                    self.origin
                );
            }
            let community = connector.community();
            // A community file may declare it; checked when the files are read.
            if !seen.contains(community)
                && self.default_chain.is_none()
                && self.communities_dir.is_none()
            {
                bail!(
                    "{}: connectors[{i}] ({name}): community `{community}` has no chain \
                     (add it under [[communities]], in communities_dir, or set default_chain)",
                    self.origin
                );
            }
            let rate = connector.rate();
            if !(rate.per_second > 0.0 && rate.channel_per_second > 0.0) {
                bail!(
                    "{}: connectors[{i}] ({name}): rate.per_second and rate.channel_per_second must be above 0",
                    self.origin
                );
            }
        }
        Ok(())
    }

    fn check_chain(&self, chain: &[Spanned<String>], key: &str, text: &str) -> Result<()> {
        self.check_chain_in(&self.origin, chain, key, text)
    }

    /// Checks a chain written in `origin` (this file or a community file).
    fn check_chain_in(
        &self,
        origin: &str,
        chain: &[Spanned<String>],
        key: &str,
        text: &str,
    ) -> Result<()> {
        let mut seen = BTreeSet::new();
        let elsewhere = if origin == self.origin {
            String::new()
        } else {
            format!(" in {}", self.origin)
        };
        for name in chain {
            let line = line_of(text, name.span().start);
            if !self.plugins.contains_key(name.get_ref()) {
                bail!(
                    "{origin}:{line}: {key} names plugin `{}`, which is not defined under [plugins]{elsewhere} (defined: {})",
                    name.get_ref(),
                    self.plugins.keys().cloned().collect::<Vec<_>>().join(", ")
                );
            }
            if !seen.insert(name.get_ref()) {
                bail!(
                    "{origin}:{line}: {key} lists plugin `{}` twice",
                    name.get_ref()
                );
            }
        }
        Ok(())
    }

    fn limits_for(&self, overrides: &toml::Table) -> Result<Limits> {
        let mut merged = toml::Table::try_from(&self.runtime.limits)?;
        for (k, v) in overrides {
            merged.insert(k.clone(), v.clone());
        }
        let limits: Limits = merged
            .try_into()
            .map_err(|e: toml::de::Error| anyhow!("{}", e.message()))?;
        limits.validate().map_err(|e| anyhow!(e))?;
        if limits.memory_mib > MAX_MEMORY_MIB {
            bail!("memory_mib is at most {MAX_MEMORY_MIB}");
        }
        Ok(limits)
    }

    /// The checked entry for plugin `name`.
    pub fn plugin_entry(&self, name: &str) -> Result<PluginEntry> {
        let plugin = self
            .plugins
            .get(name)
            .ok_or_else(|| anyhow!("{}: no plugin named `{name}`", self.origin))?;
        let component = plugin.component.get_ref();
        let component = if component.starts_with("builtin:") {
            component.clone()
        } else {
            self.base_dir.join(component).display().to_string()
        };
        let limits = match &plugin.limits {
            Some(overrides) => self.limits_for(overrides.get_ref())?,
            None => self.runtime.limits.clone(),
        };
        let config = match (&plugin.config, &plugin.config_file) {
            (Some(value), _) => value.clone(),
            (None, Some(file)) => {
                let path = self.base_dir.join(file.get_ref());
                let text = std::fs::read_to_string(&path).with_context(|| {
                    format!("plugins.{name}.config_file: cannot read {}", path.display())
                })?;
                let table: toml::Table = toml::from_str(&text)
                    .map_err(|e| anyhow!("{}: {}", path.display(), e.to_string().trim_end()))?;
                toml::Value::Table(table)
            }
            (None, None) => toml::Value::Table(toml::Table::new()),
        };
        let config_json = serde_json::to_string(&config)?;
        Ok(PluginEntry {
            name: name.to_string(),
            component,
            grants: plugin
                .grants
                .as_ref()
                .map(|g| g.get_ref().iter().copied().collect())
                .unwrap_or_default(),
            config_json,
            limits,
            shadow: plugin.mode == Mode::Shadow,
            replaces: plugin.replaces.as_ref().map(|r| r.get_ref().clone()),
            overridden: false,
            review: match plugin.review.as_ref().map(|r| r.get_ref()) {
                None => BTreeSet::new(),
                Some(ReviewSpec::All(_)) => ActionKind::ALL
                    .into_iter()
                    .filter(|k| reviewable(*k))
                    .collect(),
                Some(ReviewSpec::Kinds(kinds)) => kinds.iter().copied().collect(),
            },
        })
    }

    /// The chain (plugin names, in order) of a community, if it has one.
    pub fn chain_for(&self, community: &str) -> Option<Vec<String>> {
        self.communities
            .iter()
            .find(|c| c.id.get_ref() == community)
            .map(|c| &c.chain)
            .or(self.default_chain.as_ref())
            .map(|chain| chain.iter().map(|n| n.get_ref().clone()).collect())
    }

    /// The community directory, resolved against the config file's
    /// directory.
    pub fn communities_dir(&self) -> Option<PathBuf> {
        self.communities_dir
            .as_ref()
            .map(|d| self.base_dir.join(d.get_ref()))
    }

    /// The data directory, resolved against the config file's directory.
    pub fn data_dir(&self) -> PathBuf {
        self.base_dir.join(&self.data_dir)
    }

    /// A path from the config, resolved against its directory (`-` stays).
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path == Path::new("-") {
            path.to_path_buf()
        } else {
            self.base_dir.join(path)
        }
    }
}

/// Names become store keys: no control characters, not empty.
fn check_name(name: &str) -> std::result::Result<(), String> {
    if name.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if name.chars().any(char::is_control) {
        return Err(format!("{name:?} must not contain control characters"));
    }
    Ok(())
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
data_dir = "data"
[plugins.kf]
component = "builtin:keyword-filter"
grants = ["delete", "reply"]
config = { keywords = ["spam"] }
limits = { cpu_ms = 20 }

[[communities]]
id = "acme"
chain = ["kf"]
"#;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(text, "vigie.toml", Path::new("/etc/vigie"))
    }

    #[test]
    fn a_good_config_resolves_entries() {
        let config = parse(GOOD).unwrap();
        let entry = config.plugin_entry("kf").unwrap();
        assert_eq!(entry.limits.cpu_ms, 20);
        assert_eq!(entry.limits.memory_mib, Limits::default().memory_mib);
        assert_eq!(entry.config_json, r#"{"keywords":["spam"]}"#);
        assert!(entry.grants.contains(&ActionKind::Reply));
        assert_eq!(config.chain_for("acme").unwrap(), vec!["kf".to_string()]);
        assert_eq!(config.chain_for("other"), None);
        assert_eq!(config.data_dir(), PathBuf::from("/etc/vigie/data"));
    }

    #[test]
    fn review_holds_granted_executed_kinds_or_all() {
        let with = |review: &str| {
            parse(&GOOD.replace(
                "limits = { cpu_ms = 20 }",
                &format!("limits = {{ cpu_ms = 20 }}\nreview = {review}"),
            ))
        };
        let entry = with(r#"["delete"]"#).unwrap().plugin_entry("kf").unwrap();
        assert_eq!(entry.review, BTreeSet::from([ActionKind::Delete]));
        let all = with(r#""all""#).unwrap().plugin_entry("kf").unwrap();
        assert!(all.review.contains(&ActionKind::Ban) && !all.review.contains(&ActionKind::Flag));
        assert!(parse(GOOD)
            .unwrap()
            .plugin_entry("kf")
            .unwrap()
            .review
            .is_empty());

        let not_granted = with(r#"["ban"]"#).unwrap_err().to_string();
        assert!(
            not_granted.contains("vigie.toml:8") && not_granted.contains("not in its grants"),
            "{not_granted}"
        );
        let flag = with(r#"["flag"]"#).unwrap_err().to_string();
        assert!(flag.contains("cannot be held"), "{flag}");
        let word = with(r#""everything""#).unwrap_err().to_string();
        assert!(word.contains("give \"all\""), "{word}");
    }

    #[test]
    fn errors_name_file_key_and_line() {
        let unknown = parse(&GOOD.replace("data_dir", "datadir"))
            .unwrap_err()
            .to_string();
        assert!(
            unknown.contains("vigie.toml") && unknown.contains("line 2"),
            "{unknown}"
        );
        assert!(unknown.contains("unknown field `datadir`"), "{unknown}");

        let bad_chain = parse(&GOOD.replace("chain = [\"kf\"]", "chain = [\"kf\", \"faq\"]"))
            .unwrap_err()
            .to_string();
        assert!(bad_chain.starts_with("vigie.toml:11:"), "{bad_chain}");
        assert!(bad_chain.contains("`faq`"), "{bad_chain}");

        let bad_grant = parse(&GOOD.replace("\"reply\"]", "\"smite\"]"))
            .unwrap_err()
            .to_string();
        assert!(
            bad_grant.contains("line 5") && bad_grant.contains("smite"),
            "{bad_grant}"
        );

        let bad_limit = parse(&GOOD.replace("cpu_ms = 20", "cpu_ms = 0"))
            .unwrap_err()
            .to_string();
        assert!(
            bad_limit.contains("vigie.toml:7") && bad_limit.contains("cpu_ms"),
            "{bad_limit}"
        );

        // The pool holds 1 GiB per instance: more is refused host-wide too.
        let too_much = parse(&GOOD.replace(
            "[plugins.kf]",
            "[runtime.limits]\nmemory_mib = 2048\n[plugins.kf]",
        ))
        .unwrap_err()
        .to_string();
        assert!(
            too_much.contains("runtime.limits.memory_mib is out of range"),
            "{too_much}"
        );

        let no_grants = parse(&GOOD.replace("grants = [\"delete\", \"reply\"]\n", ""))
            .unwrap_err()
            .to_string();
        assert!(no_grants.contains("missing `grants`"), "{no_grants}");
    }
}
