//! `vigie.toml` (`Config::parse`): written by users, often copied from
//! examples and edited by hand.
//!
//! Invariants: no panic (errors point at a line, computed from spans: a
//! span that is not on a character boundary would panic); parsing is
//! deterministic; every plugin entry of an accepted config resolves (its
//! limits merged, its config turned into the JSON the plugin receives) or
//! says why not.
//!
//! The check is `vigie_fuzz::host::vigie_toml` (`src/host.rs`); the root test
//! suite runs it on this target's committed corpus too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vigie_fuzz::host::vigie_toml(data));
