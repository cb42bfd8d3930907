//! # faq — answers to the questions asked every day
//!
//! Matches messages, mentions and direct messages against the example
//! questions of configured entries (French and English, accents folded,
//! stop words and light stemming, typo tolerance, synonyms; see
//! [`index`]), and replies with the entry's answer in the language of the
//! question. Per-channel and per-user cooldowns keep it from repeating
//! itself; it never answers staff, a message an earlier plugin deleted or
//! stopped, or a message that is not a question. A question it cannot
//! answer that mentions the brand can be flagged for a human.
//!
//! With no config (`{}`) it has no entries and answers nothing. See the
//! README for every config key and `acme.toml` for a complete example.

pub mod config;
pub mod cooldown;
pub mod engine;
pub mod index;
pub mod normalize;
pub mod question;
pub mod template;
pub mod text;
pub mod vocabulary;

use vigie_sdk::{
    act, Action, ActionKind, Description, Event, EventKind, Host, LabelAction, Level, Plugin,
};

use engine::Engine;
use index::Scratch;
use text::Tokens;

/// The plugin.
pub struct Faq {
    engine: Engine,
    /// Folded, compacted brand names.
    brand: Vec<String>,
    /// Working memory of the matching, reused from event to event.
    scratch: Scratch,
    tokens: Tokens,
}

/// Earlier actions after which the FAQ stays silent: the message is gone,
/// the chain was stopped, or its author is being sanctioned.
const SILENCED_BY: &[ActionKind] = &[
    ActionKind::Delete,
    ActionKind::Stop,
    ActionKind::Ban,
    ActionKind::Kick,
    ActionKind::Timeout,
];

/// How many expired cooldown keys a tick may look at, per kind.
const SWEEP_LIMIT: u32 = 500;

impl Faq {
    /// The configured engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    fn mentions_brand(&mut self, text: &str) -> bool {
        if self.brand.is_empty() {
            return false;
        }
        self.tokens.tokenize(text);
        let words = self.tokens.toks();
        let mut joined = String::new();
        (0..words.len()).any(|i| {
            joined.clear();
            for w in &words[i..] {
                joined.push_str(self.tokens.word(w));
                if self.brand.iter().any(|b| joined.starts_with(b.as_str())) {
                    return true;
                }
                if self.brand.iter().all(|b| joined.len() >= b.len()) {
                    break;
                }
            }
            false
        })
    }
}

impl Plugin for Faq {
    fn describe() -> Description {
        vigie_sdk::describe(
            "faq",
            env!("CARGO_PKG_VERSION"),
            "Answers the questions asked every day, in French and English",
        )
        .events([
            EventKind::Message,
            EventKind::Mention,
            EventKind::DirectMessage,
        ])
        .actions([ActionKind::Reply, ActionKind::Flag, ActionKind::Label])
        .build()
    }

    fn configure(config: &str) -> Result<Self, String> {
        let engine = Engine::from_json(config)?;
        // The lookup tables that do not depend on the config, built here
        // rather than while handling the first events.
        text::prepare();
        normalize::prepare();
        question::prepare();
        let brand = engine
            .config
            .brand
            .iter()
            .map(|b| vigie_text::words(b).concat())
            .filter(|b| !b.is_empty())
            .collect();
        Ok(Faq {
            engine,
            brand,
            scratch: Scratch::new(),
            tokens: Tokens::new(),
        })
    }

    fn handle(&mut self, host: &mut impl Host, event: &Event) -> Result<Vec<Action>, String> {
        let config = &self.engine.config;
        let direct = event.kind == EventKind::DirectMessage;
        if !matches!(event.kind, EventKind::Message | EventKind::Mention) && !direct {
            return Ok(vec![]);
        }
        if SILENCED_BY.iter().any(|k| event.already(*k)) {
            return Ok(vec![]);
        }
        if config.ignore_staff && event.author.is_staff {
            return Ok(vec![]);
        }
        if !direct && !config.channels.is_empty() && !config.channels.contains(&event.channel) {
            return Ok(vec![]);
        }
        let text = engine::truncate(event.text.trim(), engine::MAX_TEXT);
        if text.is_empty()
            || (config.require_question
                && !question::is_question_with(text, &mut self.scratch.question))
        {
            return Ok(vec![]);
        }
        let decision = self.engine.decide_with(text, &mut self.scratch);
        let mut actions = Vec::new();
        if config.label_score {
            if let Some(best) = &decision.best {
                let id = &self.engine.entry(best.entry).id;
                actions.push(Action::Label(LabelAction {
                    key: "faq.score".to_string(),
                    value: f64::from((best.score * 1000.0).round() / 1000.0),
                    note: Some(id.clone()),
                    reason: format!("faq: best entry {id}"),
                }));
            }
        }
        let Some(answer) = decision.answer else {
            let flag = config.flag_unanswered
                && (event.kind == EventKind::Mention || self.mentions_brand(text));
            if flag {
                let why = match (&decision.best, &decision.rejected) {
                    (Some(b), Some(r)) => {
                        format!(" (closest: {}, {r})", self.engine.entry(b.entry).id)
                    }
                    _ => String::new(),
                };
                actions.push(act::flag(
                    event,
                    format!("faq: question about the brand that the FAQ cannot answer{why}"),
                ));
            }
            return Ok(actions);
        };
        let entry = &self.engine.entry(answer.entry).id;
        let now = host.now_ms();
        let channel_key = cooldown::channel_key(&event.channel, entry);
        let user_key = cooldown::user_key(&event.author.id, entry);
        let channel_ms = i64::from(config.cooldown_channel_s) * 1000;
        let user_ms = i64::from(config.cooldown_user_s) * 1000;
        if !direct && cooldown::active(host, &channel_key, now, channel_ms) {
            host.log(
                Level::Debug,
                &format!(
                    "faq: {entry} already answered in #{} recently",
                    event.channel
                ),
            );
            return Ok(actions);
        }
        if cooldown::active(host, &user_key, now, user_ms) {
            host.log(
                Level::Debug,
                &format!(
                    "faq: {entry} already answered to {} recently",
                    event.author.id
                ),
            );
            return Ok(actions);
        }
        if !direct && channel_ms > 0 {
            cooldown::record(host, &channel_key, now);
        }
        if user_ms > 0 {
            cooldown::record(host, &user_key, now);
        }
        let lang = self.engine.answer_lang(text, Some(answer.lang));
        let reply = self
            .engine
            .render(answer.entry, lang, &event.author.name, &event.channel);
        actions.push(act::reply(
            event,
            reply,
            format!("faq: {entry} (score {:.2})", answer.score),
        ));
        Ok(actions)
    }

    fn tick(&mut self, host: &mut impl Host, now_ms: i64) -> Result<Vec<Action>, String> {
        let config = &self.engine.config;
        let channel_ms = i64::from(config.cooldown_channel_s) * 1000;
        let user_ms = i64::from(config.cooldown_user_s) * 1000;
        cooldown::sweep(host, "cd/", now_ms, channel_ms, SWEEP_LIMIT);
        cooldown::sweep(host, "cdu/", now_ms, user_ms, SWEEP_LIMIT);
        Ok(vec![])
    }
}

vigie_sdk::export_plugin!(Faq);

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;
