//! `vigie audit` and `vigie dead-letters`: what was executed on the
//! platforms, and what could not be, read from the store.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use vigie::store::{AuditRecord, DeadLetter};
use vigie::{Config, SledStore, Store};

/// Which store to read.
#[derive(clap::Args)]
pub struct StoreArgs {
    /// The config file whose data directory to read (default ./vigie.toml).
    #[arg(long, short)]
    config: Option<PathBuf>,
    /// Or the data directory itself.
    #[arg(long, conflicts_with = "config")]
    data_dir: Option<PathBuf>,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct DeadLetterArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Only actions about this user (target user).
    #[arg(long)]
    user: Option<String>,
}

#[derive(clap::Args)]
pub struct AuditArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Only actions about this user (target user).
    #[arg(long)]
    user: Option<String>,
    /// Only actions of this plugin entry.
    #[arg(long)]
    plugin: Option<String>,
    /// Only actions in this channel (room).
    #[arg(long)]
    channel: Option<String>,
    /// Only actions executed at or after this time (RFC 3339, e.g.
    /// 2026-11-23T10:00:00Z).
    #[arg(long)]
    since: Option<String>,
    /// Only actions executed before this time (RFC 3339).
    #[arg(long)]
    until: Option<String>,
}

/// Where the records come from: the store itself, or the host that holds
/// it (through its control socket).
pub(crate) enum Records {
    Store(SledStore),
    RunningHost(PathBuf),
}

impl Records {
    pub(crate) fn audit(&self) -> Result<Vec<AuditRecord>> {
        match self {
            Records::Store(store) => store.audit(),
            Records::RunningHost(dir) => from_host(dir, "audit"),
        }
    }

    fn dead_letters(&self) -> Result<Vec<DeadLetter>> {
        match self {
            Records::Store(store) => store.dead_letters(),
            Records::RunningHost(dir) => from_host(dir, "dead-letters"),
        }
    }

    pub(crate) fn shadow_log(&self) -> Result<Vec<vigie::store::ShadowRecord>> {
        match self {
            Records::Store(store) => store.shadow_log(),
            Records::RunningHost(dir) => from_host(dir, "shadow-log"),
        }
    }

    pub(crate) fn events(&self) -> Result<Vec<vigie::store::HandledEvent>> {
        match self {
            Records::Store(store) => store.events(),
            Records::RunningHost(dir) => from_host(dir, "events"),
        }
    }

    /// The giveaway and poll plugins' contests and polls, of the scopes
    /// found from `actions` (the action log).
    pub(crate) fn contests(
        &self,
        actions: &[vigie::DecidedAction],
    ) -> Result<Vec<vigie::contests::Contest>> {
        match self {
            Records::Store(store) => {
                let scopes = vigie::contests::scopes_of_actions(store, actions)?;
                vigie::contests::list(store, &scopes)
            }
            Records::RunningHost(dir) => from_host(dir, "contests"),
        }
    }

    pub(crate) fn review_queue(&self) -> Result<Vec<vigie::store::ReviewItem>> {
        match self {
            Records::Store(store) => store.review_queue(),
            Records::RunningHost(dir) => from_host(dir, "review"),
        }
    }

    fn decide(&self, request: vigie::control::DecideRequest) -> Result<vigie::store::ReviewItem> {
        match self {
            Records::Store(store) => store.decide(&request.key.clone(), request.into_decision()?),
            Records::RunningHost(dir) => {
                let line = format!("decide {}", serde_json::to_string(&request)?);
                from_host::<vigie::store::ReviewItem>(dir, &line)?
                    .pop()
                    .context("the running vigie answered the decision with nothing")
            }
        }
    }

    fn ticks(&self) -> Result<Vec<vigie::store::HandledTick>> {
        match self {
            Records::Store(store) => store.ticks(),
            Records::RunningHost(dir) => from_host(dir, "ticks"),
        }
    }

    pub(crate) fn actions(&self) -> Result<Vec<vigie::DecidedAction>> {
        match self {
            Records::Store(store) => store.actions(),
            Records::RunningHost(dir) => from_host(dir, "actions"),
        }
    }
}

