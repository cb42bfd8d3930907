//! # automod: drop-in moderation rules for Vigie
//!
//! Config-driven rules (word lists, regexes, links, spam and flood, who
//! posted), each with an id, conditions, actions, a priority and an optional
//! escalation ladder. The first matching rule by priority acts. With no
//! config at all the default French and English word lists apply (delete and
//! a warning), along with built-in rules against invitations, links from new
//! accounts, flood, repeated messages and mass mentions.
//!
//! The logic is plain Rust in modules, tested natively:
//! - [`normalize`]: folding with spans back to the original text;
//! - [`lists`]: word lists and whole-word matching against evasions;
//! - [`links`]: link detection and domain lists;
//! - [`flood`] and [`strikes`]: windows and strikes in the key-value store;
//! - [`config`] and [`rules`]: the config schema and rule evaluation.
//!
//! This file only binds them to the Vigie contract. See README.md for the
//! config keys.

pub mod abuse;
pub mod config;
pub mod flood;
pub mod links;
pub mod lists;
pub mod normalize;
pub mod rules;
pub mod strikes;

use vigie_sdk::{Action, ActionKind, Description, Event, EventKind, Host, Plugin};

/// The plugin: a compiled configuration.
pub struct Automod {
    engine: rules::Engine,
}

impl Automod {
    /// The compiled rules and lists.
    pub fn engine(&self) -> &rules::Engine {
        &self.engine
    }
}

impl Plugin for Automod {
    fn describe() -> Description {
        vigie_sdk::describe(
            "automod",
            env!("CARGO_PKG_VERSION"),
            "Drop-in moderation rules: word lists, links, spam, flood, escalation",
        )
        .events([EventKind::Message, EventKind::Edit])
        .actions([
            ActionKind::Delete,
            ActionKind::Reply,
            ActionKind::Post,
            ActionKind::Timeout,
            ActionKind::Kick,
            ActionKind::Ban,
            ActionKind::Flag,
            ActionKind::Label,
        ])
        .build()
    }

    fn configure(config: &str) -> Result<Self, String> {
        Ok(Automod {
            engine: rules::Engine::from_json(config)?,
        })
    }

    fn handle(&mut self, host: &mut impl Host, event: &Event) -> Result<Vec<Action>, String> {
        Ok(self.engine.handle(host, event))
    }

    fn tick(&mut self, host: &mut impl Host, now_ms: i64) -> Result<Vec<Action>, String> {
        self.engine.sweep(host, now_ms);
        Ok(Vec::new())
    }
}

vigie_sdk::export_plugin!(Automod);

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_sdk::{test_event, TestHost};

    #[test]
    fn describes_itself() {
        let d = Automod::describe();
        assert_eq!(d.name, "automod");
        assert_eq!(d.events, vec![EventKind::Message, EventKind::Edit]);
        assert_eq!(d.actions.len(), 8);
    }

    #[test]
    fn a_bare_component_moderates() {
        let mut p = Automod::configure("{}").unwrap();
        let mut host = TestHost::new();
        let out = p
            .handle(&mut host, &test_event("m1", "u1", "f.u.c.k this app"))
            .unwrap();
        assert!(matches!(out[0], Action::Delete(_)), "{out:?}");
        let out = p
            .handle(
                &mut host,
                &test_event("m2", "u2", "hello, thanks for the help!"),
            )
            .unwrap();
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn bad_config_is_refused_with_the_key() {
        let err = Automod::configure(r#"{"extra_word": ["x"]}"#)
            .err()
            .unwrap();
        assert!(err.contains("unknown field `extra_word`"), "{err}");
    }
}
