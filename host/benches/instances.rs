//! What one plugin instance costs, for each plugin of the demo: making it
//! from its configured snapshot, its first event, a second event, and
//! dropping it. Each plugin gets 300
//! instances (one per community) kept alive, then dropped, twice: the
//! second round finds the pool slots the first one used (reset in place,
//! see docs/tenancy.md).
//!
//! `cargo bench -p vigie --bench instances [-- INSTANCES]` (default 300).

use anyhow::{anyhow, Result};
use std::sync::Arc;
use std::time::{Duration, Instant};
use vigie::runtime::{EventView, InstanceSetup, KvCarry};
use vigie::{builtin, pipeline, Config, Event, Runtime, Secret, SledStore, Store};

/// The allocator of the `vigie` binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn per(total: Duration, n: usize) -> u128 {
    total.as_micros() / n.max(1) as u128
}

fn main() -> Result<()> {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(300);
    let dir = tempfile::tempdir()?;
    for (name, text) in builtin::DEMO_FILES {
        std::fs::write(dir.path().join(name), text)?;
    }
    let config = Config::load(&dir.path().join("vigie.toml"))?;
    let runtime = Runtime::builder()
        .max_instances(u32::try_from(n * 8)?)
        .build()?;
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary()?);
    let secret = Arc::new(Secret::random());
    let demo: Vec<Event> = builtin::DEMO_EVENTS
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(Event::from_json_line)
        .collect::<Result<_, _>>()?;
    let event_for = |i: usize, community: &str| {
        let mut event = demo[i % demo.len()].clone();
        event.community = community.to_string();
        event
    };
    println!("{n} instances of each plugin, kept alive, then dropped; twice (µs per instance)");
    for plugin in ["automod", "sentiment", "faq", "giveaway"] {
        let entry = config.plugin_entry(plugin)?;
        let def = pipeline::load_entry(&runtime, entry, store.clone(), secret.clone())?;
        for round in ["new slots", "slots reused"] {
            let mut live = Vec::with_capacity(n);
            let (mut make, mut first, mut second) =
                (Duration::ZERO, Duration::ZERO, Duration::ZERO);
            for i in 0..n {
                let community = format!("c{i}");
                let setup = InstanceSetup {
                    plugin: plugin.into(),
                    community: community.clone(),
                    limits: def.entry.limits.clone(),
                    store: store.clone(),
                    secret: secret.clone(),
                };
                let started = Instant::now();
                let mut instance = def
                    .new_instance(&setup, &mut KvCarry::default())
                    .map_err(|e| anyhow!("{plugin}: {e}"))?;
                make += started.elapsed();
                for (k, took) in [(0, &mut first), (1, &mut second)] {
                    let event = event_for(i + k, &community);
                    let started = Instant::now();
                    instance
                        .handle(EventView {
                            event: &event,
                            labels: &[],
                            earlier_actions: &[],
                        })
                        .map_err(|e| anyhow!("{plugin}: {e}"))?;
                    *took += started.elapsed();
                }
                live.push(instance);
            }
            let linear = live.first().map_or(0, |i| i.memory_bytes() >> 10);
            let started = Instant::now();
            drop(live);
            let drop_time = started.elapsed();
            println!(
                "  {plugin:9} {round:12}: make {:3}, first event {:3}, second {:3}, drop {:3}; \
                 linear memory {linear} KiB",
                per(make, n),
                per(first, n),
                per(second, n),
                per(drop_time, n),
            );
        }
    }
    Ok(())
}
