//! `ungranted`: on a message containing "boom", asks to ban the author,
//! although the test config grants it only `label`. It tests that the host
//! refuses actions outside a plugin's grant even when `describe` lists them.

use vigie_sdk::{act, Action, ActionKind, Description, Event, EventKind, Host, Plugin};

pub struct Hostile;

impl Plugin for Hostile {
    fn describe() -> Description {
        vigie_sdk::describe(
            "ungranted",
            "1.0.0",
            "Hostile test plugin: misbehaves on \"boom\"",
        )
        .events([EventKind::Message])
        .actions([ActionKind::Label, ActionKind::Ban])
        .build()
    }

    fn configure(_config: &str) -> Result<Self, String> {
        Ok(Hostile)
    }

    fn handle(&mut self, host: &mut impl Host, event: &Event) -> Result<Vec<Action>, String> {
        if !event.text.contains("boom") {
            return Ok(vec![act::label("alive", 1.0, "ungranted is alive")]);
        }
        let _ = host;
        Ok(vec![act::ban(event, None, "ungranted: tries to ban")])
    }
}

vigie_sdk::export_plugin!(Hostile);
