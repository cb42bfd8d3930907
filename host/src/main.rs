//! The `vigie` command line: run the host, dry-run or check a plugin, and
//! benchmark the runtime.

mod cli;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use cli::{bench, cluster, faq_check, golden, kpi, report, scaffold, simulate, user};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vigie::action::ActionKind;
use vigie::config::{Config, PluginEntry, SinkConfig, SourceConfig};
use vigie::executor::{EventOrder, Fanout, InEventOrder};
use vigie::source::Numbered;
use vigie::{
    builtin, pipeline, ConsoleExecutor, Executor, JsonLinesExecutor, JsonLinesSource, Limits,
    Runtime, Secret, SledStore, Source, Store, Vigie,
};

/// mimalloc: the host allocates many small, short-lived buffers per event
/// (plugin results, host-call arguments); it measured ~6 % faster than the
/// system allocator on the demo chain (`cargo bench --bench demo_chain`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Vigie: sandboxed WebAssembly plugins for community moderation and engagement.
#[derive(Parser)]
#[command(name = "vigie", version, about, long_about = None)]
struct Cli {
    /// Log filter (e.g. `info`, `vigie=debug`) [default: warnings, and how
    /// the platforms connect and what is executed on them]. Without
    /// it, VIGIE_LOG, then RUST_LOG.
    #[arg(long, global = true, env = "VIGIE_LOG")]
    log: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the host: read events, run them through each community's plugin
    /// chain, print the decided actions and a summary. Without --config it
    /// uses ./vigie.toml, or else the embedded demo.
    Run {
        /// The config file (vigie.toml).
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Print actions as JSON Lines instead of readable lines.
        #[arg(long)]
        json: bool,
        /// Read events from this JSON Lines file (`-`: stdin) instead of the
        /// config's sources.
        #[arg(long)]
        events: Option<PathBuf>,
        /// Use a new temporary data directory (everything is handled again).
        #[arg(long)]
        fresh: bool,
        /// Also print `label` actions (hidden on the terminal by default).
        #[arg(long)]
        labels: bool,
        /// Print texts (replies, posts, reasons) whole instead of shortened
        /// to one line.
        #[arg(long)]
        wide: bool,
        /// Do not follow changes to the config and plugin files (by default
        /// a changed plugin is reloaded and serves the next event).
        #[arg(long)]
        no_watch: bool,
        /// Keep reading the event files as they grow (like `tail -f`) and
        /// run until Ctrl-C or SIGTERM, printing actions as they are
        /// decided: a host fed from a file that stays up (try hot reload
        /// without a platform).
        #[arg(long)]
        follow: bool,
        /// Serve the web console on this address (e.g. 127.0.0.1:8080),
        /// instead of `[console] listen`. An address in use is warned
        /// about and the host runs without a console.
        #[arg(long, value_name = "ADDR")]
        console: Option<String>,
        /// Stay up after the input ends (the console and `vigie audit`
        /// keep answering) until Ctrl-C or SIGTERM.
        #[arg(long)]
        stay: bool,
    },
    /// Dry-run one plugin over a JSON Lines file of events, with no platform;
    /// prints one JSON object per action, in the order of the events. Exit
    /// code 1 when a line of the file is not a valid event. With --golden,
    /// checks the golden files of a plugin directory instead.
    Test {
        /// The plugin component (.wasm) or `builtin:NAME`.
        plugin: String,
        /// JSON Lines events (`-`: stdin).
        #[arg(long, required_unless_present = "golden")]
        events: Option<PathBuf>,
        /// A plugin directory whose `tests/NAME.events.jsonl` are run and
        /// compared with `tests/NAME.expected.jsonl`; exit code 1 on a
        /// mismatch.
        #[arg(long, conflicts_with = "events")]
        golden: Option<PathBuf>,
        /// With --golden: write the expected files from this run.
        #[arg(long, requires = "golden")]
        update: bool,
        /// The plugin's config, as a JSON or TOML file.
        #[arg(long)]
        plugin_config: Option<PathBuf>,
    },
    /// Check that a file is a valid Vigie plugin and print what `describe`
    /// returns.
    Check {
        /// The plugin component (.wasm) or `builtin:NAME`.
        plugin: String,
        /// Also check that `configure` accepts this config (JSON or TOML).
        #[arg(long)]
        plugin_config: Option<PathBuf>,
        /// Print the description as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Create a plugin project (Rust or Python) that builds and passes its
    /// own test straight away.
    New(scaffold::NewArgs),
    /// Measure events per second through a chain of plugins on one core,
    /// and the cost of a fresh instance.
    Bench(bench::BenchArgs),
    /// Act on a whole cluster (`[cluster]`): `publish` a plugin version to
    /// every host (docs/cluster.md).
    Cluster(cluster::ClusterArgs),
    /// Show executed actions from the audit log (time, community, channel,
    /// target user, plugin, reason, platform reply), filtered.
    Audit(report::AuditArgs),
    /// The KPIs of a period — activity, engagement, responsiveness,
    /// moderation, mood — each with its definition, as a terminal table,
    /// JSON, CSV or one self-contained HTML file with charts
    /// (docs/reports.md).
    Report(kpi::ReportArgs),
    /// Show how the faq plugin sees each of a list of questions: its best
    /// entries, their scores, and why it answers or not (plugins/faq/README.md).
    FaqCheck(faq_check::FaqCheckArgs),
    /// Show actions that failed for good, with the platform's error.
    DeadLetters(report::DeadLetterArgs),
    /// The web console's accounts: `vigie user add NAME --role ROLE`,
    /// `vigie user passwd NAME` (the store must not be held by a running
    /// host).
    User(user::UserArgs),
    /// List the plugin versions the host kept (every component it ran, by
    /// hash), for `vigie replay --against-version`.
    Versions(report::StoreArgs),
    /// What shadow plugins would have done, and how it differs from the
    /// live plugins they are meant to replace.
    ShadowReport(report::ShadowArgs),
    /// Re-run recorded events (or a JSON Lines file) through a plugin, with
    /// the recorded time and the same seeded randomness, and print the
    /// actions that differ from another version or from what was recorded.
    Replay(report::ReplayArgs),
    /// The review queue: actions a plugin entry holds for a moderator
    /// (`review = [...]`) and flags; `approve` or `reject` one of them.
    Review(report::ReviewArgs),
    /// Run the chains' ticks on a simulated clock (days, a year) and print
    /// the actions time-driven plugins would decide (scheduled posts,
    /// contest and poll ends). Nothing is executed; the data directory is
    /// not touched.
    Simulate(simulate::SimulateArgs),
    /// Recompute a giveaway draw from its published seed, commitment, entry
    /// list and entry-list hash, and check it: anyone can verify the winners.
    /// The end announcement of a contest gives the whole command.
    VerifyDraw {
        /// The seed published at the end of the contest (64 hex digits).
        #[arg(long)]
        seed: String,
        /// The commitment published at the start (SHA-256 of the seed, hex).
        #[arg(long)]
        commitment: String,
        /// The entry list: one user id per line (`user<TAB>weight` for
        /// weighted entries), as published; `-` reads it from standard
        /// input.
        #[arg(long)]
        entries: PathBuf,
        /// How many winners were drawn (count rerolls too).
        #[arg(long)]
        winners: usize,
        /// Required: the SHA-256 of the entry list, published in the end
        /// announcement. Without it a list copied wrong would give other
        /// winners that look verified.
        #[arg(long)]
        entries_hash: Option<String>,
    },
    /// Recompute a poll's result from its published ballot list and check
    /// the list against the published SHA-256: anyone can verify a tally.
    /// The result announcement gives the whole command.
    VerifyPoll {
        /// The ballot list, as published (`-` reads it from standard input).
        #[arg(long)]
        ballots: PathBuf,
        /// The SHA-256 of the ballot list, published with the result.
        #[arg(long)]
        hash: String,
    },
}

fn main() {
    // `vigie audit | head` should end quietly when head has read enough,
    // as command-line tools do, not panic on the closed pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE at start, before
    // any thread exists, is what the C runtime does for every C program.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    // Warnings, and the few lines an operator watches for: how each
    // platform connected (rooms, rights), that the host runs, what it
    // executed on the platforms, which plugin versions hot reload swapped.
    const DEFAULT_LOG: &str = "warn,vigie::connector=info,vigie::delivery=info,vigie::reload=info";
    // An explicit --log (or VIGIE_LOG) wins over RUST_LOG, which other
    // tools share.
    let filter = (cli.log.clone())
        .or_else(|| std::env::var("RUST_LOG").ok())
        .unwrap_or_else(|| DEFAULT_LOG.into());
    let env_filter = tracing_subscriber::EnvFilter::try_new(&filter).unwrap_or_else(|e| {
        eprintln!("warning: log filter `{filter}` is not valid ({e}); logging warnings only");
        "warn".into()
    });
    tracing_subscriber::fmt()
        .with_env_filter(env_filter)
        .with_writer(std::io::stderr)
        // Colour codes only on a terminal, not in a log file or a pipe.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    if let Err(e) = real_main(cli.command) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn real_main(command: Command) -> Result<()> {
    match command {
        Command::Run {
            config,
            json,
            events,
            fresh,
            labels,
            wide,
            no_watch,
            follow,
            console,
            stay,
        } => run(
            config,
            json,
            events,
            fresh,
            RunOutput {
                show_labels: labels,
                wide,
            },
            RunMode {
                watch: !no_watch,
                follow,
                console,
                stay,
            },
        ),
        Command::Test {
            plugin,
            events,
            golden,
            update,
            plugin_config,
        } => match (events, golden) {
            (_, Some(dir)) => {
                let config_json = plugin_config_json(plugin_config.as_deref())?;
                golden::run(
                    &|store| load_single(&plugin, config_json.clone(), store),
                    DRY_RUN_SECRET,
                    &dir,
                    update,
                )
            }
            (Some(events), None) => test(&plugin, &events, plugin_config.as_deref()),
            (None, None) => bail!("give --events FILE or --golden DIR"),
        },
        Command::Check {
            plugin,
            plugin_config,
            json,
        } => check(&plugin, plugin_config.as_deref(), json),
        Command::Bench(args) => bench::run(args),
        Command::Cluster(args) => cluster::run(args),
        Command::New(args) => scaffold::new(args),
        Command::Audit(args) => report::audit(args),
        Command::DeadLetters(args) => report::dead_letters(args),
        Command::Report(args) => kpi::report(args),
        Command::FaqCheck(args) => faq_check::run(args),
        Command::User(args) => user::run(args),
        Command::Versions(args) => report::versions(args),
        Command::ShadowReport(args) => report::shadow_report(args),
        Command::Replay(args) => report::replay(
            args,
            report::ReplayContext {
                plugin_name: &plugin_name,
                plugin_config_json: &plugin_config_json,
                dry_run_secret: DRY_RUN_SECRET,
                cache_dir: default_cache_dir(),
            },
        ),
        Command::Review(args) => report::review(args),
        Command::VerifyPoll { ballots, hash } => verify_poll(&ballots, &hash),
        Command::Simulate(args) => simulate::simulate(args, DRY_RUN_SECRET),
        Command::VerifyDraw {
            seed,
            commitment,
            entries,
            winners,
            entries_hash,
        } => verify_draw(
            &seed,
            &commitment,
            &entries,
            winners,
            entries_hash.as_deref(),
        ),
    }
}

/// How `vigie run` prints actions on the terminal.
struct RunOutput {
    show_labels: bool,
    wide: bool,
}

/// How long `vigie run` runs, and what it serves meanwhile.
struct RunMode {
    watch: bool,
    follow: bool,
    /// `--console ADDR`.
    console: Option<String>,
    stay: bool,
}

fn tokio_runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn run(
    config_path: Option<PathBuf>,
    json: bool,
    events: Option<PathBuf>,
    fresh: bool,
    RunOutput { show_labels, wide }: RunOutput,
    RunMode {
        watch,
        follow,
        console: console_flag,
        stay,
    }: RunMode,
) -> Result<()> {
    // Keeps a temporary directory alive for the run.
    let mut _temp = None;
    let mut builder = Vigie::builder();
    let mut config = match config_path {
        Some(path) => {
            if watch {
                builder = builder.watch(&path);
            }
            Config::load(&path)?
        }
        None if Path::new("vigie.toml").exists() => {
            if watch {
                builder = builder.watch("vigie.toml");
            }
            Config::load(Path::new("vigie.toml"))?
        }
        None => {
            let dir = tempfile::tempdir()?;
            for (name, content) in builtin::DEMO_FILES {
                std::fs::write(dir.path().join(name), content)?;
            }
            let mut config = Config::load(&dir.path().join("vigie.toml"))?;
            config.data_dir = dir.path().join("data");
            eprintln!(
                "No --config and no ./vigie.toml: running the embedded demo (examples/demo) \
                 in a fresh temporary data directory."
            );
            // The demo's draws are reproducible: it uses the public dry-run
            // key, not a secret one (a real data directory gets its own).
            builder = builder.secret(Secret::from_bytes(DRY_RUN_SECRET));
            _temp = Some(dir);
            config
        }
    };
    if fresh && _temp.is_none() {
        let dir = tempfile::tempdir()?;
        config.data_dir = dir.path().to_path_buf();
        eprintln!(
            "--fresh: using the temporary data directory {}",
            dir.path().display()
        );
        _temp = Some(dir);
    }
    let data_dir = config.data_dir();
    // Turns true on Ctrl-C or SIGTERM when the host runs until stopped.
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let jsonl = |path: PathBuf, follows: bool| -> Box<dyn Source> {
        let source = JsonLinesSource::new(path);
        Box::new(if follows {
            source.following(shutdown.clone())
        } else {
            source
        })
    };
    let mut following = false;
    let mut event_files: Vec<PathBuf> = Vec::new();
    let sources: Vec<Box<dyn Source>> = match events {
        Some(path) => {
            following = follow && path.as_os_str() != "-";
            event_files.push(path.clone());
            vec![jsonl(path, follow)]
        }
        None => config
            .sources
            .iter()
            .map(|s| match s {
                SourceConfig::Jsonl {
                    path,
                    follow: follow_key,
                } => {
                    let follows = (follow || *follow_key) && path.as_os_str() != "-";
                    following |= follows;
                    event_files.push(config.resolve(path));
                    Ok(jsonl(config.resolve(path), follows))
                }
                SourceConfig::Feed(feed) => {
                    let feeds = feed.check(&config.base_dir)?;
                    Ok(Box::new(vigie::connector::feed::FeedOnceSource {
                        config: feed.clone(),
                        feeds,
                    }) as Box<dyn Source>)
                }
            })
            .collect::<Result<_>>()?,
    };
    if follow && !following {
        eprintln!("--follow: no event file to follow (standard input ends when it is closed)");
    }
    // A cluster host may only work: other hosts publish the events.
    if sources.is_empty() && config.connectors.is_empty() && config.cluster.is_none() {
        bail!(
            "{}: no [[sources]], no [[connectors]] and no --events: there is nothing to read",
            config.origin
        );
    }
    let mut executors: Vec<Box<dyn Executor>> = vec![if json {
        Box::new(JsonLinesExecutor::stdout())
    } else {
        Box::new(ConsoleExecutor::new(show_labels, wide))
    }];
    for sink in &config.sinks {
        match sink {
            SinkConfig::Jsonl { path } => {
                executors.push(Box::new(JsonLinesExecutor::file(&config.resolve(path))?))
            }
        }
    }
    let console_address =
        vigie::console::listen_address(config.console.as_ref(), console_flag.as_deref())?;
    let observer = console_address.map(|_| Arc::new(vigie::console::Observer::default()));
    if let Some(observer) = &observer {
        builder = builder.observer(observer.clone());
    }
    // Every host of a cluster draws with the same key.
    if let Some(cluster) = &config.cluster {
        std::fs::create_dir_all(&data_dir)
            .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
        let shared = tokio_runtime()?.block_on(vigie::cluster::shared_secret(
            cluster,
            &config.base_dir,
            &data_dir,
        ))?;
        builder = builder.secret(shared);
        // Start on the plugin versions published to the cluster: a host
        // started after a publish runs what the others run.
        if watch {
            let published = tokio_runtime()?.block_on(vigie::cluster::plugins::latest_for(
                cluster,
                &config.base_dir,
            ))?;
            builder = builder.published(vigie::reload::PublishedVersions::starting_with(published));
        }
    }
    let host = builder.build_from_config(&config)?;
    // Input that ends (files, stdin): the actions are printed in the order
    // of the events, the same on every run, once the input is read. Live
    // platforms: as they are decided.
    // Live platforms and followed files never end: actions are printed as
    // they are decided, and the host runs until stopped.
    // A cluster host runs until stopped too: its partitions are fed by
    // every host's sources.
    let live = host.has_connectors() || following || config.cluster.is_some();
    // Reading a big file shows its progress (lines read of the files' lines).
    let reading = std::sync::Arc::new(vigie::progress::Progress::new(
        "reading events",
        line_count(&event_files),
    ));
    let (sources, output): (Vec<Box<dyn Source>>, Box<dyn Executor>) = if live {
        (sources, Box::new(Fanout(executors)))
    } else {
        in_event_order(sources, Box::new(Fanout(executors)), &reading)
    };
    let summary = tokio_runtime()?.block_on(async {
        // `vigie audit`, `dead-letters` and `shadow-report` read the store
        // through this while the host holds it.
        let (stop_control, control_shutdown) = tokio::sync::watch::channel(false);
        let serving =
            vigie::control::serve(data_dir.clone(), host.store().clone(), control_shutdown);
        let control = tokio::spawn(async move {
            if let Err(e) = serving.await {
                tracing::warn!(
                    "{e:#}: `vigie audit` and `vigie dead-letters` cannot read the store while \
                     this host runs"
                );
            }
        });
        let console = match (console_address, &observer) {
            (Some(listen), Some(observer)) => {
                vigie::console::start(vigie::console::ConsoleSetup {
                    config: config.console.clone().unwrap_or_default(),
                    listen,
                    store: host.store().clone(),
                    live: host.live_routes().clone(),
                    observer: observer.clone(),
                    base_dir: config.base_dir.clone(),
                    reversible: host.reversible_connectors(),
                })
                .await?
            }
            _ => None,
        };
        if let Some(console) = &console {
            if live || stay {
                eprintln!("Console: http://{}/", console.address);
            } else {
                eprintln!(
                    "Console: http://{}/ (until the input ends; --stay keeps the host up after it)",
                    console.address
                );
            }
            if let Some(token) = &console.setup_token {
                eprintln!(
                    "Console: no account yet. Open http://{}/setup?token={token} to create the \
                     first admin (the link works once, during this run only).",
                    console.address
                );
            }
        }
        if host.has_connectors() {
            eprintln!(
                "Connecting to the platforms… (the log says when every one is connected; Ctrl-C \
                 or SIGTERM stops; pending actions are kept in {} for the next start)",
                data_dir.display()
            );
        } else if following {
            eprintln!(
                "Following the event file(s): new lines are handled as they are written; running \
                 until Ctrl-C (or SIGTERM)."
            );
        }
        if live {
            tokio::spawn(async move {
                wait_for_signal().await;
                eprintln!("Stopping: finishing the events already received…");
                let _ = stop.send(true);
            });
        }
        let summary = match &config.cluster {
            Some(cluster) => {
                eprintln!(
                    "Cluster host `{}`: publishing this host's events to {} and handling the \
                     partitions it holds, until Ctrl-C (or SIGTERM).",
                    cluster.host_id,
                    cluster.urls.join(",")
                );
                host.run_cluster(cluster, &config.base_dir, sources, output, shutdown)
                    .await
            }
            None => host.run_until(sources, output, shutdown).await,
        };
        let stayed = stay && !live;
        if stayed {
            // The input ended: say what was done now, then stay up.
            if let Ok(summary) = &summary {
                reading.finish();
                eprintln!("\n{}", summary.render().trim_end());
            }
            eprintln!(
                "--stay: the input ended; staying up{} until Ctrl-C (or SIGTERM).",
                console
                    .as_ref()
                    .map(|c| format!(" (console: http://{}/)", c.address))
                    .unwrap_or_default()
            );
            wait_for_signal().await;
        }
        if let Some(console) = console {
            console.stop().await;
        }
        let _ = stop_control.send(true);
        let _ = control.await;
        summary.map(|s| (s, stayed))
    })?;
    let (summary, stayed) = summary;
    reading.finish();
    if !stayed {
        eprintln!("\n{}", summary.render().trim_end());
    }
    if summary.events_handled == 0 && summary.events_already_handled > 0 {
        eprintln!(
            "Nothing new to do: all {} events were already handled in {} (a handled event is never \
             handled again). Run with --fresh, or delete that directory, to handle them again.",
            summary.events_already_handled,
            data_dir.display()
        );
    }
    Ok(())
}

/// The sources, numbering their events, and an executor that hands the
/// actions to `output` in the order of those events when the input ends
/// (communities run in parallel, so they decide in no fixed order).
fn in_event_order(
    sources: Vec<Box<dyn Source>>,
    output: Box<dyn Executor>,
    progress: &std::sync::Arc<vigie::progress::Progress>,
) -> (Vec<Box<dyn Source>>, Box<dyn Executor>) {
    let order = EventOrder::default();
    let sources = sources
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            Box::new(Numbered::new(s, i, order.clone()).counting(progress.clone()))
                as Box<dyn Source>
        })
        .collect();
    (sources, Box::new(InEventOrder::new(output, order)))
}

