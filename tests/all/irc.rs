//! The IRC connector against a real IRC server: ngIRCd, started here on a
//! free local port with a generated config (installed by
//! `tests/servers/install.sh ngircd` when missing). A second, plain TCP
//! client plays the user: what it says must arrive as normalised events,
//! and what the connector executes must reach it as IRC lines.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use vigie::action::{Action, DecidedAction, PluginRef};
use vigie::connector::irc::{Irc, IrcConfig};
use vigie::connector::{Connector, DeliveryError, EventSink};
use vigie::event::{Event, EventKind};
use vigie::source::SourceItem;
use vigie::store::Reversal;
use vigie::{SledStore, Store};

const WAIT: Duration = Duration::from_secs(20);
const SERVER_PASSWORD: &str = "s3cret-pass";

/// The ngircd binary and its library directory, installing it if needed.
fn ngircd() -> (PathBuf, Option<PathBuf>) {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|p| p.into_inner());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let local = root.join("target/servers/ngircd");
    let binary = local.join("usr/sbin/ngircd");
    if !binary.exists() {
        if let Ok(out) = Command::new("sh")
            .args(["-c", "command -v ngircd"])
            .output()
        {
            let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if out.status.success() && !path.is_empty() {
                return (PathBuf::from(path), None);
            }
        }
        let status = Command::new("bash")
            .arg(root.join("tests/servers/install.sh"))
            .arg("ngircd")
            .status()
            .expect("run tests/servers/install.sh");
        assert!(status.success(), "installing ngircd failed");
    }
    (binary, Some(local.join("usr/lib/x86_64-linux-gnu")))
}

/// An ngircd on 127.0.0.1, killed on drop.
struct Server {
    child: Child,
    port: u16,
    /// The TLS port, when started with a certificate.
    tls_port: Option<u16>,
    _dir: tempfile::TempDir,
}

/// A certificate authority and a server certificate it signed for
/// 127.0.0.1, made for one test.
struct TestPki {
    ca_pem: String,
    server_cert_pem: String,
    server_key_pem: String,
}

