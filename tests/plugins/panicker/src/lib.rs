//! `panicker`: on a message containing "boom", panics (plugins are built with
//! `panic = "abort"`, so this is a trap). It tests that a trapping plugin only
//! loses its own result for that event and that its instance is replaced.

use vigie_sdk::{act, Action, ActionKind, Description, Event, EventKind, Host, Plugin};

pub struct Hostile;

impl Plugin for Hostile {
    fn describe() -> Description {
        vigie_sdk::describe(
            "panicker",
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
            return Ok(vec![act::label("alive", 1.0, "panicker is alive")]);
        }
        let _ = host;
        panic!("panicker: boom (event {})", event.id)
    }
}

vigie_sdk::export_plugin!(Hostile);
