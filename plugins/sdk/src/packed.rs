//! The packed form of a batch of events, as `handle-packed` receives it.
//!
//! Lowering a `list<event>` through the component model calls the guest's
//! allocator once per string (a dozen per event); one byte string costs one
//! call. The layout (all integers little-endian; `docs/packed-events.md`
//! tells the same):
//!
//! ```text
//! batch  = "VP" version:u8 count:u32 event*
//! event  = id:str kind:u8 platform:str community:str channel:str
//!          author-id:str author-name:str roles:u32 str* age:opt-u32 staff:u8
//!          text:str reply-to:opt-str reaction:opt-str target-message:opt-str
//!          timestamp-ms:i64 labels:u32 label* earlier-actions:u32 u8*
//! label  = key:str value:f64 note:opt-str plugin:str
//! str    = len:u32 utf-8 bytes
//! opt-X  = 0 | 1 X
//! ```
//!
//! Event and action kinds are numbered in the order `types.wit` declares
//! them. The host writes it (`vigie::runtime::packed`); this module reads it
//! and also writes it, so the two are tested against each other.

use crate::{ActionKind, Author, Event, EventKind, Label};

/// The first bytes of a packed batch.
pub const MAGIC: &[u8; 2] = b"VP";
/// The layout version this SDK reads.
pub const VERSION: u8 = 1;

/// Event kinds in the order `types.wit` declares them.
pub const EVENT_KINDS: [EventKind; 10] = [
    EventKind::Message,
    EventKind::Edit,
    EventKind::Deletion,
    EventKind::Reaction,
    EventKind::Join,
    EventKind::Leave,
    EventKind::Follow,
    EventKind::Mention,
    EventKind::DirectMessage,
    EventKind::Report,
];

/// Action kinds in the order `types.wit` declares them.
pub const ACTION_KINDS: [ActionKind; 12] = [
    ActionKind::Delete,
    ActionKind::Reply,
    ActionKind::Post,
    ActionKind::React,
    ActionKind::Timeout,
    ActionKind::Kick,
    ActionKind::Ban,
    ActionKind::Flag,
    ActionKind::Label,
    ActionKind::Alert,
    ActionKind::DirectMessage,
    ActionKind::Stop,
];

/// Reads a packed batch one event at a time into an [`Event`] the caller
/// keeps, reusing its strings: in steady state a plugin call allocates
/// nothing to read its events.
pub struct Batch<'a> {
    r: Reader<'a>,
    left: usize,
}

impl<'a> Batch<'a> {
    /// Checks the header of a packed batch.
    pub fn open(bytes: &'a [u8]) -> Result<Batch<'a>, String> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(2)? != MAGIC {
            return Err("not a packed batch of events".into());
        }
        let version = r.u8()?;
        if version != VERSION {
            return Err(format!(
                "packed batch version {version}; this SDK reads {VERSION}"
            ));
        }
        let left = r.u32()? as usize;
        Ok(Batch { r, left })
    }

    /// How many events are left to read.
    pub fn len(&self) -> usize {
        self.left
    }

    /// Whether every event has been read.
    pub fn is_empty(&self) -> bool {
        self.left == 0
    }

    /// Reads the next event into `event` (every field is overwritten);
    /// `false` once all have been read and the batch ended where it should.
    pub fn next_into(&mut self, event: &mut Event) -> Result<bool, String> {
        if self.left == 0 {
            if self.r.at != self.r.bytes.len() {
                return Err(format!(
                    "packed batch has {} bytes after its last event",
                    self.r.bytes.len() - self.r.at
                ));
            }
            return Ok(false);
        }
        self.left -= 1;
        self.r.event_into(event)?;
        Ok(true)
    }
}

/// An event with every field empty, to read into.
pub fn blank_event() -> Event {
    Event {
        id: String::new(),
        kind: EventKind::Message,
        platform: String::new(),
        community: String::new(),
        channel: String::new(),
        author: Author {
            id: String::new(),
            name: String::new(),
            roles: Vec::new(),
            account_age_days: None,
            is_staff: false,
        },
        text: String::new(),
        reply_to: None,
        reaction: None,
        target_message: None,
        timestamp_ms: 0,
        labels: Vec::new(),
        earlier_actions: Vec::new(),
    }
}

