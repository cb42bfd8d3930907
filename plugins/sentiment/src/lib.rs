//! # sentiment: the mood of the community, and the bad buzz before it spreads
//!
//! Labels every message with `sentiment = <score in [-1, 1]>` (VADER's
//! compound score; English with VADER's own rules and lexicon and a model
//! fitted on VADER's rated sentences that decides the sign, French with the
//! same frame, textblob-fr's lexicon and French rules), noting the
//! language, and alerts the staff when a community's negative share and
//! message volume jump above its own baseline.
//!
//! Modules: [`lexicon`] (the embedded lexicons, parsed once), [`vader`] (the
//! tokeniser and VADER's English rules), [`french`] (the French rules),
//! [`model`] (the English model), [`scorer`] (language guess and scoring),
//! [`buzz`] (the bad-buzz window).
//! See README.md for the config and the measured accuracy.

pub mod buzz;
pub mod french;
pub mod lexicon;
pub mod model;
pub mod scorer;
pub mod vader;

use std::collections::HashMap;

use serde::Deserialize;
use vigie_sdk::{Action, ActionKind, Description, Event, EventKind, Host, LabelAction, Plugin};

use buzz::BuzzConfig;
use scorer::{Lang, Scorer, Scratch};

/// Extra lexicon entries, per language: word → valence on VADER's scale.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraLexicon {
    /// English entries (win over VADER's).
    #[serde(default)]
    pub en: HashMap<String, f64>,
    /// French entries (win over textblob-fr's and Vigie's).
    #[serde(default)]
    pub fr: HashMap<String, f64>,
}

/// The plugin's config (`config` table of its entry in `vigie.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Key of the label attached to each message.
    #[serde(default = "default_label_key")]
    pub label_key: String,
    /// Language assumed when a text gives no hint: "fr" or "en".
    #[serde(default = "default_lang")]
    pub default_lang: String,
    /// Bad-buzz thresholds.
    #[serde(default)]
    pub buzz: BuzzConfig,
    /// Community-specific words.
    #[serde(default)]
    pub lexicon: ExtraLexicon,
}

fn default_label_key() -> String {
    "sentiment".into()
}

fn default_lang() -> String {
    "fr".into()
}

/// The plugin.
pub struct Sentiment {
    label_key: String,
    scorer: Scorer,
    buzz: BuzzConfig,
    /// Scoring buffers, reused from one message to the next.
    scratch: Scratch,
}

impl Sentiment {
    /// The scorer (for tests and tools).
    pub fn scorer(&self) -> &Scorer {
        &self.scorer
    }
}

impl Plugin for Sentiment {
    fn describe() -> Description {
        vigie_sdk::describe(
            "sentiment",
            "0.1.0",
            "Labels each message with its sentiment (fr/en) and alerts the staff on bad buzz",
        )
        .events([
            EventKind::Message,
            EventKind::Edit,
            EventKind::Mention,
            EventKind::DirectMessage,
        ])
        .actions([ActionKind::Label, ActionKind::Alert])
        .build()
    }

    fn configure(config: &str) -> Result<Self, String> {
        let cfg: Config =
            serde_json::from_str(config).map_err(|e| format!("sentiment config: {e}"))?;
        if cfg.label_key.trim().is_empty() {
            return Err("sentiment config: label_key must not be empty".into());
        }
        let default_lang = match cfg.default_lang.as_str() {
            "fr" => Lang::Fr,
            "en" => Lang::En,
            other => {
                return Err(format!(
                    "sentiment config: default_lang must be \"fr\" or \"en\", not {other:?}"
                ))
            }
        };
        cfg.buzz
            .validate()
            .map_err(|e| format!("sentiment config: {e}"))?;
        for (lang, words) in [("en", &cfg.lexicon.en), ("fr", &cfg.lexicon.fr)] {
            // In byte order: a hash map's own order changes from one run to
            // the next, and so would the entry the error names (found by
            // fuzz/config_sentiment).
            let mut words: Vec<(&String, &f64)> = words.iter().collect();
            words.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for (word, value) in words {
                if word.trim().is_empty() || word.split_whitespace().count() != 1 {
                    return Err(format!(
                        "sentiment config: lexicon.{lang} entry {word:?} must be one word"
                    ));
                }
                if !(-4.0..=4.0).contains(value) {
                    return Err(format!(
                        "sentiment config: lexicon.{lang}.{word} = {value} is outside [-4, 4]"
                    ));
                }
            }
        }
        // The lexicons and the English model (56 000 entries) are built
        // here, within the setup time, not by the first message's call.
        sentiment_tables();
        Ok(Sentiment {
            label_key: cfg.label_key,
            scorer: Scorer::new(default_lang, cfg.lexicon.en, cfg.lexicon.fr),
            buzz: cfg.buzz,
            scratch: Scratch::default(),
        })
    }

