//! # giveaway-draw: a draw anyone can recompute
//!
//! The verifiable draw behind Vigie's `giveaway` plugin and the
//! `vigie verify-draw` command. Pure Rust, no I/O, two dependencies (`sha2`,
//! `hex`).
//!
//! ## The protocol
//!
//! 1. **Start.** The plugin draws a secret 32-byte *seed* from the host's
//!    randomness and publishes its *commitment*, the lower-case hex
//!    SHA-256 of the 32 seed bytes ([`commitment`]). The seed is now fixed
//!    but unknown to the participants.
//! 2. **Entries.** People enter. Each entry is a user id with a weight
//!    (1, unless bonus entries were announced).
//! 3. **End.** The plugin publishes the seed (hex), the entry list in its
//!    canonical form ([`canonical_entries`]), the SHA-256 of that text
//!    ([`entries_hash`]) and the winners ([`draw`]).
//! 4. **Check.** Anyone runs [`verify_published`] (`vigie verify-draw --seed …
//!    --commitment … --entries-hash … --entries FILE --winners N`): it checks
//!    `SHA-256(seed) == commitment`, that the entry list is the published one
//!    (its hash), and recomputes the winners from the seed and the entry
//!    list. Without the published hash, a list copied wrong would give other
//!    winners that look verified.
//!
//! Since the seed was committed before anybody entered and the winners are a
//! deterministic function of the seed and of the entry list, the organiser
//! could not choose the seed after seeing the entries, and cannot change the
//! winners after the fact.
//!
//! ## The algorithm, precisely (enough to reimplement it)
//!
//! **Canonical entry list.** Drop entries whose user id is empty, contains
//! a tab, CR or LF, or starts or ends with white space, and entries of
//! weight 0. Merge duplicate user ids (the
//! largest weight wins). Sort by user id, comparing the UTF-8 bytes. Write one
//! line per entry, each ended by `\n`: the user id alone when the weight is 1,
//! else `user id` + `\t` + the weight in decimal (`u-bruno\t3`). No other
//! spaces, no header; an empty list is the empty text. The *entries hash* `H`
//! is SHA-256 of that UTF-8 text (32 bytes; published in lower-case hex).
//!
//! **Byte stream.** Block `i` (for `i` = 0, 1, 2, …) is
//! `SHA-256(seed ‖ H ‖ i)`, where `seed` is the 32 seed bytes, `H` the 32
//! raw bytes of the entries hash and `i` an unsigned 64-bit big-endian
//! integer (72 bytes hashed). The stream is block 0 ‖ block 1 ‖ … . A
//! *random word* is the next 8 bytes of the stream read as an unsigned 64-bit
//! big-endian integer (so each block gives four words, and words never
//! straddle blocks).
//!
//! **Uniform integer in `[0, m)`** (`m` ≥ 1), by rejection sampling, without
//! modulo bias: let `r = 2^64 mod m`; take random words `x` until
//! `x ≤ 2^64 − 1 − r` (i.e. `x < 2^64 − r`, a multiple of `m`); the result
//! is `x mod m`. (For `m` = 1 or any power of two every word is accepted,
//! but a word is still consumed.)
//!
//! **Picks.** The remaining entries start as the whole canonical list, in its
//! order. Each pick takes `t` = the uniform integer in `[0, W)`, `W` being the
//! total weight of the remaining entries, walks the remaining entries in
//! canonical order adding up weights, and picks the first entry whose running
//! total exceeds `t`. The picked entry is removed from the remaining ones (a
//! weighted draw without replacement: each pick is proportional to weight
//! among those not yet picked). The draw of `n` winners is the first
//! `min(n, number of entries)` picks, in order.
//!
//! **Reroll.** Replacing a winner takes the *next* pick of the same
//! sequence: after `k` picks (the `n` winners plus the earlier rerolls),
//! the replacement is pick `k + 1`. It never returns a previous winner (they
//! are no longer among the remaining entries), and `draw(seed, entries, k + 1)`
//! lists every pick ever made, so a reroll is checked with
//! `--winners k+1`.
//!
//! ## Example
//!
//! ```
//! use giveaway_draw::{commitment, draw, verify, canonical_entries, Entry};
//!
//! let seed = [7u8; 32];
//! let published_commitment = commitment(&seed);
//! let entries = vec![Entry::new("u-alice"), Entry::weighted("u-bruno", 3), Entry::new("u-chloe")];
//! let winners = draw(&seed, &entries, 2);
//!
//! // Later, anyone with the published seed, commitment and entry list:
//! let text = canonical_entries(&entries);
//! let again = verify(&hex::encode(seed), &published_commitment, &text, 2).unwrap();
//! assert_eq!(again, winners);
//! ```

