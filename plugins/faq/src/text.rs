//! Allocation-free equivalents of `vigie_text::tokens` and `vigie_text::fold`
//! for the hot path: the same words, byte spans and folding (checked against
//! `vigie-text` by the tests below), written into reusable buffers, with a
//! fast path for ASCII and a table for the Latin letters of French.

use std::ops::Range;
use std::sync::OnceLock;

/// One word of a text: the folded word is `buf[word]` of the [`Tokens`]
/// that holds it; `start..end` is its byte span in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tok {
    pub word: Range<usize>,
    pub start: usize,
    pub end: usize,
}

/// The words of a text, in one buffer (reused from text to text).
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    buf: String,
    toks: Vec<Tok>,
}

impl Tokens {
    /// Empty buffers.
    pub fn new() -> Tokens {
        Tokens::default()
    }

    /// The tokens.
    pub fn toks(&self) -> &[Tok] {
        &self.toks
    }

    /// The folded word of `t`.
    pub fn word(&self, t: &Tok) -> &str {
        &self.buf[t.word.clone()]
    }

    /// The folded words.
    pub fn words(&self) -> impl Iterator<Item = &str> + '_ {
        self.toks.iter().map(|t| &self.buf[t.word.clone()])
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// True when there is no word.
    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    /// Replaces the contents with the words of `text`, exactly as
    /// `vigie_text::tokens(text)` splits and folds them.
    pub fn tokenize(&mut self, text: &str) {
        self.buf.clear();
        self.toks.clear();
        // The current word is `buf[cur..]`.
        let mut cur = 0;
        let mut start = 0;
        let mut nonascii = String::new();
        for (i, c) in text.char_indices() {
            if c.is_ascii() {
                if c.is_ascii_alphanumeric() {
                    if self.buf.len() == cur {
                        start = i;
                    }
                    self.buf.push(c.to_ascii_lowercase());
                } else if (c == '\'' || c == '`') && is_elision(&self.buf[cur..]) {
                    self.flush(&mut cur, start, i + 1);
                } else {
                    self.flush(&mut cur, start, i);
                }
                continue;
            }
            let folded: &str = match latin(c) {
                Some(f) => f,
                None => {
                    nonascii.clear();
                    let mut b = [0u8; 4];
                    nonascii.push_str(&vigie_text::fold(c.encode_utf8(&mut b)));
                    &nonascii
                }
            };
            if folded.chars().any(char::is_alphanumeric) {
                if self.buf.len() == cur {
                    start = i;
                }
                self.buf
                    .extend(folded.chars().filter(|c| c.is_alphanumeric()));
            } else if folded == "'" && is_elision(&self.buf[cur..]) {
                self.flush(&mut cur, start, i + c.len_utf8());
            } else {
                self.flush(&mut cur, start, i);
            }
        }
        self.flush(&mut cur, start, text.len());
    }

    fn flush(&mut self, cur: &mut usize, start: usize, end: usize) {
        if self.buf.len() > *cur {
            self.toks.push(Tok {
                word: *cur..self.buf.len(),
                start,
                end,
            });
            *cur = self.buf.len();
        }
    }
}

fn is_elision(word: &str) -> bool {
    vigie_text::ELISIONS.contains(&word)
}

/// First and last code points of the folding table.
const LATIN_FIRST: u32 = 0x80;
const LATIN_END: u32 = 0x250;

/// `vigie_text::fold` of one character of Latin-1 and Latin Extended-A/B
/// (accented letters, typographic signs), computed once.
fn latin(c: char) -> Option<&'static str> {
    static TABLE: OnceLock<Vec<String>> = OnceLock::new();
    let cp = c as u32;
    if !(LATIN_FIRST..LATIN_END).contains(&cp) {
        return None;
    }
    let table = TABLE.get_or_init(|| {
        (LATIN_FIRST..LATIN_END)
            .map(|cp| {
                char::from_u32(cp)
                    .map(|c| vigie_text::fold(c.encode_utf8(&mut [0u8; 4])))
                    .unwrap_or_default()
            })
            .collect()
    });
    Some(&table[(cp - LATIN_FIRST) as usize])
}

