//! Actions as the host records and prints them: the JSON form written by
//! `vigie run --json` and `vigie test`, and stored in the action log.

use crate::contract as wit;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of an action, as named in configs (`grants = ["reply"]`) and in
/// the `type` field of outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Delete,
    Reply,
    Post,
    React,
    Timeout,
    Kick,
    Ban,
    Flag,
    Label,
    Alert,
    #[serde(rename = "dm", alias = "direct_message", alias = "direct-message")]
    DirectMessage,
    Stop,
}

impl ActionKind {
    pub const ALL: [ActionKind; 12] = [
        ActionKind::Delete,
        ActionKind::Reply,
        ActionKind::Post,
        ActionKind::React,
        ActionKind::Timeout,
        ActionKind::Kick,
        ActionKind::Ban,
        ActionKind::Flag,
        ActionKind::Label,
        ActionKind::Alert,
        ActionKind::DirectMessage,
        ActionKind::Stop,
    ];

    /// The name used in configs and outputs.
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::Delete => "delete",
            ActionKind::Reply => "reply",
            ActionKind::Post => "post",
            ActionKind::React => "react",
            ActionKind::Timeout => "timeout",
            ActionKind::Kick => "kick",
            ActionKind::Ban => "ban",
            ActionKind::Flag => "flag",
            ActionKind::Label => "label",
            ActionKind::Alert => "alert",
            ActionKind::DirectMessage => "dm",
            ActionKind::Stop => "stop",
        }
    }
}

impl ActionKind {
    /// Whether a platform carries it out (labels and stops only steer the
    /// chain).
    pub fn is_executed(self) -> bool {
        !matches!(self, ActionKind::Label | ActionKind::Stop)
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

/// What to do, with the fields of its kind. Where the action happens
/// (community, channel) is in the [`DecidedAction`] around it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    Delete {
        message_id: String,
        reason: String,
    },
    Reply {
        to_message: String,
        text: String,
        reason: String,
    },
    /// The target channel is the decided action's `channel`.
    Post {
        text: String,
        reason: String,
    },
    React {
        message_id: String,
        emoji: String,
        reason: String,
    },
    Timeout {
        user_id: String,
        duration_s: u32,
        reason: String,
    },
    Kick {
        user_id: String,
        reason: String,
    },
    Ban {
        user_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_s: Option<u32>,
        reason: String,
    },
    Flag {
        message_id: String,
        reason: String,
    },
    Label {
        key: String,
        value: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        reason: String,
    },
    Alert {
        severity: Severity,
        message: String,
        reason: String,
    },
    #[serde(rename = "dm")]
    DirectMessage {
        user_id: String,
        text: String,
        reason: String,
    },
    Stop {
        reason: String,
    },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Delete { .. } => ActionKind::Delete,
            Action::Reply { .. } => ActionKind::Reply,
            Action::Post { .. } => ActionKind::Post,
            Action::React { .. } => ActionKind::React,
            Action::Timeout { .. } => ActionKind::Timeout,
            Action::Kick { .. } => ActionKind::Kick,
            Action::Ban { .. } => ActionKind::Ban,
            Action::Flag { .. } => ActionKind::Flag,
            Action::Label { .. } => ActionKind::Label,
            Action::Alert { .. } => ActionKind::Alert,
            Action::DirectMessage { .. } => ActionKind::DirectMessage,
            Action::Stop { .. } => ActionKind::Stop,
        }
    }

    pub fn reason(&self) -> &str {
        match self {
            Action::Delete { reason, .. }
            | Action::Reply { reason, .. }
            | Action::Post { reason, .. }
            | Action::React { reason, .. }
            | Action::Timeout { reason, .. }
            | Action::Kick { reason, .. }
            | Action::Ban { reason, .. }
            | Action::Flag { reason, .. }
            | Action::Label { reason, .. }
            | Action::Alert { reason, .. }
            | Action::DirectMessage { reason, .. }
            | Action::Stop { reason } => reason,
        }
    }

    /// The message the action is about, for the planner's "a delete
    /// supersedes replies and reactions to the same message" rule.
    pub fn message_id(&self) -> Option<&str> {
        match self {
            Action::Delete { message_id, .. }
            | Action::React { message_id, .. }
            | Action::Flag { message_id, .. } => Some(message_id),
            Action::Reply { to_message, .. } => Some(to_message),
            _ => None,
        }
    }

    /// The user the action names, if it names one.
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Action::Timeout { user_id, .. }
            | Action::Kick { user_id, .. }
            | Action::Ban { user_id, .. }
            | Action::DirectMessage { user_id, .. } => Some(user_id),
            _ => None,
        }
    }

    /// Bytes of text the plugin produced, counted against its output limit.
    pub fn output_bytes(&self) -> usize {
        let text = match self {
            Action::Reply { text, .. } | Action::Post { text, .. } => text.len(),
            Action::DirectMessage { text, .. } => text.len(),
            Action::Alert { message, .. } => message.len(),
            Action::Label { key, note, .. } => key.len() + note.as_ref().map_or(0, String::len),
            Action::React { emoji, .. } => emoji.len(),
            _ => 0,
        };
        text + self.reason().len()
    }

    /// Converts a plugin's action; returns the channel it targets when the
    /// action names one (`post`), and an error for values the host will not
    /// carry out (a label that is not a finite number).
    pub fn from_wit(action: wit::Action) -> Result<(Action, Option<String>), String> {
        Ok(match action {
            wit::Action::Delete(a) => (
                Action::Delete {
                    message_id: a.message_id,
                    reason: a.reason,
                },
                None,
            ),
            wit::Action::Reply(a) => (
                Action::Reply {
                    to_message: a.to_message,
                    text: a.text,
                    reason: a.reason,
                },
                None,
            ),
            wit::Action::Post(a) => (
                Action::Post {
                    text: a.text,
                    reason: a.reason,
                },
                Some(a.channel),
            ),
            wit::Action::React(a) => (
                Action::React {
                    message_id: a.message_id,
                    emoji: a.emoji,
                    reason: a.reason,
                },
                None,
            ),
            wit::Action::Timeout(a) => (
                Action::Timeout {
                    user_id: a.user_id,
                    duration_s: a.duration_s,
                    reason: a.reason,
                },
                None,
            ),
            wit::Action::Kick(a) => (
                Action::Kick {
                    user_id: a.user_id,
                    reason: a.reason,
                },
                None,
            ),
            wit::Action::Ban(a) => (
                Action::Ban {
                    user_id: a.user_id,
                    duration_s: a.duration_s,
                    reason: a.reason,
                },
                None,
            ),
            wit::Action::Flag(a) => (
                Action::Flag {
                    message_id: a.message_id,
                    reason: a.reason,
                },
                None,
            ),
            wit::Action::Label(a) => {
                if !a.value.is_finite() {
                    return Err(format!("label `{}` is not a finite number", a.key));
                }
                (
                    Action::Label {
                        key: a.key,
                        value: a.value,
                        note: a.note,
                        reason: a.reason,
                    },
                    None,
                )
            }
            wit::Action::Alert(a) => (
                Action::Alert {
                    severity: match a.severity {
                        wit::Severity::Info => Severity::Info,
                        wit::Severity::Warning => Severity::Warning,
                        wit::Severity::Critical => Severity::Critical,
                    },
                    message: a.message,
                    reason: a.reason,
                },
                None,
            ),
            wit::Action::DirectMessage(a) => (
                Action::DirectMessage {
                    user_id: a.user_id,
                    text: a.text,
                    reason: a.reason,
                },
                None,
            ),
            wit::Action::Stop(reason) => (Action::Stop { reason }, None),
        })
    }
}

