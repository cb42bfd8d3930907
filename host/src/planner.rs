//! Action planner: admits a plugin's actions against its grants, then merges
//! the chain's actions for one event into the plan the executor carries out.
//!
//! Merging rules: identical actions (same kind and target, whatever the
//! reason or plugin) are kept once, the first decided wins; a `delete` of a
//! message supersedes replies and reactions to that same message.

use crate::action::{Action, ActionKind, DecidedAction};
use std::collections::{BTreeSet, HashSet};

/// Splits a plugin's actions into granted ones and dropped ones.
pub fn admit<T>(
    grants: &BTreeSet<ActionKind>,
    actions: Vec<T>,
    kind: impl Fn(&T) -> ActionKind,
) -> (Vec<T>, Vec<T>) {
    actions.into_iter().partition(|a| grants.contains(&kind(a)))
}

/// What makes two actions "the same" for deduplication: everything but the
/// reason (and the plugin, which lives outside `Action`).
/// What an action does, without why: two actions with the same identity
/// have the same effect.
pub fn identity(decided: &DecidedAction) -> String {
    let mut action = decided.action.clone();
    match &mut action {
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
        | Action::Stop { reason } => reason.clear(),
    }
    format!(
        "{}\u{0}{}\u{0}{}",
        decided.community,
        decided.channel,
        serde_json::to_string(&action).unwrap_or_default()
    )
}

/// Merges the actions decided for one event, in chain order.
pub fn merge(actions: Vec<DecidedAction>) -> Vec<DecidedAction> {
    // Most events get zero or one action: nothing to merge.
    if actions.len() < 2 {
        return actions;
    }
    let deleted: HashSet<(String, String)> = actions
        .iter()
        .filter_map(|d| match &d.action {
            Action::Delete { message_id, .. } => Some((d.community.clone(), message_id.clone())),
            _ => None,
        })
        .collect();
    let mut seen = HashSet::new();
    actions
        .into_iter()
        .filter(|d| {
            let superseded = matches!(d.action.kind(), ActionKind::Reply | ActionKind::React)
                && d.action
                    .message_id()
                    .is_some_and(|m| deleted.contains(&(d.community.clone(), m.to_string())));
            !superseded && seen.insert(identity(d))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::PluginRef;

    fn decided(plugin: &str, action: Action) -> DecidedAction {
        DecidedAction {
            event_id: Some("e1".into()),
            community: "acme".into(),
            channel: "general".into(),
            by: PluginRef {
                plugin: plugin.into(),
                plugin_version: "1".into(),
                plugin_hash: "h".into(),
            },
            action,
        }
    }

    #[test]
    fn dedupes_and_lets_delete_supersede_replies() {
        let plan = merge(vec![
            decided(
                "a",
                Action::Reply {
                    to_message: "m1".into(),
                    text: "hi".into(),
                    reason: "faq".into(),
                },
            ),
            decided(
                "b",
                Action::Delete {
                    message_id: "m1".into(),
                    reason: "insult".into(),
                },
            ),
            decided(
                "c",
                Action::Delete {
                    message_id: "m1".into(),
                    reason: "spam".into(),
                },
            ),
            decided(
                "c",
                Action::Reply {
                    to_message: "m2".into(),
                    text: "hi".into(),
                    reason: "other message".into(),
                },
            ),
        ]);
        let kinds: Vec<_> = plan
            .iter()
            .map(|d| (d.by.plugin.as_str(), d.action.kind()))
            .collect();
        assert_eq!(
            kinds,
            vec![("b", ActionKind::Delete), ("c", ActionKind::Reply)]
        );
    }

    #[test]
    fn admit_drops_ungranted() {
        let grants: BTreeSet<_> = [ActionKind::Reply].into();
        let (ok, dropped) = admit(&grants, vec![ActionKind::Reply, ActionKind::Ban], |k| *k);
        assert_eq!(ok, vec![ActionKind::Reply]);
        assert_eq!(dropped, vec![ActionKind::Ban]);
    }
}