/// Reads a whole packed batch.
pub fn decode(bytes: &[u8]) -> Result<Vec<Event>, String> {
    let mut batch = Batch::open(bytes)?;
    // An event takes at least 53 bytes: a lying count cannot make us
    // reserve much.
    let mut events = Vec::with_capacity(batch.len().min(bytes.len() / 53 + 1));
    loop {
        let mut event = blank_event();
        if !batch.next_into(&mut event)? {
            return Ok(events);
        }
        events.push(event);
    }
}

/// Writes a packed batch (the host's encoder does the same with its own
/// types; this one serves tests and other hosts written in Rust).
pub fn encode(events: &[Event]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.extend_from_slice(&(events.len() as u32).to_le_bytes());
    for e in events {
        let mut w = Writer(&mut out);
        w.str(&e.id);
        w.u8(EVENT_KINDS.iter().position(|k| *k == e.kind).unwrap_or(0) as u8);
        w.str(&e.platform);
        w.str(&e.community);
        w.str(&e.channel);
        w.str(&e.author.id);
        w.str(&e.author.name);
        w.u32(e.author.roles.len() as u32);
        for role in &e.author.roles {
            w.str(role);
        }
        match e.author.account_age_days {
            Some(days) => {
                w.u8(1);
                w.u32(days);
            }
            None => w.u8(0),
        }
        w.u8(e.author.is_staff as u8);
        w.str(&e.text);
        w.opt_str(e.reply_to.as_deref());
        w.opt_str(e.reaction.as_deref());
        w.opt_str(e.target_message.as_deref());
        w.0.extend_from_slice(&e.timestamp_ms.to_le_bytes());
        w.u32(e.labels.len() as u32);
        for l in &e.labels {
            w.str(&l.key);
            w.0.extend_from_slice(&l.value.to_le_bytes());
            w.opt_str(l.note.as_deref());
            w.str(&l.plugin);
        }
        w.u32(e.earlier_actions.len() as u32);
        for kind in &e.earlier_actions {
            w.u8(ACTION_KINDS.iter().position(|k| k == kind).unwrap_or(0) as u8);
        }
    }
    out
}

struct Writer<'a>(&'a mut Vec<u8>);

impl Writer<'_> {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
            None => self.u8(0),
        }
    }
}

/// The bytes as text, if they are UTF-8. Most strings of an event are
/// short and ASCII: a branch-free pass, eight bytes at a time, settles
/// those for a fraction of what the general check costs per call.
#[inline(always)]
fn utf8(bytes: &[u8]) -> Option<&str> {
    let words = bytes.chunks_exact(8);
    let tail = words
        .remainder()
        .iter()
        .fold(0u64, |seen, &b| seen | b as u64);
    let seen = words.fold(tail, |seen, w| {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        seen | u64::from_le_bytes(word)
    });
    if seen & 0x8080_8080_8080_8080 == 0 {
        // SAFETY: ASCII is UTF-8.
        return Some(unsafe { std::str::from_utf8_unchecked(bytes) });
    }
    std::str::from_utf8(bytes).ok()
}

/// Why a batch could not be read, and where. Small and `Copy` so that the
/// readers of single fields, which run a dozen times per event, stay small
/// enough to inline (in WASM a `String` error made each one a call); it
/// becomes a message only when a batch is refused.
#[derive(Clone, Copy, Debug)]
enum Bad {
    CutShort { at: usize },
    Flag { value: u8, at: usize },
    NotUtf8 { at: usize },
    Count { n: usize, at: usize },
    EventKind,
    ActionKind,
}

impl std::fmt::Display for Bad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Bad::CutShort { at } => write!(f, "packed batch cut short at byte {at}"),
            Bad::Flag { value, at } => write!(f, "bad flag {value} at byte {at}"),
            Bad::NotUtf8 { at } => write!(f, "string at byte {at} is not UTF-8"),
            Bad::Count { n, at } => write!(f, "count {n} at byte {at} runs past the end"),
            Bad::EventKind => f.write_str("unknown event kind"),
            Bad::ActionKind => f.write_str("unknown action kind"),
        }
    }
}

impl From<Bad> for String {
    fn from(bad: Bad) -> String {
        bad.to_string()
    }
}

