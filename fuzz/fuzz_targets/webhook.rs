//! A webhook request: its `X-Vigie-Signature` header and its body (one
//! event, an array, or JSON Lines), as `POST /events` checks them
//! (`webhook::verify`, then `webhook::parse_events`).
//!
//! The first byte picks the case: even, the body is signed with the right
//! key (so the fuzzer reaches the parser behind the signature); odd, the
//! header is the first line of the rest and the body what follows.
//!
//! Invariants: no panic; a right signature verifies and the same one over
//! a changed body does not; every event accepted passes validation,
//! survives the event log and belongs to the webhook's community.
//!
//! The check is `vigie_fuzz::host::webhook` (`src/host.rs`); the root test
//! suite runs it on this target's committed corpus too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vigie_fuzz::host::webhook(data));
