//! The demo chain (automod → sentiment → faq → giveaway), side by side:
//! the same events through the WASM host (compiled components, sandbox,
//! key-value store) and through the same plugin logic linked natively, on
//! one core. Prints events per second for each and the ratio, the WASM
//! figure again with the key-value writes not persisted (what sled costs),
//! and, on a machine with several cores, the WASM host on all of them with
//! one community per core (what the machine serves).
//!
//! `cargo bench -p vigie --bench demo_chain [-- EVENTS [ROUNDS]]` (default
//! 50 000 events, best of 3 rounds).

use std::sync::Arc;
use std::time::{Duration, Instant};
use vigie::chain::Chain;
use vigie::community::BATCHES_PER_COMMIT;
use vigie::runtime::wit;
use vigie::stats::Stats;
use vigie::store::{Commit, KvScope, KvWrites};
use vigie::{builtin, pipeline, Config, Event, Runtime, Secret, SledStore, Store};
use vigie_sdk::{Plugin, TestHost};

/// The allocator of the `vigie` binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The plugins of the demo's chain that are measured.
const MEASURED: [&str; 4] = ["automod", "sentiment", "faq", "giveaway"];

/// The community of the demo whose chain is measured.
const COMMUNITY: &str = "acme";

fn events(n: usize) -> Vec<Event> {
    let demo: Vec<Event> = builtin::DEMO_EVENTS
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| Event::from_json_line(l).expect("demo events are valid"))
        .collect();
    (0..n)
        .map(|i| {
            let mut e = demo[i % demo.len()].clone();
            e.id = format!("bench-{i}");
            e.community = COMMUNITY.into();
            e.timestamp += Duration::from_millis(200 * i as u64);
            e
        })
        .collect()
}

/// One plugin run natively with an in-memory host.
trait NativeSlot {
    fn name(&self) -> &str;
    fn handle(&mut self, event: &vigie_sdk::Event) -> Result<Vec<vigie_sdk::Action>, String>;
    fn host_calls(&self) -> &std::collections::BTreeMap<&'static str, u64>;
}

struct Native<P: Plugin> {
    name: String,
    plugin: P,
    host: CountingHost,
}

/// The in-memory host, counting the calls a plugin makes (each one is a
/// crossing of the sandbox boundary in the WASM run).
#[derive(Default)]
struct CountingHost {
    inner: TestHost,
    calls: std::collections::BTreeMap<&'static str, u64>,
}

impl CountingHost {
    fn count(&mut self, what: &'static str) -> &mut TestHost {
        *self.calls.entry(what).or_default() += 1;
        &mut self.inner
    }
}

impl vigie_sdk::Host for CountingHost {
    fn kv_get(&mut self, key: &str) -> Option<Vec<u8>> {
        self.count("kv.get").kv_get(key)
    }
    fn kv_set(&mut self, key: &str, value: &[u8]) -> Result<(), vigie_sdk::KvError> {
        self.count("kv.set").kv_set(key, value)
    }
    fn kv_delete(&mut self, key: &str) {
        self.count("kv.delete").kv_delete(key)
    }
    fn kv_increment(&mut self, key: &str, delta: i64) -> Result<i64, vigie_sdk::KvError> {
        self.count("kv.increment").kv_increment(key, delta)
    }
    fn kv_list(&mut self, prefix: &str, limit: u32) -> Vec<String> {
        self.count("kv.list-keys").kv_list(prefix, limit)
    }
    fn now_ms(&mut self) -> i64 {
        self.count("clock.now").now_ms()
    }
    fn random_u64(&mut self) -> u64 {
        self.count("random").random_u64()
    }
    fn random_bytes(&mut self, len: u32) -> Vec<u8> {
        self.count("random").random_bytes(len)
    }
    fn log(&mut self, level: vigie_sdk::Level, message: &str) {
        self.count("log").log(level, message)
    }
}

