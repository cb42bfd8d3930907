//! `vigie bench`: events per second through a chain of plugins on one core
//! (plugins alone, one event per call and batched; and end to end with the
//! store), and the cost of a fresh instance. With `--communities N`, many
//! communities on one host instead ([`communities`]); with
//! `--report-events N`, `vigie report` over a recorded log of N events
//! ([`report`]). Prints figures; asserts nothing.

mod cluster;
mod communities;
mod report;

use anyhow::Result;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use vigie::action::ActionKind;
use vigie::chain::Chain;
use vigie::config::PluginEntry;
use vigie::runtime::{InstanceSetup, KvCarry};
use vigie::stats::Stats;
use vigie::store::Commit;
use vigie::{
    builtin, pipeline, CollectExecutor, Event, Limits, Runtime, Secret, SledStore, Source, Store,
    Vigie,
};

#[derive(clap::Args)]
pub struct BenchArgs {
    /// How many events to push through the chain.
    #[arg(long, default_value_t = 50_000)]
    events: usize,
    /// How many plugins in the chain (copies of the same component).
    #[arg(long, default_value_t = 4)]
    chain: usize,
    /// The plugin component to chain.
    #[arg(long, default_value = "builtin:keyword-filter")]
    plugin: String,
    /// Events per plugin call when batching.
    #[arg(long, default_value_t = 64)]
    batch_size: usize,
    /// Fresh instances to create for the instantiation figure.
    #[arg(long, default_value_t = 2_000)]
    instances: usize,
    /// Measure only the batched chain (for profiling).
    #[arg(long)]
    only_batched: bool,
    /// Many communities instead: this many, each with
    /// --events-per-community interleaved events, through the demo's four
    /// plugins (--chain, --plugin and --batch-size are then unused).
    #[arg(long)]
    communities: Option<usize>,
    /// With --communities: events per community.
    #[arg(long, default_value_t = 5, requires = "communities")]
    events_per_community: usize,
    /// With --communities: distinct FAQ configs (brands) among them.
    #[arg(long, default_value_t = 100, requires = "communities")]
    faq_configs: usize,
    /// With --communities: `runtime.memory_budget_mib` (default: the
    /// config default).
    #[arg(long, requires = "communities")]
    memory_budget_mib: Option<u64>,
    /// With --communities: `runtime.max_instances` (default: the config
    /// default).
    #[arg(long, requires = "communities")]
    max_instances: Option<u32>,
    /// `vigie report` instead: record this many events of a month (20
    /// communities, with the demo plugins' decisions) in a fresh store,
    /// then time the real command over it (1 000 000 is the goal's size).
    #[arg(long, conflicts_with = "communities")]
    report_events: Option<usize>,
    /// With --report-events: record into this data directory and keep it
    /// (for profiling `vigie report` on it), instead of a temporary one.
    /// It must not exist yet.
    #[arg(long, requires = "report_events")]
    report_dir: Option<std::path::PathBuf>,
    /// The cluster instead: real `vigie run` hosts joining the NATS server
    /// at this URL (a scratch one: Vigie's streams and buckets there are
    /// deleted), 1, 2 and 3 of them in turn; events/s and latency from
    /// publish to commit, against one host without a cluster.
    #[arg(long, conflicts_with_all = ["communities", "report_events"])]
    cluster_url: Option<String>,
    /// With --cluster-url: the host counts to measure.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1,2,3",
        requires = "cluster_url"
    )]
    cluster_hosts: Vec<usize>,
    /// With --cluster-url: events published per round.
    #[arg(long, default_value_t = 6_000, requires = "cluster_url")]
    cluster_events: usize,
    /// With --cluster-url: communities the events are spread over.
    #[arg(long, default_value_t = 60, requires = "cluster_url")]
    cluster_communities: usize,
    /// With --cluster-url: publish this many events per second (latency at
    /// a load the hosts keep up with); 0, the default: as fast as the
    /// server takes them (throughput).
    #[arg(long, default_value_t = 0.0, requires = "cluster_url")]
    cluster_rate: f64,
    /// With --cluster-url: delete Vigie's streams and buckets on the server
    /// even when they hold data.
    #[arg(long, requires = "cluster_url")]
    wipe: bool,
}

/// The demo's events, repeated with fresh ids into one community.
fn events(n: usize) -> Result<Vec<Event>> {
    let demo: Vec<Event> = builtin::DEMO_EVENTS
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(Event::from_json_line)
        .collect::<Result<_, _>>()?;
    Ok((0..n)
        .map(|i| {
            let mut e = demo[i % demo.len()].clone();
            e.id = format!("bench-{i}");
            e.community = "bench".into();
            e.timestamp += Duration::from_millis(i as u64);
            e
        })
        .collect())
}

