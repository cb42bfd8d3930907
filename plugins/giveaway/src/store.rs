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
//! | `open` | the index of the open contests ([`Index`]): the earliest deadline, then per contest its number, deadline, channels and start message; rewritten with every `open/<n>` change, so that an ordinary event reads one small key |
//! | `last/<channel>` | number of the last contest ended in that channel (for `reroll` and `status`) |
//! | `sched/<id>` | number of the contest started for the scheduled contest `id` (or `missed`) |
//! | `cleanup/<n>` | contest whose `user/` keys remain to be removed by ticks |

use giveaway_draw::Entry;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::rc::Rc;
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
    /// With a minimum age, an unknown age is refused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refuse_unknown_account_age: bool,
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

/// `contest/<id>/<rest…>`, written without the formatting machinery (keys
/// are built on every entry).
fn contest_key(id: u64, rest: &[&str]) -> String {
    let mut key = String::with_capacity(32 + rest.iter().map(|r| r.len()).sum::<usize>());
    key.push_str("contest/");
    push_number(&mut key, id);
    key.push('/');
    for r in rest {
        key.push_str(r);
    }
    key
}

/// Appends `n` in decimal.
fn push_number(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(buf[i..].iter().map(|&b| b as char));
}

fn meta_key(id: u64) -> String {
    contest_key(id, &["meta"])
}
fn user_key(id: u64, user: &str) -> String {
    contest_key(id, &["user/", user])
}
fn count_key(id: u64) -> String {
    contest_key(id, &["count"])
}
fn log_chunk_key(id: u64) -> String {
    contest_key(id, &["log_chunk"])
}
fn log_key(id: u64, k: i64) -> String {
    if (0..10_000).contains(&k) {
        let k = k as u64;
        let digits =
            [k / 1000, k / 100 % 10, k / 10 % 10, k % 10].map(|d| (b'0' + d as u8) as char);
        let mut key = contest_key(id, &["log/"]);
        key.extend(digits);
        key
    } else {
        format!("contest/{id}/log/{k:04}")
    }
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

/// Most contests remembered by [`KNOWN`].
const KNOWN_MAX: usize = 64;

thread_local! {
    /// Contests as last read or written by this instance, with their
    /// stored JSON. Only a shortcut: a contest whose stored JSON is byte
    /// for byte the one remembered is not parsed again (the JSON of a
    /// contest reads back as the same contest).
    /// (Several versions per number: an instance may serve several
    /// communities, each with its own contest #1.)
    static KNOWN: std::cell::RefCell<KnownContests> =
        const { std::cell::RefCell::new(BTreeMap::new()) };
}

/// Parsed contests by number, each with the JSON it was parsed from.
type KnownContests = BTreeMap<u64, Vec<(Vec<u8>, Rc<Contest>)>>;

/// Versions of one contest number remembered.
const KNOWN_VERSIONS: usize = 4;

fn remember(id: u64, raw: Vec<u8>, c: Rc<Contest>) {
    KNOWN.with(|k| {
        let mut k = k.borrow_mut();
        if k.len() >= KNOWN_MAX && !k.contains_key(&id) {
            k.clear();
        }
        let versions = k.entry(id).or_default();
        versions.retain(|(json, _)| *json != raw);
        if versions.len() >= KNOWN_VERSIONS {
            versions.remove(0);
        }
        versions.push((raw, c));
    });
}

/// Contest `id`, if it exists.
pub fn load(host: &mut impl Host, id: u64) -> Option<Contest> {
    load_shared(host, id).map(|c| (*c).clone())
}

/// Contest `id`, if it exists, shared with the instance's memory of it.
pub fn load_shared(host: &mut impl Host, id: u64) -> Option<Rc<Contest>> {
    let raw = host.kv_get(&meta_key(id))?;
    let known = KNOWN.with(|k| {
        k.borrow()
            .get(&id)?
            .iter()
            .find(|(json, _)| *json == raw)
            .map(|(_, c)| c.clone())
    });
    if known.is_some() {
        return known;
    }
    match serde_json::from_slice::<Contest>(&raw) {
        Ok(c) => {
            let c = Rc::new(c);
            remember(id, raw, c.clone());
            Some(c)
        }
        Err(e) => {
            host.log(
                vigie_sdk::Level::Error,
                &format!("giveaway: contest #{id} is unreadable: {e}"),
            );
            None
        }
    }
}

/// Writes the contest and keeps the `open/` keys and the `open` index in
/// step with its status.
pub fn save(host: &mut impl Host, c: &Contest) -> Result<(), String> {
    save_owned(host, c.clone()).map(drop)
}

/// [`save`], keeping the contest (shared with the instance's memory of it)
/// rather than copying it.
pub fn save_owned(host: &mut impl Host, c: Contest) -> Result<Rc<Contest>, String> {
    let json = serde_json::to_vec(&c).map_err(|e| e.to_string())?;
    host.kv_set(&meta_key(c.id), &json).map_err(kv_err)?;
    let c = Rc::new(c);
    remember(c.id, json, c.clone());
    let open_key = format!("open/{}", c.id);
    if c.status == Status::Open {
        host.kv_set(&open_key, c.channel.as_bytes())
            .map_err(kv_err)?;
    } else {
        host.kv_delete(&open_key);
    }
    write_index(host)?;
    Ok(c)
}

/// The key of the index of open contests.
pub const INDEX_KEY: &str = "open";

/// What an event needs to know about the open contests without loading
/// them: when the first one ends, which channels take entries, which
/// messages take reactions. Stored under [`INDEX_KEY`] as text: the
/// earliest deadline (empty when no contest is open) on the first line,
/// then a line per open contest, oldest first:
/// `id TAB deadline TAB channel TAB announce channel TAB start message`
/// (`%`, TAB and LF escaped as `%25`, `%09`, `%0A`; the start message
/// written `=id`, or nothing for none). It always lists exactly the
/// contests of [`open_contests`]: it is rewritten from them whenever an
/// `open/<n>` key changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// The earliest deadline of the open contests.
    pub first_deadline: Option<i64>,
    /// The open contests, oldest first.
    pub open: Vec<IndexEntry>,
}

