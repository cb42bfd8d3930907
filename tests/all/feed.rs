//! The feed connector against a real HTTP server on 127.0.0.1 (axum)
//! serving real-world shaped documents that change between polls — an
//! Atom blog feed, an RSS forum feed, a JSON Feed, a review page watched
//! through a CSS selector — plus a feed that answers 304, a slow one, a
//! malformed one, a 404 and a TLS server nobody trusts; then a restart
//! between polls. Every item
//! becomes an event exactly once. Then the `vigie` binary with the real
//! compiled `sentiment` and `watch` plugins on feed events: a negative
//! mention from an important source alerts with its quote and link, and
//! the digest comes at its time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use vigie::connector::feed::{FeedConfig, FeedConnector};
use vigie::connector::{Connector, EventSink};
use vigie::source::SourceItem;
use vigie::{SledStore, Store};

/// One document the server serves.
#[derive(Clone)]
struct Doc {
    body: String,
    content_type: &'static str,
    etag: Option<String>,
    delay: Duration,
}

fn doc(body: &str, content_type: &'static str) -> Doc {
    Doc {
        body: body.to_string(),
        content_type,
        etag: None,
        delay: Duration::ZERO,
    }
}

#[derive(Clone, Default)]
struct Site {
    docs: Arc<Mutex<HashMap<String, Doc>>>,
    /// (path, status) of every request.
    log: Arc<Mutex<Vec<(String, u16)>>>,
}

impl Site {
    fn put(&self, path: &str, d: Doc) {
        self.docs.lock().unwrap().insert(path.to_string(), d);
    }
    fn count(&self, path: &str, status: u16) -> usize {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, s)| p == path && *s == status)
            .count()
    }
}

async fn serve(
    axum::extract::State(site): axum::extract::State<Site>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = uri.path().to_string();
    let found = site.docs.lock().unwrap().get(&path).cloned();
    let Some(d) = found else {
        site.log.lock().unwrap().push((path, 404));
        return (axum::http::StatusCode::NOT_FOUND, "no such page").into_response();
    };
    tokio::time::sleep(d.delay).await;
    if let Some(etag) = &d.etag {
        if headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
            site.log.lock().unwrap().push((path, 304));
            return axum::http::StatusCode::NOT_MODIFIED.into_response();
        }
    }
    site.log.lock().unwrap().push((path, 200));
    let mut resp = (
        [(axum::http::header::CONTENT_TYPE, d.content_type)],
        d.body.clone(),
    )
        .into_response();
    if let Some(etag) = &d.etag {
        resp.headers_mut()
            .insert(axum::http::header::ETAG, etag.parse().unwrap());
    }
    resp
}

fn start_site(rt: &tokio::runtime::Runtime, site: &Site) -> String {
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(serve).with_state(site.clone());
    rt.spawn(async move { axum::serve(listener, app).await });
    base
}

/// A TLS server whose certificate nobody trusts (self-signed, made for
/// the test): the handshake fails as with a broken or expired certificate.
fn start_untrusted_tls(rt: &tokio::runtime::Runtime) -> String {
    use tokio_rustls::rustls;
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.der().clone()],
        rustls_pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let address = listener.local_addr().unwrap();
    rt.spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let _ = acceptor.accept(stream).await;
            });
        }
    });
    format!("https://{address}/feed.xml")
}

