//! # giveaway: contests users can trust
//!
//! A Vigie plugin for community giveaways, in French and English.
//!
//! - A staff member starts a contest (`!giveaway start "Prize" 2h 3`, or
//!   `!concours lancer « Lot » 1j 2`), or the config schedules one; the
//!   plugin announces it with its rules and a **commitment**: the SHA-256 of
//!   a secret seed drawn from the host's randomness.
//! - People enter by starting a message with a keyword (`!participer`,
//!   `je participe`, `!enter`, `I'm in`…) in the contest's channel, or by
//!   reacting (🎉 by default) to the staff's start command message (the
//!   plugin cannot know the id the host gives its own announcement) or to a
//!   message listed in `reaction_message_ids`. One entry per user; minimum
//!   account age, required roles and staff exclusion apply; bonus entries
//!   exist only when the config lists them, and the announcement says so.
//! - At the deadline (on `tick`, or at the first event after it) or on
//!   `!giveaway end`, the plugin draws N distinct winners with
//!   [`giveaway_draw`] and publishes the seed, the SHA-256 of the canonical
//!   entry list, the list itself and the winners, so that anyone can run
//!   `vigie verify-draw`.
//! - `!giveaway reroll @user` replaces that winner by the next pick of the
//!   same draw, never a previous winner.
//!
//! All state lives in the key-value store ([`store`] documents the keys).
//! The logic is plain Rust ([`engine`]), tested natively with
//! [`vigie_sdk::TestHost`]; [`Giveaway`] is the thin [`Plugin`] on top.

use vigie_sdk::{Action, ActionKind, Description, Event, EventKind, Host, Plugin};

pub mod command;
pub mod config;
pub mod engine;
pub mod messages;
pub mod store;
pub mod time;

pub use config::Config;

/// The plugin: its configuration, nothing else (state is in the kv store).
#[derive(Debug, Clone)]
pub struct Giveaway {
    config: Config,
}

impl Giveaway {
    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.config
    }
}

impl Plugin for Giveaway {
    fn describe() -> Description {
        vigie_sdk::describe(
            "giveaway",
            env!("CARGO_PKG_VERSION"),
            "Verifiable giveaways: entries by keyword or reaction, provably fair draws",
        )
        .events([EventKind::Message, EventKind::Reaction])
        .actions([
            ActionKind::Post,
            ActionKind::Reply,
            ActionKind::React,
            ActionKind::DirectMessage,
        ])
        .build()
    }

    fn configure(config: &str) -> Result<Self, String> {
        Ok(Giveaway {
            config: Config::parse(config)?,
        })
    }

    fn handle(&mut self, host: &mut impl Host, event: &Event) -> Result<Vec<Action>, String> {
        engine::handle(&self.config, host, event)
    }

    fn tick(&mut self, host: &mut impl Host, now_ms: i64) -> Result<Vec<Action>, String> {
        engine::tick(&self.config, host, now_ms)
    }
}

vigie_sdk::export_plugin!(Giveaway);

#[cfg(test)]
mod tests;