/// The lines of these event files, when all are regular files (standard
/// input has no length).
fn line_count(files: &[PathBuf]) -> Option<u64> {
    use std::io::Read;
    let mut lines = 0u64;
    for path in files {
        let mut file = std::fs::File::open(path).ok()?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = file.read(&mut buf).ok()?;
            if n == 0 {
                break;
            }
            lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        }
    }
    Some(lines)
}

/// Ctrl-C or SIGTERM.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Reads a plugin config file (JSON, or TOML by extension) as JSON text.
fn plugin_config_json(path: Option<&Path>) -> Result<String> {
    let Some(path) = path else {
        return Ok("{}".into());
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    if path.extension().is_some_and(|e| e == "toml") {
        let value: toml::Table =
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(serde_json::to_string(&config_table_of(value, path)?)?)
    } else {
        let value: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON", path.display()))?;
        Ok(value.to_string())
    }
}

/// The plugin's own settings in a TOML file given as `--plugin-config`.
/// A block pasted from a `vigie.toml` (`[plugins.NAME.config]`, or the whole
/// `[plugins.NAME]` entry) is taken for its `config` table, and said so.
fn config_table_of(table: toml::Table, path: &Path) -> Result<toml::Table> {
    let Some(toml::Value::Table(plugins)) = table.get("plugins") else {
        return Ok(table);
    };
    if table.len() > 1 {
        bail!(
            "{}: mixes `plugins` with other keys; keep only the plugin's settings (the keys of its `config` table)",
            path.display()
        );
    }
    let mut entries = plugins.iter();
    let (Some((name, toml::Value::Table(entry))), None) = (entries.next(), entries.next()) else {
        bail!(
            "{}: holds several plugin entries ({}); keep only the keys of one entry's `config` table",
            path.display(),
            plugins.keys().cloned().collect::<Vec<_>>().join(", ")
        );
    };
    match entry.get("config") {
        Some(toml::Value::Table(config)) => {
            eprintln!(
                "note: {} is a `[plugins.{name}]` block from a vigie.toml; using its `config` table",
                path.display()
            );
            Ok(config.clone())
        }
        _ if entry.contains_key("config_file") => bail!(
            "{}: `[plugins.{name}]` names a `config_file`; give that file as --plugin-config instead",
            path.display()
        ),
        _ => bail!(
            "{}: `[plugins.{name}]` has no `config` table; remove the `[plugins.{name}]` header and keep the plugin's own keys",
            path.display()
        ),
    }
}

/// The secret used by dry runs: fixed and public, so `vigie test` output is
/// reproducible (and its draws predictable; live runs use the data
/// directory's key).
const DRY_RUN_SECRET: [u8; 32] = *b"vigie dry run: not a real secret";

fn load_single(
    plugin: &str,
    config_json: String,
    store: Arc<dyn Store>,
) -> Result<vigie::PluginDef> {
    // One plugin on a handful of communities: configuring each instance
    // costs less than snapshotting the configured state first.
    let runtime = Runtime::builder()
        .cache_dir(default_cache_dir())
        .max_instances(16)
        .configure_once(false)
        .build()?;
    let name = plugin_name(plugin);
    let entry = PluginEntry {
        name,
        component: plugin.to_string(),
        grants: ActionKind::ALL.into_iter().collect::<BTreeSet<_>>(),
        config_json,
        limits: Limits::default(),
        shadow: false,
        replaces: None,
        overridden: false,
        review: Default::default(),
    };
    pipeline::load_entry(
        &runtime,
        entry,
        store,
        Arc::new(Secret::from_bytes(DRY_RUN_SECRET)),
    )
}

fn plugin_name(plugin: &str) -> String {
    match plugin.strip_prefix("builtin:") {
        Some(name) => name.to_string(),
        None => Path::new(plugin)
            .file_stem()
            .map(|s| s.to_string_lossy().replace('_', "-"))
            .unwrap_or_else(|| "plugin".into()),
    }
}

/// `$XDG_CACHE_HOME/vigie` or `~/.cache/vigie`: compiled components for
/// commands that have no data directory.
fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("vigie").join("components"))
}

