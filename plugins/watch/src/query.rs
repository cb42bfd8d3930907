//! Topic queries: a small boolean language, parsed once at `configure`,
//! matched on the same folded words as automod (`vigie-text`: accents and
//! case removed, `l'appli` split into `l'` + `appli`).
//!
//! ```text
//! acme OR "acme cafe"                 either
//! acme AND (livraison OR delivery)    both (AND may be left out: `acme livraison`)
//! acme NOT "acme corp"                the first without the second (also `-"acme corp"`)
//! acme NEAR/3 retard                  at most 3 words between them, either order
//! title:acme  source:forum            a term in one field (title, text, author, source, link)
//! lang:fr                             the text's language (the sentiment label's, else a guess)
//! ```
//!
//! Precedence, tightest first: `NOT`/`-`, `NEAR/n`, `AND` (or nothing),
//! `OR`; parentheses group. Operators are upper case; lower-case `and`,
//! `or`, `not`, `near` are words to find.

use vigie_text::Lang;

/// Where a term is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Title and text (the event's text: the host puts the title first).
    All,
    Title,
    Text,
    Author,
    Source,
    Link,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// One word or a phrase (consecutive folded words).
    Term {
        field: Field,
        words: Vec<String>,
    },
    Lang(Lang),
    And(Box<Query>, Box<Query>),
    Or(Box<Query>, Box<Query>),
    Not(Box<Query>),
    /// Both terms within `n` words of each other (words strictly between).
    Near(Box<Query>, Box<Query>, usize),
}

/// The fields of one event, folded once.
#[derive(Debug, Default)]
pub struct Doc<'a> {
    /// The text searched for `All` (title + text), and its words with spans.
    pub text: &'a str,
    pub words: Vec<vigie_text::Token>,
    /// The folded words of `words`, for matching.
    pub all: Vec<String>,
    pub title: Vec<String>,
    pub body: Vec<String>,
    pub author: Vec<String>,
    pub source: Vec<String>,
    pub link: Vec<String>,
    pub lang: Option<Lang>,
}

impl<'a> Doc<'a> {
    /// `text` is the event's text; `title` its title when the host gave one
    /// (then `text` begins with it).
    pub fn new(
        text: &'a str,
        title: Option<&str>,
        author: &str,
        source: Option<&str>,
        link: Option<&str>,
        lang: Option<Lang>,
    ) -> Doc<'a> {
        let words = vigie_text::tokens(text);
        let all = words.iter().map(|t| t.word.clone()).collect();
        let body = match title {
            Some(t) if text.starts_with(t) => vigie_text::words(&text[t.len()..]),
            _ => words.iter().map(|t| t.word.clone()).collect(),
        };
        Doc {
            text,
            words,
            all,
            title: title.map(vigie_text::words).unwrap_or_default(),
            body,
            author: vigie_text::words(author),
            source: source.map(vigie_text::words).unwrap_or_default(),
            link: link.map(vigie_text::words).unwrap_or_default(),
            lang,
        }
    }

    fn field(&self, field: Field) -> &[String] {
        match field {
            Field::All => &self.all,
            Field::Title => &self.title,
            Field::Text => &self.body,
            Field::Author => &self.author,
            Field::Source => &self.source,
            Field::Link => &self.link,
        }
    }

    /// Byte span in `text` of words `from..to` (of `All`).
    fn span(&self, from: usize, to: usize) -> (usize, usize) {
        (self.words[from].start, self.words[to - 1].end)
    }
}

/// Word positions where `needle` starts in `hay`.
fn positions(hay: &[String], needle: &[String]) -> Vec<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return Vec::new();
    }
    (0..=hay.len() - needle.len())
        .filter(|&i| needle.iter().zip(&hay[i..]).all(|(n, h)| n == h))
        .collect()
}

impl Query {
    /// Parses a query; the error says where and what was expected.
    pub fn parse(input: &str) -> Result<Query, String> {
        let tokens = lex(input)?;
        if tokens.is_empty() {
            return Err("the query is empty".into());
        }
        let mut p = Parser {
            tokens,
            at: 0,
            depth: 0,
            terms: 0,
        };
        let q = p.or()?;
        if let Some(t) = p.tokens.get(p.at) {
            return Err(format!("unexpected {} in the query", t.describe()));
        }
        if !q.has_positive_term() {
            return Err(
                "the query needs at least one term to find (NOT or lang: alone would match \
                 everything else)"
                    .into(),
            );
        }
        Ok(q)
    }

