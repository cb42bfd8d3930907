//! Writes a batch of events in the packed form `handle-packed` takes (the
//! layout is in `docs/packed-events.md`; `vigie_sdk::packed` reads it).
//!
//! One byte string crosses into the guest with one allocation, where a
//! `list<event>` needs one per string: for the demo chain that is most of
//! what a plugin call costs besides the plugin's own work.

use super::wit::{ActionKind, EventKind};
use super::EventView;

/// The name of the exported interface that carries `handle-packed`.
pub const INTERFACE: &str = "vigie:plugin/packed@0.1.0";
/// The function, inside [`INTERFACE`].
pub const FUNCTION: &str = "handle-packed";

const MAGIC: &[u8; 2] = b"VP";
const VERSION: u8 = 1;

/// The number `types.wit` gives the kind (its position in the enum).
fn event_kind(kind: EventKind) -> u8 {
    match kind {
        EventKind::Message => 0,
        EventKind::Edit => 1,
        EventKind::Deletion => 2,
        EventKind::Reaction => 3,
        EventKind::Join => 4,
        EventKind::Leave => 5,
        EventKind::Follow => 6,
        EventKind::Mention => 7,
        EventKind::DirectMessage => 8,
        EventKind::Report => 9,
    }
}

fn action_kind(kind: ActionKind) -> u8 {
    match kind {
        ActionKind::Delete => 0,
        ActionKind::Reply => 1,
        ActionKind::Post => 2,
        ActionKind::React => 3,
        ActionKind::Timeout => 4,
        ActionKind::Kick => 5,
        ActionKind::Ban => 6,
        ActionKind::Flag => 7,
        ActionKind::Label => 8,
        ActionKind::Alert => 9,
        ActionKind::DirectMessage => 10,
        ActionKind::Stop => 11,
    }
}

