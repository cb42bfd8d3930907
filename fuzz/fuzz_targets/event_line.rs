//! One JSON Lines event line, as a source reads it (`Event::from_json_line`
//! on the line less its trailing white space, as `source::item_of` does).
//!
//! Invariants: no panic; an accepted event survives the event log (written
//! as JSON, it reads back as the same event) and converts to the WIT
//! record plugins receive.
//!
//! The check is `vigie_fuzz::host::event_line` (`src/host.rs`); the root test
//! suite runs it on this target's committed corpus too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vigie_fuzz::host::event_line(data));
