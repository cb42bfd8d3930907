//! The cluster (`[cluster]`, `host/src/cluster/`) against a real
//! nats-server with JetStream: real `vigie` processes as hosts, the demo's
//! automod → sentiment → faq chain, and the fenced state read back from
//! the server to check that every event was applied once and in order;
//! a three-server NATS cluster whose stream leader is killed; and hosts
//! aborted at each crash point of an event's path, then restarted.

use crate::nats::{NatsCluster, NatsServer};
use crate::process::VigieProcess;
use crate::synapse::wait_for;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use vigie::cluster::state::{self, CommitOutcome, CommunityState};
use vigie::cluster::{Cluster, ClusterConfig};
use vigie::event::Event;

/// The cluster tests each run a server and up to three hosts: one at a
/// time, so two of them never share the machine's two cores.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const PARTITIONS: u32 = 16;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn cluster_config(url: &str, host: &str) -> ClusterConfig {
    cluster_config_of(&[url.to_string()], host, 1)
}

/// `[cluster]` for the test's own client: the servers, and the replica
/// count the streams are made with should the client be first.
fn cluster_config_of(urls: &[String], host: &str, replicas: usize) -> ClusterConfig {
    let text = format!(
        "urls = {}\nhost_id = \"{host}\"\npartitions = {PARTITIONS}\n\
         lease_ttl_secs = 3\nack_wait_secs = 4\nreplicas = {replicas}\n",
        toml_list(urls)
    );
    toml::from_str(&text).expect("cluster config")
}

/// `["a", "b"]`.
fn toml_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

/// A host's directory: its vigie.toml (the demo's moderation, mood and
/// FAQ plugins as the default chain; every server's URL; `cluster_extra`
/// added to `[cluster]`) and its data directory.
fn host_dir_with(root: &Path, urls: &[String], host: &str, cluster_extra: &str) -> PathBuf {
    let dir = root.join(host);
    std::fs::create_dir_all(&dir).expect("host dir");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo");
    for file in ["faq.toml", "sentiment.toml"] {
        std::fs::copy(demo.join(file), dir.join(file)).expect("copy demo file");
    }
    std::fs::write(
        dir.join("vigie.toml"),
        format!(
            r#"data_dir = "data"
default_chain = ["automod", "sentiment", "faq"]

[plugins.automod]
component = "builtin:automod"
grants = ["delete", "reply", "post", "timeout", "kick", "ban", "flag", "label"]

[plugins.sentiment]
component = "builtin:sentiment"
grants = ["label", "alert"]
config_file = "sentiment.toml"

[plugins.faq]
component = "builtin:faq"
grants = ["reply", "flag"]
config_file = "faq.toml"

[cluster]
urls = {urls}
host_id = "{host}"
partitions = {PARTITIONS}
lease_ttl_secs = 3
ack_wait_secs = 4
{cluster_extra}
"#,
            urls = toml_list(urls)
        ),
    )
    .expect("write vigie.toml");
    dir
}

fn start_host(root: &Path, url: &str, host: &str) -> VigieProcess {
    start_host_with(root, &[url.to_string()], host, "")
}

fn start_host_with(root: &Path, urls: &[String], host: &str, cluster_extra: &str) -> VigieProcess {
    let dir = host_dir_with(root, urls, host, cluster_extra);
    let mut process = VigieProcess::start(&dir.join("vigie.toml"), "cluster-test");
    process.wait_log("cluster: connected");
    process
}

/// Community names, some with characters subjects and KV keys refuse.
fn community(i: usize) -> String {
    match i % 10 {
        0 => format!("café.{i} >*"),
        1 => format!("acme/{i}"),
        _ => format!("c-{i}"),
    }
}

fn texts(n: usize) -> &'static str {
    [
        "Bonjour à tous !",
        "When does my order ship?",
        "This is great, thanks!",
        "Terrible service, I am angry",
        "Quels sont vos horaires ?",
    ][n % 5]
}

/// The `n`-th event (1-based) of community `c`.
fn event(c: &str, n: usize) -> Event {
    let ts = time::OffsetDateTime::from_unix_timestamp(1_795_000_000 + n as i64 * 7)
        .expect("timestamp")
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    serde_json::from_value(serde_json::json!({
        "id": format!("{c}#{n}"),
        "kind": "message",
        "platform": "test",
        "community": c,
        "channel": "general",
        "author": {"id": format!("u-{}", n % 13), "name": "Member", "roles": ["member"],
                   "account_age_days": 400, "is_staff": false},
        "text": texts(n),
        "timestamp": ts,
    }))
    .expect("event")
}

/// Publishes `per_community[c]` events to each community, interleaved
/// round robin (as platforms deliver them), in order within each.
fn publish_all(cluster: &Cluster, rt: &tokio::runtime::Runtime, plan: &BTreeMap<String, usize>) {
    publish_after(cluster, rt, plan, &BTreeMap::new());
}

/// As [`publish_all`], from the event after `published[c]` (0 when
/// missing) of each community.
fn publish_after(
    cluster: &Cluster,
    rt: &tokio::runtime::Runtime,
    plan: &BTreeMap<String, usize>,
    published: &BTreeMap<String, usize>,
) {
    let max = plan.values().copied().max().unwrap_or(0);
    rt.block_on(async {
        let mut acks = Vec::new();
        for n in 1..=max {
            for (c, &count) in plan {
                if n <= count && n > published.get(c).copied().unwrap_or(0) {
                    acks.push(cluster.publish_event(&event(c, n)).await.expect("publish"));
                }
            }
            // Bounded in flight.
            if acks.len() > 256 {
                for ack in acks.drain(..) {
                    ack.await.expect("stored");
                }
            }
        }
        for ack in acks {
            ack.await.expect("stored");
        }
    });
}

/// The digest of applying `c`'s events 1..=n once each, in order.
fn expected_digest(c: &str, n: usize) -> String {
    (1..=n).fold(String::new(), |d, i| {
        CommunityState::chain_digest(&d, &format!("{c}#{i}"))
    })
}

/// How many events are not acked yet, every partition together (all of
/// them while a partition has no consumer yet).
fn remaining(cluster: &Cluster, rt: &tokio::runtime::Runtime) -> u64 {
    try_remaining(cluster, rt).expect("the stream and its consumers answer")
}

