//! `vigie report`: the KPIs of a period, from the store's logs (or from the
//! running host that holds them, through its control socket, as `vigie
//! audit` does), as a terminal table, JSON, CSV or one HTML file. The
//! figures themselves are [`vigie::reports`]'s.

use super::report::{data_dir_for, open_dir};
use anyhow::{bail, Context, Result};
use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use vigie::reports::{self, Format, Lang, Logs, Period, ReportOptions};

#[derive(clap::Args)]
pub struct ReportArgs {
    /// The config file whose data directory to read (default ./vigie.toml).
    #[arg(long, short)]
    config: Option<PathBuf>,
    /// Or the data directory itself.
    #[arg(long, conflicts_with = "config")]
    data_dir: Option<PathBuf>,
    /// Only this community (default: all of them together).
    #[arg(long)]
    community: Option<String>,
    /// Start of the period: a date (its midnight) or an RFC 3339 time.
    #[arg(long, conflicts_with_all = ["week", "month", "day"])]
    from: Option<String>,
    /// End of the period: a date (the whole day is included) or an RFC
    /// 3339 time (excluded).
    #[arg(long, conflicts_with_all = ["week", "month", "day"])]
    to: Option<String>,
    /// An ISO week, e.g. 2026-W48 (Monday to Sunday).
    #[arg(long, conflicts_with_all = ["month", "day"])]
    week: Option<String>,
    /// A month, e.g. 2026-11.
    #[arg(long, conflicts_with = "day")]
    month: Option<String>,
    /// A day, e.g. 2026-11-22.
    #[arg(long)]
    day: Option<String>,
    /// The time zone of days, weeks, months and the heatmap: an IANA name
    /// such as Europe/Paris [default: UTC].
    #[arg(long)]
    tz: Option<String>,
    /// Also compute the previous period of the same length, and the change.
    #[arg(long, value_enum)]
    compare: Option<Compare>,
    /// html (one self-contained file), csv, json or text [default: the
    /// extension of -o, else text on a terminal and json otherwise].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// The language of titles and definitions [default: fr when LANG is
    /// French, else en].
    #[arg(long, value_enum)]
    lang: Option<Lang>,
    /// Show users as stable pseudonyms (member-1a2b3c4d, keyed by the data
    /// directory's secret.key) instead of their names.
    #[arg(long)]
    pseudonymise: bool,
    /// Write the report to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Compare {
    Previous,
}

pub fn report(args: ReportArgs) -> Result<()> {
    let data_dir = data_dir_for(args.data_dir.as_deref(), args.config.as_deref())?;
    let time_zone = reports::time_zone(args.tz.as_deref())?;
    let format = format_of(&args)?;
    let lang = args.lang.unwrap_or_else(default_lang);
    let pseudonym_key = if args.pseudonymise {
        Some(pseudonym_key(&data_dir)?)
    } else {
        None
    };

    let records = open_dir(data_dir.clone())?;
    // Web mentions from the feed connector stay in: the report leaves
    // them out of the community's activity and counts them in its veille
    // section (the watch plugin's share of voice).
    // The event log on this thread, the others beside it.
    let (events, rest) = reports::read_beside(
        || records.events(),
        || {
            let actions = records.actions()?;
            Ok((
                records.contests(&actions)?,
                actions,
                records.audit()?,
                records.review_queue()?,
                records.shadow_log()?,
            ))
        },
    )?;
    let (contests, actions, audit, review, shadow) = rest;
    let communities: BTreeSet<&str> = events.iter().map(|h| h.event.community.as_str()).collect();
    if communities.is_empty() {
        bail!(
            "the event log in {} is empty: nothing to report yet (run `vigie run` first)",
            data_dir.display()
        );
    }
    if let Some(c) = &args.community {
        if !communities.contains(c.as_str()) {
            bail!(
                "no event of community `{c}` in the log of {} (communities with events: {})",
                data_dir.display(),
                communities.iter().copied().collect::<Vec<_>>().join(", ")
            );
        }
    }
    let times = events
        .iter()
        .filter(|h| {
            args.community
                .as_deref()
                .is_none_or(|c| c == h.event.community)
        })
        .map(|h| h.event.timestamp_ms());
    let (first, last) = times.fold((i64::MAX, i64::MIN), |(lo, hi), t| (lo.min(t), hi.max(t)));
    let period = match (&args.day, &args.week, &args.month, &args.from, &args.to) {
        (Some(day), ..) => Period::day(day, &time_zone)?,
        (_, Some(week), ..) => Period::iso_week(week, &time_zone)?,
        (_, _, Some(month), ..) => Period::month(month, &time_zone)?,
        (_, _, _, None, None) => Period::whole_log(first, last, &time_zone)?,
        (_, _, _, from, to) => Period::range(
            from.as_deref(),
            to.as_deref(),
            (first, last.saturating_add(1)),
            &time_zone,
        )?,
    };
    let logs = Logs {
        events: &events,
        actions: &actions,
        audit: &audit,
        review: &review,
        shadow: &shadow,
        contests: &contests,
    };
    let options = ReportOptions {
        period,
        time_zone_name: args.tz.clone().unwrap_or_else(|| "UTC".into()),
        time_zone,
        community: args.community.clone(),
        lang,
        compare_previous: args.compare.is_some(),
        pseudonym_key,
    };
    let report = reports::compute(&logs, &options)?;
    if !events.iter().any(|h| {
        options.period.contains(h.event.timestamp_ms())
            && args
                .community
                .as_deref()
                .is_none_or(|c| c == h.event.community)
    }) {
        // Not an error (an empty week is a figure too), but likely a typo.
        eprintln!(
            "note: no event in this period; the log runs from {} to {}",
            vigie::event::format_ms(first),
            vigie::event::format_ms(last)
        );
    }
    let text = reports::render(&report, format)?;
    match &args.output {
        Some(path) => {
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("report written to {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

/// `--format`, or the output file's extension, or text for people at a
/// terminal and JSON for programs.
fn format_of(args: &ReportArgs) -> Result<Format> {
    if let Some(format) = args.format {
        return Ok(format);
    }
    if let Some(path) = &args.output {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        return Ok(match ext.to_ascii_lowercase().as_str() {
            "html" | "htm" => Format::Html,
            "csv" => Format::Csv,
            "json" => Format::Json,
            "txt" | "text" => Format::Text,
            _ => bail!(
                "which format for {}? give --format html|csv|json|text",
                path.display()
            ),
        });
    }
    Ok(if std::io::stdout().is_terminal() {
        Format::Text
    } else {
        Format::Json
    })
}

fn default_lang() -> Lang {
    let french = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .is_some_and(|v| v.starts_with("fr"));
    if french {
        Lang::Fr
    } else {
        Lang::En
    }
}

/// The pseudonyms' key, derived from the data directory's secret so that
/// the same user has the same pseudonym in every report of this host, and
/// nobody without the secret can link a pseudonym to a user id.
fn pseudonym_key(data_dir: &Path) -> Result<Vec<u8>> {
    let path = data_dir.join("secret.key");
    let secret = std::fs::read(&path).with_context(|| {
        format!(
            "--pseudonymise keys pseudonyms with {}, which cannot be read",
            path.display()
        )
    })?;
    use hmac::{Hmac, Mac};
    // A key of its own, so pseudonyms reveal nothing of the secret that
    // seeds the plugins' randomness.
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&secret)
        .context("the data directory's secret.key cannot key an HMAC")?;
    mac.update(b"vigie report pseudonyms");
    Ok(mac.finalize().into_bytes().to_vec())
}