impl<P: Plugin> NativeSlot for Native<P> {
    fn name(&self) -> &str {
        &self.name
    }
    fn handle(&mut self, event: &vigie_sdk::Event) -> Result<Vec<vigie_sdk::Action>, String> {
        self.host.inner.now_ms = event.timestamp_ms;
        self.plugin.handle(&mut self.host, event)
    }
    fn host_calls(&self) -> &std::collections::BTreeMap<&'static str, u64> {
        &self.host.calls
    }
}

fn native<P: Plugin>(name: &str, config: &str) -> Box<dyn NativeSlot> {
    let plugin = P::configure(config).unwrap_or_else(|e| panic!("{name}: {e}"));
    Box::new(Native {
        name: name.to_string(),
        plugin,
        host: CountingHost::default(),
    })
}

/// The host's WIT event as the SDK's type (the same record, another crate).
fn to_sdk(e: &wit::Event) -> vigie_sdk::Event {
    let json = |kind: &wit::EventKind| -> vigie_sdk::EventKind {
        use vigie_sdk::EventKind as K;
        match kind {
            wit::EventKind::Message => K::Message,
            wit::EventKind::Edit => K::Edit,
            wit::EventKind::Deletion => K::Deletion,
            wit::EventKind::Reaction => K::Reaction,
            wit::EventKind::Join => K::Join,
            wit::EventKind::Leave => K::Leave,
            wit::EventKind::Follow => K::Follow,
            wit::EventKind::Mention => K::Mention,
            wit::EventKind::DirectMessage => K::DirectMessage,
            wit::EventKind::Report => K::Report,
        }
    };
    vigie_sdk::Event {
        id: e.id.clone(),
        kind: json(&e.kind),
        platform: e.platform.clone(),
        community: e.community.clone(),
        channel: e.channel.clone(),
        author: vigie_sdk::Author {
            id: e.author.id.clone(),
            name: e.author.name.clone(),
            roles: e.author.roles.clone(),
            account_age_days: e.author.account_age_days,
            is_staff: e.author.is_staff,
        },
        text: e.text.clone(),
        reply_to: e.reply_to.clone(),
        reaction: e.reaction.clone(),
        target_message: e.target_message.clone(),
        timestamp_ms: e.timestamp_ms,
        labels: Vec::new(),
        earlier_actions: Vec::new(),
    }
}

/// One run of the WASM chain on a fresh store.
struct WasmRun {
    time: Duration,
    /// Of `time`, spent in store commits.
    commits: Duration,
    actions: usize,
    stats: vigie::stats::Summary,
}

/// `persist`: commit the kv writes to sled, as the host does. The
/// other setting drops them, to show what persistence costs on one core:
/// sled hands its log writes to its own threads, and on a single core they
/// take turns with the chain (tens of thousands of context switches a run).
fn run_wasm(
    defs: &[Arc<vigie::chain::PluginDef>],
    events: &[Event],
    batch_size: usize,
    persist: bool,
) -> anyhow::Result<WasmRun> {
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary()?);
    let secret = Arc::new(Secret::random());
    let stats = Stats::default();
    let mut chain = Chain::new(COMMUNITY, defs.to_vec(), store.clone(), secret);
    // The native side builds its plugins before its clock starts, too.
    let ready = chain.warm_up();
    anyhow::ensure!(
        ready == defs.len(),
        "only {ready} of {} plugins start",
        defs.len()
    );
    let start = Instant::now();
    let mut commits = Duration::ZERO;
    let actions = drain(&mut chain, events, batch_size, &stats, |kv| {
        if persist {
            let t = Instant::now();
            store.commit(Commit {
                kv,
                ..Commit::default()
            })?;
            commits += t.elapsed();
        }
        Ok(())
    })?;
    Ok(WasmRun {
        time: start.elapsed(),
        commits,
        actions,
        stats: stats.snapshot(),
    })
}