/// Writes `events` into `out` (cleared first, so a buffer can be reused).
pub fn encode(events: &[EventView<'_>], out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    put_u32(out, events.len());
    for view in events {
        let e = view.event;
        put_str(out, &e.id);
        out.push(event_kind(e.kind.into()));
        put_str(out, &e.platform);
        put_str(out, &e.community);
        put_str(out, &e.channel);
        put_str(out, &e.author.id);
        put_str(out, &e.author.name);
        put_u32(out, e.author.roles.len());
        for role in &e.author.roles {
            put_str(out, role);
        }
        match e.author.account_age_days {
            Some(days) => {
                out.push(1);
                out.extend_from_slice(&days.to_le_bytes());
            }
            None => out.push(0),
        }
        out.push(e.author.is_staff as u8);
        put_str(out, &e.text);
        put_opt_str(out, e.reply_to.as_deref());
        put_opt_str(out, e.reaction.as_deref());
        put_opt_str(out, e.target_message.as_deref());
        out.extend_from_slice(&e.timestamp_ms().to_le_bytes());
        put_u32(out, view.labels.len());
        for l in view.labels {
            put_str(out, &l.key);
            out.extend_from_slice(&l.value.to_le_bytes());
            put_opt_str(out, l.note.as_deref());
            put_str(out, &l.plugin);
        }
        put_u32(out, view.earlier_actions.len());
        out.extend(view.earlier_actions.iter().map(|&k| action_kind(k)));
    }
}

/// Lengths and counts are `u32`: an event's strings are far below 4 GiB
/// (the host caps event sizes long before), so the cast cannot truncate.
fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

fn put_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
        None => out.push(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::wit;

    /// The host's writer and the SDK's reader agree on every field and kind.
    #[test]
    fn the_sdk_reads_what_the_host_writes() {
        let kinds = [
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
        let all_actions: Vec<ActionKind> = crate::action::ActionKind::ALL
            .iter()
            .map(|&kind| kind.into())
            .collect();
        let events: Vec<crate::Event> = kinds
            .iter()
            .enumerate()
            .map(|(i, &kind)| crate::Event {
                id: format!("e-{i}"),
                kind: kind.into(),
                platform: "matrix".into(),
                community: "acmé".into(),
                channel: "#général".into(),
                author: crate::event::Author {
                    id: "@u:x".into(),
                    name: "Zoé".into(),
                    roles: vec!["vip".into(); i % 3],
                    account_age_days: (i % 2 == 0).then_some(i as u32),
                    is_staff: i % 2 == 1,
                },
                text: "L'été, c'est « génial » ! 😊".into(),
                reply_to: (i % 2 == 0).then(|| "r".into()),
                reaction: (i % 3 == 0).then(|| "👍".into()),
                target_message: (i % 4 == 0).then(String::new),
                timestamp: time::OffsetDateTime::from_unix_timestamp_nanos(
                    (1_700_000_000_000 - i as i128) * 1_000_000,
                )
                .unwrap(),
                labels: Vec::new(),
            })
            .collect();
        let labels: Vec<Vec<wit::Label>> = (0..kinds.len())
            .map(|i| {
                vec![
                    wit::Label {
                        key: "sentiment".into(),
                        value: -0.5 + i as f64,
                        note: (i % 2 == 0).then(|| "note".into()),
                        plugin: "sentiment".into(),
                    };
                    i % 3
                ]
            })
            .collect();
        let views: Vec<EventView> = events
            .iter()
            .enumerate()
            .map(|(i, event)| EventView {
                event,
                labels: &labels[i],
                earlier_actions: &all_actions[..i],
            })
            .collect();
        let mut bytes = Vec::new();
        encode(&views, &mut bytes);
        // What the packed batch carries is what the record would.
        let events: Vec<wit::Event> = views.iter().map(EventView::to_wit).collect();
        let read = vigie_sdk::packed::decode(&bytes).expect("the SDK reads the host's batch");
        assert_eq!(read.len(), events.len());
        for (host, sdk) in events.iter().zip(&read) {
            assert_eq!(sdk.id, host.id);
            assert_eq!(
                vigie_sdk::packed::EVENT_KINDS[event_kind(host.kind) as usize],
                sdk.kind
            );
            assert_eq!(format!("{:?}", host.kind), format!("{:?}", sdk.kind));
            assert_eq!(
                (&sdk.platform, &sdk.community, &sdk.channel),
                (&host.platform, &host.community, &host.channel)
            );
            assert_eq!(sdk.author.id, host.author.id);
            assert_eq!(sdk.author.name, host.author.name);
            assert_eq!(sdk.author.roles, host.author.roles);
            assert_eq!(sdk.author.account_age_days, host.author.account_age_days);
            assert_eq!(sdk.author.is_staff, host.author.is_staff);
            assert_eq!(sdk.text, host.text);
            assert_eq!(sdk.reply_to, host.reply_to);
            assert_eq!(sdk.reaction, host.reaction);
            assert_eq!(sdk.target_message, host.target_message);
            assert_eq!(sdk.timestamp_ms, host.timestamp_ms);
            assert_eq!(sdk.labels.len(), host.labels.len());
            for (a, b) in sdk.labels.iter().zip(&host.labels) {
                assert_eq!(
                    (&a.key, a.value, &a.note, &a.plugin),
                    (&b.key, b.value, &b.note, &b.plugin)
                );
            }
            let sdk_kinds: Vec<String> = sdk
                .earlier_actions
                .iter()
                .map(|k| format!("{k:?}"))
                .collect();
            let host_kinds: Vec<String> = host
                .earlier_actions
                .iter()
                .map(|k| format!("{k:?}"))
                .collect();
            assert_eq!(sdk_kinds, host_kinds);
        }
        // Reusing the buffer starts over.
        encode(&views[..1], &mut bytes);
        assert_eq!(vigie_sdk::packed::decode(&bytes).unwrap().len(), 1);
    }
}
