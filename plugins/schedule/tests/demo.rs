//! The demo's events (`examples/demo/events.jsonl`) through the plugin with
//! the config proposed for the demo, ticked as a host fed from a file ticks
//! (at each minute boundary an event crosses): each scheduled post goes out
//! once, on time, in each community; nothing else is said.

mod common;

use common::{as_the_host_ticks, demo_events, Step, DEMO_CONFIG};
use schedule::Schedule;
use std::collections::BTreeMap;
use vigie_sdk::{Action, Plugin, TestHost};

#[test]
fn the_demo_posts_each_scheduled_post_once_on_time() {
    let steps = as_the_host_ticks(demo_events(), 60_000, None);
    let mut hosts: BTreeMap<String, TestHost> = BTreeMap::new();
    let mut posted: Vec<(String, i64, String, String, String)> = Vec::new();
    for step in &steps {
        let mut plugin = Schedule::configure(DEMO_CONFIG).unwrap();
        let (community, actions, at) = match step {
            Step::Event(e) => {
                let host = hosts.entry(e.community.clone()).or_default();
                host.now_ms = e.timestamp_ms;
                (
                    e.community.clone(),
                    plugin.handle(host, e).unwrap(),
                    e.timestamp_ms,
                )
            }
            Step::Tick(c, t) => {
                let host = hosts.entry(c.clone()).or_default();
                host.now_ms = *t;
                (c.clone(), plugin.tick(host, *t).unwrap(), *t)
            }
        };
        for a in actions {
            match a {
                Action::Post(p) => {
                    posted.push((community.clone(), at, p.channel, p.text, p.reason))
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    let summary: Vec<(String, String)> = posted
        .iter()
        .map(|(c, _, _, _, r)| (c.clone(), r.clone()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "acme".to_string(),
                "scheduled post degustation (2026-11-22 10:30 Europe/Paris)".to_string()
            ),
            (
                "acme-en".to_string(),
                "scheduled post degustation (2026-11-22 10:30 Europe/Paris)".to_string()
            ),
            (
                "acme".to_string(),
                "scheduled post brunch-dimanche (2026-11-22 10:45 Europe/Paris)".to_string()
            ),
        ]
    );
    // At the first tick at or after the time (09:30 and 09:45 UTC).
    let at = |s: &str| vigie_testkit::rfc3339_ms(s);
    assert_eq!(posted[0].1, at("2026-11-22T09:30:00Z"));
    assert_eq!(posted[2].1, at("2026-11-22T09:45:00Z"));
    assert_eq!(
        posted[2].3,
        "🥐 Le menu du brunch du dimanche est en ligne.\n\n🥐 This Sunday's brunch menu is online."
    );
    // Member messages were tracked per channel.
    let acme = hosts.get_mut("acme").unwrap();
    for channel in ["general", "support", "concours"] {
        assert!(
            schedule::store::channel_activity(acme, channel).is_some(),
            "{channel}"
        );
    }
}
