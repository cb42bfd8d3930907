//! One JSON Lines event line, as a source reads it (`Event::from_json_line`
//! on the line less its trailing white space, as `source::item_of` does).
//!
//! Invariants: no panic; an accepted event survives the event log (written
//! as JSON, it reads back as the same event) and converts to the WIT
//! record plugins receive.
#![no_main]

use vigie::Event;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    if line.trim().is_empty() {
        return;
    }
    let Ok(event) = Event::from_json_line(line.trim_end()) else {
        return;
    };
    vigie_fuzz::host::check_event(&event);
    let _ = event.to_wit();
    let _ = vigie::event::format_ms(event.timestamp_ms());
});
