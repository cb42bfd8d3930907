//! Executors receive every decided plan after its commit: they print it or
//! write it as JSON Lines (a dry run, a log). Carrying actions out on a
//! platform is `crate::delivery`'s job, from the durable outbox.

use crate::action::DecidedAction;
use anyhow::{Context, Result};
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
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        Ok(self.out.flush()?)
    }
}

/// Prints one readable line per action (community, channel, plugin, action,
/// reason). Labels (one per message with a sentiment plugin) are shown only
/// when asked for; the summary counts them either way.
#[derive(Default)]
pub struct ConsoleExecutor {
    pub show_labels: bool,
}

impl Executor for ConsoleExecutor {
    fn execute(&mut self, actions: &[DecidedAction]) -> Result<()> {
        let mut out = std::io::stdout().lock();
        for action in actions {
            if !self.show_labels && action.action.kind() == crate::ActionKind::Label {
                continue;
            }
            writeln!(out, "{}", action.one_line())?;
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
