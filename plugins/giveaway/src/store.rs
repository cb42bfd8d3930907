//! Everything the plugin remembers, in the host's key-value store (private to
//! this plugin and community). Nothing lives only in memory: the instance may
//! be thrown away between any two events.
//!
//! | key | value |
//! |-----|-------|
//! | `seq` | number of the last contest (decimal, `kv_increment`) |
//! | `contest/<n>/meta` | the contest as JSON ([`Contest`]); holds the secret seed until the end |
//! | `contest/<n>/user/<user id>` | weight of that user's entry: one entry per user (removed by ticks after the end) |
//! | `contest/<n>/count` | number of entries so far |
//! | `contest/<n>/log/<kkkk>` | entries in arrival order, `user\tweight\tname` lines, in chunks of at most 60 000 bytes |
//! | `contest/<n>/log_chunk` | index of the chunk being written |
//! | `contest/<n>/entries/<kkkk>` | **the canonical entry list** (written at the end): concatenate the chunks in key order to get the exact text whose SHA-256 was published, ready for `vigie verify-draw --entries` |
//! | `open/<n>` | present while contest `n` is open (value: its channel) |
//! | `last/<channel>` | number of the last contest ended in that channel (for `reroll` and `status`) |
//! | `sched/<id>` | number of the contest started for the scheduled contest `id` (or `missed`) |
//! | `cleanup/<n>` | contest whose `user/` keys remain to be removed by ticks |

use giveaway_draw::Entry;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use vigie_sdk::{Host, KvError};
use vigie_text::Lang;

/// Largest value written in one chunk (the host allows 64 KiB for key and
/// value together).
pub const CHUNK_BYTES: usize = 60_000;
/// How many `user/` keys one tick removes at most.
pub const CLEANUP_PER_TICK: u32 = 400;

/// Open, ended (drawn) or cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Taking entries.
    Open,
    /// Drawn; the seed is public.
    Ended,
    /// Closed without a draw; the seed is public.
    Cancelled,
}

/// The eligibility rules, copied from the config when the contest starts so
/// that what was announced is what applies, even if the config changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    /// Minimum account age in days (0: none).
    pub min_account_age_days: u32,
    /// At least one of these roles is needed (empty: none).
    pub required_roles: Vec<String>,
    /// Staff cannot enter.
    pub exclude_staff: bool,
    /// Extra entries per role.
    pub bonus: BTreeMap<String, u32>,
    /// Emoji that enters by reaction (`*`: any).
    pub reaction_emoji: String,
}

/// A replaced winner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reroll {
    /// Who was replaced.
    pub replaced: String,
    /// By whom (the next pick of the draw).
    pub by: String,
    /// When.
    pub at_ms: i64,
}

/// One contest, stored under `contest/<n>/meta`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contest {
    /// Its number, shown as `#n`.
    pub id: u64,
    /// What is to be won.
    pub prize: String,
    /// `fr` or `en`.
    pub lang: String,
    /// Where it was started; keyword entries count here and in
    /// `announce_channel`.
    pub channel: String,
    /// Where announcements go.
    pub announce_channel: String,
    /// Winners to draw.
    pub winners_wanted: u32,
    /// Start time (ms).
    pub started_ms: i64,
    /// Entries are taken strictly before this time (ms).
    pub deadline_ms: i64,
    /// The event id of the staff's start command: reactions to it enter.
    pub start_message: Option<String>,
    /// Who started it (name), or `schedule:<id>`.
    pub started_by: String,
    /// What applies.
    pub rules: Rules,
    /// The seed, hex. Secret (only in this private store) until the end.
    pub seed: String,
    /// SHA-256 of the seed, published at the start.
    pub commitment: String,
    /// Where it stands.
    pub status: Status,
    /// End time (ms).
    pub ended_ms: Option<i64>,
    /// SHA-256 of the canonical entry list, at the end.
    pub entries_hash: Option<String>,
    /// Entries at the end.
    pub entry_count: u64,
    /// Their total weight.
    pub total_weight: u64,
    /// Every pick of the draw, in order: the winners, then each replacement.
    pub picks: Vec<String>,
    /// The current winners (a replacement takes the place of who it replaced).
    pub winners: Vec<String>,
    /// Display names of the picks.
    pub names: BTreeMap<String, String>,
    /// The replacements made.
    pub rerolls: Vec<Reroll>,
}

