//! `action-flood`: on a message containing "boom", returns 100 000 label
//! actions. It tests that the host caps the number of actions a plugin may
//! return for one event.

use vigie_sdk::{act, Action, ActionKind, Description, Event, EventKind, Host, Plugin};

pub struct Hostile;

impl Plugin for Hostile {
    fn describe() -> Description {
        vigie_sdk::describe(
            "action-flood",
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
            return Ok(vec![act::label("alive", 1.0, "action-flood is alive")]);
        }
        let _ = (host, event);
        Ok((0..100_000u32)
            .map(|i| act::label("flood", f64::from(i), "action-flood: flood"))
            .collect())
    }
}

vigie_sdk::export_plugin!(Hostile);