#![deny(missing_docs)]

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

/// Length of a seed in bytes.
pub const SEED_LEN: usize = 32;

/// One entry of a contest: a user id and its number of entries (weight).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Entry {
    /// The platform's user id. Must not be empty, contain a tab, CR or LF,
    /// nor start or end with white space.
    pub user: String,
    /// How many entries the user has: 1 normally, more with announced bonus
    /// entries. 0 means no chance (the entry is left out).
    pub weight: u32,
}

impl Entry {
    /// An entry of weight 1.
    pub fn new(user: impl Into<String>) -> Self {
        Entry {
            user: user.into(),
            weight: 1,
        }
    }

    /// An entry with `weight` entries.
    pub fn weighted(user: impl Into<String>, weight: u32) -> Self {
        Entry {
            user: user.into(),
            weight,
        }
    }

    /// True when the entry can appear in a canonical list: a non-empty user
    /// id without tab, CR or LF nor white space at either end, and a weight
    /// of at least 1.
    pub fn is_valid(&self) -> bool {
        !self.user.is_empty()
            && !self.user.contains(['\t', '\r', '\n'])
            && self.user.trim() == self.user
            && self.weight >= 1
    }
}

impl From<&str> for Entry {
    fn from(user: &str) -> Self {
        Entry::new(user)
    }
}

impl From<String> for Entry {
    fn from(user: String) -> Self {
        Entry::new(user)
    }
}

/// The lower-case hex SHA-256 of the seed: what the announcement publishes
/// at the start of a contest.
pub fn commitment(seed: &[u8; SEED_LEN]) -> String {
    hex::encode(Sha256::digest(seed))
}

/// The canonical text of an entry list: valid entries only, duplicates
/// merged (largest weight), sorted by user id bytes, one line per entry
/// (`user` or `user\tweight` when the weight is not 1), each ended by `\n`.
pub fn canonical_entries(entries: &[Entry]) -> String {
    Pool::new(entries).canonical()
}

/// The lower-case hex SHA-256 of [`canonical_entries`].
pub fn entries_hash(entries: &[Entry]) -> String {
    Pool::new(entries).hash_hex()
}

/// Reads an entry list: one entry per line, `user` or `user<TAB>weight`.
/// Accepts any order, `\r\n` line ends, blank lines, white space around a
/// line and duplicates (they are merged when the list is canonicalised);
/// refuses a weight that is not a decimal integer ≥ 1 and extra
/// tab-separated fields.
pub fn parse_entries(text: &str) -> Result<Vec<Entry>, VerifyError> {
    let mut out = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bad = |reason: &str| VerifyError::BadEntry {
            line: i + 1,
            reason: reason.to_string(),
        };
        let mut fields = line.split('\t');
        let user = fields.next().unwrap_or_default();
        let weight = match fields.next() {
            None => 1,
            Some(w) => match w.parse::<u32>() {
                Ok(n) if n >= 1 && w.bytes().all(|b| b.is_ascii_digit()) => n,
                _ => return Err(bad("the weight must be a whole number ≥ 1")),
            },
        };
        if fields.next().is_some() {
            return Err(bad("expected `user` or `user<TAB>weight`"));
        }
        if user.is_empty() {
            return Err(bad("empty user id"));
        }
        out.push(Entry::weighted(user, weight));
    }
    Ok(out)
}

