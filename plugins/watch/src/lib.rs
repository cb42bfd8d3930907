//! # watch: la veille — who talks about the brand and its competitors, how, and where
//!
//! A Vigie plugin for the web watch. The `feed` connector (host) turns
//! feed items and watched pages into `mention` events; this plugin matches
//! them against **topics** (the brand, its products, each competitor),
//! each a boolean query ([`query`]: AND, OR, NOT, "phrases", `NEAR/n`,
//! fields, `lang:fr`) run on the same folded words as automod.
//!
//! - Each match is **labelled** `watch.topic` (note: the topic id; value:
//!   the sentiment score when the sentiment plugin ran before, else 0).
//! - **Alerts** to the staff ([`engine`]): a negative mention from an
//!   important source; a spike of a topic's mentions over its own
//!   baseline (mean + k·σ of the same hour on the previous days, with a
//!   minimum count, Huginn's peak detector); a jump of the negative share
//!   over 24 hours. Each quotes the matched text with its link.
//! - A **daily digest** to the staff channel at a local time: mentions and
//!   their sentiment split, share of voice per day and over 7 days, the
//!   top mentions with their links, the new sources.
//!
//! All texts in French and English ([`messages`]). State lives in the
//! key-value store; the logic is plain Rust tested natively.

use vigie_sdk::{Action, ActionKind, Description, Event, EventKind, Host, Plugin};

pub mod config;
pub mod engine;
pub mod messages;
pub mod query;

pub use config::Config;
pub use query::Query;

/// The plugin: its checked configuration (state is in the kv store).
#[derive(Debug, Clone)]
pub struct Watch {
    config: Config,
}

impl Watch {
    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.config
    }
}

impl Plugin for Watch {
    fn describe() -> Description {
        vigie_sdk::describe(
            "watch",
            env!("CARGO_PKG_VERSION"),
            "La veille: matches web mentions against brand and competitor topics, alerts, share of voice, daily digest",
        )
        .events([EventKind::Mention, EventKind::Message])
        .actions([ActionKind::Label, ActionKind::Alert, ActionKind::Post])
        .build()
    }

    fn configure(config: &str) -> Result<Self, String> {
        Ok(Watch {
            config: Config::parse(config)?,
        })
    }

    fn handle(&mut self, host: &mut impl Host, event: &Event) -> Result<Vec<Action>, String> {
        Ok(engine::handle(&self.config, host, event))
    }

    fn tick(&mut self, host: &mut impl Host, now_ms: i64) -> Result<Vec<Action>, String> {
        Ok(engine::tick(&self.config, host, now_ms))
    }
}

vigie_sdk::export_plugin!(Watch);

#[cfg(test)]
mod tests;
