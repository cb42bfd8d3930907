//! The contests (giveaway plugin) and polls (poll plugin) a host ran, read
//! from the store: per community and plugin entry, each one running or
//! ended, its entry or ballot count, its times, its winners or result, and
//! what anyone needs to verify it — the giveaway's commitment, seed, entry
//! list and its SHA-256, the poll's ballot list and its SHA-256 — with the
//! `vigie verify-draw` / `vigie verify-poll` command that checks them.
//!
//! The web console's Contests and polls page shows it; reports may count
//! from it. Nothing here writes.
//!
//! ## Where the data lives
//!
//! Both plugins keep everything in their key-value space in the store
//! (one per community and plugin entry, [`KvScope`]); the announcements in
//! the action log are only texts made from it. The keys and JSON fields
//! read here are the plugins' own (documented at the top of
//! `plugins/giveaway/src/store.rs` and `plugins/poll/src/store.rs`); this
//! module is the only place in the host that knows them (the private
//! `format` module below). The integration test
//! `contests::contests_of_the_real_plugins_verify` (tests/all/contests.rs)
//! runs the real compiled plugins through the pipeline and reads their
//! state with this module: a change of the plugins' format fails it.
//!
//! A giveaway's seed is secret until its draw: [`Verification::Draw`]
//! holds it only once the contest is closed (ended or cancelled), as the
//! plugin publishes it. A running poll's counts per answer are not given
//! (a poll with `results=end` promises nobody sees them before the end):
//! only its number of ballots.

use crate::action::DecidedAction;
use crate::router::Routes;
use crate::store::{KvScope, Store};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The most contests (or polls) read per community and plugin entry: the
/// newest ones.
pub const MAX_PER_SCOPE: u64 = 1000;

/// Which plugin keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The giveaway plugin: contests with a verifiable draw.
    Giveaway,
    /// The poll plugin: polls with a verifiable tally.
    Poll,
}

impl Kind {
    /// The kind of a plugin by the name its `describe` gives (`giveaway`,
    /// `poll`), whatever its entry is called in the config.
    pub fn of_plugin(name: &str) -> Option<Kind> {
        match name {
            "giveaway" => Some(Kind::Giveaway),
            "poll" => Some(Kind::Poll),
            _ => None,
        }
    }

    /// `giveaway` or `poll`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Giveaway => "giveaway",
            Kind::Poll => "poll",
        }
    }
}

/// One plugin entry's key-value space in one community.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Scope {
    pub community: String,
    /// The plugin entry's name in the config (`[plugins.NAME]`).
    pub entry: String,
    pub kind: Kind,
}

impl Scope {
    fn kv(&self) -> KvScope {
        KvScope::new(&self.community, &self.entry)
    }
}

