//! `vigie audit` and `vigie dead-letters`: what was executed on the
//! platforms, and what could not be, read from the store.

use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use vigie::store::{AuditRecord, DeadLetter};
use vigie::{Config, SledStore, Store};

/// Which store to read.
#[derive(clap::Args)]
pub struct StoreArgs {
    /// The config file whose data directory to read (default ./vigie.toml).
    #[arg(long, short)]
    config: Option<PathBuf>,
    /// Or the data directory itself.
    #[arg(long, conflicts_with = "config")]
    data_dir: Option<PathBuf>,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct AuditArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Only actions about this user (target user).
    #[arg(long)]
    user: Option<String>,
    /// Only actions of this plugin entry.
    #[arg(long)]
    plugin: Option<String>,
    /// Only actions in this channel (room).
    #[arg(long)]
    channel: Option<String>,
    /// Only actions executed at or after this time (RFC 3339, e.g.
    /// 2026-11-23T10:00:00Z).
    #[arg(long)]
    since: Option<String>,
    /// Only actions executed before this time (RFC 3339).
    #[arg(long)]
    until: Option<String>,
}

fn open(args: &StoreArgs) -> Result<SledStore> {
    let dir = match (&args.data_dir, &args.config) {
        (Some(dir), _) => dir.clone(),
        (None, Some(path)) => Config::load(path)?.data_dir(),
        (None, None) => {
            if !std::path::Path::new("vigie.toml").exists() {
                bail!("no --config, no --data-dir and no ./vigie.toml: which store should I read?");
            }
            Config::load("vigie.toml".as_ref())?.data_dir()
        }
    };
    let store_dir = dir.join("store");
    if !store_dir.exists() {
        bail!(
            "{} holds no store yet (has vigie run there?)",
            dir.display()
        );
    }
    SledStore::open(&store_dir).with_context(|| {
        "a running vigie holds the store; stop it first (sled allows one process at a time)"
    })
}

fn parse_time(s: &str, flag: &str) -> Result<i64> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .with_context(|| {
            format!("{flag}: `{s}` is not an RFC 3339 time (e.g. 2026-11-23T10:00:00Z)")
        })?;
    Ok((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

pub fn audit(args: AuditArgs) -> Result<()> {
    let since = args
        .since
        .as_deref()
        .map(|s| parse_time(s, "--since"))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|s| parse_time(s, "--until"))
        .transpose()?;
    let store = open(&args.store)?;
    let records: Vec<AuditRecord> = store
        .audit()?
        .into_iter()
        .filter(|r| {
            args.user
                .as_ref()
                .is_none_or(|u| r.target_user.as_deref() == Some(u.as_str()))
                && args
                    .plugin
                    .as_ref()
                    .is_none_or(|p| &r.action.by.plugin == p)
                && args.channel.as_ref().is_none_or(|c| &r.action.channel == c)
                && since.is_none_or(|t| r.executed_at_ms >= t)
                && until.is_none_or(|t| r.executed_at_ms < t)
        })
        .collect();
    if args.store.json {
        for r in &records {
            println!("{}", serde_json::to_string(r)?);
        }
        return Ok(());
    }
    println!(
        "{:<20} {:<10} {:<22} {:<22} {:<16} {:<8} reason → platform reply",
        "time (UTC)", "community", "channel", "target user", "plugin", "action"
    );
    for r in &records {
        println!(
            "{:<20} {:<10} {:<22} {:<22} {:<16} {:<8} {} → {}{}",
            vigie::event::format_ms(r.executed_at_ms),
            clip(&r.action.community, 10),
            clip(&r.action.channel, 22),
            clip(r.target_user.as_deref().unwrap_or("-"), 22),
            clip(&r.action.by.plugin, 16),
            r.action.action.kind().name(),
            r.action.action.reason(),
            r.platform_reply,
            r.evidence
                .as_deref()
                .map(|e| format!(" [deleted text: «{}»]", clip(e, 80)))
                .unwrap_or_default()
        );
    }
    eprintln!("{} action(s)", records.len());
    Ok(())
}

pub fn dead_letters(args: StoreArgs) -> Result<()> {
    let store = open(&args)?;
    let dead: Vec<DeadLetter> = store.dead_letters()?;
    if args.json {
        for d in &dead {
            println!("{}", serde_json::to_string(d)?);
        }
        return Ok(());
    }
    for d in &dead {
        println!(
            "{}  {}  {}  after {} attempt(s): {}",
            vigie::event::format_ms(d.failed_at_ms),
            d.entry.connector,
            d.entry.action.one_line(),
            d.entry.attempts,
            d.error
        );
    }
    eprintln!("{} dead letter(s)", dead.len());
    Ok(())
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

#[derive(clap::Args)]
pub struct ShadowArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Differing events shown per shadow plugin (all with --json).
    #[arg(long, default_value_t = 10)]
    examples: usize,
}

/// `vigie shadow-report`: per shadow plugin, what it would have done and
/// how that differs from the live plugin it is meant to replace.
pub fn shadow_report(args: ShadowArgs) -> Result<()> {
    use std::collections::BTreeMap;
    use vigie::diff::{diff, render, DiffSummary};
    let store = open(&args.store)?;
    let records = store.shadow_log()?;
    let mut by_plugin: BTreeMap<String, Vec<vigie::store::ShadowRecord>> = BTreeMap::new();
    for r in records {
        by_plugin.entry(r.plugin.clone()).or_default().push(r);
    }
    if by_plugin.is_empty() {
        eprintln!("no shadow plugin has seen an event yet (mode = \"shadow\" in a plugin entry)");
    }
    for (plugin, records) in &by_plugin {
        let mut kinds: BTreeMap<&str, u64> = BTreeMap::new();
        for r in records {
            for a in &r.actions {
                *kinds.entry(a.action.kind().name()).or_default() += 1;
            }
        }
        let replaces = records.iter().find_map(|r| r.replaces.clone());
        let mut summary = DiffSummary::default();
        let mut examples = Vec::new();
        for r in records {
            let changes = diff(&r.live_actions, &r.actions);
            summary.count(&changes);
            if !changes.is_empty() {
                examples.push((r.event_id.clone(), r.community.clone(), changes));
            }
        }
        if args.store.json {
            println!(
                "{}",
                serde_json::json!({
                    "plugin": plugin,
                    "replaces": replaces,
                    "events": records.len(),
                    "would_do": kinds,
                    "compared": replaces.as_ref().map(|_| &summary),
                    "differences": replaces.as_ref().map(|_| examples.iter().map(|(e, c, ch)| serde_json::json!({"event_id": e, "community": c, "changes": ch})).collect::<Vec<_>>()),
                })
            );
            continue;
        }
        let would: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!(
            "shadow plugin `{plugin}`: {} event(s) seen; would have done: {}",
            records.len(),
            if would.is_empty() {
                "nothing".to_string()
            } else {
                would.join(", ")
            }
        );
        if let Some(live) = &replaces {
            println!("  against live `{live}`: {}", summary.render());
            for (event, community, changes) in examples.iter().take(args.examples) {
                println!("  event {event} ({community}):");
                for c in changes {
                    println!("    {}", render(c).replace('\n', "\n    "));
                }
            }
            if examples.len() > args.examples {
                println!(
                    "  … {} more differing event(s) (--examples N, or --json)",
                    examples.len() - args.examples
                );
            }
        }
    }
    Ok(())
}