/// As [`remaining`], `None` when the servers do not answer (a NATS server
/// was killed and its groups are electing a leader).
fn try_remaining(cluster: &Cluster, rt: &tokio::runtime::Runtime) -> Option<u64> {
    rt.block_on(async {
        let mut stream = cluster
            .js
            .get_stream(vigie::cluster::IN_STREAM)
            .await
            .ok()?;
        let total = stream.info().await.ok()?.state.messages;
        let mut left = 0;
        for p in 0..PARTITIONS {
            let consumer: Result<
                async_nats::jetstream::consumer::Consumer<
                    async_nats::jetstream::consumer::pull::Config,
                >,
                _,
            > = stream.get_consumer(&format!("part-{p}")).await;
            match consumer {
                Ok(mut consumer) => {
                    let info = consumer.info().await.ok()?;
                    left += info.num_pending + info.num_ack_pending as u64;
                }
                Err(_) => return Some(total),
            }
        }
        Some(left)
    })
}

/// Checks the fenced state of every community: each event applied once, in
/// order 1..n. Returns the number of events applied.
fn check_exactly_once(
    cluster: &Cluster,
    rt: &tokio::runtime::Runtime,
    plan: &BTreeMap<String, usize>,
) -> u64 {
    let mut applied = 0;
    rt.block_on(async {
        for (c, &n) in plan {
            let loaded = state::load(&cluster.state, c).await.expect("state");
            assert_eq!(
                loaded.state.applied, n as u64,
                "`{c}`: {} events applied, {n} published",
                loaded.state.applied
            );
            assert_eq!(
                loaded.state.digest,
                expected_digest(c, n),
                "`{c}`: not each event once in order 1..{n}"
            );
            assert!(
                !loaded.state.kv.is_empty(),
                "`{c}`: the plugins' state did not follow the community"
            );
            applied += loaded.state.applied;
        }
    });
    applied
}

/// Every host's local event log together: no event twice, and (when no
/// host was killed or paused) every event. The fenced state is the record;
/// a host's local log is a convenience that misses an event when the host
/// was killed with SIGKILL (sled flushes every 500 ms) or when the answer
/// to its commit was lost (paused mid-request: the event is delivered
/// again and found applied). Returns how many events the logs hold.
fn check_logs(hosts: &[PathBuf], total: usize, exact: bool) -> usize {
    let mut seen: HashMap<(String, String), String> = HashMap::new();
    for dir in hosts {
        let store = vigie::store::SledStore::open(&dir.join("data/store")).expect("open store");
        use vigie::store::Store;
        for handled in store.events().expect("events") {
            let key = (handled.event.community.clone(), handled.event.id.clone());
            if let Some(other) = seen.insert(key.clone(), dir.display().to_string()) {
                panic!("{key:?} handled twice (by {other} and {})", dir.display());
            }
        }
    }
    if exact {
        assert_eq!(
            seen.len(),
            total,
            "the hosts' logs hold {} events",
            seen.len()
        );
    } else {
        assert!(seen.len() <= total);
    }
    seen.len()
}

fn plan(communities: usize, events: usize) -> BTreeMap<String, usize> {
    // Uneven: some communities much busier than others.
    let weights: Vec<usize> = (0..communities).map(|i| 1 + (i * 7) % 5).collect();
    let sum: usize = weights.iter().sum();
    let mut plan: BTreeMap<String, usize> = (0..communities)
        .map(|i| (community(i), (weights[i] * events / sum).max(1)))
        .collect();
    let mut short = events as i64 - plan.values().sum::<usize>() as i64;
    for count in plan.values_mut() {
        if short <= 0 {
            break;
        }
        *count += 1;
        short -= 1;
    }
    assert_eq!(plan.values().sum::<usize>(), events);
    plan
}

/// Waits (a minute at most) until every partition is held and `hosts`
/// distinct hosts hold them.
fn wait_for_partition_holders(rt: &tokio::runtime::Runtime, cluster: &Cluster, hosts: usize) {
    wait_for(
        &format!("{hosts} hosts holding partitions"),
        Duration::from_secs(60),
        || {
            let holders = rt
                .block_on(vigie::cluster::lease::holders(&cluster.leases, PARTITIONS))
                .ok()?;
            let distinct: std::collections::BTreeSet<_> = holders.iter().flatten().collect();
            (holders.iter().all(Option::is_some) && distinct.len() == hosts).then_some(())
        },
    )
}

fn signal(process: &VigieProcess, sig: &str) {
    let status = Command::new("kill")
        .args([sig, &process.pid().to_string()])
        .status()
        .expect("kill");
    assert!(status.success(), "kill {sig} failed");
}

fn wait_done(cluster: &Cluster, rt: &tokio::runtime::Runtime, timeout: Duration) {
    wait_for("every event acked", timeout, || {
        (try_remaining(cluster, rt)? == 0).then_some(())
    });
}

#[test]
fn the_same_message_id_is_stored_once() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let nats = NatsServer::start();
    let rt = rt();
    let cluster = rt
        .block_on(Cluster::connect(
            &cluster_config(&nats.url, "t"),
            Path::new("."),
        ))
        .expect("connect");
    let e = event("café.1 >*", 1);
    let (first, second, other) = rt.block_on(async {
        let first = cluster.publish_event(&e).await.unwrap().await.unwrap();
        let second = cluster.publish_event(&e).await.unwrap().await.unwrap();
        let other = cluster
            .publish_event(&event("café.1 >*", 2))
            .await
            .unwrap()
            .await
            .unwrap();
        (first, second, other)
    });
    assert!(!first.duplicate && second.duplicate && !other.duplicate);
    assert_eq!(first.sequence, second.sequence);
    let stored = rt.block_on(async {
        let mut stream = cluster
            .js
            .get_stream(vigie::cluster::IN_STREAM)
            .await
            .unwrap();
        stream.info().await.unwrap().state.messages
    });
    assert_eq!(stored, 2, "the event published twice is stored once");
}

