//! Everything the plugin remembers, in the host's key-value store (private to
//! this plugin and community). Nothing lives only in memory: the instance may
//! be replaced between any two calls, and the host commits the writes and the
//! actions of a call together, so "posted" and "remembered as posted" never
//! disagree.
//!
//! | key | value |
//! |-----|-------|
//! | `seq` | number of the last post added in chat (decimal, `kv_increment`): ids `s1`, `s2`… are never reused |
//! | `post/<id>` | a post added in chat, as JSON ([`StoredPost`]): channel, text, start, RRULE, who added it and when |
//! | `st/<id>` | the state of post `<id>` (config or chat) as JSON ([`State`]): fingerprint of its schedule, when it was armed, **the last occurrence handled** (posted or skipped), the next one, counts, cancelled, held occurrence |
//! | `paused` | present while the calendar is paused: JSON ([`Paused`]): since, by whom, occurrences skipped so far |
//! | `chan/<channel>` | time (ms, decimal) of the last message of a member (not staff) in that channel, written at most once a minute |
//! | `held` | the occurrences held by `delay_if_quiet_h`, as JSON ([`HeldEntry`] list): read by every member message, absent when none |
//! | `due` | the tick index: `<config fingerprint> TAB <earliest next occurrence or hold end, ms, or ->`. A tick whose config fingerprint matches and whose time is before it reads nothing else; commands delete it |

use crate::config::Texts;
use serde::{Deserialize, Serialize};
use vigie_sdk::{Host, KvError};

/// Most chat posts read (the host lists at most 1000 keys per call).
pub const MAX_LIST: u32 = 1000;

/// A kv failure, for the plugin's error result (which also discards every
/// write of this call).
pub fn kv_err(e: KvError) -> String {
    format!("schedule: key-value store refused a write: {e:?}")
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// An occurrence held until the channel wakes up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    /// The occurrence (ms).
    pub at: i64,
    /// Skipped if no member message comes before this (ms).
    pub until: i64,
}

/// The state of one post, under `st/<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Fingerprint of the schedule it was armed with ([`crate::config::Post::fingerprint`]).
    pub fp: String,
    /// When it was armed (first seen, or its schedule changed), ms.
    pub armed: i64,
    /// The last occurrence handled (posted, skipped or held), or the arming
    /// time: the next tick handles the occurrences after it.
    pub last: i64,
    /// The next occurrence after `last`, if any (for the index and `list`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<i64>,
    /// Occurrences posted.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub posted: u32,
    /// Occurrences skipped (missed, paused, quiet).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub skipped: u32,
    /// Cancelled by a staff command (config posts; chat posts are deleted).
    #[serde(default, skip_serializing_if = "is_false")]
    pub off: bool,
    /// An occurrence held by `delay_if_quiet_h`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<Held>,
}

/// A post added in chat, under `post/<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPost {
    /// `s1`, `s2`…
    pub id: String,
    /// Channel id.
    pub channel: String,
    /// The text.
    pub texts: Texts,
    /// Local start, `2026-12-24 18:00`.
    pub start: String,
    /// RRULE value; empty for a one-off.
    pub rrule: String,
    /// Who added it (display name and id).
    pub by: String,
    /// When (ms).
    pub at: i64,
}

/// The pause, under `paused`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paused {
    /// Since (ms).
    pub since: i64,
    /// Who paused.
    pub by: String,
    /// Occurrences skipped because of the pause so far.
    #[serde(default)]
    pub skipped: u32,
}

/// One held occurrence in the `held` index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldEntry {
    /// The post.
    pub id: String,
    /// Its channel: a member message there releases it.
    pub channel: String,
    /// The occurrence (ms).
    pub at: i64,
    /// Skipped after this (ms).
    pub until: i64,
}

fn get_json<T: for<'de> Deserialize<'de>>(host: &mut impl Host, key: &str) -> Option<T> {
    host.kv_get(key)
        .and_then(|raw| serde_json::from_slice(&raw).ok())
}

fn set_json<T: Serialize>(host: &mut impl Host, key: &str, value: &T) -> Result<(), String> {
    let raw = serde_json::to_vec(value).map_err(|e| format!("schedule: {e}"))?;
    host.kv_set(key, &raw).map_err(kv_err)
}

/// `st/<id>`.
pub fn state_key(id: &str) -> String {
    format!("st/{id}")
}

/// `post/<id>`.
pub fn post_key(id: &str) -> String {
    format!("post/{id}")
}

/// `chan/<channel>`.
pub fn channel_key(channel: &str) -> String {
    format!("chan/{channel}")
}

