//! Accounts, roles, sessions, CSRF tokens, the login rate limit and the
//! one-time setup link.
//!
//! - **Accounts** are console records of the store, `user/NAME`, as JSON:
//!   the role and an argon2id hash (PHC string; the `argon2` crate's
//!   defaults, a random salt each). `vigie user add` and `vigie user
//!   passwd` write them ([`add_user`], [`set_password`]); sled lets one
//!   process open the store, so they refuse clearly while a host runs.
//! - **Roles**: `viewer` reads every page; `moderator` also sees the
//!   deleted texts kept as evidence and exports the audit as CSV; `admin`
//!   also retries dead letters. Each route names the least role it needs
//!   and the server checks it (403 otherwise).
//! - **Sessions**: a random 256-bit token in the `vigie_session` cookie
//!   (HttpOnly, SameSite=Strict, Path=/, Secure behind HTTPS), kept in
//!   memory with its user, role, CSRF token and expiry (`session_ttl_h`).
//! - **CSRF**: every form carries the session's token; before login (the
//!   login, setup and language forms) a random token in the `vigie_csrf`
//!   cookie, repeated in the form. A POST without the right one is refused.
//! - **Rate limit**: five wrong passwords within a minute, for one account
//!   or from one address, and the next attempts are refused (429) until the
//!   oldest failure is a minute old — even with the right password.
//! - **Setup link**: a host whose store has no account makes a random
//!   token at start; `/setup?token=…` lets the first visitor create an
//!   admin, once, during this run only.

use crate::store::Store;
use anyhow::{bail, Context, Result};
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The session cookie.
pub const SESSION_COOKIE: &str = "vigie_session";
/// The pre-login CSRF cookie.
pub const CSRF_COOKIE: &str = "vigie_csrf";
/// Wrong passwords allowed per account and per address in [`WINDOW`].
pub const MAX_FAILURES: usize = 5;
/// The rate limit's window.
pub const WINDOW: Duration = Duration::from_secs(60);
/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// What a user may do; each role may do what the ones before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Moderator,
    Admin,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "viewer" => Some(Role::Viewer),
            "moderator" => Some(Role::Moderator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// An account, as the store keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserRecord {
    pub name: String,
    pub role: Role,
    /// argon2id, PHC string format.
    pub password_hash: String,
    pub created_ms: i64,
    pub password_changed_ms: i64,
}

fn user_key(name: &str) -> String {
    format!("user/{name}")
}

/// Names people can type and read: letters, digits, `.`, `_`, `-`, `@`,
/// 1 to 64 of them.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !ok {
        bail!("user name `{name}`: use 1 to 64 letters, digits, `.`, `_`, `-` or `@` (no spaces)");
    }
    Ok(())
}

pub fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        bail!("the password must have at least {MIN_PASSWORD_CHARS} characters");
    }
    if password.len() > 1024 {
        bail!("the password is longer than 1024 bytes");
    }
    Ok(())
}

/// The argon2id hash of a password (random salt), as a PHC string.
pub fn hash_password(password: &str) -> Result<String> {
    let hash = argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    let Ok(parsed) = argon2::password_hash::phc::PasswordHash::new(hash) else {
        return false;
    };
    argon2::Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// The account named `name`, if any.
pub fn user(store: &dyn Store, name: &str) -> Result<Option<UserRecord>> {
    match store.console_get(&user_key(name))? {
        Some(raw) => Ok(Some(
            serde_json::from_slice(&raw).context("a console account record is corrupt")?,
        )),
        None => Ok(None),
    }
}

/// Every account, by name.
pub fn users(store: &dyn Store) -> Result<Vec<UserRecord>> {
    store
        .console_scan("user/")?
        .into_iter()
        .map(|(_, raw)| serde_json::from_slice(&raw).context("a console account record is corrupt"))
        .collect()
}

fn now_ms() -> i64 {
    crate::connector::now_ms()
}

fn save(store: &dyn Store, record: &UserRecord) -> Result<()> {
    store.console_put(&user_key(&record.name), Some(&serde_json::to_vec(record)?))
}

/// Creates an account; an existing name is refused.
pub fn add_user(store: &dyn Store, name: &str, role: Role, password: &str) -> Result<UserRecord> {
    check_name(name)?;
    check_password(password)?;
    if user(store, name)?.is_some() {
        bail!("user `{name}` exists already (`vigie user passwd {name}` changes the password)");
    }
    let now = now_ms();
    let record = UserRecord {
        name: name.to_string(),
        role,
        password_hash: hash_password(password)?,
        created_ms: now,
        password_changed_ms: now,
    };
    save(store, &record)?;
    Ok(record)
}

/// Changes an account's password.
pub fn set_password(store: &dyn Store, name: &str, password: &str) -> Result<()> {
    check_password(password)?;
    let Some(mut record) = user(store, name)? else {
        bail!("no user `{name}` (`vigie user add {name} --role viewer` creates one)");
    };
    record.password_hash = hash_password(password)?;
    record.password_changed_ms = now_ms();
    save(store, &record)
}

/// A random token, 256 bits, URL-safe base64.
pub fn random_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Equal, in a time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A logged-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: String,
    pub role: Role,
    pub csrf: String,
    pub expires: Instant,
}

