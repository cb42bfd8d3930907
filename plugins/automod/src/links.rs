//! Finding links in a message and classifying them.
//!
//! Links are looked for in the folded text (so fullwidth `ｄｉｓｃｏｒｄ．ｇｇ`
//! and zero-width characters do not hide them): `http://` and `https://`
//! URLs, `www.` addresses, and bare domains such as `discord.gg/abcd` or
//! `crypto-gains.com` (a bare domain needs a path or a well-known top-level
//! domain, so `4.2`, `e.g.` or `fin.so what` are not links). An e-mail
//! address is not a link.

use crate::normalize::{Normalized, Unit};

/// A link found in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Byte span in the original text.
    pub start: usize,
    pub end: usize,
    /// Lower-case host without `www.`.
    pub host: String,
    /// The rest (`/invite/abc`), possibly empty.
    pub path: String,
}

/// Hosts and host/path prefixes of chat invitations.
pub const DEFAULT_INVITES: &[&str] = &[
    "discord.gg",
    "discord.com/invite",
    "discordapp.com/invite",
    "discord.me",
    "dsc.gg",
    "invite.gg",
    "t.me",
    "telegram.me",
    "telegram.dog",
    "chat.whatsapp.com",
    "signal.group",
    "guilded.gg",
    "matrix.to/#/#",
    "matrix.to/#/!",
];

/// URL shorteners, which hide where a link goes.
pub const SHORTENERS: &[&str] = &[
    "bit.ly",
    "bitly.com",
    "tinyurl.com",
    "t.co",
    "goo.gl",
    "ow.ly",
    "is.gd",
    "buff.ly",
    "cutt.ly",
    "rebrand.ly",
    "shorturl.at",
    "tiny.cc",
    "rb.gy",
    "s.id",
    "t.ly",
    "bl.ink",
    "v.gd",
    "shorte.st",
    "adf.ly",
    "tr.im",
    "lnkd.in",
    "qr.ae",
];

/// Top-level domains that make a bare `name.tld` a link (ones that are not
/// also common words).
const BARE_TLDS: &[&str] = &[
    "com", "net", "org", "io", "gg", "ly", "fr", "uk", "ru", "cn", "xyz", "info", "biz", "top",
    "site", "online", "club", "shop", "app", "dev", "tv", "link", "click", "live", "store", "tk",
    "ml", "ga", "cf", "gq", "eu", "ch", "gl", "gd", "cc", "ws", "pw", "icu", "cam", "vip", "win",
    "bid", "xxx", "porn", "sex", "loan", "work", "party", "stream", "download", "racing", "review",
    "trade", "date", "men", "bet", "casino", "money", "gift", "gifts", "promo", "sale", "deals",
    "nl", "pl", "br", "au", "jp", "kr", "es", "pt", "ro", "cz", "ua", "tw", "hk", "sg", "nz", "za",
    "mx", "ar", "cl", "vn", "id", "ir", "gr", "se", "no", "dk", "fi", "hu", "sk", "lt", "lv", "ee",
    "bg", "hr", "si", "rs", "tr", "il", "ae",
];

fn is_host_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_'
    } else {
        c.is_alphanumeric()
    }
}

fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric()
    }
}

fn ends_link(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '<' | '>' | '«' | '»' | '“' | '”')
}