/// Kind of a WIT action without converting it.
pub fn wit_action_kind(action: &wit::Action) -> ActionKind {
    match action {
        wit::Action::Delete(_) => ActionKind::Delete,
        wit::Action::Reply(_) => ActionKind::Reply,
        wit::Action::Post(_) => ActionKind::Post,
        wit::Action::React(_) => ActionKind::React,
        wit::Action::Timeout(_) => ActionKind::Timeout,
        wit::Action::Kick(_) => ActionKind::Kick,
        wit::Action::Ban(_) => ActionKind::Ban,
        wit::Action::Flag(_) => ActionKind::Flag,
        wit::Action::Label(_) => ActionKind::Label,
        wit::Action::Alert(_) => ActionKind::Alert,
        wit::Action::DirectMessage(_) => ActionKind::DirectMessage,
        wit::Action::Stop(_) => ActionKind::Stop,
    }
}

impl From<wit::ActionKind> for ActionKind {
    fn from(kind: wit::ActionKind) -> Self {
        match kind {
            wit::ActionKind::Delete => ActionKind::Delete,
            wit::ActionKind::Reply => ActionKind::Reply,
            wit::ActionKind::Post => ActionKind::Post,
            wit::ActionKind::React => ActionKind::React,
            wit::ActionKind::Timeout => ActionKind::Timeout,
            wit::ActionKind::Kick => ActionKind::Kick,
            wit::ActionKind::Ban => ActionKind::Ban,
            wit::ActionKind::Flag => ActionKind::Flag,
            wit::ActionKind::Label => ActionKind::Label,
            wit::ActionKind::Alert => ActionKind::Alert,
            wit::ActionKind::DirectMessage => ActionKind::DirectMessage,
            wit::ActionKind::Stop => ActionKind::Stop,
        }
    }
}

