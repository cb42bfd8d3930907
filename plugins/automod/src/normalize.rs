//! Text normalisation for matching.
//!
//! A message is folded into a sequence of [`Unit`]s: one folded character
//! each, carrying the byte span of the original character it came from, so a
//! match found in the folded text is reported as a span of the original text.
//!
//! Per original character, in this order:
//! 1. invisible characters are dropped (zero-width spaces and joiners, soft
//!    hyphens, bidi controls, variation selectors, tag characters, fillers,
//!    private-use characters, control characters);
//! 2. typographic apostrophes become `'` and every kind of space becomes ` `;
//! 3. Unicode NFKC (fullwidth `ｆ`, mathematical `𝐟 𝑓 𝒇`, circled `ⓕ`,
//!    superscripts, ligatures `ﬁ` all become plain letters), then canonical
//!    decomposition and removal of every combining mark (accents, Zalgo);
//! 4. letters that imitate Latin ones (Cyrillic `а е о р с х у і ѕ`, Greek
//!    `α ε ι ο ρ τ υ ν κ`, Armenian, small capitals, `ø ł đ ı`…) become the
//!    Latin letter they imitate; `ß æ œ` are expanded;
//! 5. lower case.
//!
//! [`tokenize`] then splits the units into words and decodes leetspeak inside
//! words (`4→a 3→e 1→i/l 0→o 5→s 7→t 8→b 9→g @→a $→s !→i €→e`). Repeated
//! letters and separators inside words are handled by the matcher
//! ([`crate::lists`]), which needs to know where the words were.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// One folded character and the byte span of the original character that
/// produced it (several units can share a span: `ﬁ` → `f`, `i`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    pub ch: char,
    pub start: usize,
    pub end: usize,
}

/// Stands for a leetspeak character that reads as either `i` or `l` (`1`, `|`).
pub const AMBIG: char = '\u{1}';

/// Stands for `*` in a word-list entry (a wildcard); never produced from a
/// message.
pub const STAR: char = '\u{2}';

/// Where a word sits relative to the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// The first word of the text.
    Start,
    /// 1 to 4 separator characters, none of them a space (`f.u`, `con-nard`).
    Tight,
    /// 1 to 4 separator characters including a space (`f u`, `f . u`).
    Loose,
    /// More than that: an ordinary word boundary.
    Far,
}

/// A word's characters, stored inline when short (most words are) to spare
/// an allocation per word.
#[derive(Clone, PartialEq, Eq)]
pub enum Chars {
    Inline(u8, [char; Chars::INLINE]),
    Heap(Vec<char>),
}

impl Chars {
    const INLINE: usize = 12;
}

impl std::ops::Deref for Chars {
    type Target = [char];
    fn deref(&self) -> &[char] {
        match self {
            Chars::Inline(n, a) => &a[..*n as usize],
            Chars::Heap(v) => v,
        }
    }
}

impl std::fmt::Debug for Chars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.iter().collect::<String>().fmt(f)
    }
}

impl FromIterator<char> for Chars {
    fn from_iter<I: IntoIterator<Item = char>>(iter: I) -> Self {
        let mut out = Chars::Inline(0, ['\0'; Chars::INLINE]);
        for c in iter {
            match &mut out {
                Chars::Inline(n, a) if (*n as usize) < Chars::INLINE => {
                    a[*n as usize] = c;
                    *n += 1;
                }
                Chars::Inline(n, a) => {
                    let mut v = a[..*n as usize].to_vec();
                    v.push(c);
                    out = Chars::Heap(v);
                }
                Chars::Heap(v) => v.push(c),
            }
        }
        out
    }
}

/// A word of the folded text, leetspeak decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The decoded characters (may contain [`AMBIG`]).
    pub chars: Chars,
    /// Index of the first and last unit of the word.
    pub first: usize,
    pub last: usize,
    /// The separator before this word.
    pub gap: Gap,
    /// True when the word had letters or leet symbols, so its digits were
    /// decoded; a bare number (`455`) is not.
    pub decoded: bool,
}

impl Token {
    /// The word with its digits read as leetspeak even when it is a bare
    /// number: used only next to other words (`53nt-14-p1553`, `eat my 455`).
    pub fn leet_chars(&self) -> Vec<char> {
        let mut out = Vec::with_capacity(self.chars.len());
        self.push_leet_chars(&mut out);
        out
    }

    /// Appends [`Token::leet_chars`] to `out`.
    pub fn push_leet_chars(&self, out: &mut Vec<char>) {
        if self.decoded {
            out.extend_from_slice(&self.chars);
        } else {
            out.extend(self.chars.iter().map(|&c| leet_or_same(c)));
        }
    }
}

