//! The plugin's configuration: JSON (the host converts the `config` table of
//! `vigie.toml`), unknown keys refused, every problem reported with the
//! entry it is in.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The whole config. Every key is optional; `{}` gives a plugin with no
/// entries, which answers nothing.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The questions and their answers.
    #[serde(default)]
    pub entries: Vec<EntryConfig>,
    /// Values for `{name}` placeholders in the answers.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// Groups of words or phrases that mean the same thing here
    /// (`["mot de passe", "mdp", "password"]`).
    #[serde(default)]
    pub synonyms: Vec<Vec<String>>,
    /// Also use the general vocabulary shipped with the plugin
    /// (`data/vocabulary.toml`: what customer questions are made of, in
    /// French and English, across trades). `synonyms` come first: a word
    /// in both keeps the brand's group.
    #[serde(default = "yes")]
    pub general_vocabulary: bool,
    /// Language of the answer when the question's language cannot be told.
    #[serde(default)]
    pub default_lang: LangConfig,
    /// Answer only messages that read as questions or requests for help.
    #[serde(default = "yes")]
    pub require_question: bool,
    /// Never answer staff and moderators.
    #[serde(default = "yes")]
    pub ignore_staff: bool,
    /// Answer only in these channels (all channels when empty).
    #[serde(default)]
    pub channels: Vec<String>,
    /// Minimum match score (0–1) of the best entry.
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// Minimum lead of the best entry's score over the second best.
    #[serde(default = "default_margin")]
    pub margin: f64,
    /// Minimum matched evidence, in units of a word that only one entry uses.
    #[serde(default = "default_min_evidence")]
    pub min_evidence: f64,
    /// The same entry is not answered again in the same channel within this
    /// many seconds (0: no channel cooldown).
    #[serde(default = "default_cooldown_channel")]
    pub cooldown_channel_s: u32,
    /// The same entry is not answered again to the same user within this
    /// many seconds (0: no user cooldown).
    #[serde(default = "default_cooldown_user")]
    pub cooldown_user_s: u32,
    /// Flag for a human the questions the FAQ cannot answer that mention
    /// the brand (a word of `brand`, or a `mention` event).
    #[serde(default)]
    pub flag_unanswered: bool,
    /// Names of the brand, for `flag_unanswered` (`["acme", "acmecafe"]`).
    #[serde(default)]
    pub brand: Vec<String>,
    /// Attach a `faq.score` label (best score, entry id as note) to each
    /// question scored.
    #[serde(default)]
    pub label_score: bool,
    /// Staff may correct the FAQ in chat (`!faq learn`, `!faq wrong`; see
    /// [`crate::learn`]); what they teach is kept in the community's store.
    #[serde(default = "yes")]
    pub learning: bool,
}

/// One question-and-answer entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryConfig {
    /// Stable identifier, `[a-z0-9_-]` (used in cooldown keys and reasons).
    pub id: String,
    /// The answer for French questions.
    #[serde(default)]
    pub answer_fr: Option<String>,
    /// The answer for English questions.
    #[serde(default)]
    pub answer_en: Option<String>,
    /// The answer when the question's language has none of its own.
    #[serde(default)]
    pub answer: Option<String>,
    /// Example questions in French.
    #[serde(default)]
    pub questions_fr: Vec<String>,
    /// Example questions in English.
    #[serde(default)]
    pub questions_en: Vec<String>,
    /// Example questions in either language (the language is guessed).
    #[serde(default)]
    pub questions: Vec<String>,
    /// This entry's own `threshold`.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// A topic the FAQ leaves to people (cancelling or changing an order,
    /// say). It has no answer: its examples only draw the questions on that
    /// topic away from the entries that share their words.
    #[serde(default)]
    pub decline: bool,
}

