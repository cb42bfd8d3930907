//! The plugin's configuration: the `config` table of its entry in
//! `vigie.toml`, handed over as JSON. Every key is optional and documented
//! in the README; unknown keys are refused (and named) so that a typo does
//! not silently change who may vote.

use crate::time::{parse_duration, DAY_MS, MINUTE_MS};
use serde::{Deserialize, Serialize};
use vigie_text::Lang;

/// Longest poll accepted (from a command or `default_duration`).
pub const MAX_DURATION_MS: i64 = 90 * DAY_MS;
/// Shortest poll accepted.
pub const MIN_DURATION_MS: i64 = MINUTE_MS;

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

/// `who_can_start = "staff" | "everyone"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WhoCanStart {
    /// Only staff (`author.is_staff`) start polls.
    Staff,
    /// Anyone does (still within `max_open_polls`).
    Everyone,
}

/// When results are shown, and to whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResultsMode {
    /// Anyone sees the current counts at any time (`!poll results`), and
    /// the final results are announced in the channel.
    Live,
    /// Nobody sees counts before the end; the final results are announced
    /// in the channel.
    End,
    /// Only the staff see results: the final results (and, on request, the
    /// current counts and the ballot list) go to the staff as alerts; the
    /// channel is only told that the poll closed.
    Staff,
}

/// The plugin's configuration. See the README for every key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Language of announcements and replies; unset: from the command.
    pub lang: Option<LangSetting>,
    /// Words that start the poll commands.
    pub command_prefixes: Vec<String>,
    /// Words that start a vote.
    pub vote_prefixes: Vec<String>,
    /// Who may start a poll.
    pub who_can_start: WhoCanStart,
    /// Results mode of polls that do not say `results=…`.
    pub results: ResultsMode,
    /// Duration of polls that do not give one, e.g. `24h`, `2j`.
    pub default_duration: String,
    /// Most polls open at once in the community.
    pub max_open_polls: u32,
    /// Accounts younger than this (in days) cannot vote. 0: no minimum.
    pub min_account_age_days: u32,
    /// With a minimum age, refuse accounts whose age the platform does not
    /// tell instead of accepting them.
    pub refuse_unknown_account_age: bool,
    /// When not empty, only users with at least one of these roles vote.
    pub required_roles: Vec<String>,
    /// Staff and moderators may vote (default true).
    pub staff_can_vote: bool,
    /// Reaction put on accepted `!vote` commands; `""` for none.
    pub confirm_emoji: String,
    /// The ballot list is posted with the results when there are at most
    /// this many ballots (0: never; `!poll ballots` always works).
    pub publish_ballots_limit: u32,
    /// The name of this plugin's entry in `vigie.toml`: the host labels
    /// reactions to the plugin's messages with it (`vigie.sent-by`).
    pub entry_name: String,
    /// `default_duration` in milliseconds (computed).
    #[serde(skip)]
    pub default_duration_ms: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            lang: None,
            command_prefixes: vec!["!poll".into(), "!sondage".into()],
            vote_prefixes: vec!["!vote".into(), "!voter".into()],
            who_can_start: WhoCanStart::Staff,
            results: ResultsMode::Live,
            default_duration: "24h".into(),
            max_open_polls: 10,
            min_account_age_days: 0,
            refuse_unknown_account_age: false,
            required_roles: Vec::new(),
            staff_can_vote: true,
            confirm_emoji: "✅".into(),
            publish_ballots_limit: 200,
            entry_name: "poll".into(),
            default_duration_ms: DAY_MS,
        }
    }
}