fn test(plugin: &str, events: &Path, plugin_config: Option<&Path>) -> Result<()> {
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary()?);
    let def = Arc::new(load_single(
        plugin,
        plugin_config_json(plugin_config)?,
        store.clone(),
    )?);
    let declared = def.description.actions.clone();
    let host = Vigie::builder()
        .store(store)
        .secret(Secret::from_bytes(DRY_RUN_SECRET))
        .build_with_chain(vec![def])?;
    let reading = Arc::new(vigie::progress::Progress::new(
        "reading events",
        line_count(&[events.to_path_buf()]),
    ));
    let (sources, output) = in_event_order(
        vec![Box::new(JsonLinesSource::new(events))],
        Box::new(JsonLinesExecutor::stdout()),
        &reading,
    );
    let summary = tokio_runtime()?.block_on(host.run(sources, output))?;
    reading.finish();
    for action in host.store().actions()? {
        if !declared.contains(&action.action.kind()) {
            eprintln!(
                "warning: the plugin returned a `{}` action but its describe does not declare it",
                action.action.kind()
            );
        }
    }
    eprintln!("{}", summary.render().trim_end());
    if summary.events_rejected > 0 {
        bail!(
            "{} input line(s) rejected (each is named above with its line number); the other \
             lines were run",
            summary.events_rejected
        );
    }
    Ok(())
}

