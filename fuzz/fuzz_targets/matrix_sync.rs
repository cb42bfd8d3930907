//! A Matrix `/sync` reply, as the sync loop reads it
//! (`Matrix::absorb_sync_body`: the JSON, power levels from room state,
//! then each timeline event normalised). The homeserver is a stranger too:
//! any server a user points the bot at.
//!
//! Invariants: no panic; every event made passes validation, survives the
//! event log and belongs to the connector's community; the bot's own
//! events are skipped.
//!
//! The check is `vigie_fuzz::host::matrix_sync` (`src/host.rs`); the root test
//! suite runs it on this target's committed corpus too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vigie_fuzz::host::matrix_sync(data));