/// A normalised text: the folded units, the folded string (for regexes and
/// link detection) and the words.
#[derive(Debug, Clone)]
pub struct Normalized {
    pub units: Vec<Unit>,
    /// The units' characters as a string.
    pub folded: String,
    pub tokens: Vec<Token>,
}

impl Normalized {
    /// Normalises a message.
    pub fn new(text: &str) -> Self {
        Self::build(text, false)
    }

    /// Normalises a word-list entry: like a message, except that `*` is kept
    /// as a wildcard ([`STAR`]).
    pub fn pattern(text: &str) -> Self {
        Self::build(text, true)
    }

    fn build(text: &str, pattern: bool) -> Self {
        let mut n = Normalized {
            units: Vec::with_capacity(text.len()),
            folded: String::with_capacity(text.len()),
            tokens: Vec::new(),
        };
        n.fill(text, pattern);
        n
    }

    /// An empty text, whose buffers [`Normalized::renew`] reuses.
    pub fn empty() -> Self {
        Normalized {
            units: Vec::new(),
            folded: String::new(),
            tokens: Vec::new(),
        }
    }

    /// Normalises a message into this value, reusing its buffers: the same
    /// as `*self = Normalized::new(text)`, without allocating once the
    /// buffers are large enough.
    pub fn renew(&mut self, text: &str) {
        self.fill(text, false);
    }

    fn fill(&mut self, text: &str, pattern: bool) {
        self.units.clear();
        self.folded.clear();
        self.units.reserve(text.len());
        self.folded.reserve(text.len());
        fold_into(text, pattern, &mut self.units, &mut self.folded);
        tokenize_into(&self.units, &mut self.tokens);
    }

    /// The original byte span covered by units `first..=last`.
    pub fn span(&self, first: usize, last: usize) -> (usize, usize) {
        (self.units[first].start, self.units[last].end)
    }

    /// The original byte span of tokens `a..=b`.
    pub fn token_span(&self, a: usize, b: usize) -> (usize, usize) {
        self.span(self.tokens[a].first, self.tokens[b].last)
    }

    /// The original byte span of the folded byte range `start..end` (as found
    /// by a regex on [`Normalized::folded`]). `None` for an empty range.
    pub fn folded_span(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if start >= end || self.units.is_empty() {
            return None;
        }
        // The unit at a folded byte offset: the last one starting at or
        // before it (offsets are computed here: spans are rarely needed).
        let (mut first, mut last) = (0, 0);
        let mut offset = 0;
        for (i, u) in self.units.iter().enumerate() {
            if offset <= start {
                first = i;
            }
            if offset < end {
                last = i;
            } else {
                break;
            }
            offset += u.ch.len_utf8();
        }
        Some(self.span(first.min(last), last))
    }
}

/// Folds `text` into units (steps 1 to 5 of the module documentation).
pub fn fold_units(text: &str, pattern: bool) -> Vec<Unit> {
    let mut out = Vec::with_capacity(text.len());
    fold_into(text, pattern, &mut out, &mut String::new());
    out
}

/// The folding of each ASCII character, 0 for those dropped (control
/// characters other than white space).
const ASCII_FOLD: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c == b'`' {
            b'\''
        } else if c.is_ascii_whitespace() {
            b' '
        } else if c.is_ascii_control() {
            0
        } else {
            c.to_ascii_lowercase()
        };
        b += 1;
    }
    t
};

/// Folds `text` into `units` and their characters into `folded`.
fn fold_into(text: &str, pattern: bool, units: &mut Vec<Unit>, folded: &mut String) {
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let b = bytes[start];
        if b < 0x80 {
            // Fast path: ASCII is NFKC-stable and has no marks or look-alikes.
            let ch = if pattern && b == b'*' {
                STAR
            } else {
                match ASCII_FOLD[b as usize] {
                    0 => {
                        start += 1;
                        continue;
                    }
                    f => f as char,
                }
            };
            units.push(Unit {
                ch,
                start,
                end: start + 1,
            });
            folded.push(ch);
            start += 1;
            continue;
        }
        let Some(c) = text[start..].chars().next() else {
            break;
        };
        let end = start + c.len_utf8();
        fold_cached(c, |ch| {
            units.push(Unit { ch, start, end });
            folded.push(ch);
        });
        start = end;
    }
}

/// Characters below this have their folding cached in a table, the others
/// in a map of bounded size.
const TABLE: usize = 0x3000;
/// Most characters above [`TABLE`] whose folding is cached.
const MAP_MAX: usize = 4096;
/// A cached folding that yields nothing.
const EMPTY: u32 = u32::MAX;
/// A cached folding of several characters: the rest is an index in `multi`.
const MULTI: u32 = 1 << 31;

