//! The webhook connector through the `vigie` binary: signed events in
//! (401 without a good signature, 400 with the reason for a bad body),
//! signed actions out to a receiving server, retried when it fails, each
//! with its idempotency key; a repeated event is not handled twice; a
//! reaction to a message the receiver said it posted for the bot comes
//! labelled with the plugin that sent it.

use crate::process::VigieProcess;
use crate::synapse::{free_port, wait_for};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vigie::connector::webhook::{sign, SIGNATURE_HEADER};
use vigie::Store;

const SECRET: &str = "webhook-test-secret";

/// What the receiving server got: (idempotency key, signature ok, body).
type Received = Arc<Mutex<Vec<(String, bool, serde_json::Value)>>>;

/// A receiver that fails its first request with 503, then accepts, naming
/// the message it "posted" `fm-<idempotency key>`.
fn start_receiver(rt: &tokio::runtime::Runtime) -> (String, Received) {
    let received: Received = Arc::default();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}/actions", listener.local_addr().unwrap());
    let r = received.clone();
    let app = axum::Router::new().route(
        "/actions",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let r = r.clone();
                async move {
                    let mut got = r.lock().unwrap();
                    let key = headers
                        .get("idempotency-key")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    let signed = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok())
                        == Some(sign(SECRET.as_bytes(), &body).as_str());
                    let value = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
                    let first = got.is_empty();
                    let answer = serde_json::json!({"message_id": format!("fm-{key}")});
                    got.push((key, signed, value));
                    if first {
                        (axum::http::StatusCode::SERVICE_UNAVAILABLE, String::new())
                    } else {
                        (axum::http::StatusCode::OK, answer.to_string())
                    }
                }
            },
        ),
    );
    rt.spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

fn event(id: &str, community: &str, text: &str) -> String {
    serde_json::json!({
        "id": id, "kind": "message", "platform": "forum", "community": community,
        "channel": "general", "author": {"id": "u-1", "name": "Ana"},
        "text": text, "timestamp": "2026-11-23T10:00:00Z"
    })
    .to_string()
}

#[test]
fn signed_events_in_signed_actions_out_bad_requests_refused_with_the_reason() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (deliver_to, received) = start_receiver(&rt);
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("vigie.toml");
    std::fs::write(
        &config,
        format!(
            r#"data_dir = "data"
[plugins.filter]
component = "builtin:keyword-filter"
grants = ["delete", "dm"]

[[communities]]
id = "acme"
chain = ["filter"]

[[connectors]]
type = "webhook"
name = "forum"
community = "acme"
listen = "127.0.0.1:{port}"
secret = "env:VIGIE_TEST_SECRET"
deliver_to = "{deliver_to}"
"#
        ),
    )
    .unwrap();
    let mut vigie = VigieProcess::start(&config, SECRET);
    vigie.wait_log("listening for events");
    let url = format!("http://127.0.0.1:{port}/events");
    let http = reqwest::blocking::Client::new();
    let post = |body: &str, signature: Option<String>| {
        let mut req = http.post(&url).body(body.to_string());
        if let Some(s) = signature {
            req = req.header(SIGNATURE_HEADER, s);
        }
        let resp = req.send().unwrap();
        let status = resp.status().as_u16();
        (status, resp.text().unwrap_or_default())
    };
    let good = event("f-1", "acme", "buy cheap followers, total scam");

    let (status, _) = post(&good, None);
    assert_eq!(status, 401);
    let (status, _) = post(&good, Some(sign(b"wrong key", good.as_bytes())));
    assert_eq!(status, 401);
    let bad = "{\"id\": 3";
    let (status, body) = post(bad, Some(sign(SECRET.as_bytes(), bad.as_bytes())));
    assert_eq!(status, 400);
    assert!(body.contains("line 1"), "{body}");
    let other = event("f-2", "elsewhere", "scam");
    let (status, body) = post(&other, Some(sign(SECRET.as_bytes(), other.as_bytes())));
    assert_eq!(status, 400);
    assert!(body.contains("elsewhere"), "{body}");

    let (status, body) = post(&good, Some(sign(SECRET.as_bytes(), good.as_bytes())));
    assert_eq!((status, body.as_str()), (200, r#"{"accepted":1}"#));
    // The receiver fails the first delivery: the action comes again, with
    // the same key.
    let got = wait_for("both actions delivered", Duration::from_secs(60), || {
        let got = received.lock().unwrap().clone();
        let ok: std::collections::BTreeSet<String> = got[got.len().min(1)..]
            .iter()
            .map(|(k, _, _)| k.clone())
            .collect();
        (ok.len() >= 2).then_some(got)
    });
    assert!(
        got.iter().all(|(_, signed, _)| *signed),
        "an unsigned action"
    );
    assert_eq!(got[0].0, got[1].0, "the retried action changed its key");
    let kinds: Vec<&str> = got
        .iter()
        .filter_map(|(_, _, v)| v["action"]["type"].as_str())
        .collect();
    assert!(
        kinds.contains(&"delete") && kinds.contains(&"dm"),
        "{kinds:?}"
    );

    // The same event again: accepted, but never handled twice.
    let (status, _) = post(&good, Some(sign(SECRET.as_bytes(), good.as_bytes())));
    assert_eq!(status, 200);
    std::thread::sleep(Duration::from_secs(2));
    let before = got.len();
    assert_eq!(received.lock().unwrap().len(), before);

    // A reaction to the message the receiver posted for the DM, and one to
    // a message of somebody else.
    let dm_key = &got
        .iter()
        .find(|(_, _, v)| v["action"]["type"] == "dm")
        .expect("a dm was delivered")
        .0;
    let reaction = |id: &str, target: &str| {
        serde_json::json!({
            "id": id, "kind": "reaction", "platform": "forum", "community": "acme",
            "channel": "general", "author": {"id": "u-2", "name": "Bo"},
            "reaction": "👍", "target_message": target,
            "timestamp": "2026-11-23T10:01:00Z"
        })
        .to_string()
    };
    for (id, target) in [("f-3", format!("fm-{dm_key}")), ("f-4", "f-1".to_string())] {
        let body = reaction(id, &target);
        let (status, _) = post(&body, Some(sign(SECRET.as_bytes(), body.as_bytes())));
        assert_eq!(status, 200);
    }
    std::thread::sleep(Duration::from_secs(2));
    let log = vigie.stop();
    assert!(!log.contains(SECRET), "the secret leaked into the log");

    let store = vigie::SledStore::open(&dir.path().join("data/store")).unwrap();
    let labels_of = |id: &str| -> Vec<(String, String, Option<String>)> {
        let events = store.events().unwrap();
        let handled = events.iter().find(|h| h.event.id == id).unwrap_or_else(|| {
            panic!(
                "{id} was not handled: {:?}",
                events.iter().map(|h| &h.event.id).collect::<Vec<_>>()
            )
        });
        handled
            .event
            .labels
            .iter()
            .map(|l| (l.plugin.clone(), l.key.clone(), l.note.clone()))
            .collect()
    };
    assert_eq!(
        labels_of("f-3"),
        [
            (
                "vigie".into(),
                "vigie.sent-by".into(),
                Some("filter".into())
            ),
            ("vigie".into(), "vigie.sent-for".into(), Some("f-1".into())),
        ]
    );
    assert!(labels_of("f-4").is_empty());
}