impl Contest {
    /// The contest's language.
    pub fn lang(&self) -> Lang {
        if self.lang == "en" {
            Lang::En
        } else {
            Lang::Fr
        }
    }

    /// `Alice (u-alice)`, or the id alone when the name is unknown or the same.
    pub fn display(&self, user: &str) -> String {
        match self.names.get(user) {
            Some(name) if name != user && !name.is_empty() => format!("{name} ({user})"),
            _ => user.to_string(),
        }
    }

    /// True when keyword entries in `channel` go to this contest.
    pub fn takes_entries_in(&self, channel: &str) -> bool {
        self.channel == channel || self.announce_channel == channel
    }
}

/// A kv failure, for the plugin's error result (which also discards every
/// write of this call).
fn kv_err(e: KvError) -> String {
    format!("giveaway: key-value store refused a write: {e:?}")
}

fn meta_key(id: u64) -> String {
    format!("contest/{id}/meta")
}
fn user_key(id: u64, user: &str) -> String {
    format!("contest/{id}/user/{user}")
}
fn count_key(id: u64) -> String {
    format!("contest/{id}/count")
}
fn log_chunk_key(id: u64) -> String {
    format!("contest/{id}/log_chunk")
}
fn log_key(id: u64, k: i64) -> String {
    format!("contest/{id}/log/{k:04}")
}
/// Prefix of the canonical entry list chunks of contest `id`.
pub fn entries_prefix(id: u64) -> String {
    format!("contest/{id}/entries/")
}

/// A new contest number.
pub fn next_id(host: &mut impl Host) -> Result<u64, String> {
    let n = host.kv_increment("seq", 1).map_err(kv_err)?;
    Ok(n as u64)
}

/// Contest `id`, if it exists.
pub fn load(host: &mut impl Host, id: u64) -> Option<Contest> {
    let raw = host.kv_get(&meta_key(id))?;
    match serde_json::from_slice(&raw) {
        Ok(c) => Some(c),
        Err(e) => {
            host.log(
                vigie_sdk::Level::Error,
                &format!("giveaway: contest #{id} is unreadable: {e}"),
            );
            None
        }
    }
}

/// Writes the contest and keeps the `open/` index in step with its status.
pub fn save(host: &mut impl Host, c: &Contest) -> Result<(), String> {
    let json = serde_json::to_vec(c).map_err(|e| e.to_string())?;
    host.kv_set(&meta_key(c.id), &json).map_err(kv_err)?;
    let open_key = format!("open/{}", c.id);
    if c.status == Status::Open {
        host.kv_set(&open_key, c.channel.as_bytes())
            .map_err(kv_err)?;
    } else {
        host.kv_delete(&open_key);
    }
    Ok(())
}

/// The open contests, oldest first.
pub fn open_contests(host: &mut impl Host) -> Vec<Contest> {
    let mut ids: Vec<u64> = host
        .kv_list("open/", 1000)
        .iter()
        .filter_map(|k| k.strip_prefix("open/")?.parse().ok())
        .collect();
    ids.sort_unstable();
    ids.into_iter().filter_map(|id| load(host, id)).collect()
}

/// The last contest ended in `channel`.
pub fn last_in(host: &mut impl Host, channel: &str) -> Option<u64> {
    host.kv_get_string(&format!("last/{channel}"))?.parse().ok()
}

/// Remembers `id` as the last contest ended in `channel`.
pub fn set_last(host: &mut impl Host, channel: &str, id: u64) -> Result<(), String> {
    host.kv_set(&format!("last/{channel}"), id.to_string().as_bytes())
        .map_err(kv_err)
}

/// True when `user` already entered contest `id`.
pub fn entered(host: &mut impl Host, id: u64, user: &str) -> bool {
    host.kv_get(&user_key(id, user)).is_some()
}

/// Number of entries so far.
pub fn entry_count(host: &mut impl Host, id: u64) -> i64 {
    host.kv_get_i64(&count_key(id))
}

