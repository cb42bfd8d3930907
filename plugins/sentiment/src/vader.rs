//! VADER (Hutto & Gilbert, ICWSM 2014), ported from vaderSentiment 3.3.2,
//! plus the tokeniser and the scoring steps that the French rules share.
//!
//! The English rules are those of `SentimentIntensityAnalyzer.polarity_scores`:
//! the booster/dampener dictionary (0.293, damped by 0.95 and 0.9 two and three
//! words away), the negation list and "n't" (× -0.74, up to three words
//! back), "no" before a lexicon word, "never so/this", "without doubt",
//! "least", "kind of", the special-case idioms, ALL-CAPS emphasis when only
//! some words are capitalised (0.733), the contrastive "but" (× 0.5 before,
//! × 1.5 after), `!` (0.292 each, up to 4) and `??`/`???` amplification, and
//! the normalisation x / sqrt(x² + 15). Where the Python code has a plain bug
//! the port does what the code means; each such place says "fix:".

use crate::lexicon::{flag, fw, word_hash, Lex, Lexicons, Word};

/// Empirical increase of a booster word (vaderSentiment `B_INCR`).
pub const B_INCR: f64 = 0.293;
/// Empirical decrease of a dampener word (vaderSentiment `B_DECR`).
pub const B_DECR: f64 = -0.293;
/// Empirical increase of an ALL-CAPS word among lower-case ones.
pub const C_INCR: f64 = 0.733;
/// Negation scalar.
pub const N_SCALAR: f64 = -0.74;

pub(crate) const NEGATE: &[&str] = &[
    "aint",
    "arent",
    "cannot",
    "cant",
    "couldnt",
    "darent",
    "didnt",
    "doesnt",
    "ain't",
    "aren't",
    "can't",
    "couldn't",
    "daren't",
    "didn't",
    "doesn't",
    "dont",
    "hadnt",
    "hasnt",
    "havent",
    "isnt",
    "mightnt",
    "mustnt",
    "neither",
    "don't",
    "hadn't",
    "hasn't",
    "haven't",
    "isn't",
    "mightn't",
    "mustn't",
    "neednt",
    "needn't",
    "never",
    "none",
    "nope",
    "nor",
    "not",
    "nothing",
    "nowhere",
    "oughtnt",
    "shant",
    "shouldnt",
    "uhuh",
    "wasnt",
    "werent",
    "oughtn't",
    "shan't",
    "shouldn't",
    "uh-uh",
    "wasn't",
    "weren't",
    "without",
    "wont",
    "wouldnt",
    "won't",
    "wouldn't",
    "rarely",
    "seldom",
    "despite",
];

pub(crate) const BOOST_UP: &[&str] = &[
    "absolutely",
    "amazingly",
    "awfully",
    "completely",
    "considerable",
    "considerably",
    "decidedly",
    "deeply",
    "effing",
    "enormous",
    "enormously",
    "entirely",
    "especially",
    "exceptional",
    "exceptionally",
    "extreme",
    "extremely",
    "fabulously",
    "flipping",
    "flippin",
    "frackin",
    "fracking",
    "fricking",
    "frickin",
    "frigging",
    "friggin",
    "fully",
    "fuckin",
    "fucking",
    "fuggin",
    "fugging",
    "greatly",
    "hella",
    "highly",
    "hugely",
    "incredible",
    "incredibly",
    "intensely",
    "major",
    "majorly",
    "more",
    "most",
    "particularly",
    "purely",
    "quite",
    "really",
    "remarkably",
    "so",
    "substantially",
    "thoroughly",
    "total",
    "totally",
    "tremendous",
    "tremendously",
    "uber",
    "unbelievably",
    "unusually",
    "utter",
    "utterly",
    "very",
];

pub(crate) const BOOST_DOWN: &[&str] = &[
    "almost",
    "barely",
    "hardly",
    "kinda",
    "kindof",
    "kind-of",
    "less",
    "little",
    "marginal",
    "marginally",
    "occasional",
    "occasionally",
    "partly",
    "scarce",
    "scarcely",
    "slight",
    "slightly",
    "somewhat",
    "sorta",
    "sortof",
    "sort-of",
];

/// The two-word dampeners of the booster dictionary.
const BOOST_DOWN_BIGRAMS: &[[&str; 2]] = &[["just", "enough"], ["kind", "of"], ["sort", "of"]];

/// vaderSentiment `SPECIAL_CASES`: idioms whose valence replaces the word's.
const SPECIAL_CASES: &[(&[&str], f64)] = &[
    (&["the", "shit"], 3.0),
    (&["the", "bomb"], 3.0),
    (&["bad", "ass"], 1.5),
    (&["badass"], 1.5),
    (&["bus", "stop"], 0.0),
    (&["yeah", "right"], -2.0),
    (&["kiss", "of", "death"], -1.5),
    (&["to", "die", "for"], 3.0),
    (&["beating", "heart"], 3.5),
];

/// Token `i` is one of the first words of [`SPECIAL_CASES`] and
/// [`BOOST_DOWN_BIGRAMS`]: an idiom can only start on one of them.
#[inline]
fn idiom_start_en(t: View, i: usize) -> bool {
    matches!(t.code(i), fw::IDIOM | fw::KIND)
}

