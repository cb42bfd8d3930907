//! IRC (RFC 1459/2812 networks, with IRCv3 extensions when the server
//! offers them), over a plain TCP connection with a hand-written line codec.
//!
//! **Connection.** Registers (`PASS` when a password is configured, `CAP LS
//! 302`, `NICK`, `USER`), requests the IRCv3 capabilities it can use among
//! those offered (`message-tags`, `server-time`, `multi-prefix`,
//! `draft/message-redaction`), joins the channels and the staff channel,
//! answers `PING`, pings an idle server itself, and reconnects with
//! exponential back-off when the link drops. A nick already in use gets `_`
//! appended (then a digit).
//!
//! **Events.** `PRIVMSG` to a channel is a `message` (a CTCP `ACTION`, i.e.
//! `/me`, too; other CTCP requests are ignored), `PRIVMSG` to the bot a
//! `direct_message` (its channel is the sender's nick, so a reply goes back
//! to them), `JOIN` a `join`, `PART` and `QUIT` a `leave` (a `QUIT` once per
//! channel the user was seen in). The bot's own messages are ignored. The
//! id is the server's `msgid` tag when there is one, else a SHA-256 of
//! (kind, time in ms, nick, channel, text); the time is the `server-time`
//! tag when there is one, else the time of receipt. `author.id` is the
//! nick; `author.is_staff` comes from channel membership modes tracked
//! from `NAMES` and `MODE` (`staff_modes`, default owner/admin/op/halfop).
//!
//! **No history.** IRC keeps none: the cursor is only the time of the last
//! event handed to the host, and what was said while Vigie was not
//! connected is never seen (the log says since when).
//!
//! **Actions.** `post` and `dm` are `PRIVMSG`s (text split at newlines and
//! into pieces under 400 bytes on character boundaries, at most
//! [`MAX_LINES`] lines); `reply` is `PRIVMSG #chan :nick: text` (IRC has no
//! threads; the `+draft/reply` tag is added when the server speaks
//! `message-tags` and the message has a server `msgid`); `kick` is `KICK`;
//! `ban` is `MODE +b nick!*@*` followed by a `KICK` (with `duration_s`, the
//! host lifts it with `MODE -b` when due); `timeout` is `MODE +b` alone, a
//! mute: on usual servers (ngIRCd, Solanum, InspIRCd, UnrealIRCd) a banned
//! member stays in the channel but cannot speak or rejoin, and the host
//! lifts it with `MODE -b` when due; `delete` is `REDACT` when the server
//! offers `draft/message-redaction`, otherwise a permanent error; `react` is
//! a `TAGMSG` with `+draft/react` when the server speaks `message-tags`,
//! otherwise a permanent error; `flag` and `alert` go to `staff_channel`
//! (without one they are recorded only).
//!
//! **Errors.** Not connected, a failed write: retry. `KICK` and `MODE` wait
//! up to [`CONFIRM_WAIT`] for the server's answer: its echo of the command
//! (done), `ERR_CHANOPRIVSNEEDED` 482 (permanent: the bot is not a channel
//! operator), `ERR_NOSUCHCHANNEL` 403 (permanent), `ERR_NOTONCHANNEL` 442
//! (retry: the bot may be rejoining), `ERR_USERNOTINCHANNEL` 441 or
//! `ERR_NOSUCHNICK` 401 on a kick (done: the user is gone already). No
//! answer in time counts as done (the write succeeded; servers that
//! throttle commands may answer late).
//!
//! **Delivery is at least once here**: IRC has no idempotency keys, so a
//! crash between sending and the host's done mark sends again.
//!
//! **TLS** with `tls = true` (rustls; the public certificate authorities,
//! or those of `tls_ca_file`).
//!
//! Not supported: SASL (use `password`, sent as `PASS`, which
//! bouncers, Twitch and many networks' services accept), Twitch's chat
//! commands (Twitch removed them from IRC). The password never appears in
//! logs or errors.

use super::matrix::{sleep_or_shutdown, Backoff};
use super::{
    now_ms, BoxFuture, Connector, Credential, DeliveryError, EventSink, Executed, RateConfig,
    RateState,
};
use crate::action::{Action, DecidedAction};
use crate::event::{format_ms, Author, Event, EventKind};
use crate::store::Reversal;
use anyhow::{bail, Result};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// The receiving side of a connection, plain or TLS.
type ReadSide = Box<dyn AsyncRead + Send + Unpin>;
/// The sending side of a connection, plain or TLS.
type WriteSide = Box<dyn AsyncWrite + Send + Unpin>;
use tokio::sync::{broadcast, watch};

/// `[[connectors]] type = "irc"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IrcConfig {
    /// Default `irc`; names the connector in logs, the audit log and the
    /// store (keep it stable).
    #[serde(default)]
    pub name: Option<String>,
    /// The community this account serves; its channels are the channels.
    pub community: String,
    /// `host:port` of the server (port 6667 when left out).
    pub server: String,
    /// Connect with TLS (port 6697 when `server` gives none). The
    /// server's certificate must be valid for its host name and signed by
    /// a public certificate authority, or by `tls_ca_file`.
    #[serde(default)]
    pub tls: bool,
    /// PEM file of the certificate authorities to trust instead of the
    /// public ones (a private network, a self-signed server), relative to
    /// the config file's directory.
    #[serde(default)]
    pub tls_ca_file: Option<PathBuf>,
    /// The bot's nick; `_` (then a digit) is appended when it is taken.
    pub nick: String,
    /// The user name sent in `USER` (default: the nick).
    #[serde(default)]
    pub username: Option<String>,
    /// The "real name" shown by `WHOIS`.
    #[serde(default = "default_realname")]
    pub realname: String,
    /// Server password sent as `PASS` (also what bouncers, Twitch's
    /// `oauth:` tokens and many networks' services take), as `env:NAME`
    /// or `file:PATH`; never inline, never logged.
    #[serde(default)]
    pub password: Option<String>,
    /// Channels to join and watch, e.g. `["#general"]`.
    #[serde(default)]
    pub channels: Vec<String>,
    /// Channel where `flag` and `alert` actions are posted (joined too).
    /// Without it they are only recorded in the audit log.
    #[serde(default)]
    pub staff_channel: Option<String>,
    /// Channel membership modes that make a member staff, as mode letters
    /// or prefix symbols: default `qaoh` (owner, admin, op `@`, halfop `%`).
    #[serde(default = "default_staff_modes")]
    pub staff_modes: String,
    #[serde(default)]
    pub rate: RateConfig,
}

fn default_realname() -> String {
    "Vigie moderation bot".into()
}
fn default_staff_modes() -> String {
    "qaoh".into()
}

/// Longest line accepted from the server (8191 bytes of tags + 512).
const MAX_LINE: usize = 8191 + 512;
/// Outgoing text is cut into pieces of at most this many bytes, leaving
/// room for the prefix the server adds when relaying.
pub const TEXT_CHUNK: usize = 400;
/// Most lines one action may send (more would be flood-killed on many
/// networks); longer texts are refused, never cut silently.
pub const MAX_LINES: usize = 8;
/// How long `KICK` and `MODE` wait for the server's answer.
pub const CONFIRM_WAIT: Duration = Duration::from_secs(5);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const REGISTER_TIMEOUT: Duration = Duration::from_secs(60);
const WRITE_TIMEOUT: Duration = Duration::from_secs(15);
/// Silence after which the bot pings the server, and how long it then
/// waits for any line before calling the link dead.
const IDLE_PING: Duration = Duration::from_secs(120);
const PING_TIMEOUT: Duration = Duration::from_secs(60);
/// Recent message ids remembered (author, server id or not) for replies,
/// reactions, deletions and flags.
const RECENT: usize = 10_000;
/// IRCv3 capabilities used when offered.
const WANTED_CAPS: &[&str] = &[
    "message-tags",
    "server-time",
    "multi-prefix",
    "draft/message-redaction",
];

pub struct Irc {
    name: String,
    config: IrcConfig,
    /// `host:port`.
    addr: String,
    /// With `tls = true`.
    tls: Option<Tls>,
    password: Option<Credential>,
    /// Present while registered; `execute` writes through it.
    writer: tokio::sync::Mutex<Option<WriteSide>>,
    state: Mutex<State>,
    /// Every line received while registered, for `execute` to see the
    /// server's answer to a `KICK` or `MODE`.
    replies: broadcast::Sender<Arc<Message>>,
}

/// A TLS client set up once from the config: who to trust, and the name
/// the server's certificate must carry.
struct Tls {
    connector: tokio_rustls::TlsConnector,
    server_name: rustls_pki_types::ServerName<'static>,
}