pub fn run(args: BenchArgs) -> Result<()> {
    if let Some(url) = args.cluster_url {
        return cluster::run(cluster::Options {
            url,
            hosts: args.cluster_hosts,
            events: args.cluster_events,
            communities: args.cluster_communities,
            rate: args.cluster_rate,
            wipe: args.wipe,
        });
    }
    if let Some(n) = args.report_events {
        return report::run(n, args.report_dir);
    }
    if let Some(n) = args.communities {
        return communities::run(communities::Options {
            communities: n,
            events_per_community: args.events_per_community,
            faq_configs: args.faq_configs,
            memory_budget_mib: args.memory_budget_mib,
            max_instances: args.max_instances,
        });
    }
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary()?);
    let secret = Arc::new(Secret::random());
    let runtime = Runtime::builder().max_instances(256).build()?;
    let defs: Vec<_> = (0..args.chain.max(1))
        .map(|i| {
            let entry = PluginEntry {
                name: format!("p{i}"),
                component: args.plugin.clone(),
                grants: ActionKind::ALL.into_iter().collect::<BTreeSet<_>>(),
                config_json: "{}".into(),
                limits: Limits::default(),
                shadow: false,
                replaces: None,
                overridden: false,
                review: Default::default(),
            };
            pipeline::load_entry(&runtime, entry, store.clone(), secret.clone()).map(Arc::new)
        })
        .collect::<Result<_>>()?;
    let events = events(args.events)?;
    println!(
        "vigie bench: {} events through a chain of {} × {} (one core)",
        events.len(),
        defs.len(),
        args.plugin
    );

    // Plugins alone: the chain without the store, as the community task runs it.
    let mut per_call = None;
    let batch_sizes = if args.only_batched {
        vec![args.batch_size.max(1)]
    } else {
        vec![1, args.batch_size.max(1)]
    };
    for batch in batch_sizes {
        let stats = Stats::default();
        // Each run starts from an empty store and commits plugin state after
        // every call, as the community task does.
        let run_store: Arc<dyn Store> = Arc::new(SledStore::temporary()?);
        let mut chain = Chain::new("bench", defs.clone(), run_store.clone(), secret.clone());
        chain.handle(&events[..batch.min(events.len())], &stats)?; // warm up
        let start = Instant::now();
        let mut actions = 0;
        for chunk in events.chunks(batch) {
            actions += chain
                .handle(chunk, &stats)?
                .iter()
                .map(Vec::len)
                .sum::<usize>();
            run_store.commit(Commit {
                kv: chain.take_kv_writes(),
                ..Commit::default()
            })?;
        }
        let elapsed = start.elapsed();
        let rate = events.len() as f64 / elapsed.as_secs_f64();
        let ratio = per_call
            .map(|base: f64| format!(" ({:.2}× one-per-call)", rate / base))
            .unwrap_or_default();
        per_call.get_or_insert(rate);
        println!(
            "  chain, batch {batch:>3}: {:>10.0} events/s, {:>6.2} µs/event, {:>5.2} µs per plugin call-event, {} actions{ratio}",
            rate,
            elapsed.as_secs_f64() * 1e6 / events.len() as f64,
            elapsed.as_secs_f64() * 1e6 / (events.len() * defs.len()) as f64,
            actions
        );
    }

    // End to end: source → router → community task → store commit → executor.
    let path = tempfile::NamedTempFile::new()?;
    {
        use std::io::Write;
        let mut w = std::io::BufWriter::new(path.as_file());
        for e in &events {
            serde_json::to_writer(&mut w, e)?;
            w.write_all(b"\n")?;
        }
    }
    let host = Vigie::builder()
        .batch_size(args.batch_size)
        .store(Arc::new(SledStore::temporary()?))
        .build_with_chain(defs.clone())?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let start = Instant::now();
    let summary = rt.block_on(host.run(
        vec![Box::new(vigie::JsonLinesSource::new(path.path())) as Box<dyn Source>],
        Box::new(CollectExecutor::default()),
    ))?;
    let elapsed = start.elapsed();
    println!(
        "  end to end (JSONL in, sled commit, actions out): {:>10.0} events/s ({} handled, {} actions)",
        summary.events_handled as f64 / elapsed.as_secs_f64(),
        summary.events_handled,
        summary.total_actions()
    );

    // Fresh instances from InstancePre with the pooling allocator.
    let setup = InstanceSetup {
        plugin: "p0".into(),
        community: "bench".into(),
        limits: Limits::default(),
        store: store.clone(),
        secret: secret.clone(),
    };
    let loaded = &defs[0].loaded;
    let n = args.instances.max(1);
    let start = Instant::now();
    for _ in 0..n {
        drop(loaded.instantiate(&setup, &mut KvCarry::default())?);
    }
    let instantiate = start.elapsed().as_secs_f64() * 1e6 / n as f64;
    let start = Instant::now();
    for _ in 0..n {
        let mut instance = loaded.instantiate(&setup, &mut KvCarry::default())?;
        instance
            .configure("{}")
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let with_configure = start.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!("  fresh instance: {instantiate:.1} µs (instantiate), {with_configure:.1} µs (instantiate + configure)");
    Ok(())
}