/// Reads an entry list as a copy from a terminal or a chat may have left
/// it: like [`parse_entries`], but lines of code fences (```` ``` ````) are
/// skipped, and a line without a tab that ends with white space and a
/// whole number ≥ 1 (`u-bruno   3`) is read as `user<TAB>weight`, since
/// copying turns tabs into spaces. This reading is a guess (a user id may
/// end with a space and digits): [`verify_published`] keeps it only when
/// the list it gives has the published hash.
pub fn parse_copied_entries(text: &str) -> Result<Vec<Entry>, VerifyError> {
    let mut out = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("```") {
            continue;
        }
        if line.contains('\t') {
            // A tab kept: the strict reading, with spaces around the fields
            // forgiven.
            let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
            let mut fixed = fields.join("\t");
            fixed.push('\n');
            let mut entries = parse_entries(&fixed).map_err(|e| match e {
                VerifyError::BadEntry { reason, .. } => VerifyError::BadEntry {
                    line: i + 1,
                    reason,
                },
                other => other,
            })?;
            out.append(&mut entries);
            continue;
        }
        let split = line
            .rfind(char::is_whitespace)
            .map(|at| (line[..at].trim_end(), line[at..].trim_start()));
        match split {
            Some((user, weight))
                if !user.is_empty()
                    && !weight.is_empty()
                    && weight.bytes().all(|b| b.is_ascii_digit()) =>
            {
                match weight.parse::<u32>() {
                    Ok(w) if w >= 1 => out.push(Entry::weighted(user, w)),
                    _ => out.push(Entry::new(line)),
                }
            }
            _ => out.push(Entry::new(line)),
        }
    }
    Ok(out)
}

/// The winners: the first `min(n, entries)` picks of the draw, in order.
/// The order of `entries` does not matter (they are canonicalised first).
pub fn draw(seed: &[u8; SEED_LEN], entries: &[Entry], n: usize) -> Vec<String> {
    Pool::new(entries).draw(seed, n)
}

/// The replacement of `replaced`, one of `previous_winners` (every pick made
/// so far: the winners, then the earlier replacements, in any order): the
/// next pick of the same sequence, which is never a previous winner.
///
/// `None` when `replaced` is not among `previous_winners`, when
/// `previous_winners` are not the first picks of this draw, or when nobody
/// is left to pick.
pub fn reroll(
    seed: &[u8; SEED_LEN],
    entries: &[Entry],
    previous_winners: &[String],
    replaced: &str,
) -> Option<String> {
    Pool::new(entries).reroll(seed, previous_winners, replaced)
}

/// Checks a published draw: `SHA-256(seed) == commitment`, then recomputes
/// the `n` winners from the seed and the entry list (read with
/// [`parse_entries`], then canonicalised). Hex is accepted in either case.
///
/// It does not check that the list is the published one: a list copied
/// wrong gives other winners. To verify a contest, use
/// [`verify_published`] with the published entry-list hash.
pub fn verify(
    seed_hex: &str,
    commitment_hex: &str,
    entries_text: &str,
    n: usize,
) -> Result<Vec<String>, VerifyError> {
    verify_report(seed_hex, commitment_hex, entries_text, n).map(|v| v.winners)
}

/// What [`verify_report`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The recomputed winners, in pick order.
    pub winners: Vec<String>,
    /// The hex SHA-256 of the canonical entry list: compare it with the
    /// published one.
    pub entries_hash: String,
    /// Entries after canonicalisation.
    pub entry_count: usize,
    /// Their total weight.
    pub total_weight: u64,
    /// True when the text given was already exactly canonical.
    pub was_canonical: bool,
    /// How the text given differs from the canonical text, in ways that do
    /// not change the list (empty when it was canonical).
    pub differences: Vec<Difference>,
}

/// A way the entry list given differs from the canonical text without
/// being another list (see [`Verification::differences`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Difference {
    /// The last line is not ended by a newline.
    NoFinalNewline,
    /// Lines end with `\r\n`.
    WindowsLineEnds,
    /// Blank lines, or white space around lines.
    ExtraWhiteSpace,
    /// A weight of 1 written out, or a weight with leading zeros.
    WeightFormat,
    /// The lines are not sorted by user id.
    Unsorted,
    /// A user id appears more than once (merged; the largest weight kept).
    Duplicates,
    /// Weights are separated from the user id by spaces instead of a tab
    /// (copying from a terminal or a chat does that); read as tabs.
    SpacesForTabs,
    /// Code-fence lines (```` ``` ````) around the list; skipped.
    CodeFences,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Difference::NoFinalNewline => "the last line has no newline at its end",
            Difference::WindowsLineEnds => "the lines end with CR LF",
            Difference::ExtraWhiteSpace => "there are blank lines, or spaces around lines",
            Difference::WeightFormat => {
                "some weights are written another way (a weight of 1 written out, or leading zeros)"
            }
            Difference::Unsorted => "the lines are not in the published order (sorted by user id)",
            Difference::Duplicates => "some user ids appear more than once (merged)",
            Difference::SpacesForTabs => {
                "the tabs before the weights were turned into spaces, as copying from a terminal \
                 or a chat does (read as tabs)"
            }
            Difference::CodeFences => "the list is wrapped in ``` lines (skipped)",
        })
    }
}

