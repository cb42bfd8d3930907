//! Reading a feed: RSS 2.0, Atom and JSON Feed (`feed-rs`), each item
//! reduced to what an event carries (key, title, text, link, author,
//! time). HTML in titles and contents becomes plain text.
//!
//! The key that makes an item an event exactly once is the feed's own id
//! (RSS `guid`, Atom `id`, JSON Feed `id`) when it gives one, else a hash of
//! the item's link, else a hash of its title and text.

use sha2::{Digest, Sha256};

/// One item of a feed (or one change of a watched page).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub key: String,
    pub title: String,
    pub text: String,
    pub link: Option<String>,
    pub author: Option<String>,
    pub published_ms: Option<i64>,
}

/// A parsed feed: its title and items, in the feed's order.
#[derive(Debug)]
pub struct ParsedFeed {
    pub title: Option<String>,
    pub items: Vec<Item>,
}

pub fn hash_key(prefix: &str, text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!("{prefix}:{}", hex::encode(&digest[..16]))
}

/// The text of an HTML fragment (or of plain text), whitespace collapsed
/// within lines, blank lines kept as paragraph breaks.
pub fn html_to_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return collapse(html);
    }
    let fragment = scraper::Html::parse_fragment(html);
    let mut out = String::new();
    block_text(fragment.root_element(), &mut out);
    collapse(&out)
}

/// Text of an element, with a line break after block elements.
pub fn block_text(element: scraper::ElementRef, out: &mut String) {
    for node in element.children() {
        if let Some(text) = node.value().as_text() {
            out.push_str(text);
        } else if let Some(child) = scraper::ElementRef::wrap(node) {
            let name = child.value().name();
            if matches!(name, "script" | "style" | "noscript" | "template") {
                continue;
            }
            if name == "br" {
                out.push('\n');
                continue;
            }
            block_text(child, out);
            if matches!(
                name,
                "p" | "div"
                    | "li"
                    | "h1"
                    | "h2"
                    | "h3"
                    | "h4"
                    | "h5"
                    | "h6"
                    | "blockquote"
                    | "tr"
                    | "article"
                    | "section"
                    | "pre"
                    | "ul"
                    | "ol"
                    | "table"
            ) {
                out.push('\n');
            }
        }
    }
}

/// Spaces collapsed in each line, empty lines dropped, lines joined by
/// one newline.
pub fn collapse(text: &str) -> String {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses a feed document. The error says what kind of document it is not.
pub fn parse_feed(bytes: &[u8]) -> Result<ParsedFeed, String> {
    // An empty id tells us the feed gave none: we key by link or content.
    let parser = feed_rs::parser::Builder::new()
        .id_generator(|_, _, _| String::new())
        .build();
    let feed = parser
        .parse(bytes)
        .map_err(|e| format!("not a valid RSS, Atom or JSON feed: {e}"))?;
    let items = feed
        .entries
        .into_iter()
        .map(|entry| {
            let title = entry
                .title
                .map(|t| html_to_text(&t.content))
                .unwrap_or_default();
            let body = entry
                .content
                .and_then(|c| c.body)
                .or_else(|| entry.summary.map(|s| s.content))
                .map(|b| html_to_text(&b))
                .unwrap_or_default();
            let link = entry
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or(entry.links.first())
                .map(|l| l.href.trim().to_string())
                .filter(|l| !l.is_empty());
            let author = entry
                .authors
                .iter()
                .filter_map(|p| p.name.as_deref().map(str::trim))
                .find(|n| !n.is_empty())
                .map(str::to_string);
            let key = if !entry.id.trim().is_empty() {
                format!("id:{}", entry.id.trim())
            } else if let Some(link) = &link {
                hash_key("link", link)
            } else {
                hash_key("content", &format!("{title}\n{body}"))
            };
            Item {
                key,
                title,
                text: body,
                link,
                author,
                published_ms: entry
                    .published
                    .or(entry.updated)
                    .map(|t| t.timestamp_millis()),
            }
        })
        .collect();
    Ok(ParsedFeed {
        title: feed.title.map(|t| html_to_text(&t.content)),
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_atom_and_json_feed_give_items() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>Forum</title>
            <item><title>Acme &amp; moi</title><link>https://f.example/t/1</link>
            <guid>t1</guid><description>&lt;p&gt;Super &lt;b&gt;caf&#233;&lt;/b&gt;&lt;/p&gt;</description>
            <pubDate>Sat, 21 Nov 2026 10:00:00 GMT</pubDate></item>
            <item><title>No guid</title><link>https://f.example/t/2</link></item>
            </channel></rss>"#;
        let f = parse_feed(rss).unwrap();
        assert_eq!(f.title.as_deref(), Some("Forum"));
        assert_eq!(f.items[0].key, "id:t1");
        assert_eq!(f.items[0].title, "Acme & moi");
        assert_eq!(f.items[0].text, "Super café");
        assert_eq!(f.items[0].published_ms, Some(1_795_255_200_000));
        assert_eq!(f.items[1].key, hash_key("link", "https://f.example/t/2"));
        let atom = br#"<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>
            <entry><id>urn:b:1</id><title>Post</title><link href="https://b.example/1"/>
            <author><name>Zo&#233;</name></author><updated>2026-11-21T09:00:00Z</updated>
            <content type="html">Hello</content></entry></feed>"#;
        let f = parse_feed(atom).unwrap();
        assert_eq!(f.items[0].author.as_deref(), Some("Zoé"));
        assert_eq!(f.items[0].link.as_deref(), Some("https://b.example/1"));
        let json = br#"{"version":"https://jsonfeed.org/version/1.1","title":"J",
            "items":[{"id":"j1","content_text":"plain","url":"https://j.example/1"}]}"#;
        let f = parse_feed(json).unwrap();
        assert_eq!(f.items[0].key, "id:j1");
        assert_eq!(f.items[0].text, "plain");
    }

    #[test]
    fn malformed_documents_are_errors() {
        assert!(parse_feed(b"<rss><channel><item>").is_err());
        assert!(parse_feed(b"<html><body>hi</body></html>").is_err());
        assert!(parse_feed(b"").is_err());
    }
}
