//! The plugin's configuration, as the host hands it over (the `config` table
//! of `vigie.toml`, as JSON). Every key is documented in README.md.
//!
//! Parsing is strict: an unknown key, a value of the wrong type or an invalid
//! value is an error that names the key (`rules[1].links.max: invalid type:
//! string "3", expected u32`).

use serde::Deserialize;

/// The whole config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Use the word lists shipped with the plugin (and their allow list).
    pub use_default_lists: bool,
    /// Which default lists: `fr`, `en`.
    pub languages: Vec<String>,
    /// Words and phrases added to the list (`*` wildcards allowed).
    pub extra_words: Vec<String>,
    /// Words and phrases never reported; also removed from the lists.
    pub allow_words: Vec<String>,
    /// Built-in rules to keep (all by default). A rule of `rules` with the
    /// same id replaces the built-in one.
    pub default_rules: Option<Vec<String>>,
    /// The community's own rules.
    pub rules: Vec<RuleConfig>,
    /// Staff (`is_staff`) are exempt from every rule unless the rule says
    /// `include_staff = true`.
    pub exempt_staff: bool,
    /// Authors with one of these roles are exempt from every rule.
    pub exempt_roles: Vec<String>,
    /// One strike is forgiven per this many seconds without a new one.
    pub strike_decay_s: u64,
    /// A user gets at most one warning message per this many seconds (the
    /// rules' other actions still apply); 0: a warning every time.
    pub warning_cooldown_s: u64,
    /// Replaces the built-in list of chat invitation hosts.
    pub invite_domains: Option<Vec<String>>,
    /// Language of warnings when the message's language is unclear.
    pub default_language: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            use_default_lists: true,
            languages: vec!["fr".into(), "en".into()],
            extra_words: Vec::new(),
            allow_words: Vec::new(),
            default_rules: None,
            rules: Vec::new(),
            exempt_staff: true,
            exempt_roles: Vec::new(),
            strike_decay_s: 86_400,
            warning_cooldown_s: 300,
            invite_domains: None,
            default_language: "fr".into(),
        }
    }
}

fn default_priority() -> i64 {
    100
}

fn yes() -> bool {
    true
}

fn one() -> u32 {
    1
}

/// One rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// Unique name, shown in reasons and warnings.
    pub id: String,
    /// Lower runs first; the first rule that matches acts alone.
    #[serde(default = "default_priority")]
    pub priority: i64,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Free text for people reading the config.
    #[serde(default)]
    pub description: String,

    // --- Where and who.
    /// `message`, `edit` (default both).
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub channels: Vec<String>,
    #[serde(default)]
    pub exempt_channels: Vec<String>,
    /// Only authors with one of these roles.
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub exempt_roles: Vec<String>,
    #[serde(default)]
    pub include_staff: bool,
    /// Only accounts younger than this many days (unknown age: no).
    #[serde(default)]
    pub account_age_below_days: Option<u32>,

    // --- What (every condition given must hold).
    /// The plugin's word list (defaults + `extra_words` − `allow_words`).
    #[serde(default)]
    pub word_list: bool,
    /// This rule's own words.
    #[serde(default)]
    pub words: Vec<String>,
    /// The abuse classifier's score at or above which the rule matches
    /// (0 to 1; see `abuse.rs`): whether the message attacks a person.
    #[serde(default)]
    pub classifier: Option<f64>,
    /// Regular expressions, matched on the folded text.
    #[serde(default)]
    pub patterns: Vec<String>,
    #[serde(default)]
    pub links: Option<LinksConfig>,
    #[serde(default)]
    pub caps: Option<CapsConfig>,
    #[serde(default)]
    pub symbols: Option<SymbolsConfig>,
    #[serde(default)]
    pub mentions: Option<MentionsConfig>,
    #[serde(default)]
    pub flood: Option<FloodConfig>,
    #[serde(default)]
    pub duplicates: Option<DuplicatesConfig>,

    // --- What to do.
    pub actions: Vec<String>,
    #[serde(default)]
    pub ladder: Vec<String>,
    #[serde(default = "one")]
    pub strike_weight: u32,
    /// Warning text; `{user}`, `{rule}` and `{match}` are replaced.
    #[serde(default)]
    pub warning: Option<String>,
}

/// `links = { ... }`: any of the keys set makes the condition hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LinksConfig {
    /// Any link (outside `allow`).
    pub any: bool,
    /// A chat invitation (Discord, Telegram, WhatsApp, Matrix room...).
    pub invites: bool,
    /// A URL shortener (bit.ly, tinyurl.com...).
    pub shorteners: bool,
    /// Links to these domains.
    pub deny: Vec<String>,
    /// Links to these domains never count.
    pub allow: Vec<String>,
    /// More than this many links (outside `allow`).
    pub max: Option<u32>,
}

/// `caps = { ratio = 0.7, min_letters = 12 }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CapsConfig {
    pub ratio: f64,
    pub min_letters: u32,
}

impl Default for CapsConfig {
    fn default() -> Self {
        CapsConfig {
            ratio: 0.7,
            min_letters: 12,
        }
    }
}

