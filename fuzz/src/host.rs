//! The host targets' checks: one public function a target, taking the
//! fuzzer's bytes. `fuzz_targets/<name>.rs` calls `<name>`; the root
//! workspace's `tests/all/fuzz_corpora.rs` includes this file by path and
//! runs every committed corpus file through the same functions (a stable
//! build, no libFuzzer), so it must use only crates the `vigie` package
//! depends on: vigie itself, serde_json, toml, scraper.
//!
//! Each function's comment says what the target reads and which
//! invariants it checks besides "no panic".

use std::path::Path;
use std::sync::OnceLock;
use vigie::connector::feed::{item_event, page, parse, FeedEntry};
use vigie::connector::irc::{Irc, IrcConfig};
use vigie::connector::matrix::{Matrix, MatrixConfig};
use vigie::connector::webhook::{parse_events, sign, verify};
use vigie::Config;
use vigie::Event;

/// An event a connector made must pass the check every JSON Lines
/// event passes, and survive the event log: written as JSON, it must
/// read back as the same event (a replay must see what the live run
/// saw).
pub fn check_event(event: &Event) {
    if let Err(e) = event.validate() {
        panic!("a parser made an event that fails validation: {e}: {event:?}");
    }
    let stored = match serde_json::to_string(event) {
        Ok(stored) => stored,
        Err(e) => panic!("an event cannot be written to the event log: {e}: {event:?}"),
    };
    match Event::from_json_line(&stored) {
        Ok(back) => assert_same_event(&back, event),
        Err(e) => panic!("an event does not read back from the event log: {e}: {stored}"),
    }
}

/// `a == b`, but label values only within a relative 1e-12: serde_json
/// without its `float_roundtrip` feature may read a float back one
/// unit in the last place off, which changes nothing a plugin does.
pub fn assert_same_event(a: &Event, b: &Event) {
    assert_eq!(a.labels.len(), b.labels.len());
    for (x, y) in a.labels.iter().zip(&b.labels) {
        let close = x.value == y.value
            || (x.value - y.value).abs() <= 1e-12 * x.value.abs().max(y.value.abs());
        assert!(
            close,
            "label {} read back as {} (was {})",
            x.key, x.value, y.value
        );
    }
    let strip = |e: &Event| {
        let mut e = e.clone();
        for l in &mut e.labels {
            l.value = 0.0;
        }
        e
    };
    assert_eq!(strip(a), strip(b), "the event read back is another event");
}

/// One JSON Lines event line, as a source reads it (`Event::from_json_line`
/// on the line less its trailing white space, as `source::item_of` does).
///
/// Invariants: no panic; an accepted event survives the event log (written
/// as JSON, it reads back as the same event) and converts to the WIT
/// record plugins receive.
pub fn event_line(data: &[u8]) {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    if line.trim().is_empty() {
        return;
    }
    let Ok(event) = Event::from_json_line(line.trim_end()) else {
        return;
    };
    check_event(&event);
    let _ = event.to_wit();
    let _ = vigie::event::format_ms(event.timestamp_ms());
}

/// `vigie.toml` (`Config::parse`): written by users, often copied from
/// examples and edited by hand.
///
/// Invariants: no panic (errors point at a line, computed from spans: a
/// span that is not on a character boundary would panic); parsing is
/// deterministic; every plugin entry of an accepted config resolves (its
/// limits merged, its config turned into the JSON the plugin receives) or
/// says why not.
pub fn vigie_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A directory that does not exist: nothing is read from disk.
    let base = Path::new("/nonexistent/vigie-fuzz");
    let Ok(config) = Config::parse(text, "vigie.toml", base) else {
        return;
    };
    let again = Config::parse(text, "vigie.toml", base).expect("parsed once, refused the next");
    assert_eq!(format!("{config:?}"), format!("{again:?}"));
    for (name, plugin) in &config.plugins {
        // `config_file` reads a file, possibly /dev/zero: not a parser's job.
        if plugin.config_file.is_none() {
            let _ = config.plugin_entry(name);
        }
    }
    for community in &config.communities {
        let _ = config.chain_for(community.id.get_ref());
    }
    let _ = config.data_dir();
    let _ = config.communities_dir();
}

fn irc_config() -> IrcConfig {
    static CONFIG: OnceLock<IrcConfig> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            toml::from_str(
                r##"community = "acme"
                    server = "127.0.0.1:6667"
                    nick = "vigie"
                    channels = ["#c", "#general"]"##,
            )
            .expect("the fuzz target's IRC config")
        })
        .clone()
}

/// What an IRC server sends: lines with IRCv3 tags, a prefix, a command
/// and parameters, read by a registered session (`Irc::absorb_server_bytes`:
/// `Message::parse`, then the session's tracking of names, modes and
/// ISUPPORT, then the events). Each input is a fresh session's stream.
///
/// Invariants: no panic; every event made passes validation and survives
/// the event log; it belongs to the connector's community and platform.
pub fn irc_line(data: &[u8]) {
    let irc = Irc::new(irc_config(), Path::new(".")).expect("the fuzz target's IRC connector");
    for event in irc.absorb_server_bytes(data).into_iter().flatten() {
        check_event(&event);
        assert_eq!(event.community, "acme");
        assert_eq!(event.platform, "irc");
    }
}

