//! # poll-tally: a tally anyone can recompute
//!
//! The verifiable tally behind Vigie's `poll` plugin and the
//! `vigie verify-poll` command. Pure Rust, no I/O, no SDK; three
//! dependencies (`sha2`, `hmac`, `hex`).
//!
//! ## The idea
//!
//! When a poll closes, the plugin publishes the **ballot list** — one line
//! per ballot: a *ballot id* and the options it chose — and the SHA-256 of
//! that list. From the list alone anyone recomputes the counts, the
//! percentages and the winner ([`count`]); the published hash proves that
//! the list they check is the one the plugin published, not a copy changed
//! afterwards ([`verify`] checks the hash first, then counts).
//!
//! Ballot ids are **pseudonyms** (the plugin uses them in every poll, public
//! or anonymous): the first 16 bytes of
//! `HMAC-SHA256(key, "ballot" ‖ 0x00 ‖ user id)`, in hex ([`ballot_id`]),
//! with a random key drawn for that poll alone. The same user always gets
//! the same id in one poll (one ballot per user, a new vote replaces the
//! old one), different polls give unrelated ids, and once the key is erased
//! (the plugin erases it when the poll closes) nobody can tell which user
//! a ballot id belongs to: computing it needs the key. The same keyed hash,
//! under other *domains* ([`pseudonym`]), lets the plugin refer to other
//! identities (a reaction's event id, the poll's creator) without storing
//! them.
//!
//! ## The canonical ballot list, exactly
//!
//! UTF-8 text, every line ended by LF (`\n`), nothing else:
//!
//! 1. A **header line**:
//!    `#vigie-poll v1 poll=<poll id> options=<n> multi=<m>` — single
//!    spaces, in this order. `<poll id>` is 1 to 64 bytes without white
//!    space, control characters or `=` (the plugin writes the poll's number,
//!    `3`); `<n>` is the number of options (1 to [`MAX_OPTIONS`]; the plugin
//!    allows 2 to 10); `<m>` the most options one ballot may choose (1 to
//!    `n`). Numbers in decimal without leading zeros.
//! 2. One **line per ballot**: `<ballot id>` TAB `<choices>`, where
//!    `<choices>` are the chosen option numbers (1-based, as shown to
//!    voters: 1️⃣ is 1), distinct, in increasing order, separated by commas
//!    without spaces (`1,3`), at least 1 and at most `m` of them. A ballot
//!    id is 1 to 256 bytes with no white space and no control character,
//!    and does not start with `#`. Ballot ids are unique.
//! 3. The ballot lines are **sorted by ballot id**, comparing the UTF-8
//!    bytes. A poll without ballots is the header line alone.
//!
//! ```text
//! #vigie-poll v1 poll=3 options=4 multi=2
//! 1f0c5e…\t2
//! 7a9b31…\t1,3
//! ```
//!
//! The **hash** is the lower-case hex SHA-256 of the bytes of that text,
//! header and final LF included ([`hash`]).
//!
//! ## Counting
//!
//! An option's count is the number of ballots that chose it; its
//! percentage is that count over the number of ballots (so with `multi` > 1
//! the percentages add up to more than 100 %). The winner is the option
//! with the highest count; several options with that count are a tie; no
//! ballot, no winner ([`Outcome`]).
//!
//! ## Reading copies
//!
//! [`parse`] reads the canonical text and also what a copy from a chat or a
//! terminal may have made of it: CR LF line ends, blank lines, white space
//! around lines, spaces in place of the tab, spaces after commas, code
//! fences (```` ``` ````), lines or choices in another order, no final
//! newline. It refuses what would be another list: a bad header, a bad
//! ballot id, a choice that is not an option, the same option twice, more
//! choices than `multi`, the same ballot id twice — with the line number.
//! [`verify`] accepts such a copy only when the list it reads, written
//! canonically, has the published hash, and says what differed
//! ([`Difference`]).
//!
//! ## Example
//!
//! ```
//! use poll_tally::{ballot_id, count, hash, verify, Ballots, Header, Outcome};
//!
//! let key = [9u8; 32]; // the poll's secret key, from the host's randomness
//! let mut ballots = Ballots::new(Header::new("3", 3, 1).unwrap());
//! ballots.insert(&ballot_id(&key, "@alice:example.org"), &[2]).unwrap();
//! ballots.insert(&ballot_id(&key, "@bruno:example.org"), &[2]).unwrap();
//! ballots.insert(&ballot_id(&key, "@chloe:example.org"), &[1]).unwrap();
//! let text = ballots.canonical();
//! let published = hash(&text);
//!
//! // Later, anyone with the published list and hash:
//! let report = verify(&text, &published).unwrap();
//! assert_eq!(report.tally.counts, vec![1, 2, 0]);
//! assert_eq!(report.tally.outcome(), Outcome::Winner { option: 2, votes: 2 });
//! assert_eq!(count(&ballots), report.tally);
//! println!("{report}");
//! ```

