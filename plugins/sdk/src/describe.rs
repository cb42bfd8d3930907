//! A builder for [`Description`], so `describe` stays one readable expression.

use crate::{ActionKind, Description, EventKind};

/// Start describing a plugin.
pub fn describe(name: &str, version: &str, summary: &str) -> DescriptionBuilder {
    DescriptionBuilder(Description {
        name: name.to_string(),
        version: version.to_string(),
        summary: summary.to_string(),
        events: Vec::new(),
        actions: Vec::new(),
    })
}

/// Builds a [`Description`]; see [`describe`].
pub struct DescriptionBuilder(Description);

impl DescriptionBuilder {
    /// The event kinds the plugin wants to see.
    pub fn events(mut self, kinds: impl IntoIterator<Item = EventKind>) -> Self {
        self.0.events.extend(kinds);
        self
    }
    /// The action kinds the plugin may return.
    pub fn actions(mut self, kinds: impl IntoIterator<Item = ActionKind>) -> Self {
        self.0.actions.extend(kinds);
        self
    }
    /// The finished description.
    pub fn build(self) -> Description {
        self.0
    }
}
