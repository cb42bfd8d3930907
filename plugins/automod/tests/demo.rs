//! The bare plugin (`{}`) on the demo events of `examples/demo/events.jsonl`:
//! prints which events get which actions and checks that the insults and the
//! spam are caught and nothing else is.

use automod::Automod;
use std::collections::{BTreeMap, BTreeSet};
use vigie_sdk::{Action, Plugin, TestHost};

fn describe(a: &Action) -> String {
    match a {
        Action::Delete(d) => format!("delete {} ({})", d.message_id, d.reason),
        Action::Reply(r) => format!("reply to {}: {}", r.to_message, r.text),
        Action::Post(p) => format!("post in #{}: {}", p.channel, p.text),
        Action::Timeout(t) => format!("timeout {} {} s", t.user_id, t.duration_s),
        Action::Kick(k) => format!("kick {}", k.user_id),
        Action::Ban(b) => format!("ban {} {:?}", b.user_id, b.duration_s),
        Action::Flag(f) => format!("flag {}", f.message_id),
        Action::Label(l) => format!("label {}={}", l.key, l.value),
        other => format!("{other:?}"),
    }
}

#[test]
fn demo_events_with_the_bare_config() {
    let mut plugin = Automod::configure("{}").unwrap();
    // The key-value store is scoped per community.
    let mut hosts: BTreeMap<String, TestHost> = BTreeMap::new();
    let mut caught = BTreeSet::new();
    let mut count = 0;
    for ev in vigie_testkit::demo_events() {
        count += 1;
        let host = hosts.entry(ev.community.clone()).or_default();
        host.now_ms = ev.timestamp_ms;
        let actions = plugin.handle(host, &ev).unwrap();
        if !actions.is_empty() {
            println!("{} {:?} {:?}", ev.id, ev.author.id, ev.text);
            for a in &actions {
                println!("    {}", describe(a));
            }
            caught.insert(ev.id.clone());
        }
    }
    println!("{count} events, {} with actions", caught.len());
    let expected: BTreeSet<String> = [
        "acme-029", "acme-030", "acme-031", "acme-032", // bitcoin link spam, new account
        "acme-035", // bit.ly link, new account
        "en-015",   // discord.gg invite, new account
        "acme-042", // putain
        "acme-046", // c0nnards
        "acme-051", // sale con
        "en-020",   // f.u.c.k
        "en-023",   // idiot, bullsh1t
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(caught, expected);
}
