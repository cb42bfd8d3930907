//! What an IRC server sends: lines with IRCv3 tags, a prefix, a command
//! and parameters, read by a registered session (`Irc::absorb_server_bytes`:
//! `Message::parse`, then the session's tracking of names, modes and
//! ISUPPORT, then the events). Each input is a fresh session's stream.
//!
//! Invariants: no panic; every event made passes validation and survives
//! the event log; it belongs to the connector's community and platform.
//!
//! The check is `vigie_fuzz::host::irc_line` (`src/host.rs`); the root test
//! suite runs it on this target's committed corpus too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vigie_fuzz::host::irc_line(data));
