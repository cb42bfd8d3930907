//! Plugin versions published once to the whole cluster: `vigie cluster
//! publish` puts a plugin's component into the JetStream object store
//! bucket `vigie-plugins` (object name = the plugin's entry name in
//! `vigie.toml`, the component's SHA-256 in its metadata), and every host
//! follows that bucket: a new object goes through the host's hot reload
//! ([`crate::reload`]: compile, checks, the plugin's `configure`) and serves
//! from each community's next event, or is refused with the reason while
//! the running version keeps serving. A host starts on the latest published
//! versions ([`latest`]), then follows the bucket ([`follow`]).
//! `vigie cluster unpublish` removes the object ([`unpublish`]): every host
//! goes back to the file its own entry names.

use super::{Cluster, ClusterConfig};
use crate::reload::{PublishedVersion, PublishedVersions};
use anyhow::{anyhow, bail, Context, Result};
use async_nats::jetstream::object_store::{self, ObjectInfo, ObjectMetadata, ObjectStore};
use futures_util::StreamExt;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::sync::watch;

/// The object store bucket of the published plugin components.
pub const PLUGIN_BUCKET: &str = "vigie-plugins";
/// The object metadata key holding the component's SHA-256 (hex), the hash
/// actions and logs name a version by.
const HASH_KEY: &str = "vigie-hash";

/// The bucket, made when missing (by whichever host or publisher is first).
pub async fn bucket(cluster: &Cluster) -> Result<ObjectStore> {
    match cluster.js.get_object_store(PLUGIN_BUCKET).await {
        Ok(store) => Ok(store),
        Err(_) => cluster
            .js
            .create_object_store(object_store::Config {
                bucket: PLUGIN_BUCKET.into(),
                description: Some("Vigie: plugin components published to the cluster".into()),
                num_replicas: cluster.replicas,
                ..Default::default()
            })
            .await
            // Another host may have made it in between.
            .or(cluster.js.get_object_store(PLUGIN_BUCKET).await)
            .with_context(|| format!("cluster: cannot make the object store {PLUGIN_BUCKET}")),
    }
}

/// What `vigie cluster publish` stored.
#[derive(Debug, Clone)]
pub struct Published {
    pub hash: String,
    pub size: usize,
    /// The object store's own digest (`SHA-256=…`, base64).
    pub digest: Option<String>,
}

/// Publishes `bytes` as the component of plugin `plugin` to every host of
/// the cluster. The hosts check it; this does not (a host whose config has
/// no entry `plugin` ignores it).
pub async fn publish(cluster: &Cluster, plugin: &str, bytes: &[u8]) -> Result<Published> {
    if plugin.trim().is_empty() {
        bail!("the plugin name is empty");
    }
    let store = bucket(cluster).await?;
    let hash = crate::runtime::hash_hex(bytes);
    let meta = ObjectMetadata {
        name: plugin.to_string(),
        description: Some(format!("component of plugin `{plugin}`")),
        metadata: [(HASH_KEY.to_string(), hash.clone())].into(),
        ..Default::default()
    };
    let mut reader = bytes;
    let info = store
        .put(meta, &mut reader)
        .await
        .map_err(|e| anyhow!("cluster: cannot publish plugin `{plugin}`: {e}"))?;
    Ok(Published {
        hash,
        size: info.size,
        digest: info.digest,
    })
}

/// Removes the published version of `plugin`: every host goes back to the
/// component file its own entry names (checked as any reload). Returns
/// whether there was one.
pub async fn unpublish(cluster: &Cluster, plugin: &str) -> Result<bool> {
    let store = bucket(cluster).await?;
    match store.info(plugin).await {
        Ok(info) if !info.deleted => {}
        _ => return Ok(false),
    }
    store
        .delete(plugin)
        .await
        .map_err(|e| anyhow!("cluster: cannot remove plugin `{plugin}`: {e}"))?;
    Ok(true)
}