#![deny(missing_docs)]

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

/// What the header line starts with.
pub const HEADER_TAG: &str = "#vigie-poll";
/// The format version written in the header.
pub const FORMAT_VERSION: &str = "v1";
/// Most options a list may have (the plugin allows 10).
pub const MAX_OPTIONS: u32 = 100;
/// Longest ballot id, in bytes.
pub const MAX_BALLOT_ID_BYTES: usize = 256;
/// Longest poll id, in bytes.
pub const MAX_POLL_ID_BYTES: usize = 64;
/// Bytes of the keyed hash kept in a pseudonym (32 hex characters).
pub const PSEUDONYM_BYTES: usize = 16;

type HmacSha256 = Hmac<Sha256>;

/// `HMAC-SHA256(key, domain ‖ 0x00 ‖ data)`, its first
/// [`PSEUDONYM_BYTES`] bytes in lower-case hex: a stable pseudonym of
/// `data` for whoever holds `key`, unlinkable to it for everyone else.
/// Different domains give unrelated pseudonyms of the same data.
pub fn pseudonym(key: &[u8], domain: &str, data: &str) -> String {
    // HMAC takes keys of any length: this cannot fail.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(domain.as_bytes());
    mac.update(&[0]);
    mac.update(data.as_bytes());
    let tag = mac.finalize().into_bytes();
    hex::encode(&tag[..PSEUDONYM_BYTES])
}

/// The ballot id of `user_id` in an anonymous poll with secret `key`:
/// [`pseudonym`]`(key, "ballot", user_id)`.
pub fn ballot_id(key: &[u8], user_id: &str) -> String {
    pseudonym(key, "ballot", user_id)
}

/// The lower-case hex SHA-256 of `list` (its UTF-8 bytes, as given).
pub fn hash(list: &str) -> String {
    hex::encode(Sha256::digest(list.as_bytes()))
}

/// True when `id` can be a ballot id: 1 to [`MAX_BALLOT_ID_BYTES`] bytes,
/// no white space, no control character, not starting with `#`.
pub fn is_valid_ballot_id(id: &str) -> bool {
    ballot_id_problem(id).is_none()
}

fn ballot_id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("empty ballot id")
    } else if id.len() > MAX_BALLOT_ID_BYTES {
        Some("ballot id longer than 256 bytes")
    } else if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("white space or a control character in the ballot id")
    } else if id.starts_with('#') {
        Some("a ballot id cannot start with `#`")
    } else {
        None
    }
}

/// True when `id` can be a poll id: 1 to [`MAX_POLL_ID_BYTES`] bytes, no
/// white space, no control character, no `=`.
pub fn is_valid_poll_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_POLL_ID_BYTES
        && !id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '=')
}

/// `count` over `total` in tenths of a percent, rounded half up (0 when
/// `total` is 0): 1 of 3 is 333 (33.3 %).
pub fn percent_tenths(count: u64, total: u64) -> u64 {
    if total == 0 {
        return 0;
    }
    let t = u128::from(total);
    ((u128::from(count) * 1000 + t / 2) / t) as u64
}

/// A bar of `width` cells, `count / total` of them full (`█`, rounded to
/// the nearest cell), the rest empty (`░`): `bar(1, 2, 10)` is
/// `█████░░░░░`.
pub fn bar(count: u64, total: u64, width: usize) -> String {
    let full = if total == 0 {
        0
    } else {
        let t = u128::from(total);
        let w = width as u128;
        ((u128::from(count.min(total)) * w * 2 + t) / (2 * t)) as usize
    };
    let full = full.min(width);
    let mut out = String::with_capacity(width * 3);
    out.extend(std::iter::repeat_n('█', full));
    out.extend(std::iter::repeat_n('░', width - full));
    out
}

