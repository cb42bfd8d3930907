//! What the bot writes, the way Matrix clients show it: a mention is a
//! real mention (a link to the user that clients render as a pill, and the
//! user in `m.mentions`, so they are notified), a room is named by its
//! alias or name (not `!FSyA9yq…`), and links go through matrix.to.

use serde_json::{json, Value};

/// Who and what a text names, resolved by the connector.
pub trait Names {
    /// The user id an `@name` of this room stands for, if known.
    fn user(&self, name: &str) -> Option<String>;
    /// How people call a room (its alias or name), if it has one.
    fn room(&self, room_id: &str) -> Option<String>;
}

/// A `matrix.to` link: to a user or a room (one part), or to an event
/// (the room, then the event).
pub fn matrix_to(parts: &[&str]) -> String {
    let encoded: Vec<String> = parts.iter().map(|p| encode(p)).collect();
    format!("https://matrix.to/#/{}", encoded.join("/"))
}

/// Percent-encodes what a URL fragment's segment cannot hold as is.
fn encode(part: &str) -> String {
    part.bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'@'
            | b'!'
            | b'#'
            | b'$'
            | b':'
            | b'+'
            | b'='
            | b','
            | b';' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// Characters of a user id's localpart or server name (and room ids').
fn id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '=' | '-' | '/' | '+')
}

/// A sigil (`@` or `!`), a localpart, and maybe `:server[:port]`, at byte
/// `start` of `text`; its end.
fn id_at(text: &str, start: usize) -> Option<usize> {
    let rest = &text[start + 1..];
    let local = rest.find(|c: char| !id_char(c)).unwrap_or(rest.len());
    if local == 0 {
        return None;
    }
    let mut end = start + 1 + local;
    if text[end..].starts_with(':') {
        let server = &text[end + 1..];
        let len = server
            .find(|c: char| !(id_char(c) || c == ':'))
            .unwrap_or(server.len());
        if len > 0 {
            end += 1 + len;
        }
    }
    // A sentence's full stop or comma is not part of the id.
    while text[..end].ends_with(['.', '-', '/']) {
        end -= 1;
    }
    (end > start + 1).then_some(end)
}

