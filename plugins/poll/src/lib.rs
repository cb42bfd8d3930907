//! # poll: polls with anonymous ballots and a tally anyone can check
//!
//! A Vigie plugin for community polls, in French and English.
//!
//! - Someone (the staff by default) starts a poll:
//!   `!poll "Question ?" "A" "B" "C" 2h multi=2 anonymous results=end`
//!   (`!sondage « Question ? » « A » « B » 1j anonyme`). The plugin posts it
//!   with numbered answers (1️⃣ … 🔟), how to vote, the deadline and the
//!   options.
//! - People vote by reacting to the poll's message with 1️⃣ … 🔟 (the host
//!   labels such reactions `vigie.sent-by` / `vigie.sent-for`, which is how
//!   the plugin recognises its own poll) or with `!vote 2` (`!voter 2`,
//!   `!vote 1 3`, `!vote #4 2`). One ballot per user: a `!vote` replaces the
//!   ballot, a reaction adds a choice (up to `multi`), removing a reaction
//!   withdraws the choice it added. Eligibility as in the giveaway plugin.
//! - The poll ends at its deadline (on `tick`, or at the first event after
//!   it) or on `!poll end`; the results (counts, percentages, bars, winner or
//!   tie) are announced with the SHA-256 of the canonical ballot list, and
//!   the list itself, so that anyone can run `vigie verify-poll`
//!   ([`poll_tally`] defines the list, the hash and the counting).
//!
//! ## Anonymity by design
//!
//! Every poll draws a secret key from the host's randomness when it starts,
//! and its ballot ids are keyed pseudonyms of the voters, public poll or
//! not: the published list never names anyone. In an anonymous poll every
//! identity the plugin must remember — the voter (its ballot id), the
//! reaction that voted (to withdraw it when removed), the user told why a
//! vote was refused (rate limit), the poll's creator (who may end it) — is
//! stored as a keyed pseudonym under that key ([`poll_tally::pseudonym`],
//! HMAC-SHA256 with a domain per use), never as itself: no user id, name or
//! reaction event id goes to the store, the log or an action's reason. When
//! a poll closes (public or anonymous) the key is erased: from then on the
//! store, whole, cannot tell who cast which ballot. The README lists the
//! limits (the platform itself shows who reacted or typed `!vote`; the
//! host's operator can re-derive the key from the host's secret).
//!
//! All state lives in the key-value store ([`store`] documents the keys).
//! The logic is plain Rust ([`engine`]), tested natively with
//! [`vigie_sdk::TestHost`]; [`Poll`] is the thin [`Plugin`] on top.

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
pub struct Poll {
    config: Config,
}

impl Poll {
    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.config
    }
}

impl Plugin for Poll {
    fn describe() -> Description {
        vigie_sdk::describe(
            "poll",
            env!("CARGO_PKG_VERSION"),
            "Polls by reaction or command, anonymous ballots, verifiable tally",
        )
        .events([EventKind::Message, EventKind::Reaction, EventKind::Deletion])
        .actions([
            ActionKind::Post,
            ActionKind::Reply,
            ActionKind::React,
            ActionKind::Alert,
        ])
        .build()
    }

    fn configure(config: &str) -> Result<Self, String> {
        Ok(Poll {
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

vigie_sdk::export_plugin!(Poll);

#[cfg(test)]
mod tests;