/// The header line's data: which poll, how many options, how many choices a
/// ballot may have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The poll's id (the plugin writes its number, `3`).
    pub poll: String,
    /// Number of options, 1 to [`MAX_OPTIONS`].
    pub options: u32,
    /// Most options one ballot may choose, 1 to `options`.
    pub multi: u32,
}

impl Header {
    /// A checked header.
    pub fn new(poll: impl Into<String>, options: u32, multi: u32) -> Result<Header, Error> {
        let h = Header {
            poll: poll.into(),
            options,
            multi,
        };
        match h.problem() {
            Some(reason) => Err(Error::Invalid(reason)),
            None => Ok(h),
        }
    }

    fn problem(&self) -> Option<String> {
        if !is_valid_poll_id(&self.poll) {
            Some(format!(
                "the poll id must be 1 to {MAX_POLL_ID_BYTES} bytes without white space, control characters or `=`"
            ))
        } else if !(1..=MAX_OPTIONS).contains(&self.options) {
            Some(format!(
                "the number of options must be between 1 and {MAX_OPTIONS}"
            ))
        } else if !(1..=self.options).contains(&self.multi) {
            Some(format!(
                "multi must be between 1 and the number of options ({})",
                self.options
            ))
        } else {
            None
        }
    }

    /// The header line, without its LF:
    /// `#vigie-poll v1 poll=<id> options=<n> multi=<m>`.
    pub fn render(&self) -> String {
        format!(
            "{HEADER_TAG} {FORMAT_VERSION} poll={} options={} multi={}",
            self.poll, self.options, self.multi
        )
    }
}

/// The ballots of a poll, kept in canonical order (by ballot id bytes),
/// each with its choices in increasing order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballots {
    header: Header,
    ballots: BTreeMap<String, Vec<u32>>,
}

impl Ballots {
    /// No ballots yet.
    pub fn new(header: Header) -> Ballots {
        Ballots {
            header,
            ballots: BTreeMap::new(),
        }
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Number of ballots.
    pub fn len(&self) -> usize {
        self.ballots.len()
    }

    /// True when there is no ballot.
    pub fn is_empty(&self) -> bool {
        self.ballots.is_empty()
    }

    /// Adds a ballot. The choices may come in any order; they must be
    /// distinct option numbers (1 to `options`), 1 to `multi` of them. A
    /// ballot id already present is refused.
    pub fn insert(&mut self, id: &str, choices: &[u32]) -> Result<(), Error> {
        if let Some(reason) = ballot_id_problem(id) {
            return Err(Error::Invalid(reason.to_string()));
        }
        let choices = check_choices(&self.header, choices.to_vec()).map_err(Error::Invalid)?;
        if self.ballots.contains_key(id) {
            return Err(Error::Invalid(format!("ballot id {id} appears twice")));
        }
        self.ballots.insert(id.to_string(), choices);
        Ok(())
    }

    /// The ballots in canonical order: (ballot id, choices).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u32])> {
        self.ballots.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// The canonical text (see the crate docs).
    pub fn canonical(&self) -> String {
        let mut out = String::with_capacity(48 + self.ballots.len() * 40);
        out.push_str(&self.header.render());
        out.push('\n');
        for (id, choices) in &self.ballots {
            out.push_str(id);
            out.push('\t');
            for (i, c) in choices.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&c.to_string());
            }
            out.push('\n');
        }
        out
    }

    /// The hex SHA-256 of [`Ballots::canonical`].
    pub fn hash(&self) -> String {
        hash(&self.canonical())
    }
}

/// Sorted, checked choices; `Err` says why not.
fn check_choices(h: &Header, mut choices: Vec<u32>) -> Result<Vec<u32>, String> {
    if choices.is_empty() {
        return Err("a ballot needs at least one choice".to_string());
    }
    if let Some(bad) = choices.iter().find(|c| !(1..=h.options).contains(*c)) {
        return Err(format!(
            "choice {bad} is not an option (the options are 1 to {})",
            h.options
        ));
    }
    choices.sort_unstable();
    if let Some(w) = choices.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("option {} is chosen twice", w[0]));
    }
    if choices.len() > h.multi as usize {
        return Err(format!(
            "{} choices, more than the {} a ballot may have (multi={})",
            choices.len(),
            h.multi,
            h.multi
        ));
    }
    Ok(choices)
}