/// The content of an `m.room.message` the bot sends: `m.notice` (a bot's
/// message), with `@name`s and full user ids as mentions, room ids named as
/// people call them, and `also_mention` (the author a reply answers)
/// mentioned even when the text names them without `@`.
pub fn message(text: &str, names: &dyn Names, also_mention: Option<&str>) -> Value {
    let mut body = String::with_capacity(text.len());
    let mut html = String::with_capacity(text.len() + 64);
    let mut mentioned: Vec<String> = Vec::new();
    let mut linked = false;
    let mut plain_from = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    // The answered author's bare name, mentioned once where it first stands alone.
    let bare = also_mention.and_then(|user| {
        let local = user.trim_start_matches('@').split(':').next()?;
        (!local.is_empty()).then(|| (local.to_string(), user.to_string()))
    });
    let mut bare_done = false;
    while i < text.len() {
        let c = bytes[i];
        let boundary = i == 0 || !id_char(text[..i].chars().next_back().unwrap_or(' '));
        let mut link: Option<(usize, String, String, Option<String>)> = None;
        if boundary && (c == b'@' || c == b'!') {
            if let Some(end) = id_at(text, i) {
                let token = &text[i..end];
                if c == b'@' {
                    let user = if token.contains(':') {
                        Some(token.to_string())
                    } else {
                        names.user(&token[1..])
                    };
                    if let Some(user) = user {
                        link = Some((end, token.to_string(), matrix_to(&[&user]), Some(user)));
                    }
                } else {
                    // Room version 12 ids have no server part.
                    if let Some(label) = names.room(token) {
                        link = Some((end, label, matrix_to(&[token]), None));
                    }
                }
            }
        }
        if link.is_none() && boundary && !bare_done {
            if let Some((local, user)) = &bare {
                let end = i + local.len();
                if text.len() >= end
                    && text.is_char_boundary(end)
                    && text[i..end].eq_ignore_ascii_case(local)
                    && !text[end..].starts_with(id_char)
                {
                    bare_done = true;
                    link = Some((
                        end,
                        text[i..end].to_string(),
                        matrix_to(&[user]),
                        Some(user.clone()),
                    ));
                }
            }
        }
        match link {
            Some((end, shown, href, user)) => {
                // Plugins write a channel as `#<id>`: the name replaces both.
                let start = if user.is_none() && text[plain_from..i].ends_with('#') {
                    i - 1
                } else {
                    i
                };
                body.push_str(&text[plain_from..start]);
                html.push_str(&escape(&text[plain_from..start]));
                body.push_str(&shown);
                html.push_str(&format!(
                    "<a href=\"{}\">{}</a>",
                    escape(&href),
                    escape(&shown)
                ));
                if let Some(user) = user {
                    if !mentioned.contains(&user) {
                        mentioned.push(user);
                    }
                }
                linked = true;
                i = end;
                plain_from = end;
            }
            None => {
                i += text[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    body.push_str(&text[plain_from..]);
    html.push_str(&escape(&text[plain_from..]));
    if let Some((_, user)) = &bare {
        if !mentioned.contains(user) {
            mentioned.push(user.clone());
        }
    }
    let mut content = json!({
        "msgtype": "m.notice",
        "body": body,
        "m.mentions": {"user_ids": mentioned},
    });
    if linked {
        content["format"] = json!("org.matrix.custom.html");
        content["formatted_body"] = json!(html);
    }
    content
}

/// A notice for the staff room, with a link (`href`) on `link_text`.
pub fn notice_with_link(before: &str, link_text: &str, href: &str, after: &str) -> Value {
    json!({
        "msgtype": "m.notice",
        "body": format!("{before}{link_text} ({href}){after}"),
        "format": "org.matrix.custom.html",
        "formatted_body": format!(
            "{}<a href=\"{}\">{}</a>{}",
            escape(before),
            escape(href),
            escape(link_text),
            escape(after)
        ),
        "m.mentions": {},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Room;
    impl Names for Room {
        fn user(&self, name: &str) -> Option<String> {
            ["bob", "jen.x"]
                .contains(&name.to_lowercase().as_str())
                .then(|| format!("@{}:example.org", name.to_lowercase()))
        }
        fn room(&self, room_id: &str) -> Option<String> {
            (room_id == "!FSyA9yq:example.org").then(|| "#acme:example.org".to_string())
        }
    }

    #[test]
    fn at_names_of_the_room_become_mentions_and_others_stay_text() {
        let c = message("@bob, calm down. @nobody, @jen.x.", &Room, None);
        assert_eq!(c["msgtype"], "m.notice");
        assert_eq!(c["body"], "@bob, calm down. @nobody, @jen.x.");
        assert_eq!(
            c["formatted_body"],
            "<a href=\"https://matrix.to/#/@bob:example.org\">@bob</a>, calm down. @nobody, \
             <a href=\"https://matrix.to/#/@jen.x:example.org\">@jen.x</a>."
        );
        assert_eq!(
            c["m.mentions"]["user_ids"],
            json!(["@bob:example.org", "@jen.x:example.org"])
        );
    }

    #[test]
    fn a_reply_mentions_its_author_and_rooms_are_named() {
        let c = message(
            "Bonjour bob ! Le concours de #!FSyA9yq:example.org est ouvert, pas !other:x. <b>",
            &Room,
            Some("@bob:example.org"),
        );
        assert_eq!(
            c["body"],
            "Bonjour bob ! Le concours de #acme:example.org est ouvert, pas !other:x. <b>"
        );
        let html = c["formatted_body"].as_str().unwrap();
        assert!(
            html.contains("<a href=\"https://matrix.to/#/@bob:example.org\">bob</a>"),
            "{html}"
        );
        assert!(
            html.contains(
                "de <a href=\"https://matrix.to/#/!FSyA9yq:example.org\">#acme:example.org</a> est"
            ),
            "{html}"
        );
        assert!(html.ends_with("!other:x. &lt;b&gt;"), "{html}");
        assert_eq!(c["m.mentions"]["user_ids"], json!(["@bob:example.org"]));
        // "bobby" is not bob; a plain text has no HTML.
        let c = message("bobby", &Room, Some("@bob:example.org"));
        assert!(c.get("formatted_body").is_none());
        assert_eq!(c["m.mentions"]["user_ids"], json!(["@bob:example.org"]));
    }

    #[test]
    fn links_encode_what_urls_need() {
        assert_eq!(
            matrix_to(&["!room:example.org", "$ev+t/x y"]),
            "https://matrix.to/#/!room:example.org/$ev+t%2Fx%20y"
        );
    }
}