/// Finds the links of a message.
pub fn find_links(norm: &Normalized) -> Vec<Link> {
    let mut out = Vec::new();
    if !may_have_links(norm) {
        return out;
    }
    let units = &norm.units;
    let ch = |i: usize| units[i].ch;
    let mut i = 0;
    while i < units.len() {
        // A link starts at the beginning or after something that is not part
        // of a word, a host or an e-mail address.
        if !is_alnum(ch(i)) {
            i += 1;
            continue;
        }
        let boundary = i == 0 || {
            let p = ch(i - 1);
            !(is_host_char(p) || matches!(p, '@' | '/'))
        };
        if !boundary {
            i += 1;
            continue;
        }
        // Without a scheme, a link needs a dot inside the host characters
        // that start here (trailing dots, dashes and underscores aside).
        let mut k = i;
        let mut dot = false;
        while k < units.len() && is_host_char(ch(k)) {
            k += 1;
        }
        let mut host_end = k;
        while host_end > i && matches!(ch(host_end - 1), '.' | '-' | '_') {
            host_end -= 1;
        }
        if units[i..host_end].iter().any(|u| u.ch == '.') {
            dot = true;
        }
        if !dot && ch(i) != 'h' {
            i = k;
            continue;
        }
        match parse_at(units, i) {
            Some((end, host, path)) => {
                let (s, e) = norm.span(i, end - 1);
                out.push(Link {
                    start: s,
                    end: e,
                    host,
                    path,
                });
                i = end;
            }
            None => {
                while i < units.len() && is_host_char(ch(i)) {
                    i += 1;
                }
            }
        }
    }
    out
}

/// False when the message cannot hold a link: a link has a scheme (`://`)
/// or a dot inside its host, that is a dot followed by a letter or digit,
/// perhaps after more dots, dashes and underscores.
fn may_have_links(norm: &Normalized) -> bool {
    let folded = &norm.folded;
    if folded.contains(':') {
        return true;
    }
    let mut from = 0;
    while let Some(p) = folded[from..].find('.') {
        // Past the dot and the dots, dashes and underscores after it.
        let rest = &folded[from + p..];
        let run = rest
            .find(|c: char| !matches!(c, '.' | '-' | '_'))
            .unwrap_or(rest.len());
        if rest[run..].chars().next().is_some_and(is_alnum) {
            return true;
        }
        from += p + run;
    }
    false
}

fn starts_with(units: &[Unit], i: usize, s: &str) -> bool {
    s.chars()
        .enumerate()
        .all(|(k, c)| units.get(i + k).is_some_and(|u| u.ch == c))
}

/// Parses a link starting at `i`: (end index, host, path).
fn parse_at(units: &[Unit], i: usize) -> Option<(usize, String, String)> {
    let chars = |a: usize, b: usize| -> String { units[a..b].iter().map(|u| u.ch).collect() };
    let mut k = i;
    let mut explicit = false;
    for scheme in ["https://", "http://", "hxxps://", "hxxp://"] {
        if starts_with(units, k, scheme) {
            k += scheme.chars().count();
            explicit = true;
            break;
        }
    }
    let host_start = k;
    while k < units.len() && is_host_char(units[k].ch) {
        k += 1;
    }
    // Trailing dots and dashes are punctuation, not part of the host.
    while k > host_start && matches!(units[k - 1].ch, '.' | '-' | '_') {
        k -= 1;
    }
    if !explicit && !units[host_start..k].iter().any(|u| u.ch == '.') {
        return None;
    }
    let host: String = chars(host_start, k);
    let labels: Vec<&str> = host.split('.').collect();
    if labels.iter().any(|l| l.is_empty()) {
        return None;
    }
    let has_path = matches!(
        units.get(k).map(|u| u.ch),
        Some('/') | Some('?') | Some('#')
    );
    let tld = labels[labels.len() - 1];
    let www = host.starts_with("www.") && labels.len() >= 3;
    let looks_like_domain = labels.len() >= 2
        && host.chars().any(char::is_alphabetic)
        && tld.chars().all(char::is_alphabetic)
        && (2..=24).contains(&tld.chars().count());
    let is_link = if explicit {
        !host.is_empty()
    } else {
        looks_like_domain && (www || BARE_TLDS.contains(&tld) || has_path)
    };
    if !is_link {
        return None;
    }
    let mut end = k;
    while end < units.len() && !ends_link(units[end].ch) {
        end += 1;
    }
    // Closing punctuation after a link belongs to the sentence.
    while end > k
        && matches!(
            units[end - 1].ch,
            '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '\''
        )
    {
        end -= 1;
    }
    let path: String = chars(k, end);
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    Some((end, host, path))
}

