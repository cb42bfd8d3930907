//! Sources: where normalised events come from. Each source runs as its own
//! task and sends events (and the lines it could not use) to the router.
//! JSON Lines (file or stdin) here; platform connectors come in through the
//! same [`Source`] trait (`crate::connector::ConnectorSource`).

use crate::event::Event;
use crate::store::RejectedInput;
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// How often a followed file is looked at again once its end is reached.
const FOLLOW_POLL: Duration = Duration::from_millis(200);

/// What a source hands to the router.
#[derive(Debug)]
pub enum SourceItem {
    Event(Box<Event>),
    /// Input that is not a valid event; recorded, never silently dropped.
    Rejected(RejectedInput),
    /// The wall clock, in a live run: every community's ticks are due up
    /// to this time (ms since the epoch), events or not.
    Clock(i64),
}

/// A stream of events. `spawn` starts it; the task ends when the input
/// ends (or, for live platforms, when the channel closes).
pub trait Source: Send + 'static {
    fn name(&self) -> String;
    fn spawn(self: Box<Self>, tx: mpsc::Sender<SourceItem>) -> JoinHandle<Result<()>>;
}

/// Normalised events as JSON Lines, from a file or standard input (`-`).
pub struct JsonLinesSource {
    path: PathBuf,
    follow: Option<watch::Receiver<bool>>,
}

impl JsonLinesSource {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        JsonLinesSource {
            path: path.into(),
            follow: None,
        }
    }

    /// Keeps reading the file as it grows (like `tail -f`) until `stop`
    /// turns true: lines appended are handled as they come, a last line
    /// still being written waits for its newline. (Standard input ends
    /// when it is closed, as without this.)
    pub fn following(mut self, stop: watch::Receiver<bool>) -> Self {
        self.follow = Some(stop);
        self
    }
}

impl Source for JsonLinesSource {
    fn name(&self) -> String {
        if self.path.as_os_str() == "-" {
            "stdin".into()
        } else {
            self.path.display().to_string()
        }
    }

    fn spawn(self: Box<Self>, tx: mpsc::Sender<SourceItem>) -> JoinHandle<Result<()>> {
        tokio::spawn(async move {
            let name = self.name();
            if self.path.as_os_str() == "-" {
                read_lines(tokio::io::stdin(), &name, tx, None).await
            } else {
                let file = tokio::fs::File::open(&self.path)
                    .await
                    .with_context(|| format!("cannot open event file {}", self.path.display()))?;
                read_lines(file, &name, tx, self.follow).await
            }
        })
    }
}

/// Reads lines until the end (when following, until `follow` turns true);
/// each valid one becomes an event, each bad one a rejection naming its
/// line number.
async fn read_lines(
    input: impl AsyncRead + Unpin,
    name: &str,
    tx: mpsc::Sender<SourceItem>,
    mut follow: Option<watch::Receiver<bool>>,
) -> Result<()> {
    let mut reader = BufReader::new(input);
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        reader
            .read_until(b'\n', &mut buf)
            .await
            .with_context(|| format!("cannot read {name}"))?;
        let complete = buf.ends_with(b"\n");
        if !complete {
            // The end of what is written so far.
            if let Some(stop) = follow.as_mut() {
                if !*stop.borrow() {
                    tokio::select! {
                        _ = tokio::time::sleep(FOLLOW_POLL) => {}
                        _ = stop.changed() => {}
                    }
                    if !*stop.borrow() {
                        continue;
                    }
                }
            }
            if buf.is_empty() {
                return Ok(());
            }
        }
        line_no += 1;
        let item = item_of(&buf, name, line_no);
        buf.clear();
        if let Some(item) = item {
            if tx.send(item).await.is_err() {
                return Ok(());
            }
        }
        if !complete {
            return Ok(());
        }
    }
}

/// What one line is: an event, a rejection, or nothing (a blank line).
fn item_of(bytes: &[u8], name: &str, line_no: u64) -> Option<SourceItem> {
    Some(match std::str::from_utf8(bytes) {
        Ok(line) if line.trim().is_empty() => return None,
        Ok(line) => match Event::from_json_line(line.trim_end()) {
            Ok(event) => SourceItem::Event(Box::new(event)),
            Err(e) => SourceItem::Rejected(RejectedInput {
                source: name.to_string(),
                line: line_no,
                error: e.to_string(),
                content: line.trim_end().to_string(),
            }),
        },
        Err(e) => SourceItem::Rejected(RejectedInput {
            source: name.to_string(),
            line: line_no,
            error: format!("not UTF-8: {e}"),
            content: String::from_utf8_lossy(bytes).into_owned(),
        }),
    })
}

