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
pub mod learn;
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
use learn::{Learned, Recent, Seen};
use text::Tokens;
use vigie_text::Lang;

/// The plugin.
pub struct Faq {
    engine: Engine,
    /// The config as given, before what staff taught ([`learn`]).
    base: config::Config,
    /// What staff taught, once read from the store (on the first event).
    learned: Option<Learned>,
    /// The stored items could not be read: commands refuse to overwrite them.
    learned_unreadable: bool,
    /// The last questions seen, to resolve commands sent as replies.
    recent: Recent,
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

impl Faq {
    /// Reads what staff taught from the store, once per instance, and
    /// rebuilds the index with it when there is any.
    fn load_learned(&mut self, host: &mut impl Host) {
        if self.learned.is_some() {
            return;
        }
        let learned = match host.kv_get(learn::KEY) {
            None => Learned::default(),
            Some(bytes) => match Learned::decode(&bytes) {
                Ok(l) => l,
                Err(e) => {
                    host.log(Level::Error, &format!("{e}; teaching is off until fixed"));
                    self.learned_unreadable = true;
                    Learned::default()
                }
            },
        };
        if !learned.items.is_empty() {
            self.engine = Engine::new(learned.apply(&self.base));
        }
        self.learned = Some(learned);
    }

    /// Carries out a staff command; the reply says what was done.
    fn command(
        &mut self,
        host: &mut impl Host,
        event: &Event,
        command: learn::Command,
        lang: Option<Lang>,
    ) -> Vec<Action> {
        use learn::{Command, Say};
        let lang = lang.unwrap_or(self.base.default_lang.into());
        let say = Say(lang);
        let reply = |text: String, why: &str| vec![act::reply(event, text, format!("faq: {why}"))];
        if self.learned_unreadable && !matches!(command, Command::Help) {
            return reply(say.unreadable(), "learned examples unreadable");
        }
        let ids: Vec<String> = self
            .base
            .entries
            .iter()
            .filter(|e| !e.decline)
            .map(|e| e.id.clone())
            .collect();
        let known = |id: &str| ids.iter().any(|i| i == id);
        // The question a reply is about: the one the FAQ answered (a reply
        // to its answer) or the message replied to.
        let about = learn::host_label(event, "vigie.sent-for")
            .or(event.reply_to.as_deref())
            .map(str::to_string);
        let seen = about.as_deref().and_then(|id| self.recent.get(id)).cloned();
        let mut items = Vec::new();
        match command {
            Command::Help => return reply(say.help(), "help"),
            Command::List => {
                let learned = self.learned.clone().unwrap_or_default();
                return reply(say.list(&learned, &known), "learned examples listed");
            }
            Command::Forget { n } => {
                let Some(n) = n else {
                    return reply(say.help(), "help");
                };
                let mut learned = self.learned.clone().unwrap_or_default();
                let Some(item) = learned.forget(n) else {
                    return reply(
                        say.no_item(n, learned.items.len()),
                        "no such learned example",
                    );
                };
                if let Err(e) = self.save(host, learned) {
                    return reply(say.store_error(), &e);
                }
                return reply(say.forgot(n, &item), "learned example forgotten");
            }
            Command::Learn { entry, text } => {
                if !known(&entry) {
                    return reply(say.unknown_entry(&entry, &ids), "unknown entry");
                }
                let Some(text) = text.or(seen.map(|s| s.text)) else {
                    return reply(say.which_question(), "question not found");
                };
                items.push(learn::Item {
                    entry,
                    text: learn::clip(&text),
                    wrong: false,
                    by: event.author.name.clone(),
                    at_ms: event.timestamp_ms,
                });
            }
            Command::Wrong { right } => {
                if let Some(r) = right.as_deref().filter(|r| !known(r)) {
                    return reply(say.unknown_entry(r, &ids), "unknown entry");
                }
                let Some(seen) = seen else {
                    return reply(say.which_answer(), "answer not found");
                };
                if let Some(answered) = &seen.answered {
                    items.push(learn::Item {
                        entry: answered.clone(),
                        text: seen.text.clone(),
                        wrong: true,
                        by: event.author.name.clone(),
                        at_ms: event.timestamp_ms,
                    });
                } else if right.is_none() {
                    return reply(say.not_answered(), "question not answered");
                }
                if let Some(right) = right {
                    items.push(learn::Item {
                        entry: right,
                        text: seen.text,
                        wrong: false,
                        by: event.author.name.clone(),
                        at_ms: event.timestamp_ms,
                    });
                }
            }
        }
        if items
            .iter()
            .any(|i| index::Analyzer::plain().terms(&i.text).is_empty())
        {
            return reply(say.no_words(), "question without words");
        }
        let mut learned = self.learned.clone().unwrap_or_default();
        let mut added = false;
        for item in &items {
            match learned.add(item.clone()) {
                Ok(learn::Added::New) => added = true,
                Ok(learn::Added::Already) => {}
                Err(learn::Full) => return reply(say.full(), "too many learned examples"),
            }
        }
        if !added {
            return reply(say.already(), "already learned");
        }
        let count = learned.items.len();
        if let Err(e) = self.save(host, learned) {
            return reply(say.store_error(), &e);
        }
        host.log(
            Level::Info,
            &format!(
                "faq: {} taught {}",
                event.author.name,
                learn::describe(&items)
            ),
        );
        reply(
            say.learned(&items, count),
            &format!(
                "taught by {}: {}",
                event.author.name,
                learn::describe(&items)
            ),
        )
    }

    /// Stores `learned` and rebuilds the index with it.
    fn save(&mut self, host: &mut impl Host, learned: Learned) -> Result<(), String> {
        host.kv_set(learn::KEY, &learned.encode())
            .map_err(|e| format!("cannot store learned examples: {e:?}"))?;
        self.engine = Engine::new(learned.apply(&self.base));
        self.learned = Some(learned);
        Ok(())
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
            base: engine.config.clone(),
            engine,
            learned: None,
            learned_unreadable: false,
            recent: Recent::default(),
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
        if config.learning {
            if let Some((command, lang)) = learn::parse(&event.text) {
                // Only staff teach; a member's `!faq …` is not a question.
                if !event.author.is_staff {
                    return Ok(vec![]);
                }
                self.load_learned(host);
                return Ok(self.command(host, event, command, lang));
            }
            self.load_learned(host);
        }
        let config = &self.engine.config;
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
        if config.learning {
            self.recent.push(Seen {
                event_id: event.id.clone(),
                text: learn::clip(text),
                answered: None,
            });
        }
        let config = &self.engine.config;
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
        if config.learning {
            self.recent.answered(&event.id, entry);
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
