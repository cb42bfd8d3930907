//! French and English text helpers shared by the first-party plugins:
//! folding (NFKC, lower case, accents removed, typographic apostrophes and
//! French punctuation spacing normalised), tokenising with elisions split
//! (`l'appli` → `l'` + `appli`), each token keeping its byte span in the
//! original text, and a guess between French and English.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Folds text for matching: NFKC, lower case, combining marks (accents)
/// removed, `’ ‘ ʼ ´ `` → `'`, non-breaking and thin spaces → space.
pub mod time;

pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfkc() {
        push_folded(c, &mut out);
    }
    out
}

fn push_folded(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(if c == '`' {
            '\''
        } else {
            c.to_ascii_lowercase()
        });
        return;
    }
    match c {
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{00B4}' | '`' => out.push('\''),
        '\u{00A0}' | '\u{202F}' | '\u{2009}' => out.push(' '),
        _ => {
            for l in c.to_lowercase() {
                for d in l.nfd() {
                    if !is_combining_mark(d) {
                        out.push(d);
                    }
                }
            }
        }
    }
}

/// A word of the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The folded word (no accents, lower case).
    pub word: String,
    /// Byte range in the original text.
    pub start: usize,
    pub end: usize,
}

/// French elided articles and pronouns: `l'`, `j'`, `qu'`…
pub const ELISIONS: &[&str] = &[
    "l", "j", "d", "n", "s", "c", "m", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
];

/// Splits text into words (letters and digits), folded, with elisions split
/// off as their own token (`l'appli` → `l`, `appli`).
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    let flush = |current: &mut String, start: usize, end: usize, out: &mut Vec<Token>| {
        if !current.is_empty() {
            out.push(Token {
                word: std::mem::take(current),
                start,
                end,
            });
        }
    };
    // Reused for every character: this is the hot path of every plugin.
    let mut folded = String::new();
    for (i, c) in text.char_indices() {
        folded.clear();
        if c.is_ascii() {
            push_folded(c, &mut folded);
        } else {
            for n in std::iter::once(c).nfkc() {
                push_folded(n, &mut folded);
            }
        }
        let is_word = folded.chars().any(char::is_alphanumeric);
        if is_word {
            if current.is_empty() {
                start = i;
            }
            current.extend(folded.chars().filter(|c| c.is_alphanumeric()));
        } else if folded == "'" && ELISIONS.contains(&current.as_str()) {
            let end = i + c.len_utf8();
            flush(&mut current, start, end, &mut out);
        } else {
            flush(&mut current, start, i, &mut out);
        }
    }
    flush(&mut current, start, text.len(), &mut out);
    out
}

/// The folded words of a text.
pub fn words(text: &str) -> Vec<String> {
    tokens(text).into_iter().map(|t| t.word).collect()
}

/// French or English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

const FR_HINTS: &[&str] = &[
    "le", "la", "les", "un", "une", "des", "du", "de", "et", "est", "je", "tu", "il", "elle",
    "nous", "vous", "ils", "pas", "ne", "que", "qui", "quoi", "pour", "avec", "sur", "dans", "mon",
    "ma", "mes", "ton", "votre", "vos", "ce", "cette", "ces", "au", "aux", "ou", "mais", "tres",
    "bien", "merci", "bonjour", "salut", "oui", "non", "c", "j", "l", "d", "n", "qu", "suis", "ai",
    "sont", "fait", "comment", "quand", "encore", "toujours", "rien", "trop", "plus", "moi", "toi",
    "y", "en", "se", "sa", "son", "ses", "leur", "a", "ca", "cest",
];

const EN_HINTS: &[&str] = &[
    "the", "a", "an", "and", "is", "are", "was", "were", "i", "you", "he", "she", "we", "they",
    "it", "not", "no", "don", "t", "that", "this", "what", "how", "when", "where", "why", "for",
    "with", "on", "in", "my", "your", "our", "to", "of", "but", "very", "good", "thanks", "thank",
    "hello", "hi", "yes", "have", "has", "do", "does", "did", "can", "will", "would", "just", "so",
    "be", "been", "me", "at", "from", "there", "here", "again", "still", "too", "s", "m", "ll",
    "ve", "re", "is", "if", "or", "please", "anyone",
];

/// Guesses the language of a text by counting common function words; ties
/// and texts with no hint give `default`.
pub fn guess_lang(text: &str, default: Lang) -> Lang {
    let (mut fr, mut en) = (0, 0);
    for w in words(text) {
        fr += FR_HINTS.contains(&w.as_str()) as u32;
        en += EN_HINTS.contains(&w.as_str()) as u32;
    }
    match fr.cmp(&en) {
        std::cmp::Ordering::Greater => Lang::Fr,
        std::cmp::Ordering::Less => Lang::En,
        std::cmp::Ordering::Equal => default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_and_apostrophes() {
        assert_eq!(fold("Ça m’ÉNERVE !"), "ca m'enerve !");
        assert_eq!(fold("ｆｕｌｌｗｉｄｔｈ"), "fullwidth");
    }

    #[test]
    fn splits_elisions_and_keeps_spans() {
        let text = "J’adore l'appli, qu'est-ce que c'est ?";
        let t = tokens(text);
        let w: Vec<&str> = t.iter().map(|t| t.word.as_str()).collect();
        assert_eq!(
            w,
            vec!["j", "adore", "l", "appli", "qu", "est", "ce", "que", "c", "est"]
        );
        assert_eq!(&text[t[3].start..t[3].end], "appli");
        assert_eq!(&text[t[0].start..t[0].end], "J’");
    }

    #[test]
    fn does_not_split_english_contractions_as_elisions() {
        assert_eq!(words("don't"), vec!["don", "t"]);
        assert_eq!(words("it's"), vec!["it", "s"]);
    }

    #[test]
    fn guesses_french_and_english() {
        assert_eq!(
            guess_lang("Ma commande n'est pas arrivée", Lang::En),
            Lang::Fr
        );
        assert_eq!(
            guess_lang("Where is my order? It has not arrived", Lang::Fr),
            Lang::En
        );
        assert_eq!(guess_lang("ok", Lang::Fr), Lang::Fr);
    }
}
