//! The plugin's configuration: the `config` table of its entry in
//! `vigie.toml`, handed over as JSON. Every key is documented in the README.
//! Unknown keys are refused with the key named (and the post's id for a key
//! of a post), so that a typo never silently changes the calendar.

use crate::rule::{Freq, LocalTime, Rule, Until, Zone, HOUR_MS};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vigie_text::Lang;

/// Most posts, from the config and from chat together.
pub const MAX_POSTS: usize = 500;
/// Longest text of a post, in characters (each language).
pub const MAX_TEXT_CHARS: usize = 2000;
/// Longest id of a config post.
pub const MAX_ID_CHARS: usize = 40;
/// Longest channel name.
pub const MAX_CHANNEL_BYTES: usize = 200;
/// Default `grace_s`.
pub const DEFAULT_GRACE_S: u64 = 900;
/// Default `timezone`.
pub const DEFAULT_TIMEZONE: &str = "Europe/Paris";
/// Longest hold of `delay_if_quiet_h` (`delay_max_h`), and its default.
pub const MAX_DELAY_H: u32 = 168;
/// Default `delay_max_h`.
pub const DEFAULT_DELAY_MAX_H: u32 = 24;

/// `lang = "fr" | "en"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum LangSetting {
    Fr,
    En,
}

/// The top-level keys (posts are checked one by one, to name their id).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    timezone: Option<String>,
    grace_s: Option<u64>,
    lang: Option<LangSetting>,
    command_prefixes: Option<Vec<String>>,
    bilingual_separator: Option<String>,
    #[serde(default)]
    posts: Vec<Value>,
}

/// The keys of a post.
pub const POST_KEYS: &[&str] = &[
    "id",
    "channel",
    "text",
    "text_fr",
    "text_en",
    "when",
    "timezone",
    "repeat",
    "days",
    "interval",
    "day_of_month",
    "rrule",
    "until",
    "count",
    "skip_if_quiet_h",
    "delay_if_quiet_h",
    "delay_max_h",
    "enabled",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPost {
    #[allow(dead_code)] // read from the JSON before, to name the post
    id: String,
    channel: Option<String>,
    text: Option<String>,
    text_fr: Option<String>,
    text_en: Option<String>,
    when: Option<String>,
    timezone: Option<String>,
    repeat: Option<String>,
    days: Option<Vec<String>>,
    interval: Option<u32>,
    day_of_month: Option<i32>,
    rrule: Option<String>,
    until: Option<String>,
    count: Option<u32>,
    skip_if_quiet_h: Option<u32>,
    delay_if_quiet_h: Option<u32>,
    delay_max_h: Option<u32>,
    enabled: Option<bool>,
}

/// What a post says: one text, or French and/or English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Texts {
    /// `text`: the same for everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<String>,
    /// `text_fr`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fr: Option<String>,
    /// `text_en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Texts {
    /// The message: `text`, or the French text, the separator and the
    /// English text (one message with both), or the one given.
    pub fn body(&self, separator: &str) -> String {
        match (&self.any, &self.fr, &self.en) {
            (Some(t), _, _) => t.clone(),
            (None, Some(fr), Some(en)) => format!("{fr}{separator}{en}"),
            (None, Some(t), None) | (None, None, Some(t)) => t.clone(),
            (None, None, None) => String::new(),
        }
    }

    /// The first words of the text, for `list` (at most `n` characters).
    pub fn preview(&self, n: usize) -> String {
        let body = self
            .any
            .as_deref()
            .or(self.fr.as_deref())
            .or(self.en.as_deref())
            .unwrap_or("");
        let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
        if flat.chars().count() <= n {
            flat
        } else {
            let cut: String = flat.chars().take(n).collect();
            format!("{}…", cut.trim_end())
        }
    }
}

/// What to do when the channel is quiet at the time of an occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quiet {
    /// `skip_if_quiet_h`: skip (reported) when no member wrote in the
    /// channel for `hours`.
    Skip {
        /// Hours without a member's message.
        hours: u32,
    },
    /// `delay_if_quiet_h`: hold the post until the next member message in
    /// the channel, at most `max_hours` (then it is skipped, reported).
    Delay {
        /// Hours without a member's message.
        hours: u32,
        /// Longest hold.
        max_hours: u32,
    },
}