fn from_host<T: serde::de::DeserializeOwned>(data_dir: &Path, request: &str) -> Result<Vec<T>> {
    vigie::control::ask(data_dir, request)?
        .iter()
        .map(|line| {
            serde_json::from_str(line).with_context(|| {
                format!("the running vigie answered `{request}` with a bad record")
            })
        })
        .collect()
}

/// The store of the data directory, or, while a host runs there and holds
/// it, that host.
fn open(args: &StoreArgs) -> Result<Records> {
    open_dir(data_dir_of(args)?)
}

/// The data directory the arguments name: `--data-dir`, or that of
/// `--config`, or that of `./vigie.toml`.
fn data_dir_of(args: &StoreArgs) -> Result<PathBuf> {
    data_dir_for(args.data_dir.as_deref(), args.config.as_deref())
}

/// [`data_dir_of`] for commands with their own arguments (`vigie report`).
pub(crate) fn data_dir_for(data_dir: Option<&Path>, config: Option<&Path>) -> Result<PathBuf> {
    Ok(match (data_dir, config) {
        (Some(dir), _) => dir.to_path_buf(),
        (None, Some(path)) => Config::load(path)?.data_dir(),
        (None, None) => {
            if !std::path::Path::new("vigie.toml").exists() {
                bail!("no --config, no --data-dir and no ./vigie.toml: which data directory should I read?");
            }
            Config::load("vigie.toml".as_ref())?.data_dir()
        }
    })
}

/// The store in `dir`, or the host that holds it.
pub(crate) fn open_dir(dir: PathBuf) -> Result<Records> {
    let store_dir = dir.join("store");
    if !store_dir.exists() {
        bail!(
            "{} holds no store yet (has vigie run there?)",
            dir.display()
        );
    }
    match SledStore::open_for_tools(&store_dir) {
        Ok(store) => Ok(Records::Store(store)),
        Err(_) if vigie::control::socket_path(&dir).exists() => Ok(Records::RunningHost(dir)),
        Err(e) => Err(e.context(
            "another process holds the store (sled allows one at a time) and offers no control \
             socket: stop it first",
        )),
    }
}

pub fn audit(args: AuditArgs) -> Result<()> {
    use vigie::console::audit::{parse_time, AuditFilter};
    // The console's Audit page filters the same way.
    let filter = AuditFilter {
        user: args.user.clone(),
        plugin: args.plugin.clone(),
        channel: args.channel.clone(),
        since_ms: args
            .since
            .as_deref()
            .map(|s| parse_time(s, "--since"))
            .transpose()?,
        until_ms: args
            .until
            .as_deref()
            .map(|s| parse_time(s, "--until"))
            .transpose()?,
    };
    let store = open(&args.store)?;
    let records: Vec<AuditRecord> = store.audit()?;
    let all = records.len();
    let records: Vec<AuditRecord> = records.into_iter().filter(|r| filter.matches(r)).collect();
    if args.store.json {
        return json_lines(&records);
    }
    if records.is_empty() {
        eprintln!("{}", nothing_executed(&store, "action", all)?);
        return Ok(());
    }
    println!("{}", header("reason → platform reply"));
    for r in &records {
        println!(
            "{} {} → {}{}{}",
            columns(r.executed_at_ms, &r.action, r.target_user.as_deref()),
            r.action.action.reason(),
            r.platform_reply,
            match (&r.decided_by, r.connector.as_str()) {
                (Some(by), "review") => format!(" (decided by {by})"),
                // A restriction lifted by a moderator's undo (the console).
                (Some(by), _) if r.key.ends_with(":lift") => format!(" (undone by {by})"),
                (Some(by), _) => format!(" (approved by {by})"),
                (None, _) => String::new(),
            },
            r.evidence
                .as_deref()
                .map(|e| format!(" [deleted text: «{}»]", clip(e, 80)))
                .unwrap_or_default()
        );
    }
    eprintln!("{} action(s)", records.len());
    Ok(())
}

/// The columns `audit` and `dead-letters` share.
fn header(last: &str) -> String {
    format!(
        "{:<20} {:<10} {:<22} {:<22} {:<16} {:<8} {last}",
        "time (UTC)", "community", "channel", "target user", "plugin", "action"
    )
}

