//! `deep-recursion`: on a message containing "boom", recurses without bound
//! (not a tail call) until the WebAssembly stack overflows. It tests that the
//! host survives a guest stack overflow trap and keeps serving.

use vigie_sdk::{act, Action, ActionKind, Description, Event, EventKind, Host, Plugin};

pub struct Hostile;

impl Plugin for Hostile {
    fn describe() -> Description {
        vigie_sdk::describe(
            "deep-recursion",
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
            return Ok(vec![act::label("alive", 1.0, "deep-recursion is alive")]);
        }
        let _ = host;
        let depth = dive(event.text.len() as u64);
        Ok(vec![act::label(
            "depth",
            depth as f64,
            "deep-recursion came back",
        )])
    }
}

/// Recurses until the stack overflows; black_box keeps every frame alive and
/// stops the optimiser from turning the recursion into a loop.
fn dive(depth: u64) -> u64 {
    let frame = std::hint::black_box([depth; 16]);
    if std::hint::black_box(depth) == u64::MAX {
        return 0;
    }
    let below = dive(std::hint::black_box(depth + 1));
    std::hint::black_box(frame)[7].wrapping_add(below)
}

vigie_sdk::export_plugin!(Hostile);
