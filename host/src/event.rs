//! The normalised event: its JSON Lines form (what sources read and the event
//! log stores) and its conversion to the WIT record plugins receive.

use crate::contract as wit;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Largest accepted message text, in bytes. Longer texts are rejected with a
/// clear error rather than truncated, so nothing is silently changed.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// What happened. The JSON names are snake_case (`direct_message`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Message,
    Edit,
    Deletion,
    Reaction,
    Join,
    Leave,
    Follow,
    Mention,
    #[serde(alias = "direct-message", alias = "dm")]
    DirectMessage,
    Report,
}

/// Who caused the event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Author {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_age_days: Option<u32>,
    #[serde(default)]
    pub is_staff: bool,
}

/// A label attached by a plugin (or given in the input).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    pub key: String,
    pub value: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default)]
    pub plugin: String,
}

/// The `plugin` of the labels the host itself puts on events.
pub const HOST_LABELLER: &str = "vigie";
/// Label on a reaction or a reply to one of the bot's own messages: `note`
/// names the plugin that sent that message. Plugins never learn the ids
/// platforms give their posts; this is how a contest knows a reaction to
/// its announcement.
pub const SENT_BY_LABEL: &str = "vigie.sent-by";
/// With [`SENT_BY_LABEL`], when the message answered an event: `note` is
/// that event's id (e.g. the `!giveaway start` command).
pub const SENT_FOR_LABEL: &str = "vigie.sent-for";

/// One normalised event, as read from JSON Lines and stored in the event log.
///
/// ```json
/// {"id":"e1","kind":"message","platform":"demo","community":"acme","channel":"general",
///  "author":{"id":"u1","name":"Alice","roles":["member"],"account_age_days":120},
///  "text":"Bonjour !","timestamp":"2026-11-22T10:00:00Z"}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub id: String,
    pub kind: EventKind,
    pub platform: String,
    pub community: String,
    pub channel: String,
    pub author: Author,
    #[serde(default)]
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reaction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_message: Option<String>,
    /// RFC 3339 time, e.g. `2026-11-22T10:00:00Z`.
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
}