/// An open contest, as the index tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    pub id: u64,
    pub deadline_ms: i64,
    pub channel: String,
    pub announce_channel: String,
    pub start_message: Option<String>,
}

impl IndexEntry {
    fn of(c: &Contest) -> IndexEntry {
        IndexEntry {
            id: c.id,
            deadline_ms: c.deadline_ms,
            channel: c.channel.clone(),
            announce_channel: c.announce_channel.clone(),
            start_message: c.start_message.clone(),
        }
    }
}

fn escape(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '%' => out.push_str("%25"),
            '\t' => out.push_str("%09"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
}

fn unescape(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('%') {
        out.push_str(&rest[..p]);
        let code = rest.get(p + 1..p + 3);
        match code {
            Some("25") => out.push('%'),
            Some("09") => out.push('\t'),
            Some("0A") => out.push('\n'),
            _ => {
                out.push('%');
                rest = &rest[p + 1..];
                continue;
            }
        }
        rest = &rest[p + 3..];
    }
    out.push_str(rest);
    out
}

impl Index {
    /// The index of these open contests.
    pub fn of(open: &[Contest]) -> Index {
        Index {
            first_deadline: open.iter().map(|c| c.deadline_ms).min(),
            open: open.iter().map(IndexEntry::of).collect(),
        }
    }

    /// The stored text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Some(d) = self.first_deadline {
            out.push_str(&d.to_string());
        }
        for e in &self.open {
            out.push('\n');
            out.push_str(&e.id.to_string());
            out.push('\t');
            out.push_str(&e.deadline_ms.to_string());
            out.push('\t');
            escape(&mut out, &e.channel);
            out.push('\t');
            escape(&mut out, &e.announce_channel);
            out.push('\t');
            if let Some(m) = &e.start_message {
                out.push('=');
                escape(&mut out, m);
            }
        }
        out
    }

    /// The earliest deadline, read from the first line alone; `Err` when
    /// it is not a number as [`Index::render`] writes them.
    // `Err` carries nothing: the caller falls back to parsing the index.
    #[allow(clippy::result_unit_err)]
    pub fn first_deadline(text: &[u8]) -> Result<Option<i64>, ()> {
        let (negative, digits) = match text.split_first() {
            None | Some((b'\n', _)) => return Ok(None),
            Some((b'-', rest)) => (true, rest),
            Some(_) => (false, text),
        };
        let mut v: i64 = 0;
        let mut n = 0;
        for &d in digits {
            if d == b'\n' {
                break;
            }
            if !d.is_ascii_digit() || n == 18 {
                return Err(());
            }
            v = v * 10 + (d - b'0') as i64;
            n += 1;
        }
        if n == 0 {
            return Err(());
        }
        Ok(Some(if negative { -v } else { v }))
    }

    /// Reads the stored text; `None` when it is not an index.
    pub fn parse(text: &[u8]) -> Option<Index> {
        let text = std::str::from_utf8(text).ok()?;
        let mut lines = text.split('\n');
        let first = lines.next()?;
        let first_deadline = if first.is_empty() {
            None
        } else {
            Some(first.parse().ok()?)
        };
        let mut open = Vec::new();
        for line in lines {
            let mut f = line.split('\t');
            let (id, deadline, channel, announce, start) =
                (f.next()?, f.next()?, f.next()?, f.next()?, f.next()?);
            open.push(IndexEntry {
                id: id.parse().ok()?,
                deadline_ms: deadline.parse().ok()?,
                channel: unescape(channel),
                announce_channel: unescape(announce),
                start_message: start.strip_prefix('=').map(unescape),
            });
        }
        Some(Index {
            first_deadline,
            open,
        })
    }
}

