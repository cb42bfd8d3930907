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

/// Checks on the events the host's parsers make.
#[cfg(feature = "host")]
pub mod host {
    use vigie::Event;

    /// An event a connector made must pass the check every JSON Lines
    /// event passes, and survive the event log: written as JSON, it must
    /// read back as the same event (a replay must see what the live run
    /// saw).
    pub fn check_event(event: &Event) {
        if let Err(e) = event.validate() {
            panic!("a parser made an event that fails validation: {e}: {event:?}");
        }
        let stored = match serde_json::to_string(event) {
            Ok(stored) => stored,
            Err(e) => panic!("an event cannot be written to the event log: {e}: {event:?}"),
        };
        match Event::from_json_line(&stored) {
            Ok(back) => assert_same_event(&back, event),
            Err(e) => panic!("an event does not read back from the event log: {e}: {stored}"),
        }
    }

    /// `a == b`, but label values only within a relative 1e-12: serde_json
    /// without its `float_roundtrip` feature may read a float back one
    /// unit in the last place off, which changes nothing a plugin does.
    pub fn assert_same_event(a: &Event, b: &Event) {
        assert_eq!(a.labels.len(), b.labels.len());
        for (x, y) in a.labels.iter().zip(&b.labels) {
            let close = x.value == y.value
                || (x.value - y.value).abs() <= 1e-12 * x.value.abs().max(y.value.abs());
            assert!(
                close,
                "label {} read back as {} (was {})",
                x.key, x.value, y.value
            );
        }
        let strip = |e: &Event| {
            let mut e = e.clone();
            for l in &mut e.labels {
                l.value = 0.0;
            }
            e
        };
        assert_eq!(strip(a), strip(b), "the event read back is another event");
    }
}