/// The booster scalar of token `j`, if it is in the booster dictionary.
#[inline]
fn booster_en(t: View, j: usize) -> Option<f64> {
    let w = t.info(j);
    if w.flags & flag::EN_UP != 0 {
        Some(B_INCR)
    } else if w.flags & flag::EN_DOWN != 0 {
        Some(B_DECR)
    } else {
        None
    }
}

/// vaderSentiment `negated` for token `k`: a negation word or a "n't" form.
#[inline]
fn negated_en(t: View, k: usize) -> bool {
    t.info(k).flags & flag::EN_NEGATE != 0 || t.word(k).contains("n't")
}

// ---------------------------------------------------------------------------
// Tokens

/// A token: its span in the folded buffer, its vocabulary entry (looked up
/// once), and its flags.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok {
    start: u32,
    end: u32,
    /// [`word_hash`] of the word.
    hash: u64,
    /// The vocabulary's entry (no flags when the word is unknown).
    word: Word,
    emoji: Option<f64>,
    upper: bool,
    has_upper: bool,
    has_lower: bool,
    /// The word has an apostrophe (`don't`, `c'est`).
    apostrophe: bool,
    /// Clause punctuation (`,` `.` `;` `!` `?` …) or a new line stands
    /// between this token and the previous one.
    brk: bool,
    /// In the tokens with elisions split: the rest of a word whose elided
    /// head (`l'`, `c'`) is the previous token. (While the whole words are
    /// built: the span has changed.)
    joined: bool,
}

/// The words and emoticons of a text, folded, with their ALL-CAPS flag,
/// read once for both views: with French elisions split (`l'appli` → `l`,
/// `appli`) and without (`l'appli`), see [`Tokens::view`].
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    /// The folded words; an elided head is followed by its apostrophe, so
    /// that the whole word is one span too.
    buf: String,
    /// Elisions split.
    split: Vec<Tok>,
    /// Whole words, when some elision was split (else `split` serves).
    whole: Vec<Tok>,
    joins: bool,
    /// `!` and `?` in the text (full-width ones too).
    exclamations: usize,
    questions: usize,
}

impl Tokens {
    /// [`punctuation_emphasis`] of the text.
    pub fn emphasis(&self) -> f64 {
        emphasis(self.exclamations, self.questions)
    }

    /// The tokens with French elisions split (`split_elisions`) or not.
    pub fn view(&self, split_elisions: bool) -> View<'_> {
        let toks = if split_elisions || !self.joins {
            &self.split
        } else {
            &self.whole
        };
        View {
            buf: &self.buf,
            toks,
        }
    }
}

/// The tokens of a text as the rules of one language read them.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    buf: &'a str,
    toks: &'a [Tok],
}

/// The entry of a word the vocabulary does not know.
static NO_WORD: Word = Word {
    en: 0.0,
    fr: 0.0,
    flags: 0,
    code: 0,
};

