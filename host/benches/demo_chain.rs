//! The demo chain (automod → sentiment → faq → giveaway), side by side:
//! the same events through the WASM host (compiled components, sandbox,
//! key-value store) and through the same plugin logic linked natively, on
//! one core. Prints events per second for each and the ratio.
//!
//! `cargo bench -p vigie --bench demo_chain [-- EVENTS]` (default 50 000).

use std::sync::Arc;
use std::time::{Duration, Instant};
use vigie::chain::Chain;
use vigie::runtime::wit;
use vigie::stats::Stats;
use vigie::store::Commit;
use vigie::{builtin, pipeline, Config, Event, Runtime, Secret, SledStore, Store};
use vigie_sdk::{Plugin, TestHost};

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
}

struct Native<P: Plugin> {
    name: String,
    plugin: P,
    host: TestHost,
}

impl<P: Plugin> NativeSlot for Native<P> {
    fn name(&self) -> &str {
        &self.name
    }
    fn handle(&mut self, event: &vigie_sdk::Event) -> Result<Vec<vigie_sdk::Action>, String> {
        self.host.now_ms = event.timestamp_ms;
        self.plugin.handle(&mut self.host, event)
    }
}

fn native<P: Plugin>(name: &str, config: &str) -> Box<dyn NativeSlot> {
    let plugin = P::configure(config).unwrap_or_else(|e| panic!("{name}: {e}"));
    Box::new(Native {
        name: name.to_string(),
        plugin,
        host: TestHost::new(),
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

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(50_000);
    let config =
        Config::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/demo/vigie.toml").as_ref())?;
    let chain_names = config
        .chain_for(COMMUNITY)
        .expect("the demo has an acme chain");
    let entries: Vec<_> = chain_names
        .iter()
        .map(|name| config.plugin_entry(name))
        .collect::<anyhow::Result<_>>()?;
    let events = events(n);
    println!(
        "demo chain [{}], {} events, one core",
        chain_names.join(" → "),
        events.len()
    );

    // WASM: the community's chain as the host runs it (batches of 64).
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary()?);
    let secret = Arc::new(Secret::random());
    let runtime = Runtime::builder().max_instances(64).build()?;
    let defs = entries
        .iter()
        .map(|e| {
            pipeline::load_entry(&runtime, e.clone(), store.clone(), secret.clone()).map(Arc::new)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let stats = Stats::default();
    let mut chain = Chain::new(COMMUNITY, defs, store.clone(), secret.clone());
    let start = Instant::now();
    let mut wasm_actions = 0;
    for batch in events.chunks(64) {
        wasm_actions += chain
            .handle(batch, &stats)
            .iter()
            .map(Vec::len)
            .sum::<usize>();
        store.commit(Commit {
            kv: chain.take_kv_writes(),
            ..Commit::default()
        })?;
    }
    let wasm = start.elapsed();
    let wasm_summary = stats.snapshot();
    let errors = wasm_summary.total_plugin_errors();

    // Native: the same logic, in process, same chain semantics.
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
    let wit_events: Vec<wit::Event> = events.iter().map(Event::to_wit).collect();
    let start = Instant::now();
    let mut native_actions = 0;
    let mut per_plugin = vec![Duration::ZERO; slots.len()];
    for e in &wit_events {
        let mut event = to_sdk(e);
        for (i, slot) in slots.iter_mut().enumerate() {
            let t = Instant::now();
            let result = slot.handle(&event);
            per_plugin[i] += t.elapsed();
            let Ok(actions) = result else {
                continue;
            };
            let mut stop = false;
            for action in &actions {
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
            native_actions += actions.len();
            if stop {
                break;
            }
        }
    }
    let native = start.elapsed();

    let rate = |d: Duration| events.len() as f64 / d.as_secs_f64();
    println!(
        "  WASM host : {:>9.0} events/s ({:.2} µs/event, {wasm_actions} actions, {errors} plugin errors)",
        rate(wasm),
        wasm.as_secs_f64() * 1e6 / events.len() as f64
    );
    println!(
        "  native    : {:>9.0} events/s ({:.2} µs/event, {native_actions} actions before merging)",
        rate(native),
        native.as_secs_f64() * 1e6 / events.len() as f64
    );
    for (slot, d) in slots.iter().zip(&per_plugin) {
        let wasm_us = wasm_summary
            .plugin_time_us
            .get(slot.name())
            .copied()
            .unwrap_or(0) as f64
            / events.len() as f64;
        let native_us = d.as_secs_f64() * 1e6 / events.len() as f64;
        println!(
            "    {:<10} native {native_us:>6.2} µs/event, WASM {wasm_us:>6.2} µs/event ({:.2}×)",
            slot.name(),
            wasm_us / native_us
        );
    }
    println!(
        "  WASM time / native time: {:.2}×",
        wasm.as_secs_f64() / native.as_secs_f64()
    );
    Ok(())
}