#[test]
fn a_stale_commit_is_refused() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let nats = NatsServer::start();
    let rt = rt();
    let cluster = rt
        .block_on(Cluster::connect(
            &cluster_config(&nats.url, "t"),
            Path::new("."),
        ))
        .expect("connect");
    rt.block_on(async {
        // Host A reads, then host B reads and commits: A's view is stale.
        let a = state::load(&cluster.state, "acme").await.unwrap();
        let b = state::load(&cluster.state, "acme").await.unwrap();
        let mut next = b.state.clone();
        next.last_seq = 1;
        next.applied = 1;
        let CommitOutcome::Committed(rev) = state::commit(&cluster.state, b.revision, &next)
            .await
            .unwrap()
        else {
            panic!("the first commit was refused")
        };
        let mut late = a.state.clone();
        late.last_seq = 1;
        late.applied = 1;
        late.digest = "from the host that lost the partition".into();
        assert!(matches!(
            state::commit(&cluster.state, a.revision, &late)
                .await
                .unwrap(),
            CommitOutcome::Refused
        ));
        let now = state::load(&cluster.state, "acme").await.unwrap();
        assert_eq!(now.revision, rev);
        assert_eq!(now.state, next, "the refused write changed nothing");
    });
}

#[test]
fn three_hosts_apply_every_event_once_in_order() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let nats = NatsServer::start();
    let root = tempfile::tempdir().expect("temp dir");
    let hosts: Vec<VigieProcess> = ["a", "b", "c"]
        .iter()
        .map(|h| start_host(root.path(), &nats.url, h))
        .collect();
    let rt = rt();
    let cluster = rt
        .block_on(Cluster::connect(
            &cluster_config(&nats.url, "t"),
            Path::new("."),
        ))
        .expect("connect");
    let plan = plan(120, 2000);
    let started = Instant::now();
    publish_all(&cluster, &rt, &plan);
    wait_done(&cluster, &rt, Duration::from_secs(600));
    let elapsed = started.elapsed();
    let applied = check_exactly_once(&cluster, &rt, &plan);
    println!(
        "3 hosts: {applied} events of {} communities applied once each, in order, in {elapsed:.1?} \
         ({:.0} events/s, debug build)",
        plan.len(),
        applied as f64 / elapsed.as_secs_f64()
    );
    let mut logs = Vec::new();
    for host in hosts {
        logs.push(host.stop());
    }
    for (log, h) in logs.iter().zip(["a", "b", "c"]) {
        assert!(
            log.contains("this host works on partitions"),
            "host {h} never held a partition:\n{log}"
        );
    }
    let dirs: Vec<PathBuf> = ["a", "b", "c"]
        .iter()
        .map(|h| root.path().join(h))
        .collect();
    check_logs(&dirs, 2000, true);
    // One secret key for the whole cluster: the same draw on every host.
    let keys: Vec<Vec<u8>> = dirs
        .iter()
        .map(|d| std::fs::read(d.join("data/secret.key")).expect("secret.key"))
        .collect();
    assert_eq!(keys[0].len(), 32);
    assert!(keys.iter().all(|k| *k == keys[0]), "the hosts' keys differ");
}

#[test]
fn the_hosts_share_one_secret_key_and_a_different_one_is_refused() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let nats = NatsServer::start();
    let root = tempfile::tempdir().expect("temp dir");
    let rt = rt();
    let config = cluster_config(&nats.url, "t");
    let share =
        |dir: &Path| rt.block_on(vigie::cluster::shared_secret(&config, Path::new("."), dir));
    // The first host's own key becomes the cluster's.
    let first = root.path().join("first");
    std::fs::create_dir_all(&first).unwrap();
    std::fs::write(first.join("secret.key"), [7u8; 32]).unwrap();
    share(&first).expect("the first host");
    // A new host takes it and keeps it.
    let second = root.path().join("second");
    share(&second).expect("a new host");
    assert_eq!(std::fs::read(second.join("secret.key")).unwrap(), [7u8; 32]);
    // A host with another key is refused, and its key left alone.
    let other = root.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("secret.key"), [9u8; 32]).unwrap();
    let refused = match share(&other) {
        Ok(_) => panic!("a host with another key joined"),
        Err(e) => format!("{e:#}"),
    };
    assert!(
        refused.contains("secret.key") && refused.contains("not the cluster's"),
        "{refused}"
    );
    assert_eq!(std::fs::read(other.join("secret.key")).unwrap(), [9u8; 32]);
}

#[test]
fn a_killed_host_s_partitions_are_taken_over_without_loss() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let nats = NatsServer::start();
    let root = tempfile::tempdir().expect("temp dir");
    let mut hosts: Vec<Option<VigieProcess>> = ["a", "b", "c"]
        .iter()
        .map(|h| Some(start_host(root.path(), &nats.url, h)))
        .collect();
    let rt = rt();
    let cluster = rt
        .block_on(Cluster::connect(
            &cluster_config(&nats.url, "t"),
            Path::new("."),
        ))
        .expect("connect");
    // Every host holds its partitions before the events come.
    wait_for_partition_holders(&rt, &cluster, 3);
    let plan = plan(120, 2000);
    publish_all(&cluster, &rt, &plan);
    wait_for(
        "a third of the events handled",
        Duration::from_secs(300),
        || (remaining(&cluster, &rt) < 1400).then_some(()),
    );
    let left = remaining(&cluster, &rt);
    hosts[1].take().expect("host b").kill();
    let killed = Instant::now();
    let takeover = wait_for("b's partitions taken over", Duration::from_secs(60), || {
        let holders = rt
            .block_on(vigie::cluster::lease::holders(&cluster.leases, PARTITIONS))
            .ok()?;
        holders
            .iter()
            .all(|h| h.as_deref().is_some_and(|h| h != "b"))
            .then(|| killed.elapsed())
    });
    wait_done(&cluster, &rt, Duration::from_secs(600));
    println!(
        "SIGKILL of host b with {left} events left: its partitions taken over in {takeover:.1?} \
         (lease TTL 3 s); all acked {:.1?} after the kill",
        killed.elapsed()
    );
    let applied = check_exactly_once(&cluster, &rt, &plan);
    assert_eq!(applied, 2000);
    for host in hosts.into_iter().flatten() {
        host.stop();
    }
    let dirs: Vec<PathBuf> = ["a", "b", "c"]
        .iter()
        .map(|h| root.path().join(h))
        .collect();
    let logged = check_logs(&dirs, 2000, false);
    println!(
        "the hosts' local logs hold {logged} of the 2000 (the killed host's last unflushed \
         lines are lost with it; its fenced commits are not)"
    );
}

