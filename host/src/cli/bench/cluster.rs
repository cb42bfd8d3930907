//! `vigie bench --cluster-url URL`: the cluster path (docs/cluster.md) on
//! this machine. For each host count of `--cluster-hosts` (1, 2 and 3 by
//! default), that many real `vigie run` processes join the cluster at URL
//! with the demo's four plugins as their chain; the benchmark publishes
//! `--cluster-events` events of `--cluster-communities` communities,
//! interleaved, and watches the fenced state (the `vigie-state` bucket)
//! commit them. It prints events/s from the first publish to the last
//! commit, and each event's latency from its publish to its commit (p50,
//! p99). Then the same events through one host without a cluster (sled, in
//! process), for the per-event cost of the cluster path. Prints figures;
//! asserts nothing.
//!
//! The server must be a scratch one: every round deletes Vigie's streams
//! and buckets there, and the first refuses to when they hold anything,
//! unless `--wipe` is given.

use anyhow::{anyhow, bail, Context, Result};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use vigie::cluster::state::{CommunityState, STATE_BUCKET};
use vigie::cluster::{
    Cluster, ClusterConfig, DEAD_STREAM, IN_STREAM, LEASE_BUCKET, OUT_STREAM, SHARED_BUCKET,
};
use vigie::config::Config;
use vigie::{builtin, Event, SledStore, Vigie};

const PARTITIONS: u32 = 16;

/// What the cluster benchmark is asked to do.
pub struct Options {
    pub url: String,
    pub hosts: Vec<usize>,
    pub events: usize,
    pub communities: usize,
    /// Events published per second; 0: as fast as the server takes them.
    pub rate: f64,
    pub wipe: bool,
}

/// The host processes of one round, killed when it ends (or fails).
struct Hosts(Vec<(Child, std::path::PathBuf)>);

impl Drop for Hosts {
    fn drop(&mut self) {
        for (child, _) in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

pub fn run(options: Options) -> Result<()> {
    let exe = std::env::current_exe().context("cannot find the vigie executable")?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let communities = options.communities.max(1);
    let per_community = (options.events / communities).max(1);
    let demo = super::communities::demo_messages()?;
    let events = super::communities::events(&demo, communities, per_community, |i| format!("c{i}"));
    println!(
        "vigie bench --cluster-url {}: {} events ({communities} communities × {per_community}, \
         interleaved) through automod → sentiment → faq → giveaway, {PARTITIONS} partitions, \
         hosts and server on this machine, published {}",
        options.url,
        events.len(),
        if options.rate > 0.0 {
            format!("at {:.0} events/s", options.rate)
        } else {
            "as fast as the server takes them (latency then includes the wait in the queue)".into()
        }
    );
    let mut one_host_rate = None;
    for (round, &hosts) in options.hosts.iter().enumerate() {
        rt.block_on(clear(&options.url, options.wipe || round > 0))?;
        let dir = tempfile::tempdir()?;
        let mut running = Hosts(Vec::new());
        for i in 0..hosts {
            let host_dir = dir.path().join(format!("host-{i}"));
            write_host_config(&host_dir, &options.url, &format!("bench-{i}"))?;
            let log = host_dir.join("vigie.log");
            let child = Command::new(&exe)
                .arg("run")
                .arg("-c")
                .arg(host_dir.join("vigie.toml"))
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log)?)
                .spawn()
                .context("cannot start a host")?;
            running.0.push((child, log));
        }
        let (rate, p50, p99) = rt.block_on(async {
            let cluster = Cluster::connect(&client_config(&options.url)?, Path::new(".")).await?;
            wait_for_partitions(&cluster, hosts, &mut running).await?;
            measure(&cluster, &events, options.rate).await
        })?;
        println!(
            "  {hosts} host{}: {rate:>7.0} events/s, latency publish → commit p50 {:.1} ms, p99 {:.1} ms",
            if hosts == 1 { " " } else { "s" },
            p50 * 1e3,
            p99 * 1e3
        );
        if hosts == 1 {
            one_host_rate = Some(rate);
        }
        drop(running);
    }
    rt.block_on(clear(&options.url, true))?;
    let sled_rate = sled_baseline(&events)?;
    println!("  one host without a cluster (sled, in process): {sled_rate:>7.0} events/s");
    // Paced, a round's rate is the pace: the cost per event needs the
    // hosts saturated.
    if let (Some(rate), true) = (one_host_rate, options.rate <= 0.0) {
        println!(
            "  per event: {:.0} µs on the cluster path against {:.0} µs on the sled path ({:.1}×)",
            1e6 / rate,
            1e6 / sled_rate,
            sled_rate / rate
        );
    }
    println!(
        "  (2 cores for the server, the hosts and this client: more hosts cannot add cores here; \
         the figures show the cluster path's cost and that work spreads, not how it scales)"
    );
    Ok(())
}

fn client_config(url: &str) -> Result<ClusterConfig> {
    toml::from_str(&format!(
        "urls = [{url:?}]\nhost_id = \"bench-client\"\npartitions = {PARTITIONS}\nlease_ttl_secs = 3\n"
    ))
    .context("the cluster URL")
}

fn write_host_config(dir: &Path, url: &str, host: &str) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, text) in builtin::DEMO_FILES {
        std::fs::write(dir.join(name), text)?;
    }
    std::fs::write(
        dir.join("vigie.toml"),
        format!(
            "data_dir = \"data\"\ndefault_chain = [\"automod\", \"sentiment\", \"faq\", \"giveaway\"]\n\
             {}\n[cluster]\nurls = [{url:?}]\nhost_id = \"{host}\"\npartitions = {PARTITIONS}\n\
             lease_ttl_secs = 3\n",
            super::communities::DEMO_PLUGINS
        ),
    )?;
    Ok(())
}