impl<'a> View<'a> {
    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.toks.len()
    }
    /// True when there is no token.
    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }
    /// The folded token `i` ("" past the end).
    #[inline]
    pub fn word(&self, i: usize) -> &'a str {
        self.toks
            .get(i)
            .map_or("", |t| &self.buf[t.start as usize..t.end as usize])
    }
    /// The vocabulary's entry of token `i` (no flags when unknown or past
    /// the end).
    #[inline]
    pub fn info(&self, i: usize) -> &'a Word {
        self.toks.get(i).map_or(&NO_WORD, |t| &t.word)
    }
    /// The [`fw`] code of token `i` (0 for other words and past the end).
    #[inline]
    pub fn code(&self, i: usize) -> u8 {
        self.info(i).code
    }
    /// True when token `i` has an apostrophe (`'`; the others are read as
    /// it).
    #[inline]
    pub fn apostrophe(&self, i: usize) -> bool {
        self.toks[i].apostrophe
    }
    /// True when token `i` was written in capitals (Python's `str.isupper`).
    #[inline]
    pub fn upper(&self, i: usize) -> bool {
        self.toks[i].upper
    }
    /// True when clause punctuation or a line break stands right before
    /// token `i` (false past the end).
    #[inline]
    pub fn breaks_before(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| t.brk)
    }
    /// The valence of token `i` if it is an emoji (0 for emoji without one).
    #[inline]
    pub fn emoji(&self, i: usize) -> Option<f64> {
        self.toks[i].emoji
    }
    /// vaderSentiment `allcap_differential`: some, but not all, tokens are
    /// ALL CAPS.
    pub fn cap_differential(&self) -> bool {
        let caps = self.toks.iter().filter(|t| t.upper).count();
        caps > 0 && caps < self.toks.len()
    }
    /// The index of the first token equal to `word`.
    pub fn position(&self, word: &str) -> Option<usize> {
        (0..self.len()).find(|&i| self.word(i) == word)
    }
    /// True when the tokens from `at` read `phrase`.
    #[inline]
    pub fn matches(&self, at: usize, phrase: &[&str]) -> bool {
        at + phrase.len() <= self.len()
            && phrase
                .iter()
                .enumerate()
                .all(|(k, w)| self.word(at + k) == *w)
    }
    /// The valence in `lex` of each token, into `out`.
    pub fn valences(&self, lex: Lex, out: &mut Vec<Option<f64>>) {
        out.clear();
        out.extend(self.toks.iter().map(|t| {
            lex.get_with(
                &self.buf[t.start as usize..t.end as usize],
                t.hash,
                Some(&t.word),
            )
        }));
    }
    /// True when token `i` has a valence in `lex`.
    pub fn has(&self, lex: Lex, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| {
            lex.get_with(
                &self.buf[t.start as usize..t.end as usize],
                t.hash,
                Some(&t.word),
            )
            .is_some()
        })
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{00B4}' | '`'
    )
}

/// Emoji modifiers and joiners: dropped.
fn is_emoji_glue(c: char) -> bool {
    matches!(
        c as u32,
        0xFE0E | 0xFE0F | 0x200D | 0x20E3 | 0x1F3FB..=0x1F3FF
    )
}

fn is_pictograph(c: char) -> bool {
    matches!(c as u32, 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x2300..=0x23FF)
}

/// `char::is_alphanumeric`, without the Unicode tables for Latin-1 and
/// Latin Extended-A (French text).
#[inline]
fn is_alnum(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphanumeric(),
        0xAA | 0xB2 | 0xB3 | 0xB5 | 0xB9 | 0xBA | 0xBC..=0xBE => true,
        0xD7 | 0xF7 => false,
        0xC0..=0x17F => true,
        0x80..=0xBF => false,
        _ => c.is_alphanumeric(),
    }
}

/// Appends `c` folded: lower case, accents removed, `œ` → `oe` (the same
/// folding as vigie-text, with a fast path for Latin-1).
#[inline]
pub fn push_folded(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    let plain = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => 'y',
        'œ' | 'Œ' => return out.push_str("oe"),
        'æ' | 'Æ' => return out.push_str("ae"),
        _ => {
            let mut tmp = [0u8; 4];
            return out.push_str(&vigie_text::fold(c.encode_utf8(&mut tmp)));
        }
    };
    out.push(plain);
}

/// Folds a whole word with [`push_folded`].
pub fn fold_word(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    word.chars().for_each(|c| push_folded(c, &mut out));
    out
}

/// "f.u.c.k", "w.t.f": single letters joined by dots, read as one word.
fn dotted_letters(chunk: &str) -> bool {
    let chunk = chunk.trim_end_matches(|c: char| c.is_ascii_punctuation());
    let mut letters = 0;
    for part in chunk.split('.') {
        let mut chars = part.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_alphanumeric() => letters += 1,
            _ => return false,
        }
    }
    letters >= 3
}

/// Leetspeak inside a word (`c0nnard`, `bullsh1t`): when every digit of the
/// word at `buf[start..]` stands between two letters, the digits become the
/// letters they imitate. `mp3`, `4g` or `2x` are left alone.
fn unleet(buf: &mut String, start: usize) {
    let word = &buf.as_bytes()[start..];
    if !word.iter().any(u8::is_ascii_digit) {
        return;
    }
    let letter = |k: usize| {
        word.get(k)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c >= 0x80)
    };
    let all_inside = (0..word.len())
        .filter(|&k| word[k].is_ascii_digit())
        .all(|k| k > 0 && letter(k - 1) && letter(k + 1) && b"013457".contains(&word[k]));
    if all_inside {
        let fixed: String = buf[start..]
            .chars()
            .map(|c| match c {
                '0' => 'o',
                '1' => 'i',
                '3' => 'e',
                '4' => 'a',
                '5' => 's',
                '7' => 't',
                c => c,
            })
            .collect();
        buf.truncate(start);
        buf.push_str(&fixed);
    }
}

struct Builder<'t> {
    out: &'t mut Tokens,
    lexicons: &'t Lexicons,
    start: usize,
    has_upper: bool,
    has_lower: bool,
    /// The open token has an ASCII digit (leetspeak is looked for).
    has_digit: bool,
    /// The open token has an apostrophe.
    has_apostrophe: bool,
    pending_break: bool,
    /// The next token is the rest of a word whose elided head was split.
    joined_next: bool,
}

impl Builder<'_> {
    #[inline]
    fn open(&self) -> bool {
        self.out.buf.len() > self.start
    }
    #[inline]
    fn push_char(&mut self, c: char) {
        if c.is_ascii() {
            self.has_upper |= c.is_ascii_uppercase();
            self.has_lower |= c.is_ascii_lowercase();
            self.has_digit |= c.is_ascii_digit();
            self.has_apostrophe |= c == '\'';
            self.out.buf.push(c.to_ascii_lowercase());
        } else {
            self.has_upper |= c.is_uppercase();
            self.has_lower |= c.is_lowercase();
            // Folding can give an apostrophe (`ʼ`, a letter, gives `'`).
            let at = self.out.buf.len();
            push_folded(c, &mut self.out.buf);
            self.has_apostrophe |= self.out.buf.as_bytes()[at..].contains(&b'\'');
        }
    }
    /// Ends the token `buf[start..]` (looked up in the vocabulary).
    fn push_tok(&mut self, emoji: Option<f64>) {
        let word = &self.out.buf.as_bytes()[self.start..];
        let hash = word_hash(word);
        let info = self.lexicons.words.get_bytes(word, hash);
        self.out.split.push(Tok {
            start: self.start as u32,
            end: self.out.buf.len() as u32,
            hash,
            word: info.copied().unwrap_or_default(),
            emoji,
            upper: self.has_upper && !self.has_lower,
            has_upper: self.has_upper,
            has_lower: self.has_lower,
            apostrophe: self.has_apostrophe,
            brk: self.pending_break,
            joined: std::mem::take(&mut self.joined_next),
        });
        self.pending_break = false;
    }
    fn flush(&mut self) {
        if self.open() {
            if self.has_digit {
                unleet(&mut self.out.buf, self.start);
            }
            self.push_tok(None);
        }
        self.start = self.out.buf.len();
        self.has_upper = false;
        self.has_lower = false;
        self.has_digit = false;
        self.has_apostrophe = false;
    }
    fn push_whole(&mut self, text: &str, emoji: Option<f64>) {
        self.flush();
        for c in text.chars() {
            if emoji.is_some() {
                self.out.buf.push(c);
            } else {
                self.push_char(c);
            }
        }
        self.push_tok(emoji);
        self.start = self.out.buf.len();
        self.has_upper = false;
        self.has_lower = false;
        self.has_digit = false;
        self.has_apostrophe = false;
    }
}

