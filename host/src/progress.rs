//! Progress of long work (compiling a component, a replay over a long event
//! log, a big JSON Lines run), on stderr: a line redrawn in place on a
//! terminal, a plain line every few seconds otherwise (a log file, CI).
//! Work that ends within a second shows nothing.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Nothing is shown before the work has lasted this long.
const QUIET_START: Duration = Duration::from_secs(1);
/// How often a terminal line is redrawn.
const REDRAW: Duration = Duration::from_millis(100);
/// How often a plain line is written when stderr is not a terminal;
/// `VIGIE_PROGRESS_EVERY_MS` changes it (and the quiet start), for logs
/// that want more or fewer lines.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

fn plain_every() -> Duration {
    std::env::var("VIGIE_PROGRESS_EVERY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(PLAIN_EVERY, Duration::from_millis)
}

/// Work of `total` steps (or of unknown length), counted with
/// [`Progress::inc`]; [`Progress::finish`] (or drop) ends the line.
pub struct Progress {
    label: String,
    total: Option<u64>,
    done: AtomicU64,
    started: Instant,
    last: Mutex<Option<Instant>>,
    terminal: bool,
    /// Between plain lines (and before the first).
    every: Duration,
    shown: AtomicBool,
    finished: AtomicBool,
}

impl Progress {
    pub fn new(label: impl Into<String>, total: Option<u64>) -> Progress {
        Progress {
            label: label.into(),
            total,
            done: AtomicU64::new(0),
            started: Instant::now(),
            last: Mutex::new(None),
            terminal: std::io::stderr().is_terminal(),
            every: plain_every(),
            shown: AtomicBool::new(false),
            finished: AtomicBool::new(false),
        }
    }

    /// Work without steps: the elapsed time is shown, by a thread of its
    /// own, until the returned guard is dropped.
    pub fn ticking(label: impl Into<String>) -> Ticking {
        let progress = Arc::new(Progress::new(label, None));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (progress.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("vigie-progress".into())
            .spawn(move || {
                while !s.load(Ordering::Acquire) {
                    std::thread::sleep(REDRAW);
                    p.show(false);
                }
            })
            .ok();
        Ticking {
            progress,
            stop,
            thread,
        }
    }

    pub fn inc(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
        self.show(false);
    }

    /// Ends the line (with the final count, if anything was shown).
    pub fn finish(&self) {
        if !self.finished.swap(true, Ordering::AcqRel) {
            self.show(true);
        }
    }

    fn show(&self, last: bool) {
        let elapsed = self.started.elapsed();
        if elapsed < QUIET_START.min(self.every) && !(last && self.shown.load(Ordering::Acquire)) {
            return;
        }
        if last && !self.shown.load(Ordering::Acquire) {
            return;
        }
        let every = if self.terminal { REDRAW } else { self.every };
        {
            let mut previous = self.last.lock().unwrap_or_else(|p| p.into_inner());
            let due = previous.is_none_or(|t| t.elapsed() >= every);
            if !due && !last {
                return;
            }
            if !self.terminal && previous.is_none() && elapsed < self.every && !last {
                return;
            }
            *previous = Some(Instant::now());
        }
        self.shown.store(true, Ordering::Release);
        let line = self.line(elapsed);
        let mut err = std::io::stderr().lock();
        let _ = if self.terminal {
            write!(err, "\r\x1b[2K{line}{}", if last { "\n" } else { "" })
        } else {
            writeln!(err, "{line}{}", if last { " (done)" } else { "" })
        };
        let _ = err.flush();
    }

    fn line(&self, elapsed: Duration) -> String {
        let done = self.done.load(Ordering::Relaxed);
        let secs = elapsed.as_secs_f64();
        match self.total {
            Some(total) if total > 0 => {
                let share = (done as f64 / total as f64).min(1.0);
                let bar = if self.terminal {
                    let filled = (share * 30.0).round() as usize;
                    format!(" [{}{}]", "#".repeat(filled), "-".repeat(30 - filled))
                } else {
                    String::new()
                };
                format!(
                    "{}{bar} {done} of {total} ({:.0} %), {secs:.1} s",
                    self.label,
                    share * 100.0
                )
            }
            _ if done > 0 => format!("{}: {done}, {secs:.1} s", self.label),
            _ => format!("{}… {secs:.0} s", self.label),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// A [`Progress::ticking`] line; dropping it ends the line.
pub struct Ticking {
    progress: Arc<Progress>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Ticking {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.progress.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(label: &str, total: Option<u64>, terminal: bool) -> Progress {
        let mut p = Progress::new(label, total);
        p.terminal = terminal;
        p
    }

    #[test]
    fn lines_say_the_count_the_share_and_the_time() {
        let p = on("replaying events", Some(200), false);
        p.done.store(50, Ordering::Relaxed);
        assert_eq!(
            p.line(Duration::from_millis(2500)),
            "replaying events 50 of 200 (25 %), 2.5 s"
        );
        let t = on("x", Some(4), true);
        t.done.store(2, Ordering::Relaxed);
        assert!(t.line(Duration::ZERO).contains(&format!(
            "[{}{}] 2 of 4 (50 %)",
            "#".repeat(15),
            "-".repeat(15)
        )));
        let spin = on("compiling p.wasm", None, false);
        assert_eq!(spin.line(Duration::from_secs(3)), "compiling p.wasm… 3 s");
    }
}
