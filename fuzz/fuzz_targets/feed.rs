//! Feed documents (RSS 2.0, Atom, JSON Feed: `feed::parse::parse_feed`) and
//! watched pages (`feed::page::blocks`, then `changes`), as a poll reads
//! what a site serves.
//!
//! The first byte picks the reader: even, a feed, each item turned into
//! its event (`feed::item_event`); odd, a page, with and without a CSS
//! selector, compared with itself and with an earlier version.
//!
//! Invariants: no panic; every event made passes validation and survives
//! the event log; a page compared with itself has no change.
#![no_main]

use std::sync::OnceLock;
use vigie::connector::feed::{item_event, page, parse, FeedEntry};

const POLL_MS: i64 = 1_795_255_200_000;

fn entry() -> &'static FeedEntry {
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

fn selector() -> &'static scraper::Selector {
    static SELECTOR: OnceLock<scraper::Selector> = OnceLock::new();
    SELECTOR.get_or_init(|| page::check_selector("article, .review p").expect("a valid selector"))
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
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
            let event = item_event("acme", entry(), &source, item, POLL_MS);
            vigie_fuzz::host::check_event(&event);
        }
        return;
    }
    for selector in [None, Some(selector())] {
        let Ok((title, blocks)) = page::blocks(doc, selector) else {
            continue;
        };
        let lines = page::flatten(&blocks);
        let title = title.unwrap_or_else(|| "page".into());
        let url = "https://shop.example/reviews";
        assert!(page::changes(url, &title, Some(lines.as_slice()), &blocks).is_empty());
        let _ = page::changes(url, &title, Some(&[][..]), &blocks);
    }
});