impl EntryConfig {
    /// A `decline` entry with no examples yet.
    pub fn declined(id: &str) -> EntryConfig {
        EntryConfig {
            id: id.to_string(),
            answer_fr: None,
            answer_en: None,
            answer: None,
            questions_fr: Vec::new(),
            questions_en: Vec::new(),
            questions: Vec::new(),
            threshold: None,
            decline: true,
        }
    }
}

/// `"fr"` or `"en"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LangConfig {
    #[default]
    Fr,
    En,
}

impl From<LangConfig> for vigie_text::Lang {
    fn from(l: LangConfig) -> Self {
        match l {
            LangConfig::Fr => vigie_text::Lang::Fr,
            LangConfig::En => vigie_text::Lang::En,
        }
    }
}

fn yes() -> bool {
    true
}
/// With the general vocabulary, 0.75 keeps a day-one FAQ's precision at
/// least where 0.7 had it without (`tests/day_one.rs`); FAQs tuned with
/// their own synonyms set theirs.
fn default_threshold() -> f64 {
    0.75
}
fn default_margin() -> f64 {
    0.1
}
fn default_min_evidence() -> f64 {
    0.75
}
fn default_cooldown_channel() -> u32 {
    600
}
fn default_cooldown_user() -> u32 {
    3600
}

