//! Webhooks, for platforms without a connector: an HTTP endpoint (axum)
//! that accepts normalised events signed with an HMAC secret, and an
//! outgoing executor that POSTs each action, signed the same way, to a URL.
//!
//! - `POST /events` with a JSON event, a JSON array of events, or JSON
//!   Lines; header `X-Vigie-Signature: sha256=<hex HMAC-SHA256 of the body>`.
//!   Answers 401 for a missing or wrong signature, 400 with the reason for a
//!   malformed body or an event of another community (nothing of a bad
//!   request is kept), 503 when the host is stopping, else 200
//!   `{"accepted": n}` once the events are safely in the store.
//! - Actions: `POST deliver_to` with `{"key": …, "action": {…}}`, headers
//!   `X-Vigie-Signature` and `Idempotency-Key` (the action's key: the same
//!   action always comes with the same key, so the receiver can drop a
//!   repeat). 2xx: done; 429 (Retry-After) and 5xx: retried; other 4xx:
//!   dead letter.

use super::{
    now_ms, BoxFuture, Connector, Credential, DeliveryError, EventSink, Executed, RateConfig,
    RateState,
};
use crate::action::DecidedAction;
use crate::event::Event;
use crate::store::Reversal;
use anyhow::{bail, Context, Result};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// The header carrying `sha256=<hex>`.
pub const SIGNATURE_HEADER: &str = "x-vigie-signature";
/// Largest accepted request body.
const MAX_BODY: usize = 4 << 20;

/// `[[connectors]] type = "webhook"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Default `webhook`.
    #[serde(default)]
    pub name: Option<String>,
    /// The community whose events it accepts and whose actions it sends.
    pub community: String,
    /// Address to listen on for `POST /events`, e.g. `127.0.0.1:8787`.
    /// Without it, the connector only sends actions.
    #[serde(default)]
    pub listen: Option<String>,
    /// The HMAC-SHA256 key (`env:NAME` or `file:PATH`) that signs incoming
    /// events and outgoing actions.
    pub secret: String,
    /// Where actions are POSTed. Without it, actions are only recorded in
    /// the audit log.
    #[serde(default)]
    pub deliver_to: Option<String>,
    #[serde(default)]
    pub rate: RateConfig,
}

pub struct Webhook {
    name: String,
    config: WebhookConfig,
    secret: Credential,
    http: reqwest::Client,
    rate: Mutex<RateState>,
}

impl Webhook {
    pub fn new(config: WebhookConfig, base_dir: &Path) -> Result<Webhook> {
        let name = config.name.clone().unwrap_or_else(|| "webhook".into());
        let secret = Credential::resolve(
            &config.secret,
            base_dir,
            &format!("connector `{name}`: secret"),
        )?;
        if let Some(url) = &config.deliver_to {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                bail!("connector `{name}`: deliver_to `{url}` is not an http(s) URL");
            }
        }
        Ok(Webhook {
            name,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .context("cannot create the HTTP client")?,
            secret,
            config,
            rate: Mutex::new(RateState::default()),
        })
    }
}

/// `sha256=<hex>` of `body` under `key`.
pub fn sign(key: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `header` is the signature of `body` under `key`. Public for
/// `fuzz/` only (with [`parse_events`]: together they are what a request
/// goes through before anything is kept).
#[doc(hidden)]
pub fn verify(key: &[u8], body: &[u8], header: Option<&str>) -> bool {
    let Some(hex_sig) = header.and_then(|h| h.trim().strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(given) = hex::decode(hex_sig) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// The events of a request body: one object, an array, or JSON Lines.
/// Public for `fuzz/` only.
#[doc(hidden)]
pub fn parse_events(body: &[u8], community: &str) -> Result<Vec<Event>, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_string())?;
    let trimmed = text.trim_start();
    let events: Vec<Event> = if trimmed.starts_with('[') {
        serde_json::from_str(trimmed).map_err(|e| format!("not an array of events: {e}"))?
    } else {
        trimmed
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| Event::from_json_line(l).map_err(|e| format!("line {}: {e}", i + 1)))
            .collect::<Result<_, _>>()?
    };
    if events.is_empty() {
        return Err("no event in the body".into());
    }
    for (i, e) in events.iter().enumerate() {
        e.validate()
            .map_err(|err| format!("event {}: {err}", i + 1))?;
        if e.community != community {
            return Err(format!(
                "event {} is for community `{}`; this webhook serves `{community}`",
                i + 1,
                e.community
            ));
        }
    }
    Ok(events)
}

#[derive(Clone)]
struct Endpoint {
    key: Arc<Vec<u8>>,
    community: String,
    sink: EventSink,
    received: Arc<Mutex<u64>>,
}

async fn receive(State(ep): State<Endpoint>, headers: HeaderMap, body: Bytes) -> Response {
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    if !verify(&ep.key, &body, signature) {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(serde_json::json!({"error": "missing or wrong X-Vigie-Signature"})),
        )
            .into_response();
    }
    let events = match parse_events(&body, &ep.community) {
        Ok(events) => events,
        Err(reason) => {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(serde_json::json!({"error": reason})),
            )
                .into_response()
        }
    };
    let n = events.len();
    let cursor = {
        let mut received = ep.received.lock().unwrap_or_else(|p| p.into_inner());
        *received += n as u64;
        received.to_string()
    };
    match ep.sink.deliver(&cursor, events).await {
        Ok(true) => axum::Json(serde_json::json!({"accepted": n})).into_response(),
        Ok(false) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"error": "the host is stopping; send again later"})),
        )
            .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"error": format!("cannot store the events: {e:#}")})),
        )
            .into_response(),
    }
}

