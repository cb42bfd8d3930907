//! The web console through the real `vigie` binary: a host started with
//! `[console]` on a free port, fed by a followed JSON Lines file (lines
//! appended while it runs), its accounts made with `vigie user add`.
//!
//! Over HTTP: nothing answers without a session (pages 303 to /login, API
//! and SSE 401, /metrics 401 without its token), forms without their CSRF
//! token are refused, roles are enforced, the sixth wrong password in a
//! minute is refused even when right, the cookie flags, escaping in the
//! server-rendered page, a dead letter retried by an admin, the audit CSV,
//! the metrics, the review queue (approve, reject, act otherwise, roles). In a real browser (Debian's chromium, driven through
//! chromedriver with fantoccini): log in, see an appended event appear on
//! the Live page, markup in messages shown as text, and a held ban approved
//! on the Review page. The Contests and polls page with the real giveaway
//! and poll plugins: each ended one's list downloads and verifies with the
//! page's own `vigie verify-draw` / `verify-poll` command.

use crate::env::message;
use crate::process::VigieProcess;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery";
const METRICS_TOKEN: &str = "metrics-test-token-0123456789";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `vigie user ARGS -c CONFIG`, `password` on standard input.
fn user_command(config: &Path, args: &[&str], password: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .arg("user")
        .args(args)
        .arg("-c")
        .arg(config)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run vigie user");
    // The command may refuse before it reads: a closed pipe is fine.
    let _ = writeln!(child.stdin.take().expect("stdin"), "{password}");
    child.wait_with_output().expect("vigie user")
}