impl TestPki {
    fn new() -> TestPki {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "Vigie test CA");
        let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
        let server_key = KeyPair::generate().expect("server key");
        let server = CertificateParams::new(vec!["127.0.0.1".to_string()]).expect("server params");
        let server_cert = server
            .signed_by(&server_key, &ca_cert, &ca_key)
            .expect("server certificate");
        TestPki {
            ca_pem: ca_cert.pem(),
            server_cert_pem: server_cert.pem(),
            server_key_pem: server_key.serialize_pem(),
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Server {
    fn start() -> Server {
        Server::start_on(free_port()).expect("ngircd starts")
    }

    /// Also listening with TLS on a second port, with `pki`'s server
    /// certificate.
    fn start_with_tls(pki: &TestPki) -> Server {
        Server::start_with(free_port(), Some(pki)).expect("ngircd starts")
    }

    /// `None` when ngircd exits at once (the port is still taken).
    fn start_on(port: u16) -> Option<Server> {
        Server::start_with(port, None)
    }

    fn start_with(port: u16, pki: Option<&TestPki>) -> Option<Server> {
        let (binary, libs) = ngircd();
        let dir = tempfile::tempdir().expect("temp dir");
        let conf = dir.path().join("ngircd.conf");
        let tls_port = pki.map(|_| free_port());
        let ssl_section = match (pki, tls_port) {
            (Some(pki), Some(tls_port)) => {
                let cert = dir.path().join("server.pem");
                let key = dir.path().join("server.key");
                std::fs::write(&cert, &pki.server_cert_pem).expect("write the certificate");
                std::fs::write(&key, &pki.server_key_pem).expect("write the key");
                format!(
                    "[SSL]\nCertFile = {}\nKeyFile = {}\nPorts = {tls_port}\n",
                    cert.display(),
                    key.display()
                )
            }
            _ => String::new(),
        };
        std::fs::write(
            &conf,
            format!(
                "[Global]\nName = irc.vigie.test\nInfo = Vigie test server\nListen = 127.0.0.1\n\
                 Ports = {port}\nPassword = {SERVER_PASSWORD}\nMotdPhrase = test\n\
                 PidFile = {pid}\n\
                 [Limits]\nMaxConnectionsIP = 0\nMaxNickLength = 30\nPingTimeout = 120\n\
                 [Options]\nPAM = no\nIdent = no\nDNS = no\n{ssl_section}",
                pid = dir.path().join("ngircd.pid").display()
            ),
        )
        .expect("write ngircd.conf");
        let command = |extra: &[&str]| {
            let mut c = Command::new(&binary);
            if let Some(libs) = &libs {
                c.env("LD_LIBRARY_PATH", libs);
            }
            c.args(extra).arg("-f").arg(&conf);
            c
        };
        let check = command(&["--configtest"])
            .output()
            .expect("run ngircd --configtest");
        assert!(
            check.status.success(),
            "ngircd rejects the config: {}",
            String::from_utf8_lossy(&check.stdout)
        );
        let child = command(&["-n"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ngircd");
        let mut server = Server {
            child,
            port,
            tls_port,
            _dir: dir,
        };
        let deadline = std::time::Instant::now() + WAIT;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
            || tls_port.is_some_and(|p| std::net::TcpStream::connect(("127.0.0.1", p)).is_err())
        {
            if std::time::Instant::now() > deadline
                || matches!(server.child.try_wait(), Ok(Some(_)))
            {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain IRC client: the user on the other side.
struct User {
    nick: String,
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl User {
    async fn connect(port: u16, nick: &str) -> User {
        let stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        let (read, writer) = stream.into_split();
        let mut user = User {
            nick: nick.to_string(),
            reader: BufReader::new(read),
            writer,
        };
        user.send(&format!(
            "PASS {SERVER_PASSWORD}\r\nNICK {nick}\r\nUSER {nick} 0 * :{nick}"
        ))
        .await;
        user.expect(|l| l.contains(" 001 ")).await;
        user
    }

    async fn send(&mut self, lines: &str) {
        self.writer
            .write_all(format!("{lines}\r\n").as_bytes())
            .await
            .expect("write");
    }

    /// Reads until a line matches (answering PINGs), returns it.
    async fn expect(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        let mut seen = Vec::new();
        let found = tokio::time::timeout(WAIT, async {
            loop {
                let mut line = String::new();
                if self.reader.read_line(&mut line).await.expect("read") == 0 {
                    return None;
                }
                let line = line.trim_end().to_string();
                if let Some(token) = line.strip_prefix("PING ") {
                    self.send(&format!("PONG {token}")).await;
                    continue;
                }
                if wanted(&line) {
                    return Some(line);
                }
                seen.push(line);
            }
        })
        .await;
        match found {
            Ok(Some(line)) => line,
            _ => panic!(
                "{}: the expected line did not come; got:\n{}",
                self.nick,
                seen.join("\n")
            ),
        }
    }

    /// Waits until `nick` is a channel operator in `channel`.
    async fn wait_for_op(&mut self, channel: &str, nick: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            self.send(&format!("NAMES {channel}")).await;
            let names = self
                .expect(|l| l.contains(" 366 ") || l.contains(" 353 "))
                .await;
            if names.contains(" 353 ") {
                self.expect(|l| l.contains(" 366 ")).await;
                let list = names.rsplit(':').next().unwrap_or("");
                if list.split(' ').any(|n| n == format!("@{nick}")) {
                    return;
                }
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{nick} never became an operator in {channel}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// The connector under test, streaming into a real (temporary) store.
struct Bot {
    irc: Arc<Irc>,
    events: mpsc::Receiver<SourceItem>,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    _dir: tempfile::TempDir,
}

impl Bot {
    fn config(port: u16, extra: &str) -> (IrcConfig, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("irc-password"),
            format!("{SERVER_PASSWORD}\n"),
        )
        .expect("write the password file");
        let text = format!(
            "name = \"irc\"\ncommunity = \"acme\"\nserver = \"127.0.0.1:{port}\"\n\
             nick = \"vigiebot\"\npassword = \"file:irc-password\"\n{extra}"
        );
        (toml::from_str(&text).expect("valid IrcConfig"), dir)
    }

    fn start(port: u16, extra: &str) -> Bot {
        let (config, dir) = Bot::config(port, extra);
        Bot::start_with(config, dir)
    }

    fn start_with(config: IrcConfig, dir: tempfile::TempDir) -> Bot {
        let irc = Arc::new(Irc::new(config, dir.path()).expect("connector"));
        let store: Arc<dyn Store> = Arc::new(SledStore::temporary().expect("store"));
        let (tx, events) = mpsc::channel(100);
        let (shutdown, shutdown_rx) = watch::channel(false);
        let sink = EventSink::new("irc", store, tx);
        let task = tokio::spawn(irc.clone().stream(None, sink, shutdown_rx));
        Bot {
            irc,
            events,
            shutdown,
            task,
            _dir: dir,
        }
    }

    async fn next_event(&mut self) -> Event {
        match tokio::time::timeout(WAIT, self.events.recv()).await {
            Ok(Some(SourceItem::Event(event))) => *event,
            Ok(Some(SourceItem::Rejected(r))) => panic!("rejected input: {r:?}"),
            Ok(Some(SourceItem::Clock(_))) => panic!("a connector sends no clock"),
            Ok(None) => panic!("the connector stopped"),
            Err(_) => panic!("no event within {WAIT:?}"),
        }
    }

    async fn execute(&self, channel: &str, action: Action) -> Result<String, DeliveryError> {
        let decided = decided(channel, action);
        self.irc
            .execute(&decided, "key")
            .await
            .map(|e| e.platform_reply)
    }

    async fn stop(self) {
        let _ = self.shutdown.send(true);
        let result = tokio::time::timeout(WAIT, self.task)
            .await
            .expect("the connector stops on shutdown");
        result.expect("task").expect("stream ends cleanly");
    }
}

fn decided(channel: &str, action: Action) -> DecidedAction {
    DecidedAction {
        event_id: None,
        tick_ms: None,
        community: "acme".into(),
        channel: channel.into(),
        by: PluginRef {
            plugin: "test".into(),
            plugin_version: "1".into(),
            plugin_hash: String::new(),
        },
        action,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn irc_events_and_actions_against_ngircd() {
    let server = Server::start();
    // Bob founds #bobs before the bot comes: the bot is a plain member
    // there, so its kicks must fail for want of rights.
    let mut bob = User::connect(server.port, "bob").await;
    bob.send("JOIN #bobs").await;
    bob.expect(|l| l.contains(" 366 ")).await;

    let extra = "channels = [\"#vigie\", \"#bobs\"]\nstaff_channel = \"#staff\"";
    // Not connected (never streamed): nothing to write to, retry later.
    let (config, dir) = Bot::config(server.port, extra);
    let idle = Irc::new(config, dir.path()).expect("connector");
    let early = idle
        .execute(
            &decided(
                "#vigie",
                Action::Post {
                    text: "too early".into(),
                    reason: "r".into(),
                },
            ),
            "k0",
        )
        .await;
    assert!(
        matches!(early, Err(DeliveryError::Retry { .. })),
        "{early:?}"
    );

    let mut bot = Bot::start(server.port, extra);

    let mut alice = User::connect(server.port, "alice").await;
    alice.wait_for_op("#vigie", "vigiebot").await;
    alice.send("JOIN #vigie").await;
    alice.expect(|l| l.contains(" 366 ")).await;

    let join = bot.next_event().await;
    assert_eq!(join.kind, EventKind::Join);
    assert_eq!(join.channel, "#vigie");
    assert_eq!(join.author.id, "alice");
    assert_eq!(join.platform, "irc");
    assert_eq!(join.community, "acme");

    alice.send("PRIVMSG #vigie :hello vigie").await;
    let message = bot.next_event().await;
    assert_eq!(message.kind, EventKind::Message);
    assert_eq!(message.channel, "#vigie");
    assert_eq!(message.author.id, "alice");
    assert_eq!(message.author.name, "alice");
    assert_eq!(message.text, "hello vigie");
    assert_eq!(message.reply_to, None);
    assert!(!message.author.is_staff);
    assert!(message.id.starts_with("irc-"), "{}", message.id);
    let age = vigie::connector::now_ms() - message.timestamp_ms();
    assert!((0..60_000).contains(&age), "timestamp {age} ms ago");

    // post: two lines of text, two PRIVMSGs.
    bot.execute(
        "#vigie",
        Action::Post {
            text: "line one\nline two".into(),
            reason: "r".into(),
        },
    )
    .await
    .expect("post");
    alice
        .expect(|l| l.starts_with(":vigiebot!") && l.ends_with("PRIVMSG #vigie :line one"))
        .await;
    alice
        .expect(|l| l.starts_with(":vigiebot!") && l.ends_with("PRIVMSG #vigie :line two"))
        .await;

    // reply: addressed to the author of the message replied to.
    bot.execute(
        "#vigie",
        Action::Reply {
            to_message: message.id.clone(),
            text: "welcome!".into(),
            reason: "r".into(),
        },
    )
    .await
    .expect("reply");
    alice
        .expect(|l| l.ends_with("PRIVMSG #vigie :alice: welcome!"))
        .await;

    // dm, and alerts to the staff channel.
    bot.execute(
        "#vigie",
        Action::DirectMessage {
            user_id: "alice".into(),
            text: "psst".into(),
            reason: "r".into(),
        },
    )
    .await
    .expect("dm");
    alice.expect(|l| l.ends_with("PRIVMSG alice :psst")).await;
    alice.send("JOIN #staff").await;
    alice.expect(|l| l.contains(" 366 ")).await;
    bot.execute(
        "#vigie",
        Action::Alert {
            severity: vigie::action::Severity::Warning,
            message: "raid suspected".into(),
            reason: "r".into(),
        },
    )
    .await
    .expect("alert");
    alice
        .expect(|l| l.contains("PRIVMSG #staff :") && l.contains("raid suspected"))
        .await;
    // Joining #staff was an event too.
    let staff_join = bot.next_event().await;
    assert_eq!(
        (staff_join.kind, staff_join.channel.as_str()),
        (EventKind::Join, "#staff")
    );

    // delete: ngircd cannot, a permanent error says so.
    let delete = bot
        .execute(
            "#vigie",
            Action::Delete {
                message_id: message.id.clone(),
                reason: "r".into(),
            },
        )
        .await;
    assert!(
        matches!(&delete, Err(DeliveryError::Permanent(e)) if e.contains("cannot delete")),
        "{delete:?}"
    );

    // timeout: a ban that mutes; the user stays but cannot speak.
    let timeout = bot
        .irc
        .execute(
            &decided(
                "#vigie",
                Action::Timeout {
                    user_id: "alice".into(),
                    duration_s: 30,
                    reason: "flood".into(),
                },
            ),
            "k",
        )
        .await
        .expect("timeout");
    let due = timeout.reversal_due_ms.expect("a reversal to schedule");
    assert!((due - vigie::connector::now_ms() - 30_000).abs() < 5_000);
    assert!(timeout.platform_reply.contains("confirmed"), "{timeout:?}");
    alice
        .expect(|l| l.starts_with(":vigiebot!") && l.ends_with("MODE #vigie +b alice!*@*"))
        .await;
    alice.send("PRIVMSG #vigie :can I still talk?").await;
    alice.expect(|l| l.contains(" 404 alice #vigie")).await;

    // reverse lifts it.
    let lifted = bot
        .irc
        .reverse(&Reversal {
            due_ms: due,
            key: "k".into(),
            connector: "irc".into(),
            community: "acme".into(),
            channel: "#vigie".into(),
            user_id: "alice".into(),
            reason: "flood".into(),
            undone_by: None,
        })
        .await
        .expect("reverse");
    assert!(lifted.contains("confirmed"), "{lifted}");
    alice
        .expect(|l| l.starts_with(":vigiebot!") && l.ends_with("MODE #vigie -b alice!*@*"))
        .await;
    alice.send("PRIVMSG #vigie :back").await;
    let back = bot.next_event().await;
    assert_eq!(
        (back.kind, back.text.as_str()),
        (EventKind::Message, "back")
    );

    // kick without the right: a permanent error (482).
    let refused = bot
        .execute(
            "#bobs",
            Action::Kick {
                user_id: "bob".into(),
                reason: "r".into(),
            },
        )
        .await;
    assert!(
        matches!(&refused, Err(DeliveryError::Permanent(e)) if e.contains("482")),
        "{refused:?}"
    );

    // Staff come from channel modes: bob founded #bobs, so he is its op.
    bob.send("PRIVMSG #bobs :I run this place").await;
    let from_op = bot.next_event().await;
    assert_eq!(
        (from_op.channel.as_str(), from_op.author.id.as_str()),
        ("#bobs", "bob")
    );
    assert!(from_op.author.is_staff);
    assert_eq!(from_op.author.roles, vec!["op"]);

    // kick.
    let kicked = bot
        .execute(
            "#vigie",
            Action::Kick {
                user_id: "alice".into(),
                reason: "be nice".into(),
            },
        )
        .await
        .expect("kick");
    assert!(kicked.contains("kicked alice"), "{kicked}");
    alice
        .expect(|l| l.starts_with(":vigiebot!") && l.ends_with("KICK #vigie alice :be nice"))
        .await;

    // ban with a duration: +b and a kick, lifted by reverse.
    alice.send("JOIN #vigie").await;
    alice.expect(|l| l.contains(" 366 ")).await;
    let rejoin = bot.next_event().await;
    assert_eq!(rejoin.kind, EventKind::Join);
    let ban = bot
        .irc
        .execute(
            &decided(
                "#vigie",
                Action::Ban {
                    user_id: "alice".into(),
                    duration_s: Some(600),
                    reason: "spam".into(),
                },
            ),
            "k2",
        )
        .await
        .expect("ban");
    assert!(ban.reversal_due_ms.is_some());
    alice
        .expect(|l| l.ends_with("MODE #vigie +b alice!*@*"))
        .await;
    alice
        .expect(|l| l.ends_with("KICK #vigie alice :spam"))
        .await;
    alice.send("JOIN #vigie").await;
    alice.expect(|l| l.contains(" 474 alice #vigie")).await;
    bot.irc
        .reverse(&Reversal {
            due_ms: 0,
            key: "k2".into(),
            connector: "irc".into(),
            community: "acme".into(),
            channel: "#vigie".into(),
            user_id: "alice".into(),
            reason: "spam".into(),
            undone_by: None,
        })
        .await
        .expect("reverse the ban");
    alice.send("JOIN #vigie").await;
    alice
        .expect(|l| l.starts_with(":alice!") && l.contains("JOIN") && l.contains("#vigie"))
        .await;

    // PART and QUIT are leave events.
    let rejoined = bot.next_event().await;
    assert_eq!(rejoined.kind, EventKind::Join);
    alice.send("PART #vigie :see you").await;
    let part = bot.next_event().await;
    assert_eq!(
        (part.kind, part.channel.as_str(), part.text.as_str()),
        (EventKind::Leave, "#vigie", "see you")
    );
    alice.send("QUIT :bye").await;
    let quit = bot.next_event().await;
    assert_eq!(
        (quit.kind, quit.channel.as_str(), quit.author.id.as_str()),
        (EventKind::Leave, "#staff", "alice")
    );

    bot.stop().await;
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn irc_direct_messages_nick_collision_and_reconnect() {
    let mut server = Server::start();
    // Someone holds the bot's nick: it registers as `vigiebot_`.
    let _squatter = User::connect(server.port, "vigiebot").await;
    let mut bot = Bot::start(server.port, "channels = [\"#vigie\"]");
    let mut carol = User::connect(server.port, "carol").await;
    carol.wait_for_op("#vigie", "vigiebot_").await;

    carol.send("PRIVMSG vigiebot_ :can you help me?").await;
    let dm = bot.next_event().await;
    assert_eq!(dm.kind, EventKind::DirectMessage);
    assert_eq!(dm.channel, "carol");
    assert_eq!(dm.author.id, "carol");
    assert_eq!(dm.text, "can you help me?");
    // A reply to a direct message goes back to its author.
    bot.execute(
        "carol",
        Action::Reply {
            to_message: dm.id.clone(),
            text: "sure".into(),
            reason: "r".into(),
        },
    )
    .await
    .expect("reply to a dm");
    carol
        .expect(|l| l.starts_with(":vigiebot_!") && l.ends_with("PRIVMSG carol :sure"))
        .await;

    // The server goes away and comes back on the same port: the bot
    // reconnects by itself and rejoins its channels.
    let port = server.port;
    let _ = server.child.kill();
    let _ = server.child.wait();
    drop(carol);
    let down = bot
        .execute(
            "#vigie",
            Action::Post {
                text: "anyone?".into(),
                reason: "r".into(),
            },
        )
        .await;
    assert!(matches!(down, Err(DeliveryError::Retry { .. })) || down.is_ok());
    server = restart_on(port);
    let mut carol = User::connect(server.port, "carol").await;
    carol.wait_for_op("#vigie", "vigiebot").await;
    carol
        .send("JOIN #vigie\r\nPRIVMSG #vigie :you are back")
        .await;
    let join = bot.next_event().await;
    assert_eq!(
        (join.kind, join.author.id.as_str()),
        (EventKind::Join, "carol")
    );
    let again = bot.next_event().await;
    assert_eq!(
        (again.kind, again.text.as_str()),
        (EventKind::Message, "you are back")
    );

    bot.stop().await;
    drop(server);
}

/// A new ngircd on a given port (the old one's), retried while the port
/// is released.
fn restart_on(port: u16) -> Server {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let server = Server::start_on(port);
        if let Some(server) = server {
            return server;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "cannot restart ngircd"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Through the `vigie` binary: the same connector config in `vigie.toml`,
/// a chain deciding, the outbox delivering; seen from a user's client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_answers_and_times_out_on_irc_through_the_outbox() {
    let server = Server::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("vigie.toml");
    std::fs::write(
        &config,
        format!(
            r##"data_dir = "data"
[plugins.probe]
component = "{}"
grants = ["post", "reply", "timeout", "delete"]

[[communities]]
id = "acme"
chain = ["probe"]

[[connectors]]
type = "irc"
community = "acme"
server = "127.0.0.1:{}"
nick = "vigiebot"
password = "env:VIGIE_TEST_SECRET"
channels = ["#acme"]
"##,
            crate::env::plugin("probe").display(),
            server.port
        ),
    )
    .expect("write config");
    let vigie = crate::process::VigieProcess::start(&config, SERVER_PASSWORD);
    // The bot joins first, so it is the channel's operator.
    let mut op = User::connect(server.port, "watcher").await;
    op.wait_for_op("#acme", "vigiebot").await;
    op.send("JOIN #acme").await;
    let mut alice = User::connect(server.port, "alice").await;
    alice.send("JOIN #acme").await;
    alice.expect(|l| l.contains(" 366 ")).await;
    alice
        .send("PRIVMSG #acme :*:reply bienvenue; *:post #acme annonce")
        .await;
    op.expect(|l| l.contains("PRIVMSG #acme :alice: bienvenue"))
        .await;
    op.expect(|l| l.contains("PRIVMSG #acme :annonce")).await;
    alice.send("PRIVMSG #acme :*:timeout 3").await;
    op.expect(|l| l.contains("MODE #acme +b alice!*@*")).await;
    // Lifted by the host when the timeout ends.
    op.expect(|l| l.contains("MODE #acme -b alice!*@*")).await;
    // A deletion IRC cannot do: a dead letter, with the reason.
    alice.send("PRIVMSG #acme :*:delete").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let log = vigie.stop();
    assert!(
        !log.contains(SERVER_PASSWORD),
        "the password leaked into the log"
    );
    let dead = crate::process::records("dead-letters", &dir.path().join("data"));
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0]["entry"]["action"]["type"], "delete");
    assert!(dead[0]["error"]
        .as_str()
        .unwrap_or("")
        .contains("cannot delete"));
}

/// TLS against ngircd's TLS port: the connector checks the server's
/// certificate against `tls_ca_file` (a CA made for the test), receives
/// and sends through the encrypted session; trusting only the public
/// certificate authorities, it never connects to the same server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn irc_over_tls_checks_the_certificate() {
    let pki = TestPki::new();
    let server = Server::start_with_tls(&pki);
    let tls_port = server.tls_port.expect("a TLS port");

    // Trusting the public authorities only: the handshake must fail.
    let mut distrustful = Bot::start(tls_port, "tls = true\nchannels = [\"#vigie\"]");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let refused = distrustful
        .execute(
            "#vigie",
            Action::Post {
                text: "should not be sent".into(),
                reason: "r".into(),
            },
        )
        .await;
    assert!(
        matches!(refused, Err(DeliveryError::Retry { .. })),
        "connected to a server whose certificate no trusted authority signed: {refused:?}"
    );
    assert!(distrustful.events.try_recv().is_err());
    distrustful.stop().await;

    let mut bot = {
        let (config, dir) = Bot::config(
            tls_port,
            "tls = true\ntls_ca_file = \"ca.pem\"\nchannels = [\"#vigie\"]",
        );
        std::fs::write(dir.path().join("ca.pem"), &pki.ca_pem).expect("write ca.pem");
        Bot::start_with(config, dir)
    };
    let mut alice = User::connect(server.port, "alice").await;
    alice.send("JOIN #vigie").await;
    alice.expect(|l| l.contains(" 366 ")).await;
    // The bot's join shows that it registered over TLS.
    alice
        .expect(|l| l.contains("JOIN") && l.contains("vigiebot"))
        .await;
    alice.send("PRIVMSG #vigie :bonjour en TLS").await;
    let event = bot.next_event().await;
    assert_eq!(event.kind, EventKind::Message);
    assert_eq!(event.text, "bonjour en TLS");
    assert_eq!(event.author.name, "alice");
    let sent = bot
        .execute(
            "#vigie",
            Action::Post {
                text: "reçu, chiffré".into(),
                reason: "r".into(),
            },
        )
        .await;
    assert!(sent.is_ok(), "{sent:?}");
    alice
        .expect(|l| l.contains("PRIVMSG #vigie :reçu, chiffré"))
        .await;
    bot.stop().await;
}