/// The canonical text of `ballots` (the same as [`Ballots::canonical`]).
pub fn canonical(ballots: &Ballots) -> String {
    ballots.canonical()
}

/// A way a list read differs from its canonical text without being another
/// list (see [`Report::differences`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Difference {
    /// The last line is not ended by a newline.
    NoFinalNewline,
    /// Lines end with CR LF.
    WindowsLineEnds,
    /// Blank lines, or white space around lines or inside the header.
    ExtraWhiteSpace,
    /// Spaces instead of the tab between a ballot id and its choices.
    SpacesForTabs,
    /// Choices written another way: spaces around commas, another order,
    /// leading zeros.
    ChoicesFormat,
    /// The ballot lines are not sorted by ballot id.
    Unsorted,
    /// Code-fence lines (```` ``` ````) around the list; skipped.
    CodeFences,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Difference::NoFinalNewline => "the last line has no newline at its end",
            Difference::WindowsLineEnds => "the lines end with CR LF",
            Difference::ExtraWhiteSpace => "there are blank lines, or extra spaces",
            Difference::SpacesForTabs => {
                "the tabs after the ballot ids were turned into spaces, as copying from a terminal \
                 or a chat does (read as tabs)"
            }
            Difference::ChoicesFormat => {
                "some choices are written another way (spaces, order or leading zeros)"
            }
            Difference::Unsorted => {
                "the lines are not in the published order (sorted by ballot id)"
            }
            Difference::CodeFences => "the list is wrapped in ``` lines (skipped)",
        })
    }
}

/// Reads a ballot list: the canonical text, or a copy of it (see the crate
/// docs for what is forgiven). Errors name the line (1-based).
pub fn parse(text: &str) -> Result<Ballots, Error> {
    parse_noting(text).map(|(b, _)| b)
}

/// [`parse`], and how the text differs in form from the canonical one.
fn parse_noting(text: &str) -> Result<(Ballots, Vec<Difference>), Error> {
    let mut notes = std::collections::BTreeSet::new();
    if !text.is_empty() && !text.ends_with('\n') {
        notes.insert(Difference::NoFinalNewline);
    }
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut ballots: Option<Ballots> = None;
    // Line of each ballot id, to name both lines of a duplicate.
    let mut lines_of: BTreeMap<String, usize> = BTreeMap::new();
    let mut previous: Option<String> = None;
    for (i, raw) in body.split('\n').enumerate() {
        let n = i + 1;
        let line = match raw.strip_suffix('\r') {
            Some(l) => {
                notes.insert(Difference::WindowsLineEnds);
                l
            }
            None => raw,
        };
        let trimmed = line.trim();
        if trimmed.len() != line.len() {
            notes.insert(Difference::ExtraWhiteSpace);
        }
        if trimmed.is_empty() {
            notes.insert(Difference::ExtraWhiteSpace);
            continue;
        }
        if trimmed.starts_with("```") {
            notes.insert(Difference::CodeFences);
            continue;
        }
        let Some(list) = ballots.as_mut() else {
            let (header, spaced) = parse_header(trimmed, n)?;
            if spaced {
                notes.insert(Difference::ExtraWhiteSpace);
            }
            ballots = Some(Ballots::new(header));
            continue;
        };
        if trimmed.starts_with(HEADER_TAG) {
            return Err(Error::BadLine {
                line: n,
                reason: "a second header line".to_string(),
            });
        }
        let bad = |reason: String| Error::BadLine { line: n, reason };
        let (id, rest) = match trimmed.split_once('\t') {
            Some((id, rest)) => {
                if id.len() != id.trim_end().len() || rest.len() != rest.trim_start().len() {
                    notes.insert(Difference::ExtraWhiteSpace);
                }
                (id.trim_end(), rest.trim_start())
            }
            None => match trimmed.split_once(char::is_whitespace) {
                Some((id, rest)) => {
                    notes.insert(Difference::SpacesForTabs);
                    (id, rest.trim_start())
                }
                None => {
                    return Err(bad(
                        "expected `<ballot id><TAB><choices>`, e.g. `7a9b31…<TAB>1,3`".to_string(),
                    ))
                }
            },
        };
        if let Some(reason) = ballot_id_problem(id) {
            return Err(bad(reason.to_string()));
        }
        if rest.contains('\t') {
            return Err(bad(
                "more than two fields (expected `<ballot id><TAB><choices>`)".to_string(),
            ));
        }
        let mut choices = Vec::new();
        let mut canonical_form = true;
        for part in rest.split(',') {
            let p = part.trim();
            if p.len() != part.len() {
                canonical_form = false;
            }
            if p.is_empty() {
                return Err(bad(format!(
                    "empty choice in `{rest}` (expected option numbers separated by commas, e.g. `1,3`)"
                )));
            }
            if !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(format!(
                    "`{p}` is not an option number (expected option numbers separated by commas, e.g. `1,3`)"
                )));
            }
            if p.len() > 1 && p.starts_with('0') {
                canonical_form = false;
            }
            let Ok(c) = p.parse::<u32>() else {
                return Err(bad(format!("`{p}` is not an option number (too large)")));
            };
            choices.push(c);
        }
        if choices.windows(2).any(|w| w[0] > w[1]) {
            canonical_form = false;
        }
        if !canonical_form {
            notes.insert(Difference::ChoicesFormat);
        }
        let checked = check_choices(list.header(), choices).map_err(bad)?;
        if let Some(&first) = lines_of.get(id) {
            return Err(Error::Duplicate {
                line: n,
                first,
                id: id.to_string(),
            });
        }
        if previous.as_deref().is_some_and(|p| p > id) {
            notes.insert(Difference::Unsorted);
        }
        previous = Some(id.to_string());
        lines_of.insert(id.to_string(), n);
        list.ballots.insert(id.to_string(), checked);
    }
    match ballots {
        Some(b) => Ok((b, notes.into_iter().collect())),
        None => Err(Error::MissingHeader),
    }
}