/// `vigie user add NAME --role ROLE`, the password on standard input.
fn add_user(config: &Path, name: &str, role: &str) {
    let out = user_command(config, &["add", name, "--role", role], PASSWORD);
    assert!(
        out.status.success(),
        "vigie user add {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A host with the console on, following `events.jsonl`.
struct Host {
    dir: tempfile::TempDir,
    vigie: Option<VigieProcess>,
    base: String,
    events: PathBuf,
}

impl Host {
    /// `extra` is appended to the config (a connector); `users` are
    /// (name, role) made before the host starts.
    fn start(extra: &str, users: &[(&str, &str)]) -> Host {
        let chain = r#"[plugins.kf]
component = "builtin:keyword-filter"
grants = ["delete", "dm"]
config = { keywords = ["spam"] }

[[communities]]
id = "acme"
chain = ["kf"]
"#;
        Host::start_with(
            chain,
            extra,
            &message("e1", "acme", "bob", "buy spam now"),
            users,
        )
    }

    /// A host whose plugins and communities are `chain`, its event file
    /// starting with `first`.
    fn start_with(chain: &str, extra: &str, first: &str, users: &[(&str, &str)]) -> Host {
        Host::start_with_secret(chain, extra, first, users, "webhook-test-secret")
    }

    /// [`Host::start_with`], `VIGIE_TEST_SECRET` set to `secret` (a Matrix
    /// bot's password).
    fn start_with_secret(
        chain: &str,
        extra: &str,
        first: &str,
        users: &[(&str, &str)],
        secret: &str,
    ) -> Host {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let config = dir.path().join("vigie.toml");
        std::fs::write(dir.path().join("metrics.token"), METRICS_TOKEN).unwrap();
        std::fs::write(
            &config,
            format!(
                r#"data_dir = "data"
{chain}
[[sources]]
type = "jsonl"
path = "events.jsonl"
follow = true

[console]
listen = "127.0.0.1:{port}"
metrics_token = "file:metrics.token"
{extra}"#
            ),
        )
        .unwrap();
        let events = dir.path().join("events.jsonl");
        std::fs::write(&events, first.to_string() + "\n").unwrap();
        for (name, role) in users {
            add_user(&config, name, role);
        }
        let mut vigie = VigieProcess::start(&config, secret);
        vigie.wait_log("Console: http://");
        Host {
            dir,
            vigie: Some(vigie),
            base: format!("http://127.0.0.1:{port}"),
            events,
        }
    }

    fn append(&self, line: &str) {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.events)
            .unwrap();
        file.write_all((line.to_string() + "\n").as_bytes())
            .unwrap();
        file.flush().unwrap();
    }

    fn log(&self) -> String {
        self.vigie.as_ref().map(|v| v.log()).unwrap_or_default()
    }

    fn stop(&mut self) -> String {
        self.vigie.take().map(|v| v.stop()).unwrap_or_default()
    }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// The `Set-Cookie` header setting `name`, whole.
fn set_cookie(resp: &reqwest::blocking::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(String::from)
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_string())
        .unwrap_or_default()
}

/// The value of the first hidden `csrf` input of a page.
fn csrf_of(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).expect("a csrf field") + marker.len();
    page[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Logs in through the form; the response to the POST.
fn try_login(base: &str, name: &str, password: &str) -> reqwest::blocking::Response {
    let http = client();
    let page = http.get(format!("{base}/login")).send().unwrap();
    let pre = cookie_value(&set_cookie(&page, "vigie_csrf").expect("a pre-login CSRF cookie"));
    let body = page.text().unwrap();
    assert_eq!(csrf_of(&body), pre);
    http.post(format!("{base}/login"))
        .header("cookie", format!("vigie_csrf={pre}"))
        .form(&[
            ("name", name),
            ("password", password),
            ("csrf", pre.as_str()),
            ("next", "/live"),
        ])
        .send()
        .unwrap()
}

/// A logged-in browser, as far as HTTP goes: its session cookie and the
/// session's CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

fn login(base: &str, name: &str) -> Session {
    let resp = try_login(base, name, PASSWORD);
    assert_eq!(resp.status(), 303, "login of {name}");
    let cookie = cookie_value(&set_cookie(&resp, "vigie_session").expect("a session cookie"));
    let page = get(base, "/live", Some(&cookie));
    assert_eq!(page.0, 200);
    Session {
        csrf: csrf_of(&page.1),
        cookie,
    }
}

fn get(base: &str, path: &str, session: Option<&str>) -> (u16, String) {
    let mut req = client().get(format!("{base}{path}"));
    if let Some(cookie) = session {
        req = req.header("cookie", format!("vigie_session={cookie}"));
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().unwrap_or_default())
}

fn post(base: &str, path: &str, session: &str, form: &[(&str, &str)]) -> (u16, String) {
    let resp = client()
        .post(format!("{base}{path}"))
        .header("cookie", format!("vigie_session={session}"))
        .form(form)
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().unwrap_or_default())
}

fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A platform that takes actions by webhook: it refuses deletions (400,
/// for good) until `allow` is set, and takes everything else.
struct Receiver {
    url: String,
    allow: Arc<AtomicBool>,
    deletes_taken: Arc<AtomicUsize>,
    /// Every request body it answered 200 to.
    taken: Arc<std::sync::Mutex<Vec<String>>>,
}

fn start_receiver() -> Receiver {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/actions", listener.local_addr().unwrap());
    let allow = Arc::new(AtomicBool::new(false));
    let deletes_taken = Arc::new(AtomicUsize::new(0));
    let taken = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (a, d, t) = (allow.clone(), deletes_taken.clone(), taken.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let mut data = Vec::new();
            let mut buf = [0u8; 8192];
            // Headers, then as many body bytes as Content-Length says.
            let body = loop {
                let Ok(n) = stream.read(&mut buf) else {
                    break None;
                };
                if n == 0 {
                    break None;
                }
                data.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&data).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text[..end]
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if data.len() >= end + 4 + length {
                        break Some(String::from_utf8_lossy(&data[end + 4..]).to_string());
                    }
                }
            };
            let Some(body) = body else { continue };
            let delete = body.contains("\"type\":\"delete\"");
            let reply = if delete && !a.load(Ordering::SeqCst) {
                "HTTP/1.1 400 Bad Request\r\nContent-Length: 21\r\nConnection: close\r\n\r\nmessage not deletable"
            } else {
                if delete {
                    d.fetch_add(1, Ordering::SeqCst);
                }
                t.lock().unwrap().push(body.clone());
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
            };
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    Receiver {
        url,
        allow,
        deletes_taken,
        taken,
    }
}

/// Everything reachable over HTTP: sessions, CSRF, roles, the rate limit,
/// cookie flags, escaping, a dead letter retried, the CSV, the metrics.
#[test]
fn console_over_http_guards_every_route() {
    let receiver = start_receiver();
    let mut host = Host::start(
        &format!(
            r#"
[[connectors]]
type = "webhook"
name = "forum"
community = "acme"
secret = "env:VIGIE_TEST_SECRET"
deliver_to = "{}"
"#,
            receiver.url
        ),
        &[
            ("root", "admin"),
            ("vera", "viewer"),
            ("mo", "moderator"),
            ("target", "viewer"),
        ],
    );
    let base = host.base.clone();
    assert!(
        !host.log().contains("setup?token="),
        "a setup link although accounts exist:\n{}",
        host.log()
    );

    // Nothing without a session.
    for page in [
        "/live",
        "/audit",
        "/dead-letters",
        "/plugins",
        "/reports",
        "/",
    ] {
        let resp = client().get(format!("{base}{page}")).send().unwrap();
        assert_eq!(resp.status(), 303, "{page}");
        let location = resp.headers()["location"].to_str().unwrap().to_string();
        assert!(
            location.starts_with("/login") || (page == "/" && location == "/live"),
            "{page} → {location}"
        );
    }
    for api in ["/api/live", "/api/audit.csv"] {
        assert_eq!(get(&base, api, None).0, 401, "{api}");
        assert_eq!(get(&base, api, Some("forged-session")).0, 401, "{api}");
    }
    let metrics = |token: Option<&str>| {
        let mut req = client().get(format!("{base}/metrics"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().unwrap();
        (resp.status().as_u16(), resp.text().unwrap_or_default())
    };
    assert_eq!(metrics(None).0, 401);
    assert_eq!(metrics(Some("wrong-token")).0, 401);
    // A POST without a session is no better.
    let resp = client()
        .post(format!("{base}/dead-letters/retry"))
        .form(&[("key", "00")])
        .send()
        .unwrap();
    assert_eq!(resp.status(), 303);

    // Log in: the cookie's flags.
    let resp = try_login(&base, "root", PASSWORD);
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/live");
    let set = set_cookie(&resp, "vigie_session").expect("a session cookie");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(set.contains(flag), "{flag} missing: {set}");
    }
    assert!(!set.contains("Secure"), "Secure over plain HTTP: {set}");
    let root = login(&base, "root");

    // The pages, in both languages, with the security headers.
    let resp = client()
        .get(format!("{base}/live"))
        .header("cookie", format!("vigie_session={}", root.cookie))
        .header("accept-language", "fr-FR,fr;q=0.9,en;q=0.5")
        .send()
        .unwrap();
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let body = resp.text().unwrap();
    assert!(
        body.contains("En direct") && body.contains("buy spam now"),
        "{body}"
    );
    let resp = client()
        .get(format!("{base}/live"))
        .header(
            "cookie",
            format!("vigie_session={}; vigie_lang=en", root.cookie),
        )
        .header("accept-language", "fr")
        .send()
        .unwrap();
    assert!(resp.text().unwrap().contains(">Live<"));
    for page in ["/audit", "/dead-letters", "/plugins"] {
        let (status, body) = get(&base, page, Some(&root.cookie));
        assert_eq!(status, 200, "{page}: {body}");
    }
    let (_, plugins) = get(&base, "/plugins", Some(&root.cookie));
    assert!(
        plugins.contains("builtin:keyword-filter") && plugins.contains("delete, dm"),
        "{plugins}"
    );
    // The SSE stream answers with a session.
    let resp = client()
        .get(format!("{base}/api/live"))
        .header("cookie", format!("vigie_session={}", root.cookie))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    drop(resp);

    // Markup in a message is text in the server-rendered page.
    host.append(&message(
        "e2",
        "acme",
        "eve",
        "<script>alert(1)</script> and <a href=\"javascript:alert(2)\">a link</a>",
    ));
    let live = wait_for("e2 on the Live page", Duration::from_secs(60), || {
        let (_, body) = get(&base, "/live", Some(&root.cookie));
        body.contains("alert(1)").then_some(body)
    });
    assert!(
        live.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{live}"
    );
    assert!(!live.contains("<script>alert"), "{live}");
    assert!(!live.contains("<a href=\"javascript:"), "{live}");

    // The deletion of e1 failed for good: a dead letter; the DM went out.
    let dead = wait_for("a dead letter", Duration::from_secs(60), || {
        let (_, body) = get(&base, "/dead-letters", Some(&root.cookie));
        body.contains("message not deletable").then_some(body)
    });
    let key_marker = "name=\"key\" value=\"";
    let start = dead.find(key_marker).expect("a retry form for the admin") + key_marker.len();
    let key = dead[start..].split('"').next().unwrap().to_string();

    // CSRF: refused without the token, or with another session's.
    let vera = login(&base, "vera");
    assert_eq!(
        post(&base, "/dead-letters/retry", &root.cookie, &[("key", &key)]).0,
        403
    );
    assert_eq!(
        post(
            &base,
            "/dead-letters/retry",
            &root.cookie,
            &[("key", &key), ("csrf", &vera.csrf)]
        )
        .0,
        403
    );
    assert_eq!(post(&base, "/logout", &root.cookie, &[]).0, 403);
    // Roles: a viewer cannot retry nor export, and sees no retry button.
    let (_, vera_dead) = get(&base, "/dead-letters", Some(&vera.cookie));
    assert!(vera_dead.contains("message not deletable"));
    assert!(
        !vera_dead.contains(key_marker),
        "a viewer got the retry form"
    );
    assert_eq!(
        post(
            &base,
            "/dead-letters/retry",
            &vera.cookie,
            &[("key", &key), ("csrf", &vera.csrf)]
        )
        .0,
        403
    );
    assert_eq!(get(&base, "/api/audit.csv", Some(&vera.cookie)).0, 403);

    // The admin retries; the platform now takes it.
    receiver.allow.store(true, Ordering::SeqCst);
    let (status, _) = post(
        &base,
        "/dead-letters/retry",
        &root.cookie,
        &[("key", &key), ("csrf", &root.csrf)],
    );
    assert_eq!(status, 303);
    wait_for(
        "the retried deletion delivered",
        Duration::from_secs(60),
        || (receiver.deletes_taken.load(Ordering::SeqCst) >= 1).then_some(()),
    );
    let (_, dead_after) = get(&base, "/dead-letters", Some(&root.cookie));
    assert!(dead_after.contains("0 dead letters"), "{dead_after}");

    // The audit: the page and the moderator's CSV.
    let mo = login(&base, "mo");
    let csv = wait_for("two executed actions", Duration::from_secs(60), || {
        let (status, body) = get(&base, "/api/audit.csv?plugin=kf", Some(&mo.cookie));
        assert_eq!(status, 200);
        (body.lines().count() >= 3).then_some(body)
    });
    assert!(csv.starts_with("executed_at,community,channel"), "{csv}");
    assert!(
        csv.contains("\"delete\"") && csv.contains("\"dm\""),
        "{csv}"
    );
    let (_, audit) = get(&base, "/audit?user=bob", Some(&vera.cookie));
    assert!(audit.contains("keyword"), "{audit}");
    let (_, none) = get(&base, "/audit?since=2999-01-01", Some(&vera.cookie));
    assert!(none.contains("0 action"), "{none}");
    let (_, bad) = get(&base, "/audit?since=yesterday", Some(&vera.cookie));
    assert!(bad.contains("is not an RFC 3339 time"), "{bad}");

    // The metrics, with the token.
    let (status, text) = metrics(Some(METRICS_TOKEN));
    assert_eq!(status, 200);
    for line in [
        "vigie_events_received_total{community=\"acme\"} 2",
        "vigie_events_handled_total{community=\"acme\"} 2",
        "vigie_actions_total{plugin=\"kf\",kind=\"delete\"} 1",
        "vigie_dead_letters 0",
        "vigie_outbox_depth 0",
        "# TYPE vigie_queue_depth gauge",
        "# TYPE vigie_instances_alive gauge",
    ] {
        assert!(text.contains(line), "{line} in:\n{text}");
    }

    // Log out: the cookie is cleared and the session is gone.
    let resp = client()
        .post(format!("{base}/logout"))
        .header("cookie", format!("vigie_session={}", mo.cookie))
        .form(&[("csrf", mo.csrf.as_str())])
        .send()
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert!(set_cookie(&resp, "vigie_session")
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(get(&base, "/live", Some(&mo.cookie)).0, 303);

    // Five wrong passwords within a minute, then the right one: refused.
    for _ in 0..5 {
        assert_eq!(try_login(&base, "target", "not the password").status(), 401);
    }
    let resp = try_login(&base, "target", PASSWORD);
    assert_eq!(resp.status(), 429);
    assert!(resp.text().unwrap().contains("wait a minute"));

    // The host holds the store: `vigie user` says so and changes nothing.
    let config = host.dir.path().join("vigie.toml");
    let out = user_command(&config, &["add", "late", "--role", "viewer"], PASSWORD);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("a running vigie holds the store") && stderr.contains("stop it"),
        "{stderr}"
    );

    // Reports: `vigie report` in the browser, for any role; the report is
    // its own document (inline style and SVG, still no script).
    let (status, form) = get(&base, "/reports", Some(&root.cookie));
    assert_eq!(status, 200);
    assert!(form.contains("/reports/view"), "{form}");
    let (status, json) = get(
        &base,
        "/reports/view?period=day&day=2026-11-22&format=json&community=acme",
        Some(&vera.cookie),
    );
    assert_eq!(status, 200, "{json}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let messages = report["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "activity.messages")
        .and_then(|f| f["value"].as_f64())
        .unwrap();
    assert!(messages >= 1.0, "{json}");
    let resp = client()
        .get(format!(
            "{base}/reports/view?period=week&week=2026-W47&compare=previous"
        ))
        .header(
            "cookie",
            format!("vigie_session={}; vigie_lang=fr", vera.cookie),
        )
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script"),
        "{csp}"
    );
    let html = resp.text().unwrap();
    assert!(html.contains("<svg") && html.contains("Activité"), "{html}");
    let (status, body) = get(
        &base,
        "/reports/view?period=week&week=48",
        Some(&vera.cookie),
    );
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        get(&base, "/reports/view?period=week&week=2026-W47", None).0,
        303
    );

    let log = host.stop();
    assert!(!log.contains(PASSWORD), "a password in the log");
    assert!(!log.contains(METRICS_TOKEN), "the metrics token in the log");
    assert!(!log.contains(&root.cookie), "a session token in the log");

    // Stopped: a password changes (and a short one is refused).
    let out = user_command(&config, &["passwd", "target"], "short");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 8 characters"));
    let out = user_command(&config, &["passwd", "target"], "a brand new password");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = vigie::SledStore::open(&host.dir.path().join("data/store")).unwrap();
    let target = vigie::console::auth::user(&store, "target")
        .unwrap()
        .unwrap();
    assert!(target.password_hash.starts_with("$argon2id$"));
    assert!(vigie::console::auth::verify_password(
        "a brand new password",
        &target.password_hash
    ));
    assert!(vigie::console::auth::user(&store, "late")
        .unwrap()
        .is_none());
}