/// `symbols = { ratio = 0.5, min_count = 6 }`: emoji and symbols.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SymbolsConfig {
    pub ratio: f64,
    pub min_count: u32,
}

impl Default for SymbolsConfig {
    fn default() -> Self {
        SymbolsConfig {
            ratio: 0.5,
            min_count: 6,
        }
    }
}

/// `mentions = { max = 5 }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MentionsConfig {
    pub max: u32,
}

/// `flood = { messages = 6, seconds = 10 }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FloodConfig {
    pub messages: u32,
    pub seconds: u32,
}

/// `duplicates = { count = 3, seconds = 120 }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DuplicatesConfig {
    pub count: u32,
    pub seconds: u32,
    pub across_users: bool,
    pub min_chars: u32,
    pub ignore_commands: bool,
}

impl Default for DuplicatesConfig {
    fn default() -> Self {
        DuplicatesConfig {
            count: 3,
            seconds: 120,
            across_users: false,
            min_chars: 10,
            ignore_commands: true,
        }
    }
}

/// The built-in rules, kept unless `default_rules` says otherwise.
pub const DEFAULT_RULES: &str = r#"[
  {"id": "invites", "priority": 10, "description": "chat invitations",
   "links": {"invites": true}, "actions": ["delete", "warn"]},
  {"id": "new-account-links", "priority": 20, "description": "links from accounts younger than 7 days",
   "account_age_below_days": 7, "links": {"any": true}, "actions": ["delete", "warn"]},
  {"id": "flood", "priority": 30, "description": "6 messages in 10 seconds",
   "flood": {"messages": 6, "seconds": 10}, "actions": ["delete", "timeout:300"]},
  {"id": "repeats", "priority": 40, "description": "the same message 3 times in 2 minutes",
   "duplicates": {"count": 3, "seconds": 120}, "actions": ["delete"]},
  {"id": "mass-mentions", "priority": 50, "description": "more than 5 mentions",
   "mentions": {"max": 5}, "actions": ["delete", "warn"]},
  {"id": "bad-words", "priority": 100, "description": "the word lists",
   "word_list": true, "actions": ["delete", "warn"]},
  {"id": "abuse", "priority": 110, "description": "messages that attack a person (the abuse classifier)",
   "classifier": 0.8, "actions": ["delete", "warn"]}
]"#;

/// The built-in rules.
pub fn default_rules() -> Vec<RuleConfig> {
    serde_json::from_str(DEFAULT_RULES).expect("built-in rules are valid")
}

/// Parses the JSON config, with errors naming the key at fault.
pub fn parse(json: &str) -> Result<Config, String> {
    let json = if json.trim().is_empty() { "{}" } else { json };
    let de = &mut serde_json::Deserializer::from_str(json);
    let config: Config = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = strip_position(&e.inner().to_string());
        let rule_id = rule_id_at(json, &path);
        match (path.as_str(), rule_id) {
            (".", _) | ("", _) => format!("automod config: {inner}"),
            (p, Some(id)) => format!("automod config: {p} (rule \"{id}\"): {inner}"),
            (p, None) => format!("automod config: {p}: {inner}"),
        }
    })?;
    Ok(config)
}

/// serde_json appends "at line 1 column 42", which means nothing to someone
/// who wrote TOML.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(p) => msg[..p].to_string(),
        None => msg.to_string(),
    }
}

/// The id of the rule a path like `rules[2].links` points into, if any.
fn rule_id_at(json: &str, path: &str) -> Option<String> {
    let rest = path.strip_prefix("rules[")?;
    let index: usize = rest[..rest.find(']')?].parse().ok()?;
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    value["rules"][index]["id"].as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_is_the_default() {
        let c = parse("{}").unwrap();
        assert!(c.use_default_lists);
        assert_eq!(c.languages, vec!["fr", "en"]);
        assert!(c.rules.is_empty());
        assert!(parse("").is_ok());
    }

    #[test]
    fn errors_name_the_key() {
        let e = parse(r#"{"use_defaults": true}"#).unwrap_err();
        assert!(e.contains("unknown field `use_defaults`"), "{e}");
        assert!(!e.contains("line 1"), "{e}");
        let e = parse(r#"{"rules": [{"id": "x", "actions": ["delete"], "links": {"max": "3"}}]}"#)
            .unwrap_err();
        assert!(e.contains("rules[0].links.max"), "{e}");
        assert!(e.contains("rule \"x\""), "{e}");
        let e = parse(r#"{"rules": [{"id": "x"}]}"#).unwrap_err();
        assert!(e.contains("missing field `actions`"), "{e}");
        let e =
            parse(r#"{"rules": [{"id": "x", "actions": [], "caps": {"ratioo": 1}}]}"#).unwrap_err();
        assert!(e.contains("unknown field `ratioo`"), "{e}");
    }

    #[test]
    fn built_in_rules_parse() {
        let rules = default_rules();
        assert!(rules.iter().any(|r| r.id == "bad-words" && r.word_list));
    }
}
