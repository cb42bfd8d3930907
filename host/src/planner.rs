//! Action planner: admits a plugin's actions against its grants, then merges
//! the chain's actions for one event into the plan the executor carries out.
//!
//! Merging rules: identical actions (same kind and target, whatever the
//! reason or plugin) are kept once, the first decided wins; a `delete` of a
//! message supersedes replies and reactions to that same message.

use crate::action::{Action, ActionKind, DecidedAction};
use std::collections::BTreeSet;

/// Splits a plugin's actions into granted ones and dropped ones.
pub fn admit<T>(
    grants: &BTreeSet<ActionKind>,
    actions: Vec<T>,
    kind: impl Fn(&T) -> ActionKind,
) -> (Vec<T>, Vec<T>) {
    // Nearly always everything is granted: keep the list as it is.
    if actions.iter().all(|a| grants.contains(&kind(a))) {
        return (actions, Vec::new());
    }
    actions.into_iter().partition(|a| grants.contains(&kind(a)))
}

/// The action without its reason: what it does, not why.
fn without_reason(action: &Action) -> Action {
    let mut action = action.clone();
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
    action
}

/// What an action does, without why, as a string: two actions with the
/// same identity have the same effect (see [`same_effect`]).
pub fn identity(decided: &DecidedAction) -> String {
    format!(
        "{}\u{0}{}\u{0}{}",
        decided.community,
        decided.channel,
        serde_json::to_string(&without_reason(&decided.action)).unwrap_or_default()
    )
}

/// Whether two actions have the same effect: the same in everything but
/// the reason (and the plugin, which lives outside `Action`).
pub fn same_effect(a: &DecidedAction, b: &DecidedAction) -> bool {
    a.action.kind() == b.action.kind()
        && a.community == b.community
        && a.channel == b.channel
        && without_reason(&a.action) == without_reason(&b.action)
}

/// Merges the actions decided for one event, in chain order.
pub fn merge(actions: Vec<DecidedAction>) -> Vec<DecidedAction> {
    // Most events get zero or one action: nothing to merge.
    if actions.len() < 2 {
        return actions;
    }
    let deleted: Vec<(String, String)> = actions
        .iter()
        .filter_map(|d| match &d.action {
            Action::Delete { message_id, .. } => Some((d.community.clone(), message_id.clone())),
            _ => None,
        })
        .collect();
    // An event gets a handful of actions: comparing pairs is cheaper than
    // hashing each one.
    let mut kept: Vec<DecidedAction> = Vec::with_capacity(actions.len());
    for d in actions {
        let superseded = matches!(d.action.kind(), ActionKind::Reply | ActionKind::React)
            && d.action
                .message_id()
                .is_some_and(|m| deleted.iter().any(|(c, id)| *c == d.community && id == m));
        if !superseded && !kept.iter().any(|k| same_effect(k, &d)) {
            kept.push(d);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::PluginRef;

    fn decided(plugin: &str, action: Action) -> DecidedAction {
        DecidedAction {
            event_id: Some("e1".into()),
            tick_ms: None,
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
    fn same_effect_ignores_the_reason_only_and_agrees_with_identity() {
        let label = |value: f64, reason: &str| {
            decided(
                "a",
                Action::Label {
                    key: "mood".into(),
                    value,
                    note: None,
                    reason: reason.into(),
                },
            )
        };
        let mut elsewhere = label(0.5, "x");
        elsewhere.channel = "other".into();
        let pairs = [
            (label(0.5, "x"), label(0.5, "y"), true),
            (label(0.5, "x"), label(0.25, "x"), false),
            (label(0.5, "x"), elsewhere, false),
        ];
        for (a, b, same) in &pairs {
            assert_eq!(same_effect(a, b), *same, "{a:?} vs {b:?}");
            assert_eq!(identity(a) == identity(b), *same, "{a:?} vs {b:?}");
        }
        let plan = merge(pairs.into_iter().flat_map(|(a, b, _)| [a, b]).collect());
        assert_eq!(plan.len(), 3);
    }

    #[test]
    fn admit_drops_ungranted() {
        let grants: BTreeSet<_> = [ActionKind::Reply].into();
        let (ok, dropped) = admit(&grants, vec![ActionKind::Reply, ActionKind::Ban], |k| *k);
        assert_eq!(ok, vec![ActionKind::Reply]);
        assert_eq!(dropped, vec![ActionKind::Ban]);
    }
}
