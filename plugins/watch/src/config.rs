//! The plugin's config (`[plugins.watch.config]`), checked at `configure`:
//! every mistake is reported with the key it concerns.

use crate::query::Query;
use serde::Deserialize;
use vigie_text::Lang;

/// What a topic stands for, for the share of voice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopicKind {
    Brand,
    Product,
    Competitor,
}

/// Spike alert thresholds (a topic's own baseline).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpikeConfig {
    pub enabled: bool,
    /// Alert when the hour's count exceeds mean + k·σ of the same hour on
    /// the previous `baseline_days` days…
    pub k: f64,
    /// …and is at least this many mentions.
    pub min_count: u32,
    pub baseline_days: u32,
}

impl Default for SpikeConfig {
    fn default() -> Self {
        SpikeConfig {
            enabled: true,
            k: 3.0,
            min_count: 5,
            baseline_days: 14,
        }
    }
}

/// Negative-share jump thresholds: the last 24 hours against the
/// `baseline_days` days before them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NegativeShareConfig {
    pub enabled: bool,
    /// At least this many negative mentions in the last 24 hours…
    pub min_negative: u32,
    /// …a negative share of at least this…
    pub min_share: f64,
    /// …and at least this much above the baseline share.
    pub jump: f64,
    pub baseline_days: u32,
}

impl Default for NegativeShareConfig {
    fn default() -> Self {
        NegativeShareConfig {
            enabled: true,
            min_negative: 3,
            min_share: 0.4,
            jump: 0.25,
            baseline_days: 14,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default = "brand")]
    kind: TopicKind,
    query: String,
    #[serde(default)]
    notify: bool,
}

fn brand() -> TopicKind {
    TopicKind::Brand
}

/// One topic, its query parsed.
#[derive(Debug, Clone)]
pub struct Topic {
    pub id: String,
    /// As shown in alerts and the digest (default: the id).
    pub name: String,
    pub kind: TopicKind,
    pub query: Query,
    /// Alert on every match, not only on the conditions below.
    pub notify: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    topics: Vec<RawTopic>,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default = "default_tz")]
    timezone: String,
    #[serde(default)]
    staff_channel: Option<String>,
    #[serde(default)]
    digest_at: Option<String>,
    #[serde(default = "default_top")]
    digest_top: usize,
    #[serde(default)]
    important_sources: Vec<String>,
    #[serde(default = "default_sentiment_label")]
    sentiment_label: String,
    #[serde(default = "default_negative")]
    negative_below: f64,
    #[serde(default = "default_positive")]
    positive_above: f64,
    #[serde(default)]
    spike: SpikeConfig,
    #[serde(default)]
    negative_share: NegativeShareConfig,
    #[serde(default = "yes")]
    chat_messages: bool,
}

fn default_tz() -> String {
    "Europe/Paris".into()
}
fn default_top() -> usize {
    5
}
fn default_sentiment_label() -> String {
    "sentiment".into()
}
fn default_negative() -> f64 {
    -0.05
}
fn default_positive() -> f64 {
    0.05
}
fn yes() -> bool {
    true
}

/// The checked config.
#[derive(Debug, Clone)]
pub struct Config {
    pub topics: Vec<Topic>,
    /// Language of alerts and the digest.
    pub lang: Lang,
    pub timezone: jiff::tz::TimeZone,
    pub timezone_name: String,
    /// Where the digest is posted.
    pub staff_channel: Option<String>,
    /// Local time of the daily digest (hour, minute).
    pub digest_at: Option<(i8, i8)>,
    pub digest_top: usize,
    /// Folded source names whose negative mentions alert at once (on top
    /// of the feeds marked `important` in the connector).
    pub important_sources: Vec<String>,
    pub sentiment_label: String,
    pub negative_below: f64,
    pub positive_above: f64,
    pub spike: SpikeConfig,
    pub negative_share: NegativeShareConfig,
    /// Also match chat `message` events (not only `mention`s).
    pub chat_messages: bool,
}