/// Hashes a character by multiplication: enough for a cache of
/// characters.
#[derive(Default)]
struct CharHasher(u64);

impl std::hash::Hasher for CharHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// The folding of non-ASCII characters, computed once per character (it
/// depends on the character alone).
#[derive(Default)]
struct FoldCache {
    table: Vec<u32>,
    map: std::collections::HashMap<char, u32, std::hash::BuildHasherDefault<CharHasher>>,
    multi: Vec<Vec<char>>,
}

impl FoldCache {
    fn encode(&mut self, folded: &[char]) -> u32 {
        match folded {
            [] => EMPTY,
            [c] => *c as u32,
            more => {
                self.multi.push(more.to_vec());
                MULTI | (self.multi.len() - 1) as u32
            }
        }
    }
}

thread_local! {
    static FOLD_CACHE: std::cell::RefCell<FoldCache> = std::cell::RefCell::new(FoldCache::default());
}

/// Calls `emit` with each folded character of the non-ASCII `c`.
fn fold_cached(c: char, mut emit: impl FnMut(char)) {
    FOLD_CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let u = c as usize;
        let code = if u < TABLE {
            if cache.table.is_empty() {
                cache.table = vec![0; TABLE];
            }
            match cache.table[u] {
                0 => {
                    let mut v = Vec::new();
                    fold_char(c, &mut v);
                    let code = cache.encode(&v);
                    cache.table[u] = code;
                    code
                }
                code => code,
            }
        } else {
            match cache.map.get(&c) {
                Some(&code) => code,
                None => {
                    let mut v = Vec::new();
                    fold_char(c, &mut v);
                    if cache.map.len() >= MAP_MAX {
                        v.into_iter().for_each(&mut emit);
                        return;
                    }
                    let code = cache.encode(&v);
                    cache.map.insert(c, code);
                    code
                }
            }
        };
        match code {
            EMPTY => {}
            code if code & MULTI != 0 => {
                cache.multi[(code & !MULTI) as usize]
                    .iter()
                    .for_each(|&ch| emit(ch));
            }
            code => emit(char::from_u32(code).unwrap_or(' ')),
        }
    })
}

/// The folding of one non-ASCII character (steps 1 to 5).
fn fold_char(c: char, out: &mut Vec<char>) {
    if is_invisible(c) {
        return;
    }
    if let Some(p) = pre_nfkc(c) {
        out.push(p);
        return;
    }
    let mut buf = [0u8; 4];
    let s: &str = c.encode_utf8(&mut buf);
    for n in s.nfkc() {
        for d in std::iter::once(n).nfd() {
            if is_combining_mark(d) || is_invisible(d) {
                continue;
            }
            let mapped = confusable(d);
            let mut push = |x: char| {
                for l in x.to_lowercase() {
                    // Lower-casing can reintroduce a mark (`İ` → `i̇`).
                    for m in std::iter::once(l).nfd() {
                        if !is_combining_mark(m) {
                            out.push(if m.is_whitespace() { ' ' } else { m });
                        }
                    }
                }
            };
            match mapped {
                Some(rep) => rep.chars().for_each(&mut push),
                None => push(d),
            }
        }
    }
}