fn atom(entries: &[(&str, &str, &str)]) -> String {
    let entries: String = entries
        .iter()
        .map(|(id, title, day)| {
            format!(
                r#"<entry><id>tag:blog.example,2026:{id}</id><title type="html">{title}</title>
<link rel="alternate" type="text/html" href="https://blog.example/{id}/"/>
<author><name>Camille</name></author><published>2026-11-{day}T08:00:00Z</published>
<updated>2026-11-{day}T08:00:00Z</updated>
<content type="html">&lt;p&gt;{title} — notre avis sur le &lt;b&gt;café&lt;/b&gt;.&lt;/p&gt;</content></entry>"#
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Le Blog du Café</title>
<id>tag:blog.example,2026:feed</id><updated>2026-11-21T08:00:00Z</updated>
<link rel="self" href="https://blog.example/feed/atom/"/>{entries}</feed>"#
    )
}

fn rss(items: &[(&str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, title)| {
            format!(
                r#"<item><title>{title}</title><link>https://forum.example/viewtopic.php?t={guid}</link>
<description><![CDATA[<p>Posted in <b>Cafés</b>: {title}</p>]]></description>
<guid isPermaLink="false">forum.example-t{guid}</guid>
<pubDate>Sat, 21 Nov 2026 1{guid}:00:00 +0000</pubDate><dc:creator>membre{guid}</dc:creator></item>"#
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Forum Café — Discussions</title><link>https://forum.example/</link>
<description>Les derniers sujets</description>{items}</channel></rss>"#
    )
}

const JSON_FEED: &str = r#"{"version": "https://jsonfeed.org/version/1.1",
 "title": "Actu Café — recherche « acme »",
 "home_page_url": "https://news.example/",
 "items": [{"id": "https://news.example/2026/11/21/acme-lyon",
   "url": "https://news.example/2026/11/21/acme-lyon",
   "title": "Acme ouvre à Lyon",
   "content_html": "<p>La chaîne <em>Acme</em> ouvre sa première boutique lyonnaise.</p>",
   "date_published": "2026-11-21T07:30:00Z",
   "authors": [{"name": "Rédaction"}]}]}"#;

fn reviews(list: &[(&str, &str)]) -> String {
    let body: String = list
        .iter()
        .map(|(text, who)| {
            format!(r#"<div class="review"><p class="body">{text}</p><span class="who">{who}</span></div>"#)
        })
        .collect();
    format!(
        r#"<!doctype html><html><head><title>Avis clients — Acme Café Lyon</title></head>
<body><nav>Accueil · Restaurants · Cafés</nav><section id="reviews">{body}</section>
<footer>Page générée à <span>10:0{n}</span></footer></body></html>"#,
        n = list.len()
    )
}

fn config(base: &str, tls: &str) -> FeedConfig {
    toml::from_str(&format!(
        r#"
name = "veille"
community = "acme"
interval_s = 1
timeout_s = 2
max_backoff_s = 2
max_age_days = 0

[[feeds]]
name = "blog"
url = "{base}/blog/atom.xml"

[[feeds]]
name = "forum"
url = "{base}/forum/rss.php"
important = true

[[feeds]]
name = "news"
url = "{base}/news/feed.json"
source = "Actu Café"

[[feeds]]
name = "avis"
url = "{base}/avis/acme-lyon"
kind = "page"
selector = ".review"

[[feeds]]
name = "broken"
url = "{base}/broken.xml"

[[feeds]]
name = "moved"
url = "{base}/moved.xml"

[[feeds]]
name = "slow"
url = "{base}/slow.xml"

[[feeds]]
name = "tls"
url = "{tls}"
"#
    ))
    .unwrap()
}

/// What a running connector handed over.
struct Run {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    rx: mpsc::Receiver<SourceItem>,
    events: Vec<vigie::Event>,
    rejected: Vec<String>,
}

fn start(rt: &tokio::runtime::Runtime, store: Arc<dyn Store>, base: &str, tls: &str) -> Run {
    let connector =
        Arc::new(FeedConnector::new(config(base, tls), std::path::Path::new("/")).unwrap());
    let cursor = store.cursor("veille").unwrap();
    let (tx, rx) = mpsc::channel(1024);
    let (stop, shutdown) = watch::channel(false);
    let sink = EventSink::new("veille", store, tx);
    let task = rt.spawn(connector.stream(cursor, sink, shutdown));
    Run {
        stop,
        task,
        rx,
        events: Vec::new(),
        rejected: Vec::new(),
    }
}

impl Run {
    /// Collects what comes for `for_`.
    fn collect(&mut self, rt: &tokio::runtime::Runtime, for_: Duration) {
        let deadline = Instant::now() + for_;
        rt.block_on(async {
            while let Some(left) = deadline.checked_duration_since(Instant::now()) {
                match tokio::time::timeout(left, self.rx.recv()).await {
                    Ok(Some(SourceItem::Event(e))) => self.events.push(*e),
                    Ok(Some(SourceItem::Rejected(r))) => self.rejected.push(r.error),
                    Ok(Some(SourceItem::Clock(_))) => {}
                    Ok(None) | Err(_) => break,
                }
            }
        });
    }

    /// Collects until `n` events came (at most 30 s).
    fn until(&mut self, rt: &tokio::runtime::Runtime, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.events.len() < n && Instant::now() < deadline {
            self.collect(rt, Duration::from_millis(200));
        }
        assert!(
            self.events.len() >= n,
            "{} of {n} events: {:?}",
            self.events.len(),
            self.titles()
        );
    }

    fn titles(&self) -> Vec<String> {
        self.events
            .iter()
            .map(|e| format!("{}: {}", e.channel, e.text.lines().next().unwrap_or("")))
            .collect()
    }

    fn stop(self, rt: &tokio::runtime::Runtime) {
        let _ = self.stop.send(true);
        rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(10), self.task)
                .await
                .expect("the connector stops when asked")
                .unwrap()
                .unwrap();
        });
    }
}

fn label<'a>(e: &'a vigie::Event, key: &str) -> Option<&'a str> {
    e.labels
        .iter()
        .find(|l| l.key == key && l.plugin == "vigie")
        .and_then(|l| l.note.as_deref())
}