fn columns(at_ms: i64, action: &vigie::DecidedAction, target: Option<&str>) -> String {
    format!(
        "{:<20} {:<10} {:<22} {:<22} {:<16} {:<8}",
        vigie::event::format_ms(at_ms),
        clip(&action.community, 10),
        clip(&action.channel, 22),
        clip(target.unwrap_or("-"), 22),
        clip(&action.by.plugin, 16),
        action.action.kind().name(),
    )
}

/// What to say instead of an empty table: filters that matched nothing, or
/// actions decided but never executed because no platform was connected.
fn nothing_executed(store: &Records, what: &str, all: usize) -> Result<String> {
    if all > 0 {
        return Ok(format!("no {what} matches these filters ({all} in all)"));
    }
    let decided = store
        .actions()?
        .iter()
        .filter(|a| !matches!(a.action, vigie::Action::Label { .. }))
        .count();
    Ok(match (what, decided) {
        (_, 0) => "nothing was decided here yet: no action, so none executed".to_string(),
        ("action", n) => format!(
            "no action was executed on a platform: the runs recorded here decided {n} action(s) \
             (labels aside) but had no [[connectors]], so they were only printed. Connect a \
             platform (docs/connectors.md) to have them carried out and audited."
        ),
        (_, n) => format!(
            "no dead letter: no action failed on a platform ({n} decided here; without \
             [[connectors]] none is executed, so none can fail)"
        ),
    })
}

/// `vigie versions`: the plugin versions a host kept.
pub fn versions(args: StoreArgs) -> Result<()> {
    let dir = data_dir_of(&args)?;
    let kept = vigie::versions::KeptVersions::new(&dir).list()?;
    if args.json {
        return json_lines(&kept);
    }
    if kept.is_empty() {
        eprintln!(
            "no plugin version kept in {} yet (a host keeps each one it runs)",
            dir.display()
        );
        return Ok(());
    }
    println!(
        "{:<14} {:<12} {:<26} {:<20} component",
        "hash", "version", "entries", "kept at"
    );
    for k in &kept {
        println!(
            "{:<14} {:<12} {:<26} {:<20} {}",
            &k.hash[..12.min(k.hash.len())],
            clip(&k.version, 12),
            clip(&k.entries.join(", "), 26),
            k.kept_at,
            k.component
        );
    }
    eprintln!(
        "{} version(s); `vigie replay --plugin NEW --against-version HASH` compares with one",
        kept.len()
    );
    Ok(())
}

pub fn dead_letters(args: DeadLetterArgs) -> Result<()> {
    let store = open(&args.store)?;
    let dead: Vec<DeadLetter> = store.dead_letters()?;
    let all = dead.len();
    let dead: Vec<DeadLetter> = dead
        .into_iter()
        .filter(|d| {
            args.user
                .as_ref()
                .is_none_or(|u| d.entry.target_user.as_deref() == Some(u.as_str()))
        })
        .collect();
    if args.store.json {
        return json_lines(&dead);
    }
    if dead.is_empty() {
        eprintln!("{}", nothing_executed(&store, "dead letter", all)?);
        return Ok(());
    }
    println!(
        "{}",
        header("failed after N attempt(s) on connector: the platform's error")
    );
    for d in &dead {
        println!(
            "{} failed after {} attempt(s) on {}: {}",
            columns(
                d.failed_at_ms,
                &d.entry.action,
                d.entry.target_user.as_deref()
            ),
            d.entry.attempts,
            d.entry.connector,
            d.error
        );
    }
    eprintln!("{} dead letter(s)", dead.len());
    Ok(())
}

/// One JSON object per line on stdout.
fn json_lines<T: serde::Serialize>(records: &[T]) -> Result<()> {
    for record in records {
        println!("{}", serde_json::to_string(record)?);
    }
    Ok(())
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

#[derive(clap::Args)]
pub struct ShadowArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Differing events shown per shadow plugin (all with --json).
    #[arg(long, default_value_t = 10)]
    examples: usize,
}