/// True when the ASCII `chunk` (not only letters and digits), in lower
/// case, is an entry of VADER's lexicon (emoticons such as `:)`, `<3`,
/// `:-(`).
fn emoticon(chunk: &str, lexicons: &Lexicons) -> bool {
    let mut small = [0u8; 32];
    let large;
    let lower: &[u8] = if chunk.len() <= small.len() {
        let small = &mut small[..chunk.len()];
        small.copy_from_slice(chunk.as_bytes());
        small.make_ascii_lowercase();
        small
    } else {
        large = chunk.to_ascii_lowercase();
        large.as_bytes()
    };
    lexicons
        .emoticons
        .get_bytes(lower, word_hash(lower))
        .is_some()
}

/// `char::is_whitespace` for an ASCII byte: tab, line feed, vertical tab,
/// form feed, carriage return and space.
#[inline]
const fn ascii_space(b: u8) -> bool {
    const SPACES: u64 = 0b11111 << 9 | 1 << 32;
    b <= b' ' && SPACES & (1 << b) != 0
}

/// Classes of bytes, for the tokeniser's loops: ASCII white space.
const SPACE: u8 = 1;
/// ASCII, neither a letter, a digit nor white space.
const PUNCT: u8 = 2;
/// `A`..`Z`.
const UPPER: u8 = 4;
/// `a`..`z`.
const LOWER: u8 = 8;
/// `0`..`9`.
const DIGIT: u8 = 16;
/// `.`.
const DOT: u8 = 32;
/// `!` or `?`.
const MARK: u8 = 64;
/// Not ASCII (part of a longer character).
const HIGH: u8 = 128;

/// The class of each byte.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c >= 0x80 {
            HIGH
        } else if ascii_space(c) {
            SPACE
        } else if c.is_ascii_uppercase() {
            UPPER
        } else if c.is_ascii_lowercase() {
            LOWER
        } else if c.is_ascii_digit() {
            DIGIT
        } else if c == b'.' {
            PUNCT | DOT
        } else if c == b'!' || c == b'?' {
            PUNCT | MARK
        } else {
            PUNCT
        };
        b += 1;
    }
    t
};

#[inline]
fn class(b: u8) -> u8 {
    CLASS[b as usize]
}

/// The character starting at byte `at` of `text`.
#[inline]
fn char_at(text: &str, at: usize) -> char {
    text[at..].chars().next().unwrap_or(' ')
}

/// Splits `text` into words, emoticons and emoji.
///
/// Like vaderSentiment it splits on white space and keeps emoticons (`:)`,
/// `<3`, `:-(`) and contractions (`don't`); unlike it, it also strips the
/// punctuation off short words (`ok,`), splits words glued by punctuation
/// (`minutes.MAJOR`), reads `f.u.c.k` as one word and makes each emoji a token
/// carrying its valence (vaderSentiment pastes the emoji's English
/// description into the text). [`Tokens::view`] gives the tokens with French
/// elisions split (`l'appli` gives `l` and `appli`) or not.
pub fn tokenize(text: &str, lexicons: &Lexicons) -> Tokens {
    let mut out = Tokens::default();
    tokenize_into(text, lexicons, &mut out);
    out
}