    fn handle(&mut self, host: &mut impl Host, event: &Event) -> Result<Vec<Action>, String> {
        if !event.has_text() {
            return Ok(Vec::new());
        }
        let score = self.scorer.score_with(&event.text, &mut self.scratch);
        let (lang, reason) = match score.lang {
            Lang::Fr => ("fr", "sentiment fr"),
            Lang::En => ("en", "sentiment en"),
        };
        let mut actions = Vec::with_capacity(2);
        actions.push(Action::Label(LabelAction {
            key: self.label_key.clone(),
            value: score.compound,
            note: Some(lang.to_string()),
            reason: reason.to_string(),
        }));
        // The community's mood: new messages from members, not edits (the
        // message was counted already), staff answers or bot commands.
        let counted = event.kind != EventKind::Edit
            && !event.author.is_staff
            && !event.text.trim_start().starts_with('!');
        if self.buzz.enabled && counted {
            let alert = buzz::observe(
                host,
                &self.buzz,
                event.timestamp_ms,
                &event.id,
                &event.author.name,
                &event.text,
                score.compound,
            );
            actions.extend(alert);
        }
        Ok(actions)
    }
}

vigie_sdk::export_plugin!(Sentiment);

/// Builds the shared tables now.
fn sentiment_tables() {
    lexicon::lexicons();
    model::en_model();
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_sdk::{test_event, Severity, TestHost};

    /// Found by fuzz/config_sentiment: with several bad entries, the error
    /// named whichever came first in a hash map's order, which changes
    /// from one call to the next.
    #[test]
    fn a_bad_lexicon_gets_the_same_error_every_time() {
        let config = r#"{"lexicon": {"fr": {"zut": 300, "bof": 9, "ok": 1, "aïe": -5}}}"#;
        for _ in 0..20 {
            let error = Sentiment::configure(config).err().expect("refused");
            assert_eq!(
                error,
                "sentiment config: lexicon.fr.aïe = -5 is outside [-4, 4]"
            );
        }
    }

    fn label(actions: &[Action]) -> (f64, String) {
        match &actions[0] {
            Action::Label(l) => {
                assert_eq!(l.key, "sentiment");
                (l.value, l.note.clone().unwrap())
            }
            other => panic!("not a label: {other:?}"),
        }
    }

    #[test]
    fn labels_every_message_with_no_config() {
        let mut p = Sentiment::configure("{}").unwrap();
        let mut host = TestHost::new();
        let a = p
            .handle(&mut host, &test_event("e1", "u1", "Trop bien, merci !"))
            .unwrap();
        let (v, lang) = label(&a);
        assert!(v > 0.5 && v <= 1.0, "{v}");
        assert_eq!(lang, "fr");
        let a = p
            .handle(
                &mut host,
                &test_event("e2", "u1", "This is the worst update ever"),
            )
            .unwrap();
        let (v, lang) = label(&a);
        assert!(v < -0.5, "{v}");
        assert_eq!(lang, "en");
        let (v, _) = label(&p.handle(&mut host, &test_event("e3", "u1", "")).unwrap());
        assert_eq!(v, 0.0);
        match &a[0] {
            Action::Label(l) => assert_eq!(l.reason, "sentiment en"),
            _ => unreachable!(),
        }
    }

    #[test]
    fn skips_events_without_text() {
        let mut p = Sentiment::configure("{}").unwrap();
        let mut e = test_event("e1", "u1", "");
        e.kind = EventKind::Join;
        assert!(p.handle(&mut TestHost::new(), &e).unwrap().is_empty());
    }

    #[test]
    fn config_errors_are_clear() {
        let err = |c: &str| Sentiment::configure(c).err().unwrap();
        assert!(err(r#"{"labelkey":"x"}"#).contains("unknown field `labelkey`"));
        assert!(err(r#"{"default_lang":"de"}"#).contains("default_lang"));
        assert!(err(r#"{"buzz":{"window":5}}"#).contains("unknown field `window`"));
        assert!(err(r#"{"buzz":{"negative_share":2}}"#).contains("negative_share"));
        assert!(err(r#"{"lexicon":{"fr":{"ouf":9}}}"#).contains("outside [-4, 4]"));
        assert!(err(r#"{"lexicon":{"de":{}}}"#).contains("unknown field `de`"));
        let p = Sentiment::configure(
            r#"{"label_key":"mood","default_lang":"en","lexicon":{"fr":{"chanmé":3}},
                "buzz":{"window_s":300,"min_messages":5}}"#,
        )
        .unwrap();
        assert_eq!(p.label_key, "mood");
        assert!(p.scorer().score_as("c'est chanmé", Lang::Fr) > 0.3);
    }

    fn at(id: &str, author: &str, text: &str, ts: i64) -> Event {
        let mut e = test_event(id, author, text);
        e.timestamp_ms = ts;
        e.author.name = author.to_string();
        e
    }

    fn alerts(actions: &[Action]) -> Vec<(Severity, String)> {
        actions
            .iter()
            .filter_map(|a| match a {
                Action::Alert(a) => Some((a.severity, a.message.clone())),
                _ => None,
            })
            .collect()
    }

    /// A calm hour (about one message a minute, mostly friendly), then a
    /// burst of angry messages: exactly one alert, with the figures and the
    /// three most negative messages, then silence during the cool-down.
    #[test]
    fn bad_buzz_alerts_once_then_cools_down() {
        let mut p = Sentiment::configure("{}").unwrap();
        let mut host = TestHost::new();
        let t0: i64 = 1_763_805_600_000;
        let calm = [
            "Bonjour à tous, bon café !",
            "Merci pour la livraison rapide",
            "Quelqu'un a testé le nouveau moka ?",
            "Super boutique, je recommande",
            "Vous livrez en Belgique ?",
            "Thanks, great coffee as always",
            "La commande est arrivée, merci",
            "Le colis a un peu de retard",
        ];
        let mut all = Vec::new();
        for k in 0..60 {
            let e = at(
                &format!("calm-{k}"),
                "u-calm",
                calm[k % calm.len()],
                t0 + k as i64 * 60_000,
            );
            all.extend(p.handle(&mut host, &e).unwrap());
        }
        assert!(alerts(&all).is_empty(), "{:?}", alerts(&all));
        let angry = [
            "L'appli plante, c'est nul !!!",
            "Débité deux fois, c'est une honte",
            "Worst update ever, the app keeps crashing",
            "Service client inexistant, je suis furieux",
            "C'EST INADMISSIBLE, rendez-moi mon argent",
            "Charged twice and nobody answers. Ridiculous.",
            "Arnaque totale, plus jamais",
            "Ça marche pas, j'en ai marre",
            "Horrible, I hate this new version",
            "Encore un bug, c'est lamentable",
        ];
        let burst_start = t0 + 60 * 60_000;
        let mut fired = Vec::new();
        for k in 0..30 {
            let e = at(
                &format!("angry-{k}"),
                &format!("Client {k}"),
                angry[k % angry.len()],
                burst_start + k as i64 * 10_000,
            );
            let actions = p.handle(&mut host, &e).unwrap();
            assert!(
                label(&actions).0 < -0.3,
                "{}: {:?}",
                angry[k % angry.len()],
                label(&actions)
            );
            for a in alerts(&actions) {
                fired.push((k, a));
            }
        }
        assert_eq!(fired.len(), 1, "{fired:?}");
        let (k, (severity, text)) = &fired[0];
        assert!(*k >= 10 && *k < 25, "fired at message {k}");
        assert_eq!(*severity, Severity::Warning, "{text}");
        println!("{text}");
        assert!(text.starts_with("Bad buzz: "), "{text}");
        assert!(text.contains("messages negative"), "{text}");
        assert!(text.contains("usually"), "{text}");
        assert_eq!(text.matches("angry-").count(), 3, "{text}");
        assert!(text.contains(" 1. [") && text.contains(" 3. [") && !text.contains(" 4. ["));
        // Still angry 40 minutes later: the cool-down (1 h) holds.
        for k in 0..20 {
            let e = at(
                &format!("late-{k}"),
                "u-late",
                angry[k % angry.len()],
                burst_start + 40 * 60_000 + k as i64 * 10_000,
            );
            assert!(alerts(&p.handle(&mut host, &e).unwrap()).is_empty());
        }
    }

    #[test]
    fn edits_staff_and_commands_do_not_count() {
        let mut p = Sentiment::configure("{}").unwrap();
        let mut host = TestHost::new();
        let mut e = test_event("e1", "u1", "nul");
        e.kind = EventKind::Edit;
        p.handle(&mut host, &e).unwrap();
        let mut e = test_event("e2", "staff", "nul");
        e.author.is_staff = true;
        p.handle(&mut host, &e).unwrap();
        p.handle(&mut host, &test_event("e3", "u1", "!participer"))
            .unwrap();
        assert!(host.kv.is_empty());
        p.handle(&mut host, &test_event("e4", "u1", "nul")).unwrap();
        assert!(host.kv.contains_key(buzz::STATE_KEY));
    }
}