/// Sessions, the rate limit and the setup token of one running console.
pub struct Auth {
    store: Arc<dyn Store>,
    ttl: Duration,
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
    setup: Mutex<Option<String>>,
}

/// Why a login was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginRefused {
    /// Name or password wrong (the page does not say which).
    Wrong,
    /// Too many wrong passwords lately, for this account or address.
    RateLimited,
}

impl Auth {
    pub fn new(store: Arc<dyn Store>, session_ttl_h: u64) -> Result<Auth> {
        let setup = users(store.as_ref())?.is_empty().then(random_token);
        Ok(Auth {
            store,
            ttl: Duration::from_secs(session_ttl_h.saturating_mul(3600)),
            sessions: Mutex::new(HashMap::new()),
            failures: Mutex::new(HashMap::new()),
            setup: Mutex::new(setup),
        })
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The setup link's token, while no admin was created through it.
    pub fn setup_token(&self) -> Option<String> {
        self.setup.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Whether `token` is the setup token (still unused).
    pub fn setup_valid(&self, token: &str) -> bool {
        self.setup
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_deref()
            .is_some_and(|t| same_secret(t, token))
    }

    /// Creates the first admin with the setup token, which is then spent;
    /// returns the new session's token.
    pub fn complete_setup(&self, token: &str, name: &str, password: &str) -> Result<String> {
        let mut setup = self.setup.lock().unwrap_or_else(|p| p.into_inner());
        if !setup.as_deref().is_some_and(|t| same_secret(t, token)) {
            bail!("this setup link was used already or belongs to another run");
        }
        if !users(self.store.as_ref())?.is_empty() {
            *setup = None;
            bail!("an account exists already: log in");
        }
        add_user(self.store.as_ref(), name, Role::Admin, password)?;
        *setup = None;
        drop(setup);
        Ok(self.open_session(name, Role::Admin))
    }

    fn open_session(&self, user: &str, role: Role) -> String {
        let token = random_token();
        let session = Session {
            user: user.to_string(),
            role,
            csrf: random_token(),
            expires: Instant::now() + self.ttl,
        };
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        sessions.retain(|_, s| s.expires > now);
        sessions.insert(token.clone(), session);
        token
    }

    /// The session of this cookie value, unless unknown or expired.
    pub fn session(&self, token: &str) -> Option<Session> {
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let session = sessions.get(token)?;
        if session.expires <= Instant::now() {
            sessions.remove(token);
            return None;
        }
        Some(session.clone())
    }

    pub fn close_session(&self, token: &str) {
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(token);
    }

    /// Failures in the window for these keys, forgetting older ones.
    fn recent_failures(&self, keys: &[String]) -> usize {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let mut most = 0;
        for key in keys {
            if let Some(times) = failures.get_mut(key) {
                while times
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= WINDOW)
                {
                    times.pop_front();
                }
                most = most.max(times.len());
                if times.is_empty() {
                    failures.remove(key);
                }
            }
        }
        most
    }

    fn record_failure(&self, keys: &[String]) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        // Names nobody tries again must not pile up (a flood of made-up
        // names): past a few thousand keys, forget the stale ones.
        if failures.len() > 4096 {
            failures.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|last| now.duration_since(*last) < WINDOW)
            });
        }
        for key in keys {
            failures.entry(key.clone()).or_default().push_back(now);
        }
    }

    /// Checks a login; a new session's token on success. Refused unchecked
    /// when this account or this address had [`MAX_FAILURES`] wrong
    /// passwords within [`WINDOW`].
    pub fn login(&self, name: &str, password: &str, from: IpAddr) -> Result<String, LoginRefused> {
        let keys = [format!("user:{name}"), format!("addr:{from}")];
        if self.recent_failures(&keys) >= MAX_FAILURES {
            tracing::warn!(
                user = name,
                address = %from,
                "console login refused: too many wrong passwords within a minute"
            );
            return Err(LoginRefused::RateLimited);
        }
        let record = user(self.store.as_ref(), name).ok().flatten();
        // A missing account costs the same hashing time as a wrong password.
        let hash = record
            .as_ref()
            .map_or_else(|| dummy_hash(), |r| r.password_hash.as_str());
        let verified = verify_password(password, hash) && record.is_some();
        match record {
            Some(record) if verified => Ok(self.open_session(&record.name, record.role)),
            _ => {
                self.record_failure(&keys);
                tracing::info!(user = name, address = %from, "console login: wrong name or password");
                Err(LoginRefused::Wrong)
            }
        }
    }
}