/// A domain pattern, read once: `example.com` (and its subdomains),
/// `*.xyz` (a top-level domain), `discord.com/invite` (a host and a path
/// prefix) or `*` (everything).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainPattern {
    /// `*`: every link.
    any: bool,
    /// The host, or the suffix after `*.`.
    host: String,
    /// The path prefix, from its `/`.
    path: Option<String>,
}

impl DomainPattern {
    /// Reads a pattern (case, `http(s)://` and `www.` do not matter).
    pub fn new(pattern: &str) -> DomainPattern {
        let pattern = pattern.trim().to_lowercase();
        let pattern = pattern
            .strip_prefix("https://")
            .or_else(|| pattern.strip_prefix("http://"))
            .unwrap_or(&pattern);
        let pattern = pattern.strip_prefix("www.").unwrap_or(pattern);
        if pattern == "*" {
            return DomainPattern {
                any: true,
                host: String::new(),
                path: None,
            };
        }
        let (host_pat, path_pat) = match pattern.find('/') {
            Some(p) => (&pattern[..p], Some(&pattern[p..])),
            None => (pattern, None),
        };
        // `*.xyz` covers `xyz` and its subdomains, as `xyz` does.
        let host = host_pat.strip_prefix("*.").unwrap_or(host_pat);
        DomainPattern {
            any: false,
            host: host.to_string(),
            path: path_pat.map(str::to_string),
        }
    }

    /// True when `link` is covered.
    pub fn matches(&self, link: &Link) -> bool {
        if self.any {
            return true;
        }
        let (h, p) = (link.host.as_bytes(), self.host.as_bytes());
        // The host itself or a subdomain (`….host`).
        let host_ok =
            h == p || (h.len() > p.len() && h.ends_with(p) && h[h.len() - p.len() - 1] == b'.');
        host_ok
            && self
                .path
                .as_deref()
                .is_none_or(|p| link.path.starts_with(p))
    }
}

/// Reads a list of domain patterns.
pub fn domain_patterns(patterns: &[impl AsRef<str>]) -> Vec<DomainPattern> {
    patterns
        .iter()
        .map(|p| DomainPattern::new(p.as_ref()))
        .collect()
}

/// True when `link` is covered by `pattern`: `example.com` (and its
/// subdomains), `*.xyz` (a top-level domain), `discord.com/invite` (a host
/// and a path prefix) or `*` (everything).
pub fn matches_domain(link: &Link, pattern: &str) -> bool {
    DomainPattern::new(pattern).matches(link)
}

/// True when the link is a chat invitation according to `invites`.
pub fn is_invite(link: &Link, invites: &[String]) -> bool {
    invites.iter().any(|p| matches_domain(link, p))
}