/// The id the receiver gave the message an action created, when it
/// answered `{"message_id": "…"}` to a `post`, `reply` or `dm`: reactions
/// and replies to that message then reach the chain labelled with who sent
/// it (see `crate::event::SENT_BY_LABEL`).
fn sent_message_id(action: &DecidedAction, reply: &str) -> Option<String> {
    use crate::action::Action;
    if !matches!(
        action.action,
        Action::Post { .. } | Action::Reply { .. } | Action::DirectMessage { .. }
    ) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(reply).ok()?;
    let id = value.get("message_id")?.as_str()?;
    (!id.is_empty() && id.len() <= 256 && !id.chars().any(char::is_control)).then(|| id.to_string())
}

impl Connector for Webhook {
    fn name(&self) -> &str {
        &self.name
    }

    fn community(&self) -> &str {
        &self.config.community
    }

    fn stream(
        self: Arc<Self>,
        cursor: Option<String>,
        sink: EventSink,
        mut shutdown: watch::Receiver<bool>,
    ) -> BoxFuture<'static, Result<()>> {
        Box::pin(async move {
            let Some(listen) = self.config.listen.clone() else {
                // Send-only: nothing to stream.
                sink.connected("send-only (no `listen`): posting actions to its URL");
                let _ = shutdown.wait_for(|stop| *stop).await;
                return Ok(());
            };
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .with_context(|| format!("cannot listen on {listen}"))?;
            sink.connected(&format!(
                "listening for events on http://{}/events",
                listener
                    .local_addr()
                    .map_or(listen.clone(), |a| a.to_string())
            ));
            let endpoint = Endpoint {
                key: Arc::new(self.secret.expose().as_bytes().to_vec()),
                community: self.config.community.clone(),
                sink,
                received: Arc::new(Mutex::new(cursor.and_then(|c| c.parse().ok()).unwrap_or(0))),
            };
            let app = axum::Router::new()
                .route("/events", axum::routing::post(receive))
                .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
                .with_state(endpoint);
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = shutdown.wait_for(|stop| *stop).await;
                })
                .await
                .context("webhook server failed")
        })
    }

    fn execute<'a>(
        &'a self,
        action: &'a DecidedAction,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Executed, DeliveryError>> {
        Box::pin(async move {
            let Some(url) = &self.config.deliver_to else {
                return Ok(Executed {
                    platform_reply: "no deliver_to: recorded only".into(),
                    reversal_due_ms: None,
                    sent_message_id: None,
                });
            };
            let body = serde_json::to_vec(&serde_json::json!({"key": key, "action": action}))
                .map_err(|e| DeliveryError::Permanent(format!("cannot encode the action: {e}")))?;
            let signature = sign(self.secret.expose().as_bytes(), &body);
            let resp = self
                .http
                .post(url)
                .header("content-type", "application/json")
                .header(SIGNATURE_HEADER, signature)
                .header("idempotency-key", key)
                .body(body)
                .send()
                .await
                .map_err(|e| DeliveryError::Retry {
                    after: None,
                    error: format!(
                        "POST failed: {}",
                        if e.is_timeout() {
                            "timed out"
                        } else {
                            "cannot connect or connection lost"
                        }
                    ),
                })?;
            let status = resp.status();
            let after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let text = resp.text().await.unwrap_or_default();
            let short: String = text.chars().take(300).collect();
            if status.is_success() {
                return Ok(Executed {
                    platform_reply: format!("HTTP {} {short}", status.as_u16()),
                    reversal_due_ms: None,
                    sent_message_id: sent_message_id(action, &text),
                });
            }
            let error = format!("HTTP {} {short}", status.as_u16());
            if status.as_u16() == 429 {
                let mut rate = self.rate.lock().unwrap_or_else(|p| p.into_inner());
                rate.rate_limited += 1;
                rate.blocked_until_ms = after.map(|d| now_ms() + d.as_millis() as i64);
                return Err(DeliveryError::Retry { after, error });
            }
            if status.is_server_error() {
                return Err(DeliveryError::Retry { after, error });
            }
            Err(DeliveryError::Permanent(error))
        })
    }

    fn reverse<'a>(&'a self, r: &'a Reversal) -> BoxFuture<'a, Result<String, DeliveryError>> {
        // The receiver lifts restrictions itself (the action carries the
        // duration); nothing to send.
        Box::pin(async move { Ok(format!("left to the receiver ({})", r.user_id)) })
    }

    fn rate_state(&self) -> RateState {
        self.rate.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_with_the_key_and_body() {
        let sig = sign(b"k", b"body");
        assert!(verify(b"k", b"body", Some(&sig)));
        assert!(!verify(b"k", b"body!", Some(&sig)));
        assert!(!verify(b"other", b"body", Some(&sig)));
        assert!(!verify(b"k", b"body", None));
        assert!(!verify(b"k", b"body", Some("sha256=zz")));
    }

    #[test]
    fn bodies_give_events_or_a_reason() {
        let line = r#"{"id":"e1","kind":"message","platform":"forum","community":"acme","channel":"c","author":{"id":"u"},"text":"hi","timestamp":"2026-11-23T10:00:00Z"}"#;
        assert_eq!(parse_events(line.as_bytes(), "acme").unwrap().len(), 1);
        assert_eq!(
            parse_events(format!("[{line},{line}]").as_bytes(), "acme")
                .unwrap()
                .len(),
            2
        );
        assert!(parse_events(line.as_bytes(), "other")
            .unwrap_err()
            .contains("serves `other`"));
        assert!(parse_events(b"{oops", "acme")
            .unwrap_err()
            .contains("line 1"));
        assert!(parse_events(b"", "acme").unwrap_err().contains("no event"));
    }
}
