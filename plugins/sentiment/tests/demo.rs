//! Runs the demo events (examples/demo/events.jsonl, the Acme Café
//! communities) through the plugin with the demo config of `acme.toml`,
//! prints every score, and checks that the bad-buzz wave of the broken app
//! update (acme-038..acme-050, en-018..en-024) raises an alert in each
//! community, and nothing else does.

mod common;

use std::collections::BTreeMap;

use common::{acme_config, event, rfc3339_ms};
use sentiment::Sentiment;
use vigie_sdk::{Action, Plugin, TestHost};

#[test]
fn demo_events_scores_and_bad_buzz() {
    let config = acme_config();
    println!("\nacme.toml config: {config}");
    let mut plugin = Sentiment::configure(&config).unwrap();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/demo/events.jsonl"
    );
    let mut hosts: BTreeMap<String, TestHost> = BTreeMap::new();
    let mut alerts = Vec::new();
    let mut labelled = 0;
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let e = event(&serde_json::from_str(line).unwrap());
        let host = hosts.entry(e.community.clone()).or_default();
        host.now_ms = e.timestamp_ms;
        let actions = plugin.handle(host, &e).unwrap();
        for a in &actions {
            match a {
                Action::Label(l) => {
                    labelled += 1;
                    println!(
                        "{:<9} {:+.3} {} {}",
                        e.id,
                        l.value,
                        l.note.as_deref().unwrap_or("?"),
                        e.text.chars().take(90).collect::<String>()
                    );
                }
                Action::Alert(al) => {
                    println!(
                        "ALERT {:?} on {} ({}): {}",
                        al.severity, e.id, e.community, al.message
                    );
                    alerts.push((e.community.clone(), e.id.clone(), al.message.clone()));
                }
                other => panic!("unexpected action {other:?}"),
            }
        }
    }
    assert!(labelled >= 90, "{labelled}");
    // One alert per community, during its wave.
    let acme: Vec<_> = alerts.iter().filter(|a| a.0 == "acme").collect();
    let en: Vec<_> = alerts.iter().filter(|a| a.0 == "acme-en").collect();
    assert_eq!(acme.len(), 1, "{alerts:?}");
    assert_eq!(en.len(), 1, "{alerts:?}");
    let n = |id: &str| id[id.rfind('-').unwrap() + 1..].parse::<u32>().unwrap();
    assert!(
        (38..=50).contains(&n(&acme[0].1)),
        "acme alert on {}",
        acme[0].1
    );
    assert!(
        (18..=25).contains(&n(&en[0].1)),
        "acme-en alert on {}",
        en[0].1
    );
    for (_, _, text) in &alerts {
        assert!(text.contains(" 3. ["), "three quoted messages: {text}");
    }
}

#[test]
fn reads_rfc3339() {
    assert_eq!(rfc3339_ms("1970-01-01T00:00:00Z"), 0);
    assert_eq!(rfc3339_ms("2025-11-22T10:00:00Z"), 1_763_805_600_000);
    assert_eq!(rfc3339_ms("2025-11-22T11:00:00.5+01:00"), 1_763_805_600_500);
}