impl Config {
    /// Parses and checks the JSON config.
    pub fn parse(json: &str) -> Result<Config, String> {
        let json = if json.trim().is_empty() { "{}" } else { json };
        let config: Config = serde_json::from_str(json).map_err(|e| format!("faq config: {e}"))?;
        config.check().map_err(|e| format!("faq config: {e}"))?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        for (name, v) in [("threshold", self.threshold), ("margin", self.margin)] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("`{name}` must be between 0 and 1, not {v}"));
            }
        }
        if !(0.0..=10.0).contains(&self.min_evidence) {
            return Err(format!(
                "`min_evidence` must be between 0 and 10, not {}",
                self.min_evidence
            ));
        }
        for name in self.vars.keys() {
            if name == "user" || name == "channel" {
                return Err(format!(
                    "vars: `{name}` is reserved (the author's name / the channel)"
                ));
            }
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!(
                    "vars: `{name}` is not a valid name (letters, digits, _)"
                ));
            }
        }
        for (i, group) in self.synonyms.iter().enumerate() {
            if group.len() < 2 {
                return Err(format!("synonyms[{i}] needs at least two words or phrases"));
            }
            if let Some(bad) = group.iter().find(|w| vigie_text::words(w).is_empty()) {
                return Err(format!("synonyms[{i}]: `{bad}` has no word in it"));
            }
        }
        let mut seen = BTreeMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            let at = format!("entries[{i}] (id {:?})", e.id);
            if e.id.is_empty()
                || !e
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            {
                return Err(format!(
                    "{at}: `id` must be non-empty and use only a-z, 0-9, _ and -"
                ));
            }
            if e.id.starts_with(crate::learn::HIDDEN_PREFIX) {
                return Err(format!(
                    "{at}: ids starting with `{}` are reserved for what staff teach in chat",
                    crate::learn::HIDDEN_PREFIX
                ));
            }
            if let Some(j) = seen.insert(e.id.clone(), i) {
                return Err(format!("{at}: id already used by entries[{j}]"));
            }
            let has_answer = e.answer.is_some() || e.answer_fr.is_some() || e.answer_en.is_some();
            if e.decline && has_answer {
                return Err(format!(
                    "{at}: a `decline` entry has no answer (it marks questions left to people)"
                ));
            }
            if !e.decline && !has_answer {
                return Err(format!("{at}: needs `answer_fr`, `answer_en` or `answer`"));
            }
            for (field, answer) in [
                ("answer", &e.answer),
                ("answer_fr", &e.answer_fr),
                ("answer_en", &e.answer_en),
            ] {
                if let Some(text) = answer {
                    if text.trim().is_empty() {
                        return Err(format!("{at}: `{field}` is empty"));
                    }
                    crate::template::check(text, &self.vars)
                        .map_err(|err| format!("{at}: `{field}`: {err}"))?;
                }
            }
            let examples = e.questions.len() + e.questions_fr.len() + e.questions_en.len();
            if examples == 0 {
                return Err(format!(
                    "{at}: needs example questions (`questions_fr`, `questions_en` or `questions`)"
                ));
            }
            for q in e
                .questions
                .iter()
                .chain(&e.questions_fr)
                .chain(&e.questions_en)
            {
                if crate::index::Analyzer::plain().terms(q).is_empty() {
                    return Err(format!(
                        "{at}: the example question {q:?} has no word to match (only stop words)"
                    ));
                }
            }
            if let Some(t) = e.threshold {
                if !(0.0..=1.0).contains(&t) {
                    return Err(format!(
                        "{at}: `threshold` must be between 0 and 1, not {t}"
                    ));
                }
            }
        }
        if !self.entries.is_empty() && self.entries.iter().all(|e| e.decline) {
            return Err("every entry is a `decline` entry: nothing to answer".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_has_no_entries_and_defaults() {
        let c = Config::parse("{}").unwrap();
        assert!(c.entries.is_empty());
        assert!(c.require_question && c.ignore_staff && !c.flag_unanswered);
        assert_eq!(c.cooldown_channel_s, 600);
        assert_eq!(c.cooldown_user_s, 3600);
        assert_eq!(c.default_lang, LangConfig::Fr);
    }

    #[test]
    fn errors_are_clear() {
        let err = |json: &str| Config::parse(json).unwrap_err();
        assert!(err(r#"{"treshold": 0.5}"#).contains("unknown field `treshold`"));
        assert!(err(r#"{"threshold": 2}"#).contains("between 0 and 1"));
        assert!(err(r#"{"default_lang": "de"}"#).contains("unknown variant"));
        let e = err(r#"{"entries":[{"id":"a","questions":["Où ?"],"answer":"x"}]}"#);
        assert!(e.contains("entries[0]") && e.contains("no word"), "{e}");
        let e = err(r#"{"entries":[{"id":"a","questions":["horaires ?"]}]}"#);
        assert!(e.contains("needs `answer_fr`"), "{e}");
        let e = err(
            r#"{"entries":[{"id":"a","questions":["horaires ?"],"answer":"x","decline":true}]}"#,
        );
        assert!(e.contains("a `decline` entry has no answer"), "{e}");
        let e = err(r#"{"entries":[{"id":"a","questions":["horaires ?"],"decline":true}]}"#);
        assert!(e.contains("nothing to answer"), "{e}");
        let e = err(r#"{"entries":[{"id":"A b","questions":["horaires ?"],"answer":"x"}]}"#);
        assert!(e.contains("`id`"), "{e}");
        let e = err(
            r#"{"entries":[{"id":"a","questions":["horaires ?"],"answer":"x"},{"id":"a","questions":["prix ?"],"answer":"y"}]}"#,
        );
        assert!(e.contains("already used"), "{e}");
        let e = err(r#"{"entries":[{"id":"a","questions":["horaires ?"],"answer":"voir {url}"}]}"#);
        assert!(e.contains("{url}"), "{e}");
        let e = err(
            r#"{"entries":[{"id":"a","questions":["horaires ?"],"answer":"x","answr_en":"y"}]}"#,
        );
        assert!(e.contains("unknown field `answr_en`"), "{e}");
        assert!(err(r#"{"synonyms":[["seul"]]}"#).contains("synonyms[0]"));
    }

    #[test]
    fn vars_are_usable_in_answers() {
        let c = Config::parse(
            r#"{"vars":{"url":"https://x"},"entries":[{"id":"a","questions":["horaires ?"],"answer":"voir {url}, {user}"}]}"#,
        );
        assert!(c.is_ok(), "{c:?}");
    }
}
