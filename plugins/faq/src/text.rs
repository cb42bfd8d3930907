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
            let folded: &str = match folded_char(c) {
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

/// The blocks whose characters are folded from a table: Latin-1 and Latin
/// Extended-A/B (accented letters), general punctuation, currency,
/// letterlike symbols and number forms, symbols and dingbats, variation
/// selectors and emoji. None of their characters decomposes into, or is, a
/// character that combines with its neighbours (a non-starter or the second
/// half of a composition; combining diacritics and Hangul jamo are not in
/// these blocks), so a text made of them and of ASCII folds character by
/// character (`tests::folding_is_local_in_the_table_blocks` checks it).
const TABLE_BLOCKS: &[(u32, u32)] = &[
    (0x80, 0x250),
    (0x2000, 0x2070),
    (0x20a0, 0x20d0),
    (0x2100, 0x2190),
    (0x2190, 0x2400),
    (0x2500, 0x27c0),
    (0xfe00, 0xfe10),
    (0x1f000, 0x1fb00),
];

/// `vigie_text::fold` of each character of [`TABLE_BLOCKS`], computed once:
/// the folded characters one after the other, and where each one ends.
struct FoldTable {
    text: String,
    ends: Vec<u32>,
}

fn table() -> &'static FoldTable {
    static TABLE: OnceLock<FoldTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = FoldTable {
            text: String::new(),
            ends: Vec::new(),
        };
        for &(first, end) in TABLE_BLOCKS {
            for cp in first..end {
                if let Some(c) = char::from_u32(cp) {
                    t.text
                        .push_str(&vigie_text::fold(c.encode_utf8(&mut [0u8; 4])));
                }
                t.ends.push(t.text.len() as u32);
            }
        }
        t
    })
}

/// Builds the folding table now (else the first non-ASCII character does).
pub fn prepare() {
    table();
}

/// `vigie_text::fold` of `c` when `c` is in one of the [`TABLE_BLOCKS`].
fn folded_char(c: char) -> Option<&'static str> {
    let cp = c as u32;
    let mut base = 0;
    for &(first, end) in TABLE_BLOCKS {
        if cp < first {
            return None;
        }
        if cp < end {
            let t = table();
            let i = base + (cp - first) as usize;
            let start = if i == 0 { 0 } else { t.ends[i - 1] as usize };
            return Some(&t.text[start..t.ends[i] as usize]);
        }
        base += (end - first) as usize;
    }
    None
}

/// `vigie_text::fold(text)`, without a copy when `text` is already folded
/// ASCII, and character by character (no Unicode normalisation of the
/// whole text) when its characters are ASCII or in the [`TABLE_BLOCKS`].
pub fn fold(text: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    if text.is_ascii() && !text.bytes().any(|b| b.is_ascii_uppercase() || b == b'`') {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    fold_into(text, &mut out);
    Cow::Owned(out)
}

/// [`fold`] into `out` (cleared first).
pub fn fold_into(text: &str, out: &mut String) {
    out.clear();
    for c in text.chars() {
        if c.is_ascii() {
            out.push(if c == '`' {
                '\''
            } else {
                c.to_ascii_lowercase()
            });
        } else if let Some(f) = folded_char(c) {
            out.push_str(f);
        } else {
            out.clear();
            out.push_str(&vigie_text::fold(text));
            return;
        }
    }
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
    fn the_table_folds_like_vigie_text() {
        for &(first, end) in TABLE_BLOCKS {
            for cp in first..end {
                let Some(c) = char::from_u32(cp) else {
                    continue;
                };
                let s = c.to_string();
                assert_eq!(folded_char(c).unwrap(), vigie_text::fold(&s), "{cp:#x}");
            }
        }
        assert_eq!(folded_char('\u{300}'), None);
        assert_eq!(folded_char('日'), None);
    }

    /// Folding a text of these characters whole (NFKC composes across
    /// characters) is folding it character by character.
    #[test]
    fn folding_is_local_in_the_table_blocks() {
        let all: Vec<char> = TABLE_BLOCKS
            .iter()
            .flat_map(|&(a, b)| (a..b).filter_map(char::from_u32))
            .chain((0x20..0x7f).filter_map(char::from_u32))
            .collect();
        // Every character next to a sample of every block, both ways.
        // (A thinner sample in debug builds, where this is slow.)
        let step = if cfg!(debug_assertions) { 97 } else { 13 };
        let sample: Vec<char> = all.iter().copied().step_by(step).collect();
        for &a in &all {
            for &b in &sample {
                for s in [format!("{a}{b}"), format!("{b}{a}"), format!("{a}{a}")] {
                    assert_eq!(fold(&s), vigie_text::fold(&s), "{s:?}");
                }
            }
        }
        // Latin and punctuation, every pair.
        let latin: Vec<char> = all
            .iter()
            .copied()
            .filter(|&c| (c as u32) < 0x250 || (0x2000..0x2070).contains(&(c as u32)))
            .collect();
        for &a in &latin {
            for &b in &latin {
                let s = format!("{a}{b}");
                assert_eq!(fold(&s), vigie_text::fold(&s), "{s:?}");
            }
        }
    }

    #[test]
    fn every_latin_character_folds_like_vigie_text() {
        for cp in 0..0x3000u32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            for text in [
                format!("a{c}b"),
                format!("l{c}x"),
                format!("{c}"),
                format!("{c}{c}"),
            ] {
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