/// The scopes the host's chains use: each live (not shadow) giveaway or
/// poll entry in each community's chain. For the default chain, which
/// serves communities the config does not name, the communities are those
/// where the entry decided an action (the action log: every contest and
/// poll announces its start), so that log is read only when the default
/// chain has such an entry.
pub fn scopes(routes: &Routes, store: &dyn Store) -> Result<Vec<Scope>> {
    let mut out = BTreeSet::new();
    for (community, chain) in &routes.communities {
        for def in chain {
            if def.entry.shadow {
                continue;
            }
            if let Some(kind) = Kind::of_plugin(&def.description.name) {
                out.insert(Scope {
                    community: community.clone(),
                    entry: def.entry.name.clone(),
                    kind,
                });
            }
        }
    }
    let defaults: Vec<(String, Kind)> = routes
        .default_chain
        .iter()
        .flatten()
        .filter(|def| !def.entry.shadow)
        .filter_map(|def| {
            Some((
                def.entry.name.clone(),
                Kind::of_plugin(&def.description.name)?,
            ))
        })
        .collect();
    if !defaults.is_empty() {
        for action in store.actions().context("cannot read the action log")? {
            if routes.communities.contains_key(&action.community) {
                continue;
            }
            if let Some((entry, kind)) = defaults.iter().find(|(e, _)| *e == action.by.plugin) {
                out.insert(Scope {
                    community: action.community.clone(),
                    entry: entry.clone(),
                    kind: *kind,
                });
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// The scopes that hold contests or polls, found from the records alone
/// (for tools that have no config, such as `vigie report --data-dir`):
/// each (community, plugin entry) that decided an action — every contest
/// and poll announces its start — whose key-value space has the giveaway
/// plugin's `contest/` keys or the poll plugin's `poll/` keys.
pub fn scopes_of_actions(store: &dyn Store, actions: &[DecidedAction]) -> Result<Vec<Scope>> {
    let pairs: BTreeSet<(&str, &str)> = actions
        .iter()
        .map(|a| (a.community.as_str(), a.by.plugin.as_str()))
        .collect();
    let mut out = Vec::new();
    for (community, entry) in pairs {
        let kv = KvScope::new(community, entry);
        for (prefix, kind) in [("contest/", Kind::Giveaway), ("poll/", Kind::Poll)] {
            if !store.kv_keys(&kv, prefix, 1)?.is_empty() {
                out.push(Scope {
                    community: community.to_string(),
                    entry: entry.to_string(),
                    kind,
                });
                break;
            }
        }
    }
    Ok(out)
}

/// Where a contest or poll stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Taking entries or votes.
    Running,
    /// Drawn, or results announced.
    Ended,
    /// Closed by the staff without a draw or results.
    Cancelled,
}

/// One contest or poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contest {
    pub scope: Scope,
    /// Its number in its scope, `#n` in the plugin's messages.
    pub id: u64,
    /// The prize, or the poll's question.
    pub title: String,
    /// Where it was started.
    pub channel: String,
    pub status: Status,
    /// Start time (ms since the Unix epoch).
    pub started_ms: i64,
    /// Entries (votes) are taken strictly before this time (ms).
    pub deadline_ms: i64,
    /// When it ended or was cancelled (ms).
    pub ended_ms: Option<i64>,
    /// Entries (giveaway: people) or ballots (poll), so far while running.
    pub count: u64,
    /// Winners or results.
    pub outcome: Outcome,
    /// What anyone needs to check it.
    pub verification: Verification,
}

/// A giveaway's winners or a poll's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Giveaway {
        /// Winners announced at the start.
        winners_wanted: u32,
        /// The current winners, `(user id, display name)` (the name may
        /// be empty); empty until the draw.
        winners: Vec<(String, String)>,
        /// Winners replaced after the draw.
        rerolls: usize,
        /// Entries counted with their bonus weights (at the draw).
        total_weight: u64,
    },
    Poll {
        /// The answers, answer 1 first.
        answers: Vec<String>,
        /// Ballots per answer once ended; `None` while running or cancelled.
        counts: Option<Vec<u64>>,
        /// Most answers per ballot.
        multi: u32,
        anonymous: bool,
    },
}

/// The published verification data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verification {
    /// A giveaway's draw.
    Draw {
        /// SHA-256 of the seed, published at the start.
        commitment: String,
        /// The seed (hex): `None` while running (secret until the draw).
        seed: Option<String>,
        /// SHA-256 of the canonical entry list, at the draw.
        entries_hash: Option<String>,
        /// The `--winners` to verify with: the winners announced, or every
        /// pick once winners were replaced.
        picks: usize,
    },
    /// A poll's tally.
    Tally {
        /// SHA-256 of the canonical ballot list, once ended.
        ballots_hash: Option<String>,
    },
}

impl Contest {
    /// Whether its list (entries or ballots) is published: drawn or ended.
    pub fn has_list(&self) -> bool {
        self.status == Status::Ended
            && match &self.verification {
                Verification::Draw {
                    seed, entries_hash, ..
                } => seed.is_some() && entries_hash.is_some(),
                Verification::Tally { ballots_hash } => ballots_hash.is_some(),
            }
    }

    /// The command that verifies it with its list saved as `file`, as the
    /// plugin's end announcement gives it; `None` before the end or when
    /// cancelled. `file` is put in as it is: give a name the shell takes
    /// unquoted (see [`Contest::list_file_name`]).
    pub fn verify_command(&self, file: &str) -> Option<String> {
        if !self.has_list() {
            return None;
        }
        match &self.verification {
            Verification::Draw {
                commitment,
                seed: Some(seed),
                entries_hash: Some(hash),
                picks,
            } => Some(format!(
                "vigie verify-draw --seed {seed} --commitment {commitment} --entries-hash {hash} --winners {picks} --entries {file}"
            )),
            Verification::Tally {
                ballots_hash: Some(hash),
            } => Some(format!("vigie verify-poll --ballots {file} --hash {hash}")),
            _ => None,
        }
    }