/// [`tokenize`] into `out`, reusing its buffers.
pub fn tokenize_into(text: &str, lexicons: &Lexicons, out: &mut Tokens) {
    out.buf.clear();
    out.buf.reserve(text.len() + 8);
    out.split.clear();
    out.whole.clear();
    out.joins = false;
    let bytes = text.as_bytes();
    let (mut exclamations, mut questions) = (0, 0);
    let mut b = Builder {
        out,
        lexicons,
        start: 0,
        has_upper: false,
        has_lower: false,
        has_digit: false,
        has_apostrophe: false,
        pending_break: false,
        joined_next: false,
    };
    let mut i = 0;
    let mut newline = false;
    // The chunks between white space, as `str::split_whitespace`.
    while i < bytes.len() {
        let c = bytes[i];
        if c < 0x80 {
            if ascii_space(c) {
                newline |= c == b'\n';
                i += 1;
                continue;
            }
        } else {
            let c = char_at(text, i);
            if c.is_whitespace() {
                i += c.len_utf8();
                continue;
            }
        }
        // The chunk, and the classes of its bytes.
        let start = i;
        let mut classes = 0;
        loop {
            while i < bytes.len() {
                let k = class(bytes[i]);
                if k & (SPACE | HIGH) != 0 {
                    break;
                }
                classes |= k;
                i += 1;
            }
            if i >= bytes.len() || bytes[i] < 0x80 {
                break;
            }
            let c = char_at(text, i);
            if c.is_whitespace() {
                break;
            }
            classes |= HIGH;
            exclamations += (c == '！') as usize;
            questions += (c == '？') as usize;
            i += c.len_utf8();
        }
        if newline {
            b.pending_break = true;
            newline = false;
        }
        let chunk = &text[start..i];
        if classes & (PUNCT | HIGH) == 0 {
            // Only ASCII letters and digits (most chunks): one token, as
            // `word_chars` would make it, without reading the chunk again.
            b.has_upper = classes & UPPER != 0;
            b.has_lower = classes & LOWER != 0;
            b.has_digit = classes & DIGIT != 0;
            b.out
                .buf
                .extend(chunk.bytes().map(|c| char::from(c.to_ascii_lowercase())));
            b.flush();
            continue;
        }
        if classes & MARK != 0 {
            // `!` and `?` bytes never occur inside a longer character.
            exclamations += chunk.bytes().filter(|&c| c == b'!').count();
            questions += chunk.bytes().filter(|&c| c == b'?').count();
        }
        if classes & (HIGH | PUNCT) == PUNCT && emoticon(chunk, lexicons) {
            b.push_whole(chunk, None);
            continue;
        }
        if classes & DOT != 0 && dotted_letters(chunk) {
            b.flush();
            for c in chunk.chars().filter(|c| c.is_alphanumeric()) {
                b.push_char(c);
            }
            b.flush();
            continue;
        }
        word_chars(&mut b, chunk);
        b.flush();
    }
    out.exclamations = exclamations;
    out.questions = questions;
    if out.joins {
        whole_words(out, lexicons);
    }
}

/// The characters of a chunk: words, elisions, emoji and punctuation.
fn word_chars(b: &mut Builder, chunk: &str) {
    let bytes = chunk.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if class(bytes[i]) & (SPACE | PUNCT | HIGH) == 0 {
            // A run of ASCII letters and digits, copied at once.
            let (run, mut classes) = (i, 0);
            while i < bytes.len() {
                let k = class(bytes[i]);
                if k & (SPACE | PUNCT | HIGH) != 0 {
                    break;
                }
                classes |= k;
                i += 1;
            }
            b.has_upper |= classes & UPPER != 0;
            b.has_lower |= classes & LOWER != 0;
            b.has_digit |= classes & DIGIT != 0;
            b.out.buf.extend(
                bytes[run..i]
                    .iter()
                    .map(|c| char::from(c.to_ascii_lowercase())),
            );
            continue;
        }
        let c = char_at(chunk, i);
        i += c.len_utf8();
        if is_alnum(c) {
            b.push_char(c);
            continue;
        }
        let next_alnum = i < bytes.len() && is_alnum(char_at(chunk, i));
        if is_apostrophe(c) && b.open() && next_alnum {
            let word = &b.out.buf[b.start..];
            if vigie_text::ELISIONS.contains(&word) {
                // The head is a token of its own when elisions are split;
                // the apostrophe stays in the buffer, between the two
                // spans, for the whole word.
                b.flush();
                b.out.buf.push('\'');
                b.start = b.out.buf.len();
                b.joined_next = true;
                b.out.joins = true;
            } else {
                b.out.buf.push('\'');
                b.has_apostrophe = true;
            }
        } else if c == '-' && b.open() && next_alnum {
            b.out.buf.push('-');
        } else if is_emoji_glue(c) {
            continue;
        } else if let Some(v) = b.lexicons.emoji(c) {
            let mut tmp = [0u8; 4];
            b.push_whole(c.encode_utf8(&mut tmp), Some(v));
        } else if is_pictograph(c) {
            let mut tmp = [0u8; 4];
            b.push_whole(c.encode_utf8(&mut tmp), Some(0.0));
        } else {
            b.flush();
            if is_clause_break(c) {
                b.pending_break = true;
            }
        }
    }
}

/// The whole words: each elided head glued back to the rest of its word
/// (`c` `est` → `c'est`, upper case when all its letters are).
fn whole_words(out: &mut Tokens, lexicons: &Lexicons) {
    for t in &out.split {
        match out.whole.last_mut() {
            Some(w) if t.joined => {
                w.end = t.end;
                w.has_upper |= t.has_upper;
                w.has_lower |= t.has_lower;
                w.upper = w.has_upper && !w.has_lower;
                w.apostrophe = true;
                w.joined = true;
            }
            _ => out.whole.push(Tok {
                joined: false,
                ..*t
            }),
        }
    }
    for w in out.whole.iter_mut().filter(|w| w.joined) {
        let word = &out.buf.as_bytes()[w.start as usize..w.end as usize];
        w.hash = word_hash(word);
        w.word = lexicons
            .words
            .get_bytes(word, w.hash)
            .copied()
            .unwrap_or_default();
        w.joined = false;
    }
}

fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        ',' | '.'
            | ';'
            | ':'
            | '!'
            | '?'
            | '…'
            | '('
            | ')'
            | '['
            | ']'
            | '-'
            | '–'
            | '—'
            | '！'
            | '？'
    )
}

// ---------------------------------------------------------------------------
// Shared scoring steps