/// Reads the header line (trimmed); `true` when its fields were separated
/// by something other than single spaces.
fn parse_header(line: &str, n: usize) -> Result<(Header, bool), Error> {
    let bad = |reason: String| Error::BadHeader { line: n, reason };
    let expected = "expected `#vigie-poll v1 poll=<id> options=<n> multi=<m>`";
    if !line.starts_with(HEADER_TAG) {
        return Err(bad(format!(
            "the list must start with its header line: {expected}"
        )));
    }
    let fields: Vec<&str> = line.split_whitespace().collect();
    let spaced = fields.join(" ") != line;
    if fields.len() != 5 || fields[0] != HEADER_TAG {
        return Err(bad(expected.to_string()));
    }
    if fields[1] != FORMAT_VERSION {
        return Err(bad(format!(
            "unknown format version `{}` (this reader knows {FORMAT_VERSION})",
            fields[1]
        )));
    }
    let value = |field: &str, key: &str| -> Result<String, Error> {
        field
            .strip_prefix(key)
            .and_then(|f| f.strip_prefix('='))
            .map(str::to_string)
            .ok_or_else(|| {
                bad(format!(
                    "expected `{key}=…` in place of `{field}`; {expected}"
                ))
            })
    };
    let number = |field: &str, key: &str| -> Result<u32, Error> {
        let v = value(field, key)?;
        if v.is_empty()
            || !v.bytes().all(|b| b.is_ascii_digit())
            || (v.len() > 1 && v.starts_with('0'))
        {
            return Err(bad(format!("`{key}` must be a whole number, not `{v}`")));
        }
        v.parse::<u32>()
            .map_err(|_| bad(format!("`{key}` is too large: {v}")))
    };
    let poll = value(fields[2], "poll")?;
    let options = number(fields[3], "options")?;
    let multi = number(fields[4], "multi")?;
    let header = Header {
        poll,
        options,
        multi,
    };
    if let Some(reason) = header.problem() {
        return Err(bad(reason));
    }
    Ok((header, spaced))
}

/// The outcome of a tally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// No ballot chose anything.
    NoVotes,
    /// One option has the most votes.
    Winner {
        /// The option (1-based).
        option: u32,
        /// Its votes.
        votes: u64,
    },
    /// Several options share the most votes.
    Tie {
        /// The options (1-based), in increasing order.
        options: Vec<u32>,
        /// The votes each has.
        votes: u64,
    },
}

/// The counts of a ballot list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// The poll's id, from the header.
    pub poll: String,
    /// Number of options.
    pub options: u32,
    /// Most choices per ballot.
    pub multi: u32,
    /// Number of ballots.
    pub ballots: u64,
    /// `counts[k - 1]`: ballots that chose option `k`.
    pub counts: Vec<u64>,
}

