//! `huge-output`: on a message containing "boom", returns one reply whose
//! text is 8 MiB long. It tests that the host caps the size of what a plugin
//! returns (text lengths, total output) before acting on it.

use vigie_sdk::{act, Action, ActionKind, Description, Event, EventKind, Host, Plugin};

pub struct Hostile;

impl Plugin for Hostile {
    fn describe() -> Description {
        vigie_sdk::describe(
            "huge-output",
            "1.0.0",
            "Hostile test plugin: misbehaves on \"boom\"",
        )
        .events([EventKind::Message])
        .actions([ActionKind::Label, ActionKind::Reply])
        .build()
    }

    fn configure(_config: &str) -> Result<Self, String> {
        Ok(Hostile)
    }

    fn handle(&mut self, host: &mut impl Host, event: &Event) -> Result<Vec<Action>, String> {
        if !event.text.contains("boom") {
            return Ok(vec![act::label("alive", 1.0, "huge-output is alive")]);
        }
        let _ = host;
        Ok(vec![act::reply(
            event,
            "x".repeat(8 << 20),
            "huge-output: 8 MiB reply",
        )])
    }
}

vigie_sdk::export_plugin!(Hostile);
