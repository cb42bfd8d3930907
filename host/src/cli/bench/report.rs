//! `vigie bench --report-events N`: how long `vigie report` takes over a
//! large recorded log, and its peak memory.
//!
//! It records N events of a month in 20 communities into a fresh store,
//! with what the demo's plugins would have decided for them (sentiment
//! labels on every message, FAQ replies to some questions, deletions, watch
//! topic labels on web mentions). Then it runs the real `vigie report`
//! command over that data directory in a child process, once per format,
//! and prints its wall time and peak resident memory (the child's
//! `ru_maxrss`): what a user waits for and what the machine must hold,
//! without the set-up's own memory. Prints figures; asserts nothing.

use anyhow::{bail, Context, Result};
use std::time::{Duration, Instant};
use vigie::action::{Action, DecidedAction, PluginRef};
use vigie::event::{Author, Event, EventKind};
use vigie::store::Commit;
use vigie::{SledStore, Store};

/// The goal for 1 000 000 events.
const GOAL: Duration = Duration::from_secs(10);
const COMMUNITIES: usize = 20;
const MEMBERS: usize = 5_000;
const DAYS: i64 = 30;
/// 2026-11-01T00:00:00Z.
const START_MS: i64 = 1_793_491_200_000;
/// Events per store commit while recording.
const BATCH: usize = 2_000;

pub fn run(events: usize, keep: Option<std::path::PathBuf>) -> Result<()> {
    let temporary = tempfile::tempdir().context("cannot make a temporary data directory")?;
    let dir = match &keep {
        Some(dir) if dir.exists() => bail!(
            "--report-dir {}: it exists already; give a new directory",
            dir.display()
        ),
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            dir.clone()
        }
        None => temporary.path().to_path_buf(),
    };
    println!(
        "vigie bench --report-events {events}: `vigie report` over a recorded log \
         ({COMMUNITIES} communities, {DAYS} days, the demo plugins' decisions)"
    );
    let started = Instant::now();
    let recorded = record(&dir.join("store"), events)?;
    println!(
        "  recorded {} events and {} actions in {:.1} s (set-up, not measured)",
        recorded.events,
        recorded.actions,
        started.elapsed().as_secs_f64()
    );

    let exe = std::env::current_exe().context("cannot find the vigie binary")?;
    let out = dir.join("report");
    let mut worst = Duration::ZERO;
    for (format, extra) in [
        ("json", &[][..]),
        ("html", &[][..]),
        (
            "html",
            &["--community", "community-7", "--compare", "previous"][..],
        ),
    ] {
        let file = out.with_extension(format);
        let mut command = std::process::Command::new(&exe);
        command
            .arg("report")
            .arg("--data-dir")
            .arg(&dir)
            .args(["--month", "2026-11", "--format", format, "--lang", "en"])
            .args(extra)
            .arg("-o")
            .arg(&file)
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(dir.join("stderr.log"))?);
        let started = Instant::now();
        let child = command.spawn().context("cannot start `vigie report`")?;
        let (status, max_rss_kib) = wait_with_rusage(child)?;
        let took = started.elapsed();
        if !status {
            let log = std::fs::read_to_string(dir.join("stderr.log")).unwrap_or_default();
            bail!("`vigie report --format {format}` failed: {}", log.trim());
        }
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        worst = worst.max(took);
        println!(
            "  vigie report --month 2026-11 --format {format} {}: {:.2} s, peak RSS {} MiB, {} KiB written",
            extra.join(" "),
            took.as_secs_f64(),
            max_rss_kib / 1024,
            size / 1024
        );
    }
    let scaled = worst.as_secs_f64() * 1_000_000.0 / events.max(1) as f64;
    println!(
        "  slowest run: {:.2} s; {:.2} s per million events, {:.2}× the 10 s goal for 1 000 000",
        worst.as_secs_f64(),
        scaled,
        scaled / GOAL.as_secs_f64()
    );
    Ok(())
}

struct Recorded {
    events: usize,
    actions: usize,
}

/// Writes `n` events and their plugins' decisions into a store at `path`.
fn record(path: &std::path::Path, n: usize) -> Result<Recorded> {
    let store = SledStore::open(path)?;
    let mut actions = 0;
    let mut batch = Commit::default();
    let every = (DAYS * 86_400_000) / n.max(1) as i64;
    for i in 0..n {
        let (event, decided) = one(i, START_MS + i as i64 * every.max(1))?;
        actions += decided.len();
        batch.handled.push(event);
        batch.actions.extend(decided);
        if batch.handled.len() == BATCH {
            store.commit(std::mem::take(&mut batch))?;
        }
        if i > 0 && i % 200_000 == 0 {
            eprintln!("  … {i} events recorded");
        }
    }
    store.commit(batch)?;
    store.flush()?;
    Ok(Recorded { events: n, actions })
}

