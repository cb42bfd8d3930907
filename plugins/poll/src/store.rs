//! Everything the plugin remembers, in the host's key-value store (private
//! to this plugin and community). Nothing lives only in memory: the instance
//! may be thrown away between any two events.
//!
//! | key | value |
//! |-----|-------|
//! | `seq` | number of the last poll (decimal, `kv_increment`) |
//! | `next` | the earliest deadline of the open polls (ms, decimal); absent when none is open. Every event reads this one key to know whether a poll must close first |
//! | `open` | the open polls, as JSON: number, deadline, channel, start command's event id ([`IndexEntry`]) |
//! | `poll/<n>/meta` | the poll as JSON ([`Poll`]): question, answers, options, rules, status, and at the end the counts and the ballot list's hash. Never a voter's id; the creator's id only for a non-anonymous poll |
//! | `poll/<n>/key` | the poll's secret key (hex, 32 bytes from the host's randomness); **erased when the poll closes** |
//! | `poll/<n>/counts` | `ballots c1 c2 …`: the current counts (decimal, space-separated) |
//! | `poll/<n>/b/<ballot id>` | one ballot: `<gen>\t<choices>` (`gen`: 8 random hex digits, changed by each `!vote`; choices `1,3`). The ballot id is the keyed pseudonym of the voter ([`poll_tally::ballot_id`]), in every poll, public or anonymous |
//! | `poll/<n>/rx/<pseudonym of the reaction's event id>` | what a reaction added: `<ballot id>\t<choice>\t<gen>`, so that removing the reaction withdraws it |
//! | `poll/<n>/rl/<pseudonym of the user>` | when that user was last told why their vote was refused (rate limit) |
//! | `poll/<n>/list/<kkkk>` | **the canonical ballot list** (written at the end), in chunks of at most 60 000 bytes cut at line ends: their concatenation in key order is the text whose SHA-256 was published |
//! | `poll/<n>/shown` | `<part>\t<ms>`: the last ballot-list part posted on request (rate limit) |
//! | `poll/<n>/results_at` | when `!poll results` last answered (rate limit) |
//! | `last/<channel>` | the last poll closed in that channel |
//! | `cleanup/<n>` | a closed poll whose `b/`, `rx/` and `rl/` keys remain to be removed by ticks |
//!
//! Pseudonyms are [`poll_tally::pseudonym`] under the poll's key, with a
//! domain per use (`ballot`, `reaction`, `refusal`, `creator`): once the
//! key is erased, nothing in the store leads back to a user.

use crate::config::ResultsMode;
use serde::{Deserialize, Serialize};
use vigie_sdk::{Host, KvError};
use vigie_text::Lang;

/// Largest value written in one chunk (the host allows 64 KiB for key and
/// value together).
pub const CHUNK_BYTES: usize = 60_000;
/// How many per-voter keys one tick removes at most.
pub const CLEANUP_PER_TICK: u32 = 400;
/// Most ballots a poll reads back at its end.
pub const MAX_BALLOTS: u32 = 50_000;

/// Key of the earliest deadline.
pub const NEXT_KEY: &str = "next";
/// Key of the open polls' index.
pub const OPEN_KEY: &str = "open";

/// Open, ended (results announced) or cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Taking votes.
    Open,
    /// Closed; results announced.
    Ended,
    /// Closed without results.
    Cancelled,
}

/// Who may vote, copied from the config when the poll starts so that what
/// was announced is what applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    /// Minimum account age in days (0: none).
    pub min_account_age_days: u32,
    /// With a minimum age, an unknown age is refused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refuse_unknown_account_age: bool,
    /// At least one of these roles is needed (empty: none).
    pub required_roles: Vec<String>,
    /// Staff may vote.
    pub staff_can_vote: bool,
}

/// One poll, stored under `poll/<n>/meta`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Poll {
    /// Its number, shown as `#n`.
    pub id: u64,
    /// The question.
    pub question: String,
    /// The answers, in order (answer 1 first).
    pub answers: Vec<String>,
    /// Most answers per ballot.
    pub multi: u32,
    /// Anonymous ballots.
    pub anonymous: bool,
    /// Who sees results, and when.
    pub results: ResultsMode,
    /// `fr` or `en`.
    pub lang: String,
    /// Where it was started; votes by command count here.
    pub channel: String,
    /// The event id of the start command: the host labels reactions to the
    /// poll's message with it (`vigie.sent-for`), and reactions to the
    /// command itself count too.
    pub start_message: String,
    /// Start time (ms).
    pub created_ms: i64,
    /// Votes are taken strictly before this time (ms).
    pub deadline_ms: i64,
    /// The creator's user id, for a non-anonymous poll (they may end it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator_id: Option<String>,
    /// The creator's pseudonym (domain `creator`), for an anonymous poll.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator_tag: Option<String>,
    /// What applies.
    pub rules: Rules,
    /// Where it stands.
    pub status: Status,
    /// End time (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_ms: Option<i64>,
    /// SHA-256 of the canonical ballot list, at the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ballots_hash: Option<String>,
    /// Ballots at the end.
    #[serde(default)]
    pub ballot_count: u64,
    /// Counts per answer at the end.
    #[serde(default)]
    pub counts: Vec<u64>,
}