impl Tally {
    /// Ballots that chose `option` (1-based; 0 when it is not an option).
    pub fn votes(&self, option: u32) -> u64 {
        option
            .checked_sub(1)
            .and_then(|k| self.counts.get(k as usize))
            .copied()
            .unwrap_or(0)
    }

    /// The share of ballots that chose `option`, in tenths of a percent.
    pub fn percent_tenths(&self, option: u32) -> u64 {
        percent_tenths(self.votes(option), self.ballots)
    }

    /// Winner, tie or no votes.
    pub fn outcome(&self) -> Outcome {
        let best = self.counts.iter().copied().max().unwrap_or(0);
        if best == 0 {
            return Outcome::NoVotes;
        }
        let top: Vec<u32> = (1..=self.options)
            .filter(|&k| self.votes(k) == best)
            .collect();
        match top.as_slice() {
            [one] => Outcome::Winner {
                option: *one,
                votes: best,
            },
            _ => Outcome::Tie {
                options: top,
                votes: best,
            },
        }
    }
}

/// Counts the ballots.
pub fn count(ballots: &Ballots) -> Tally {
    let h = ballots.header();
    let mut counts = vec![0u64; h.options as usize];
    for (_, choices) in ballots.iter() {
        for &c in choices {
            if let Some(slot) = c.checked_sub(1).and_then(|k| counts.get_mut(k as usize)) {
                *slot += 1;
            }
        }
    }
    Tally {
        poll: h.poll.clone(),
        options: h.options,
        multi: h.multi,
        ballots: ballots.len() as u64,
        counts,
    }
}

/// What [`verify`] found: the list is the published one, and its counts.
/// Its `Display` is what `vigie verify-poll` prints: several lines, each
/// ended by a newline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The published hash the list has (lower-case hex).
    pub hash: String,
    /// The counts recomputed from the list.
    pub tally: Tally,
    /// True when the text given was exactly the canonical text.
    pub exact: bool,
    /// How the text given differs from the canonical text, in ways that do
    /// not change the list (empty when `exact`).
    pub differences: Vec<Difference>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.tally;
        writeln!(
            f,
            "poll {}: the ballot list is the published one (SHA-256 {})",
            t.poll, self.hash
        )?;
        if !self.exact {
            let how: Vec<String> = self.differences.iter().map(|d| d.to_string()).collect();
            if how.is_empty() {
                writeln!(f, "  (the file is the published list written another way)")?;
            } else {
                writeln!(
                    f,
                    "  (the file is the published list written another way: {})",
                    how.join("; ")
                )?;
            }
        }
        writeln!(
            f,
            "{} ballot{}, {} options, up to {} choice{} per ballot",
            t.ballots,
            if t.ballots == 1 { "" } else { "s" },
            t.options,
            t.multi,
            if t.multi == 1 { "" } else { "s" }
        )?;
        let width = t.options.to_string().len();
        let vwidth = t
            .counts
            .iter()
            .max()
            .copied()
            .unwrap_or(0)
            .to_string()
            .len();
        for k in 1..=t.options {
            let v = t.votes(k);
            let p = t.percent_tenths(k);
            let pct = format!("{}.{}", p / 10, p % 10);
            writeln!(
                f,
                "option {k:>width$}: {v:>vwidth$} vote{} {pct:>5}%  {}",
                if v == 1 { " " } else { "s" },
                bar(v, t.ballots, 10)
            )?;
        }
        match t.outcome() {
            Outcome::NoVotes => writeln!(f, "no votes: no winner")?,
            Outcome::Winner { option, votes } => writeln!(
                f,
                "winner: option {option} with {votes} vote{}",
                if votes == 1 { "" } else { "s" }
            )?,
            Outcome::Tie { options, votes } => {
                let list: Vec<String> = options.iter().map(u32::to_string).collect();
                writeln!(
                    f,
                    "tie: options {} with {votes} vote{} each",
                    list.join(", "),
                    if votes == 1 { "" } else { "s" }
                )?
            }
        }
        if t.multi > 1 && t.ballots > 0 {
            writeln!(
                f,
                "(percentages are shares of the {} ballots; a ballot may choose up to {} options, \
                 so they can add up to more than 100%)",
                t.ballots, t.multi
            )?;
        }
        Ok(())
    }
}

