//! `vigie cluster …`: what an operator does to a whole cluster at once.
//! `publish` puts a new version of a plugin's component into the cluster's
//! object store; every host picks it up through its hot reload
//! (`vigie::cluster::plugins`, docs/cluster.md); `unpublish` sends every
//! host back to its own file.

use anyhow::{anyhow, bail, Context, Result};
use std::path::PathBuf;
use std::sync::Arc;
use vigie::Config;

#[derive(clap::Args)]
pub struct ClusterArgs {
    #[command(subcommand)]
    command: ClusterCommand,
}

#[derive(clap::Subcommand)]
enum ClusterCommand {
    /// Publish a new version of a plugin's component to every host of the
    /// cluster, once checked here with this config: each host checks it (compile, limits, the plugin's configure
    /// with its own config) and runs it from each community's next event,
    /// or refuses it and keeps the running version (its log says why).
    Publish {
        /// A config with `[cluster]` (where to publish; its plugin entries
        /// say which names exist).
        #[arg(long, short)]
        config: PathBuf,
        /// The plugin's entry name in `vigie.toml` (`[plugins.NAME]`).
        plugin: String,
        /// The component file (`.wasm`).
        component: PathBuf,
        /// Publish without checking the component here first (by default
        /// it must compile, `describe` and accept this config's entry).
        #[arg(long)]
        no_check: bool,
    },
    /// Remove the version of a plugin published to the cluster: every
    /// host goes back to the component file its own entry names (checked
    /// as any reload).
    Unpublish {
        /// A config with `[cluster]`.
        #[arg(long, short)]
        config: PathBuf,
        /// The plugin's entry name in `vigie.toml`.
        plugin: String,
    },
}

pub fn run(args: ClusterArgs) -> Result<()> {
    match args.command {
        ClusterCommand::Publish {
            config,
            plugin,
            component,
            no_check,
        } => publish(&config, &plugin, &component, !no_check),
        ClusterCommand::Unpublish { config, plugin } => unpublish(&config, &plugin),
    }
}

fn connect_and<T>(
    config_path: &std::path::Path,
    then: impl AsyncFnOnce(vigie::cluster::Cluster) -> Result<T>,
) -> Result<T> {
    let config = Config::load(config_path)?;
    let cluster = config.cluster.as_ref().ok_or_else(|| {
        anyhow!(
            "{}: no [cluster] table: no cluster to act on",
            config_path.display()
        )
    })?;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let cluster = vigie::cluster::Cluster::connect(cluster, &config.base_dir).await?;
            then(cluster).await
        })
}

fn unpublish(config_path: &std::path::Path, plugin: &str) -> Result<()> {
    let removed = connect_and(config_path, async |cluster| {
        vigie::cluster::plugins::unpublish(&cluster, plugin).await
    })?;
    if removed {
        println!(
            "removed the published version of plugin `{plugin}`: every host goes back to the \
             component file its own entry names"
        );
    } else {
        println!("plugin `{plugin}` has no version published to the cluster: nothing to do");
    }
    Ok(())
}

/// Loads the component as a host would, with this config's entry: a
/// version every host would refuse is not published.
fn check_here(
    config: &Config,
    plugin: &str,
    component: &std::path::Path,
    bytes: &[u8],
) -> Result<()> {
    let mut entry = config.plugin_entry(plugin)?;
    entry.component = component.display().to_string();
    let runtime = vigie::Runtime::builder()
        .max_instances(16)
        .configure_once(false)
        .build()?;
    let store: Arc<dyn vigie::Store> = Arc::new(vigie::SledStore::temporary()?);
    let def = vigie::PluginDef::load(
        &runtime,
        entry,
        bytes,
        store,
        Arc::new(vigie::Secret::random()),
    )
    .with_context(|| {
        format!(
            "not published: {} fails the checks every host makes with this config's entry \
             `{plugin}` (--no-check publishes it anyway; each host then checks it with its own \
             config)",
            component.display()
        )
    })?;
    println!(
        "checked: {} {} compiles, describes itself and accepts the entry `{plugin}` of this config",
        def.description.name, def.description.version
    );
    Ok(())
}

fn publish(
    config_path: &std::path::Path,
    plugin: &str,
    component: &std::path::Path,
    check: bool,
) -> Result<()> {
    let config = Config::load(config_path)?;
    if !config.plugins.contains_key(plugin) {
        let names: Vec<&String> = config.plugins.keys().collect();
        bail!(
            "{}: no plugin `{plugin}` (its plugins: {names:?}); the hosts run a published \
             component under its entry's name",
            config_path.display()
        );
    }
    let bytes =
        std::fs::read(component).with_context(|| format!("cannot read {}", component.display()))?;
    if check {
        check_here(&config, plugin, component, &bytes)?;
    }
    let published = connect_and(config_path, async |cluster| {
        vigie::cluster::plugins::publish(&cluster, plugin, &bytes).await
    })?;
    println!(
        "published plugin `{plugin}`: {} bytes, sha256 {} ({}) to {}; every host checks it \
         and runs it from each community's next event, or keeps its running version and logs \
         why",
        published.size,
        published.hash,
        published.digest.as_deref().unwrap_or("no digest"),
        vigie::cluster::plugins::PLUGIN_BUCKET,
    );
    Ok(())
}
