//! Crash points, for the tests only: `VIGIE_CLUSTER_CRASH=POINT:N` makes a
//! debug build of the host abort (`std::process::abort`: no destructor, no
//! flush, as a power cut or an OOM kill would) the `N`-th time it reaches
//! `POINT`. The tests restart the host and check that nothing was lost and
//! nothing happened twice. Release builds never read the variable.
//!
//! The points, in the order an event goes through them:
//!
//! - `after-commit`: the event's fenced state (with its actions) was
//!   written; its actions are not published, the event is not acked;
//! - `after-publish`: its actions are stored in `VIGIE_OUT`; the event is
//!   not acked;
//! - `before-action-ack`: an action received from `VIGIE_OUT` is in the
//!   local outbox; its message is not acked;
//! - `after-action-ack`: that message is acked; the action may not have
//!   been carried out yet.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The variable naming the crash point and the count.
pub const CRASH_VAR: &str = "VIGIE_CLUSTER_CRASH";

/// Where a host may be made to crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashPoint {
    AfterCommit,
    AfterPublish,
    BeforeActionAck,
    AfterActionAck,
}

impl CrashPoint {
    fn name(self) -> &'static str {
        match self {
            CrashPoint::AfterCommit => "after-commit",
            CrashPoint::AfterPublish => "after-publish",
            CrashPoint::BeforeActionAck => "before-action-ack",
            CrashPoint::AfterActionAck => "after-action-ack",
        }
    }

    fn parse(name: &str) -> Option<CrashPoint> {
        [
            CrashPoint::AfterCommit,
            CrashPoint::AfterPublish,
            CrashPoint::BeforeActionAck,
            CrashPoint::AfterActionAck,
        ]
        .into_iter()
        .find(|p| p.name() == name)
    }
}

/// The crash asked for, if any: the point and on which time it is reached.
fn armed() -> Option<(CrashPoint, u64)> {
    static ARMED: OnceLock<Option<(CrashPoint, u64)>> = OnceLock::new();
    *ARMED.get_or_init(|| {
        if !cfg!(debug_assertions) {
            return None;
        }
        let value = std::env::var(CRASH_VAR).ok()?;
        let parsed = value
            .split_once(':')
            .and_then(|(point, n)| Some((CrashPoint::parse(point)?, n.parse::<u64>().ok()?)));
        if parsed.is_none() {
            // A typo would make a crash test pass without crashing.
            eprintln!("{CRASH_VAR}={value}: not POINT:N with a known point; aborting");
            std::process::abort();
        }
        parsed
    })
}

/// Aborts the process if this is the armed point's `N`-th time.
pub(crate) fn reached(point: CrashPoint) {
    static TIMES: AtomicU64 = AtomicU64::new(0);
    let Some((armed, n)) = armed() else { return };
    if armed != point {
        return;
    }
    if TIMES.fetch_add(1, Ordering::SeqCst) + 1 == n {
        // Unbuffered: the test reads it in the host's log.
        eprintln!(
            "cluster: crash point {} reached ({n}); aborting",
            point.name()
        );
        std::process::abort();
    }
}