    fn has_positive_term(&self) -> bool {
        match self {
            Query::Term { .. } => true,
            Query::Lang(_) | Query::Not(_) => false,
            Query::And(a, b) => a.has_positive_term() || b.has_positive_term(),
            Query::Or(a, b) => a.has_positive_term() && b.has_positive_term(),
            Query::Near(..) => true,
        }
    }

    /// Whether the event matches.
    pub fn matches(&self, doc: &Doc) -> bool {
        self.find(doc).is_some()
    }

    /// When the event matches: the span (bytes of the event's text) of the
    /// first positive term found in it, if one is in the text (a `source:`
    /// term has none).
    pub fn find(&self, doc: &Doc) -> Option<Option<(usize, usize)>> {
        match self {
            Query::Term { field, words } => {
                let hay = doc.field(*field);
                let at = positions(hay, words);
                let first = *at.first()?;
                Some(match field {
                    Field::All => Some(doc.span(first, first + words.len())),
                    _ => {
                        // Quote the text's own occurrence, when there is one.
                        positions(&doc.all, words)
                            .first()
                            .map(|&i| doc.span(i, i + words.len()))
                    }
                })
            }
            Query::Lang(lang) => doc.lang.filter(|l| l == lang).map(|_| None),
            Query::And(a, b) => {
                let x = a.find(doc)?;
                let y = b.find(doc)?;
                Some(x.or(y))
            }
            Query::Or(a, b) => a.find(doc).or_else(|| b.find(doc)),
            Query::Not(q) => match q.find(doc) {
                Some(_) => None,
                None => Some(None),
            },
            Query::Near(a, b, n) => {
                let occ = |q: &Query| -> Vec<(usize, usize)> {
                    match q {
                        Query::Term { words, .. } => positions(&doc.all, words)
                            .into_iter()
                            .map(|i| (i, i + words.len()))
                            .collect(),
                        _ => Vec::new(),
                    }
                };
                let (xs, ys) = (occ(a), occ(b));
                for &(xa, xb) in &xs {
                    for &(ya, yb) in &ys {
                        let gap = if xb <= ya {
                            ya - xb
                        } else {
                            xa.saturating_sub(yb)
                        };
                        if gap <= *n {
                            let (from, to) = (xa.min(ya), xb.max(yb));
                            return Some(Some(doc.span(from, to)));
                        }
                    }
                }
                None
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(Field, String),
    Phrase(Field, String),
    Lang(Lang),
    And,
    Or,
    Not,
    Near(usize),
    Open,
    Close,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Word(_, w) => format!("word `{w}`"),
            Tok::Phrase(_, p) => format!("phrase \"{p}\""),
            Tok::Lang(_) => "`lang:`".into(),
            Tok::And => "AND".into(),
            Tok::Or => "OR".into(),
            Tok::Not => "NOT".into(),
            Tok::Near(n) => format!("NEAR/{n}"),
            Tok::Open => "`(`".into(),
            Tok::Close => "`)`".into(),
        }
    }
}

fn field_of(prefix: &str) -> Option<Field> {
    Some(match prefix {
        "title" | "titre" => Field::Title,
        "text" | "texte" => Field::Text,
        "author" | "auteur" => Field::Author,
        "source" => Field::Source,
        "link" | "lien" => Field::Link,
        _ => return None,
    })
}

fn lex(input: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '(' => {
                out.push(Tok::Open);
                i += 1;
                continue;
            }
            ')' => {
                out.push(Tok::Close);
                i += 1;
                continue;
            }
            '-' => {
                out.push(Tok::Not);
                i += 1;
                continue;
            }
            _ => {}
        }
        // A word, maybe `field:` before a word or a phrase.
        let start = i;
        let mut field = Field::All;
        if c != '"' {
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '(' | ')' | '"')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if let Some((prefix, rest)) = word.split_once(':') {
                let prefix = prefix.to_lowercase();
                if prefix == "lang" || prefix == "langue" {
                    out.push(Tok::Lang(match rest.to_lowercase().as_str() {
                        "fr" => Lang::Fr,
                        "en" => Lang::En,
                        other => {
                            return Err(format!("lang:{other}: the language filter takes fr or en"))
                        }
                    }));
                    continue;
                }
                let Some(f) = field_of(&prefix) else {
                    return Err(format!(
                        "`{prefix}:` is not a field (fields: title, text, author, source, link; \
                         and lang:fr / lang:en)"
                    ));
                };
                field = f;
                if rest.is_empty() {
                    if chars.get(i) != Some(&'"') {
                        return Err(format!(
                            "`{prefix}:` must be followed by a word or a phrase"
                        ));
                    }
                } else {
                    out.push(Tok::Word(field, rest.to_string()));
                    continue;
                }
            } else {
                match word.as_str() {
                    "AND" | "ET" => out.push(Tok::And),
                    "OR" | "OU" => out.push(Tok::Or),
                    "NOT" | "SAUF" => out.push(Tok::Not),
                    w if w.starts_with("NEAR/") || w.starts_with("PRES/") => {
                        let n = w[5..].parse::<usize>().map_err(|_| {
                            format!("`{w}`: NEAR takes a number of words, e.g. NEAR/3")
                        })?;
                        if n > 50 {
                            return Err(format!("`{w}`: NEAR/n takes n ≤ 50"));
                        }
                        out.push(Tok::Near(n));
                    }
                    "NEAR" => {
                        return Err("NEAR needs a distance: `a NEAR/3 b`".into());
                    }
                    _ => out.push(Tok::Word(field, word)),
                }
                continue;
            }
        }
        // A phrase.
        i += 1;
        let from = i;
        while i < chars.len() && chars[i] != '"' {
            i += 1;
        }
        if i >= chars.len() {
            return Err("a phrase is not closed: a `\"` is missing".into());
        }
        let phrase: String = chars[from..i].iter().collect();
        i += 1;
        out.push(Tok::Phrase(field, phrase));
    }
    Ok(out)
}