    /// A file name for its list that a shell takes as it is:
    /// `acme-giveaway-3-entries.txt`, `acme-poll-1-ballots.txt` (the
    /// community's characters other than letters, digits, `-` and `_`
    /// become `_`).
    pub fn list_file_name(&self) -> String {
        let community: String = self
            .scope
            .community
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        match self.scope.kind {
            Kind::Giveaway => format!("{community}-giveaway-{}-entries.txt", self.id),
            Kind::Poll => format!("{community}-poll-{}-ballots.txt", self.id),
        }
    }
}

/// The contests and polls of these scopes: running ones first (soonest
/// deadline first), then the others (latest end first). A contest whose
/// record cannot be read is an error naming it (the plugin's format
/// changed, or the store is damaged), not a silent gap.
pub fn list(store: &dyn Store, scopes: &[Scope]) -> Result<Vec<Contest>> {
    let mut out = Vec::new();
    for scope in scopes {
        let kv = scope.kv();
        let last = format::last_id(store, &kv)?;
        let first = last.saturating_sub(MAX_PER_SCOPE - 1).max(1);
        for id in first..=last {
            let found = get(store, scope, id).with_context(|| {
                format!(
                    "{} #{id} of entry `{}` in community `{}`",
                    scope.kind.name(),
                    scope.entry,
                    scope.community
                )
            })?;
            out.extend(found);
        }
    }
    sort(&mut out);
    Ok(out)
}

/// Running first (soonest deadline first), then the others (latest end
/// first); ties by community, entry and number.
fn sort(contests: &mut [Contest]) {
    contests.sort_by(|a, b| {
        let running = |c: &Contest| c.status != Status::Running;
        running(a)
            .cmp(&running(b))
            .then_with(|| match a.status {
                Status::Running => a.deadline_ms.cmp(&b.deadline_ms),
                _ => b
                    .ended_ms
                    .unwrap_or(b.deadline_ms)
                    .cmp(&a.ended_ms.unwrap_or(a.deadline_ms)),
            })
            .then_with(|| (&a.scope, b.id).cmp(&(&b.scope, a.id)))
    });
}

/// Contest or poll `id` of this scope, if there is one.
pub fn get(store: &dyn Store, scope: &Scope, id: u64) -> Result<Option<Contest>> {
    match scope.kind {
        Kind::Giveaway => format::giveaway(store, scope, id),
        Kind::Poll => format::poll(store, scope, id),
    }
}

/// The published list of contest or poll `id`: the giveaway's canonical
/// entry list, or the poll's canonical ballot list, exactly the bytes
/// whose SHA-256 was published (`vigie verify-draw --entries FILE`,
/// `vigie verify-poll --ballots FILE`). `None` while it runs, when
/// cancelled, or when there is no such contest.
pub fn published_list(store: &dyn Store, scope: &Scope, id: u64) -> Result<Option<Vec<u8>>> {
    match get(store, scope, id)? {
        Some(c) if c.has_list() => format::read_list(store, scope, id).map(Some),
        _ => Ok(None),
    }
}

/// The plugins' key-value format: the only code that knows it.
mod format {
    use super::*;
    use serde::Deserialize;

    /// The last number given (`seq`, decimal, written by `kv_increment`).
    pub fn last_id(store: &dyn Store, kv: &KvScope) -> Result<u64> {
        match store.kv_get(kv, "seq")? {
            None => Ok(0),
            Some(raw) => decimal(&raw).context("key `seq`"),
        }
    }

    fn decimal(raw: &[u8]) -> Result<u64> {
        let text = std::str::from_utf8(raw).context("not UTF-8")?;
        text.trim()
            .parse::<u64>()
            .with_context(|| format!("`{text}` is not a number"))
    }

    /// `contest/<n>/meta` of the giveaway plugin (its `store::Contest`):
    /// the fields read here. Fields the host does not need are ignored.
    #[derive(Deserialize)]
    struct GiveawayMeta {
        id: u64,
        prize: String,
        channel: String,
        winners_wanted: u32,
        started_ms: i64,
        deadline_ms: i64,
        seed: String,
        commitment: String,
        status: MetaStatus,
        ended_ms: Option<i64>,
        entries_hash: Option<String>,
        entry_count: u64,
        total_weight: u64,
        picks: Vec<String>,
        winners: Vec<String>,
        names: std::collections::BTreeMap<String, String>,
        rerolls: Vec<serde_json::Value>,
    }