fn check(plugin: &str, plugin_config: Option<&Path>, json: bool) -> Result<()> {
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary()?);
    let def = load_single(plugin, plugin_config_json(plugin_config)?, store)?;
    let d = &def.description;
    if json {
        println!("{}", serde_json::to_string_pretty(d)?);
    } else {
        let kinds = |v: &[String]| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(", ")
            }
        };
        println!(
            "ok: {} is a valid Vigie plugin (vigie:plugin@0.1.0)",
            def.loaded.origin
        );
        println!("name:    {}", d.name);
        println!("version: {}", d.version);
        println!("summary: {}", d.summary);
        println!(
            "events:  {}",
            kinds(
                &d.events
                    .iter()
                    .map(|k| serde_json::to_value(k)
                        .map(|v| v.as_str().unwrap_or_default().to_string())
                        .unwrap_or_default())
                    .collect::<Vec<_>>()
            )
        );
        println!(
            "actions: {}",
            kinds(
                &d.actions
                    .iter()
                    .map(|k| k.name().to_string())
                    .collect::<Vec<_>>()
            )
        );
        println!("sha256:  {}", def.loaded.hash);
    }
    Ok(())
}

/// A published list, from a file or standard input (`-`).
fn read_published(path: &Path, what: &str) -> Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .with_context(|| format!("cannot read the {what} from standard input"))?;
        Ok(text)
    } else {
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the {what} {}", path.display()))
    }
}