#[test]
fn a_host_paused_past_its_lease_applies_nothing_twice() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let nats = NatsServer::start();
    let root = tempfile::tempdir().expect("temp dir");
    let hosts: Vec<VigieProcess> = ["a", "b"]
        .iter()
        .map(|h| start_host(root.path(), &nats.url, h))
        .collect();
    let rt = rt();
    let cluster = rt
        .block_on(Cluster::connect(
            &cluster_config(&nats.url, "t"),
            Path::new("."),
        ))
        .expect("connect");
    wait_for_partition_holders(&rt, &cluster, 2);
    let plan = plan(100, 1500);
    publish_all(&cluster, &rt, &plan);
    wait_for("some events handled", Duration::from_secs(300), || {
        (remaining(&cluster, &rt) < 1200).then_some(())
    });
    // Paused mid-stream, past the lease TTL (3 s) and the ack wait (4 s):
    // b takes a's partitions while a still believes it holds them.
    signal(&hosts[0], "-STOP");
    let paused = Instant::now();
    wait_for("a's partitions taken by b", Duration::from_secs(60), || {
        let holders = rt
            .block_on(vigie::cluster::lease::holders(&cluster.leases, PARTITIONS))
            .ok()?;
        holders
            .iter()
            .all(|h| h.as_deref() == Some("b"))
            .then_some(())
    });
    std::thread::sleep(Duration::from_secs(6).saturating_sub(paused.elapsed()));
    signal(&hosts[0], "-CONT");
    wait_done(&cluster, &rt, Duration::from_secs(600));
    let applied = check_exactly_once(&cluster, &rt, &plan);
    assert_eq!(applied, 1500);
    // a comes back and gets its partitions again.
    wait_for(
        "a holding partitions again",
        Duration::from_secs(60),
        || {
            let holders = rt
                .block_on(vigie::cluster::lease::holders(&cluster.leases, PARTITIONS))
                .ok()?;
            holders
                .iter()
                .any(|h| h.as_deref() == Some("a"))
                .then_some(())
        },
    );
    let mut logs = Vec::new();
    for host in hosts {
        logs.push(host.stop());
    }
    let refused = logs[0].matches("commit refused").count();
    println!(
        "host a paused {:.1?} mid-stream: {refused} of its late commit(s) refused, every event \
         applied once",
        paused.elapsed()
    );
    let dirs: Vec<PathBuf> = ["a", "b"].iter().map(|h| root.path().join(h)).collect();
    for (log, h) in logs.iter().zip(["a", "b"]) {
        for line in log
            .lines()
            .filter(|l| l.contains("WARN") || l.contains("ERROR"))
        {
            println!("{h}: {line}");
        }
    }
    let logged = check_logs(&dirs, 1500, false);
    let unknown = logs[0].matches("outcome is unknown").count();
    println!(
        "the hosts' logs hold {logged} of the 1500, none twice ({unknown} commit answer(s) of the \
         paused host lost: found applied or not on redelivery)"
    );
}

#[test]
fn a_chain_longer_than_the_ack_wait_keeps_its_message() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let nats = NatsServer::start();
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("slow");
    std::fs::create_dir_all(&dir).unwrap();
    // The plugin spins on "boom" until its 3.5 s deadline: twice the ack
    // wait of 2 s the chain has to keep its message through.
    std::fs::write(
        dir.join("vigie.toml"),
        format!(
            r#"data_dir = "data"
default_chain = ["slow"]

[plugins.slow]
component = "{}"
grants = ["label"]
limits = {{ cpu_ms = 3500 }}

[cluster]
urls = ["{}"]
host_id = "slow"
partitions = {PARTITIONS}
lease_ttl_secs = 3
ack_wait_secs = 2
"#,
            crate::env::plugin("infinite-loop").display(),
            nats.url
        ),
    )
    .unwrap();
    let mut host = VigieProcess::start(&dir.join("vigie.toml"), "cluster-test");
    host.wait_log("this host works on partitions");
    let rt = rt();
    let cluster = rt
        .block_on(Cluster::connect(
            &cluster_config(&nats.url, "t"),
            Path::new("."),
        ))
        .expect("connect");
    let community = "slowpoke";
    let mut boom = event(community, 1);
    boom.text = "boom".into();
    let after = event(community, 2);
    rt.block_on(async {
        for e in [&boom, &after] {
            cluster.publish_event(e).await.unwrap().await.unwrap();
        }
    });
    wait_done(&cluster, &rt, Duration::from_secs(60));
    let p = vigie::cluster::partition::partition_of(community, PARTITIONS);
    let delivered = rt.block_on(async {
        let stream = cluster
            .js
            .get_stream(vigie::cluster::IN_STREAM)
            .await
            .expect("stream");
        let mut consumer: async_nats::jetstream::consumer::Consumer<
            async_nats::jetstream::consumer::pull::Config,
        > = stream
            .get_consumer(&format!("part-{p}"))
            .await
            .expect("consumer");
        consumer
            .info()
            .await
            .expect("consumer info")
            .delivered
            .consumer_sequence
    });
    let log = host.stop();
    assert_eq!(
        delivered, 2,
        "the slow event was delivered again while its chain ran:\n{log}"
    );
    assert!(
        !log.contains("progress=0"),
        "no progress was sent for the slow event:\n{log}"
    );
    let loaded = rt
        .block_on(state::load(&cluster.state, community))
        .expect("state");
    assert_eq!(loaded.state.applied, 2);
    assert_eq!(loaded.state.digest, expected_digest(community, 2));
}

#[test]
fn a_poison_message_goes_to_dead_letters_and_the_rest_flows() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let nats = NatsServer::start();
    let root = tempfile::tempdir().expect("temp dir");
    let host = start_host(root.path(), &nats.url, "a");
    let rt = rt();
    let cluster = rt
        .block_on(Cluster::connect(
            &cluster_config(&nats.url, "t"),
            Path::new("."),
        ))
        .expect("connect");
    let plan = plan(12, 60);
    // Garbage on the partition of the first community, before its events:
    // it must not hold them up, nor those of any other partition.
    let (first, _) = plan.iter().next().expect("a community");
    let p = vigie::cluster::partition::partition_of(first, PARTITIONS);
    rt.block_on(async {
        cluster
            .js
            .publish(
                vigie::cluster::publish::in_subject(p),
                "{not an event".into(),
            )
            .await
            .expect("publish")
            .await
            .expect("stored");
    });
    publish_all(&cluster, &rt, &plan);
    wait_done(&cluster, &rt, Duration::from_secs(120));
    check_exactly_once(&cluster, &rt, &plan);
    let dead = rt.block_on(async {
        let mut stream = cluster
            .js
            .get_stream(vigie::cluster::DEAD_STREAM)
            .await
            .expect("dead-letter stream");
        let messages = stream.info().await.expect("info").state.messages;
        let first = stream.get_raw_message(1).await.expect("the dead letter");
        (messages, first)
    });
    let log = host.stop();
    assert_eq!(dead.0, 1, "one dead letter:\n{log}");
    assert_eq!(&dead.1.payload[..], b"{not an event");
    assert!(
        log.contains("not an event"),
        "the host's log says why:\n{log}"
    );
}