/// The WASM chain on `cores` threads at once, one community each, as the
/// host runs one worker per community: each thread takes its share of the
/// events, moved into its own community, with kv writes persisted. The
/// time runs from the moment every chain is warm to the last thread's end.
fn run_wasm_on_cores(
    defs: &[Arc<vigie::chain::PluginDef>],
    events: &[Event],
    batch_size: usize,
    cores: usize,
) -> anyhow::Result<Duration> {
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary()?);
    let secret = Arc::new(Secret::random());
    let shares: Vec<&[Event]> = events.chunks(events.len().div_ceil(cores.max(1))).collect();
    let barrier = std::sync::Barrier::new(shares.len() + 1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (shares.iter().enumerate())
            .map(|(i, share)| {
                let (store, secret, barrier) = (store.clone(), secret.clone(), &barrier);
                scope.spawn(move || -> anyhow::Result<()> {
                    let community = format!("{COMMUNITY}-{i}");
                    let share: Vec<Event> = share
                        .iter()
                        .map(|e| Event {
                            community: community.clone(),
                            ..e.clone()
                        })
                        .collect();
                    let mut chain = Chain::new(&community, defs.to_vec(), store.clone(), secret);
                    let ready = chain.warm_up();
                    barrier.wait();
                    anyhow::ensure!(ready == defs.len(), "only {ready} plugins start");
                    drain(&mut chain, &share, batch_size, &Stats::default(), |kv| {
                        store.commit(Commit {
                            kv,
                            ..Commit::default()
                        })
                    })?;
                    Ok(())
                })
            })
            .collect();
        barrier.wait();
        let start = Instant::now();
        for worker in workers {
            worker
                .join()
                .map_err(|_| anyhow::anyhow!("a bench thread panicked"))??;
        }
        Ok(start.elapsed())
    })
}

/// Feeds `events` to `chain` as a busy community worker does: batches of
/// `batch_size` events, and one `commit` of the kv writes per drain of the
/// queue ([`BATCHES_PER_COMMIT`] batches). Returns the number of actions.
fn drain(
    chain: &mut Chain,
    events: &[Event],
    batch_size: usize,
    stats: &Stats,
    mut commit: impl FnMut(Vec<(KvScope, KvWrites)>) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let mut actions = 0;
    let batch_size = batch_size.max(1);
    for drained in events.chunks(batch_size * BATCHES_PER_COMMIT) {
        for batch in drained.chunks(batch_size) {
            actions += chain
                .handle(batch, stats)?
                .iter()
                .map(Vec::len)
                .sum::<usize>();
        }
        commit(chain.take_kv_writes())?;
    }
    Ok(actions)
}

/// One run of the same logic linked natively, same chain semantics.
struct NativeRun {
    time: Duration,
    actions: usize,
    per_plugin: Vec<Duration>,
    slots: Vec<Box<dyn NativeSlot>>,
}

/// One native run. `per_plugin_clock` times each plugin call: two clock
/// reads per plugin per event cost about 2 % of the native time, so the
/// rounds that are compared run without them.
fn run_native(
    entries: &[vigie::config::PluginEntry],
    events: &[wit::Event],
    per_plugin_clock: bool,
) -> NativeRun {
    let mut slots: Vec<Box<dyn NativeSlot>> = entries
        .iter()
        .map(|e| {
            let component = e.component.trim_start_matches("builtin:");
            match component {
                "automod" => native::<automod::Automod>(&e.name, &e.config_json),
                "sentiment" => native::<sentiment::Sentiment>(&e.name, &e.config_json),
                "faq" => native::<faq::Faq>(&e.name, &e.config_json),
                "giveaway" => native::<giveaway::Giveaway>(&e.name, &e.config_json),
                "keyword-filter" => {
                    native::<keyword_filter::KeywordFilter>(&e.name, &e.config_json)
                }
                other => panic!("no native build of {other}"),
            }
        })
        .collect();
    let start = Instant::now();
    let mut actions = 0;
    let mut per_plugin = vec![Duration::ZERO; slots.len()];
    for e in events {
        let mut event = to_sdk(e);
        for (i, slot) in slots.iter_mut().enumerate() {
            let result = if per_plugin_clock {
                let t = Instant::now();
                let result = slot.handle(&event);
                per_plugin[i] += t.elapsed();
                result
            } else {
                slot.handle(&event)
            };
            let Ok(decided) = result else {
                continue;
            };
            let mut stop = false;
            for action in &decided {
                if let vigie_sdk::Action::Label(l) = action {
                    event.labels.push(vigie_sdk::Label {
                        key: l.key.clone(),
                        value: l.value,
                        note: l.note.clone(),
                        plugin: slot.name().to_string(),
                    });
                }
                stop |= matches!(action, vigie_sdk::Action::Stop(_));
            }
            actions += decided.len();
            if stop {
                break;
            }
        }
    }
    NativeRun {
        time: start.elapsed(),
        actions,
        per_plugin,
        slots,
    }
}