/// `vigie_text::fold(text)`, without a copy when `text` is already folded
/// ASCII.
pub fn fold(text: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    if !text.is_ascii() {
        return Cow::Owned(vigie_text::fold(text));
    }
    if !text.bytes().any(|b| b.is_ascii_uppercase() || b == b'`') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if c == '`' { '\'' } else { c.to_ascii_lowercase() })
            .collect(),
    )
}

/// Sample texts for the equivalence tests (shared with the other modules'
/// tests).
#[cfg(test)]
pub(crate) const TRICKY: &[&str] = &[
    "",
    "   ",
    "J’adore l'appli, qu'est-ce que c'est ?",
    "don't it's won`t",
    "L’ÉTÉ À PARIS — Œuvre, cœur, Straße, ﬁn, ﬀ",
    "ｆｕｌｌｗｉｄｔｈ ＡＣＭＥ？",
    "e\u{301}te\u{301} cafe\u{301} n\u{303}",
    "İstanbul ǅemal ǈ ǉ Ǆ",
    "emoji 😊☕🎉 👍🏽 family 👨‍👩‍👧",
    "a\u{a0}b\u{202f}c\u{2009}d ´ʼ‘’ l´appli l’ j'",
    "½ ² ³ ㎏ ™ № ℃ Ⅻ ⅻ",
    "日本語のテキスト 中文 한국어",
    "Привет мир Ελληνικά",
    "AC-20431 du 14/11 à 12h30, 29,90 €",
    "qu’il jusqu'à lorsqu’on puisqu'elle quoiqu'il",
    "''' ``` l'' l'`x",
    "C koi les horaires de la boutique de Lyon ??",
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ",
    "ĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĲĳĴĵĶķĸĹĺĻļĽľĿŀŁłŃńŅņŇňŉŊŋŌōŎŏŐőŒœŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſ",
    "ƀƁƂƃƄƅƆƇƈƉƊƋƌƍƎƏƐƑƒƓƔƕƖƗƘƙƚƛƜƝƞƟƠơƢƣƤƥƦƧƨƩƪƫƬƭƮƯưƱƲƳƴƵƶƷƸƹƺƻƼƽƾƿǀǁǂǃǄǅǆǇǈǉǊǋǌǍǎǏǐ",
    "¡¢£¤¥¦§¨©ª«¬\u{ad}®¯°±²³´µ¶·¸¹º»¼½¾¿",
    "tab\there\nnew line\r\nend.",
    "x'y a'b l'élan d’été qu'",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) {
        let mut t = Tokens::new();
        t.tokenize(text);
        let ours: Vec<(String, usize, usize)> = t
            .toks()
            .iter()
            .map(|k| (t.word(k).to_string(), k.start, k.end))
            .collect();
        let theirs: Vec<(String, usize, usize)> = vigie_text::tokens(text)
            .into_iter()
            .map(|k| (k.word, k.start, k.end))
            .collect();
        assert_eq!(ours, theirs, "{text:?}");
        assert_eq!(fold(text), vigie_text::fold(text), "{text:?}");
    }

    #[test]
    fn tokens_are_those_of_vigie_text() {
        for text in TRICKY {
            check(text);
        }
        for file in ["tests/questions.jsonl", "tests/dev_questions.jsonl"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
            for line in std::fs::read_to_string(path).unwrap().lines() {
                check(line);
            }
        }
        check(include_str!("../acme.toml"));
        check(include_str!("../../../examples/demo/events.jsonl"));
    }

    #[test]
    fn every_latin_character_folds_like_vigie_text() {
        for cp in 0..0x3000u32 {
            let Some(c) = char::from_u32(cp) else { continue };
            for text in [format!("a{c}b"), format!("l{c}x"), format!("{c}"), format!("{c}{c}")] {
                check(&text);
            }
        }
    }

    #[test]
    fn pseudo_random_texts_tokenize_like_vigie_text() {
        let pool: Vec<char> = "aZé'`’ ´.-,?!É9œŒßﬁ\u{301}😊ｆİ_ \u{a0}ǅ½日"
            .chars()
            .collect();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(state % 12) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push(pool[(state % pool.len() as u64) as usize]);
            }
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
            check(&s);
        }
    }
}
