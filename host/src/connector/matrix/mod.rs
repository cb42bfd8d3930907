//! Matrix, through the Client-Server API (reqwest): `/sync` long-polling
//! with the `since` token persisted by the host, room messages, edits,
//! redactions, reactions and membership changes as events; replies (with a
//! proper reply relation), posts, reactions, redactions, kicks, bans,
//! timeouts (a temporary ban the host lifts when it expires) and direct
//! messages as actions.
//!
//! Exactly-once: every event the bot sends (messages, reactions,
//! redactions) goes through `PUT …/{txnId}` with the action's idempotency
//! key as the transaction id, and the homeserver answers a repeated
//! transaction with the first one's result. The device id is fixed
//! (`device_id`, default `VIGIE`) so that holds across restarts when the
//! bot logs in with a password.

use super::{
    now_ms, BoxFuture, Connector, Credential, DeliveryError, EventSink, Executed, RateConfig,
    RateState,
};
use crate::action::{Action, DecidedAction};
use crate::event::{Author, Event, EventKind};
use crate::store::Reversal;
use anyhow::{anyhow, bail, Context, Result};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

mod text;

/// `[[connectors]] type = "matrix"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixConfig {
    /// Default `matrix`; names the connector in logs, the audit log and
    /// the store (keep it stable).
    #[serde(default)]
    pub name: Option<String>,
    /// The community this account serves; its rooms are the channels.
    pub community: String,
    /// Base URL of the homeserver, e.g. `https://matrix.example.org`.
    pub homeserver: String,
    /// `@bot:example.org`; needed with `password`, checked with a token.
    #[serde(default)]
    pub user: Option<String>,
    /// `env:NAME` or `file:PATH` holding an access token…
    #[serde(default)]
    pub access_token: Option<String>,
    /// …or the password (`env:` / `file:`), logged in with `device_id`.
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default = "default_device")]
    pub device_id: String,
    /// Rooms to join and watch (ids `!…` or aliases `#…`). Empty: the
    /// rooms the account is already in.
    #[serde(default)]
    pub rooms: Vec<String>,
    /// Where `flag` and `alert` actions are posted (a staff room). Without
    /// it they are only recorded in the audit log.
    #[serde(default)]
    pub staff_room: Option<String>,
    /// Power level from which a sender counts as staff.
    #[serde(default = "default_staff_level")]
    pub staff_level: i64,
    /// On the very first start, also handle the rooms' recent history
    /// (default: start from now).
    #[serde(default)]
    pub backlog: bool,
    /// Long-poll timeout of `/sync`, in seconds.
    #[serde(default = "default_sync_timeout")]
    pub sync_timeout_s: u64,
    /// Most events per room one `/sync` returns (default 500). A room
    /// that had more since the last sync (the host was down, say) is read
    /// back in full through `/messages`, up to [`MAX_BACKFILL`] events.
    #[serde(default = "default_timeline_limit")]
    pub timeline_limit: u32,
    #[serde(default)]
    pub rate: RateConfig,
}

fn default_device() -> String {
    "VIGIE".into()
}
fn default_staff_level() -> i64 {
    50
}
fn default_sync_timeout() -> u64 {
    30
}
fn default_timeline_limit() -> u32 {
    500
}

/// Most events read back through `/messages` for one room's gap; beyond,
/// the oldest are skipped, with a warning.
pub const MAX_BACKFILL: usize = 10_000;

pub struct Matrix {
    config: MatrixConfig,
    name: String,
    base: String,
    http: reqwest::Client,
    credential: Login,
    /// The access token a password login gave: kept for every reconnect,
    /// so a retry never logs in again (homeservers rate-limit logins).
    logged_in: Mutex<Option<String>>,
    session: tokio::sync::RwLock<Option<Session>>,
    /// Power levels by room, from room state.
    power: Mutex<HashMap<String, PowerLevels>>,
    /// Direct-message rooms by user, created on demand.
    dm_rooms: tokio::sync::Mutex<HashMap<String, String>>,
    /// Who wrote what lately, and how rooms are called: for mentions and
    /// room names in what the bot writes.
    recent: Mutex<Recent>,
    rate: Mutex<RateState>,
}

enum Login {
    Token(Credential),
    Password(Credential),
}

/// The senders seen lately (by room, by lower-case localpart, which is the
/// events' author name), the authors of recent events, and rooms' names.
#[derive(Default)]
struct Recent {
    senders: HashMap<String, HashMap<String, String>>,
    authors: HashMap<String, String>,
    order: VecDeque<String>,
    rooms: HashMap<String, String>,
}

/// Authors remembered, for the mention in a reply to their message.
const RECENT_AUTHORS: usize = 50_000;

impl Recent {
    fn saw(&mut self, room: &str, event_id: &str, sender: &str, name: &str) {
        self.senders
            .entry(room.to_string())
            .or_default()
            .insert(name.to_lowercase(), sender.to_string());
        if self
            .authors
            .insert(event_id.to_string(), sender.to_string())
            .is_none()
        {
            self.order.push_back(event_id.to_string());
            if self.order.len() > RECENT_AUTHORS {
                if let Some(old) = self.order.pop_front() {
                    self.authors.remove(&old);
                }
            }
        }
    }
}

