//! Page watch: a web page (a forum thread, a review page, a competitor's
//! offers), optionally narrowed by a CSS selector (`scraper`). Each poll
//! reduces the page to lines of text, grouped in blocks (one per selected
//! element); only the lines that were not in the last version become
//! events, one per block that has any — a new review is one event, an
//! edited offer is its changed lines. The first version is the baseline:
//! it becomes no event.

use super::parse::{block_text, collapse, hash_key, Item};

/// Lines of a page kept between polls, at most.
pub const MAX_LINES: usize = 5000;

/// Checks a selector at config time.
pub fn check_selector(selector: &str) -> Result<scraper::Selector, String> {
    scraper::Selector::parse(selector)
        .map_err(|e| format!("selector `{selector}` is not a valid CSS selector: {e}"))
}

/// The page's title and its blocks of lines (the selected elements, or
/// the body). An empty selection is an error: the page changed its layout
/// or the selector is wrong, and saying so beats reporting "no change".
pub fn blocks(
    html: &[u8],
    selector: Option<&scraper::Selector>,
) -> Result<(Option<String>, Vec<Vec<String>>), String> {
    let text = String::from_utf8_lossy(html);
    let doc = scraper::Html::parse_document(&text);
    let title = scraper::Selector::parse("title")
        .ok()
        .and_then(|s| doc.select(&s).next())
        .map(|t| collapse(&t.text().collect::<String>()))
        .filter(|t| !t.is_empty());
    let body = scraper::Selector::parse("body").ok();
    let elements: Vec<scraper::ElementRef> = match selector.or(body.as_ref()) {
        Some(s) => doc.select(s).collect(),
        None => vec![doc.root_element()],
    };
    if elements.is_empty() {
        return Err(match selector {
            Some(_) => "the selector matches nothing on the page (did its layout change?)".into(),
            None => "the page has no body".into(),
        });
    }
    let mut total = 0;
    let blocks = elements
        .into_iter()
        .map(|e| {
            let mut raw = String::new();
            block_text(e, &mut raw);
            collapse(&raw)
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|b| !b.is_empty())
        .take_while(|b| {
            total += b.len();
            total <= MAX_LINES
        })
        .collect();
    Ok((title, blocks))
}

/// What is new in `now` against `before` (`None`: the first version, no
/// change reported): one item per block with new lines, keyed by the
/// page and those lines.
pub fn changes(
    url: &str,
    title: &str,
    before: Option<&[String]>,
    now: &[Vec<String>],
) -> Vec<Item> {
    let Some(before) = before else {
        return Vec::new();
    };
    let old: std::collections::HashSet<&str> = before.iter().map(String::as_str).collect();
    now.iter()
        .filter_map(|block| {
            let new: Vec<&str> = block
                .iter()
                .map(String::as_str)
                .filter(|l| !old.contains(l))
                .collect();
            if new.is_empty() {
                return None;
            }
            let text = new.join("\n");
            Some(Item {
                key: hash_key("page", &format!("{url}\n{text}")),
                title: title.to_string(),
                text,
                link: Some(url.to_string()),
                author: None,
                published_ms: None,
            })
        })
        .collect()
}

/// The lines of a version, as stored for the next diff.
pub fn flatten(blocks: &[Vec<String>]) -> Vec<String> {
    blocks.iter().flatten().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = r#"<html><head><title>Avis Acme</title></head><body>
        <nav>Menu</nav>
        <div class="review"><p>Très bon café</p><p>— Léa</p></div>
        <div class="review"><p>Service lent</p><p>— Marc</p></div>
        <footer>© 2026</footer></body></html>"#;

    #[test]
    fn selected_blocks_and_only_the_new_lines() {
        let sel = check_selector(".review").unwrap();
        let (title, v1) = blocks(V1.as_bytes(), Some(&sel)).unwrap();
        assert_eq!(title.as_deref(), Some("Avis Acme"));
        assert_eq!(
            v1,
            vec![
                vec!["Très bon café", "— Léa"],
                vec!["Service lent", "— Marc"]
            ]
        );
        assert!(changes("u", "Avis Acme", None, &v1).is_empty());
        let v2 = V1.replace(
            "<div class=\"review\"><p>Très",
            "<div class=\"review\"><p>Acme a oublié ma commande</p><p>— Zoé</p></div>\
             <div class=\"review\"><p>Très",
        );
        let (_, v2) = blocks(v2.as_bytes(), Some(&sel)).unwrap();
        let items = changes("u", "Avis Acme", Some(&flatten(&v1)), &v2);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].text, "Acme a oublié ma commande\n— Zoé");
        // The menu and footer are outside the selector: a change there is none.
        let v3 = V1.replace("Menu", "Menu 2");
        let (_, v3) = blocks(v3.as_bytes(), Some(&sel)).unwrap();
        assert!(changes("u", "t", Some(&flatten(&v1)), &v3).is_empty());
    }

    #[test]
    fn errors() {
        assert!(check_selector("div[").is_err());
        let sel = check_selector(".missing").unwrap();
        assert!(blocks(V1.as_bytes(), Some(&sel))
            .unwrap_err()
            .contains("matches nothing"));
        let (_, all) = blocks(V1.as_bytes(), None).unwrap();
        assert!(all[0].contains(&"Menu".to_string()));
    }
}