/// The text of the first `<pre class="command"><code>` after `after` in
/// a page.
fn command_after(page: &str, after: &str) -> String {
    let start = page
        .find(after)
        .unwrap_or_else(|| panic!("`{after}` in the page"));
    let marker = "<pre class=\"command\"><code>";
    let from = page[start..].find(marker).expect("a command") + start + marker.len();
    let end = page[from..].find("</code>").expect("its end") + from;
    page[from..end].to_string()
}

/// The Contests and polls page, with the real giveaway and poll plugins:
/// a contest and a poll opened and closed with chat events, one of each
/// left running. Running ones come first; the prize is escaped; each
/// ended one's list downloads (session required) and verifies with the
/// page's own command run by the real binary; a running one has no list;
/// French and English.
#[test]
fn console_contests_page_lists_verify_with_the_real_commands() {
    // The host runs on the wall clock: recent events, deadlines ahead.
    let events = crate::contests::contest_events(vigie::connector::now_ms() - 20 * 60_000);
    let mut host = Host::start_with(
        crate::contests::CHAINS,
        "",
        &events[0],
        &[("vera", "viewer")],
    );
    for line in &events[1..] {
        host.append(line);
    }
    let base = host.base.clone();

    // No session: the page sends to the login, the list answers 401.
    let giveaway_list = "/api/contests/list?community=acme&entry=giveaway&id=1";
    let poll_list = "/api/contests/list?community=acme&entry=poll&id=1";
    assert_eq!(get(&base, "/contests", None).0, 303);
    assert_eq!(get(&base, giveaway_list, None).0, 401);

    let vera = login(&base, "vera");
    let page = wait_for(
        "both running ones on the page",
        Duration::from_secs(60),
        || {
            let (status, page) = get(&base, "/contests", Some(&vera.cookie));
            (status == 200 && page.contains("Cake?") && page.contains("Cup")).then_some(page)
        },
    );
    assert!(page.contains("<h1>Contests and polls</h1>"), "{page}");
    assert!(page.contains("href=\"/contests\""), "{page}");
    assert!(
        page.contains("Mug &lt;b&gt;") && !page.contains("Mug <b>"),
        "{page}"
    );
    // Running first: both running ones before the first past one.
    let past = page.find("<h2>Past").expect("a Past section");
    assert!(page.find("Cake?").unwrap() < past && page.find("Cup").unwrap() < past);
    assert!(
        page.find("Tea or coffee?").unwrap() > past && page.find("Mug &lt;b&gt;").unwrap() > past
    );
    assert!(page.contains("the seed is published at the draw"), "{page}");

    // Each ended one: download the list, save it under the name the
    // command uses, run the command with the real binary.
    let dir = tempfile::tempdir().unwrap();
    for (path, after, file) in [
        (
            giveaway_list,
            "Mug &lt;b&gt;",
            "acme-giveaway-1-entries.txt",
        ),
        (poll_list, "Tea or coffee?", "acme-poll-1-ballots.txt"),
    ] {
        let resp = client()
            .get(format!("{base}{path}"))
            .header("cookie", format!("vigie_session={}", vera.cookie))
            .send()
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(
            resp.headers()["content-type"].to_str().unwrap(),
            "text/plain; charset=utf-8"
        );
        assert!(resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(file));
        let body = resp.bytes().unwrap();
        std::fs::write(dir.path().join(file), &body).unwrap();
        let command = command_after(&page, after);
        let args: Vec<&str> = command.split_whitespace().collect();
        assert_eq!(args[0], "vigie", "{command}");
        assert!(args.contains(&file), "{command}");
        let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
            .args(&args[1..])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{command}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if path == giveaway_list {
            assert!(
                stdout.contains("entries:    ok") && stdout.contains("winner 2:"),
                "{stdout}"
            );
        } else {
            assert!(
                stdout.contains("the ballot list is the published one")
                    && stdout.contains("3 ballots, 2 options"),
                "{stdout}"
            );
        }
        // A changed list does not verify.
        std::fs::write(dir.path().join(file), [&body[..], &b"zed\n"[..]].concat()).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
            .args(&args[1..])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(!out.status.success(), "{command} verified a changed list");
    }
    // A running one has no list; an unknown entry neither.
    for path in [
        "/api/contests/list?community=acme&entry=giveaway&id=2",
        "/api/contests/list?community=acme&entry=automod&id=1",
        "/api/contests/list?community=acme&entry=giveaway&id=99",
    ] {
        assert_eq!(get(&base, path, Some(&vera.cookie)).0, 404, "{path}");
    }
    // The filter by community, and French.
    let (status, page) = get(&base, "/contests?community=other", Some(&vera.cookie));
    assert_eq!(status, 200);
    assert!(!page.contains("Cup"), "{page}");
    let fr = client()
        .get(format!("{base}/contests"))
        .header("cookie", format!("vigie_session={}", vera.cookie))
        .header("accept-language", "fr")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(fr.contains("<h1>Concours et sondages</h1>"), "{fr}");
    assert!(
        fr.contains("Télécharger la liste des participations"),
        "{fr}"
    );
    host.stop();
}