/// Buffers reused from one text to the next.
#[derive(Debug, Default, Clone)]
pub struct Buffers {
    /// The valence of each token in the language's lexicon.
    pub(crate) val: Vec<Option<f64>>,
    /// The sentiment of each token.
    pub(crate) sentiments: Vec<f64>,
    /// French: the idiom ending at each token (its start, valence, whether
    /// a negation flips it).
    pub(crate) idiom_end: Vec<Option<(usize, f64, bool)>>,
    /// French: the token is inside an idiom (not its last word).
    pub(crate) inside: Vec<bool>,
    /// French: the token modifies the next word (a booster).
    pub(crate) boost: Vec<bool>,
}

impl Buffers {
    /// The sentiment of each token, as the last `sentiments_*` left it.
    pub fn sentiments(&self) -> &[f64] {
        &self.sentiments
    }
}

/// vaderSentiment `normalize` with alpha = 15: x / sqrt(x² + 15), in [-1, 1].
pub fn normalize(score: f64) -> f64 {
    (score / (score * score + 15.0).sqrt()).clamp(-1.0, 1.0)
}

/// Emphasis from `!` (0.292 each, up to 4) and `?` (0.18 each for 2 or 3,
/// 0.96 from 4 on).
pub fn punctuation_emphasis(text: &str) -> f64 {
    let (mut ep, mut qm) = (0usize, 0usize);
    for c in text.chars() {
        match c {
            '!' | '！' => ep += 1,
            '?' | '？' => qm += 1,
            _ => {}
        }
    }
    emphasis(ep, qm)
}

/// [`punctuation_emphasis`] of a text with `ep` `!` and `qm` `?`.
fn emphasis(ep: usize, qm: usize) -> f64 {
    let ep = ep.min(4) as f64 * 0.292;
    let qm = match qm {
        0 | 1 => 0.0,
        2 | 3 => qm as f64 * 0.18,
        _ => 0.96,
    };
    ep + qm
}

/// The contrastive conjunction rule: sentiments before the token at `at`
/// count half, those after it one and a half times. (fix: by position;
/// vaderSentiment finds positions with `list.index(value)`, which picks the
/// first equal value.)
pub fn contrast(sentiments: &mut [f64], at: usize) {
    for (i, s) in sentiments.iter_mut().enumerate() {
        if i < at {
            *s *= 0.5;
        } else if i > at {
            *s *= 1.5;
        }
    }
}

/// vaderSentiment `score_valence`: the compound score of per-token
/// sentiments, rounded to 4 decimals as vaderSentiment does.
pub fn compound(sentiments: &[f64], text: &str) -> f64 {
    compound_with(sentiments, punctuation_emphasis(text))
}

/// [`compound`] with the text's [`punctuation_emphasis`] given.
pub fn compound_with(sentiments: &[f64], emphasis: f64) -> f64 {
    if sentiments.is_empty() {
        return 0.0;
    }
    let mut sum: f64 = sentiments.iter().sum();
    if sum > 0.0 {
        sum += emphasis;
    } else if sum < 0.0 {
        sum -= emphasis;
    }
    (normalize(sum) * 10_000.0).round() / 10_000.0
}

// ---------------------------------------------------------------------------
// English

/// English tokens with their valences.
#[derive(Clone, Copy)]
struct En<'a> {
    t: View<'a>,
    val: &'a [Option<f64>],
    lex: Lex<'a>,
}

impl En<'_> {
    /// `lex.has(word(k))`.
    #[inline]
    fn has(&self, k: usize) -> bool {
        self.val.get(k).is_some_and(Option::is_some)
    }
}

/// vaderSentiment `scalar_inc_dec`.
fn scalar_inc_dec(t: View, j: usize, valence: f64, cap_diff: bool) -> f64 {
    let Some(mut scalar) = booster_en(t, j) else {
        return 0.0;
    };
    if valence < 0.0 {
        scalar = -scalar;
    }
    if t.upper(j) && cap_diff {
        scalar += if valence > 0.0 { C_INCR } else { -C_INCR };
    }
    scalar
}

/// Per-token sentiments of English tokens (vaderSentiment `polarity_scores`
/// up to `score_valence`), into `b.sentiments`.
pub fn sentiments_en(t: View, lex: Lex, b: &mut Buffers) {
    let n = t.len();
    t.valences(lex, &mut b.val);
    let en = En {
        t,
        val: &b.val,
        lex,
    };
    let cap_diff = t.cap_differential();
    let sentiments = &mut b.sentiments;
    sentiments.clear();
    for i in 0..n {
        if booster_en(t, i).is_some() || (t.code(i) == fw::KIND && t.code(i + 1) == fw::OF) {
            sentiments.push(0.0);
            continue;
        }
        sentiments.push(valence_en(en, i, cap_diff));
    }
    if let Some(at) = (0..n).find(|&i| t.code(i) == fw::BUT) {
        contrast(sentiments, at);
    }
}