/// An argon2id hash of a random password nobody knows, verified against
/// when the account does not exist.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SledStore;

    #[test]
    fn accounts_hash_and_verify() {
        let store: Arc<dyn Store> = Arc::new(SledStore::temporary().unwrap());
        let record = add_user(store.as_ref(), "alice", Role::Moderator, "correct horse").unwrap();
        assert!(record.password_hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &record.password_hash));
        assert!(!verify_password("wrong horse", &record.password_hash));
        assert!(add_user(store.as_ref(), "alice", Role::Admin, "another one").is_err());
        assert!(add_user(store.as_ref(), "bob", Role::Admin, "short").is_err());
        assert!(add_user(store.as_ref(), "b b", Role::Admin, "long enough").is_err());
        set_password(store.as_ref(), "alice", "battery staple").unwrap();
        let again = user(store.as_ref(), "alice").unwrap().unwrap();
        assert!(verify_password("battery staple", &again.password_hash));
        assert_eq!(users(store.as_ref()).unwrap().len(), 1);
        // The dummy hash parses, so a missing account costs a real check.
        assert!(argon2::password_hash::phc::PasswordHash::new(dummy_hash()).is_ok());
    }

    #[test]
    fn the_sixth_wrong_password_is_refused_even_if_right() {
        let store: Arc<dyn Store> = Arc::new(SledStore::temporary().unwrap());
        add_user(store.as_ref(), "alice", Role::Viewer, "correct horse").unwrap();
        let auth = Auth::new(store, 12).unwrap();
        assert!(auth.setup_token().is_none());
        let from: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..MAX_FAILURES {
            assert_eq!(
                auth.login("alice", "nope nope", from),
                Err(LoginRefused::Wrong)
            );
        }
        assert_eq!(
            auth.login("alice", "correct horse", from),
            Err(LoginRefused::RateLimited)
        );
        // Another address, same account: still refused.
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        assert_eq!(
            auth.login("alice", "correct horse", other),
            Err(LoginRefused::RateLimited)
        );
    }

    #[test]
    fn setup_token_creates_one_admin_once() {
        let store: Arc<dyn Store> = Arc::new(SledStore::temporary().unwrap());
        let auth = Auth::new(store.clone(), 12).unwrap();
        let token = auth.setup_token().unwrap();
        assert!(!auth.setup_valid("nope"));
        assert!(auth.setup_valid(&token));
        let session = auth.complete_setup(&token, "root", "long enough").unwrap();
        assert_eq!(auth.session(&session).unwrap().role, Role::Admin);
        assert!(auth.complete_setup(&token, "root2", "long enough").is_err());
        assert!(!auth.setup_valid(&token));
        assert_eq!(users(store.as_ref()).unwrap().len(), 1);
    }
}