/// An open contest's line of the stored index, read without copying:
/// number, channel, announce channel, start message (still escaped).
pub struct IndexLine<'a> {
    pub id: u64,
    channel: &'a str,
    announce_channel: &'a str,
    start_message: Option<&'a str>,
}

/// True when the escaped `raw` reads `s`.
fn escaped_eq(raw: &str, s: &str) -> bool {
    if raw.contains('%') {
        unescape(raw) == s
    } else {
        raw == s
    }
}

impl IndexLine<'_> {
    /// Keyword entries in `channel` go to it (started there).
    pub fn started_in(&self, channel: &str) -> bool {
        escaped_eq(self.channel, channel)
    }
    /// Its announcements go to `channel`.
    pub fn announced_in(&self, channel: &str) -> bool {
        escaped_eq(self.announce_channel, channel)
    }
    /// It was started by message `id`.
    pub fn started_by(&self, id: &str) -> bool {
        self.start_message.is_some_and(|m| escaped_eq(m, id))
    }
}

/// The lines of the stored index, oldest contest first; `None` when it is
/// not an index as [`Index::render`] writes them.
pub fn index_lines(raw: &[u8]) -> Option<Vec<IndexLine<'_>>> {
    let text = std::str::from_utf8(raw).ok()?;
    let mut lines = text.split('\n');
    lines.next()?;
    let mut out = Vec::new();
    for line in lines {
        let mut f = line.split('\t');
        let (id, deadline, channel, announce_channel, start) =
            (f.next()?, f.next()?, f.next()?, f.next()?, f.next()?);
        deadline.parse::<i64>().ok()?;
        out.push(IndexLine {
            id: id.parse().ok()?,
            channel,
            announce_channel,
            start_message: start.strip_prefix('='),
        });
    }
    Some(out)
}

/// Rewrites the index from the open contests (those of [`open_contests`]).
pub fn write_index(host: &mut impl Host) -> Result<(), String> {
    let open = open_contests_shared(host);
    let index = Index {
        first_deadline: open.iter().map(|c| c.deadline_ms).min(),
        open: open.iter().map(|c| IndexEntry::of(c)).collect(),
    };
    host.kv_set(INDEX_KEY, index.render().as_bytes())
        .map_err(kv_err)
}

/// The stored index, as bytes; `None` when there is none (a store written
/// before the index existed: then the `open/` keys tell).
pub fn read_index(host: &mut impl Host) -> Option<Vec<u8>> {
    host.kv_get(INDEX_KEY)
}

/// The numbers of the open contests, in order.
fn open_ids(host: &mut impl Host) -> Vec<u64> {
    let mut ids: Vec<u64> = host
        .kv_list("open/", 1000)
        .iter()
        .filter_map(|k| k.strip_prefix("open/")?.parse().ok())
        .collect();
    ids.sort_unstable();
    ids
}

/// [`open_contests`], shared with the instance's memory of them.
pub fn open_contests_shared(host: &mut impl Host) -> Vec<Rc<Contest>> {
    open_ids(host)
        .into_iter()
        .filter_map(|id| load_shared(host, id))
        .collect()
}

/// The open contests, oldest first.
pub fn open_contests(host: &mut impl Host) -> Vec<Contest> {
    open_ids(host)
        .into_iter()
        .filter_map(|id| load(host, id))
        .collect()
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
    let mut line = String::with_capacity(user.len() + name.len() + 16);
    line.push_str(user);
    line.push('\t');
    push_number(&mut line, weight as u64);
    line.push('\t');
    line.push_str(&clean_name(name));
    line.push('\n');
    let chunk_key = log_chunk_key(id);
    let mut k = host.kv_get_i64(&chunk_key);
    let mut key = log_key(id, k);
    let mut chunk = host.kv_get(&key).unwrap_or_default();
    if !chunk.is_empty() && chunk.len() + line.len() > CHUNK_BYTES {
        k += 1;
        host.kv_set(&chunk_key, k.to_string().as_bytes())
            .map_err(kv_err)?;
        chunk.clear();
        key = log_key(id, k);
    }
    chunk.extend_from_slice(line.as_bytes());
    host.kv_set(&key, &chunk).map_err(kv_err)?;
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
    for (k, chunk) in line_chunks(text, CHUNK_BYTES).into_iter().enumerate() {
        let key = format!("{}{k:04}", entries_prefix(id));
        host.kv_set(&key, chunk.as_bytes()).map_err(kv_err)?;
    }
    Ok(())
}