    /// `poll/<n>/meta` of the poll plugin (its `store::Poll`).
    #[derive(Deserialize)]
    struct PollMeta {
        id: u64,
        question: String,
        answers: Vec<String>,
        multi: u32,
        anonymous: bool,
        channel: String,
        created_ms: i64,
        deadline_ms: i64,
        status: MetaStatus,
        #[serde(default)]
        ended_ms: Option<i64>,
        #[serde(default)]
        ballots_hash: Option<String>,
        #[serde(default)]
        ballot_count: u64,
        #[serde(default)]
        counts: Vec<u64>,
    }

    #[derive(Deserialize, Clone, Copy)]
    #[serde(rename_all = "lowercase")]
    enum MetaStatus {
        Open,
        Ended,
        Cancelled,
    }

    impl From<MetaStatus> for Status {
        fn from(s: MetaStatus) -> Status {
            match s {
                MetaStatus::Open => Status::Running,
                MetaStatus::Ended => Status::Ended,
                MetaStatus::Cancelled => Status::Cancelled,
            }
        }
    }

    fn meta<T: serde::de::DeserializeOwned>(
        store: &dyn Store,
        kv: &KvScope,
        key: &str,
    ) -> Result<Option<T>> {
        match store.kv_get(kv, key)? {
            None => Ok(None),
            Some(raw) => serde_json::from_slice(&raw)
                .with_context(|| format!("key `{key}` is not the plugin's JSON"))
                .map(Some),
        }
    }

    /// Giveaway `id`; `None` when there is none with that number (a
    /// number taken by a start that failed).
    pub fn giveaway(store: &dyn Store, scope: &Scope, id: u64) -> Result<Option<Contest>> {
        let kv = scope.kv();
        let Some(m) = meta::<GiveawayMeta>(store, &kv, &format!("contest/{id}/meta"))? else {
            return Ok(None);
        };
        let status = Status::from(m.status);
        // Entries so far: the running count (`contest/<n>/count`, decimal)
        // until the draw, then the list's.
        let count = match status {
            Status::Ended => m.entry_count,
            _ => match store.kv_get(&kv, &format!("contest/{id}/count"))? {
                Some(raw) => decimal(&raw).context("the entry count")?,
                None => 0,
            },
        };
        let winners = m
            .winners
            .iter()
            .map(|w| (w.clone(), m.names.get(w).cloned().unwrap_or_default()))
            .collect();
        // As the plugin's announcements: the winners announced, or every
        // pick once one was replaced.
        let picks = if m.rerolls.is_empty() {
            m.winners_wanted as usize
        } else {
            m.picks.len()
        };
        Ok(Some(Contest {
            scope: scope.clone(),
            id: m.id,
            title: m.prize,
            channel: m.channel,
            status,
            started_ms: m.started_ms,
            deadline_ms: m.deadline_ms,
            ended_ms: m.ended_ms,
            count,
            outcome: Outcome::Giveaway {
                winners_wanted: m.winners_wanted,
                winners,
                rerolls: m.rerolls.len(),
                total_weight: m.total_weight,
            },
            verification: Verification::Draw {
                commitment: m.commitment,
                // Secret while the contest takes entries.
                seed: (status != Status::Running).then_some(m.seed),
                entries_hash: m.entries_hash,
                picks,
            },
        }))
    }

    /// Poll `id`; `None` when there is none with that number.
    pub fn poll(store: &dyn Store, scope: &Scope, id: u64) -> Result<Option<Contest>> {
        let kv = scope.kv();
        let Some(m) = meta::<PollMeta>(store, &kv, &format!("poll/{id}/meta"))? else {
            return Ok(None);
        };
        let status = Status::from(m.status);
        // Ballots so far: the first number of `poll/<n>/counts`
        // (`ballots c1 c2 …`) until the end.
        let count = match status {
            Status::Ended => m.ballot_count,
            _ => match store.kv_get(&kv, &format!("poll/{id}/counts"))? {
                Some(raw) => {
                    let text = String::from_utf8_lossy(&raw);
                    let first = text.split(' ').next().unwrap_or("");
                    decimal(first.as_bytes()).context("the ballot count")?
                }
                None => 0,
            },
        };
        Ok(Some(Contest {
            scope: scope.clone(),
            id: m.id,
            title: m.question,
            channel: m.channel,
            status,
            started_ms: m.created_ms,
            deadline_ms: m.deadline_ms,
            ended_ms: m.ended_ms,
            count,
            outcome: Outcome::Poll {
                answers: m.answers,
                counts: (status == Status::Ended).then_some(m.counts),
                multi: m.multi,
                anonymous: m.anonymous,
            },
            verification: Verification::Tally {
                ballots_hash: m.ballots_hash,
            },
        }))
    }