/// Characters mapped before NFKC (NFKC would turn `´` into a space and a
/// combining accent).
fn pre_nfkc(c: char) -> Option<char> {
    match c {
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{00B4}' | '`' | '\u{2032}' => Some('\''),
        c if c.is_whitespace() => Some(' '),
        _ => None,
    }
}

/// Characters that render as nothing (or nearly): removed before matching so
/// they can neither split a word nor hide inside one.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                  // soft hyphen
        | '\u{034F}'                // combining grapheme joiner
        | '\u{061C}'                // Arabic letter mark
        | '\u{115F}' | '\u{1160}'   // Hangul fillers
        | '\u{17B4}' | '\u{17B5}'   // Khmer inherent vowels
        | '\u{180B}'..='\u{180F}'   // Mongolian selectors and vowel separator
        | '\u{200B}'..='\u{200F}'   // zero-width space, (non-)joiner, LRM, RLM
        | '\u{202A}'..='\u{202E}'   // bidi embeddings and overrides
        | '\u{2060}'..='\u{206F}'   // word joiner, invisible operators, bidi isolates
        | '\u{3164}' | '\u{FFA0}'   // Hangul fillers
        | '\u{FE00}'..='\u{FE0F}'   // variation selectors
        | '\u{FEFF}'                // zero-width no-break space (BOM)
        | '\u{FFF9}'..='\u{FFFB}'   // interlinear annotations
        | '\u{E000}'..='\u{F8FF}'   // private use
        | '\u{1BCA0}'..='\u{1BCA3}' // shorthand format controls
        | '\u{1D173}'..='\u{1D17A}' // musical formatting
        | '\u{E0000}'..='\u{E007F}' // tags
        | '\u{E0100}'..='\u{E01EF}' // variation selectors supplement
    ) || (c.is_control() && !c.is_whitespace())
}

/// Letters that imitate a Latin letter, mapped to it. Case-sensitive where
/// the two cases imitate different letters (Greek `Η` looks like `H`, `η`
/// like `n`).
fn confusable(c: char) -> Option<&'static str> {
    const LETTERS: [&str; 26] = [
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r",
        "s", "t", "u", "v", "w", "x", "y", "z",
    ];
    let u = c as u32;
    // Negative circled 🅐, negative squared 🅰 and regional indicators 🇦.
    for base in [0x1F150, 0x1F170, 0x1F1E6] {
        if (base..base + 26).contains(&u) {
            return Some(LETTERS[(u - base) as usize]);
        }
    }
    Some(match c {
        // Cyrillic capitals.
        'А' => "a",
        'В' => "b",
        'Е' | 'Ё' => "e",
        'З' => "3",
        'К' => "k",
        'М' => "m",
        'Н' => "h",
        'О' => "o",
        'Р' => "p",
        'С' => "c",
        'Т' => "t",
        'У' | 'Ү' => "y",
        'Х' => "x",
        'Ѕ' => "s",
        'І' | 'Ӏ' => "i",
        'Ј' => "j",
        'Ԛ' => "q",
        'Ԝ' => "w",
        'Һ' => "h",
        'Ԁ' => "d",
        // Cyrillic small letters.
        'а' => "a",
        'в' | 'ь' => "b",
        'е' | 'ё' => "e",
        'г' => "r",
        'к' => "k",
        'м' => "m",
        'н' => "h",
        'о' => "o",
        'п' => "n",
        'р' => "p",
        'с' => "c",
        'т' => "t",
        'у' | 'ү' => "y",
        'х' => "x",
        'ш' => "w",
        'ѕ' => "s",
        'і' => "i",
        'ј' => "j",
        'ԛ' => "q",
        'ԝ' | 'ѡ' => "w",
        'һ' => "h",
        'ӏ' => "l",
        'ԁ' => "d",
        // Greek capitals.
        'Α' => "a",
        'Β' => "b",
        'Ε' => "e",
        'Ζ' => "z",
        'Η' => "h",
        'Ι' => "i",
        'Κ' => "k",
        'Μ' => "m",
        'Ν' => "n",
        'Ο' => "o",
        'Ρ' => "p",
        'Τ' => "t",
        'Υ' => "y",
        'Χ' => "x",
        'Ϲ' => "c",
        'Ϳ' => "j",
        // Greek small letters.
        'α' => "a",
        'β' => "b",
        'γ' => "y",
        'δ' => "d",
        'ε' => "e",
        'η' => "n",
        'ι' => "i",
        'κ' => "k",
        'μ' => "u",
        'ν' => "v",
        'ο' => "o",
        'π' => "n",
        'ρ' => "p",
        'σ' => "o",
        'τ' => "t",
        'υ' => "u",
        'χ' => "x",
        'ω' => "w",
        // The lunate sigma `ϲ` is a `c`; NFKC makes it a final sigma.
        'ϲ' | 'ς' => "c",
        'ϳ' => "j",
        // Armenian.
        'օ' => "o",
        'ս' => "u",
        'ց' => "g",
        'հ' => "h",
        'ո' => "n",
        // Latin letters without a decomposition, and small capitals.
        'ı' | 'ɩ' | 'ɪ' | 'ɨ' => "i",
        'ɡ' => "g",
        'ȷ' => "j",
        'ɑ' | 'ᴀ' => "a",
        'ʙ' | 'ƀ' => "b",
        'ᴄ' => "c",
        'ᴅ' | 'đ' | 'Đ' | 'ð' => "d",
        'ᴇ' | 'ɇ' => "e",
        'ꜰ' => "f",
        'ɢ' => "g",
        'ʜ' | 'ħ' | 'Ħ' => "h",
        'ᴊ' => "j",
        'ᴋ' => "k",
        'ʟ' | 'ł' | 'Ł' => "l",
        'ᴍ' => "m",
        'ɴ' => "n",
        'ᴏ' | 'ø' | 'Ø' => "o",
        'ᴘ' => "p",
        'ʀ' => "r",
        'ꜱ' => "s",
        'ᴛ' | 'ŧ' => "t",
        'ᴜ' | 'ʉ' => "u",
        'ᴠ' => "v",
        'ᴡ' => "w",
        'ʏ' => "y",
        'ᴢ' => "z",
        'ß' | 'ẞ' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        _ => return None,
    })
}

/// Symbols that stand for a letter inside a word.
#[cfg(test)]
fn is_leet_symbol(c: char) -> bool {
    matches!(c, '@' | '$' | '!' | '|' | '€')
}

/// [`leet`] for ASCII characters, 0 for none.
const ASCII_LEET: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = match leet(b as u8 as char) {
            Some(c) => c as u8,
            None => 0,
        };
        b += 1;
    }
    t
};

/// The letter a leetspeak character stands for, or the character itself.
fn leet_or_same(c: char) -> char {
    if (c as u32) < 128 {
        match ASCII_LEET[c as usize] {
            0 => c,
            l => l as char,
        }
    } else if c == '€' {
        'e'
    } else {
        c
    }
}

/// The letter a leetspeak character stands for, if it is one.
pub const fn leet(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' | '|' => AMBIG,
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        '8' => 'b',
        '9' => 'g',
        '!' => 'i',
        '€' => 'e',
        _ => return None,
    })
}

/// Character classes for the tokeniser.
const WORDISH: u8 = 1;
/// A letter (or the wildcard [`STAR`]).
const LETTER: u8 = 2;
const DIGIT: u8 = 4;
/// `@ $ ! | €`.
const LEET_SYMBOL: u8 = 8;
/// `!` and `|`: punctuation at the ends of a word.
const BANG: u8 = 16;
/// `$` and `€`.
const CURRENCY: u8 = 32;

const ASCII_CLASS: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        let mut k = 0;
        if c.is_ascii_alphabetic() || c == STAR as u8 {
            k |= WORDISH | LETTER;
        }
        if c.is_ascii_digit() {
            k |= WORDISH | DIGIT;
        }
        if matches!(c, b'@' | b'$' | b'!' | b'|') {
            k |= WORDISH | LEET_SYMBOL;
        }
        if matches!(c, b'!' | b'|') {
            k |= BANG;
        }
        if c == b'$' {
            k |= CURRENCY;
        }
        t[b] = k;
        b += 1;
    }
    t
};

/// The classes of a folded character.
fn class(c: char) -> u8 {
    if (c as u32) < 128 {
        return ASCII_CLASS[c as usize];
    }
    if c == '€' {
        return WORDISH | LEET_SYMBOL | CURRENCY;
    }
    let mut k = 0;
    if c.is_alphabetic() {
        k |= WORDISH | LETTER;
    } else if c.is_alphanumeric() {
        k |= WORDISH;
    }
    k
}

fn is_wordish(c: char) -> bool {
    class(c) & WORDISH != 0
}

/// The characters of `units`, read as leetspeak when `decode`.
fn collect_chars(units: &[Unit], decode: bool) -> Chars {
    let map = |c: char| if decode { leet_or_same(c) } else { c };
    if units.len() <= Chars::INLINE {
        let mut a = ['\0'; Chars::INLINE];
        for (slot, u) in a.iter_mut().zip(units) {
            *slot = map(u.ch);
        }
        Chars::Inline(units.len() as u8, a)
    } else {
        Chars::Heap(units.iter().map(|u| map(u.ch)).collect())
    }
}

/// Splits units into words. A word is a run of letters, digits and leet
/// symbols; `!` and `|` at its ends are punctuation. The
/// digits and symbols of a word that has a letter (or a leet symbol and is
/// not a price such as `5$`, `$50`, `90€`) are decoded as leetspeak.
pub fn tokenize(units: &[Unit]) -> Vec<Token> {
    let mut out = Vec::with_capacity(units.len() / 6 + 1);
    tokenize_into(units, &mut out);
    out
}

/// [`tokenize`] into `out`, which is cleared first.
fn tokenize_into(units: &[Unit], out: &mut Vec<Token>) {
    out.clear();
    let n = units.len();
    out.reserve(n / 6 + 1);
    let mut prev_end: Option<usize> = None;
    let mut i = 0;
    while i < n {
        if !is_wordish(units[i].ch) {
            i += 1;
            continue;
        }
        // The run of word characters, and what it holds.
        let (mut any, mut currency, mut digits) = (0u8, 0usize, 0usize);
        let mut j = i;
        while j < n {
            let k = class(units[j].ch);
            if k & WORDISH == 0 {
                break;
            }
            any |= k;
            currency += (k & CURRENCY != 0) as usize;
            digits += (k & DIGIT != 0) as usize;
            j += 1;
        }
        let (mut a, mut b) = (i, j);
        if any & BANG != 0 {
            // `!` and `|` at the ends are punctuation.
            while a < b && class(units[a].ch) & BANG != 0 {
                a += 1;
            }
            while b > a && class(units[b - 1].ch) & BANG != 0 {
                b -= 1;
            }
            (any, currency, digits) = (0, 0, 0);
            for u in &units[a..b] {
                let k = class(u.ch);
                any |= k;
                currency += (k & CURRENCY != 0) as usize;
                digits += (k & DIGIT != 0) as usize;
            }
        }
        if a < b {
            let word = &units[a..b];
            // A price or a plain number with a currency sign: not leetspeak.
            let price = currency <= 1
                && digits + currency == word.len()
                && (currency == 0
                    || class(word[0].ch) & CURRENCY != 0
                    || class(word[word.len() - 1].ch) & CURRENCY != 0);
            let decoded = any & LETTER != 0 || (any & LEET_SYMBOL != 0 && !price);
            let gap = match prev_end {
                None => Gap::Start,
                Some(p) if a - p <= 4 => {
                    if units[p..a].iter().any(|u| u.ch == ' ') {
                        Gap::Loose
                    } else {
                        Gap::Tight
                    }
                }
                Some(_) => Gap::Far,
            };
            if word.len() <= Chars::INLINE {
                // Written in place: a word built on the stack and moved
                // costs more than the rest of the token.
                out.push(Token {
                    chars: Chars::Inline(word.len() as u8, ['\0'; Chars::INLINE]),
                    first: a,
                    last: b - 1,
                    gap,
                    decoded,
                });
                if let Some(Token {
                    chars: Chars::Inline(_, slots),
                    ..
                }) = out.last_mut()
                {
                    for (slot, u) in slots.iter_mut().zip(word) {
                        *slot = if decoded { leet_or_same(u.ch) } else { u.ch };
                    }
                }
            } else {
                out.push(Token {
                    chars: collect_chars(word, decoded),
                    first: a,
                    last: b - 1,
                    gap,
                    decoded,
                });
            }
            prev_end = Some(b);
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // ---- The straightforward implementation the fast one must equal. ----

    fn ref_fold_units(text: &str, pattern: bool) -> Vec<Unit> {
        let mut out = Vec::new();
        for (start, c) in text.char_indices() {
            let end = start + c.len_utf8();
            if pattern && c == '*' {
                out.push(Unit {
                    ch: STAR,
                    start,
                    end,
                });
                continue;
            }
            if c.is_ascii() {
                let ch = match c {
                    '`' => '\'',
                    c if c.is_ascii_whitespace() => ' ',
                    c if c.is_ascii_control() => continue,
                    c => c.to_ascii_lowercase(),
                };
                out.push(Unit { ch, start, end });
                continue;
            }
            let mut v = Vec::new();
            fold_char(c, &mut v);
            out.extend(v.into_iter().map(|ch| Unit { ch, start, end }));
        }
        out
    }

    fn ref_is_price(chars: &[char]) -> bool {
        let symbols = chars.iter().filter(|c| matches!(c, '$' | '€')).count();
        let digits = chars.iter().filter(|c| c.is_ascii_digit()).count();
        symbols <= 1
            && digits + symbols == chars.len()
            && (symbols == 0
                || matches!(chars[0], '$' | '€')
                || matches!(chars[chars.len() - 1], '$' | '€'))
    }

    fn ref_tokenize(units: &[Unit]) -> Vec<Token> {
        let wordish = |c: char| c.is_alphanumeric() || is_leet_symbol(c) || c == STAR;
        let mut out: Vec<Token> = Vec::new();
        let mut prev_end: Option<usize> = None;
        let mut i = 0;
        while i < units.len() {
            if !wordish(units[i].ch) {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < units.len() && wordish(units[j].ch) {
                j += 1;
            }
            let (mut a, mut b) = (i, j);
            while a < b && matches!(units[a].ch, '!' | '|') {
                a += 1;
            }
            while b > a && matches!(units[b - 1].ch, '!' | '|') {
                b -= 1;
            }
            if a < b {
                let raw: Chars = units[a..b].iter().map(|u| u.ch).collect();
                let has_letter = raw.iter().any(|c| c.is_alphabetic() || *c == STAR);
                let has_symbol = raw.iter().any(|c| is_leet_symbol(*c));
                let decoded = has_letter || (has_symbol && !ref_is_price(&raw));
                let chars = if decoded {
                    raw.iter().map(|&c| leet(c).unwrap_or(c)).collect()
                } else {
                    raw
                };
                let gap = match prev_end {
                    None => Gap::Start,
                    Some(p) => {
                        let between = &units[p..a];
                        let spaced = between.iter().any(|u| u.ch == ' ');
                        match (between.len() <= 4, spaced) {
                            (true, false) => Gap::Tight,
                            (true, true) => Gap::Loose,
                            _ => Gap::Far,
                        }
                    }
                };
                out.push(Token {
                    chars,
                    first: a,
                    last: b - 1,
                    gap,
                    decoded,
                });
                prev_end = Some(b);
            }
            i = j;
        }
        out
    }

    fn ref_folded_span(n: &Normalized, start: usize, end: usize) -> Option<(usize, usize)> {
        if start >= end || n.units.is_empty() {
            return None;
        }
        let mut offsets = Vec::new();
        let mut len = 0;
        for u in &n.units {
            offsets.push(len);
            len += u.ch.len_utf8();
        }
        offsets.push(len);
        let first = offsets.partition_point(|&o| o <= start).saturating_sub(1);
        let last = offsets.partition_point(|&o| o < end).saturating_sub(1);
        let last = last.min(n.units.len() - 1);
        Some(n.span(first.min(last), last))
    }

    /// Texts with every kind of character the normaliser treats specially.
    fn samples() -> Vec<String> {
        let pieces = [
            "a",
            "B",
            "z",
            "0",
            "1",
            "3",
            "4",
            "5",
            "7",
            "9",
            "@",
            "$",
            "!",
            "|",
            "€",
            "*",
            "`",
            "'",
            " ",
            "  ",
            "\t",
            "\n",
            "\u{7}",
            ".",
            "-",
            "_",
            ",",
            "é",
            "É",
            "ç",
            "œ",
            "Æ",
            "ß",
            "ﬁ",
            "ｆ",
            "𝐟",
            "𝑓",
            "ⓕ",
            "🅐",
            "🇦",
            "а",
            "е",
            "о",
            "Η",
            "η",
            "ι",
            "İ",
            "ı",
            "ø",
            "\u{200b}",
            "\u{200d}",
            "\u{00ad}",
            "\u{feff}",
            "\u{202e}",
            "\u{fe0f}",
            "\u{e0041}",
            "\u{301}",
            "\u{336}",
            "\u{a0}",
            "\u{202f}",
            "\u{3000}",
            "’",
            "´",
            "½",
            "²",
            "Ⅻ",
            "㎏",
            "😊",
            "🖕",
            "🏻",
            "中",
            "한",
            "ᄀ",
            "\u{1160}",
            "\u{e000}",
            "$5",
            "5$",
            "90€",
            "x",
        ];
        let mut out: Vec<String> = pieces.iter().map(|p| p.to_string()).collect();
        let mut x: u64 = 0x1234_5678;
        for _ in 0..20_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (x >> 58) as usize;
            let mut s = String::new();
            let mut y = x;
            for _ in 0..len {
                y = y
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                s.push_str(pieces[(y >> 33) as usize % pieces.len()]);
            }
            out.push(s);
        }
        // Every character below U+3000 once, and some far above.
        let all: String = (0x80u32..0x3000)
            .chain(0x1D400..0x1D500)
            .chain(0x1F100..0x1F700)
            .filter_map(char::from_u32)
            .collect();
        out.push(all.clone());
        out.push(all.chars().rev().collect());
        out
    }

    #[test]
    fn leet_table_equals_leet() {
        for c in (0u32..0x3000).filter_map(char::from_u32) {
            assert_eq!(leet_or_same(c), leet(c).unwrap_or(c), "{c:?}");
        }
    }

    #[test]
    fn fast_normalisation_equals_the_reference() {
        for text in samples() {
            for pattern in [false, true] {
                let n = Normalized::build(&text, pattern);
                let units = ref_fold_units(&text, pattern);
                assert_eq!(n.units, units, "{text:?}");
                let folded: String = units.iter().map(|u| u.ch).collect();
                assert_eq!(n.folded, folded, "{text:?}");
                assert_eq!(n.tokens, ref_tokenize(&units), "{text:?}");
                for (s, e) in [(0, 1), (0, 3), (1, 2), (2, 9), (5, 6), (0, 1000), (7, 1000)] {
                    assert_eq!(n.folded_span(s, e), ref_folded_span(&n, s, e), "{text:?}");
                }
            }
        }
    }

    fn folded(text: &str) -> String {
        Normalized::new(text).folded
    }

    fn words(text: &str) -> Vec<String> {
        Normalized::new(text)
            .tokens
            .iter()
            .map(|t| {
                t.chars
                    .iter()
                    .map(|&c| if c == AMBIG { '1' } else { c })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn nfkc_case_and_accents() {
        assert_eq!(folded("Ça m’ÉNERVE"), "ca m'enerve");
        assert_eq!(folded("ｆｕｃｋ"), "fuck");
        assert_eq!(folded("𝐟𝐮𝐜𝐤 𝑓𝑢𝑐𝑘 𝒇𝒖𝒄𝒌"), "fuck fuck fuck");
        assert_eq!(folded("ⓕⓤⓒⓚ"), "fuck");
        assert_eq!(folded("ﬁn"), "fin");
    }

    #[test]
    fn combining_marks_are_stripped() {
        assert_eq!(folded("f\u{301}u\u{308}c\u{327}k"), "fuck");
        assert_eq!(folded("z\u{336}\u{35b}a\u{334}l\u{338}g\u{335}o"), "zalgo");
    }

    #[test]
    fn invisible_characters_are_removed() {
        assert_eq!(folded("f\u{200b}u\u{200d}c\u{00ad}k\u{feff}"), "fuck");
        assert_eq!(folded("c\u{2060}o\u{200c}n"), "con");
        assert_eq!(words("con\u{200b}nard"), vec!["connard"]);
    }

    #[test]
    fn homoglyphs_fold_to_latin() {
        // Cyrillic а е о р с х у і ѕ.
        assert_eq!(folded("\u{0441}\u{043E}nn\u{0430}rd"), "connard");
        assert_eq!(folded("\u{0455}\u{0430}l\u{043E}p\u{0435}"), "salope");
        // Greek.
        assert_eq!(folded("\u{03B9}d\u{03B9}\u{03BF}\u{03C4}"), "idiot");
        assert_eq!(folded("\u{0397}\u{0395}LL"), "hell");
        // Small capitals and stroked letters.
        assert_eq!(folded("ꜱʜɪᴛ"), "shit");
        assert_eq!(folded("søur"), "sour");
        assert_eq!(folded("🅵🆄🅲🅺 🅕🅤🅒🅚 🇫🇺🇨🇰"), "fuck fuck fuck");
    }

    #[test]
    fn leetspeak_inside_words_only() {
        assert_eq!(words("c0nn4rd"), vec!["connard"]);
        assert_eq!(words("$h1t"), vec!["sh1t"]);
        assert_eq!(words("b!tch"), vec!["bitch"]);
        assert_eq!(words("@ss"), vec!["ass"]);
        assert_eq!(words("m€rde"), vec!["merde"]);
        // Numbers and prices stay numbers; punctuation stays punctuation.
        assert_eq!(
            words("455 ou 5$ ou $50 ou 90€"),
            vec!["455", "ou", "5$", "ou", "$50", "ou", "90€"]
        );
        assert_eq!(words("putain! merci!!"), vec!["putain", "merci"]);
        assert_eq!(words("@Julien"), vec!["ajulien"]);
        assert_eq!(words("t@ dvd@"), vec!["ta", "dvda"]);
    }

    #[test]
    fn gaps_between_words() {
        let n = Normalized::new("f.u c  k, hello");
        let gaps: Vec<Gap> = n.tokens.iter().map(|t| t.gap).collect();
        assert_eq!(
            gaps,
            vec![Gap::Start, Gap::Tight, Gap::Loose, Gap::Loose, Gap::Loose]
        );
        let n = Normalized::new("a --- b ..... c");
        let gaps: Vec<Gap> = n.tokens.iter().map(|t| t.gap).collect();
        assert_eq!(gaps, vec![Gap::Start, Gap::Far, Gap::Far]);
    }

    #[test]
    fn spans_map_back_to_the_original_text() {
        let text = "Tu es un ｃ０ｎｎａｒｄ\u{200b}, voilà";
        let n = Normalized::new(text);
        let t = &n.tokens[3];
        let (s, e) = n.token_span(3, 3);
        assert_eq!(t.chars.iter().collect::<String>(), "connard");
        assert_eq!(&text[s..e], "ｃ０ｎｎａｒｄ");
        let pos = n.folded.find("voila").unwrap();
        let (s, e) = n.folded_span(pos, pos + 5).unwrap();
        assert_eq!(&text[s..e], "voilà");
    }

    #[test]
    fn patterns_keep_wildcards() {
        let n = Normalized::pattern("*fuck*");
        assert_eq!(n.tokens.len(), 1);
        assert_eq!(
            n.tokens[0].chars.to_vec(),
            vec![STAR, 'f', 'u', 'c', 'k', STAR]
        );
        let long: Chars = "abcdefghijklmnopq".chars().collect();
        assert_eq!(long.len(), 17);
        assert_eq!(long[16], 'q');
    }
}