/// Reads one published component and checks it against the hash it was
/// published with (a partial or altered object is refused).
async fn read(store: &ObjectStore, info: &ObjectInfo) -> Result<PublishedVersion> {
    let mut object = store
        .get(&info.name)
        .await
        .map_err(|e| anyhow!("cannot read it: {e}"))?;
    let mut bytes = Vec::with_capacity(info.size);
    object
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| anyhow!("cannot read it: {e}"))?;
    let version = PublishedVersion::new(bytes);
    match info.metadata.get(HASH_KEY) {
        Some(hash) if *hash != version.hash => bail!(
            "its bytes hash to {}, not to the {} it was published with (published again \
             meanwhile?)",
            &version.hash[..12],
            // Outside input: not sliced at a byte that may split a char.
            hash.chars().take(12).collect::<String>()
        ),
        _ => Ok(version),
    }
}

/// The latest published version of every plugin, for a host to start on.
pub async fn latest(cluster: &Cluster) -> Result<BTreeMap<String, PublishedVersion>> {
    let store = bucket(cluster).await?;
    let mut list = store
        .list()
        .await
        .map_err(|e| anyhow!("cluster: cannot list {PLUGIN_BUCKET}: {e}"))?;
    let mut versions = BTreeMap::new();
    while let Some(info) = list.next().await {
        let info = info.map_err(|e| anyhow!("cluster: cannot list {PLUGIN_BUCKET}: {e}"))?;
        if info.deleted {
            continue;
        }
        match read(&store, &info).await {
            Ok(v) => {
                tracing::info!(
                    "plugin `{}`: starting on the version published to the cluster ({})",
                    info.name,
                    &v.hash[..12]
                );
                versions.insert(info.name.clone(), v);
            }
            Err(e) => tracing::error!(
                "plugin `{}`: the version published to the cluster is ignored: {e:#}",
                info.name
            ),
        }
    }
    Ok(versions)
}

/// Connects and reads [`latest`] (before a host loads its plugins).
pub async fn latest_for(
    config: &ClusterConfig,
    base_dir: &Path,
) -> Result<BTreeMap<String, PublishedVersion>> {
    let cluster = Cluster::connect(config, base_dir).await?;
    latest(&cluster).await
}

/// Follows the bucket until `shutdown`: each new version (one not already
/// in force or waiting) is offered to the host's reloader. The watch
/// starts with the latest version of every object, so what was published
/// between the host's start and this is not missed. A lost watch is made
/// again after a pause.
pub async fn follow(
    config: ClusterConfig,
    base_dir: std::path::PathBuf,
    published: PublishedVersions,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut pause = Duration::from_millis(500);
    loop {
        let run = follow_once(&config, &base_dir, &published);
        tokio::select! {
            result = run => {
                if let Err(e) = result {
                    tracing::warn!("cluster: following {PLUGIN_BUCKET} stopped ({e:#}); again in {pause:?}");
                }
            }
            _ = shutdown.changed() => return,
        }
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = shutdown.changed() => return,
        }
        pause = (pause * 2).min(Duration::from_secs(10));
    }
}

async fn follow_once(
    config: &ClusterConfig,
    base_dir: &Path,
    published: &PublishedVersions,
) -> Result<()> {
    let cluster = Cluster::connect(config, base_dir).await?;
    let store = bucket(&cluster).await?;
    let mut changes = store
        .watch_with_history()
        .await
        .map_err(|e| anyhow!("cannot watch: {e}"))?;
    tracing::info!("cluster: following the plugin versions published to {PLUGIN_BUCKET}");
    while let Some(info) = changes.next().await {
        let info = info.map_err(|e| anyhow!("watch: {e}"))?;
        let known = published.latest_hash(&info.name);
        if info.deleted {
            if known.is_some() {
                tracing::info!(
                    "plugin `{}`: its published version was removed from the cluster: back to \
                     the file its entry names",
                    info.name
                );
                published.offer(&info.name, None);
            }
            continue;
        }
        if known.is_some() && known.as_ref() == info.metadata.get(HASH_KEY) {
            continue;
        }
        match read(&store, &info).await {
            Ok(v) if Some(&v.hash) == known.as_ref() => {}
            Ok(v) => {
                tracing::info!(
                    "plugin `{}`: version {} published to the cluster: checking it",
                    info.name,
                    &v.hash[..12]
                );
                published.offer(&info.name, Some(v));
            }
            Err(e) => tracing::error!(
                "plugin `{}`: the version published to the cluster is ignored, the running one \
                 keeps serving: {e:#}",
                info.name
            ),
        }
    }
    bail!("the watch ended")
}
