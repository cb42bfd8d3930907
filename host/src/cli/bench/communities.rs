//! `vigie bench --communities N`: many communities on one host. N
//! communities × a few interleaved events (every community's first event,
//! then every community's second…) go through the demo's four plugins, with
//! `--faq-configs` distinct FAQ configs standing for different brands, the
//! way `vigie run` handles them (router, workers, eviction, sled commits).
//! Then one community with as many events, for the ratio. Prints figures;
//! asserts nothing.

use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use vigie::config::Config;
use vigie::{builtin, CollectExecutor, Event, JsonLinesSource, SledStore, Source, Summary, Vigie};

const PLUGINS: [&str; 4] = ["automod", "sentiment", "faq", "giveaway"];

/// The demo's four plugin entries, with the demo's `sentiment.toml` and a
/// `faq.toml` beside the config: the chain the benchmarks run.
pub(super) const DEMO_PLUGINS: &str = r#"
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

[plugins.giveaway]
component = "builtin:giveaway"
grants = ["post", "reply", "react", "dm"]
config = { min_account_age_days = 1 }
"#;

/// What the tenancy benchmark is asked to do.
pub struct Options {
    pub communities: usize,
    pub events_per_community: usize,
    pub faq_configs: usize,
    pub memory_budget_mib: Option<u64>,
    pub max_instances: Option<u32>,
}

pub fn run(options: Options) -> Result<()> {
    let communities = options.communities.max(1);
    let per_community = options.events_per_community.max(1);
    let faq_configs = options.faq_configs.clamp(1, communities);
    let dir = tempfile::tempdir()?;
    write_config(dir.path(), communities, faq_configs, &options)?;
    let config = Config::load(&dir.path().join("vigie.toml"))?;
    println!(
        "vigie bench --communities {communities}: {} events ({communities} communities × {per_community}, interleaved) \
         through {} ({faq_configs} FAQ configs); memory budget {} MiB, pool {} instances",
        communities * per_community,
        PLUGINS.join(" → "),
        config.runtime.memory_budget_mib,
        config.runtime.max_instances,
    );
    let started = Instant::now();
    let host = Vigie::builder()
        .store(Arc::new(SledStore::temporary()?))
        .build_from_config(&config)?;
    println!(
        "  setup: {} plugin entries loaded and configured once in {:.1} s",
        3 + faq_configs,
        started.elapsed().as_secs_f64()
    );
    let demo = demo_messages()?;
    let many = events(&demo, communities, per_community, |i| format!("c{i}"));
    let (summary, many_time) = drive(&host, &many, dir.path().join("many.jsonl"))?;
    let single_events = many.len().min(50_000);
    let one = events(&demo, 1, single_events, |_| "c0".to_string());
    let single_host = Vigie::builder()
        .store(Arc::new(SledStore::temporary()?))
        .build_from_config(&config)?;
    let (single, single_time) = drive(&single_host, &one, dir.path().join("one.jsonl"))?;
    let rate = many.len() as f64 / many_time;
    let single_rate = single.events_handled as f64 / single_time;
    println!("{}", report(&summary, many.len(), rate));
    println!(
        "  one community, {} events: {:.0} events/s; many/one = {:.2}",
        single.events_handled,
        single_rate,
        rate / single_rate
    );
    println!(
        "  peak RSS of the process: {} MiB",
        peak_rss_kib().map_or("?".into(), |k| (k / 1024).to_string())
    );
    Ok(())
}

/// The figures of the many-communities run.
fn report(summary: &Summary, events: usize, rate: f64) -> String {
    let mut out = String::new();
    let every_plugin = summary.plugin_events.values().sum::<u64>();
    let host_failures: u64 = summary
        .plugin_errors
        .values()
        .filter_map(|causes| causes.get("host"))
        .sum();
    let _ = writeln!(
        out,
        "  handled {} of {events} events; plugin-events {every_plugin} (expected {}); host failures {host_failures}; \
         plugin errors {}; host retries {}",
        summary.events_handled,
        events * PLUGINS.len(),
        summary.total_plugin_errors(),
        summary.host_retries,
    );
    let percentiles = |mut samples: Vec<f64>| -> (f64, f64) {
        samples.sort_unstable_by(f64::total_cmp);
        let at = |p: f64| {
            samples
                .get(((samples.len() as f64 * p) as usize).min(samples.len().saturating_sub(1)))
                .map_or(0.0, |&us| us / 1000.0)
        };
        (at(0.50), at(0.99))
    };
    let cold = &summary.cold_runs_us;
    let (run50, run99) = percentiles(cold.iter().map(|&(us, _)| us as f64).collect());
    let (event50, event99) = percentiles(
        cold.iter()
            .map(|&(us, n)| us as f64 / n.max(1) as f64)
            .collect(),
    );
    let _ = write!(
        out,
        "  {rate:.0} events/s; {} community runs ({:.1} events each)\n  \
         cold runs (instances made first, commit included) {}: p50 {run50:.2} ms, p99 {run99:.2} ms; \
         per event of such a run: p50 {event50:.2} ms, p99 {event99:.2} ms\n  \
         evictions {} ({} instances)",
        summary.community_runs,
        summary.events_handled as f64 / summary.community_runs.max(1) as f64,
        cold.len(),
        summary.evictions,
        summary.instances_evicted,
    );
    out
}