/// The review queue page: a held ban and a flag from the probe plugin
/// (`review = ["ban"]`) behind a webhook connector. Viewers see it without
/// buttons and are refused (403); a POST without CSRF is refused; a
/// moderator approves the ban (executed once on the platform, the audit
/// names him), a second approval shows the store's "already approved by"
/// notice, and rejecting the flag records it as rejected.
/// A host for the review queue: the probe plugin `p` with `grants`, its
/// bans held for review, a webhook connector delivering to `receiver`,
/// users vera (viewer) and mo (moderator), and bob's ban request as the
/// first event.
fn review_host(grants: &[&str], receiver: &str) -> Host {
    let grants: Vec<String> = grants.iter().map(|g| format!("{g:?}")).collect();
    let chain = format!(
        r#"[plugins.p]
component = "{}"
grants = [{}]
review = ["ban"]
config = {{ name = "p" }}

[[communities]]
id = "acme"
chain = ["p"]
"#,
        crate::env::plugin("probe").display(),
        grants.join(", ")
    );
    Host::start_with(
        &chain,
        &format!(
            r#"
[[connectors]]
type = "webhook"
name = "forum"
community = "acme"
secret = "env:VIGIE_TEST_SECRET"
deliver_to = "{receiver}"
"#
        ),
        &message("e1", "acme", "bob", "p:ban"),
        &[("vera", "viewer"), ("mo", "moderator")],
    )
}

#[test]
fn console_review_queue_approve_reject_and_roles() {
    let receiver = start_receiver();
    let mut host = review_host(&["ban", "flag", "timeout"], &receiver.url);
    let base = host.base.clone();
    assert_eq!(get(&base, "/review", None).0, 303, "no session: to /login");
    host.append(&message("e2", "acme", "carol", "p:flag <b>look</b>"));

    let mo = login(&base, "mo");
    let page = wait_for("the held ban and the flag", Duration::from_secs(60), || {
        let (status, body) = get(&base, "/review", Some(&mo.cookie));
        assert_eq!(status, 200, "{body}");
        body.contains("2 items waiting").then_some(body)
    });
    for text in [
        "Review (2)",
        ">held<",
        ">flag<",
        "p: ban",
        "p: flag",
        "user: bob",
        "p:flag &lt;b&gt;look&lt;/b&gt;",
        ">Approve<",
        ">Reject<",
        "Act otherwise",
    ] {
        assert!(page.contains(text), "{text} missing in:\n{page}");
    }
    assert!(!page.contains("<b>look"), "the message is not escaped");
    // Oldest first: the ban (e1) before the flag (e2).
    assert!(page.find("p: ban").unwrap() < page.find("p: flag").unwrap());
    let keys: Vec<String> = page
        .match_indices("name=\"key\" value=\"")
        .map(|(i, m)| page[i + m.len()..].split('"').next().unwrap().to_string())
        .collect();
    // Per item, in page order: the bulk checkbox and two forms (decide,
    // act otherwise).
    assert_eq!(keys.len(), 6, "{keys:?}");
    let (ban_key, flag_key) = (keys[0].clone(), keys[3].clone());
    // Held: nothing reached the platform but the flag.
    std::thread::sleep(Duration::from_secs(2));
    let taken = || receiver.taken.lock().unwrap().clone();
    assert!(
        !taken().iter().any(|b| b.contains("\"type\":\"ban\"")),
        "{:?}",
        taken()
    );

    // A viewer sees the page without buttons, and cannot decide.
    let vera = login(&base, "vera");
    let (status, vera_page) = get(&base, "/review", Some(&vera.cookie));
    assert_eq!(status, 200);
    assert!(vera_page.contains("p: ban") && vera_page.contains("Review (2)"));
    assert!(!vera_page.contains(">Approve<"), "a viewer got the buttons");
    assert!(!vera_page.contains("name=\"key\""), "a viewer got a form");
    let approve = |who: &Session, key: &str, csrf: &str| {
        post(
            &base,
            "/review/decide",
            &who.cookie,
            &[("key", key), ("verdict", "approved"), ("csrf", csrf)],
        )
    };
    assert_eq!(approve(&vera, &ban_key, &vera.csrf).0, 403);
    // Without the CSRF token, or with another session's: refused.
    assert_eq!(
        post(
            &base,
            "/review/decide",
            &mo.cookie,
            &[("key", &ban_key), ("verdict", "approved")]
        )
        .0,
        403
    );
    assert_eq!(approve(&mo, &ban_key, &vera.csrf).0, 403);

    // The moderator approves the ban: 303 back to the page.
    let resp = client()
        .post(format!("{base}/review/decide"))
        .header("cookie", format!("vigie_session={}", mo.cookie))
        .form(&[
            ("key", ban_key.as_str()),
            ("verdict", "approved"),
            ("note", "seen it"),
            ("csrf", mo.csrf.as_str()),
        ])
        .send()
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/review");
    let (_, after) = get(&base, "/review", Some(&mo.cookie));
    assert!(after.contains("Review (1)"), "{after}");
    assert!(after.contains("1 item waiting"), "{after}");
    assert!(
        after.contains("approved</span> by mo") && after.contains("seen it"),
        "{after}"
    );
    wait_for(
        "the approved ban delivered",
        Duration::from_secs(60),
        || {
            taken()
                .iter()
                .any(|b| b.contains("\"type\":\"ban\""))
                .then_some(())
        },
    );

    // A second approval: the store's refusal, on the page, not a 500.
    let (status, again) = approve(&mo, &ban_key, &mo.csrf);
    assert_eq!(status, 409, "{again}");
    assert!(again.contains("already approved by mo"), "{again}");

    // The flag is overturned, in French.
    let resp = client()
        .post(format!("{base}/review/decide"))
        .header(
            "cookie",
            format!("vigie_session={}; vigie_lang=fr", mo.cookie),
        )
        .form(&[
            ("key", flag_key.as_str()),
            ("verdict", "rejected"),
            ("note", "a joke"),
            ("csrf", mo.csrf.as_str()),
        ])
        .send()
        .unwrap();
    assert_eq!(resp.status(), 303);
    let resp = client()
        .get(format!("{base}/review"))
        .header(
            "cookie",
            format!("vigie_session={}; vigie_lang=fr", mo.cookie),
        )
        .send()
        .unwrap();
    let fr = resp.text().unwrap();
    assert!(fr.contains("0 élément en attente"), "{fr}");
    assert!(fr.contains("rejeté</span> par mo"), "{fr}");
    assert!(fr.contains(">Revue<"), "no count once nothing waits: {fr}");

    // Act otherwise: a 5-minute timeout of dave instead of his held ban;
    // a reason is required.
    host.append(&message("e3", "acme", "dave", "p:ban"));
    let page = wait_for("dave's held ban", Duration::from_secs(60), || {
        let (_, body) = get(&base, "/review", Some(&mo.cookie));
        body.contains("user: dave").then_some(body)
    });
    let at = page.find("name=\"key\" value=\"").unwrap() + "name=\"key\" value=\"".len();
    let dave_key = page[at..].split('"').next().unwrap().to_string();
    let otherwise = |reason: &str| {
        post(
            &base,
            "/review/decide",
            &mo.cookie,
            &[
                ("key", dave_key.as_str()),
                ("verdict", "replaced"),
                ("kind", "timeout"),
                ("duration_min", "5"),
                ("reason", reason),
                ("csrf", mo.csrf.as_str()),
            ],
        )
    };
    let (status, body) = otherwise(" ");
    assert_eq!(status, 400);
    assert!(body.contains("needs a reason"), "{body}");
    assert_eq!(otherwise("first offence").0, 303);
    let timeout = wait_for("the timeout delivered", Duration::from_secs(60), || {
        taken()
            .into_iter()
            .find(|b| b.contains("\"type\":\"timeout\""))
    });
    assert!(
        timeout.contains("\"dave\"")
            && timeout.contains("300")
            && timeout.contains("first offence"),
        "{timeout}"
    );
    let (_, after) = get(&base, "/review", Some(&mo.cookie));
    assert!(after.contains("acted otherwise</span> by mo"), "{after}");

    // The audit, through the control socket: the executed ban and the
    // decisions name the moderator.
    let config = host.dir.path().join("vigie.toml");
    let audit = wait_for("the ban in the audit", Duration::from_secs(30), || {
        let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
            .args(["audit", "--json", "-c"])
            .arg(&config)
            .output()
            .unwrap();
        let records: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        records
            .iter()
            .any(|r| r["connector"] == "forum" && r["action"]["type"] == "ban")
            .then_some(records)
    });
    let ban = audit
        .iter()
        .find(|r| r["connector"] == "forum" && r["action"]["type"] == "ban")
        .unwrap();
    assert_eq!(ban["decided_by"], "mo", "{ban}");
    let decisions: Vec<_> = audit
        .iter()
        .filter(|r| r["connector"] == "review")
        .collect();
    assert_eq!(decisions.len(), 3, "{audit:?}");
    assert!(decisions.iter().all(|r| r["decided_by"] == "mo"));
    assert!(
        decisions
            .iter()
            .any(|r| r["platform_reply"] == "flag overturned — a joke"),
        "{decisions:?}"
    );
    let (_, audit_page) = get(&base, "/audit", Some(&mo.cookie));
    assert!(audit_page.contains("approved: executed"), "{audit_page}");

    host.stop();
    let bans = taken()
        .iter()
        .filter(|b| b.contains("\"type\":\"ban\""))
        .count();
    assert_eq!(bans, 1, "the approved ban executed once, dave's not at all");
}

