//! A real Matrix homeserver for the tests: Synapse from PyPI (installed
//! under `target/servers/` by `tests/servers/install.sh` when missing),
//! started on a free 127.0.0.1 port with SQLite and stopped on drop; and a
//! plain Client-Server API client to act as the room's people.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Where the test servers are installed.
pub fn servers_dir() -> PathBuf {
    std::env::var_os("VIGIE_SERVERS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/servers"))
}

/// Runs the install script once per test binary (tests run in parallel).
pub fn ensure_installed(server: &str) {
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/servers/install.sh");
    let status = Command::new("bash")
        .arg(&script)
        .arg(server)
        .env("VIGIE_SERVERS_DIR", servers_dir())
        .status()
        .expect("run tests/servers/install.sh");
    assert!(status.success(), "installing {server} failed (see above)");
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub struct Synapse {
    child: Child,
    pub url: String,
    pub dir: tempfile::TempDir,
}

impl Synapse {
    pub fn start() -> Synapse {
        Synapse::start_with_logins(None)
    }

    /// A homeserver that lets an account log in `per_second` times a
    /// second, after one (`rc_login.account`), as a real one limits logins.
    pub fn start_with_logins(per_second: Option<f64>) -> Synapse {
        ensure_installed("synapse");
        let python = servers_dir().join("synapse/bin/python");
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let d = dir.path().display();
        let big = "{per_second: 10000, burst_count: 10000}";
        let account = per_second.map_or(big.to_string(), |p| {
            format!("{{per_second: {p}, burst_count: 1}}")
        });
        let config = format!(
            r#"server_name: "localhost"
pid_file: {d}/homeserver.pid
listeners:
  - port: {port}
    bind_addresses: ['127.0.0.1']
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: {d}/homeserver.db
log_config: {d}/log.yaml
media_store_path: {d}/media
signing_key_path: {d}/signing.key
report_stats: false
macaroon_secret_key: "test-macaroon-secret"
form_secret: "test-form-secret"
registration_shared_secret: "test-registration-secret"
enable_registration: true
enable_registration_without_verification: true
trusted_key_servers: []
suppress_key_server_warning: true
presence:
  enabled: false
rc_message: {big}
rc_registration: {big}
rc_joins:
  local: {big}
  remote: {big}
rc_login:
  address: {big}
  account: {account}
  failed_attempts: {big}
rc_admin_redaction: {big}
rc_invites:
  per_room: {big}
  per_user: {big}
"#
        );
        std::fs::write(dir.path().join("homeserver.yaml"), config).expect("write config");
        std::fs::write(
            dir.path().join("log.yaml"),
            format!(
                "version: 1\nformatters:\n  f:\n    format: '%(asctime)s %(levelname)s %(name)s %(message)s'\n\
                 handlers:\n  file:\n    class: logging.FileHandler\n    filename: {d}/synapse.log\n    formatter: f\n\
                 root:\n  level: WARNING\n  handlers: [file]\ndisable_existing_loggers: false\n"
            ),
        )
        .expect("write log config");
        let cfg = dir.path().join("homeserver.yaml");
        let status = Command::new(&python)
            .args(["-m", "synapse.app.homeserver", "--generate-keys", "-c"])
            .arg(&cfg)
            .stdout(Stdio::null())
            .status()
            .expect("run synapse --generate-keys");
        assert!(status.success(), "synapse --generate-keys failed");
        let child = Command::new(&python)
            .args(["-m", "synapse.app.homeserver", "-c"])
            .arg(&cfg)
            .stdout(Stdio::null())
            .stderr(
                std::fs::File::create(dir.path().join("stderr.log"))
                    .map(Stdio::from)
                    .unwrap_or(Stdio::null()),
            )
            .spawn()
            .expect("start synapse");
        let mut synapse = Synapse {
            child,
            url: format!("http://127.0.0.1:{port}"),
            dir,
        };
        synapse.wait_ready();
        synapse
    }

    fn wait_ready(&mut self) {
        let http = reqwest::blocking::Client::new();
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("synapse exited ({status}): {}", self.logs());
            }
            if http
                .get(format!("{}/health", self.url))
                .timeout(Duration::from_secs(2))
                .send()
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("synapse did not start within 90 s: {}", self.logs());
    }

    pub fn logs(&self) -> String {
        let read = |f: &str| std::fs::read_to_string(self.dir.path().join(f)).unwrap_or_default();
        format!("{}\n{}", read("stderr.log"), read("synapse.log"))
    }

    /// Logs in as `user` (registered) once, for its access token.
    pub fn login(&self, user: &str) -> Value {
        reqwest::blocking::Client::new()
            .post(format!("{}/_matrix/client/v3/login", self.url))
            .json(&json!({
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": user},
                "password": password(user),
            }))
            .send()
            .and_then(|r| r.json())
            .expect("login")
    }

    /// Registers a user (password = user name + "-password").
    pub fn register(&self, user: &str) -> MatrixUser {
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("http client");
        let reply: Value = http
            .post(format!("{}/_matrix/client/v3/register", self.url))
            .json(&json!({
                "username": user,
                "password": password(user),
                "auth": {"type": "m.login.dummy"},
                "inhibit_login": false,
            }))
            .send()
            .and_then(|r| r.json())
            .expect("register");
        let token = reply["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("register {user}: {reply}"))
            .to_string();
        MatrixUser {
            http,
            base: self.url.clone(),
            token,
            user_id: format!("@{user}:localhost"),
        }
    }
}

impl MatrixUser {
    /// An account of a homeserver at `url`, logged in with its password.
    pub fn log_in(url: &str, user: &str, password: &str) -> MatrixUser {
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("http client");
        let reply: Value = http
            .post(format!("{url}/_matrix/client/v3/login"))
            .json(&json!({
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": user},
                "password": password,
            }))
            .send()
            .and_then(|r| r.json())
            .expect("login");
        MatrixUser {
            http,
            base: url.to_string(),
            token: reply["access_token"]
                .as_str()
                .unwrap_or_else(|| panic!("login as {user}: {reply}"))
                .to_string(),
            user_id: format!("@{user}:localhost"),
        }
    }
}

impl Drop for Synapse {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn password(user: &str) -> String {
    format!("{user}-password")
}

/// Someone in the room, through the Client-Server API.
pub struct MatrixUser {
    http: reqwest::blocking::Client,
    base: String,
    pub token: String,
    pub user_id: String,
}

impl MatrixUser {
    pub fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body)
            .unwrap_or_else(|(status, value)| panic!("{path}: HTTP {status}: {value}"))
    }

    /// The reply, or the refusal's status and body.
    pub fn try_call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, (reqwest::StatusCode, Value)> {
        let mut req = self
            .http
            .request(method, format!("{}/_matrix/client/v3{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().expect("matrix request");
        let status = resp.status();
        let value: Value = resp.json().unwrap_or(Value::Null);
        if status.is_success() {
            Ok(value)
        } else {
            Err((status, value))
        }
    }

    /// A public room where `admins` have power level 100.
    pub fn create_room(&self, admins: &[&str]) -> String {
        // The creator is not listed: from room version 12 on, creators
        // outrank every power level.
        let mut users = serde_json::Map::new();
        for a in admins {
            users.insert(a.to_string(), json!(100));
        }
        let reply = self.call(
            reqwest::Method::POST,
            "/createRoom",
            Some(json!({"preset": "public_chat", "name": "Vigie test",
                        "power_level_content_override": {"users": users}})),
        );
        reply["room_id"].as_str().expect("room_id").to_string()
    }

    pub fn join(&self, room: &str) {
        self.call(
            reqwest::Method::POST,
            &format!("/join/{}", enc(room)),
            Some(json!({})),
        );
    }

    pub fn send(&self, room: &str, text: &str) -> String {
        self.try_send(room, text)
            .unwrap_or_else(|(status, value)| panic!("sending to {room}: HTTP {status}: {value}"))
    }

    /// Sends a message; the refusal's status and body if the server says no
    /// (for instance to a user the bot has just banned).
    pub fn try_send(&self, room: &str, text: &str) -> Result<String, (reqwest::StatusCode, Value)> {
        let txn = transaction_id('t');
        let reply = self.try_call(
            reqwest::Method::PUT,
            &format!("/rooms/{}/send/m.room.message/{txn}", enc(room)),
            Some(json!({"msgtype": "m.text", "body": text})),
        )?;
        Ok(reply["event_id"].as_str().expect("event_id").to_string())
    }

    /// Reacts to `event_id` with `key` (an emoji); returns the reaction's id.
    pub fn react(&self, room: &str, event_id: &str, key: &str) -> String {
        let txn = transaction_id('r');
        let reply = self.call(
            reqwest::Method::PUT,
            &format!("/rooms/{}/send/m.reaction/{txn}", enc(room)),
            Some(json!({"m.relates_to": {
                "rel_type": "m.annotation", "event_id": event_id, "key": key}})),
        );
        reply["event_id"].as_str().expect("event_id").to_string()
    }

    /// Redacts an event (a message, or a reaction: that withdraws it).
    pub fn redact(&self, room: &str, event_id: &str) {
        let txn = transaction_id('x');
        self.call(
            reqwest::Method::PUT,
            &format!("/rooms/{}/redact/{}/{txn}", enc(room), enc(event_id)),
            Some(json!({})),
        );
    }

    /// The room's timeline, oldest first (up to 1000 events).
    pub fn timeline(&self, room: &str) -> Vec<Value> {
        let reply = self.call(
            reqwest::Method::GET,
            &format!("/rooms/{}/messages?dir=b&limit=1000", enc(room)),
            None,
        );
        let mut events: Vec<Value> = reply["chunk"].as_array().cloned().unwrap_or_default();
        events.reverse();
        events
    }

    pub fn membership(&self, room: &str, user: &str) -> Option<String> {
        let reply = self.call(
            reqwest::Method::GET,
            &format!("/rooms/{}/members", enc(room)),
            None,
        );
        reply["chunk"]
            .as_array()?
            .iter()
            .find(|m| m["state_key"] == user)
            .and_then(|m| m["content"]["membership"].as_str().map(String::from))
    }
}

/// A fresh transaction id for a client `send` (the time in ns).
fn transaction_id(kind: char) -> String {
    let ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{kind}{ns}")
}

pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Polls `check` every 200 ms until it returns Some, or panics with `what`.
pub fn wait_for<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}