/// The server that leads `stream`'s group (the one that orders its
/// writes); `None` while it has none or the servers do not answer.
fn stream_leader(cluster: &Cluster, rt: &tokio::runtime::Runtime, stream: &str) -> Option<String> {
    rt.block_on(async {
        let mut stream = cluster.js.get_stream(stream).await.ok()?;
        stream.info().await.ok()?.cluster.clone()?.leader
    })
}

#[test]
fn killing_the_nats_stream_leader_loses_nothing_and_keeps_order() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let mut nats = NatsCluster::start();
    let urls = nats.urls();
    let root = tempfile::tempdir().expect("temp dir");
    // Every host is given the three servers: its client reconnects to
    // another when the one it talks to goes.
    let hosts: Vec<VigieProcess> = ["a", "b", "c"]
        .iter()
        .map(|h| start_host_with(root.path(), &urls, h, "replicas = 3"))
        .collect();
    let rt = rt();
    let cluster = rt
        .block_on(Cluster::connect(
            &cluster_config_of(&urls, "t", 3),
            Path::new("."),
        ))
        .expect("connect");
    rt.block_on(async {
        for name in [
            vigie::cluster::IN_STREAM,
            vigie::cluster::OUT_STREAM,
            vigie::cluster::DEAD_STREAM,
            "KV_vigie-state",
            "KV_vigie-leases",
        ] {
            let mut stream = cluster.js.get_stream(name).await.expect(name);
            let info = stream.info().await.expect("stream info");
            assert_eq!(info.config.num_replicas, 3, "{name} is not on the three");
        }
    });
    wait_for_partition_holders(&rt, &cluster, 3);
    let first = plan(60, 1200);
    publish_all(&cluster, &rt, &first);
    wait_for(
        "a third of the events handled",
        Duration::from_secs(120),
        || (try_remaining(&cluster, &rt)? < 800).then_some(()),
    );
    let leader = wait_for("a leader of VIGIE_IN", Duration::from_secs(30), || {
        stream_leader(&cluster, &rt, vigie::cluster::IN_STREAM)
    });
    let state_leader = stream_leader(&cluster, &rt, "KV_vigie-state");
    let left = remaining(&cluster, &rt);
    nats.node_mut(&leader)
        .expect("the leader is one of the three")
        .kill();
    let killed = Instant::now();
    let killed_at = std::time::SystemTime::now();
    // The test's own questions time out fast: what is measured is the
    // servers' and the hosts' recovery, not the client's 5 s timeout.
    let mut probe = cluster.clone();
    probe.js.set_timeout(Duration::from_millis(500));
    let new_leader = wait_for("a new leader of VIGIE_IN", Duration::from_secs(60), || {
        stream_leader(&probe, &rt, vigie::cluster::IN_STREAM).filter(|l| *l != leader)
    });
    let elected = nats
        .nodes
        .iter()
        .find(|n| n.name == new_leader)
        .and_then(|n| n.logged_at("new stream leader for '$G > VIGIE_IN'", killed_at))
        .and_then(|at| at.duration_since(killed_at).ok());
    // Flowing again: fewer events left than at the first answer after the
    // kill.
    let at_first_answer = wait_for("the consumers answering", Duration::from_secs(60), || {
        try_remaining(&probe, &rt)
    });
    let flowing = wait_for(
        "events acked after the kill",
        Duration::from_secs(60),
        || {
            let now = try_remaining(&probe, &rt)?;
            (now < at_first_answer || now == 0).then(|| killed.elapsed())
        },
    );
    // New events go to the new leader, after those of before the kill.
    let all: BTreeMap<String, usize> = first.iter().map(|(c, n)| (c.clone(), n + 5)).collect();
    publish_after(&cluster, &rt, &all, &first);
    wait_done(&cluster, &rt, Duration::from_secs(120));
    let done = killed.elapsed();
    let applied = check_exactly_once(&cluster, &rt, &all);
    assert_eq!(applied, 1500);
    println!(
        "NATS server {leader}, leader of VIGIE_IN (vigie-state's leader: {}), SIGKILLed with \
         {left} of 1200 events left: {new_leader} elected leader of VIGIE_IN {} after the kill \
         (its log), events acked again {flowing:.1?} after the kill; 300 more published to the \
         new leader; all 1500 applied once each in order, the last acked {done:.1?} after the kill",
        state_leader.as_deref().unwrap_or("unknown"),
        elected.map_or("(not found in the log)".to_string(), |e| format!("{e:.1?}"))
    );
    // The killed server comes back on its store and catches up: every
    // stream and bucket has it as a current replica again.
    nats.node_mut(&leader).expect("the killed server").restart();
    let restarted = Instant::now();
    let caught_up = wait_for(
        "the killed server current again",
        Duration::from_secs(60),
        || {
            for name in [
                vigie::cluster::IN_STREAM,
                vigie::cluster::OUT_STREAM,
                "KV_vigie-state",
                "KV_vigie-leases",
            ] {
                let info = rt.block_on(async {
                    let mut stream = probe.js.get_stream(name).await.ok()?;
                    stream.info().await.ok().map(|i| i.cluster.clone())
                })??;
                let back = info.leader.as_deref() == Some(leader.as_str())
                    || info
                        .replicas
                        .iter()
                        .any(|r| r.name == leader && r.current && !r.offline);
                if !back {
                    return None;
                }
            }
            Some(restarted.elapsed())
        },
    );
    println!(
        "{leader} started again: a current replica of the streams and buckets again \
         {caught_up:.1?} later"
    );
    let mut logs = Vec::new();
    for host in hosts {
        logs.push(host.stop());
    }
    for (log, h) in logs.iter().zip(["a", "b", "c"]) {
        let warnings = log.lines().filter(|l| l.contains("WARN")).count();
        let refused = log.matches("commit refused").count();
        println!("host {h}: {warnings} warning(s) while the servers failed over, {refused} refused commit(s)");
    }
    let dirs: Vec<PathBuf> = ["a", "b", "c"]
        .iter()
        .map(|h| root.path().join(h))
        .collect();
    let logged = check_logs(&dirs, 1500, false);
    println!(
        "the hosts' logs hold {logged} of the 1500, none twice (a commit whose answer was lost \
         in the failover is found applied on redelivery and not logged again)"
    );
}