const WEBHOOK_KEY: &[u8] = b"fuzz-webhook-secret";

/// A webhook request: its `X-Vigie-Signature` header and its body (one
/// event, an array, or JSON Lines), as `POST /events` checks them
/// (`webhook::verify`, then `webhook::parse_events`).
///
/// The first byte picks the case: even, the body is signed with the right
/// key (so the fuzzer reaches the parser behind the signature); odd, the
/// header is the first line of the rest and the body what follows.
///
/// Invariants: no panic; a right signature verifies and the same one over
/// a changed body does not; every event accepted passes validation,
/// survives the event log and belongs to the webhook's community.
pub fn webhook(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 1 {
        let (header, body) = match rest.iter().position(|&b| b == b'\n') {
            Some(at) => (&rest[..at], &rest[at + 1..]),
            None => (rest, &[][..]),
        };
        let header = String::from_utf8_lossy(header);
        let _ = verify(WEBHOOK_KEY, body, Some(&header));
        return;
    }
    let body = rest;
    let signature = sign(WEBHOOK_KEY, body);
    assert!(verify(WEBHOOK_KEY, body, Some(&signature)));
    let mut changed = body.to_vec();
    changed.push(b' ');
    assert!(!verify(WEBHOOK_KEY, &changed, Some(&signature)));
    if let Ok(events) = parse_events(body, "acme") {
        assert!(!events.is_empty());
        for event in &events {
            check_event(event);
            assert_eq!(event.community, "acme");
        }
    }
}

const BOT: &str = "@vigie:example.org";

fn matrix() -> &'static Matrix {
    static MATRIX: OnceLock<Matrix> = OnceLock::new();
    MATRIX.get_or_init(|| {
        // The token is never sent (no request is made), but the connector
        // takes it from the environment only. PATH is set everywhere;
        // setting a variable of our own would race with the other threads
        // of the test suite that includes this file.
        let config: MatrixConfig = toml::from_str(
            r#"community = "acme"
               homeserver = "http://127.0.0.1:9"
               access_token = "env:PATH""#,
        )
        .expect("the fuzz target's Matrix config");
        Matrix::new(config, Path::new(".")).expect("the fuzz target's Matrix connector")
    })
}

/// A Matrix `/sync` reply, as the sync loop reads it
/// (`Matrix::absorb_sync_body`: the JSON, power levels from room state,
/// then each timeline event normalised). The homeserver is a stranger too:
/// any server a user points the bot at.
///
/// Invariants: no panic; every event made passes validation, survives the
/// event log and belongs to the connector's community; the bot's own
/// events are skipped.
pub fn matrix_sync(data: &[u8]) {
    // reqwest reads a reply's text lossily.
    let body = String::from_utf8_lossy(data);
    let Some(events) = matrix().absorb_sync_body(&body, BOT) else {
        return;
    };
    for event in events.into_iter().flatten() {
        check_event(&event);
        assert_eq!(event.community, "acme");
        assert_ne!(event.author.id, BOT);
    }
}

const POLL_MS: i64 = 1_795_255_200_000;

fn feed_entry() -> &'static FeedEntry {
    static ENTRY: OnceLock<FeedEntry> = OnceLock::new();
    ENTRY.get_or_init(|| {
        serde_json::from_value(serde_json::json!({
            "name": "blog",
            "url": "https://blog.example/feed",
            "important": true,
        }))
        .expect("the fuzz target's feed entry")
    })
}

fn page_selector() -> &'static scraper::Selector {
    static SELECTOR: OnceLock<scraper::Selector> = OnceLock::new();
    SELECTOR.get_or_init(|| page::check_selector("article, .review p").expect("a valid selector"))
}

/// Feed documents (RSS 2.0, Atom, JSON Feed: `feed::parse::parse_feed`) and
/// watched pages (`feed::page::blocks`, then `changes`), as a poll reads
/// what a site serves.
///
/// The first byte picks the reader: even, a feed, each item turned into
/// its event (`feed::item_event`); odd, a page, with and without a CSS
/// selector, compared with itself and with an earlier version.
///
/// Invariants: no panic; every event made passes validation and survives
/// the event log; a page compared with itself has no change.
pub fn feed(data: &[u8]) {
    let Some((&mode, doc)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let Ok(feed) = parse::parse_feed(doc) else {
            return;
        };
        // As `poll_feed` makes it: the title on one line, control
        // characters dropped (its `one_line` is private).
        let source = feed
            .title
            .as_deref()
            .map(|t| {
                t.split(|c: char| c.is_control())
                    .flat_map(str::split_whitespace)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "blog".into());
        for item in &feed.items {
            let event = item_event("acme", feed_entry(), &source, item, POLL_MS);
            check_event(&event);
        }
        return;
    }
    for selector in [None, Some(page_selector())] {
        let Ok((title, blocks)) = page::blocks(doc, selector) else {
            continue;
        };
        let lines = page::flatten(&blocks);
        let title = title.unwrap_or_else(|| "page".into());
        let url = "https://shop.example/reviews";
        assert!(page::changes(url, &title, Some(lines.as_slice()), &blocks).is_empty());
        let _ = page::changes(url, &title, Some(&[][..]), &blocks);
    }
}