impl Tls {
    fn new(addr: &str, ca_file: Option<&Path>, base_dir: &Path, what: &str) -> Result<Tls> {
        let mut roots = tokio_rustls::rustls::RootCertStore::empty();
        match ca_file {
            Some(file) => {
                use rustls_pki_types::pem::PemObject;
                let path = base_dir.join(file);
                let certs = rustls_pki_types::CertificateDer::pem_file_iter(&path)
                    .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                    .map_err(|e| anyhow::anyhow!("{what}: cannot read {}: {e}", path.display()))?;
                if certs.is_empty() {
                    bail!("{what}: {} holds no PEM certificate", path.display());
                }
                for cert in certs {
                    roots.add(cert).map_err(|e| {
                        anyhow::anyhow!(
                            "{what}: a certificate in {} is unusable: {e}",
                            path.display()
                        )
                    })?;
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
            tokio_rustls::rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| anyhow::anyhow!("TLS setup: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let host = addr.rsplit_once(':').map_or(addr, |(host, _)| host);
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let server_name =
            rustls_pki_types::ServerName::try_from(host.to_string()).map_err(|e| {
                anyhow::anyhow!("server: `{host}` is not a host name TLS can check: {e}")
            })?;
        Ok(Tls {
            connector: tokio_rustls::TlsConnector::from(Arc::new(config)),
            server_name,
        })
    }
}

/// What the connection task learns and `execute` reads.
#[derive(Default)]
struct State {
    /// The bot's nick on this connection (may differ from the config's).
    nick: String,
    caps: HashSet<String>,
    isupport: Isupport,
    /// Channel (lower case) → its members.
    members: HashMap<String, Members>,
    recent: Recent,
}

/// One channel's members as tracked from `NAMES`, `JOIN`, `MODE`…
#[derive(Default)]
struct Members {
    /// The channel's name as the server spelt it.
    name: String,
    /// Nick (lower case) → membership mode letters (`o`, `h`, `v`…).
    nicks: HashMap<String, String>,
}

impl State {
    fn channel(&mut self, name: &str) -> &mut Members {
        let members = self.members.entry(lower(name)).or_default();
        if members.name.is_empty() {
            members.name = name.to_string();
        }
        members
    }
}

/// The `005` (ISUPPORT) values the connector uses.
#[derive(Debug, Clone)]
struct Isupport {
    /// (mode letter, prefix symbol), highest first.
    prefix: Vec<(char, char)>,
    chantypes: String,
    /// CHANMODES types A (lists), B, C (parameter when set), D.
    chanmodes: [String; 4],
}

impl Default for Isupport {
    fn default() -> Self {
        Isupport {
            prefix: vec![('o', '@'), ('v', '+')],
            chantypes: "#&".into(),
            chanmodes: ["beI".into(), "k".into(), "l".into(), "imnpst".into()],
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct RecentMsg {
    nick: String,
    /// The id is the server's `msgid` (usable in tags and `REDACT`).
    server_id: bool,
}

#[derive(Default)]
struct Recent {
    order: VecDeque<String>,
    by_id: HashMap<String, RecentMsg>,
}

impl Recent {
    fn insert(&mut self, id: String, msg: RecentMsg) {
        if self.by_id.insert(id.clone(), msg).is_none() {
            self.order.push_back(id);
            if self.order.len() > RECENT {
                if let Some(old) = self.order.pop_front() {
                    self.by_id.remove(&old);
                }
            }
        }
    }
}

/// One IRC protocol message.
#[derive(Debug, Clone, PartialEq, Default)]
struct Message {
    tags: HashMap<String, String>,
    prefix: Option<String>,
    /// Upper case (`PRIVMSG`, `001`).
    command: String,
    params: Vec<String>,
}

impl Message {
    /// Parses `[@tags] [:prefix] COMMAND params… [:trailing]`; `None` when
    /// there is no command.
    fn parse(line: &str) -> Option<Message> {
        let mut rest = line.trim_end_matches(['\r', '\n']);
        let mut tags = HashMap::new();
        if let Some(r) = rest.strip_prefix('@') {
            let (raw, r) = r.split_once(' ')?;
            for item in raw.split(';').filter(|s| !s.is_empty()) {
                let (k, v) = item.split_once('=').unwrap_or((item, ""));
                tags.insert(k.to_string(), unescape_tag(v));
            }
            rest = r.trim_start_matches(' ');
        }
        let mut prefix = None;
        if let Some(r) = rest.strip_prefix(':') {
            let (p, r) = r.split_once(' ')?;
            prefix = Some(p.to_string());
            rest = r.trim_start_matches(' ');
        }
        let (command, mut rest) = rest.split_once(' ').unwrap_or((rest, ""));
        if command.is_empty() {
            return None;
        }
        let mut params = Vec::new();
        loop {
            rest = rest.trim_start_matches(' ');
            if rest.is_empty() {
                break;
            }
            if let Some(trailing) = rest.strip_prefix(':') {
                params.push(trailing.to_string());
                break;
            }
            match rest.split_once(' ') {
                Some((p, r)) => {
                    params.push(p.to_string());
                    rest = r;
                }
                None => {
                    params.push(rest.to_string());
                    break;
                }
            }
        }
        Some(Message {
            tags,
            prefix,
            command: command.to_ascii_uppercase(),
            params,
        })
    }

    /// The nick of the prefix (`nick!user@host` → `nick`).
    fn nick(&self) -> &str {
        let prefix = self.prefix.as_deref().unwrap_or("");
        prefix.split(['!', '@']).next().unwrap_or(prefix)
    }

    fn param(&self, i: usize) -> &str {
        self.params.get(i).map_or("", String::as_str)
    }

    fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

fn unescape_tag(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(':') => out.push(';'),
            Some('s') => out.push(' '),
            Some('r') => out.push('\r'),
            Some('n') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn escape_tag(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            ';' => out.push_str("\\:"),
            ' ' => out.push_str("\\s"),
            '\\' => out.push_str("\\\\"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn eq_ci(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

impl Isupport {
    fn absorb(&mut self, tokens: &[String]) {
        for token in tokens {
            let (key, value) = token.split_once('=').unwrap_or((token, ""));
            match key {
                "PREFIX" => {
                    if let Some((modes, symbols)) =
                        value.strip_prefix('(').and_then(|v| v.split_once(')'))
                    {
                        let prefix: Vec<_> = modes.chars().zip(symbols.chars()).collect();
                        if !prefix.is_empty() {
                            self.prefix = prefix;
                        }
                    }
                }
                "CHANTYPES" if !value.is_empty() => self.chantypes = value.to_string(),
                "CHANMODES" => {
                    let parts: Vec<&str> = value.split(',').collect();
                    if parts.len() >= 4 {
                        for (slot, part) in self.chanmodes.iter_mut().zip(parts) {
                            *slot = part.to_string();
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn is_channel(&self, target: &str) -> bool {
        target
            .chars()
            .next()
            .is_some_and(|c| self.chantypes.contains(c))
    }

    /// `@%nick` (or `@nick!user@host`) → (`oh`, `nick`).
    fn split_names_entry<'a>(&self, entry: &'a str) -> (String, &'a str) {
        let mut modes = String::new();
        let mut rest = entry;
        while let Some(c) = rest.chars().next() {
            match self.prefix.iter().find(|(_, s)| *s == c) {
                Some((m, _)) => {
                    modes.push(*m);
                    rest = &rest[c.len_utf8()..];
                }
                None => break,
            }
        }
        let nick = rest.split('!').next().unwrap_or(rest);
        (modes, nick)
    }

    /// Whether membership modes `modes` (letters) include a staff mode
    /// (`staff` holds letters or symbols).
    fn is_staff(&self, modes: &str, staff: &str) -> bool {
        modes.chars().any(|m| {
            staff.contains(m)
                || self
                    .prefix
                    .iter()
                    .any(|(letter, symbol)| *letter == m && staff.contains(*symbol))
        })
    }

    fn role(&self, mode: char) -> Option<&'static str> {
        Some(match mode {
            'q' => "owner",
            'a' => "admin",
            'o' => "op",
            'h' => "halfop",
            'v' => "voice",
            _ => return None,
        })
    }
}

impl State {
    /// Applies a channel `MODE` to the tracked membership modes.
    fn apply_modes(&mut self, channel: &str, params: &[String]) {
        let Some((modes, args)) = params.split_first() else {
            return;
        };
        let mut args = args.iter();
        let mut adding = true;
        for c in modes.chars() {
            match c {
                '+' => adding = true,
                '-' => adding = false,
                c if self.isupport.prefix.iter().any(|(m, _)| *m == c) => {
                    let Some(nick) = args.next() else { return };
                    if let Some(member) = self
                        .members
                        .get_mut(&lower(channel))
                        .and_then(|m| m.nicks.get_mut(&lower(nick)))
                    {
                        if adding && !member.contains(c) {
                            member.push(c);
                        } else if !adding {
                            member.retain(|m| m != c);
                        }
                    }
                }
                c if self.isupport.chanmodes[0].contains(c)
                    || self.isupport.chanmodes[1].contains(c) =>
                {
                    args.next();
                }
                // Type C takes a parameter only when set.
                c if adding && self.isupport.chanmodes[2].contains(c) => {
                    args.next();
                }
                _ => {}
            }
        }
    }

    fn modes_of(&self, channel: &str, nick: &str) -> String {
        self.members
            .get(&lower(channel))
            .and_then(|m| m.nicks.get(&lower(nick)))
            .cloned()
            .unwrap_or_default()
    }
}

impl Irc {
    pub fn new(config: IrcConfig, base_dir: &Path) -> Result<Irc> {
        let name = config.name.clone().unwrap_or_else(|| "irc".into());
        let what = |key: &str| format!("connector `{name}`: {key}");
        if config.tls_ca_file.is_some() && !config.tls {
            bail!("{}: is set but `tls` is not", what("tls_ca_file"));
        }
        if config.server.trim().is_empty() || config.server.contains(char::is_whitespace) {
            bail!("{}: give it as `host:port`", what("server"));
        }
        let addr = match config.server.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
                config.server.clone()
            }
            _ if config.tls => format!("{}:6697", config.server),
            _ => format!("{}:6667", config.server),
        };
        let tls = if config.tls {
            Some(Tls::new(
                &addr,
                config.tls_ca_file.as_deref(),
                base_dir,
                &what("tls_ca_file"),
            )?)
        } else {
            None
        };
        if !valid_word(&config.nick) || config.nick.starts_with(['#', '&', '$']) {
            bail!("{}: `{}` is not a valid nick", what("nick"), config.nick);
        }
        if let Some(user) = &config.username {
            if !valid_word(user) {
                bail!("{}: `{user}` is not a valid user name", what("username"));
            }
        }
        if config.realname.contains(['\r', '\n', '\0']) {
            bail!("{}: must be one line", what("realname"));
        }
        for channel in config.channels.iter().chain(&config.staff_channel) {
            if !valid_word(channel) || !channel.starts_with(['#', '&', '+', '!']) {
                bail!(
                    "{}: `{channel}` is not a channel name (they start with `#`)",
                    what("channels")
                );
            }
        }
        let password = match &config.password {
            Some(p) => Some(Credential::resolve(p, base_dir, &what("password"))?),
            None => None,
        };
        if password
            .as_ref()
            .is_some_and(|p| p.expose().contains(['\r', '\n', '\0']))
        {
            bail!("{}: the secret must be one line", what("password"));
        }
        let (replies, _) = broadcast::channel(256);
        Ok(Irc {
            name,
            addr,
            tls,
            password,
            writer: tokio::sync::Mutex::new(None),
            state: Mutex::new(State::default()),
            replies,
            config,
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes lines while registered; a failed write drops the writer (the
    /// connection task then notices the link is gone).
    async fn send_lines(&self, lines: &[String]) -> Result<(), DeliveryError> {
        let mut guard = self.writer.lock().await;
        let Some(writer) = guard.as_mut() else {
            return Err(DeliveryError::Retry {
                after: Some(Duration::from_secs(5)),
                error: "not connected to the IRC server".into(),
            });
        };
        let buf = frame(lines);
        let error = match tokio::time::timeout(WRITE_TIMEOUT, writer.write_all(&buf)).await {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(e)) => format!("writing to the IRC server failed: {e}"),
            Err(_) => "writing to the IRC server timed out".to_string(),
        };
        *guard = None;
        Err(DeliveryError::Retry { after: None, error })
    }

    async fn execute_action(&self, decided: &DecidedAction) -> Result<Executed, DeliveryError> {
        let plan = {
            let st = self.state();
            let target = decided
                .action
                .message_id()
                .and_then(|id| st.recent.by_id.get(id))
                .cloned();
            let ctx = Ctx {
                tags: st.caps.contains("message-tags"),
                redaction: st.caps.contains("draft/message-redaction"),
                staff_channel: self.config.staff_channel.as_deref(),
                target: target.as_ref(),
                isupport: &st.isupport,
                now_ms: now_ms(),
            };
            plan(decided, &ctx)?
        };
        let platform_reply = self.run_plan(&plan).await?;
        Ok(Executed {
            platform_reply,
            reversal_due_ms: plan.reversal_due_ms,
            // IRC messages have no ids.
            sent_message_id: None,
        })
    }

    /// Sends the plan's lines and waits for the answers it expects.
    async fn run_plan(&self, plan: &Plan) -> Result<String, DeliveryError> {
        if plan.lines.is_empty() {
            return Ok(plan.reply.clone());
        }
        let mut rx = self.replies.subscribe();
        self.send_lines(&plan.lines).await?;
        if plan.confirm.is_empty() {
            return Ok(plan.reply.clone());
        }
        let deadline = tokio::time::Instant::now() + CONFIRM_WAIT;
        let mut answers = Vec::new();
        for confirm in &plan.confirm {
            let answer = loop {
                let msg = match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Err(_) => {
                        break format!(
                            "{} sent (no answer within {} s)",
                            confirm.what(),
                            CONFIRM_WAIT.as_secs()
                        )
                    }
                    Ok(Err(broadcast::error::RecvError::Lagged(_))) => continue,
                    Ok(Err(broadcast::error::RecvError::Closed)) => {
                        break format!("{} sent", confirm.what())
                    }
                    Ok(Ok(msg)) => msg,
                };
                let me = self.state().nick.clone();
                if let Some(answer) = confirm.judge(&msg, &me) {
                    break answer?;
                }
            };
            answers.push(answer);
        }
        Ok(answers.join("; "))
    }

    async fn run(
        self: Arc<Self>,
        cursor: Option<String>,
        sink: EventSink,
        mut shutdown: watch::Receiver<bool>,
    ) -> Result<()> {
        if let Some(ms) = cursor.and_then(|c| c.parse::<i64>().ok()) {
            tracing::info!(
                connector = self.name,
                "IRC keeps no history: what was said after {} while Vigie was not connected is not seen",
                format_ms(ms)
            );
        }
        let mut backoff = Backoff::default();
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            let ended = self.session(&sink, &mut shutdown, &mut backoff).await;
            *self.writer.lock().await = None;
            self.state().members.clear();
            match ended? {
                Ended::Shutdown => return Ok(()),
                Ended::Lost(why) => {
                    let wait = backoff.next();
                    tracing::warn!(
                        connector = self.name,
                        server = self.addr,
                        "IRC connection lost ({why}); reconnecting in {wait:?}"
                    );
                    if sleep_or_shutdown(wait, &mut shutdown).await {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Opens the TCP connection and, with `tls`, the TLS session over it
    /// (the server's certificate checked against `tls_ca_file` or the
    /// public roots, and its name against the server's host name).
    async fn connect(&self) -> Result<(ReadSide, WriteSide), String> {
        let stream = TcpStream::connect(&self.addr)
            .await
            .map_err(|e| format!("cannot connect: {e}"))?;
        let _ = stream.set_nodelay(true);
        let Some(tls) = &self.tls else {
            let (read, write) = stream.into_split();
            return Ok((Box::new(read), Box::new(write)));
        };
        let stream = tls
            .connector
            .connect(tls.server_name.clone(), stream)
            .await
            .map_err(|e| format!("TLS handshake failed: {e}"))?;
        let (read, write) = tokio::io::split(stream);
        Ok((Box::new(read), Box::new(write)))
    }

    /// One connection, from connect to loss. `Err` only for what
    /// reconnecting cannot fix (the store failing, a refused nick).
    async fn session(
        &self,
        sink: &EventSink,
        shutdown: &mut watch::Receiver<bool>,
        backoff: &mut Backoff,
    ) -> Result<Ended> {
        let (read, mut write) = match tokio::time::timeout(CONNECT_TIMEOUT, self.connect()).await {
            Ok(Ok(sides)) => sides,
            Ok(Err(e)) => return Ok(Ended::Lost(e)),
            Err(_) => return Ok(Ended::Lost("connecting timed out".into())),
        };
        let mut reader = LineReader::new(read);

        // Registration, on the local writer.
        let mut nick = self.config.nick.clone();
        let mut lines = Vec::new();
        if let Some(p) = &self.password {
            lines.push(format!("PASS :{}", p.expose()));
        }
        lines.push("CAP LS 302".into());
        lines.push(format!("NICK {nick}"));
        lines.push(format!(
            "USER {} 0 * :{}",
            self.config.username.as_deref().unwrap_or(&self.config.nick),
            self.config.realname
        ));
        if let Err(e) = write_local(&mut write, &lines).await {
            return Ok(Ended::Lost(e));
        }
        let mut offered: Vec<String> = Vec::new();
        let mut caps = HashSet::new();
        let mut isupport = Isupport::default();
        let mut attempt = 0u32;
        let deadline = tokio::time::Instant::now() + REGISTER_TIMEOUT;
        loop {
            let line = tokio::select! {
                r = tokio::time::timeout_at(deadline, reader.next_line()) => match r {
                    Err(_) => return Ok(Ended::Lost("registration timed out".into())),
                    Ok(Err(e)) => return Ok(Ended::Lost(format!("read failed: {e}"))),
                    Ok(Ok(None)) => return Ok(Ended::Lost("the server closed the connection during registration".into())),
                    Ok(Ok(Some(line))) => line,
                },
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        let _ = write_local(&mut write, &["QUIT :Vigie shutting down".into()]).await;
                        return Ok(Ended::Shutdown);
                    }
                    continue;
                }
            };
            let Some(msg) = Message::parse(&line) else {
                continue;
            };
            let reply: Vec<String> = match msg.command.as_str() {
                "PING" => vec![format!("PONG :{}", msg.param(0))],
                "CAP" => match msg.param(1).to_ascii_uppercase().as_str() {
                    "LS" => {
                        let more = msg.params.len() >= 4 && msg.param(2) == "*";
                        let list = msg.params.last().map_or("", String::as_str);
                        offered.extend(
                            list.split(' ')
                                .filter(|c| !c.is_empty())
                                .map(|c| c.split('=').next().unwrap_or(c).to_string()),
                        );
                        if more {
                            Vec::new()
                        } else {
                            let wanted: Vec<&str> = WANTED_CAPS
                                .iter()
                                .copied()
                                .filter(|w| offered.iter().any(|o| o == w))
                                .collect();
                            if wanted.is_empty() {
                                vec!["CAP END".into()]
                            } else {
                                vec![format!("CAP REQ :{}", wanted.join(" "))]
                            }
                        }
                    }
                    "ACK" => {
                        caps.extend(
                            msg.params
                                .last()
                                .map_or("", String::as_str)
                                .split(' ')
                                .filter(|c| !c.is_empty() && !c.starts_with('-'))
                                .map(String::from),
                        );
                        vec!["CAP END".into()]
                    }
                    "NAK" => vec!["CAP END".into()],
                    _ => Vec::new(),
                },
                "433" | "432" | "437" => {
                    if msg.command == "432" && attempt == 0 {
                        bail!(
                            "the server refuses the nick `{nick}` as invalid (432): change `nick`"
                        );
                    }
                    attempt += 1;
                    if attempt > 12 {
                        return Ok(Ended::Lost("no free nick found".into()));
                    }
                    nick = alternative_nick(&self.config.nick, attempt);
                    vec![format!("NICK {nick}")]
                }
                "464" => {
                    return Ok(Ended::Lost(
                        "the server refused the password (464 ERR_PASSWDMISMATCH)".into(),
                    ))
                }
                "465" => {
                    return Ok(Ended::Lost(
                        "the bot is banned from this server (465)".into(),
                    ))
                }
                "ERROR" => {
                    return Ok(Ended::Lost(format!(
                        "the server closed the link: {}",
                        msg.param(0)
                    )))
                }
                "005" => {
                    isupport.absorb(msg.params.get(1..).unwrap_or_default());
                    Vec::new()
                }
                "001" => {
                    if !msg.param(0).is_empty() {
                        nick = msg.param(0).to_string();
                    }
                    break;
                }
                _ => Vec::new(),
            };
            if !reply.is_empty() {
                if let Err(e) = write_local(&mut write, &reply).await {
                    return Ok(Ended::Lost(e));
                }
            }
        }

        {
            let mut st = self.state();
            st.nick = nick.clone();
            st.caps = caps;
            st.isupport = isupport;
            st.members.clear();
        }
        let mut joins: Vec<String> = Vec::new();
        for channel in self
            .config
            .channels
            .iter()
            .chain(&self.config.staff_channel)
        {
            if !joins.iter().any(|j| eq_ci(j, channel)) {
                joins.push(channel.clone());
            }
        }
        let join_lines: Vec<String> = joins.iter().map(|c| format!("JOIN {c}")).collect();
        if let Err(e) = write_local(&mut write, &join_lines).await {
            return Ok(Ended::Lost(e));
        }
        *self.writer.lock().await = Some(write);
        *backoff = Backoff::default();
        let mut caps: Vec<String> = self.state().caps.iter().cloned().collect();
        caps.sort();
        let caps = caps.join(" ");
        sink.connected(&format!(
            "connected to IRC {} as {nick} (capabilities: {}); joining {}",
            self.addr,
            if caps.is_empty() { "none" } else { &caps },
            joins.join(" ")
        ));

        let mut pinged = false;
        loop {
            let wait = if pinged { PING_TIMEOUT } else { IDLE_PING };
            let next = tokio::select! {
                r = tokio::time::timeout(wait, reader.next_line()) => r,
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        let _ = self.send_lines(&["QUIT :Vigie shutting down".into()]).await;
                        return Ok(Ended::Shutdown);
                    }
                    continue;
                }
            };
            let line = match next {
                Err(_) if !pinged => {
                    pinged = true;
                    if let Err(e) = self.send_lines(&["PING :vigie".into()]).await {
                        return Ok(Ended::Lost(e.to_string()));
                    }
                    continue;
                }
                Err(_) => return Ok(Ended::Lost("no answer to PING".into())),
                Ok(Err(e)) => return Ok(Ended::Lost(format!("read failed: {e}"))),
                Ok(Ok(None)) => return Ok(Ended::Lost("the server closed the connection".into())),
                Ok(Ok(Some(line))) => line,
            };
            pinged = false;
            let Some(msg) = Message::parse(&line) else {
                sink.reject("not an IRC message", line).await;
                continue;
            };
            match msg.command.as_str() {
                "PING" => {
                    if let Err(e) = self.send_lines(&[format!("PONG :{}", msg.param(0))]).await {
                        return Ok(Ended::Lost(e.to_string()));
                    }
                    continue;
                }
                "ERROR" => {
                    return Ok(Ended::Lost(format!(
                        "the server closed the link: {}",
                        msg.param(0)
                    )))
                }
                "473" | "474" | "475" | "471" | "403" | "405"
                    if joins.iter().any(|j| eq_ci(j, msg.param(1))) =>
                {
                    tracing::warn!(
                        connector = self.name,
                        "cannot join {}: {} ({})",
                        msg.param(1),
                        msg.params.last().map_or("", String::as_str),
                        msg.command
                    );
                }
                _ => {}
            }
            let outcome = self.absorb(&msg);
            let msg = Arc::new(msg);
            if self.replies.receiver_count() > 0 {
                let _ = self.replies.send(msg.clone());
            }
            for item in outcome {
                match item {
                    Ok(event) => {
                        let cursor = event.timestamp_ms().to_string();
                        if !sink.deliver(&cursor, vec![event]).await? {
                            return Ok(Ended::Shutdown);
                        }
                    }
                    Err(error) => sink.reject(&error, line.clone()).await,
                }
            }
        }
    }

    /// What a registered session does with the bytes a server sends: each
    /// line (cut at LF, CR trimmed, invalid UTF-8 replaced, too long
    /// skipped) parsed, then absorbed. `fuzz/` calls it: `Message` and the
    /// session stay private, and this is the path a stranger's line takes.
    #[doc(hidden)]
    pub fn absorb_server_bytes(&self, bytes: &[u8]) -> Vec<Result<Event, String>> {
        {
            let mut st = self.state();
            if st.nick.is_empty() {
                st.nick = self.config.nick.clone();
            }
        }
        let mut out = Vec::new();
        for raw in bytes.split(|&b| b == b'\n') {
            if raw.len() > MAX_LINE {
                continue;
            }
            let line = String::from_utf8_lossy(raw);
            let line = line.trim_end_matches('\r');
            if line.is_empty() {
                continue;
            }
            if let Some(msg) = Message::parse(line) {
                out.extend(self.absorb(&msg));
            }
        }
        out
    }

    /// Updates the tracked state from one message and returns the events
    /// it makes (or why it could not make one).
    fn absorb(&self, msg: &Message) -> Vec<Result<Event, String>> {
        let mut st = self.state();
        let from = msg.nick().to_string();
        let own = eq_ci(&from, &st.nick);
        let mut out = Vec::new();
        match msg.command.as_str() {
            "005" => {
                let tokens = msg.params.get(1..).unwrap_or_default().to_vec();
                st.isupport.absorb(&tokens);
            }
            "353" => {
                let channel = msg.param(2);
                let entries: Vec<(String, String)> = msg
                    .param(3)
                    .split(' ')
                    .filter(|e| !e.is_empty())
                    .map(|e| {
                        let (modes, nick) = st.isupport.split_names_entry(e);
                        (lower(nick), modes)
                    })
                    .collect();
                st.channel(channel).nicks.extend(entries);
            }
            "NICK" => {
                let new = msg.param(0).to_string();
                if own {
                    st.nick = new.clone();
                }
                for members in st.members.values_mut() {
                    if let Some(modes) = members.nicks.remove(&lower(&from)) {
                        members.nicks.insert(lower(&new), modes);
                    }
                }
            }
            "JOIN" => {
                let channel = msg.param(0);
                if own {
                    st.members.remove(&lower(channel));
                    st.channel(channel);
                } else {
                    st.channel(channel)
                        .nicks
                        .insert(lower(&from), String::new());
                    out.push(self.event(&mut st, msg, EventKind::Join, channel, &from, ""));
                }
            }
            "PART" => {
                for channel in msg.param(0).split(',').filter(|c| !c.is_empty()) {
                    if own {
                        st.members.remove(&lower(channel));
                    } else {
                        out.push(self.event(
                            &mut st,
                            msg,
                            EventKind::Leave,
                            channel,
                            &from,
                            msg.param(1),
                        ));
                        if let Some(m) = st.members.get_mut(&lower(channel)) {
                            m.nicks.remove(&lower(&from));
                        }
                    }
                }
            }
            "QUIT" if !own => {
                let mut channels: Vec<String> = st
                    .members
                    .values()
                    .filter(|m| m.nicks.contains_key(&lower(&from)))
                    .map(|m| m.name.clone())
                    .collect();
                channels.sort();
                for channel in channels {
                    out.push(self.event(
                        &mut st,
                        msg,
                        EventKind::Leave,
                        &channel,
                        &from,
                        msg.param(0),
                    ));
                    if let Some(m) = st.members.get_mut(&lower(&channel)) {
                        m.nicks.remove(&lower(&from));
                    }
                }
            }
            "KICK" => {
                let (channel, victim) = (msg.param(0), msg.param(1));
                if eq_ci(victim, &st.nick) {
                    st.members.remove(&lower(channel));
                    tracing::warn!(
                        connector = self.name,
                        "kicked from {channel} by {from} ({}); it is rejoined on the next connection",
                        msg.param(2)
                    );
                } else if let Some(m) = st.members.get_mut(&lower(channel)) {
                    m.nicks.remove(&lower(victim));
                }
            }
            "MODE" => {
                let target = msg.param(0).to_string();
                if st.isupport.is_channel(&target) {
                    st.apply_modes(&target, msg.params.get(1..).unwrap_or_default());
                }
            }
            "PRIVMSG" if !own && !from.is_empty() => {
                let target = msg.param(0);
                let mut text = msg.param(1).to_string();
                if let Some(ctcp) = text.strip_prefix('\u{1}') {
                    let ctcp = ctcp.trim_end_matches('\u{1}');
                    match ctcp.strip_prefix("ACTION") {
                        Some(action) => text = action.trim_start().to_string(),
                        None => return out,
                    }
                }
                let (kind, channel) = if st.isupport.is_channel(target) {
                    (EventKind::Message, target.to_string())
                } else if eq_ci(target, &st.nick) {
                    (EventKind::DirectMessage, from.clone())
                } else {
                    return out;
                };
                out.push(self.event(&mut st, msg, kind, &channel, &from, &text));
            }
            _ => {}
        }
        out
    }

    /// Builds one normalised event.
    fn event(
        &self,
        st: &mut State,
        msg: &Message,
        kind: EventKind,
        channel: &str,
        nick: &str,
        text: &str,
    ) -> Result<Event, String> {
        let ts_ms = msg
            .tag("time")
            .and_then(|t| {
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
            })
            .map_or_else(now_ms, |t| (t.unix_timestamp_nanos() / 1_000_000) as i64);
        let timestamp =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ts_ms) * 1_000_000)
                .map_err(|e| format!("bad time {ts_ms}: {e}"))?;
        let (id, server_id) = match msg.tag("msgid") {
            Some(id) => (id.to_string(), true),
            None => (derived_id(kind, ts_ms, nick, channel, text), false),
        };
        // Staff in this channel; for a direct message, staff in any channel.
        let modes = if kind == EventKind::DirectMessage {
            st.members
                .values()
                .filter_map(|m| m.nicks.get(&lower(nick)))
                .flat_map(|m| m.chars())
                .collect::<String>()
        } else {
            st.modes_of(channel, nick)
        };
        let mut roles: Vec<String> = Vec::new();
        for m in modes.chars() {
            if let Some(role) = st.isupport.role(m) {
                if !roles.iter().any(|r| r == role) {
                    roles.push(role.to_string());
                }
            }
        }
        let is_staff =
            st.isupport.is_staff(&modes, &self.config.staff_modes) || msg.tag("mod") == Some("1");
        if matches!(kind, EventKind::Message | EventKind::DirectMessage) {
            st.recent.insert(
                id.clone(),
                RecentMsg {
                    nick: nick.to_string(),
                    server_id,
                },
            );
        }
        let event = Event {
            id,
            kind,
            platform: self.name.clone(),
            community: self.config.community.clone(),
            channel: channel.to_string(),
            author: Author {
                id: nick.to_string(),
                name: msg.tag("display-name").unwrap_or(nick).to_string(),
                roles,
                account_age_days: None,
                is_staff,
            },
            text: text.to_string(),
            reply_to: msg.tag("+draft/reply").map(String::from),
            reaction: None,
            target_message: None,
            timestamp,
            labels: Vec::new(),
        };
        event
            .validate()
            .map_err(|e| format!("IRC {}: {e}", msg.command))?;
        Ok(event)
    }
}

enum Ended {
    Shutdown,
    Lost(String),
}

/// Reads lines (up to `\n`, `\r` trimmed, invalid UTF-8 replaced) without
/// losing data when a read is cancelled (timeouts, shutdown).
struct LineReader {
    reader: BufReader<ReadSide>,
    buf: Vec<u8>,
    discarding: bool,
}

impl LineReader {
    fn new(read: ReadSide) -> Self {
        LineReader {
            reader: BufReader::new(read),
            buf: Vec::new(),
            discarding: false,
        }
    }

    /// The next non-empty line; `None` at the end of the stream. Lines
    /// longer than [`MAX_LINE`] are skipped.
    async fn next_line(&mut self) -> std::io::Result<Option<String>> {
        loop {
            let available = self.reader.fill_buf().await?;
            if available.is_empty() {
                return Ok(None);
            }
            let (used, complete) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            if !self.discarding {
                let end = if complete { used - 1 } else { used };
                self.buf.extend_from_slice(&available[..end]);
            }
            self.reader.consume(used);
            if self.buf.len() > MAX_LINE {
                self.buf.clear();
                self.discarding = true;
            }
            if complete {
                if std::mem::take(&mut self.discarding) {
                    tracing::warn!("skipped an IRC line longer than {MAX_LINE} bytes");
                    continue;
                }
                let line = String::from_utf8_lossy(&self.buf)
                    .trim_end_matches('\r')
                    .to_string();
                self.buf.clear();
                if !line.is_empty() {
                    return Ok(Some(line));
                }
            }
        }
    }
}

fn frame(lines: &[String]) -> Vec<u8> {
    let mut buf = Vec::new();
    for line in lines {
        buf.extend_from_slice(line.as_bytes());
        buf.extend_from_slice(b"\r\n");
    }
    buf
}

/// Writes during registration; the error never contains the lines (one
/// may hold the password).
async fn write_local(write: &mut WriteSide, lines: &[String]) -> Result<(), String> {
    match tokio::time::timeout(WRITE_TIMEOUT, write.write_all(&frame(lines))).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("write failed: {e}")),
        Err(_) => Err("write timed out".into()),
    }
}

fn alternative_nick(base: &str, attempt: u32) -> String {
    if attempt == 1 {
        format!("{base}_")
    } else {
        let keep: String = base.chars().take(base.chars().count().max(2) - 1).collect();
        format!("{keep}{}", attempt - 1)
    }
}

/// The id of an event without a server `msgid`: stable for the same
/// message (same time to the ms, nick, channel, text).
fn derived_id(kind: EventKind, ts_ms: i64, nick: &str, channel: &str, text: &str) -> String {
    let mut h = Sha256::new();
    h.update(format!("{kind:?}\n{ts_ms}\n{}\n{}\n", lower(nick), lower(channel)).as_bytes());
    h.update(text.as_bytes());
    format!("irc-{}", &hex::encode(h.finalize())[..32])
}

/// A nick, channel, user name: one word, nothing that would end or split
/// an IRC command.
fn valid_word(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(':')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ',')
}

fn check_target(target: &str) -> Result<(), DeliveryError> {
    if valid_word(target) {
        Ok(())
    } else {
        Err(DeliveryError::Permanent(format!(
            "`{target}` is not a valid IRC channel or nick"
        )))
    }
}

/// A reason or other parameter on one line, at most `max` bytes.
fn one_line(s: &str, max: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cut(flat.trim(), max).to_string()
}

/// The longest prefix of `s` of at most `max` bytes, on a char boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Text as IRC message lines: one per line of text (empty ones dropped),
/// each cut into pieces of at most [`TEXT_CHUNK`] bytes on character
/// boundaries (at a space when there is one in the second half).
fn split_text(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.split('\n') {
        let line: String = line
            .chars()
            .filter(|c| !matches!(c, '\r' | '\0' | '\u{1}'))
            .collect();
        let mut rest = line.trim_end();
        while !rest.is_empty() {
            let mut piece = cut(rest, TEXT_CHUNK);
            if piece.len() < rest.len() {
                if let Some(space) = piece.rfind(' ').filter(|&i| i > TEXT_CHUNK / 2) {
                    piece = &piece[..space];
                }
            }
            if !piece.trim().is_empty() {
                out.push(piece.to_string());
            }
            rest = rest[piece.len()..].trim_start_matches(' ');
        }
    }
    out
}

fn ban_mask(user: &str) -> String {
    if user.contains(['!', '@']) {
        user.to_string()
    } else {
        format!("{user}!*@*")
    }
}

/// What `plan` needs to know about the connection.
struct Ctx<'a> {
    /// `message-tags` is enabled.
    tags: bool,
    /// `draft/message-redaction` is enabled.
    redaction: bool,
    staff_channel: Option<&'a str>,
    /// The message the action is about, when it was seen recently.
    target: Option<&'a RecentMsg>,
    isupport: &'a Isupport,
    now_ms: i64,
}

/// The lines an action sends and the answers to wait for.
#[derive(Debug, PartialEq)]
struct Plan {
    lines: Vec<String>,
    confirm: Vec<Confirm>,
    /// What the audit log records when there is nothing to confirm.
    reply: String,
    reversal_due_ms: Option<i64>,
}

/// A server answer `execute` waits for.
#[derive(Debug, PartialEq)]
enum Confirm {
    Kick { channel: String, nick: String },
    Mode { channel: String, change: String },
}

impl Confirm {
    fn what(&self) -> String {
        match self {
            Confirm::Kick { channel, nick } => format!("KICK {channel} {nick}"),
            Confirm::Mode { channel, change } => format!("MODE {channel} {change}"),
        }
    }

    /// `Some` when `msg` answers this command.
    fn judge(&self, msg: &Message, me: &str) -> Option<Result<String, DeliveryError>> {
        let channel = match self {
            Confirm::Kick { channel, .. } | Confirm::Mode { channel, .. } => channel,
        };
        let text = msg.params.last().map_or("", String::as_str);
        let about_channel = eq_ci(msg.param(1), channel);
        match (msg.command.as_str(), self) {
            ("KICK", Confirm::Kick { nick, .. })
                if eq_ci(msg.param(0), channel) && eq_ci(msg.param(1), nick) =>
            {
                Some(Ok(format!("kicked {nick} from {channel}")))
            }
            ("MODE", Confirm::Mode { change, .. })
                if eq_ci(msg.param(0), channel)
                    && eq_ci(msg.nick(), me)
                    && change.split_once(' ').is_some_and(|(_, mask)| {
                        msg.params
                            .get(1..)
                            .unwrap_or_default()
                            .iter()
                            .any(|p| eq_ci(p, mask))
                    }) =>
            {
                Some(Ok(format!("{} confirmed", self.what())))
            }
            ("482", _) if about_channel => Some(Err(DeliveryError::Permanent(format!(
                "the bot is not a channel operator in {channel} (482 ERR_CHANOPRIVSNEEDED: {text})"
            )))),
            ("403", _) if about_channel => Some(Err(DeliveryError::Permanent(format!(
                "no such channel {channel} (403)"
            )))),
            ("442", _) if about_channel => Some(Err(DeliveryError::Retry {
                after: Some(Duration::from_secs(30)),
                error: format!("the bot is not in {channel} (442)"),
            })),
            ("478", Confirm::Mode { .. }) if about_channel => Some(Err(DeliveryError::Permanent(
                format!("the ban list of {channel} is full (478)"),
            ))),
            ("441", Confirm::Kick { nick, .. })
                if eq_ci(msg.param(1), nick) && eq_ci(msg.param(2), channel) =>
            {
                Some(Ok(format!("{nick} was not in {channel}")))
            }
            ("401", Confirm::Kick { nick, .. }) if eq_ci(msg.param(1), nick) => {
                Some(Ok(format!("no such nick {nick}: already gone")))
            }
            _ => None,
        }
    }
}

fn privmsgs(
    target: &str,
    text: &str,
    first_tags: Option<String>,
) -> Result<Vec<String>, DeliveryError> {
    check_target(target)?;
    let pieces = split_text(text);
    if pieces.is_empty() {
        return Err(DeliveryError::Permanent(
            "nothing to send: the text is empty".into(),
        ));
    }
    if pieces.len() > MAX_LINES {
        return Err(DeliveryError::Permanent(format!(
            "the text makes {} IRC lines; the limit is {MAX_LINES}",
            pieces.len()
        )));
    }
    Ok(pieces
        .iter()
        .enumerate()
        .map(|(i, piece)| match (&first_tags, i) {
            (Some(tags), 0) => format!("@{tags} PRIVMSG {target} :{piece}"),
            _ => format!("PRIVMSG {target} :{piece}"),
        })
        .collect())
}

/// The IRC lines for one action (pure: the unit tests check it).
fn plan(decided: &DecidedAction, ctx: &Ctx) -> Result<Plan, DeliveryError> {
    let channel = decided.channel.as_str();
    let sent = |lines: Vec<String>, what: String| Plan {
        lines,
        confirm: Vec::new(),
        reply: what,
        reversal_due_ms: None,
    };
    let server_id = ctx.target.filter(|t| t.server_id).is_some();
    Ok(match &decided.action {
        Action::Post { text, .. } => {
            let lines = privmsgs(channel, text, None)?;
            let n = lines.len();
            sent(lines, format!("sent {n} line(s) to {channel}"))
        }
        Action::Reply {
            to_message, text, ..
        } => {
            let addressed = match ctx.target {
                Some(t) if ctx.isupport.is_channel(channel) && !t.nick.is_empty() => {
                    format!("{}: {text}", t.nick)
                }
                _ => text.clone(),
            };
            let tags =
                (ctx.tags && server_id).then(|| format!("+draft/reply={}", escape_tag(to_message)));
            let lines = privmsgs(channel, &addressed, tags)?;
            let n = lines.len();
            sent(lines, format!("replied with {n} line(s) in {channel}"))
        }
        Action::DirectMessage { user_id, text, .. } => {
            let lines = privmsgs(user_id, text, None)?;
            let n = lines.len();
            sent(lines, format!("sent {n} line(s) to {user_id}"))
        }
        Action::React {
            message_id, emoji, ..
        } => {
            if !ctx.tags {
                return Err(DeliveryError::Permanent(
                    "IRC has no reactions (this server does not offer message-tags)".into(),
                ));
            }
            if !server_id {
                return Err(DeliveryError::Permanent(format!(
                    "message {message_id} has no server msgid (or was not seen recently): cannot react to it"
                )));
            }
            check_target(channel)?;
            let line = format!(
                "@+draft/react={};+draft/reply={} TAGMSG {channel}",
                escape_tag(emoji),
                escape_tag(message_id)
            );
            sent(vec![line], format!("reacted {emoji}"))
        }
        Action::Delete {
            message_id, reason, ..
        } => {
            if !ctx.redaction {
                return Err(DeliveryError::Permanent(
                    "this IRC server cannot delete messages (it does not offer draft/message-redaction)"
                        .into(),
                ));
            }
            if !server_id {
                return Err(DeliveryError::Permanent(format!(
                    "message {message_id} has no server msgid (or was not seen recently): cannot delete it"
                )));
            }
            check_target(channel)?;
            check_target(message_id)?;
            let line = format!("REDACT {channel} {message_id} :{}", one_line(reason, 300));
            sent(vec![line], format!("redacted {message_id}"))
        }
        Action::Kick {
            user_id, reason, ..
        } => {
            check_target(channel)?;
            check_target(user_id)?;
            Plan {
                lines: vec![format!(
                    "KICK {channel} {user_id} :{}",
                    one_line(reason, 300)
                )],
                confirm: vec![Confirm::Kick {
                    channel: channel.into(),
                    nick: user_id.clone(),
                }],
                reply: String::new(),
                reversal_due_ms: None,
            }
        }
        Action::Ban {
            user_id,
            duration_s,
            reason,
        } => {
            check_target(channel)?;
            check_target(user_id)?;
            let mask = ban_mask(user_id);
            let nick = user_id.split(['!', '@']).next().unwrap_or(user_id);
            let mut lines = vec![format!("MODE {channel} +b {mask}")];
            if !nick.is_empty() && !nick.contains('*') {
                lines.push(format!("KICK {channel} {nick} :{}", one_line(reason, 300)));
            }
            Plan {
                lines,
                confirm: vec![Confirm::Mode {
                    channel: channel.into(),
                    change: format!("+b {mask}"),
                }],
                reply: String::new(),
                reversal_due_ms: duration_s.map(|d| ctx.now_ms + i64::from(d) * 1000),
            }
        }
        Action::Timeout {
            user_id,
            duration_s,
            ..
        } => {
            check_target(channel)?;
            check_target(user_id)?;
            let mask = ban_mask(user_id);
            Plan {
                lines: vec![format!("MODE {channel} +b {mask}")],
                confirm: vec![Confirm::Mode {
                    channel: channel.into(),
                    change: format!("+b {mask}"),
                }],
                reply: String::new(),
                reversal_due_ms: Some(ctx.now_ms + i64::from(*duration_s) * 1000),
            }
        }
        Action::Flag { message_id, reason } => match ctx.staff_channel {
            Some(staff) => {
                let author = ctx
                    .target
                    .map(|t| format!(" by {}", t.nick))
                    .unwrap_or_default();
                let text = format!(
                    "🚩 review requested for message {message_id}{author} in {channel} ({}): {}",
                    decided.by.plugin,
                    one_line(reason, 250)
                );
                sent(privmsgs(staff, &text, None)?, format!("flagged in {staff}"))
            }
            None => sent(
                Vec::new(),
                "no staff_channel configured: recorded only".into(),
            ),
        },
        Action::Alert {
            severity, message, ..
        } => match ctx.staff_channel {
            Some(staff) => {
                let text = format!("⚠️ [{severity:?}] {message} ({})", decided.by.plugin);
                sent(privmsgs(staff, &text, None)?, format!("alerted {staff}"))
            }
            None => sent(
                Vec::new(),
                "no staff_channel configured: recorded only".into(),
            ),
        },
        Action::Label { .. } | Action::Stop { .. } => {
            sent(Vec::new(), "internal to the chain: nothing to do".into())
        }
    })
}

impl Connector for Irc {
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
        Box::pin(self.run(cursor, sink, shutdown))
    }

    fn execute<'a>(
        &'a self,
        action: &'a DecidedAction,
        _key: &'a str,
    ) -> BoxFuture<'a, Result<Executed, DeliveryError>> {
        Box::pin(self.execute_action(action))
    }

    fn reverse<'a>(&'a self, r: &'a Reversal) -> BoxFuture<'a, Result<String, DeliveryError>> {
        Box::pin(async move {
            check_target(&r.channel)?;
            check_target(&r.user_id)?;
            let change = format!("-b {}", ban_mask(&r.user_id));
            let plan = Plan {
                lines: vec![format!("MODE {} {change}", r.channel)],
                confirm: vec![Confirm::Mode {
                    channel: r.channel.clone(),
                    change,
                }],
                reply: String::new(),
                reversal_due_ms: None,
            };
            self.run_plan(&plan).await
        })
    }

    fn reversible(&self) -> bool {
        true
    }

    fn rate_state(&self) -> RateState {
        RateState::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::PluginRef;

    fn msg(line: &str) -> Message {
        Message::parse(line).expect("parses")
    }

    #[test]
    fn parses_tags_prefix_params_and_trailing() {
        let m = msg("@time=2026-11-22T10:00:00.123Z;msgid=abc;+x=a\\sb\\:c\\\\ :alice!~a@host PRIVMSG #chan :hello :) there\r\n");
        assert_eq!(m.tag("time"), Some("2026-11-22T10:00:00.123Z"));
        assert_eq!(m.tag("msgid"), Some("abc"));
        assert_eq!(m.tag("+x"), Some("a b;c\\"));
        assert_eq!(m.prefix.as_deref(), Some("alice!~a@host"));
        assert_eq!(m.nick(), "alice");
        assert_eq!(m.command, "PRIVMSG");
        assert_eq!(m.params, vec!["#chan", "hello :) there"]);

        let ping = msg("PING :irc.example");
        assert_eq!(
            (ping.command.as_str(), ping.param(0)),
            ("PING", "irc.example")
        );
        assert_eq!(ping.nick(), "");

        let cap = msg(":srv CAP * LS * :multi-prefix sasl=PLAIN");
        assert_eq!(cap.params, vec!["*", "LS", "*", "multi-prefix sasl=PLAIN"]);
        let mode = msg(":op MODE #c +ov-b  a b  c!*@*");
        assert_eq!(mode.params, vec!["#c", "+ov-b", "a", "b", "c!*@*"]);
        assert_eq!(msg("join #x").command, "JOIN");
        assert!(Message::parse("").is_none());
        assert!(Message::parse("@only-tags").is_none());
        assert_eq!(escape_tag("a b;c\\"), "a\\sb\\:c\\\\");
    }

    #[test]
    fn splits_text_into_short_lines_on_char_boundaries() {
        assert_eq!(split_text("one\r\n\ntwo  \n"), vec!["one", "two"]);
        let long = "é".repeat(300); // 600 bytes
        let pieces = split_text(&long);
        assert_eq!(pieces.len(), 2);
        assert!(pieces.iter().all(|p| p.len() <= TEXT_CHUNK));
        assert_eq!(pieces.concat(), long);
        let words = "word ".repeat(120);
        let pieces = split_text(&words);
        assert!(pieces
            .iter()
            .all(|p| p.len() <= TEXT_CHUNK && !p.ends_with("wor")));
        assert_eq!(pieces.join(" "), words.trim_end());
        assert!(split_text("\x01VERSION\x01")
            .iter()
            .all(|p| !p.contains('\u{1}')));
    }

    fn decided(channel: &str, action: Action) -> DecidedAction {
        DecidedAction {
            event_id: Some("e1".into()),
            tick_ms: None,
            community: "acme".into(),
            channel: channel.into(),
            by: PluginRef {
                plugin: "automod".into(),
                plugin_version: "1".into(),
                plugin_hash: String::new(),
            },
            action,
        }
    }

    fn ctx<'a>(isupport: &'a Isupport, target: Option<&'a RecentMsg>) -> Ctx<'a> {
        Ctx {
            tags: false,
            redaction: false,
            staff_channel: None,
            target,
            isupport,
            now_ms: 1_000,
        }
    }

    #[test]
    fn actions_become_irc_lines() {
        let is = Isupport::default();
        let alice = RecentMsg {
            nick: "alice".into(),
            server_id: true,
        };
        let post = plan(
            &decided(
                "#c",
                Action::Post {
                    text: "a\nb\r\nQUIT :bye".into(),
                    reason: "r".into(),
                },
            ),
            &ctx(&is, None),
        )
        .unwrap();
        assert_eq!(
            post.lines,
            vec!["PRIVMSG #c :a", "PRIVMSG #c :b", "PRIVMSG #c :QUIT :bye"]
        );

        let reply = Action::Reply {
            to_message: "m1".into(),
            text: "hi".into(),
            reason: "r".into(),
        };
        let p = plan(&decided("#c", reply.clone()), &ctx(&is, Some(&alice))).unwrap();
        assert_eq!(p.lines, vec!["PRIVMSG #c :alice: hi"]);
        let mut tagged = ctx(&is, Some(&alice));
        tagged.tags = true;
        let p = plan(&decided("#c", reply.clone()), &tagged).unwrap();
        assert_eq!(p.lines, vec!["@+draft/reply=m1 PRIVMSG #c :alice: hi"]);
        let p = plan(&decided("#c", reply.clone()), &ctx(&is, None)).unwrap();
        assert_eq!(p.lines, vec!["PRIVMSG #c :hi"]);
        // A reply in a direct conversation goes to the nick, unaddressed.
        let p = plan(&decided("alice", reply), &ctx(&is, Some(&alice))).unwrap();
        assert_eq!(p.lines, vec!["PRIVMSG alice :hi"]);

        let kick = Action::Kick {
            user_id: "bob".into(),
            reason: "spam\nspam".into(),
        };
        let p = plan(&decided("#c", kick), &ctx(&is, None)).unwrap();
        assert_eq!(p.lines, vec!["KICK #c bob :spam spam"]);
        assert_eq!(
            p.confirm,
            vec![Confirm::Kick {
                channel: "#c".into(),
                nick: "bob".into()
            }]
        );

        let ban = Action::Ban {
            user_id: "bob".into(),
            duration_s: Some(60),
            reason: "r".into(),
        };
        let p = plan(&decided("#c", ban), &ctx(&is, None)).unwrap();
        assert_eq!(p.lines, vec!["MODE #c +b bob!*@*", "KICK #c bob :r"]);
        assert_eq!(p.reversal_due_ms, Some(61_000));
        let ban = Action::Ban {
            user_id: "bob".into(),
            duration_s: None,
            reason: "r".into(),
        };
        assert_eq!(
            plan(&decided("#c", ban), &ctx(&is, None))
                .unwrap()
                .reversal_due_ms,
            None
        );

        let timeout = Action::Timeout {
            user_id: "bob".into(),
            duration_s: 10,
            reason: "r".into(),
        };
        let p = plan(&decided("#c", timeout), &ctx(&is, None)).unwrap();
        assert_eq!(p.lines, vec!["MODE #c +b bob!*@*"]);
        assert_eq!(p.reversal_due_ms, Some(11_000));

        let delete = Action::Delete {
            message_id: "m1".into(),
            reason: "r".into(),
        };
        let err = plan(&decided("#c", delete.clone()), &ctx(&is, Some(&alice))).unwrap_err();
        assert!(matches!(err, DeliveryError::Permanent(e) if e.contains("cannot delete")));
        let mut redacting = ctx(&is, Some(&alice));
        redacting.redaction = true;
        assert_eq!(
            plan(&decided("#c", delete), &redacting).unwrap().lines,
            vec!["REDACT #c m1 :r"]
        );

        let react = Action::React {
            message_id: "m1".into(),
            emoji: "👍".into(),
            reason: "r".into(),
        };
        assert!(matches!(
            plan(&decided("#c", react.clone()), &ctx(&is, Some(&alice))),
            Err(DeliveryError::Permanent(_))
        ));
        assert_eq!(
            plan(&decided("#c", react), &tagged).unwrap().lines,
            vec!["@+draft/react=👍;+draft/reply=m1 TAGMSG #c"]
        );

        let dm = Action::DirectMessage {
            user_id: "bob".into(),
            text: "psst".into(),
            reason: "r".into(),
        };
        assert_eq!(
            plan(&decided("#c", dm), &ctx(&is, None)).unwrap().lines,
            vec!["PRIVMSG bob :psst"]
        );

        let flag = Action::Flag {
            message_id: "m1".into(),
            reason: "look".into(),
        };
        let p = plan(&decided("#c", flag.clone()), &ctx(&is, Some(&alice))).unwrap();
        assert!(p.lines.is_empty() && p.reply.contains("recorded only"));
        let mut staff = ctx(&is, Some(&alice));
        staff.staff_channel = Some("#staff");
        let p = plan(&decided("#c", flag), &staff).unwrap();
        assert_eq!(p.lines.len(), 1);
        assert!(p.lines[0]
            .starts_with("PRIVMSG #staff :🚩 review requested for message m1 by alice in #c"));

        // Nothing can smuggle a second command.
        let bad = Action::Kick {
            user_id: "bob\r\nQUIT".into(),
            reason: "r".into(),
        };
        assert!(matches!(
            plan(&decided("#c", bad), &ctx(&is, None)),
            Err(DeliveryError::Permanent(_))
        ));
        let bad = Action::Post {
            text: "x".into(),
            reason: "r".into(),
        };
        assert!(matches!(
            plan(&decided("#c x", bad), &ctx(&is, None)),
            Err(DeliveryError::Permanent(_))
        ));
        let empty = Action::Post {
            text: " \n ".into(),
            reason: "r".into(),
        };
        assert!(matches!(
            plan(&decided("#c", empty), &ctx(&is, None)),
            Err(DeliveryError::Permanent(_))
        ));
        let long = Action::Post {
            text: "x\n".repeat(MAX_LINES + 1),
            reason: "r".into(),
        };
        assert!(matches!(
            plan(&decided("#c", long), &ctx(&is, None)),
            Err(DeliveryError::Permanent(_))
        ));
    }

    #[test]
    fn server_answers_confirm_or_fail_kicks_and_modes() {
        let kick = Confirm::Kick {
            channel: "#c".into(),
            nick: "bob".into(),
        };
        assert!(matches!(
            kick.judge(&msg(":vigie!u@h KICK #C Bob :r"), "vigie"),
            Some(Ok(_))
        ));
        assert!(matches!(
            kick.judge(&msg(":srv 482 vigie #c :You are not channel operator"), "vigie"),
            Some(Err(DeliveryError::Permanent(e))) if e.contains("not a channel operator")
        ));
        assert!(kick
            .judge(&msg(":srv 482 vigie #other :no"), "vigie")
            .is_none());
        assert!(matches!(
            kick.judge(&msg(":srv 441 vigie bob #c :not on channel"), "vigie"),
            Some(Ok(_))
        ));
        assert!(matches!(
            kick.judge(&msg(":srv 442 vigie #c :not on channel"), "vigie"),
            Some(Err(DeliveryError::Retry { .. }))
        ));
        assert!(kick
            .judge(&msg(":alice!u@h PRIVMSG #c :hi"), "vigie")
            .is_none());
        let mode = Confirm::Mode {
            channel: "#c".into(),
            change: "+b bob!*@*".into(),
        };
        assert!(matches!(
            mode.judge(&msg(":vigie!u@h MODE #c +b bob!*@*"), "vigie"),
            Some(Ok(_))
        ));
        assert!(mode
            .judge(&msg(":vigie!u@h MODE #c +b other!*@*"), "vigie")
            .is_none());
        assert!(matches!(
            mode.judge(&msg(":srv 478 vigie #c x :full"), "vigie"),
            Some(Err(DeliveryError::Permanent(_)))
        ));
    }

    fn irc() -> Irc {
        let config: IrcConfig = toml::from_str(
            r##"community = "acme"
                server = "127.0.0.1:6667"
                nick = "vigie"
                channels = ["#c"]"##,
        )
        .unwrap();
        let irc = Irc::new(config, Path::new(".")).unwrap();
        irc.state().nick = "vigie".into();
        irc
    }

    fn events(irc: &Irc, line: &str) -> Vec<Event> {
        irc.absorb(&msg(line))
            .into_iter()
            .map(|e| e.unwrap())
            .collect()
    }

    #[test]
    fn lines_become_events_with_staff_from_names_and_modes() {
        let irc = irc();
        assert!(events(
            &irc,
            ":srv 005 vigie PREFIX=(qaohv)~&@%+ CHANTYPES=#& :are supported"
        )
        .is_empty());
        assert!(events(&irc, ":vigie!u@h JOIN #c").is_empty());
        events(
            &irc,
            ":srv 353 vigie = #c :@vigie %helper +voiced @%multi plain",
        );
        let e = events(&irc, ":helper!u@h PRIVMSG #c :hello");
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].kind, e[0].channel.as_str(), e[0].author.id.as_str()),
            (EventKind::Message, "#c", "helper")
        );
        assert!(e[0].author.is_staff);
        assert_eq!(e[0].author.roles, vec!["halfop"]);
        assert!(e[0].id.starts_with("irc-"));
        assert!(
            !events(&irc, ":voiced!u@h PRIVMSG #c :hi")[0]
                .author
                .is_staff
        );
        events(&irc, ":helper!u@h MODE #c -h+o-k+l helper helper key 10");
        assert_eq!(
            events(&irc, ":helper!u@h PRIVMSG #c :x")[0].author.roles,
            vec!["op"]
        );
        events(&irc, ":op!u@h MODE #c +b-o *!*@spam helper");
        assert!(!events(&irc, ":helper!u@h PRIVMSG #c :x")[0].author.is_staff);

        // Own messages, notices and CTCP requests are not events; /me is.
        assert!(events(&irc, ":VIGIE!u@h PRIVMSG #c :mine").is_empty());
        assert!(events(&irc, ":plain!u@h NOTICE #c :notice").is_empty());
        assert!(events(&irc, ":plain!u@h PRIVMSG #c :\x01VERSION\x01").is_empty());
        assert_eq!(
            events(&irc, ":plain!u@h PRIVMSG #c :\x01ACTION waves\x01")[0].text,
            "waves"
        );

        // Tags: msgid is the id, server-time the time.
        let e = events(
            &irc,
            "@msgid=XYZ;time=2026-11-22T10:00:00.250Z :plain!u@h PRIVMSG #c :t",
        );
        assert_eq!(e[0].id, "XYZ");
        assert_eq!(e[0].timestamp_ms(), 1_795_341_600_250);
        assert_eq!(
            irc.state().recent.by_id.get("XYZ"),
            Some(&RecentMsg {
                nick: "plain".into(),
                server_id: true
            })
        );
        // Without msgid, the derived id is stable for the same message.
        let line = "@time=2026-11-22T10:00:00Z :plain!u@h PRIVMSG #c :same";
        assert_eq!(events(&irc, line)[0].id, events(&irc, line)[0].id);
        assert_ne!(
            events(&irc, line)[0].id,
            events(&irc, &line.replace("same", "other"))[0].id
        );

        let dm = events(&irc, ":multi!u@h PRIVMSG Vigie :help");
        assert_eq!(
            (dm[0].kind, dm[0].channel.as_str()),
            (EventKind::DirectMessage, "multi")
        );
        assert!(dm[0].author.is_staff);

        let join = events(&irc, ":newbie!u@h JOIN #c");
        assert_eq!(
            (join[0].kind, join[0].author.id.as_str()),
            (EventKind::Join, "newbie")
        );
        let part = events(&irc, ":newbie!u@h PART #c :bye");
        assert_eq!(
            (part[0].kind, part[0].text.as_str()),
            (EventKind::Leave, "bye")
        );

        events(&irc, ":vigie!u@h JOIN #d");
        events(&irc, ":srv 353 vigie = #d :vigie plain");
        events(&irc, ":plain!u@h NICK renamed");
        let quit = events(&irc, ":renamed!u@h QUIT :gone");
        let channels: Vec<_> = quit.iter().map(|e| (e.kind, e.channel.as_str())).collect();
        assert_eq!(
            channels,
            vec![(EventKind::Leave, "#c"), (EventKind::Leave, "#d")]
        );
        assert!(events(&irc, ":renamed!u@h QUIT :again").is_empty());

        events(&irc, ":vigie!u@h NICK vigie_");
        assert_eq!(irc.state().nick, "vigie_");
        assert_eq!(
            events(&irc, ":plain!u@h PRIVMSG vigie_ :x")[0].kind,
            EventKind::DirectMessage
        );
    }

    #[test]
    fn config_is_checked_and_secrets_stay_hidden() {
        let parse = |extra: &str| -> Result<Irc> {
            let text = format!(
                "community = \"acme\"\nserver = \"irc.example\"\nnick = \"vigie\"\n{extra}"
            );
            Irc::new(toml::from_str(&text)?, Path::new("."))
        };
        assert_eq!(parse("").unwrap().addr, "irc.example:6667");
        let tls = parse("tls = true").unwrap();
        assert_eq!(tls.addr, "irc.example:6697");
        assert!(tls.tls.is_some());
        let error = |extra: &str| {
            parse(extra)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        let without_tls = error("tls_ca_file = \"ca.pem\"");
        assert!(
            without_tls.contains("tls_ca_file") && without_tls.contains("`tls`"),
            "{without_tls}"
        );
        let missing = error("tls = true\ntls_ca_file = \"no-such-ca.pem\"");
        assert!(
            missing.contains("cannot read") && missing.contains("no-such-ca.pem"),
            "{missing}"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("empty.pem"), "not a certificate\n").unwrap();
        let text = "community = \"acme\"\nserver = \"irc.example\"\nnick = \"vigie\"\n\
                    tls = true\ntls_ca_file = \"empty.pem\"";
        let empty = Irc::new(toml::from_str(text).unwrap(), dir.path())
            .err()
            .unwrap()
            .to_string();
        assert!(empty.contains("no PEM certificate"), "{empty}");
        let inline = parse("password = \"hunter2\"").err().unwrap().to_string();
        assert!(
            inline.contains("env:") && !inline.contains("hunter2"),
            "{inline}"
        );
        assert!(parse("channels = [\"general\"]").is_err());
        assert!(parse("channels = [\"#a b\"]").is_err());
        assert!(parse("typo = 1").is_err());
        assert_eq!(alternative_nick("vigie", 1), "vigie_");
        assert_eq!(alternative_nick("vigie", 2), "vigi1");
    }
}