/// Groups and NOTs nest at most this deep, and a query has at most this
/// many terms: the parser and the matcher recurse over the query's tree,
/// and a query of thousands of `(` (found by the config_watch fuzz
/// target) overflowed the stack.
const MAX_NESTING: usize = 32;
const MAX_TERMS: usize = 256;

struct Parser {
    tokens: Vec<Tok>,
    at: usize,
    /// Groups and NOTs open around the current token.
    depth: usize,
    terms: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.at)
    }

    fn or(&mut self) -> Result<Query, String> {
        let mut left = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            let right = self.and()?;
            left = Query::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Query, String> {
        let mut left = self.near()?;
        loop {
            match self.peek() {
                Some(Tok::And) => {
                    self.at += 1;
                }
                Some(Tok::Or) | Some(Tok::Close) | None => return Ok(left),
                _ => {} // implicit AND
            }
            let right = self.near()?;
            left = Query::And(Box::new(left), Box::new(right));
        }
    }

    fn near(&mut self) -> Result<Query, String> {
        let left = self.unary()?;
        if let Some(&Tok::Near(n)) = self.peek() {
            self.at += 1;
            let right = self.unary()?;
            for side in [&left, &right] {
                if !matches!(side, Query::Term { .. }) {
                    return Err(format!(
                        "NEAR/{n} joins two words or phrases, not a group or a NOT"
                    ));
                }
            }
            return Ok(Query::Near(Box::new(left), Box::new(right), n));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Query, String> {
        let Some(tok) = self.peek().cloned() else {
            return Err("the query ends where a term was expected".into());
        };
        self.at += 1;
        if matches!(tok, Tok::Not | Tok::Open) {
            if self.depth == MAX_NESTING {
                return Err(format!(
                    "the query nests groups and NOTs more than {MAX_NESTING} deep"
                ));
            }
            self.depth += 1;
        }
        match tok {
            Tok::Not => {
                let q = Query::Not(Box::new(self.unary()?));
                self.depth -= 1;
                Ok(q)
            }
            Tok::Open => {
                let q = self.or()?;
                if self.peek() != Some(&Tok::Close) {
                    return Err("a `(` is not closed".into());
                }
                self.at += 1;
                self.depth -= 1;
                Ok(q)
            }
            Tok::Word(field, w) | Tok::Phrase(field, w) => {
                let words = vigie_text::words(&w);
                if words.is_empty() {
                    return Err(format!("`{w}` has no letter or digit to find"));
                }
                self.terms += 1;
                if self.terms > MAX_TERMS {
                    return Err(format!(
                        "the query has more than {MAX_TERMS} terms: split it into topics"
                    ));
                }
                Ok(Query::Term { field, words })
            }
            Tok::Lang(l) => Ok(Query::Lang(l)),
            other => Err(format!(
                "unexpected {} where a term was expected",
                other.describe()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Doc<'_> {
        Doc::new(
            text,
            None,
            "someone",
            Some("Forum Café"),
            None,
            Some(Lang::Fr),
        )
    }

    fn m(q: &str, text: &str) -> bool {
        Query::parse(q).unwrap().matches(&doc(text))
    }

    #[test]
    fn words_phrases_and_normalisation() {
        assert!(m("acme", "J'adore ACMÉ !"));
        assert!(m("\"acme cafe\"", "Le nouveau Acme Café ouvre"));
        assert!(!m("\"acme cafe\"", "Acme, le café"));
        // Elisions split as automod does: "l'appli" finds `appli`.
        assert!(m("appli", "l’appli plante"));
        assert!(!m("acme", "acmes"));
    }

    #[test]
    fn boolean_operators_and_precedence() {
        assert!(m("acme AND retard", "acme est en retard"));
        assert!(m("acme retard", "acme est en retard"));
        assert!(!m("acme retard", "acme est à l'heure"));
        assert!(m("acme OR beanco", "beanco"));
        assert!(!m("acme NOT \"acme corp\"", "acme corp rachète"));
        assert!(m("acme -\"acme corp\"", "acme café"));
        // AND binds tighter than OR.
        assert!(m("acme retard OR beanco", "beanco"));
        assert!(!m("acme (retard OR beanco)", "beanco"));
        assert!(m("acme (retard OR beanco)", "acme beanco"));
        // Lower-case operators are words.
        assert!(!m("acme or beanco", "beanco"));
    }

    #[test]
    fn near_counts_words_between_in_either_order() {
        assert!(m("acme NEAR/2 retard", "acme encore en retard"));
        assert!(!m("acme NEAR/1 retard", "acme encore en retard"));
        assert!(m("retard NEAR/2 acme", "acme encore en retard"));
        assert!(m(
            "\"service client\" NEAR/3 acme",
            "le service client d'acme"
        ));
    }

    #[test]
    fn fields_and_language() {
        let d = Doc::new(
            "Avis Acme\n\nle café est froid",
            Some("Avis Acme"),
            "Jo",
            Some("Trustpilot"),
            Some("https://example.test/avis/1"),
            Some(Lang::Fr),
        );
        let q = |s: &str| Query::parse(s).unwrap().matches(&d);
        assert!(q("title:acme"));
        assert!(!q("text:acme"));
        assert!(q("text:froid source:trustpilot"));
        assert!(q("acme lang:fr"));
        assert!(!q("acme lang:en"));
        assert!(q("link:avis"));
        assert!(q("author:jo"));
    }

    #[test]
    fn the_span_quotes_the_matched_words() {
        let text = "Hier soir, le Acme Café de Lyon était fermé.";
        let d = doc(text);
        let (a, b) = Query::parse("fermé AND \"acme café\"")
            .unwrap()
            .find(&d)
            .unwrap()
            .unwrap();
        assert_eq!(&text[a..b], "fermé");
        let (a, b) = Query::parse("acme NEAR/3 lyon")
            .unwrap()
            .find(&d)
            .unwrap()
            .unwrap();
        assert_eq!(&text[a..b], "Acme Café de Lyon");
    }

    #[test]
    fn a_query_too_deep_or_too_long_is_refused_not_overflowed() {
        let deep = format!("{}acme{}", "(".repeat(20_000), ")".repeat(20_000));
        let e = Query::parse(&deep).unwrap_err();
        assert!(e.contains("more than 32 deep"), "{e}");
        let nots = format!("acme {}globex", "NOT ".repeat(20_000));
        assert!(Query::parse(&nots).unwrap_err().contains("deep"));
        let long = vec!["acme"; 20_000].join(" ");
        assert!(Query::parse(&long)
            .unwrap_err()
            .contains("more than 256 terms"));
        // The limits themselves are fine.
        let ok = format!("{}acme{}", "(".repeat(32), ")".repeat(32));
        assert!(Query::parse(&ok).is_ok());
        assert!(Query::parse(&vec!["acme"; 256].join(" ")).is_ok());
        assert!(Query::parse("acme NOT (globex OR (initech AND NOT hooli))").is_ok());
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let e = |q: &str| Query::parse(q).unwrap_err();
        assert!(e("").contains("empty"));
        assert!(e("\"acme").contains("not closed"));
        assert!(e("(acme").contains("not closed"));
        assert!(e("acme)").contains("unexpected `)`"));
        assert!(e("acme NEAR/x b").contains("NEAR takes a number"));
        assert!(e("acme NEAR b").contains("needs a distance"));
        assert!(e("NOT acme").contains("at least one term"));
        assert!(e("lang:de acme").contains("fr or en"));
        assert!(e("foo:bar").contains("not a field"));
        assert!(e("acme AND").contains("ends where a term"));
        assert!(e("(a OR b) NEAR/2 c").contains("NEAR/2 joins"));
    }
}
