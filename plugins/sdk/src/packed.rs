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

/// Reads a packed batch.
pub fn decode(bytes: &[u8]) -> Result<Vec<Event>, String> {
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
    let count = r.u32()? as usize;
    // An event takes at least 53 bytes: a lying count cannot make us
    // reserve much.
    let mut events = Vec::with_capacity(count.min(bytes.len() / 53 + 1));
    for _ in 0..count {
        events.push(r.event()?);
    }
    if r.at != bytes.len() {
        return Err(format!(
            "packed batch has {} bytes after its last event",
            bytes.len() - r.at
        ));
    }
    Ok(events)
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

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| format!("packed batch cut short at byte {}", self.at))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, String> {
        self.array().map(u32::from_le_bytes)
    }
    fn flag(&mut self) -> Result<bool, String> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(format!("bad flag {other} at byte {}", self.at - 1)),
        }
    }
    fn str(&mut self) -> Result<String, String> {
        let len = self.u32()? as usize;
        let at = self.at;
        std::str::from_utf8(self.take(len)?)
            .map(str::to_owned)
            .map_err(|_| format!("string at byte {at} is not UTF-8"))
    }
    fn opt_str(&mut self) -> Result<Option<String>, String> {
        Ok(if self.flag()? {
            Some(self.str()?)
        } else {
            None
        })
    }
    fn count(&mut self) -> Result<usize, String> {
        let n = self.u32()? as usize;
        // Every element takes at least one byte.
        if n > self.bytes.len() - self.at {
            return Err(format!("count {n} at byte {} runs past the end", self.at));
        }
        Ok(n)
    }
    fn event(&mut self) -> Result<Event, String> {
        let id = self.str()?;
        let kind = *EVENT_KINDS
            .get(self.u8()? as usize)
            .ok_or("unknown event kind")?;
        let platform = self.str()?;
        let community = self.str()?;
        let channel = self.str()?;
        let author_id = self.str()?;
        let author_name = self.str()?;
        let roles = (0..self.count()?)
            .map(|_| self.str())
            .collect::<Result<_, _>>()?;
        let account_age_days = if self.flag()? {
            Some(self.u32()?)
        } else {
            None
        };
        let is_staff = self.flag()?;
        let text = self.str()?;
        let reply_to = self.opt_str()?;
        let reaction = self.opt_str()?;
        let target_message = self.opt_str()?;
        let timestamp_ms = i64::from_le_bytes(self.array()?);
        let labels = (0..self.count()?)
            .map(|_| {
                Ok(Label {
                    key: self.str()?,
                    value: f64::from_le_bytes(self.array()?),
                    note: self.opt_str()?,
                    plugin: self.str()?,
                })
            })
            .collect::<Result<_, String>>()?;
        let earlier_actions = (0..self.count()?)
            .map(|_| {
                ACTION_KINDS
                    .get(self.u8()? as usize)
                    .copied()
                    .ok_or_else(|| "unknown action kind".to_string())
            })
            .collect::<Result<_, _>>()?;
        Ok(Event {
            id,
            kind,
            platform,
            community,
            channel,
            author: Author {
                id: author_id,
                name: author_name,
                roles,
                account_age_days,
                is_staff,
            },
            text,
            reply_to,
            reaction,
            target_message,
            timestamp_ms,
            labels,
            earlier_actions,
        })
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
