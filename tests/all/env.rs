//! The test environment: a host built from a config snippet whose plugins
//! are the compiled test components, a temporary data directory, and
//! helpers to write events and read back what was decided.

use std::path::PathBuf;
use vigie::{CollectExecutor, Config, DecidedAction, JsonLinesSource, Summary, Vigie};

/// Path of a compiled test plugin, e.g. `plugin("probe")`.
pub fn plugin(name: &str) -> PathBuf {
    PathBuf::from(vigie::builtin::PLUGIN_DIR).join(format!("{}.wasm", name.replace('-', "_")))
}

/// A message event as one JSON line.
pub fn message(id: &str, community: &str, author: &str, text: &str) -> String {
    serde_json::json!({
        "id": id, "kind": "message", "platform": "test", "community": community,
        "channel": "general",
        "author": {"id": author, "name": author, "roles": ["member"], "account_age_days": 100},
        "text": text, "timestamp": "2026-11-22T10:00:00Z"
    })
    .to_string()
}

pub struct TestEnv {
    pub dir: tempfile::TempDir,
    config_text: String,
}

pub struct Outcome {
    pub summary: Summary,
    pub actions: Vec<DecidedAction>,
}

impl Outcome {
    /// Actions of one event, as `plugin:type` strings.
    pub fn kinds_for(&self, event_id: &str) -> Vec<String> {
        self.for_event(event_id)
            .iter()
            .map(|a| format!("{}:{}", a.by.plugin, a.action.kind().name()))
            .collect()
    }

    pub fn for_event(&self, event_id: &str) -> Vec<&DecidedAction> {
        self.actions
            .iter()
            .filter(|a| a.event_id.as_deref() == Some(event_id))
            .collect()
    }

    /// Texts of the replies to one event.
    pub fn replies(&self, event_id: &str) -> Vec<String> {
        self.for_event(event_id)
            .iter()
            .filter_map(|a| match &a.action {
                vigie::Action::Reply { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }
}

impl TestEnv {
    /// `plugins` is TOML for `[plugins.*]` and `[[communities]]`; `{dir}`
    /// is replaced with the compiled plugins' directory.
    pub fn new(plugins_and_chains: &str) -> TestEnv {
        TestEnv::with_runtime("", "max_instances = 64", plugins_and_chains)
    }

    /// As [`TestEnv::new`], with these top-level keys (`default_chain`)
    /// and `[runtime]` keys.
    pub fn with_runtime(top: &str, runtime: &str, plugins_and_chains: &str) -> TestEnv {
        let dir = tempfile::tempdir().expect("temp dir");
        let config_text = format!(
            "data_dir = \"data\"\n{top}\n[runtime]\ncompile_cache = true\n{runtime}\n{}",
            plugins_and_chains.replace("{dir}", vigie::builtin::PLUGIN_DIR)
        );
        TestEnv { dir, config_text }
    }

    pub fn config(&self) -> Config {
        Config::parse(&self.config_text, "test vigie.toml", self.dir.path())
            .expect("valid test config")
    }

    /// Runs the events (JSON lines) through a fresh host on this data dir.
    pub fn run(&self, lines: &[String]) -> Outcome {
        self.try_run(lines).expect("run succeeds")
    }

    pub fn try_run(&self, lines: &[String]) -> anyhow::Result<Outcome> {
        self.run_with(lines, |b| b)
    }

    pub fn run_with(
        &self,
        lines: &[String],
        customise: impl FnOnce(vigie::VigieBuilder) -> vigie::VigieBuilder,
    ) -> anyhow::Result<Outcome> {
        let events = self
            .dir
            .path()
            .join(format!("events-{}.jsonl", rand_suffix()));
        std::fs::write(&events, lines.join("\n") + "\n")?;
        let host = customise(Vigie::builder()).build_from_config(&self.config())?;
        let collect = CollectExecutor::default();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let summary = rt.block_on(host.run(
            vec![Box::new(JsonLinesSource::new(events))],
            Box::new(collect.clone()),
        ))?;
        Ok(Outcome {
            summary,
            actions: collect.actions(),
        })
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}