/// Checks a published ballot list: first that it is the published one (the
/// SHA-256 of the text, or of the list it reads written canonically, is
/// `expected_hash_hex`), then recomputes the counts. A list that is not the
/// published one is an error ([`Error::HashMismatch`]), never other counts.
///
/// The text is normally the canonical text itself. A copy whose form
/// changed (CR LF, tabs turned into spaces, code fences, blank lines…) is
/// accepted only when the list it reads has the published hash;
/// [`Report::differences`] says what differed. Hex is accepted in either
/// case.
pub fn verify(text: &str, expected_hash_hex: &str) -> Result<Report, Error> {
    let expected = expected_hash_hex.trim().to_ascii_lowercase();
    if expected.len() != 64 || !expected.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::BadExpectedHash(format!(
            "the published hash must be 64 hexadecimal characters, not {:?}",
            expected_hash_hex.trim()
        )));
    }
    let as_given = hash(text);
    if as_given == expected {
        // The published text itself (it should be canonical; if it is not,
        // say how it differs).
        let (ballots, notes) = parse_noting(text)?;
        let exact = ballots.canonical() == text;
        return Ok(Report {
            hash: expected,
            tally: count(&ballots),
            exact,
            differences: if exact { Vec::new() } else { notes },
        });
    }
    let read = parse_noting(text);
    let (ballots, differences) = match read {
        Ok(found) => found,
        Err(e) => {
            return Err(Error::HashMismatch {
                expected,
                computed: as_given,
                read: Some(Box::new(e)),
                ballots: None,
            })
        }
    };
    let canonical_hash = ballots.hash();
    if canonical_hash == expected {
        return Ok(Report {
            hash: expected,
            tally: count(&ballots),
            exact: false,
            differences,
        });
    }
    Err(Error::HashMismatch {
        expected,
        computed: canonical_hash,
        read: None,
        ballots: Some(ballots.len()),
    })
}

/// Why a list could not be read or verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The published hash given is not 64 hex characters.
    BadExpectedHash(String),
    /// The list is not the published one: neither the text nor the list it
    /// reads (written canonically) has the published SHA-256.
    HashMismatch {
        /// The published hash.
        expected: String,
        /// SHA-256 of the list read, written canonically (of the text as
        /// given when it could not be read).
        computed: String,
        /// Why the text could not be read as a list, when it could not.
        read: Option<Box<Error>>,
        /// Ballots read, when it could be read.
        ballots: Option<usize>,
    },
    /// No header line (the text is empty, or only blank lines).
    MissingHeader,
    /// The header line is wrong.
    BadHeader {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A ballot line is wrong.
    BadLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The same ballot id on two lines.
    Duplicate {
        /// 1-based line number of the second one.
        line: usize,
        /// 1-based line number of the first one.
        first: usize,
        /// The ballot id.
        id: String,
    },
    /// A header or ballot built in code is wrong ([`Header::new`],
    /// [`Ballots::insert`]).
    Invalid(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadExpectedHash(why) => write!(f, "bad hash: {why}"),
            Error::HashMismatch {
                expected,
                computed,
                read,
                ballots,
            } => {
                write!(f, "the ballot list is not the published one: ")?;
                match (read, ballots) {
                    (Some(e), _) => write!(
                        f,
                        "its SHA-256 is {computed}, the poll published {expected}, and it cannot \
                         be read as a ballot list ({e})"
                    )?,
                    (None, Some(n)) => write!(
                        f,
                        "the {n} ballot{} read have SHA-256 {computed}, the poll published \
                         {expected}",
                        if *n == 1 { "" } else { "s" }
                    )?,
                    (None, None) => write!(
                        f,
                        "its SHA-256 is {computed}, the poll published {expected}"
                    )?,
                }
                write!(
                    f,
                    ". Copy the list again from the results announcement, or ask for it with \
                     `!poll ballots #n`; no counts are computed from a list that is not the \
                     published one"
                )
            }
            Error::MissingHeader => write!(
                f,
                "no ballot list: expected a first line `#vigie-poll v1 poll=<id> options=<n> multi=<m>`"
            ),
            Error::BadHeader { line, reason } => write!(f, "line {line}: {reason}"),
            Error::BadLine { line, reason } => write!(f, "line {line}: {reason}"),
            Error::Duplicate { line, first, id } => write!(
                f,
                "line {line}: ballot id {id} appears twice (first on line {first}): one ballot per voter"
            ),
            Error::Invalid(why) => write!(f, "{why}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests;