/// Why an input line is not a valid event.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// serde's message, with the column where it stopped (the line is the
    /// caller's to name: serde's own "line 1" would be a second one).
    #[error("not a valid event: {}", json_error(.0))]
    Json(#[from] serde_json::Error),
    #[error("`{0}` must not be empty")]
    Empty(&'static str),
    #[error("`{field}` must not contain control characters (found in {value:?})")]
    ControlCharacter { field: &'static str, value: String },
    #[error("`text` is {0} bytes; the limit is {MAX_TEXT_BYTES}")]
    TextTooLong(usize),
    #[error("label `{0}` has a value that is not a finite number")]
    BadLabel(String),
}

/// A JSON error without serde's `at line 1 column N` suffix, which named a
/// line of its own (always 1 in a JSON Lines line) next to the file's line
/// that the caller reports: `… at column N` instead.
fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if e.line() > 1 {
        return text;
    }
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match text.strip_suffix(&suffix) {
        Some(message) => format!("{message} at column {}", e.column()),
        None => text,
    }
}

impl Event {
    /// Parse and validate one JSON Lines line.
    pub fn from_json_line(line: &str) -> Result<Event, EventError> {
        let event: Event = serde_json::from_str(line)?;
        event.validate()?;
        Ok(event)
    }

    /// Check what serde cannot: required strings are non-empty and usable as
    /// store keys, the text is within limits.
    pub fn validate(&self) -> Result<(), EventError> {
        for (field, value) in [
            ("id", &self.id),
            ("platform", &self.platform),
            ("community", &self.community),
            ("channel", &self.channel),
            ("author.id", &self.author.id),
        ] {
            if value.trim().is_empty() {
                return Err(EventError::Empty(field));
            }
            if value.chars().any(char::is_control) {
                return Err(EventError::ControlCharacter {
                    field,
                    value: value.clone(),
                });
            }
        }
        if self.text.len() > MAX_TEXT_BYTES {
            return Err(EventError::TextTooLong(self.text.len()));
        }
        if let Some(label) = self.labels.iter().find(|l| !l.value.is_finite()) {
            return Err(EventError::BadLabel(label.key.clone()));
        }
        Ok(())
    }

    /// The event's time in milliseconds since the Unix epoch.
    pub fn timestamp_ms(&self) -> i64 {
        (self.timestamp.unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// The WIT record handed to plugins (labels and earlier actions start
    /// with what the input carried; the chain adds to them).
    pub fn to_wit(&self) -> wit::Event {
        self.to_wit_with(self.wit_labels(), Vec::new())
    }

    /// The labels the input carried, as plugins receive them.
    pub fn wit_labels(&self) -> Vec<wit::Label> {
        self.labels
            .iter()
            .map(|l| wit::Label {
                key: l.key.clone(),
                value: l.value,
                note: l.note.clone(),
                plugin: l.plugin.clone(),
            })
            .collect()
    }

    /// The WIT record with the labels and earlier actions given.
    pub fn to_wit_with(
        &self,
        labels: Vec<wit::Label>,
        earlier_actions: Vec<wit::ActionKind>,
    ) -> wit::Event {
        wit::Event {
            id: self.id.clone(),
            kind: self.kind.into(),
            platform: self.platform.clone(),
            community: self.community.clone(),
            channel: self.channel.clone(),
            author: wit::Author {
                id: self.author.id.clone(),
                name: self.author.name.clone(),
                roles: self.author.roles.clone(),
                account_age_days: self.author.account_age_days,
                is_staff: self.author.is_staff,
            },
            text: self.text.clone(),
            reply_to: self.reply_to.clone(),
            reaction: self.reaction.clone(),
            target_message: self.target_message.clone(),
            timestamp_ms: self.timestamp_ms(),
            labels,
            earlier_actions,
        }
    }
}

/// Formats a time in milliseconds as RFC 3339, for logs and outputs.
pub fn format_ms(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("{ms}ms"))
}

impl From<EventKind> for wit::EventKind {
    fn from(kind: EventKind) -> Self {
        match kind {
            EventKind::Message => wit::EventKind::Message,
            EventKind::Edit => wit::EventKind::Edit,
            EventKind::Deletion => wit::EventKind::Deletion,
            EventKind::Reaction => wit::EventKind::Reaction,
            EventKind::Join => wit::EventKind::Join,
            EventKind::Leave => wit::EventKind::Leave,
            EventKind::Follow => wit::EventKind::Follow,
            EventKind::Mention => wit::EventKind::Mention,
            EventKind::DirectMessage => wit::EventKind::DirectMessage,
            EventKind::Report => wit::EventKind::Report,
        }
    }
}

impl From<wit::EventKind> for EventKind {
    fn from(kind: wit::EventKind) -> Self {
        match kind {
            wit::EventKind::Message => EventKind::Message,
            wit::EventKind::Edit => EventKind::Edit,
            wit::EventKind::Deletion => EventKind::Deletion,
            wit::EventKind::Reaction => EventKind::Reaction,
            wit::EventKind::Join => EventKind::Join,
            wit::EventKind::Leave => EventKind::Leave,
            wit::EventKind::Follow => EventKind::Follow,
            wit::EventKind::Mention => EventKind::Mention,
            wit::EventKind::DirectMessage => EventKind::DirectMessage,
            wit::EventKind::Report => EventKind::Report,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"{"id":"e1","kind":"message","platform":"demo","community":"acme","channel":"general","author":{"id":"u1","name":"Alice","roles":["member"],"account_age_days":120},"text":"Bonjour !","timestamp":"2026-11-22T10:00:00Z"}"#;

    #[test]
    fn parses_the_documented_example() {
        let event = Event::from_json_line(LINE).unwrap();
        assert_eq!(event.author.account_age_days, Some(120));
        assert_eq!(event.timestamp_ms(), 1_795_341_600_000);
        assert_eq!(format_ms(event.timestamp_ms()), "2026-11-22T10:00:00Z");
    }

    #[test]
    fn rejects_unknown_fields_empty_ids_and_bad_times() {
        let typo = LINE.replace("\"text\"", "\"txt\"");
        assert!(Event::from_json_line(&typo)
            .unwrap_err()
            .to_string()
            .contains("unknown field `txt`"));
        let empty = LINE.replace("\"acme\"", "\"  \"");
        assert!(matches!(
            Event::from_json_line(&empty),
            Err(EventError::Empty("community"))
        ));
        let bad_time = LINE.replace("2026-11-22T10:00:00Z", "yesterday");
        assert!(Event::from_json_line(&bad_time).is_err());
    }

    /// A bad line is reported by its file's line number only: serde's own
    /// "at line 1 column N" named a second line, so only the column is
    /// kept.
    #[test]
    fn json_errors_name_a_column_not_a_second_line() {
        let typo = LINE.replace("\"text\"", "\"txt\"");
        let message = Event::from_json_line(&typo).unwrap_err().to_string();
        assert!(!message.contains("line"), "{message}");
        assert!(
            message.starts_with("not a valid event: unknown field `txt`"),
            "{message}"
        );
        let column = |m: &str| -> usize {
            let (_, n) = m.rsplit_once(" at column ").expect(m);
            n.parse().expect(m)
        };
        assert!(column(&message) > typo.find("txt").unwrap(), "{message}");
        let cut = Event::from_json_line(&LINE[..40]).unwrap_err().to_string();
        assert!(cut.starts_with("not a valid event: EOF"), "{cut}");
        assert!(!cut.contains("line"), "{cut}");
        assert_eq!(column(&cut), 40, "{cut}");
    }
}