/// Names as a room sees them, for [`text::message`].
struct RoomNames<'a> {
    recent: &'a Recent,
    room: &'a str,
}

impl text::Names for RoomNames<'_> {
    fn user(&self, name: &str) -> Option<String> {
        self.recent
            .senders
            .get(self.room)?
            .get(&name.to_lowercase())
            .cloned()
    }
    fn room(&self, room_id: &str) -> Option<String> {
        self.recent.rooms.get(room_id).cloned()
    }
}

#[derive(Clone)]
struct Session {
    token: String,
    user_id: String,
    /// Room aliases resolved to ids.
    staff_room: Option<String>,
    /// Each configured room, its id and the bot's rights there.
    report: String,
}

#[derive(Debug, Clone, Default)]
struct PowerLevels {
    users: HashMap<String, i64>,
    users_default: i64,
    creators: Vec<String>,
    /// Levels needed to redact others' events, kick, ban, and post.
    redact: i64,
    kick: i64,
    ban: i64,
    post: i64,
}

impl Matrix {
    pub fn new(config: MatrixConfig, base_dir: &Path) -> Result<Matrix> {
        let name = config.name.clone().unwrap_or_else(|| "matrix".into());
        let what = |key: &str| format!("connector `{name}`: {key}");
        let credential = match (&config.access_token, &config.password) {
            (Some(t), None) => {
                Login::Token(Credential::resolve(t, base_dir, &what("access_token"))?)
            }
            (None, Some(p)) => {
                if config.user.is_none() {
                    bail!("{}: a password login needs `user`", what("password"));
                }
                Login::Password(Credential::resolve(p, base_dir, &what("password"))?)
            }
            _ => bail!(
                "connector `{name}`: give exactly one of `access_token` or `password` \
                 (each as `env:NAME` or `file:PATH`)"
            ),
        };
        let base = config.homeserver.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            bail!("{}: `{base}` is not an http(s) URL", what("homeserver"));
        }
        if config.timeline_limit == 0 {
            bail!("{}: must be at least 1", what("timeline_limit"));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("vigie/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("cannot create the HTTP client")?;
        Ok(Matrix {
            name,
            base,
            http,
            credential,
            logged_in: Mutex::new(None),
            session: tokio::sync::RwLock::new(None),
            power: Mutex::new(HashMap::new()),
            dm_rooms: tokio::sync::Mutex::new(HashMap::new()),
            recent: Mutex::new(Recent::default()),
            rate: Mutex::new(RateState::default()),
            config,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/_matrix/client/v3{path}", self.base)
    }

    /// One request; maps the platform's answers to retry or permanent
    /// errors. Never logs the token.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        timeout: Duration,
    ) -> Result<Value, DeliveryError> {
        let token = self.session.read().await.as_ref().map(|s| s.token.clone());
        let mut req = self.http.request(method, self.url(path)).timeout(timeout);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await.map_err(|e| DeliveryError::Retry {
            after: None,
            error: format!("request failed: {}", without_url(&e)),
        })?;
        let status = resp.status();
        let header_retry = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = resp.text().await.map_err(|e| DeliveryError::Retry {
            after: None,
            error: format!("reading the reply failed: {}", without_url(&e)),
        })?;
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(value);
        }
        let errcode = value["errcode"].as_str().unwrap_or("");
        let message = format!(
            "HTTP {} {} {}",
            status.as_u16(),
            errcode,
            value["error"].as_str().unwrap_or(&shorten(&text))
        );
        if status == StatusCode::TOO_MANY_REQUESTS || errcode == "M_LIMIT_EXCEEDED" {
            let after = value["retry_after_ms"]
                .as_u64()
                .map(Duration::from_millis)
                .or(header_retry)
                .or_else(|| {
                    value["error"]["retry_after_ms"]
                        .as_u64()
                        .map(Duration::from_millis)
                });
            let mut rate = self.rate.lock().unwrap_or_else(|p| p.into_inner());
            rate.rate_limited += 1;
            rate.blocked_until_ms = after.map(|d| now_ms() + d.as_millis() as i64);
            return Err(DeliveryError::Retry {
                after,
                error: message,
            });
        }
        if status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT {
            return Err(DeliveryError::Retry {
                after: header_retry,
                error: message,
            });
        }
        Err(DeliveryError::Permanent(message))
    }

    /// Logs in (password, once: the token is kept) or checks the token,
    /// and joins the rooms. A [`DeliveryError::Permanent`] will not get
    /// better by waiting (a wrong password or token, a room that does not
    /// exist or will not let the bot in).
    async fn connect(&self) -> Result<Session, DeliveryError> {
        let short = Duration::from_secs(30);
        let kept = self
            .logged_in
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let token = match (&self.credential, kept) {
            (Login::Token(t), _) => t.expose().to_string(),
            (Login::Password(_), Some(token)) => token,
            (Login::Password(p), None) => {
                let user = self.config.user.clone().unwrap_or_default();
                let body = json!({
                    "type": "m.login.password",
                    "identifier": {"type": "m.id.user", "user": user},
                    "password": p.expose(),
                    "device_id": self.config.device_id,
                    "initial_device_display_name": "Vigie",
                });
                *self.session.write().await = None;
                let reply = self
                    .call(Method::POST, "/login", Some(&body), short)
                    .await
                    .map_err(|e| e.context(format!("login as {user}")))?;
                let token = reply["access_token"]
                    .as_str()
                    .ok_or_else(|| {
                        DeliveryError::Permanent(format!(
                            "login as {user}: the reply has no access_token"
                        ))
                    })?
                    .to_string();
                *self.logged_in.lock().unwrap_or_else(|p| p.into_inner()) = Some(token.clone());
                token
            }
        };
        *self.session.write().await = Some(Session {
            token: token.clone(),
            user_id: String::new(),
            staff_room: None,
            report: String::new(),
        });
        let who = match self.call(Method::GET, "/account/whoami", None, short).await {
            Ok(who) => who,
            Err(DeliveryError::Permanent(e)) if matches!(self.credential, Login::Password(_)) => {
                // The kept token went stale: log in again next time.
                *self.logged_in.lock().unwrap_or_else(|p| p.into_inner()) = None;
                return Err(DeliveryError::Retry {
                    after: None,
                    error: format!("the homeserver no longer accepts the session's token ({e}); logging in again"),
                });
            }
            Err(e) => return Err(e.context("the homeserver refused the access token")),
        };
        let user_id = who["user_id"]
            .as_str()
            .ok_or_else(|| DeliveryError::Permanent("whoami reply has no user_id".into()))?
            .to_string();
        if let Some(expected) = &self.config.user {
            if expected != &user_id {
                return Err(DeliveryError::Permanent(format!(
                    "the access token belongs to {user_id}, not to the configured user {expected}"
                )));
            }
        }
        let mut rooms = Vec::new();
        for room in &self.config.rooms {
            let id = self.join(room).await?;
            rooms.push(self.rights(room, &id, &user_id, false));
        }
        let staff_room = match &self.config.staff_room {
            Some(room) => {
                let id = self.join(room).await?;
                rooms.push(self.rights(room, &id, &user_id, true));
                Some(id)
            }
            None => None,
        };
        let session = Session {
            token,
            user_id: user_id.clone(),
            staff_room,
            report: format!("connected to Matrix as {user_id}: {}", rooms.join("; ")),
        };
        *self.session.write().await = Some(session.clone());
        Ok(session)
    }

    /// The bot's power level in a room it joined, for the connection
    /// report; a warning when it cannot do what plugins may ask there.
    fn rights(&self, room: &str, id: &str, bot: &str, staff_room: bool) -> String {
        let levels = self
            .power
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
            .unwrap_or_default();
        let level = levels.level(bot);
        let shown = if level == i64::MAX {
            "creator".to_string()
        } else {
            format!("power {level}")
        };
        let needed: &[(&str, i64)] = if staff_room {
            &[("post", levels.post)]
        } else {
            &[
                ("post", levels.post),
                ("redact messages", levels.redact),
                ("kick", levels.kick),
                ("ban", levels.ban),
            ]
        };
        let missing: Vec<String> = needed
            .iter()
            .filter(|(_, needs)| level < *needs)
            .map(|(what, needs)| format!("{what} (needs {needs})"))
            .collect();
        if !missing.is_empty() {
            tracing::warn!(
                connector = self.name,
                "in {room} the bot has {shown}: it cannot {}. Actions that need it will fail and go \
                 to the dead letters; raise the bot's power level in that room (Element: Room \
                 settings → Roles & Permissions)",
                missing.join(", ")
            );
        }
        let label = if staff_room { "staff room " } else { "" };
        if room == id {
            format!("{label}{room} ({shown})")
        } else {
            format!("{label}{room} = {id} ({shown})")
        }
    }

    async fn join(&self, room: &str) -> Result<String, DeliveryError> {
        let reply = self
            .call(
                Method::POST,
                &format!("/join/{}", enc(room)),
                Some(&json!({})),
                Duration::from_secs(30),
            )
            .await
            .map_err(|e| e.context(format!("cannot join {room}")))?;
        let id = reply["room_id"].as_str().unwrap_or(room).to_string();
        self.load_power_levels(&id).await;
        if room.starts_with('#') {
            // The alias the config gives is how its people call the room.
            self.recent
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .rooms
                .insert(id.clone(), room.to_string());
        }
        Ok(id)
    }

    /// Reads who is staff from the room's state: power levels, and the
    /// room's creators (who outrank everyone from room version 12 on).
    async fn load_power_levels(&self, room: &str) {
        let path = format!("/rooms/{}/state", enc(room));
        let Ok(state) = self
            .call(Method::GET, &path, None, Duration::from_secs(30))
            .await
        else {
            return;
        };
        let mut levels = PowerLevels::default();
        let mut creators = Vec::new();
        let mut label = None;
        for ev in state.as_array().into_iter().flatten() {
            match ev["type"].as_str() {
                Some("m.room.canonical_alias") => {
                    if let Some(alias) = ev["content"]["alias"].as_str() {
                        label = Some(alias.to_string());
                    }
                }
                Some("m.room.name") if label.is_none() => {
                    label = ev["content"]["name"]
                        .as_str()
                        .filter(|n| !n.trim().is_empty())
                        .map(String::from);
                }
                Some("m.room.power_levels") => levels = PowerLevels::from_content(&ev["content"]),
                Some("m.room.create") => {
                    creators.extend(ev["sender"].as_str().map(String::from));
                    creators.extend(
                        ev["content"]["additional_creators"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|u| u.as_str().map(String::from)),
                    );
                }
                _ => {}
            }
        }
        levels.creators = creators;
        if let Some(label) = label {
            self.recent
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .rooms
                .insert(room.to_string(), label);
        }
        self.power
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(room.to_string(), levels);
    }

    async fn session(&self) -> Result<Session, DeliveryError> {
        if let Some(s) = self.session.read().await.clone() {
            return Ok(s);
        }
        self.connect().await.map_err(|e| match e {
            DeliveryError::Retry { after, error } => DeliveryError::Retry {
                after: after.or(Some(Duration::from_secs(5))),
                error: format!("not connected: {error}"),
            },
            // The sync loop stops the host on those; the action waits.
            DeliveryError::Permanent(error) => DeliveryError::Retry {
                after: Some(Duration::from_secs(5)),
                error: format!("not connected: {error}"),
            },
        })
    }

    async fn send_event(
        &self,
        room: &str,
        event_type: &str,
        content: Value,
        txn: &str,
    ) -> Result<String, DeliveryError> {
        let path = format!("/rooms/{}/send/{}/{}", enc(room), enc(event_type), enc(txn));
        let reply = self
            .call(Method::PUT, &path, Some(&content), Duration::from_secs(30))
            .await?;
        Ok(reply["event_id"].as_str().unwrap_or("").to_string())
    }

    async fn membership(
        &self,
        room: &str,
        verb: &str,
        user: &str,
        reason: &str,
    ) -> Result<String, DeliveryError> {
        let path = format!("/rooms/{}/{verb}", enc(room));
        let body = json!({"user_id": user, "reason": reason});
        match self
            .call(Method::POST, &path, Some(&body), Duration::from_secs(30))
            .await
        {
            Ok(_) => Ok(format!("{verb} {user}")),
            // Repeated after a crash, or the user left meanwhile: the
            // effect is there either way.
            Err(DeliveryError::Permanent(e)) if verb == "kick" && e.contains("not in the room") => {
                Ok(format!("{user} was not in the room"))
            }
            Err(e) => Err(e),
        }
    }

    async fn dm_room(&self, user: &str) -> Result<String, DeliveryError> {
        let mut rooms = self.dm_rooms.lock().await;
        if let Some(room) = rooms.get(user) {
            return Ok(room.clone());
        }
        let body = json!({"is_direct": true, "invite": [user], "preset": "trusted_private_chat"});
        let reply = self
            .call(
                Method::POST,
                "/createRoom",
                Some(&body),
                Duration::from_secs(30),
            )
            .await?;
        let room = reply["room_id"]
            .as_str()
            .ok_or_else(|| DeliveryError::Permanent("createRoom reply has no room_id".into()))?
            .to_string();
        rooms.insert(user.to_string(), room.clone());
        Ok(room)
    }

    async fn execute_action(
        &self,
        decided: &DecidedAction,
        txn: &str,
    ) -> Result<Executed, DeliveryError> {
        let session = self.session().await?;
        let room = decided.channel.as_str();
        let sent = |event_id: String| Executed {
            platform_reply: event_id,
            reversal_due_ms: None,
            sent_message_id: None,
        };
        // A message of the bot's own: its event id is remembered.
        let message = |event_id: String| Executed {
            sent_message_id: Some(event_id.clone()),
            ..sent(event_id)
        };
        match &decided.action {
            Action::Reply {
                to_message, text, ..
            } => {
                let mut content = self.rich(room, text, Some(to_message));
                content["m.relates_to"] = json!({"m.in_reply_to": {"event_id": to_message}});
                Ok(message(
                    self.send_event(room, "m.room.message", content, txn)
                        .await?,
                ))
            }
            Action::Post { text, .. } => {
                let content = self.rich(room, text, None);
                Ok(message(
                    self.send_event(room, "m.room.message", content, txn)
                        .await?,
                ))
            }
            Action::React {
                message_id, emoji, ..
            } => {
                let content = json!({"m.relates_to": {
                    "rel_type": "m.annotation", "event_id": message_id, "key": emoji}});
                match self.send_event(room, "m.reaction", content, txn).await {
                    Err(DeliveryError::Permanent(e)) if e.contains("M_DUPLICATE_ANNOTATION") => {
                        Ok(sent("already reacted".into()))
                    }
                    other => Ok(sent(other?)),
                }
            }
            Action::Delete {
                message_id, reason, ..
            } => {
                let path = format!(
                    "/rooms/{}/redact/{}/{}",
                    enc(room),
                    enc(message_id),
                    enc(txn)
                );
                let reply = self
                    .call(
                        Method::PUT,
                        &path,
                        Some(&json!({"reason": reason})),
                        Duration::from_secs(30),
                    )
                    .await?;
                Ok(sent(reply["event_id"].as_str().unwrap_or("").to_string()))
            }
            Action::Kick {
                user_id, reason, ..
            } => Ok(sent(self.membership(room, "kick", user_id, reason).await?)),
            Action::Ban {
                user_id,
                duration_s,
                reason,
            } => Ok(Executed {
                platform_reply: self.membership(room, "ban", user_id, reason).await?,
                reversal_due_ms: duration_s.map(|d| now_ms() + i64::from(d) * 1000),
                sent_message_id: None,
            }),
            Action::Timeout {
                user_id,
                duration_s,
                reason,
            } => Ok(Executed {
                platform_reply: self
                    .membership(
                        room,
                        "ban",
                        user_id,
                        &format!("timeout {duration_s}s: {reason}"),
                    )
                    .await?,
                reversal_due_ms: Some(now_ms() + i64::from(*duration_s) * 1000),
                sent_message_id: None,
            }),
            Action::DirectMessage { user_id, text, .. } => {
                let dm = self.dm_room(user_id).await?;
                let content = self.rich(room, text, None);
                Ok(message(
                    self.send_event(&dm, "m.room.message", content, txn).await?,
                ))
            }
            Action::Flag { message_id, reason } => match &session.staff_room {
                Some(staff) => {
                    let content = text::notice_with_link(
                        &format!("🚩 review requested in {}: ", self.room_label(room)),
                        "the message",
                        &text::matrix_to(&[room, message_id]),
                        &format!(" ({}): {reason}", decided.by.plugin),
                    );
                    Ok(sent(
                        self.send_event(staff, "m.room.message", content, txn)
                            .await?,
                    ))
                }
                None => Ok(sent("no staff_room configured: recorded only".into())),
            },
            Action::Alert {
                severity, message, ..
            } => match &session.staff_room {
                Some(staff) => {
                    let body = format!("⚠️ [{severity:?}] {message} ({})", decided.by.plugin);
                    let content = self.rich(room, &body, None);
                    Ok(sent(
                        self.send_event(staff, "m.room.message", content, txn)
                            .await?,
                    ))
                }
                None => Ok(sent("no staff_room configured: recorded only".into())),
            },
            Action::Label { .. } | Action::Stop { .. } => {
                Ok(sent("internal to the chain: nothing to do".into()))
            }
        }
    }

    /// A message's content as Matrix clients show a bot's (see [`text`]);
    /// a reply mentions the author of the message it answers.
    fn rich(&self, room: &str, body: &str, answering: Option<&str>) -> Value {
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let author = answering.and_then(|id| recent.authors.get(id).cloned());
        text::message(
            body,
            &RoomNames {
                recent: &recent,
                room,
            },
            author.as_deref(),
        )
    }

    /// How people call a room: its alias or name, else its id.
    fn room_label(&self, room: &str) -> String {
        self.recent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .rooms
            .get(room)
            .cloned()
            .unwrap_or_else(|| room.to_string())
    }

    async fn sync_loop(
        self: Arc<Self>,
        mut since: Option<String>,
        sink: EventSink,
        mut shutdown: watch::Receiver<bool>,
    ) -> Result<()> {
        let mut backoff = Backoff::default();
        let mut announced = false;
        let Some(mut session) = self.connect_until_up(&mut backoff, &mut shutdown).await? else {
            return Ok(());
        };
        backoff = Backoff::default();
        let filter = json!({
            "presence": {"types": []},
            "account_data": {"types": []},
            "room": {"timeline": {"limit": self.config.timeline_limit}, "ephemeral": {"types": []}},
        })
        .to_string();
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            let first = since.is_none();
            let timeout_ms = if first {
                0
            } else {
                self.config.sync_timeout_s * 1000
            };
            let mut path = format!("/sync?timeout={timeout_ms}&filter={}", enc(&filter));
            if let Some(s) = &since {
                path.push_str(&format!("&since={}", enc(s)));
            }
            let wait = Duration::from_millis(timeout_ms + 30_000);
            let reply = tokio::select! {
                r = self.call(Method::GET, &path, None, wait) => r,
                _ = shutdown.changed() => return Ok(()),
            };
            let reply = match reply {
                Ok(r) => r,
                Err(DeliveryError::Permanent(e)) if e.contains("M_UNKNOWN_TOKEN") => {
                    if !matches!(self.credential, Login::Password(_)) {
                        bail!("the homeserver no longer accepts the access token ({e}); give the bot a new one");
                    }
                    tracing::warn!(
                        connector = self.name,
                        "the session ended ({e}); logging in again"
                    );
                    *self.logged_in.lock().unwrap_or_else(|p| p.into_inner()) = None;
                    *self.session.write().await = None;
                    match self.connect_until_up(&mut backoff, &mut shutdown).await? {
                        Some(s) => session = s,
                        None => return Ok(()),
                    }
                    continue;
                }
                Err(e) => {
                    let wait = match &e {
                        DeliveryError::Retry { after: Some(a), .. } => *a,
                        _ => backoff.next(),
                    };
                    tracing::warn!(
                        connector = self.name,
                        "sync failed ({e}); retrying in {wait:?}"
                    );
                    if sleep_or_shutdown(wait, &mut shutdown).await {
                        return Ok(());
                    }
                    continue;
                }
            };
            backoff = Backoff::default();
            let Some(next) = reply["next_batch"].as_str().map(String::from) else {
                sink.reject("sync reply without next_batch", shorten(&reply.to_string()))
                    .await;
                if sleep_or_shutdown(backoff.next(), &mut shutdown).await {
                    return Ok(());
                }
                continue;
            };
            let events = if first && !self.config.backlog {
                // Start from now: a new bot does not act on old history.
                self.absorb_state(&reply);
                Vec::new()
            } else {
                self.absorb_state(&reply);
                self.events_of(&reply, since.as_deref(), &session, &sink)
                    .await
            };
            if !sink.deliver(&next, events).await? {
                return Ok(());
            }
            if !announced {
                announced = true;
                sink.connected(&format!("{}; listening", session.report));
            }
            since = Some(next);
        }
    }