#[test]
fn feeds_and_pages_become_events_exactly_once_through_errors_and_a_restart() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let site = Site::default();
    let base = start_site(&rt, &site);
    let tls = start_untrusted_tls(&rt);
    let mut blog = doc(
        &atom(&[
            ("2", "Dégustation chez Acme", "21"),
            ("1", "Le moka de BeanCo", "20"),
        ]),
        "application/atom+xml",
    );
    blog.etag = Some("\"blog-v1\"".into());
    site.put("/blog/atom.xml", blog);
    site.put(
        "/forum/rss.php",
        doc(
            &rss(&[
                ("2", "Acme a perdu ma commande"),
                ("1", "Vos cafés préférés ?"),
            ]),
            "application/rss+xml",
        ),
    );
    site.put("/news/feed.json", doc(JSON_FEED, "application/feed+json"));
    site.put(
        "/avis/acme-lyon",
        doc(
            &reviews(&[("Très bon café, service souriant", "Léa")]),
            "text/html",
        ),
    );
    site.put(
        "/broken.xml",
        doc("<rss><channel><item><title>cut", "application/rss+xml"),
    );
    let mut slow = doc(&rss(&[("9", "Trop tard")]), "application/rss+xml");
    slow.delay = Duration::from_secs(5);
    site.put("/slow.xml", slow);

    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SledStore::open(dir.path()).unwrap());

    // First polls: 2 blog + 2 forum + 1 news; the page's first version is
    // the baseline.
    let mut run = start(&rt, store.clone(), &base, &tls);
    run.until(&rt, 5);
    run.collect(&rt, Duration::from_secs(3));
    assert_eq!(run.events.len(), 5, "{:?}", run.titles());
    let blog_events: Vec<&vigie::Event> =
        run.events.iter().filter(|e| e.channel == "blog").collect();
    // Oldest first, as mentions with the item's fields.
    assert_eq!(
        blog_events[0].text,
        "Le moka de BeanCo\n\nLe moka de BeanCo — notre avis sur le café."
    );
    assert_eq!(blog_events[1].author.name, "Camille");
    assert_eq!(
        label(blog_events[1], "vigie.link"),
        Some("https://blog.example/2/")
    );
    assert_eq!(
        label(blog_events[1], "vigie.source"),
        Some("Le Blog du Café")
    );
    // 2026-11-21T08:00:00Z, the entry's publication time.
    assert_eq!(blog_events[1].timestamp_ms(), 1_795_248_000_000);
    let forum = run.events.iter().find(|e| e.channel == "forum").unwrap();
    assert_eq!(forum.kind, vigie::event::EventKind::Mention);
    assert_eq!(forum.platform, "feed");
    assert_eq!(label(forum, "vigie.important"), Some("forum"));
    assert_eq!(
        label(forum, "vigie.source"),
        Some("Forum Café — Discussions")
    );
    let news = run.events.iter().find(|e| e.channel == "news").unwrap();
    assert_eq!(label(news, "vigie.source"), Some("Actu Café"));
    assert_eq!(news.author.name, "Rédaction");
    assert!(news
        .text
        .contains("La chaîne Acme ouvre sa première boutique lyonnaise."));
    // The failing feeds: each a clear recorded error, while the others go
    // on (the back-off itself: a unit test of `backoff`).
    let has = |what: &str, rejected: &[String]| rejected.iter().any(|r| r.contains(what));
    assert!(
        has("feed `broken`", &run.rejected)
            && has("not a valid RSS, Atom or JSON feed", &run.rejected),
        "{:?}",
        run.rejected
    );
    assert!(
        has("feed `moved`", &run.rejected) && has("HTTP 404", &run.rejected),
        "{:?}",
        run.rejected
    );
    assert!(
        has("feed `slow`", &run.rejected) && has("timed out", &run.rejected),
        "{:?}",
        run.rejected
    );
    assert!(
        has("feed `tls`", &run.rejected) && has("TLS error", &run.rejected),
        "{:?}",
        run.rejected
    );
    // The blog sent an ETag: the next polls got 304s.
    assert!(
        site.count("/blog/atom.xml", 304) >= 1,
        "{:?}",
        site.log.lock().unwrap()
    );

    // The feeds change: the blog gets a post and reorders the others (new
    // ETag), the forum re-publishes its items in another order, the page
    // gets a review and a new footer time.
    let mut blog = doc(
        &atom(&[
            ("1", "Le moka de BeanCo", "20"),
            ("3", "Acme: le service client répond enfin", "22"),
            ("2", "Dégustation chez Acme", "21"),
        ]),
        "application/atom+xml",
    );
    blog.etag = Some("\"blog-v2\"".into());
    site.put("/blog/atom.xml", blog);
    site.put(
        "/forum/rss.php",
        doc(
            &rss(&[
                ("1", "Vos cafés préférés ?"),
                ("2", "Acme a perdu ma commande"),
            ]),
            "application/rss+xml",
        ),
    );
    site.put(
        "/avis/acme-lyon",
        doc(
            &reviews(&[
                (
                    "Acme Lyon : une heure d'attente, café froid. Décevant.",
                    "Marc",
                ),
                ("Très bon café, service souriant", "Léa"),
            ]),
            "text/html",
        ),
    );
    run.until(&rt, 7);
    run.collect(&rt, Duration::from_secs(3));
    assert_eq!(run.events.len(), 7, "{:?}", run.titles());
    let new: Vec<&vigie::Event> = run.events[5..].iter().collect();
    let blog_new = new.iter().find(|e| e.channel == "blog").unwrap();
    assert!(blog_new
        .text
        .starts_with("Acme: le service client répond enfin"));
    let page = new.iter().find(|e| e.channel == "avis").unwrap();
    // Only the new review, not the page, not the footer.
    assert_eq!(page.text, "Avis clients — Acme Café Lyon\n\nAcme Lyon : une heure d'attente, café froid. Décevant.\nMarc");
    assert_eq!(
        label(page, "vigie.link"),
        Some(format!("{base}/avis/acme-lyon").as_str())
    );
    let before: Vec<String> = run.events.iter().map(|e| e.id.clone()).collect();
    run.stop(&rt);

    // A restart between polls: meanwhile the forum got a new topic. The
    // new connector starts from the saved cursor: the new topic once,
    // nothing repeated.
    site.put(
        "/forum/rss.php",
        doc(
            &rss(&[
                ("3", "BeanCo ou Acme pour un expresso ?"),
                ("1", "Vos cafés préférés ?"),
                ("2", "Acme a perdu ma commande"),
            ]),
            "application/rss+xml",
        ),
    );
    let mut run = start(&rt, store.clone(), &base, &tls);
    run.until(&rt, 1);
    run.collect(&rt, Duration::from_secs(3));
    assert_eq!(
        run.titles(),
        vec!["forum: BeanCo ou Acme pour un expresso ?"]
    );
    assert!(!before.contains(&run.events[0].id));
    run.stop(&rt);

    // Every event is in the store's inbox, once.
    let inbox = store.inbox("veille").unwrap();
    let mut ids: Vec<&str> = inbox.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), 8);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 8);
}