impl Quiet {
    /// The quiet threshold in ms.
    pub fn threshold_ms(&self) -> i64 {
        let h = match self {
            Quiet::Skip { hours } | Quiet::Delay { hours, .. } => *hours,
        };
        i64::from(h) * HOUR_MS
    }
}

/// Where a post comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Declared in the config.
    Config,
    /// Added in chat by `by` (a display name) at `at_ms`.
    Chat {
        /// Who added it.
        by: String,
        /// When.
        at_ms: i64,
    },
}

/// A post, from the config or from chat, checked.
#[derive(Debug, Clone)]
pub struct Post {
    /// Its id (`menu-lundi`, or `s1`, `s2`… for chat posts).
    pub id: String,
    /// The channel id, as in events.
    pub channel: String,
    /// What it says.
    pub texts: Texts,
    /// When it goes out.
    pub rule: Rule,
    /// The zone of its local times.
    pub zone: Zone,
    /// Condition on a quiet channel.
    pub quiet: Option<Quiet>,
    /// `enabled = false` in the config: never goes out.
    pub enabled: bool,
    /// Config or chat.
    pub source: Source,
}

impl Post {
    /// A fingerprint of what decides the instants (start, rule, zone) and of
    /// `enabled`: a post whose fingerprint changes is armed anew (a post
    /// enabled again does not report what fell while it was disabled).
    pub fn fingerprint(&self) -> String {
        let key = format!(
            "{}|{}{}",
            self.rule.key(),
            self.zone.name(),
            if self.enabled { "" } else { "|disabled" }
        );
        format!("{:016x}", fnv1a(key.as_bytes()))
    }
}

/// The plugin's configuration. See the README for every key.
#[derive(Debug, Clone)]
pub struct Config {
    /// `timezone`: the community's zone.
    pub zone: Zone,
    /// `grace_s`, in ms: an occurrence later than this is skipped, reported.
    pub grace_ms: i64,
    /// `lang`: language of the staff alerts.
    pub lang: Lang,
    /// `command_prefixes`, folded.
    pub command_prefixes: Vec<String>,
    /// `bilingual_separator`: between the French and English texts.
    pub separator: String,
    /// `posts`.
    pub posts: Vec<Post>,
    /// A fingerprint of the whole config (a change makes the next tick look
    /// at every post).
    pub fingerprint: String,
}

impl Default for Config {
    fn default() -> Self {
        // `Europe/Paris` is in the bundled database.
        Config::parse("{}").unwrap_or_else(|e| panic!("the default config is valid: {e}"))
    }
}

/// FNV-1a, 64 bits.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// True for `s1`, `s42`: ids of chat posts.
pub fn is_chat_id(id: &str) -> bool {
    id.len() > 1 && id.starts_with('s') && id[1..].bytes().all(|b| b.is_ascii_digit())
}

/// Checks a channel name; the error says what is wrong.
pub fn check_channel(channel: &str) -> Result<(), String> {
    if channel.trim().is_empty() {
        return Err("the channel is empty".into());
    }
    if channel.len() > MAX_CHANNEL_BYTES {
        return Err(format!(
            "the channel is longer than {MAX_CHANNEL_BYTES} bytes"
        ));
    }
    if channel.chars().any(char::is_control) {
        return Err("the channel contains control characters".into());
    }
    Ok(())
}

/// Checks a text; the error says what is wrong.
pub fn check_text(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("the text is empty".into());
    }
    let n = text.chars().count();
    if n > MAX_TEXT_CHARS {
        return Err(format!(
            "the text has {n} characters, more than {MAX_TEXT_CHARS}"
        ));
    }
    Ok(())
}