/// How `text`, read as `entries`, differs from the canonical text of
/// `pool`. `copied`: the entries were read by [`parse_copied_entries`].
fn differences(text: &str, entries: &[Entry], pool: &Pool, copied: bool) -> Vec<Difference> {
    let mut out = Vec::new();
    if pool.canonical() == text {
        return out;
    }
    let body = text.strip_suffix('\n').unwrap_or(text);
    let lines: Vec<&str> = body
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let fence = |l: &str| l.trim().starts_with("```");
    if !text.is_empty() && !text.ends_with('\n') && !lines.last().is_some_and(|l| fence(l)) {
        out.push(Difference::NoFinalNewline);
    }
    if text.contains("\r\n") {
        out.push(Difference::WindowsLineEnds);
    }
    if !text.is_empty()
        && lines
            .iter()
            .any(|l| !fence(l) && (l.trim().is_empty() || l.trim() != *l))
    {
        out.push(Difference::ExtraWhiteSpace);
    }
    let weight_format = lines.iter().filter(|l| l.contains('\t')).any(|l| {
        let w = l.rsplit('\t').next().unwrap_or_default().trim();
        w == "1" || w.starts_with('0')
    });
    if weight_format {
        out.push(Difference::WeightFormat);
    }
    if entries
        .windows(2)
        .any(|w| w[0].user.as_bytes() > w[1].user.as_bytes())
    {
        out.push(Difference::Unsorted);
    }
    if entries.iter().filter(|e| e.is_valid()).count() != pool.len() {
        out.push(Difference::Duplicates);
    }
    if copied {
        if lines.iter().any(|l| fence(l)) {
            out.push(Difference::CodeFences);
        }
        let spaced = entries.iter().any(|e| e.weight != 1)
            && lines
                .iter()
                .any(|l| !fence(l) && !l.contains('\t') && l.trim().contains(char::is_whitespace));
        if spaced {
            out.push(Difference::SpacesForTabs);
        }
    }
    out
}

/// [`verify`], also returning the entries hash, the entry count and whether
/// the given text was already canonical (for `vigie verify-draw` to print).
pub fn verify_report(
    seed_hex: &str,
    commitment_hex: &str,
    entries_text: &str,
    n: usize,
) -> Result<Verification, VerifyError> {
    let seed = check_commitment(seed_hex, commitment_hex)?;
    let entries = parse_entries(entries_text)?;
    Ok(verification(&seed, entries_text, &entries, n, false))
}

/// The seed, once `SHA-256(seed)` is found equal to the commitment.
fn check_commitment(seed_hex: &str, commitment_hex: &str) -> Result<[u8; SEED_LEN], VerifyError> {
    let seed = parse_seed(seed_hex)?;
    let claimed = commitment_hex.trim().to_ascii_lowercase();
    if claimed.len() != 64 || !claimed.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(VerifyError::BadCommitment(
            "the commitment must be 64 hexadecimal characters".to_string(),
        ));
    }
    let actual = commitment(&seed);
    if actual != claimed {
        return Err(VerifyError::CommitmentMismatch {
            commitment: claimed,
            seed_hash: actual,
        });
    }
    Ok(seed)
}

fn verification(
    seed: &[u8; SEED_LEN],
    text: &str,
    entries: &[Entry],
    n: usize,
    copied: bool,
) -> Verification {
    let pool = Pool::new(entries);
    Verification {
        winners: pool.draw(seed, n),
        entries_hash: pool.hash_hex(),
        entry_count: pool.len(),
        total_weight: pool.total_weight(),
        was_canonical: pool.canonical() == text,
        differences: differences(text, entries, &pool, copied),
    }
}