/// The waiting items' rows of a Review page: (key, the row's HTML), in
/// page order, read from the bulk checkboxes.
fn review_rows(page: &str) -> Vec<(String, String)> {
    let marker = "type=\"checkbox\" name=\"key\" value=\"";
    page.split("<tr class=\"item\"")
        .skip(1)
        .filter_map(|row| {
            let row = row.split("</tr>").next().unwrap_or_default();
            let at = row.find(marker)? + marker.len();
            let key = row[at..].split('"').next()?.to_string();
            Some((key, row.to_string()))
        })
        .collect()
}

/// The `vigie audit --json` records, through the running host's control
/// socket.
fn audit_records(host: &Host) -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["audit", "--json", "-c"])
        .arg(host.dir.path().join("vigie.toml"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// Bulk decisions on the Review page: a viewer's bulk POST and one without
/// the CSRF token are refused; three held bans approved at once, one of
/// them decided meanwhile by a single decision: two executed (once each),
/// the third skipped and named with who decided it; two flags rejected
/// with "select all" are recorded as overturned; every decision is in the
/// audit naming the moderator. The page carries the shortcuts' script and
/// help line; a webhook's ban offers no undo.
#[test]
fn console_review_bulk_decisions() {
    let receiver = start_receiver();
    let mut host = review_host(&["ban", "flag"], &receiver.url);
    let base = host.base.clone();
    host.append(&message("e2", "acme", "carol", "p:ban"));
    host.append(&message("e3", "acme", "dave", "p:ban"));
    host.append(&message("e4", "acme", "erin", "p:flag first flag"));
    host.append(&message("e5", "acme", "frank", "p:flag second flag"));
    let mo = login(&base, "mo");
    let vera = login(&base, "vera");
    let page = wait_for("five waiting items", Duration::from_secs(60), || {
        let (status, body) = get(&base, "/review", Some(&mo.cookie));
        assert_eq!(status, 200, "{body}");
        body.contains("5 items waiting").then_some(body)
    });
    for text in [
        "action=\"/review/bulk\"",
        "form=\"bulk\"",
        "id=\"select-all\"",
        ">Approve selected<",
        ">Reject selected<",
        "<script src=\"/assets/review.js\" defer",
        "Keyboard: ",
        "<kbd>x</kbd>",
        "id=\"shortcuts\"",
    ] {
        assert!(page.contains(text), "{text} missing in:\n{page}");
    }
    let rows = review_rows(&page);
    assert_eq!(rows.len(), 5, "{rows:?}");
    let key_of = |needle: &str| {
        rows.iter()
            .find(|(_, row)| row.contains(needle))
            .map(|(k, _)| k.clone())
            .unwrap_or_else(|| panic!("no row with {needle}"))
    };
    let (bob, carol, dave) = (
        key_of("user: bob"),
        key_of("user: carol"),
        key_of("user: dave"),
    );
    let flags = [key_of("p:flag first flag"), key_of("p:flag second flag")];
    // The script is served, with the CSP's own-origin rule.
    let (status, js) = get(&base, "/assets/review.js", None);
    assert_eq!(status, 200);
    assert!(js.contains("keydown") && js.contains("typing"), "{js}");
    // A viewer gets neither the form nor the script, and is refused.
    let (_, vera_page) = get(&base, "/review", Some(&vera.cookie));
    assert!(!vera_page.contains("/review/bulk") && !vera_page.contains("review.js"));
    let bulk = |who: &Session, form: &[(&str, &str)], lang: &str| {
        let resp = client()
            .post(format!("{base}/review/bulk"))
            .header(
                "cookie",
                format!("vigie_session={}; vigie_lang={lang}", who.cookie),
            )
            .form(form)
            .send()
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.text().unwrap_or_default())
    };
    let three = [
        ("key", bob.as_str()),
        ("key", carol.as_str()),
        ("key", dave.as_str()),
        ("verdict", "approved"),
        ("note", "bulk"),
    ];
    let with_csrf = |csrf: &'static str| {
        let mut form = three.to_vec();
        form.push(("csrf", csrf));
        form
    };
    let vera_csrf: &'static str = Box::leak(vera.csrf.clone().into_boxed_str());
    let mo_csrf: &'static str = Box::leak(mo.csrf.clone().into_boxed_str());
    assert_eq!(bulk(&vera, &with_csrf(vera_csrf), "en").0, 403, "a viewer");
    assert_eq!(bulk(&mo, &three, "en").0, 403, "no CSRF token");
    assert_eq!(
        bulk(&mo, &with_csrf(vera_csrf), "en").0,
        403,
        "another's token"
    );
    let (_, still) = get(&base, "/review", Some(&mo.cookie));
    assert!(
        still.contains("5 items waiting"),
        "a refused POST decided: {still}"
    );
    // Nothing selected: said so (in French here), nothing decided.
    let (status, none) = bulk(&mo, &[("verdict", "approved"), ("csrf", mo_csrf)], "fr");
    assert_eq!(status, 400, "{none}");
    assert!(none.contains("Aucun élément choisi"), "{none}");

    // dave's ban is decided meanwhile, on its own.
    let (status, _) = post(
        &base,
        "/review/decide",
        &mo.cookie,
        &[("key", &dave), ("verdict", "approved"), ("csrf", &mo.csrf)],
    );
    assert_eq!(status, 303);
    let (status, answer) = bulk(&mo, &with_csrf(mo_csrf), "en");
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("2 items approved."), "{answer}");
    assert!(answer.contains("1 item skipped:"), "{answer}");
    assert!(
        answer.contains("p: ban") && answer.contains("already approved by mo"),
        "{answer}"
    );
    assert!(
        answer.contains(&dave[..12]),
        "the skipped item's key: {answer}"
    );
    assert!(answer.contains("2 items waiting"), "{answer}");
    // The same again: everything skipped, 409.
    let (status, again) = bulk(&mo, &with_csrf(mo_csrf), "en");
    assert_eq!(status, 409, "{again}");
    assert!(again.contains("0 items approved.") && again.contains("3 items skipped:"));

    // The two flags, with "select all" (the keys the page showed), in
    // French.
    let mut all = vec![("verdict", "rejected"), ("all", "1"), ("csrf", mo_csrf)];
    for key in &flags {
        all.push(("shown", key.as_str()));
    }
    let (status, rejected) = bulk(&mo, &all, "fr");
    assert_eq!(status, 200, "{rejected}");
    assert!(rejected.contains("2 éléments rejetés."), "{rejected}");
    assert!(rejected.contains("0 élément en attente"), "{rejected}");

    // Executed once each; every decision in the audit, naming mo.
    let taken = || receiver.taken.lock().unwrap().clone();
    let audit = wait_for("three bans executed", Duration::from_secs(60), || {
        let records = audit_records(&host);
        (records
            .iter()
            .filter(|r| r["connector"] == "forum" && r["action"]["type"] == "ban")
            .count()
            == 3)
            .then_some(records)
    });
    let decisions: Vec<_> = audit
        .iter()
        .filter(|r| r["connector"] == "review")
        .collect();
    assert_eq!(decisions.len(), 5, "{decisions:?}");
    assert!(
        decisions.iter().all(|r| r["decided_by"] == "mo"),
        "{decisions:?}"
    );
    let replies = |text: &str| {
        decisions
            .iter()
            .filter(|r| {
                r["platform_reply"]
                    .as_str()
                    .is_some_and(|p| p.starts_with(text))
            })
            .count()
    };
    assert_eq!(replies("approved: executed"), 3, "{decisions:?}");
    assert_eq!(replies("flag overturned"), 2, "{decisions:?}");
    assert!(
        decisions
            .iter()
            .any(|r| r["platform_reply"] == "approved: executed — bulk"),
        "{decisions:?}"
    );
    // The webhook's receiver lifts restrictions itself: no undo offered,
    // and none taken.
    let (_, audit_page) = get(&base, "/audit", Some(&mo.cookie));
    assert!(audit_page.contains(">Undo<"), "{audit_page}");
    assert!(!audit_page.contains("/audit/undo"), "{audit_page}");
    let ban_key = audit
        .iter()
        .find(|r| r["connector"] == "forum" && r["action"]["type"] == "ban")
        .and_then(|r| r["key"].as_str())
        .unwrap()
        .to_string();
    let (status, body) = post(
        &base,
        "/audit/undo",
        &mo.cookie,
        &[("key", &ban_key), ("csrf", &mo.csrf)],
    );
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("can be undone here"), "{body}");

    host.stop();
    let bans = taken()
        .iter()
        .filter(|b| b.contains("\"type\":\"ban\""))
        .count();
    assert_eq!(bans, 3, "each approved ban executed once");
}

