//! `[cluster]` in `vigie.toml`: where the NATS servers are, who this host
//! is, and how the communities are partitioned. Every key is documented in
//! the README's configuration reference.

use crate::connector::Credential;
use anyhow::{bail, Result};
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

/// The partition count when `partitions` is not given.
pub const DEFAULT_PARTITIONS: u32 = 16;

/// `[cluster]`, as read from the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    /// NATS server URLs (`nats://host:port`); the client fails over
    /// between them.
    pub urls: Vec<String>,
    /// This host's name in the cluster: unique, stable across restarts
    /// (a restarted host takes its partitions back by it).
    pub host_id: String,
    /// How many partitions the communities are spread over. Fixed for the
    /// life of the stream: changing it moves every community to another
    /// partition, so the host refuses to start when it differs from the
    /// stream's.
    #[serde(default = "default_partitions")]
    pub partitions: u32,
    /// A NATS token, as `env:NAME` or `file:PATH`.
    #[serde(default)]
    pub token: Option<String>,
    /// A NATS user name (with `password`), plain: it is not a secret.
    #[serde(default)]
    pub user: Option<String>,
    /// The user's password, as `env:NAME` or `file:PATH`.
    #[serde(default)]
    pub password: Option<String>,
    /// How long a partition lease lives without renewal: a host that stops
    /// renewing loses its partitions after this long.
    #[serde(default = "default_lease_ttl")]
    pub lease_ttl_secs: u64,
    /// How long the server waits for a host's ack before it delivers the
    /// event again (to whichever host then owns the partition).
    #[serde(default = "default_ack_wait")]
    pub ack_wait_secs: u64,
    /// How many times an event is tried before it goes to the dead letters
    /// (stream `VIGIE_DEAD`) and its partition moves on.
    #[serde(default = "default_max_deliver")]
    pub max_deliver: u32,
    /// On how many NATS servers each stream and bucket is kept (JetStream's
    /// `num_replicas`): 1 on a single server, 3 on a three-server cluster,
    /// so that the loss of any one server loses nothing and stops nothing.
    /// Used when the streams and buckets are made (by the first host).
    #[serde(default = "default_replicas")]
    pub replicas: usize,
}

fn default_partitions() -> u32 {
    DEFAULT_PARTITIONS
}
fn default_lease_ttl() -> u64 {
    10
}
fn default_ack_wait() -> u64 {
    30
}
fn default_max_deliver() -> u32 {
    5
}
fn default_replicas() -> usize {
    1
}

/// How the client authenticates, resolved from `env:`/`file:`.
pub(crate) enum Auth {
    None,
    Token(Credential),
    UserPassword(String, Credential),
}