/// The communities of the crash-point tests, each with a webhook
/// connector of its own (no URL: carrying an action out records it in the
/// audit), so that their actions go through `VIGIE_OUT` and the outbox.
const CRASH_COMMUNITIES: [&str; 3] = ["crash.a", "crash b >", "crash/c"];
const CRASH_EVENTS: usize = 12;

/// A host whose only plugin deletes every event of the crash tests and
/// warns its author: two actions per event, known in advance.
fn crash_host_dir(root: &Path, url: &str) -> PathBuf {
    let dir = root.join("a");
    std::fs::create_dir_all(&dir).expect("host dir");
    let mut connectors = String::new();
    for (i, c) in CRASH_COMMUNITIES.iter().enumerate() {
        connectors.push_str(&format!(
            "[[connectors]]\ntype = \"webhook\"\nname = \"hook-{i}\"\ncommunity = {c:?}\n\
             secret = \"env:VIGIE_TEST_SECRET\"\nrate = {{ per_second = 1000.0, burst = 1000, \
             channel_per_second = 1000.0, channel_burst = 1000 }}\n\n"
        ));
    }
    std::fs::write(
        dir.join("vigie.toml"),
        format!(
            r#"data_dir = "data"
default_chain = ["filter"]

[plugins.filter]
component = "builtin:keyword-filter"
grants = ["delete", "dm"]

{connectors}[cluster]
urls = ["{url}"]
host_id = "a"
partitions = {PARTITIONS}
lease_ttl_secs = 3
ack_wait_secs = 4
"#
        ),
    )
    .expect("write vigie.toml");
    dir
}

/// Each crash-test event holds a listed word: deleted, its author warned.
fn spam_event(c: &str, n: usize) -> Event {
    let mut e = event(c, n);
    e.text = format!("buy spam number {n}");
    e
}

/// The keys of the actions the crash tests' events must give, each once.
fn expected_action_keys() -> std::collections::BTreeSet<String> {
    let mut keys = std::collections::BTreeSet::new();
    for c in CRASH_COMMUNITIES {
        for n in 1..=CRASH_EVENTS {
            for index in 0..2 {
                keys.insert(vigie::store::OutboxEntry::key_for(
                    c,
                    &format!("{c}#{n}"),
                    "filter",
                    index,
                ));
            }
        }
    }
    keys
}

/// The action keys `VIGIE_OUT` holds, in the order stored (a key there
/// twice would be an action published twice).
fn published_action_keys(cluster: &Cluster, rt: &tokio::runtime::Runtime) -> Vec<String> {
    rt.block_on(async {
        let mut stream = cluster
            .js
            .get_stream(vigie::cluster::OUT_STREAM)
            .await
            .expect("VIGIE_OUT");
        let state = stream.info().await.expect("info").state.clone();
        let mut keys = Vec::new();
        for seq in state.first_sequence..=state.last_sequence {
            if state.messages == 0 {
                break;
            }
            let message = stream.get_raw_message(seq).await.expect("an action");
            let entry: vigie::store::OutboxEntry =
                serde_json::from_slice(&message.payload).expect("an outbox entry");
            keys.push(entry.key);
        }
        keys
    })
}