impl Poll {
    /// The poll's language.
    pub fn lang(&self) -> Lang {
        if self.lang == "en" {
            Lang::En
        } else {
            Lang::Fr
        }
    }
}

/// An open poll in the `open` index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// The poll's number.
    pub id: u64,
    /// Its deadline (ms).
    pub deadline: i64,
    /// Its channel.
    pub channel: String,
    /// The start command's event id.
    pub start: String,
}

/// Turns a key-value error into the plugin's error.
pub fn kv_err(e: KvError) -> String {
    format!("poll: the key-value store refused a write ({e:?})")
}

fn meta_key(id: u64) -> String {
    format!("poll/{id}/meta")
}

fn key_key(id: u64) -> String {
    format!("poll/{id}/key")
}

fn counts_key(id: u64) -> String {
    format!("poll/{id}/counts")
}

/// Prefix of the ballots of poll `id`.
pub fn ballots_prefix(id: u64) -> String {
    format!("poll/{id}/b/")
}

fn ballot_key(id: u64, ballot: &str) -> String {
    format!("poll/{id}/b/{ballot}")
}

fn reaction_key(id: u64, tag: &str) -> String {
    format!("poll/{id}/rx/{tag}")
}

fn refusal_key(id: u64, tag: &str) -> String {
    format!("poll/{id}/rl/{tag}")
}

fn list_prefix(id: u64) -> String {
    format!("poll/{id}/list/")
}

/// The next poll number.
pub fn next_id(host: &mut impl Host) -> Result<u64, String> {
    let n = host.kv_increment("seq", 1).map_err(kv_err)?;
    u64::try_from(n).map_err(|_| format!("poll: the poll counter is negative ({n})"))
}

/// Poll `id`, if stored and readable.
pub fn load(host: &mut impl Host, id: u64) -> Option<Poll> {
    let raw = host.kv_get(&meta_key(id))?;
    serde_json::from_slice(&raw).ok()
}

/// Stores the poll.
pub fn save(host: &mut impl Host, poll: &Poll) -> Result<(), String> {
    let json = serde_json::to_vec(poll).map_err(|e| format!("poll #{}: {e}", poll.id))?;
    host.kv_set(&meta_key(poll.id), &json).map_err(kv_err)
}

/// The poll's secret key, while it is open.
pub fn key(host: &mut impl Host, id: u64) -> Option<Vec<u8>> {
    let text = host.kv_get_string(&key_key(id))?;
    hex_decode(&text)
}

/// Stores the poll's secret key.
pub fn set_key(host: &mut impl Host, id: u64, key: &[u8]) -> Result<(), String> {
    host.kv_set(&key_key(id), hex_encode(key).as_bytes())
        .map_err(kv_err)
}

/// Erases the poll's secret key.
pub fn erase_key(host: &mut impl Host, id: u64) {
    host.kv_delete(&key_key(id));
}

/// Lower-case hex.
pub fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|&b| {
            [
                DIGITS[(b >> 4) as usize] as char,
                DIGITS[(b & 15) as usize] as char,
            ]
        })
        .collect()
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    let b = text.trim().as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    b.chunks(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

/// The current counts: (ballots, per answer).
pub fn counts(host: &mut impl Host, id: u64, answers: usize) -> (u64, Vec<u64>) {
    let text = host.kv_get_string(&counts_key(id)).unwrap_or_default();
    let mut nums = text.split(' ').map(|n| n.parse::<u64>().unwrap_or(0));
    let ballots = nums.next().unwrap_or(0);
    let mut per: Vec<u64> = nums.take(answers).collect();
    per.resize(answers, 0);
    (ballots, per)
}

/// Replaces the current counts.
pub fn set_counts(host: &mut impl Host, id: u64, ballots: u64, per: &[u64]) -> Result<(), String> {
    let mut text = ballots.to_string();
    for c in per {
        text.push(' ');
        text.push_str(&c.to_string());
    }
    host.kv_set(&counts_key(id), text.as_bytes())
        .map_err(kv_err)
}

/// One stored ballot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballot {
    /// Changes with every `!vote`: a reaction removed after a later
    /// `!vote` withdraws nothing.
    pub gen: String,
    /// The chosen answers (1-based), increasing.
    pub choices: Vec<u32>,
}

impl Ballot {
    fn render(&self) -> String {
        format!("{}\t{}", self.gen, choices_text(&self.choices))
    }