/// Undo on a real Matrix homeserver: a ban and a one-hour timeout the
/// probe plugin decided are executed; the Audit page offers "Unban" and
/// "Lift timeout" to a moderator (not to a viewer, whose POST is refused,
/// as is one without the CSRF token); each undo lifts the restriction at
/// once, through the connector, once: a second undo is refused, the room
/// has one unban per user, the audit's lift records name the moderator,
/// and the timeout's own scheduled lifting is gone.
#[test]
fn console_undo_lifts_a_matrix_ban_and_timeout_once() {
    use crate::synapse::{password, Synapse};
    let synapse = Synapse::start();
    let moderator = synapse.register("modo");
    let alice = synapse.register("alice");
    let bob = synapse.register("bob");
    synapse.register("vigie");
    let room = moderator.create_room(&["@vigie:localhost"]);
    alice.join(&room);
    bob.join(&room);
    let chain = format!(
        r#"[plugins.p]
component = "{}"
grants = ["ban", "timeout"]
config = {{ name = "p" }}

[[communities]]
id = "acme"
chain = ["p"]
"#,
        crate::env::plugin("probe").display()
    );
    let connector = format!(
        r#"
[[connectors]]
type = "matrix"
community = "acme"
homeserver = "{}"
user = "@vigie:localhost"
password = "env:VIGIE_TEST_SECRET"
rooms = ["{room}"]
sync_timeout_s = 2
"#,
        synapse.url
    );
    let mut host = Host::start_with_secret(
        &chain,
        &connector,
        &message("e0", "acme", "zoe", "hello"),
        &[("vera", "viewer"), ("mo", "moderator")],
        &password("vigie"),
    );
    host.vigie
        .as_mut()
        .unwrap()
        .wait_log("connected to every platform");
    let base = host.base.clone();
    alice.send(&room, "p:ban");
    bob.send(&room, "p:timeout 3600");
    let membership = |user: &crate::synapse::MatrixUser| moderator.membership(&room, &user.user_id);
    wait_for(
        "alice banned and bob timed out",
        Duration::from_secs(60),
        || {
            (membership(&alice).as_deref() == Some("ban")
                && membership(&bob).as_deref() == Some("ban"))
            .then_some(())
        },
    );
    let mo = login(&base, "mo");
    let vera = login(&base, "vera");
    let page = wait_for("both in the audit", Duration::from_secs(30), || {
        let (_, body) = get(&base, "/audit", Some(&mo.cookie));
        (body.contains(">Unban<") && body.contains(">Lift timeout<")).then_some(body)
    });
    let key_in = |row_text: &str| {
        let marker = "name=\"key\" value=\"";
        page.split("<tr>")
            .find(|row| row.contains(row_text) && row.contains("/audit/undo"))
            .and_then(|row| {
                let at = row.find(marker)? + marker.len();
                row[at..].split('"').next().map(String::from)
            })
            .unwrap_or_else(|| panic!("no undo form in the row of {row_text}:\n{page}"))
    };
    let (alice_key, bob_key) = (key_in(&alice.user_id), key_in(&bob.user_id));
    // A viewer sees the column, not the buttons, and is refused.
    let (_, vera_page) = get(&base, "/audit", Some(&vera.cookie));
    assert!(vera_page.contains(">Undo<") && !vera_page.contains("/audit/undo"));
    let undo = |who: &Session, key: &str, csrf: Option<&str>| {
        let mut form = vec![("key", key), ("next", "/audit")];
        if let Some(csrf) = csrf {
            form.push(("csrf", csrf));
        }
        post(&base, "/audit/undo", &who.cookie, &form)
    };
    assert_eq!(undo(&vera, &alice_key, Some(&vera.csrf)).0, 403);
    assert_eq!(undo(&mo, &alice_key, None).0, 403);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        membership(&alice).as_deref(),
        Some("ban"),
        "a refused undo lifted"
    );

    // The moderator unbans alice: lifted at once, through the connector.
    let (status, body) = undo(&mo, &alice_key, Some(&mo.csrf));
    assert_eq!(status, 303, "{body}");
    wait_for("alice unbanned", Duration::from_secs(30), || {
        (membership(&alice).as_deref() == Some("leave")).then_some(())
    });
    let (status, again) = undo(&mo, &alice_key, Some(&mo.csrf));
    assert_eq!(status, 409, "{again}");
    assert!(again.contains("already undone by mo"), "{again}");
    // bob's timeout, an hour long, lifted now.
    assert_eq!(undo(&mo, &bob_key, Some(&mo.csrf)).0, 303);
    wait_for("bob's timeout lifted", Duration::from_secs(30), || {
        (membership(&bob).as_deref() == Some("leave")).then_some(())
    });
    let (status, again) = undo(&mo, &bob_key, Some(&mo.csrf));
    assert_eq!(status, 409, "{again}");
    // The audit names the moderator on each lifting, once each.
    let records = wait_for("the two liftings audited", Duration::from_secs(30), || {
        let records = audit_records(&host);
        (records
            .iter()
            .filter(|r| r["key"].as_str().is_some_and(|k| k.ends_with(":lift")))
            .count()
            == 2)
            .then_some(records)
    });
    for key in [&alice_key, &bob_key] {
        let lifts: Vec<_> = records
            .iter()
            .filter(|r| r["key"] == format!("{key}:lift"))
            .collect();
        assert_eq!(lifts.len(), 1, "{records:?}");
        assert_eq!(lifts[0]["decided_by"], "mo", "{lifts:?}");
        assert!(
            lifts[0]["action"]["reason"]
                .as_str()
                .is_some_and(|r| r.starts_with("undone by mo")),
            "{lifts:?}"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["audit", "-c"])
        .arg(host.dir.path().join("vigie.toml"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("(undone by mo)").count(), 2, "{text}");
    let (_, page) = get(&base, "/audit", Some(&mo.cookie));
    assert!(
        !page.contains("/audit/undo"),
        "an undo button is left: {page}"
    );
    assert_eq!(page.matches("undone</span> by mo").count(), 2, "{page}");
    // Still lifted a few seconds on (nothing reverses twice), and one
    // unban each in the room.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(membership(&alice).as_deref(), Some("leave"));
    assert_eq!(membership(&bob).as_deref(), Some("leave"));
    let timeline = moderator.timeline(&room);
    for user in [&alice, &bob] {
        let unbans = timeline
            .iter()
            .filter(|e| {
                e["type"] == "m.room.member"
                    && e["state_key"] == user.user_id.as_str()
                    && e["sender"] == "@vigie:localhost"
                    && e["content"]["membership"] == "leave"
            })
            .count();
        assert_eq!(unbans, 1, "{}: {timeline:?}", user.user_id);
    }
    let log = host.stop();
    let store = vigie::SledStore::open(&host.dir.path().join("data/store")).unwrap();
    use vigie::Store;
    assert!(
        store.reversals().unwrap().is_empty(),
        "a lifting is still scheduled: {:?}\n{log}",
        store.reversals()
    );
    assert_eq!(store.undos().unwrap().len(), 2);
}

/// The embedded demo with `--stay` and `--console`: its input ends, the
/// host stays up; with no account it prints a setup link, which creates
/// one admin, once; the demo's communities and plugins are on the pages;
/// SIGTERM stops it cleanly.
#[test]
fn console_demo_stays_up_and_its_setup_link_creates_the_first_admin_once() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let stderr_path = dir.path().join("stderr");
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["run", "--stay", "--console", &format!("127.0.0.1:{port}")])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let stderr = || std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let log = wait_for("the demo to end and stay", Duration::from_secs(120), || {
        let log = stderr();
        if let Ok(Some(status)) = child.try_wait() {
            panic!("vigie exited ({status}):\n{log}");
        }
        log.contains("--stay: the input ended").then_some(log)
    });
    assert!(log.contains("137 handled"), "{log}");
    let start = log.find("/setup?token=").expect("a setup link") + "/setup?token=".len();
    let token: String = log[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let base = format!("http://127.0.0.1:{port}");
    assert_eq!(get(&base, "/setup?token=wrong", None).0, 404);
    let http = client();
    let page = http
        .get(format!("{base}/setup?token={token}"))
        .send()
        .unwrap();
    assert_eq!(page.status(), 200);
    let pre = cookie_value(&set_cookie(&page, "vigie_csrf").unwrap());
    let form = |name: &str| {
        http.post(format!("{base}/setup"))
            .header("cookie", format!("vigie_csrf={pre}"))
            .form(&[
                ("token", token.as_str()),
                ("name", name),
                ("password", PASSWORD),
                ("csrf", pre.as_str()),
            ])
            .send()
            .unwrap()
    };
    let resp = form("first");
    assert_eq!(resp.status(), 303);
    assert!(set_cookie(&resp, "vigie_session").is_some());
    assert_eq!(form("second").status(), 404, "the link worked twice");
    let first = login(&base, "first");
    let (_, live) = get(&base, "/live?community=acme-en", Some(&first.cookie));
    // Rows of the demo's English community, faq answers among them.
    assert!(live.contains("<td>acme-en</td>"), "{live}");
    assert!(live.contains("<td>faq "), "{live}");
    let (_, plugins) = get(&base, "/plugins", Some(&first.cookie));
    for plugin in ["builtin:automod", "builtin:faq", "builtin:schedule"] {
        assert!(plugins.contains(plugin), "{plugin}: {plugins}");
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    assert!(status.success(), "{}", stderr());
    assert!(!stderr().contains(PASSWORD));
}

/// An admin lifts a quarantine from the Plugins page: the plugin handles
/// the community's next event again.
#[test]
fn console_admin_lifts_a_quarantine() {
    let chain = format!(
        r#"[plugins.p]
component = "{}"
grants = ["label"]
limits = {{ quarantine_after = 2 }}

[[communities]]
id = "acme"
chain = ["p"]
"#,
        crate::env::plugin("panicker").display()
    );
    let mut host = Host::start_with(
        &chain,
        "",
        &message("b1", "acme", "u1", "boom"),
        &[("root", "admin"), ("vera", "viewer")],
    );
    host.append(&message("b2", "acme", "u1", "boom"));
    let base = host.base.clone();
    let root = login(&base, "root");
    let plugins = wait_for("the quarantine", Duration::from_secs(60), || {
        let (_, body) = get(&base, "/plugins", Some(&root.cookie));
        body.contains("action=\"/plugins/lift\"").then_some(body)
    });
    assert!(
        plugins.contains("p in acme after 2 failures in a row"),
        "{plugins}"
    );
    let lift = [("plugin", "p"), ("community", "acme")];
    let vera = login(&base, "vera");
    let (_, vera_plugins) = get(&base, "/plugins", Some(&vera.cookie));
    assert!(
        !vera_plugins.contains("/plugins/lift"),
        "a viewer got the lift form"
    );
    let mut form = lift.to_vec();
    form.push(("csrf", &vera.csrf));
    assert_eq!(post(&base, "/plugins/lift", &vera.cookie, &form).0, 403);
    assert_eq!(post(&base, "/plugins/lift", &root.cookie, &lift).0, 403);
    let mut form = lift.to_vec();
    form.push(("csrf", &root.csrf));
    assert_eq!(post(&base, "/plugins/lift", &root.cookie, &form).0, 303);
    let (_, pending) = get(&base, "/plugins", Some(&root.cookie));
    assert!(
        pending.contains("lifted before its next event"),
        "{pending}"
    );
    host.append(&message("h1", "acme", "u1", "hello"));
    let metrics = || {
        client()
            .get(format!("{base}/metrics"))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    let text = wait_for("the plugin acting again", Duration::from_secs(60), || {
        let text = metrics();
        text.contains("vigie_actions_total{plugin=\"p\",kind=\"label\"} 1")
            .then_some(text)
    });
    assert!(text.contains("vigie_quarantined 0"), "{text}");
    assert!(text.contains("vigie_quarantines_total 1"), "{text}");
    let (_, after) = get(&base, "/plugins", Some(&root.cookie));
    assert!(!after.contains("span class=\"quarantined\""), "{after}");
    host.stop();
}

/// An address in use does not stop the host: it warns and handles its
/// events without a console (tests run many demo hosts at once).
#[test]
fn console_address_in_use_is_a_warning() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["run", "--console", &addr])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("console not started") && stderr.contains(&addr),
        "{stderr}"
    );
    assert!(stderr.contains("--console ADDR"), "{stderr}");
    assert!(stderr.contains("137 handled"), "{stderr}");
}