fn write_config(
    dir: &Path,
    communities: usize,
    faq_configs: usize,
    options: &Options,
) -> Result<()> {
    for (name, text) in builtin::DEMO_FILES {
        std::fs::write(dir.join(name), text)?;
    }
    let faq: toml::Table = toml::from_str(
        builtin::DEMO_FILES
            .iter()
            .find(|(name, _)| *name == "faq.toml")
            .map(|(_, text)| *text)
            .context("the demo has no faq.toml")?,
    )?;
    let mut text =
        String::from("data_dir = \"data\"\ncommunities_dir = \"communities\"\n[runtime]\n");
    if let Some(mib) = options.memory_budget_mib {
        writeln!(text, "memory_budget_mib = {mib}")?;
    }
    if let Some(n) = options.max_instances {
        writeln!(text, "max_instances = {n}")?;
    }
    text.push_str(DEMO_PLUGINS);
    // One file per community, as a host with many has them; each brand its
    // own FAQ name, laid over the shared FAQ config: a config of its own.
    std::fs::write(dir.join("faq.toml"), toml::to_string(&faq)?)?;
    let files = dir.join("communities");
    std::fs::create_dir_all(&files)?;
    for community in 0..communities {
        std::fs::write(
            files.join(format!("c{community}.toml")),
            format!(
                "chain = [\"automod\", \"sentiment\", \"faq\", \"giveaway\"]\n\n\
                 [plugins.faq.config]\nbrand = [\"acme\", \"brand{}\"]\n",
                community % faq_configs
            ),
        )?;
    }
    std::fs::write(dir.join("vigie.toml"), text)?;
    Ok(())
}

/// Ordinary chat, in French and English: questions for the FAQ, moods for
/// sentiment, words for automod to check. None makes a plugin stop the
/// chain, so every plugin sees every event (plugin-events = events × 4).
const CHAT: &[&str] = &[
    "Bonjour à tous, belle journée !",
    "Vous livrez en Belgique ?",
    "Hello, what are your opening hours on Sunday?",
    "Le nouveau café est vraiment excellent, merci",
    "My order arrived late and the box was damaged, not happy",
    "Combien coûte la livraison ?",
    "Does the loyalty card work in the London shop?",
    "je participe au concours :)",
    "Quelqu'un a testé la machine à espresso ?",
    "Great service today, thanks to the team",
    "Le site ne marche pas depuis ce matin, c'est pénible",
    "Can I pay with Apple Pay?",
];

/// One message of the demo, as a template.
pub(super) fn demo_messages() -> Result<Vec<Event>> {
    let template = builtin::DEMO_EVENTS
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(Event::from_json_line)
        .find(|e| {
            e.as_ref()
                .is_ok_and(|e| e.kind == vigie::event::EventKind::Message)
        })
        .context("the demo has no message")??;
    Ok(CHAT
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let mut e = template.clone();
            e.text = text.to_string();
            e.author.id = format!("member-{i}");
            e.author.name = format!("Member {i}");
            e.author.is_staff = false;
            e
        })
        .collect())
}

/// `per_community` events for each of `communities`, interleaved, with
/// fresh ids and increasing times.
pub(super) fn events(
    demo: &[Event],
    communities: usize,
    per_community: usize,
    community: impl Fn(usize) -> String,
) -> Vec<Event> {
    let names: Vec<String> = (0..communities).map(community).collect();
    let mut out = Vec::with_capacity(communities * per_community);
    for round in 0..per_community {
        for (c, name) in names.iter().enumerate() {
            let n = out.len();
            let mut e = demo[(c * 7 + round) % demo.len()].clone();
            e.id = format!("bench-{c}-{round}");
            e.community = name.clone();
            e.timestamp = demo[0].timestamp + std::time::Duration::from_millis(n as u64);
            out.push(e);
        }
    }
    out
}

/// Runs the events through the host from a JSON Lines file; returns the
/// summary and the seconds it took.
pub(super) fn drive(
    host: &Vigie,
    events: &[Event],
    path: std::path::PathBuf,
) -> Result<(Summary, f64)> {
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path)?);
        for e in events {
            serde_json::to_writer(&mut w, e)?;
            w.write_all(b"\n")?;
        }
        w.flush()?;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let started = Instant::now();
    let summary = rt.block_on(host.run(
        vec![Box::new(JsonLinesSource::new(&path)) as Box<dyn Source>],
        Box::new(CollectExecutor::default()),
    ))?;
    Ok((summary, started.elapsed().as_secs_f64()))
}

/// The process's peak resident memory (VmHWM), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
