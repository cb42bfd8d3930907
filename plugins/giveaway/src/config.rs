//! The plugin's configuration: the `config` table of its entry in
//! `vigie.toml`, handed over as JSON. Every key is optional and documented in
//! the README; unknown keys are refused so a typo does not silently change
//! the rules of a contest.

use crate::time::{parse_duration, parse_rfc3339};
use serde::Deserialize;
use std::collections::BTreeMap;
use vigie_text::Lang;

/// Longest contest accepted (from a command or the config).
pub const MAX_DURATION_MS: i64 = 90 * crate::time::DAY_MS;
/// Shortest contest accepted.
pub const MIN_DURATION_MS: i64 = crate::time::MINUTE_MS;
/// Highest bonus a role may give (extra entries).
pub const MAX_BONUS: u32 = 100;

/// `lang = "fr" | "en"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LangSetting {
    /// French.
    Fr,
    /// English.
    En,
}

impl From<LangSetting> for Lang {
    fn from(l: LangSetting) -> Lang {
        match l {
            LangSetting::Fr => Lang::Fr,
            LangSetting::En => Lang::En,
        }
    }
}

/// The plugin's configuration. See the README for every key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Language of the announcements; unset: guessed from the staff command.
    pub lang: Option<LangSetting>,
    /// Words that start the staff commands.
    pub command_prefixes: Vec<String>,
    /// Messages that start with one of these enter the contest.
    pub keywords: Vec<String>,
    /// Reacting with this emoji enters the contest; `"*"` accepts any emoji.
    pub reaction_emoji: String,
    /// More messages (ids) whose reactions count, e.g. a pinned post.
    pub reaction_message_ids: Vec<String>,
    /// Accounts younger than this (in days) cannot enter. 0: no minimum.
    pub min_account_age_days: u32,
    /// When not empty, only users with at least one of these roles may enter.
    pub required_roles: Vec<String>,
    /// Staff and moderators cannot enter (default true).
    pub exclude_staff: bool,
    /// Extra entries per role, e.g. `{ vip = 1 }`. Default: none.
    pub bonus: BTreeMap<String, u32>,
    /// Where announcements go; default: the channel of the start command.
    pub announce_channel: Option<String>,
    /// Most winners a contest may have.
    pub max_winners: u32,
    /// Reaction put on accepted keyword entries; `""` for none.
    pub confirm_emoji: String,
    /// Tell users privately why their reaction entry was refused.
    pub dm_refusals: bool,
    /// Congratulate the winners privately too.
    pub dm_winners: bool,
    /// The final announcement lists the entries when there are at most this
    /// many (0: never).
    pub publish_entries_limit: u32,
    /// Contests started by the clock rather than by a command.
    pub scheduled: Vec<Scheduled>,
}

/// A contest from the config, started on the first tick at or after `start`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheduled {
    /// Stable name; a scheduled contest runs once per id.
    pub id: String,
    /// What is to be won.
    pub prize: String,
    /// RFC 3339 start time, e.g. `2026-12-01T18:00:00Z`.
    pub start: String,
    /// How long it stays open, e.g. `2h`, `3j`, `1d`.
    pub duration: String,
    /// Number of winners.
    #[serde(default = "one")]
    pub winners: u32,
    /// Channel of the announcement, where keyword entries count.
    pub channel: String,
    /// Language of this contest; default: `lang`, else French.
    #[serde(default)]
    pub lang: Option<LangSetting>,
}

fn one() -> u32 {
    1
}

impl Default for Config {
    fn default() -> Self {
        Config {
            lang: None,
            command_prefixes: vec!["!giveaway".into(), "!concours".into()],
            keywords: vec![
                "!participer".into(),
                "je participe".into(),
                "!enter".into(),
                "i'm in".into(),
                "moi je participe".into(),
                "count me in".into(),
            ],
            reaction_emoji: "🎉".into(),
            reaction_message_ids: Vec::new(),
            min_account_age_days: 0,
            required_roles: Vec::new(),
            exclude_staff: true,
            bonus: BTreeMap::new(),
            announce_channel: None,
            max_winners: 20,
            confirm_emoji: "✅".into(),
            dm_refusals: true,
            dm_winners: false,
            publish_entries_limit: 200,
            scheduled: Vec::new(),
        }
    }
}

/// A scheduled contest, checked and with its times computed.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// From the config.
    pub spec: Scheduled,
    /// `start` in ms since the epoch.
    pub start_ms: i64,
    /// `duration` in ms.
    pub duration_ms: i64,
}

impl Config {
    /// Reads and checks the JSON config.
    pub fn parse(json: &str) -> Result<Config, String> {
        let json = if json.trim().is_empty() { "{}" } else { json };
        let mut c: Config =
            serde_json::from_str(json).map_err(|e| format!("giveaway config: {e}"))?;
        c.check()?;
        c.keywords = c.keywords.iter().map(|k| norm_phrase(k)).collect();
        c.command_prefixes = c.command_prefixes.iter().map(|k| norm_phrase(k)).collect();
        c.required_roles = c.required_roles.iter().map(|r| norm_role(r)).collect();
        c.bonus = c.bonus.iter().map(|(r, b)| (norm_role(r), *b)).collect();
        Ok(c)
    }