fn verify_poll(ballots: &Path, hash: &str) -> Result<()> {
    let text = read_published(ballots, "ballot list")?;
    let report = poll_tally::verify(&text, hash)
        .map_err(|e| anyhow::anyhow!("the tally does not verify: {e}"))?;
    print!("{report}");
    Ok(())
}

fn verify_draw(
    seed: &str,
    commitment: &str,
    entries: &Path,
    winners: usize,
    published_hash: Option<&str>,
) -> Result<()> {
    let Some(published_hash) = published_hash else {
        bail!(
            "give --entries-hash HASH, the SHA-256 of the entry list that the end announcement \
             publishes (\"SHA-256 of the entry list\"; its command line has it): without it a list \
             copied wrong would give other winners that look verified"
        );
    };
    let text = read_published(entries, "entry list")?;
    let report = giveaway_draw::verify_published(seed, commitment, &text, published_hash, winners)
        .map_err(|e| anyhow::anyhow!("the draw does not verify: {e}"))?;
    println!("commitment: ok (SHA-256 of the seed)");
    println!(
        "entries:    ok, the published list: {} entries (total weight {}), SHA-256 {}",
        report.entry_count, report.total_weight, report.entries_hash
    );
    if !report.was_canonical {
        // The same list (it has the published hash), written another way:
        // say how, so nobody wonders.
        let how: Vec<String> = report.differences.iter().map(|d| d.to_string()).collect();
        if how.is_empty() {
            println!("            (the file is the published list written another way)");
        } else {
            println!(
                "            (the file is the published list written another way: {})",
                how.join("; ")
            );
        }
    }
    for (i, winner) in report.winners.iter().enumerate() {
        println!("winner {}:   {winner}", i + 1);
    }
    Ok(())
}
