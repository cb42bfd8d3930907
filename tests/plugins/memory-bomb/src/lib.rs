//! `memory-bomb`: on a message containing "boom", allocates 1 MiB blocks,
//! touches every page of them and keeps them all, forever. It tests that the
//! host caps a plugin's linear memory and turns the failed growth into a
//! contained error, not an out-of-memory of the host process.

use vigie_sdk::{act, Action, ActionKind, Description, Event, EventKind, Host, Plugin};

pub struct Hostile;

impl Plugin for Hostile {
    fn describe() -> Description {
        vigie_sdk::describe(
            "memory-bomb",
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
            return Ok(vec![act::label("alive", 1.0, "memory-bomb is alive")]);
        }
        let _ = (host, event);
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            let mut block = vec![0u8; 1 << 20];
            for i in (0..block.len()).step_by(4096) {
                block[i] = 1;
            }
            hoard.push(std::hint::black_box(block));
        }
    }
}

vigie_sdk::export_plugin!(Hostile);
