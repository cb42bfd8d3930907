//! What the fuzz targets share: the check run on a plugin's config.

use vigie_sdk::{test_event, test_event_of, EventKind, Plugin, TestHost};

/// A plugin's config, as `Plugin::configure` receives it (JSON text from
/// the `config` table of `vigie.toml`, which users write).
///
/// Invariants checked:
/// - `configure` never panics;
/// - it is deterministic: the same text gives the same answer twice (an
///   error message that changed would point at hidden state);
/// - a config it accepts does not make the plugin panic on its first
///   events and tick: accepting a config that cannot run is the same bug
///   as a panic, found later, in production.
pub fn plugin_config<P: Plugin>(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let first = P::configure(text);
    let second = P::configure(text);
    match (&first, &second) {
        (Ok(_), Ok(_)) => {}
        (Err(a), Err(b)) => assert_eq!(a, b, "the same config gave two different errors"),
        _ => panic!("the same config was accepted once and refused once"),
    }
    let Ok(mut plugin) = first else {
        return;
    };
    let mut host = TestHost::new().seeded(7);
    let staff = {
        let mut e = test_event("e-2", "u-staff", "!help");
        e.author.is_staff = true;
        e.author.roles = vec!["moderator".into()];
        e
    };
    let mut join = test_event_of(EventKind::Join, "e-3", "u-new", "");
    join.author.account_age_days = Some(0);
    let events = [
        test_event(
            "e-1",
            "u-1",
            "Bonjour ! how do I get a refund? https://spam.example/x FREE FREE 🎉",
        ),
        staff,
        join,
    ];
    for event in &events {
        let _ = plugin.handle(&mut host, event);
    }
    let _ = plugin.tick(&mut host, 1_763_805_600_000 + 3_600_000);
}

/// The host targets' checks, one function a target (`fuzz_targets/` call
/// them). A file of its own because the root workspace's test suite
/// includes it too (`tests/all/fuzz_corpora.rs`): it replays the committed
/// corpora of these targets on every `cargo test --workspace`, so CI checks
/// them without the nightly build of the whole host.
#[cfg(feature = "host")]
pub mod host;
