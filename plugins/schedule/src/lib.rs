//! # schedule: the community manager's editorial calendar
//!
//! A Vigie plugin that posts scheduled and recurring messages, in French
//! and English, on time and **exactly once per occurrence**.
//!
//! - **Posts** come from the config (`[[posts]]`: id, channel, `text` or
//!   `text_fr`/`text_en` — both go out as one message, French first —,
//!   `when`, and `repeat`/`days`/`interval`/`day_of_month` or an `rrule`,
//!   `until` or `count`) and from staff commands in chat
//!   (`!schedule add every monday 09:00 #general "…"`, `!planning ajouter
//!   demain 9h …`), which get ids `s1`, `s2`… ([`command`]).
//! - **When.** Local times in the community's `timezone` (default
//!   `Europe/Paris`), turned into instants by [`rule`]: an RFC 5545 RRULE
//!   subset, invalid dates skipped (the 31st, 29 February), times in the
//!   spring-forward gap moved forward by the gap, ambiguous ones taken at
//!   their first instant. [`rule::occurrences`] is the pure function the
//!   host and the tests use.
//! - **Exactly once.** Each post remembers in the key-value store the last
//!   occurrence it handled; a tick handles the occurrences after it up to
//!   `now`, posting the latest if it is at most `grace_s` late, skipping the
//!   others, and reporting every skip of a tick in **one** staff alert — a
//!   restart after downtime never bursts late posts ([`engine`]). The host
//!   commits the post and the new state together.
//! - **Pause** (`!schedule pause` / `!planning pause`): nothing goes out;
//!   what falls in the pause is skipped and reported, never sent late.
//! - **Quiet channels**: a post may be skipped (`skip_if_quiet_h`) or held
//!   until the next member message (`delay_if_quiet_h`, at most
//!   `delay_max_h`) when its channel had no member message for N hours;
//!   the plugin tracks the last member message per channel from `message`
//!   events.
//!
//! All state lives in the key-value store ([`store`] documents the keys).
//! The logic is plain Rust ([`engine`]), tested natively with
//! [`vigie_sdk::TestHost`]; [`Schedule`] is the thin [`Plugin`] on top.

use vigie_sdk::{Action, ActionKind, Description, Event, EventKind, Host, Plugin};

pub mod command;
pub mod config;
pub mod engine;
pub mod messages;
pub mod rule;
pub mod store;

pub use config::Config;
pub use rule::{occurrences, LocalTime, Rule, Zone};

/// The plugin: its configuration, nothing else (state is in the kv store).
#[derive(Debug, Clone)]
pub struct Schedule {
    config: Config,
}

impl Schedule {
    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.config
    }
}

impl Plugin for Schedule {
    fn describe() -> Description {
        vigie_sdk::describe(
            "schedule",
            env!("CARGO_PKG_VERSION"),
            "Editorial calendar: scheduled and recurring posts, exactly once, in the community's time zone",
        )
        .events([EventKind::Message])
        .actions([ActionKind::Post, ActionKind::Reply, ActionKind::Alert])
        .build()
    }

    fn configure(config: &str) -> Result<Self, String> {
        Ok(Schedule {
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

vigie_sdk::export_plugin!(Schedule);

#[cfg(test)]
mod tests;