/// `vigie shadow-report`: per shadow plugin, what it would have done and
/// how that differs from the live plugin it is meant to replace.
pub fn shadow_report(args: ShadowArgs) -> Result<()> {
    use std::collections::BTreeMap;
    use vigie::diff::{diff, render, DiffSummary};
    let store = open(&args.store)?;
    let records = store.shadow_log()?;
    let mut by_plugin: BTreeMap<String, Vec<vigie::store::ShadowRecord>> = BTreeMap::new();
    for r in records {
        by_plugin.entry(r.plugin.clone()).or_default().push(r);
    }
    if by_plugin.is_empty() {
        eprintln!("no shadow plugin has seen an event yet (mode = \"shadow\" in a plugin entry)");
    }
    for (plugin, records) in &by_plugin {
        let mut kinds: BTreeMap<&str, u64> = BTreeMap::new();
        for r in records {
            for a in &r.actions {
                *kinds.entry(a.action.kind().name()).or_default() += 1;
            }
        }
        let replaces = records.iter().find_map(|r| r.replaces.clone());
        let mut summary = DiffSummary::default();
        let mut examples = Vec::new();
        for r in records {
            let changes = diff(&r.live_actions, &r.actions);
            summary.count(&changes);
            if !changes.is_empty() {
                examples.push((r.event_id.clone(), r.community.clone(), changes));
            }
        }
        if args.store.json {
            println!(
                "{}",
                serde_json::json!({
                    "plugin": plugin,
                    "replaces": replaces,
                    "events": records.len(),
                    "would_do": kinds,
                    "compared": replaces.as_ref().map(|_| &summary),
                    "differences": replaces.as_ref().map(|_| examples.iter().map(|(e, c, ch)| serde_json::json!({"event_id": e, "community": c, "changes": ch})).collect::<Vec<_>>()),
                })
            );
            continue;
        }
        let would: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!(
            "shadow plugin `{plugin}`: {} event(s) seen; would have done: {}",
            records.len(),
            if would.is_empty() {
                "nothing".to_string()
            } else {
                would.join(", ")
            }
        );
        if let Some(live) = &replaces {
            println!("  against live `{live}`: {}", summary.render());
            for (event, community, changes) in examples.iter().take(args.examples) {
                println!("  event {event} ({community}):");
                for c in changes {
                    println!("    {}", render(c).replace('\n', "\n    "));
                }
            }
            if examples.len() > args.examples {
                println!(
                    "  … {} more differing event(s) (--examples N, or --json)",
                    examples.len() - args.examples
                );
            }
        }
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct ReplayArgs {
    /// The plugin to replay: a .wasm component or `builtin:NAME`.
    #[arg(long)]
    plugin: String,
    /// Compare with this other version (.wasm or `builtin:NAME`), replayed
    /// the same way.
    #[arg(long, conflicts_with_all = ["against_recorded", "against_version"])]
    against: Option<String>,
    /// Compare with a version the host ran and kept, by its hash (at least
    /// its first 6 hex digits; `vigie versions` lists them).
    #[arg(long, conflicts_with = "against_recorded")]
    against_version: Option<String>,
    /// Compare with what the live plugin entry decided (the action log).
    #[arg(long)]
    against_recorded: bool,
    /// First event: an RFC 3339 time or an event id (inclusive).
    #[arg(long)]
    from: Option<String>,
    /// Last event: an event id (inclusive) or an RFC 3339 time (exclusive).
    #[arg(long)]
    to: Option<String>,
    /// Read events from this JSON Lines file instead of the event log (a
    /// regression corpus kept next to the plugin).
    #[arg(long)]
    events: Option<PathBuf>,
    /// The plugin entry name (seeds randomness, names recorded actions);
    /// default: the file's name. Its config and grants come from the config
    /// file, which must have that entry unless --plugin-config is given.
    #[arg(long)]
    name: Option<String>,
    /// The plugin's config (JSON, or TOML by extension), when not taken from
    /// the config file.
    #[arg(long)]
    plugin_config: Option<PathBuf>,
    /// The config file (its data directory holds the event and action logs
    /// and the secret that seeds randomness).
    #[arg(long, short)]
    config: Option<PathBuf>,
    /// Or the data directory itself.
    #[arg(long, conflicts_with = "config")]
    data_dir: Option<PathBuf>,
    /// One JSON object per differing event, then a summary object.
    #[arg(long)]
    json: bool,
}

pub struct ReplayContext<'a> {
    pub plugin_name: &'a dyn Fn(&str) -> String,
    pub plugin_config_json: &'a dyn Fn(Option<&std::path::Path>) -> Result<String>,
    pub dry_run_secret: [u8; 32],
    pub cache_dir: Option<PathBuf>,
}

/// `vigie replay`: recorded (or given) events through a plugin again, and
/// the actions that differ from another version or from what was recorded.
pub fn replay(args: ReplayArgs, ctx: ReplayContext) -> Result<()> {
    use std::collections::{BTreeSet, HashMap};
    use std::sync::Arc;
    use vigie::action::ActionKind;
    use vigie::diff::{diff, render, DiffSummary};
    use vigie::replay::{history, replay, select, Bound, Recorded};

    if args.against.is_none() && args.against_version.is_none() && !args.against_recorded {
        bail!(
            "say what to compare with: --against OLD.wasm, --against-version HASH (a version \
             the host kept) or --against-recorded"
        );
    }
    let config = match (&args.config, &args.data_dir) {
        (Some(path), _) => Some(Config::load(path)?),
        (None, None) if std::path::Path::new("vigie.toml").exists() && args.events.is_none() => {
            Some(Config::load("vigie.toml".as_ref())?)
        }
        _ => None,
    };
    let data_dir = args
        .data_dir
        .clone()
        .or_else(|| config.as_ref().map(|c| c.data_dir()));
    let store = match &data_dir {
        Some(dir) if dir.join("store").exists() => Some(open_dir(dir.clone())?),
        _ => None,
    };
    let events = match &args.events {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            text.lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, l)| {
                    vigie::Event::from_json_line(l)
                        .map(Recorded::Event)
                        .map_err(|e| anyhow::anyhow!("{}:{}: {e}", path.display(), i + 1))
                })
                .collect::<Result<Vec<_>>>()?
        }
        None => match &store {
            Some(store) => history(store.events()?, store.ticks()?),
            None => bail!(
                "no events: give --events FILE, or --config/--data-dir of a host that has run"
            ),
        },
    };
    let events = select(
        events,
        args.from.as_deref().map(Bound::parse).as_ref(),
        args.to.as_deref().map(Bound::parse).as_ref(),
    )?;
    let (name, from_file_name) = match &args.name {
        Some(name) => (name.clone(), false),
        None => ((ctx.plugin_name)(&args.plugin), true),
    };
    // Which entry, which config: said before anything runs, and refused
    // when the config file has no such entry (the plugin would otherwise
    // run with an empty config, unlike the live one).
    let name_origin = if from_file_name {
        format!("`{name}` (from the file name; --name ENTRY to choose)")
    } else {
        format!("`{name}`")
    };
    let config_origin = match (&config, &args.plugin_config) {
        (_, Some(file)) => format!("the config in {}, every action granted", file.display()),
        (Some(config), None) if config.plugins.contains_key(&name) => format!(
            "the config and grants of [plugins.{name}] in {}",
            config.origin
        ),
        (Some(config), None) => {
            let mut entries: Vec<&String> = config.plugins.keys().collect();
            entries.sort();
            let entries = if entries.is_empty() {
                "none".to_string()
            } else {
                entries
                    .iter()
                    .map(|e| format!("`{e}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            bail!(
                "{} has no plugin entry {name_origin} (its entries: {entries}): give --name ENTRY \
                 to replay with that entry's config and grants, or --plugin-config FILE to \
                 replay with another config",
                config.origin
            );
        }
        (None, None) => {
            eprintln!(
                "warning: no config file read{}: the plugin runs with an empty config (`{{}}`) \
                 and every action granted, which may not be how it runs live; give --config \
                 and --name ENTRY, or --plugin-config FILE",
                if args.events.is_some() {
                    " (--events without --config)"
                } else {
                    ""
                }
            );
            "an empty config (`{}`), every action granted".to_string()
        }
    };
    if args.against_recorded
        && config
            .as_ref()
            .is_some_and(|c| !c.plugins.contains_key(&name))
    {
        bail!(
            "--against-recorded compares with what the live entry {name_origin} decided, and the \
             config file has no such entry: give --name ENTRY"
        );
    }
    eprintln!("replay: plugin entry {name_origin}, with {config_origin}");
    // Recorded events and ticks of communities whose chain does not run
    // this entry never went through it: replaying them would show
    // decisions nobody made.
    let events = match (&config, &args.events, &args.plugin_config) {
        (Some(config), None, None) if config.plugins.contains_key(&name) => {
            let files = config.read_community_files().unwrap_or_else(|e| {
                eprintln!(
                    "warning: community files not read ({e:#}): only vigie.toml's chains are used"
                );
                Default::default()
            });
            let runs_it = |community: &str| match files.files.iter().find(|f| f.id == community) {
                Some(file) => file.chain.contains(&name),
                None => config
                    .chain_for(community)
                    .is_some_and(|chain| chain.contains(&name)),
            };
            let before = events.len();
            let kept: Vec<Recorded> = events
                .into_iter()
                .filter(|r| runs_it(r.community()))
                .collect();
            if kept.len() < before {
                eprintln!(
                    "replay: {} recorded event(s) and tick(s) of communities whose chain has no `{name}` left out",
                    before - kept.len()
                );
            }
            kept
        }
        _ => events,
    };
    // Labels the plugins before this entry in the live chain attached (the
    // action log has them) go with each event, as they did live: a plugin
    // that reads the sentiment label (watch) sees it in the replay too.
    let events = match (&store, &config) {
        (Some(store), Some(config)) => {
            with_earlier_labels(events, &store.actions()?, |community| {
                let chain = config.chain_for(community).unwrap_or_default();
                let at = chain.iter().position(|p| *p == name);
                at.map(|at| chain[..at].to_vec()).unwrap_or_default()
            })
        }
        _ => events,
    };
    let entry_for = |component: &str| -> Result<vigie::config::PluginEntry> {
        if let Some(config) = &config {
            if config.plugins.contains_key(&name) && args.plugin_config.is_none() {
                let mut entry = config.plugin_entry(&name)?;
                entry.component = component.to_string();
                entry.shadow = false;
                entry.replaces = None;
                return Ok(entry);
            }
        }
        Ok(vigie::config::PluginEntry {
            name: name.clone(),
            component: component.to_string(),
            grants: ActionKind::ALL.into_iter().collect::<BTreeSet<_>>(),
            config_json: (ctx.plugin_config_json)(args.plugin_config.as_deref())?,
            limits: vigie::Limits::default(),
            shadow: false,
            replaces: None,
            overridden: false,
            review: Default::default(),
        })
    };
    let secret = Arc::new(match &data_dir {
        Some(dir) if dir.join("secret.key").exists() => vigie::Secret::load_or_create(dir)?,
        _ => vigie::Secret::from_bytes(ctx.dry_run_secret),
    });
    // Replay compares one plugin's versions: snapshotting each version's
    // configured state first would cost more than it saves.
    let runtime = vigie::Runtime::builder()
        .cache_dir(ctx.cache_dir.clone())
        .max_instances(64)
        .configure_once(false)
        .build()?;
    let run = |component: &str| -> Result<vigie::replay::Replayed> {
        let bytes = vigie::builtin::component_bytes(component)
            .with_context(|| format!("plugin {component}"))?;
        replay(
            &runtime,
            entry_for(component)?,
            &bytes,
            secret.clone(),
            &events,
        )
    };
    let kept;
    let against = match (&args.against, &args.against_version) {
        (Some(old), _) => Some(old.as_str()),
        (None, Some(hash)) => {
            let Some(dir) = &data_dir else {
                bail!("--against-version needs the data directory of a host that has run (--config or --data-dir)");
            };
            kept = vigie::versions::KeptVersions::new(dir)
                .find(hash)?
                .display()
                .to_string();
            eprintln!("replay: against the kept version {kept}");
            Some(kept.as_str())
        }
        (None, None) => None,
    };
    let new = run(&args.plugin)?;
    // Decisions by (community, event id or `tick@<ms>`).
    type Origin = (String, String);
    let before: HashMap<Origin, Vec<vigie::DecidedAction>> = match against {
        Some(old) => run(old)?
            .decided
            .into_iter()
            .map(|(r, a)| ((r.community().to_string(), r.origin()), a))
            .collect(),
        None => {
            let Some(store) = &store else {
                bail!("--against-recorded needs the data directory of a host that has run (--config or --data-dir)");
            };
            let mut by_origin: HashMap<Origin, Vec<vigie::DecidedAction>> = HashMap::new();
            for a in store.actions()? {
                if a.by.plugin == name {
                    if let Some(origin) = Recorded::origin_of(&a) {
                        by_origin
                            .entry((a.community.clone(), origin))
                            .or_default()
                            .push(a.clone());
                    }
                }
            }
            by_origin
        }
    };
    let mut summary = DiffSummary::default();
    let empty = Vec::new();
    for (recorded, after) in &new.decided {
        let key = (recorded.community().to_string(), recorded.origin());
        let changes = diff(before.get(&key).unwrap_or(&empty), after);
        match recorded {
            Recorded::Event(_) => summary.count(&changes),
            Recorded::Tick { .. } => summary.count_tick(&changes),
        }
        if changes.is_empty() {
            continue;
        }
        let time = vigie::event::format_ms(recorded.timestamp_ms());
        if args.json {
            let mut line = serde_json::json!({"community": recorded.community(),
                                              "timestamp": time, "changes": changes});
            match recorded {
                Recorded::Event(e) => line["event_id"] = e.id.clone().into(),
                Recorded::Tick { .. } => line["tick"] = true.into(),
            }
            println!("{line}");
        } else {
            match recorded {
                Recorded::Event(e) => println!("event {} ({}, {time}):", e.id, e.community),
                Recorded::Tick { community, .. } => println!("tick ({community}, {time}):"),
            }
            for c in &changes {
                println!("  {}", render(c).replace('\n', "\n  "));
            }
        }
    }
    if args.json {
        println!(
            "{}",
            serde_json::json!({"summary": summary, "plugin_errors": new.plugin_errors})
        );
    } else {
        println!("{}", summary.render());
        if new.plugin_errors > 0 {
            println!("plugin errors during the replay: {}", new.plugin_errors);
        }
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct ReviewArgs {
    #[command(subcommand)]
    action: Option<ReviewCommand>,
    #[command(flatten)]
    store: StoreArgs,
    /// Also list decided items.
    #[arg(long)]
    all: bool,
}

#[derive(clap::Subcommand)]
enum ReviewCommand {
    /// Execute a held action (once), or confirm a flag.
    Approve(DecisionArgs),
    /// Do not execute a held action, or overturn a flag: recorded as the
    /// plugin's mistake.
    Reject(DecisionArgs),
}

#[derive(clap::Args)]
struct DecisionArgs {
    /// The item's key (its first 6 or more hex digits are enough).
    key: String,
    /// The moderator's name, recorded in the audit log.
    #[arg(long = "as", value_name = "NAME")]
    by: String,
    /// Why, for the audit log.
    #[arg(long)]
    note: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `vigie review`: the review queue (actions held for a moderator, flags),
/// and a decision on one of its items.
pub fn review(args: ReviewArgs) -> Result<()> {
    let Some(command) = args.action else {
        return list_review(&args.store, args.all);
    };
    let (decision, verdict) = match command {
        ReviewCommand::Approve(d) => (d, "approved"),
        ReviewCommand::Reject(d) => (d, "rejected"),
    };
    let by = decision.by.trim();
    if by.is_empty() || by.chars().count() > 64 || by.chars().any(char::is_control) {
        bail!("--as: the moderator's name, 1 to 64 characters, no control characters");
    }
    let records = open(&decision.store)?;
    let queue = records.review_queue()?;
    let key = decision.key.trim().to_ascii_lowercase();
    if key.len() < 6 {
        bail!("give at least the first 6 hex digits of the item's key (`vigie review` lists them)");
    }
    let matching: Vec<&vigie::store::ReviewItem> = queue
        .iter()
        .filter(|i| i.entry.key.starts_with(&key))
        .collect();
    let item = match matching.as_slice() {
        [one] => *one,
        [] => {
            bail!("no review item has a key starting with {key} (`vigie review --all` lists them)")
        }
        many => bail!(
            "{} review items have a key starting with {key}: give more digits",
            many.len()
        ),
    };
    let decided = records.decide(vigie::control::DecideRequest {
        key: item.entry.key.clone(),
        by: by.to_string(),
        verdict: verdict.to_string(),
        note: decision.note.clone(),
    })?;
    if decision.store.json {
        return json_lines(&[decided]);
    }
    let what = match (verdict, decided.held) {
        ("approved", true) => "approved: it goes to the platform now (once)",
        ("approved", false) => "flag confirmed",
        (_, true) => "rejected: it will not be executed",
        (_, false) => "flag overturned",
    };
    println!("{} {what} — by {by}", decided.entry.action.one_line());
    Ok(())
}

fn list_review(args: &StoreArgs, all: bool) -> Result<()> {
    let records = open(args)?;
    let queue: Vec<vigie::store::ReviewItem> = records
        .review_queue()?
        .into_iter()
        .filter(|i| all || i.decision.is_none())
        .collect();
    if args.json {
        return json_lines(&queue);
    }
    if queue.is_empty() {
        eprintln!(
            "the review queue is empty{} (a plugin entry's `review = [\"ban\", …]` holds actions there; flags always go there)",
            if all { "" } else { " of undecided items (--all shows decided ones)" }
        );
        return Ok(());
    }
    println!(
        "{}",
        header("key · held/flag · reason · message · decision")
    );
    for i in &queue {
        let decision = match &i.decision {
            None => "waiting".to_string(),
            Some(d) => format!(
                "{} by {} at {}{}",
                d.verdict.name(),
                d.by,
                vigie::event::format_ms(d.at_ms),
                d.note
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            ),
        };
        println!(
            "{} {} {} {}{} · {}",
            columns(
                i.queued_at_ms,
                &i.entry.action,
                i.entry.target_user.as_deref()
            ),
            &i.entry.key[..12.min(i.entry.key.len())],
            if i.held { "held" } else { "flag" },
            i.entry.action.action.reason(),
            i.entry
                .evidence
                .as_deref()
                .map(|e| format!(" «{}»", clip(e, 60)))
                .unwrap_or_default(),
            decision
        );
    }
    eprintln!(
        "{} item(s); `vigie review approve KEY --as NAME` or `reject`",
        queue.len()
    );
    Ok(())
}

/// Each recorded event with the labels that the plugins `earlier(community)`
/// attached to it when it was handled live (from the action log).
fn with_earlier_labels(
    events: Vec<vigie::replay::Recorded>,
    actions: &[vigie::DecidedAction],
    earlier: impl Fn(&str) -> Vec<String>,
) -> Vec<vigie::replay::Recorded> {
    use std::collections::HashMap;
    use vigie::replay::Recorded;
    let mut labels: HashMap<(&str, &str), Vec<vigie::event::Label>> = HashMap::new();
    let mut chains: HashMap<String, Vec<String>> = HashMap::new();
    for a in actions {
        let (
            Some(id),
            vigie::Action::Label {
                key, value, note, ..
            },
        ) = (&a.event_id, &a.action)
        else {
            continue;
        };
        let before = chains
            .entry(a.community.clone())
            .or_insert_with(|| earlier(&a.community));
        if before.contains(&a.by.plugin) {
            labels
                .entry((a.community.as_str(), id.as_str()))
                .or_default()
                .push(vigie::event::Label {
                    key: key.clone(),
                    value: *value,
                    note: note.clone(),
                    plugin: a.by.plugin.clone(),
                });
        }
    }
    events
        .into_iter()
        .map(|r| match r {
            Recorded::Event(mut e) => {
                if let Some(extra) = labels.get(&(e.community.as_str(), e.id.as_str())) {
                    e.labels.extend(extra.iter().cloned());
                }
                Recorded::Event(e)
            }
            tick => tick,
        })
        .collect()
}