    /// Connects, waiting as long as the homeserver asks (`retry_after_ms`,
    /// `Retry-After`) or backing off. A permanent refusal (credentials, a
    /// room) stops the connector with the homeserver's words. `None` when
    /// the host shuts down meanwhile.
    async fn connect_until_up(
        &self,
        backoff: &mut Backoff,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Result<Option<Session>> {
        loop {
            match self.connect().await {
                Ok(session) => return Ok(Some(session)),
                Err(DeliveryError::Permanent(e)) => bail!("cannot connect to Matrix: {e}"),
                Err(DeliveryError::Retry { after, error }) => {
                    let wait = match after {
                        // A little past what was asked: the homeserver counts from its clock.
                        Some(after) => after + Duration::from_millis(250),
                        None => backoff.next(),
                    };
                    tracing::warn!(
                        connector = self.name,
                        "cannot connect ({error}); retrying in {wait:.1?}"
                    );
                    if sleep_or_shutdown(wait, shutdown).await {
                        return Ok(None);
                    }
                }
            }
        }
    }

    /// What the sync loop does with one `/sync` reply body, for `fuzz/`:
    /// read as `call` reads it, then [`Matrix::absorb_state`] and each
    /// room's timeline through [`Matrix::normalise`], as
    /// [`Matrix::events_of`] does (a room cut short is not read back: that
    /// takes the network). What earlier calls taught (power levels,
    /// recent senders) is forgotten first, so each answer depends on its
    /// body alone. `None`: no `next_batch`, the reply is rejected whole.
    #[doc(hidden)]
    pub fn absorb_sync_body(
        &self,
        body: &str,
        own_user: &str,
    ) -> Option<Vec<Result<Event, String>>> {
        self.power.lock().unwrap_or_else(|p| p.into_inner()).clear();
        *self.recent.lock().unwrap_or_else(|p| p.into_inner()) = Recent::default();
        let reply: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        reply["next_batch"].as_str()?;
        self.absorb_state(&reply);
        let mut out = Vec::new();
        for (room, data) in reply["rooms"]["join"].as_object().into_iter().flatten() {
            for ev in data["timeline"]["events"].as_array().into_iter().flatten() {
                if ev["sender"].as_str() == Some(own_user) {
                    continue;
                }
                match self.normalise(room, ev) {
                    Ok(Some(event)) => out.push(Ok(event)),
                    Ok(None) => {}
                    Err(e) => out.push(Err(format!("{e:#}: {}", shorten(&ev.to_string())))),
                }
            }
        }
        Some(out)
    }

    /// Keeps power levels current from the sync's state and timeline.
    fn absorb_state(&self, reply: &Value) {
        let Some(rooms) = reply["rooms"]["join"].as_object() else {
            return;
        };
        let mut power = self.power.lock().unwrap_or_else(|p| p.into_inner());
        for (room, data) in rooms {
            for list in [&data["state"]["events"], &data["timeline"]["events"]] {
                for ev in list.as_array().into_iter().flatten() {
                    if ev["type"] == "m.room.power_levels" {
                        let mut levels = PowerLevels::from_content(&ev["content"]);
                        levels.creators = power
                            .get(room)
                            .map(|p| p.creators.clone())
                            .unwrap_or_default();
                        power.insert(room.clone(), levels);
                    }
                }
            }
        }
    }

    /// The sync's new events, oldest first. `since` is the token the sync
    /// started from: a room whose timeline the homeserver cut short
    /// (`limited`) is read back from there first.
    async fn events_of(
        &self,
        reply: &Value,
        since: Option<&str>,
        session: &Session,
        sink: &EventSink,
    ) -> Vec<Event> {
        let mut out = Vec::new();
        let Some(rooms) = reply["rooms"]["join"].as_object() else {
            return out;
        };
        for (room, data) in rooms {
            let mut gap = Vec::new();
            if data["timeline"]["limited"] == true {
                match (since, data["timeline"]["prev_batch"].as_str()) {
                    (Some(since), Some(prev_batch)) => {
                        gap = self.read_back(room, prev_batch, since).await;
                    }
                    _ => tracing::warn!(
                        connector = self.name,
                        room,
                        "the homeserver cut this room's timeline short and gave no way back; \
                         older events of this sync are not seen"
                    ),
                }
            }
            let timeline = data["timeline"]["events"].as_array().into_iter().flatten();
            for ev in gap.iter().chain(timeline) {
                if ev["sender"].as_str() == Some(session.user_id.as_str()) {
                    continue;
                }
                match self.normalise(room, ev) {
                    Ok(Some(event)) => out.push(event),
                    Ok(None) => {}
                    Err(e) => {
                        sink.reject(&format!("{e:#}"), shorten(&ev.to_string()))
                            .await
                    }
                }
            }
        }
        out
    }

    /// The events of `room` between two sync tokens (`from` back to `to`),
    /// oldest first, through `/messages`. A failure ends the read early,
    /// with a warning: what was read is still handled.
    async fn read_back(&self, room: &str, from: &str, to: &str) -> Vec<Value> {
        let mut newest_first: Vec<Value> = Vec::new();
        let mut from = from.to_string();
        loop {
            let path = format!(
                "/rooms/{}/messages?dir=b&limit=100&from={}&to={}",
                enc(room),
                enc(&from),
                enc(to)
            );
            let reply = match self
                .call(Method::GET, &path, None, Duration::from_secs(30))
                .await
            {
                Ok(reply) => reply,
                Err(e) => {
                    tracing::warn!(
                        connector = self.name,
                        room,
                        "reading back the events this sync skipped failed ({e}); \
                         {} of them are handled, older ones are not seen",
                        newest_first.len()
                    );
                    break;
                }
            };
            let chunk = reply["chunk"].as_array().cloned().unwrap_or_default();
            let next = reply["end"].as_str().map(String::from);
            if chunk.is_empty() {
                break;
            }
            newest_first.extend(chunk);
            if newest_first.len() >= MAX_BACKFILL {
                newest_first.truncate(MAX_BACKFILL);
                tracing::warn!(
                    connector = self.name,
                    room,
                    "more than {MAX_BACKFILL} events since the last sync; the older ones are not seen"
                );
                break;
            }
            match next {
                Some(next) if next != from => from = next,
                _ => break,
            }
        }
        tracing::info!(
            connector = self.name,
            room,
            "read back {} events the sync had skipped",
            newest_first.len()
        );
        newest_first.reverse();
        newest_first
    }

    /// A Matrix room event as a Vigie event (`None`: not one Vigie handles).
    fn normalise(&self, room: &str, ev: &Value) -> Result<Option<Event>> {
        let event_type = ev["type"].as_str().unwrap_or("");
        let content = &ev["content"];
        let relates = &content["m.relates_to"];
        let (kind, text, target, reaction) = match event_type {
            "m.room.message" => {
                if relates["rel_type"] == "m.replace" {
                    let new_body = content["m.new_content"]["body"]
                        .as_str()
                        .or(content["body"].as_str())
                        .unwrap_or("");
                    (
                        EventKind::Edit,
                        new_body.to_string(),
                        relates["event_id"].as_str().map(String::from),
                        None,
                    )
                } else {
                    let body = content["body"].as_str().unwrap_or("");
                    (EventKind::Message, body.to_string(), None, None)
                }
            }
            "m.reaction" => (
                EventKind::Reaction,
                String::new(),
                relates["event_id"].as_str().map(String::from),
                relates["key"].as_str().map(String::from),
            ),
            "m.room.redaction" => (
                EventKind::Deletion,
                String::new(),
                ev["redacts"]
                    .as_str()
                    .or(content["redacts"].as_str())
                    .map(String::from),
                None,
            ),
            "m.room.member" => {
                if ev["state_key"] != ev["sender"] {
                    return Ok(None);
                }
                match content["membership"].as_str() {
                    Some("join") if ev["unsigned"]["prev_content"]["membership"] != "join" => {
                        (EventKind::Join, String::new(), None, None)
                    }
                    Some("leave") => (EventKind::Leave, String::new(), None, None),
                    _ => return Ok(None),
                }
            }
            _ => return Ok(None),
        };
        let id = ev["event_id"]
            .as_str()
            .ok_or_else(|| anyhow!("event without event_id"))?;
        let sender = ev["sender"]
            .as_str()
            .ok_or_else(|| anyhow!("event {id} without sender"))?;
        let ts = ev["origin_server_ts"]
            .as_i64()
            .ok_or_else(|| anyhow!("event {id} without origin_server_ts"))?;
        let level = self
            .power
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(room)
            .map_or(0, |p| p.level(sender));
        let mut roles = Vec::new();
        if level >= 100 {
            roles.push("admin".to_string());
        }
        if level >= self.config.staff_level {
            roles.push("moderator".to_string());
        }
        let name = sender
            .trim_start_matches('@')
            .split(':')
            .next()
            .unwrap_or(sender)
            .to_string();
        self.recent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .saw(room, id, sender, &name);
        let timestamp = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ts) * 1_000_000)
            .map_err(|e| anyhow!("event {id}: bad origin_server_ts {ts}: {e}"))?;
        let reply_to = relates["m.in_reply_to"]["event_id"]
            .as_str()
            .map(String::from);
        let event = Event {
            id: id.to_string(),
            kind,
            platform: self.name.clone(),
            community: self.config.community.clone(),
            channel: room.to_string(),
            author: Author {
                id: sender.to_string(),
                name,
                roles,
                account_age_days: None,
                is_staff: level >= self.config.staff_level,
            },
            text,
            reply_to,
            reaction,
            target_message: target,
            timestamp,
            labels: Vec::new(),
        };
        event.validate().map_err(|e| anyhow!("event {id}: {e}"))?;
        Ok(Some(event))
    }
}

