//! Short constructors for [`Action`]s, so plugin code reads as what it does:
//! `act::reply(event, "Merci !", "thanks")`.

use crate::*;

/// Delete the event's message.
pub fn delete(event: &Event, reason: impl Into<String>) -> Action {
    Action::Delete(DeleteAction {
        message_id: event.id.clone(),
        reason: reason.into(),
    })
}

/// Reply to the event's message, in its channel.
pub fn reply(event: &Event, text: impl Into<String>, reason: impl Into<String>) -> Action {
    Action::Reply(ReplyAction {
        to_message: event.id.clone(),
        text: text.into(),
        reason: reason.into(),
    })
}

/// Post a new message in `channel`.
pub fn post(channel: &str, text: impl Into<String>, reason: impl Into<String>) -> Action {
    Action::Post(PostAction {
        channel: channel.to_string(),
        text: text.into(),
        reason: reason.into(),
    })
}

/// React to the event's message.
pub fn react(event: &Event, emoji: impl Into<String>, reason: impl Into<String>) -> Action {
    Action::React(ReactAction {
        message_id: event.id.clone(),
        emoji: emoji.into(),
        reason: reason.into(),
    })
}

/// Silence the event's author for `duration_s` seconds.
pub fn timeout(event: &Event, duration_s: u32, reason: impl Into<String>) -> Action {
    Action::Timeout(TimeoutAction {
        user_id: event.author.id.clone(),
        duration_s,
        reason: reason.into(),
    })
}

/// Kick the event's author.
pub fn kick(event: &Event, reason: impl Into<String>) -> Action {
    Action::Kick(KickAction {
        user_id: event.author.id.clone(),
        reason: reason.into(),
    })
}

/// Ban the event's author, for good (`None`) or for `duration_s` seconds.
pub fn ban(event: &Event, duration_s: Option<u32>, reason: impl Into<String>) -> Action {
    Action::Ban(BanAction {
        user_id: event.author.id.clone(),
        duration_s,
        reason: reason.into(),
    })
}

/// Ask a human to review the event's message.
pub fn flag(event: &Event, reason: impl Into<String>) -> Action {
    Action::Flag(FlagAction {
        message_id: event.id.clone(),
        reason: reason.into(),
    })
}

/// Attach `key = value` to the event for later plugins.
pub fn label(key: impl Into<String>, value: f64, reason: impl Into<String>) -> Action {
    Action::Label(LabelAction {
        key: key.into(),
        value,
        note: None,
        reason: reason.into(),
    })
}

/// Alert the staff.
pub fn alert(severity: Severity, message: impl Into<String>, reason: impl Into<String>) -> Action {
    Action::Alert(AlertAction {
        severity,
        message: message.into(),
        reason: reason.into(),
    })
}

/// Send a private message to `user_id`.
pub fn direct_message(user_id: &str, text: impl Into<String>, reason: impl Into<String>) -> Action {
    Action::DirectMessage(DirectMessageAction {
        user_id: user_id.to_string(),
        text: text.into(),
        reason: reason.into(),
    })
}

/// No later plugin in the chain sees this event.
pub fn stop(reason: impl Into<String>) -> Action {
    Action::Stop(reason.into())
}