/// The `vigie` binary, feeds read once (`[[sources]] type = "feed"`),
/// through the real `sentiment` and `watch` components.
#[test]
fn the_watch_plugin_alerts_and_digests_on_feed_events_in_the_host() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let site = Site::default();
    let base = start_site(&rt, &site);
    site.put(
        "/forum/rss.php",
        doc(
            &rss(&[
                (
                    "2",
                    "Acme a perdu ma commande, service client nul et inexistant",
                ),
                ("1", "BeanCo ou Acme ? Les deux sont bien"),
            ]),
            "application/rss+xml",
        ),
    );
    // The next day at 10:00 UTC: the digest of the 21st is due at 09:00.
    let mut next_day = rss(&[("3", "Acme ouvre le dimanche")]);
    next_day = next_day.replace("Sat, 21 Nov 2026 13:00:00", "Sun, 22 Nov 2026 10:00:00");
    site.put("/news.xml", doc(&next_day, "application/rss+xml"));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("vigie.toml");
    std::fs::write(
        &config,
        format!(
            r#"data_dir = "data"
[plugins.sentiment]
component = "builtin:sentiment"
grants = ["label", "alert"]

[plugins.watch]
component = "builtin:watch"
grants = ["label", "alert", "post"]

[plugins.watch.config]
lang = "fr"
timezone = "UTC"
staff_channel = "staff"
digest_at = "09:00"

[[plugins.watch.config.topics]]
id = "acme"
name = "Acme"
query = "acme NOT \"acme corp\""

[[plugins.watch.config.topics]]
id = "beanco"
name = "BeanCo"
kind = "competitor"
query = "beanco"

[[communities]]
id = "acme"
chain = ["sentiment", "watch"]

[[sources]]
type = "feed"
community = "acme"
max_age_days = 0

[[sources.feeds]]
name = "forum"
url = "{base}/forum/rss.php"
important = true

[[sources.feeds]]
name = "news"
url = "{base}/news.xml"
"#
        ),
    )
    .unwrap();
    let run = || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_vigie"))
            .args(["run", "--json", "--no-watch", "--config"])
            .arg(&config)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .collect::<Vec<_>>()
    };
    let actions = run();
    let of = |kind: &str| -> Vec<&serde_json::Value> {
        actions
            .iter()
            .filter(|a| a["plugin"] == "watch" && a["type"] == kind)
            .collect()
    };
    let topics: Vec<&str> = of("label")
        .iter()
        .map(|a| a["note"].as_str().unwrap())
        .collect();
    assert_eq!(
        topics,
        vec!["acme", "beanco", "acme", "acme"],
        "{actions:#?}"
    );
    let alerts = of("alert");
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let alert = alerts[0]["message"].as_str().unwrap();
    assert!(
        alert.starts_with("Mention négative de Acme par une source importante (Forum Café — Discussions) : «Acme a perdu ma commande"),
        "{alert}"
    );
    assert!(
        alert.ends_with("https://forum.example/viewtopic.php?t=2"),
        "{alert}"
    );
    let posts = of("post");
    assert_eq!(posts.len(), 1, "{posts:#?}");
    assert_eq!(posts[0]["channel"], "staff");
    let digest = posts[0]["text"].as_str().unwrap();
    assert!(
        digest.starts_with("📰 Veille du samedi 2026-11-21 (UTC) : 2 mentions"),
        "{digest}"
    );
    assert!(digest.contains("• Acme : 67 % / 67 %"), "{digest}");
    assert!(
        digest.contains("Nouvelles sources : Forum Café — Discussions"),
        "{digest}"
    );
    // A second run over the same feeds: every item was handled already.
    let again = run();
    assert!(again.iter().all(|a| a["plugin"] != "watch"), "{again:#?}");

    // Backtesting: a new topic replayed over the recorded feed events
    // shows which events it would have matched, and when.
    std::fs::write(
        dir.path().join("new-watch.json"),
        serde_json::json!({
            "lang": "fr", "timezone": "UTC", "staff_channel": "staff", "digest_at": "09:00",
            "topics": [
                {"id": "acme", "name": "Acme", "query": "acme NOT \"acme corp\""},
                {"id": "beanco", "name": "BeanCo", "query": "beanco", "kind": "competitor"},
                {"id": "sundays", "query": "dimanche OR sunday"}
            ]
        })
        .to_string(),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args([
            "replay",
            "--plugin",
            "builtin:watch",
            "--name",
            "watch",
            "--against-recorded",
        ])
        .arg("--plugin-config")
        .arg(dir.path().join("new-watch.json"))
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{stdout}");
    // The new topic on the Sunday item, and the digest's share of voice
    // (a line for the new topic); the rest as recorded — the sentiment
    // plugin's labels, recorded live, go with the replayed events, so the
    // negative alert and the topic labels' values are the same.
    let added: Vec<&str> = stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("+ ") && l.contains("sundays"))
        .collect();
    assert_eq!(added.len(), 1, "{stdout}");
    assert!(stdout.contains("event feed:news:"), "{stdout}");
    assert!(
        stdout.trim_end().ends_with(
            "3 event(s) and 2 tick(s): 3 same, 2 different — 1 added, 0 removed, 1 changed"
        ),
        "{stdout}"
    );
}

