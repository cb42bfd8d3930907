//! French and English. The language is the `vigie_lang` cookie's (set by
//! the switch in every page's header), or else the first of `fr` and `en`
//! the browser's `Accept-Language` prefers, or else English.
//!
//! Texts stay next to their use: `lang.tr("Live", "En direct")`, so a page
//! reads as it renders and no key can be missing in one language.

use axum::http::HeaderMap;

/// The cookie that remembers the switch.
pub const COOKIE: &str = "vigie_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    /// The text in this language.
    pub fn tr(self, en: &'static str, fr: &'static str) -> &'static str {
        match self {
            Lang::En => en,
            Lang::Fr => fr,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// The request's language: cookie, then `Accept-Language`, then English.
    pub fn of(headers: &HeaderMap) -> Lang {
        if let Some(lang) = super::server::cookie(headers, COOKIE).and_then(|c| Lang::parse(&c)) {
            return lang;
        }
        headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(from_accept_language)
            .unwrap_or(Lang::En)
    }

    /// A count with its noun: `1 event`, `3 événements`.
    pub fn count(self, n: usize, en: (&str, &str), fr: (&str, &str)) -> String {
        let (one, many) = match self {
            Lang::En => en,
            Lang::Fr => fr,
        };
        // French uses the singular for 0 and 1.
        let singular = match self {
            Lang::En => n == 1,
            Lang::Fr => n <= 1,
        };
        format!("{n} {}", if singular { one } else { many })
    }
}

/// The supported language with the highest weight in an
/// `Accept-Language` header (`fr-CH, fr;q=0.9, en;q=0.8`).
pub fn from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(f32, usize, Lang)> = None;
    for (i, part) in header.split(',').enumerate() {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or_default().trim();
        let primary = tag.split('-').next().unwrap_or_default();
        let Some(lang) = Lang::parse(primary) else {
            continue;
        };
        let q = pieces
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        // Highest weight first; among equals, the first listed.
        if best.is_none_or(|(bq, bi, _)| q > bq || (q == bq && i < bi)) {
            best = Some((q, i, lang));
        }
    }
    best.map(|(_, _, lang)| lang)
}

/// A moderator's verdict on a review item, as the Review page says it.
pub fn verdict(lang: Lang, verdict: &crate::store::Verdict) -> &'static str {
    use crate::store::Verdict;
    match verdict {
        Verdict::Approved => lang.tr("approved", "approuvé"),
        Verdict::Rejected => lang.tr("rejected", "rejeté"),
        Verdict::Replaced { .. } => lang.tr("acted otherwise", "autre action"),
    }
}

/// A time (ms since the epoch) as people read it, UTC.
pub fn time(ms: i64) -> String {
    let text = crate::event::format_ms(ms);
    // 2026-11-22T10:00:00Z → 2026-11-22 10:00:00 UTC
    match text.strip_suffix('Z') {
        Some(t) => format!("{} UTC", t.replacen('T', " ", 1)),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_weights() {
        assert_eq!(
            from_accept_language("fr-CH, fr;q=0.9, en;q=0.8"),
            Some(Lang::Fr)
        );
        assert_eq!(
            from_accept_language("de, en;q=0.5, fr;q=0.4"),
            Some(Lang::En)
        );
        assert_eq!(
            from_accept_language("en-GB;q=0.3, fr;q=0.7"),
            Some(Lang::Fr)
        );
        assert_eq!(from_accept_language("de, es"), None);
        assert_eq!(from_accept_language("fr;q=0, en"), Some(Lang::En));
        assert_eq!(from_accept_language(""), None);
    }

    #[test]
    fn counts_agree() {
        assert_eq!(
            Lang::En.count(1, ("event", "events"), ("é", "és")),
            "1 event"
        );
        assert_eq!(
            Lang::Fr.count(0, ("e", "es"), ("action", "actions")),
            "0 action"
        );
        assert_eq!(
            Lang::Fr.count(2, ("e", "es"), ("action", "actions")),
            "2 actions"
        );
    }
}