/// Aborts the host at `point` the `nth` time it gets there, restarts it,
/// and checks: every event applied once in order, every action published
/// once to `VIGIE_OUT` and carried out once (the audit).
///
/// `found_handled`: the crash left an event committed but not acked, so
/// the restarted host must find it applied (and publish its actions
/// again) instead of running it.
fn crash_and_restart(point: &str, nth: u32, found_handled: bool) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let nats = NatsServer::start();
    let root = tempfile::tempdir().expect("temp dir");
    let dir = crash_host_dir(root.path(), &nats.url);
    let config = dir.join("vigie.toml");
    let crash = format!("{point}:{nth}");
    let mut host = VigieProcess::start_with_env(
        &config,
        "cluster-test",
        &[(vigie::cluster::crash::CRASH_VAR, crash.as_str())],
    );
    host.wait_log("this host works on partitions");
    let rt = rt();
    let cluster = rt
        .block_on(Cluster::connect(
            &cluster_config(&nats.url, "t"),
            Path::new("."),
        ))
        .expect("connect");
    rt.block_on(async {
        for n in 1..=CRASH_EVENTS {
            for c in CRASH_COMMUNITIES {
                let ack = cluster.publish_event(&spam_event(c, n)).await;
                ack.expect("publish").await.expect("stored");
            }
        }
    });
    let status = host
        .wait_exit(Duration::from_secs(60))
        .unwrap_or_else(|| panic!("the host did not crash at {crash}:\n{}", host.log()));
    let crashed_log = host.log();
    assert!(
        !status.success() && crashed_log.contains(&format!("crash point {point} reached")),
        "the host ended otherwise ({status}):\n{crashed_log}"
    );
    let crashed = Instant::now();
    drop(host);
    let mut host = VigieProcess::start(&config, "cluster-test");
    host.wait_log("this host works on partitions");
    wait_done(&cluster, &rt, Duration::from_secs(60));
    let expected = expected_action_keys();
    // Carried out: the audit, asked of the running host. An action lost
    // is missing from it for good: wait a while, then say which.
    let deadline = Instant::now() + Duration::from_secs(30);
    let audited = loop {
        let records = crate::process::records("audit", &dir.join("data"));
        if records.len() >= expected.len() || Instant::now() > deadline {
            break records;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let recovered = crashed.elapsed();
    let log = host.stop();
    for c in CRASH_COMMUNITIES {
        let loaded = rt.block_on(state::load(&cluster.state, c)).expect("state");
        assert_eq!(loaded.state.applied, CRASH_EVENTS as u64, "`{c}`");
        assert_eq!(
            loaded.state.digest,
            expected_digest(c, CRASH_EVENTS),
            "`{c}`: not each event once in order"
        );
    }
    let published = published_action_keys(&cluster, &rt);
    let unique: std::collections::BTreeSet<String> = published.iter().cloned().collect();
    assert_eq!(
        unique.len(),
        published.len(),
        "an action was published twice"
    );
    assert_eq!(unique, expected, "VIGIE_OUT does not hold every action");
    let mut executed = std::collections::BTreeSet::new();
    for record in &audited {
        let key = record["key"].as_str().expect("an audit key").to_string();
        assert!(
            executed.insert(key.clone()),
            "action {key} carried out twice:\n{log}"
        );
    }
    let lost: Vec<&String> = expected.difference(&executed).collect();
    assert!(
        lost.is_empty(),
        "{} of the {} actions never carried out (lost): {lost:?}",
        lost.len(),
        expected.len()
    );
    assert_eq!(executed, expected, "the audit holds other actions");
    let redelivered_done: u64 = log
        .split("redelivered_done=")
        .nth(1)
        .and_then(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .unwrap_or_else(|| panic!("no stop counters in the log:\n{log}"));
    if found_handled {
        assert!(
            redelivered_done >= 1,
            "the crashed event was not found applied on restart:\n{log}"
        );
    }
    println!(
        "crash at {point} (time {nth}): restarted, the {} events applied once each in order \
         ({redelivered_done} found applied on redelivery, not run again), the {} actions \
         published once and carried out once, {recovered:.1?} from the crash",
        CRASH_COMMUNITIES.len() * CRASH_EVENTS,
        expected.len()
    );
}

#[test]
fn a_crash_after_the_state_commit_loses_nothing_and_doubles_nothing() {
    crash_and_restart("after-commit", 14, true);
}

#[test]
fn a_crash_after_publishing_the_actions_before_the_ack_loses_nothing_and_doubles_nothing() {
    crash_and_restart("after-publish", 20, true);
}

#[test]
fn a_crash_before_an_action_s_ack_carries_it_out_once() {
    crash_and_restart("before-action-ack", 9, false);
}

#[test]
fn a_crash_after_an_action_s_ack_does_not_lose_it() {
    crash_and_restart("after-action-ack", 30, false);
}

/// A host whose one plugin `p` is the probe test plugin, from a file of
/// its own directory (the version every host starts with), every action
/// also written to `actions.jsonl` (which version decided it: its
/// `plugin_hash`).
fn probe_host_dir(root: &Path, url: &str, host: &str) -> PathBuf {
    let dir = root.join(host);
    std::fs::create_dir_all(&dir).expect("host dir");
    std::fs::copy(crate::env::plugin("probe"), dir.join("p.wasm")).expect("copy probe");
    std::fs::write(
        dir.join("vigie.toml"),
        format!(
            r#"data_dir = "data"
default_chain = ["p"]

[plugins.p]
component = "p.wasm"
grants = ["reply"]
config = {{ name = "p" }}

[[sinks]]
type = "jsonl"
path = "actions.jsonl"

[cluster]
urls = ["{url}"]
host_id = "{host}"
partitions = {PARTITIONS}
lease_ttl_secs = 3
ack_wait_secs = 4
"#
        ),
    )
    .expect("write vigie.toml");
    dir
}

/// The `n`-th event of `c`, counted by the probe (`count=N` replies).
fn counted_event(c: &str, n: usize) -> Event {
    let mut e = event(c, n);
    e.text = "*:count n".into();
    e
}

/// `vigie cluster publish --config CONFIG p FILE`, with `--no-check` when
/// `check` is false (the hosts' own checks are under test).
fn publish_plugin(config: &Path, file: &Path, check: bool) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["cluster", "publish", "--config"])
        .arg(config)
        .arg("p")
        .arg(file)
        .args(if check { None } else { Some("--no-check") })
        .output()
        .expect("run vigie cluster publish");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "vigie cluster publish failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Waits until every host's log holds `pattern`; how long each took.
fn wait_logs(hosts: &[&VigieProcess], pattern: &str, timeout: Duration) -> Vec<Duration> {
    let started = Instant::now();
    let mut seen: Vec<Option<Duration>> = vec![None; hosts.len()];
    while seen.iter().any(Option::is_none) {
        for (i, host) in hosts.iter().enumerate() {
            if seen[i].is_none() && host.log().contains(pattern) {
                seen[i] = Some(started.elapsed());
            }
        }
        assert!(
            started.elapsed() < timeout,
            "not every host logged `{pattern}`:\n{}",
            hosts
                .iter()
                .map(|h| h.log())
                .collect::<Vec<_>>()
                .join("\n----\n")
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    seen.into_iter().flatten().collect()
}

/// Publishes events `from..=to` of every community, interleaved.
fn publish_counted(
    cluster: &Cluster,
    rt: &tokio::runtime::Runtime,
    communities: &[String],
    from: usize,
    to: usize,
) {
    rt.block_on(async {
        let mut acks = Vec::new();
        for n in from..=to {
            for c in communities {
                acks.push(
                    cluster
                        .publish_event(&counted_event(c, n))
                        .await
                        .expect("publish"),
                );
            }
        }
        for ack in acks {
            ack.await.expect("stored");
        }
    });
}

/// Each host's actions: (host, event number, plugin hash, reply text).
fn host_actions(dirs: &[PathBuf]) -> Vec<(String, usize, String, String)> {
    let mut all = Vec::new();
    for dir in dirs {
        let host = dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let text = std::fs::read_to_string(dir.join("actions.jsonl")).unwrap_or_default();
        for line in text.lines() {
            let action: vigie::DecidedAction = serde_json::from_str(line).expect("action line");
            let n = action
                .event_id
                .as_deref()
                .and_then(|id| id.rsplit_once('#'))
                .and_then(|(_, n)| n.parse().ok())
                .expect("event number");
            let reply = match &action.action {
                vigie::Action::Reply { text, .. } => text.clone(),
                other => panic!("unexpected action {other:?}"),
            };
            all.push((host.clone(), n, action.by.plugin_hash, reply));
        }
    }
    all
}

#[test]
fn a_plugin_version_published_once_serves_on_every_host_and_a_broken_one_on_none() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let nats = NatsServer::start();
    let root = tempfile::tempdir().expect("temp dir");
    let dirs: Vec<PathBuf> = ["a", "b", "c"]
        .iter()
        .map(|h| probe_host_dir(root.path(), &nats.url, h))
        .collect();
    let start = |dir: &Path| {
        let mut process = VigieProcess::start(&dir.join("vigie.toml"), "cluster-test");
        process.wait_log("following the plugin versions published");
        process
    };
    let (a, b) = (start(&dirs[0]), start(&dirs[1]));
    let rt = rt();
    let cluster = rt
        .block_on(Cluster::connect(
            &cluster_config(&nats.url, "t"),
            Path::new("."),
        ))
        .expect("connect");
    let holders_are = |count: usize| wait_for_partition_holders(&rt, &cluster, count);
    holders_are(2);
    let communities: Vec<String> = (0..24).map(community).collect();
    let original = std::fs::read(crate::env::plugin("probe")).expect("probe");
    let v0 = vigie::runtime::hash_hex(&original);

    // 1. Every host runs its own file.
    publish_counted(&cluster, &rt, &communities, 1, 5);
    wait_done(&cluster, &rt, Duration::from_secs(60));

    // 2. A new version, published once: every host checks it and runs it.
    let next = crate::reload::variant(&original, "cluster-v1");
    let v1 = vigie::runtime::hash_hex(&next);
    let next_file = root.path().join("p-v1.wasm");
    std::fs::write(&next_file, &next).expect("write v1");
    let command = Instant::now();
    let said = publish_plugin(&dirs[0].join("vigie.toml"), &next_file, true);
    let command = command.elapsed();
    assert!(said.contains(&v1) && said.contains("checked: "), "{said}");
    let serving = format!("published to the cluster ({}) serves", &v1[..12]);
    let took = wait_logs(&[&a, &b], &serving, Duration::from_secs(30));
    println!(
        "v1 published (`vigie cluster publish` took {command:?}); from its end: serving on host a \
         after {:?}, on host b after {:?}",
        took[0], took[1]
    );
    publish_counted(&cluster, &rt, &communities, 6, 10);
    wait_done(&cluster, &rt, Duration::from_secs(60));

    // 3. A host started after the publish starts on the published version.
    let c = start(&dirs[2]);
    assert!(
        c.log().contains(&format!(
            "starting on the version published to the cluster ({})",
            &v1[..12]
        )),
        "{}",
        c.log()
    );
    holders_are(3);

    // 4. A broken version: refused by every host, v1 keeps serving.
    let broken_file = root.path().join("p-broken.wasm");
    std::fs::write(&broken_file, &original[..original.len() / 2]).expect("write broken");
    let broken = vigie::runtime::hash_hex(&original[..original.len() / 2]);
    // Checked first, the command refuses it and publishes nothing.
    let refused_here = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["cluster", "publish", "--config"])
        .arg(dirs[0].join("vigie.toml"))
        .arg("p")
        .arg(&broken_file)
        .output()
        .expect("run vigie cluster publish");
    let stderr = String::from_utf8_lossy(&refused_here.stderr);
    assert!(
        !refused_here.status.success() && stderr.contains("not published"),
        "{stderr}"
    );
    publish_plugin(&dirs[0].join("vigie.toml"), &broken_file, false);
    let refused = format!("published to the cluster ({}) was refused", &broken[..12]);
    let took = wait_logs(&[&a, &b, &c], &refused, Duration::from_secs(30));
    println!("broken version published: refused by hosts a, b, c after {took:?}");
    // A sound component that refuses this entry's config (automod knows no
    // `name`): refused at `configure`, v1 keeps serving.
    let foreign = std::fs::read(crate::env::plugin("automod")).expect("automod");
    let foreign_hash = vigie::runtime::hash_hex(&foreign);
    publish_plugin(
        &dirs[0].join("vigie.toml"),
        &crate::env::plugin("automod"),
        false,
    );
    let refused_config = format!(
        "published to the cluster ({}) was refused",
        &foreign_hash[..12]
    );
    let took = wait_logs(&[&a, &b, &c], &refused_config, Duration::from_secs(30));
    println!("a component refusing the config published: refused by hosts a, b, c after {took:?}");
    publish_counted(&cluster, &rt, &communities, 11, 15);
    wait_done(&cluster, &rt, Duration::from_secs(60));

    // 5. Unpublished: every host goes back to its own file.
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["cluster", "unpublish", "--config"])
        .arg(dirs[0].join("vigie.toml"))
        .arg("p")
        .output()
        .expect("run vigie cluster unpublish");
    assert!(out.status.success(), "{out:?}");
    let took = wait_logs(
        &[&a, &b, &c],
        "its published version was removed; the component file of its entry serves",
        Duration::from_secs(30),
    );
    println!("unpublished: hosts a, b, c back on their file after {took:?}");
    publish_counted(&cluster, &rt, &communities, 16, 20);
    wait_done(&cluster, &rt, Duration::from_secs(60));

    // Every event once, in order, the probe's count carried across versions.
    let plan: BTreeMap<String, usize> = communities.iter().map(|c| (c.clone(), 20)).collect();
    check_exactly_once(&cluster, &rt, &plan);
    let logs: Vec<String> = [a, b, c].into_iter().map(VigieProcess::stop).collect();
    let actions = host_actions(&dirs);
    assert_eq!(actions.len(), communities.len() * 20, "one reply per event");
    for (host, n, hash, reply) in &actions {
        let expected = if *n <= 5 || *n > 15 { &v0 } else { &v1 };
        assert_eq!(
            hash, expected,
            "host {host}, event {n}: decided by {hash}, expected {expected}"
        );
        // The probe's count, kept in the fenced state, goes on across
        // versions and hosts.
        assert_eq!(*reply, format!("count={n}"), "host {host}");
    }
    // Each host handled events after each publish: the checks above are
    // about every host, not one.
    for (host, phase) in [("a", 6..=10), ("b", 6..=10), ("a", 11..=15), ("b", 11..=15)]
        .into_iter()
        .chain([
            ("c", 11..=15),
            ("a", 16..=20),
            ("b", 16..=20),
            ("c", 16..=20),
        ])
    {
        assert!(
            actions
                .iter()
                .any(|(h, n, _, _)| h == host && phase.contains(n)),
            "host {host} handled none of events {phase:?}"
        );
    }
    for (log, host) in logs.iter().zip(["a", "b", "c"]) {
        // The refusal names the published version, not the local file.
        assert!(
            log.contains(&format!("cluster:vigie-plugins/p@{}", &broken[..12])),
            "host {host}:\n{log}"
        );
        let configure = log
            .lines()
            .find(|l| l.contains(&format!("cluster:vigie-plugins/p@{}", &foreign_hash[..12])))
            .unwrap_or_default();
        assert!(
            configure.contains("unknown field"),
            "host {host}: {configure}"
        );
    }
}