    fn parse(text: &str) -> Option<Ballot> {
        let (gen, choices) = text.split_once('\t')?;
        Some(Ballot {
            gen: gen.to_string(),
            choices: parse_choices(choices)?,
        })
    }
}

/// `1,3`.
pub fn choices_text(choices: &[u32]) -> String {
    choices
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_choices(text: &str) -> Option<Vec<u32>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    text.split(',').map(|c| c.parse().ok()).collect()
}

/// The ballot `ballot` of poll `id`, if any.
pub fn ballot(host: &mut impl Host, id: u64, ballot: &str) -> Option<Ballot> {
    Ballot::parse(&host.kv_get_string(&ballot_key(id, ballot))?)
}

/// Stores a ballot (an empty one is removed).
pub fn set_ballot(host: &mut impl Host, id: u64, ballot: &str, b: &Ballot) -> Result<(), String> {
    let key = ballot_key(id, ballot);
    if b.choices.is_empty() {
        host.kv_delete(&key);
        return Ok(());
    }
    host.kv_set(&key, b.render().as_bytes()).map_err(kv_err)
}

/// Every ballot of poll `id`: (ballot id, choices).
pub fn all_ballots(host: &mut impl Host, id: u64) -> Vec<(String, Vec<u32>)> {
    let prefix = ballots_prefix(id);
    let keys = host.kv_list(&prefix, MAX_BALLOTS);
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        let Some(b) = host.kv_get_string(&k).and_then(|v| Ballot::parse(&v)) else {
            continue;
        };
        if let Some(ballot) = k.strip_prefix(&prefix) {
            out.push((ballot.to_string(), b.choices));
        }
    }
    out
}

/// What a reaction added to a ballot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionVote {
    /// The ballot.
    pub ballot: String,
    /// The answer it added.
    pub choice: u32,
    /// The ballot's `gen` then.
    pub gen: String,
}

/// The vote a reaction (by its pseudonym) added, if any.
pub fn reaction_vote(host: &mut impl Host, id: u64, tag: &str) -> Option<ReactionVote> {
    let text = host.kv_get_string(&reaction_key(id, tag))?;
    let mut f = text.split('\t');
    let (ballot, choice, gen) = (f.next()?, f.next()?, f.next()?);
    Some(ReactionVote {
        ballot: ballot.to_string(),
        choice: choice.parse().ok()?,
        gen: gen.to_string(),
    })
}

/// Remembers what a reaction added.
pub fn set_reaction_vote(
    host: &mut impl Host,
    id: u64,
    tag: &str,
    v: &ReactionVote,
) -> Result<(), String> {
    let text = format!("{}\t{}\t{}", v.ballot, v.choice, v.gen);
    host.kv_set(&reaction_key(id, tag), text.as_bytes())
        .map_err(kv_err)
}

/// Forgets a reaction.
pub fn delete_reaction_vote(host: &mut impl Host, id: u64, tag: &str) {
    host.kv_delete(&reaction_key(id, tag));
}

/// When the user (by pseudonym) was last told why their vote was refused.
pub fn refused_at(host: &mut impl Host, id: u64, tag: &str) -> Option<i64> {
    host.kv_get_string(&refusal_key(id, tag))?.parse().ok()
}

/// Remembers that the user was told at `now`.
pub fn set_refused_at(host: &mut impl Host, id: u64, tag: &str, now: i64) -> Result<(), String> {
    host.kv_set(&refusal_key(id, tag), now.to_string().as_bytes())
        .map_err(kv_err)
}

/// A time stored under `poll/<n>/<name>`.
pub fn time_mark(host: &mut impl Host, id: u64, name: &str) -> Option<String> {
    host.kv_get_string(&format!("poll/{id}/{name}"))
}

/// Stores a mark under `poll/<n>/<name>`.
pub fn set_mark(host: &mut impl Host, id: u64, name: &str, value: &str) -> Result<(), String> {
    host.kv_set(&format!("poll/{id}/{name}"), value.as_bytes())
        .map_err(kv_err)
}

/// The open polls' index, oldest first.
pub fn open_index(host: &mut impl Host) -> Vec<IndexEntry> {
    host.kv_get(OPEN_KEY)
        .and_then(|raw| serde_json::from_slice(&raw).ok())
        .unwrap_or_default()
}

/// Rewrites the index and the earliest deadline.
pub fn write_index(host: &mut impl Host, open: &[IndexEntry]) -> Result<(), String> {
    if open.is_empty() {
        host.kv_delete(OPEN_KEY);
        host.kv_delete(NEXT_KEY);
        return Ok(());
    }
    let json = serde_json::to_vec(open).map_err(|e| format!("poll: {e}"))?;
    host.kv_set(OPEN_KEY, &json).map_err(kv_err)?;
    let next = open.iter().map(|e| e.deadline).min().unwrap_or(i64::MAX);
    host.kv_set(NEXT_KEY, next.to_string().as_bytes())
        .map_err(kv_err)
}

