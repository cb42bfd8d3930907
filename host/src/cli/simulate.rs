//! `vigie simulate`: the chains' ticks on a simulated clock, to see what
//! time-driven plugins (the editorial calendar, contests, polls) would do
//! over days or a year, without waiting and without executing anything.
//!
//! Each community's chain is built from the config as `vigie run` builds
//! it, with a fresh in-memory store (the plugins start from their config,
//! not from the host's state; the data directory is not touched) and a
//! fixed secret (the same simulation prints the same thing). The clock
//! ticks every `tick_every_s` from `--from` for `--days`; no event arrives,
//! so conditions on chat activity see a quiet channel. Every action a tick
//! decides is printed with the tick's time; nothing is sent.

use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::sync::Arc;
use vigie::chain::Chain;
use vigie::config::Config;
use vigie::store::{Commit, SledStore, Store};
use vigie::{Runtime, Secret};

#[derive(clap::Args)]
pub struct SimulateArgs {
    /// The config file (vigie.toml).
    #[arg(long, short, default_value = "vigie.toml")]
    config: PathBuf,
    /// Where the simulated clock starts: a date (`2026-01-01`, midnight
    /// UTC) or an RFC 3339 time.
    #[arg(long)]
    from: String,
    /// How many days to simulate (at most 3660).
    #[arg(long, default_value_t = 7)]
    days: u32,
    /// Only this community (by default every community the config or its
    /// community files give a chain).
    #[arg(long)]
    community: Option<String>,
    /// Seconds between ticks [default: the config's tick_every_s].
    #[arg(long)]
    tick_every_s: Option<u64>,
    /// Print actions as JSON Lines (each with its `tick` time).
    #[arg(long)]
    json: bool,
}

/// Parses `2026-01-01` (midnight UTC) or an RFC 3339 time.
pub fn parse_start(s: &str) -> Result<i64> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Ok((t.unix_timestamp_nanos() / 1_000_000) as i64);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(s, &format).with_context(|| {
        format!("--from {s:?}: give a date (2026-01-01) or an RFC 3339 time (2026-01-01T09:00:00+01:00)")
    })?;
    Ok(date.midnight().assume_utc().unix_timestamp() * 1000)
}

pub fn simulate(args: SimulateArgs, dry_run_secret: [u8; 32]) -> Result<()> {
    if args.days == 0 || args.days > 3660 {
        bail!("--days {}: give 1 to 3660 days", args.days);
    }
    let config = Config::load(&args.config)?;
    let every_s = args.tick_every_s.unwrap_or(config.runtime.tick_every_s);
    if every_s == 0 {
        bail!("--tick-every-s 0: ticks need at least a second between them");
    }
    let every_ms = (every_s * 1000) as i64;
    let start = parse_start(&args.from)?;
    let start = start.div_euclid(every_ms) * every_ms;
    let end = start + i64::from(args.days) * 86_400_000;

    let store: Arc<dyn Store> = Arc::new(SledStore::temporary()?);
    let secret = Arc::new(Secret::from_bytes(dry_run_secret));
    let runtime = Runtime::builder()
        .max_instances(config.runtime.max_instances)
        .build()?;
    let routes = vigie::pipeline::load_routes(&config, &runtime, &store, &secret, None)?;
    let mut communities: Vec<(String, Vec<Arc<vigie::chain::PluginDef>>)> = match &args.community {
        Some(c) => match routes
            .communities
            .get(c)
            .or(routes.default_chain.as_ref())
        {
            Some(chain) => vec![(c.clone(), chain.clone())],
            None => bail!(
                "{}: community `{c}` has no chain (no [[communities]] entry, no community file, no default_chain)",
                config.origin
            ),
        },
        None => routes
            .communities
            .iter()
            .map(|(c, chain)| (c.clone(), chain.clone()))
            .collect(),
    };
    if communities.is_empty() {
        bail!(
            "{}: no community to simulate: the config names none (only default_chain); give one with --community",
            config.origin
        );
    }
    communities.sort_by(|a, b| a.0.cmp(&b.0));

    let ticks_per_community = ((end - start) / every_ms) as u64;
    eprintln!(
        "simulate: {} community(ies), a tick every {every_s} s from {} to {} ({ticks_per_community} ticks each); nothing is executed",
        communities.len(),
        vigie::event::format_ms(start),
        vigie::event::format_ms(end),
    );
    let progress = vigie::progress::Progress::new(
        "simulating ticks",
        Some(ticks_per_community * communities.len() as u64),
    );
    let stats = vigie::stats::Stats::default();
    let mut by_kind: std::collections::BTreeMap<String, u64> = Default::default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    use std::io::Write;
    for (community, plugins) in communities {
        let mut chain = Chain::new(&community, plugins, store.clone(), secret.clone());
        let mut t = start;
        while t < end {
            let ticked = chain
                .tick(t, &stats)
                .map_err(|failure| anyhow::anyhow!("{community}: {failure}"))?;
            store.commit(Commit {
                kv: chain.take_kv_writes(),
                ..Default::default()
            })?;
            for action in &ticked.plan {
                *by_kind
                    .entry(action.action.kind().name().to_string())
                    .or_default() += 1;
                if args.json {
                    let mut line = serde_json::to_value(action)?;
                    line["tick"] = vigie::event::format_ms(t).into();
                    writeln!(out, "{line}")?;
                } else {
                    writeln!(out, "{}  {}", vigie::event::format_ms(t), action.one_line())?;
                }
            }
            t += every_ms;
            progress.inc(1);
        }
    }
    out.flush()?;
    progress.finish();
    let total: u64 = by_kind.values().sum();
    let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let errors = stats.snapshot().total_plugin_errors();
    eprintln!(
        "simulate: {total} action(s) would go out{}{}",
        if kinds.is_empty() {
            String::new()
        } else {
            format!(" ({})", kinds.join(", "))
        },
        if errors > 0 {
            format!("; {errors} plugin error(s) (see the log)")
        } else {
            String::new()
        }
    );
    Ok(())
}