// --- A real browser ---

/// chromedriver on a free port, stopped on drop.
pub(crate) struct Driver {
    child: std::process::Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start_driver() -> Driver {
    if Command::new("chromedriver")
        .arg("--version")
        .output()
        .is_err()
        || Command::new("chromium").arg("--version").output().is_err()
    {
        crate::synapse::ensure_installed("chromium");
    }
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (tests/servers/install.sh chromium installs it)");
    let url = format!("http://127.0.0.1:{port}");
    let driver = Driver { child, url };
    wait_for("chromedriver", Duration::from_secs(30), || {
        client()
            .get(format!("{}/status", driver.url))
            .send()
            .ok()
            .filter(|r| r.status().is_success())
    });
    driver
}

/// Headless chromium (Debian's) through `driver`, with its profile in
/// `profile` and a 1400 × 900 window.
pub(crate) async fn open_browser(
    driver: &Driver,
    profile: &Path,
) -> Result<fantoccini::Client, String> {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--window-size=1400,900",
                format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .map_err(|e| format!("cannot start chromium through chromedriver: {e}"))
}

/// Where screenshots go: the target directory (`target/` by default).
pub(crate) fn screenshot_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map_or_else(|| PathBuf::from(name), |t| t.join(name))
}

/// The Review page's selection: how many items are ticked, whether the
/// focused one is, and whether the shortcuts' list shows.
async fn selection_state(
    browser: &fantoccini::Client,
) -> Result<serde_json::Value, fantoccini::error::CmdError> {
    browser
        .execute(
            "const focused = document.querySelector('tr.item.focused');
             return {
               checked: document.querySelectorAll('input.pick:checked').length,
               focusedChecked: !!(focused && focused.querySelector('input.pick:checked')),
               help: !document.getElementById('shortcuts').hidden,
             };",
            vec![],
        )
        .await
}

/// Presses and releases one key, as a person at the keyboard does.
async fn press(browser: &fantoccini::Client, key: char) -> Result<(), fantoccini::error::CmdError> {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    browser.perform_actions(keys).await
}