/// The `i`-th event at `at_ms`, and what the demo's plugins decided.
fn one(i: usize, at_ms: i64) -> Result<(Event, Vec<DecidedAction>)> {
    // A cheap, fixed pseudo-random stream: the same log every run.
    let r = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
    let community = format!("community-{}", r % COMMUNITIES as u64);
    let member = (r >> 5) as usize % MEMBERS;
    let staff = r.is_multiple_of(50);
    let (kind, platform, text) = match r % 100 {
        0..=2 => (EventKind::Join, "matrix", String::new()),
        3 => (EventKind::Leave, "matrix", String::new()),
        4..=13 => (EventKind::Reaction, "matrix", String::new()),
        14..=18 => (
            EventKind::Mention,
            "feed",
            format!("Acme or Globex? review number {i}"),
        ),
        19..=28 => (
            EventKind::Message,
            "matrix",
            format!("How much is shipping to Lyon, order {i}?"),
        ),
        _ => (
            EventKind::Message,
            "matrix",
            format!("message {i} about the new beans, thanks everyone"),
        ),
    };
    let timestamp = time::OffsetDateTime::from_unix_timestamp_nanos(at_ms as i128 * 1_000_000)
        .context("bench time out of range")?;
    let id = format!("e{i}");
    let event = Event {
        id: id.clone(),
        kind,
        platform: platform.into(),
        community: community.clone(),
        channel: format!("channel-{}", r % 7),
        author: Author {
            id: format!("@member{member}:example.org"),
            name: format!("Member {member}"),
            roles: vec![],
            account_age_days: Some(30),
            is_staff: staff,
        },
        text,
        reply_to: (r.is_multiple_of(9) && i > 0).then(|| format!("e{}", i - 1)),
        reaction: (kind == EventKind::Reaction).then(|| "👍".to_string()),
        target_message: (kind == EventKind::Reaction && i > 0).then(|| format!("e{}", i - 1)),
        timestamp,
        labels: vec![],
    };
    let by = |plugin: &str| PluginRef {
        plugin: plugin.into(),
        plugin_version: "0.1.0".into(),
        plugin_hash: "0".repeat(64),
    };
    let decided = |plugin: &str, action: Action| DecidedAction {
        event_id: Some(id.clone()),
        tick_ms: None,
        community: community.clone(),
        channel: event.channel.clone(),
        by: by(plugin),
        action,
    };
    let mut out = Vec::new();
    if matches!(kind, EventKind::Message | EventKind::Mention) {
        out.push(decided(
            "sentiment",
            Action::Label {
                key: "sentiment".into(),
                value: ((r % 21) as f64 - 10.0) / 10.0,
                note: None,
                reason: "sentiment: en".into(),
            },
        ));
    }
    match r % 100 {
        14..=18 => {
            for topic in ["acme", "globex"].iter().take(1 + (r % 2) as usize) {
                out.push(decided(
                    "watch",
                    Action::Label {
                        key: "watch.topic".into(),
                        value: 0.0,
                        note: Some(topic.to_string()),
                        reason: format!("watch: topic {topic}"),
                    },
                ));
            }
        }
        19..=23 => out.push(decided(
            "faq",
            Action::Reply {
                to_message: id.clone(),
                text: "Shipping is free from 40 €.".into(),
                reason: "faq: shipping (score 0.91)".into(),
            },
        )),
        29 => out.push(decided(
            "automod",
            Action::Delete {
                message_id: id.clone(),
                reason: "automod: rule insults".into(),
            },
        )),
        _ => {}
    }
    Ok((event, out))
}

/// Waits for `child` and returns whether it succeeded and its peak
/// resident memory in KiB (`ru_maxrss` from `wait4`).
fn wait_with_rusage(mut child: std::process::Child) -> Result<(bool, u64)> {
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain data that wait4 fills; the pid is our own
    // child, not waited for yet.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if waited != pid {
        // Fall back to std's wait, without the memory figure.
        let ok = child.wait()?.success();
        return Ok((ok, 0));
    }
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    Ok((ok, usage.ru_maxrss.max(0) as u64))
}