    /// The canonical list's chunks (`contest/<n>/entries/<kkkk>`,
    /// `poll/<n>/list/<kkkk>`), end to end in key order.
    pub fn read_list(store: &dyn Store, scope: &Scope, id: u64) -> Result<Vec<u8>> {
        let kv = scope.kv();
        let prefix = match scope.kind {
            Kind::Giveaway => format!("contest/{id}/entries/"),
            Kind::Poll => format!("poll/{id}/list/"),
        };
        let mut out = Vec::new();
        for key in store.kv_keys(&kv, &prefix, 10_000)? {
            out.extend(
                store
                    .kv_get(&kv, &key)?
                    .with_context(|| format!("key `{key}` went away"))?,
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Commit, KvWrites, SledStore};

    fn scope(kind: Kind) -> Scope {
        Scope {
            community: "acme café".into(),
            entry: kind.name().into(),
            kind,
        }
    }

    fn write(store: &SledStore, scope: &Scope, pairs: &[(&str, &str)]) {
        let writes: KvWrites = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Some(v.as_bytes().to_vec())))
            .collect();
        store
            .commit(Commit {
                kv: vec![(scope.kv(), writes)],
                ..Commit::default()
            })
            .unwrap();
    }

    const SEED: &str = "0101010101010101010101010101010101010101010101010101010101010101";