/// Checks a published draw against everything the contest published:
/// `SHA-256(seed) == commitment`, then that the entry list is the published
/// one (its canonical text has the published SHA-256), and only then
/// recomputes the `n` winners. A list that is not the published one is an
/// error ([`VerifyError::EntriesHashMismatch`]), never other winners.
///
/// The list is read with [`parse_entries`]; when that does not give the
/// published hash, with [`parse_copied_entries`] (tabs a copy turned into
/// spaces, code fences), which is kept only if it does.
/// [`Verification::differences`] says what was forgiven.
pub fn verify_published(
    seed_hex: &str,
    commitment_hex: &str,
    entries_text: &str,
    published_entries_hash: &str,
    n: usize,
) -> Result<Verification, VerifyError> {
    let published = published_entries_hash.trim().to_ascii_lowercase();
    if published.len() != 64 || !published.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(VerifyError::BadEntriesHash(
            "the entry list's hash must be 64 hexadecimal characters".to_string(),
        ));
    }
    // The seed and the commitment first: a changed seed is said as such.
    let seed = check_commitment(seed_hex, commitment_hex)?;
    let strict = parse_entries(entries_text);
    if let Ok(entries) = &strict {
        let found = verification(&seed, entries_text, entries, n, false);
        if found.entries_hash == published {
            return Ok(found);
        }
    }
    if let Ok(entries) = parse_copied_entries(entries_text) {
        let found = verification(&seed, entries_text, &entries, n, true);
        if found.entries_hash == published {
            return Ok(found);
        }
    }
    let entries = strict?;
    let pool = Pool::new(&entries);
    Err(VerifyError::EntriesHashMismatch {
        published,
        computed: pool.hash_hex(),
        entry_count: pool.len(),
    })
}

/// Reads a seed written as 64 hex characters.
pub fn parse_seed(seed_hex: &str) -> Result<[u8; SEED_LEN], VerifyError> {
    let mut seed = [0u8; SEED_LEN];
    hex::decode_to_slice(seed_hex.trim(), &mut seed)
        .map_err(|_| VerifyError::BadSeed("the seed must be 64 hexadecimal characters".into()))?;
    Ok(seed)
}

/// Why a draw could not be verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// The seed is not 64 hex characters.
    BadSeed(String),
    /// The commitment is not 64 hex characters.
    BadCommitment(String),
    /// SHA-256 of the seed is not the published commitment: the seed was
    /// changed after the start.
    CommitmentMismatch {
        /// The published commitment.
        commitment: String,
        /// SHA-256 of the seed given.
        seed_hash: String,
    },
    /// The published entry-list hash is not 64 hex characters.
    BadEntriesHash(String),
    /// The entry list given is not the published one: its canonical text
    /// does not have the published SHA-256 (read as given, nor as a copy
    /// may have changed it).
    EntriesHashMismatch {
        /// The published hash.
        published: String,
        /// SHA-256 of the list given (read as given).
        computed: String,
        /// Entries in the list given.
        entry_count: usize,
    },
    /// A line of the entry list cannot be read.
    BadEntry {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::BadSeed(why) => write!(f, "bad seed: {why}"),
            VerifyError::BadCommitment(why) => write!(f, "bad commitment: {why}"),
            VerifyError::CommitmentMismatch {
                commitment,
                seed_hash,
            } => write!(
                f,
                "the seed does not match the commitment: SHA-256(seed) = {seed_hash}, \
                 published commitment = {commitment}"
            ),
            VerifyError::BadEntriesHash(why) => write!(f, "bad entry-list hash: {why}"),
            VerifyError::EntriesHashMismatch {
                published,
                computed,
                entry_count,
            } => write!(
                f,
                "the entry list is not the published one: the {entry_count} entries read have \
                 SHA-256 {computed}, the contest published {published}. Copy the list again from \
                 the end announcement, or get it whole in private messages with \
                 `!giveaway entries #n`; no winners are computed from a list that is not the \
                 published one"
            ),
            VerifyError::BadEntry { line, reason } => {
                write!(f, "entry list, line {line}: {reason}")
            }
        }
    }
}

impl std::error::Error for VerifyError {}

/// A canonicalised entry list, ready for many draws (the free functions
/// build one each time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pool {
    entries: Vec<Entry>,
    hash: [u8; 32],
}

impl Pool {
    /// Canonicalises `entries` (see [`canonical_entries`]).
    pub fn new(entries: &[Entry]) -> Self {
        let mut merged: BTreeMap<&[u8], u32> = BTreeMap::new();
        for e in entries.iter().filter(|e| e.is_valid()) {
            let w = merged.entry(e.user.as_bytes()).or_insert(0);
            *w = (*w).max(e.weight);
        }
        let entries: Vec<Entry> = merged
            .into_iter()
            .map(|(user, weight)| Entry {
                // Keys come from `String`s, so they are valid UTF-8.
                user: String::from_utf8_lossy(user).into_owned(),
                weight,
            })
            .collect();
        let hash = Sha256::digest(render(&entries).as_bytes()).into();
        Pool { entries, hash }
    }

