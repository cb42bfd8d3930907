//! Feed documents (RSS 2.0, Atom, JSON Feed: `feed::parse::parse_feed`) and
//! watched pages (`feed::page::blocks`, then `changes`), as a poll reads
//! what a site serves.
//!
//! The first byte picks the reader: even, a feed, each item turned into
//! its event (`feed::item_event`); odd, a page, with and without a CSS
//! selector, compared with itself and with an earlier version.
//!
//! Invariants: no panic; every event made passes validation and survives
//! the event log; a page compared with itself has no change.
//!
//! The check is `vigie_fuzz::host::feed` (`src/host.rs`); the root test
//! suite runs it on this target's committed corpus too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vigie_fuzz::host::feed(data));