/// `text` cut after line ends into pieces of at most `max` bytes (a line
/// longer than that is cut at a character boundary); at least one piece.
pub fn line_chunks(text: &str, max: usize) -> Vec<&str> {
    // Room for the widest character, so every piece moves forward.
    let max = max.max(4);
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let mut cut = rest.len();
        if cut > max {
            // The cut must fall between characters before it can slice.
            let mut end = max;
            while !rest.is_char_boundary(end) {
                end -= 1;
            }
            cut = rest[..end].rfind('\n').map_or(end, |i| i + 1);
        }
        out.push(&rest[..cut]);
        rest = &rest[cut..];
        if rest.is_empty() {
            return out;
        }
    }
}

fn asked_key(id: u64, user: &str) -> String {
    format!("asked/{id}/{user}")
}

/// When `user` last had the entry list of contest `id` sent privately.
pub fn list_sent_at(host: &mut impl Host, id: u64, user: &str) -> Option<i64> {
    host.kv_get_string(&asked_key(id, user))?.parse().ok()
}

/// Remembers that `user` had the entry list of `id` sent at `now`.
pub fn set_list_sent(host: &mut impl Host, id: u64, user: &str, now: i64) -> Result<(), String> {
    host.kv_set(&asked_key(id, user), now.to_string().as_bytes())
        .map_err(kv_err)
}

/// Deletes up to `limit` of those marks older than `ms`.
pub fn sweep_list_sent(host: &mut impl Host, now: i64, ms: i64, limit: u32) {
    host.kv_sweep_older("asked/", now, ms, limit);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_as_formatted() {
        for id in [0, 1, 9, 10, 123, u64::MAX] {
            assert_eq!(meta_key(id), format!("contest/{id}/meta"));
            assert_eq!(user_key(id, "u-1"), format!("contest/{id}/user/u-1"));
            assert_eq!(count_key(id), format!("contest/{id}/count"));
            assert_eq!(log_chunk_key(id), format!("contest/{id}/log_chunk"));
            for k in [-1, 0, 7, 42, 999, 1000, 9999, 10_000, 123_456, i64::MIN] {
                assert_eq!(log_key(id, k), format!("contest/{id}/log/{k:04}"));
            }
        }
    }

    #[test]
    fn the_index_reads_back() {
        let odd = [
            "", "%", "%09", "%%0A", "a\tb", "x\ny", "50%25", "é 🎉", "%0", "%2",
        ];
        for (k, ch) in odd.iter().enumerate() {
            let index = Index {
                first_deadline: Some(-5 + k as i64),
                open: vec![
                    IndexEntry {
                        id: k as u64,
                        deadline_ms: 1_763_805_600_000,
                        channel: ch.to_string(),
                        announce_channel: odd[(k + 3) % odd.len()].to_string(),
                        start_message: (k % 3 != 0).then(|| odd[(k + 5) % odd.len()].to_string()),
                    },
                    IndexEntry {
                        id: 99,
                        deadline_ms: -1,
                        channel: "c".into(),
                        announce_channel: ch.to_string(),
                        start_message: Some(String::new()),
                    },
                ],
            };
            let text = index.render();
            assert_eq!(
                Index::parse(text.as_bytes()),
                Some(index.clone()),
                "{text:?}"
            );
            let lines = index_lines(text.as_bytes()).unwrap();
            assert_eq!(lines.len(), index.open.len());
            for (l, e) in lines.iter().zip(&index.open) {
                assert_eq!(l.id, e.id);
                for probe in odd.iter().chain(["c"].iter()) {
                    assert_eq!(l.started_in(probe), e.channel == *probe);
                    assert_eq!(l.announced_in(probe), e.announce_channel == *probe);
                    assert_eq!(
                        l.started_by(probe),
                        e.start_message.as_deref() == Some(*probe)
                    );
                }
            }
            assert_eq!(
                Index::first_deadline(text.as_bytes()),
                Ok(index.first_deadline)
            );
        }
        let empty = Index {
            first_deadline: None,
            open: Vec::new(),
        };
        assert_eq!(empty.render(), "");
        assert_eq!(Index::parse(b""), Some(empty));
        assert_eq!(Index::first_deadline(b""), Ok(None));
        assert_eq!(Index::first_deadline(b"x\n"), Err(()));
        assert_eq!(Index::parse(b"12\n1\t2"), None);
    }
}