/// Deletes Vigie's streams and buckets on the server; refuses to when they
/// hold anything and `wipe` is not given.
async fn clear(url: &str, wipe: bool) -> Result<()> {
    let client = async_nats::connect(url)
        .await
        .map_err(|e| anyhow!("cannot connect to {url}: {e}"))?;
    let js = async_nats::jetstream::new(client);
    for name in [IN_STREAM, OUT_STREAM, DEAD_STREAM] {
        let Ok(mut stream) = js.get_stream(name).await else {
            continue;
        };
        let messages = stream
            .info()
            .await
            .map_err(|e| anyhow!("cannot read the stream {name}: {e}"))?
            .state
            .messages;
        if messages > 0 && !wipe {
            bail!(
                "{url} holds Vigie's stream {name} with {messages} messages: the benchmark \
                 deletes Vigie's streams and buckets, so give it a scratch server, or pass \
                 --wipe"
            );
        }
        js.delete_stream(name)
            .await
            .map_err(|e| anyhow!("cannot delete the stream {name}: {e}"))?;
    }
    for bucket in [STATE_BUCKET, LEASE_BUCKET, SHARED_BUCKET] {
        if js.get_key_value(bucket).await.is_ok() {
            js.delete_key_value(bucket)
                .await
                .map_err(|e| anyhow!("cannot delete the bucket {bucket}: {e}"))?;
        }
    }
    Ok(())
}

/// Waits until every partition is held and every host holds some.
async fn wait_for_partitions(cluster: &Cluster, hosts: usize, running: &mut Hosts) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        for (child, log) in &mut running.0 {
            if let Some(status) = child.try_wait()? {
                bail!(
                    "a host stopped ({status}):\n{}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
        }
        let holders = vigie::cluster::lease::holders(&cluster.leases, PARTITIONS).await?;
        let distinct: std::collections::BTreeSet<&String> = holders.iter().flatten().collect();
        if holders.iter().all(Option::is_some) && distinct.len() == hosts.min(PARTITIONS as usize) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the hosts did not share the partitions within 2 minutes: {holders:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Publishes the events and watches them committed: (events/s, p50, p99
/// latency in seconds).
async fn measure(cluster: &Cluster, events: &[Event], rate: f64) -> Result<(f64, f64, f64)> {
    let mut watch = cluster
        .state
        .watch_all()
        .await
        .map_err(|e| anyhow!("cannot watch the fenced state: {e}"))?;
    let total = events.len();
    let watcher = tokio::spawn(async move {
        let mut commits: HashMap<(String, u64), Instant> = HashMap::with_capacity(total);
        while commits.len() < total {
            let entry = tokio::time::timeout(Duration::from_secs(120), watch.next())
                .await
                .map_err(|_| {
                    anyhow!(
                        "no commit for 2 minutes ({} of {total} seen)",
                        commits.len()
                    )
                })?
                .ok_or_else(|| anyhow!("the watch ended"))?
                .map_err(|e| anyhow!("watch: {e}"))?;
            if entry.operation != async_nats::jetstream::kv::Operation::Put {
                continue;
            }
            let at = Instant::now();
            let state: CommunityState = serde_json::from_slice(&entry.value)?;
            commits
                .entry((state.community, state.applied))
                .or_insert(at);
        }
        Ok::<_, anyhow::Error>(commits)
    });
    let mut published: HashMap<(String, u64), Instant> = HashMap::with_capacity(total);
    let mut counts: HashMap<&str, u64> = HashMap::new();
    let started = Instant::now();
    let mut acks = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if rate > 0.0 {
            let due = started + Duration::from_secs_f64(i as f64 / rate);
            tokio::time::sleep_until(due.into()).await;
        }
        let k = counts.entry(e.community.as_str()).or_insert(0);
        *k += 1;
        published.insert((e.community.clone(), *k), Instant::now());
        acks.push(cluster.publish_event(e).await?);
        if acks.len() >= 256 || rate > 0.0 && acks.len() >= 16 {
            for ack in acks.drain(..) {
                ack.await.map_err(|e| anyhow!("publish: {e}"))?;
            }
        }
    }
    for ack in acks {
        ack.await.map_err(|e| anyhow!("publish: {e}"))?;
    }
    let commits = watcher.await.map_err(|e| anyhow!("{e}"))??;
    let last = commits.values().max().copied().unwrap_or(started);
    let mut latencies: Vec<f64> = published
        .iter()
        .filter_map(|(key, at)| Some(commits.get(key)?.duration_since(*at).as_secs_f64()))
        .collect();
    latencies.sort_by(f64::total_cmp);
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };
    let rate = total as f64 / last.duration_since(started).as_secs_f64().max(1e-9);
    Ok((rate, pick(0.5), pick(0.99)))
}

/// The same events through one host with no cluster, in process.
fn sled_baseline(events: &[Event]) -> Result<f64> {
    let dir = tempfile::tempdir()?;
    write_host_config(dir.path(), "nats://unused", "unused")?;
    let text = std::fs::read_to_string(dir.path().join("vigie.toml"))?;
    let without_cluster = text
        .split("[cluster]")
        .next()
        .context("the benchmark's config")?;
    std::fs::write(dir.path().join("vigie.toml"), without_cluster)?;
    let config = Config::load(&dir.path().join("vigie.toml"))?;
    let host = Vigie::builder()
        .store(Arc::new(SledStore::temporary()?))
        .build_from_config(&config)?;
    let (summary, seconds) =
        super::communities::drive(&host, events, dir.path().join("events.jsonl"))?;
    Ok(summary.events_handled as f64 / seconds)
}
