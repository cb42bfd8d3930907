//! Executors receive every decided plan after its commit: they print it or
//! write it as JSON Lines (a dry run, a log). Carrying actions out on a
//! platform is `crate::delivery`'s job, from the durable outbox.

use crate::action::DecidedAction;
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Receives every merged plan, in the order communities decided it.
pub trait Executor: Send + 'static {
    fn execute(&mut self, actions: &[DecidedAction]) -> Result<()>;
    /// Called once when the input has ended.
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}

/// Writes each action as one JSON object per line.
pub struct JsonLinesExecutor {
    out: Box<dyn Write + Send>,
}

impl JsonLinesExecutor {
    pub fn stdout() -> Self {
        JsonLinesExecutor {
            out: Box::new(std::io::stdout()),
        }
    }

    /// Appends to `path` (`-` is stdout).
    pub fn file(path: &Path) -> Result<Self> {
        if path == Path::new("-") {
            return Ok(Self::stdout());
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open action sink {}", path.display()))?;
        Ok(JsonLinesExecutor {
            out: Box::new(std::io::BufWriter::new(file)),
        })
    }
}

impl Executor for JsonLinesExecutor {
    fn execute(&mut self, actions: &[DecidedAction]) -> Result<()> {
        for action in actions {
            serde_json::to_writer(&mut self.out, action)?;
            self.out.write_all(b"\n")?;
        }
        // A live host hands plans over as they are decided: each one is in
        // the file at once (`tail -f actions.jsonl`), not at the stop.
        Ok(self.out.flush()?)
    }
    fn finish(&mut self) -> Result<()> {
        Ok(self.out.flush()?)
    }
}

/// Prints one readable line per action (community, channel, plugin, action,
/// reason). Labels (one per message with a sentiment plugin) are shown only
/// when asked for; the summary counts them either way.
/// A header names the columns before the first line; texts are shortened
/// to keep one line each unless `wide`, and the end says how to see them
/// whole.
#[derive(Default)]
pub struct ConsoleExecutor {
    pub show_labels: bool,
    /// Texts (replies, posts, reasons) whole instead of shortened.
    pub wide: bool,
    header_printed: bool,
    shortened: bool,
}

impl ConsoleExecutor {
    pub fn new(show_labels: bool, wide: bool) -> ConsoleExecutor {
        ConsoleExecutor {
            show_labels,
            wide,
            ..Default::default()
        }
    }
}

impl Executor for ConsoleExecutor {
    fn execute(&mut self, actions: &[DecidedAction]) -> Result<()> {
        let mut out = std::io::stdout().lock();
        for action in actions {
            if !self.show_labels && action.action.kind() == crate::ActionKind::Label {
                continue;
            }
            if !self.header_printed {
                self.header_printed = true;
                writeln!(out, "{}", DecidedAction::one_line_header())?;
            }
            let line = action.one_line_wide(self.wide);
            if !self.wide && !self.shortened && line != action.one_line_wide(true) {
                self.shortened = true;
            }
            writeln!(out, "{line}")?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        std::io::stdout().lock().flush()?;
        if self.shortened {
            eprintln!(
                "(long texts were shortened to one line: --wide prints them whole, --json prints \
                 every field of every action)"
            );
        }
        Ok(())
    }
}

/// Keeps actions in memory (tests, benchmarks).
#[derive(Clone, Default)]
pub struct CollectExecutor(pub Arc<Mutex<Vec<DecidedAction>>>);

impl CollectExecutor {
    pub fn actions(&self) -> Vec<DecidedAction> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Executor for CollectExecutor {
    fn execute(&mut self, actions: &[DecidedAction]) -> Result<()> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(actions);
        Ok(())
    }
}

/// Sends every plan to several executors.
pub struct Fanout(pub Vec<Box<dyn Executor>>);

impl Executor for Fanout {
    fn execute(&mut self, actions: &[DecidedAction]) -> Result<()> {
        self.0.iter_mut().try_for_each(|e| e.execute(actions))
    }
    fn finish(&mut self) -> Result<()> {
        self.0.iter_mut().try_for_each(|e| e.finish())
    }
}

/// Where each event stands in the input: its source's index and its rank
/// among that source's events, by (community, event id). Filled by
/// [`crate::source::Numbered`] as events are read, before they go on.
#[derive(Clone, Default)]
pub struct EventOrder(Arc<Mutex<HashMap<EventKey, Place>>>);

/// (community, event id).
type EventKey = (String, String);
/// (source index, rank among that source's events).
type Place = (usize, u64);

impl EventOrder {
    /// Notes the place of an event; an id seen before keeps its first place
    /// (the copy is skipped as already handled).
    pub fn record(&self, community: &str, id: &str, source: usize, rank: u64) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((community.to_string(), id.to_string()))
            .or_insert((source, rank));
    }

    fn place(&self, community: &str, id: &str) -> Option<Place> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(community.to_string(), id.to_string()))
            .copied()
    }
}

/// Hands actions on in the order of the events that led to them (the
/// sources' order, line by line), whatever order the communities, which
/// run in parallel, decided them in: the output of a run over files is the
/// same every time. It holds the actions until the input has ended
/// ([`Executor::finish`]), so it suits finite inputs, not live platforms.
///
/// An action of a `tick` follows the actions of the last event of its
/// community before it.
pub struct InEventOrder {
    inner: Box<dyn Executor>,
    order: EventOrder,
    held: Vec<(Place, DecidedAction)>,
    /// Per community, the place of its last action's event.
    last: HashMap<String, Place>,
}

impl InEventOrder {
    pub fn new(inner: Box<dyn Executor>, order: EventOrder) -> Self {
        InEventOrder {
            inner,
            order,
            held: Vec::new(),
            last: HashMap::new(),
        }
    }
}

impl Executor for InEventOrder {
    fn execute(&mut self, actions: &[DecidedAction]) -> Result<()> {
        for action in actions {
            let known = action
                .event_id
                .as_deref()
                .and_then(|id| self.order.place(&action.community, id));
            let place = match known {
                Some(place) => place,
                // A tick's action (or one of an event not read from the
                // numbered sources): after what its community did last.
                None => self
                    .last
                    .get(&action.community)
                    .copied()
                    .unwrap_or((usize::MAX, u64::MAX)),
            };
            self.last.insert(action.community.clone(), place);
            self.held.push((place, action.clone()));
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        let mut held = std::mem::take(&mut self.held);
        // Stable: the actions of one event (and the ticks after it) keep
        // the order their community decided them in.
        held.sort_by_key(|(place, _)| *place);
        let actions: Vec<DecidedAction> = held.into_iter().map(|(_, a)| a).collect();
        if !actions.is_empty() {
            self.inner.execute(&actions)?;
        }
        self.inner.finish()
    }
}
