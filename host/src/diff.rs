//! Differences between two sets of actions decided for the same event:
//! what shadow mode reports and what `vigie replay` prints. Two actions
//! are the same when they have the same effect (the reason and the plugin
//! build are not compared); an action that acts on the same target (the
//! same message, user or channel, the same kind) with other details is
//! "changed".

use crate::action::{Action, DecidedAction};
use crate::planner::identity;
use serde::Serialize;
use std::collections::BTreeMap;

/// One difference for one event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    Added {
        action: DecidedAction,
    },
    Removed {
        action: DecidedAction,
    },
    Changed {
        before: Box<DecidedAction>,
        after: Box<DecidedAction>,
    },
}

/// What the action acts on: its kind and target.
fn target(a: &DecidedAction) -> String {
    let detail = match &a.action {
        Action::Delete { message_id, .. }
        | Action::React { message_id, .. }
        | Action::Flag { message_id, .. } => message_id.clone(),
        Action::Reply { to_message, .. } => to_message.clone(),
        Action::Timeout { user_id, .. }
        | Action::Kick { user_id, .. }
        | Action::Ban { user_id, .. }
        | Action::DirectMessage { user_id, .. } => user_id.clone(),
        Action::Label { key, .. } => key.clone(),
        Action::Post { .. } | Action::Alert { .. } | Action::Stop { .. } => String::new(),
    };
    format!("{}\u{0}{}\u{0}{}", a.action.kind(), a.channel, detail)
}

/// The changes from `before` to `after` (both for one event), in a stable
/// order.
pub fn diff(before: &[DecidedAction], after: &[DecidedAction]) -> Vec<Change> {
    let group = |list: &[DecidedAction]| {
        let mut by: BTreeMap<String, Vec<DecidedAction>> = BTreeMap::new();
        for a in list {
            by.entry(target(a)).or_default().push(a.clone());
        }
        by
    };
    let (old, new) = (group(before), group(after));
    let mut changes = Vec::new();
    let keys: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        let empty = Vec::new();
        let olds = old.get(key).unwrap_or(&empty);
        let news = new.get(key).unwrap_or(&empty);
        let mut unmatched_old: Vec<&DecidedAction> = olds
            .iter()
            .filter(|o| !news.iter().any(|n| identity(n) == identity(o)))
            .collect();
        let mut unmatched_new: Vec<&DecidedAction> = news
            .iter()
            .filter(|n| !olds.iter().any(|o| identity(n) == identity(o)))
            .collect();
        while let (Some(_), Some(_)) = (unmatched_old.first(), unmatched_new.first()) {
            let before = Box::new(unmatched_old.remove(0).clone());
            let after = Box::new(unmatched_new.remove(0).clone());
            changes.push(Change::Changed { before, after });
        }
        changes.extend(
            unmatched_old
                .into_iter()
                .map(|a| Change::Removed { action: a.clone() }),
        );
        changes.extend(
            unmatched_new
                .into_iter()
                .map(|a| Change::Added { action: a.clone() }),
        );
    }
    changes
}

/// Counts of a diff run.
#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct DiffSummary {
    /// Events and ticks compared (ticks are counted apart in `ticks` too).
    pub events: u64,
    /// Ticks among `events`.
    #[serde(skip_serializing_if = "is_zero")]
    pub ticks: u64,
    pub events_same: u64,
    pub events_different: u64,
    pub added: u64,
    pub removed: u64,
    pub changed: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl DiffSummary {
    /// [`DiffSummary::count`] for a tick's decisions.
    pub fn count_tick(&mut self, changes: &[Change]) {
        self.ticks += 1;
        self.count(changes);
    }

    pub fn count(&mut self, changes: &[Change]) {
        self.events += 1;
        if changes.is_empty() {
            self.events_same += 1;
        } else {
            self.events_different += 1;
        }
        for c in changes {
            match c {
                Change::Added { .. } => self.added += 1,
                Change::Removed { .. } => self.removed += 1,
                Change::Changed { .. } => self.changed += 1,
            }
        }
    }

    pub fn render(&self) -> String {
        let compared = match self.ticks {
            0 => format!("{} event(s)", self.events),
            ticks => format!("{} event(s) and {ticks} tick(s)", self.events - ticks),
        };
        format!(
            "{compared}: {} same, {} different — {} added, {} removed, {} changed",
            self.events_same, self.events_different, self.added, self.removed, self.changed
        )
    }
}

/// One line for people: `+ delete m1 …`, `- reply …`, `~ reply … → …`.
pub fn render(change: &Change) -> String {
    match change {
        Change::Added { action } => format!("+ {}", action.one_line()),
        Change::Removed { action } => format!("- {}", action.one_line()),
        Change::Changed { before, after } => {
            format!("~ {}\n    → {}", before.one_line(), after.one_line())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::PluginRef;

    fn act(action: Action) -> DecidedAction {
        DecidedAction {
            event_id: Some("e".into()),
            tick_ms: None,
            community: "c".into(),
            channel: "g".into(),
            by: PluginRef {
                plugin: "p".into(),
                plugin_version: "1".into(),
                plugin_hash: "h".into(),
            },
            action,
        }
    }

    #[test]
    fn same_effect_different_reason_is_no_change() {
        let a = act(Action::Delete {
            message_id: "m".into(),
            reason: "old".into(),
        });
        let b = act(Action::Delete {
            message_id: "m".into(),
            reason: "new".into(),
        });
        assert!(diff(&[a], &[b]).is_empty());
    }

    #[test]
    fn added_removed_and_changed() {
        let reply = |t: &str| {
            act(Action::Reply {
                to_message: "m".into(),
                text: t.into(),
                reason: "r".into(),
            })
        };
        let delete = act(Action::Delete {
            message_id: "m".into(),
            reason: "r".into(),
        });
        let ban = act(Action::Ban {
            user_id: "u".into(),
            duration_s: None,
            reason: "r".into(),
        });
        let changes = diff(
            &[reply("hello"), delete.clone()],
            &[reply("bonjour"), ban.clone()],
        );
        assert_eq!(changes.len(), 3, "{changes:?}");
        assert!(changes.contains(&Change::Removed { action: delete }));
        assert!(changes.contains(&Change::Added { action: ban }));
        assert!(changes
            .iter()
            .any(|c| matches!(c, Change::Changed { before, after } if **before == reply("hello") && **after == reply("bonjour"))));
        let mut s = DiffSummary::default();
        s.count(&changes);
        s.count(&[]);
        assert_eq!(
            (s.events, s.events_same, s.added, s.removed, s.changed),
            (2, 1, 1, 1, 1)
        );
    }
}