/// The state of post `id`, if any (an unreadable one counts as none: the
/// post is armed anew).
pub fn state(host: &mut impl Host, id: &str) -> Option<State> {
    get_json(host, &state_key(id))
}

/// Stores the state of post `id`.
pub fn set_state(host: &mut impl Host, id: &str, st: &State) -> Result<(), String> {
    set_json(host, &state_key(id), st)
}

/// The chat posts, by key order (`s1`, `s10`, `s2`…); unreadable ones are
/// left out.
pub fn chat_posts(host: &mut impl Host) -> Vec<StoredPost> {
    let keys = host.kv_list("post/", MAX_LIST);
    keys.iter()
        .filter_map(|k| get_json::<StoredPost>(host, k))
        .collect()
}

/// The chat post `id`.
pub fn chat_post(host: &mut impl Host, id: &str) -> Option<StoredPost> {
    get_json(host, &post_key(id))
}

/// Stores a chat post.
pub fn set_chat_post(host: &mut impl Host, p: &StoredPost) -> Result<(), String> {
    set_json(host, &post_key(&p.id), p)
}

/// Removes a chat post and its state.
pub fn delete_chat_post(host: &mut impl Host, id: &str) {
    host.kv_delete(&post_key(id));
    host.kv_delete(&state_key(id));
}

/// The next chat post number.
pub fn next_seq(host: &mut impl Host) -> Result<i64, String> {
    host.kv_increment("seq", 1).map_err(kv_err)
}

/// The pause, if paused.
pub fn paused(host: &mut impl Host) -> Option<Paused> {
    host.kv_get("paused").map(|raw| {
        serde_json::from_slice(&raw).unwrap_or(Paused {
            since: 0,
            by: String::new(),
            skipped: 0,
        })
    })
}

/// Pauses (or updates the pause).
pub fn set_paused(host: &mut impl Host, p: &Paused) -> Result<(), String> {
    set_json(host, "paused", p)
}

/// Resumes.
pub fn clear_paused(host: &mut impl Host) {
    host.kv_delete("paused");
}

/// Last member message time in `channel`.
pub fn channel_activity(host: &mut impl Host, channel: &str) -> Option<i64> {
    host.kv_get_string(&channel_key(channel))
        .and_then(|s| s.parse().ok())
}

/// Records a member message in `channel` at `now`, at most once a minute
/// (one write per channel and minute at most).
pub fn note_activity(host: &mut impl Host, channel: &str, now: i64) -> Result<(), String> {
    let key = channel_key(channel);
    let known = host.kv_get_string(&key).and_then(|s| s.parse::<i64>().ok());
    match known {
        Some(t) if now >= t && now - t < 60_000 => Ok(()),
        Some(t) if now < t => Ok(()),
        _ => host
            .kv_set(&key, now.to_string().as_bytes())
            .map_err(kv_err),
    }
}

/// True when `channel` is a channel the plugin has seen member messages in.
pub fn channel_known(host: &mut impl Host, channel: &str) -> bool {
    host.kv_get(&channel_key(channel)).is_some()
}

/// The held occurrences.
pub fn held(host: &mut impl Host) -> Vec<HeldEntry> {
    get_json(host, "held").unwrap_or_default()
}

/// Stores the held occurrences (deletes the key when there are none).
pub fn set_held(host: &mut impl Host, list: &[HeldEntry]) -> Result<(), String> {
    if list.is_empty() {
        host.kv_delete("held");
        Ok(())
    } else {
        set_json(host, "held", &list)
    }
}

/// The tick index: (config fingerprint, earliest time anything is due).
pub fn due(host: &mut impl Host) -> Option<(String, Option<i64>)> {
    let raw = host.kv_get_string("due")?;
    let (fp, at) = raw.split_once('\t')?;
    let at = match at {
        "-" => None,
        n => Some(n.parse().ok()?),
    };
    Some((fp.to_string(), at))
}

/// Writes the tick index, if it changed.
pub fn set_due(host: &mut impl Host, fp: &str, at: Option<i64>) -> Result<(), String> {
    let value = match at {
        Some(t) => format!("{fp}\t{t}"),
        None => format!("{fp}\t-"),
    };
    if host.kv_get_string("due").as_deref() == Some(value.as_str()) {
        return Ok(());
    }
    host.kv_set("due", value.as_bytes()).map_err(kv_err)
}

/// Forgets the tick index: the next tick looks at every post.
pub fn clear_due(host: &mut impl Host) {
    host.kv_delete("due");
}

/// Every `st/` key.
pub fn state_keys(host: &mut impl Host) -> Vec<String> {
    host.kv_list("st/", MAX_LIST)
}