fn main() -> anyhow::Result<()> {
    // `cargo bench` adds its own `--bench` flag; every other argument is a
    // number.
    let numbers = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(|a| {
            a.parse::<usize>().map_err(|_| {
                anyhow::anyhow!("`{a}` is not a number (usage: demo_chain [EVENTS [ROUNDS]])")
            })
        })
        .collect::<anyhow::Result<Vec<usize>>>()?;
    let n = numbers.first().copied().unwrap_or(50_000);
    let rounds = numbers.get(1).copied().unwrap_or(3).max(1);
    let config =
        Config::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/demo/vigie.toml").as_ref())?;
    let chain_names = config
        .chain_for(COMMUNITY)
        .expect("the demo has an acme chain");
    // The four message plugins, as the figures in docs/performance.md were
    // measured (and as the native side runs): poll and schedule, later in
    // the demo's chain, act on commands and ticks only.
    let entries: Vec<_> = chain_names
        .iter()
        .filter(|name| MEASURED.contains(&name.as_str()))
        .map(|name| config.plugin_entry(name))
        .collect::<anyhow::Result<_>>()?;
    let events = events(n);
    // Batches as the host makes them: `VIGIE_BENCH_BATCH` or the demo's
    // `runtime.batch_size`; a commit covers up to BATCHES_PER_COMMIT batches.
    let batch_size =
        match std::env::var("VIGIE_BENCH_BATCH") {
            Ok(v) => v.parse::<usize>().ok().filter(|&b| b > 0).ok_or_else(|| {
                anyhow::anyhow!("VIGIE_BENCH_BATCH=`{v}` is not a positive number")
            })?,
            Err(_) => config.runtime.batch_size,
        };
    println!(
        "demo chain [{}], {} events in batches of {batch_size} ({BATCHES_PER_COMMIT} a commit), one core, best of {rounds} rounds",
        MEASURED.join(" → "),
        events.len()
    );

    let store: Arc<dyn Store> = Arc::new(SledStore::temporary()?);
    let secret = Arc::new(Secret::random());
    // `VIGIE_BENCH_CACHE=DIR` keeps compiled plugins between runs (for
    // instruction counts under valgrind, where compiling is slow).
    let runtime = Runtime::builder()
        .max_instances(64)
        .cache_dir(std::env::var_os("VIGIE_BENCH_CACHE").map(Into::into))
        .build()?;
    // `VIGIE_BENCH_SIDE=wasm` or `native` runs one side only.
    let side = std::env::var("VIGIE_BENCH_SIDE").unwrap_or_default();
    let defs = entries
        .iter()
        .map(|e| {
            pipeline::load_entry(&runtime, e.clone(), store.clone(), secret.clone()).map(Arc::new)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let wit_events: Vec<wit::Event> = events.iter().map(Event::to_wit).collect();

    // Rounds alternate, each on fresh state; the fastest of each side is
    // kept, so a busy machine slows the figures less than it skews them.
    let mut best_wasm: Option<WasmRun> = None;
    let mut best_unpersisted: Option<Duration> = None;
    let mut best_native: Option<NativeRun> = None;
    let mut times = (Vec::new(), Vec::new(), Vec::new());
    // Beside the one-core comparison: the WASM host on every core, one
    // community per core (what one machine serves, not the goal's measure).
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let mut best_all_cores: Option<Duration> = None;
    for _ in 0..rounds {
        if side != "native" && cores > 1 {
            let t = run_wasm_on_cores(&defs, &events, batch_size, cores)?;
            best_all_cores = Some(best_all_cores.map_or(t, |b| b.min(t)));
        }
        if side != "native" {
            let w = run_wasm(&defs, &events, batch_size, true)?;
            times.0.push(w.time);
            if best_wasm.as_ref().is_none_or(|b| w.time < b.time) {
                best_wasm = Some(w);
            }
            let t = run_wasm(&defs, &events, batch_size, false)?.time;
            times.2.push(t);
            best_unpersisted = Some(best_unpersisted.map_or(t, |b| b.min(t)));
        }
        if side != "wasm" {
            let nat = run_native(&entries, &wit_events, false);
            times.1.push(nat.time);
            if best_native.as_ref().is_none_or(|b| nat.time < b.time) {
                best_native = Some(nat);
            }
        }
    }
    let list = |ds: &[Duration]| {
        ds.iter()
            .map(|d| format!("{:.1}", d.as_secs_f64() * 1e6 / events.len() as f64))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!(
        "  µs/event by round: WASM [{}], WASM without persisting kv [{}], native [{}]",
        list(&times.0),
        list(&times.2),
        list(&times.1)
    );
    let (Some(wasm), Some(unpersisted), Some(native)) = (best_wasm, best_unpersisted, best_native)
    else {
        return Ok(()); // one side only: the round times say it all
    };
    let errors = wasm.stats.total_plugin_errors();

    let rate = |d: Duration| events.len() as f64 / d.as_secs_f64();
    let per_event = |d: Duration| d.as_secs_f64() * 1e6 / events.len() as f64;
    println!(
        "  WASM host : {:>9.0} events/s ({:.2} µs/event, of which sled commits {:.2}; {} actions, {errors} plugin errors)",
        rate(wasm.time),
        per_event(wasm.time),
        per_event(wasm.commits),
        wasm.actions
    );
    println!(
        "  WASM, kv writes not persisted: {:>9.0} events/s ({:.2} µs/event)",
        rate(unpersisted),
        per_event(unpersisted)
    );
    println!(
        "  native    : {:>9.0} events/s ({:.2} µs/event, {} actions before merging)",
        rate(native.time),
        per_event(native.time),
        native.actions
    );
    if let Some(t) = best_all_cores {
        println!(
            "  WASM host on all {cores} cores, one community per core: {:>9.0} events/s ({:.2}× one core)",
            rate(t),
            wasm.time.as_secs_f64() / t.as_secs_f64()
        );
    }
    // The split by plugin comes from one more native run with a clock
    // around every plugin call.
    let split = run_native(&entries, &wit_events, true);
    for (slot, d) in split.slots.iter().zip(&split.per_plugin) {
        let wasm_us = wasm
            .stats
            .plugin_time_us
            .get(slot.name())
            .copied()
            .unwrap_or(0) as f64
            / events.len() as f64;
        let native_us = per_event(*d);
        println!(
            "    {:<10} native {native_us:>6.2} µs/event, WASM {wasm_us:>6.2} µs/event ({:.2}×)",
            slot.name(),
            wasm_us / native_us
        );
        let calls: Vec<String> = slot
            .host_calls()
            .iter()
            .map(|(what, n)| format!("{what} {:.2}", *n as f64 / events.len() as f64))
            .collect();
        println!("               host calls per event: {}", calls.join(", "));
    }
    println!(
        "  WASM time / native time: {:.2}× ({:.2}× without persisting kv writes)",
        wasm.time.as_secs_f64() / native.time.as_secs_f64(),
        unpersisted.as_secs_f64() / native.time.as_secs_f64()
    );
    // Each round runs the sides back to back, so a round's ratio is less
    // exposed to a machine whose speed drifts than the best times are.
    println!(
        "  median of the rounds' ratios: {:.2}× ({:.2}× without persisting kv writes)",
        median_ratio(&times.0, &times.1),
        median_ratio(&times.2, &times.1)
    );
    Ok(())
}

/// The median of `a[i] / b[i]` over the rounds.
fn median_ratio(a: &[Duration], b: &[Duration]) -> f64 {
    let mut ratios: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(a, b)| a.as_secs_f64() / b.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    match ratios.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => ratios[n / 2],
        n => (ratios[n / 2 - 1] + ratios[n / 2]) / 2.0,
    }
}
