//! Integration tests: real compiled plugin components (built by
//! `host/build.rs` from `tests/plugins/` and `examples/`) through the real
//! host with a real sled store. One binary, one module per area.

mod env;

mod chain;
mod cli;
mod cluster;
mod console;
mod contests;
mod fault_proxy;
mod feed;
mod first_party;
mod fuzz_corpora;
mod golden;
mod hostile;
mod irc;
mod malformed;
mod matrix;
mod matrix_start;
mod nats;
mod process;
mod reload;
mod replay;
mod reports;
mod review;
mod sandbox;
mod scaffold;
mod shadow;
mod synapse;
mod tenancy;
mod time;
mod webhook;
