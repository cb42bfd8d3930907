//! What the feed connector remembers between polls and across restarts:
//! for each feed, the validators of its last answer (`ETag`,
//! `Last-Modified`), the keys of the items already turned into events, and
//! for a watched page the text of its last version. All of it is the
//! connector's cursor, saved by the store in the same atomic step as the
//! events it goes with ([`crate::connector::EventSink::deliver`]): an item
//! is an event exactly once, whatever happens between two polls.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet, VecDeque};

/// How many item keys a feed remembers. Feeds publish their latest 10 to
/// 100 items; a key older than this many newer items has left the feed
/// long ago (and the store still refuses an event id it has handled).
pub const SEEN_PER_FEED: usize = 5000;

/// The whole cursor: one [`FeedState`] per feed name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(default)]
    pub feeds: BTreeMap<String, FeedState>,
}

impl Cursor {
    /// The saved cursor, or an empty one. A cursor that does not parse
    /// (written by a future version, damaged) is reported and started
    /// afresh: the store's handled-event ids still keep out repeats.
    pub fn parse(saved: Option<&str>) -> (Cursor, Option<String>) {
        match saved {
            None | Some("") => (Cursor::default(), None),
            Some(text) => match serde_json::from_str(text) {
                Ok(c) => (c, None),
                Err(e) => (
                    Cursor::default(),
                    Some(format!(
                        "the saved feed cursor is unreadable ({e}); starting afresh"
                    )),
                ),
            },
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

/// One feed's memory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Keys of the items already delivered, oldest first.
    #[serde(default)]
    pub seen: VecDeque<String>,
    /// A watched page: its blocks of text at the last poll.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<Vec<String>>,
    /// Polls that failed in a row (for the back-off), and the last error.
    #[serde(default)]
    pub failures: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

impl FeedState {
    /// Keeps the items whose key is new, in their order, remembering
    /// them; a key given twice in one poll is kept once.
    pub fn take_new<T>(&mut self, items: Vec<(String, T)>) -> Vec<(String, T)> {
        let mut known: HashSet<String> = self.seen.iter().cloned().collect();
        let mut out = Vec::new();
        for (key, item) in items {
            if known.insert(key.clone()) {
                self.seen.push_back(key.clone());
                out.push((key, item));
            }
        }
        while self.seen.len() > SEEN_PER_FEED {
            self.seen.pop_front();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_items_once_whatever_their_order() {
        let mut s = FeedState::default();
        let first = s.take_new(vec![("a".into(), 1), ("b".into(), 2)]);
        assert_eq!(first.len(), 2);
        // Reordered and re-published, with one new item: only the new one.
        let again = s.take_new(vec![("c".into(), 3), ("b".into(), 2), ("a".into(), 1)]);
        assert_eq!(again, vec![("c".to_string(), 3)]);
        // Twice in one poll: once.
        let twice = s.take_new(vec![("d".into(), 4), ("d".into(), 4)]);
        assert_eq!(twice.len(), 1);
    }

    #[test]
    fn cursors_round_trip_and_bad_ones_start_afresh() {
        let mut c = Cursor::default();
        c.feeds.entry("blog".into()).or_default().etag = Some("\"v1\"".into());
        let (back, warn) = Cursor::parse(Some(&c.to_json()));
        assert_eq!((back, warn), (c, None));
        let (empty, warn) = Cursor::parse(Some("{not json"));
        assert_eq!(empty, Cursor::default());
        assert!(warn.unwrap().contains("unreadable"));
    }
}