/// The earliest deadline of the open polls.
pub fn next_deadline(host: &mut impl Host) -> Option<i64> {
    host.kv_get_string(NEXT_KEY)?.parse().ok()
}

/// The last poll closed in `channel`.
pub fn last_in(host: &mut impl Host, channel: &str) -> Option<u64> {
    host.kv_get_string(&format!("last/{channel}"))?.parse().ok()
}

/// Remembers `id` as the last poll closed in `channel`.
pub fn set_last(host: &mut impl Host, channel: &str, id: u64) -> Result<(), String> {
    host.kv_set(&format!("last/{channel}"), id.to_string().as_bytes())
        .map_err(kv_err)
}

/// Stores the canonical ballot list in chunks cut at line ends.
pub fn write_list(host: &mut impl Host, id: u64, text: &str) -> Result<(), String> {
    for (k, chunk) in line_chunks(text, CHUNK_BYTES).into_iter().enumerate() {
        let key = format!("{}{k:04}", list_prefix(id));
        host.kv_set(&key, chunk.as_bytes()).map_err(kv_err)?;
    }
    Ok(())
}

/// The canonical ballot list of a closed poll (empty when there is none).
pub fn read_list(host: &mut impl Host, id: u64) -> String {
    let keys = host.kv_list(&list_prefix(id), 10_000);
    keys.iter().filter_map(|k| host.kv_get_string(k)).collect()
}

/// `text` cut after line ends into pieces of at most `max` bytes (a line
/// longer than that is cut at a character boundary); at least one piece.
pub fn line_chunks(text: &str, max: usize) -> Vec<&str> {
    let max = max.max(4);
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let mut cut = rest.len();
        if cut > max {
            // (The giveaway's copy of this function slices at `max` before
            // looking for a character boundary, and panics inside one.)
            let mut at = max;
            while !rest.is_char_boundary(at) {
                at -= 1;
            }
            cut = rest[..at].rfind('\n').map_or(at, |i| i + 1);
        }
        out.push(&rest[..cut]);
        rest = &rest[cut..];
        if rest.is_empty() {
            return out;
        }
    }
}

/// Marks the per-voter keys of `id` for removal by the next ticks.
pub fn schedule_cleanup(host: &mut impl Host, id: u64) -> Result<(), String> {
    host.kv_set(&format!("cleanup/{id}"), b"").map_err(kv_err)
}

/// Removes up to [`CLEANUP_PER_TICK`] per-voter keys of closed polls.
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
        for part in ["b", "rx", "rl"] {
            let keys = host.kv_list(&format!("poll/{id}/{part}/"), budget);
            for k in &keys {
                host.kv_delete(k);
            }
            budget -= keys.len() as u32;
            if budget == 0 {
                return;
            }
        }
        host.kv_delete(&marker);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_sdk::TestHost;

    #[test]
    fn hex_round_trips() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(hex_decode(&hex_encode(&bytes)), Some(bytes));
        assert_eq!(hex_decode("abc"), None);
        assert_eq!(hex_decode("zz"), None);
    }

    #[test]
    fn ballots_and_counts_read_back() {
        let mut host = TestHost::new();
        let b = Ballot {
            gen: "0a1b2c3d".into(),
            choices: vec![1, 3],
        };
        set_ballot(&mut host, 4, "abc", &b).unwrap();
        assert_eq!(ballot(&mut host, 4, "abc"), Some(b));
        assert_eq!(all_ballots(&mut host, 4), vec![("abc".into(), vec![1, 3])]);
        set_ballot(
            &mut host,
            4,
            "abc",
            &Ballot {
                gen: "x".into(),
                choices: vec![],
            },
        )
        .unwrap();
        assert_eq!(ballot(&mut host, 4, "abc"), None);
        set_counts(&mut host, 4, 3, &[1, 2, 0]).unwrap();
        assert_eq!(counts(&mut host, 4, 3), (3, vec![1, 2, 0]));
        assert_eq!(counts(&mut host, 4, 4), (3, vec![1, 2, 0, 0]));
        assert_eq!(counts(&mut host, 5, 2), (0, vec![0, 0]));
    }

    #[test]
    fn chunks_cut_at_line_ends() {
        assert_eq!(line_chunks("a\nb\nc\n", 4), ["a\nb\n", "c\n"]);
        assert_eq!(line_chunks("", 4), [""]);
        assert_eq!(line_chunks("abcdefgh", 4), ["abcd", "efgh"]);
        let text = "é\n".repeat(1000);
        let parts = line_chunks(&text, 100);
        assert_eq!(parts.concat(), text);
        assert!(parts.iter().all(|p| p.len() <= 100 && p.ends_with('\n')));
    }
}