impl Config {
    pub fn parse(json: &str) -> Result<Config, String> {
        let raw: Raw = serde_json::from_str(json).map_err(|e| format!("watch config: {e}"))?;
        if raw.topics.is_empty() {
            return Err(
                "watch config: no topic; add [[topics]] with an id and a query \
                 (plugins/watch/README.md)"
                    .into(),
            );
        }
        let mut topics: Vec<Topic> = Vec::new();
        for t in raw.topics {
            let id = t.id.trim().to_string();
            if id.is_empty() || id.contains('/') || id.chars().any(char::is_whitespace) {
                return Err(format!(
                    "watch config: topic id {:?} must be one word without `/`",
                    t.id
                ));
            }
            if topics.iter().any(|x| x.id == id) {
                return Err(format!("watch config: topic id `{id}` is used twice"));
            }
            let query = Query::parse(&t.query)
                .map_err(|e| format!("watch config: topic `{id}`: query: {e}"))?;
            topics.push(Topic {
                name: t.name.unwrap_or_else(|| id.clone()),
                id,
                kind: t.kind,
                query,
                notify: t.notify,
            });
        }
        let lang = match raw.lang.as_deref() {
            None | Some("fr") => Lang::Fr,
            Some("en") => Lang::En,
            Some(other) => {
                return Err(format!(
                    "watch config: lang must be \"fr\" or \"en\", not {other:?}"
                ))
            }
        };
        let timezone = jiff::tz::TimeZone::get(&raw.timezone).map_err(|_| {
            format!(
                "watch config: timezone {:?} is not a known time zone (e.g. \"Europe/Paris\")",
                raw.timezone
            )
        })?;
        let digest_at = match raw.digest_at.as_deref() {
            None => None,
            Some(s) => Some(parse_hhmm(s).ok_or_else(|| {
                format!("watch config: digest_at {s:?} must be a local time like \"09:00\"")
            })?),
        };
        if digest_at.is_some() && raw.staff_channel.is_none() {
            return Err("watch config: digest_at needs staff_channel (where to post it)".into());
        }
        if !(1..=50).contains(&raw.digest_top) {
            return Err("watch config: digest_top must be between 1 and 50".into());
        }
        if !(-1.0..=0.0).contains(&raw.negative_below) || !(0.0..=1.0).contains(&raw.positive_above)
        {
            return Err(
                "watch config: negative_below must be in [-1, 0] and positive_above in [0, 1]"
                    .into(),
            );
        }
        let s = &raw.spike;
        if !(s.k.is_finite() && s.k >= 0.0)
            || s.min_count == 0
            || !(1..=60).contains(&s.baseline_days)
        {
            return Err(
                "watch config: spike needs k ≥ 0, min_count ≥ 1 and baseline_days in 1..=60".into(),
            );
        }
        let n = &raw.negative_share;
        if n.min_negative == 0
            || !(0.0..=1.0).contains(&n.min_share)
            || !(0.0..=1.0).contains(&n.jump)
            || !(1..=60).contains(&n.baseline_days)
        {
            return Err(
                "watch config: negative_share needs min_negative ≥ 1, min_share and jump in [0, 1], \
                 baseline_days in 1..=60"
                    .into(),
            );
        }
        Ok(Config {
            topics,
            lang,
            timezone,
            timezone_name: raw.timezone,
            staff_channel: raw.staff_channel,
            digest_at,
            digest_top: raw.digest_top,
            important_sources: raw
                .important_sources
                .iter()
                .map(|s| vigie_text::fold(s.trim()))
                .collect(),
            sentiment_label: raw.sentiment_label,
            negative_below: raw.negative_below,
            positive_above: raw.positive_above,
            spike: raw.spike,
            negative_share: raw.negative_share,
            chat_messages: raw.chat_messages,
        })
    }
}

fn parse_hhmm(s: &str) -> Option<(i8, i8)> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m) = (h.parse::<i8>().ok()?, m.parse::<i8>().ok()?);
    ((0..24).contains(&h) && (0..60).contains(&m)).then_some((h, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_config_and_its_defaults() {
        let c = Config::parse(r#"{"topics":[{"id":"acme","query":"acme"}]}"#).unwrap();
        assert_eq!(c.topics[0].name, "acme");
        assert_eq!(c.topics[0].kind, TopicKind::Brand);
        assert_eq!(c.lang, Lang::Fr);
        assert_eq!(c.spike.k, 3.0);
        assert!(c.digest_at.is_none());
    }

    #[test]
    fn mistakes_name_their_key() {
        let e = |j: &str| Config::parse(j).unwrap_err();
        assert!(e("{}").contains("no topic"));
        assert!(e(r#"{"topics":[{"id":"a","query":"\"x"}]}"#).contains("topic `a`: query"));
        assert!(
            e(r#"{"topics":[{"id":"a","query":"x"},{"id":"a","query":"y"}]}"#)
                .contains("used twice")
        );
        assert!(e(r#"{"topics":[{"id":"a b","query":"x"}]}"#).contains("one word"));
        assert!(e(r#"{"topics":[{"id":"a","query":"x"}],"lang":"de"}"#).contains("lang"));
        assert!(
            e(r#"{"topics":[{"id":"a","query":"x"}],"timezone":"Mars/Base"}"#)
                .contains("time zone")
        );
        assert!(
            e(r#"{"topics":[{"id":"a","query":"x"}],"digest_at":"9h","staff_channel":"s"}"#)
                .contains("digest_at")
        );
        assert!(
            e(r#"{"topics":[{"id":"a","query":"x"}],"digest_at":"09:00"}"#)
                .contains("needs staff_channel")
        );
        assert!(
            e(r#"{"topics":[{"id":"a","query":"x","kind":"rival"}]}"#).contains("unknown variant")
        );
        assert!(
            e(r#"{"topics":[{"id":"a","query":"x"}],"spike":{"min_count":0}}"#).contains("spike")
        );
        assert!(e(r#"{"topics":[{"id":"a","query":"x"}],"topic":[]}"#).contains("unknown field"));
    }
}