/// `mon`, `monday`, `MO`, `lun`, `lundi`, `lundis` → 0 (Monday) … 6.
pub fn weekday_named(word: &str) -> Option<u8> {
    const NAMES: [&[&str]; 7] = [
        &["mo", "mon", "monday", "mondays", "lun", "lundi", "lundis"],
        &[
            "tu", "tue", "tues", "tuesday", "tuesdays", "mar", "mardi", "mardis",
        ],
        &[
            "we",
            "wed",
            "wednesday",
            "wednesdays",
            "mer",
            "mercredi",
            "mercredis",
        ],
        &[
            "th",
            "thu",
            "thur",
            "thurs",
            "thursday",
            "thursdays",
            "jeu",
            "jeudi",
            "jeudis",
        ],
        &[
            "fr",
            "fri",
            "friday",
            "fridays",
            "ven",
            "vendredi",
            "vendredis",
        ],
        &[
            "sa",
            "sat",
            "saturday",
            "saturdays",
            "sam",
            "samedi",
            "samedis",
        ],
        &[
            "su",
            "sun",
            "sunday",
            "sundays",
            "dim",
            "dimanche",
            "dimanches",
        ],
    ];
    let w = vigie_text::fold(word.trim().trim_end_matches('.'));
    NAMES
        .iter()
        .position(|names| names.contains(&w.as_str()))
        .map(|i| i as u8)
}

impl Config {
    /// Reads and checks the JSON config.
    pub fn parse(json: &str) -> Result<Config, String> {
        let json = if json.trim().is_empty() { "{}" } else { json };
        let value: Value =
            serde_json::from_str(json).map_err(|e| format!("schedule: config is not JSON: {e}"))?;
        let raw: RawConfig =
            serde_json::from_value(value.clone()).map_err(|e| format!("schedule: config: {e}"))?;
        let zone_name = raw.timezone.as_deref().unwrap_or(DEFAULT_TIMEZONE);
        let zone = Zone::get(zone_name).map_err(|e| format!("schedule: timezone: {e}"))?;
        let grace_s = raw.grace_s.unwrap_or(DEFAULT_GRACE_S);
        if !(60..=86_400).contains(&grace_s) {
            return Err(format!(
                "schedule: grace_s = {grace_s} is out of range (60 to 86400 seconds)"
            ));
        }
        let command_prefixes: Vec<String> = raw
            .command_prefixes
            .unwrap_or_else(|| vec!["!schedule".into(), "!planning".into()])
            .iter()
            .map(|p| vigie_text::fold(p.trim()))
            .collect();
        if command_prefixes.is_empty()
            || command_prefixes
                .iter()
                .any(|p| p.is_empty() || p.contains(char::is_whitespace))
        {
            return Err(
                "schedule: command_prefixes must be a non-empty list of single words (e.g. [\"!schedule\", \"!planning\"])"
                    .into(),
            );
        }
        if raw.posts.len() > MAX_POSTS {
            return Err(format!(
                "schedule: {} posts, more than {MAX_POSTS}",
                raw.posts.len()
            ));
        }
        let mut posts: Vec<Post> = Vec::with_capacity(raw.posts.len());
        for (i, v) in raw.posts.iter().enumerate() {
            let post = parse_post(i, v, &zone)?;
            if let Some(other) = posts.iter().find(|p| p.id.eq_ignore_ascii_case(&post.id)) {
                return Err(format!(
                    "schedule: post {:?}: duplicate id (already used by another post as {:?})",
                    post.id, other.id
                ));
            }
            posts.push(post);
        }
        Ok(Config {
            zone,
            grace_ms: grace_s as i64 * 1000,
            lang: match raw.lang {
                Some(LangSetting::En) => Lang::En,
                _ => Lang::Fr,
            },
            command_prefixes,
            separator: raw.bilingual_separator.unwrap_or_else(|| "\n\n".into()),
            posts,
            fingerprint: format!("{:016x}", fnv1a(value.to_string().as_bytes())),
        })
    }

    /// The config post `id` (exactly, else ignoring case).
    pub fn post(&self, id: &str) -> Option<&Post> {
        self.posts
            .iter()
            .find(|p| p.id == id)
            .or_else(|| self.posts.iter().find(|p| p.id.eq_ignore_ascii_case(id)))
    }