/// `a == b`, without a call to `bcmp` for the short strings most fields
/// hold (in WASM every call is a real one): up to 16 bytes are compared as
/// two overlapping words from each end.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    fn word<const N: usize>(s: &[u8], at: usize) -> [u8; N] {
        let mut w = [0u8; N];
        w.copy_from_slice(&s[at..at + N]);
        w
    }
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4),
        8..=16 => word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, n - 8) == word::<8>(b, n - 8),
        _ => a == b,
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    #[inline(always)]
    fn take(&mut self, n: usize) -> Result<&'a [u8], Bad> {
        match self.bytes.get(self.at..).and_then(|rest| rest.get(..n)) {
            Some(slice) => {
                self.at += n;
                Ok(slice)
            }
            None => Err(Bad::CutShort { at: self.at }),
        }
    }
    #[inline(always)]
    fn array<const N: usize>(&mut self) -> Result<[u8; N], Bad> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
    #[inline(always)]
    fn u8(&mut self) -> Result<u8, Bad> {
        Ok(self.take(1)?[0])
    }
    #[inline(always)]
    fn u32(&mut self) -> Result<u32, Bad> {
        self.array().map(u32::from_le_bytes)
    }
    #[inline(always)]
    fn flag(&mut self) -> Result<bool, Bad> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            value => Err(Bad::Flag {
                value,
                at: self.at - 1,
            }),
        }
    }
    /// Overwrites `out` with the next string, keeping its allocation. Many
    /// fields repeat from one event to the next (platform, community,
    /// channel, roles); those are left as they are, which in WASM also
    /// saves a `memory.copy` (a call out to the engine) per field.
    #[inline(always)]
    fn str_into(&mut self, out: &mut String) -> Result<(), Bad> {
        let len = self.u32()? as usize;
        let at = self.at;
        let bytes = self.take(len)?;
        if same_bytes(out.as_bytes(), bytes) {
            return Ok(());
        }
        let text = utf8(bytes).ok_or(Bad::NotUtf8 { at })?;
        out.clear();
        out.push_str(text);
        Ok(())
    }
    #[inline(always)]
    fn opt_str_into(&mut self, out: &mut Option<String>) -> Result<(), Bad> {
        if self.flag()? {
            self.str_into(out.get_or_insert_with(String::new))
        } else {
            *out = None;
            Ok(())
        }
    }
    #[inline(always)]
    fn count(&mut self) -> Result<usize, Bad> {
        let n = self.u32()? as usize;
        // Every element takes at least one byte.
        if n > self.bytes.len() - self.at {
            return Err(Bad::Count { n, at: self.at });
        }
        Ok(n)
    }
    /// Overwrites `out` with the next `count` items read by `read`, reusing
    /// the items already there.
    #[inline(always)]
    fn list_into<T>(
        &mut self,
        out: &mut Vec<T>,
        blank: impl Fn() -> T,
        read: impl Fn(&mut Self, &mut T) -> Result<(), Bad>,
    ) -> Result<(), Bad> {
        let n = self.count()?;
        out.truncate(n);
        for i in 0..n {
            if i == out.len() {
                out.push(blank());
            }
            read(self, &mut out[i])?;
        }
        Ok(())
    }
    fn event_into(&mut self, e: &mut Event) -> Result<(), Bad> {
        self.str_into(&mut e.id)?;
        e.kind = *EVENT_KINDS.get(self.u8()? as usize).ok_or(Bad::EventKind)?;
        self.str_into(&mut e.platform)?;
        self.str_into(&mut e.community)?;
        self.str_into(&mut e.channel)?;
        self.str_into(&mut e.author.id)?;
        self.str_into(&mut e.author.name)?;
        self.list_into(&mut e.author.roles, String::new, Self::str_into)?;
        e.author.account_age_days = if self.flag()? {
            Some(self.u32()?)
        } else {
            None
        };
        e.author.is_staff = self.flag()?;
        self.str_into(&mut e.text)?;
        self.opt_str_into(&mut e.reply_to)?;
        self.opt_str_into(&mut e.reaction)?;
        self.opt_str_into(&mut e.target_message)?;
        e.timestamp_ms = i64::from_le_bytes(self.array()?);
        self.list_into(
            &mut e.labels,
            || Label {
                key: String::new(),
                value: 0.0,
                note: None,
                plugin: String::new(),
            },
            |r, label| {
                r.str_into(&mut label.key)?;
                label.value = f64::from_le_bytes(r.array()?);
                r.opt_str_into(&mut label.note)?;
                r.str_into(&mut label.plugin)
            },
        )?;
        self.list_into(
            &mut e.earlier_actions,
            || ActionKind::Delete,
            |r, kind| {
                *kind = *ACTION_KINDS.get(r.u8()? as usize).ok_or(Bad::ActionKind)?;
                Ok(())
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_event;

    fn rich_event(kind: EventKind) -> Event {
        let mut e = test_event("e-1", "u-é", "Qu'est-ce que c'est ? 😊");
        e.kind = kind;
        e.author.roles = vec!["vip".into(), "membre".into()];
        e.author.account_age_days = None;
        e.author.is_staff = true;
        e.reply_to = Some("e-0".into());
        e.target_message = Some(String::new());
        e.timestamp_ms = -5;
        e.labels = vec![Label {
            key: "sentiment".into(),
            value: -0.25,
            note: Some("négatif".into()),
            plugin: "sentiment".into(),
        }];
        e.earlier_actions = ACTION_KINDS.to_vec();
        e
    }

    #[test]
    fn every_field_and_kind_survives_a_round_trip() {
        let events: Vec<Event> = EVENT_KINDS.iter().map(|&k| rich_event(k)).collect();
        assert_eq!(decode(&encode(&events)).unwrap(), events);
        assert_eq!(decode(&encode(&[])).unwrap(), Vec::<Event>::new());
    }

    #[test]
    fn a_reused_event_keeps_nothing_of_the_one_before() {
        let rich = rich_event(EventKind::Report);
        let plain = test_event("e-2", "u-2", "ok");
        let bytes = encode(&[rich.clone(), plain.clone(), rich.clone()]);
        let mut batch = Batch::open(&bytes).unwrap();
        assert_eq!(batch.len(), 3);
        let mut event = blank_event();
        for expected in [&rich, &plain, &rich] {
            assert!(batch.next_into(&mut event).unwrap());
            assert_eq!(&event, expected);
        }
        assert!(!batch.next_into(&mut event).unwrap());
        assert!(batch.is_empty());
    }

    #[test]
    fn same_bytes_is_slice_equality() {
        let words: Vec<Vec<u8>> = (0..=20usize)
            .flat_map(|n| {
                let base: Vec<u8> = (0..n as u8).map(|i| b'a' + i).collect();
                let mut variants = vec![base.clone()];
                for at in 0..n {
                    let mut v = base.clone();
                    v[at] ^= 1;
                    variants.push(v);
                }
                variants
            })
            .collect();
        for a in &words {
            for b in &words {
                assert_eq!(same_bytes(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn text_is_checked_whether_ascii_or_not() {
        assert_eq!(utf8(b""), Some(""));
        assert_eq!(utf8(b"plain ascii"), Some("plain ascii"));
        assert_eq!(utf8("Zoé ! 😊".as_bytes()), Some("Zoé ! 😊"));
        assert_eq!(utf8(b"caf\xc3"), None);
        assert_eq!(utf8(b"\xff ascii after"), None);
        // A non-ASCII byte is noticed wherever it is, in a word or the tail.
        for n in 1..24 {
            for at in 0..n {
                let mut bytes = vec![b'a'; n];
                bytes[at] = 0xff;
                assert_eq!(utf8(&bytes), None, "{n} {at}");
                let text = format!("{}é{}", "a".repeat(at), "a".repeat(n - at - 1));
                assert_eq!(utf8(text.as_bytes()), Some(text.as_str()));
            }
        }
        let mut bytes = encode(&[test_event("e", "u", "ok")]);
        let at = bytes.len() - 8 - 4 - 4 - 3 - 2; // inside the text "ok"
        bytes[at] = 0xff;
        assert!(decode(&bytes).unwrap_err().contains("not UTF-8"));
    }

    #[test]
    fn damaged_batches_are_refused_not_misread() {
        let bytes = encode(&[rich_event(EventKind::Message)]);
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut} was accepted");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer)
            .unwrap_err()
            .contains("after its last event"));
        let mut future = bytes.clone();
        future[2] = VERSION + 1;
        assert!(decode(&future).unwrap_err().contains("version"));
        let mut lying = bytes;
        lying[3..7].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&lying).is_err());
    }
}