    fn giveaway_json(id: u64, status: &str, extra: &str) -> String {
        format!(
            r#"{{"id":{id},"prize":"Mug <b>","lang":"en","channel":"general","announce_channel":"general",
            "winners_wanted":2,"started_ms":1000,"deadline_ms":{},"start_message":"s1","started_by":"mod",
            "rules":{{"min_account_age_days":0,"required_roles":[],"exclude_staff":true,"bonus":{{}},"reaction_emoji":"🎉"}},
            "seed":"{SEED}","commitment":"c0ffee","status":"{status}",{extra}}}"#,
            5000 + id as i64
        )
    }

    #[test]
    fn a_running_contest_hides_its_seed_and_has_no_list_or_command() {
        let store = SledStore::temporary().unwrap();
        let s = scope(Kind::Giveaway);
        let meta = giveaway_json(
            1,
            "open",
            r#""ended_ms":null,"entries_hash":null,"entry_count":0,"total_weight":0,"picks":[],"winners":[],"names":{},"rerolls":[]"#,
        );
        write(
            &store,
            &s,
            &[
                ("seq", "1"),
                ("contest/1/meta", meta.as_str()),
                ("contest/1/count", "7"),
            ],
        );
        let all = list(&store, std::slice::from_ref(&s)).unwrap();
        assert_eq!(all.len(), 1);
        let c = &all[0];
        assert_eq!(
            (c.status, c.count, c.title.as_str()),
            (Status::Running, 7, "Mug <b>")
        );
        match &c.verification {
            Verification::Draw {
                seed, commitment, ..
            } => {
                assert_eq!(*seed, None);
                assert_eq!(commitment, "c0ffee");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(c.verify_command("x.txt"), None);
        assert_eq!(published_list(&store, &s, 1).unwrap(), None);
        assert_eq!(c.list_file_name(), "acme_caf_-giveaway-1-entries.txt");
    }

    #[test]
    fn an_ended_contest_gives_its_list_and_the_command_with_every_pick_after_a_reroll() {
        let store = SledStore::temporary().unwrap();
        let s = scope(Kind::Giveaway);
        let ended = giveaway_json(
            1,
            "ended",
            r#""ended_ms":9000,"entries_hash":"abc","entry_count":3,"total_weight":4,"picks":["u1","u2","u3"],"winners":["u3","u2"],"names":{"u2":"Bob","u3":""},"rerolls":[{"replaced":"u1","by":"u3","at_ms":9500}]"#,
        );
        let running = giveaway_json(
            2,
            "open",
            r#""ended_ms":null,"entries_hash":null,"entry_count":0,"total_weight":0,"picks":[],"winners":[],"names":{},"rerolls":[]"#,
        );
        write(
            &store,
            &s,
            &[
                ("seq", "2"),
                ("contest/1/meta", ended.as_str()),
                ("contest/1/entries/0000", "u1\nu2\t2\n"),
                ("contest/1/entries/0001", "u3\n"),
                ("contest/2/meta", running.as_str()),
            ],
        );
        let all = list(&store, std::slice::from_ref(&s)).unwrap();
        // Running first.
        assert_eq!(all.iter().map(|c| c.id).collect::<Vec<_>>(), vec![2, 1]);
        let c = &all[1];
        assert_eq!(c.count, 3);
        assert_eq!(
            c.verify_command("f.txt").unwrap(),
            format!("vigie verify-draw --seed {SEED} --commitment c0ffee --entries-hash abc --winners 3 --entries f.txt")
        );
        match &c.outcome {
            Outcome::Giveaway {
                winners,
                rerolls,
                total_weight,
                ..
            } => {
                assert_eq!(
                    winners,
                    &[
                        ("u3".to_string(), String::new()),
                        ("u2".to_string(), "Bob".to_string())
                    ]
                );
                assert_eq!((*rerolls, *total_weight), (1, 4));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            published_list(&store, &s, 1).unwrap().unwrap(),
            b"u1\nu2\t2\nu3\n"
        );
        assert_eq!(published_list(&store, &s, 3).unwrap(), None);
    }

    #[test]
    fn polls_running_give_only_the_ballot_count_and_ended_ones_their_tally() {
        let store = SledStore::temporary().unwrap();
        let s = scope(Kind::Poll);
        let meta = |id: u64, status: &str, extra: &str| {
            format!(
                r#"{{"id":{id},"question":"Tea?","answers":["Tea","Coffee"],"multi":1,"anonymous":true,"results":"end","lang":"en",
                "channel":"general","start_message":"p{id}","created_ms":100,"deadline_ms":{},"rules":{{"min_account_age_days":0,"required_roles":[],"staff_can_vote":false}},
                "status":"{status}"{extra}}}"#,
                1000 * id
            )
        };
        let open = meta(1, "open", "");
        let ended = meta(
            2,
            "ended",
            r#","ended_ms":3000,"ballots_hash":"beef","ballot_count":2,"counts":[1,1]"#,
        );
        let cancelled = meta(3, "cancelled", r#","ended_ms":4000"#);
        write(
            &store,
            &s,
            &[
                ("seq", "4"),
                ("poll/1/meta", open.as_str()),
                ("poll/1/counts", "5 3 2"),
                ("poll/2/meta", ended.as_str()),
                ("poll/2/list/0000", "poll 2\n"),
                ("poll/3/meta", cancelled.as_str()),
            ],
        );
        let all = list(&store, std::slice::from_ref(&s)).unwrap();
        // Running, then the latest ended first; #4 does not exist.
        assert_eq!(all.iter().map(|c| c.id).collect::<Vec<_>>(), vec![1, 3, 2]);
        assert_eq!(all[0].count, 5);
        assert!(matches!(
            &all[0].outcome,
            Outcome::Poll { counts: None, .. }
        ));
        assert_eq!(all[1].status, Status::Cancelled);
        assert_eq!(all[1].verify_command("b.txt"), None);
        assert!(matches!(&all[2].outcome, Outcome::Poll { counts: Some(c), .. } if c == &[1, 1]));
        assert_eq!(
            all[2].verify_command("b.txt").unwrap(),
            "vigie verify-poll --ballots b.txt --hash beef"
        );
        assert_eq!(published_list(&store, &s, 2).unwrap().unwrap(), b"poll 2\n");
        assert_eq!(published_list(&store, &s, 3).unwrap(), None);
    }

    #[test]
    fn an_unreadable_record_is_an_error_naming_it() {
        let store = SledStore::temporary().unwrap();
        let s = scope(Kind::Poll);
        write(&store, &s, &[("seq", "1"), ("poll/1/meta", r#"{"id":1}"#)]);
        let e = format!("{:#}", list(&store, &[s]).unwrap_err());
        assert!(
            e.contains("poll #1 of entry `poll` in community `acme café`"),
            "{e}"
        );
        assert!(e.contains("poll/1/meta"), "{e}");
    }
}