/// The wall clock of a live run: a [`SourceItem::Clock`] at once (a start
/// or a restart ticks every community once, with the current time), then
/// every `every_ms`, until `stop` turns true. Runs fed from files keep
/// event time, and so the same output on every run.
pub struct ClockSource {
    every_ms: i64,
    stop: watch::Receiver<bool>,
}

impl ClockSource {
    pub fn new(every_ms: i64, stop: watch::Receiver<bool>) -> ClockSource {
        ClockSource { every_ms, stop }
    }
}

impl Source for ClockSource {
    fn name(&self) -> String {
        "clock".into()
    }

    fn spawn(mut self: Box<Self>, tx: mpsc::Sender<SourceItem>) -> JoinHandle<Result<()>> {
        tokio::spawn(async move {
            let every = Duration::from_millis(self.every_ms.max(1000) as u64);
            loop {
                if *self.stop.borrow() {
                    return Ok(());
                }
                let now = crate::connector::now_ms();
                if tx.send(SourceItem::Clock(now)).await.is_err() {
                    return Ok(());
                }
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    changed = self.stop.changed() => {
                        if changed.is_err() {
                            return Ok(());
                        }
                    }
                }
            }
        })
    }
}

/// Events handed over by the program itself (embedding, tests,
/// benchmarks): each event sent on the channel goes to the router; the
/// source ends when every sender is dropped.
pub struct ChannelSource {
    name: String,
    events: mpsc::Receiver<Event>,
}

impl ChannelSource {
    pub fn new(name: impl Into<String>, events: mpsc::Receiver<Event>) -> Self {
        ChannelSource {
            name: name.into(),
            events,
        }
    }
}

impl Source for ChannelSource {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn spawn(mut self: Box<Self>, tx: mpsc::Sender<SourceItem>) -> JoinHandle<Result<()>> {
        tokio::spawn(async move {
            while let Some(event) = self.events.recv().await {
                if tx.send(SourceItem::Event(Box::new(event))).await.is_err() {
                    break;
                }
            }
            Ok(())
        })
    }
}

/// Another source whose events are numbered as they are read, in
/// [`crate::executor::EventOrder`], before they go on: with
/// [`crate::executor::InEventOrder`], actions come out in event order.
pub struct Numbered {
    inner: Box<dyn Source>,
    index: usize,
    order: crate::executor::EventOrder,
    progress: Option<std::sync::Arc<crate::progress::Progress>>,
}

impl Numbered {
    /// `index`: the source's place among the run's sources.
    pub fn new(inner: Box<dyn Source>, index: usize, order: crate::executor::EventOrder) -> Self {
        Numbered {
            inner,
            index,
            order,
            progress: None,
        }
    }

    /// Counts each line read in `progress` (a big file's reading shows).
    pub fn counting(mut self, progress: std::sync::Arc<crate::progress::Progress>) -> Self {
        self.progress = Some(progress);
        self
    }
}

impl Source for Numbered {
    fn name(&self) -> String {
        self.inner.name()
    }

    fn spawn(self: Box<Self>, tx: mpsc::Sender<SourceItem>) -> JoinHandle<Result<()>> {
        let Numbered {
            inner,
            index,
            order,
            progress,
        } = *self;
        let (inner_tx, mut inner_rx) = mpsc::channel(1024);
        let reading = inner.spawn(inner_tx);
        tokio::spawn(async move {
            let mut rank = 0u64;
            while let Some(item) = inner_rx.recv().await {
                if let Some(progress) = &progress {
                    progress.inc(1);
                }
                if let SourceItem::Event(event) = &item {
                    order.record(&event.community, &event.id, index, rank);
                    rank += 1;
                }
                if tx.send(item).await.is_err() {
                    break;
                }
            }
            // The router is gone: let the inner source see it and stop.
            drop(inner_rx);
            reading
                .await
                .map_err(|e| anyhow::anyhow!("source task panicked: {e}"))?
        })
    }
}