    /// The canonical entries, sorted.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nobody entered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sum of the weights.
    pub fn total_weight(&self) -> u64 {
        self.entries.iter().map(|e| u64::from(e.weight)).sum()
    }

    /// The canonical text (see [`canonical_entries`]).
    pub fn canonical(&self) -> String {
        render(&self.entries)
    }

    /// The hex SHA-256 of the canonical text.
    pub fn hash_hex(&self) -> String {
        hex::encode(self.hash)
    }

    /// The winners (see [`draw`]).
    pub fn draw(&self, seed: &[u8; SEED_LEN], n: usize) -> Vec<String> {
        self.picks(seed, n)
            .into_iter()
            .map(|i| self.entries[i].user.clone())
            .collect()
    }

    /// The replacement (see [`reroll`]).
    pub fn reroll(
        &self,
        seed: &[u8; SEED_LEN],
        previous_winners: &[String],
        replaced: &str,
    ) -> Option<String> {
        if !previous_winners.iter().any(|w| w == replaced) {
            return None;
        }
        let k = previous_winners.len();
        let picks = self.draw(seed, k + 1);
        if picks.len() != k + 1 {
            return None;
        }
        let mut made: Vec<&str> = picks[..k].iter().map(String::as_str).collect();
        let mut given: Vec<&str> = previous_winners.iter().map(String::as_str).collect();
        made.sort_unstable();
        given.sort_unstable();
        if made != given {
            return None;
        }
        picks.into_iter().nth(k)
    }

    /// Indices (into [`Pool::entries`]) of the first `min(n, len)` picks.
    fn picks(&self, seed: &[u8; SEED_LEN], n: usize) -> Vec<usize> {
        let mut stream = Stream::new(seed, &self.hash);
        let mut remaining: Vec<usize> = (0..self.entries.len()).collect();
        let mut total = self.total_weight();
        let mut out = Vec::with_capacity(n.min(remaining.len()));
        while out.len() < n && !remaining.is_empty() {
            let target = stream.below(total);
            let mut acc = 0u64;
            let mut at = remaining.len() - 1;
            for (pos, &i) in remaining.iter().enumerate() {
                acc += u64::from(self.entries[i].weight);
                if target < acc {
                    at = pos;
                    break;
                }
            }
            let picked = remaining.remove(at);
            total -= u64::from(self.entries[picked].weight);
            out.push(picked);
        }
        out
    }
}

fn render(entries: &[Entry]) -> String {
    let mut out = String::with_capacity(entries.iter().map(|e| e.user.len() + 4).sum());
    for e in entries {
        out.push_str(&e.user);
        if e.weight != 1 {
            out.push('\t');
            out.push_str(&e.weight.to_string());
        }
        out.push('\n');
    }
    out
}

/// The byte stream `SHA-256(seed ‖ H ‖ counter_be64)`, read as big-endian
/// 64-bit words.
struct Stream {
    prefix: [u8; 64],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl Stream {
    fn new(seed: &[u8; SEED_LEN], entries_hash: &[u8; 32]) -> Self {
        let mut prefix = [0u8; 64];
        prefix[..32].copy_from_slice(seed);
        prefix[32..].copy_from_slice(entries_hash);
        Stream {
            prefix,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    fn next_u64(&mut self) -> u64 {
        if self.used == 32 {
            let mut h = Sha256::new();
            h.update(self.prefix);
            h.update(self.counter.to_be_bytes());
            self.block = h.finalize().into();
            self.counter += 1;
            self.used = 0;
        }
        let mut word = [0u8; 8];
        word.copy_from_slice(&self.block[self.used..self.used + 8]);
        self.used += 8;
        u64::from_be_bytes(word)
    }

    /// Uniform in `[0, m)`, `m` ≥ 1, by rejection sampling.
    fn below(&mut self, m: u64) -> u64 {
        debug_assert!(m >= 1);
        let rem = (u64::MAX % m + 1) % m; // 2^64 mod m
        loop {
            let x = self.next_u64();
            if x <= u64::MAX - rem {
                return x % m;
            }
        }
    }
}

#[cfg(test)]
mod tests;