fn clean_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(100)
        .collect()
}

/// Records an entry; returns the number of entries.
pub fn add_entry(
    host: &mut impl Host,
    id: u64,
    user: &str,
    weight: u32,
    name: &str,
) -> Result<i64, String> {
    let line = format!("{user}\t{weight}\t{}\n", clean_name(name));
    let mut k = host.kv_get_i64(&log_chunk_key(id));
    let mut chunk = host.kv_get(&log_key(id, k)).unwrap_or_default();
    if !chunk.is_empty() && chunk.len() + line.len() > CHUNK_BYTES {
        k += 1;
        host.kv_set(&log_chunk_key(id), k.to_string().as_bytes())
            .map_err(kv_err)?;
        chunk.clear();
    }
    chunk.extend_from_slice(line.as_bytes());
    host.kv_set(&log_key(id, k), &chunk).map_err(kv_err)?;
    host.kv_set(&user_key(id, user), weight.to_string().as_bytes())
        .map_err(kv_err)?;
    host.kv_increment(&count_key(id), 1).map_err(kv_err)
}

/// Every entry of contest `id`, in arrival order, with the display names.
pub fn load_entries(host: &mut impl Host, id: u64) -> (Vec<Entry>, BTreeMap<String, String>) {
    let last = host.kv_get_i64(&log_chunk_key(id));
    let mut entries = Vec::new();
    let mut names = BTreeMap::new();
    for k in 0..=last {
        let Some(chunk) = host.kv_get_string(&log_key(id, k)) else {
            continue;
        };
        for line in chunk.lines() {
            let mut f = line.splitn(3, '\t');
            let (Some(user), Some(weight)) = (f.next(), f.next()) else {
                continue;
            };
            let Ok(weight) = weight.parse::<u32>() else {
                continue;
            };
            entries.push(Entry::weighted(user, weight));
            names.insert(user.to_string(), f.next().unwrap_or(user).to_string());
        }
    }
    (entries, names)
}

/// Stores the canonical entry list under `contest/<id>/entries/0000`, …,
/// cut at line ends into chunks of at most [`CHUNK_BYTES`].
pub fn write_canonical(host: &mut impl Host, id: u64, text: &str) -> Result<(), String> {
    let mut k = 0;
    let mut rest = text;
    loop {
        let mut cut = rest.len();
        if cut > CHUNK_BYTES {
            cut = rest[..CHUNK_BYTES]
                .rfind('\n')
                .map_or(CHUNK_BYTES, |i| i + 1);
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
        }
        let key = format!("{}{k:04}", entries_prefix(id));
        host.kv_set(&key, &rest.as_bytes()[..cut]).map_err(kv_err)?;
        rest = &rest[cut..];
        k += 1;
        if rest.is_empty() {
            return Ok(());
        }
    }
}

/// The canonical entry list of an ended contest (what `vigie` can export
/// for `verify-draw --entries`).
pub fn read_canonical(host: &mut impl Host, id: u64) -> String {
    let keys = host.kv_list(&entries_prefix(id), 1000);
    keys.iter().filter_map(|k| host.kv_get_string(k)).collect()
}

/// Marks the per-user keys of `id` for removal by the next ticks.
pub fn schedule_cleanup(host: &mut impl Host, id: u64) -> Result<(), String> {
    host.kv_set(&format!("cleanup/{id}"), b"").map_err(kv_err)
}

/// Removes up to [`CLEANUP_PER_TICK`] per-user keys of ended contests.
pub fn cleanup(host: &mut impl Host) {
    let mut budget = CLEANUP_PER_TICK;
    for marker in host.kv_list("cleanup/", 20) {
        let Some(id) = marker
            .strip_prefix("cleanup/")
            .and_then(|n| n.parse::<u64>().ok())
        else {
            host.kv_delete(&marker);
            continue;
        };
        let prefix = format!("contest/{id}/user/");
        let keys = host.kv_list(&prefix, budget);
        for k in &keys {
            host.kv_delete(k);
        }
        budget -= keys.len() as u32;
        if budget == 0 {
            return;
        }
        host.kv_delete(&marker);
    }
}