impl Config {
    /// Reads and checks the JSON config.
    pub fn parse(json: &str) -> Result<Config, String> {
        let json = if json.trim().is_empty() { "{}" } else { json };
        let mut c: Config = serde_json::from_str(json).map_err(|e| format!("poll config: {e}"))?;
        let err = |m: String| Err(format!("poll config: {m}"));
        let words = |list: &[String]| {
            !list.is_empty()
                && list
                    .iter()
                    .all(|w| !norm_word(w).is_empty() && !w.trim().contains(char::is_whitespace))
        };
        if !words(&c.command_prefixes) {
            return err("`command_prefixes` needs at least one word, without spaces".into());
        }
        if !words(&c.vote_prefixes) {
            return err("`vote_prefixes` needs at least one word, without spaces".into());
        }
        c.command_prefixes = c.command_prefixes.iter().map(|w| norm_word(w)).collect();
        c.vote_prefixes = c.vote_prefixes.iter().map(|w| norm_word(w)).collect();
        if let Some(w) = c
            .command_prefixes
            .iter()
            .find(|w| c.vote_prefixes.contains(w))
        {
            return err(format!(
                "`{w}` is in both `command_prefixes` and `vote_prefixes`"
            ));
        }
        match parse_duration(&c.default_duration) {
            Some(ms) if (MIN_DURATION_MS..=MAX_DURATION_MS).contains(&ms) => {
                c.default_duration_ms = ms;
            }
            Some(_) => {
                return err("`default_duration` must be between 1 minute and 90 days".into());
            }
            None => {
                return err(format!(
                    "`default_duration` « {} » is not a duration like 2h, 1j, 30min",
                    c.default_duration
                ));
            }
        }
        if !(1..=100).contains(&c.max_open_polls) {
            return err("`max_open_polls` must be between 1 and 100".into());
        }
        if c.required_roles.iter().any(|r| norm_role(r).is_empty()) {
            return err("`required_roles` has an empty role name".into());
        }
        c.required_roles = c.required_roles.iter().map(|r| norm_role(r)).collect();
        if c.entry_name.trim().is_empty() {
            return err("`entry_name` must not be empty".into());
        }
        c.confirm_emoji = c.confirm_emoji.trim().to_string();
        Ok(c)
    }
}

/// A command word as compared: folded (lower case, no accents), trimmed.
pub fn norm_word(s: &str) -> String {
    vigie_text::fold(s).trim().to_string()
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
        assert_eq!(c.who_can_start, WhoCanStart::Staff);
        assert_eq!(c.results, ResultsMode::Live);
        assert_eq!(c.default_duration_ms, DAY_MS);
        assert!(c.staff_can_vote);
        assert_eq!(c.command_prefixes, ["!poll", "!sondage"]);
        assert_eq!(c.vote_prefixes, ["!vote", "!voter"]);
        assert_eq!(c.entry_name, "poll");
        assert!(Config::parse("").is_ok());
    }

    #[test]
    fn reads_every_key() {
        let c = Config::parse(
            r#"{"lang": "fr", "command_prefixes": ["!Sondage"], "vote_prefixes": ["!Vôte"],
                "who_can_start": "everyone", "results": "staff", "default_duration": "2 jours",
                "max_open_polls": 3, "min_account_age_days": 7, "refuse_unknown_account_age": true,
                "required_roles": ["Membre"], "staff_can_vote": false, "confirm_emoji": "👍",
                "publish_ballots_limit": 0, "entry_name": "sondage"}"#,
        )
        .unwrap();
        assert_eq!(c.lang, Some(LangSetting::Fr));
        assert_eq!(c.command_prefixes, ["!sondage"]);
        assert_eq!(c.vote_prefixes, ["!vote"]);
        assert_eq!(c.who_can_start, WhoCanStart::Everyone);
        assert_eq!(c.results, ResultsMode::Staff);
        assert_eq!(c.default_duration_ms, 2 * DAY_MS);
        assert_eq!(c.required_roles, ["membre"]);
        assert!(!c.staff_can_vote);
        assert_eq!(c.entry_name, "sondage");
    }

    #[test]
    fn refuses_unknown_keys_and_bad_values() {
        let e = Config::parse(r#"{"anonymus": true}"#).unwrap_err();
        assert!(e.contains("unknown field `anonymus`"), "{e}");
        let e = Config::parse(r#"{"results": "sometimes"}"#).unwrap_err();
        assert!(e.contains("sometimes"), "{e}");
        let e = Config::parse(r#"{"who_can_start": "admins"}"#).unwrap_err();
        assert!(e.contains("admins"), "{e}");
        let e = Config::parse(r#"{"default_duration": "demain"}"#).unwrap_err();
        assert!(e.contains("default_duration"), "{e}");
        assert!(Config::parse(r#"{"default_duration": "100j"}"#).is_err());
        assert!(Config::parse(r#"{"max_open_polls": 0}"#).is_err());
        assert!(Config::parse(r#"{"command_prefixes": []}"#).is_err());
        assert!(Config::parse(r#"{"vote_prefixes": ["!je vote"]}"#).is_err());
        let e = Config::parse(r#"{"vote_prefixes": ["!poll"]}"#).unwrap_err();
        assert!(e.contains("both"), "{e}");
        assert!(Config::parse(r#"{"required_roles": [" "]}"#).is_err());
        assert!(Config::parse(r#"{"entry_name": ""}"#).is_err());
        assert!(Config::parse(r#"{"lang": "de"}"#).is_err());
        assert!(Config::parse("[1]").is_err());
    }
}