impl ClusterConfig {
    /// Checks every value; the messages name the key.
    pub fn check(&self) -> Result<()> {
        if self.urls.is_empty() {
            bail!("cluster.urls: give at least one NATS server, e.g. [\"nats://127.0.0.1:4222\"]");
        }
        for url in &self.urls {
            let ok = ["nats://", "tls://", "ws://", "wss://"]
                .iter()
                .any(|scheme| url.starts_with(scheme) && url.len() > scheme.len());
            if !ok {
                bail!(
                    "cluster.urls: `{url}` is not a NATS URL (nats://host:port or tls://host:port)"
                );
            }
        }
        let id_ok = !self.host_id.is_empty()
            && self.host_id.len() <= 64
            && self
                .host_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !id_ok {
            bail!(
                "cluster.host_id: `{}` must be 1 to 64 letters, digits, `-` or `_` (it names \
                 the host's leases)",
                self.host_id
            );
        }
        if !(1..=1024).contains(&self.partitions) {
            bail!(
                "cluster.partitions: {} is out of range (1 to 1024; fixed for the stream's life)",
                self.partitions
            );
        }
        if !(2..=600).contains(&self.lease_ttl_secs) {
            bail!(
                "cluster.lease_ttl_secs: {} is out of range (2 to 600)",
                self.lease_ttl_secs
            );
        }
        if !(1..=3600).contains(&self.ack_wait_secs) {
            bail!(
                "cluster.ack_wait_secs: {} is out of range (1 to 3600)",
                self.ack_wait_secs
            );
        }
        if !(1..=100).contains(&self.max_deliver) {
            bail!(
                "cluster.max_deliver: {} is out of range (1 to 100)",
                self.max_deliver
            );
        }
        // JetStream takes 1 to 5; an even count adds a server that must
        // answer without adding a loss the cluster survives.
        if ![1, 3, 5].contains(&self.replicas) {
            bail!(
                "cluster.replicas: {} is not 1, 3 or 5 (1 on a single NATS server, 3 on a \
                 three-server cluster: any one server may then be lost)",
                self.replicas
            );
        }
        match (&self.token, &self.user, &self.password) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                bail!("cluster: give either `token` or `user` with `password`, not both")
            }
            (None, Some(_), None) => bail!("cluster.user: `password` is missing"),
            (None, None, Some(_)) => bail!("cluster.password: `user` is missing"),
            _ => {}
        }
        for (key, value) in [("token", &self.token), ("password", &self.password)] {
            if let Some(v) = value {
                if !v.starts_with("env:") && !v.starts_with("file:") {
                    bail!(
                        "cluster.{key}: give the secret as `env:VARIABLE` or `file:PATH`, never \
                         inline (configs get shared; secrets must not)"
                    );
                }
            }
        }
        Ok(())
    }

    pub(crate) fn auth(&self, base_dir: &Path) -> Result<Auth> {
        Ok(match (&self.token, &self.user, &self.password) {
            (Some(token), _, _) => {
                Auth::Token(Credential::resolve(token, base_dir, "cluster.token")?)
            }
            (None, Some(user), Some(password)) => Auth::UserPassword(
                user.clone(),
                Credential::resolve(password, base_dir, "cluster.password")?,
            ),
            _ => Auth::None,
        })
    }

    pub fn lease_ttl(&self) -> Duration {
        Duration::from_secs(self.lease_ttl_secs)
    }

    pub fn ack_wait(&self) -> Duration {
        Duration::from_secs(self.ack_wait_secs)
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use std::path::Path;

    fn parse(cluster: &str) -> anyhow::Result<Config> {
        Config::parse(
            &format!("[cluster]\n{cluster}\n"),
            "vigie.toml",
            Path::new("."),
        )
    }

    fn error(cluster: &str) -> String {
        match parse(cluster) {
            Ok(_) => panic!("accepted: {cluster}"),
            Err(e) => format!("{e:#}"),
        }
    }

    #[test]
    fn a_good_cluster_table_parses_with_defaults() {
        let config = parse("urls = [\"nats://127.0.0.1:4222\"]\nhost_id = \"host-a\"").unwrap();
        let cluster = config.cluster.unwrap();
        assert_eq!(cluster.partitions, super::DEFAULT_PARTITIONS);
        assert_eq!(cluster.lease_ttl_secs, 10);
        assert_eq!(cluster.replicas, 1);
        assert!(Config::parse("", "vigie.toml", Path::new("."))
            .unwrap()
            .cluster
            .is_none());
    }

    #[test]
    fn bad_values_name_their_key() {
        let ok = "urls = [\"nats://127.0.0.1:4222\"]\nhost_id = \"a\"";
        for (extra, key) in [
            ("partitions = 0", "cluster.partitions"),
            ("partitions = 5000", "cluster.partitions"),
            ("lease_ttl_secs = 1", "cluster.lease_ttl_secs"),
            ("ack_wait_secs = 0", "cluster.ack_wait_secs"),
            ("max_deliver = 0", "cluster.max_deliver"),
            ("replicas = 0", "cluster.replicas"),
            ("replicas = 2", "cluster.replicas"),
            ("replicas = 7", "cluster.replicas"),
            ("token = \"hunter2\"", "cluster.token"),
            ("user = \"vigie\"", "cluster.user"),
            ("password = \"env:X\"", "cluster.password"),
        ] {
            let e = error(&format!("{ok}\n{extra}"));
            assert!(e.contains(key) && e.contains("vigie.toml"), "{extra}: {e}");
            assert!(!e.contains("hunter2"), "a secret was echoed: {e}");
        }
        let e = error("urls = []\nhost_id = \"a\"");
        assert!(e.contains("cluster.urls"), "{e}");
        let e = error("urls = [\"http://x\"]\nhost_id = \"a\"");
        assert!(e.contains("not a NATS URL"), "{e}");
        let e = error("urls = [\"nats://x:4222\"]\nhost_id = \"a b\"");
        assert!(e.contains("cluster.host_id"), "{e}");
        let e = error("urls = [\"nats://x:4222\"]");
        assert!(e.contains("host_id"), "{e}");
        let e = error("urls = [\"nats://x:4222\"]\nhost_id = \"a\"\npartition = 3");
        assert!(e.contains("partition"), "{e}");
    }
}