/// The live connector in `vigie run`: it polls, the chain decides, the
/// host runs until SIGTERM; a restart repeats nothing. The feed connector
/// executes nothing, so nothing waits in an outbox or dies as a dead letter.
#[test]
fn the_live_feed_connector_runs_in_the_host_until_stopped_and_restarts_cleanly() {
    use crate::process::VigieProcess;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let site = Site::default();
    let base = start_site(&rt, &site);
    site.put(
        "/forum/rss.php",
        doc(
            &rss(&[(
                "2",
                "Acme a perdu ma commande, service client nul et inexistant",
            )]),
            "application/rss+xml",
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("vigie.toml");
    let actions = dir.path().join("actions.jsonl");
    std::fs::write(
        &config,
        format!(
            r#"data_dir = "data"
[plugins.sentiment]
component = "builtin:sentiment"
grants = ["label", "alert"]

[plugins.watch]
component = "builtin:watch"
grants = ["label", "alert", "post"]

[plugins.watch.config]
[[plugins.watch.config.topics]]
id = "acme"
query = "acme"

[[communities]]
id = "veille"
chain = ["sentiment", "watch"]

[[sinks]]
type = "jsonl"
path = "actions.jsonl"

[[connectors]]
type = "feed"
name = "veille"
community = "veille"
interval_s = 1
max_age_days = 0

[[connectors.feeds]]
name = "forum"
url = "{base}/forum/rss.php"
important = true
"#
        ),
    )
    .unwrap();
    let watch_actions = || -> Vec<serde_json::Value> {
        std::fs::read_to_string(&actions)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|a| a["plugin"] == "watch")
            .collect()
    };
    let wait_actions = |n: usize| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while watch_actions().len() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        watch_actions()
    };
    let mut vigie = VigieProcess::start(&config, "unused");
    vigie.wait_log("running until stopped");
    assert!(
        vigie.log().contains("watching 1 feed(s): forum every 1 s"),
        "{}",
        vigie.log()
    );
    let got = wait_actions(2);
    let kinds: Vec<&str> = got.iter().map(|a| a["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["label", "alert"], "{got:#?}");
    assert!(got[1]["message"]
        .as_str()
        .unwrap()
        .ends_with("https://forum.example/viewtopic.php?t=2"));
    // A new topic while it runs.
    site.put(
        "/forum/rss.php",
        doc(
            &rss(&[
                ("3", "Acme ouvre le dimanche"),
                (
                    "2",
                    "Acme a perdu ma commande, service client nul et inexistant",
                ),
            ]),
            "application/rss+xml",
        ),
    );
    assert_eq!(wait_actions(3).len(), 3);
    vigie.stop();
    // Restarted: a few polls bring nothing new, and nothing again.
    let vigie = VigieProcess::start(&config, "unused");
    std::thread::sleep(Duration::from_secs(4));
    let log = vigie.stop();
    assert_eq!(watch_actions().len(), 3, "{log}");
    let dead = crate::process::records("dead-letters", &dir.path().join("data"));
    assert!(dead.is_empty(), "{dead:#?}");
}
