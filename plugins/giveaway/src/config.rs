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
    /// With a minimum age, refuse accounts whose age the platform does not
    /// tell (Matrix, IRC) instead of accepting them.
    pub refuse_unknown_account_age: bool,
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
            refuse_unknown_account_age: false,
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
    // `vigie_text::fold(s)` with white space collapsed, folded as it goes
    // (the same characters: `lazy_phrase_equals_norm_phrase`).
    Phrase::new(s).collect()
}

/// The characters of [`norm_phrase`]`(text)`, computed lazily: comparing
/// the start of a message with a keyword folds only as much of it as the
/// comparison needs. ASCII that is not followed by a combining character
/// is folded directly; from the first other character on, the rest goes
/// through NFKC as [`vigie_text::fold`] does.
pub struct Phrase<'a> {
    text: &'a str,
    /// Next byte of `text` for the ASCII path.
    pos: usize,
    /// NFKC of the rest of the text, once past the ASCII part.
    nfkc: Option<unicode_normalization::Recompositions<std::str::Chars<'a>>>,
    /// The folding of the last NFKC character, not yet returned.
    pending: [char; 16],
    pending_len: usize,
    pending_pos: usize,
    /// A word was returned (so white space before the next one is a space).
    started: bool,
    /// White space was seen since the last word character.
    space: bool,
    /// A character to return after the space that precedes it.
    held: Option<char>,
}

impl<'a> Phrase<'a> {
    pub fn new(text: &'a str) -> Phrase<'a> {
        Phrase {
            text,
            pos: 0,
            nfkc: None,
            pending: ['\0'; 16],
            pending_len: 0,
            pending_pos: 0,
            started: false,
            space: false,
            held: None,
        }
    }

    /// The next character of `vigie_text::fold(text)`.
    fn next_folded(&mut self) -> Option<char> {
        loop {
            if self.pending_pos < self.pending_len {
                self.pending_pos += 1;
                return Some(self.pending[self.pending_pos - 1]);
            }
            if let Some(nfkc) = &mut self.nfkc {
                let c = nfkc.next()?;
                self.pending_len = 0;
                self.pending_pos = 0;
                let (pending, len) = (&mut self.pending, &mut self.pending_len);
                push_folded(c, |f| {
                    pending[*len] = f;
                    *len += 1;
                });
                continue;
            }
            let b = self.text.as_bytes();
            let &c = b.get(self.pos)?;
            // An ASCII character followed by ASCII (or nothing) is already
            // in NFKC and composes with nothing.
            if c < 0x80 && b.get(self.pos + 1).is_none_or(|&n| n < 0x80) {
                self.pos += 1;
                return Some(fold_ascii(c as char));
            }
            self.nfkc = Some(unicode_normalization::UnicodeNormalization::nfkc(
                &self.text[self.pos..],
            ));
        }
    }
}

impl Iterator for Phrase<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        if let Some(c) = self.held.take() {
            return Some(c);
        }
        loop {
            let c = self.next_folded()?;
            if c.is_whitespace() {
                self.space = self.started;
                continue;
            }
            self.started = true;
            if self.space {
                self.space = false;
                self.held = Some(c);
                return Some(' ');
            }
            return Some(c);
        }
    }
}

fn fold_ascii(c: char) -> char {
    if c == '`' {
        '\''
    } else {
        c.to_ascii_lowercase()
    }
}

/// What [`vigie_text::fold`] makes of one character of its NFKC form.
fn push_folded(c: char, mut push: impl FnMut(char)) {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    if c.is_ascii() {
        push(fold_ascii(c));
        return;
    }
    match c {
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{00B4}' | '`' => push('\''),
        '\u{00A0}' | '\u{202F}' | '\u{2009}' => push(' '),
        _ => {
            for l in c.to_lowercase() {
                for d in std::iter::once(l).nfd() {
                    if !is_combining_mark(d) {
                        push(d);
                    }
                }
            }
        }
    }
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

    fn samples() -> Vec<String> {
        let pieces = [
            "je",
            " ",
            "  ",
            "\t",
            "\n",
            "participe",
            "!",
            "!participer",
            "I'm",
            "I’m",
            "IN",
            "in",
            "é",
            "É",
            "e\u{301}",
            "\u{301}",
            "\u{a0}",
            "\u{202f}",
            "\u{2009}",
            "\u{3000}",
            "\u{2028}",
            "ﬁ",
            "ｆｕｌｌ",
            "¨",
            "´",
            "`",
            "İ",
            "ß",
            "Ǆ",
            "🎉",
            "中",
            "한",
            "ᄀ",
            "\u{1161}",
            "x",
            "A",
            "=\u{338}",
            "Å",
            "\u{85}",
            "\u{1680}",
            "count",
            "me",
            "moi",
        ];
        let mut out: Vec<String> = pieces.iter().map(|p| p.to_string()).collect();
        let mut x: u64 = 99;
        for _ in 0..30_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let n = (x >> 60) as usize;
            let mut s = String::new();
            let mut y = x;
            for _ in 0..n {
                y = y
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                s.push_str(pieces[(y >> 33) as usize % pieces.len()]);
            }
            out.push(s);
        }
        for c in (0u32..0x3100)
            .chain(0xF900..0x10000)
            .filter_map(char::from_u32)
        {
            out.push(format!("{c}a"));
            out.push(format!("a{c}"));
            out.push(format!("A{c}b c"));
        }
        out
    }

    #[test]
    fn lazy_phrase_equals_norm_phrase() {
        for s in samples() {
            let lazy: String = Phrase::new(&s).collect();
            let reference = vigie_text::fold(&s)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            assert_eq!(lazy, reference, "{s:?}");
            assert_eq!(norm_phrase(&s), reference, "{s:?}");
        }
    }

    #[test]
    fn every_character_folds_to_few() {
        for c in (0u32..0x110000).filter_map(char::from_u32) {
            let mut n = 0;
            push_folded(c, |_| n += 1);
            assert!(n <= 16, "{c:?}");
        }
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
