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
