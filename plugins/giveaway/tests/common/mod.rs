//! Helpers shared by the golden and perf tests: the demo events, their
//! replay, a digest of decisions and a small deterministic generator (from
//! `vigie-testkit`), with the giveaway's own timing of turns.

#![allow(dead_code, unused_imports)]

use vigie_sdk::Event;
pub use vigie_testkit::{demo_events, event, fnv1a, Clock, Digest, Rng};

/// Three hours between turns: contests left open reach their deadline.
pub const TURNS: Clock = Clock::Turns(3 * 3_600_000);

/// The demo events replayed `turns` times (see [`vigie_testkit::replay`]).
/// With [`TURNS`], the staff's `!giveaway end` of every other turn is
/// dropped, so that contests also end at their deadline.
pub fn replay(turns: usize, clock: Clock) -> Vec<Event> {
    let mut events = vigie_testkit::replay(turns, clock);
    if clock == TURNS {
        events.retain(|e| {
            e.text != "!giveaway end" || vigie_testkit::turn_of(e).is_some_and(|k| k % 2 == 0)
        });
    }
    events
}