    /// The occurrences of config post `id` in `(from_ms, to_ms]` (for tests
    /// and simulations: what the plugin fires when ticked often enough).
    pub fn occurrences(&self, id: &str, from_ms: i64, to_ms: i64) -> Option<Vec<i64>> {
        let p = self.post(id)?;
        Some(p.rule.occurrences(&p.zone, from_ms, to_ms))
    }
}

fn parse_post(index: usize, v: &Value, zone: &Zone) -> Result<Post, String> {
    let obj = v
        .as_object()
        .ok_or_else(|| format!("schedule: posts[{index}] is not a table"))?;
    let id = match obj.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(format!("schedule: posts[{index}]: `id` must be a string")),
        None => return Err(format!("schedule: posts[{index}] has no `id`")),
    };
    let err = |what: String| format!("schedule: post {id:?}: {what}");
    if id.is_empty()
        || id.chars().count() > MAX_ID_CHARS
        || !id.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(err(format!(
            "the id must be 1 to {MAX_ID_CHARS} letters, digits, `-`, `_` or `.`, starting with a letter or digit"
        )));
    }
    if is_chat_id(&id) {
        return Err(err(
            "ids s1, s2… are kept for posts added in chat; choose another".into(),
        ));
    }
    for key in obj.keys() {
        if !POST_KEYS.contains(&key.as_str()) {
            return Err(err(format!(
                "unknown key `{key}` (known: {})",
                POST_KEYS.join(", ")
            )));
        }
    }
    let raw: RawPost = serde_json::from_value(v.clone()).map_err(|e| err(e.to_string()))?;
    let channel = raw
        .channel
        .clone()
        .ok_or_else(|| err("no `channel`".into()))?;
    check_channel(&channel).map_err(|e| err(format!("`channel`: {e}")))?;
    let texts = Texts {
        any: raw.text.clone(),
        fr: raw.text_fr.clone(),
        en: raw.text_en.clone(),
    };
    if texts.any.is_none() && texts.fr.is_none() && texts.en.is_none() {
        return Err(err(
            "no text: give `text`, or `text_fr` and/or `text_en`".into()
        ));
    }
    if texts.any.is_some() && (texts.fr.is_some() || texts.en.is_some()) {
        return Err(err(
            "give `text` alone, or `text_fr` and/or `text_en`, not both".into(),
        ));
    }
    for (key, t) in [
        ("text", &texts.any),
        ("text_fr", &texts.fr),
        ("text_en", &texts.en),
    ] {
        if let Some(t) = t {
            check_text(t).map_err(|e| err(format!("`{key}`: {e}")))?;
        }
    }
    let zone = match &raw.timezone {
        Some(name) => Zone::get(name).map_err(|e| err(format!("`timezone`: {e}")))?,
        None => zone.clone(),
    };
    let rule = post_rule(&raw, &zone).map_err(err)?;
    let quiet = match (raw.skip_if_quiet_h, raw.delay_if_quiet_h) {
        (Some(_), Some(_)) => {
            return Err(err(
                "give `skip_if_quiet_h` or `delay_if_quiet_h`, not both".into(),
            ))
        }
        (Some(h), None) => Some(Quiet::Skip {
            hours: check_hours("skip_if_quiet_h", h).map_err(err)?,
        }),
        (None, Some(h)) => {
            let max = raw.delay_max_h.unwrap_or(DEFAULT_DELAY_MAX_H);
            if !(1..=MAX_DELAY_H).contains(&max) {
                return Err(err(format!(
                    "`delay_max_h` = {max} is out of range (1 to {MAX_DELAY_H} hours)"
                )));
            }
            Some(Quiet::Delay {
                hours: check_hours("delay_if_quiet_h", h).map_err(err)?,
                max_hours: max,
            })
        }
        (None, None) => {
            if raw.delay_max_h.is_some() {
                return Err(err("`delay_max_h` goes with `delay_if_quiet_h`".into()));
            }
            None
        }
    };
    Ok(Post {
        id: id.clone(),
        channel,
        texts,
        rule,
        zone,
        quiet,
        enabled: raw.enabled.unwrap_or(true),
        source: Source::Config,
    })
}