impl PowerLevels {
    fn from_content(content: &Value) -> PowerLevels {
        let users = content["users"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(u, l)| l.as_i64().map(|l| (u.clone(), l)))
                    .collect()
            })
            .unwrap_or_default();
        let level = |key: &str, default: i64| content[key].as_i64().unwrap_or(default);
        PowerLevels {
            users,
            users_default: level("users_default", 0),
            creators: Vec::new(),
            redact: level("redact", 50),
            kick: level("kick", 50),
            ban: level("ban", 50),
            post: content["events"]["m.room.message"]
                .as_i64()
                .unwrap_or_else(|| level("events_default", 0)),
        }
    }

    fn level(&self, user: &str) -> i64 {
        if self.creators.iter().any(|c| c == user) {
            return i64::MAX;
        }
        self.users.get(user).copied().unwrap_or(self.users_default)
    }
}

impl Connector for Matrix {
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
        shutdown: watch::Receiver<bool>,
    ) -> BoxFuture<'static, Result<()>> {
        Box::pin(self.sync_loop(cursor, sink, shutdown))
    }

    fn execute<'a>(
        &'a self,
        action: &'a DecidedAction,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Executed, DeliveryError>> {
        Box::pin(self.execute_action(action, key))
    }

    fn reverse<'a>(&'a self, r: &'a Reversal) -> BoxFuture<'a, Result<String, DeliveryError>> {
        Box::pin(async move {
            self.session().await?;
            let why = match &r.undone_by {
                Some(by) => format!("undone by {by}: {}", r.reason),
                None => format!("restriction expired: {}", r.reason),
            };
            self.membership(&r.channel, "unban", &r.user_id, &why).await
        })
    }

    fn reversible(&self) -> bool {
        true
    }

    fn rate_state(&self) -> RateState {
        self.rate.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Exponential back-off with jitter, 0.5 s to 60 s.
#[derive(Default)]
pub(crate) struct Backoff {
    attempt: u32,
}

impl Backoff {
    pub(crate) fn next(&mut self) -> Duration {
        use rand::Rng;
        let base = 500u64.saturating_mul(1 << self.attempt.min(7)).min(60_000);
        self.attempt += 1;
        let jitter = rand::thread_rng().gen_range(0..=base / 2);
        Duration::from_millis(base / 2 + jitter)
    }
}

/// Sleeps; true when the host is shutting down meanwhile.
pub(crate) async fn sleep_or_shutdown(d: Duration, shutdown: &mut watch::Receiver<bool>) -> bool {
    if *shutdown.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(d) => *shutdown.borrow(),
        _ = shutdown.changed() => true,
    }
}

/// Percent-encodes a path segment or query value.
fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// reqwest's errors carry the URL, whose query may hold a sync token; keep
/// the error's kind only.
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "bad body"
    } else {
        "transport error"
    };
    match std::error::Error::source(e) {
        Some(src) => format!("{kind}: {src}"),
        None => kind.to_string(),
    }
}

fn shorten(s: &str) -> String {
    if s.len() <= 300 {
        return s.to_string();
    }
    let mut end = 300;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("token"), "syt_test\n").unwrap();
        let parse = |extra: &str| -> Result<Matrix> {
            let text = format!(
                "community = \"acme\"\nhomeserver = \"http://127.0.0.1:8008\"\n\
                 access_token = \"file:token\"\n{extra}"
            );
            Matrix::new(toml::from_str(&text)?, dir.path())
        };
        assert!(parse("").is_ok());
        let error = |extra: &str| {
            parse(extra)
                .err()
                .map(|e| format!("{e:#}"))
                .unwrap_or_default()
        };
        assert!(error("timeline_limit = 0").contains("timeline_limit"));
        assert!(error("homeserver_typo = 1").contains("unknown field"));
    }
}