async fn browse(
    browser: &fantoccini::Client,
    host: &Host,
) -> Result<(), Box<dyn std::error::Error>> {
    use fantoccini::Locator;
    let base = &host.base;
    browser.goto(&format!("{base}/live")).await?;
    let url = browser.current_url().await?;
    if !url.path().starts_with("/login") {
        return Err(format!("not sent to the login page: {url}").into());
    }
    browser
        .find(Locator::Css("input[name=name]"))
        .await?
        .send_keys("root")
        .await?;
    browser
        .find(Locator::Css("input[name=password]"))
        .await?
        .send_keys(PASSWORD)
        .await?;
    browser
        .find(Locator::Css("form.login button"))
        .await?
        .click()
        .await?;
    let wait = Duration::from_secs(30);
    browser
        .wait()
        .at_most(wait)
        .for_element(Locator::Css("tbody#live-rows"))
        .await?;
    // The stream is open before lines are appended.
    browser
        .wait()
        .at_most(wait)
        .for_element(Locator::XPath(
            "//p[@id='live-status'][contains(., '● live')]",
        ))
        .await?;
    host.append(&message(
        "b1",
        "acme",
        "alice",
        "hello from the browser test",
    ));
    browser
        .wait()
        .at_most(wait)
        .for_element(Locator::XPath(
            "//tbody[@id='live-rows']//td[.='hello from the browser test']",
        ))
        .await?;
    let script = "<script>alert(1)</script>";
    let link = "click <a href=\"javascript:alert(2)\">here</a> or javascript:alert(3)";
    host.append(&message("b2", "acme", "mallory", script));
    host.append(&message("b3", "acme", "mallory", link));
    // Both paths: rows the stream added, then rows the server rendered.
    for pass in ["streamed", "server-rendered"] {
        if pass == "server-rendered" {
            browser.refresh().await?;
        }
        browser
            .wait()
            .at_most(wait)
            .for_element(Locator::XPath(
                "//tbody[@id='live-rows']//td[starts-with(., 'click <a href')]",
            ))
            .await?;
        let found = browser
            .execute(
                "const cells = Array.from(document.querySelectorAll('#live-rows td')).map(td => td.textContent);
                 return {
                   script: cells.includes(arguments[0]),
                   link: cells.includes(arguments[1]),
                   anchors: document.querySelectorAll('a[href^=\"javascript:\" i]').length,
                   scripts: Array.from(document.scripts).map(s => s.getAttribute('src') || 'inline'),
                 };",
                vec![script.into(), link.into()],
            )
            .await?;
        if found["script"] != true || found["link"] != true {
            return Err(format!("{pass}: the messages are not shown as text: {found}").into());
        }
        if found["anchors"] != 0 {
            return Err(format!("{pass}: a javascript: link became an anchor: {found}").into());
        }
        if found["scripts"] != serde_json::json!(["/assets/console.js"]) {
            return Err(format!("{pass}: a script element from a message: {found}").into());
        }
        if let Ok(text) = browser.get_alert_text().await {
            return Err(format!("{pass}: an alert opened: {text}").into());
        }
    }
    // The review queue: a held ban, approved from the page.
    host.append(&message("b4", "acme", "bob", "p:ban"));
    browser.goto(&format!("{base}/review")).await?;
    let approve = Locator::XPath("//table[contains(@class,'review')]//button[.='Approve']");
    for _ in 0..60 {
        if browser.find(approve).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        browser.refresh().await?;
    }
    browser.find(approve).await?;
    let nav = browser
        .find(Locator::Css("header nav a[href='/review']"))
        .await?
        .text()
        .await?;
    if nav != "Review (1)" {
        return Err(format!("the nav says {nav:?}, not Review (1)").into());
    }
    let png = browser.screenshot().await?;
    std::fs::write(screenshot_path("console-review.png"), png)?;
    browser.find(approve).await?.click().await?;
    browser
        .wait()
        .at_most(wait)
        .for_element(Locator::XPath("//td[contains(., 'approved by root')]"))
        .await?;
    // The shortcuts: two more held bans; typing x in a field selects
    // nothing; j then x selects the first item, ? shows the list, and the
    // bulk "Reject selected" rejects it alone; j then a approves the other
    // through its own form.
    host.append(&message("b5", "acme", "carl", "p:ban"));
    host.append(&message("b6", "acme", "dina", "p:ban"));
    let two = Locator::XPath("//p[.='2 items waiting']");
    for _ in 0..60 {
        if browser.find(two).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        browser.refresh().await?;
    }
    browser.find(two).await?;
    let note = browser
        .find(Locator::Css("form.bulk input[name=note]"))
        .await?;
    note.send_keys("x").await?;
    let typed = selection_state(browser).await?;
    if typed["checked"] != 0 || note.prop("value").await?.as_deref() != Some("x") {
        return Err(format!("x typed in the note was taken as a shortcut: {typed}").into());
    }
    note.clear().await?;
    browser.find(Locator::Css("main h1")).await?.click().await?;
    press(browser, 'j').await?;
    press(browser, 'x').await?;
    press(browser, '?').await?;
    let picked = selection_state(browser).await?;
    if picked["checked"] != 1 || picked["focusedChecked"] != true || picked["help"] != true {
        return Err(format!("j, x, ? did not select and show the list: {picked}").into());
    }
    let png = browser.screenshot().await?;
    std::fs::write(screenshot_path("console-review-shortcuts.png"), png)?;
    press(browser, '?').await?;
    browser
        .find(Locator::XPath(
            "//form[@id='bulk']//button[.='Reject selected']",
        ))
        .await?
        .click()
        .await?;
    browser
        .wait()
        .at_most(wait)
        .for_element(Locator::XPath("//p[.='1 item rejected.']"))
        .await?;
    browser
        .wait()
        .at_most(wait)
        .for_element(Locator::XPath("//p[.='1 item waiting']"))
        .await?;
    press(browser, 'j').await?;
    press(browser, 'a').await?;
    browser
        .wait()
        .at_most(wait)
        .for_element(Locator::XPath("//p[.='0 items waiting']"))
        .await?;
    // The Contests and polls page, from the navigation, in English then
    // (the header's button) in French.
    browser
        .find(Locator::Css("header nav a[href='/contests']"))
        .await?
        .click()
        .await?;
    browser
        .wait()
        .at_most(wait)
        .for_element(Locator::XPath("//main/h1[.='Contests and polls']"))
        .await?;
    browser
        .find(Locator::Css("form.lang button"))
        .await?
        .click()
        .await?;
    browser
        .wait()
        .at_most(wait)
        .for_element(Locator::XPath("//main/h1[.='Concours et sondages']"))
        .await?;
    let nav = browser
        .find(Locator::Css("header nav a.active"))
        .await?
        .text()
        .await?;
    if nav != "Concours et sondages" {
        return Err(format!("the active nav link says {nav:?}").into());
    }
    Ok(())
}

/// Logs in in chromium, sees an appended event arrive on the Live page,
/// and markup in messages shown as text; saves `target/console-live.png`;
/// approves a held ban; with the keyboard shortcuts, selects one held ban
/// (j, x), rejects it with the bulk form and approves the other (j, a);
/// opens Contests and polls in English and French.
#[test]
fn console_in_a_browser_live_page_and_escaping() {
    let receiver = start_receiver();
    let chain = format!(
        r#"[plugins.kf]
component = "builtin:keyword-filter"
grants = ["delete", "dm"]
config = {{ keywords = ["spam"] }}

[plugins.p]
component = "{}"
grants = ["ban"]
review = ["ban"]
config = {{ name = "p" }}

[[communities]]
id = "acme"
chain = ["kf", "p"]
"#,
        crate::env::plugin("probe").display()
    );
    let mut host = Host::start_with(
        &chain,
        &format!(
            r#"
[[connectors]]
type = "webhook"
name = "forum"
community = "acme"
secret = "env:VIGIE_TEST_SECRET"
deliver_to = "{}"
"#,
            receiver.url
        ),
        &message("e1", "acme", "bob", "buy spam now"),
        &[("root", "admin")],
    );
    let driver = start_driver();
    let profile = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let outcome: Result<(), String> = rt.block_on(async {
        let browser = open_browser(&driver, profile.path()).await?;
        let result = browse(&browser, &host).await;
        let shot = screenshot_path(if result.is_ok() {
            "console-live.png"
        } else {
            "console-failure.png"
        });
        if let Ok(png) = browser.screenshot().await {
            let _ = std::fs::write(&shot, png);
        }
        let _ = browser.close().await;
        result.map_err(|e| format!("{e} (screenshot: {})", shot.display()))
    });
    let log = host.stop();
    if let Err(e) = outcome {
        panic!("{e}\nvigie's log:\n{log}");
    }
}