/// vaderSentiment `sentiment_valence` for token `i`.
fn valence_en(en: En, i: usize, cap_diff: bool) -> f64 {
    let t = en.t;
    let base = match t.emoji(i) {
        Some(v) => v,
        None => match en.val[i] {
            Some(v) => v,
            None => return 0.0,
        },
    };
    if base == 0.0 && t.emoji(i).is_some() {
        return 0.0;
    }
    let w = |k: usize| t.code(k);
    let mut valence = base;
    // "no" as a negation of the next lexicon word rather than a word.
    if w(i) == fw::NO && i + 1 < t.len() && en.has(i + 1) {
        valence = 0.0;
    }
    if (i > 0 && w(i - 1) == fw::NO)
        || (i > 1 && w(i - 2) == fw::NO)
        || (i > 2 && w(i - 3) == fw::NO && matches!(w(i - 1), fw::OR | fw::NOR))
    {
        valence = base * N_SCALAR;
    }
    if t.upper(i) && cap_diff {
        valence += if valence > 0.0 { C_INCR } else { -C_INCR };
    }
    for start_i in 0..3 {
        if i > start_i && !en.has(i - start_i - 1) {
            let mut s = scalar_inc_dec(t, i - start_i - 1, valence, cap_diff);
            if start_i == 1 {
                s *= 0.95;
            } else if start_i == 2 {
                s *= 0.9;
            }
            valence += s;
            valence = negation_check_en(valence, en, start_i, i);
            if start_i == 2 {
                valence = special_idioms_en(valence, t, i);
            }
        }
    }
    least_check_en(valence, en, i)
}

/// vaderSentiment `_negation_check`.
fn negation_check_en(valence: f64, en: En, start_i: usize, i: usize) -> f64 {
    let t = en.t;
    let w = |k: usize| t.code(k);
    match start_i {
        0 => {
            if negated_en(t, i - 1) {
                return valence * N_SCALAR;
            }
        }
        1 => {
            if w(i - 2) == fw::NEVER && matches!(w(i - 1), fw::SO | fw::THIS) {
                return valence * 1.25;
            } else if w(i - 2) == fw::WITHOUT && w(i - 1) == fw::DOUBT {
                return valence;
            } else if negated_en(t, i - 2) {
                return valence * N_SCALAR;
            }
        }
        _ => {
            // As in vaderSentiment, "so"/"this" right before the word also
            // lands here (its operator precedence makes it a separate case).
            if (w(i - 3) == fw::NEVER && matches!(w(i - 2), fw::SO | fw::THIS))
                || matches!(w(i - 1), fw::SO | fw::THIS)
            {
                return valence * 1.25;
            } else if w(i - 3) == fw::WITHOUT && (w(i - 2) == fw::DOUBT || w(i - 1) == fw::DOUBT) {
                return valence;
            } else if negated_en(t, i - 3) {
                return valence * N_SCALAR;
            }
        }
    }
    valence
}

/// vaderSentiment `_special_idioms_check` (called with i >= 3).
fn special_idioms_en(mut valence: f64, t: View, i: usize) -> f64 {
    let idiom = |at: usize, len: usize| {
        if !idiom_start_en(t, at) {
            return None;
        }
        SPECIAL_CASES
            .iter()
            .find(|(p, _)| p.len() == len && t.matches(at, p))
            .map(|(_, v)| *v)
    };
    // onezero, twoonezero, twoone, threetwoone, threetwo
    let before = [(i - 1, 2), (i - 2, 3), (i - 2, 2), (i - 3, 3), (i - 3, 2)];
    if let Some(v) = before.iter().find_map(|&(at, len)| idiom(at, len)) {
        valence = v;
    }
    if t.len() > i + 1 {
        if let Some(v) = idiom(i, 2) {
            valence = v;
        }
    }
    if t.len() > i + 2 {
        if let Some(v) = idiom(i, 3) {
            valence = v;
        }
    }
    // fix: the idiom around the word ("to die for"), which vaderSentiment
    // lists but never looks up.
    if t.len() > i + 1 {
        if let Some(v) = idiom(i - 1, 3) {
            valence = v;
        }
    }
    // Two-word dampeners ("kind of") two or three words back. fix: towards 0
    // (vaderSentiment adds -0.293 whatever the sign).
    for at in [i - 3, i - 2] {
        if idiom_start_en(t, at)
            && BOOST_DOWN_BIGRAMS.iter().any(|p| t.matches(at, p))
            && at + 2 <= i
        {
            valence += if valence < 0.0 { -B_DECR } else { B_DECR };
        }
    }
    valence
}