    fn check(&self) -> Result<(), String> {
        let err = |m: String| Err(format!("giveaway config: {m}"));
        if self.keywords.iter().any(|k| norm_phrase(k).is_empty()) {
            return err("`keywords` must not contain empty words".into());
        }
        if self.command_prefixes.is_empty()
            || self
                .command_prefixes
                .iter()
                .any(|k| norm_phrase(k).is_empty() || k.contains(char::is_whitespace))
        {
            return err("`command_prefixes` needs at least one word, without spaces".into());
        }
        if self.reaction_emoji.trim().is_empty() {
            return err("`reaction_emoji` must not be empty (use \"*\" for any emoji)".into());
        }
        if !(1..=1000).contains(&self.max_winners) {
            return err("`max_winners` must be between 1 and 1000".into());
        }
        for (role, extra) in &self.bonus {
            if norm_role(role).is_empty() {
                return err("`bonus` has an empty role name".into());
            }
            if !(1..=MAX_BONUS).contains(extra) {
                return err(format!(
                    "`bonus.{role}` must be between 1 and {MAX_BONUS} extra entries"
                ));
            }
        }
        if self.required_roles.iter().any(|r| norm_role(r).is_empty()) {
            return err("`required_roles` has an empty role name".into());
        }
        if self
            .announce_channel
            .as_deref()
            .is_some_and(|c| c.trim().is_empty())
        {
            return err("`announce_channel` must not be empty".into());
        }
        let mut ids = std::collections::BTreeSet::new();
        for s in &self.scheduled {
            if s.id.trim().is_empty() || !ids.insert(s.id.clone()) {
                return err("every `scheduled` contest needs its own non-empty `id`".into());
            }
            self.schedule(s)
                .map_err(|m| format!("giveaway config: scheduled `{}`: {m}", s.id))?;
        }
        Ok(())
    }

    fn schedule(&self, s: &Scheduled) -> Result<Schedule, String> {
        let start_ms = parse_rfc3339(&s.start)?;
        let duration_ms = parse_duration(&s.duration).ok_or_else(|| {
            format!(
                "`duration` « {} » is not a duration like 2h, 1j, 30min",
                s.duration
            )
        })?;
        if !(MIN_DURATION_MS..=MAX_DURATION_MS).contains(&duration_ms) {
            return Err("`duration` must be between 1 minute and 90 days".into());
        }
        if s.winners < 1 || s.winners > self.max_winners {
            return Err(format!(
                "`winners` must be between 1 and {}",
                self.max_winners
            ));
        }
        if s.prize.trim().is_empty() || s.prize.chars().count() > 200 {
            return Err("`prize` must have 1 to 200 characters".into());
        }
        if s.channel.trim().is_empty() {
            return Err("`channel` must not be empty".into());
        }
        Ok(Schedule {
            spec: s.clone(),
            start_ms,
            duration_ms,
        })
    }

    /// The scheduled contests with their times (checked at configure time).
    pub fn schedules(&self) -> Vec<Schedule> {
        self.scheduled
            .iter()
            .filter_map(|s| self.schedule(s).ok())
            .collect()
    }
}

/// A keyword or command word as compared: folded (lower case, no accents,
/// straight apostrophes), spaces collapsed.
pub fn norm_phrase(s: &str) -> String {
    vigie_text::fold(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A role name as compared: folded and trimmed.
pub fn norm_role(s: &str) -> String {
    vigie_text::fold(s).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_from_an_empty_config() {
        let c = Config::parse("{}").unwrap();
        assert!(c.exclude_staff);
        assert_eq!(c.reaction_emoji, "🎉");
        assert!(c.bonus.is_empty());
        assert!(c.keywords.contains(&"!participer".to_string()));
        assert!(c.keywords.contains(&"i'm in".to_string()));
        assert!(Config::parse("").is_ok());
    }

    #[test]
    fn refuses_unknown_keys_and_bad_values() {
        let e = Config::parse(r#"{"bonnus": {"vip": 1}}"#).unwrap_err();
        assert!(e.contains("unknown field"), "{e}");
        assert!(Config::parse(r#"{"lang": "de"}"#).is_err());
        assert!(Config::parse(r#"{"bonus": {"vip": 0}}"#).is_err());
        assert!(Config::parse(r#"{"bonus": {"vip": 1000}}"#).is_err());
        assert!(Config::parse(r#"{"max_winners": 0}"#).is_err());
        assert!(Config::parse(r#"{"keywords": [" "]}"#).is_err());
        assert!(Config::parse(r#"{"reaction_emoji": ""}"#).is_err());
        let bad_schedule = r#"{"scheduled": [{"id": "x", "prize": "P", "start": "demain",
            "duration": "2h", "channel": "c"}]}"#;
        let e = Config::parse(bad_schedule).unwrap_err();
        assert!(e.contains("scheduled `x`"), "{e}");
        let bad_duration = r#"{"scheduled": [{"id": "x", "prize": "P",
            "start": "2026-12-01T18:00:00Z", "duration": "200j", "channel": "c"}]}"#;
        assert!(Config::parse(bad_duration).is_err());
    }

    #[test]
    fn normalises_keywords_and_roles() {
        let c = Config::parse(
            r#"{"lang": "en", "keywords": ["Je  Participe", "I’m IN"], "bonus": {"VIP": 2},
                "required_roles": ["Membre"]}"#,
        )
        .unwrap();
        assert_eq!(c.keywords, vec!["je participe", "i'm in"]);
        assert_eq!(c.bonus.get("vip"), Some(&2));
        assert_eq!(c.required_roles, vec!["membre"]);
        assert_eq!(c.lang, Some(LangSetting::En));
    }
}