fn check_hours(key: &str, h: u32) -> Result<u32, String> {
    if (1..=720).contains(&h) {
        Ok(h)
    } else {
        Err(format!("`{key}` = {h} is out of range (1 to 720 hours)"))
    }
}

/// The rule of a config post, from `when` and `repeat`/`days`/`interval`/
/// `day_of_month`/`until`/`count`, or `when` and `rrule`.
fn post_rule(raw: &RawPost, zone: &Zone) -> Result<Rule, String> {
    let when = raw.when.as_deref().ok_or(
        "no `when` (the local date and time of the first occurrence, e.g. \"2026-12-24 18:00\")",
    )?;
    let start = LocalTime::parse(when, None).ok_or_else(|| {
        format!(
            "`when` = {when:?} is not a local date and time (YYYY-MM-DD HH:MM in {}, years 2000 to 2199)",
            zone.name()
        )
    })?;
    let mut rule = if let Some(rrule) = &raw.rrule {
        for (key, given) in [
            ("repeat", raw.repeat.is_some()),
            ("days", raw.days.is_some()),
            ("interval", raw.interval.is_some()),
            ("day_of_month", raw.day_of_month.is_some()),
        ] {
            if given {
                return Err(format!(
                    "give `rrule` or `{key}`, not both (`until` and `count` may go with either)"
                ));
            }
        }
        let rule = Rule::parse_rrule(start, rrule).map_err(|e| format!("`rrule`: {e}"))?;
        if rule.freq.is_none() {
            return Err("`rrule` is empty".into());
        }
        rule
    } else {
        let freq = match raw.repeat.as_deref().map(|r| vigie_text::fold(r.trim())) {
            None => None,
            Some(r) => Some(match r.as_str() {
                "daily" | "day" | "quotidien" => Freq::Daily,
                "weekly" | "week" | "hebdomadaire" => Freq::Weekly,
                "monthly" | "month" | "mensuel" => Freq::Monthly,
                "yearly" | "annual" | "year" | "annuel" => Freq::Yearly,
                "once" | "none" | "" => {
                    return Err(
                        "`repeat`: leave it out for a one-off post (values: daily, weekly, monthly, yearly)"
                            .into(),
                    )
                }
                _ => {
                    return Err(format!(
                        "`repeat` = {r:?}: expected daily, weekly, monthly or yearly"
                    ))
                }
            }),
        };
        let mut rule = match freq {
            Some(f) => Rule::every(start, f),
            None => Rule::once(start),
        };
        if let Some(days) = &raw.days {
            if freq != Some(Freq::Weekly) {
                return Err("`days` goes with `repeat = \"weekly\"`".into());
            }
            let mut wds = Vec::new();
            for d in days {
                let wd = weekday_named(d).ok_or_else(|| {
                    format!("`days`: {d:?} is not a day of the week (mon, tue… or lundi, mardi…)")
                })?;
                wds.push((0i8, wd));
            }
            wds.sort_unstable();
            wds.dedup();
            if wds.is_empty() {
                return Err("`days` is empty".into());
            }
            rule.by_day = wds;
        }
        if let Some(dom) = raw.day_of_month {
            if freq != Some(Freq::Monthly) {
                return Err("`day_of_month` goes with `repeat = \"monthly\"`".into());
            }
            if !(1..=31).contains(&dom) && !(-31..=-1).contains(&dom) {
                return Err(format!(
                    "`day_of_month` = {dom}: expected 1 to 31, or -1 (last day) to -31"
                ));
            }
            rule.by_month_day = vec![dom as i8];
        }
        if let Some(n) = raw.interval {
            if freq.is_none() {
                return Err("`interval` goes with `repeat`".into());
            }
            if !(1..=crate::rule::MAX_INTERVAL).contains(&n) {
                return Err(format!("`interval` = {n}: expected 1 to 1000"));
            }
            rule.interval = n;
        }
        rule
    };
    if rule.freq.is_none() && (raw.until.is_some() || raw.count.is_some()) {
        return Err("`until` and `count` go with a recurrence (`repeat` or `rrule`)".into());
    }
    if let Some(u) = &raw.until {
        if rule.until.is_some() {
            return Err("`until` is given twice (key and RRULE UNTIL)".into());
        }
        let t = LocalTime::parse(u, Some((23, 59))).ok_or_else(|| {
            format!("`until` = {u:?} is not a local date (YYYY-MM-DD, through the end of that day) or date and time (YYYY-MM-DD HH:MM)")
        })?;
        rule.until = Some(Until::Local(t));
    }
    if let Some(c) = raw.count {
        if rule.count.is_some() {
            return Err("`count` is given twice (key and RRULE COUNT)".into());
        }
        rule.count = Some(c);
    }
    rule.check()?;
    if rule.freq.is_some()
        && rule
            .next_after(zone, zone.to_ms(start).unwrap_or(0) - 1)
            .is_none()
    {
        let ends = rule.until.is_some() || rule.count.is_some();
        if !ends {
            return Err(format!(
                "the rule never occurs (RRULE {}): check the days and months",
                rule.rrule()
            ));
        }
    }
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_paris_and_fifteen_minutes() {
        let c = Config::default();
        assert_eq!(c.zone.name(), "Europe/Paris");
        assert_eq!(c.grace_ms, 900_000);
        assert_eq!(c.command_prefixes, ["!schedule", "!planning"]);
        assert!(c.posts.is_empty());
    }

    /// The example of the README (its TOML read as the host hands it over).
    #[test]
    fn the_readme_example_is_accepted() {
        let json = r#"{"timezone": "Europe/Paris", "lang": "fr", "posts": [
            {"id": "menu-lundi", "channel": "general", "text_fr": "🥐 Le menu de la semaine est en ligne !",
             "text_en": "🥐 This week's menu is online!", "when": "2026-01-05 09:00", "repeat": "weekly", "days": ["mon"]},
            {"id": "noel", "channel": "general", "text_fr": "🎄 Joyeux Noël à toute la communauté !", "when": "2026-12-24 18:00"},
            {"id": "bilan", "channel": "annonces", "text": "📊 Le bilan du mois / Monthly wrap-up",
             "when": "2026-01-31 18:00", "repeat": "monthly", "until": "2026-12-31"},
            {"id": "dernier-vendredi", "channel": "general", "text": "🍻 Afterwork ce soir !", "when": "2026-01-01 18:30",
             "rrule": "FREQ=MONTHLY;BYDAY=-1FR", "delay_if_quiet_h": 6, "delay_max_h": 3}]}"#;
        let c = Config::parse(json).unwrap();
        let rules: Vec<String> = c.posts.iter().map(|p| p.rule.rrule()).collect();
        assert_eq!(
            rules,
            [
                "FREQ=WEEKLY;BYDAY=MO",
                "",
                "FREQ=MONTHLY;UNTIL=20261231T235900",
                "FREQ=MONTHLY;BYDAY=-1FR"
            ]
        );
        assert_eq!(
            c.posts[3].quiet,
            Some(Quiet::Delay {
                hours: 6,
                max_hours: 3
            })
        );
    }

    #[test]
    fn weekday_names_in_both_languages() {
        assert_eq!(weekday_named("Monday"), Some(0));
        assert_eq!(weekday_named("lundi"), Some(0));
        assert_eq!(weekday_named("MO"), Some(0));
        assert_eq!(weekday_named("Dimanches"), Some(6));
        assert_eq!(weekday_named("jeu."), Some(3));
        assert_eq!(weekday_named("funday"), None);
    }

    #[test]
    fn both_texts_make_one_message_french_first() {
        let t = Texts {
            any: None,
            fr: Some("Bonjour".into()),
            en: Some("Hello".into()),
        };
        assert_eq!(t.body("\n\n"), "Bonjour\n\nHello");
        assert_eq!(t.body(" / "), "Bonjour / Hello");
    }
}
