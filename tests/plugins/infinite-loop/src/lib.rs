//! `infinite-loop`: on a message containing "boom", spins forever without
//! calling the host. It tests that the host interrupts a runaway plugin (fuel
//! or epoch deadline), drops only that plugin's result and keeps serving.

use vigie_sdk::{act, Action, ActionKind, Description, Event, EventKind, Host, Plugin};

pub struct Hostile;

impl Plugin for Hostile {
    fn describe() -> Description {
        vigie_sdk::describe(
            "infinite-loop",
            "1.0.0",
            "Hostile test plugin: misbehaves on \"boom\"",
        )
        .events([EventKind::Message])
        .actions([ActionKind::Label])
        .build()
    }

    fn configure(_config: &str) -> Result<Self, String> {
        Ok(Hostile)
    }

    fn handle(&mut self, host: &mut impl Host, event: &Event) -> Result<Vec<Action>, String> {
        if !event.text.contains("boom") {
            return Ok(vec![act::label("alive", 1.0, "infinite-loop is alive")]);
        }
        let _ = (host, event);
        let mut counter: u64 = 1;
        loop {
            counter = counter.wrapping_add(1);
            // black_box hides the value from the optimiser: the loop stays,
            // and it would take 2^64 rounds to exit.
            if std::hint::black_box(counter) == 0 {
                break;
            }
        }
        Ok(vec![])
    }
}

vigie_sdk::export_plugin!(Hostile);