/// vaderSentiment `_least_check`: "least good" is negated, "at least" and
/// "very least" are not.
fn least_check_en(valence: f64, en: En, i: usize) -> f64 {
    let t = en.t;
    if i > 0 && t.code(i - 1) == fw::LEAST && !en.lex.has("least") {
        if i > 1 && matches!(t.code(i - 2), fw::AT | fw::VERY) {
            return valence;
        }
        return valence * N_SCALAR;
    }
    valence
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::{lexicons, Table, Which};

    fn en(text: &str) -> f64 {
        let l = lexicons();
        let extra = Table::default();
        let t = tokenize(text, l);
        let mut b = Buffers::default();
        sentiments_en(t.view(false), Lex::new(l, &extra, Which::En), &mut b);
        compound(b.sentiments(), text)
    }

    fn words(text: &str, elisions: bool) -> Vec<String> {
        let t = tokenize(text, lexicons());
        let v = t.view(elisions);
        (0..v.len()).map(|i| v.word(i).to_string()).collect()
    }

    #[test]
    fn tokenises_like_vader_but_cleaner() {
        assert_eq!(
            words("Don't go :) ok, minutes.MAJOR f.u.c.k", false),
            ["don't", "go", ":)", "ok", "minutes", "major", "fuck"]
        );
        assert_eq!(
            words("c0nnards bullsh1t mp3 4g AC-20518", false),
            ["connards", "bullshit", "mp3", "4g", "ac-20518"]
        );
        assert_eq!(
            words("C'est l’appli 😊!", true),
            ["c", "est", "l", "appli", "😊"]
        );
        assert_eq!(
            words("C'est l’appli 😊!", false),
            ["c'est", "l'appli", "😊"]
        );
        assert_eq!(words("aujourd'hui ❤️👍🏽", true), ["aujourd'hui", "❤", "👍"]);
        assert_eq!(words("qu'l'b0n", true), ["qu", "l", "bon"]);
        assert_eq!(words("qu'l'b0n", false), ["qu'l'bon"]);
    }

    /// The whole words of the joint tokenisation are upper case when all
    /// their letters are, and break where their first part does.
    #[test]
    fn whole_words_keep_caps_and_breaks() {
        let t = tokenize("Bon. C'EST l'APPLI", lexicons());
        let (split, whole) = (t.view(true), t.view(false));
        let caps = |v: View| (0..v.len()).map(|i| v.upper(i)).collect::<Vec<_>>();
        assert_eq!(caps(split), [false, true, true, false, true]);
        assert_eq!(caps(whole), [false, true, false]);
        assert!(whole.breaks_before(1) && !whole.breaks_before(2));
        assert_eq!(
            whole.info(1).flags,
            lexicons().words.get("c'est").map_or(0, |w| w.flags)
        );
        // `ʼ` is a letter, folded to an apostrophe.
        let t = tokenize("cʼest don't :') ok", lexicons());
        let v = t.view(false);
        let apostrophes: Vec<bool> = (0..v.len()).map(|i| v.apostrophe(i)).collect();
        assert_eq!(apostrophes, [true, true, true, false]);
    }

    #[test]
    fn alphanumeric_and_space_fast_paths_match_unicode() {
        for c in (0..0x800u32).filter_map(char::from_u32) {
            assert_eq!(is_alnum(c), c.is_alphanumeric(), "{c:?}");
        }
        for b in 0..0x80u8 {
            assert_eq!(ascii_space(b), char::from(b).is_whitespace(), "{b}");
        }
    }

    #[test]
    fn punctuation_counts_full_width_marks() {
        for (text, want) in [("a！b？？", 0.292 + 2.0 * 0.18), ("é!!!!! ?", 4.0 * 0.292)] {
            assert_eq!(punctuation_emphasis(text), want);
            assert_eq!(tokenize(text, lexicons()).emphasis(), want);
        }
    }

    /// The examples of vaderSentiment's `__main__`, with the compound scores
    /// the Python 3.3.2 code prints.
    #[test]
    fn matches_vader_reference_examples() {
        let cases = [
            ("VADER is smart, handsome, and funny.", 0.8316),
            ("VADER is smart, handsome, and funny!", 0.8439),
            ("VADER is very smart, handsome, and funny.", 0.8545),
            ("VADER is VERY SMART, handsome, and FUNNY.", 0.9227),
            ("VADER is VERY SMART, handsome, and FUNNY!!!", 0.9342),
            (
                "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
                0.9469,
            ),
            ("VADER is not smart, handsome, nor funny.", -0.7424),
            ("The book was good.", 0.4404),
            ("At least it isn't a horrible book.", 0.431),
            ("The book was only kind of good.", 0.3832),
            (
                "The plot was good, but the characters are uncompelling and the dialog is not great.",
                -0.7042,
            ),
            ("Today SUX!", -0.5461),
            ("Today only kinda sux! But I'll get by, lol", 0.5249),
            ("Make sure you :) or :D today!", 0.8633),
            ("Not bad at all", 0.431),
            ("Sentiment analysis has never been good.", -0.3412),
            ("Sentiment analysis has never been this good!", 0.5672),
            ("Most automated sentiment analysis tools are shit.", -0.5574),
            ("With VADER, sentiment analysis is the shit!", 0.6476),
            ("Other sentiment analysis tools can be quite bad.", -0.5849),
            ("On the other hand, VADER is quite bad ass", 0.802),
            ("VADER is such a badass!", 0.4003),
            ("Without a doubt, excellent idea.", 0.7013),
            (
                "Roger Dodger is one of the most compelling variations on this theme.",
                0.2944,
            ),
            (
                "Roger Dodger is at least compelling as a variation on the theme.",
                0.2263,
            ),
            (
                "Roger Dodger is one of the least compelling variations on this theme.",
                -0.1695,
            ),
            ("Not such a badass after all.", -0.2584),
        ];
        for (text, want) in cases {
            let got = en(text);
            assert!((got - want).abs() < 0.002, "{text}: got {got}, want {want}");
        }
    }

    #[test]
    fn negation_boosters_caps_and_punctuation() {
        assert!(en("The food is good") > 0.0);
        assert!(en("The food is not good") < 0.0);
        assert!(en("The food isn't very good") < 0.0);
        assert!(en("The food is very good") > en("The food is good"));
        assert!(en("The food is slightly good") < en("The food is good"));
        assert!(en("The food is GOOD today") > en("The food is good today"));
        assert!(en("The food is good!!") > en("The food is good"));
        assert!(en("good, but bad") < 0.0 && en("bad, but good") > 0.0);
        assert!(en("the tiramisu is to die for") > 0.5);
        assert!(en("I love it 😍") > en("I love it"));
        assert!(en("f.u.c.k this") < 0.0);
        assert_eq!(en(""), 0.0);
    }
}