/// True when the link goes through a URL shortener.
pub fn is_shortener(link: &Link) -> bool {
    SHORTENERS.iter().any(|p| matches_domain(link, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(text: &str) -> Vec<(String, String, String)> {
        let n = Normalized::new(text);
        find_links(&n)
            .into_iter()
            .map(|l| (text[l.start..l.end].to_string(), l.host, l.path))
            .collect()
    }

    fn hosts(text: &str) -> Vec<String> {
        links(text).into_iter().map(|l| l.1).collect()
    }

    #[test]
    fn finds_urls_and_bare_domains() {
        assert_eq!(
            links("Free bitcoin!!! http://crypto-gains.example/xyz"),
            vec![(
                "http://crypto-gains.example/xyz".into(),
                "crypto-gains.example".into(),
                "/xyz".into()
            )]
        );
        assert_eq!(hosts("Join us: discord.gg/abcd!"), vec!["discord.gg"]);
        assert_eq!(hosts("Gagnez ➜ https://bit.ly/3xAcm3Wn 🎁"), vec!["bit.ly"]);
        assert_eq!(
            hosts("see www.acme.example and acme.com."),
            vec!["acme.example", "acme.com"]
        );
        assert_eq!(hosts("t.me/freecoins"), vec!["t.me"]);
    }

    #[test]
    fn ignores_things_that_are_not_links() {
        assert!(hosts("version 4.2 is out, e.g. today. It was fine.so what").is_empty());
        assert!(hosts("mail me at jean@acme.com").is_empty());
        assert!(hosts("2 x 34,90€ pour UNE commande (n° AC-20518)").is_empty());
        assert!(hosts("c'est génial.Merci").is_empty());
    }

    #[test]
    fn obfuscated_links_are_found() {
        assert_eq!(hosts("ｄｉｓｃｏｒｄ．ｇｇ/abc"), vec!["discord.gg"]);
        assert_eq!(hosts("disc\u{200b}ord.gg/abc"), vec!["discord.gg"]);
        assert_eq!(hosts("hxxps://evil.example/x"), vec!["evil.example"]);
    }

    /// The pattern matching as first written, compiled nothing.
    fn ref_matches_domain(link: &Link, pattern: &str) -> bool {
        let pattern = pattern.trim().to_lowercase();
        let pattern = pattern
            .strip_prefix("https://")
            .or_else(|| pattern.strip_prefix("http://"))
            .unwrap_or(&pattern);
        let pattern = pattern.strip_prefix("www.").unwrap_or(pattern);
        if pattern == "*" {
            return true;
        }
        let (host_pat, path_pat) = match pattern.find('/') {
            Some(p) => (&pattern[..p], Some(&pattern[p..])),
            None => (pattern, None),
        };
        let host_ok = match host_pat.strip_prefix("*.") {
            Some(suffix) => link.host == suffix || link.host.ends_with(&format!(".{suffix}")),
            None => link.host == host_pat || link.host.ends_with(&format!(".{host_pat}")),
        };
        host_ok && path_pat.is_none_or(|p| link.path.starts_with(p))
    }

    #[test]
    fn compiled_patterns_match_as_written() {
        let hosts = [
            "acme.com",
            "shop.acme.com",
            "xacme.com",
            "com",
            "",
            ".",
            "a.b.c",
            "t.me",
        ];
        let paths = ["", "/", "/invite/x", "/invitex", "?a", "#/#room"];
        let patterns = [
            "acme.com",
            "*.com",
            "*.",
            "*",
            " * ",
            "ACME.com",
            "https://www.acme.com/",
            "http://x",
            "discord.com/invite",
            "*.acme.com",
            ".com",
            "",
            "com",
            "t.me",
            "matrix.to/#/#",
            "www.",
            "*/x",
            "ÀCME.com",
            "a.b.c/",
            "b.c",
        ];
        for h in hosts {
            for p in paths {
                let link = Link {
                    start: 0,
                    end: 0,
                    host: h.to_string(),
                    path: p.to_string(),
                };
                for pat in patterns {
                    assert_eq!(
                        matches_domain(&link, pat),
                        ref_matches_domain(&link, pat),
                        "{h:?} {p:?} {pat:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn only_messages_with_a_scheme_or_an_inner_dot_are_scanned() {
        for (text, may) in [
            ("fin. Merci", false),
            ("...", false),
            ("a.-_b", true),
            ("version 4.2", true),
            ("see: x", true),
            ("a._ b", false),
            ("x.é", true),
        ] {
            assert_eq!(may_have_links(&Normalized::new(text)), may, "{text:?}");
        }
        let dots = ".".repeat(64_000);
        assert!(!may_have_links(&Normalized::new(&dots)));
    }

    #[test]
    fn domain_patterns() {
        let n = Normalized::new("https://www.shop.acme.com/a and https://discord.com/invite/x");
        let l = find_links(&n);
        assert!(matches_domain(&l[0], "acme.com"));
        assert!(matches_domain(&l[0], "*.com"));
        assert!(!matches_domain(&l[0], "cme.com"));
        assert!(matches_domain(&l[1], "discord.com/invite"));
        assert!(!matches_domain(&l[0], "discord.com/invite"));
        let invites: Vec<String> = DEFAULT_INVITES.iter().map(|s| s.to_string()).collect();
        assert!(is_invite(&l[1], &invites));
        assert!(!is_invite(&l[0], &invites));
    }
}