impl From<ActionKind> for wit::ActionKind {
    fn from(kind: ActionKind) -> Self {
        match kind {
            ActionKind::Delete => wit::ActionKind::Delete,
            ActionKind::Reply => wit::ActionKind::Reply,
            ActionKind::Post => wit::ActionKind::Post,
            ActionKind::React => wit::ActionKind::React,
            ActionKind::Timeout => wit::ActionKind::Timeout,
            ActionKind::Kick => wit::ActionKind::Kick,
            ActionKind::Ban => wit::ActionKind::Ban,
            ActionKind::Flag => wit::ActionKind::Flag,
            ActionKind::Label => wit::ActionKind::Label,
            ActionKind::Alert => wit::ActionKind::Alert,
            ActionKind::DirectMessage => wit::ActionKind::DirectMessage,
            ActionKind::Stop => wit::ActionKind::Stop,
        }
    }
}

/// Identifies the exact plugin build that decided an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginRef {
    /// The name of the plugin entry in the config.
    pub plugin: String,
    /// The version the plugin's `describe` reports.
    pub plugin_version: String,
    /// SHA-256 of the component file, hex.
    pub plugin_hash: String,
}

/// An action decided for a community, with everything the audit trail needs:
/// which event, which plugin build, where, and why (in `action`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecidedAction {
    /// The event that led to it; `None` for actions from `tick`.
    #[serde(default)]
    pub event_id: Option<String>,
    /// For actions from `tick`: the tick's time (ms since the Unix epoch),
    /// so a replay can match them with the recorded tick.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tick_ms: Option<i64>,
    pub community: String,
    /// Where the action takes effect.
    pub channel: String,
    #[serde(flatten)]
    pub by: PluginRef,
    #[serde(flatten)]
    pub action: Action,
}

impl DecidedAction {
    /// One line for people: `acme #general keyword-filter delete: reason`.
    pub fn one_line(&self) -> String {
        self.one_line_wide(false)
    }

    /// The names of [`DecidedAction::one_line`]'s columns, aligned with it.
    pub fn one_line_header() -> String {
        format!(
            "{:<8} {:<11} {:<15} {:<7} detail — reason",
            "community", "channel", "plugin", "action"
        )
    }

    /// [`DecidedAction::one_line`], with its texts whole when `wide`.
    pub fn one_line_wide(&self, wide: bool) -> String {
        let shorten = |text: &str, max: usize| shorten(text, if wide { usize::MAX } else { max });
        let detail = match &self.action {
            Action::Reply { text, .. } | Action::Post { text, .. } => {
                format!(" «{}»", shorten(text, 70))
            }
            Action::DirectMessage { user_id, text, .. } => {
                format!(" → {user_id} «{}»", shorten(text, 60))
            }
            Action::React { emoji, .. } => format!(" {emoji}"),
            Action::Timeout {
                user_id,
                duration_s,
                ..
            } => format!(" {user_id} for {duration_s}s"),
            Action::Kick { user_id, .. } => format!(" {user_id}"),
            Action::Ban {
                user_id,
                duration_s,
                ..
            } => match duration_s {
                Some(d) => format!(" {user_id} for {d}s"),
                None => format!(" {user_id}"),
            },
            Action::Label { key, value, .. } => format!(" {key}={value:.2}"),
            Action::Alert {
                severity, message, ..
            } => format!(" [{severity:?}] «{}»", shorten(message, 60)),
            Action::Delete { message_id, .. } | Action::Flag { message_id, .. } => {
                format!(" {message_id}")
            }
            Action::Stop { .. } => String::new(),
        };
        format!(
            "{:<8} #{:<10} {:<15} {:<7}{} — {}",
            self.community,
            self.channel,
            self.by.plugin,
            self.action.kind().name(),
            detail,
            shorten(self.action.reason(), 80)
        )
    }
}

fn shorten(text: &str, max_chars: usize) -> String {
    let flat = text.replace('\n', " ");
    if flat.chars().count() <= max_chars {
        flat
    } else {
        let cut: String = flat.chars().take(max_chars.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_type_reason_and_fields() {
        let decided = DecidedAction {
            event_id: Some("e1".into()),
            tick_ms: None,
            community: "acme".into(),
            channel: "general".into(),
            by: PluginRef {
                plugin: "faq".into(),
                plugin_version: "1.0.0".into(),
                plugin_hash: "ab".into(),
            },
            action: Action::Timeout {
                user_id: "u1".into(),
                duration_s: 600,
                reason: "flood".into(),
            },
        };
        let json = serde_json::to_value(&decided).unwrap();
        assert_eq!(json["type"], "timeout");
        assert_eq!(json["duration_s"], 600);
        assert_eq!(json["event_id"], "e1");
        assert_eq!(json["plugin"], "faq");
        let back: DecidedAction = serde_json::from_value(json).unwrap();
        assert_eq!(back, decided);
    }

    #[test]
    fn dm_is_named_dm() {
        let a = Action::DirectMessage {
            user_id: "u".into(),
            text: "t".into(),
            reason: "r".into(),
        };
        assert_eq!(serde_json::to_value(&a).unwrap()["type"], "dm");
        assert_eq!(a.kind().name(), "dm");
    }
}
