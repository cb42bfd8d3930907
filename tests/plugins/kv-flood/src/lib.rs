//! `kv-flood`: on a message containing "boom", writes keys `flood/0` up to
//! `flood/999999` with a 1 KiB value each, ignoring refusals. It tests that
//! the host's per-plugin key-value quota stops it (the host refuses with
//! `quota-exceeded`, or traps the plugin). If the call ends normally it
//! returns the label `written` = number of writes the host accepted.

use vigie_sdk::{act, Action, ActionKind, Description, Event, EventKind, Host, Plugin};

pub struct Hostile;

impl Plugin for Hostile {
    fn describe() -> Description {
        vigie_sdk::describe(
            "kv-flood",
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
            return Ok(vec![act::label("alive", 1.0, "kv-flood is alive")]);
        }
        let value = [b'k'; 1024];
        let mut written = 0u32;
        for i in 0..1_000_000 {
            if host.kv_set(&format!("flood/{i}"), &value).is_ok() {
                written += 1;
            }
        }
        Ok(vec![act::label(
            "written",
            f64::from(written),
            "kv-flood: writes accepted",
        )])
    }
}

vigie_sdk::export_plugin!(Hostile);
